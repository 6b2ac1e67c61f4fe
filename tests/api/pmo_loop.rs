//! The PMO loop end to end, driven by ticks on the test clock: check-ins on the right days
//! and channels, thread replies of every form, nudges, digests, catch-up after downtime, and
//! no duplicates however ticks repeat or race.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use liftoff::outbound::OutboxMethod;
use liftoff_core::{ChangeField, ChangeSource, Task, TaskId, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::{Failure, TEAM_ID};
use crate::helpers::{ClockExt, TestApp, date};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";
const BOB: &str = "U0BOB";

/// Channels for every function, a PMO channel, a holiday, and fast pacing for tests.
const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[calendar]
holidays = ["2026-12-08"]
[channels]
pmo = "C0PMO"
[checkins]
max_nudges_per_day = 1
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

/// A tier-1 launch on Friday 2026-12-18 with its 18 template tasks; sales tasks owned by
/// Ann, marketing tasks by Bob.
async fn setup() -> (TestApp, Vec<Task>) {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Checkout v2 tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    let launch = app.launch("checkout-v2").await;
    app.command(LEAD, &format!("assign checkout-v2 sales <@{ANN}>")).await;
    app.command(LEAD, &format!("assign checkout-v2 marketing <@{BOB}>"))
        .await;
    let tasks = app.store.launch_tasks(launch.id).await.unwrap();
    // Ann and Bob each get one DM listing their new tasks; the tests count what the loop
    // sends after that.
    app.deliver().await;
    let dms: Vec<Value> = app.slack.calls("chat.postMessage");
    assert_eq!(dms.len(), 2, "one assignment DM each: {dms:?}");
    app.slack.forget_calls();
    (app, tasks)
}

fn checkin_posts(app: &TestApp) -> Vec<Value> {
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["text"].as_str().unwrap_or_default().contains("check-in —"))
        .collect()
}

/// The check-in's ts in `channel`, from what the fake answered.
async fn checkin_ts(app: &TestApp, channel: &str) -> String {
    let posted = app.slack.wait_for("chat.postMessage", 1).await;
    let count = posted.iter().filter(|b| b["channel"] == channel).count();
    assert!(count > 0, "no check-in in {channel}");
    let key_prefix = format!(
        "checkin:{}",
        match channel {
            "C0SALES" => "sales",
            "C0MKTG" => "marketing",
            other => other,
        }
    );
    let now = app.clock.now_for_tests();
    let checkins = app.store.checkins_since(now - Duration::days(1)).await.unwrap();
    checkins
        .into_iter()
        .rfind(|c| c.outbox_key.starts_with(&key_prefix))
        .and_then(|c| c.ts)
        .expect("the check-in was delivered")
}

/// Slack's thread reply (the recorded shape; see `emulator::thread_reply_event`).
fn thread_reply(event_id: &str, user: &str, channel: &str, thread_ts: &str, text: &str) -> String {
    let ts = format!("1764100000.{:06}", event_id.len());
    slack_emulator::thread_reply_event(event_id, user, channel, thread_ts, &ts, text).to_string()
}

async fn send_event(app: &TestApp, body: &str) {
    let response = app.post_signed("/slack/events", "application/json", body).await;
    assert_eq!(response.status(), 200);
}

fn tasks_of(tasks: &[Task], function: &str) -> Vec<TaskId> {
    tasks
        .iter()
        .filter(|t| t.function.as_str() == function)
        .map(|t| t.id)
        .collect()
}

/// Ann's three sales tasks: deck (T-14), training (T-10), success stories (T+30).
fn sales_tasks(tasks: &[Task]) -> Vec<TaskId> {
    tasks_of(tasks, "sales")
}

