//! Tasks, their RACI roles, and the queries the PMO loop runs over open tasks.

use chrono::NaiveDate;

use super::history::insert_history;
use super::outbox::insert_outbox;
use super::rows::{RoleRow, TaskRow, convert_all, task_columns};
use super::{Store, StoreError, limited, on_pool, on_writer, to_millis};
use crate::outbound::OutboxMessage;
use liftoff_core::history::{ChangeContext, ChangeField, HistoryEntry};
use liftoff_core::readiness::TaskTally;
use liftoff_core::task::{NewTask, RoleAssignment, StatusKind, Task};
use liftoff_core::{LaunchId, SlackUserId, TaskId};

/// Inserts `$task` (a `&NewTask`) as `todo` through `$conn` and records its creation made in
/// `$ctx`; evaluates to `Result<Task, StoreError>`. A macro so that creating a launch can add
/// its template tasks in the same transaction on either backend (see [`InsertTask`]).
macro_rules! insert_task {
    ($conn:expr, $task:expr, $ctx:expr) => {{
        let task: &::liftoff_core::NewTask = $task;
        let ctx: &::liftoff_core::ChangeContext = $ctx;
        $crate::store::tasks::InsertTask::insert_task(&mut *$conn, task, ctx).await
    }};
}
pub(crate) use insert_task;

/// The columns of a new task, then `RETURNING` it: [`InsertTask::insert_task`]'s first statement.
macro_rules! insert_task_sql {
    () => {
        concat!(
            "INSERT INTO tasks (launch_id, function_name, title, owner_user_id, due_date, due_offset_days, \
             status, status_changed_at_ms, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'todo', $7, $7, $7) RETURNING ",
            task_columns!()
        )
    };
}

/// `$query` (of [`insert_task_sql!`]) with `$task`'s values and `$ctx`'s instant bound as
/// `$1`–`$7`.
macro_rules! bind_new_task {
    ($query:expr, $task:expr, $ctx:expr) => {
        $query
            .bind($task.launch_id.0)
            .bind($task.function.as_str())
            .bind(&$task.title)
            .bind($task.owner.as_ref().map(|u| u.as_str()))
            .bind($task.due_date)
            .bind($task.due_offset_days)
            .bind(to_millis($ctx.at))
    };
}

/// A new task and its `created` history row, written by each backend as it does best.
pub(crate) trait InsertTask {
    fn insert_task(
        &mut self,
        task: &NewTask,
        ctx: &ChangeContext,
    ) -> impl std::future::Future<Output = Result<Task, StoreError>> + Send;
}

/// The history row recording the creation in `ctx` of task `id`, titled `title`, of `launch`.
pub(super) fn created_entry(launch: LaunchId, id: TaskId, title: &str, ctx: &ChangeContext) -> HistoryEntry {
    ctx.entry(launch, Some(id), ChangeField::Created, None, Some(title.to_owned()))
}

impl InsertTask for sqlx::SqliteConnection {
    /// Both rows in one query: SQLite runs its statements in turn on the connection's worker
    /// thread, the history row naming the task by `last_insert_rowid()`, so a new task is
    /// one hand-off to that thread instead of two.
    async fn insert_task(&mut self, task: &NewTask, ctx: &ChangeContext) -> Result<Task, StoreError> {
        const SQL: &str = concat!(
            insert_task_sql!(),
            "; INSERT INTO history (launch_id, task_id, actor, source, at_ms, field, from_value, to_value, note) \
             VALUES ($1, last_insert_rowid(), $8, $9, $7, 'created', NULL, $3, NULL)"
        );
        // `fetch_all`, not `fetch_one`: the stream is read to its end, so the second
        // statement has run when this returns.
        let rows: Vec<TaskRow> = bind_new_task!(sqlx::query_as(SQL), task, ctx)
            .bind(ctx.actor.as_stored())
            .bind(ctx.source.as_str())
            .fetch_all(&mut *self)
            .await?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("a task insert returned no row".into()))?;
        Task::try_from(row)
    }
}

impl InsertTask for sqlx::PgConnection {
    async fn insert_task(&mut self, task: &NewTask, ctx: &ChangeContext) -> Result<Task, StoreError> {
        let row: TaskRow = bind_new_task!(sqlx::query_as(insert_task_sql!()), task, ctx)
            .fetch_one(&mut *self)
            .await?;
        let created = Task::try_from(row)?;
        let entry = created_entry(created.launch_id, created.id, &created.title, ctx);
        insert_history!(&mut *self, &entry)?;
        Ok(created)
    }
}

