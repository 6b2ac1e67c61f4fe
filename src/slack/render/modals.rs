//! The modals: the blocked-task form, the launch creation form, and the written-reason input
//! they share with the go/no-go form.

use slack_morphism::prelude::*;

use super::actions;
use crate::slack::blocks::{escape_quiet, limits, plain, section};
use liftoff_core::Task;

/// A modal's required written reason, read back by its submission under
/// [`actions::REASON`] and checked by `task::written_reason`, whose length it allows.
pub fn reason_input(label: &str, hint: &str) -> SlackInputBlock {
    SlackInputBlock::new(
        plain(label, limits::HEADER_TEXT),
        SlackBlockPlainTextInputElement::new()
            .with_action_id(actions::REASON.into())
            .with_multiline(true)
            .with_max_length(liftoff_core::task::MAX_REASON_CHARS as u64)
            .into(),
    )
    .with_block_id(SlackBlockId(actions::REASON.into()))
    .with_hint(plain(hint, 150))
}

/// The modal asking why a task is blocked. `private_metadata` carries the task and where the
/// button was, so the submission can update that message.
pub fn blocked_modal(task: &Task, metadata: String) -> SlackView {
    let reason = reason_input(
        "Why is it blocked?",
        "Say what or who it waits for, so the right person can unblock it.",
    );
    let blocked_by = SlackInputBlock::new(
        plain("Waiting on another task?", limits::HEADER_TEXT),
        SlackBlockPlainTextInputElement::new()
            .with_action_id("blocked_by".into())
            .with_max_length(12)
            .with_placeholder(plain("e.g. T7", 75))
            .into(),
    )
    .with_block_id(SlackBlockId("blocked_by".into()))
    .with_optional(true)
    .with_hint(plain("Its owner is named when this is escalated.", 150));
    SlackView::Modal(
        SlackModalView::new(
            plain(&format!("Block {}", task.id), limits::MODAL_TITLE),
            vec![
                section(format!("`{}` {}", task.id, escape_quiet(&task.title))),
                reason.into(),
                blocked_by.into(),
            ],
        )
        .with_submit(plain("Mark blocked", limits::MODAL_TITLE))
        .with_close(plain("Cancel", limits::MODAL_TITLE))
        .with_callback_id(actions::BLOCKED_MODAL.into())
        .with_private_metadata(metadata),
    )
}

/// The launch creation form; validated like the command on submission.
pub fn new_launch_modal(metadata: String) -> SlackView {
    let name = SlackInputBlock::new(
        plain("Name", 150),
        SlackBlockPlainTextInputElement::new()
            .with_action_id("name".into())
            .with_max_length(liftoff_core::launch::MAX_LAUNCH_NAME_CHARS as u64)
            .into(),
    )
    .with_block_id(SlackBlockId("name".into()));
    let tier_options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = [
        ("Tier 1: big campaign", "1"),
        ("Tier 2: standard launch", "2"),
        ("Tier 3: small update", "3"),
    ]
    .iter()
    .map(|(label, value)| SlackBlockChoiceItem::new(plain(label, 75), value.to_string()))
    .collect();
    let tier = SlackInputBlock::new(
        plain("Tier", 150),
        SlackBlockStaticSelectElement::new()
            .with_action_id("tier".into())
            .with_options(tier_options)
            .into(),
    )
    .with_block_id(SlackBlockId("tier".into()));
    let date = SlackInputBlock::new(
        plain("Launch date", 150),
        SlackBlockDatePickerElement::new().with_action_id("date".into()).into(),
    )
    .with_block_id(SlackBlockId("date".into()));
    let lead = SlackInputBlock::new(
        plain("Lead", 150),
        SlackBlockUsersSelectElement::new().with_action_id("lead".into()).into(),
    )
    .with_block_id(SlackBlockId("lead".into()))
    .with_optional(true);
    SlackView::Modal(
        SlackModalView::new(
            plain("New launch", limits::MODAL_TITLE),
            vec![name.into(), tier.into(), date.into(), lead.into()],
        )
        .with_submit(plain("Create", limits::MODAL_TITLE))
        .with_close(plain("Cancel", limits::MODAL_TITLE))
        .with_callback_id(actions::NEW_LAUNCH_MODAL.into())
        .with_private_metadata(metadata),
    )
}
