//! Launch state: planned, live or archived, with its stored spelling. Separate because which
//! launches are active decides what Liftoff chases, apart from any other launch field.

use serde::{Deserialize, Serialize};

/// Where a launch is in its life. Only `Planned` and `Live` launches are chased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LaunchState {
    Planned,
    Live,
    Archived,
}

impl LaunchState {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchState::Planned => "planned",
            LaunchState::Live => "live",
            LaunchState::Archived => "archived",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "planned" => Some(LaunchState::Planned),
            "live" => Some(LaunchState::Live),
            "archived" => Some(LaunchState::Archived),
            _ => None,
        }
    }

    pub fn is_active(self) -> bool {
        !matches!(self, LaunchState::Archived)
    }
}
