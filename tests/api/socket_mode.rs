//! Socket Mode against a local fake websocket: the same handlers as the request URLs, every
//! envelope acknowledged, reconnection on `disconnect` and on a cut connection.

use liftoff_core::{LaunchRef, Slug, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::{SocketConn, TEAM_ID};
use crate::helpers::{ClockExt, FORM, TestApp};

fn command_envelope(id: &str, user: &str, text: &str) -> Value {
    json!({
        "envelope_id": id,
        "type": "slash_commands",
        "accepts_response_payload": true,
        "payload": {
            "token": "legacy", "team_id": TEAM_ID, "team_domain": "liftoff-test",
            "channel_id": "C0LAUNCH", "channel_name": "launches", "user_id": user, "user_name": "someone",
            "command": "/launch", "text": text, "api_app_id": "A0LIFTOFF",
            "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc", "trigger_id": "1.2.3"
        }
    })
}

async fn ack_for(conn: &mut SocketConn, id: &str) -> Value {
    let ack = conn.recv().await;
    assert_eq!(ack["envelope_id"], id, "{ack}");
    ack
}

#[tokio::test]
async fn commands_over_the_socket_are_acknowledged_with_the_reply() {
    let app = TestApp::spawn_socket_mode().await;
    let mut conn = app.slack.next_socket().await;
    assert_eq!(app.slack.calls("apps.connections.open").len(), 1);

    conn.send(command_envelope(
        "env-1",
        "U0LEAD",
        "new Checkout v2 tier:1 date:2026-12-10",
    ));
    let ack = ack_for(&mut conn, "env-1").await;
    assert_eq!(ack["payload"]["response_type"], "in_channel");
    assert!(ack["payload"]["text"].as_str().unwrap().contains("`checkout-v2`"));
    let launch = app
        .store
        .launch(&LaunchRef::Slug(Slug::parse("checkout-v2").unwrap()))
        .await
        .unwrap();
    assert!(launch.is_some());

    conn.send(command_envelope(
        "env-2",
        "U0LEAD",
        "new Checkout tier:9 date:2026-12-10",
    ));
    let ack = ack_for(&mut conn, "env-2").await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(ack["payload"]["text"].as_str().unwrap().contains("`9` is not a tier"));

    // No request URLs in Socket Mode: there is no signing secret to check them with.
    let response = app
        .post_raw("/slack/commands", FORM, "text=help", Some("1"), Some("v0=00"))
        .await;
    assert_eq!(response.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn interactions_and_events_over_the_socket() {
    let app = TestApp::spawn_socket_mode().await;
    let mut conn = app.slack.next_socket().await;
    conn.send(command_envelope(
        "e1",
        "U0LEAD",
        "new Checkout v2 tier:1 date:2026-12-10",
    ));
    ack_for(&mut conn, "e1").await;
    conn.send(command_envelope(
        "e2",
        "U0LEAD",
        "task checkout-v2 sales Deck owner:<@U0ANN>",
    ));
    ack_for(&mut conn, "e2").await;
    let launch = app.launch("checkout-v2").await;
    let deck = app
        .store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .find(|task| task.title == "Deck")
        .expect("the deck")
        .id;

    // Ann, its owner, presses Done on it.
    let button = json!({
        "envelope_id": "e3", "type": "interactive", "accepts_response_payload": false,
        "payload": {
            "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": "U0ANN"}, "trigger_id": "t",
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0X", "is_ephemeral": true},
            "actions": [{"action_id": "task_done", "block_id": format!("task:{}:actions", deck.0), "value": deck.0.to_string()}]
        }
    });
    conn.send(button);
    let ack = ack_for(&mut conn, "e3").await;
    assert!(
        ack.get("payload").is_none(),
        "a button press is acknowledged without payload"
    );
    let task = app.store.task(deck).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Done);

    let modal = json!({
        "envelope_id": "e4", "type": "interactive", "accepts_response_payload": true,
        "payload": {
            "type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": "U0ANN"},
            "view": {"id": "V1", "callback_id": "task_blocked_reason", "private_metadata": format!("{{\"task\":{},\"ephemeral\":true}}", deck.0),
                     "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": ""}}}}}
        }
    });
    conn.send(modal);
    let ack = ack_for(&mut conn, "e4").await;
    assert_eq!(ack["payload"]["response_action"], "errors");

    let event = |envelope: &str| {
        json!({
            "envelope_id": envelope, "type": "events_api", "accepts_response_payload": false,
            "payload": {"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev77", "event_time": 1,
                        "event": {"type": "message", "text": "hello"}}
        })
    };
    conn.send(event("e5"));
    ack_for(&mut conn, "e5").await;
    conn.send(event("e6"));
    ack_for(&mut conn, "e6").await;
    let now = app.clock.now_for_tests();
    assert!(
        !app.store.record_slack_event("Ev77", now).await.unwrap(),
        "the event was recorded once"
    );
    app.stop().await;
}

