//! Validation: the raw file (after environment overrides) turned into a [`Config`], reporting
//! every bad value with its key instead of stopping at the first. Also the error types callers
//! see ([`ConfigError`], [`ConfigProblem`]) and the small parsers shared by the other
//! validating files (`functions`, `templates`).

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use secrecy::SecretString;

use liftoff_core::checkin::Cadence;
use liftoff_core::escalation::Ladder;
use liftoff_core::saturation::Freeze;
use liftoff_core::{SlackChannelId, SlackUserId, WorkCalendar, WorkingHours};

use super::functions::validate_functions;
use super::redact::redact_url;
use super::schema::RawConfig;
use super::settings::{
    Channels, CheckinSettings, Config, CronSchedule, DatabaseConfig, Schedules, ServerConfig, SlackConfig,
};
use super::templates::load_templates;

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

impl RawConfig {
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
        let working_hours = problems.check(
            "calendar.working_hours",
            WorkingHours::from_str(&self.calendar.working_hours).map_err(|err| err.to_string()),
        );

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
        if !(0..=90).contains(&self.checkins.horizon_days) {
            problems.push("checkins.horizon_days", "must be between 0 and 90");
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
            working_hours: working_hours.expect(missing),
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
                horizon_days: self.checkins.horizon_days,
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
            open_changes: self.permissions.open,
            functions: functions.expect(missing),
            templates: templates.expect(missing),
        })
    }
}

/// Collects problems while validation carries on.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<ConfigProblem>);

impl Problems {
    pub(super) fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    pub(super) fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.push(key, message)).ok()
    }

    pub(super) fn check_optional<T>(
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

pub(super) fn parse_channel(raw: &str) -> Result<SlackChannelId, String> {
    SlackChannelId::parse(raw)
        .map_err(|err| format!("{err}; use the channel id from the channel's details in Slack, not its name"))
}

pub(super) fn parse_user(raw: &str) -> Result<SlackUserId, String> {
    SlackUserId::parse(raw).map_err(|err| format!("{err}; copy it from the person's Slack profile"))
}
