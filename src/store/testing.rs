//! Store methods only the tests call: reads that inspect what was written (outbox keys, job
//! slots, check-in tasks, a task's history) and writes that set up a state directly. Compiled
//! only with the `testing` feature, which the root crate's dev-dependency on itself turns on
//! for its test targets (see Cargo.toml); release builds leave them out.

use chrono::{DateTime, Utc};

use super::history::insert_history;
use super::rows::{HistoryRow, TaskRow, convert_all, history_columns, task_columns};
use super::{Store, StoreError, on_pool, on_writer, to_millis};
use crate::outbound::OutboxMethod;
use liftoff_core::task::Task;
use liftoff_core::{FunctionName, HistoryEntry, TaskId};

/// A SQLite connection's own settings (see [`Store::connection_settings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub synchronous: i64,
    pub foreign_keys: i64,
    pub temp_store: i64,
    pub journal_mode: String,
}

impl Store {
    /// How many connections the pool holds now, idle or in use (sqlx's readers on SQLite).
    pub fn open_connections(&self) -> u32 {
        match &self.pool {
            super::Pool::Postgres(pool) => pool.size(),
            super::Pool::Sqlite { readers, .. } => readers.size(),
        }
    }

    /// The keys of every outbox message sent with `method`, oldest first: what an operator or
    /// a fault test compares with what Slack received.
    pub async fn outbox_keys(&self, method: OutboxMethod) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT idempotency_key FROM outbox WHERE method = $1 ORDER BY id";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(method.as_str()).fetch_all(pool).await)?)
    }

    /// Every outbox message as `(kind, target, payload)`, oldest first: what a service test
    /// checks was said, to whom, without delivering it.
    pub async fn outbox_messages(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        const SQL: &str = "SELECT kind, target, payload FROM outbox ORDER BY id";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?)
    }

    /// The body (`{text, blocks}` JSON) of the outbox message keyed `key`, if there is one: what
    /// a person would read, for tests that check the words of one answer.
    pub async fn outbox_payload(&self, key: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT payload FROM outbox WHERE idempotency_key = $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await)?)
    }

    /// SQLite: whether the writer's connection waits with the turn for the next write (`None`
    /// on PostgreSQL), and how many connections the writer's pool holds idle.
    pub async fn writer_connection_kept(&self) -> Option<(bool, usize)> {
        match &self.pool {
            super::Pool::Sqlite { writer, .. } => {
                let slot = writer.lock().await;
                Some((slot.holds_connection(), slot.pool().num_idle()))
            }
            super::Pool::Postgres(_) => None,
        }
    }

    /// SQLite: how long the writer's kept connection goes without the pool's check: tests set
    /// it long, to see what is kept, or to nothing, to see the check.
    pub async fn recheck_kept_connections_after(&self, after: std::time::Duration) {
        if let super::Pool::Sqlite { writer, .. } = &self.pool {
            writer.lock().await.recheck_after(after);
        }
    }

    /// SQLite: how many inline readers wait on their shelf (`None` on PostgreSQL; see
    /// `store::inline`).
    pub fn inline_reader_connections(&self) -> Option<usize> {
        match &self.pool {
            super::Pool::Sqlite { inline, .. } => Some(inline.shelved()),
            super::Pool::Postgres(_) => None,
        }
    }

    /// SQLite: each connection's own settings, as `(which, settings)` for sqlx's reader and
    /// writer and the inline reader and writer (`store::inline`), those that are open (a
    /// launch page read and a task added open the inline ones); empty on PostgreSQL.
    pub async fn connection_settings(&self) -> Result<Vec<(&'static str, ConnectionSettings)>, StoreError> {
        let super::Pool::Sqlite {
            readers,
            inline,
            writer,
        } = &self.pool
        else {
            return Ok(Vec::new());
        };
        async fn of_sqlx(connection: &mut sqlx::SqliteConnection) -> Result<ConnectionSettings, sqlx::Error> {
            Ok(ConnectionSettings {
                synchronous: sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *connection)
                    .await?,
                foreign_keys: sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(&mut *connection)
                    .await?,
                temp_store: sqlx::query_scalar("PRAGMA temp_store")
                    .fetch_one(&mut *connection)
                    .await?,
                journal_mode: sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *connection)
                    .await?,
            })
        }
        fn of_inline(connection: &rusqlite::Connection) -> rusqlite::Result<ConnectionSettings> {
            let pragma = |name: &str| connection.query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, i64>(0));
            Ok(ConnectionSettings {
                synchronous: pragma("synchronous")?,
                foreign_keys: pragma("foreign_keys")?,
                temp_store: pragma("temp_store")?,
                journal_mode: connection.query_row("PRAGMA journal_mode", [], |row| row.get(0))?,
            })
        }
        let mut settings = vec![("sqlx reader", of_sqlx(&mut *readers.acquire().await?).await?)];
        settings.push(("inline reader", inline.read(readers, of_inline).await?));
        let mut turn = self.write_turn(writer).await?;
        settings.push(("sqlx writer", of_sqlx(turn.connection().await?).await?));
        drop(turn);
        if let Some(connection) = writer.lock().await.inline_connection() {
            settings.push(("inline writer", of_inline(connection)?));
        }
        Ok(settings)
    }

    /// Writes `entries` inside a transaction on the writer and leaves it neither committed nor
    /// rolled back, as a `COMMIT` that failed on a full disk can leave sqlx's bookkeeping.
    pub async fn leave_a_write_inside_its_transaction(&self, entries: &[HistoryEntry]) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            for entry in entries {
                insert_history!(&mut *tx, entry)?;
            }
            // Neither commit nor the rollback a drop would queue.
            std::mem::forget(tx);
        });
        Ok(())
    }

    /// SQLite: overwrites a task's stored `status` and `due_date` with text the domain cannot
    /// read, past the schema's checks (`ignore_check_constraints`, for this write only): how
    /// tests see that such a row is reported, never misread. Not possible on PostgreSQL, whose
    /// `DATE` column and checks refuse it; `false` there.
    pub async fn corrupt_task_row(&self, task: TaskId, status: &str, due_date: &str) -> Result<bool, StoreError> {
        let super::Pool::Sqlite { writer, .. } = &self.pool else {
            return Ok(false);
        };
        let mut turn = self.write_turn(writer).await?;
        let connection = turn.connection().await?;
        sqlx::query("PRAGMA ignore_check_constraints = ON")
            .execute(&mut *connection)
            .await?;
        let updated = sqlx::query("UPDATE tasks SET status = $2, due_date = $3 WHERE id = $1")
            .bind(task.0)
            .bind(status)
            .bind(due_date)
            .execute(&mut *connection)
            .await;
        sqlx::query("PRAGMA ignore_check_constraints = OFF")
            .execute(&mut *connection)
            .await?;
        updated?;
        Ok(true)
    }

    /// SQLite: the writer connection's `wal_autocheckpoint`, the pages of log after which a
    /// commit copies the log back into the database (`None` on PostgreSQL). A round turns it
    /// off for its own transaction only (see `checkpoints`); tests check it came back.
    pub async fn writer_autocheckpoint(&self) -> Result<Option<i64>, StoreError> {
        match &self.pool {
            super::Pool::Sqlite { writer, .. } => {
                let mut turn = self.write_turn(writer).await?;
                Ok(Some(
                    sqlx::query_scalar("PRAGMA wal_autocheckpoint")
                        .fetch_one(turn.connection().await?)
                        .await?,
                ))
            }
            super::Pool::Postgres(_) => Ok(None),
        }
    }

    /// SQLite's plan (`EXPLAIN QUERY PLAN` details) for each query the delivery worker, the
    /// drain and the metrics endpoint run against the outbox over and over, and for the one
    /// `/launch digest` runs, by name: tests check that none scans the table's rows, which
    /// carry every payload ever sent.
    pub async fn outbox_read_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        let super::Pool::Sqlite { readers, .. } = &self.pool else {
            return Ok(Vec::new());
        };
        let deliverable = format!("{} 50", super::outbox::DELIVERABLE);
        let queries = [
            ("deliverable", deliverable.as_str()),
            ("counts", super::outbox::COUNTS),
            ("backlog", super::outbox::BACKLOG),
            ("last digest request", super::outbox::LAST_DIGEST_REQUEST),
        ];
        let mut plans = Vec::new();
        for (name, sql) in queries {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(explain));
            if sql.contains("LIKE $1") {
                query = query.bind("digest:now:U0ANN:%");
            } else if sql.contains("$1") {
                query = query.bind(0_i64);
            }
            let rows: Vec<(i64, i64, i64, String)> = query.fetch_all(readers).await?;
            plans.push((name, rows.into_iter().map(|(_, _, _, detail)| detail).collect()));
        }
        Ok(plans)
    }

    /// The slots `job` has run for (or recorded as skipped), oldest first.
    pub async fn job_run_slots(&self, job: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT slot FROM job_runs WHERE job = $1 ORDER BY ran_at_ms, slot";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(job).fetch_all(pool).await)?)
    }

    /// Every task listed by any check-in, once per check-in message that lists it.
    pub async fn checkin_task_ids(&self) -> Result<Vec<TaskId>, StoreError> {
        const SQL: &str = "SELECT task_id FROM checkin_tasks ORDER BY task_id";
        let ids: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)?;
        Ok(ids.into_iter().map(TaskId).collect())
    }

    /// Appends entries that are not part of a larger change (e.g. a recorded answer).
    pub async fn append_history(&self, entries: &[HistoryEntry]) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for entry in entries {
                insert_history!(&mut *tx, entry)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A task's history, oldest first.
    pub async fn task_history(&self, task: TaskId) -> Result<Vec<HistoryEntry>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            history_columns!(),
            " FROM history WHERE task_id = $1 ORDER BY id"
        );
        let rows: Vec<HistoryRow> = on_pool!(self, pool => sqlx::query_as(SQL).bind(task.0).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// One function's open tasks across active launches: what a check-in lists.
    pub async fn open_tasks_for_function(&self, function: &FunctionName) -> Result<Vec<Task>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE function_name = $1 AND status <> 'done' \
             AND launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY launch_id, due_date, id"
        );
        let rows: Vec<TaskRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(function.as_str()).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// Records `event_id` as seen and handled at once, for events whose handling is not stored
    /// (e.g. opening the Home tab); false if it was already recorded.
    pub async fn record_slack_event(&self, event_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        const INSERT: &str = "INSERT INTO slack_events (event_id, received_at_ms, handled_at_ms) VALUES ($1, $2, $2) \
                              ON CONFLICT (event_id) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(INSERT).bind(event_id).bind(to_millis(at)).execute(pool).await.map(|r| r.rows_affected() == 1))?;
        Ok(inserted)
    }

    /// SQLite: this process's turn at writing, held until the returned value is dropped, so a
    /// test can line writers up behind it (`None` on PostgreSQL). A group of new tasks left
    /// open is committed first, as by any turn but a new task's.
    pub async fn hold_write_turn(&self) -> Option<HeldWriteTurn> {
        match &self.pool {
            super::Pool::Sqlite { writer, .. } => Some(HeldWriteTurn {
                _turn: self.owned_write_turn(writer).await.ok()?,
            }),
            super::Pool::Postgres(_) => None,
        }
    }

    /// SQLite: how many writers wait for their turn now (`None` on PostgreSQL).
    pub fn writers_waiting(&self) -> Option<usize> {
        match &self.pool {
            super::Pool::Sqlite { writer, .. } => Some(writer.waiting()),
            super::Pool::Postgres(_) => None,
        }
    }

    /// SQLite: how many groups of new tasks the writer's inline connection has committed
    /// (`None` on PostgreSQL; see `store::inline::writer`).
    pub async fn group_commits(&self) -> Option<u64> {
        match &self.pool {
            super::Pool::Sqlite { writer, .. } => Some(writer.lock().await.inline_commits()),
            super::Pool::Postgres(_) => None,
        }
    }
}

/// A turn at writing held by a test (see [`Store::hold_write_turn`]); dropping it ends it.
pub struct HeldWriteTurn {
    _turn: super::OwnedWriteTurn,
}
