//! Replies about tasks: one added, one updated, a person's open tasks (with buttons), and what
//! is escalated now.

use crate::slack::markup::Markup;
use crate::slack::wording::change_value;
use chrono::NaiveDate;

use super::widgets::{due_note_text, task_line, task_row};
use crate::slack::blocks::{Rendered, context, escape, escape_quiet, header, packed_sections, section};
use crate::views::TaskInLaunch;
use liftoff_core::escalation::FiredLevel;
use liftoff_core::{DueNote, HistoryEntry};

pub(super) fn task_created(
    item: &TaskInLaunch,
    lead_by_default: bool,
    due_note: Option<&DueNote>,
    today: NaiveDate,
) -> Rendered {
    let mut text = format!(
        "Task {} added to *{}* (`{}`), {}",
        task_line(&item.task, today),
        escape_quiet(&item.launch.name),
        item.launch.slug,
        item.task.function
    );
    if let Some(note) = due_note {
        text.push_str(&format!("\n{}", due_note_text(note, item.task.due_date, today)));
    }
    if lead_by_default {
        text.push_str(&format!(
            "\nNo owner was given, so it goes to the {} lead; `/launch assign {} @someone` gives it to someone else.",
            item.task.function, item.task.id
        ));
    }
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The answer to `/launch assign <launch> <function> @person`: which tasks they now own.
pub(super) fn function_assigned(
    launch: &liftoff_core::Launch,
    function: &str,
    owner: &liftoff_core::SlackUserId,
    tasks: &[liftoff_core::Task],
    today: NaiveDate,
) -> Rendered {
    let mut lines = vec![format!(
        ":inbox_tray: {} now owns the {} unowned {} task{} of *{}* (`{}`):",
        owner.mention(),
        tasks.len(),
        escape(function),
        if tasks.len() == 1 { "" } else { "s" },
        escape_quiet(&launch.name),
        launch.slug
    )];
    lines.extend(tasks.iter().map(|task| format!("• {}", task_line(task, today))));
    let text = lines.join("\n");
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// One task in full: its row (with buttons), its launch, roles, dependencies and history.
pub(super) fn task_detail(
    item: &TaskInLaunch,
    roles: &[liftoff_core::RoleAssignment],
    history: &[HistoryEntry],
    blocked_by: Option<&liftoff_core::Task>,
    blocks: &[liftoff_core::Task],
    today: NaiveDate,
) -> Rendered {
    let task = &item.task;
    let title = format!("{} {}", task.id, clip_title(&task.title));
    let mut lines = vec![format!(
        "*{}* (`{}`) · {} · {}",
        escape_quiet(&item.launch.name),
        item.launch.slug,
        task.function,
        item.launch.t_minus(today)
    )];
    if !roles.is_empty() {
        let roles: Vec<String> = roles
            .iter()
            .map(|r| format!("{} {}", r.role.as_str(), r.user.mention()))
            .collect();
        lines.push(format!("RACI: {}", roles.join(", ")));
    }
    if let Some(blocker) = blocked_by {
        lines.push(format!("Waiting on {}", task_line(blocker, today)));
    }
    for blocked in blocks {
        lines.push(format!("Blocks {}", task_line(blocked, today)));
    }
    let mut changes: Vec<String> = history
        .iter()
        .rev()
        .take(10)
        .map(|h| {
            format!(
                "• {} {} by {}: {} → {}",
                h.at.format("%a %-d %b"),
                h.field.as_str().replace('_', " "),
                h.actor.mention(),
                change_value(h.field, h.from.as_deref(), today),
                change_value(h.field, h.to.as_deref(), today)
            )
        })
        .collect();
    changes.reverse();
    let mut blocks_out = vec![header(&title)];
    blocks_out.extend(task_row(task, &task_line(task, today)));
    blocks_out.push(context(lines.join("\n")));
    if !changes.is_empty() {
        blocks_out.push(section("*History*"));
        blocks_out.extend(packed_sections(&changes));
    }
    let text = format!(
        "{}\n{}\n{}",
        task_line(task, today),
        lines.join("\n"),
        changes.join("\n")
    );
    Rendered::fit(text, blocks_out, "")
}

/// A task's title for a plain-text header (at most Slack's 150 characters, with its id).
fn clip_title(title: &str) -> String {
    crate::slack::blocks::clip(title, 140)
}

pub(super) fn task_updated(
    item: &TaskInLaunch,
    change: &HistoryEntry,
    due_note: Option<&DueNote>,
    today: NaiveDate,
) -> Rendered {
    let mut text = format!(
        "{} — {} by {} ({}: {} → {})",
        task_line(&item.task, today),
        escape_quiet(&item.launch.name),
        change.actor.mention(),
        change.field.as_str(),
        change_value(change.field, change.from.as_deref(), today),
        change_value(change.field, change.to.as_deref(), today),
    );
    if let Some(note) = due_note {
        text.push_str(&format!("\n{}", due_note_text(note, item.task.due_date, today)));
    }
    if let Some(note) = &change.note {
        text.push_str(&format!("\n> {}", escape(note)));
    }
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// Most tasks shown with buttons in one message; the rest are listed as text.
const MAX_TASKS_WITH_BUTTONS: usize = 15;

pub(super) fn my_tasks(mention: String, items: &[TaskInLaunch], today: NaiveDate) -> Rendered {
    if items.is_empty() {
        let text = format!("{mention}, you have no open tasks. :tada:");
        return Rendered::fit(text.clone(), vec![section(&text)], "");
    }
    let mut blocks = vec![header("Your open tasks")];
    let mut text_lines = vec![format!("Open tasks of {mention}:")];
    for (index, item) in items.iter().enumerate() {
        let line = format!(
            "{} — *{}* (`{}`)",
            task_line(&item.task, today),
            escape_quiet(&item.launch.name),
            item.launch.slug
        );
        text_lines.push(line.clone());
        if index < MAX_TASKS_WITH_BUTTONS {
            blocks.extend(task_row(&item.task, &line));
        }
    }
    if items.len() > MAX_TASKS_WITH_BUTTONS {
        let rest: Vec<String> = text_lines[1 + MAX_TASKS_WITH_BUTTONS..].to_vec();
        blocks.push(context("More open tasks:"));
        blocks.extend(packed_sections(&rest));
    }
    Rendered::fit(text_lines.join("\n"), blocks, "")
}

pub(super) fn escalations(items: &[(TaskInLaunch, FiredLevel)], today: NaiveDate) -> Rendered {
    if items.is_empty() {
        let text = "Nothing is escalated right now.".to_owned();
        return Rendered::fit(text.clone(), vec![section(&text)], "");
    }
    let lines: Vec<String> = items
        .iter()
        .map(|(item, fired)| {
            let level = liftoff_core::escalation::Level::from_number(fired.level)
                .map_or_else(|| format!("level {}", fired.level), |l| l.to_string());
            format!(
                "{} — *{}* (`{}`) — {level} since {}",
                task_line(&item.task, today),
                escape_quiet(&item.launch.name),
                item.launch.slug,
                fired.fired_at.format("%a %-d %b %H:%M UTC")
            )
        })
        .collect();
    let text = format!("Escalated now:\n{}", lines.join("\n"));
    let mut blocks = vec![header("Escalated now")];
    blocks.extend(packed_sections(&lines));
    Rendered::fit(text, blocks, "Use `/launch escalations &lt;launch&gt;` for one launch.")
}
