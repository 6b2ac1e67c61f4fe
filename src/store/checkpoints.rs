//! When SQLite copies its write-ahead log back into the database file, for the one kind of
//! write that is large: a scheduled run (a check-in round writes ~90 MB for 100k tasks).
//!
//! By default (`wal_autocheckpoint`, 1,000 pages) the `COMMIT` that takes the log past
//! 1,000 pages copies the log into the database before it returns. For a command's few pages
//! that is a small, steady cost; for a check-in round it was a twelfth of the round, spent
//! after its messages were already safe in the log, and with the delivery worker waiting to
//! start on them. So a round commits with automatic checkpoints off on its connection
//! ([`DeferredCheckpoint`]), and the checkpoint runs right after, in the background, in the
//! same turn at writing ([`checkpoint_holding`]). The inline writer (`inline`), whose commits
//! run on a tokio worker, never checkpoints in place: its log hook notes when the log passes
//! 1,000 pages, and the commit that finds it so starts a checkpoint in two steps
//! (`writer::checkpoint_in_two_steps`): the bulk of the log without the turn, so new tasks are
//! not held up by its copy and sync, then what was written meanwhile in the turn.
//!
//! Why in the same turn, and not whenever convenient: a checkpoint that runs while writes go
//! on never finishes copying, so SQLite never starts the log again from its beginning (it
//! grew to 4.4 GB in 40 s under steady `/launch task` writes, BENCHMARKS.md). Holding this
//! process's turn, nothing else of this process writes until it is done, so it copies the
//! whole log and the next write starts the log over. Every other write keeps SQLite's
//! default (test: `store::the_log_stays_bounded_under_steady_writes_on_sqlite`, and
//! `store::job_runs::check_in_rounds_keep_the_log_to_one_round_on_sqlite` for this one).

use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use super::{OwnedWriteTurn, StoreError};

/// A SQLite connection with automatic checkpoints off until [`DeferredCheckpoint::finish`]
/// turns them back on. A setting on a pooled connection outlives whoever set it, so one
/// dropped before `finish` (a failed round) is closed rather than pooled: the next writer
/// opens a fresh connection with SQLite's defaults instead of inheriting a log that no
/// commit would ever copy back.
pub(super) struct DeferredCheckpoint<'c> {
    connection: &'c mut PoolConnection<Sqlite>,
    /// The connection's own `wal_autocheckpoint` before, restored by `finish`.
    pages: i64,
    finished: bool,
}

impl<'c> DeferredCheckpoint<'c> {
    pub(super) async fn start(
        connection: &'c mut PoolConnection<Sqlite>,
    ) -> Result<DeferredCheckpoint<'c>, StoreError> {
        let mut deferred = DeferredCheckpoint {
            connection,
            pages: 0,
            finished: false,
        };
        deferred.pages = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&mut **deferred.connection)
            .await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut **deferred.connection)
            .await?;
        Ok(deferred)
    }

    pub(super) fn connection(&mut self) -> &mut PoolConnection<Sqlite> {
        self.connection
    }

    /// Turns automatic checkpoints back on; the connection can serve the next writer.
    pub(super) async fn finish(mut self) -> Result<(), StoreError> {
        // PRAGMA takes no bound parameters: the value is an integer SQLite itself reported.
        let restore = format!("PRAGMA wal_autocheckpoint = {}", self.pages);
        sqlx::query(sqlx::AssertSqlSafe(restore))
            .execute(&mut **self.connection)
            .await?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for DeferredCheckpoint<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.connection.close_on_drop();
        }
    }
}

/// Copies SQLite's log back into the database in the background, keeping `turn` (this
/// process's turn at writing) until it is done, so that no write of this process comes
/// between the large write before it and the checkpoint (see the module's doc). A failed
/// checkpoint costs nothing lasting: the next commit past 1,000 pages of log takes it.
pub(super) fn checkpoint_holding(mut turn: OwnedWriteTurn) {
    tokio::spawn(async move {
        // PASSIVE: it waits for no reader, and with no writer it copies everything that
        // no reader still needs from the log.
        let checkpoint = match turn.connection().await {
            Ok(connection) => sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(connection).await,
            Err(err) => Err(err),
        };
        match checkpoint {
            Ok(_) => turn.checkpointed(),
            Err(err) => {
                tracing::warn!(error = %err, "checkpoint after a large write failed; a later commit will take it")
            }
        }
        drop(turn);
    });
}
