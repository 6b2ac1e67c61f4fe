//! Shared test fixtures for the domain's unit tests: a launch and a task with sensible
//! defaults, so each test states only what it is about.

use chrono::NaiveDate;

use super::{FunctionName, Launch, LaunchId, LaunchState, Slug, Task, TaskId, TaskStatus, Tier};

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

/// A planned launch `L<id>` with no lead.
pub fn launch(id: i64, tier: Tier, day: &str) -> Launch {
    Launch {
        id: LaunchId(id),
        slug: Slug::parse(&format!("l{id}")).expect("a test slug"),
        name: format!("L{id}"),
        tier,
        launch_date: date(day),
        lead: None,
        key_messages: String::new(),
        channel_notes: String::new(),
        state: LaunchState::Planned,
        version: 1,
    }
}

/// An unowned task `t<id>` with a fixed due date, its status unchanged since 2026-11-01.
pub fn task(id: i64, launch: i64, function: &str, due: &str, status: TaskStatus) -> Task {
    Task {
        id: TaskId(id),
        launch_id: LaunchId(launch),
        function: FunctionName::parse(function).expect("a test function"),
        title: format!("t{id}"),
        owner: None,
        due_date: date(due),
        due_offset_days: None,
        status,
        status_changed_at: "2026-11-01T00:00:00Z".parse().expect("a test instant"),
        snoozed_until: None,
        blocked_by: None,
        version: 1,
    }
}
