//! Reads that draw one whole view at once.
//!
//! On SQLite the page is one statement whose parts come back as JSON arrays, run on the
//! calling thread (`inline`): through sqlx each query was a hand-off to the connection's
//! worker thread and back (two thread wake-ups), and a view drawn from eight reads paid for
//! eight of those on top of its SQL. On PostgreSQL, whose protocol streams rows cheaply, it is
//! the same reads on one connection (BENCHMARKS.md, "Where the time went").

use std::collections::BTreeMap;

use super::functions::{OVERRIDES, OverrideRow, overrides_by_function};
use super::gonogo::{BallotRow, RoundRow, assemble, latest_gonogo, round_columns};
use super::launches::{LAUNCH_BY_ID, LAUNCH_BY_SLUG, METRICS};
use super::outbox::{FAILED, FailedRow, failed_messages};
use super::rows::{LaunchRow, MetricRow, TaskRow, convert_all, launch_columns, task_columns};
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

/// The page's SQL on SQLite, after `SELECT`: the launch's columns, then each part of the page
/// as one JSON array (of arrays of the columns its row type reads, in that order), so that
/// the whole page is one statement. Each query that the PostgreSQL read makes on its own
/// appears here as a subquery of the launch `l`, in the same order. No part is sorted here but
/// in Rust, after parsing, in the PostgreSQL read's order: an aggregate's `ORDER BY` builds an
/// ephemeral B-tree per part on every read (opening, filling and closing six of them was a
/// tenth of `/launch show`'s SQLite time), and each part carries what it sorts by.
macro_rules! sqlite_page_columns {
    () => {
        concat!(
            launch_columns!(),
            ", (SELECT json_group_array(json_array(",
            task_columns!(),
            ")) FROM tasks t WHERE t.launch_id = l.id) AS tasks",
            ", (SELECT json_group_array(json_array(id, json_array(name, target, target_direction, unit, \
               review_offset_days, actual))) FROM launch_metrics m WHERE m.launch_id = l.id) AS metrics",
            ", (SELECT json_group_array(json_array(r.task_id, r.role, r.user_id)) \
               FROM task_roles r JOIN tasks t ON t.id = r.task_id WHERE t.launch_id = l.id) AS roles",
            ", (SELECT json_array(",
            round_columns!(),
            ") FROM gonogos g WHERE g.launch_id = l.id ORDER BY g.id DESC LIMIT 1) AS gonogo",
            ", (SELECT json_group_array(json_array(function_name, json_array(function_name, voter, vote, reason, voted_at_ms))) \
               FROM gonogo_ballots b WHERE b.gonogo_id = (SELECT MAX(g.id) FROM gonogos g WHERE g.launch_id = l.id)) AS ballots",
            ", (SELECT json_group_array(json_array(function_name, channel_id, lead_user_id)) FROM function_settings) AS overrides",
        )
    };
}

/// A launch's page as one SQLite row: the launch, and the rest as JSON arrays.
struct SqlitePageRow {
    launch: LaunchRow,
    tasks: String,
    metrics: String,
    roles: String,
    gonogo: Option<String>,
    ballots: String,
    overrides: String,
    failed: String,
}

impl SqlitePageRow {
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<SqlitePageRow> {
        Ok(SqlitePageRow {
            launch: LaunchRow::from_inline(row)?,
            tasks: row.get("tasks")?,
            metrics: row.get("metrics")?,
            roles: row.get("roles")?,
            gonogo: row.get("gonogo")?,
            ballots: row.get("ballots")?,
            overrides: row.get("overrides")?,
            failed: row.get("failed")?,
        })
    }
}

/// [`Store::launch_page`] on SQLite: one statement, on the calling thread (see `inline`).
async fn sqlite_launch_page(
    inline: &super::inline::InlineSqlite,
    readers: &sqlx::SqlitePool,
    reference: &LaunchRef,
    undelivered: i64,
) -> Result<Option<LaunchPage>, StoreError> {
    // The failed messages are the one part not about the launch; their limit is written into
    // the SQL, not bound (see `limited`).
    let failed = format!(
        ", (SELECT json_group_array(json_array(id, json_array(idempotency_key, kind, target, last_error))) \
         FROM (SELECT id, idempotency_key, kind, target, last_error FROM outbox WHERE state = 'failed' \
         ORDER BY id DESC LIMIT {undelivered})) AS failed FROM launches l WHERE "
    );
    let by = match reference {
        LaunchRef::Id(_) => "l.id",
        LaunchRef::Slug(_) => "l.slug",
    };
    let sql = format!(concat!("SELECT ", sqlite_page_columns!(), "{}{} = $1"), failed, by);
    let row: Option<SqlitePageRow> = inline
        .read(readers, |connection| {
            let mut statement = connection.prepare_cached(&sql)?;
            let found = match reference {
                LaunchRef::Id(id) => {
                    statement.query_row(rusqlite::named_params! { "$1": id.0 }, SqlitePageRow::from_inline)
                }
                LaunchRef::Slug(slug) => statement.query_row(
                    rusqlite::named_params! { "$1": slug.as_str() },
                    SqlitePageRow::from_inline,
                ),
            };
            rusqlite::OptionalExtension::optional(found)
        })
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    fn parse<T: serde::de::DeserializeOwned>(part: &str, json: &str) -> Result<T, StoreError> {
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("launch page {part}: {e}")))
    }
    /// A part's rows by the key each carries first, in the key's order (the newest first if
    /// `newest_first`).
    fn sorted<K: Ord, R>(mut keyed: Vec<(K, R)>, newest_first: bool) -> Vec<R> {
        keyed.sort_by(|a, b| if newest_first { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
        keyed.into_iter().map(|(_, row)| row).collect()
    }
    let mut tasks: Vec<TaskRow> = parse("tasks", &row.tasks)?;
    TaskOrder::FunctionThenDueDate.sort(&mut tasks);
    let metrics: Vec<(i64, MetricRow)> = parse("metrics", &row.metrics)?;
    let mut roles: Vec<(i64, String, String)> = parse("roles", &row.roles)?;
    roles.sort_unstable();
    let gonogo = match &row.gonogo {
        Some(round) => {
            let round: RoundRow = parse("go/no-go", round)?;
            let ballots: Vec<(String, BallotRow)> = parse("ballots", &row.ballots)?;
            Some(assemble(round, sorted(ballots, false))?)
        }
        None => None,
    };
    let overrides: Vec<OverrideRow> = parse("function settings", &row.overrides)?;
    let failed: Vec<(i64, FailedRow)> = parse("failed messages", &row.failed)?;
    let (metrics, failed) = (sorted(metrics, false), sorted(failed, true));
    let launch = Launch::try_from(row.launch)?;
    LaunchPage::from_rows(launch, tasks, metrics, roles, gonogo, overrides, failed).map(Some)
}
