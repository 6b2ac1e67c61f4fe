//! `liftoff demo`: a tier-1 launch run from plan to launch day in seconds, by the real service
//! (same store, scheduler, handlers and outbox) against the built-in Slack emulator.
//!
//! The script talks to Liftoff the way Slack does: signed slash commands and thread-reply
//! events over HTTP. Time is a manual clock moved through the working days; at each step the
//! scheduler runs exactly as `liftoff tick` would. The transcript is what the emulator received.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use secrecy::SecretString;
use serde_json::{Value, json};

use liftoff::cli::DemoOptions;
use liftoff::clock::{Clock, ManualClock, SystemClock};
use liftoff::config::Config;
use liftoff::http::{AppState, Application};
use liftoff::store::Store;
use slack_emulator::{Emulator, TEAM_ID, slash_command_form};

const SIGNING_SECRET: &str = "demo-signing-secret";

/// The cast: Slack user ids and the names the transcript shows.
const PEOPLE: [(&str, &str); 7] = [
    ("U0MAYA", "maya (PMM, launch lead)"),
    ("U0PRIYA", "priya (product)"),
    ("U0MARCO", "marco (marketing)"),
    ("U0GINA", "gina (growth)"),
    ("U0SAM", "sam (sales)"),
    ("U0OLIVIA", "olivia (ops)"),
    ("U0LEE", "lee (sales lead)"),
];

const CHANNELS: [(&str, &str); 7] = [
    ("C0PRODUCT", "#launch-product"),
    ("C0MARKETING", "#launch-marketing"),
    ("C0GROWTH", "#launch-growth"),
    ("C0SALES", "#launch-sales"),
    ("C0OPS", "#launch-ops"),
    ("C0PMO", "#pmo"),
    ("C0ESCALATE", "#launch-escalations"),
];

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

/// The owner the demo gives each function's tasks.
fn owner_of(function: &str) -> &'static str {
    match function {
        "product" => "U0PRIYA",
        "marketing" => "U0MARCO",
        "growth" => "U0GINA",
        "sales" => "U0SAM",
        _ => "U0OLIVIA",
    }
}

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

