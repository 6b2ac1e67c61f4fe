//! A local Slack emulator: the Web API methods Liftoff calls, answered like Slack (realistic
//! `ts` values, `ok: false` errors, a Socket Mode websocket), recording every call, failing on
//! demand (429 with Retry-After, 500, slow or lost replies), and checking Block Kit limits on
//! every message and view it receives, failing with `invalid_blocks` as real Slack would.
//!
//! `liftoff demo` runs the real service against it; the integration tests use it as their fake
//! Slack. It never talks to the network beyond loopback. Slack's published rate limits are
//! off by default (tests answer at once) and on only where asked ([`Emulator::enforce_rate_limits`],
//! for the benchmarks that check delivery is paced within them).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub const TEAM_ID: &str = "T0TEAM";
pub const BOT_USER_ID: &str = "U0BOT";
pub const BOT_ID: &str = "B0BOT";

/// What Slack makes of text a person types before an app sees it: `&`, `<` and `>` become
/// `&amp;`, `&lt;` and `&gt;`, except in Slack's own control sequences, which the client has
/// already turned into `<@U…>`, `<#C…|name>`, `<!here>`, `<!subteam^S…>` and
/// `<https://…|label>` (docs.slack.dev, "Formatting text for app surfaces" → "Escaping text";
/// slash-command `text` and message events alike). Tests write what people type, with
/// mentions in Slack's form, and this turns it into what Slack sends.
pub fn escape_typed(typed: &str) -> String {
    crate::slack::blocks::escape_except(typed, is_control_sequence)
}

/// `@U…`, `#C…`, `!here`, `!subteam^…`, `https://…`, `mailto:…`: what Slack keeps in brackets.
fn is_control_sequence(inner: &str) -> bool {
    if inner.contains('<') {
        return false;
    }
    let id_like = |s: &str, first: &[char]| {
        s.starts_with(first) && s.len() > 1 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let head = inner.split('|').next().unwrap_or_default();
    if let Some(user) = head.strip_prefix('@') {
        id_like(user, &['U', 'W', 'B'])
    } else if let Some(channel) = head.strip_prefix('#') {
        id_like(channel, &['C', 'G', 'D'])
    } else if let Some(special) = head.strip_prefix('!') {
        !special.is_empty() && !special.contains(char::is_whitespace)
    } else {
        head.starts_with("http://") || head.starts_with("https://") || head.starts_with("mailto:")
    }
}

/// The form body Slack posts to the slash-command URL when `user` types `/launch <text>` in
/// `channel` of this workspace (sign it before sending). One builder for the tests, the demo
/// and the load generator. The fields and their order are those of Slack's documented example
/// (docs.slack.dev "Implementing slash commands", the signing example in SLACK-NOTES); `text`
/// is escaped as Slack escapes it ([`escape_typed`]).
pub fn slash_command_form(user: &str, channel: &str, text: &str, response_url: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "legacy-verification-token"),
        ("team_id", TEAM_ID),
        ("team_domain", "liftoff-emulator"),
        ("channel_id", channel),
        ("channel_name", "launches"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", "/launch"),
        ("text", &escape_typed(text)),
        ("api_app_id", "A0LIFTOFF"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
    ])
    .expect("string pairs always form-encode")
}

