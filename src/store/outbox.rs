//! The durable outbox and the scheduler's run ledger.
//!
//! Writing a message here is the commitment to send it; a unique idempotency key makes a
//! second write of the same message a no-op. Delivery claims one row at a time with a
//! conditional update (works the same on SQLite and PostgreSQL), under a lease so that a row
//! claimed by a worker that died is picked up again.

use chrono::{DateTime, Utc};

use super::{Pool, Store, StoreError, from_millis, on_pool, to_millis};
use crate::outbound::{CheckinRecord, FailedMessage, OutboxMessage, OutboxMethod, Payload, RunMessage};
use liftoff_core::{FunctionName, SlackUserId, TaskId};

/// A claimed message, ready to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub message: OutboxMessage,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    idempotency_key: String,
    kind: String,
    method: String,
    target: String,
    recipient: Option<String>,
    thread_ts: Option<String>,
    thread_of: Option<String>,
    payload: String,
    attempts: i64,
    created_at_ms: i64,
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, Self::Error> {
        Ok(OutboxEntry {
            id: row.id,
            attempts: row.attempts,
            created_at: from_millis(row.created_at_ms)?,
            message: OutboxMessage {
                key: row.idempotency_key,
                kind: row.kind,
                method: OutboxMethod::parse(&row.method)
                    .ok_or_else(|| StoreError::Corrupt(format!("outbox method {}", row.method)))?,
                target: row.target,
                recipient: row.recipient,
                thread_ts: row.thread_ts,
                thread_of: row.thread_of,
                payload: Payload::from_stored(row.payload),
            },
        })
    }
}

/// A posted (or pending) check-in, as thread replies and nudges see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostedCheckin {
    pub outbox_key: String,
    pub function: FunctionName,
    pub round: String,
    pub channel: Option<String>,
    pub ts: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Counts of outbox rows by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Inserts `$message` (a `&OutboxMessage`) through `$conn` unless its key exists; evaluates to
/// the number of rows written. A macro so it compiles for both backends' transactions.
macro_rules! insert_outbox {
    ($conn:expr, $message:expr, $now:expr) => {{
        let message: &OutboxMessage = $message;
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, kind, method, target, recipient, thread_ts, thread_of, payload, \
             next_attempt_at_ms, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&message.key)
        .bind(&message.kind)
        .bind(message.method.as_str())
        .bind(&message.target)
        .bind(message.recipient.as_deref())
        .bind(message.thread_ts.as_deref())
        .bind(message.thread_of.as_deref())
        .bind(message.payload.as_str())
        .bind($now)
        .execute(&mut *$conn)
        .await
        .map(|r| r.rows_affected())
    }};
}
pub(crate) use insert_outbox;

/// Inserts `$messages` (a `&[&OutboxMessage]`) through `$conn` in one statement, skipping
/// keys that exist; evaluates to the number of rows written.
macro_rules! insert_outbox_rows {
    ($conn:expr, $messages:expr, $now:expr) => {{
        let messages: &[&OutboxMessage] = $messages;
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO outbox (idempotency_key, kind, method, target, recipient, thread_ts, thread_of, payload, \
             next_attempt_at_ms, created_at_ms) ",
        );
        insert.push_values(messages, |mut row, message| {
            row.push_bind(message.key.as_str())
                .push_bind(message.kind.as_str())
                .push_bind(message.method.as_str())
                .push_bind(message.target.as_str())
                .push_bind(message.recipient.as_deref())
                .push_bind(message.thread_ts.as_deref())
                .push_bind(message.thread_of.as_deref())
                .push_bind(message.payload.as_str())
                .push_bind($now)
                .push_bind($now);
        });
        insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
        insert.build().execute(&mut *$conn).await.map(|r| r.rows_affected())
    }};
}

