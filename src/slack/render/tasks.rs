//! Replies about tasks: one added, one updated, a person's open tasks (with buttons), and what
//! is escalated now.

use crate::slack::markup::Markup;
use crate::slack::wording::change_value;
use chrono::NaiveDate;

use super::widgets::{task_line, task_row};
use crate::slack::blocks::{Rendered, context, escape, escape_quiet, header, packed_sections, section};
use crate::views::TaskInLaunch;
use liftoff_core::HistoryEntry;
use liftoff_core::escalation::FiredLevel;

pub(super) fn task_created(item: &TaskInLaunch, today: NaiveDate) -> Rendered {
    let text = format!(
        "Task {} added to *{}* (`{}`), {}",
        task_line(&item.task, today),
        escape_quiet(&item.launch.name),
        item.launch.slug,
        item.task.function
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

pub(super) fn task_updated(item: &TaskInLaunch, change: &HistoryEntry, today: NaiveDate) -> Rendered {
    let mut text = format!(
        "{} — {} by {} ({}: {} → {})",
        task_line(&item.task, today),
        escape_quiet(&item.launch.name),
        change.actor.mention(),
        change.field.as_str(),
        change_value(change.field, change.from.as_deref()),
        change_value(change.field, change.to.as_deref()),
    );
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
                fired.fired_at.format("%Y-%m-%d %H:%M UTC")
            )
        })
        .collect();
    let text = format!("Escalated now:\n{}", lines.join("\n"));
    let mut blocks = vec![header("Escalated now")];
    blocks.extend(packed_sections(&lines));
    Rendered::fit(text, blocks, "Use `/launch escalations &lt;launch&gt;` for one launch.")
}
