//! Logging set-up: human-readable lines by default, JSON for log collectors.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// The service's log filter when `RUST_LOG` is not set: `info`, with sqlx's per-query lines
/// turned down.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Installs the global subscriber, filtering with `RUST_LOG` if set, else `default_filter`
/// (the command decides: the demo is quieter than the service). Calling it twice is harmless,
/// which keeps tests simple.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only for a person at a terminal; log files and collectors get plain text.
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
