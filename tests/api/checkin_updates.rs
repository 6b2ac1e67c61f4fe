//! Confirmations that stay true: when a reply changes tasks a check-in lists, the check-in
//! message itself is redrawn in place (one `chat.update` through the outbox), beside the one
//! short line in its thread, so the thread and its parent never disagree. Counted against the
//! fake Slack, which keeps the updated message as Slack would.

use chrono::Duration;
use liftoff_core::{TaskId, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::{Failure, TEAM_ID};
use crate::helpers::{ClockExt, TestApp};
use crate::replay::{fixture, set, typed, with_ids};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";

const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[escalation]
enabled = false
[functions.product]
channel = "C0PROD"
[functions.marketing]
channel = "C0MKTG"
[functions.growth]
channel = "C0GROW"
[functions.sales]
channel = "C0SALES"
[functions.ops]
channel = "C0OPS"
"#;

/// A tier-1 launch whose sales tasks are Ann's, and Monday's check-ins posted: the #sales
/// check-in's ts and the tasks it lists. Calls recorded so far are forgotten.
async fn sales_check_in() -> (TestApp, String, Vec<TaskId>) {
    sales_check_in_on(TestApp::spawn_with(true, CONFIG).await).await
}

async fn sales_check_in_on(app: TestApp) -> (TestApp, String, Vec<TaskId>) {
    checkout_with_ann_on_sales(&app).await;
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    app.deliver().await;
    let (checkin, listed) = todays_sales_check_in(&app).await;
    let ts = checkin.ts.clone().expect("posted");
    assert!(listed.len() >= 3, "the sales tasks: {listed:?}");
    app.slack.forget_calls();
    (app, ts, listed)
}

/// The tier-1 launch Checkout v2, its sales tasks given to Ann.
async fn checkout_with_ann_on_sales(app: &TestApp) {
    app.command(LEAD, "new Checkout v2 tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, &format!("assign checkout-v2 sales <@{ANN}>")).await;
}

/// Today's #sales check-in (its first part) and the tasks it lists.
async fn todays_sales_check_in(app: &TestApp) -> (liftoff::store::PostedCheckin, Vec<TaskId>) {
    let now = app.clock.now_for_tests();
    let checkin = app
        .store
        .checkins_since(now - Duration::days(1))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.outbox_key.starts_with("checkin:sales"))
        .expect("a #sales check-in");
    let listed = app
        .store
        .checkin_tasks(&checkin.outbox_key)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    (checkin, listed)
}

/// Slack's thread reply (the recorded shape; see `slack_emulator::thread_reply_event`).
async fn reply_in_thread(app: &TestApp, event_id: &str, thread_ts: &str, text: &str) {
    let ts = format!(
        "1764100000.{:06}",
        event_id.len() * 10 + event_id.as_bytes()[event_id.len() - 1] as usize
    );
    let body = slack_emulator::thread_reply_event(event_id, ANN, "C0SALES", thread_ts, &ts, text).to_string();
    let response = app.post_signed("/slack/events", "application/json", &body).await;
    assert_eq!(response.status(), 200);
}

/// The #sales check-in as Slack now holds it.
fn check_in_on_slack(app: &TestApp, ts: &str) -> Value {
    app.slack
        .stored_messages()
        .into_iter()
        .find(|(channel, message)| channel == "C0SALES" && message["ts"] == ts)
        .map(|(_, message)| message)
        .expect("the check-in is on Slack")
}

/// The line of `task` in a message's blocks, and whether it still has buttons.
fn row(message: &Value, task: TaskId) -> (String, bool) {
    let blocks = message["blocks"].as_array().expect("blocks");
    let line = blocks
        .iter()
        .find(|b| b["block_id"] == format!("task:{}", task.0))
        .map(|b| b["text"]["text"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no row for {task} in {message}"));
    let buttons = blocks
        .iter()
        .any(|b| b["block_id"] == format!("task:{}:actions", task.0));
    (line, buttons)
}

fn updates(app: &TestApp) -> Vec<Value> {
    app.slack.calls("chat.update")
}

fn posts(app: &TestApp) -> Vec<Value> {
    app.slack.calls("chat.postMessage")
}

async fn status(app: &TestApp, task: TaskId) -> TaskStatus {
    app.store.task(task).await.unwrap().unwrap().status
}

/// Ann replies `T12 done, T13 at risk: vendor late` in the #sales check-in thread: the check-in
/// shows T12 done (no buttons) and T13 at risk, the third task untouched; one thread line, one
/// `chat.update`, no new channel message. Slack retrying the event adds nothing.
#[tokio::test]
async fn a_thread_reply_redraws_the_check_in_it_answers() {
    let (app, ts, listed) = sales_check_in().await;
    let (t1, t2, t3) = (listed[0], listed[1], listed[2]);
    let before = check_in_on_slack(&app, &ts);
    assert!(row(&before, t1).1 && row(&before, t2).1, "open tasks have buttons");

    let text = format!("{t1} done, {t2} at risk: vendor late");
    reply_in_thread(&app, "Ev1", &ts, &text).await;
    app.deliver().await;

    assert_eq!(status(&app, t1).await, TaskStatus::Done);
    let sent = updates(&app);
    assert_eq!(sent.len(), 1, "one chat.update: {sent:?}");
    assert_eq!(
        (sent[0]["channel"].as_str(), sent[0]["ts"].as_str()),
        (Some("C0SALES"), Some(ts.as_str()))
    );
    let after = check_in_on_slack(&app, &ts);
    let (line, buttons) = row(&after, t1);
    assert!(
        line.contains(":white_check_mark: done") && !buttons,
        "T12 done, no buttons: {line}"
    );
    let (line, buttons) = row(&after, t2);
    assert!(
        line.contains(":warning: at risk") && buttons,
        "T13 at risk, buttons kept: {line}"
    );
    assert_eq!(row(&after, t3), row(&before, t3), "the third task as it was");
    let (shown, was) = (after["text"].as_str().unwrap(), before["text"].as_str().unwrap());
    assert_eq!(shown.lines().next(), was.lines().next(), "the header as posted");
    assert!(
        shown
            .lines()
            .any(|l| l.contains(&format!("`{t1}`")) && l.contains("done")),
        "the notification text agrees: {shown}"
    );
    let posted = posts(&app);
    assert_eq!(posted.len(), 1, "one thread line and nothing else: {posted:?}");
    assert_eq!(posted[0]["thread_ts"], ts.as_str());

    // Slack redelivers the event: no second update, no second line.
    reply_in_thread(&app, "Ev1", &ts, &text).await;
    app.deliver().await;
    assert_eq!((updates(&app).len(), posts(&app).len()), (1, 1));
    app.stop().await;
}

/// The same on PostgreSQL (when `TEST_DATABASE_URL` is set, as `.ci/run` does): a DM reply finds
/// the latest check-in listing the task, and the update redraws it from the enqueued body.
#[tokio::test]
async fn a_reply_redraws_the_check_in_on_postgres_too() {
    let Some(app) = TestApp::spawn_on_postgres(CONFIG).await else {
        return;
    };
    let (app, ts, listed) = sales_check_in_on(app).await;
    let body = dm_event(ANN, &format!("{} done", listed[0]));
    assert_eq!(
        app.post_signed("/slack/events", "application/json", &body)
            .await
            .status(),
        200
    );
    app.deliver().await;
    assert_eq!(updates(&app).len(), 1, "{:?}", updates(&app));
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, listed[0]).0.contains("done") && !row(&now, listed[0]).1);
    app.stop().await;
}

/// Replies one after another: each update shows the state after it, never an earlier one.
#[tokio::test]
async fn each_reply_in_a_row_leaves_the_check_in_as_it_now_stands() {
    let (app, ts, listed) = sales_check_in().await;
    let (t1, t2) = (listed[0], listed[1]);
    reply_in_thread(&app, "Ev1", &ts, &format!("{t1} at risk: vendor late")).await;
    app.deliver().await;
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, t1).0.contains("at risk"), "{:?}", row(&now, t1));
    reply_in_thread(&app, "Ev2", &ts, &format!("{t2} done")).await;
    app.deliver().await;
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, t1).0.contains("at risk") && row(&now, t2).0.contains("done"));
    // Two more before delivery catches up: both updates show where things ended.
    reply_in_thread(&app, "Ev3", &ts, &format!("{t1} on track")).await;
    reply_in_thread(&app, "Ev4", &ts, &format!("{t2} on track")).await;
    reply_in_thread(&app, "Ev3", &ts, &format!("{t1} on track")).await;
    app.deliver().await;
    let sent = updates(&app);
    assert_eq!(
        sent.len(),
        4,
        "one update per reply that changed something, none per redelivery"
    );
    for update in &sent[2..] {
        let (line, _) = row(update, t2);
        assert!(line.contains("on track"), "drawn when sent, not when enqueued: {line}");
    }
    reply_in_thread(&app, "Ev5", &ts, &format!("{t2} done")).await;
    app.deliver().await;
    let last = check_in_on_slack(&app, &ts);
    let (line, buttons) = row(&last, t1);
    assert!(
        line.contains("on track") && !line.contains("at risk") && buttons,
        "{line}"
    );
    let (line, buttons) = row(&last, t2);
    assert!(line.contains("done") && !buttons, "{line}");
    let lines = posts(&app);
    assert_eq!(lines.len(), 5, "one confirmation per reply: {lines:?}");
    assert!(lines.iter().all(|p| p["thread_ts"] == ts.as_str()));
    app.stop().await;
}