/// Messages of a scheduled run written per statement, and the payload bytes after which a
/// batch is cut short: few statements (each is a round trip to SQLite's worker thread) and
/// a bounded amount held at once (about 1 MiB).
const RUN_MESSAGES_PER_INSERT: usize = 64;
const RUN_BATCH_BYTES: usize = 1 << 20;

/// The next batch of a run's messages (empty when there are no more). It yields after each
/// message, so that the write of the previous batch, joined with it, goes on in between.
async fn next_batch(messages: &mut (impl Iterator<Item = RunMessage> + Send)) -> Vec<RunMessage> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while batch.len() < RUN_MESSAGES_PER_INSERT && bytes < RUN_BATCH_BYTES {
        let Some(message) = messages.next() else { break };
        bytes += message.message.payload.as_str().len();
        batch.push(message);
        tokio::task::yield_now().await;
    }
    batch
}

/// Rows of `checkin_tasks` written per INSERT: three values each, far below both backends'
/// limit on bound parameters (32,766 for SQLite, 65,535 for PostgreSQL).
const CHECKIN_TASKS_PER_INSERT: usize = 1000;

impl Store {
    /// Records that `job` ran for `slot` and enqueues what it produced, atomically. Returns
    /// how many messages it enqueued, or `None` (and writes nothing, and does not pull
    /// `messages`) if the slot had already run: another tick, instance or
    /// restart got there first.
    ///
    /// `messages` is pulled inside the transaction in batches (64 messages or 1 MiB of
    /// payload), the next while the last is written, so a producer that renders lazily (the
    /// check-in round) holds at most two batches: a round of 100k tasks stays within a few
    /// tens of MB. The price is that the write lock is held while they are
    /// made (about a second for such a round on SQLite; other writers wait `busy_timeout`).
    pub async fn record_job_run<I>(
        &self,
        job: &str,
        slot: &str,
        outcome: &str,
        messages: I,
        now: DateTime<Utc>,
    ) -> Result<Option<usize>, StoreError>
    where
        I: IntoIterator<Item = RunMessage>,
        I::IntoIter: Send,
    {
        const RUN: &str = "INSERT INTO job_runs (job, slot, outcome, ran_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (job, slot) DO NOTHING";
        let now = to_millis(now);
        let mut messages = messages.into_iter();
        let ran = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query(RUN).bind(job).bind(slot).bind(outcome).bind(now).execute(&mut *tx).await?;
            if claimed.rows_affected() == 0 {
                tx.rollback().await?;
                None
            } else {
                let mut enqueued = 0;
                // Many rows per statement: a round of 100k tasks is a few hundred statements,
                // not one per message and per task.
                let mut batch = next_batch(&mut messages).await;
                while !batch.is_empty() {
                    enqueued += batch.len();
                    let write = async {
                    let outbox: Vec<&OutboxMessage> = batch.iter().map(|m| &m.message).collect();
                    insert_outbox_rows!(tx, &outbox, now)?;
                    let checkins: Vec<&CheckinRecord> = batch.iter().filter_map(|m| m.checkin.as_ref()).collect();
                    if checkins.is_empty() {
                        return Ok::<(), sqlx::Error>(());
                    }
                    let mut insert =
                        sqlx::QueryBuilder::new("INSERT INTO checkins (outbox_key, function_name, round, created_at_ms) ");
                    insert.push_values(&checkins, |mut row, checkin| {
                        row.push_bind(checkin.outbox_key.as_str())
                            .push_bind(checkin.function.as_str())
                            .push_bind(checkin.round.as_str())
                            .push_bind(now);
                    });
                    insert.push(" ON CONFLICT (outbox_key) DO NOTHING");
                    insert.build().execute(&mut *tx).await?;
                    let listed: Vec<(&str, i64, Option<&str>)> = checkins
                        .iter()
                        .flat_map(|c| c.tasks.iter().map(|(task, owner)| (c.outbox_key.as_str(), task.0, owner.as_ref().map(|o| o.as_str()))))
                        .collect();
                    for chunk in listed.chunks(CHECKIN_TASKS_PER_INSERT) {
                        let mut insert =
                            sqlx::QueryBuilder::new("INSERT INTO checkin_tasks (outbox_key, task_id, owner_user_id) ");
                        insert.push_values(chunk, |mut row, (key, task, owner)| {
                            row.push_bind(*key).push_bind(*task).push_bind(*owner);
                        });
                        insert.push(" ON CONFLICT (outbox_key, task_id) DO NOTHING");
                        insert.build().execute(&mut *tx).await?;
                    }
                    Ok(())
                    };
                    // The next batch is made while this one is written: the database works on
                    // a thread (SQLite's worker) or a server of its own, so producing messages
                    // (a check-in round renders them here) and writing them overlap.
                    let (written, next) = tokio::join!(write, next_batch(&mut messages));
                    written?;
                    batch = next;
                }
                tx.commit().await?;
                Some(enqueued)
            }
        });
        Ok(ran)
    }

    /// Whether `job` has run (or been skipped) for `slot`.
    pub async fn job_ran(&self, job: &str, slot: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM job_runs WHERE job = $1 AND slot = $2";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(job).bind(slot).fetch_one(pool).await)?;
        Ok(count > 0)
    }

    /// Enqueues messages outside a scheduled run (replies, hints, on-demand digests). Returns
    /// how many were new.
    pub async fn enqueue(&self, messages: &[OutboxMessage], now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_millis(now);
        let added = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for message in messages {
                added += insert_outbox!(tx, message, now)?;
            }
            tx.commit().await?;
            added
        });
        Ok(added)
    }

    /// Messages that may be sent now: due, and the oldest of their target's messages that are
    /// due or being sent (so each channel gets its messages in order). A message not due yet
    /// (waiting for a retry, or enqueued for a future instant by a mistaken `tick --now`) holds
    /// nothing back: one stuck message must not freeze a channel. A reply in the thread of a
    /// message not yet posted waits for it (it has nowhere to go until then).
    pub async fn deliverable(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        const SQL: &str = "SELECT id, idempotency_key, kind, method, target, recipient, thread_ts, thread_of, payload, \
             attempts, created_at_ms FROM outbox o \
             WHERE ((o.state = 'pending' AND o.next_attempt_at_ms <= $1) OR (o.state = 'sending' AND o.lease_until_ms < $1)) \
             AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = o.target AND p.id < o.id \
                             AND (p.state = 'sending' OR (p.state = 'pending' AND p.next_attempt_at_ms <= $1))) \
             AND (o.thread_of IS NULL OR NOT EXISTS (SELECT 1 FROM outbox t WHERE t.idempotency_key = o.thread_of \
                             AND t.state IN ('pending', 'sending'))) \
             ORDER BY o.id LIMIT $2";
        let rows: Vec<OutboxRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(to_millis(now)).bind(limit).fetch_all(pool).await)?;
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    /// Claims a deliverable message for `lease`; false if another worker claimed it first.
    pub async fn claim(&self, id: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'sending', lease_until_ms = $1, attempts = attempts + 1 \
             WHERE id = $2 AND ((state = 'pending' AND next_attempt_at_ms <= $3) OR (state = 'sending' AND lease_until_ms < $3))";
        let claimed = on_pool!(self, pool => sqlx::query(SQL).bind(to_millis(lease_until)).bind(id).bind(to_millis(now)).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(claimed == 1)
    }

    pub async fn mark_sent(
        &self,
        id: i64,
        channel: &str,
        ts: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'sent', channel = $1, ts = $2, sent_at_ms = $3, last_error = NULL, \
             lease_until_ms = NULL WHERE id = $4";
        on_pool!(self, pool => sqlx::query(SQL).bind(channel).bind(ts).bind(to_millis(now)).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Puts a message back to wait until `next_attempt`, keeping why it failed.
    pub async fn mark_retry(&self, id: i64, next_attempt: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'pending', next_attempt_at_ms = $1, last_error = $2, \
             lease_until_ms = NULL WHERE id = $3";
        on_pool!(self, pool => sqlx::query(SQL).bind(to_millis(next_attempt)).bind(error).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Gives up on a message for good (a permanent error, or too many attempts).
    pub async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'failed', last_error = $1, lease_until_ms = NULL WHERE id = $2";
        on_pool!(self, pool => sqlx::query(SQL).bind(error).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Where the message with `key` was posted, once it has been: `(channel, ts)`.
    pub async fn posted_at(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        const SQL: &str = "SELECT channel, ts FROM outbox WHERE idempotency_key = $1 AND state = 'sent'";
        let row: Option<(Option<String>, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await)?;
        Ok(row.and_then(|(channel, ts)| channel.zip(ts)))
    }

    /// When `user` last asked for a digest on demand (`/launch digest`), if ever.
    pub async fn last_digest_request(&self, user: &SlackUserId) -> Result<Option<DateTime<Utc>>, StoreError> {
        const SQL: &str = "SELECT MAX(created_at_ms) FROM outbox WHERE idempotency_key LIKE $1";
        let pattern = format!("digest:now:{}:%", user.as_str());
        let last: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(pattern).fetch_one(pool).await)?;
        last.map(from_millis).transpose()
    }

    /// Keys of the check-ins to `channel` not yet known to be posted (waiting, or being sent):
    /// a reply in a thread Liftoff does not know may belong to one of them.
    pub async fn unsent_checkin_keys(&self, channel: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT idempotency_key FROM outbox \
             WHERE target = $1 AND kind = 'checkin' AND state IN ('pending', 'sending')";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(channel).fetch_all(pool).await)?)
    }

    /// Records that the unsent message `key` is in fact posted at `ts` in `channel` (found on
    /// Slack by its metadata before its sender knew); the sender's own record, when it comes,
    /// agrees. Does nothing to a message already marked sent.
    pub async fn mark_found_posted(
        &self,
        key: &str,
        channel: &str,
        ts: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'sent', channel = $1, ts = $2, sent_at_ms = $3, \
             last_error = NULL, lease_until_ms = NULL WHERE idempotency_key = $4 AND state IN ('pending', 'sending')";
        on_pool!(self, pool => sqlx::query(SQL).bind(channel).bind(ts).bind(to_millis(now)).bind(key).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The state of the message with `key`, if it exists.
    pub async fn outbox_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT state FROM outbox WHERE idempotency_key = $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await)?)
    }

    /// The keys of every outbox message sent with `method`, oldest first: what an operator or
    /// a fault test compares with what Slack received.
    pub async fn outbox_keys(&self, method: OutboxMethod) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT idempotency_key FROM outbox WHERE method = $1 ORDER BY id";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(method.as_str()).fetch_all(pool).await)?)
    }

    /// The slots `job` has run for (or recorded as skipped), oldest first.
    pub async fn job_run_slots(&self, job: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT slot FROM job_runs WHERE job = $1 ORDER BY ran_at_ms, slot";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(job).fetch_all(pool).await)?)
    }

    /// Every task listed by any check-in, once per check-in message that lists it.
    pub async fn checkin_task_ids(&self) -> Result<Vec<TaskId>, StoreError> {
        const SQL: &str = "SELECT task_id FROM checkin_tasks ORDER BY task_id";
        let ids: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)?;
        Ok(ids.into_iter().map(TaskId).collect())
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        const SQL: &str = "SELECT state, COUNT(*) FROM outbox GROUP BY state";
        let rows: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        let mut counts = OutboxCounts::default();
        for (state, count) in rows {
            match state.as_str() {
                "pending" => counts.pending = count,
                "sending" => counts.sending = count,
                "sent" => counts.sent = count,
                "failed" => counts.failed = count,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// How many messages wait to be delivered, and when the oldest of those already due was
    /// enqueued (a message due in the future is not late, so it does not age the backlog).
    pub async fn outbox_backlog(&self, now: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        const SQL: &str = "SELECT COUNT(*), MIN(CASE WHEN state = 'sending' OR next_attempt_at_ms <= $1 \
             THEN created_at_ms END) FROM outbox WHERE state IN ('pending', 'sending')";
        let (count, oldest): (i64, Option<i64>) =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(to_millis(now)).fetch_one(pool).await)?;
        Ok((count, oldest.map(from_millis).transpose()?))
    }

    /// Messages given up on, newest first: shown in `/launch show` and the digest.
    pub async fn failed_messages(&self, limit: i64) -> Result<Vec<FailedMessage>, StoreError> {
        const SQL: &str = "SELECT idempotency_key, kind, target, last_error FROM outbox WHERE state = 'failed' \
             ORDER BY id DESC LIMIT $1";
        let rows: Vec<(String, String, String, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(key, kind, target, error)| FailedMessage {
                key,
                kind,
                target,
                error: error.unwrap_or_default(),
            })
            .collect())
    }

    /// When the last message of `kind` to `target` was enqueued ("changes since last digest").
    pub async fn last_enqueued(&self, kind: &str, target: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        const SQL: &str = "SELECT MAX(created_at_ms) FROM outbox WHERE kind = $1 AND target = $2";
        let ms: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(kind).bind(target).fetch_one(pool).await)?;
        ms.map(from_millis).transpose()
    }

    /// How many messages of `kind` went to `target` since `since` (nudge caps).
    pub async fn count_enqueued_since(
        &self,
        kind: &str,
        target: &str,
        since: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND target = $2 AND created_at_ms >= $3";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(kind).bind(target).bind(to_millis(since)).fetch_one(pool).await)?;
        Ok(count as usize)
    }

    /// The check-in posted as `ts` in `channel`, if that message is one.
    pub async fn checkin_at(&self, channel: &str, ts: &str) -> Result<Option<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE o.channel = $1 AND o.ts = $2";
        let row: Option<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(channel).bind(ts).fetch_optional(pool).await)?;
        row.map(PostedCheckin::try_from).transpose()
    }

    /// The most recent delivered check-in of `function`: where level-1 escalations add a line.
    pub async fn latest_checkin(&self, function: &FunctionName) -> Result<Option<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE c.function_name = $1 AND o.state = 'sent' \
             ORDER BY c.created_at_ms DESC, c.outbox_key LIMIT 1";
        let row: Option<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(function.as_str()).fetch_optional(pool).await)?;
        row.map(PostedCheckin::try_from).transpose()
    }

    /// Every cached time zone, for sweeps that need many people's "today".
    pub async fn user_timezones(&self) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str = "SELECT user_id, timezone FROM user_profiles";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?)
    }

    /// Check-ins enqueued since `since`, oldest first.
    pub async fn checkins_since(&self, since: DateTime<Utc>) -> Result<Vec<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE c.created_at_ms >= $1 ORDER BY c.created_at_ms, c.outbox_key";
        let rows: Vec<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(to_millis(since)).fetch_all(pool).await)?;
        rows.into_iter().map(PostedCheckin::try_from).collect()
    }

    /// The tasks a check-in listed, with their owners at the time.
    pub async fn checkin_tasks(&self, outbox_key: &str) -> Result<Vec<(TaskId, Option<SlackUserId>)>, StoreError> {
        const SQL: &str = "SELECT task_id, owner_user_id FROM checkin_tasks WHERE outbox_key = $1 ORDER BY task_id";
        let rows: Vec<(i64, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(outbox_key).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(task, owner)| (TaskId(task), owner.and_then(|o| SlackUserId::parse(&o).ok())))
            .collect())
    }

    /// Tasks among those `key` lists on which `user` recorded anything since `since`.
    pub async fn answered_in_checkin(
        &self,
        outbox_key: &str,
        user: &SlackUserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TaskId>, StoreError> {
        const SQL: &str = "SELECT DISTINCT task_id FROM history WHERE actor = $1 AND at_ms >= $2 \
             AND task_id IN (SELECT task_id FROM checkin_tasks WHERE outbox_key = $3)";
        let ids: Vec<Option<i64>> = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(user.as_str()).bind(to_millis(since)).bind(outbox_key).fetch_all(pool).await)?;
        Ok(ids.into_iter().flatten().map(TaskId).collect())
    }

    /// Takes `target`'s next turn to receive a post, if it is free: true, and the turn after
    /// comes `interval` later; false when another worker (of any instance) posted there less
    /// than `interval` ago. Timed by the database's clock, which every instance shares.
    pub async fn take_post_turn(&self, target: &str, interval: std::time::Duration) -> Result<bool, StoreError> {
        const SQLITE: &str = "INSERT INTO channel_pacing (target, next_post_at_ms) \
             VALUES ($1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + $2) \
             ON CONFLICT (target) DO UPDATE SET next_post_at_ms = excluded.next_post_at_ms \
             WHERE channel_pacing.next_post_at_ms <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
        const POSTGRES: &str = "INSERT INTO channel_pacing (target, next_post_at_ms) \
             VALUES ($1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $2) \
             ON CONFLICT (target) DO UPDATE SET next_post_at_ms = excluded.next_post_at_ms \
             WHERE channel_pacing.next_post_at_ms <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint";
        let interval = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        let taken = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query(SQLITE)
                .bind(target)
                .bind(interval)
                .execute(pool)
                .await?
                .rows_affected(),
            Pool::Postgres(pool) => sqlx::query(POSTGRES)
                .bind(target)
                .bind(interval)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        Ok(taken == 1)
    }

    /// Holds `method` back until `until` (a 429's Retry-After), for every worker.
    pub async fn hold_method(&self, method: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO rate_limit_holds (method, until_ms) VALUES ($1, $2) \
             ON CONFLICT (method) DO UPDATE SET until_ms = $2 WHERE rate_limit_holds.until_ms < $2";
        on_pool!(self, pool => sqlx::query(SQL).bind(method).bind(to_millis(until)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Methods still held back at `now`.
    pub async fn held_methods(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT method FROM rate_limit_holds WHERE until_ms > $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(to_millis(now)).fetch_all(pool).await)?)
    }

    /// A person's cached time zone and when it was looked up.
    pub async fn user_timezone(&self, user: &SlackUserId) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        const SQL: &str = "SELECT timezone, fetched_at_ms FROM user_profiles WHERE user_id = $1";
        let row: Option<(String, i64)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(user.as_str()).fetch_optional(pool).await)?;
        row.map(|(tz, at)| Ok((tz, from_millis(at)?))).transpose()
    }

    pub async fn save_user_timezone(
        &self,
        user: &SlackUserId,
        timezone: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO user_profiles (user_id, timezone, fetched_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET timezone = $2, fetched_at_ms = $3";
        on_pool!(self, pool => sqlx::query(SQL).bind(user.as_str()).bind(timezone).bind(to_millis(now)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct CheckinRow {
    outbox_key: String,
    function_name: String,
    round: String,
    channel: Option<String>,
    ts: Option<String>,
    sent_at_ms: Option<i64>,
}

impl TryFrom<CheckinRow> for PostedCheckin {
    type Error = StoreError;

    fn try_from(row: CheckinRow) -> Result<Self, Self::Error> {
        Ok(PostedCheckin {
            outbox_key: row.outbox_key,
            function: FunctionName::parse(&row.function_name).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            round: row.round,
            channel: row.channel,
            ts: row.ts,
            sent_at: row.sent_at_ms.map(from_millis).transpose()?,
        })
    }
}
