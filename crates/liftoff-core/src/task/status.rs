//! Task status: the five states an owner reports, their stored and spoken spellings, and the
//! rule that a blocked task carries its reason. Separate because statuses are read everywhere
//! (check-ins, escalations, the digest) without the rest of a task.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a task stands, as its owner reports it. `Blocked` always carries its reason: a PMO
/// can only unblock what it understands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskStatus {
    Todo,
    OnTrack,
    AtRisk,
    Blocked { reason: String },
    Done,
}

/// The stored spelling of a status, without its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusKind {
    Todo,
    OnTrack,
    AtRisk,
    Blocked,
    Done,
}

impl StatusKind {
    pub const ALL: [StatusKind; 5] = [
        StatusKind::Todo,
        StatusKind::OnTrack,
        StatusKind::AtRisk,
        StatusKind::Blocked,
        StatusKind::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Todo => "todo",
            StatusKind::OnTrack => "on_track",
            StatusKind::AtRisk => "at_risk",
            StatusKind::Blocked => "blocked",
            StatusKind::Done => "done",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        StatusKind::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }

    /// How people read it in Slack.
    pub fn label(self) -> &'static str {
        match self {
            StatusKind::Todo => "to do",
            StatusKind::OnTrack => "on track",
            StatusKind::AtRisk => "at risk",
            StatusKind::Blocked => "blocked",
            StatusKind::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("a blocked task needs a reason, so the right person can unblock it")]
    MissingReason,
    #[error("a blocker reason is {0} characters long; keep it to {MAX_REASON_CHARS}")]
    ReasonTooLong(usize),
    #[error("stored status `{0}` is unknown")]
    UnknownStored(String),
}

/// Longest reason kept (why a task is blocked, why a function says no-go); reasons are shown
/// in check-ins, escalations and go/no-go results.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a written reason is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonProblem {
    Missing,
    /// This many characters, over [`MAX_REASON_CHARS`].
    TooLong(usize),
}

/// What a person wrote as a reason, trimmed, unless it is empty or too long.
pub fn written_reason(text: &str) -> Result<&str, ReasonProblem> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err(ReasonProblem::Missing);
    }
    let chars = reason.chars().count();
    if chars > MAX_REASON_CHARS {
        return Err(ReasonProblem::TooLong(chars));
    }
    Ok(reason)
}

impl TaskStatus {
    /// Builds `Blocked` from what a person wrote, refusing an empty reason.
    pub fn blocked(reason: &str) -> Result<Self, StatusError> {
        let reason = written_reason(reason).map_err(|problem| match problem {
            ReasonProblem::Missing => StatusError::MissingReason,
            ReasonProblem::TooLong(chars) => StatusError::ReasonTooLong(chars),
        })?;
        Ok(TaskStatus::Blocked {
            reason: reason.to_owned(),
        })
    }

    pub fn kind(&self) -> StatusKind {
        match self {
            TaskStatus::Todo => StatusKind::Todo,
            TaskStatus::OnTrack => StatusKind::OnTrack,
            TaskStatus::AtRisk => StatusKind::AtRisk,
            TaskStatus::Blocked { .. } => StatusKind::Blocked,
            TaskStatus::Done => StatusKind::Done,
        }
    }

    /// Reassembles a status from its stored kind and reason.
    pub fn from_stored(kind: &str, reason: Option<String>) -> Result<Self, StatusError> {
        match StatusKind::parse(kind) {
            Some(kind) => Ok(TaskStatus::of_kind(kind, reason)),
            None => Err(StatusError::UnknownStored(kind.to_owned())),
        }
    }

    /// A status of `kind`, with `reason` if it is [`StatusKind::Blocked`].
    pub fn of_kind(kind: StatusKind, reason: Option<String>) -> Self {
        match kind {
            StatusKind::Todo => TaskStatus::Todo,
            StatusKind::OnTrack => TaskStatus::OnTrack,
            StatusKind::AtRisk => TaskStatus::AtRisk,
            StatusKind::Blocked => TaskStatus::Blocked {
                reason: reason.unwrap_or_default(),
            },
            StatusKind::Done => TaskStatus::Done,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            TaskStatus::Blocked { reason } => Some(reason),
            _ => None,
        }
    }

    /// Open tasks are the ones Liftoff chases.
    pub fn is_open(&self) -> bool {
        !matches!(self, TaskStatus::Done)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskStatus::Blocked { reason } => write!(f, "blocked: {reason}"),
            other => f.write_str(other.kind().label()),
        }
    }
}
