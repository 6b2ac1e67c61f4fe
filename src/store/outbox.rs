//! The durable outbox: writing a message is the commitment to send it.
//!
//! A unique idempotency key makes a second write of the same message a no-op. Delivery claims
//! one row at a time with a conditional update (works the same on SQLite and PostgreSQL), under
//! a lease so that a row claimed by a worker that died is picked up again. The state of the
//! queue (counts, backlog, failures, what went where) is read here too.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, from_millis, limited, on_pool, on_writer, to_millis};
use crate::outbound::{FailedMessage, OutboxMessage, OutboxMethod, Payload};
use liftoff_core::SlackUserId;

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
                // Claimed, so already due: when it was held until no longer matters.
                not_before: None,
            },
        })
    }
}

/// Counts of outbox rows by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// When a message enqueued at `now_ms` is first due: now, or later when it is held until its
/// recipient's working hours (never earlier than now).
pub(crate) fn due_at_ms(message: &OutboxMessage, now_ms: i64) -> i64 {
    message.not_before.map_or(now_ms, |at| to_millis(at).max(now_ms))
}

/// Inserts `$message` (a `&OutboxMessage`) through `$conn` unless its key exists; evaluates to
/// the number of rows written. A macro so it compiles for both backends' transactions.
macro_rules! insert_outbox {
    ($conn:expr, $message:expr, $now:expr) => {{
        let message: &OutboxMessage = $message;
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, kind, method, target, recipient, thread_ts, thread_of, payload, \
             next_attempt_at_ms, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
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
        .bind($crate::store::outbox::due_at_ms(message, $now))
        .bind($now)
        .execute(&mut *$conn)
        .await
        .map(|r| r.rows_affected())
    }};
}
pub(crate) use insert_outbox;

/// Pushes onto the query builder `$builder` an insert of `$messages` (a slice of
/// `OutboxMessage`s or of references to them) enqueued at `$now`, skipping keys that exist:
/// one statement, on either backend.
macro_rules! push_outbox_insert {
    ($builder:expr, $messages:expr, $now:expr) => {{
        let now: i64 = $now;
        $builder.push(
            "INSERT INTO outbox (idempotency_key, kind, method, target, recipient, thread_ts, thread_of, payload, \
             next_attempt_at_ms, created_at_ms) ",
        );
        $builder.push_values($messages, |mut row, message| {
            let message: &OutboxMessage = &*message;
            row.push_bind(message.key.as_str())
                .push_bind(message.kind.as_str())
                .push_bind(message.method.as_str())
                .push_bind(message.target.as_str())
                .push_bind(message.recipient.as_deref())
                .push_bind(message.thread_ts.as_deref())
                .push_bind(message.thread_of.as_deref())
                .push_bind(message.payload.as_str())
                .push_bind($crate::store::outbox::due_at_ms(message, now))
                .push_bind(now);
        });
        $builder.push(" ON CONFLICT (idempotency_key) DO NOTHING");
    }};
}
pub(crate) use push_outbox_insert;

