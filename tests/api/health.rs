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
