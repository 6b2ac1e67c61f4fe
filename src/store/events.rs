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
