//! Property tests: whatever people type or Slack sends, the parsers answer with a result or a
//! clear error, and never panic. (Long fuzzing runs are the fuzz targets' job; these keep the
//! property in every `cargo test`.)

use proptest::prelude::*;

use crate::domain::FunctionCatalog;
use crate::slack::command_text::{ParseContext, parse};
use crate::slack::payloads::{EventEnvelope, Interaction};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_text_never_panics(text in slackish()) {
        let functions = FunctionCatalog::builtin();
        let ctx = ParseContext { today: "2026-11-23".parse().unwrap(), functions: &functions };
        let _ = parse(&text, &ctx);
    }

    #[test]
    fn arbitrary_command_text_never_panics(text in "\\PC{0,200}") {
        let functions = FunctionCatalog::builtin();
        let ctx = ParseContext { today: "2026-11-23".parse().unwrap(), functions: &functions };
        let _ = parse(&text, &ctx);
    }

    #[test]
    fn thread_replies_never_panic(text in prop_oneof![slackish(), "\\PC{0,200}"]) {
        let _ = crate::slack::thread_reply::parse(&text, "2026-11-23".parse().unwrap());
    }

    #[test]
    fn dates_never_panic(text in prop_oneof!["\\PC{0,20}", "[+Tt-][0-9dw+-]{0,8}", "[0-9-]{8,12}"]) {
        let today = "2026-11-23".parse().unwrap();
        let _ = crate::domain::dates::parse_due(&text, today);
        let _ = crate::domain::dates::parse_launch_date(&text, today);
    }

    #[test]
    fn payloads_never_panic(text in "\\PC{0,300}") {
        let _ = serde_json::from_str::<Interaction>(&text);
        let _ = serde_json::from_str::<EventEnvelope>(&text);
    }
}
