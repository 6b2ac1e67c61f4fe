//! Inbound dispatch: one transport-agnostic place that turns a slash command or an Events API
//! payload into a service call and an answer. The HTTP endpoints (`http`) and Socket Mode
//! (`socket_mode`) both come here after their own checks (signature, envelope).

use super::context::SlackContext;
use super::installation::Installation;
use super::payloads::EventEnvelope;
use super::render;
use crate::service::ServiceError;
use crate::slack::markup::Markup;
use crate::store::EventClaim;
use crate::views::{Reply, View, Visibility};
use liftoff_core::grammar::command_text::{self, ParseContext};
use liftoff_core::{ChangeSource, SlackUserId};

/// How long a slash command may spend asking Slack whether Liftoff can post in a channel it was
/// just given: the whole answer must reach Slack within 3 seconds.
const CHANNEL_CHECK_BUDGET: std::time::Duration = std::time::Duration::from_millis(1500);

/// A claim on an event that is older than this and not marked handled belongs to a process
/// that died while handling it; Slack's next retry (after 1, then 5 minutes) takes it over.
const EVENT_CLAIM_STALE: chrono::Duration = chrono::Duration::seconds(30);

/// Handling one event gives up well before its claim goes stale, so a live handler is never
/// overtaken by Slack's retry: what it applied is kept (`reply_updates`), the rest is retried.
const EVENT_HANDLING_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// The body a slash command is answered with. Serialized straight to the response's bytes: a
/// launch's page is a few hundred blocks' worth of JSON, and building it as a `Value` first
/// cost as much again.
#[derive(Debug, serde::Serialize)]
pub struct CommandResponse {
    response_type: &'static str,
    text: String,
    blocks: Vec<slack_morphism::prelude::SlackBlock>,
}

impl CommandResponse {
    /// Enough bytes for most replies' JSON at once: a launch's page of 95 blocks is 8.4 KB,
    /// about 90 bytes a block.
    pub fn size_hint(&self) -> usize {
        256 + self.text.len() + 128 * self.blocks.len()
    }
}

/// What a slash command is answered with: `reply`, rendered.
pub fn command_response(reply: &Reply) -> CommandResponse {
    let rendered = render::with_notes(render::render(&reply.view), &reply.notes);
    let response_type = match reply.visibility {
        Visibility::Ephemeral => "ephemeral",
        Visibility::InChannel => "in_channel",
    };
    CommandResponse {
        response_type,
        text: rendered.text,
        blocks: rendered.blocks,
    }
}

/// Turns a service outcome into the reply people see; internal errors are logged, not shown.
pub fn reply_for(outcome: Result<Reply, ServiceError>) -> Reply {
    match outcome {
        Ok(reply) => reply,
        Err(ServiceError::User { refusal, usage }) => Reply::ephemeral(View::Problem {
            message: super::wording::refusal(&refusal),
            usage,
        }),
        Err(err) => {
            tracing::error!(error = %err, "command failed");
            Reply::ephemeral(View::InternalError)
        }
    }
}

/// Parses and runs `/launch <text>` for `user`. Shared by HTTP and Socket Mode. `raw_text` is
/// the command text as Slack sent it (escaped); it is made plain once, here.
#[tracing::instrument(name = "slash_command", skip_all, fields(user = %user, subcommand = tracing::field::Empty))]
pub async fn run_command(ctx: &SlackContext, user: &SlackUserId, raw_text: &str) -> Reply {
    let text = &super::text::unescape(raw_text);
    let today = ctx.service.today_for(user).await;
    // After `today_for`, which has put what the store knows of them in the cache: someone
    // whose zone is stored and fresh starts no lookup.
    ctx.learn_timezone(user);
    let parse_ctx = ParseContext {
        today,
        functions: &ctx.config.functions,
    };
    match command_text::parse(text, &parse_ctx) {
        Err(usage) => Reply::ephemeral(View::Problem {
            message: usage.message,
            usage: usage.subcommand,
        }),
        Ok(command) => {
            tracing::Span::current().record("subcommand", tracing::field::display(command.subcommand()));
            tracing::info!("slash command");
            let new_channel = match &command {
                liftoff_core::command::Command::SetChannel { channel, .. } => Some(channel.clone()),
                _ => None,
            };
            let mut reply = reply_for(ctx.service.execute(user, command, ChangeSource::Command).await);
            super::home::refresh(ctx, super::home::affected_by(&reply, user));
            if let Some(channel) = new_channel
                && matches!(reply.view, View::FunctionUpdated { .. })
            {
                // Check-ins there would fail with `not_in_channel`: join it now, or say who must
                // invite Liftoff, in this reply (within Slack's 3 seconds for it).
                let access = super::membership::ensure_member(&ctx.api, channel.as_str(), CHANNEL_CHECK_BUDGET).await;
                reply.notes.extend(access.advice(&channel.mention()));
            }
            reply
        }
    }
}

