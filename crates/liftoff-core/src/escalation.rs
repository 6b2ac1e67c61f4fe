//! The escalation ladder, modelled on on-call escalation policies: ordered levels, each
//! reached after a timeout, stopping when someone acts. Pure: given a task, its launch and the
//! owner's `today`, it says which level the task has reached in which episode; the shell makes
//! sure each (task, episode, level) fires once.

use std::fmt;

use chrono::NaiveDate;

use super::calendar::WorkCalendar;
use super::ids::SlackUserId;
use super::launch::{Launch, Tier};
use super::task::{StatusKind, Task};

/// Ladder settings, from config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ladder {
    /// Level 0: remind owners on the last working day before a task is due.
    pub reminder: bool,
    pub function_lead_overdue_days: i64,
    pub function_lead_blocked_days: i64,
    pub launch_lead_overdue_days: i64,
    pub launch_lead_blocked_days: i64,
    /// An overdue open task of a tier-1 launch this close to launch day goes straight to the
    /// launch lead.
    pub tier1_final_days: i64,
    /// Acknowledging holds further levels for this many working days.
    pub ack_hold_days: u32,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            reminder: true,
            function_lead_overdue_days: 2,
            function_lead_blocked_days: 1,
            launch_lead_overdue_days: 4,
            launch_lead_blocked_days: 2,
            tier1_final_days: 3,
            ack_hold_days: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Due after today, the last working day before the due date: a DM to the owner.
    Reminder = 0,
    /// Past due: a DM to the owner and a line in the function's check-in thread.
    Overdue = 1,
    /// The function lead is told, in the function channel.
    FunctionLead = 2,
    /// The launch lead is told, in the escalation channel, with the launch's readiness.
    LaunchLead = 3,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Reminder, Level::Overdue, Level::FunctionLead, Level::LaunchLead];

    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn from_number(n: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.number() == n)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Reminder => "level 0 (reminder)",
            Level::Overdue => "level 1 (overdue)",
            Level::FunctionLead => "level 2 (function lead)",
            Level::LaunchLead => "level 3 (launch lead)",
        })
    }
}

/// Where a task stands on the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The stretch of trouble this belongs to: `blocked:<ms since epoch>` (a new block is a new
    /// episode) or `due:<date>` (a later due date is a new episode).
    pub episode: String,
    pub level: Level,
    /// Working days past the due date (0 if not overdue).
    pub overdue_days: i64,
    /// Working days blocked (0 if not blocked).
    pub blocked_days: i64,
}

/// The episode a task is in right now.
pub fn episode(task: &Task) -> String {
    if task.status.kind() == StatusKind::Blocked {
        format!("blocked:{}", task.status_changed_at.timestamp_millis())
    } else {
        format!("due:{}", task.due_date)
    }
}

/// The level `task` has reached on `today` (its owner's local date), if any. Done tasks and
/// tasks on hold (snoozed or acknowledged) are not escalated.
pub fn assess(
    task: &Task,
    launch: &Launch,
    today: NaiveDate,
    calendar: &WorkCalendar,
    ladder: &Ladder,
) -> Option<Assessment> {
    if !task.status.is_open() || !launch.state.is_active() || task.snoozed_until.is_some_and(|until| until >= today) {
        return None;
    }
    // A task is overdue once its due day has ended: the working days since then count.
    let overdue_days = if task.due_date < today {
        calendar.working_days_between(task.due_date, today).max(1)
    } else {
        0
    };
    let blocked_days = if task.status.kind() == StatusKind::Blocked {
        calendar.working_days_between(calendar.local_date(task.status_changed_at, None), today)
    } else {
        0
    };
    let near_launch = launch.tier == Tier::One && launch.days_to_launch(today) <= ladder.tier1_final_days;
    let level = if overdue_days >= ladder.launch_lead_overdue_days
        || (blocked_days >= ladder.launch_lead_blocked_days && ladder.launch_lead_blocked_days > 0)
        || (overdue_days >= 1 && near_launch)
    {
        Some(Level::LaunchLead)
    } else if overdue_days >= ladder.function_lead_overdue_days
        || (blocked_days >= ladder.function_lead_blocked_days && ladder.function_lead_blocked_days > 0)
    {
        Some(Level::FunctionLead)
    } else if overdue_days >= 1 {
        Some(Level::Overdue)
    } else if ladder.reminder && calendar.previous_working_day(task.due_date) == Some(today) {
        // The last working day before the due date, in the owner's own week: a task due Monday
        // is reminded on Friday, never on an owner's Sunday, and one typed for a Saturday is
        // reminded on the Friday too.
        Some(Level::Reminder)
    } else {
        None
    }?;
    Some(Assessment {
        episode: episode(task),
        level,
        overdue_days,
        blocked_days,
    })
}

/// One fired level, as `/launch escalations` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredLevel {
    pub task: crate::TaskId,
    pub launch: crate::LaunchId,
    pub episode: String,
    pub level: i64,
    pub fired_at: chrono::DateTime<chrono::Utc>,
}

