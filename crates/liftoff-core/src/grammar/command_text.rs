//! Parses the text of a `/launch …` slash command into a [`Command`].
//!
//! Pure: the caller passes today's date (in the asking person's time zone) and the function
//! catalog. Every failure is a [`UsageError`] that names what was wrong and which subcommand's
//! usage to show. No input can panic (see the property test at the bottom).

use chrono::NaiveDate;

use crate::command::{Command, Subcommand};
use crate::dates::{parse_due, parse_launch_date};
use crate::launch::LaunchEdit;
use crate::{
    FunctionCatalog, FunctionName, LaunchDraft, LaunchRef, SlackChannelId, SlackUserId, TaskId, TaskStatus, Tier,
};

/// What parsing needs to know about the world.
pub struct ParseContext<'a> {
    pub today: NaiveDate,
    pub functions: &'a FunctionCatalog,
}

/// Why a command could not be understood, for an ephemeral reply with the usage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    /// Whose usage to show; `None` shows the list of subcommands.
    pub subcommand: Option<Subcommand>,
    pub message: String,
}

fn usage_error(subcommand: Subcommand, message: impl Into<String>) -> UsageError {
    UsageError {
        subcommand: Some(subcommand),
        message: message.into(),
    }
}

/// Longest snooze (see [`crate::MAX_SNOOZE_WORKING_DAYS`]).
pub const MAX_SNOOZE_DAYS: u32 = crate::MAX_SNOOZE_WORKING_DAYS;

/// `key:value` options a subcommand may take.
const OPTION_KEYS: [&str; 11] = [
    "tier",
    "date",
    "lead",
    "name",
    "owner",
    "due",
    "target",
    "by",
    "accountable",
    "consulted",
    "informed",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Option { key: String, value: String },
}

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

/// `key:value` options as given, keys lowercased.
type Options = Vec<(String, String)>;

struct Args {
    subcommand: Subcommand,
    tokens: Vec<Token>,
}

impl Args {
    fn error(&self, message: impl Into<String>) -> UsageError {
        usage_error(self.subcommand, message)
    }

    /// Splits into positional words and options, refusing options this subcommand does not take.
    fn split(&self, allowed: &[&str]) -> Result<(Vec<String>, Options), UsageError> {
        let mut words = Vec::new();
        let mut options: Vec<(String, String)> = Vec::new();
        for token in &self.tokens {
            match token {
                Token::Word(word) => words.push(word.clone()),
                Token::Option { key, value } => {
                    if !allowed.contains(&key.as_str()) {
                        return Err(self.error(format!("`{key}:` does not apply to `{}`", self.subcommand)));
                    }
                    if options.iter().any(|(k, _)| k == key) {
                        return Err(self.error(format!("`{key}:` is given twice")));
                    }
                    if value.is_empty() {
                        return Err(self.error(format!("`{key}:` needs a value")));
                    }
                    options.push((key.clone(), value.clone()));
                }
            }
        }
        Ok((words, options))
    }

