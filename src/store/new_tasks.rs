//! Adding one task as `/launch task` does, in two trips to the database: one read of what the
//! command needs (the launch, its function's lead as set in Slack) that also reserves the new
//! task's id, and one write of the task, its `created` history row and the messages that name
//! it (its owner's DM carries the id on its buttons). On SQLite, tasks added at the same time
//! share a commit (`inline::writer`).
//!
//! Why not a transaction that reads and writes in turn: on PostgreSQL each statement is a
//! round trip to the server. Knowing the id before writing lets the write be one statement of
//! data-modifying `WITH` clauses, which commits or fails as a whole. On SQLite both trips are
//! calls on the calling thread (`inline`), the write one transaction of a statement per row.

use std::sync::Arc;

use sqlx::QueryBuilder;

use super::history::push_history_insert;
use super::inline::{InlineSqlite, InlineStatement};
use super::rows::{LaunchRow, TaskRow, task_columns};
use super::tasks::created_entry;
use super::{OwnedWriteTurn, Pool, Store, StoreError, WriterLock, to_millis};
use crate::outbound::OutboxMessage;
use liftoff_core::history::ChangeContext;
use liftoff_core::task::{NewTask, Task};
use liftoff_core::{FunctionName, Launch, LaunchRef, SlackUserId, TaskId};

/// What adding a task to a launch reads first, and the id the task will have.
pub struct TaskSlot {
    pub launch: Launch,
    /// The lead set in Slack for the task's function (`/launch function`), if any: the owner
    /// when the person names none, over the configured lead.
    pub function_lead: Option<SlackUserId>,
    /// The id [`TaskSlot::fill`] gives the task. PostgreSQL takes it from the tasks'
    /// sequence (an abandoned slot leaves a gap, as a failed insert would); SQLite reads the
    /// next one while this process holds its turn at writing (below), so nothing of this
    /// process takes it first.
    pub id: TaskId,
    /// Where the task will be written.
    writer: SlotWriter,
}

/// Where a [`TaskSlot`] is filled.
enum SlotWriter {
    /// This process's turn at writing ([`Store::new_task_turn`]), held from the read to the
    /// write, the inline connections it writes through, and the lock it came from (a write
    /// that joins a group commit waits for its turn again: `writer`).
    Sqlite(OwnedWriteTurn, Arc<InlineSqlite>, Arc<WriterLock>),
    Postgres(sqlx::PgPool),
}

/// A [`TaskSlot`] as read.
#[derive(sqlx::FromRow)]
struct SlotRow {
    #[sqlx(flatten)]
    launch: LaunchRow,
    function_lead: Option<String>,
    next_task_id: i64,
}

impl SlotRow {
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<SlotRow> {
        Ok(SlotRow {
            launch: LaunchRow::from_inline(row)?,
            function_lead: row.get("function_lead")?,
            next_task_id: row.get("next_task_id")?,
        })
    }
}

/// The launch's columns, its function's lead, and the next task id: `$1` is the launch's slug
/// or id, `$2` the function. SQLite's next id is past both the highest ever handed out
/// (`sqlite_sequence`, as `AUTOINCREMENT` does) and the highest present.
macro_rules! slot_sql {
    (sqlite, $launch_is:literal) => {
        concat!(
            "SELECT ",
            super::rows::launch_columns!(),
            ", (SELECT lead_user_id FROM function_settings WHERE function_name = $2) AS function_lead, \
             MAX((SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'tasks'), \
                 (SELECT COALESCE(MAX(id), 0) FROM tasks)) + 1 AS next_task_id \
             FROM launches WHERE ",
            $launch_is,
            " = $1"
        )
    };
    (postgres, $launch_is:literal) => {
        concat!(
            "SELECT ",
            super::rows::launch_columns!(),
            ", (SELECT lead_user_id FROM function_settings WHERE function_name = $2) AS function_lead, \
             nextval(pg_get_serial_sequence('tasks', 'id')) AS next_task_id \
             FROM launches WHERE ",
            $launch_is,
            " = $1"
        )
    };
}

/// `$query` with the launch reference and function bound as `$1` and `$2`.
macro_rules! fetch_slot {
    ($pool:expr, $sql_by_slug:expr, $sql_by_id:expr, $launch:expr, $function:expr) => {
        match $launch {
            LaunchRef::Slug(slug) => {
                sqlx::query_as::<_, SlotRow>($sql_by_slug)
                    .bind(slug.as_str())
                    .bind($function.as_str())
                    .fetch_optional($pool)
                    .await
            }
            LaunchRef::Id(id) => {
                sqlx::query_as::<_, SlotRow>($sql_by_id)
                    .bind(id.0)
                    .bind($function.as_str())
                    .fetch_optional($pool)
                    .await
            }
        }
    };
}

/// Pushes the values of the new task `$task` with id `$id`, stored at `$at_ms`, as
/// `(id, launch_id, function_name, title, owner_user_id, due_date, due_offset_days, status,
/// status_changed_at_ms, created_at_ms, updated_at_ms)`.
macro_rules! push_task_insert {
    ($builder:expr, $id:expr, $task:expr, $at_ms:expr) => {{
        let task: &NewTask = $task;
        $builder.push(
            "INSERT INTO tasks (id, launch_id, function_name, title, owner_user_id, due_date, due_offset_days, \
             status, status_changed_at_ms, created_at_ms, updated_at_ms) VALUES (",
        );
        let mut values = $builder.separated(", ");
        values
            .push_bind($id.0)
            .push_bind(task.launch_id.0)
            .push_bind(task.function.as_str())
            .push_bind(task.title.as_str())
            .push_bind(task.owner.as_ref().map(|u| u.as_str()))
            .push_bind(task.due_date)
            .push_bind(task.due_offset_days)
            .push("'todo'")
            .push_bind($at_ms)
            .push_bind($at_ms)
            .push_bind($at_ms);
        $builder.push(")");
    }};
}

