//! Identifiers that cross the boundaries between Slack, the store and the domain.
//!
//! Each is a newtype built only through `parse`, so a value that exists is valid: a `TaskId`
//! is a positive number, a `SlackUserId` looks like a Slack user id. Handlers parse once at the
//! edge and the rest of the code never re-checks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why an identifier could not be parsed. The message is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{0}` is not a task id: use T42, t42 or 42")]
    Task(String),
    #[error("`{0}` is not a Slack user id (they look like U012AB3CD)")]
    User(String),
    #[error("`{0}` is not a Slack channel id (they look like C012AB3CD)")]
    Channel(String),
    #[error("`{0}` is not a Slack team id (they look like T012AB3CD)")]
    Team(String),
}

/// A launch's database id. Users mostly refer to launches by slug; the id is the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LaunchId(pub i64);

impl fmt::Display for LaunchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A task's global short id, shown to people as `T<n>` so that "T12 done" in a thread is
/// unambiguous across launches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskId(pub i64);

impl TaskId {
    /// Accepts `T42`, `t42` and `42`: people type all three.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let trimmed = input.trim();
        let digits = trimmed
            .strip_prefix('T')
            .or_else(|| trimmed.strip_prefix('t'))
            .unwrap_or(trimmed);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Task(input.to_owned()));
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(TaskId(n)),
            _ => Err(IdError::Task(input.to_owned())),
        }
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

impl FromStr for TaskId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Slack ids are an uppercase letter prefix followed by uppercase letters and digits.
fn looks_like_slack_id(input: &str, prefixes: &[char]) -> bool {
    let mut chars = input.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = chars.as_str();
    prefixes.contains(&first)
        && rest.len() >= 2
        && rest.len() <= 20
        && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

macro_rules! slack_id {
    ($(#[$doc:meta])* $name:ident, $prefixes:expr, $err:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, IdError> {
                let trimmed = input.trim();
                if looks_like_slack_id(trimmed, $prefixes) {
                    Ok(Self(trimmed.to_owned()))
                } else {
                    Err(IdError::$err(input.to_owned()))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// [`Self::parse`], keeping `value`'s allocation when it needs no trimming: the
        /// store reads an owner on every task row.
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                if looks_like_slack_id(&value, $prefixes) {
                    Ok(Self(value))
                } else {
                    Self::parse(&value)
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

slack_id!(
    /// A Slack user id (`U…`, or `W…` on Enterprise Grid). Mentions render as `<@id>`.
    SlackUserId,
    &['U', 'W'],
    User
);
slack_id!(
    /// A Slack conversation id: public (`C…`), private (`G…`) or a DM (`D…`).
    SlackChannelId,
    &['C', 'G', 'D'],
    Channel
);
slack_id!(
    /// A Slack workspace id. Requests from any other team than the bot's are refused.
    SlackTeamId,
    &['T'],
    Team
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_accept_the_three_spellings() {
        for input in ["T42", "t42", "42", " T42 "] {
            assert_eq!(TaskId::parse(input), Ok(TaskId(42)), "{input}");
        }
        assert_eq!(TaskId(7).to_string(), "T7");
    }

    #[test]
    fn task_ids_reject_everything_else() {
        for input in ["", "T", "T-1", "T0", "0", "x42", "T4 2", "99999999999999999999", "T+3"] {
            assert!(TaskId::parse(input).is_err(), "{input} should be rejected");
        }
    }

    #[test]
    fn slack_ids_check_their_prefix_and_alphabet() {
        assert!(SlackUserId::parse("U012AB3CD").is_ok());
        assert!(SlackUserId::parse("W012AB3CD").is_ok());
        assert!(SlackUserId::parse("C012AB3CD").is_err());
        assert!(SlackUserId::parse("u012ab3cd").is_err());
        assert!(SlackUserId::parse("U").is_err());
        assert!(SlackChannelId::parse("C012AB3CD").is_ok());
        assert!(SlackChannelId::parse("G012AB3CD").is_ok());
        assert!(SlackChannelId::parse("#general").is_err());
        assert!(SlackTeamId::parse("T1DC2JH3J").is_ok());
    }

    #[test]
    fn an_owned_slack_id_is_checked_as_a_borrowed_one() {
        for input in [
            "U012AB3CD",
            " U012AB3CD ",
            "W012AB3CD",
            "C012AB3CD",
            "u012ab3cd",
            "U",
            "",
        ] {
            assert_eq!(
                SlackUserId::try_from(input.to_owned()),
                SlackUserId::parse(input),
                "{input:?}"
            );
        }
    }
}
