//! Repository tests: every query, on both backends.

use liftoff::store::{FunctionSetting, Store, StoreError};
use liftoff_core::launch::{LaunchEdit, LaunchState, SuccessMetric, TargetDirection};
use liftoff_core::readiness::{TaskTally, overall_readiness, readiness};
use liftoff_core::task::{RaciRole, StatusKind, TaskEdit};
use liftoff_core::{
    Actor, ChangeField, ChangeSource, DueDate, FunctionName, LaunchId, LaunchRef, RoleAssignment, Slug, TaskDraft,
    TaskId, TaskStatus, Tier,
};

use crate::helpers::{both_backends, ctx, date, instant, new_launch, user};

const NOW: &str = "2026-11-23T09:00:00Z";

async fn new_task(
    store: &Store,
    launch: &liftoff_core::Launch,
    function: &str,
    title: &str,
    owner: Option<&str>,
    due: Option<DueDate>,
) -> liftoff_core::Task {
    let draft = TaskDraft {
        launch_id: launch.id,
        function: FunctionName::parse(function).unwrap(),
        title: title.to_owned(),
        owner: owner.map(user),
        due,
    };
    let new = draft.validate(launch.launch_date, &calendar()).expect("valid task");
    store.create_task(&new, &ctx("U0LEAD", NOW)).await.expect("create task")
}

fn calendar() -> liftoff_core::WorkCalendar {
    liftoff_core::WorkCalendar::weekdays(chrono_tz::UTC)
}

async fn set_status(store: &Store, task: &liftoff_core::Task, status: TaskStatus, at: &str) -> liftoff_core::Task {
    let launch = store.launch_by_id(task.launch_id).await.unwrap().unwrap();
    let (next, entry) = task
        .edit(
            TaskEdit::Status(status),
            launch.launch_date,
            &calendar(),
            &ctx("U0OWNER", at),
            None,
        )
        .unwrap();
    store.save_task(&next, &[entry], &[], None).await.expect("save task")
}

