//! The check-in a function's channel gets, and the nudge to someone who has not answered it.
//! Each check-in part says which tasks it lists, so nothing reads them back out of Block Kit.

use chrono::NaiveDate;

use super::layout::{Cost, PartLayout, escaped_len, lay_out, part_suffix, render_part, task_row_chars_bound};
use crate::outbound::{OutboxMessage, OutboxMethod, Payload};
use crate::slack::blocks::{Rendered, context, escape_quiet, header, section};
use crate::slack::markup::Markup;
use crate::slack::render::{patch_task_rows, task_line, task_row, task_row_blocks};
use liftoff_core::checkin::FunctionRound;
use liftoff_core::{FunctionDef, Launch, LaunchId, SlackUserId, Task, TaskId};
use serde::{Deserialize, Serialize};

/// One message of a check-in, and the tasks it lists (the ones its buttons and replies can
/// change), in the order it shows them.
#[derive(Debug, Clone)]
pub struct CheckinPart {
    pub rendered: Rendered,
    pub tasks: Vec<TaskId>,
}

/// A launch's title or one of its tasks, in a check-in.
#[derive(Debug)]
enum CheckinUnit<'a> {
    Launch(&'a Launch),
    Task(&'a Task),
}

/// The messages of one function's check-in: its open tasks grouped by launch, with buttons.
/// Rendered one message at a time, as they are taken.
pub fn checkin<'a>(
    function: &'a FunctionDef,
    round: &'a FunctionRound<'_>,
    day_label: &'a str,
    today: NaiveDate,
) -> impl Iterator<Item = CheckinPart> + 'a {
    checkin_layout(function, round, day_label, today).map(CheckinDraft::render)
}

/// One message of a check-in, laid out but not rendered: what a round enqueues as a
/// [`CheckinPlan`], or renders at once ([`CheckinDraft::render`]).
#[derive(Debug)]
pub struct CheckinDraft<'a> {
    layout: PartLayout<CheckinUnit<'a>>,
    function: &'a str,
    day_label: &'a str,
    today: NaiveDate,
}

impl CheckinDraft<'_> {
    /// Which message of the check-in this is, from 1.
    pub fn part(&self) -> usize {
        self.layout.part
    }

    pub fn render(self) -> CheckinPart {
        let (rendered, tasks) = render_units(self.layout, self.function, self.day_label, self.today, "");
        CheckinPart { rendered, tasks }
    }

    /// The tasks it lists, in order, each with its owner as laid out: what the round records
    /// beside the message, so that replies, nudges and escalations can find them.
    pub fn listed(&self) -> Vec<(TaskId, Option<SlackUserId>)> {
        self.layout
            .units
            .iter()
            .filter_map(|unit| match unit {
                CheckinUnit::Task(task) => Some((task.id, task.owner.clone())),
                CheckinUnit::Launch(_) => None,
            })
            .collect()
    }

    /// What the round stores of this message: its heading and which rows it shows.
    pub fn plan(&self) -> CheckinPlan {
        CheckinPlan {
            function: self.function.to_owned(),
            day_label: self.day_label.to_owned(),
            today: self.today,
            part: self.layout.part,
            parts: self.layout.parts,
            rows: self
                .layout
                .units
                .iter()
                .map(|unit| match unit {
                    CheckinUnit::Launch(launch) => PlannedRow::Launch(launch.id),
                    CheckinUnit::Task(task) => PlannedRow::Task(task.id),
                })
                .collect(),
        }
    }
}

/// A check-in message as a round enqueues it (the outbox body `{"checkin": …}`): its heading
/// and which launch titles and task rows it shows, in order, but not their Block Kit. It is
/// drawn when it is sent ([`CheckinPlan::draw`]), and again whenever a reply changes one of its
/// tasks, from the tasks as they are then. So a part that waits its turn behind Slack's
/// one-post-a-second pacing (a function with hundreds of parts waits minutes) never asks about
/// a task as it was before someone answered, and a round stores a few bytes per task where the
/// Block Kit of a row with its five buttons is ~900.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinPlan {
    /// The function's display name, as the heading shows it.
    pub function: String,
    /// The round's day, as the heading shows it ("Mon 23 Nov").
    pub day_label: String,
    /// The round's day: what "due tomorrow" and "overdue" are counted from when it is posted.
    pub today: NaiveDate,
    /// Which message of the check-in this is, from 1, and of how many.
    pub part: usize,
    pub parts: usize,
    pub rows: Vec<PlannedRow>,
}

