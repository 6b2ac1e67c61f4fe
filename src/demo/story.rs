//! The story the demo tells: a tier-1 launch planned on day one, owners answering in check-in
//! threads, a slip, a go/no-go, and the scheduler ticking through every working day between.

use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;

use super::{Demo, at};
use liftoff::cli::DemoOptions;

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

impl Demo {
    pub(super) async fn story(
        &mut self,
        start: NaiveDate,
        launch_day: NaiveDate,
        options: &DemoOptions,
    ) -> anyhow::Result<()> {
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

    async fn tick_at(&mut self, date: NaiveDate, hour: u32, minute: u32) -> anyhow::Result<()> {
        self.move_clock_to(at(date, hour, minute));
        let scheduler = self.app.scheduler();
        scheduler.run_due().await?;
        scheduler.sweep_now().await?;
        self.app.delivery().drain(Duration::from_secs(10)).await?;
        self.flush();
        Ok(())
    }
}
