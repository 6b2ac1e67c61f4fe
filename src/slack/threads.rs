//! Replies in check-in threads: each line of a person's reply becomes a task update through
//! the same service as commands and buttons (recorded as `thread`), answered with one
//! confirmation in the thread, and an ephemeral hint for whatever could not be applied.

use serde_json::Value;

use super::http::SlackContext;
use super::render_pmo;
use super::thread_reply::{self, ReplyChange};
use crate::domain::{ChangeSource, SlackUserId, TaskId};
use crate::service::ServiceError;
use crate::service::command::Command;
use crate::service::reply::View;
use crate::store::{OutboxMessage, OutboxMethod, StoreError};

/// What a message event means for Liftoff.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    /// Not a reply in a check-in thread (or from a bot, or an edit): nothing to do.
    Ignored,
    /// Updates applied and/or problems reported.
    Answered { applied: usize, problems: usize },
}

pub async fn on_message(ctx: &SlackContext, event_id: &str, event: &Value) -> Result<Handled, StoreError> {
    let field = |name: &str| event.get(name).and_then(Value::as_str);
    // Edits, deletions, bot posts and joins all carry a subtype; only plain messages count.
    if field("subtype").is_some() || field("bot_id").is_some() {
        return Ok(Handled::Ignored);
    }
    let (Some(channel), Some(user), Some(ts), Some(thread_ts)) =
        (field("channel"), field("user"), field("ts"), field("thread_ts"))
    else {
        return Ok(Handled::Ignored);
    };
    if thread_ts == ts || user == ctx.identity.user_id.as_str() {
        return Ok(Handled::Ignored);
    }
    let Ok(author) = SlackUserId::parse(user) else {
        return Ok(Handled::Ignored);
    };
    let store = &ctx.service.store;
    let Some(checkin) = store.checkin_at(channel, thread_ts).await? else {
        return Ok(Handled::Ignored);
    };
    ctx.learn_timezone(&author);
    let today = ctx.service.today_for(&author).await;
    let listed = store.checkin_tasks(&checkin.outbox_key).await?;
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for line in thread_reply::parse(field("text").unwrap_or_default(), today) {
        let update = match line {
            Ok(update) => update,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let task = match update.task {
            Some(task) => task,
            None => match own_open_task(ctx, &listed, &author).await? {
                Ok(task) => task,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            },
        };
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
                super::home::refresh(ctx, super::home::affected_by(&reply, &author));
                if let View::TaskUpdated { item, change, .. } = reply.view {
                    let what = match change.field {
                        crate::domain::ChangeField::Due => format!("due {}", item.task.due_date),
                        _ => item.task.status.to_string(),
                    };
                    applied.push(format!("`{}` {}", item.task.id, super::blocks::escape(&what)));
                }
            }
            Err(ServiceError::User { message, .. }) => problems.push(format!("{task}: {message}")),
            Err(ServiceError::Store(err)) => return Err(err),
        }
    }
    let mut messages = Vec::new();
    if !applied.is_empty() {
        messages.push(OutboxMessage {
            key: format!("reply:{event_id}"),
            kind: "reply".to_owned(),
            method: OutboxMethod::PostMessage,
            target: channel.to_owned(),
            recipient: None,
            thread_ts: Some(thread_ts.to_owned()),
            thread_of: None,
            payload: render_pmo::payload(&render_pmo::applied(&applied)),
        });
    }
    if !problems.is_empty() {
        messages.push(OutboxMessage {
            key: format!("hint:{event_id}"),
            kind: "hint".to_owned(),
            method: OutboxMethod::PostEphemeral,
            target: channel.to_owned(),
            recipient: Some(author.as_str().to_owned()),
            thread_ts: Some(thread_ts.to_owned()),
            thread_of: None,
            payload: render_pmo::payload(&render_pmo::hint(&problems)),
        });
    }
    store.enqueue(&messages, ctx.service.clock.now()).await?;
    Ok(Handled::Answered {
        applied: applied.len(),
        problems: problems.len(),
    })
}

/// The one open task of `author` listed in the check-in, for a reply without a task id.
async fn own_open_task(
    ctx: &SlackContext,
    listed: &[(TaskId, Option<SlackUserId>)],
    author: &SlackUserId,
) -> Result<Result<TaskId, String>, StoreError> {
    let mut open = Vec::new();
    for (id, _) in listed {
        if let Some(task) = ctx.service.store.task(*id).await?
            && task.owner.as_ref() == Some(author)
            && task.status.is_open()
        {
            open.push(task.id);
        }
    }
    Ok(match open.as_slice() {
        [one] => Ok(*one),
        [] => Err("you own no open task in this check-in; start the line with the task id, e.g. `T12 done`".to_owned()),
        many => Err(format!(
            "you own {} open tasks here ({}); start the line with the task id, e.g. `{} done`",
            many.len(),
            many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            many[0]
        )),
    })
}