both_backends! {
    async fn migrations_are_all_applied(store) {
        assert_eq!(store.pending_migrations().await.unwrap(), Vec::<i64>::new());
        store.ping().await.unwrap();
        // Running them again is a no-op, as on every start-up.
        store.migrate().await.unwrap();
    }

    async fn launches_get_unique_slugs_and_are_found_by_slug_or_id(store) {
        let first = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let second = new_launch(&store, "Checkout V2!", "2026-12-11").await;
        let third = new_launch(&store, "checkout-v2", "2026-12-12").await;
        assert_eq!(first.slug.as_str(), "checkout-v2");
        assert_eq!(second.slug.as_str(), "checkout-v2-2");
        assert_eq!(third.slug.as_str(), "checkout-v2-3");
        assert_eq!(first.state, LaunchState::Planned);
        assert_eq!(first.lead, Some(user("U0LEAD")));
        assert_eq!(first.version, 1);

        let by_slug = store.launch(&LaunchRef::Slug(Slug::parse("checkout-v2-2").unwrap())).await.unwrap();
        assert_eq!(by_slug.as_ref().map(|l| l.id), Some(second.id));
        let by_id = store.launch(&LaunchRef::Id(third.id)).await.unwrap();
        assert_eq!(by_id, Some(third.clone()));
        assert_eq!(store.launch(&LaunchRef::Id(LaunchId(9999))).await.unwrap(), None);
        assert_eq!(store.launch(&LaunchRef::Slug(Slug::parse("nope").unwrap())).await.unwrap(), None);

        let history = store.launch_history(first.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].field, ChangeField::Created);
        assert_eq!(history[0].actor, Actor::User(user("U0LEAD")));
        assert_eq!(history[0].at, instant(NOW));
    }

    async fn concurrent_creates_with_one_name_get_distinct_slugs(store) {
        let mut creates = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let store = store.clone();
            creates.spawn(async move { new_launch(&store, "Spring Release", "2026-12-10").await });
        }
        let launches = creates.join_all().await;
        let mut slugs: Vec<String> = launches.iter().map(|l| l.slug.to_string()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 6, "{slugs:?}");
    }

    async fn launches_list_soonest_first_and_hide_archived(store) {
        let late = new_launch(&store, "Late", "2027-02-01").await;
        let soon = new_launch(&store, "Soon", "2026-12-01").await;
        let archived = new_launch(&store, "Old", "2026-12-05").await;
        let archive = LaunchEdit { state: Some(LaunchState::Archived), ..LaunchEdit::default() };
        let change = archived.edit(archive, &[], date("2026-11-23"), &calendar(), &ctx("U0LEAD", NOW)).unwrap();
        store.save_launch_change(&change).await.unwrap();

        let active: Vec<_> = store.list_launches(false).await.unwrap().into_iter().map(|l| l.id).collect();
        assert_eq!(active, vec![soon.id, late.id]);
        let all: Vec<_> = store.list_launches(true).await.unwrap().into_iter().map(|l| l.id).collect();
        assert_eq!(all, vec![soon.id, archived.id, late.id]);
    }

    async fn moving_a_launch_moves_relative_tasks_atomically(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let relative = new_task(&store, &launch, "sales", "Battlecard", Some("U0OWNER"), Some(DueDate::Relative(-14))).await;
        let pinned = new_task(&store, &launch, "marketing", "Blog", None, Some(DueDate::On(date("2026-12-01")))).await;
        assert_eq!(relative.due_date, date("2026-11-26"));

        let tasks = store.launch_tasks(launch.id).await.unwrap();
        let edit = LaunchEdit { launch_date: Some(liftoff_core::launch::NewLaunchDate::On(date("2026-12-17"))), ..LaunchEdit::default() };
        let change = launch.edit(edit, &tasks, date("2026-11-23"), &calendar(), &ctx("U0LEAD", "2026-11-24T10:00:00Z")).unwrap();
        let saved = store.save_launch_change(&change).await.unwrap();
        assert_eq!(saved.launch_date, date("2026-12-17"));
        assert_eq!(saved.version, 2);

        let moved = store.task(relative.id).await.unwrap().unwrap();
        assert_eq!(moved.due_date, date("2026-12-03"));
        assert_eq!(moved.due_offset_days, Some(-14));
        assert_eq!(moved.version, relative.version + 1);
        assert_eq!(store.task(pinned.id).await.unwrap().unwrap().due_date, date("2026-12-01"));

        let history = store.task_history(relative.id).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!((last.field, last.to.as_deref()), (ChangeField::Due, Some("2026-12-03")));

        // A second writer still holding the old version is refused and changes nothing.
        let stale = launch.edit(LaunchEdit { tier: Some(Tier::Three), ..LaunchEdit::default() }, &tasks, date("2026-11-23"), &calendar(), &ctx("U0LEAD", NOW)).unwrap();
        assert!(matches!(store.save_launch_change(&stale).await, Err(StoreError::Conflict)));
        assert_eq!(store.launch_by_id(launch.id).await.unwrap().unwrap().tier, Tier::One);
    }

    async fn a_task_finished_while_its_launch_moves_stays_where_it_was(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let deck = new_task(&store, &launch, "sales", "Battlecard", Some("U0OWNER"), Some(DueDate::Relative(-14))).await;
        // The lead reads the plan to move it; meanwhile the owner finishes the deck.
        let tasks = store.launch_tasks(launch.id).await.unwrap();
        set_status(&store, &deck, TaskStatus::Done, "2026-11-24T09:59:00Z").await;
        let edit = LaunchEdit { launch_date: Some(liftoff_core::launch::NewLaunchDate::On(date("2026-12-17"))), ..LaunchEdit::default() };
        let change = launch.edit(edit, &tasks, date("2026-11-23"), &calendar(), &ctx("U0LEAD", "2026-11-24T10:00:00Z")).unwrap();
        store.save_launch_change(&change).await.unwrap();
        assert_eq!(store.task(deck.id).await.unwrap().unwrap().due_date, date("2026-11-26"));
    }

    async fn metrics_are_upserted_and_actuals_recorded(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let mut metric = SuccessMetric {
            name: "activation".into(),
            target: 20.0,
            direction: TargetDirection::AtLeast,
            unit: "%".into(),
            review_offset_days: 30,
            actual: None,
        };
        store.upsert_metric(launch.id, &metric, &ctx("U0LEAD", NOW)).await.unwrap();
        metric.target = 25.0;
        store.upsert_metric(launch.id, &metric, &ctx("U0LEAD", NOW)).await.unwrap();
        // Support tickets under 50: better low, and it must stay so once stored.
        let tickets = SuccessMetric { name: "support tickets".into(), target: 50.0, direction: TargetDirection::LessThan, unit: String::new(), review_offset_days: 14, actual: None };
        store.upsert_metric(launch.id, &tickets, &ctx("U0LEAD", NOW)).await.unwrap();
        assert!(store.record_metric_actual(launch.id, "Support Tickets", 40.0, &ctx("U0LEAD", NOW)).await.unwrap());

        assert!(store.record_metric_actual(launch.id, "activation", 22.5, &ctx("U0LEAD", NOW)).await.unwrap());
        assert!(!store.record_metric_actual(launch.id, "nps", 40.0, &ctx("U0LEAD", NOW)).await.unwrap());

        let metrics = store.metrics(launch.id).await.unwrap();
        assert_eq!(metrics.len(), 2);
        assert_eq!(metrics[0].name, "activation");
        assert_eq!(metrics[0].target, 25.0);
        assert_eq!(metrics[0].actual, Some(22.5));
        assert_eq!(metrics[0].met(), Some(false));
        assert_eq!(metrics[1].direction, TargetDirection::LessThan);
        assert_eq!(metrics[1].met(), Some(true), "40 tickets against under 50");
        let metric_history = store.launch_history(launch.id).await.unwrap().into_iter().filter(|h| h.field == ChangeField::Metric).count();
        assert_eq!(metric_history, 5, "three targets and two actuals, not the unknown metric");
    }

    async fn metrics_of_active_launches_are_read_at_once_by_launch(store) {
        let first = new_launch(&store, "First", "2026-12-10").await;
        let second = new_launch(&store, "Second", "2026-12-12").await;
        let archived = new_launch(&store, "Old", "2026-12-05").await;
        let metric = |name: &str| SuccessMetric { name: name.into(), target: 1.0, direction: TargetDirection::AtLeast, unit: String::new(), review_offset_days: 7, actual: None };
        for (launch, name) in [(&first, "b-signups"), (&second, "nps"), (&first, "a-activation"), (&archived, "old")] {
            store.upsert_metric(launch.id, &metric(name), &ctx("U0LEAD", NOW)).await.unwrap();
        }
        let archive = LaunchEdit { state: Some(LaunchState::Archived), ..LaunchEdit::default() };
        let change = archived.edit(archive, &[], date("2026-11-23"), &calendar(), &ctx("U0LEAD", NOW)).unwrap();
        store.save_launch_change(&change).await.unwrap();

        let by_launch = store.active_launch_metrics().await.unwrap();
        let names = |id| by_launch[&id].iter().map(|m| m.name.as_str()).collect::<Vec<_>>();
        assert_eq!(by_launch.len(), 2, "archived launches are left out");
        assert_eq!(names(first.id), vec!["b-signups", "a-activation"], "in the order added");
        assert_eq!(names(second.id), vec!["nps"]);
        assert_eq!(by_launch[&first.id], store.metrics(first.id).await.unwrap());
    }

    async fn tasks_round_trip_with_every_status(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let task = new_task(&store, &launch, "product", "Release notes", Some("U0OWNER"), None).await;
        assert_eq!(task.status, TaskStatus::Todo);
        assert_eq!(task.due_date, launch.launch_date, "no due date means launch day");
        assert_eq!(task.due_offset_days, Some(0));
        assert_eq!(task.status_changed_at, instant(NOW));
        assert!(task.id.0 > 0);

        let mut current = task.clone();
        for status in [TaskStatus::OnTrack, TaskStatus::AtRisk, TaskStatus::blocked("legal review").unwrap(), TaskStatus::Done] {
            current = set_status(&store, &current, status.clone(), "2026-11-24T10:00:00Z").await;
            assert_eq!(current.status, status);
            assert_eq!(store.task(task.id).await.unwrap().unwrap(), current);
        }
        assert_eq!(store.task(TaskId(424242)).await.unwrap(), None);

        let history = store.task_history(task.id).await.unwrap();
        let statuses: Vec<_> = history.iter().filter(|h| h.field == ChangeField::Status).map(|h| h.to.clone().unwrap()).collect();
        assert_eq!(statuses, vec!["on track", "at risk", "blocked: legal review", "done"]);
        assert!(history.iter().all(|h| h.task_id == Some(task.id)));
        assert_eq!(history[0].field, ChangeField::Created);
        // The creation is recorded whole, as the context made it (on SQLite it is written by
        // the insert's own query, naming the task by `last_insert_rowid()`).
        assert_eq!(
            history[0],
            ctx("U0LEAD", NOW).entry(launch.id, Some(task.id), ChangeField::Created, None, Some(task.title.clone()))
        );
        // A second task's row names the second task, not the first.
        let second = new_task(&store, &launch, "sales", "Second", None, None).await;
        let created: Vec<_> = store.launch_history(launch.id).await.unwrap().into_iter().filter(|h| h.field == ChangeField::Created && h.task_id.is_some()).collect();
        assert_eq!(created.iter().map(|h| (h.task_id, h.to.clone())).collect::<Vec<_>>(), vec![(Some(task.id), Some(task.title.clone())), (Some(second.id), Some("Second".to_owned()))]);
    }

    async fn a_stale_task_write_is_refused(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let task = new_task(&store, &launch, "product", "Release notes", Some("U0OWNER"), None).await;
        let _winner = set_status(&store, &task, TaskStatus::Done, "2026-11-24T10:00:00Z").await;
        let (loser, entry) = task.edit(TaskEdit::Status(TaskStatus::AtRisk), launch.launch_date, &calendar(), &ctx("U0OTHER", NOW), None).unwrap();
        assert!(matches!(store.save_task(&loser, &[entry], &[], None).await, Err(StoreError::Conflict)));
        let stored = store.task(task.id).await.unwrap().unwrap();
        assert_eq!(stored.status, TaskStatus::Done);
        let answers = store.task_history(task.id).await.unwrap().iter().filter(|h| h.field == ChangeField::Status).count();
        assert_eq!(answers, 1, "the refused write left no history");
    }

    async fn a_reply_update_is_applied_and_marked_in_one_transaction(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let task = new_task(&store, &launch, "product", "Release notes", Some("U0OWNER"), None).await;
        let mark = liftoff::store::ReplyMark { channel: "C0PROD".into(), ts: "1764100000.000100".into(), key: format!("{}:status:done", task.id) };
        let (done, entry) = task.edit(TaskEdit::Status(TaskStatus::Done), launch.launch_date, &calendar(), &ctx("U0OWNER", NOW), None).unwrap();
        store.save_task(&done, &[entry], &[], Some(&mark)).await.unwrap();
        assert_eq!(store.reply_updates("C0PROD", "1764100000.000100").await.unwrap(), vec![mark.key.clone()], "marked with the change");
        // A redelivery that read the task before the first one wrote it: refused as already
        // applied, and its write is rolled back (no second history entry, no version bump).
        let (again, entry) = task.edit(TaskEdit::Status(TaskStatus::Done), launch.launch_date, &calendar(), &ctx("U0OWNER", NOW), None).unwrap();
        let fresh = store.task(task.id).await.unwrap().unwrap();
        let again = liftoff_core::Task { version: fresh.version, ..again };
        assert!(matches!(store.save_task(&again, &[entry], &[], Some(&mark)).await, Err(StoreError::AlreadyApplied)));
        assert_eq!(store.task(task.id).await.unwrap().unwrap().version, fresh.version);
        let answers = store.task_history(task.id).await.unwrap().iter().filter(|h| h.field == ChangeField::Status).count();
        assert_eq!(answers, 1, "applied once");
    }

    async fn open_task_queries_skip_done_tasks_and_archived_launches(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let other = new_launch(&store, "Search", "2026-12-20").await;
        let t1 = new_task(&store, &launch, "sales", "Deck", Some("U0ANN"), Some(DueDate::Relative(-14))).await; // 11-26
        let t2 = new_task(&store, &launch, "sales", "Training", Some("U0BOB"), Some(DueDate::Relative(-3))).await; // 12-07
        let t3 = new_task(&store, &other, "sales", "Battlecard", Some("U0ANN"), Some(DueDate::Relative(-20))).await; // 11-30
        let t4 = new_task(&store, &launch, "marketing", "Blog", Some("U0ANN"), Some(DueDate::Relative(5))).await; // 12-15
        let done = new_task(&store, &launch, "sales", "Old", Some("U0ANN"), Some(DueDate::Relative(-20))).await;
        set_status(&store, &done, TaskStatus::Done, NOW).await;
        let blocked_later = set_status(&store, &t4, TaskStatus::blocked("vendor").unwrap(), NOW).await;

        let ids = |tasks: Vec<liftoff_core::Task>| tasks.into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(store.open_tasks_for_owner(&user("U0ANN")).await.unwrap()), vec![t1.id, t3.id, t4.id]);
        assert_eq!(ids(store.open_tasks_for_function(&FunctionName::parse("sales").unwrap()).await.unwrap()), vec![t1.id, t2.id, t3.id]);
        assert_eq!(ids(store.open_tasks_due_by(date("2026-11-30")).await.unwrap()), vec![t1.id, t3.id, blocked_later.id]);

        let all = ids(store.launch_tasks(launch.id).await.unwrap());
        assert_eq!(all, vec![t4.id, done.id, t1.id, t2.id], "by function, then due date");

        // The bulk reads (one JSON array on SQLite) give the same tasks, field for field, as
        // reading each one, in due-date order.
        let odd = set_status(&store, &t2, TaskStatus::blocked("waiting on \"legal\" — ünïcode \\ 🚀").unwrap(), NOW).await;
        let mut expected = Vec::new();
        for id in [t1.id, t3.id, odd.id, blocked_later.id] {
            expected.push(store.task(id).await.unwrap().unwrap());
        }
        assert_eq!(store.open_tasks().await.unwrap(), expected);
        let mut with_done = expected.clone();
        with_done.insert(0, store.task(done.id).await.unwrap().unwrap());
        assert_eq!(store.active_launch_tasks().await.unwrap(), with_done);
        assert_eq!(store.open_tasks_due_by(date("2026-11-30")).await.unwrap(), vec![expected[0].clone(), expected[1].clone(), odd.clone(), blocked_later.clone()]);

        let archive = LaunchEdit { state: Some(LaunchState::Archived), ..LaunchEdit::default() };
        let change = other.edit(archive, &[], date("2026-11-23"), &calendar(), &ctx("U0LEAD", NOW)).unwrap();
        store.save_launch_change(&change).await.unwrap();
        assert_eq!(ids(store.open_tasks_for_owner(&user("U0ANN")).await.unwrap()), vec![t1.id, t4.id]);
        assert_eq!(ids(store.open_tasks_due_by(date("2026-11-30")).await.unwrap()), vec![t1.id, odd.id, blocked_later.id]);
    }

    async fn home_readiness_tallies_count_the_tasks_of_the_launches_a_person_is_in(store) {
        let led = new_launch(&store, "Checkout v2", "2026-12-10").await; // U0LEAD leads both
        let worked_in = new_launch(&store, "Search", "2026-12-20").await;
        // Two tasks due the same day in the same status are one tally of two.
        new_task(&store, &led, "sales", "Deck", Some("U0ANN"), Some(DueDate::Relative(-14))).await;
        new_task(&store, &led, "sales", "Training", Some("U0BOB"), Some(DueDate::Relative(-14))).await;
        let done = new_task(&store, &led, "marketing", "Blog", Some("U0BOB"), Some(DueDate::Relative(-14))).await;
        set_status(&store, &done, TaskStatus::Done, NOW).await;
        let blocked = new_task(&store, &worked_in, "sales", "Battlecard", Some("U0ANN"), Some(DueDate::Relative(-3))).await;
        set_status(&store, &blocked, TaskStatus::blocked("legal").unwrap(), NOW).await;
        let tally = |launch: LaunchId, due: &str, status: StatusKind, count: usize| TaskTally {
            launch_id: launch,
            due_date: date(due),
            status,
            count,
        };
        let mut lead = store.task_tallies_of_launches_involving(&user("U0LEAD")).await.unwrap();
        lead.sort_by_key(|t| (t.launch_id, t.due_date, t.status.as_str()));
        assert_eq!(lead, vec![
            tally(led.id, "2026-11-26", StatusKind::Done, 1),
            tally(led.id, "2026-11-26", StatusKind::Todo, 2),
            tally(worked_in.id, "2026-12-17", StatusKind::Blocked, 1),
        ]);
        // Ann leads nothing but has open tasks in both; Bob's only open task is in the first.
        let mut ann = store.task_tallies_of_launches_involving(&user("U0ANN")).await.unwrap();
        ann.sort_by_key(|t| (t.launch_id, t.due_date, t.status.as_str()));
        assert_eq!(ann, lead);
        let bob = store.task_tallies_of_launches_involving(&user("U0BOB")).await.unwrap();
        assert!(bob.iter().all(|t| t.launch_id == led.id) && bob.len() == 2, "{bob:?}");
        // Readiness from the tallies is readiness from the tasks.
        let today = date("2026-11-30");
        for launch in [&led, &worked_in] {
            let tasks = store.launch_tasks(launch.id).await.unwrap();
            assert_eq!(
                overall_readiness(launch, &lead, today),
                readiness(launch, &tasks, today).overall
            );
        }
        assert!(store.task_tallies_of_launches_involving(&user("U0NOBODY")).await.unwrap().is_empty());
    }

    async fn a_launch_page_holds_what_each_read_of_its_parts_holds(store) {
        use liftoff::outbound::{OutboxMessage, OutboxMethod};
        use liftoff_core::gonogo::Vote;
        let launch = new_launch(&store, "Checkout \"v2\" — ünïcode 🚀", "2026-12-10").await;
        let other = new_launch(&store, "Search", "2026-12-20").await;
        let deck = new_task(&store, &launch, "sales", "Deck", Some("U0ANN"), Some(DueDate::Relative(-14))).await;
        let blog = new_task(&store, &launch, "marketing", "Blog \\ post", None, None).await;
        set_status(&store, &blog, TaskStatus::blocked("waiting on \"legal\"").unwrap(), NOW).await;
        new_task(&store, &other, "sales", "Not this launch", Some("U0ANN"), None).await;
        let roles = [
            RoleAssignment { role: RaciRole::Consulted, user: user("U0CAT") },
            RoleAssignment { role: RaciRole::Accountable, user: user("U0LEAD") },
        ];
        let entry = ctx("U0LEAD", NOW).entry(launch.id, Some(deck.id), ChangeField::Role, None, Some("roles".into()));
        store.set_task_roles(&deck, &roles, &entry, &[]).await.unwrap();
        for (name, target) in [("activation", 20.0), ("tickets", 50.0)] {
            let metric = SuccessMetric { name: name.into(), target, direction: TargetDirection::AtLeast, unit: "%".into(), review_offset_days: 30, actual: None };
            store.upsert_metric(launch.id, &metric, &ctx("U0LEAD", NOW)).await.unwrap();
        }
        store.record_metric_actual(launch.id, "activation", 22.5, &ctx("U0LEAD", NOW)).await.unwrap();
        let ballots = [(FunctionName::parse("sales").unwrap(), user("U0ANN")), (FunctionName::parse("marketing").unwrap(), user("U0BOB"))];
        let round = store.start_gonogo(launch.id, &user("U0LEAD"), date("2026-12-01"), &ballots, instant(NOW), &|_| Vec::new()).await.unwrap().unwrap();
        store.record_vote(round.id, &ballots[0].0, &ballots[0].1, &Vote::NoGo { reason: "deck \"unsigned\"".into() }, instant(NOW), &|_| Vec::new()).await.unwrap();
        store.set_function_setting(&FunctionName::parse("sales").unwrap(), &FunctionSetting::Lead(user("U0SAL")), &ctx("U0LEAD", NOW)).await.unwrap();
        for i in 0..7 {
            let message = OutboxMessage {
                key: format!("assigned:{i}"),
                kind: "assigned".into(),
                method: OutboxMethod::PostMessage,
                target: format!("U0P{i}"),
                recipient: None,
                thread_ts: None,
                thread_of: None,
                payload: serde_json::json!({ "text": "hi" }).into(),
                not_before: None,
            };
            store.enqueue(&[message], instant(NOW)).await.unwrap();
        }
        for entry in store.deliverable(instant(NOW), 10).await.unwrap() {
            store.mark_failed(entry.id, &format!("channel_not_found \"{}\"", entry.id)).await.unwrap();
        }

        for reference in [LaunchRef::Id(launch.id), LaunchRef::Slug(launch.slug.clone())] {
            let page = store.launch_page(&reference, 5).await.unwrap().expect("the launch's page");
            assert_eq!(page.launch, launch);
            assert_eq!(page.tasks, store.launch_tasks(launch.id).await.unwrap());
            assert_eq!(page.tasks.len(), 2);
            assert_eq!(page.metrics, store.metrics(launch.id).await.unwrap());
            assert_eq!(page.metrics.len(), 2);
            assert_eq!(page.roles.len(), 1, "only the deck has roles");
            assert_eq!(page.roles[&deck.id], store.task_roles(deck.id).await.unwrap());
            assert_eq!(page.gonogo, store.latest_gonogo(launch.id).await.unwrap());
            assert!(page.gonogo.as_ref().is_some_and(|g| g.id == round.id));
            assert_eq!(page.overrides, store.function_overrides().await.unwrap());
            assert_eq!(page.undelivered, store.failed_messages(5).await.unwrap());
            assert_eq!(page.undelivered.len(), 5, "the five latest of seven");
        }
        let other_page = store.launch_page(&LaunchRef::Slug(other.slug.clone()), 5).await.unwrap().unwrap();
        assert_eq!(other_page.tasks.len(), 1);
        assert!(other_page.metrics.is_empty() && other_page.roles.is_empty() && other_page.gonogo.is_none());
        assert!(store.launch_page(&LaunchRef::Slug(Slug::parse("nope").unwrap()), 5).await.unwrap().is_none());
        assert!(store.launch_page(&LaunchRef::Id(LaunchId(999)), 5).await.unwrap().is_none());
    }

    async fn task_roles_are_replaced_as_a_set(store) {
        let roles_entry = |task: &liftoff_core::Task, roles: &[RoleAssignment]| {
            let summary = liftoff_core::task::roles_summary(roles);
            ctx("U0LEAD", NOW).entry(task.launch_id, Some(task.id), liftoff_core::ChangeField::Role, None, Some(summary))
        };
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let task = new_task(&store, &launch, "sales", "Deck", Some("U0ANN"), None).await;
        let roles = vec![
            RoleAssignment { role: RaciRole::Accountable, user: user("U0BOSS") },
            RoleAssignment { role: RaciRole::Informed, user: user("U0CAT") },
            RoleAssignment { role: RaciRole::Informed, user: user("U0DAN") },
        ];
        let entry = roles_entry(&task, &roles);
        store.set_task_roles(&task, &roles, &entry, &[]).await.unwrap();
        assert_eq!(store.task_roles(task.id).await.unwrap(), roles);
        let fewer = vec![RoleAssignment { role: RaciRole::Consulted, user: user("U0EVE") }];
        let entry = roles_entry(&task, &fewer);
        store.set_task_roles(&task, &fewer, &entry, &[]).await.unwrap();
        assert_eq!(store.task_roles(task.id).await.unwrap(), fewer);
        let history = store.task_history(task.id).await.unwrap();
        assert_eq!(history.last().unwrap().to.as_deref(), Some("consulted U0EVE"));
    }

    async fn function_settings_override_one_field_at_a_time(store) {
        let marketing = FunctionName::parse("marketing").unwrap();
        assert!(store.function_overrides().await.unwrap().is_empty());
        let channel = liftoff_core::SlackChannelId::parse("C0MKTG").unwrap();
        store.set_function_setting(&marketing, &FunctionSetting::Channel(channel.clone()), &ctx("U0LEAD", NOW)).await.unwrap();
        store.set_function_setting(&marketing, &FunctionSetting::Lead(user("U0MLEAD")), &ctx("U0LEAD", NOW)).await.unwrap();
        let overrides = store.function_overrides().await.unwrap();
        let marketing_overrides = &overrides[&marketing];
        assert_eq!(marketing_overrides.channel, Some(channel));
        assert_eq!(marketing_overrides.lead, Some(user("U0MLEAD")));
        assert_eq!(overrides.len(), 1);
    }

    async fn history_can_be_appended_and_read_since_an_instant(store) {
        let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
        let task = new_task(&store, &launch, "sales", "Deck", Some("U0ANN"), None).await;
        let answer_ctx = liftoff_core::ChangeContext::new(Actor::Liftoff, ChangeSource::Scheduler, instant("2026-11-25T08:30:00Z"));
        let mut entry = answer_ctx.entry(launch.id, Some(task.id), ChangeField::Status, Some("to do".into()), Some("to do".into()));
        entry.note = Some("nudged".into());
        store.append_history(&[entry.clone()]).await.unwrap();
        let since = store.history_since(instant("2026-11-25T00:00:00Z")).await.unwrap();
        assert_eq!(since, vec![entry]);
        assert_eq!(store.history_since(instant("2026-11-20T00:00:00Z")).await.unwrap().len(), 3);
    }
}