    fn option<'o>(options: &'o [(String, String)], key: &str) -> Option<&'o str> {
        options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn parse(self, ctx: &ParseContext<'_>) -> Result<Command, UsageError> {
        use Subcommand as S;
        match self.subcommand {
            S::Help => {
                let (words, _) = self.split(&[])?;
                match words.as_slice() {
                    [] => Ok(Command::Help { topic: None }),
                    [topic] => Subcommand::parse(topic)
                        .map(|topic| Command::Help { topic: Some(topic) })
                        .ok_or_else(|| UsageError {
                            subcommand: None,
                            message: format!("there is no subcommand `{topic}`"),
                        }),
                    _ => Err(self.error("ask for help on one subcommand at a time")),
                }
            }
            S::New => {
                if self.tokens.is_empty() {
                    return Ok(Command::NewLaunchForm);
                }
                let (words, options) = self.split(&["tier", "date", "lead"])?;
                if words.is_empty() {
                    return Err(self.error("the launch needs a name"));
                }
                let tier = Self::option(&options, "tier").ok_or_else(|| self.error("`tier:` is missing"))?;
                let date = Self::option(&options, "date").ok_or_else(|| self.error("`date:` is missing"))?;
                Ok(Command::NewLaunch(LaunchDraft {
                    name: words.join(" "),
                    tier: Tier::parse(tier).map_err(|e| self.error(e.to_string()))?,
                    launch_date: parse_launch_date(date, ctx.today).map_err(|e| self.error(e.to_string()))?,
                    lead: Self::option(&options, "lead").map(|v| self.user(v)).transpose()?,
                }))
            }
            S::List => {
                let (words, _) = self.split(&[])?;
                match words.as_slice() {
                    [] => Ok(Command::List {
                        include_archived: false,
                    }),
                    [all] if all.eq_ignore_ascii_case("all") => Ok(Command::List { include_archived: true }),
                    _ => Err(self.error("`list` takes only `all`")),
                }
            }
            S::Raci => {
                // Consulted and informed may name several people, so keys may repeat here.
                let mut task = None;
                let mut roles: Vec<crate::RoleAssignment> = Vec::new();
                for token in &self.tokens {
                    match token {
                        Token::Word(word) if task.is_none() => task = Some(self.task(word)?),
                        Token::Word(word) => {
                            return Err(self.error(format!(
                                "`{word}` is not a role: use accountable:, consulted: or informed:"
                            )));
                        }
                        Token::Option { key, value } => {
                            let role = crate::RaciRole::parse(key)
                                .ok_or_else(|| self.error(format!("`{key}:` does not apply to `raci`")))?;
                            if role == crate::RaciRole::Accountable && roles.iter().any(|r| r.role == role) {
                                return Err(self.error("one person is accountable"));
                            }
                            roles.push(crate::RoleAssignment {
                                role,
                                user: self.user(value)?,
                            });
                        }
                    }
                }
                let task = task.ok_or_else(|| self.error("which task? e.g. `T12 accountable:@lee`"))?;
                Ok(Command::Raci { task, roles })
            }
            S::Retro | S::GoNoGo => {
                let (words, _) = self.split(&[])?;
                let [launch] = words.as_slice() else {
                    return Err(self.error("name one launch by its slug or id"));
                };
                let launch = self.launch(launch)?;
                Ok(if self.subcommand == S::Retro {
                    Command::Retro(launch)
                } else {
                    Command::GoNoGo(launch)
                })
            }
            S::Show | S::Archive => {
                let (words, _) = self.split(&[])?;
                let [launch] = words.as_slice() else {
                    return Err(self.error("name one launch by its slug or id"));
                };
                let launch = self.launch(launch)?;
                Ok(if self.subcommand == S::Show {
                    Command::Show(launch)
                } else {
                    Command::Archive(launch)
                })
            }
            S::Edit => {
                let (words, options) = self.split(&["name", "date", "tier", "lead"])?;
                let [launch] = words.as_slice() else {
                    return Err(self.error("name one launch, then what to change, e.g. `date:2026-12-04`"));
                };
                if options.is_empty() {
                    return Err(self.error("nothing to change: give at least one of name:, date:, tier: or lead:"));
                }
                let edit = LaunchEdit {
                    name: Self::option(&options, "name").map(str::to_owned),
                    tier: Self::option(&options, "tier")
                        .map(|t| Tier::parse(t).map_err(|e| self.error(e.to_string())))
                        .transpose()?,
                    launch_date: Self::option(&options, "date")
                        .map(|d| parse_launch_date(d, ctx.today).map_err(|e| self.error(e.to_string())))
                        .transpose()?,
                    lead: Self::option(&options, "lead")
                        .map(|v| self.user(v).map(Some))
                        .transpose()?,
                    state: None,
                };
                Ok(Command::Edit {
                    launch: self.launch(launch)?,
                    edit,
                })
            }
            S::Task => {
                let (words, options) = self.split(&["owner", "due"])?;
                let [launch, function, title @ ..] = words.as_slice() else {
                    return Err(self.error("give the launch, the function and the task's title"));
                };
                if title.is_empty() {
                    return Err(self.error("the task needs a title"));
                }
                Ok(Command::AddTask {
                    launch: self.launch(launch)?,
                    function: self.function(function, ctx)?,
                    title: title.join(" "),
                    owner: Self::option(&options, "owner").map(|v| self.user(v)).transpose()?,
                    due: Self::option(&options, "due")
                        .map(|d| parse_due(d, ctx.today).map_err(|e| self.error(e.to_string())))
                        .transpose()?,
                })
            }
            S::Assign => {
                let (words, _) = self.split(&[])?;
                let [task, owner] = words.as_slice() else {
                    return Err(self.error("give the task and the person, e.g. `T12 @maria`"));
                };
                Ok(Command::Assign {
                    task: self.task(task)?,
                    owner: self.user(owner)?,
                })
            }
            S::Due => {
                let (words, _) = self.split(&[])?;
                let [task, date] = words.as_slice() else {
                    return Err(self.error("give the task and its new date, e.g. `T12 friday`"));
                };
                Ok(Command::SetDue {
                    task: self.task(task)?,
                    due: parse_due(date, ctx.today).map_err(|e| self.error(e.to_string()))?,
                })
            }
            S::Block if matches!(self.tokens.get(1), Some(Token::Word(w)) if w.eq_ignore_ascii_case("by")) => {
                let (words, _) = self.split(&[])?;
                let [task, _by, blocker, reason @ ..] = words.as_slice() else {
                    return Err(self.error("say which task it waits for and why, e.g. `T12 by T7 waiting on the API`"));
                };
                let (task, by) = (self.task(task)?, self.task(blocker)?);
                let reason = reason.join(" ");
                if reason.trim().is_empty() {
                    return Err(self.error("a blocked task needs a reason, so the right person can unblock it"));
                }
                Ok(Command::BlockedBy { task, by, reason })
            }
            S::Template => {
                let (words, _) = self.split(&[])?;
                let [tier] = words.as_slice() else {
                    return Err(self.error("give the tier: 1, 2 or 3"));
                };
                Ok(Command::Template(
                    Tier::parse(tier).map_err(|e| self.error(e.to_string()))?,
                ))
            }
            S::Metric => {
                let (words, options) = self.split(&["target", "by"])?;
                let [launch, name @ ..] = words.as_slice() else {
                    return Err(self.error("give the launch, the metric's name and its target"));
                };
                let name = name.join(" ");
                if name.trim().is_empty() {
                    return Err(self.error("the metric needs a name, e.g. \"activation rate\""));
                }
                let target = Self::option(&options, "target").ok_or_else(|| self.error("`target:` is missing"))?;
                let (target, unit) = parse_quantity(target).map_err(|m| self.error(m))?;
                let review_offset_days = match Self::option(&options, "by") {
                    None => 30,
                    Some(by) => match crate::DueDate::parse_relative(by) {
                        Ok(crate::DueDate::Relative(days)) if days > 0 => days,
                        _ => return Err(self.error(format!("`{by}` is not a review date after launch like T+30"))),
                    },
                };
                Ok(Command::Metric {
                    launch: self.launch(launch)?,
                    metric: crate::SuccessMetric {
                        name: name.trim().to_owned(),
                        target,
                        unit,
                        review_offset_days,
                        actual: None,
                    },
                })
            }
            S::Actual => {
                let (words, _) = self.split(&[])?;
                let [launch, name @ .., value] = words.as_slice() else {
                    return Err(self.error("give the launch, the metric's name and the measured value"));
                };
                if name.is_empty() {
                    return Err(self.error("give the metric's name before the value"));
                }
                let (value, _) = parse_quantity(value).map_err(|m| self.error(m))?;
                Ok(Command::Actual {
                    launch: self.launch(launch)?,
                    name: name.join(" "),
                    value,
                })
            }
            S::Calendar => {
                let (words, _) = self.split(&[])?;
                match words.as_slice() {
                    [] => Ok(Command::Calendar(None)),
                    [quarter] => parse_quarter(quarter, ctx.today)
                        .map(|q| Command::Calendar(Some(q)))
                        .ok_or_else(|| self.error(format!("`{quarter}` is not a quarter: use 2027-Q1 or Q1"))),
                    _ => Err(self.error("name at most one quarter")),
                }
            }
            S::Workload => {
                let (words, _) = self.split(&[])?;
                if words.is_empty() {
                    Ok(Command::Workload)
                } else {
                    Err(self.error("`workload` takes no arguments"))
                }
            }
            S::Escalations => {
                let (words, _) = self.split(&[])?;
                match words.as_slice() {
                    [] => Ok(Command::Escalations(None)),
                    [launch] => Ok(Command::Escalations(Some(self.launch(launch)?))),
                    _ => Err(self.error("name at most one launch")),
                }
            }
            S::Done | S::OnTrack | S::Risk | S::Block | S::Unblock => self.status(),
            S::Snooze => {
                let (words, _) = self.split(&[])?;
                let (task, days) = match words.as_slice() {
                    [task] => (task, 1),
                    [task, days] => match days.parse::<u32>() {
                        Ok(days @ 1..=MAX_SNOOZE_DAYS) => (task, days),
                        _ => return Err(self.error(format!("snooze for 1 to {MAX_SNOOZE_DAYS} working days"))),
                    },
                    _ => return Err(self.error("give the task and, optionally, how many working days")),
                };
                Ok(Command::Snooze {
                    task: self.task(task)?,
                    working_days: days,
                })
            }
            S::Channel => {
                let (words, _) = self.split(&[])?;
                let [function, channel] = words.as_slice() else {
                    return Err(self.error("give the function and the channel, e.g. `marketing #launch-mktg`"));
                };
                Ok(Command::SetChannel {
                    function: self.function(function, ctx)?,
                    channel: self.channel(channel)?,
                })
            }
            S::Lead => {
                let (words, _) = self.split(&[])?;
                let [function, lead] = words.as_slice() else {
                    return Err(self.error("give the function and the person, e.g. `sales @maria`"));
                };
                Ok(Command::SetLead {
                    function: self.function(function, ctx)?,
                    lead: self.user(lead)?,
                })
            }
            S::Digest => {
                let (words, _) = self.split(&[])?;
                match words.as_slice() {
                    [] => Ok(Command::Digest(None)),
                    [launch] => Ok(Command::Digest(Some(self.launch(launch)?))),
                    _ => Err(self.error("name at most one launch")),
                }
            }
            S::Mine => {
                let (words, _) = self.split(&[])?;
                if words.is_empty() {
                    Ok(Command::Mine)
                } else {
                    Err(self.error("`mine` takes no arguments"))
                }
            }
        }
    }

    fn status(&self) -> Result<Command, UsageError> {
        use Subcommand as S;
        let (words, _) = self.split(&[])?;
        let Some((task, rest)) = words.split_first() else {
            return Err(self.error("which task? e.g. `T12`"));
        };
        let task = self.task(task)?;
        let text = rest.join(" ");
        let note = Some(text.clone()).filter(|t| !t.trim().is_empty());
        let status = match self.subcommand {
            S::Done => TaskStatus::Done,
            S::OnTrack => TaskStatus::OnTrack,
            S::Risk => TaskStatus::AtRisk,
            S::Block => TaskStatus::blocked(&text).map_err(|e| self.error(e.to_string()))?,
            S::Unblock if note.is_some() => return Err(self.error("`unblock` takes only the task")),
            S::Unblock => TaskStatus::OnTrack,
            other => unreachable!("{other} is not a status subcommand"),
        };
        let note = match self.subcommand {
            // The reason is part of the status itself; repeating it as a note adds nothing.
            S::Block => None,
            S::Unblock => Some("unblocked".to_owned()),
            _ => note,
        };
        Ok(Command::SetStatus { task, status, note })
    }

    fn launch(&self, word: &str) -> Result<LaunchRef, UsageError> {
        LaunchRef::parse(word)
            .map_err(|_| self.error(format!("`{word}` is not a launch slug or id (see `/launch list`)")))
    }

    fn task(&self, word: &str) -> Result<TaskId, UsageError> {
        TaskId::parse(word).map_err(|e| self.error(e.to_string()))
    }

    fn function(&self, word: &str, ctx: &ParseContext<'_>) -> Result<FunctionName, UsageError> {
        ctx.functions
            .resolve(word)
            .map(|def| def.name.clone())
            .map_err(|e| self.error(e.to_string()))
    }

    fn user(&self, word: &str) -> Result<SlackUserId, UsageError> {
        parse_user_mention(word).map_err(|message| self.error(message))
    }

    fn channel(&self, word: &str) -> Result<SlackChannelId, UsageError> {
        parse_channel_mention(word).map_err(|message| self.error(message))
    }
}

