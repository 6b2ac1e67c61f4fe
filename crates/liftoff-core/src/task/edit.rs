//! Task edits: one change to an existing task (status, owner, due date, title, snooze, blocker)
//! applied in one place, returning the task to store and the history entry that records it.
//! Separate because it is where every rule about changing a task meets.

use chrono::NaiveDate;

use super::Task;
use super::draft::{TaskDraftError, validate_title};
use super::due::DueDate;
use super::status::{StatusKind, TaskStatus};
use crate::calendar::WorkCalendar;
use crate::history::{ChangeContext, ChangeField, HistoryEntry};
use crate::ids::{SlackUserId, TaskId};

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
    /// history entry that records it. A new due date is resolved on `calendar`, so a `T-5`
    /// never lands on a weekend or holiday (see [`DueDate::resolve`]). Re-stating the same status is kept as an answer (a check-in
    /// reply of "still on track" matters), but does not restart the status clock.
    pub fn edit(
        &self,
        edit: TaskEdit,
        launch_date: NaiveDate,
        calendar: &WorkCalendar,
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
                // A person is kept as their id: how to show them is the renderers' business.
                let show =
                    |owner: &Option<SlackUserId>| owner.as_ref().map_or("nobody".to_owned(), |o| o.as_str().to_owned());
                (ChangeField::Owner, show(&self.owner), show(&next.owner))
            }
            TaskEdit::Due(due) => {
                next.due_date = due.resolve(launch_date, calendar)?.date;
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
