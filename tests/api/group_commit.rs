//! Group commit on SQLite (`store::inline::writer`): new tasks added at the same time share
//! one commit, each confirmed only once it is stored, and a write that fails takes back only
//! itself. The writers are lined up behind a turn at writing the test holds, as a launch's
//! kick-off lines them up when the whole team adds its tasks in the same minute.

use liftoff::store::{Store, StoreError};
use liftoff_core::task::{NewTask, Task};
use liftoff_core::{DueDate, FunctionName, LaunchRef, TaskDraft};

use crate::helpers::{TestDb, config_with_database, ctx, new_launch, owner_dm, user};

const NOW: &str = "2026-11-23T09:00:00Z";

/// What the team adds at the kick-off: one task each, in their own words.
const TITLES: [&str; 12] = [
    "Battlecard for the Q1 pricing change",
    "Update the pricing page FAQ",
    "Brief the EMEA sales team",
    "Launch blog post draft",
    "Customer email: what changes for existing plans",
    "Record the 2-min demo video",
    "Support macros for billing questions",
    "Partner newsletter blurb",
    "Press release review with legal",
    "In-app banner copy (EN, DE, FR)",
    "Update the help-centre screenshots",
    "Sales deck: new packaging slide",
];

/// A fresh SQLite database holding Checkout v2.
async fn sqlite_with_launch() -> (TestDb, Store, liftoff_core::Launch) {
    let db = TestDb::sqlite().await;
    db.store.migrate().await.unwrap();
    let store = db.store.clone();
    let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
    (db, store, launch)
}

fn calendar() -> liftoff_core::WorkCalendar {
    liftoff_core::WorkCalendar::weekdays(chrono_tz::UTC)
}

fn owner(n: usize) -> String {
    format!("U0OWNER{n:02}")
}

/// Adds `title` for `owner` as `/launch task` does (a slot, then its fill), with a DM of
/// `kind`.
async fn add_task(
    store: Store,
    launch: liftoff_core::Launch,
    title: &'static str,
    owner: String,
    kind: &'static str,
) -> Result<Task, StoreError> {
    let sales = FunctionName::parse("sales").unwrap();
    let slot = store
        .task_slot(&LaunchRef::Id(launch.id), &sales)
        .await?
        .expect("the launch exists");
    let draft = TaskDraft {
        launch_id: launch.id,
        function: sales,
        title: title.to_owned(),
        owner: Some(user(&owner)),
        due: Some(DueDate::Relative(-3)),
    };
    let new: NewTask = draft.validate(launch.launch_date, &calendar()).expect("valid task");
    let key = format!("assigned:{}:created", slot.id);
    slot.fill(&new, &ctx("U0LEAD", NOW), &[owner_dm(&key, kind, &owner)])
        .await
}

/// Starts one `add_task` per title behind the turn the test holds, and waits until they
/// all wait for it.
async fn line_up(
    store: &Store,
    launch: &liftoff_core::Launch,
    kinds: impl Fn(usize) -> &'static str,
) -> Vec<tokio::task::JoinHandle<Result<Task, StoreError>>> {
    let handles: Vec<_> = TITLES
        .iter()
        .enumerate()
        .map(|(n, title)| tokio::spawn(add_task(store.clone(), launch.clone(), title, owner(n), kinds(n))))
        .collect();
    wait_for_waiting(store, TITLES.len()).await;
    handles
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_added_at_the_same_time_share_a_commit_and_every_one_is_stored_on_sqlite() {
    let (db, store, launch) = sqlite_with_launch().await;
    let commits_before = store.group_commits().await.unwrap();

    let held = store.hold_write_turn().await.expect("sqlite");
    let handles = line_up(&store, &launch, |_| "assigned").await;
    drop(held);
    let mut tasks = Vec::new();
    for handle in handles {
        tasks.push(handle.await.unwrap().expect("confirmed"));
    }

    let commits = store.group_commits().await.unwrap() - commits_before;
    assert!(
        commits <= 2,
        "{} tasks added at once took {commits} commits",
        TITLES.len()
    );
    let mut ids: Vec<_> = tasks.iter().map(|t| t.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), TITLES.len(), "every task has an id of its own");
    for (n, task) in tasks.iter().enumerate() {
        assert_eq!(task.title, TITLES[n]);
        assert_eq!(task.owner, Some(user(&owner(n))));
        let history = store.task_history(task.id).await.unwrap();
        assert_eq!(history.len(), 1, "{}: {history:?}", task.title);
        let key = format!("assigned:{}:created", task.id);
        assert!(
            store.outbox_payload(&key).await.unwrap().is_some(),
            "{} has its owner's DM",
            task.title
        );
    }

    // What was confirmed is in the file: another store, opened after this one closed, reads it.
    db.store.close().await;
    let reopened = Store::connect(&config_with_database(&db.url).database).await.unwrap();
    let stored = reopened.launch_tasks(launch.id).await.unwrap();
    assert_eq!(stored.len(), TITLES.len());
    for task in &tasks {
        assert!(stored.contains(task), "confirmed but not stored: {}", task.title);
    }
    reopened.close().await;
    db.cleanup().await;
}