/// The one parameter of a [`BulkTaskRows::task_rows_bulk`] read.
pub(super) enum Bind {
    Nothing,
    Date(NaiveDate),
    Id(i64),
}

/// `$query` with `$bind` (a [`Bind`]) bound, whichever query type and backend it is.
macro_rules! bind_one {
    ($query:expr, $bind:expr) => {
        match $bind {
            Bind::Nothing => $query,
            Bind::Date(date) => $query.bind(date),
            Bind::Id(id) => $query.bind(id),
        }
    };
}

/// The order of a bulk read's tasks. PostgreSQL sorts them (`ORDER BY`, added to the read's
/// SQL); on SQLite they come back as one JSON array and are sorted here once parsed. Sorting
/// in SQLite cost twice (the read's `ORDER BY`, then the array's own): two thirds of reading a
/// check-in round's 100k open tasks (272 ms with both sorts, 84 ms with neither, BENCHMARKS.md).
#[derive(Debug, Clone, Copy)]
pub(super) enum TaskOrder {
    /// Soonest due first: most bulk reads.
    DueDate,
    /// By function, then soonest due first: a launch's page.
    FunctionThenDueDate,
}

impl TaskOrder {
    fn order_by(self) -> &'static str {
        match self {
            TaskOrder::DueDate => " ORDER BY due_date, id",
            TaskOrder::FunctionThenDueDate => " ORDER BY function_name, due_date, id",
        }
    }

    /// Sorts `rows` as [`TaskOrder::order_by`] would (SQLite compares text bytewise, as `str`
    /// does; dates are `YYYY-MM-DD`; ids are unique, so the order is total).
    pub(super) fn sort(self, rows: &mut [TaskRow]) {
        match self {
            TaskOrder::DueDate => rows.sort_unstable_by_key(|row| row.due_date_key()),
            TaskOrder::FunctionThenDueDate => rows.sort_unstable_by(|a, b| a.function_key().cmp(&b.function_key())),
        }
    }
}

/// A launch's tasks (its page: [`TaskOrder::FunctionThenDueDate`]).
pub(super) const LAUNCH_TASKS: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE launch_id = $1");

/// The RACI roles of a launch's tasks: `(task, role, user)` rows, for [`roles_by_task`].
pub(super) const LAUNCH_ROLES: &str = "SELECT r.task_id, r.role, r.user_id FROM task_roles r JOIN tasks t ON t.id = r.task_id \
     WHERE t.launch_id = $1 ORDER BY r.task_id, r.role, r.user_id";

/// [`LAUNCH_ROLES`]'s rows, by task.
pub(super) fn roles_by_task(
    rows: Vec<(i64, String, String)>,
) -> Result<std::collections::BTreeMap<TaskId, Vec<RoleAssignment>>, StoreError> {
    let mut roles: std::collections::BTreeMap<TaskId, Vec<RoleAssignment>> = Default::default();
    for (task, role, user_id) in rows {
        let assignment = RoleAssignment::try_from(super::rows::RoleRow { role, user_id })?;
        roles.entry(TaskId(task)).or_default().push(assignment);
    }
    Ok(roles)
}

/// Reads of more than a handful of task rows, on a connection of either backend.
pub(super) trait BulkTaskRows {
    /// The rows of `sql` (a `SELECT` of [`task_columns!`] without `ORDER BY`, with at most
    /// one parameter, `bind`) in `order`: a launch's page, check-in rounds, digests,
    /// escalation sweeps.
    ///
    /// On SQLite, sqlx hands each row from its worker thread to the caller on its own (a
    /// thread wake-up and a copy of every value per row); measured on 100k tasks, that is
    /// about 4 µs a row where SQLite itself needs under 1 µs. So SQLite builds the result as
    /// one JSON array instead (`json_group_array`), parsed and sorted here at once. PostgreSQL
    /// streams rows cheaply and reads them as usual.
    fn task_rows_bulk(
        &mut self,
        sql: &'static str,
        order: TaskOrder,
        bind: Bind,
    ) -> impl std::future::Future<Output = Result<Vec<TaskRow>, StoreError>> + Send;
}

impl BulkTaskRows for sqlx::SqliteConnection {
    async fn task_rows_bulk(
        &mut self,
        sql: &'static str,
        order: TaskOrder,
        bind: Bind,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let bulk = format!(
            concat!("SELECT json_group_array(json_array(", task_columns!(), ")) FROM ({})"),
            sql
        );
        let query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(bulk));
        let query = bind_one!(query, bind);
        let json = query.fetch_one(&mut *self).await?;
        let mut rows: Vec<TaskRow> =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("task rows: {e}")))?;
        order.sort(&mut rows);
        Ok(rows)
    }
}

