//! The scheduler: turns time into due work. Each job looks at its latest cron slot, decides
//! whether it runs (a working day, still the same day), builds its messages from the current
//! state, and records the run and its outbox messages in one transaction, so a slot produces
//! its messages exactly once however many ticks, instances or restarts reach it.

pub mod escalation;
pub mod gonogo;
pub mod hours;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{NaiveTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::notify;
use crate::outbound::{CheckinRecord, OutboxMessage, RunMessage};
use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::service::Service;
use crate::store::Store;
use crate::store::StoreError;
use liftoff_core::Task;
use liftoff_core::checkin::{ListedTask, RoundKind, needs_answer, plan_round, who_to_nudge};
use liftoff_core::schedule::{Slot, SlotDecision, decide, first_slot_of_week, latest_slot};

/// Check-in rounds' listed tasks by round key, and the tasks by id.
type Rounds = (BTreeMap<String, Vec<ListedTask>>, BTreeMap<i64, Task>);

/// What one job did at one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: &'static str,
    pub slot: String,
    pub outcome: String,
    pub messages: usize,
}

pub struct Scheduler {
    service: Service,
    store: Store,
    config: Arc<Config>,
    clock: SharedClock,
    metrics: Arc<Metrics>,
}

fn day_label(slot: &Slot) -> String {
    slot.at.format("%a %-d %b").to_string()
}

impl Scheduler {
    /// A scheduler over the same store, configuration, clock and metrics the service was
    /// built with (see `AppState::scheduler`).
    pub fn new(service: Service, store: Store, config: Arc<Config>, clock: SharedClock, metrics: Arc<Metrics>) -> Self {
        Scheduler {
            service,
            store,
            config,
            clock,
            metrics,
        }
    }

    /// Runs every job whose latest slot at or before now has not run yet.
    pub async fn run_due(&self) -> Result<Vec<JobRun>, StoreError> {
        self.withdraw_answered_nudges().await?;
        let mut runs = Vec::new();
        runs.extend(self.checkin().await?);
        runs.extend(self.digest().await?);
        runs.extend(self.nudge().await?);
        runs.extend(self.escalation_slot().await?);
        for run in &runs {
            tracing::info!(job = run.job, slot = %run.slot, outcome = %run.outcome, messages = run.messages, "scheduled job");
        }
        Ok(runs)
    }

    /// Runs due jobs every `interval` until `stop`.
    pub async fn run(&self, interval: Duration, stop: CancellationToken) {
        loop {
            if let Err(err) = self.run_due().await {
                tracing::error!(error = %err, "scheduler pass failed");
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                () = stop.cancelled() => return,
            }
        }
    }

    /// The latest slot of `job` and whether it should run, unless it already ran.
    async fn due(&self, job: &str, slot: Option<Slot>) -> Result<Option<(Slot, SlotDecision)>, StoreError> {
        let Some(slot) = slot else { return Ok(None) };
        if self.store.job_ran(job, &slot.key()).await? {
            return Ok(None);
        }
        let decision = decide(&slot, self.clock.now(), &self.config.calendar);
        Ok(Some((slot, decision)))
    }

    /// Records the run of `job` at `slot` with its messages (see [`Store::record_job_run`]:
    /// they are pulled inside its transaction), unless another tick or instance did first.
    ///
    /// [`Store::record_job_run`]: crate::store::Store::record_job_run
    async fn record<I>(
        &self,
        job: &'static str,
        slot: &Slot,
        outcome: &str,
        messages: I,
    ) -> Result<Option<JobRun>, StoreError>
    where
        I: IntoIterator<Item = RunMessage>,
        I::IntoIter: Send,
    {
        let now = self.clock.now();
        let enqueued = self
            .store
            .record_job_run(job, &slot.key(), outcome, messages, now)
            .await?;
        if enqueued.is_some() {
            let metrics = &self.metrics;
            let kind = if outcome.starts_with("skipped") {
                "skipped"
            } else {
                "ran"
            };
            metrics
                .job_runs
                .get_or_create(&crate::metrics::JobLabels {
                    job: job.to_owned(),
                    outcome: kind.to_owned(),
                })
                .inc();
            metrics
                .job_lag_seconds
                .get_or_create(&crate::metrics::JobNameLabels { job: job.to_owned() })
                .set((now - slot.at.with_timezone(&Utc)).num_seconds().max(0));
        }
        Ok(enqueued.map(|messages| JobRun {
            job,
            slot: slot.key(),
            outcome: outcome.to_owned(),
            messages,
        }))
    }

