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
//! What still goes back through the pool, and its check: a connection a turn left inside a
//! transaction or kept too long (`kept`), and every connection of an in-memory database,
//! whose one connection the readers share.
//!
//! The turn also holds the writer's inline connection (`inline`), on which `/launch task`
//! writes from the calling thread: both connections write in this process's one turn, so
//! their writes never meet at SQLite's lock.

use std::ops::DerefMut;
use std::time::Duration;

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{MutexGuard, OwnedMutexGuard};

use super::inline::{BusyRetry, InlineSqlite, InlineWriter, on_sqlx_connection};
use super::kept::{KeptConnection, RECHECK_AFTER};
use super::{Store, StoreError, WriterLock};

/// The writer's pool (of one connection) and that connection while no turn uses it.
#[derive(Debug)]
pub(crate) struct WriterSlot {
    pool: SqlitePool,
    parked: Option<KeptConnection>,
    /// The writer's connection for writes made on the calling thread (`inline`).
    inline: InlineWriter,
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
            inline: InlineWriter::default(),
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

    /// The writer's inline connection, if one is open.
    #[cfg(feature = "testing")]
    pub(super) fn inline_connection(&self) -> Option<&rusqlite::Connection> {
        self.inline.connection()
    }

    /// Gives the parked connection back to the pool, closes the inline one, and hands out the
    /// pool, for closing it.
    pub(super) fn release(&mut self) -> SqlitePool {
        self.parked = None;
        self.inline.close();
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
    pub(super) async fn take_connection(&mut self) -> Result<KeptConnection, sqlx::Error> {
        match self.0.parked.take() {
            Some(connection) => Ok(connection),
            None => KeptConnection::acquire(&self.0.pool).await,
        }
    }

    pub(super) fn put_back(&mut self, connection: KeptConnection) {
        self.0.parked = Some(connection);
    }

    /// Runs `write` on the calling thread (see `inline`): on the writer's inline connection,
    /// or for an in-memory database on sqlx's. Tried again while another process holds the
    /// database's write lock, so `write` should only write (a failed attempt rolls back).
    pub(super) async fn write_inline<T>(
        &mut self,
        inline: &InlineSqlite,
        mut write: impl FnMut(&mut rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut retry = BusyRetry::new(inline.busy_timeout());
        loop {
            let result = match inline.file() {
                Some(file) => self.0.inline.write_to_file(file, &mut write),
                None => on_sqlx_connection(self.connection().await?, &mut write).await,
            };
            if let Some(result) = retry.settle(result).await {
                return result;
            }
        }
    }

    /// Whether an inline write took the log past a checkpoint's worth (see `checkpoints`).
    pub(super) fn checkpoint_due(&self) -> bool {
        self.0.inline.checkpoint_due()
    }

    /// A checkpoint ran in this turn: the log starts over at the next write.
    pub(super) fn checkpointed(&mut self) {
        self.0.inline.checkpointed();
    }
}

impl<G: DerefMut<Target = WriterSlot>> Drop for Turn<G> {
    fn drop(&mut self) {
        let slot = &mut *self.0;
        let recheck_after = slot.recheck_after;
        if !slot.keep
            || !slot
                .parked
                .as_ref()
                .is_some_and(|kept| kept.may_serve_again(recheck_after))
        {
            // Back through the pool, and its check.
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
