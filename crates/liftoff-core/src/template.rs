//! Tier templates: the tasks every launch of a tier starts with, due relative to launch day,
//! so a new tier-1 launch arrives with its positioning, battlecard, training and go/no-go
//! already planned and moving with the date.

use std::collections::BTreeMap;

use super::calendar::WorkCalendar;
use super::function::FunctionName;
use super::launch::{Launch, Tier};
use super::task::{DueDate, NewTask};

/// One planned task of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateTask {
    pub function: FunctionName,
    pub title: String,
    /// Days from launch day (`T-35` is -35).
    pub offset_days: i64,
}

/// Every tier's template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Templates {
    by_tier: BTreeMap<Tier, Vec<TemplateTask>>,
}

impl Templates {
    pub fn new(by_tier: BTreeMap<Tier, Vec<TemplateTask>>) -> Self {
        Templates { by_tier }
    }

    pub fn for_tier(&self, tier: Tier) -> &[TemplateTask] {
        self.by_tier.get(&tier).map_or(&[], Vec::as_slice)
    }

    /// The tasks a new launch gets, due relative to its launch day so they move with it.
    /// Tasks whose date would not exist (far outside the calendar) are skipped; a date that
    /// lands on a weekend or holiday is due the working day before.
    pub fn instantiate(&self, launch: &Launch, calendar: &WorkCalendar) -> Vec<NewTask> {
        self.for_tier(launch.tier)
            .iter()
            .filter_map(|task| {
                let due = DueDate::Relative(task.offset_days);
                Some(NewTask {
                    launch_id: launch.id,
                    function: task.function.clone(),
                    title: task.title.clone(),
                    owner: None,
                    due_date: due.resolve(launch.launch_date, calendar).ok()?.date,
                    due_offset_days: Some(task.offset_days),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LaunchId, LaunchState, Slug};

    #[test]
    fn instantiating_resolves_offsets_against_launch_day() {
        let task = |title: &str, offset| TemplateTask {
            function: FunctionName::parse("marketing").unwrap(),
            title: title.into(),
            offset_days: offset,
        };
        let templates = Templates::new(BTreeMap::from([
            (
                Tier::One,
                vec![
                    task("Positioning", -35),
                    task("Metrics review", 14),
                    task("Sales deck", -5),
                    task("Press release", -1),
                ],
            ),
            (Tier::Three, vec![task("Release notes", -3)]),
        ]));
        let launch = Launch {
            id: LaunchId(9),
            slug: Slug::parse("x").unwrap(),
            name: "X".into(),
            tier: Tier::One,
            launch_date: "2026-12-10".parse().unwrap(),
            lead: None,
            key_messages: String::new(),
            channel_notes: String::new(),
            state: LaunchState::Planned,
            version: 1,
        };
        // Wednesday 9 December is a holiday.
        let calendar = crate::WorkCalendar::new(
            chrono_tz::UTC,
            &[
                chrono::Weekday::Mon,
                chrono::Weekday::Tue,
                chrono::Weekday::Wed,
                chrono::Weekday::Thu,
                chrono::Weekday::Fri,
            ],
            ["2026-12-09".parse().unwrap()],
        );
        let tasks = templates.instantiate(&launch, &calendar);
        assert_eq!(tasks.len(), 4);
        // T-5 of Thursday 10 December is Saturday 5th: due Friday 4th, still T-5 so it moves.
        assert_eq!(tasks[2].due_date, "2026-12-04".parse().unwrap());
        assert_eq!(tasks[2].due_offset_days, Some(-5));
        // T-1 is the holiday: due Tuesday 8th.
        assert_eq!(tasks[3].due_date, "2026-12-08".parse().unwrap());
        assert_eq!(tasks[0].due_date, "2026-11-05".parse().unwrap());
        assert_eq!(tasks[0].due_offset_days, Some(-35));
        assert_eq!(tasks[1].due_date, "2026-12-24".parse().unwrap());
        assert_eq!(tasks[0].launch_id, LaunchId(9));
        assert!(templates.for_tier(Tier::Two).is_empty());
    }
}
