//! Property tests: whatever people type or Slack sends, the parsers answer with a result or a
//! clear error, and never panic. `cargo test` runs 2,000 cases of each; `scripts/fuzz.sh` runs
//! them for a million or more (`LIFTOFF_FUZZ_CASES`), as BENCHMARKS.md records.

use proptest::prelude::*;

use crate::slack::payloads::{EventEnvelope, Interaction};
use liftoff_core::FunctionCatalog;
use liftoff_core::grammar::command_text::{ParseContext, parse};

/// Text biased towards the grammar's own tokens, so the interesting paths are reached.
fn slackish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("new".to_owned()),
        Just("task".to_owned()),
        Just("block".to_owned()),
        Just("edit".to_owned()),
        Just("T12".to_owned()),
        Just("tier:".to_owned()),
        Just("date:".to_owned()),
        Just("due:T-".to_owned()),
        Just("lead:<@U1|a b>".to_owned()),
        Just("<#C1|x>".to_owned()),
        Just("\"".to_owned()),
        Just("“".to_owned()),
        Just(":warning:".to_owned()),
        Just("✅".to_owned()),
        Just("+".to_owned()),
        "[a-zA-Z0-9]{0,8}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(token, 0..12).prop_map(|tokens| tokens.join(" "))
}

/// Cases per property: 2,000 in `cargo test`, more when `LIFTOFF_FUZZ_CASES` asks.
fn cases() -> u32 {
    std::env::var("LIFTOFF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// Slack-shaped JSON with arbitrary leaves, so payload parsing is exercised past the first
/// brace: known types and fields, wrong value types, missing and extra keys.
fn slack_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("block_actions")),
        Just(serde_json::Value::from("view_submission")),
        Just(serde_json::Value::from("event_callback")),
        Just(serde_json::Value::from("T0LIFTOFF")),
    ];
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        let keys = prop_oneof![
            Just("type".to_owned()),
            Just("team".to_owned()),
            Just("user".to_owned()),
            Just("id".to_owned()),
            Just("actions".to_owned()),
            Just("value".to_owned()),
            Just("view".to_owned()),
            Just("state".to_owned()),
            Just("event".to_owned()),
            Just("container".to_owned()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    value.prop_map(|v| v.to_string())
}

fn check_command(text: &str) -> Result<(), TestCaseError> {
    let functions = FunctionCatalog::builtin();
    let ctx = ParseContext {
        today: "2026-11-23".parse().unwrap(),
        functions: &functions,
    };
    if let Err(err) = parse(text, &ctx) {
        prop_assert!(
            !err.message.trim().is_empty(),
            "an error without a message for {text:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn command_text_never_panics(text in slackish()) {
        check_command(&text)?;
    }

    #[test]
    fn arbitrary_command_text_never_panics(text in "\\PC{0,200}") {
        check_command(&text)?;
    }

    #[test]
    fn thread_replies_never_panic(text in prop_oneof![slackish(), "\\PC{0,200}"]) {
        let _ = liftoff_core::grammar::thread_reply::parse(&text, "2026-11-23".parse().unwrap());
    }

    #[test]
    fn dates_never_panic(text in prop_oneof!["\\PC{0,20}", "[+Tt-][0-9dw+-]{0,8}", "[0-9-]{8,12}"]) {
        let today = "2026-11-23".parse().unwrap();
        if let Err(err) = liftoff_core::dates::parse_due(&text, today) {
            prop_assert!(!err.to_string().trim().is_empty());
        }
        let _ = liftoff_core::dates::parse_launch_date(&text, today);
        if let Ok(moved) = liftoff_core::dates::parse_launch_move(&text, today) {
            let _ = moved.resolve(today);
        }
        let _ = liftoff_core::dates::humanize_iso_dates(&text, today);
    }

    #[test]
    fn payloads_never_panic(text in prop_oneof!["\\PC{0,300}", slack_json()]) {
        let _ = serde_json::from_str::<Interaction>(&text);
        let _ = serde_json::from_str::<EventEnvelope>(&text);
    }
}
