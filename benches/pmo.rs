//! PMO-scale numbers for BENCHMARKS.md, on the real store and the real scheduler:
//!
//! - `checkin`: a check-in round for 1,000 active launches × 5 functions × 20 open tasks
//!   (100k tasks): time to plan it and enqueue its messages (`Scheduler::run_due`, which
//!   records the round in one transaction), the process's peak RSS while doing so, then
//!   delivery for `--deliver-secs` against the Slack emulator enforcing Slack's published rate
//!   limits (one post per second per channel), counting 429s.
//! - `sweep`: the escalation sweep over 1M tasks of which 1% are overdue, on SQLite: the
//!   candidate query alone, the first sweep (fires and records every escalation) and a second
//!   sweep (nothing new to fire).
//! - `digest`: building the digest for 200 active launches (20k tasks).
//!
//! A plain `main` (harness = false) rather than criterion: each scenario needs a database of
//! its own seeded with 100k–1M rows. Seeding uses SQL against the migrated schema (it is set-up,
//! not what is measured). Run: `cargo bench --bench pmo -- [checkin|sweep|digest]... [--deliver-secs N]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use liftoff::clock::{ManualClock, OffsetClock, SharedClock};
use liftoff::config::Config;

use liftoff::store::Store;
use slack_emulator::{Emulator, RateLimits};
use sqlx::{Connection, SqliteConnection};

const FUNCTIONS: [&str; 5] = ["product", "marketing", "growth", "sales", "ops"];

/// Monday 2026-11-23 10:00:30 UTC: just after the standard check-in slot (Mon/Wed/Fri 10:00).
const CHECKIN_AT: &str = "2026-11-23T10:00:30Z";
/// Tuesday 2026-11-24 11:00 UTC: a working day, for the sweep and the digest.
const TUESDAY: &str = "2026-11-24T11:00:00Z";

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().expect("an instant")
}

/// Resident set now and its peak (kB), from /proc/self/status.
fn rss_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak RSS to the current RSS (Linux ≥ 4.0), so a phase's peak excludes set-up.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn config(database_url: &str, api_url: &str, extra_toml: &str) -> Config {
    let (url, api) = (database_url.to_owned(), api_url.to_owned());
    let env = move |key: &str| match key {
        "DATABASE_URL" => Some(url.clone()),
        "LIFTOFF_BIND" => Some("127.0.0.1:0".to_owned()),
        "LIFTOFF_SLACK_API_URL" => Some(api.clone()),
        "SLACK_BOT_TOKEN" => Some("xoxb-bench".to_owned()),
        "SLACK_SIGNING_SECRET" => Some("bench-signing-secret".to_owned()),
        _ => None,
    };
    Config::from_toml(extra_toml, &env).expect("bench config is valid")
}

/// A fresh, migrated SQLite database in `dir`, with a raw connection for seeding.
async fn fresh_sqlite(dir: &tempfile::TempDir, config: &Config) -> (Store, SqliteConnection) {
    let store = Store::connect(&config.database).await.expect("open sqlite");
    store.migrate().await.expect("migrate");
    let path = dir.path().join("liftoff.db");
    let seed = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("a seeding connection");
    (store, seed)
}

async fn exec(conn: &mut SqliteConnection, sql: String) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .expect("seeding SQL runs");
}

/// `launches` active launches (tier `tier`, launch day `days_out` days after `today` plus up to
/// 29 more), each with `per_function` tasks for each of the five functions. Task `n` of a
/// launch is open and due in the future unless `overdue_every` / `done_every` pick it.
struct Seed {
    launches: i64,
    per_function: i64,
    tier: i64,
    today: NaiveDate,
    days_out: i64,
    /// Every k-th task (by id) is open and overdue (0: none).
    overdue_every: i64,
    /// Every k-th task (by id, not overdue) is done (0: none).
    done_every: i64,
}

