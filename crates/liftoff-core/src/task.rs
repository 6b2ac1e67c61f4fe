//! Tasks: one function's piece of a launch, with an owner, a due date and a status.

/// Longest snooze, in working days: past that it is not a snooze but a new due date. The
/// command and the date picker keep to the same cap.
pub const MAX_SNOOZE_WORKING_DAYS: u32 = 10;

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::function::FunctionName;
use super::history::{ChangeContext, ChangeField, HistoryEntry};
use super::ids::{LaunchId, SlackUserId, TaskId};

/// Where a task stands, as its owner reports it. `Blocked` always carries its reason: a PMO
/// can only unblock what it understands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskStatus {
    Todo,
    OnTrack,
    AtRisk,
    Blocked { reason: String },
    Done,
}

/// The stored spelling of a status, without its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusKind {
    Todo,
    OnTrack,
    AtRisk,
    Blocked,
    Done,
}

impl StatusKind {
    pub const ALL: [StatusKind; 5] = [
        StatusKind::Todo,
        StatusKind::OnTrack,
        StatusKind::AtRisk,
        StatusKind::Blocked,
        StatusKind::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Todo => "todo",
            StatusKind::OnTrack => "on_track",
            StatusKind::AtRisk => "at_risk",
            StatusKind::Blocked => "blocked",
            StatusKind::Done => "done",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        StatusKind::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }

    /// How people read it in Slack.
    pub fn label(self) -> &'static str {
        match self {
            StatusKind::Todo => "to do",
            StatusKind::OnTrack => "on track",
            StatusKind::AtRisk => "at risk",
            StatusKind::Blocked => "blocked",
            StatusKind::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("a blocked task needs a reason, so the right person can unblock it")]
    MissingReason,
    #[error("a blocker reason is {0} characters long; keep it to {MAX_REASON_CHARS}")]
    ReasonTooLong(usize),
    #[error("stored status `{0}` is unknown")]
    UnknownStored(String),
}

/// Longest reason kept (why a task is blocked, why a function says no-go); reasons are shown
/// in check-ins, escalations and go/no-go results.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a written reason is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonProblem {
    Missing,
    /// This many characters, over [`MAX_REASON_CHARS`].
    TooLong(usize),
}

/// What a person wrote as a reason, trimmed, unless it is empty or too long.
pub fn written_reason(text: &str) -> Result<&str, ReasonProblem> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err(ReasonProblem::Missing);
    }
    let chars = reason.chars().count();
    if chars > MAX_REASON_CHARS {
        return Err(ReasonProblem::TooLong(chars));
    }
    Ok(reason)
}

impl TaskStatus {
    /// Builds `Blocked` from what a person wrote, refusing an empty reason.
    pub fn blocked(reason: &str) -> Result<Self, StatusError> {
        let reason = written_reason(reason).map_err(|problem| match problem {
            ReasonProblem::Missing => StatusError::MissingReason,
            ReasonProblem::TooLong(chars) => StatusError::ReasonTooLong(chars),
        })?;
        Ok(TaskStatus::Blocked {
            reason: reason.to_owned(),
        })
    }

    pub fn kind(&self) -> StatusKind {
        match self {
            TaskStatus::Todo => StatusKind::Todo,
            TaskStatus::OnTrack => StatusKind::OnTrack,
            TaskStatus::AtRisk => StatusKind::AtRisk,
            TaskStatus::Blocked { .. } => StatusKind::Blocked,
            TaskStatus::Done => StatusKind::Done,
        }
    }

    /// Reassembles a status from its stored kind and reason.
    pub fn from_stored(kind: &str, reason: Option<String>) -> Result<Self, StatusError> {
        match StatusKind::parse(kind) {
            Some(StatusKind::Todo) => Ok(TaskStatus::Todo),
            Some(StatusKind::OnTrack) => Ok(TaskStatus::OnTrack),
            Some(StatusKind::AtRisk) => Ok(TaskStatus::AtRisk),
            Some(StatusKind::Blocked) => Ok(TaskStatus::Blocked {
                reason: reason.unwrap_or_default(),
            }),
            Some(StatusKind::Done) => Ok(TaskStatus::Done),
            None => Err(StatusError::UnknownStored(kind.to_owned())),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            TaskStatus::Blocked { reason } => Some(reason),
            _ => None,
        }
    }

    /// Open tasks are the ones Liftoff chases.
    pub fn is_open(&self) -> bool {
        !matches!(self, TaskStatus::Done)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskStatus::Blocked { reason } => write!(f, "blocked: {reason}"),
            other => f.write_str(other.kind().label()),
        }
    }
}

