//! Chaos: for a while, people keep working (commands, thread replies, Slack's retries of them)
//! while Slack fails in every way it documents (429 with Retry-After, 500, answers lost after
//! it acted, posts stored late, a refused token, the bot removed from a channel) and, where the
//! test may mount one, the database's disk fills and frees. Then the faults heal, and:
//! every message accepted is delivered exactly once, and every write confirmed is found after a
//! restart.
//!
//! `cargo test` runs it for `LIFTOFF_CHAOS_SECS` (6 s by default); `scripts/soak.sh` runs it for
//! minutes and prints the summary line kept in RELIABILITY.md.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use liftoff::outbound::OutboxMethod;
use liftoff::store::Store;
use liftoff_core::{TaskId, TaskStatus};
use serde_json::Value;

use crate::fake_slack::Failure;
use crate::full_disk::SmallDisk;
use crate::helpers::{ClockExt, TestApp, TestDb, config_with_database, task_titles_after_restart};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";

const CONFIG: &str = r#"
[slack]
post_interval_ms = 1
request_timeout_secs = 1
delivery_lease_secs = 3
[database]
busy_timeout_ms = 500
[channels]
pmo = "C0PMO"
escalation = "C0ESC"
[functions.sales]
channel = "C0SALES"
[functions.marketing]
channel = "C0MKTG"
[functions.product]
channel = "C0PROD"
"#;

/// What the people did that Liftoff confirmed.
#[derive(Default)]
struct Confirmed {
    tasks: Vec<String>,
    /// Tasks a thread reply marked done, and whether Liftoff acknowledged the reply yet.
    replies: BTreeMap<TaskId, (Value, bool)>,
}

