//! Delivery: sends what the outbox holds, exactly as written, once. Check-ins are the one
//! exception: a round stores each message's plan, and `send` draws it from the tasks as they
//! are when it goes out (see `notify::CheckinPlan`), as it draws each check-in update.
//!
//! Each pass takes the messages that are due and first in line for their target among those
//! due (so a channel receives its messages in order, never held behind one that is not due),
//! claims each under a lease, sends it, and records Slack's `ts`. Failures are sorted: 429 waits exactly as long as Slack says (and holds that method
//! back for everyone), transient errors back off exponentially, permanent ones (e.g.
//! `channel_not_found`) mark the message failed with the reason instead of retrying forever.
//! Posts to one target are spaced by `post_interval` (Slack allows about one per second per
//! channel).
//!
//! This file holds `Delivery` and its passes (the claims, the run loop, draining for `tick`);
//! `send` makes one message's call, `failure` decides what a failed attempt means and reports
//! what is given up on, and `pacing` holds what makes delivery wait.

mod failure;
mod pacing;
mod send;

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::outbound::OutboxMethod;
use crate::slack::client::SlackApi;
use crate::store::{Store, StoreError};
use pacing::Pacing;

/// Transient failures (timeouts, 5xx) are retried at least this many times...
pub const MAX_ATTEMPTS: i64 = 12;
/// ...and for as long as the message is younger than this, however many attempts that takes,
/// so that a long Slack outage delays messages without losing them. Rate limits are always
/// waited out and never count towards giving up.
pub const RETRY_WINDOW: chrono::Duration = chrono::Duration::hours(24);
/// How long a claimed message is ours before another worker may take it over, unless
/// configured (`slack.delivery_lease_secs`).
const DEFAULT_LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Due but held back by per-channel pacing: sendable within a second.
    pub held: usize,
    /// Due but held back by a rate limit (a 429's Retry-After).
    pub rate_limited: usize,
    /// Nothing was sent: Slack refuses the bot token.
    pub paused: bool,
}

pub struct Delivery {
    store: Store,
    api: SlackApi,
    clock: SharedClock,
    post_interval: Duration,
    pacing: Mutex<Pacing>,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
    lease: chrono::Duration,
    /// When the refused token was last probed.
    token_probed: Mutex<Option<Instant>>,
    /// Who hears that a message to a channel failed for good (the admins); the leads of active
    /// launches when there are none.
    failure_watchers: Vec<String>,
}

/// What one attempt at a message came to.
enum Outcome {
    Sent {
        channel: String,
        ts: Option<String>,
    },
    Retry {
        after: chrono::Duration,
        error: String,
        rate_limited: Option<Duration>,
        /// Whether this failure counts towards giving up on the message. Rate limits and a
        /// refused token do not: they say nothing about the message itself.
        counts: bool,
    },
    Fail(String),
}

/// After a post whose outcome is unknown (a timeout, a dropped connection, a 5xx), how long to
/// wait before looking for it and posting again: a slow Slack may store the first copy well
/// after the client gave up, and a look too early would not see it.
const UNCLEAR_OUTCOME_WAIT: Duration = Duration::from_secs(20);

/// While Slack refuses the bot token, how often delivery asks again (`auth.test`).
const TOKEN_PROBE_INTERVAL: Duration = Duration::from_secs(30);

impl Delivery {
    pub fn new(store: Store, api: SlackApi, clock: SharedClock, post_interval: Duration) -> Self {
        Delivery {
            store,
            api,
            clock,
            post_interval,
            pacing: Mutex::new(Pacing::default()),
            metrics: None,
            lease: DEFAULT_LEASE,
            token_probed: Mutex::new(None),
            failure_watchers: Vec::new(),
        }
    }

