//! Delivery: sends what the outbox holds, exactly as written, once.
//!
//! Each pass takes the messages that are due and first in line for their target among those
//! due (so a channel receives its messages in order, never held behind one that is not due),
//! claims each under a lease, sends it, and records Slack's `ts`. Failures are sorted: 429 waits exactly as long as Slack says (and holds that method
//! back for everyone), transient errors back off exponentially, permanent ones (e.g.
//! `channel_not_found`) mark the message failed with the reason instead of retrying forever.
//! Posts to one target are spaced by `post_interval` (Slack allows about one per second per
//! channel).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::outbound::OutboxMethod;
use crate::slack::blocks::Rendered;
use crate::slack::client::{ErrorClass, SlackApi, SlackApiError};
use crate::store::{OutboxEntry, Store, StoreError};

/// Transient failures (timeouts, 5xx) are retried at least this many times...
pub const MAX_ATTEMPTS: i64 = 12;
/// ...and for as long as the message is younger than this, however many attempts that takes,
/// so that a long Slack outage delays messages without losing them. Rate limits are always
/// waited out and never count towards giving up.
pub const RETRY_WINDOW: chrono::Duration = chrono::Duration::hours(24);
/// How long a claimed message is ours before another worker may take it over, unless
/// configured (`slack.delivery_lease_secs`).
const DEFAULT_LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// Longest backoff between attempts.
const MAX_BACKOFF_SECS: i64 = 300;

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

#[derive(Default)]
struct Pacing {
    /// When each target may next receive a post.
    next_post: HashMap<String, Instant>,
    /// Direct-message channels already opened, by user.
    dm_channels: HashMap<String, String>,
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

/// Where a message goes once its target and thread are resolved.
struct Route {
    channel: String,
    thread_ts: Option<String>,
}

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