#[tokio::test]
async fn check_ins_follow_the_cadence_from_plan_to_launch_day() {
    let (app, _) = setup().await;
    let mut days_with_checkins = BTreeSet::new();
    let mut day: NaiveDate = date("2026-11-23");
    while day <= date("2026-12-18") {
        let before = checkin_posts(&app).len();
        app.set_time(&format!("{day}T10:05:00Z"));
        app.tick().await;
        let posted = &checkin_posts(&app)[before..];
        if !posted.is_empty() {
            days_with_checkins.insert(day);
            let channels: BTreeSet<&str> = posted.iter().map(|b| b["channel"].as_str().unwrap()).collect();
            assert_eq!(channels.len(), posted.len(), "{day}: one message per function channel");
            assert_eq!(
                channels,
                BTreeSet::from(["C0GROW", "C0MKTG", "C0OPS", "C0PROD", "C0SALES"]),
                "{day}"
            );
        }
        day = day.succ_opt().unwrap();
    }
    let expected: BTreeSet<NaiveDate> = [
        // Mon/Wed/Fri until the final stretch…
        "2026-11-23",
        "2026-11-25",
        "2026-11-27",
        "2026-11-30",
        "2026-12-02",
        // …then every working day within 14 days of launch (12-04 on), except the holiday.
        "2026-12-04",
        "2026-12-07",
        "2026-12-09",
        "2026-12-10",
        "2026-12-11",
        "2026-12-14",
        "2026-12-15",
        "2026-12-16",
        "2026-12-17",
        "2026-12-18",
    ]
    .iter()
    .map(|d| date(d))
    .collect();
    assert_eq!(days_with_checkins, expected);
    assert!(days_with_checkins.iter().all(|d| d.weekday().number_from_monday() <= 5));

    // A check-in lists the function's open tasks with owners mentioned and buttons.
    let sales = checkin_posts(&app)
        .into_iter()
        .find(|b| b["channel"] == "C0SALES")
        .unwrap();
    let text = sales["text"].as_str().unwrap();
    assert!(text.contains("*Checkout v2* (`checkout-v2`) · T-25"), "{text}");
    assert!(text.contains("<@U0ANN>"), "owners are mentioned: {text}");
    assert!(text.contains("Reply in this thread"), "{text}");
    assert!(sales["blocks"].to_string().contains("task_done"));
    app.stop().await;
}

#[tokio::test]
async fn thread_replies_of_every_form_update_tasks() {
    let (app, tasks) = setup().await;
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let ts = checkin_ts(&app, "C0MKTG").await;
    let marketing = tasks_of(&tasks, "marketing");
    let (t1, t2, t3, t4) = (marketing[0], marketing[1], marketing[2], marketing[3]);
    let text = format!("{t1} done\n{t2} at risk: vendor late\n{t3} blocked waiting on legal\n{t4} due +2d");
    send_event(&app, &thread_reply("Ev1", BOB, "C0MKTG", &ts, &text)).await;

    let store = &app.store;
    let task = |id: TaskId| async move { store.task(id).await.unwrap().unwrap() };
    assert_eq!(task(t1).await.status, TaskStatus::Done);
    assert_eq!(task(t2).await.status, TaskStatus::AtRisk);
    assert_eq!(task(t3).await.status, TaskStatus::blocked("waiting on legal").unwrap());
    assert_eq!(task(t4).await.due_date, date("2026-11-25"));
    let history = app.store.task_history(t2).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.source, last.field, last.note.as_deref()),
        (ChangeSource::Thread, ChangeField::Status, Some("vendor late"))
    );

    app.deliver().await;
    let replies: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["thread_ts"] == ts.as_str())
        .collect();
    assert_eq!(replies.len(), 1, "one confirmation per reply message");
    let confirmation = replies[0]["text"].as_str().unwrap();
    for id in [t1, t2, t3, t4] {
        assert!(confirmation.contains(&format!("`{id}`")), "{confirmation}");
    }
    assert!(
        app.slack.calls("chat.postEphemeral").is_empty(),
        "nothing to complain about"
    );

    // The same event again (a Slack retry) changes nothing and answers nothing more.
    send_event(&app, &thread_reply("Ev1", BOB, "C0MKTG", &ts, &text)).await;
    app.deliver().await;
    let replies = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["thread_ts"] == ts.as_str())
        .count();
    assert_eq!(replies, 1);
    app.stop().await;
}

