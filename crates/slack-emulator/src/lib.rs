//! A local Slack emulator: the Web API methods Liftoff calls, answered like Slack (realistic
//! `ts` values, `ok: false` errors, a Socket Mode websocket), recording every call, failing on
//! demand (429 with Retry-After, 500, slow or lost replies), and checking Block Kit limits on
//! every message and view it receives, failing with `invalid_blocks` as real Slack would.
//!
//! `liftoff demo` runs the real service against it; the integration tests use it as their fake
//! Slack. It never talks to the network beyond loopback. Slack's published rate limits are
//! off by default (tests answer at once) and on only where asked ([`Emulator::enforce_rate_limits`],
//! for the benchmarks that check delivery is paced within them).
//!
//! It is its own crate, sharing no code with the service: every rule it enforces comes from
//! Slack's documentation or the official SDKs' recorded payloads (noted beside the rule), not
//! from Liftoff's own idea of Slack, so a mistake in one cannot hide the same mistake in the
//! other. The service library never links it; the tests, the demo and the load generator do.
//!
//! - `typed`: what Slack sends when a person types (escaped text, slash-command forms, events).
//! - `web_api`: the Web API methods, their errors and `response_url`.
//! - `socket`: the Socket Mode websocket and its recorded frames.
//! - `block_kit`: the Block Kit limits Slack enforces on messages and views.
//! - `rate`: Slack's published rate limits, when asked for.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{any, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub const TEAM_ID: &str = "T0TEAM";
pub const BOT_USER_ID: &str = "U0BOT";
pub const BOT_ID: &str = "B0BOT";
mod block_kit;
mod rate;
mod socket;
mod typed;
mod web_api;

pub use block_kit::{MESSAGE_BLOCK_TEXT_CAP, block_kit_violations, block_text_chars, view_violations};
pub use rate::RateLimits;
pub use socket::{MAX_SOCKET_CONNECTIONS, SocketConn};
pub use typed::{escape_typed, slash_command_form, thread_reply_event};

use rate::RateState;

/// A clock the emulator stamps calls with (the demo's transcript shows them): any function
/// that returns the current instant, so the emulator needs nothing of the service's.
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

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

#[derive(Default)]
struct EmulatorState {
    clock: Option<Now>,
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
            .route("/api/{method}", any(web_api::api))
            .route("/response/{id}", post(web_api::response_url))
            .route("/socket", any(socket::socket))
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
    pub fn set_clock(&self, now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) {
        self.lock().clock = Some(Arc::new(now));
    }

    /// Forgets the calls recorded so far (not the messages posted: threads and history stay),
    /// so a test can count what happens after its set-up.
    pub fn forget_calls(&self) {
        self.lock().calls.clear();
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

    /// Puts a message that `user` (a person) wrote at `ts` in `channel`: one the bot may read
    /// but not edit (`chat.update` answers `cant_update_message`).
    pub fn seed_person_message(&self, channel: &str, ts: &str, user: &str, text: &str) {
        self.seed(
            channel,
            ts,
            json!({ "ts": ts, "text": text, "user": user, "type": "message" }),
        );
    }

    /// Stores a message as if the bot had posted it, for tests that start from an existing one
    /// (so the bot is in that channel).
    pub fn seed_message(&self, channel: &str, ts: &str, text: &str, blocks: Value) {
        self.seed(
            channel,
            ts,
            json!({ "ts": ts, "text": text, "blocks": blocks, "user": BOT_USER_ID, "bot_id": BOT_ID }),
        );
    }

    /// Stores `message` at `ts` in `channel`, with the bot a member there.
    fn seed(&self, channel: &str, ts: &str, message: Value) {
        let mut state = self.lock();
        state
            .channels
            .entry(channel.to_owned())
            .or_insert_with(|| ChannelState::default_for(channel))
            .bot_is_member = true;
        state.messages.insert((channel.to_owned(), ts.to_owned()), message);
    }
}
