//! Working hours: when a message that can wait may reach a person.
//!
//! A nudge or a reminder that lands at 22:00 is noise at best and a reason to mute the bot at
//! worst. Messages that can wait are held until the recipient's next working hour: the
//! configured hours (`calendar.working_hours`), read in the person's own time zone, on the
//! organisation's working days and holidays (Liftoff knows no per-person calendar, so a
//! holiday of the organisation is everybody's). Replies to something a person just did are
//! never held: they answer them now.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use thiserror::Error;

use crate::calendar::WorkCalendar;

/// The part of a working day when people may be messaged, e.g. `09:00-18:00`, in whatever
/// time zone it is applied in. The start is inside, the end is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    start: NaiveTime,
    end: NaiveTime,
}

/// Why a working-hours setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkingHoursError {
    #[error("`{0}` is not a range of hours: write it like 09:00-18:00")]
    NotARange(String),
    #[error("`{0}` is not a time of day: write it like 09:00 (24-hour clock)")]
    NotATime(String),
    #[error("the day must end after it starts (`{start}` is not before `{end}`)")]
    EndsBeforeStart { start: String, end: String },
}

impl WorkingHours {
    /// Hours from `start` (inside) to `end` (outside); refused unless `start < end`, as a
    /// window across midnight would make "the next working day" ambiguous.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, WorkingHoursError> {
        if start >= end {
            return Err(WorkingHoursError::EndsBeforeStart {
                start: start.format("%H:%M").to_string(),
                end: end.format("%H:%M").to_string(),
            });
        }
        Ok(WorkingHours { start, end })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether `time` (a local time of day) is within these hours.
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.start <= time && time < self.end
    }
}

