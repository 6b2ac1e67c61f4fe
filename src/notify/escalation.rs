//! Escalations up the ladder (reminder, overdue, function lead, launch lead) and the line that
//! closes one when its task is resolved.

use crate::slack::markup::Markup;
use chrono::NaiveDate;
use liftoff_core::dates::human;
use slack_morphism::prelude::SlackBlock;

use super::layout::{Cost, escaped_len, part_suffix, split_lazily, task_row_chars_bound};
use crate::outbound::{OutboxMessage, PostedEscalation};
use crate::slack::blocks::{Rendered, escape_quiet, section};
use crate::slack::render::{actions, task_line, task_row, task_row_blocks};
use liftoff_core::escalation::Level;
use liftoff_core::{HistoryEntry, Launch, SlackUserId, Task, TaskId};

/// Who and what an escalation message names.
pub struct EscalationView<'a> {
    pub task: &'a Task,
    pub launch: &'a Launch,
    pub level: Level,
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
    let task = view.task;
    let trouble = trouble(view);
    let heading = heading(view.level);
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
    let mentions = mentions(&view.mentions);
    if !mentions.is_empty() {
        text.push('\n');
        text.push_str(&mentions);
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

/// One escalation message listing several tasks of one level, for one place (a channel, for
/// one launch; or a person): the sweep's one message where it used to post one per task. The
/// heading names the launch (when they share one) and mentions `addressed`, the people the
/// level asks to act; each task's row says what is wrong, mentions its own people and carries
/// its buttons. A long list is split over messages within Slack's limits, numbered `(k/n)`;
/// each message comes with the tasks it lists, so each is recorded for the resolution line.
/// A single task is worded as [`escalation`] words it.
pub fn escalation_list(views: &[EscalationView<'_>], addressed: &[SlackUserId]) -> Vec<(Rendered, Vec<TaskId>)> {
    let [first, rest @ ..] = views else {
        return Vec::new();
    };
    if rest.is_empty() {
        return vec![(escalation(first), vec![first.task.id])];
    }
    let launch = first.launch;
    let one_launch = rest.iter().all(|v| v.launch.id == launch.id);
    let about = if one_launch {
        format!(
            " of *{}* (`{}`, {})",
            escape_quiet(&launch.name),
            launch.slug,
            launch.t_minus(first.today)
        )
    } else {
        String::new()
    };
    let heading = match first.level {
        Level::Overdue => ":rotating_light: Overdue tasks",
        level => heading(level),
    };
    let mut intro = format!("{heading}: {} tasks{about}", views.len());
    let addressed_mentions = mentions(addressed);
    if !addressed_mentions.is_empty() {
        intro.push_str(&format!(" — {addressed_mentions}"));
    }
    if one_launch && let Some(readiness) = &first.readiness {
        intro.push_str(&format!("\nLaunch readiness: {readiness}"));
    }
    let level = first.level;
    let cost_of = |view: &&EscalationView<'_>| Cost {
        blocks: task_row_blocks(view.task) + usize::from(level > Level::Reminder),
        chars: task_row_chars_bound(view.task)
            + view.blocker.map_or(0, |b| escaped_len(&b.title))
            + escaped_len(&view.launch.name)
            + 30 * view.mentions.len()
            + 200,
    };
    let render = |view: &EscalationView<'_>| {
        let task = view.task;
        let mut line = format!("{} — {}", task_line(task, view.today), trouble(view));
        if !one_launch {
            line.push_str(&format!(
                " · *{}* (`{}`)",
                escape_quiet(&view.launch.name),
                view.launch.slug
            ));
        }
        if let Some(blocker) = view.blocker {
            line.push_str(&format!(
                " · waiting on `{}` {}",
                blocker.id,
                escape_quiet(&blocker.title)
            ));
        }
        let others: Vec<SlackUserId> = view
            .mentions
            .iter()
            .filter(|person| task.owner.as_ref() != Some(*person) && !addressed.contains(person))
            .cloned()
            .collect();
        let others = mentions(&others);
        if !others.is_empty() {
            line.push_str(&format!(" · {others}"));
        }
        let mut blocks = task_row(task, &line);
        if level > Level::Reminder {
            blocks.push(escalation_actions(task));
        }
        (blocks, vec![line], Some(task.id))
    };
    split_lazily(views.iter().collect(), cost_of, render, |part, parts| {
        let intro = format!("{intro}{}", part_suffix(part, parts));
        (vec![section(&intro)], intro)
    })
    .collect()
}

