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
    /// `chat.postMessage` refuses a message whose blocks carry more than about 12,000
    /// characters of text in all, whatever the block count (`msg_blocks_too_long`; bolt-js
    /// issues #2509 and #2867 put the edge between 12,000 and 13,300).
    pub const SLACK_BLOCK_TEXT: usize = 12_000;
    /// What Liftoff allows itself: a margin below [`SLACK_BLOCK_TEXT`] for what Slack may
    /// count that we do not (mentions it expands, entities). Applied to messages, slash-command
    /// replies and App Home alike.
    pub const BLOCK_TEXT: usize = 10_000;
}

/// The characters of text a block carries, as Slack counts them for its message cap: every
/// `text` string in it (section text and fields, headers, context elements, button labels),
/// counted through serde without writing the JSON (see [`super::text_count`]).
pub fn text_chars(block: &SlackBlock) -> usize {
    super::text_count::text_chars_of(block)
}

/// Makes text safe to show in mrkdwn. Person mentions (`<@U…>`) and channel links (`<#C…>`)
/// stay, since Slack sends them that way and people mean them; everything else Slack would
/// treat as control is escaped, so text can never broadcast (`<!channel>`, `<!here>`) or
/// smuggle a link.
pub fn escape(text: &str) -> String {
    escape_except(text, is_mention_or_channel)
}

/// Escapes `&`, `<` and `>` as Slack does, except in `<…>` sequences whose inside `keep`
/// accepts, which are copied as they are.
pub fn escape_except(text: &str, keep: impl Fn(&str) -> bool) -> String {
    escape_replacing(text, |inner| keep(inner).then(|| format!("<{inner}>")))
}

/// The scanner behind the escaping functions: each `<…>` sequence is offered to `replace`
/// (without its brackets), which returns what to write instead, already safe, or `None` to
/// escape it like any other text. Everything else is escaped, so nothing written around a
/// replacement can join it into a new control sequence.
fn escape_replacing(text: &str, replace: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_replacing(&mut out, text, replace);
    out
}

/// [`escape_replacing`], written at the end of `out`.
fn push_escaped_replacing(out: &mut String, text: &str, replace: impl Fn(&str) -> Option<String>) {
    let mut rest = text;
    while let Some(start) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if tail.starts_with('<')
            && let Some(end) = tail.find('>')
            && let Some(replacement) = replace(&tail[1..end])
        {
            out.push_str(&replacement);
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
}

/// [`escape`] for text that is repeated to many people (task titles, launch and metric names,
/// blocked reasons in digests): a mention someone typed into it (`<@U123|ann>`, as Slack sends
/// it with `should_escape`) is shown as the name, `@ann`, without notifying anyone. Liftoff
/// mentions people itself where one is meant (an owner, a lead), and only there; otherwise one
/// title with a mention in it pings its person in every check-in, digest and escalation.
pub fn escape_quiet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_quiet(&mut out, text);
    out
}

/// [`escape_quiet`], written at the end of `out`: a launch's page writes each task's title into
/// its line this way, without a string of its own.
pub fn push_escaped_quiet(out: &mut String, text: &str) {
    push_escaped_replacing(out, text, |inner| {
        if !is_mention_or_channel(inner) {
            return None;
        }
        let (id, label) = inner.split_once('|').unwrap_or((inner, ""));
        Some(match id.strip_prefix('@') {
            Some(user) => format!("@{}", escape(if label.is_empty() { user } else { label })),
            None => format!("<{inner}>"),
        })
    })
}

/// `@U123`, `@U123|label`, `#C123`, `#C123|label` — and no `<` anywhere inside, so a label
/// cannot carry another control sequence (`<@U1|<!here>>`).
fn is_mention_or_channel(inner: &str) -> bool {
    if inner.contains('<') {
        return false;
    }
    let id = inner.split('|').next().unwrap_or_default();
    if let Some(user) = id.strip_prefix('@') {
        liftoff_core::SlackUserId::parse(user).is_ok()
    } else if let Some(channel) = id.strip_prefix('#') {
        liftoff_core::SlackChannelId::parse(channel).is_ok()
    } else {
        false
    }
}

/// Cuts `text` to at most `max` characters, marking the cut with an ellipsis.
pub use liftoff_core::text::{clip, clip_owned};

pub fn markdown(text: impl Into<String>) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text.into()))
}

pub fn plain(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    SlackBlockPlainTextOnly::from(clip(text, max))
}

pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(plain(text, limits::HEADER_TEXT)).into()
}

/// A section of `text` (mrkdwn), clipped to Slack's limit. Text written for it alone is best
/// given by value: it becomes the block's own, without a copy.
pub fn section(text: impl Into<String>) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(markdown(clip_owned(text.into(), limits::SECTION_TEXT)))
        .into()
}

/// A context block of `text` (mrkdwn), clipped like a [`section`].
pub fn context(text: impl Into<String>) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(
        clip_owned(text.into(), limits::SECTION_TEXT),
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
    let bytes: usize = lines.iter().map(|line| line.len() + 1).sum();
    let mut packer = SectionPacker::with_capacity(bytes);
    for line in lines {
        packer.push(line);
    }
    packer.finish()
}

/// [`packed_sections`] one line at a time, for lines written into a scratch string that is
/// reused for the next: a launch's page packs a line for each of its tasks, and a string of
/// its own for each was an allocation more per line.
#[derive(Debug, Default)]
pub struct SectionPacker {
    blocks: Vec<SlackBlock>,
    current: String,
    /// The characters in `current`, counted as lines are added: counting the section again
    /// for each line was most of the packing's time.
    current_chars: usize,
}

impl SectionPacker {
    /// A packer whose first section has room for `bytes` (at most a section's worth).
    pub fn with_capacity(bytes: usize) -> SectionPacker {
        SectionPacker {
            current: String::with_capacity(bytes.min(limits::SECTION_TEXT)),
            ..SectionPacker::default()
        }
    }

    /// Adds `line`, starting a new section if it does not fit in this one.
    pub fn push(&mut self, line: &str) {
        let clipped;
        let line = match line.len() <= limits::SECTION_TEXT {
            true => line,
            false => {
                clipped = clip(line, limits::SECTION_TEXT);
                clipped.as_str()
            }
        };
        let line_chars = line.chars().count();
        if !self.current.is_empty() && self.current_chars + 1 + line_chars > limits::SECTION_TEXT {
            let capacity = self.current.capacity();
            let full = std::mem::replace(&mut self.current, String::with_capacity(capacity));
            self.close(full);
            self.current_chars = 0;
        }
        if !self.current.is_empty() {
            self.current.push('\n');
            self.current_chars += 1;
        }
        self.current.push_str(line);
        self.current_chars += line_chars;
    }

    /// The sections, in order.
    pub fn finish(mut self) -> Vec<SlackBlock> {
        if !self.current.is_empty() {
            let last = std::mem::take(&mut self.current);
            self.close(last);
        }
        self.blocks
    }

    /// Makes `text` a section: within the limit by construction, so no clipping (and no copy).
    fn close(&mut self, text: String) {
        self.blocks
            .push(SlackSectionBlock::new().with_text(markdown(text)).into());
    }
}

