//! The escalation ladder end to end: tasks walk up every level over simulated days, with
//! holidays and time zones; acknowledge, snooze, a new due date and resolution stop or reset
//! it; resolution notices land in the escalations' threads; and each level fires once however
//! many sweeps run, on SQLite and PostgreSQL.

use liftoff_core::{ChangeField, TaskId, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::TEAM_ID;
use crate::helpers::{TestApp, date};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";

const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[templates]
path = "tests/fixtures/no-templates.toml"
[calendar]
holidays = ["2026-12-08"]
[channels]
pmo = "C0PMO"
escalation = "C0ESC"
[functions.sales]
channel = "C0SALES"
lead = "U0SLEAD"
[functions.marketing]
channel = "C0MKTG"
"#;

async fn task_id(app: &TestApp, command: &str) -> TaskId {
    let reply = app.command(LEAD, command).await;
    let text = reply["text"].as_str().unwrap();
    let start = text.find("`T").unwrap() + 1;
    TaskId::parse(&text[start..].chars().take_while(|c| *c != '`').collect::<String>()).unwrap()
}

/// Messages posted so far that mention `needle`.
fn posts_with(app: &TestApp, needle: &str) -> Vec<Value> {
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["text"].as_str().unwrap_or_default().contains(needle))
        .collect()
}

async fn day(app: &TestApp, at: &str) {
    app.set_time(at);
    app.tick().await;
}

async fn setup(app: &TestApp) -> TaskId {
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    // Due Thursday 2026-12-03.
    task_id(app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:2026-12-03").await
}

#[tokio::test]
async fn an_overdue_task_walks_up_every_level_once() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    let task = setup(&app).await;

    day(&app, "2026-12-02T10:05:00Z").await;
    let reminders = posts_with(&app, ":alarm_clock: Reminder");
    assert_eq!(reminders.len(), 1, "level 0 the working day before");
    assert_eq!(reminders[0]["channel"], "D0ANN", "a DM to the owner");

    day(&app, "2026-12-03T16:00:00Z").await;
    assert!(posts_with(&app, "Overdue task:").is_empty(), "not late on its due day");

    day(&app, "2026-12-04T10:05:00Z").await;
    let overdue = posts_with(&app, ":rotating_light: Overdue task");
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["channel"], "D0ANN");
    let checkin_line = posts_with(&app, &format!("`{task}` Battlecard is overdue"));
    assert_eq!(checkin_line.len(), 1, "a line in the function's latest check-in thread");
    assert_eq!(checkin_line[0]["channel"], "C0SALES");
    assert!(checkin_line[0]["thread_ts"].is_string());

    app.command(LEAD, &format!("raci {task} accountable:<@U0BOSS> informed:<@U0LEAD>"))
        .await;
    day(&app, "2026-12-07T10:05:00Z").await;
    let level2 = posts_with(&app, "Escalation to the function lead");
    assert_eq!(level2.len(), 1, "two working days overdue");
    assert_eq!(level2[0]["channel"], "C0SALES");
    let text = level2[0]["text"].as_str().unwrap();
    assert!(text.contains("<@U0ANN>") && text.contains("<@U0SLEAD>"), "{text}");
    assert!(
        text.contains("<@U0BOSS>"),
        "the accountable person is mentioned at level 2: {text}"
    );
    let show = app.command(LEAD, "show checkout-v2").await;
    assert!(
        show["text"].as_str().unwrap().contains("· A <@U0BOSS> I <@U0LEAD>"),
        "{show}"
    );
    assert!(
        level2[0]["blocks"].to_string().contains("esc_ack"),
        "Acknowledge and Snooze are offered"
    );

    // The 8th is a holiday: still two working days, and nothing is posted on it at all.
    let before = app.slack.calls("chat.postMessage").len();
    day(&app, "2026-12-08T10:05:00Z").await;
    assert_eq!(app.slack.calls("chat.postMessage").len(), before);

    // Wednesday the 9th: three working days (the 8th does not count).
    day(&app, "2026-12-09T10:05:00Z").await;
    assert!(posts_with(&app, "Escalation to the launch lead").is_empty());
    day(&app, "2026-12-10T10:05:00Z").await;
    let level3 = posts_with(&app, "Escalation to the launch lead");
    assert_eq!(level3.len(), 1, "four working days overdue");
    assert_eq!(level3[0]["channel"], "C0ESC");
    let text = level3[0]["text"].as_str().unwrap();
    assert!(text.contains("<@U0LEAD>") && text.contains("<@U0SLEAD>"), "{text}");
    assert!(text.contains("Launch readiness: 0% ready"), "{text}");

    // Sweeping again changes nothing.
    let before = app.slack.calls("chat.postMessage").len();
    day(&app, "2026-12-10T10:20:00Z").await;
    day(&app, "2026-12-10T10:35:00Z").await;
    assert_eq!(app.slack.calls("chat.postMessage").len(), before);

    let listed = app.command(LEAD, "escalations").await;
    let listed = listed["text"].as_str().unwrap();
    assert!(
        listed.contains(&format!("`{task}` Battlecard")) && listed.contains("level 3 (launch lead) since Thu 10 Dec"),
        "{listed}"
    );

    // Done: each place the escalations went hears it is resolved, by whom, once: #sales (the
    // check-in line and level 2) and the escalation channel; not Ann, who did it herself.
    app.command(ANN, &format!("done {task}")).await;
    app.deliver().await;
    let notices = posts_with(&app, "Resolved:");
    let mut places: Vec<&str> = notices.iter().map(|n| n["channel"].as_str().unwrap()).collect();
    places.sort();
    assert_eq!(
        places,
        vec!["C0ESC", "C0SALES"],
        "one line per place, none in Ann's DMs"
    );
    assert!(notices.iter().all(|n| n["thread_ts"].is_string()));
    let sales_notice = notices.iter().find(|n| n["channel"] == "C0SALES").unwrap();
    let level2_ts = app
        .slack
        .channel_history("C0SALES")
        .into_iter()
        .find(|m| {
            m["text"]
                .as_str()
                .unwrap_or_default()
                .contains("Escalation to the function lead")
        })
        .map(|m| m["ts"].clone())
        .unwrap();
    assert_eq!(
        sales_notice["thread_ts"], level2_ts,
        "in the thread of the latest escalation there"
    );
    assert!(notices[0]["text"].as_str().unwrap().contains("is done — by <@U0ANN>"));
    let listed = app.command(LEAD, "escalations").await;
    assert!(listed["text"].as_str().unwrap().contains("Nothing is escalated"));
    app.stop().await;
}

