//! The daily digest for the PMO channel: most urgent launch first, with deliveries that failed
//! and leads spread too thin.

use crate::slack::markup::Markup;
use chrono::NaiveDate;
use liftoff_core::dates::human;

use super::layout::{part_suffix, split};
use crate::outbound::FailedMessage;
use crate::slack::blocks::{Rendered, clip, escape, escape_quiet, header, packed_sections, section};
use crate::slack::render::{launch_facts, readiness_label};
use crate::slack::wording;
use liftoff_core::digest::LaunchDigest;
use liftoff_core::{Launch, Task};

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
    format!("`{}` {}", task.id, escape_quiet(&clip(&task.title, 60)))
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
            .map(|t| format!("{} (due {}{})", short(t), human(t.due_date, today), owner_suffix(t)))
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
            .map(|t| format!("{} ({})", short(t), human(t.due_date, today)))
            .collect();
        lines.push(format!(":calendar: Due in the next 7 days: {}", items.join(", ")));
    }
    if !digest.missed_metrics.is_empty() {
        let items: Vec<String> = digest
            .missed_metrics
            .iter()
            .map(|m| {
                format!(
                    "{} ({} vs target {})",
                    escape_quiet(&m.name),
                    wording::quantity(m.actual.unwrap_or_default(), &m.unit),
                    wording::target(m)
                )
            })
            .collect();
        lines.push(format!(
            ":chart_with_downwards_trend: Missed metrics: {} — a support-plan task is proposed to the lead",
            items.join(", ")
        ));
    }
    if let Some(tasks) = digest.new_launch {
        lines.push(format!(
            ":sparkles: New launch: *{}* — {tasks} task{}",
            escape_quiet(&launch.name),
            if tasks == 1 { "" } else { "s" }
        ));
    }
    if digest.changes.is_empty() {
        if digest.new_launch.is_none() {
            lines.push("No changes since the last digest.".to_owned());
        }
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
                    wording::change_value_quiet(c.field, c.to.as_deref(), today)
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
