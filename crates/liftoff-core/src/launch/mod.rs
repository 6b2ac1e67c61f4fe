//! Launches: what is being released, how big it is, and when.
//!
//! This file holds the stored [`Launch`] and re-exports the rest, so every path stays
//! `crate::launch::…`. Each concern has its own file:
//! - `tier`: launch size ([`Tier`]);
//! - `state`: where a launch is in its life ([`LaunchState`]);
//! - `slug`: the typed handle ([`Slug`]) and how people name a launch ([`LaunchRef`]);
//! - `metric`: success metrics agreed up front;
//! - `draft`: a new launch as someone asked for it, validated;
//! - `edit`: a change to a launch, the tasks that move with it and its history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{LaunchId, SlackUserId};

mod draft;
mod edit;
mod metric;
mod slug;
mod state;
mod tier;

#[cfg(test)]
mod tests;

pub use draft::{LaunchDraft, LaunchDraftError, MAX_LAUNCH_NAME_CHARS};
pub use edit::{LaunchChange, LaunchEdit, LaunchEditError, MOVED_WITH_LAUNCH, NewLaunchDate};
pub use metric::{SuccessMetric, TargetDirection};
pub use slug::{LaunchRef, MAX_SLUG_LEN, Slug, SlugError};
pub use state::LaunchState;
pub use tier::{Tier, TierError};

/// A stored launch plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    pub id: LaunchId,
    pub slug: Slug,
    pub name: String,
    pub tier: Tier,
    pub launch_date: NaiveDate,
    pub lead: Option<SlackUserId>,
    pub key_messages: String,
    /// Channels, investment and budget notes: what the PMM plans to spend where.
    pub channel_notes: String,
    pub state: LaunchState,
    /// Optimistic-concurrency counter: every update bumps it, so two writers cannot silently
    /// overwrite each other.
    pub version: i64,
}

impl Launch {
    /// Days from `today` to launch day: 12 means "T-12", -3 means "T+3".
    pub fn days_to_launch(&self, today: NaiveDate) -> i64 {
        (self.launch_date - today).num_days()
    }

    /// The "T-minus" label PMMs use: `T-12`, `T-0` on the day, `T+3` after.
    pub fn t_minus(&self, today: NaiveDate) -> String {
        let days = self.days_to_launch(today);
        if days >= 0 {
            format!("T-{days}")
        } else {
            format!("T+{}", -days)
        }
    }
}

/// How many active launches each lead runs: the "spread too thin" measure.
pub fn launches_per_lead(launches: &[Launch]) -> std::collections::BTreeMap<SlackUserId, usize> {
    let mut per_lead = std::collections::BTreeMap::new();
    for launch in launches.iter().filter(|l| l.state.is_active()) {
        if let Some(lead) = &launch.lead {
            *per_lead.entry(lead.clone()).or_default() += 1;
        }
    }
    per_lead
}
