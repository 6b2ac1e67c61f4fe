//! Go/no-go rounds and their ballots.
//!
//! A vote and the decision it may complete are one transaction that starts by bumping the
//! round's `version`: that write takes the round's row lock on PostgreSQL and the write lock on
//! SQLite first, so two last votes arriving together are serialised and exactly one of them
//! sees every ballot answered, decides, and enqueues the result.

use chrono::{DateTime, NaiveDate, Utc};

use super::outbox::insert_outbox;
use super::{Store, StoreError, from_millis, is_unique_violation, on_pool, on_writer, to_millis};
use crate::outbound::OutboxMessage;
use liftoff_core::gonogo::{Ballot, GoNoGo, Verdict, Vote};
use liftoff_core::{FunctionName, LaunchId, SlackUserId};

#[derive(sqlx::FromRow)]
pub(super) struct RoundRow {
    pub(super) id: i64,
    launch_id: i64,
    started_by: String,
    started_at_ms: i64,
    started_on: NaiveDate,
    decided_at_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct BallotRow {
    function_name: String,
    voter: String,
    vote: Option<String>,
    reason: Option<String>,
    voted_at_ms: Option<i64>,
}

impl RoundRow {
    /// The [`round_columns!`] of a row read on the calling thread (`inline`), in their order.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<RoundRow> {
        Ok(RoundRow {
            id: row.get(0)?,
            launch_id: row.get(1)?,
            started_by: row.get(2)?,
            started_at_ms: row.get(3)?,
            started_on: row.get(4)?,
            decided_at_ms: row.get(5)?,
        })
    }
}

impl BallotRow {
    /// A row of [`BALLOTS`] read on the calling thread (`inline`), by position.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<BallotRow> {
        Ok(BallotRow {
            function_name: row.get(0)?,
            voter: row.get(1)?,
            vote: row.get(2)?,
            reason: row.get(3)?,
            voted_at_ms: row.get(4)?,
        })
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(super) fn assemble(round: RoundRow, ballots: Vec<BallotRow>) -> Result<GoNoGo, StoreError> {
    let ballots = ballots
        .into_iter()
        .map(|row| {
            Ok(Ballot {
                function: FunctionName::parse(&row.function_name).map_err(corrupt)?,
                voter: SlackUserId::parse(&row.voter).map_err(corrupt)?,
                vote: match row.vote {
                    Some(kind) => {
                        Some(Vote::from_stored(&kind, row.reason).ok_or_else(|| corrupt(format!("vote {kind}")))?)
                    }
                    None => None,
                },
                voted_at: row.voted_at_ms.map(from_millis).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(GoNoGo {
        id: round.id,
        launch_id: LaunchId(round.launch_id),
        started_by: SlackUserId::parse(&round.started_by).map_err(corrupt)?,
        started_at: from_millis(round.started_at_ms)?,
        started_on: round.started_on,
        decided_at: round.decided_at_ms.map(from_millis).transpose()?,
        ballots,
    })
}

/// Columns selected for a round, for `concat!` into `&'static` query text.
macro_rules! round_columns {
    () => {
        "id, launch_id, started_by, started_at_ms, started_on, decided_at_ms"
    };
}
const ROUND_BY_ID: &str = concat!("SELECT ", round_columns!(), " FROM gonogos WHERE id = $1");
pub(super) const BALLOTS: &str = "SELECT function_name, voter, vote, reason, voted_at_ms FROM gonogo_ballots \
     WHERE gonogo_id = $1 ORDER BY function_name";

/// Loads the rounds `$query` selects (a `query_as` of `round_columns!`, its arguments bound)
/// with their ballots, through `$conn` (a connection or a transaction of either backend).
macro_rules! load_rounds {
    ($conn:expr, $query:expr) => {{
        use $crate::store::gonogo::{BALLOTS, BallotRow, RoundRow, assemble};
        let rounds: Vec<RoundRow> = $query.fetch_all(&mut *$conn).await?;
        let mut loaded = Vec::with_capacity(rounds.len());
        for round in rounds {
            let ballots: Vec<BallotRow> = sqlx::query_as(BALLOTS).bind(round.id).fetch_all(&mut *$conn).await?;
            loaded.push(assemble(round, ballots)?);
        }
        Ok::<Vec<::liftoff_core::gonogo::GoNoGo>, $crate::store::StoreError>(loaded)
    }};
}

/// `$launch`'s (a `LaunchId`) latest round, if any, through `$conn`; evaluates to a `Result`.
macro_rules! latest_gonogo {
    ($conn:expr, $launch:expr) => {{
        const LATEST: &str = concat!(
            "SELECT ",
            $crate::store::gonogo::round_columns!(),
            " FROM gonogos WHERE launch_id = $1 ORDER BY id DESC LIMIT 1"
        );
        let launch: ::liftoff_core::LaunchId = $launch;
        $crate::store::gonogo::load_rounds!($conn, sqlx::query_as(LATEST).bind(launch.0))
            .map(|rounds| rounds.into_iter().next())
    }};
}
pub(super) use {latest_gonogo, load_rounds, round_columns};

/// What became of a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteOutcome {
    /// There is no such round.
    Unknown,
    /// The round does not ask this person for this function.
    NotAsked(GoNoGo),
    /// The round was already decided; nothing changed.
    AlreadyDecided(GoNoGo),
    /// Recorded; `decided` when this vote was the last one missing.
    Recorded { gonogo: GoNoGo, decided: bool },
}

impl Store {
    /// Starts a round for `launch` asking `ballots`, enqueueing the messages `asks` renders for
    /// it in the same transaction. `None` (and nothing written) when the launch already has an
    /// undecided round.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_gonogo(
        &self,
        launch: LaunchId,
        started_by: &SlackUserId,
        started_on: NaiveDate,
        ballots: &[(FunctionName, SlackUserId)],
        now: DateTime<Utc>,
        asks: &(dyn Fn(&GoNoGo) -> Vec<OutboxMessage> + Sync),
    ) -> Result<Option<GoNoGo>, StoreError> {
        const ROUND: &str = "INSERT INTO gonogos (launch_id, started_by, started_at_ms, started_on) \
             VALUES ($1, $2, $3, $4) RETURNING id";
        const BALLOT: &str = "INSERT INTO gonogo_ballots (gonogo_id, function_name, voter) VALUES ($1, $2, $3)";
        let at = to_millis(now);
        // As it reads back: instants are kept to the millisecond.
        let started_at = from_millis(at)?;
        let result: Result<GoNoGo, sqlx::Error> = on_writer!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(ROUND)
                .bind(launch.0)
                .bind(started_by.as_str())
                .bind(at)
                .bind(started_on)
                .fetch_one(&mut *tx)
                .await?;
            for (function, voter) in ballots {
                sqlx::query(BALLOT).bind(id).bind(function.as_str()).bind(voter.as_str()).execute(&mut *tx).await?;
            }
            let gonogo = GoNoGo {
                id,
                launch_id: launch,
                started_by: started_by.clone(),
                started_at,
                started_on,
                decided_at: None,
                ballots: ballots
                    .iter()
                    .map(|(function, voter)| Ballot {
                        function: function.clone(),
                        voter: voter.clone(),
                        vote: None,
                        voted_at: None,
                    })
                    .collect(),
            };
            for message in asks(&gonogo) {
                insert_outbox!(tx, &message, at)?;
            }
            tx.commit().await?;
            Ok(gonogo)
        }.await);
        match result {
            Ok(gonogo) => Ok(Some(gonogo)),
            Err(err) if is_unique_violation(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn gonogo(&self, id: i64) -> Result<Option<GoNoGo>, StoreError> {
        let rounds = on_pool!(self, pool => { let mut conn = pool.acquire().await?; load_rounds!(conn, sqlx::query_as(ROUND_BY_ID).bind(id)) })?;
        Ok(rounds.into_iter().next())
    }

    /// The launch's most recent round, decided or not.
    pub async fn latest_gonogo(&self, launch: LaunchId) -> Result<Option<GoNoGo>, StoreError> {
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            latest_gonogo!(conn, launch)
        })
    }

    /// Every undecided round, for reminders.
    pub async fn open_gonogos(&self) -> Result<Vec<GoNoGo>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            round_columns!(),
            " FROM gonogos WHERE decided_at_ms IS NULL ORDER BY id"
        );
        on_pool!(self, pool => { let mut conn = pool.acquire().await?; load_rounds!(conn, sqlx::query_as(SQL)) })
    }