mod job_runs {
    use super::*;
    use liftoff::outbound::{CheckinRecord, OutboxMessage, OutboxMethod, RunMessage};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    both_backends! {
        async fn a_job_run_records_every_message_of_a_long_run_once(store) {
            let launch = new_launch(&store, "Big Round", "2026-12-18").await;
            let mut tasks = Vec::new();
            for i in 0..30 {
                tasks.push(new_task(&store, &launch, "sales", &format!("Task {i}"), Some("U0ANN"), None).await);
            }
            // 150 messages, some of them large: more than one batch by count and by size.
            let pulled = Arc::new(AtomicUsize::new(0));
            let messages = |pulled: Arc<AtomicUsize>| {
                let tasks = tasks.clone();
                (0..150).map(move |i| {
                    pulled.fetch_add(1, Ordering::SeqCst);
                    let key = format!("checkin:sales:slot:{i}");
                    let listed: Vec<(TaskId, Option<liftoff_core::SlackUserId>)> =
                        tasks.iter().skip(i % 10).take(3).map(|t| (t.id, t.owner.clone())).collect();
                    let filler = "x".repeat(if i % 7 == 0 { 200_000 } else { 100 });
                    checkin_part(key, "slot", format!("part {i} {filler}"), listed)
                })
            };
            let enqueued = store
                .record_job_run("checkin", "slot", "ran", messages(pulled.clone()), instant(NOW))
                .await
                .unwrap();
            assert_eq!(enqueued, Some(150));
            let keys = store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
            let expected: Vec<String> = (0..150).map(|i| format!("checkin:sales:slot:{i}")).collect();
            assert_eq!(keys, expected, "every message, once, in order");
            assert_eq!(store.checkin_task_ids().await.unwrap().len(), 450);
            assert_eq!(
                store.checkin_tasks("checkin:sales:slot:42").await.unwrap(),
                tasks.iter().skip(2).take(3).map(|t| (t.id, t.owner.clone())).collect::<Vec<_>>()
            );
            // The slot has run: nothing is written and the messages are not even made.
            pulled.store(0, Ordering::SeqCst);
            let again = store
                .record_job_run("checkin", "slot", "ran", messages(pulled.clone()), instant(NOW))
                .await
                .unwrap();
            assert_eq!(again, None);
            assert_eq!(pulled.load(Ordering::SeqCst), 0);
            assert_eq!(store.outbox_keys(OutboxMethod::PostMessage).await.unwrap().len(), 150);
        }
    }

