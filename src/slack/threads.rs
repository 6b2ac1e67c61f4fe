//! Replies people write to Liftoff, as Slack delivers them: in a check-in's thread, or in a
//! direct message to the app (answering a nudge, a reminder or an escalation). This module
//! decides which message events are people's replies and what they wrote; the service applies
//! them ([`crate::service::replies`]).
//!
//! Which message events count is Slack's, not ours (bolt-python's message listener and its
//! scenario tests `test_message_thread_broadcast.py`, `test_message_file_share.py`; the
//! `message` event reference on docs.slack.dev):
//! - no subtype, `thread_broadcast` (a reply also sent to the channel) and `file_share` (a reply
//!   with a screenshot) are replies like any other;
//! - `message_changed` is an edit: the new message is under `message`, the old one under
//!   `previous_message`. It applies what the new text adds, never an update twice (Slack also
//!   sends it when a link unfurls, with the text unchanged);
//! - everything else (`message_deleted`, `bot_message`, `channel_join`, …), messages carrying a
//!   `bot_id`, and Liftoff's own posts are not people's replies.

use serde_json::Value;

use super::context::SlackContext;
use crate::service::replies::{ReplyError, ReplyOutcome, ReplyPlace, WrittenReply};
use liftoff_core::SlackUserId;

/// What a message event means for Liftoff.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    /// Not a person's reply to Liftoff (a bot post, a deletion, a join, chatter in a thread
    /// Liftoff did not start, an unfurl): nothing to do.
    Ignored,
    /// Updates applied and/or problems reported.
    Answered { applied: usize, problems: usize },
}

/// A person's message, whatever the event that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PersonMessage {
    channel: String,
    user: String,
    ts: String,
    /// As Slack sent it: escaped.
    raw_text: String,
    place: ReplyPlace,
    /// Came as `message_changed`.
    edited: bool,
}

impl PersonMessage {
    /// The person's message in `event`, if it is one Liftoff should read.
    fn from_event(event: &Value, ctx: &SlackContext) -> Option<PersonMessage> {
        let str_of = |value: &Value, name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        let channel = str_of(event, "channel")?;
        let (message, edited) = match event.get("subtype").and_then(Value::as_str) {
            None | Some("thread_broadcast" | "file_share") => (event, false),
            Some("message_changed") => {
                let message = event.get("message")?;
                let previous = event.get("previous_message");
                // An unfurl or a reaction re-sends the message unchanged: not an edit of the text.
                if previous.and_then(|p| p.get("text")) == message.get("text") {
                    return None;
                }
                (message, true)
            }
            Some(_) => return None,
        };
        // The message itself may carry a subtype (an edited broadcast keeps `thread_broadcast`).
        if let Some(inner) = message.get("subtype").and_then(Value::as_str)
            && !matches!(inner, "thread_broadcast" | "file_share")
        {
            return None;
        }
        if message.get("bot_id").is_some_and(|b| !b.is_null()) {
            return None;
        }
        let user = str_of(message, "user")?;
        if user == ctx.identity.user_id.as_str() {
            return None;
        }
        let ts = str_of(message, "ts")?;
        let is_dm = event.get("channel_type").and_then(Value::as_str) == Some("im") || channel.starts_with('D');
        let place = match str_of(message, "thread_ts") {
            Some(thread_ts) if thread_ts != ts => ReplyPlace::Thread { thread_ts },
            _ if is_dm => ReplyPlace::DirectMessage,
            // A top-level channel message, or the parent of a thread: not a reply.
            _ => return None,
        };
        Some(PersonMessage {
            channel,
            user,
            ts,
            raw_text: str_of(message, "text").unwrap_or_default(),
            place,
            edited,
        })
    }

    /// The text as the person wrote it: Slack's escaping undone once, and a leading mention of
    /// the bot (`@Liftoff T12 done`) dropped from each line.
    fn text(&self, bot_user_id: &str) -> String {
        super::text::unescape(&self.raw_text)
            .lines()
            .map(|line| super::text::without_leading_mention(line, bot_user_id))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub async fn on_message(ctx: &SlackContext, event_id: &str, event: &Value) -> Result<Handled, ReplyError> {
    let Some(message) = PersonMessage::from_event(event, ctx) else {
        return Ok(Handled::Ignored);
    };
    let Ok(author) = SlackUserId::parse(&message.user) else {
        return Ok(Handled::Ignored);
    };
    ctx.learn_timezone(&author);
    let reply = WrittenReply {
        event_id: event_id.to_owned(),
        text: message.text(ctx.identity.user_id.as_str()),
        written_at: written_at(&message.ts),
        channel: message.channel,
        ts: message.ts,
        author: author.clone(),
        place: message.place,
        edited: message.edited,
    };
    let parent_key = async |channel: &str, thread_ts: &str| {
        ctx.api
            .outbox_key_of(channel, thread_ts)
            .await
            .map_err(|err| Box::new(err) as Box<dyn std::error::Error + Send + Sync>)
    };
    match ctx.service.apply_reply(reply, parent_key).await? {
        ReplyOutcome::Ignored => Ok(Handled::Ignored),
        ReplyOutcome::Answered {
            applied,
            problems,
            replies,
        } => {
            for reply in &replies {
                super::home::refresh(ctx, super::home::affected_by(reply, &author));
            }
            Ok(Handled::Answered { applied, problems })
        }
    }
}

/// When a message was written, from its Slack `ts` (seconds since the epoch, then a sequence
/// number).
fn written_at(ts: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    ts.split('.')
        .next()
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
}
