//! The daily digest's content: where each active launch stands, most urgent first.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendar::WorkCalendar;
use super::function::FunctionName;
use super::history::{ChangeField, HistoryEntry};
use super::launch::Launch;
use super::readiness::{LaunchReadiness, readiness};
use super::task::{StatusKind, Task};

/// How far ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 7;

/// A blocked task and how long it has been blocked, in working days.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockedTask {
    pub task: Task,
    pub working_days: i64,
}

/// One launch's section of the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchDigest {
    pub launch: Launch,
    pub readiness: LaunchReadiness,
    /// Per function, counts of tasks by status (to do, on track, at risk, blocked, done).
    pub counts: BTreeMap<FunctionName, [usize; 5]>,
    pub overdue: Vec<Task>,
    pub blocked: Vec<BlockedTask>,
    pub due_soon: Vec<Task>,
    /// History entries since the previous digest. For a launch created since then, without
    /// its tasks' creations and assignments: `new_launch` says those in one line.
    pub changes: Vec<HistoryEntry>,
    /// `Some(number of tasks)` when the launch was created since the previous digest.
    pub new_launch: Option<usize>,
    /// Success metrics whose recorded actual missed the target.
    pub missed_metrics: Vec<super::launch::SuccessMetric>,
}

fn status_slot(kind: StatusKind) -> usize {
    match kind {
        StatusKind::Todo => 0,
        StatusKind::OnTrack => 1,
        StatusKind::AtRisk => 2,
        StatusKind::Blocked => 3,
        StatusKind::Done => 4,
    }
}