/// A reply that changes nothing (chatter, or a line that cannot be applied) does not touch the
/// check-in.
#[tokio::test]
async fn a_reply_that_changes_nothing_leaves_the_check_in_alone() {
    let (app, ts, listed) = sales_check_in().await;
    reply_in_thread(&app, "Ev1", &ts, "thanks all").await;
    reply_in_thread(&app, "Ev2", &ts, &format!("{} blocked", listed[0])).await;
    app.deliver().await;
    assert!(updates(&app).is_empty(), "{:?}", updates(&app));
    app.stop().await;
}

/// Slack rate-limits `chat.update` (Tier 3): the update waits out `Retry-After` like any post,
/// is sent once, and shows the state at that time; a check-in that is gone from Slack
/// (`message_not_found`) fails that update alone, without retries or a DM to anyone.
#[tokio::test]
async fn updates_wait_out_rate_limits_and_a_vanished_check_in_fails_alone() {
    let (app, ts, listed) = sales_check_in().await;
    let (t1, t2) = (listed[0], listed[1]);
    app.slack
        .fail_next("chat.update", Failure::RateLimited { retry_after_secs: 30 });
    app.set_time("2026-11-23T11:00:00Z");
    reply_in_thread(&app, "Ev1", &ts, &format!("{t1} at risk: vendor late")).await;
    app.deliver().await;
    assert_eq!(updates(&app).len(), 1, "the rate-limited attempt");
    assert_eq!(
        posts(&app).len(),
        1,
        "the thread line is not held back by chat.update's limit"
    );
    reply_in_thread(&app, "Ev2", &ts, &format!("{t2} done")).await;
    app.set_time("2026-11-23T11:00:29Z");
    app.deliver().await;
    assert_eq!(updates(&app).len(), 1, "Retry-After is never undercut");
    app.set_time("2026-11-23T11:00:31Z");
    app.deliver().await;
    let sent = updates(&app);
    assert_eq!(sent.len(), 3, "then each update once");
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, t1).0.contains("at risk") && row(&now, t2).0.contains("done"));

    app.slack.forget_calls();
    app.slack.fail_next("chat.update", Failure::Api("message_not_found"));
    reply_in_thread(&app, "Ev3", &ts, &format!("{t1} on track")).await;
    app.deliver().await;
    app.set_time("2026-11-23T12:00:00Z");
    app.deliver().await;
    assert_eq!(updates(&app).len(), 1, "not retried");
    let failed = app.store.failed_messages(10).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].kind, "checkin_update");
    assert_eq!(posts(&app).len(), 1, "the thread line only; nobody is DMed about it");
    app.stop().await;
}

