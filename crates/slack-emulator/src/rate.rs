//! Slack's published rate limits, enforced only where a test or benchmark asks for them.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Slack's published rate limits, as far as Liftoff's calls meet them: chat.postMessage allows
/// one message per second per channel, and each other Web API method a number of calls per
/// minute by its tier (1: 1+, 2: 20+, 3: 50+, 4: 100+). The "+" is Slack's allowance for short
/// bursts; the emulator allows none, so it is stricter than Slack.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Least time between two chat.postMessage calls to one channel.
    pub post_interval_per_channel: Duration,
    /// Calls per rolling minute, by method.
    pub per_minute: HashMap<String, usize>,
}

impl RateLimits {
    /// The limits Slack publishes for the methods Liftoff calls.
    pub fn slack() -> RateLimits {
        const TIER_3: usize = 50;
        const TIER_4: usize = 100;
        let per_minute = [
            ("chat.update", TIER_3),
            ("chat.postEphemeral", TIER_4),
            ("conversations.open", TIER_3),
            ("conversations.history", TIER_3),
            ("conversations.replies", TIER_3),
            ("reactions.add", TIER_3),
            ("users.info", TIER_4),
            ("views.open", TIER_4),
            ("views.update", TIER_4),
            ("views.push", TIER_4),
            ("views.publish", TIER_4),
            ("apps.connections.open", 1),
        ];
        RateLimits {
            post_interval_per_channel: Duration::from_secs(1),
            per_minute: per_minute.into_iter().map(|(m, n)| (m.to_owned(), n)).collect(),
        }
    }
}

/// What the rate limits have seen: the last post per channel and each method's recent calls.
#[derive(Default)]
pub(crate) struct RateState {
    pub(crate) limits: Option<RateLimits>,
    last_post: HashMap<String, std::time::Instant>,
    recent: HashMap<String, VecDeque<std::time::Instant>>,
    /// Calls answered with 429 because they broke a limit.
    pub(crate) refused: usize,
}

impl RateState {
    /// `Some(retry_after_secs)` when `method` (to `channel`) now would break a limit;
    /// otherwise counts the call against the limits.
    pub(crate) fn check(&mut self, method: &str, channel: Option<&str>, now: std::time::Instant) -> Option<u64> {
        let limits = self.limits.as_ref()?;
        let interval = limits.post_interval_per_channel;
        if method == "chat.postMessage"
            && let Some(channel) = channel
        {
            if let Some(last) = self.last_post.get(channel)
                && now.duration_since(*last) < interval
            {
                self.refused += 1;
                return Some(interval.as_secs().max(1));
            }
            self.last_post.insert(channel.to_owned(), now);
            return None;
        }
        let budget = *limits.per_minute.get(method)?;
        let recent = self.recent.entry(method.to_owned()).or_default();
        let minute = Duration::from_secs(60);
        while recent.front().is_some_and(|at| now.duration_since(*at) >= minute) {
            recent.pop_front();
        }
        if recent.len() >= budget {
            self.refused += 1;
            let oldest = *recent.front().expect("a full window is not empty");
            return Some((minute - now.duration_since(oldest)).as_secs().max(1));
        }
        recent.push_back(now);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    use crate::Emulator;

    fn post(channel: &str) -> (String, Value) {
        (
            "chat.postMessage".to_owned(),
            json!({ "channel": channel, "text": "hi" }),
        )
    }

    #[test]
    fn rate_limits_are_off_unless_asked() {
        let mut rate = RateState::default();
        let now = std::time::Instant::now();
        let (method, body) = post("C1");
        for _ in 0..10 {
            assert_eq!(rate.check(&method, body["channel"].as_str(), now), None);
        }
        assert_eq!(rate.refused, 0);
    }

    #[test]
    fn one_post_per_second_per_channel() {
        let mut rate = RateState {
            limits: Some(RateLimits::slack()),
            ..RateState::default()
        };
        let start = std::time::Instant::now();
        assert_eq!(rate.check("chat.postMessage", Some("C1"), start), None);
        // Another channel is not held back; the same one is until a second has passed.
        assert_eq!(rate.check("chat.postMessage", Some("C2"), start), None);
        let soon = start + Duration::from_millis(999);
        assert_eq!(rate.check("chat.postMessage", Some("C1"), soon), Some(1));
        assert_eq!(
            rate.check("chat.postMessage", Some("C1"), start + Duration::from_secs(1)),
            None
        );
        assert_eq!(rate.refused, 1);
    }

    #[test]
    fn tiered_methods_get_their_calls_per_minute() {
        let mut rate = RateState {
            limits: Some(RateLimits::slack()),
            ..RateState::default()
        };
        let start = std::time::Instant::now();
        for n in 0..50 {
            assert_eq!(
                rate.check("conversations.open", None, start + Duration::from_millis(n)),
                None
            );
        }
        let refused = rate.check("conversations.open", None, start + Duration::from_secs(30));
        assert_eq!(refused, Some(30));
        assert_eq!(
            rate.check("conversations.open", None, start + Duration::from_secs(60)),
            None
        );
        // Methods without a published limit here (auth.test) are never refused.
        assert_eq!(rate.check("auth.test", None, start), None);
        assert_eq!(rate.refused, 1);
    }

    #[tokio::test]
    async fn a_limited_emulator_answers_429_with_retry_after() {
        let slack = Emulator::start().await;
        slack.enforce_rate_limits(RateLimits::slack());
        let http = reqwest::Client::new();
        let send = || {
            http.post(format!("{}/chat.postMessage", slack.api_url))
                .json(&json!({ "channel": "C1", "text": "hi" }))
                .send()
        };
        assert_eq!(send().await.expect("answered").status(), 200);
        let refused = send().await.expect("answered");
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()["retry-after"], "1");
        assert_eq!(slack.rate_limited_calls(), 1);
    }
}
