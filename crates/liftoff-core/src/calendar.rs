//! Working days: which dates count for reminders, check-ins and "overdue by N working days".
//! Nothing is posted on a non-working day, so this is consulted by every schedule.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

/// The organisation's working week, holidays and home time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    pub timezone: Tz,
    working_days: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(timezone: Tz, working_days: &[Weekday], holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        let mut days = [false; 7];
        for day in working_days {
            days[day.num_days_from_monday() as usize] = true;
        }
        WorkCalendar {
            timezone,
            working_days: days,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Monday to Friday, no holidays, in `timezone`.
    pub fn weekdays(timezone: Tz) -> Self {
        use Weekday::*;
        WorkCalendar::new(timezone, &[Mon, Tue, Wed, Thu, Fri], [])
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_days[date.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&date)
    }

    /// Today's date where the organisation sits (or a person, given their time zone).
    pub fn local_date(&self, now: DateTime<Utc>, timezone: Option<Tz>) -> NaiveDate {
        now.with_timezone(&timezone.unwrap_or(self.timezone)).date_naive()
    }

    /// The first working day strictly after `date`, or `None` if the calendar has no working
    /// days at all (a misconfiguration that config validation refuses).
    pub fn next_working_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        if !self.working_days.iter().any(|d| *d) {
            return None;
        }
        // Holidays are finite, so a working weekday is found within the holidays plus a week.
        let limit = self.holidays.len() + 8;
        date.iter_days().skip(1).take(limit).find(|d| self.is_working_day(*d))
    }

    /// The last working day strictly before `date`, or `None` if the calendar has no working
    /// days. The day a reminder for something due on `date` goes out.
    pub fn previous_working_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        if !self.working_days.iter().any(|d| *d) {
            return None;
        }
        let limit = self.holidays.len() + 8;
        std::iter::successors(date.pred_opt(), |d| d.pred_opt())
            .take(limit)
            .find(|d| self.is_working_day(*d))
    }

    /// `date` if it is a working day, else the working day before it: where a computed date
    /// (a `T-5`, a date moved with its launch) lands, so nothing falls due on a weekend or a
    /// holiday. Earlier rather than later, because a deliverable late for launch day is worse
    /// than one a day early. `date` itself when the calendar has no working days at all.
    pub fn working_day_on_or_before(&self, date: NaiveDate) -> NaiveDate {
        if self.is_working_day(date) {
            return date;
        }
        self.previous_working_day(date).unwrap_or(date)
    }

    /// The date `n` working days after `date` (`n = 0` is `date` itself).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        (0..n).try_fold(date, |day, _| self.next_working_day(day))
    }

    /// Working days in `(from, to]`: how many working days have passed since `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn calendar() -> WorkCalendar {
        use Weekday::*;
        WorkCalendar::new(
            chrono_tz::Europe::Berlin,
            &[Mon, Tue, Wed, Thu, Fri],
            [date("2026-12-25")],
        )
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let cal = calendar();
        assert!(cal.is_working_day(date("2026-11-23"))); // Monday
        assert!(!cal.is_working_day(date("2026-11-28"))); // Saturday
        assert!(!cal.is_working_day(date("2026-12-25"))); // holiday, a Friday
    }

    #[test]
    fn next_working_day_skips_weekends_and_holidays() {
        let cal = calendar();
        assert_eq!(cal.next_working_day(date("2026-11-27")), Some(date("2026-11-30")));
        assert_eq!(cal.next_working_day(date("2026-12-24")), Some(date("2026-12-28")));
        let never = WorkCalendar::new(chrono_tz::UTC, &[], []);
        assert_eq!(never.next_working_day(date("2026-12-24")), None);
        assert_eq!(cal.add_working_days(date("2026-12-23"), 2), Some(date("2026-12-28")));
        assert_eq!(cal.add_working_days(date("2026-12-23"), 0), Some(date("2026-12-23")));
    }

    #[test]
    fn computed_dates_fall_back_to_the_working_day_before() {
        let cal = calendar();
        // Saturday 12 December is due on Friday 11th; Monday 30 November stays.
        assert_eq!(cal.working_day_on_or_before(date("2026-12-12")), date("2026-12-11"));
        assert_eq!(cal.working_day_on_or_before(date("2026-12-13")), date("2026-12-11"));
        assert_eq!(cal.working_day_on_or_before(date("2026-11-30")), date("2026-11-30"));
        // Friday 25 December is a holiday: Thursday 24th.
        assert_eq!(cal.working_day_on_or_before(date("2026-12-26")), date("2026-12-24"));
        assert_eq!(cal.previous_working_day(date("2026-11-30")), Some(date("2026-11-27")));
        assert_eq!(cal.previous_working_day(date("2026-12-28")), Some(date("2026-12-24")));
        let never = WorkCalendar::new(chrono_tz::UTC, &[], []);
        assert_eq!(never.working_day_on_or_before(date("2026-12-12")), date("2026-12-12"));
    }

    #[test]
    fn working_days_between_counts_after_the_start() {
        let cal = calendar();
        assert_eq!(cal.working_days_between(date("2026-11-27"), date("2026-11-30")), 1);
        assert_eq!(cal.working_days_between(date("2026-12-23"), date("2026-12-28")), 2);
        assert_eq!(cal.working_days_between(date("2026-11-30"), date("2026-11-27")), 0);
    }

    #[test]
    fn local_date_uses_the_given_time_zone() {
        let cal = calendar();
        let now: DateTime<Utc> = "2026-11-23T23:30:00Z".parse().unwrap();
        assert_eq!(cal.local_date(now, None), date("2026-11-24")); // Berlin is UTC+1
        assert_eq!(
            cal.local_date(now, Some(chrono_tz::America::New_York)),
            date("2026-11-23")
        );
    }
}
