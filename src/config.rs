//! Typed configuration: a TOML file (`config/liftoff.toml` or `LIFTOFF_CONFIG`), then the
//! standard environment variables on top, then one validation pass that reports every problem
//! with the key it belongs to. `config/liftoff.example.toml` documents every key.
//!
//! Loading is split in two on purpose: serde turns the file into [`RawConfig`] (strings as
//! written), and [`RawConfig::validate`] turns that into [`Config`] (parsed cron schedules, time
//! zones, ids). Serde alone would stop at the first bad value; people fixing a config file want
//! all of them at once.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use liftoff_core::checkin::Cadence;
use liftoff_core::escalation::Ladder;
use liftoff_core::function::BUILTIN_FUNCTIONS;
use liftoff_core::saturation::Freeze;
use liftoff_core::template::{TemplateTask, Templates};
use liftoff_core::{
    DueDate, FunctionCatalog, FunctionDef, FunctionName, SlackChannelId, SlackUserId, Tier, WorkCalendar,
};

/// Where the config file is looked for when `LIFTOFF_CONFIG` / `--config` name none. A missing
/// default file is fine (defaults and environment apply); a missing named file is an error.
pub const DEFAULT_CONFIG_PATH: &str = "config/liftoff.toml";

/// Slack's Web API, used unless `LIFTOFF_SLACK_API_URL` points elsewhere (a test fake, a proxy).
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

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

/// One thing wrong with the configuration, tied to the key a person has to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration: {}", join_problems(.0))]
    Invalid(Vec<ConfigProblem>),
}

