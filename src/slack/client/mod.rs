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
pub use methods::{BotIdentity, ChannelInfo, OUTBOX_EVENT_TYPE};

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    token: SlackApiToken,
    timeout: Duration,
    token_state: Arc<TokenState>,
}

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

fn content(message: &Rendered) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(message.text.clone())
        .with_blocks(message.blocks.clone())
}
