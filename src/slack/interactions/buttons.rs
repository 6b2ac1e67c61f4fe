//! Button presses: a task's status buttons (Blocked opens the reason modal), the escalation
//! acknowledge and snooze controls, the support-plan button on a missed metric, and go/no-go
//! answers (No-go opens the reason modal).

use super::in_place::{after_change, answer_in_place};
use super::{GoNoGoMetadata, MessageRef, Outcome};
use crate::slack::context::SlackContext;
use crate::slack::dispatch::reply_for;
use crate::slack::payloads::BlockActions;
use crate::slack::render::{self, actions, blocked_modal, task_id_from_value};
use liftoff_core::command::Command;
use liftoff_core::{ChangeSource, SlackUserId, TaskId, TaskStatus};

pub(super) async fn block_actions(ctx: &SlackContext, payload: BlockActions) -> Outcome {
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
