//! Buttons and modals: task status buttons (and the blocked-reason modal they open), and the
//! launch creation form. Status changes go through the same [`Service`] as slash commands,
//! recorded as `button` or `modal` in the history. The message a button was on is updated in
//! place after the acknowledgement.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use slack_morphism::prelude::SlackBlock;

use crate::service::ServiceError;
use crate::slack::blocks::Rendered;
use crate::slack::context::SlackContext;
use crate::slack::dispatch::reply_for;
use crate::slack::payloads::{BlockActions, Interaction, ViewSubmission};
use crate::slack::render::{self, actions, blocked_modal, task_id_from_value, task_row_after_change};
use crate::views::View;
use liftoff_core::command::Command;
use liftoff_core::launch::{LaunchDraftError, Tier};
use liftoff_core::{ChangeSource, LaunchDraft, SlackChannelId, SlackUserId, TaskId, TaskStatus};

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

pub async fn handle(ctx: &SlackContext, interaction: Interaction) -> Outcome {
    match interaction {
        Interaction::BlockActions(actions) => block_actions(ctx, actions).await,
        Interaction::ViewSubmission(submission) => view_submission(ctx, submission).await,
        Interaction::Other => Outcome::Ack,
    }
}

async fn block_actions(ctx: &SlackContext, payload: BlockActions) -> Outcome {
    let Ok(user) = SlackUserId::parse(&payload.user.id) else {
        return Outcome::BadRequest("missing user");
    };
    let Some(action) = payload.actions.first() else {
        return Outcome::Ack;
    };
    if action.action_id == actions::GONOGO_GO || action.action_id == actions::GONOGO_NO_GO {
        let Some((gonogo, function)) = action.value.as_deref().and_then(render::gonogo::parse_ballot_value) else {
            return Outcome::Ack;
        };
        let response_url = payload.response_url.clone();
        if action.action_id == actions::GONOGO_NO_GO {
            let metadata = GoNoGoMetadata {
                gonogo,
                function: function.to_string(),
                response_url,
            };
            let view = render::gonogo::reason_modal(&function, serde_json::to_string(&metadata).unwrap_or_default());
            let ctx2 = ctx.clone();
            let trigger_id = payload.trigger_id.clone();
            ctx.background.spawn(async move {
                if let Err(err) = ctx2.api.open_view(&trigger_id, view).await {
                    tracing::warn!(error = %err, "could not open the no-go form");
                }
            });
            return Outcome::Ack;
        }
        let command = Command::GoNoGoVote {
            gonogo,
            function,
            vote: liftoff_core::gonogo::Vote::Go,
        };
        let outcome = ctx.service.execute(&user, command, ChangeSource::Button).await;
        answer_in_place(ctx, outcome, response_url);
        return Outcome::Ack;
    }
    if action.action_id == actions::SUPPORT_PLAN {
        create_support_plan(
            ctx,
            &user,
            action.value.as_deref().unwrap_or_default(),
            payload.response_url.clone(),
        )
        .await;
        return Outcome::Ack;
    }
    // Buttons carry the task as their value; the snooze menu as `task:days`; the date picker
    // has no value, so its task comes from its block id (`task:<id>:esc`).
    let task = match action.action_id.as_str() {
        actions::ESC_SNOOZE => action
            .selected_option
            .as_ref()
            .and_then(|o| o.value.split(':').next())
            .and_then(task_id_from_value),
        actions::ESC_SNOOZE_UNTIL => action
            .block_id
            .strip_prefix(actions::TASK_BLOCK_PREFIX)
            .and_then(|rest| rest.split(':').next())
            .and_then(task_id_from_value),
        _ => action.value.as_deref().and_then(task_id_from_value),
    };
    let Some(task) = task else {
        tracing::debug!(action_id = %action.action_id, "ignoring an action Liftoff does not own");
        return Outcome::Ack;
    };
    let place = MessageRef {
        task: task.0,
        channel: payload
            .container
            .channel_id
            .clone()
            .or_else(|| payload.channel.as_ref().map(|c| c.id.clone())),
        ts: payload
            .container
            .message_ts
            .clone()
            .or_else(|| payload.message.as_ref().map(|m| m.ts.clone())),
        response_url: payload.response_url.clone(),
        ephemeral: payload.container.is_ephemeral,
    };
    let command = match action.action_id.as_str() {
        actions::DONE => status(task, TaskStatus::Done),
        actions::ON_TRACK => status(task, TaskStatus::OnTrack),
        actions::AT_RISK => status(task, TaskStatus::AtRisk),
        actions::SNOOZE => Command::Snooze { task, working_days: 1 },
        actions::ESC_ACK => Command::Acknowledge { task },
        actions::ESC_SNOOZE => {
            let days = action
                .selected_option
                .as_ref()
                .and_then(|o| o.value.split(':').nth(1))
                .and_then(|d| d.parse().ok())
                .unwrap_or(1);
            Command::Snooze {
                task,
                working_days: days,
            }
        }
        actions::ESC_SNOOZE_UNTIL => match action.selected_date.as_deref().and_then(|d| d.parse().ok()) {
            Some(until) => Command::SnoozeUntil { task, until },
            None => return Outcome::Ack,
        },
        actions::BLOCKED => {
            open_blocked_modal(ctx, task, place, payload.trigger_id.clone()).await;
            return Outcome::Ack;
        }
        other => {
            tracing::debug!(action_id = other, "ignoring an unknown action");
            return Outcome::Ack;
        }
    };
    let outcome = ctx.service.execute(&user, command, ChangeSource::Button).await;
    let message = payload.message.clone();
    let ctx2 = ctx.clone();
    ctx.background.spawn(async move {
        after_change(&ctx2, &user, outcome, place, message.map(|m| (m.text, m.blocks))).await;
    });
    Outcome::Ack
}

