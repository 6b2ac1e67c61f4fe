//! The application layer: carries out a [`Command`] for a person, using the pure `domain` for
//! every decision and the `store` for state, and answers with a [`Reply`]. It neither parses
//! Slack payloads nor renders Block Kit; the `slack` module does both around it.

pub mod home;
pub mod people;
pub mod replies;
pub mod reports;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::store::{FunctionSetting, Store, StoreError};
use crate::views::{LaunchDetail, Reply, TaskInLaunch, View};
use liftoff_core::command::{Command, Subcommand};
use liftoff_core::launch::{LaunchEdit, LaunchEditError, LaunchState};
use liftoff_core::readiness::readiness;
use liftoff_core::task::TaskEdit;
use liftoff_core::{
    Actor, ChangeContext, ChangeSource, FunctionDef, FunctionName, Launch, LaunchDraft, LaunchRef, SlackUserId, Task,
    TaskDraft, TaskId,
};

/// Why a command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The person can fix it; the message says how.
    #[error("{message}")]
    User { message: String, usage: Option<Subcommand> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    fn user(subcommand: Subcommand, message: impl Into<String>) -> ServiceError {
        ServiceError::User {
            message: message.into(),
            usage: Some(subcommand),
        }
    }
}

/// How often a read-modify-write retries when another writer got there first.
/// How long a change keeps trying when others change the same record at the same moment
/// (a burst of people clicking one button): each attempt re-reads and re-applies, after a short
/// random pause, so that all of them get through, one at a time, within Slack's 3 seconds.
const CONFLICT_PATIENCE: std::time::Duration = std::time::Duration::from_millis(2500);

/// Retries of a read-modify-write that lost to a concurrent change: true while there is time
/// left, after a random pause that grows with the attempt (so contenders spread out).
struct ConflictRetry {
    deadline: tokio::time::Instant,
    attempt: u32,
}

impl ConflictRetry {
    fn new() -> Self {
        ConflictRetry {
            deadline: tokio::time::Instant::now() + CONFLICT_PATIENCE,
            attempt: 0,
        }
    }

    /// Whether to try again, after pausing; false once patience has run out.
    async fn again(&mut self) -> bool {
        if tokio::time::Instant::now() >= self.deadline {
            return false;
        }
        self.attempt += 1;
        let ceiling = (2_u64 << self.attempt.min(6)).min(100);
        tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(1..=ceiling))).await;
        true
    }
}

/// Least time between two digests one person posts to the PMO channel on demand.
const DIGEST_REQUEST_INTERVAL: chrono::Duration = chrono::Duration::minutes(5);

/// Carries out commands. Cheap to clone.
///
/// Its collaborators are private: callers ask the service for what they need (a command
/// carried out, a reply applied, a Home tab, a digest), and whoever else needs the store or the
/// clock is given them at start-up (`AppState`), never reaches through the service for them.
#[derive(Clone)]
pub struct Service {
    store: Store,
    config: Arc<Config>,
    clock: SharedClock,
}

impl Service {
    pub fn new(store: Store, config: Arc<Config>, clock: SharedClock) -> Self {
        Service { store, config, clock }
    }

    /// The asking person's date today, in their own time zone when Slack has told us (cached
    /// from `users.info`), else the organisation's.
    pub async fn today_for(&self, user: &SlackUserId) -> NaiveDate {
        self.date_for(user, self.clock.now()).await
    }

    /// The date `at` was in `user`'s time zone (the organisation's when theirs is unknown).
    pub async fn date_for(&self, user: &SlackUserId, at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        let timezone = match self.store.user_timezone(user).await {
            Ok(Some((name, _))) => name.parse::<chrono_tz::Tz>().ok(),
            _ => None,
        };
        self.config.calendar.local_date(at, timezone)
    }

    fn ctx(&self, actor: &SlackUserId, source: ChangeSource) -> ChangeContext {
        ChangeContext::new(Actor::User(actor.clone()), source, self.clock.now())
    }

