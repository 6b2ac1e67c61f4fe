//! What a person asked Liftoff to do, already parsed and validated as far as parsing can
//! (ids, dates, mentions, functions). The slash command, the modals and the buttons all end up
//! as one of these, so they share one implementation and one history.

use std::fmt;

use crate::launch::LaunchEdit;
use crate::{DueDate, FunctionName, LaunchDraft, LaunchRef, SlackChannelId, SlackUserId, TaskId, TaskStatus};

/// The `/launch` subcommands, in the order `/launch help` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subcommand {
    Help,
    New,
    List,
    Show,
    Edit,
    Archive,
    Task,
    Assign,
    Unassign,
    Due,
    Done,
    OnTrack,
    Risk,
    Block,
    Unblock,
    Snooze,
    Escalations,
    Template,
    Metric,
    Actual,
    Workload,
    Calendar,
    Retro,
    GoNoGo,
    Raci,
    Channel,
    Lead,
    Digest,
    Mine,
}

impl Subcommand {
    pub const ALL: [Subcommand; 29] = [
        Subcommand::Help,
        Subcommand::New,
        Subcommand::List,
        Subcommand::Show,
        Subcommand::Edit,
        Subcommand::Archive,
        Subcommand::Task,
        Subcommand::Assign,
        Subcommand::Unassign,
        Subcommand::Due,
        Subcommand::Done,
        Subcommand::OnTrack,
        Subcommand::Risk,
        Subcommand::Block,
        Subcommand::Unblock,
        Subcommand::Snooze,
        Subcommand::Escalations,
        Subcommand::Template,
        Subcommand::Metric,
        Subcommand::Actual,
        Subcommand::Workload,
        Subcommand::Calendar,
        Subcommand::Retro,
        Subcommand::GoNoGo,
        Subcommand::Raci,
        Subcommand::Channel,
        Subcommand::Lead,
        Subcommand::Digest,
        Subcommand::Mine,
    ];