impl Store {
    /// Enqueues messages outside a scheduled run (replies, hints, on-demand digests). Returns
    /// how many were new.
    pub async fn enqueue(&self, messages: &[OutboxMessage], now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_millis(now);
        let added = on_writer!(self, pool => {
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
        let rows: Vec<OutboxRow> = on_pool!(self, pool => sqlx::query_as(limited(DELIVERABLE, limit)).bind(to_millis(now)).fetch_all(pool).await)?;
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    /// Claims a deliverable message for `lease`; false if another worker claimed it first.
    pub async fn claim(&self, id: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'sending', lease_until_ms = $1, attempts = attempts + 1 \
             WHERE id = $2 AND ((state = 'pending' AND next_attempt_at_ms <= $3) OR (state = 'sending' AND lease_until_ms < $3))";
        let claimed = on_writer!(self, pool => sqlx::query(SQL).bind(to_millis(lease_until)).bind(id).bind(to_millis(now)).execute(pool).await.map(|r| r.rows_affected()))?;
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
        on_writer!(self, pool => sqlx::query(SQL).bind(channel).bind(ts).bind(to_millis(now)).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Puts a message back to wait until `next_attempt`, keeping why it failed.
    pub async fn mark_retry(&self, id: i64, next_attempt: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'pending', next_attempt_at_ms = $1, last_error = $2, \
             lease_until_ms = NULL WHERE id = $3";
        on_writer!(self, pool => sqlx::query(SQL).bind(to_millis(next_attempt)).bind(error).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Gives up on a message for good (a permanent error, or too many attempts).
    pub async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE outbox SET state = 'failed', last_error = $1, lease_until_ms = NULL WHERE id = $2";
        on_writer!(self, pool => sqlx::query(SQL).bind(error).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Where the message with `key` was posted, once it has been: `(channel, ts)`.
    pub async fn posted_at(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        const SQL: &str = "SELECT channel, ts FROM outbox WHERE idempotency_key = $1 AND state = 'sent'";
        let row: Option<(Option<String>, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await)?;
        Ok(row.and_then(|(channel, ts)| channel.zip(ts)))
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
        on_writer!(self, pool => sqlx::query(SQL).bind(channel).bind(ts).bind(to_millis(now)).bind(key).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The body the message with `key` was enqueued with: what a later `chat.update` of it
    /// starts from (a check-in's header and intro are kept; only its task rows are redrawn).
    pub async fn enqueued_payload(&self, key: &str) -> Result<Option<Payload>, StoreError> {
        const SQL: &str = "SELECT payload FROM outbox WHERE idempotency_key = $1";
        let text: Option<String> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await)?;
        Ok(text.map(Payload::from_stored))
    }

    /// The state of the message with `key`, if it exists.
    pub async fn outbox_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT state FROM outbox WHERE idempotency_key = $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await)?)
    }

    /// How many messages are in each state. Read from indexes only (the unsent messages', the
    /// failed ones', and the key's for the total), so that its cost does not grow with the
    /// payloads of every message ever sent: the drain loop asks after every pass.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let (pending, sending, failed, total): (i64, i64, i64, i64) =
            on_pool!(self, pool => sqlx::query_as(COUNTS).fetch_one(pool).await)?;
        Ok(OutboxCounts {
            pending,
            sending,
            failed,
            sent: total - pending - sending - failed,
        })
    }

    /// How many messages wait to be delivered, and when the oldest of those already due was
    /// enqueued (a message due in the future is not late, so it does not age the backlog).
    pub async fn outbox_backlog(&self, now: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        let (count, oldest): (i64, Option<i64>) =
            on_pool!(self, pool => sqlx::query_as(BACKLOG).bind(to_millis(now)).fetch_one(pool).await)?;
        Ok((count, oldest.map(from_millis).transpose()?))
    }

    /// Messages given up on, newest first: shown in `/launch show` and the digest.
    pub async fn failed_messages(&self, limit: i64) -> Result<Vec<FailedMessage>, StoreError> {
        let rows: Vec<FailedRow> =
            on_pool!(self, pool => sqlx::query_as(limited(FAILED, limit)).fetch_all(pool).await)?;
        Ok(failed_messages(rows))
    }

    /// Messages of `kind` that were held for a recipient's working hours when enqueued and
    /// have not been tried yet: `(key, target)`, oldest first.
    pub async fn held(&self, kind: &str) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str = "SELECT idempotency_key, target FROM outbox WHERE kind = $1 AND state = 'pending' \
             AND attempts = 0 AND next_attempt_at_ms > created_at_ms ORDER BY id";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).bind(kind).fetch_all(pool).await)?)
    }

    /// Takes back the held message `key` while it has not been tried: what it asked was
    /// answered meanwhile. True if it was taken back; one a worker has claimed is left alone.
    pub async fn withdraw_held(&self, key: &str) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM outbox WHERE idempotency_key = $1 AND state = 'pending' AND attempts = 0 \
             AND next_attempt_at_ms > created_at_ms";
        let deleted =
            on_writer!(self, pool => sqlx::query(SQL).bind(key).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(deleted == 1)
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

    /// When `user` last asked for a digest on demand (`/launch digest`), if ever.
    pub async fn last_digest_request(&self, user: &SlackUserId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let pattern = format!("digest:now:{}:%", user.as_str());
        let last: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(LAST_DIGEST_REQUEST).bind(pattern).fetch_optional(pool).await)?;
        last.map(from_millis).transpose()
    }
}

/// [`Store::last_digest_request`]: the digests' newest first, from the index on `(kind,
/// created_at_ms)`, stopping at the asker's. A `LIKE` on the key alone cannot use the key's index
/// (SQLite's `LIKE` ignores case) and read every message the outbox keeps.
pub(super) const LAST_DIGEST_REQUEST: &str = "SELECT created_at_ms FROM outbox \
     WHERE kind = 'digest' AND idempotency_key LIKE $1 ORDER BY created_at_ms DESC LIMIT 1";

/// Messages that may be sent now (see [`Store::deliverable`]): the first message of each
/// target that is being sent or due (`heads`, read from the unsent messages' covering index
/// alone, never from the table, whose rows carry their payloads), kept if it is due rather than
/// still leased to a worker, and not a reply whose thread's first message is still unsent.
pub(super) const DELIVERABLE: &str = "SELECT id, idempotency_key, kind, method, target, recipient, thread_ts, \
     thread_of, payload, attempts, created_at_ms FROM outbox o \
     WHERE o.id IN (SELECT MIN(h.id) FROM outbox h \
                    WHERE h.state IN ('pending', 'sending') AND (h.state = 'sending' OR h.next_attempt_at_ms <= $1) \
                    GROUP BY h.target) \
     AND (o.state = 'pending' OR o.lease_until_ms < $1) \
     AND (o.thread_of IS NULL OR NOT EXISTS (SELECT 1 FROM outbox t WHERE t.idempotency_key = o.thread_of \
                                             AND t.state IN ('pending', 'sending'))) \
     ORDER BY o.id LIMIT";

/// [`Store::outbox_counts`]: each count from an index (`state IN (…)` as the partial indexes say
/// it, so that SQLite sees they apply).
pub(super) const COUNTS: &str = "SELECT \
     (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending') AND state = 'pending'), \
     (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending') AND state = 'sending'), \
     (SELECT COUNT(*) FROM outbox WHERE state = 'failed'), \
     (SELECT COUNT(*) FROM outbox)";

/// [`Store::outbox_backlog`], from the unsent messages' covering index.
pub(super) const BACKLOG: &str = "SELECT COUNT(*), MIN(CASE WHEN state = 'sending' OR next_attempt_at_ms <= $1 \
     THEN created_at_ms END) FROM outbox WHERE state IN ('pending', 'sending')";

/// The latest messages given up on, as [`FailedRow`]s, [`limited`] to how many are shown.
pub(super) const FAILED: &str = "SELECT idempotency_key, kind, target, last_error FROM outbox WHERE state = 'failed' \
     ORDER BY id DESC LIMIT";

/// A row of [`FAILED`]: key, kind, target, last error.
pub(super) type FailedRow = (String, String, String, Option<String>);

/// [`FAILED`]'s rows as what the PMM is shown.
pub(super) fn failed_messages(rows: Vec<FailedRow>) -> Vec<FailedMessage> {
    rows.into_iter()
        .map(|(key, kind, target, error)| FailedMessage {
            key,
            kind,
            target,
            error: error.unwrap_or_default(),
        })
        .collect()
}
