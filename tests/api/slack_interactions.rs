//! Buttons and modals end to end: signed `payload=` posts, then the database and the calls
//! the fake Slack received.

use liftoff_core::{ChangeField, ChangeSource, LaunchRef, Slug, TaskId, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::TEAM_ID;
use crate::helpers::{TestApp, date, user};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";
const CHANNEL: &str = "C0CHECKIN";
const TS: &str = "1764000000.000100";

async fn launch_with_task(app: &TestApp) -> TaskId {
    app.command(LEAD, "new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    let reply = app
        .command(LEAD, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-7")
        .await;
    let text = reply["text"].as_str().unwrap();
    let start = text.find("`T").unwrap() + 1;
    TaskId::parse(&text[start..].chars().take_while(|c| *c != '`').collect::<String>()).unwrap()
}

/// A channel message with a header and the task's row, as Liftoff posts them.
async fn seed_channel_message(app: &TestApp, task: TaskId) -> Value {
    let task = app.store.task(task).await.unwrap().unwrap();
    let launch = app.store.launch_by_id(task.launch_id).await.unwrap().unwrap();
    let mut blocks =
        vec![json!({"type": "header", "block_id": "head", "text": {"type": "plain_text", "text": "Sales check-in"}})];
    for block in liftoff::slack::render::task_row_after_change(&task, &launch, date("2026-11-23")) {
        blocks.push(serde_json::to_value(block).unwrap());
    }
    let blocks = Value::Array(blocks);
    app.slack.seed_message(CHANNEL, TS, "Sales check-in", blocks.clone());
    blocks
}

fn block_action(
    app: &TestApp,
    user: &str,
    action_id: &str,
    task: TaskId,
    message: Option<Value>,
    ephemeral: bool,
) -> Value {
    let mut payload = json!({
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "liftoff-test"},
        "user": {"id": user, "username": "someone", "team_id": TEAM_ID},
        "api_app_id": "A0LIFTOFF",
        "trigger_id": "1111.2222.trigger",
        "response_url": app.slack.response_url("button"),
        "container": {"type": "message", "message_ts": TS, "channel_id": CHANNEL, "is_ephemeral": ephemeral},
        "channel": {"id": CHANNEL, "name": "launch-sales"},
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": format!("task:{}:actions", task.0),
            "value": task.0.to_string(), "action_ts": "1764000001.000200",
            "text": {"type": "plain_text", "text": "Done"}
        }]
    });
    if let Some(blocks) = message {
        payload["message"] =
            json!({"type": "message", "ts": TS, "text": "Sales check-in", "blocks": blocks, "bot_id": "B0BOT"});
    }
    payload
}

fn view_submission(user: &str, callback_id: &str, metadata: &str, values: Value) -> Value {
    json!({
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "liftoff-test"},
        "user": {"id": user, "username": "someone", "team_id": TEAM_ID},
        "api_app_id": "A0LIFTOFF",
        "trigger_id": "3333.4444.trigger",
        "view": {
            "id": "V0VIEW", "type": "modal", "callback_id": callback_id,
            "private_metadata": metadata, "hash": "1.hash",
            "state": {"values": values}
        }
    })
}

#[tokio::test]
async fn a_done_button_updates_the_task_and_its_row_in_place() {
    let app = TestApp::spawn().await;
    let task = launch_with_task(&app).await;
    let blocks = seed_channel_message(&app, task).await;

    let response = app
        .interaction(&block_action(&app, ANN, "task_done", task, Some(blocks.clone()), false))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::Done);
    let history = app.store.task_history(task).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.field, last.source), (ChangeField::Status, ChangeSource::Button));
    assert_eq!(last.actor, liftoff_core::Actor::User(user(ANN)));

    let updates = app.slack.wait_for("chat.update", 1).await;
    assert_eq!(updates[0]["channel"], CHANNEL);
    assert_eq!(updates[0]["ts"], TS);
    let new_blocks = updates[0]["blocks"].as_array().unwrap();
    assert_eq!(new_blocks[0], blocks[0], "the rest of the message is untouched");
    assert_eq!(new_blocks.len(), 2, "a done task keeps its line and loses its buttons");
    let line = new_blocks[1]["text"]["text"].as_str().unwrap();
    assert!(
        line.contains(&format!("`{task}` Battlecard")) && line.contains("done"),
        "{line}"
    );
    app.stop().await;
}

