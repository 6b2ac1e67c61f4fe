//! Launches: what is being released, how big it is, and when.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::{ChangeContext, ChangeField, HistoryEntry};
use super::ids::{LaunchId, SlackUserId};
use super::task::{DueDateError, DueDateMove, Task, reschedule};

/// Launch size by complexity and expected impact. Tier decides the template tasks and how
/// tightly Liftoff chases them: tier 1 is a big campaign, tier 3 a push notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    One,
    Two,
    Three,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a tier: use 1, 2 or 3")]
pub struct TierError(pub String);

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::One, Tier::Two, Tier::Three];

    pub fn parse(input: &str) -> Result<Self, TierError> {
        let trimmed = input.trim();
        let digits = trimmed
            .strip_prefix("tier")
            .or_else(|| trimmed.strip_prefix("Tier"))
            .or_else(|| trimmed.strip_prefix('t'))
            .or_else(|| trimmed.strip_prefix('T'))
            .unwrap_or(trimmed)
            .trim();
        match digits {
            "1" => Ok(Tier::One),
            "2" => Ok(Tier::Two),
            "3" => Ok(Tier::Three),
            _ => Err(TierError(input.to_owned())),
        }
    }

    pub fn number(self) -> i64 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
            Tier::Three => 3,
        }
    }

    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(Tier::One),
            2 => Some(Tier::Two),
            3 => Some(Tier::Three),
            _ => None,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tier {}", self.number())
    }
}

/// Where a launch is in its life. Only `Planned` and `Live` launches are chased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LaunchState {
    Planned,
    Live,
    Archived,
}

impl LaunchState {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchState::Planned => "planned",
            LaunchState::Live => "live",
            LaunchState::Archived => "archived",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "planned" => Some(LaunchState::Planned),
            "live" => Some(LaunchState::Live),
            "archived" => Some(LaunchState::Archived),
            _ => None,
        }
    }

    pub fn is_active(self) -> bool {
        !matches!(self, LaunchState::Archived)
    }
}

/// The launch's short, unique, URL-safe handle, e.g. `checkout-v2`. People type it in every
/// command, so it is derived from the name rather than invented.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a launch name needs at least one letter or digit")]
    Empty,
    #[error("`{0}` is not a launch slug: use lowercase letters, digits and single dashes")]
    Invalid(String),
}

/// Longest slug we generate; long enough for real names, short enough to type.
pub const MAX_SLUG_LEN: usize = 48;

impl Slug {
    /// `Checkout v2` becomes `checkout-v2`: lowercase, each run of other characters one `-`,
    /// trimmed of dashes at both ends. Non-ASCII letters are dropped rather than transliterated,
    /// so the slug is always typeable.
    pub fn from_name(name: &str) -> Result<Self, SlugError> {
        let mut slug = String::with_capacity(name.len());
        let mut pending_dash = false;
        for ch in name.chars() {
            if ch.is_ascii_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(ch.to_ascii_lowercase());
            } else {
                pending_dash = true;
            }
        }
        if slug.len() > MAX_SLUG_LEN {
            slug.truncate(MAX_SLUG_LEN);
            while slug.ends_with('-') {
                slug.pop();
            }
        }
        if slug.is_empty() {
            Err(SlugError::Empty)
        } else {
            Ok(Slug(slug))
        }
    }

    /// Parses a slug someone typed (or one read back from the store).
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let valid = !input.is_empty()
            && input.len() <= MAX_SLUG_LEN + 4
            && !input.starts_with('-')
            && !input.ends_with('-')
            && !input.contains("--")
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Slug(input.to_owned()))
        } else {
            Err(SlugError::Invalid(input.to_owned()))
        }
    }

    /// The first of `base`, `base-2`, `base-3`, … that `is_taken` does not claim.
    pub fn first_free(base: &Slug, is_taken: impl Fn(&str) -> bool) -> Slug {
        if !is_taken(&base.0) {
            return base.clone();
        }
        (2..)
            .map(|n| format!("{}-{n}", base.0))
            .find(|candidate| !is_taken(candidate))
            .map(Slug)
            .expect("an unbounded counter always finds a free slug")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a person names a launch in a command: by slug or by numeric id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchRef {
    Id(LaunchId),
    Slug(Slug),
}

impl LaunchRef {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let trimmed = input.trim();
        match trimmed.parse::<i64>() {
            Ok(id) if id > 0 => Ok(LaunchRef::Id(LaunchId(id))),
            _ => Slug::parse(&trimmed.to_ascii_lowercase()).map(LaunchRef::Slug),
        }
    }
}

impl fmt::Display for LaunchRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchRef::Id(id) => write!(f, "{id}"),
            LaunchRef::Slug(slug) => write!(f, "{slug}"),
        }
    }
}

