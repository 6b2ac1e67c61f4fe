//! Check-in rounds: which launches a round covers, and which of a function's tasks go in its
//! message. And nudges: who did not answer a round.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::function::FunctionName;
use super::ids::{LaunchId, SlackUserId, TaskId};
use super::launch::{Launch, Tier};
use super::task::{StatusKind, Task};

/// What kind of slot a check-in round is, which decides the launches it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundKind {
    /// The slot is on the standard check-in schedule (e.g. Mon/Wed/Fri).
    pub standard: bool,
    /// The slot is on the final-stretch schedule (e.g. every working day).
    pub final_stretch: bool,
    /// The slot is the first standard one of its week (weekly cadence for tier 3).
    pub first_of_week: bool,
}

/// Cadence rules, from config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// Tier-1 launches this close to launch day are checked on the final-stretch schedule too.
    pub final_stretch_days: i64,
    /// Tier-3 launches are checked once a week only.
    pub tier3_weekly: bool,
}

/// Whether `launch` is covered by a round of `kind` on `today`.
pub fn covers(launch: &Launch, kind: RoundKind, today: NaiveDate, cadence: Cadence) -> bool {
    if !launch.state.is_active() {
        return false;
    }
    let days = launch.days_to_launch(today);
    let in_final_stretch = launch.tier == Tier::One && (0..=cadence.final_stretch_days).contains(&days);
    match launch.tier {
        _ if kind.final_stretch && in_final_stretch => true,
        Tier::Three if cadence.tier3_weekly => kind.standard && kind.first_of_week,
        _ => kind.standard,
    }
}

/// One function's part of a round: its open tasks grouped by launch, soonest launch first.
#[derive(Debug, Clone, PartialEq)]
/// Borrowed from the launches and tasks it was planned from: a round over 100k tasks copies
/// none of them.
pub struct FunctionRound<'a> {
    pub function: FunctionName,
    pub launches: Vec<(&'a Launch, Vec<&'a Task>)>,
}

impl FunctionRound<'_> {
    pub fn task_count(&self) -> usize {
        self.launches.iter().map(|(_, tasks)| tasks.len()).sum()
    }
}

/// Plans a round: for each function (in catalog order), the open tasks of covered launches.
/// A function with nothing open gets nothing: no empty check-in messages.
///
/// A check-in lists *every* open task, not only those that [`needs_answer`]: it is one post
/// per function channel whatever its length, so listing more costs nobody an interruption,
/// and it is the team's shared board, where an owner can update a task early (or see a
/// colleague's) with its buttons. The rule that spares people noise applies where a person is
/// interrupted: the nudge, a direct message, asks only about tasks that need an answer.
pub fn plan_round<'a>(
    functions: &[FunctionName],
    launches: &'a [Launch],
    open_tasks: &'a [Task],
    kind: RoundKind,
    today: NaiveDate,
    cadence: Cadence,
) -> Vec<FunctionRound<'a>> {
    let mut covered: Vec<&Launch> = launches.iter().filter(|l| covers(l, kind, today, cadence)).collect();
    covered.sort_by_key(|l| (l.launch_date, l.id));
    // Grouped once, so a round over 100k open tasks reads each task once, not once per
    // (function, launch) pair.
    let mut by_launch_and_function: BTreeMap<(LaunchId, &FunctionName), Vec<&Task>> = BTreeMap::new();
    for task in open_tasks.iter().filter(|t| t.status.is_open()) {
        by_launch_and_function
            .entry((task.launch_id, &task.function))
            .or_default()
            .push(task);
    }
    functions
        .iter()
        .filter_map(|function| {
            let launches: Vec<(&Launch, Vec<&Task>)> = covered
                .iter()
                .filter_map(|launch| {
                    let mut tasks = by_launch_and_function.get(&(launch.id, function))?.clone();
                    tasks.sort_by_key(|t| (t.due_date, t.id));
                    Some((*launch, tasks))
                })
                .collect();
            (!launches.is_empty()).then(|| FunctionRound {
                function: function.clone(),
                launches,
            })
        })
        .collect()
}