    #[tracing::instrument(name = "job", skip_all, fields(job = "checkin"))]
    async fn checkin(&self) -> Result<Option<JobRun>, StoreError> {
        let config = &self.config;
        let tz = config.calendar.timezone;
        let now = self.clock.now();
        let standard = &config.schedules.checkin.schedule;
        let stretch = &config.schedules.checkin_final_stretch.schedule;
        let slot = [latest_slot(standard, tz, now), latest_slot(stretch, tz, now)]
            .into_iter()
            .flatten()
            .max_by_key(|slot| slot.at);
        let Some((slot, decision)) = self.due("checkin", slot).await? else {
            return Ok(None);
        };
        if decision != SlotDecision::Run {
            return self.record("checkin", &slot, decision.as_str(), []).await;
        }
        let today = slot.local_date();
        let kind = RoundKind {
            standard: slot.is_in(standard),
            final_stretch: slot.is_in(stretch),
            first_of_week: first_slot_of_week(standard, tz, today) == Some(today),
        };
        let store = &self.store;
        let launches = store.list_launches(false).await?;
        let open = store.open_tasks().await?;
        let functions = self.service.effective_functions().await?;
        let names: Vec<_> = functions.iter().map(|f| f.name.clone()).collect();
        let rounds = plan_round(&names, &launches, &open, kind, today, config.checkins.cadence);
        let mut posted = Vec::new();
        let mut skipped = Vec::new();
        for round in &rounds {
            let Some(function) = functions.iter().find(|f| f.name == round.function) else {
                continue; // planned from these names: not reached
            };
            match &function.channel {
                Some(channel) => posted.push((round, function, channel)),
                None => {
                    tracing::warn!(function = %function.name, "no check-in channel set; its check-in is skipped");
                    skipped.push(function.name.to_string());
                }
            }
        }
        let outcome = if skipped.is_empty() {
            "ran".to_owned()
        } else {
            format!("ran; no channel for {}", skipped.join(", "))
        };
        let (round_key, label) = (&slot.key(), &day_label(&slot));
        // Laid out as the store writes them, a message at a time: the round stores each
        // message's plan (its heading and which rows it shows), not its Block Kit, which is
        // drawn when it is sent (`notify::CheckinPlan`). Boxed, because the compiler cannot
        // otherwise prove the iterator `Send` across the store's awaits ("FnOnce is not general
        // enough", a known limit of its higher-ranked lifetime inference).
        let messages: Box<dyn Iterator<Item = RunMessage> + Send + '_> =
            Box::new(posted.iter().flat_map(move |&(round, function, channel)| {
                notify::checkin_layout(function, round, label, today).map(move |draft| {
                    let key = format!("checkin:{}:{round_key}:{}", function.name, draft.part());
                    RunMessage {
                        checkin: Some(CheckinRecord {
                            outbox_key: key.clone(),
                            function: function.name.clone(),
                            round: round_key.clone(),
                            tasks: draft.listed(),
                        }),
                        message: notify::planned_checkin(key, channel.as_str(), &draft.plan()),
                    }
                })
            }));
        self.record("checkin", &slot, &outcome, messages).await
    }

    #[tracing::instrument(name = "job", skip_all, fields(job = "digest"))]
    async fn digest(&self) -> Result<Option<JobRun>, StoreError> {
        let config = &self.config;
        let now = self.clock.now();
        let slot = latest_slot(&config.schedules.digest.schedule, config.calendar.timezone, now);
        let Some((slot, decision)) = self.due("digest", slot).await? else {
            return Ok(None);
        };
        if decision != SlotDecision::Run {
            return self.record("digest", &slot, decision.as_str(), []).await;
        }
        let Some(channel) = config.channels.pmo.clone() else {
            return self
                .record("digest", &slot, "skipped: no PMO channel (channels.pmo)", [])
                .await;
        };
        let messages = self
            .service
            .digest_messages(channel.as_str(), &format!("digest:{}", slot.key()), None)
            .await?;
        self.record("digest", &slot, "ran", messages.into_iter().map(RunMessage::from))
            .await
    }

