//! Escaping for mrkdwn: no text can broadcast (`<!here>`, `<!channel>`, `<!subteam^…>`), and
//! quiet escaping never leaves a mention that would notify someone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::slack::blocks::{escape, escape_quiet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let escaped = escape(text);
    assert!(!escaped.contains("<!"), "escape({text:?}) = {escaped:?} can broadcast");
    if !text.contains(['&', '<', '>']) {
        assert_eq!(escaped, text, "text without & < > is left as it is");
    }
    let quiet = escape_quiet(text);
    assert!(
        !quiet.contains("<!"),
        "escape_quiet({text:?}) = {quiet:?} can broadcast"
    );
    assert!(
        !quiet.contains("<@"),
        "escape_quiet({text:?}) = {quiet:?} still mentions"
    );
});
