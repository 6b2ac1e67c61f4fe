//! Liftoff side by side with a Bolt-JS peer (issue #17, BENCHMARKS.md): the same signed
//! `/launch show` and `/launch task` requests, driven by `wrk` (closed loop), against the
//! release `liftoff serve` on SQLite (Slack emulated in-process) and against the Bolt for
//! JavaScript app in `benches/peers/bolt-js` on its own SQLite file, one after the other.
//!
//! ```sh
//! scripts/peer-bench.sh [--rounds 2] [--secs 15] [--connections 16] [--threads 2] [--warmup 3]
//! # or, with everything built and installed:
//! target/release/examples/peerbench [--binary target/release/liftoff] [--node node] \
//!     [--peer-dir benches/peers/bolt-js] [--wrk wrk]
//! ```
//!
//! One run:
//! 1. starts the emulator and `liftoff serve` on a fresh SQLite file in a temp dir, whose
//!    `config/templates.toml` is empty so `/launch new` adds no template tasks, and creates the
//!    launch `peer-bench` with a signed `/launch new` and its 47 tasks with signed
//!    `/launch task` (the same launch the peer seeds at start-up: [`seed_task`]);
//! 2. starts the peer (`node app.js`, `NODE_ENV=production`) on a fresh database with the same
//!    signing secret, and checks that both list the 47 tasks;
//! 3. warms each server up with `show` for `--warmup` seconds, then for each work item (`show`,
//!    then `task`) and each round, runs Liftoff then the peer: writes a wrk Lua script holding
//!    one request signed just before the run (Slack refuses timestamps older than five
//!    minutes), runs `wrk -t2 -c16 -d15s --latency`, and counts in the script's `response` hook
//!    every non-2xx and every answer that does not say what it should (the launch name and its
//!    last task for `show`, a task id, the title and the owner for `task`; never Liftoff's
//!    apology or a `:warning:`). A run with any such answer, or with a socket error, fails;
//! 4. reads the server's CPU time (utime + stime of all its threads, `/proc/<pid>/stat`) before
//!    and after each run: CPU per request is the difference over the requests answered. Clock
//!    ticks are `getconf CLK_TCK` (100 if that cannot be run). The other server's CPU time over
//!    the same run is shown too (work it still does after its own run takes cores from the one
//!    measured), and the load average before and after. RSS is `VmRSS` after all runs;
//! 5. checks each database holds the tasks the `task` runs were answered for, prints the runs
//!    and a Markdown table (ranges over the rounds; the ratio column pairs each round's Liftoff
//!    run with the peer's run right after it), and exits 1 if anything failed.
//!
//! The `task` command's owner is the person adding it, on both servers, so Liftoff queues no
//! DM (the peer sends none either); Liftoff still writes its history row and version. Every
//! `task` run adds its tasks to the same launch and the same owner (tens of thousands by the
//! last round), so work that grows with a person's or a launch's tasks (Liftoff's App Home
//! rebuilds read them all) shows as a later round slower than the first. The
//! emulator and wrk run on the same two cores as the servers, so numbers are rough; the ratios
//! are what to read. `LOADGEN_SERVE_LOG=path` keeps Liftoff's log; the peer's log is printed
//! when a run fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use slack_emulator::Emulator;
use sqlx::Connection;

#[path = "common/serve.rs"]
mod serve;
use serve::{Outcome, Serve, clock_ticks_per_second, command_form, cpu_ticks, send};

/// The launch both servers hold; keep in step with `SEED` in benches/peers/bolt-js/app.js.
const SEED_SLUG: &str = "peer-bench";
const SEED_NAME: &str = "Peer Bench";
const SEED_TIER: u8 = 2;
const SEED_LEAD: &str = "U0LEAD";
const SEED_TASKS: usize = 47;
const FUNCTIONS: [&str; 5] = ["product", "marketing", "growth", "sales", "ops"];
/// Who sends every command; the benchmarked `task` is theirs.
const ASKER: &str = "U0PMM";
const TASK_TITLE: &str = "Bench task";