/// Keeps a message within `max` blocks and [`limits::BLOCK_TEXT`] characters of text: if there
/// is more, the last block kept says how many were left out and where to see them. Content that
/// can be long is split across messages before it gets here; this is the last resort.
pub fn fit_blocks(blocks: Vec<SlackBlock>, max: usize, more_hint: &str) -> Vec<SlackBlock> {
    let chars: Vec<usize> = blocks.iter().map(text_chars).collect();
    if blocks.len() <= max && chars.iter().sum::<usize>() <= limits::BLOCK_TEXT {
        return blocks;
    }
    let notice = |left_out: usize| context(format!("…and {left_out} more not shown here. {more_hint}"));
    // Room for the notice itself, whose length depends only on a number's digits.
    let notice_chars = text_chars(&notice(blocks.len()));
    let mut kept = 0;
    let mut used = notice_chars;
    while kept < blocks.len() && kept < max - 1 && used + chars[kept] <= limits::BLOCK_TEXT {
        used += chars[kept];
        kept += 1;
    }
    let left_out = blocks.len() - kept;
    let mut blocks = blocks;
    blocks.truncate(kept);
    blocks.push(notice(left_out));
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
            text: clip_owned(text, limits::MESSAGE_TEXT),
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
    fn nothing_around_a_mention_can_make_a_new_control_sequence() {
        // Found by the `blocks` fuzz target: brackets around a mention, or a broadcast in a
        // mention's label, used to survive as live mentions and broadcasts.
        for text in [
            "<<@UGU>>",
            "<<@U12>3>",
            "<@U12|<@U34>>",
            "$<<@UB1|>1|> <",
            "x <@U12|<!channel>> y",
            "<#C12|<!here>>",
        ] {
            let quiet = escape_quiet(text);
            assert!(!quiet.contains("<@") && !quiet.contains("<!"), "{text} -> {quiet}");
            assert!(!escape(text).contains("<!"), "{text} -> {}", escape(text));
        }
        assert_eq!(escape_quiet("<<@UGU>>"), "&lt;@UGU&gt;");
        assert_eq!(escape("<@U12|<!here>"), "&lt;@U12|&lt;!here&gt;");
    }

    #[test]
    fn repeated_text_names_people_without_pinging_them() {
        assert_eq!(
            escape_quiet("Prep deck with <@U0ANN|ann> & <@U0BOB>"),
            "Prep deck with @ann &amp; @U0BOB"
        );
        assert_eq!(
            escape_quiet("in <#C0MKTG|mktg> <!here>"),
            "in <#C0MKTG|mktg> &lt;!here&gt;"
        );
        assert_eq!(escape_quiet("<@nope> a<@"), "&lt;@nope&gt; a&lt;@");
        assert!(!escape_quiet("ping <@U0ANN|ann|x>").contains("<@"));
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
    fn text_is_counted_wherever_slack_counts_it() {
        assert_eq!(text_chars(&section("héllo")), 5);
        assert_eq!(text_chars(&header("Digest")), 6);
        assert_eq!(text_chars(&context("a b")), 3);
        let buttons: SlackBlock = SlackActionsBlock::new(vec![button("Done", "done", "1").into()]).into();
        assert_eq!(text_chars(&buttons), 4);
    }

    #[test]
    fn text_is_counted_as_in_the_blocks_json_whatever_the_block() {
        let confirm = SlackBlockConfirmItem::new(
            plain("Close it?", 100),
            SlackBlockText::Plain("Owners \"hear\" of it \\ 🚀".into()),
            plain("Yes", 30),
            plain("No", 30),
        );
        let blocks: Vec<SlackBlock> = vec![
            section("tabs\tand\nnewlines, <@U0ANN> & “quotes” \"here\" 🚀"),
            SlackSectionBlock::new()
                .with_text(markdown("with fields"))
                .with_fields(vec![markdown("*Tier* 1"), SlackBlockText::Plain("plain ✓".into())])
                .with_accessory(button("Open", "open", "1").with_confirm(confirm.clone()).into())
                .into(),
            header("Sales check-in — Mon 23 Nov"),
            context("a b"),
            SlackActionsBlock::new(vec![
                button("Done", "done", "1")
                    .with_style(SlackBlockButtonStyle::Primary)
                    .into(),
                button("Blocked", "blocked", "1").with_confirm(confirm).into(),
            ])
            .into(),
        ];
        for block in &blocks {
            let counted = crate::slack::text_count::tests::counted_over_json(block);
            assert!(counted > 0);
            assert_eq!(text_chars(block), counted, "{}", serde_json::to_string(block).unwrap());
        }
        assert_eq!(text_chars(&divider()), 0);
    }

    #[test]
    fn too_much_text_is_summarised_within_the_cap() {
        // 20 sections of 1,000 characters: within 50 blocks, over Slack's 12,000-character cap.
        let blocks: Vec<SlackBlock> = (0..20).map(|_| section("x".repeat(1000))).collect();
        let fitted = fit_blocks(blocks, 50, "See /launch show.");
        let total: usize = fitted.iter().map(text_chars).sum();
        assert!(total <= limits::BLOCK_TEXT, "{total}");
        assert_eq!(fitted.len(), 10, "nine sections and the notice");
        let last = serde_json::to_value(fitted.last().unwrap()).unwrap();
        assert_eq!(
            last["elements"][0]["text"],
            "…and 11 more not shown here. See /launch show."
        );
    }

    #[test]
    fn too_many_blocks_are_summarised_not_dropped_silently() {
        let blocks: Vec<SlackBlock> = (0..60).map(|i| section(format!("b{i}"))).collect();
        let fitted = fit_blocks(blocks, 50, "See /launch show.");
        assert_eq!(fitted.len(), 50);
        let last = serde_json::to_value(fitted.last().unwrap()).unwrap();
        assert_eq!(
            last["elements"][0]["text"],
            "…and 11 more not shown here. See /launch show."
        );
    }
}