/// A row of a [`CheckinPlan`]: a launch's title, or a task with its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedRow {
    Launch(LaunchId),
    Task(TaskId),
}

/// The outbox body of a planned check-in message.
#[derive(Serialize, Deserialize)]
struct PlannedBody<T> {
    checkin: T,
}

impl CheckinPlan {
    /// The tasks it lists, in order.
    pub fn tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.rows.iter().filter_map(|row| match row {
            PlannedRow::Task(id) => Some(*id),
            PlannedRow::Launch(_) => None,
        })
    }

    /// The launches whose titles it shows.
    pub fn launches(&self) -> impl Iterator<Item = LaunchId> + '_ {
        self.rows.iter().filter_map(|row| match row {
            PlannedRow::Launch(id) => Some(*id),
            PlannedRow::Task(_) => None,
        })
    }

    /// The message drawn from `launches` and `tasks` as they are now, counting days from
    /// `today`: each task's current status, and buttons only while it is open (a task done since
    /// the round stays listed, as done). A row whose launch or task is gone is left out. Rows
    /// that grew since the round was laid out (a long blocked reason) give way to a note at the
    /// end rather than break Slack's limits.
    pub fn draw(&self, launches: &[Launch], tasks: &[Task], today: NaiveDate) -> Rendered {
        let units = self
            .rows
            .iter()
            .filter_map(|row| match row {
                PlannedRow::Launch(id) => launches.iter().find(|l| l.id == *id).map(CheckinUnit::Launch),
                PlannedRow::Task(id) => tasks.iter().find(|t| t.id == *id).map(CheckinUnit::Task),
            })
            .collect();
        let layout = PartLayout {
            part: self.part,
            parts: self.parts,
            units,
        };
        render_units(layout, &self.function, &self.day_label, today, REDRAWN_HINT).0
    }

    /// The outbox body: `{"checkin": …}`.
    pub fn payload(&self) -> Payload {
        Payload::of(&PlannedBody { checkin: self }).expect("a plan of names, dates and ids always serializes")
    }

    /// The plan a stored body holds, or `None` for any other body (a check-in enqueued whole, as
    /// rounds did before plans).
    pub fn of(payload: &Payload) -> Option<CheckinPlan> {
        payload
            .parse::<PlannedBody<CheckinPlan>>()
            .ok()
            .map(|body| body.checkin)
    }
}

/// What a check-in drawn again says of rows it had no room for.
const REDRAWN_HINT: &str = "Reply in this thread or use `/launch mine` to see every task.";

/// A laid-out check-in message rendered: its heading, then each launch title and task row.
fn render_units(
    layout: PartLayout<CheckinUnit<'_>>,
    name: &str,
    day_label: &str,
    today: NaiveDate,
    more_hint: &str,
) -> (Rendered, Vec<TaskId>) {
    let render = |unit: CheckinUnit| match unit {
        CheckinUnit::Launch(launch) => {
            let title = format!(
                "*{}* (`{}`) · {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch.t_minus(today)
            );
            (vec![section(&title)], vec![title], None)
        }
        CheckinUnit::Task(task) => {
            let line = task_line(task, today);
            (task_row(task, &line), vec![line], Some(task.id))
        }
    };
    let heading = |part, parts| {
        let title = format!("{name} check-in — {day_label}{}", part_suffix(part, parts));
        let intro = "How do these stand? Reply in this thread, one line per task: `T12 done`, `T12 on track`, \
                     `T12 at risk: why`, `T12 blocked on what`, `T12 due friday` — or use the buttons.";
        (vec![header(&title), context(intro)], format!("{title}\n{intro}"))
    };
    render_part(layout, render, heading, more_hint)
}

/// A planned check-in message (see [`CheckinPlan`]) to `channel`, under `key`.
pub fn planned_checkin(key: String, channel: &str, plan: &CheckinPlan) -> OutboxMessage {
    OutboxMessage {
        key,
        kind: "checkin".to_owned(),
        method: OutboxMethod::PostMessage,
        target: channel.to_owned(),
        recipient: None,
        thread_ts: None,
        thread_of: None,
        payload: plan.payload(),
        not_before: None,
    }
}

