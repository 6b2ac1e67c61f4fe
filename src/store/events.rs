//! Slack events already received, so a retried delivery takes effect once.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool, on_writer, to_millis};

/// What became of a claim on an incoming event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClaim {
    /// Ours to handle: new, or a claim so old that whoever made it has died.
    Claimed,
    /// Already handled: a retry or a duplicate.
    Handled,
    /// Someone else is handling it right now (a retry that overtook a slow first delivery).
    InProgress,
}

impl Store {
    /// Claims `event_id` for handling. A claim older than `stale_after` that was never marked
    /// handled belongs to a process that died: it is taken over.
    pub async fn claim_slack_event(
        &self,
        event_id: &str,
        at: DateTime<Utc>,
        stale_after: chrono::Duration,
    ) -> Result<EventClaim, StoreError> {
        const INSERT: &str =
            "INSERT INTO slack_events (event_id, received_at_ms) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING";
        const TAKE_OVER: &str = "UPDATE slack_events SET received_at_ms = $2 \
                                 WHERE event_id = $1 AND handled_at_ms IS NULL AND received_at_ms < $3";
        const STATE: &str = "SELECT handled_at_ms FROM slack_events WHERE event_id = $1";
        let now = to_millis(at);
        let stale = to_millis(at - stale_after);
        let inserted = on_writer!(self, pool => sqlx::query(INSERT).bind(event_id).bind(now).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        if inserted {
            return Ok(EventClaim::Claimed);
        }
        let taken = on_writer!(self, pool => sqlx::query(TAKE_OVER).bind(event_id).bind(now).bind(stale).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        if taken {
            return Ok(EventClaim::Claimed);
        }
        let handled: Option<Option<i64>> =
            on_pool!(self, pool => sqlx::query_scalar(STATE).bind(event_id).fetch_optional(pool).await)?;
        Ok(match handled {
            Some(Some(_)) => EventClaim::Handled,
            _ => EventClaim::InProgress,
        })
    }

    /// Marks a claimed event handled: its effect is stored.
    pub async fn mark_slack_event_handled(&self, event_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        const UPDATE: &str = "UPDATE slack_events SET handled_at_ms = $2 WHERE event_id = $1";
        on_writer!(self, pool => sqlx::query(UPDATE).bind(event_id).bind(to_millis(at)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Forgets `event_id`, so a redelivery is handled again (after a failure to apply it).
    pub async fn forget_slack_event(&self, event_id: &str) -> Result<(), StoreError> {
        // Never a handled event: its effect is stored, and a redelivery must stay a duplicate.
        const DELETE: &str = "DELETE FROM slack_events WHERE event_id = $1 AND handled_at_ms IS NULL";
        on_writer!(self, pool => sqlx::query(DELETE).bind(event_id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}

/// Updates already applied from one person's message, so that an edit of it applies only what
/// it adds (see migration `reply_updates`).
impl Store {
    /// The keys of the updates applied so far from the message `ts` in `channel`.
    pub async fn reply_updates(&self, channel: &str, ts: &str) -> Result<Vec<String>, StoreError> {
        const SELECT: &str = "SELECT update_key FROM reply_updates WHERE channel_id = $1 AND message_ts = $2";
        let keys = on_pool!(self, pool => sqlx::query_scalar::<_, String>(SELECT).bind(channel).bind(ts).fetch_all(pool).await)?;
        Ok(keys)
    }

    /// Records that `key` was applied from the message `ts` in `channel`; false if it already was.
    /// (A task change made by a reply records its mark in the change's own transaction: see
    /// [`Store::save_task`] and [`ReplyMark`].)
    pub async fn record_reply_update(
        &self,
        channel: &str,
        ts: &str,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const INSERT: &str = "INSERT INTO reply_updates (channel_id, message_ts, update_key, applied_at_ms) \
                              VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let inserted = on_writer!(self, pool => sqlx::query(INSERT).bind(channel).bind(ts).bind(key).bind(to_millis(at)).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        Ok(inserted)
    }
}

/// That one update of one reply message (`key`, see `service::replies`) is being applied:
/// written in the same transaction as the change it makes, so a crash between the two can
/// neither lose the mark (and apply the update again on redelivery) nor keep a mark for a
/// change that was never made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMark {
    pub channel: String,
    pub ts: String,
    pub key: String,
}
