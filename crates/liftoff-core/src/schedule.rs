//! When scheduled work is due: the latest cron slot at or before `now`, whether that slot may
//! still run (same local day, a working day), and a stable key for it so a slot runs once.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use super::calendar::WorkCalendar;

/// One scheduled fire time, in the organisation's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub at: DateTime<Tz>,
    /// The wall-clock time the schedule names. The same as `at`'s local time except in a
    /// spring-forward gap, where `at` is the first instant after it: asking the schedule
    /// "is this one of yours?" must use this.
    pub nominal: chrono::NaiveDateTime,
}

impl Slot {
    /// Whether `schedule` fires at this slot's wall-clock time (what a cron daemon would say).
    pub fn is_in(&self, schedule: &cron::Schedule) -> bool {
        schedule.includes(self.nominal.and_utc())
    }
}

impl Slot {
    /// Local date and time, e.g. `2026-11-25T10:00`: unique per job, and the same on every
    /// instance. Keyed by local time on purpose: on a DST fall-back the cron crate yields the
    /// repeated hour twice, and both map to one key, so the slot still runs once.
    pub fn key(&self) -> String {
        self.at.naive_local().format("%Y-%m-%dT%H:%M").to_string()
    }

    pub fn local_date(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

/// How far back a missed slot is looked for: a weekly schedule must still find last week's.
pub const LOOKBACK: Duration = Duration::days(8);

/// The latest slot of `schedule` at or before `now`, if any within [`LOOKBACK`].
///
/// The schedule is read in wall-clock time, as a cron daemon reads it: its times are found on
/// a clock without daylight saving, then placed in `tz`. So a slot in the hour skipped on
/// spring-forward (02:30 on 2027-03-14 in New York) runs once, at the first valid instant after
/// the gap (03:00), and one in the hour repeated on fall-back runs once, at its first occurrence.
/// (The cron crate, given a zone, skips the first and yields the second twice.)
pub fn latest_slot(schedule: &cron::Schedule, tz: Tz, now: DateTime<Utc>) -> Option<Slot> {
    let wall_clock = |at: DateTime<Utc>| at.with_timezone(&tz).naive_local().and_utc();
    let start = wall_clock(now - LOOKBACK);
    schedule
        .after(&start)
        .map_while(|wall| {
            place_in_zone(tz, wall.naive_utc()).map(|at| Slot {
                at,
                nominal: wall.naive_utc(),
            })
        })
        .take_while(|slot| slot.at.with_timezone(&Utc) <= now)
        .last()
}

/// The instant wall-clock time `local` means in `tz`: itself, its first occurrence when the
/// clock went back, or the first valid instant after the gap when it went forward.
fn place_in_zone(tz: Tz, local: chrono::NaiveDateTime) -> Option<DateTime<Tz>> {
    use chrono::TimeZone;
    if let Some(at) = tz.from_local_datetime(&local).earliest() {
        return Some(at);
    }
    // In a gap (at most a few hours anywhere): the first minute that exists after it.
    (1..=4 * 60).find_map(|minutes| {
        let later = local + Duration::minutes(minutes);
        tz.from_local_datetime(&later.with_second(0)?).earliest()
    })
}

/// Whether a due slot runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotDecision {
    Run,
    /// Nothing is posted on weekends and holidays.
    NotAWorkingDay,
    /// The service was down through it and the day is over: skipped, not caught up late.
    Missed,
}

impl SlotDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotDecision::Run => "ran",
            SlotDecision::NotAWorkingDay => "skipped: not a working day",
            SlotDecision::Missed => "skipped: missed while down",
        }
    }
}

/// A slot runs if it falls on a working day and it is still that day; a slot missed on an
/// earlier day is skipped (once), so downtime never causes a burst of stale posts.
pub fn decide(slot: &Slot, now: DateTime<Utc>, calendar: &WorkCalendar) -> SlotDecision {
    let today = now.with_timezone(&slot.at.timezone()).date_naive();
    if !calendar.is_working_day(slot.local_date()) {
        SlotDecision::NotAWorkingDay
    } else if slot.local_date() != today {
        SlotDecision::Missed
    } else {
        SlotDecision::Run
    }
}

