//! Tasks: one function's piece of a launch, with an owner, a due date and a status.
//!
//! This file holds the stored [`Task`] and re-exports the rest, so every path stays
//! `crate::task::…`. Each concern has its own file:
//! - `status`: where a task stands ([`TaskStatus`]) and why it is blocked;
//! - `due`: when it is due ([`DueDate`]) and how due dates move with their launch;
//! - `raci`: the RACI roles beyond the owner;
//! - `draft`: a new task as someone asked for it, validated;
//! - `edit`: a change to an existing task and the history it leaves;
//! - `permission`: who may change a task.

/// Longest snooze, in working days: past that it is not a snooze but a new due date. The
/// command and the date picker keep to the same cap.
pub const MAX_SNOOZE_WORKING_DAYS: u32 = 10;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::function::FunctionName;
use super::ids::{LaunchId, SlackUserId, TaskId};

mod draft;
mod due;
mod edit;
pub mod permission;
mod raci;
mod status;

#[cfg(test)]
mod tests;

pub use draft::{MAX_TASK_TITLE_CHARS, NewTask, TaskDraft, TaskDraftError};
pub use due::{DueDate, DueDateError, DueDateMove, DueNote, MAX_RELATIVE_DAYS, ResolvedDue, reschedule};
pub use edit::TaskEdit;
pub use raci::{RaciRole, RoleAssignment, roles_summary};
pub use status::{MAX_REASON_CHARS, ReasonProblem, StatusError, StatusKind, TaskStatus, written_reason};

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
