//! Go/no-go reminders: when undecided rounds call for one. The decisions are in
//! [`liftoff_core::gonogo`], the messages in [`crate::notify`] (keyed by day, so a retry, a
//! second instance or a restart never sends one twice), the SQL that makes each step atomic in
//! the store.

use super::Scheduler;
use crate::notify;
use crate::store::StoreError;
use liftoff_core::gonogo::reminders_due;

/// A reminder held overnight, keyed by the day it reaches its recipient instead of the day it
/// was made (keys end in the date): held from one day to the next, it is the same message as
/// the next day's own reminder, so the person gets one at 09:00, not two.
fn keyed_by_day(
    message: crate::outbound::OutboxMessage,
    made: chrono::NaiveDate,
    delivered: chrono::NaiveDate,
) -> crate::outbound::OutboxMessage {
    let key = match message.key.strip_suffix(&made.to_string()) {
        Some(stem) => format!("{stem}{delivered}"),
        None => message.key.clone(),
    };
    crate::outbound::OutboxMessage { key, ..message }
}

/// Enqueues the reminders undecided rounds call for today; keyed by date, so each goes once a
/// day however often the sweep runs. Returns how many were new.
pub async fn reminders(scheduler: &Scheduler) -> Result<usize, StoreError> {
    let config = &scheduler.config;
    let now = scheduler.clock.now();
    let today = config.calendar.local_date(now, None);
    let open = scheduler.store.open_gonogos().await?;
    if open.is_empty() {
        return Ok(0);
    }
    let functions = scheduler.service.effective_functions().await?;
    let mut messages = Vec::new();
    for gonogo in &open {
        // One open round per launch, so each launch is read once.
        let Some(launch) = scheduler.store.launch_by_id(gonogo.launch_id).await? else {
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
        let tasks = scheduler.store.launch_tasks(launch.id).await?;
        messages.extend(notify::reminder_messages(
            gonogo, &launch, &tasks, due, &functions, today,
        ));
    }
    // Voters and the lead are reminded in their own working hours.
    let working =
        super::hours::WorkingTime::load(&scheduler.store, now, &config.working_hours, &config.calendar).await?;
    let messages: Vec<_> = messages
        .into_iter()
        .map(|message| {
            let message = working.hold(message);
            match message.not_before {
                Some(at) => {
                    let day = working.local_date(&message.target, at);
                    keyed_by_day(message, today, day)
                }
                None => message,
            }
        })
        .collect();
    Ok(scheduler.store.enqueue(&messages, now).await? as usize)
}
