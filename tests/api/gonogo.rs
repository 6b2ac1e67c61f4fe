//! Go/no-go end to end: `/launch gonogo` asks each involved function's lead by direct message,
//! answers come from the Go button and the No-go modal (reason required), leads who are late
//! are reminded once a working day and then the launch lead hears, and the result goes out
//! exactly once to the launch lead and the PMO channel.

use liftoff::outbound::{OutboxMessage, OutboxMethod};
use liftoff::store::VoteOutcome;
use liftoff_core::gonogo::Vote;
use liftoff_core::{FunctionName, LaunchId, SlackUserId};
use serde_json::{Value, json};

use crate::fake_slack::TEAM_ID;
use crate::helpers::{TestApp, date, eventually, instant};

const LEAD: &str = "U0LEAD";
const SALES: &str = "U0SALES";
const OPS: &str = "U0OPS";
const BOB: &str = "U0BOB";

const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[channels]
pmo = "C0PMO"
[escalation]
enabled = false
[templates]
path = "tests/fixtures/no-templates.toml"
[functions.sales]
lead = "U0SALES"
[functions.ops]
lead = "U0OPS"
"#;

/// The DMs to `dm` whose text contains `needle`.
fn posts_to(app: &TestApp, dm: &str, needle: &str) -> Vec<Value> {
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == dm && b["text"].as_str().unwrap_or_default().contains(needle))
        .collect()
}

/// The value of the `action_id` button in a posted message.
fn button_value(message: &Value, action_id: &str) -> String {
    message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no {action_id} button in {message}"))
}

fn press(app: &TestApp, user: &str, action_id: &str, value: &str, response: &str) -> Value {
    json!({
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user}, "trigger_id": "trigger-1",
        "response_url": app.slack.response_url(response),
        "container": {"type": "message", "message_ts": "1.1", "channel_id": format!("D{}", &user[1..]), "is_ephemeral": false},
        "actions": [{"action_id": action_id, "block_id": "b", "value": value}]
    })
}

fn no_go_submission(user: &str, metadata: &str, reason: &str) -> Value {
    json!({
        "type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user},
        "view": {
            "callback_id": "gonogo_reason",
            "private_metadata": metadata,
            "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}}
        }
    })
}

/// The response_url posts recorded under `id`.
async fn responses(app: &TestApp, id: &str, count: usize) -> Vec<Value> {
    app.slack.wait_for("response_url", 1).await;
    let found = || -> Vec<Value> {
        app.slack
            .calls("response_url")
            .into_iter()
            .filter(|b| b["response_url_id"] == id)
            .collect()
    };
    let arrived = eventually(std::time::Duration::from_secs(5), async || found().len() >= count).await;
    assert!(arrived, "expected {count} response(s) at {id}");
    found()
}