/// `2027-Q1`, `2027Q1`, `Q1-2027` or `Q1` (this year).
fn parse_quarter(text: &str, today: NaiveDate) -> Option<(i32, u32)> {
    use chrono::Datelike;
    let upper = text.to_ascii_uppercase();
    let (year, quarter) = upper.split_once('Q')?;
    let year = year.trim_end_matches('-');
    let (quarter, trailing_year) = match quarter.split_once('-') {
        Some((q, y)) => (q, Some(y)),
        None => (quarter, None),
    };
    let year: i32 = match (year, trailing_year) {
        ("", None) => today.year(),
        ("", Some(y)) => y.parse().ok()?,
        (y, None) => y.parse().ok()?,
        _ => return None,
    };
    let quarter: u32 = quarter.parse().ok()?;
    ((1..=4).contains(&quarter) && (2000..=2100).contains(&year)).then_some((year, quarter))
}

/// A number with an optional unit after it: `25%`, `500`, `1.5k` is refused (say 1500).
pub fn parse_quantity(text: &str) -> Result<(f64, String), String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && unit.len() <= 12 => Ok((value, unit.trim().to_owned())),
        _ => Err(format!("`{text}` is not a number like 25, 25% or 1500")),
    }
}

/// `<@U123|name>` or `<@U123>`, as Slack sends mentions with `should_escape`.
pub fn parse_user_mention(word: &str) -> Result<SlackUserId, String> {
    if let Some(inner) = word.strip_prefix("<@").and_then(|w| w.strip_suffix('>')) {
        let id = inner.split('|').next().unwrap_or_default();
        return SlackUserId::parse(id).map_err(|e| e.to_string());
    }
    if word.starts_with('@') {
        return Err(format!(
            "`{word}` is plain text, not a mention: type @ and pick the person from Slack's list so the name turns blue"
        ));
    }
    Err(format!("`{word}` is not a person: mention them with @"))
}

