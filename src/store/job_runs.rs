//! The scheduler's run ledger: each job runs once per slot, and what a run produced (its
//! messages and the check-ins among them) is written in the same transaction.

use chrono::{DateTime, Utc};

use super::checkpoints::DeferredCheckpoint;
use super::{Pool, Store, StoreError, on_pool, to_millis};
use crate::outbound::{CheckinRecord, OutboxMessage, RunMessage};
use sqlx::Connection as _;

/// Messages of a scheduled run written per statement, and the payload bytes after which a
/// batch is cut short: few statements (each is a round trip to SQLite's worker thread) and
/// a bounded amount held at once (about 1 MiB).
const RUN_MESSAGES_PER_INSERT: usize = 64;
const RUN_BATCH_BYTES: usize = 1 << 20;

/// The next batch of a run's messages (empty when there are no more). It yields after each
/// message, so that the write of the previous batch, joined with it, goes on in between.
async fn next_batch(messages: &mut (impl Iterator<Item = RunMessage> + Send)) -> Vec<RunMessage> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while batch.len() < RUN_MESSAGES_PER_INSERT && bytes < RUN_BATCH_BYTES {
        let Some(message) = messages.next() else { break };
        bytes += message.message.payload.as_str().len();
        batch.push(message);
        tokio::task::yield_now().await;
    }
    batch
}

/// Rows of `checkin_tasks` written per INSERT: three values each, far below both backends'
/// limit on bound parameters (32,766 for SQLite, 65,535 for PostgreSQL).
const CHECKIN_TASKS_PER_INSERT: usize = 1000;

/// Bound values one SQLite query of a batch's statements may carry (SQLite refuses more than
/// 32,766); a batch that would need more is written in more than one query.
const SQLITE_BINDS_PER_QUERY: usize = 30_000;

/// Bound values per row of each table a batch writes.
const OUTBOX_BINDS: usize = 10;
const CHECKIN_BINDS: usize = 4;
const CHECKIN_TASK_BINDS: usize = 3;

/// Whether the next statement of a batch, binding `next` values, joins the statements before it
/// in one query: only on SQLite (`at_once`), and within [`SQLITE_BINDS_PER_QUERY`].
fn joins(at_once: bool, binds: usize, next: usize) -> bool {
    at_once && binds + next <= SQLITE_BINDS_PER_QUERY
}

/// Ends the statement in `$query` before one that binds `$next` values: by joining the next to
/// it in the same query ([`joins`]), or by running the query so far and starting another.
macro_rules! next_statement {
    ($query:ident, $binds:ident, $next:expr, $at_once:expr, $conn:expr) => {
        if joins($at_once, $binds, $next) {
            $query.push("; ");
        } else {
            $query.build().execute(&mut *$conn).await?;
            $query = sqlx::QueryBuilder::new("");
            $binds = 0;
        }
        $binds += $next;
    };
}

/// A future that writes `$batch` (a `&[RunMessage]`: outbox rows, their `checkins` and
/// `checkin_tasks` rows) through `$conn`. With `$at_once` (SQLite) the statements go as one
/// multi-statement query: a single hand-off to SQLite's worker thread, which then writes the
/// whole batch while the caller makes the next one (each statement on its own would wait for
/// the caller between statements, and the caller is busy rendering). PostgreSQL takes one
/// statement per query.
macro_rules! write_batch {
    ($conn:expr, $batch:expr, $now:expr, $at_once:expr) => {
        async {
            let (batch, now, at_once): (&[RunMessage], i64, bool) = ($batch, $now, $at_once);
            let mut query = sqlx::QueryBuilder::new("");
            let mut binds = 0;
            super::outbox::push_outbox_insert!(query, batch.iter().map(|m| &m.message), now);
            binds += batch.len() * OUTBOX_BINDS;
            let checkins: Vec<&CheckinRecord> = batch.iter().filter_map(|m| m.checkin.as_ref()).collect();
            if !checkins.is_empty() {
                let next = checkins.len() * CHECKIN_BINDS;
                next_statement!(query, binds, next, at_once, $conn);
                query.push("INSERT INTO checkins (outbox_key, function_name, round, created_at_ms) ");
                query.push_values(&checkins, |mut row, checkin| {
                    row.push_bind(checkin.outbox_key.as_str())
                        .push_bind(checkin.function.as_str())
                        .push_bind(checkin.round.as_str())
                        .push_bind(now);
                });
                query.push(" ON CONFLICT (outbox_key) DO NOTHING");
                let listed: Vec<(&str, i64, Option<&str>)> = checkins
                    .iter()
                    .flat_map(|c| {
                        let key = c.outbox_key.as_str();
                        c.tasks
                            .iter()
                            .map(move |(task, owner)| (key, task.0, owner.as_ref().map(|o| o.as_str())))
                    })
                    .collect();
                for chunk in listed.chunks(CHECKIN_TASKS_PER_INSERT) {
                    let next = chunk.len() * CHECKIN_TASK_BINDS;
                    next_statement!(query, binds, next, at_once, $conn);
                    query.push("INSERT INTO checkin_tasks (outbox_key, task_id, owner_user_id) ");
                    query.push_values(chunk, |mut row, (key, task, owner)| {
                        row.push_bind(*key).push_bind(*task).push_bind(*owner);
                    });
                    query.push(" ON CONFLICT (outbox_key, task_id) DO NOTHING");
                }
            }
            query.build().execute(&mut *$conn).await?;
            Ok::<(), sqlx::Error>(())
        }
    };
}