impl Store {
    /// Reads what adding a task of `function` to `launch` needs and reserves the task's id;
    /// `None` when there is no such launch. Fill the slot with [`TaskSlot::fill`]; on
    /// SQLite other writes of this process wait until the slot is filled or dropped, so hold
    /// it only for what the command decides in between (no Slack call, no other query).
    pub async fn task_slot(&self, launch: &LaunchRef, function: &FunctionName) -> Result<Option<TaskSlot>, StoreError> {
        let (row, writer) = match &self.pool {
            Pool::Sqlite { writer, inline, .. } => {
                let mut turn = self.new_task_turn(writer).await?;
                const BY_SLUG: &str = slot_sql!(sqlite, "slug");
                const BY_ID: &str = slot_sql!(sqlite, "id");
                let row = turn
                    .write_inline(inline, |connection| {
                        // By name: SQLite numbers `$n` parameters in the order they first appear,
                        // and `$2` comes first here.
                        let found = match launch {
                            LaunchRef::Slug(slug) => connection.prepare_cached(BY_SLUG)?.query_row(
                                rusqlite::named_params! { "$1": slug.as_str(), "$2": function.as_str() },
                                SlotRow::from_inline,
                            ),
                            LaunchRef::Id(id) => connection.prepare_cached(BY_ID)?.query_row(
                                rusqlite::named_params! { "$1": id.0, "$2": function.as_str() },
                                SlotRow::from_inline,
                            ),
                        };
                        Ok(rusqlite::OptionalExtension::optional(found)?)
                    })
                    .await?;
                (row, SlotWriter::Sqlite(turn, inline.clone(), writer.clone()))
            }
            Pool::Postgres(pool) => {
                const BY_SLUG: &str = slot_sql!(postgres, "slug");
                const BY_ID: &str = slot_sql!(postgres, "id");
                let row = fetch_slot!(pool, BY_SLUG, BY_ID, launch, function)?;
                (row, SlotWriter::Postgres(pool.clone()))
            }
        };
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TaskSlot {
            launch: Launch::try_from(row.launch)?,
            function_lead: row
                .function_lead
                .map(|lead| SlackUserId::parse(&lead).map_err(|e| StoreError::Corrupt(e.to_string())))
                .transpose()?,
            id: TaskId(row.next_task_id),
            writer,
        }))
    }
}

impl TaskSlot {
    /// Stores `task` (of this slot's launch) as `todo` with the slot's id, its `created` history
    /// row made in `ctx`, and `notices` (drawn up from [`NewTask::stored_as`]), all or nothing.
    /// [`StoreError::Conflict`] when the id was taken meanwhile (another process on the same
    /// SQLite file): take a new slot and try again.
    pub async fn fill(
        self,
        task: &NewTask,
        ctx: &ChangeContext,
        notices: &[OutboxMessage],
    ) -> Result<Task, StoreError> {
        let TaskSlot { id, writer, .. } = self;
        let at_ms = to_millis(ctx.at);
        let created = created_entry(task.launch_id, id, &task.title, ctx);
        let stored: Result<Task, StoreError> = match writer {
            SlotWriter::Sqlite(turn, inline, writer) => {
                // One write of a group commit (`inline::writer`): tasks added at the same
                // time share a commit, each confirmed only once it is stored.
                turn.write_in_group(&inline, &writer, |connection| {
                    // Not read back (`RETURNING`): SQLite runs a `RETURNING` as a trigger
                    // filling a temporary table, and a statement with a trigger inside a
                    // transaction keeps a journal of every page it changes, to undo itself
                    // alone; a third of the allocations of a `/launch task` (BENCHMARKS.md).
                    // The task is as `stored_as` draws it up, which the store tests check
                    // against what a read gives back.
                    let mut insert = InlineStatement::default();
                    push_task_insert!(insert, id, task, at_ms);
                    insert.execute(connection)?;
                    let mut history = InlineStatement::default();
                    push_history_insert!(history, &created);
                    history.execute(connection)?;
                    if !notices.is_empty() {
                        let mut outbox = InlineStatement::default();
                        super::outbox::push_outbox_insert!(outbox, notices, at_ms);
                        outbox.execute(connection)?;
                    }
                    Ok(())
                })
                .await
                .map(|()| task.stored_as(id, ctx.at))
            }
            SlotWriter::Postgres(pool) => {
                let mut builder = QueryBuilder::<sqlx::Postgres>::new("WITH new_task AS (");
                push_task_insert!(builder, id, task, at_ms);
                builder.push(concat!(" RETURNING ", task_columns!(), "), created AS ("));
                push_history_insert!(builder, &created);
                if !notices.is_empty() {
                    builder.push("), notices AS (");
                    super::outbox::push_outbox_insert!(builder, notices, at_ms);
                }
                builder.push(concat!(") SELECT ", task_columns!(), " FROM new_task"));
                // No `?` here: a unique violation becomes `Conflict` below.
                let rows: Result<Vec<TaskRow>, _> = builder.build_query_as().fetch_all(&pool).await;
                rows.map_err(StoreError::from).and_then(|rows| {
                    let row = rows
                        .into_iter()
                        .next()
                        .ok_or_else(|| StoreError::Corrupt("a task insert returned no row".into()))?;
                    Task::try_from(row)
                })
            }
        };
        match stored {
            Err(err) if err.is_unique_violation() => Err(StoreError::Conflict),
            stored => stored,
        }
    }
}
