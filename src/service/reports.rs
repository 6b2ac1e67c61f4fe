//! Reports people read: the digest (on its schedule and on demand), built from the launches,
//! their tasks, what changed since the last digest, missed metrics and failed deliveries.

use chrono::{DateTime, Utc};

use super::Service;
use crate::notify;
use crate::outbound::OutboxMessage;
use crate::store::StoreError;
use liftoff_core::{LaunchId, digest};

impl Service {
    /// The digest as outbox messages to `channel`, keyed under `key_prefix`; optionally for one
    /// launch only. "Changes since the last digest" counts from the previous digest to `channel`.
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
}