    /// Runs `command` for `actor`. User errors come back as [`ServiceError::User`]; everything
    /// else is an internal failure for the caller to log.
    #[tracing::instrument(name = "service", skip_all, fields(actor = %actor, command = %command.subcommand(), source = ?source))]
    pub async fn execute(
        &self,
        actor: &SlackUserId,
        command: Command,
        source: ChangeSource,
    ) -> Result<Reply, ServiceError> {
        let today = self.today_for(actor).await;
        let subcommand = command.subcommand();
        match command {
            Command::Help { topic } => Ok(Reply::ephemeral(View::Help { topic })),
            Command::NewLaunchForm => Ok(Reply::ephemeral(View::NewLaunchForm)),
            Command::NewLaunch(draft) => self.create_launch(actor, draft, source, today).await,
            Command::List { include_archived } => {
                let mut launches = Vec::new();
                for launch in self.store.list_launches(include_archived).await? {
                    let tasks = self.store.launch_tasks(launch.id).await?;
                    let overall = readiness(&launch, &tasks, today).overall;
                    launches.push((launch, overall));
                }
                Ok(Reply::ephemeral(View::LaunchList {
                    launches,
                    include_archived,
                    today,
                }))
            }
            Command::Show(reference) => {
                let launch = self.find_launch(&reference, subcommand).await?;
                let tasks = self.store.launch_tasks(launch.id).await?;
                let metrics = self.store.metrics(launch.id).await?;
                let functions = self.effective_functions().await?;
                let undelivered = self.store.failed_messages(5).await?;
                let roles = self.store.launch_task_roles(launch.id).await?;
                let gonogo = self.store.latest_gonogo(launch.id).await?;
                Ok(Reply::ephemeral(View::LaunchDetail(Box::new(LaunchDetail {
                    gonogo,
                    undelivered,
                    roles,
                    readiness: readiness(&launch, &tasks, today),
                    launch,
                    tasks,
                    metrics,
                    functions,
                    today,
                }))))
            }
            Command::Edit { launch, edit } => self.edit_launch(actor, &launch, edit, subcommand, source, today).await,
            Command::Archive(launch) => {
                let edit = LaunchEdit {
                    state: Some(LaunchState::Archived),
                    ..LaunchEdit::default()
                };
                self.edit_launch(actor, &launch, edit, subcommand, source, today).await
            }
            Command::AddTask {
                launch,
                function,
                title,
                owner,
                due,
            } => {
                let launch = self.find_launch(&launch, subcommand).await?;
                if !launch.state.is_active() {
                    return Err(ServiceError::user(subcommand, format!("{} is archived", launch.slug)));
                }
                if let Some(liftoff_core::DueDate::On(date)) = due
                    && date < today
                {
                    return Err(ServiceError::user(
                        subcommand,
                        format!("{date} is in the past (today is {today})"),
                    ));
                }
                let draft = TaskDraft {
                    launch_id: launch.id,
                    function,
                    title,
                    owner,
                    due,
                };
                let new = draft
                    .validate(launch.launch_date)
                    .map_err(|e| ServiceError::user(subcommand, e.to_string()))?;
                let task = self.store.create_task(&new, &self.ctx(actor, source)).await?;
                let visibility_notifies_owner = task.owner.is_some();
                let view = View::TaskCreated {
                    item: TaskInLaunch { task, launch },
                    today,
                };
                Ok(if visibility_notifies_owner {
                    Reply::in_channel(view)
                } else {
                    Reply::ephemeral(view)
                })
            }
            Command::Assign { task, owner } => {
                self.edit_task(
                    actor,
                    task,
                    TaskEdit::Owner(Some(owner)),
                    None,
                    subcommand,
                    source,
                    today,
                )
                .await
            }
            Command::SetDue { task, due } => {
                if let liftoff_core::DueDate::On(date) = due
                    && date < today
                {
                    return Err(ServiceError::user(
                        subcommand,
                        format!("{date} is in the past (today is {today})"),
                    ));
                }
                self.edit_task(actor, task, TaskEdit::Due(due), None, subcommand, source, today)
                    .await
            }
            Command::SetStatus { task, status, note } => {
                self.edit_task(actor, task, TaskEdit::Status(status), note, subcommand, source, today)
                    .await
            }
            Command::Snooze { task, working_days } => {
                let until = self
                    .config
                    .calendar
                    .add_working_days(today, working_days)
                    .ok_or_else(|| ServiceError::user(subcommand, "the calendar has no working days"))?;
                self.edit_task(actor, task, TaskEdit::Snooze(until), None, subcommand, source, today)
                    .await
            }
            Command::SnoozeUntil { task, until } => {
                if until <= today {
                    return Err(ServiceError::user(
                        subcommand,
                        format!("pick a date after today ({today})"),
                    ));
                }
                // The same cap as `/launch snooze`: past it, it is a new due date, not a snooze.
                let latest = self
                    .config
                    .calendar
                    .add_working_days(today, liftoff_core::MAX_SNOOZE_WORKING_DAYS)
                    .ok_or_else(|| ServiceError::user(subcommand, "the calendar has no working days"))?;
                if until > latest {
                    return Err(ServiceError::user(
                        subcommand,
                        format!(
                            "snooze at most {} working days (until {latest}); for longer, move the due date",
                            liftoff_core::MAX_SNOOZE_WORKING_DAYS
                        ),
                    ));
                }
                self.edit_task(actor, task, TaskEdit::Snooze(until), None, subcommand, source, today)
                    .await
            }
            Command::Acknowledge { task } => {
                let until = self
                    .config
                    .calendar
                    .add_working_days(today, self.config.ladder.ack_hold_days.max(1))
                    .ok_or_else(|| ServiceError::user(subcommand, "the calendar has no working days"))?;
                let note = Some("acknowledged the escalation".to_owned());
                self.edit_task(actor, task, TaskEdit::Snooze(until), note, subcommand, source, today)
                    .await
            }
            Command::BlockedBy { task, by, reason } => {
                if task == by {
                    return Err(ServiceError::user(subcommand, "a task cannot wait on itself"));
                }
                if self.store.task(by).await?.is_none() {
                    return Err(ServiceError::user(subcommand, format!("there is no task {by}")));
                }
                let status = liftoff_core::TaskStatus::blocked(&reason)
                    .map_err(|e| ServiceError::user(subcommand, e.to_string()))?;
                self.edit_task(
                    actor,
                    task,
                    TaskEdit::BlockedBy(status, by),
                    None,
                    subcommand,
                    source,
                    today,
                )
                .await
            }
            Command::Escalations(reference) => {
                let only = match reference {
                    Some(reference) => Some(self.find_launch(&reference, subcommand).await?.id),
                    None => None,
                };
                let mut items = Vec::new();
                for fired in self.store.fired_for_open_tasks(only).await? {
                    let Some(task) = self.store.task(fired.task).await? else {
                        continue;
                    };
                    // Only the episode the task is in now: an old one was resolved or reset.
                    if liftoff_core::escalation::episode(&task) != fired.episode || fired.level < 1 {
                        continue;
                    }
                    let launch = self.launch_of(&task).await?;
                    items.push((TaskInLaunch { task, launch }, fired));
                }
                Ok(Reply::ephemeral(View::Escalations { items, today }))
            }
            Command::Template(tier) => Ok(Reply::ephemeral(View::Template {
                tier,
                tasks: self.config.templates.for_tier(tier).to_vec(),
            })),
            Command::Metric { launch, metric } => {
                let launch = self.find_launch(&launch, subcommand).await?;
                if !launch.state.is_active() {
                    return Err(ServiceError::user(subcommand, format!("{} is archived", launch.slug)));
                }
                self.store
                    .upsert_metric(launch.id, &metric, &self.ctx(actor, source))
                    .await?;
                Ok(Reply::in_channel(View::MetricSet { launch, metric }))
            }
            Command::Actual { launch, name, value } => {
                let launch = self.find_launch(&launch, subcommand).await?;
                if !self
                    .store
                    .record_metric_actual(launch.id, &name, value, &self.ctx(actor, source))
                    .await?
                {
                    let known: Vec<String> = self
                        .store
                        .metrics(launch.id)
                        .await?
                        .into_iter()
                        .map(|m| m.name)
                        .collect();
                    let known = if known.is_empty() {
                        "none yet".to_owned()
                    } else {
                        known.join(", ")
                    };
                    return Err(ServiceError::user(
                        subcommand,
                        format!("{} has no metric named `{name}` (its metrics: {known})", launch.slug),
                    ));
                }
                let metric = self
                    .store
                    .metrics(launch.id)
                    .await?
                    .into_iter()
                    .find(|m| m.name == name)
                    .ok_or_else(|| StoreError::Corrupt("metric vanished".to_owned()))?;
                Ok(Reply::in_channel(View::MetricSet { launch, metric }))
            }
            Command::Calendar(quarter) => {
                use chrono::Datelike;
                let (year, quarter) = quarter.unwrap_or((today.year(), today.month0() / 3 + 1));
                let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)
                    .ok_or_else(|| ServiceError::user(subcommand, "that quarter is outside the calendar"))?;
                let end = start
                    .checked_add_months(chrono::Months::new(3))
                    .ok_or_else(|| ServiceError::user(subcommand, "that quarter is outside the calendar"))?;
                let mut weeks: Vec<(NaiveDate, Vec<Launch>)> = Vec::new();
                for launch in self.store.list_launches(false).await? {
                    if launch.launch_date < start || launch.launch_date >= end {
                        continue;
                    }
                    let week = liftoff_core::saturation::week_of(launch.launch_date);
                    match weeks.iter_mut().find(|(w, _)| *w == week) {
                        Some((_, launches)) => launches.push(launch),
                        None => weeks.push((week, vec![launch])),
                    }
                }
                Ok(Reply::ephemeral(View::Calendar {
                    label: format!("{year} Q{quarter}"),
                    weeks,
                }))
            }
            Command::Raci { task, roles } => {
                let task = self
                    .store
                    .task(task)
                    .await?
                    .ok_or_else(|| ServiceError::user(subcommand, format!("there is no task {task}")))?;
                let launch = self.launch_of(&task).await?;
                if !launch.state.is_active() {
                    return Err(ServiceError::user(
                        subcommand,
                        format!("{} belongs to {}, which is archived", task.id, launch.slug),
                    ));
                }
                self.store
                    .set_task_roles(&task, &roles, &self.ctx(actor, source))
                    .await?;
                let summary: Vec<String> = roles
                    .iter()
                    .map(|r| format!("{} {}", r.role.as_str(), r.user.mention()))
                    .collect();
                Ok(Reply::ephemeral(View::Notice(format!(
                    "{}: {}",
                    task.id,
                    if summary.is_empty() {
                        "RACI cleared".to_owned()
                    } else {
                        summary.join(", ")
                    }
                ))))
            }
            Command::Retro(reference) => {
                let launch = self.find_launch(&reference, subcommand).await?;
                let tasks = self.store.launch_tasks(launch.id).await?;
                let history = self.store.launch_history(launch.id).await?;
                let metrics = self.store.metrics(launch.id).await?;
                let escalations = self.store.escalation_counts(launch.id).await?;
                let retro = liftoff_core::retro::summarise(
                    &tasks,
                    &history,
                    metrics,
                    escalations,
                    self.clock.now(),
                    &self.config.calendar,
                );
                Ok(Reply::ephemeral(View::Retro { launch, retro }))
            }
            Command::GoNoGo(reference) => self.start_gonogo(actor, &reference, today).await,
            Command::GoNoGoVote { gonogo, function, vote } => {
                self.vote_gonogo(actor, gonogo, &function, &vote, today).await
            }
            Command::Workload => {
                let mut people: std::collections::BTreeMap<SlackUserId, (usize, usize)> = Default::default();
                for task in self.store.open_tasks().await? {
                    if let Some(owner) = task.owner.clone() {
                        let entry = people.entry(owner).or_default();
                        entry.0 += 1;
                        entry.1 += usize::from(task.is_overdue(today));
                    }
                }
                let leads = liftoff_core::launch::launches_per_lead(&self.store.list_launches(false).await?);
                let mut people: Vec<(SlackUserId, usize, usize)> = people
                    .into_iter()
                    .map(|(user, (open, overdue))| (user, open, overdue))
                    .collect();
                people.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let mut leads: Vec<(SlackUserId, usize)> = leads.into_iter().collect();
                leads.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Ok(Reply::ephemeral(View::Workload {
                    people,
                    leads,
                    max_per_lead: self.config.max_active_launches_per_lead,
                }))
            }
            Command::SetChannel { function, channel } => {
                self.set_function(actor, &function, FunctionSetting::Channel(channel), source)
                    .await
            }
            Command::SetLead { function, lead } => {
                self.set_function(actor, &function, FunctionSetting::Lead(lead), source)
                    .await
            }
            Command::Digest(only) => {
                let Some(channel) = self.config.channels.pmo.clone() else {
                    return Err(ServiceError::user(
                        subcommand,
                        "no PMO channel is configured for the digest (set `channels.pmo` in the config)",
                    ));
                };
                let only = match only {
                    Some(reference) => Some(self.find_launch(&reference, subcommand).await?.id),
                    None => None,
                };
                let now = self.clock.now();
                // Everyone in the PMO channel reads it: one on-demand digest per person per
                // few minutes, so a repeated command cannot flood the channel.
                if let Some(last) = self.store.last_digest_request(actor).await?
                    && now - last < DIGEST_REQUEST_INTERVAL
                {
                    let wait = (DIGEST_REQUEST_INTERVAL - (now - last)).num_seconds().max(1);
                    return Err(ServiceError::user(
                        subcommand,
                        format!(
                            "you posted a digest a moment ago; try again in {} min",
                            (wait + 59) / 60
                        ),
                    ));
                }
                let prefix = format!("digest:now:{}:{}", actor.as_str(), now.timestamp_millis());
                let messages = self.digest_messages(channel.as_str(), &prefix, only).await?;
                self.store.enqueue(&messages, now).await?;
                Ok(Reply::ephemeral(View::Notice(format!(
                    "Posting the digest to {} now.",
                    channel.link()
                ))))
            }
            Command::Mine => {
                let mut items = Vec::new();
                for task in self.store.open_tasks_for_owner(actor).await? {
                    let launch = self.launch_of(&task).await?;
                    items.push(TaskInLaunch { task, launch });
                }
                Ok(Reply::ephemeral(View::MyTasks {
                    user: actor.clone(),
                    items,
                    today,
                }))
            }
        }
    }

    /// Starts a go/no-go: the launch lead (or an admin) asks the lead of every function with
    /// tasks in the launch. One open round per launch; asking again while one is open says who
    /// is still to answer instead.
    async fn start_gonogo(
        &self,
        actor: &SlackUserId,
        reference: &LaunchRef,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::GoNoGo;
        let launch = self.find_launch(reference, subcommand).await?;
        self.check_may_manage(actor, &launch, subcommand)?;
        if !launch.state.is_active() {
            return Err(ServiceError::user(subcommand, format!("{} is archived", launch.slug)));
        }
        if launch.launch_date < today {
            return Err(ServiceError::user(
                subcommand,
                format!(
                    "{} launched on {}; a go/no-go is for before launch day (`/launch retro {}` looks back)",
                    launch.slug, launch.launch_date, launch.slug
                ),
            ));
        }
        let tasks = self.store.launch_tasks(launch.id).await?;
        let involved: std::collections::BTreeSet<FunctionName> = tasks.iter().map(|t| t.function.clone()).collect();
        let functions = self.effective_functions().await?;
        let (ballots, leaderless) = liftoff_core::gonogo::ballots_for(&functions, &involved);
        if ballots.is_empty() {
            let names: Vec<String> = leaderless.iter().map(ToString::to_string).collect();
            return Err(ServiceError::user(
                subcommand,
                format!(
                    "nobody to ask: {} ha{} no lead; set one with `/launch lead <function> @user`",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "ve" }
                ),
            ));
        }
        let now = self.clock.now();
        let started_on = self.config.calendar.local_date(now, None);
        let asks = |gonogo: &liftoff_core::gonogo::GoNoGo| {
            crate::notify::ask_messages(gonogo, &launch, &tasks, &functions, today)
        };
        match self
            .store
            .start_gonogo(launch.id, actor, started_on, &ballots, now, &asks)
            .await?
        {
            Some(gonogo) => Ok(Reply::ephemeral(View::GoNoGoStarted {
                launch,
                gonogo,
                leaderless,
                pmo: self.config.channels.pmo.clone(),
            })),
            None => {
                let open = self.store.latest_gonogo(launch.id).await?;
                let waiting: Vec<String> = open
                    .iter()
                    .flat_map(|g| g.waiting_on())
                    .map(|b| format!("{} ({})", b.voter.mention(), b.function))
                    .collect();
                let since = open.map(|g| format!(" by {} on {}", g.started_by.mention(), g.started_on));
                Err(ServiceError::user(
                    subcommand,
                    format!(
                        "a go/no-go for {} is already under way (started{}); waiting on {}",
                        launch.slug,
                        since.unwrap_or_default(),
                        if waiting.is_empty() {
                            "nobody".to_owned()
                        } else {
                            waiting.join(", ")
                        }
                    ),
                ))
            }
        }
    }

    /// Records a lead's answer; the vote that completes the round also enqueues the result.
    async fn vote_gonogo(
        &self,
        actor: &SlackUserId,
        id: i64,
        function: &FunctionName,
        vote: &liftoff_core::gonogo::Vote,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        use crate::store::VoteOutcome;
        let subcommand = Subcommand::GoNoGo;
        let gone = || ServiceError::user(subcommand, "that go/no-go no longer exists");
        let round = self.store.gonogo(id).await?.ok_or_else(gone)?;
        let launch = self.store.launch_by_id(round.launch_id).await?.ok_or_else(gone)?;
        let pmo = self.config.channels.pmo.clone();
        let announce = |gonogo: &liftoff_core::gonogo::GoNoGo| {
            crate::notify::result_messages(gonogo, &launch, pmo.as_ref(), today)
        };
        let outcome = self
            .store
            .record_vote(id, function, actor, vote, self.clock.now(), &announce)
            .await?;
        match outcome {
            VoteOutcome::Unknown => Err(gone()),
            VoteOutcome::NotAsked(gonogo) => Err(ServiceError::user(
                subcommand,
                match gonogo.ballot(function) {
                    Some(ballot) => format!(
                        "this go/no-go asks {} for {function}, so only they can answer it",
                        ballot.voter.mention()
                    ),
                    None => format!("this go/no-go does not ask for {function}"),
                },
            )),
            VoteOutcome::AlreadyDecided(gonogo) => Err(ServiceError::user(
                subcommand,
                format!(
                    "the go/no-go for {} was already decided{}; `/launch gonogo {}` starts a new one",
                    launch.slug,
                    gonogo
                        .decided_at
                        .map(|at| format!(" on {}", self.config.calendar.local_date(at, None)))
                        .unwrap_or_default(),
                    launch.slug
                ),
            )),
            VoteOutcome::Recorded { gonogo, .. } => Ok(Reply::ephemeral(View::GoNoGoVoted {
                launch,
                gonogo,
                function: function.clone(),
                vote: vote.clone(),
                today,
            })),
        }
    }

    async fn create_launch(
        &self,
        actor: &SlackUserId,
        draft: LaunchDraft,
        source: ChangeSource,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let slug = draft
            .validate(today)
            .map_err(|e| ServiceError::user(Subcommand::New, e.to_string()))?;
        let templates = &self.config.templates;
        let (launch, tasks) = self
            .store
            .create_launch_with_tasks(
                &draft,
                &slug,
                &|launch| templates.instantiate(launch),
                &self.ctx(actor, source),
            )
            .await?;
        let warnings = self.saturation(&launch).await?;
        let view = View::LaunchCreated {
            launch,
            tasks,
            warnings: warnings.clone(),
            today,
        };
        // Warnings are for the person who can act on them, not the channel.
        Ok(if warnings.is_empty() {
            Reply::in_channel(view)
        } else {
            Reply::ephemeral(view)
        })
    }

    async fn edit_launch(
        &self,
        actor: &SlackUserId,
        reference: &LaunchRef,
        edit: LaunchEdit,
        subcommand: Subcommand,
        source: ChangeSource,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let mut retry = ConflictRetry::new();
        loop {
            let launch = self.find_launch(reference, subcommand).await?;
            self.check_may_manage(actor, &launch, subcommand)?;
            if subcommand == Subcommand::Archive && launch.state == LaunchState::Archived {
                return Err(ServiceError::user(
                    subcommand,
                    format!("{} is already archived", launch.slug),
                ));
            }
            let tasks = self.store.launch_tasks(launch.id).await?;
            let change = launch
                .edit(edit.clone(), &tasks, today, &self.ctx(actor, source))
                .map_err(|e: LaunchEditError| ServiceError::user(subcommand, e.to_string()))?;
            match self.store.save_launch_change(&change).await {
                Ok(saved) => {
                    let moved = saved.launch_date != launch.launch_date || saved.tier != launch.tier;
                    let warnings = if moved && saved.state.is_active() {
                        self.saturation(&saved).await?
                    } else {
                        Vec::new()
                    };
                    let view = View::LaunchEdited {
                        launch: saved,
                        changes: change.history,
                        moves: change.moves,
                        warnings: warnings.clone(),
                        today,
                    };
                    return Ok(if warnings.is_empty() {
                        Reply::in_channel(view)
                    } else {
                        Reply::ephemeral(view)
                    });
                }
                Err(StoreError::Conflict) if retry.again().await => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Editing, archiving and starting a go/no-go are for the launch's lead and for admins; a
    /// launch without a lead can be managed by anyone, so that someone can give it one.
    fn check_may_manage(
        &self,
        actor: &SlackUserId,
        launch: &Launch,
        subcommand: Subcommand,
    ) -> Result<(), ServiceError> {
        let allowed = match &launch.lead {
            None => true,
            Some(lead) => lead == actor || self.config.is_admin(actor),
        };
        if allowed {
            Ok(())
        } else {
            let lead = launch.lead.as_ref().map(SlackUserId::mention).unwrap_or_default();
            let action = match subcommand {
                Subcommand::GoNoGo => "start its go/no-go".to_owned(),
                other => format!("{other} it"),
            };
            Err(ServiceError::user(
                subcommand,
                format!("only {}'s lead ({lead}) or a Liftoff admin can {action}", launch.slug),
            ))
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn edit_task(
        &self,
        actor: &SlackUserId,
        id: TaskId,
        edit: TaskEdit,
        note: Option<String>,
        subcommand: Subcommand,
        source: ChangeSource,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let mut retry = ConflictRetry::new();
        loop {
            let task = self
                .store
                .task(id)
                .await?
                .ok_or_else(|| ServiceError::user(subcommand, format!("there is no task {id}")))?;
            let launch = self.launch_of(&task).await?;
            if !launch.state.is_active() {
                return Err(ServiceError::user(
                    subcommand,
                    format!("{id} belongs to {}, which is archived", launch.slug),
                ));
            }
            let (next, entry) = task
                .edit(
                    edit.clone(),
                    launch.launch_date,
                    &self.ctx(actor, source),
                    note.as_deref(),
                )
                .map_err(|e| ServiceError::user(subcommand, e.to_string()))?;
            match self.store.save_task(&next, std::slice::from_ref(&entry)).await {
                Ok(saved) => {
                    let resolved = (task.status.kind() == liftoff_core::StatusKind::Blocked
                        && saved.status.kind() != liftoff_core::StatusKind::Blocked)
                        || (task.status.is_open() && !saved.status.is_open());
                    if resolved {
                        self.announce_resolution(&saved, &entry).await?;
                    }
                    return Ok(Reply::in_channel(View::TaskUpdated {
                        item: TaskInLaunch { task: saved, launch },
                        change: entry,
                        today,
                    }));
                }
                Err(StoreError::Conflict) if retry.again().await => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }

    async fn set_function(
        &self,
        actor: &SlackUserId,
        function: &FunctionName,
        setting: FunctionSetting,
        source: ChangeSource,
    ) -> Result<Reply, ServiceError> {
        // A function's channel and lead decide where its check-ins go and who votes at
        // go/no-go and hears its escalations: settings that affect everyone, so admins set
        // them, and a function's current lead sets its own.
        let subcommand = match setting {
            FunctionSetting::Channel(_) => Subcommand::Channel,
            FunctionSetting::Lead(_) => Subcommand::Lead,
        };
        let current = self
            .effective_functions()
            .await?
            .into_iter()
            .find(|def| &def.name == function)
            .expect("the parser only accepts known functions");
        let is_its_lead = current.lead.as_ref() == Some(actor);
        // Without admins and without a lead nobody could ever set one: then anyone may, as
        // anyone may manage a launch that has no lead.
        let unclaimed = self.config.admins.is_empty() && current.lead.is_none();
        if !self.config.is_admin(actor) && !is_its_lead && !unclaimed {
            let lead = current.lead.as_ref().map_or(String::new(), |lead| {
                format!("{}'s lead ({}) or ", current.display_name, lead.mention())
            });
            let what = match subcommand {
                Subcommand::Channel => "check-in channel",
                _ => "lead",
            };
            return Err(ServiceError::user(
                subcommand,
                format!(
                    "only {lead}a Liftoff admin can change the {} {what}",
                    current.display_name
                ),
            ));
        }
        self.store
            .set_function_setting(function, &setting, &self.ctx(actor, source))
            .await?;
        let function = self
            .effective_functions()
            .await?
            .into_iter()
            .find(|def| &def.name == function)
            .expect("the parser only accepts known functions");
        Ok(Reply::ephemeral(View::FunctionUpdated { function }))
    }

    /// Saturation warnings for `launch` against the other active launches.
    async fn saturation(&self, launch: &Launch) -> Result<Vec<String>, StoreError> {
        let others: Vec<Launch> = self
            .store
            .list_launches(false)
            .await?
            .into_iter()
            .filter(|l| l.id != launch.id)
            .collect();
        Ok(liftoff_core::saturation::warnings(
            launch.tier,
            launch.launch_date,
            &others,
            self.config.max_launches_per_week,
            &self.config.freezes,
        ))
    }

    /// Replies in the thread of every escalation about `task` that it is resolved, by whom and
    /// when (once per escalation message).
    async fn announce_resolution(&self, task: &Task, change: &liftoff_core::HistoryEntry) -> Result<(), StoreError> {
        let escalations = self.store.escalation_messages(task.id).await?;
        if escalations.is_empty() {
            return Ok(());
        }
        let at = change
            .at
            .with_timezone(&self.config.calendar.timezone)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let messages = crate::notify::resolution(task, change, &at, escalations);
        self.store.enqueue(&messages, self.clock.now()).await?;
        Ok(())
    }

    /// Functions with the channel and lead set in Slack applied over the configured defaults.
    pub async fn effective_functions(&self) -> Result<Vec<FunctionDef>, StoreError> {
        let overrides = self.store.function_overrides().await?;
        Ok(self
            .config
            .functions
            .iter()
            .map(|def| match overrides.get(&def.name) {
                Some(o) => def.with_overrides(o),
                None => def.clone(),
            })
            .collect())
    }

    async fn find_launch(&self, reference: &LaunchRef, subcommand: Subcommand) -> Result<Launch, ServiceError> {
        self.store.launch(reference).await?.ok_or_else(|| {
            ServiceError::user(
                subcommand,
                format!("there is no launch `{reference}`; `/launch list` shows them"),
            )
        })
    }

    async fn launch_of(&self, task: &Task) -> Result<Launch, ServiceError> {
        self.store
            .launch_by_id(task.launch_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("{} has no launch", task.id)).into())
    }
}
