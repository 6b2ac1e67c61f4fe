//! `/launch` end to end: signed form posts to the running service, replies checked as Slack
//! would render them, database state checked through the store.

use liftoff_core::{ChangeField, ChangeSource, DueDate, LaunchRef, Slug, TaskId, TaskStatus, Tier};
use serde_json::Value;

use crate::helpers::{TestApp, date, user};

const LEAD: &str = "U0LEAD";
/// Configuration for tests that count tasks exactly: launches start without template tasks.
const NO_TEMPLATES: &str = "[templates]\npath = \"tests/fixtures/no-templates.toml\"\n";
const ANN: &str = "U0ANN";

fn text(reply: &Value) -> String {
    reply["text"].as_str().unwrap_or_default().to_owned()
}

/// What a person sees of mrkdwn text: Slack shows `&lt;`, `&gt;` and `&amp;` as the characters
/// they stand for (docs.slack.dev, "Formatting text for app surfaces" → "Escaping text").
fn shown(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn all_block_text(reply: &Value) -> String {
    reply["blocks"].to_string()
}

fn assert_ephemeral(reply: &Value) {
    assert_eq!(reply["response_type"], "ephemeral", "{reply}");
}

fn assert_problem(reply: &Value, message: &str, usage: &str) {
    assert_ephemeral(reply);
    let text = shown(&text(reply));
    assert!(text.contains(":warning:"), "{text}");
    assert!(text.contains(message), "expected `{message}` in {text}");
    assert!(text.contains(usage), "expected usage `{usage}` in {text}");
}

async fn launch_by_slug(app: &TestApp, slug: &str) -> Option<liftoff_core::Launch> {
    app.store
        .launch(&LaunchRef::Slug(Slug::parse(slug).unwrap()))
        .await
        .unwrap()
}

/// Creates `Checkout v2` (tier 1, 2026-12-10, lead U0LEAD) and returns its reply.
async fn create_checkout(app: &TestApp) -> Value {
    app.command(LEAD, "new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD|lea>")
        .await
}

async fn add_task(app: &TestApp, text: &str) -> TaskId {
    let reply = app.command(LEAD, text).await;
    let t = crate::slack_commands::text(&reply);
    let start = t.find("`T").unwrap_or_else(|| panic!("task id in {t}")) + 1;
    let id: String = t[start..].chars().take_while(|c| *c != '`').collect();
    TaskId::parse(&id).unwrap()
}

#[tokio::test]
async fn help_lists_every_subcommand_ephemerally() {
    let app = TestApp::spawn().await;
    for input in ["help", ""] {
        let reply = app.command(ANN, input).await;
        assert_ephemeral(&reply);
        for sub in liftoff_core::command::Subcommand::ALL {
            assert!(
                shown(&text(&reply)).contains(sub.usage()),
                "{input:?}: help lacks {}",
                sub.usage()
            );
        }
    }
    let reply = app.command(ANN, "help block").await;
    assert_eq!(
        text(&reply),
        // As sent: Slack shows the escaped brackets as `<` and `>`.
        "`/launch block &lt;task&gt; [by &lt;task&gt;] &lt;reason…&gt;`\nmark a task blocked, with the reason"
    );
    let reply = app.command(ANN, "launch-it").await;
    assert_problem(&reply, "unknown subcommand `launch-it`", "/launch help");
    app.stop().await;
}

#[tokio::test]
async fn new_creates_a_launch_announced_in_the_channel() {
    let app = TestApp::spawn().await;
    let reply = create_checkout(&app).await;
    assert_eq!(reply["response_type"], "in_channel");
    let t = text(&reply);
    assert!(t.contains("`checkout-v2`"), "{t}");
    assert!(t.contains("tier 1"), "{t}");
    assert!(t.contains("Thu 10 Dec (T-17)"), "{t}");
    assert!(t.contains("<@U0LEAD>"), "the lead is mentioned: {t}");

    let launch = launch_by_slug(&app, "checkout-v2").await.expect("stored");
    assert_eq!(launch.tier, Tier::One);
    assert_eq!(launch.launch_date, date("2026-12-10"));
    assert_eq!(launch.lead, Some(user(LEAD)));

    // Without `lead:`, whoever creates the launch leads it, and is told so.
    let again = app.command(ANN, "new Checkout V2 tier:2 date:+3w").await;
    assert!(text(&again).contains("`checkout-v2-2`"), "{}", text(&again));
    assert!(
        text(&again).contains("No `lead:` was given, so you lead it"),
        "{}",
        text(&again)
    );
    let second = launch_by_slug(&app, "checkout-v2-2").await.unwrap();
    assert_eq!(second.launch_date, date("2026-12-14"));
    assert_eq!(second.lead, Some(user(ANN)));
    let history = app.store.launch_history(second.id).await.unwrap();
    assert_eq!(history[0].actor, liftoff_core::Actor::User(user(ANN)));
    assert_eq!(history[0].source, ChangeSource::Command);
    app.stop().await;
}

#[tokio::test]
async fn new_launches_start_with_their_tiers_template_tasks() {
    let app = TestApp::spawn().await;
    let reply = create_checkout(&app).await;
    assert!(text(&reply).contains("18 template tasks added"), "{}", text(&reply));
    let launch = launch_by_slug(&app, "checkout-v2").await.unwrap();
    let tasks = app.store.launch_tasks(launch.id).await.unwrap();
    assert_eq!(tasks.len(), 18);
    let positioning = tasks
        .iter()
        .find(|t| t.title == "Positioning and key messages")
        .unwrap();
    assert_eq!(
        (positioning.function.as_str(), positioning.due_date),
        ("marketing", date("2026-11-05"))
    );
    assert_eq!(positioning.due(), DueDate::Relative(-35));
    // T+30 of Thursday 10 December is Saturday 9 January: due on the Friday before.
    let stories = tasks.iter().find(|t| t.title == "Customer success stories").unwrap();
    assert_eq!(stories.due_date, date("2027-01-08"));

    app.command(LEAD, "new Small Fix tier:3 date:2026-12-20").await;
    let small = launch_by_slug(&app, "small-fix").await.unwrap();
    let titles: Vec<String> = app
        .store
        .launch_tasks(small.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(
        titles,
        vec!["In-app or push announcement", "Support FAQ", "Release notes"]
    );

    // Template tasks keep their offsets: moving the launch moves all of them, each onto a
    // working day.
    app.command(LEAD, "edit checkout-v2 date:2026-12-17").await;
    let moved = app.store.launch_tasks(launch.id).await.unwrap();
    let calendar = &app.state.config.calendar;
    assert!(moved.iter().all(|t| {
        t.due_date
            == DueDate::Relative(t.due_offset_days.unwrap())
                .resolve(date("2026-12-17"), calendar)
                .unwrap()
                .date
            && calendar.is_working_day(t.due_date)
    }));
    app.stop().await;
}

#[tokio::test]
async fn bad_new_launches_are_refused_with_usage_and_change_nothing() {
    let app = TestApp::spawn().await;
    let usage = "/launch new <name> tier:<1|2|3> date:<date> [lead:@user]";
    let cases = [
        ("new Checkout tier:1 date:2026-11-01", "is in the past"),
        ("new Checkout tier:5 date:2026-12-10", "`5` is not a tier"),
        ("new Checkout date:2026-12-10", "`tier:` is missing"),
        ("new Checkout tier:1 date:next-month", "`next-month` is not a date"),
        (
            "new Checkout tier:1 date:2026-12-10 lead:@maria",
            "plain text, not a mention",
        ),
        ("new !!! tier:1 date:2026-12-10", "at least one letter or digit"),
    ];
    for (input, message) in cases {
        let reply = app.command(LEAD, input).await;
        assert_problem(&reply, message, usage);
    }
    assert!(
        app.store.list_launches(true).await.unwrap().is_empty(),
        "nothing was created"
    );
    app.stop().await;
}

#[tokio::test]
async fn list_shows_active_launches_soonest_first() {
    let app = TestApp::spawn_with(true, NO_TEMPLATES).await;
    let empty = app.command(ANN, "list").await;
    assert!(text(&empty).contains("No launches yet"), "{}", text(&empty));
    app.command(LEAD, "new Late Launch tier:3 date:2027-02-01").await;
    create_checkout(&app).await;
    app.command(LEAD, "new Old Thing tier:2 date:2026-12-01").await;
    app.command(LEAD, "archive old-thing").await;

    let reply = app.command(ANN, "list").await;
    assert_ephemeral(&reply);
    let t = text(&reply);
    let checkout = t.find("checkout-v2").expect("checkout listed");
    let late = t.find("late-launch").expect("late listed");
    assert!(checkout < late, "soonest first: {t}");
    assert!(!t.contains("old-thing"), "archived hidden: {t}");
    assert!(t.contains("100% ready (0/0"), "{t}");
    let all = text(&app.command(ANN, "list all").await);
    assert!(all.contains("old-thing") && all.contains("archived"), "{all}");
    app.stop().await;
}

#[tokio::test]
async fn tasks_take_every_date_form_and_owner_mentions() {
    let app = TestApp::spawn().await;
    create_checkout(&app).await;
    // 2026-11-23 is a Monday; launch day 2026-12-10.
    let cases = [
        ("due:T-14", date("2026-11-26"), Some(-14)),
        ("due:T+7", date("2026-12-17"), Some(7)),
        ("due:2026-12-01", date("2026-12-01"), None),
        ("due:today", date("2026-11-23"), None),
        ("due:tomorrow", date("2026-11-24"), None),
        ("due:friday", date("2026-11-27"), None),
        ("due:+3d", date("2026-11-26"), None),
        ("due:+2w", date("2026-12-07"), None),
        ("", date("2026-12-10"), Some(0)),
    ];
    for (due, expected, offset) in cases {
        let id = add_task(
            &app,
            &format!("task checkout-v2 mktg Blog post owner:<@U0ANN|ann> {due}"),
        )
        .await;
        let task = app.store.task(id).await.unwrap().unwrap();
        assert_eq!(task.due_date, expected, "{due}");
        assert_eq!(task.due_offset_days, offset, "{due}");
        assert_eq!(task.owner, Some(user(ANN)));
        assert_eq!(task.function.as_str(), "marketing");
    }
    // The owner hears of it in a DM with the task's buttons, not in the channel.
    let reply = app
        .command(LEAD, "task checkout-v2 sales Battlecard owner:<@U0BOB>")
        .await;
    assert_ephemeral(&reply);
    assert!(text(&reply).contains("<@U0BOB>"));
    app.deliver().await;
    let dm = app.slack.last_post("D0BOB").expect("Bob is told in a DM");
    assert!(
        dm["text"].as_str().unwrap().contains("<@U0LEAD> gave you a task"),
        "{dm}"
    );
    assert!(dm["text"].as_str().unwrap().contains("Battlecard"), "{dm}");
    assert!(dm.to_string().contains("task_done"), "with its buttons: {dm}");
    let reply = app.command(LEAD, "task checkout-v2 ops Support FAQ").await;
    assert_ephemeral(&reply);
    assert!(text(&reply).contains("_unassigned_"), "{}", text(&reply));

    let usage = "/launch task <launch> <function> <title…> [owner:@user] [due:<date>]";
    assert_problem(
        &app.command(LEAD, "task nope sales Deck").await,
        "there is no launch `nope`",
        usage,
    );
    assert_problem(
        &app.command(LEAD, "task checkout-v2 legal Contract").await,
        "unknown function `legal`",
        usage,
    );
    assert_problem(
        &app.command(LEAD, "task checkout-v2 sales Deck due:2026-11-01").await,
        "is in the past",
        usage,
    );
    app.stop().await;
}

#[tokio::test]
async fn status_commands_update_tasks_and_history() {
    let app = TestApp::spawn().await;
    create_checkout(&app).await;
    let id = add_task(&app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-7").await;

    let reply = app.command(ANN, &format!("ontrack {id} drafting")).await;
    assert_eq!(reply["response_type"], "in_channel");
    assert!(text(&reply).contains(&format!("`{id}`")), "{}", text(&reply));
    assert!(text(&reply).contains("to do → on track"), "{}", text(&reply));
    assert!(text(&reply).contains("drafting"));

    app.command(ANN, &format!("risk {} legal review pending", id.0)).await;
    app.command(ANN, &format!("block t{} waiting on legal", id.0)).await;
    let task = app.store.task(id).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::blocked("waiting on legal").unwrap());

    let reply = app.command(ANN, &format!("block {id}")).await;
    assert_problem(&reply, "needs a reason", "/launch block <task> [by <task>] <reason…>");

    app.command(ANN, &format!("unblock {id}")).await;
    assert_eq!(app.store.task(id).await.unwrap().unwrap().status, TaskStatus::OnTrack);
    app.command(ANN, &format!("done {id} shipped")).await;
    assert_eq!(app.store.task(id).await.unwrap().unwrap().status, TaskStatus::Done);

    let statuses: Vec<(String, Option<String>)> = app
        .store
        .task_history(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.field == ChangeField::Status)
        .map(|h| (h.to.unwrap(), h.note))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("on track".into(), Some("drafting".into())),
            ("at risk".into(), Some("legal review pending".into())),
            ("blocked: waiting on legal".into(), None),
            ("on track".into(), Some("unblocked".into())),
            ("done".into(), Some("shipped".into())),
        ]
    );
    assert_problem(
        &app.command(ANN, "done T999").await,
        "there is no task T999",
        "/launch done <task> [note…]",
    );
    assert_problem(
        &app.command(ANN, "done X1").await,
        "not a task id",
        "/launch done <task> [note…]",
    );
    app.stop().await;
}

