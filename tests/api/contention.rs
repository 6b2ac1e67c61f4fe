//! A burst of people changing one task at the same moment: every change goes through, once,
//! in some order, and nobody sees "Sorry, something went wrong".

use liftoff_core::ChangeField;

use crate::helpers::TestApp;

const LEAD: &str = "U0LEAD";

/// A team that works openly (anyone may change any task), so fifty people can move one.
const OPEN_TEAM: &str = "[permissions]\nopen = true\n[templates]\npath = \"tests/fixtures/no-templates.toml\"\n";

async fn fifty_changes_to_one_task(app: TestApp) {
    app.command(LEAD, "new Payments Hub tier:2 date:2027-03-31 lead:<@U0LEAD>")
        .await;
    let launch = app.launch("payments-hub").await;
    app.command(
        LEAD,
        "task payments-hub marketing \"Launch blog post\" owner:<@U0ANN> due:2027-03-01",
    )
    .await;
    let task = app.store.launch_tasks(launch.id).await.unwrap()[0].id;
    // Fifty people move its due date at once, each to a different day.
    let replies = futures_util::future::join_all((0..50).map(|n| {
        let due = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(n);
        let app = &app;
        async move { app.command(&format!("U0P{n:03}"), &format!("due {task} {due}")).await }
    }))
    .await;
    for reply in &replies {
        let text = reply["text"].as_str().unwrap();
        assert!(!text.contains("something went wrong"), "{text}");
    }
    let moves = app
        .store
        .task_history(task)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.field == ChangeField::Due)
        .count();
    assert_eq!(moves, 50, "every change applied once");
    app.stop().await;
}

#[tokio::test]
async fn fifty_people_changing_one_task_at_once_all_get_through_on_sqlite() {
    fifty_changes_to_one_task(TestApp::spawn_with(true, OPEN_TEAM).await).await;
}

#[tokio::test]
async fn fifty_people_changing_one_task_at_once_all_get_through_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres(OPEN_TEAM).await else {
        return;
    };
    fifty_changes_to_one_task(app).await;
}
