//! Shared test set-up: fresh databases per test on both backends, and the real service on a
//! random port.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use liftoff::clock::ManualClock;
use liftoff::config::Config;
use liftoff::http::Application;
use liftoff::store::Store;
use liftoff_core::{Actor, ChangeContext, ChangeSource, SlackUserId};
use serde_json::Value;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tempfile::TempDir;

use crate::fake_slack::{self, FakeSlack};

/// A database that lives as long as the test: a temporary SQLite file, or a PostgreSQL schema
/// of its own so that tests can run in parallel on one server.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
        let store = Store::connect(&config_with_database(&url).database)
            .await
            .expect("open sqlite");
        TestDb {
            store,
            url,
            guard: Guard::Sqlite(dir),
        }
    }

    /// A SQLite database in `dir` (which the caller keeps, e.g. a small file system it mounted).
    pub async fn sqlite_in(dir: &std::path::Path) -> TestDb {
        let url = format!("sqlite://{}", dir.join("liftoff.db").display());
        let store = Store::connect(&config_with_database(&url).database)
            .await
            .expect("open sqlite");
        TestDb {
            store,
            url,
            guard: Guard::Sqlite(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// `None` when no PostgreSQL is configured for tests, unless `LIFTOFF_REQUIRE_POSTGRES` says
    /// it must be: then a missing or unreachable server fails the test.
    pub async fn postgres() -> Option<TestDb> {
        let required = std::env::var("LIFTOFF_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let Some(admin_url) = std::env::var("TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()) else {
            assert!(!required, "LIFTOFF_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set");
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            return None;
        };
        let schema = unique_name("liftoff_test");
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|err| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {err}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("create test schema");
        admin.close().await.ok();
        let options: PgConnectOptions = admin_url.parse().expect("TEST_DATABASE_URL parses");
        let options = options.options([("search_path", schema.as_str())]);
        let store = Store::postgres(options, 4, Duration::from_secs(10))
            .await
            .expect("connect to test schema");
        let url = format!("{admin_url}?options=-c%20search_path%3D{schema}");
        Some(TestDb {
            store,
            url,
            guard: Guard::Postgres { admin_url, schema },
        })
    }

    /// Drops what the test created. Called at the end of a passing test; a failing one leaves
    /// its schema behind for inspection.
    /// Runs `sql` (in the backend's dialect) on a connection of its own, beside the store: a
    /// trigger that stands in for a failure, say.
    pub async fn run_raw(&self, sql: &'static str) {
        if self.url.starts_with("sqlite:") {
            let raw = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&raw).await.unwrap();
            raw.close().await;
        } else {
            let raw = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&raw).await.unwrap();
            raw.close().await;
        }
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let Guard::Postgres { admin_url, schema } = &self.guard {
            let mut admin = PgConnection::connect(admin_url).await.expect("reconnect for cleanup");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut admin)
                .await
                .expect("drop test schema");
        }
    }
}

/// A name no other test (or test process) uses at the same time.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs the same async test body against SQLite and, when configured, PostgreSQL. Each body
/// gets a migrated `Store` of its own.
macro_rules! both_backends {
    ($(async fn $name:ident($store:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::helpers::TestDb::sqlite().await;
                    db.store.migrate().await.expect("migrate");
                    let $store = db.store.clone();
                    $body
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::helpers::TestDb::postgres().await else { return };
                    db.store.migrate().await.expect("migrate");
                    let $store = db.store.clone();
                    $body
                    db.cleanup().await;
                }
            )*
        }
    };
}
pub(crate) use both_backends;

/// A valid configuration pointing at `database_url`, listening on a random port.
pub fn config_with_database(database_url: &str) -> Config {
    let url = database_url.to_owned();
    let env = move |key: &str| match key {
        "DATABASE_URL" => Some(url.clone()),
        "LIFTOFF_BIND" => Some("127.0.0.1:0".to_owned()),
        "SLACK_BOT_TOKEN" => Some("xoxb-test-bot-token".to_owned()),
        "SLACK_SIGNING_SECRET" => Some("test-signing-secret".to_owned()),
        _ => None,
    };
    Config::from_toml("", &env).expect("test config is valid")
}