/// In a check-in thread: the launch lead answers for Ann (she hears of it once), Bob cannot
/// close Ann's task, a mistyped id of another launch is refused with that launch named, and
/// `blocked by` records what a task waits on.
#[tokio::test]
async fn thread_replies_change_only_what_the_writer_may_and_the_owner_is_told() {
    let (app, tasks) = setup().await;
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let ts = checkin_ts(&app, "C0SALES").await;
    let sales = sales_tasks(&tasks);
    let (deck, training, stories) = (sales[0], sales[1], sales[2]);
    // A launch created after the check-in, with a task of Ann's the check-in does not list.
    app.command(LEAD, "new Mobile Refresh tier:3 date:2027-01-15").await;
    let other = app
        .command(
            LEAD,
            &format!("task mobile-refresh sales App store copy owner:<@{ANN}> due:2027-01-08"),
        )
        .await;
    assert!(text_of(&other).contains("App store copy"), "{other}");
    let mobile = app.launch("mobile-refresh").await;
    let listing = app.store.launch_tasks(mobile.id).await.unwrap()[0].id;
    app.deliver().await;
    app.slack.forget_calls();

    // The launch lead answers for Ann, two updates in one reply.
    send_event(
        &app,
        &thread_reply(
            "EvLead",
            LEAD,
            "C0SALES",
            &ts,
            &format!("{deck} done, {training} due friday"),
        ),
    )
    .await;
    // Bob, who owns none of them and leads nothing, tries to close one; and Ann types the id
    // of her other launch's task by mistake.
    send_event(
        &app,
        &thread_reply("EvBob", BOB, "C0SALES", &ts, &format!("{stories} done")),
    )
    .await;
    send_event(
        &app,
        &thread_reply("EvAnn", ANN, "C0SALES", &ts, &format!("{listing} done")),
    )
    .await;
    app.deliver().await;

    let store = &app.store;
    let task = |id: TaskId| async move { store.task(id).await.unwrap().unwrap() };
    assert_eq!(task(deck).await.status, TaskStatus::Done);
    assert_eq!(task(stories).await.status, TaskStatus::Todo, "Bob may not close it");
    assert_eq!(
        task(listing).await.status,
        TaskStatus::Todo,
        "not applied from the wrong thread"
    );

    let to_ann: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "D0ANN")
        .collect();
    assert_eq!(to_ann.len(), 1, "one DM for both changes: {to_ann:?}");
    let dm = to_ann[0]["text"].as_str().unwrap();
    assert!(dm.contains(&format!("<@{LEAD}> changed your tasks")), "{dm}");
    assert!(
        dm.contains(&format!("`{deck}`")) && dm.contains(&format!("`{training}`")),
        "{dm}"
    );

    let hints = app.slack.calls("chat.postEphemeral");
    let hint_to = |user: &str| {
        hints
            .iter()
            .find(|h| h["user"] == user)
            .map(|h| h["text"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no hint to {user}: {hints:?}"))
    };
    let bob = hint_to(BOB);
    assert!(
        bob.contains(&format!("only its owner <@{ANN}>")) && bob.contains(&format!("the launch lead <@{LEAD}>")),
        "{bob}"
    );
    let ann = hint_to(ANN);
    assert!(ann.contains(&format!("{listing} belongs to *Mobile Refresh*")), "{ann}");

    // `blocked by` in a thread records what the task waits on.
    send_event(
        &app,
        &thread_reply(
            "EvDep",
            ANN,
            "C0SALES",
            &ts,
            &format!("{stories} blocked by {training} — need the training dates"),
        ),
    )
    .await;
    let blocked = task(stories).await;
    assert_eq!(blocked.blocked_by, Some(training));
    assert_eq!(blocked.status, TaskStatus::blocked("need the training dates").unwrap());
    app.stop().await;
}

fn text_of(reply: &Value) -> String {
    reply["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn bare_replies_get_hints_never_guesses_and_chatter_gets_nothing() {
    let (app, tasks) = setup().await;
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let ts = checkin_ts(&app, "C0SALES").await;

    // Ann owns several open sales tasks: a bare "done" is ambiguous.
    send_event(&app, &thread_reply("Ev2", ANN, "C0SALES", &ts, "done")).await;
    app.deliver().await;
    let hints = app.slack.wait_for("chat.postEphemeral", 1).await;
    assert_eq!(hints[0]["user"], ANN);
    assert_eq!(hints[0]["thread_ts"], ts.as_str());
    assert!(
        hints[0]["text"].as_str().unwrap().contains("you own 3 open tasks here"),
        "{}",
        hints[0]
    );
    for id in sales_tasks(&tasks) {
        assert_eq!(
            app.store.task(id).await.unwrap().unwrap().status,
            TaskStatus::Todo,
            "nothing guessed"
        );
    }

    // Close all but one: now a bare update applies to that one.
    let sales = sales_tasks(&tasks);
    for id in &sales[1..] {
        app.command(ANN, &format!("done {id}")).await;
    }
    send_event(
        &app,
        &thread_reply("Ev3", ANN, "C0SALES", &ts, ":warning: slipping a day"),
    )
    .await;
    assert_eq!(
        app.store.task(sales[0]).await.unwrap().unwrap().status,
        TaskStatus::AtRisk
    );

    // Chatter is no update: no hint, no confirmation, nothing posted at all.
    app.deliver().await;
    let posts_before = app.slack.calls("chat.postMessage").len();
    send_event(&app, &thread_reply("Ev4", BOB, "C0SALES", &ts, "thanks all!")).await;
    send_event(&app, &thread_reply("Ev5", BOB, "C0SALES", &ts, "looking good 🙌")).await;
    app.deliver().await;
    assert_eq!(app.slack.calls("chat.postEphemeral").len(), 1, "only the first hint");
    assert_eq!(app.slack.calls("chat.postMessage").len(), posts_before);

    // The bot's own messages and other bots are ignored (edits, deletions and Slack's other
    // subtypes are replayed from recorded payloads in `replay`).
    let posts_before = app.slack.calls("chat.postMessage").len();
    send_event(&app, &thread_reply("Ev6", "U0BOT", "C0SALES", &ts, "T1 done")).await;
    let mut bot: Value = serde_json::from_str(&thread_reply("Ev7", "U0OTHERBOT", "C0SALES", &ts, "T1 done")).unwrap();
    bot["event"]["bot_id"] = json!("B0OTHER");
    send_event(&app, &bot.to_string()).await;
    app.deliver().await;
    assert_eq!(app.slack.calls("chat.postMessage").len(), posts_before);
    assert_eq!(app.slack.calls("chat.postEphemeral").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn silent_owners_are_nudged_once_per_round_and_capped_per_day() {
    let (app, tasks) = setup().await;
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let ts = checkin_ts(&app, "C0SALES").await;
    // Ann answers, Bob does not.
    app.set_time("2026-11-23T11:00:00Z");
    let first_sales = sales_tasks(&tasks)[0];
    send_event(
        &app,
        &thread_reply("Ev10", ANN, "C0SALES", &ts, &format!("{first_sales} on track")),
    )
    .await;

    app.set_time("2026-11-23T13:05:00Z");
    app.tick().await;
    assert!(
        app.slack.calls("conversations.open").is_empty(),
        "not before 4 hours have passed"
    );

    app.set_time("2026-11-23T14:05:00Z");
    app.tick().await;
    let opened = app.slack.wait_for("conversations.open", 1).await;
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0]["users"][0], BOB);
    let dms: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "D0BOB")
        .collect();
    assert_eq!(dms.len(), 1);
    assert!(dms[0]["text"].as_str().unwrap().contains("<@U0BOB>"));
    assert!(
        dms[0]["blocks"].to_string().contains("task_done"),
        "the nudge carries the buttons"
    );

    app.set_time("2026-11-23T15:05:00Z");
    app.tick().await;
    let dms = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "D0BOB")
        .count();
    assert_eq!(dms, 1, "one nudge per person per round");
    app.stop().await;
}