/// A task as listed in a posted check-in, with what has happened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTask {
    pub task: TaskId,
    pub owner: Option<SlackUserId>,
    pub still_open: bool,
    pub snoozed: bool,
    /// The task needs an answer this round (see [`needs_answer`]): only those are nudged about.
    pub needs_answer: bool,
    /// The owner changed or re-stated anything on this task since the check-in was posted.
    pub owner_answered: bool,
}

/// Whether an owner should be asked about `task` on `today`: it is not done, and it is due
/// within `horizon_days` (or overdue), at risk or blocked. A task on track and due later can
/// wait for its owner to speak up; asking about it every round is the noise people mute.
pub fn needs_answer(task: &Task, today: NaiveDate, horizon_days: i64) -> bool {
    if !task.status.is_open() {
        return false;
    }
    let due_soon = task.due_date <= today + chrono::Duration::days(horizon_days.max(0));
    due_soon || matches!(task.status.kind(), StatusKind::AtRisk | StatusKind::Blocked)
}

/// Who to nudge after a round: owners with open, unsnoozed tasks in it that need an answer
/// ([`needs_answer`]) who have answered none of the round's tasks. An owner whose tasks are
/// all on track and not due soon is not nudged at all. `already_nudged_today` counts each person's nudges so far, capped at `max_per_day`.
pub fn who_to_nudge(
    listed: &[ListedTask],
    already_nudged_today: &BTreeMap<SlackUserId, usize>,
    max_per_day: usize,
) -> BTreeMap<SlackUserId, Vec<TaskId>> {
    let answered: BTreeSet<&SlackUserId> = listed
        .iter()
        .filter(|t| t.owner_answered)
        .filter_map(|t| t.owner.as_ref())
        .collect();
    let mut nudges: BTreeMap<SlackUserId, Vec<TaskId>> = BTreeMap::new();
    for item in listed {
        let Some(owner) = &item.owner else { continue };
        if item.still_open && item.needs_answer && !item.snoozed && !answered.contains(owner) {
            nudges.entry(owner.clone()).or_default().push(item.task);
        }
    }
    nudges.retain(|owner, _| already_nudged_today.get(owner).copied().unwrap_or(0) < max_per_day);
    nudges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::{LaunchState, TaskStatus};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn launch(id: i64, tier: Tier, day: &str) -> Launch {
        fixtures::launch(id, tier, day)
    }

    fn task(id: i64, launch: i64, function: &str, status: TaskStatus) -> Task {
        fixtures::task(id, launch, function, "2026-12-01", status)
    }

    const CADENCE: Cadence = Cadence {
        final_stretch_days: 14,
        tier3_weekly: true,
    };

    #[test]
    fn cadence_depends_on_tier_and_distance_to_launch() {
        let today = date("2026-11-25");
        let standard = RoundKind {
            standard: true,
            final_stretch: true,
            first_of_week: false,
        };
        let stretch_only = RoundKind {
            standard: false,
            final_stretch: true,
            first_of_week: false,
        };
        let first = RoundKind {
            standard: true,
            final_stretch: true,
            first_of_week: true,
        };
        let near_t1 = launch(1, Tier::One, "2026-12-05");
        let far_t1 = launch(2, Tier::One, "2027-02-01");
        let t2 = launch(3, Tier::Two, "2026-12-05");
        let t3 = launch(4, Tier::Three, "2026-12-05");
        assert!(
            covers(&near_t1, stretch_only, today, CADENCE),
            "tier 1 in its last 14 days: daily"
        );
        assert!(!covers(&far_t1, stretch_only, today, CADENCE));
        assert!(covers(&far_t1, standard, today, CADENCE));
        assert!(!covers(&t2, stretch_only, today, CADENCE));
        assert!(covers(&t2, standard, today, CADENCE));
        assert!(!covers(&t3, standard, today, CADENCE), "tier 3 only weekly");
        assert!(covers(&t3, first, today, CADENCE));
        let mut archived = t2.clone();
        archived.state = LaunchState::Archived;
        assert!(!covers(&archived, first, today, CADENCE));
    }

    #[test]
    fn rounds_list_open_tasks_per_function_and_skip_empty_functions() {
        let launches = [launch(1, Tier::Two, "2026-12-20"), launch(2, Tier::Two, "2026-12-05")];
        let tasks = [
            task(1, 1, "sales", TaskStatus::Todo),
            task(2, 2, "sales", TaskStatus::blocked("x").unwrap()),
            task(3, 1, "sales", TaskStatus::Done),
            task(4, 1, "marketing", TaskStatus::Done),
        ];
        let functions = [
            FunctionName::parse("marketing").unwrap(),
            FunctionName::parse("sales").unwrap(),
        ];
        let kind = RoundKind {
            standard: true,
            final_stretch: false,
            first_of_week: false,
        };
        let rounds = plan_round(&functions, &launches, &tasks, kind, date("2026-11-25"), CADENCE);
        assert_eq!(rounds.len(), 1, "marketing has nothing open");
        assert_eq!(rounds[0].function.as_str(), "sales");
        let order: Vec<i64> = rounds[0].launches.iter().map(|(l, _)| l.id.0).collect();
        assert_eq!(order, vec![2, 1], "soonest launch first");
        assert_eq!(rounds[0].task_count(), 2);
    }

    #[test]
    fn nudges_go_to_silent_owners_once_and_within_the_daily_cap() {
        let ann = SlackUserId::parse("U0ANN").unwrap();
        let bob = SlackUserId::parse("U0BOB").unwrap();
        let cat = SlackUserId::parse("U0CAT").unwrap();
        let listed = |task: i64, owner: &SlackUserId, open, snoozed, answered| ListedTask {
            task: TaskId(task),
            owner: Some(owner.clone()),
            still_open: open,
            snoozed,
            needs_answer: true,
            owner_answered: answered,
        };
        let items = [
            listed(1, &ann, true, false, false),
            listed(2, &ann, true, false, false),
            listed(3, &bob, true, false, false),
            listed(4, &bob, true, false, true), // bob answered on another task: no nudge
            listed(5, &cat, true, true, false), // snoozed
            listed(6, &cat, false, false, false), // done meanwhile
        ];
        let none = BTreeMap::new();
        let nudges = who_to_nudge(&items, &none, 2);
        assert_eq!(nudges.len(), 1);
        assert_eq!(nudges[&ann], vec![TaskId(1), TaskId(2)]);
        let capped = BTreeMap::from([(ann.clone(), 2)]);
        assert!(who_to_nudge(&items, &capped, 2).is_empty());
    }

    #[test]
    fn only_tasks_due_within_the_horizon_overdue_at_risk_or_blocked_need_an_answer() {
        let today = date("2026-11-23");
        let due = |day: &str, status: TaskStatus| fixtures::task(1, 1, "sales", day, status);
        let check = |task: Task, expected: bool| {
            assert_eq!(
                needs_answer(&task, today, 7),
                expected,
                "{:?} due {}",
                task.status,
                task.due_date
            );
        };
        check(due("2026-11-30", TaskStatus::OnTrack), true); // due in a week
        check(due("2026-12-01", TaskStatus::OnTrack), false); // eight days out, on track
        check(due("2026-12-01", TaskStatus::Todo), false);
        check(due("2026-11-20", TaskStatus::OnTrack), true); // overdue
        check(due("2027-01-20", TaskStatus::AtRisk), true);
        check(due("2027-01-20", TaskStatus::blocked("legal").unwrap()), true);
        check(due("2026-11-24", TaskStatus::Done), false);
    }

    #[test]
    fn an_owner_whose_tasks_need_no_answer_is_not_nudged() {
        let ann = SlackUserId::parse("U0ANN").unwrap();
        let item = |task: i64, needs_answer| ListedTask {
            task: TaskId(task),
            owner: Some(ann.clone()),
            still_open: true,
            snoozed: false,
            needs_answer,
            owner_answered: false,
        };
        let none = BTreeMap::new();
        assert!(who_to_nudge(&[item(1, false), item(2, false)], &none, 2).is_empty());
        let nudges = who_to_nudge(&[item(1, false), item(2, true)], &none, 2);
        assert_eq!(nudges[&ann], vec![TaskId(2)], "only the task that needs an answer");
    }
}
