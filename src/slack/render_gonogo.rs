//! Block Kit for go/no-go: the question each function lead gets (with Go and No-go buttons),
//! the message that replaces it once answered, the reminder to the launch lead, the result, and
//! the modal asking why a function is not ready.

use chrono::NaiveDate;
use slack_morphism::prelude::*;

use super::blocks::{Rendered, button, escape, escape_quiet, limits, plain, section};
use super::render::{actions, readiness_label, reason_input};
use liftoff_core::gonogo::{GoNoGo, Verdict, Vote};
use liftoff_core::readiness::Readiness;
use liftoff_core::{FunctionDef, FunctionName, Launch, SlackUserId};

/// The value both buttons carry: which round, which function.
pub fn ballot_value(gonogo: i64, function: &FunctionName) -> String {
    format!("{gonogo}:{function}")
}

/// Reads a button's value back; `None` for anything Liftoff did not write.
pub fn parse_ballot_value(value: &str) -> Option<(i64, FunctionName)> {
    let (id, function) = value.split_once(':')?;
    Some((id.parse().ok()?, FunctionName::parse(function).ok()?))
}

fn launch_label(launch: &Launch, today: NaiveDate) -> String {
    format!(
        "*{}* (`{}`, tier {}, {} on {})",
        escape_quiet(&launch.name),
        launch.slug,
        launch.tier.number(),
        launch.t_minus(today),
        launch.launch_date.format("%a %-d %b")
    )
}

fn answer_buttons(gonogo: i64, function: &FunctionName) -> SlackBlock {
    let value = ballot_value(gonogo, function);
    SlackActionsBlock::new(vec![
        button("Go", actions::GONOGO_GO, &value)
            .with_style(SlackBlockButtonStyle::Primary)
            .into(),
        button("No-go", actions::GONOGO_NO_GO, &value)
            .with_style(SlackBlockButtonStyle::Danger)
            .into(),
    ])
    .with_block_id(SlackBlockId(format!("gonogo:{value}")))
    .into()
}

/// The question to a function lead; `reminder` when it is asked again.
pub fn ask(
    gonogo: i64,
    launch: &Launch,
    function: &FunctionDef,
    voter: &SlackUserId,
    readiness: Option<&Readiness>,
    today: NaiveDate,
    reminder: bool,
) -> Rendered {
    let opening = if reminder {
        ":alarm_clock: Reminder — still waiting for your answer."
    } else {
        ":vertical_traffic_light: Go/no-go time."
    };
    let ready = readiness.map_or_else(|| "no tasks for it in this launch".to_owned(), readiness_label);
    let text = format!(
        "{opening} {}, is *{}* ready for {}?\n{}: {ready}. A no-go asks you for the reason.",
        voter.mention(),
        escape(&function.display_name),
        launch_label(launch, today),
        escape(&function.display_name),
    );
    Rendered::fit(
        text.clone(),
        vec![section(&text), answer_buttons(gonogo, &function.name)],
        "",
    )
}

/// What replaces the question once answered; the buttons stay while the round is open, so an
/// answer can still be changed.
pub fn voted(gonogo: &GoNoGo, launch: &Launch, function: &FunctionName, vote: &Vote, today: NaiveDate) -> Rendered {
    let answer = match vote {
        Vote::Go => "*Go*".to_owned(),
        Vote::NoGo { reason } => format!("*No-go*: {}", escape(reason)),
    };
    let waiting = gonogo.waiting_on();
    let status = if gonogo.decided_at.is_some() {
        "Every lead has answered; the result is posted to the launch lead and the PMO channel.".to_owned()
    } else {
        format!(
            "Waiting on {} more lead{}. You can change your answer until everyone has answered.",
            waiting.len(),
            if waiting.len() == 1 { "" } else { "s" }
        )
    };
    let text = format!(
        ":white_check_mark: Recorded {answer} for {function} on {}.\n{status}",
        launch_label(launch, today)
    );
    let mut blocks = vec![section(&text)];
    if gonogo.decided_at.is_none() {
        blocks.push(answer_buttons(gonogo.id, function));
    }
    Rendered::fit(text, blocks, "")
}

/// To the launch lead, once leads are late to answer.
pub fn lead_reminder(launch: &Launch, missing: &[(FunctionName, SlackUserId)], today: NaiveDate) -> Rendered {
    let who: Vec<String> = missing
        .iter()
        .map(|(function, voter)| format!("{} ({function})", voter.mention()))
        .collect();
    let text = format!(
        ":hourglass: The go/no-go for {} is still waiting on {}.",
        launch_label(launch, today),
        who.join(", ")
    );
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The decision, for the launch lead and the PMO channel.
pub fn result(gonogo: &GoNoGo, launch: &Launch, verdict: &Verdict, today: NaiveDate) -> Rendered {
    let mut text = match verdict {
        Verdict::Go => format!(
            ":rocket: *Go* for {}: every function lead said go.",
            launch_label(launch, today)
        ),
        Verdict::NoGo(nays) => {
            let mut text = format!(
                ":no_entry: *No-go* for {}: {} of {} function lead{} said no.",
                launch_label(launch, today),
                nays.len(),
                gonogo.ballots.len(),
                if gonogo.ballots.len() == 1 { "" } else { "s" }
            );
            for (function, voter, reason) in nays {
                text.push_str(&format!("\n• {function} ({}): {}", voter.mention(), escape(reason)));
            }
            text
        }
    };
    let go: Vec<String> = gonogo
        .ballots
        .iter()
        .filter(|b| b.vote == Some(Vote::Go))
        .map(|b| format!("{} ({})", b.function, b.voter.mention()))
        .collect();
    if !go.is_empty() && matches!(verdict, Verdict::NoGo(_)) {
        text.push_str(&format!("\nGo: {}", go.join(", ")));
    }
    text.push_str(&format!(
        "\nStarted by {} on {}.",
        gonogo.started_by.mention(),
        gonogo.started_on
    ));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The modal asking why a function is not ready. `private_metadata` carries the round, the
/// function and where the question was, so the submission can replace it.
pub fn reason_modal(function: &FunctionName, metadata: String) -> SlackView {
    let reason = reason_input(
        "What is not ready?",
        "Name what is missing and what it would take, so the launch lead can decide.",
    );
    SlackView::Modal(
        SlackModalView::new(
            plain(&format!("No-go: {function}"), limits::MODAL_TITLE),
            vec![reason.into()],
        )
        .with_submit(plain("Say no-go", limits::MODAL_TITLE))
        .with_close(plain("Cancel", limits::MODAL_TITLE))
        .with_callback_id(actions::GONOGO_MODAL.into())
        .with_private_metadata(metadata),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballot_values_round_trip_and_reject_foreign_values() {
        let sales = FunctionName::parse("sales").unwrap();
        assert_eq!(parse_ballot_value(&ballot_value(12, &sales)), Some((12, sales)));
        assert_eq!(parse_ballot_value("12"), None);
        assert_eq!(parse_ballot_value("x:sales"), None);
        assert_eq!(parse_ballot_value("12:Sales!"), None);
    }
}
