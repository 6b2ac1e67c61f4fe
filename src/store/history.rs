//! The change history: appended in the same transaction as the change it records.

use super::rows::{HistoryRow, convert_all, history_columns};
use super::{Store, StoreError, on_pool, to_millis};
use liftoff_core::{HistoryEntry, LaunchId};

/// The start of an insert of history rows, up to its `VALUES`: one column list for
/// [`insert_history!`] and [`push_history_insert!`].
macro_rules! history_insert_into {
    () => {
        "INSERT INTO history (launch_id, task_id, actor, source, at_ms, field, from_value, to_value, note) VALUES "
    };
}
pub(crate) use history_insert_into;

/// Appends `$entry` (a `&HistoryEntry`) through `$conn` (a connection or transaction of either
/// backend). A macro rather than a function because it must compile against both backends'
/// connection types inside [`on_pool!`].
macro_rules! insert_history {
    ($conn:expr, $entry:expr) => {{
        let entry: &::liftoff_core::HistoryEntry = $entry;
        sqlx::query(concat!(
            $crate::store::history::history_insert_into!(),
            "($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(entry.launch_id.0)
        .bind(entry.task_id.map(|t| t.0))
        .bind(entry.actor.as_stored())
        .bind(entry.source.as_str())
        .bind($crate::store::to_millis(entry.at))
        .bind(entry.field.as_str())
        .bind(entry.from.as_deref())
        .bind(entry.to.as_deref())
        .bind(entry.note.as_deref())
        .execute($conn)
        .await
    }};
}
pub(crate) use insert_history;

/// Pushes onto the query builder `$builder` (of either backend) the insert of `$entry` (a
/// `&HistoryEntry`): [`insert_history!`] as one statement of a longer query.
macro_rules! push_history_insert {
    ($builder:expr, $entry:expr) => {{
        let entry: &::liftoff_core::HistoryEntry = $entry;
        $builder.push(concat!($crate::store::history::history_insert_into!(), "("));
        $builder
            .separated(", ")
            .push_bind(entry.launch_id.0)
            .push_bind(entry.task_id.map(|t| t.0))
            .push_bind(entry.actor.as_stored())
            .push_bind(entry.source.as_str())
            .push_bind($crate::store::to_millis(entry.at))
            .push_bind(entry.field.as_str())
            .push_bind(entry.from.as_deref())
            .push_bind(entry.to.as_deref())
            .push_bind(entry.note.as_deref());
        $builder.push(")");
    }};
}
pub(crate) use push_history_insert;

impl Store {
    /// A launch's history including its tasks', oldest first.
    pub async fn launch_history(&self, launch: LaunchId) -> Result<Vec<HistoryEntry>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            history_columns!(),
            " FROM history WHERE launch_id = $1 ORDER BY id"
        );
        let rows: Vec<HistoryRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(launch.0).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// Entries recorded at or after `since`, oldest first: "what changed since the last digest".
    pub async fn history_since(&self, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<HistoryEntry>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            history_columns!(),
            " FROM history WHERE at_ms >= $1 ORDER BY id"
        );
        let rows: Vec<HistoryRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(to_millis(since)).fetch_all(pool).await)?;
        convert_all(rows)
    }
}
