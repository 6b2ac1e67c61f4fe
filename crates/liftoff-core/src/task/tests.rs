//! Unit tests of tasks: statuses, due dates, drafts, edits and rescheduling. Kept together in
//! their own file because they share builders (`task`, `ctx`) across all the task files.

use crate::history::{ChangeContext, ChangeField};

use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn task(id: i64, due: &str, offset: Option<i64>, status: TaskStatus) -> Task {
    Task {
        id: TaskId(id),
        launch_id: LaunchId(1),
        function: FunctionName::parse("marketing").unwrap(),
        title: format!("task {id}"),
        owner: None,
        due_date: date(due),
        due_offset_days: offset,
        status,
        status_changed_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        snoozed_until: None,
        blocked_by: None,
        version: 1,
    }
}

/// Monday to Friday, with Wednesday 9 December 2026 a holiday.
fn cal() -> crate::WorkCalendar {
    use chrono::Weekday::*;
    crate::WorkCalendar::new(chrono_tz::UTC, &[Mon, Tue, Wed, Thu, Fri], [date("2026-12-09")])
}

fn ctx(at: &str) -> ChangeContext {
    use crate::history::{Actor, ChangeSource};
    ChangeContext::new(
        Actor::User(SlackUserId::parse("U0OWNER").unwrap()),
        ChangeSource::Thread,
        at.parse().unwrap(),
    )
}

#[test]
fn status_edits_record_history_and_restart_the_clock_on_a_new_kind() {
    let original = task(5, "2026-11-26", Some(-14), TaskStatus::OnTrack);
    let ctx = ctx("2026-11-20T10:00:00Z");
    let blocked = TaskStatus::blocked("legal review").unwrap();
    let (next, entry) = original
        .edit(
            TaskEdit::Status(blocked.clone()),
            date("2026-12-10"),
            &cal(),
            &ctx,
            Some(" waiting "),
        )
        .unwrap();
    assert_eq!(next.status, blocked);
    assert_eq!(next.status_changed_at, ctx.at);
    assert_eq!(entry.field, ChangeField::Status);
    assert_eq!(entry.from.as_deref(), Some("on track"));
    assert_eq!(entry.to.as_deref(), Some("blocked: legal review"));
    assert_eq!(entry.note.as_deref(), Some("waiting"));
    assert_eq!(entry.task_id, Some(TaskId(5)));

    let later = ctx_at_later(&ctx);
    let other_reason = TaskStatus::blocked("vendor").unwrap();
    let (again, _) = next
        .edit(TaskEdit::Status(other_reason), date("2026-12-10"), &cal(), &later, None)
        .unwrap();
    assert_eq!(again.status_changed_at, ctx.at, "still blocked since the first block");
}

fn ctx_at_later(ctx: &ChangeContext) -> ChangeContext {
    ChangeContext {
        at: ctx.at + chrono::Duration::hours(5),
        ..ctx.clone()
    }
}

#[test]
fn due_edits_resolve_against_the_launch_and_pin_or_float() {
    let original = task(5, "2026-11-26", Some(-14), TaskStatus::Todo);
    let ctx = ctx("2026-11-20T10:00:00Z");
    let (pinned, entry) = original
        .edit(
            TaskEdit::Due(DueDate::On(date("2026-12-04"))),
            date("2026-12-10"),
            &cal(),
            &ctx,
            None,
        )
        .unwrap();
    assert_eq!(pinned.due_date, date("2026-12-04"));
    assert_eq!(pinned.due_offset_days, None);
    assert_eq!(entry.from.as_deref(), Some("2026-11-26 (T-14)"));
    assert_eq!(entry.to.as_deref(), Some("2026-12-04"));
    let (floating, _) = pinned
        .edit(
            TaskEdit::Due(DueDate::Relative(-7)),
            date("2026-12-10"),
            &cal(),
            &ctx,
            None,
        )
        .unwrap();
    assert_eq!(floating.due_date, date("2026-12-03"));
    assert_eq!(floating.due_offset_days, Some(-7));
}

#[test]
fn title_and_owner_edits_are_validated_and_recorded() {
    let original = task(5, "2026-11-26", None, TaskStatus::Todo);
    let ctx = ctx("2026-11-20T10:00:00Z");
    assert_eq!(
        original.edit(TaskEdit::Title("  ".into()), date("2026-12-10"), &cal(), &ctx, None),
        Err(TaskDraftError::EmptyTitle)
    );
    let owner = SlackUserId::parse("U0NEW").unwrap();
    let (next, entry) = original
        .edit(
            TaskEdit::Owner(Some(owner.clone())),
            date("2026-12-10"),
            &cal(),
            &ctx,
            None,
        )
        .unwrap();
    assert_eq!(next.owner, Some(owner));
    assert_eq!(entry.from.as_deref(), Some("nobody"));
    // The id, not Slack markup: how to show a person is the renderers' business.
    assert_eq!(entry.to.as_deref(), Some("U0NEW"));
}