impl Demo {
    async fn story(&mut self, start: NaiveDate, launch_day: NaiveDate, options: &DemoOptions) -> anyhow::Result<()> {
        let until_option = options.until;
        self.day_header(start);
        self.command(
            "U0MAYA",
            &format!("new Checkout v2 tier:1 date:{launch_day} lead:<@U0MAYA|maya>"),
        )
        .await?;
        let launch = self
            .app
            .store
            .list_launches(false)
            .await?
            .into_iter()
            .next()
            .context("the launch was created")?;
        println!("  (maya assigns every template task to its function's owner)");
        for task in self.app.store.launch_tasks(launch.id).await? {
            let owner = owner_of(task.function.as_str());
            self.command_quiet("U0MAYA", &format!("assign {} <@{owner}>", task.id))
                .await?;
        }
        let tasks = self.app.store.launch_tasks(launch.id).await?;
        let find = |title: &str| tasks.iter().find(|t| t.title.starts_with(title)).map(|t| t.id);
        let positioning = find("Positioning").context("template task")?;
        let campaign = find("Campaign plan").context("template task")?;
        let beta = find("Beta feedback").context("template task")?;
        let deck = find("Sales deck").context("template task")?;
        let onboarding = find("Onboarding").context("template task")?;
        let faq = find("Support FAQ").context("template task")?;

        let mut date = start;
        let mut slipped = false;
        let mut gonogo_asked = false;
        loop {
            // By default the story runs to the day after launch day, wherever it has moved.
            let current_launch = self.app.store.launch_by_id(launch.id).await?.context("launch")?;
            let until = until_option.unwrap_or(current_launch.launch_date + chrono::Duration::days(1));
            if date > until {
                break;
            }
            if !self.app.config.calendar.is_working_day(date) {
                date = date.succ_opt().context("calendar")?;
                continue;
            }
            if date != start {
                self.day_header(date);
            }
            self.tick_at(date, 8, 35).await?;
            self.tick_at(date, 10, 5).await?;
            let day = (date - start).num_days();
            // Owners answer in the check-in threads, the way people do.
            match day {
                0 => {
                    let reply = format!("{positioning} on track\n{campaign} at risk: agency quote is late");
                    self.reply_in_checkin(date, "marketing", "U0MARCO", &reply).await?;
                    self.reply_in_checkin(date, "product", "U0PRIYA", &format!("{beta} ✅"))
                        .await?;
                }
                2 => {
                    let reply = format!("{onboarding} blocked waiting on legal review of the new consent screen");
                    self.reply_in_checkin(date, "growth", "U0GINA", &reply).await?;
                    self.reply_in_checkin(date, "marketing", "U0MARCO", &format!("{campaign} on track"))
                        .await?;
                }
                4 => {
                    self.reply_in_checkin(date, "marketing", "U0MARCO", &format!("{positioning} done"))
                        .await?
                }
                21 => {
                    self.reply_in_checkin(date, "sales", "U0SAM", &format!("{deck} due +2d"))
                        .await?
                }
                22 if !slipped => {
                    slipped = true;
                    println!("  (legal still has not signed off: maya moves the launch a week)");
                    let new_day = launch_day + chrono::Duration::days(7);
                    self.command("U0MAYA", &format!("edit checkout-v2 date:{new_day}"))
                        .await?;
                }
                25 => self.command("U0GINA", &format!("unblock {onboarding}")).await?,
                _ => {}
            }
            // Two working days out, maya runs the go/no-go; olivia answers a day late.
            let to_launch = self
                .app
                .config
                .calendar
                .working_days_between(date, current_launch.launch_date);
            if to_launch == 2 && !gonogo_asked {
                gonogo_asked = true;
                self.command("U0MAYA", "gonogo checkout-v2").await?;
                self.app.delivery().drain(Duration::from_secs(10)).await?;
                self.flush();
                for (lead, function) in [
                    ("U0PRIYA", "product"),
                    ("U0MARCO", "marketing"),
                    ("U0GINA", "growth"),
                    ("U0LEE", "sales"),
                ] {
                    self.answer_gonogo(launch.id, lead, function, None).await?;
                }
            } else if to_launch == 1 && gonogo_asked {
                let reason = "Support FAQ is still in review with legal; macros are ready";
                self.answer_gonogo(launch.id, "U0OLIVIA", "ops", Some(reason)).await?;
            }
            self.tick_at(date, 14, 5).await?;
            self.tick_at(date, 16, 0).await?;
            // Most work gets done as the days go by; a few tasks stay open to show the ladder.
            for task in self.app.store.launch_tasks(launch.id).await? {
                let current = self.app.store.launch_by_id(launch.id).await?.context("launch")?;
                if task.status.is_open()
                    && task.due_date <= date
                    && ![deck, faq].contains(&task.id)
                    && task.id != onboarding
                {
                    let owner = task.owner.as_ref().map_or("U0MAYA", |o| o.as_str()).to_owned();
                    self.command_quiet(&owner, &format!("done {}", task.id)).await?;
                }
                if current.launch_date <= date && task.status.is_open() {
                    let owner = task.owner.as_ref().map_or("U0MAYA", |o| o.as_str()).to_owned();
                    self.command_quiet(&owner, &format!("done {}", task.id)).await?;
                }
            }
            self.app.delivery().drain(Duration::from_secs(10)).await?;
            self.flush();
            if options.speed > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(1.0 / options.speed)).await;
            }
            date = date.succ_opt().context("calendar")?;
        }
        self.command("U0MAYA", "show checkout-v2").await?;
        Ok(())
    }

    fn day_header(&self, date: NaiveDate) {
        println!("\n──── {} ────", date.format("%a %-d %b %Y"));
    }

    async fn tick_at(&mut self, date: NaiveDate, hour: u32, minute: u32) -> anyhow::Result<()> {
        self.clock.set(at(date, hour, minute));
        let scheduler = self.app.scheduler();
        scheduler.run_due().await?;
        scheduler.sweep_now().await?;
        self.app.delivery().drain(Duration::from_secs(10)).await?;
        self.flush();
        Ok(())
    }

    async fn post_signed(&self, path: &str, content_type: &str, body: String) -> anyhow::Result<reqwest::Response> {
        let timestamp = self.clock.now().timestamp().to_string();
        let signature =
            liftoff::slack::signature::sign(&SecretString::from(SIGNING_SECRET), &timestamp, body.as_bytes());
        Ok(self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", timestamp)
            .header("x-slack-signature", signature)
            .body(body)
            .send()
            .await?)
    }

    async fn send_command(&self, user: &str, text: &str) -> anyhow::Result<Value> {
        let form = slash_command_form(user, "C0PMO", text, "");
        let response = self
            .post_signed("/slack/commands", "application/x-www-form-urlencoded", form)
            .await?;
        Ok(response.json().await?)
    }

    /// A slash command, shown with Liftoff's answer.
    async fn command(&mut self, user: &str, text: &str) -> anyhow::Result<()> {
        println!("  {} typed: /launch {}", person(user), readable(text));
        let reply = self.send_command(user, text).await?;
        let visibility = if reply["response_type"] == "in_channel" {
            ""
        } else {
            " (only they see it)"
        };
        println!("  Liftoff answered{visibility}:");
        print_indented(reply["text"].as_str().unwrap_or_default(), "    ");
        Ok(())
    }

    /// A function lead's go/no-go answer: the Go button, or No-go and the reason form.
    async fn answer_gonogo(
        &mut self,
        launch: liftoff_core::LaunchId,
        user: &str,
        function: &str,
        no_go: Option<&str>,
    ) -> anyhow::Result<()> {
        let round = self.app.store.latest_gonogo(launch).await?.context("a go/no-go")?;
        let payload = match no_go {
            None => {
                println!("  {} pressed Go for {function}", person(user));
                json!({
                    "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user}, "trigger_id": "demo",
                    "container": {"type": "message", "is_ephemeral": false},
                    "actions": [{"action_id": liftoff::slack::render::actions::GONOGO_GO, "block_id": "b",
                                 "value": format!("{}:{function}", round.id)}]
                })
            }
            Some(reason) => {
                println!("  {} pressed No-go for {function} and wrote: {reason}", person(user));
                json!({
                    "type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user},
                    "view": {
                        "callback_id": liftoff::slack::render::actions::GONOGO_MODAL,
                        "private_metadata": json!({"gonogo": round.id, "function": function}).to_string(),
                        "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}}
                    }
                })
            }
        };
        let form = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        self.post_signed("/slack/interactions", "application/x-www-form-urlencoded", form)
            .await?
            .error_for_status()?;
        Ok(())
    }

    async fn command_quiet(&mut self, user: &str, text: &str) -> anyhow::Result<()> {
        self.send_command(user, text).await.map(|_| ())
    }

    /// A reply in the latest check-in thread of `function`, as a Slack message event.
    async fn reply_in_checkin(
        &mut self,
        date: NaiveDate,
        function: &str,
        user: &str,
        text: &str,
    ) -> anyhow::Result<()> {
        self.clock.set(at(date, 11, 0));
        let function = liftoff_core::FunctionName::parse(function)?;
        let Some(checkin) = self.app.store.latest_checkin(&function).await? else {
            return Ok(());
        };
        let (Some(channel), Some(ts)) = (checkin.channel, checkin.ts) else {
            return Ok(());
        };
        println!(
            "  {} replied in the {} check-in thread: {}",
            person(user),
            channel_name(&channel),
            text.replace('\n', " / ")
        );
        self.events += 1;
        let event = slack_emulator::thread_reply_event(
            &format!("EvDemo{}", self.events),
            user,
            &channel,
            &ts,
            &format!("{}.{:06}", self.clock.now().timestamp(), self.events),
            text,
        );
        self.post_signed("/slack/events", "application/json", event.to_string())
            .await?;
        self.app.delivery().drain(Duration::from_secs(10)).await?;
        self.flush();
        Ok(())
    }

    /// Prints what the emulator received since the last flush.
    fn flush(&mut self) {
        let calls = self.emulator.all_calls();
        for call in &calls[self.printed..] {
            let time = call.at.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
            let body = &call.body;
            let text = body["text"].as_str().unwrap_or_default();
            match call.method.as_str() {
                "chat.postMessage" => {
                    let channel = body["channel"].as_str().unwrap_or_default();
                    let threaded = body["thread_ts"].is_string();
                    let prefix = if threaded { "      ↳ " } else { "  " };
                    println!("{prefix}[{time}] {} · Liftoff:", channel_name(channel));
                    print_indented(text, if threaded { "          " } else { "    " });
                }
                "chat.postEphemeral" => {
                    let channel = body["channel"].as_str().unwrap_or_default();
                    let user = body["user"].as_str().unwrap_or_default();
                    println!(
                        "      ↳ [{time}] {} · Liftoff, only to {}:",
                        channel_name(channel),
                        person(user)
                    );
                    print_indented(text, "          ");
                }
                _ => {}
            }
        }
        self.printed = calls.len();
    }
}

