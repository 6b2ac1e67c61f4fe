//! What Slack sends when a person types: text escaped as Slack escapes it, the slash-command
//! form and the thread-reply event, in their recorded shapes.

use serde_json::{Value, json};

use crate::{BOT_USER_ID, TEAM_ID};

/// What Slack makes of text a person types before an app sees it: `&`, `<` and `>` become
/// `&amp;`, `&lt;` and `&gt;`, except in Slack's own control sequences, which the client has
/// already turned into `<@U…>`, `<#C…|name>`, `<!here>`, `<!subteam^S…>` and
/// `<https://…|label>` (docs.slack.dev, "Formatting text for app surfaces" → "Escaping text";
/// slash-command `text` and message events alike). Tests write what people type, with
/// mentions in Slack's form, and this turns it into what Slack sends.
pub fn escape_typed(typed: &str) -> String {
    let mut out = String::with_capacity(typed.len());
    let mut rest = typed;
    while let Some(start) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if tail.starts_with('<')
            && let Some(end) = tail.find('>')
            && is_control_sequence(&tail[1..end])
        {
            out.push_str(&tail[..=end]);
            rest = &tail[end + 1..];
            continue;
        }
        out.push_str(match tail.as_bytes()[0] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// `@U…`, `#C…`, `!here`, `!subteam^…`, `https://…`, `mailto:…`: what Slack keeps in brackets.
fn is_control_sequence(inner: &str) -> bool {
    if inner.contains('<') {
        return false;
    }
    let id_like = |s: &str, first: &[char]| {
        s.starts_with(first) && s.len() > 1 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let head = inner.split('|').next().unwrap_or_default();
    if let Some(user) = head.strip_prefix('@') {
        id_like(user, &['U', 'W', 'B'])
    } else if let Some(channel) = head.strip_prefix('#') {
        id_like(channel, &['C', 'G', 'D'])
    } else if let Some(special) = head.strip_prefix('!') {
        !special.is_empty() && !special.contains(char::is_whitespace)
    } else {
        head.starts_with("http://") || head.starts_with("https://") || head.starts_with("mailto:")
    }
}

/// The form body Slack posts to the slash-command URL when `user` types `/launch <text>` in
/// `channel` of this workspace (sign it before sending). One builder for the tests, the demo
/// and the load generator. The fields and their order are those of Slack's documented example
/// (docs.slack.dev "Implementing slash commands", the signing example in SLACK-NOTES); `text`
/// is escaped as Slack escapes it ([`escape_typed`]).
pub fn slash_command_form(user: &str, channel: &str, text: &str, response_url: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "legacy-verification-token"),
        ("team_id", TEAM_ID),
        ("team_domain", "liftoff-emulator"),
        ("channel_id", channel),
        ("channel_name", "launches"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", "/launch"),
        ("text", &escape_typed(text)),
        ("api_app_id", "A0LIFTOFF"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
    ])
    .expect("string pairs always form-encode")
}

/// The Events API body Slack posts when `user` types `text` as a reply in the thread of
/// `thread_ts` in `channel`: the recorded shape of a thread reply (bolt-python's scenario test
/// `test_events_assistant.py`, kept in tests/fixtures/slack/message_thread_reply.json), with the
/// text escaped as Slack escapes it ([`escape_typed`]). For the tests and the demo.
pub fn thread_reply_event(event_id: &str, user: &str, channel: &str, thread_ts: &str, ts: &str, text: &str) -> Value {
    let event_time = ts
        .split('.')
        .next()
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .unwrap_or_default();
    json!({
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0LIFTOFF",
        "event": {
            "user": user, "type": "message", "ts": ts, "text": escape_typed(text),
            "team": TEAM_ID, "user_team": TEAM_ID, "source_team": TEAM_ID, "user_profile": {},
            "thread_ts": thread_ts, "channel": channel, "event_ts": ts, "channel_type": "channel"
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{
            "enterprise_id": null, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
            "is_bot": true, "is_enterprise_install": false
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("1-message-{TEAM_ID}-{channel}")
    })
}

#[cfg(test)]
mod tests {
    use super::escape_typed;

    #[test]
    fn text_is_escaped_but_slacks_control_sequences_are_kept() {
        assert_eq!(escape_typed("R&D <beta> launch"), "R&amp;D &lt;beta&gt; launch");
        assert_eq!(
            escape_typed("ping <@U123|ana> in <#C42|launches> <!here>"),
            "ping <@U123|ana> in <#C42|launches> <!here>"
        );
        assert_eq!(
            escape_typed("see <https://x.io|docs> & <not a link>"),
            "see <https://x.io|docs> &amp; &lt;not a link&gt;"
        );
    }
}
