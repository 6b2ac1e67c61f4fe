//! Load generator for BENCHMARKS.md: runs the real `liftoff serve` binary against the Slack
//! emulator and SQLite or PostgreSQL, then measures
//!
//! - start-up to ready with an existing database (spawn → first 200 from `/readyz`),
//! - idle RSS (VmRSS of the serve process, a few seconds after ready),
//! - slash-command acknowledgement latency at a fixed rate: signed `/launch task …` and
//!   `/launch show …` sent open-loop (each request leaves at its scheduled time whether or not
//!   earlier ones were answered, and its latency counts from that time, so a stall is not
//!   hidden), recorded in an HDR histogram.
//!
//! ```sh
//! cargo build --release --bin liftoff --example loadgen
//! target/release/examples/loadgen --binary target/release/liftoff [--rate 1000] [--secs 20] \
//!     [--runs 1] [--postgres postgres://postgres@127.0.0.1:5432/test]
//! ```
//! Each run prints its latency overall and by command, and the slowest answer of each second;
//! `--runs 2` measures a second run on the same server, after the first paid for its start.
//! With `--postgres`, a database `liftoff_bench` is created on that server and dropped after.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use slack_emulator::Emulator;
use sqlx::Connection;

#[path = "common/serve.rs"]
mod serve;
use serve::{Outcome, Serve, command_form, send};

const LAUNCHES: usize = 100;

