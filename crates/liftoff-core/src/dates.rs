//! Dates as people type them in Slack: `2026-12-04`, `today`, `tomorrow`, `friday`, `+3d`,
//! `+2w`, and for tasks `T-14` / `T+7` (days from launch day).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::task::DueDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("`{0}` is not a date: use YYYY-MM-DD, today, tomorrow, a weekday, +3d, +2w or T-14")]
    Unrecognised(String),
    #[error("{0} does not exist in the calendar")]
    NoSuchDate(String),
    #[error("`{0}` is too far away; keep dates within {MAX_DAYS_AHEAD} days")]
    TooFar(String),
    #[error("a launch date cannot be relative to itself: give a date like 2026-12-04 or +2w")]
    RelativeLaunchDate,
}

/// How far ahead `+Nd`/`+Nw` may reach; beyond that a typo is more likely than a plan.
pub const MAX_DAYS_AHEAD: u64 = 3 * 366;

/// Parses a due date relative to `today` (the asking person's local date).
pub fn parse_due(input: &str, today: NaiveDate) -> Result<DueDate, DateError> {
    let trimmed = input.trim();
    if trimmed.len() > 1
        && trimmed.as_bytes()[0].eq_ignore_ascii_case(&b't')
        && matches!(trimmed.as_bytes()[1], b'-' | b'+')
    {
        return DueDate::parse_relative(trimmed).map_err(|_| DateError::Unrecognised(input.to_owned()));
    }
    parse_calendar_date(trimmed, today).map(DueDate::On)
}

/// Parses a launch date: like [`parse_due`] but never relative to launch day.
pub fn parse_launch_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    match parse_due(input, today)? {
        DueDate::On(date) => Ok(date),
        DueDate::Relative(_) => Err(DateError::RelativeLaunchDate),
    }
}

fn parse_calendar_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let lower = input.to_ascii_lowercase();
    let add_days = |days: u64| {
        if days > MAX_DAYS_AHEAD {
            return Err(DateError::TooFar(input.to_owned()));
        }
        today
            .checked_add_days(Days::new(days))
            .ok_or_else(|| DateError::TooFar(input.to_owned()))
    };
    match lower.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return add_days(1),
        _ => {}
    }
    if let Some(weekday) = parse_weekday(&lower) {
        // The next such day strictly after today: "friday" said on a Friday means next week.
        let ahead = (7 + weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
        return add_days(if ahead == 0 { 7 } else { ahead as u64 });
    }
    if let Some(rest) = lower.strip_prefix('+') {
        let multiplier = match rest.chars().last() {
            Some('d') => 1,
            Some('w') => 7,
            _ => return Err(DateError::Unrecognised(input.to_owned())),
        };
        let digits = &rest[..rest.len() - 1];
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::Unrecognised(input.to_owned()));
        }
        let count: u64 = digits.parse().map_err(|_| DateError::Unrecognised(input.to_owned()))?;
        return add_days(count * multiplier);
    }
    let looks_iso = lower.len() == 10
        && lower.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if looks_iso {
        return NaiveDate::parse_from_str(&lower, "%Y-%m-%d").map_err(|_| DateError::NoSuchDate(input.to_owned()));
    }
    Err(DateError::Unrecognised(input.to_owned()))
}

fn parse_weekday(input: &str) -> Option<Weekday> {
    const NAMES: [(&str, &str, Weekday); 7] = [
        ("monday", "mon", Weekday::Mon),
        ("tuesday", "tue", Weekday::Tue),
        ("wednesday", "wed", Weekday::Wed),
        ("thursday", "thu", Weekday::Thu),
        ("friday", "fri", Weekday::Fri),
        ("saturday", "sat", Weekday::Sat),
        ("sunday", "sun", Weekday::Sun),
    ];
    NAMES
        .iter()
        .find(|(long, short, _)| input == *long || input == *short)
        .map(|(_, _, day)| *day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // 2026-11-23 is a Monday.
    const TODAY: &str = "2026-11-23";

    #[test]
    fn every_documented_form_parses() {
        let today = date(TODAY);
        let check = |input: &str, expected: DueDate| assert_eq!(parse_due(input, today), Ok(expected), "{input}");
        check("2026-12-04", DueDate::On(date("2026-12-04")));
        check("today", DueDate::On(today));
        check("Tomorrow", DueDate::On(date("2026-11-24")));
        check("friday", DueDate::On(date("2026-11-27")));
        check("Fri", DueDate::On(date("2026-11-27")));
        check("monday", DueDate::On(date("2026-11-30")));
        check("sunday", DueDate::On(date("2026-11-29")));
        check("+3d", DueDate::On(date("2026-11-26")));
        check("+2w", DueDate::On(date("2026-12-07")));
        check("+0d", DueDate::On(today));
        check("T-14", DueDate::Relative(-14));
        check("t+7", DueDate::Relative(7));
    }

    #[test]
    fn bad_dates_say_what_is_accepted() {
        let today = date(TODAY);
        for input in [
            "",
            "soon",
            "2026-12-4",
            "12/04/2026",
            "+3",
            "+d",
            "+3m",
            "+-3d",
            "T14",
            "T-",
            "+99999d",
            "+é",
            "é",
            "+éd",
            "Té",
        ] {
            let err = parse_due(input, today).unwrap_err();
            assert!(
                matches!(err, DateError::Unrecognised(_) | DateError::TooFar(_)),
                "{input}: {err:?}"
            );
        }
        assert_eq!(
            parse_due("2026-02-30", today),
            Err(DateError::NoSuchDate("2026-02-30".into()))
        );
        assert_eq!(parse_due("+2000d", today), Err(DateError::TooFar("+2000d".into())));
        assert_eq!(parse_launch_date("T-3", today), Err(DateError::RelativeLaunchDate));
        assert_eq!(parse_launch_date("+1w", today), Ok(date("2026-11-30")));
    }
}
