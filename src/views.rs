//! What Liftoff answers, as data. The `slack` module renders these as Block Kit; nothing here
//! knows Slack's JSON.

use chrono::NaiveDate;

use liftoff_core::command::Subcommand;
use liftoff_core::gonogo::{GoNoGo, Vote};
use liftoff_core::launch::SuccessMetric;
use liftoff_core::readiness::{LaunchReadiness, Readiness};
use liftoff_core::{
    DueDateMove, DueNote, FunctionDef, FunctionName, HistoryEntry, Launch, LaunchRef, SlackChannelId, SlackUserId,
    Slug, Task, TaskId,
};

/// Who sees a reply: only the person who asked, or everyone in the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Ephemeral,
    InChannel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub visibility: Visibility,
    pub view: View,
    /// Said after the view: what the person should know about how it will work out (e.g. that
    /// Liftoff must be invited to a channel before it can post there).
    pub notes: Vec<String>,
}

impl Reply {
    pub fn ephemeral(view: View) -> Reply {
        Reply {
            visibility: Visibility::Ephemeral,
            view,
            notes: Vec::new(),
        }
    }

    pub fn in_channel(view: View) -> Reply {
        Reply {
            visibility: Visibility::InChannel,
            view,
            notes: Vec::new(),
        }
    }
}

/// A task shown together with its launch, for lists that span launches.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInLaunch {
    pub task: Task,
    pub launch: Launch,
}

#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Help {
        topic: Option<Subcommand>,
    },
    /// Something the person can fix; shown with the subcommand's usage.
    Problem {
        message: String,
        usage: Option<Subcommand>,
    },
    /// Something went wrong on Liftoff's side; details are in the logs, not in Slack.
    InternalError,
    /// Open the launch creation form (needs the request's trigger id).
    NewLaunchForm,
    LaunchCreated {
        launch: Launch,
        /// No `lead:` was given, so its author leads it.
        lead_is_author: bool,
        tasks: Vec<Task>,
        /// Saturation warnings (crowded week, freeze): the reply then goes to its author only.
        warnings: Vec<String>,
        today: NaiveDate,
    },
    /// One task in full: its launch, owner, roles, dates, history, what blocks it and what it
    /// blocks.
    TaskDetail {
        item: TaskInLaunch,
        roles: Vec<liftoff_core::RoleAssignment>,
        history: Vec<HistoryEntry>,
        blocked_by: Option<Task>,
        blocks: Vec<Task>,
        today: NaiveDate,
    },
    LaunchList {
        launches: Vec<(Launch, Readiness)>,
        include_archived: bool,
        today: NaiveDate,
    },
    LaunchDetail(Box<LaunchDetail>),
    LaunchEdited {
        launch: Launch,
        changes: Vec<HistoryEntry>,
        moves: Vec<DueDateMove>,
        warnings: Vec<String>,
        today: NaiveDate,
    },
    Calendar {
        span: CalendarSpan,
        /// The weeks that have launches (each by its Monday), soonest first.
        weeks: Vec<(NaiveDate, Vec<Launch>)>,
    },
    TaskCreated {
        item: TaskInLaunch,
        /// Why the due date is not just what the person typed (a `T-5` on a Saturday), or
        /// that the date they typed is not a working day: said back to them.
        due_note: Option<DueNote>,
        /// No owner was given, so it went to its function's lead.
        lead_by_default: bool,
        today: NaiveDate,
    },
    /// A function's unowned tasks given to one person at once.
    FunctionAssigned {
        launch: Launch,
        /// The function as people read it.
        function: String,
        owner: SlackUserId,
        tasks: Vec<Task>,
        today: NaiveDate,
    },
    TaskUpdated {
        item: TaskInLaunch,
        change: HistoryEntry,
        /// As for `TaskCreated`, when the change set a due date.
        due_note: Option<DueNote>,
        today: NaiveDate,
    },
    FunctionUpdated {
        function: FunctionDef,
    },
    MyTasks {
        user: SlackUserId,
        items: Vec<TaskInLaunch>,
        today: NaiveDate,
    },
    /// What is escalated now: the task, its launch, the level reached and since when.
    Escalations {
        items: Vec<(TaskInLaunch, liftoff_core::escalation::FiredLevel)>,
        today: NaiveDate,
    },
    Template {
        tier: liftoff_core::Tier,
        tasks: Vec<liftoff_core::template::TemplateTask>,
    },
    MetricSet {
        launch: Launch,
        metric: SuccessMetric,
    },
    Workload {
        /// Per person: open tasks and how many of them are overdue.
        people: Vec<(SlackUserId, usize, usize)>,
        /// Per lead: active launches.
        leads: Vec<(SlackUserId, usize)>,
        max_per_lead: usize,
    },
    Retro {
        launch: Launch,
        retro: liftoff_core::retro::Retro,
    },
    /// A go/no-go round was started: who was asked, and functions nobody could be asked for.
    GoNoGoStarted {
        launch: Launch,
        gonogo: GoNoGo,
        leaderless: Vec<FunctionName>,
        pmo: Option<SlackChannelId>,
    },
    /// A lead's answer was recorded (`gonogo` as it stands after it).
    GoNoGoVoted {
        launch: Launch,
        gonogo: GoNoGo,
        function: FunctionName,
        vote: Vote,
        today: NaiveDate,
    },
    /// A task's RACI roles as they stand, just `changed` or only looked at.
    Roles {
        task: TaskId,
        roles: Vec<liftoff_core::RoleAssignment>,
        changed: bool,
    },
    /// The digest is on its way to the PMO channel.
    DigestPosting {
        channel: SlackChannelId,
    },
}