    /// A sales check-in part keyed `key`, of round `slot`, saying `text` and listing `listed`.
    fn checkin_part(
        key: String,
        slot: &str,
        text: String,
        listed: Vec<(TaskId, Option<liftoff_core::SlackUserId>)>,
    ) -> RunMessage {
        RunMessage {
            message: OutboxMessage {
                key: key.clone(),
                kind: "checkin".to_owned(),
                method: OutboxMethod::PostMessage,
                target: "C0SALES".to_owned(),
                recipient: None,
                thread_ts: None,
                thread_of: None,
                payload: serde_json::json!({ "text": text }).into(),
                not_before: None,
            },
            checkin: Some(CheckinRecord {
                outbox_key: key,
                function: FunctionName::parse("sales").unwrap(),
                round: slot.to_owned(),
                tasks: listed,
            }),
        }
    }

    /// A check-in round of `parts` messages of ~8 KB (the size of a real part's Block Kit),
    /// each listing `tasks`.
    fn round(slot: &str, parts: usize, tasks: &[liftoff_core::Task]) -> impl Iterator<Item = RunMessage> + Send {
        let (slot, tasks) = (slot.to_owned(), tasks.to_vec());
        (0..parts).map(move |i| {
            let listed = tasks.iter().map(|t| (t.id, t.owner.clone())).collect();
            let text = format!("part {i} {}", "Battlecard due Fri ".repeat(420));
            checkin_part(format!("checkin:sales:{slot}:{i}"), &slot, text, listed)
        })
    }

