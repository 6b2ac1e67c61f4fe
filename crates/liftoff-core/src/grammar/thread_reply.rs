//! Parses replies in a check-in thread: `T12 done`, `T12 on track`, `T12 at risk: vendor late`,
//! `T12 blocked waiting on legal`, `T12 due 2026-12-04` / `T12 due +2d`, emoji and common
//! synonyms, one update per line. A line without a task id is kept as such; the caller applies
//! it only when the author owns exactly one open task in the check-in.

use chrono::NaiveDate;

use crate::dates::parse_due;
use crate::{DueDate, TaskId, TaskStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyChange {
    Status(TaskStatus),
    Due(DueDate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyUpdate {
    pub task: Option<TaskId>,
    pub change: ReplyChange,
    pub note: Option<String>,
}

/// One line's outcome: an update, or why the line was not understood.
pub type ParsedLine = Result<ReplyUpdate, String>;

const DONE: &[&str] = &[
    "done",
    "✅",
    "✔️",
    "✔",
    ":white_check_mark:",
    ":heavy_check_mark:",
    "completed",
    "complete",
    "finished",
    "shipped",
];
const ON_TRACK: &[&str] = &[
    "on track",
    "on-track",
    "ontrack",
    "👍",
    ":+1:",
    ":thumbsup:",
    "all good",
    "good",
    "fine",
];
const AT_RISK: &[&str] = &[
    "at risk",
    "at-risk",
    "atrisk",
    "⚠️",
    "⚠",
    ":warning:",
    "risky",
    "risk",
    "slipping",
];
const UNBLOCKED: &[&str] = &["unblocked", "unblock"];
const BLOCKED: &[&str] = &["blocked", "block", "🚫", "⛔", ":no_entry_sign:", ":no_entry:", "stuck"];
const DUE: &[&str] = &["new eta", "due", "eta", "moved to"];

/// Lines longer than this are not treated as updates (someone pasted a paragraph).
const MAX_LINE_CHARS: usize = 600;

pub fn parse(text: &str, today: NaiveDate) -> Vec<ParsedLine> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| parse_line(line, today))
        .collect()
}

fn parse_line(line: &str, today: NaiveDate) -> ParsedLine {
    if line.chars().count() > MAX_LINE_CHARS {
        return Err("that line is too long to be a status update".to_owned());
    }
    let line = line.trim_start_matches(['-', '•', '*', '>', ' ']).trim();
    let (task, rest) = split_task_id(line);
    let rest = clean_note(rest);
    let rest = rest.as_str();
    let lower = rest.to_lowercase();
    let keyword = |words: &[&str]| -> Option<String> {
        words.iter().find_map(|word| {
            let matched =
                lower.starts_with(word) && lower[word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            matched.then(|| clean_note(&rest[word.len()..]))
        })
    };
    let note = |text: String| Some(text).filter(|t| !t.is_empty());
    if let Some(after) = keyword(UNBLOCKED) {
        return Ok(update(
            task,
            ReplyChange::Status(TaskStatus::OnTrack),
            note(after).or(Some("unblocked".into())),
        ));
    }
    if let Some(reason) = keyword(BLOCKED) {
        let reason = reason.trim_start_matches("by ").trim().to_owned();
        return TaskStatus::blocked(&reason)
            .map(|status| update(task, ReplyChange::Status(status), None))
            .map_err(|_| "say what it is blocked on, e.g. `T12 blocked waiting on legal`".to_owned());
    }
    if let Some(after) = keyword(DUE) {
        let date = after.split_whitespace().next().unwrap_or_default();
        return match parse_due(date, today) {
            Ok(due) => {
                let rest = clean_note(after.get(date.len()..).unwrap_or_default());
                Ok(update(task, ReplyChange::Due(due), note(rest)))
            }
            Err(err) => Err(err.to_string()),
        };
    }
    for (words, status) in [
        (DONE, TaskStatus::Done),
        (AT_RISK, TaskStatus::AtRisk),
        (ON_TRACK, TaskStatus::OnTrack),
    ] {
        if let Some(after) = keyword(words) {
            return Ok(update(task, ReplyChange::Status(status), note(after)));
        }
    }
    // Quoted, not in code: the line may itself hold backticks (`` `T12` dne ``).
    Err(format!("“{}” is not a status update", crate::text::clip(line, 80)))
}

fn update(task: Option<TaskId>, change: ReplyChange, note: Option<String>) -> ReplyUpdate {
    ReplyUpdate { task, change, note }
}

/// `T12 …` / `t12: …` → the id and the rest; anything else has no id. The id may be wrapped
/// in the formatting it had where it was copied from: check-ins show ids as code, so people
/// paste `` `T12` ``; `*T12*` and `_T12_` are bold and italic.
fn split_task_id(line: &str) -> (Option<TaskId>, &str) {
    let end = line
        .find(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .unwrap_or(line.len());
    let word = line[..end].trim_matches(['`', '*', '_', '~']);
    if word.len() > 1
        && word.starts_with(['T', 't'])
        && let Ok(id) = TaskId::parse(word)
    {
        return (Some(id), &line[end..]);
    }
    (None, line)
}

/// Drops leading space and one separator (`:`, `-`, `–`, `,`) that stands alone, so
/// `: vendor late` becomes `vendor late` but `:tada:` stays an emoji.
fn clean_note(text: &str) -> String {
    let text = text.trim_start();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(':' | '-' | '–' | ','), None) => String::new(),
        (Some(':' | '-' | '–' | ','), Some(c)) if c.is_whitespace() => chars.as_str().trim().to_owned(),
        _ => text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-11-23".parse().unwrap()
    }

    fn one(text: &str) -> ReplyUpdate {
        let mut parsed = parse(text, today());
        assert_eq!(parsed.len(), 1, "{text}");
        parsed.remove(0).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn status(task: Option<i64>, status: TaskStatus, note: Option<&str>) -> ReplyUpdate {
        ReplyUpdate {
            task: task.map(TaskId),
            change: ReplyChange::Status(status),
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn every_documented_form() {
        assert_eq!(one("T12 done"), status(Some(12), TaskStatus::Done, None));
        assert_eq!(one("t12 on track"), status(Some(12), TaskStatus::OnTrack, None));
        assert_eq!(
            one("T12 at risk: vendor late"),
            status(Some(12), TaskStatus::AtRisk, Some("vendor late"))
        );
        assert_eq!(
            one("T12 blocked waiting on legal"),
            status(Some(12), TaskStatus::blocked("waiting on legal").unwrap(), None)
        );
        assert_eq!(
            one("T12 due 2026-12-04"),
            ReplyUpdate {
                task: Some(TaskId(12)),
                change: ReplyChange::Due(DueDate::On("2026-12-04".parse().unwrap())),
                note: None
            }
        );
        assert_eq!(
            one("T12 due +2d"),
            ReplyUpdate {
                task: Some(TaskId(12)),
                change: ReplyChange::Due(DueDate::On("2026-11-25".parse().unwrap())),
                note: None
            }
        );
        assert_eq!(
            one("T12 unblocked"),
            status(Some(12), TaskStatus::OnTrack, Some("unblocked"))
        );
    }

    #[test]
    fn synonyms_and_emoji() {
        assert_eq!(one("T3 ✅").change, ReplyChange::Status(TaskStatus::Done));
        assert_eq!(
            one("T3 :white_check_mark:").change,
            ReplyChange::Status(TaskStatus::Done)
        );
        assert_eq!(one("T3: finished, link in doc").note.as_deref(), Some("link in doc"));
        assert_eq!(
            one("T3 ⚠️ slipping a day").change,
            ReplyChange::Status(TaskStatus::AtRisk)
        );
        assert_eq!(one("T3 :warning: design review").note.as_deref(), Some("design review"));
        assert_eq!(
            one("T3 🚫 legal").change,
            ReplyChange::Status(TaskStatus::blocked("legal").unwrap())
        );
        assert_eq!(
            one("T3 :no_entry: by legal").change,
            ReplyChange::Status(TaskStatus::blocked("legal").unwrap())
        );
        assert_eq!(one("T3 👍").change, ReplyChange::Status(TaskStatus::OnTrack));
        assert_eq!(
            one("T3 eta friday").change,
            ReplyChange::Due(DueDate::On("2026-11-27".parse().unwrap()))
        );
        assert_eq!(one("- T3 ontrack").task, Some(TaskId(3)));
        assert_eq!(one("T3 done :tada:").note.as_deref(), Some(":tada:"));
    }

    #[test]
    fn ids_as_people_copy_them_from_a_check_in() {
        // Check-ins show ids as code; people paste them with the formatting, or quote the line.
        assert_eq!(one("`T12` done"), status(Some(12), TaskStatus::Done, None));
        assert_eq!(one("*T12* done"), status(Some(12), TaskStatus::Done, None));
        assert_eq!(one("*T12*: on track"), status(Some(12), TaskStatus::OnTrack, None));
        assert_eq!(one("_t12_ at risk"), status(Some(12), TaskStatus::AtRisk, None));
        assert_eq!(one("> T12 done"), status(Some(12), TaskStatus::Done, None));
    }

    #[test]
    fn a_line_not_understood_is_quoted_not_put_in_code() {
        let parsed = parse("`T12` dne", today());
        let problem = parsed[0].as_ref().unwrap_err();
        assert_eq!(problem, "“`T12` dne” is not a status update");
    }

    #[test]
    fn bare_updates_have_no_task() {
        assert_eq!(one("done"), status(None, TaskStatus::Done, None));
        assert_eq!(
            one("Blocked on budget approval"),
            status(None, TaskStatus::blocked("on budget approval").unwrap(), None)
        );
    }

    #[test]
    fn several_lines_several_updates_and_errors_are_kept_per_line() {
        let parsed = parse("T1 done\n\nT2 at risk\nthanks all!\nT3 blocked", today());
        assert_eq!(parsed.len(), 4);
        assert!(parsed[0].is_ok() && parsed[1].is_ok());
        assert!(parsed[2].as_ref().unwrap_err().contains("is not a status update"));
        assert!(parsed[3].as_ref().unwrap_err().contains("say what it is blocked on"));
        assert!(
            parse("T1 due someday", today())[0]
                .as_ref()
                .unwrap_err()
                .contains("not a date")
        );
        assert!(
            parse("T1 donekey", today())[0].is_err(),
            "keywords must end at a word boundary"
        );
        assert!(parse("Trust me", today())[0].is_err());
    }
}
