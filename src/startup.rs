//! Wiring: from a validated config to a ready-to-serve [`AppState`]. Shared by `serve`, the
//! tests (which point it at a fake Slack) and, later, the demo.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::task::TaskTracker;

use crate::clock::SharedClock;
use crate::config::{Config, ConfigError};
use crate::http::AppState;
use crate::service::Service;
use crate::slack::client::{BotIdentity, SlackApi, SlackApiError};
use crate::slack::context::{SlackContext, SlackParts};
use crate::slack::home_publisher::HomePublisher;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Slack refused the bot token: a configuration problem, not an outage.
    #[error("slack.bot_token: Slack refused the token ({0}); check SLACK_BOT_TOKEN")]
    TokenRefused(String),
    #[error(transparent)]
    Runtime(#[from] anyhow::Error),
}

/// How often `auth.test` is tried at start-up before giving up on an unreachable Slack.
const IDENTIFY_ATTEMPTS: u32 = 5;

/// Builds the application state over a connected, migrated store.
pub async fn prepare(config: Config, store: Store, clock: SharedClock) -> Result<AppState, StartupError> {
    let credentials = config.slack_credentials()?;
    let api = SlackApi::new(
        &config.slack.api_url,
        credentials.bot_token,
        config.slack.request_timeout,
    )
    .map_err(|err| anyhow::anyhow!("cannot set up the Slack client: {err}"))?;
    let signing_secret = credentials.signing_secret.cloned();
    let identity = identify(&api).await?;
    tracing::info!(team = %identity.team_id, bot_user = %identity.user_id, "connected to Slack");
    let home = Arc::new(HomePublisher::new(config.slack.home_publishes_per_minute));
    let config = Arc::new(config);
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let service = Service::new(store.clone(), config.clone(), clock.clone());
    check_channels(&api, &service, &config).await;
    Ok(AppState {
        config: config.clone(),
        store,
        clock: clock.clone(),
        metrics,
        slack: SlackContext::new(SlackParts {
            service,
            config,
            clock,
            api,
            signing_secret,
            identity,
            background: TaskTracker::new(),
            home,
        }),
    })
}

/// How long start-up waits for Slack to say whether Liftoff can post in one channel.
const CHANNEL_CHECK_BUDGET: Duration = Duration::from_secs(3);

/// Every channel Liftoff is configured to post in: the PMO and escalation channels and each
/// function's check-in channel (from the config or `/launch channel`).
pub async fn configured_channels(service: &Service, config: &Config) -> Vec<(String, liftoff_core::SlackChannelId)> {
    let functions = match service.effective_functions().await {
        Ok(functions) => functions,
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the function channels");
            Vec::new()
        }
    };
    config.channels.posting_channels(&functions)
}

/// Joins each configured public channel Liftoff is not in yet, and says loudly which ones it
/// cannot post in, before anything is posted there.
async fn check_channels(api: &SlackApi, service: &Service, config: &Config) {
    for (key, channel) in configured_channels(service, config).await {
        let access = crate::slack::membership::ensure_member(api, channel.as_str(), CHANNEL_CHECK_BUDGET).await;
        match access {
            crate::slack::membership::ChannelAccess::Member => {}
            crate::slack::membership::ChannelAccess::Joined => {
                tracing::info!(%key, channel = %channel, "joined a configured channel")
            }
            other => {
                tracing::error!(%key, channel = %channel, access = ?other, "Liftoff cannot post in a configured channel: invite it with /invite @Liftoff")
            }
        }
    }
}

/// Learns the bot's team and user from `auth.test`, retrying while Slack is unreachable.
async fn identify(api: &SlackApi) -> Result<BotIdentity, StartupError> {
    let mut delay = Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        match api.auth_test().await {
            Ok(identity) => return Ok(identity),
            Err(SlackApiError::Api { error, .. }) => return Err(StartupError::TokenRefused(error)),
            Err(err) if attempt >= IDENTIFY_ATTEMPTS => {
                return Err(anyhow::anyhow!("cannot reach Slack after {attempt} attempts: {err}").into());
            }
            Err(err) => {
                tracing::warn!(error = %err, attempt, "Slack auth.test failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
        }
    }
}