fn esc_action(app: &TestApp, action: Value) -> Value {
    json!({
        "type": "block_actions",
        "team": {"id": TEAM_ID}, "user": {"id": ANN}, "trigger_id": "t",
        "response_url": app.slack.response_url("esc"),
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0SALES", "is_ephemeral": false},
        "actions": [action]
    })
}

#[tokio::test]
async fn blocked_tasks_escalate_and_acknowledge_or_snooze_hold_the_ladder() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let api = task_id(
        &app,
        "task checkout-v2 marketing API docs owner:<@U0BOB> due:2027-01-10",
    )
    .await;
    let task = task_id(&app, "task checkout-v2 sales Demo owner:<@U0ANN> due:2027-01-10").await;
    let other = task_id(&app, "task checkout-v2 sales Pricing owner:<@U0ANN> due:2026-11-25").await;
    app.set_time("2026-11-23T11:00:00Z");
    app.command(ANN, &format!("block {task} by {api} waiting on the API docs"))
        .await;
    let stored = app.store.task(task).await.unwrap().unwrap();
    assert_eq!(stored.blocked_by, Some(api));

    day(&app, "2026-11-24T10:05:00Z").await;
    let level2 = posts_with(&app, "Escalation to the function lead");
    assert_eq!(level2.len(), 1, "blocked one working day");
    let text = level2[0]["text"].as_str().unwrap();
    assert!(
        text.contains("blocked for 1 working day: waiting on the API docs"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Waiting on `{api}` API docs")) && text.contains("<@U0BOB>"),
        "{text}"
    );

    // Acknowledge: no further level for a working day.
    let ack = esc_action(
        &app,
        json!({"action_id": "esc_ack", "block_id": format!("task:{}:esc", task.0), "value": task.0.to_string()}),
    );
    assert_eq!(app.interaction(&ack).await.status(), 200);
    let history = app.store.task_history(task).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.field, last.note.as_deref()),
        (ChangeField::Snooze, Some("acknowledged the escalation"))
    );
    // Snooze from the menu on Tuesday: three working days, through Friday the 27th.
    let snooze = esc_action(
        &app,
        json!({
            "action_id": "esc_snooze", "block_id": format!("task:{}:esc", other.0),
            "selected_option": {"value": format!("{}:3", other.0), "text": {"type": "plain_text", "text": "3 working days"}}
        }),
    );
    app.interaction(&snooze).await;
    assert_eq!(
        app.store.task(other).await.unwrap().unwrap().snoozed_until,
        Some(date("2026-11-27"))
    );
    day(&app, "2026-11-25T10:05:00Z").await;
    assert!(
        posts_with(&app, "Escalation to the launch lead").is_empty(),
        "held by the acknowledgement"
    );
    day(&app, "2026-11-26T10:05:00Z").await;
    assert_eq!(posts_with(&app, "Escalation to the launch lead").len(), 1);

    day(&app, "2026-11-27T10:05:00Z").await;
    assert!(
        posts_with(&app, &format!("Overdue task: `{other}`")).is_empty(),
        "snoozed"
    );
    let until = esc_action(
        &app,
        json!({"action_id": "esc_snooze_until", "block_id": format!("task:{}:esc", other.0), "selected_date": "2026-12-04"}),
    );
    app.interaction(&until).await;
    assert_eq!(
        app.store.task(other).await.unwrap().unwrap().snoozed_until,
        Some(date("2026-12-04"))
    );
    // The date picker keeps to the command's cap (10 working days): a snooze into next year is
    // a new due date, not a snooze, and is refused.
    let too_far = esc_action(
        &app,
        json!({"action_id": "esc_snooze_until", "block_id": format!("task:{}:esc", other.0), "selected_date": "2027-03-01"}),
    );
    app.interaction(&too_far).await;
    assert_eq!(
        app.store.task(other).await.unwrap().unwrap().snoozed_until,
        Some(date("2026-12-04")),
        "unchanged"
    );

    // Unblocking resolves the blocked episode's escalations.
    app.command(ANN, &format!("unblock {task}")).await;
    app.deliver().await;
    let notices = posts_with(&app, "Resolved:");
    assert!(
        notices.len() >= 2 && notices[0]["text"].as_str().unwrap().contains("on track"),
        "{notices:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_later_due_date_starts_a_new_episode() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    let task = setup(&app).await;
    day(&app, "2026-12-04T10:05:00Z").await;
    assert_eq!(posts_with(&app, ":rotating_light: Overdue task").len(), 1);
    app.command(ANN, &format!("due {task} 2026-12-07")).await;
    day(&app, "2026-12-07T10:05:00Z").await;
    assert_eq!(
        posts_with(&app, ":rotating_light: Overdue task").len(),
        1,
        "not overdue against the new date yet"
    );
    day(&app, "2026-12-09T10:05:00Z").await;
    // Overdue again against the new date: the ladder starts again at level 1.
    let overdue = posts_with(&app, ":rotating_light: Overdue task");
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert!(posts_with(&app, "Escalation to the function lead").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn tasks_without_owner_or_lead_escalate_to_the_next_person_up() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    task_id(&app, "task checkout-v2 sales Unowned due:2026-12-03").await;
    task_id(&app, "task checkout-v2 marketing Also unowned due:2026-12-03").await;
    day(&app, "2026-12-04T10:05:00Z").await;
    let overdue = posts_with(&app, ":rotating_light: Overdue task");
    let mut channels: Vec<&str> = overdue.iter().map(|b| b["channel"].as_str().unwrap()).collect();
    channels.sort();
    // Sales has a lead; marketing has none, so its launch lead hears it.
    assert_eq!(channels, vec!["D0LEAD", "D0SLEAD"]);
    app.stop().await;
}

#[tokio::test]
async fn the_owners_time_zone_decides_when_a_task_is_overdue() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.slack.set_timezone(ANN, "Pacific/Kiritimati");
    let task = setup(&app).await;
    app.learn_timezone(ANN).await;
    // 11:00 UTC on the 3rd is already the 4th in Kiritimati (UTC+14): overdue for Ann.
    day(&app, "2026-12-03T11:00:00Z").await;
    let overdue = posts_with(&app, &format!("Overdue task: `{task}`"));
    assert_eq!(overdue.len(), 1);
    app.stop().await;
}

