//! What Liftoff remembers about people and about Slack's deliveries, for the Slack layer:
//! each person's time zone (so "today" is theirs) and which events were already handled (so
//! Slack's retries apply nothing twice).

use chrono::Duration;

use super::Service;
use crate::store::{EventClaim, StoreError};
use liftoff_core::{SlackUserId, Task, TaskId};

/// How old a cached time zone may be before it is asked for again.
const TIMEZONE_FRESHNESS: Duration = Duration::days(1);

impl Service {
    /// Whether `user`'s time zone is unknown or older than a day, and so worth asking Slack.
    pub async fn timezone_is_stale(&self, user: &SlackUserId) -> bool {
        let now = self.clock.now();
        !matches!(
            self.store.user_timezone(user).await,
            Ok(Some((_, fetched))) if now - fetched < TIMEZONE_FRESHNESS
        )
    }

    /// Remembers the time zone Slack gave for `user` (an IANA name, already checked).
    pub async fn remember_timezone(&self, user: &SlackUserId, timezone: &str) -> Result<(), StoreError> {
        self.store.save_user_timezone(user, timezone, self.clock.now()).await
    }

    /// Claims Slack event `event_id` for handling: a claim older than `stale` belongs to a
    /// handler that died, and is taken over.
    pub async fn claim_event(&self, event_id: &str, stale: Duration) -> Result<EventClaim, StoreError> {
        self.store.claim_slack_event(event_id, self.clock.now(), stale).await
    }

    /// Marks a claimed event handled, once its effect is stored.
    pub async fn mark_event_handled(&self, event_id: &str) -> Result<(), StoreError> {
        self.store.mark_slack_event_handled(event_id, self.clock.now()).await
    }

    /// Drops the claim on an event that could not be handled, so Slack's retry gets another go.
    pub async fn forget_event(&self, event_id: &str) -> Result<(), StoreError> {
        self.store.forget_slack_event(event_id).await
    }

    /// One task, as it stands now (for a form about it).
    pub async fn task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.store.task(id).await
    }
}
