//! The pieces views are built from: a launch's facts and its go/no-go label, a task's line and
//! its row of buttons, readiness and status labels, a function's facts, the Go/No-go buttons.

use crate::slack::markup::Markup;
use chrono::NaiveDate;
use serde_json::Value;
use slack_morphism::prelude::*;

use super::actions;
use super::codec::ballot_value;
use crate::slack::blocks::{button, clip, escape_quiet, limits, markdown, push_escaped_quiet};
use liftoff_core::dates::{human, push_human};
use liftoff_core::readiness::Readiness;
use liftoff_core::{DueDate, DueNote, FunctionDef, FunctionName, Launch, StatusKind, Task, TaskId, TaskStatus, Tier};

/// What the person who set a due date is told about where it landed: a `T-5` moved off a
/// weekend or holiday, or a date they typed that is not a working day.
pub fn due_note_text(note: &DueNote, due: NaiveDate, today: NaiveDate) -> String {
    match note {
        DueNote::MovedToWorkingDay { offset, landed } => format!(
            "{} falls on {}, so it is due {}.",
            DueDate::Relative(*offset),
            human(*landed, today),
            human(due, today)
        ),
        DueNote::NonWorkingDay(date) => format!(
            ":warning: {} is not a working day; kept as you gave it.",
            human(*date, today)
        ),
    }
}

/// A due date with what its setter should know, in a line that already names the task
/// (a thread confirmation): `due Fri 11 Dec (T-6 falls on Sat 12 Dec)`.
pub fn due_with_note(due: NaiveDate, note: Option<&DueNote>, today: NaiveDate) -> String {
    let said = match note {
        Some(DueNote::MovedToWorkingDay { offset, landed }) => {
            format!(" ({} falls on {})", DueDate::Relative(*offset), human(*landed, today))
        }
        Some(DueNote::NonWorkingDay(_)) => " (:warning: not a working day; kept as you gave it)".to_owned(),
        None => String::new(),
    };
    format!("due {}{said}", human(due, today))
}

fn tier_label(tier: Tier) -> String {
    format!("tier {}", tier.number())
}

pub fn launch_facts(launch: &Launch, today: NaiveDate) -> String {
    let lead = launch
        .lead
        .as_ref()
        .map_or("no lead".to_owned(), |l| format!("lead {}", l.mention()));
    let state = match launch.state {
        liftoff_core::LaunchState::Archived => " · archived",
        liftoff_core::LaunchState::Live => " · live",
        liftoff_core::LaunchState::Planned => "",
    };
    format!(
        "{} · launch {} ({}) · {lead}{state}",
        tier_label(launch.tier),
        human(launch.launch_date, today),
        launch.t_minus(today)
    )
}

/// The status as people read it ([`StatusKind::label`]), marked with an emoji where it needs
/// attention or is finished, and a block's reason after it.
fn push_status_label(out: &mut String, status: &TaskStatus) {
    let kind = status.kind();
    out.push_str(match kind {
        StatusKind::Blocked => ":no_entry: ",
        StatusKind::Done => ":white_check_mark: ",
        StatusKind::AtRisk => ":warning: ",
        StatusKind::OnTrack | StatusKind::Todo => "",
    });
    out.push_str(kind.label());
    if let TaskStatus::Blocked { reason } = status {
        out.push_str(": ");
        push_escaped_quiet(out, reason);
    }
}

/// One line per task: id, title, owner (mention), due date, status. Written into one string:
/// a launch's page has a line for each of its tasks, and each piece as a string of its own
/// was an allocation more on every line.
pub fn task_line(task: &Task, today: NaiveDate) -> String {
    let mut line = String::with_capacity(128 + task.title.len());
    push_task_line(&mut line, task, today);
    line
}

/// [`task_line`], written at the end of `line`: a launch's page writes each of its tasks'
/// lines into one scratch string, reused from task to task.
pub fn push_task_line(line: &mut String, task: &Task, today: NaiveDate) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(line, "`{}` ", task.id);
    push_escaped_quiet(line, &task.title);
    line.push_str(" — ");
    match &task.owner {
        Some(owner) => owner.push_mention(line),
        None => line.push_str("_unassigned_"),
    }
    line.push_str(" · due ");
    push_human(line, task.due_date, today);
    if task.due_offset_days.is_some() {
        let _ = write!(line, " ({})", task.due());
    }
    if task.is_overdue(today) {
        line.push_str(" :rotating_light: overdue");
    }
    line.push_str(" · ");
    push_status_label(line, &task.status);
    if let Some(until) = task.snoozed_until
        && until >= today
        && task.status.is_open()
    {
        line.push_str(" · :zzz: snoozed through ");
        push_human(line, until, today);
    }
}

pub fn readiness_label(readiness: &Readiness) -> String {
    let mut label = format!(
        "{}% ready ({}/{} due by launch day done)",
        readiness.percent(),
        readiness.done,
        readiness.due_by_launch
    );
    if readiness.blocked > 0 {
        label.push_str(&format!(" · {} blocked", readiness.blocked));
    }
    if readiness.overdue > 0 {
        label.push_str(&format!(" · {} overdue", readiness.overdue));
    }
    label
}

pub(super) fn function_facts(function: &FunctionDef) -> String {
    let channel = function
        .channel
        .as_ref()
        .map_or("no check-in channel yet".to_owned(), |c| {
            format!("check-ins in {}", c.mention())
        });
    let lead = function
        .lead
        .as_ref()
        .map_or("no lead yet".to_owned(), |l| format!("lead {}", l.mention()));
    format!("{channel} · {lead}")
}

