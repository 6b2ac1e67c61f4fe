//! RACI roles: the people beyond a task's owner (who is Responsible) who are Accountable,
//! Consulted or Informed. A small vocabulary of its own, stored and shown apart from the task.

use serde::{Deserialize, Serialize};

use crate::ids::SlackUserId;

/// The optional RACI roles beyond the owner (who is Responsible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RaciRole {
    Accountable,
    Consulted,
    Informed,
}

impl RaciRole {
    pub const ALL: [RaciRole; 3] = [RaciRole::Accountable, RaciRole::Consulted, RaciRole::Informed];

    pub fn as_str(self) -> &'static str {
        match self {
            RaciRole::Accountable => "accountable",
            RaciRole::Consulted => "consulted",
            RaciRole::Informed => "informed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        RaciRole::ALL.into_iter().find(|role| role.as_str() == input)
    }
}

/// A set of roles as its history entry records it: `accountable U0MAYA, informed U0LENA`.
pub fn roles_summary(roles: &[RoleAssignment]) -> String {
    roles
        .iter()
        .map(|r| format!("{} {}", r.role.as_str(), r.user))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A person in a RACI role on a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub role: RaciRole,
    pub user: SlackUserId,
}
