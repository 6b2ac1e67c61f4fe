//! Each person is chased in their own working hours (#16): nudges and day-before reminders
//! are held until 09:00 where the person is (from Slack's `users.info`), not the
//! organisation's 09:00, and are still sent once. Counted in the DMs the fake Slack recorded,
//! before and after each person's working hour, on the test clock.

use serde_json::Value;

use crate::helpers::TestApp;

const LEAD: &str = "U0LEAD";
/// Sam works in Singapore (UTC+8), Nia in New York (UTC-5 in winter); Oli's Slack profile has
/// no time zone Liftoff could read, so the organisation's (Berlin) is his.
const SAM: &str = "U0SAM";
const NIA: &str = "U0NIA";
const OLI: &str = "U0OLI";

/// An organisation in Berlin (UTC+1 in winter), default working hours (09:00-18:00), one
/// nudge a day at most.
const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[templates]
path = "tests/fixtures/no-templates.toml"
[calendar]
timezone = "Europe/Berlin"
[channels]
pmo = "C0PMO"
[checkins]
max_nudges_per_day = 1
[functions.sales]
channel = "C0SALES"
"#;

/// DMs to `user` so far (a DM to `U0SAM` is `D0SAM` in the fake Slack) containing `needle`.
fn dms(app: &TestApp, user: &str, needle: &str) -> usize {
    let channel = format!("D0{}", &user[2..]);
    app.slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b: &Value| b["channel"] == channel.as_str())
        .filter(|b| b["text"].as_str().unwrap_or_default().contains(needle))
        .count()
}

async fn at(app: &TestApp, instant: &str) {
    app.set_time(instant);
    app.tick().await;
}

/// Sam, Nia and Oli each own a sales task of the same launch, due Thursday 26 November; their
/// time zones are known to Liftoff as Slack has them; the DMs telling them of their new
/// tasks are delivered and forgotten, so what is counted is what the schedule sends.
async fn team(app: &TestApp, due: &str) {
    app.slack.set_timezone(SAM, "Asia/Singapore");
    app.slack.set_timezone(NIA, "America/New_York");
    app.command(LEAD, "new Checkout v2 tier:2 date:2027-01-29 lead:<@U0LEAD>")
        .await;
    for (owner, title) in [(SAM, "Pricing page"), (NIA, "Battlecard"), (OLI, "Sales deck")] {
        app.command(
            LEAD,
            &format!("task checkout-v2 sales {title} owner:<@{owner}> due:{due}"),
        )
        .await;
    }
    app.learn_timezone(SAM).await;
    app.learn_timezone(NIA).await;
    app.deliver().await;
    app.slack.forget_calls();
}