async fn seed(conn: &mut SqliteConnection, s: &Seed) {
    let now_ms = instant(TUESDAY).timestamp_millis();
    let today = s.today;
    exec(
        conn,
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL".to_owned(),
    )
    .await;
    let mut tx = conn.begin().await.expect("begin");
    exec(
        &mut tx,
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {launches}) \
             INSERT INTO launches (id, slug, name, tier, launch_date, lead_user_id, state, created_by, created_at_ms, updated_at_ms) \
             SELECT i, 'launch-' || i, 'Launch ' || i, {tier}, date('{today}', '+' || ({days_out} + i % 30) || ' days'), \
             printf('U%07d', i % 50), 'planned', 'U0PMM', {now_ms}, {now_ms} FROM n",
            launches = s.launches,
            tier = s.tier,
            days_out = s.days_out,
        ),
    )
    .await;
    let per_launch = s.per_function * 5;
    let total = s.launches * per_launch;
    let overdue = if s.overdue_every > 0 {
        format!("i % {} = 0", s.overdue_every)
    } else {
        "0".to_owned()
    };
    let done = if s.done_every > 0 {
        format!("i % {} = 1", s.done_every)
    } else {
        "0".to_owned()
    };
    exec(
        &mut tx,
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {total} - 1) \
             INSERT INTO tasks (id, launch_id, function_name, title, owner_user_id, due_date, status, \
                                status_changed_at_ms, created_at_ms, updated_at_ms) \
             SELECT i + 1, i / {per_launch} + 1, \
                    CASE (i % {per_launch}) / {per_function} WHEN 0 THEN 'product' WHEN 1 THEN 'marketing' \
                         WHEN 2 THEN 'growth' WHEN 3 THEN 'sales' ELSE 'ops' END, \
                    'Prepare deliverable ' || (i % {per_function}) || ' for launch ' || (i / {per_launch} + 1), \
                    printf('U%07d', i % 997), \
                    CASE WHEN {overdue} THEN date('{today}', '-' || (3 + i % 5) || ' days') \
                         ELSE date('{today}', '+' || (3 + i % 40) || ' days') END, \
                    CASE WHEN {overdue} THEN (CASE WHEN i % 3 = 0 THEN 'at_risk' ELSE 'todo' END) \
                         WHEN {done} THEN 'done' \
                         WHEN i % 4 = 0 THEN 'on_track' ELSE 'todo' END, \
                    {now_ms} - 86400000 * 5, {now_ms}, {now_ms} FROM n",
            per_function = s.per_function,
        ),
    )
    .await;
    let channels: Vec<String> = FUNCTIONS
        .iter()
        .map(|f| {
            format!(
                "('{f}', 'C0{}', 'U0LEAD{}', 'U0PMM', {now_ms})",
                f.to_uppercase(),
                f.len()
            )
        })
        .collect();
    exec(
        &mut tx,
        format!(
            "INSERT INTO function_settings (function_name, channel_id, lead_user_id, updated_by, updated_at_ms) VALUES {}",
            channels.join(", ")
        ),
    )
    .await;
    tx.commit().await.expect("commit the seed");
    exec(conn, "ANALYZE".to_owned()).await;
}

/// Slot keys of the other jobs at `CHECKIN_AT`, marked as run so that `run_due` runs the
/// check-in alone.
async fn only_checkin_due(conn: &mut SqliteConnection) {
    exec(
        conn,
        "INSERT INTO job_runs (job, slot, outcome, ran_at_ms) VALUES \
         ('digest', '2026-11-23T08:30', 'bench', 0), ('nudge', '2026-11-23T10:00', 'bench', 0), \
         ('escalation', '2026-11-23T10:00', 'bench', 0)"
            .to_owned(),
    )
    .await;
}

async fn service_on(
    store: &Store,
    config: Config,
    clock: SharedClock,
) -> (liftoff::http::AppState, liftoff::service::Service) {
    let state = liftoff::startup::prepare(config, store.clone(), clock)
        .await
        .expect("start-up against the emulator");
    let service = state.slack.service.clone();
    (state, service)
}

