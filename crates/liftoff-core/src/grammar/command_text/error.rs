//! Usage errors: why a command could not be understood and whose usage to show with it.
//! Separate so every parsing step words its failures the same way.

use crate::command::Subcommand;

/// Why a command could not be understood, for an ephemeral reply with the usage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    /// Whose usage to show; `None` shows the list of subcommands.
    pub subcommand: Option<Subcommand>,
    pub message: String,
}

pub(super) fn usage_error(subcommand: Subcommand, message: impl Into<String>) -> UsageError {
    UsageError {
        subcommand: Some(subcommand),
        message: message.into(),
    }
}
