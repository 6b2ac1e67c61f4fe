//! Dates as people type them in Slack: `2026-12-04`, `today`, `tomorrow`, `friday`,
//! `next friday`, `Dec 11` / `11 Dec` / `December 11th`, `next week`, `end of month`, `+3d`,
//! `+2w`, and for tasks `T-14` / `T+7` (days from launch day). A date without a year is the
//! next one on or after today (`Jan 15` typed in December is next January). Numeric forms
//! like `1/15` or `01/04` are refused: half the world reads them the other way round.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::launch::NewLaunchDate;
use super::task::DueDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "`{0}` is not a date: use YYYY-MM-DD, today, tomorrow, a weekday, next friday, Dec 11, next week, end of month, +3d, +2w or T-14"
    )]
    Unrecognised(String),
    #[error(
        "`{0}` can be read two ways (day/month or month/day): write the month as a word, e.g. 15 Jan, or YYYY-MM-DD"
    )]
    Ambiguous(String),
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

/// The days an offset after its sign means: `3d` is 3, `2w` is 14 (at most four digits);
/// anything else is refused, quoting `input`, the whole date as typed.
fn offset_days(offset: &str, input: &str) -> Result<u64, DateError> {
    let unrecognised = || DateError::Unrecognised(input.to_owned());
    let multiplier: u64 = match offset.chars().last() {
        Some('d') => 1,
        Some('w') => 7,
        _ => return Err(unrecognised()),
    };
    let digits = &offset[..offset.len() - 1];
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unrecognised());
    }
    let count: u64 = digits.parse().map_err(|_| unrecognised())?;
    Ok(count * multiplier)
}

/// Parses the new date of `/launch edit … date:`: `+1w`, `+3d`, `-2d`, `-1w` move the launch
/// from its current date (a PMM slipping a launch by a week means a week later than planned,
/// not a week from today); anything else is a date as [`parse_launch_date`] reads it.
pub fn parse_launch_move(input: &str, today: NaiveDate) -> Result<NewLaunchDate, DateError> {
    let trimmed = input.trim();
    let lower = trimmed.to_ascii_lowercase();
    let shift = match lower.as_bytes().first() {
        Some(b'+') => Some(1),
        Some(b'-') => Some(-1),
        _ => None,
    };
    let Some(sign) = shift else {
        return parse_launch_date(trimmed, today).map(NewLaunchDate::On);
    };
    let days = offset_days(&lower[1..], input)?;
    if days > MAX_DAYS_AHEAD {
        return Err(DateError::TooFar(input.to_owned()));
    }
    Ok(NewLaunchDate::Shift(sign * days as i64))
}

/// A date as people read it: `Fri 22 Jan`, the weekday first because that is how a week is
/// planned. The year is added (`Fri 22 Jan 2027`) only when the date lies outside the twelve
/// months from two months before `today` to ten months after, where day and month alone could
/// mean two different dates.
pub fn human(date: NaiveDate, today: NaiveDate) -> String {
    let mut out = String::with_capacity(16);
    push_human(&mut out, date, today);
    out
}

/// [`human`], written at the end of `out`: a launch's page has a date on each of its tasks'
/// lines, and a string of its own for each was an allocation (and a reallocation) more.
pub fn push_human(out: &mut String, date: NaiveDate, today: NaiveDate) {
    use std::fmt::Write as _;
    let from = today
        .checked_sub_months(chrono::Months::new(2))
        .unwrap_or(NaiveDate::MIN);
    let until = today
        .checked_add_months(chrono::Months::new(10))
        .unwrap_or(NaiveDate::MAX);
    // Written out rather than through `format("%a %-d %b")`, whose pattern chrono parses again
    // on every call.
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (weekday, day, month) = (date.weekday(), date.day(), MONTHS[date.month0() as usize]);
    // Writing into a String cannot fail.
    let _ = if (from..until).contains(&date) {
        write!(out, "{weekday} {day} {month}")
    } else {
        write!(out, "{weekday} {day} {month} {}", date.year())
    };
}

