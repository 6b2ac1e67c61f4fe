//! Modal submissions: the blocked-task reason, the no-go reason and the launch creation form,
//! each validated with its errors shown next to the fields they are about.

use serde::Deserialize;
use serde_json::{Value, json};

use super::in_place::{after_change, answer_in_place};
use super::{GoNoGoMetadata, MessageRef, Outcome};
use crate::service::ServiceError;
use crate::slack::context::SlackContext;
use crate::slack::dispatch::reply_for;
use crate::slack::payloads::ViewSubmission;
use crate::slack::render::{self, actions};
use crate::views::UserError;
use liftoff_core::command::Command;
use liftoff_core::launch::{LaunchDraftError, Tier};
use liftoff_core::{ChangeSource, LaunchDraft, SlackUserId, TaskId, TaskStatus};

pub(super) async fn view_submission(ctx: &SlackContext, submission: ViewSubmission) -> Outcome {
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
    if let Err(ServiceError::User { refusal, .. }) = &outcome {
        return field_errors(&[(actions::REASON, crate::slack::wording::refusal(refusal))]);
    }
    answer_in_place(ctx, outcome, metadata.response_url);
    Outcome::Ack
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
    if let Err(ServiceError::User { refusal, .. }) = &outcome {
        let message = crate::slack::wording::refusal(refusal);
        let block = if matches!(refusal, UserError::NoSuchTask(_) | UserError::WaitsOnItself) {
            "blocked_by"
        } else {
            actions::REASON
        };
        return field_errors(&[(block, message)]);
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
    if let Err(ServiceError::User { refusal, .. }) = &outcome {
        return field_errors(&[("name", crate::slack::wording::refusal(refusal))]);
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
