//! Slack's error codes by their documented meaning (docs.slack.dev method reference; the
//! classes are listed in tests/fixtures/slack/errors.md): a refused token pauses delivery
//! and keeps the queue, instead of failing every message one by one; `rate_limited` and
//! `message_limit_exceeded` are retried later, not failed.

use liftoff::notify;
use liftoff::slack::blocks::Rendered;

use crate::fake_slack::Failure;
use crate::helpers::{ClockExt, TestApp};

/// Queues `count` posts to `channel`, as the scheduler would.
async fn queue_posts(app: &TestApp, channel: &str, count: usize) {
    let messages: Vec<_> = (0..count)
        .map(|n| {
            let text = format!("Check-in {n}");
            let rendered = Rendered::fit(text.clone(), vec![liftoff::slack::blocks::section(&text)], "");
            notify::post_message(format!("test:{channel}:{n}"), "checkin", channel, &rendered)
        })
        .collect();
    app.store.enqueue(&messages, app.clock.now_for_tests()).await.unwrap();
}

#[tokio::test]
async fn a_revoked_token_pauses_delivery_keeps_the_queue_and_says_so() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    queue_posts(&app, "C0MKTG", 5).await;
    app.slack.refuse_token(Some("token_revoked"));
    app.deliver().await;
    // One refusal was enough: the other four were not tried, and none was given up.
    assert_eq!(app.slack.calls("chat.postMessage").len(), 1);
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed, counts.sent), (5, 0, 0));
    // Loudly reported: /readyz and /metrics.
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let reason = ready.text().await.unwrap();
    assert!(reason.contains("token_revoked"), "{reason}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("liftoff_slack_token_refused 1"), "{metrics}");

    // A later pass only asks whether the token is accepted again; nothing is posted meanwhile.
    app.deliver().await;
    assert_eq!(app.slack.calls("chat.postMessage").len(), 1);
    assert!(!app.slack.calls("auth.test").is_empty());

    // The app is reinstalled: the next pass finds the token accepted and sends everything.
    app.slack.refuse_token(None);
    app.clock.advance(chrono::Duration::minutes(2));
    app.deliver().await;
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed, counts.sent), (0, 0, 5));
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn slacks_own_rate_limit_codes_are_retried_not_failed() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    queue_posts(&app, "C0MKTG", 1).await;
    // Documented on chat.postMessage: `rate_limited` (Slack's underscore spelling) and
    // `message_limit_exceeded` (the workspace's message quota). Each is met once, by the
    // message's first and second attempts.
    for error in ["rate_limited", "message_limit_exceeded"] {
        app.slack.fail_next("chat.postMessage", Failure::Api(error));
        app.deliver().await;
        let counts = app.store.outbox_counts().await.unwrap();
        assert_eq!((counts.failed, counts.pending), (0, 1), "{error}: kept for a retry");
        app.clock.advance(chrono::Duration::minutes(10));
    }
    app.deliver().await;
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.failed, counts.sent), (0, 1));
    app.stop().await;
}

