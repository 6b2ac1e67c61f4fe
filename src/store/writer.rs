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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

use super::inline::{BusyRetry, GroupOutcome, GroupWatch, InlineSqlite, InlineWriter, MAX_GROUP, on_sqlx_connection};
use super::kept::{KeptConnection, RECHECK_AFTER};
use super::{Store, StoreError};

/// SQLite's writer, one turn at a time ([`Store::write_turn`]), and how many wait for it.
#[derive(Debug)]
pub(crate) struct WriterLock {
    slot: Arc<Mutex<WriterSlot>>,
    /// Writers waiting for their turn (which tests watch to line writers up).
    waiting: AtomicUsize,
    /// Of those, new tasks ([`Store::new_task_turn`]): a new task's write leaves its group
    /// open for them to join (`inline::writer`). Any other writer would only commit the group
    /// at once, so leaving it open for one saves no commit and costs the writer a wait.
    new_tasks_waiting: AtomicUsize,
}

/// Counts a writer in [`WriterLock::waiting`] while it waits (and no longer should it give up).
struct Waiting<'w>(&'w AtomicUsize);

impl<'w> Waiting<'w> {
    fn new(waiting: &'w AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl WriterLock {
    pub(super) fn new(slot: WriterSlot) -> Self {
        WriterLock {
            slot: Arc::new(Mutex::new(slot)),
            waiting: AtomicUsize::new(0),
            new_tasks_waiting: AtomicUsize::new(0),
        }
    }

    /// The writer's slot, after every writer that asked before (tokio's lock is fair).
    pub(super) async fn lock(&self) -> MutexGuard<'_, WriterSlot> {
        let _waiting = Waiting::new(&self.waiting);
        self.slot.lock().await
    }

    /// [`WriterLock::lock`], as a guard that can be handed to a task of its own.
    async fn lock_owned(&self) -> OwnedMutexGuard<WriterSlot> {
        let _waiting = Waiting::new(&self.waiting);
        self.slot.clone().lock_owned().await
    }

    /// [`WriterLock::lock_owned`] for a new task, counted in [`WriterLock::new_tasks_waiting`].
    async fn lock_owned_for_new_task(&self) -> OwnedMutexGuard<WriterSlot> {
        let _new_task = Waiting::new(&self.new_tasks_waiting);
        self.lock_owned().await
    }

    /// How many writers wait for their turn now.
    #[cfg(feature = "testing")]
    pub(super) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// How many new tasks wait for their turn now.
    fn new_tasks_waiting(&self) -> usize {
        self.new_tasks_waiting.load(Ordering::Relaxed)
    }
}

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
    /// A checkpoint of the inline writer's log is under way ([`checkpoint_in_two_steps`]):
    /// commits meanwhile still find the log long, and should not start another.
    checkpointing: bool,
}