#[tokio::test]
async fn nudges_reach_people_in_their_own_working_hours_and_still_once_a_day() {
    let config = format!("{CONFIG}\n[escalation]\nenabled = false\n");
    let app = TestApp::spawn_with(true, &config).await;
    app.set_time("2026-11-23T08:00:00Z");
    team(&app, "2026-11-26").await;

    // Monday's check-in at 10:00 in Berlin; nobody answers it.
    at(&app, "2026-11-23T09:05:00Z").await;

    // 14:00 in Berlin, four hours on: the first nudges are due. 21:00 in Singapore and
    // 08:00 in New York: only Oli, on Berlin's time, is nudged now.
    at(&app, "2026-11-23T13:05:00Z").await;
    assert_eq!(dms(&app, OLI, "your update"), 1, "Oli is at work in Berlin");
    assert_eq!(dms(&app, SAM, "your update"), 0, "22:00 in Singapore: not now");
    assert_eq!(dms(&app, NIA, "your update"), 0, "08:05 in New York: not yet");

    // 09:05 in New York (15:05 in Berlin): Nia's nudge arrives; Sam still sleeps.
    at(&app, "2026-11-23T13:55:00Z").await;
    assert_eq!(dms(&app, NIA, "your update"), 0, "08:55 in New York: not yet");
    at(&app, "2026-11-23T14:05:00Z").await;
    assert_eq!(dms(&app, NIA, "your update"), 1, "09:05 in New York");
    assert_eq!(dms(&app, SAM, "your update"), 0);

    // The rest of Berlin's day: hourly nudge slots, none of which nudges anyone again.
    for hour in ["15", "16", "17"] {
        at(&app, &format!("2026-11-23T{hour}:05:00Z")).await;
    }
    assert_eq!(dms(&app, OLI, "your update"), 1, "one nudge a day");
    assert_eq!(dms(&app, NIA, "your update"), 1, "one nudge a day");
    assert_eq!(dms(&app, SAM, "your update"), 0, "still night in Singapore");

    // Tuesday 08:55 in Singapore, then 09:05: Sam's nudge, once.
    at(&app, "2026-11-24T00:55:00Z").await;
    assert_eq!(dms(&app, SAM, "your update"), 0, "08:55 in Singapore");
    at(&app, "2026-11-24T01:05:00Z").await;
    assert_eq!(dms(&app, SAM, "your update"), 1, "09:05 in Singapore");

    // And nobody hears again on Tuesday (no check-in that day to be nudged about).
    for hour in ["08", "12", "16"] {
        at(&app, &format!("2026-11-24T{hour}:05:00Z")).await;
    }
    for person in [SAM, NIA, OLI] {
        assert_eq!(dms(&app, person, "your update"), 1, "{person} was nudged once");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_day_before_reminder_waits_for_nine_oclock_where_the_owner_is() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.set_time("2026-11-30T08:00:00Z");
    team(&app, "2026-12-03").await;

    // Wednesday 2 December, 09:05 in Berlin: the working day before the tasks are due.
    // 03:05 in New York; 16:05 in Singapore.
    at(&app, "2026-12-02T08:05:00Z").await;
    assert_eq!(dms(&app, OLI, "Reminder"), 1, "Oli, on Berlin's time, now");
    assert_eq!(dms(&app, SAM, "Reminder"), 1, "Sam, in his afternoon, now");
    assert_eq!(dms(&app, NIA, "Reminder"), 0, "03:05 in New York: not now");

    // The sweep runs every quarter of an hour; the reminder is not made again meanwhile.
    at(&app, "2026-12-02T13:55:00Z").await;
    assert_eq!(dms(&app, NIA, "Reminder"), 0, "08:55 in New York: not yet");
    at(&app, "2026-12-02T14:05:00Z").await;
    assert_eq!(dms(&app, NIA, "Reminder"), 1, "09:05 in New York");
    at(&app, "2026-12-02T16:05:00Z").await;
    for person in [SAM, NIA, OLI] {
        assert_eq!(dms(&app, person, "Reminder"), 1, "{person} is reminded once");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_lead_in_new_york_is_asked_for_actuals_at_nine_new_york_time() {
    let config = format!("{CONFIG}\n[escalation]\nenabled = false\n");
    let app = TestApp::spawn_with(true, &config).await;
    app.slack.set_timezone(LEAD, "America/New_York");
    app.set_time("2026-11-20T10:00:00Z");
    app.command(LEAD, "new Checkout v2 tier:2 date:2026-11-25 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "metric checkout-v2 \"activation rate\" target:25% by:T+5")
        .await;
    app.learn_timezone(LEAD).await;

    // The review falls due on Monday 30 November: 09:05 in Berlin is 03:05 in New York.
    at(&app, "2026-11-30T08:05:00Z").await;
    assert_eq!(dms(&app, LEAD, "Time to review"), 0, "03:05 in New York: not now");
    at(&app, "2026-11-30T13:55:00Z").await;
    assert_eq!(dms(&app, LEAD, "Time to review"), 0, "08:55 in New York: not yet");
    at(&app, "2026-11-30T14:05:00Z").await;
    assert_eq!(dms(&app, LEAD, "Time to review"), 1, "09:05 in New York");
    at(&app, "2026-11-30T16:05:00Z").await;
    assert_eq!(dms(&app, LEAD, "Time to review"), 1, "asked once");
    app.stop().await;
}

#[tokio::test]
async fn a_go_no_go_reminder_reaches_singapore_in_the_morning_there() {
    let config = r#"
[slack]
post_interval_ms = 5
[templates]
path = "tests/fixtures/no-templates.toml"
[calendar]
timezone = "Europe/Berlin"
[escalation]
enabled = false
[functions.ops]
lead = "U0OPS"
"#;
    let app = TestApp::spawn_with(true, config).await;
    app.slack.set_timezone("U0OPS", "Asia/Singapore");
    app.set_time("2026-11-23T09:00:00Z");
    app.command(LEAD, "new Checkout v2 tier:2 date:2026-12-04 lead:<@U0LEAD>")
        .await;
    app.command(LEAD, "task checkout-v2 ops Support FAQ due:T-7").await;
    app.learn_timezone("U0OPS").await;
    // Asked on Monday at once: the launch lead is waiting for the answer.
    app.command(LEAD, "gonogo checkout-v2").await;
    app.deliver().await;
    assert_eq!(dms(&app, "U0OPS", "is *Ops* ready"), 1);

    // Tuesday 12:05 in Berlin, 19:05 in Singapore: Ops has not answered; the reminder waits.
    at(&app, "2026-11-24T11:05:00Z").await;
    assert_eq!(dms(&app, "U0OPS", "Reminder"), 0, "19:05 in Singapore: not now");
    at(&app, "2026-11-25T00:55:00Z").await;
    assert_eq!(dms(&app, "U0OPS", "Reminder"), 0, "08:55 in Singapore: not yet");
    // 09:05 in Singapore is already Wednesday in Berlin too, whose own reminder is due: Ops
    // gets one reminder, not Tuesday's and Wednesday's at once.
    at(&app, "2026-11-25T01:05:00Z").await;
    assert_eq!(dms(&app, "U0OPS", "Reminder"), 1, "09:05 in Singapore: one reminder");
    at(&app, "2026-11-25T10:05:00Z").await;
    assert_eq!(dms(&app, "U0OPS", "Reminder"), 1, "Wednesday's was that one");
    app.stop().await;
}

#[tokio::test]
async fn a_held_nudge_is_not_sent_once_its_owner_has_answered() {
    let config = format!("{CONFIG}\n[escalation]\nenabled = false\n");
    let app = TestApp::spawn_with(true, &config).await;
    app.set_time("2026-11-23T08:00:00Z");
    team(&app, "2026-11-26").await;
    at(&app, "2026-11-23T09:05:00Z").await;
    // 14:05 in Berlin: Nia's nudge is made but held (08:05 in New York).
    at(&app, "2026-11-23T13:05:00Z").await;
    assert_eq!(dms(&app, NIA, "your update"), 0);

    // Nia starts her day at 08:30: the battlecard is finished, and she says so before 09:00.
    app.set_time("2026-11-23T13:30:00Z");
    let battlecard = task_titled(&app, "Battlecard").await;
    let reply = app.command(NIA, &format!("done {battlecard}")).await;
    assert!(reply["text"].as_str().unwrap().contains("done"), "{reply}");
    at(&app, "2026-11-23T14:05:00Z").await;
    assert_eq!(
        dms(&app, NIA, "your update"),
        0,
        "no nudge about what she just answered"
    );
    // Sam, who has not answered, still gets his in the morning in Singapore.
    at(&app, "2026-11-24T01:05:00Z").await;
    assert_eq!(dms(&app, SAM, "your update"), 1);
    app.stop().await;
}

/// The id of the task titled `title` (as `T12`).
async fn task_titled(app: &TestApp, title: &str) -> String {
    let launch = app.launch("checkout-v2").await;
    let tasks = app.store.launch_tasks(launch.id).await.unwrap();
    let task = tasks.iter().find(|t| t.title == title).expect("the task");
    task.id.to_string()
}

/// A launch kick-off where 120 people ask Liftoff for their tasks in the same few seconds,
/// each for the first time. Slack allows about 100 `users.info` calls a minute (Tier 4,
/// docs.slack.dev "Rate limits"; the emulator enforces it as `RateLimits::slack`) and answers
/// the rest with 429: Liftoff looks up only the time zones that budget allows, ten at once at
/// most, and still answers every person.
#[tokio::test]
async fn a_crowd_of_new_people_gets_answers_without_more_time_zone_lookups_than_slack_allows() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    app.slack.enforce_rate_limits(slack_emulator::RateLimits::slack());
    let started = std::time::Instant::now();
    for n in 0..120 {
        let person = format!("U0CROWD{n:03}");
        let reply = app.command(&person, "mine").await;
        let text = reply["text"].as_str().unwrap_or_default();
        assert!(
            text.contains(&format!("<@{person}>")),
            "{person} got no answer of their own: {text}"
        );
    }
    app.slack.wait_for("users.info", 1).await;
    // Lookups run after the answer: give the last ones time to reach Slack.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let lookups = app.slack.calls("users.info").len();
    // Ten at once, then one more each 0.6 s (100 a minute) the commands took.
    let allowed = 10 + (started.elapsed().as_secs_f64() / 0.6).ceil() as usize;
    assert!(
        lookups <= allowed,
        "{lookups} users.info calls for 120 people in {:?}",
        started.elapsed()
    );
    assert_eq!(app.slack.rate_limited_calls(), 0, "Slack refused lookups with 429");
    app.stop().await;
}

/// Slack will not describe everyone: `users.info` answers `user_not_visible` for a person the
/// app may not see (docs.slack.dev, users.info, "Errors"), say a partner in a shared channel.
/// Liftoff asks about such a person once and leaves them on the organisation's time zone for
/// a while, rather than asking again on every command they type.
#[tokio::test]
async fn a_person_slack_will_not_describe_is_asked_about_once_not_on_every_command() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    for _ in 0..5 {
        app.slack
            .fail_next("users.info", crate::fake_slack::Failure::Api("user_not_visible"));
    }
    let guest = "U0GUEST";
    for text in ["mine", "list", "mine", "list", "mine"] {
        let reply = app.command(guest, text).await;
        let reply_text = reply["text"].as_str().unwrap_or_default();
        assert!(
            !reply_text.is_empty() && !reply_text.contains("went wrong"),
            "/launch {text} got no answer: {reply}"
        );
        // Each command's lookup, were one started, reaches Slack before the next command.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.slack.wait_for("users.info", 1).await;
    assert_eq!(
        app.slack.calls("users.info").len(),
        1,
        "asked about the guest more than once"
    );
    assert_eq!(app.slack.pending_failures("users.info"), 4);
    app.stop().await;
}