    /// The sweep on its own schedule (every 15 minutes in working hours by default).
    #[tracing::instrument(name = "job", skip_all, fields(job = "escalation_slot"))]
    async fn escalation_slot(&self) -> Result<Option<JobRun>, StoreError> {
        let config = &self.config;
        let now = self.clock.now();
        let slot = latest_slot(&config.schedules.escalation.schedule, config.calendar.timezone, now);
        let Some((slot, decision)) = self.due("escalation", slot).await? else {
            return Ok(None);
        };
        if decision != SlotDecision::Run {
            return self.record("escalation", &slot, decision.as_str(), []).await;
        }
        let report = self.sweep_now().await?;
        let outcome = format!("ran: {} examined, {} escalated", report.examined, report.fired);
        let run = self.record("escalation", &slot, &outcome, []).await?;
        Ok(run.map(|run| JobRun {
            messages: report.fired,
            ..run
        }))
    }

    /// A sweep outside the schedule: what every `tick` does (escalations, metric reviews and
    /// go/no-go reminders).
    #[tracing::instrument(name = "sweep", skip_all)]
    pub async fn sweep_now(&self) -> Result<escalation::SweepReport, StoreError> {
        let mut report = escalation::sweep(self).await?;
        report.reviews = metric_reviews(self).await?;
        report.gonogo_reminders = gonogo::reminders(self).await?;
        Ok(report)
    }

    #[tracing::instrument(name = "job", skip_all, fields(job = "nudge"))]
    async fn nudge(&self) -> Result<Option<JobRun>, StoreError> {
        let config = &self.config;
        let now = self.clock.now();
        let slot = latest_slot(&config.schedules.nudge.schedule, config.calendar.timezone, now);
        let Some((slot, decision)) = self.due("nudge", slot).await? else {
            return Ok(None);
        };
        if decision != SlotDecision::Run {
            return self.record("nudge", &slot, decision.as_str(), []).await;
        }
        let store = &self.store;
        let today = slot.local_date();
        let day_start = today
            .and_time(NaiveTime::MIN)
            .and_local_timezone(config.calendar.timezone)
            .earliest()
            .map_or(now, |t| t.with_timezone(&Utc));
        let cutoff = now - config.checkins.nudge_after;
        let (by_round, tasks_by_id) = self.rounds(day_start, cutoff, today).await?;
        // Held until each owner's working hours: a nudge can wait until they are at work.
        let working = hours::WorkingTime::load(store, now, &config.working_hours, &config.calendar).await?;
        let mut messages = Vec::new();
        for (round, listed) in by_round {
            let mut sent_today = BTreeMap::new();
            for owner in listed.iter().filter_map(|l| l.owner.clone()) {
                let count = store.count_enqueued_since("nudge", owner.as_str(), day_start).await?;
                let planned = messages
                    .iter()
                    .filter(|m: &&OutboxMessage| m.target == owner.as_str())
                    .count();
                sent_today.insert(owner, count + planned);
            }
            for (owner, task_ids) in who_to_nudge(&listed, &sent_today, config.checkins.max_nudges_per_day) {
                let mut items = Vec::new();
                for id in task_ids {
                    let task = tasks_by_id[&id.0].clone();
                    if let Some(launch) = store.launch_by_id(task.launch_id).await? {
                        items.push((task, launch));
                    }
                }
                let rendered = notify::nudge(&owner, &items, today);
                messages.push(working.hold(notify::post_message(
                    format!("nudge:{}:{round}", owner.as_str()),
                    "nudge",
                    owner.as_str(),
                    &rendered,
                )));
            }
        }
        self.record("nudge", &slot, "ran", messages.into_iter().map(RunMessage::from))
            .await
    }

    /// Takes back nudges held for their owner's working hours whose round no longer asks them
    /// anything (they answered in the meantime, or their tasks were done or moved), so nobody
    /// opens their day to a nudge about what they already said. A round not found (older than a
    /// week) keeps its nudge.
    async fn withdraw_answered_nudges(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let held = self.store.held("nudge").await?;
        if held.is_empty() {
            return Ok(());
        }
        let today = self.config.calendar.local_date(now, None);
        let (rounds, _) = self.rounds(now - chrono::Duration::days(7), now, today).await?;
        for (key, owner) in held {
            let Some(round) = key.strip_prefix(&format!("nudge:{owner}:")) else {
                continue;
            };
            let Some(listed) = rounds.get(round) else {
                continue;
            };
            let still_asks = who_to_nudge(listed, &BTreeMap::new(), usize::MAX)
                .keys()
                .any(|person| person.as_str() == owner);
            if !still_asks && self.store.withdraw_held(&key).await? {
                tracing::info!(key = %key, "held nudge withdrawn: nothing left to ask");
            }
        }
        Ok(())
    }

