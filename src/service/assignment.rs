//! Handing out a function's tasks at once: `/launch assign payments-hub marketing @raj` gives
//! Raj every open task of Marketing in that launch that nobody owns yet, and tells him in one
//! DM, not one per task.

use super::{Asker, ConflictRetry, Service, ServiceError};
use crate::store::StoreError;
use crate::views::{Reply, TaskInLaunch, UserError, View};
use liftoff_core::command::{Assignee, Subcommand};
use liftoff_core::task::TaskEdit;
use liftoff_core::task::permission::Change;
use liftoff_core::{FunctionName, LaunchRef, Task};

impl Service {
    pub(super) async fn assign_function(
        &self,
        asker: &Asker<'_>,
        launch: LaunchRef,
        function: FunctionName,
        owner: Assignee,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Assign;
        let (actor, today) = (asker.actor, asker.today);
        let launch = self.find_launch(&launch, subcommand).await?;
        if !launch.state.is_active() {
            return Err(ServiceError::user(subcommand, UserError::LaunchArchived(launch.slug)));
        }
        let Some(owner) = owner.resolve(actor) else {
            // The grammar has no `assign <launch> <function> nobody`; unassigning is per task.
            return Err(ServiceError::user(
                subcommand,
                UserError::Rule("name the person".into()),
            ));
        };
        let unowned = |task: &Task| task.function == function && task.owner.is_none() && task.status.is_open();
        let waiting: Vec<Task> = self
            .store
            .launch_tasks(launch.id)
            .await?
            .into_iter()
            .filter(|task| unowned(task))
            .collect();
        let (_, function_name) = self.function_lead(&function).await?;
        let Some(first) = waiting.first() else {
            return Err(ServiceError::user(
                subcommand,
                UserError::NothingToAssign {
                    launch: launch.slug,
                    function: function_name,
                },
            ));
        };
        // The same rule for each: they share the function, the launch and having no owner.
        self.check_may_change(actor, first, &launch, Change::Owner { to: Some(&owner) }, subcommand)
            .await?;
        let mut given = Vec::new();
        for task in waiting {
            if let Some(saved) = self
                .give_if_unowned(asker, task, launch.launch_date, &owner, &unowned)
                .await?
            {
                given.push(saved);
            }
        }
        if owner != *actor && !given.is_empty() {
            let items: Vec<TaskInLaunch> = given
                .iter()
                .map(|task| TaskInLaunch {
                    task: task.clone(),
                    launch: launch.clone(),
                })
                .collect();
            let ids: Vec<String> = given.iter().map(|task| task.id.to_string()).collect();
            let key = format!("assigned:{}:{}", ids.join(","), given[0].version);
            let dm = crate::notify::assigned(key, &owner, Some(actor), &items, today);
            self.store.enqueue(&[dm], self.clock.now()).await?;
        }
        Ok(Reply::ephemeral(View::FunctionAssigned {
            launch,
            function: function_name,
            owner,
            tasks: given,
            today,
        }))
    }

    /// Gives `task` to `owner` unless someone took it meanwhile (then it is left alone).
    async fn give_if_unowned(
        &self,
        asker: &Asker<'_>,
        task: Task,
        launch_date: chrono::NaiveDate,
        owner: &liftoff_core::SlackUserId,
        unowned: &impl Fn(&Task) -> bool,
    ) -> Result<Option<Task>, StoreError> {
        let mut retry = ConflictRetry::new();
        let mut task = task;
        loop {
            let ctx = self.ctx(asker.actor, asker.source);
            let Ok((next, entry)) = task.edit(
                TaskEdit::Owner(Some(owner.clone())),
                launch_date,
                &self.config.calendar,
                &ctx,
                None,
            ) else {
                return Ok(None);
            };
            match self.store.save_task(&next, &[entry], &[], None).await {
                Ok(saved) => return Ok(Some(saved)),
                Err(StoreError::Conflict) if retry.again().await => match self.store.task(task.id).await? {
                    Some(fresh) if unowned(&fresh) => task = fresh,
                    _ => return Ok(None),
                },
                Err(err) => return Err(err),
            }
        }
    }
}