/// When a task is due: on a fixed date, or a number of days from launch day (`T-14`, `T+7`).
/// Relative due dates move with the launch, which is how PMMs plan: "battlecard two weeks out".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DueDate {
    On(NaiveDate),
    /// Days relative to launch day: negative before, positive after.
    Relative(i64),
}

/// Furthest a relative due date may sit from launch day; a year either way is already generous.
pub const MAX_RELATIVE_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DueDateError {
    #[error("`{0}` is not a launch-relative date: use T-14, T+7 or T-0")]
    Invalid(String),
    #[error("`{0}` is more than {MAX_RELATIVE_DAYS} days from launch day")]
    TooFar(String),
    #[error("a due date {0} days from launch day falls outside the calendar")]
    OutOfRange(i64),
}

impl DueDate {
    /// Parses the relative form `T-N` / `T+N` (case-insensitive). Absolute dates and words like
    /// `tomorrow` are the command parser's job, since they depend on who is asking and when.
    pub fn parse_relative(input: &str) -> Result<Self, DueDateError> {
        let trimmed = input.trim();
        let rest = trimmed
            .strip_prefix('T')
            .or_else(|| trimmed.strip_prefix('t'))
            .ok_or_else(|| DueDateError::Invalid(input.to_owned()))?;
        let (sign, digits) = match rest.as_bytes().first() {
            Some(b'-') => (-1, &rest[1..]),
            Some(b'+') => (1, &rest[1..]),
            _ => return Err(DueDateError::Invalid(input.to_owned())),
        };
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DueDateError::Invalid(input.to_owned()));
        }
        let days: i64 = digits.parse().map_err(|_| DueDateError::Invalid(input.to_owned()))?;
        if days > MAX_RELATIVE_DAYS {
            return Err(DueDateError::TooFar(input.to_owned()));
        }
        Ok(DueDate::Relative(sign * days))
    }

    /// The calendar date this resolves to for a launch on `launch_date`.
    pub fn resolve(self, launch_date: NaiveDate) -> Result<NaiveDate, DueDateError> {
        match self {
            DueDate::On(date) => Ok(date),
            DueDate::Relative(offset) => {
                let magnitude = Days::new(offset.unsigned_abs());
                let shifted = if offset >= 0 {
                    launch_date.checked_add_days(magnitude)
                } else {
                    launch_date.checked_sub_days(magnitude)
                };
                shifted.ok_or(DueDateError::OutOfRange(offset))
            }
        }
    }

    /// The offset stored beside the resolved date, so tasks can move with their launch.
    pub fn offset_days(self) -> Option<i64> {
        match self {
            DueDate::On(_) => None,
            DueDate::Relative(days) => Some(days),
        }
    }
}

impl fmt::Display for DueDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DueDate::On(date) => write!(f, "{date}"),
            DueDate::Relative(days) if *days < 0 => write!(f, "T{days}"),
            DueDate::Relative(days) => write!(f, "T+{days}"),
        }
    }
}

/// The optional RACI roles beyond the owner (who is Responsible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RaciRole {
    Accountable,
    Consulted,
    Informed,
}

impl RaciRole {
    pub const ALL: [RaciRole; 3] = [RaciRole::Accountable, RaciRole::Consulted, RaciRole::Informed];

    pub fn as_str(self) -> &'static str {
        match self {
            RaciRole::Accountable => "accountable",
            RaciRole::Consulted => "consulted",
            RaciRole::Informed => "informed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        RaciRole::ALL.into_iter().find(|role| role.as_str() == input)
    }
}

/// A person in a RACI role on a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub role: RaciRole,
    pub user: SlackUserId,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub launch_id: LaunchId,
    pub function: FunctionName,
    pub title: String,
    pub owner: Option<SlackUserId>,
    /// The resolved calendar date, kept even for relative tasks so sweeps can use an index.
    pub due_date: NaiveDate,
    /// `Some(n)` for tasks due `T±n`: they move when the launch date moves.
    pub due_offset_days: Option<i64>,
    pub status: TaskStatus,
    /// When the status last changed kind (e.g. became blocked): "blocked for 2 working days"
    /// is measured from here.
    pub status_changed_at: DateTime<Utc>,
    /// Nudges and escalations leave the task alone through this date.
    pub snoozed_until: Option<NaiveDate>,
    /// While blocked: the task it waits for, if someone said so (`block T12 by T7 …`).
    pub blocked_by: Option<TaskId>,
    pub version: i64,
}

impl Task {
    pub fn due(&self) -> DueDate {
        match self.due_offset_days {
            Some(days) => DueDate::Relative(days),
            None => DueDate::On(self.due_date),
        }
    }

    /// Overdue means open and past its due date on `today` (the owner's local date).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_date < today
    }
}

