//! Typed configuration: a TOML file (`config/liftoff.toml` or `LIFTOFF_CONFIG`), then the
//! standard environment variables on top, then one validation pass that reports every problem
//! with the key it belongs to. `config/liftoff.example.toml` documents every key.
//!
//! Loading is split in two on purpose: serde turns the file into [`RawConfig`] (strings as
//! written), and [`RawConfig::validate`] turns that into [`Config`] (parsed cron schedules, time
//! zones, ids). Serde alone would stop at the first bad value; people fixing a config file want
//! all of them at once.
//!
//! This file holds the loading entry points ([`Config::load`], [`Config::from_toml`],
//! [`Config::load_from_environment`]) and re-exports the public types; each step of loading
//! has its own file:
//! - `schema`: the raw serde types, exactly the shape of the file;
//! - `defaults`: the value of every key the file leaves out;
//! - `env`: the environment variables that override file keys;
//! - `validation`: raw form to [`Config`], collecting every [`ConfigProblem`];
//! - `functions` and `templates`: the function catalog and the tier templates, validated;
//! - `settings`: the validated types the rest of Liftoff uses;
//! - `credentials`: the Slack secrets `serve` needs, checked apart from loading;
//! - `redact`: database URLs made safe for logs.

use std::path::{Path, PathBuf};

mod credentials;
mod defaults;
mod env;
mod functions;
mod redact;
mod schema;
mod settings;
mod templates;
mod validation;

#[cfg(test)]
mod tests;

pub use credentials::SlackCredentials;
pub use defaults::{DEFAULT_CONFIG_PATH, DEFAULT_SLACK_API_URL};
pub use env::ENV_OVERRIDES;
pub use redact::redact_url;
pub(crate) use schema::RawConfig;
pub use settings::{
    Channels, CheckinSettings, Config, CronSchedule, DatabaseConfig, Schedules, ServerConfig, SlackConfig, Transport,
};
pub use validation::{ConfigError, ConfigProblem};

impl Config {
    /// Loads the file at `path` (or the default path if it exists), applies the environment,
    /// and validates. `env` is passed in so tests need not touch the process environment.
    pub fn load(path: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let raw = RawConfig::read(path)?;
        raw.with_env(env).validate()
    }

    /// Builds a config from TOML text and an environment, without touching files: for tests,
    /// the demo, and embedding Liftoff.
    pub fn from_toml(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let raw = RawConfig::parse(text).map_err(|message| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message,
        })?;
        raw.with_env(env).validate()
    }

    /// Loads `path` (the CLI resolves `--config` / `LIFTOFF_CONFIG`) with the real process
    /// environment on top. Empty variables count as unset, as in most shells' `VAR= cmd`.
    pub fn load_from_environment(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        Config::load(path, &env)
    }
}

impl RawConfig {
    fn read(path: Option<&Path>) -> Result<RawConfig, ConfigError> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_PATH), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => return Ok(RawConfig::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        RawConfig::parse(&text).map_err(|message| ConfigError::Parse { path, message })
    }

    pub(crate) fn parse(text: &str) -> Result<RawConfig, String> {
        toml::from_str(text).map_err(|err| {
            // toml's message spans several lines with a source excerpt; keep it on one line.
            err.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
        })
    }
}
