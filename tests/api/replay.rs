//! Replays request bodies in the exact shapes real Slack sends, taken from Slack's SDKs'
//! recorded payloads (`tests/fixtures/slack/`, each file's source in its README): ids are
//! swapped for this test's workspace, the text for what a task owner writes, and the body is
//! signed and posted through the real service. Each test asserts what happened to the data.

use liftoff_core::{LaunchRef, Slug, Task, TaskStatus};
use serde_json::{Value, json};

use crate::fake_slack::TEAM_ID;
use crate::helpers::{ClockExt, FORM, TestApp};

const LEAD: &str = "U0LEAD";
const ANN: &str = "U0ANN";
const SALES: &str = "C0SALES";
const BOT_USER: &str = slack_emulator::BOT_USER_ID;

const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[escalation]
enabled = false
[functions.sales]
channel = "C0SALES"
"#;

/// A fixture as Slack sent it.
pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/slack/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Replaces every string value equal to one of `ids` (JSON-aware, so `A111` does not touch
/// `A1111`), leaving the payload's shape exactly as recorded.
pub(crate) fn with_ids(value: Value, ids: &[(&str, &str)]) -> Value {
    match value {
        Value::String(s) => Value::String(
            ids.iter()
                .find(|(from, _)| *from == s)
                .map_or(s, |(_, to)| (*to).to_owned()),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| with_ids(v, ids)).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, with_ids(v, ids))).collect()),
        other => other,
    }
}

/// Sets the field at `pointer` (which must exist in the recorded shape).
pub(crate) fn set(value: &mut Value, pointer: &str, to: Value) {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the recorded payload has no {pointer}")) = to;
}

/// What Slack sends for text a person typed: `&`, `<`, `>` escaped.
pub(crate) fn typed(text: &str) -> Value {
    Value::String(slack_emulator::escape_typed(text))
}

struct Fixture {
    app: TestApp,
    /// Ann's sales tasks, listed in the check-in.
    tasks: Vec<Task>,
    checkin_ts: String,
}

/// A tier-1 launch whose sales tasks belong to Ann, and the sales check-in posted for it.
async fn with_checkin(app: TestApp) -> Fixture {
    app.command(LEAD, "new Payments Hub tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    let launch = app.launch("payments-hub").await;
    for task in app.store.launch_tasks(launch.id).await.unwrap() {
        if task.function.as_str() == "sales" {
            app.command(LEAD, &format!("assign {} <@{ANN}>", task.id)).await;
        }
    }
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let now = app.clock.now_for_tests();
    let checkin_ts = app
        .store
        .checkins_since(now - chrono::Duration::days(1))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.outbox_key.starts_with("checkin:sales"))
        .and_then(|c| c.ts)
        .expect("the sales check-in was posted");
    let tasks: Vec<Task> = app
        .store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.function.as_str() == "sales")
        .collect();
    assert!(tasks.len() >= 2, "the tier-1 template has sales tasks");
    Fixture { app, tasks, checkin_ts }
}

impl Fixture {
    /// bolt-python's recorded thread reply (`test_events_assistant.py`) from Ann in the sales
    /// check-in's thread, saying `text`.
    fn thread_reply(&self, text: &str) -> Value {
        let mut body = with_ids(
            fixture("message_thread_reply.json"),
            &[
                ("T111", TEAM_ID),
                ("W222", ANN),
                ("W111", BOT_USER),
                ("C111", SALES),
                ("1726133698.626339", &self.checkin_ts),
            ],
        );
        set(&mut body, "/event/text", typed(text));
        body
    }

    /// A real DM from Ann to the app (MercuryTechnologies/slack-web golden test, channel_type
    /// "im"), saying `text`.
    fn direct_message(&self, text: &str) -> Value {
        let mut body = with_ids(
            fixture("message_im.json"),
            &[
                ("T043DB835ML", TEAM_ID),
                ("U043H11ES4V", ANN),
                ("U0442US8QGH", BOT_USER),
                ("D0442US94JD", "D0ANN"),
            ],
        );
        set(&mut body, "/event/text", typed(text));
        body
    }