#[tokio::test]
async fn the_digest_has_the_right_numbers() {
    let (app, tasks) = setup().await;
    let sales = sales_tasks(&tasks);
    // Wednesday: one task done, one blocked since Monday, one overdue.
    app.set_time("2026-11-23T12:00:00Z");
    app.command(ANN, &format!("block {} waiting on legal", sales[1])).await;
    app.command(ANN, &format!("due {} 2026-11-24", sales[2])).await;
    app.command(ANN, &format!("done {}", sales[0])).await;
    app.set_time("2026-11-25T08:35:00Z");
    let runs = app.tick().await;
    assert!(runs.iter().any(|r| r.job == "digest" && r.outcome == "ran"), "{runs:?}");
    let digests: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "C0PMO")
        .collect();
    assert_eq!(digests.len(), 1);
    let text = digests[0]["text"].as_str().unwrap();
    assert!(text.starts_with("Launch digest — Wed 25 Nov"), "{text}");
    assert!(
        text.contains("*Checkout v2* (`checkout-v2`) — tier 1 · launch Fri 18 Dec (T-23) · lead <@U0LEAD>"),
        "{text}"
    );
    // 16 template tasks are due by launch day; 3 were due before today, plus the one moved.
    assert!(
        text.contains("6% ready (1/16 due by launch day done) · 1 blocked · 4 overdue"),
        "{text}"
    );
    assert!(
        text.contains("sales: 1 to do · 0 on track · 0 at risk · 1 blocked · 1 done"),
        "{text}"
    );
    let overdue = text
        .lines()
        .find(|l| l.starts_with(":rotating_light: Overdue:"))
        .unwrap();
    assert!(
        overdue.contains(&format!(
            "`{}` Customer success stories (due Tue 24 Nov, <@U0ANN>)",
            sales[2]
        )),
        "{overdue}"
    );
    assert!(text.contains("waiting on legal (2 working days, <@U0ANN>)"), "{text}");
    assert!(text.contains(":calendar: Due in the next 7 days:"), "{text}");
    assert!(text.contains("Changes since the last digest:"), "{text}");
    assert!(!text.contains("Spread too thin"), "one launch is not too many");

    // On demand: posted now, to the PMO channel.
    let reply = app.command(LEAD, "digest checkout-v2").await;
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains("Posting the digest to <#C0PMO>")
    );
    app.deliver().await;
    let digests = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "C0PMO")
        .count();
    assert_eq!(digests, 2);
    app.stop().await;
}

