//! SQLite's writer: this process's turn at writing, and the one connection every write goes
//! through, kept between turns.
//!
//! Why keep it: a connection taken from sqlx's pool goes back to it through a task that
//! sqlx spawns, and that task pings the connection before the pool may hand it out again (to
//! flush a rollback a dropped transaction queued). On SQLite a ping is a round trip to the
//! connection's worker thread, two thread wake-ups like any query, and the spawned task
//! wakes a second tokio worker: a `/launch task` paid a third more hand-offs than its two
//! queries (BENCHMARKS.md). The writer's connection has one user at a time anyway, whoever
//! holds the turn, so it stays with the turn ([`WriterSlot`]) and the next writer finds it
//! there, with nothing queued on it that its own commands would not wait for.
//!
//! What still goes back through the pool (and so through its check): a connection left
//! inside a transaction (a dropped one queued its `ROLLBACK`; a failed `COMMIT` can leave it
//! so), where the pool's ping lets the rollback land and `after_release` closes it if it did
//! not; one kept for longer than [`RECHECK_AFTER`], so that a connection whose thread died
//! fails writes for a second at most before the pool's ping finds it out (under load that
//! is one check a second instead of one a write; when writes are rare, each gets it); and
//! every connection of an in-memory database, whose one connection the readers share.

use std::ops::DerefMut;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{MutexGuard, OwnedMutexGuard};

use super::{Store, StoreError, WriterLock};

/// How long a kept connection (the writer's, or a kept reader's) goes without the pool's
/// check before it is given back to the pool for one.
pub(super) const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// The writer's pool (of one connection) and that connection while no turn uses it.
#[derive(Debug)]
pub(crate) struct WriterSlot {
    pool: SqlitePool,
    /// The connection, and when it last came out of the pool (just checked).
    parked: Option<PoolConnection<Sqlite>>,
    checked_at: Instant,
    /// [`RECHECK_AFTER`], unless a test says otherwise.
    recheck_after: Duration,
    /// Whether the connection stays here between turns: not for an in-memory database, whose
    /// one connection the readers need too.
    keep: bool,
}

impl WriterSlot {
    pub(super) fn new(pool: SqlitePool, keep: bool) -> Self {
        WriterSlot {
            pool,
            parked: None,
            checked_at: Instant::now(),
            recheck_after: RECHECK_AFTER,
            keep,
        }
    }

    /// Whether the writer's connection waits here for the next turn, rather than in the pool.
    #[cfg(feature = "testing")]
    pub(super) fn holds_connection(&self) -> bool {
        self.parked.is_some()
    }

    #[cfg(feature = "testing")]
    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    #[cfg(feature = "testing")]
    pub(super) fn recheck_after(&mut self, after: Duration) {
        self.recheck_after = after;
    }

    /// Gives the parked connection back to the pool and hands out the pool, for closing it.
    pub(super) fn release(&mut self) -> SqlitePool {
        self.parked = None;
        self.pool.clone()
    }
}

/// A turn at writing (see [`super::Store::write_turn`]), with the writer's connection.
/// Ending the turn (dropping it) leaves the connection for the next turn.
pub(crate) struct Turn<G: DerefMut<Target = WriterSlot>>(G);

/// A turn borrowed from the store.
pub(crate) type WriteTurn<'s> = Turn<MutexGuard<'s, WriterSlot>>;
/// A turn that can be handed to a task of its own (see `checkpoints`).
pub(crate) type OwnedWriteTurn = Turn<OwnedMutexGuard<WriterSlot>>;

impl<G: DerefMut<Target = WriterSlot>> Turn<G> {
    pub(super) fn new(slot: G) -> Self {
        Turn(slot)
    }

    /// The writer's connection, opened if there is none (first use, or the last one was
    /// closed).
    pub(crate) async fn connection(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        let connection = self.take_connection().await?;
        Ok(&mut **self.0.parked.insert(connection))
    }

    /// The writer's connection to own for a while: give it back with [`Turn::put_back`], or
    /// drop it (a connection in a state nobody should inherit) and the next use opens another.
    pub(crate) async fn take_connection(&mut self) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
        match self.0.parked.take() {
            Some(connection) => Ok(connection),
            None => {
                let connection = self.0.pool.acquire().await?;
                self.0.checked_at = Instant::now();
                Ok(connection)
            }
        }
    }

    pub(crate) fn put_back(&mut self, connection: PoolConnection<Sqlite>) {
        self.0.parked = Some(connection);
    }
}

impl<G: DerefMut<Target = WriterSlot>> Drop for Turn<G> {
    fn drop(&mut self) {
        let slot = &mut *self.0;
        let stays = |connection: &PoolConnection<Sqlite>| !sqlx::Connection::is_in_transaction(&**connection);
        if !slot.keep || slot.checked_at.elapsed() > slot.recheck_after || !slot.parked.as_ref().is_some_and(stays) {
            // Back through the pool: its ping lets a queued rollback land (or finds the
            // connection dead), and `after_release` closes one still inside a transaction.
            slot.parked = None;
        }
    }
}

impl Store {
    /// This process's turn at writing to SQLite, waited for at most `database.busy_timeout`.
    ///
    /// SQLite takes one writer at a time. Writers that meet at its lock do not queue: the one
    /// that finds it taken sleeps (1, 2, 5, 10, … ms, SQLite's busy handler) and tries again,
    /// and among eight connections it can lose again and again, so a `/launch task` under load
    /// waited up to 200 ms (BENCHMARKS.md). Taking turns here first, in arrival order, the
    /// lock is always free when a writer reaches it. (Another process on the same file still
    /// meets the busy handler; Liftoff runs one process per SQLite database.)
    pub(crate) async fn write_turn<'w>(&self, writer: &'w WriterLock) -> Result<WriteTurn<'w>, StoreError> {
        self.waited_for_turn(writer.lock()).await.map(Turn::new)
    }

    /// [`Store::write_turn`] as a turn that can be handed on, to a task that finishes the
    /// write in the background (see `checkpoints`).
    pub(crate) async fn owned_write_turn(
        &self,
        writer: &std::sync::Arc<WriterLock>,
    ) -> Result<OwnedWriteTurn, StoreError> {
        self.waited_for_turn(writer.clone().lock_owned()).await.map(Turn::new)
    }

    async fn waited_for_turn<T>(&self, turn: impl std::future::Future<Output = T>) -> Result<T, StoreError> {
        tokio::time::timeout(self.busy_timeout, turn)
            .await
            .map_err(|_| StoreError::Busy(self.busy_timeout))
    }
}
