//! Slack allows about one post per second per channel for the app as a whole, however many
//! instances run it. Three delivery workers with nothing in common but the database post to
//! one channel, and the gaps between the posts Slack receives are counted.

use std::time::Duration;

use liftoff::notify;
use liftoff::slack::blocks::{Rendered, section};

use crate::helpers::{ClockExt, TestApp};

/// 200 ms between posts to one channel (1 s in production), to keep the test short.
const CONFIG: &str = "[slack]\npost_interval_ms = 200\n";
const POSTS: usize = 10;

async fn three_workers_keep_one_channels_pace(app: TestApp) {
    app.slack.add_channel("C0MKTG", false, true);
    let messages: Vec<_> = (0..POSTS)
        .map(|n| {
            let text = format!("Marketing check-in, part {n}");
            notify::post_message(
                format!("pace:{n}"),
                "checkin",
                "C0MKTG",
                &Rendered::fit(text.clone(), vec![section(&text)], ""),
            )
        })
        .collect();
    app.store.enqueue(&messages, app.clock.now_for_tests()).await.unwrap();
    // Three workers as three instances would run them: separate memory, one database.
    let workers: Vec<_> = (0..3).map(|_| app.state.delivery()).collect();
    let drains = workers.iter().map(|w| w.drain(Duration::from_secs(20)));
    for result in futures_util::future::join_all(drains).await {
        result.unwrap();
    }
    // The service's own background worker may have taken part too: all the better.
    let sent = app.store.outbox_counts().await.unwrap().sent;
    assert_eq!(sent as usize, POSTS);
    let mut arrivals: Vec<std::time::Instant> = app
        .slack
        .all_calls()
        .into_iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == "C0MKTG")
        .map(|c| c.received)
        .collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), POSTS, "each posted once");
    let gaps: Vec<Duration> = arrivals.windows(2).map(|w| w[1] - w[0]).collect();
    // The turn is taken just before the call leaves: allow for the time between the two.
    let too_close: Vec<&Duration> = gaps.iter().filter(|g| **g < Duration::from_millis(150)).collect();
    assert!(too_close.is_empty(), "posts closer than the channel's pace: {gaps:?}");
    app.stop().await;
}

#[tokio::test]
async fn three_workers_on_sqlite_keep_one_post_per_interval_per_channel() {
    three_workers_keep_one_channels_pace(TestApp::spawn_with(true, CONFIG).await).await;
}

#[tokio::test]
async fn three_workers_on_postgres_keep_one_post_per_interval_per_channel() {
    let Some(app) = TestApp::spawn_on_postgres(CONFIG).await else {
        return;
    };
    three_workers_keep_one_channels_pace(app).await;
}
