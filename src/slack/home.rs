//! App Home: each person's own view of Liftoff — their open tasks (with buttons), the launches
//! they lead or work on with readiness, and the launches coming up. Published when they open
//! the tab and again after changes that affect them.

use super::home_publisher::HOME_QUEUE_REMEMBERED;

use chrono::Duration;
use slack_morphism::prelude::*;

use super::blocks::{context, divider, escape_quiet, fit_blocks, header, limits, packed_sections, section};
use super::client::SlackApiError;
use super::context::SlackContext;
use super::render::{launch_facts, readiness_label, task_line, task_row};
use crate::store::StoreError;
use crate::views::HomeTab;
use liftoff_core::SlackUserId;

/// Most tasks shown with buttons on the Home tab; the rest are listed as text.
const TASKS_WITH_BUTTONS: usize = 20;

/// Builds `user`'s Home tab from the current state.
pub async fn home_view(ctx: &SlackContext, user: &SlackUserId) -> Result<SlackView, StoreError> {
    Ok(render_home(&ctx.service.home(user).await?))
}

/// The Home tab's Block Kit.
pub fn render_home(home: &HomeTab) -> SlackView {
    let today = home.today;
    let launches = &home.launches;
    let mut blocks = vec![header("Your launches")];

    blocks.push(section("*Your open tasks*"));
    if home.tasks.is_empty() {
        blocks.push(context("Nothing open. :tada:"));
    }
    let mut rest = Vec::new();
    for (index, task) in home.tasks.iter().enumerate() {
        let launch = launches.iter().find(|l| l.id == task.launch_id);
        let line = match launch {
            Some(l) => format!(
                "{} — *{}* (`{}`)",
                task_line(task, today),
                escape_quiet(&l.name),
                l.slug
            ),
            None => task_line(task, today),
        };
        if index < TASKS_WITH_BUTTONS {
            blocks.extend(task_row(task, &line));
        } else {
            rest.push(line);
        }
    }
    blocks.extend(packed_sections(&rest));

    // Launches they lead or have work in.
    blocks.push(divider());
    blocks.push(section("*Launches you lead or work on*"));
    if home.involved.is_empty() {
        blocks.push(context("None yet."));
    }
    let lines: Vec<String> = home
        .involved
        .iter()
        .map(|(launch, readiness)| {
            format!(
                "*{}* (`{}`) — {} · {}",
                escape_quiet(&launch.name),
                launch.slug,
                launch_facts(launch, today),
                readiness_label(readiness)
            )
        })
        .collect();
    blocks.extend(packed_sections(&lines));

    // The next four weeks.
    blocks.push(divider());
    blocks.push(section("*Coming up (next 4 weeks)*"));
    let horizon = today + Duration::days(28);
    let upcoming: Vec<String> = launches
        .iter()
        .filter(|l| l.launch_date >= today && l.launch_date <= horizon)
        .map(|l| {
            format!(
                "• {} — *{}* (`{}`, tier {})",
                l.launch_date.format("%a %-d %b"),
                escape_quiet(&l.name),
                l.slug,
                l.tier.number()
            )
        })
        .collect();
    if upcoming.is_empty() {
        blocks.push(context("No launches in the next four weeks."));
    }
    blocks.extend(packed_sections(&upcoming));
    let blocks = fit_blocks(blocks, limits::VIEW_BLOCKS, "Use `/launch mine` for the full list.");
    SlackView::Home(SlackHomeView::new(blocks))
}

/// Who should see a fresh Home tab after `reply`: the person who acted, and the owner or lead
/// the change concerns.
pub fn affected_by<'a>(reply: &'a crate::views::Reply, actor: &'a SlackUserId) -> Vec<&'a SlackUserId> {
    use crate::views::View;
    let (owner, lead) = match &reply.view {
        View::TaskUpdated { item, .. } | View::TaskCreated { item, .. } => {
            (item.task.owner.as_ref(), item.launch.lead.as_ref())
        }
        View::LaunchCreated { launch, .. } | View::LaunchEdited { launch, .. } => (None, launch.lead.as_ref()),
        _ => return Vec::new(),
    };
    let mut users = Vec::with_capacity(3);
    users.push(actor);
    users.extend(owner);
    users.extend(lead);
    users
}

/// Publishes the Home tab of each of `users` in the background: at most one rebuild queued
/// per person, started no sooner than `slack.home_refresh` after their previous one, and no
/// more than `slack.home_publishes_per_minute` across the workspace. A burst of changes (a
/// lead's hundred launches under load, say) so costs one rebuild per interval per person.
pub fn refresh<'u>(ctx: &SlackContext, users: impl IntoIterator<Item = &'u SlackUserId>) {
    let interval = ctx.config.slack.home_refresh;
    let mut users: Vec<&SlackUserId> = users.into_iter().collect();
    users.sort_unstable();
    users.dedup();
    for user in users {
        let wait = {
            let mut queue = ctx.home.queue.lock().unwrap_or_else(|p| p.into_inner());
            // Looked up before it is copied: under load a rebuild is mostly already waiting.
            if queue.pending.contains(user) {
                // A rebuild for them is waiting to start; it will read this change too.
                continue;
            }
            queue.pending.insert(user.clone());
            queue
                .last_started
                .get(user)
                .map(|last| (*last + interval).saturating_duration_since(tokio::time::Instant::now()))
                .unwrap_or_default()
        };
        let ctx2 = ctx.clone();
        let user = user.clone();
        ctx.background.spawn(async move {
            let home = &ctx2.home;
            let turn = async {
                tokio::time::sleep(wait).await;
                home.workspace.until_ready().await;
            };
            tokio::select! {
                () = turn => {}
                () = home.stop.cancelled() => return,
            }
            {
                // Taken off the queue before reading, so a change made from here on queues another.
                let mut queue = home.queue.lock().unwrap_or_else(|p| p.into_inner());
                queue.pending.remove(&user);
                let now = tokio::time::Instant::now();
                if queue.last_started.len() >= HOME_QUEUE_REMEMBERED {
                    queue.last_started.retain(|_, last| *last + interval > now);
                }
                queue.last_started.insert(user.clone(), now);
            }
            let view = match home_view(&ctx2, &user).await {
                Ok(view) => view,
                Err(err) => {
                    tracing::warn!(error = %err, user = %user, "cannot build the Home tab");
                    return;
                }
            };
            match ctx2.api.publish_home(user.as_str(), view).await {
                Ok(()) => {}
                Err(SlackApiError::RateLimited { retry_after, .. }) => {
                    // Published later, from the state then; honouring Retry-After.
                    tracing::warn!(user = %user, ?retry_after, "Home tab publish rate-limited; retrying later");
                    let later = tokio::time::sleep(retry_after.unwrap_or(std::time::Duration::from_secs(30)));
                    tokio::select! {
                        () = later => refresh(&ctx2, [&user]),
                        () = home.stop.cancelled() => {}
                    }
                }
                Err(err) => tracing::warn!(error = %err, user = %user, "cannot publish the Home tab"),
            }
        });
    }
}