#[tokio::test]
async fn missed_slots_are_caught_up_once_the_same_day_and_skipped_after() {
    let (app, _) = setup().await;
    // Down from Monday morning until Wednesday 08:00: Tuesday's digest is over, so skipped.
    app.set_time("2026-11-25T08:00:00Z");
    let runs = app.tick().await;
    let digest = runs.iter().find(|r| r.job == "digest").unwrap();
    assert_eq!(
        (digest.slot.as_str(), digest.outcome.as_str()),
        ("2026-11-24T08:30", "skipped: missed while down")
    );
    let checkin = runs.iter().find(|r| r.job == "checkin").unwrap();
    assert_eq!(checkin.outcome, "skipped: missed while down");
    assert!(app.slack.calls("chat.postMessage").is_empty());
    // Back at 10:30: today's digest (08:30) and check-in (10:00) were missed only today, so they
    // run now, once each.
    app.set_time("2026-11-25T10:30:00Z");
    let runs = app.tick().await;
    let ran: Vec<(&str, &str)> = runs.iter().map(|r| (r.job, r.slot.as_str())).collect();
    assert!(
        ran.contains(&("checkin", "2026-11-25T10:00")) && ran.contains(&("digest", "2026-11-25T08:30")),
        "{runs:?}"
    );
    assert_eq!(checkin_posts(&app).len(), 5, "one round, not one per missed slot");
    app.tick().await;
    assert_eq!(checkin_posts(&app).len(), 5);
    assert_eq!(
        app.slack
            .calls("chat.postMessage")
            .iter()
            .filter(|b| b["channel"] == "C0PMO")
            .count(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn repeated_and_racing_ticks_never_post_twice() {
    let (app, _) = setup().await;
    app.set_time("2026-11-23T10:05:00Z");
    let scheduler = || app.state.scheduler();
    let (a, b) = (scheduler(), scheduler());
    let (first, second) = tokio::join!(a.run_due(), b.run_due());
    let ran: usize = first.unwrap().len() + second.unwrap().len();
    assert!(ran >= 1);
    let (d1, d2) = (app.state.delivery(), app.state.delivery());
    let budget = std::time::Duration::from_secs(5);
    let (r1, r2) = tokio::join!(d1.drain(budget), d2.drain(budget));
    r1.unwrap();
    r2.unwrap();
    app.tick().await;
    app.tick().await;
    let posts = checkin_posts(&app);
    assert_eq!(posts.len(), 5, "each channel got its check-in exactly once");
    app.stop().await;
}

#[tokio::test]
async fn permanent_failures_are_recorded_and_reported_not_retried() {
    let (app, _) = setup().await;
    app.slack
        .fail_next("chat.postMessage", Failure::Api("channel_not_found"));
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    // Monday's digest (08:30) and five check-ins (besides set-up's two assignment DMs): one
    // check-in failed for good, and the launch lead (there are no admins) was told by DM.
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.failed, counts.pending), (2 + 6, 1, 0));
    let failed = app.store.failed_messages(10).await.unwrap();
    assert!(failed[0].error.contains("channel_not_found"), "{failed:?}");
    assert_eq!(app.slack.calls("chat.postMessage").len(), 7, "tried once, not retried");
    let notice = app.slack.last_post("D0LEAD").expect("the lead was told");
    assert!(
        notice["text"]
            .as_str()
            .unwrap()
            .contains("I could not post the checkin to <#C0"),
        "{notice}"
    );

    app.set_time("2026-11-25T08:35:00Z");
    app.tick().await;
    let digest = app.slack.last_post("C0PMO").unwrap();
    assert!(
        digest["text"]
            .as_str()
            .unwrap()
            .contains("Messages Liftoff could not deliver"),
        "{digest}"
    );
    assert!(digest["text"].as_str().unwrap().contains("channel_not_found"));
    let show = app.command(LEAD, "show checkout-v2").await;
    assert!(
        show["text"]
            .as_str()
            .unwrap()
            .contains("Liftoff could not deliver: checkin to `C0"),
        "{show}"
    );
    app.stop().await;
}

#[tokio::test]
async fn long_check_ins_are_split_not_truncated() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Big One tier:2 date:2026-12-18").await;
    for i in 0..40 {
        app.command(
            LEAD,
            &format!("task big-one sales Sales task {i} owner:<@U0ANN> due:T-{}", i % 20),
        )
        .await;
    }
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let sales: Vec<Value> = checkin_posts(&app)
        .into_iter()
        .filter(|b| b["channel"] == "C0SALES")
        .collect();
    assert!(sales.len() >= 2, "split into several messages");
    let all: String = sales.iter().map(|b| b["text"].as_str().unwrap().to_owned()).collect();
    let listed = (1..=60).filter(|n| all.contains(&format!("`T{n}` Sales task"))).count();
    assert_eq!(listed, 40, "every task is in one of the parts");
    assert!(sales[0]["text"].as_str().unwrap().contains("(1/"));
    app.stop().await;
}

