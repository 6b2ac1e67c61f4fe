//! Replies about launches: one created, the list, one in detail (`/launch show`), one edited,
//! the calendar of launch weeks, and a tier's template of tasks.

use crate::slack::markup::Markup;
use crate::slack::wording::change_value;
use crate::slack::wording::{quantity, target};
use chrono::NaiveDate;

use super::widgets::{function_facts, launch_facts, push_task_line, readiness_label};
use crate::slack::blocks::{
    Rendered, SectionPacker, context, divider, escape, escape_quiet, header, packed_sections, section,
};
use crate::views::{CalendarSpan, LaunchDetail};
use liftoff_core::dates::human;
use liftoff_core::readiness::Readiness;
use liftoff_core::template::TemplateTask;
use liftoff_core::{DueDate, DueDateMove, HistoryEntry, Launch, Task, Tier};

pub(super) fn launch_created(
    launch: &Launch,
    lead_is_author: bool,
    tasks: &[Task],
    warnings: &[String],
    today: NaiveDate,
) -> Rendered {
    let mut text = format!(
        ":rocket: Launch *{}* (`{}`) created: {}",
        escape_quiet(&launch.name),
        launch.slug,
        launch_facts(launch, today)
    );
    if lead_is_author {
        text.push_str(&format!(
            "\nNo `lead:` was given, so you lead it; `/launch edit {} lead:@someone` hands it on.",
            launch.slug
        ));
    }
    if !tasks.is_empty() {
        let unowned = tasks.iter().filter(|task| task.owner.is_none()).count();
        let owners = match unowned {
            0 => "each owned by its function's lead".to_owned(),
            n if n == tasks.len() => "none owned yet (their functions have no lead)".to_owned(),
            n => format!("owned by their function's lead, {n} without one"),
        };
        text.push_str(&format!(
            "\n{} template tasks added, {owners}; see `/launch show {}`.",
            tasks.len(),
            launch.slug
        ));
    } else {
        text.push_str(&format!(
            "\nAdd tasks with `/launch task {} &lt;function&gt; &lt;title&gt; owner:@someone due:T-14`.",
            launch.slug
        ));
    }
    text.push_str(&saturation_note(warnings));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

pub(super) fn launch_list(launches: &[(Launch, Readiness)], include_archived: bool, today: NaiveDate) -> Rendered {
    let title = if include_archived {
        "All launches"
    } else {
        "Active launches"
    };
    if launches.is_empty() {
        let text = "No launches yet. Create one with `/launch new <name> tier:<1|2|3> date:<date>`.".to_owned();
        return Rendered::fit(text.clone(), vec![section(&text)], "");
    }
    let lines: Vec<String> = launches
        .iter()
        .map(|(launch, readiness)| {
            format!(
                "*{}* `{}` — {} · {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch_facts(launch, today),
                readiness_label(readiness)
            )
        })
        .collect();
    let text = format!("{title}:\n{}", lines.join("\n"));
    let mut blocks = vec![header(title)];
    blocks.extend(packed_sections(&lines));
    Rendered::fit(text, blocks, "Use `/launch show &lt;launch&gt;` for one launch.")
}

pub(super) fn launch_detail(detail: &LaunchDetail) -> Rendered {
    let LaunchDetail {
        launch,
        tasks,
        readiness,
        metrics,
        functions,
        undelivered,
        roles,
        gonogo,
        today,
    } = detail;
    let mut blocks = vec![
        header(&launch.name),
        section(format!(
            "`{}` · {}\n*Readiness:* {}",
            launch.slug,
            launch_facts(launch, *today),
            readiness_label(&readiness.overall)
        )),
    ];
    // The fallback text, written line by line into one string: the page's lines are in it
    // as in the blocks, and a copy of each to join later was an allocation more per line.
    let mut text = format!(
        "{} (`{}`): {} · {}",
        escape_quiet(&launch.name),
        launch.slug,
        launch_facts(launch, *today),
        readiness_label(&readiness.overall)
    );
    text.reserve(64 * tasks.len());
    let push_text_line = |text: &mut String, line: &str| {
        text.push('\n');
        text.push_str(line);
    };
    if let Some(gonogo) = gonogo {
        let line = gonogo_line(gonogo);
        push_text_line(&mut text, &line);
        blocks.push(section(line));
    }
    if !launch.key_messages.is_empty() {
        blocks.push(section(format!("*Key messages:* {}", escape(&launch.key_messages))));
    }
    if !launch.channel_notes.is_empty() {
        blocks.push(section(format!(
            "*Channels and investment:* {}",
            escape(&launch.channel_notes)
        )));
    }
    if !metrics.is_empty() {
        let lines: Vec<String> = metrics
            .iter()
            .map(|m| {
                let actual = match (m.actual, m.met()) {
                    (Some(actual), Some(true)) => {
                        format!(" · actual {} :white_check_mark:", quantity(actual, &m.unit))
                    }
                    (Some(actual), _) => format!(" · actual {} :x:", quantity(actual, &m.unit)),
                    (None, _) => String::new(),
                };
                format!(
                    "• {}: target {} by T+{}{actual}",
                    escape_quiet(&m.name),
                    target(m),
                    m.review_offset_days
                )
            })
            .collect();
        blocks.push(section(format!("*Success metrics*\n{}", lines.join("\n"))));
    }
    if tasks.is_empty() {
        blocks.push(context(format!(
            "No tasks yet: `/launch task {} &lt;function&gt; &lt;title&gt; owner:@someone due:T-14`",
            launch.slug
        )));
    }
    for function in functions {
        let function_tasks: Vec<&Task> = tasks.iter().filter(|t| t.function == function.name).collect();
        if function_tasks.is_empty() {
            continue;
        }
        let function_readiness = readiness.by_function.get(&function.name).copied().unwrap_or_default();
        blocks.push(divider());
        let heading = format!(
            "*{}* — {} · {}",
            escape(&function.display_name),
            readiness_label(&function_readiness),
            function_facts(function)
        );
        push_text_line(&mut text, &heading);
        let mut sections = SectionPacker::with_capacity(heading.len() + 128 * function_tasks.len());
        sections.push(&heading);
        let mut line = String::with_capacity(256);
        for task in function_tasks {
            line.clear();
            push_task_line(&mut line, task, *today);
            if let Some(assigned) = roles.get(&task.id) {
                let raci: Vec<String> = assigned
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r.role.as_str().chars().next().unwrap_or('?').to_ascii_uppercase(),
                            r.user.mention()
                        )
                    })
                    .collect();
                line.push_str(&format!(" · {}", raci.join(" ")));
            }
            push_text_line(&mut text, &line);
            sections.push(&line);
        }
        blocks.extend(sections.finish());
    }
    if !undelivered.is_empty() {
        let lines: Vec<String> = undelivered
            .iter()
            .map(|f| format!("{} to `{}`: {}", f.kind, f.target, escape(&f.error)))
            .collect();
        let note = format!(":warning: Liftoff could not deliver: {}", lines.join("; "));
        push_text_line(&mut text, &note);
        blocks.push(context(note));
    }
    Rendered::fit(
        text,
        blocks,
        &format!(
            "Use `/launch mine` or the check-ins to work on tasks of `{}`.",
            launch.slug
        ),
    )
}