    /// The word typed after `/launch`.
    pub fn name(self) -> &'static str {
        match self {
            Subcommand::Help => "help",
            Subcommand::New => "new",
            Subcommand::List => "list",
            Subcommand::Show => "show",
            Subcommand::Edit => "edit",
            Subcommand::Archive => "archive",
            Subcommand::Task => "task",
            Subcommand::Assign => "assign",
            Subcommand::Unassign => "unassign",
            Subcommand::Due => "due",
            Subcommand::Done => "done",
            Subcommand::OnTrack => "ontrack",
            Subcommand::Risk => "risk",
            Subcommand::Block => "block",
            Subcommand::Unblock => "unblock",
            Subcommand::Snooze => "snooze",
            Subcommand::Escalations => "escalations",
            Subcommand::Template => "template",
            Subcommand::Metric => "metric",
            Subcommand::Actual => "actual",
            Subcommand::Workload => "workload",
            Subcommand::Calendar => "calendar",
            Subcommand::Retro => "retro",
            Subcommand::GoNoGo => "gonogo",
            Subcommand::Raci => "raci",
            Subcommand::Channel => "channel",
            Subcommand::Lead => "lead",
            Subcommand::Digest => "digest",
            Subcommand::Mine => "mine",
        }
    }

    /// Finds a subcommand by name or a common synonym.
    pub fn parse(word: &str) -> Option<Subcommand> {
        let lower = word.to_ascii_lowercase();
        let synonym = match lower.as_str() {
            "create" | "add" => Some(Subcommand::New),
            "ls" => Some(Subcommand::List),
            "view" | "status" => Some(Subcommand::Show),
            "on-track" | "on_track" => Some(Subcommand::OnTrack),
            "atrisk" | "at-risk" | "at_risk" => Some(Subcommand::Risk),
            "blocked" => Some(Subcommand::Block),
            "my" | "me" => Some(Subcommand::Mine),
            "go-no-go" | "go/no-go" | "go_no_go" => Some(Subcommand::GoNoGo),
            "?" => Some(Subcommand::Help),
            _ => None,
        };
        synonym.or_else(|| Subcommand::ALL.into_iter().find(|s| s.name() == lower))
    }

    /// The grammar, as shown with errors and in help.
    pub fn usage(self) -> &'static str {
        match self {
            Subcommand::Help => "/launch help [subcommand]",
            Subcommand::New => "/launch new <name> tier:<1|2|3> date:<date> [lead:@user]",
            Subcommand::List => "/launch list [all]",
            Subcommand::Show => "/launch show <launch|task>",
            Subcommand::Edit => "/launch edit <launch> [name:\"…\"] [date:<date|+1w|-3d>] [tier:<n>] [lead:@user]",
            Subcommand::Archive => "/launch archive <launch>",
            Subcommand::Task => "/launch task <launch> <function> <title…> [owner:@user] [due:<date>]",
            Subcommand::Assign => "/launch assign <task> @user|me · /launch assign <launch> <function> @user|me",
            Subcommand::Unassign => "/launch unassign <task>",
            Subcommand::Due => "/launch due <task> <date>",
            Subcommand::Done => "/launch done <task> [note…]",
            Subcommand::OnTrack => "/launch ontrack <task> [note…]",
            Subcommand::Risk => "/launch risk <task> [note…]",
            Subcommand::Block => "/launch block <task> [by <task>] <reason…>",
            Subcommand::Unblock => "/launch unblock <task>",
            Subcommand::Snooze => "/launch snooze <task> [working days]",
            Subcommand::Escalations => "/launch escalations [launch]",
            Subcommand::Template => "/launch template <1|2|3>",
            Subcommand::Metric => "/launch metric <launch> \"<name>\" target:<value> [by:T+30]",
            Subcommand::Actual => "/launch actual <launch> \"<name>\" <value>",
            Subcommand::Workload => "/launch workload",
            Subcommand::Calendar => "/launch calendar [quarter]",
            Subcommand::Retro => "/launch retro <launch>",
            Subcommand::GoNoGo => "/launch gonogo <launch>",
            Subcommand::Raci => "/launch raci <task> [accountable:@user] [consulted:@user…] [informed:@user…] [clear]",
            Subcommand::Channel => "/launch channel <function> #channel",
            Subcommand::Lead => "/launch lead <function> @user",
            Subcommand::Digest => "/launch digest [launch]",
            Subcommand::Mine => "/launch mine",
        }
    }

    /// One line on what it does.
    pub fn summary(self) -> &'static str {
        match self {
            Subcommand::Help => "this help, or the usage of one subcommand",
            Subcommand::New => "create a launch and its tier's template tasks (no arguments: a form)",
            Subcommand::List => "active launches, soonest first (`all` includes archived)",
            Subcommand::Show => "a launch's plan, tasks by function, and readiness; or one task in full",
            Subcommand::Edit => {
                "rename, move, re-tier or hand over a launch (its lead or an admin); `date:+1w` or `date:-3d` moves it from its current launch date, not from today, and its open tasks move with it"
            }
            Subcommand::Archive => "stop chasing a launch (its lead or an admin)",
            Subcommand::Task => "add a task for a function",
            Subcommand::Assign => {
                "give a task to someone (or take it: `me`), or all of a function's unowned tasks at once"
            }
            Subcommand::Unassign => "take a task off its owner, so nobody owns it",
            Subcommand::Due => "set a task's due date",
            Subcommand::Done => "mark a task done",
            Subcommand::OnTrack => "mark a task on track",
            Subcommand::Risk => "mark a task at risk",
            Subcommand::Block => "mark a task blocked, with the reason",
            Subcommand::Unblock => "clear a block (the task goes back on track)",
            Subcommand::Snooze => "hold nudges and escalations for a task (default 1 working day)",
            Subcommand::Escalations => "what is escalated now, at which level, since when",
            Subcommand::Template => "the tasks a new launch of that tier starts with",
            Subcommand::Metric => {
                "set a success metric's target (25%, 2.5k, $2M; <50 when lower is better), reviewed after launch (default T+30)"
            }
            Subcommand::Actual => "record a success metric's measured value",
            Subcommand::Workload => "open tasks per person and active launches per lead",
            Subcommand::Calendar => "launches by week: the next 13 weeks, or a quarter (e.g. Q1 or 2027-Q1)",
            Subcommand::Retro => "dates slipped, blocked time per function, escalations, metric results",
            Subcommand::GoNoGo => {
                "ask each function lead for Go / No-go; the result goes to the launch lead and PMO channel"
            }
            Subcommand::Raci => {
                "show or set who is accountable, consulted and informed (the owner is responsible); `clear` removes them"
            }
            Subcommand::Channel => "where that function's check-ins go",
            Subcommand::Lead => "the function's lead, who escalations reach first",
            Subcommand::Digest => "post the digest now",
            Subcommand::Mine => "my open tasks across launches",
        }
    }
}

impl fmt::Display for Subcommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who a task is given to, as typed: someone (`@maria`), the person typing (`me`), or
/// nobody (`/launch unassign`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Person(SlackUserId),
    Me,
    Nobody,
}