#[tokio::test]
async fn reconnects_when_slack_asks_and_when_the_link_drops() {
    let app = TestApp::spawn_socket_mode().await;
    let first = app.slack.next_socket().await;
    first.send(json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "x"}}));
    let second = app.slack.next_socket().await;
    assert_eq!(app.slack.calls("apps.connections.open").len(), 2);

    second.cut();
    let mut third = app.slack.next_socket().await;
    assert_eq!(app.slack.calls("apps.connections.open").len(), 3);
    third.send(command_envelope("after", "U0LEAD", "help"));
    let ack = ack_for(&mut third, "after").await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    app.stop().await;
}

#[tokio::test]
async fn commands_from_another_team_are_ignored_over_the_socket() {
    let app = TestApp::spawn_socket_mode().await;
    let mut conn = app.slack.next_socket().await;
    let mut envelope = command_envelope("x1", "U0LEAD", "new Checkout tier:1 date:2026-12-10");
    envelope["payload"]["team_id"] = json!("T0OTHER");
    conn.send(envelope);
    let ack = ack_for(&mut conn, "x1").await;
    assert!(ack.get("payload").is_none());
    assert!(app.store.list_launches(true).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_slow_envelope_does_not_hold_back_the_next_acknowledgement() {
    let app = TestApp::spawn_socket_mode_with("[permissions]\nadmins = [\"U0LEAD\"]\n").await;
    let mut conn = app.slack.next_socket().await;
    // `/launch channel` asks Slack about the channel; Slack is slow to answer this time.
    app.slack.fail_next(
        "conversations.info",
        crate::fake_slack::Failure::Slow(std::time::Duration::from_millis(1200)),
    );
    conn.send(command_envelope("slow", "U0LEAD", "channel sales <#C0SALES|sales>"));
    conn.send(command_envelope("quick", "U0LEAD", "help"));
    let first = conn.recv().await;
    assert_eq!(
        first["envelope_id"], "quick",
        "read and answered while the other was busy"
    );
    let second = conn.recv().await;
    assert_eq!(second["envelope_id"], "slow");
    app.stop().await;
}

#[tokio::test]
async fn a_half_open_link_is_noticed_and_replaced() {
    // Pings every 100 ms: a link silent for three of them is dead.
    let app = TestApp::spawn_socket_mode_with("[slack]\nsocket_ping_ms = 100\n").await;
    let first = app.slack.next_socket().await;
    first.go_silent();
    let mut second = app.slack.next_socket().await;
    assert_eq!(app.slack.calls("apps.connections.open").len(), 2);
    second.send(command_envelope("after", "U0LEAD", "help"));
    let ack = ack_for(&mut second, "after").await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    app.stop().await;
}

#[tokio::test]
async fn before_slack_closes_a_connection_the_next_one_is_open_and_nothing_is_lost() {
    let app = TestApp::spawn_socket_mode().await;
    let mut old = app.slack.next_socket().await;
    // Slack warns, then closes the connection a little later.
    old.disconnect("warning", std::time::Duration::from_millis(800));
    let mut new = app.slack.next_socket().await;
    assert_eq!(
        app.slack.open_sockets(),
        2,
        "the next connection opened before the old one closed"
    );
    // An envelope Slack had already sent on the old connection is still handled and acked.
    old.send(command_envelope("in-flight", "U0LEAD", "help"));
    let ack = ack_for(&mut old, "in-flight").await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    new.send(command_envelope("next", "U0LEAD", "help"));
    ack_for(&mut new, "next").await;
    app.stop().await;
}

#[tokio::test]
async fn too_many_websockets_backs_off_instead_of_reconnecting_in_a_loop() {
    let app = TestApp::spawn_socket_mode().await;
    let first = app.slack.next_socket().await;
    // Other instances of the app hold every connection Slack allows.
    app.slack.limit_sockets(0);
    first.cut();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let attempts = app.slack.calls("apps.connections.open").len();
    assert!(attempts >= 2, "it tries again: {attempts}");
    assert!(attempts <= 6, "with backoff, not in a tight loop: {attempts} in 2 s");
    // Room again: it connects.
    app.slack.limit_sockets(10);
    let mut conn = app.slack.next_socket().await;
    conn.send(command_envelope("back", "U0LEAD", "help"));
    ack_for(&mut conn, "back").await;
    app.stop().await;
}