/// A change someone asks for on an existing task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEdit {
    Status(TaskStatus),
    Owner(Option<SlackUserId>),
    Due(DueDate),
    Title(String),
    /// Hold nudges and escalations until this date.
    Snooze(NaiveDate),
    /// Blocked (the status carries the reason), waiting on another task.
    BlockedBy(TaskStatus, TaskId),
}

impl Task {
    /// Applies `edit` made in `ctx` and returns the task as it should be stored, with the
    /// history entry that records it. Re-stating the same status is kept as an answer (a check-in
    /// reply of "still on track" matters), but does not restart the status clock.
    pub fn edit(
        &self,
        edit: TaskEdit,
        launch_date: NaiveDate,
        ctx: &ChangeContext,
        note: Option<&str>,
    ) -> Result<(Task, HistoryEntry), TaskDraftError> {
        let mut next = self.clone();
        let (field, from, to) = match edit {
            TaskEdit::Status(status) => {
                if status.kind() != self.status.kind() {
                    next.status_changed_at = ctx.at;
                }
                if status.kind() != StatusKind::Blocked {
                    next.blocked_by = None;
                }
                next.status = status;
                (ChangeField::Status, self.status.to_string(), next.status.to_string())
            }
            TaskEdit::Owner(owner) => {
                next.owner = owner;
                let show =
                    |owner: &Option<SlackUserId>| owner.as_ref().map_or("nobody".to_owned(), SlackUserId::mention);
                (ChangeField::Owner, show(&self.owner), show(&next.owner))
            }
            TaskEdit::Due(due) => {
                next.due_date = due.resolve(launch_date)?;
                next.due_offset_days = due.offset_days();
                (ChangeField::Due, describe_due(self), describe_due(&next))
            }
            TaskEdit::Title(title) => {
                next.title = validate_title(&title)?;
                (ChangeField::Title, self.title.clone(), next.title.clone())
            }
            TaskEdit::BlockedBy(status, by) => {
                if status.kind() != self.status.kind() {
                    next.status_changed_at = ctx.at;
                }
                next.status = status;
                next.blocked_by = Some(by);
                (
                    ChangeField::Status,
                    self.status.to_string(),
                    format!("{} (waiting on {by})", next.status),
                )
            }
            TaskEdit::Snooze(until) => {
                next.snoozed_until = Some(until);
                let show = |d: Option<NaiveDate>| d.map_or("not snoozed".to_owned(), |d| format!("until {d}"));
                (ChangeField::Snooze, show(self.snoozed_until), show(next.snoozed_until))
            }
        };
        let mut entry = ctx.entry(self.launch_id, Some(self.id), field, Some(from), Some(to));
        entry.note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        Ok((next, entry))
    }
}

/// `2026-11-26 (T-14)` for relative tasks, the date alone for pinned ones.
fn describe_due(task: &Task) -> String {
    match task.due_offset_days {
        Some(_) => format!("{} ({})", task.due_date, task.due()),
        None => task.due_date.to_string(),
    }
}

fn validate_title(title: &str) -> Result<String, TaskDraftError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(TaskDraftError::EmptyTitle);
    }
    let chars = title.chars().count();
    if chars > MAX_TASK_TITLE_CHARS {
        return Err(TaskDraftError::TitleTooLong(chars));
    }
    Ok(title.to_owned())
}

/// Longest task title accepted; titles appear on one line of a check-in.
pub const MAX_TASK_TITLE_CHARS: usize = 200;

/// What a person asked for when adding a task to a launch.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDraft {
    pub launch_id: LaunchId,
    pub function: FunctionName,
    pub title: String,
    pub owner: Option<SlackUserId>,
    /// Defaults to launch day (`T-0`) when the person gives none.
    pub due: Option<DueDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskDraftError {
    #[error("the task needs a title")]
    EmptyTitle,
    #[error("the task title is {0} characters long; keep it to {MAX_TASK_TITLE_CHARS}")]
    TitleTooLong(usize),
    #[error(transparent)]
    Due(#[from] DueDateError),
}

/// A validated task ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub launch_id: LaunchId,
    pub function: FunctionName,
    pub title: String,
    pub owner: Option<SlackUserId>,
    pub due_date: NaiveDate,
    pub due_offset_days: Option<i64>,
}

impl TaskDraft {
    pub fn validate(self, launch_date: NaiveDate) -> Result<NewTask, TaskDraftError> {
        let title = validate_title(&self.title)?;
        let due = self.due.unwrap_or(DueDate::Relative(0));
        Ok(NewTask {
            launch_id: self.launch_id,
            function: self.function,
            title,
            owner: self.owner,
            due_date: due.resolve(launch_date)?,
            due_offset_days: due.offset_days(),
        })
    }
}

