//! Unit tests of launches: tiers, slugs, references, drafts, edits, metrics and counting per
//! lead. Kept together in their own file because they share builders (`sample_launch`, `ctx`)
//! across all the launch files.

use crate::history::{ChangeContext, ChangeField};
use crate::task::Task;

use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn slugs_follow_the_documented_rules() {
    let check = |name: &str, expected: &str| {
        assert_eq!(Slug::from_name(name).unwrap().as_str(), expected, "{name}");
    };
    check("Checkout v2", "checkout-v2");
    check("  --Checkout   V2!!  ", "checkout-v2");
    check("AI / Search (beta)", "ai-search-beta");
    check("Café Relaunch", "caf-relaunch");
    check("2027", "2027");
    assert_eq!(Slug::from_name("!!!"), Err(SlugError::Empty));
    let long = Slug::from_name(&"ab ".repeat(60)).unwrap();
    assert!(long.as_str().len() <= MAX_SLUG_LEN && !long.as_str().ends_with('-'));
}

#[test]
fn clashing_slugs_get_numbered() {
    let base = Slug::from_name("Checkout v2").unwrap();
    let taken = ["checkout-v2", "checkout-v2-2"];
    let free = Slug::first_free(&base, |s| taken.contains(&s));
    assert_eq!(free.as_str(), "checkout-v2-3");
    assert_eq!(Slug::first_free(&base, |_| false), base);
}

#[test]
fn launch_refs_are_ids_or_slugs() {
    assert_eq!(LaunchRef::parse("12"), Ok(LaunchRef::Id(LaunchId(12))));
    assert_eq!(
        LaunchRef::parse("Checkout-V2"),
        Ok(LaunchRef::Slug(Slug::parse("checkout-v2").unwrap()))
    );
    assert!(LaunchRef::parse("no spaces").is_err());
    assert!(LaunchRef::parse("").is_err());
}

#[test]
fn tiers_parse_from_what_people_type() {
    assert_eq!(Tier::parse("1"), Ok(Tier::One));
    assert_eq!(Tier::parse("tier2"), Ok(Tier::Two));
    assert_eq!(Tier::parse("T3"), Ok(Tier::Three));
    assert!(Tier::parse("4").is_err());
    assert!(Tier::parse("").is_err());
}

fn sample_launch() -> Launch {
    Launch {
        id: LaunchId(1),
        slug: Slug::parse("x").unwrap(),
        name: "X".into(),
        tier: Tier::One,
        launch_date: date("2026-12-10"),
        lead: None,
        key_messages: String::new(),
        channel_notes: String::new(),
        state: LaunchState::Planned,
        version: 1,
    }
}

#[test]
fn t_minus_counts_days_to_launch() {
    let launch = sample_launch();
    assert_eq!(launch.t_minus(date("2026-11-28")), "T-12");
    assert_eq!(launch.t_minus(date("2026-12-10")), "T-0");
    assert_eq!(launch.t_minus(date("2026-12-13")), "T+3");
}

fn ctx() -> ChangeContext {
    use crate::history::{Actor, ChangeSource};
    ChangeContext::new(
        Actor::User(SlackUserId::parse("U0LEAD").unwrap()),
        ChangeSource::Command,
        "2026-11-23T10:00:00Z".parse().unwrap(),
    )
}

fn relative_task(id: i64, due: &str, offset: i64) -> Task {
    use crate::{FunctionName, TaskId, TaskStatus};
    Task {
        id: TaskId(id),
        launch_id: LaunchId(1),
        function: FunctionName::parse("sales").unwrap(),
        title: "Battlecard".into(),
        owner: None,
        due_date: date(due),
        due_offset_days: Some(offset),
        status: TaskStatus::Todo,
        status_changed_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        snoozed_until: None,
        blocked_by: None,
        version: 1,
    }
}