#[tokio::test]
async fn a_go_no_go_with_a_no_go_and_a_late_answer_completes() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2026-12-04 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-7")
        .await;
    app.command(LEAD, "task checkout-v2 ops Support FAQ due:T-7").await;
    app.command(LEAD, "task checkout-v2 marketing Blog post due:T-3").await;

    // Only the launch lead (or an admin) starts one.
    let refused = app.command(BOB, "gonogo checkout-v2").await;
    assert_eq!(refused["response_type"], "ephemeral");
    assert!(refused["text"].as_str().unwrap().contains("lead"), "{refused}");
    app.deliver().await;
    assert!(
        posts_to(&app, "D0SALES", "Go/no-go").is_empty(),
        "a refused command asks nobody"
    );

    let started = app.command(LEAD, "gonogo checkout-v2").await;
    let text = started["text"].as_str().unwrap();
    assert!(text.contains("asked <@U0OPS> (ops), <@U0SALES> (sales)"), "{text}");
    assert!(text.contains("no lead set: marketing"), "{text}");
    app.deliver().await;
    let sales_ask = posts_to(&app, "D0SALES", "is *Sales* ready");
    let ops_ask = posts_to(&app, "D0OPS", "is *Ops* ready");
    assert_eq!((sales_ask.len(), ops_ask.len()), (1, 1));
    assert!(
        sales_ask[0]["text"].as_str().unwrap().contains("Sales: 0% ready"),
        "{}",
        sales_ask[0]
    );

    let again = app.command(LEAD, "go-no-go checkout-v2").await;
    let again = again["text"].as_str().unwrap();
    assert!(
        again.contains("already under way") && again.contains("waiting on <@U0OPS> (ops), <@U0SALES> (sales)"),
        "{again}"
    );

    // Sales says no-go: the button opens the reason form; an empty reason is refused in place.
    let sales_value = button_value(&sales_ask[0], "gonogo_no_go");
    let pressed = app
        .interaction(&press(&app, SALES, "gonogo_no_go", &sales_value, "sales-ask"))
        .await;
    assert_eq!(pressed.status(), 200);
    let opened = app.slack.wait_for("views.open", 1).await;
    let view = &opened[0]["view"];
    assert_eq!(view["callback_id"], "gonogo_reason");
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let empty = app.interaction(&no_go_submission(SALES, &metadata, "   ")).await;
    let empty: Value = empty.json().await.unwrap();
    assert_eq!(empty["response_action"], "errors");
    assert!(
        empty["errors"]["reason"].as_str().unwrap().contains("reason"),
        "{empty}"
    );
    assert!(
        app.store
            .latest_gonogo(LaunchId(1))
            .await
            .unwrap()
            .unwrap()
            .ballots
            .iter()
            .all(|b| b.vote.is_none()),
        "a refused form records nothing"
    );
    let submitted = app
        .interaction(&no_go_submission(SALES, &metadata, "Battlecard not approved by legal"))
        .await;
    assert_eq!(submitted.status(), 200);
    let replaced = responses(&app, "sales-ask", 1).await;
    assert_eq!(replaced[0]["replace_original"], true);
    assert!(
        replaced[0]["text"]
            .as_str()
            .unwrap()
            .contains("Recorded *No-go*: Battlecard not approved by legal"),
        "{}",
        replaced[0]
    );

    // Someone else cannot answer for sales.
    let go_value = button_value(&sales_ask[0], "gonogo_go");
    app.interaction(&press(&app, OPS, "gonogo_go", &go_value, "wrong-person"))
        .await;
    let wrong = responses(&app, "wrong-person", 1).await;
    assert_eq!(wrong[0]["replace_original"], false);
    assert!(
        wrong[0]["text"].as_str().unwrap().contains("only they can answer"),
        "{}",
        wrong[0]
    );

    // Tuesday: ops has not answered and is reminded, once however often the sweep runs.
    app.set_time("2026-11-24T10:05:00Z");
    app.tick().await;
    app.tick().await;
    assert_eq!(posts_to(&app, "D0OPS", "Reminder").len(), 1);
    assert!(posts_to(&app, "D0SALES", "Reminder").is_empty(), "sales answered");
    assert!(
        posts_to(&app, "D0LEAD", "still waiting").is_empty(),
        "too early for the launch lead"
    );

    // Wednesday: reminded again, and the launch lead hears who is missing.
    app.set_time("2026-11-25T10:05:00Z");
    app.tick().await;
    assert_eq!(posts_to(&app, "D0OPS", "Reminder").len(), 2);
    let to_lead = posts_to(&app, "D0LEAD", "still waiting");
    assert_eq!(to_lead.len(), 1);
    assert!(to_lead[0]["text"].as_str().unwrap().contains("<@U0OPS> (ops)"));
    assert!(
        posts_to(&app, "C0PMO", "o-go").is_empty(),
        "no result before everyone answered"
    );

    // Ops answers late, from the reminder: the round completes with the no-go and its reason.
    let reminder = posts_to(&app, "D0OPS", "Reminder").pop().unwrap();
    let ops_go = button_value(&reminder, "gonogo_go");
    app.interaction(&press(&app, OPS, "gonogo_go", &ops_go, "ops-late"))
        .await;
    let confirmed = responses(&app, "ops-late", 1).await;
    assert!(confirmed[0]["text"].as_str().unwrap().contains("Recorded *Go*"));
    app.deliver().await;
    for target in ["D0LEAD", "C0PMO"] {
        let results = posts_to(&app, target, "*No-go* for *Checkout v2*");
        assert_eq!(results.len(), 1, "one result to {target}");
        let text = results[0]["text"].as_str().unwrap();
        assert!(
            text.contains("sales (<@U0SALES>): Battlecard not approved by legal")
                && text.contains("Go: ops (<@U0OPS>)"),
            "{text}"
        );
    }

    // Decided: no more reminders, and later presses change nothing.
    app.set_time("2026-11-26T10:05:00Z");
    app.tick().await;
    assert_eq!(posts_to(&app, "D0OPS", "Reminder").len(), 2);
    app.interaction(&press(&app, SALES, "gonogo_go", &go_value, "after"))
        .await;
    let after = responses(&app, "after", 1).await;
    assert!(
        after[0]["text"].as_str().unwrap().contains("already decided"),
        "{}",
        after[0]
    );
    let round = app.store.latest_gonogo(LaunchId(1)).await.unwrap().unwrap();
    assert!(matches!(
        round
            .ballots
            .iter()
            .find(|b| b.function.as_str() == "sales")
            .unwrap()
            .vote,
        Some(Vote::NoGo { .. })
    ));

    let shown = app.command(LEAD, "show checkout-v2").await;
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .contains("*Go/no-go:* no-go (sales: Battlecard not approved by legal"),
        "{shown}"
    );
    // Once decided, a new round can start (after the fixes).
    let restarted = app.command(LEAD, "gonogo checkout-v2").await;
    assert!(
        restarted["text"].as_str().unwrap().contains("Go/no-go started"),
        "{restarted}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_go_no_go_needs_someone_to_ask_and_a_launch_still_ahead() {
    let app = TestApp::spawn_with(true, CONFIG.replace("[functions.ops]\nlead = \"U0OPS\"\n", "").as_str()).await;
    app.command(LEAD, "new Pricing page tier:3 date:2026-12-04 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "task pricing-page marketing Copy due:T-3").await;
    let nobody = app.command(LEAD, "gonogo pricing-page").await;
    assert!(
        nobody["text"]
            .as_str()
            .unwrap()
            .contains("nobody to ask: marketing has no lead"),
        "{nobody}"
    );
    let unknown = app.command(LEAD, "gonogo nope").await;
    assert!(unknown["text"].as_str().unwrap().contains("no launch `nope`"));
    let usage = app.command(LEAD, "gonogo").await;
    assert!(
        usage["text"]
            .as_str()
            .unwrap()
            .contains("/launch gonogo &lt;launch&gt;"),
        "{usage}"
    );

    app.set_time("2026-12-07T10:00:00Z");
    let late = app.command(LEAD, "gonogo pricing-page").await;
    assert!(
        late["text"].as_str().unwrap().contains("launched on 2026-12-04"),
        "{late}"
    );
    assert!(app.store.latest_gonogo(LaunchId(1)).await.unwrap().is_none());
    app.stop().await;
}

mod concurrent {
    use super::*;

    fn result(key: &str) -> OutboxMessage {
        OutboxMessage {
            key: key.to_owned(),
            kind: "gonogo".to_owned(),
            method: OutboxMethod::PostMessage,
            target: "C0PMO".to_owned(),
            recipient: None,
            thread_ts: None,
            thread_of: None,
            payload: json!({"text": "decided"}).into(),
            not_before: None,
        }
    }

    crate::helpers::both_backends! {
        async fn two_last_answers_at_once_decide_exactly_once(store) {
            let launch = store
                .create_launch(
                    &liftoff_core::LaunchDraft {
                        name: "Race".to_owned(),
                        tier: liftoff_core::Tier::Two,
                        launch_date: date("2026-12-04"),
                        lead: None,
                    },
                    &liftoff_core::Slug::parse("race").unwrap(),
                    &crate::helpers::ctx("U0LEAD", "2026-11-23T09:00:00Z"),
                )
                .await
                .unwrap();
            let user = |id: &str| SlackUserId::parse(id).unwrap();
            let function = |name: &str| FunctionName::parse(name).unwrap();
            let now = instant("2026-11-23T09:00:00Z");
            for round in 0..5 {
                let ballots = vec![(function("sales"), user("U0SALES")), (function("ops"), user("U0OPS"))];
                let gonogo = store
                    .start_gonogo(launch.id, &user("U0LEAD"), date("2026-11-23"), &ballots, now, &|_| Vec::new())
                    .await
                    .unwrap()
                    .expect("no round is open");
                assert!(
                    store
                        .start_gonogo(launch.id, &user("U0LEAD"), date("2026-11-23"), &ballots, now, &|_| Vec::new())
                        .await
                        .unwrap()
                        .is_none(),
                    "one open round per launch"
                );
                let key = format!("result:{round}");
                let announce = |_: &liftoff_core::gonogo::GoNoGo| vec![result(&key)];
                let (sales, ops) = (function("sales"), function("ops"));
                let (sales_lead, ops_lead) = (user("U0SALES"), user("U0OPS"));
                let (a, b) = tokio::join!(
                    store.record_vote(gonogo.id, &sales, &sales_lead, &Vote::Go, now, &announce),
                    store.record_vote(gonogo.id, &ops, &ops_lead, &Vote::Go, now, &announce),
                );
                let decided = [a.unwrap(), b.unwrap()]
                    .into_iter()
                    .filter(|o| matches!(o, VoteOutcome::Recorded { decided: true, .. }))
                    .count();
                assert_eq!(decided, 1, "round {round}: exactly one answer completes it");
                let round_now = store.gonogo(gonogo.id).await.unwrap().unwrap();
                assert!(round_now.decided_at.is_some());
                assert_eq!(
                    store.record_vote(gonogo.id, &function("ops"), &user("U0OPS"), &Vote::Go, now, &announce).await.unwrap(),
                    VoteOutcome::AlreadyDecided(round_now)
                );
            }
            assert_eq!(store.outbox_counts().await.unwrap().pending, 5, "one result per round");
        }
    }
}
