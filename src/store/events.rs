//! Slack events already received, so a retried delivery takes effect once.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool, to_millis};

impl Store {
    /// Records `event_id`; false if it was already recorded (a retry or a duplicate).
    pub async fn record_slack_event(&self, event_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        const INSERT: &str =
            "INSERT INTO slack_events (event_id, received_at_ms) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(INSERT).bind(event_id).bind(to_millis(at)).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        Ok(inserted)
    }

    /// Forgets `event_id`, so a redelivery is handled again (after a failure to apply it).
    pub async fn forget_slack_event(&self, event_id: &str) -> Result<(), StoreError> {
        const DELETE: &str = "DELETE FROM slack_events WHERE event_id = $1";
        on_pool!(self, pool => sqlx::query(DELETE).bind(event_id).execute(pool).await.map(|_| ()))?;
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
    pub async fn record_reply_update(
        &self,
        channel: &str,
        ts: &str,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const INSERT: &str = "INSERT INTO reply_updates (channel_id, message_ts, update_key, applied_at_ms) \
                              VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(INSERT).bind(channel).bind(ts).bind(key).bind(to_millis(at)).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        Ok(inserted)
    }
}
