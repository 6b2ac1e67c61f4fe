//! Reads that draw one whole view, on one connection.
//!
//! sqlx checks a connection each time it goes back to the pool: a round trip, a thread
//! hand-off on SQLite and a network one on PostgreSQL. A view drawn from seven reads that each
//! took their own connection paid seven of those on top of its queries; read here on one
//! connection, it pays one (BENCHMARKS.md, "Where the time went").

use std::collections::BTreeMap;

use super::functions::{OVERRIDES, OverrideRow, overrides_by_function};
use super::gonogo::latest_gonogo;
use super::launches::{LAUNCH_BY_ID, LAUNCH_BY_SLUG, METRICS};
use super::outbox::{FAILED, FailedRow, failed_messages};
use super::rows::{LaunchRow, MetricRow, convert_all};
use super::tasks::{Bind, BulkTaskRows, LAUNCH_ROLES, LAUNCH_TASKS, LAUNCH_TASKS_ORDER, roles_by_task};
use super::{Store, StoreError, on_pool};
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

impl Store {
    /// The launch `reference` names and everything its page shows, or `None` if there is no
    /// such launch; `undelivered` is how many undelivered messages to include at most.
    pub async fn launch_page(&self, reference: &LaunchRef, undelivered: i64) -> Result<Option<LaunchPage>, StoreError> {
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            let row: Option<LaunchRow> = match reference {
                LaunchRef::Id(id) => sqlx::query_as(LAUNCH_BY_ID).bind(id.0).fetch_optional(&mut *conn).await?,
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
                .task_rows_bulk(LAUNCH_TASKS, LAUNCH_TASKS_ORDER, Bind::Id(launch.id.0))
                .await?;
            let metrics: Vec<MetricRow> = sqlx::query_as(METRICS).bind(launch.id.0).fetch_all(&mut *conn).await?;
            let roles: Vec<(i64, String, String)> =
                sqlx::query_as(LAUNCH_ROLES).bind(launch.id.0).fetch_all(&mut *conn).await?;
            let gonogo = latest_gonogo!(conn, launch.id)?;
            let overrides: Vec<OverrideRow> = sqlx::query_as(OVERRIDES).fetch_all(&mut *conn).await?;
            let failed: Vec<FailedRow> = sqlx::query_as(FAILED).bind(undelivered).fetch_all(&mut *conn).await?;
            Ok(Some(LaunchPage {
                launch,
                tasks: convert_all(tasks)?,
                metrics: convert_all(metrics)?,
                roles: roles_by_task(roles)?,
                gonogo,
                overrides: overrides_by_function(overrides)?,
                undelivered: failed_messages(failed),
            }))
        })
    }
}
