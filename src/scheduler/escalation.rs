//! The escalation sweep: finds open tasks that are due tomorrow, overdue or blocked (indexed
//! queries, not a scan), asks the domain ladder where each stands, and fires each level once
//! per task and episode, recording the level and its messages in one transaction.

use std::collections::BTreeMap;

use chrono::Duration;

use super::Scheduler;
use crate::notify::{self, EscalationView};
use crate::outbound::OutboxMessage;
use crate::slack::render::readiness_label;
use crate::store::StoreError;
use liftoff_core::escalation::{Level, assess};
use liftoff_core::readiness::readiness;
use liftoff_core::{FunctionDef, Launch, LaunchId};

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: usize,
    pub fired: usize,
    /// Metric reviews asked for (filled in by the scheduler).
    pub reviews: usize,
    /// Go/no-go reminders sent (filled in by the scheduler).
    pub gonogo_reminders: usize,
}

pub async fn sweep(scheduler: &Scheduler) -> Result<SweepReport, StoreError> {
    let config = &scheduler.config;
    let calendar = &config.calendar;
    let now = scheduler.clock.now();
    let org_today = calendar.local_date(now, None);
    let mut report = SweepReport::default();
    if !config.escalation_enabled || !calendar.is_working_day(org_today) {
        return Ok(report);
    }
    let store = &scheduler.store;
    // Tomorrow's reminders, and a day's slack for people east of the organisation.
    let horizon = calendar.next_working_day(org_today).unwrap_or(org_today) + Duration::days(1);
    let candidates = store.open_tasks_due_by(horizon).await?;
    if candidates.is_empty() {
        return Ok(report);
    }
    let launches: BTreeMap<LaunchId, Launch> = store
        .list_launches(false)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let functions = scheduler.service.effective_functions().await?;
    let timezones: BTreeMap<String, chrono_tz::Tz> = store
        .user_timezones()
        .await?
        .into_iter()
        .filter_map(|(user, tz)| tz.parse().ok().map(|tz| (user, tz)))
        .collect();
    let fired_before = store.fired_levels_of_open_tasks().await?;
    for task in &candidates {
        let Some(launch) = launches.get(&task.launch_id) else {
            continue;
        };
        report.examined += 1;
        let tz = task.owner.as_ref().and_then(|o| timezones.get(o.as_str()).copied());
        let today = calendar.local_date(now, tz);
        let Some(assessment) = assess(task, launch, today, calendar, &config.ladder) else {
            continue;
        };
        // Read once for the sweep; a level another sweep fires meanwhile is still refused by
        // the store's unique key when this one tries to record it.
        let fired = fired_before.get(&(task.id, assessment.episode.clone()));
        if fired.is_some_and(|levels| levels.iter().any(|level| *level >= assessment.level.number())) {
            continue;
        }
        let function = functions.iter().find(|f| f.name == task.function);
        let blocker = match task.blocked_by {
            Some(id) => store.task(id).await?,
            None => None,
        };
        let readiness = if assessment.level == Level::LaunchLead {
            let tasks = store.launch_tasks(launch.id).await?;
            Some(readiness_label(&readiness(launch, &tasks, org_today).overall))
        } else {
            None
        };
        let view = EscalationView {
            task,
            launch,
            level: assessment.level,
            overdue_days: assessment.overdue_days,
            blocked_days: assessment.blocked_days,
            mentions: Vec::new(),
            blocker: blocker.as_ref(),
            readiness,
            today,
        };
        let messages = messages_for(scheduler, &view, function, &assessment.episode).await?;
        let outcome = if messages.is_empty() {
            "sent: nowhere to send"
        } else {
            "sent"
        };
        if store
            .record_escalation(
                task.id,
                launch.id,
                &assessment.episode,
                assessment.level.number(),
                outcome,
                &messages,
                now,
            )
            .await?
        {
            report.fired += 1;
            scheduler
                .metrics
                .escalations
                .get_or_create(&crate::metrics::LevelLabels {
                    level: assessment.level.number().to_string(),
                })
                .inc();
            tracing::info!(task = %task.id, level = %assessment.level, episode = %assessment.episode, "escalated");
        }
        // Lower levels never reached on their own are passed: they must not fire later.
        for level in Level::ALL
            .into_iter()
            .filter(|l| *l > Level::Reminder && *l < assessment.level)
        {
            store
                .record_escalation(
                    task.id,
                    launch.id,
                    &assessment.episode,
                    level.number(),
                    "superseded",
                    &[],
                    now,
                )
                .await?;
        }
    }
    Ok(report)
}

