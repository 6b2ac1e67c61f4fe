//! Slack's caps on what one message may carry, which the emulator enforces as Slack does:
//! 50 blocks, and about 12,000 characters of text across a message's blocks, past which
//! `chat.postMessage` answers `msg_blocks_too_long` (see `emulator::MESSAGE_BLOCK_TEXT_CAP`).
//! Long content is split into several messages, every one delivered.

use serde_json::Value;

use crate::fake_slack::MESSAGE_BLOCK_TEXT_CAP;
use crate::helpers::TestApp;

const LEAD: &str = "U0LEAD";

const CONFIG: &str = r#"
[slack]
post_interval_ms = 5
[channels]
pmo = "C0PMO"
[escalation]
enabled = false
[launches]
max_per_week = 50
"#;

fn text_chars(message: &Value) -> usize {
    slack_emulator::block_text_chars(&message["blocks"])
}

#[tokio::test]
async fn a_digest_of_sixteen_busy_launches_is_split_and_every_part_delivered() {
    let app = TestApp::spawn_with(true, CONFIG).await;
    // Sixteen tier-1 launches a PMO team really runs side by side, each with the 18 tasks of the
    // tier-1 template; by the digest most of them are overdue or due this week.
    let names: Vec<String> = (1..=16)
        .map(|n| format!("Payments Hub wave {n} – EMEA & APAC partner rollout"))
        .collect();
    for name in &names {
        app.command(LEAD, &format!("new {name} tier:1 date:2026-12-18 lead:<@U0LEAD>"))
            .await;
    }
    app.set_time("2026-12-15T08:35:00Z");
    app.tick().await;
    let digests: Vec<Value> = app
        .slack
        .calls("chat.postMessage")
        .into_iter()
        .filter(|b| b["channel"] == "C0PMO")
        .collect();
    let total: usize = digests.iter().map(text_chars).sum();
    assert!(
        total > MESSAGE_BLOCK_TEXT_CAP,
        "the digest is long enough to need splitting: {total}"
    );
    assert!(digests.len() >= 2, "split into parts: {}", digests.len());
    for (n, part) in digests.iter().enumerate() {
        assert!(
            text_chars(part) <= MESSAGE_BLOCK_TEXT_CAP,
            "part {n}: {}",
            text_chars(part)
        );
        let title = part["text"].as_str().unwrap();
        assert!(
            title.starts_with(&format!("Launch digest — Tue 15 Dec ({}/{})", n + 1, digests.len())),
            "{title}"
        );
    }
    // Every launch is in the digest: none was cut to fit.
    let all: String = digests.iter().map(|d| d["blocks"].to_string()).collect();
    for n in 1..=16 {
        assert!(all.contains(&format!("payments-hub-wave-{n}-")), "launch {n} missing");
    }
    // Nothing was refused or failed.
    let failed = app.store.failed_messages(10).await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_emulator_refuses_a_message_over_the_text_cap_as_slack_does() {
    let slack = crate::fake_slack::FakeSlack::start().await;
    slack.add_channel("C1", false, true);
    let section =
        |chars: usize| serde_json::json!({"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(chars)}});
    let post = |blocks: Vec<Value>| {
        reqwest::Client::new()
            .post(format!("{}/chat.postMessage", slack.api_url))
            .json(&serde_json::json!({"channel": "C1", "text": "t", "blocks": blocks}))
            .send()
    };
    // Five sections of 2,500 characters: every block within its own limit, 12,500 in all.
    let answer: Value = post(vec![section(2500); 5]).await.unwrap().json().await.unwrap();
    assert_eq!(answer["error"], "msg_blocks_too_long");
    let answer: Value = post(vec![section(2400); 5]).await.unwrap().json().await.unwrap();
    assert_eq!(answer["ok"], true);
}

#[tokio::test]
async fn a_long_slash_command_reply_stays_within_the_cap_and_says_what_it_left_out() {
    let app = TestApp::spawn_with(
        true,
        &format!("{CONFIG}[templates]\npath = \"tests/fixtures/no-templates.toml\"\n"),
    )
    .await;
    app.command(LEAD, "new Payments Hub tier:1 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    for n in 1..=90 {
        app.command(
            LEAD,
            &format!(
                "task payments-hub marketing \"Localise the partner FAQ and landing page copy for market {n}\" owner:<@U0ANN> due:T-3"
            ),
        )
        .await;
    }
    // `command` checks the reply against Slack's block limits; the text cap is checked here.
    let reply = app.command(LEAD, "show payments-hub").await;
    let chars = text_chars(&reply);
    assert!(chars <= MESSAGE_BLOCK_TEXT_CAP, "{chars}");
    let blocks = reply["blocks"].as_array().unwrap();
    let last = blocks.last().unwrap()["elements"][0]["text"].as_str().unwrap();
    assert!(last.contains("more not shown here"), "{last}");
    app.stop().await;
}
