//! Renders [`Reply`] views as Block Kit messages (with a plain-text fallback that carries the
//! essentials: slugs, task ids, statuses) and builds the modals.

use crate::slack::blocks::{Rendered, context};
use crate::slack::markup::Markup;
use crate::views::View;

pub mod actions;
mod codec;
pub mod gonogo;
mod help;
mod launches;
mod modals;
mod reviews;
mod tasks;
mod teams;
mod votes;
mod widgets;

pub use codec::{task_id_from_value, task_ids_in};
pub use modals::{blocked_modal, new_launch_modal, reason_input};
pub use widgets::{
    due_note_text, due_with_note, launch_facts, patch_task_rows, readiness_label, task_line, task_row,
    task_row_after_change, task_row_blocks,
};

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
        View::Help { topic: None } => help::help(),
        View::Help { topic: Some(sub) } => help::help_topic(*sub),
        View::Problem { message, usage } => help::problem(message, *usage),
        View::InternalError => help::internal_error(),
        View::NewLaunchForm => help::new_launch_form(),
        View::LaunchCreated {
            launch,
            lead_is_author,
            tasks,
            warnings,
            today,
        } => launches::launch_created(launch, *lead_is_author, tasks, warnings, *today),
        View::LaunchList {
            launches,
            include_archived,
            today,
        } => launches::launch_list(launches, *include_archived, *today),
        View::LaunchDetail(detail) => launches::launch_detail(detail),
        View::LaunchEdited {
            launch,
            changes,
            moves,
            warnings,
            today,
        } => launches::launch_edited(launch, changes, moves, warnings, *today),
        View::FunctionAssigned {
            launch,
            function,
            owner,
            tasks,
            today,
        } => tasks::function_assigned(launch, function, owner, tasks, *today),
        View::TaskCreated {
            item,
            lead_by_default,
            due_note,
            today,
        } => tasks::task_created(item, *lead_by_default, due_note.as_ref(), *today),
        View::TaskDetail {
            item,
            roles,
            history,
            blocked_by,
            blocks,
            today,
        } => tasks::task_detail(item, roles, history, blocked_by.as_ref(), blocks, *today),
        View::TaskUpdated {
            item,
            change,
            due_note,
            today,
        } => tasks::task_updated(item, change, due_note.as_ref(), *today),
        View::FunctionUpdated { function } => teams::function_updated(function),
        View::MyTasks { user, items, today } => tasks::my_tasks(user.mention(), items, *today),
        View::Retro { launch, retro } => reviews::retro(launch, retro),
        View::Calendar { span, weeks } => launches::calendar(*span, weeks),
        View::Template { tier, tasks } => launches::template(*tier, tasks),
        View::MetricSet { launch, metric } => reviews::metric_set(launch, metric),
        View::Workload {
            people,
            leads,
            max_per_lead,
        } => teams::workload(people, leads, *max_per_lead),
        View::Escalations { items, today } => tasks::escalations(items, *today),
        View::GoNoGoStarted {
            launch,
            gonogo,
            leaderless,
            pmo,
        } => votes::gonogo_started(launch, gonogo, leaderless, pmo.as_ref()),
        View::GoNoGoVoted {
            launch,
            gonogo,
            function,
            vote,
            today,
        } => votes::voted(gonogo, launch, function, vote, *today),
        View::Roles { task, roles, changed } => help::roles(*task, roles, *changed),
        View::DigestPosting { channel } => help::digest_posting(channel),
    }
}
