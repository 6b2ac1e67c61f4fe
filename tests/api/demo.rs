//! `liftoff demo` end to end: the real binary, its real service and the built-in emulator.

use std::process::Command;

#[test]
fn the_demo_runs_a_launch_and_shows_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kept.db");
    let output = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["demo", "--keep-db"])
        .arg(&db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for feature in [
        "typed: /launch new Checkout v2 tier:1",
        "18 template tasks added",
        "Launch digest —",
        "Product check-in —",
        "replied in the #launch-growth check-in thread",
        ":white_check_mark: Updated:",
        ":alarm_clock: Reminder:",
        ":rotating_light: Overdue task:",
        "Escalation to the function lead",
        "Escalation to the launch lead",
        "is blocked for 1 working day",
        "task(s) moved with the launch date",
        ":white_check_mark: Resolved:",
        "DM to @",
        "↳",
        "100% ready",
        "Go/no-go started for *Checkout v2*",
        "Reminder — still waiting for your answer",
        "*No-go* for *Checkout v2*",
    ] {
        assert!(stdout.contains(feature), "the demo did not show `{feature}`");
    }
    assert!(stdout.contains("The demo database is kept at"));
    assert!(db.exists(), "--keep-db keeps the database");
    // Holidays are respected: nothing is posted on Christmas Day.
    assert!(!stdout.contains("──── Fri 25 Dec"), "no posts on a holiday");
}

#[test]
fn the_demo_stops_at_until() {
    let output = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(["demo", "--until", "2000-01-01"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.matches("────").count(), 2, "only the first day: {stdout}");
}

/// `liftoff demo` with `args`, in `dir`, with no `RUST_LOG` or other variable from the caller.
fn demo(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("demo")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_demo_prints_the_transcript_alone_and_logs_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    // The first step is enough to start the service, answer a command and log what it does.
    let quiet = demo(dir.path(), &["--until", "2000-01-01"]);
    assert!(quiet.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&quiet.stdout),
        String::from_utf8_lossy(&quiet.stderr),
    );
    assert!(stdout.starts_with("Liftoff demo:"), "{stdout}");
    assert!(stdout.contains("Liftoff answered:"), "the transcript: {stdout}");
    assert!(!stdout.contains(" INFO "), "no log line among the transcript");
    assert_eq!(stderr, "", "nothing below a warning on stderr by default");

    let verbose = demo(dir.path(), &["--until", "2000-01-01", "-v"]);
    assert!(verbose.status.success());
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains(" INFO "), "-v shows what the service does: {stderr}");
    assert!(!stderr.contains(" DEBUG "), "but not its detail");
    let stdout = String::from_utf8_lossy(&verbose.stdout);
    assert!(!stdout.contains(" INFO "), "logs stay on stderr");
    let very = demo(dir.path(), &["--until", "2000-01-01", "-vv"]);
    assert!(
        String::from_utf8_lossy(&very.stderr).contains(" DEBUG "),
        "-vv shows detail"
    );
}

#[tokio::test]
async fn the_demo_never_steps_back_in_time_and_stamps_each_message_when_it_was_sent() {
    use chrono::TimeZone;
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kept.db");
    let output = demo(dir.path(), &["--keep-db", db.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);

    // Within each day, what people do and what Liftoff sends is stamped in the order it
    // happened: on day one maya plans at 09:00, so the morning digest cannot read 08:35.
    let mut day = String::new();
    let mut last = String::new();
    let mut digests: Vec<(String, String)> = Vec::new();
    let lines: Vec<&str> = stdout.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if let Some(header) = line.strip_prefix("──── ") {
            day = header.trim_end_matches(" ────").to_owned();
            last.clear();
            continue;
        }
        let Some(stamp) = line.split('[').nth(1).and_then(|rest| rest.get(..5)) else {
            continue;
        };
        if !stamp.chars().all(|c| c.is_ascii_digit() || c == ':') {
            continue;
        }
        assert!(
            stamp >= last.as_str(),
            "{day}: {stamp} after {last}: the clock stepped back at `{line}`"
        );
        last = stamp.to_owned();
        if line.contains("#pmo · Liftoff:") && lines.get(n + 1).is_some_and(|l| l.contains("Launch digest —")) {
            digests.push((day.clone(), stamp.to_owned()));
        }
    }

    // Each digest is stamped with the time the outbox recorded it as sent.
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let sent: Vec<i64> = sqlx::query_scalar(
        "SELECT sent_at_ms FROM outbox WHERE kind = 'digest' AND idempotency_key LIKE '%:1' ORDER BY sent_at_ms",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let recorded: Vec<(String, String)> = sent
        .iter()
        .map(|ms| {
            let at = chrono::Utc.timestamp_millis_opt(*ms).unwrap();
            (at.format("%a %-d %b %Y").to_string(), at.format("%H:%M").to_string())
        })
        .collect();
    assert!(!digests.is_empty(), "the demo posts digests");
    assert_eq!(digests, recorded);
    assert_eq!(digests[0].1, "09:00", "day one's digest goes once maya has planned");
}