#[tokio::test]
async fn assign_due_and_snooze() {
    let app = TestApp::spawn().await;
    create_checkout(&app).await;
    let id = add_task(&app, "task checkout-v2 growth Lifecycle emails due:T-7").await;

    let reply = app.command(LEAD, &format!("assign {id} <@U0ANN|ann>")).await;
    assert!(text(&reply).contains("nobody → <@U0ANN>"), "{}", text(&reply));
    assert_problem(
        &app.command(LEAD, &format!("assign {id} @ann")).await,
        "plain text, not a mention",
        "/launch assign <task> @user",
    );

    app.command(ANN, &format!("due {id} 2026-12-04")).await;
    let task = app.store.task(id).await.unwrap().unwrap();
    assert_eq!(
        (task.owner, task.due_date, task.due_offset_days),
        (Some(user(ANN)), date("2026-12-04"), None)
    );
    app.command(ANN, &format!("due {id} T-3")).await;
    assert_eq!(app.store.task(id).await.unwrap().unwrap().due(), DueDate::Relative(-3));
    assert_problem(
        &app.command(ANN, &format!("due {id} 2026-01-01")).await,
        "in the past",
        "/launch due <task> <date>",
    );

    // Monday + 1 working day = Tuesday.
    app.command(ANN, &format!("snooze {id}")).await;
    assert_eq!(
        app.store.task(id).await.unwrap().unwrap().snoozed_until,
        Some(date("2026-11-24"))
    );
    app.stop().await;
}

