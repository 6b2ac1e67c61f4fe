//! Check-in thread replies: one outcome per non-blank line, and every refusal says why.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use liftoff_core::grammar::thread_reply::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let lines = parse(text, today);
    let non_blank = text.lines().filter(|line| !line.trim().is_empty()).count();
    assert_eq!(lines.len(), non_blank, "one outcome per non-blank line of {text:?}");
    for line in &lines {
        if let Err(why) = line {
            assert!(!why.trim().is_empty(), "an unexplained refusal in {text:?}");
        }
    }
});
