//! `/healthz` and `/readyz` through the running service.

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_answers_while_the_process_is_up() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
    app.stop().await;
}

/// Every answer names its request (`x-request-id`), so a person's report ("it failed at 10:02")
/// can be matched to the log lines of that request; a proxy's own id is kept.
#[tokio::test]
async fn every_answer_carries_its_request_id() {
    let app = TestApp::spawn().await;
    let first = app.get("/healthz").await;
    let second = app.get("/healthz").await;
    let id = |response: &reqwest::Response| {
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (first, second) = (id(&first).expect("an id"), id(&second).expect("an id"));
    assert_ne!(first, second, "each request its own id");
    let proxied = reqwest::Client::new()
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(id(&proxied).as_deref(), Some("from-the-proxy-42"));
    app.stop().await;
}

#[tokio::test]
async fn readyz_is_ready_once_migrations_are_applied() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    app.stop().await;
}

#[tokio::test]
async fn readyz_reports_pending_migrations_then_recovers() {
    let app = TestApp::spawn_with(false, "").await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    assert!(body["reason"].as_str().unwrap().contains("liftoff migrate"), "{body}");

    app.store.migrate().await.unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn readyz_reports_an_unreachable_database() {
    let app = TestApp::spawn().await;
    app.store.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["reason"], "database unreachable");
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "liveness does not depend on the database"
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_deliveries_jobs_and_the_outbox() {
    let app = TestApp::spawn_with(
        true,
        "[slack]\npost_interval_ms = 5\n[channels]\npmo = \"C0PMO\"\n[functions.sales]\nchannel = \"C0SALES\"\n",
    )
    .await;
    app.command("U0LEAD", "new Checkout v2 tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    let forged = app
        .post_raw("/slack/commands", crate::helpers::FORM, "text=help", None, None)
        .await;
    assert_eq!(forged.status(), 401);
    app.slack
        .fail_next("chat.postMessage", crate::fake_slack::Failure::Api("channel_not_found"));
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{text}"))
            .to_owned()
    };
    assert!(line(r#"liftoff_requests_total{endpoint="/slack/commands",outcome="ok"}"#).ends_with(" 1"));
    assert!(line(r#"liftoff_requests_total{endpoint="/slack/commands",outcome="refused"}"#).ends_with(" 1"));
    assert!(line(r#"liftoff_ack_seconds_count{endpoint="/slack/commands"}"#).ends_with(" 2"));
    assert!(line(r#"liftoff_deliveries_total{outcome="failed"}"#).ends_with(" 1"));
    assert!(
        line(r#"liftoff_slack_api_errors_total{method="chat.postMessage",error="channel_not_found"}"#).ends_with(" 1")
    );
    assert!(line(r#"liftoff_scheduler_job_runs_total{job="checkin",outcome="ran"}"#).ends_with(" 1"));
    assert!(
        line(r#"liftoff_scheduler_lag_seconds{job="checkin"}"#).ends_with(" 300"),
        "slot 10:00, ran 10:05"
    );
    assert!(line("liftoff_outbox_depth").ends_with(" 0"));
    assert!(line("liftoff_outbox_oldest_age_seconds").ends_with(" 0"));
    assert!(
        text.contains("liftoff_escalations_total"),
        "escalations are counted by level"
    );
    app.stop().await;
}
