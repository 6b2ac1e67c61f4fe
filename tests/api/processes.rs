//! `liftoff serve` as a real process, for the tests that stop, kill and restart it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BOT_TOKEN: &str = "xoxb-1111-2222-supersecretbottoken";
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// The binary with a clean environment: only what the test gives it, so a developer's own
/// `DATABASE_URL` or `SLACK_BOT_TOKEN` cannot leak into a test.
pub fn liftoff(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liftoff"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

/// A running `liftoff serve`, its stderr collected in the background.
pub struct Serve {
    child: Child,
    logs: Arc<Mutex<String>>,
    pub address: Option<String>,
}

impl Serve {
    /// Spawns `liftoff serve` in `dir` with the test's secrets, `slack_api` and `env`, and
    /// `args` after `serve`. Does not wait for it.
    pub fn spawn(dir: &Path, slack_api: &str, env: &[(&str, String)], args: &[&str]) -> Serve {
        let mut command = liftoff(dir);
        command
            .env("SLACK_BOT_TOKEN", BOT_TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("LIFTOFF_BIND", "127.0.0.1:0")
            .env("LIFTOFF_SLACK_API_URL", slack_api)
            .env("RUST_LOG", "info");
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .arg("serve")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("liftoff serve starts");
        let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let logs = Arc::new(Mutex::new(String::new()));
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut logs = sink.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        Serve {
            child,
            logs,
            address: None,
        }
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// Waits until a log line contains `needle`; `None` if the process exited or `timeout`
    /// passed first.
    pub async fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.logs().lines().find(|l| l.contains(needle)) {
                return Some(line.to_owned());
            }
            if Instant::now() >= deadline || self.child.try_wait().ok().flatten().is_some() {
                // One last look: the line may have arrived with the exit.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return self.logs().lines().find(|l| l.contains(needle)).map(str::to_owned);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until it serves, and learns its address.
    pub async fn ready(&mut self) -> String {
        let line = self
            .wait_for_log("liftoff is serving", Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("serve did not start:\n{}", self.logs()));
        // Human lines say `address=127.0.0.1:1234`, JSON lines `"address":"127.0.0.1:1234"`.
        let address = match line.find("address=") {
            Some(at) => line[at + "address=".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned(),
            None => {
                let at = line.find("\"address\":\"").expect("address field") + "\"address\":\"".len();
                line[at..].split('"').next().unwrap().to_owned()
            }
        };
        self.address = Some(address.clone());
        address
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill {signal} failed");
    }

    /// SIGKILL: no chance to clean up, as in a crash or an OOM kill.
    pub fn kill9(&mut self) -> ExitStatus {
        self.signal("-KILL");
        self.child.wait().expect("reaped")
    }

    pub fn sigterm(&self) {
        self.signal("-TERM");
    }

    /// Waits for the process to exit, at most `timeout`; `None` if it is still running.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The form body and signature headers of `/launch <text>` from `user`, signed at `timestamp`
/// (seconds; the service's clock, which `serve --now` moves).
pub fn signed_command(user: &str, text: &str, timestamp: i64) -> (String, String, String) {
    let body = slack_emulator::slash_command_form(user, "C0LAUNCH", text, "http://127.0.0.1:9/response");
    let timestamp = timestamp.to_string();
    let secret = secrecy::SecretString::from(SIGNING_SECRET);
    let signature = liftoff::slack::signature::sign(&secret, &timestamp, body.as_bytes());
    (body, timestamp, signature)
}

/// Sends `/launch <text>`, signed at `timestamp`, to a serve process; the HTTP status, or
/// `None` if it did not answer.
pub async fn send_command_at(
    client: &reqwest::Client,
    address: &str,
    user: &str,
    text: &str,
    timestamp: i64,
) -> Option<u16> {
    send_command_with_headers(client, address, user, text, timestamp, &[]).await
}

/// [`send_command_at`] with more headers, as Slack adds on a redelivery
/// (`x-slack-retry-num`, `x-slack-retry-reason`).
pub async fn send_command_with_headers(
    client: &reqwest::Client,
    address: &str,
    user: &str,
    text: &str,
    timestamp: i64,
    headers: &[(&str, &str)],
) -> Option<u16> {
    let (body, timestamp, signature) = signed_command(user, text, timestamp);
    let mut request = client
        .post(format!("http://{address}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .body(body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// POSTs an Events API body to a `serve` process, signed at `timestamp` (its clock, which may
/// have been started elsewhere with `--now`). `None` when the process died before answering.
pub async fn send_event_at(client: &reqwest::Client, address: &str, body: &str, timestamp: i64) -> Option<u16> {
    let secret = secrecy::SecretString::from(SIGNING_SECRET);
    let timestamp = timestamp.to_string();
    let signature = liftoff::slack::signature::sign(&secret, &timestamp, body.as_bytes());
    client
        .post(format!("http://{address}/slack/events"))
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(body.to_owned())
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}
