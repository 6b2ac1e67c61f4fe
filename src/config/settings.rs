//! The validated configuration: the typed settings the rest of Liftoff reads (parsed
//! addresses, durations, cron schedules, ids, secrets). Kept apart from the file's raw schema
//! so nothing outside `config` ever sees an unchecked value.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use liftoff_core::checkin::Cadence;
use liftoff_core::escalation::Ladder;
use liftoff_core::saturation::Freeze;
use liftoff_core::template::Templates;
use liftoff_core::{FunctionCatalog, SlackChannelId, SlackUserId, WorkCalendar, WorkingHours};

use super::redact::redact_url;

// ---------------------------------------------------------------------------------------------
// Validated form: what the rest of Liftoff uses.

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub slack: SlackConfig,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub calendar: WorkCalendar,
    /// When messages that can wait (nudges, reminders, reviews) may reach a person, in their
    /// own time zone on the calendar's working days (`calendar.working_hours`): the rest are
    /// held in the outbox until then, so nobody is chased at 22:00.
    pub working_hours: WorkingHours,
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
    /// The team works openly (`permissions.open`): anyone may change any task, and its owner is
    /// told. Off, only the owner, the function's lead, the launch's lead and admins may.
    pub open_changes: bool,
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
    /// How far ahead (calendar days) a task's due date makes it need an answer: a nudge is
    /// only about tasks due within it, overdue, at risk or blocked, so owners whose work is
    /// on track and not due soon are left alone.
    pub horizon_days: i64,
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

impl Config {
    pub fn is_admin(&self, user: &SlackUserId) -> bool {
        self.admins.contains(user)
    }
}
