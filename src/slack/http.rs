//! Slack's three request URLs: `/slack/commands`, `/slack/events`, `/slack/interactions`.
//!
//! Every request passes [`verify_signature`] first: the body is read (at most
//! [`MAX_BODY_BYTES`]), its signature and timestamp checked, and only then parsed. Handlers
//! answer within Slack's 3-second window; anything slower (Web API calls) runs afterwards on
//! the [`SlackContext::background`] tracker, which shutdown waits for.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use secrecy::SecretString;
use serde_json::json;
use tokio_util::task::TaskTracker;

use super::client::{BotIdentity, SlackApi};
use super::command_text::{self, ParseContext};
use super::installation::Installation;
use super::interactions;
use super::payloads::{EventEnvelope, Interaction, InteractionForm, SlashCommand};
use super::render::{self, new_launch_modal};
use super::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::domain::{ChangeSource, SlackUserId};
use crate::service::reply::{Reply, View, Visibility};
use crate::service::{Service, ServiceError};
use crate::store::EventClaim;

/// How long a slash command may spend asking Slack whether Liftoff can post in a channel it was
/// just given: the whole answer must reach Slack within 3 seconds.
const CHANNEL_CHECK_BUDGET: std::time::Duration = std::time::Duration::from_millis(1500);

/// A claim on an event that is older than this and not marked handled belongs to a process
/// that died while handling it; Slack's next retry (after 1, then 5 minutes) takes it over.
const EVENT_CLAIM_STALE: chrono::Duration = chrono::Duration::seconds(30);

/// Slack's payloads are small; anything larger than this is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the Slack handlers need. Cheap to clone.
#[derive(Clone)]
pub struct SlackContext {
    pub service: Service,
    pub api: SlackApi,
    /// Absent in Socket Mode, where no request URLs are served.
    pub signing_secret: Option<SecretString>,
    pub identity: BotIdentity,
    /// Work started after a request was acknowledged; shutdown waits for it.
    pub background: TaskTracker,
    /// Home tab rebuilds, coalesced and paced (see [`super::home::refresh`]).
    pub home: std::sync::Arc<super::home::HomePublisher>,
}

