//! The writer's inline connection, and **group commit**: new tasks added at the same time
//! share one SQLite commit.
//!
//! Why: a commit writes every page its transaction changed to the log, and a new task, its
//! `created` history row and its owner's DM change ~17 pages of three tables and their
//! indexes. Tasks added together change mostly the same pages: 16.8 pages of log a task
//! committed alone, 2.5 in groups of 16 (BENCHMARKS.md). Under `/launch task`'s load the
//! commit and its log were a fifth of `serve`'s CPU.
//!
//! How: each task's write goes into the connection's open transaction (opening one if there
//! is none), inside a savepoint of its own when it joins one, so a write that fails takes back
//! only itself. If
//! other new tasks wait for the turn at writing, the transaction stays open for them and the
//! writer waits for the commit that will hold its write (`store::writer`); a write is
//! confirmed, its command answered, only once that commit succeeded. Who commits an open
//! group:
//! - its last writer, finding no new task waiting for the turn even after yielding once (a
//!   command runs in one poll, so those that came with it may be one poll away), or the
//!   group full ([`MAX_GROUP`]);
//! - whoever takes the turn for any other write (`Store::write_turn`): sqlx's writer
//!   connection would find SQLite's lock held by the open transaction;
//! - any of its writers that gets the turn back: each one queues for the turn while it waits
//!   for the outcome, so an open group always has someone on the way to commit it;
//! - closing the store.
//!
//! A commit that fails (a full disk) fails every write of its group, none of which was
//! confirmed, and SQLite rolls them all back. Tests: `group_commit` (tests/api).

use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use tokio::sync::watch;

use super::InlineSqlite;
use crate::store::StoreError;

/// Pages of log after which a commit asks for a checkpoint: SQLite's own default for
/// `wal_autocheckpoint`, which the other connections keep.
const CHECKPOINT_AFTER_PAGES: i32 = 1000;

/// Most writes one commit holds: the first writer of a group waits for the others' writes
/// (tens of microseconds each) before its answer.
pub(in crate::store) const MAX_GROUP: usize = 32;

thread_local! {
    /// Pages in the log after the last commit on this thread's inline writer, as its log hook
    /// reported them: read back right after the commit, on the same thread.
    static LOG_PAGES: Cell<i32> = const { Cell::new(0) };
}

/// The inline writer's log hook: replaces SQLite's automatic checkpoint (which would run in
/// place, on a tokio worker, with an `fsync`) by a note of how long the log has grown.
pub(super) fn note_log_pages(_: &rusqlite::hooks::Wal, pages: std::os::raw::c_int) -> rusqlite::Result<()> {
    LOG_PAGES.set(pages);
    Ok(())
}

/// How the commit holding a group's writes went.
pub(in crate::store) type GroupOutcome = Result<(), Arc<StoreError>>;

/// Where a writer of a group learns its outcome: `None` until the commit. Closed without an
/// outcome when the group was rolled back before any commit.
pub(in crate::store) type GroupWatch = watch::Receiver<Option<GroupOutcome>>;

/// The writes in the connection's open transaction, waiting for its commit.
#[derive(Debug)]
struct OpenGroup {
    outcome: watch::Sender<Option<GroupOutcome>>,
    writes: usize,
}

/// The writer's inline connection, kept in the turn at writing (`writer::WriterSlot`).
#[derive(Debug, Default)]
pub(in crate::store) struct InlineWriter {
    connection: Option<Connection>,
    /// The log passed [`CHECKPOINT_AFTER_PAGES`] at an inline commit, and no checkpoint has
    /// run since.
    checkpoint_due: bool,
    /// The group the connection's open transaction holds, if any.
    group: Option<OpenGroup>,
    /// Groups committed, for tests that check writes share commits.
    #[cfg(feature = "testing")]
    commits: u64,
}

impl InlineWriter {
    /// The connection to `file`, opened if there is none.
    fn connection_to(&mut self, file: &Path) -> Result<&mut Connection, StoreError> {
        let connection = match self.connection.take() {
            Some(connection) => connection,
            None => InlineSqlite::open(file, true)?,
        };
        Ok(self.connection.insert(connection))
    }

    /// Runs `write` on the writer's inline connection to `file` (opened if there is none), on
    /// this thread, inside the open group's transaction if there is one. A write that leaves
    /// the connection in another transaction state than it found it (inside a transaction of
    /// its own, or out of the group's) closes the connection, which rolls back whatever it
    /// held, instead of serving the next writer.
    pub(in crate::store) fn write_to_file<T>(
        &mut self,
        file: &Path,
        write: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let in_group = self.group.is_some();
        let connection = self.connection_to(file)?;
        LOG_PAGES.set(0);
        let result = write(connection);
        let left_as_found = connection.is_autocommit() != in_group;
        self.note_log_length();
        if !left_as_found {
            tracing::error!("an inline write changed its connection's transaction: closing the connection");
            self.close_connection();
        }
        result
    }

