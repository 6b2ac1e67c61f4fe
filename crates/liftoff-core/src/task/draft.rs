//! New tasks: what a person asked for when adding a task, validated into a [`NewTask`] ready to
//! store, and the title rule that edits share. Separate from `edit` because a draft has no
//! history yet and defaults its due date to launch day.

use chrono::{DateTime, NaiveDate, Utc};

use super::due::{DueDate, DueDateError};
use super::{Task, TaskStatus};
use crate::calendar::WorkCalendar;
use crate::function::FunctionName;
use crate::ids::{LaunchId, SlackUserId, TaskId};

pub(super) fn validate_title(title: &str) -> Result<String, TaskDraftError> {
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
    /// The task to store for a launch on `launch_date`; its due date is resolved on `calendar`
    /// (see [`DueDate::resolve`]).
    pub fn validate(self, launch_date: NaiveDate, calendar: &WorkCalendar) -> Result<NewTask, TaskDraftError> {
        let title = validate_title(&self.title)?;
        let due = self.due.unwrap_or(DueDate::Relative(0));
        Ok(NewTask {
            launch_id: self.launch_id,
            function: self.function,
            title,
            owner: self.owner,
            due_date: due.resolve(launch_date, calendar)?.date,
            due_offset_days: due.offset_days(),
        })
    }
}

impl NewTask {
    /// This task as it reads once stored with `id` at `at`: to do, first version, unsnoozed.
    /// Lets what names a new task (its owner's DM, whose buttons carry the id) be drawn up
    /// before the write, so the task and its messages are stored together in one statement.
    /// `at` is kept to the millisecond, as stored.
    pub fn stored_as(&self, id: TaskId, at: DateTime<Utc>) -> Task {
        let at = DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at);
        Task {
            id,
            launch_id: self.launch_id,
            function: self.function.clone(),
            title: self.title.clone(),
            owner: self.owner.clone(),
            due_date: self.due_date,
            due_offset_days: self.due_offset_days,
            status: TaskStatus::Todo,
            status_changed_at: at,
            snoozed_until: None,
            blocked_by: None,
            version: 1,
        }
    }
}
