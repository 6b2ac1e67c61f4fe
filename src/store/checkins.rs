//! Check-ins as posted: which function and round each was, where it landed, and the tasks it
//! listed, as thread replies, nudges and escalations look them up.

use chrono::{DateTime, Utc};

use super::launches::LAUNCH_BY_ID;
use super::rows::{LaunchRow, TaskRow, convert_all, task_columns};
use super::{Store, StoreError, from_millis, on_pool, to_millis};
use liftoff_core::{FunctionName, Launch, LaunchId, SlackUserId, Task, TaskId};

/// A posted (or pending) check-in, as thread replies and nudges see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostedCheckin {
    pub outbox_key: String,
    pub function: FunctionName,
    pub round: String,
    pub channel: Option<String>,
    pub ts: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The check-in posted as `ts` in `channel`, if that message is one.
    pub async fn checkin_at(&self, channel: &str, ts: &str) -> Result<Option<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE o.channel = $1 AND o.ts = $2";
        let row: Option<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(channel).bind(ts).fetch_optional(pool).await)?;
        row.map(PostedCheckin::try_from).transpose()
    }

    /// The most recent delivered check-in of `function`: where level-1 escalations add a line.
    pub async fn latest_checkin(&self, function: &FunctionName) -> Result<Option<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE c.function_name = $1 AND o.state = 'sent' \
             ORDER BY c.created_at_ms DESC, c.outbox_key LIMIT 1";
        let row: Option<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(function.as_str()).fetch_optional(pool).await)?;
        row.map(PostedCheckin::try_from).transpose()
    }

    /// Check-ins enqueued since `since`, oldest first.
    pub async fn checkins_since(&self, since: DateTime<Utc>) -> Result<Vec<PostedCheckin>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key, c.function_name, c.round, o.channel, o.ts, o.sent_at_ms FROM checkins c \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE c.created_at_ms >= $1 ORDER BY c.created_at_ms, c.outbox_key";
        let rows: Vec<CheckinRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(to_millis(since)).fetch_all(pool).await)?;
        rows.into_iter().map(PostedCheckin::try_from).collect()
    }

    /// Keys of the check-ins to `channel` not yet known to be posted (waiting, or being sent):
    /// a reply in a thread Liftoff does not know may belong to one of them.
    pub async fn unsent_checkin_keys(&self, channel: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT idempotency_key FROM outbox \
             WHERE target = $1 AND kind = 'checkin' AND state IN ('pending', 'sending')";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(channel).fetch_all(pool).await)?)
    }

    /// The tasks a check-in listed, with their owners at the time.
    pub async fn checkin_tasks(&self, outbox_key: &str) -> Result<Vec<(TaskId, Option<SlackUserId>)>, StoreError> {
        const SQL: &str = "SELECT task_id, owner_user_id FROM checkin_tasks WHERE outbox_key = $1 ORDER BY task_id";
        let rows: Vec<(i64, Option<String>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(outbox_key).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(task, owner)| (TaskId(task), owner.and_then(|o| SlackUserId::parse(&o).ok())))
            .collect())
    }

    /// What a check-in message is drawn from when it is sent or redrawn: the tasks it lists as
    /// they are now, and the launches `launches` (those whose titles it shows) as they are now.
    /// A task or launch gone since is not returned.
    pub async fn checkin_listing(
        &self,
        outbox_key: &str,
        launches: impl IntoIterator<Item = LaunchId>,
    ) -> Result<(Vec<Launch>, Vec<Task>), StoreError> {
        const TASKS: &str = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE id IN (SELECT task_id FROM checkin_tasks WHERE outbox_key = $1)"
        );
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            let tasks: Vec<TaskRow> = sqlx::query_as(TASKS).bind(outbox_key).fetch_all(&mut *conn).await?;
            let mut found = Vec::new();
            for id in launches {
                let row: Option<LaunchRow> = sqlx::query_as(LAUNCH_BY_ID).bind(id.0).fetch_optional(&mut *conn).await?;
                found.extend(row.map(Launch::try_from).transpose()?);
            }
            Ok((found, convert_all(tasks)?))
        })
    }

    /// The key of the most recent posted check-in that lists `task`, if any: the one whose rows
    /// still show people the task's status, so a change made elsewhere (a DM) is shown there.
    pub async fn latest_posted_checkin_listing(&self, task: TaskId) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT c.outbox_key FROM checkin_tasks t JOIN checkins c ON c.outbox_key = t.outbox_key \
             JOIN outbox o ON o.idempotency_key = c.outbox_key WHERE t.task_id = $1 AND o.state = 'sent' \
             ORDER BY c.created_at_ms DESC, c.outbox_key DESC LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(task.0).fetch_optional(pool).await)?)
    }

    /// Tasks among those `key` lists on which `user` recorded anything since `since`.
    pub async fn answered_in_checkin(
        &self,
        outbox_key: &str,
        user: &SlackUserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TaskId>, StoreError> {
        const SQL: &str = "SELECT DISTINCT task_id FROM history WHERE actor = $1 AND at_ms >= $2 \
             AND task_id IN (SELECT task_id FROM checkin_tasks WHERE outbox_key = $3)";
        let ids: Vec<Option<i64>> = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(user.as_str()).bind(to_millis(since)).bind(outbox_key).fetch_all(pool).await)?;
        Ok(ids.into_iter().flatten().map(TaskId).collect())
    }
}

#[derive(sqlx::FromRow)]
struct CheckinRow {
    outbox_key: String,
    function_name: String,
    round: String,
    channel: Option<String>,
    ts: Option<String>,
    sent_at_ms: Option<i64>,
}

impl TryFrom<CheckinRow> for PostedCheckin {
    type Error = StoreError;

    fn try_from(row: CheckinRow) -> Result<Self, Self::Error> {
        Ok(PostedCheckin {
            outbox_key: row.outbox_key,
            function: FunctionName::parse(&row.function_name).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            round: row.round,
            channel: row.channel,
            ts: row.ts,
            sent_at: row.sent_at_ms.map(from_millis).transpose()?,
        })
    }
}
