//! Short answers and direct messages: what a thread reply changed, the hint when part of it
//! could not be applied, a metric's review request, and the notice that a message could not
//! be delivered.

use crate::outbound::{OutboxMessage, OutboxMethod};
use crate::slack::blocks::{Rendered, escape, escape_quiet, section};
use crate::slack::wording;
use crate::views::ReplyProblem;
use liftoff_core::{Launch, SlackUserId, TaskId};

/// The request for a success metric's actual, on its review date.
pub fn metric_review(launch: &Launch, metric: &liftoff_core::SuccessMetric) -> Rendered {
    let text = format!(
        ":bar_chart: Time to review *{}* for *{}* (`{}`): the target was {}. Record the actual with \
         `/launch actual {} \"{}\" &lt;value&gt;`.",
        escape_quiet(&metric.name),
        escape_quiet(&launch.name),
        launch.slug,
        wording::target(metric),
        launch.slug,
        escape_quiet(&metric.name)
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The request for the actuals of several success metrics of one launch whose review falls on
/// the same day: one message to the lead, not one per metric. A single metric is asked as
/// [`metric_review`] asks it.
pub fn metric_reviews(launch: &Launch, metrics: &[&liftoff_core::SuccessMetric]) -> Rendered {
    if let [metric] = metrics {
        return metric_review(launch, metric);
    }
    let mut text = format!(
        ":bar_chart: Time to review {} success metrics for *{}* (`{}`):",
        metrics.len(),
        escape_quiet(&launch.name),
        launch.slug
    );
    for metric in metrics {
        text.push_str(&format!(
            "\n• *{}*: the target was {}. `/launch actual {} \"{}\" &lt;value&gt;`",
            escape_quiet(&metric.name),
            wording::quantity(metric.target, &metric.unit),
            launch.slug,
            escape_quiet(&metric.name)
        ));
    }
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The thread answer confirming what a reply changed.
pub fn applied(lines: &[String]) -> Rendered {
    let text = format!(":white_check_mark: Updated: {}", lines.join(" · "));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The ephemeral hint to someone whose reply could not (all) be applied: one line per problem.
pub fn hint(problems: &[ReplyProblem]) -> Rendered {
    let mut text = String::from("I could not apply ");
    text.push_str(if problems.len() == 1 {
        "this line"
    } else {
        "these lines"
    });
    text.push_str(" of your reply:\n");
    for problem in problems {
        let line = match problem {
            ReplyProblem::Unreadable(words) => escape(words),
            ReplyProblem::Refused {
                task: Some(task),
                refusal,
            } => format!("{task}: {}", wording::refusal(refusal)),
            ReplyProblem::Refused { task: None, refusal } => wording::refusal(refusal),
        };
        text.push_str(&format!("• {line}\n"));
    }
    text.push_str(
        "Reply one line per task, e.g. `T12 done`, `T12 on track`, `T12 at risk: vendor late`, \
         `T12 blocked waiting on legal`, `T12 due friday`.",
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The DM telling someone who can fix it that a message to a channel could not be delivered:
/// otherwise a failed digest would only be reported in the next digest, which fails the same way.
pub fn undeliverable(kind: &str, target: &str, reason: &str) -> Rendered {
    let place = if target.starts_with(['C', 'G']) {
        format!("<#{target}>")
    } else {
        format!("`{}`", escape(target))
    };
    let text = format!(
        ":warning: I could not post the {} to {place}: {}",
        escape(kind),
        escape(reason)
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The answers to one reply (delivery `event_id`): one line confirming what it `applied` (each
/// task and what it is now), in the thread it was written in (or the DM), and one hint to its
/// `author` for what could not be applied, seen only by them in a channel (in a DM the
/// conversation is theirs: visibly). Keyed by the delivery, so a redelivery answers once.
pub fn reply_answers(
    event_id: &str,
    channel: &str,
    thread_ts: Option<&str>,
    author: &SlackUserId,
    applied: &[(TaskId, String)],
    problems: &[ReplyProblem],
) -> Vec<OutboxMessage> {
    let mut messages = Vec::new();
    if !applied.is_empty() {
        // One entry per task: `T23 will be late, new date Tuesday` reads back as
        // `T23` at risk, due … rather than naming the task twice.
        let mut per_task: Vec<(TaskId, Vec<&str>)> = Vec::new();
        for (task, what) in applied {
            match per_task.last_mut() {
                Some((last, whats)) if last == task => whats.push(what),
                _ => per_task.push((*task, vec![what])),
            }
        }
        let lines: Vec<String> = per_task
            .iter()
            .map(|(task, whats)| format!("`{task}` {}", escape(&whats.join(", "))))
            .collect();
        messages.push(OutboxMessage {
            thread_ts: thread_ts.map(str::to_owned),
            ..super::post_message(format!("reply:{event_id}"), "reply", channel, &self::applied(&lines))
        });
    }
    if !problems.is_empty() {
        messages.push(OutboxMessage {
            method: match thread_ts {
                Some(_) => OutboxMethod::PostEphemeral,
                None => OutboxMethod::PostMessage,
            },
            recipient: Some(author.as_str().to_owned()),
            thread_ts: thread_ts.map(str::to_owned),
            ..super::post_message(format!("hint:{event_id}"), "hint", channel, &hint(problems))
        });
    }
    messages
}
