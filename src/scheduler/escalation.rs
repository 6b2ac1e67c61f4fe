//! The escalation sweep: finds open tasks that are due tomorrow, overdue or blocked (indexed
//! queries, not a scan), asks the domain ladder where each stands, and fires each level once
//! per task and episode. What a sweep fires is said in one message per place and level: one
//! list per channel and launch, one per person (across launches), one line per check-in
//! thread, not one message per task. Each level's records and messages are one transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::Scheduler;
use crate::notify::{self, EscalationView};
use crate::outbound::OutboxMessage;
use crate::slack::render::readiness_label;
use crate::store::StoreError;
use liftoff_core::escalation::{Addressee, Assessment, LadderPeople, Level, addressee, assess};
use liftoff_core::readiness::readiness;
use liftoff_core::{FunctionDef, Launch, LaunchId, SlackUserId, Task, TaskId};

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: usize,
    pub fired: usize,
    /// Metric reviews asked for (filled in by the scheduler).
    pub reviews: usize,
    /// Go/no-go reminders sent (filled in by the scheduler).
    pub gonogo_reminders: usize,
}

/// Where a level is said, and in what form. Tasks told in the same place share one message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    /// A channel, or a person (a DM).
    target: String,
    /// For a channel post, the launch: one list per channel, launch and level. `None` for a
    /// person (one list across launches) and a check-in thread (its check-in spans launches).
    launch: Option<LaunchId>,
    /// The check-in whose thread gets the overdue line, for that form.
    checkin_thread: Option<String>,
}

/// One place a task is told about, with the people its line mentions and those the level
/// asks to act (named once in a list's heading).
struct Telling {
    place: Place,
    mentions: Vec<SlackUserId>,
    addressed: Vec<SlackUserId>,
}

/// A task whose level fires in this sweep, with what its messages need.
struct Fire<'a> {
    task: &'a Task,
    launch: &'a Launch,
    assessment: Assessment,
    today: NaiveDate,
    blocker: Option<Task>,
    tellings: Vec<Telling>,
}

pub async fn sweep(scheduler: &Scheduler) -> Result<SweepReport, StoreError> {
    let config = &scheduler.config;
    let calendar = &config.calendar;
    let now = scheduler.clock.now();
    let org_today = calendar.local_date(now, None);
    let mut report = SweepReport::default();
    if !config.escalation_enabled || !calendar.is_working_day(org_today) {
        return Ok(report);
    }
    let store = &scheduler.store;
    // Tomorrow's reminders, and a day's slack for people east of the organisation.
    let horizon = calendar.next_working_day(org_today).unwrap_or(org_today) + Duration::days(1);
    let candidates = store.open_tasks_due_by(horizon).await?;
    if candidates.is_empty() {
        return Ok(report);
    }
    let launches: BTreeMap<LaunchId, Launch> = store
        .list_launches(false)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    // Everyone's time zone: their "today" for the ladder, and their working hours for DMs.
    let working = super::hours::WorkingTime::load(store, now, &config.working_hours, calendar).await?;
    let functions = scheduler.service.effective_functions().await?;
    let fired_before = store.fired_levels_of_open_tasks().await?;
    let mut fires = Vec::new();
    for task in &candidates {
        let Some(launch) = launches.get(&task.launch_id) else {
            continue;
        };
        report.examined += 1;
        let tz = task.owner.as_ref().and_then(|o| working.timezone(o.as_str()));
        let today = calendar.local_date(now, tz);
        let Some(assessment) = assess(task, launch, today, calendar, &config.ladder) else {
            continue;
        };
        // Read once for the sweep; a level another sweep fires meanwhile is still refused by
        // the store's unique key when this one tries to record it.
        let fired = fired_before.get(&(task.id, assessment.episode.clone()));
        if fired.is_some_and(|levels| levels.iter().any(|level| *level >= assessment.level.number())) {
            continue;
        }
        let blocker = match task.blocked_by {
            Some(id) => store.task(id).await?,
            None => None,
        };
        let mut fire = Fire {
            task,
            launch,
            assessment,
            today,
            blocker,
            tellings: Vec::new(),
        };
        fire.tellings = tellings(scheduler, &functions, &fire).await?;
        fires.push(fire);
    }
    // The launch lead hears how ready the launch is.
    let mut readiness_of: BTreeMap<LaunchId, String> = BTreeMap::new();
    for fire in fires.iter().filter(|f| f.assessment.level == Level::LaunchLead) {
        if let std::collections::btree_map::Entry::Vacant(entry) = readiness_of.entry(fire.launch.id) {
            let tasks = store.launch_tasks(fire.launch.id).await?;
            entry.insert(readiness_label(&readiness(fire.launch, &tasks, org_today).overall));
        }
    }
    for level in Level::ALL {
        let at_level: Vec<&Fire> = fires.iter().filter(|f| f.assessment.level == level).collect();
        if at_level.is_empty() {
            continue;
        }
        let rows: Vec<(TaskId, LaunchId, String)> = at_level
            .iter()
            .map(|f| (f.task.id, f.launch.id, f.assessment.episode.clone()))
            .collect();
        let nowhere: BTreeSet<TaskId> = at_level
            .iter()
            .filter(|f| f.tellings.is_empty())
            .map(|f| f.task.id)
            .collect();
        let outcome = |task: TaskId| {
            if nowhere.contains(&task) {
                "sent: nowhere to send"
            } else {
                "sent"
            }
        };
        let fired = store
            .record_escalation_level(level.number(), &rows, outcome, now, |fired| {
                messages(&at_level, fired, level, &readiness_of, &working)
            })
            .await?;
        report.fired += fired.len();
        for task in &fired {
            scheduler
                .metrics
                .escalations
                .get_or_create(&crate::metrics::LevelLabels {
                    level: level.number().to_string(),
                })
                .inc();
            tracing::info!(task = %task, level = %level, "escalated");
        }
    }
    // Lower levels never reached on their own are passed: they must not fire later.
    for fire in &fires {
        for level in Level::ALL
            .into_iter()
            .filter(|l| *l > Level::Reminder && *l < fire.assessment.level)
        {
            store
                .record_escalation(
                    fire.task.id,
                    fire.launch.id,
                    &fire.assessment.episode,
                    level.number(),
                    "superseded",
                    &[],
                    now,
                )
                .await?;
        }
    }
    Ok(report)
}

