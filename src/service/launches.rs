//! Launches: listing, showing, creating, editing and archiving them, and the calendar of
//! launch weeks. Who may manage a launch is decided here too.

use chrono::NaiveDate;

use super::{Asker, ConflictRetry, Service, ServiceError};
use crate::store::StoreError;
use crate::views::{LaunchDetail, Reply, UserError, View};
use liftoff_core::command::Subcommand;
use liftoff_core::launch::{LaunchEdit, LaunchEditError, LaunchState};
use liftoff_core::readiness::readiness;
use liftoff_core::{ChangeSource, Launch, LaunchDraft, LaunchRef, SlackUserId};

impl Service {
    /// Every launch (active, or all), with its readiness.
    pub(super) async fn list_launches(&self, asker: &Asker<'_>, include_archived: bool) -> Result<Reply, ServiceError> {
        let today = asker.today;
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

    /// One launch in full: tasks, readiness, metrics, RACI, go/no-go, failed deliveries.
    pub(super) async fn show_launch(&self, asker: &Asker<'_>, reference: LaunchRef) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Show;
        let today = asker.today;
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

    /// The launches of a quarter (this one by default), by week.
    pub(super) async fn calendar(&self, asker: &Asker<'_>, quarter: Option<(i32, u32)>) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Calendar;
        let today = asker.today;
        use chrono::Datelike;
        let (year, quarter) = quarter.unwrap_or((today.year(), today.month0() / 3 + 1));
        let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)
            .ok_or_else(|| ServiceError::user(subcommand, UserError::QuarterOutsideCalendar))?;
        let end = start
            .checked_add_months(chrono::Months::new(3))
            .ok_or_else(|| ServiceError::user(subcommand, UserError::QuarterOutsideCalendar))?;
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

    pub(super) async fn create_launch(
        &self,
        actor: &SlackUserId,
        draft: LaunchDraft,
        source: ChangeSource,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let slug = draft
            .validate(today)
            .map_err(|e| ServiceError::user(Subcommand::New, UserError::Rule(e.to_string())))?;
        let templates = &self.config.templates;
        let (launch, tasks) = self
            .store
            .create_launch_with_tasks(
                &draft,
                &slug,
                &|launch| templates.instantiate(launch, &self.config.calendar),
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

    pub(super) async fn edit_launch(
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
                    UserError::AlreadyArchived(launch.slug.clone()),
                ));
            }
            let tasks = self.store.launch_tasks(launch.id).await?;
            let change = launch
                .edit(
                    edit.clone(),
                    &tasks,
                    today,
                    &self.config.calendar,
                    &self.ctx(actor, source),
                )
                .map_err(|e: LaunchEditError| ServiceError::user(subcommand, UserError::Rule(e.to_string())))?;
            match self.store.save_launch_change(&change).await {
                Ok(saved) => {
                    self.tell_whose_dates_moved(actor, &launch, &saved, &tasks, &change.moves, today)
                        .await?;
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

    /// After a launch moved: one message to each function channel whose tasks moved and one DM
    /// to each owner whose dates moved (see [`crate::notify::launch_moved`]).
    async fn tell_whose_dates_moved(
        &self,
        actor: &SlackUserId,
        before: &Launch,
        saved: &Launch,
        tasks: &[liftoff_core::Task],
        moves: &[liftoff_core::DueDateMove],
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let moved: Vec<_> = moves
            .iter()
            .filter_map(|m| tasks.iter().find(|t| t.id == m.task).map(|t| (t, m)))
            .collect();
        if moved.is_empty() {
            return Ok(());
        }
        let change = crate::notify::LaunchMove {
            launch: saved,
            from: before.launch_date,
            actor,
            moved,
            today,
        };
        let functions = self.effective_functions().await?;
        let messages = crate::notify::launch_moved(&change, &functions);
        self.store.enqueue(&messages, self.clock.now()).await?;
        Ok(())
    }

    /// Editing, archiving and starting a go/no-go are for the launch's lead and for admins; a
    /// launch without a lead can be managed by anyone, so that someone can give it one.
    pub(super) fn check_may_manage(
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
            Err(ServiceError::user(
                subcommand,
                UserError::NotLaunchManager {
                    launch: launch.slug.clone(),
                    lead: launch.lead.clone(),
                    action: subcommand,
                },
            ))
        }
    }

    /// Warnings about `launch`'s date: a launch day that is not a working day, then saturation
    /// against the other active launches.
    pub(super) async fn saturation(&self, launch: &Launch) -> Result<Vec<String>, StoreError> {
        let others: Vec<Launch> = self
            .store
            .list_launches(false)
            .await?
            .into_iter()
            .filter(|l| l.id != launch.id)
            .collect();
        let mut warnings: Vec<String> =
            liftoff_core::saturation::non_working_launch_day(launch.launch_date, &self.config.calendar)
                .into_iter()
                .collect();
        warnings.extend(liftoff_core::saturation::warnings(
            launch.tier,
            launch.launch_date,
            &others,
            self.config.max_launches_per_week,
            &self.config.freezes,
        ));
        Ok(warnings)
    }
}