impl Assignee {
    /// The owner this means when `actor` typed it.
    pub fn resolve(&self, actor: &SlackUserId) -> Option<SlackUserId> {
        match self {
            Assignee::Person(person) => Some(person.clone()),
            Assignee::Me => Some(actor.clone()),
            Assignee::Nobody => None,
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help {
        topic: Option<Subcommand>,
    },
    /// `/launch new` with no arguments: open the creation form.
    NewLaunchForm,
    NewLaunch(LaunchDraft),
    List {
        include_archived: bool,
    },
    Show(LaunchRef),
    /// One task in full: `/launch show T12`.
    ShowTask(TaskId),
    Edit {
        launch: LaunchRef,
        edit: LaunchEdit,
    },
    Archive(LaunchRef),
    AddTask {
        launch: LaunchRef,
        function: FunctionName,
        title: String,
        owner: Option<SlackUserId>,
        due: Option<DueDate>,
    },
    Assign {
        task: TaskId,
        owner: Assignee,
    },
    /// Every unowned open task of a function in a launch to one person.
    AssignFunction {
        launch: LaunchRef,
        function: FunctionName,
        owner: Assignee,
    },
    SetDue {
        task: TaskId,
        due: DueDate,
    },
    SetStatus {
        task: TaskId,
        status: TaskStatus,
        note: Option<String>,
    },
    /// Hold them until a date (the escalation's date picker).
    SnoozeUntil {
        task: TaskId,
        until: chrono::NaiveDate,
    },
    /// "Acknowledge" on an escalation: someone is on it; hold further levels for a while.
    Acknowledge {
        task: TaskId,
    },
    /// `block T12 by T7 <reason>`: blocked, waiting on another task.
    BlockedBy {
        task: TaskId,
        by: TaskId,
        reason: String,
    },
    Escalations(Option<LaunchRef>),
    Template(crate::Tier),
    Metric {
        launch: LaunchRef,
        metric: crate::SuccessMetric,
    },
    Actual {
        launch: LaunchRef,
        name: String,
        value: f64,
    },
    Workload,
    /// A quarter as (year, 1..=4); `None` is the next 13 weeks from this one.
    Calendar(Option<(i32, u32)>),
    Retro(LaunchRef),
    /// Start a go/no-go round for the launch.
    GoNoGo(LaunchRef),
    /// A function lead's answer in a go/no-go round (from its buttons and reason modal).
    GoNoGoVote {
        gonogo: i64,
        function: FunctionName,
        vote: crate::gonogo::Vote,
    },
    /// Replaces a task's RACI roles beyond its owner.
    /// A task's RACI roles: `None` shows them; `Some` sets them (empty: `clear`).
    Raci {
        task: TaskId,
        roles: Option<Vec<crate::RoleAssignment>>,
    },
    /// Hold nudges and escalations for this many working days.
    Snooze {
        task: TaskId,
        working_days: u32,
    },
    SetChannel {
        function: FunctionName,
        channel: SlackChannelId,
    },
    SetLead {
        function: FunctionName,
        lead: SlackUserId,
    },
    Digest(Option<LaunchRef>),
    Mine,
}

impl Command {
    /// The subcommand whose usage applies when this command fails.
    pub fn subcommand(&self) -> Subcommand {
        match self {
            Command::Help { .. } => Subcommand::Help,
            Command::NewLaunchForm | Command::NewLaunch(_) => Subcommand::New,
            Command::List { .. } => Subcommand::List,
            Command::Show(_) | Command::ShowTask(_) => Subcommand::Show,
            Command::Edit { .. } => Subcommand::Edit,
            Command::Archive(_) => Subcommand::Archive,
            Command::AddTask { .. } => Subcommand::Task,
            Command::Assign {
                owner: Assignee::Nobody,
                ..
            } => Subcommand::Unassign,
            Command::Assign { .. } | Command::AssignFunction { .. } => Subcommand::Assign,
            Command::SetDue { .. } => Subcommand::Due,
            Command::SetStatus { status, .. } => match status {
                TaskStatus::Done => Subcommand::Done,
                TaskStatus::AtRisk => Subcommand::Risk,
                TaskStatus::Blocked { .. } => Subcommand::Block,
                TaskStatus::OnTrack | TaskStatus::Todo => Subcommand::OnTrack,
            },
            Command::Snooze { .. } | Command::SnoozeUntil { .. } | Command::Acknowledge { .. } => Subcommand::Snooze,
            Command::BlockedBy { .. } => Subcommand::Block,
            Command::Escalations(_) => Subcommand::Escalations,
            Command::Template(_) => Subcommand::Template,
            Command::Metric { .. } => Subcommand::Metric,
            Command::Actual { .. } => Subcommand::Actual,
            Command::Workload => Subcommand::Workload,
            Command::Calendar(_) => Subcommand::Calendar,
            Command::Retro(_) => Subcommand::Retro,
            Command::GoNoGo(_) | Command::GoNoGoVote { .. } => Subcommand::GoNoGo,
            Command::Raci { .. } => Subcommand::Raci,
            Command::SetChannel { .. } => Subcommand::Channel,
            Command::SetLead { .. } => Subcommand::Lead,
            Command::Digest(_) => Subcommand::Digest,
            Command::Mine => Subcommand::Mine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_parses_from_its_own_name() {
        for sub in Subcommand::ALL {
            assert_eq!(Subcommand::parse(sub.name()), Some(sub));
            assert!(sub.usage().starts_with(&format!("/launch {}", sub.name())), "{sub}");
        }
        assert_eq!(Subcommand::parse("BLOCKED"), Some(Subcommand::Block));
        assert_eq!(Subcommand::parse("launch"), None);
    }
}