    /// Ann's edit of her reply at `reply_ts` from `old` to `new` (bolt-python's envelope of
    /// test_message_changed.py around java-slack-sdk's threaded edit, MessageChangedEventTest).
    fn edit(&self, event_id: &str, reply_ts: &str, old: &str, new: &str) -> Value {
        let mut edit = with_ids(
            fixture("message_changed.json"),
            &[
                ("T111", TEAM_ID),
                ("T-auth", TEAM_ID),
                ("U111", ANN),
                ("U-auth", BOT_USER),
                ("C111", SALES),
                ("1626342092.008500", &self.checkin_ts),
                ("1626342128.008700", reply_ts),
                ("Ev111", event_id),
            ],
        );
        set(&mut edit, "/event/previous_message/text", typed(old));
        set(&mut edit, "/event/message/text", typed(new));
        edit
    }

    async fn post_event(&self, body: &Value) -> u16 {
        self.app
            .post_signed("/slack/events", "application/json", &body.to_string())
            .await
            .status()
            .as_u16()
    }

    async fn status(&self, index: usize) -> TaskStatus {
        self.app.store.task(self.tasks[index].id).await.unwrap().unwrap().status
    }

    fn posts(&self) -> usize {
        self.app.slack.calls("chat.postMessage").len() + self.app.slack.calls("chat.postEphemeral").len()
    }
}

#[tokio::test]
async fn a_thread_reply_as_slack_sends_it_updates_the_task() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // bolt-python's recorded thread reply (test_events_assistant.py).
    let task = f.tasks[0].id;
    let body = f.thread_reply(&format!("`{task}` done & dusted"));
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    f.app.deliver().await;
    let confirmation = f.app.slack.last_post(SALES).unwrap();
    assert_eq!(
        confirmation["thread_ts"],
        f.checkin_ts.as_str(),
        "answered in the thread"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn a_reply_also_sent_to_the_channel_is_applied() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // bolt-python test_message_thread_broadcast.py: subtype thread_broadcast.
    let mut body = with_ids(
        fixture("message_thread_broadcast.json"),
        &[
            ("T111", TEAM_ID),
            ("U111", ANN),
            ("W111", BOT_USER),
            ("C111", SALES),
            ("1633663824.000500", &f.checkin_ts),
        ],
    );
    let task = f.tasks[0].id;
    set(
        &mut body,
        "/event/text",
        typed(&format!("{task} at risk: waiting on pricing")),
    );
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::AtRisk);
    f.app.stop().await;
}

#[tokio::test]
async fn a_reply_with_a_screenshot_is_applied() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // The envelope of bolt-python's test_message_file_share.py around java-slack-sdk's
    // recorded file_share event in a thread (MessageFileShareEventTest).
    let mut body = fixture("message_file_share.json");
    body["event"] = fixture("message_file_share_thread_event_only.json");
    let mut body = with_ids(
        body,
        &[
            ("T111", TEAM_ID),
            ("W111", ANN),
            ("U222", BOT_USER),
            ("C111", SALES),
            ("1595552279.000600", &f.checkin_ts),
        ],
    );
    let task = f.tasks[0].id;
    set(
        &mut body,
        "/event/text",
        typed(&format!("{task} blocked waiting on legal <see screenshot>")),
    );
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(
        f.status(0).await,
        TaskStatus::blocked("waiting on legal <see screenshot>").unwrap()
    );
    f.app.stop().await;
}

