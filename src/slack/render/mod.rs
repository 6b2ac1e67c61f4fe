//! Renders [`Reply`] views as Block Kit messages (with a plain-text fallback that carries the
//! essentials: slugs, task ids, statuses) and builds the modals.

use chrono::NaiveDate;
use slack_morphism::prelude::*;

use crate::slack::blocks::{
    Rendered, button, clip, context, divider, escape, escape_quiet, header, limits, packed_sections, plain, section,
};
use crate::views::{LaunchDetail, TaskInLaunch, View};
use liftoff_core::command::Subcommand;
use liftoff_core::readiness::Readiness;
use liftoff_core::{FunctionDef, Launch, StatusKind, Task, TaskId, TaskStatus, Tier};

/// `action_id`s of the per-task buttons; the button's value is the task's number.
pub mod actions {
    pub const DONE: &str = "task_done";
    pub const ON_TRACK: &str = "task_on_track";
    pub const AT_RISK: &str = "task_at_risk";
    pub const BLOCKED: &str = "task_blocked";
    pub const SNOOZE: &str = "task_snooze";
    /// `callback_id` of the modal that asks for a blocker reason.
    pub const BLOCKED_MODAL: &str = "task_blocked_reason";
    /// `callback_id` of the launch creation form.
    pub const NEW_LAUNCH_MODAL: &str = "new_launch";
    /// Escalation actions: acknowledge (value: task), snooze for N working days (value:
    /// `task:days`), snooze until a date (task from the block id).
    pub const ESC_ACK: &str = "esc_ack";
    /// On a missed metric: create the support-plan task (value: `launch id|metric name`).
    pub const SUPPORT_PLAN: &str = "support_plan";
    pub const ESC_SNOOZE: &str = "esc_snooze";
    pub const ESC_SNOOZE_UNTIL: &str = "esc_snooze_until";
    /// Go/no-go answers (value: `round id:function`); No-go opens the reason modal.
    pub const GONOGO_GO: &str = "gonogo_go";
    pub const GONOGO_NO_GO: &str = "gonogo_no_go";
    /// `callback_id` of the modal asking why a function is not ready.
    pub const GONOGO_MODAL: &str = "gonogo_reason";
    /// Block id prefix of a task's row, so a button press can re-render just that row.
    pub const TASK_BLOCK_PREFIX: &str = "task:";
    /// Block and action id of a modal's written reason (blocked task, no-go answer).
    pub const REASON: &str = "reason";
}

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

fn tier_label(tier: Tier) -> String {
    format!("tier {}", tier.number())
}

pub fn launch_facts(launch: &Launch, today: NaiveDate) -> String {
    let lead = launch
        .lead
        .as_ref()
        .map_or("no lead".to_owned(), |l| format!("lead {}", l.mention()));
    let state = match launch.state {
        liftoff_core::LaunchState::Archived => " · archived",
        liftoff_core::LaunchState::Live => " · live",
        liftoff_core::LaunchState::Planned => "",
    };
    format!(
        "{} · launch {} ({}) · {lead}{state}",
        tier_label(launch.tier),
        launch.launch_date,
        launch.t_minus(today)
    )
}

fn status_label(status: &TaskStatus) -> String {
    match status {
        TaskStatus::Blocked { reason } => format!(":no_entry: blocked: {}", escape_quiet(reason)),
        TaskStatus::Done => ":white_check_mark: done".to_owned(),
        TaskStatus::AtRisk => ":warning: at risk".to_owned(),
        TaskStatus::OnTrack => "on track".to_owned(),
        TaskStatus::Todo => "to do".to_owned(),
    }
}

/// One line per task: id, title, owner (mention), due date, status.
pub fn task_line(task: &Task, today: NaiveDate) -> String {
    let owner = task.owner.as_ref().map_or("_unassigned_".to_owned(), |o| o.mention());
    let overdue = if task.is_overdue(today) {
        " :rotating_light: overdue"
    } else {
        ""
    };
    let snoozed = match task.snoozed_until {
        Some(until) if until >= today && task.status.is_open() => format!(" · :zzz: snoozed through {until}"),
        _ => String::new(),
    };
    let due = match task.due_offset_days {
        Some(_) => format!("{} ({})", task.due_date, task.due()),
        None => task.due_date.to_string(),
    };
    format!(
        "`{}` {} — {owner} · due {due}{overdue} · {}{snoozed}",
        task.id,
        escape_quiet(&task.title),
        status_label(&task.status)
    )
}

