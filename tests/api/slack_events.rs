//! The Events API endpoint and request signing, end to end.

use std::time::Duration;

use serde_json::json;

use crate::fake_slack::TEAM_ID;
use crate::helpers::{ClockExt, FORM, TestApp, eventually};

const JSON: &str = "application/json";

fn event_callback(event_id: &str, team: &str) -> String {
    json!({
        "token": "legacy", "team_id": team, "api_app_id": "A0LIFTOFF", "type": "event_callback",
        "event_id": event_id, "event_time": 1764000000,
        "event": {"type": "message", "channel": "C0CHECKIN", "user": "U0ANN", "text": "T1 done",
                  "ts": "1764000000.000200", "thread_ts": "1764000000.000100"}
    })
    .to_string()
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let app = TestApp::spawn().await;
    let body = json!({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"});
    let response = app.post_signed("/slack/events", JSON, &body.to_string()).await;
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["challenge"], body["challenge"]);
    app.stop().await;
}

#[tokio::test]
async fn a_retried_event_is_applied_once() {
    let app = TestApp::spawn().await;
    let body = event_callback("Ev0001", TEAM_ID);
    assert_eq!(app.post_signed("/slack/events", JSON, &body).await.status(), 200);
    // Slack's retry: same event_id, with X-Slack-Retry-Num. Still acknowledged, not re-applied.
    let timestamp = app.clock.now_for_tests().timestamp().to_string();
    let secret = secrecy::SecretString::from(crate::helpers::SIGNING_SECRET);
    let signature = liftoff::slack::signature::sign(&secret, &timestamp, body.as_bytes());
    let retry = app
        .http
        .post(format!("{}/slack/events", app.address))
        .header("content-type", JSON)
        .header("x-slack-request-timestamp", &timestamp)
        .header("x-slack-signature", &signature)
        .header("x-slack-retry-num", "1")
        .header("x-slack-retry-reason", "http_timeout")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 200);
    let now = app.clock.now_for_tests();
    assert!(
        !app.store.record_slack_event("Ev0001", now).await.unwrap(),
        "recorded exactly once before"
    );
    assert!(app.store.record_slack_event("Ev0002", now).await.unwrap());
    app.stop().await;
}

#[tokio::test]
async fn events_from_another_team_are_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .post_signed("/slack/events", JSON, &event_callback("Ev0009", "T0OTHER"))
        .await;
    assert_eq!(response.status(), 403);
    let now = app.clock.now_for_tests();
    assert!(
        app.store.record_slack_event("Ev0009", now).await.unwrap(),
        "not recorded"
    );
    app.stop().await;
}

