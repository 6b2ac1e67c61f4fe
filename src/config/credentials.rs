//! Slack credentials: checks that the secrets the configured transport needs are present and
//! well-formed. Separate from loading because `migrate` and `tick` run without Slack
//! credentials, while `serve` and `check-config` cannot.

use secrecy::{ExposeSecret, SecretString};

use super::settings::{Config, Transport};
use super::validation::{ConfigError, ConfigProblem};

/// The secrets `serve` needs, present and well-formed.
pub struct SlackCredentials<'a> {
    pub bot_token: &'a SecretString,
    pub signing_secret: Option<&'a SecretString>,
    pub app_token: Option<&'a SecretString>,
}

impl Config {
    /// Checks that the secrets for the configured transport are present and look right.
    /// Separate from [`Config::load`] because `migrate` and `tick` can run without Slack
    /// credentials, while `serve` and `check-config` cannot.
    pub fn slack_credentials(&self) -> Result<SlackCredentials<'_>, ConfigError> {
        let mut problems = Vec::new();
        let slack = &self.slack;
        check_secret(
            &mut problems,
            "slack.bot_token",
            "SLACK_BOT_TOKEN",
            slack.bot_token.as_ref(),
            "xoxb-",
            true,
        );
        match slack.transport() {
            Transport::Http => check_secret(
                &mut problems,
                "slack.signing_secret",
                "SLACK_SIGNING_SECRET",
                slack.signing_secret.as_ref(),
                "",
                true,
            ),
            Transport::SocketMode => check_secret(
                &mut problems,
                "slack.app_token",
                "SLACK_APP_TOKEN",
                slack.app_token.as_ref(),
                "xapp-",
                true,
            ),
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(SlackCredentials {
            bot_token: slack.bot_token.as_ref().expect("checked above"),
            signing_secret: slack.signing_secret.as_ref(),
            app_token: slack.app_token.as_ref(),
        })
    }
}

fn check_secret(
    problems: &mut Vec<ConfigProblem>,
    key: &str,
    env: &str,
    value: Option<&SecretString>,
    prefix: &str,
    required: bool,
) {
    match value {
        None if required => problems.push(ConfigProblem {
            key: key.to_owned(),
            message: format!("required but not set (set {env} or `{key}` in the config file)"),
        }),
        None => {}
        // Only the expected prefix is named: the value itself must never be echoed.
        Some(secret) if !secret.expose_secret().starts_with(prefix) => problems.push(ConfigProblem {
            key: key.to_owned(),
            message: format!("does not look right: it should start with `{prefix}`"),
        }),
        Some(secret) if secret.expose_secret().trim().len() < 8 => problems.push(ConfigProblem {
            key: key.to_owned(),
            message: "is too short to be a real Slack secret".to_owned(),
        }),
        Some(_) => {}
    }
}
