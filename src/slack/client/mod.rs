//! The outbound Slack Web API client: slack-morphism over a connector that also speaks plain
//! HTTP (so tests and the demo can point `LIFTOFF_SLACK_API_URL` at a local fake), with a
//! timeout on every call and errors sorted into what the caller can act on.

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::blocks::Rendered;
use liftoff_core as domain;

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// Why a Web API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackApiError {
    /// Slack answered `ok: false`, e.g. `channel_not_found`, `invalid_auth`.
    #[error("Slack refused {method}: {error}")]
    Api { method: &'static str, error: String },
    /// HTTP 429: wait at least `retry_after` before calling this method again.
    #[error("Slack rate-limited {method} (retry after {retry_after:?})")]
    RateLimited {
        method: &'static str,
        retry_after: Option<Duration>,
    },
    /// The call did not complete: network, 5xx, malformed answer. Worth retrying.
    #[error("Slack call {method} failed: {reason}")]
    Transport { method: &'static str, reason: String },
    #[error("Slack call {method} timed out")]
    Timeout { method: &'static str },
}

/// What an error means for the work that met it, by Slack's documented meaning of each code
/// (the method reference on docs.slack.dev; slack-ruby/slack-api-ref keeps the lists, see
/// `tests/fixtures/slack/errors.md`), not by guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The token or installation is refused: every call will fail the same way until someone
    /// fixes the app. Pause and alert; keep what is queued.
    TokenWide,
    /// Transient or time-bounded: try the same call again later.
    RetryLater,
    /// This request is refused (its channel, its payload); retrying it will not help.
    Permanent,
}

/// Codes that mean the token itself is refused ("Generic errors" of every method).
const TOKEN_WIDE: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "team_access_not_granted",
    "not_allowed_token_type",
    "enterprise_is_restricted",
    "accesslimited",
    "team_disabled",
];

/// Codes Slack documents as transient or time-bounded. `missing_scope` is here too: it is
/// fixed by adding the scope and reinstalling, after which the queued message should go out.
const RETRY_LATER: &[&str] = &[
    "ratelimited",
    "rate_limited",
    "message_limit_exceeded",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
    "org_login_required",
    "update_failed",
    "external_channel_migrating",
    "missing_scope",
];

impl SlackApiError {
    pub fn class(&self) -> ErrorClass {
        match self {
            SlackApiError::Api { error, .. } if TOKEN_WIDE.contains(&error.as_str()) => ErrorClass::TokenWide,
            SlackApiError::Api { error, .. } if RETRY_LATER.contains(&error.as_str()) => ErrorClass::RetryLater,
            SlackApiError::Api { .. } => ErrorClass::Permanent,
            SlackApiError::RateLimited { .. } | SlackApiError::Transport { .. } | SlackApiError::Timeout { .. } => {
                ErrorClass::RetryLater
            }
        }
    }

    /// The error code of an `ok: false` answer (`not_in_channel`, …); `None` for the others.
    pub fn code(&self) -> Option<&str> {
        match self {
            SlackApiError::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Errors that will not go away by retrying the same call.
    pub fn is_permanent(&self) -> bool {
        self.class() == ErrorClass::Permanent
    }
}

/// Whether Slack currently refuses the bot token, as the last Web API call found. Shared by
/// every clone of the client, so delivery, `/readyz` and `/metrics` see the same thing.
#[derive(Debug, Default)]
pub struct TokenState {
    refused: std::sync::Mutex<Option<String>>,
}

impl TokenState {
    fn record<T>(&self, result: &Result<T, SlackApiError>) {
        let mut refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(_) => {
                if let Some(error) = refused.take() {
                    tracing::warn!(%error, "Slack accepts the bot token again; delivery resumes");
                }
            }
            Err(err @ SlackApiError::Api { error, .. }) if err.class() == ErrorClass::TokenWide => {
                if refused.is_none() {
                    tracing::error!(%error, "Slack refuses the bot token: delivery is paused until it is fixed (reinstall the app or replace SLACK_BOT_TOKEN)");
                }
                *refused = Some(error.clone());
            }
            Err(_) => {}
        }
    }

    /// The error code Slack refuses the token with, while it does.
    pub fn refused(&self) -> Option<String> {
        self.refused.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Who the bot is, from `auth.test`: requests from any other team are refused, and the bot's
/// own messages are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    pub team_id: domain::SlackTeamId,
    pub user_id: domain::SlackUserId,
    pub bot_id: Option<String>,
    /// The Enterprise Grid organisation the app is installed in org-wide, if it is: such an
    /// install serves requests from every workspace of the organisation. `None` for an app
    /// installed in one workspace, even one that belongs to an organisation.
    pub org_wide_enterprise_id: Option<String>,
}

/// What `conversations.info` says of a channel, as far as posting there goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelInfo {
    pub is_member: bool,
    pub is_private: bool,
    pub is_archived: bool,
}

/// The metadata event type that marks Liftoff's outbox messages.
pub const OUTBOX_EVENT_TYPE: &str = "liftoff_outbox";

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

