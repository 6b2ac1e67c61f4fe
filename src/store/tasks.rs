//! Tasks, their RACI roles, and the queries the PMO loop runs over open tasks.

use chrono::NaiveDate;

use super::history::insert_history;
use super::outbox::insert_outbox;
use super::rows::{RoleRow, TaskRow, convert_all, task_columns};
use super::{Store, StoreError, on_pool, to_millis};
use crate::outbound::OutboxMessage;
use liftoff_core::history::{ChangeContext, HistoryEntry};
use liftoff_core::task::{NewTask, RoleAssignment, Task};
use liftoff_core::{LaunchId, SlackUserId, TaskId};

/// Inserts `$task` (a `&NewTask`) as `todo` through `$conn` and records its creation made in
/// `$ctx`; evaluates to `Result<Task, StoreError>`. A macro so that creating a launch can add
/// its template tasks in the same transaction on either backend.
macro_rules! insert_task {
    ($conn:expr, $task:expr, $ctx:expr) => {{
        const INSERT: &str = concat!(
            "INSERT INTO tasks (launch_id, function_name, title, owner_user_id, due_date, due_offset_days, \
             status, status_changed_at_ms, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'todo', $7, $7, $7) RETURNING ",
            $crate::store::rows::task_columns!()
        );
        let task: &::liftoff_core::NewTask = $task;
        let ctx: &::liftoff_core::ChangeContext = $ctx;
        let inserted: Result<::liftoff_core::Task, $crate::store::StoreError> = async {
            let row: $crate::store::rows::TaskRow = sqlx::query_as(INSERT)
                .bind(task.launch_id.0)
                .bind(task.function.as_str())
                .bind(&task.title)
                .bind(task.owner.as_ref().map(|u| u.as_str()))
                .bind(task.due_date)
                .bind(task.due_offset_days)
                .bind($crate::store::to_millis(ctx.at))
                .fetch_one(&mut *$conn)
                .await?;
            let created = ::liftoff_core::Task::try_from(row)?;
            let entry = ctx.entry(
                created.launch_id,
                Some(created.id),
                ::liftoff_core::ChangeField::Created,
                None,
                Some(created.title.clone()),
            );
            $crate::store::history::insert_history!(&mut *$conn, &entry)?;
            Ok(created)
        }
        .await;
        inserted
    }};
}
pub(crate) use insert_task;

