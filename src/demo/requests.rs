//! Talking to Liftoff the way Slack does: signed slash commands, button presses and modal
//! submissions, and thread replies as message events, each shown in the transcript.

use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::transcript::{channel_name, person, print_indented, readable};
use super::{Demo, SIGNING_SECRET, at};
use liftoff::clock::Clock;
use slack_emulator::{TEAM_ID, slash_command_form};

impl Demo {
    async fn post_signed(&self, path: &str, content_type: &str, body: String) -> anyhow::Result<reqwest::Response> {
        let timestamp = self.clock.now().timestamp().to_string();
        let signature =
            liftoff::slack::signature::sign(&SecretString::from(SIGNING_SECRET), &timestamp, body.as_bytes());
        Ok(self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", timestamp)
            .header("x-slack-signature", signature)
            .body(body)
            .send()
            .await?)
    }

    async fn send_command(&self, user: &str, text: &str) -> anyhow::Result<Value> {
        let form = slash_command_form(user, "C0PMO", text, "");
        let response = self
            .post_signed("/slack/commands", "application/x-www-form-urlencoded", form)
            .await?;
        Ok(response.json().await?)
    }

    /// A slash command, shown with Liftoff's answer.
    pub(super) async fn command(&mut self, user: &str, text: &str) -> anyhow::Result<()> {
        println!("  {} {} typed: /launch {}", self.stamp(), person(user), readable(text));
        let reply = self.send_command(user, text).await?;
        let visibility = if reply["response_type"] == "in_channel" {
            ""
        } else {
            " (only they see it)"
        };
        println!("  Liftoff answered{visibility}:");
        print_indented(reply["text"].as_str().unwrap_or_default(), "    ");
        Ok(())
    }

    /// A function lead's go/no-go answer: the Go button, or No-go and the reason form.
    pub(super) async fn answer_gonogo(
        &mut self,
        launch: liftoff_core::LaunchId,
        user: &str,
        function: &str,
        no_go: Option<&str>,
    ) -> anyhow::Result<()> {
        let round = self.app.store.latest_gonogo(launch).await?.context("a go/no-go")?;
        let payload = match no_go {
            None => {
                println!("  {} {} pressed Go for {function}", self.stamp(), person(user));
                json!({
                    "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user}, "trigger_id": "demo",
                    "container": {"type": "message", "is_ephemeral": false},
                    "actions": [{"action_id": liftoff::slack::render::actions::GONOGO_GO, "block_id": "b",
                                 "value": format!("{}:{function}", round.id)}]
                })
            }
            Some(reason) => {
                println!(
                    "  {} {} pressed No-go for {function} and wrote: {reason}",
                    self.stamp(),
                    person(user)
                );
                json!({
                    "type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user},
                    "view": {
                        "callback_id": liftoff::slack::render::actions::GONOGO_MODAL,
                        "private_metadata": json!({"gonogo": round.id, "function": function}).to_string(),
                        "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}}
                    }
                })
            }
        };
        let form = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        self.post_signed("/slack/interactions", "application/x-www-form-urlencoded", form)
            .await?
            .error_for_status()?;
        Ok(())
    }

    pub(super) async fn command_quiet(&mut self, user: &str, text: &str) -> anyhow::Result<()> {
        self.send_command(user, text).await.map(|_| ())
    }

    /// A reply in the latest check-in thread of `function`, as a Slack message event.
    pub(super) async fn reply_in_checkin(
        &mut self,
        date: NaiveDate,
        function: &str,
        user: &str,
        text: &str,
    ) -> anyhow::Result<()> {
        self.move_clock_to(at(date, 11, 0));
        let function = liftoff_core::FunctionName::parse(function)?;
        let Some(checkin) = self.app.store.latest_checkin(&function).await? else {
            return Ok(());
        };
        let (Some(channel), Some(ts)) = (checkin.channel, checkin.ts) else {
            return Ok(());
        };
        println!(
            "  {} {} replied in the {} check-in thread: {}",
            self.stamp(),
            person(user),
            channel_name(&channel),
            text.replace('\n', " / ")
        );
        self.events += 1;
        let event = slack_emulator::thread_reply_event(
            &format!("EvDemo{}", self.events),
            user,
            &channel,
            &ts,
            &format!("{}.{:06}", self.clock.now().timestamp(), self.events),
            text,
        );
        self.post_signed("/slack/events", "application/json", event.to_string())
            .await?;
        self.app.delivery().drain(Duration::from_secs(10)).await?;
        self.flush();
        Ok(())
    }
}