    fn log_bytes(store: &Store) -> u64 {
        let mut wal = store.sqlite_path().expect("an on-disk database").into_os_string();
        wal.push("-wal");
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0)
    }

    /// A round is one large write (~90 MB for 100k tasks). It commits without copying its log
    /// back into the database, and the copy follows before any other write, so the next round
    /// starts the log over instead of adding to it: three rounds leave a log of one.
    #[tokio::test]
    async fn check_in_rounds_keep_the_log_to_one_round_on_sqlite() {
        let db = crate::helpers::TestDb::sqlite().await;
        db.store.migrate().await.unwrap();
        let store = &db.store;
        let launch = new_launch(store, "Checkout v2", "2026-12-10").await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            tasks.push(new_task(store, &launch, "sales", &format!("Battlecard {i}"), Some("U0ANN"), None).await);
        }
        let default_pages = store.writer_autocheckpoint().await.unwrap();
        store
            .record_job_run("checkin", "mon", "ran", round("mon", 1_200, &tasks), instant(NOW))
            .await
            .unwrap();
        let one_round = log_bytes(store);
        assert!(
            one_round > 8_000_000,
            "the round went through the log: {one_round} bytes"
        );
        for slot in ["tue", "wed"] {
            let enqueued = store
                .record_job_run("checkin", slot, "ran", round(slot, 1_200, &tasks), instant(NOW))
                .await
                .unwrap();
            assert_eq!(enqueued, Some(1_200));
        }
        let three_rounds = log_bytes(store);
        assert!(
            three_rounds < one_round * 3 / 2,
            "the log grew from {one_round} to {three_rounds} bytes"
        );
        assert_eq!(store.outbox_keys(OutboxMethod::PostMessage).await.unwrap().len(), 3_600);
        assert_eq!(store.checkin_task_ids().await.unwrap().len(), 3 * 1_200 * 20);
        // The writer is back to SQLite's default for every other write.
        assert_eq!(store.writer_autocheckpoint().await.unwrap(), default_pages);
        db.cleanup().await;
    }

    /// A round refused halfway (a trigger stands in for a full disk) writes nothing and leaves
    /// the writer with automatic checkpoints on: a connection left with them off would let
    /// every later write grow the log. The next round goes through.
    #[tokio::test]
    async fn a_round_refused_halfway_leaves_checkpoints_on_on_sqlite() {
        let db = crate::helpers::TestDb::sqlite().await;
        db.store.migrate().await.unwrap();
        let store = &db.store;
        let launch = new_launch(store, "Checkout v2", "2026-12-10").await;
        let task = new_task(store, &launch, "sales", "Battlecard", Some("U0ANN"), None).await;
        let default_pages = store.writer_autocheckpoint().await.unwrap();
        assert_eq!(default_pages, Some(1000), "SQLite's default");
        let raw = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TRIGGER refuse_part BEFORE INSERT ON checkin_tasks WHEN NEW.outbox_key = 'checkin:sales:mon:100' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        )
        .execute(&raw)
        .await
        .unwrap();
        // The same round of 200 parts, each time.
        let run = || {
            let parts = round("mon", 200, std::slice::from_ref(&task));
            store.record_job_run("checkin", "mon", "ran", parts, instant(NOW))
        };
        let refused = run().await;
        assert!(matches!(refused, Err(StoreError::Database(_))), "{refused:?}");
        assert!(store.job_run_slots("checkin").await.unwrap().is_empty());
        assert!(store.outbox_keys(OutboxMethod::PostMessage).await.unwrap().is_empty());
        assert_eq!(store.writer_autocheckpoint().await.unwrap(), default_pages);

        sqlx::raw_sql("DROP TRIGGER refuse_part").execute(&raw).await.unwrap();
        raw.close().await;
        let enqueued = run().await.unwrap();
        assert_eq!(enqueued, Some(200));
        assert_eq!(store.writer_autocheckpoint().await.unwrap(), default_pages);
        db.cleanup().await;
    }
}

/// What the delivery worker polls for, several times a second.
mod outbox_polls {
    use super::*;
    use liftoff::outbound::{OutboxMessage, OutboxMethod};

    fn message(key: &str, target: &str, thread_of: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            key: key.to_owned(),
            kind: "checkin".to_owned(),
            method: OutboxMethod::PostMessage,
            target: target.to_owned(),
            recipient: None,
            thread_ts: None,
            thread_of: thread_of.map(str::to_owned),
            payload: serde_json::json!({ "text": format!("{key} {}", "Battlecard due Fri ".repeat(300)) }).into(),
            not_before: None,
        }
    }

    both_backends! {
        async fn the_delivery_poll_offers_each_targets_first_due_message(store) {
            // Each channel gets its messages in order, one at a time: the poll offers the first
            // of a target's messages that is due or being sent, if it is due (a live lease
            // holds its channel back; an expired one is retried); a message waiting for its
            // retry holds nothing back; a reply waits for its thread's first message.
            let now = instant(NOW);
            let later = now + chrono::Duration::minutes(5);
            let earlier = now - chrono::Duration::minutes(5);
            let messages = [
                message("sent", "C0SALES", None),
                message("sales-2", "C0SALES", None),
                message("sales-3", "C0SALES", None),
                message("leased", "C0MKTG", None),
                message("mktg-2", "C0MKTG", None),
                message("lease-expired", "C0GROWTH", None),
                message("retry-later", "C0OPS", None),
                message("ops-2", "C0OPS", None),
                message("reply-to-unsent", "C0PROD", Some("sales-2")),
                message("reply-to-sent", "C0PMO", Some("sent")),
            ];
            store.enqueue(&messages, earlier).await.unwrap();
            let id = |key: &str| {
                let key = key.to_owned();
                let store = store.clone();
                async move {
                    store.deliverable(earlier, 50).await.unwrap().into_iter().find(|e| e.message.key == key).unwrap().id
                }
            };
            let (sent, leased, expired, retry) = (id("sent").await, id("leased").await, id("lease-expired").await, id("retry-later").await);
            store.claim(sent, earlier, earlier).await.unwrap();
            store.mark_sent(sent, "C0SALES", Some("1700000000.000100"), earlier).await.unwrap();
            assert!(store.claim(leased, earlier, later).await.unwrap());
            assert!(store.claim(expired, earlier, earlier).await.unwrap());
            store.mark_retry(retry, later, "ratelimited").await.unwrap();

            let offered: Vec<String> =
                store.deliverable(now, 50).await.unwrap().into_iter().map(|e| e.message.key).collect();
            assert_eq!(offered, ["sales-2", "lease-expired", "ops-2", "reply-to-sent"]);
            let counts = store.outbox_counts().await.unwrap();
            assert_eq!((counts.pending, counts.sending, counts.sent, counts.failed), (7, 2, 1, 0));
            let (backlog, oldest) = store.outbox_backlog(now).await.unwrap();
            assert_eq!((backlog, oldest), (9, Some(earlier)));
        }
    }

    /// The table's rows carry their payloads (on SQLite, a message's state is stored after its
    /// payload, in the payload's overflow pages), and it keeps every message ever sent: a poll
    /// that read them took seconds after a check-in round. Each poll reads indexes only, and
    /// `/launch digest`'s check of the asker's last request searches an index.
    #[tokio::test]
    async fn outbox_polls_read_indexes_not_payloads_on_sqlite() {
        let db = crate::helpers::TestDb::sqlite().await;
        db.store.migrate().await.unwrap();
        let plans = db.store.outbox_read_plans().await.unwrap();
        assert_eq!(plans.len(), 4);
        for (name, plan) in plans {
            for step in &plan {
                let reads_rows =
                    step.starts_with("SCAN") && !step.contains("COVERING INDEX") && step != "SCAN CONSTANT ROW";
                assert!(!reads_rows, "{name} reads the outbox's rows: {plan:?}");
            }
        }
        db.cleanup().await;
    }
}