#[tokio::test]
async fn a_persons_own_time_zone_decides_their_today() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.slack.set_timezone(ANN, "America/Los_Angeles");
    app.command(LEAD, "new Checkout v2 tier:3 date:2026-12-18").await;
    // Tuesday 05:00 UTC is still Monday evening in Los Angeles.
    app.set_time("2026-11-24T05:00:00Z");
    app.learn_timezone(ANN).await;
    let reply = app.command(ANN, "task checkout-v2 sales Call list due:today").await;
    assert!(reply["text"].as_str().unwrap().contains("due Mon 23 Nov"), "{reply}");
    let reply = app.command(LEAD, "task checkout-v2 sales Call list due:today").await;
    assert!(
        reply["text"].as_str().unwrap().contains("due Tue 24 Nov"),
        "UTC for others: {reply}"
    );
    app.stop().await;
}

#[tokio::test]
async fn outages_are_retried_without_undercutting_retry_after_and_posted_once() {
    let (app, _) = setup().await;
    app.slack
        .fail_next("chat.postMessage", Failure::RateLimited { retry_after_secs: 30 });
    app.slack.fail_next("chat.postMessage", Failure::ServerError);
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let first_target = app.slack.calls("chat.postMessage")[0]["channel"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.slack.calls("chat.postMessage").len(),
        1,
        "the 429 holds every post back"
    );
    assert_eq!(
        app.store.outbox_counts().await.unwrap().sent,
        2,
        "only set-up's assignment DMs"
    );

    app.set_time("2026-11-23T10:05:29Z");
    app.deliver().await;
    assert_eq!(
        app.slack.calls("chat.postMessage").len(),
        1,
        "Retry-After is never undercut"
    );

    app.set_time("2026-11-23T10:05:31Z");
    app.deliver().await;
    // The server error leaves that one post's outcome unknown: it waits 20 s before looking
    // for it and posting again; the rest go out.
    app.set_time("2026-11-23T10:05:55Z");
    app.deliver().await;
    let posts = app.slack.calls("chat.postMessage");
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.sent, counts.pending, counts.failed),
        (2 + 6, 0, 0),
        "set-up's two assignment DMs, five check-ins and the digest"
    );
    let to_first = posts.iter().filter(|b| b["channel"] == first_target.as_str()).count();
    assert_eq!(to_first, 3, "two failed attempts, then exactly one delivery");
    app.stop().await;
}

#[tokio::test]
async fn a_post_that_timed_out_but_reached_slack_is_not_posted_again() {
    let config = CONFIG.replace("post_interval_ms = 5", "post_interval_ms = 5\nrequest_timeout_secs = 1");
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Small Fix tier:3 date:2026-12-18").await;
    // Slack posts the first message but answers after the client gave up.
    app.slack
        .fail_next("chat.postMessage", Failure::Lost(std::time::Duration::from_secs(2)));
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let pending = app.store.outbox_counts().await.unwrap().pending;
    assert_eq!(pending, 1, "the timed-out message waits for its retry");

    app.set_time("2026-11-23T10:06:00Z");
    app.deliver().await;
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed), (0, 0));
    let posts = app.slack.calls("chat.postMessage");
    let mut channels: Vec<&str> = posts.iter().map(|b| b["channel"].as_str().unwrap()).collect();
    let total = channels.len();
    channels.sort();
    channels.dedup();
    assert_eq!(
        channels.len(),
        total,
        "every message reached Slack exactly once: {channels:?}"
    );
    assert!(
        !app.slack.calls("conversations.history").is_empty(),
        "the retry looked before posting"
    );
    app.stop().await;
}