/// The messages of one level for the tasks `fired` now: one per place (split only where
/// Slack's limits make it), each with the tasks it lists. A DM (the day-before reminder, an
/// overdue task told to its owner's lead) waits for its recipient's working hours.
fn messages(
    fires: &[&Fire<'_>],
    fired: &[TaskId],
    level: Level,
    readiness_of: &BTreeMap<LaunchId, String>,
    working: &super::hours::WorkingTime<'_>,
) -> Vec<(OutboxMessage, Vec<TaskId>)> {
    let mut places: BTreeMap<&Place, Vec<(&Fire<'_>, &Telling)>> = BTreeMap::new();
    for fire in fires.iter().filter(|f| fired.contains(&f.task.id)) {
        for telling in &fire.tellings {
            places.entry(&telling.place).or_default().push((fire, telling));
        }
    }
    let mut messages = Vec::new();
    for (place, told) in places {
        let Some((first, _)) = told.first() else {
            continue;
        };
        let parts = match &place.checkin_thread {
            Some(_) => {
                let tasks: Vec<&Task> = told.iter().map(|(fire, _)| fire.task).collect();
                notify::overdue_in_checkin_thread(&tasks)
            }
            None => {
                let views: Vec<EscalationView<'_>> = told
                    .iter()
                    .map(|(fire, telling)| EscalationView {
                        task: fire.task,
                        launch: fire.launch,
                        level,
                        overdue_days: fire.assessment.overdue_days,
                        blocked_days: fire.assessment.blocked_days,
                        mentions: telling.mentions.clone(),
                        blocker: fire.blocker.as_ref(),
                        readiness: (level == Level::LaunchLead)
                            .then(|| readiness_of.get(&fire.launch.id).cloned())
                            .flatten(),
                        today: fire.today,
                    })
                    .collect();
                let mut addressed: Vec<SlackUserId> = Vec::new();
                for person in told.iter().flat_map(|(_, telling)| &telling.addressed) {
                    if !addressed.contains(person) {
                        addressed.push(person.clone());
                    }
                }
                notify::escalation_list(&views, &addressed)
            }
        };
        // Unique: a task fires a level once per episode, and is first in one list per place.
        let form = if place.checkin_thread.is_some() {
            "thread"
        } else {
            "post"
        };
        let base = format!(
            "esc:{}:{}:{}:{form}:{}",
            first.task.id.0,
            first.assessment.episode,
            level.number(),
            place.target
        );
        let count = parts.len();
        for (index, (rendered, tasks)) in parts.into_iter().enumerate() {
            let key = if count > 1 {
                format!("{base}:{}", index + 1)
            } else {
                base.clone()
            };
            let message = OutboxMessage {
                thread_of: place.checkin_thread.clone(),
                ..notify::post_message(key, "escalation", &place.target, &rendered)
            };
            messages.push((working.hold(message), tasks));
        }
    }
    messages
}

/// Where a task's level is told, and who is mentioned and asked to act (see
/// [`liftoff_core::escalation::addressee`]: nobody is escalated to about their own task; a
/// launch without a lead falls back to the admins, in the PMO channel).
async fn tellings(
    scheduler: &Scheduler,
    functions: &[FunctionDef],
    fire: &Fire<'_>,
) -> Result<Vec<Telling>, StoreError> {
    let config = &scheduler.config;
    let task = fire.task;
    let level = fire.assessment.level;
    let function = functions.iter().find(|f| f.name == task.function);
    let function_lead = function.and_then(|f| f.lead.clone());
    let launch_lead = fire.launch.lead.clone();
    let people = LadderPeople {
        owner: task.owner.as_ref(),
        function_lead: function_lead.as_ref(),
        launch_lead: launch_lead.as_ref(),
        admins: &config.admins,
    };
    let Some(addressee) = addressee(level, people) else {
        return Ok(Vec::new());
    };
    let (addressed, to_admins) = match addressee {
        Addressee::Person(person) => (vec![person], false),
        Addressee::Admins(admins) => (admins, true),
    };
    let blocker_owner = fire.blocker.as_ref().and_then(|b| b.owner.clone());
    let channel_of = |channel: Option<&liftoff_core::SlackChannelId>| channel.map(|c| c.as_str().to_owned());
    let function_channel = function.and_then(|f| f.channel.as_ref());
    let (pmo, escalation) = (config.channels.pmo.as_ref(), config.channels.escalation.as_ref());
    let in_channel = |channel: Option<String>, mentions: Vec<SlackUserId>| {
        channel.map(|target| Telling {
            place: Place {
                target,
                launch: Some(fire.launch.id),
                checkin_thread: None,
            },
            mentions,
            addressed: addressed.clone(),
        })
    };
    let mut tellings = Vec::new();
    match level {
        Level::Reminder => tellings.extend(addressed.iter().map(|person| direct(person, Vec::new(), &addressed))),
        Level::Overdue => {
            let mentions: Vec<SlackUserId> = [task.owner.clone(), blocker_owner]
                .into_iter()
                .flatten()
                .chain(if to_admins { addressed.clone() } else { Vec::new() })
                .collect();
            match (to_admins, channel_of(pmo)) {
                (true, Some(pmo)) => tellings.extend(in_channel(Some(pmo), mentions)),
                _ => tellings.extend(
                    addressed
                        .iter()
                        .map(|person| direct(person, mentions.clone(), &addressed)),
                ),
            }
            if let Some(checkin) = scheduler.store.latest_checkin(&task.function).await?
                && let Some(channel) = checkin.channel
            {
                tellings.push(Telling {
                    place: Place {
                        target: channel,
                        launch: None,
                        checkin_thread: Some(checkin.outbox_key),
                    },
                    mentions: Vec::new(),
                    addressed: Vec::new(),
                });
            }
        }
        Level::FunctionLead => {
            // The accountable person (RACI) hears from level 2 on.
            let accountable = scheduler
                .store
                .task_roles(task.id)
                .await?
                .into_iter()
                .find(|r| r.role == liftoff_core::RaciRole::Accountable)
                .map(|r| r.user);
            let mentions = [task.owner.clone()]
                .into_iter()
                .flatten()
                .chain(addressed.iter().cloned())
                .chain([accountable, blocker_owner].into_iter().flatten())
                .collect();
            let channel = channel_of(function_channel.or(escalation).or(pmo));
            tellings.extend(in_channel(channel, mentions));
        }
        Level::LaunchLead => {
            let mentions = addressed
                .iter()
                .cloned()
                .chain([function_lead, task.owner.clone(), blocker_owner].into_iter().flatten())
                .collect();
            // A launch without a lead (or led by the owner) is the PMO's: its channel first.
            let channel = if to_admins {
                pmo.or(escalation).or(function_channel)
            } else {
                escalation.or(pmo).or(function_channel)
            };
            tellings.extend(in_channel(channel_of(channel), mentions));
        }
    }
    Ok(tellings)
}

/// A DM to `person`.
fn direct(person: &SlackUserId, mentions: Vec<SlackUserId>, addressed: &[SlackUserId]) -> Telling {
    Telling {
        place: Place {
            target: person.as_str().to_owned(),
            launch: None,
            checkin_thread: None,
        },
        mentions,
        addressed: addressed.to_vec(),
    }
}