#[tokio::test]
async fn edit_moves_relative_tasks_and_is_for_the_lead_or_admins() {
    let app = TestApp::spawn_with(true, "[permissions]\nadmins = [\"U0ADMIN\"]\n").await;
    create_checkout(&app).await;
    let relative = add_task(&app, "task checkout-v2 sales Deck due:T-14").await;
    let pinned = add_task(&app, "task checkout-v2 sales Training due:2026-12-01").await;

    let refused = app.command(ANN, "edit checkout-v2 date:2026-12-17").await;
    assert_problem(
        &refused,
        "only checkout-v2's lead (<@U0LEAD>) or a Liftoff admin can edit it",
        "/launch edit",
    );
    assert_eq!(
        launch_by_slug(&app, "checkout-v2").await.unwrap().launch_date,
        date("2026-12-10")
    );
    assert_problem(
        &app.command(ANN, "archive checkout-v2").await,
        "can archive it",
        "/launch archive <launch>",
    );

    let reply = app
        .command(LEAD, "edit checkout-v2 date:2026-12-17 name:\"Checkout Three\"")
        .await;
    assert_eq!(reply["response_type"], "in_channel");
    let t = text(&reply);
    assert!(t.contains("launch date: Thu 10 Dec → Thu 17 Dec"), "{t}");
    assert!(t.contains(&format!("`{relative}` Thu 26 Nov → Thu 3 Dec")), "{t}");
    let launch = launch_by_slug(&app, "checkout-v2").await.unwrap();
    assert_eq!(
        (launch.name.as_str(), launch.launch_date),
        ("Checkout Three", date("2026-12-17"))
    );
    assert_eq!(
        app.store.task(relative).await.unwrap().unwrap().due_date,
        date("2026-12-03")
    );
    assert_eq!(
        app.store.task(pinned).await.unwrap().unwrap().due_date,
        date("2026-12-01")
    );

    // Moving it earlier makes a relative task fall in the past: flagged.
    let reply = app.command("U0ADMIN", "edit checkout-v2 date:2026-11-30 tier:2").await;
    assert!(text(&reply).contains("now in the past"), "{}", text(&reply));
    assert_eq!(launch_by_slug(&app, "checkout-v2").await.unwrap().tier, Tier::Two);

    assert_problem(
        &app.command(LEAD, "edit checkout-v2").await,
        "nothing to change",
        "/launch edit",
    );
    app.command(LEAD, "archive checkout-v2").await;
    assert_problem(
        &app.command(LEAD, "archive checkout-v2").await,
        "already archived",
        "/launch archive",
    );
    assert_problem(
        &app.command(LEAD, &format!("done {relative}")).await,
        "which is archived",
        "/launch done",
    );
    app.stop().await;
}

