//! A subcommand's arguments: its tokens split into positional words and the options it
//! accepts, and the checks every subcommand shares (a launch, a task id, a function, a person,
//! a channel), each failing with that subcommand's usage. Separate from `subcommands` so each
//! subcommand's parsing reads as what it takes, not how.

use super::ParseContext;
use super::error::{UsageError, usage_error};
use super::tokenize::Token;
use super::values::{parse_channel_mention, parse_user_mention};
use crate::command::Subcommand;
use crate::{FunctionName, LaunchRef, SlackChannelId, SlackUserId, TaskId};

/// `key:value` options as given, keys lowercased.
pub(super) type Options = Vec<(String, String)>;

pub(super) struct Args {
    pub(super) subcommand: Subcommand,
    pub(super) tokens: Vec<Token>,
}

impl Args {
    pub(super) fn error(&self, message: impl Into<String>) -> UsageError {
        usage_error(self.subcommand, message)
    }

    /// Splits into positional words and options, refusing options this subcommand does not take.
    pub(super) fn split(&self, allowed: &[&str]) -> Result<(Vec<String>, Options), UsageError> {
        let mut words = Vec::new();
        let mut options: Vec<(String, String)> = Vec::new();
        let mut tokens = self.tokens.iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                Token::Word(word) => words.push(word.clone()),
                Token::Option { key, value } => {
                    // A date may take several words (`due:next friday`, `date:Dec 11`).
                    let mut value = value.clone();
                    if matches!(key.as_str(), "due" | "date") {
                        let mut following: Vec<String> = Vec::new();
                        let mut ahead = tokens.clone();
                        while following.len() < 2
                            && let Some(Token::Word(word)) = ahead.next()
                        {
                            following.push(word.clone());
                        }
                        let phrase: Vec<&str> = std::iter::once(value.as_str())
                            .chain(following.iter().map(String::as_str))
                            .collect();
                        let extra = crate::dates::date_phrase_len(&phrase).saturating_sub(1);
                        for word in following.iter().take(extra) {
                            tokens.next();
                            value.push(' ');
                            value.push_str(word);
                        }
                    }
                    let value = &value;
                    if !allowed.contains(&key.as_str()) {
                        return Err(self.error(format!("`{key}:` does not apply to `{}`", self.subcommand)));
                    }
                    if options.iter().any(|(k, _)| k == key) {
                        return Err(self.error(format!("`{key}:` is given twice")));
                    }
                    if value.is_empty() {
                        return Err(self.error(format!("`{key}:` needs a value")));
                    }
                    options.push((key.clone(), value.to_owned()));
                }
            }
        }
        Ok((words, options))
    }

    pub(super) fn option<'o>(options: &'o [(String, String)], key: &str) -> Option<&'o str> {
        options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

impl Args {
    /// Who a task goes to: a mention, or `me`.
    pub(super) fn assignee(&self, word: &str) -> Result<crate::command::Assignee, UsageError> {
        if word.eq_ignore_ascii_case("me") || word.eq_ignore_ascii_case("myself") {
            return Ok(crate::command::Assignee::Me);
        }
        self.user(word).map(crate::command::Assignee::Person)
    }

    pub(super) fn launch(&self, word: &str) -> Result<LaunchRef, UsageError> {
        LaunchRef::parse(word)
            .map_err(|_| self.error(format!("`{word}` is not a launch slug or id (see `/launch list`)")))
    }

    /// The launch the words name: one word is a slug or an id; several are the launch's name
    /// as it was created (`/launch show Payments Hub`), which gives its slug.
    pub(super) fn launch_named(&self, words: &[String]) -> Result<LaunchRef, UsageError> {
        match words {
            [] => Err(self.error("name one launch by its name, slug or id")),
            [launch] => self.launch(launch),
            name => crate::Slug::from_name(&name.join(" "))
                .map(LaunchRef::Slug)
                .map_err(|_| self.error("name one launch by its name, slug or id")),
        }
    }

    pub(super) fn task(&self, word: &str) -> Result<TaskId, UsageError> {
        TaskId::parse(word).map_err(|e| self.error(e.to_string()))
    }

    pub(super) fn function(&self, word: &str, ctx: &ParseContext<'_>) -> Result<FunctionName, UsageError> {
        ctx.functions
            .resolve(word)
            .map(|def| def.name.clone())
            .map_err(|e| self.error(e.to_string()))
    }

    pub(super) fn user(&self, word: &str) -> Result<SlackUserId, UsageError> {
        parse_user_mention(word).map_err(|message| self.error(message))
    }

    pub(super) fn channel(&self, word: &str) -> Result<SlackChannelId, UsageError> {
        parse_channel_mention(word).map_err(|message| self.error(message))
    }
}
