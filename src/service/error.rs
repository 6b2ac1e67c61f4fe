//! Why a command did not go through: a refusal the person can put right (the facts, as a
//! [`UserError`], which the Slack layer words in `slack::wording`), or a failure of ours.

use crate::store::StoreError;
use crate::views::UserError;
use liftoff_core::command::Subcommand;

/// Why a command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The person can fix it; `usage` is the command whose usage helps them.
    #[error("{refusal:?}")]
    User {
        refusal: UserError,
        usage: Option<Subcommand>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub(super) fn user(subcommand: Subcommand, refusal: UserError) -> ServiceError {
        ServiceError::User {
            refusal,
            usage: Some(subcommand),
        }
    }
}