    /// How long this worker owns a message it claimed (see [`crate::config::SlackConfig`]).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        // Configuration bounds the lease to an hour, well inside chrono's range.
        self.lease = chrono::Duration::from_std(lease).unwrap_or(self.lease);
        self
    }

    /// Who is told by DM when a message to a channel fails for good (see [`Delivery::report_failure`]).
    pub fn with_failure_watchers(mut self, watchers: Vec<String>) -> Self {
        self.failure_watchers = watchers;
        self
    }

    /// Counts deliveries and Slack API errors in `metrics`.
    pub fn with_metrics(mut self, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn count(&self, outcome: &str) {
        if let Some(metrics) = &self.metrics {
            metrics.delivery(outcome);
        }
    }

    /// Sends everything deliverable now, once each.
    pub async fn run_once(&self) -> Result<PassReport, StoreError> {
        let mut report = PassReport::default();
        if self.token_refused().await {
            report.paused = true;
            return Ok(report);
        }
        let now = self.clock.now();
        let mut held_methods = self.store.held_methods(now).await?;
        for entry in self.store.deliverable(now, 50).await? {
            let method = entry.message.method.as_str();
            let target = entry.message.target.clone();
            if held_methods.iter().any(|held| held == method) {
                report.rate_limited += 1;
                continue;
            }
            let paced = self
                .pacing()
                .next_post
                .get(&target)
                .is_some_and(|next| *next > Instant::now());
            if paced {
                report.held += 1;
                continue;
            }
            // Slack's one post per second per channel holds for the app as a whole: every worker
            // of every instance takes its turn through the database.
            if entry.message.method == OutboxMethod::PostMessage
                && !self.store.take_post_turn(&target, self.post_interval).await?
            {
                report.held += 1;
                continue;
            }
            if !self.store.claim(entry.id, now, now + self.lease).await? {
                continue;
            }
            // Another worker of this process (serve's loop beside a drain) may have met a
            // refused token since this pass checked (the refusal is kept by the shared Slack
            // client): then the message goes back untried, as that worker's did, instead of
            // meeting the same refusal a second time.
            if self.api.token_refused().is_some() {
                self.store
                    .mark_retry(entry.id, now, "not sent: the bot token is refused")
                    .await?;
                report.paused = true;
                break;
            }
            let outcome = self.send(&entry).await;
            let now = self.clock.now();
            match outcome {
                Outcome::Sent { channel, ts } => {
                    self.store.mark_sent(entry.id, &channel, ts.as_deref(), now).await?;
                    self.count("sent");
                    self.pacing()
                        .next_post
                        .insert(target, Instant::now() + self.post_interval);
                    report.sent += 1;
                }
                Outcome::Retry {
                    after,
                    error,
                    rate_limited,
                    counts,
                } if !counts || entry.attempts + 1 < MAX_ATTEMPTS || now - entry.created_at < RETRY_WINDOW => {
                    if let Some(wait) = rate_limited {
                        let until = now + chrono::Duration::from_std(wait).unwrap_or(after);
                        self.store.hold_method(method, until).await?;
                        held_methods.push(method.to_owned());
                    }
                    tracing::warn!(key = %entry.message.key, attempt = entry.attempts + 1, %error, "delivery failed; will retry");
                    self.store.mark_retry(entry.id, now + after, &error).await?;
                    self.count("retry");
                    report.retrying += 1;
                }
                Outcome::Retry { error, .. } => {
                    let reason = format!("gave up after {} attempts: {error}", entry.attempts + 1);
                    self.give_up(&entry, &reason).await?;
                    report.failed += 1;
                }
                Outcome::Fail(reason) => {
                    self.give_up(&entry, &reason).await?;
                    report.failed += 1;
                }
            }
            if self.api.token_refused().is_some() {
                // The rest would meet the same refusal: stop here, keeping them queued.
                report.paused = true;
                break;
            }
        }
        Ok(report)
    }

    /// Runs passes until `stop`, waking every `poll` (and right away after a busy pass).
    pub async fn run(&self, poll: Duration, stop: CancellationToken) {
        loop {
            let busy = match self.run_once().await {
                Ok(report) => report.sent + report.retrying + report.held > 0,
                Err(err) => {
                    tracing::error!(error = %err, "delivery pass failed");
                    false
                }
            };
            let wait = if busy { Duration::from_millis(50) } else { poll };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => return,
            }
        }
    }

    /// Delivers until nothing is due, waiting for pacing and short retries, for at most
    /// `budget`. Used by `tick`, which must exit.
    pub async fn drain(&self, budget: Duration) -> Result<PassReport, StoreError> {
        let deadline = Instant::now() + budget;
        let mut total = PassReport::default();
        loop {
            let pass = self.run_once().await?;
            total.sent += pass.sent;
            total.failed += pass.failed;
            total.retrying += pass.retrying;
            // Done when nothing moved and nothing waits only for pacing: what is left waits for
            // a retry time or a rate limit, which the next tick (or serve's loop) will reach.
            // Messages another worker is sending right now are waited for (within the budget),
            // so a drain never returns while a message it could see is still in flight.
            let counts = self.store.outbox_counts().await?;
            // A message another worker put back for an immediate retry (after joining its
            // channel, say) between this pass's read and the counts is due now: not idle.
            let idle = pass.sent + pass.held + pass.retrying == 0 && counts.sending == 0 && !self.due_now().await?;
            if counts.pending + counts.sending == 0 || idle || Instant::now() >= deadline {
                return Ok(total);
            }
            tokio::time::sleep(Duration::from_millis(if pass.sent + pass.held > 0 { 20 } else { 200 })).await;
        }
    }

    /// Whether some message could be sent right now (due, and its method not held back).
    async fn due_now(&self) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let held = self.store.held_methods(now).await?;
        Ok(self
            .store
            .deliverable(now, 50)
            .await?
            .iter()
            .any(|entry| !held.iter().any(|m| m == entry.message.method.as_str())))
    }
}
