//! Replies about a go/no-go round to whoever acted on it: the round started, and who was asked.

use crate::slack::blocks::{Rendered, escape_quiet, section};
use liftoff_core::gonogo::GoNoGo;
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
    to.extend(pmo.iter().map(|c| c.link()));
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
