//! The words for what the service refused, with Slack's mentions and links: the one place a
//! [`UserError`] becomes text, so its wording is reviewed here (and in the snapshot tests).

use crate::slack::markup::Markup;
use crate::views::UserError;
use chrono::NaiveDate;
use liftoff_core::command::Subcommand;
use liftoff_core::dates::human;
use liftoff_core::{ChangeField, SlackUserId};

/// What a person reads when `refusal` stops their command (mrkdwn).
pub fn refusal(refusal: &UserError) -> String {
    use UserError as E;
    match refusal {
        E::Rule(words) => super::blocks::escape(words),
        E::NoSuchLaunch(reference) => format!("there is no launch `{reference}`; `/launch list` shows them"),
        E::NoSuchTask(task) => format!("there is no task {task}"),
        E::NoSuchFunction(function) => format!("there is no function `{function}`"),
        E::LaunchArchived(slug) => format!("{slug} is archived"),
        E::AlreadyArchived(slug) => format!("{slug} is already archived"),
        E::TaskInArchivedLaunch { task, launch } => format!("{task} belongs to {launch}, which is archived"),
        E::DateInPast { date, today } => format!(
            "{} is in the past (today is {})",
            human(*date, *today),
            human(*today, *today)
        ),
        E::NoWorkingDays => "the calendar has no working days".to_owned(),
        E::SnoozeNotAfterToday { today } => format!("pick a date after today ({})", human(*today, *today)),
        E::SnoozeTooLong { working_days, latest } => {
            format!(
                "snooze at most {working_days} working days (until {}); for longer, move the due date",
                human(*latest, *latest)
            )
        }
        E::WaitsOnItself => "a task cannot wait on itself".to_owned(),
        E::NothingToAssign { launch, function } => format!(
            "{launch} has no open {} task without an owner; `/launch assign <task> @someone` hands on one task",
            super::blocks::escape(function)
        ),
        E::WaitsOnDone(by) => format!("{by} is already done, so there is nothing to wait for"),
        E::WaitsOnOtherLaunch { by, launch } => {
            format!("{by} belongs to {launch}; a task can only wait on a task of its own launch")
        }
        E::TaskOfOtherLaunch {
            task,
            launch,
            launch_name,
        } => format!(
            "{task} belongs to *{}* (`{launch}`), not to this check-in; if you meant it, use `/launch done {task}` (or `ontrack`, `risk`, `block`)",
            super::blocks::escape_quiet(launch_name)
        ),
        E::NotTaskChanger {
            task,
            function,
            deciders,
        } => {
            let mut who = Vec::new();
            if let Some(owner) = &deciders.owner {
                who.push(format!("its owner {}", owner.mention()));
            }
            if let Some(lead) = &deciders.function_lead {
                who.push(format!(
                    "the {} lead {}",
                    super::blocks::escape(function),
                    lead.mention()
                ));
            }
            if let Some(lead) = &deciders.launch_lead {
                who.push(format!("the launch lead {}", lead.mention()));
            }
            if deciders.admins {
                who.push("a Liftoff admin".to_owned());
            }
            format!("only {} can change {task}", or_list(&who))
        }
        E::NoSuchMetric { launch, name, known } => {
            let known = if known.is_empty() {
                "none yet".to_owned()
            } else {
                known.join(", ")
            };
            format!(
                "{launch} has no metric named `{}` (its metrics: {})",
                super::blocks::escape(name),
                super::blocks::escape(&known)
            )
        }
        E::QuarterOutsideCalendar => "that quarter is outside the calendar".to_owned(),
        E::NoPmoChannel => "no PMO channel is configured for the digest (set `channels.pmo` in the config)".to_owned(),
        E::DigestTooSoon { wait_minutes } => {
            format!("you posted a digest a moment ago; try again in {wait_minutes} min")
        }
        E::NotLaunchManager { launch, lead, action } => {
            let lead = lead.as_ref().map(|l| l.mention()).unwrap_or_default();
            let action = match action {
                Subcommand::GoNoGo => "start its go/no-go".to_owned(),
                other => format!("{other} it"),
            };
            format!("only {launch}'s lead ({lead}) or a Liftoff admin can {action}")
        }
        E::NotFunctionManager {
            function,
            lead,
            setting,
        } => {
            let function = super::blocks::escape(function);
            let lead = lead.as_ref().map_or(String::new(), |lead| {
                format!("{function}'s lead ({}) or ", lead.mention())
            });
            let what = match setting {
                Subcommand::Channel => "check-in channel",
                _ => "lead",
            };
            format!("only {lead}a Liftoff admin can change the {function} {what}")
        }
        E::GoNoGoAfterLaunch { launch, launched_on } => format!(
            "{launch} launched on {launched_on}; a go/no-go is for before launch day (`/launch retro {launch}` looks back)"
        ),
        E::NobodyToAsk { functions } => format!(
            "nobody to ask: {} ha{} no lead; set one with `/launch lead &lt;function&gt; @user`",
            functions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            if functions.len() == 1 { "s" } else { "ve" }
        ),
        E::GoNoGoUnderWay {
            launch,
            started,
            waiting,
        } => {
            let since = started
                .as_ref()
                .map(|(by, on)| format!(" by {} on {on}", by.mention()))
                .unwrap_or_default();
            let waiting = if waiting.is_empty() {
                "nobody".to_owned()
            } else {
                waiting
                    .iter()
                    .map(|(voter, function)| format!("{} ({function})", voter.mention()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("a go/no-go for {launch} is already under way (started{since}); waiting on {waiting}")
        }
        E::GoNoGoGone => "that go/no-go no longer exists".to_owned(),
        E::GoNoGoNotAsked { function, voter } => match voter {
            Some(voter) => format!(
                "this go/no-go asks {} for {function}, so only they can answer it",
                voter.mention()
            ),
            None => format!("this go/no-go does not ask for {function}"),
        },
        E::GoNoGoDecided { launch, decided_on } => format!(
            "the go/no-go for {launch} was already decided{}; `/launch gonogo {launch}` starts a new one",
            decided_on.map(|on| format!(" on {on}")).unwrap_or_default()
        ),
        E::NoOwnOpenTask => "you own no open task here; start the line with the task id, e.g. `T12 done`".to_owned(),
        E::SeveralOwnOpenTasks(tasks) => format!(
            "you own {} open tasks here ({}); start the line with the task id, e.g. `{} done`",
            tasks.len(),
            tasks.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            tasks.first().map(ToString::to_string).unwrap_or_default()
        ),
    }
}

/// A metric's value with its unit, as people write it: a currency before the number
/// (`$2000000`), a percent sign right after it (`25%`), any other unit after a space
/// (`500 signups`); whole numbers without decimals.
/// A metric's target as people read it, its direction in front (`< 50`, `$2000000`): a target
/// that is better low must not read like one that is better high.
pub fn target(metric: &liftoff_core::SuccessMetric) -> String {
    format!(
        "{}{}",
        super::blocks::escape(metric.direction.prefix()),
        quantity(metric.target, &metric.unit)
    )
}

pub fn quantity(value: f64, unit: &str) -> String {
    let number = if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    };
    let unit = super::blocks::escape(unit);
    match unit.chars().next() {
        None => number,
        Some('$' | '€' | '£' | '¥') => format!("{unit}{number}"),
        Some('%') => format!("{number}{unit}"),
        Some(_) => format!("{number} {unit}"),
    }
}

/// A history value as a person reads it where mentioning is welcome (a private answer): the
/// owner or lead as a mention, anything else as the text it is.
/// Dates in it read with their weekday (`Fri 4 Dec`), as everywhere people read dates.
pub fn change_value(field: ChangeField, value: Option<&str>, today: NaiveDate) -> String {
    match person_in(field, value) {
        Some(person) => person.mention(),
        None => super::blocks::escape(&dates_in(field, value.unwrap_or("—"), today)),
    }
}

/// A date field's value with its dates shown the way people read them; other fields as kept.
fn dates_in(field: ChangeField, value: &str, today: NaiveDate) -> String {
    match field {
        ChangeField::Due | ChangeField::LaunchDate | ChangeField::Snooze => {
            liftoff_core::dates::humanize_iso_dates(value, today)
        }
        _ => value.to_owned(),
    }
}

/// A history value where a mention would ping people for nothing (the digest in a busy
/// channel): the owner or lead as `@U…`, anything else as the text it is.
pub fn change_value_quiet(field: ChangeField, value: Option<&str>, today: NaiveDate) -> String {
    match person_in(field, value) {
        Some(person) => format!("@{person}"),
        None => super::blocks::escape_quiet(&dates_in(field, value.unwrap_or("—"), today)),
    }
}

/// The person an owner or lead value names: an id (`U0ANN`), or, in history written before
/// ids were kept plain, a mention (`<@U0ANN>`).
fn person_in(field: ChangeField, value: Option<&str>) -> Option<SlackUserId> {
    if !matches!(field, ChangeField::Owner | ChangeField::Lead) {
        return None;
    }
    let value = value?;
    let id = value
        .strip_prefix("<@")
        .and_then(|rest| rest.strip_suffix('>'))
        .map_or(value, |inside| inside.split('|').next().unwrap_or(inside));
    SlackUserId::parse(id).ok()
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-12-01".parse().unwrap()
    }

    #[test]
    fn dates_in_history_are_shown_with_their_weekday() {
        assert_eq!(
            change_value(ChangeField::Due, Some("2026-11-26 (T-14)"), today()),
            "Thu 26 Nov (T-14)"
        );
        assert_eq!(
            change_value_quiet(ChangeField::LaunchDate, Some("2026-12-18"), today()),
            "Fri 18 Dec"
        );
        // A title that happens to hold a date is left as written.
        assert_eq!(
            change_value(ChangeField::Title, Some("Freeze 2026-12-18"), today()),
            "Freeze 2026-12-18"
        );
    }

    #[test]
    fn people_in_history_are_shown_whether_kept_as_ids_or_as_old_mentions() {
        for stored in ["U0ANN", "<@U0ANN>", "<@U0ANN|ann>"] {
            assert_eq!(change_value(ChangeField::Owner, Some(stored), today()), "<@U0ANN>");
            assert_eq!(change_value_quiet(ChangeField::Owner, Some(stored), today()), "@U0ANN");
        }
        assert_eq!(change_value(ChangeField::Owner, Some("nobody"), today()), "nobody");
        assert_eq!(
            change_value(ChangeField::Title, Some("U0ANN <b>"), today()),
            "U0ANN &lt;b&gt;"
        );
        assert_eq!(change_value(ChangeField::Due, None, today()), "—");
    }

    #[test]
    fn quantities_read_as_people_write_them() {
        assert_eq!(quantity(2_000_000.0, "$"), "$2000000");
        assert_eq!(quantity(25.0, "%"), "25%");
        assert_eq!(quantity(500.0, "signups"), "500 signups");
        assert_eq!(quantity(2.5, ""), "2.5");
        assert_eq!(quantity(3.0, "<b>"), "3 &lt;b&gt;");
    }
}
