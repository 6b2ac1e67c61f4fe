//! What a person's App Home shows, read in one place (the Slack layer renders and publishes it).

use std::collections::BTreeMap;

use super::Service;
use crate::store::StoreError;
use crate::views::HomeTab;
use liftoff_core::readiness::{TaskTally, overall_readiness};
use liftoff_core::{LaunchId, SlackUserId};

/// Most open tasks read for a Home tab: more than it can show (its blocks hold 10,000
/// characters of text, and a task's line is longer than 50), so reading more only costs time.
const HOME_TASKS_READ: i64 = 200;

impl Service {
    /// `user`'s Home tab as it stands now, on their own date. Three reads whatever the size of
    /// their work: their first open tasks (all the tab has room for), the launches, and the
    /// tallies of the tasks of the launches they lead or work in (for readiness: a count per
    /// day and status, not every task; a lead of a hundred launches used to cost a read per
    /// launch, and a launch of 25,000 tasks a read of all of them).
    #[tracing::instrument(name = "service", skip_all, fields(home = %user))]
    pub async fn home(&self, user: &SlackUserId) -> Result<HomeTab, StoreError> {
        let today = self.today_for(user).await;
        let tasks = self.store.first_open_tasks_for_owner(user, HOME_TASKS_READ).await?;
        let launches = self.store.list_launches(false).await?;
        let mut by_launch: BTreeMap<LaunchId, Vec<TaskTally>> = BTreeMap::new();
        for tally in self.store.task_tallies_of_launches_involving(user).await? {
            by_launch.entry(tally.launch_id).or_default().push(tally);
        }
        let involved = launches
            .iter()
            .filter(|launch| launch.lead.as_ref() == Some(user) || by_launch.contains_key(&launch.id))
            .map(|launch| {
                let tallies = by_launch.get(&launch.id).map_or(&[][..], Vec::as_slice);
                (launch.clone(), overall_readiness(launch, tallies, today))
            })
            .collect();
        Ok(HomeTab {
            today,
            tasks,
            launches,
            involved,
        })
    }
}