/// The state of a launch's latest go/no-go, in one line.
fn gonogo_line(gonogo: &liftoff_core::gonogo::GoNoGo) -> String {
    use liftoff_core::gonogo::Verdict;
    match gonogo.verdict() {
        Some(Verdict::Go) => format!("*Go/no-go:* go (every lead, started {})", gonogo.started_on),
        Some(Verdict::NoGo(nays)) => {
            let who: Vec<String> = nays
                .iter()
                .map(|(function, _, reason)| format!("{function}: {}", escape(reason)))
                .collect();
            format!("*Go/no-go:* no-go ({}; started {})", who.join("; "), gonogo.started_on)
        }
        None => {
            let waiting: Vec<String> = gonogo
                .waiting_on()
                .iter()
                .map(|b| format!("{} ({})", b.voter.mention(), b.function))
                .collect();
            format!(
                "*Go/no-go:* under way since {}, waiting on {}",
                gonogo.started_on,
                waiting.join(", ")
            )
        }
    }
}

pub(super) fn launch_edited(
    launch: &Launch,
    changes: &[HistoryEntry],
    moves: &[DueDateMove],
    warnings: &[String],
    today: NaiveDate,
) -> Rendered {
    let mut lines = vec![format!(
        "*{}* (`{}`) updated: {}",
        escape_quiet(&launch.name),
        launch.slug,
        launch_facts(launch, today)
    )];
    for change in changes.iter().filter(|c| c.task_id.is_none()) {
        lines.push(format!(
            "• {}: {} → {}",
            change.field.as_str().replace('_', " "),
            change_value(change.field, change.from.as_deref(), today),
            change_value(change.field, change.to.as_deref(), today)
        ));
    }
    if !moves.is_empty() {
        lines.push(format!("{} task(s) moved with the launch date:", moves.len()));
        for moved in moves {
            let flag = if moved.now_in_past {
                " :warning: now in the past"
            } else {
                ""
            };
            let landed = moved.landed.map_or(String::new(), |landed| {
                format!(
                    " ({} falls on {})",
                    DueDate::Relative(moved.offset),
                    human(landed, today)
                )
            });
            lines.push(format!(
                "• `{}` {} → {}{landed}{flag}",
                moved.task,
                human(moved.from, today),
                human(moved.to, today)
            ));
        }
    }
    let note = saturation_note(warnings);
    if !note.is_empty() {
        lines.push(note.trim_start().to_owned());
    }
    let text = lines.join("\n");
    Rendered::fit(
        text,
        packed_sections(&lines),
        &format!("See `/launch show {}`.", launch.slug),
    )
}

