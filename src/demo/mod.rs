//! `liftoff demo`: a tier-1 launch run from plan to launch day in seconds, by the real service
//! (same store, scheduler, handlers and outbox) against the built-in Slack emulator.
//!
//! The script talks to Liftoff the way Slack does: signed slash commands and thread-reply
//! events over HTTP. Time is a manual clock moved through the working days; at each step the
//! scheduler runs exactly as `liftoff tick` would. The transcript is what the emulator received.
//!
//! This file sets the demo up and runs it; `story` is the script, `requests` how it talks to
//! Liftoff, and `transcript` what it prints.

mod requests;
mod story;
mod transcript;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};

use liftoff::cli::DemoOptions;
use liftoff::clock::{Clock, ManualClock, SystemClock};
use liftoff::config::Config;
use liftoff::http::{AppState, Application};
use liftoff::store::Store;
use slack_emulator::Emulator;

const SIGNING_SECRET: &str = "demo-signing-secret";

const DEMO_CONFIG: &str = r#"
[slack]
post_interval_ms = 0
[scheduler]
enabled = false
[channels]
pmo = "C0PMO"
escalation = "C0ESCALATE"
[functions.product]
channel = "C0PRODUCT"
lead = "U0PRIYA"
[functions.marketing]
channel = "C0MARKETING"
lead = "U0MARCO"
[functions.growth]
channel = "C0GROWTH"
lead = "U0GINA"
[functions.sales]
channel = "C0SALES"
lead = "U0LEE"
[functions.ops]
channel = "C0OPS"
lead = "U0OLIVIA"
"#;

struct Demo {
    app: AppState,
    address: String,
    http: reqwest::Client,
    clock: ManualClock,
    emulator: Emulator,
    printed: usize,
    events: usize,
}

/// Runs the demo and prints its transcript to stdout as it goes.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let db_path = options.keep_db.clone().unwrap_or_else(|| dir.join("liftoff-demo.db"));
    let emulator = Emulator::start().await;
    // The story starts next Monday at 09:00 UTC; launch day is a Friday six weeks out, so the
    // tier-1 template's first tasks (T-35) are still ahead when the plan is made.
    let today = SystemClock.now().date_naive();
    let start = next_monday(today);
    let launch_day = start + chrono::Duration::days(39);
    let clock = ManualClock::new(at(start, 9, 0));
    emulator.set_clock({
        let clock = clock.clone();
        move || clock.now()
    });

    let url = format!("sqlite://{}", db_path.display());
    let api = emulator.api_url.clone();
    let env = move |key: &str| match key {
        "DATABASE_URL" => Some(url.clone()),
        "LIFTOFF_BIND" => Some("127.0.0.1:0".to_owned()),
        "LIFTOFF_SLACK_API_URL" => Some(api.clone()),
        "SLACK_BOT_TOKEN" => Some("xoxb-demo-bot-token".to_owned()),
        "SLACK_SIGNING_SECRET" => Some(SIGNING_SECRET.to_owned()),
        _ => None,
    };
    // New Year's Day and Christmas are holidays, whichever year the story falls in.
    let years = [start.year(), start.year() + 1];
    let holidays: Vec<String> = years
        .iter()
        .flat_map(|y| [format!("\"{y}-12-25\""), format!("\"{y}-01-01\"")])
        .collect();
    let toml = format!("{DEMO_CONFIG}[calendar]\nholidays = [{}]\n", holidays.join(", "));
    let config = Config::from_toml(&toml, &env).context("demo configuration")?;
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    let state = liftoff::startup::prepare(config, store.clone(), Arc::new(clock.clone())).await?;
    let server = Application::build(state.clone()).await?;
    let address = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until_stopped(async {
        let _ = stopped.await;
    }));

    let mut demo = Demo {
        app: state,
        address,
        http: reqwest::Client::new(),
        clock,
        emulator,
        printed: 0,
        events: 0,
    };
    println!("Liftoff demo: a tier-1 launch from plan to launch day ({start} to {launch_day}).");
    println!("Everything below is what the real service sent to the built-in Slack emulator.\n");
    demo.story(start, launch_day, &options).await?;

    let _ = stop.send(());
    serving.await.context("server task")??;
    store.close().await;
    match &options.keep_db {
        Some(path) => println!("\nThe demo database is kept at {}.", path.display()),
        None => {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(())
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    let mut day = today.succ_opt().unwrap_or(today);
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap_or(day);
    }
    day
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

/// A scratch directory for the demo's database.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("liftoff-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
