//! Small helpers over slack-morphism's Block Kit types, and the limits Slack enforces. Every
//! message and view Liftoff builds goes through [`fit_message`] so that it never breaks a
//! limit: long content is packed, and what still does not fit is summarised, never dropped
//! silently.

use slack_morphism::prelude::*;

/// Slack's Block Kit limits (docs.slack.dev "Block Kit"; see shared SLACK-NOTES).
pub mod limits {
    pub const MESSAGE_BLOCKS: usize = 50;
    pub const VIEW_BLOCKS: usize = 100;
    pub const SECTION_TEXT: usize = 3000;
    pub const HEADER_TEXT: usize = 150;
    pub const BUTTON_TEXT: usize = 75;
    pub const MODAL_TITLE: usize = 24;
    /// `text` is the notification and screen-reader fallback; Slack truncates past 40,000.
    pub const MESSAGE_TEXT: usize = 4000;
}

/// Makes text safe to show in mrkdwn. Person mentions (`<@U…>`) and channel links (`<#C…>`)
/// stay, since Slack sends them that way and people mean them; everything else Slack would
/// treat as control is escaped, so text can never broadcast (`<!channel>`, `<!here>`) or
/// smuggle a link.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if tail.starts_with('<')
            && let Some(end) = tail.find('>')
            && is_mention_or_channel(&tail[1..end])
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

/// `@U123`, `@U123|label`, `#C123`, `#C123|label`.
fn is_mention_or_channel(inner: &str) -> bool {
    let id = inner.split('|').next().unwrap_or_default();
    if let Some(user) = id.strip_prefix('@') {
        crate::domain::SlackUserId::parse(user).is_ok()
    } else if let Some(channel) = id.strip_prefix('#') {
        crate::domain::SlackChannelId::parse(channel).is_ok()
    } else {
        false
    }
}

/// Cuts `text` to at most `max` characters, marking the cut with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}

pub fn markdown(text: impl Into<String>) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text.into()))
}

pub fn plain(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    SlackBlockPlainTextOnly::from(clip(text, max))
}

pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(plain(text, limits::HEADER_TEXT)).into()
}

pub fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(markdown(clip(text, limits::SECTION_TEXT)))
        .into()
}

pub fn context(text: &str) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(
        clip(text, limits::SECTION_TEXT),
    ))])
    .into()
}

pub fn divider() -> SlackBlock {
    SlackDividerBlock::new().into()
}

pub fn button(text: &str, action_id: &str, value: &str) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(plain(text, limits::BUTTON_TEXT))
        .with_action_id(action_id.into())
        .with_value(value.to_owned())
}

/// Packs lines into as few sections as the 3,000-character limit allows. A single line longer
/// than the limit is clipped (lines are built from bounded fields, so this is a last resort).
pub fn packed_sections(lines: &[String]) -> Vec<SlackBlock> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = clip(line, limits::SECTION_TEXT);
        if !current.is_empty() && current.chars().count() + 1 + line.chars().count() > limits::SECTION_TEXT {
            blocks.push(section(&current));
            current.clear();
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        blocks.push(section(&current));
    }
    blocks
}

/// Keeps a message within `max` blocks: if there are more, the last one kept says how many
/// were left out and where to see them.
pub fn fit_blocks(mut blocks: Vec<SlackBlock>, max: usize, more_hint: &str) -> Vec<SlackBlock> {
    if blocks.len() <= max {
        return blocks;
    }
    let left_out = blocks.len() - (max - 1);
    blocks.truncate(max - 1);
    blocks.push(context(&format!("…and {left_out} more not shown here. {more_hint}")));
    blocks
}

/// A rendered message: Block Kit plus the plain fallback text.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub blocks: Vec<SlackBlock>,
}

impl Rendered {
    /// Applies the message limits to blocks and fallback text alike.
    pub fn fit(text: String, blocks: Vec<SlackBlock>, more_hint: &str) -> Rendered {
        Rendered {
            text: clip(&text, limits::MESSAGE_TEXT),
            blocks: fit_blocks(blocks, limits::MESSAGE_BLOCKS, more_hint),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_defuses_mentions_and_links() {
        assert_eq!(escape("<!channel> & <!here>"), "&lt;!channel&gt; &amp; &lt;!here&gt;");
        assert_eq!(escape("ask <@U0ANN|ann> in <#C0MKTG>"), "ask <@U0ANN|ann> in <#C0MKTG>");
        assert_eq!(
            escape("<http://evil|click> a>b <@nope>"),
            "&lt;http://evil|click&gt; a&gt;b &lt;@nope&gt;"
        );
        assert_eq!(escape("é<ü>"), "é&lt;ü&gt;");
    }

    #[test]
    fn packing_respects_the_section_limit() {
        let lines: Vec<String> = (0..200).map(|i| format!("line {i} {}", "x".repeat(80))).collect();
        let blocks = packed_sections(&lines);
        assert!(blocks.len() > 1);
        for block in &blocks {
            let json = serde_json::to_value(block).unwrap();
            assert!(json["text"]["text"].as_str().unwrap().chars().count() <= limits::SECTION_TEXT);
        }
        let all: String = blocks
            .iter()
            .map(|b| {
                serde_json::to_value(b).unwrap()["text"]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(all.lines().count(), 200, "nothing lost");
    }

    #[test]
    fn too_many_blocks_are_summarised_not_dropped_silently() {
        let blocks: Vec<SlackBlock> = (0..60).map(|i| section(&format!("b{i}"))).collect();
        let fitted = fit_blocks(blocks, 50, "See /launch show.");
        assert_eq!(fitted.len(), 50);
        let last = serde_json::to_value(fitted.last().unwrap()).unwrap();
        assert_eq!(
            last["elements"][0]["text"],
            "…and 11 more not shown here. See /launch show."
        );
    }
}
