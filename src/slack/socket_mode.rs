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

use super::context::SlackContext;
use super::dispatch::{EventOutcome, command_response, handle_event, run_command};
use super::installation::Installation;
use super::interactions::{self, Outcome};
use super::payloads::{Interaction, SlashCommand};
use super::render::new_launch_modal;
use crate::views::View;
use liftoff_core::SlackUserId;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// First wait after a failed connection; doubled (with jitter) after each further failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// A connection that stayed up this long was healthy: the backoff starts over after it ends.
const HEALTHY_LIFETIME: Duration = Duration::from_secs(30);
/// Longest wait for the websocket handshake; a stuck one must not stall reconnection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a replaced connection may still deliver envelopes Slack sent it before the switch.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

/// What a connection tells the supervisor.
#[derive(Debug)]
enum Signal {
    /// Slack sent `disconnect` with this reason.
    Disconnect(String),
    /// The connection ended: closed by Slack, dead, or failed.
    Ended(String),
}

/// A live connection: its task, and how to close it.
struct Connection {
    id: u64,
    close: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    opened: tokio::time::Instant,
}

impl Connection {
    /// Closes the connection after `grace`, so envelopes already on their way are still read
    /// and acknowledged.
    fn retire(self, grace: Duration) {
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            self.close.cancel();
            let _ = self.task.await;
        });
    }
}