impl BulkTaskRows for sqlx::PgConnection {
    async fn task_rows_bulk(
        &mut self,
        sql: &'static str,
        order: TaskOrder,
        bind: Bind,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let query = sqlx::query_as(sqlx::AssertSqlSafe(format!("{sql}{}", order.order_by())));
        let query = bind_one!(query, bind);
        Ok(query.fetch_all(&mut *self).await?)
    }
}

impl Store {
    /// Stores a validated task as `todo` and records its creation. (`/launch task` adds its
    /// tasks with [`Store::task_slot`], which also stores the owner's DM.)
    pub async fn create_task(&self, task: &NewTask, ctx: &ChangeContext) -> Result<Task, StoreError> {
        let task = on_writer!(self, pool => {
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
        convert_all(
            self.task_rows_bulk(LAUNCH_TASKS, TaskOrder::FunctionThenDueDate, Bind::Id(launch.0))
                .await?,
        )
    }

    /// A person's open tasks across active launches, soonest due first (`/launch mine`).
    pub async fn open_tasks_for_owner(&self, owner: &SlackUserId) -> Result<Vec<Task>, StoreError> {
        self.first_open_tasks_for_owner(owner, i64::MAX).await
    }

    /// A person's first `limit` open tasks across active launches, soonest due first: what
    /// their Home tab has room for.
    pub async fn first_open_tasks_for_owner(&self, owner: &SlackUserId, limit: i64) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE owner_user_id = $1 AND status <> 'done' \
             AND launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id LIMIT"
        );
        let rows: Vec<TaskRow> =
            on_pool!(self, pool => sqlx::query_as(limited(SQL, limit)).bind(owner.as_str()).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// How many tasks of each active launch `person` leads or has open tasks in are due on
    /// each day in each status: what their Home tab's readiness needs, without reading the
    /// tasks themselves (a launch can hold thousands).
    pub async fn task_tallies_of_launches_involving(&self, person: &SlackUserId) -> Result<Vec<TaskTally>, StoreError> {
        const SQL: &str = "SELECT launch_id, due_date, status, COUNT(*) FROM tasks \
             WHERE launch_id IN (SELECT id FROM launches WHERE state <> 'archived' AND \
             (lead_user_id = $1 OR id IN (SELECT launch_id FROM tasks WHERE owner_user_id = $1 AND status <> 'done'))) \
             GROUP BY launch_id, due_date, status";
        let rows: Vec<(i64, NaiveDate, String, i64)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(person.as_str()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(launch_id, due_date, status, count)| {
                Ok(TaskTally {
                    launch_id: LaunchId(launch_id),
                    due_date,
                    status: StatusKind::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("task status {status:?}")))?,
                    count: usize::try_from(count).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every open task of every active launch: what check-in rounds and digests start from.
    pub async fn open_tasks(&self) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE status <> 'done' \
             AND launch_id IN (SELECT id FROM launches WHERE state <> 'archived')"
        );
        convert_all(self.task_rows_bulk(SQL, TaskOrder::DueDate, Bind::Nothing).await?)
    }

    /// Every task, open or done, of every active launch (digest readiness counts done ones).
    pub async fn active_launch_tasks(&self) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE launch_id IN (SELECT id FROM launches WHERE state <> 'archived')"
        );
        convert_all(self.task_rows_bulk(SQL, TaskOrder::DueDate, Bind::Nothing).await?)
    }

    /// The rows of `sql` read as [`BulkTaskRows::task_rows_bulk`] does, on a connection of
    /// their own.
    async fn task_rows_bulk(
        &self,
        sql: &'static str,
        order: TaskOrder,
        bind: Bind,
    ) -> Result<Vec<TaskRow>, StoreError> {
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            conn.task_rows_bulk(sql, order, bind).await
        })
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
             AND +launch_id IN (SELECT id FROM launches WHERE state <> 'archived')"
        );
        convert_all(self.task_rows_bulk(SQL, TaskOrder::DueDate, Bind::Date(date)).await?)
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
        let saved = on_writer!(self, pool => {
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
        on_writer!(self, pool => {
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

    pub async fn task_roles(&self, task: TaskId) -> Result<Vec<RoleAssignment>, StoreError> {
        const SQL: &str = "SELECT role, user_id FROM task_roles WHERE task_id = $1 ORDER BY role, user_id";
        let rows: Vec<RoleRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(task.0).fetch_all(pool).await)?;
        convert_all(rows)
    }
}
