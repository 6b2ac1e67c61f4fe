//! The application layer: carries out a [`Command`] for a person, using the pure `domain` for
//! every decision and the `store` for state, and answers with a [`Reply`]. It neither parses
//! Slack payloads nor renders Block Kit; the `slack` module does both around it.

mod assignment;
mod checkin_views;
mod error;
mod functions;
mod gonogo;
pub mod home;
mod launches;
mod metrics;
pub mod people;
mod permissions;
pub mod replies;
pub mod reports;
mod tasks;

pub use error::ServiceError;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::store::{FunctionSetting, Store, StoreError};
use crate::views::{Reply, UserError, View};
use liftoff_core::command::{Command, Subcommand};
use liftoff_core::launch::{LaunchEdit, LaunchState};
use liftoff_core::task::TaskEdit;
use liftoff_core::{Actor, ChangeContext, ChangeSource, Launch, LaunchRef, SlackUserId, Task};

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

/// Who asks, from where, on which of their days: what every feature needs to answer a command.
#[derive(Debug, Clone, Copy)]
struct Asker<'a> {
    actor: &'a SlackUserId,
    source: ChangeSource,
    today: NaiveDate,
    /// The reply update this command carries out, recorded with the change it makes.
    mark: Option<&'a crate::store::ReplyMark>,
}

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
    /// Turns at changing a task, striped by task id: people changing one task at the same
    /// moment in this instance queue for it instead of all reading, losing the race and
    /// retrying (which, fifty at once on a busy machine, outlasts Slack's 3 seconds). Other
    /// instances are still kept apart by the version check and `ConflictRetry`.
    task_turns: Arc<[tokio::sync::Mutex<()>]>,
    /// People's time zones, read once for many commands (see `people::TimezoneCache`).
    timezones: Arc<people::TimezoneCache>,
}

/// How many task turns there are: tasks whose ids share a stripe wait for each other, which
/// costs nothing unless they are changed at the very same moment.
const TASK_TURN_STRIPES: usize = 64;

impl Service {
    pub fn new(store: Store, config: Arc<Config>, clock: SharedClock) -> Self {
        let task_turns = (0..TASK_TURN_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect();
        Service {
            store,
            config,
            clock,
            task_turns,
            timezones: Arc::default(),
        }
    }

    /// This instance's turn at changing `task` (see `task_turns`).
    async fn task_turn(&self, task: liftoff_core::TaskId) -> tokio::sync::MutexGuard<'_, ()> {
        let stripe = task.0.unsigned_abs() as usize % self.task_turns.len();
        self.task_turns[stripe].lock().await
    }

    /// The asking person's date today, in their own time zone when Slack has told us (cached
    /// from `users.info`), else the organisation's.
    pub async fn today_for(&self, user: &SlackUserId) -> NaiveDate {
        self.date_for(user, self.clock.now()).await
    }

    /// The date `at` was in `user`'s time zone (the organisation's when theirs is unknown).
    pub async fn date_for(&self, user: &SlackUserId, at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        let timezone = self.timezone_of(user).await.map(|(zone, _)| zone);
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
        self.execute_marked(actor, command, source, None).await
    }

    /// [`Service::execute`] for one update of a reply, whose `mark` is written with the change.
    async fn execute_marked(
        &self,
        actor: &SlackUserId,
        command: Command,
        source: ChangeSource,
        mark: Option<&crate::store::ReplyMark>,
    ) -> Result<Reply, ServiceError> {
        let today = self.today_for(actor).await;
        let subcommand = command.subcommand();
        let asker = Asker {
            actor,
            source,
            today,
            mark,
        };
        match command {
            Command::Help { topic } => Ok(Reply::ephemeral(View::Help { topic })),
            Command::NewLaunchForm => Ok(Reply::ephemeral(View::NewLaunchForm)),
            Command::NewLaunch(draft) => self.create_launch(actor, draft, source, today).await,
            Command::List { include_archived } => self.list_launches(&asker, include_archived).await,
            Command::Show(reference) => self.show_launch(&asker, reference).await,
            Command::ShowTask(task) => self.show_task(&asker, task).await,
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
            } => self.add_task(&asker, launch, function, title, owner, due).await,
            Command::Assign { task, owner } => {
                let owner = owner.resolve(actor);
                self.edit_task(&asker, task, TaskEdit::Owner(owner), None, subcommand)
                    .await
            }
            Command::AssignFunction {
                launch,
                function,
                owner,
            } => self.assign_function(&asker, launch, function, owner).await,
            Command::SetDue { task, due } => self.set_due(&asker, task, due).await,
            Command::SetStatus { task, status, note } => {
                self.edit_task(&asker, task, TaskEdit::Status(status), note, subcommand)
                    .await
            }
            Command::Snooze { task, working_days } => self.snooze(&asker, task, working_days).await,
            Command::SnoozeUntil { task, until } => self.snooze_until(&asker, task, until).await,
            Command::Acknowledge { task } => self.acknowledge(&asker, task).await,
            Command::BlockedBy { task, by, reason } => self.blocked_by(&asker, task, by, reason).await,
            Command::Escalations(reference) => self.escalations(&asker, reference).await,
            Command::Template(tier) => {
                // In the order they fall due, as a plan reads.
                let mut tasks = self.config.templates.for_tier(tier).to_vec();
                tasks.sort_by_key(|task| task.offset_days);
                Ok(Reply::ephemeral(View::Template { tier, tasks }))
            }
            Command::Metric { launch, metric } => self.set_metric(&asker, launch, metric).await,
            Command::Actual { launch, name, value } => self.record_actual(&asker, launch, name, value).await,
            Command::Calendar(quarter) => self.calendar(&asker, quarter).await,
            Command::Raci { task, roles } => self.set_raci(&asker, task, roles).await,
            Command::Retro(reference) => self.retro(&asker, reference).await,
            Command::GoNoGo(reference) => self.start_gonogo(actor, &reference, today).await,
            Command::GoNoGoVote { gonogo, function, vote } => {
                self.vote_gonogo(actor, gonogo, &function, &vote, today).await
            }
            Command::Workload => self.workload(&asker).await,
            Command::SetChannel { function, channel } => {
                self.set_function(actor, &function, FunctionSetting::Channel(channel), source)
                    .await
            }
            Command::SetLead { function, lead } => {
                self.set_function(actor, &function, FunctionSetting::Lead(lead), source)
                    .await
            }
            Command::Digest(only) => self.digest_now(&asker, only).await,
            Command::Mine => self.my_tasks(&asker).await,
        }
    }

    async fn find_launch(&self, reference: &LaunchRef, subcommand: Subcommand) -> Result<Launch, ServiceError> {
        self.store
            .launch(reference)
            .await?
            .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchLaunch(reference.clone())))
    }

    async fn launch_of(&self, task: &Task) -> Result<Launch, ServiceError> {
        self.store
            .launch_by_id(task.launch_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("{} has no launch", task.id)).into())
    }
}