pub fn readiness_label(readiness: &Readiness) -> String {
    let mut label = format!(
        "{}% ready ({}/{} due by launch day done)",
        readiness.percent(),
        readiness.done,
        readiness.due_by_launch
    );
    if readiness.blocked > 0 {
        label.push_str(&format!(" · {} blocked", readiness.blocked));
    }
    if readiness.overdue > 0 {
        label.push_str(&format!(" · {} overdue", readiness.overdue));
    }
    label
}

fn function_facts(function: &FunctionDef) -> String {
    let channel = function
        .channel
        .as_ref()
        .map_or("no check-in channel yet".to_owned(), |c| {
            format!("check-ins in {}", c.link())
        });
    let lead = function
        .lead
        .as_ref()
        .map_or("no lead yet".to_owned(), |l| format!("lead {}", l.mention()));
    format!("{channel} · {lead}")
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

/// How many blocks [`task_row`] renders for `task`, without rendering it: a line, and a row of
/// buttons while the task is open.
pub fn task_row_blocks(task: &Task) -> usize {
    if task.status.is_open() { 2 } else { 1 }
}

/// A task's line followed by its buttons. Both carry the task's block id prefix so that a
/// button press can re-render exactly this row.
pub fn task_row(task: &Task, line: &str) -> Vec<SlackBlock> {
    let id = task.id.0.to_string();
    let line_block: SlackBlock = SlackSectionBlock::new()
        .with_block_id(SlackBlockId(format!("{}{}", actions::TASK_BLOCK_PREFIX, task.id.0)))
        .with_text(crate::slack::blocks::markdown(crate::slack::blocks::clip(line, limits::SECTION_TEXT)))
        .into();
    if !task.status.is_open() {
        return vec![line_block];
    }
    let mut elements: Vec<SlackActionBlockElement> = Vec::new();
    let kind = task.status.kind();
    if kind != StatusKind::Done {
        elements.push(
            button("Done", actions::DONE, &id)
                .with_style(SlackBlockButtonStyle::Primary)
                .into(),
        );
    }
    if kind != StatusKind::OnTrack {
        elements.push(button("On track", actions::ON_TRACK, &id).into());
    }
    if kind != StatusKind::AtRisk {
        elements.push(button("At risk", actions::AT_RISK, &id).into());
    }
    if kind != StatusKind::Blocked {
        elements.push(
            button("Blocked", actions::BLOCKED, &id)
                .with_style(SlackBlockButtonStyle::Danger)
                .into(),
        );
    }
    elements.push(button("Snooze 1 day", actions::SNOOZE, &id).into());
    let buttons: SlackBlock = SlackActionsBlock::new(elements)
        .with_block_id(SlackBlockId(format!(
            "{}{}:actions",
            actions::TASK_BLOCK_PREFIX,
            task.id.0
        )))
        .into();
    let row = vec![line_block, buttons];
    debug_assert_eq!(row.len(), task_row_blocks(task));
    row
}

/// The tasks whose rows (see [`task_row`]) a message's blocks contain, in order: read from the
/// row block ids, so it holds however the fallback text was clipped.
pub fn task_ids_in(blocks: &[SlackBlock]) -> Vec<TaskId> {
    blocks
        .iter()
        .filter_map(|block| match block {
            SlackBlock::Section(section) => section.block_id.as_ref(),
            _ => None,
        })
        .filter_map(|id| id.0.strip_prefix(actions::TASK_BLOCK_PREFIX))
        .filter_map(|rest| rest.parse::<i64>().ok().map(TaskId))
        .collect()
}

/// The re-rendered row of a task after a button press changed it.
pub fn task_row_after_change(task: &Task, launch: &Launch, today: NaiveDate) -> Vec<SlackBlock> {
    let line = format!(
        "{} — *{}* (`{}`)",
        task_line(task, today),
        escape_quiet(&launch.name),
        launch.slug
    );
    task_row(task, &line)
}

/// A modal's required written reason, read back by its submission under
/// [`actions::REASON`] and checked by `task::written_reason`, whose length it allows.
pub fn reason_input(label: &str, hint: &str) -> SlackInputBlock {
    SlackInputBlock::new(
        plain(label, limits::HEADER_TEXT),
        SlackBlockPlainTextInputElement::new()
            .with_action_id(actions::REASON.into())
            .with_multiline(true)
            .with_max_length(liftoff_core::task::MAX_REASON_CHARS as u64)
            .into(),
    )
    .with_block_id(SlackBlockId(actions::REASON.into()))
    .with_hint(plain(hint, 150))
}

/// The modal asking why a task is blocked. `private_metadata` carries the task and where the
/// button was, so the submission can update that message.
pub fn blocked_modal(task: &Task, metadata: String) -> SlackView {
    let reason = reason_input(
        "Why is it blocked?",
        "Say what or who it waits for, so the right person can unblock it.",
    );
    let blocked_by = SlackInputBlock::new(
        plain("Waiting on another task?", limits::HEADER_TEXT),
        SlackBlockPlainTextInputElement::new()
            .with_action_id("blocked_by".into())
            .with_max_length(12)
            .with_placeholder(plain("e.g. T7", 75))
            .into(),
    )
    .with_block_id(SlackBlockId("blocked_by".into()))
    .with_optional(true)
    .with_hint(plain("Its owner is named when this is escalated.", 150));
    SlackView::Modal(
        SlackModalView::new(
            plain(&format!("Block {}", task.id), limits::MODAL_TITLE),
            vec![
                section(&format!("`{}` {}", task.id, escape_quiet(&task.title))),
                reason.into(),
                blocked_by.into(),
            ],
        )
        .with_submit(plain("Mark blocked", limits::MODAL_TITLE))
        .with_close(plain("Cancel", limits::MODAL_TITLE))
        .with_callback_id(actions::BLOCKED_MODAL.into())
        .with_private_metadata(metadata),
    )
}

/// The launch creation form; validated like the command on submission.
pub fn new_launch_modal(metadata: String) -> SlackView {
    let name = SlackInputBlock::new(
        plain("Name", 150),
        SlackBlockPlainTextInputElement::new()
            .with_action_id("name".into())
            .with_max_length(liftoff_core::launch::MAX_LAUNCH_NAME_CHARS as u64)
            .into(),
    )
    .with_block_id(SlackBlockId("name".into()));
    let tier_options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = [
        ("Tier 1: big campaign", "1"),
        ("Tier 2: standard launch", "2"),
        ("Tier 3: small update", "3"),
    ]
    .iter()
    .map(|(label, value)| SlackBlockChoiceItem::new(plain(label, 75), value.to_string()))
    .collect();
    let tier = SlackInputBlock::new(
        plain("Tier", 150),
        SlackBlockStaticSelectElement::new()
            .with_action_id("tier".into())
            .with_options(tier_options)
            .into(),
    )
    .with_block_id(SlackBlockId("tier".into()));
    let date = SlackInputBlock::new(
        plain("Launch date", 150),
        SlackBlockDatePickerElement::new().with_action_id("date".into()).into(),
    )
    .with_block_id(SlackBlockId("date".into()));
    let lead = SlackInputBlock::new(
        plain("Lead", 150),
        SlackBlockUsersSelectElement::new().with_action_id("lead".into()).into(),
    )
    .with_block_id(SlackBlockId("lead".into()))
    .with_optional(true);
    SlackView::Modal(
        SlackModalView::new(
            plain("New launch", limits::MODAL_TITLE),
            vec![name.into(), tier.into(), date.into(), lead.into()],
        )
        .with_submit(plain("Create", limits::MODAL_TITLE))
        .with_close(plain("Cancel", limits::MODAL_TITLE))
        .with_callback_id(actions::NEW_LAUNCH_MODAL.into())
        .with_private_metadata(metadata),
    )
}

/// Parses the number a task button carries.
pub fn task_id_from_value(value: &str) -> Option<TaskId> {
    TaskId::parse(value).ok()
}