impl SlackContext {
    /// Looks up `user`'s time zone in the background when it is unknown or a day old, so
    /// "today" and "overdue" become theirs from the next request on.
    pub fn learn_timezone(&self, user: &SlackUserId) {
        let ctx = self.clone();
        let user = user.clone();
        self.background.spawn(async move {
            let now = ctx.service.clock.now();
            let fresh = matches!(
                ctx.service.store.user_timezone(&user).await,
                Ok(Some((_, fetched))) if now - fetched < chrono::Duration::days(1)
            );
            if fresh {
                return;
            }
            match ctx.api.user_timezone(user.as_str()).await {
                Ok(Some(tz)) if tz.parse::<chrono_tz::Tz>().is_ok() => {
                    if let Err(err) = ctx.service.store.save_user_timezone(&user, &tz, now).await {
                        tracing::warn!(error = %err, "could not cache a time zone");
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::debug!(error = %err, user = %user, "users.info failed; using the organisation's time zone")
                }
            }
        });
    }

    /// Requests for any installation but the bot's own are refused (see [`Installation`]).
    pub fn serves(&self, installation: &Installation) -> bool {
        installation.is_served_by(
            self.identity.team_id.as_str(),
            self.identity.org_wide_enterprise_id.as_deref(),
        )
    }
}

pub fn routes(ctx: SlackContext) -> Router {
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/events", post(events))
        .route("/slack/interactions", post(interactions_endpoint))
        .layer(middleware::from_fn_with_state(ctx.clone(), verify_signature))
        .with_state(ctx)
}

/// Reads the body and checks Slack's signature before anything else sees the request.
async fn verify_signature(State(ctx): State<SlackContext>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // A declared length over the limit is refused at once, before waiting for a body that may
    // never come (a 10 GB Content-Length with nothing behind it would hold the connection).
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        tracing::warn!(path = %parts.uri.path(), length = declared, "refused a Slack request declaring an oversized body");
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    // Slack sends a whole request at once; a client still trickling its body after the read
    // timeout is holding a connection open (slow loris) and is cut off.
    let read_timeout = ctx.service.config.server.read_timeout;
    let bytes = match tokio::time::timeout(read_timeout, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            tracing::warn!(path = %parts.uri.path(), "refused an oversized or unreadable Slack request");
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
        }
        Err(_) => {
            tracing::warn!(path = %parts.uri.path(), "cut off a Slack request whose body arrived too slowly");
            return (StatusCode::REQUEST_TIMEOUT, "request body too slow").into_response();
        }
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let now = ctx.service.clock.now();
    let Some(secret) = &ctx.signing_secret else {
        return (StatusCode::NOT_FOUND, "request URLs are off in Socket Mode").into_response();
    };
    if let Err(err) = signature::verify(secret, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), &bytes, now) {
        tracing::warn!(path = %parts.uri.path(), reason = %err, "refused a Slack request");
        return (StatusCode::UNAUTHORIZED, "invalid Slack signature").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn wrong_team(installation: &Installation) -> Response {
    tracing::warn!(team = %installation.describe(), "refused a request from another workspace");
    (StatusCode::FORBIDDEN, "this Liftoff serves another workspace").into_response()
}

/// The JSON body a slash command is answered with.
pub fn command_response(reply: &Reply) -> serde_json::Value {
    let rendered = render::with_notes(render::render(&reply.view), &reply.notes);
    let response_type = match reply.visibility {
        Visibility::Ephemeral => "ephemeral",
        Visibility::InChannel => "in_channel",
    };
    json!({ "response_type": response_type, "text": rendered.text, "blocks": rendered.blocks })
}

/// Turns a service outcome into the reply people see; internal errors are logged, not shown.
pub fn reply_for(outcome: Result<Reply, ServiceError>) -> Reply {
    match outcome {
        Ok(reply) => reply,
        Err(ServiceError::User { message, usage }) => Reply::ephemeral(View::Problem { message, usage }),
        Err(err) => {
            tracing::error!(error = %err, "command failed");
            Reply::ephemeral(View::InternalError)
        }
    }
}

async fn commands(State(ctx): State<SlackContext>, Form(command): Form<SlashCommand>) -> Response {
    if command.ssl_check.as_deref() == Some("1") {
        return StatusCode::OK.into_response();
    }
    let installation = Installation::of_command(&command.team_id, command.enterprise_id.as_deref());
    if !ctx.serves(&installation) {
        return wrong_team(&installation);
    }
    let Ok(user) = SlackUserId::parse(&command.user_id) else {
        return (StatusCode::BAD_REQUEST, "missing user_id").into_response();
    };
    let reply = run_command(&ctx, &user, &command.text).await;
    if reply.view == View::NewLaunchForm {
        // trigger_id lives 3 seconds: open the form right away, after the acknowledgement.
        let ctx2 = ctx.clone();
        let metadata = json!({ "channel": command.channel_id, "response_url": command.response_url }).to_string();
        let trigger_id = command.trigger_id.clone();
        ctx.background.spawn(async move {
            if let Err(err) = ctx2.api.open_view(&trigger_id, new_launch_modal(metadata)).await {
                tracing::warn!(error = %err, "could not open the new launch form");
            }
        });
        return StatusCode::OK.into_response();
    }
    Json(command_response(&reply)).into_response()
}

/// Parses and runs `/launch <text>` for `user`. Shared by HTTP and Socket Mode. `raw_text` is
/// the command text as Slack sent it (escaped); it is made plain once, here.
pub async fn run_command(ctx: &SlackContext, user: &SlackUserId, raw_text: &str) -> Reply {
    let text = &super::text::unescape(raw_text);
    ctx.learn_timezone(user);
    let today = ctx.service.today_for(user).await;
    let parse_ctx = ParseContext {
        today,
        functions: &ctx.service.config.functions,
    };
    match command_text::parse(text, &parse_ctx) {
        Err(usage) => Reply::ephemeral(View::Problem {
            message: usage.message,
            usage: usage.subcommand,
        }),
        Ok(command) => {
            tracing::info!(user = %user, subcommand = %command.subcommand(), "slash command");
            let new_channel = match &command {
                crate::service::command::Command::SetChannel { channel, .. } => Some(channel.clone()),
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
                reply.notes.extend(access.advice(&channel.link()));
            }
            reply
        }
    }
}

async fn events(State(ctx): State<SlackContext>, body: Bytes) -> Response {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a Slack event").into_response();
    };
    match handle_event(&ctx, payload).await {
        EventOutcome::Challenge(challenge) => Json(json!({ "challenge": challenge })).into_response(),
        EventOutcome::WrongTeam(installation) => wrong_team(&installation),
        EventOutcome::Unreadable => (StatusCode::BAD_REQUEST, "not a Slack event").into_response(),
        EventOutcome::Failed => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        EventOutcome::Accepted | EventOutcome::Duplicate => StatusCode::OK.into_response(),
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
pub async fn handle_event(ctx: &SlackContext, payload: serde_json::Value) -> EventOutcome {
    let installation = Installation::of_payload(&payload);
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
            let store = &ctx.service.store;
            let now = ctx.service.clock.now();
            match store
                .claim_slack_event(&callback.event_id, now, EVENT_CLAIM_STALE)
                .await
            {
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
                            super::home::refresh(ctx, [user]);
                        }
                    } else if kind == "message"
                        && let Err(err) = super::threads::on_message(ctx, &callback.event_id, &callback.event).await
                    {
                        // Not (fully) applied: forget the claim so Slack's retry gets another
                        // go; what was applied is not applied twice (`reply_updates`).
                        tracing::error!(error = %err, event_id = %callback.event_id, "could not handle a message");
                        let _ = store.forget_slack_event(&callback.event_id).await;
                        return EventOutcome::Failed;
                    }
                    // Marked handled only now that its effect is stored: a crash before this
                    // leaves a claim that Slack's retry takes over.
                    match store
                        .mark_slack_event_handled(&callback.event_id, ctx.service.clock.now())
                        .await
                    {
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

async fn interactions_endpoint(State(ctx): State<SlackContext>, Form(form): Form<InteractionForm>) -> Response {
    let Ok(payload) = serde_json::from_str::<serde_json::Value>(&form.payload) else {
        tracing::warn!("unreadable interaction payload");
        return (StatusCode::BAD_REQUEST, "unreadable interaction payload").into_response();
    };
    let installation = Installation::of_payload(&payload);
    if !ctx.serves(&installation) {
        return wrong_team(&installation);
    }
    let interaction = match serde_json::from_value::<Interaction>(payload) {
        Ok(interaction) => interaction,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable interaction payload");
            return (StatusCode::BAD_REQUEST, "unreadable interaction payload").into_response();
        }
    };
    match interactions::handle(&ctx, interaction).await {
        interactions::Outcome::Ack => StatusCode::OK.into_response(),
        interactions::Outcome::Respond(body) => Json(body).into_response(),
        interactions::Outcome::BadRequest(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}