/// The messages of one function's check-in laid out (see [`checkin`]), to be rendered by the
/// caller.
pub fn checkin_layout<'a>(
    function: &'a FunctionDef,
    round: &'a FunctionRound<'_>,
    day_label: &'a str,
    today: NaiveDate,
) -> impl Iterator<Item = CheckinDraft<'a>> + 'a {
    let mut units = Vec::with_capacity(round.launches.len() + round.task_count());
    for (launch, tasks) in &round.launches {
        units.push(CheckinUnit::Launch(launch));
        units.extend(tasks.iter().map(|task| CheckinUnit::Task(task)));
    }
    let cost_of = |unit: &CheckinUnit| match unit {
        CheckinUnit::Launch(launch) => Cost {
            blocks: 1,
            chars: escaped_len(&launch.name) + 80,
        },
        CheckinUnit::Task(task) => Cost {
            blocks: task_row_blocks(task),
            chars: task_row_chars_bound(task),
        },
    };
    lay_out(units, cost_of).map(move |layout| CheckinDraft {
        layout,
        function: &function.display_name,
        day_label,
        today,
    })
}

/// The direct message nudging someone who has not answered a check-in.
pub fn nudge(owner: &SlackUserId, tasks: &[(Task, Launch)], today: NaiveDate) -> Rendered {
    let user_mention = owner.mention();
    let intro = format!(
        "Hi {user_mention} — today's check-in is waiting for your update on {} task{}. \
         Use the buttons, or reply in the check-in thread.",
        tasks.len(),
        if tasks.len() == 1 { "" } else { "s" }
    );
    let mut blocks = vec![section(&intro)];
    let mut lines = vec![intro.clone()];
    for (task, launch) in tasks.iter().take(20) {
        let line = format!(
            "{} — *{}* (`{}`)",
            task_line(task, today),
            escape_quiet(&launch.name),
            launch.slug
        );
        blocks.extend(task_row(task, &line));
        lines.push(line);
    }
    Rendered::fit(lines.join("\n"), blocks, "Use `/launch mine` for the rest.")
}

/// The update that redraws the check-in part `checkin_key` (posted in `channel`) after a reply
/// (delivery `event_id`) changed tasks it lists, so the check-in and its thread never disagree.
/// Keyed by the reply's delivery and the part: a redelivered reply updates it once. The body
/// only says which day the rows are drawn for; the rows themselves are drawn when the update is
/// sent ([`refreshed_checkin`]), from the tasks as they are then.
pub fn checkin_refresh(event_id: &str, checkin_key: &str, channel: &str, today: NaiveDate) -> OutboxMessage {
    OutboxMessage {
        key: format!("checkin-update:{event_id}:{checkin_key}"),
        kind: "checkin_update".to_owned(),
        method: OutboxMethod::UpdateMessage,
        target: channel.to_owned(),
        recipient: None,
        thread_ts: None,
        thread_of: Some(checkin_key.to_owned()),
        payload: Payload::from(serde_json::json!({ "today": today.to_string() })),
        // A check-in is redrawn as soon as a reply changed it, whatever the hour.
        not_before: None,
    }
}

/// A check-in part as it reads now: the message it was posted as (`original`, its outbox
/// body), with the row of every task it lists redrawn from `tasks` as stored now: the current
/// status, and buttons only while the task is open (a done task stays listed, as done). Every
/// row is redrawn, not only the ones a reply changed, so an update never undoes a button press
/// made since. Header, intro and launch titles stay as posted.
pub fn refreshed_checkin(original: &Payload, tasks: &[Task], today: NaiveDate) -> Result<Rendered, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Body {
        text: String,
        #[serde(default)]
        blocks: Vec<serde_json::Value>,
    }
    let body: Body = original.parse()?;
    let mut blocks = body.blocks;
    for task in tasks {
        let rows = task_row(task, &task_line(task, today))
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()?;
        blocks = patch_task_rows(blocks, task.id, rows);
    }
    // The fallback text (notifications, screen readers) lists the same lines as the blocks, as
    // the check-in was posted: redrawn from them, so it never tells an older story.
    let text = fallback_lines(&blocks).join("\n");
    let blocks = blocks
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<Vec<_>, _>>()?;
    // The part was laid out for the rows as they were; reasons written since can be longer.
    // Slack would refuse the whole update past its limits, so the last rows give way to a note.
    let text = if text.is_empty() { body.text } else { text };
    Ok(Rendered::fit(text, blocks, REDRAWN_HINT))
}

