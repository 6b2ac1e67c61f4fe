//! `/launch …` command text: any text gets a command or a usage error that says something.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use liftoff_core::FunctionCatalog;
use liftoff_core::grammar::command_text::{ParseContext, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let functions = FunctionCatalog::builtin();
    let ctx = ParseContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        functions: &functions,
    };
    if let Err(err) = parse(text, &ctx) {
        assert!(
            !err.message.trim().is_empty(),
            "a usage error without a message for {text:?}: {err:?}"
        );
    }
});