#[tokio::test]
async fn chaos_loses_nothing_confirmed_and_posts_nothing_twice() {
    let seconds: u64 = std::env::var("LIFTOFF_CHAOS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("LIFTOFF_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("chaos seed {seed} (rerun with LIFTOFF_CHAOS_SEED={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);
    let disk = SmallDisk::mount(24);
    if disk.is_none() {
        eprintln!("cannot mount a tmpfs here (not root?): the chaos run goes without a full disk");
    }
    let db = match &disk {
        Some(disk) => TestDb::sqlite_in(disk.path()).await,
        None => TestDb::sqlite().await,
    };
    let url = db.url.clone();
    let app = TestApp::spawn_on_db(db, CONFIG).await;
    app.command(LEAD, "new Payments Hub tier:1 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let launch = app.launch("payments-hub").await;
    for task in app.store.launch_tasks(launch.id).await.unwrap() {
        app.command(LEAD, &format!("assign {} <@{ANN}>", task.id)).await;
    }
    app.set_time("2026-11-23T09:55:00Z");

    let mut confirmed = Confirmed::default();
    let mut filler = None;
    let mut events = 0_u32;
    let started = Instant::now();
    let mut steps = 0_u32;
    while started.elapsed() < Duration::from_secs(seconds) {
        steps += 1;
        match rng.u8(0..10) {
            // A PMM adds a task.
            0 | 1 => {
                let title = format!("Chaos task {steps}: brief the partner team");
                let reply = app
                    .command(LEAD, &format!("task payments-hub marketing \"{title}\" owner:<@{ANN}>"))
                    .await;
                let text = reply["text"].as_str().unwrap_or_default();
                if text.starts_with("Task `T") && text.contains(" added to ") {
                    confirmed.tasks.push(title);
                }
            }
            // Ann answers in the latest check-in thread (and Slack may deliver it twice).
            2 | 3 => {
                if let Some((task, event)) = reply_event(&app, &mut rng, &mut events).await {
                    let acknowledged = post_event(&app, &event).await;
                    if rng.bool() {
                        post_event(&app, &event).await;
                    }
                    confirmed
                        .replies
                        .entry(task)
                        .and_modify(|(_, ack)| *ack |= acknowledged)
                        .or_insert((event, acknowledged));
                }
            }
            // Slack misbehaves.
            4 | 5 => {
                let failure = match rng.u8(0..7) {
                    0 => Failure::RateLimited { retry_after_secs: 1 },
                    1 => Failure::ServerError,
                    2 => Failure::Lost(Duration::from_millis(1500)),
                    3 => Failure::StoredLate(Duration::from_millis(1500)),
                    4 => Failure::Slow(Duration::from_millis(1500)),
                    5 => Failure::Api("internal_error"),
                    _ => Failure::Api("rate_limited"),
                };
                let method = [
                    "chat.postMessage",
                    "conversations.history",
                    "conversations.replies",
                    "conversations.open",
                ][rng.usize(0..4)];
                // Two failures in a row of one method at most: a longer run is an outage, which
                // the outage test covers (every call failing for 15 minutes).
                if app.slack.pending_failures(method) < 2 {
                    app.slack.fail_next(method, failure);
                }
            }
            6 => match rng.u8(0..3) {
                0 => app.slack.refuse_token(Some("token_revoked")),
                1 => app.slack.refuse_token(None),
                _ => app.slack.remove_bot_from("C0MKTG"),
            },
            // The disk fills, or is freed.
            7 => {
                if let Some(disk) = &disk {
                    match filler.take() {
                        None => filler = Some(disk.fill()),
                        Some(path) => {
                            let _ = std::fs::remove_file(path);
                        }
                    }
                }
            }
            // Time passes: scheduled work runs and is delivered, whatever fails.
            _ => {
                app.clock.advance(chrono::Duration::minutes(rng.i64(1..=120)));
                work(&app).await;
            }
        }
    }

    // The faults heal; Slack redelivers what was not acknowledged; delivery catches up.
    app.slack.heal();
    if let Some(path) = filler.take() {
        std::fs::remove_file(path).unwrap();
    }
    for (event, acknowledged) in confirmed.replies.values_mut() {
        for _ in 0..3 {
            if *acknowledged {
                break;
            }
            *acknowledged = post_event(&app, event).await;
        }
    }
    for _ in 0..30 {
        app.clock.advance(chrono::Duration::minutes(10));
        let _ = app.state.delivery().drain(Duration::from_secs(5)).await;
        let counts = app.store.outbox_counts().await.unwrap();
        if counts.pending + counts.sending == 0 {
            break;
        }
    }
    let counts = app.store.outbox_counts().await.unwrap();
    let failed = app.store.failed_messages(20).await.unwrap();

    // Every post Liftoff accepted is in Slack exactly once.
    let accepted = app.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    let mut copies: BTreeMap<String, usize> = BTreeMap::new();
    for (_, message) in app.slack.stored_messages() {
        if let Some(key) = message["metadata"]["event_payload"]["key"].as_str() {
            *copies.entry(key.to_owned()).or_default() += 1;
        }
    }
    let duplicated: Vec<&String> = copies.iter().filter(|(_, n)| **n > 1).map(|(k, _)| k).collect();
    let lost: Vec<&String> = accepted.iter().filter(|key| !copies.contains_key(*key)).collect();
    let store_path_url = url.clone();
    app.stop().await;

    // After a restart, every confirmed write is there.
    let titles = task_titles_after_restart(&store_path_url, "payments-hub").await;
    let store = Store::connect(&config_with_database(&store_path_url).database)
        .await
        .unwrap();
    let lost_tasks: Vec<&String> = confirmed.tasks.iter().filter(|t| !titles.contains(t)).collect();
    let mut lost_replies = Vec::new();
    let mut acknowledged = 0;
    for (task, (_, ack)) in &confirmed.replies {
        if *ack {
            acknowledged += 1;
            if store.task(*task).await.unwrap().unwrap().status != TaskStatus::Done {
                lost_replies.push(*task);
            }
        }
    }
    store.close().await;
    println!(
        "chaos: {seconds} s, {steps} steps, seed {seed}, full disk {}: messages accepted {}, delivered {}, duplicated {}, lost {}; \
         writes confirmed {} (tasks {}, replies {}), found after restart {}",
        if disk.is_some() { "on" } else { "off" },
        accepted.len(),
        counts.sent,
        duplicated.len(),
        lost.len() + counts.pending as usize + counts.failed as usize,
        confirmed.tasks.len() + acknowledged,
        confirmed.tasks.len(),
        acknowledged,
        confirmed.tasks.len() - lost_tasks.len() + acknowledged - lost_replies.len(),
    );
    assert_eq!(
        (counts.pending, counts.sending, counts.failed),
        (0, 0, 0),
        "everything delivered: {failed:#?}"
    );
    assert!(duplicated.is_empty(), "posted twice: {duplicated:?}");
    assert!(lost.is_empty(), "accepted but not in Slack: {lost:?}");
    assert!(lost_tasks.is_empty(), "confirmed tasks lost: {lost_tasks:?}");
    assert!(
        lost_replies.is_empty(),
        "acknowledged replies not applied: {lost_replies:?}"
    );
}

/// Runs what `liftoff tick` runs, ignoring failures (the disk may be full): the next tick
/// catches up.
async fn work(app: &TestApp) {
    let scheduler = app.state.scheduler();
    let _ = scheduler.run_due().await;
    let _ = scheduler.sweep_now().await;
    let _ = app.state.delivery().drain(Duration::from_secs(3)).await;
}

/// Ann's "T.. done" for one of her open tasks in the latest posted sales check-in.
async fn reply_event(app: &TestApp, rng: &mut fastrand::Rng, events: &mut u32) -> Option<(TaskId, Value)> {
    let now = app.clock.now_for_tests();
    let checkin = app
        .store
        .checkins_since(now - chrono::Duration::days(30))
        .await
        .ok()?
        .into_iter()
        .rev()
        .find(|c| c.outbox_key.starts_with("checkin:sales") && c.ts.is_some())?;
    let listed = app.store.checkin_tasks(&checkin.outbox_key).await.ok()?;
    let (task, _) = listed.get(rng.usize(0..listed.len().max(1)))?;
    *events += 1;
    let ts = format!("1900000{:03}.{:06}", *events / 1000, *events % 1000);
    let event = slack_emulator::thread_reply_event(
        &format!("EvChaos{events}"),
        ANN,
        "C0SALES",
        checkin.ts.as_deref()?,
        &ts,
        &format!("`{task}` done"),
    );
    Some((*task, event))
}

async fn post_event(app: &TestApp, event: &Value) -> bool {
    app.post_signed("/slack/events", "application/json", &event.to_string())
        .await
        .status()
        == 200
}