#[test]
fn moving_a_launch_moves_its_relative_tasks_and_records_both() {
    let launch = sample_launch();
    let tasks = [relative_task(7, "2026-11-26", -14)];
    let edit = LaunchEdit {
        launch_date: Some(NewLaunchDate::On(date("2026-12-17"))),
        ..LaunchEdit::default()
    };
    let change = launch
        .edit(edit, &tasks, date("2026-11-23"), &calendar(), &ctx())
        .unwrap();
    assert_eq!(change.launch.launch_date, date("2026-12-17"));
    assert_eq!(change.moves.len(), 1);
    assert_eq!(change.moves[0].to, date("2026-12-03"));
    let fields: Vec<_> = change.history.iter().map(|h| h.field).collect();
    assert_eq!(fields, vec![ChangeField::LaunchDate, ChangeField::Due]);
}

fn calendar() -> crate::WorkCalendar {
    crate::WorkCalendar::weekdays(chrono_tz::UTC)
}

#[test]
fn a_relative_move_counts_from_the_current_launch_date_not_today() {
    // Launch on Thursday 10 December; today is Monday 23 November.
    let launch = sample_launch();
    let later = |shift| LaunchEdit {
        launch_date: Some(NewLaunchDate::Shift(shift)),
        ..LaunchEdit::default()
    };
    let change = launch
        .edit(later(7), &[], date("2026-11-23"), &calendar(), &ctx())
        .unwrap();
    assert_eq!(
        change.launch.launch_date,
        date("2026-12-17"),
        "+1w: a week after the 10th"
    );
    let change = launch
        .edit(later(-2), &[], date("2026-11-23"), &calendar(), &ctx())
        .unwrap();
    assert_eq!(change.launch.launch_date, date("2026-12-08"));
    // Two weeks earlier would be 26 November, past by 1 December: refused.
    assert!(matches!(
        launch.edit(later(-14), &[], date("2026-12-01"), &calendar(), &ctx()),
        Err(LaunchEditError::Draft(LaunchDraftError::DateInPast { .. }))
    ));
}

#[test]
fn moving_a_launch_leaves_done_tasks_and_weekends_alone() {
    use crate::TaskStatus;
    let launch = sample_launch();
    let done = Task {
        status: TaskStatus::Done,
        ..relative_task(8, "2026-12-03", -7)
    };
    let tasks = [relative_task(7, "2026-12-05", -5), done];
    // Thursday 10 December moves to Thursday 17th: T-5 is Saturday 12th, so Friday 11th.
    let edit = LaunchEdit {
        launch_date: Some(NewLaunchDate::On(date("2026-12-17"))),
        ..LaunchEdit::default()
    };
    let change = launch
        .edit(edit, &tasks, date("2026-11-23"), &calendar(), &ctx())
        .unwrap();
    assert_eq!(change.moves.len(), 1, "the done task stays where it was");
    assert_eq!(change.moves[0].task, crate::TaskId(7));
    assert_eq!(change.moves[0].to, date("2026-12-11"));
    assert_eq!(change.moves[0].landed, Some(date("2026-12-12")));
}

#[test]
fn launch_edits_validate_and_keep_the_slug() {
    let launch = sample_launch();
    let today = date("2026-11-23");
    let rename = LaunchEdit {
        name: Some("  Checkout Three ".into()),
        tier: Some(Tier::Two),
        ..LaunchEdit::default()
    };
    let change = launch.edit(rename, &[], today, &calendar(), &ctx()).unwrap();
    assert_eq!(change.launch.name, "Checkout Three");
    assert_eq!(change.launch.slug, launch.slug);
    assert_eq!(change.launch.tier, Tier::Two);
    assert_eq!(change.history.len(), 2);

    let past = LaunchEdit {
        launch_date: Some(NewLaunchDate::On(date("2026-11-01"))),
        ..LaunchEdit::default()
    };
    assert!(matches!(
        launch.edit(past, &[], today, &calendar(), &ctx()),
        Err(LaunchEditError::Draft(LaunchDraftError::DateInPast { .. }))
    ));
    assert_eq!(
        launch.edit(LaunchEdit::default(), &[], today, &calendar(), &ctx()),
        Err(LaunchEditError::NothingToChange)
    );
    let blank = LaunchEdit {
        name: Some(" ".into()),
        ..LaunchEdit::default()
    };
    assert!(launch.edit(blank, &[], today, &calendar(), &ctx()).is_err());
}