/// The lines a check-in's fallback text is made of, read from its blocks: the header, the
/// intro, and each launch title and task line (buttons have none).
fn fallback_lines(blocks: &[serde_json::Value]) -> Vec<String> {
    let text_of = |value: &serde_json::Value| value["text"].as_str().map(str::to_owned);
    blocks
        .iter()
        .flat_map(|block| match block["type"].as_str() {
            Some("header" | "section") => text_of(&block["text"]).into_iter().collect::<Vec<_>>(),
            Some("context") => block["elements"]
                .as_array()
                .map(|elements| elements.iter().filter_map(text_of).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::blocks::limits;
    use liftoff_core::fixtures::{date, launch, task};
    use liftoff_core::{FunctionCatalog, FunctionName, TaskStatus, Tier};

    /// The lazy layout must agree with what rendering gives: every message within Slack's
    /// block limit, every task in exactly one message, parts numbered `(k/n)`, and each part
    /// covering exactly the tasks whose rows it shows.
    #[test]
    fn a_long_check_in_is_laid_out_within_the_block_limit() {
        let launches: Vec<_> = (1..=3).map(|id| launch(id, Tier::Two, "2026-12-18")).collect();
        let tasks: Vec<_> = (1..=90)
            .map(|id| {
                let status = if id % 11 == 0 {
                    TaskStatus::Done
                } else {
                    TaskStatus::Todo
                };
                task(id, 1 + id % 3, "sales", "2026-12-01", status)
            })
            .collect();
        let round = FunctionRound {
            function: FunctionName::parse("sales").unwrap(),
            launches: launches
                .iter()
                .map(|l| (l, tasks.iter().filter(|t| t.launch_id == l.id).collect()))
                .collect(),
        };
        let catalog = FunctionCatalog::builtin();
        let sales = catalog.get(&round.function).unwrap();
        let parts: Vec<CheckinPart> = checkin(sales, &round, "Mon 23 Nov", date("2026-11-23")).collect();
        assert!(parts.len() >= 4, "90 tasks of two blocks each: {}", parts.len());
        for (index, part) in parts.iter().enumerate() {
            let blocks = &part.rendered.blocks;
            assert!(blocks.len() <= limits::MESSAGE_BLOCKS, "{}", blocks.len());
            assert!(part.rendered.text.contains(&format!("({}/{})", index + 1, parts.len())));
            assert_eq!(
                part.tasks,
                crate::slack::render::task_ids_in(blocks),
                "part {}",
                index + 1
            );
        }
        let mut listed: Vec<i64> = parts.iter().flat_map(|p| &p.tasks).map(|id| id.0).collect();
        listed.sort();
        assert_eq!(listed, (1..=90).collect::<Vec<_>>());
    }

    fn sales_round<'a>(launches: &'a [Launch], tasks: &'a [Task]) -> FunctionRound<'a> {
        FunctionRound {
            function: FunctionName::parse("sales").unwrap(),
            launches: launches
                .iter()
                .map(|l| (l, tasks.iter().filter(|t| t.launch_id == l.id).collect()))
                .collect(),
        }
    }

    /// Redrawing a part changes only its task rows: a done task keeps its line (marked done)
    /// and loses its buttons; the header, intro and launch title stay as posted.
    #[test]
    fn a_redrawn_part_changes_only_its_task_rows() {
        let launches = vec![launch(1, Tier::One, "2026-12-18")];
        let tasks: Vec<_> = (1..=3)
            .map(|id| task(id, 1, "sales", "2026-12-01", TaskStatus::OnTrack))
            .collect();
        let catalog = FunctionCatalog::builtin();
        let sales = catalog.get(&FunctionName::parse("sales").unwrap()).unwrap();
        let round = sales_round(&launches, &tasks);
        let part = checkin(sales, &round, "Mon 23 Nov", date("2026-11-23")).next().unwrap();
        let posted = crate::notify::payload(&part.rendered);
        let unchanged = refreshed_checkin(&posted, &tasks, date("2026-11-23")).unwrap();
        assert_eq!(unchanged, part.rendered, "nothing changed, nothing redrawn differently");
        let mut now = tasks.clone();
        now[1].status = TaskStatus::Done;
        let redrawn = refreshed_checkin(&posted, &now, date("2026-11-23")).unwrap();
        let before = serde_json::to_value(&part.rendered.blocks).unwrap();
        let after = serde_json::to_value(&redrawn.blocks).unwrap();
        let (before, after) = (before.as_array().unwrap(), after.as_array().unwrap());
        assert_eq!(after.len(), before.len() - 1, "the done task's buttons are gone");
        assert_eq!(
            before[..5],
            after[..5],
            "header, intro, launch title and the first row as posted"
        );
        assert!(
            after[5]["text"]["text"]
                .as_str()
                .unwrap()
                .contains(":white_check_mark: done")
        );
        assert_eq!(after[5]["block_id"], "task:2");
        assert_eq!(before[7..], after[6..], "the last row as posted");
        assert!(redrawn.text.contains("`T2` t2") && redrawn.text.contains(":white_check_mark: done"));
        assert_eq!(redrawn.text.lines().count(), part.rendered.text.lines().count());
    }

    /// What a round stores is what gets posted: each part's plan, read back from its outbox
    /// body and drawn from the same tasks, is the message rendering the part at once gives, and
    /// lists the same tasks. Drawn once a task is done, that row alone changes.
    #[test]
    fn a_stored_plan_draws_the_part_the_round_laid_out() {
        let launches: Vec<_> = (1..=2).map(|id| launch(id, Tier::Two, "2026-12-18")).collect();
        let tasks: Vec<_> = (1..=40)
            .map(|id| task(id, 1 + id % 2, "sales", "2026-12-01", TaskStatus::Todo))
            .collect();
        let catalog = FunctionCatalog::builtin();
        let sales = catalog.get(&FunctionName::parse("sales").unwrap()).unwrap();
        let round = sales_round(&launches, &tasks);
        let today = date("2026-11-23");
        let drafts: Vec<_> = checkin_layout(sales, &round, "Mon 23 Nov", today).collect();
        let plans: Vec<CheckinPlan> = drafts.iter().map(CheckinDraft::plan).collect();
        let listed: Vec<_> = drafts.iter().map(CheckinDraft::listed).collect();
        let rendered: Vec<CheckinPart> = drafts.into_iter().map(CheckinDraft::render).collect();
        assert!(plans.len() >= 2, "40 tasks take more than one message");
        for ((plan, part), listed) in plans.iter().zip(&rendered).zip(&listed) {
            let ids: Vec<TaskId> = listed.iter().map(|(id, _)| *id).collect();
            assert_eq!(ids, part.tasks, "recorded with their owners as shown");
            assert!(
                listed
                    .iter()
                    .all(|(id, owner)| tasks.iter().any(|t| t.id == *id && t.owner == *owner))
            );
            let stored = CheckinPlan::of(&plan.payload()).expect("a plan reads back");
            assert_eq!(&stored, plan);
            assert_eq!(stored.tasks().collect::<Vec<_>>(), part.tasks);
            assert_eq!(stored.draw(&launches, &tasks, today), part.rendered);
        }
        assert_eq!(CheckinPlan::of(&crate::notify::payload(&rendered[0].rendered)), None);

        let mut now = tasks.clone();
        let first = plans[0].tasks().next().unwrap();
        now.iter_mut().find(|t| t.id == first).unwrap().status = TaskStatus::Done;
        let drawn = plans[0].draw(&launches, &now, today);
        let (before, after) = (&rendered[0].rendered, &drawn);
        assert_eq!(
            after.blocks.len(),
            before.blocks.len() - 1,
            "the done task's buttons are gone"
        );
        assert!(after.text.contains(&format!("`{first}`")) && after.text.contains(":white_check_mark: done"));
    }

    /// A part laid out for short rows stays within Slack's limits when its rows grow (long
    /// blocked reasons written since): the last rows give way to a note, as anywhere else.
    #[test]
    fn a_redrawn_part_stays_within_slacks_limits() {
        let launches = vec![launch(1, Tier::One, "2026-12-18")];
        let tasks: Vec<_> = (1..=24)
            .map(|id| task(id, 1, "sales", "2026-12-01", TaskStatus::Todo))
            .collect();
        let catalog = FunctionCatalog::builtin();
        let sales = catalog.get(&FunctionName::parse("sales").unwrap()).unwrap();
        let round = sales_round(&launches, &tasks);
        let part = checkin(sales, &round, "Mon 23 Nov", date("2026-11-23")).next().unwrap();
        let posted = crate::notify::payload(&part.rendered);
        let reason: String = "legal & <finance> ".repeat(40).chars().take(500).collect();
        let now: Vec<Task> = tasks
            .iter()
            .cloned()
            .map(|mut t| {
                t.status = TaskStatus::blocked(&reason).unwrap();
                t
            })
            .collect();
        let redrawn = refreshed_checkin(&posted, &now, date("2026-11-23")).unwrap();
        let chars: usize = redrawn.blocks.iter().map(crate::slack::blocks::text_chars).sum();
        assert!(chars <= limits::BLOCK_TEXT, "{chars}");
        assert!(redrawn.blocks.len() <= limits::MESSAGE_BLOCKS);
    }
}
