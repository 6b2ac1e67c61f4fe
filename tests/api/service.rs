//! The rules, tested at the service: commands as people type them, parsed by the real grammar
//! and carried out by the real service on SQLite, with no HTTP and no Slack in between. The
//! answers are checked as data (the refusal's facts, the stored launch and tasks), not as the
//! words Slack shows, which the snapshot tests review.

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use crate::helpers::{TestDb, config_with_database};
use liftoff::clock::ManualClock;
use liftoff::service::{Service, ServiceError};
use liftoff::views::{UserError, View};
use liftoff_core::command::{Command, Subcommand};
use liftoff_core::grammar::command_text::{ParseContext, parse};
use liftoff_core::{ChangeSource, LaunchRef, LaunchState, SlackUserId, Slug, StatusKind};

mod plans;

const MAYA: &str = "U0MAYA"; // the PMM leading the launch
const RAJ: &str = "U0RAJ"; // a sales lead with a task

struct Desk {
    db: TestDb,
    service: Service,
    config: Arc<liftoff::config::Config>,
}

impl Desk {
    /// A service on a fresh SQLite database, on Tuesday 1 December 2026, 10:00 UTC.
    async fn open() -> Desk {
        Desk::open_with("").await
    }

    /// As [`Desk::open`], with `toml` added to the configuration.
    async fn open_with(toml: &str) -> Desk {
        let db = TestDb::sqlite().await;
        db.store.migrate().await.expect("migrate");
        let mut config = config_with_database(&db.url);
        if !toml.is_empty() {
            let url = db.url.clone();
            let env = move |key: &str| match key {
                "DATABASE_URL" => Some(url.clone()),
                "SLACK_BOT_TOKEN" => Some("xoxb-test-bot-token".to_owned()),
                "SLACK_SIGNING_SECRET" => Some("test-signing-secret".to_owned()),
                _ => None,
            };
            config = liftoff::config::Config::from_toml(toml, &env).expect("a valid test config");
        }
        let config = Arc::new(config);
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap());
        let service = Service::new(db.store.clone(), config.clone(), Arc::new(clock));
        Desk { db, service, config }
    }

    /// `text` typed after `/launch` by `user`, parsed and carried out.
    async fn type_command(&self, user: &str, text: &str) -> Result<View, ServiceError> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let ctx = ParseContext {
            today,
            functions: &self.config.functions,
        };
        let command: Command = parse(text, &ctx).unwrap_or_else(|err| panic!("`{text}` does not parse: {err:?}"));
        let user = SlackUserId::parse(user).unwrap();
        self.service
            .execute(&user, command, ChangeSource::Command)
            .await
            .map(|reply| reply.view)
    }

    /// Maya's Payments Hub, launching Friday 18 December, at `tier`.
    async fn payments_hub(&self, tier: u8) {
        self.type_command(
            MAYA,
            &format!("new Payments Hub tier:{tier} date:2026-12-18 lead:<@U0MAYA>"),
        )
        .await
        .expect("Maya creates her launch");
    }

    /// Maya adds a task as she would type it (`task payments-hub sales …`); its id.
    async fn add_task(&self, text: &str) -> liftoff_core::TaskId {
        match self.type_command(MAYA, text).await {
            Ok(View::TaskCreated { item, .. }) => item.task.id,
            other => panic!("`{text}` creates a task, got {other:?}"),
        }
    }

    async fn launch(&self, slug: &str) -> liftoff_core::Launch {
        self.db
            .store
            .launch(&LaunchRef::Slug(Slug::parse(slug).unwrap()))
            .await
            .unwrap()
            .expect("the launch exists")
    }
}