impl Store {
    /// Stores a validated task as `todo` and records its creation.
    pub async fn create_task(&self, task: &NewTask, ctx: &ChangeContext) -> Result<Task, StoreError> {
        let task = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let created = insert_task!(tx, task, ctx)?;
            tx.commit().await?;
            created
        });
        Ok(task)
    }

    pub async fn task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        const SQL: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE id = $1");
        let row: Option<TaskRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(id.0).fetch_optional(pool).await)?;
        row.map(Task::try_from).transpose()
    }

    /// All of a launch's tasks, grouped by function, soonest due first.
    pub async fn launch_tasks(&self, launch: LaunchId) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE launch_id = $1 ORDER BY function_name, due_date, id"
        );
        let rows: Vec<TaskRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(launch.0).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// A person's open tasks across active launches, soonest due first (`/launch mine`).
    pub async fn open_tasks_for_owner(&self, owner: &SlackUserId) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE owner_user_id = $1 AND status <> 'done' \
             AND launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id"
        );
        let rows: Vec<TaskRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(owner.as_str()).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// Every open task of every active launch: what check-in rounds and digests start from.
    pub async fn open_tasks(&self) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE status <> 'done' \
             AND launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id"
        );
        convert_all(self.task_rows_bulk(SQL, None).await?)
    }

    /// Every task, open or done, of every active launch (digest readiness counts done ones).
    pub async fn active_launch_tasks(&self) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id"
        );
        convert_all(self.task_rows_bulk(SQL, None).await?)
    }

    /// The rows of `sql` (a `SELECT` of [`task_columns!`] ordered by due date and id, with at
    /// most one date parameter), for reads of thousands of tasks: check-in rounds, digests,
    /// escalation sweeps.
    ///
    /// On SQLite, sqlx hands each row from its worker thread to the caller on its own (a
    /// thread wake-up and a copy of every value per row); measured on 100k tasks, that is
    /// about 4 µs a row where SQLite itself needs under 1 µs. So SQLite builds the result as
    /// one JSON array instead (`json_group_array`, ordered likewise), parsed here at
    /// once: about half the time. PostgreSQL streams rows cheaply and reads them as usual.
    async fn task_rows_bulk(&self, sql: &'static str, date: Option<NaiveDate>) -> Result<Vec<TaskRow>, StoreError> {
        match &self.pool {
            super::Pool::Sqlite(pool) => {
                let bulk = format!(
                    concat!(
                        "SELECT json_group_array(json_array(",
                        task_columns!(),
                        ") ORDER BY due_date, id) FROM ({})"
                    ),
                    sql
                );
                let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(bulk));
                if let Some(date) = date {
                    query = query.bind(date);
                }
                let json = query.fetch_one(pool).await?;
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("task rows: {e}")))
            }
            super::Pool::Postgres(pool) => {
                let mut query = sqlx::query_as(sql);
                if let Some(date) = date {
                    query = query.bind(date);
                }
                Ok(query.fetch_all(pool).await?)
            }
        }
    }

    /// Open tasks of active launches due on or before `date`, plus every blocked one: the
    /// candidates an escalation sweep looks at. Served by the partial index on open tasks.
    pub async fn open_tasks_due_by(&self, date: NaiveDate) -> Result<Vec<Task>, StoreError> {
        // Two indexed reads (open tasks by due date, blocked tasks) rather than one `OR`, which
        // the planners answer with a scan. `+launch_id` keeps SQLite from preferring the
        // launch index, which would read every task of every active launch.
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE status <> 'done' AND due_date <= $1 \
             AND +launch_id IN (SELECT id FROM launches WHERE state <> 'archived') \
             UNION SELECT ",
            task_columns!(),
            " FROM tasks WHERE status = 'blocked' \
             AND +launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id"
        );
        convert_all(self.task_rows_bulk(SQL, Some(date)).await?)
    }

    /// Stores an edited task (see [`Task::edit`]) if nobody changed it since it was read, with
    /// its history and the `notices` it calls for (the DM telling its owner), in one
    /// transaction: a change is never saved without its notice, nor a notice sent for a change
    /// that was not. [`StoreError::Conflict`] means: re-read and decide again.
    pub async fn save_task(
        &self,
        task: &Task,
        history: &[HistoryEntry],
        notices: &[OutboxMessage],
        mark: Option<&super::ReplyMark>,
    ) -> Result<Task, StoreError> {
        const MARK: &str = "INSERT INTO reply_updates (channel_id, message_ts, update_key, applied_at_ms) \
                            VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        const UPDATE: &str = concat!(
            "UPDATE tasks SET title = $1, owner_user_id = $2, due_date = $3, due_offset_days = $4, status = $5, \
             blocked_reason = $6, status_changed_at_ms = $7, snoozed_until = $8, blocked_by_task_id = $9, \
             version = version + 1, updated_at_ms = $10 WHERE id = $11 AND version = $12 RETURNING ",
            task_columns!()
        );
        let at = history
            .first()
            .map_or_else(|| to_millis(task.status_changed_at), |h| to_millis(h.at));
        let saved = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<TaskRow> = sqlx::query_as(UPDATE)
                .bind(&task.title)
                .bind(task.owner.as_ref().map(|u| u.as_str()))
                .bind(task.due_date)
                .bind(task.due_offset_days)
                .bind(task.status.kind().as_str())
                .bind(task.status.reason())
                .bind(to_millis(task.status_changed_at))
                .bind(task.snoozed_until)
                .bind(task.blocked_by.map(|t| t.0))
                .bind(at)
                .bind(task.id.0)
                .bind(task.version)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::Conflict);
            };
            if let Some(mark) = mark {
                let marked = sqlx::query(MARK)
                    .bind(&mark.channel)
                    .bind(&mark.ts)
                    .bind(&mark.key)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                if marked.rows_affected() == 0 {
                    // Dropping the transaction rolls the task change back.
                    return Err(StoreError::AlreadyApplied);
                }
            }
            for entry in history {
                insert_history!(&mut *tx, entry)?;
            }
            for notice in notices {
                insert_outbox!(tx, notice, at)?;
            }
            tx.commit().await?;
            Task::try_from(row)?
        });
        Ok(saved)
    }

    /// Replaces a task's RACI roles (beyond its owner), records the new set (`entry`, see
    /// [`liftoff_core::task::roles_summary`]) and enqueues the `notices` the change calls for,
    /// in one transaction.
    pub async fn set_task_roles(
        &self,
        task: &Task,
        roles: &[RoleAssignment],
        entry: &HistoryEntry,
        notices: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        const CLEAR: &str = "DELETE FROM task_roles WHERE task_id = $1";
        const INSERT: &str =
            "INSERT INTO task_roles (task_id, role, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(CLEAR).bind(task.id.0).execute(&mut *tx).await?;
            for assignment in roles {
                sqlx::query(INSERT)
                    .bind(task.id.0)
                    .bind(assignment.role.as_str())
                    .bind(assignment.user.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            insert_history!(&mut *tx, entry)?;
            for notice in notices {
                insert_outbox!(tx, notice, to_millis(entry.at))?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The RACI roles of every task of a launch that has any, in one read (for `/launch show`).
    pub async fn launch_task_roles(
        &self,
        launch: liftoff_core::LaunchId,
    ) -> Result<std::collections::BTreeMap<TaskId, Vec<RoleAssignment>>, StoreError> {
        const SQL: &str = "SELECT r.task_id, r.role, r.user_id FROM task_roles r JOIN tasks t ON t.id = r.task_id \
             WHERE t.launch_id = $1 ORDER BY r.task_id, r.role, r.user_id";
        let rows: Vec<(i64, String, String)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(launch.0).fetch_all(pool).await)?;
        let mut roles: std::collections::BTreeMap<TaskId, Vec<RoleAssignment>> = Default::default();
        for (task, role, user_id) in rows {
            let assignment = RoleAssignment::try_from(super::rows::RoleRow { role, user_id })?;
            roles.entry(TaskId(task)).or_default().push(assignment);
        }
        Ok(roles)
    }

    pub async fn task_roles(&self, task: TaskId) -> Result<Vec<RoleAssignment>, StoreError> {
        const SQL: &str = "SELECT role, user_id FROM task_roles WHERE task_id = $1 ORDER BY role, user_id";
        let rows: Vec<RoleRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(task.0).fetch_all(pool).await)?;
        convert_all(rows)
    }
}
