//! Block Kit for the PMO loop: check-in messages, the digest, nudges, and the answers to
//! thread replies. Long content is split across messages, never truncated silently.

use chrono::NaiveDate;
use serde_json::json;
use slack_morphism::prelude::SlackBlock;

use super::blocks::{Rendered, context, escape, escape_quiet, header, limits, packed_sections, section, text_chars};
use super::render::{launch_facts, readiness_label, task_line, task_row, task_row_blocks};
use crate::store::{FailedMessage, OutboxMessage, OutboxMethod, Payload};
use liftoff_core::checkin::FunctionRound;
use liftoff_core::digest::LaunchDigest;
use liftoff_core::{FunctionDef, Launch, Task};

/// Blocks kept free in each message for its heading.
const HEADING_BLOCKS: usize = 2;
/// Characters of text kept free in each message for its heading (a header and a context line).
const HEADING_CHARS: usize = 600;

/// What a unit of content costs a message: blocks, and characters of text (an upper bound, so
/// that a message laid out by it is within Slack's caps once rendered).
#[derive(Debug, Clone, Copy)]
struct Cost {
    blocks: usize,
    chars: usize,
}

/// Splits units (groups of blocks that belong together, with their fallback lines) into
/// messages within the block and text limits. Every message gets `heading(part, parts)` first.
/// A unit too big for one message on its own is cut between its blocks.
fn split(
    units: Vec<(Vec<SlackBlock>, Vec<String>)>,
    heading: impl Fn(usize, usize) -> (Vec<SlackBlock>, String),
) -> Vec<Rendered> {
    let budget_chars = limits::BLOCK_TEXT - HEADING_CHARS;
    let budget_blocks = limits::MESSAGE_BLOCKS - HEADING_BLOCKS;
    let mut pieces = Vec::with_capacity(units.len());
    for (blocks, lines) in units {
        let chars: Vec<usize> = blocks.iter().map(text_chars).collect();
        if blocks.len() <= budget_blocks && chars.iter().sum::<usize>() <= budget_chars {
            pieces.push((blocks, lines));
            continue;
        }
        // The fallback text goes with the first piece; it is a notification, clipped anyway.
        let mut lines = Some(lines);
        let mut piece = Vec::new();
        let mut used = 0;
        for (block, size) in blocks.into_iter().zip(chars) {
            if !piece.is_empty() && (used + size > budget_chars || piece.len() == budget_blocks) {
                pieces.push((std::mem::take(&mut piece), lines.take().unwrap_or_default()));
                used = 0;
            }
            used += size;
            piece.push(block);
        }
        pieces.push((piece, lines.take().unwrap_or_default()));
    }
    split_lazily(
        pieces,
        |(blocks, _)| Cost {
            blocks: blocks.len(),
            chars: blocks.iter().map(text_chars).sum(),
        },
        |unit| unit,
        heading,
    )
    .collect()
}

/// [`split`] for units not yet rendered: lays them out from `cost_of` (what a unit renders to,
/// at most) and renders each message only when it is asked for. A check-in round of 100k tasks
/// so never holds more than one message's Block Kit in memory.
fn split_lazily<U>(
    units: Vec<U>,
    cost_of: impl Fn(&U) -> Cost,
    mut render: impl FnMut(U) -> (Vec<SlackBlock>, Vec<String>),
    heading: impl Fn(usize, usize) -> (Vec<SlackBlock>, String),
) -> impl Iterator<Item = Rendered> {
    let budget = Cost {
        blocks: limits::MESSAGE_BLOCKS - HEADING_BLOCKS,
        chars: limits::BLOCK_TEXT - HEADING_CHARS,
    };
    // Units per message: a unit starts a new message when it would overflow a non-empty one.
    let mut per_part = vec![0_usize];
    let mut used = Cost { blocks: 0, chars: 0 };
    for unit in &units {
        let cost = cost_of(unit);
        if used.blocks > 0 && (used.blocks + cost.blocks > budget.blocks || used.chars + cost.chars > budget.chars) {
            per_part.push(0);
            used = Cost { blocks: 0, chars: 0 };
        }
        *per_part.last_mut().expect("one part at least") += 1;
        used.blocks += cost.blocks;
        used.chars += cost.chars;
    }
    let count = per_part.len();
    let mut units = units.into_iter();
    per_part.into_iter().enumerate().map(move |(index, taken)| {
        let (mut all, mut text) = heading(index + 1, count);
        for unit in units.by_ref().take(taken) {
            let (blocks, lines) = render(unit);
            all.extend(blocks);
            for line in lines {
                text.push('\n');
                text.push_str(&line);
            }
        }
        Rendered::fit(text, all, "")
    })
}