/// `/launch task`'s two trips ([`Store::task_slot`], then [`TaskSlot::fill`]).
mod task_slots {
    use super::*;
    use crate::helpers::owner_dm as dm;

    fn new_task_of(launch: &liftoff_core::Launch, title: &str, owner: &str) -> liftoff_core::NewTask {
        let draft = TaskDraft {
            launch_id: launch.id,
            function: FunctionName::parse("sales").unwrap(),
            title: title.to_owned(),
            owner: Some(user(owner)),
            due: Some(DueDate::Relative(-3)),
        };
        draft.validate(launch.launch_date, &calendar()).expect("valid task")
    }

    both_backends! {
        async fn a_slot_reads_the_launch_and_lead_and_its_fill_writes_task_history_and_dm_at_once(store) {
            let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
            let sales = FunctionName::parse("sales").unwrap();
            assert!(store.task_slot(&LaunchRef::Slug(Slug::parse("nope").unwrap()), &sales).await.unwrap().is_none());
            assert!(store.task_slot(&LaunchRef::Id(LaunchId(999)), &sales).await.unwrap().is_none());

            let earlier = new_task(&store, &launch, "sales", "Pricing page", Some("U0ANN"), None).await;
            let slot = store.task_slot(&LaunchRef::Slug(launch.slug.clone()), &sales).await.unwrap().unwrap();
            assert_eq!(slot.launch, launch);
            assert_eq!(slot.function_lead, None, "no lead set in Slack");
            assert!(slot.id > earlier.id, "a new id: {:?} after {:?}", slot.id, earlier.id);
            let new = new_task_of(&launch, "Battlecard for the Q1 pricing change", "U0BOB");
            let at = instant("2026-11-23T09:00:00.123456Z");
            let change = liftoff_core::ChangeContext::new(Actor::User(user("U0LEAD")), ChangeSource::Command, at);
            let key = format!("assigned:{}:created", slot.id);
            let id = slot.id;
            let task = slot.fill(&new, &change, &[dm(&key, "assigned", "U0BOB")]).await.unwrap();
            assert_eq!(task, new.stored_as(id, at), "stored as drawn up for its DM");
            assert_eq!(store.task(id).await.unwrap(), Some(task.clone()));
            let history = store.task_history(id).await.unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!((history[0].field, history[0].to.as_deref()), (ChangeField::Created, Some("Battlecard for the Q1 pricing change")));
            assert!(store.outbox_payload(&key).await.unwrap().is_some_and(|p| p.contains("You own a new task")));

            // The lead set in Slack comes with the launch; read by id, the next slot gets the
            // next id, and a task added another way meanwhile is not handed out again.
            store.set_function_setting(&sales, &FunctionSetting::Lead(user("U0SAL")), &ctx("U0LEAD", NOW)).await.unwrap();
            let slot = store.task_slot(&LaunchRef::Id(launch.id), &sales).await.unwrap().unwrap();
            assert_eq!(slot.function_lead, Some(user("U0SAL")));
            assert!(slot.id > id);
            let second = slot.fill(&new_task_of(&launch, "Sales deck", "U0SAL"), &change, &[]).await.unwrap();
            let other = new_task(&store, &launch, "sales", "Training", Some("U0ANN"), None).await;
            assert!(other.id > second.id);
            let slot = store.task_slot(&LaunchRef::Id(launch.id), &sales).await.unwrap().unwrap();
            assert!(slot.id > other.id);
            drop(slot);
            assert_eq!(store.launch_tasks(launch.id).await.unwrap().len(), 4);
        }
    }

    /// A fill whose DM is refused halfway through (a trigger stands in for a full disk) writes
    /// nothing, and leaves no connection inside its transaction: every write after it goes
    /// through, more of them than the pool has connections.
    async fn a_fill_refused_halfway_leaves_nothing_behind(store: &Store) {
        let launch = new_launch(store, "Checkout v2", "2026-12-10").await;
        let sales = FunctionName::parse("sales").unwrap();
        let slot = store
            .task_slot(&LaunchRef::Slug(launch.slug.clone()), &sales)
            .await
            .unwrap()
            .unwrap();
        let id = slot.id;
        let new = new_task_of(&launch, "Battlecard", "U0BOB");
        let refused = slot
            .fill(&new, &ctx("U0LEAD", NOW), &[dm("assigned:refused", "refused", "U0BOB")])
            .await;
        assert!(
            matches!(refused, Err(StoreError::Database(_) | StoreError::Inline(_))),
            "{refused:?}"
        );
        assert_eq!(store.task(id).await.unwrap(), None);
        assert!(store.task_history(id).await.unwrap().is_empty());
        assert!(store.outbox_payload("assigned:refused").await.unwrap().is_none());

        for i in 0..12 {
            new_task(store, &launch, "sales", &format!("Follow-up {i}"), Some("U0ANN"), None).await;
            let slot = store
                .task_slot(&LaunchRef::Id(launch.id), &sales)
                .await
                .unwrap()
                .unwrap();
            let key = format!("assigned:{}:created", slot.id);
            slot.fill(&new, &ctx("U0LEAD", NOW), &[dm(&key, "assigned", "U0BOB")])
                .await
                .unwrap();
        }
        assert_eq!(store.launch_tasks(launch.id).await.unwrap().len(), 24);
    }