async fn checkin(deliver_secs: u64) {
    println!("== check-in round: 1,000 launches × 5 functions × 20 tasks (SQLite)");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
    let slack = Emulator::start().await;
    let config = config(&url, &slack.api_url, "");
    let (store, mut conn) = fresh_sqlite(&dir, &config).await;
    let started = Instant::now();
    seed(
        &mut conn,
        &Seed {
            launches: 1_000,
            per_function: 20,
            tier: 2,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
            days_out: 20,
            overdue_every: 0,
            done_every: 0,
        },
    )
    .await;
    only_checkin_due(&mut conn).await;
    conn.close().await.ok();
    println!("seeded 100,000 open tasks in {:.1?}", started.elapsed());

    // The round is planned on a clock that then runs on in real time, so delivery's retry
    // times and rate-limit holds pass as they would in production.
    let clock: SharedClock = Arc::new(OffsetClock::starting_at(instant(CHECKIN_AT)));
    let (state, _service) = service_on(&store, config, clock).await;
    let scheduler = state.scheduler();
    let (rss_before, _) = rss_kb();
    reset_peak_rss();
    let started = Instant::now();
    let runs = scheduler.run_due().await.expect("the check-in runs");
    let elapsed = started.elapsed();
    let (_, peak) = rss_kb();
    let messages: usize = runs.iter().map(|r| r.messages).sum();
    assert_eq!(runs.len(), 1, "only the check-in was due: {runs:?}");
    let listed = count(&url, "checkin_tasks").await;
    println!(
        "planned and enqueued: {messages} messages listing {listed} tasks in {:.0} ms (target < 1,000 ms)",
        elapsed.as_secs_f64() * 1e3
    );
    println!(
        "RSS before the round {:.1} MB; peak during it {:.1} MB (target < 150 MB)",
        mb(rss_before),
        mb(peak)
    );

    delivery_polls(&store, &url).await;
    drawing_at_delivery(&store, &url).await;

    if deliver_secs == 0 {
        return;
    }
    slack.enforce_rate_limits(RateLimits::slack());
    let delivery = state.delivery();
    let stop = tokio_util::sync::CancellationToken::new();
    let started = Instant::now();
    let worker = {
        let stop = stop.clone();
        tokio::spawn(async move { delivery.run(Duration::from_millis(200), stop).await })
    };
    tokio::time::sleep(Duration::from_secs(deliver_secs)).await;
    stop.cancel();
    worker.await.expect("the delivery worker stops");
    let elapsed = started.elapsed().as_secs_f64();
    let posts = slack.calls("chat.postMessage").len();
    let refused = slack.rate_limited_calls();
    let sent = posts - refused;
    let channels = FUNCTIONS.len() as f64;
    println!(
        "delivery for {elapsed:.1} s: {sent} posts accepted ({:.2}/s per channel over {} channels; Slack allows 1/s), \
         {refused} answered 429",
        sent as f64 / elapsed / channels,
        FUNCTIONS.len()
    );
    println!(
        "at that pace the whole round ({messages} messages) takes {:.0} s to deliver",
        messages as f64 / (sent as f64 / elapsed)
    );
}

/// The check-in's stages one by one (the same calls `Scheduler::run_due` makes), with the
/// time and RSS after each: where the round's time and memory go.
async fn checkin_stages() {
    use liftoff::notify;
    use liftoff_core::checkin::{RoundKind, plan_round};
    println!("== check-in round, stage by stage (1,000 launches × 5 × 20, SQLite)");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
    let slack = Emulator::start().await;
    let config = config(&url, &slack.api_url, "");
    let (store, mut conn) = fresh_sqlite(&dir, &config).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    seed(
        &mut conn,
        &Seed {
            launches: 1_000,
            per_function: 20,
            tier: 2,
            today,
            days_out: 20,
            overdue_every: 0,
            done_every: 0,
        },
    )
    .await;
    only_checkin_due(&mut conn).await;
    conn.close().await.ok();
    let clock: SharedClock = Arc::new(ManualClock::new(instant(CHECKIN_AT)));
    let (state, service) = service_on(&store, config.clone(), clock).await;
    reset_peak_rss();
    let started = Instant::now();
    let stage = |name: &str| {
        let (rss, peak) = rss_kb();
        println!(
            "  {name:<28} at {:>6.0} ms, RSS {:>6.1} MB, peak {:>6.1} MB",
            millis(started.elapsed()),
            mb(rss),
            mb(peak)
        );
    };
    let launches = store.list_launches(false).await.expect("launches");
    stage("read launches");
    let open = store.open_tasks().await.expect("open tasks");
    stage("read open tasks");
    let functions = service.effective_functions().await.expect("functions");
    stage("read functions");
    let names: Vec<_> = functions.iter().map(|f| f.name.clone()).collect();
    let kind = RoundKind {
        standard: true,
        final_stretch: true,
        first_of_week: true,
    };
    let rounds = plan_round(&names, &launches, &open, kind, today, config.checkins.cadence);
    stage("plan_round");
    let mut plans = Vec::new();
    for round in &rounds {
        let function = functions.iter().find(|f| f.name == round.function).expect("planned");
        plans.extend(notify::checkin_layout(function, round, "Mon 23 Nov", today).map(|draft| draft.plan()));
    }
    stage("lay out and plan parts");
    let listed: usize = plans.iter().map(|plan| plan.tasks().count()).sum();
    let payloads: Vec<_> = plans.iter().map(notify::CheckinPlan::payload).collect();
    stage("payload text");
    let bytes: usize = payloads.iter().map(|p| p.as_str().len()).sum();
    println!(
        "  {} messages, {listed} task rows, {:.1} MB of payload text",
        payloads.len(),
        bytes as f64 / 1e6
    );
    drop(payloads);
    let mut rendered = 0;
    for round in &rounds {
        let function = functions.iter().find(|f| f.name == round.function).expect("planned");
        rendered += notify::checkin(function, round, "Mon 23 Nov", today).count();
    }
    stage("render all (at delivery now)");
    assert_eq!(rendered, plans.len());
    // What `run_due` does last: the messages, the round's tasks and the job run in one
    // transaction (through the real scheduler, on a slot nothing has run yet).
    let runs = state.scheduler().run_due().await.expect("the round runs");
    stage("whole run_due (incl. record)");
    assert!(runs.iter().any(|r| r.job == "checkin"), "{runs:?}");
}

