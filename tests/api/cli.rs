//! The `liftoff` binary: exit codes, one-line reasons, and that bad input changes nothing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::fake_slack::{Failure, FakeSlack};
use crate::helpers::TestDb;
use crate::processes::{BOT_TOKEN, SIGNING_SECRET, liftoff};

fn run(command: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = command.output().expect("liftoff runs");
    (
        status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn with_secrets(command: &mut Command) -> &mut Command {
    command
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
}

/// Reads log lines into `logs` until one contains `needle`, and returns that line.
fn read_until(stderr: &mut impl BufRead, logs: &mut String, needle: &str) -> String {
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve exited early: {logs}");
        logs.push_str(&line);
        if line.contains(needle) {
            return line;
        }
    }
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("liftoff.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_command_has_help() {
    use clap::CommandFactory;
    let dir = tempfile::tempdir().unwrap();
    let (code, top, _) = run(liftoff(dir.path()).arg("--help"));
    assert_eq!(code, 0);
    let commands: Vec<String> = liftoff::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert!(commands.len() >= 7, "{commands:?}");
    for command in &commands {
        assert!(top.contains(command.as_str()), "top-level help lists {command}");
        let (code, stdout, _) = run(liftoff(dir.path()).args([command.as_str(), "--help"]));
        assert_eq!(code, 0, "{command} --help");
        assert!(stdout.contains("Usage: liftoff"), "{command}: {stdout}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(liftoff(dir.path()).arg("launch-rockets"));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(liftoff(dir.path()).args(["tick", "--now", "next tuesday"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("not an RFC 3339 instant"), "{stderr}");
}

#[test]
fn check_config_accepts_a_valid_setup() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[calendar]\ntimezone = \"Europe/Berlin\"\n");
    let (code, stdout, stderr) = run(with_secrets(
        liftoff(dir.path())
            .arg("--config")
            .arg(&config)
            .args(["check-config", "--offline"]),
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("configuration OK: HTTP request URLs"), "{stdout}");
    assert!(stdout.contains("Europe/Berlin"), "{stdout}");
    assert!(!stdout.contains(BOT_TOKEN) && !stderr.contains(BOT_TOKEN));
}

#[test]
fn check_config_names_each_bad_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[calendar]\ntimezone = \"Europe/Atlantis\"\n",
            "calendar.timezone: unknown time zone `Europe/Atlantis`",
        ),
        (
            "[schedules]\ndigest = \"30 8 * * 1-5\"\n",
            "schedules.digest: `30 8 * * 1-5` is not a cron expression",
        ),
        (
            "[channels]\npmo = \"#launches\"\n",
            "channels.pmo: `#launches` is not a Slack channel id",
        ),
        (
            "[functions.sales]\nlead = \"@maria\"\n",
            "functions.sales.lead: `@maria` is not a Slack user id",
        ),
        (
            "[server]\nbind = \"everywhere\"\n",
            "server.bind: `everywhere` is not a listen address",
        ),
        (
            "[database]\nurl = \"mysql://db/liftoff\"\n",
            "database.url: `mysql://db/liftoff` is not a supported database URL",
        ),
        (
            "[server]\nread_timeout_secs = 0\n",
            "server.read_timeout_secs: must be between 1 and 300 seconds",
        ),
        (
            "[slack]\nrequest_timeout_secs = 30\ndelivery_lease_secs = 20\n",
            "slack.delivery_lease_secs: must be longer than slack.request_timeout_secs",
        ),
        ("[serverr]\nbind = \"127.0.0.1:1\"\n", "unknown field `serverr`"),
        ("[calendar\n", "is not valid"),
    ];
    for (text, expected) in cases {
        let config = write_config(dir.path(), text);
        let (code, stdout, stderr) = run(with_secrets(
            liftoff(dir.path()).arg("--config").arg(&config).arg("check-config"),
        ));
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(stdout.is_empty(), "{text}: {stdout}");
        assert!(stderr.contains(expected), "{text}: expected `{expected}` in {stderr}");
        assert!(stderr.lines().all(|line| line.starts_with("liftoff: ")), "{stderr}");
    }
}