#[tokio::test]
async fn show_groups_tasks_by_function_with_readiness() {
    let app = TestApp::spawn_with(
        true,
        &format!("{NO_TEMPLATES}[functions.sales]\nchannel = \"C0SALES\"\n[permissions]\nadmins = [\"U0LEAD\"]\n"),
    )
    .await;
    create_checkout(&app).await;
    let deck = add_task(&app, "task checkout-v2 sales Deck owner:<@U0ANN> due:T-14").await;
    let blog = add_task(&app, "task checkout-v2 marketing Blog <b>post</b> due:T-3").await;
    app.command(ANN, &format!("done {deck}")).await;
    app.command(LEAD, &format!("block {blog} waiting on <!channel> legal"))
        .await;
    app.command(LEAD, "lead sales <@U0SLEAD>").await;

    let reply = app.command(ANN, "show checkout-v2").await;
    assert_ephemeral(&reply);
    let t = text(&reply);
    assert!(t.contains("50% ready (1/2 due by launch day done) · 1 blocked"), "{t}");
    assert!(t.contains("*Sales* — 100% ready"), "{t}");
    assert!(t.contains("check-ins in <#C0SALES>"), "{t}");
    assert!(t.contains("lead <@U0SLEAD>"), "{t}");
    assert!(t.contains(&format!("`{deck}` Deck — <@U0ANN>")), "{t}");
    assert!(
        t.contains("blocked: waiting on &lt;!channel&gt; legal"),
        "people's text cannot ping: {t}"
    );
    assert!(t.contains("Blog &lt;b&gt;post&lt;/b&gt;"), "{t}");
    assert!(!all_block_text(&reply).contains("<!channel>"));
    assert_problem(
        &app.command(ANN, "show nope").await,
        "there is no launch `nope`",
        "/launch show <launch|task>",
    );
    app.stop().await;
}

#[tokio::test]
async fn a_launch_with_200_tasks_stays_within_block_kit_limits() {
    let app = TestApp::spawn_with(true, NO_TEMPLATES).await;
    create_checkout(&app).await;
    let launch = launch_by_slug(&app, "checkout-v2").await.unwrap();
    let ctx = crate::helpers::ctx(LEAD, "2026-11-23T09:00:00Z");
    for i in 0..200 {
        let function = ["product", "marketing", "growth", "sales", "ops"][i % 5];
        let draft = liftoff_core::TaskDraft {
            launch_id: launch.id,
            function: liftoff_core::FunctionName::parse(function).unwrap(),
            title: format!("Task number {i} with a reasonably long title to fill the line up"),
            owner: Some(user("U0ANN")),
            due: Some(DueDate::Relative(-(i as i64 % 30))),
        };
        app.store
            .create_task(
                &draft.validate(launch.launch_date, &app.state.config.calendar).unwrap(),
                &ctx,
            )
            .await
            .unwrap();
    }
    // `command` asserts the limits on the reply.
    let reply = app.command(ANN, "show checkout-v2").await;
    let blocks = reply["blocks"].as_array().unwrap().len();
    assert!(blocks <= 50, "{blocks} blocks");
    let t = text(&reply);
    assert!(t.chars().count() <= 4000, "fallback text is bounded");
    // Nothing is dropped silently: either every task is in the blocks or a summary says so.
    let block_text = all_block_text(&reply);
    let shown = (1..=200)
        .filter(|n| block_text.contains(&format!("`T{}`", n + 1)))
        .count();
    assert!(shown == 199 || block_text.contains("more not shown"), "shown {shown}");

    let mine = app.command(ANN, "mine").await;
    assert!(mine["blocks"].as_array().unwrap().len() <= 50);
    assert!(text(&mine).starts_with("Open tasks of <@U0ANN>:"));
    app.stop().await;
}