async fn concurrent_sweeps_fire_each_level_once(app: TestApp) {
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    for i in 0..8 {
        task_id(
            &app,
            &format!("task checkout-v2 sales Task {i} owner:<@U0ANN> due:2026-12-03"),
        )
        .await;
    }
    app.set_time("2026-12-07T10:05:00Z");
    let scheduler = || app.state.scheduler();
    let (a, b, c, d) = (scheduler(), scheduler(), scheduler(), scheduler());
    let (ra, rb, rc, rd) = tokio::join!(a.sweep_now(), b.sweep_now(), c.sweep_now(), d.sweep_now());
    let fired = ra.unwrap().fired + rb.unwrap().fired + rc.unwrap().fired + rd.unwrap().fired;
    assert_eq!(fired, 8, "each task's level fired by exactly one sweep");
    app.tick().await;
    app.tick().await;
    let posted = posts_with(&app, "Escalation to the function lead");
    assert_eq!(posted.len(), 1, "one list for the eight tasks");
    assert!(
        posted[0]["text"].as_str().unwrap().contains("8 tasks"),
        "{}",
        posted[0]["text"]
    );
    app.stop().await;
}

#[tokio::test]
async fn concurrent_sweeps_fire_each_level_once_on_sqlite() {
    concurrent_sweeps_fire_each_level_once(TestApp::spawn_with(true, CONFIG).await).await;
}