/// Everything `/launch show` presents.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchDetail {
    pub launch: Launch,
    pub tasks: Vec<Task>,
    pub readiness: LaunchReadiness,
    pub metrics: Vec<SuccessMetric>,
    pub functions: Vec<FunctionDef>,
    /// Recent messages Liftoff gave up delivering, so the PMM sees them.
    pub undelivered: Vec<crate::outbound::FailedMessage>,
    /// RACI roles beyond the owner, per task.
    pub roles: std::collections::BTreeMap<liftoff_core::TaskId, Vec<liftoff_core::RoleAssignment>>,
    /// The launch's latest go/no-go round, if any.
    pub gonogo: Option<GoNoGo>,
    pub today: NaiveDate,
}

/// What a person's App Home shows: their open tasks (with their launches), the launches they
/// lead or work on with readiness, and every active launch (the renderer picks the coming ones).
#[derive(Debug, Clone, PartialEq)]
pub struct HomeTab {
    pub today: NaiveDate,
    pub tasks: Vec<Task>,
    pub launches: Vec<Launch>,
    /// Launches the person leads or has tasks in, with their overall readiness.
    pub involved: Vec<(Launch, Readiness)>,
}

/// What stands in the way of a command, with the facts the person needs to put it right. The
/// service says *what* is wrong; the Slack layer words it (`slack::wording`), with mentions and
/// links, so no Slack markup is built in the service.
#[derive(Debug, Clone, PartialEq)]
pub enum UserError {
    /// A rule of the domain refused it, in the domain's own plain words (a task title too
    /// long, a blocked status without a reason, a launch edit that makes no sense).
    Rule(String),
    NoSuchLaunch(LaunchRef),
    NoSuchTask(TaskId),
    NoSuchFunction(FunctionName),
    LaunchArchived(Slug),
    AlreadyArchived(Slug),
    TaskInArchivedLaunch {
        task: TaskId,
        launch: Slug,
    },
    DateInPast {
        date: NaiveDate,
        today: NaiveDate,
    },
    /// The calendar has no working day left to count (a configuration problem).
    NoWorkingDays,
    SnoozeNotAfterToday {
        today: NaiveDate,
    },
    SnoozeTooLong {
        working_days: u32,
        latest: NaiveDate,
    },
    WaitsOnItself,
    NoSuchMetric {
        launch: Slug,
        name: String,
        known: Vec<String>,
    },
    QuarterOutsideCalendar,
    NoPmoChannel,
    DigestTooSoon {
        wait_minutes: i64,
    },
    /// Only the launch's lead or an admin may do this.
    NotLaunchManager {
        launch: Slug,
        lead: Option<SlackUserId>,
        action: Subcommand,
    },
    /// Only the function's lead or an admin may change its channel or lead.
    NotFunctionManager {
        function: String,
        lead: Option<SlackUserId>,
        setting: Subcommand,
    },
    GoNoGoAfterLaunch {
        launch: Slug,
        launched_on: NaiveDate,
    },
    NobodyToAsk {
        functions: Vec<FunctionName>,
    },
    GoNoGoUnderWay {
        launch: Slug,
        started: Option<(SlackUserId, NaiveDate)>,
        waiting: Vec<(SlackUserId, FunctionName)>,
    },
    GoNoGoGone,
    GoNoGoNotAsked {
        function: FunctionName,
        voter: Option<SlackUserId>,
    },
    GoNoGoDecided {
        launch: Slug,
        decided_on: Option<NaiveDate>,
    },
    /// Only the task's owner, its function's lead, the launch's lead or an admin may change it.
    NotTaskChanger {
        task: TaskId,
        /// The function's name as people read it.
        function: String,
        /// Boxed: a refusal is rare, and every `Result` carrying one should stay small.
        deciders: Box<liftoff_core::task::permission::Deciders>,
    },
    /// In a check-in's thread: a task id of another launch than the check-in asks about,
    /// most likely mistyped; not applied.
    TaskOfOtherLaunch {
        task: TaskId,
        launch: Slug,
        launch_name: String,
    },
    /// `/launch assign <launch> <function> @person` when the function has no unowned open task.
    NothingToAssign {
        launch: Slug,
        function: String,
    },
    /// `block T6 by T19` where T19 is already done: there is nothing to wait for.
    WaitsOnDone(TaskId),
    /// `block T6 by T19` where T19 belongs to another launch.
    WaitsOnOtherLaunch {
        by: TaskId,
        launch: Slug,
    },
    /// In a reply: a line without a task id, and the writer owns no open task there.
    NoOwnOpenTask,
    /// In a reply: a line without a task id, and the writer owns several open tasks there.
    SeveralOwnOpenTasks(Vec<TaskId>),
}

/// A line of a reply that could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyProblem {
    /// Not an update Liftoff understands; the grammar's own plain words say why.
    Unreadable(String),
    /// An update the service refused (for `task`, when the line named or meant one).
    Refused { task: Option<TaskId>, refusal: UserError },
}

/// Which weeks a launch calendar covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarSpan {
    /// `weeks` weeks from the Monday `from` (this week): what `/launch calendar` shows, so a
    /// launch six weeks out is on it whatever the day of the quarter.
    Weeks { from: NaiveDate, weeks: u32 },
    /// A calendar quarter (1..=4), on request (`/launch calendar Q1`).
    Quarter { year: i32, quarter: u32 },
}