/// Keeps a Socket Mode connection open until `shutdown`, the way Slack's own clients do
/// (python-slack-sdk `socket_mode/builtin/client.py`, node `@slack/socket-mode`):
/// - envelopes are handled concurrently and each acknowledged as soon as it is handled, while
///   the next frames are read;
/// - the link is pinged every `ping` and declared dead after three pings without any frame, so
///   a half-open connection is replaced within about 30 seconds;
/// - on `disconnect` with reason `warning` or `refresh_requested`, the next connection is
///   opened first and the old one closed only afterwards (after a grace period), so nothing is
///   lost in the switch;
/// - failures (including `too_many_websockets`, when too many instances share one app) back
///   off exponentially with jitter, never in a tight loop.
pub async fn run(ctx: SlackContext, app_token: SecretString, shutdown: CancellationToken) {
    let ping = ctx.config.slack.socket_ping;
    let (signals, mut incoming) = tokio::sync::mpsc::unbounded_channel::<(u64, Signal)>();
    let mut next_id = 0_u64;
    let mut backoff = FIRST_BACKOFF;
    let mut current: Option<Connection> = None;
    loop {
        if current.is_none() {
            next_id += 1;
            match open(&ctx, &app_token, next_id, ping, signals.clone(), &shutdown).await {
                Some(connection) => {
                    current = Some(connection);
                }
                None if shutdown.is_cancelled() => return,
                None => {
                    let wait = jittered(backoff);
                    tracing::warn!(retry_in = ?wait, "Socket Mode: cannot connect");
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = shutdown.cancelled() => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
        }
        let (from, signal) = tokio::select! {
            () = shutdown.cancelled() => {
                if let Some(connection) = current.take() {
                    connection.close.cancel();
                    let _ = connection.task.await;
                }
                return;
            }
            Some(received) = incoming.recv() => received,
        };
        let is_current = current.as_ref().is_some_and(|c| c.id == from);
        if !is_current {
            // A retired connection ending or saying goodbye: it has been replaced already.
            continue;
        }
        match signal {
            Signal::Disconnect(reason) if reason == "warning" || reason == "refresh_requested" => {
                tracing::info!(%reason, "Socket Mode: Slack will close this connection; opening the next one first");
                next_id += 1;
                let replacement = open(&ctx, &app_token, next_id, ping, signals.clone(), &shutdown).await;
                let old = current.take().expect("checked above");
                old.retire(DRAIN_GRACE);
                current = replacement;
                backoff = FIRST_BACKOFF;
            }
            Signal::Disconnect(reason) => {
                // `too_many_websockets`, `link_disabled`, or a reason not known yet: back off.
                let wait = jittered(backoff);
                tracing::warn!(%reason, retry_in = ?wait, "Socket Mode: Slack closed the connection");
                let old = current.take().expect("checked above");
                old.close.cancel();
                let _ = old.task.await;
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Signal::Ended(reason) => {
                // A connection that lived a while was healthy: start over. One that ended at
                // once (a proxy closing it, say) backs off like a failed connect.
                let lived = current.as_ref().map(|c| c.opened.elapsed()).unwrap_or_default();
                if lived >= HEALTHY_LIFETIME {
                    backoff = FIRST_BACKOFF;
                }
                let wait = jittered(backoff);
                tracing::warn!(%reason, retry_in = ?wait, "Socket Mode connection lost");
                current = None;
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Between half and all of `base`, so that many instances do not reconnect in step.
fn jittered(base: Duration) -> Duration {
    base.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// Opens a connection (`apps.connections.open`, then the websocket) and starts serving it.
async fn open(
    ctx: &SlackContext,
    app_token: &SecretString,
    id: u64,
    ping: Duration,
    signals: tokio::sync::mpsc::UnboundedSender<(u64, Signal)>,
    shutdown: &CancellationToken,
) -> Option<Connection> {
    let url = match ctx.api.open_socket_url(app_token).await {
        Ok(url) => url,
        Err(err) => {
            tracing::warn!(error = %err, "apps.connections.open failed");
            return None;
        }
    };
    let socket = tokio::select! {
        connected = tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(url.as_str())) => match connected {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "Socket Mode: cannot open the websocket");
                return None;
            }
            Err(_) => {
                tracing::warn!("Socket Mode: the websocket handshake timed out");
                return None;
            }
        },
        () = shutdown.cancelled() => return None,
    };
    let close = shutdown.child_token();
    let task = tokio::spawn(serve(ctx.clone(), socket, id, ping, signals, close.clone()));
    Some(Connection {
        id,
        close,
        task,
        opened: tokio::time::Instant::now(),
    })
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads frames until `close` or the link ends, handing each envelope to its own task; acks,
/// pongs and pings go out through one writer.
async fn serve(
    ctx: SlackContext,
    socket: Socket,
    id: u64,
    ping: Duration,
    signals: tokio::sync::mpsc::UnboundedSender<(u64, Signal)>,
    close: CancellationToken,
) {
    let (mut sink, mut stream) = socket.split();
    let (outgoing, mut to_send) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = to_send.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
    });
    let dead_after = ping * 3;
    let mut pings = tokio::time::interval(ping);
    pings.tick().await;
    let mut last_frame = tokio::time::Instant::now();
    let ended = loop {
        let frame = tokio::select! {
            () = close.cancelled() => {
                let _ = outgoing.send(Message::Close(None));
                break None;
            }
            _ = pings.tick() => {
                if last_frame.elapsed() >= dead_after {
                    break Some(format!("no frame from Slack for {dead_after:?}: the link is dead"));
                }
                let _ = outgoing.send(Message::Ping(Vec::new().into()));
                continue;
            }
            frame = stream.next() => frame,
        };
        let message = match frame {
            None => break Some("the socket closed".to_owned()),
            Some(Err(err)) => break Some(format!("socket error: {err}")),
            Some(Ok(message)) => message,
        };
        last_frame = tokio::time::Instant::now();
        match message {
            Message::Text(text) => {
                let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                    tracing::warn!("Socket Mode: ignoring a frame that is not JSON");
                    continue;
                };
                match frame.get("type").and_then(Value::as_str) {
                    Some("hello") => tracing::info!(connection = id, "Socket Mode connected"),
                    Some("disconnect") => {
                        let reason = frame.get("reason").and_then(Value::as_str).unwrap_or("unknown");
                        let _ = signals.send((id, Signal::Disconnect(reason.to_owned())));
                    }
                    _ => {
                        // Each envelope on its own task: a slow one must not hold back the
                        // acknowledgement of the next (Slack wants each within 3 seconds).
                        let ctx = ctx.clone();
                        let outgoing = outgoing.clone();
                        ctx.background.clone().spawn(async move {
                            if let Some(ack) = handle_envelope(&ctx, &frame).await {
                                let _ = outgoing.send(Message::Text(ack.to_string().into()));
                            }
                        });
                    }
                }
            }
            Message::Ping(payload) => {
                let _ = outgoing.send(Message::Pong(payload));
            }
            Message::Close(_) => break Some("Slack closed the socket".to_owned()),
            _ => {}
        }
    };
    drop(outgoing);
    // Acks of envelopes still being handled hold their own sender; the writer ends with them.
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    if let Some(reason) = ended {
        let _ = signals.send((id, Signal::Ended(reason)));
    }
}

/// Runs one envelope through the shared handlers; returns the acknowledgement to send, or
/// `None` to let Slack retry (the event could not be recorded).
#[tracing::instrument(name = "socket_envelope", skip_all, fields(envelope_id = tracing::field::Empty, kind = tracing::field::Empty))]
pub async fn handle_envelope(ctx: &SlackContext, frame: &Value) -> Option<Value> {
    let envelope_id = frame.get("envelope_id")?.as_str()?.to_owned();
    let payload = frame.get("payload").cloned().unwrap_or(Value::Null);
    let kind = frame.get("type").and_then(Value::as_str).unwrap_or_default();
    let span = tracing::Span::current();
    span.record("envelope_id", envelope_id.as_str());
    span.record("kind", kind);
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
            Some(ack(serde_json::to_value(command_response(&reply)).ok()))
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