    pub async fn auth_test(&self) -> Result<BotIdentity, SlackApiError> {
        /// auth.test's answer as docs.slack.dev documents it; slack-morphism 2.31's response
        /// type has no `enterprise_id`, which org-wide installs need.
        #[derive(serde::Deserialize)]
        struct AuthTest {
            team_id: String,
            user_id: String,
            bot_id: Option<String>,
            enterprise_id: Option<String>,
            #[serde(default)]
            is_enterprise_install: bool,
        }
        let session = self.client.open_session(&self.token);
        let no_params: Vec<(&str, Option<&str>)> = Vec::new();
        let response: AuthTest = self
            .call(
                "auth.test",
                session.http_session_api.http_get("auth.test", &no_params, None),
            )
            .await?;
        let invalid = |what: &str| SlackApiError::Transport {
            method: "auth.test",
            reason: format!("answer has an invalid {what}"),
        };
        Ok(BotIdentity {
            team_id: domain::SlackTeamId::parse(&response.team_id).map_err(|_| invalid("team_id"))?,
            user_id: domain::SlackUserId::parse(&response.user_id).map_err(|_| invalid("user_id"))?,
            bot_id: response.bot_id,
            org_wide_enterprise_id: response
                .enterprise_id
                .filter(|e| !e.is_empty() && response.is_enterprise_install),
        })
    }

    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsOpenRequest::new(SlackTriggerId(trigger_id.to_owned()), view);
        self.call("views.open", session.views_open(&request)).await.map(|_| ())
    }

    pub async fn update_message(
        &self,
        channel: &domain::SlackChannelId,
        ts: &str,
        message: &Rendered,
    ) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(channel.as_str().to_owned()),
            content(message),
            SlackTs(ts.to_owned()),
        );
        self.call("chat.update", session.chat_update(&request))
            .await
            .map(|_| ())
    }

    /// Posts a message (in a thread when `thread_ts` is given); returns its channel and ts.
    ///
    /// With an `outbox_key`, the message carries it as Slack message metadata, so that a retry
    /// after an unclear outcome (a timeout, a crash) can find out whether it was posted.
    pub async fn post_message(
        &self,
        channel: &str,
        message: &Rendered,
        thread_ts: Option<&str>,
        outbox_key: Option<&str>,
    ) -> Result<(String, String), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let mut content = content(message);
        if let Some(key) = outbox_key {
            content = content.with_metadata(SlackMessageMetadata {
                event_type: OUTBOX_EVENT_TYPE.to_owned(),
                event_payload: Some(std::collections::HashMap::from([("key".to_owned(), key.to_owned())])),
            });
        }
        let mut request = SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_owned()), content);
        if let Some(ts) = thread_ts {
            request = request.with_thread_ts(SlackTs(ts.to_owned()));
        }
        let response = self
            .call("chat.postMessage", session.chat_post_message(&request))
            .await?;
        Ok((response.channel.0, response.ts.0))
    }

    /// The ts of a message posted with `outbox_key` in `channel` (in `thread_ts`'s thread if
    /// given) since `oldest`, if there is one.
    pub async fn find_posted(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        outbox_key: &str,
        oldest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let oldest = SlackTs(format!("{}.000000", oldest.timestamp().saturating_sub(60)));
        let messages = match thread_ts {
            Some(parent) => {
                // Slack returns message metadata only when asked (`include_all_metadata`, on
                // conversations.replies as on conversations.history), and slack-morphism 2.31's
                // replies request has no such field: without it every thread reply looks
                // unposted and is posted again. So the method is called with the argument
                // through slack-morphism's generic GET, which still signs, times and parses it.
                let oldest = oldest.0;
                let params: Vec<(&str, Option<&str>)> = vec![
                    ("channel", Some(channel)),
                    ("ts", Some(parent)),
                    ("oldest", Some(oldest.as_str())),
                    ("limit", Some("200")),
                    ("include_all_metadata", Some("true")),
                ];
                let response: SlackApiConversationsRepliesResponse = self
                    .call(
                        "conversations.replies",
                        session
                            .http_session_api
                            .http_get("conversations.replies", &params, None),
                    )
                    .await?;
                response.messages
            }
            None => {
                let request = SlackApiConversationsHistoryRequest::new()
                    .with_channel(SlackChannelId(channel.to_owned()))
                    .with_oldest(oldest)
                    .with_include_all_metadata(true)
                    .with_limit(200);
                self.call("conversations.history", session.conversations_history(&request))
                    .await?
                    .messages
            }
        };
        Ok(messages
            .into_iter()
            .find(|m| {
                m.content.metadata.as_ref().is_some_and(|meta| {
                    meta.event_type == OUTBOX_EVENT_TYPE
                        && meta
                            .event_payload
                            .as_ref()
                            .and_then(|p| p.get("key"))
                            .is_some_and(|k| k == outbox_key)
                })
            })
            .map(|m| m.origin.ts.0))
    }

    /// Whether the bot is in `channel`, and what kind of channel it is (`conversations.info`).
    /// A private channel the bot is not in answers `channel_not_found`.
    pub async fn channel_info(&self, channel: &str) -> Result<ChannelInfo, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsInfoRequest::new(SlackChannelId(channel.to_owned()));
        let response = self
            .call("conversations.info", session.conversations_info(&request))
            .await?;
        let flags = response.channel.flags;
        Ok(ChannelInfo {
            is_member: flags.is_member.unwrap_or(false),
            is_private: flags.is_private.unwrap_or(false) || flags.is_group.unwrap_or(false),
            is_archived: flags.is_archived.unwrap_or(false),
        })
    }

    /// Joins a public channel (`conversations.join`, scope `channels:join`).
    pub async fn join_channel(&self, channel: &str) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsJoinRequest::new(SlackChannelId(channel.to_owned()));
        self.call("conversations.join", session.conversations_join(&request))
            .await
            .map(|_| ())
    }

    /// The outbox key Liftoff put in the metadata of the message at `ts` in `channel`, if that
    /// message is Liftoff's (`conversations.history` with `include_all_metadata`).
    pub async fn outbox_key_of(&self, channel: &str, ts: &str) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(SlackChannelId(channel.to_owned()))
            .with_latest(SlackTs(ts.to_owned()))
            .with_inclusive(true)
            .with_include_all_metadata(true)
            .with_limit(1);
        let response = self
            .call("conversations.history", session.conversations_history(&request))
            .await?;
        Ok(response
            .messages
            .into_iter()
            .find(|m| m.origin.ts.0 == ts)
            .and_then(|m| m.content.metadata)
            .filter(|meta| meta.event_type == OUTBOX_EVENT_TYPE)
            .and_then(|meta| meta.event_payload)
            .and_then(|payload| payload.get("key").cloned()))
    }

    /// Opens (or finds) the direct-message channel with `user`.
    pub async fn open_dm(&self, user: &str) -> Result<String, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId(user.to_owned())]);
        let response = self
            .call("conversations.open", session.conversations_open(&request))
            .await?;
        Ok(response.channel.id.0)
    }

    pub async fn add_reaction(&self, channel: &str, ts: &str, name: &str) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiReactionsAddRequest::new(
            SlackChannelId(channel.to_owned()),
            SlackReactionName(name.to_owned()),
            SlackTs(ts.to_owned()),
        );
        match self.call("reactions.add", session.reactions_add(&request)).await {
            // Reacting twice is not a failure: the reaction is there.
            Err(SlackApiError::Api { error, .. }) if error == "already_reacted" => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// A person's IANA time zone from their Slack profile.
    pub async fn user_timezone(&self, user: &str) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiUsersInfoRequest::new(SlackUserId(user.to_owned()));
        let response = self.call("users.info", session.users_info(&request)).await?;
        Ok(response.user.tz)
    }

    /// An ephemeral message to `user` in `channel`, optionally inside a thread.
    pub async fn post_ephemeral_in(
        &self,
        channel: &str,
        user: &str,
        message: &Rendered,
        thread_ts: Option<&str>,
    ) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let mut request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId(channel.to_owned()),
            SlackUserId(user.to_owned()),
            content(message),
        );
        if let Some(ts) = thread_ts {
            request = request.with_thread_ts(SlackTs(ts.to_owned()));
        }
        self.call("chat.postEphemeral", session.chat_post_ephemeral(&request))
            .await
            .map(|_| ())
    }

    /// Publishes `user`'s App Home tab.
    pub async fn publish_home(&self, user: &str, view: SlackView) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsPublishRequest::new(SlackUserId(user.to_owned()), view);
        self.call("views.publish", session.views_publish(&request))
            .await
            .map(|_| ())
    }

    /// A fresh Socket Mode websocket URL, opened with the app-level token (`xapp-…`).
    pub async fn open_socket_url(&self, app_token: &SecretString) -> Result<String, SlackApiError> {
        let token = SlackApiToken::new(app_token.expose_secret().to_owned().into());
        let session = self.client.open_session(&token);
        let response = self
            .call(
                "apps.connections.open",
                session.apps_connections_open(&SlackApiAppsConnectionOpenRequest::new()),
            )
            .await?;
        Ok(response.url.0.to_string())
    }

    /// The text and blocks of the message at `ts` in `channel`, if it still exists.
    pub async fn message(
        &self,
        channel: &domain::SlackChannelId,
        ts: &str,
    ) -> Result<Option<(String, Vec<serde_json::Value>)>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(SlackChannelId(channel.as_str().to_owned()))
            .with_latest(SlackTs(ts.to_owned()))
            .with_inclusive(true)
            .with_limit(1);
        let response = self
            .call("conversations.history", session.conversations_history(&request))
            .await?;
        Ok(response.messages.into_iter().find(|m| m.origin.ts.0 == ts).map(|m| {
            let blocks = m
                .content
                .blocks
                .unwrap_or_default()
                .iter()
                .filter_map(|b| serde_json::to_value(b).ok())
                .collect();
            (m.content.text.unwrap_or_default(), blocks)
        }))
    }

    /// Answers through an interaction's `response_url`; `replace_original` swaps the message
    /// the button was on (the only way to update an ephemeral message).
    pub async fn respond(
        &self,
        response_url: &str,
        message: &Rendered,
        replace_original: bool,
    ) -> Result<(), SlackApiError> {
        let url = url::Url::parse(response_url).map_err(|e| SlackApiError::Transport {
            method: "response_url",
            reason: format!("invalid response_url: {e}"),
        })?;
        let request = SlackApiPostWebhookMessageRequest::new(content(message)).with_replace_original(replace_original);
        self.call(
            "response_url",
            self.client.respond_to_event(&SlackResponseUrl(url), &request),
        )
        .await
        .map(|_| ())
    }
}

fn content(message: &Rendered) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(message.text.clone())
        .with_blocks(message.blocks.clone())
}

fn classify(method: &'static str, err: SlackClientError) -> SlackApiError {
    match err {
        SlackClientError::ApiError(api) => SlackApiError::Api {
            method,
            error: api.code,
        },
        SlackClientError::RateLimitError(limit) => SlackApiError::RateLimited {
            method,
            retry_after: limit.retry_after,
        },
        other => SlackApiError::Transport {
            method,
            reason: other.to_string(),
        },
    }
}
