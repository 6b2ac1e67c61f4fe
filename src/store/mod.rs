//! Persistence: sqlx repositories over one schema on SQLite (the default) and PostgreSQL.
//!
//! Only this module knows SQL. Each backend has its own native pool, because sqlx's `Any`
//! driver cannot carry dates; every query is written once with `$n` placeholders (which both
//! SQLite and PostgreSQL accept) and compiled for both pools by [`on_pool!`]. Instants are
//! stored as epoch milliseconds and dates as `DATE`, so comparisons agree on both backends.
//!
//! Writes that read first use optimistic concurrency: every launch and task row has a
//! `version`, and an update only applies `WHERE version = <the version read>`. That is safe on
//! both backends without SQLite's deferred-transaction lock upgrade, and it is what makes two
//! instances (or a thread reply racing a button click) unable to overwrite each other.

mod checkins;
mod checkpoints;
mod error;
mod escalations;
mod events;
mod functions;
mod gonogo;
pub(crate) mod history;
mod inline;
mod job_runs;
mod kept;
mod launches;
mod new_tasks;
pub(crate) mod outbox;
mod pacing;
mod pages;
mod people;
mod rows;
mod tasks;
/// Store methods only the tests call: left out of release builds.
#[cfg(feature = "testing")]
mod testing;
mod writer;

pub use error::StoreError;
pub(crate) use error::is_unique_violation;
pub use new_tasks::TaskSlot;
use writer::{OwnedWriteTurn, WriterLock};

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::config::{DatabaseConfig, redact_url};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Runs `$body` with `$pool` bound to whichever native pool the store holds. The body is
/// compiled once per backend, so a query that does not type-check on both fails the build.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite { readers: $pool, .. } => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// [`on_pool!`] for a write: on SQLite, `$body` runs in this process's turn at writing (see
/// [`Store::write_turn`]) with `$pool` bound to the writer's connection, which it may use
/// once (an executor, or `begin`); `$body` may `?` and `return` as in `on_pool!`.
macro_rules! on_writer {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite { writer, .. } => {
                #[allow(unused_imports)]
                use sqlx::Connection as _;
                let mut turn = $store.write_turn(writer).await?;
                let $pool = turn.connection().await?;
                $body
            }
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_writer;

/// A PostgreSQL connection idle for longer than this is checked before it is used again.
const RECHECK_IDLE_AFTER: Duration = Duration::from_secs(5);

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    /// Reads go to `readers`, writes to `writer`'s one connection. SQLite lets one writer in
    /// at a time anyway, and a connection drops its page cache whenever it finds that another
    /// connection wrote since it last looked: writes spread over the readers' connections
    /// re-read their pages from the file nearly every time (`pcache1TruncateUnsafe` and
    /// `pread` were a sixth of the SQLite threads' time under `/launch task`), while the one
    /// connection that does all the writing keeps its cache. The same pool twice for an
    /// in-memory database, which exists once per connection.
    Sqlite {
        readers: SqlitePool,
        /// Connections called on the calling thread, for the replies people wait on most
        /// (`inline`).
        inline: std::sync::Arc<inline::InlineSqlite>,
        /// Reached only through a turn at writing ([`Store::write_turn`]).
        writer: std::sync::Arc<WriterLock>,
    },
    Postgres(PgPool),
}

/// The repositories, over a pool of either backend. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// How long a writer waits for its turn: `database.busy_timeout`.
    busy_timeout: Duration,
}