#[tokio::test]
async fn concurrent_sweeps_fire_each_level_once_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres(CONFIG).await else {
        return;
    };
    concurrent_sweeps_fire_each_level_once(app).await;
}

#[tokio::test]
async fn blocked_on_the_command_line_needs_a_real_other_task() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    let task = setup(&app).await;
    let reply = app.command(ANN, &format!("block {task} by {task} circular")).await;
    assert!(reply["text"].as_str().unwrap().contains("cannot wait on itself"));
    let reply = app.command(ANN, &format!("block {task} by T999 nothing")).await;
    assert!(reply["text"].as_str().unwrap().contains("there is no task T999"));
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::Todo);
    app.stop().await;
}

#[tokio::test]
async fn a_task_due_monday_or_on_a_saturday_is_reminded_on_the_friday_before() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    // Ann wants the deck by Monday 7 December; the one-pager she typed for Saturday 5th.
    let deck = task_id(&app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:2026-12-07").await;
    let one_pager = task_id(&app, "task checkout-v2 sales One-pager owner:<@U0ANN> due:2026-12-05").await;

    day(&app, "2026-12-03T10:05:00Z").await; // Thursday
    assert!(posts_with(&app, ":alarm_clock: Reminder").is_empty(), "too early");
    day(&app, "2026-12-04T10:05:00Z").await; // Friday
    let reminders = posts_with(&app, ":alarm_clock: Reminder");
    // Both on Friday, in one DM (one message per person and level).
    assert_eq!(reminders.len(), 1, "both on Friday, in one DM: {reminders:#?}");
    assert!(reminders.iter().all(|r| r["channel"] == "D0ANN"));
    for id in [deck, one_pager] {
        assert!(
            reminders
                .iter()
                .any(|r| r["text"].as_str().unwrap().contains(&format!("`{id}`"))),
            "{id}: {reminders:#?}"
        );
    }
    day(&app, "2026-12-07T10:05:00Z").await; // Monday: the deck is due today, not reminded again
    assert_eq!(posts_with(&app, ":alarm_clock: Reminder").len(), 1);
    app.stop().await;
}
