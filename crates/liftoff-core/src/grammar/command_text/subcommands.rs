//! Per-subcommand parsing: what each `/launch` subcommand takes (words, options, their
//! order) and the [`Command`] it becomes. Separate because it is the command language itself,
//! one match arm per subcommand, on top of the shared argument checks in `args`.

use super::args::Args;
use super::error::UsageError;
use super::tokenize::Token;
use super::values::{parse_quantity, parse_quarter};
use super::{MAX_SNOOZE_DAYS, ParseContext};
use crate::command::{Command, Subcommand};
use crate::dates::{parse_due, parse_launch_date, parse_launch_move};
use crate::launch::LaunchEdit;
use crate::{LaunchDraft, TaskStatus, Tier};

impl Args<'_> {
    pub(super) fn parse(self, ctx: &ParseContext<'_>) -> Result<Command, UsageError> {
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
                let mut clear = false;
                for token in &self.tokens {
                    match token {
                        Token::Word(word) if task.is_none() => task = Some(self.task(word)?),
                        // Clearing takes saying so: `/launch raci T22` alone shows the roles.
                        Token::Word(word) if word.eq_ignore_ascii_case("clear") && roles.is_empty() => clear = true,
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
                if clear && !roles.is_empty() {
                    return Err(self.error("`clear` takes no roles: clear, then set the ones you want"));
                }
                let roles = if roles.is_empty() && !clear { None } else { Some(roles) };
                Ok(Command::Raci { task, roles })
            }
            S::Retro | S::GoNoGo => {
                let (words, _) = self.split(&[])?;
                let launch = self.launch_named(&words)?;
                Ok(if self.subcommand == S::Retro {
                    Command::Retro(launch)
                } else {
                    Command::GoNoGo(launch)
                })
            }
            S::Show | S::Archive => {
                let (words, _) = self.split(&[])?;
                // `/launch show T12`: one task, not a launch.
                if let [word] = words.as_slice()
                    && self.subcommand == S::Show
                    && word.starts_with(['T', 't'])
                    && let Ok(task) = crate::TaskId::parse(word)
                {
                    return Ok(Command::ShowTask(task));
                }
                let launch = self.launch_named(&words)?;
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
                    // `date:+1w` moves the launch from its current date, not from today.
                    launch_date: Self::option(&options, "date")
                        .map(|d| parse_launch_move(d, ctx.today).map_err(|e| self.error(e.to_string())))
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
                match words.as_slice() {
                    [task, owner] => Ok(Command::Assign {
                        task: self.task(task)?,
                        owner: self.assignee(owner)?,
                    }),
                    // `/launch assign payments-hub marketing @raj`: all of its unowned tasks.
                    [launch @ .., function, owner] if !launch.is_empty() => Ok(Command::AssignFunction {
                        launch: self.launch_named(launch)?,
                        function: self.function(function, ctx)?,
                        owner: self.assignee(owner)?,
                    }),
                    _ => Err(self.error(
                        "give the task and the person, e.g. `T12 @maria` or `T12 me`; or a launch, a function and the person, e.g. `payments-hub marketing @maria`",
                    )),
                }
            }
            S::Unassign => {
                let (words, _) = self.split(&[])?;
                let [task] = words.as_slice() else {
                    return Err(self.error("give the one task to take off its owner, e.g. `T12`"));
                };
                Ok(Command::Assign {
                    task: self.task(task)?,
                    owner: crate::command::Assignee::Nobody,
                })
            }
            S::Due => {
                let (words, _) = self.split(&[])?;
                let [task, date @ ..] = words.as_slice() else {
                    return Err(self.error("give the task and its new date, e.g. `T12 friday`"));
                };
                if date.is_empty() || crate::dates::date_phrase_len(date) != date.len() {
                    return Err(self.error("give the task and its new date, e.g. `T12 friday`"));
                }
                Ok(Command::SetDue {
                    task: self.task(task)?,
                    due: parse_due(&date.join(" "), ctx.today).map_err(|e| self.error(e.to_string()))?,
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
                // `target:<50` for a metric that is better low (support tickets); a plain
                // number is the usual "at least".
                let (direction, number) = crate::launch::TargetDirection::split(target);
                let (target, unit) = parse_quantity(number).map_err(|_| {
                    self.error(format!(
                        "`{target}` is not a target like 25%, 2.5k, $2M, or <50 when lower is better"
                    ))
                })?;
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
                        direction,
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
}
