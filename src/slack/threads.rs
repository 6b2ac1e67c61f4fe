//! Replies people write to Liftoff: in a check-in's thread, or in a direct message to the app
//! (answering a nudge, a reminder or an escalation). Each line of a reply becomes a task update
//! through the same service as commands and buttons (recorded as `thread`), answered with one
//! confirmation, and a hint for whatever could not be applied.
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
use crate::notify;
use crate::outbound::{OutboxMessage, OutboxMethod};
use crate::service::ServiceError;
use crate::store::StoreError;
use crate::views::View;
use liftoff_core::command::Command;
use liftoff_core::grammar::thread_reply::{self, ReplyChange, ReplyUpdate};
use liftoff_core::{ChangeSource, SlackUserId, TaskId};

/// What a message event means for Liftoff.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    /// Not a person's reply to Liftoff (a bot post, a deletion, a join, chatter in a thread
    /// Liftoff did not start, an unfurl): nothing to do.
    Ignored,
    /// Updates applied and/or problems reported.
    Answered { applied: usize, problems: usize },
}

/// Where a reply was written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// In the thread of the message at `thread_ts`.
    Thread { thread_ts: String },
    /// In the direct-message conversation with the app.
    DirectMessage,
}

/// A person's message, whatever the event that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PersonMessage {
    channel: String,
    user: String,
    ts: String,
    /// As Slack sent it: escaped.
    raw_text: String,
    place: Place,
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
            Some(thread_ts) if thread_ts != ts => Place::Thread { thread_ts },
            _ if is_dm => Place::DirectMessage,
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

/// Why a reply could not be handled now (Slack redelivers the event later).
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot look up the thread's parent on Slack: {0}")]
    Slack(#[from] super::client::SlackApiError),
    #[error("handling the reply took too long")]
    TooSlow,
}

