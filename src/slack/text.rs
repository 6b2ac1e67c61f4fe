//! Text as Slack sends it, made plain once, at the edge.
//!
//! Slack escapes `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` in everything people type that
//! reaches an app: slash-command `text`, message events, thread replies (docs.slack.dev,
//! "Formatting text for app surfaces" → "Escaping text"). Only its own control sequences keep
//! their angle brackets: mentions `<@U…>`, channels `<#C…|name>`, groups `<!subteam^S…>`,
//! broadcasts `<!here>`, and links `<https://…|label>`. Modal inputs (`view.state.values`)
//! arrive unescaped.
//!
//! Liftoff undoes the escaping exactly once, here, for every text field that comes from a
//! person, so `R&amp;D` is stored as `R&D` whichever way it was typed; and escapes exactly once
//! on the way out ([`super::blocks::escape`]).

/// Decodes Slack's three entities in one pass, left to right, so `&amp;lt;` (a person who typed
/// `&lt;`) becomes `&lt;` and not `<`. Anything else, mentions included, is left as it is.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (decoded, len) = if tail.starts_with("&amp;") {
            ('&', 5)
        } else if tail.starts_with("&lt;") {
            ('<', 4)
        } else if tail.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(decoded);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// The text after a leading mention of the bot (`<@UBOT> T12 done`, `<@UBOT|liftoff>: T12 done`),
/// as people write when they address the bot in a thread; other text is returned unchanged.
pub fn without_leading_mention<'t>(text: &'t str, bot_user_id: &str) -> &'t str {
    let trimmed = text.trim_start();
    let Some(inner) = trimmed.strip_prefix("<@") else {
        return text;
    };
    let Some(end) = inner.find('>') else {
        return text;
    };
    let id = inner[..end].split('|').next().unwrap_or_default();
    if id != bot_user_id {
        return text;
    }
    inner[end + 1..].trim_start_matches([':', ',', ' ']).trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_slacks_three_entities_once() {
        // Slack's own example: "&lt;" for "<" etc.; mentions keep their brackets.
        assert_eq!(unescape("R&amp;D &lt;beta&gt; portal"), "R&D <beta> portal");
        assert_eq!(unescape("target:&lt;50"), "target:<50");
        assert_eq!(unescape("&gt; T12 done"), "> T12 done");
        assert_eq!(
            unescape("lead:<@U0LEAD|maria> <#C1|mktg>"),
            "lead:<@U0LEAD|maria> <#C1|mktg>"
        );
        // A person who typed the entity itself: Slack sent `&amp;lt;`, we keep `&lt;`.
        assert_eq!(unescape("&amp;lt;"), "&lt;");
        // Stray ampersands and unknown entities stay as they are.
        assert_eq!(unescape("Q&A & more &nbsp; &"), "Q&A & more &nbsp; &");
        assert_eq!(unescape("é&amp;ü"), "é&ü");
    }

    #[test]
    fn escape_then_unescape_is_the_identity_for_plain_text() {
        for text in ["R&D <beta>", "a > b & c < d", "&amp; literally", "ünïcødé <>&"] {
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            assert_eq!(unescape(&escaped), text);
        }
    }

    #[test]
    fn strips_only_the_bots_own_leading_mention() {
        assert_eq!(without_leading_mention("<@U0BOT> T12 done", "U0BOT"), "T12 done");
        assert_eq!(
            without_leading_mention("<@U0BOT|liftoff>: T12 done", "U0BOT"),
            "T12 done"
        );
        assert_eq!(without_leading_mention("  <@U0BOT>, T12 done", "U0BOT"), "T12 done");
        assert_eq!(
            without_leading_mention("<@U0ANN> T12 done", "U0BOT"),
            "<@U0ANN> T12 done"
        );
        assert_eq!(
            without_leading_mention("T12 done <@U0BOT>", "U0BOT"),
            "T12 done <@U0BOT>"
        );
        assert_eq!(without_leading_mention("<@U0BOT", "U0BOT"), "<@U0BOT");
    }
}