/// The Events API body Slack posts when `user` types `text` as a reply in the thread of
/// `thread_ts` in `channel`: the recorded shape of a thread reply (bolt-python's scenario test
/// `test_events_assistant.py`, kept in tests/fixtures/slack/message_thread_reply.json), with the
/// text escaped as Slack escapes it ([`escape_typed`]). For the tests and the demo.
pub fn thread_reply_event(event_id: &str, user: &str, channel: &str, thread_ts: &str, ts: &str, text: &str) -> Value {
    let event_time = ts
        .split('.')
        .next()
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .unwrap_or_default();
    json!({
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0LIFTOFF",
        "event": {
            "user": user, "type": "message", "ts": ts, "text": escape_typed(text),
            "team": TEAM_ID, "user_team": TEAM_ID, "source_team": TEAM_ID, "user_profile": {},
            "thread_ts": thread_ts, "channel": channel, "event_ts": ts, "channel_type": "channel"
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{
            "enterprise_id": null, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
            "is_bot": true, "is_enterprise_install": false
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("1-message-{TEAM_ID}-{channel}")
    })
}

/// How the next call to a method fails.
#[derive(Debug, Clone)]
pub enum Failure {
    RateLimited {
        retry_after_secs: u64,
    },
    ServerError,
    Slow(Duration),
    /// Does the work, then answers too late: the caller times out although Slack acted.
    Lost(Duration),
    /// A slow Slack: acts only after `Duration` (then answers), so for a while after the
    /// caller timed out the work cannot be seen either.
    StoredLate(Duration),
    Api(&'static str),
}

/// Slack's published rate limits, as far as Liftoff's calls meet them: chat.postMessage allows
/// one message per second per channel, and each other Web API method a number of calls per
/// minute by its tier (1: 1+, 2: 20+, 3: 50+, 4: 100+). The "+" is Slack's allowance for short
/// bursts; the emulator allows none, so it is stricter than Slack.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Least time between two chat.postMessage calls to one channel.
    pub post_interval_per_channel: Duration,
    /// Calls per rolling minute, by method.
    pub per_minute: HashMap<String, usize>,
}

impl RateLimits {
    /// The limits Slack publishes for the methods Liftoff calls.
    pub fn slack() -> RateLimits {
        const TIER_3: usize = 50;
        const TIER_4: usize = 100;
        let per_minute = [
            ("chat.update", TIER_3),
            ("chat.postEphemeral", TIER_4),
            ("conversations.open", TIER_3),
            ("conversations.history", TIER_3),
            ("conversations.replies", TIER_3),
            ("reactions.add", TIER_3),
            ("users.info", TIER_4),
            ("views.open", TIER_4),
            ("views.update", TIER_4),
            ("views.push", TIER_4),
            ("views.publish", TIER_4),
            ("apps.connections.open", 1),
        ];
        RateLimits {
            post_interval_per_channel: Duration::from_secs(1),
            per_minute: per_minute.into_iter().map(|(m, n)| (m.to_owned(), n)).collect(),
        }
    }
}

/// What the rate limits have seen: the last post per channel and each method's recent calls.
#[derive(Default)]
struct RateState {
    limits: Option<RateLimits>,
    last_post: HashMap<String, std::time::Instant>,
    recent: HashMap<String, VecDeque<std::time::Instant>>,
    /// Calls answered with 429 because they broke a limit.
    refused: usize,
}

impl RateState {
    /// `Some(retry_after_secs)` when `method` (to `channel`) now would break a limit;
    /// otherwise counts the call against the limits.
    fn check(&mut self, method: &str, channel: Option<&str>, now: std::time::Instant) -> Option<u64> {
        let limits = self.limits.as_ref()?;
        let interval = limits.post_interval_per_channel;
        if method == "chat.postMessage"
            && let Some(channel) = channel
        {
            if let Some(last) = self.last_post.get(channel)
                && now.duration_since(*last) < interval
            {
                self.refused += 1;
                return Some(interval.as_secs().max(1));
            }
            self.last_post.insert(channel.to_owned(), now);
            return None;
        }
        let budget = *limits.per_minute.get(method)?;
        let recent = self.recent.entry(method.to_owned()).or_default();
        let minute = Duration::from_secs(60);
        while recent.front().is_some_and(|at| now.duration_since(*at) >= minute) {
            recent.pop_front();
        }
        if recent.len() >= budget {
            self.refused += 1;
            let oldest = *recent.front().expect("a full window is not empty");
            return Some((minute - now.duration_since(oldest)).as_secs().max(1));
        }
        recent.push_back(now);
        None
    }
}

/// A channel as Slack holds it, for the rules about where the bot may post and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelState {
    pub private: bool,
    pub archived: bool,
    pub bot_is_member: bool,
}

impl ChannelState {
    /// What Slack starts from for a channel id nobody described: public channels (`C…`) and
    /// private ones (`G…`) without the bot, direct messages (`D…`) with it.
    fn default_for(id: &str) -> ChannelState {
        ChannelState {
            private: id.starts_with('G'),
            archived: false,
            bot_is_member: id.starts_with('D'),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// When it happened on the service clock, if the emulator was given one (the demo's
    /// transcript shows it).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// The failure this call was answered with, if one was injected.
    pub failure: Option<Failure>,
    /// When the call arrived, on the machine's clock: for checks of real pacing.
    pub received: std::time::Instant,
}

/// What the fake does to one Socket Mode connection.
enum SocketControl {
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

#[derive(Default)]
struct EmulatorState {
    clock: Option<crate::clock::SharedClock>,
    root: String,
    sockets: Option<tokio::sync::mpsc::UnboundedSender<SocketConn>>,
    /// Socket Mode connections open now, and the most allowed (see [`MAX_SOCKET_CONNECTIONS`]).
    open_sockets: usize,
    max_sockets: Option<usize>,
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    violations: Vec<String>,
    next_ts: u64,
    /// Messages as they stand now, by (channel, ts), for conversations.history.
    messages: HashMap<(String, String), Value>,
    /// Time zones users.info answers with; unknown users are in UTC.
    timezones: HashMap<String, String>,
    /// Added before every Web API call is handled, like a slow network.
    latency: Duration,
    /// Until this instant (on the emulator's clock) every Web API call fails, in turn with a
    /// 429, a 500, a response too slow for the caller (`slow`) and a 500 again.
    outage: Option<(chrono::DateTime<chrono::Utc>, Duration)>,
    outage_calls: u64,
    rate: RateState,
    /// Channels by id, as far as the bot is concerned. A channel not listed here is a public
    /// channel the bot has not joined (`C…`), a private one it is not in (`G…`), or a direct
    /// message, which it is always in (`D…`).
    channels: HashMap<String, ChannelState>,
    /// Whether the app's Messages tab is off (`features.app_home.messages_tab_enabled: false`):
    /// Slack then refuses the app's direct messages with `messages_tab_disabled`.
    messages_tab_disabled: bool,
    /// Set when the app is installed org-wide in this Enterprise Grid organisation: auth.test
    /// then answers with it and `is_enterprise_install: true`.
    org_wide: Option<String>,
    /// While set, Slack refuses the bot token with this error on every Web API call but
    /// `apps.connections.open` (which takes the app-level token): `invalid_auth`,
    /// `token_revoked`, `account_inactive`, … (docs.slack.dev method reference, generic errors).
    token_refused: Option<&'static str>,
}

#[derive(Clone)]
pub struct Emulator {
    /// The Web API base, as `LIFTOFF_SLACK_API_URL` expects it.
    pub api_url: String,
    root: String,
    state: Arc<Mutex<EmulatorState>>,
    new_sockets: Arc<tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<SocketConn>>>,
}

impl Emulator {
    /// Starts the emulator on a random loopback port.
    pub async fn start() -> Emulator {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let root = format!("http://{}", listener.local_addr().expect("bound"));
        let (sockets, new_sockets) = tokio::sync::mpsc::unbounded_channel();
        let state = Arc::new(Mutex::new(EmulatorState {
            // Later than any test clock, like real ts values are "now" for Slack.
            next_ts: 1_900_000_000_000_100,
            root: root.clone(),
            sockets: Some(sockets),
            ..EmulatorState::default()
        }));
        let router = Router::new()
            .route("/api/{method}", any(api))
            .route("/response/{id}", post(response_url))
            .route("/socket", any(socket))
            .with_state(state.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                tracing::error!(error = %err, "the Slack emulator stopped");
            }
        });
        Emulator {
            api_url: format!("{root}/api"),
            root,
            state,
            new_sockets: Arc::new(tokio::sync::Mutex::new(new_sockets)),
        }
    }

    /// The next Socket Mode connection the service opens (bounded wait).
    pub async fn next_socket(&self) -> SocketConn {
        let mut sockets = self.new_sockets.lock().await;
        tokio::time::timeout(Duration::from_secs(10), sockets.recv())
            .await
            .expect("the service connects within 10s")
            .expect("fake still running")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EmulatorState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A response_url that lands here, recorded as method `response_url`.
    pub fn response_url(&self, id: &str) -> String {
        format!("{}/response/{id}", self.root)
    }

    /// Forgets every failure queued with [`Emulator::fail_next`] and ends an outage.
    pub fn heal(&self) {
        let mut state = self.lock();
        state.failures.clear();
        state.outage = None;
        state.token_refused = None;
    }

    /// How many injected failures still wait for calls to `method`.
    pub fn pending_failures(&self, method: &str) -> usize {
        self.lock().failures.get(method).map_or(0, VecDeque::len)
    }

    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.lock()
            .failures
            .entry(method.to_owned())
            .or_default()
            .push_back(failure);
    }

    /// Fails every Web API call until `until` on the emulator's clock (see [`Emulator::set_clock`]):
    /// 500s, 429s with `Retry-After: 20`, and answers slower than `slow` (which Slack then
    /// acts on, as after a timeout whose request did arrive).
    pub fn outage_until(&self, until: chrono::DateTime<chrono::Utc>, slow: Duration) {
        self.lock().outage = Some((until, slow));
    }

    /// The messages a channel holds now, oldest first: what its members see.
    pub fn channel_history(&self, channel: &str) -> Vec<Value> {
        let mut messages: Vec<(String, Value)> = self
            .lock()
            .messages
            .iter()
            .filter(|((c, _), _)| c == channel)
            .map(|((_, ts), m)| (ts.clone(), m.clone()))
            .collect();
        messages.sort_by(|a, b| a.0.cmp(&b.0));
        messages.into_iter().map(|(_, m)| m).collect()
    }

    /// Describes a channel: public or private, and whether the bot is in it (as after an
    /// `/invite @Liftoff`).
    pub fn add_channel(&self, id: &str, private: bool, bot_is_member: bool) {
        self.lock().channels.insert(
            id.to_owned(),
            ChannelState {
                private,
                archived: false,
                bot_is_member,
            },
        );
    }

    /// Turns the app's Messages tab off, as the manifests once did.
    pub fn disable_messages_tab(&self) {
        self.lock().messages_tab_disabled = true;
    }

    /// Archives a channel: Slack then refuses posts there with `is_archived`.
    pub fn archive_channel(&self, id: &str) {
        let mut state = self.lock();
        let channel = state
            .channels
            .entry(id.to_owned())
            .or_insert_with(|| ChannelState::default_for(id));
        channel.archived = true;
    }

    /// Removes the bot from a channel (someone ran `/kick @Liftoff` or `/remove`).
    pub fn remove_bot_from(&self, id: &str) {
        let mut state = self.lock();
        let channel = state
            .channels
            .entry(id.to_owned())
            .or_insert_with(|| ChannelState::default_for(id));
        channel.bot_is_member = false;
    }

    /// Where the bot stands in `id` now.
    pub fn channel(&self, id: &str) -> ChannelState {
        let state = self.lock();
        state
            .channels
            .get(id)
            .copied()
            .unwrap_or_else(|| ChannelState::default_for(id))
    }

    /// Socket Mode connections open now.
    pub fn open_sockets(&self) -> usize {
        self.lock().open_sockets
    }

    /// Allows at most `max` Socket Mode connections at once (Slack allows 10 per app).
    pub fn limit_sockets(&self, max: usize) {
        self.lock().max_sockets = Some(max);
    }

    /// Installs the app org-wide in `enterprise_id` (before the service starts, which asks
    /// auth.test once).
    pub fn install_org_wide(&self, enterprise_id: &str) {
        self.lock().org_wide = Some(enterprise_id.to_owned());
    }

    /// Refuses the bot token with `error` on every call from now on (`None`: accepts it again),
    /// as Slack does after the app is uninstalled or its token revoked.
    pub fn refuse_token(&self, error: Option<&'static str>) {
        self.lock().token_refused = error;
    }

    /// Every message Slack holds now, in every channel and DM, with its channel.
    pub fn stored_messages(&self) -> Vec<(String, Value)> {
        self.lock()
            .messages
            .iter()
            .map(|((channel, _), message)| (channel.clone(), message.clone()))
            .collect()
    }

    /// Makes every Web API call take `latency` before Slack acts on it.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Stamps every call with `clock`'s time, for transcripts (and for [`Emulator::outage_until`]).
    pub fn set_clock(&self, clock: crate::clock::SharedClock) {
        self.lock().clock = Some(clock);
    }

    /// Every call so far, in order.
    pub fn all_calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Bodies of every call to `method` so far.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .map(|c| c.body.clone())
            .collect()
    }

    /// The latest message posted to `channel`, if any.
    pub fn last_post(&self, channel: &str) -> Option<Value> {
        self.calls("chat.postMessage")
            .into_iter()
            .rfind(|b| b["channel"] == channel)
    }

    /// Waits (bounded) until `method` has been called `count` times; returns those calls.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let calls = self.calls(method);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "expected {count} call(s) to {method}, got {:?}",
            self.lock().calls.iter().map(|c| &c.method).collect::<Vec<_>>()
        );
    }

    /// Makes users.info report `timezone` for `user`.
    pub fn set_timezone(&self, user: &str, timezone: &str) {
        self.lock().timezones.insert(user.to_owned(), timezone.to_owned());
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// From now on, answers calls beyond `limits` with 429 and a Retry-After, as Slack does.
    pub fn enforce_rate_limits(&self, limits: RateLimits) {
        self.lock().rate.limits = Some(limits);
    }

    /// How many calls were refused with 429 for breaking the rate limits (injected failures
    /// are not counted).
    pub fn rate_limited_calls(&self) -> usize {
        self.lock().rate.refused
    }

    /// Stores a message as if the bot had posted it, for tests that start from an existing one
    /// (so the bot is in that channel).
    pub fn seed_message(&self, channel: &str, ts: &str, text: &str, blocks: Value) {
        let mut state = self.lock();
        state
            .channels
            .entry(channel.to_owned())
            .or_insert_with(|| ChannelState::default_for(channel))
            .bot_is_member = true;
        state.messages.insert(
            (channel.to_owned(), ts.to_owned()),
            json!({ "ts": ts, "text": text, "blocks": blocks, "user": BOT_USER_ID, "bot_id": BOT_ID }),
        );
    }
}