/// The n-th seeded task (0-based): function, title, owner, days before launch day.
fn seed_task(n: usize) -> (&'static str, String, String, usize) {
    (
        FUNCTIONS[n % FUNCTIONS.len()],
        format!("Seeded task {}", n + 1),
        format!("U0OWNER{}", n % 7),
        1 + (n * 3) % 40,
    )
}

struct Args {
    binary: PathBuf,
    node: String,
    peer_dir: PathBuf,
    wrk: String,
    rounds: u32,
    secs: u64,
    warmup: u64,
    connections: u32,
    threads: u32,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| serve::arg_value(&args, name);
    let number = |name: &str, default: u64| {
        value(name).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a whole number, not {v}"))
        })
    };
    // target/release/examples/peerbench → target/release/liftoff, wherever the target dir is.
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("liftoff")))
        .unwrap_or_else(|| PathBuf::from("target/release/liftoff"));
    Args {
        binary: value("--binary").map_or(beside, PathBuf::from),
        node: value("--node").unwrap_or_else(|| "node".to_owned()),
        peer_dir: value("--peer-dir").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/bolt-js"),
            PathBuf::from,
        ),
        wrk: value("--wrk").unwrap_or_else(|| "wrk".to_owned()),
        rounds: number("--rounds", 2) as u32,
        secs: number("--secs", 15),
        warmup: number("--warmup", 3),
        connections: number("--connections", 16) as u32,
        threads: number("--threads", 2) as u32,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Server {
    Liftoff,
    Bolt,
}

