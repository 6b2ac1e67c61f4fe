//! The `liftoff` command line: parsing, and one function per subcommand. `main.rs` only sets
//! up the runtime and turns a [`Failure`] into an exit code.
//!
//! Exit codes: 0 ok, 2 usage or configuration error (fix the input), 1 runtime failure (the
//! database, the network, a bug), each with a one-line reason on stderr.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::clock::SystemClock;
use crate::config::{Config, ConfigError, Transport};
use crate::http::Application;
use crate::startup::StartupError;
use crate::store::Store;
use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(
    name = "liftoff",
    version,
    about = "A Slack bot that runs the PMO side of product launches"
)]
pub struct Cli {
    /// Config file (default: config/liftoff.toml if it exists).
    #[arg(long, global = true, env = "LIFTOFF_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: HTTP endpoints (or Socket Mode) and the scheduler.
    Serve {
        /// Start the clock at this instant (RFC 3339) instead of now, and let it run from there:
        /// for rehearsals and fault tests. Never needed in production.
        #[arg(long, value_parser = parse_instant, hide = true)]
        now: Option<DateTime<Utc>>,
    },
    /// Apply database migrations, then exit.
    Migrate,
    /// Validate the configuration and the Slack secrets for the chosen transport, then ask
    /// Slack whether the token works and Liftoff can post in every configured channel.
    CheckConfig {
        /// Check the configuration only, without asking Slack.
        #[arg(long)]
        offline: bool,
    },
    /// Run every scheduled job due at or before --now that has not run yet, deliver, exit.
    Tick {
        /// The instant to run up to, RFC 3339 (e.g. 2026-12-01T09:00:00+01:00).
        #[arg(long, value_parser = parse_instant)]
        now: DateTime<Utc>,
    },
    /// Print every active launch as CSV (with its tasks) or iCalendar (launch days, reviews).
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
    /// Exit 0 if the local service is ready (GET /readyz), 1 otherwise: for container health checks.
    Healthcheck {
        /// Readiness URL (default: /readyz on the configured listen address).
        #[arg(long)]
        url: Option<String>,
    },
    /// Run a simulated launch against a built-in Slack emulator and print the transcript.
    Demo {
        /// Simulated working days per second (0: as fast as possible).
        #[arg(long, default_value_t = 0.0)]
        speed: f64,
        /// Stop after this date (YYYY-MM-DD); default: the day after launch day.
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// Keep the demo's SQLite database at this path.
        #[arg(long, value_name = "PATH")]
        keep_db: Option<PathBuf>,
        /// Show the service's logs on stderr too: -v for what it does (info), -vv for detail
        /// (debug). By default only warnings and errors, so stdout and the terminal show the
        /// transcript alone.
        #[arg(short, long, action = clap::ArgAction::Count)]
        verbose: u8,
    },
}

impl Cli {
    /// The log filter when `RUST_LOG` is not set: `info` for the service; for the demo, whose
    /// output is its transcript, warnings only unless asked for more with `-v`.
    pub fn default_log_filter(&self) -> &'static str {
        match self.command {
            Command::Demo { verbose: 0, .. } => "warn",
            Command::Demo { verbose: 1, .. } => "info,sqlx=warn",
            Command::Demo { .. } => "debug,sqlx=info,hyper=info,reqwest=info",
            _ => crate::telemetry::DEFAULT_FILTER,
        }
    }
}

/// `liftoff demo` flags.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Simulated working days per second; 0 runs as fast as possible.
    pub speed: f64,
    /// Stop after this date (default: the day after launch day).
    pub until: Option<chrono::NaiveDate>,
    /// Keep the SQLite database at this path instead of a temporary one.
    pub keep_db: Option<PathBuf>,
}

fn parse_instant(input: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(input)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| format!("`{input}` is not an RFC 3339 instant like 2026-12-01T09:00:00Z ({err})"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Ics,
}

/// Why a command failed, and so which exit code it gets.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad input: the configuration or the command line. Exit code 2.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Slack refused the configured token. Exit code 2.
    #[error("{0}")]
    TokenRefused(String),
    /// A SQLite database already has its one `serve`. Exit code 2: a deployment to fix.
    #[error("{0}")]
    AlreadyServing(String),
    /// Configured channels Liftoff cannot post in. Exit code 2: a set-up to fix.
    #[error("{}", .0.join("; "))]
    Channels(Vec<String>),
    /// Something went wrong while running. Exit code 1.
    #[error("{0:#}")]
    Runtime(#[from] anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Config(_) | Failure::TokenRefused(_) | Failure::AlreadyServing(_) | Failure::Channels(_) => 2,
            Failure::Runtime(_) => 1,
        }
    }

    /// One self-contained line per problem, for stderr.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Failure::Config(err) => err.problems(),
            Failure::Channels(problems) => problems.clone(),
            Failure::Runtime(_) | Failure::TokenRefused(_) | Failure::AlreadyServing(_) => vec![self.to_string()],
        }
    }
}

