//! After a change: the message a button was on is updated in place (a task's row re-rendered,
//! a go/no-go question replaced by the answer), or the person is told, next to it and to them
//! only, why nothing changed.

use serde_json::Value;
use slack_morphism::prelude::SlackBlock;

use super::MessageRef;
use crate::service::ServiceError;
use crate::slack::blocks::Rendered;
use crate::slack::context::SlackContext;
use crate::slack::dispatch::reply_for;
use crate::slack::render::{self, patch_task_rows, task_line, task_row, task_row_after_change};
use crate::views::View;
use liftoff_core::command::Command;
use liftoff_core::{ChangeSource, SlackChannelId, SlackUserId};

/// After a go/no-go answer: replace the question with what was recorded, or tell the lead (next
/// to it, to them only) why it was not.
pub(super) fn answer_in_place(
    ctx: &SlackContext,
    outcome: Result<crate::views::Reply, ServiceError>,
    url: Option<String>,
) {
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

/// After a button or modal changed a task: update the message it came from, or tell the person
/// why nothing changed.
pub(super) async fn after_change(
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
    // The check-in listing the task, when the button was elsewhere (a nudge, `/launch mine`).
    let pressed_on = place.channel.as_deref().zip(place.ts.as_deref());
    let on_checkin = ctx
        .service
        .redraw_checkins_after_change(item.task.id, item.task.version, pressed_on, *today)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err, task = %item.task.id, "could not queue the check-in's redraw");
            false
        });
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
        // A check-in groups its rows under launch titles: its rows do not repeat the launch.
        let rows = if on_checkin {
            task_row(&item.task, &task_line(&item.task, *today))
        } else {
            task_row_after_change(&item.task, &item.launch, *today)
        };
        let new_rows: Vec<Value> = rows.iter().filter_map(|b| serde_json::to_value(b).ok()).collect();
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