/// 09:00 to 18:00: an office day, wherever the person is.
impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl FromStr for WorkingHours {
    type Err = WorkingHoursError;

    /// `09:00-18:00` (an en dash or spaces around the dash are accepted too).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (start, end) = text
            .split_once(['-', '–'])
            .ok_or_else(|| WorkingHoursError::NotARange(text.to_owned()))?;
        let time = |part: &str| {
            let part = part.trim();
            NaiveTime::parse_from_str(part, "%H:%M").map_err(|_| WorkingHoursError::NotATime(part.to_owned()))
        };
        WorkingHours::new(time(start)?, time(end)?)
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

/// The earliest instant at or after `now` when a message that can wait may reach a person
/// whose time zone is `timezone` (the organisation's when unknown): `now` itself within their
/// working hours on a working day, else the start of their next working hours.
///
/// Working days and holidays are the organisation's, read as dates in the person's time zone.
/// A start that does not exist on a day (a daylight-saving gap) is taken as the first instant
/// after the gap. A calendar without working days (which configuration refuses) holds nothing.
pub fn earliest_send(
    now: DateTime<Utc>,
    timezone: Option<Tz>,
    hours: &WorkingHours,
    calendar: &WorkCalendar,
) -> DateTime<Utc> {
    let tz = timezone.unwrap_or(calendar.timezone);
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    if calendar.is_working_day(today) && hours.contains(local.time()) {
        return now;
    }
    let day = if calendar.is_working_day(today) && local.time() < hours.start {
        Some(today)
    } else {
        calendar.next_working_day(today)
    };
    day.and_then(|day| start_of(day, hours.start, tz))
        .filter(|start| *start >= now)
        .unwrap_or(now)
}

/// The instant `time` happens on `day` in `tz`: the earlier one when the clock is set back,
/// and the first instant after the gap when it is set forward past `time`.
fn start_of(day: NaiveDate, time: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    // Gaps last at most a few hours; step forward a minute at a time until the clock exists.
    (0..=24 * 60).find_map(|minutes| {
        let at = day.and_time(time) + Duration::minutes(minutes);
        at.and_local_timezone(tz).earliest().map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Berlin's organisation, Monday to Friday, with Christmas Day off.
    fn berlin() -> WorkCalendar {
        use Weekday::*;
        WorkCalendar::new(
            chrono_tz::Europe::Berlin,
            &[Mon, Tue, Wed, Thu, Fri],
            [date("2026-12-25")],
        )
    }

    fn office() -> WorkingHours {
        WorkingHours::default()
    }

    #[test]
    fn within_working_hours_a_message_goes_now() {
        // Tuesday 1 December 2026, 10:00 in Berlin.
        let now = at("2026-12-01T09:00:00Z");
        assert_eq!(earliest_send(now, None, &office(), &berlin()), now);
    }

    #[test]
    fn a_singapore_evening_waits_for_nine_the_next_working_day() {
        // 22:00 Tuesday in Singapore (UTC+8) is 15:00 in Berlin, inside the organisation's day.
        let now = at("2026-12-01T14:00:00Z");
        let singapore = Some(chrono_tz::Asia::Singapore);
        assert_eq!(
            earliest_send(now, singapore, &office(), &berlin()),
            at("2026-12-02T01:00:00Z") // 09:00 Wednesday in Singapore
        );
    }

    #[test]
    fn new_york_gets_nine_new_york_time_not_nine_berlin_time() {
        // 09:00 Tuesday in Berlin is 03:00 in New York.
        let now = at("2026-12-01T08:00:00Z");
        let new_york = Some(chrono_tz::America::New_York);
        assert_eq!(
            earliest_send(now, new_york, &office(), &berlin()),
            at("2026-12-01T14:00:00Z") // 09:00 EST the same day
        );
        // An unknown time zone is the organisation's: 09:00 Berlin is inside its hours.
        assert_eq!(earliest_send(now, None, &office(), &berlin()), now);
    }

    #[test]
    fn friday_evening_waits_for_monday_morning() {
        // 19:00 Friday 4 December in Berlin.
        let now = at("2026-12-04T18:00:00Z");
        assert_eq!(
            earliest_send(now, None, &office(), &berlin()),
            at("2026-12-07T08:00:00Z") // 09:00 Monday
        );
        // Saturday noon too.
        assert_eq!(
            earliest_send(at("2026-12-05T11:00:00Z"), None, &office(), &berlin()),
            at("2026-12-07T08:00:00Z")
        );
    }

    #[test]
    fn holidays_are_skipped_in_the_persons_own_time_zone() {
        // Thursday 24 December, 20:00 in Singapore: Friday is Christmas, so Monday 28th.
        let now = at("2026-12-24T12:00:00Z");
        assert_eq!(
            earliest_send(now, Some(chrono_tz::Asia::Singapore), &office(), &berlin()),
            at("2026-12-28T01:00:00Z")
        );
        // Christmas morning in Berlin, inside the hours but a holiday.
        assert_eq!(
            earliest_send(at("2026-12-25T09:00:00Z"), None, &office(), &berlin()),
            at("2026-12-28T08:00:00Z")
        );
    }

    #[test]
    fn early_on_a_working_day_waits_for_its_own_start() {
        // 07:30 Wednesday in Berlin.
        assert_eq!(
            earliest_send(at("2026-12-02T06:30:00Z"), None, &office(), &berlin()),
            at("2026-12-02T08:00:00Z")
        );
        // 18:00 is after the day: the end is not inside.
        assert_eq!(
            earliest_send(at("2026-12-02T17:00:00Z"), None, &office(), &berlin()),
            at("2026-12-03T08:00:00Z")
        );
    }

    #[test]
    fn nine_oclock_follows_daylight_saving_time() {
        // Saturday 7 March 2026 in New York (EST, UTC-5); clocks go forward on Sunday 8th.
        let now = at("2026-03-07T15:00:00Z");
        let new_york = Some(chrono_tz::America::New_York);
        assert_eq!(
            earliest_send(now, new_york, &office(), &berlin()),
            at("2026-03-09T13:00:00Z") // 09:00 EDT, UTC-4, on Monday
        );
        // And back in autumn: Friday 30 October 2026, 20:00 in Berlin (CEST); Monday is CET.
        assert_eq!(
            earliest_send(at("2026-10-30T18:00:00Z"), None, &office(), &berlin()),
            at("2026-11-02T08:00:00Z")
        );
    }

    #[test]
    fn a_start_inside_a_daylight_saving_gap_is_the_first_instant_after_it() {
        // Every day works; Berlin skips from 02:00 to 03:00 on Sunday 29 March 2026.
        use Weekday::*;
        let always = WorkCalendar::new(chrono_tz::Europe::Berlin, &[Mon, Tue, Wed, Thu, Fri, Sat, Sun], []);
        let night: WorkingHours = "02:30-18:00".parse().unwrap();
        assert_eq!(
            earliest_send(at("2026-03-28T23:00:00Z"), None, &night, &always), // 00:00 CET
            at("2026-03-29T01:00:00Z")                                        // 03:00 CEST
        );
    }

    #[test]
    fn a_calendar_without_working_days_holds_nothing() {
        let never = WorkCalendar::new(chrono_tz::UTC, &[], []);
        let now = at("2026-12-01T22:00:00Z");
        assert_eq!(earliest_send(now, None, &office(), &never), now);
    }

    #[test]
    fn working_hours_are_read_as_people_write_them() {
        assert_eq!("09:00-18:00".parse::<WorkingHours>(), Ok(WorkingHours::default()));
        assert_eq!(
            "8:30 – 17:00".parse::<WorkingHours>().map(|h| h.to_string()),
            Ok("08:30-17:00".to_owned())
        );
        assert_eq!(
            "9am".parse::<WorkingHours>(),
            Err(WorkingHoursError::NotARange("9am".to_owned()))
        );
        assert_eq!(
            "09:00-25:00".parse::<WorkingHours>(),
            Err(WorkingHoursError::NotATime("25:00".to_owned()))
        );
        assert_eq!(
            "18:00-09:00".parse::<WorkingHours>(),
            Err(WorkingHoursError::EndsBeforeStart {
                start: "18:00".to_owned(),
                end: "09:00".to_owned()
            })
        );
    }
}