impl From<StartupError> for Failure {
    fn from(err: StartupError) -> Self {
        match err {
            StartupError::Config(err) => Failure::Config(err),
            StartupError::TokenRefused(_) => Failure::TokenRefused(err.to_string()),
            StartupError::Runtime(err) => Failure::Runtime(err),
        }
    }
}

/// Runs the parsed command. What it prints on success goes to stdout.
///
/// `demo` runs `liftoff demo`: it brings its own configuration, database and Slack (the
/// emulator, which the library never links), so the binary passes it in.
pub async fn run(cli: Cli, demo: impl AsyncFnOnce(DemoOptions) -> anyhow::Result<()>) -> Result<(), Failure> {
    if let Command::Demo {
        speed, until, keep_db, ..
    } = cli.command
    {
        return demo(DemoOptions { speed, until, keep_db })
            .await
            .map_err(Failure::Runtime);
    }
    let config = Config::load_from_environment(cli.config.as_deref())?;
    match cli.command {
        Command::CheckConfig { offline } => {
            check_config(&config)?;
            if offline { Ok(()) } else { check_slack(&config).await }
        }
        Command::Migrate => migrate(&config).await,
        Command::Serve { now } => serve(config, now).await,
        Command::Tick { now } => tick(config, now).await,
        Command::Demo { .. } => unreachable!("handled above"),
        Command::Healthcheck { url } => healthcheck(&config, url).await,
        Command::Export { format } => {
            let store = open_store(&config).await?;
            let launches = crate::export::gather(&store)
                .await
                .context("cannot read the launches")?;
            store.close().await;
            let text = match format {
                ExportFormat::Csv => crate::export::csv(&launches).context("cannot write CSV")?,
                ExportFormat::Ics => crate::export::ics(&launches, "liftoff", &config.calendar),
            };
            print!("{text}");
            Ok(())
        }
    }
}

fn check_config(config: &Config) -> Result<(), Failure> {
    config.slack_credentials()?;
    let transport = match config.slack.transport() {
        Transport::Http => "HTTP request URLs",
        Transport::SocketMode => "Socket Mode",
    };
    println!(
        "configuration OK: {transport}, database {}, listening on {}, time zone {}, functions {}",
        config.database.redacted_url(),
        config.server.bind,
        config.calendar.timezone,
        config.functions.names().collect::<Vec<_>>().join(", "),
    );
    Ok(())
}

