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
use axum::{Json, Router};
use serde_json::json;

mod form;

use form::SlackForm;

use super::context::SlackContext;
use super::dispatch::{EventOutcome, command_response, handle_event, run_command};
use super::installation::Installation;
use super::interactions;
use super::payloads::{Interaction, InteractionForm, SlashCommand};
use super::render::new_launch_modal;
use super::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::views::View;
use liftoff_core::SlackUserId;

/// Slack's payloads are small; anything larger than this is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Slack's request URLs: slash commands, the Events API, and interactivity.
pub const COMMANDS_PATH: &str = "/slack/commands";
pub const EVENTS_PATH: &str = "/slack/events";
pub const INTERACTIONS_PATH: &str = "/slack/interactions";

pub fn routes(ctx: SlackContext) -> Router {
    Router::new()
        .route(COMMANDS_PATH, post(commands))
        .route(EVENTS_PATH, post(events))
        .route(INTERACTIONS_PATH, post(interactions_endpoint))
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
    let read_timeout = ctx.config.server.read_timeout;
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
    let now = ctx.clock.now();
    let Some(secret) = &ctx.signing_secret else {
        return (StatusCode::NOT_FOUND, "request URLs are off in Socket Mode").into_response();
    };
    if let Err(err) = signature::verify(secret, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), &bytes, now) {
        tracing::warn!(path = %parts.uri.path(), reason = %err, "refused a Slack request");
        return (StatusCode::UNAUTHORIZED, "invalid Slack signature").into_response();
    }
    // Slack's retry count, recorded in the request's span (`http::request_span`, whose
    // request id is ours: Slack sends none for commands and interactions), so a redelivery
    // can be told from the first attempt in the logs. A first attempt carries none.
    if let Some(retry) = header("x-slack-retry-num") {
        tracing::Span::current().record("retry", retry);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn wrong_team(installation: &Installation) -> Response {
    tracing::warn!(team = %installation.describe(), "refused a request from another workspace");
    (StatusCode::FORBIDDEN, "this Liftoff serves another workspace").into_response()
}

async fn commands(State(ctx): State<SlackContext>, SlackForm(command): SlackForm<SlashCommand>) -> Response {
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
    let response = command_response(&reply);
    json_sized(&response, response.size_hint())
}

/// `value` as a JSON response, written into a buffer of `capacity` bytes to begin with: axum's
/// `Json` starts at 128 bytes and doubles, which for a launch's page was seven reallocations,
/// each copying what was written so far.
fn json_sized<T: serde::Serialize>(value: &T, capacity: usize) -> Response {
    let mut body = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "could not serialize a reply");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
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

async fn interactions_endpoint(
    State(ctx): State<SlackContext>,
    SlackForm(form): SlackForm<InteractionForm>,
) -> Response {
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
