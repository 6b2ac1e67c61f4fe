//! Every message Liftoff sends on its own: check-ins, digests, nudges, escalations, go/no-go
//! questions and results, resolutions, and direct messages.
//!
//! Pure functions from domain data to the messages to send, each returning what it rendered
//! (and, for a check-in, which tasks it covers). The scheduler and the service decide *when*
//! and put the messages in the outbox; `delivery` *sends* them. Nothing here reads the store,
//! the clock or the network, so each message is tested on its own (`tests/api/snapshots.rs`).

mod checkin;
mod digest;
mod direct;
mod escalation;
mod gonogo;
mod layout;
mod moves;
mod people;

pub use checkin::{
    CheckinDraft, CheckinPart, CheckinPlan, PlannedRow, checkin, checkin_layout, checkin_refresh, nudge,
    planned_checkin, refreshed_checkin,
};
pub use digest::digest;
pub use direct::{applied, hint, metric_review, metric_reviews, reply_answers, undeliverable};
pub use escalation::{EscalationView, escalation, escalation_list, overdue_in_checkin_thread, resolution};
pub use gonogo::{ask_messages, reminder_messages, result_messages};
pub use moves::{LaunchMove, launch_moved};
pub use people::{assigned, changed_by_someone_else, unblocked};

use serde_json::json;
use slack_morphism::prelude::SlackBlock;

use crate::outbound::{OutboxMessage, OutboxMethod, Payload};
use crate::slack::blocks::Rendered;

/// A `chat.postMessage` of `rendered` to `target` (a channel, or a person for a direct
/// message), keyed `key`; set `thread_of` on it to reply in a thread.
pub fn post_message(key: String, kind: &str, target: &str, rendered: &Rendered) -> OutboxMessage {
    OutboxMessage {
        key,
        kind: kind.to_owned(),
        method: OutboxMethod::PostMessage,
        target: target.to_owned(),
        recipient: None,
        thread_ts: None,
        thread_of: None,
        payload: payload(rendered),
        not_before: None,
    }
}

/// The outbox payload of a rendered message: `{text, blocks}`, serialized once.
pub fn payload(rendered: &Rendered) -> Payload {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        text: &'a str,
        blocks: &'a [SlackBlock],
    }
    let body = Body {
        text: &rendered.text,
        blocks: &rendered.blocks,
    };
    Payload::of(&body).unwrap_or_else(|err| {
        // Block Kit types always serialize; should one not, the fallback text still goes out.
        tracing::error!(error = %err, "cannot serialize a message's blocks; sending its text only");
        Payload::from(json!({ "text": rendered.text }))
    })
}
