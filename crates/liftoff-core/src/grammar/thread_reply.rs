//! Parses replies in a check-in thread: `T12 done`, `T12 on track`, `T12 at risk: vendor late`,
//! `T12 blocked waiting on legal`, `T12 due 2026-12-04` / `T12 due +2d`, emoji and common
//! synonyms. People write several updates on one line as readily as on several lines
//! (`T1 done, T3 on track`, `T8 done. T9 on track.`, `T4 done and T5 at risk`): every one is
//! read. A line without a task id is kept as such; the caller applies it only when the author
//! owns exactly one open task in the check-in.

use chrono::NaiveDate;

use crate::dates::parse_due;
use crate::{DueDate, TaskId, TaskStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyChange {
    Status(TaskStatus),
    Due(DueDate),
    /// `T6 blocked by T4 until pricing is final`: blocked, and waiting on another task.
    BlockedBy {
        status: TaskStatus,
        by: TaskId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyUpdate {
    pub task: Option<TaskId>,
    /// `all on track`, `all good`: the update is for every open task of the writer's that the
    /// check-in lists (said back task by task, so they can correct it).
    pub all_mine: bool,
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
    "will be late",
    "running late",
    "late",
    "delayed",
    "behind",
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
/// What introduces a new date after `late` / `at risk` (`T23 will be late, new date next
/// Tuesday`, `T23 at risk - moving to Friday`): the date that follows is read, and when it cannot
/// be, the writer is told so while the status still applies. Longest first.
const NEW_DATE: &[&str] = &[
    "new due date",
    "new deadline",
    "new date",
    "new eta",
    "now due",
    "moving it to",
    "moving to",
    "moved to",
    "move to",
    "pushing to",
    "pushed to",
    "push to",
    "slipping to",
    "slips to",
    "eta",
];
/// `T23 slipping to Friday`, `T23 late, due Friday`: read as a new date only when what follows
/// is one, since these words also start a reason (`T23 at risk to slip a week`, `T23 late, due
/// to the vendor`).
const MAYBE_NEW_DATE: &[&str] = &["due", "to"];

/// Lines longer than this are not treated as updates (someone pasted a paragraph).
const MAX_LINE_CHARS: usize = 600;

/// Every update in `text`. A line that names no task and says no status (`thanks all`,
/// `looking good!`) is chatter, not an update: it is left out, so it gets no answer at all.
pub fn parse(text: &str, today: NaiveDate) -> Vec<ParsedLine> {
    text.lines()
        .flat_map(updates_in_line)
        .map(str::trim)
        .filter(|update| !update.is_empty())
        .flat_map(|update| {
            let parsed = parse_line(update, today);
            let chatter = parsed.iter().all(Result::is_err) && task_named(update).is_none();
            if chatter { Vec::new() } else { parsed }
        })
        .collect()
}

/// The task a line names, wherever people put it: first (`T8 done`), or after the status
/// (`✅ T9`, `done: T11`).
fn task_named(line: &str) -> Option<TaskId> {
    let line = line.trim_start_matches(['-', '•', '*', '>', ' ']).trim();
    split_task_id(line)
        .0
        .or_else(|| status_then_task(line).map(|(id, _)| id))
}

/// `✅ T9`, `done: T11`, `on track T8` → the task and the line with the task first (`T9 ✅`).
fn status_then_task(line: &str) -> Option<(TaskId, String)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    for head in 1..=2.min(words.len().saturating_sub(1)) {
        let status = words[..head].join(" ");
        let status = status.trim_end_matches([':', ',', '-', '—', '–']).trim();
        let lower = status.to_lowercase();
        let known = [DONE, ON_TRACK, AT_RISK, BLOCKED, UNBLOCKED]
            .iter()
            .any(|words| words.contains(&lower.as_str()));
        if !known {
            continue;
        }
        let tail = words[head..].join(" ");
        if let (Some(id), rest) = split_task_id(tail.trim_start_matches([':', '-', '—', '–', ' '])) {
            return Some((
                id,
                format!("{status} {}", rest.trim_start_matches([':', ',']))
                    .trim()
                    .to_owned(),
            ));
        }
    }
    None
}

/// The updates in one line: it is cut before every task id that follows a `,`, `;`, `.`,
/// `and` or `&` (`T1 done, T3 on track`), and nowhere else, so a reason with commas in it
/// (`T6 blocked: legal, then finance`) stays whole. A full stop ending an update is dropped.
fn updates_in_line(line: &str) -> Vec<&str> {
    if line.chars().count() > MAX_LINE_CHARS {
        return vec![line]; // refused whole, as too long
    }
    let lower = line.to_ascii_lowercase();
    let mut cuts = Vec::new();
    for (at, c) in line.char_indices() {
        let after = match c {
            ',' | ';' | '.' | '&' => at + 1,
            ' ' if lower[at..].starts_with(" and ") => at + " and ".len(),
            _ => continue,
        };
        if at > 0 && starts_with_task_id(&line[after..]) {
            cuts.push((at, after));
        }
    }
    let mut updates = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for (end, next) in cuts {
        updates.push(&line[start..end]);
        start = next;
    }
    updates.push(&line[start..]);
    updates
        .into_iter()
        .map(|update| update.trim().trim_end_matches(['.', ',', ';']).trim_end())
        .collect()
}

/// Whether `text` (after spaces) starts with a task id, as typed or as copied (`` `T12` ``).
fn starts_with_task_id(text: &str) -> bool {
    let text = text.trim_start().trim_start_matches(['`', '*', '_', '~']);
    let mut chars = text.chars();
    matches!(chars.next(), Some('T' | 't'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && split_task_id(text).0.is_some()
}

/// One update as written; two when it says a task is late and gives its new date (`T23 will be
/// late, new date next Tuesday`): the status, then the due date (or why the date was not read).
fn parse_line(line: &str, today: NaiveDate) -> Vec<ParsedLine> {
    if line.chars().count() > MAX_LINE_CHARS {
        return vec![Err("that line is too long to be a status update".to_owned())];
    }
    let line = line.trim_start_matches(['-', '•', '*', '>', ' ']).trim();
    let (task, rest) = match split_task_id(line) {
        (Some(task), rest) => (Some(task), rest.to_owned()),
        (None, _) => match status_then_task(line) {
            Some((task, rest)) => (Some(task), rest),
            None => (None, line.to_owned()),
        },
    };
    let rest = clean_note(&rest);
    // `T8 is done`, `T8 is now on track`: the verb says nothing.
    let rest = ["is now ", "is ", "was ", "now ", "are "]
        .iter()
        .find_map(|filler| {
            rest.get(..filler.len())
                .filter(|head| head.eq_ignore_ascii_case(filler))
                .map(|_| rest[filler.len()..].to_owned())
        })
        .unwrap_or(rest);
    // `all on track`, `all good`, `everything done`: every task of the writer's.
    let (all_mine, rest) = match task {
        None => ["all ", "everything ", "everything's "]
            .iter()
            .find_map(|all| {
                rest.get(..all.len())
                    .filter(|head| head.eq_ignore_ascii_case(all))
                    .map(|_| (true, rest[all.len()..].to_owned()))
            })
            .unwrap_or((false, rest)),
        Some(_) => (false, rest),
    };
    let rest = rest.as_str();
    let read = || -> Vec<ParsedLine> {
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
            return vec![Ok(update(
                task,
                ReplyChange::Status(TaskStatus::OnTrack),
                note(after).or(Some("unblocked".into())),
            ))];
        }
        if let Some(reason) = keyword(BLOCKED) {
            if let Some((by, reason)) = waiting_on_task(&reason) {
                return vec![
                    TaskStatus::blocked(&reason)
                        .map(|status| update(task, ReplyChange::BlockedBy { status, by }, None))
                        .map_err(|err| err.to_string()),
                ];
            }
            let reason = reason.trim_start_matches("by ").trim().to_owned();
            return vec![
                TaskStatus::blocked(&reason)
                    .map(|status| update(task, ReplyChange::Status(status), None))
                    .map_err(|_| "say what it is blocked on, e.g. `T12 blocked waiting on legal`".to_owned()),
            ];
        }
        if let Some(after) = keyword(DUE) {
            // The date may take several words (`next friday`, `Dec 11`); what follows is a note.
            return vec![match date_then_note(&after, today) {
                Ok((due, rest)) => Ok(update(task, ReplyChange::Due(due), note(rest))),
                Err(err) => Err(err.to_string()),
            }];
        }
        if let Some(after) = keyword(AT_RISK) {
            // `T23 will be late, new date next Tuesday`: at risk, and the date moves.
            if let Some(moved) = new_date(&after, today) {
                let (due, rest) = match moved {
                    Ok((due, rest)) => (Ok(due), rest),
                    Err(err) => (Err(err), String::new()),
                };
                let at_risk = Ok(update(task, ReplyChange::Status(TaskStatus::AtRisk), note(rest)));
                let due = due.map(|due| update(task, ReplyChange::Due(due), None)).map_err(|err| {
                    let whose = task.map_or(String::new(), |task| format!("{task}: "));
                    format!("{whose}the new date was not understood: {err}")
                });
                return vec![at_risk, due];
            }
            return vec![Ok(update(task, ReplyChange::Status(TaskStatus::AtRisk), note(after)))];
        }
        for (words, status) in [(DONE, TaskStatus::Done), (ON_TRACK, TaskStatus::OnTrack)] {
            if let Some(after) = keyword(words) {
                return vec![Ok(update(task, ReplyChange::Status(status), note(after)))];
            }
        }
        // Quoted, not in code: the line may itself hold backticks (`` `T12` dne ``).
        vec![Err(format!("“{}” is not a status update", crate::text::clip(line, 80)))]
    };
    read()
        .into_iter()
        .map(|parsed| parsed.map(|update| ReplyUpdate { all_mine, ..update }))
        .collect()
}

/// A date at the start of `text` (of one to four words: `next tuesday`, `Dec 15`) and what
/// follows it, as a note.
fn date_then_note(text: &str, today: NaiveDate) -> Result<(DueDate, String), crate::dates::DateError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let taken = crate::dates::date_phrase_len(&words).min(words.len());
    let date = words[..taken].join(" ");
    let due = parse_due(date.trim_end_matches([':', ',', '.']), today)?;
    Ok((due, clean_note(&words[taken..].join(" "))))
}

/// The new date a `late` / `at risk` update gives after its status, if it gives one: the date
/// and what follows it (a note), or, when the date cannot be read, why, naming the words that
/// were not understood (up to the next `,`, `;` or `:`).
#[allow(clippy::type_complexity)]
fn new_date(after: &str, today: NaiveDate) -> Option<Result<(DueDate, String), crate::dates::DateError>> {
    let intro = |words: &[&'static str]| -> Option<&'static str> {
        words.iter().copied().find(|word| {
            after
                .get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
                && after[word.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || c == ':')
        })
    };
    let date_text = |word: &str| {
        let text = after[word.len()..].trim_start();
        // `new date is Dec 15`, `new date: Dec 15`.
        let text = text.strip_prefix(':').unwrap_or(text).trim_start();
        text.strip_prefix("is ").unwrap_or(text).trim_start().to_owned()
    };
    if let Some(word) = intro(NEW_DATE) {
        let text = date_text(word);
        return Some(date_then_note(&text, today).map_err(|err| match err {
            // Name everything that was meant as the date, not only its first word.
            crate::dates::DateError::Unrecognised(_) => {
                let meant = text.split([',', ';', ':']).next().unwrap_or_default().trim();
                let meant = if meant.is_empty() { "(nothing)" } else { meant };
                crate::dates::DateError::Unrecognised(crate::text::clip(meant, 40))
            }
            other => other,
        }));
    }
    let word = intro(MAYBE_NEW_DATE)?;
    date_then_note(&date_text(word), today).ok().map(Ok)
}

/// `by T4 until pricing is final` (or `on T4`): the task waited on, and the reason, which says
/// so itself when nothing else is given (`waiting on T4`).
fn waiting_on_task(after_blocked: &str) -> Option<(TaskId, String)> {
    let lower = after_blocked.to_ascii_lowercase();
    let rest = ["by ", "on ", "waiting on ", "waiting for "].iter().find_map(|lead| {
        lower
            .starts_with(lead)
            .then(|| after_blocked[lead.len()..].trim_start())
    })?;
    let (id, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let by = TaskId::parse(id.trim_end_matches([',', ':', '.', ';'])).ok()?;
    let reason = clean_note(reason);
    let reason = if reason.is_empty() {
        format!("waiting on {by}")
    } else {
        reason
    };
    Some((by, reason))
}

fn update(task: Option<TaskId>, change: ReplyChange, note: Option<String>) -> ReplyUpdate {
    ReplyUpdate {
        task,
        all_mine: false,
        change,
        note,
    }
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
        (Some(':' | '-' | '–' | '—' | ','), None) => String::new(),
        (Some(':' | '-' | '–' | '—' | ','), Some(c)) if c.is_whitespace() => chars.as_str().trim().to_owned(),
        _ => text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-11-23".parse().unwrap()
    }

    fn statuses(text: &str) -> Vec<(Option<u32>, String)> {
        parse(text, today())
            .into_iter()
            .map(|line| {
                let update = line.unwrap_or_else(|e| panic!("{text}: {e}"));
                let change = match update.change {
                    ReplyChange::Status(status) => status.to_string(),
                    ReplyChange::Due(due) => format!("due {due}"),
                    ReplyChange::BlockedBy { status, by } => format!("{status} (waiting on {by})"),
                };
                (update.task.map(|t| t.0 as u32), change)
            })
            .collect()
    }

    #[test]
    fn several_updates_on_one_line_are_all_read_whatever_separates_them() {
        let expect = |text: &str, want: &[(u32, &str)]| {
            let got = statuses(text);
            let want: Vec<(Option<u32>, String)> = want.iter().map(|(t, s)| (Some(*t), (*s).to_owned())).collect();
            assert_eq!(got, want, "{text}");
        };
        expect("T1 done, T3 on track", &[(1, "done"), (3, "on track")]);
        expect("T8 done. T9 on track.", &[(8, "done"), (9, "on track")]);
        expect("T4 done and T5 at risk", &[(4, "done"), (5, "at risk")]);
        expect("T6 done; T7 on track", &[(6, "done"), (7, "on track")]);
        expect(
            "`T10` done, `T11` done & T12 on track",
            &[(10, "done"), (11, "done"), (12, "on track")],
        );
        expect("T13 done, T14 due 2026-12-04", &[(13, "done"), (14, "due 2026-12-04")]);
    }

    #[test]
    fn a_reason_with_commas_stays_whole() {
        let update = one("T6 blocked: legal, then finance, then the CEO");
        assert_eq!(
            update.change,
            ReplyChange::Status(TaskStatus::blocked("legal, then finance, then the CEO").unwrap())
        );
        let update = one("T2 at risk: vendor late, and design too");
        assert_eq!(update.note.as_deref(), Some("vendor late, and design too"));
    }

    #[test]
    fn one_bad_update_among_good_ones_is_named_and_the_others_are_kept() {
        let parsed = parse("T1 done, T2 dne, T3 on track", today());
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok() && parsed[2].is_ok());
        let problem = parsed[1].as_ref().unwrap_err();
        assert!(problem.contains("T2 dne"), "{problem}");
    }

    #[test]
    fn due_dates_of_several_words_with_a_note_after_them() {
        // 2026-11-23 is a Monday.
        let update = one("T5 due next friday: printer is late");
        assert_eq!(
            update.change,
            ReplyChange::Due(DueDate::On("2026-12-04".parse().unwrap()))
        );
        assert_eq!(update.note.as_deref(), Some("printer is late"));
        let update = one("T7 new eta Dec 11");
        assert_eq!(
            update.change,
            ReplyChange::Due(DueDate::On("2026-12-11".parse().unwrap()))
        );
        assert_eq!(update.note, None);
        let problem = parse("T8 due 1/15", today()).remove(0).unwrap_err();
        assert!(problem.contains("15 Jan"), "{problem}");
    }

    #[test]
    fn updates_as_people_write_them() {
        assert_eq!(one("T8 is done"), status(Some(8), TaskStatus::Done, None));
        assert_eq!(one("T8 is now on track"), status(Some(8), TaskStatus::OnTrack, None));
        assert_eq!(one("✅ T9"), status(Some(9), TaskStatus::Done, None));
        assert_eq!(one("done: T11"), status(Some(11), TaskStatus::Done, None));
        assert_eq!(one("on track T12"), status(Some(12), TaskStatus::OnTrack, None));
        assert_eq!(one("T13 late"), status(Some(13), TaskStatus::AtRisk, None));
        assert_eq!(
            one("T14 will be late, printer broke"),
            status(Some(14), TaskStatus::AtRisk, Some("printer broke"))
        );
        assert_eq!(
            one("blocked — legal hasn't signed off"),
            status(None, TaskStatus::blocked("legal hasn't signed off").unwrap(), None)
        );
        assert_eq!(
            one("T15 blocked — legal hasn't signed off"),
            status(Some(15), TaskStatus::blocked("legal hasn't signed off").unwrap(), None)
        );
    }

    #[test]
    fn late_with_a_new_date_sets_at_risk_and_moves_the_date() {
        // 2026-11-23 is a Monday: next Tuesday is 1 December.
        let expect = |text: &str, due: &str, note: Option<&str>| {
            let parsed = parse(text, today());
            assert_eq!(parsed.len(), 2, "{text}: {parsed:?}");
            assert_eq!(
                parsed[0].as_ref().unwrap(),
                &status(Some(23), TaskStatus::AtRisk, note),
                "{text}"
            );
            let moved = parsed[1].as_ref().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (moved.task, &moved.change),
                (Some(TaskId(23)), &ReplyChange::Due(DueDate::On(due.parse().unwrap()))),
                "{text}"
            );
        };
        expect("T23 will be late, new date next Tuesday", "2026-12-01", None);
        expect("T23 late, new date Dec 15", "2026-12-15", None);
        expect("T23 at risk - moving to Friday", "2026-11-27", None);
        expect("T23 will be late — new date is 15 Dec", "2026-12-15", None);
        expect("T23 running late, new due date: Dec 15", "2026-12-15", None);
        expect("T23 delayed, pushed to next week", "2026-12-04", None);
        expect("T23 slipping to Friday", "2026-11-27", None);
        expect(
            "T23 will be late, new date next Tuesday: printer broke",
            "2026-12-01",
            Some("printer broke"),
        );
        // Beside other updates on the same line.
        let parsed = parse("T22 done, T23 will be late, new date next Tuesday", today());
        assert_eq!(parsed.len(), 3, "{parsed:?}");
    }

    #[test]
    fn a_new_date_that_cannot_be_read_is_named_and_the_status_still_applies() {
        let parsed = parse("T23 will be late, new date next blursday", today());
        assert_eq!(parsed.len(), 2, "{parsed:?}");
        assert_eq!(parsed[0], Ok(status(Some(23), TaskStatus::AtRisk, None)));
        let problem = parsed[1].as_ref().unwrap_err();
        assert!(
            problem.starts_with("T23: the new date was not understood: `next blursday` is not a date"),
            "{problem}"
        );
        let problem = parse("T23 late, new date 1/15", today()).remove(1).unwrap_err();
        assert!(problem.contains("`1/15` can be read two ways"), "{problem}");
    }

    #[test]
    fn late_with_a_reason_is_not_a_new_date() {
        assert_eq!(
            one("T14 will be late, printer broke"),
            status(Some(14), TaskStatus::AtRisk, Some("printer broke"))
        );
        assert_eq!(
            one("T14 at risk to slip a week"),
            status(Some(14), TaskStatus::AtRisk, Some("to slip a week"))
        );
        assert_eq!(
            one("T14 late, due to the vendor"),
            status(Some(14), TaskStatus::AtRisk, Some("due to the vendor"))
        );
        assert_eq!(
            parse("T14 late, due Friday", today()).len(),
            2,
            "but `due Friday` is a date"
        );
    }

    #[test]
    fn all_on_track_is_for_every_task_of_the_writer() {
        for text in ["all on track", "All good", "everything done", "all good 👍"] {
            let update = one(text);
            assert!(update.all_mine && update.task.is_none(), "{text}: {update:?}");
        }
        assert!(!one("T3 done").all_mine);
        assert!(!one("done").all_mine);
    }

    #[test]
    fn chatter_is_no_update_and_gets_no_answer() {
        for text in ["thanks all", "looking good", "Thanks! 🙏", "see you tomorrow", "lol"] {
            assert!(parse(text, today()).is_empty(), "{text}");
        }
        // A line that names a task is never chatter: it is answered, if only to say why not.
        assert!(parse("T5 thanks", today())[0].is_err());
    }

    #[test]
    fn blocked_by_another_task_records_what_it_waits_on() {
        let blocked_by = |text: &str| match one(text).change {
            ReplyChange::BlockedBy { status, by } => (by, status.reason().map(str::to_owned)),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            blocked_by("T6 blocked by T4 — pricing isn't final"),
            (TaskId(4), Some("pricing isn't final".to_owned()))
        );
        assert_eq!(
            blocked_by("T6 blocked by T4"),
            (TaskId(4), Some("waiting on T4".to_owned()))
        );
        assert_eq!(
            blocked_by("T6 is blocked, waiting on t4: legal"),
            (TaskId(4), Some("legal".to_owned()))
        );
        // Blocked by a team, not a task: a plain reason, as before.
        assert!(matches!(one("T6 blocked by legal").change, ReplyChange::Status(_)));
        // And a second update after it is still its own.
        assert_eq!(parse("T6 blocked by T4, T7 done", today()).len(), 2);
    }

    fn one(text: &str) -> ReplyUpdate {
        let mut parsed = parse(text, today());
        assert_eq!(parsed.len(), 1, "{text}");
        parsed.remove(0).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn status(task: Option<i64>, status: TaskStatus, note: Option<&str>) -> ReplyUpdate {
        ReplyUpdate {
            task: task.map(TaskId),
            all_mine: false,
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
                all_mine: false,
                change: ReplyChange::Due(DueDate::On("2026-12-04".parse().unwrap())),
                note: None
            }
        );
        assert_eq!(
            one("T12 due +2d"),
            ReplyUpdate {
                task: Some(TaskId(12)),
                all_mine: false,
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
        let parsed = parse("T1 done\n\nT2 at risk\nthanks all!\nT3 blocked\nT4 dne", today());
        // "thanks all!" is chatter: no update, no hint.
        assert_eq!(parsed.len(), 4);
        assert!(parsed[0].is_ok() && parsed[1].is_ok());
        assert!(parsed[2].as_ref().unwrap_err().contains("say what it is blocked on"));
        assert!(parsed[3].as_ref().unwrap_err().contains("is not a status update"));
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
        assert!(parse("Trust me", today()).is_empty(), "chatter");
    }
}
