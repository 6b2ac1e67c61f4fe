//! Less noise (#16), counted in the messages the fake Slack recorded: nudges only about tasks
//! that need an answer, one resolution line per place and none to the person who made the
//! change, one escalation list per channel (or person) per launch and level, escalations that
//! skip people who would be told about their own task, and a first digest that says "new
//! launch" instead of listing every creation.

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
    // Each owner's DM about the tasks given to them goes first; what counts here is the nudges.
    app.deliver().await;
    app.slack.forget_calls();

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

/// Sales led by Sally, an escalation channel, and an admin.
const LADDER: &str = r#"
[slack]
post_interval_ms = 5
[templates]
path = "tests/fixtures/no-templates.toml"
[channels]
pmo = "C0PMO"
escalation = "C0ESC"
[permissions]
admins = ["U0ADMIN"]
[functions.sales]
channel = "C0SALES"
lead = "U0SALLY"
[functions.marketing]
channel = "C0MKTG"
"#;

fn posts_with(app: &TestApp, needle: &str) -> Vec<Value> {
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| text(b).contains(needle))
        .collect()
}

fn channels(posts: &[Value]) -> Vec<String> {
    let mut channels: Vec<String> = posts
        .iter()
        .map(|p| p["channel"].as_str().unwrap().to_owned())
        .collect();
    channels.sort();
    channels
}

