//! The config file's schema: serde types that mirror `liftoff.toml` exactly, strings as
//! written. Kept apart from the validated types in `settings` because the two have different
//! jobs: these say what a file may contain (unknown keys are refused), those what Liftoff runs
//! with. Defaults for absent keys are in `defaults`; turning these into a `Config` is
//! `validation`'s job.

use std::collections::BTreeMap;

use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Raw form: exactly what the file says.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawConfig {
    pub(super) slack: RawSlack,
    pub(super) server: RawServer,
    pub(super) database: RawDatabase,
    pub(super) calendar: RawCalendar,
    pub(super) schedules: RawSchedules,
    pub(super) scheduler: RawScheduler,
    pub(super) checkins: RawCheckins,
    pub(super) escalation: RawEscalation,
    pub(super) people: RawPeople,
    pub(super) launches: RawLaunches,
    pub(super) channels: RawChannels,
    pub(super) permissions: RawPermissions,
    pub(super) functions: BTreeMap<String, RawFunction>,
    pub(super) templates: RawTemplatesRef,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawTemplatesRef {
    /// Where the tier templates are; unset means `config/templates.toml` if present, else the
    /// built-in copy of it.
    pub(super) path: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSlack {
    pub(super) bot_token: Option<String>,
    pub(super) signing_secret: Option<String>,
    pub(super) app_token: Option<String>,
    pub(super) api_url: String,
    pub(super) request_timeout_secs: u64,
    pub(super) post_interval_ms: u64,
    pub(super) delivery_lease_secs: u64,
    pub(super) home_refresh_ms: u64,
    pub(super) home_publishes_per_minute: u32,
    pub(super) socket_ping_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawServer {
    pub(super) bind: String,
    pub(super) read_timeout_secs: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawDatabase {
    pub(super) url: String,
    pub(super) max_connections: u32,
    pub(super) busy_timeout_ms: u64,
    pub(super) connect_timeout_secs: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawCalendar {
    pub(super) timezone: String,
    pub(super) working_days: Vec<String>,
    pub(super) holidays: Vec<String>,
    pub(super) working_hours: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSchedules {
    pub(super) checkin: String,
    pub(super) checkin_final_stretch: String,
    pub(super) digest: String,
    pub(super) nudge: String,
    pub(super) escalation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawEscalation {
    pub(super) enabled: bool,
    pub(super) reminder: bool,
    pub(super) function_lead_overdue_days: i64,
    pub(super) function_lead_blocked_days: i64,
    pub(super) launch_lead_overdue_days: i64,
    pub(super) launch_lead_blocked_days: i64,
    pub(super) tier1_final_days: i64,
    pub(super) ack_hold_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLaunches {
    pub(super) max_per_week: usize,
    pub(super) freeze: Vec<RawFreeze>,
    pub(super) ics_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFreeze {
    pub(super) from: String,
    pub(super) to: String,
    #[serde(default)]
    pub(super) reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPeople {
    pub(super) max_active_launches_per_lead: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawScheduler {
    pub(super) enabled: bool,
    pub(super) interval_secs: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawCheckins {
    pub(super) final_stretch_days: i64,
    pub(super) tier3_weekly: bool,
    pub(super) nudge_after_hours: i64,
    pub(super) max_nudges_per_day: usize,
    pub(super) horizon_days: i64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawChannels {
    pub(super) pmo: Option<String>,
    pub(super) escalation: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPermissions {
    pub(super) admins: Vec<String>,
    pub(super) open: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawFunction {
    pub(super) display_name: Option<String>,
    pub(super) aliases: Vec<String>,
    pub(super) channel: Option<String>,
    pub(super) lead: Option<String>,
}
