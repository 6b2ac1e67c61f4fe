//! Who may change a task, and who is told when someone else does: the service's side of
//! [`liftoff_core::task::permission`], which decides; here we only gather the people (the
//! function's lead as set in Slack over the configuration) and build the notices.

use chrono::NaiveDate;

use super::{Service, ServiceError};
use crate::outbound::OutboxMessage;
use crate::store::StoreError;
use crate::views::{TaskInLaunch, UserError};
use liftoff_core::command::Subcommand;
use liftoff_core::task::permission::{Change, TaskPeople, may_change};
use liftoff_core::{ChangeField, ChangeSource, HistoryEntry, Launch, SlackUserId, Task};

impl Service {
    /// The lead of `function` as set in Slack over the configuration, if it has one.
    pub(super) async fn function_lead(
        &self,
        function: &liftoff_core::FunctionName,
    ) -> Result<(Option<SlackUserId>, String), StoreError> {
        let def = self
            .effective_functions()
            .await?
            .into_iter()
            .find(|def| &def.name == function);
        Ok(match def {
            Some(def) => (def.lead, def.display_name),
            None => (None, function.to_string()),
        })
    }

    /// The lead of `function` given the lead set for it in Slack (`set_in_slack`), by the rule
    /// every override follows (`FunctionDef::with_overrides`): [`Service::function_lead`]
    /// without its read.
    pub(super) fn function_lead_over(
        &self,
        function: &liftoff_core::FunctionName,
        set_in_slack: Option<SlackUserId>,
    ) -> Option<SlackUserId> {
        let configured = self.config.functions.iter().find(|def| &def.name == function)?;
        let overrides = liftoff_core::FunctionOverrides {
            channel: None,
            lead: set_in_slack,
        };
        configured.with_overrides(&overrides).lead
    }

    /// Refuses `actor`'s `change` to `task` unless they are its owner, its function's lead, the
    /// launch's lead or an admin (or the team works openly), naming who can. `lead` keeps the
    /// function's lead between the attempts of a retried change (a task's function never
    /// changes), so a burst of contenders does not read it again on every attempt.
    pub(super) async fn check_may_change(
        &self,
        actor: &SlackUserId,
        task: &Task,
        launch: &Launch,
        change: Change<'_>,
        subcommand: Subcommand,
        lead: &mut Option<(Option<SlackUserId>, String)>,
    ) -> Result<(), ServiceError> {
        let known = match lead.take() {
            Some(known) => known,
            None => self.function_lead(&task.function).await?,
        };
        let (function_lead, function_name) = &*lead.insert(known);
        let function_name = function_name.clone();
        let people = TaskPeople {
            owner: task.owner.as_ref(),
            function: &task.function,
            function_lead: function_lead.as_ref(),
            launch_lead: launch.lead.as_ref(),
            admins: &self.config.admins,
        };
        may_change(actor, &people, change, self.config.open_changes)
            .map(|_| ())
            .map_err(|deciders| {
                ServiceError::user(
                    subcommand,
                    UserError::NotTaskChanger {
                        task: task.id,
                        function: function_name,
                        deciders: Box::new(deciders),
                    },
                )
            })
    }
}

/// The DMs one change to a task calls for: the owner told when someone else changed their task
/// (a reply in a thread is told once for all its lines, by the reply, so not here), the previous
/// owner when it was given away, and the new owner when it was given to them. Keyed by the
/// task's new version and the change's instant (roles do not bump the version), so a save that
/// lost a race and retried does not tell twice.
pub(super) fn change_notices(
    actor: &SlackUserId,
    source: ChangeSource,
    before: &Task,
    after: &TaskInLaunch,
    change: &HistoryEntry,
    today: NaiveDate,
) -> Vec<OutboxMessage> {
    let version = format!("v{}:{}", before.version + 1, change.at.timestamp_millis());
    let id = before.id;
    let mut notices = Vec::new();
    let told_by_reply = source == ChangeSource::Thread;
    if let Some(owner) = &before.owner
        && owner != actor
        && !told_by_reply
    {
        notices.push(crate::notify::changed_by_someone_else(
            format!("changed:{id}:{version}:{owner}"),
            owner,
            &[(after.clone(), change.clone())],
            today,
        ));
    }
    if change.field == ChangeField::Owner
        && let Some(new_owner) = &after.task.owner
        && new_owner != actor
        && Some(new_owner) != before.owner.as_ref()
    {
        notices.push(crate::notify::assigned(
            format!("assigned:{id}:{version}"),
            new_owner,
            Some(actor),
            std::slice::from_ref(after),
            today,
        ));
    }
    notices
}
