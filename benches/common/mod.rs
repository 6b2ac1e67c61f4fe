//! Data the benches share: launches and tasks built in memory (the domain's test fixtures are
//! `cfg(test)` only), shaped like a busy PMO: five functions, 20 tasks each, mixed statuses.

#![allow(dead_code)]

use chrono::NaiveDate;
use liftoff_core::{FunctionName, Launch, LaunchId, LaunchState, SlackUserId, Slug, Task, TaskId, TaskStatus, Tier};

pub const FUNCTIONS: [&str; 5] = ["product", "marketing", "growth", "sales", "ops"];

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

pub fn launch(id: i64) -> Launch {
    let tier = match id % 3 {
        0 => Tier::One,
        1 => Tier::Two,
        _ => Tier::Three,
    };
    Launch {
        id: LaunchId(id),
        slug: Slug::parse(&format!("launch-{id}")).expect("a slug"),
        name: format!("Launch number {id} — checkout & payments"),
        tier,
        launch_date: today() + chrono::Duration::days(7 + id % 60),
        lead: Some(SlackUserId::parse(&format!("U{:07}", id % 40)).expect("a user id")),
        key_messages: "Faster checkout, fewer steps.".to_owned(),
        channel_notes: String::new(),
        state: LaunchState::Planned,
        version: 1,
    }
}

fn status(n: i64) -> TaskStatus {
    match n % 7 {
        0 => TaskStatus::OnTrack,
        1 => TaskStatus::AtRisk,
        2 => TaskStatus::Blocked {
            reason: "waiting on legal review of the pricing page".to_owned(),
        },
        3 => TaskStatus::Done,
        _ => TaskStatus::Todo,
    }
}

/// `per_function` tasks for each of the five functions of `launch`, ids from `first_id`.
pub fn tasks(launch: &Launch, per_function: i64, first_id: i64) -> Vec<Task> {
    let mut out = Vec::new();
    let mut id = first_id;
    for function in FUNCTIONS {
        for n in 0..per_function {
            out.push(Task {
                id: TaskId(id),
                launch_id: launch.id,
                function: FunctionName::parse(function).expect("a function"),
                title: format!("Prepare the {function} deliverable number {n} for {}", launch.name),
                owner: Some(SlackUserId::parse(&format!("U{:07}", id % 97)).expect("a user id")),
                due_date: launch.launch_date - chrono::Duration::days(14 - n % 21),
                due_offset_days: Some(n % 21 - 14),
                status: status(id),
                status_changed_at: "2026-11-01T09:00:00Z".parse().expect("an instant"),
                snoozed_until: None,
                blocked_by: None,
                version: 1,
            });
            id += 1;
        }
    }
    out
}
