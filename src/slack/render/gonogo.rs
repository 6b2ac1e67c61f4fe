//! Block Kit for go/no-go: the question each function lead gets (with Go and No-go buttons),
//! the message that replaces it once answered, the reminder to the launch lead, the result, and
//! the modal asking why a function is not ready. The answered message ([`voted`]) is also a
//! reply to the lead's button press, so it lives with the other replies (`votes`), and the
//! button values with the other codecs (`codec`); both are re-exported here.

use crate::slack::markup::Markup;
use chrono::NaiveDate;
use slack_morphism::prelude::*;

use super::actions;
use super::modals::reason_input;
use super::widgets::{answer_buttons, launch_label, readiness_label};
use crate::slack::blocks::{Rendered, escape, limits, plain, section};
use liftoff_core::gonogo::{GoNoGo, Verdict, Vote};
use liftoff_core::readiness::Readiness;
use liftoff_core::{FunctionDef, FunctionName, Launch, SlackUserId};

pub use super::codec::{ballot_value, parse_ballot_value};
pub use super::votes::voted;

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
