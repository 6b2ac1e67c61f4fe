//! Bodies Slack posts: event envelopes, interactions (raw JSON and the `payload=` form),
//! slash-command forms, and reading the installation out of any JSON value. No panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::slack::installation::Installation;
use liftoff::slack::payloads::{EventEnvelope, Interaction, InteractionForm, SlashCommand};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<EventEnvelope>(data);
    let _ = serde_json::from_slice::<Interaction>(data);
    if let Ok(command) = serde_urlencoded::from_bytes::<SlashCommand>(data) {
        let _ = Installation::of_command(&command.team_id, command.enterprise_id.as_deref()).describe();
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<InteractionForm>(data) {
        let _ = serde_json::from_str::<Interaction>(&form.payload);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = Installation::of_payload(&value).describe();
    }
});
