//! Slack's entity escaping undone once: `unescape` inverts Slack's escaping exactly and never
//! lengthens text; stripping a leading bot mention only ever removes a prefix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::slack::text::{unescape, without_leading_mention};

const BOT: &str = "U0BOT";

/// What Slack does to the text a person types (`&`, `<`, `>` only).
fn escape_like_slack(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    let plain = unescape(text);
    assert!(plain.len() <= text.len(), "unescape lengthened {text:?} to {plain:?}");
    assert_eq!(unescape(&escape_like_slack(text)), text, "escape/unescape round trip");

    let rest = without_leading_mention(text, BOT);
    assert!(text.ends_with(rest), "{rest:?} is not a suffix of {text:?}");

    let addressed = format!("<@{BOT}> {text}");
    assert_eq!(
        without_leading_mention(&addressed, BOT),
        text.trim_start_matches([':', ',', ' ']).trim_start(),
        "a leading mention of the bot is removed with its separator"
    );
});