#[tokio::test]
async fn an_edit_applies_what_the_first_version_did_not_and_never_twice() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    let (first, second) = (f.tasks[0].id, f.tasks[1].id);
    // Ann's reply, with a typo in the second line.
    let original = format!("{first} on track\n{second} dne");
    let reply = f.thread_reply(&original);
    assert_eq!(f.post_event(&reply).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::OnTrack);
    assert_eq!(f.status(1).await, TaskStatus::Todo, "not understood");
    let reply_ts = reply["event"]["ts"].as_str().unwrap().to_owned();

    // She edits it (bolt-python's envelope of test_message_changed.py around java-slack-sdk's
    // threaded edit, MessageChangedEventTest).
    let edit = |event_id: &str, old: &str, new: &str| f.edit(event_id, &reply_ts, old, new);
    let fixed = format!("{first} on track\n{second} done");
    assert_eq!(f.post_event(&edit("EvEdit1", &original, &fixed)).await, 200);
    assert_eq!(f.status(1).await, TaskStatus::Done, "the fixed line is applied");
    let history = |task| f.app.store.task_history(task);
    let first_changes = history(first).await.unwrap().len();

    // Someone marks the first task at risk; Ann then edits her reply again (a typo elsewhere).
    f.app.command(LEAD, &format!("risk {first} vendor late")).await;
    let again = format!("{first} on track\n{second} done, thanks");
    assert_eq!(f.post_event(&edit("EvEdit2", &fixed, &again)).await, 200);
    assert_eq!(
        f.status(0).await,
        TaskStatus::AtRisk,
        "an edit does not apply again what the reply already applied"
    );
    assert_eq!(history(first).await.unwrap().len(), first_changes + 1);
    f.app.stop().await;
}

#[tokio::test]
async fn bot_posts_deletions_joins_and_unfurls_change_nothing() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    f.app.deliver().await;
    let posts_before = f.posts();
    let task = f.tasks[0].id;
    let update = typed(&format!("{task} done"));
    // Each recorded shape, aimed at the check-in thread where the text could mean something.
    let cases: Vec<(&str, Value)> = vec![
        ("message_deleted.json", {
            let mut b = with_ids(
                fixture("message_deleted.json"),
                &[("T111", TEAM_ID), ("T-auth", TEAM_ID), ("U111", ANN), ("C111", SALES)],
            );
            set(&mut b, "/event/previous_message/text", update.clone());
            b
        }),
        ("message_bot_message.json", {
            let mut b = with_ids(
                fixture("message_bot_message.json"),
                &[("T111", TEAM_ID), ("C111", SALES)],
            );
            set(&mut b, "/event/text", update.clone());
            b["event"]["thread_ts"] = json!(f.checkin_ts);
            b
        }),
        ("message_from_bot_user.json", {
            // Liftoff's own threaded post coming back to it.
            let mut b = with_ids(
                fixture("message_from_bot_user.json"),
                &[
                    ("T043DB835ML", TEAM_ID),
                    ("U0442US8QGH", BOT_USER),
                    ("C043YJGBY49", SALES),
                    ("1664216109.798919", &f.checkin_ts),
                ],
            );
            set(&mut b, "/event/text", update.clone());
            b
        }),
        ("message_channel_join.json", {
            with_ids(
                fixture("message_channel_join.json"),
                &[("T043DB835ML", TEAM_ID), ("U0442US8QGH", ANN), ("C043KSKGJUB", SALES)],
            )
        }),
        ("message_changed_thread_parent.json", {
            with_ids(
                fixture("message_changed_thread_parent.json"),
                &[("T111", TEAM_ID), ("C111", SALES), ("1726133698.626339", &f.checkin_ts)],
            )
        }),
        ("message_changed_unfurl.json", {
            with_ids(
                fixture("message_changed_unfurl.json"),
                &[("T043DB835ML", TEAM_ID), ("U043H11ES4V", ANN), ("C043YJGBY49", SALES)],
            )
        }),
    ];
    for (name, body) in cases {
        assert_eq!(f.post_event(&body).await, 200, "{name}");
        assert_eq!(f.status(0).await, TaskStatus::Todo, "{name} changed a task");
    }
    f.app.deliver().await;
    assert_eq!(f.posts(), posts_before, "nothing was said in reply");
    f.app.stop().await;
}

#[tokio::test]
async fn a_direct_message_to_the_app_is_applied_like_a_thread_reply() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // A real DM capture (MercuryTechnologies/slack-web golden test, channel_type "im").
    let task = f.tasks[0].id;
    let body = f.direct_message(&format!("{task} done"));
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    f.app.deliver().await;
    let answer = f.app.slack.last_post("D0ANN").expect("answered in the DM");
    assert!(answer["text"].as_str().unwrap().contains(&task.to_string()), "{answer}");
    f.app.stop().await;
}

