//! Go/no-go delivery: the question to each function lead, the result once everyone has
//! answered, and the daily reminders in between, all as keyed outbox messages (so a retry, a
//! second instance or a restart never sends one twice). The decisions are in
//! [`liftoff_core::gonogo`]; the SQL that makes each step atomic in the store.

use chrono::NaiveDate;

use crate::service::Service;
use crate::slack::{render_gonogo, render_pmo};
use crate::store::{OutboxMessage, StoreError};
use liftoff_core::gonogo::{GoNoGo, Reminder, reminders_due};
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
    render_gonogo::ask(
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
            render_pmo::post_message(
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
    let rendered = render_gonogo::result(gonogo, launch, &verdict, today);
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
            render_pmo::post_message(
                format!("gonogo:{}:result:{target}", gonogo.id),
                "gonogo",
                &target,
                &rendered,
            )
        })
        .collect()
}

/// Enqueues the reminders undecided rounds call for today; keyed by date, so each goes once a
/// day however often the sweep runs. Returns how many were new.
pub async fn reminders(service: &Service) -> Result<usize, StoreError> {
    let config = &service.config;
    let now = service.clock.now();
    let today = config.calendar.local_date(now, None);
    let open = service.store.open_gonogos().await?;
    if open.is_empty() {
        return Ok(0);
    }
    let functions = service.effective_functions().await?;
    let mut messages = Vec::new();
    for gonogo in &open {
        // One open round per launch, so each launch is read once.
        let Some(launch) = service.store.launch_by_id(gonogo.launch_id).await? else {
            continue;
        };
        if !launch.state.is_active() {
            continue;
        }
        let due = reminders_due(
            gonogo,
            launch.launch_date,
            today,
            &config.calendar,
            config.ladder.function_lead_overdue_days,
        );
        if due.is_empty() {
            continue;
        }
        let tasks = service.store.launch_tasks(launch.id).await?;
        let readiness = readiness(&launch, &tasks, today);
        for reminder in due {
            match reminder {
                Reminder::Voter { function, voter } => {
                    let rendered = question(gonogo, &launch, &functions, &function, &voter, &readiness, today, true);
                    messages.push(render_pmo::post_message(
                        format!("gonogo:{}:remind:{function}:{today}", gonogo.id),
                        "gonogo",
                        voter.as_str(),
                        &rendered,
                    ));
                }
                Reminder::LaunchLead { missing } => {
                    let target = launch.lead.as_ref().unwrap_or(&gonogo.started_by);
                    let rendered = render_gonogo::lead_reminder(&launch, &missing, today);
                    messages.push(render_pmo::post_message(
                        format!("gonogo:{}:remind-lead:{today}", gonogo.id),
                        "gonogo",
                        target.as_str(),
                        &rendered,
                    ));
                }
            }
        }
    }
    Ok(service.store.enqueue(&messages, now).await? as usize)
}