/// Polls `done` every 20 ms until it holds or `within` has passed; whether it held. For what
/// the service does in the background (Home tabs, deliveries, cached time zones).
pub async fn eventually(within: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if done().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub fn instant(s: &str) -> DateTime<Utc> {
    s.parse().expect("test instant")
}

/// Stores launch `name` (tier 1, led by U0LEAD) on `launch_date`, as created on 2026-11-23.
pub async fn new_launch(store: &Store, name: &str, launch_date: &str) -> liftoff_core::Launch {
    let draft = liftoff_core::LaunchDraft {
        name: name.to_owned(),
        tier: liftoff_core::Tier::One,
        launch_date: date(launch_date),
        lead: Some(user("U0LEAD")),
    };
    let slug = draft.validate(date("2026-11-23")).expect("valid draft");
    store
        .create_launch(&draft, &slug, &ctx("U0LEAD", "2026-11-23T09:00:00Z"))
        .await
        .expect("create launch")
}

/// The DM `/launch task` stores for a new task's owner (kind `kind`, keyed `key`), for store
/// tests that write one beside the task.
pub fn owner_dm(key: &str, kind: &str, owner: &str) -> liftoff::outbound::OutboxMessage {
    liftoff::outbound::OutboxMessage {
        key: key.to_owned(),
        kind: kind.to_owned(),
        method: liftoff::outbound::OutboxMethod::PostMessage,
        target: owner.to_owned(),
        recipient: None,
        thread_ts: None,
        thread_of: None,
        payload: serde_json::json!({ "text": "You own a new task" }).into(),
        not_before: None,
    }
}

pub fn user(id: &str) -> SlackUserId {
    SlackUserId::parse(id).expect("test user id")
}

/// A change made by `user_id` through a slash command at `at`.
pub fn ctx(user_id: &str, at: &str) -> ChangeContext {
    ChangeContext::new(Actor::User(user(user_id)), ChangeSource::Command, instant(at))
}

/// Signing secret the test service is configured with.
pub const SIGNING_SECRET: &str = "test-signing-secret";

/// The real service on a random port over a fresh SQLite database, talking to a fake Slack,
/// with a hand-moved clock.
pub struct TestApp {
    pub state: liftoff::http::AppState,
    pub address: String,
    pub store: Store,
    pub clock: ManualClock,
    pub slack: FakeSlack,
    pub http: reqwest::Client,
    db: Option<TestDb>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the service with migrations applied.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(true, "").await
    }

    /// Starts the service; `migrate: false` leaves the database empty, as before `liftoff
    /// migrate`. `config_toml` is added to the test configuration.
    pub async fn spawn_with(migrate: bool, config_toml: &str) -> TestApp {
        TestApp::spawn_inner(migrate, config_toml, false).await
    }

    /// Starts the service in Socket Mode: an app token and no signing secret.
    pub async fn spawn_socket_mode() -> TestApp {
        TestApp::spawn_inner(true, "", true).await
    }

    /// Starts the service in Socket Mode with `config_toml` added.
    pub async fn spawn_socket_mode_with(config_toml: &str) -> TestApp {
        TestApp::spawn_inner(true, config_toml, true).await
    }

    /// Starts the service on `db`.
    pub async fn spawn_on_db(db: TestDb, config_toml: &str) -> TestApp {
        TestApp::spawn_on(db, true, config_toml, false).await
    }

    /// Starts the service on its own PostgreSQL schema, if tests have a PostgreSQL.
    pub async fn spawn_on_postgres(config_toml: &str) -> Option<TestApp> {
        let db = TestDb::postgres().await?;
        Some(TestApp::spawn_on(db, true, config_toml, false).await)
    }

    /// Starts the service for an app installed org-wide in the Enterprise Grid organisation
    /// `enterprise_id`.
    pub async fn spawn_org_wide(enterprise_id: &str, config_toml: &str) -> TestApp {
        let slack = FakeSlack::start().await;
        slack.install_org_wide(enterprise_id);
        TestApp::spawn_with_slack(TestDb::sqlite().await, slack, true, config_toml, false).await
    }

    async fn spawn_inner(migrate: bool, config_toml: &str, socket_mode: bool) -> TestApp {
        TestApp::spawn_on(TestDb::sqlite().await, migrate, config_toml, socket_mode).await
    }

    async fn spawn_on(db: TestDb, migrate: bool, config_toml: &str, socket_mode: bool) -> TestApp {
        TestApp::spawn_with_slack(db, FakeSlack::start().await, migrate, config_toml, socket_mode).await
    }

    async fn spawn_with_slack(
        db: TestDb,
        slack: FakeSlack,
        migrate: bool,
        config_toml: &str,
        socket_mode: bool,
    ) -> TestApp {
        if migrate {
            db.store.migrate().await.expect("migrate");
        }
        let clock = ManualClock::new(instant("2026-11-23T09:00:00Z"));
        // Scheduled work runs when a test ticks, not on its own.
        let config_toml = format!("[scheduler]\nenabled = false\n{config_toml}");
        let config = test_config(&db.url, &slack.api_url, &config_toml, socket_mode);
        let state = liftoff::startup::prepare(config, db.store.clone(), Arc::new(clock.clone()))
            .await
            .expect("start-up against the fake Slack");
        let app = Application::build(state.clone()).await.expect("bind");
        let address = format!("http://{}", app.local_addr());
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        TestApp {
            state,
            address,
            store: db.store.clone(),
            clock,
            slack,
            http: reqwest::Client::new(),
            db: Some(db),
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// What `liftoff tick` does at the test clock's current time: run due jobs, deliver.
    pub async fn tick(&self) -> Vec<liftoff::scheduler::JobRun> {
        let scheduler = self.state.scheduler();
        let runs = scheduler.run_due().await.expect("scheduled jobs run");
        scheduler.sweep_now().await.expect("escalation sweep runs");
        self.deliver().await;
        runs
    }

    /// Delivers whatever the outbox holds that is due.
    pub async fn deliver(&self) {
        self.state
            .delivery()
            .drain(std::time::Duration::from_secs(5))
            .await
            .expect("delivery runs");
    }

    /// Has `user` run a command, which makes Liftoff look up their time zone, and waits until
    /// it is cached.
    pub async fn learn_timezone(&self, user_id: &str) {
        self.command(user_id, "mine").await;
        self.slack.wait_for("users.info", 1).await;
        let cached = eventually(Duration::from_secs(5), async || {
            self.store.user_timezone(&user(user_id)).await.unwrap().is_some()
        })
        .await;
        assert!(cached, "{user_id}'s time zone was not cached");
    }

    /// The launch with `slug`, which the test created.
    pub async fn launch(&self, slug: &str) -> liftoff_core::Launch {
        self.store
            .launch(&liftoff_core::LaunchRef::Slug(liftoff_core::Slug::parse(slug).unwrap()))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no launch `{slug}`"))
    }

    /// Moves the test clock to `at` (RFC 3339).
    pub fn set_time(&self, at: &str) {
        self.clock.set(instant(at));
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request reaches the service")
    }

    /// POSTs `body` to `path` signed as Slack would sign it now (by the test clock).
    pub async fn post_signed(&self, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        let timestamp = self.clock.now_for_tests().timestamp().to_string();
        let secret = secrecy::SecretString::from(SIGNING_SECRET);
        let signature = liftoff::slack::signature::sign(&secret, &timestamp, body.as_bytes());
        self.post_raw(path, content_type, body, Some(&timestamp), Some(&signature))
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body.to_owned());
        if let Some(timestamp) = timestamp {
            request = request.header("x-slack-request-timestamp", timestamp);
        }
        if let Some(signature) = signature {
            request = request.header("x-slack-signature", signature);
        }
        request.send().await.expect("request reaches the service")
    }

    /// The form body Slack posts for `/launch <text>` typed by `user` in `channel`.
    pub fn command_form(&self, user: &str, channel: &str, text: &str) -> String {
        slack_emulator::slash_command_form(user, channel, text, &self.slack.response_url("command"))
    }

    /// Runs `/launch <text>` as `user` and returns the JSON reply, after checking it is a 200
    /// within Block Kit limits.
    pub async fn command(&self, user: &str, text: &str) -> Value {
        let response = self
            .post_signed("/slack/commands", FORM, &self.command_form(user, "C0LAUNCH", text))
            .await;
        assert_eq!(response.status(), 200, "/launch {text}");
        let body: Value = response.json().await.expect("a JSON reply");
        let problems = fake_slack::block_kit_violations(&body["blocks"], 50);
        assert!(
            problems.is_empty(),
            "/launch {text} broke Block Kit limits: {problems:?}"
        );
        body
    }

    /// Posts an interaction payload (`payload=<json>`), signed.
    pub async fn interaction(&self, payload: &Value) -> reqwest::Response {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed("/slack/interactions", FORM, &body).await
    }

    /// Stops the server gracefully, checks the fake Slack saw no Block Kit violation, and
    /// removes the database.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran cleanly");
        }
        assert_eq!(self.slack.violations(), Vec::<String>::new(), "Block Kit limits broken");
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// A valid configuration for the test service.
pub fn test_config(database_url: &str, slack_api_url: &str, extra_toml: &str, socket_mode: bool) -> Config {
    let url = database_url.to_owned();
    let api = slack_api_url.to_owned();
    let env = move |key: &str| match key {
        "DATABASE_URL" => Some(url.clone()),
        "LIFTOFF_BIND" => Some("127.0.0.1:0".to_owned()),
        "LIFTOFF_SLACK_API_URL" => Some(api.clone()),
        "SLACK_BOT_TOKEN" => Some("xoxb-test-bot-token".to_owned()),
        "SLACK_SIGNING_SECRET" if !socket_mode => Some(SIGNING_SECRET.to_owned()),
        "SLACK_APP_TOKEN" if socket_mode => Some("xapp-1-A0LIFTOFF-test-app-token".to_owned()),
        _ => None,
    };
    Config::from_toml(extra_toml, &env).expect("test config is valid")
}

/// Reads the fake clock in tests.
pub trait ClockExt {
    fn now_for_tests(&self) -> DateTime<Utc>;
}

impl ClockExt for ManualClock {
    fn now_for_tests(&self) -> DateTime<Utc> {
        use liftoff::clock::Clock;
        self.now()
    }
}

/// The titles of a launch's tasks as a restarted service finds them: the database at `url`
/// opened afresh.
pub async fn task_titles_after_restart(url: &str, slug: &str) -> Vec<String> {
    let store = Store::connect(&config_with_database(url).database).await.unwrap();
    let launch = store
        .launch(&liftoff_core::LaunchRef::Slug(liftoff_core::Slug::parse(slug).unwrap()))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no launch `{slug}` after the restart"));
    let titles = store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    store.close().await;
    titles
}