/// The first slot of `schedule` in the ISO week containing `date` (for weekly cadences).
pub fn first_slot_of_week(schedule: &cron::Schedule, tz: Tz, date: NaiveDate) -> Option<NaiveDate> {
    let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
    let start = monday.and_hms_opt(0, 0, 0)?.and_local_timezone(tz).earliest()? - Duration::seconds(1);
    schedule
        .after(&start)
        .next()
        .map(|at| at.date_naive())
        .filter(|d| (*d - monday).num_days() < 7)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::Weekday;

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn schedule(expr: &str) -> cron::Schedule {
        cron::Schedule::from_str(expr).unwrap()
    }

    #[test]
    fn the_latest_slot_is_found_in_the_local_time_zone() {
        let berlin = chrono_tz::Europe::Berlin;
        let checkin = schedule("0 0 10 * * Mon,Wed,Fri");
        // Wed 2026-11-25 09:30 UTC is 10:30 in Berlin: today's 10:00 slot is due.
        let slot = latest_slot(&checkin, berlin, utc("2026-11-25T09:30:00Z")).unwrap();
        assert_eq!(slot.key(), "2026-11-25T10:00");
        // At 08:59 UTC (09:59 Berlin) it is still Monday's.
        let slot = latest_slot(&checkin, berlin, utc("2026-11-25T08:59:00Z")).unwrap();
        assert_eq!(slot.key(), "2026-11-23T10:00");
    }

    #[test]
    fn missed_and_non_working_slots_are_skipped() {
        let calendar = WorkCalendar::new(
            chrono_tz::UTC,
            &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            ["2026-11-27".parse().unwrap()],
        );
        let daily = schedule("0 0 10 * * *");
        let at = |now: &str| {
            let slot = latest_slot(&daily, chrono_tz::UTC, utc(now)).unwrap();
            decide(&slot, utc(now), &calendar)
        };
        assert_eq!(at("2026-11-25T10:00:00Z"), SlotDecision::Run);
        assert_eq!(at("2026-11-25T23:59:00Z"), SlotDecision::Run, "still the same day");
        assert_eq!(at("2026-11-26T09:00:00Z"), SlotDecision::Missed, "yesterday's slot");
        assert_eq!(at("2026-11-27T11:00:00Z"), SlotDecision::NotAWorkingDay, "holiday");
        assert_eq!(at("2026-11-28T11:00:00Z"), SlotDecision::NotAWorkingDay, "Saturday");
    }

    #[test]
    fn dst_fall_back_maps_the_repeated_hour_to_one_key() {
        let berlin = chrono_tz::Europe::Berlin;
        let nightly = schedule("0 30 2 * * *");
        // 2026-10-25: 02:30 happens twice in Berlin (00:30 and 01:30 UTC).
        let first = latest_slot(&nightly, berlin, utc("2026-10-25T00:45:00Z")).unwrap();
        let second = latest_slot(&nightly, berlin, utc("2026-10-25T01:45:00Z")).unwrap();
        assert_eq!(first.key(), "2026-10-25T02:30");
        assert_eq!(second.key(), first.key());
    }

    #[test]
    fn dst_spring_forward_runs_a_skipped_slot_once_after_the_gap() {
        let nightly = schedule("0 30 2 * * *");
        // 2027-03-14: New York's clocks jump from 02:00 to 03:00; 02:30 does not exist.
        let new_york = chrono_tz::America::New_York;
        let slot = latest_slot(&nightly, new_york, utc("2027-03-14T08:00:00Z")).unwrap();
        assert_eq!(
            slot.key(),
            "2027-03-14T03:00",
            "run at the first valid instant after the gap"
        );
        assert_eq!(slot.at.with_timezone(&Utc), utc("2027-03-14T07:00:00Z"));
        assert!(slot.is_in(&nightly), "still recognised as the schedule's 02:30");
        // Before the gap ends, the latest slot is still the day before's.
        let slot = latest_slot(&nightly, new_york, utc("2027-03-14T06:59:00Z")).unwrap();
        assert_eq!(slot.key(), "2027-03-13T02:30");
        // 2027-03-28 in Berlin: 02:00 jumps to 03:00.
        let berlin = chrono_tz::Europe::Berlin;
        let slot = latest_slot(&nightly, berlin, utc("2027-03-28T05:00:00Z")).unwrap();
        assert_eq!(
            (slot.local_date(), slot.key()),
            ("2027-03-28".parse().unwrap(), "2027-03-28T03:00".to_owned())
        );
        // A day without a change is unaffected.
        let slot = latest_slot(&nightly, berlin, utc("2027-03-29T05:00:00Z")).unwrap();
        assert_eq!(slot.key(), "2027-03-29T02:30");
    }

    #[test]
    fn weekly_cadence_uses_the_first_slot_of_the_week() {
        let checkin = schedule("0 0 10 * * Mon,Wed,Fri");
        let utc = chrono_tz::UTC;
        let wed: NaiveDate = "2026-11-25".parse().unwrap();
        assert_eq!(
            first_slot_of_week(&checkin, utc, wed),
            Some("2026-11-23".parse().unwrap())
        );
        let wed_only = schedule("0 0 10 * * Wed");
        assert_eq!(first_slot_of_week(&wed_only, utc, wed), Some(wed));
    }
}