/// The button on a missed metric: a task for ops (or the first function) to plan the recovery,
/// owned by whoever pressed it, due in three working days.
async fn create_support_plan(ctx: &SlackContext, user: &SlackUserId, value: &str, response_url: Option<String>) {
    let Some((launch, metric)) = value.split_once('|') else {
        return;
    };
    let Ok(launch) = launch.parse::<i64>() else { return };
    let functions = &ctx.config.functions;
    let Some(function) = functions.resolve("ops").ok().or_else(|| functions.iter().next()) else {
        return;
    };
    let today = ctx.service.today_for(user).await;
    let due = ctx.config.calendar.add_working_days(today, 3).unwrap_or(today);
    let command = Command::AddTask {
        launch: liftoff_core::LaunchRef::Id(liftoff_core::LaunchId(launch)),
        function: function.name.clone(),
        title: format!("Support plan: recover {metric}"),
        owner: Some(user.clone()),
        due: Some(liftoff_core::DueDate::On(due)),
    };
    let reply = reply_for(ctx.service.execute(user, command, ChangeSource::Button).await);
    crate::slack::home::refresh(ctx, crate::slack::home::affected_by(&reply, user));
    if let Some(url) = response_url {
        let ctx2 = ctx.clone();
        ctx.background.spawn(async move {
            if let Err(err) = ctx2.api.respond(&url, &render::render(&reply.view), false).await {
                tracing::warn!(error = %err, "could not confirm the support-plan task");
            }
        });
    }
}

/// Where a go/no-go question was, kept in the no-go modal while the lead writes the reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct GoNoGoMetadata {
    gonogo: i64,
    function: String,
    response_url: Option<String>,
}

/// After a go/no-go answer: replace the question with what was recorded, or tell the lead (next
/// to it, to them only) why it was not.
fn answer_in_place(ctx: &SlackContext, outcome: Result<crate::views::Reply, ServiceError>, url: Option<String>) {
    let applied = outcome.is_ok();
    let reply = reply_for(outcome);
    let Some(url) = url else { return };
    let ctx2 = ctx.clone();
    ctx.background.spawn(async move {
        if let Err(err) = ctx2.api.respond(&url, &render::render(&reply.view), applied).await {
            tracing::warn!(error = %err, "could not answer a go/no-go button");
        }
    });
}

async fn submit_no_go(ctx: &SlackContext, user: &SlackUserId, submission: &ViewSubmission) -> Outcome {
    let Ok(metadata) = serde_json::from_str::<GoNoGoMetadata>(&submission.view.private_metadata) else {
        return Outcome::BadRequest("unreadable form metadata");
    };
    let Ok(function) = liftoff_core::FunctionName::parse(&metadata.function) else {
        return Outcome::BadRequest("unreadable form metadata");
    };
    let reason = submission
        .view
        .state
        .get(actions::REASON, actions::REASON)
        .unwrap_or_default();
    let vote = match liftoff_core::gonogo::Vote::no_go(&reason) {
        Ok(vote) => vote,
        Err(err) => return field_errors(&[(actions::REASON, err.to_string())]),
    };
    let command = Command::GoNoGoVote {
        gonogo: metadata.gonogo,
        function,
        vote,
    };
    let outcome = ctx.service.execute(user, command, ChangeSource::Modal).await;
    if let Err(ServiceError::User { message, .. }) = &outcome {
        return field_errors(&[(actions::REASON, message.clone())]);
    }
    answer_in_place(ctx, outcome, metadata.response_url);
    Outcome::Ack
}

fn status(task: TaskId, status: TaskStatus) -> Command {
    Command::SetStatus {
        task,
        status,
        note: None,
    }
}

