//! Reports people read: the digest (on its schedule and on demand), built from the launches,
//! their tasks, what changed since the last digest, missed metrics and failed deliveries.

use chrono::{DateTime, Utc};

use super::{Asker, DIGEST_REQUEST_INTERVAL, Service, ServiceError};
use crate::notify;
use crate::outbound::OutboxMessage;
use crate::store::StoreError;
use crate::views::{Reply, TaskInLaunch, UserError, View};
use liftoff_core::command::Subcommand;
use liftoff_core::{LaunchId, digest};
use liftoff_core::{LaunchRef, SlackUserId};

impl Service {
    /// The digest as outbox messages to `channel`, keyed under `key_prefix`; optionally for one
    /// launch only. "Changes since the last digest" counts from the previous digest to `channel`.
    #[tracing::instrument(name = "service", skip_all, fields(digest = %channel))]
    pub async fn digest_messages(
        &self,
        channel: &str,
        key_prefix: &str,
        only: Option<LaunchId>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let store = &self.store;
        let config = &self.config;
        let now: DateTime<Utc> = self.clock.now();
        let today = config.calendar.local_date(now, None);
        let since = store
            .last_enqueued("digest", channel)
            .await?
            // The first digest to a channel looks back a week.
            .unwrap_or(now - chrono::Duration::days(7));
        let active = store.list_launches(false).await?;
        let launches: Vec<_> = active
            .iter()
            .filter(|l| only.is_none_or(|id| l.id == id))
            .cloned()
            .collect();
        let tasks = store.active_launch_tasks().await?;
        let changes = store.history_since(since).await?;
        let mut digests = digest::build(&launches, &tasks, &changes, today, now, &config.calendar);
        let mut metrics = store.active_launch_metrics().await?;
        for digest in &mut digests {
            digest.missed_metrics = metrics
                .remove(&digest.launch.id)
                .unwrap_or_default()
                .into_iter()
                .filter(|m| m.met() == Some(false))
                .collect();
        }
        let failed = store.failed_messages(10).await?;
        let label = now
            .with_timezone(&config.calendar.timezone)
            .format("%a %-d %b")
            .to_string();
        // Leads with more active launches than the configured maximum are "spread too thin".
        let thin: Vec<(liftoff_core::SlackUserId, usize)> = liftoff_core::launch::launches_per_lead(&active)
            .into_iter()
            .filter(|(_, count)| *count > config.max_active_launches_per_lead)
            .collect();
        Ok(notify::digest(&digests, &failed, &thin, &label, today)
            .iter()
            .enumerate()
            .map(|(part, rendered)| {
                notify::post_message(format!("{key_prefix}:{}", part + 1), "digest", channel, rendered)
            })
            .collect())
    }

    /// The escalations in force now (for one launch, or all).
    pub(super) async fn escalations(
        &self,
        asker: &Asker<'_>,
        reference: Option<LaunchRef>,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Escalations;
        let today = asker.today;
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

    /// A launch's story from its history: what slipped, what was escalated, the metrics.
    pub(super) async fn retro(&self, _asker: &Asker<'_>, reference: LaunchRef) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Retro;
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

    /// Open and overdue tasks per person, and launches per lead.
    pub(super) async fn workload(&self, asker: &Asker<'_>) -> Result<Reply, ServiceError> {
        let today = asker.today;
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

    /// Posts the digest to the PMO channel now, at most once every few minutes per person.
    pub(super) async fn digest_now(&self, asker: &Asker<'_>, only: Option<LaunchRef>) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Digest;
        let actor = asker.actor;
        let Some(channel) = self.config.channels.pmo.clone() else {
            return Err(ServiceError::user(subcommand, UserError::NoPmoChannel));
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
                UserError::DigestTooSoon {
                    wait_minutes: (wait + 59) / 60,
                },
            ));
        }
        let prefix = format!("digest:now:{}:{}", actor.as_str(), now.timestamp_millis());
        let messages = self.digest_messages(channel.as_str(), &prefix, only).await?;
        self.store.enqueue(&messages, now).await?;
        Ok(Reply::ephemeral(View::DigestPosting { channel }))
    }

    /// The asker's own open tasks.
    pub(super) async fn my_tasks(&self, asker: &Asker<'_>) -> Result<Reply, ServiceError> {
        let (actor, today) = (asker.actor, asker.today);
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