    /// The tasks of each check-in round posted since `since` and sent by `cutoff`, as nudges
    /// see them today (one nudge per person per round, across functions), and the tasks by id.
    async fn rounds(
        &self,
        since: chrono::DateTime<Utc>,
        cutoff: chrono::DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Rounds, StoreError> {
        let (config, store) = (&self.config, &self.store);
        let mut by_round: BTreeMap<String, Vec<ListedTask>> = BTreeMap::new();
        let mut tasks_by_id: BTreeMap<i64, Task> = BTreeMap::new();
        for checkin in store.checkins_since(since).await? {
            let Some(sent_at) = checkin.sent_at.filter(|at| *at <= cutoff) else {
                continue;
            };
            for (task_id, owner) in store.checkin_tasks(&checkin.outbox_key).await? {
                let Some(task) = store.task(task_id).await? else {
                    continue;
                };
                let answered = match &owner {
                    Some(owner) => store
                        .answered_in_checkin(&checkin.outbox_key, owner, sent_at)
                        .await?
                        .contains(&task_id),
                    None => false,
                };
                by_round.entry(checkin.round.clone()).or_default().push(ListedTask {
                    task: task_id,
                    owner: task.owner.clone().or(owner),
                    still_open: task.status.is_open(),
                    snoozed: task.snoozed_until.is_some_and(|until| until >= today),
                    needs_answer: needs_answer(&task, today, config.checkins.horizon_days),
                    owner_answered: answered,
                });
                tasks_by_id.insert(task_id.0, task);
            }
        }
        Ok((by_round, tasks_by_id))
    }
}

/// Asks for actuals on the working day a success metric's review falls due: one message per
/// launch and review date (the metrics due that day, listed together), to the launch lead (or
/// the PMO channel when the launch has no lead). Keyed by launch and review date (by metric
/// when it is alone, as before), so each is asked once.
pub async fn metric_reviews(scheduler: &Scheduler) -> Result<usize, StoreError> {
    let config = &scheduler.config;
    let now = scheduler.clock.now();
    let today = config.calendar.local_date(now, None);
    if !config.calendar.is_working_day(today) {
        return Ok(0);
    }
    let mut messages = Vec::new();
    let mut metrics = scheduler.store.active_launch_metrics().await?;
    for launch in scheduler.store.list_launches(false).await? {
        let mut due: BTreeMap<chrono::NaiveDate, Vec<liftoff_core::SuccessMetric>> = BTreeMap::new();
        for metric in metrics.remove(&launch.id).unwrap_or_default() {
            let Some(review) = metric.review_date(launch.launch_date, &config.calendar) else {
                continue;
            };
            if metric.actual.is_none() && review <= today {
                due.entry(review).or_default().push(metric);
            }
        }
        let Some(target) = launch
            .lead
            .as_ref()
            .map(|l| l.as_str().to_owned())
            .or_else(|| config.channels.pmo.as_ref().map(|c| c.as_str().to_owned()))
        else {
            continue;
        };
        for (review, metrics) in due {
            let metrics: Vec<&liftoff_core::SuccessMetric> = metrics.iter().collect();
            let rendered = notify::metric_reviews(&launch, &metrics);
            // One metric keeps the key it always had, so a review asked before this grouping
            // existed is not asked again.
            let key = match metrics.as_slice() {
                [metric] => format!("metric-review:{}:{}", launch.id.0, metric.name),
                _ => format!("metric-review:{}:{review}", launch.id.0),
            };
            messages.push(notify::post_message(key, "metric_review", &target, &rendered));
        }
    }
    // A lead is asked for actuals in their own working hours (the PMO channel at once).
    let working = hours::WorkingTime::load(&scheduler.store, now, &config.working_hours, &config.calendar).await?;
    let messages: Vec<_> = messages.into_iter().map(|m| working.hold(m)).collect();
    Ok(scheduler.store.enqueue(&messages, now).await? as usize)
}
