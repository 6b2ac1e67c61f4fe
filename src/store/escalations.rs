//! Escalation levels fired, and the messages each sent.

use chrono::{DateTime, Utc};

use super::outbox::insert_outbox;
use super::{Store, StoreError, from_millis, on_pool, on_writer, to_millis};
use crate::outbound::{OutboxMessage, PostedEscalation};
use liftoff_core::escalation::FiredLevel;
use liftoff_core::{LaunchId, TaskId};

impl Store {
    /// Records that `level` fired for `task` in `episode` and enqueues its messages, once:
    /// false (and nothing written) if that level already fired in that episode.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_escalation(
        &self,
        task: TaskId,
        launch: LaunchId,
        episode: &str,
        level: i64,
        outcome: &str,
        messages: &[OutboxMessage],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const FIRE: &str = "INSERT INTO escalations (task_id, episode, level, launch_id, outcome, fired_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, episode, level) DO NOTHING";
        const MESSAGE: &str = "INSERT INTO escalation_messages (outbox_key, task_id, episode, level) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (outbox_key, task_id) DO NOTHING";
        let now = to_millis(now);
        let fired = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(FIRE)
                .bind(task.0)
                .bind(episode)
                .bind(level)
                .bind(launch.0)
                .bind(outcome)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if inserted.rows_affected() == 0 {
                tx.rollback().await?;
                false
            } else {
                for message in messages {
                    insert_outbox!(tx, message, now)?;
                    sqlx::query(MESSAGE).bind(&message.key).bind(task.0).bind(episode).bind(level).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                true
            }
        });
        Ok(fired)
    }

    /// Records that one level fired for each of `fires` (task, its launch, its episode) and
    /// enqueues the messages saying so, in one transaction: a sweep's grouped messages (one
    /// list per channel or person) and the levels they report are written together or not at
    /// all. Tasks whose level already fired in that episode (another sweep got there first)
    /// are left out: `render` is given only the tasks fired now and returns each message with
    /// the tasks it lists, each recorded against it for the resolution line. Returns the tasks
    /// fired now.
    pub async fn record_escalation_level<F>(
        &self,
        level: i64,
        fires: &[(TaskId, LaunchId, String)],
        outcome: impl Fn(TaskId) -> &'static str + Send,
        now: DateTime<Utc>,
        render: F,
    ) -> Result<Vec<TaskId>, StoreError>
    where
        F: FnOnce(&[TaskId]) -> Vec<(OutboxMessage, Vec<TaskId>)> + Send,
    {
        const FIRE: &str = "INSERT INTO escalations (task_id, episode, level, launch_id, outcome, fired_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, episode, level) DO NOTHING";
        const MESSAGE: &str = "INSERT INTO escalation_messages (outbox_key, task_id, episode, level) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (outbox_key, task_id) DO NOTHING";
        // Always in task order, so concurrent sweeps on PostgreSQL wait on each other's rows
        // instead of deadlocking.
        let mut fires: Vec<&(TaskId, LaunchId, String)> = fires.iter().collect();
        fires.sort_by_key(|(task, _, _)| *task);
        let at = to_millis(now);
        let fired = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut fired = Vec::new();
            for (task, launch, episode) in &fires {
                let inserted = sqlx::query(FIRE)
                    .bind(task.0)
                    .bind(episode.as_str())
                    .bind(level)
                    .bind(launch.0)
                    .bind(outcome(*task))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                if inserted.rows_affected() > 0 {
                    fired.push(*task);
                }
            }
            if fired.is_empty() {
                tx.rollback().await?;
            } else {
                for (message, tasks) in render(&fired) {
                    insert_outbox!(tx, &message, at)?;
                    for task in tasks {
                        let Some((_, _, episode)) = fires.iter().find(|(id, _, _)| *id == task) else {
                            continue;
                        };
                        sqlx::query(MESSAGE)
                            .bind(&message.key)
                            .bind(task.0)
                            .bind(episode.as_str())
                            .bind(level)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
            }
            fired
        });
        Ok(fired)
    }

    /// How many escalations fired for `launch`, per level.
    pub async fn escalation_counts(
        &self,
        launch: LaunchId,
    ) -> Result<std::collections::BTreeMap<i64, usize>, StoreError> {
        const SQL: &str =
            "SELECT level, COUNT(*) FROM escalations WHERE launch_id = $1 AND outcome = 'sent' GROUP BY level";
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(SQL).bind(launch.0).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(level, count)| (level, count as usize)).collect())
    }

    /// Every level fired for tasks that are still open, by task and episode: one read for a
    /// whole sweep instead of one per candidate.
    pub async fn fired_levels_of_open_tasks(
        &self,
    ) -> Result<std::collections::HashMap<(TaskId, String), Vec<i64>>, StoreError> {
        // Driven from the escalations (thousands) with a lookup of each one's task by key: as a
        // join, SQLite sometimes walked the open tasks (hundreds of thousands) instead, 0.1 s
        // one sweep and 0.9 s the next on the 1M-task benchmark.
        const SQL: &str = "SELECT e.task_id, e.episode, e.level FROM escalations e \
             WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = e.task_id AND t.status <> 'done') ORDER BY e.level";
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        let mut fired: std::collections::HashMap<(TaskId, String), Vec<i64>> = Default::default();
        for (task, episode, level) in rows {
            fired.entry((TaskId(task), episode)).or_default().push(level);
        }
        Ok(fired)
    }

    /// The escalation messages posted about `task`, oldest first.
    pub async fn escalation_messages(&self, task: TaskId) -> Result<Vec<PostedEscalation>, StoreError> {
        const SQL: &str = "SELECT m.outbox_key, o.target, o.thread_of FROM escalation_messages m \
             JOIN outbox o ON o.idempotency_key = m.outbox_key \
             WHERE m.task_id = $1 AND o.method = 'chat.postMessage' AND o.state <> 'failed' ORDER BY o.id";
        let rows: Vec<(String, String, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(task.0).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(key, target, thread_of)| PostedEscalation { key, target, thread_of })
            .collect())
    }

    /// The highest level fired per task and episode, for open tasks of active launches
    /// (optionally one launch), most recent first.
    pub async fn fired_for_open_tasks(&self, launch: Option<LaunchId>) -> Result<Vec<FiredLevel>, StoreError> {
        const SQL: &str = "SELECT e.task_id, e.launch_id, e.episode, MAX(e.level), MAX(e.fired_at_ms) FROM escalations e \
             JOIN tasks t ON t.id = e.task_id JOIN launches l ON l.id = e.launch_id \
             WHERE t.status <> 'done' AND l.state <> 'archived' AND e.outcome = 'sent' AND ($1 = 0 OR e.launch_id = $1) \
             GROUP BY e.task_id, e.launch_id, e.episode ORDER BY MAX(e.fired_at_ms) DESC";
        let rows: Vec<(i64, i64, String, i64, i64)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(launch.map_or(0, |l| l.0)).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(task, launch, episode, level, at)| {
                Ok(FiredLevel {
                    task: TaskId(task),
                    launch: LaunchId(launch),
                    episode,
                    level,
                    fired_at: from_millis(at)?,
                })
            })
            .collect()
    }
}
