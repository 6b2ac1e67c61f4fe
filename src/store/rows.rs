//! Row shapes as the database returns them, and their conversion into domain types. Anything
//! a row holds that the domain cannot represent is reported as [`StoreError::Corrupt`].

use chrono::NaiveDate;
use liftoff_core::dates::parse_iso_date;

use super::{StoreError, from_millis};
use liftoff_core::history::{Actor, ChangeField, ChangeSource, HistoryEntry};
use liftoff_core::launch::{Launch, LaunchState, Slug, SuccessMetric, TargetDirection, Tier};
use liftoff_core::task::{RaciRole, RoleAssignment, StatusKind, Task, TaskStatus};
use liftoff_core::{FunctionName, LaunchId, SlackUserId, TaskId};

/// Columns selected for a launch, for `concat!` into `&'static` query text.
macro_rules! launch_columns {
    () => {
        "id, slug, name, tier, launch_date, lead_user_id, key_messages, channel_notes, state, version"
    };
}
pub(crate) use launch_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct LaunchRow {
    id: i64,
    slug: String,
    name: String,
    tier: i64,
    launch_date: NaiveDate,
    lead_user_id: Option<String>,
    key_messages: String,
    channel_notes: String,
    state: String,
    version: i64,
}

impl LaunchRow {
    /// The launch's id, for reading what belongs to it.
    pub(super) fn id(&self) -> i64 {
        self.id
    }

    /// The [`launch_columns!`] of a row read on the calling thread (`inline`), by name.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<LaunchRow> {
        Ok(LaunchRow {
            id: row.get("id")?,
            slug: row.get("slug")?,
            name: row.get("name")?,
            tier: row.get("tier")?,
            launch_date: inline_date(row, row.as_ref().column_index("launch_date")?)?,
            lead_user_id: row.get("lead_user_id")?,
            key_messages: row.get("key_messages")?,
            channel_notes: row.get("channel_notes")?,
            state: row.get("state")?,
            version: row.get("version")?,
        })
    }
}

/// A stored date of a row read on the calling thread, as rusqlite's chrono support would read
/// it but without chrono's general parser (see [`parse_iso_date`]).
fn inline_date(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<NaiveDate> {
    inline_optional_date(row, index)?.ok_or(rusqlite::Error::InvalidColumnType(
        index,
        "a date, not NULL".to_owned(),
        rusqlite::types::Type::Null,
    ))
}

/// [`inline_date`] of a column that may be NULL.
fn inline_optional_date(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let value = row.get_ref(index)?;
    if matches!(value, rusqlite::types::ValueRef::Null) {
        return Ok(None);
    }
    let unreadable =
        |reason: String| rusqlite::Error::FromSqlConversionFailure(index, value.data_type(), reason.into());
    let text = value.as_str().map_err(|err| unreadable(err.to_string()))?;
    parse_iso_date(text)
        .map(Some)
        .ok_or_else(|| unreadable(format!("`{text}` is not a date")))
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn user(value: Option<String>) -> Result<Option<SlackUserId>, StoreError> {
    value.map(|v| SlackUserId::try_from(v).map_err(corrupt)).transpose()
}

impl TryFrom<LaunchRow> for Launch {
    type Error = StoreError;

    fn try_from(row: LaunchRow) -> Result<Self, Self::Error> {
        Ok(Launch {
            id: LaunchId(row.id),
            slug: Slug::parse(&row.slug).map_err(corrupt)?,
            name: row.name,
            tier: Tier::from_number(row.tier).ok_or_else(|| corrupt(format!("tier {}", row.tier)))?,
            launch_date: row.launch_date,
            lead: user(row.lead_user_id)?,
            key_messages: row.key_messages,
            channel_notes: row.channel_notes,
            state: LaunchState::parse(&row.state).ok_or_else(|| corrupt(format!("launch state {}", row.state)))?,
            version: row.version,
        })
    }
}

/// Columns selected for a task, for `concat!` into `&'static` query text.
macro_rules! task_columns {
    () => {
        "id, launch_id, function_name, title, owner_user_id, due_date, due_offset_days, status, \
         blocked_reason, status_changed_at_ms, snoozed_until, blocked_by_task_id, version"
    };
}
pub(crate) use task_columns;

/// Also read from a JSON array of [`task_columns!`] values, in that order (see
/// `Store::task_rows_bulk`); serde reads a struct from an array field by field.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct TaskRow {
    id: i64,
    launch_id: i64,
    function_name: String,
    title: String,
    owner_user_id: Option<String>,
    due_date: NaiveDate,
    due_offset_days: Option<i64>,
    status: String,
    /// `status`, already read, when a row is read on the calling thread (`from_inline`): it
    /// is then read where it lies, and `status` stays empty, which spares a string per row.
    #[sqlx(skip)]
    #[serde(skip)]
    status_kind: Option<StatusKind>,
    blocked_reason: Option<String>,
    status_changed_at_ms: i64,
    snoozed_until: Option<NaiveDate>,
    blocked_by_task_id: Option<i64>,
    version: i64,
}

impl TaskRow {
    /// The [`task_columns!`] of a row read on the calling thread (`inline`), in their order:
    /// by position, as a page reads dozens of rows and a name is a search of the row's columns.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
        let status_kind = StatusKind::parse(row.get_ref(7)?.as_str().unwrap_or_default());
        Ok(TaskRow {
            id: row.get(0)?,
            launch_id: row.get(1)?,
            function_name: row.get(2)?,
            title: row.get(3)?,
            owner_user_id: row.get(4)?,
            due_date: inline_date(row, 5)?,
            due_offset_days: row.get(6)?,
            // Kept as text only when it is not a status, so that the error names it.
            status: match status_kind {
                Some(_) => String::new(),
                None => row.get(7)?,
            },
            status_kind,
            blocked_reason: row.get(8)?,
            status_changed_at_ms: row.get(9)?,
            snoozed_until: inline_optional_date(row, 10)?,
            blocked_by_task_id: row.get(11)?,
            version: row.get(12)?,
        })
    }

    /// Sort key of `ORDER BY due_date, id`.
    pub(super) fn due_date_key(&self) -> (NaiveDate, i64) {
        (self.due_date, self.id)
    }

    /// Sort key of `ORDER BY function_name, due_date, id`.
    pub(super) fn function_key(&self) -> (&str, NaiveDate, i64) {
        (&self.function_name, self.due_date, self.id)
    }
}

