//! A subcommand's arguments: its tokens split into positional words and the options it
//! accepts, and the checks every subcommand shares (a launch, a task id, a function, a person,
//! a channel), each failing with that subcommand's usage. Separate from `subcommands` so each
//! subcommand's parsing reads as what it takes, not how.

use std::borrow::Cow;

use super::ParseContext;
use super::error::{UsageError, usage_error};
use super::tokenize::Token;
use super::values::{parse_channel_mention, parse_user_mention};
use crate::command::Subcommand;
use crate::{FunctionName, LaunchRef, SlackChannelId, SlackUserId, TaskId};

/// `key:value` options as given, keys as [`Token::Option`] names them; a value is borrowed
/// from the command text unless words were joined to it (`due:next friday`).
pub(super) type Options<'a> = Vec<(&'static str, Cow<'a, str>)>;

pub(super) struct Args<'a> {
    pub(super) subcommand: Subcommand,
    pub(super) tokens: Vec<Token<'a>>,
}

impl<'a> Args<'a> {
    pub(super) fn error(&self, message: impl Into<String>) -> UsageError {
        usage_error(self.subcommand, message)
    }

    /// Splits into positional words and options, refusing options this subcommand does not take.
    pub(super) fn split(&self, allowed: &[&str]) -> Result<(Vec<&'a str>, Options<'a>), UsageError> {
        let mut words = Vec::new();
        let mut options: Options<'a> = Vec::new();
        let mut tokens = self.tokens.iter();
        while let Some(&token) = tokens.next() {
            match token {
                Token::Word(word) => words.push(word),
                Token::Option { key, value } => {
                    // A date may take several words (`due:next friday`, `date:Dec 11`).
                    let mut value = Cow::Borrowed(value);
                    if matches!(key, "due" | "date") {
                        let mut phrase = vec![value.as_ref()];
                        let mut ahead = tokens.clone();
                        while phrase.len() < 3
                            && let Some(&Token::Word(word)) = ahead.next()
                        {
                            phrase.push(word);
                        }
                        let extra = crate::dates::date_phrase_len(&phrase).saturating_sub(1);
                        if extra > 0 {
                            let joined = phrase[..=extra].join(" ");
                            tokens.nth(extra - 1);
                            value = Cow::Owned(joined);
                        }
                    }
                    if !allowed.contains(&key) {
                        return Err(self.error(format!("`{key}:` does not apply to `{}`", self.subcommand)));
                    }
                    if options.iter().any(|(k, _)| *k == key) {
                        return Err(self.error(format!("`{key}:` is given twice")));
                    }
                    if value.is_empty() {
                        return Err(self.error(format!("`{key}:` needs a value")));
                    }
                    options.push((key, value));
                }
            }
        }
        Ok((words, options))
    }

    pub(super) fn option<'o>(options: &'o [(&'static str, Cow<'_, str>)], key: &str) -> Option<&'o str> {
        options.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_ref())
    }
}

impl Args<'_> {
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
    pub(super) fn launch_named(&self, words: &[&str]) -> Result<LaunchRef, UsageError> {
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