fn message(
    key: String,
    target: &str,
    thread_of: Option<String>,
    rendered: &crate::slack::blocks::Rendered,
) -> OutboxMessage {
    OutboxMessage {
        thread_of,
        ..notify::post_message(key, "escalation", target, rendered)
    }
}

/// Who hears about a level, and where.
async fn messages_for(
    scheduler: &Scheduler,
    view: &EscalationView<'_>,
    function: Option<&FunctionDef>,
    episode: &str,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let config = &scheduler.config;
    let task = view.task;
    let key = |suffix: &str| format!("esc:{}:{episode}:{}{suffix}", task.id.0, view.level.number());
    let owner = task.owner.as_ref().map(|o| o.as_str().to_owned());
    let function_lead = function.and_then(|f| f.lead.clone());
    let launch_lead = view.launch.lead.clone();
    let blocker_owner = view.blocker.and_then(|b| b.owner.clone());
    // The accountable person (RACI) hears from level 2 on.
    let accountable = scheduler
        .store
        .task_roles(task.id)
        .await?
        .into_iter()
        .find(|r| r.role == liftoff_core::RaciRole::Accountable)
        .map(|r| r.user);
    let mention = |user: &Option<liftoff_core::SlackUserId>| user.clone();
    let mut view = EscalationView {
        mentions: Vec::new(),
        blocker: view.blocker,
        readiness: view.readiness.clone(),
        ..*view
    };
    let mut messages = Vec::new();
    match view.level {
        Level::Reminder => {
            if let Some(owner) = owner {
                messages.push(message(key(":dm"), &owner, None, &notify::escalation(&view)));
            }
        }
        Level::Overdue => {
            // The owner, else the function lead, else the launch lead.
            let recipient = owner
                .clone()
                .or_else(|| function_lead.as_ref().map(|l| l.as_str().to_owned()))
                .or_else(|| launch_lead.as_ref().map(|l| l.as_str().to_owned()));
            view.mentions = [mention(&task.owner), mention(&blocker_owner)]
                .into_iter()
                .flatten()
                .collect();
            let rendered = notify::escalation(&view);
            if let Some(recipient) = recipient {
                messages.push(message(key(":dm"), &recipient, None, &rendered));
            }
            if let Some(checkin) = scheduler.store.latest_checkin(&task.function).await?
                && let Some(channel) = checkin.channel
            {
                let line = notify::overdue_in_checkin_thread(task);
                messages.push(message(key(":thread"), &channel, Some(checkin.outbox_key), &line));
            }
        }
        Level::FunctionLead => {
            view.mentions = [
                mention(&task.owner),
                mention(&function_lead),
                mention(&accountable),
                mention(&blocker_owner),
            ]
            .into_iter()
            .flatten()
            .collect();
            let channel = function
                .and_then(|f| f.channel.clone())
                .or_else(|| config.channels.escalation.clone())
                .or_else(|| config.channels.pmo.clone());
            if let Some(channel) = channel {
                messages.push(message(key(""), channel.as_str(), None, &notify::escalation(&view)));
            }
        }
        Level::LaunchLead => {
            view.mentions = [
                mention(&launch_lead),
                mention(&function_lead),
                mention(&task.owner),
                mention(&blocker_owner),
            ]
            .into_iter()
            .flatten()
            .collect();
            let channel = config
                .channels
                .escalation
                .clone()
                .or_else(|| config.channels.pmo.clone())
                .or_else(|| function.and_then(|f| f.channel.clone()));
            if let Some(channel) = channel {
                messages.push(message(key(""), channel.as_str(), None, &notify::escalation(&view)));
            }
        }
    }
    Ok(messages)
}
