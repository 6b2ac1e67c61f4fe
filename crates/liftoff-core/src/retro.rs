//! The retro: what happened to a launch, from its history — how its dates slipped, how long
//! each function spent blocked, how far things were escalated, and how the metrics landed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::calendar::WorkCalendar;
use super::function::FunctionName;
use super::history::{ChangeField, HistoryEntry};
use super::ids::TaskId;
use super::launch::SuccessMetric;
use super::task::Task;

#[derive(Debug, Clone, PartialEq)]
pub struct Retro {
    /// Launch date moves, in order: (from, to) as recorded.
    pub launch_date_moves: Vec<(String, String)>,
    /// How many times task due dates were changed by hand (moves with the launch excluded).
    pub task_due_changes: usize,
    /// Working days spent blocked, per function.
    pub blocked_days: BTreeMap<FunctionName, i64>,
    /// Escalations fired, per level.
    pub escalations: BTreeMap<i64, usize>,
    pub metrics: Vec<SuccessMetric>,
}

pub fn summarise(
    tasks: &[Task],
    history: &[HistoryEntry],
    metrics: Vec<SuccessMetric>,
    escalations: BTreeMap<i64, usize>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Retro {
    let launch_date_moves: Vec<(String, String)> = history
        .iter()
        .filter(|h| h.field == ChangeField::LaunchDate)
        .map(|h| (h.from.clone().unwrap_or_default(), h.to.clone().unwrap_or_default()))
        .collect();
    // Tasks that moved because their launch moved did not slip on their own.
    let task_due_changes = history
        .iter()
        .filter(|h| {
            h.field == ChangeField::Due
                && h.task_id.is_some()
                && h.note.as_deref() != Some(super::launch::MOVED_WITH_LAUNCH)
        })
        .count();
    let function_of: BTreeMap<TaskId, &FunctionName> = tasks.iter().map(|t| (t.id, &t.function)).collect();
    let mut blocked_since: BTreeMap<TaskId, DateTime<Utc>> = BTreeMap::new();
    let mut blocked_days: BTreeMap<FunctionName, i64> = BTreeMap::new();
    let mut add = |task: TaskId, from: DateTime<Utc>, to: DateTime<Utc>| {
        if let Some(function) = function_of.get(&task) {
            let days = calendar.working_days_between(calendar.local_date(from, None), calendar.local_date(to, None));
            *blocked_days.entry((*function).clone()).or_default() += days;
        }
    };
    for entry in history.iter().filter(|h| h.field == ChangeField::Status) {
        let Some(task) = entry.task_id else { continue };
        let now_blocked = entry.to.as_deref().is_some_and(|to| to.starts_with("blocked"));
        match (blocked_since.get(&task).copied(), now_blocked) {
            (None, true) => {
                blocked_since.insert(task, entry.at);
            }
            (Some(since), false) => {
                add(task, since, entry.at);
                blocked_since.remove(&task);
            }
            _ => {}
        }
    }
    for (task, since) in blocked_since {
        add(task, since, now);
    }
    Retro {
        launch_date_moves,
        task_due_changes,
        blocked_days,
        escalations,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::task;
    use crate::history::{Actor, ChangeContext, ChangeSource};
    use crate::{LaunchId, TaskStatus};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn blocked_time_slips_and_escalations_are_summed() {
        let ctx = |when: &str| ChangeContext::new(Actor::Liftoff, ChangeSource::Command, at(when));
        let status = |task: i64, when: &str, to: &str| {
            ctx(when).entry(
                LaunchId(1),
                Some(TaskId(task)),
                ChangeField::Status,
                None,
                Some(to.to_owned()),
            )
        };
        let history = vec![
            status(1, "2026-11-23T10:00:00Z", "blocked: legal"),
            status(1, "2026-11-26T10:00:00Z", "on track"),
            status(2, "2026-11-30T10:00:00Z", "blocked: vendor"),
            ctx("2026-12-01T09:00:00Z").entry(
                LaunchId(1),
                None,
                ChangeField::LaunchDate,
                Some("2026-12-10".into()),
                Some("2026-12-17".into()),
            ),
            HistoryEntry {
                note: Some(crate::launch::MOVED_WITH_LAUNCH.to_owned()),
                ..ctx("2026-12-01T09:00:00Z").entry(
                    LaunchId(1),
                    Some(TaskId(2)),
                    ChangeField::Due,
                    Some("a".into()),
                    Some("b".into()),
                )
            },
            ctx("2026-12-02T09:00:00Z").entry(
                LaunchId(1),
                Some(TaskId(1)),
                ChangeField::Due,
                Some("c".into()),
                Some("d".into()),
            ),
        ];
        let tasks = [
            task(1, 1, "sales", "2026-12-01", TaskStatus::OnTrack),
            task(2, 1, "marketing", "2026-12-01", TaskStatus::blocked("vendor").unwrap()),
        ];
        let retro = summarise(
            &tasks,
            &history,
            vec![],
            BTreeMap::from([(2, 1)]),
            at("2026-12-02T10:00:00Z"),
            &WorkCalendar::weekdays(chrono_tz::UTC),
        );
        assert_eq!(
            retro.launch_date_moves,
            vec![("2026-12-10".to_owned(), "2026-12-17".to_owned())]
        );
        assert_eq!(retro.task_due_changes, 1, "the move with the launch is not a slip");
        assert_eq!(retro.blocked_days[&FunctionName::parse("sales").unwrap()], 3);
        assert_eq!(
            retro.blocked_days[&FunctionName::parse("marketing").unwrap()],
            2,
            "still blocked: counted to now"
        );
        assert_eq!(retro.escalations[&2], 1);
    }
}
