//! What every Slack handler needs, whichever transport brought the request: the service, the
//! Web API client, who the bot is, and where background work runs.

use std::sync::Arc;

use secrecy::SecretString;
use tokio_util::task::TaskTracker;

use super::client::{BotIdentity, SlackApi};
use super::installation::Installation;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::service::Service;
use liftoff_core::SlackUserId;

/// What the Slack handlers need: [`SlackParts`] behind one reference count. axum clones it for
/// every request, and the parts themselves hold strings a clone would copy (the signing secret,
/// the bot token, who the bot is).
#[derive(Clone)]
pub struct SlackContext(Arc<SlackParts>);

impl SlackContext {
    pub fn new(parts: SlackParts) -> SlackContext {
        SlackContext(Arc::new(parts))
    }
}

impl std::ops::Deref for SlackContext {
    type Target = SlackParts;

    fn deref(&self) -> &SlackParts {
        &self.0
    }
}

/// The parts of a [`SlackContext`].
pub struct SlackParts {
    pub service: Service,
    /// The configuration the service was built with: timeouts, pacing, functions.
    pub config: Arc<Config>,
    /// The clock the service runs on: signatures are checked against it.
    pub clock: SharedClock,
    pub api: SlackApi,
    /// Absent in Socket Mode, where no request URLs are served.
    pub signing_secret: Option<SecretString>,
    pub identity: BotIdentity,
    /// Work started after a request was acknowledged; shutdown waits for it.
    pub background: TaskTracker,
    /// Home tab rebuilds, coalesced and paced (`home::refresh`).
    pub home: std::sync::Arc<super::home_publisher::HomePublisher>,
}

impl SlackContext {
    /// Looks up `user`'s time zone in the background when it is unknown or a day old, so
    /// "today" and "overdue" become theirs from the next request on. Nothing is started when
    /// this instance asked about them lately, or when the `users.info` budget is spent (their
    /// next message tries again).
    pub fn learn_timezone(&self, user: &SlackUserId) {
        if !self.service.timezone_worth_asking(user) {
            return;
        }
        let Some(turn) = self.api.users_info_turn() else {
            return;
        };
        self.service.note_timezone_asked(user);
        let ctx = self.clone();
        let user = user.clone();
        self.background.spawn(async move {
            // Another instance may have learnt it since this one read the store.
            if !ctx.service.timezone_is_stale(&user).await {
                return;
            }
            match ctx.api.user_timezone(turn, user.as_str()).await {
                Ok(Some(tz)) if tz.parse::<chrono_tz::Tz>().is_ok() => {
                    if let Err(err) = ctx.service.remember_timezone(&user, &tz).await {
                        tracing::warn!(error = %err, "could not cache a time zone");
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::debug!(error = %err, user = %user, "users.info failed; using the organisation's time zone")
                }
            }
        });
    }

    /// Requests for any installation but the bot's own are refused (see [`Installation`]).
    pub fn serves(&self, installation: &Installation) -> bool {
        installation.is_served_by(
            self.identity.team_id.as_str(),
            self.identity.org_wide_enterprise_id.as_deref(),
        )
    }
}
