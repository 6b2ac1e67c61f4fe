//! Slack's markup for people and channels: `<@U…>` (a mention, which notifies) and `<#C…>` (a
//! channel link). Only the Slack layer writes it; the domain and the service carry plain ids.

use liftoff_core::history::Actor;
use liftoff_core::{SlackChannelId, SlackUserId};

/// How a person or a channel is written in a Slack message.
pub trait Markup {
    /// The mention (`<@U…>`) or the channel link (`<#C…>`).
    fn mention(&self) -> String;
}

impl Markup for SlackUserId {
    fn mention(&self) -> String {
        format!("<@{}>", self.as_str())
    }
}

impl Markup for SlackChannelId {
    fn mention(&self) -> String {
        format!("<#{}>", self.as_str())
    }
}

impl Markup for Actor {
    /// A person's mention, or Liftoff by name when it acted itself.
    fn mention(&self) -> String {
        match self {
            Actor::User(user) => user.mention(),
            Actor::Liftoff => "Liftoff".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_mentioned_and_channels_linked() {
        assert_eq!(SlackUserId::parse("U1AB").unwrap().mention(), "<@U1AB>");
        assert_eq!(SlackChannelId::parse("C0PMO").unwrap().mention(), "<#C0PMO>");
        assert_eq!(Actor::Liftoff.mention(), "Liftoff");
    }
}