/// Warnings about the launch date (not a working day, crowded week, freeze) as a paragraph,
/// empty when there are none.
fn saturation_note(warnings: &[String]) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let items: Vec<String> = warnings.iter().map(|w| format!("• {}", escape(w))).collect();
    format!("\n:warning: *About this launch date*\n{}", items.join("\n"))
}

pub(super) fn calendar(span: CalendarSpan, weeks: &[(NaiveDate, Vec<Launch>)]) -> Rendered {
    let (title, nothing) = match span {
        CalendarSpan::Weeks { from, weeks } => {
            let last = from + chrono::Duration::days(7 * i64::from(weeks) - 1);
            (
                format!(
                    "*Launch calendar, the next {weeks} weeks* ({} – {})",
                    from.format("%a %-d %b"),
                    last.format("%a %-d %b %Y")
                ),
                format!("No launches in the next {weeks} weeks."),
            )
        }
        CalendarSpan::Quarter { year, quarter } => (
            format!("*Launch calendar, Q{quarter} {year}*"),
            "No launches this quarter.".to_owned(),
        ),
    };
    let mut lines = vec![title];
    if weeks.is_empty() {
        lines.push(nothing);
    }
    for (week, launches) in weeks {
        let items: Vec<String> = launches
            .iter()
            .map(|l| {
                let lead = l.lead.as_ref().map_or(String::new(), |u| format!(", {}", u.mention()));
                format!(
                    "*{}* (`{}`, tier {}, {}{lead})",
                    escape_quiet(&l.name),
                    l.slug,
                    l.tier.number(),
                    l.launch_date.format("%a %-d %b")
                )
            })
            .collect();
        lines.push(format!("• Week of {}: {}", week.format("%-d %b"), items.join("; ")));
    }
    Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
}

pub(super) fn template(tier: Tier, tasks: &[TemplateTask]) -> Rendered {
    let mut lines = vec![format!(
        "*Tier {} template*: {} task(s), due relative to launch day",
        tier.number(),
        tasks.len()
    )];
    for task in tasks {
        let due = liftoff_core::DueDate::Relative(task.offset_days);
        lines.push(format!("• {} · {} · {}", due, task.function, escape_quiet(&task.title)));
    }
    Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
}