#[tokio::test]
async fn a_channel_that_does_not_exist_fails_that_message_only() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    queue_posts(&app, "C0GONE", 1).await;
    queue_posts(&app, "C0MKTG", 1).await;
    app.slack
        .fail_next("chat.postMessage", Failure::Api("channel_not_found"));
    app.deliver().await;
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.failed, counts.sent), (1, 1));
    assert_eq!(app.get("/readyz").await.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("liftoff_undeliverable_messages_total{kind=\"checkin\"} 1"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_thread_reply_that_timed_out_but_reached_slack_is_not_posted_again() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\nrequest_timeout_secs = 1\n").await;
    // A parent message, then a reply in its thread, as escalations add lines to check-ins.
    queue_posts(&app, "C0MKTG", 1).await;
    app.deliver().await;
    let parent_ts = app.slack.last_post("C0MKTG").unwrap();
    let parent_ts = app
        .slack
        .channel_history("C0MKTG")
        .into_iter()
        .find(|m| m["text"] == parent_ts["text"])
        .unwrap()["ts"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = "T12 is 2 working days overdue";
    let rendered = Rendered::fit(text.to_owned(), vec![liftoff::slack::blocks::section(text)], "");
    let mut reply = notify::post_message("test:reply".to_owned(), "escalation", "C0MKTG", &rendered);
    reply.thread_ts = Some(parent_ts.clone());
    app.store.enqueue(&[reply], app.clock.now_for_tests()).await.unwrap();
    // Slack stores the reply but answers after the client gave up.
    app.slack
        .fail_next("chat.postMessage", Failure::Lost(std::time::Duration::from_secs(2)));
    app.deliver().await;
    app.clock.advance(chrono::Duration::minutes(1));
    app.deliver().await;
    let replies: Vec<_> = app
        .slack
        .channel_history("C0MKTG")
        .into_iter()
        .filter(|m| m["thread_ts"] == parent_ts.as_str())
        .collect();
    assert_eq!(replies.len(), 1, "posted once: {replies:?}");
    let lookups = app.slack.calls("conversations.replies");
    assert!(!lookups.is_empty(), "the retry looked in the thread first");
    assert_eq!(lookups[0]["include_all_metadata"], "true", "{:?}", lookups[0]);
    assert_eq!(app.store.outbox_counts().await.unwrap().sent, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_private_channel_set_for_check_ins_asks_for_an_invite_in_the_reply() {
    let app = TestApp::spawn_with(true, "[permissions]\nadmins = [\"U0LEAD\"]\n").await;
    app.slack.add_channel("G0SALESPRIV", true, false);
    let reply = app
        .command("U0LEAD", "channel sales <#G0SALESPRIV|sales-private>")
        .await;
    let text = reply["text"].as_str().unwrap();
    assert!(
        text.contains(
            "I am not in <#G0SALESPRIV> and cannot join it myself (it is private): type `/invite @Liftoff` there"
        ),
        "{text}"
    );
    assert!(
        app.slack.calls("conversations.join").is_empty(),
        "a private channel cannot be joined"
    );
    // Once invited, the same command says nothing more than the setting.
    app.slack.add_channel("G0SALESPRIV", true, true);
    let reply = app
        .command("U0LEAD", "channel sales <#G0SALESPRIV|sales-private>")
        .await;
    assert!(!reply["text"].as_str().unwrap().contains("invite"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn posting_where_liftoff_was_removed_joins_a_public_channel_and_reports_a_private_one() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    app.slack.add_channel("C0MKTG", false, false);
    app.slack.add_channel("G0LEGAL", true, false);
    queue_posts(&app, "C0MKTG", 1).await;
    queue_posts(&app, "G0LEGAL", 1).await;
    app.deliver().await;
    // The public channel: joined, then posted once.
    assert!(app.slack.channel("C0MKTG").bot_is_member);
    assert_eq!(app.slack.channel_history("C0MKTG").len(), 1);
    // The private one: failed with advice people can act on, and counted.
    let failed = app.store.failed_messages(10).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].target, "G0LEGAL");
    assert!(failed[0].error.contains("/invite @Liftoff"), "{}", failed[0].error);
    app.stop().await;
}

#[tokio::test]
async fn configured_public_channels_are_joined_before_anything_is_posted() {
    let app = TestApp::spawn_with(
        true,
        "[channels]\npmo = \"C0PMO\"\n[functions.sales]\nchannel = \"C0SALES\"\n",
    )
    .await;
    assert!(app.slack.channel("C0PMO").bot_is_member);
    assert!(app.slack.channel("C0SALES").bot_is_member);
    app.stop().await;
}

#[tokio::test]
async fn with_the_messages_tab_off_a_dm_fails_visibly() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    app.slack.disable_messages_tab();
    queue_posts(&app, "U0ANN", 1).await;
    app.deliver().await;
    let failed = app.store.failed_messages(10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].error.contains("messages_tab_disabled"), "{}", failed[0].error);
    app.stop().await;
}

#[tokio::test]
async fn a_digest_the_pmo_channel_refuses_is_reported_to_the_admins_by_dm() {
    let app = TestApp::spawn_with(
        true,
        "[slack]\npost_interval_ms = 1\n[channels]\npmo = \"C0PMO\"\n[permissions]\nadmins = [\"U0ADMIN\"]\n\
         [templates]\npath = \"tests/fixtures/no-templates.toml\"\n",
    )
    .await;
    app.command("U0LEAD", "new Checkout v2 tier:2 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    // Someone archived the PMO channel: Slack refuses the digest with `is_archived`.
    app.slack.archive_channel("C0PMO");
    app.set_time("2026-11-24T08:35:00Z");
    app.tick().await;
    let failed = app.store.failed_messages(10).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].error.contains("is_archived"), "{:?}", failed[0]);
    // The admin hears of it where it can be seen: a DM, once.
    let dms: Vec<_> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "D0ADMIN")
        .collect();
    assert_eq!(dms.len(), 1, "{dms:?}");
    let text = dms[0]["text"].as_str().unwrap();
    assert!(text.contains("I could not post the digest to <#C0PMO>"), "{text}");
    app.tick().await;
    let dms = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "D0ADMIN")
        .count();
    assert_eq!(dms, 1, "reported once");
    app.stop().await;
}

