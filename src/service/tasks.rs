//! Tasks: adding them, and every change to one (owner, due date, status, snooze,
//! acknowledgement, dependency, RACI), through one permission-checked, retried edit.

use chrono::NaiveDate;

use super::permissions::change_notices;
use super::{Asker, ConflictRetry, Service, ServiceError};
use crate::store::{StoreError, TaskSlot};
use crate::views::{Reply, TaskInLaunch, UserError, View};
use liftoff_core::command::Subcommand;
use liftoff_core::task::TaskEdit;
use liftoff_core::task::permission::Change;
use liftoff_core::{ChangeSource, FunctionName, LaunchRef, SlackUserId, Task, TaskDraft, TaskId};

/// What a person asked for in `/launch task`, besides the launch: kept whole for each attempt.
struct TaskRequest {
    function: FunctionName,
    title: String,
    owner: Option<SlackUserId>,
    due: Option<liftoff_core::DueDate>,
}

impl Service {
    /// Adds a task to a launch, owned by its function's lead when no owner is given; the owner
    /// is told in a DM.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn add_task(
        &self,
        asker: &Asker<'_>,
        launch: LaunchRef,
        function: FunctionName,
        title: String,
        owner: Option<SlackUserId>,
        due: Option<liftoff_core::DueDate>,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Task;
        // Another process on the same SQLite file can take the reserved id between the read
        // and the write (one process per file is the rule, but a CLI run may be the other);
        // the write then fails whole and a new slot is read.
        let mut retry = ConflictRetry::new();
        loop {
            let slot = self
                .store
                .task_slot(&launch, &function)
                .await?
                .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchLaunch(launch.clone())))?;
            let attempt = TaskRequest {
                function: function.clone(),
                title: title.clone(),
                owner: owner.clone(),
                due,
            };
            match self.fill_slot(asker, slot, attempt).await {
                Err(ServiceError::Store(StoreError::Conflict)) if retry.again().await => continue,
                result => return result,
            }
        }
    }

    /// The rest of [`Service::add_task`], once its slot is read: checks the request against the
    /// launch, and stores the task with its owner's DM.
    async fn fill_slot(&self, asker: &Asker<'_>, slot: TaskSlot, request: TaskRequest) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Task;
        let (actor, source, today) = (asker.actor, asker.source, asker.today);
        let TaskRequest {
            function,
            title,
            owner,
            due,
        } = request;
        let launch = slot.launch.clone();
        if !launch.state.is_active() {
            return Err(ServiceError::user(
                subcommand,
                UserError::LaunchArchived(launch.slug.clone()),
            ));
        }
        if let Some(liftoff_core::DueDate::On(date)) = due
            && date < today
        {
            return Err(ServiceError::user(subcommand, UserError::DateInPast { date, today }));
        }
        // No owner given: the function's lead owns it until they hand it on.
        let lead_by_default = owner.is_none();
        let owner = owner.or_else(|| self.function_lead_over(&function, slot.function_lead.clone()));
        let lead_by_default = lead_by_default && owner.is_some();
        let draft = TaskDraft {
            launch_id: launch.id,
            function,
            title,
            owner,
            due,
        };
        let calendar = &self.config.calendar;
        let new = draft
            .validate(launch.launch_date, calendar)
            .map_err(|e| ServiceError::user(subcommand, UserError::Rule(e.to_string())))?;
        // Said back only when the person gave the date: a default is not theirs to question.
        let due_note = due.and_then(|due| due.resolve(launch.launch_date, calendar).ok()?.note);
        let ctx = self.ctx(actor, source);
        // The owner hears of it in a DM they can answer from, not by a mention in the channel;
        // the DM names the task's id, so it is drawn up from the task as it will be stored,
        // and saved with it.
        let mut notices = Vec::new();
        if let Some(owner) = new.owner.as_ref().filter(|owner| *owner != actor) {
            let item = TaskInLaunch {
                task: new.stored_as(slot.id, ctx.at),
                launch: launch.clone(),
            };
            notices.push(crate::notify::assigned(
                format!("assigned:{}:created", slot.id),
                owner,
                Some(actor),
                std::slice::from_ref(&item),
                today,
            ));
        }
        let task = slot.fill(&new, &ctx, &notices).await?;
        let item = TaskInLaunch { task, launch };
        Ok(Reply::ephemeral(View::TaskCreated {
            item,
            lead_by_default,
            due_note,
            today,
        }))
    }

    /// Moves a task's due date (never into the past).
    pub(super) async fn set_due(
        &self,
        asker: &Asker<'_>,
        task: TaskId,
        due: liftoff_core::DueDate,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Due;
        let today = asker.today;
        if let liftoff_core::DueDate::On(date) = due
            && date < today
        {
            return Err(ServiceError::user(subcommand, UserError::DateInPast { date, today }));
        }
        self.edit_task(asker, task, TaskEdit::Due(due), None, subcommand).await
    }

    /// The day `working_days` working days after the asker's today.
    fn working_days_ahead(
        &self,
        asker: &Asker<'_>,
        working_days: u32,
        subcommand: Subcommand,
    ) -> Result<NaiveDate, ServiceError> {
        self.config
            .calendar
            .add_working_days(asker.today, working_days)
            .ok_or_else(|| ServiceError::user(subcommand, UserError::NoWorkingDays))
    }

    /// Snoozes a task's escalations for some working days.
    pub(super) async fn snooze(
        &self,
        asker: &Asker<'_>,
        task: TaskId,
        working_days: u32,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Snooze;
        let until = self.working_days_ahead(asker, working_days, subcommand)?;
        self.edit_task(asker, task, TaskEdit::Snooze(until), None, subcommand)
            .await
    }

    /// Snoozes a task's escalations until a date (capped: past it, it is a new due date).
    pub(super) async fn snooze_until(
        &self,
        asker: &Asker<'_>,
        task: TaskId,
        until: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Snooze;
        let today = asker.today;
        if until <= today {
            return Err(ServiceError::user(subcommand, UserError::SnoozeNotAfterToday { today }));
        }
        // The same cap as `/launch snooze`: past it, it is a new due date, not a snooze.
        let latest = self.working_days_ahead(asker, liftoff_core::MAX_SNOOZE_WORKING_DAYS, subcommand)?;
        if until > latest {
            return Err(ServiceError::user(
                subcommand,
                UserError::SnoozeTooLong {
                    working_days: liftoff_core::MAX_SNOOZE_WORKING_DAYS,
                    latest,
                },
            ));
        }
        self.edit_task(asker, task, TaskEdit::Snooze(until), None, subcommand)
            .await
    }

    /// Acknowledges an escalation: its ladder holds for the configured working days.
    pub(super) async fn acknowledge(&self, asker: &Asker<'_>, task: TaskId) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Snooze;
        let until = self.working_days_ahead(asker, self.config.ladder.ack_hold_days.max(1), subcommand)?;
        let note = Some("acknowledged the escalation".to_owned());
        self.edit_task(asker, task, TaskEdit::Snooze(until), note, subcommand)
            .await
    }

    /// Marks a task blocked by another one.
    pub(super) async fn blocked_by(
        &self,
        asker: &Asker<'_>,
        task: TaskId,
        by: TaskId,
        reason: String,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Block;
        if task == by {
            return Err(ServiceError::user(subcommand, UserError::WaitsOnItself));
        }
        let Some(waited_on) = self.store.task(by).await? else {
            return Err(ServiceError::user(subcommand, UserError::NoSuchTask(by)));
        };
        if !waited_on.status.is_open() {
            return Err(ServiceError::user(subcommand, UserError::WaitsOnDone(by)));
        }
        if let Some(blocked) = self.store.task(task).await?
            && blocked.launch_id != waited_on.launch_id
        {
            let launch = self.launch_of(&waited_on).await?;
            return Err(ServiceError::user(
                subcommand,
                UserError::WaitsOnOtherLaunch {
                    by,
                    launch: launch.slug,
                },
            ));
        }
        let status = liftoff_core::TaskStatus::blocked(&reason)
            .map_err(|e| ServiceError::user(subcommand, UserError::Rule(e.to_string())))?;
        self.edit_task(asker, task, TaskEdit::BlockedBy(status, by), None, subcommand)
            .await
    }

    /// Sets (or clears) a task's RACI roles.
    pub(super) async fn set_raci(
        &self,
        asker: &Asker<'_>,
        task: TaskId,
        roles: Option<Vec<liftoff_core::RoleAssignment>>,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Raci;
        let (actor, source) = (asker.actor, asker.source);
        let task = self
            .store
            .task(task)
            .await?
            .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchTask(task)))?;
        let launch = self.launch_of(&task).await?;
        if !launch.state.is_active() {
            return Err(ServiceError::user(
                subcommand,
                UserError::TaskInArchivedLaunch {
                    task: task.id,
                    launch: launch.slug.clone(),
                },
            ));
        }
        let Some(roles) = roles else {
            let roles = self.store.task_roles(task.id).await?;
            return Ok(Reply::ephemeral(View::Roles {
                task: task.id,
                roles,
                changed: false,
            }));
        };
        self.check_may_change(actor, &task, &launch, Change::Other, subcommand, &mut None)
            .await?;
        let entry = self.ctx(actor, source).entry(
            task.launch_id,
            Some(task.id),
            liftoff_core::ChangeField::Role,
            None,
            Some(liftoff_core::task::roles_summary(&roles)),
        );
        let item = TaskInLaunch {
            task: task.clone(),
            launch,
        };
        let notices = change_notices(actor, source, &task, &item, &entry, asker.today);
        self.store.set_task_roles(&task, &roles, &entry, &notices).await?;
        Ok(Reply::ephemeral(View::Roles {
            task: task.id,
            roles,
            changed: true,
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn edit_task(
        &self,
        asker: &Asker<'_>,
        id: TaskId,
        edit: TaskEdit,
        note: Option<String>,
        subcommand: Subcommand,
    ) -> Result<Reply, ServiceError> {
        let (actor, source, today) = (asker.actor, asker.source, asker.today);
        let _turn = self.task_turn(id).await;
        let mut retry = ConflictRetry::new();
        let mut function_lead = None;
        loop {
            let task = self
                .store
                .task(id)
                .await?
                .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchTask(id)))?;
            let launch = self.launch_of(&task).await?;
            if !launch.state.is_active() {
                return Err(ServiceError::user(
                    subcommand,
                    UserError::TaskInArchivedLaunch {
                        task: id,
                        launch: launch.slug.clone(),
                    },
                ));
            }
            let change = match &edit {
                TaskEdit::Owner(to) => Change::Owner { to: to.as_ref() },
                _ => Change::Other,
            };
            self.check_may_change(actor, &task, &launch, change, subcommand, &mut function_lead)
                .await?;
            let calendar = &self.config.calendar;
            let (next, entry) = task
                .edit(
                    edit.clone(),
                    launch.launch_date,
                    calendar,
                    &self.ctx(actor, source),
                    note.as_deref(),
                )
                .map_err(|e| ServiceError::user(subcommand, UserError::Rule(e.to_string())))?;
            let after = TaskInLaunch {
                task: next.clone(),
                launch: launch.clone(),
            };
            let mut notices = change_notices(actor, source, &task, &after, &entry, today);
            if task.status.is_open() && !next.status.is_open() {
                notices.extend(self.unblock_notices(actor, &next, &launch, today).await?);
            }
            // A button redraws the check-in itself, and a thread reply its own thread's; a
            // command or the CLI changes a task out of the check-in's sight.
            if matches!(source, ChangeSource::Command | ChangeSource::Cli) {
                notices.extend(self.checkin_redraw_for_change(task.id, task.version + 1, today).await?);
            }
            match self
                .store
                .save_task(&next, std::slice::from_ref(&entry), &notices, asker.mark)
                .await
            {
                Ok(saved) => {
                    let resolved = (task.status.kind() == liftoff_core::StatusKind::Blocked
                        && saved.status.kind() != liftoff_core::StatusKind::Blocked)
                        || (task.status.is_open() && !saved.status.is_open());
                    if resolved {
                        self.announce_resolution(&saved, &entry).await?;
                    }
                    let due_note = match &edit {
                        TaskEdit::Due(due) => due.resolve(launch.launch_date, calendar).ok().and_then(|r| r.note),
                        _ => None,
                    };
                    return Ok(Reply::in_channel(View::TaskUpdated {
                        item: TaskInLaunch { task: saved, launch },
                        change: entry,
                        due_note,
                        today,
                    }));
                }
                Err(StoreError::Conflict) if retry.again().await => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// The DMs telling the owners of tasks that waited on `done` that it is done: one per
    /// owner, listing their tasks, and none to the person who just finished it.
    async fn unblock_notices(
        &self,
        actor: &SlackUserId,
        done: &Task,
        launch: &liftoff_core::Launch,
        today: NaiveDate,
    ) -> Result<Vec<crate::outbound::OutboxMessage>, StoreError> {
        let mut waiting: std::collections::BTreeMap<SlackUserId, Vec<TaskInLaunch>> = Default::default();
        for other in self.waiting_on(done).await? {
            if !other.status.is_open() {
                continue;
            }
            let Some(owner) = other.owner.clone().filter(|owner| owner != actor) else {
                continue;
            };
            waiting.entry(owner).or_default().push(TaskInLaunch {
                task: other,
                launch: launch.clone(),
            });
        }
        let version = done.version + 1;
        Ok(waiting
            .into_iter()
            .map(|(owner, tasks)| {
                let key = format!("unblocked:{}:v{version}:{owner}", done.id);
                crate::notify::unblocked(key, &owner, done, &tasks, today)
            })
            .collect())
    }

    /// The tasks of `task`'s launch that wait on it (`block … by`): what it blocks.
    async fn waiting_on(&self, task: &Task) -> Result<Vec<Task>, StoreError> {
        Ok(self
            .store
            .launch_tasks(task.launch_id)
            .await?
            .into_iter()
            .filter(|other| other.blocked_by == Some(task.id))
            .collect())
    }

    /// Says in the escalations about `task` that it is resolved, by whom and when: one line per
    /// place they went, none to whoever resolved it (see [`crate::notify::resolution`]).
    pub(super) async fn announce_resolution(
        &self,
        task: &Task,
        change: &liftoff_core::HistoryEntry,
    ) -> Result<(), StoreError> {
        let escalations = self.store.escalation_messages(task.id).await?;
        if escalations.is_empty() {
            return Ok(());
        }
        let at = change
            .at
            .with_timezone(&self.config.calendar.timezone)
            .format("%a %-d %b %H:%M")
            .to_string();
        let messages = crate::notify::resolution(task, change, &at, &escalations);
        self.store.enqueue(&messages, self.clock.now()).await?;
        Ok(())
    }

    /// One task in full: its launch, roles, history, what blocks it and what it blocks.
    pub(super) async fn show_task(&self, asker: &Asker<'_>, id: TaskId) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Show;
        let task = self
            .store
            .task(id)
            .await?
            .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchTask(id)))?;
        let launch = self.launch_of(&task).await?;
        let roles = self.store.task_roles(id).await?;
        let history: Vec<_> = self
            .store
            .launch_history(launch.id)
            .await?
            .into_iter()
            .filter(|entry| entry.task_id == Some(id))
            .collect();
        let blocked_by = match task.blocked_by {
            Some(by) => self.store.task(by).await?,
            None => None,
        };
        let blocks = self.waiting_on(&task).await?;
        Ok(Reply::ephemeral(View::TaskDetail {
            item: TaskInLaunch { task, launch },
            roles,
            history,
            blocked_by,
            blocks,
            today: asker.today,
        }))
    }
}
