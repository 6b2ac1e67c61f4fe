//! Escalations up the ladder (reminder, overdue, function lead, launch lead) and the line that
//! closes one when its task is resolved.

use crate::slack::markup::Markup;
use chrono::NaiveDate;
use liftoff_core::dates::human;
use slack_morphism::prelude::SlackBlock;

use crate::outbound::OutboxMessage;
use crate::slack::blocks::{Rendered, escape_quiet, section};
use crate::slack::render::{actions, task_line, task_row};
use liftoff_core::{HistoryEntry, Launch, SlackUserId, Task};

/// Who and what an escalation message names.
pub struct EscalationView<'a> {
    pub task: &'a Task,
    pub launch: &'a Launch,
    pub level: liftoff_core::escalation::Level,
    pub overdue_days: i64,
    pub blocked_days: i64,
    /// People to mention: owner, function lead, launch lead, blocking task's owner.
    pub mentions: Vec<SlackUserId>,
    pub blocker: Option<&'a Task>,
    pub readiness: Option<String>,
    pub today: NaiveDate,
}

/// An escalation message: what is wrong, who should act, the task's buttons plus Acknowledge
/// and Snooze.
pub fn escalation(view: &EscalationView<'_>) -> Rendered {
    use liftoff_core::escalation::Level;
    let task = view.task;
    let trouble = match (
        view.blocked_days > 0 || task.status.kind() == liftoff_core::StatusKind::Blocked,
        view.overdue_days,
    ) {
        (true, _) => format!(
            "blocked for {} working day{}: {}",
            view.blocked_days,
            if view.blocked_days == 1 { "" } else { "s" },
            escape_quiet(task.status.reason().unwrap_or_default())
        ),
        (false, 0) => format!("due {}", human(task.due_date, view.today)),
        (false, days) => format!(
            "overdue by {days} working day{} (due {})",
            if days == 1 { "" } else { "s" },
            human(task.due_date, view.today)
        ),
    };
    let heading = match view.level {
        Level::Reminder => ":alarm_clock: Reminder",
        Level::Overdue => ":rotating_light: Overdue task",
        Level::FunctionLead => ":rotating_light: Escalation to the function lead",
        Level::LaunchLead => ":sos: Escalation to the launch lead",
    };
    let mut text = format!(
        "{heading}: `{}` {} (*{}*, `{}`, {}) is {trouble}.",
        task.id,
        escape_quiet(&task.title),
        escape_quiet(&view.launch.name),
        view.launch.slug,
        view.launch.t_minus(view.today)
    );
    if let Some(blocker) = view.blocker {
        text.push_str(&format!(
            "
Waiting on `{}` {}.",
            blocker.id,
            escape_quiet(&blocker.title)
        ));
    }
    let mut mentions: Vec<String> = Vec::new();
    for person in &view.mentions {
        let mention = person.mention();
        if !mentions.contains(&mention) {
            mentions.push(mention);
        }
    }
    if !mentions.is_empty() {
        text.push('\n');
        text.push_str(&mentions.join(" "));
    }
    if let Some(readiness) = &view.readiness {
        text.push_str(&format!(
            "
Launch readiness: {readiness}"
        ));
    }
    let mut blocks = vec![section(&text)];
    blocks.extend(task_row(task, &task_line(task, view.today)));
    if view.level > Level::Reminder {
        blocks.push(escalation_actions(task));
    }
    Rendered::fit(text, blocks, "")
}

/// Acknowledge and Snooze for an escalated task.
fn escalation_actions(task: &Task) -> SlackBlock {
    use slack_morphism::prelude::*;
    let id = task.id.0.to_string();
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = [("1 working day", "1"), ("3 working days", "3")]
        .iter()
        .map(|(label, days)| SlackBlockChoiceItem::new(crate::slack::blocks::plain(label, 75), format!("{id}:{days}")))
        .collect();
    let snooze = SlackBlockStaticSelectElement::new()
        .with_action_id(actions::ESC_SNOOZE.into())
        .with_placeholder(crate::slack::blocks::plain("Snooze…", 75))
        .with_options(options);
    let until = SlackBlockDatePickerElement::new()
        .with_action_id(actions::ESC_SNOOZE_UNTIL.into())
        .with_placeholder(crate::slack::blocks::plain("Snooze until…", 75));
    SlackActionsBlock::new(vec![
        crate::slack::blocks::button("Acknowledge", actions::ESC_ACK, &id)
            .with_style(SlackBlockButtonStyle::Primary)
            .into(),
        snooze.into(),
        until.into(),
    ])
    .with_block_id(SlackBlockId(format!("{}{}:esc", actions::TASK_BLOCK_PREFIX, task.id.0)))
    .into()
}

/// The line in a task's latest check-in thread saying it is now overdue, mentioning its owner.
pub fn overdue_in_checkin_thread(task: &Task) -> Rendered {
    let owner = task.owner.as_ref().map(|o| o.mention()).unwrap_or_default();
    let text = format!(
        ":rotating_light: `{}` {} is overdue (due {}) {owner}",
        task.id,
        escape_quiet(&task.title),
        // Overdue, so recent: the day and month say which.
        human(task.due_date, task.due_date),
    );
    Rendered::fit(text, vec![], "")
}

/// The line closing each escalation about `task` now that it is resolved: who resolved it and
/// when (`at`, in the organisation's time zone), as one reply in the thread of each escalation
/// message, given as `(its outbox key, its channel or person)`. Keyed by the escalation, so a
/// second resolution of the same escalation is never posted.
pub fn resolution(
    task: &Task,
    change: &HistoryEntry,
    at: &str,
    escalations: Vec<(String, String)>,
) -> Vec<OutboxMessage> {
    let text = format!(
        ":white_check_mark: Resolved: `{}` {} is {} — by {} at {at}.",
        task.id,
        escape_quiet(&task.title),
        escape_quiet(&task.status.to_string()),
        change.actor.mention()
    );
    let rendered = Rendered::fit(text, vec![], "");
    escalations
        .into_iter()
        .map(|(key, target)| OutboxMessage {
            thread_of: Some(key.clone()),
            ..super::post_message(format!("resolved:{key}"), "resolution", &target, &rendered)
        })
        .collect()
}