/// How many blocks [`task_row`] renders for `task`, without rendering it: a line, and a row of
/// buttons while the task is open.
pub fn task_row_blocks(task: &Task) -> usize {
    if task.status.is_open() { 2 } else { 1 }
}

/// A task's line followed by its buttons. Both carry the task's block id prefix so that a
/// button press can re-render exactly this row.
pub fn task_row(task: &Task, line: &str) -> Vec<SlackBlock> {
    let id = task.id.0.to_string();
    let line_block: SlackBlock = SlackSectionBlock::new()
        .with_block_id(SlackBlockId(format!("{}{}", actions::TASK_BLOCK_PREFIX, task.id.0)))
        .with_text(markdown(clip(line, limits::SECTION_TEXT)))
        .into();
    if !task.status.is_open() {
        return vec![line_block];
    }
    let mut elements: Vec<SlackActionBlockElement> = Vec::new();
    let kind = task.status.kind();
    if kind != StatusKind::Done {
        elements.push(
            button("Done", actions::DONE, &id)
                .with_style(SlackBlockButtonStyle::Primary)
                .into(),
        );
    }
    if kind != StatusKind::OnTrack {
        elements.push(button("On track", actions::ON_TRACK, &id).into());
    }
    if kind != StatusKind::AtRisk {
        elements.push(button("At risk", actions::AT_RISK, &id).into());
    }
    if kind != StatusKind::Blocked {
        elements.push(
            button("Blocked", actions::BLOCKED, &id)
                .with_style(SlackBlockButtonStyle::Danger)
                .into(),
        );
    }
    elements.push(button("Snooze 1 day", actions::SNOOZE, &id).into());
    let buttons: SlackBlock = SlackActionsBlock::new(elements)
        .with_block_id(SlackBlockId(format!(
            "{}{}:actions",
            actions::TASK_BLOCK_PREFIX,
            task.id.0
        )))
        .into();
    let row = vec![line_block, buttons];
    debug_assert_eq!(row.len(), task_row_blocks(task));
    row
}

/// The re-rendered row of a task after a button press changed it.
pub fn task_row_after_change(task: &Task, launch: &Launch, today: NaiveDate) -> Vec<SlackBlock> {
    let line = format!(
        "{} — *{}* (`{}`)",
        task_line(task, today),
        escape_quiet(&launch.name),
        launch.slug
    );
    task_row(task, &line)
}

/// A launch as go/no-go messages name it: name, slug, tier, and T-minus on its date.
pub(super) fn launch_label(launch: &Launch, today: NaiveDate) -> String {
    format!(
        "*{}* (`{}`, tier {}, {} on {})",
        escape_quiet(&launch.name),
        launch.slug,
        launch.tier.number(),
        launch.t_minus(today),
        human(launch.launch_date, today)
    )
}

/// The Go and No-go buttons of a round, for one function.
pub(super) fn answer_buttons(gonogo: i64, function: &FunctionName) -> SlackBlock {
    let value = ballot_value(gonogo, function);
    SlackActionsBlock::new(vec![
        button("Go", actions::GONOGO_GO, &value)
            .with_style(SlackBlockButtonStyle::Primary)
            .into(),
        button("No-go", actions::GONOGO_NO_GO, &value)
            .with_style(SlackBlockButtonStyle::Danger)
            .into(),
    ])
    .with_block_id(SlackBlockId(format!("gonogo:{value}")))
    .into()
}

/// Replaces the row of `task` (its line block and its buttons) in a message's blocks with
/// `new_rows`, leaving every other block exactly as it was. Unchanged if the row is not there.
pub fn patch_task_rows(mut blocks: Vec<Value>, task: TaskId, new_rows: Vec<Value>) -> Vec<Value> {
    let line_id = format!("{}{}", actions::TASK_BLOCK_PREFIX, task.0);
    let actions_id = format!("{line_id}:actions");
    let block_id = |b: &Value| b.get("block_id").and_then(Value::as_str).map(str::to_owned);
    let Some(start) = blocks
        .iter()
        .position(|b| block_id(b).as_deref() == Some(line_id.as_str()))
    else {
        return blocks;
    };
    let mut end = start + 1;
    if blocks.get(end).and_then(block_id).as_deref() == Some(actions_id.as_str()) {
        end += 1;
    }
    blocks.splice(start..end, new_rows);
    blocks
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn patching_replaces_only_the_task_row() {
        let blocks = vec![
            json!({"type": "header", "block_id": "h"}),
            json!({"type": "section", "block_id": "task:7", "text": {"type": "mrkdwn", "text": "old"}}),
            json!({"type": "actions", "block_id": "task:7:actions", "elements": []}),
            json!({"type": "section", "block_id": "task:70", "text": {"type": "mrkdwn", "text": "other"}}),
        ];
        let new_rows =
            vec![json!({"type": "section", "block_id": "task:7", "text": {"type": "mrkdwn", "text": "new"}})];
        let patched = patch_task_rows(blocks.clone(), TaskId(7), new_rows.clone());
        assert_eq!(patched, vec![blocks[0].clone(), new_rows[0].clone(), blocks[3].clone()]);
        assert_eq!(patch_task_rows(blocks.clone(), TaskId(8), new_rows), blocks);
    }
}