#[test]
fn check_config_requires_the_secrets_of_the_chosen_transport() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(liftoff(dir.path()).arg("check-config"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("slack.bot_token: required but not set (set SLACK_BOT_TOKEN"),
        "{stderr}"
    );
    assert!(
        stderr.contains("slack.signing_secret: required but not set"),
        "{stderr}"
    );

    // Socket Mode needs the app token instead of the signing secret.
    let (code, _, stderr) = run(liftoff(dir.path())
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
        .arg("check-config"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("slack.app_token: does not look right: it should start with `xapp-`"),
        "{stderr}"
    );
    assert!(!stderr.contains("signing_secret"), "{stderr}");
    let (code, stdout, _) = run(liftoff(dir.path())
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_APP_TOKEN", "xapp-1-A111-222-abcdef")
        .args(["check-config", "--offline"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("Socket Mode"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_asks_slack_about_the_token_and_every_configured_channel() {
    let slack = FakeSlack::start().await;
    slack.add_channel("C0PMO", false, true);
    slack.add_channel("C0SALES", false, false);
    slack.add_channel("G0LEGAL", true, false);
    slack.archive_channel("C0OLD");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[channels]\npmo = \"C0PMO\"\nescalation = \"C0OLD\"\n\
         [functions.sales]\nchannel = \"C0SALES\"\n[functions.legal]\ndisplay_name = \"Legal\"\nchannel = \"G0LEGAL\"\n",
    );
    let api_url = slack.api_url.clone();
    let path = dir.path().to_owned();
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || {
        run(with_secrets(
            liftoff(&path)
                .env("LIFTOFF_SLACK_API_URL", &api_url)
                .arg("--config")
                .arg(&config)
                .arg("check-config"),
        ))
    })
    .await
    .unwrap();
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stdout.contains("the bot token works"), "{stdout}");
    assert!(stdout.contains("channels.pmo: Liftoff can post in C0PMO"), "{stdout}");
    assert!(
        stdout.contains("functions.sales.channel: C0SALES is public; `liftoff serve` joins it"),
        "{stdout}"
    );
    assert!(stderr.contains("channels.escalation: <#C0OLD> is archived"), "{stderr}");
    assert!(
        stderr.contains("functions.legal.channel: Slack cannot find G0LEGAL for Liftoff: if it is private, type `/invite @Liftoff` there"),
        "{stderr}"
    );
    assert!(slack.calls("conversations.join").is_empty(), "checking changes nothing");

    // A refused token is named as such.
    slack.refuse_token(Some("invalid_auth"));
    let path = dir.path().to_owned();
    let api_url = slack.api_url.clone();
    let (code, _, stderr) = tokio::task::spawn_blocking(move || {
        run(with_secrets(
            liftoff(&path)
                .env("LIFTOFF_SLACK_API_URL", &api_url)
                .arg("check-config"),
        ))
    })
    .await
    .unwrap();
    assert_eq!(code, 2);
    assert!(stderr.contains("Slack refused the token (invalid_auth)"), "{stderr}");
}

#[test]
fn a_named_config_file_that_is_missing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(with_secrets(
        liftoff(dir.path())
            .env("LIFTOFF_CONFIG", "nope.toml")
            .arg("check-config"),
    ));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read config file nope.toml"), "{stderr}");
}

#[test]
fn migrate_creates_a_sqlite_database_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", db.display());
    for _ in 0..2 {
        let (code, stdout, stderr) = run(liftoff(dir.path()).env("DATABASE_URL", &url).arg("migrate"));
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("migrations applied"), "{stdout}");
    }
    assert!(db.exists());
}

#[test]
fn migrate_uses_sqlite_liftoff_db_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(liftoff(dir.path()).arg("migrate"));
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("liftoff.db").exists());
}

#[test]
fn an_unopenable_sqlite_database_exits_1_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/missing-dir/liftoff.db", dir.path().display());
    let (code, _, stderr) = run(liftoff(dir.path()).env("DATABASE_URL", &url).arg("migrate"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("liftoff: cannot open database"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("liftoff: ")).count(),
        1,
        "{stderr}"
    );
}

