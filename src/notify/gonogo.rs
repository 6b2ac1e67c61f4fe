//! Go/no-go messages: the question to each function lead (with that function's readiness) and
//! the result, once decided, to the launch lead, whoever started the round and the PMO
//! channel. Keyed by round, function and target, so a retry never asks or tells twice.

use chrono::NaiveDate;

use crate::outbound::OutboxMessage;
use crate::slack::render;
use liftoff_core::gonogo::{GoNoGo, Reminder};
use liftoff_core::readiness::readiness;
use liftoff_core::{FunctionDef, FunctionName, Launch, SlackChannelId};

/// What a lead is asked for one function, with that function's readiness in the launch.
#[allow(clippy::too_many_arguments)]
fn question(
    gonogo: &GoNoGo,
    launch: &Launch,
    functions: &[FunctionDef],
    function: &FunctionName,
    voter: &liftoff_core::SlackUserId,
    readiness: &liftoff_core::readiness::LaunchReadiness,
    today: NaiveDate,
    reminder: bool,
) -> crate::slack::blocks::Rendered {
    let fallback = FunctionDef {
        name: function.clone(),
        display_name: function.to_string(),
        aliases: Vec::new(),
        channel: None,
        lead: None,
    };
    let def = functions.iter().find(|f| &f.name == function).unwrap_or(&fallback);
    render::gonogo::ask(
        gonogo.id,
        launch,
        def,
        voter,
        readiness.by_function.get(function),
        today,
        reminder,
    )
}

/// The questions a new round sends: one direct message per function lead.
pub fn ask_messages(
    gonogo: &GoNoGo,
    launch: &Launch,
    tasks: &[liftoff_core::Task],
    functions: &[FunctionDef],
    today: NaiveDate,
) -> Vec<OutboxMessage> {
    let readiness = readiness(launch, tasks, today);
    gonogo
        .ballots
        .iter()
        .map(|ballot| {
            let rendered = question(
                gonogo,
                launch,
                functions,
                &ballot.function,
                &ballot.voter,
                &readiness,
                today,
                false,
            );
            super::post_message(
                format!("gonogo:{}:ask:{}", gonogo.id, ballot.function),
                "gonogo",
                ballot.voter.as_str(),
                &rendered,
            )
        })
        .collect()
}

/// The result, once decided: to the launch lead, to whoever started the round, and to the PMO
/// channel (each once).
pub fn result_messages(
    gonogo: &GoNoGo,
    launch: &Launch,
    pmo: Option<&SlackChannelId>,
    today: NaiveDate,
) -> Vec<OutboxMessage> {
    let Some(verdict) = gonogo.verdict() else {
        return Vec::new();
    };
    let rendered = render::gonogo::result(gonogo, launch, &verdict, today);
    let mut targets: Vec<String> = Vec::new();
    for target in launch
        .lead
        .iter()
        .chain(std::iter::once(&gonogo.started_by))
        .map(|u| u.as_str().to_owned())
        .chain(pmo.map(|c| c.as_str().to_owned()))
    {
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    targets
        .into_iter()
        .map(|target| {
            super::post_message(
                format!("gonogo:{}:result:{target}", gonogo.id),
                "gonogo",
                &target,
                &rendered,
            )
        })
        .collect()
}

/// The reminders `due` today for one round: the question again to each lead who has not
/// answered, and a note to the launch lead (or whoever started the round) of who is missing.
/// Keyed by day, so each goes at most once a day.
pub fn reminder_messages(
    gonogo: &GoNoGo,
    launch: &Launch,
    tasks: &[liftoff_core::Task],
    due: Vec<Reminder>,
    functions: &[FunctionDef],
    today: NaiveDate,
) -> Vec<OutboxMessage> {
    let readiness = readiness(launch, tasks, today);
    due.into_iter()
        .map(|reminder| match reminder {
            Reminder::Voter { function, voter } => {
                let rendered = question(gonogo, launch, functions, &function, &voter, &readiness, today, true);
                super::post_message(
                    format!("gonogo:{}:remind:{function}:{today}", gonogo.id),
                    "gonogo",
                    voter.as_str(),
                    &rendered,
                )
            }
            Reminder::LaunchLead { missing } => {
                let target = launch.lead.as_ref().unwrap_or(&gonogo.started_by);
                let rendered = render::gonogo::lead_reminder(launch, &missing, today);
                super::post_message(
                    format!("gonogo:{}:remind-lead:{today}", gonogo.id),
                    "gonogo",
                    target.as_str(),
                    &rendered,
                )
            }
        })
        .collect()
}
