//! New launches: what a person asked for when creating a launch, checked against today and
//! turned into the slug it would get. Separate from `edit` because a draft has no id, slug or
//! history yet.

use chrono::NaiveDate;

use super::slug::{Slug, SlugError};
use super::tier::Tier;
use crate::ids::SlackUserId;

/// Longest launch name accepted; names show up in headers, which Slack caps at 150 characters.
pub const MAX_LAUNCH_NAME_CHARS: usize = 80;

/// What a person asked for when creating a launch, before it has an id or a unique slug.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchDraft {
    pub name: String,
    pub tier: Tier,
    pub launch_date: NaiveDate,
    pub lead: Option<SlackUserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchDraftError {
    #[error("the launch needs a name")]
    EmptyName,
    #[error("the launch name is {0} characters long; keep it to {MAX_LAUNCH_NAME_CHARS}")]
    NameTooLong(usize),
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error(
        "the launch date {} is in the past (today is {}); nothing was changed",
        crate::dates::human(*date, *today),
        crate::dates::human(*today, *today)
    )]
    DateInPast { date: NaiveDate, today: NaiveDate },
}

impl LaunchDraft {
    /// Checks the draft against `today` and returns the slug it would get if nothing clashed.
    pub fn validate(&self, today: NaiveDate) -> Result<Slug, LaunchDraftError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(LaunchDraftError::EmptyName);
        }
        let chars = name.chars().count();
        if chars > MAX_LAUNCH_NAME_CHARS {
            return Err(LaunchDraftError::NameTooLong(chars));
        }
        if self.launch_date < today {
            return Err(LaunchDraftError::DateInPast {
                date: self.launch_date,
                today,
            });
        }
        Ok(Slug::from_name(name)?)
    }
}
