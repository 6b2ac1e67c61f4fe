//! Environment-variable overrides: the standard variables (`SLACK_BOT_TOKEN`, `DATABASE_URL`,
//! …) applied on top of the file before validation. A separate step with its own table, so the
//! docs, `check-config` and the loader name the same variables.

use super::schema::RawConfig;

/// The environment variables Liftoff honours, and the key each overrides. Kept in one table so
/// the docs, `check-config` and the loader cannot disagree.
pub const ENV_OVERRIDES: [(&str, &str); 6] = [
    ("SLACK_BOT_TOKEN", "slack.bot_token"),
    ("SLACK_SIGNING_SECRET", "slack.signing_secret"),
    ("SLACK_APP_TOKEN", "slack.app_token"),
    ("LIFTOFF_SLACK_API_URL", "slack.api_url"),
    ("DATABASE_URL", "database.url"),
    ("LIFTOFF_BIND", "server.bind"),
];

impl RawConfig {
    pub(super) fn with_env(mut self, env: &dyn Fn(&str) -> Option<String>) -> RawConfig {
        for (var, key) in ENV_OVERRIDES {
            let Some(value) = env(var) else { continue };
            match key {
                "slack.bot_token" => self.slack.bot_token = Some(value),
                "slack.signing_secret" => self.slack.signing_secret = Some(value),
                "slack.app_token" => self.slack.app_token = Some(value),
                "slack.api_url" => self.slack.api_url = value,
                "database.url" => self.database.url = value,
                "server.bind" => self.server.bind = value,
                other => unreachable!("ENV_OVERRIDES names unknown key {other}"),
            }
        }
        self
    }
}