fn print_indented(text: &str, indent: &str) {
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(10) {
        println!("{indent}{}", readable(line));
    }
    if lines.len() > 10 {
        println!("{indent}… ({} more lines)", lines.len() - 10);
    }
}

/// Slack markup made readable in a terminal: mentions and channel links by name.
fn readable(text: &str) -> String {
    let mut out = text.to_owned();
    for (id, name) in PEOPLE {
        let short = name.split(' ').next().unwrap_or(name);
        out = out.replace(&format!("<@{id}|maya>"), &format!("@{short}"));
        out = out.replace(&format!("<@{id}>"), &format!("@{short}"));
    }
    for (id, name) in CHANNELS {
        out = out.replace(&format!("<#{id}>"), name);
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn person(id: &str) -> String {
    PEOPLE
        .iter()
        .find(|(user, _)| *user == id)
        .map_or_else(|| id.to_owned(), |(_, name)| format!("@{name}"))
}

fn channel_name(id: &str) -> String {
    if let Some(user) = id.strip_prefix('D') {
        return format!("DM to {}", person(&format!("U{user}")));
    }
    let names: BTreeMap<&str, &str> = CHANNELS.into_iter().collect();
    names.get(id).map_or_else(|| id.to_owned(), |n| (*n).to_owned())
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
