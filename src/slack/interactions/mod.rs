//! Buttons and modals: task status buttons (and the blocked-reason modal they open), and the
//! launch creation form. Status changes go through the same [`Service`] as slash commands,
//! recorded as `button` or `modal` in the history. The message a button was on is updated in
//! place after the acknowledgement.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::slack::context::SlackContext;
use crate::slack::payloads::Interaction;

mod buttons;
mod in_place;
mod modals;

/// How an interaction is answered.
#[derive(Debug)]
pub enum Outcome {
    /// Plain 200: Slack closes a submitted modal; a button press needs nothing more.
    Ack,
    /// A JSON body, e.g. `response_action: errors` for a modal.
    Respond(Value),
    BadRequest(&'static str),
}

/// Where a button was pressed, so the message can be updated once the change is made. Kept in
/// the blocked modal's `private_metadata` while the person types the reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageRef {
    pub task: i64,
    pub channel: Option<String>,
    pub ts: Option<String>,
    pub response_url: Option<String>,
    pub ephemeral: bool,
}

/// Where a go/no-go question was, kept in the no-go modal while the lead writes the reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct GoNoGoMetadata {
    gonogo: i64,
    function: String,
    response_url: Option<String>,
}

pub async fn handle(ctx: &SlackContext, interaction: Interaction) -> Outcome {
    match interaction {
        Interaction::BlockActions(actions) => buttons::block_actions(ctx, actions).await,
        Interaction::ViewSubmission(submission) => modals::view_submission(ctx, submission).await,
        Interaction::Other => Outcome::Ack,
    }
}