struct Args {
    binary: String,
    rate: u64,
    secs: u64,
    /// Measured runs, one after the other on the same server: the first includes what a
    /// server pays once after it starts (caches, connections), the next ones do not.
    runs: u64,
    postgres: Option<String>,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| serve::arg_value(&args, name);
    Args {
        binary: value("--binary").unwrap_or_else(|| "target/release/liftoff".to_owned()),
        rate: value("--rate").map_or(1000, |v| v.parse().expect("--rate takes requests per second")),
        secs: value("--secs").map_or(20, |v| v.parse().expect("--secs takes seconds")),
        runs: value("--runs").map_or(1, |v| v.parse().expect("--runs takes a count")),
        postgres: value("--postgres"),
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    apologies: u64,
    problems: u64,
    statuses: u64,
    transport: u64,
    first_problem: Option<String>,
}

async fn run_load(http: &reqwest::Client, serve: &Serve, slack: &Emulator, rate: u64, secs: u64) {
    let new_histogram = || Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("a histogram");
    let histogram = Arc::new(Mutex::new(new_histogram()));
    // By command (task, show), and the slowest answer of each second of the run: a tail that
    // comes from one command, or from a few seconds (a checkpoint, a pause), shows there.
    let by_command = Arc::new(Mutex::new([new_histogram(), new_histogram()]));
    let slowest_by_second = Arc::new(Mutex::new(vec![0u64; secs as usize + 1]));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let total = rate * secs;
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let response_url = slack.response_url("bench");
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        let due = started + period * n as u32;
        tokio::time::sleep_until(due.into()).await;
        let launch = n as usize % LAUNCHES;
        let user = format!("U{:07}", n % 500);
        let text = if n % 2 == 0 {
            format!(
                "task bench-{launch} sales Battlecard {n} owner:<@{user}> due:T-{}",
                1 + n % 20
            )
        } else {
            format!("show bench-{launch}")
        };
        let body = command_form(&user, &text, &response_url);
        let (http, base) = (http.clone(), serve.base.clone());
        let (histogram, tally) = (histogram.clone(), tally.clone());
        let (by_command, slowest_by_second) = (by_command.clone(), slowest_by_second.clone());
        let second = (period * n as u32).as_secs() as usize;
        tasks.spawn(async move {
            let outcome = send(&http, &base, body).await;
            let micros = due.elapsed().as_micros() as u64;
            histogram.lock().expect("histogram").saturating_record(micros.max(1));
            by_command.lock().expect("histograms")[(n % 2) as usize].saturating_record(micros.max(1));
            if let Some(slowest) = slowest_by_second.lock().expect("seconds").get_mut(second) {
                *slowest = (*slowest).max(micros);
            }
            let mut tally = tally.lock().expect("tally");
            match outcome {
                Outcome::Ok(_) => tally.ok += 1,
                Outcome::Apology => tally.apologies += 1,
                Outcome::Problem(text) => {
                    tally.problems += 1;
                    tally.first_problem.get_or_insert(text);
                }
                Outcome::Status(status) => {
                    tally.statuses += 1;
                    tally.first_problem.get_or_insert(format!("HTTP {status}"));
                }
                Outcome::Transport(err) => {
                    tally.transport += 1;
                    tally.first_problem.get_or_insert(err);
                }
            }
        });
        // Reap finished requests as we go so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    let sent_in = started.elapsed();
    while tasks.join_next().await.is_some() {}
    let h = histogram.lock().expect("histogram");
    let t = tally.lock().expect("tally");
    let ms = |v: u64| v as f64 / 1000.0;
    println!(
        "  {total} requests ({} task, {} show) in {:.1} s = {:.0} req/s offered",
        total.div_ceil(2),
        total / 2,
        sent_in.as_secs_f64(),
        total as f64 / sent_in.as_secs_f64()
    );
    println!(
        "  ack latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms (target p99 < 10 ms)",
        ms(h.value_at_quantile(0.50)),
        ms(h.value_at_quantile(0.90)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max())
    );
    for (name, h) in ["task", "show"]
        .iter()
        .zip(by_command.lock().expect("histograms").iter())
    {
        println!(
            "    {name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(h.value_at_quantile(0.50)),
            ms(h.value_at_quantile(0.99)),
            ms(h.max())
        );
    }
    let slowest: Vec<String> = slowest_by_second
        .lock()
        .expect("seconds")
        .iter()
        .map(|micros| format!("{:.0}", ms(*micros)))
        .collect();
    println!("    slowest answer of each second (ms): {}", slowest.join(" "));
    println!(
        "  outcomes: {} ok, {} internal errors, {} usage problems, {} non-200, {} transport errors (target: no error)",
        t.ok, t.apologies, t.problems, t.statuses, t.transport
    );
    if let Some(first) = &t.first_problem {
        println!("  first problem: {first}");
    }
}

async fn bench(args: &Args, database_url: &str, label: &str) {
    println!("== {label}");
    let slack = Emulator::start().await;
    let workdir = tempfile::tempdir().expect("a work dir");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .expect("an HTTP client");
    // First start: creates the schema; the launches the load uses are created through signed
    // `/launch new` commands, like a person would.
    let mut serve = Serve::spawn(&args.binary, database_url, &slack.api_url, workdir.path());
    let first = serve.wait_ready(&http).await;
    let response_url = slack.response_url("setup");
    for launch in 0..LAUNCHES {
        let date =
            chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("a date") + chrono::Duration::weeks(launch as i64);
        let text = format!("new Bench {launch} tier:2 date:{date} lead:<@U0LEAD>");
        let outcome = send(&http, &serve.base, command_form("U0PMM", &text, &response_url)).await;
        assert!(
            matches!(outcome, Outcome::Ok(_) | Outcome::Problem(_)),
            "/launch {text} failed"
        );
    }
    serve.stop();
    println!(
        "  first start (empty database, migrations applied): ready in {:.0} ms",
        first.as_secs_f64() * 1e3
    );

    // Start-up with the existing database, then idle.
    let mut serve = Serve::spawn(&args.binary, database_url, &slack.api_url, workdir.path());
    let ready = serve.wait_ready(&http).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = serve.rss_kb();
    let (idle_anonymous, idle_file) = serve.rss_split_kb();
    println!(
        "  start-up to ready with an existing database: {:.0} ms (target < 200 ms)",
        ready.as_secs_f64() * 1e3
    );
    println!(
        "  idle RSS 3 s after ready: {:.1} MB (target < 20 MB; anonymous {:.1} MB, file-backed {:.1} MB)",
        idle as f64 / 1024.0,
        idle_anonymous as f64 / 1024.0,
        idle_file as f64 / 1024.0
    );

    // Warm the connection pool and caches briefly, then the measured run.
    run_quiet(&http, &serve, &slack).await;
    let cpu_before = serve::cpu_ticks(serve.child.id()).unwrap_or(0);
    for run in 1..=args.runs {
        if args.runs > 1 {
            println!("  run {run} of {} on the same server:", args.runs);
        }
        run_load(&http, &serve, &slack, args.rate, args.secs).await;
    }
    let cpu_ticks = serve::cpu_ticks(serve.child.id())
        .unwrap_or(0)
        .saturating_sub(cpu_before);
    println!(
        "  serve CPU per request: {:.3} ms (user + system, every thread, background work included)",
        cpu_ticks as f64 * 1000.0 / serve::clock_ticks_per_second() as f64 / (args.rate * args.secs * args.runs) as f64
    );
    println!("  serve RSS after the load: {:.1} MB", serve.rss_kb() as f64 / 1024.0);
    serve.stop();
}

/// A few hundred requests at a low rate so the measured run does not include connection set-up.
async fn run_quiet(http: &reqwest::Client, serve: &Serve, slack: &Emulator) {
    let response_url = slack.response_url("warm");
    for n in 0..200 {
        let text = format!("show bench-{}", n % LAUNCHES);
        let _ = send(http, &serve.base, command_form("U0PMM", &text, &response_url)).await;
    }
}

fn main() {
    let args = args();
    let runtime = serve::runtime();
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temp dir");
        let sqlite = format!("sqlite://{}", dir.path().join("liftoff.db").display());
        bench(&args, &sqlite, "SQLite").await;
        if let Some(admin) = &args.postgres {
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .expect("PostgreSQL is reachable");
            for sql in ["DROP DATABASE IF EXISTS liftoff_bench", "CREATE DATABASE liftoff_bench"] {
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("create the bench database");
            }
            // The same server and options (`?sslmode=…`), another database.
            let (base, options) = admin.split_once('?').map_or((admin.as_str(), ""), |(b, o)| (b, o));
            let url = match base.rsplit_once('/') {
                Some((server, _)) if options.is_empty() => format!("{server}/liftoff_bench"),
                Some((server, _)) => format!("{server}/liftoff_bench?{options}"),
                None => panic!("--postgres takes a URL with a database name"),
            };
            bench(&args, &url, "PostgreSQL").await;
            sqlx::raw_sql("DROP DATABASE liftoff_bench")
                .execute(&mut conn)
                .await
                .expect("drop the bench database");
        }
    });
}