async fn open_blocked_modal(ctx: &SlackContext, task: TaskId, place: MessageRef, trigger_id: String) {
    let task = match ctx.service.task(task).await {
        Ok(Some(task)) => task,
        Ok(None) => return,
        Err(err) => {
            tracing::error!(error = %err, "cannot read task for the blocked form");
            return;
        }
    };
    let metadata = serde_json::to_string(&place).unwrap_or_default();
    let ctx2 = ctx.clone();
    ctx.background.spawn(async move {
        if let Err(err) = ctx2.api.open_view(&trigger_id, blocked_modal(&task, metadata)).await {
            tracing::warn!(error = %err, "could not open the blocked form");
        }
    });
}

/// After a button or modal changed a task: update the message it came from, or tell the person
/// why nothing changed.
async fn after_change(
    ctx: &SlackContext,
    user: &SlackUserId,
    outcome: Result<crate::views::Reply, ServiceError>,
    place: MessageRef,
    message: Option<(String, Vec<Value>)>,
) {
    let reply = reply_for(outcome);
    crate::slack::home::refresh(ctx, crate::slack::home::affected_by(&reply, user));
    let View::TaskUpdated { item, today, .. } = &reply.view else {
        // Not applied: say why, to this person only, next to the message.
        if let Some(url) = &place.response_url
            && let Err(err) = ctx.api.respond(url, &render::render(&reply.view), false).await
        {
            tracing::warn!(error = %err, "could not report a failed button press");
        }
        return;
    };
    let result = if place.ephemeral {
        // Ephemeral messages cannot be fetched or chat.update'd: replace through response_url
        // with a freshly rendered view of the person's tasks, which is what those messages show.
        let mine = reply_for(ctx.service.execute(user, Command::Mine, ChangeSource::Button).await);
        match &place.response_url {
            Some(url) => ctx.api.respond(url, &render::render(&mine.view), true).await,
            None => Ok(()),
        }
    } else {
        let (Some(channel), Some(ts)) = (place.channel.as_deref(), place.ts.as_deref()) else {
            return;
        };
        let Ok(channel) = SlackChannelId::parse(channel) else {
            return;
        };
        let (text, blocks) = match message {
            Some(message) => message,
            None => match ctx.api.message(&channel, ts).await {
                Ok(Some(found)) => found,
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "could not fetch the message to update");
                    return;
                }
            },
        };
        let new_rows: Vec<Value> = task_row_after_change(&item.task, &item.launch, *today)
            .iter()
            .filter_map(|b| serde_json::to_value(b).ok())
            .collect();
        let patched = patch_task_rows(blocks, item.task.id, new_rows);
        let blocks: Vec<SlackBlock> = patched
            .into_iter()
            .filter_map(|b| serde_json::from_value(b).ok())
            .collect();
        ctx.api.update_message(&channel, ts, &Rendered { text, blocks }).await
    };
    if let Err(err) = result {
        tracing::warn!(error = %err, task = %item.task.id, "could not update the message after a change");
    }
}

/// Replaces the row of `task` (its line block and its buttons) in a message's blocks with
/// `new_rows`, leaving every other block exactly as it was. Unchanged if the row is not there.
pub fn patch_task_rows(mut blocks: Vec<Value>, task: TaskId, new_rows: Vec<Value>) -> Vec<Value> {
    let line_id = format!("{}{}", actions::TASK_BLOCK_PREFIX, task.0);
    let actions_id = format!("{line_id}:actions");
    let block_id = |b: &Value| b.get("block_id").and_then(Value::as_str).map(str::to_owned);
    let Some(start) = blocks
        .iter()
        .position(|b| block_id(b).as_deref() == Some(line_id.as_str()))
    else {
        return blocks;
    };
    let mut end = start + 1;
    if blocks.get(end).and_then(block_id).as_deref() == Some(actions_id.as_str()) {
        end += 1;
    }
    blocks.splice(start..end, new_rows);
    blocks
}

async fn view_submission(ctx: &SlackContext, submission: ViewSubmission) -> Outcome {
    let Ok(user) = SlackUserId::parse(&submission.user.id) else {
        return Outcome::BadRequest("missing user");
    };
    match submission.view.callback_id.as_str() {
        actions::BLOCKED_MODAL => submit_blocked(ctx, &user, &submission).await,
        actions::NEW_LAUNCH_MODAL => submit_new_launch(ctx, &user, &submission).await,
        actions::GONOGO_MODAL => submit_no_go(ctx, &user, &submission).await,
        _ => Outcome::Ack,
    }
}

fn field_errors(errors: &[(&str, String)]) -> Outcome {
    let map: serde_json::Map<String, Value> = errors.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    Outcome::Respond(json!({ "response_action": "errors", "errors": map }))
}

