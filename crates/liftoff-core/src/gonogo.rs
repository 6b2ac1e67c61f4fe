//! Go/no-go: shortly before launch day every involved function's lead says whether their
//! function is ready. A no-go must say why. The launch is decided once every lead has answered:
//! go only if all said go. Until then the leads who have not answered are reminded, and after a
//! few working days the launch lead hears who is still missing (the escalation ladder's
//! function-lead step, applied to answers instead of tasks).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::calendar::WorkCalendar;
use super::function::{FunctionDef, FunctionName};
use super::ids::{LaunchId, SlackUserId};
use super::task::{MAX_REASON_CHARS, ReasonProblem, written_reason};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    #[error("a no-go needs a reason: say what is not ready")]
    MissingReason,
    #[error("the reason is {0} characters long; keep it to {MAX_REASON_CHARS}")]
    ReasonTooLong(usize),
}

/// One lead's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vote {
    Go,
    NoGo { reason: String },
}

impl Vote {
    /// A no-go, which is only accepted with a reason.
    pub fn no_go(reason: &str) -> Result<Vote, VoteError> {
        let reason = written_reason(reason).map_err(|problem| match problem {
            ReasonProblem::Missing => VoteError::MissingReason,
            ReasonProblem::TooLong(chars) => VoteError::ReasonTooLong(chars),
        })?;
        Ok(Vote::NoGo {
            reason: reason.to_owned(),
        })
    }

    /// How the store spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Vote::Go => "go",
            Vote::NoGo { .. } => "no_go",
        }
    }

    pub fn from_stored(kind: &str, reason: Option<String>) -> Option<Vote> {
        match kind {
            "go" => Some(Vote::Go),
            "no_go" => Some(Vote::NoGo {
                reason: reason.unwrap_or_default(),
            }),
            _ => None,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Vote::Go => None,
            Vote::NoGo { reason } => Some(reason),
        }
    }
}

/// A function's place in a go/no-go: who answers for it, and their answer once given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub function: FunctionName,
    pub voter: SlackUserId,
    pub vote: Option<Vote>,
    pub voted_at: Option<DateTime<Utc>>,
}

/// A go/no-go round for one launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoNoGo {
    pub id: i64,
    pub launch_id: LaunchId,
    pub started_by: SlackUserId,
    pub started_at: DateTime<Utc>,
    /// The organisation's date it started on: reminders count working days from here.
    pub started_on: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    pub ballots: Vec<Ballot>,
}

/// The outcome once every lead has answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Who said no, for which function, and why.
    NoGo(Vec<(FunctionName, SlackUserId, String)>),
}

impl GoNoGo {
    /// The ballots still unanswered.
    pub fn waiting_on(&self) -> Vec<&Ballot> {
        self.ballots.iter().filter(|b| b.vote.is_none()).collect()
    }

    /// The verdict, once every ballot is answered; `None` while anyone is still to answer.
    pub fn verdict(&self) -> Option<Verdict> {
        if self.ballots.is_empty() || !self.waiting_on().is_empty() {
            return None;
        }
        let nays: Vec<(FunctionName, SlackUserId, String)> = self
            .ballots
            .iter()
            .filter_map(|b| match &b.vote {
                Some(Vote::NoGo { reason }) => Some((b.function.clone(), b.voter.clone(), reason.clone())),
                _ => None,
            })
            .collect();
        Some(if nays.is_empty() {
            Verdict::Go
        } else {
            Verdict::NoGo(nays)
        })
    }

    pub fn ballot(&self, function: &FunctionName) -> Option<&Ballot> {
        self.ballots.iter().find(|b| &b.function == function)
    }
}

/// Who is asked: the lead of each involved function (those with tasks in the launch, or every
/// function when it has none yet), by function name, the order the store lists ballots in.
/// Functions without a lead are returned apart, so the person starting the round can be told
/// to set one.
pub fn ballots_for(
    functions: &[FunctionDef],
    involved: &BTreeSet<FunctionName>,
) -> (Vec<(FunctionName, SlackUserId)>, Vec<FunctionName>) {
    let mut asked = Vec::new();
    let mut leaderless = Vec::new();
    for function in functions {
        if !involved.is_empty() && !involved.contains(&function.name) {
            continue;
        }
        match &function.lead {
            Some(lead) => asked.push((function.name.clone(), lead.clone())),
            None => leaderless.push(function.name.clone()),
        }
    }
    asked.sort();
    leaderless.sort();
    (asked, leaderless)
}

/// A reminder due today for an undecided go/no-go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    /// A lead who has not answered, for their function.
    Voter { function: FunctionName, voter: SlackUserId },
    /// The launch lead, told who is still missing.
    LaunchLead { missing: Vec<(FunctionName, SlackUserId)> },
}