/// One owner's DM is refused (a trigger stands in for a constraint that fails): that task is
/// not added, and the others in its group are, each with its history row and DM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_in_a_group_takes_back_only_itself_on_sqlite() {
    let (db, store, launch) = sqlite_with_launch().await;
    db.run_raw(
        "CREATE TRIGGER refuse_dm BEFORE INSERT ON outbox WHEN NEW.kind = 'refused' \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .await;

    let held = store.hold_write_turn().await.expect("sqlite");
    let refused_one = 4;
    let handles = line_up(
        &store,
        &launch,
        |n| if n == refused_one { "refused" } else { "assigned" },
    )
    .await;
    drop(held);
    let mut added = Vec::new();
    for (n, handle) in handles.into_iter().enumerate() {
        let result = handle.await.unwrap();
        if n == refused_one {
            assert!(
                matches!(result, Err(StoreError::Inline(_))),
                "the refused DM fails its task: {result:?}"
            );
        } else {
            added.push(result.expect("the others are confirmed"));
        }
    }
    let stored = store.launch_tasks(launch.id).await.unwrap();
    let titles: Vec<_> = stored.iter().map(|t| t.title.as_str()).collect();
    assert!(!titles.contains(&TITLES[refused_one]), "{titles:?}");
    assert_eq!(stored.len(), TITLES.len() - 1);
    for task in &added {
        assert!(stored.contains(task), "{} confirmed but not stored", task.title);
        assert_eq!(store.task_history(task.id).await.unwrap().len(), 1);
    }
    db.cleanup().await;
}

/// A write of another kind (a function's lead set in Slack) whose turn comes while a group is
/// open, left open for a task behind it, commits the group first: sqlx's writer connection
/// would otherwise find SQLite's lock taken and wait out its busy timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_write_commits_an_open_group_first_on_sqlite() {
    let (db, store, launch) = sqlite_with_launch().await;

    let held = store.hold_write_turn().await.expect("sqlite");
    let first = tokio::spawn(add_task(store.clone(), launch.clone(), TITLES[0], owner(0), "assigned"));
    wait_for_waiting(&store, 1).await;
    let other = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .set_function_setting(
                    &FunctionName::parse("sales").unwrap(),
                    &liftoff::store::FunctionSetting::Lead(user("U0SAL")),
                    &ctx("U0LEAD", NOW),
                )
                .await
        })
    };
    wait_for_waiting(&store, 2).await;
    // The first task leaves its group open for this one, and the other write comes between.
    let second = tokio::spawn(add_task(store.clone(), launch.clone(), TITLES[1], owner(1), "assigned"));
    wait_for_waiting(&store, 3).await;
    let started = std::time::Instant::now();
    drop(held);
    other.await.unwrap().expect("the other write goes through");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the other write waited {:?}",
        started.elapsed()
    );
    first.await.unwrap().expect("confirmed");
    second.await.unwrap().expect("confirmed");
    assert_eq!(store.launch_tasks(launch.id).await.unwrap().len(), 2);
    db.cleanup().await;
}

/// A person's command given up (the connection dropped) while its task waits for the commit
/// that holds it, behind a turn that does not commit (another `/launch task` still deciding):
/// the group is committed all the same once that turn ends, so SQLite's write lock is not left
/// held by a transaction nobody will commit (which would stall every other process on the
/// file, and every write of this one behind a busy timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_whose_writer_gave_up_is_still_committed_on_sqlite() {
    let (db, store, launch) = sqlite_with_launch().await;
    let sales = FunctionName::parse("sales").unwrap();
    let commits_before = store.group_commits().await.unwrap();

    let held = store.hold_write_turn().await.expect("sqlite");
    let given_up = tokio::spawn(add_task(store.clone(), launch.clone(), TITLES[0], owner(0), "assigned"));
    wait_for_waiting(&store, 1).await;
    let deciding = {
        let (store, launch, sales) = (store.clone(), launch.clone(), sales.clone());
        tokio::spawn(async move { store.task_slot(&LaunchRef::Id(launch.id), &sales).await })
    };
    wait_for_waiting(&store, 2).await;
    drop(held);
    // The first task is written and waits for its commit behind the second's slot.
    let slot = deciding.await.unwrap().unwrap().expect("the launch exists");
    wait_for_waiting(&store, 1).await;
    given_up.abort();
    assert!(given_up.await.unwrap_err().is_cancelled());
    drop(slot);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while store.group_commits().await.unwrap() == commits_before {
        assert!(std::time::Instant::now() < deadline, "the group was left open");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Another process can write to the file again.
    let other = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("INSERT INTO health_probe (id, probed_at_ms) VALUES (7, 0)")
        .execute(&other)
        .await
        .expect("the write lock is free");
    other.close().await;
    db.cleanup().await;
}

async fn wait_for_waiting(store: &Store, writers: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.writers_waiting() != Some(writers) {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?} writers waiting, not {writers}",
            store.writers_waiting()
        );
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}