    /// [`a_fill_refused_halfway_leaves_nothing_behind`] on `db`, once `trigger` (SQL in its
    /// dialect) refuses DMs of kind `refused`.
    async fn refused_halfway_on(db: crate::helpers::TestDb, trigger: &'static str) {
        db.store.migrate().await.unwrap();
        db.run_raw(trigger).await;
        a_fill_refused_halfway_leaves_nothing_behind(&db.store).await;
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_fill_refused_halfway_leaves_nothing_behind_on_sqlite() {
        let trigger = "CREATE TRIGGER refuse_dm BEFORE INSERT ON outbox WHEN NEW.kind = 'refused' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
        refused_halfway_on(crate::helpers::TestDb::sqlite().await, trigger).await;
    }

    #[tokio::test]
    async fn a_fill_refused_halfway_leaves_nothing_behind_on_postgres() {
        let Some(db) = crate::helpers::TestDb::postgres().await else {
            return;
        };
        let trigger = "CREATE FUNCTION refuse_dm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.kind = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER refuse_dm BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_dm()";
        refused_halfway_on(db, trigger).await;
    }

    /// Another process on the same SQLite file takes the reserved id: the fill is refused as a
    /// conflict (the command reads a new slot), writes nothing, and the next slot is past it.
    #[tokio::test]
    async fn an_id_taken_by_another_process_is_a_conflict_on_sqlite() {
        let db = crate::helpers::TestDb::sqlite().await;
        db.store.migrate().await.unwrap();
        let other_process = Store::connect(&crate::helpers::config_with_database(&db.url).database)
            .await
            .unwrap();
        let store = &db.store;
        let launch = new_launch(store, "Checkout v2", "2026-12-10").await;
        let sales = FunctionName::parse("sales").unwrap();
        let slot = store
            .task_slot(&LaunchRef::Id(launch.id), &sales)
            .await
            .unwrap()
            .unwrap();
        let id = slot.id;
        let theirs = new_task(&other_process, &launch, "sales", "Their task", Some("U0ANN"), None).await;
        assert_eq!(theirs.id, id, "the other process took the reserved id");
        let new = new_task_of(&launch, "Battlecard", "U0BOB");
        let key = format!("assigned:{id}:created");
        let refused = slot
            .fill(&new, &ctx("U0LEAD", NOW), &[dm(&key, "assigned", "U0BOB")])
            .await;
        assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
        assert!(store.outbox_payload(&key).await.unwrap().is_none());
        assert_eq!(
            store.task(id).await.unwrap().map(|t| t.title),
            Some("Their task".to_owned())
        );
        let slot = store
            .task_slot(&LaunchRef::Id(launch.id), &sales)
            .await
            .unwrap()
            .unwrap();
        assert!(slot.id > id);
        let ours = slot.fill(&new, &ctx("U0LEAD", NOW), &[]).await.unwrap();
        assert_eq!(ours.title, "Battlecard");
        other_process.close().await;
        db.cleanup().await;
    }
}

/// A fresh SQLite database holding Checkout v2 and one sales task of Ann's.
/// Kept connections are kept for the test's whole length: however slowly it runs, what it
/// sees kept is not a recheck's doing (see `store::writer`).
async fn sqlite_launch_with_a_task() -> (crate::helpers::TestDb, Store, liftoff_core::Launch, liftoff_core::Task) {
    let db = crate::helpers::TestDb::sqlite().await;
    db.store
        .recheck_kept_connections_after(std::time::Duration::from_secs(3600))
        .await;
    db.store.migrate().await.unwrap();
    let store = db.store.clone();
    let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
    let task = new_task(
        &store,
        &launch,
        "sales",
        "Pricing one-pager for the sales team",
        Some("U0ANN"),
        None,
    )
    .await;
    (db, store, launch, task)
}

/// The writer's one connection waits with the turn between writes instead of going back
/// through sqlx's pool (which pings it first, a round trip to its thread: see
/// `store::writer`); one left inside its transaction (a failed `COMMIT`) goes back through the
/// pool, which closes it: nothing of that write stays, and the next write commits; and one
/// kept past its recheck goes back for the pool's check.
#[tokio::test]
async fn the_writer_keeps_its_connection_between_writes_but_not_one_left_in_a_transaction_on_sqlite() {
    let (db, store, launch, task) = sqlite_launch_with_a_task().await;
    assert_eq!(
        store.writer_connection_kept().await,
        Some((true, 0)),
        "kept after a task was added"
    );
    let task = set_status(&store, &task, TaskStatus::OnTrack, "2026-11-24T10:00:00Z").await;
    assert_eq!(
        store.writer_connection_kept().await,
        Some((true, 0)),
        "kept after a transaction"
    );

    let ghost_ctx =
        liftoff_core::ChangeContext::new(Actor::Liftoff, ChangeSource::Scheduler, instant("2026-11-25T08:30:00Z"));
    let mut ghost = ghost_ctx.entry(launch.id, Some(task.id), ChangeField::Status, None, None);
    ghost.note = Some("never committed".into());
    store.leave_a_write_inside_its_transaction(&[ghost]).await.unwrap();
    let (kept, _) = store.writer_connection_kept().await.unwrap();
    assert!(
        !kept,
        "a connection left inside a transaction is not handed to the next writer"
    );

    let done = set_status(&store, &task, TaskStatus::Done, "2026-11-26T10:00:00Z").await;
    assert_eq!(done.status, TaskStatus::Done);
    let history = store.task_history(task.id).await.unwrap();
    assert!(
        history.iter().all(|h| h.note.as_deref() != Some("never committed")),
        "{history:?}"
    );
    assert_eq!(
        history.last().map(|h| h.to.as_deref()),
        Some(Some("done")),
        "{history:?}"
    );
    assert_eq!(
        store.writer_connection_kept().await,
        Some((true, 0)),
        "a fresh connection is kept again"
    );

    // Kept past its recheck, the connection goes back through the pool's check.
    store.recheck_kept_connections_after(std::time::Duration::ZERO).await;
    let reopened = set_status(&store, &done, TaskStatus::OnTrack, "2026-11-27T10:00:00Z").await;
    assert_eq!(reopened.status, TaskStatus::OnTrack);
    let (kept, _) = store.writer_connection_kept().await.unwrap();
    assert!(!kept, "given back for the pool's check");
    db.cleanup().await;
}

/// A row the domain cannot represent is reported as corrupt, naming what is wrong, by the page
/// read on the calling thread as by sqlx's reads: never shown as some other status or date.
#[tokio::test]
async fn a_task_row_the_domain_cannot_read_is_reported_not_misread() {
    let (_db, store, launch, task) = sqlite_launch_with_a_task().await;
    let page = LaunchRef::Slug(launch.slug.clone());
    assert!(store.corrupt_task_row(task.id, "paused", "2026-12-01").await.unwrap());
    for read in [
        store.launch_page(&page, 5).await.map(|_| ()),
        store.launch_tasks(launch.id).await.map(|_| ()),
    ] {
        match read {
            Err(StoreError::Corrupt(what)) => assert!(what.contains("paused"), "{what}"),
            other => panic!("a task whose status is `paused` was read as {other:?}"),
        }
    }
    assert!(store.corrupt_task_row(task.id, "todo", "2026-13-45").await.unwrap());
    let read = store.launch_page(&page, 5).await;
    assert!(
        matches!(&read, Err(err) if err.to_string().contains("2026-13-45")),
        "a task due on `2026-13-45` was read as {read:?}"
    );
    assert!(store.launch_tasks(launch.id).await.is_err());
    // Written back as the domain wrote it, the row reads again.
    assert!(
        store
            .corrupt_task_row(task.id, "todo", &task.due_date.to_string())
            .await
            .unwrap()
    );
    assert_eq!(store.launch_page(&page, 5).await.unwrap().unwrap().tasks, vec![task]);
}

/// `/launch show`'s page is read on the calling thread (see `store::inline`), on a reader
/// taken from a shelf and put back: a read never awaits between the two, so reads one after
/// the other, and many started at once on one runtime thread, share one connection.
#[tokio::test]
async fn launch_pages_share_one_inline_reader_on_sqlite() {
    let (db, store, launch, task) = sqlite_launch_with_a_task().await;
    assert_eq!(store.inline_reader_connections(), Some(0));
    let by_slug = LaunchRef::Slug(launch.slug.clone());
    for _ in 0..3 {
        let page = store
            .launch_page(&by_slug, 5)
            .await
            .unwrap()
            .expect("the launch's page");
        assert_eq!(page.tasks, std::slice::from_ref(&task));
    }
    assert_eq!(store.inline_reader_connections(), Some(1));
    let pages = futures_util::future::join_all((0..12).map(|_| store.launch_page(&by_slug, 5))).await;
    assert!(
        pages
            .iter()
            .all(|page| matches!(page, Ok(Some(page)) if page.tasks.len() == 1))
    );
    assert_eq!(store.inline_reader_connections(), Some(1));
    let missing = LaunchRef::Slug(liftoff_core::launch::Slug::parse("no-such-launch").unwrap());
    assert!(store.launch_page(&missing, 5).await.unwrap().is_none());
    db.cleanup().await;
}

/// The connections `store::inline` opens itself have the settings of sqlx's (which
/// `Store::connect` gives them): a reader like sqlx's readers, the writer like sqlx's writer.
/// A setting missed there (foreign keys off, a `synchronous` that syncs every commit) would
/// change what the hottest commands store, or how fast, and nothing else would say so.
#[tokio::test]
async fn inline_connections_have_the_pools_settings_on_sqlite() {
    let (db, store, launch, _) = sqlite_launch_with_a_task().await;
    let sales = FunctionName::parse("sales").unwrap();
    let slot = store
        .task_slot(&LaunchRef::Id(launch.id), &sales)
        .await
        .unwrap()
        .unwrap();
    drop(slot);
    store.launch_page(&LaunchRef::Id(launch.id), 5).await.unwrap().unwrap();
    let settings: std::collections::BTreeMap<_, _> = store.connection_settings().await.unwrap().into_iter().collect();
    assert_eq!(settings.len(), 4, "{settings:?}");
    assert_eq!(settings["inline reader"], settings["sqlx reader"]);
    assert_eq!(settings["inline writer"], settings["sqlx writer"]);
    let writer = &settings["inline writer"];
    // NORMAL (1), foreign keys on, statement journals in memory (2), the log.
    assert_eq!(
        (
            writer.synchronous,
            writer.foreign_keys,
            writer.temp_store,
            writer.journal_mode.as_str()
        ),
        (1, 1, 2, "wal")
    );
    db.cleanup().await;
}

/// An in-memory database exists once per connection, so the inline code runs on sqlx's one
/// connection there, locked away from its thread for the call (`store::inline`): tasks added
/// through slots are on the pages read after them.
#[tokio::test]
async fn inline_reads_and_writes_use_sqlx_connection_in_memory() {
    let config = crate::helpers::config_with_database("sqlite::memory:");
    let store = Store::connect(&config.database).await.expect("open in memory");
    store.migrate().await.unwrap();
    assert_eq!(store.inline_reader_connections(), Some(0));
    let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
    let added = new_task_by_slot(&store, &launch, "Pricing one-pager for the sales team").await;
    let page = store
        .launch_page(&LaunchRef::Slug(launch.slug.clone()), 5)
        .await
        .unwrap()
        .expect("the launch's page");
    assert_eq!(page.tasks, std::slice::from_ref(&added));
    assert_eq!(store.inline_reader_connections(), Some(0), "no connection of its own");

    // A slot given up before its fill writes nothing; the next one fills.
    let sales = FunctionName::parse("sales").unwrap();
    let slot = store
        .task_slot(&LaunchRef::Id(launch.id), &sales)
        .await
        .unwrap()
        .unwrap();
    drop(slot);
    let second = new_task_by_slot(&store, &launch, "Battlecard for the Q1 pricing change").await;
    assert!(second.id > added.id);
    let page = store.launch_page(&LaunchRef::Id(launch.id), 5).await.unwrap().unwrap();
    assert_eq!(page.tasks, [added, second]);
    store.close().await;
}

/// Another process holding SQLite's write lock (a CLI run on the same file): `/launch task`'s
/// write, made on the calling thread (`store::inline`), waits for it without blocking that
/// thread, where SQLite's own busy handler would sleep: on this test's one-thread runtime the
/// other process could not even commit if it did. Held for longer than
/// `database.busy_timeout`, the write fails as busy and leaves nothing.
#[tokio::test]
async fn an_inline_write_waits_for_another_process_without_blocking_the_runtime_on_sqlite() {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("liftoff.db").display());
    let mut config = crate::helpers::config_with_database(&url);
    config.database.busy_timeout = std::time::Duration::from_millis(800);
    let store = Store::connect(&config.database).await.unwrap();
    store.migrate().await.unwrap();
    let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
    let sales = FunctionName::parse("sales").unwrap();
    let new = TaskDraft {
        launch_id: launch.id,
        function: sales.clone(),
        title: "Battlecard for the Q1 pricing change".to_owned(),
        owner: Some(user("U0BOB")),
        due: None,
    }
    .validate(launch.launch_date, &calendar())
    .unwrap();
    let mut other_process = sqlx::SqliteConnection::connect(&url).await.unwrap();
    /// The other process takes the write lock; then `/launch task` reads its slot (a read,
    /// which the lock does not stop).
    async fn lock_then_take_a_slot(
        other_process: &mut sqlx::SqliteConnection,
        store: &Store,
        launch: &liftoff_core::Launch,
        function: &FunctionName,
    ) -> liftoff::store::TaskSlot {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(other_process).await.unwrap();
        store
            .task_slot(&LaunchRef::Id(launch.id), function)
            .await
            .unwrap()
            .unwrap()
    }