impl WriterSlot {
    pub(super) fn new(pool: SqlitePool, keep: bool) -> Self {
        WriterSlot {
            pool,
            parked: None,
            inline: InlineWriter::default(),
            recheck_after: RECHECK_AFTER,
            keep,
            checkpointing: false,
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

    /// Groups of new tasks the inline connection has committed.
    #[cfg(feature = "testing")]
    pub(super) fn inline_commits(&self) -> u64 {
        self.inline.commits()
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

    /// Commits the group of new tasks left open, if any (see `inline::writer`).
    fn commit_group(&mut self) {
        self.0.inline.commit_group();
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
    /// A group of new tasks left open for the writers waiting is committed first (see
    /// `inline::writer`): this turn's write may go through sqlx's connection, which would find
    /// SQLite's lock held by the group's transaction.
    ///
    /// SQLite takes one writer at a time. Writers that meet at its lock do not queue: the one
    /// that finds it taken sleeps (1, 2, 5, 10, … ms, SQLite's busy handler) and tries again,
    /// and among eight connections it can lose again and again, so a `/launch task` under load
    /// waited up to 200 ms (BENCHMARKS.md). Taking turns here first, in arrival order, the
    /// lock is always free when a writer reaches it. (Another process on the same file still
    /// meets the busy handler; Liftoff runs one process per SQLite database.)
    pub(crate) async fn write_turn<'w>(&self, writer: &'w WriterLock) -> Result<WriteTurn<'w>, StoreError> {
        let mut turn = self.waited_for_turn(writer.lock()).await.map(Turn::new)?;
        turn.commit_group();
        Ok(turn)
    }

    /// [`Store::write_turn`] as a turn that can be handed on, to a task that finishes the
    /// write in the background (see `checkpoints`).
    pub(crate) async fn owned_write_turn(&self, writer: &Arc<WriterLock>) -> Result<OwnedWriteTurn, StoreError> {
        let mut turn = self.waited_for_turn(writer.lock_owned()).await.map(Turn::new)?;
        turn.commit_group();
        Ok(turn)
    }

    /// A turn for a new task's read and write (`new_tasks`), which joins the group of new
    /// tasks left open, if any, instead of committing it.
    pub(crate) async fn new_task_turn(&self, writer: &Arc<WriterLock>) -> Result<OwnedWriteTurn, StoreError> {
        self.waited_for_turn(writer.lock_owned_for_new_task())
            .await
            .map(Turn::new)
    }

    async fn waited_for_turn<T>(&self, turn: impl std::future::Future<Output = T>) -> Result<T, StoreError> {
        tokio::time::timeout(self.busy_timeout, turn)
            .await
            .map_err(|_| StoreError::Busy(self.busy_timeout))
    }
}

impl OwnedWriteTurn {
    /// Writes `write` on the calling thread as one write of a group commit (see
    /// `inline::writer`), and returns once the commit that holds it succeeded: at once when
    /// no other new task waits for the turn, else after those waiting have added theirs. Like
    /// [`Turn::write_inline`], tried again while another process holds the database's write
    /// lock. An in-memory database commits each write alone, on sqlx's connection.
    pub(super) async fn write_in_group<T>(
        mut self,
        inline: &InlineSqlite,
        writer: &Arc<WriterLock>,
        mut write: impl FnMut(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Some(file) = inline.file() else {
            return self
                .write_inline(inline, |connection| {
                    let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                    let value = write(&transaction)?;
                    transaction.commit()?;
                    Ok(value)
                })
                .await;
        };
        let mut retry = BusyRetry::new(inline.busy_timeout());
        let (value, outcome) = loop {
            let result = self.0.inline.write_in_group(file, &mut write);
            if let Some(result) = retry.settle(result).await {
                break result?;
            }
        };
        // From here the write waits for a commit: should this command be given up at the
        // yield below, the pending commit, dropped, still sees the group committed.
        let mut pending = PendingCommit::new(outcome, writer.clone());
        if writer.new_tasks_waiting() == 0 {
            // Before committing a group that no task waits to join, let the other tasks of
            // this worker, and requests read meanwhile, run once: a whole command runs in one
            // poll, so tasks that arrived with this one may be a poll away from the turn, and
            // joining costs each of them far less than a commit of its own. With nothing
            // else to run, the yield comes straight back.
            tokio::task::yield_now().await;
        }
        if writer.new_tasks_waiting() > 0 && self.0.inline.group_writes() < MAX_GROUP {
            // Left open for the new tasks waiting; this one queues behind them (see
            // `PendingCommit`).
            drop(self);
            return pending.settled().await.map(|()| value);
        }
        pending.settled = true;
        confirmed(commit_holding(self)).map(|()| value)
    }
}

/// Commits the open group, if any, in `turn`, and starts the checkpoint due after it, if
/// none is under way: whoever commits a group checkpoints, or under steady writes the log
/// would grow without end.
fn commit_holding(mut turn: OwnedWriteTurn) -> Option<GroupOutcome> {
    let outcome = turn.0.inline.commit_group();
    if turn.checkpoint_due() && !turn.0.checkpointing {
        checkpoint_in_two_steps(turn);
    }
    outcome
}

/// Copies SQLite's log back into the database in the background, in two steps. First
/// without this process's turn at writing: new tasks go on being written while SQLite copies
/// the bulk of the log and syncs the database file, 5 ms or so and now and then 50-90 ms, for
/// which every `/launch task` used to wait in the turn (BENCHMARKS.md, twelfth session). Then
/// in the turn, for what was written meanwhile: the log starts over only after a checkpoint
/// that no write of this process came between (`checkpoints`), so the turn is still taken,
/// for a few pages' copy instead of a thousand. A failed step costs nothing lasting: a later
/// commit past 1,000 pages of log starts another.
///
/// The first step uses sqlx's writer connection (the pool holds one): a write through it
/// waits for that step, as it waited for the whole checkpoint before. The connection goes back
/// to the pool when the step ends, not to the turn: a writer that holds the turn and waits for
/// the connection gets it then, instead of waiting for the turn it holds.
fn checkpoint_in_two_steps(mut turn: OwnedWriteTurn) {
    turn.0.checkpointing = true;
    let parked = turn.0.parked.take();
    let pool = turn.0.pool.clone();
    let slot = OwnedMutexGuard::mutex(&turn.0).clone();
    drop(turn);
    tokio::spawn(async move {
        // PASSIVE: it waits for no reader and no writer, and copies what no reader still needs.
        let first = async {
            let mut connection = match parked {
                Some(connection) => connection,
                None => KeptConnection::acquire(&pool).await?,
            };
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut **connection)
                .await
        }
        .await;
        if let Err(err) = first {
            tracing::warn!(error = %err, "a checkpoint's first step failed; its second copies the whole log");
        }
        let mut turn = Turn::new(slot.lock_owned().await);
        // Writers of a group left open wait for whoever takes the turn to commit it.
        turn.commit_group();
        let second = match turn.connection().await {
            Ok(connection) => sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(connection).await,
            Err(err) => Err(err),
        };
        match second {
            Ok(_) => turn.checkpointed(),
            Err(err) => tracing::warn!(error = %err, "checkpoint failed; a later commit will take it"),
        }
        turn.0.checkpointing = false;
    });
}

/// What a write of a group learns of its commit: `Ok` only when the commit succeeded.
fn confirmed(outcome: Option<GroupOutcome>) -> Result<(), StoreError> {
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(err)) => Err(StoreError::GroupCommit(err)),
        None => Err(StoreError::RolledBack),
    }
}

