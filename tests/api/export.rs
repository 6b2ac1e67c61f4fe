//! The calendar feed and `liftoff export`: checked by parsing them with an iCalendar parser
//! and a CSV reader, not by comparing strings.

use std::str::FromStr;

use icalendar::{Calendar, CalendarComponent, Component};

use crate::helpers::TestApp;

const TOKEN: &str = "a-long-random-feed-token";

fn config() -> String {
    format!("[templates]\npath = \"tests/fixtures/no-templates.toml\"\n[launches]\nics_token = \"{TOKEN}\"\n")
}

fn events(ics: &str) -> Vec<(String, String, String)> {
    let calendar = Calendar::from_str(ics).unwrap_or_else(|e| panic!("not iCalendar ({e}):\n{ics}"));
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(event) => Some((
                event.get_uid().unwrap_or_default().to_owned(),
                event.get_summary().unwrap_or_default().to_owned(),
                format!("{:?}", event.get_start()),
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_feed_is_token_protected_and_parses_as_icalendar() {
    let app = TestApp::spawn_with(true, &config()).await;
    app.command("U0LEAD", "new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    app.command("U0LEAD", "metric checkout-v2 \"activation rate\" target:25% by:T+30")
        .await;
    app.command("U0LEAD", "new Search tier:3 date:2027-01-20").await;

    assert_eq!(app.get("/calendar.ics").await.status(), 401);
    assert_eq!(app.get("/calendar.ics?token=wrong-token-value").await.status(), 401);
    let response = app.get(&format!("/calendar.ics?token={TOKEN}")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let events = events(&response.text().await.unwrap());
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].1, "Launch: Checkout v2 (tier 1)");
    assert!(events[0].2.contains("2026-12-10"), "{:?}", events[0]);
    assert_eq!(events[1].1, "Metrics review: activation rate (Checkout v2)");
    // T+30 is Saturday 9 January: the review is asked for, and shown, on Friday 8th.
    assert!(events[1].2.contains("2027-01-08"), "{:?}", events[1]);
    assert_eq!(events[2].1, "Launch: Search (tier 3)");
    let uids: std::collections::BTreeSet<&String> = events.iter().map(|e| &e.0).collect();
    assert_eq!(uids.len(), 3, "stable, distinct UIDs");
    app.stop().await;
}

#[tokio::test]
async fn without_a_token_there_is_no_feed() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/calendar.ics?token=anything-at-all-here").await.status(), 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_prints_csv_and_ics() {
    let app = TestApp::spawn_with(true, &config()).await;
    app.command("U0LEAD", "new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    app.command("U0LEAD", "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-7")
        .await;
    app.command("U0LEAD", "new Search tier:3 date:2027-01-20").await;
    let url = app.state.config.database.redacted_url();
    let csv_out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .env_clear()
            .env("DATABASE_URL", url)
            .args(["export", "--format", "csv"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(csv_out.status.success(), "{}", String::from_utf8_lossy(&csv_out.stderr));
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "launch");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "one task row and one task-less launch");
    assert_eq!(
        (&rows[0][1], &rows[0][7], &rows[0][9]),
        ("checkout-v2", "Battlecard", "2026-12-03")
    );
    assert_eq!((&rows[1][1], &rows[1][5]), ("search", ""));

    let url2 = app.state.config.database.redacted_url();
    let ics_out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .env_clear()
            .env("DATABASE_URL", url2)
            .args(["export", "--format", "ics"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(ics_out.status.success());
    assert_eq!(events(&String::from_utf8_lossy(&ics_out.stdout)).len(), 2);
    app.stop().await;
}