/// The fake Slack refuses to update a message someone else wrote, as Slack does.
#[tokio::test]
async fn slack_refuses_to_update_a_message_the_bot_did_not_post() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.slack
        .seed_person_message("C0SALES", "1764000000.000500", ANN, "T12 done");
    let api = liftoff::slack::client::SlackApi::new(
        &app.slack.api_url,
        &secrecy::SecretString::from("xoxb-test"),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let channel = liftoff_core::SlackChannelId::parse("C0SALES").unwrap();
    let rendered = liftoff::slack::blocks::Rendered::fit("edited".to_owned(), vec![], "");
    let refused = api.update_message(&channel, "1764000000.000500", &rendered).await;
    assert_eq!(refused.unwrap_err().code(), Some("cant_update_message"));
    let missing = api.update_message(&channel, "1764000000.000999", &rendered).await;
    assert_eq!(missing.unwrap_err().code(), Some("message_not_found"));
    app.stop().await;
}

/// A button on the check-in and a reply in its thread, in either order, never undo each other.
#[tokio::test]
async fn a_button_press_and_a_thread_reply_never_undo_each_other() {
    let (app, ts, listed) = sales_check_in().await;
    let (t1, t2, t3) = (listed[0], listed[1], listed[2]);
    // Ann presses Done on the first task (Slack sends the message as it stands), then replies
    // about the second: the redrawn check-in keeps the first done.
    app.interaction(&press_on_check_in(&app, "task_done", t1, &ts)).await;
    app.slack.wait_for("chat.update", 1).await;
    let pressed = check_in_on_slack(&app, &ts);
    let (line, buttons) = row(&pressed, t1);
    assert!(line.contains("done") && !buttons, "{line}");
    assert!(
        !line.contains("`checkout-v2`"),
        "drawn as the check-in draws it, under its launch: {line}"
    );
    reply_in_thread(&app, "Ev1", &ts, &format!("{t2} at risk: vendor late")).await;
    app.deliver().await;
    let now = check_in_on_slack(&app, &ts);
    assert!(
        row(&now, t1).0.contains("done") && !row(&now, t1).1,
        "{:?}",
        row(&now, t1)
    );
    assert!(row(&now, t2).0.contains("at risk"), "{:?}", row(&now, t2));

    // Then a button on the third task, pressed on the message as the reply left it: the reply's
    // change stays.
    app.interaction(&press_on_check_in(&app, "task_on_track", t3, &ts))
        .await;
    app.slack.wait_for("chat.update", 3).await;
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, t1).0.contains("done"), "{:?}", row(&now, t1));
    assert!(row(&now, t2).0.contains("at risk"), "{:?}", row(&now, t2));
    assert!(row(&now, t3).0.contains("on track"), "{:?}", row(&now, t3));
    assert_eq!(status(&app, t3).await, TaskStatus::OnTrack);
    // A button on the check-in updates it in place and queues no second redraw of it.
    app.deliver().await;
    assert_eq!(updates(&app).len(), 3, "{:?}", updates(&app));
    app.stop().await;
}

