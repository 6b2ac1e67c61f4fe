//! Why a Web API call failed, and what that means for the work that met it: the error
//! classes by Slack's documented codes, and whether Slack currently refuses the bot token.

use std::time::Duration;

use slack_morphism::errors::SlackClientError;

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
    pub(super) fn record<T>(&self, result: &Result<T, SlackApiError>) {
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

pub(super) fn classify(method: &'static str, err: SlackClientError) -> SlackApiError {
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
