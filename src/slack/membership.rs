//! Making sure Liftoff can post where it is told to.
//!
//! Slack refuses a post to a channel the bot has not joined (`not_in_channel`) and sends no
//! message events from it, so a function, PMO or escalation channel the bot is not in means
//! check-ins that never arrive and replies never read. When such a channel is set, Liftoff looks
//! (`conversations.info`), joins a public channel itself (`conversations.join`, scope
//! `channels:join`), and otherwise says, right away, that someone must `/invite @Liftoff`:
//! a bot cannot join a private channel, which it cannot even see until invited
//! (`channel_not_found`).

use std::time::Duration;

use super::client::{SlackApi, SlackApiError};

/// Where Liftoff stands in a channel after [`ensure_member`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelAccess {
    /// Already a member.
    Member,
    /// Was not; joined it now.
    Joined,
    /// Private, or not visible to the bot: someone must invite it.
    NeedsInvite,
    /// Archived: nothing can be posted there.
    Archived,
    /// Slack did not answer in time, or refused for another reason: unknown.
    Unknown(String),
}

impl ChannelAccess {
    /// Whether Liftoff can post there.
    pub fn can_post(&self) -> bool {
        matches!(self, ChannelAccess::Member | ChannelAccess::Joined)
    }

    /// What to tell the person who set the channel (`None` when all is well and unremarkable).
    pub fn advice(&self, channel_link: &str) -> Option<String> {
        match self {
            ChannelAccess::Member => None,
            ChannelAccess::Joined => Some(format!("I joined {channel_link} so I can post there.")),
            ChannelAccess::NeedsInvite => Some(format!(
                ":warning: I am not in {channel_link} and cannot join it myself (it is private): \
                 type `/invite @Liftoff` there, or nothing will be posted."
            )),
            ChannelAccess::Archived => Some(format!(
                ":warning: {channel_link} is archived: nothing can be posted there. Choose another channel."
            )),
            ChannelAccess::Unknown(reason) => Some(format!(
                ":warning: I could not check that I can post in {channel_link} ({reason}). \
                 If its check-ins do not arrive, type `/invite @Liftoff` there."
            )),
        }
    }
}

/// Looks at `channel` and joins it when it is public and Liftoff is not in it, within `budget`
/// (a slash command must be answered within 3 seconds).
pub async fn ensure_member(api: &SlackApi, channel: &str, budget: Duration) -> ChannelAccess {
    match tokio::time::timeout(budget, look_and_join(api, channel)).await {
        Ok(access) => access,
        Err(_) => ChannelAccess::Unknown("Slack did not answer in time".to_owned()),
    }
}

async fn look_and_join(api: &SlackApi, channel: &str) -> ChannelAccess {
    let info = match api.channel_info(channel).await {
        Ok(info) => info,
        Err(SlackApiError::Api { error, .. }) if error == "channel_not_found" => return ChannelAccess::NeedsInvite,
        Err(err) => return ChannelAccess::Unknown(err.to_string()),
    };
    if info.is_archived {
        return ChannelAccess::Archived;
    }
    if info.is_member {
        return ChannelAccess::Member;
    }
    if info.is_private {
        return ChannelAccess::NeedsInvite;
    }
    match api.join_channel(channel).await {
        Ok(()) => ChannelAccess::Joined,
        Err(SlackApiError::Api { error, .. })
            if matches!(
                error.as_str(),
                "method_not_supported_for_channel_type" | "channel_not_found"
            ) =>
        {
            ChannelAccess::NeedsInvite
        }
        Err(err) => ChannelAccess::Unknown(err.to_string()),
    }
}
