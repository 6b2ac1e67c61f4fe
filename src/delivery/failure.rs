//! What a failed attempt means: errors sorted into wait, back off or give up, and a message
//! given up on marked failed and reported (logs, `/metrics`, a DM to the admins).

use std::time::Duration;

use super::{Delivery, Outcome, TOKEN_PROBE_INTERVAL, UNCLEAR_OUTCOME_WAIT};
use crate::outbound::OutboxMethod;
use crate::slack::client::{ErrorClass, SlackApiError};
use crate::store::{OutboxEntry, StoreError};

/// Longest backoff between attempts.
const MAX_BACKOFF_SECS: i64 = 300;

impl Delivery {
    /// Marks a message failed for good, however that was decided (a permanent error, or
    /// retries run out), and says so: the logs, `/metrics`, and a DM for channel posts.
    pub(super) async fn give_up(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        self.count("failed");
        if let Some(metrics) = &self.metrics {
            metrics
                .undeliverable
                .get_or_create(&crate::metrics::KindLabels {
                    kind: entry.message.kind.clone(),
                })
                .inc();
        }
        tracing::error!(key = %entry.message.key, %reason, "delivery failed for good");
        self.store.mark_failed(entry.id, reason).await?;
        self.report_failure(entry, reason).await
    }

    /// Tells the admins (or, without admins, the leads of active launches) by DM that a message
    /// to a channel failed for good, once per channel, person and day. Failures of DMs are not
    /// reported by DM again: they show in `/launch show`, the digest, the logs and `/metrics`.
    async fn report_failure(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        let message = &entry.message;
        if !message.target.starts_with(['C', 'G']) || message.method != OutboxMethod::PostMessage {
            return Ok(());
        }
        // A reply whose thread failed follows from that failure, which was reported already.
        if message.thread_of.is_some() && reason.starts_with("its thread") {
            return Ok(());
        }
        let mut watchers = self.failure_watchers.clone();
        if watchers.is_empty() {
            watchers = self
                .store
                .list_launches(false)
                .await?
                .into_iter()
                .filter_map(|launch| launch.lead.map(|lead| lead.as_str().to_owned()))
                .collect();
        }
        watchers.sort();
        watchers.dedup();
        let notice = crate::notify::undeliverable(&message.kind, &message.target, reason);
        let notices: Vec<_> = watchers
            .iter()
            .map(|user| {
                // One notice per channel, person and day, however many parts or messages failed.
                crate::notify::post_message(
                    format!(
                        "undeliverable:{}:{}:{user}",
                        message.target,
                        self.clock.now().date_naive()
                    ),
                    "undeliverable",
                    user,
                    &notice,
                )
            })
            .collect();
        self.store.enqueue(&notices, self.clock.now()).await?;
        Ok(())
    }

    /// Counts a Web API error in `/metrics` by method and error.
    pub(super) fn count_error(&self, err: &SlackApiError) {
        if let Some(metrics) = &self.metrics {
            let (method, error) = match &err {
                SlackApiError::Api { method, error } => (*method, error.as_str()),
                SlackApiError::RateLimited { method, .. } => (*method, "ratelimited"),
                SlackApiError::Transport { method, .. } => (*method, "transport"),
                SlackApiError::Timeout { method } => (*method, "timeout"),
            };
            metrics.slack_error(method, error);
        }
    }

    pub(super) fn classify(&self, entry: &OutboxEntry, err: SlackApiError) -> Outcome {
        self.count_error(&err);
        match err {
            SlackApiError::RateLimited { retry_after, .. } => {
                let wait = retry_after.unwrap_or(Duration::from_secs(30));
                Outcome::Retry {
                    after: chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(30)),
                    error: format!("rate limited for {}s", wait.as_secs()),
                    rate_limited: Some(wait),
                    counts: false,
                }
            }
            err => match err.class() {
                ErrorClass::Permanent => Outcome::Fail(err.to_string()),
                // Every message would fail the same way: keep this one, and the pass stops.
                ErrorClass::TokenWide => Outcome::Retry {
                    after: chrono::Duration::from_std(TOKEN_PROBE_INTERVAL).unwrap_or(chrono::Duration::seconds(30)),
                    error: err.to_string(),
                    rate_limited: None,
                    counts: false,
                },
                ErrorClass::RetryLater => {
                    let mut backoff = (1_i64 << entry.attempts.clamp(0, 20)).min(MAX_BACKOFF_SECS);
                    let unclear = matches!(err, SlackApiError::Timeout { .. } | SlackApiError::Transport { .. })
                        || err
                            .code()
                            .is_some_and(|e| matches!(e, "internal_error" | "fatal_error"));
                    if unclear && entry.message.method == OutboxMethod::PostMessage {
                        backoff = backoff.max(UNCLEAR_OUTCOME_WAIT.as_secs() as i64);
                    }
                    Outcome::Retry {
                        after: chrono::Duration::seconds(backoff),
                        error: err.to_string(),
                        rate_limited: None,
                        counts: true,
                    }
                }
            },
        }
    }
}
