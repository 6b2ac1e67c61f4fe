//! Liftoff's functional core: launches, tasks, statuses, functions, calendars and history as
//! plain types and pure functions, the command and thread-reply grammars, and dates.
//!
//! Nothing here does I/O, knows Slack's JSON or SQL, or reads the clock: callers pass `now`
//! (or `today`) in, which is what makes every rule testable. The crate cannot break that by
//! accident: it depends on no runtime, database, JSON or Slack crate, and no source file reads
//! the clock (`tests/purity.rs` checks both).

pub mod calendar;
pub mod checkin;
pub mod command;
pub mod dates;
pub mod digest;
pub mod escalation;
/// Small builders for tests of this crate and, behind the `fixtures` feature, of the service.
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod function;
pub mod gonogo;
pub mod grammar;
pub mod history;
pub mod ids;
pub mod launch;
pub mod readiness;
pub mod retro;
pub mod saturation;
pub mod schedule;
pub mod task;
pub mod template;
pub mod text;

pub use calendar::WorkCalendar;
pub use function::{FunctionCatalog, FunctionDef, FunctionError, FunctionName, FunctionOverrides};
pub use history::{Actor, ChangeContext, ChangeField, ChangeSource, HistoryEntry};
pub use ids::{IdError, LaunchId, SlackChannelId, SlackTeamId, SlackUserId, TaskId};
pub use launch::{
    Launch, LaunchChange, LaunchDraft, LaunchEdit, LaunchEditError, LaunchRef, LaunchState, Slug, SuccessMetric,
    TargetDirection, Tier,
};
pub use task::{
    DueDate, DueDateMove, DueNote, MAX_SNOOZE_WORKING_DAYS, NewTask, RaciRole, RoleAssignment, StatusKind, Task,
    TaskDraft, TaskEdit, TaskStatus,
};
