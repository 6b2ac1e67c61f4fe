//! Reads that draw one whole view at once.
//!
//! On SQLite the page's reads run on the calling thread (`inline`) in one read transaction:
//! through sqlx each query was a hand-off to the connection's worker thread and back (two
//! thread wake-ups), and a view drawn from eight reads paid for eight of those on top of its
//! SQL. On PostgreSQL, whose protocol streams rows cheaply, it is the same reads on one
//! connection (BENCHMARKS.md, "Where the time went").

use std::collections::BTreeMap;

use super::functions::{OVERRIDES, OverrideRow, overrides_by_function};
use super::gonogo::{BALLOTS, BallotRow, RoundRow, assemble, latest_gonogo, round_columns};
use super::launches::{LAUNCH_BY_ID, LAUNCH_BY_SLUG, METRICS};
use super::outbox::{FAILED, FailedRow, failed_messages};
use super::rows::{LaunchRow, MetricRow, TaskRow, convert_all};
use super::tasks::{Bind, BulkTaskRows, LAUNCH_ROLES, LAUNCH_TASKS, TaskOrder, roles_by_task};
use super::{Pool, Store, StoreError, limited};
use crate::outbound::FailedMessage;
use liftoff_core::gonogo::GoNoGo;
use liftoff_core::launch::{Launch, LaunchRef, SuccessMetric};
use liftoff_core::task::{RoleAssignment, Task};
use liftoff_core::{FunctionName, FunctionOverrides, TaskId};

/// What `/launch show` draws: a launch and everything about it, as stored.
#[derive(Debug)]
pub struct LaunchPage {
    pub launch: Launch,
    /// Grouped by function, soonest due first.
    pub tasks: Vec<Task>,
    pub metrics: Vec<SuccessMetric>,
    /// RACI roles beyond the owner, for the tasks that have any.
    pub roles: BTreeMap<TaskId, Vec<RoleAssignment>>,
    pub gonogo: Option<GoNoGo>,
    /// The functions' channels and leads as changed from Slack.
    pub overrides: BTreeMap<FunctionName, FunctionOverrides>,
    /// The latest messages Liftoff gave up delivering (at most the limit asked for).
    pub undelivered: Vec<FailedMessage>,
}

impl LaunchPage {
    /// The page from its rows as either backend reads them.
    fn from_rows(
        launch: Launch,
        tasks: Vec<TaskRow>,
        metrics: Vec<MetricRow>,
        roles: Vec<(i64, String, String)>,
        gonogo: Option<GoNoGo>,
        overrides: Vec<OverrideRow>,
        failed: Vec<FailedRow>,
    ) -> Result<LaunchPage, StoreError> {
        Ok(LaunchPage {
            launch,
            tasks: convert_all(tasks)?,
            metrics: convert_all(metrics)?,
            roles: roles_by_task(roles)?,
            gonogo,
            overrides: overrides_by_function(overrides)?,
            undelivered: failed_messages(failed),
        })
    }
}

impl Store {
    /// The launch `reference` names and everything its page shows, or `None` if there is no
    /// such launch; `undelivered` is how many undelivered messages to include at most.
    pub async fn launch_page(&self, reference: &LaunchRef, undelivered: i64) -> Result<Option<LaunchPage>, StoreError> {
        match &self.pool {
            Pool::Sqlite { readers, inline, .. } => sqlite_launch_page(inline, readers, reference, undelivered).await,
            Pool::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let row: Option<LaunchRow> = match reference {
                    LaunchRef::Id(id) => {
                        sqlx::query_as(LAUNCH_BY_ID)
                            .bind(id.0)
                            .fetch_optional(&mut *conn)
                            .await?
                    }
                    LaunchRef::Slug(slug) => {
                        sqlx::query_as(LAUNCH_BY_SLUG)
                            .bind(slug.as_str())
                            .fetch_optional(&mut *conn)
                            .await?
                    }
                };
                let Some(row) = row else {
                    return Ok(None);
                };
                let launch = Launch::try_from(row)?;
                let tasks = conn
                    .task_rows_bulk(LAUNCH_TASKS, TaskOrder::FunctionThenDueDate, Bind::Id(launch.id.0))
                    .await?;
                let metrics: Vec<MetricRow> = sqlx::query_as(METRICS).bind(launch.id.0).fetch_all(&mut *conn).await?;
                let roles: Vec<(i64, String, String)> = sqlx::query_as(LAUNCH_ROLES)
                    .bind(launch.id.0)
                    .fetch_all(&mut *conn)
                    .await?;
                let gonogo = latest_gonogo!(conn, launch.id)?;
                let overrides: Vec<OverrideRow> = sqlx::query_as(OVERRIDES).fetch_all(&mut *conn).await?;
                let failed: Vec<FailedRow> = sqlx::query_as(limited(FAILED, undelivered))
                    .fetch_all(&mut *conn)
                    .await?;
                LaunchPage::from_rows(launch, tasks, metrics, roles, gonogo, overrides, failed).map(Some)
            }
        }
    }
}