#[tokio::test]
async fn a_slow_slack_that_stores_a_post_after_the_timeout_gets_it_once() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\nrequest_timeout_secs = 1\n").await;
    app.slack.add_channel("C0MKTG", false, true);
    queue_posts(&app, "C0MKTG", 1).await;
    // Slack stores the post 3 s after it was sent; Liftoff gave up after 1 s.
    app.slack.fail_next(
        "chat.postMessage",
        Failure::StoredLate(std::time::Duration::from_secs(3)),
    );
    app.deliver().await;
    // A retry soon after would not see the first copy yet: it must not come this soon.
    app.clock.advance(chrono::Duration::seconds(5));
    app.deliver().await;
    assert_eq!(
        app.slack.calls("chat.postMessage").len(),
        1,
        "no second attempt this soon"
    );
    // Later, the look-up fails (500): still not posted blind.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    app.clock.advance(chrono::Duration::seconds(30));
    app.slack.fail_next("conversations.history", Failure::ServerError);
    app.deliver().await;
    assert_eq!(
        app.slack.calls("chat.postMessage").len(),
        1,
        "a failed look-up posts nothing"
    );
    // The next look finds the copy Slack stored: recorded as sent, never posted twice.
    app.clock.advance(chrono::Duration::seconds(30));
    app.deliver().await;
    assert_eq!(
        app.slack.channel_history("C0MKTG").len(),
        1,
        "exactly one copy in the channel"
    );
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.pending, counts.failed), (1, 0, 0));
    app.stop().await;
}

#[tokio::test]
async fn a_message_due_in_the_future_does_not_hold_back_its_channel() {
    let app = TestApp::spawn_with(true, "[slack]\npost_interval_ms = 1\n").await;
    app.slack.add_channel("C0MKTG", false, true);
    // Someone ran `liftoff tick --now 2099-…` by mistake: its check-in is due in 2099.
    let text = "Marketing check-in — Mon 23 Nov 2099";
    let rendered = Rendered::fit(text.to_owned(), vec![liftoff::slack::blocks::section(text)], "");
    let future = notify::post_message("checkin:marketing:2099".to_owned(), "checkin", "C0MKTG", &rendered);
    app.store
        .enqueue(&[future], crate::helpers::instant("2099-11-23T10:00:00Z"))
        .await
        .unwrap();
    queue_posts(&app, "C0MKTG", 2).await;
    app.deliver().await;
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.sent, counts.pending),
        (2, 1),
        "today's messages went out, in order"
    );
    let history = app.slack.channel_history("C0MKTG");
    assert_eq!(history[0]["text"], "Check-in 0");
    assert_eq!(history[1]["text"], "Check-in 1");
    // The message not yet due does not age the backlog.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("liftoff_outbox_depth 1"), "{metrics}");
    assert!(metrics.contains("liftoff_outbox_oldest_age_seconds 0"), "{metrics}");
    app.stop().await;
}
