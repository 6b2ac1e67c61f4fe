//! What can go wrong in the store, as its callers tell it apart.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database {url} is read-only; Liftoff needs to write to it")]
    ReadOnly { url: String },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// An error of a statement run on the calling thread (`inline`).
    #[error("database error: {0}")]
    Inline(#[from] rusqlite::Error),
    /// Other writes held SQLite for longer than `database.busy_timeout`.
    #[error("the database stayed busy with other writes for {0:?}")]
    Busy(Duration),
    /// Someone else changed the row since it was read; the caller re-reads and retries.
    #[error("the record was changed by someone else at the same time")]
    Conflict,
    /// The reply update this change carries out was already applied (by an earlier delivery
    /// of the same message): nothing was written.
    #[error("this reply's update was already applied")]
    AlreadyApplied,
    /// The commit that was to hold this write, with others made at the same time, failed
    /// (`inline::writer`'s group commit): nothing of it was stored.
    #[error("database error: {0}")]
    GroupCommit(std::sync::Arc<StoreError>),
    /// This write was rolled back with the transaction it was made in, before any commit:
    /// nothing of it was stored.
    #[error("database error: the write was rolled back before its commit")]
    RolledBack,
    /// A stored value the code does not understand: a bug or a hand-edited row.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether a unique or primary-key constraint refused the write (a slug, key or id taken
    /// by a concurrent write), whichever driver ran it (sqlx, or `inline`'s rusqlite).
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(err) => is_unique_violation(err),
            StoreError::Inline(err) => super::inline::is_unique_violation(err),
            _ => false,
        }
    }
}

/// Whether an error is a unique-constraint violation (a slug or key taken by a concurrent write).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
