//! Reading back what Liftoff wrote into Slack: the task a button carries, and the tasks whose
//! rows a message's blocks contain.

use slack_morphism::prelude::SlackBlock;

use super::actions;
use liftoff_core::TaskId;

/// Parses the number a task button carries.
pub fn task_id_from_value(value: &str) -> Option<TaskId> {
    TaskId::parse(value).ok()
}

/// The tasks whose rows (see [`task_row`](super::task_row)) a message's blocks contain, in
/// order: read from the row block ids, so it holds however the fallback text was clipped.
pub fn task_ids_in(blocks: &[SlackBlock]) -> Vec<TaskId> {
    blocks
        .iter()
        .filter_map(|block| match block {
            SlackBlock::Section(section) => section.block_id.as_ref(),
            _ => None,
        })
        .filter_map(|id| id.0.strip_prefix(actions::TASK_BLOCK_PREFIX))
        .filter_map(|rest| rest.parse::<i64>().ok().map(TaskId))
        .collect()
}
