//! Status updates people write as replies: in a check-in's thread, or in a direct message to
//! the app (answering a nudge, a reminder or an escalation). Each line becomes the command it
//! means, through [`Service::execute`] like any button (recorded as `thread`), applied at most
//! once per message: an edit applies only what it adds, and a redelivery nothing again (what a
//! message applied is remembered in the store). What was applied is confirmed in one thread
//! line, what was not in one hint to the writer, both through the outbox.
//!
//! The Slack side (which events are people's replies, Slack's escaping, asking Slack about a
//! thread's parent) is `slack::threads`; nothing here knows Slack's JSON.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Service, ServiceError};
use crate::notify;
use crate::store::{PostedCheckin, StoreError};
use crate::views::{Reply, ReplyProblem, UserError, View};
use liftoff_core::command::Command;
use liftoff_core::grammar::thread_reply::{self, ReplyChange, ReplyUpdate};
use liftoff_core::{ChangeSource, SlackUserId, TaskId};

/// Where a reply was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyPlace {
    /// In the thread of the message at `thread_ts`.
    Thread { thread_ts: String },
    /// In the direct-message conversation with the app.
    DirectMessage,
}

/// A reply as a person wrote it, whatever event carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReply {
    /// The delivery it came in, to key the confirmation: a redelivery confirms once.
    pub event_id: String,
    pub channel: String,
    pub ts: String,
    pub author: SlackUserId,
    /// The text as typed (Slack's escaping undone, a leading mention of the bot dropped).
    pub text: String,
    pub place: ReplyPlace,
    /// An edit of an earlier message (`ts` is the original's).
    pub edited: bool,
    /// When it was written, if known (from its Slack `ts`).
    pub written_at: Option<DateTime<Utc>>,
}

/// What a reply did.
#[derive(Debug, PartialEq)]
pub enum ReplyOutcome {
    /// Not a reply to Liftoff (chatter in a thread Liftoff did not start).
    Ignored,
    /// Updates applied and/or problems reported; `replies` are the service's answers to each
    /// applied update, for whatever shows the changed tasks (App Home).
    Answered {
        applied: usize,
        problems: usize,
        replies: Vec<Reply>,
    },
}

/// Why a reply could not be handled now (Slack redelivers the event later).
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot look up the thread's parent: {0}")]
    ParentLookup(Box<dyn std::error::Error + Send + Sync>),
    #[error("handling the reply took too long")]
    TooSlow,
}