/// A success metric agreed up front, e.g. "activation rate" with target 25 (%), reviewed at T+30.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessMetric {
    pub name: String,
    pub target: f64,
    /// Free-form unit shown after numbers (`%`, `signups`); empty when the number says it all.
    pub unit: String,
    /// Days after launch day when actuals are asked for.
    pub review_offset_days: i64,
    pub actual: Option<f64>,
}

impl SuccessMetric {
    /// Whether the recorded actual meets the target; `None` until an actual is recorded.
    pub fn met(&self) -> Option<bool> {
        self.actual.map(|actual| actual >= self.target)
    }
}

/// A stored launch plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    pub id: LaunchId,
    pub slug: Slug,
    pub name: String,
    pub tier: Tier,
    pub launch_date: NaiveDate,
    pub lead: Option<SlackUserId>,
    pub key_messages: String,
    /// Channels, investment and budget notes: what the PMM plans to spend where.
    pub channel_notes: String,
    pub state: LaunchState,
    /// Optimistic-concurrency counter: every update bumps it, so two writers cannot silently
    /// overwrite each other.
    pub version: i64,
}

impl Launch {
    /// Days from `today` to launch day: 12 means "T-12", -3 means "T+3".
    pub fn days_to_launch(&self, today: NaiveDate) -> i64 {
        (self.launch_date - today).num_days()
    }

    /// The "T-minus" label PMMs use: `T-12`, `T-0` on the day, `T+3` after.
    pub fn t_minus(&self, today: NaiveDate) -> String {
        let days = self.days_to_launch(today);
        if days >= 0 {
            format!("T-{days}")
        } else {
            format!("T+{}", -days)
        }
    }
}

/// How many active launches each lead runs: the "spread too thin" measure.
pub fn launches_per_lead(launches: &[Launch]) -> std::collections::BTreeMap<SlackUserId, usize> {
    let mut per_lead = std::collections::BTreeMap::new();
    for launch in launches.iter().filter(|l| l.state.is_active()) {
        if let Some(lead) = &launch.lead {
            *per_lead.entry(lead.clone()).or_default() += 1;
        }
    }
    per_lead
}

/// Longest launch name accepted; names show up in headers, which Slack caps at 150 characters.
pub const MAX_LAUNCH_NAME_CHARS: usize = 80;

/// What a person asked for when creating a launch, before it has an id or a unique slug.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchDraft {
    pub name: String,
    pub tier: Tier,
    pub launch_date: NaiveDate,
    pub lead: Option<SlackUserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchDraftError {
    #[error("the launch needs a name")]
    EmptyName,
    #[error("the launch name is {0} characters long; keep it to {MAX_LAUNCH_NAME_CHARS}")]
    NameTooLong(usize),
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error("the launch date {date} is in the past (today is {today})")]
    DateInPast { date: NaiveDate, today: NaiveDate },
}

impl LaunchDraft {
    /// Checks the draft against `today` and returns the slug it would get if nothing clashed.
    pub fn validate(&self, today: NaiveDate) -> Result<Slug, LaunchDraftError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(LaunchDraftError::EmptyName);
        }
        let chars = name.chars().count();
        if chars > MAX_LAUNCH_NAME_CHARS {
            return Err(LaunchDraftError::NameTooLong(chars));
        }
        if self.launch_date < today {
            return Err(LaunchDraftError::DateInPast {
                date: self.launch_date,
                today,
            });
        }
        Ok(Slug::from_name(name)?)
    }
}

/// The note on the history of a task whose due date moved because its launch moved.
pub const MOVED_WITH_LAUNCH: &str = "moved with the launch";

