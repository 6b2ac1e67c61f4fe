//! Sending one message: resolving where it goes (a direct message's channel, a reply's
//! thread), looking for an earlier attempt that may have been posted, and the Web API call its
//! method makes.

use std::time::Duration;

use super::{Delivery, Outcome, UNCLEAR_OUTCOME_WAIT};
use crate::notify::CheckinPlan;
use crate::outbound::OutboxMethod;
use crate::slack::blocks::Rendered;
use crate::slack::client::SlackApiError;
use crate::store::OutboxEntry;

/// Where a message goes once its target and thread are resolved.
struct Route {
    channel: String,
    thread_ts: Option<String>,
}

impl Delivery {
    #[tracing::instrument(name = "delivery", skip_all, fields(key = %entry.message.key, method = entry.message.method.as_str(), target = %entry.message.target, attempt = entry.attempts + 1))]
    pub(super) async fn send(&self, entry: &OutboxEntry) -> Outcome {
        let route = match self.route(entry).await {
            Ok(route) => route,
            Err(outcome) => return outcome,
        };
        let message = &entry.message;
        let body: serde_json::Value = match message.payload.parse() {
            Ok(body) => body,
            Err(err) => return Outcome::Fail(format!("unreadable stored payload: {err}")),
        };
        // A round's check-in messages are stored as plans, drawn now from the tasks as they are.
        let plan = match message.method {
            OutboxMethod::PostMessage => CheckinPlan::of(&message.payload),
            _ => None,
        };
        let drawn = match plan {
            Some(plan) => match self.drawn_checkin(&message.key, &plan, plan.today).await {
                Ok(drawn) => Some(drawn),
                Err(err) => return transient(err),
            },
            None => None,
        };
        let rendered = || match &drawn {
            Some(drawn) => drawn.clone(),
            None => Rendered {
                text: body["text"].as_str().unwrap_or_default().to_owned(),
                blocks: serde_json::from_value(body["blocks"].clone()).unwrap_or_default(),
            },
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
            OutboxMethod::UpdateMessage => {
                let (Some(of), Some(ts)) = (message.thread_of.as_deref(), route.thread_ts.as_deref()) else {
                    return Outcome::Fail("an update names no posted message to update".to_owned());
                };
                let today = body["today"]
                    .as_str()
                    .and_then(|day| day.parse().ok())
                    .unwrap_or_else(|| self.clock.now().date_naive());
                let refreshed = match self.refreshed_checkin(of, today).await {
                    Ok(Some(refreshed)) => refreshed,
                    Ok(None) => return Outcome::Fail(format!("`{of}` is not a check-in Liftoff can redraw")),
                    Err(err) => return transient(err),
                };
                match liftoff_core::SlackChannelId::parse(&route.channel) {
                    Ok(channel) => self
                        .api
                        .update_message(&channel, ts, &refreshed)
                        .await
                        .map(|()| (route.channel.clone(), None)),
                    Err(_) => return Outcome::Fail(format!("`{}` is not a channel id", route.channel)),
                }
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

    /// The check-in part `key` as it reads now, or `None` if `key` is no check-in. Read when
    /// the update is sent, not when it was enqueued: an update that waited (a rate limit, an
    /// outage) still shows the latest state. A part stored as a plan is drawn again whole
    /// ([`CheckinPlan::draw`]); one enqueued whole, before rounds stored plans, has its task
    /// rows redrawn in place ([`crate::notify::refreshed_checkin`]).
    async fn refreshed_checkin(&self, key: &str, today: chrono::NaiveDate) -> Result<Option<Rendered>, String> {
        let Some(original) = self.store.enqueued_payload(key).await.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        if let Some(plan) = CheckinPlan::of(&original) {
            return self.drawn_checkin(key, &plan, today).await.map(Some);
        }
        let (_, tasks) = self.store.checkin_listing(key, []).await.map_err(|e| e.to_string())?;
        if tasks.is_empty() {
            return Ok(None);
        }
        crate::notify::refreshed_checkin(&original, &tasks, today)
            .map(Some)
            .map_err(|e| format!("unreadable check-in body: {e}"))
    }

    /// The check-in part `key`, planned as `plan`, drawn from its tasks and launches as they
    /// are now, counting days from `today`.
    async fn drawn_checkin(&self, key: &str, plan: &CheckinPlan, today: chrono::NaiveDate) -> Result<Rendered, String> {
        let (launches, tasks) = self
            .store
            .checkin_listing(key, plan.launches())
            .await
            .map_err(|e| e.to_string())?;
        Ok(plan.draw(&launches, &tasks, today))
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
}

fn transient(error: String) -> Outcome {
    Outcome::Retry {
        after: chrono::Duration::seconds(5),
        error,
        rate_limited: None,
        counts: true,
    }
}
