//! Laying long content out over messages within Slack's caps (50 blocks, and a margin under
//! the ~12,000 characters of block text `chat.postMessage` accepts): split between units,
//! never truncated silently, and rendered lazily so a huge round never sits in memory at once.

use slack_morphism::prelude::SlackBlock;

use crate::slack::blocks::{Rendered, limits, text_chars};
use liftoff_core::Task;

/// Blocks kept free in each message for its heading.
pub(super) const HEADING_BLOCKS: usize = 2;

/// Characters of text kept free in each message for its heading (a header and a context line).
pub(super) const HEADING_CHARS: usize = 600;

/// What a unit of content costs a message: blocks, and characters of text (an upper bound, so
/// that a message laid out by it is within Slack's caps once rendered).
#[derive(Debug, Clone, Copy)]
pub(super) struct Cost {
    pub blocks: usize,
    pub chars: usize,
}

/// Splits units (groups of blocks that belong together, with their fallback lines) into
/// messages within the block and text limits. Every message gets `heading(part, parts)` first.
/// A unit too big for one message on its own is cut between its blocks.
pub(super) fn split(
    units: Vec<(Vec<SlackBlock>, Vec<String>)>,
    heading: impl Fn(usize, usize) -> (Vec<SlackBlock>, String),
) -> Vec<Rendered> {
    let budget_chars = limits::BLOCK_TEXT - HEADING_CHARS;
    let budget_blocks = limits::MESSAGE_BLOCKS - HEADING_BLOCKS;
    let mut pieces = Vec::with_capacity(units.len());
    for (blocks, lines) in units {
        let chars: Vec<usize> = blocks.iter().map(text_chars).collect();
        if blocks.len() <= budget_blocks && chars.iter().sum::<usize>() <= budget_chars {
            pieces.push((blocks, lines));
            continue;
        }
        // The fallback text goes with the first piece; it is a notification, clipped anyway.
        let mut lines = Some(lines);
        let mut piece = Vec::new();
        let mut used = 0;
        for (block, size) in blocks.into_iter().zip(chars) {
            if !piece.is_empty() && (used + size > budget_chars || piece.len() == budget_blocks) {
                pieces.push((std::mem::take(&mut piece), lines.take().unwrap_or_default()));
                used = 0;
            }
            used += size;
            piece.push(block);
        }
        pieces.push((piece, lines.take().unwrap_or_default()));
    }
    split_lazily(
        pieces,
        |(blocks, _)| Cost {
            blocks: blocks.len(),
            chars: blocks.iter().map(text_chars).sum(),
        },
        |(blocks, lines)| (blocks, lines, None::<()>),
        heading,
    )
    .map(|(rendered, _)| rendered)
    .collect()
}

/// [`split`] for units not yet rendered: lays them out from `cost_of` (what a unit renders to,
/// at most) and renders each message only when it is asked for. A check-in round of 100k tasks
/// so never holds more than one message's Block Kit in memory.
///
/// `render` also names what a unit covers (a check-in row: its task), if anything; each message
/// comes with what its units cover, in order.
pub(super) fn split_lazily<U, K>(
    units: Vec<U>,
    cost_of: impl Fn(&U) -> Cost,
    mut render: impl FnMut(U) -> (Vec<SlackBlock>, Vec<String>, Option<K>),
    heading: impl Fn(usize, usize) -> (Vec<SlackBlock>, String),
) -> impl Iterator<Item = (Rendered, Vec<K>)> {
    lay_out(units, cost_of).map(move |part| render_part(part, &mut render, &heading, ""))
}

/// The units of one message laid out by [`lay_out`], not rendered yet: which message of how
/// many it is, and what it holds.
#[derive(Debug)]
pub(super) struct PartLayout<U> {
    /// 1-based.
    pub part: usize,
    pub parts: usize,
    pub units: Vec<U>,
}

/// Groups units into messages within the block and text limits, from `cost_of` alone: a unit
/// starts a new message when it would overflow a non-empty one. Nothing is rendered, so the
/// messages can then be rendered in any order, or at once on several threads.
pub(super) fn lay_out<U>(units: Vec<U>, cost_of: impl Fn(&U) -> Cost) -> impl Iterator<Item = PartLayout<U>> {
    let budget = Cost {
        blocks: limits::MESSAGE_BLOCKS - HEADING_BLOCKS,
        chars: limits::BLOCK_TEXT - HEADING_CHARS,
    };
    let mut per_part = vec![0_usize];
    let mut used = Cost { blocks: 0, chars: 0 };
    for unit in &units {
        let cost = cost_of(unit);
        if used.blocks > 0 && (used.blocks + cost.blocks > budget.blocks || used.chars + cost.chars > budget.chars) {
            per_part.push(0);
            used = Cost { blocks: 0, chars: 0 };
        }
        *per_part.last_mut().expect("one part at least") += 1;
        used.blocks += cost.blocks;
        used.chars += cost.chars;
    }
    let parts = per_part.len();
    let mut units = units.into_iter();
    per_part.into_iter().enumerate().map(move |(index, taken)| PartLayout {
        part: index + 1,
        parts,
        units: units.by_ref().take(taken).collect(),
    })
}

/// One laid-out message rendered: `heading(part, parts)` and then each unit's blocks and lines.
/// Should the units render past Slack's limits after all (a message drawn again from content
/// that grew since it was laid out), the last give way to a note ending in `more_hint`.
pub(super) fn render_part<U, K>(
    layout: PartLayout<U>,
    mut render: impl FnMut(U) -> (Vec<SlackBlock>, Vec<String>, Option<K>),
    heading: impl Fn(usize, usize) -> (Vec<SlackBlock>, String),
    more_hint: &str,
) -> (Rendered, Vec<K>) {
    let (mut all, mut text) = heading(layout.part, layout.parts);
    let mut covered = Vec::new();
    for unit in layout.units {
        let (blocks, lines, covers) = render(unit);
        covered.extend(covers);
        all.extend(blocks);
        for line in lines {
            text.push('\n');
            text.push_str(&line);
        }
    }
    (Rendered::fit(text, all, more_hint), covered)
}

/// An upper bound of the characters `text` takes once escaped (bytes bound characters, and
/// each escape adds at most four).
pub(super) fn escaped_len(text: &str) -> usize {
    text.len() + 4 * text.matches(['&', '<', '>']).count()
}

/// An upper bound of the text a task's check-in row carries, without rendering it: the title
/// and blocked reason, escaped, plus the id, owner, dates, labels and button texts around them
/// (well under 250 characters).
pub(super) fn task_row_chars_bound(task: &Task) -> usize {
    escaped_len(&task.title) + task.status.reason().map_or(0, escaped_len) + 250
}

pub(super) fn part_suffix(part: usize, parts: usize) -> String {
    if parts > 1 {
        format!(" ({part}/{parts})")
    } else {
        String::new()
    }
}