/// A date as the store keeps it, `2026-12-04`. The stored form is read by hand, since a
/// launch's page reads one or two on each of its tasks and chrono's parser (general: padding,
/// signs, any field order) was 2% of `/launch show`'s CPU; anything else (a year past 9999, a
/// sign) goes to chrono's, so the answer is chrono's for every text.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    if bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        // Four digits always fit an i32.
        return NaiveDate::from_ymd_opt(year as i32, month, day);
    }
    text.parse().ok()
}

/// `text` with every ISO date in it (`2026-12-04`, as history keeps them) shown as [`human`]
/// shows dates: `2026-12-04 (T-14)` reads `Fri 4 Dec (T-14)`.
pub fn humanize_iso_dates(text: &str, today: NaiveDate) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest.get(..10).filter(|head| {
            head.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
        });
        match candidate.and_then(parse_iso_date) {
            Some(date) => {
                push_human(&mut out, date, today);
                rest = &rest[10..];
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

/// How many of `words` (1 to 4) make up one date, read lexically: `next friday`, `Dec 11`,
/// `11th of December`, `end of the month` take more than one word; anything else takes one. For the
/// grammars, which meet dates inside longer text (`T5 due next friday: printer late`).
pub fn date_phrase_len(words: &[&str]) -> usize {
    let lower: Vec<String> = words
        .iter()
        .take(4)
        .map(|w| w.to_ascii_lowercase().trim_end_matches([':', ',', '.']).to_owned())
        .collect();
    let word = |i: usize| lower.get(i).map(String::as_str).unwrap_or_default();
    match word(0) {
        "next" | "this" if parse_weekday(word(1)).is_some() || word(1) == "week" => 2,
        "end" if word(1) == "of" && matches!(word(2), "month" | "week") => 3,
        "end" if word(1) == "of" && word(2) == "the" && matches!(word(3), "month" | "week") => 4,
        first if parse_day_of_month(first).is_some() && word(1) == "of" && parse_month(word(2)).is_some() => 3,
        first if parse_month(first).is_some() && parse_day_of_month(word(1)).is_some() => 2,
        first if parse_day_of_month(first).is_some() && parse_month(word(1)).is_some() => 2,
        _ => 1,
    }
}

fn parse_calendar_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let lower = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let lower = lower.trim_end_matches(['.', ',']).to_owned();
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
    let coming = |weekday: Weekday| {
        // The next such day strictly after today: "friday" said on a Friday means next week.
        let ahead = (7 + weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
        if ahead == 0 { 7 } else { ahead as u64 }
    };
    // Days from today to the Monday of next week.
    let to_next_monday = 7 - u64::from(today.weekday().num_days_from_monday());
    if let Some(weekday) = parse_weekday(lower.strip_prefix("this ").unwrap_or(&lower)) {
        return add_days(coming(weekday));
    }
    if let Some(weekday) = lower.strip_prefix("next ").and_then(parse_weekday) {
        // That day in next week (Monday to Sunday), as a PMM says "next Friday" on a Tuesday.
        return add_days(to_next_monday + u64::from(weekday.num_days_from_monday()));
    }
    match lower.as_str() {
        // A due date "next week" is by the end of next week's working days.
        "next week" => return add_days(to_next_monday + 4),
        "end of week" | "end of the week" | "eow" => {
            let friday = today.weekday().num_days_from_monday();
            return if friday <= 4 {
                add_days(u64::from(4 - friday))
            } else {
                add_days(coming(Weekday::Fri))
            };
        }
        "end of month" | "end of the month" | "eom" => {
            let first_of_next = today
                .with_day(1)
                .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
                .ok_or_else(|| DateError::TooFar(input.to_owned()))?;
            return first_of_next
                .pred_opt()
                .ok_or_else(|| DateError::TooFar(input.to_owned()));
        }
        _ => {}
    }
    if let Some((month, day)) = month_and_day(&lower) {
        // The next such day on or after today (a 29 February can be four years off).
        for year in today.year()..=today.year() + 4 {
            if let Some(date) = NaiveDate::from_ymd_opt(year, month, day)
                && date >= today
            {
                return Ok(date);
            }
        }
        return Err(DateError::NoSuchDate(input.to_owned()));
    }
    if lower.contains('/')
        && lower
            .split('/')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Ambiguous(input.to_owned()));
    }
    if let Some(rest) = lower.strip_prefix('+') {
        return add_days(offset_days(rest, input)?);
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

/// `dec 11`, `december 11th`, `11 dec`, `11th of december` → (month, day).
fn month_and_day(lower: &str) -> Option<(u32, u32)> {
    let words: Vec<&str> = lower.split(' ').filter(|w| *w != "of").collect();
    match words.as_slice() {
        [a, b] => match (
            parse_month(a),
            parse_day_of_month(b),
            parse_day_of_month(a),
            parse_month(b),
        ) {
            (Some(month), Some(day), _, _) | (_, _, Some(day), Some(month)) => Some((month, day)),
            _ => None,
        },
        _ => None,
    }
}

/// `jan`, `January`, `sept` → 1..=12.
fn parse_month(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.to_ascii_lowercase();
    let word = word.trim_end_matches(['.', ',']);
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|month| month.starts_with(word) || (word == "sept" && *month == "september"))
        .map(|index| index as u32 + 1)
}

/// `11`, `11th`, `1st`, `22nd`, `3rd` → the day of the month (1..=31).
fn parse_day_of_month(word: &str) -> Option<u32> {
    let word = word.to_ascii_lowercase();
    let word = word.trim_end_matches([',', '.']);
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|day| (1..=31).contains(day))
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

    /// `parse_iso_date` reads the stored form by hand (for speed); it must read every text as
    /// chrono does: every day of three decades, and texts near the stored form that are not.
    #[test]
    fn stored_dates_read_as_chrono_reads_them() {
        let mut day = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        while day.year() < 2031 {
            let stored = day.format("%Y-%m-%d").to_string();
            assert_eq!(parse_iso_date(&stored), Some(day), "{stored}");
            day = day.succ_opt().unwrap();
        }
        for text in [
            "2026-02-29",
            "2028-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-4-03",
            "2026-04-3 ",
            "20260403",
            "2026/04/03",
            "abcd-ef-gh",
            "+2026-04-03",
            "12026-04-03",
            "",
            "2026-04-0x",
            "٢٠٢٦-04-03",
        ] {
            assert_eq!(parse_iso_date(text), text.parse::<NaiveDate>().ok(), "{text:?}");
        }
    }

    /// `human` writes its dates out by hand (for speed); they must read exactly as chrono's
    /// `%a %-d %b` (and `%Y`) would, every day of several years, near and far from today.
    #[test]
    fn human_dates_read_as_chrono_formats_them() {
        let today = date("2026-12-01");
        let mut day = date("2024-01-01");
        while day < date("2029-01-01") {
            let near = today.checked_sub_months(chrono::Months::new(2)).unwrap() <= day
                && day < today.checked_add_months(chrono::Months::new(10)).unwrap();
            let expected = if near {
                day.format("%a %-d %b").to_string()
            } else {
                day.format("%a %-d %b %Y").to_string()
            };
            assert_eq!(human(day, today), expected, "{day}");
            day = day.succ_opt().unwrap();
        }
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
    fn dates_as_people_type_them() {
        // Monday 23 November 2026.
        let today = date(TODAY);
        let check = |input: &str, expected: &str| {
            assert_eq!(parse_due(input, today), Ok(DueDate::On(date(expected))), "{input}")
        };
        check("next friday", "2026-12-04");
        check("Next Monday", "2026-11-30");
        check("this friday", "2026-11-27");
        check("Dec 11", "2026-12-11");
        check("11 Dec", "2026-12-11");
        check("December 11th", "2026-12-11");
        check("11th of December", "2026-12-11");
        check("Jan 15", "2027-01-15");
        check("Nov 23", "2026-11-23");
        check("Nov 20", "2027-11-20");
        check("next week", "2026-12-04");
        check("end of month", "2026-11-30");
        check("end of the month", "2026-11-30");
        check("end of week", "2026-11-27");
        // From a December day, a January date is next year's.
        assert_eq!(
            parse_due("Jan 15", date("2026-12-01")),
            Ok(DueDate::On(date("2027-01-15")))
        );
        assert_eq!(
            parse_due("end of month", date("2026-12-31")),
            Ok(DueDate::On(date("2026-12-31")))
        );
        assert_eq!(parse_due("Feb 29", today), Ok(DueDate::On(date("2028-02-29"))));
        assert_eq!(parse_due("Feb 30", today), Err(DateError::NoSuchDate("Feb 30".into())));
    }

    #[test]
    fn numeric_dates_that_read_two_ways_are_refused_with_an_example() {
        let today = date(TODAY);
        for input in ["1/15", "01/04", "15/1", "12/04/2026"] {
            let err = parse_due(input, today).unwrap_err();
            assert_eq!(err, DateError::Ambiguous(input.to_owned()));
            assert!(err.to_string().contains("15 Jan"), "{err}");
        }
    }

    #[test]
    fn date_phrases_inside_longer_text_are_measured() {
        assert_eq!(date_phrase_len(&["next", "friday", "printer"]), 2);
        assert_eq!(date_phrase_len(&["Dec", "11:", "late"]), 2);
        assert_eq!(date_phrase_len(&["next", "friday:", "printer"]), 2);
        assert_eq!(date_phrase_len(&["Dec", "11", "late"]), 2);
        assert_eq!(date_phrase_len(&["11th", "December"]), 2);
        assert_eq!(date_phrase_len(&["end", "of", "month"]), 3);
        assert_eq!(date_phrase_len(&["end", "of", "the", "month:", "budget"]), 4);
        assert_eq!(date_phrase_len(&["11th", "of", "December", "please"]), 3);
        assert_eq!(date_phrase_len(&["end", "of", "the", "day"]), 1);
        assert_eq!(date_phrase_len(&["friday", "because"]), 1);
        assert_eq!(date_phrase_len(&["next", "steps"]), 1);
    }

    #[test]
    fn launch_moves_are_relative_to_the_launch_only_when_signed() {
        let today = date(TODAY);
        let check =
            |input: &str, expected: NewLaunchDate| assert_eq!(parse_launch_move(input, today), Ok(expected), "{input}");
        check("+1w", NewLaunchDate::Shift(7));
        check("+3d", NewLaunchDate::Shift(3));
        check("-2d", NewLaunchDate::Shift(-2));
        check("-1W", NewLaunchDate::Shift(-7));
        check("2026-12-17", NewLaunchDate::On(date("2026-12-17")));
        check("next friday", NewLaunchDate::On(date("2026-12-04")));
        for bad in ["+", "-", "-3", "+w", "-3m", "--3d", "+99999d"] {
            assert!(parse_launch_move(bad, today).is_err(), "{bad}");
        }
        assert_eq!(parse_launch_move("T-3", today), Err(DateError::RelativeLaunchDate));
    }

    #[test]
    fn dates_shown_to_people_carry_the_weekday_and_a_year_only_when_needed() {
        let today = date("2026-12-01");
        assert_eq!(human(date("2026-12-11"), today), "Fri 11 Dec");
        assert_eq!(human(date("2027-01-22"), today), "Fri 22 Jan");
        assert_eq!(human(date("2026-11-23"), today), "Mon 23 Nov");
        assert_eq!(human(date("2027-12-10"), today), "Fri 10 Dec 2027");
        assert_eq!(human(date("2026-01-15"), today), "Thu 15 Jan 2026");
        assert_eq!(
            humanize_iso_dates("2026-11-26 (T-14) → until 2026-12-04é", today),
            "Thu 26 Nov (T-14) → until Fri 4 Decé"
        );
        assert_eq!(humanize_iso_dates("2026-13-45 stays", today), "2026-13-45 stays");
    }

    #[test]
    fn bad_dates_say_what_is_accepted() {
        let today = date(TODAY);
        for input in [
            "",
            "soon",
            "2026-12-4",
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
