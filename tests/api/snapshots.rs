//! Snapshot tests of every renderer: what Liftoff says, in Slack's words, kept in one place.
//!
//! Each test builds what a PMO really has (the tier-1 "Payments Hub" launching Fri 18 Dec, its
//! blog post, enablement deck and blocked legal review, names with `&`, `<` and a `<!channel>`
//! in them) on a fixed day, renders one message or view, and compares the fallback text and
//! the Block Kit with `tests/api/snapshots/<name>.snap`. A change of wording or layout so shows
//! up as a diff of those files, to be read in review.
//!
//! After a deliberate change: `INSTA_UPDATE=always cargo test --test api snapshots` (or
//! `cargo insta review` where cargo-insta is installed), then read the diff before committing.
//! In CI (`CI=true`) a mismatch or a missing snapshot fails the test and nothing is written.

use liftoff::views::ReplyProblem;
use liftoff::views::UserError;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use slack_morphism::prelude::SlackBlock;

use liftoff::notify::{self, EscalationView};
use liftoff::outbound::{FailedMessage, OutboxMessage, PostedEscalation};
use liftoff::slack::blocks::{Rendered, escape};
use liftoff::slack::interactions::MessageRef;
use liftoff::slack::membership::ChannelAccess;
use liftoff::slack::render::{self, render};
use liftoff::views::{CalendarSpan, LaunchDetail, TaskInLaunch, View};
use liftoff_core::checkin::FunctionRound;
use liftoff_core::command::Subcommand;
use liftoff_core::digest::{BlockedTask, LaunchDigest};
use liftoff_core::escalation::{FiredLevel, Level};
use liftoff_core::fixtures::{date, launch, task};
use liftoff_core::gonogo::{Ballot, GoNoGo, Reminder, Vote};
use liftoff_core::readiness::readiness;
use liftoff_core::retro::Retro;
use liftoff_core::saturation::{Freeze, warnings};
use liftoff_core::template::TemplateTask;
use liftoff_core::{
    Actor, ChangeField, ChangeSource, DueDateMove, FunctionCatalog, FunctionDef, FunctionName, HistoryEntry, Launch,
    LaunchId, LaunchState, RaciRole, RoleAssignment, SlackChannelId, SlackUserId, Slug, SuccessMetric, TargetDirection,
    Task, TaskId, TaskStatus, Tier,
};

// ---------------------------------------------------------------------------------------------
// Writing snapshots

/// Compares `snapshot` with `tests/api/snapshots/<name>.snap`, whose header says `about`.
fn check(name: &str, about: &str, snapshot: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(about);
    settings.bind(|| insta::assert_snapshot!(name, snapshot));
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("renderers produce JSON")
}

/// A message as a reviewer reads it: the fallback text as it is, then the blocks.
fn message(rendered: &Rendered) -> String {
    format!(
        "--- text ---\n{}\n--- blocks ---\n{}",
        rendered.text,
        json(&rendered.blocks)
    )
}