#[tokio::test]
async fn at_risk_on_track_and_snooze_buttons() {
    let app = TestApp::spawn().await;
    let task = launch_with_task(&app).await;
    let blocks = seed_channel_message(&app, task).await;
    app.interaction(&block_action(
        &app,
        ANN,
        "task_at_risk",
        task,
        Some(blocks.clone()),
        false,
    ))
    .await;
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::AtRisk);
    app.interaction(&block_action(
        &app,
        ANN,
        "task_on_track",
        task,
        Some(blocks.clone()),
        false,
    ))
    .await;
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::OnTrack);
    app.interaction(&block_action(&app, ANN, "task_snooze", task, Some(blocks), false))
        .await;
    assert_eq!(
        app.store.task(task).await.unwrap().unwrap().snoozed_until,
        Some(date("2026-11-24"))
    );
    app.slack.wait_for("chat.update", 3).await;
    app.stop().await;
}

#[tokio::test]
async fn blocked_opens_a_modal_that_requires_a_reason() {
    let app = TestApp::spawn().await;
    let task = launch_with_task(&app).await;
    seed_channel_message(&app, task).await;

    let response = app
        .interaction(&block_action(&app, ANN, "task_blocked", task, None, false))
        .await;
    assert_eq!(response.status(), 200);
    let opened = app.slack.wait_for("views.open", 1).await;
    assert_eq!(opened[0]["trigger_id"], "1111.2222.trigger");
    let view = &opened[0]["view"];
    assert_eq!(view["callback_id"], "task_blocked_reason");
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    assert_eq!(
        app.store.task(task).await.unwrap().unwrap().status,
        TaskStatus::Todo,
        "nothing yet"
    );

    let empty = view_submission(
        ANN,
        "task_blocked_reason",
        &metadata,
        json!({"reason": {"reason": {"type": "plain_text_input", "value": "   "}}}),
    );
    let response = app.interaction(&empty).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["response_action"], "errors");
    assert!(
        body["errors"]["reason"].as_str().unwrap().contains("needs a reason"),
        "{body}"
    );
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::Todo);

    let bad_blocker = view_submission(
        ANN,
        "task_blocked_reason",
        &metadata,
        json!({
            "reason": {"reason": {"type": "plain_text_input", "value": "waiting on legal"}},
            "blocked_by": {"blocked_by": {"type": "plain_text_input", "value": "T999"}}
        }),
    );
    let body: Value = app.interaction(&bad_blocker).await.json().await.unwrap();
    assert!(
        body["errors"]["blocked_by"]
            .as_str()
            .unwrap()
            .contains("there is no task T999"),
        "{body}"
    );
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::Todo);

    let filled = view_submission(
        ANN,
        "task_blocked_reason",
        &metadata,
        json!({"reason": {"reason": {"type": "plain_text_input", "value": "waiting on legal"}}}),
    );
    let response = app.interaction(&filled).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "", "an empty 200 closes the modal");
    let stored = app.store.task(task).await.unwrap().unwrap();
    assert_eq!(stored.status, TaskStatus::blocked("waiting on legal").unwrap());
    assert_eq!(
        app.store.task_history(task).await.unwrap().last().unwrap().source,
        ChangeSource::Modal
    );

    // The message is fetched (it was not in the submission) and its row updated.
    app.slack.wait_for("conversations.history", 1).await;
    let updates = app.slack.wait_for("chat.update", 1).await;
    assert!(
        updates[0]["blocks"].to_string().contains("blocked: waiting on legal"),
        "{}",
        updates[0]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_button_on_an_ephemeral_message_replaces_it_through_response_url() {
    let app = TestApp::spawn().await;
    let task = launch_with_task(&app).await;
    let mine = app.command(ANN, "mine").await;
    let response = app
        .interaction(&block_action(
            &app,
            ANN,
            "task_on_track",
            task,
            Some(mine["blocks"].clone()),
            true,
        ))
        .await;
    assert_eq!(response.status(), 200);
    let responses = app.slack.wait_for("response_url", 1).await;
    assert_eq!(responses[0]["replace_original"], true);
    assert!(
        responses[0]["text"].as_str().unwrap().contains("on track"),
        "{}",
        responses[0]
    );
    assert!(
        app.slack.calls("chat.update").is_empty(),
        "ephemeral messages are not chat.update'd"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_button_for_a_missing_task_explains_itself() {
    let app = TestApp::spawn().await;
    launch_with_task(&app).await;
    app.interaction(&block_action(&app, ANN, "task_done", TaskId(999), None, false))
        .await;
    let responses = app.slack.wait_for("response_url", 1).await;
    assert_eq!(responses[0]["replace_original"], false);
    assert!(
        responses[0]["text"].as_str().unwrap().contains("there is no task T999"),
        "{}",
        responses[0]
    );
    app.stop().await;
}

#[tokio::test]
async fn interactions_from_another_team_are_refused() {
    let app = TestApp::spawn().await;
    let task = launch_with_task(&app).await;
    let mut payload = block_action(&app, ANN, "task_done", task, None, false);
    payload["team"]["id"] = json!("T0OTHER");
    let response = app.interaction(&payload).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.store.task(task).await.unwrap().unwrap().status, TaskStatus::Todo);
    app.stop().await;
}

#[tokio::test]
async fn the_new_launch_form_validates_like_the_command() {
    let app = TestApp::spawn().await;
    let metadata = json!({"channel": "C0LAUNCH", "response_url": app.slack.response_url("new")}).to_string();
    let values = |name: &str, tier: Option<&str>, date: Option<&str>| {
        json!({
            "name": {"name": {"type": "plain_text_input", "value": name}},
            "tier": {"tier": {"type": "static_select", "selected_option": tier.map(|t| json!({"value": t}))}},
            "date": {"date": {"type": "datepicker", "selected_date": date}},
            "lead": {"lead": {"type": "users_select", "selected_user": "U0LEAD"}}
        })
    };
    let errors = |body: &Value| body["errors"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();

    let response = app
        .interaction(&view_submission(
            LEAD,
            "new_launch",
            &metadata,
            values("Checkout", None, None),
        ))
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["response_action"], "errors");
    assert_eq!(errors(&body), vec!["date", "tier"]);

    let response = app
        .interaction(&view_submission(
            LEAD,
            "new_launch",
            &metadata,
            values("Checkout", Some("1"), Some("2026-01-05")),
        ))
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(errors(&body), vec!["date"]);
    assert!(body["errors"]["date"].as_str().unwrap().contains("in the past"));
    assert!(app.store.list_launches(true).await.unwrap().is_empty());

    let response = app
        .interaction(&view_submission(
            LEAD,
            "new_launch",
            &metadata,
            values("Checkout v2", Some("2"), Some("2026-12-10")),
        ))
        .await;
    assert_eq!(response.status(), 200);
    let launch = app
        .store
        .launch(&LaunchRef::Slug(Slug::parse("checkout-v2").unwrap()))
        .await
        .unwrap()
        .expect("created from the form");
    assert_eq!(launch.lead, Some(user(LEAD)));
    assert_eq!(
        app.store.launch_history(launch.id).await.unwrap()[0].source,
        ChangeSource::Modal
    );
    let confirmations = app.slack.wait_for("response_url", 1).await;
    assert!(confirmations[0]["text"].as_str().unwrap().contains("`checkout-v2`"));
    app.stop().await;
}
