//! Launch tiers: size by complexity and expected impact, parsed from what people type.
//! Separate because the tier is read on its own (templates, check-in cadence, escalation)
//! far more often than the launch around it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Launch size by complexity and expected impact. Tier decides the template tasks and how
/// tightly Liftoff chases them: tier 1 is a big campaign, tier 3 a push notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    One,
    Two,
    Three,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a tier: use 1, 2 or 3")]
pub struct TierError(pub String);

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::One, Tier::Two, Tier::Three];

    pub fn parse(input: &str) -> Result<Self, TierError> {
        let trimmed = input.trim();
        let digits = trimmed
            .strip_prefix("tier")
            .or_else(|| trimmed.strip_prefix("Tier"))
            .or_else(|| trimmed.strip_prefix('t'))
            .or_else(|| trimmed.strip_prefix('T'))
            .unwrap_or(trimmed)
            .trim();
        match digits {
            "1" => Ok(Tier::One),
            "2" => Ok(Tier::Two),
            "3" => Ok(Tier::Three),
            _ => Err(TierError(input.to_owned())),
        }
    }

    pub fn number(self) -> i64 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
            Tier::Three => 3,
        }
    }

    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(Tier::One),
            2 => Some(Tier::Two),
            3 => Some(Tier::Three),
            _ => None,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tier {}", self.number())
    }
}