#[test]
fn an_unreachable_postgres_exits_1_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[database]\nconnect_timeout_secs = 2\n");
    let started = Instant::now();
    let (code, _, stderr) = run(liftoff(dir.path())
        .arg("--config")
        .arg(&config)
        .env("DATABASE_URL", "postgres://liftoff:hunter2@127.0.0.1:1/liftoff")
        .arg("migrate"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot open database postgres://liftoff:***@127.0.0.1:1/liftoff"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2"),
        "the password never reaches the output: {stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_read_only_database_exits_1_and_stays_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("readonly.db");
    std::fs::write(&db, b"").unwrap();
    let url = format!("sqlite://{}?mode=ro", db.display());
    let (code, _, stderr) = run(liftoff(dir.path()).env("DATABASE_URL", &url).arg("migrate"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("read-only"), "{stderr}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "nothing was written");
}

#[tokio::test]
async fn a_failing_migration_exits_1_and_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("conflict.db");
    let url = format!("sqlite://{}", db_path.display());
    // A table in the way of the first migration: it must fail as a whole.
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE launches (id INTEGER)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let (code, _, stderr) = run(liftoff(dir.path()).env("DATABASE_URL", &url).arg("migrate"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("liftoff: cannot migrate"), "{stderr}");
    assert!(stderr.contains("launches already exists"), "{stderr}");

    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(tables, vec!["launches"], "the failed migration created nothing");
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    assert_eq!(applied, 0);
}

#[tokio::test]
async fn migrate_works_on_postgres() {
    let Some(db) = TestDb::postgres().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(liftoff(dir.path()).env("DATABASE_URL", &db.url).arg("migrate"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("migrations applied"), "{stdout}");
    assert!(
        db.store.pending_migrations().await.unwrap().is_empty(),
        "the CLI migrated the test schema"
    );
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_runs_due_jobs_delivers_and_summarises() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[channels]\npmo = \"C0PMO\"\n");
    let tick = |now: &str| {
        let mut command = with_secrets(&mut liftoff(dir.path()))
            .env("LIFTOFF_SLACK_API_URL", &slack.api_url)
            .arg("--config")
            .arg(&config)
            .args(["tick", "--now", now])
            .output()
            .unwrap();
        command.stdout.extend_from_slice(&command.stderr);
        (
            command.status.code().unwrap(),
            String::from_utf8_lossy(&command.stdout).into_owned(),
        )
    };
    // 08:00 UTC on a Wednesday: the 08:30 digest is not due yet.
    let (code, out) = tick("2026-11-25T08:00:00+00:00");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("tick at 2026-11-25T08:00:00+00:00"), "{out}");
    assert!(!out.contains("digest 2026-11-25"), "{out}");
    let (code, out) = tick("2026-11-25T08:31:00Z");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("digest 2026-11-25T08:30: ran (1 message(s))"), "{out}");
    assert!(out.contains("delivered 1"), "{out}");
    assert_eq!(slack.calls("chat.postMessage").len(), 1);
    // The same tick again: nothing is due twice, nothing posted twice.
    let (_, out) = tick("2026-11-25T08:31:00Z");
    assert!(out.contains("no scheduled job was due"), "{out}");
    assert_eq!(slack.calls("chat.postMessage").len(), 1);
    // A mistyped year is warned about: what it enqueues would be due then.
    let (code, out) = tick("2099-11-25T08:31:00Z");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning: --now 2099-11-25T08:31:00+00:00 is "), "{out}");
    assert!(out.contains("days from the real time"), "{out}");
}

/// `serve` end to end as a process: it becomes ready, answers health checks, keeps secrets
/// out of its logs, and stops cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_until_sigterm_and_never_logs_secrets() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = with_secrets(&mut liftoff(dir.path()))
        .env("LIFTOFF_BIND", "127.0.0.1:0")
        .env("LIFTOFF_SLACK_API_URL", &slack.api_url)
        .env("DATABASE_URL", format!("sqlite://{}/serve.db", dir.path().display()))
        .env("RUST_LOG", "debug")
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut logs = String::new();
    let line = read_until(&mut stderr, &mut logs, "liftoff is serving");
    let start = line.find("address=").expect("address field") + "address=".len();
    let address = line[start..].split_whitespace().next().unwrap().to_owned();
    let get = |path: &str| reqwest::get(format!("http://{address}{path}"));
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    assert_eq!(slack.calls("auth.test").len(), 1, "serve learned who it is from Slack");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    logs.push_str(&rest);
    assert!(logs.contains("liftoff stopped"), "{logs}");
    for secret in [BOT_TOKEN, SIGNING_SECRET] {
        assert!(!logs.contains(secret), "secret leaked into logs:\n{logs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_2_when_slack_refuses_the_token() {
    let slack = FakeSlack::start().await;
    slack.fail_next("auth.test", Failure::Api("invalid_auth"));
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(with_secrets(&mut liftoff(dir.path()))
        .env("LIFTOFF_BIND", "127.0.0.1:0")
        .env("LIFTOFF_SLACK_API_URL", &slack.api_url)
        .arg("serve"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("liftoff: slack.bot_token: Slack refused the token (invalid_auth)"),
        "{stderr}"
    );
    assert!(!stderr.contains(BOT_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_retries_an_unreachable_slack_at_start_up() {
    let slack = FakeSlack::start().await;
    slack.fail_next("auth.test", Failure::ServerError);
    slack.fail_next("auth.test", Failure::RateLimited { retry_after_secs: 1 });
    let dir = tempfile::tempdir().unwrap();
    let mut child = with_secrets(&mut liftoff(dir.path()))
        .env("LIFTOFF_BIND", "127.0.0.1:0")
        .env("LIFTOFF_SLACK_API_URL", &slack.api_url)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut logs = String::new();
    read_until(&mut stderr, &mut logs, "liftoff is serving");
    assert_eq!(slack.calls("auth.test").len(), 3, "two failures, then success: {logs}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn serve_refuses_to_start_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(liftoff(dir.path()).env("LIFTOFF_BIND", "127.0.0.1:0").arg("serve"));
    assert_eq!(code, 2);
    assert!(stderr.contains("slack.bot_token: required but not set"), "{stderr}");
    assert!(!dir.path().join("liftoff.db").exists(), "nothing was created");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(liftoff(dir.path())
        .args(["--log-format", "json", "migrate"])
        .env("RUST_LOG", "debug"));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.is_empty()).collect();
    assert!(!lines.is_empty(), "debug logging produced lines");
    for line in lines {
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(parsed.get("level").is_some(), "{line}");
    }
}

#[test]
fn a_database_password_never_shows_whatever_form_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "postgres://liftoff@127.0.0.1:1/liftoff?password=hunter2-secret&connect_timeout=1",
        "postgres://liftoff:hunter2-secret@127.0.0.1:notaport/liftoff",
        "postgresql://127.0.0.1:1/liftoff?sslpassword=hunter2-secret",
    ] {
        for args in [&["check-config", "--offline"][..], &["migrate"][..]] {
            let (_, stdout, stderr) = run(with_secrets(liftoff(dir.path()).env("DATABASE_URL", url).args(args)));
            assert!(
                !stdout.contains("hunter2") && !stderr.contains("hunter2"),
                "{args:?} with {url}:\n{stdout}\n{stderr}"
            );
        }
    }
}

/// Every request gets a span: its lines carry a request id and what was asked, so one
/// person's command can be followed through the logs (JSON for log collectors).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_logged_under_a_span_with_its_id_and_subcommand() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite().await;
    let env = [("DATABASE_URL", db.url.clone())];
    let mut serve = crate::processes::Serve::spawn(dir.path(), &slack.api_url, &env, &["--log-format", "json"]);
    let address = serve.ready().await;
    let now = chrono::Utc::now().timestamp();
    let client = reqwest::Client::new();
    let status = crate::processes::send_command_at(&client, &address, "U0LEAD", "help", now).await;
    assert_eq!(status, Some(200));
    // A redelivery, as Slack marks one (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`; Slack
    // redelivers events, and the count is recorded the same way for every request URL): its
    // lines say which attempt it was.
    let retry = [("x-slack-retry-num", "1"), ("x-slack-retry-reason", "http_timeout")];
    let status = crate::processes::send_command_with_headers(&client, &address, "U0LEAD", "help", now, &retry).await;
    assert_eq!(status, Some(200));
    serve.sigterm();
    let _ = serve.wait_exit(Duration::from_secs(20)).await;
    let logs = serve.logs();
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains("\"slash command\"")).collect();
    assert_eq!(lines.len(), 2, "two slash command lines in:\n{logs}");
    for line in &lines {
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
        let spans = parsed["spans"].to_string();
        assert!(spans.contains("\"request_id\""), "{line}");
        assert!(spans.contains("\"subcommand\":\"help\""), "{line}");
        assert!(spans.contains("\"path\":\"/slack/commands\""), "{line}");
    }
    assert!(
        !lines[0].contains("\"retry\""),
        "a first attempt names no retry: {}",
        lines[0]
    );
    assert!(lines[1].contains("\"retry\":\"1\""), "{}", lines[1]);
    db.cleanup().await;
}
