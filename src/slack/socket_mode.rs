//! Socket Mode: instead of Slack calling our request URLs, we open a websocket to Slack and
//! receive the same payloads as envelopes, each of which must be acknowledged.
//!
//! Written over `tokio-tungstenite` rather than slack-morphism's Socket Mode listener so that
//! the raw payloads reach exactly the handlers the HTTP endpoints use (one parser, one set of
//! rules), and so that shutdown stays ours (that listener installs its own signal handling).
//! No signatures here: the socket itself is authenticated by the app-level token.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::http::{EventOutcome, SlackContext, command_response, handle_event, run_command};
use super::installation::Installation;
use super::interactions::{self, Outcome};
use super::payloads::{Interaction, SlashCommand};
use super::render::new_launch_modal;
use crate::domain::SlackUserId;
use crate::service::reply::View;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Slack pings every few seconds; this long without any frame means the link is dead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Slack asked us to reconnect (`disconnect`), or closed the socket.
    Reconnect,
    Shutdown,
}

/// Keeps a Socket Mode connection open until `shutdown`, reconnecting with backoff.
pub async fn run(ctx: SlackContext, app_token: SecretString, shutdown: CancellationToken) {
    let mut backoff = Duration::from_millis(250);
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let outcome = match ctx.api.open_socket_url(&app_token).await {
            Ok(url) => connect(&ctx, &url, &shutdown).await,
            Err(err) => Err(format!("apps.connections.open failed: {err}")),
        };
        match outcome {
            Ok(End::Shutdown) => return,
            Ok(End::Reconnect) => {
                tracing::info!("Socket Mode: reconnecting as Slack asked");
                backoff = Duration::from_millis(250);
                continue;
            }
            Err(reason) => {
                tracing::warn!(%reason, retry_in = ?backoff, "Socket Mode connection lost");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

async fn connect(ctx: &SlackContext, url: &str, shutdown: &CancellationToken) -> Result<End, String> {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (mut sink, mut stream) = socket.split();
    loop {
        let frame = tokio::select! {
            () = shutdown.cancelled() => {
                let _ = sink.send(Message::Close(None)).await;
                return Ok(End::Shutdown);
            }
            frame = tokio::time::timeout(IDLE_TIMEOUT, stream.next()) => frame,
        };
        let message = match frame {
            Err(_) => return Err("no frame from Slack within the idle timeout".to_owned()),
            Ok(None) => return Err("the socket closed".to_owned()),
            Ok(Some(Err(err))) => return Err(format!("socket error: {err}")),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => {
                let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                    tracing::warn!("Socket Mode: ignoring a frame that is not JSON");
                    continue;
                };
                match frame.get("type").and_then(Value::as_str) {
                    Some("hello") => tracing::info!("Socket Mode connected"),
                    Some("disconnect") => {
                        let reason = frame.get("reason").and_then(Value::as_str).unwrap_or("unknown");
                        tracing::info!(reason, "Socket Mode: Slack asked to reconnect");
                        return Ok(End::Reconnect);
                    }
                    _ => {
                        if let Some(ack) = handle_envelope(ctx, &frame).await {
                            sink.send(Message::Text(ack.to_string().into()))
                                .await
                                .map_err(|e| format!("cannot acknowledge: {e}"))?;
                        }
                    }
                }
            }
            Message::Ping(payload) => {
                sink.send(Message::Pong(payload))
                    .await
                    .map_err(|e| format!("cannot pong: {e}"))?;
            }
            Message::Close(_) => return Ok(End::Reconnect),
            _ => {}
        }
    }
}

/// Runs one envelope through the shared handlers; returns the acknowledgement to send, or
/// `None` to let Slack retry (the event could not be recorded).
pub async fn handle_envelope(ctx: &SlackContext, frame: &Value) -> Option<Value> {
    let envelope_id = frame.get("envelope_id")?.as_str()?.to_owned();
    let payload = frame.get("payload").cloned().unwrap_or(Value::Null);
    let kind = frame.get("type").and_then(Value::as_str).unwrap_or_default();
    let ack = |payload: Option<Value>| match payload {
        Some(payload) => json!({ "envelope_id": envelope_id, "payload": payload }),
        None => json!({ "envelope_id": envelope_id }),
    };
    match kind {
        "slash_commands" => {
            let Ok(command) = serde_json::from_value::<SlashCommand>(payload) else {
                return Some(ack(None));
            };
            let installation = Installation::of_command(&command.team_id, command.enterprise_id.as_deref());
            if !ctx.serves(&installation) {
                tracing::warn!(team = %installation.describe(), "refused a command from another workspace");
                return Some(ack(None));
            }
            let Ok(user) = SlackUserId::parse(&command.user_id) else {
                return Some(ack(None));
            };
            let reply = run_command(ctx, &user, &command.text).await;
            if reply.view == View::NewLaunchForm {
                let ctx2 = ctx.clone();
                let metadata =
                    json!({ "channel": command.channel_id, "response_url": command.response_url }).to_string();
                ctx.background.spawn(async move {
                    if let Err(err) = ctx2
                        .api
                        .open_view(&command.trigger_id, new_launch_modal(metadata))
                        .await
                    {
                        tracing::warn!(error = %err, "could not open the new launch form");
                    }
                });
                return Some(ack(None));
            }
            Some(ack(Some(command_response(&reply))))
        }
        "interactive" => {
            let installation = Installation::of_payload(&payload);
            if !ctx.serves(&installation) {
                tracing::warn!(team = %installation.describe(), "refused an interaction from another workspace");
                return Some(ack(None));
            }
            let Ok(interaction) = serde_json::from_value::<Interaction>(payload) else {
                return Some(ack(None));
            };
            match interactions::handle(ctx, interaction).await {
                Outcome::Respond(body) => Some(ack(Some(body))),
                Outcome::Ack | Outcome::BadRequest(_) => Some(ack(None)),
            }
        }
        "events_api" => match handle_event(ctx, payload).await {
            EventOutcome::Failed => None,
            _ => Some(ack(None)),
        },
        _ => Some(ack(None)),
    }
}
