//! Replies about how a launch went: a success metric set or recorded (with the support-plan
//! button when it was missed), and the launch's retro.

use crate::slack::wording::{quantity, target};
use liftoff_core::dates::humanize_iso_dates;
use slack_morphism::prelude::*;

use super::actions;
use crate::slack::blocks::{Rendered, button, clip, escape_quiet, packed_sections, section};
use liftoff_core::Launch;
use liftoff_core::launch::SuccessMetric;
use liftoff_core::retro::Retro;

pub(super) fn metric_set(launch: &Launch, metric: &SuccessMetric) -> Rendered {
    let mut text = format!(
        "Success metric *{}* for *{}* (`{}`): target {} by T+{}",
        escape_quiet(&metric.name),
        escape_quiet(&launch.name),
        launch.slug,
        target(metric),
        metric.review_offset_days
    );
    match (metric.actual, metric.met()) {
        (Some(actual), Some(true)) => text.push_str(&format!(
            " · actual {} :white_check_mark: met",
            quantity(actual, &metric.unit)
        )),
        (Some(actual), _) => text.push_str(&format!(" · actual {} :x: missed", quantity(actual, &metric.unit))),
        _ => {}
    }
    let mut blocks = vec![section(&text)];
    if metric.met() == Some(false) {
        text.push_str("\nA missed target usually needs a support plan.");
        let value = format!("{}|{}", launch.id.0, clip(&metric.name, 200));
        blocks.push(
            SlackActionsBlock::new(vec![
                button("Create the support-plan task", actions::SUPPORT_PLAN, &value)
                    .with_style(SlackBlockButtonStyle::Primary)
                    .into(),
            ])
            .into(),
        );
    }
    Rendered::fit(text, blocks, "")
}

pub(super) fn retro(launch: &Launch, retro: &Retro) -> Rendered {
    let mut lines = vec![format!("*Retro: {}* (`{}`)", escape_quiet(&launch.name), launch.slug)];
    if retro.launch_date_moves.is_empty() {
        lines.push("• Launch date held.".to_owned());
    }
    for (from, to) in &retro.launch_date_moves {
        let (from, to) = (
            humanize_iso_dates(from, launch.launch_date),
            humanize_iso_dates(to, launch.launch_date),
        );
        lines.push(format!("• Launch date moved {from} → {to}"));
    }
    lines.push(format!("• Task due dates changed by hand: {}", retro.task_due_changes));
    if retro.blocked_days.is_empty() {
        lines.push("• Nothing was blocked.".to_owned());
    } else {
        let per: Vec<String> = retro.blocked_days.iter().map(|(f, d)| format!("{f} {d}")).collect();
        lines.push(format!("• Working days blocked: {}", per.join(", ")));
    }
    let levels: Vec<String> = retro
        .escalations
        .iter()
        .map(|(level, count)| format!("level {level}: {count}"))
        .collect();
    lines.push(format!(
        "• Escalations: {}",
        if levels.is_empty() {
            "none".to_owned()
        } else {
            levels.join(", ")
        }
    ));
    for metric in &retro.metrics {
        let result = match (metric.actual, metric.met()) {
            (Some(actual), Some(true)) => format!("{} :white_check_mark: met", quantity(actual, &metric.unit)),
            (Some(actual), _) => format!("{} :x: missed", quantity(actual, &metric.unit)),
            (None, _) => "no actual recorded yet".to_owned(),
        };
        lines.push(format!(
            "• {}: target {} → {result}",
            escape_quiet(&metric.name),
            target(metric)
        ));
    }
    Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
}
