//! Text as real Slack sends it: `&`, `<` and `>` arrive escaped in slash commands and message
//! events (docs.slack.dev, "Formatting text for app surfaces" → "Escaping text"), modal input
//! arrives unescaped. Liftoff must store what the person typed, once, and show it escaped once.
//! The test helpers escape what people type exactly as Slack does (`emulator::escape_typed`).

use liftoff_core::{LaunchRef, Slug};
use serde_json::json;

use crate::helpers::TestApp;

const LEAD: &str = "U0LEAD";

fn no_templates(extra: &str) -> String {
    format!("[templates]\npath = \"tests/fixtures/no-templates.toml\"\n{extra}")
}

async fn launch_named(app: &TestApp, slug: &str) -> liftoff_core::Launch {
    app.store
        .launch(&LaunchRef::Slug(Slug::parse(slug).unwrap()))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no launch `{slug}`"))
}

#[tokio::test]
async fn ampersands_and_angle_brackets_typed_in_a_command_are_stored_as_typed() {
    let app = TestApp::spawn_with(
        true,
        &no_templates("[launches]\nics_token = \"a-long-random-feed-token\"\n"),
    )
    .await;
    // What the PMM types; Slack sends `R&amp;D &lt;beta&gt; portal`.
    let form = app.command_form(LEAD, "C0LAUNCH", "new R&D <beta> portal tier:2 date:2026-12-10");
    assert!(
        form.contains("R%26amp%3BD+%26lt%3Bbeta%26gt%3B"),
        "sent as Slack sends it: {form}"
    );
    let reply = app.command(LEAD, "new R&D <beta> portal tier:2 date:2026-12-10").await;
    let launch = launch_named(&app, "r-d-beta-portal").await;
    assert_eq!(launch.name, "R&D <beta> portal");
    // Shown escaped exactly once: Slack displays `R&D <beta> portal`.
    let text = reply.to_string();
    assert!(text.contains("R&amp;D &lt;beta&gt; portal"), "{text}");
    assert!(
        !text.contains("&amp;amp;") && !text.contains("&amp;lt;"),
        "escaped twice: {text}"
    );

    // The iCalendar feed carries the name itself, not Slack's escaping.
    let ics = app
        .get("/calendar.ics?token=a-long-random-feed-token")
        .await
        .text()
        .await
        .unwrap();
    assert!(ics.contains("Launch: R&D <beta> portal (tier 2)"), "{ics}");
    assert!(!ics.contains("&amp;"), "{ics}");
    app.stop().await;
}

#[tokio::test]
async fn the_form_and_the_command_give_the_same_name_and_slug() {
    // The modal's input arrives unescaped, as Slack sends view_submission state values.
    let app = TestApp::spawn_with(true, &no_templates("")).await;
    let metadata = json!({"channel": "C0LAUNCH", "response_url": app.slack.response_url("new")}).to_string();
    let payload = json!({
        "type": "view_submission",
        "team": {"id": crate::fake_slack::TEAM_ID, "domain": "liftoff-test"},
        "user": {"id": LEAD, "username": "maria", "team_id": crate::fake_slack::TEAM_ID},
        "api_app_id": "A0LIFTOFF",
        "trigger_id": "3333.4444.trigger",
        "view": {
            "id": "V0VIEW", "type": "modal", "callback_id": "new_launch",
            "private_metadata": metadata, "hash": "1.hash",
            "team_id": crate::fake_slack::TEAM_ID, "app_installed_team_id": crate::fake_slack::TEAM_ID,
            "state": {"values": {
                "name": {"name": {"type": "plain_text_input", "value": "R&D <beta> portal"}},
                "tier": {"tier": {"type": "static_select", "selected_option": {"value": "2"}}},
                "date": {"date": {"type": "datepicker", "selected_date": "2026-12-10"}},
                "lead": {"lead": {"type": "users_select", "selected_user": LEAD}}
            }}
        }
    });
    assert_eq!(app.interaction(&payload).await.status(), 200);
    let from_form = launch_named(&app, "r-d-beta-portal").await;
    assert_eq!(from_form.name, "R&D <beta> portal");

    // The same name typed: same name, and the same slug but for the clash with the first.
    app.command(LEAD, "new R&D <beta> portal tier:2 date:2026-12-11").await;
    let typed = launch_named(&app, "r-d-beta-portal-2").await;
    assert_eq!(typed.name, from_form.name);
    app.stop().await;
}

#[tokio::test]
async fn a_quoted_task_title_with_symbols_round_trips() {
    let app = TestApp::spawn_with(true, &no_templates("")).await;
    app.command(LEAD, "new Checkout tier:2 date:2026-12-10 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "task checkout sales \"Q&A deck: <draft> > final\" owner:<@U0ANN>")
        .await;
    let tasks = app
        .store
        .launch_tasks(launch_named(&app, "checkout").await.id)
        .await
        .unwrap();
    assert_eq!(tasks[0].title, "Q&A deck: <draft> > final");
    app.stop().await;
}