/// A relative task that moves because its launch moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDateMove {
    pub task: TaskId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The new date has already passed: the PMM must look at it now.
    pub now_in_past: bool,
}

/// Which tasks move, and where to, when a launch moves to `new_launch_date`. Tasks with a fixed
/// date stay where they are: someone pinned them deliberately.
pub fn reschedule(
    tasks: &[Task],
    new_launch_date: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<DueDateMove>, DueDateError> {
    let mut moves = Vec::new();
    for task in tasks {
        let Some(offset) = task.due_offset_days else {
            continue;
        };
        let to = DueDate::Relative(offset).resolve(new_launch_date)?;
        if to != task.due_date {
            moves.push(DueDateMove {
                task: task.id,
                from: task.due_date,
                to,
                now_in_past: task.status.is_open() && to < today,
            });
        }
    }
    Ok(moves)
}

#[cfg(test)]
mod tests {
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
            .edit(TaskEdit::Status(other_reason), date("2026-12-10"), &later, None)
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
                &ctx,
                None,
            )
            .unwrap();
        assert_eq!(pinned.due_date, date("2026-12-04"));
        assert_eq!(pinned.due_offset_days, None);
        assert_eq!(entry.from.as_deref(), Some("2026-11-26 (T-14)"));
        assert_eq!(entry.to.as_deref(), Some("2026-12-04"));
        let (floating, _) = pinned
            .edit(TaskEdit::Due(DueDate::Relative(-7)), date("2026-12-10"), &ctx, None)
            .unwrap();
        assert_eq!(floating.due_date, date("2026-12-03"));
        assert_eq!(floating.due_offset_days, Some(-7));
    }

    #[test]
    fn title_and_owner_edits_are_validated_and_recorded() {
        let original = task(5, "2026-11-26", None, TaskStatus::Todo);
        let ctx = ctx("2026-11-20T10:00:00Z");
        assert_eq!(
            original.edit(TaskEdit::Title("  ".into()), date("2026-12-10"), &ctx, None),
            Err(TaskDraftError::EmptyTitle)
        );
        let owner = SlackUserId::parse("U0NEW").unwrap();
        let (next, entry) = original
            .edit(TaskEdit::Owner(Some(owner.clone())), date("2026-12-10"), &ctx, None)
            .unwrap();
        assert_eq!(next.owner, Some(owner));
        assert_eq!(entry.from.as_deref(), Some("nobody"));
        assert_eq!(entry.to.as_deref(), Some("<@U0NEW>"));
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
        assert_eq!(DueDate::Relative(-14).resolve(launch), Ok(date("2026-11-26")));
        assert_eq!(DueDate::Relative(7).resolve(launch), Ok(date("2026-12-17")));
        assert_eq!(DueDate::On(date("2026-12-01")).resolve(launch), Ok(date("2026-12-01")));
        assert!(DueDate::Relative(-1).resolve(NaiveDate::MIN).is_err());
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
        let new = draft.clone().validate(date("2026-12-10")).unwrap();
        assert_eq!(new.title, "Battlecard");
        assert_eq!(new.due_date, date("2026-12-10"));
        assert_eq!(new.due_offset_days, Some(0));
        let untitled = TaskDraft {
            title: " ".into(),
            ..draft
        };
        assert_eq!(untitled.validate(date("2026-12-10")), Err(TaskDraftError::EmptyTitle));
    }

    #[test]
    fn rescheduling_moves_only_relative_tasks_and_flags_the_past() {
        let tasks = [
            task(1, "2026-11-26", Some(-14), TaskStatus::Todo),
            task(2, "2026-12-01", None, TaskStatus::Todo),
            task(3, "2026-12-09", Some(-1), TaskStatus::Done),
        ];
        let today = date("2026-11-23");
        let moves = reschedule(&tasks, date("2026-12-03"), today).unwrap();
        assert_eq!(
            moves,
            vec![
                DueDateMove {
                    task: TaskId(1),
                    from: date("2026-11-26"),
                    to: date("2026-11-19"),
                    now_in_past: true,
                },
                DueDateMove {
                    task: TaskId(3),
                    from: date("2026-12-09"),
                    to: date("2026-12-02"),
                    now_in_past: false,
                },
            ]
        );
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let today = date("2026-11-27");
        assert!(task(1, "2026-11-26", None, TaskStatus::OnTrack).is_overdue(today));
        assert!(!task(1, "2026-11-27", None, TaskStatus::OnTrack).is_overdue(today));
        assert!(!task(1, "2026-11-26", None, TaskStatus::Done).is_overdue(today));
    }
}