/// The reminders an undecided go/no-go calls for on `today` (organisation date): every lead
/// who has not answered, from the first working day after the start; and, once
/// `launch_lead_after` working days have passed, the launch lead too. At most one of each per
/// day: the caller keys them by date. Nothing on non-working days, once decided, or after
/// `launch_date` (a round nobody finished by launch day is moot; asking on would be noise).
pub fn reminders_due(
    gonogo: &GoNoGo,
    launch_date: NaiveDate,
    today: NaiveDate,
    calendar: &WorkCalendar,
    launch_lead_after: i64,
) -> Vec<Reminder> {
    if gonogo.decided_at.is_some() || today > launch_date || !calendar.is_working_day(today) {
        return Vec::new();
    }
    let elapsed = calendar.working_days_between(gonogo.started_on, today);
    if elapsed < 1 {
        return Vec::new();
    }
    let waiting = gonogo.waiting_on();
    let mut due: Vec<Reminder> = waiting
        .iter()
        .map(|b| Reminder::Voter {
            function: b.function.clone(),
            voter: b.voter.clone(),
        })
        .collect();
    if elapsed >= launch_lead_after.max(1) && !waiting.is_empty() {
        due.push(Reminder::LaunchLead {
            missing: waiting.iter().map(|b| (b.function.clone(), b.voter.clone())).collect(),
        });
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    fn function(name: &str) -> FunctionName {
        FunctionName::parse(name).unwrap()
    }

    fn round(votes: &[(&str, &str, Option<Vote>)]) -> GoNoGo {
        GoNoGo {
            id: 1,
            launch_id: LaunchId(1),
            started_by: user("UPMM"),
            started_at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
            // A Monday.
            started_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            decided_at: None,
            ballots: votes
                .iter()
                .map(|(f, u, v)| Ballot {
                    function: function(f),
                    voter: user(u),
                    vote: v.clone(),
                    voted_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_no_go_needs_a_reason_within_bounds() {
        assert_eq!(Vote::no_go("  "), Err(VoteError::MissingReason));
        assert_eq!(
            Vote::no_go(&"x".repeat(MAX_REASON_CHARS + 1)),
            Err(VoteError::ReasonTooLong(MAX_REASON_CHARS + 1))
        );
        assert_eq!(
            Vote::no_go(" FAQ not done "),
            Ok(Vote::NoGo {
                reason: "FAQ not done".to_owned()
            })
        );
        let stored = Vote::no_go("late").unwrap();
        assert_eq!(
            Vote::from_stored(stored.as_str(), stored.reason().map(str::to_owned)),
            Some(stored)
        );
        assert_eq!(Vote::from_stored("maybe", None), None);
    }

    #[test]
    fn the_verdict_waits_for_every_lead_and_lists_each_no_go() {
        let pending = round(&[("sales", "USALES", Some(Vote::Go)), ("ops", "UOPS", None)]);
        assert_eq!(pending.verdict(), None);
        assert_eq!(pending.waiting_on().len(), 1);

        let all_go = round(&[("sales", "USALES", Some(Vote::Go)), ("ops", "UOPS", Some(Vote::Go))]);
        assert_eq!(all_go.verdict(), Some(Verdict::Go));

        let one_no = round(&[
            ("sales", "USALES", Some(Vote::no_go("deck missing").unwrap())),
            ("ops", "UOPS", Some(Vote::Go)),
        ]);
        assert_eq!(
            one_no.verdict(),
            Some(Verdict::NoGo(vec![(
                function("sales"),
                user("USALES"),
                "deck missing".to_owned()
            )]))
        );
        assert_eq!(round(&[]).verdict(), None, "a round with nobody asked never decides");
    }

    #[test]
    fn leads_of_involved_functions_are_asked_and_leaderless_ones_reported() {
        let def = |name: &str, lead: Option<&str>| FunctionDef {
            name: function(name),
            display_name: name.to_owned(),
            aliases: Vec::new(),
            channel: None,
            lead: lead.map(user),
        };
        let functions = vec![
            def("product", Some("UPROD")),
            def("sales", None),
            def("ops", Some("UOPS")),
        ];
        let involved: BTreeSet<_> = [function("sales"), function("ops")].into();
        assert_eq!(
            ballots_for(&functions, &involved),
            (vec![(function("ops"), user("UOPS"))], vec![function("sales")])
        );
        let (asked, leaderless) = ballots_for(&functions, &BTreeSet::new());
        assert_eq!(asked.len(), 2, "no tasks yet: every function with a lead is asked");
        assert_eq!(leaderless, vec![function("sales")]);
    }

    #[test]
    fn reminders_start_the_next_working_day_and_reach_the_launch_lead_later() {
        const LAUNCH_DAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        let calendar = WorkCalendar::weekdays(chrono_tz::UTC);
        let gonogo = round(&[("sales", "USALES", Some(Vote::Go)), ("ops", "UOPS", None)]);
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert!(
            reminders_due(&gonogo, LAUNCH_DAY, day(23), &calendar, 2).is_empty(),
            "not on the day it starts"
        );
        assert_eq!(
            reminders_due(&gonogo, LAUNCH_DAY, day(24), &calendar, 2),
            vec![Reminder::Voter {
                function: function("ops"),
                voter: user("UOPS")
            }]
        );
        let day_two = reminders_due(&gonogo, LAUNCH_DAY, day(25), &calendar, 2);
        assert_eq!(day_two.len(), 2);
        assert_eq!(
            day_two[1],
            Reminder::LaunchLead {
                missing: vec![(function("ops"), user("UOPS"))]
            }
        );
        assert!(
            reminders_due(&gonogo, LAUNCH_DAY, day(28), &calendar, 2).is_empty(),
            "Saturday"
        );

        let mut decided = gonogo.clone();
        decided.decided_at = Some(gonogo.started_at);
        assert!(reminders_due(&decided, LAUNCH_DAY, day(25), &calendar, 2).is_empty());

        // Still asked on launch day; never after it.
        assert_eq!(reminders_due(&gonogo, day(26), day(26), &calendar, 2).len(), 2);
        assert!(
            reminders_due(&gonogo, day(25), day(26), &calendar, 2).is_empty(),
            "the launch has happened"
        );
    }
}
