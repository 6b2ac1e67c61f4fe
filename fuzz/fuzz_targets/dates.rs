//! Dates as people type them: no panic, errors that say something, and a launch date is
//! exactly a due date that is not relative to launch day.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use liftoff_core::DueDate;
use liftoff_core::dates::{DateError, parse_due, parse_launch_date};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // An ordinary day, and a leap day at a month's and a quarter's end.
    for today in [
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
    ] {
        let due = parse_due(text, today);
        let launch = parse_launch_date(text, today);
        match (&due, &launch) {
            (Ok(DueDate::On(day)), Ok(launch_day)) => assert_eq!(day, launch_day, "{text:?}"),
            (Ok(DueDate::Relative(_)), Err(DateError::RelativeLaunchDate)) => {}
            (Err(due_err), Err(launch_err)) => {
                assert_eq!(due_err, launch_err, "{text:?}");
                assert!(!due_err.to_string().trim().is_empty(), "{text:?}");
            }
            _ => panic!("parse_due {due:?} and parse_launch_date {launch:?} disagree on {text:?}"),
        }
    }
});