/// What one delivery poll (`Store::deliverable`, several a second while messages wait) costs
/// with the round's messages waiting, and again once half of them are sent: the table keeps
/// every message sent, each with its payload. The round's 2,175 oldest are marked sent by SQL
/// (set-up only), then put back, so the delivery measured next starts from the round as made.
async fn delivery_polls(store: &Store, url: &str) {
    let now = instant(CHECKIN_AT) + chrono::Duration::minutes(1);
    let mut times = Vec::new();
    for sent in [false, true] {
        let mut conn = SqliteConnection::connect(url).await.expect("a set-up connection");
        let state = if sent { "sent" } else { "pending" };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET state = '{state}' WHERE id <= (SELECT MIN(id) + 2174 FROM outbox)"
        )))
        .execute(&mut conn)
        .await
        .expect("set-up");
        conn.close().await.ok();
        let started = Instant::now();
        let offered = store.deliverable(now, 50).await.expect("a poll");
        times.push((millis(started.elapsed()), offered.len()));
    }
    let mut conn = SqliteConnection::connect(url).await.expect("a set-up connection");
    sqlx::query("UPDATE outbox SET state = 'pending' WHERE state = 'sent'")
        .execute(&mut conn)
        .await
        .expect("set-up");
    println!(
        "one delivery poll: {:.2} ms with the round waiting ({} offered), {:.2} ms with half of it sent ({} offered)",
        times[0].0, times[0].1, times[1].0, times[1].1
    );
}

/// What the round stored, and what drawing one of its messages costs delivery when it is sent
/// (`Store::checkin_listing`, then `CheckinPlan::draw`, as `Delivery` does), over 200 parts
/// spread through the round.
async fn drawing_at_delivery(store: &Store, url: &str) {
    use liftoff::notify::CheckinPlan;
    use liftoff::outbound::Payload;
    let mut conn = SqliteConnection::connect(url).await.expect("a set-up connection");
    let stored: i64 = sqlx::query_scalar("SELECT SUM(LENGTH(payload)) FROM outbox WHERE kind = 'checkin'")
        .fetch_one(&mut conn)
        .await
        .expect("set-up");
    let parts: Vec<(String, String)> = sqlx::query_as(
        "SELECT idempotency_key, payload FROM outbox WHERE kind = 'checkin' AND id % 20 = 0 ORDER BY id LIMIT 200",
    )
    .fetch_all(&mut conn)
    .await
    .expect("set-up");
    conn.close().await.ok();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let started = Instant::now();
    let mut blocks = 0;
    for (key, payload) in &parts {
        let plan = CheckinPlan::of(&Payload::from_stored(payload.clone())).expect("a planned check-in");
        let (launches, tasks) = store.checkin_listing(key, plan.launches()).await.expect("its listing");
        blocks += plan.draw(&launches, &tasks, today).blocks.len();
    }
    let per_part = millis(started.elapsed()) / parts.len() as f64;
    println!(
        "stored {:.1} MB of check-in bodies; drawing one when it is sent: {per_part:.2} ms ({} parts, {:.0} blocks each)",
        stored as f64 / 1e6,
        parts.len(),
        blocks as f64 / parts.len() as f64
    );
}