#[test]
fn launches_are_counted_per_lead_without_archived_ones() {
    let lead = SlackUserId::parse("U0LEAD").unwrap();
    let mut launches = vec![sample_launch(), sample_launch(), sample_launch(), sample_launch()];
    launches[0].lead = Some(lead.clone());
    launches[1].lead = Some(lead.clone());
    launches[2].lead = Some(lead.clone());
    launches[2].state = LaunchState::Archived;
    assert_eq!(
        launches_per_lead(&launches),
        std::collections::BTreeMap::from([(lead, 2)])
    );
}

#[test]
fn drafts_are_checked_against_today() {
    let draft = LaunchDraft {
        name: "Checkout v2".into(),
        tier: Tier::One,
        launch_date: date("2026-12-10"),
        lead: None,
    };
    assert_eq!(draft.validate(date("2026-11-23")).unwrap().as_str(), "checkout-v2");
    assert!(matches!(
        draft.validate(date("2026-12-11")),
        Err(LaunchDraftError::DateInPast { .. })
    ));
    let unnamed = LaunchDraft {
        name: "   ".into(),
        ..draft.clone()
    };
    assert_eq!(unnamed.validate(date("2026-11-23")), Err(LaunchDraftError::EmptyName));
}

#[test]
fn metrics_are_met_at_or_above_target() {
    let mut metric = SuccessMetric {
        name: "activation".into(),
        target: 25.0,
        direction: TargetDirection::AtLeast,
        unit: "%".into(),
        review_offset_days: 30,
        actual: None,
    };
    assert_eq!(metric.met(), None);
    metric.actual = Some(25.0);
    assert_eq!(metric.met(), Some(true));
    metric.actual = Some(24.9);
    assert_eq!(metric.met(), Some(false));
}

#[test]
fn support_tickets_under_50_are_met_by_fewer_tickets_not_more() {
    let tickets = |direction, actual| SuccessMetric {
        name: "support tickets".into(),
        target: 50.0,
        direction,
        unit: String::new(),
        review_offset_days: 30,
        actual: Some(actual),
    };
    assert_eq!(tickets(TargetDirection::LessThan, 40.0).met(), Some(true));
    assert_eq!(
        tickets(TargetDirection::LessThan, 50.0).met(),
        Some(false),
        "under 50 means 49 at most"
    );
    assert_eq!(tickets(TargetDirection::LessThan, 62.0).met(), Some(false));
    assert_eq!(tickets(TargetDirection::AtMost, 50.0).met(), Some(true));
    assert_eq!(tickets(TargetDirection::MoreThan, 50.0).met(), Some(false));
    assert_eq!(tickets(TargetDirection::MoreThan, 51.0).met(), Some(true));
}

#[test]
fn a_target_says_its_direction_in_front_of_the_number() {
    assert_eq!(TargetDirection::split("<50"), (TargetDirection::LessThan, "50"));
    assert_eq!(TargetDirection::split("<= 50"), (TargetDirection::AtMost, "50"));
    assert_eq!(TargetDirection::split("≤50"), (TargetDirection::AtMost, "50"));
    assert_eq!(TargetDirection::split(">1k"), (TargetDirection::MoreThan, "1k"));
    assert_eq!(TargetDirection::split(">=1000"), (TargetDirection::AtLeast, "1000"));
    assert_eq!(TargetDirection::split("$2M"), (TargetDirection::AtLeast, "$2M"));
    for direction in [
        TargetDirection::AtLeast,
        TargetDirection::MoreThan,
        TargetDirection::LessThan,
        TargetDirection::AtMost,
    ] {
        assert_eq!(TargetDirection::from_stored(direction.as_str()), Some(direction));
    }
    assert_eq!(TargetDirection::from_stored("sideways"), None);
}