/// Block Kit limits Slack enforces (SLACK-NOTES); returns each broken one.
pub fn block_kit_violations(blocks: &Value, max_blocks: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(blocks) = blocks.as_array() else {
        return problems;
    };
    if blocks.len() > max_blocks {
        problems.push(format!("{} blocks (max {max_blocks})", blocks.len()));
    }
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for (i, block) in blocks.iter().enumerate() {
        let kind = block["type"].as_str().unwrap_or("");
        if let Some(id) = block["block_id"].as_str()
            && id.chars().count() > 255
        {
            problems.push(format!("block {i}: block_id too long"));
        }
        match kind {
            "section" => {
                if chars(&block["text"]["text"]) > 3000 {
                    problems.push(format!(
                        "block {i}: section text {} chars",
                        chars(&block["text"]["text"])
                    ));
                }
                if let Some(fields) = block["fields"].as_array() {
                    if fields.len() > 10 {
                        problems.push(format!("block {i}: {} fields", fields.len()));
                    }
                    for field in fields {
                        if chars(&field["text"]) > 2000 {
                            problems.push(format!("block {i}: field over 2000 chars"));
                        }
                    }
                }
                if block.get("text").is_none() && block.get("fields").is_none() {
                    problems.push(format!("block {i}: section without text or fields"));
                }
            }
            "header" if chars(&block["text"]["text"]) > 150 => {
                problems.push(format!("block {i}: header {} chars", chars(&block["text"]["text"])));
            }
            "context" if block["elements"].as_array().map_or(0, Vec::len) > 10 => {
                problems.push(format!("block {i}: more than 10 context elements"));
            }
            "actions" => {
                let elements = block["elements"].as_array().cloned().unwrap_or_default();
                if elements.len() > 25 {
                    problems.push(format!("block {i}: {} actions", elements.len()));
                }
                for element in elements {
                    if chars(&element["text"]["text"]) > 75 {
                        problems.push(format!("block {i}: button text over 75"));
                    }
                    if chars(&element["action_id"]) > 255 {
                        problems.push(format!("block {i}: action_id over 255"));
                    }
                    if chars(&element["value"]) > 2000 {
                        problems.push(format!("block {i}: value over 2000"));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// Characters of text in `blocks`, counted as Slack counts them for its message cap: every
/// `text` string at any depth.
pub fn block_text_chars(blocks: &Value) -> usize {
    match blocks {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) if key == "text" => text.chars().count(),
                other => block_text_chars(other),
            })
            .sum(),
        Value::Array(items) => items.iter().map(block_text_chars).sum(),
        _ => 0,
    }
}

/// Slack's cap on the text a message's blocks carry: past it `chat.postMessage` (and
/// `chat.update`, `chat.postEphemeral`, `response_url`) answer `msg_blocks_too_long`,
/// whatever the block count. Slack does not publish the number; reports in bolt-js issues
/// #2509 and #2867 put it between 12,000 and 13,300, so the emulator refuses from the low end.
pub const MESSAGE_BLOCK_TEXT_CAP: usize = 12_000;

/// Limits of a modal or Home view.
pub fn view_violations(view: &Value) -> Vec<String> {
    let mut problems = block_kit_violations(&view["blocks"], 100);
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for key in ["title", "submit", "close"] {
        if chars(&view[key]["text"]) > 24 {
            problems.push(format!("view {key} over 24 chars"));
        }
    }
    if chars(&view["private_metadata"]) > 3000 {
        problems.push("private_metadata over 3000".to_owned());
    }
    problems
}

fn parse_body(headers: &HeaderMap, query: Option<String>, body: &Bytes) -> Value {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let text = if body.is_empty() {
        query.unwrap_or_default()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text).unwrap_or_default();
    let mut map = serde_json::Map::new();
    for (key, value) in pairs {
        // Form-encoded Web API calls carry JSON in some fields (blocks, view).
        let parsed = serde_json::from_str::<Value>(&value)
            .ok()
            .filter(|v| v.is_array() || v.is_object())
            .unwrap_or(Value::String(value));
        map.insert(key, parsed);
    }
    Value::Object(map)
}

async fn api(
    State(state): State<Arc<Mutex<EmulatorState>>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = parse_body(&headers, query, &body);
    // Before the call counts: a caller that gives up (or dies) while waiting never had it done.
    let latency = state.lock().unwrap_or_else(|p| p.into_inner()).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let failure = {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let at = state.clock.as_ref().map(|c| c.now());
        let injected = state.failures.get_mut(&method).and_then(VecDeque::pop_front);
        let refused = state
            .token_refused
            .filter(|_| method != "apps.connections.open")
            .map(Failure::Api);
        let failure = match (injected.or(refused), state.outage, at) {
            (Some(failure), _, _) => Some(failure),
            (None, Some((until, slow)), Some(at)) if at < until => {
                state.outage_calls += 1;
                Some(match state.outage_calls % 4 {
                    1 => Failure::RateLimited { retry_after_secs: 20 },
                    3 => Failure::Slow(slow),
                    _ => Failure::ServerError,
                })
            }
            _ => {
                // Slack's own rate limits, when enforced, apply to calls nothing else failed.
                let channel = body.get("channel").and_then(Value::as_str);
                state
                    .rate
                    .check(&method, channel, std::time::Instant::now())
                    .map(|retry_after_secs| Failure::RateLimited { retry_after_secs })
            }
        };
        state.calls.push(Call {
            method: method.clone(),
            body: body.clone(),
            at,
            failure: failure.clone(),
            received: std::time::Instant::now(),
        });
        failure
    };
    match failure {
        Some(Failure::RateLimited { retry_after_secs }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after_secs.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
        }
        Some(Failure::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Some(Failure::Slow(delay) | Failure::StoredLate(delay)) => tokio::time::sleep(delay).await,
        Some(Failure::Api(error)) => return Json(json!({"ok": false, "error": error})).into_response(),
        Some(Failure::Lost(delay)) => {
            let answer = answer(&state, &method, &body);
            tokio::time::sleep(delay).await;
            return answer;
        }
        None => {}
    }
    answer(&state, &method, &body)
}

fn answer(state: &Arc<Mutex<EmulatorState>>, method: &str, body: &Value) -> Response {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let mut problems = Vec::new();
    if let Some(blocks) = body.get("blocks") {
        problems.extend(block_kit_violations(blocks, 50));
    }
    if let Some(view) = body.get("view") {
        problems.extend(view_violations(view));
    }
    if !problems.is_empty() {
        state
            .violations
            .extend(problems.iter().map(|p| format!("{method}: {p}")));
        return Json(json!({"ok": false, "error": "invalid_blocks", "errors": problems})).into_response();
    }
    if matches!(method, "chat.postMessage" | "chat.postEphemeral" | "chat.update")
        && let Some(blocks) = body.get("blocks")
        && block_text_chars(blocks) > MESSAGE_BLOCK_TEXT_CAP
    {
        let chars = block_text_chars(blocks);
        state
            .violations
            .push(format!("{method}: blocks carry {chars} characters of text"));
        return Json(json!({"ok": false, "error": "msg_blocks_too_long"})).into_response();
    }
    // Membership (docs.slack.dev chat.postMessage, conversations.history/replies errors): a
    // bot posts and reads only where it is a member (`not_in_channel`), never in an archived
    // channel (`is_archived`), and cannot see a private channel it is not in
    // (`channel_not_found`). No `chat:write.public` scope is declared, so public channels are
    // no exception.
    if matches!(
        method,
        "chat.postMessage" | "chat.postEphemeral" | "conversations.history" | "conversations.replies"
    ) && let Some(channel) = body["channel"].as_str()
    {
        let here = state
            .channels
            .get(channel)
            .copied()
            .unwrap_or_else(|| ChannelState::default_for(channel));
        let refusal = if here.private && !here.bot_is_member {
            Some("channel_not_found")
        } else if here.archived && method.starts_with("chat.") {
            Some("is_archived")
        } else if !here.bot_is_member {
            Some("not_in_channel")
        } else {
            None
        };
        if let Some(error) = refusal {
            return Json(json!({"ok": false, "error": error})).into_response();
        }
        if method == "chat.postMessage" && channel.starts_with('D') && state.messages_tab_disabled {
            return Json(json!({"ok": false, "error": "messages_tab_disabled"})).into_response();
        }
    }
    let answer = match method {
        "conversations.info" => {
            let id = body["channel"].as_str().unwrap_or_default().to_owned();
            let here = state
                .channels
                .get(&id)
                .copied()
                .unwrap_or_else(|| ChannelState::default_for(&id));
            if here.private && !here.bot_is_member {
                return Json(json!({"ok": false, "error": "channel_not_found"})).into_response();
            }
            json!({"ok": true, "channel": channel_object(&id, &here)})
        }
        "conversations.join" => {
            let id = body["channel"].as_str().unwrap_or_default().to_owned();
            let here = state
                .channels
                .entry(id.clone())
                .or_insert_with(|| ChannelState::default_for(&id));
            if here.private {
                // A bot cannot join a private channel; it cannot even see one it is not in.
                let error = if here.bot_is_member {
                    "method_not_supported_for_channel_type"
                } else {
                    "channel_not_found"
                };
                return Json(json!({"ok": false, "error": error})).into_response();
            }
            if here.archived {
                return Json(json!({"ok": false, "error": "is_archived"})).into_response();
            }
            here.bot_is_member = true;
            let here = *here;
            json!({"ok": true, "channel": channel_object(&id, &here)})
        }
        // docs.slack.dev auth.test: `enterprise_id` and `is_enterprise_install` are set for
        // workspaces of an Enterprise Grid organisation and org-wide installs.
        "auth.test" => match &state.org_wide {
            None => json!({
                "ok": true, "url": "https://liftoff-test.slack.com/", "team": "Liftoff Test",
                "user": "liftoff", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                "is_enterprise_install": false
            }),
            Some(enterprise) => json!({
                "ok": true, "url": "https://liftoff-org.enterprise.slack.com/", "team": "Liftoff Org",
                "user": "liftoff", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                "enterprise_id": enterprise, "is_enterprise_install": true
            }),
        },
        "chat.postMessage" => {
            state.next_ts += 100;
            let ts = format!("{}.{:06}", state.next_ts / 1_000_000, state.next_ts % 1_000_000);
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let mut message = json!({
                "ts": ts, "text": body["text"], "blocks": body.get("blocks").cloned().unwrap_or(json!([])),
                "user": BOT_USER_ID, "bot_id": BOT_ID, "type": "message"
            });
            if let Some(metadata) = body.get("metadata") {
                message["metadata"] = metadata.clone();
            }
            if let Some(thread_ts) = body.get("thread_ts") {
                message["thread_ts"] = thread_ts.clone();
            }
            state.messages.insert((channel.clone(), ts.clone()), message.clone());
            json!({"ok": true, "channel": channel, "ts": ts, "message": message})
        }
        "chat.update" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let ts = body["ts"].as_str().unwrap_or_default().to_owned();
            let key = (channel.clone(), ts.clone());
            if !state.messages.contains_key(&key) {
                return Json(json!({"ok": false, "error": "message_not_found"})).into_response();
            }
            let message = json!({
                "ts": ts, "text": body["text"], "blocks": body.get("blocks").cloned().unwrap_or(json!([])),
                "user": BOT_USER_ID, "bot_id": BOT_ID, "type": "message"
            });
            state.messages.insert(key, message.clone());
            json!({"ok": true, "channel": channel, "ts": ts, "text": body["text"], "message": message})
        }
        "chat.postEphemeral" => {
            state.next_ts += 100;
            json!({"ok": true, "message_ts": format!("{}.{:06}", state.next_ts / 1_000_000, state.next_ts % 1_000_000)})
        }
        "conversations.history" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let messages: Vec<Value> = match body["latest"].as_str() {
                Some(latest) => state
                    .messages
                    .get(&(channel, latest.to_owned()))
                    .map(|m| without_metadata_unless_asked(m, body))
                    .into_iter()
                    .collect(),
                None => {
                    let oldest = body["oldest"].as_str().unwrap_or("0").to_owned();
                    let mut found: Vec<Value> = state
                        .messages
                        .iter()
                        .filter(|((c, ts), m)| {
                            *c == channel && ts.as_str() >= oldest.as_str() && m.get("thread_ts").is_none()
                        })
                        .map(|(_, m)| without_metadata_unless_asked(m, body))
                        .collect();
                    found.sort_by(|a, b| b["ts"].as_str().cmp(&a["ts"].as_str()));
                    found
                }
            };
            json!({"ok": true, "messages": messages, "has_more": false})
        }
        "conversations.replies" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let parent = body["ts"].as_str().unwrap_or_default().to_owned();
            let messages: Vec<Value> = state
                .messages
                .iter()
                .filter(|((c, _), m)| *c == channel && m["thread_ts"].as_str() == Some(parent.as_str()))
                .map(|(_, m)| without_metadata_unless_asked(m, body))
                .collect();
            json!({"ok": true, "messages": messages, "has_more": false})
        }
        "users.info" => {
            let user = body["user"].as_str().unwrap_or_default().to_owned();
            let tz = state
                .timezones
                .get(&user)
                .cloned()
                .unwrap_or_else(|| "Etc/UTC".to_owned());
            json!({"ok": true, "user": {"id": user, "team_id": TEAM_ID, "name": "someone", "tz": tz, "deleted": false}})
        }
        "conversations.open" => {
            let users = match &body["users"] {
                Value::Array(users) => users.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
                other => other
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            };
            json!({"ok": true, "channel": {"id": format!("D{}", users.trim_start_matches('U'))}})
        }
        "reactions.add" => json!({"ok": true}),
        "apps.connections.open" => {
            let url = format!("{}/socket", state.root.replace("http://", "ws://"));
            json!({"ok": true, "url": url})
        }
        "views.open" | "views.update" | "views.push" | "views.publish" => {
            let mut view = body["view"].clone();
            view["id"] = json!("V0VIEW");
            view["team_id"] = json!(TEAM_ID);
            view["hash"] = json!("1.hash");
            json!({"ok": true, "view": view})
        }
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    Json(answer).into_response()
}

/// A conversation object as `conversations.info` and `conversations.join` return it
/// (docs.slack.dev "Conversation object"; the fields Liftoff and slack-morphism read).
fn channel_object(id: &str, here: &ChannelState) -> Value {
    json!({
        "id": id, "name": id.to_lowercase(), "name_normalized": id.to_lowercase(),
        "is_channel": !here.private && !id.starts_with('D'), "is_group": false, "is_im": id.starts_with('D'),
        "is_mpim": false, "is_private": here.private, "is_archived": here.archived, "is_general": false,
        "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
        "is_member": here.bot_is_member, "created": 1_700_000_000, "creator": "U0CREATOR",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "previous_names": []
    })
}

/// `conversations.history` and `conversations.replies` return a message's `metadata` only with
/// `include_all_metadata=true` (docs.slack.dev, both methods' arguments).
fn without_metadata_unless_asked(message: &Value, request: &Value) -> Value {
    let asked = matches!(&request["include_all_metadata"], Value::Bool(true))
        || matches!(request["include_all_metadata"].as_str(), Some("true" | "1"));
    let mut message = message.clone();
    if !asked && let Some(fields) = message.as_object_mut() {
        fields.remove("metadata");
    }
    message
}

async fn socket(State(state): State<Arc<Mutex<EmulatorState>>>, upgrade: WebSocketUpgrade) -> Response {
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

async fn response_url(State(state): State<Arc<Mutex<EmulatorState>>>, Path(id): Path<String>, body: Bytes) -> Response {
    let mut body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(blocks) = body.get("blocks") {
        let mut problems = block_kit_violations(blocks, 50);
        if block_text_chars(blocks) > MESSAGE_BLOCK_TEXT_CAP {
            problems.push(format!("blocks carry {} characters of text", block_text_chars(blocks)));
        }
        if !problems.is_empty() {
            state
                .violations
                .extend(problems.iter().map(|p| format!("response_url: {p}")));
            return (StatusCode::BAD_REQUEST, "invalid_blocks").into_response();
        }
    }
    body["response_url_id"] = json!(id);
    let at = state.clock.as_ref().map(|c| c.now());
    state.calls.push(Call {
        method: "response_url".to_owned(),
        body,
        at,
        failure: None,
        received: std::time::Instant::now(),
    });
    Json(json!({"ok": true})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(channel: &str) -> (String, Value) {
        (
            "chat.postMessage".to_owned(),
            json!({ "channel": channel, "text": "hi" }),
        )
    }

    #[test]
    fn rate_limits_are_off_unless_asked() {
        let mut rate = RateState::default();
        let now = std::time::Instant::now();
        let (method, body) = post("C1");
        for _ in 0..10 {
            assert_eq!(rate.check(&method, body["channel"].as_str(), now), None);
        }
        assert_eq!(rate.refused, 0);
    }

    #[test]
    fn one_post_per_second_per_channel() {
        let mut rate = RateState {
            limits: Some(RateLimits::slack()),
            ..RateState::default()
        };
        let start = std::time::Instant::now();
        assert_eq!(rate.check("chat.postMessage", Some("C1"), start), None);
        // Another channel is not held back; the same one is until a second has passed.
        assert_eq!(rate.check("chat.postMessage", Some("C2"), start), None);
        let soon = start + Duration::from_millis(999);
        assert_eq!(rate.check("chat.postMessage", Some("C1"), soon), Some(1));
        assert_eq!(
            rate.check("chat.postMessage", Some("C1"), start + Duration::from_secs(1)),
            None
        );
        assert_eq!(rate.refused, 1);
    }

    #[test]
    fn tiered_methods_get_their_calls_per_minute() {
        let mut rate = RateState {
            limits: Some(RateLimits::slack()),
            ..RateState::default()
        };
        let start = std::time::Instant::now();
        for n in 0..50 {
            assert_eq!(
                rate.check("conversations.open", None, start + Duration::from_millis(n)),
                None
            );
        }
        let refused = rate.check("conversations.open", None, start + Duration::from_secs(30));
        assert_eq!(refused, Some(30));
        assert_eq!(
            rate.check("conversations.open", None, start + Duration::from_secs(60)),
            None
        );
        // Methods without a published limit here (auth.test) are never refused.
        assert_eq!(rate.check("auth.test", None, start), None);
        assert_eq!(rate.refused, 1);
    }

    #[tokio::test]
    async fn a_limited_emulator_answers_429_with_retry_after() {
        let slack = Emulator::start().await;
        slack.enforce_rate_limits(RateLimits::slack());
        let http = reqwest::Client::new();
        let send = || {
            http.post(format!("{}/chat.postMessage", slack.api_url))
                .json(&json!({ "channel": "C1", "text": "hi" }))
                .send()
        };
        assert_eq!(send().await.expect("answered").status(), 200);
        let refused = send().await.expect("answered");
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()["retry-after"], "1");
        assert_eq!(slack.rate_limited_calls(), 1);
    }
}
