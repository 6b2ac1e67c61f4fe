//! Replies about a go/no-go round to whoever acted on it: the round started (and who was
//! asked), and a lead's answer recorded, which replaces the question they were asked.

use crate::slack::markup::Markup;
use chrono::NaiveDate;

use super::widgets::{answer_buttons, launch_label};
use crate::slack::blocks::{Rendered, escape, escape_quiet, section};
use liftoff_core::gonogo::{GoNoGo, Vote};
use liftoff_core::{FunctionName, Launch, SlackChannelId};

pub(super) fn gonogo_started(
    launch: &Launch,
    gonogo: &GoNoGo,
    leaderless: &[FunctionName],
    pmo: Option<&SlackChannelId>,
) -> Rendered {
    let asked: Vec<String> = gonogo
        .ballots
        .iter()
        .map(|b| format!("{} ({})", b.voter.mention(), b.function))
        .collect();
    let mut to: Vec<String> = launch.lead.iter().map(|l| l.mention()).collect();
    to.extend(pmo.iter().map(|c| c.mention()));
    if to.is_empty() {
        to.push("you".to_owned());
    }
    let mut text = format!(
        ":vertical_traffic_light: Go/no-go started for *{}* (`{}`): asked {}. The result goes to {} once \
         everyone has answered; leads who have not answered are reminded each working day.",
        escape_quiet(&launch.name),
        launch.slug,
        asked.join(", "),
        to.join(" and ")
    );
    if !leaderless.is_empty() {
        let names: Vec<String> = leaderless.iter().map(ToString::to_string).collect();
        text.push_str(&format!(
            "\nNot asked, no lead set: {} (`/launch lead &lt;function&gt; @user`).",
            names.join(", ")
        ));
    }
    Rendered::fit(text.clone(), vec![section(&text)], "")
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
