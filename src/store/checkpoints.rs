//! SQLite's write-ahead log copied back into the database in the background, not at the
//! end of whichever write happens to fill it.
//!
//! By default the connection that commits a write past 1,000 pages of log runs the checkpoint
//! there and then, inside that write's `COMMIT`: a `/launch task` now and then waited for it,
//! and a check-in round (90 MB of messages in one transaction) spent a twelfth of its time in
//! it. So the writer's connection has automatic checkpoints off (`wal_autocheckpoint = 0`,
//! set in `Store::connect`) and this task runs them instead, on a reader's connection, once
//! the log has grown past what SQLite would have let it grow. A `PASSIVE` checkpoint never
//! waits for readers or the writer: what it cannot copy yet it copies next time.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sqlx::SqlitePool;
use tokio_util::sync::CancellationToken;

/// How often the log's size is looked at: a `stat`, no query, while nothing is written.
const LOOK_EVERY: Duration = Duration::from_millis(500);

/// Log size from which a checkpoint runs: SQLite's own default (1,000 pages of 4 KiB).
const CHECKPOINT_FROM_BYTES: u64 = 1000 * 4096;

/// Checkpoints `database`'s log through `readers` until `stop` is cancelled.
pub(super) async fn keep_checkpointing(readers: SqlitePool, database: PathBuf, stop: CancellationToken) {
    let mut log = database.into_os_string();
    log.push("-wal");
    let log = PathBuf::from(log);
    let mut last_checkpointed: Option<SystemTime> = None;
    let mut every = tokio::time::interval(LOOK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        let Ok(metadata) = std::fs::metadata(&log) else {
            continue;
        };
        let written_at = metadata.modified().ok();
        // The log keeps its size once grown (SQLite reuses it from the start after a
        // checkpoint), so its modification time says whether anything new is in it.
        if metadata.len() < CHECKPOINT_FROM_BYTES || written_at == last_checkpointed {
            continue;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&readers).await {
            Ok(_) => last_checkpointed = written_at,
            Err(err) if readers.is_closed() => {
                tracing::debug!(error = %err, "checkpointer stopping: the store is closed");
                return;
            }
            Err(err) => tracing::warn!(error = %err, "background checkpoint failed; trying again later"),
        }
    }
}