    /// Records `voter`'s `vote` for `function` in round `id`. When it completes the round, the
    /// decision and the messages `on_decided` renders for it are written in the same
    /// transaction, so the result is announced exactly once.
    pub async fn record_vote(
        &self,
        id: i64,
        function: &FunctionName,
        voter: &SlackUserId,
        vote: &Vote,
        now: DateTime<Utc>,
        on_decided: &(dyn Fn(&GoNoGo) -> Vec<OutboxMessage> + Sync),
    ) -> Result<VoteOutcome, StoreError> {
        const LOCK: &str = "UPDATE gonogos SET version = version + 1 WHERE id = $1 AND decided_at_ms IS NULL";
        const VOTE: &str = "UPDATE gonogo_ballots SET vote = $3, reason = $4, voted_at_ms = $5 \
             WHERE gonogo_id = $1 AND function_name = $2 AND voter = $6";
        const DECIDE: &str = "UPDATE gonogos SET decided_at_ms = $2, verdict = $3 WHERE id = $1";
        let at = to_millis(now);
        let recorded: Option<Result<(GoNoGo, bool), GoNoGo>> = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let locked = sqlx::query(LOCK).bind(id).execute(&mut *tx).await?;
            if locked.rows_affected() == 0 {
                tx.rollback().await?;
                None
            } else {
                let voted = sqlx::query(VOTE)
                    .bind(id)
                    .bind(function.as_str())
                    .bind(vote.as_str())
                    .bind(vote.reason())
                    .bind(at)
                    .bind(voter.as_str())
                    .execute(&mut *tx)
                    .await?;
                let mut gonogo = load_rounds!(tx, sqlx::query_as(ROUND_BY_ID).bind(id))?
                    .into_iter()
                    .next()
                    .ok_or_else(|| corrupt(format!("go/no-go {id} vanished")))?;
                if voted.rows_affected() == 0 {
                    tx.rollback().await?;
                    Some(Err(gonogo))
                } else {
                    let verdict = gonogo.verdict();
                    if let Some(verdict) = &verdict {
                        let label = match verdict {
                            Verdict::Go => "go",
                            Verdict::NoGo(_) => "no_go",
                        };
                        sqlx::query(DECIDE).bind(id).bind(at).bind(label).execute(&mut *tx).await?;
                        gonogo.decided_at = Some(from_millis(at)?);
                        for message in on_decided(&gonogo) {
                            insert_outbox!(tx, &message, at)?;
                        }
                    }
                    tx.commit().await?;
                    Some(Ok((gonogo, verdict.is_some())))
                }
            }
        });
        Ok(match recorded {
            Some(Ok((gonogo, decided))) => VoteOutcome::Recorded { gonogo, decided },
            Some(Err(gonogo)) => VoteOutcome::NotAsked(gonogo),
            None => match self.gonogo(id).await? {
                Some(gonogo) => VoteOutcome::AlreadyDecided(gonogo),
                None => VoteOutcome::Unknown,
            },
        })
    }
}
