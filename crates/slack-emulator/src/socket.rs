//! The Socket Mode websocket: Slack's recorded `hello` and `disconnect` frames, the
//! connection cap, cut and half-open links.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::{Value, json};

use crate::EmulatorState;

/// What the fake does to one Socket Mode connection.
pub(crate) enum SocketControl {
    Frame(String),
    /// Drops the TCP connection without a close frame, as a network failure would.
    Cut,
    /// Stops reading and writing, answering no ping, while the TCP connection stays open: a
    /// half-open link, which only the client's own liveness check can notice.
    Silent,
}

/// One Socket Mode connection, as seen from the fake's side.
pub struct SocketConn {
    to_client: tokio::sync::mpsc::UnboundedSender<SocketControl>,
    from_client: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl SocketConn {
    pub fn send(&self, frame: Value) {
        let _ = self.to_client.send(SocketControl::Frame(frame.to_string()));
    }

    /// The next frame the client sent (bounded wait).
    pub async fn recv(&mut self) -> Value {
        let text = tokio::time::timeout(Duration::from_secs(5), self.from_client.recv())
            .await
            .expect("a frame from the client within 5s")
            .expect("socket still open");
        serde_json::from_str(&text).expect("client frames are JSON")
    }

    /// The next frame the client sends within `wait`, if any.
    pub async fn try_recv(&mut self, wait: Duration) -> Option<Value> {
        let text = tokio::time::timeout(wait, self.from_client.recv()).await.ok()??;
        serde_json::from_str(&text).ok()
    }

    /// Drops the TCP connection without a close frame, as a network failure would.
    pub fn cut(&self) {
        let _ = self.to_client.send(SocketControl::Cut);
    }

    /// Goes silent without closing: no frames, no pongs (a half-open connection).
    pub fn go_silent(&self) {
        let _ = self.to_client.send(SocketControl::Silent);
    }

    /// Sends Slack's `disconnect` frame with `reason` (docs.slack.dev "Using Socket Mode":
    /// `warning` about 10 s before, `refresh_requested` when the connection is due for a
    /// refresh, `link_disabled`; recorded frames in tests/fixtures/slack/socket_disconnect_*.json),
    /// and closes the socket `close_after` later, as Slack does.
    pub fn disconnect(&self, reason: &str, close_after: Duration) {
        self.send(json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}}));
        let to_client = self.to_client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(close_after).await;
            let _ = to_client.send(SocketControl::Cut);
        });
    }
}

/// Socket Mode connections Slack allows one app at a time; past this a new one is closed with
/// `disconnect` reason `too_many_websockets` (docs.slack.dev "Using Socket Mode": up to 10).
pub const MAX_SOCKET_CONNECTIONS: usize = 10;

pub(crate) async fn socket(State(state): State<Arc<Mutex<EmulatorState>>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |mut ws: WebSocket| async move {
        let (sockets, open, over_limit) = {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            state.open_sockets += 1;
            let limit = state.max_sockets.unwrap_or(MAX_SOCKET_CONNECTIONS);
            (state.sockets.clone(), state.open_sockets, state.open_sockets > limit)
        };
        let closed = |state: &Arc<Mutex<EmulatorState>>| {
            state.lock().unwrap_or_else(|p| p.into_inner()).open_sockets -= 1;
        };
        if over_limit {
            // The recorded frame: tests/fixtures/slack/socket_disconnect_too_many_websockets.json.
            let frame = json!({"type": "disconnect", "reason": "too_many_websockets", "num_connections": open - 1,
                               "debug_info": {"host": "applink-emulator"}, "connection_info": {"app_id": "A0LIFTOFF"}});
            let _ = ws.send(WsMessage::Text(frame.to_string().into())).await;
            let _ = ws.send(WsMessage::Close(None)).await;
            closed(&state);
            return;
        }
        let (to_client, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<SocketControl>();
        let (incoming, from_client) = tokio::sync::mpsc::unbounded_channel::<String>();
        if let Some(sockets) = sockets {
            let _ = sockets.send(SocketConn { to_client, from_client });
        }
        // The recorded shape of Slack's greeting (tests/fixtures/slack/socket_hello.json).
        let hello = json!({"type": "hello", "num_connections": open,
                           "debug_info": {"host": "applink-emulator", "build_number": 1, "approximate_connection_time": 18060},
                           "connection_info": {"app_id": "A0LIFTOFF"}});
        if ws.send(WsMessage::Text(hello.to_string().into())).await.is_err() {
            closed(&state);
            return;
        }
        loop {
            tokio::select! {
                next = outgoing.recv() => match next {
                    Some(SocketControl::Frame(text)) => {
                        if ws.send(WsMessage::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(SocketControl::Silent) => {
                        // Hold the socket without touching it: no reads, so no pongs either.
                        tokio::time::sleep(Duration::from_secs(120)).await;
                        break;
                    }
                    // Cut: drop the socket without a close frame.
                    Some(SocketControl::Cut) | None => break,
                },
                received = ws.recv() => match received {
                    Some(Ok(WsMessage::Text(text))) => {
                        let _ = incoming.send(text.to_string());
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        closed(&state);
    })
}
