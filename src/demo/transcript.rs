//! The transcript: what the emulator received, printed as it goes, with Slack markup made
//! readable (people and channels by name).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Demo;

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

impl Demo {
    pub(super) fn day_header(&self, date: NaiveDate) {
        println!("\n──── {} ────", date.format("%a %-d %b %Y"));
    }

    /// The time now on the demo's clock, as the transcript shows it beside what people do.
    pub(super) fn stamp(&self) -> String {
        use liftoff::clock::Clock;
        format!("[{}]", self.clock.now().format("%H:%M"))
    }

    /// Moves the demo's clock to `instant`, or leaves it where it is if it is already later:
    /// the story never steps time backwards (on day one, maya makes her plan at 09:00, so the
    /// 08:35 run happens when she is done, and the transcript says so).
    pub(super) fn move_clock_to(&self, instant: chrono::DateTime<chrono::Utc>) {
        use liftoff::clock::Clock;
        if instant > self.clock.now() {
            self.clock.set(instant);
        }
    }

    /// Prints what the emulator received since the last flush, each message stamped with when
    /// Slack received it on the demo's clock: the time it was really sent, which is the time
    /// the outbox records for it (`sent_at`), not when it was planned.
    pub(super) fn flush(&mut self) {
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

pub(super) fn print_indented(text: &str, indent: &str) {
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(10) {
        println!("{indent}{}", readable(line));
    }
    if lines.len() > 10 {
        println!("{indent}… ({} more lines)", lines.len() - 10);
    }
}

/// Slack markup made readable in a terminal: mentions and channel links by name.
pub(super) fn readable(text: &str) -> String {
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

pub(super) fn person(id: &str) -> String {
    PEOPLE
        .iter()
        .find(|(user, _)| *user == id)
        .map_or_else(|| id.to_owned(), |(_, name)| format!("@{name}"))
}

pub(super) fn channel_name(id: &str) -> String {
    if let Some(user) = id.strip_prefix('D') {
        return format!("DM to {}", person(&format!("U{user}")));
    }
    let names: BTreeMap<&str, &str> = CHANNELS.into_iter().collect();
    names.get(id).map_or_else(|| id.to_owned(), |n| (*n).to_owned())
}