impl TryFrom<TaskRow> for Task {
    type Error = StoreError;

    fn try_from(row: TaskRow) -> Result<Self, Self::Error> {
        Ok(Task {
            id: TaskId(row.id),
            launch_id: LaunchId(row.launch_id),
            function: FunctionName::try_from(row.function_name).map_err(corrupt)?,
            title: row.title,
            owner: user(row.owner_user_id)?,
            due_date: row.due_date,
            due_offset_days: row.due_offset_days,
            status: match row.status_kind {
                Some(kind) => TaskStatus::of_kind(kind, row.blocked_reason),
                None => TaskStatus::from_stored(&row.status, row.blocked_reason).map_err(corrupt)?,
            },
            status_changed_at: from_millis(row.status_changed_at_ms)?,
            snoozed_until: row.snoozed_until,
            blocked_by: row.blocked_by_task_id.map(TaskId),
            version: row.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MetricRow {
    name: String,
    target: f64,
    target_direction: String,
    unit: String,
    review_offset_days: i64,
    actual: Option<f64>,
}

impl MetricRow {
    /// A row of `launches::METRICS` read on the calling thread (`inline`), by position.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<MetricRow> {
        Ok(MetricRow {
            name: row.get(0)?,
            target: row.get(1)?,
            target_direction: row.get(2)?,
            unit: row.get(3)?,
            review_offset_days: row.get(4)?,
            actual: row.get(5)?,
        })
    }
}

impl TryFrom<MetricRow> for SuccessMetric {
    type Error = StoreError;

    fn try_from(row: MetricRow) -> Result<Self, StoreError> {
        Ok(SuccessMetric {
            direction: TargetDirection::from_stored(&row.target_direction)
                .ok_or_else(|| corrupt(format!("unknown target direction `{}`", row.target_direction)))?,
            name: row.name,
            target: row.target,
            unit: row.unit,
            review_offset_days: row.review_offset_days,
            actual: row.actual,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoleRow {
    pub(crate) role: String,
    pub(crate) user_id: String,
}

impl TryFrom<RoleRow> for RoleAssignment {
    type Error = StoreError;

    fn try_from(row: RoleRow) -> Result<Self, Self::Error> {
        Ok(RoleAssignment {
            role: RaciRole::parse(&row.role).ok_or_else(|| corrupt(format!("role {}", row.role)))?,
            user: SlackUserId::parse(&row.user_id).map_err(corrupt)?,
        })
    }
}

/// Columns selected for a history entry, for `concat!` into `&'static` query text.
macro_rules! history_columns {
    () => {
        "launch_id, task_id, actor, source, at_ms, field, from_value, to_value, note"
    };
}
pub(crate) use history_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    launch_id: i64,
    task_id: Option<i64>,
    actor: String,
    source: String,
    at_ms: i64,
    field: String,
    from_value: Option<String>,
    to_value: Option<String>,
    note: Option<String>,
}

impl TryFrom<HistoryRow> for HistoryEntry {
    type Error = StoreError;

    fn try_from(row: HistoryRow) -> Result<Self, Self::Error> {
        Ok(HistoryEntry {
            launch_id: LaunchId(row.launch_id),
            task_id: row.task_id.map(TaskId),
            actor: Actor::from_stored(&row.actor).ok_or_else(|| corrupt(format!("actor {}", row.actor)))?,
            source: ChangeSource::parse(&row.source).ok_or_else(|| corrupt(format!("source {}", row.source)))?,
            at: from_millis(row.at_ms)?,
            field: ChangeField::parse(&row.field).ok_or_else(|| corrupt(format!("field {}", row.field)))?,
            from: row.from_value,
            to: row.to_value,
            note: row.note,
        })
    }
}

/// Converts every row, stopping at the first that does not make sense.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}
