//! Incoming Slack payloads, reduced to the fields Liftoff reads. Deliberately our own small
//! serde types rather than slack-morphism's full models: unknown block or event types in a
//! payload must never make Liftoff refuse a request it could have served.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// A slash command, as Slack posts it (form-encoded).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct SlashCommand {
    pub command: String,
    pub text: String,
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub response_url: String,
    pub trigger_id: String,
    pub ssl_check: Option<String>,
    /// Set for workspaces of an Enterprise Grid organisation.
    pub enterprise_id: Option<String>,
}

/// The form wrapper around interaction payloads: `payload=<json>`. Which installation an
/// interaction is for is read from the raw JSON ([`super::installation::Installation`]), since
/// `team` is `null` in org-wide installs.
#[derive(Debug, Deserialize)]
pub struct InteractionForm {
    pub payload: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Interaction {
    BlockActions(BlockActions),
    ViewSubmission(ViewSubmission),
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct User {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Channel {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Container {
    pub message_ts: Option<String>,
    pub channel_id: Option<String>,
    pub is_ephemeral: bool,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Message {
    pub ts: String,
    pub text: String,
    /// Kept raw: re-rendering swaps single blocks and leaves the rest exactly as Slack sent them.
    pub blocks: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Action {
    pub action_id: String,
    pub block_id: String,
    pub value: Option<String>,
    /// Set by select menus.
    pub selected_option: Option<SelectedOption>,
    /// Set by date pickers.
    pub selected_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct BlockActions {
    pub user: User,
    pub trigger_id: String,
    pub response_url: Option<String>,
    pub container: Container,
    pub channel: Option<Channel>,
    pub message: Option<Message>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct ViewSubmission {
    pub user: User,
    pub view: SubmittedView,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct SubmittedView {
    pub id: String,
    pub callback_id: String,
    pub private_metadata: String,
    pub state: ViewState,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct ViewState {
    /// block_id → action_id → value.
    pub values: HashMap<String, HashMap<String, InputValue>>,
}

/// One input's value; which field is set depends on the element type.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct InputValue {
    pub value: Option<String>,
    pub selected_option: Option<SelectedOption>,
    pub selected_date: Option<String>,
    pub selected_user: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct SelectedOption {
    pub value: String,
}

impl ViewState {
    /// The value of input `block_id`/`action_id`, whichever element type produced it.
    pub fn get(&self, block_id: &str, action_id: &str) -> Option<String> {
        let input = self.values.get(block_id)?.get(action_id)?;
        input
            .value
            .clone()
            .or_else(|| input.selected_option.as_ref().map(|o| o.value.clone()))
            .or_else(|| input.selected_date.clone())
            .or_else(|| input.selected_user.clone())
    }
}

/// What `/slack/events` receives.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventEnvelope {
    UrlVerification {
        challenge: String,
    },
    EventCallback(EventCallback),
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct EventCallback {
    pub team_id: String,
    pub event_id: String,
    pub event_time: i64,
    /// Kept raw until the handlers for each event type parse what they need.
    pub event: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_actions_parse_with_unknown_blocks_present() {
        let json = r#"{
            "type": "block_actions",
            "team": null,
            "user": {"id": "U1", "name": "ann"},
            "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "100.1", "channel_id": "C1", "is_ephemeral": false},
            "channel": {"id": "C1"},
            "message": {"ts": "100.1", "text": "t", "blocks": [{"type": "some_future_block", "x": 1}]},
            "actions": [{"action_id": "task_done", "block_id": "task:1:actions", "value": "1", "type": "button"}]
        }"#;
        let Interaction::BlockActions(actions) = serde_json::from_str(json).unwrap() else {
            panic!("block actions");
        };
        assert_eq!(actions.actions[0].action_id, "task_done");
        assert_eq!(actions.message.unwrap().blocks.len(), 1);
    }

    #[test]
    fn unknown_interaction_and_event_types_are_tolerated() {
        assert!(matches!(
            serde_json::from_str::<Interaction>(r#"{"type": "shortcut"}"#).unwrap(),
            Interaction::Other
        ));
        assert!(matches!(
            serde_json::from_str::<EventEnvelope>(r#"{"type": "app_rate_limited"}"#).unwrap(),
            EventEnvelope::Other
        ));
    }

    #[test]
    fn view_state_reads_every_input_kind() {
        let json = r#"{"values": {
            "name": {"name": {"type": "plain_text_input", "value": "Checkout"}},
            "tier": {"tier": {"type": "static_select", "selected_option": {"value": "2"}}},
            "date": {"date": {"type": "datepicker", "selected_date": "2026-12-10"}},
            "lead": {"lead": {"type": "users_select", "selected_user": "U9"}}
        }}"#;
        let state: ViewState = serde_json::from_str(json).unwrap();
        assert_eq!(state.get("name", "name").as_deref(), Some("Checkout"));
        assert_eq!(state.get("tier", "tier").as_deref(), Some("2"));
        assert_eq!(state.get("date", "date").as_deref(), Some("2026-12-10"));
        assert_eq!(state.get("lead", "lead").as_deref(), Some("U9"));
        assert_eq!(state.get("lead", "nope"), None);
    }
}