/// `<#C123|name>` or `<#C123>`.
pub fn parse_channel_mention(word: &str) -> Result<SlackChannelId, String> {
    if let Some(inner) = word.strip_prefix("<#").and_then(|w| w.strip_suffix('>')) {
        let id = inner.split('|').next().unwrap_or_default();
        return SlackChannelId::parse(id).map_err(|e| e.to_string());
    }
    if word.starts_with('#') {
        return Err(format!(
            "`{word}` is plain text, not a channel link: type # and pick the channel from Slack's list"
        ));
    }
    Err(format!("`{word}` is not a channel: link it with #"))
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '“')
}

/// Splits on whitespace, keeping `"quoted text"`, `key:"quoted value"` and `<@U1|a b>` whole.
fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        if is_open_quote(first) {
            chars.next();
            tokens.push(Token::Word(read_quoted(&mut chars)?));
            continue;
        }
        let mut word = String::new();
        let rest_of_text: String = chars.clone().take(5).collect();
        let slack_escape = rest_of_text.starts_with("<@")
            || rest_of_text.starts_with("<#")
            || rest_of_text.starts_with("<!")
            || rest_of_text.starts_with("<http");
        if slack_escape {
            // Slack's escaped mentions and links may contain spaces in their label.
            for c in chars.by_ref() {
                word.push(c);
                if c == '>' {
                    break;
                }
            }
            tokens.push(Token::Word(word));
            continue;
        }
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            word.push(c);
            if c == ':' && OPTION_KEYS.contains(&word[..word.len() - 1].to_ascii_lowercase().as_str()) {
                break;
            }
        }
        match word.strip_suffix(':') {
            Some(key) if OPTION_KEYS.contains(&key.to_ascii_lowercase().as_str()) => {
                let value = match chars.peek() {
                    Some(&q) if is_open_quote(q) => {
                        chars.next();
                        read_quoted(&mut chars)?
                    }
                    _ => {
                        let mut value = String::new();
                        if chars.peek() == Some(&'<') {
                            for c in chars.by_ref() {
                                value.push(c);
                                if c == '>' {
                                    break;
                                }
                            }
                        } else {
                            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                                value.push(c);
                            }
                        }
                        value
                    }
                };
                tokens.push(Token::Option {
                    key: key.to_ascii_lowercase(),
                    value,
                });
            }
            _ => tokens.push(Token::Word(word)),
        }
    }
    Ok(tokens)
}

