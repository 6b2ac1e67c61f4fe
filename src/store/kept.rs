//! A pooled SQLite connection kept out of sqlx's pool between uses (the writer's, see
//! `writer`), and when it must go back.
//!
//! sqlx's pool pings every connection it takes back, a round trip to the connection's thread
//! on SQLite (BENCHMARKS.md); a kept connection skips that, so it goes back (and through the
//! check) only when a use left it inside a transaction, where the pool's ping lets a queued
//! rollback land and `after_release` closes it if it did not, or when the pool last checked
//! it more than [`RECHECK_AFTER`] ago, so that one whose thread died fails for a second at
//! most (under load one check a second instead of one a use; when uses are rare, each gets it).

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqlitePool};

/// How long a kept connection goes without the pool's check before it is given back for one.
pub(super) const RECHECK_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(super) struct KeptConnection {
    connection: PoolConnection<Sqlite>,
    /// When it last came out of the pool, which had just checked it.
    checked_at: Instant,
}

impl KeptConnection {
    pub(super) async fn acquire(pool: &SqlitePool) -> Result<KeptConnection, sqlx::Error> {
        Ok(KeptConnection {
            connection: pool.acquire().await?,
            checked_at: Instant::now(),
        })
    }

    /// Whether it may serve another use without the pool's check: it is outside any
    /// transaction, and the pool checked it at most `recheck_after` ago.
    pub(super) fn may_serve_again(&self, recheck_after: Duration) -> bool {
        !sqlx::Connection::is_in_transaction(&*self.connection) && self.checked_at.elapsed() <= recheck_after
    }
}

impl Deref for KeptConnection {
    type Target = PoolConnection<Sqlite>;

    fn deref(&self) -> &PoolConnection<Sqlite> {
        &self.connection
    }
}

impl DerefMut for KeptConnection {
    fn deref_mut(&mut self) -> &mut PoolConnection<Sqlite> {
        &mut self.connection
    }
}