#[tokio::test]
async fn a_slack_connect_event_is_accepted_for_this_installation_only() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // bolt-python test_events_shared_channels.py: the outer team_id is the other
    // organisation's; the installation is authorizations[0].
    let shared = |installed: &str| {
        let mut body = with_ids(
            fixture("shared_channel_message.json"),
            &[
                ("INSTALLED_TEAM_ID", installed),
                ("INSTALLED_BOT_USER_ID", BOT_USER),
                ("USER_ID_ACTOR", ANN),
                ("C111", SALES),
            ],
        );
        body["event_id"] = json!("EvShared1");
        body["event"]["thread_ts"] = json!(f.checkin_ts);
        body
    };
    let task = f.tasks[0].id;
    let mut foreign = shared("T0OTHER");
    set(&mut foreign, "/event/text", typed(&format!("{task} done")));
    assert_eq!(f.post_event(&foreign).await, 403, "another installation's event");
    assert_eq!(f.status(0).await, TaskStatus::Todo);
    let mut ours = shared(TEAM_ID);
    set(&mut ours, "/event/text", typed(&format!("{task} done")));
    assert_eq!(f.post_event(&ours).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    f.app.stop().await;
}

/// bolt-python's org-wide block_actions (team null, the organisation in `enterprise`), aimed
/// at a task's Done button.
fn org_wide_click(app: &TestApp, enterprise: &str, task: i64) -> Value {
    let mut payload = with_ids(
        fixture("org_install_block_actions.json"),
        &[
            ("W111", ANN),
            ("E111", enterprise),
            ("C111", SALES),
            ("T_expected", "T0ANNSWORKSPACE"),
        ],
    );
    set(&mut payload, "/response_url", json!(app.slack.response_url("org")));
    set(&mut payload, "/container/is_ephemeral", json!(false));
    set(&mut payload, "/actions/0/action_id", json!("task_done"));
    set(
        &mut payload,
        "/actions/0/block_id",
        json!(format!("task:{task}:actions")),
    );
    set(&mut payload, "/actions/0/value", json!(task.to_string()));
    payload
}

#[tokio::test]
async fn a_click_in_an_org_wide_install_has_no_team_and_is_accepted() {
    let f = with_checkin(TestApp::spawn_org_wide("E0ORG", CONFIG).await).await;
    let task = f.tasks[0].id;
    let response = f.app.interaction(&org_wide_click(&f.app, "E0ORG", task.0)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    // The same click from another organisation is refused.
    let other = org_wide_click(&f.app, "E0ELSEWHERE", f.tasks[1].id.0);
    assert_eq!(f.app.interaction(&other).await.status(), 403);
    assert_eq!(f.status(1).await, TaskStatus::Todo);
    f.app.stop().await;
}

#[tokio::test]
async fn a_workspace_install_refuses_an_org_wide_click() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    let click = org_wide_click(&f.app, "E0ORG", f.tasks[0].id.0);
    assert_eq!(f.app.interaction(&click).await.status(), 403);
    assert_eq!(f.status(0).await, TaskStatus::Todo);
    f.app.stop().await;
}

