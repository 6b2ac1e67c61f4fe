//! Launches: listing, showing, creating, editing and archiving them, and the calendar of
//! launch weeks. Who may manage a launch is decided here too.

use chrono::NaiveDate;

use super::{Asker, ConflictRetry, Service, ServiceError};
use crate::store::StoreError;
use crate::views::{CalendarSpan, LaunchDetail, Reply, TaskInLaunch, UserError, View};
use liftoff_core::command::Subcommand;
use liftoff_core::launch::{LaunchEdit, LaunchEditError, LaunchState};
use liftoff_core::readiness::readiness;
use liftoff_core::{ChangeSource, Launch, LaunchDraft, LaunchRef, SlackUserId};

/// How many weeks `/launch calendar` shows without a quarter: a quarter's worth, from this week.
pub(crate) const CALENDAR_WEEKS: u32 = 13;

/// How many of the latest undelivered messages a launch's page lists, so the PMM sees them.
const UNDELIVERED_SHOWN: i64 = 5;

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
        // Read at once, on one connection (see `store::pages`).
        let page = self
            .store
            .launch_page(&reference, UNDELIVERED_SHOWN)
            .await?
            .ok_or_else(|| ServiceError::user(subcommand, UserError::NoSuchLaunch(reference.clone())))?;
        let functions = self.functions_with(&page.overrides);
        let crate::store::LaunchPage {
            launch,
            tasks,
            metrics,
            roles,
            gonogo,
            undelivered,
            ..
        } = page;
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

    /// The launches by week: the next [`CALENDAR_WEEKS`] weeks from this one by default, so a
    /// launch six weeks out is always on it (a quarter view hides it in a quarter's last
    /// weeks), or the quarter asked for.
    pub(super) async fn calendar(&self, asker: &Asker<'_>, quarter: Option<(i32, u32)>) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Calendar;
        let outside = || ServiceError::user(subcommand, UserError::QuarterOutsideCalendar);
        let (span, start, end) = match quarter {
            None => {
                let from = liftoff_core::saturation::week_of(asker.today);
                let end = from + chrono::Duration::weeks(i64::from(CALENDAR_WEEKS));
                (
                    CalendarSpan::Weeks {
                        from,
                        weeks: CALENDAR_WEEKS,
                    },
                    from,
                    end,
                )
            }
            Some((year, quarter)) => {
                let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).ok_or_else(outside)?;
                let end = start.checked_add_months(chrono::Months::new(3)).ok_or_else(outside)?;
                (CalendarSpan::Quarter { year, quarter }, start, end)
            }
        };
        let mut weeks: Vec<(NaiveDate, Vec<Launch>)> = Vec::new();
        // Soonest first: the store lists launches by date.
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
        Ok(Reply::ephemeral(View::Calendar { span, weeks }))
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
        // Every launch has someone who answers for it: without `lead:`, whoever created it.
        let lead_is_author = draft.lead.is_none();
        let draft = LaunchDraft {
            lead: Some(draft.lead.unwrap_or_else(|| actor.clone())),
            ..draft
        };
        let templates = &self.config.templates;
        // Template tasks start with their function's lead, who hands them on.
        let leads: std::collections::BTreeMap<_, _> = self
            .effective_functions()
            .await?
            .into_iter()
            .filter_map(|def| def.lead.map(|lead| (def.name, lead)))
            .collect();
        let planned = |launch: &Launch| {
            let mut tasks = templates.instantiate(launch, &self.config.calendar);
            for task in &mut tasks {
                task.owner = leads.get(&task.function).cloned();
            }
            tasks
        };
        let (launch, tasks) = self
            .store
            .create_launch_with_tasks(&draft, &slug, &planned, &self.ctx(actor, source))
            .await?;
        self.tell_new_owners(actor, &launch, &tasks, today).await?;
        let warnings = self.saturation(&launch).await?;
        let view = View::LaunchCreated {
            launch,
            lead_is_author,
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

    /// One DM to each person (but the author) who owns some of a new launch's tasks, listing
    /// them with their buttons.
    async fn tell_new_owners(
        &self,
        actor: &SlackUserId,
        launch: &Launch,
        tasks: &[liftoff_core::Task],
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut by_owner: std::collections::BTreeMap<&SlackUserId, Vec<TaskInLaunch>> = Default::default();
        for task in tasks {
            if let Some(owner) = task.owner.as_ref().filter(|owner| *owner != actor) {
                by_owner.entry(owner).or_default().push(TaskInLaunch {
                    task: task.clone(),
                    launch: launch.clone(),
                });
            }
        }
        let messages: Vec<_> = by_owner
            .into_iter()
            .map(|(owner, items)| {
                let key = format!("assigned:launch{}:created:{owner}", launch.id.0);
                crate::notify::assigned(key, owner, None, &items, today)
            })
            .collect();
        self.store.enqueue(&messages, self.clock.now()).await?;
        Ok(())
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