/// Asks Slack whether the bot token works and whether Liftoff can post in each channel the
/// configuration names. Changes nothing: a public channel Liftoff is not in is reported as
/// joined at start-up, a private or archived one as a problem (exit 2).
async fn check_slack(config: &Config) -> Result<(), Failure> {
    use crate::slack::client::SlackApiError;
    let credentials = config.slack_credentials()?;
    let api = crate::slack::client::SlackApi::new(
        &config.slack.api_url,
        credentials.bot_token,
        config.slack.request_timeout,
    )
    .context("cannot set up the Slack client")?;
    let identity = match api.auth_test().await {
        Ok(identity) => identity,
        Err(SlackApiError::Api { error, .. }) => {
            return Err(Failure::TokenRefused(format!(
                "slack.bot_token: Slack refused the token ({error}); check SLACK_BOT_TOKEN"
            )));
        }
        Err(err) => {
            return Err(Failure::Runtime(anyhow::anyhow!(
                "cannot reach Slack to check the token and channels ({err}); `check-config --offline` checks the file only"
            )));
        }
    };
    println!(
        "Slack: the bot token works (bot user {} in {})",
        identity.user_id, identity.team_id
    );
    let channels = config.channels.posting_channels(config.functions.iter());
    let mut problems = Vec::new();
    for (key, channel) in channels {
        match api.channel_info(channel.as_str()).await {
            Ok(info) if info.is_archived => problems.push(format!("{key}: <#{channel}> is archived")),
            Ok(info) if info.is_member => println!("{key}: Liftoff can post in {channel}"),
            Ok(info) if info.is_private => problems.push(format!(
                "{key}: Liftoff is not in private channel {channel}: type `/invite @Liftoff` there"
            )),
            Ok(_) => println!("{key}: {channel} is public; `liftoff serve` joins it at start-up"),
            Err(SlackApiError::Api { error, .. }) if error == "channel_not_found" => problems.push(format!(
                "{key}: Slack cannot find {channel} for Liftoff: if it is private, type `/invite @Liftoff` there; otherwise check the id"
            )),
            Err(err) => problems.push(format!("{key}: cannot check {channel}: {err}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Channels(problems))
    }
}

/// Connects and applies pending migrations: every command that touches data starts here.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database).await?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {}", config.database.redacted_url()))?;
    Ok(store)
}

async fn migrate(config: &Config) -> Result<(), Failure> {
    let store = open_store(config).await?;
    store.close().await;
    println!("migrations applied to {}", config.database.redacted_url());
    Ok(())
}

async fn serve(config: Config, now: Option<DateTime<Utc>>) -> Result<(), Failure> {
    config.slack_credentials()?;
    let store = open_store(&config).await?;
    store.open_the_whole_pool();
    // SQLite has one writer: a second `serve` on the same file would fight the first over
    // every write (and double the scheduler). Hold an exclusive lock for as long as we serve.
    let _writer_lock = match store.sqlite_path() {
        Some(path) => Some(lock_sqlite_writer(&path)?),
        None => None,
    };
    let clock: crate::clock::SharedClock = match now {
        Some(start) => Arc::new(crate::clock::OffsetClock::starting_at(start)),
        None => Arc::new(SystemClock),
    };
    let state = crate::startup::prepare(config, store.clone(), clock).await?;
    let app = Application::build(state.clone())
        .await
        .with_context(|| format!("cannot listen on {}", state.config.server.bind))?;
    tracing::info!(address = %app.local_addr(), database = %state.config.database.redacted_url(), "liftoff is serving");
    app.run_until_stopped(shutdown_signal())
        .await
        .context("HTTP server failed")?;
    store.close().await;
    tracing::info!("liftoff stopped");
    Ok(())
}

/// Takes the exclusive lock that makes one `serve` the only writer of a SQLite database: a
/// `<file>.serve-lock` beside it, locked (not merely present) so that a crashed process never
/// leaves it stale. The lock lasts as long as the returned file is open.
fn lock_sqlite_writer(database: &std::path::Path) -> Result<std::fs::File, Failure> {
    let mut name = database.as_os_str().to_owned();
    name.push(".serve-lock");
    let path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Failure::AlreadyServing(format!(
            "another `liftoff serve` is already using {} (lock: {}); SQLite allows one writer, so run one \
             instance, or use PostgreSQL to run several",
            database.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(err)) => Err(anyhow::Error::new(err)
            .context(format!("cannot lock {}", path.display()))
            .into()),
    }
}

/// How long `tick` keeps delivering before it exits and leaves the rest to the next tick.
const TICK_DELIVERY_BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

/// How far `tick --now` may be from the real time before it warns: a mistyped year enqueues
/// messages that are not due for decades.
const TICK_DRIFT_WARNING: chrono::Duration = chrono::Duration::days(2);

async fn tick(config: Config, now: DateTime<Utc>) -> Result<(), Failure> {
    let real = crate::clock::Clock::now(&SystemClock);
    let drift: chrono::Duration = now.signed_duration_since(real);
    if drift.abs() > TICK_DRIFT_WARNING {
        eprintln!(
            "liftoff: warning: --now {} is {} days from the real time ({}); messages it enqueues are due then",
            now.to_rfc3339(),
            drift.num_days(),
            real.format("%Y-%m-%d %H:%M UTC")
        );
    }
    let store = open_store(&config).await?;
    // Time starts at --now and then runs normally, so retries inside the tick see it pass.
    let clock = Arc::new(crate::clock::OffsetClock::starting_at(now));
    let state = crate::startup::prepare(config, store.clone(), clock).await?;
    let scheduler = state.scheduler();
    let runs = scheduler.run_due().await.context("scheduled jobs failed")?;
    // Every tick sweeps for escalations, whether or not the sweep's own slot is due.
    let sweep = scheduler.sweep_now().await.context("escalation sweep failed")?;
    let delivered = state
        .delivery()
        .drain(TICK_DELIVERY_BUDGET)
        .await
        .context("delivery failed")?;
    let counts = store.outbox_counts().await.context("cannot read the outbox")?;
    store.close().await;
    println!("tick at {}", now.to_rfc3339());
    if runs.is_empty() {
        println!("  no scheduled job was due");
    }
    for run in &runs {
        println!(
            "  {} {}: {} ({} message(s))",
            run.job, run.slot, run.outcome, run.messages
        );
    }
    println!(
        "  escalation sweep: {} task(s) examined, {} escalated",
        sweep.examined, sweep.fired
    );
    println!(
        "  delivered {} · failed {} · retrying {} · still pending {}",
        delivered.sent,
        delivered.failed,
        delivered.retrying,
        counts.pending + counts.sending
    );
    Ok(())
}

async fn healthcheck(config: &Config, url: Option<String>) -> Result<(), Failure> {
    let url = url.unwrap_or_else(|| {
        let bind = config.server.bind;
        // A wildcard listen address is reached through loopback.
        let host = if bind.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            bind.ip().to_string()
        };
        format!("http://{host}:{}/readyz", bind.port())
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .context("cannot build an HTTP client")?;
    let response = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url} did not answer"))?;
    if response.status().is_success() {
        println!("ready: {url}");
        Ok(())
    } else {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Err(anyhow::anyhow!("{url} answered {status}: {body}").into())
    }
}

/// Completes on Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