/// The latest go/no-go round of launch `$1`.
const LATEST_ROUND: &str = concat!(
    "SELECT ",
    round_columns!(),
    " FROM gonogos WHERE launch_id = $1 ORDER BY id DESC LIMIT 1"
);

/// [`LAUNCH_ROLES`] without its `ORDER BY`: sorted in Rust, where SQLite would fill and empty
/// a sorter for it on every read.
const LAUNCH_ROLES_UNSORTED: &str = "SELECT r.task_id, r.role, r.user_id FROM task_roles r JOIN tasks t ON t.id = r.task_id \
     WHERE t.launch_id = $1";

/// [`Store::launch_page`] on SQLite: the PostgreSQL read's statements, each prepared once per
/// connection, stepped on the calling thread (see `inline`) inside one read transaction, so
/// the parts are of one moment. The page had been one statement whose parts SQLite built as
/// JSON arrays for Rust to parse back, when every statement was a hand-off to sqlx's worker
/// thread; on the calling thread a row costs no hand-off, and the read without the JSON took
/// 30% of `/launch show`'s profile instead of 37% (BENCHMARKS.md, ninth session).
async fn sqlite_launch_page(
    inline: &super::inline::InlineSqlite,
    readers: &sqlx::SqlitePool,
    reference: &LaunchRef,
    undelivered: i64,
) -> Result<Option<LaunchPage>, StoreError> {
    // The failed messages' limit is written into the SQL, not bound (see `limited`).
    let failed_sql = limited(FAILED, undelivered).0;
    let parts = inline
        .read(readers, |connection| {
            connection.prepare_cached("BEGIN")?.execute([])?;
            let parts = read_page_parts(connection, reference, &failed_sql);
            // Ends the read transaction whatever the outcome: a reader still in one is not
            // shelved for the next read (`InlineSqlite::read_file`).
            connection.prepare_cached("COMMIT")?.execute([])?;
            parts
        })
        .await?;
    let Some(mut parts) = parts else {
        return Ok(None);
    };
    TaskOrder::FunctionThenDueDate.sort(&mut parts.tasks);
    parts.roles.sort_unstable();
    let gonogo = parts
        .gonogo
        .map(|(round, ballots)| assemble(round, ballots))
        .transpose()?;
    let launch = Launch::try_from(parts.launch)?;
    LaunchPage::from_rows(
        launch,
        parts.tasks,
        parts.metrics,
        parts.roles,
        gonogo,
        parts.overrides,
        parts.failed,
    )
    .map(Some)
}

/// A launch's page as SQLite's rows, before conversion.
struct SqlitePageParts {
    launch: LaunchRow,
    tasks: Vec<TaskRow>,
    metrics: Vec<MetricRow>,
    roles: Vec<(i64, String, String)>,
    gonogo: Option<(RoundRow, Vec<BallotRow>)>,
    overrides: Vec<OverrideRow>,
    failed: Vec<FailedRow>,
}

/// Reads the page's rows on `connection`, or `None` when no launch is `reference`.
fn read_page_parts(
    connection: &rusqlite::Connection,
    reference: &LaunchRef,
    failed_sql: &str,
) -> rusqlite::Result<Option<SqlitePageParts>> {
    use rusqlite::OptionalExtension;
    let launch = match reference {
        LaunchRef::Id(id) => connection
            .prepare_cached(LAUNCH_BY_ID)?
            .query_row(rusqlite::named_params! { "$1": id.0 }, LaunchRow::from_inline),
        LaunchRef::Slug(slug) => connection
            .prepare_cached(LAUNCH_BY_SLUG)?
            .query_row(rusqlite::named_params! { "$1": slug.as_str() }, LaunchRow::from_inline),
    }
    .optional()?;
    let Some(launch) = launch else {
        return Ok(None);
    };
    let id = rusqlite::named_params! { "$1": launch.id() };
    let tasks = connection
        .prepare_cached(LAUNCH_TASKS)?
        .query_map(id, TaskRow::from_inline)?
        .collect::<rusqlite::Result<_>>()?;
    let metrics = connection
        .prepare_cached(METRICS)?
        .query_map(id, MetricRow::from_inline)?
        .collect::<rusqlite::Result<_>>()?;
    let roles = connection
        .prepare_cached(LAUNCH_ROLES_UNSORTED)?
        .query_map(id, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let round = connection
        .prepare_cached(LATEST_ROUND)?
        .query_row(id, RoundRow::from_inline)
        .optional()?;
    let gonogo = match round {
        Some(round) => {
            let ballots = connection
                .prepare_cached(BALLOTS)?
                .query_map(rusqlite::named_params! { "$1": round.id }, BallotRow::from_inline)?
                .collect::<rusqlite::Result<_>>()?;
            Some((round, ballots))
        }
        None => None,
    };
    let overrides = connection
        .prepare_cached(OVERRIDES)?
        .query_map([], OverrideRow::from_inline)?
        .collect::<rusqlite::Result<_>>()?;
    let failed = connection
        .prepare_cached(failed_sql)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(SqlitePageParts {
        launch,
        tasks,
        metrics,
        roles,
        gonogo,
        overrides,
        failed,
    }))
}
