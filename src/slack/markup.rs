//! Slack's markup for people and channels: `<@U…>` (a mention, which notifies) and `<#C…>` (a
//! channel link). Only the Slack layer writes it; the domain and the service carry plain ids.

use liftoff_core::history::Actor;
use liftoff_core::{SlackChannelId, SlackUserId};

/// How a person or a channel is written in a Slack message.
pub trait Markup {
    /// Writes the mention (`<@U…>`) or the channel link (`<#C…>`) at the end of `out`: a
    /// launch's page mentions an owner on each task's line, and a string of its own for each
    /// was an allocation more per line.
    fn push_mention(&self, out: &mut String);

    /// The mention (`<@U…>`) or the channel link (`<#C…>`).
    fn mention(&self) -> String {
        let mut out = String::with_capacity(24);
        self.push_mention(&mut out);
        out
    }
}

/// `<{sigil}{id}>`: Slack's markup for a person (`@`) or a channel (`#`).
fn push_reference(out: &mut String, sigil: &str, id: &str) {
    out.push('<');
    out.push_str(sigil);
    out.push_str(id);
    out.push('>');
}

impl Markup for SlackUserId {
    fn push_mention(&self, out: &mut String) {
        push_reference(out, "@", self.as_str());
    }
}

impl Markup for SlackChannelId {
    fn push_mention(&self, out: &mut String) {
        push_reference(out, "#", self.as_str());
    }
}

impl Markup for Actor {
    /// A person's mention, or Liftoff by name when it acted itself.
    fn push_mention(&self, out: &mut String) {
        match self {
            Actor::User(user) => user.push_mention(out),
            Actor::Liftoff => out.push_str("Liftoff"),
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
        let mut line = "owner ".to_owned();
        SlackUserId::parse("U0ANN").unwrap().push_mention(&mut line);
        assert_eq!(line, "owner <@U0ANN>");
    }
}