/// An upper bound of the characters `text` takes once escaped (bytes bound characters, and
/// each escape adds at most four).
fn escaped_len(text: &str) -> usize {
    text.len() + 4 * text.matches(['&', '<', '>']).count()
}

/// An upper bound of the text a task's check-in row carries, without rendering it: the title
/// and blocked reason, escaped, plus the id, owner, dates, labels and button texts around them
/// (well under 250 characters).
fn task_row_chars_bound(task: &Task) -> usize {
    escaped_len(&task.title) + task.status.reason().map_or(0, escaped_len) + 250
}

fn part_suffix(part: usize, parts: usize) -> String {
    if parts > 1 {
        format!(" ({part}/{parts})")
    } else {
        String::new()
    }
}

/// A launch's title or one of its tasks, in a check-in.
enum CheckinUnit<'a> {
    Launch(&'a Launch),
    Task(&'a Task),
}

/// The messages of one function's check-in: its open tasks grouped by launch, with buttons.
/// Rendered one message at a time, as they are taken (see [`split_lazily`]).
pub fn checkin<'a>(
    function: &'a FunctionDef,
    round: &'a FunctionRound<'_>,
    day_label: &'a str,
    today: NaiveDate,
) -> impl Iterator<Item = Rendered> + 'a {
    let mut units = Vec::with_capacity(round.launches.len() + round.task_count());
    for (launch, tasks) in &round.launches {
        units.push(CheckinUnit::Launch(launch));
        units.extend(tasks.iter().map(|task| CheckinUnit::Task(task)));
    }
    let cost_of = |unit: &CheckinUnit| match unit {
        CheckinUnit::Launch(launch) => Cost {
            blocks: 1,
            chars: escaped_len(&launch.name) + 80,
        },
        CheckinUnit::Task(task) => Cost {
            blocks: task_row_blocks(task),
            chars: task_row_chars_bound(task),
        },
    };
    let render = move |unit: CheckinUnit| match unit {
        CheckinUnit::Launch(launch) => {
            let title = format!(
                "*{}* (`{}`) · {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch.t_minus(today)
            );
            (vec![section(&title)], vec![title])
        }
        CheckinUnit::Task(task) => {
            let line = task_line(task, today);
            (task_row(task, &line), vec![line])
        }
    };
    let name = &function.display_name;
    split_lazily(units, cost_of, render, move |part, parts| {
        let title = format!("{name} check-in — {day_label}{}", part_suffix(part, parts));
        let intro = "How do these stand? Reply in this thread, one line per task: `T12 done`, `T12 on track`, \
                     `T12 at risk: why`, `T12 blocked on what`, `T12 due friday` — or use the buttons.";
        (vec![header(&title), context(intro)], format!("{title}\n{intro}"))
    })
}

/// The daily digest, most urgent launch first, plus deliveries that failed.
pub fn digest(
    launches: &[LaunchDigest],
    failed: &[FailedMessage],
    thin_leads: &[(liftoff_core::SlackUserId, usize)],
    day_label: &str,
    today: NaiveDate,
) -> Vec<Rendered> {
    let mut units = Vec::new();
    if launches.is_empty() {
        let line = "No active launches.".to_owned();
        units.push((vec![section(&line)], vec![line]));
    }
    for digest in launches {
        let lines = digest_lines(digest, today);
        units.push((packed_sections(&lines), lines));
    }
    if !thin_leads.is_empty() {
        let items: Vec<String> = thin_leads
            .iter()
            .map(|(lead, count)| format!("{} leads {count} active launches", lead.mention()))
            .collect();
        let line = format!(":warning: Spread too thin: {}", items.join("; "));
        units.push((vec![section(&line)], vec![line]));
    }
    if !failed.is_empty() {
        let mut lines = vec![":warning: *Messages Liftoff could not deliver*".to_owned()];
        lines.extend(
            failed
                .iter()
                .take(10)
                .map(|f| format!("• {} to `{}`: {}", f.kind, f.target, escape(&f.error))),
        );
        units.push((packed_sections(&lines), lines));
    }
    split(units, |part, parts| {
        let title = format!("Launch digest — {day_label}{}", part_suffix(part, parts));
        (vec![header(&title)], title)
    })
}

fn short(task: &Task) -> String {
    format!("`{}` {}", task.id, escape_quiet(&super::blocks::clip(&task.title, 60)))
}