impl Store {
    /// Opens the configured database (creating a SQLite file if missing) and checks that a
    /// connection can really be made, so a wrong URL fails at start-up with its reason.
    pub async fn connect(config: &DatabaseConfig) -> Result<Store, StoreError> {
        let url = config.url.expose_secret();
        let redacted = config.redacted_url();
        let connect_error = |err: sqlx::Error| {
            if is_read_only(&err) {
                StoreError::ReadOnly { url: redacted.clone() }
            } else {
                StoreError::Connect {
                    url: redacted.clone(),
                    reason: describe_connect_error(&err),
                }
            }
        };
        let store = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_error)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(config.busy_timeout)
                .foreign_keys(true);
            // An in-memory database exists once per connection: keep exactly one, forever.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool_options = SqlitePoolOptions::new()
                .acquire_timeout(config.connect_timeout)
                // Each ping is a round trip to the connection's worker thread (two thread
                // wake-ups), and a file has no other end to hang up: pinging before every
                // query made a third of a command's round trips (BENCHMARKS.md).
                .test_before_acquire(false)
                .after_release(|conn, _| {
                    Box::pin(async move {
                        // Queued work only ever lowers the transaction depth, so a connection
                        // out of its transactions now stays out: no round trip needed.
                        if !sqlx::Connection::is_in_transaction(conn) {
                            return Ok(true);
                        }
                        // A dropped transaction queues its ROLLBACK on the connection's worker
                        // without waiting: a round trip first lets it land before the check.
                        sqlx::Connection::ping(conn).await?;
                        Ok(!left_in_transaction(conn))
                    })
                });
            let pool_options = if in_memory {
                pool_options
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                pool_options.max_connections(config.max_connections)
            };
            let reader_connections = pool_options.get_max_connections();
            let file = (!in_memory).then(|| options.get_filename().to_path_buf());
            let writer_options = pool_options.clone().max_connections(1);
            let readers = pool_options
                .connect_with(options.clone())
                .await
                .map_err(connect_error)?;
            // Opened when first written through: `readers` has just shown the file opens.
            let writer = if in_memory {
                writer::WriterSlot::new(readers.clone(), false)
            } else {
                // A statement that writes many rows (a round's batch) keeps a journal of the
                // pages it changed, to undo itself alone should it fail halfway; past 64 KiB
                // SQLite spills that journal to a temporary file, a `pwrite` per page (a
                // tenth of the writer's time in a check-in round). Kept in memory instead: it
                // lives only as long as the statement.
                writer::WriterSlot::new(
                    writer_options.connect_lazy_with(options.pragma("temp_store", "memory")),
                    true,
                )
            };
            Store {
                pool: Pool::Sqlite {
                    readers,
                    inline: std::sync::Arc::new(inline::InlineSqlite::new(
                        file,
                        config.busy_timeout,
                        reader_connections as usize,
                    )),
                    writer: std::sync::Arc::new(WriterLock::new(writer)),
                },
                busy_timeout: config.busy_timeout,
            }
        } else {
            let options = PgConnectOptions::from_str(&without_unknown_secret_params(url)).map_err(connect_error)?;
            Store::postgres(options, config.max_connections, config.connect_timeout)
                .await
                .map_err(connect_error)?
        };
        Ok(store)
    }

    /// Opens PostgreSQL with explicit options; tests use it to give each test its own schema
    /// (`options(["search_path", …])`).
    pub async fn postgres(
        options: PgConnectOptions,
        max_connections: u32,
        timeout: Duration,
    ) -> Result<Store, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(timeout)
            // sqlx checks every connection when it comes back (a round trip to the server);
            // checking it again when it is taken doubled each query's round trips. Only a
            // connection that sat idle for a while (through a server restart, say) is checked.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > RECHECK_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            busy_timeout: timeout,
        })
    }

    /// Opens the rest of a PostgreSQL pool in the background, for `serve`: the first burst after
    /// a start then does not wait for new server processes (a pool that grew during load cost
    /// that second's slowest answers 27-55 ms; BENCHMARKS.md, tenth session). One-shot commands
    /// keep the one connection they need. Each acquisition is returned at once; those that
    /// find no idle connection open one. SQLite's readers are opened as they are needed.
    pub fn open_the_whole_pool(&self) {
        let Pool::Postgres(pool) = &self.pool else { return };
        let pool = pool.clone();
        let connections = pool.options().get_max_connections();
        tokio::spawn(async move {
            let opening = (0..connections).map(|_| {
                let pool = pool.clone();
                async move {
                    if let Err(err) = pool.acquire().await {
                        tracing::debug!(error = %err, "could not open a connection ahead of need");
                    }
                }
            });
            futures_util::future::join_all(opening).await;
        });
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies every migration not yet applied. Each runs in its own transaction, so a failing
    /// migration leaves the database as it was before it.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let result = on_pool!(self, pool => self.migrator().run(pool).await);
        match result {
            Err(sqlx::migrate::MigrateError::Execute(err)) if is_read_only(&err) => {
                Err(StoreError::ReadOnly { url: self.describe() })
            }
            other => Ok(other?),
        }
    }

    /// Versions of embedded migrations that the database has not applied successfully.
    pub async fn pending_migrations(&self) -> Result<Vec<i64>, StoreError> {
        const APPLIED: &str = "SELECT version FROM _sqlx_migrations WHERE success";
        let applied: Result<Vec<i64>, sqlx::Error> =
            on_pool!(self, pool => sqlx::query_scalar(APPLIED).fetch_all(pool).await);
        let applied = match applied {
            Ok(applied) => applied,
            // No bookkeeping table yet: nothing has been applied.
            Err(sqlx::Error::Database(err)) if err.message().contains("_sqlx_migrations") => Vec::new(),
            Err(err) => return Err(err.into()),
        };
        Ok(self
            .migrator()
            .iter()
            .map(|migration| migration.version)
            .filter(|version| !applied.contains(version))
            .collect())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Writes (and commits) one small row: whether the database takes writes now. A database
    /// that reads but cannot write (a full disk, a read-only file system) is not ready.
    pub async fn probe_write(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO health_probe (id, probed_at_ms) VALUES (1, $1) \
                           ON CONFLICT (id) DO UPDATE SET probed_at_ms = $1";
        on_writer!(self, pool => sqlx::query(SQL).bind(to_millis(now)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite {
                readers,
                inline,
                writer,
            } => {
                // After the turn in progress, if any; the pool waits for its connection.
                let writer = writer.lock().await.release();
                writer.close().await;
                inline.release();
                readers.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// The database file when this is an on-disk SQLite database; `None` for PostgreSQL and
    /// in-memory SQLite.
    /// Bytes free for the SQLite database on its file system (`None` on PostgreSQL, or when the
    /// file system cannot say). SQLite needs room for its write-ahead log before a write can
    /// commit, so a nearly full disk means writes are failing or about to.
    pub fn sqlite_free_bytes(&self) -> Option<u64> {
        let path = self.sqlite_path()?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let stats = rustix::fs::statvfs(dir).ok()?;
        Some(stats.f_bavail.saturating_mul(stats.f_frsize))
    }

    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.pool {
            Pool::Sqlite { readers: pool, .. } => {
                let path = pool.connect_options().get_filename().to_path_buf();
                let name = path.to_string_lossy();
                (!name.is_empty() && !name.contains(":memory:")).then_some(path)
            }
            Pool::Postgres(_) => None,
        }
    }

    fn describe(&self) -> String {
        match &self.pool {
            Pool::Sqlite { readers: pool, .. } => {
                format!("sqlite://{}", pool.connect_options().get_filename().display())
            }
            Pool::Postgres(_) => "postgres".to_owned(),
        }
    }
}

fn is_read_only(err: &sqlx::Error) -> bool {
    // SQLITE_READONLY is 8; its extended codes keep 8 in the low byte.
    matches!(err, sqlx::Error::Database(db) if db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 8))
        || err.to_string().contains("read-only")
        || err.to_string().contains("readonly")
}

/// A short, secret-free reason for a connection failure.
fn describe_connect_error(err: &sqlx::Error) -> String {
    let text = match err {
        sqlx::Error::PoolTimedOut => {
            "timed out waiting for a connection (is the server running and reachable?)".to_owned()
        }
        other => other.to_string(),
    };
    // Drivers sometimes quote the URL back; never let a password through. Only the words that
    // are URLs are redacted: the rest of the message says why the connection failed.
    text.split(' ')
        .map(|word| {
            if word.contains("://") {
                redact_url(word)
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `sql`, which ends in `LIMIT`, with `limit` written into it instead of bound. SQLite plans a
/// query for the value of a bound LIMIT and so prepares the statement again every time the
/// parameter is bound (`sqlite3ExprIsInteger` marks it in 3.51): a full parse on every
/// `/launch show` and every delivery poll. A number written in cannot inject anything, and
/// each distinct limit is one cached statement.
pub(crate) fn limited(sql: &'static str, limit: i64) -> sqlx::AssertSqlSafe<String> {
    debug_assert!(sql.ends_with("LIMIT"), "{sql}");
    sqlx::AssertSqlSafe(format!("{sql} {limit}"))
}

/// Milliseconds since the epoch: how instants are stored on both backends.
pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} ms is out of range")))
}

pub use checkins::PostedCheckin;
pub use events::{EventClaim, ReplyMark};
pub use functions::FunctionSetting;
pub use gonogo::VoteOutcome;
pub use outbox::{OutboxCounts, OutboxEntry};
pub use pages::LaunchPage;
#[cfg(feature = "testing")]
pub use testing::{ConnectionSettings, HeldWriteTurn};

/// Secret-looking query parameters sqlx does not know. sqlx logs every connection parameter it
/// does not recognise, value and all (`ignoring unrecognized connect parameter key=sslpassword
/// value=…`), so these are dropped here, with a warning that names only the key.
fn without_unknown_secret_params(raw: &str) -> String {
    const UNKNOWN_SECRETS: &[&str] = &["sslpassword", "pass", "pwd", "secret", "token"];
    let Ok(mut parsed) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let unknown = |key: &str| UNKNOWN_SECRETS.iter().any(|s| key.eq_ignore_ascii_case(s));
    if !parsed.query_pairs().any(|(key, _)| unknown(&key)) {
        return raw.to_owned();
    }
    let mut kept = Vec::new();
    for (key, value) in parsed.query_pairs() {
        if unknown(&key) {
            tracing::warn!(key = %key, "ignoring a database URL parameter the PostgreSQL driver does not support");
        } else {
            kept.push((key.into_owned(), value.into_owned()));
        }
    }
    parsed.query_pairs_mut().clear().extend_pairs(kept);
    parsed.to_string()
}

/// Whether a connection comes back to the pool still inside a transaction. A COMMIT that fails
/// (SQLITE_FULL on a full disk, an I/O error) can leave it so, with sqlx's bookkeeping and
/// SQLite's own state apart; such a connection would keep the write lock (every other writer
/// then gets `database is locked`) and turn later transactions into savepoints that never
/// commit (writes confirmed, then lost). It is closed instead, which rolls back whatever it
/// held; the pool opens a fresh one when needed.
fn left_in_transaction<C: sqlx::Connection>(conn: &mut C) -> bool {
    let stuck = conn.is_in_transaction();
    if stuck {
        tracing::error!("a database connection came back inside a transaction (a failed commit?): closing it");
    }
    stuck
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_error_says_why_and_hides_only_urls() {
        let refused = sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        let text = describe_connect_error(&refused);
        assert!(text.contains("Connection refused"), "{text}");
        let quoted = sqlx::Error::Configuration("cannot parse postgres://app:hunter2@db/x here".into());
        let text = describe_connect_error(&quoted);
        assert!(text.contains("cannot parse") && text.contains("app:***@db"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    /// One schema, two dialects: every migration must exist for both backends, under the same
    /// version and name, or the backends drift apart.
    #[test]
    fn both_backends_have_the_same_migrations() {
        let list = |migrator: &Migrator| {
            migrator
                .iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(!list(&SQLITE_MIGRATIONS).is_empty());
        assert_eq!(list(&SQLITE_MIGRATIONS), list(&POSTGRES_MIGRATIONS));
    }

    #[test]
    fn passwords_are_redacted_from_connection_errors() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/liftoff"),
            "postgres://app:***@db:5432/liftoff"
        );
        assert_eq!(redact_url("sqlite://liftoff.db"), "sqlite://liftoff.db");
    }
}
