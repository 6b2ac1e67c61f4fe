//! What the benchmark examples share (`#[path = "common/serve.rs"] mod serve;` in
//! `loadgen.rs` and `peerbench.rs`): the `liftoff serve` process they drive, signed slash
//! commands, and what `/proc` says of a process. A plain file, not an example of its own: Cargo
//! only builds `examples/*.rs` and `examples/*/main.rs`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liftoff::slack::signature;
use secrecy::SecretString;
use slack_emulator::slash_command_form;

/// The signing secret every benchmarked server is started with.
pub const SECRET: &str = "bench-signing-secret";

/// The serve process and where it listens.
pub struct Serve {
    pub child: Child,
    pub base: String,
}

impl Serve {
    /// Starts `binary serve` in `workdir` (where it looks for `config/`) on a free loopback port.
    pub fn spawn(binary: &str, database_url: &str, api_url: &str, workdir: &Path) -> Serve {
        let port = free_port();
        let child = Command::new(binary)
            .arg("serve")
            .current_dir(workdir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("SLACK_BOT_TOKEN", "xoxb-bench")
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("LIFTOFF_BIND", format!("127.0.0.1:{port}"))
            .env("LIFTOFF_SLACK_API_URL", api_url)
            .stdout(Stdio::null())
            // LOADGEN_SERVE_LOG=path keeps the service's log (appended) for a look at errors.
            .stderr(match std::env::var("LOADGEN_SERVE_LOG") {
                Ok(path) => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_or_else(|_| Stdio::null(), Stdio::from),
                Err(_) => Stdio::null(),
            })
            .spawn()
            .expect("liftoff serve starts (build it with cargo build --release)");
        Serve {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Polls `/readyz` every millisecond until it answers 200.
    pub async fn wait_ready(&mut self, http: &reqwest::Client) -> Duration {
        wait_for(http, &mut self.child, &format!("{}/readyz", self.base), "liftoff serve").await
    }

    pub fn rss_kb(&self) -> u64 {
        status_kb(self.child.id(), "VmRSS")
    }

    /// `VmRSS` split into anonymous memory (heap, stacks, relocated data) and file-backed
    /// pages (mostly the executable's own): the second moves by a megabyte with the page
    /// cache's state, the first does not, so a change in memory shows in the first.
    #[allow(dead_code)] // loadgen reports it; peerbench shares this module
    pub fn rss_split_kb(&self) -> (u64, u64) {
        let pid = self.child.id();
        (status_kb(pid, "RssAnon"), status_kb(pid, "RssFile"))
    }

    /// SIGTERM (graceful shutdown), then wait.
    pub fn stop(mut self) {
        terminate(&mut self.child);
    }
}

/// A benchmark that panics does not leave the service running.
impl Drop for Serve {
    fn drop(&mut self) {
        // Does nothing to a process already waited for (`stop`).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Polls `url` every millisecond until it answers 200; panics if `child` exits first or 30 s
/// pass. Returns how long it took.
pub async fn wait_for(http: &reqwest::Client, child: &mut Child, url: &str, what: &str) -> Duration {
    let started = Instant::now();
    loop {
        if let Ok(response) = http.get(url).send().await
            && response.status() == 200
        {
            return started.elapsed();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before it was ready: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} not ready within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// SIGTERM, then wait for the process to exit.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

/// A `kB` line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), 0 if it cannot be read.
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The form body Slack posts for `/launch <text>` typed by `user` in the launches channel.
pub fn command_form(user: &str, text: &str, response_url: &str) -> String {
    slash_command_form(user, "C0LAUNCH", text, response_url)
}

/// `(timestamp, signature)` headers for `body`, signed now with [`SECRET`]: Slack (and Liftoff)
/// refuse timestamps more than five minutes old, so sign right before sending.
pub fn sign_now(body: &str) -> (String, String) {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signed = signature::sign(&SecretString::from(SECRET), &timestamp, body.as_bytes());
    (timestamp, signed)
}

/// What one signed `/launch` request got back.
pub enum Outcome {
    /// A 200 with a reply that is neither an apology nor a problem; the reply's JSON (which
    /// loadgen only counts).
    Ok(#[allow(dead_code)] serde_json::Value),
    /// A 200 whose reply is the "something went wrong" apology: an internal error.
    Apology,
    /// A 200 with a usage problem (the command did not do what was meant).
    Problem(String),
    Status(u16),
    Transport(String),
}

/// Sends `body` signed to `{base}/slack/commands` and sorts out what came back.
pub async fn send(http: &reqwest::Client, base: &str, body: String) -> Outcome {
    let (timestamp, signed) = sign_now(&body);
    let response = http
        .post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(signature::TIMESTAMP_HEADER, timestamp)
        .header(signature::SIGNATURE_HEADER, signed)
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(err) => return Outcome::Transport(err.to_string()),
    };
    let status = response.status().as_u16();
    if status != 200 {
        return Outcome::Status(status);
    }
    let text = response.text().await.unwrap_or_default();
    let reply: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let shown = reply["text"].as_str().unwrap_or_default();
    if shown.starts_with("Sorry, something went wrong") {
        Outcome::Apology
    } else if shown.starts_with(":warning:") {
        Outcome::Problem(shown.chars().take(160).collect())
    } else {
        Outcome::Ok(reply)
    }
}

/// The server's CPU time so far in clock ticks: utime + stime of all its threads.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields are counted after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of proc(5); the first after ')' is field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second for `/proc/<pid>/stat`: `getconf CLK_TCK`, else Linux's usual 100.
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok()?.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// The value after `name` on the command line (`--rate 1000`), if given.
pub fn arg_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The load generators' own runtime: multi-threaded, so sending and timing do not wait on
/// each other.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