fn refusal(outcome: Result<View, ServiceError>) -> (UserError, Option<Subcommand>) {
    match outcome {
        Err(ServiceError::User { refusal, usage }) => (refusal, usage),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn only_the_launch_lead_may_archive_a_launch_and_a_refusal_changes_nothing() {
    let desk = Desk::open().await;
    desk.payments_hub(1).await;
    let (why, usage) = refusal(desk.type_command(RAJ, "archive payments-hub").await);
    assert_eq!(
        why,
        UserError::NotLaunchManager {
            launch: Slug::parse("payments-hub").unwrap(),
            lead: Some(SlackUserId::parse(MAYA).unwrap()),
            action: Subcommand::Archive,
        }
    );
    assert_eq!(usage, Some(Subcommand::Archive));
    assert_eq!(desk.launch("payments-hub").await.state, LaunchState::Planned);
    desk.type_command(MAYA, "archive payments-hub")
        .await
        .expect("the lead may");
    assert_eq!(desk.launch("payments-hub").await.state, LaunchState::Archived);
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_due_date_in_the_past_is_refused_with_the_dates_and_the_task_keeps_its_own() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await;
    let id = desk
        .add_task("task payments-hub sales Sales enablement deck owner:<@U0RAJ> due:2026-12-10")
        .await;
    let (why, _) = refusal(desk.type_command(RAJ, &format!("due {id} 2026-11-20")).await);
    assert_eq!(
        why,
        UserError::DateInPast {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    );
    let task = desk.db.store.task(id).await.unwrap().unwrap();
    assert_eq!(task.due_date, chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    assert!(
        desk.db
            .store
            .task_history(id)
            .await
            .unwrap()
            .iter()
            .all(|h| h.field != liftoff_core::ChangeField::Due)
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn done_closes_the_task_and_history_says_who_did_it() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await;
    let id = desk
        .add_task("task payments-hub marketing Draft launch blog post owner:<@U0RAJ> due:friday")
        .await;
    desk.type_command(RAJ, &format!("done {id}"))
        .await
        .expect("the owner closes it");
    let task = desk.db.store.task(id).await.unwrap().unwrap();
    assert_eq!(task.status.kind(), StatusKind::Done);
    let history = desk.db.store.task_history(id).await.unwrap();
    let closed = history
        .iter()
        .find(|h| h.field == liftoff_core::ChangeField::Status)
        .expect("the change is in the history");
    assert_eq!(
        closed.actor,
        liftoff_core::Actor::User(SlackUserId::parse(RAJ).unwrap())
    );
    assert_eq!(closed.source, ChangeSource::Command);
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_go_no_go_with_nobody_to_ask_names_the_functions_without_a_lead() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await;
    desk.type_command(MAYA, "task payments-hub growth Push notification copy due:2026-12-15")
        .await
        .unwrap();
    let (why, _) = refusal(desk.type_command(MAYA, "gonogo payments-hub").await);
    let UserError::NobodyToAsk { functions } = why else {
        panic!("expected nobody to ask, got {why:?}");
    };
    let names: Vec<String> = functions.iter().map(ToString::to_string).collect();
    assert!(names.contains(&"growth".to_owned()), "{names:?}");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn three_updates_in_one_reply_are_all_applied_and_confirmed_once() {
    use liftoff::outbound::OutboxMethod;
    use liftoff::service::replies::ReplyOutcome;
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    // Raj answers a nudge in his DM with the app, as people do: one line, three updates.
    let text = format!(
        "{} done, {} on track and {} at risk: waiting on the price sheet.",
        ids[0], ids[1], ids[2]
    );
    let ReplyOutcome::Answered { applied, problems, .. } = raj_replies(&desk, "Ev0RAJ1", &text).await else {
        panic!("the reply is answered");
    };
    assert_eq!((applied, problems), (3, 0));
    assert_eq!(
        status_kinds(&desk, &ids).await,
        vec![StatusKind::Done, StatusKind::OnTrack, StatusKind::AtRisk]
    );
    let note = desk.db.store.task_history(ids[2]).await.unwrap().pop().unwrap().note;
    assert_eq!(note.as_deref(), Some("waiting on the price sheet"));
    // One confirmation for the three, and no hint.
    let posts = desk.db.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    let answers: Vec<&String> = posts.iter().filter(|k| k.ends_with("Ev0RAJ1")).collect();
    assert_eq!(answers, vec!["reply:Ev0RAJ1"], "{posts:?}");
    desk.db.cleanup().await;
}

async fn status_kinds(desk: &Desk, ids: &[liftoff_core::TaskId]) -> Vec<StatusKind> {
    let mut kinds = Vec::new();
    for id in ids {
        kinds.push(desk.db.store.task(*id).await.unwrap().unwrap().status.kind());
    }
    kinds
}

/// Raj owns three tasks in the launch; his reply in the DM with the app.
async fn raj_replies(desk: &Desk, event_id: &str, text: &str) -> liftoff::service::replies::ReplyOutcome {
    use liftoff::service::replies::{ReplyPlace, WrittenReply};
    let reply = WrittenReply {
        event_id: event_id.to_owned(),
        channel: "D0RAJ".to_owned(),
        ts: "1796119200.000200".to_owned(),
        author: SlackUserId::parse(RAJ).unwrap(),
        text: text.to_owned(),
        place: ReplyPlace::DirectMessage,
        edited: false,
        written_at: None,
    };
    desk.service
        .apply_reply(reply, async |_: &str, _: &str| Ok(None))
        .await
        .unwrap()
}

async fn raj_with_three_tasks(desk: &Desk) -> Vec<liftoff_core::TaskId> {
    desk.payments_hub(3).await;
    let mut ids = Vec::new();
    for title in ["Sales enablement deck", "Pricing FAQ for reps", "Partner email"] {
        ids.push(
            desk.add_task(&format!(
                "task payments-hub sales {title} owner:<@U0RAJ> due:2026-12-11"
            ))
            .await,
        );
    }
    ids
}

#[tokio::test]
async fn all_on_track_updates_each_of_the_writers_open_tasks_and_says_them_back() {
    use liftoff::outbound::OutboxMethod;
    use liftoff::service::replies::ReplyOutcome;
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    desk.type_command(RAJ, &format!("done {}", ids[0])).await.unwrap();
    let ReplyOutcome::Answered { applied, problems, .. } = raj_replies(&desk, "Ev0ALL", "all on track 👍").await
    else {
        panic!("answered");
    };
    // The two still open, not the one already done.
    assert_eq!((applied, problems), (2, 0));
    assert_eq!(
        status_kinds(&desk, &ids).await,
        vec![StatusKind::Done, StatusKind::OnTrack, StatusKind::OnTrack]
    );
    let posts = desk.db.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    assert!(posts.contains(&"reply:Ev0ALL".to_owned()), "{posts:?}");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn chatter_in_a_reply_gets_no_answer_at_all() {
    use liftoff::outbound::OutboxMethod;
    use liftoff::service::replies::ReplyOutcome;
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    for (n, text) in ["thanks all!", "looking good", "see you at standup"].iter().enumerate() {
        let outcome = raj_replies(&desk, &format!("Ev0CHAT{n}"), text).await;
        assert!(
            matches!(
                outcome,
                ReplyOutcome::Answered {
                    applied: 0,
                    problems: 0,
                    ..
                }
            ),
            "{text}: {outcome:?}"
        );
    }
    let posts = desk.db.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    let ephemerals = desk.db.store.outbox_keys(OutboxMethod::PostEphemeral).await.unwrap();
    assert!(
        posts.iter().chain(&ephemerals).all(|key| !key.contains("Ev0CHAT")),
        "no message for chatter: {posts:?} {ephemerals:?}"
    );
    assert_eq!(
        status_kinds(&desk, &ids).await,
        vec![StatusKind::Todo, StatusKind::Todo, StatusKind::Todo]
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_launch_is_found_by_its_name_and_on_track_takes_two_words() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    let View::LaunchDetail(detail) = desk.type_command(MAYA, "show Payments Hub").await.unwrap() else {
        panic!("the launch is shown");
    };
    assert_eq!(detail.launch.name, "Payments Hub");
    for id in &ids {
        assert!(detail.tasks.iter().any(|t| t.id == *id), "{id} in the launch");
    }
    desk.type_command(RAJ, &format!("on track {}", ids[1])).await.unwrap();
    assert_eq!(
        status_kinds(&desk, &ids).await,
        vec![StatusKind::Todo, StatusKind::OnTrack, StatusKind::Todo]
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn metric_targets_as_pmms_write_them_and_actuals_match_any_case() {
    let desk = Desk::open().await;
    desk.payments_hub(1).await;
    desk.type_command(MAYA, "metric payments-hub Pipeline target:$2M")
        .await
        .expect("a target in millions");
    desk.type_command(MAYA, "metric payments-hub Activation Rate target:2.5k")
        .await
        .expect("a target in thousands");
    let View::MetricSet { metric, .. } = desk
        .type_command(MAYA, "actual payments-hub activation rate 2600")
        .await
        .expect("the name matches whatever its case")
    else {
        panic!("the metric is shown");
    };
    assert_eq!(
        (metric.name.as_str(), metric.target, metric.actual),
        ("Activation Rate", 2500.0, Some(2600.0))
    );
    let launch = desk.launch("payments-hub").await;
    let metrics = desk.db.store.metrics(launch.id).await.unwrap();
    let pipeline = metrics
        .iter()
        .find(|m| m.name == "Pipeline")
        .expect("the pipeline metric");
    assert_eq!((pipeline.target, pipeline.unit.as_str()), (2_000_000.0, "$"));
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_tier_template_lists_its_tasks_in_the_order_they_fall_due() {
    let desk = Desk::open_with("[templates]\npath = \"tests/fixtures/templates-as-written.toml\"\n").await;
    let View::Template { tasks, .. } = desk.type_command(MAYA, "template 1").await.unwrap() else {
        panic!("the template is shown");
    };
    let offsets: Vec<i64> = tasks.iter().map(|t| t.offset_days).collect();
    assert_eq!(offsets, vec![-35, -30, -7, 0], "written by function, listed by date");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn raci_alone_shows_the_roles_and_changes_nothing() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    let id = ids[0];
    desk.type_command(MAYA, &format!("raci {id} accountable:<@U0MAYA> informed:<@U0LEE>"))
        .await
        .unwrap();
    let history_before = desk.db.store.task_history(id).await.unwrap().len();
    let View::Roles { roles, changed, .. } = desk.type_command(RAJ, &format!("raci {id}")).await.unwrap() else {
        panic!("the roles are shown");
    };
    assert!(!changed);
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert_eq!(desk.db.store.task_roles(id).await.unwrap().len(), 2, "nothing cleared");
    assert_eq!(desk.db.store.task_history(id).await.unwrap().len(), history_before);
    desk.type_command(MAYA, &format!("raci {id} clear")).await.unwrap();
    assert!(desk.db.store.task_roles(id).await.unwrap().is_empty());
    desk.db.cleanup().await;
}

#[tokio::test]
async fn show_with_a_task_id_shows_that_task_in_full() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    desk.type_command(RAJ, &format!("block {} by {} waiting on the deck", ids[1], ids[0]))
        .await
        .unwrap();
    let View::TaskDetail {
        item, blocks, history, ..
    } = desk.type_command(MAYA, &format!("show {}", ids[0])).await.unwrap()
    else {
        panic!("the task is shown");
    };
    assert_eq!(item.task.id, ids[0]);
    assert_eq!(item.launch.name, "Payments Hub");
    assert_eq!(
        blocks.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![ids[1]],
        "what it blocks"
    );
    assert!(
        history.iter().all(|h| h.task_id == Some(ids[0])),
        "only its own history"
    );
    let (why, _) = refusal(desk.type_command(MAYA, "show T999").await);
    assert_eq!(why, UserError::NoSuchTask(liftoff_core::TaskId(999)));
    desk.db.cleanup().await;
}

// ---------------------------------------------------------------------------------------------
// The right person, and they are told

const ANN: &str = "U0ANN"; // a marketer who owns the blog post
const NOOR: &str = "U0NOOR"; // the Marketing lead
const SAM: &str = "U0SAM"; // someone from another team
const ADMIN: &str = "U0PMO"; // the PMO admin

/// Marketing has a lead (Noor), the PMO is an admin, and no tier templates get in the way.
const TEAM: &str = "[permissions]\nadmins = [\"U0PMO\"]\n[functions.marketing]\nlead = \"U0NOOR\"\n\
                    [templates]\npath = \"tests/fixtures/no-templates.toml\"\n";

impl Desk {
    /// The DMs waiting to go to `user`, as `(kind, text)`.
    async fn dms_to(&self, user: &str) -> Vec<(String, String)> {
        self.db
            .store
            .outbox_messages()
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, target, _)| target == user)
            .map(|(kind, _, payload)| {
                let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
                (kind, payload["text"].as_str().unwrap_or_default().to_owned())
            })
            .collect()
    }

    async fn task(&self, id: liftoff_core::TaskId) -> liftoff_core::Task {
        self.db.store.task(id).await.unwrap().expect("the task exists")
    }
}

#[tokio::test]
async fn only_the_owner_the_leads_and_admins_may_change_a_task_and_others_are_told_who_can() {
    let desk = Desk::open_with(TEAM).await;
    desk.payments_hub(2).await;
    let blog = desk
        .add_task("task payments-hub marketing Launch blog post owner:<@U0ANN> due:2026-12-11")
        .await;
    let before = desk.task(blog).await;
    let told_before = desk.dms_to(ANN).await.len();
    // Sam, from another team, tries to close Ann's task.
    let (why, usage) = refusal(desk.type_command(SAM, &format!("done {blog}")).await);
    let UserError::NotTaskChanger { task, deciders, .. } = why else {
        panic!("refused as not allowed, got {why:?}");
    };
    assert_eq!(task, blog);
    assert_eq!(deciders.owner, Some(SlackUserId::parse(ANN).unwrap()));
    assert_eq!(deciders.function_lead, Some(SlackUserId::parse(NOOR).unwrap()));
    assert_eq!(deciders.launch_lead, Some(SlackUserId::parse(MAYA).unwrap()));
    assert!(deciders.admins);
    assert_eq!(usage, Some(Subcommand::Done));
    assert_eq!(desk.task(blog).await.status.kind(), StatusKind::Todo, "nothing changed");
    for (who, typed) in [
        (SAM, format!("due {blog} friday")),
        (SAM, format!("assign {blog} me")),
        (SAM, format!("raci {blog} informed:<@U0SAM>")),
        (SAM, format!("block {blog} waiting on legal")),
    ] {
        assert!(
            matches!(
                refusal(desk.type_command(who, &typed).await).0,
                UserError::NotTaskChanger { .. }
            ),
            "{typed}"
        );
    }
    assert_eq!(desk.task(blog).await, before, "no refusal changed anything");
    assert_eq!(desk.dms_to(ANN).await.len(), told_before, "a refusal tells nobody");

    // Her function's lead, the launch lead and an admin may; so may Ann herself.
    for who in [NOOR, MAYA, ADMIN, ANN] {
        desk.type_command(who, &format!("ontrack {blog}"))
            .await
            .unwrap_or_else(|e| panic!("{who}: {e:?}"));
    }
    desk.db.cleanup().await;
}

#[tokio::test]
async fn the_owner_gets_one_dm_whenever_someone_else_changes_their_task() {
    let desk = Desk::open_with(TEAM).await;
    desk.payments_hub(2).await;
    let blog = desk
        .add_task("task payments-hub marketing Launch blog post owner:<@U0ANN> due:2026-12-11")
        .await;
    let created = desk.dms_to(ANN).await;
    assert_eq!(created.len(), 1, "Maya gave it to her: {created:?}");
    assert_eq!(created[0].0, "assigned");
    assert!(created[0].1.contains("<@U0MAYA> gave you a task"), "{}", created[0].1);

    // Noor moves the date and marks it at risk: Ann hears of each change, and who made it.
    desk.type_command(NOOR, &format!("due {blog} 2026-12-14"))
        .await
        .unwrap();
    desk.type_command(NOOR, &format!("risk {blog} the CMS migration slipped"))
        .await
        .unwrap();
    desk.type_command(MAYA, &format!("raci {blog} accountable:<@U0NOOR>"))
        .await
        .unwrap();
    let changed: Vec<String> = desk
        .dms_to(ANN)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "changed")
        .map(|(_, text)| text)
        .collect();
    assert_eq!(changed.len(), 3, "{changed:#?}");
    assert!(
        changed[0].contains("<@U0NOOR> changed your task") && changed[0].contains("Mon 14 Dec"),
        "{}",
        changed[0]
    );
    assert!(
        changed[1].contains("at risk") && changed[1].contains("the CMS migration slipped"),
        "{}",
        changed[1]
    );
    assert!(
        changed[2].contains("<@U0MAYA>") && changed[2].contains("accountable"),
        "{}",
        changed[2]
    );

    // Her own change tells nobody.
    desk.type_command(ANN, &format!("done {blog}")).await.unwrap();
    assert_eq!(desk.dms_to(ANN).await.len(), 4, "nothing new for her own change");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn an_open_team_lets_anyone_change_a_task_and_the_owner_is_told() {
    let desk = Desk::open_with(&format!("{TEAM}\n")).await;
    let open = Desk::open_with(&TEAM.replace("[permissions]\n", "[permissions]\nopen = true\n")).await;
    for desk in [&desk, &open] {
        desk.payments_hub(2).await;
        desk.add_task("task payments-hub marketing Launch blog post owner:<@U0ANN> due:2026-12-11")
            .await;
    }
    let blog = liftoff_core::TaskId(1);
    assert!(desk.type_command(SAM, &format!("done {blog}")).await.is_err());
    open.type_command(SAM, &format!("done {blog}")).await.unwrap();
    assert_eq!(open.task(blog).await.status.kind(), StatusKind::Done);
    let told: Vec<_> = open
        .dms_to(ANN)
        .await
        .into_iter()
        .filter(|(k, _)| k == "changed")
        .collect();
    assert_eq!(told.len(), 1);
    assert!(told[0].1.contains("<@U0SAM> changed your task"), "{}", told[0].1);
    desk.db.cleanup().await;
    open.db.cleanup().await;
}

#[tokio::test]
async fn a_task_without_an_owner_goes_to_its_functions_lead_who_is_told() {
    let desk = Desk::open_with(TEAM).await;
    desk.payments_hub(2).await;
    let View::TaskCreated {
        item, lead_by_default, ..
    } = desk
        .type_command(MAYA, "task payments-hub marketing Press release due:2026-12-11")
        .await
        .unwrap()
    else {
        panic!("a task is created");
    };
    assert_eq!(item.task.owner, Some(SlackUserId::parse(NOOR).unwrap()));
    assert!(lead_by_default, "the reply says why Noor owns it");
    let dms = desk.dms_to(NOOR).await;
    assert_eq!(dms.len(), 1);
    assert!(
        dms[0].1.contains("Press release") && dms[0].1.contains("Fri 11 Dec"),
        "{}",
        dms[0].1
    );
    // A function without a lead: the task waits for someone to take it.
    let View::TaskCreated { item, .. } = desk
        .type_command(MAYA, "task payments-hub sales Battlecard due:2026-12-11")
        .await
        .unwrap()
    else {
        panic!("a task is created");
    };
    assert_eq!(item.task.owner, None);
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_new_launch_is_led_by_its_author_and_its_template_tasks_go_to_each_lead_in_one_dm() {
    let desk = Desk::open_with("[functions.marketing]\nlead = \"U0NOOR\"\n").await;
    let View::LaunchCreated {
        launch,
        lead_is_author,
        tasks,
        ..
    } = desk
        .type_command(MAYA, "new Payments Hub tier:1 date:2027-02-26")
        .await
        .unwrap()
    else {
        panic!("the launch is created");
    };
    assert_eq!(
        launch.lead,
        Some(SlackUserId::parse(MAYA).unwrap()),
        "no lead: given, so Maya leads it"
    );
    assert!(lead_is_author);
    let marketing: Vec<_> = tasks.iter().filter(|t| t.function.as_str() == "marketing").collect();
    assert!(marketing.len() > 1, "the tier-1 template has several marketing tasks");
    assert!(
        marketing
            .iter()
            .all(|t| t.owner == Some(SlackUserId::parse(NOOR).unwrap()))
    );
    assert!(
        tasks
            .iter()
            .filter(|t| t.function.as_str() != "marketing")
            .all(|t| t.owner.is_none()),
        "functions without a lead wait for an owner"
    );
    let dms = desk.dms_to(NOOR).await;
    assert_eq!(dms.len(), 1, "one DM for all of them: {dms:?}");
    for task in &marketing {
        assert!(
            dms[0].1.contains(&format!("`{}`", task.id)),
            "{} listed: {}",
            task.id,
            dms[0].1
        );
    }
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_functions_unowned_tasks_are_handed_out_at_once_taken_and_given_back() {
    let desk = Desk::open().await;
    let View::LaunchCreated { tasks, .. } = desk
        .type_command(MAYA, "new Payments Hub tier:1 date:2027-02-26 lead:<@U0MAYA>")
        .await
        .unwrap()
    else {
        panic!("the launch is created");
    };
    let sales: Vec<_> = tasks
        .iter()
        .filter(|t| t.function.as_str() == "sales")
        .map(|t| t.id)
        .collect();
    assert!(sales.len() > 1);
    // Maya gives Raj every Sales task at once: one DM.
    let View::FunctionAssigned { tasks: given, .. } = desk
        .type_command(MAYA, "assign Payments Hub sales <@U0RAJ>")
        .await
        .unwrap()
    else {
        panic!("the tasks are given");
    };
    assert_eq!(given.iter().map(|t| t.id).collect::<Vec<_>>(), sales);
    for id in &sales {
        assert_eq!(desk.task(*id).await.owner, Some(SlackUserId::parse(RAJ).unwrap()));
    }
    assert_eq!(desk.dms_to(RAJ).await.len(), 1);
    // Nothing left to hand out.
    let (why, _) = refusal(desk.type_command(MAYA, "assign payments-hub sales <@U0RAJ>").await);
    assert!(matches!(why, UserError::NothingToAssign { .. }), "{why:?}");

    // Raj gives one back; Sam volunteers for it; Ann cannot take it from Sam.
    desk.type_command(RAJ, &format!("unassign {}", sales[0])).await.unwrap();
    assert_eq!(desk.task(sales[0]).await.owner, None);
    desk.type_command(SAM, &format!("assign {} me", sales[0]))
        .await
        .unwrap();
    assert_eq!(desk.task(sales[0]).await.owner, Some(SlackUserId::parse(SAM).unwrap()));
    assert!(
        desk.dms_to(SAM).await.is_empty(),
        "nobody is told of what they did themselves"
    );
    let (why, _) = refusal(desk.type_command(ANN, &format!("assign {} me", sales[0])).await);
    assert!(matches!(why, UserError::NotTaskChanger { .. }), "{why:?}");
    // Maya, the launch lead, hands it on: Sam is told it went, Ann that it came.
    desk.type_command(MAYA, &format!("assign {} <@U0ANN>", sales[0]))
        .await
        .unwrap();
    let to_sam = desk.dms_to(SAM).await;
    assert!(
        to_sam.len() == 1 && to_sam[0].1.contains("gave it to <@U0ANN>"),
        "{to_sam:?}"
    );
    assert_eq!(desk.dms_to(ANN).await.len(), 1);
    desk.db.cleanup().await;
}

#[tokio::test]
async fn when_a_task_is_done_the_owners_waiting_on_it_are_told_once() {
    let desk = Desk::open_with(TEAM).await;
    desk.payments_hub(2).await;
    let legal = desk
        .add_task("task payments-hub ops Legal sign-off on pricing owner:<@U0SAM> due:2026-12-08")
        .await;
    let page = desk
        .add_task("task payments-hub marketing Pricing page owner:<@U0ANN> due:2026-12-10")
        .await;
    let email = desk
        .add_task("task payments-hub marketing Launch email owner:<@U0ANN> due:2026-12-11")
        .await;
    for task in [page, email] {
        desk.type_command(ANN, &format!("block {task} by {legal} waiting on legal"))
            .await
            .unwrap();
    }
    let before = desk.dms_to(ANN).await.len();
    desk.type_command(SAM, &format!("done {legal}")).await.unwrap();
    let new: Vec<_> = desk.dms_to(ANN).await.into_iter().skip(before).collect();
    assert_eq!(new.len(), 1, "one message for both of her tasks: {new:?}");
    assert_eq!(new[0].0, "unblocked");
    assert!(
        new[0].1.contains(&format!("`{page}`")) && new[0].1.contains(&format!("`{email}`")),
        "{}",
        new[0].1
    );

    // Waiting on a task that is done, unknown, or in another launch is refused.
    let (why, _) = refusal(desk.type_command(ANN, &format!("block {page} by {legal} legal")).await);
    assert_eq!(why, UserError::WaitsOnDone(legal));
    let (why, _) = refusal(desk.type_command(ANN, &format!("block {page} by T999 legal")).await);
    assert_eq!(why, UserError::NoSuchTask(liftoff_core::TaskId(999)));
    desk.type_command(MAYA, "new Mobile Refresh tier:3 date:2027-01-15")
        .await
        .unwrap();
    let other = desk
        .add_task("task mobile-refresh ops App store listing owner:<@U0SAM> due:2027-01-08")
        .await;
    let (why, _) = refusal(
        desk.type_command(ANN, &format!("block {page} by {other} app store"))
            .await,
    );
    assert_eq!(
        why,
        UserError::WaitsOnOtherLaunch {
            by: other,
            launch: Slug::parse("mobile-refresh").unwrap()
        }
    );
    desk.db.cleanup().await;
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_t_minus_date_that_lands_on_a_saturday_is_due_the_friday_before_and_the_reply_says_so() {
    let desk = Desk::open().await;
    desk.payments_hub(1).await; // Friday 18 December
    let view = desk
        .type_command(
            MAYA,
            "task payments-hub sales Sales enablement deck owner:<@U0RAJ> due:T-6",
        )
        .await
        .expect("Maya adds the deck");
    let View::TaskCreated { item, due_note, .. } = view else {
        panic!("a task is created, got {view:?}");
    };
    assert_eq!(item.task.due_date, day("2026-12-11"), "Friday, not Saturday the 12th");
    assert_eq!(
        item.task.due_offset_days,
        Some(-6),
        "still T-6, so it moves with the launch"
    );
    assert_eq!(
        due_note,
        Some(liftoff_core::DueNote::MovedToWorkingDay {
            offset: -6,
            landed: day("2026-12-12")
        })
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_t_minus_date_on_a_configured_holiday_is_due_the_working_day_before() {
    let desk = Desk::open_with("[calendar]\ntimezone = \"Europe/Berlin\"\nholidays = [\"2026-12-17\"]\n").await;
    desk.payments_hub(2).await;
    let id = desk.add_task("task payments-hub ops Support FAQ due:T-1").await;
    let task = desk.db.store.task(id).await.unwrap().unwrap();
    assert_eq!(task.due_date, day("2026-12-16"), "Thursday 17th is the office party");
    // Moving it by hand to T-2 lands on the Wednesday: nothing to say.
    let view = desk.type_command(MAYA, &format!("due {id} T-2")).await.unwrap();
    assert!(matches!(view, View::TaskUpdated { due_note: None, .. }), "{view:?}");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_date_typed_for_a_saturday_is_kept_with_a_warning() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await;
    let id = desk
        .add_task("task payments-hub marketing Launch blog post due:2026-12-10")
        .await;
    let view = desk
        .type_command(MAYA, &format!("due {id} 2026-12-12"))
        .await
        .expect("a Saturday is allowed when someone asks for it");
    let View::TaskUpdated { item, due_note, .. } = view else {
        panic!("the task is updated, got {view:?}");
    };
    assert_eq!(item.task.due_date, day("2026-12-12"));
    assert_eq!(due_note, Some(liftoff_core::DueNote::NonWorkingDay(day("2026-12-12"))));
    desk.db.cleanup().await;
}

#[tokio::test]
async fn slipping_a_launch_a_week_counts_from_its_date_and_leaves_done_work_alone() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await; // Friday 18 December
    let deck = desk
        .add_task("task payments-hub sales Sales deck owner:<@U0RAJ> due:T-5")
        .await;
    let faq = desk
        .add_task("task payments-hub ops Support FAQ owner:<@U0RAJ> due:T-3")
        .await;
    desk.type_command(RAJ, &format!("done {faq}"))
        .await
        .expect("Raj finishes the FAQ");
    let view = desk
        .type_command(MAYA, "edit payments-hub date:+1w")
        .await
        .expect("Maya slips the launch a week");
    assert_eq!(
        desk.launch("payments-hub").await.launch_date,
        day("2026-12-25"),
        "a week after the 18th, not after today"
    );
    // T-5 of Friday 25 December is Sunday 20th: due Friday 18th.
    let deck_now = desk.db.store.task(deck).await.unwrap().unwrap();
    assert_eq!(deck_now.due_date, day("2026-12-18"));
    let View::LaunchEdited { moves, .. } = view else {
        panic!("the launch is edited, got {view:?}");
    };
    assert!(
        moves
            .iter()
            .any(|m| m.task == deck && m.landed == Some(day("2026-12-20")))
    );
    assert!(moves.iter().all(|m| m.task != faq), "the finished FAQ does not move");
    assert_eq!(
        desk.db.store.task(faq).await.unwrap().unwrap().due_date,
        day("2026-12-15")
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn moving_a_launch_into_the_past_is_refused_and_changes_nothing() {
    let desk = Desk::open().await;
    desk.payments_hub(3).await;
    let deck = desk.add_task("task payments-hub sales Sales deck due:T-5").await;
    let (why, _) = refusal(desk.type_command(MAYA, "edit payments-hub date:-3w").await);
    assert!(
        matches!(&why, UserError::Rule(text) if text.contains("Fri 27 Nov is in the past") && text.contains("nothing was changed")),
        "{why:?}"
    );
    assert_eq!(desk.launch("payments-hub").await.launch_date, day("2026-12-18"));
    assert_eq!(
        desk.db.store.task(deck).await.unwrap().unwrap().due_date,
        day("2026-12-11")
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_reply_moving_a_task_to_t_minus_on_a_weekend_is_confirmed_with_where_it_landed() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await; // Payments Hub on Friday 18 December
    // Raj answers in his DM: T-6 is Saturday 12th; the other he wants on Sunday 13th.
    let text = format!("{} due T-6\n{} due 2026-12-13", ids[0], ids[1]);
    let liftoff::service::replies::ReplyOutcome::Answered { applied, problems, .. } =
        raj_replies(&desk, "Ev0RAJ2", &text).await
    else {
        panic!("the reply is answered");
    };
    assert_eq!((applied, problems), (2, 0));
    assert_eq!(
        desk.db.store.task(ids[0]).await.unwrap().unwrap().due_date,
        day("2026-12-11")
    );
    assert_eq!(
        desk.db.store.task(ids[1]).await.unwrap().unwrap().due_date,
        day("2026-12-13")
    );
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    let confirmation = desk
        .db
        .store
        .deliverable(now, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|entry| entry.message.key == "reply:Ev0RAJ2")
        .expect("one confirmation");
    let said = confirmation.message.payload.as_str().to_owned();
    assert!(said.contains("due Fri 11 Dec (T-6 falls on Sat 12 Dec)"), "{said}");
    assert!(said.contains("due Sun 13 Dec (:warning: not a working day"), "{said}");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_launch_set_for_a_saturday_is_created_with_a_word_about_it() {
    let desk = Desk::open().await;
    let view = desk
        .type_command(MAYA, "new Gift cards tier:3 date:2026-12-19 lead:<@U0MAYA>")
        .await
        .expect("a Saturday launch is allowed");
    let View::LaunchCreated { warnings, tasks, .. } = view else {
        panic!("a launch is created, got {view:?}");
    };
    assert_eq!(
        warnings.first().map(String::as_str),
        Some("Sat 19 Dec is not a working day; tasks due on launch day are due Fri 18 Dec"),
        "{warnings:?}"
    );
    assert!(
        tasks.iter().all(|t| desk.config.calendar.is_working_day(t.due_date)),
        "{tasks:?}"
    );
    desk.db.cleanup().await;
}