/// Ann presses Done in the nudge Liftoff sent her by DM: the #sales check-in shows it done too.
#[tokio::test]
async fn a_button_in_a_dm_redraws_the_check_in_that_lists_the_task() {
    let (app, ts, listed) = sales_check_in().await;
    let mut press = press_on_check_in(&app, "task_done", listed[0], &ts);
    press["container"]["channel_id"] = json!("D0ANN");
    press["container"]["message_ts"] = json!("1764000050.000100");
    press["channel"] = json!({"id": "D0ANN", "name": "directmessage"});
    press.as_object_mut().unwrap().remove("message");
    assert_eq!(app.interaction(&press).await.status(), 200);
    let redrawn = crate::helpers::eventually(std::time::Duration::from_secs(5), async || {
        app.deliver().await;
        !updates(&app).is_empty()
    })
    .await;
    assert!(redrawn, "the check-in was not redrawn");
    assert_eq!(status(&app, listed[0]).await, TaskStatus::Done);
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, listed[0]).0.contains("done") && !row(&now, listed[0]).1);
    let sent = updates(&app);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["channel"], "C0SALES");
    assert!(posts(&app).is_empty(), "nothing posted: {:?}", posts(&app));
    app.stop().await;
}

/// Ann closes a task with a slash command, away from the check-in (`/launch done T12 deck
/// sent to the field`): the #sales check-in is redrawn once to show it, and says nothing new.
#[tokio::test]
async fn a_slash_command_redraws_the_check_in_that_lists_the_task() {
    let (app, ts, listed) = sales_check_in().await;
    let reply = app
        .command(ANN, &format!("done {} deck sent to the field", listed[1]))
        .await;
    assert!(reply["text"].as_str().unwrap_or_default().contains("done"), "{reply}");
    let redrawn = crate::helpers::eventually(std::time::Duration::from_secs(5), async || {
        app.deliver().await;
        !updates(&app).is_empty()
    })
    .await;
    assert!(redrawn, "the check-in was not redrawn");
    let now = check_in_on_slack(&app, &ts);
    let (line, buttons) = row(&now, listed[1]);
    assert!(line.contains("done") && !buttons, "shown done, without buttons: {line}");
    let (line, buttons) = row(&now, listed[0]);
    assert!(!line.contains("done") && buttons, "the others still open: {line}");
    app.deliver().await;
    let sent = updates(&app);
    assert_eq!(sent.len(), 1, "one redraw: {sent:?}");
    assert_eq!(sent[0]["channel"], "C0SALES");
    assert!(
        posts(&app).iter().all(|p| p["channel"] != "C0SALES"),
        "nothing new in #sales: {:?}",
        posts(&app)
    );
    app.stop().await;
}