    let slot = lock_then_take_a_slot(&mut other_process, &store, &launch, &sales).await;
    let change = ctx("U0LEAD", NOW);
    let (filled, ()) = tokio::join!(slot.fill(&new, &change, &[]), async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        sqlx::raw_sql("COMMIT").execute(&mut other_process).await.unwrap();
    });
    let filled = filled.expect("written once the other process committed");
    assert_eq!(store.task(filled.id).await.unwrap(), Some(filled));

    let slot = lock_then_take_a_slot(&mut other_process, &store, &launch, &sales).await;
    let id = slot.id;
    let refused = slot.fill(&new, &change, &[]).await;
    assert!(matches!(refused, Err(StoreError::Busy(_))), "{refused:?}");
    sqlx::raw_sql("ROLLBACK").execute(&mut other_process).await.unwrap();
    assert_eq!(store.task(id).await.unwrap(), None);
    let after = new_task_by_slot(&store, &launch, "Pricing one-pager").await;
    assert_eq!(after.id, id, "the id was never taken");
    store.close().await;
}

/// A task added as `/launch task` adds it: a slot, then its fill (on SQLite both on the
/// calling thread, see `store::inline`).
async fn new_task_by_slot(store: &Store, launch: &liftoff_core::Launch, title: &str) -> liftoff_core::Task {
    let sales = FunctionName::parse("sales").unwrap();
    let slot = store
        .task_slot(&LaunchRef::Id(launch.id), &sales)
        .await
        .unwrap()
        .expect("the launch");
    let draft = TaskDraft {
        launch_id: launch.id,
        function: sales,
        title: title.to_owned(),
        owner: Some(user("U0ANN")),
        due: None,
    };
    let new = draft.validate(launch.launch_date, &calendar()).expect("valid task");
    slot.fill(&new, &ctx("U0LEAD", NOW), &[]).await.expect("fill the slot")
}

/// SQLite's log stays bounded under steady writes with reads alongside: SQLite starts it
/// again from its beginning only after a checkpoint has copied all of it back, and a
/// checkpoint run while other writes go on (one tried in the background) never does; the log
/// then grew by gigabytes under load. 3,000 tasks (a few MB of pages each 1,000) must leave
/// it far below what they wrote in all, whether added through sqlx's writer or through
/// `/launch task`'s slots, whose inline writer never checkpoints in place (`store::inline`).
#[tokio::test]
async fn the_log_stays_bounded_under_steady_writes_on_sqlite() {
    for by_slot in [false, true] {
        the_log_stays_bounded_under(by_slot).await;
    }
}

async fn the_log_stays_bounded_under(by_slot: bool) {
    let db = crate::helpers::TestDb::sqlite().await;
    db.store.migrate().await.unwrap();
    let store = db.store.clone();
    let launch = new_launch(&store, "Checkout v2", "2026-12-10").await;
    let reading = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let (store, reading, id) = (store.clone(), reading.clone(), launch.id);
        tokio::spawn(async move {
            while reading.load(std::sync::atomic::Ordering::Relaxed) {
                store.launch_tasks(id).await.unwrap();
            }
        })
    };
    let title = "Battlecard for the Q1 pricing change, with the objection handling ".repeat(2);
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (store, launch) = (store.clone(), launch.clone());
            let title = format!("{title}#{writer}");
            tokio::spawn(async move {
                for _ in 0..750 {
                    if by_slot {
                        new_task_by_slot(&store, &launch, &title).await;
                    } else {
                        new_task(&store, &launch, "sales", &title, Some("U0ANN"), None).await;
                    }
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    reading.store(false, std::sync::atomic::Ordering::Relaxed);
    reader.await.unwrap();
    let mut wal = store.sqlite_path().expect("an on-disk database").into_os_string();
    wal.push("-wal");
    let log = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(log < 24_000_000, "the log grew to {log} bytes (by slot: {by_slot})");
    db.cleanup().await;
}

/// On PostgreSQL, `serve` opens the whole pool in the background after start-up: the first
/// burst after a start finds its connections open instead of waiting for new server processes
/// (BENCHMARKS.md, tenth session). Start-up itself, and one-shot commands, open one.
#[tokio::test]
async fn postgres_opens_its_whole_pool_after_start_up() {
    let Some(db) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let mut config = crate::helpers::config_with_database(&db.url);
    config.database.max_connections = 3;
    let store = Store::connect(&config.database).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(store.open_connections(), 1, "connecting opens one connection");
    store.open_the_whole_pool();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.open_connections() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the pool holds {} connections 10 s after start-up, not 3",
            store.open_connections()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Never past the configured size.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(store.open_connections(), 3);
    store.close().await;
    db.cleanup().await;
}

/// SQLite's readers are not opened ahead of need: an idle service holds what it used.
#[tokio::test]
async fn sqlite_opens_readers_as_they_are_needed() {
    let db = crate::helpers::TestDb::sqlite().await;
    let store = Store::connect(&crate::helpers::config_with_database(&db.url).database)
        .await
        .unwrap();
    store.open_the_whole_pool();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(store.open_connections(), 1);
    store.close().await;
    db.cleanup().await;
}
