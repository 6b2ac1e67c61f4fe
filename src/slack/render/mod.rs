//! Renders [`Reply`] views as Block Kit messages (with a plain-text fallback that carries the
//! essentials: slugs, task ids, statuses) and builds the modals.

use chrono::NaiveDate;
use slack_morphism::prelude::*;

use crate::slack::blocks::{
    Rendered, button, clip, context, divider, escape, escape_quiet, header, packed_sections, section,
};
use crate::views::{LaunchDetail, TaskInLaunch, View};
use liftoff_core::command::Subcommand;
use liftoff_core::readiness::Readiness;
use liftoff_core::{Launch, Task};

pub mod actions;
mod codec;
mod modals;
mod widgets;

pub use codec::{task_id_from_value, task_ids_in};
pub use modals::{blocked_modal, new_launch_modal, reason_input};
use widgets::function_facts;
pub use widgets::{launch_facts, readiness_label, task_line, task_row, task_row_after_change, task_row_blocks};

/// Most tasks shown with buttons in one message; the rest are listed as text.
const MAX_TASKS_WITH_BUTTONS: usize = 15;

/// `rendered` followed by `notes`, each as a context line.
pub fn with_notes(rendered: Rendered, notes: &[String]) -> Rendered {
    if notes.is_empty() {
        return rendered;
    }
    let mut text = rendered.text;
    let mut blocks = rendered.blocks;
    for note in notes {
        text.push('\n');
        text.push_str(note);
        blocks.push(context(note));
    }
    Rendered::fit(text, blocks, "")
}