/// A write of a group left open, waiting for the commit that holds it.
///
/// It waits for the outcome and, meanwhile, for the turn at writing: the new tasks that were
/// waiting when the group was left open add their writes and commit, and should they all give
/// up first, this writer's own turn comes and commits the group (any turn but a new task's
/// does). Dropped before either (its command given up), it leaves a task behind to take
/// the turn, so that SQLite's lock is not held by a transaction nobody will commit.
struct PendingCommit {
    outcome: GroupWatch,
    writer: Arc<WriterLock>,
    settled: bool,
}

impl PendingCommit {
    fn new(outcome: GroupWatch, writer: Arc<WriterLock>) -> Self {
        PendingCommit {
            outcome,
            writer,
            settled: false,
        }
    }

    async fn settled(mut self) -> Result<(), StoreError> {
        let writer = self.writer.clone();
        let mut watch = self.outcome.clone();
        let outcome = tokio::select! {
            biased;
            seen = watch.wait_for(Option::is_some) => seen.ok().and_then(|seen| seen.clone()),
            slot = writer.lock_owned() => {
                commit_holding(Turn::new(slot));
                self.outcome.borrow().clone()
            }
        };
        self.settled = true;
        confirmed(outcome)
    }
}

impl Drop for PendingCommit {
    fn drop(&mut self) {
        if self.settled || self.outcome.borrow().is_some() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let writer = self.writer.clone();
            runtime.spawn(async move {
                commit_holding(Turn::new(writer.lock_owned().await));
            });
        }
    }
}
