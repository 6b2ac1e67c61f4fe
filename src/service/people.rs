//! What Liftoff remembers about people and about Slack's deliveries, for the Slack layer:
//! each person's time zone (so "today" is theirs) and which events were already handled (so
//! Slack's retries apply nothing twice).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::Service;
use crate::store::{EventClaim, StoreError};
use liftoff_core::{SlackUserId, Task, TaskId};

/// How old a cached time zone may be before it is asked for again.
const TIMEZONE_FRESHNESS: Duration = Duration::days(1);

/// How long a time zone read from the database is used without reading it again. Every
/// command needs its author's "today" (to parse `friday`, to refuse a date in the past), and
/// reading it each time was three of a `/launch show`'s ten queries. What this instance learns
/// from Slack replaces its entry at once; what another instance learns is seen within this.
const TIMEZONE_REREAD: Duration = Duration::minutes(5);

/// Entries kept at most; past it the cache starts again empty (a workspace's active people
/// fit many times over, and a flood of unknown user ids cannot grow it without bound).
const TIMEZONE_CACHE_LIMIT: usize = 50_000;

/// How long after asking Slack about a person's time zone this instance leaves them be,
/// whatever the answer: someone Slack will not describe (`users.info` answers
/// `user_not_visible` for some people in shared channels) or whose profile has no zone would
/// otherwise be asked about on every command they type, and a failed lookup (a timeout, a
/// 500) is tried again on a later command after this.
const TIMEZONE_ASK_AGAIN: Duration = Duration::minutes(10);

/// People's time zones as last read from (or written to) the store, and when this instance
/// last asked Slack about each.
#[derive(Default)]
pub(super) struct TimezoneCache {
    entries: Mutex<HashMap<SlackUserId, CachedZone>>,
    asked: Mutex<HashMap<SlackUserId, DateTime<Utc>>>,
}

#[derive(Clone, Copy)]
struct CachedZone {
    /// The zone and when Slack told it; `None`: Slack has not (yet).
    zone: Option<(chrono_tz::Tz, DateTime<Utc>)>,
    read_at: DateTime<Utc>,
}

impl TimezoneCache {
    fn get(&self, user: &SlackUserId, now: DateTime<Utc>) -> Option<CachedZone> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(user)
            .copied()
            .filter(|cached| now - cached.read_at < TIMEZONE_REREAD && cached.read_at <= now)
    }

    fn put(&self, user: &SlackUserId, cached: CachedZone) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= TIMEZONE_CACHE_LIMIT && !entries.contains_key(user) {
            entries.clear();
        }
        entries.insert(user.clone(), cached);
    }

    fn asked_lately(&self, user: &SlackUserId, now: DateTime<Utc>) -> bool {
        let asked = self.asked.lock().unwrap_or_else(|p| p.into_inner());
        asked
            .get(user)
            .is_some_and(|at| now - *at < TIMEZONE_ASK_AGAIN && *at <= now)
    }

    fn note_asked(&self, user: &SlackUserId, now: DateTime<Utc>) {
        let mut asked = self.asked.lock().unwrap_or_else(|p| p.into_inner());
        if asked.len() >= TIMEZONE_CACHE_LIMIT && !asked.contains_key(user) {
            asked.retain(|_, at| now - *at < TIMEZONE_ASK_AGAIN);
            if asked.len() >= TIMEZONE_CACHE_LIMIT {
                asked.clear();
            }
        }
        asked.insert(user.clone(), now);
    }
}

/// Whether Slack told this time zone less than [`TIMEZONE_FRESHNESS`] before `now`.
fn told_lately(zone: Option<(chrono_tz::Tz, DateTime<Utc>)>, now: DateTime<Utc>) -> bool {
    zone.is_some_and(|(_, fetched)| now - fetched < TIMEZONE_FRESHNESS)
}

impl Service {
    /// `user`'s time zone and when Slack told it, from the cache or else the store. A zone
    /// that no longer parses (a name retired from the tz database) counts as unknown.
    pub(super) async fn timezone_of(&self, user: &SlackUserId) -> Option<(chrono_tz::Tz, DateTime<Utc>)> {
        let now = self.clock.now();
        if let Some(cached) = self.timezones.get(user, now) {
            return cached.zone;
        }
        // A failed read is not cached: the next command reads again.
        let stored = self.store.user_timezone(user).await.ok()?;
        let zone = stored.and_then(|(name, fetched)| Some((name.parse::<chrono_tz::Tz>().ok()?, fetched)));
        self.timezones.put(user, CachedZone { zone, read_at: now });
        zone
    }

    /// Whether asking Slack for `user`'s time zone may be worth it: not when this instance's
    /// cache holds one Slack told less than a day ago, nor when this instance asked about
    /// them in the last [`TIMEZONE_ASK_AGAIN`]. Answered from memory, so that a command need
    /// not start the background task that would find out (a task per command woke a second
    /// worker thread for nothing, BENCHMARKS.md).
    pub fn timezone_worth_asking(&self, user: &SlackUserId) -> bool {
        let now = self.clock.now();
        !told_lately(self.timezones.get(user, now).and_then(|cached| cached.zone), now)
            && !self.timezones.asked_lately(user, now)
    }

    /// Notes that Slack is being asked for `user`'s time zone now (see
    /// [`Service::timezone_worth_asking`]).
    pub fn note_timezone_asked(&self, user: &SlackUserId) {
        self.timezones.note_asked(user, self.clock.now());
    }

    /// Whether `user`'s time zone is unknown or older than a day, and so worth asking Slack.
    pub async fn timezone_is_stale(&self, user: &SlackUserId) -> bool {
        let now = self.clock.now();
        !told_lately(self.timezone_of(user).await, now)
    }

    /// Remembers the time zone Slack gave for `user` (an IANA name, already checked).
    pub async fn remember_timezone(&self, user: &SlackUserId, timezone: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store.save_user_timezone(user, timezone, now).await?;
        let zone = timezone.parse::<chrono_tz::Tz>().ok().map(|zone| (zone, now));
        self.timezones.put(user, CachedZone { zone, read_at: now });
        Ok(())
    }

    /// Claims Slack event `event_id` for handling: a claim older than `stale` belongs to a
    /// handler that died, and is taken over.
    pub async fn claim_event(&self, event_id: &str, stale: Duration) -> Result<EventClaim, StoreError> {
        self.store.claim_slack_event(event_id, self.clock.now(), stale).await
    }

    /// Marks a claimed event handled, once its effect is stored.
    pub async fn mark_event_handled(&self, event_id: &str) -> Result<(), StoreError> {
        self.store.mark_slack_event_handled(event_id, self.clock.now()).await
    }

    /// Drops the claim on an event that could not be handled, so Slack's retry gets another go.
    pub async fn forget_event(&self, event_id: &str) -> Result<(), StoreError> {
        self.store.forget_slack_event(event_id).await
    }

    /// One task, as it stands now (for a form about it).
    pub async fn task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.store.task(id).await
    }
}
