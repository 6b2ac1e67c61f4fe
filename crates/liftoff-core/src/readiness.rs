//! Readiness: how much of what must be done by launch day is done, per launch and function.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::function::FunctionName;
use super::ids::LaunchId;
use super::launch::Launch;
use super::task::{StatusKind, Task};

/// Counts behind a readiness figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Tasks due on or before launch day.
    pub due_by_launch: usize,
    /// Of those, done.
    pub done: usize,
    /// Open tasks that are blocked (any due date).
    pub blocked: usize,
    /// Open tasks past their due date.
    pub overdue: usize,
    /// Open tasks by status.
    pub open_by_status: [usize; 4],
}

impl Readiness {
    /// Done share of the tasks due by launch day, to the nearest whole percent (2 of 3 is
    /// 67%, not 66%); 100 when nothing is due.
    pub fn percent(&self) -> u32 {
        (self.done * 200 + self.due_by_launch)
            .checked_div(2 * self.due_by_launch)
            .map_or(100, |p| p as u32)
    }

    fn add(&mut self, task: &Task, launch_date: NaiveDate, today: NaiveDate) {
        self.add_alike(task.due_date, task.status.kind(), 1, launch_date, today);
    }

    /// Counts `count` tasks due on `due_date` in status `kind`: all readiness needs of a task.
    fn add_alike(
        &mut self,
        due_date: NaiveDate,
        kind: StatusKind,
        count: usize,
        launch_date: NaiveDate,
        today: NaiveDate,
    ) {
        let open = kind != StatusKind::Done;
        if due_date <= launch_date {
            self.due_by_launch += count;
            if !open {
                self.done += count;
            }
        }
        if open {
            if kind == StatusKind::Blocked {
                self.blocked += count;
            }
            // As `Task::is_overdue`: open and due before today.
            if due_date < today {
                self.overdue += count;
            }
            let slot = match kind {
                StatusKind::Todo => 0,
                StatusKind::OnTrack => 1,
                StatusKind::AtRisk => 2,
                StatusKind::Blocked | StatusKind::Done => 3,
            };
            self.open_by_status[slot] += count;
        }
    }
}

/// How many of a launch's tasks are due on one day in one status. Readiness depends on nothing
/// else of a task, so a launch's tallies give the same figure as its tasks: the Home tab reads
/// a few dozen tallies per launch instead of every task (a launch can hold thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskTally {
    pub launch_id: LaunchId,
    pub due_date: NaiveDate,
    pub status: StatusKind,
    pub count: usize,
}

/// A launch's overall readiness on `today`, from the tallies of its tasks (others' are skipped);
/// the same as `readiness(launch, tasks, today).overall` for the tasks they count.
pub fn overall_readiness(launch: &Launch, tallies: &[TaskTally], today: NaiveDate) -> Readiness {
    let mut overall = Readiness::default();
    for tally in tallies.iter().filter(|t| t.launch_id == launch.id) {
        overall.add_alike(tally.due_date, tally.status, tally.count, launch.launch_date, today);
    }
    overall
}

/// Readiness of a launch overall and per function, on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchReadiness {
    pub overall: Readiness,
    pub by_function: BTreeMap<FunctionName, Readiness>,
}

pub fn readiness(launch: &Launch, tasks: &[Task], today: NaiveDate) -> LaunchReadiness {
    let mut overall = Readiness::default();
    let mut by_function: BTreeMap<FunctionName, Readiness> = BTreeMap::new();
    for task in tasks.iter().filter(|t| t.launch_id == launch.id) {
        overall.add(task, launch.launch_date, today);
        // The function's name is cloned only for its first task: a launch's page counted
        // every task's function name as an allocation.
        match by_function.get_mut(&task.function) {
            Some(counts) => counts.add(task, launch.launch_date, today),
            None => by_function
                .entry(task.function.clone())
                .or_default()
                .add(task, launch.launch_date, today),
        }
    }
    LaunchReadiness { overall, by_function }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::{TaskStatus, Tier};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn task(id: i64, function: &str, due: &str, status: TaskStatus) -> Task {
        fixtures::task(id, 1, function, due, status)
    }

    #[test]
    fn readiness_counts_what_is_due_by_launch_day() {
        let launch = fixtures::launch(1, Tier::One, "2026-12-10");
        let tasks = [
            task(1, "sales", "2026-11-20", TaskStatus::Done),
            task(2, "sales", "2026-11-22", TaskStatus::OnTrack), // overdue on 11-23
            task(3, "marketing", "2026-12-10", TaskStatus::blocked("legal").unwrap()),
            task(4, "marketing", "2026-12-24", TaskStatus::Todo), // after launch: not counted
        ];
        let result = readiness(&launch, &tasks, date("2026-11-23"));
        assert_eq!(result.overall.due_by_launch, 3);
        assert_eq!(result.overall.done, 1);
        assert_eq!(result.overall.percent(), 33);
        assert_eq!(result.overall.blocked, 1);
        assert_eq!(result.overall.overdue, 1);
        let sales = result.by_function[&FunctionName::parse("sales").unwrap()];
        assert_eq!((sales.done, sales.due_by_launch, sales.percent()), (1, 2, 50));
        let marketing = result.by_function[&FunctionName::parse("marketing").unwrap()];
        assert_eq!(marketing.percent(), 0);
        assert_eq!(Readiness::default().percent(), 100);
        let two_of_three = Readiness {
            done: 2,
            due_by_launch: 3,
            ..Readiness::default()
        };
        assert_eq!(two_of_three.percent(), 67, "rounded, not cut");
        let one_of_eight = Readiness {
            done: 1,
            due_by_launch: 8,
            ..Readiness::default()
        };
        assert_eq!(one_of_eight.percent(), 13);
    }

    #[test]
    fn tallies_give_the_same_readiness_as_the_tasks_they_count() {
        let launch = fixtures::launch(1, Tier::One, "2026-12-10");
        let other = fixtures::launch(2, Tier::Two, "2026-12-01");
        let statuses = [
            TaskStatus::Todo,
            TaskStatus::OnTrack,
            TaskStatus::AtRisk,
            TaskStatus::blocked("legal").unwrap(),
            TaskStatus::Done,
        ];
        let days = ["2026-11-20", "2026-11-23", "2026-12-10", "2026-12-11", "2026-12-24"];
        let mut tasks = Vec::new();
        for (i, (status, day)) in statuses.iter().cycle().zip(days.iter().cycle()).take(37).enumerate() {
            let launch_id = if i % 4 == 3 { 2 } else { 1 };
            tasks.push(fixtures::task(i as i64 + 1, launch_id, "sales", day, status.clone()));
        }
        let mut tallies: Vec<TaskTally> = Vec::new();
        for task in &tasks {
            match tallies
                .iter_mut()
                .find(|t| (t.launch_id, t.due_date, t.status) == (task.launch_id, task.due_date, task.status.kind()))
            {
                Some(tally) => tally.count += 1,
                None => tallies.push(TaskTally {
                    launch_id: task.launch_id,
                    due_date: task.due_date,
                    status: task.status.kind(),
                    count: 1,
                }),
            }
        }
        assert!(tallies.iter().any(|t| t.count > 1), "some tallies count several tasks");
        for today in ["2026-11-01", "2026-11-23", "2026-12-10", "2027-01-05"] {
            for launch in [&launch, &other] {
                let from_tasks = readiness(launch, &tasks, date(today)).overall;
                assert_eq!(overall_readiness(launch, &tallies, date(today)), from_tasks, "{today}");
                assert!(from_tasks.due_by_launch > 0);
            }
        }
    }
}
