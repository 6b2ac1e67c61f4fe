//! Parses the text of a `/launch …` slash command into a [`Command`].
//!
//! Pure: the caller passes today's date (in the asking person's time zone) and the function
//! catalog. Every failure is a [`UsageError`] that names what was wrong and which subcommand's
//! usage to show. No input can panic (see the property tests in the service's
//! `slack/no_panic_tests.rs` and the `command_text` fuzz target).
//!
//! This file holds the entry point ([`parse`]) and what callers pass and get back; the steps
//! have their own files:
//! - `tokenize`: text to words and `key:value` options, quotes and Slack mentions kept whole;
//! - `args`: a subcommand's tokens, with the checks every subcommand shares;
//! - `subcommands`: what each subcommand takes, turned into a [`Command`];
//! - `values`: argument values (mentions, quantities, quarters);
//! - `error`: [`UsageError`], worded for the person who typed the command.

use chrono::NaiveDate;

use crate::FunctionCatalog;
use crate::command::{Command, Subcommand};

mod args;
mod error;
mod subcommands;
mod tokenize;
mod values;

#[cfg(test)]
mod tests;

use args::Args;
use error::usage_error;
use tokenize::tokenize;

pub use error::UsageError;
pub use values::{parse_channel_mention, parse_quantity, parse_user_mention};

/// What parsing needs to know about the world.
pub struct ParseContext<'a> {
    pub today: NaiveDate,
    pub functions: &'a FunctionCatalog,
}

/// Longest snooze (see [`crate::MAX_SNOOZE_WORKING_DAYS`]).
pub const MAX_SNOOZE_DAYS: u32 = crate::MAX_SNOOZE_WORKING_DAYS;

/// Longest command text accepted; Slack itself caps it near 4,000 characters.
const MAX_TEXT_CHARS: usize = 4_000;

pub fn parse(text: &str, ctx: &ParseContext<'_>) -> Result<Command, UsageError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(UsageError {
            subcommand: None,
            message: format!("that command is too long; keep it under {MAX_TEXT_CHARS} characters"),
        });
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(Command::Help { topic: None });
    }
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    // Two-word subcommands as people type them: `/launch on track T8`, `/launch at risk T8`.
    let (word, rest) = match rest.split_once(char::is_whitespace).unwrap_or((rest, "")) {
        (second, after) if word.eq_ignore_ascii_case("on") && second.eq_ignore_ascii_case("track") => {
            ("ontrack", after)
        }
        (second, after) if word.eq_ignore_ascii_case("at") && second.eq_ignore_ascii_case("risk") => ("risk", after),
        _ => (word, rest),
    };
    let Some(subcommand) = Subcommand::parse(word) else {
        return Err(UsageError {
            subcommand: None,
            message: format!("unknown subcommand `{word}`"),
        });
    };
    let tokens = tokenize(rest).map_err(|message| usage_error(subcommand, message))?;
    let args = Args { subcommand, tokens };
    args.parse(ctx)
}