/// Ann answers a nudge in her DMs (`T12 done`): the channel's check-in shows it too.
#[tokio::test]
async fn a_dm_reply_redraws_the_check_in_that_lists_the_task() {
    let (app, ts, listed) = sales_check_in().await;
    let body = dm_event(ANN, &format!("{} done", listed[0]));
    let response = app.post_signed("/slack/events", "application/json", &body).await;
    assert_eq!(response.status(), 200);
    app.deliver().await;
    assert_eq!(status(&app, listed[0]).await, TaskStatus::Done);
    let sent = updates(&app);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let now = check_in_on_slack(&app, &ts);
    assert!(row(&now, listed[0]).0.contains("done") && !row(&now, listed[0]).1);
    // The confirmation goes to the DM; nothing new in #sales.
    assert!(
        posts(&app).iter().all(|p| p["channel"] != "C0SALES"),
        "{:?}",
        posts(&app)
    );
    app.stop().await;
}

/// A button press on the posted check-in, with the message as Slack holds it now (Slack sends
/// the message the button is on: docs.slack.dev "block_actions payload").
fn press_on_check_in(app: &TestApp, action_id: &str, task: TaskId, ts: &str) -> Value {
    let message = check_in_on_slack(app, ts);
    json!({
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "liftoff-test"},
        "user": {"id": ANN, "username": "ann", "team_id": TEAM_ID},
        "api_app_id": "A0LIFTOFF",
        "trigger_id": "1111.2222.trigger",
        "response_url": app.slack.response_url("button"),
        "container": {"type": "message", "message_ts": ts, "channel_id": "C0SALES", "is_ephemeral": false},
        "channel": {"id": "C0SALES", "name": "sales"},
        "message": message,
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": format!("task:{}:actions", task.0),
            "value": task.0.to_string(), "action_ts": "1764000001.000200",
            "text": {"type": "plain_text", "text": "Done"}
        }]
    })
}

/// A real DM from Ann to the app (the recorded `message_im.json`, channel_type "im"; see
/// `replay.rs`), saying `text`.
fn dm_event(user: &str, text: &str) -> String {
    let mut body = with_ids(
        fixture("message_im.json"),
        &[
            ("T043DB835ML", TEAM_ID),
            ("U043H11ES4V", user),
            ("U0442US8QGH", slack_emulator::BOT_USER_ID),
            ("D0442US94JD", "D0ANN"),
        ],
    );
    set(&mut body, "/event/text", typed(text));
    body.to_string()
}