#[tokio::test]
async fn metric_reviews_ask_for_actuals_and_a_miss_proposes_a_support_plan() {
    let config = CONFIG.replace(
        "[escalation]\nenabled = false",
        "[escalation]\nenabled = false\n[templates]\npath = \"tests/fixtures/no-templates.toml\"",
    );
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2026-11-25 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "metric checkout-v2 \"activation rate\" target:25% by:T+5")
        .await;

    // Review date: launch day + 5 = Monday 30 November.
    app.set_time("2026-11-27T10:05:00Z");
    app.tick().await;
    assert!(
        app.slack
            .calls("chat.postMessage")
            .iter()
            .all(|b| !b["text"].as_str().unwrap().contains("Time to review"))
    );
    app.set_time("2026-11-30T10:05:00Z");
    app.tick().await;
    app.tick().await;
    let asks: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["text"].as_str().unwrap().contains("Time to review *activation rate*"))
        .collect();
    assert_eq!(asks.len(), 1, "asked once");
    assert_eq!(asks[0]["channel"], "D0LEAD");

    let reply = app.command(LEAD, "actual checkout-v2 \"activation rate\" 19%").await;
    assert!(
        reply["blocks"].to_string().contains("support_plan"),
        "the proposal comes with a button"
    );
    let button = json!({
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": LEAD}, "trigger_id": "t",
        "response_url": app.slack.response_url("plan"),
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0LAUNCH", "is_ephemeral": false},
        "actions": [{"action_id": "support_plan", "block_id": "b", "value": "1|activation rate"}]
    });
    assert_eq!(app.interaction(&button).await.status(), 200);
    let launch = app
        .store
        .launch_by_id(liftoff_core::LaunchId(1))
        .await
        .unwrap()
        .unwrap();
    let plan = app
        .store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.title == "Support plan: recover activation rate")
        .expect("the support-plan task was created");
    assert_eq!((plan.function.as_str(), plan.due_date), ("ops", date("2026-12-03")));
    assert_eq!(plan.owner, Some(crate::helpers::user(LEAD)));
    app.slack.wait_for("response_url", 1).await;

    app.set_time("2026-12-01T08:35:00Z");
    app.tick().await;
    let digest = app.slack.last_post("C0PMO").unwrap();
    assert!(
        digest["text"]
            .as_str()
            .unwrap()
            .contains("Missed metrics: activation rate (19% vs target 25%)"),
        "{digest}"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_task_of_a_long_check_in_is_recorded_for_replies_and_nudges() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Big One tier:2 date:2026-12-18").await;
    // Long titles make each part's fallback text exceed Slack's 4,000 characters, so it is clipped.
    let title = "Localise and review the partner enablement kit for every region".repeat(2);
    for i in 0..30 {
        app.command(LEAD, &format!("task big-one sales {title} {i} owner:<@U0ANN>"))
            .await;
    }
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let posted: Vec<Value> = checkin_posts(&app)
        .into_iter()
        .filter(|b| b["channel"] == "C0SALES")
        .collect();
    assert!(
        posted.iter().any(|b| b["text"].as_str().unwrap().ends_with('…')),
        "a part's text was clipped"
    );
    let now = app.clock.now_for_tests();
    let mut recorded = Vec::new();
    for checkin in app.store.checkins_since(now - Duration::days(1)).await.unwrap() {
        if checkin.function.as_str() == "sales" {
            recorded.extend(app.store.checkin_tasks(&checkin.outbox_key).await.unwrap());
        }
    }
    let sales_open = app
        .store
        .open_tasks_for_function(&liftoff_core::FunctionName::parse("sales").unwrap())
        .await
        .unwrap()
        .len();
    assert_eq!(sales_open, 31, "thirty tasks and the template's one");
    assert_eq!(recorded.len(), sales_open, "every listed task is known to its check-in");
    app.stop().await;
}