pub async fn on_message(ctx: &SlackContext, event_id: &str, event: &Value) -> Result<Handled, ReplyError> {
    let Some(message) = PersonMessage::from_event(event, ctx) else {
        return Ok(Handled::Ignored);
    };
    let Ok(author) = SlackUserId::parse(&message.user) else {
        return Ok(Handled::Ignored);
    };
    let store = &ctx.service.store;
    let mut message = message;
    let own_open = async |author: &SlackUserId| -> Result<Vec<TaskId>, StoreError> {
        Ok(store
            .open_tasks_for_owner(author)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect())
    };
    // Which tasks a line without a task id can mean: the author's own open tasks that the
    // check-in lists, or (in a DM) all of them.
    let candidates: Vec<TaskId> = match message.place.clone() {
        Place::Thread { thread_ts } => {
            let checkin = match store.checkin_at(&message.channel, &thread_ts).await? {
                Some(checkin) => Some(checkin),
                None => checkin_posted_unrecorded(ctx, &message.channel, &thread_ts).await?,
            };
            match checkin {
                Some(checkin) => store
                    .checkin_tasks(&checkin.outbox_key)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
                // "Reply in thread" under a nudge or a reminder in the DM: a DM reply all the same.
                None if message.channel.starts_with('D') => {
                    message.place = Place::DirectMessage;
                    own_open(&author).await?
                }
                None => return Ok(Handled::Ignored),
            }
        }
        Place::DirectMessage => own_open(&author).await?,
    };
    ctx.learn_timezone(&author);
    let today = reply_day(ctx, &message, &author).await;
    // What this message already applied: from its first version (for an edit), or from an
    // earlier delivery of this event that died before it was marked handled.
    let already: Vec<String> = store.reply_updates(&message.channel, &message.ts).await?;
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for line in thread_reply::parse(&message.text(ctx.identity.user_id.as_str()), today) {
        let update = match line {
            Ok(update) => update,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let task = match update.task {
            Some(task) => task,
            None => match own_open_task(ctx, &candidates, &author).await? {
                Ok(task) => task,
                // The line was applied by an earlier delivery (or the first version, for an
                // edit) and closed its task: it is no longer open, but it is not a mistake.
                Err(_)
                    if let Some(done) = candidates
                        .iter()
                        .find(|id| already.contains(&update_key(**id, &update))) =>
                {
                    *done
                }
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            },
        };
        let key = update_key(task, &update);
        if already.contains(&key) {
            // An edit repeats it, or Slack redelivers an event whose handler died after applying
            // it: not applied twice. A redelivery still confirms it (the confirmation may never
            // have been written).
            if !message.edited {
                let what = match &update.change {
                    ReplyChange::Status(status) => status.to_string(),
                    ReplyChange::Due(due) => format!("due {due}"),
                };
                applied.push(format!("`{task}` {}", super::blocks::escape(&what)));
            }
            continue;
        }
        let command = match update.change {
            ReplyChange::Status(status) => Command::SetStatus {
                task,
                status,
                note: update.note,
            },
            ReplyChange::Due(due) => Command::SetDue { task, due },
        };
        match ctx.service.execute(&author, command, ChangeSource::Thread).await {
            Ok(reply) => {
                store
                    .record_reply_update(&message.channel, &message.ts, &key, ctx.service.clock.now())
                    .await?;
                super::home::refresh(ctx, super::home::affected_by(&reply, &author));
                if let View::TaskUpdated { item, change, .. } = reply.view {
                    let what = match change.field {
                        liftoff_core::ChangeField::Due => format!("due {}", item.task.due_date),
                        _ => item.task.status.to_string(),
                    };
                    applied.push(format!("`{}` {}", item.task.id, super::blocks::escape(&what)));
                }
            }
            Err(ServiceError::User { message, .. }) => problems.push(format!("{task}: {message}")),
            Err(ServiceError::Store(err)) => return Err(err.into()),
        }
    }
    let (thread_ts, hint_method) = match &message.place {
        Place::Thread { thread_ts } => (Some(thread_ts.clone()), OutboxMethod::PostEphemeral),
        // In a DM the conversation is the person's own: answer there, visibly.
        Place::DirectMessage => (None, OutboxMethod::PostMessage),
    };
    let mut messages = Vec::new();
    if !applied.is_empty() {
        messages.push(OutboxMessage {
            key: format!("reply:{event_id}"),
            kind: "reply".to_owned(),
            method: OutboxMethod::PostMessage,
            target: message.channel.clone(),
            recipient: None,
            thread_ts: thread_ts.clone(),
            thread_of: None,
            payload: notify::payload(&notify::applied(&applied)),
        });
    }
    if !problems.is_empty() {
        messages.push(OutboxMessage {
            key: format!("hint:{event_id}"),
            kind: "hint".to_owned(),
            method: hint_method,
            target: message.channel.clone(),
            recipient: Some(author.as_str().to_owned()),
            thread_ts,
            thread_of: None,
            payload: notify::payload(&notify::hint(&problems)),
        });
    }
    store.enqueue(&messages, ctx.service.clock.now()).await?;
    Ok(Handled::Answered {
        applied: applied.len(),
        problems: problems.len(),
    })
}

/// A check-in that Slack has posted but whose `ts` Liftoff has not stored yet (its sender is
/// still waiting for Slack's answer, timed out, or was killed): a reply can come first. When
/// some check-in to this channel is still unsent, the thread's parent is looked up on Slack,
/// and if its metadata carries that check-in's key, the check-in is recorded as posted there.
async fn checkin_posted_unrecorded(
    ctx: &SlackContext,
    channel: &str,
    thread_ts: &str,
) -> Result<Option<crate::store::PostedCheckin>, ReplyError> {
    let store = &ctx.service.store;
    let unsent = store.unsent_checkin_keys(channel).await?;
    if unsent.is_empty() {
        return Ok(None);
    }
    // Not known either way if Slack does not answer: fail, so Slack redelivers the reply later.
    let key = ctx.api.outbox_key_of(channel, thread_ts).await?;
    let Some(key) = key.filter(|key| unsent.contains(key)) else {
        return Ok(None);
    };
    tracing::info!(%key, channel, "a reply came before its check-in was recorded as posted; recording it now");
    store
        .mark_found_posted(&key, channel, thread_ts, ctx.service.clock.now())
        .await?;
    Ok(store.checkin_at(channel, thread_ts).await?)
}

/// The day a reply's relative dates ("friday", "+2d") mean: the day it was written. An edit
/// days later, or a redelivery after midnight, must not move a due date again; the message's
/// own `ts` says when it was written (trusted only within the last month, since a `ts` is
/// Slack's clock, not ours).
async fn reply_day(ctx: &SlackContext, message: &PersonMessage, author: &SlackUserId) -> chrono::NaiveDate {
    let now = ctx.service.clock.now();
    let written = message
        .ts
        .split('.')
        .next()
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .filter(|at| *at <= now && now - *at <= chrono::Duration::days(30));
    match written {
        Some(at) => ctx.service.date_for(author, at).await,
        None => ctx.service.today_for(author).await,
    }
}

/// What one update does, as a key: an edit that repeats it does not apply it again.
fn update_key(task: TaskId, update: &ReplyUpdate) -> String {
    match &update.change {
        ReplyChange::Status(status) => format!("{task}:status:{}", status.kind().as_str()),
        ReplyChange::Due(due) => format!("{task}:due:{due}"),
    }
}

/// The one open task of `author` among `candidates`, for a reply without a task id.
async fn own_open_task(
    ctx: &SlackContext,
    candidates: &[TaskId],
    author: &SlackUserId,
) -> Result<Result<TaskId, String>, StoreError> {
    let mut open = Vec::new();
    for id in candidates {
        if let Some(task) = ctx.service.store.task(*id).await?
            && task.owner.as_ref() == Some(author)
            && task.status.is_open()
        {
            open.push(task.id);
        }
    }
    Ok(match open.as_slice() {
        [one] => Ok(*one),
        [] => Err("you own no open task here; start the line with the task id, e.g. `T12 done`".to_owned()),
        many => Err(format!(
            "you own {} open tasks here ({}); start the line with the task id, e.g. `{} done`",
            many.len(),
            many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            many[0]
        )),
    })
}
