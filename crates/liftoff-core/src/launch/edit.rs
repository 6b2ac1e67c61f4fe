//! Launch edits: renames, new tiers, leads, states and dates applied in one place, with the
//! relative tasks that move with a new date and the history of both. Separate because it is
//! where the rules about changing a launch meet the task rescheduling rules.

use chrono::{Days, NaiveDate};

use super::Launch;
use super::draft::{LaunchDraft, LaunchDraftError};
use super::state::LaunchState;
use super::tier::Tier;
use crate::calendar::WorkCalendar;
use crate::history::{ChangeContext, ChangeField, HistoryEntry};
use crate::ids::SlackUserId;
use crate::task::{DueDateError, DueDateMove, Task, reschedule};

/// The note on the history of a task whose due date moved because its launch moved.
pub const MOVED_WITH_LAUNCH: &str = "moved with the launch";

/// Changes someone asks for on a launch; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchEdit {
    pub name: Option<String>,
    pub tier: Option<Tier>,
    pub launch_date: Option<NewLaunchDate>,
    /// `Some(None)` removes the lead.
    pub lead: Option<Option<SlackUserId>>,
    pub state: Option<LaunchState>,
}

/// Where a launch moves to: a day, or a number of days from its current launch date. A PMM who
/// types `date:+1w` on a slipping launch means "a week later than planned", not "a week from
/// today", so the shift is resolved against the launch, not the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewLaunchDate {
    On(NaiveDate),
    /// Days from the current launch date: negative earlier, positive later.
    Shift(i64),
}

impl NewLaunchDate {
    /// The date this means for a launch currently on `current`.
    pub fn resolve(self, current: NaiveDate) -> Result<NaiveDate, LaunchEditError> {
        match self {
            NewLaunchDate::On(date) => Ok(date),
            NewLaunchDate::Shift(days) => {
                let magnitude = Days::new(days.unsigned_abs());
                let moved = if days >= 0 {
                    current.checked_add_days(magnitude)
                } else {
                    current.checked_sub_days(magnitude)
                };
                moved.ok_or(LaunchEditError::ShiftOutOfRange(days))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchEditError {
    #[error(transparent)]
    Draft(#[from] LaunchDraftError),
    #[error(transparent)]
    Due(#[from] DueDateError),
    #[error("nothing to change: give at least one of name, date, tier or lead")]
    NothingToChange,
    #[error("moving the launch {0} days lands outside the calendar")]
    ShiftOutOfRange(i64),
}

/// The outcome of a launch edit: the launch to store, the tasks that move with it, and what
/// to write into the history.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchChange {
    pub launch: Launch,
    pub moves: Vec<DueDateMove>,
    pub history: Vec<HistoryEntry>,
}

impl Launch {
    /// Applies `edit` to this launch, whose tasks are `tasks`. The slug never changes on a
    /// rename: people have it in their fingers and in old messages. Tasks move on `calendar`:
    /// never onto a weekend or holiday, and never when they are already done.
    pub fn edit(
        &self,
        edit: LaunchEdit,
        tasks: &[Task],
        today: NaiveDate,
        calendar: &WorkCalendar,
        ctx: &ChangeContext,
    ) -> Result<LaunchChange, LaunchEditError> {
        let mut next = self.clone();
        let mut history = Vec::new();
        let mut record = |field, from: String, to: String| {
            if from != to {
                history.push(ctx.entry(self.id, None, field, Some(from), Some(to)));
            }
        };
        if let Some(name) = edit.name {
            let draft = LaunchDraft {
                name,
                tier: self.tier,
                launch_date: today,
                lead: None,
            };
            draft.validate(today)?;
            next.name = draft.name.trim().to_owned();
            record(ChangeField::Name, self.name.clone(), next.name.clone());
        }
        if let Some(tier) = edit.tier {
            next.tier = tier;
            record(ChangeField::Tier, self.tier.to_string(), tier.to_string());
        }
        if let Some(lead) = edit.lead {
            next.lead = lead;
            // A person is kept as their id: how to show them is the renderers' business.
            let show =
                |lead: &Option<SlackUserId>| lead.as_ref().map_or("nobody".to_owned(), |l| l.as_str().to_owned());
            record(ChangeField::Lead, show(&self.lead), show(&next.lead));
        }
        if let Some(state) = edit.state {
            next.state = state;
            record(
                ChangeField::State,
                self.state.as_str().to_owned(),
                state.as_str().to_owned(),
            );
        }
        let mut moves = Vec::new();
        if let Some(new_date) = edit.launch_date {
            let date = new_date.resolve(self.launch_date)?;
            if date != self.launch_date && date < today {
                return Err(LaunchDraftError::DateInPast { date, today }.into());
            }
            next.launch_date = date;
            moves = reschedule(tasks, date, today, calendar)?;
            record(ChangeField::LaunchDate, self.launch_date.to_string(), date.to_string());
            for moved in &moves {
                let mut entry = ctx.entry(
                    self.id,
                    Some(moved.task),
                    ChangeField::Due,
                    Some(moved.from.to_string()),
                    Some(moved.to.to_string()),
                );
                entry.note = Some(MOVED_WITH_LAUNCH.to_owned());
                history.push(entry);
            }
        }
        if history.is_empty() && next == *self {
            return Err(LaunchEditError::NothingToChange);
        }
        Ok(LaunchChange {
            launch: next,
            moves,
            history,
        })
    }
}