/// Builds the digest for active `launches` on `today` (organisation time), with `changes`
/// being the history since the last digest. Sorted by urgency: launches still ahead, soonest
/// first and, on the same day, the one with more blocked and overdue work first; launches
/// already past their day come last.
pub fn build(
    launches: &[Launch],
    tasks: &[Task],
    changes: &[HistoryEntry],
    today: NaiveDate,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Vec<LaunchDigest> {
    let mut digests: Vec<LaunchDigest> = launches
        .iter()
        .filter(|l| l.state.is_active())
        .map(|launch| {
            let own: Vec<&Task> = tasks.iter().filter(|t| t.launch_id == launch.id).collect();
            let mut counts: BTreeMap<FunctionName, [usize; 5]> = BTreeMap::new();
            for task in &own {
                counts.entry(task.function.clone()).or_default()[status_slot(task.status.kind())] += 1;
            }
            let overdue: Vec<Task> = own
                .iter()
                .filter(|t| t.is_overdue(today))
                .map(|t| (*t).clone())
                .collect();
            let blocked: Vec<BlockedTask> = own
                .iter()
                .filter(|t| t.status.kind() == StatusKind::Blocked)
                .map(|t| BlockedTask {
                    working_days: calendar.working_days_between(
                        calendar.local_date(t.status_changed_at, None),
                        calendar.local_date(now, None),
                    ),
                    task: (*t).clone(),
                })
                .collect();
            let horizon = today + Duration::days(DUE_SOON_DAYS);
            let due_soon: Vec<Task> = own
                .iter()
                .filter(|t| t.status.is_open() && t.due_date >= today && t.due_date <= horizon)
                .map(|t| (*t).clone())
                .collect();
            let (new_launch, changes) = launch_changes(launch, own.len(), changes);
            let owned: Vec<Task> = own.into_iter().cloned().collect();
            LaunchDigest {
                readiness: readiness(launch, &owned, today),
                launch: launch.clone(),
                counts,
                overdue,
                blocked,
                due_soon,
                changes,
                new_launch,
                missed_metrics: Vec::new(),
            }
        })
        .collect();
    digests.sort_by_key(|d| {
        let days = d.launch.days_to_launch(today);
        let trouble = d.overdue.len() + d.blocked.len();
        (days < 0, days.abs(), std::cmp::Reverse(trouble), d.launch.id)
    });
    digests
}

/// A launch's changes since the previous digest, and whether it was created since then (with
/// its number of tasks). The first digest after a launch is created says "new launch: N tasks"
/// rather than listing each of its tasks being created and assigned: a template launch would
/// otherwise fill the digest with dozens of lines nobody needs. Later changes (a status, a
/// date) are still listed.
fn launch_changes(launch: &Launch, task_count: usize, changes: &[HistoryEntry]) -> (Option<usize>, Vec<HistoryEntry>) {
    let own = changes.iter().filter(|c| c.launch_id == launch.id);
    let created = own
        .clone()
        .any(|c| c.task_id.is_none() && c.field == ChangeField::Created);
    if !created {
        return (None, own.cloned().collect());
    }
    let rest = own
        .filter(|c| !matches!(c.field, ChangeField::Created | ChangeField::Owner))
        .cloned()
        .collect();
    (Some(task_count), rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::{TaskStatus, Tier};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn launch(id: i64, day: &str) -> Launch {
        fixtures::launch(id, Tier::One, day)
    }

    fn task(id: i64, launch: i64, due: &str, status: TaskStatus, changed: &str) -> Task {
        Task {
            status_changed_at: changed.parse().unwrap(),
            ..fixtures::task(id, launch, "sales", due, status)
        }
    }

    #[test]
    fn the_digest_counts_and_sorts_by_urgency() {
        let calendar = WorkCalendar::weekdays(chrono_tz::UTC);
        let launches = [
            launch(1, "2026-12-20"),
            launch(2, "2026-12-01"),
            launch(3, "2026-11-20"),
            launch(4, "2026-12-01"),
        ];
        let tasks = [
            task(1, 2, "2026-11-20", TaskStatus::OnTrack, "2026-11-01T00:00:00Z"), // overdue
            task(
                2,
                2,
                "2026-11-27",
                TaskStatus::blocked("legal").unwrap(),
                "2026-11-19T12:00:00Z",
            ),
            task(3, 2, "2026-11-26", TaskStatus::Done, "2026-11-01T00:00:00Z"),
            task(4, 1, "2026-12-10", TaskStatus::Todo, "2026-11-01T00:00:00Z"),
        ];
        let today = date("2026-11-25");
        let now: DateTime<Utc> = "2026-11-25T08:30:00Z".parse().unwrap();
        let digest = build(&launches, &tasks, &[], today, now, &calendar);
        let order: Vec<i64> = digest.iter().map(|d| d.launch.id.0).collect();
        assert_eq!(
            order,
            vec![2, 4, 1, 3],
            "same day: more trouble first; past launches last"
        );
        let l2 = &digest[0];
        assert_eq!(l2.overdue.iter().map(|t| t.id.0).collect::<Vec<_>>(), vec![1]);
        assert_eq!(l2.blocked.len(), 1);
        assert_eq!(
            l2.blocked[0].working_days, 4,
            "Thu 19th to Wed 25th: Fri, Mon, Tue, Wed"
        );
        assert_eq!(l2.due_soon.iter().map(|t| t.id.0).collect::<Vec<_>>(), vec![2]);
        assert_eq!(l2.counts[&FunctionName::parse("sales").unwrap()], [0, 1, 0, 1, 1]);
        assert_eq!(l2.readiness.overall.percent(), 33);
    }

    #[test]
    fn a_new_launch_is_one_line_not_every_creation_and_assignment() {
        use crate::{Actor, ChangeSource, SlackUserId, TaskId};
        let calendar = WorkCalendar::weekdays(chrono_tz::UTC);
        let launches = [launch(1, "2026-12-20"), launch(2, "2026-12-20")];
        let tasks = [
            task(1, 1, "2026-12-10", TaskStatus::Todo, "2026-11-01T00:00:00Z"),
            task(2, 1, "2026-12-11", TaskStatus::Todo, "2026-11-01T00:00:00Z"),
            task(3, 2, "2026-12-11", TaskStatus::Todo, "2026-11-01T00:00:00Z"),
        ];
        let at: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        let entry = |launch: i64, task: Option<i64>, field| HistoryEntry {
            launch_id: crate::LaunchId(launch),
            task_id: task.map(TaskId),
            actor: Actor::User(SlackUserId::parse("U0LEAD").unwrap()),
            source: ChangeSource::Command,
            at,
            field,
            from: None,
            to: Some("x".to_owned()),
            note: None,
        };
        let changes = [
            entry(1, None, ChangeField::Created),
            entry(1, Some(1), ChangeField::Created),
            entry(1, Some(2), ChangeField::Created),
            entry(1, Some(1), ChangeField::Owner),
            entry(1, Some(2), ChangeField::Status),
            entry(2, Some(3), ChangeField::Owner),
        ];
        let now: DateTime<Utc> = "2026-11-25T08:30:00Z".parse().unwrap();
        let digest = build(&launches, &tasks, &changes, date("2026-11-25"), now, &calendar);
        let new = digest.iter().find(|d| d.launch.id.0 == 1).unwrap();
        assert_eq!(new.new_launch, Some(2));
        let fields: Vec<ChangeField> = new.changes.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            vec![ChangeField::Status],
            "a later status change is still listed"
        );
        let old = digest.iter().find(|d| d.launch.id.0 == 2).unwrap();
        assert_eq!(
            (old.new_launch, old.changes.len()),
            (None, 1),
            "an older launch lists its changes"
        );
    }
}