/// Who a level of escalation asks to act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    /// One person: the owner at levels 0 and 1, a lead above.
    Person(SlackUserId),
    /// Nobody up the ladder but the owner: the admins (without the owner), where the PMO sees it.
    Admins(Vec<SlackUserId>),
}

/// The people around a task that the ladder can climb.
#[derive(Debug, Clone, Copy)]
pub struct LadderPeople<'a> {
    pub owner: Option<&'a SlackUserId>,
    pub function_lead: Option<&'a SlackUserId>,
    pub launch_lead: Option<&'a SlackUserId>,
    pub admins: &'a [SlackUserId],
}

/// Who `level` is addressed to. Levels 0 and 1 are the owner's own (level 1 climbs to the
/// function lead, then the launch lead, when nobody owns the task). From level 2 on, an
/// escalation is about the owner, so never addressed to them: an owner who leads her own
/// function is escalated to the launch lead, and one who leads the launch (or a launch with
/// no lead) to the admins. `None`: a reminder with no owner, which level 1 will catch.
pub fn addressee(level: Level, people: LadderPeople<'_>) -> Option<Addressee> {
    let not_owner = |person: Option<&SlackUserId>| person.filter(|p| Some(*p) != people.owner).cloned();
    let admins = || {
        Addressee::Admins(
            people
                .admins
                .iter()
                .filter(|a| Some(*a) != people.owner)
                .cloned()
                .collect(),
        )
    };
    let person = match level {
        Level::Reminder => return people.owner.cloned().map(Addressee::Person),
        Level::Overdue => people.owner.or(people.function_lead).or(people.launch_lead).cloned(),
        Level::FunctionLead => not_owner(people.function_lead).or_else(|| not_owner(people.launch_lead)),
        Level::LaunchLead => not_owner(people.launch_lead),
    };
    Some(person.map_or_else(admins, Addressee::Person))
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;
    use crate::TaskStatus;
    use crate::fixtures;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn calendar() -> WorkCalendar {
        use Weekday::*;
        WorkCalendar::new(chrono_tz::UTC, &[Mon, Tue, Wed, Thu, Fri], [date("2026-12-08")])
    }

    fn launch(tier: Tier, day: &str) -> Launch {
        fixtures::launch(1, tier, day)
    }

    fn task(due: &str, status: TaskStatus, changed: &str) -> Task {
        Task {
            status_changed_at: changed.parse().unwrap(),
            ..fixtures::task(1, 1, "sales", due, status)
        }
    }

    fn level_on(task: &Task, launch: &Launch, today: &str) -> Option<Level> {
        assess(task, launch, date(today), &calendar(), &Ladder::default()).map(|a| a.level)
    }

    #[test]
    fn overdue_tasks_climb_by_working_days() {
        let far = launch(Tier::Two, "2027-01-29");
        // Due Thursday 2026-12-03.
        let t = task("2026-12-03", TaskStatus::OnTrack, "2026-11-01T00:00:00Z");
        assert_eq!(level_on(&t, &far, "2026-12-02"), Some(Level::Reminder), "due tomorrow");
        assert_eq!(level_on(&t, &far, "2026-12-03"), None, "due today is not late");
        assert_eq!(level_on(&t, &far, "2026-12-04"), Some(Level::Overdue));
        assert_eq!(
            level_on(&t, &far, "2026-12-05"),
            Some(Level::Overdue),
            "Saturday does not count"
        );
        assert_eq!(
            level_on(&t, &far, "2026-12-07"),
            Some(Level::FunctionLead),
            "two working days"
        );
        // Tuesday 12-08 is a holiday: still two working days.
        assert_eq!(level_on(&t, &far, "2026-12-08"), Some(Level::FunctionLead));
        assert_eq!(
            level_on(&t, &far, "2026-12-10"),
            Some(Level::LaunchLead),
            "four working days"
        );
    }

    #[test]
    fn the_reminder_looks_over_weekends() {
        let far = launch(Tier::Two, "2027-01-29");
        let monday_task = task("2026-11-30", TaskStatus::Todo, "2026-11-01T00:00:00Z");
        assert_eq!(
            level_on(&monday_task, &far, "2026-11-27"),
            Some(Level::Reminder),
            "Friday before"
        );
        assert_eq!(level_on(&monday_task, &far, "2026-11-26"), None);
        // An owner far west of the organisation can be in Sunday when the Monday sweep runs.
        assert_eq!(level_on(&monday_task, &far, "2026-11-29"), None, "not on Sunday");
        assert_eq!(level_on(&monday_task, &far, "2026-11-28"), None, "not on Saturday");
    }

    #[test]
    fn the_reminder_goes_out_on_the_last_working_day_before_the_due_date() {
        let far = launch(Tier::Two, "2027-01-29");
        // Due Wednesday 9 December; Tuesday 8th is a holiday: reminded Monday 7th.
        let after_holiday = task("2026-12-09", TaskStatus::Todo, "2026-11-01T00:00:00Z");
        assert_eq!(level_on(&after_holiday, &far, "2026-12-07"), Some(Level::Reminder));
        assert_eq!(level_on(&after_holiday, &far, "2026-12-08"), None, "the holiday");
        // Someone typed Saturday 28 November: reminded on Friday 27th.
        let saturday = task("2026-11-28", TaskStatus::Todo, "2026-11-01T00:00:00Z");
        assert_eq!(level_on(&saturday, &far, "2026-11-27"), Some(Level::Reminder));
    }

    #[test]
    fn blocked_tasks_climb_faster() {
        let far = launch(Tier::Two, "2027-01-29");
        let t = task(
            "2027-01-10",
            TaskStatus::blocked("legal").unwrap(),
            "2026-11-23T15:00:00Z",
        );
        assert_eq!(level_on(&t, &far, "2026-11-23"), None, "blocked today");
        assert_eq!(
            level_on(&t, &far, "2026-11-24"),
            Some(Level::FunctionLead),
            "one working day"
        );
        assert_eq!(
            level_on(&t, &far, "2026-11-25"),
            Some(Level::LaunchLead),
            "two working days"
        );
        let assessment = assess(&t, &far, date("2026-11-25"), &calendar(), &Ladder::default()).unwrap();
        assert_eq!(
            assessment.episode,
            format!("blocked:{}", t.status_changed_at.timestamp_millis())
        );
        assert_eq!(assessment.blocked_days, 2);
    }

    #[test]
    fn tier1_launches_go_straight_to_the_launch_lead_near_launch_day() {
        let near = launch(Tier::One, "2026-12-07");
        let t = task("2026-12-03", TaskStatus::Todo, "2026-11-01T00:00:00Z");
        assert_eq!(level_on(&t, &near, "2026-12-04"), Some(Level::LaunchLead));
        let tier2 = launch(Tier::Two, "2026-12-07");
        assert_eq!(level_on(&t, &tier2, "2026-12-04"), Some(Level::Overdue));
    }

    #[test]
    fn done_snoozed_and_moved_tasks_leave_the_ladder() {
        let far = launch(Tier::Two, "2027-01-29");
        let mut t = task("2026-12-03", TaskStatus::Done, "2026-11-01T00:00:00Z");
        assert_eq!(level_on(&t, &far, "2026-12-10"), None);
        t.status = TaskStatus::OnTrack;
        t.snoozed_until = Some(date("2026-12-10"));
        assert_eq!(level_on(&t, &far, "2026-12-10"), None, "held through the 10th");
        assert_eq!(level_on(&t, &far, "2026-12-11"), Some(Level::LaunchLead));
        let before = episode(&t);
        t.due_date = date("2026-12-15");
        assert_ne!(episode(&t), before, "a new due date is a new episode");
    }

    #[test]
    fn nobody_is_escalated_to_about_their_own_task() {
        let [ann, sally, lead, admin] =
            ["U0ANN", "U0SALLY", "U0LEAD", "U0ADMIN"].map(|u| SlackUserId::parse(u).unwrap());
        let admins = [admin.clone(), ann.clone()];
        let people = |owner, function_lead, launch_lead| LadderPeople {
            owner,
            function_lead,
            launch_lead,
            admins: &admins,
        };
        let person = |p: &SlackUserId| Some(Addressee::Person(p.clone()));
        let only_admin = Some(Addressee::Admins(vec![admin.clone()]));
        // The usual ladder.
        let usual = people(Some(&ann), Some(&sally), Some(&lead));
        assert_eq!(addressee(Level::Overdue, usual), person(&ann));
        assert_eq!(addressee(Level::FunctionLead, usual), person(&sally));
        assert_eq!(addressee(Level::LaunchLead, usual), person(&lead));
        // Sally owns a task of the function she leads: her level goes to the launch lead.
        let sallys = people(Some(&sally), Some(&sally), Some(&lead));
        assert_eq!(
            addressee(Level::Overdue, sallys),
            person(&sally),
            "her own overdue reminder"
        );
        assert_eq!(addressee(Level::FunctionLead, sallys), person(&lead));
        // The launch lead's own task, and a launch with no lead: the admins, never the owner.
        let leads = people(Some(&lead), Some(&lead), Some(&lead));
        assert_eq!(
            addressee(Level::FunctionLead, leads),
            Some(Addressee::Admins(admins.to_vec()))
        );
        let no_lead = people(Some(&ann), None, None);
        assert_eq!(addressee(Level::FunctionLead, no_lead), only_admin);
        assert_eq!(
            addressee(Level::LaunchLead, no_lead),
            only_admin,
            "Ann is an admin, but it is her task"
        );
        // Nobody owns it: level 1 climbs; a reminder has nobody to go to.
        let unowned = people(None, None, Some(&lead));
        assert_eq!(addressee(Level::Overdue, unowned), person(&lead));
        assert_eq!(addressee(Level::Reminder, unowned), None);
    }
}
