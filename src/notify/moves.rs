//! The notice that a launch moved: one message to each function channel whose tasks moved and
//! one direct message to each owner whose dates moved, each listing its tasks old → new. One
//! message per place, not one per task, so a launch with forty template tasks slipping a week
//! is four channel posts and a DM per person, not a flood.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::outbound::OutboxMessage;
use crate::slack::blocks::{Rendered, escape_quiet, packed_sections};
use crate::slack::markup::Markup;
use liftoff_core::dates::human;
use liftoff_core::{DueDate, DueDateMove, FunctionDef, Launch, SlackUserId, Task};

/// A launch that moved from `from` to its current date, by `actor`, and its tasks that moved
/// with it (each with the task as it was before the move, for its title, function and owner).
pub struct LaunchMove<'a> {
    pub launch: &'a Launch,
    pub from: NaiveDate,
    pub actor: &'a SlackUserId,
    pub moved: Vec<(&'a Task, &'a DueDateMove)>,
    pub today: NaiveDate,
}

/// The messages telling everyone whose dates moved: each function channel (of `functions`)
/// with moved tasks, and each owner except the person who moved the launch, who already has
/// the answer to their own command. Keyed by the launch's new version, so a redelivered or
/// retried edit enqueues nothing twice.
pub fn launch_moved(change: &LaunchMove<'_>, functions: &[FunctionDef]) -> Vec<OutboxMessage> {
    let mut by_channel: BTreeMap<&str, Vec<&(&Task, &DueDateMove)>> = BTreeMap::new();
    let mut by_owner: BTreeMap<&str, Vec<&(&Task, &DueDateMove)>> = BTreeMap::new();
    for item in &change.moved {
        let task = item.0;
        if let Some(channel) = functions
            .iter()
            .find(|f| f.name == task.function)
            .and_then(|f| f.channel.as_ref())
        {
            by_channel.entry(channel.as_str()).or_default().push(item);
        }
        if let Some(owner) = task.owner.as_ref().filter(|owner| *owner != change.actor) {
            by_owner.entry(owner.as_str()).or_default().push(item);
        }
    }
    let launch = change.launch;
    let key = |target: &str| format!("moved:{}:v{}:{target}", launch.id.0, launch.version);
    // What moved, said the same way to a channel and to an owner.
    let moved = format!(
        ":calendar: *{}* (`{}`) moved from {} to {} (by {})",
        escape_quiet(&launch.name),
        launch.slug,
        human(change.from, change.today),
        human(launch.launch_date, change.today),
        change.actor.mention(),
    );
    let mut messages = Vec::new();
    for (channel, items) in by_channel {
        let heading = format!("{moved}; {} moved with it:", count(items.len()));
        let rendered = render(heading, &items, launch, change.today, true);
        messages.push(super::post_message(key(channel), "launch_moved", channel, &rendered));
    }
    for (owner, items) in by_owner {
        let heading = format!("{moved}, so {} of yours moved with it:", count(items.len()));
        let rendered = render(heading, &items, launch, change.today, false);
        messages.push(super::post_message(key(owner), "launch_moved", owner, &rendered));
    }
    messages
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

/// The heading and one line per task: `T12` title: old → new, where a weekend or holiday moved
/// it (`T-5 falls on Sun 20 Dec`) and when the new date has already passed. Owners are named
/// without a mention in channels: each owner hears it in their own DM.
fn render(
    heading: String,
    items: &[&(&Task, &DueDateMove)],
    launch: &Launch,
    today: NaiveDate,
    name_owner: bool,
) -> Rendered {
    let mut lines = vec![heading];
    for (task, moved) in items {
        let owner = match (&task.owner, name_owner) {
            (Some(owner), true) => format!(" (@{owner})"),
            (None, true) => " (_unassigned_)".to_owned(),
            _ => String::new(),
        };
        let landed = moved.landed.map_or(String::new(), |landed| {
            format!(
                " ({} falls on {})",
                DueDate::Relative(moved.offset),
                human(landed, today)
            )
        });
        let past = if moved.now_in_past {
            " :warning: already past"
        } else {
            ""
        };
        lines.push(format!(
            "• `{}` {}{owner}: {} → {}{landed}{past}",
            task.id,
            escape_quiet(&task.title),
            human(moved.from, today),
            human(moved.to, today)
        ));
    }
    let text = lines.join("\n");
    Rendered::fit(
        text,
        packed_sections(&lines),
        &format!("See `/launch show {}`.", launch.slug),
    )
}
