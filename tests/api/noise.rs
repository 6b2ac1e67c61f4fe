//! Less noise (#16), counted in the messages the fake Slack recorded: nudges only about tasks
//! that need an answer, and a first digest that says "new launch" instead of listing every
//! creation.

use serde_json::Value;

use crate::helpers::TestApp;

const LEAD: &str = "U0LEAD";

/// Channels for sales and marketing, a PMO channel, no template tasks.
const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[templates]
path = "tests/fixtures/no-templates.toml"
[channels]
pmo = "C0PMO"
[functions.sales]
channel = "C0SALES"
[functions.marketing]
channel = "C0MKTG"
"#;

/// The id of the task a `/launch task …` command created, read from its reply.
async fn add_task(app: &TestApp, command: &str) -> String {
    let reply = app.command(LEAD, command).await;
    let text = reply["text"].as_str().unwrap();
    let start = text.find("`T").unwrap_or_else(|| panic!("no task id in {text}")) + 1;
    text[start..].chars().take_while(|c| *c != '`').collect()
}

/// Messages posted so far into `channel` (a DM to `U0ANN` is `D0ANN` in the fake Slack).
fn posts_to(app: &TestApp, channel: &str) -> Vec<Value> {
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == channel)
        .collect()
}

fn text(post: &Value) -> &str {
    post["text"].as_str().unwrap_or_default()
}

async fn at(app: &TestApp, instant: &str) {
    app.set_time(instant);
    app.tick().await;
}

#[tokio::test]
async fn owners_are_nudged_only_about_tasks_that_need_an_answer() {
    let config = format!("{CONFIG}\n[escalation]\nenabled = false\n");
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    // Ann's work is on track and not due for weeks; Bob's deck is due on Thursday; Cat has a
    // task far out and one she marked blocked last week.
    add_task(
        &app,
        "task checkout-v2 sales Pricing page owner:<@U0ANN> due:2027-01-10",
    )
    .await;
    add_task(&app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:2027-01-15").await;
    let deck = add_task(&app, "task checkout-v2 sales Sales deck owner:<@U0BOB> due:2026-11-26").await;
    add_task(
        &app,
        "task checkout-v2 marketing Launch blog owner:<@U0CAT> due:2027-01-20",
    )
    .await;
    let legal = add_task(
        &app,
        "task checkout-v2 marketing Legal review owner:<@U0CAT> due:2027-01-05",
    )
    .await;
    app.command("U0CAT", &format!("block {legal} waiting on legal")).await;
    for id in ["Pricing page", "Battlecard"] {
        app.command("U0ANN", &format!("on track {}", task_by_title(&app, id).await))
            .await;
    }

    // Monday's check-in at 10:00; nobody answers; nudges go out from 14:00.
    at(&app, "2026-11-23T10:05:00Z").await;
    at(&app, "2026-11-23T14:05:00Z").await;
    assert!(
        posts_to(&app, "D0ANN").is_empty(),
        "all on track and not due soon: no nudge"
    );
    let bob = posts_to(&app, "D0BOB");
    assert_eq!(bob.len(), 1, "Bob's deck is due within the week");
    assert!(
        text(&bob[0]).contains("1 task") && text(&bob[0]).contains(&deck),
        "{}",
        text(&bob[0])
    );
    let cat = posts_to(&app, "D0CAT");
    assert_eq!(cat.len(), 1, "Cat has a blocked task");
    assert!(text(&cat[0]).contains("your update on 1 task"), "{}", text(&cat[0]));
    assert!(
        text(&cat[0]).contains(&legal) && !text(&cat[0]).contains("Launch blog"),
        "{}",
        text(&cat[0])
    );
    app.stop().await;
}

/// The id of the task titled `title`.
async fn task_by_title(app: &TestApp, title: &str) -> String {
    let launch = app.launch("checkout-v2").await;
    let tasks = app.store.launch_tasks(launch.id).await.unwrap();
    let task = tasks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("no task {title}"));
    task.id.to_string()
}

#[tokio::test]
async fn the_first_digest_after_a_launch_says_new_launch_not_every_creation() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.set_time("2026-11-23T12:00:00Z");
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    for (title, owner) in [
        ("Battlecard", "U0ANN"),
        ("Pricing FAQ", "U0ANN"),
        ("Launch blog", "U0CAT"),
    ] {
        let function = if owner == "U0CAT" { "marketing" } else { "sales" };
        let id = add_task(&app, &format!("task checkout-v2 {function} {title} due:2027-01-15")).await;
        app.command(LEAD, &format!("assign {id} <@{owner}>")).await;
    }
    at(&app, "2026-11-24T08:35:00Z").await;
    let digests = posts_to(&app, "C0PMO");
    assert_eq!(digests.len(), 1);
    let words = text(&digests[0]);
    assert!(words.contains("New launch: *Checkout v2* — 3 tasks"), "{words}");
    assert!(
        !words.contains("Changes since the last digest"),
        "no creations or assignments listed: {words}"
    );

    // The next digest lists what changed since, as usual.
    let faq = task_by_title(&app, "Pricing FAQ").await;
    app.command("U0ANN", &format!("done {faq}")).await;
    at(&app, "2026-11-25T08:35:00Z").await;
    let digests = posts_to(&app, "C0PMO");
    assert_eq!(digests.len(), 2);
    let words = text(&digests[1]);
    assert!(!words.contains("New launch"), "{words}");
    assert!(
        words.contains(&format!("Changes since the last digest: `{faq}` status → done")),
        "{words}"
    );
    app.stop().await;
}