/// Changes someone asks for on a launch; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchEdit {
    pub name: Option<String>,
    pub tier: Option<Tier>,
    pub launch_date: Option<NaiveDate>,
    /// `Some(None)` removes the lead.
    pub lead: Option<Option<SlackUserId>>,
    pub state: Option<LaunchState>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchEditError {
    #[error(transparent)]
    Draft(#[from] LaunchDraftError),
    #[error(transparent)]
    Due(#[from] DueDateError),
    #[error("nothing to change: give at least one of name, date, tier or lead")]
    NothingToChange,
}

/// The outcome of a launch edit: the launch to store, the tasks that move with it, and what
/// to write into the history.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchChange {
    pub launch: Launch,
    pub moves: Vec<DueDateMove>,
    pub history: Vec<HistoryEntry>,
}

impl Launch {
    /// Applies `edit` to this launch, whose tasks are `tasks`. The slug never changes on a
    /// rename: people have it in their fingers and in old messages.
    pub fn edit(
        &self,
        edit: LaunchEdit,
        tasks: &[Task],
        today: NaiveDate,
        ctx: &ChangeContext,
    ) -> Result<LaunchChange, LaunchEditError> {
        let mut next = self.clone();
        let mut history = Vec::new();
        let mut record = |field, from: String, to: String| {
            if from != to {
                history.push(ctx.entry(self.id, None, field, Some(from), Some(to)));
            }
        };
        if let Some(name) = edit.name {
            let draft = LaunchDraft {
                name,
                tier: self.tier,
                launch_date: today,
                lead: None,
            };
            draft.validate(today)?;
            next.name = draft.name.trim().to_owned();
            record(ChangeField::Name, self.name.clone(), next.name.clone());
        }
        if let Some(tier) = edit.tier {
            next.tier = tier;
            record(ChangeField::Tier, self.tier.to_string(), tier.to_string());
        }
        if let Some(lead) = edit.lead {
            next.lead = lead;
            let show = |lead: &Option<SlackUserId>| lead.as_ref().map_or("nobody".to_owned(), SlackUserId::mention);
            record(ChangeField::Lead, show(&self.lead), show(&next.lead));
        }
        if let Some(state) = edit.state {
            next.state = state;
            record(
                ChangeField::State,
                self.state.as_str().to_owned(),
                state.as_str().to_owned(),
            );
        }
        let mut moves = Vec::new();
        if let Some(date) = edit.launch_date {
            if date != self.launch_date && date < today {
                return Err(LaunchDraftError::DateInPast { date, today }.into());
            }
            next.launch_date = date;
            moves = reschedule(tasks, date, today)?;
            record(ChangeField::LaunchDate, self.launch_date.to_string(), date.to_string());
            for moved in &moves {
                let mut entry = ctx.entry(
                    self.id,
                    Some(moved.task),
                    ChangeField::Due,
                    Some(moved.from.to_string()),
                    Some(moved.to.to_string()),
                );
                entry.note = Some(MOVED_WITH_LAUNCH.to_owned());
                history.push(entry);
            }
        }
        if history.is_empty() && next == *self {
            return Err(LaunchEditError::NothingToChange);
        }
        Ok(LaunchChange {
            launch: next,
            moves,
            history,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn slugs_follow_the_documented_rules() {
        let check = |name: &str, expected: &str| {
            assert_eq!(Slug::from_name(name).unwrap().as_str(), expected, "{name}");
        };
        check("Checkout v2", "checkout-v2");
        check("  --Checkout   V2!!  ", "checkout-v2");
        check("AI / Search (beta)", "ai-search-beta");
        check("Café Relaunch", "caf-relaunch");
        check("2027", "2027");
        assert_eq!(Slug::from_name("!!!"), Err(SlugError::Empty));
        let long = Slug::from_name(&"ab ".repeat(60)).unwrap();
        assert!(long.as_str().len() <= MAX_SLUG_LEN && !long.as_str().ends_with('-'));
    }

    #[test]
    fn clashing_slugs_get_numbered() {
        let base = Slug::from_name("Checkout v2").unwrap();
        let taken = ["checkout-v2", "checkout-v2-2"];
        let free = Slug::first_free(&base, |s| taken.contains(&s));
        assert_eq!(free.as_str(), "checkout-v2-3");
        assert_eq!(Slug::first_free(&base, |_| false), base);
    }

    #[test]
    fn launch_refs_are_ids_or_slugs() {
        assert_eq!(LaunchRef::parse("12"), Ok(LaunchRef::Id(LaunchId(12))));
        assert_eq!(
            LaunchRef::parse("Checkout-V2"),
            Ok(LaunchRef::Slug(Slug::parse("checkout-v2").unwrap()))
        );
        assert!(LaunchRef::parse("no spaces").is_err());
        assert!(LaunchRef::parse("").is_err());
    }

    #[test]
    fn tiers_parse_from_what_people_type() {
        assert_eq!(Tier::parse("1"), Ok(Tier::One));
        assert_eq!(Tier::parse("tier2"), Ok(Tier::Two));
        assert_eq!(Tier::parse("T3"), Ok(Tier::Three));
        assert!(Tier::parse("4").is_err());
        assert!(Tier::parse("").is_err());
    }

    fn sample_launch() -> Launch {
        Launch {
            id: LaunchId(1),
            slug: Slug::parse("x").unwrap(),
            name: "X".into(),
            tier: Tier::One,
            launch_date: date("2026-12-10"),
            lead: None,
            key_messages: String::new(),
            channel_notes: String::new(),
            state: LaunchState::Planned,
            version: 1,
        }
    }

    #[test]
    fn t_minus_counts_days_to_launch() {
        let launch = sample_launch();
        assert_eq!(launch.t_minus(date("2026-11-28")), "T-12");
        assert_eq!(launch.t_minus(date("2026-12-10")), "T-0");
        assert_eq!(launch.t_minus(date("2026-12-13")), "T+3");
    }

    fn ctx() -> ChangeContext {
        use crate::history::{Actor, ChangeSource};
        ChangeContext::new(
            Actor::User(SlackUserId::parse("U0LEAD").unwrap()),
            ChangeSource::Command,
            "2026-11-23T10:00:00Z".parse().unwrap(),
        )
    }

    fn relative_task(id: i64, due: &str, offset: i64) -> Task {
        use crate::{FunctionName, TaskId, TaskStatus};
        Task {
            id: TaskId(id),
            launch_id: LaunchId(1),
            function: FunctionName::parse("sales").unwrap(),
            title: "Battlecard".into(),
            owner: None,
            due_date: date(due),
            due_offset_days: Some(offset),
            status: TaskStatus::Todo,
            status_changed_at: "2026-11-01T00:00:00Z".parse().unwrap(),
            snoozed_until: None,
            blocked_by: None,
            version: 1,
        }
    }

    #[test]
    fn moving_a_launch_moves_its_relative_tasks_and_records_both() {
        let launch = sample_launch();
        let tasks = [relative_task(7, "2026-11-26", -14)];
        let edit = LaunchEdit {
            launch_date: Some(date("2026-12-17")),
            ..LaunchEdit::default()
        };
        let change = launch.edit(edit, &tasks, date("2026-11-23"), &ctx()).unwrap();
        assert_eq!(change.launch.launch_date, date("2026-12-17"));
        assert_eq!(change.moves.len(), 1);
        assert_eq!(change.moves[0].to, date("2026-12-03"));
        let fields: Vec<_> = change.history.iter().map(|h| h.field).collect();
        assert_eq!(fields, vec![ChangeField::LaunchDate, ChangeField::Due]);
    }

    #[test]
    fn launch_edits_validate_and_keep_the_slug() {
        let launch = sample_launch();
        let today = date("2026-11-23");
        let rename = LaunchEdit {
            name: Some("  Checkout Three ".into()),
            tier: Some(Tier::Two),
            ..LaunchEdit::default()
        };
        let change = launch.edit(rename, &[], today, &ctx()).unwrap();
        assert_eq!(change.launch.name, "Checkout Three");
        assert_eq!(change.launch.slug, launch.slug);
        assert_eq!(change.launch.tier, Tier::Two);
        assert_eq!(change.history.len(), 2);

        let past = LaunchEdit {
            launch_date: Some(date("2026-11-01")),
            ..LaunchEdit::default()
        };
        assert!(matches!(
            launch.edit(past, &[], today, &ctx()),
            Err(LaunchEditError::Draft(LaunchDraftError::DateInPast { .. }))
        ));
        assert_eq!(
            launch.edit(LaunchEdit::default(), &[], today, &ctx()),
            Err(LaunchEditError::NothingToChange)
        );
        let blank = LaunchEdit {
            name: Some(" ".into()),
            ..LaunchEdit::default()
        };
        assert!(launch.edit(blank, &[], today, &ctx()).is_err());
    }

    #[test]
    fn launches_are_counted_per_lead_without_archived_ones() {
        let lead = SlackUserId::parse("U0LEAD").unwrap();
        let mut launches = vec![sample_launch(), sample_launch(), sample_launch(), sample_launch()];
        launches[0].lead = Some(lead.clone());
        launches[1].lead = Some(lead.clone());
        launches[2].lead = Some(lead.clone());
        launches[2].state = LaunchState::Archived;
        assert_eq!(
            launches_per_lead(&launches),
            std::collections::BTreeMap::from([(lead, 2)])
        );
    }

    #[test]
    fn drafts_are_checked_against_today() {
        let draft = LaunchDraft {
            name: "Checkout v2".into(),
            tier: Tier::One,
            launch_date: date("2026-12-10"),
            lead: None,
        };
        assert_eq!(draft.validate(date("2026-11-23")).unwrap().as_str(), "checkout-v2");
        assert!(matches!(
            draft.validate(date("2026-12-11")),
            Err(LaunchDraftError::DateInPast { .. })
        ));
        let unnamed = LaunchDraft {
            name: "   ".into(),
            ..draft.clone()
        };
        assert_eq!(unnamed.validate(date("2026-11-23")), Err(LaunchDraftError::EmptyName));
    }

    #[test]
    fn metrics_are_met_at_or_above_target() {
        let mut metric = SuccessMetric {
            name: "activation".into(),
            target: 25.0,
            unit: "%".into(),
            review_offset_days: 30,
            actual: None,
        };
        assert_eq!(metric.met(), None);
        metric.actual = Some(25.0);
        assert_eq!(metric.met(), Some(true));
        metric.actual = Some(24.9);
        assert_eq!(metric.met(), Some(false));
    }
}
