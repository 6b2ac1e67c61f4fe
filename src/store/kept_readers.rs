//! SQLite reader connections kept aside for the reads a command's reply waits on, so that
//! they skip sqlx's release check.
//!
//! A connection taken from sqlx's pool goes back through a task sqlx spawns, which pings it
//! before the pool may hand it out again; on SQLite a ping is a round trip to the
//! connection's worker thread, as costly as the query itself, and the task wakes a second
//! tokio worker (BENCHMARKS.md). A connection that comes back from a read that ran to its
//! end has nothing queued that needs flushing, so the hot reads ([`KeptReaders::read`])
//! put theirs on a shelf and take the next one from there.
//!
//! The shelf holds at most half the readers' pool, so every other read always has the other
//! half to take from the pool, and an in-memory database (one connection, shared with the
//! writer) keeps none.

use std::sync::Mutex;

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

#[derive(Debug)]
pub(crate) struct KeptReaders {
    shelf: Mutex<Vec<PoolConnection<Sqlite>>>,
    room: usize,
}

impl KeptReaders {
    /// Room for half of `pool_size` connections.
    pub(super) fn new(pool_size: u32, in_memory: bool) -> Self {
        let room = if in_memory { 0 } else { pool_size as usize / 2 };
        KeptReaders {
            shelf: Mutex::new(Vec::with_capacity(room)),
            room,
        }
    }

    async fn take(&self, readers: &SqlitePool) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
        let kept = self.shelf.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match kept {
            Some(connection) => Ok(connection),
            None => readers.acquire().await,
        }
    }

    /// Shelves `connection` if there is room and it is outside any transaction; otherwise it
    /// goes back through the pool, and its check, when dropped here.
    fn put_back(&self, connection: PoolConnection<Sqlite>) {
        if sqlx::Connection::is_in_transaction(&*connection) {
            return;
        }
        let mut shelf = self.shelf.lock().unwrap_or_else(|p| p.into_inner());
        if shelf.len() < self.room {
            shelf.push(connection);
        }
    }

    /// Empties the shelf into the pool, before the pool closes (it waits for them).
    pub(super) fn release(&self) {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Runs `read` on a connection from the shelf (or else from `readers`), and shelves the
    /// connection again: for the one-statement reads a reply waits on. A `read` stopped
    /// halfway (its caller gone) drops the connection, back to the pool.
    pub(super) async fn read<T>(
        &self,
        readers: &SqlitePool,
        read: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut connection = self.take(readers).await?;
        let result = read(&mut connection).await;
        self.put_back(connection);
        result
    }

    #[cfg(feature = "testing")]
    pub(super) fn shelved(&self) -> usize {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
