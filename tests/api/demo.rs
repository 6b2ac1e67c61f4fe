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