/// The heading of a level's messages.
fn heading(level: Level) -> &'static str {
    match level {
        Level::Reminder => ":alarm_clock: Reminder",
        Level::Overdue => ":rotating_light: Overdue task",
        Level::FunctionLead => ":rotating_light: Escalation to the function lead",
        Level::LaunchLead => ":sos: Escalation to the launch lead",
    }
}

/// People as mentions, each once, in order.
fn mentions(people: &[SlackUserId]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for person in people {
        let mention = person.mention();
        if !seen.contains(&mention) {
            seen.push(mention);
        }
    }
    seen.join(" ")
}

/// What is wrong with a task: blocked, due tomorrow, or overdue.
fn trouble(view: &EscalationView<'_>) -> String {
    let task = view.task;
    match (
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
    }
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

/// The line in a function's latest check-in thread saying its tasks are now overdue, each with
/// its owner mentioned: one line for all of a sweep's overdue tasks in that thread, split
/// only when Slack's limits make it. Each message comes with the tasks it names.
pub fn overdue_in_checkin_thread(tasks: &[&Task]) -> Vec<(Rendered, Vec<TaskId>)> {
    let line = |task: &Task| {
        let owner = task.owner.as_ref().map(|o| o.mention()).unwrap_or_default();
        format!(
            "`{}` {} is overdue (due {}) {owner}",
            task.id,
            escape_quiet(&task.title),
            // Overdue, so recent: the day and month say which.
            human(task.due_date, task.due_date),
        )
    };
    if let [task] = tasks {
        return vec![(
            Rendered::fit(format!(":rotating_light: {}", line(task)), vec![], ""),
            vec![task.id],
        )];
    }
    let intro = format!(":rotating_light: {} tasks are now overdue:", tasks.len());
    split_lazily(
        tasks.to_vec(),
        |task| Cost {
            blocks: 1,
            chars: escaped_len(&task.title) + 80,
        },
        |task| {
            let line = format!("• {}", line(task));
            (vec![section(&line)], vec![line], Some(task.id))
        },
        |part, parts| {
            let intro = format!("{intro}{}", part_suffix(part, parts));
            (vec![section(&intro)], intro)
        },
    )
    .collect()
}

/// The line closing the escalations about `task` now that it is resolved: who resolved it and
/// when (`at`, in the organisation's time zone). One line per place (a channel, or a person's
/// DMs), however many escalation messages went there (one per level, or the overdue line in a
/// check-in thread beside the function lead's message): in the thread of the latest one, which
/// everyone there has seen. None to the person who made the change: they know. Keyed by the
/// task and the escalation it answers, so a second resolution is never posted.
pub fn resolution(
    task: &Task,
    change: &HistoryEntry,
    at: &str,
    escalations: &[PostedEscalation],
) -> Vec<OutboxMessage> {
    let text = format!(
        ":white_check_mark: Resolved: `{}` {} is {} — by {} at {at}.",
        task.id,
        escape_quiet(&task.title),
        escape_quiet(&task.status.to_string()),
        change.actor.mention()
    );
    let rendered = Rendered::fit(text, vec![], "");
    let by = match &change.actor {
        liftoff_core::Actor::User(user) => Some(user.as_str()),
        liftoff_core::Actor::Liftoff => None,
    };
    // The latest escalation in each place, in the order the places were first told.
    let mut latest: Vec<&PostedEscalation> = Vec::new();
    for posted in escalations {
        if Some(posted.target.as_str()) == by {
            continue;
        }
        match latest.iter_mut().find(|p| p.target == posted.target) {
            Some(slot) => *slot = posted,
            None => latest.push(posted),
        }
    }
    latest
        .into_iter()
        .map(|posted| OutboxMessage {
            // A thread reply is answered in the thread it is in.
            thread_of: Some(posted.thread_of.clone().unwrap_or_else(|| posted.key.clone())),
            ..super::post_message(
                format!("resolved:{}:{}", task.id.0, posted.key),
                "resolution",
                &posted.target,
                &rendered,
            )
        })
        .collect()
}
