//! Values Liftoff writes into Slack and reads back: the task a button carries, a go/no-go
//! ballot (round and function), and the tasks whose rows a message's blocks contain.

use slack_morphism::prelude::SlackBlock;

use super::actions;
use liftoff_core::{FunctionName, TaskId};

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

/// The value both buttons carry: which round, which function.
pub fn ballot_value(gonogo: i64, function: &FunctionName) -> String {
    format!("{gonogo}:{function}")
}

/// Reads a button's value back; `None` for anything Liftoff did not write.
pub fn parse_ballot_value(value: &str) -> Option<(i64, FunctionName)> {
    let (id, function) = value.split_once(':')?;
    Some((id.parse().ok()?, FunctionName::parse(function).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballot_values_round_trip_and_reject_foreign_values() {
        let sales = FunctionName::parse("sales").unwrap();
        assert_eq!(parse_ballot_value(&ballot_value(12, &sales)), Some((12, sales)));
        assert_eq!(parse_ballot_value("12"), None);
        assert_eq!(parse_ballot_value("x:sales"), None);
        assert_eq!(parse_ballot_value("12:Sales!"), None);
    }
}