fn digest_lines(digest: &LaunchDigest, today: NaiveDate) -> Vec<String> {
    let launch: &Launch = &digest.launch;
    let mut lines = vec![format!(
        "*{}* (`{}`) — {} · {}",
        escape_quiet(&launch.name),
        launch.slug,
        launch_facts(launch, today),
        readiness_label(&digest.readiness.overall)
    )];
    let counts: Vec<String> = digest
        .counts
        .iter()
        .map(|(function, c)| {
            format!(
                "{function}: {} to do · {} on track · {} at risk · {} blocked · {} done",
                c[0], c[1], c[2], c[3], c[4]
            )
        })
        .collect();
    lines.extend(counts.into_iter().map(|c| format!("• {c}")));
    if !digest.overdue.is_empty() {
        let items: Vec<String> = digest
            .overdue
            .iter()
            .map(|t| format!("{} (due {}{})", short(t), t.due_date, owner_suffix(t)))
            .collect();
        lines.push(format!(":rotating_light: Overdue: {}", items.join(", ")));
    }
    if !digest.blocked.is_empty() {
        let items: Vec<String> = digest
            .blocked
            .iter()
            .map(|b| {
                format!(
                    "{} — {} ({} working day{}{})",
                    short(&b.task),
                    escape_quiet(b.task.status.reason().unwrap_or_default()),
                    b.working_days,
                    if b.working_days == 1 { "" } else { "s" },
                    owner_suffix(&b.task)
                )
            })
            .collect();
        lines.push(format!(":no_entry: Blocked: {}", items.join("; ")));
    }
    if !digest.due_soon.is_empty() {
        let items: Vec<String> = digest
            .due_soon
            .iter()
            .map(|t| format!("{} ({})", short(t), t.due_date))
            .collect();
        lines.push(format!(":calendar: Due in the next 7 days: {}", items.join(", ")));
    }
    if !digest.missed_metrics.is_empty() {
        let items: Vec<String> = digest
            .missed_metrics
            .iter()
            .map(|m| {
                format!(
                    "{} ({}{} vs target {}{})",
                    escape_quiet(&m.name),
                    m.actual.unwrap_or_default(),
                    escape(&m.unit),
                    m.target,
                    escape(&m.unit)
                )
            })
            .collect();
        lines.push(format!(
            ":chart_with_downwards_trend: Missed metrics: {} — a support-plan task is proposed to the lead",
            items.join(", ")
        ));
    }
    if digest.changes.is_empty() {
        lines.push("No changes since the last digest.".to_owned());
    } else {
        let mut shown: Vec<String> = digest
            .changes
            .iter()
            .rev()
            .take(5)
            .map(|c| {
                let task = c.task_id.map(|t| format!("`{t}` ")).unwrap_or_default();
                format!(
                    "{task}{} → {}",
                    c.field.as_str().replace('_', " "),
                    escape_quiet(c.to.as_deref().unwrap_or("—"))
                )
            })
            .collect();
        shown.reverse();
        let more = digest.changes.len().saturating_sub(5);
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        lines.push(format!("Changes since the last digest: {}{more}", shown.join("; ")));
    }
    lines
}

fn owner_suffix(task: &Task) -> String {
    task.owner
        .as_ref()
        .map(|o| format!(", {}", o.mention()))
        .unwrap_or_default()
}

/// The direct message nudging someone who has not answered a check-in.
pub fn nudge(user_mention: &str, tasks: &[(Task, Launch)], today: NaiveDate) -> Rendered {
    let intro = format!(
        "Hi {user_mention} — today's check-in is waiting for your update on {} task{}. \
         Use the buttons, or reply in the check-in thread.",
        tasks.len(),
        if tasks.len() == 1 { "" } else { "s" }
    );
    let mut blocks = vec![section(&intro)];
    let mut lines = vec![intro.clone()];
    for (task, launch) in tasks.iter().take(20) {
        let line = format!(
            "{} — *{}* (`{}`)",
            task_line(task, today),
            escape_quiet(&launch.name),
            launch.slug
        );
        blocks.extend(task_row(task, &line));
        lines.push(line);
    }
    Rendered::fit(lines.join("\n"), blocks, "Use `/launch mine` for the rest.")
}

