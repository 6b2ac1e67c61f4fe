//! What a person's App Home shows, read in one place (the Slack layer renders and publishes it).

use std::collections::BTreeSet;

use super::Service;
use crate::store::StoreError;
use crate::views::HomeTab;
use liftoff_core::readiness::readiness;
use liftoff_core::{LaunchId, SlackUserId};

impl Service {
    /// `user`'s Home tab as it stands now, on their own date.
    #[tracing::instrument(name = "service", skip_all, fields(home = %user))]
    pub async fn home(&self, user: &SlackUserId) -> Result<HomeTab, StoreError> {
        let today = self.today_for(user).await;
        let tasks = self.store.open_tasks_for_owner(user).await?;
        let launches = self.store.list_launches(false).await?;
        let with_tasks: BTreeSet<LaunchId> = tasks.iter().map(|t| t.launch_id).collect();
        let mut involved = Vec::new();
        for launch in launches
            .iter()
            .filter(|l| l.lead.as_ref() == Some(user) || with_tasks.contains(&l.id))
        {
            let launch_tasks = self.store.launch_tasks(launch.id).await?;
            involved.push((launch.clone(), readiness(launch, &launch_tasks, today).overall));
        }
        Ok(HomeTab {
            today,
            tasks,
            launches,
            involved,
        })
    }
}