    fn pacing(&self) -> std::sync::MutexGuard<'_, Pacing> {
        self.pacing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether Slack refuses the bot token. While it does, every message would fail the same
    /// way, so nothing is sent: the token is asked about (`auth.test`) every
    /// [`TOKEN_PROBE_INTERVAL`], and delivery resumes, queue intact, once it is accepted.
    async fn token_refused(&self) -> bool {
        if self.api.token_refused().is_some() {
            let due = {
                let mut probed = self.token_probed.lock().unwrap_or_else(|p| p.into_inner());
                let due = probed.is_none_or(|at| at.elapsed() >= TOKEN_PROBE_INTERVAL);
                if due {
                    *probed = Some(Instant::now());
                }
                due
            };
            if due {
                // The call itself records whether the token is accepted again.
                let _ = self.api.auth_test().await;
            }
        }
        let refused = self.api.token_refused().is_some();
        if let Some(metrics) = &self.metrics {
            metrics.slack_token_refused.set(i64::from(refused));
        }
        refused
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

    /// Marks a message failed for good, however that was decided (a permanent error, or
    /// retries run out), and says so: the logs, `/metrics`, and a DM for channel posts.
    async fn give_up(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
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

    #[tracing::instrument(name = "delivery", skip_all, fields(key = %entry.message.key, method = entry.message.method.as_str(), target = %entry.message.target, attempt = entry.attempts + 1))]
    async fn send(&self, entry: &OutboxEntry) -> Outcome {
        let route = match self.route(entry).await {
            Ok(route) => route,
            Err(outcome) => return outcome,
        };
        let message = &entry.message;
        let body: serde_json::Value = match message.payload.parse() {
            Ok(body) => body,
            Err(err) => return Outcome::Fail(format!("unreadable stored payload: {err}")),
        };
        let rendered = || Rendered {
            text: body["text"].as_str().unwrap_or_default().to_owned(),
            blocks: serde_json::from_value(body["blocks"].clone()).unwrap_or_default(),
        };
        if message.method == OutboxMethod::PostMessage && entry.attempts > 0 {
            // An earlier attempt may have reached Slack before it timed out or the worker died:
            // look for the message by its key before posting it again.
            match self
                .api
                .find_posted(
                    &route.channel,
                    route.thread_ts.as_deref(),
                    &message.key,
                    entry.created_at,
                )
                .await
            {
                Ok(Some(ts)) => {
                    tracing::info!(key = %message.key, "an earlier attempt had been posted; not posting again");
                    return Outcome::Sent {
                        channel: route.channel,
                        ts: Some(ts),
                    };
                }
                Ok(None) => {}
                // Liftoff cannot read a channel it is not in, nor post there: no earlier copy.
                Err(err) if matches!(err.code(), Some("not_in_channel" | "channel_not_found")) => {}
                Err(err) => {
                    // Posting without knowing could post it twice: look again later instead.
                    tracing::warn!(key = %message.key, error = %err, "cannot check for an earlier attempt; will look again");
                    self.count_error(&err);
                    return Outcome::Retry {
                        after: chrono::Duration::from_std(UNCLEAR_OUTCOME_WAIT)
                            .unwrap_or(chrono::Duration::seconds(20)),
                        error: format!("cannot check whether an earlier attempt was posted: {err}"),
                        rate_limited: None,
                        counts: true,
                    };
                }
            }
        }
        let result = match message.method {
            OutboxMethod::PostMessage => self
                .api
                .post_message(
                    &route.channel,
                    &rendered(),
                    route.thread_ts.as_deref(),
                    Some(&message.key),
                )
                .await
                .map(|(channel, ts)| (channel, Some(ts))),
            OutboxMethod::PostEphemeral => {
                let recipient = message.recipient.as_deref().unwrap_or_default();
                self.api
                    .post_ephemeral_in(&route.channel, recipient, &rendered(), route.thread_ts.as_deref())
                    .await
                    .map(|()| (route.channel.clone(), None))
            }
            OutboxMethod::AddReaction => {
                let name = body["name"].as_str().unwrap_or("white_check_mark");
                let ts = body["timestamp"].as_str().unwrap_or_default();
                self.api
                    .add_reaction(&route.channel, ts, name)
                    .await
                    .map(|()| (route.channel.clone(), None))
            }
        };
        match result {
            Ok((channel, ts)) => Outcome::Sent { channel, ts },
            Err(err @ SlackApiError::Api { .. }) if err.code() == Some("not_in_channel") => {
                self.count_error(&err);
                self.join_and_retry(&route.channel).await
            }
            // A private channel the bot is not in is invisible to it: Slack says it does not exist.
            Err(err @ SlackApiError::Api { .. })
                if err.code() == Some("channel_not_found") && !route.channel.starts_with('D') =>
            {
                self.count_error(&err);
                Outcome::Fail(format!(
                    "Slack cannot find <#{}> for Liftoff (channel_not_found): if it is a private channel, \
                     type `/invite @Liftoff` there; otherwise check the channel id",
                    route.channel
                ))
            }
            Err(err) => self.classify(entry, err),
        }
    }

    /// After `not_in_channel` (the bot was never added, or was removed): a public channel is
    /// joined and the message sent again at once; anywhere else someone must invite Liftoff,
    /// and the message fails with that advice (shown in `/launch show` and the digest).
    async fn join_and_retry(&self, channel: &str) -> Outcome {
        match crate::slack::membership::ensure_member(&self.api, channel, Duration::from_secs(10)).await {
            access if access.can_post() => {
                tracing::info!(channel, "joined a channel to post there");
                Outcome::Retry {
                    after: chrono::Duration::zero(),
                    error: format!("joined <#{channel}>"),
                    rate_limited: None,
                    counts: false,
                }
            }
            access => Outcome::Fail(format!(
                "Liftoff is not in <#{channel}> and cannot join it ({access:?}): type `/invite @Liftoff` there"
            )),
        }
    }

    /// Resolves a direct message's channel and a reply's parent thread.
    async fn route(&self, entry: &OutboxEntry) -> Result<Route, Outcome> {
        let message = &entry.message;
        let mut thread_ts = message.thread_ts.clone();
        if let Some(parent) = &message.thread_of {
            match self.store.posted_at(parent).await {
                Ok(Some((_, ts))) => thread_ts = Some(ts),
                Ok(None) => {
                    return Err(match self.store.outbox_state(parent).await {
                        Ok(Some(state)) if state == "failed" => Outcome::Fail(format!("its thread `{parent}` failed")),
                        _ => Outcome::Retry {
                            after: chrono::Duration::seconds(2),
                            error: format!("waiting for `{parent}`"),
                            rate_limited: None,
                            counts: true,
                        },
                    });
                }
                Err(err) => return Err(transient(err.to_string())),
            }
        }
        let is_user = message.target.starts_with('U') || message.target.starts_with('W');
        let channel = if is_user && message.method == OutboxMethod::PostMessage {
            let cached = self.pacing().dm_channels.get(&message.target).cloned();
            match cached {
                Some(channel) => channel,
                None => match self.api.open_dm(&message.target).await {
                    Ok(channel) => {
                        self.pacing()
                            .dm_channels
                            .insert(message.target.clone(), channel.clone());
                        channel
                    }
                    Err(err) => return Err(self.classify(entry, err)),
                },
            }
        } else {
            message.target.clone()
        };
        Ok(Route { channel, thread_ts })
    }

    /// Counts a Web API error in `/metrics` by method and error.
    fn count_error(&self, err: &SlackApiError) {
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

    fn classify(&self, entry: &OutboxEntry, err: SlackApiError) -> Outcome {
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

fn transient(error: String) -> Outcome {
    Outcome::Retry {
        after: chrono::Duration::seconds(5),
        error,
        rate_limited: None,
        counts: true,
    }
}
