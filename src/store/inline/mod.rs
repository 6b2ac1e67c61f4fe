//! SQLite called on the calling thread, for the replies people wait on most: `/launch show`'s
//! page (`pages`) and `/launch task`'s new task (`new_tasks`).
//!
//! Why: sqlx runs each SQLite connection on a thread of its own, and every statement is a
//! hand-off to that thread and back, two thread wake-ups that cost more than the statement
//! itself (four of a `/launch task`'s ~7.5 context switches were its two statements,
//! BENCHMARKS.md). SQLite is a library made to be called in place, as the Bolt-JS peer's
//! `better-sqlite3` does; here `rusqlite` calls it on the tokio worker serving the request.
//! The page's one statement and the task's one transaction take tens of microseconds, less
//! than one hand-off, and within what a tokio task may run between two awaits.
//!
//! What never runs here is a wait: on the disk, or on another writer.
//! - A commit in WAL mode with `synchronous = NORMAL` appends to the log without `fsync`. The
//!   checkpoint that copies the log back into the database (and syncs it) is what a commit
//!   past 1,000 pages of log would run in place; so the inline writer's log hook
//!   (`writer::note_log_pages`) replaces that automatic checkpoint and only notes the log's length,
//!   and the turn at writing hands the checkpoint to sqlx's writer thread
//!   (`checkpoints::checkpoint_holding`).
//! - SQLite's busy handler sleeps in place; these connections have none (`busy_timeout` 0),
//!   and a statement that finds the database busy (another process writing the same file)
//!   is retried after an async sleep instead, for up to `database.busy_timeout`
//!   ([`BusyRetry`]).
//!
//! The connections: on a database file, this module opens its own, with the settings of
//! sqlx's ([`InlineSqlite::open`]; test
//! `store::inline_connections_have_the_pools_settings_on_sqlite`): a shelf of readers, and the
//! writer's, which lives in the turn at writing beside sqlx's writer so that this process
//! still writes one at a time. An in-memory database exists once per connection, so there the
//! same code runs on sqlx's own connection, locked away from its thread for the call
//! (`lock_handle`), without a statement cache.
//!
//! The writer's connection also commits new tasks in groups (`writer`).

mod statement;
mod writer;

pub(super) use statement::InlineStatement;
pub(super) use writer::{GroupOutcome, GroupWatch, InlineWriter, MAX_GROUP};

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sqlx::{SqliteConnection, SqlitePool};

use super::StoreError;

/// Statements each inline connection keeps prepared, with room to spare: a reader, the page's
/// eleven (`store::pages`: its `BEGIN` and `COMMIT`, the launch by id or by slug, and seven
/// reads of its parts); the writer, the slot's two, the task's inserts with and without a DM
/// and the group commit's five (`writer`).
const CACHED_STATEMENTS: usize = 16;

/// The inline connections of one store (see the module's doc).
#[derive(Debug)]
pub(crate) struct InlineSqlite {
    /// The database file; `None` for an in-memory database.
    file: Option<PathBuf>,
    /// `database.busy_timeout`: how long a busy database is retried.
    busy_timeout: Duration,
    /// Readers between reads. A read never awaits, so no more of them are ever in use at once
    /// than there are tokio workers; `room` bounds the shelf all the same.
    shelf: Mutex<Vec<Connection>>,
    room: usize,
}

impl InlineSqlite {
    /// For the database file `file` (`None`: in memory), keeping up to `room` readers.
    pub(super) fn new(file: Option<PathBuf>, busy_timeout: Duration, room: usize) -> Self {
        InlineSqlite {
            file,
            busy_timeout,
            shelf: Mutex::new(Vec::new()),
            room,
        }
    }