/// Who and what an escalation message names.
pub struct EscalationView<'a> {
    pub task: &'a Task,
    pub launch: &'a Launch,
    pub level: liftoff_core::escalation::Level,
    pub overdue_days: i64,
    pub blocked_days: i64,
    /// People to mention: owner, function lead, launch lead, blocking task's owner.
    pub mentions: Vec<String>,
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
        (false, 0) => format!("due {} (the next working day)", task.due_date),
        (false, days) => format!(
            "overdue by {days} working day{} (due {})",
            if days == 1 { "" } else { "s" },
            task.due_date
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
    let mut mentions: Vec<&str> = Vec::new();
    for mention in &view.mentions {
        if !mentions.contains(&mention.as_str()) {
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
        .map(|(label, days)| SlackBlockChoiceItem::new(super::blocks::plain(label, 75), format!("{id}:{days}")))
        .collect();
    let snooze = SlackBlockStaticSelectElement::new()
        .with_action_id(super::render::actions::ESC_SNOOZE.into())
        .with_placeholder(super::blocks::plain("Snooze…", 75))
        .with_options(options);
    let until = SlackBlockDatePickerElement::new()
        .with_action_id(super::render::actions::ESC_SNOOZE_UNTIL.into())
        .with_placeholder(super::blocks::plain("Snooze until…", 75));
    SlackActionsBlock::new(vec![
        super::blocks::button("Acknowledge", super::render::actions::ESC_ACK, &id)
            .with_style(SlackBlockButtonStyle::Primary)
            .into(),
        snooze.into(),
        until.into(),
    ])
    .with_block_id(SlackBlockId(format!(
        "{}{}:esc",
        super::render::actions::TASK_BLOCK_PREFIX,
        task.id.0
    )))
    .into()
}

/// The request for a success metric's actual, on its review date.
pub fn metric_review(launch: &Launch, metric: &liftoff_core::SuccessMetric) -> Rendered {
    let text = format!(
        ":bar_chart: Time to review *{}* for *{}* (`{}`): the target was {}{}. Record the actual with \
         `/launch actual {} \"{}\" <value>`.",
        escape_quiet(&metric.name),
        escape_quiet(&launch.name),
        launch.slug,
        metric.target,
        escape(&metric.unit),
        launch.slug,
        escape_quiet(&metric.name)
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The thread answer confirming what a reply changed.
pub fn applied(lines: &[String]) -> Rendered {
    let text = format!(":white_check_mark: Updated: {}", lines.join(" · "));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The ephemeral hint to someone whose reply could not (all) be applied.
pub fn hint(problems: &[String]) -> Rendered {
    let mut text = String::from("I could not apply ");
    text.push_str(if problems.len() == 1 {
        "this line"
    } else {
        "these lines"
    });
    text.push_str(" of your reply:\n");
    for problem in problems {
        text.push_str(&format!("• {}\n", escape(problem)));
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

/// A `chat.postMessage` of `rendered` to `target` (a channel, or a person for a direct
/// message), keyed `key`; set `thread_of` on it to reply in a thread.
pub fn post_message(key: String, kind: &str, target: &str, rendered: &Rendered) -> OutboxMessage {
    OutboxMessage {
        key,
        kind: kind.to_owned(),
        method: OutboxMethod::PostMessage,
        target: target.to_owned(),
        recipient: None,
        thread_ts: None,
        thread_of: None,
        payload: payload(rendered),
    }
}

/// The outbox payload of a rendered message: `{text, blocks}`, serialized once.
pub fn payload(rendered: &Rendered) -> Payload {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        text: &'a str,
        blocks: &'a [SlackBlock],
    }
    let body = Body {
        text: &rendered.text,
        blocks: &rendered.blocks,
    };
    Payload::of(&body).unwrap_or_else(|err| {
        // Block Kit types always serialize; should one not, the fallback text still goes out.
        tracing::error!(error = %err, "cannot serialize a message's blocks; sending its text only");
        Payload::from(json!({ "text": rendered.text }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use liftoff_core::fixtures::{date, launch, task};
    use liftoff_core::{FunctionCatalog, FunctionName, TaskStatus, Tier};

    /// The lazy layout must agree with what rendering gives: every message within Slack's
    /// block limit, every task in exactly one message, parts numbered `(k/n)`.
    #[test]
    fn a_long_check_in_is_laid_out_within_the_block_limit() {
        let launches: Vec<_> = (1..=3).map(|id| launch(id, Tier::Two, "2026-12-18")).collect();
        let tasks: Vec<_> = (1..=90)
            .map(|id| {
                let status = if id % 11 == 0 {
                    TaskStatus::Done
                } else {
                    TaskStatus::Todo
                };
                task(id, 1 + id % 3, "sales", "2026-12-01", status)
            })
            .collect();
        let round = FunctionRound {
            function: FunctionName::parse("sales").unwrap(),
            launches: launches
                .iter()
                .map(|l| (l, tasks.iter().filter(|t| t.launch_id == l.id).collect()))
                .collect(),
        };
        let catalog = FunctionCatalog::builtin();
        let sales = catalog.get(&round.function).unwrap();
        let parts: Vec<Rendered> = checkin(sales, &round, "Mon 23 Nov", date("2026-11-23")).collect();
        assert!(parts.len() >= 4, "90 tasks of two blocks each: {}", parts.len());
        for (index, part) in parts.iter().enumerate() {
            assert!(part.blocks.len() <= limits::MESSAGE_BLOCKS, "{}", part.blocks.len());
            assert!(part.text.contains(&format!("({}/{})", index + 1, parts.len())));
        }
        let mut listed: Vec<i64> = parts
            .iter()
            .flat_map(|p| crate::slack::render::task_ids_in(&p.blocks))
            .map(|id| id.0)
            .collect();
        listed.sort();
        assert_eq!(listed, (1..=90).collect::<Vec<_>>());
    }
}