/// Several messages, numbered.
fn messages<'a>(rendered: impl IntoIterator<Item = &'a Rendered>) -> String {
    let rendered: Vec<&Rendered> = rendered.into_iter().collect();
    let count = rendered.len();
    rendered
        .iter()
        .enumerate()
        .map(|(index, r)| format!("=== message {} of {count} ===\n{}", index + 1, message(r)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A message payload as it is stored in the outbox.
#[derive(serde::Deserialize)]
struct Body {
    text: String,
    blocks: Vec<SlackBlock>,
}

/// Outbox messages: where each goes and under which key, then its payload's text and blocks.
fn outbox(sent: &[OutboxMessage]) -> String {
    let count = sent.len();
    sent.iter()
        .enumerate()
        .map(|(index, m)| {
            let mut head = format!(
                "=== message {} of {count} ===\nkey: {}\nkind: {}\nmethod: {}\ntarget: {}",
                index + 1,
                m.key,
                m.kind,
                m.method.as_str(),
                m.target
            );
            for (label, value) in [
                ("recipient", &m.recipient),
                ("thread_ts", &m.thread_ts),
                ("thread_of", &m.thread_of),
            ] {
                if let Some(value) = value {
                    head.push_str(&format!("\n{label}: {value}"));
                }
            }
            // Read back as Block Kit so that keys keep Slack's order, as in the other snapshots;
            // the assertion makes sure that this is exactly what the payload says.
            let payload: Value = m.payload.parse().expect("a JSON payload");
            let body: Body = m.payload.parse().expect("a message payload");
            assert_eq!(payload.as_object().map(|o| o.len()), Some(2), "only text and blocks");
            assert_eq!(
                serde_json::to_value(&body.blocks).unwrap(),
                payload["blocks"],
                "{}",
                m.key
            );
            format!(
                "{head}\n--- text ---\n{}\n--- blocks ---\n{}",
                body.text,
                json(&body.blocks)
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

// ---------------------------------------------------------------------------------------------
// The PMO's world on Tuesday 1 December 2026

fn today() -> NaiveDate {
    date("2026-12-01")
}

fn user(id: &str) -> SlackUserId {
    SlackUserId::parse(id).expect("a user id")
}

fn channel(id: &str) -> SlackChannelId {
    SlackChannelId::parse(id).expect("a channel id")
}

fn function(name: &str) -> FunctionName {
    FunctionName::parse(name).expect("a function")
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

/// Maria's tier-1 launch, Friday 18 December.
fn payments_hub() -> Launch {
    Launch {
        slug: Slug::parse("payments-hub").unwrap(),
        name: "Payments Hub".into(),
        lead: Some(user("U0MARIA")),
        key_messages: "Get paid & pay suppliers in one place; no new fees <for now>".into(),
        channel_notes: "Blog, customer webinar on 15 Dec, paid social ($20k)".into(),
        ..launch(1, Tier::One, "2026-12-18")
    }
}

/// A tier-2 launch in January whose name needs escaping.
fn rd_portal() -> Launch {
    Launch {
        slug: Slug::parse("rd-beta-portal").unwrap(),
        name: "R&D <beta> portal".into(),
        lead: Some(user("U0DEV")),
        ..launch(2, Tier::Two, "2027-01-12")
    }
}

/// A tier-3 launch that went live three weeks ago.
fn smart_invoices() -> Launch {
    Launch {
        slug: Slug::parse("smart-invoices").unwrap(),
        name: "Smart Invoices".into(),
        lead: Some(user("U0MARIA")),
        state: LaunchState::Live,
        ..launch(3, Tier::Three, "2026-11-10")
    }
}

/// A launch whose name tries to notify the whole channel; it must never do so.
fn holiday_promo() -> Launch {
    Launch {
        slug: Slug::parse("holiday-promo").unwrap(),
        name: "Holiday promo <!here> & gift cards".into(),
        ..launch(4, Tier::Three, "2026-12-16")
    }
}

#[allow(clippy::too_many_arguments)]
fn a_task(
    id: i64,
    launch: i64,
    function: &str,
    title: &str,
    owner: Option<&str>,
    due: &str,
    offset: Option<i64>,
    status: TaskStatus,
) -> Task {
    Task {
        title: title.into(),
        owner: owner.map(user),
        due_offset_days: offset,
        ..task(id, launch, function, due, status)
    }
}

fn blocked_on_legal() -> TaskStatus {
    TaskStatus::blocked("legal hasn't signed off").unwrap()
}

/// Payments Hub's plan: on track, at risk and overdue, blocked, unowned, done and snoozed work.
#[rustfmt::skip] // A table: one task a line.
fn payments_tasks() -> Vec<Task> {
    use TaskStatus::*;
    vec![
        a_task(101, 1, "marketing", "Draft launch blog post", Some("U0ANN"), "2026-12-04", Some(-14), OnTrack),
        a_task(102, 1, "sales", "Sales enablement deck", Some("U0RAJ"), "2026-11-27", None, AtRisk),
        Task {
            status_changed_at: instant("2026-11-26T15:00:00Z"),
            blocked_by: Some(TaskId(109)),
            ..a_task(103, 1, "product", "Legal review of pricing page", Some("U0LEE"), "2026-12-08", None, blocked_on_legal())
        },
        a_task(104, 1, "marketing", "Press release & analyst briefing <embargoed>", None, "2026-12-11", Some(-7), Todo),
        a_task(105, 1, "ops", "Update help-center articles", Some("U0SAM"), "2026-11-30", None, Done),
        Task {
            snoozed_until: Some(date("2026-12-02")),
            ..a_task(106, 1, "growth", "Lifecycle email to <@U0ANN|ann>'s beta list", Some("U0KIM"), "2026-12-09", None, Todo)
        },
        a_task(107, 1, "marketing", "Tell <!channel> about the code freeze", Some("U0ANN"), "2026-12-16", None, Todo),
        a_task(108, 1, "sales", "Pricing FAQ for support", Some("U0RAJ"), "2026-12-22", Some(4), Todo),
        a_task(109, 1, "ops", "Pricing sign-off from Legal & Finance", Some("U0GINA"), "2026-12-03", None, OnTrack),
    ]
}

#[rustfmt::skip]
fn rd_tasks() -> Vec<Task> {
    use TaskStatus::*;
    vec![
        a_task(201, 2, "marketing", "Beta invite copy for R&D leads", Some("U0ANN"), "2026-12-29", Some(-14), Todo),
        a_task(202, 2, "product", "Docs <draft> review", Some("U0LEE"), "2027-01-05", None, OnTrack),
    ]
}

#[rustfmt::skip]
fn invoices_tasks() -> Vec<Task> {
    vec![
        a_task(301, 3, "growth", "Follow-up survey to early adopters", Some("U0KIM"), "2026-11-24", None, TaskStatus::Done),
    ]
}

fn payments_task(id: i64) -> Task {
    payments_tasks()
        .into_iter()
        .find(|t| t.id == TaskId(id))
        .expect("a Payments Hub task")
}

/// The five built-in functions as this PMO set them up: channels and leads, growth without.
fn functions() -> Vec<FunctionDef> {
    let setup: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::from([
        ("product", (Some("C0PROD"), Some("U0PRIYA"))),
        ("marketing", (Some("C0MKTG"), Some("U0NOOR"))),
        ("growth", (None, None)),
        ("sales", (Some("C0SALES"), Some("U0TOM"))),
        ("ops", (None, Some("U0SAM"))),
    ]);
    FunctionCatalog::builtin()
        .iter()
        .map(|def| {
            let (chan, lead) = setup[def.name.as_str()];
            FunctionDef {
                channel: chan.map(channel),
                lead: lead.map(user),
                ..def.clone()
            }
        })
        .collect()
}

fn function_def(name: &str) -> FunctionDef {
    functions()
        .into_iter()
        .find(|f| f.name.as_str() == name)
        .expect("a function")
}

#[allow(clippy::too_many_arguments)]
fn change(
    launch: i64,
    task: Option<i64>,
    actor: &str,
    field: ChangeField,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
    at: &str,
) -> HistoryEntry {
    HistoryEntry {
        launch_id: LaunchId(launch),
        task_id: task.map(TaskId),
        actor: Actor::User(user(actor)),
        source: ChangeSource::Command,
        at: instant(at),
        field,
        from: from.map(Into::into),
        to: to.map(Into::into),
        note: note.map(Into::into),
    }
}

/// A metric that is better low: "support tickets under 50".
fn support_tickets(actual: Option<f64>) -> SuccessMetric {
    SuccessMetric {
        name: "Support tickets".into(),
        target: 50.0,
        direction: TargetDirection::LessThan,
        unit: String::new(),
        review_offset_days: 30,
        actual,
    }
}

fn activation_rate(actual: Option<f64>) -> SuccessMetric {
    SuccessMetric {
        name: "Activation rate".into(),
        target: 25.0,
        direction: TargetDirection::AtLeast,
        unit: "%".into(),
        review_offset_days: 30,
        actual,
    }
}

fn ballot(function_name: &str, voter: &str, vote: Option<Vote>) -> Ballot {
    Ballot {
        function: function(function_name),
        voter: user(voter),
        voted_at: vote.as_ref().map(|_| instant("2026-12-02T10:30:00Z")),
        vote,
    }
}

/// Payments Hub's go/no-go round, started by Maria on Tuesday, with the given answers of
/// marketing, product and sales (`None`: not answered yet).
fn round(marketing: Option<Vote>, product: Option<Vote>, sales: Option<Vote>) -> GoNoGo {
    let decided = marketing.is_some() && product.is_some() && sales.is_some();
    GoNoGo {
        id: 7,
        launch_id: LaunchId(1),
        started_by: user("U0MARIA"),
        started_at: instant("2026-12-01T09:00:00Z"),
        started_on: today(),
        decided_at: decided.then(|| instant("2026-12-03T16:00:00Z")),
        ballots: vec![
            ballot("marketing", "U0NOOR", marketing),
            ballot("product", "U0PRIYA", product),
            ballot("sales", "U0TOM", sales),
        ],
    }
}

fn legal_no_go() -> Vote {
    Vote::no_go("Legal review of the pricing page is still blocked & the <FAQ> isn't signed off").unwrap()
}

fn in_launch(task: Task, launch: Launch) -> TaskInLaunch {
    TaskInLaunch { task, launch }
}

// ---------------------------------------------------------------------------------------------
// notify: check-ins and nudges

#[test]
fn checkin_two_launches() {
    let marketing = function_def("marketing");
    let (payments, rd) = (payments_hub(), rd_portal());
    let (payments_tasks, rd_tasks) = (payments_tasks(), rd_tasks());
    fn open<'a>(tasks: &'a [Task], function: &FunctionName) -> Vec<&'a Task> {
        tasks
            .iter()
            .filter(|t| &t.function == function && t.status.is_open())
            .collect()
    }
    let round = FunctionRound {
        function: marketing.name.clone(),
        launches: vec![
            (&payments, open(&payments_tasks, &marketing.name)),
            (&rd, open(&rd_tasks, &marketing.name)),
        ],
    };
    let parts: Vec<notify::CheckinPart> = notify::checkin(&marketing, &round, "Tue 1 Dec", today()).collect();
    let shown = parts
        .iter()
        .map(|part| {
            let tasks: Vec<String> = part.tasks.iter().map(ToString::to_string).collect();
            format!("covers: {}\n{}", tasks.join(", "), message(&part.rendered))
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    check(
        "checkin_two_launches",
        "Marketing's check-in in #marketing: Payments Hub and R&D <beta> portal, one part",
        shown,
    );
}

/// Ann replies `T101 done, T107 at risk: vendor late` in the thread of the check-in above: the
/// check-in is redrawn in place, T101 done without buttons, T107 at risk, the rest as posted.
#[test]
fn checkin_redrawn_after_a_reply() {
    let marketing = function_def("marketing");
    let (payments, rd) = (payments_hub(), rd_portal());
    let (payments_tasks, rd_tasks) = (payments_tasks(), rd_tasks());
    let listed = |tasks: &[Task]| -> Vec<Task> {
        tasks
            .iter()
            .filter(|t| t.function == marketing.name && t.status.is_open())
            .cloned()
            .collect()
    };
    let (payments_listed, rd_listed) = (listed(&payments_tasks), listed(&rd_tasks));
    let round = FunctionRound {
        function: marketing.name.clone(),
        launches: vec![
            (&payments, payments_listed.iter().collect()),
            (&rd, rd_listed.iter().collect()),
        ],
    };
    let part = notify::checkin(&marketing, &round, "Tue 1 Dec", today())
        .next()
        .unwrap();
    let posted = notify::payload(&part.rendered);
    let now: Vec<Task> = payments_listed
        .iter()
        .chain(&rd_listed)
        .cloned()
        .map(|task| match task.id.0 {
            101 => Task {
                status: TaskStatus::Done,
                ..task
            },
            107 => Task {
                status: TaskStatus::AtRisk,
                ..task
            },
            _ => task,
        })
        .collect();
    let redrawn = notify::refreshed_checkin(&posted, &now, today()).unwrap();
    check(
        "checkin_redrawn_after_a_reply",
        "The same check-in after Ann's `T101 done, T107 at risk: vendor late` in its thread",
        message(&redrawn),
    );
}

#[test]
fn checkin_in_parts() {
    // Thirty open tasks with buttons take sixty blocks: more than one message holds.
    let marketing = function_def("marketing");
    let payments = payments_hub();
    let tasks: Vec<Task> = (1..=30)
        .map(|n| {
            a_task(
                400 + n,
                1,
                "marketing",
                &format!("Localise the launch page for market {n}"),
                Some("U0ANN"),
                "2026-12-11",
                Some(-7),
                TaskStatus::Todo,
            )
        })
        .collect();
    let round = FunctionRound {
        function: marketing.name.clone(),
        launches: vec![(&payments, tasks.iter().collect())],
    };
    // Each part's heading and what it covers; the rows are as in `checkin_two_launches`.
    let shown = notify::checkin(&marketing, &round, "Tue 1 Dec", today())
        .map(|part| {
            let tasks: Vec<String> = part.tasks.iter().map(ToString::to_string).collect();
            let first_line = part.rendered.text.lines().next().unwrap_or_default().to_owned();
            format!(
                "text starts: {first_line}\nblocks: {}\ncovers: {}\n--- heading blocks ---\n{}",
                part.rendered.blocks.len(),
                tasks.join(", "),
                json(&part.rendered.blocks[..3].to_vec())
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    check(
        "checkin_in_parts",
        "A check-in too long for one message: numbered parts, each saying which tasks it covers",
        shown,
    );
}

#[test]
fn nudge_three_tasks() {
    let tasks = vec![
        (payments_task(101), payments_hub()),
        (payments_task(107), payments_hub()),
        (rd_tasks()[0].clone(), rd_portal()),
    ];
    check(
        "nudge_three_tasks",
        "The DM to Ann, who has not answered today's check-in for three tasks",
        message(&notify::nudge(&user("U0ANN"), &tasks, today())),
    );
}

#[test]
fn nudge_one_task() {
    let tasks = vec![(payments_task(102), payments_hub())];
    check(
        "nudge_one_task",
        "The DM to Raj about his one overdue, at-risk task",
        message(&notify::nudge(&user("U0RAJ"), &tasks, today())),
    );
}

// ---------------------------------------------------------------------------------------------
// notify: the digest

fn counts(tasks: &[Task]) -> BTreeMap<FunctionName, [usize; 5]> {
    let mut counts: BTreeMap<FunctionName, [usize; 5]> = BTreeMap::new();
    for task in tasks {
        let slot = match task.status {
            TaskStatus::Todo => 0,
            TaskStatus::OnTrack => 1,
            TaskStatus::AtRisk => 2,
            TaskStatus::Blocked { .. } => 3,
            TaskStatus::Done => 4,
        };
        counts.entry(task.function.clone()).or_default()[slot] += 1;
    }
    counts
}

/// What happened to Payments Hub since yesterday's digest, oldest first.
#[rustfmt::skip] // A table: one change a line.
fn payments_changes() -> Vec<HistoryEntry> {
    use ChangeField::*;
    vec![
        change(1, None, "U0MARIA", LaunchDate, Some("2026-12-11"), Some("2026-12-18"), None, "2026-11-30T09:12:00Z"),
        change(1, Some(101), "U0MARIA", Owner, Some("nobody"), Some("<@U0ANN>"), None, "2026-11-30T09:20:00Z"),
        change(1, Some(102), "U0RAJ", Status, Some("on track"), Some("at risk"), None, "2026-11-30T11:02:00Z"),
        change(1, Some(103), "U0LEE", Status, Some("on track"), Some("blocked: legal hasn't signed off"), None, "2026-11-30T14:45:00Z"),
        change(1, Some(104), "U0MARIA", Title, Some("Press release"), Some("Press release & analyst briefing <embargoed>"), None, "2026-11-30T16:00:00Z"),
        change(1, Some(105), "U0SAM", Status, Some("on track"), Some("done"), None, "2026-11-30T17:30:00Z"),
    ]
}

fn payments_digest() -> LaunchDigest {
    let launch = payments_hub();
    let tasks = payments_tasks();
    LaunchDigest {
        readiness: readiness(&launch, &tasks, today()),
        counts: counts(&tasks),
        overdue: vec![payments_task(102)],
        blocked: vec![BlockedTask {
            task: payments_task(103),
            working_days: 3,
        }],
        due_soon: vec![payments_task(109), payments_task(101), payments_task(103)],
        changes: payments_changes(),
        new_launch: None,
        missed_metrics: Vec::new(),
        launch,
    }
}

#[test]
fn digest_with_failed_delivery() {
    let rd = rd_portal();
    let invoices = smart_invoices();
    let launches = vec![
        payments_digest(),
        LaunchDigest {
            readiness: readiness(&rd, &rd_tasks(), today()),
            counts: counts(&rd_tasks()),
            overdue: Vec::new(),
            blocked: Vec::new(),
            due_soon: Vec::new(),
            changes: Vec::new(),
            // Created since the last digest: one line, not its tasks' creations.
            new_launch: Some(rd_tasks().len()),
            missed_metrics: Vec::new(),
            launch: rd,
        },
        LaunchDigest {
            readiness: readiness(&invoices, &invoices_tasks(), today()),
            counts: counts(&invoices_tasks()),
            overdue: Vec::new(),
            blocked: Vec::new(),
            due_soon: Vec::new(),
            changes: Vec::new(),
            new_launch: None,
            missed_metrics: vec![activation_rate(Some(18.5)), support_tickets(Some(62.0))],
            launch: invoices,
        },
    ];
    let failed = vec![
        FailedMessage {
            key: "checkin:sales:2026-11-30T10:00:1".into(),
            kind: "checkin".into(),
            target: "C0SALES".into(),
            error: "not_in_channel".into(),
        },
        FailedMessage {
            key: "gonogo:7:ask:product".into(),
            kind: "gonogo".into(),
            target: "U0PRIYA".into(),
            error: "invalid_blocks: text too long & <truncated>".into(),
        },
    ];
    let thin = vec![(user("U0MARIA"), 3)];
    let digest = notify::digest(&launches, &failed, &thin, "Tue 1 Dec", today());
    check(
        "digest_with_failed_delivery",
        "The daily digest in #pmo: three launches, a lead spread too thin, two failed deliveries",
        messages(&digest),
    );
}

#[test]
fn digest_no_active_launches() {
    let digest = notify::digest(&[], &[], &[], "Tue 1 Dec", today());
    check(
        "digest_no_active_launches",
        "The daily digest when nothing is launching",
        messages(&digest),
    );
}

// ---------------------------------------------------------------------------------------------
// notify: escalations and resolutions

fn escalation_view<'a>(task: &'a Task, launch: &'a Launch, level: Level) -> EscalationView<'a> {
    EscalationView {
        task,
        launch,
        level,
        overdue_days: 0,
        blocked_days: 0,
        mentions: task.owner.iter().cloned().collect(),
        blocker: None,
        readiness: None,
        today: today(),
    }
}

#[test]
fn launch_moved_to_channels_and_owners() {
    // Payments Hub slips a week, from Friday 11 to Friday 18 December; Maria moved it.
    let launch = payments_hub();
    let moved_tasks = [payments_task(101), payments_task(104), payments_task(108)];
    let moves = [
        DueDateMove {
            task: TaskId(101),
            offset: -14,
            from: date("2026-11-27"),
            to: date("2026-12-04"),
            landed: None,
            now_in_past: false,
        },
        DueDateMove {
            task: TaskId(104),
            offset: -6,
            from: date("2026-12-04"),
            to: date("2026-12-11"),
            landed: Some(date("2026-12-12")),
            now_in_past: false,
        },
        DueDateMove {
            task: TaskId(108),
            offset: 4,
            from: date("2026-12-15"),
            to: date("2026-12-22"),
            landed: None,
            now_in_past: false,
        },
    ];
    let maria = liftoff_core::SlackUserId::parse("U0MARIA").unwrap();
    let change = notify::LaunchMove {
        launch: &launch,
        from: date("2026-12-11"),
        actor: &maria,
        moved: moved_tasks.iter().zip(moves.iter()).collect(),
        today: today(),
    };
    check(
        "launch_moved_to_channels_and_owners",
        "A launch slipped a week: one post per function channel with moved tasks, one DM per owner",
        outbox(&notify::launch_moved(&change, &functions())),
    );
}

#[test]
fn escalation_reminder_due_tomorrow() {
    let task = Task {
        due_date: date("2026-12-02"),
        due_offset_days: None,
        ..payments_task(101)
    };
    let launch = payments_hub();
    check(
        "escalation_reminder_due_tomorrow",
        "Level 0: the DM to Ann the working day before her blog post is due (no Acknowledge/Snooze)",
        message(&notify::escalation(&escalation_view(&task, &launch, Level::Reminder))),
    );
}

#[test]
fn escalation_overdue_to_owner() {
    let (task, launch) = (payments_task(102), payments_hub());
    let view = EscalationView {
        overdue_days: 2,
        ..escalation_view(&task, &launch, Level::Overdue)
    };
    check(
        "escalation_overdue_to_owner",
        "Level 1: the DM to Raj, whose enablement deck is two working days late",
        message(&notify::escalation(&view)),
    );
}

#[test]
fn escalation_blocked_to_function_lead() {
    let (task, blocker, launch) = (payments_task(103), payments_task(109), payments_hub());
    let view = EscalationView {
        blocked_days: 3,
        // The owner twice (as owner and as accountable): mentioned once.
        mentions: vec![user("U0LEE"), user("U0PRIYA"), user("U0LEE"), user("U0GINA")],
        blocker: Some(&blocker),
        ..escalation_view(&task, &launch, Level::FunctionLead)
    };
    check(
        "escalation_blocked_to_function_lead",
        "Level 2 in #product: the legal review blocked for three working days, waiting on T109",
        message(&notify::escalation(&view)),
    );
}

#[test]
fn escalation_overdue_to_launch_lead() {
    let (task, launch) = (payments_task(102), payments_hub());
    let ready = render::readiness_label(&readiness(&launch, &payments_tasks(), today()).overall);
    let view = EscalationView {
        overdue_days: 4,
        mentions: vec![user("U0RAJ"), user("U0TOM"), user("U0MARIA")],
        readiness: Some(ready),
        ..escalation_view(&task, &launch, Level::LaunchLead)
    };
    check(
        "escalation_overdue_to_launch_lead",
        "Level 3 in the escalation channel: the deck four working days late, with the launch's readiness",
        message(&notify::escalation(&view)),
    );
}

fn posted(key: &str, target: &str, thread_of: Option<&str>) -> PostedEscalation {
    PostedEscalation {
        key: key.to_owned(),
        target: target.to_owned(),
        thread_of: thread_of.map(str::to_owned),
    }
}

#[test]
fn resolution_once_per_place() {
    let task = Task {
        status: TaskStatus::OnTrack,
        ..payments_task(103)
    };
    let unblocked = change(
        1,
        Some(103),
        "U0LEE",
        ChangeField::Status,
        Some("blocked: legal hasn't signed off"),
        Some("on track"),
        None,
        "2026-12-01T13:05:00Z",
    );
    let escalations = [
        // Lee's own DM: she unblocked it herself, so she is not told.
        posted("esc:103:blocked:1796310000000:1:post:U0LEE", "U0LEE", None),
        // The overdue line in #product's check-in thread, then the function lead's message in
        // #product: one line there, in the latest one's thread.
        posted(
            "esc:103:blocked:1796310000000:1:thread:C0PROD",
            "C0PROD",
            Some("checkin:product:2026-11-30T10:00:1"),
        ),
        posted("esc:103:blocked:1796310000000:2:post:C0PROD", "C0PROD", None),
        posted("esc:103:blocked:1796310000000:3:post:C0ESC", "C0ESC", None),
    ];
    let sent = notify::resolution(&task, &unblocked, "2026-12-01 14:05", &escalations);
    check(
        "resolution_once_per_place",
        "The legal review unblocked by its owner: one closing reply per place the escalations went \
         (#product, the escalation channel), none to the owner herself",
        outbox(&sent),
    );
}

#[test]
fn escalation_list_of_two_tasks() {
    let launch = payments_hub();
    let tasks = [payments_task(102), payments_task(103)];
    let blocker = payments_task(109);
    let views: Vec<EscalationView> = tasks
        .iter()
        .map(|task| EscalationView {
            overdue_days: if task.id.0 == 102 { 2 } else { 0 },
            blocked_days: if task.id.0 == 103 { 3 } else { 0 },
            blocker: (task.id.0 == 103).then_some(&blocker),
            mentions: vec![user("U0PRIYA"), user("U0GINA")],
            ..escalation_view(task, &launch, Level::FunctionLead)
        })
        .collect();
    let parts = notify::escalation_list(&views, &[user("U0PRIYA")]);
    let rendered: Vec<Rendered> = parts.iter().map(|(rendered, _)| rendered.clone()).collect();
    check(
        "escalation_list_of_two_tasks",
        "Level 2 in #product for two tasks of one launch: one message, the lead named once, \
         each task's own people, trouble and buttons on its row",
        messages(&rendered),
    );
}

#[test]
fn overdue_line_for_two_tasks_in_a_check_in_thread() {
    let (a, b) = (payments_task(101), payments_task(102));
    let parts = notify::overdue_in_checkin_thread(&[&a, &b]);
    let rendered: Vec<Rendered> = parts.iter().map(|(rendered, _)| rendered.clone()).collect();
    check(
        "overdue_line_for_two_tasks_in_a_check_in_thread",
        "Two tasks overdue in one sweep: one line in the function's check-in thread",
        messages(&rendered),
    );
}

#[test]
fn resolution_of_a_title_with_a_mention() {
    let task = Task {
        status: TaskStatus::Done,
        ..payments_task(106)
    };
    let done = change(
        1,
        Some(106),
        "U0KIM",
        ChangeField::Status,
        Some("to do"),
        Some("done"),
        None,
        "2026-12-01T15:40:00Z",
    );
    let escalations = [posted("esc:106:due:2026-12-09:2:post:C0MKTG", "C0MKTG", None)];
    let sent = notify::resolution(&task, &done, "2026-12-01 16:40", &escalations);
    check(
        "resolution_of_a_title_with_a_mention",
        "A resolution whose task title contains a mention someone typed (<@U0ANN|ann>)",
        outbox(&sent),
    );
}

// ---------------------------------------------------------------------------------------------
// notify: go/no-go

#[test]
fn gonogo_ask_messages() {
    let sent = notify::ask_messages(
        &round(None, None, None),
        &payments_hub(),
        &payments_tasks(),
        &functions(),
        today(),
    );
    check(
        "gonogo_ask_messages",
        "A new go/no-go round: the question to each function lead, with that function's readiness",
        outbox(&sent),
    );
}

#[test]
fn gonogo_result_go() {
    let sent = notify::result_messages(
        &round(Some(Vote::Go), Some(Vote::Go), Some(Vote::Go)),
        &payments_hub(),
        Some(&channel("C0PMO")),
        date("2026-12-03"),
    );
    check(
        "gonogo_result_go",
        "Every lead said go: the result to Maria (lead and starter, once) and to #pmo",
        outbox(&sent),
    );
}

#[test]
fn gonogo_result_no_go() {
    let sent = notify::result_messages(
        &round(Some(Vote::Go), Some(legal_no_go()), Some(Vote::Go)),
        &payments_hub(),
        Some(&channel("C0PMO")),
        date("2026-12-03"),
    );
    check(
        "gonogo_result_no_go",
        "Product said no-go (with a reason to escape): the result to Maria and to #pmo",
        outbox(&sent),
    );
}

#[test]
fn gonogo_reminders() {
    let gonogo = round(Some(Vote::Go), Some(Vote::Go), None);
    let due = vec![
        Reminder::Voter {
            function: function("sales"),
            voter: user("U0TOM"),
        },
        Reminder::LaunchLead {
            missing: vec![(function("sales"), user("U0TOM"))],
        },
    ];
    let sent = notify::reminder_messages(
        &gonogo,
        &payments_hub(),
        &payments_tasks(),
        due,
        &functions(),
        date("2026-12-03"),
    );
    check(
        "gonogo_reminders",
        "Thursday: sales has not answered; the question again to Tom, and a note to Maria",
        outbox(&sent),
    );
}

// ---------------------------------------------------------------------------------------------
// notify: short answers and direct messages

#[test]
fn applied_thread_reply() {
    // As the thread handler writes them: `T12` and the new status or due date, escaped.
    let lines = vec![
        format!("`T101` {}", escape("done")),
        format!("`T102` {}", escape("due 2026-12-04")),
        format!("`T103` {}", escape("blocked: waiting on R&D <beta> keys")),
    ];
    check(
        "applied_thread_reply",
        "The thread answer confirming what a check-in reply changed",
        message(&notify::applied(&lines)),
    );
}

#[test]
fn hint_one_line() {
    let problems = vec![ReplyProblem::Refused {
        task: Some(TaskId(999)),
        refusal: UserError::NoSuchTask(TaskId(999)),
    }];
    check(
        "hint_one_line",
        "The ephemeral hint when one line of a reply could not be applied",
        message(&notify::hint(&problems)),
    );
}

#[test]
fn hint_two_lines() {
    let problems = vec![
        ReplyProblem::Refused {
            task: Some(TaskId(103)),
            refusal: UserError::Rule("a blocked task needs a reason, e.g. `T103 blocked on legal`".to_owned()),
        },
        ReplyProblem::Unreadable("“T101 <!channel> donee” is not a status update".to_owned()),
        ReplyProblem::Refused {
            task: None,
            refusal: UserError::SeveralOwnOpenTasks(vec![TaskId(101), TaskId(103)]),
        },
    ];
    check(
        "hint_two_lines",
        "The ephemeral hint for two lines, one of them with a broadcast to defuse",
        message(&notify::hint(&problems)),
    );
}

#[test]
fn hint_refusals_of_the_wrong_person_and_launch() {
    let problems = vec![
        ReplyProblem::Refused {
            task: Some(TaskId(102)),
            refusal: UserError::NotTaskChanger {
                task: TaskId(102),
                function: "Sales".into(),
                deciders: Box::new(liftoff_core::task::permission::Deciders {
                    owner: Some(user("U0RAJ")),
                    function: function("sales"),
                    function_lead: Some(user("U0TOM")),
                    launch_lead: Some(user("U0LENA")),
                    admins: true,
                }),
            },
        },
        ReplyProblem::Refused {
            task: Some(TaskId(201)),
            refusal: UserError::TaskOfOtherLaunch {
                task: TaskId(201),
                launch: rd_portal().slug,
                launch_name: rd_portal().name,
            },
        },
        ReplyProblem::Refused {
            task: Some(TaskId(103)),
            refusal: UserError::WaitsOnDone(TaskId(105)),
        },
    ];
    check(
        "hint_refusals_of_the_wrong_person_and_launch",
        "Sam, who owns none of them, replies `T102 done, T201 done`, and blocks T103 on a done task",
        message(&notify::hint(&problems)),
    );
}

#[test]
fn metric_reviews_of_one_day() {
    let signups = SuccessMetric {
        name: "Signups".into(),
        target: 2500.0,
        unit: "signups".into(),
        ..activation_rate(None)
    };
    check(
        "metric_reviews_of_one_day",
        "Two of Smart Invoices' metrics are reviewed the same day: one DM to Maria asking for both",
        message(&notify::metric_reviews(
            &smart_invoices(),
            &[&activation_rate(None), &signups],
        )),
    );
}

#[test]
fn metric_review() {
    check(
        "metric_review",
        "The DM asking Maria for Smart Invoices' activation rate on its review date",
        message(&notify::metric_review(&smart_invoices(), &activation_rate(None))),
    );
}

#[test]
fn undeliverable_to_channel() {
    check(
        "undeliverable_to_channel",
        "The DM saying the digest could not be posted to a channel",
        message(&notify::undeliverable("digest", "C0PMO", "not_in_channel")),
    );
}

#[test]
fn undeliverable_to_person() {
    check(
        "undeliverable_to_person",
        "The DM saying a nudge could not be delivered to a person, with an odd reason to escape",
        message(&notify::undeliverable(
            "nudge",
            "U0ANN",
            "user_not_found <or deactivated> & gone",
        )),
    );
}

// ---------------------------------------------------------------------------------------------
// notify: telling people about their own tasks

#[test]
fn assigned_one_task_by_the_pmm() {
    let item = in_launch(
        Task {
            owner: Some(user("U0RAJ")),
            ..payments_task(104)
        },
        payments_hub(),
    );
    check(
        "assigned_one_task_by_the_pmm",
        "Lena gave Raj the press release: a DM with its due date and buttons",
        outbox(&[notify::assigned(
            "assigned:T104:v2".into(),
            &user("U0RAJ"),
            Some(&user("U0LENA")),
            &[item],
            today(),
        )]),
    );
}

#[test]
fn assigned_a_new_launchs_tasks_to_the_function_lead() {
    let items: Vec<TaskInLaunch> = [101, 104, 107]
        .into_iter()
        .map(|id| {
            in_launch(
                Task {
                    owner: Some(user("U0NOOR")),
                    ..payments_task(id)
                },
                payments_hub(),
            )
        })
        .collect();
    check(
        "assigned_a_new_launchs_tasks_to_the_function_lead",
        "A new launch's Marketing template tasks go to Noor, the Marketing lead: one DM for all three",
        outbox(&[notify::assigned(
            "assigned:launch1:created:U0NOOR".into(),
            &user("U0NOOR"),
            None,
            &items,
            today(),
        )]),
    );
}

#[test]
fn changed_by_someone_else() {
    let done = change(
        1,
        Some(101),
        "U0NOOR",
        ChangeField::Status,
        Some("on track"),
        Some("done"),
        Some("published early"),
        "2026-12-01T10:00:00Z",
    );
    let moved = change(
        1,
        Some(107),
        "U0NOOR",
        ChangeField::Due,
        Some("2026-12-16"),
        Some("2026-12-18"),
        None,
        "2026-12-01T10:00:00Z",
    );
    let given = change(
        1,
        Some(102),
        "U0LENA",
        ChangeField::Owner,
        Some("U0RAJ"),
        Some("U0TOM"),
        None,
        "2026-12-01T10:05:00Z",
    );
    check(
        "changed_by_someone_else",
        "Ann's lead updates two of her tasks in the check-in thread: one DM for both; and Raj's deck given to Tom",
        outbox(&[
            notify::changed_by_someone_else(
                "changed:reply:Ev1:U0ANN".into(),
                &user("U0ANN"),
                &[
                    (
                        in_launch(
                            Task {
                                status: TaskStatus::Done,
                                ..payments_task(101)
                            },
                            payments_hub(),
                        ),
                        done,
                    ),
                    (in_launch(payments_task(107), payments_hub()), moved),
                ],
                today(),
            ),
            notify::changed_by_someone_else(
                "changed:T102:v3:U0RAJ".into(),
                &user("U0RAJ"),
                &[(
                    in_launch(
                        Task {
                            owner: Some(user("U0TOM")),
                            ..payments_task(102)
                        },
                        payments_hub(),
                    ),
                    given,
                )],
                today(),
            ),
        ]),
    );
}

#[test]
fn unblocked() {
    check(
        "unblocked",
        "Gina's Legal sign-off is done: Lee, whose pricing-page review waited on it, is told once",
        outbox(&[notify::unblocked(
            "unblocked:T109:v4:U0LEE".into(),
            &user("U0LEE"),
            &Task {
                status: TaskStatus::Done,
                ..payments_task(109)
            },
            &[in_launch(payments_task(103), payments_hub())],
            today(),
        )]),
    );
}

// ---------------------------------------------------------------------------------------------
// slack::render: every View

/// Snapshots a rendered view; its name starts with the view's kind (see [`kind`]).
fn view(name: &str, about: &str, view: View) {
    assert!(name.starts_with(kind(&view)), "name {name} for a {} view", kind(&view));
    check(name, about, message(&render(&view)));
}

/// What each view's snapshots are named after. No wildcard: a new `View` does not compile here
/// until it is named, which is the reminder to give it a snapshot test below.
fn kind(view: &View) -> &'static str {
    match view {
        View::Help { .. } => "help",
        View::Problem { .. } => "problem",
        View::InternalError => "internal_error",
        View::NewLaunchForm => "new_launch_form",
        View::LaunchCreated { .. } => "launch_created",
        View::LaunchList { .. } => "launch_list",
        View::LaunchDetail(_) => "launch_detail",
        View::LaunchEdited { .. } => "launch_edited",
        View::Calendar { .. } => "calendar",
        View::TaskCreated { .. } => "task_created",
        View::FunctionAssigned { .. } => "function_assigned",
        View::TaskUpdated { .. } => "task_updated",
        View::TaskDetail { .. } => "task_detail",
        View::FunctionUpdated { .. } => "function_updated",
        View::MyTasks { .. } => "my_tasks",
        View::Escalations { .. } => "escalations",
        View::Template { .. } => "template",
        View::MetricSet { .. } => "metric_set",
        View::Workload { .. } => "workload",
        View::Retro { .. } => "retro",
        View::GoNoGoStarted { .. } => "gonogo_started",
        View::GoNoGoVoted { .. } => "gonogo_voted",
        View::Roles { .. } => "roles",
        View::DigestPosting { .. } => "digest_posting",
    }
}

#[test]
fn help() {
    view("help", "`/launch help`: every subcommand", View::Help { topic: None });
}

#[test]
fn help_topic() {
    view(
        "help_topic",
        "`/launch help task`",
        View::Help {
            topic: Some(Subcommand::Task),
        },
    );
}

#[test]
fn problem_with_usage() {
    view(
        "problem_with_usage",
        "A mistake in `/launch task`, shown with its usage",
        View::Problem {
            message: "`due:` wants a date or T-14, not `nextish`".into(),
            usage: Some(Subcommand::Task),
        },
    );
}

#[test]
fn problem_without_usage() {
    view(
        "problem_without_usage",
        "A mistake with no subcommand to show; the message echoes a broadcast, which must not fire",
        View::Problem {
            message: "I don't know `<!channel>` & friends; launches are named by slug".into(),
            usage: None,
        },
    );
}

#[test]
fn internal_error() {
    view(
        "internal_error",
        "Something failed on Liftoff's side",
        View::InternalError,
    );
}

#[test]
fn new_launch_form() {
    view(
        "new_launch_form",
        "`/launch new` without arguments: the form opens",
        View::NewLaunchForm,
    );
}

#[test]
fn launch_created_from_template() {
    view(
        "launch_created_from_template",
        "Payments Hub created with its tier-1 template",
        View::LaunchCreated {
            launch: payments_hub(),
            lead_is_author: false,
            tasks: payments_tasks(),
            warnings: Vec::new(),
            today: date("2026-11-02"),
        },
    );
}

#[test]
fn launch_created_with_saturation_warnings() {
    let promo = holiday_promo();
    let freeze = Freeze {
        from: date("2026-12-14"),
        to: date("2027-01-04"),
        reason: "holiday code freeze <ops on call only>".into(),
    };
    let warned = warnings(
        promo.tier,
        promo.launch_date,
        &[
            payments_hub(),
            Launch {
                launch_date: date("2026-12-17"),
                ..rd_portal()
            },
        ],
        2,
        &[freeze],
    );
    view(
        "launch_created_with_saturation_warnings",
        "A tier-3 launch without tasks in a crowded week and a freeze (only its author sees this)",
        View::LaunchCreated {
            launch: Launch {
                lead: Some(user("U0LENA")),
                ..promo
            },
            lead_is_author: true,
            tasks: Vec::new(),
            warnings: warned,
            today: today(),
        },
    );
}

#[test]
fn launch_list_active() {
    let launches = vec![
        (
            payments_hub(),
            readiness(&payments_hub(), &payments_tasks(), today()).overall,
        ),
        (holiday_promo(), readiness(&holiday_promo(), &[], today()).overall),
        (rd_portal(), readiness(&rd_portal(), &rd_tasks(), today()).overall),
        (
            smart_invoices(),
            readiness(&smart_invoices(), &invoices_tasks(), today()).overall,
        ),
    ];
    view(
        "launch_list_active",
        "`/launch list`: four active launches with readiness",
        View::LaunchList {
            launches,
            include_archived: false,
            today: today(),
        },
    );
}

#[test]
fn launch_list_all_with_archived() {
    let old = Launch {
        state: LaunchState::Archived,
        ..smart_invoices()
    };
    let launches = vec![(old.clone(), readiness(&old, &invoices_tasks(), today()).overall)];
    view(
        "launch_list_all_with_archived",
        "`/launch list all`: an archived launch",
        View::LaunchList {
            launches,
            include_archived: true,
            today: today(),
        },
    );
}

#[test]
fn launch_list_empty() {
    view(
        "launch_list_empty",
        "`/launch list` before any launch exists",
        View::LaunchList {
            launches: Vec::new(),
            include_archived: false,
            today: today(),
        },
    );
}

#[test]
fn launch_detail_full() {
    let launch = payments_hub();
    let tasks = payments_tasks();
    let roles = BTreeMap::from([(
        TaskId(101),
        vec![
            RoleAssignment {
                role: RaciRole::Accountable,
                user: user("U0MARIA"),
            },
            RoleAssignment {
                role: RaciRole::Consulted,
                user: user("U0LEE"),
            },
        ],
    )]);
    let detail = LaunchDetail {
        readiness: readiness(&launch, &tasks, today()),
        metrics: vec![
            activation_rate(None),
            SuccessMetric {
                name: "Merchant sign-ups".into(),
                target: 500.0,
                direction: TargetDirection::AtLeast,
                unit: "signups".into(),
                review_offset_days: 14,
                actual: None,
            },
        ],
        functions: functions(),
        undelivered: vec![FailedMessage {
            key: "checkin:sales:2026-11-30T10:00:1".into(),
            kind: "checkin".into(),
            target: "C0SALES".into(),
            error: "not_in_channel".into(),
        }],
        roles,
        gonogo: Some(round(Some(Vote::Go), Some(legal_no_go()), Some(Vote::Go))),
        today: today(),
        launch,
        tasks,
    };
    view(
        "launch_detail_full",
        "`/launch show payments-hub`: everything, including a no-go, RACI roles and a failed check-in",
        View::LaunchDetail(Box::new(detail)),
    );
}

#[test]
fn launch_detail_no_tasks() {
    let launch = holiday_promo();
    let detail = LaunchDetail {
        readiness: readiness(&launch, &[], today()),
        metrics: Vec::new(),
        functions: functions(),
        undelivered: Vec::new(),
        roles: BTreeMap::new(),
        gonogo: Some(round(Some(Vote::Go), None, None)),
        today: today(),
        launch,
        tasks: Vec::new(),
    };
    view(
        "launch_detail_no_tasks",
        "`/launch show holiday-promo`: no tasks yet, a go/no-go under way",
        View::LaunchDetail(Box::new(detail)),
    );
}

#[test]
fn launch_edited_date_moved() {
    let launch = payments_hub();
    #[rustfmt::skip]
    let changes = vec![
        change(1, None, "U0MARIA", ChangeField::LaunchDate, Some("2026-12-11"), Some("2026-12-18"), None, "2026-12-01T09:12:00Z"),
        change(1, None, "U0MARIA", ChangeField::Name, Some("Payments <v2>"), Some("Payments Hub"), None, "2026-12-01T09:12:00Z"),
        // Task changes are not listed; the moves below say what happened to them.
        change(1, Some(101), "U0MARIA", ChangeField::Due, Some("2026-11-27"), Some("2026-12-04"), None, "2026-12-01T09:12:00Z"),
    ];
    let moves = vec![
        DueDateMove {
            task: TaskId(101),
            offset: -14,
            from: date("2026-11-27"),
            to: date("2026-12-04"),
            landed: None,
            now_in_past: false,
        },
        DueDateMove {
            // T-20 of Friday 18 December is Saturday 28 November: due the Friday before.
            task: TaskId(110),
            offset: -20,
            from: date("2026-11-20"),
            to: date("2026-11-27"),
            landed: Some(date("2026-11-28")),
            now_in_past: true,
        },
    ];
    view(
        "launch_edited_date_moved",
        "`/launch edit payments-hub date:2026-12-18 name:...`: two relative tasks moved, one into the past",
        View::LaunchEdited {
            launch: launch.clone(),
            changes,
            moves,
            warnings: warnings(
                launch.tier,
                launch.launch_date,
                &[
                    holiday_promo(),
                    Launch {
                        launch_date: date("2026-12-17"),
                        ..rd_portal()
                    },
                ],
                2,
                &[],
            ),
            today: today(),
        },
    );
}

#[test]
fn calendar_quarter() {
    view(
        "calendar_quarter",
        "`/launch calendar Q4`: Q4 2026 by week",
        View::Calendar {
            span: CalendarSpan::Quarter { year: 2026, quarter: 4 },
            weeks: vec![
                (date("2026-11-09"), vec![smart_invoices()]),
                (date("2026-12-14"), vec![holiday_promo(), payments_hub()]),
            ],
        },
    );
}

#[test]
fn calendar_empty() {
    view(
        "calendar_empty",
        "`/launch calendar 2027-Q3`: nothing planned",
        View::Calendar {
            span: CalendarSpan::Quarter { year: 2027, quarter: 3 },
            weeks: Vec::new(),
        },
    );
}

#[test]
fn calendar_next_weeks() {
    view(
        "calendar_next_weeks",
        "`/launch calendar` on Monday 23 November 2026: the next 13 weeks, by week",
        View::Calendar {
            span: CalendarSpan::Weeks {
                from: date("2026-11-23"),
                weeks: 13,
            },
            weeks: vec![(date("2026-12-14"), vec![holiday_promo(), payments_hub()])],
        },
    );
}

#[test]
fn calendar_next_weeks_empty() {
    view(
        "calendar_next_weeks_empty",
        "`/launch calendar` with nothing planned in the next 13 weeks",
        View::Calendar {
            span: CalendarSpan::Weeks {
                from: date("2026-11-23"),
                weeks: 13,
            },
            weeks: Vec::new(),
        },
    );
}

#[test]
fn function_assigned() {
    let tasks: Vec<Task> = [101, 104, 107]
        .into_iter()
        .map(|id| Task {
            owner: Some(user("U0RAJ")),
            ..payments_task(id)
        })
        .collect();
    view(
        "function_assigned",
        "`/launch assign payments-hub marketing @raj`: his three new tasks",
        View::FunctionAssigned {
            launch: payments_hub(),
            function: "Marketing".into(),
            owner: user("U0RAJ"),
            tasks,
            today: today(),
        },
    );
}

#[test]
fn task_created() {
    view(
        "task_created",
        "`/launch task payments-hub marketing \"Press release & analyst briefing <embargoed>\" due:T-7` (no owner: the lead's)",
        View::TaskCreated {
            item: in_launch(
                Task {
                    owner: Some(user("U0NOOR")),
                    ..payments_task(104)
                },
                payments_hub(),
            ),
            lead_by_default: true,
            due_note: None,
            today: today(),
        },
    );
}

#[test]
fn task_created_t_minus_on_a_saturday() {
    view(
        "task_created_t_minus_on_a_saturday",
        "`/launch task payments-hub marketing \"Press release…\" due:T-6`: T-6 is Saturday 12 December",
        View::TaskCreated {
            item: in_launch(
                Task {
                    due_offset_days: Some(-6),
                    ..payments_task(104)
                },
                payments_hub(),
            ),
            lead_by_default: false,
            due_note: Some(liftoff_core::DueNote::MovedToWorkingDay {
                offset: -6,
                landed: date("2026-12-12"),
            }),
            today: today(),
        },
    );
}

#[test]
fn task_created_typed_for_a_saturday() {
    view(
        "task_created_typed_for_a_saturday",
        "`/launch task payments-hub marketing \"Press release…\" due:2026-12-12`: kept, with a warning",
        View::TaskCreated {
            item: in_launch(
                Task {
                    due_date: date("2026-12-12"),
                    due_offset_days: None,
                    ..payments_task(104)
                },
                payments_hub(),
            ),
            lead_by_default: false,
            due_note: Some(liftoff_core::DueNote::NonWorkingDay(date("2026-12-12"))),
            today: today(),
        },
    );
}

#[test]
fn task_updated_blocked_with_note() {
    let blocked = change(
        1,
        Some(103),
        "U0LEE",
        ChangeField::Status,
        Some("on track"),
        Some("blocked: legal hasn't signed off"),
        Some("Asked Dana in #legal <twice>; ETA Thursday"),
        "2026-11-26T15:00:00Z",
    );
    view(
        "task_updated_blocked_with_note",
        "`/launch block T103 legal hasn't signed off`, with a note",
        View::TaskUpdated {
            item: in_launch(payments_task(103), payments_hub()),
            change: blocked,
            due_note: None,
            today: today(),
        },
    );
}

#[test]
fn task_detail_blocked_with_roles_and_history() {
    let blocked = change(
        1,
        Some(103),
        "U0LEE",
        ChangeField::Status,
        Some("on track"),
        Some("blocked: legal hasn't signed off"),
        None,
        "2026-11-26T15:00:00Z",
    );
    let assigned = change(
        1,
        Some(103),
        "U0MARIA",
        ChangeField::Owner,
        Some("nobody"),
        Some("U0LEE"),
        None,
        "2026-11-20T09:00:00Z",
    );
    let waiting = Task {
        blocked_by: Some(TaskId(103)),
        ..payments_task(104)
    };
    view(
        "task_detail_blocked_with_roles_and_history",
        "`/launch show T103`: one task with its roles, what it blocks and its history",
        View::TaskDetail {
            item: in_launch(payments_task(103), payments_hub()),
            roles: vec![RoleAssignment {
                role: RaciRole::Accountable,
                user: user("U0MARIA"),
            }],
            history: vec![assigned, blocked],
            blocked_by: None,
            blocks: vec![waiting],
            today: today(),
        },
    );
}

#[test]
fn task_updated_due_date() {
    let moved = change(
        1,
        Some(102),
        "U0RAJ",
        ChangeField::Due,
        Some("2026-11-27"),
        Some("2026-12-04"),
        None,
        "2026-12-01T10:00:00Z",
    );
    view(
        "task_updated_due_date",
        "`/launch due T102 friday`",
        View::TaskUpdated {
            item: in_launch(
                Task {
                    due_date: date("2026-12-04"),
                    ..payments_task(102)
                },
                payments_hub(),
            ),
            change: moved,
            due_note: None,
            today: today(),
        },
    );
}

#[test]
fn function_updated() {
    view(
        "function_updated",
        "`/launch channel sales #sales-enablement`: a function with an `&` in its display name",
        View::FunctionUpdated {
            function: FunctionDef {
                display_name: "Sales & CS <EMEA>".into(),
                ..function_def("sales")
            },
        },
    );
}

#[test]
fn function_updated_unset() {
    view(
        "function_updated_unset",
        "A function with neither a check-in channel nor a lead",
        View::FunctionUpdated {
            function: function_def("growth"),
        },
    );
}

#[test]
fn with_notes_invite_needed() {
    let rendered = render::with_notes(
        render(&View::FunctionUpdated {
            function: function_def("marketing"),
        }),
        &[ChannelAccess::NeedsInvite.advice("<#C0MKTG>").expect("advice")],
    );
    check(
        "with_notes_invite_needed",
        "A reply followed by a note: Liftoff must be invited to the private channel",
        message(&rendered),
    );
}

#[test]
fn my_tasks() {
    let items = vec![
        in_launch(payments_task(101), payments_hub()),
        in_launch(payments_task(107), payments_hub()),
        in_launch(rd_tasks()[0].clone(), rd_portal()),
    ];
    view(
        "my_tasks",
        "`/launch mine` for Ann: three open tasks in two launches, with buttons",
        View::MyTasks {
            user: user("U0ANN"),
            items,
            today: today(),
        },
    );
}

#[test]
fn my_tasks_none() {
    view(
        "my_tasks_none",
        "`/launch mine` for someone with nothing open",
        View::MyTasks {
            user: user("U0SAM"),
            items: Vec::new(),
            today: today(),
        },
    );
}

#[test]
fn escalations_list() {
    let fired = |task: i64, level: i64, episode: &str, at: &str| FiredLevel {
        task: TaskId(task),
        launch: LaunchId(1),
        episode: episode.into(),
        level,
        fired_at: instant(at),
    };
    view(
        "escalations_list",
        "`/launch escalations`: the late deck at the launch lead, the legal review at the function lead",
        View::Escalations {
            items: vec![
                (
                    in_launch(payments_task(102), payments_hub()),
                    fired(102, 3, "due:2026-11-27", "2026-12-01T08:00:00Z"),
                ),
                (
                    in_launch(payments_task(103), payments_hub()),
                    fired(103, 2, "blocked:1796310000000", "2026-11-30T08:00:00Z"),
                ),
            ],
            today: today(),
        },
    );
}

#[test]
fn escalations_none() {
    view(
        "escalations_none",
        "`/launch escalations` when nothing is escalated",
        View::Escalations {
            items: Vec::new(),
            today: today(),
        },
    );
}

#[test]
fn template_tier_1() {
    let planned = |function_name: &str, title: &str, offset_days| TemplateTask {
        function: function(function_name),
        title: title.into(),
        offset_days,
    };
    view(
        "template_tier_1",
        "`/launch template 1`",
        View::Template {
            tier: Tier::One,
            tasks: vec![
                planned("marketing", "Positioning & messaging doc", -35),
                planned("sales", "Competitive battlecard", -21),
                planned("ops", "Support macros <billing> ready", -7),
                planned("product", "Go/no-go", -2),
                planned("marketing", "Metrics review", 14),
            ],
        },
    );
}

#[test]
fn metric_set() {
    view(
        "metric_set",
        "`/launch metric payments-hub \"Merchant sign-ups\" target:500signups by:T+14`",
        View::MetricSet {
            launch: payments_hub(),
            metric: SuccessMetric {
                name: "Merchant sign-ups".into(),
                target: 500.0,
                direction: TargetDirection::AtLeast,
                unit: "signups".into(),
                review_offset_days: 14,
                actual: None,
            },
        },
    );
}

#[test]
fn metric_set_missed() {
    view(
        "metric_set_missed",
        "`/launch actual smart-invoices \"Activation rate\" 18.5`: missed, with the support-plan button",
        View::MetricSet {
            launch: smart_invoices(),
            metric: activation_rate(Some(18.5)),
        },
    );
}

#[test]
fn metric_set_met() {
    view(
        "metric_set_met",
        "`/launch actual smart-invoices \"Activation rate\" 31`: met",
        View::MetricSet {
            launch: smart_invoices(),
            metric: activation_rate(Some(31.0)),
        },
    );
}

#[test]
fn metric_set_under_target_met() {
    view(
        "metric_set_under_target_met",
        "`/launch actual smart-invoices \"support tickets\" 40` against target:<50: fewer is better, so met",
        View::MetricSet {
            launch: smart_invoices(),
            metric: support_tickets(Some(40.0)),
        },
    );
}

#[test]
fn workload() {
    view(
        "workload",
        "`/launch workload`: open tasks per person, launches per lead, Maria over the limit",
        View::Workload {
            people: vec![(user("U0ANN"), 3, 0), (user("U0RAJ"), 2, 1), (user("U0LEE"), 2, 0)],
            leads: vec![(user("U0MARIA"), 3), (user("U0DEV"), 1)],
            max_per_lead: 2,
        },
    );
}

#[test]
fn workload_nobody() {
    view(
        "workload_nobody",
        "`/launch workload` with no open tasks and no leads",
        View::Workload {
            people: Vec::new(),
            leads: Vec::new(),
            max_per_lead: 2,
        },
    );
}

#[test]
fn retro() {
    view(
        "retro",
        "`/launch retro smart-invoices`: a slip, blocked days, escalations and three metrics",
        View::Retro {
            launch: smart_invoices(),
            retro: Retro {
                launch_date_moves: vec![("2026-11-03".into(), "2026-11-10".into())],
                task_due_changes: 2,
                blocked_days: BTreeMap::from([(function("product"), 3), (function("sales"), 1)]),
                escalations: BTreeMap::from([(1, 2), (3, 1)]),
                metrics: vec![
                    activation_rate(Some(18.5)),
                    support_tickets(Some(40.0)),
                    SuccessMetric {
                        name: "NPS <beta cohort>".into(),
                        target: 40.0,
                        direction: TargetDirection::AtLeast,
                        unit: String::new(),
                        review_offset_days: 30,
                        actual: Some(42.0),
                    },
                    SuccessMetric {
                        name: "Invoices sent".into(),
                        target: 1000.0,
                        direction: TargetDirection::AtLeast,
                        unit: String::new(),
                        review_offset_days: 60,
                        actual: None,
                    },
                ],
            },
        },
    );
}

#[test]
fn retro_uneventful() {
    view(
        "retro_uneventful",
        "A retro where the date held and nothing was blocked or escalated",
        View::Retro {
            launch: smart_invoices(),
            retro: Retro {
                launch_date_moves: Vec::new(),
                task_due_changes: 0,
                blocked_days: BTreeMap::new(),
                escalations: BTreeMap::new(),
                metrics: Vec::new(),
            },
        },
    );
}

#[test]
fn gonogo_started() {
    view(
        "gonogo_started",
        "`/launch gonogo payments-hub`: three leads asked, growth has no lead",
        View::GoNoGoStarted {
            launch: payments_hub(),
            gonogo: round(None, None, None),
            leaderless: vec![function("growth")],
            pmo: Some(channel("C0PMO")),
        },
    );
}

#[test]
fn gonogo_started_no_lead_no_pmo() {
    view(
        "gonogo_started_no_lead_no_pmo",
        "A go/no-go for a launch without a lead and no PMO channel: the result goes to whoever started it",
        View::GoNoGoStarted {
            launch: holiday_promo(),
            gonogo: GoNoGo {
                launch_id: LaunchId(4),
                ..round(None, None, None)
            },
            leaderless: Vec::new(),
            pmo: None,
        },
    );
}

#[test]
fn gonogo_voted_no_go_waiting() {
    view(
        "gonogo_voted_no_go_waiting",
        "Priya's no-go recorded; sales still to answer, so the buttons stay",
        View::GoNoGoVoted {
            launch: payments_hub(),
            gonogo: round(Some(Vote::Go), Some(legal_no_go()), None),
            function: function("product"),
            vote: legal_no_go(),
            today: date("2026-12-02"),
        },
    );
}

#[test]
fn gonogo_voted_go_decided() {
    view(
        "gonogo_voted_go_decided",
        "Tom's go, the last answer: the round is decided and the buttons go",
        View::GoNoGoVoted {
            launch: payments_hub(),
            gonogo: round(Some(Vote::Go), Some(Vote::Go), Some(Vote::Go)),
            function: function("sales"),
            vote: Vote::Go,
            today: date("2026-12-03"),
        },
    );
}

#[test]
fn roles_and_digest_notices() {
    view(
        "roles_set",
        "A task's RACI roles as they now stand",
        View::Roles {
            changed: true,
            task: TaskId(101),
            roles: vec![
                RoleAssignment {
                    role: RaciRole::Accountable,
                    user: SlackUserId::parse("U0MARIA").unwrap(),
                },
                RoleAssignment {
                    role: RaciRole::Consulted,
                    user: SlackUserId::parse("U0LEE").unwrap(),
                },
            ],
        },
    );
    view(
        "roles_set_cleared",
        "A task's RACI roles, cleared",
        View::Roles {
            task: TaskId(101),
            roles: vec![],
            changed: true,
        },
    );
    view(
        "roles_none_yet",
        "`/launch raci T101` on a task without roles: how to set them",
        View::Roles {
            task: TaskId(101),
            roles: vec![],
            changed: false,
        },
    );
    view(
        "digest_posting",
        "The digest is on its way to the PMO channel",
        View::DigestPosting {
            channel: SlackChannelId::parse("C0PMO").unwrap(),
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Rows, modals and go/no-go pieces rendered on their own

#[test]
fn task_row_after_change() {
    let task = Task {
        status: TaskStatus::AtRisk,
        ..payments_task(101)
    };
    let blocks = render::task_row_after_change(&task, &payments_hub(), today());
    check(
        "task_row_after_change",
        "The row that replaces a task's row after Ann pressed At risk",
        format!("--- blocks ---\n{}", json(&blocks)),
    );
}

#[test]
fn task_row_done_has_no_buttons() {
    let task = Task {
        status: TaskStatus::Done,
        ..payments_task(101)
    };
    let blocks = render::task_row_after_change(&task, &payments_hub(), today());
    check(
        "task_row_done_has_no_buttons",
        "A done task's row: its line only",
        format!("--- blocks ---\n{}", json(&blocks)),
    );
}

#[test]
fn new_launch_modal() {
    check(
        "new_launch_modal",
        "The launch creation form",
        format!(
            "--- view ---\n{}",
            json(&render::new_launch_modal(
                serde_json::json!({ "channel": "C0MKTG", "response_url": "https://hooks.slack.com/commands/T0/1/x" })
                    .to_string()
            ))
        ),
    );
}

#[test]
fn blocked_modal() {
    check(
        "blocked_modal",
        "The modal asking why the legal review is blocked",
        format!(
            "--- view ---\n{}",
            json(&render::blocked_modal(
                &payments_task(103),
                serde_json::to_string(&MessageRef {
                    task: 103,
                    channel: Some("C0PROD".into()),
                    ts: Some("1764597600.000100".into()),
                    response_url: None,
                    ephemeral: false,
                })
                .unwrap()
            ))
        ),
    );
}

#[test]
fn gonogo_reason_modal() {
    check(
        "gonogo_reason_modal",
        "The modal asking a lead what is not ready, after No-go",
        format!(
            "--- view ---\n{}",
            json(&render::gonogo::reason_modal(
                &function("product"),
                serde_json::json!({ "gonogo": 7, "function": "product", "response_url": null }).to_string()
            ))
        ),
    );
}
