//! Due dates: fixed or launch-relative (`T-14`), resolved against launch day, and which tasks
//! move when their launch moves. Separate because date arithmetic and rescheduling are a rule
//! of their own, used by drafts, edits and launch moves alike.

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Task;
use crate::calendar::WorkCalendar;
use crate::ids::TaskId;

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

    /// The date this resolves to for a launch on `launch_date`, on the calendar: a `T-5` that
    /// lands on a weekend or a holiday is due the working day before (nobody delivers on a
    /// Saturday, and a day early beats a day late before a launch), while a date someone typed
    /// is kept as typed, with a note so they can be told it is not a working day.
    pub fn resolve(self, launch_date: NaiveDate, calendar: &WorkCalendar) -> Result<ResolvedDue, DueDateError> {
        match self {
            DueDate::On(date) => Ok(ResolvedDue {
                date,
                note: (!calendar.is_working_day(date)).then_some(DueNote::NonWorkingDay(date)),
            }),
            DueDate::Relative(offset) => {
                let landed = self.days_from(launch_date)?;
                let date = calendar.working_day_on_or_before(landed);
                Ok(ResolvedDue {
                    date,
                    note: (date != landed).then_some(DueNote::MovedToWorkingDay { offset, landed }),
                })
            }
        }
    }

    /// The plain calendar date, counting every day: where a relative date lands before the
    /// working week is considered.
    fn days_from(self, launch_date: NaiveDate) -> Result<NaiveDate, DueDateError> {
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

/// A due date on the calendar, and what the person who set it should hear about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedDue {
    pub date: NaiveDate,
    pub note: Option<DueNote>,
}

/// Why a due date is not simply what was asked for, said back to the person who set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueNote {
    /// `T{offset}` lands on `landed`, a weekend day or holiday, so the task is due the working
    /// day before ("T-5 falls on Sat 12 Dec, so it is due Fri 11 Dec").
    MovedToWorkingDay { offset: i64, landed: NaiveDate },
    /// A date typed for a weekend day or holiday: accepted, since the person chose it, but worth
    /// a warning in case they did not mean it.
    NonWorkingDay(NaiveDate),
}

/// A relative task that moves because its launch moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDateMove {
    pub task: TaskId,
    /// Days from launch day (`T-5` is -5): what moved it.
    pub offset: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The non-working day the task's offset lands on after the move, when it was moved to
    /// the working day before (`to`); people are told so.
    pub landed: Option<NaiveDate>,
    /// The new date has already passed: the PMM must look at it now.
    pub now_in_past: bool,
}

/// Which tasks move, and where to, when a launch moves to `new_launch_date`. Tasks with a fixed
/// date stay where they are: someone pinned them deliberately. Done tasks stay too: their date
/// is a record of when the work was due, and moving it would reopen nothing but confusion.
/// Moved dates never land on a weekend or holiday (see [`DueDate::resolve`]).
pub fn reschedule(
    tasks: &[Task],
    new_launch_date: NaiveDate,
    today: NaiveDate,
    calendar: &WorkCalendar,
) -> Result<Vec<DueDateMove>, DueDateError> {
    let mut moves = Vec::new();
    for task in tasks.iter().filter(|task| task.status.is_open()) {
        let Some(offset) = task.due_offset_days else {
            continue;
        };
        let resolved = DueDate::Relative(offset).resolve(new_launch_date, calendar)?;
        if resolved.date != task.due_date {
            moves.push(DueDateMove {
                task: task.id,
                offset,
                from: task.due_date,
                to: resolved.date,
                landed: match resolved.note {
                    Some(DueNote::MovedToWorkingDay { landed, .. }) => Some(landed),
                    _ => None,
                },
                now_in_past: resolved.date < today,
            });
        }
    }
    Ok(moves)
}