impl Server {
    fn label(self) -> &'static str {
        match self {
            Server::Liftoff => "Liftoff",
            Server::Bolt => "Bolt-JS",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Work {
    Show,
    Task,
}

impl Work {
    const ALL: [Work; 2] = [Work::Show, Work::Task];

    fn label(self) -> &'static str {
        match self {
            Work::Show => "`/launch show`",
            Work::Task => "`/launch task`",
        }
    }

    /// The command text, as typed.
    fn text(self) -> String {
        match self {
            Work::Show => format!("show {SEED_SLUG}"),
            Work::Task => format!("task {SEED_SLUG} sales {TASK_TITLE} owner:<@{ASKER}> due:T-14"),
        }
    }

    /// Lua patterns every answer must match (besides not being an apology or a warning).
    fn expected(self) -> Vec<String> {
        match self {
            // The launch, and its last seeded task: the whole list was read and rendered.
            Work::Show => vec![SEED_NAME.to_owned(), format!("Seeded task {SEED_TASKS}%D")],
            // The new task's id, its title and its owner.
            Work::Task => vec!["T%d+".to_owned(), TASK_TITLE.to_owned(), ASKER.to_owned()],
        }
    }
}

/// The peer process and where it listens.
struct Peer {
    child: Child,
    base: String,
    log: PathBuf,
}

/// A benchmark that panics does not leave the peer running.
impl Drop for Peer {
    fn drop(&mut self) {
        // Does nothing to a process already waited for (`serve::terminate`).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    fn spawn(args: &Args, database: &Path, launch_date: chrono::NaiveDate, log: PathBuf) -> Peer {
        let port = serve::free_port();
        let out = std::fs::File::create(&log).expect("the peer's log file");
        let child = Command::new(&args.node)
            .arg("app.js")
            .current_dir(&args.peer_dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NODE_ENV", "production")
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATABASE_PATH", database)
            .env("SLACK_SIGNING_SECRET", serve::SECRET)
            .env("PEER_LAUNCH_DATE", launch_date.to_string())
            .stdout(out.try_clone().map_or_else(|_| Stdio::null(), Stdio::from))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "{} app.js in {} does not start ({err}): run scripts/peer-bench.sh, which installs it",
                    args.node,
                    args.peer_dir.display()
                )
            });
        Peer {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// What one wrk run measured.
struct Measured {
    requests: u64,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms: f64,
    /// The other server's CPU time meanwhile: work it still does after its own run (outbox,
    /// App Home rebuilds) takes cores from the one measured.
    other_cpu_ms: f64,
}

impl Measured {
    fn throughput(&self) -> f64 {
        self.requests as f64 / self.secs
    }

    fn cpu_per_request(&self) -> f64 {
        self.cpu_ms / self.requests as f64
    }

    /// The other server's CPU use during the run, in percent of one core.
    fn other_busy_percent(&self) -> f64 {
        self.other_cpu_ms / self.secs / 10.0
    }
}

struct Run {
    work: Work,
    server: Server,
    round: u32,
    result: Result<Measured, String>,
}

/// `s` as a Lua string literal.
fn lua_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for byte in s.bytes() {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(byte as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\{byte:03}")),
        }
    }
    out.push('"');
    out
}

/// A wrk script sending `body` signed now, and checking every answer against `expected`.
fn wrk_script(body: &str, expected: &[String]) -> String {
    let (timestamp, signed) = serve::sign_now(body);
    let expected: Vec<String> = expected.iter().map(|p| lua_string(p)).collect();
    format!(
        r#"-- Written by examples/peerbench.rs: one slash command signed just before the run; every
-- answer is checked, and done() reports the counts on one line for the harness.
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Slack-Request-Timestamp"] = {timestamp}
wrk.headers["X-Slack-Signature"] = {signed}

local expected = {{ {expected} }}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  wrong = 0
  first = ""
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first == "" then first = "HTTP " .. status .. " " .. string.sub(body, 1, 200) end
    return
  end
  local good = not string.find(body, "Sorry, something went wrong", 1, true)
    and not string.find(body, ":warning:", 1, true)
  for _, pattern in ipairs(expected) do
    good = good and string.find(body, pattern) ~= nil
  end
  if not good then
    wrong = wrong + 1
    if first == "" then first = string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local non2xx, wrong, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non2xx")
    wrong = wrong + thread:get("wrong")
    if first == "" then first = thread:get("first") end
  end
  local e = summary.errors
  io.write(string.format("PEERBENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d wrong=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    non2xx, wrong, e.connect + e.read + e.write + e.timeout))
  if first ~= "" then
    io.write("PEERBENCH-FIRST " .. string.gsub(first, "%s+", " ") .. "\n")
  end
end
"#,
        body = lua_string(body),
        timestamp = lua_string(&timestamp),
        signed = lua_string(&signed),
        expected = expected.join(", "),
    )
}

/// The numbers wrk's `done` reported.
struct WrkReport {
    requests: u64,
    duration_us: u64,
    p50_us: u64,
    p99_us: u64,
    non2xx: u64,
    wrong: u64,
    socket_errors: u64,
}

fn parse_report(stdout: &str) -> Option<WrkReport> {
    let line = stdout.lines().find_map(|l| l.strip_prefix("PEERBENCH "))?;
    let field = |name: &str| -> Option<u64> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?
            .parse()
            .ok()
    };
    Some(WrkReport {
        requests: field("requests")?,
        duration_us: field("duration_us")?,
        p50_us: field("p50_us")?,
        p99_us: field("p99_us")?,
        non2xx: field("non2xx")?,
        wrong: field("wrong")?,
        socket_errors: field("socket_errors")?,
    })
}

/// One wrk run of `work` against `url` for `secs`, with the CPU time of the server (`pid`) and
/// of the other one (`other`) around it.
#[allow(clippy::too_many_arguments)]
async fn run_wrk(
    args: &Args,
    dir: &Path,
    name: &str,
    url: &str,
    (pid, other): (u32, u32),
    work: Work,
    secs: u64,
) -> Result<Measured, String> {
    let body = command_form(ASKER, &work.text(), "https://hooks.slack.invalid/commands/bench");
    let script = dir.join(format!("{name}.lua"));
    std::fs::write(&script, wrk_script(&body, &work.expected())).map_err(|e| format!("writing {name}.lua: {e}"))?;
    let mut command = Command::new(&args.wrk);
    command
        .arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{secs}s"))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(url);
    let before = cpu_ticks(pid).ok_or("the server is gone")?;
    let other_before = cpu_ticks(other).unwrap_or(0);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{} does not run ({e}): scripts/peer-bench.sh installs it", args.wrk))?;
    let after = cpu_ticks(pid).ok_or("the server died during the run")?;
    let other_after = cpu_ticks(other).unwrap_or(0);
    let tick_ms = 1000.0 / clock_ticks_per_second() as f64;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {}{}",
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report = parse_report(&stdout).ok_or_else(|| format!("no PEERBENCH line in wrk's output:\n{stdout}"))?;
    let first = stdout
        .lines()
        .find_map(|l| l.strip_prefix("PEERBENCH-FIRST "))
        .unwrap_or("");
    if report.requests == 0 {
        return Err("no request was answered".to_owned());
    }
    if report.non2xx > 0 || report.wrong > 0 || report.socket_errors > 0 {
        return Err(format!(
            "{} of {} answers were not 2xx, {} did not say what they should, {} socket errors; first: {first}",
            report.non2xx, report.requests, report.wrong, report.socket_errors
        ));
    }
    Ok(Measured {
        requests: report.requests,
        secs: report.duration_us as f64 / 1e6,
        p50_ms: report.p50_us as f64 / 1e3,
        p99_ms: report.p99_us as f64 / 1e3,
        cpu_ms: (after - before) as f64 * tick_ms,
        other_cpu_ms: other_after.saturating_sub(other_before) as f64 * tick_ms,
    })
}

/// Whether a `show` answer lists seeded task `n` (so "Seeded task 4" is not found in "…47").
fn lists_task(body: &str, n: usize) -> bool {
    let name = format!("Seeded task {n}");
    body.match_indices(&name)
        .any(|(at, _)| !body[at + name.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// One signed command to `base`, which must succeed; returns its answer as JSON text.
async fn must_send(http: &reqwest::Client, base: &str, text: &str, what: &str) -> String {
    match send(
        http,
        base,
        command_form(ASKER, text, "https://hooks.slack.invalid/commands/setup"),
    )
    .await
    {
        Outcome::Ok(reply) => reply.to_string(),
        Outcome::Apology => panic!("{what}: `/launch {text}` was answered with an apology"),
        Outcome::Problem(problem) => panic!("{what}: `/launch {text}` was refused: {problem}"),
        Outcome::Status(status) => panic!("{what}: `/launch {text}` got HTTP {status}"),
        Outcome::Transport(err) => panic!("{what}: `/launch {text}` was not answered: {err}"),
    }
}

/// Creates the seeded launch in Liftoff as people would, with signed commands.
async fn seed_liftoff(http: &reqwest::Client, base: &str, launch_date: chrono::NaiveDate) {
    let text = format!("new {SEED_NAME} tier:{SEED_TIER} date:{launch_date} lead:<@{SEED_LEAD}>");
    must_send(http, base, &text, "Liftoff").await;
    for n in 0..SEED_TASKS {
        let (function, title, owner, days) = seed_task(n);
        let text = format!("task {SEED_SLUG} {function} {title} owner:<@{owner}> due:T-{days}");
        must_send(http, base, &text, "Liftoff").await;
    }
}

/// How many tasks the seeded launch has in a server's SQLite file.
async fn stored_tasks(path: &Path, server: Server) -> Result<i64, String> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.map_err(|e| e.to_string())?;
    let sql = match server {
        Server::Liftoff => "SELECT COUNT(*) FROM tasks t JOIN launches l ON l.id = t.launch_id WHERE l.slug = ?",
        Server::Bolt => "SELECT COUNT(*) FROM tasks t JOIN launches l ON l.id = t.launch WHERE l.slug = ?",
    };
    sqlx::query_scalar(sql)
        .bind(SEED_SLUG)
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())
}

/// 1,234 for 1234.4.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "a–b unit" over the rounds (one value when they agree at this precision).
fn range(values: &[f64], show: impl Fn(f64) -> String) -> String {
    if values.is_empty() {
        return "—".to_owned();
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = (show(min), show(max));
    if low == high { low } else { format!("{low}–{high}") }
}

fn ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn ratio(value: f64) -> String {
    format!("{value:.2}")
}

/// The summary table: per work item, Liftoff's and the peer's ranges over the rounds, and the
/// range of the per-round ratios.
fn table(runs: &[Run], reply_bytes: &[(Work, Server, usize)], rss: &[(Server, u64, u64)]) -> String {
    let mut out = String::from("| work | Liftoff | Bolt-JS | Liftoff / Bolt-JS |\n|---|---|---|---|\n");
    type Metric = (&'static str, fn(&Measured) -> f64, fn(f64) -> String, &'static str);
    let metrics: [Metric; 4] = [
        ("throughput", Measured::throughput, thousands, " req/s"),
        ("p50", |m| m.p50_ms, ms, " ms"),
        ("p99", |m| m.p99_ms, ms, " ms"),
        (
            "server CPU per request",
            Measured::cpu_per_request,
            |v| format!("{v:.3}"),
            " ms",
        ),
    ];
    for work in Work::ALL {
        let measured = |server: Server| -> Vec<(u32, &Measured)> {
            runs.iter()
                .filter(|r| r.work == work && r.server == server)
                .filter_map(|r| Some((r.round, r.result.as_ref().ok()?)))
                .collect()
        };
        let (liftoff, bolt) = (measured(Server::Liftoff), measured(Server::Bolt));
        for (name, metric, show, unit) in metrics {
            let values = |runs: &[(u32, &Measured)]| runs.iter().map(|(_, m)| metric(m)).collect::<Vec<_>>();
            let ratios: Vec<f64> = liftoff
                .iter()
                .filter_map(|(round, l)| {
                    let (_, b) = bolt.iter().find(|(r, _)| r == round)?;
                    Some(metric(l) / metric(b))
                })
                .collect();
            out.push_str(&format!(
                "| {} {name} | {}{unit} | {}{unit} | {}× |\n",
                work.label(),
                range(&values(&liftoff), show),
                range(&values(&bolt), show),
                range(&ratios, ratio),
            ));
        }
        let bytes = |server: Server| {
            reply_bytes
                .iter()
                .find(|(w, s, _)| *w == work && *s == server)
                .map_or(0, |(_, _, b)| *b)
        };
        let (l, b) = (bytes(Server::Liftoff), bytes(Server::Bolt));
        out.push_str(&format!(
            "| {} reply size | {:.1} kB | {:.1} kB | {}× |\n",
            work.label(),
            l as f64 / 1000.0,
            b as f64 / 1000.0,
            ratio(l as f64 / b.max(1) as f64)
        ));
    }
    let kb = |server: Server, peak: bool| {
        rss.iter()
            .find(|(s, _, _)| *s == server)
            .map_or(0, |(_, now, hwm)| if peak { *hwm } else { *now })
    };
    for (name, peak) in [("RSS after the runs", false), ("peak RSS (VmHWM)", true)] {
        let (l, b) = (kb(Server::Liftoff, peak), kb(Server::Bolt, peak));
        out.push_str(&format!(
            "| {name} | {:.1} MB | {:.1} MB | {}× |\n",
            l as f64 / 1024.0,
            b as f64 / 1024.0,
            ratio(l as f64 / b.max(1) as f64)
        ));
    }
    out
}

/// A launch day about four months out, on a weekday (Liftoff warns about weekend dates).
fn launch_date() -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut date = chrono::Utc::now().date_naive() + chrono::Duration::days(120);
    while matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        date += chrono::Duration::days(1);
    }
    date
}

/// The machine's load averages (1, 5, 15 min): other work on a shared machine shows here.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The first words of what `program arg` prints: `wrk 4.1.0`, `v20.20.2`.
fn version(program: &str, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .map(|out| {
            let text = [out.stdout, out.stderr].concat();
            let first = String::from_utf8_lossy(&text).lines().next().unwrap_or("").to_owned();
            first.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
        })
        .unwrap_or_else(|e| format!("not found ({e})"))
}

async fn bench(args: &Args) -> bool {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temp dir");
    let http = reqwest::Client::builder().build().expect("an HTTP client");
    let date = launch_date();
    let load_before = load_average();
    println!("# peerbench: Liftoff and the Bolt-JS peer, one after the other");
    println!(
        "wrk -t{} -c{} -d{}s, {} round(s), {} s warm-up; {} cores; {}; node {}; {} clock ticks/s; launch day {date}; Liftoff {}",
        args.threads,
        args.connections,
        args.secs,
        args.rounds,
        args.warmup,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        version(&args.wrk, "--version"),
        version(&args.node, "--version"),
        clock_ticks_per_second(),
        args.binary.display(),
    );

    // Liftoff, with no template tasks, so the launch has exactly the tasks the harness adds.
    let slack = Emulator::start().await;
    let workdir = dir.path().join("liftoff");
    std::fs::create_dir_all(workdir.join("config")).expect("Liftoff's work dir");
    std::fs::write(
        workdir.join("config/templates.toml"),
        "# peerbench: no template tasks; the launch gets its 47 tasks by /launch task.\n",
    )
    .expect("an empty templates file");
    let liftoff_db = dir.path().join("liftoff.db");
    let mut liftoff = Serve::spawn(
        &args.binary.to_string_lossy(),
        &format!("sqlite://{}", liftoff_db.display()),
        &slack.api_url,
        &workdir,
    );
    let ready = liftoff.wait_ready(&http).await;
    let seeding = Instant::now();
    seed_liftoff(&http, &liftoff.base, date).await;
    println!(
        "Liftoff ready in {:.0} ms; the launch and its {SEED_TASKS} tasks created by signed commands in {:.1} s",
        ready.as_secs_f64() * 1e3,
        seeding.elapsed().as_secs_f64()
    );

    let peer_db = dir.path().join("peer.db");
    let mut peer = Peer::spawn(args, &peer_db, date, dir.path().join("peer.log"));
    let ready = serve::wait_for(&http, &mut peer.child, &format!("{}/healthz", peer.base), "the peer").await;
    println!(
        "Bolt-JS peer ready in {:.0} ms (its launch seeded at start-up)",
        ready.as_secs_f64() * 1e3
    );

    let targets = [
        (Server::Liftoff, liftoff.child.id(), liftoff.base.clone()),
        (Server::Bolt, peer.child.id(), peer.base.clone()),
    ];
    let mut failures: Vec<String> = Vec::new();

    // Both answer both commands, and both list every seeded task.
    let mut reply_bytes = Vec::new();
    let mut answered_tasks = [0_u64; 2];
    for (server, _, base) in &targets {
        for work in Work::ALL {
            let reply = must_send(&http, base, &work.text(), server.label()).await;
            reply_bytes.push((work, *server, reply.len()));
            if work == Work::Task {
                answered_tasks[*server as usize] += 1;
            }
            if work == Work::Show
                && let Some(missing) = (1..=SEED_TASKS).find(|&n| !lists_task(&reply, n))
            {
                failures.push(format!(
                    "{}: `/launch show` does not list Seeded task {missing}",
                    server.label()
                ));
            }
        }
    }

    let pids = |server: Server| match server {
        Server::Liftoff => (targets[0].1, targets[1].1),
        Server::Bolt => (targets[1].1, targets[0].1),
    };
    for (server, _, base) in &targets {
        let url = format!("{base}/slack/commands");
        let name = format!("warmup-{}", server.label());
        if let Err(err) = run_wrk(args, dir.path(), &name, &url, pids(*server), Work::Show, args.warmup).await {
            failures.push(format!("{} warm-up: {err}", server.label()));
        }
    }

    let mut runs = Vec::new();
    println!();
    println!(
        "| work | round | server | requests | throughput | p50 | p99 | CPU per request | the other server meanwhile | result |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for work in Work::ALL {
        for round in 1..=args.rounds {
            for (server, _, base) in &targets {
                let url = format!("{base}/slack/commands");
                let name = format!("{work:?}-{round}-{}", server.label()).to_lowercase();
                let result = run_wrk(args, dir.path(), &name, &url, pids(*server), work, args.secs).await;
                match &result {
                    Ok(m) => {
                        if work == Work::Task {
                            answered_tasks[*server as usize] += m.requests;
                        }
                        println!(
                            "| {} | {round} | {} | {} | {} req/s | {} ms | {} ms | {:.3} ms | {:.0}% of a core | ok |",
                            work.label(),
                            server.label(),
                            thousands(m.requests as f64),
                            thousands(m.throughput()),
                            ms(m.p50_ms),
                            ms(m.p99_ms),
                            m.cpu_per_request(),
                            m.other_busy_percent()
                        );
                    }
                    Err(err) => {
                        println!(
                            "| {} | {round} | {} | | | | | | | **failed** |",
                            work.label(),
                            server.label()
                        );
                        failures.push(format!("{} {} round {round}: {err}", server.label(), work.label()));
                    }
                }
                runs.push(Run {
                    work,
                    server: *server,
                    round,
                    result,
                });
            }
        }
    }

    // Every answered `task` is in the database (a few more may have been written for requests
    // wrk cut off at the end of a run, at most one per connection per run).
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (server, path) in [(Server::Liftoff, &liftoff_db), (Server::Bolt, &peer_db)] {
        let answered = answered_tasks[server as usize] as i64;
        let cut_off = i64::from(args.connections) * i64::from(args.rounds);
        match stored_tasks(path, server).await {
            Ok(stored) => {
                let added = stored - SEED_TASKS as i64;
                println!(
                    "{}: {added} tasks stored for {answered} answered `/launch task` requests",
                    server.label()
                );
                if added < answered || added > answered + cut_off {
                    failures.push(format!(
                        "{}: {added} tasks stored, but {answered} `/launch task` requests were answered",
                        server.label()
                    ));
                }
            }
            Err(err) => failures.push(format!("{}: cannot count its tasks: {err}", server.label())),
        }
    }

    let (liftoff_pid, peer_pid) = (liftoff.child.id(), peer.child.id());
    let rss = [
        (
            Server::Liftoff,
            liftoff.rss_kb(),
            serve::status_kb(liftoff_pid, "VmHWM"),
        ),
        (
            Server::Bolt,
            serve::status_kb(peer_pid, "VmRSS"),
            serve::status_kb(peer_pid, "VmHWM"),
        ),
    ];
    for (server, exited) in [
        (Server::Liftoff, liftoff.child.try_wait()),
        (Server::Bolt, peer.child.try_wait()),
    ] {
        if let Ok(Some(status)) = exited {
            failures.push(format!("{} exited during the benchmark: {status}", server.label()));
        }
    }
    if !failures.is_empty() {
        println!("\nThe peer's log (last lines):\n{}", peer.log_tail());
    }
    liftoff.stop();
    serve::terminate(&mut peer.child);

    println!();
    println!(
        "## Liftoff vs Bolt-JS: wrk -t{} -c{}, {} s × {} round(s) per server and work, alternating",
        args.threads, args.connections, args.secs, args.rounds
    );
    println!();
    print!("{}", table(&runs, &reply_bytes, &rss));
    println!();
    println!(
        "Took {:.0} s. Load average {} before, {} after.",
        started.elapsed().as_secs_f64(),
        load_before,
        load_average()
    );
    if failures.is_empty() {
        true
    } else {
        println!("\nFAILED:");
        for failure in &failures {
            println!("- {failure}");
        }
        false
    }
}

fn main() {
    let args = args();
    let runtime = serve::runtime();
    if !runtime.block_on(bench(&args)) {
        std::process::exit(1);
    }
}