#[tokio::test]
async fn commands_from_another_team_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let form = app
        .command_form("U0LEAD", "C0LAUNCH", "new Checkout tier:1 date:2026-12-10")
        .replace(TEAM_ID, "T0OTHER");
    let response = app.post_signed("/slack/commands", FORM, &form).await;
    assert_eq!(response.status(), 403);
    assert!(app.store.list_launches(true).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn unsigned_forged_and_stale_requests_get_401_and_change_nothing() {
    let app = TestApp::spawn().await;
    let form = app.command_form("U0LEAD", "C0LAUNCH", "new Checkout tier:1 date:2026-12-10");
    let now = app.clock.now_for_tests().timestamp();
    let secret = secrecy::SecretString::from(crate::helpers::SIGNING_SECRET);
    let sign = |ts: i64, body: &str| liftoff::slack::signature::sign(&secret, &ts.to_string(), body.as_bytes());
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        let cases: Vec<(Option<String>, Option<String>)> = vec![
            (None, None),
            (Some(now.to_string()), None),
            (None, Some(sign(now, &form))),
            (Some(now.to_string()), Some(sign(now, "different body"))),
            (Some(now.to_string()), Some("v0=deadbeef".to_owned())),
            (Some((now - 301).to_string()), Some(sign(now - 301, &form))),
            (Some((now + 301).to_string()), Some(sign(now + 301, &form))),
            (Some("yesterday".to_owned()), Some(sign(now, &form))),
        ];
        for (timestamp, signature) in cases {
            let response = app
                .post_raw(path, FORM, &form, timestamp.as_deref(), signature.as_deref())
                .await;
            assert_eq!(response.status(), 401, "{path} {timestamp:?} {signature:?}");
        }
    }
    // Just inside the window is fine.
    let ts = now - 299;
    let response = app
        .post_raw(
            "/slack/commands",
            FORM,
            &form,
            Some(&ts.to_string()),
            Some(&sign(ts, &form)),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        app.store.list_launches(true).await.unwrap().len(),
        1,
        "only the valid request took effect"
    );
    app.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_parsing() {
    let app = TestApp::spawn().await;
    let huge = format!("text={}", "a".repeat(1024 * 1024 + 1));
    let response = app.post_signed("/slack/commands", FORM, &huge).await;
    assert_eq!(response.status(), 413);
    app.stop().await;
}

#[tokio::test]
async fn ssl_check_is_acknowledged() {
    let app = TestApp::spawn().await;
    let response = app
        .post_signed("/slack/commands", FORM, "ssl_check=1&token=legacy")
        .await;
    assert_eq!(response.status(), 200);
    app.stop().await;
}

/// The Home tabs published for `user`, oldest first.
fn homes_published_for(app: &TestApp, user: &str) -> Vec<serde_json::Value> {
    app.slack
        .calls("views.publish")
        .into_iter()
        .filter(|p| p["user_id"] == user)
        .collect()
}

#[tokio::test]
async fn opening_app_home_publishes_my_tasks_launches_and_calendar() {
    let app = TestApp::spawn().await;
    app.command("U0LEAD", "new Checkout v2 tier:3 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    app.command("U0LEAD", "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-7")
        .await;
    let event = json!({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0LIFTOFF", "type": "event_callback",
        "event_id": "EvHome1", "event_time": 1764000000,
        "event": {"type": "app_home_opened", "user": "U0ANN", "channel": "D0ANN", "tab": "home"}
    });
    // Giving Ann the task already refreshes her Home tab in the background: let that land first,
    // so the publish counted below is the one the event caused.
    let anns = || homes_published_for(&app, "U0ANN");
    assert!(eventually(Duration::from_secs(5), async || !anns().is_empty()).await);
    let before = anns().len();
    assert_eq!(
        app.post_signed("/slack/events", JSON, &event.to_string())
            .await
            .status(),
        200
    );
    assert!(eventually(Duration::from_secs(5), async || anns().len() > before).await);
    let published = anns();
    let home = published.last().expect("Ann's home was published");
    assert_eq!(home["view"]["type"], "home");
    let blocks = home["view"]["blocks"].to_string();
    assert!(
        blocks.contains("Battlecard") && blocks.contains("task_done"),
        "my tasks, with buttons"
    );
    assert!(blocks.contains("Launches you lead or work on") && blocks.contains("checkout-v2"));
    assert!(blocks.contains("Coming up (next 4 weeks)"));

    // A change to Ann's task republishes her Home tab.
    let tasks = app.store.launch_tasks(liftoff_core::LaunchId(1)).await.unwrap();
    let battlecard = tasks.iter().find(|t| t.title == "Battlecard").unwrap().id;
    app.command("U0ANN", &format!("ontrack {battlecard}")).await;
    let republished = eventually(Duration::from_secs(3), async || {
        anns()
            .iter()
            .any(|p| p["view"]["blocks"].to_string().contains("· on track"))
    })
    .await;
    assert!(republished, "Ann's Home tab was republished after the change");
    // Its launch line says how ready the launch is, counted from the stored tasks
    // (the tab reads tallies of them, not the tasks).
    let launch = app
        .store
        .launch_by_id(liftoff_core::LaunchId(1))
        .await
        .unwrap()
        .unwrap();
    let tasks = app.store.launch_tasks(launch.id).await.unwrap();
    let ready = liftoff_core::readiness::readiness(&launch, &tasks, launch.launch_date).overall;
    let label = format!(
        "{}% ready ({}/{} due by launch day done)",
        ready.percent(),
        ready.done,
        ready.due_by_launch
    );
    assert!(ready.due_by_launch >= 1);
    let shows_readiness = eventually(Duration::from_secs(3), async || {
        anns()
            .last()
            .is_some_and(|p| p["view"]["blocks"].to_string().contains(&label))
    })
    .await;
    assert!(shows_readiness, "Ann's Home tab shows {label:?}");
    app.stop().await;
}

/// A burst of changes for one person rebuilds their Home tab once per `slack.home_refresh_ms`,
/// not once per change, and the last rebuild shows every change.
#[tokio::test]
async fn a_burst_of_changes_publishes_a_home_tab_once_per_interval() {
    let app = TestApp::spawn_with(true, "[slack]\nhome_refresh_ms = 2000").await;
    app.command("U0LEAD", "new Checkout v2 tier:3 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    for i in 0..10 {
        app.command(
            "U0LEAD",
            &format!("task checkout-v2 sales Burst task {i} owner:<@U0ANN> due:T-7"),
        )
        .await;
    }
    let anns = || homes_published_for(&app, "U0ANN");
    let shows_all = |p: &serde_json::Value| (0..10).all(|i| p["view"].to_string().contains(&format!("Burst task {i}")));
    assert!(
        eventually(Duration::from_secs(4), async || anns().last().is_some_and(shows_all)).await,
        "the last publish shows all ten tasks"
    );
    // The first change published at once; the other nine waited for the interval, together.
    let count = anns().len();
    assert!(
        (1..=2).contains(&count),
        "{count} publishes of Ann's Home for 10 changes"
    );
    app.stop().await;
}

/// Home tab publishes stay within a workspace-wide budget (`views.publish` is Tier 4), and
/// rebuilds still waiting for their turn do not hold up shutdown.
#[tokio::test]
async fn home_publishes_keep_to_the_workspace_budget() {
    let app = TestApp::spawn_with(true, "[slack]\nhome_refresh_ms = 0\nhome_publishes_per_minute = 3").await;
    app.command("U0LEAD", "new Checkout v2 tier:3 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    for owner in ["U0ANN", "U0BOB", "U0CAT", "U0DAN"] {
        app.command(
            "U0LEAD",
            &format!("task checkout-v2 sales Work for {owner} owner:<@{owner}> due:T-7"),
        )
        .await;
    }
    let publishes = || app.slack.calls("views.publish");
    assert!(eventually(Duration::from_secs(2), async || publishes().len() >= 3).await);
    assert_eq!(publishes().len(), 3, "the burst allowance, no more");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(publishes().len(), 3, "the next one waits its turn (20 s at 3 a minute)");
    let stopping = std::time::Instant::now();
    app.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "waiting rebuilds were dropped at shutdown: {:?}",
        stopping.elapsed()
    );
}

/// A Home tab publish answered 429 is made again after its Retry-After, not before.
#[tokio::test]
async fn a_rate_limited_home_publish_is_retried_after_retry_after() {
    use slack_emulator::Failure;
    let app = TestApp::spawn().await;
    app.slack
        .fail_next("views.publish", Failure::RateLimited { retry_after_secs: 1 });
    app.command("U0LEAD", "new Checkout v2 tier:3 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    let leads = || -> Vec<slack_emulator::Call> {
        app.slack
            .all_calls()
            .into_iter()
            .filter(|c| c.method == "views.publish" && c.body["user_id"] == "U0LEAD")
            .collect()
    };
    assert!(eventually(Duration::from_secs(2), async || !leads().is_empty()).await);
    let refused_at = std::time::Instant::now();
    assert!(leads()[0].failure.is_some(), "the first publish was refused");
    assert!(eventually(Duration::from_secs(4), async || leads().len() >= 2).await);
    assert!(
        refused_at.elapsed() >= Duration::from_millis(900),
        "the retry waited for Retry-After"
    );
    let calls = leads();
    assert_eq!(calls.len(), 2, "refused once, then published");
    assert!(calls[1].failure.is_none());
    app.stop().await;
}

/// Slow-loris clients: one trickling its headers and one trickling its body are both cut off
/// after `server.read_timeout_secs`, while a normal request on another connection is answered.
#[tokio::test]
async fn slow_loris_clients_are_timed_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(true, "[server]\nread_timeout_secs = 1").await;
    let host = app.address.trim_start_matches("http://").to_owned();

    // Headers one byte every 200 ms, never finished.
    let mut headers = tokio::net::TcpStream::connect(&host).await.unwrap();
    let started = std::time::Instant::now();
    let request = b"POST /slack/commands HTTP/1.1\r\nHost: liftoff\r\nX-Padding: ";
    let trickle = async {
        for byte in request
            .iter()
            .chain(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter())
        {
            if headers.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(8), trickle)
        .await
        .expect("the server closed the connection before the trickle ended");
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), headers.read_to_end(&mut rest)).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "headers were cut off after {:?}",
        started.elapsed()
    );

    // Complete headers, then a body that never arrives in full.
    let mut body = tokio::net::TcpStream::connect(&host).await.unwrap();
    body.write_all(
        b"POST /slack/commands HTTP/1.1\r\nHost: liftoff\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 1000\r\n\r\ntext=",
    )
    .await
    .unwrap();
    let healthy = app.get("/healthz").await;
    assert_eq!(healthy.status(), 200, "other clients are served meanwhile");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), body.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the slow body was not cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn a_huge_declared_body_is_refused_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(true, "[server]\nread_timeout_secs = 30").await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    // 10 GB declared, nothing sent after the headers.
    stream
        .write_all(
            b"POST /slack/commands HTTP/1.1\r\nHost: liftoff\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 10000000000\r\n\r\n",
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0_u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(3), stream.read(&mut answer))
        .await
        .expect("answered at once, not after the 30 s body timeout")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    app.stop().await;
}