    /// Opens a connection with the settings `Store::connect` gives sqlx's: the log is the
    /// file's own setting (sqlx set it when it opened the file), the rest is each
    /// connection's. No busy handler: see [`BusyRetry`].
    fn open(file: &Path, writer: bool) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::ZERO)?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        if writer {
            // As sqlx's writer: a large statement's journal stays in memory (`Store::connect`).
            connection.pragma_update(None, "temp_store", "MEMORY")?;
            connection.wal_hook(Some(writer::note_log_pages));
        }
        connection.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(connection)
    }

    /// Runs `read` on a reader, on this thread. `readers` is sqlx's pool, whose one connection
    /// an in-memory database reads through.
    pub(super) async fn read<T>(
        &self,
        readers: &SqlitePool,
        mut read: impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut retry = BusyRetry::new(self.busy_timeout);
        let Some(file) = &self.file else {
            let mut connection = readers.acquire().await?;
            loop {
                let result = on_sqlx_connection(&mut connection, |c| Ok(read(c)?)).await;
                if let Some(result) = retry.settle(result).await {
                    return result;
                }
            }
        };
        loop {
            let result = self.read_file(file, &mut read);
            if let Some(result) = retry.settle(result).await {
                return result;
            }
        }
    }

    /// [`InlineSqlite::read`] on a reader of `file` from the shelf (or a new one), put back
    /// after a read that succeeded.
    fn read_file<T>(
        &self,
        file: &Path,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let taken = self.shelf.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let connection = match taken {
            Some(connection) => connection,
            None => Self::open(file, false)?,
        };
        let result = read(&connection);
        if result.is_ok() && connection.is_autocommit() {
            let mut shelf = self.shelf.lock().unwrap_or_else(|p| p.into_inner());
            if shelf.len() < self.room {
                shelf.push(connection);
            }
        }
        Ok(result?)
    }

    /// The database file; `None` for an in-memory database.
    pub(super) fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub(super) fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// Closes the shelved readers (before the store closes).
    pub(super) fn release(&self) {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// How many readers wait on the shelf.
    #[cfg(feature = "testing")]
    pub(super) fn shelved(&self) -> usize {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Runs `work` on sqlx's `connection` from this thread, locked away from the connection's own
/// thread meanwhile, without a statement cache.
pub(super) async fn on_sqlx_connection<T>(
    connection: &mut SqliteConnection,
    work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut locked = connection.lock_handle().await?;
    // SAFETY: while `locked` lives, sqlx's thread makes no call on this handle or its
    // statements; `borrowed` does not close the handle, and dropping it (before `locked`)
    // finalizes every statement it prepared.
    let mut borrowed = unsafe { Connection::from_handle(locked.as_raw_handle().as_ptr()) }?;
    borrowed.set_prepared_statement_cache_capacity(0);
    let result = work(&mut borrowed);
    if !borrowed.is_autocommit() {
        // sqlx believes the connection outside any transaction: leave it so.
        borrowed.execute_batch("ROLLBACK")?;
    }
    drop(borrowed);
    drop(locked);
    result
}

/// How a statement that found the database busy (another process holding the write lock) is
/// tried again: after an async sleep, for up to `database.busy_timeout`, then
/// [`StoreError::Busy`]. Nothing waits in SQLite's busy handler, which would sleep on the
/// calling thread.
pub(super) struct BusyRetry {
    started: Instant,
    timeout: Duration,
    pause: Duration,
}

impl BusyRetry {
    pub(super) fn new(timeout: Duration) -> Self {
        BusyRetry {
            started: Instant::now(),
            timeout,
            pause: Duration::from_millis(1),
        }
    }

    /// `Some(result)` when `result` is the answer; `None` once it is time to try again.
    pub(super) async fn settle<T>(&mut self, result: Result<T, StoreError>) -> Option<Result<T, StoreError>> {
        match result {
            Err(StoreError::Inline(err)) if is_busy(&err) => {
                if self.started.elapsed() + self.pause > self.timeout {
                    return Some(Err(StoreError::Busy(self.timeout)));
                }
                tokio::time::sleep(self.pause).await;
                self.pause = (self.pause * 2).min(Duration::from_millis(50));
                None
            }
            other => Some(other),
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether `err` is a unique or primary-key constraint failing (an id or key taken).
pub(super) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}