    /// Runs `write` on the connection to `file` as one write of the open group (opening one,
    /// `BEGIN IMMEDIATE`, if there is none; a write that joins one runs inside a savepoint): a
    /// write that fails takes back only itself. Returns what it wrote and where to learn whether its commit succeeded;
    /// the caller commits ([`InlineWriter::commit_group`]) or leaves the group open for the
    /// writers waiting for the turn.
    pub(in crate::store) fn write_in_group<T>(
        &mut self,
        file: &Path,
        write: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<(T, GroupWatch), StoreError> {
        let opens = self.group.is_none();
        let connection = self.connection_to(file)?;
        // The statements around each write are prepared once: parsing them every time was
        // as much as the commit saved at 1,000 commands a second, where most groups hold one
        // write.
        let run = |sql: &str| -> Result<(), StoreError> {
            connection.prepare_cached(sql)?.execute([])?;
            Ok(())
        };
        // The write that opens the group needs no savepoint: should it fail, the whole
        // transaction, which holds nothing else, is rolled back.
        let written = if opens {
            run("BEGIN IMMEDIATE")?;
            write(connection)
        } else {
            run("SAVEPOINT new_write").and_then(|()| write(connection))
        };
        // SQLite may roll back the whole transaction on its own after some errors (a full
        // disk, an I/O error): then the group is gone, whatever this write did.
        let settled: Result<(), StoreError> = if connection.is_autocommit() {
            Err(StoreError::RolledBack)
        } else if opens {
            Ok(())
        } else if written.is_ok() {
            run("RELEASE new_write")
        } else {
            run("ROLLBACK TO new_write").and_then(|()| run("RELEASE new_write"))
        };
        let group = self.group.get_or_insert_with(|| OpenGroup {
            outcome: watch::Sender::new(None),
            writes: 0,
        });
        if let Err(err) = settled {
            tracing::error!(error = %err, "a write in a group commit could not be settled: rolling the group back");
            self.abandon_group(err);
            return written.and(Err(StoreError::RolledBack));
        }
        let value = match written {
            Ok(value) => value,
            Err(err) => {
                if group.writes == 0 {
                    // Nobody else's writes are in it: release SQLite's lock now.
                    self.abandon_group(StoreError::RolledBack);
                }
                return Err(err);
            }
        };
        group.writes += 1;
        Ok((value, group.outcome.subscribe()))
    }

    /// Writes in the open group, 0 if there is none.
    pub(in crate::store) fn group_writes(&self) -> usize {
        self.group.as_ref().map_or(0, |group| group.writes)
    }

    /// Commits the open group, if any, and tells its writers how it went. `None` when no
    /// group was open.
    pub(in crate::store) fn commit_group(&mut self) -> Option<GroupOutcome> {
        let group = self.group.take()?;
        let Some(connection) = self.connection.as_mut() else {
            // Closed under the group: its writes went with the connection.
            let outcome: GroupOutcome = Err(Arc::new(StoreError::RolledBack));
            group.outcome.send_replace(Some(outcome.clone()));
            return Some(outcome);
        };
        LOG_PAGES.set(0);
        let committed = connection
            .prepare_cached("COMMIT")
            .and_then(|mut commit| commit.execute([]));
        self.note_log_length();
        #[cfg(feature = "testing")]
        {
            self.commits += 1;
        }
        let outcome: GroupOutcome = match committed {
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::error!(error = %err, writes = group.writes, "a group commit failed: none of its writes is stored");
                self.roll_back();
                Err(Arc::new(err.into()))
            }
        };
        group.outcome.send_replace(Some(outcome.clone()));
        Some(outcome)
    }

    /// Rolls the open group back and tells its writers `err`.
    fn abandon_group(&mut self, err: StoreError) {
        let Some(group) = self.group.take() else { return };
        self.roll_back();
        group.outcome.send_replace(Some(Err(Arc::new(err))));
    }

    /// Rolls back the connection's transaction, if it is still in one; a connection that
    /// cannot roll back is closed, which does.
    fn roll_back(&mut self) {
        if let Some(connection) = &self.connection
            && !connection.is_autocommit()
            && connection.execute_batch("ROLLBACK").is_err()
        {
            self.close_connection();
        }
    }

    /// Notes whether the statement just run took the log past [`CHECKPOINT_AFTER_PAGES`], as
    /// its log hook reported it on this thread.
    fn note_log_length(&mut self) {
        if LOG_PAGES.take() >= CHECKPOINT_AFTER_PAGES {
            self.checkpoint_due = true;
        }
    }

    /// Drops the connection, rolling back whatever it held; an open group's writers learn
    /// that their writes were not stored.
    fn close_connection(&mut self) {
        self.connection = None;
        if let Some(group) = self.group.take() {
            group.outcome.send_replace(Some(Err(Arc::new(StoreError::RolledBack))));
        }
    }

    /// Whether the log has grown past a checkpoint's worth since the last checkpoint.
    pub(in crate::store) fn checkpoint_due(&self) -> bool {
        self.checkpoint_due
    }

    pub(in crate::store) fn checkpointed(&mut self) {
        self.checkpoint_due = false;
    }

    /// Commits the open group, if any, and closes the connection (before the store closes).
    pub(in crate::store) fn close(&mut self) {
        self.commit_group();
        self.close_connection();
    }

    #[cfg(feature = "testing")]
    pub(in crate::store) fn connection(&self) -> Option<&Connection> {
        self.connection.as_ref()
    }

    #[cfg(feature = "testing")]
    pub(in crate::store) fn commits(&self) -> u64 {
        self.commits
    }
}