/// Monday's round queues the #sales check-in, and before it goes out (Slack posts about one
/// message a second per channel, so a big round's last parts wait minutes) Ann closes one of
/// her tasks with `/launch done`. The check-in posted afterwards already shows it done, without
/// buttons that would invite a second answer, and the others still open with theirs: one post,
/// no `chat.update` to correct it. The round stored which rows the message shows, not their
/// Block Kit, which is drawn when it is sent.
#[tokio::test]
async fn a_check_in_waiting_its_turn_shows_answers_given_before_it_was_posted() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    checkout_with_ann_on_sales(&app).await;
    app.set_time("2026-11-23T10:05:00Z");
    app.state.scheduler().run_due().await.expect("the round runs");
    let (checkin, listed) = todays_sales_check_in(&app).await;
    assert_eq!(checkin.ts, None, "not posted yet");
    let stored = app.store.outbox_payload(&checkin.outbox_key).await.unwrap().unwrap();
    assert!(
        stored.len() < 300 + 20 * listed.len(),
        "a few bytes per row, not its Block Kit ({} bytes for {} tasks): {stored}",
        stored.len(),
        listed.len()
    );

    let reply = app
        .command(ANN, &format!("done {} signed off by legal", listed[0]))
        .await;
    assert!(reply["text"].as_str().unwrap_or_default().contains("done"), "{reply}");
    app.slack.forget_calls();
    app.deliver().await;

    let to_sales: Vec<Value> = posts(&app).into_iter().filter(|p| p["channel"] == "C0SALES").collect();
    assert_eq!(to_sales.len(), 1, "one check-in post: {to_sales:?}");
    assert!(updates(&app).is_empty(), "nothing to correct: {:?}", updates(&app));
    let ts = todays_sales_check_in(&app).await.0.ts.expect("posted now");
    let on_slack = check_in_on_slack(&app, &ts);
    let (line, buttons) = row(&on_slack, listed[0]);
    assert!(
        line.contains(":white_check_mark: done") && !buttons,
        "done before it was posted: {line}"
    );
    for task in &listed[1..] {
        let (line, buttons) = row(&on_slack, *task);
        assert!(!line.contains("done") && buttons, "still open, with buttons: {line}");
    }
    let text = on_slack["text"].as_str().unwrap();
    assert!(text.starts_with("Sales check-in — Mon 23 Nov"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains(&format!("`{}`", listed[0])) && l.contains("done")),
        "the notification text agrees: {text}"
    );
    app.stop().await;
}

/// A check-in a round enqueued whole, Block Kit and all, before rounds stored plans (a message
/// still waiting, or one already posted, when Liftoff is upgraded): it goes out exactly as
/// written, and a reply in its thread still redraws its rows in place.
#[tokio::test]
async fn a_check_in_enqueued_whole_before_the_upgrade_is_posted_as_written_and_still_redrawn() {
    use crate::helpers::user;
    use liftoff::outbound::{CheckinRecord, RunMessage};
    use liftoff_core::checkin::FunctionRound;
    use liftoff_core::{FunctionCatalog, FunctionName};

    let app = TestApp::spawn_with(true, CONFIG).await;
    checkout_with_ann_on_sales(&app).await;
    app.deliver().await; // Ann's DM about her new tasks
    app.set_time("2026-11-23T10:05:00Z");
    let launch = app.launch("checkout-v2").await;
    let sales = FunctionName::parse("sales").unwrap();
    let tasks: Vec<_> = app
        .store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.function == sales)
        .collect();
    let round = FunctionRound {
        function: sales.clone(),
        launches: vec![(&launch, tasks.iter().collect())],
    };
    let catalog = FunctionCatalog::builtin();
    let today = "2026-11-23".parse().unwrap();
    let part = liftoff::notify::checkin(catalog.get(&sales).unwrap(), &round, "Mon 23 Nov", today)
        .next()
        .unwrap();
    let key = "checkin:sales:2026-11-23T10:00:00+00:00:1".to_owned();
    let whole = RunMessage {
        message: liftoff::notify::post_message(key.clone(), "checkin", "C0SALES", &part.rendered),
        checkin: Some(CheckinRecord {
            outbox_key: key.clone(),
            function: sales.clone(),
            round: "2026-11-23T10:00:00+00:00".to_owned(),
            tasks: part.tasks.iter().map(|id| (*id, Some(user(ANN)))).collect(),
        }),
    };
    let now = app.clock.now_for_tests();
    app.store
        .record_job_run("checkin", "before-the-upgrade", "ran", [whole], now)
        .await
        .unwrap();
    app.slack.forget_calls();
    app.deliver().await;

    let posted = posts(&app);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(
        posted[0]["blocks"],
        serde_json::to_value(&part.rendered.blocks).unwrap(),
        "as written"
    );
    let (posted_checkin, _) = todays_sales_check_in(&app).await;
    assert_eq!(posted_checkin.outbox_key, key);
    let ts = posted_checkin.ts.expect("posted");
    let first = part.tasks[0];
    reply_in_thread(&app, "Ev1", &ts, &format!("{first} done")).await;
    app.deliver().await;
    assert_eq!(updates(&app).len(), 1, "{:?}", updates(&app));
    let (line, buttons) = row(&check_in_on_slack(&app, &ts), first);
    assert!(line.contains(":white_check_mark: done") && !buttons, "{line}");
    app.stop().await;
}