async fn submit_blocked(ctx: &SlackContext, user: &SlackUserId, submission: &ViewSubmission) -> Outcome {
    let Ok(place) = serde_json::from_str::<MessageRef>(&submission.view.private_metadata) else {
        return Outcome::BadRequest("unreadable form metadata");
    };
    let reason = submission
        .view
        .state
        .get(actions::REASON, actions::REASON)
        .unwrap_or_default();
    let status = match TaskStatus::blocked(&reason) {
        Ok(status) => status,
        Err(err) => return field_errors(&[(actions::REASON, err.to_string())]),
    };
    let blocked_by = submission
        .view
        .state
        .get("blocked_by", "blocked_by")
        .filter(|t| !t.trim().is_empty());
    let command = match blocked_by {
        Some(text) => match TaskId::parse(&text) {
            Ok(by) => Command::BlockedBy {
                task: TaskId(place.task),
                by,
                reason: reason.trim().to_owned(),
            },
            Err(err) => return field_errors(&[("blocked_by", err.to_string())]),
        },
        None => status_command(place.task, status),
    };
    let outcome = ctx.service.execute(user, command, ChangeSource::Modal).await;
    if let Err(ServiceError::User { message, .. }) = &outcome {
        let block = if message.contains("no task") || message.contains("itself") {
            "blocked_by"
        } else {
            actions::REASON
        };
        return field_errors(&[(block, message.clone())]);
    }
    let ctx2 = ctx.clone();
    let user = user.clone();
    ctx.background
        .spawn(async move { after_change(&ctx2, &user, outcome, place, None).await });
    Outcome::Ack
}

fn status_command(task: i64, status: TaskStatus) -> Command {
    Command::SetStatus {
        task: TaskId(task),
        status,
        note: None,
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewLaunchMetadata {
    #[serde(default)]
    response_url: Option<String>,
}

async fn submit_new_launch(ctx: &SlackContext, user: &SlackUserId, submission: &ViewSubmission) -> Outcome {
    let state = &submission.view.state;
    let today = ctx.service.today_for(user).await;
    let mut errors: Vec<(&str, String)> = Vec::new();
    let name = state.get("name", "name").unwrap_or_default();
    let tier = state.get("tier", "tier").and_then(|t| Tier::parse(&t).ok());
    if tier.is_none() {
        errors.push(("tier", "Pick a tier.".to_owned()));
    }
    let date = state.get("date", "date").and_then(|d| d.parse().ok());
    if date.is_none() {
        errors.push(("date", "Pick the launch date.".to_owned()));
    }
    let lead = state
        .get("lead", "lead")
        .and_then(|u| liftoff_core::SlackUserId::parse(&u).ok());
    let (Some(tier), Some(launch_date)) = (tier, date) else {
        return field_errors(&errors);
    };
    let draft = LaunchDraft {
        name,
        tier,
        launch_date,
        lead,
    };
    if let Err(err) = draft.validate(today) {
        let block = match err {
            LaunchDraftError::DateInPast { .. } => "date",
            _ => "name",
        };
        return field_errors(&[(block, err.to_string())]);
    }
    let outcome = ctx
        .service
        .execute(user, Command::NewLaunch(draft), ChangeSource::Modal)
        .await;
    if let Err(ServiceError::User { message, .. }) = &outcome {
        return field_errors(&[("name", message.clone())]);
    }
    let metadata: NewLaunchMetadata = serde_json::from_str(&submission.view.private_metadata).unwrap_or_default();
    let reply = reply_for(outcome);
    if let Some(url) = metadata.response_url.filter(|u| !u.is_empty()) {
        let ctx2 = ctx.clone();
        ctx.background.spawn(async move {
            if let Err(err) = ctx2.api.respond(&url, &render::render(&reply.view), false).await {
                tracing::warn!(error = %err, "could not confirm the new launch");
            }
        });
    }
    Outcome::Ack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patching_replaces_only_the_task_row() {
        let blocks = vec![
            json!({"type": "header", "block_id": "h"}),
            json!({"type": "section", "block_id": "task:7", "text": {"type": "mrkdwn", "text": "old"}}),
            json!({"type": "actions", "block_id": "task:7:actions", "elements": []}),
            json!({"type": "section", "block_id": "task:70", "text": {"type": "mrkdwn", "text": "other"}}),
        ];
        let new_rows =
            vec![json!({"type": "section", "block_id": "task:7", "text": {"type": "mrkdwn", "text": "new"}})];
        let patched = patch_task_rows(blocks.clone(), TaskId(7), new_rows.clone());
        assert_eq!(patched, vec![blocks[0].clone(), new_rows[0].clone(), blocks[3].clone()]);
        assert_eq!(patch_task_rows(blocks.clone(), TaskId(8), new_rows), blocks);
    }
}