#[tokio::test]
async fn mine_lists_my_open_tasks_with_buttons() {
    let app = TestApp::spawn().await;
    create_checkout(&app).await;
    let mine = add_task(&app, "task checkout-v2 sales Deck owner:<@U0ANN> due:T-14").await;
    let done = add_task(&app, "task checkout-v2 sales Old owner:<@U0ANN> due:T-14").await;
    add_task(&app, "task checkout-v2 sales Other owner:<@U0BOB> due:T-14").await;
    app.command(ANN, &format!("done {done}")).await;

    let reply = app.command(ANN, "mine").await;
    assert_ephemeral(&reply);
    let blocks = reply["blocks"].as_array().unwrap();
    let actions: Vec<&Value> = blocks.iter().filter(|b| b["type"] == "actions").collect();
    assert_eq!(actions.len(), 1, "one open task of mine");
    let values: Vec<&str> = actions[0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert!(values.iter().all(|v| *v == mine.0.to_string()));
    let action_ids: Vec<&str> = actions[0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        action_ids,
        vec![
            "task_done",
            "task_on_track",
            "task_at_risk",
            "task_blocked",
            "task_snooze"
        ]
    );
    let none = app.command("U0NOBODY", "mine").await;
    assert!(text(&none).contains("no open tasks"));
    app.stop().await;
}

#[tokio::test]
async fn channel_and_lead_settings_override_the_config() {
    let app = TestApp::spawn_with(
        true,
        "[functions.marketing]\nchannel = \"C0OLD\"\nlead = \"U0OLDLEAD\"\n[permissions]\nadmins = [\"U0LEAD\"]\n",
    )
    .await;
    let reply = app.command(LEAD, "channel mktg <#C0NEWMKTG|launch-marketing>").await;
    assert_ephemeral(&reply);
    // A public channel Liftoff was not in: it joins, so the check-ins can be posted, and says so.
    assert_eq!(
        text(&reply),
        "*Marketing*: check-ins in <#C0NEWMKTG> · lead <@U0OLDLEAD>\nI joined <#C0NEWMKTG> so I can post there."
    );
    assert!(app.slack.channel("C0NEWMKTG").bot_is_member);
    let reply = app.command(LEAD, "lead marketing <@U0NEWLEAD>").await;
    assert_eq!(
        text(&reply),
        "*Marketing*: check-ins in <#C0NEWMKTG> · lead <@U0NEWLEAD>"
    );
    assert_problem(
        &app.command(LEAD, "channel marketing #launch-marketing").await,
        "not a channel link",
        "/launch channel <function> #channel",
    );
    app.stop().await;
}

#[tokio::test]
async fn new_without_arguments_opens_the_form() {
    let app = TestApp::spawn().await;
    let response = app
        .post_signed(
            "/slack/commands",
            crate::helpers::FORM,
            &app.command_form(LEAD, "C0LAUNCH", "new"),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "", "acknowledged with an empty body");
    let opened = app.slack.wait_for("views.open", 1).await;
    assert_eq!(opened[0]["trigger_id"], "13345224609.738474920.8088930838d88f008e0");
    assert_eq!(opened[0]["view"]["callback_id"], "new_launch");
    app.stop().await;
}

#[tokio::test]
async fn templates_metrics_actuals_and_workload() {
    let app = TestApp::spawn_with(true, "[people]\nmax_active_launches_per_lead = 1\n").await;
    let reply = app.command(ANN, "template 3").await;
    let t = text(&reply);
    assert!(t.starts_with("*Tier 3 template*: 3 task(s)"), "{t}");
    assert!(t.contains("• T-3 · product · Release notes"), "{t}");
    assert_problem(
        &app.command(ANN, "template 4").await,
        "`4` is not a tier",
        "/launch template <1|2|3>",
    );

    create_checkout(&app).await;
    let reply = app
        .command(LEAD, "metric checkout-v2 \"activation rate\" target:25% by:T+14")
        .await;
    assert_eq!(reply["response_type"], "in_channel");
    assert!(text(&reply).contains("*activation rate* for *Checkout v2* (`checkout-v2`): target 25% by T+14"));
    let reply = app.command(LEAD, "actual checkout-v2 activation rate 22%").await;
    assert!(text(&reply).contains("actual 22% :x: missed"), "{}", text(&reply));
    app.command(LEAD, "actual checkout-v2 \"activation rate\" 27").await;
    let show = text(&app.command(LEAD, "show checkout-v2").await);
    let blocks = all_block_text(&app.command(LEAD, "show checkout-v2").await);
    assert!(
        blocks.contains("activation rate: target 25% by T+14 · actual 27% :white_check_mark:"),
        "{blocks}"
    );
    assert!(show.contains("checkout-v2"));
    assert_problem(
        &app.command(LEAD, "actual checkout-v2 nps 40").await,
        "has no metric named `nps` (its metrics: activation rate)",
        "/launch actual",
    );
    let history = app
        .store
        .launch_history(launch_by_slug(&app, "checkout-v2").await.unwrap().id)
        .await
        .unwrap();
    assert_eq!(history.iter().filter(|h| h.field == ChangeField::Metric).count(), 3);
    // "Support tickets under 50": typed with `<`, which Slack sends as `&lt;`.
    let reply = app
        .command(LEAD, "metric checkout-v2 \"support tickets\" target:<50 by:T+30")
        .await;
    assert!(
        text(&reply).contains("*support tickets* for *Checkout v2* (`checkout-v2`): target &lt; 50 by T+30"),
        "{}",
        text(&reply)
    );
    let reply = app.command(LEAD, "actual checkout-v2 support tickets 40").await;
    assert!(
        text(&reply).contains("actual 40 :white_check_mark: met"),
        "fewer tickets is better: {}",
        text(&reply)
    );

    app.command(LEAD, "new Second Launch tier:3 date:2027-01-10 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "task checkout-v2 sales Deck owner:<@U0ANN> due:today")
        .await;
    let reply = app.command(ANN, "workload").await;
    let t = text(&reply);
    assert!(t.contains("• <@U0ANN>: 1 open"), "{t}");
    assert!(t.contains("• <@U0LEAD>: 2 :warning: spread too thin"), "{t}");
    // The digest flags it too.
    let messages = app
        .state
        .slack
        .service
        .digest_messages("C0PMO", "digest:test", None)
        .await
        .unwrap();
    let digest: serde_json::Value = messages[0].payload.parse().unwrap();
    let digest_text = digest["text"].as_str().unwrap();
    assert!(
        digest_text.contains(":warning: Spread too thin: <@U0LEAD> leads 2 active launches"),
        "{digest_text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn crowded_weeks_and_freezes_warn_the_author_and_the_calendar_shows_the_quarter() {
    let config = format!(
        "{NO_TEMPLATES}[launches]\nmax_per_week = 2\nfreeze = [{{ from = \"2026-12-21\", to = \"2027-01-03\", reason = \"holiday freeze\" }}]\n"
    );
    let app = TestApp::spawn_with(true, &config).await;
    let first = app
        .command(LEAD, "new Checkout v2 tier:1 date:2026-12-09 lead:<@U0LEAD>")
        .await;
    assert_eq!(first["response_type"], "in_channel", "no clash: announced");
    let second = app.command(ANN, "new Search tier:2 date:2026-12-11").await;
    assert_ephemeral(&second);
    let t = text(&second);
    assert!(t.contains("`search`"), "still created: {t}");
    assert!(
        t.contains("already has a tier-1 launch: Checkout v2 (`checkout-v2`, tier 1, Wed 9 Dec)"),
        "{t}"
    );
    let third = text(&app.command(ANN, "new Push tier:3 date:2026-12-10").await);
    assert!(third.contains("would have 3 launches (the limit is 2)"), "{third}");
    assert!(third.contains("bundling"), "{third}");
    assert_eq!(
        app.store.list_launches(false).await.unwrap().len(),
        3,
        "warnings never refuse"
    );

    // Moving a launch into the freeze warns too.
    let moved = app.command(ANN, "edit search date:2026-12-22").await;
    assert_ephemeral(&moved);
    assert!(text(&moved).contains("Tue 22 Dec falls in a freeze (Mon 21 Dec to Sun 3 Jan): holiday freeze"));

    let calendar = text(&app.command(ANN, "calendar 2026-Q4").await);
    assert!(calendar.starts_with("*Launch calendar, Q4 2026*"), "{calendar}");
    assert!(
        calendar.contains("• Week of 7 Dec: *Checkout v2* (`checkout-v2`, tier 1, Wed 9 Dec, <@U0LEAD>); *Push*"),
        "{calendar}"
    );
    assert!(calendar.contains("• Week of 21 Dec: *Search*"), "{calendar}");
    assert!(text(&app.command(ANN, "calendar 2027-Q1").await).contains("No launches this quarter"));
    let coming = text(&app.command(ANN, "calendar").await);
    assert!(
        coming.starts_with("*Launch calendar, the next 13 weeks*"),
        "default: the coming weeks: {coming}"
    );
    assert!(coming.contains("• Week of 21 Dec: *Search*"), "{coming}");
    app.stop().await;
}

#[tokio::test]
async fn the_retro_tells_the_launch_story() {
    let app = TestApp::spawn_with(true, NO_TEMPLATES).await;
    create_checkout(&app).await;
    let deck = add_task(&app, "task checkout-v2 sales Deck owner:<@U0ANN> due:T-7").await;
    app.command(LEAD, "metric checkout-v2 signups target:500").await;
    app.command(ANN, &format!("block {deck} waiting on pricing")).await;
    app.set_time("2026-11-26T09:00:00Z");
    app.command(ANN, &format!("unblock {deck}")).await;
    app.command(LEAD, "edit checkout-v2 date:2026-12-17").await;
    app.command(ANN, &format!("due {deck} 2026-12-11")).await;
    app.command(LEAD, "actual checkout-v2 signups 620").await;
    let retro = text(&app.command(LEAD, "retro checkout-v2").await);
    assert!(retro.starts_with("*Retro: Checkout v2* (`checkout-v2`)"), "{retro}");
    assert!(retro.contains("• Launch date moved Thu 10 Dec → Thu 17 Dec"), "{retro}");
    assert!(retro.contains("• Task due dates changed by hand: 1"), "{retro}");
    assert!(retro.contains("• Working days blocked: sales 3"), "{retro}");
    assert!(retro.contains("• Escalations: none"), "{retro}");
    assert!(
        retro.contains("• signups: target 500 → 620 :white_check_mark: met"),
        "{retro}"
    );
    assert_problem(
        &app.command(LEAD, "retro").await,
        "name one launch",
        "/launch retro <launch>",
    );
    app.stop().await;
}

/// Every restricted command (edit, archive, go/no-go) is refused to someone who is neither the
/// launch's lead nor an admin, with nothing changed, and allowed to an admin.
#[tokio::test]
async fn each_restricted_command_is_for_the_lead_or_an_admin_only() {
    let config = "[permissions]\nadmins = [\"U0ADMIN\"]\n[functions.sales]\nlead = \"U0SLEAD\"\n";
    let app = TestApp::spawn_with(true, config).await;
    create_checkout(&app).await;
    // The Sales lead's DM about the template tasks they now own goes out first.
    app.deliver().await;
    let cases = [
        ("edit checkout-v2 name:\"Renamed\"", "can edit it", "/launch edit"),
        (
            "gonogo checkout-v2",
            "can start its go/no-go",
            "/launch gonogo <launch>",
        ),
        ("archive checkout-v2", "can archive it", "/launch archive <launch>"),
    ];
    for (command, refusal, usage) in cases {
        let before = launch_by_slug(&app, "checkout-v2").await.unwrap();
        let outbox_before = app.store.outbox_counts().await.unwrap();
        assert_problem(&app.command(ANN, command).await, refusal, usage);
        assert_eq!(
            launch_by_slug(&app, "checkout-v2").await.unwrap(),
            before,
            "{command} changed nothing"
        );
        assert_eq!(
            app.store.outbox_counts().await.unwrap(),
            outbox_before,
            "{command} sent nothing"
        );
        if command.starts_with("gonogo") {
            assert!(app.store.latest_gonogo(before.id).await.unwrap().is_none());
        }

        let allowed = app.command("U0ADMIN", command).await;
        assert!(
            !allowed["text"].as_str().unwrap().starts_with(":warning:"),
            "an admin may `{command}`: {allowed}"
        );
    }
    let launch = app
        .store
        .launch(&liftoff_core::LaunchRef::Slug(
            liftoff_core::Slug::parse("checkout-v2").unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(launch.name, "Renamed");
    assert_eq!(launch.state, liftoff_core::LaunchState::Archived);
    assert!(app.store.latest_gonogo(launch.id).await.unwrap().is_some());
    app.stop().await;
}

#[tokio::test]
async fn only_admins_and_the_functions_own_lead_change_its_channel_and_lead() {
    let app = TestApp::spawn_with(
        true,
        "[functions.marketing]\nchannel = \"C0MKTG\"\nlead = \"U0MLEAD\"\n[permissions]\nadmins = [\"U0ADMIN\"]\n",
    )
    .await;
    // Anyone else: refused, with who can, and nothing moves.
    assert_problem(
        &app.command("U0MALLORY", "channel marketing <#C0ELSEWHERE|elsewhere>")
            .await,
        "only Marketing's lead (<@U0MLEAD>) or a Liftoff admin can change the Marketing check-in channel",
        "/launch channel <function> #channel",
    );
    assert_problem(
        &app.command("U0MALLORY", "lead marketing <@U0MALLORY>").await,
        "only Marketing's lead (<@U0MLEAD>) or a Liftoff admin can change the Marketing lead",
        "/launch lead <function> @user",
    );
    let marketing = |app: &TestApp| {
        let service = app.state.slack.service.clone();
        async move {
            service
                .effective_functions()
                .await
                .unwrap()
                .into_iter()
                .find(|f| f.name.as_str() == "marketing")
                .unwrap()
        }
    };
    let now = marketing(&app).await;
    assert_eq!(now.channel.unwrap().as_str(), "C0MKTG");
    assert_eq!(now.lead.unwrap().as_str(), "U0MLEAD");
    // The function's own lead moves its check-ins; an admin names a new lead.
    let reply = app
        .command("U0MLEAD", "channel marketing <#C0MKTG2|mktg-launches>")
        .await;
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .starts_with("*Marketing*: check-ins in <#C0MKTG2>"),
        "{reply}"
    );
    let reply = app.command("U0ADMIN", "lead marketing <@U0NEWLEAD>").await;
    assert!(reply["text"].as_str().unwrap().contains("lead <@U0NEWLEAD>"), "{reply}");
    // The old lead no longer leads it.
    assert_problem(
        &app.command("U0MLEAD", "channel marketing <#C0MKTG|launch-mktg>").await,
        "only Marketing's lead (<@U0NEWLEAD>) or a Liftoff admin can change",
        "/launch channel <function> #channel",
    );
    app.stop().await;
}

#[tokio::test]
async fn archived_launches_take_no_metrics_or_roles_and_on_demand_digests_are_paced() {
    let app = TestApp::spawn_with(true, &format!("{NO_TEMPLATES}[channels]\npmo = \"C0PMO\"\n")).await;
    create_checkout(&app).await;
    let deck = add_task(&app, "task checkout-v2 sales Deck owner:<@U0ANN> due:T-14").await;
    app.command(LEAD, "archive checkout-v2").await;
    assert_problem(
        &app.command(LEAD, "metric checkout-v2 signups target:500").await,
        "checkout-v2 is archived",
        "/launch metric",
    );
    assert_problem(
        &app.command(LEAD, &format!("raci {deck} accountable:<@U0LEE>")).await,
        "belongs to checkout-v2, which is archived",
        "/launch raci",
    );
    assert!(app.store.task_roles(deck).await.unwrap().is_empty());

    // One on-demand digest per person per five minutes.
    let first = app.command(LEAD, "digest").await;
    assert!(
        first["text"].as_str().unwrap().contains("Posting the digest"),
        "{first}"
    );
    let again = app.command(LEAD, "digest").await;
    assert!(
        again["text"].as_str().unwrap().contains("try again in 5 min"),
        "{again}"
    );
    let other = app.command(ANN, "digest").await;
    assert!(
        other["text"].as_str().unwrap().contains("Posting the digest"),
        "someone else may: {other}"
    );
    app.clock.advance(chrono::Duration::minutes(6));
    let later = app.command(LEAD, "digest").await;
    assert!(
        later["text"].as_str().unwrap().contains("Posting the digest"),
        "{later}"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_admins_a_function_with_no_lead_can_be_given_one() {
    let app = TestApp::spawn().await;
    let reply = app.command("U0SOMEONE", "lead growth <@U0GLEAD>").await;
    assert!(text(&reply).contains("lead <@U0GLEAD>"), "{reply}");
    // Now it has a lead: only she changes it.
    assert_problem(
        &app.command("U0SOMEONE", "lead growth <@U0SOMEONE>").await,
        "only Growth's lead (<@U0GLEAD>) or a Liftoff admin can change the Growth lead",
        "/launch lead <function> @user",
    );
    app.stop().await;
}

/// Posts to `chat.postMessage` since the first `skip` of them.
fn posts_since(app: &TestApp, skip: usize) -> Vec<Value> {
    app.slack.calls("chat.postMessage").into_iter().skip(skip).collect()
}

#[tokio::test]
async fn slipping_a_launch_tells_each_function_channel_and_each_owner_once_with_every_moved_task() {
    let config = format!(
        "{NO_TEMPLATES}[slack]\npost_interval_ms = 5\n[functions.sales]\nchannel = \"C0SALES\"\n\
         [functions.marketing]\nchannel = \"C0MKTG\"\n"
    );
    let app = TestApp::spawn_with(true, &config).await;
    // Thursday 10 December.
    create_checkout(&app).await;
    let battlecard = add_task(&app, "task checkout-v2 sales Battlecard owner:<@U0ANN> due:T-14").await;
    let pricing = add_task(&app, "task checkout-v2 sales Pricing one-pager owner:<@U0ANN> due:T-7").await;
    let demo = add_task(&app, "task checkout-v2 sales Demo script owner:<@U0BEN> due:T-3").await;
    let blog = add_task(
        &app,
        "task checkout-v2 marketing Launch blog post owner:<@U0ANN> due:T-5",
    )
    .await;
    let teaser = add_task(&app, "task checkout-v2 marketing Teaser owner:<@U0LEAD> due:T-10").await;
    let pinned = add_task(&app, "task checkout-v2 marketing Press kit due:2026-12-01").await;
    let finished = add_task(&app, "task checkout-v2 sales Sales FAQ owner:<@U0BEN> due:T-8").await;
    app.command("U0BEN", &format!("done {finished}")).await;
    app.deliver().await;
    let before = app.slack.calls("chat.postMessage").len();

    let reply = app.command(LEAD, "edit checkout-v2 date:+1w").await;
    assert!(
        text(&reply).contains("launch date: Thu 10 Dec → Thu 17 Dec"),
        "{}",
        text(&reply)
    );
    app.deliver().await;
    let posts = posts_since(&app, before);
    let to = |channel: &str| -> Vec<String> {
        posts
            .iter()
            .filter(|p| p["channel"] == channel)
            .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // One per function channel, one per owner; nothing to Lea, who moved it herself.
    assert_eq!(posts.len(), 4, "{posts:#?}");
    let sales = to("C0SALES");
    assert_eq!(sales.len(), 1, "{posts:#?}");
    for id in [battlecard, pricing, demo] {
        assert!(sales[0].contains(&format!("`{id}`")), "{id} in {}", sales[0]);
    }
    assert!(sales[0].contains("moved from Thu 10 Dec to Thu 17 Dec"), "{}", sales[0]);
    assert!(
        sales[0].contains(&format!("`{battlecard}` Battlecard (@U0ANN): Thu 26 Nov → Thu 3 Dec")),
        "{}",
        sales[0]
    );
    let marketing = to("C0MKTG");
    assert_eq!(marketing.len(), 1, "{posts:#?}");
    // T-5 of Thursday 17 December is Saturday 12th: due Friday 11th, and said so.
    assert!(
        marketing[0].contains(&format!(
            "`{blog}` Launch blog post (@U0ANN): Fri 4 Dec → Fri 11 Dec (T-5 falls on Sat 12 Dec)"
        )),
        "{}",
        marketing[0]
    );
    assert!(marketing[0].contains(&format!("`{teaser}`")), "{}", marketing[0]);
    let ann = to("D0ANN");
    assert_eq!(ann.len(), 1, "one DM listing all three of Ann's tasks: {posts:#?}");
    for id in [battlecard, pricing, blog] {
        assert!(ann[0].contains(&format!("`{id}`")), "{id} in {}", ann[0]);
    }
    let ben = to("D0BEN");
    assert_eq!(ben.len(), 1, "{posts:#?}");
    assert!(ben[0].contains(&format!("`{demo}`")), "{}", ben[0]);
    // The finished FAQ and the pinned press kit stay where they are, and nobody hears of them.
    for id in [finished, pinned] {
        assert!(
            posts
                .iter()
                .all(|p| !p["text"].as_str().unwrap_or_default().contains(&format!("`{id}`")))
        );
    }
    assert_eq!(
        app.store.task(finished).await.unwrap().unwrap().due_date,
        date("2026-12-02")
    );
    assert_eq!(
        app.store.task(pinned).await.unwrap().unwrap().due_date,
        date("2026-12-01")
    );
    assert!(to("D0LEAD").is_empty(), "Lea moved it herself");
    app.stop().await;
}