impl Service {
    /// Applies every update in `reply`. `parent_key` asks Slack which outbox message (by key)
    /// the thread's parent is, for a reply that comes before its check-in is recorded as
    /// posted; it is called only then.
    #[tracing::instrument(name = "service", skip_all, fields(reply = %reply.ts, author = %reply.author))]
    pub async fn apply_reply(
        &self,
        reply: WrittenReply,
        parent_key: impl AsyncFnOnce(&str, &str) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<ReplyOutcome, ReplyError> {
        let mut reply = reply;
        let author = reply.author.clone();
        // Which tasks a line without a task id can mean: the author's own open tasks that the
        // check-in lists, or (in a DM) all of them.
        // The check-in whose thread this is: redrawn when the reply changes a task it lists.
        let mut thread_checkin: Option<String> = None;
        let candidates: Vec<TaskId> = match reply.place.clone() {
            ReplyPlace::Thread { thread_ts } => {
                let checkin = match self.store.checkin_at(&reply.channel, &thread_ts).await? {
                    Some(checkin) => Some(checkin),
                    None => {
                        self.checkin_posted_unrecorded(&reply.channel, &thread_ts, parent_key)
                            .await?
                    }
                };
                match checkin {
                    Some(checkin) => {
                        let listed = self.store.checkin_tasks(&checkin.outbox_key).await?;
                        thread_checkin = Some(checkin.outbox_key);
                        listed.into_iter().map(|(id, _)| id).collect()
                    }
                    // "Reply in thread" under a nudge or a reminder in the DM: a DM reply all the same.
                    None if reply.channel.starts_with('D') => {
                        reply.place = ReplyPlace::DirectMessage;
                        self.own_open_tasks(&author).await?
                    }
                    None => return Ok(ReplyOutcome::Ignored),
                }
            }
            ReplyPlace::DirectMessage => self.own_open_tasks(&author).await?,
        };
        // The launches a check-in thread is about, read only if a reply names a task the
        // check-in does not list (in a DM any own task goes).
        let in_checkin_thread = matches!(reply.place, ReplyPlace::Thread { .. });
        let mut checkin_launches: Option<Vec<liftoff_core::LaunchId>> = None;
        let today = self.reply_day(&reply).await;
        // What this message already applied: from its first version (for an edit), or from an
        // earlier delivery of this event that died before it was marked handled.
        let already: Vec<String> = self.store.reply_updates(&reply.channel, &reply.ts).await?;
        let mut applied = Vec::new();
        let mut problems = Vec::new();
        let mut replies = Vec::new();
        for line in thread_reply::parse(&reply.text, today) {
            let update = match line {
                Ok(update) => update,
                Err(problem) => {
                    problems.push(ReplyProblem::Unreadable(problem));
                    continue;
                }
            };
            let targets: Vec<TaskId> = match update.task {
                Some(task) => vec![task],
                // `all on track`: each of the writer's open tasks here, each said back.
                None if update.all_mine => {
                    let mut mine = self.own_open_tasks_among(&candidates, &author).await?;
                    // A redelivery or an edit: the tasks it covered before (closed since) too.
                    mine.extend(
                        candidates
                            .iter()
                            .filter(|id| !mine.contains(id) && already.contains(&update_key(**id, &update)))
                            .copied()
                            .collect::<Vec<_>>(),
                    );
                    if mine.is_empty() {
                        problems.push(ReplyProblem::Refused {
                            task: None,
                            refusal: UserError::NoOwnOpenTask,
                        });
                    }
                    mine
                }
                None => match self.own_open_task(&candidates, &author).await? {
                    Ok(task) => vec![task],
                    // The line was applied by an earlier delivery (or the first version, for an
                    // edit) and closed its task: it is no longer open, but it is not a mistake.
                    Err(_)
                        if let Some(done) = candidates
                            .iter()
                            .find(|id| already.contains(&update_key(**id, &update))) =>
                    {
                        vec![*done]
                    }
                    Err(refusal) => {
                        problems.push(ReplyProblem::Refused { task: None, refusal });
                        continue;
                    }
                },
            };
            for task in targets {
                let key = update_key(task, &update);
                if already.contains(&key) {
                    // An edit repeats it, or Slack redelivers an event whose handler died after
                    // applying it: not applied twice. A redelivery still confirms it (the
                    // confirmation may never have been written).
                    if !reply.edited {
                        applied.push((task, self.said_back(&author, &update.change).await));
                    }
                    continue;
                }
                let command = match update.change.clone() {
                    ReplyChange::Status(status) => Command::SetStatus {
                        task,
                        status,
                        note: update.note.clone(),
                    },
                    ReplyChange::Due(due) => Command::SetDue { task, due },
                    ReplyChange::BlockedBy { status, by } => Command::BlockedBy {
                        task,
                        by,
                        reason: status.reason().unwrap_or_default().to_owned(),
                    },
                };
                // A task the check-in does not ask about, of another launch: most likely a
                // mistyped id, so it is not changed.
                if in_checkin_thread
                    && !candidates.contains(&task)
                    && let Some(refusal) = self.other_launch(task, &candidates, &mut checkin_launches).await?
                {
                    problems.push(ReplyProblem::Refused {
                        task: Some(task),
                        refusal,
                    });
                    continue;
                }
                let mark = crate::store::ReplyMark {
                    channel: reply.channel.clone(),
                    ts: reply.ts.clone(),
                    key: key.clone(),
                };
                match self
                    .execute_marked(&author, command, ChangeSource::Thread, Some(&mark))
                    .await
                {
                    Ok(answer) => {
                        // Recorded with the change already (see `ReplyMark`); this covers a
                        // command that changes no task.
                        self.store
                            .record_reply_update(&reply.channel, &reply.ts, &key, self.clock.now())
                            .await?;
                        if let View::TaskUpdated {
                            item,
                            change,
                            due_note,
                            today,
                        } = &answer.view
                        {
                            let what = match change.field {
                                liftoff_core::ChangeField::Due => {
                                    crate::slack::render::due_with_note(item.task.due_date, due_note.as_ref(), *today)
                                }
                                _ => item.task.status.to_string(),
                            };
                            applied.push((item.task.id, what));
                        }
                        replies.push(answer);
                    }
                    Err(ServiceError::User { refusal, .. }) => problems.push(ReplyProblem::Refused {
                        task: Some(task),
                        refusal,
                    }),
                    // A redelivery racing the first delivery, which applied it first: said back
                    // as applied, not applied again.
                    Err(ServiceError::Store(StoreError::AlreadyApplied)) => {
                        if !reply.edited {
                            applied.push((task, self.said_back(&author, &update.change).await));
                        }
                    }
                    Err(ServiceError::Store(err)) => return Err(err.into()),
                }
            }
        }
        let thread_ts = match &reply.place {
            ReplyPlace::Thread { thread_ts } => Some(thread_ts.as_str()),
            ReplyPlace::DirectMessage => None,
        };
        let changed: Vec<TaskId> = applied.iter().map(|(task, _)| *task).collect();
        let mut messages = self
            .checkin_refreshes(&reply.event_id, thread_checkin.as_deref(), &candidates, &changed, today)
            .await?;
        messages.extend(notify::reply_answers(
            &reply.event_id,
            &reply.channel,
            thread_ts,
            &author,
            &applied,
            &problems,
        ));
        messages.extend(owners_told(&reply.event_id, &author, &replies, today));
        self.store.enqueue(&messages, self.clock.now()).await?;
        Ok(ReplyOutcome::Answered {
            applied: applied.len(),
            problems: problems.len(),
            replies,
        })
    }

    /// What an update applied earlier did, said back in the confirmation (the update's own
    /// words: the task may have changed since).
    async fn said_back(&self, author: &SlackUserId, change: &ReplyChange) -> String {
        match change {
            ReplyChange::Status(status) | ReplyChange::BlockedBy { status, .. } => status.to_string(),
            ReplyChange::Due(liftoff_core::DueDate::On(date)) => {
                let today = self.today_for(author).await;
                format!("due {}", liftoff_core::dates::human(*date, today))
            }
            ReplyChange::Due(due) => format!("due {due}"),
        }
    }

    /// The launches `tasks` belong to.
    async fn launches_of(&self, tasks: &[TaskId]) -> Result<Vec<liftoff_core::LaunchId>, StoreError> {
        let mut launches = Vec::new();
        for id in tasks {
            if let Some(task) = self.store.task(*id).await?
                && !launches.contains(&task.launch_id)
            {
                launches.push(task.launch_id);
            }
        }
        Ok(launches)
    }

    /// The refusal for `task` when it belongs to none of the launches of the check-in's
    /// `listed` tasks (`launches` keeps them, read once, for the reply's other lines).
    async fn other_launch(
        &self,
        task: TaskId,
        listed: &[TaskId],
        launches: &mut Option<Vec<liftoff_core::LaunchId>>,
    ) -> Result<Option<UserError>, StoreError> {
        let Some(found) = self.store.task(task).await? else {
            return Ok(None);
        };
        let known = match launches.take() {
            Some(known) => known,
            None => self.launches_of(listed).await?,
        };
        if launches.insert(known).contains(&found.launch_id) {
            return Ok(None);
        }
        Ok(self
            .store
            .launch_by_id(found.launch_id)
            .await?
            .map(|launch| UserError::TaskOfOtherLaunch {
                task,
                launch: launch.slug,
                launch_name: launch.name,
            }))
    }

    async fn own_open_tasks(&self, author: &SlackUserId) -> Result<Vec<TaskId>, StoreError> {
        Ok(self
            .store
            .open_tasks_for_owner(author)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect())
    }

    /// A check-in that Slack has posted but whose `ts` Liftoff has not stored yet (its sender
    /// is still waiting for Slack's answer, timed out, or was killed): a reply can come first.
    /// When some check-in to this channel is still unsent, the thread's parent is looked up on
    /// Slack, and if its metadata carries that check-in's key, the check-in is recorded as
    /// posted there.
    async fn checkin_posted_unrecorded(
        &self,
        channel: &str,
        thread_ts: &str,
        parent_key: impl AsyncFnOnce(&str, &str) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<Option<PostedCheckin>, ReplyError> {
        let unsent = self.store.unsent_checkin_keys(channel).await?;
        if unsent.is_empty() {
            return Ok(None);
        }
        // Not known either way if Slack does not answer: fail, so Slack redelivers the reply later.
        let key = parent_key(channel, thread_ts).await.map_err(ReplyError::ParentLookup)?;
        let Some(key) = key.filter(|key| unsent.contains(key)) else {
            return Ok(None);
        };
        tracing::info!(%key, channel, "a reply came before its check-in was recorded as posted; recording it now");
        self.store
            .mark_found_posted(&key, channel, thread_ts, self.clock.now())
            .await?;
        Ok(self.store.checkin_at(channel, thread_ts).await?)
    }

    /// The day a reply's relative dates ("friday", "+2d") mean: the day it was written. An
    /// edit days later, or a redelivery after midnight, must not move a due date again; the
    /// message's own time says when it was written (trusted only within the last month, since
    /// a Slack `ts` is Slack's clock, not ours).
    async fn reply_day(&self, reply: &WrittenReply) -> NaiveDate {
        let now = self.clock.now();
        let written = reply
            .written_at
            .filter(|at| *at <= now && now - *at <= chrono::Duration::days(30));
        match written {
            Some(at) => self.date_for(&reply.author, at).await,
            None => self.today_for(&reply.author).await,
        }
    }

    /// The open tasks of `author` among `candidates`, in the check-in's order.
    async fn own_open_tasks_among(
        &self,
        candidates: &[TaskId],
        author: &SlackUserId,
    ) -> Result<Vec<TaskId>, StoreError> {
        let mut open = Vec::new();
        for id in candidates {
            if let Some(task) = self.store.task(*id).await?
                && task.owner.as_ref() == Some(author)
                && task.status.is_open()
            {
                open.push(task.id);
            }
        }
        Ok(open)
    }

    /// The one open task of `author` among `candidates`, for a reply without a task id.
    async fn own_open_task(
        &self,
        candidates: &[TaskId],
        author: &SlackUserId,
    ) -> Result<Result<TaskId, UserError>, StoreError> {
        let open = self.own_open_tasks_among(candidates, author).await?;
        Ok(match open.as_slice() {
            [one] => Ok(*one),
            [] => Err(UserError::NoOwnOpenTask),
            many => Err(UserError::SeveralOwnOpenTasks(many.to_vec())),
        })
    }
}

/// One DM to each owner whose tasks someone else updated in this reply, listing every change:
/// a lead who answers for three of Ann's tasks in one reply sends Ann one message, not three.
fn owners_told(
    event_id: &str,
    author: &SlackUserId,
    replies: &[Reply],
    today: NaiveDate,
) -> Vec<crate::outbound::OutboxMessage> {
    let mut changes: std::collections::BTreeMap<&SlackUserId, Vec<_>> = Default::default();
    for reply in replies {
        if let View::TaskUpdated { item, change, .. } = &reply.view
            && let Some(owner) = item.task.owner.as_ref().filter(|owner| *owner != author)
        {
            changes.entry(owner).or_default().push((item.clone(), change.clone()));
        }
    }
    changes
        .into_iter()
        .map(|(owner, changes)| {
            notify::changed_by_someone_else(format!("changed:reply:{event_id}:{owner}"), owner, &changes, today)
        })
        .collect()
}

/// What one update does, as a key: an edit that repeats it does not apply it again.
fn update_key(task: TaskId, update: &ReplyUpdate) -> String {
    match &update.change {
        ReplyChange::Status(status) => format!("{task}:status:{}", status.kind().as_str()),
        ReplyChange::Due(due) => format!("{task}:due:{due}"),
        ReplyChange::BlockedBy { by, .. } => format!("{task}:blocked_by:{by}"),
    }
}