fn read_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    let mut value = String::new();
    for c in chars.by_ref() {
        if is_close_quote(c) {
            return Ok(value);
        }
        value.push(c);
    }
    Err("a quote is not closed".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DueDate;

    fn parse_at(text: &str) -> Result<Command, UsageError> {
        let functions = FunctionCatalog::builtin();
        let ctx = ParseContext {
            today: "2026-11-23".parse().unwrap(),
            functions: &functions,
        };
        parse(text, &ctx)
    }

    fn ok(text: &str) -> Command {
        parse_at(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> UsageError {
        parse_at(text).expect_err(text)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn slug(s: &str) -> LaunchRef {
        LaunchRef::parse(s).unwrap()
    }

    fn user(s: &str) -> SlackUserId {
        SlackUserId::parse(s).unwrap()
    }

    #[test]
    fn help_and_empty_text() {
        assert_eq!(ok(""), Command::Help { topic: None });
        assert_eq!(ok("help"), Command::Help { topic: None });
        assert_eq!(
            ok("help block"),
            Command::Help {
                topic: Some(Subcommand::Block)
            }
        );
        assert_eq!(err("help nonsense").subcommand, None);
        assert_eq!(err("frobnicate").message, "unknown subcommand `frobnicate`");
    }

    #[test]
    fn new_launch_with_every_option() {
        assert_eq!(
            ok("new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD|maria>"),
            Command::NewLaunch(LaunchDraft {
                name: "Checkout v2".into(),
                tier: Tier::One,
                launch_date: date("2026-12-10"),
                lead: Some(user("U0LEAD")),
            })
        );
        assert_eq!(
            ok("new \"Search: AI answers\" TIER:3 date:+2w"),
            Command::NewLaunch(LaunchDraft {
                name: "Search: AI answers".into(),
                tier: Tier::Three,
                launch_date: date("2026-12-07"),
                lead: None,
            })
        );
        assert_eq!(ok("new"), Command::NewLaunchForm);
    }

    #[test]
    fn new_launch_errors_name_the_problem() {
        let check = |text: &str, expected: &str| {
            let e = err(text);
            assert_eq!(e.subcommand, Some(Subcommand::New), "{text}");
            assert!(e.message.contains(expected), "{text}: {}", e.message);
        };
        check("new Checkout date:2026-12-10", "`tier:` is missing");
        check("new Checkout tier:1", "`date:` is missing");
        check("new Checkout tier:4 date:2026-12-10", "`4` is not a tier");
        check("new Checkout tier:1 date:someday", "`someday` is not a date");
        check("new Checkout tier:1 date:T-3", "cannot be relative");
        check(
            "new Checkout tier:1 date:2026-12-10 lead:@maria",
            "plain text, not a mention",
        );
        check("new tier:1 date:2026-12-10", "needs a name");
        check("new Checkout tier:1 tier:2 date:2026-12-10", "given twice");
        check(
            "new Checkout tier:1 date:2026-12-10 owner:<@U1AB>",
            "`owner:` does not apply to `new`",
        );
        check("new \"Checkout tier:1 date:2026-12-10", "quote is not closed");
        check("new Checkout tier: date:2026-12-10", "`tier:` needs a value");
    }

    #[test]
    fn list_show_archive() {
        assert_eq!(
            ok("list"),
            Command::List {
                include_archived: false
            }
        );
        assert_eq!(ok("list all"), Command::List { include_archived: true });
        assert_eq!(ok("show checkout-v2"), Command::Show(slug("checkout-v2")));
        assert_eq!(ok("show 7"), Command::Show(LaunchRef::Id(crate::LaunchId(7))));
        assert_eq!(ok("archive checkout-v2"), Command::Archive(slug("checkout-v2")));
        assert!(err("show").message.contains("name one launch"));
        assert!(err("show a b").message.contains("name one launch"));
        assert!(err("show Checkout!").message.contains("not a launch slug"));
        assert!(err("list everything").message.contains("only `all`"));
    }

    #[test]
    fn edit_takes_any_subset_of_fields() {
        assert_eq!(
            ok("edit checkout-v2 name:\"Checkout Three\" date:friday tier:2 lead:<@U0NEW>"),
            Command::Edit {
                launch: slug("checkout-v2"),
                edit: LaunchEdit {
                    name: Some("Checkout Three".into()),
                    tier: Some(Tier::Two),
                    launch_date: Some(date("2026-11-27")),
                    lead: Some(Some(user("U0NEW"))),
                    state: None,
                },
            }
        );
        assert!(err("edit checkout-v2").message.contains("nothing to change"));
        assert!(err("edit checkout-v2 owner:<@U1AB>").message.contains("does not apply"));
    }

    #[test]
    fn tasks_with_options_and_aliases() {
        assert_eq!(
            ok("task checkout-v2 mktg Launch blog post owner:<@U0ANN|ann> due:T-7"),
            Command::AddTask {
                launch: slug("checkout-v2"),
                function: FunctionName::parse("marketing").unwrap(),
                title: "Launch blog post".into(),
                owner: Some(user("U0ANN")),
                due: Some(DueDate::Relative(-7)),
            }
        );
        assert_eq!(
            ok("task checkout-v2 ops Support FAQ due:2026-12-01"),
            Command::AddTask {
                launch: slug("checkout-v2"),
                function: FunctionName::parse("ops").unwrap(),
                title: "Support FAQ".into(),
                owner: None,
                due: Some(DueDate::On(date("2026-12-01"))),
            }
        );
        assert!(
            err("task checkout-v2 legal Contract")
                .message
                .contains("unknown function `legal`")
        );
        assert!(err("task checkout-v2 sales").message.contains("needs a title"));
        assert!(
            err("task checkout-v2")
                .message
                .contains("launch, the function and the task's title")
        );
        assert!(
            err("task checkout-v2 sales Deck due:yesterday")
                .message
                .contains("not a date")
        );
    }

    #[test]
    fn task_updates() {
        assert_eq!(
            ok("assign t12 <@U0ANN>"),
            Command::Assign {
                task: TaskId(12),
                owner: user("U0ANN")
            }
        );
        assert_eq!(
            ok("due T12 +2d"),
            Command::SetDue {
                task: TaskId(12),
                due: DueDate::On(date("2026-11-25"))
            }
        );
        assert_eq!(
            ok("done T12 shipped it"),
            Command::SetStatus {
                task: TaskId(12),
                status: TaskStatus::Done,
                note: Some("shipped it".into())
            }
        );
        assert_eq!(
            ok("ontrack 12"),
            Command::SetStatus {
                task: TaskId(12),
                status: TaskStatus::OnTrack,
                note: None
            }
        );
        assert_eq!(
            ok("risk T12 vendor is late"),
            Command::SetStatus {
                task: TaskId(12),
                status: TaskStatus::AtRisk,
                note: Some("vendor is late".into())
            }
        );
        assert_eq!(
            ok("block T12 waiting on legal"),
            Command::SetStatus {
                task: TaskId(12),
                status: TaskStatus::blocked("waiting on legal").unwrap(),
                note: None
            }
        );
        assert_eq!(
            ok("unblock T12"),
            Command::SetStatus {
                task: TaskId(12),
                status: TaskStatus::OnTrack,
                note: Some("unblocked".into())
            }
        );
        assert!(err("block T12").message.contains("needs a reason"));
        assert_eq!(
            ok("block T12 by T7 waiting on the API"),
            Command::BlockedBy {
                task: TaskId(12),
                by: TaskId(7),
                reason: "waiting on the API".into()
            }
        );
        assert!(err("block T12 by T7").message.contains("needs a reason"));
        assert!(err("block T12 by nothing").message.contains("not a task id"));
        assert_eq!(ok("escalations"), Command::Escalations(None));
        assert_eq!(ok("template 1"), Command::Template(Tier::One));
        assert_eq!(
            ok("metric checkout-v2 \"activation rate\" target:25% by:T+14"),
            Command::Metric {
                launch: slug("checkout-v2"),
                metric: crate::SuccessMetric {
                    name: "activation rate".into(),
                    target: 25.0,
                    unit: "%".into(),
                    review_offset_days: 14,
                    actual: None,
                },
            }
        );
        assert!(
            err("metric checkout-v2 signups")
                .message
                .contains("`target:` is missing")
        );
        assert!(
            err("metric checkout-v2 signups target:lots")
                .message
                .contains("not a number")
        );
        assert!(
            err("metric checkout-v2 signups target:5 by:T-3")
                .message
                .contains("after launch")
        );
        assert_eq!(
            ok("actual checkout-v2 activation rate 22.5%"),
            Command::Actual {
                launch: slug("checkout-v2"),
                name: "activation rate".into(),
                value: 22.5
            }
        );
        assert!(err("actual checkout-v2 22").message.contains("name before the value"));
        assert_eq!(ok("workload"), Command::Workload);
        assert_eq!(
            ok("raci T3 accountable:<@U0LEE> informed:<@U0A> informed:<@U0B>"),
            Command::Raci {
                task: TaskId(3),
                roles: vec![
                    crate::RoleAssignment {
                        role: crate::RaciRole::Accountable,
                        user: user("U0LEE")
                    },
                    crate::RoleAssignment {
                        role: crate::RaciRole::Informed,
                        user: user("U0A")
                    },
                    crate::RoleAssignment {
                        role: crate::RaciRole::Informed,
                        user: user("U0B")
                    },
                ],
            }
        );
        assert!(
            err("raci T3 accountable:<@U0A> accountable:<@U0B>")
                .message
                .contains("one person is accountable")
        );
        assert!(err("raci T3 owner:<@U0A>").message.contains("does not apply"));
        assert_eq!(ok("calendar"), Command::Calendar(None));
        assert_eq!(ok("calendar 2027-Q1"), Command::Calendar(Some((2027, 1))));
        assert_eq!(ok("calendar q4"), Command::Calendar(Some((2026, 4))));
        assert_eq!(ok("calendar Q2-2027"), Command::Calendar(Some((2027, 2))));
        assert!(err("calendar Q5").message.contains("not a quarter"));
        assert!(err("done").message.contains("which task"));
        assert!(err("done X12").message.contains("not a task id"));
        assert!(err("assign T12 @ann").message.contains("plain text, not a mention"));
        assert!(err("assign T12").message.contains("task and the person"));
        assert!(err("due T12").message.contains("new date"));
    }

    #[test]
    fn channels_leads_digest_mine() {
        assert_eq!(
            ok("channel marketing <#C0MKTG|launch-mktg>"),
            Command::SetChannel {
                function: FunctionName::parse("marketing").unwrap(),
                channel: SlackChannelId::parse("C0MKTG").unwrap(),
            }
        );
        assert_eq!(
            ok("lead pm <@U0PM>"),
            Command::SetLead {
                function: FunctionName::parse("product").unwrap(),
                lead: user("U0PM")
            }
        );
        assert!(
            err("channel marketing #launch-mktg")
                .message
                .contains("not a channel link")
        );
        assert_eq!(ok("digest"), Command::Digest(None));
        assert_eq!(ok("digest checkout-v2"), Command::Digest(Some(slug("checkout-v2"))));
        assert_eq!(ok("mine"), Command::Mine);
        assert_eq!(
            ok("snooze T4"),
            Command::Snooze {
                task: TaskId(4),
                working_days: 1
            }
        );
        assert_eq!(
            ok("snooze T4 3"),
            Command::Snooze {
                task: TaskId(4),
                working_days: 3
            }
        );
        assert!(err("snooze T4 30").message.contains("1 to 10 working days"));
        assert!(err("mine please").message.contains("no arguments"));
    }

    #[test]
    fn mentions_with_spaces_in_labels_stay_whole() {
        assert_eq!(
            ok("assign T3 <@U0ANN|ann smith>"),
            Command::Assign {
                task: TaskId(3),
                owner: user("U0ANN")
            }
        );
    }
}
