//! People's time zones, cached from their Slack profiles.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, from_millis, on_pool, on_writer, to_millis};
use liftoff_core::SlackUserId;

impl Store {
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
        on_writer!(self, pool => sqlx::query(SQL).bind(user.as_str()).bind(timezone).bind(to_millis(now)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Every cached time zone, for sweeps that need many people's "today".
    pub async fn user_timezones(&self) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str = "SELECT user_id, timezone FROM user_profiles";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?)
    }
}