/// A long Slack outage (every call fails: 500s, 429s with Retry-After, answers too slow to
/// wait for) over simulated time, then recovery: every message is delivered exactly once, in
/// order per channel, and no call is made while a Retry-After holds its method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slack_outage_then_recovery_delivers_everything_once_in_order() {
    let config = CONFIG.replace("post_interval_ms = 5", "post_interval_ms = 5\nrequest_timeout_secs = 1");
    let app = TestApp::spawn_with(true, &config).await;
    app.slack.set_clock({
        let clock = app.clock.clone();
        move || liftoff::clock::Clock::now(&clock)
    });
    for name in ["Checkout v2", "Pricing page", "Mobile app"] {
        app.command(LEAD, &format!("new {name} tier:1 date:2026-12-18 lead:<@U0LEAD>"))
            .await;
    }
    let recovery = crate::helpers::instant("2026-11-23T10:20:00Z");
    app.slack.outage_until(recovery, std::time::Duration::from_millis(1100));
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    app.command(LEAD, "digest").await;
    app.command(LEAD, "digest checkout-v2").await;
    // Time passes in steps through the outage and after it, delivering at each.
    let mut at = app.clock.now_for_tests();
    for _ in 0..200 {
        at += Duration::seconds(29);
        app.clock.set(at);
        app.deliver().await;
        let counts = app.store.outbox_counts().await.unwrap();
        if at > recovery && counts.pending + counts.sending == 0 {
            break;
        }
    }
    let counts = app.store.outbox_counts().await.unwrap();
    let given_up = app.store.failed_messages(10).await.unwrap();
    assert_eq!(
        (counts.pending, counts.sending, counts.failed),
        (0, 0, 0),
        "{counts:?} {given_up:?}"
    );
    let failed_calls = app
        .slack
        .all_calls()
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.failure.is_some())
        .count();
    assert!(failed_calls >= 3, "the outage was felt: {failed_calls} failed posts");
    eprintln!(
        "outage: {} calls, {failed_calls} failed posts, recovered at {at}",
        app.slack.all_calls().len()
    );

    // Exactly once, in order per channel: what each channel shows, against the outbox order.
    let outbox: Vec<String> = app.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    let mut seen = BTreeSet::new();
    for channel in ["C0PROD", "C0MKTG", "C0GROW", "C0SALES", "C0OPS", "C0PMO"] {
        let shown: Vec<String> = app
            .slack
            .channel_history(channel)
            .iter()
            .filter_map(|m| m["metadata"]["event_payload"]["key"].as_str().map(str::to_owned))
            .collect();
        let expected: Vec<String> = outbox.iter().filter(|k| shown.contains(k)).cloned().collect();
        assert_eq!(shown, expected, "{channel} shows its messages once each, in order");
        for key in shown {
            assert!(seen.insert(key.clone()), "{key} shown in two channels");
        }
    }
    assert_eq!(seen.len(), outbox.len(), "every message reached its channel");
    let pmo = app.slack.channel_history("C0PMO").len();
    assert!(pmo >= 2, "the digests asked for queue up in order: {pmo}");

    // Retry-After was honoured by every worker: no call of a held method inside its hold.
    let calls = app.slack.all_calls();
    for limited in calls
        .iter()
        .filter(|c| matches!(c.failure, Some(Failure::RateLimited { .. })))
    {
        let held_from = limited.at.unwrap();
        let held_until = held_from + Duration::seconds(20);
        let early: Vec<_> = calls
            .iter()
            .filter(|c| c.method == limited.method && c.at.is_some_and(|at| at > held_from && at < held_until))
            .collect();
        assert!(
            early.is_empty(),
            "{} called within a Retry-After: {early:?}",
            limited.method
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_mention_typed_into_a_title_pings_nobody_where_the_title_is_repeated() {
    let config = CONFIG.replace("[escalation]\nenabled = false", "[escalation]\nenabled = true");
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Small Fix tier:3 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    // Ann's task names Bob in its title; Slack sends the mention as <@U0BOB|bob>.
    let reply = app
        .command(
            LEAD,
            "task small-fix sales \"Prep the deck with <@U0BOB|bob>\" owner:<@U0ANN> due:2026-11-24",
        )
        .await;
    let task = reply["text"].as_str().unwrap().split('`').nth(1).unwrap().to_owned();
    app.command(ANN, &format!("block {task} waiting on <@U0BOB|bob> for numbers"))
        .await;
    // A week of check-ins, digests, nudges and escalations.
    for day in [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
        "2026-11-30",
    ] {
        for time in ["08:35", "10:05", "15:00"] {
            app.set_time(&format!("{day}T{time}:00Z"));
            app.tick().await;
        }
    }
    let posts: Vec<String> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .map(|b| format!("{} {}", b["text"], b["blocks"]))
        .collect();
    assert!(posts.len() >= 5, "the week was busy: {}", posts.len());
    let pings: Vec<&String> = posts.iter().filter(|p| p.contains("<@U0BOB")).collect();
    assert!(pings.is_empty(), "Bob was pinged by his name in a title: {pings:#?}");
    assert!(posts.iter().any(|p| p.contains("@bob")), "his name is still shown");
    assert!(
        posts.iter().any(|p| p.contains("<@U0ANN>")),
        "the owner is mentioned where she is meant"
    );
    app.stop().await;
}
