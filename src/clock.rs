//! The one place that reads the time. Everything else receives a [`Clock`] (or a `now` value),
//! so tests and `liftoff tick --now` can run the real code at any instant.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// Shared handle to whichever clock the process runs on.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: for tests, the demo and `tick --now`.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        *self.lock() = instant;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.lock();
        *now += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A panic while holding this lock cannot leave the instant half-written, so a
        // poisoned lock still holds a valid value.
        self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

/// A clock that starts at a given instant and then runs at real speed: what `tick --now`
/// runs on, so retries and pacing inside one tick still see time pass.
#[derive(Debug, Clone)]
pub struct OffsetClock {
    start: DateTime<Utc>,
    started: std::time::Instant,
}

impl OffsetClock {
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        OffsetClock {
            start,
            started: std::time::Instant::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default();
        self.start + elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start: DateTime<Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::hours(2));
        assert_eq!(clock.now(), start + chrono::Duration::hours(2));
        let shared: SharedClock = Arc::new(clock.clone());
        clock.set(start);
        assert_eq!(shared.now(), start);
    }

    #[test]
    fn offset_clock_starts_where_told_and_moves_forward() {
        let start: DateTime<Utc> = "2026-12-01T09:00:00Z".parse().unwrap();
        let clock = OffsetClock::starting_at(start);
        let first = clock.now();
        assert!(first >= start && first - start < chrono::Duration::seconds(5));
        assert!(clock.now() >= first);
    }
}