fn join_problems(problems: &[ConfigProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl ConfigError {
    /// Every problem on its own, for `check-config` to list one per line.
    pub fn problems(&self) -> Vec<String> {
        match self {
            ConfigError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Raw form: exactly what the file says.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawConfig {
    slack: RawSlack,
    server: RawServer,
    database: RawDatabase,
    calendar: RawCalendar,
    schedules: RawSchedules,
    scheduler: RawScheduler,
    checkins: RawCheckins,
    escalation: RawEscalation,
    people: RawPeople,
    launches: RawLaunches,
    channels: RawChannels,
    permissions: RawPermissions,
    functions: BTreeMap<String, RawFunction>,
    templates: RawTemplatesRef,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawTemplatesRef {
    /// Where the tier templates are; unset means `config/templates.toml` if present, else the
    /// built-in copy of it.
    path: Option<String>,
}

/// The shipped templates, used when no file is found at the default path.
const BUILTIN_TEMPLATES: &str = include_str!("../config/templates.toml");
const DEFAULT_TEMPLATES_PATH: &str = "config/templates.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawTemplates {
    tier1: Vec<RawTemplateTask>,
    tier2: Vec<RawTemplateTask>,
    tier3: Vec<RawTemplateTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplateTask {
    function: String,
    title: String,
    due: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSlack {
    bot_token: Option<String>,
    signing_secret: Option<String>,
    app_token: Option<String>,
    api_url: String,
    request_timeout_secs: u64,
    post_interval_ms: u64,
    delivery_lease_secs: u64,
    home_refresh_ms: u64,
    home_publishes_per_minute: u32,
    socket_ping_ms: u64,
}

impl Default for RawSlack {
    fn default() -> Self {
        RawSlack {
            bot_token: None,
            signing_secret: None,
            app_token: None,
            api_url: DEFAULT_SLACK_API_URL.to_owned(),
            request_timeout_secs: 10,
            post_interval_ms: 1000,
            delivery_lease_secs: 60,
            home_refresh_ms: 1000,
            home_publishes_per_minute: 100,
            socket_ping_ms: 10_000,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    bind: String,
    read_timeout_secs: u64,
}

impl Default for RawServer {
    fn default() -> Self {
        RawServer {
            bind: "127.0.0.1:3000".to_owned(),
            read_timeout_secs: 10,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDatabase {
    url: String,
    max_connections: u32,
    busy_timeout_ms: u64,
    connect_timeout_secs: u64,
}

impl Default for RawDatabase {
    fn default() -> Self {
        RawDatabase {
            url: "sqlite://liftoff.db".to_owned(),
            max_connections: 8,
            busy_timeout_ms: 5_000,
            connect_timeout_secs: 5,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCalendar {
    timezone: String,
    working_days: Vec<String>,
    holidays: Vec<String>,
}

impl Default for RawCalendar {
    fn default() -> Self {
        RawCalendar {
            timezone: "UTC".to_owned(),
            working_days: ["Mon", "Tue", "Wed", "Thu", "Fri"].map(String::from).to_vec(),
            holidays: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSchedules {
    checkin: String,
    checkin_final_stretch: String,
    digest: String,
    nudge: String,
    escalation: String,
}

impl Default for RawSchedules {
    fn default() -> Self {
        RawSchedules {
            checkin: "0 0 10 * * Mon,Wed,Fri".to_owned(),
            checkin_final_stretch: "0 0 10 * * Mon-Fri".to_owned(),
            digest: "0 30 8 * * Mon-Fri".to_owned(),
            nudge: "0 0 9-17 * * Mon-Fri".to_owned(),
            escalation: "0 */15 9-17 * * Mon-Fri".to_owned(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawEscalation {
    enabled: bool,
    reminder: bool,
    function_lead_overdue_days: i64,
    function_lead_blocked_days: i64,
    launch_lead_overdue_days: i64,
    launch_lead_blocked_days: i64,
    tier1_final_days: i64,
    ack_hold_days: u32,
}

impl Default for RawEscalation {
    fn default() -> Self {
        let ladder = Ladder::default();
        RawEscalation {
            enabled: true,
            reminder: ladder.reminder,
            function_lead_overdue_days: ladder.function_lead_overdue_days,
            function_lead_blocked_days: ladder.function_lead_blocked_days,
            launch_lead_overdue_days: ladder.launch_lead_overdue_days,
            launch_lead_blocked_days: ladder.launch_lead_blocked_days,
            tier1_final_days: ladder.tier1_final_days,
            ack_hold_days: ladder.ack_hold_days,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLaunches {
    max_per_week: usize,
    freeze: Vec<RawFreeze>,
    ics_token: Option<String>,
}

impl Default for RawLaunches {
    fn default() -> Self {
        RawLaunches {
            max_per_week: 2,
            freeze: Vec::new(),
            ics_token: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFreeze {
    from: String,
    to: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPeople {
    max_active_launches_per_lead: usize,
}

impl Default for RawPeople {
    fn default() -> Self {
        RawPeople {
            max_active_launches_per_lead: 3,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawScheduler {
    enabled: bool,
    interval_secs: u64,
}

impl Default for RawScheduler {
    fn default() -> Self {
        RawScheduler {
            enabled: true,
            interval_secs: 30,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCheckins {
    final_stretch_days: i64,
    tier3_weekly: bool,
    nudge_after_hours: i64,
    max_nudges_per_day: usize,
}

impl Default for RawCheckins {
    fn default() -> Self {
        RawCheckins {
            final_stretch_days: 14,
            tier3_weekly: true,
            nudge_after_hours: 4,
            max_nudges_per_day: 2,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawChannels {
    pmo: Option<String>,
    escalation: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawPermissions {
    admins: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawFunction {
    display_name: Option<String>,
    aliases: Vec<String>,
    channel: Option<String>,
    lead: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Validated form: what the rest of Liftoff uses.

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub slack: SlackConfig,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub calendar: WorkCalendar,
    pub schedules: Schedules,
    /// `None` when scheduling is switched off (`scheduler.enabled = false`): `serve` then only
    /// answers Slack and delivers, and scheduled work runs through `liftoff tick`.
    pub scheduler_interval: Option<Duration>,
    pub checkins: CheckinSettings,
    pub ladder: Ladder,
    /// Off: no escalation sweeps at all (`escalation.enabled = false`).
    pub escalation_enabled: bool,
    /// A lead with more active launches than this is "spread too thin".
    pub max_active_launches_per_lead: usize,
    /// More launches than this in one week draws a saturation warning.
    pub max_launches_per_week: usize,
    /// Periods when nothing should launch.
    pub freezes: Vec<Freeze>,
    /// The secret in the calendar feed's URL (`/calendar.ics?token=…`); no feed without it.
    pub ics_token: Option<SecretString>,
    pub channels: Channels,
    pub admins: Vec<SlackUserId>,
    pub functions: FunctionCatalog,
    pub templates: Templates,
}

/// How Slack reaches Liftoff: signed HTTP requests, or a Socket Mode websocket Liftoff opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    SocketMode,
}

#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub bot_token: Option<SecretString>,
    pub signing_secret: Option<SecretString>,
    pub app_token: Option<SecretString>,
    /// Web API base without a trailing slash, e.g. `https://slack.com/api`.
    pub api_url: String,
    pub request_timeout: Duration,
    /// Spacing between posts to one channel (Slack allows about one per second).
    pub post_interval: Duration,
    /// How long a delivery worker owns a message it claimed. A worker that dies (a crash, a
    /// killed instance) leaves its message to be picked up by any worker after this long;
    /// longer than a request's timeout, so a live worker is never overtaken.
    pub delivery_lease: Duration,
    /// The least time between two publishes of one person's Home tab. Changes in between
    /// are coalesced into the next publish, so a burst of updates (or a lead of many busy
    /// launches) costs one rebuild per interval, not one per change.
    pub home_refresh: Duration,
    /// Home tab publishes allowed per minute across the workspace (`views.publish` is a
    /// Tier 4 method: about 100 a minute).
    pub home_publishes_per_minute: NonZeroU32,
    /// How often a Socket Mode connection is pinged; three intervals without any frame from
    /// Slack mean the link is dead (a half-open TCP connection sends nothing, ever).
    pub socket_ping: Duration,
}

impl SlackConfig {
    /// Socket Mode when an app-level token is configured, as Slack's own SDKs decide.
    pub fn transport(&self) -> Transport {
        if self.app_token.is_some() {
            Transport::SocketMode
        } else {
            Transport::Http
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// A client must send a request's headers, and then its body, within this long each
    /// (slow-loris protection; Slack sends a request at once).
    pub read_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// May carry a password, hence secret; log [`DatabaseConfig::redacted_url`] instead.
    pub url: SecretString,
    pub max_connections: u32,
    pub busy_timeout: Duration,
    pub connect_timeout: Duration,
}

impl DatabaseConfig {
    /// The URL with any password replaced, safe for logs and error messages.
    pub fn redacted_url(&self) -> String {
        redact_url(self.url.expose_secret())
    }
}

/// Query parameters of a database URL that carry a secret (libpq's `password` and
/// `sslpassword`, and their common spellings).
const SECRET_URL_PARAMS: &[&str] = &["password", "pass", "pwd", "sslpassword", "secret", "token"];

/// A database URL fit for logs: the password in `scheme://user:password@host/...` and every
/// secret query parameter (`?password=…`) become `***`. A URL that does not parse is not shown
/// at all beyond its scheme, since where its secret sits cannot be known.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(raw) else {
        let scheme = raw
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|scheme| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'));
        return match scheme {
            Some(scheme) => format!("{scheme}:*** (not a valid URL)"),
            None => "*** (not a valid URL)".to_owned(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let secret = |key: &str| SECRET_URL_PARAMS.iter().any(|s| key.eq_ignore_ascii_case(s));
    if parsed.query_pairs().any(|(key, _)| secret(&key)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if secret(&key) {
                    "***".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// A parsed cron schedule that remembers how it was written, for messages and logs.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    pub expression: String,
    pub schedule: cron::Schedule,
}

#[derive(Debug, Clone)]
pub struct Schedules {
    pub checkin: CronSchedule,
    /// Extra check-in slots for tier-1 launches in their final stretch.
    pub checkin_final_stretch: CronSchedule,
    pub digest: CronSchedule,
    pub nudge: CronSchedule,
    pub escalation: CronSchedule,
}

/// Check-in cadence and nudging.
#[derive(Debug, Clone, Copy)]
pub struct CheckinSettings {
    pub cadence: Cadence,
    /// Owners who have not answered a check-in this long after it was posted get a nudge.
    pub nudge_after: chrono::Duration,
    pub max_nudges_per_day: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Channels {
    /// Where the daily digest goes.
    pub pmo: Option<SlackChannelId>,
    /// Where level-3 escalations go.
    pub escalation: Option<SlackChannelId>,
}

impl Channels {
    /// Every channel Liftoff posts in, with the config key that names it: the PMO and
    /// escalation channels and the check-in channel of each of `functions` (from the config,
    /// or with `/launch channel` overrides applied).
    pub fn posting_channels<'f>(
        &self,
        functions: impl IntoIterator<Item = &'f liftoff_core::FunctionDef>,
    ) -> Vec<(String, SlackChannelId)> {
        let mut channels = Vec::new();
        if let Some(pmo) = &self.pmo {
            channels.push(("channels.pmo".to_owned(), pmo.clone()));
        }
        if let Some(escalation) = &self.escalation {
            channels.push(("channels.escalation".to_owned(), escalation.clone()));
        }
        channels.extend(functions.into_iter().filter_map(|function| {
            let channel = function.channel.clone()?;
            Some((format!("functions.{}.channel", function.name), channel))
        }));
        channels
    }
}

/// The secrets `serve` needs, present and well-formed.
pub struct SlackCredentials<'a> {
    pub bot_token: &'a SecretString,
    pub signing_secret: Option<&'a SecretString>,
    pub app_token: Option<&'a SecretString>,
}

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

    pub fn is_admin(&self, user: &SlackUserId) -> bool {
        self.admins.contains(user)
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

    fn with_env(mut self, env: &dyn Fn(&str) -> Option<String>) -> RawConfig {
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

    pub(crate) fn validate(self) -> Result<Config, ConfigError> {
        let mut problems = Problems::default();

        let api_url = problems.check("slack.api_url", validate_api_url(&self.slack.api_url));
        if self.slack.request_timeout_secs == 0 || self.slack.request_timeout_secs > 120 {
            problems.push("slack.request_timeout_secs", "must be between 1 and 120 seconds");
        }
        if self.slack.delivery_lease_secs <= self.slack.request_timeout_secs || self.slack.delivery_lease_secs > 3600 {
            problems.push(
                "slack.delivery_lease_secs",
                "must be longer than slack.request_timeout_secs and at most 3600 seconds",
            );
        }
        if self.server.read_timeout_secs == 0 || self.server.read_timeout_secs > 300 {
            problems.push("server.read_timeout_secs", "must be between 1 and 300 seconds");
        }
        let bind = problems.check(
            "server.bind",
            SocketAddr::from_str(&self.server.bind)
                .map_err(|_| format!("`{}` is not a listen address like 127.0.0.1:3000", self.server.bind)),
        );
        let database_url = problems.check("database.url", validate_database_url(&self.database.url));
        if self.database.max_connections == 0 {
            problems.push("database.max_connections", "must be at least 1");
        }
        if self.database.connect_timeout_secs == 0 {
            problems.push("database.connect_timeout_secs", "must be at least 1");
        }

        let timezone = problems.check(
            "calendar.timezone",
            Tz::from_str(&self.calendar.timezone).map_err(|_| {
                format!(
                    "unknown time zone `{}`: use an IANA name like Europe/Berlin or America/New_York",
                    self.calendar.timezone
                )
            }),
        );
        let mut working_days = Vec::new();
        for day in &self.calendar.working_days {
            match Weekday::from_str(day) {
                Ok(weekday) => working_days.push(weekday),
                Err(_) => problems.push(
                    "calendar.working_days",
                    format!("`{day}` is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"),
                ),
            }
        }
        if self.calendar.working_days.is_empty() {
            problems.push("calendar.working_days", "at least one working day is needed");
        }
        let mut holidays = Vec::new();
        for holiday in &self.calendar.holidays {
            match NaiveDate::parse_from_str(holiday, "%Y-%m-%d") {
                Ok(date) => holidays.push(date),
                Err(_) => problems.push(
                    "calendar.holidays",
                    format!("`{holiday}` is not a date in the form YYYY-MM-DD"),
                ),
            }
        }

        let mut cron = |key: &str, expression: &str| problems.check(key, parse_cron(expression));
        let checkin = cron("schedules.checkin", &self.schedules.checkin);
        let checkin_final_stretch = cron("schedules.checkin_final_stretch", &self.schedules.checkin_final_stretch);
        let digest = cron("schedules.digest", &self.schedules.digest);
        let nudge = cron("schedules.nudge", &self.schedules.nudge);
        let escalation = cron("schedules.escalation", &self.schedules.escalation);

        if !(0..=90).contains(&self.checkins.final_stretch_days) {
            problems.push("checkins.final_stretch_days", "must be between 0 and 90");
        }
        if !(1..=24 * 7).contains(&self.checkins.nudge_after_hours) {
            problems.push("checkins.nudge_after_hours", "must be between 1 and 168");
        }
        let e = &self.escalation;
        if e.function_lead_overdue_days < 1 || e.launch_lead_overdue_days < e.function_lead_overdue_days {
            problems.push(
                "escalation.launch_lead_overdue_days",
                "overdue thresholds must be at least 1 and the launch lead's no lower than the function lead's",
            );
        }
        if e.launch_lead_blocked_days < e.function_lead_blocked_days || e.function_lead_blocked_days < 1 {
            problems.push(
                "escalation.launch_lead_blocked_days",
                "blocked thresholds must be at least 1 and the launch lead's no lower than the function lead's",
            );
        }
        if e.ack_hold_days > 10 {
            problems.push("escalation.ack_hold_days", "must be at most 10 working days");
        }
        if self.slack.home_publishes_per_minute == 0 || self.slack.home_publishes_per_minute > 10_000 {
            problems.push("slack.home_publishes_per_minute", "must be between 1 and 10000");
        }
        if self.slack.home_refresh_ms > 60_000 {
            problems.push("slack.home_refresh_ms", "must be at most 60000");
        }
        if self.slack.post_interval_ms > 60_000 {
            problems.push("slack.post_interval_ms", "must be at most 60000");
        }
        if !(100..=60_000).contains(&self.slack.socket_ping_ms) {
            problems.push("slack.socket_ping_ms", "must be between 100 and 60000");
        }
        let mut freezes = Vec::new();
        for (index, freeze) in self.launches.freeze.iter().enumerate() {
            let key = format!("launches.freeze[{}]", index + 1);
            let parse = |d: &str| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("`{d}` is not a date in the form YYYY-MM-DD"))
            };
            let from = problems.check(&key, parse(&freeze.from));
            let to = problems.check(&key, parse(&freeze.to));
            if let (Some(from), Some(to)) = (from, to) {
                if to < from {
                    problems.push(&key, "`to` is before `from`");
                }
                freezes.push(Freeze {
                    from,
                    to,
                    reason: if freeze.reason.is_empty() {
                        "launch freeze".to_owned()
                    } else {
                        freeze.reason.clone()
                    },
                });
            }
        }
        if self.launches.ics_token.as_ref().is_some_and(|t| t.len() < 16) {
            problems.push(
                "launches.ics_token",
                "must be at least 16 characters: it is all that protects the feed",
            );
        }
        if self.launches.max_per_week == 0 {
            problems.push("launches.max_per_week", "must be at least 1");
        }
        let pmo = problems.check_optional("channels.pmo", self.channels.pmo.as_deref(), parse_channel);
        let escalation_channel = problems.check_optional(
            "channels.escalation",
            self.channels.escalation.as_deref(),
            parse_channel,
        );
        let admins: Vec<SlackUserId> = self
            .permissions
            .admins
            .iter()
            .filter_map(|admin| problems.check("permissions.admins", parse_user(admin)))
            .collect();

        let functions = validate_functions(self.functions, &mut problems);
        let templates = functions
            .as_ref()
            .and_then(|catalog| load_templates(self.templates.path.as_deref(), catalog, &mut problems));

        if !problems.0.is_empty() {
            return Err(ConfigError::Invalid(problems.0));
        }
        // Every `check` above returned Some when no problem was recorded.
        let missing = "validated above";
        Ok(Config {
            slack: SlackConfig {
                bot_token: self.slack.bot_token.map(SecretString::from),
                signing_secret: self.slack.signing_secret.map(SecretString::from),
                app_token: self.slack.app_token.map(SecretString::from),
                api_url: api_url.expect(missing),
                request_timeout: Duration::from_secs(self.slack.request_timeout_secs),
                post_interval: Duration::from_millis(self.slack.post_interval_ms),
                delivery_lease: Duration::from_secs(self.slack.delivery_lease_secs),
                home_refresh: Duration::from_millis(self.slack.home_refresh_ms),
                home_publishes_per_minute: NonZeroU32::new(self.slack.home_publishes_per_minute)
                    .unwrap_or(NonZeroU32::MIN),
                socket_ping: Duration::from_millis(self.slack.socket_ping_ms),
            },
            server: ServerConfig {
                bind: bind.expect(missing),
                read_timeout: Duration::from_secs(self.server.read_timeout_secs),
            },
            database: DatabaseConfig {
                url: SecretString::from(database_url.expect(missing)),
                max_connections: self.database.max_connections,
                busy_timeout: Duration::from_millis(self.database.busy_timeout_ms),
                connect_timeout: Duration::from_secs(self.database.connect_timeout_secs),
            },
            calendar: WorkCalendar::new(timezone.expect(missing), &working_days, holidays),
            schedules: Schedules {
                checkin: checkin.expect(missing),
                checkin_final_stretch: checkin_final_stretch.expect(missing),
                digest: digest.expect(missing),
                nudge: nudge.expect(missing),
                escalation: escalation.expect(missing),
            },
            scheduler_interval: self
                .scheduler
                .enabled
                .then(|| Duration::from_secs(self.scheduler.interval_secs.max(1))),
            checkins: CheckinSettings {
                cadence: Cadence {
                    final_stretch_days: self.checkins.final_stretch_days,
                    tier3_weekly: self.checkins.tier3_weekly,
                },
                nudge_after: chrono::Duration::hours(self.checkins.nudge_after_hours),
                max_nudges_per_day: self.checkins.max_nudges_per_day,
            },
            escalation_enabled: self.escalation.enabled,
            max_active_launches_per_lead: self.people.max_active_launches_per_lead,
            max_launches_per_week: self.launches.max_per_week,
            freezes,
            ics_token: self.launches.ics_token.map(SecretString::from),
            ladder: Ladder {
                reminder: self.escalation.reminder,
                function_lead_overdue_days: self.escalation.function_lead_overdue_days,
                function_lead_blocked_days: self.escalation.function_lead_blocked_days,
                launch_lead_overdue_days: self.escalation.launch_lead_overdue_days,
                launch_lead_blocked_days: self.escalation.launch_lead_blocked_days,
                tier1_final_days: self.escalation.tier1_final_days,
                ack_hold_days: self.escalation.ack_hold_days,
            },
            channels: Channels {
                pmo,
                escalation: escalation_channel,
            },
            admins,
            functions: functions.expect(missing),
            templates: templates.expect(missing),
        })
    }
}

/// Collects problems while validation carries on.
#[derive(Default)]
struct Problems(Vec<ConfigProblem>);

impl Problems {
    fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.push(key, message)).ok()
    }

    fn check_optional<T>(
        &mut self,
        key: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        value.and_then(|value| self.check(key, parse(value)))
    }
}

fn validate_api_url(raw: &str) -> Result<String, String> {
    let parsed = url::Url::parse(raw).map_err(|err| format!("`{raw}` is not a URL: {err}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{raw}` must be an http:// or https:// URL"));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

fn validate_database_url(raw: &str) -> Result<String, String> {
    if raw.starts_with("sqlite:") || raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{}` is not a supported database URL: use sqlite://path/to/file.db or postgres://user@host/db",
            redact_url(raw)
        ))
    }
}

fn parse_cron(expression: &str) -> Result<CronSchedule, String> {
    cron::Schedule::from_str(expression)
        .map(|schedule| CronSchedule {
            expression: expression.to_owned(),
            schedule,
        })
        .map_err(|_| {
            // The cron crate's own message points a caret at the expression over several lines;
            // a config error must fit on one, so say what is typically wrong instead.
            let fields = expression.split_whitespace().count();
            let why = if (6..=7).contains(&fields) {
                "a field is out of range or misspelt".to_owned()
            } else {
                format!("it has {fields} fields, not 6")
            };
            format!(
                "`{expression}` is not a cron expression ({why}); use six fields \
                 `sec min hour day-of-month month day-of-week`, e.g. `0 30 8 * * Mon-Fri`"
            )
        })
}

fn parse_channel(raw: &str) -> Result<SlackChannelId, String> {
    SlackChannelId::parse(raw)
        .map_err(|err| format!("{err}; use the channel id from the channel's details in Slack, not its name"))
}

fn parse_user(raw: &str) -> Result<SlackUserId, String> {
    SlackUserId::parse(raw).map_err(|err| format!("{err}; copy it from the person's Slack profile"))
}

/// Reads and checks the tier templates, reporting problems by file, tier and position.
fn load_templates(path: Option<&str>, catalog: &FunctionCatalog, problems: &mut Problems) -> Option<Templates> {
    let text = match path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                problems.push("templates.path", format!("cannot read `{path}`: {err}"));
                return None;
            }
        },
        None => std::fs::read_to_string(DEFAULT_TEMPLATES_PATH).unwrap_or_else(|_| BUILTIN_TEMPLATES.to_owned()),
    };
    let source = path.unwrap_or(DEFAULT_TEMPLATES_PATH);
    let raw: RawTemplates = match toml::from_str(&text) {
        Ok(raw) => raw,
        Err(err) => {
            let message = err.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            problems.push("templates", format!("{source} is not valid: {message}"));
            return None;
        }
    };
    let before = problems.0.len();
    let mut by_tier = BTreeMap::new();
    for (tier, tasks) in [(Tier::One, raw.tier1), (Tier::Two, raw.tier2), (Tier::Three, raw.tier3)] {
        let mut parsed = Vec::new();
        for (index, task) in tasks.into_iter().enumerate() {
            let key = format!("templates: {source} tier{}[{}]", tier.number(), index + 1);
            let function = problems.check(
                &key,
                catalog
                    .resolve(&task.function)
                    .map(|f| f.name.clone())
                    .map_err(|e| e.to_string()),
            );
            let offset = problems.check(
                &key,
                match DueDate::parse_relative(&task.due) {
                    Ok(DueDate::Relative(days)) => Ok(days),
                    _ => Err(format!("`{}` is not a launch-relative date like T-14 or T+7", task.due)),
                },
            );
            let title = task.title.trim().to_owned();
            if title.is_empty() || title.chars().count() > liftoff_core::task::MAX_TASK_TITLE_CHARS {
                problems.push(&key, "needs a title of 1 to 200 characters");
            }
            if let (Some(function), Some(offset_days)) = (function, offset) {
                parsed.push(TemplateTask {
                    function,
                    title,
                    offset_days,
                });
            }
        }
        by_tier.insert(tier, parsed);
    }
    (problems.0.len() == before).then(|| Templates::new(by_tier))
}

/// The built-in five plus any configured extras, with configured channels, leads and aliases.
fn validate_functions(raw: BTreeMap<String, RawFunction>, problems: &mut Problems) -> Option<FunctionCatalog> {
    let builtin_names: Vec<&str> = BUILTIN_FUNCTIONS.iter().map(|(name, _, _)| *name).collect();
    let mut defs: Vec<FunctionDef> = FunctionCatalog::builtin().iter().cloned().collect();
    let mut ok = true;
    for (name, function) in raw {
        let key = format!("functions.{name}");
        let Some(parsed) = problems.check(&key, FunctionName::parse(&name).map_err(|e| e.to_string())) else {
            ok = false;
            continue;
        };
        let channel = problems.check_optional(&format!("{key}.channel"), function.channel.as_deref(), parse_channel);
        let lead = problems.check_optional(&format!("{key}.lead"), function.lead.as_deref(), parse_user);
        ok &= function.channel.is_none() || channel.is_some();
        ok &= function.lead.is_none() || lead.is_some();
        if builtin_names.contains(&name.as_str()) {
            let def = defs
                .iter_mut()
                .find(|d| d.name == parsed)
                .expect("built-in function exists");
            def.channel = channel;
            def.lead = lead;
            def.aliases.extend(function.aliases);
            if let Some(display) = function.display_name {
                def.display_name = display;
            }
        } else {
            defs.push(FunctionDef {
                display_name: function.display_name.unwrap_or_else(|| name.clone()),
                name: parsed,
                aliases: function.aliases,
                channel,
                lead,
            });
        }
    }
    match FunctionCatalog::new(defs) {
        Ok(catalog) if ok => Some(catalog),
        Ok(_) => None,
        Err(err) => {
            problems.push("functions", err.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn load_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Config::from_toml(text, env)
    }

    fn problems_of(text: &str) -> Vec<String> {
        match load_str(text, &no_env) {
            Err(err) => err.problems(),
            Ok(_) => panic!("expected problems in:\n{text}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        let config = load_str("", &no_env).unwrap();
        assert_eq!(config.server.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(config.slack.api_url, DEFAULT_SLACK_API_URL);
        assert_eq!(config.database.url.expose_secret(), "sqlite://liftoff.db");
        assert_eq!(config.slack.transport(), Transport::Http);
        assert_eq!(config.functions.names().count(), 5);
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = |key: &str| match key {
            "DATABASE_URL" => Some("postgres://postgres@127.0.0.1/test".to_owned()),
            "LIFTOFF_BIND" => Some("0.0.0.0:8080".to_owned()),
            "LIFTOFF_SLACK_API_URL" => Some("http://127.0.0.1:9999/api/".to_owned()),
            "SLACK_APP_TOKEN" => Some("xapp-1-abcdefgh".to_owned()),
            _ => None,
        };
        let config = load_str("[server]\nbind = \"127.0.0.1:1\"\n", &env).unwrap();
        assert_eq!(config.server.bind.to_string(), "0.0.0.0:8080");
        assert_eq!(
            config.database.url.expose_secret(),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(config.slack.api_url, "http://127.0.0.1:9999/api");
        assert_eq!(config.slack.transport(), Transport::SocketMode);
    }

    #[test]
    fn every_bad_value_is_reported_with_its_key() {
        let problems = problems_of(
            r##"
            [calendar]
            timezone = "Mars/Olympus"
            working_days = ["Mon", "Funday"]
            holidays = ["2026-13-01"]
            [schedules]
            digest = "0 61 8 * * *"
            checkin = "every monday"
            [channels]
            pmo = "#launches"
            [permissions]
            admins = ["bob"]
            [database]
            url = "mysql://x"
            [server]
            bind = "localhost"
            "##,
        );
        let expect = [
            "calendar.timezone: unknown time zone `Mars/Olympus`",
            "calendar.working_days: `Funday` is not a weekday",
            "calendar.holidays: `2026-13-01` is not a date",
            "schedules.digest: `0 61 8 * * *` is not a cron expression",
            "schedules.checkin: `every monday` is not a cron expression",
            "channels.pmo: `#launches` is not a Slack channel id",
            "permissions.admins: `bob` is not a Slack user id",
            "database.url: `mysql://x` is not a supported database URL",
            "server.bind: `localhost` is not a listen address",
        ];
        for prefix in expect {
            assert!(
                problems.iter().any(|p| p.starts_with(prefix)),
                "missing `{prefix}` in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = load_str("[server]\nbnd = \"127.0.0.1:1\"\n", &no_env).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("unknown field `bnd`"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }

    #[test]
    fn functions_can_be_configured_and_extended() {
        let config = load_str(
            r#"
            [functions.marketing]
            channel = "C0MKTG"
            lead = "U0LEAD"
            [functions.legal]
            display_name = "Legal"
            aliases = ["law"]
            channel = "C0LEGAL"
            "#,
            &no_env,
        )
        .unwrap();
        let marketing = config.functions.resolve("mktg").unwrap();
        assert_eq!(marketing.channel.as_ref().unwrap().as_str(), "C0MKTG");
        assert_eq!(marketing.lead.as_ref().unwrap().as_str(), "U0LEAD");
        assert_eq!(config.functions.resolve("law").unwrap().display_name, "Legal");

        let problems = problems_of("[functions.legal]\naliases = [\"pm\"]\nchannel = \"nope\"\n");
        assert!(
            problems.iter().any(|p| p.starts_with("functions.legal.channel:")),
            "{problems:?}"
        );
        let problems = problems_of("[functions.legal]\naliases = [\"pm\"]\n");
        assert_eq!(problems, vec!["functions: `pm` is used for both `product` and `legal`"]);
        let problems = problems_of("[functions.Legal]\n");
        assert!(problems[0].starts_with("functions.Legal: `Legal` is not a valid function name"));
    }

    #[test]
    fn templates_ship_for_every_tier_and_are_validated() {
        let config = load_str("", &no_env).unwrap();
        assert_eq!(config.templates.for_tier(Tier::One).len(), 18);
        assert!(!config.templates.for_tier(Tier::Two).is_empty());
        assert_eq!(config.templates.for_tier(Tier::Three).len(), 3);
        assert_eq!(
            config.templates.for_tier(Tier::One)[0].title,
            "Positioning and key messages"
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("templates.toml");
        std::fs::write(
            &path,
            "[[tier1]]\nfunction = \"legal\"\ntitle = \"Contract\"\ndue = \"T-5\"\n\
             [[tier2]]\nfunction = \"sales\"\ntitle = \" \"\ndue = \"friday\"\n",
        )
        .unwrap();
        let text = format!("[templates]\npath = \"{}\"\n", path.display());
        let problems = problems_of(&text);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("tier1[1]: unknown function `legal`")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("tier2[1]: `friday` is not a launch-relative date")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("tier2[1]: needs a title")),
            "{problems:?}"
        );
        let missing = problems_of("[templates]\npath = \"/nonexistent/templates.toml\"\n");
        assert!(
            missing[0].starts_with("templates.path: cannot read `/nonexistent/templates.toml`"),
            "{missing:?}"
        );
    }

    #[test]
    fn slack_credentials_are_required_for_the_chosen_transport() {
        let config = load_str("", &no_env).unwrap();
        let problems = config.slack_credentials().err().unwrap().problems();
        assert_eq!(
            problems,
            vec![
                "slack.bot_token: required but not set (set SLACK_BOT_TOKEN or `slack.bot_token` in the config file)",
                "slack.signing_secret: required but not set (set SLACK_SIGNING_SECRET or `slack.signing_secret` in the config file)",
            ]
        );

        let env = |key: &str| match key {
            "SLACK_BOT_TOKEN" => Some("xoxp-user-token-not-bot".to_owned()),
            "SLACK_APP_TOKEN" => Some("xoxb-wrong-kind".to_owned()),
            _ => None,
        };
        let config = load_str("", &env).unwrap();
        let problems = config.slack_credentials().err().unwrap().problems();
        assert_eq!(
            problems,
            vec![
                "slack.bot_token: does not look right: it should start with `xoxb-`",
                "slack.app_token: does not look right: it should start with `xapp-`",
            ]
        );
        assert!(
            !problems.join(" ").contains("xoxp-user-token-not-bot"),
            "secrets are never echoed"
        );

        let env = |key: &str| match key {
            "SLACK_BOT_TOKEN" => Some("xoxb-123-456-abc".to_owned()),
            "SLACK_SIGNING_SECRET" => Some("8f742231b10e8888abcd99yyyzzz85a5".to_owned()),
            _ => None,
        };
        assert!(load_str("", &env).unwrap().slack_credentials().is_ok());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let env = |key: &str| match key {
            "SLACK_BOT_TOKEN" => Some("xoxb-very-secret-token".to_owned()),
            "SLACK_SIGNING_SECRET" => Some("signing-secret-value".to_owned()),
            "DATABASE_URL" => Some("postgres://app:hunter2@db/liftoff".to_owned()),
            _ => None,
        };
        let config = load_str("", &env).unwrap();
        let debug = format!("{config:?}");
        for secret in ["xoxb-very-secret-token", "signing-secret-value", "hunter2"] {
            assert!(!debug.contains(secret), "{secret} leaked into {debug}");
        }
        assert_eq!(config.database.redacted_url(), "postgres://app:***@db/liftoff");
    }

    #[test]
    fn every_form_of_a_database_password_is_redacted() {
        let cases = [
            ("postgres://app:hunter2@db/liftoff", "postgres://app:***@db/liftoff"),
            (
                "postgres://app@db/liftoff?password=hunter2&sslmode=require",
                "postgres://app@db/liftoff?password=***&sslmode=require",
            ),
            (
                "postgresql://db/liftoff?user=app&PASSWORD=hunter2&sslpassword=hunter2",
                "postgresql://db/liftoff?user=app&PASSWORD=***&sslpassword=***",
            ),
            (
                "postgres://app:hunter2@db:notaport/liftoff",
                "postgres:*** (not a valid URL)",
            ),
            ("host=db password=hunter2", "*** (not a valid URL)"),
            ("sqlite://liftoff.db", "sqlite://liftoff.db"),
        ];
        for (raw, shown) in cases {
            assert_eq!(redact_url(raw), shown, "{raw}");
            assert!(!redact_url(raw).contains("hunter2"));
        }
    }

    /// The example file is the reference for every key: it must load as it is, and every key
    /// it shows commented out must also be a real key.
    #[test]
    fn example_config_documents_real_keys() {
        let example = include_str!("../config/liftoff.example.toml");
        load_str(example, &no_env).expect("example loads as shipped");
        let uncommented: String = example
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || (rest.contains(" = ") && !rest.starts_with(' ')) => rest,
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let raw = RawConfig::parse(&uncommented).expect("commented keys are real keys");
        assert!(raw.slack.bot_token.is_some() && raw.slack.signing_secret.is_some() && raw.slack.app_token.is_some());
        assert!(raw.channels.pmo.is_some() && raw.channels.escalation.is_some());
        assert_eq!(raw.functions.len(), 2);
        raw.validate().expect("the commented examples are valid too");
    }
}
