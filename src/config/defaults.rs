//! Default values: where the config file is looked for, and the value of every key a file
//! leaves out (the `Default` of each raw section). Kept in one place so the defaults can be
//! read, and compared with `config/liftoff.example.toml`, without wading through the schema or
//! the validation.

use liftoff_core::escalation::Ladder;

use super::schema::{
    RawCalendar, RawCheckins, RawDatabase, RawEscalation, RawLaunches, RawPeople, RawScheduler, RawSchedules,
    RawServer, RawSlack,
};

/// Where the config file is looked for when `LIFTOFF_CONFIG` / `--config` name none. A missing
/// default file is fine (defaults and environment apply); a missing named file is an error.
pub const DEFAULT_CONFIG_PATH: &str = "config/liftoff.toml";

/// Slack's Web API, used unless `LIFTOFF_SLACK_API_URL` points elsewhere (a test fake, a proxy).
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

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

impl Default for RawServer {
    fn default() -> Self {
        RawServer {
            bind: "127.0.0.1:3000".to_owned(),
            read_timeout_secs: 10,
        }
    }
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

impl Default for RawCalendar {
    fn default() -> Self {
        RawCalendar {
            timezone: "UTC".to_owned(),
            working_days: ["Mon", "Tue", "Wed", "Thu", "Fri"].map(String::from).to_vec(),
            holidays: Vec::new(),
            working_hours: "09:00-18:00".to_owned(),
        }
    }
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

impl Default for RawLaunches {
    fn default() -> Self {
        RawLaunches {
            max_per_week: 2,
            freeze: Vec::new(),
            ics_token: None,
        }
    }
}

impl Default for RawPeople {
    fn default() -> Self {
        RawPeople {
            max_active_launches_per_lead: 3,
        }
    }
}

impl Default for RawScheduler {
    fn default() -> Self {
        RawScheduler {
            enabled: true,
            interval_secs: 30,
        }
    }
}

impl Default for RawCheckins {
    fn default() -> Self {
        RawCheckins {
            final_stretch_days: 14,
            tier3_weekly: true,
            nudge_after_hours: 4,
            max_nudges_per_day: 2,
            horizon_days: 7,
        }
    }
}