impl Store {
    /// Records that `job` ran for `slot` and enqueues what it produced, atomically. Returns
    /// how many messages it enqueued, or `None` (and writes nothing, and does not pull
    /// `messages`) if the slot had already run: another tick, instance or
    /// restart got there first.
    ///
    /// `messages` is pulled inside the transaction in batches (64 messages or 1 MiB of
    /// payload), the next while the last is written, so a producer that renders lazily (the
    /// check-in round) holds at most two batches: a round of 100k tasks stays within a few
    /// tens of MB. The price is that the write lock is held while they are
    /// made (about a second for such a round on SQLite; other writers wait `busy_timeout`).
    pub async fn record_job_run<I>(
        &self,
        job: &str,
        slot: &str,
        outcome: &str,
        messages: I,
        now: DateTime<Utc>,
    ) -> Result<Option<usize>, StoreError>
    where
        I: IntoIterator<Item = RunMessage>,
        I::IntoIter: Send,
    {
        const RUN: &str = "INSERT INTO job_runs (job, slot, outcome, ran_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (job, slot) DO NOTHING";
        let now = to_millis(now);
        let mut messages = messages.into_iter();
        // The round's statements, written once for either backend's connection.
        macro_rules! write_round {
            ($pool:expr, $at_once:expr) => {{
                let pool = $pool;
                let mut tx = pool.begin().await?;
                let claimed = sqlx::query(RUN)
                    .bind(job)
                    .bind(slot)
                    .bind(outcome)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if claimed.rows_affected() == 0 {
                    tx.rollback().await?;
                    None
                } else {
                    let mut enqueued = 0;
                    // Many rows per statement: a round of 100k tasks is a few hundred statements,
                    // not one per message and per task.
                    let mut batch = next_batch(&mut messages).await;
                    while !batch.is_empty() {
                        enqueued += batch.len();
                        let write = write_batch!(&mut *tx, &batch, now, $at_once);
                        // The next batch is made while this one is written: the database works on
                        // a thread (SQLite's worker) or a server of its own, so producing messages
                        // (a check-in round renders them here) and writing them overlap.
                        let (written, next) = tokio::join!(write, next_batch(&mut messages));
                        written?;
                        batch = next;
                    }
                    tx.commit().await?;
                    Some(enqueued)
                }
            }};
        }
        let ran = match &self.pool {
            Pool::Sqlite { writer, .. } => {
                let mut turn = self.owned_write_turn(writer).await?;
                // The round's log is copied back into the database after it commits, in its
                // turn at writing: see `checkpoints`.
                let mut connection = turn.take_connection().await?;
                let mut round = DeferredCheckpoint::start(&mut connection).await?;
                let ran = write_round!(&mut **round.connection(), true);
                round.finish().await?;
                // A round that failed before this drops `connection`, closed: see
                // `DeferredCheckpoint`.
                turn.put_back(connection);
                if ran.is_some() {
                    super::checkpoints::checkpoint_holding(turn);
                }
                ran
            }
            Pool::Postgres(pool) => write_round!(pool, false),
        };
        Ok(ran)
    }

    /// Whether `job` has run (or been skipped) for `slot`.
    pub async fn job_ran(&self, job: &str, slot: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM job_runs WHERE job = $1 AND slot = $2";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(SQL).bind(job).bind(slot).fetch_one(pool).await)?;
        Ok(count > 0)
    }
}