pub fn render(view: &View) -> Rendered {
    match view {
        View::Help { topic: None } => help(),
        View::Help { topic: Some(sub) } => {
            let text = format!("`{}`\n{}", escape(sub.usage()), sub.summary());
            Rendered::fit(text.clone(), vec![section(&text)], "")
        }
        View::Problem { message, usage } => problem(message, *usage),
        View::InternalError => {
            let text =
                "Sorry, something went wrong on Liftoff's side. It has been logged; please try again in a moment.";
            Rendered::fit(text.to_owned(), vec![section(&format!(":warning: {text}"))], "")
        }
        View::NewLaunchForm => {
            let text = "Opening the launch form…";
            Rendered::fit(text.to_owned(), vec![], "")
        }
        View::LaunchCreated {
            launch,
            tasks,
            warnings,
            today,
        } => {
            let mut text = format!(
                ":rocket: Launch *{}* (`{}`) created: {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch_facts(launch, *today)
            );
            if !tasks.is_empty() {
                text.push_str(&format!(
                    "\n{} template tasks added; see `/launch show {}`.",
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
        View::LaunchList {
            launches,
            include_archived,
            today,
        } => launch_list(launches, *include_archived, *today),
        View::LaunchDetail(detail) => launch_detail(detail),
        View::LaunchEdited {
            launch,
            changes,
            moves,
            warnings,
            today,
        } => {
            let mut lines = vec![format!(
                "*{}* (`{}`) updated: {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch_facts(launch, *today)
            )];
            for change in changes.iter().filter(|c| c.task_id.is_none()) {
                lines.push(format!(
                    "• {}: {} → {}",
                    change.field.as_str().replace('_', " "),
                    escape(change.from.as_deref().unwrap_or("—")),
                    escape(change.to.as_deref().unwrap_or("—"))
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
                    lines.push(format!("• `{}` {} → {}{flag}", moved.task, moved.from, moved.to));
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
        View::TaskCreated { item, today } => {
            let text = format!(
                "Task {} added to *{}* (`{}`), {}",
                task_line(&item.task, *today),
                escape_quiet(&item.launch.name),
                item.launch.slug,
                item.task.function
            );
            Rendered::fit(text.clone(), vec![section(&text)], "")
        }
        View::TaskUpdated { item, change, today } => {
            let mut text = format!(
                "{} — {} by {} ({}: {} → {})",
                task_line(&item.task, *today),
                escape_quiet(&item.launch.name),
                change.actor,
                change.field.as_str(),
                escape(change.from.as_deref().unwrap_or("—")),
                escape(change.to.as_deref().unwrap_or("—")),
            );
            if let Some(note) = &change.note {
                text.push_str(&format!("\n> {}", escape(note)));
            }
            Rendered::fit(text.clone(), vec![section(&text)], "")
        }
        View::FunctionUpdated { function } => {
            let text = format!("*{}*: {}", escape(&function.display_name), function_facts(function));
            Rendered::fit(text.clone(), vec![section(&text)], "")
        }
        View::MyTasks { user, items, today } => my_tasks(user.mention(), items, *today),
        View::Retro { launch, retro } => {
            let mut lines = vec![format!("*Retro: {}* (`{}`)", escape_quiet(&launch.name), launch.slug)];
            if retro.launch_date_moves.is_empty() {
                lines.push("• Launch date held.".to_owned());
            }
            for (from, to) in &retro.launch_date_moves {
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
                    (Some(actual), Some(true)) => format!("{actual}{} :white_check_mark: met", escape(&metric.unit)),
                    (Some(actual), _) => format!("{actual}{} :x: missed", escape(&metric.unit)),
                    (None, _) => "no actual recorded yet".to_owned(),
                };
                lines.push(format!(
                    "• {}: target {}{} → {result}",
                    escape_quiet(&metric.name),
                    metric.target,
                    escape(&metric.unit)
                ));
            }
            Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
        }
        View::Calendar { label, weeks } => {
            let mut lines = vec![format!("*Launch calendar, {label}*")];
            if weeks.is_empty() {
                lines.push("No launches this quarter.".to_owned());
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
        View::Template { tier, tasks } => {
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
        View::MetricSet { launch, metric } => {
            let mut text = format!(
                "Success metric *{}* for *{}* (`{}`): target {}{} by T+{}",
                escape_quiet(&metric.name),
                escape_quiet(&launch.name),
                launch.slug,
                metric.target,
                escape(&metric.unit),
                metric.review_offset_days
            );
            match (metric.actual, metric.met()) {
                (Some(actual), Some(true)) => text.push_str(&format!(
                    " · actual {actual}{} :white_check_mark: met",
                    escape(&metric.unit)
                )),
                (Some(actual), _) => text.push_str(&format!(" · actual {actual}{} :x: missed", escape(&metric.unit))),
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
        View::Workload {
            people,
            leads,
            max_per_lead,
        } => {
            let mut lines = vec!["*Open tasks per person*".to_owned()];
            if people.is_empty() {
                lines.push("Nobody owns an open task.".to_owned());
            }
            for (user, open, overdue) in people {
                let overdue = if *overdue > 0 {
                    format!(" ({overdue} overdue)")
                } else {
                    String::new()
                };
                lines.push(format!("• {}: {open} open{overdue}", user.mention()));
            }
            lines.push("*Active launches per lead*".to_owned());
            for (lead, count) in leads {
                let flag = if count > max_per_lead {
                    " :warning: spread too thin"
                } else {
                    ""
                };
                lines.push(format!("• {}: {count}{flag}", lead.mention()));
            }
            Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
        }
        View::Escalations { items, today } => {
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
                        task_line(&item.task, *today),
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
        View::GoNoGoStarted {
            launch,
            gonogo,
            leaderless,
            pmo,
        } => {
            let asked: Vec<String> = gonogo
                .ballots
                .iter()
                .map(|b| format!("{} ({})", b.voter.mention(), b.function))
                .collect();
            let mut to: Vec<String> = launch.lead.iter().map(|l| l.mention()).collect();
            to.extend(pmo.iter().map(|c| c.link()));
            if to.is_empty() {
                to.push("you".to_owned());
            }
            let mut text = format!(
                ":vertical_traffic_light: Go/no-go started for *{}* (`{}`): asked {}. The result goes to {} once \
                 everyone has answered; leads who have not answered are reminded each working day.",
                escape_quiet(&launch.name),
                launch.slug,
                asked.join(", "),
                to.join(" and ")
            );
            if !leaderless.is_empty() {
                let names: Vec<String> = leaderless.iter().map(ToString::to_string).collect();
                text.push_str(&format!(
                    "\nNot asked, no lead set: {} (`/launch lead &lt;function&gt; @user`).",
                    names.join(", ")
                ));
            }
            Rendered::fit(text.clone(), vec![section(&text)], "")
        }
        View::GoNoGoVoted {
            launch,
            gonogo,
            function,
            vote,
            today,
        } => crate::slack::render_gonogo::voted(gonogo, launch, function, vote, *today),
        View::Notice(message) => Rendered::fit(message.clone(), vec![section(&escape(message))], ""),
    }
}

/// Saturation warnings as a paragraph, empty when there are none.
fn saturation_note(warnings: &[String]) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let items: Vec<String> = warnings.iter().map(|w| format!("• {}", escape(w))).collect();
    format!("\n:warning: *Launch saturation*\n{}", items.join("\n"))
}

fn help() -> Rendered {
    let mut lines = vec!["*Liftoff* runs the PMO side of your launches. Commands:".to_owned()];
    for sub in Subcommand::ALL {
        lines.push(format!("`{}` — {}", escape(sub.usage()), sub.summary()));
    }
    lines.push(
        "Dates: `2026-12-04`, `today`, `tomorrow`, `friday`, `+3d`, `+2w`, and for tasks `T-14` / `T+7` \
         (days from launch day). Launches by slug or id, tasks as `T12`."
            .to_owned(),
    );
    let text = lines.join("\n");
    let mut blocks = vec![header("Liftoff — /launch")];
    blocks.extend(packed_sections(&lines));
    Rendered::fit(text, blocks, "")
}

fn problem(message: &str, usage: Option<Subcommand>) -> Rendered {
    let usage_line = match usage {
        Some(sub) => format!("Usage: `{}`", escape(sub.usage())),
        None => "See `/launch help` for what Liftoff understands.".to_owned(),
    };
    let text = format!(":warning: {}\n{usage_line}", escape(message));
    Rendered::fit(
        text,
        vec![section(&format!(":warning: {}", escape(message))), context(&usage_line)],
        "",
    )
}

fn launch_list(launches: &[(Launch, Readiness)], include_archived: bool, today: NaiveDate) -> Rendered {
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

fn launch_detail(detail: &LaunchDetail) -> Rendered {
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
        section(&format!(
            "`{}` · {}\n*Readiness:* {}",
            launch.slug,
            launch_facts(launch, *today),
            readiness_label(&readiness.overall)
        )),
    ];
    let mut text_lines = vec![format!(
        "{} (`{}`): {} · {}",
        escape_quiet(&launch.name),
        launch.slug,
        launch_facts(launch, *today),
        readiness_label(&readiness.overall)
    )];
    if let Some(gonogo) = gonogo {
        let line = gonogo_line(gonogo);
        text_lines.push(line.clone());
        blocks.push(section(&line));
    }
    if !launch.key_messages.is_empty() {
        blocks.push(section(&format!("*Key messages:* {}", escape(&launch.key_messages))));
    }
    if !launch.channel_notes.is_empty() {
        blocks.push(section(&format!(
            "*Channels and investment:* {}",
            escape(&launch.channel_notes)
        )));
    }
    if !metrics.is_empty() {
        let lines: Vec<String> = metrics
            .iter()
            .map(|m| {
                let actual = match (m.actual, m.met()) {
                    (Some(actual), Some(true)) => format!(" · actual {actual}{} :white_check_mark:", escape(&m.unit)),
                    (Some(actual), _) => format!(" · actual {actual}{} :x:", escape(&m.unit)),
                    (None, _) => String::new(),
                };
                format!(
                    "• {}: target {}{} by T+{}{actual}",
                    escape_quiet(&m.name),
                    m.target,
                    escape(&m.unit),
                    m.review_offset_days
                )
            })
            .collect();
        blocks.push(section(&format!("*Success metrics*\n{}", lines.join("\n"))));
    }
    if tasks.is_empty() {
        blocks.push(context(&format!(
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
        let mut lines = vec![heading.clone()];
        text_lines.push(heading);
        for task in function_tasks {
            let mut line = task_line(task, *today);
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
            text_lines.push(line.clone());
            lines.push(line);
        }
        blocks.extend(packed_sections(&lines));
    }
    if !undelivered.is_empty() {
        let lines: Vec<String> = undelivered
            .iter()
            .map(|f| format!("{} to `{}`: {}", f.kind, f.target, escape(&f.error)))
            .collect();
        let note = format!(":warning: Liftoff could not deliver: {}", lines.join("; "));
        text_lines.push(note.clone());
        blocks.push(context(&note));
    }
    Rendered::fit(
        text_lines.join("\n"),
        blocks,
        &format!(
            "Use `/launch mine` or the check-ins to work on tasks of `{}`.",
            launch.slug
        ),
    )
}

fn my_tasks(mention: String, items: &[TaskInLaunch], today: NaiveDate) -> Rendered {
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
