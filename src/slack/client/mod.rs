//! The outbound Slack Web API client: slack-morphism over a connector that also speaks plain
//! HTTP (so tests and the demo can point `LIFTOFF_SLACK_API_URL` at a local fake), with a
//! timeout on every call and errors sorted into what the caller can act on.
//!
//! This module holds the transport (the connector, the timeout, the bookkeeping every call
//! shares); `error` sorts what goes wrong and `methods` holds the Web API methods themselves.

mod error;
mod methods;

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;

use super::blocks::Rendered;
use error::classify;

pub use error::{ErrorClass, SlackApiError, TokenState};
pub use methods::{BotIdentity, ChannelInfo, OUTBOX_EVENT_TYPE, UsersInfoTurn};

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    token: SlackApiToken,
    timeout: Duration,
    token_state: Arc<TokenState>,
    /// `users.info` calls this app may still make (see [`USERS_INFO_PER_MINUTE`]).
    users_info: Arc<governor::DefaultDirectRateLimiter>,
}

/// `users.info` is a Tier 4 method: Slack allows about 100 calls a minute per workspace
/// (docs.slack.dev "Rate limits"; `../shared/SLACK-NOTES.md`), and answers the rest with 429.
/// Liftoff asks it for a person's time zone when they first write to it, so a workspace whose
/// people all turn up at once (a launch kick-off, the first minutes after installing) would
/// otherwise call it hundreds of times a second: 500 new people in half a second under
/// `loadgen` spent the machine's whole CPU in the first second, and 429s are all Slack would
/// have answered. Lookups past the budget are not made (nor started); the person keeps the
/// organisation's time zone until a later message of theirs finds budget left.
const USERS_INFO_PER_MINUTE: u32 = 100;
/// At most this many lookups at once, within [`USERS_INFO_PER_MINUTE`].
const USERS_INFO_BURST: u32 = 10;

impl SlackApi {
    /// A client for the Web API at `api_url` (no trailing slash) with the bot token.
    pub fn new(api_url: &str, bot_token: &SecretString, timeout: Duration) -> std::io::Result<SlackApi> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
        Ok(SlackApi {
            client: Arc::new(SlackClient::new(connector)),
            token: SlackApiToken::new(bot_token.expose_secret().to_owned().into()),
            timeout,
            token_state: Arc::default(),
            users_info: Arc::new(governor::RateLimiter::direct(users_info_quota())),
        })
    }

    /// The error code Slack refuses the bot token with, if the last call found it refused.
    pub fn token_refused(&self) -> Option<String> {
        self.token_state.refused()
    }

    async fn call<T>(
        &self,
        method: &'static str,
        future: impl std::future::Future<Output = ClientResult<T>>,
    ) -> Result<T, SlackApiError> {
        let result = match tokio::time::timeout(self.timeout, future).await {
            Err(_) => Err(SlackApiError::Timeout { method }),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(classify(method, err)),
        };
        // The app-level token of Socket Mode is another token: its refusals are not the bot's.
        if method != "apps.connections.open" {
            self.token_state.record(&result);
        }
        result
    }
}

/// [`USERS_INFO_PER_MINUTE`] with bursts of [`USERS_INFO_BURST`].
fn users_info_quota() -> governor::Quota {
    const PER_MINUTE: std::num::NonZeroU32 = std::num::NonZeroU32::new(USERS_INFO_PER_MINUTE).unwrap();
    const BURST: std::num::NonZeroU32 = std::num::NonZeroU32::new(USERS_INFO_BURST).unwrap();
    governor::Quota::per_minute(PER_MINUTE).allow_burst(BURST)
}

fn content(message: &Rendered) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(message.text.clone())
        .with_blocks(message.blocks.clone())
}
