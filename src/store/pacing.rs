//! Pacing shared by every worker of every instance: each target's next turn to receive a post,
//! and the Web API methods a rate limit holds back.

use chrono::{DateTime, Utc};

use super::{Pool, Store, StoreError, on_pool, on_writer, to_millis};

impl Store {
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
            Pool::Sqlite { writer, .. } => {
                let mut turn = self.write_turn(writer).await?;
                sqlx::query(SQLITE)
                    .bind(target)
                    .bind(interval)
                    .execute(turn.connection().await?)
                    .await?
                    .rows_affected()
            }
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
        on_writer!(self, pool => sqlx::query(SQL).bind(method).bind(to_millis(until)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Methods still held back at `now`.
    pub async fn held_methods(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT method FROM rate_limit_holds WHERE until_ms > $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(to_millis(now)).fetch_all(pool).await)?)
    }
}