#[tokio::test]
async fn a_modal_submitted_from_a_slack_connect_channel_is_for_the_installed_team() {
    let app = TestApp::spawn_with(true, "[templates]\npath = \"tests/fixtures/no-templates.toml\"\n").await;
    // java-slack-sdk's Slack Connect view_submission: team is the guest's, the installation is
    // view.app_installed_team_id. The state is Liftoff's new-launch form.
    let mut payload = with_ids(
        fixture("view_submission_slack_connect.json"),
        &[("T-installed-workspace", TEAM_ID), ("W111", LEAD)],
    );
    set(&mut payload, "/view/callback_id", json!("new_launch"));
    set(
        &mut payload,
        "/view/private_metadata",
        json!(json!({"channel": "C0LAUNCH", "response_url": app.slack.response_url("new")}).to_string()),
    );
    set(
        &mut payload,
        "/view/state/values",
        json!({
            "name": {"name": {"type": "plain_text_input", "value": "Partner Portal"}},
            "tier": {"tier": {"type": "static_select", "selected_option": {"value": "3"}}},
            "date": {"date": {"type": "datepicker", "selected_date": "2026-12-10"}},
            "lead": {"lead": {"type": "users_select", "selected_user": LEAD}}
        }),
    );
    assert_eq!(app.interaction(&payload).await.status(), 200);
    assert!(
        app.store
            .launch(&LaunchRef::Slug(Slug::parse("partner-portal").unwrap()))
            .await
            .unwrap()
            .is_some()
    );
    // The same submission for a workspace this Liftoff does not serve.
    set(&mut payload, "/view/app_installed_team_id", json!("T0OTHER"));
    assert_eq!(app.interaction(&payload).await.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_slash_command_body_as_slack_posts_it_runs_with_its_text_unescaped() {
    let app = TestApp::spawn_with(true, "[templates]\npath = \"tests/fixtures/no-templates.toml\"\n").await;
    // bolt-js's recorded slash-command body, byte for byte but for this workspace's ids and
    // the text, which Slack escapes.
    let recorded = std::fs::read_to_string(format!(
        "{}/tests/fixtures/slack/slash_command.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut fields: Vec<(String, String)> = serde_urlencoded::from_str(&recorded).unwrap();
    for (key, value) in &mut fields {
        match key.as_str() {
            "team_id" => *value = TEAM_ID.to_owned(),
            "user_id" => *value = LEAD.to_owned(),
            "command" => *value = "/launch".to_owned(),
            "text" => *value = slack_emulator::escape_typed("new Q&A <beta> hub tier:3 date:2026-12-10"),
            "response_url" => *value = app.slack.response_url("cmd"),
            _ => {}
        }
    }
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let response = app.post_signed("/slack/commands", FORM, &body).await;
    assert_eq!(response.status(), 200);
    let launch = app
        .store
        .launch(&LaunchRef::Slug(Slug::parse("q-a-beta-hub").unwrap()))
        .await
        .unwrap()
        .expect("created");
    assert_eq!(launch.name, "Q&A <beta> hub");
    app.stop().await;
}

#[tokio::test]
async fn a_reply_whose_handler_died_is_applied_once_by_slacks_retry() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    let task = f.tasks[0].id;
    let body = f.thread_reply(&format!("{task} done"));
    // An instance claimed the event and was killed before applying it.
    let now = f.app.clock.now_for_tests();
    let claim = f
        .app
        .store
        .claim_slack_event("Ev111", now, chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(claim, liftoff::store::EventClaim::Claimed);
    // Slack's immediate retry finds it in progress and is not acknowledged...
    assert_eq!(f.post_event(&body).await, 500);
    assert_eq!(f.status(0).await, TaskStatus::Todo);
    // ...and its retry a minute later takes the dead claim over and applies the reply.
    f.app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    // The 5-minute retry (its answer lost on the way) is a duplicate: applied once.
    f.app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(f.post_event(&body).await, 200);
    let history = f.app.store.task_history(task).await.unwrap();
    let done = history.iter().filter(|h| h.to.as_deref() == Some("done")).count();
    assert_eq!(done, 1, "{history:?}");
    f.app.stop().await;
}

#[tokio::test]
async fn a_reply_that_comes_before_its_check_in_is_recorded_is_applied() {
    let config = CONFIG.replace(
        "[slack]\npost_interval_ms = 5\n",
        "[slack]\npost_interval_ms = 5\nrequest_timeout_secs = 1\n",
    );
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Payments Hub tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    let launch = app.launch("payments-hub").await;
    let sales: Vec<Task> = app
        .store
        .launch_tasks(launch.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.function.as_str() == "sales")
        .collect();
    app.command(LEAD, &format!("assign payments-hub sales <@{ANN}>")).await;
    // Ann's DM about her new tasks goes out first.
    app.deliver().await;
    // Slack posts the check-in, but its answer comes after Liftoff gave up waiting: Liftoff
    // does not know the check-in's ts yet when Ann answers in its thread.
    app.slack.fail_next(
        "chat.postMessage",
        crate::fake_slack::Failure::Lost(std::time::Duration::from_secs(2)),
    );
    app.set_time("2026-11-23T10:05:00Z");
    app.tick().await;
    let posted = app.slack.channel_history(SALES);
    assert_eq!(posted.len(), 1, "Slack has the check-in");
    let checkin_ts = posted[0]["ts"].as_str().unwrap().to_owned();
    assert!(
        app.store.checkin_at(SALES, &checkin_ts).await.unwrap().is_none(),
        "not recorded yet"
    );

    let reply = slack_emulator::thread_reply_event(
        "EvEarly1",
        ANN,
        SALES,
        &checkin_ts,
        "1900000001.000100",
        &format!("{} done", sales[0].id),
    );
    let status = app
        .post_signed("/slack/events", "application/json", &reply.to_string())
        .await
        .status();
    assert_eq!(status, 200);
    let task = app.store.task(sales[0].id).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Done, "applied, not dropped");

    // The check-in is not posted a second time.
    app.clock.advance(chrono::Duration::minutes(5));
    app.deliver().await;
    let checkins = app
        .slack
        .channel_history(SALES)
        .into_iter()
        .filter(|m| m.get("thread_ts").is_none())
        .count();
    assert_eq!(checkins, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_reply_in_a_thread_under_a_dm_is_applied() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // "Reply in thread" under a nudge in the DM: the recorded DM shape, with a thread_ts.
    let task = f.tasks[0].id;
    let mut body = f.direct_message(&format!("{task} done"));
    body["event"]["thread_ts"] = json!("1664408000.000100");
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    f.app.stop().await;
}

#[tokio::test]
async fn a_bare_done_delivered_again_is_confirmed_not_refused() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    // Ann owns the sales tasks; close all but one, then answer "done" without an id.
    for task in &f.tasks[1..] {
        f.app.command(ANN, &format!("done {}", task.id)).await;
    }
    let body = f.thread_reply("done");
    assert_eq!(f.post_event(&body).await, 200);
    assert_eq!(f.status(0).await, TaskStatus::Done);
    // The handler died before marking the event handled: Slack's retry a minute later.
    let event_id = body["event_id"].as_str().unwrap();
    f.app.store.forget_slack_event(event_id).await.unwrap();
    f.app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(f.post_event(&body).await, 200);
    f.app.deliver().await;
    let hints = f.app.slack.calls("chat.postEphemeral");
    assert!(hints.is_empty(), "no false \"you own no open task\": {hints:?}");
    f.app.stop().await;
}

#[tokio::test]
async fn an_edit_days_later_reads_relative_dates_from_the_day_the_reply_was_written() {
    let f = with_checkin(TestApp::spawn_with(true, CONFIG).await).await;
    let task = f.tasks[0].id;
    // Monday: Ann replies with a typo; Slack's ts is that moment.
    let written = f.app.clock.now_for_tests();
    let reply_ts = format!("{}.000100", written.timestamp());
    let mut reply = f.thread_reply(&format!("{task} due +5dd"));
    set(&mut reply, "/event/ts", json!(reply_ts));
    set(&mut reply, "/event/event_ts", json!(reply_ts));
    assert_eq!(f.post_event(&reply).await, 200);
    // Thursday: she fixes it. "+5d" means five days from Monday, when she wrote it.
    f.app.clock.advance(chrono::Duration::days(3));
    let edit = f.edit(
        "EvEditLater",
        &reply_ts,
        &format!("{task} due +5dd"),
        &format!("{task} due +5d"),
    );
    assert_eq!(f.post_event(&edit).await, 200);
    let due = f.app.store.task(task).await.unwrap().unwrap().due_date;
    assert_eq!(
        due,
        crate::helpers::date("2026-11-28"),
        "five days from Monday the 23rd"
    );
    f.app.stop().await;
}
