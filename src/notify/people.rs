//! Direct messages that tell one person about their own work: a task given to them, their task
//! changed by someone else, a task they waited on now done. Each is one message per person per
//! occasion, listing every task it concerns, so a bulk change is one DM, not a DM per task.

use chrono::NaiveDate;

use crate::outbound::OutboxMessage;
use crate::slack::blocks::{Rendered, context, escape, escape_quiet, section};
use crate::slack::markup::Markup;
use crate::slack::render::{task_line, task_row};
use crate::slack::wording::change_value;
use crate::views::TaskInLaunch;
use liftoff_core::{ChangeField, HistoryEntry, SlackUserId, Task};

/// Most tasks shown with their buttons in one DM; the rest are listed as text.
const MAX_ROWS_WITH_BUTTONS: usize = 15;

/// The line of one task with its launch, as a DM lists it.
fn task_with_launch(item: &TaskInLaunch, today: NaiveDate) -> String {
    format!(
        "{} — *{}* (`{}`)",
        task_line(&item.task, today),
        escape_quiet(&item.launch.name),
        item.launch.slug
    )
}

/// Tasks as rows with their status buttons, the first few; the rest as plain lines.
fn rows(items: &[TaskInLaunch], today: NaiveDate, intro: String) -> Rendered {
    let mut blocks = vec![section(&intro)];
    let mut lines = vec![intro];
    let mut rest = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let line = task_with_launch(item, today);
        if index < MAX_ROWS_WITH_BUTTONS {
            blocks.extend(task_row(&item.task, &line));
        } else {
            rest.push(line.clone());
        }
        lines.push(line);
    }
    if !rest.is_empty() {
        blocks.push(context(format!(
            "…and {} more; `/launch mine` lists them all with buttons.",
            rest.len()
        )));
    }
    Rendered::fit(lines.join("\n"), blocks, "Use `/launch mine` for the rest.")
}

/// The DM to `owner` that `by` gave them `items` (one task, or a function's tasks at once),
/// with each task's due date and its buttons, so they can answer from the DM. `by` is `None`
/// when Liftoff assigned them (a new launch's tasks go to each function's lead).
pub fn assigned(
    key: String,
    owner: &SlackUserId,
    by: Option<&SlackUserId>,
    items: &[TaskInLaunch],
    today: NaiveDate,
) -> OutboxMessage {
    let tasks = if items.len() == 1 {
        "a task".to_owned()
    } else {
        format!("{} tasks", items.len())
    };
    let intro = match by {
        Some(by) => format!(":inbox_tray: {} gave you {tasks}:", by.mention()),
        None => format!(":inbox_tray: You own {tasks} as your function's lead:"),
    };
    let rendered = rows(items, today, intro);
    super::post_message(key, "assigned", owner.as_str(), &rendered)
}

/// The DM to `owner` that someone else changed their tasks: who changed what, one line per
/// change, in one message. Nothing for a change the owner made themselves.
pub fn changed_by_someone_else(
    key: String,
    owner: &SlackUserId,
    changes: &[(TaskInLaunch, HistoryEntry)],
    today: NaiveDate,
) -> OutboxMessage {
    let mut by: Vec<String> = changes.iter().map(|(_, change)| change.actor.mention()).collect();
    by.dedup();
    let intro = format!(
        ":pencil2: {} changed {}:",
        by.join(", "),
        if changes.len() == 1 { "your task" } else { "your tasks" }
    );
    let mut lines = vec![intro];
    for (item, change) in changes {
        lines.push(format!(
            "• {} — {}",
            task_with_launch(item, today),
            change_words(change, owner, today)
        ));
    }
    let text = lines.join("\n");
    let rendered = Rendered::fit(text.clone(), vec![section(&text)], "");
    super::post_message(key, "changed", owner.as_str(), &rendered)
}

/// What a change did, as its owner reads it.
fn change_words(change: &HistoryEntry, owner: &SlackUserId, today: NaiveDate) -> String {
    let from = change_value(change.field, change.from.as_deref(), today);
    let to = change_value(change.field, change.to.as_deref(), today);
    let mut words = match change.field {
        ChangeField::Owner if change.to.as_deref() == Some("nobody") => "took it off you".to_owned(),
        ChangeField::Owner if change.to.as_deref() != Some(owner.as_str()) => format!("gave it to {to}"),
        ChangeField::Role => format!("set its roles to {to}"),
        field => format!("{}: {from} → {to}", field.as_str()),
    };
    if let Some(note) = &change.note {
        words.push_str(&format!(" (“{}”)", escape(note)));
    }
    words
}

/// The DM to `owner` that `done` is finished and their `waiting` tasks, blocked by it, can
/// go ahead: one message however many of their tasks waited on it.
pub fn unblocked(
    key: String,
    owner: &SlackUserId,
    done: &Task,
    waiting: &[TaskInLaunch],
    today: NaiveDate,
) -> OutboxMessage {
    let intro = format!(
        ":unlock: `{}` {} is done, and your {} waiting on it. Update {} when you can:",
        done.id,
        escape_quiet(&done.title),
        if waiting.len() == 1 { "task was" } else { "tasks were" },
        if waiting.len() == 1 { "it" } else { "them" },
    );
    let rendered = rows(waiting, today, intro);
    super::post_message(key, "unblocked", owner.as_str(), &rendered)
}
