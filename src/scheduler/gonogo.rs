//! Go/no-go reminders: when undecided rounds call for one. The decisions are in
//! [`liftoff_core::gonogo`], the messages in [`crate::notify`] (keyed by day, so a retry, a
//! second instance or a restart never sends one twice), the SQL that makes each step atomic in
//! the store.

use super::Scheduler;
use crate::notify;
use crate::store::StoreError;
use liftoff_core::gonogo::reminders_due;

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
    let messages: Vec<_> = messages.into_iter().map(|m| working.hold(m)).collect();
    Ok(scheduler.store.enqueue(&messages, now).await? as usize)
}