async fn count(url: &str, table: &str) -> i64 {
    let mut conn = SqliteConnection::connect(url).await.expect("a counting connection");
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn sweep() {
    println!("== escalation sweep: 1,000,000 tasks, 1% overdue (SQLite)");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
    let slack = Emulator::start().await;
    let config = config(&url, &slack.api_url, "");
    let (store, mut conn) = fresh_sqlite(&dir, &config).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let started = Instant::now();
    seed(
        &mut conn,
        &Seed {
            launches: 10_000,
            per_function: 20,
            tier: 2,
            today,
            days_out: 20,
            overdue_every: 100,
            done_every: 2,
        },
    )
    .await;
    println!(
        "seeded 1,000,000 tasks (10,000 overdue, ~half done) in {:.1?}",
        started.elapsed()
    );

    // How SQLite reads the candidates (the same SQL as `Store::open_tasks_due_by`).
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT id, due_date FROM tasks WHERE status <> 'done' AND due_date <= $1 \
         AND +launch_id IN (SELECT id FROM launches WHERE state <> 'archived') \
         UNION SELECT id, due_date FROM tasks WHERE status = 'blocked' \
         AND +launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY due_date, id",
    )
    .bind(today)
    .fetch_all(&mut conn)
    .await
    .expect("a query plan");
    for (_, _, _, detail) in &plan {
        println!("  plan: {detail}");
    }
    conn.close().await.ok();

    let clock = ManualClock::new(instant(TUESDAY));
    let (state, _service) = service_on(&store, config, Arc::new(clock)).await;
    let scheduler = state.scheduler();
    let horizon = NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
    let mut samples = Vec::new();
    let mut candidates = 0;
    for _ in 0..5 {
        let started = Instant::now();
        candidates = store.open_tasks_due_by(horizon).await.expect("candidates").len();
        samples.push(started.elapsed());
    }
    println!(
        "candidate query (open tasks due by {horizon} or blocked): {candidates} rows, median {:.1} ms of 5",
        millis(median(samples))
    );
    let started = Instant::now();
    let first = liftoff::scheduler::escalation::sweep(&scheduler)
        .await
        .expect("the sweep runs");
    let first_time = started.elapsed();
    println!(
        "first sweep: examined {}, fired {} (each recorded with its messages in its own transaction) in {:.0} ms",
        first.examined,
        first.fired,
        millis(first_time)
    );
    let mut samples = Vec::new();
    let mut again = first;
    for _ in 0..3 {
        let started = Instant::now();
        again = liftoff::scheduler::escalation::sweep(&scheduler)
            .await
            .expect("the sweep runs");
        samples.push(started.elapsed());
    }
    println!(
        "steady-state sweep (nothing new to fire): examined {}, fired {}, median {:.0} ms of 3 (target < 200 ms)",
        again.examined,
        again.fired,
        millis(median(samples))
    );
    println!("outbox rows: {}", count(&url, "outbox").await);
}

async fn digest() {
    println!("== digest: 200 active launches × 100 tasks (SQLite)");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
    let slack = Emulator::start().await;
    let config = config(&url, &slack.api_url, "");
    let (store, mut conn) = fresh_sqlite(&dir, &config).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    seed(
        &mut conn,
        &Seed {
            launches: 200,
            per_function: 20,
            tier: 1,
            today,
            days_out: 5,
            overdue_every: 20,
            done_every: 3,
        },
    )
    .await;
    // A week of changes for "since the last digest": 2,000 status changes.
    let now_ms = instant(TUESDAY).timestamp_millis();
    exec(
        &mut conn,
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO history (launch_id, task_id, actor, source, at_ms, field, from_value, to_value) \
             SELECT (i * 7) % 200 + 1, (i * 7) % 200 * 100 + i % 100 + 1, printf('U%07d', i % 97), 'command', \
                    {now_ms} - i * 300000, 'status', 'todo', 'on_track' FROM n"
        ),
    )
    .await;
    conn.close().await.ok();
    let clock = ManualClock::new(instant(TUESDAY));
    let (_state, service) = service_on(&store, config, Arc::new(clock)).await;
    let mut samples = Vec::new();
    let mut parts = 0;
    for _ in 0..7 {
        let started = Instant::now();
        parts = service
            .digest_messages("C0PMO", "digest:bench", None)
            .await
            .expect("the digest builds")
            .len();
        samples.push(started.elapsed());
    }
    let fastest = *samples.iter().min().expect("samples");
    println!(
        "digest built (read, decided, rendered) as {parts} messages: median {:.1} ms, fastest {:.1} ms of 7 (target < 100 ms)",
        millis(median(samples)),
        millis(fastest)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let deliver_secs = args
        .iter()
        .position(|a| a == "--deliver-secs")
        .and_then(|i| args.get(i + 1))
        .map_or(60, |v| v.parse().expect("--deliver-secs takes seconds"));
    let wanted: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| ["checkin", "sweep", "digest"].contains(a))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.contains(&name);
    let stages = args.iter().any(|a| a == "checkin-stages");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        // The peak RSS target is for the check-in, so it runs first, in a fresh process.
        if stages {
            checkin_stages().await;
            return;
        }
        if run("checkin") {
            checkin(deliver_secs).await;
        }
        if run("digest") {
            digest().await;
        }
        if run("sweep") {
            sweep().await;
        }
    });
}
