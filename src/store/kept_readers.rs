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
//! writer) keeps none. A read that failed goes back through the pool and its check, as does
//! a connection `kept` says may not serve again.

use std::sync::Mutex;
use std::time::Duration;

use sqlx::{SqliteConnection, SqlitePool};

use super::kept::{KeptConnection, RECHECK_AFTER};

#[derive(Debug)]
pub(crate) struct KeptReaders {
    shelf: Mutex<Shelf>,
    room: usize,
}

#[derive(Debug)]
struct Shelf {
    kept: Vec<KeptConnection>,
    /// `RECHECK_AFTER`, unless a test says otherwise.
    recheck_after: Duration,
}

impl KeptReaders {
    /// Room for half of `pool_size` connections.
    pub(super) fn new(pool_size: u32, in_memory: bool) -> Self {
        let room = if in_memory { 0 } else { pool_size as usize / 2 };
        KeptReaders {
            shelf: Mutex::new(Shelf {
                kept: Vec::with_capacity(room),
                recheck_after: RECHECK_AFTER,
            }),
            room,
        }
    }

    /// A kept connection that may serve again, or else one from the pool. (One that may not
    /// is dropped here, back to the pool and its check.)
    async fn take(&self, readers: &SqlitePool) -> Result<KeptConnection, sqlx::Error> {
        let kept = {
            let mut shelf = self.shelf.lock().unwrap_or_else(|p| p.into_inner());
            let recheck_after = shelf.recheck_after;
            shelf.kept.pop().filter(|kept| kept.may_serve_again(recheck_after))
        };
        match kept {
            Some(kept) => Ok(kept),
            None => KeptConnection::acquire(readers).await,
        }
    }

    /// Shelves `connection` if there is room and it may serve again; otherwise it goes back
    /// through the pool, and its check, when dropped here.
    fn put_back(&self, connection: KeptConnection) {
        let mut shelf = self.shelf.lock().unwrap_or_else(|p| p.into_inner());
        if shelf.kept.len() < self.room && connection.may_serve_again(shelf.recheck_after) {
            shelf.kept.push(connection);
        }
    }

    /// Empties the shelf into the pool, before the pool closes (it waits for them).
    pub(super) fn release(&self) {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).kept.clear();
    }

    /// Runs `read` on a connection from the shelf (or else from `readers`), and shelves the
    /// connection again if `read` succeeded: for the one-statement reads a reply waits on. A
    /// `read` stopped halfway (its caller gone) drops the connection, back to the pool.
    pub(super) async fn read<T>(
        &self,
        readers: &SqlitePool,
        read: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut connection = self.take(readers).await?;
        let result = read(&mut connection).await;
        if result.is_ok() {
            self.put_back(connection);
        }
        result
    }

    #[cfg(feature = "testing")]
    pub(super) fn shelved(&self) -> usize {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).kept.len()
    }

    #[cfg(feature = "testing")]
    pub(super) fn recheck_after(&self, after: Duration) {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).recheck_after = after;
    }
}
