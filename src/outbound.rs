//! An outbound message as data: what to send, where, in which thread, under which key.
//!
//! The one vocabulary shared by the three steps of sending, so none of them depends on
//! another's internals: `notify` decides *what* to say and returns these, the scheduler and the
//! service decide *when* and hand them to `store` (the durable outbox), and `delivery` *sends*
//! what the store gives back. Nothing here does I/O.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use liftoff_core::{FunctionName, SlackUserId, TaskId};

/// How a message is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxMethod {
    PostMessage,
    PostEphemeral,
    AddReaction,
    /// `chat.update` of a message Liftoff posted: the message is the one whose outbox key is
    /// the update's `thread_of`, in `target`. What it shows is rendered when it is sent, from
    /// what is stored then (see `delivery`), so an update delivered late never shows an older
    /// state than the one a button already put there.
    UpdateMessage,
}

impl OutboxMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxMethod::PostMessage => "chat.postMessage",
            OutboxMethod::PostEphemeral => "chat.postEphemeral",
            OutboxMethod::AddReaction => "reactions.add",
            OutboxMethod::UpdateMessage => "chat.update",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [
            OutboxMethod::PostMessage,
            OutboxMethod::PostEphemeral,
            OutboxMethod::AddReaction,
            OutboxMethod::UpdateMessage,
        ]
        .into_iter()
        .find(|m| m.as_str() == stored)
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    /// Unique per message, e.g. `checkin:C0SALES:2026-11-25T10:00:1`.
    pub key: String,
    /// What it is, for metrics and queries: `checkin`, `digest`, `nudge`, `reply`, `hint`.
    pub kind: String,
    pub method: OutboxMethod,
    /// A channel id, or a user id for a direct message.
    pub target: String,
    /// Who sees an ephemeral message.
    pub recipient: Option<String>,
    pub thread_ts: Option<String>,
    /// Reply in the thread of the message with this key (for an update: the message updated).
    pub thread_of: Option<String>,
    /// `{text, blocks}` for messages, `{name, timestamp}` for reactions.
    pub payload: Payload,
    /// Not to be delivered before this instant: a message that can wait, held until its
    /// recipient's working hours (see [`liftoff_core::earliest_send`]). `None`: as soon as
    /// possible. Enqueued now all the same, so caps that count what was enqueued count it.
    pub not_before: Option<DateTime<Utc>>,
}

impl OutboxMessage {
    /// This message, held until `at` when that is later than it would go otherwise.
    pub fn not_before(self, at: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            not_before: Some(self.not_before.map_or(at, |held| held.max(at))),
            ..self
        }
    }
}

/// A message's body as JSON text, from rendering to the database and back to delivery.
///
/// Text rather than a `serde_json::Value`: a check-in round makes thousands of messages, and a
/// `Value` tree takes about ten times the memory of its text. Read back, it is parsed only
/// when it is delivered, so one unreadable row fails that message alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload(String);

impl Payload {
    /// Serializes `body` straight to text (no `Value` in between).
    pub fn of(body: &impl Serialize) -> Result<Payload, serde_json::Error> {
        serde_json::to_string(body).map(Payload)
    }

    /// A body read back from the outbox, as it was written there.
    pub fn from_stored(text: String) -> Payload {
        Payload(text)
    }

    /// The body as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the body back.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Payload {
        Payload(value.to_string())
    }
}

/// One message of a scheduled run; a check-in message also records the tasks it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMessage {
    pub message: OutboxMessage,
    pub checkin: Option<CheckinRecord>,
}

impl From<OutboxMessage> for RunMessage {
    fn from(message: OutboxMessage) -> RunMessage {
        RunMessage { message, checkin: None }
    }
}

/// A check-in message and the tasks it lists, recorded with the round that enqueues it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinRecord {
    pub outbox_key: String,
    pub function: FunctionName,
    pub round: String,
    pub tasks: Vec<(TaskId, Option<SlackUserId>)>,
}

/// An escalation message posted about a task, as the resolution line needs it: its key, where
/// it went (a channel, or a person for a DM), and the message whose thread it was posted in,
/// if it was a thread reply itself (the overdue line in a check-in thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedEscalation {
    pub key: String,
    pub target: String,
    pub thread_of: Option<String>,
}

/// A message that will not be delivered, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub key: String,
    pub kind: String,
    pub target: String,
    pub error: String,
}
