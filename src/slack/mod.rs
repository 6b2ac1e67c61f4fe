//! Everything that knows Slack: request signatures, payload parsing, command text, Block Kit
//! rendering, and the Web API client. The rest of Liftoff sees only domain types and
//! [`crate::service`] commands and replies.

pub mod blocks;
pub mod client;
pub mod context;
pub mod dispatch;
pub mod home;
pub mod home_publisher;
pub mod http;
pub mod installation;
pub mod interactions;
pub mod markup;
pub mod membership;
pub mod payloads;
pub mod render;
pub mod signature;
pub mod socket_mode;
pub mod text;
pub mod text_count;
pub mod threads;
pub mod wording;

#[cfg(test)]
mod no_panic_tests;