/// What became of an event; Socket Mode acknowledges all but failures the same way.
#[derive(Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Challenge(String),
    WrongTeam(Installation),
    /// Not an Events API payload.
    Unreadable,
    Accepted,
    Duplicate,
    /// Not recorded (the database failed): Slack will retry, which is what we want.
    Failed,
}

/// Handles an Events API payload (the HTTP body, or a Socket Mode envelope's `payload`).
#[tracing::instrument(name = "slack_event", skip_all, fields(event_id = tracing::field::Empty, team = tracing::field::Empty))]
pub async fn handle_event(ctx: &SlackContext, payload: serde_json::Value) -> EventOutcome {
    let installation = Installation::of_payload(&payload);
    let span = tracing::Span::current();
    span.record("team", tracing::field::display(installation.describe()));
    if let Some(event_id) = payload.get("event_id").and_then(serde_json::Value::as_str) {
        span.record("event_id", event_id);
    }
    let Ok(envelope) = serde_json::from_value::<EventEnvelope>(payload) else {
        return EventOutcome::Unreadable;
    };
    match envelope {
        EventEnvelope::UrlVerification { challenge } => EventOutcome::Challenge(challenge),
        EventEnvelope::Other => EventOutcome::Accepted,
        EventEnvelope::EventCallback(callback) => {
            if !ctx.serves(&installation) {
                return EventOutcome::WrongTeam(installation);
            }
            match ctx.service.claim_event(&callback.event_id, EVENT_CLAIM_STALE).await {
                Ok(EventClaim::Claimed) => {
                    let kind = callback.event.get("type").and_then(|t| t.as_str()).unwrap_or("unknown");
                    tracing::debug!(event_id = %callback.event_id, kind, "event received");
                    if kind == "app_home_opened" {
                        let tab = callback.event.get("tab").and_then(|t| t.as_str()).unwrap_or("home");
                        let user = callback
                            .event
                            .get("user")
                            .and_then(|u| u.as_str())
                            .map(SlackUserId::parse);
                        if tab == "home"
                            && let Some(Ok(user)) = user
                        {
                            super::home::refresh(ctx, [&user]);
                        }
                    } else if kind == "message"
                        && let Err(err) = tokio::time::timeout(
                            EVENT_HANDLING_LIMIT,
                            super::threads::on_message(ctx, &callback.event_id, &callback.event),
                        )
                        .await
                        .unwrap_or_else(|_| Err(crate::service::replies::ReplyError::TooSlow))
                    {
                        // Not (fully) applied: forget the claim so Slack's retry gets another
                        // go; what was applied is not applied twice (`reply_updates`).
                        tracing::error!(error = %err, event_id = %callback.event_id, "could not handle a message");
                        let _ = ctx.service.forget_event(&callback.event_id).await;
                        return EventOutcome::Failed;
                    }
                    // Marked handled only now that its effect is stored: a crash before this
                    // leaves a claim that Slack's retry takes over.
                    match ctx.service.mark_event_handled(&callback.event_id).await {
                        Ok(()) => EventOutcome::Accepted,
                        Err(err) => {
                            tracing::error!(error = %err, event_id = %callback.event_id, "could not mark an event handled");
                            EventOutcome::Failed
                        }
                    }
                }
                Ok(EventClaim::Handled) => {
                    tracing::debug!(event_id = %callback.event_id, "duplicate event ignored");
                    EventOutcome::Duplicate
                }
                Ok(EventClaim::InProgress) => {
                    // A retry that overtook the first delivery, still being handled: not
                    // acknowledged, so Slack tries again later, when it has either been handled
                    // (a duplicate then) or its handler has died (taken over then).
                    tracing::info!(event_id = %callback.event_id, "event still being handled; Slack will retry");
                    EventOutcome::Failed
                }
                Err(err) => {
                    tracing::error!(error = %err, "could not record an event");
                    EventOutcome::Failed
                }
            }
        }
    }
}