#[test]
fn relative_due_dates_parse_and_print() {
    let check = |input: &str, expected: i64, printed: &str| {
        let due = DueDate::parse_relative(input).unwrap();
        assert_eq!(due, DueDate::Relative(expected), "{input}");
        assert_eq!(due.to_string(), printed);
    };
    check("T-14", -14, "T-14");
    check("t+7", 7, "T+7");
    check("T-0", 0, "T+0");
    check("T+0", 0, "T+0");
    for bad in ["T14", "T-", "T--1", "T-1x", "-14", "T+99999", "", "T- 3"] {
        assert!(DueDate::parse_relative(bad).is_err(), "{bad}");
    }
    assert!(matches!(DueDate::parse_relative("T-400"), Err(DueDateError::TooFar(_))));
}

#[test]
fn relative_due_dates_resolve_against_launch_day() {
    let launch = date("2026-12-10");
    let on = |due: DueDate| due.resolve(launch, &cal()).map(|r| r.date);
    assert_eq!(on(DueDate::Relative(-14)), Ok(date("2026-11-26")));
    assert_eq!(on(DueDate::Relative(7)), Ok(date("2026-12-17")));
    assert_eq!(on(DueDate::On(date("2026-12-01"))), Ok(date("2026-12-01")));
    assert!(DueDate::Relative(-1).resolve(NaiveDate::MIN, &cal()).is_err());
}

#[test]
fn a_relative_date_on_a_weekend_or_holiday_is_due_the_working_day_before_and_says_so() {
    // Launch on Thursday 17 December: T-5 is Saturday 12th, T-8 the holiday on Wednesday 9th.
    let launch = date("2026-12-17");
    assert_eq!(
        DueDate::Relative(-5).resolve(launch, &cal()),
        Ok(ResolvedDue {
            date: date("2026-12-11"),
            note: Some(DueNote::MovedToWorkingDay {
                offset: -5,
                landed: date("2026-12-12")
            }),
        })
    );
    assert_eq!(
        DueDate::Relative(-8).resolve(launch, &cal()).map(|r| r.date),
        Ok(date("2026-12-08"))
    );
    assert_eq!(DueDate::Relative(-7).resolve(launch, &cal()).map(|r| r.note), Ok(None));
}

#[test]
fn a_date_typed_for_a_weekend_is_kept_with_a_warning() {
    let saturday = date("2026-12-12");
    assert_eq!(
        DueDate::On(saturday).resolve(date("2026-12-17"), &cal()),
        Ok(ResolvedDue {
            date: saturday,
            note: Some(DueNote::NonWorkingDay(saturday)),
        })
    );
}

#[test]
fn blocked_needs_a_reason() {
    assert_eq!(TaskStatus::blocked("  "), Err(StatusError::MissingReason));
    assert_eq!(
        TaskStatus::blocked(" waiting on legal ").unwrap().reason(),
        Some("waiting on legal")
    );
    assert!(TaskStatus::blocked(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
}

#[test]
fn statuses_round_trip_through_storage() {
    let statuses = [
        TaskStatus::Todo,
        TaskStatus::OnTrack,
        TaskStatus::AtRisk,
        TaskStatus::blocked("legal").unwrap(),
        TaskStatus::Done,
    ];
    for status in statuses {
        let stored = status.kind().as_str();
        let back = TaskStatus::from_stored(stored, status.reason().map(str::to_owned)).unwrap();
        assert_eq!(back, status);
    }
    assert!(TaskStatus::from_stored("lost", None).is_err());
}

#[test]
fn drafts_default_to_launch_day() {
    let draft = TaskDraft {
        launch_id: LaunchId(1),
        function: FunctionName::parse("sales").unwrap(),
        title: "  Battlecard ".into(),
        owner: None,
        due: None,
    };
    let new = draft.clone().validate(date("2026-12-10"), &cal()).unwrap();
    assert_eq!(new.title, "Battlecard");
    assert_eq!(new.due_date, date("2026-12-10"));
    assert_eq!(new.due_offset_days, Some(0));
    let untitled = TaskDraft {
        title: " ".into(),
        ..draft
    };
    assert_eq!(
        untitled.validate(date("2026-12-10"), &cal()),
        Err(TaskDraftError::EmptyTitle)
    );
}

#[test]
fn rescheduling_moves_only_open_relative_tasks_and_flags_the_past() {
    let tasks = [
        task(1, "2026-11-26", Some(-14), TaskStatus::Todo),
        task(2, "2026-12-01", None, TaskStatus::Todo),
        task(3, "2026-12-09", Some(-1), TaskStatus::Done),
        task(4, "2026-12-08", Some(-2), TaskStatus::AtRisk),
    ];
    let today = date("2026-11-23");
    let moves = reschedule(&tasks, date("2026-12-03"), today, &cal()).unwrap();
    assert_eq!(
        moves,
        vec![
            DueDateMove {
                task: TaskId(1),
                offset: -14,
                from: date("2026-11-26"),
                to: date("2026-11-19"),
                landed: None,
                now_in_past: true,
            },
            DueDateMove {
                task: TaskId(4),
                offset: -2,
                from: date("2026-12-08"),
                to: date("2026-12-01"),
                landed: None,
                now_in_past: false,
            },
        ],
        "the pinned task and the done task stay"
    );
}

#[test]
fn overdue_means_open_and_past_due() {
    let today = date("2026-11-27");
    assert!(task(1, "2026-11-26", None, TaskStatus::OnTrack).is_overdue(today));
    assert!(!task(1, "2026-11-27", None, TaskStatus::OnTrack).is_overdue(today));
    assert!(!task(1, "2026-11-26", None, TaskStatus::Done).is_overdue(today));
}