#[tokio::test]
async fn a_sweep_posts_one_list_per_place_not_one_message_per_task() {
    let app = TestApp::spawn_with(true, LADDER).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let mut sales = Vec::new();
    for title in ["Battlecard", "Pricing FAQ", "Demo script"] {
        sales.push(
            add_task(
                &app,
                &format!("task checkout-v2 sales {title} owner:<@U0ANN> due:2026-12-03"),
            )
            .await,
        );
    }
    sales.push(add_task(&app, "task checkout-v2 sales Partner kit owner:<@U0BOB> due:2026-12-03").await);
    add_task(
        &app,
        "task checkout-v2 marketing Launch blog owner:<@U0CAT> due:2026-12-03",
    )
    .await;
    add_task(
        &app,
        "task checkout-v2 marketing Press kit owner:<@U0CAT> due:2026-12-03",
    )
    .await;

    // The working day before: one reminder per owner, listing all of theirs.
    at(&app, "2026-12-02T10:05:00Z").await;
    let reminders = posts_with(&app, "Reminder");
    assert_eq!(channels(&reminders), vec!["D0ANN", "D0BOB", "D0CAT"], "one DM each");
    let ann = reminders.iter().find(|r| r["channel"] == "D0ANN").unwrap();
    assert!(text(ann).contains("3 tasks"), "{}", text(ann));

    // Overdue: one DM per owner again.
    at(&app, "2026-12-04T10:05:00Z").await;
    assert_eq!(
        channels(&posts_with(&app, "Overdue task")),
        vec!["D0ANN", "D0BOB", "D0CAT"]
    );

    // Two working days late: one list in each function's channel, for the four sales tasks
    // and the two marketing ones.
    at(&app, "2026-12-07T10:05:00Z").await;
    let level2 = posts_with(&app, "Escalation to the function lead");
    assert_eq!(channels(&level2), vec!["C0MKTG", "C0SALES"]);
    let sales_list = level2.iter().find(|p| p["channel"] == "C0SALES").unwrap();
    assert!(
        text(sales_list).contains("4 tasks of *Checkout v2*"),
        "{}",
        text(sales_list)
    );
    assert!(
        sales.iter().all(|id| text(sales_list).contains(id.as_str())),
        "{}",
        text(sales_list)
    );
    assert!(
        text(sales_list).contains("<@U0SALLY>"),
        "the function lead: {}",
        text(sales_list)
    );
    // Sweeping again the same day says nothing more.
    let before = app.slack.calls("chat.postMessage").len();
    at(&app, "2026-12-07T10:20:00Z").await;
    assert_eq!(app.slack.calls("chat.postMessage").len(), before);

    // Four working days: one list to the launch lead.
    at(&app, "2026-12-09T10:05:00Z").await;
    let level3 = posts_with(&app, "Escalation to the launch lead");
    assert_eq!(
        channels(&level3),
        vec!["C0ESC"],
        "one message for the launch's six tasks"
    );
    assert!(text(&level3[0]).contains("6 tasks"), "{}", text(&level3[0]));

    // Resolving one task of a list answers in that list's threads, about that task only.
    app.command("U0BOB", &format!("done {}", sales[3])).await;
    app.deliver().await;
    let resolved = posts_with(&app, "Resolved:");
    assert_eq!(
        channels(&resolved),
        vec!["C0ESC", "C0SALES"],
        "Bob did it: not told himself"
    );
    assert!(
        resolved
            .iter()
            .all(|r| text(r).contains(&sales[3]) && r["thread_ts"].is_string())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_very_long_escalation_list_stays_within_slacks_limits() {
    let app = TestApp::spawn_with(true, LADDER).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let title = format!(
        "Localise {}",
        "the partner enablement kit for every region we sell in ".repeat(3)
    );
    for i in 0..40 {
        add_task(
            &app,
            &format!("task checkout-v2 sales {title} {i} owner:<@U0ANN> due:2026-12-03"),
        )
        .await;
    }
    at(&app, "2026-12-07T10:05:00Z").await;
    let level2 = posts_with(&app, "Escalation to the function lead");
    assert!(
        level2.len() >= 3,
        "40 tasks of three blocks each need three messages: {}",
        level2.len()
    );
    assert!(
        level2.len() <= 4,
        "but no more than Slack's limits make it: {}",
        level2.len()
    );
    assert!(level2.iter().all(|p| p["channel"] == "C0SALES"));
    assert!(
        text(&level2[0]).contains(&format!("(1/{})", level2.len())),
        "{}",
        text(&level2[0])
    );
    let listed: usize = level2.iter().map(|p| text(p).matches("Localise").count()).sum();
    assert_eq!(listed, 40, "every task listed once");
    // Every task of the split list is recorded against the part that lists it.
    let launch = app.launch("checkout-v2").await;
    for task in app.store.launch_tasks(launch.id).await.unwrap() {
        assert!(
            !app.store.escalation_messages(task.id).await.unwrap().is_empty(),
            "{}",
            task.id
        );
    }
    // `stop` fails if any message broke Block Kit limits.
    app.stop().await;
}

#[tokio::test]
async fn nobody_is_escalated_to_about_their_own_task() {
    let app = TestApp::spawn_with(true, LADDER).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    // Sally leads sales and owns this one: her level goes to the launch lead.
    let sallys = add_task(
        &app,
        "task checkout-v2 sales Pricing sign-off owner:<@U0SALLY> due:2026-12-03",
    )
    .await;
    // A launch with no lead: its launch-lead level goes to the PMO channel and the admins.
    // `/launch new` makes its author the lead now, so such a launch is one from before that
    // (or one whose lead left): written to the store directly.
    app.store
        .create_launch(
            &liftoff_core::LaunchDraft {
                name: "Side Quest".into(),
                tier: liftoff_core::Tier::Three,
                launch_date: crate::helpers::date("2027-01-29"),
                lead: None,
            },
            &liftoff_core::Slug::parse("side-quest").unwrap(),
            &crate::helpers::ctx(LEAD, "2026-11-23T09:00:00Z"),
        )
        .await
        .unwrap();
    let side = add_task(
        &app,
        "task side-quest marketing Landing page owner:<@U0CAT> due:2026-12-03",
    )
    .await;

    at(&app, "2026-12-07T10:05:00Z").await;
    let level2 = posts_with(&app, &format!("Escalation to the function lead: `{sallys}`"));
    assert_eq!(level2.len(), 1);
    assert!(
        text(&level2[0]).contains("<@U0LEAD>"),
        "the next person up hears it: {}",
        text(&level2[0])
    );
    // Marketing has no lead and Side Quest none either: the admin is asked.
    let side2 = posts_with(&app, &format!("Escalation to the function lead: `{side}`"));
    assert_eq!(side2.len(), 1);
    assert!(text(&side2[0]).contains("<@U0ADMIN>"), "{}", text(&side2[0]));

    at(&app, "2026-12-09T10:05:00Z").await;
    let side3 = posts_with(&app, &format!("Escalation to the launch lead: `{side}`"));
    assert_eq!(channels(&side3), vec!["C0PMO"], "a launch without a lead is the PMO's");
    assert!(text(&side3[0]).contains("<@U0ADMIN>"), "{}", text(&side3[0]));
    let own3 = posts_with(&app, &format!("Escalation to the launch lead: `{sallys}`"));
    assert_eq!(channels(&own3), vec!["C0ESC"]);
    assert!(text(&own3[0]).contains("<@U0LEAD>"), "{}", text(&own3[0]));
    app.stop().await;
}

#[tokio::test]
async fn the_launch_leads_own_task_goes_to_the_admins() {
    let app = TestApp::spawn_with(true, LADDER).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let own = add_task(
        &app,
        "task checkout-v2 marketing Keynote slot owner:<@U0LEAD> due:2026-12-03",
    )
    .await;
    at(&app, "2026-12-09T10:05:00Z").await;
    let level3 = posts_with(&app, &format!("Escalation to the launch lead: `{own}`"));
    assert_eq!(channels(&level3), vec!["C0PMO"], "{level3:?}");
    let words = text(&level3[0]);
    assert!(words.contains("<@U0ADMIN>"), "{words}");
    app.stop().await;
}

#[tokio::test]
async fn a_done_posts_one_line_per_place_and_none_to_whoever_did_it() {
    let config = LADDER.replace(
        "[functions.marketing]",
        "[checkins]\nnudge_after_hours = 8\n[functions.marketing]",
    );
    let app = TestApp::spawn_with(true, &config).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    let task = add_task(&app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:2026-12-03").await;
    // Reminder and overdue DMs to Ann, the overdue line in #sales' check-in thread (Friday's
    // check-in), then Sally in #sales and the launch lead in the escalation channel.
    for day in ["2026-12-02", "2026-12-04", "2026-12-07", "2026-12-09"] {
        at(&app, &format!("{day}T10:05:00Z")).await;
    }
    assert_eq!(posts_with(&app, "Escalation to the launch lead").len(), 1);
    assert_eq!(posts_with(&app, "is overdue (due").len(), 1, "the check-in thread line");

    // The launch lead marks it done: Ann hears it once (not once per DM), #sales once (not in
    // both the check-in thread and the lead's message), the escalation channel once.
    app.command(LEAD, &format!("done {task}")).await;
    app.deliver().await;
    let resolved = posts_with(&app, "Resolved:");
    assert_eq!(channels(&resolved), vec!["C0ESC", "C0SALES", "D0ANN"], "{resolved:?}");
    app.stop().await;
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

#[tokio::test]
async fn metrics_reviewed_the_same_day_are_asked_for_in_one_message() {
    let app = TestApp::spawn_with(true, &format!("{CONFIG}\n[escalation]\nenabled = false\n")).await;
    app.command(LEAD, "new Checkout v2 tier:2 date:2026-11-25 lead:<@U0LEAD>")
        .await;
    for metric in [
        "\"activation rate\" target:25%",
        "signups target:2.5k",
        "revenue target:$2M",
    ] {
        app.command(LEAD, &format!("metric checkout-v2 {metric} by:T+5")).await;
    }
    // Review date: launch day + 5 = Monday 30 November; the sweep runs on every tick.
    at(&app, "2026-11-30T10:05:00Z").await;
    at(&app, "2026-11-30T10:20:00Z").await;
    let asks = posts_with(&app, "Time to review");
    assert_eq!(
        channels(&asks),
        vec!["D0LEAD"],
        "one message for the three metrics, once"
    );
    let words = text(&asks[0]);
    assert!(
        words.contains("3 success metrics") && words.contains("*signups*") && words.contains("*revenue*"),
        "{words}"
    );
    app.stop().await;
}
