//! Statements built for an inline connection by the same macros that build sqlx's.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

/// One statement built by the `push_…_insert!` macros (`history`, `outbox`, `new_tasks`) for
/// an inline connection: the calls of sqlx's `QueryBuilder` that they make, so one macro
/// writes the same SQL for sqlx and for rusqlite.
pub(in crate::store) struct InlineStatement<'a> {
    sql: String,
    params: Vec<Param<'a>>,
}

impl Default for InlineStatement<'_> {
    /// Room for a new task's insert and its history row's (~250 bytes, 10 values) without
    /// growing: these statements are built for every `/launch task`.
    fn default() -> Self {
        InlineStatement {
            sql: String::with_capacity(320),
            params: Vec::with_capacity(12),
        }
    }
}

/// A value bound to an [`InlineStatement`], text borrowed where it was given borrowed: a
/// boxed `dyn ToSql` a value was an allocation each, twenty a `/launch task`.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::store) enum Param<'a> {
    Null,
    Integer(i64),
    Text(&'a str),
    /// Text made for the statement: a date as SQLite stores it.
    OwnedText(String),
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Null => ValueRef::Null,
            Param::Integer(value) => ValueRef::Integer(*value),
            Param::Text(text) => ValueRef::Text(text.as_bytes()),
            Param::OwnedText(text) => ValueRef::Text(text.as_bytes()),
        }))
    }
}

/// What the `push_…_insert!` macros bind, as an inline statement holds it. Implemented for
/// the types those macros bind (sqlx's `QueryBuilder` takes the same ones).
pub(in crate::store) trait IntoParam<'a> {
    fn into_param(self) -> Param<'a>;
}

impl<'a> IntoParam<'a> for &'a str {
    fn into_param(self) -> Param<'a> {
        Param::Text(self)
    }
}

impl IntoParam<'_> for i64 {
    fn into_param(self) -> Param<'static> {
        Param::Integer(self)
    }
}

impl IntoParam<'_> for chrono::NaiveDate {
    /// `YYYY-MM-DD`, as sqlx and rusqlite both write a date to SQLite.
    fn into_param(self) -> Param<'static> {
        Param::OwnedText(self.format("%F").to_string())
    }
}

impl<'a, T: IntoParam<'a>> IntoParam<'a> for Option<T> {
    fn into_param(self) -> Param<'a> {
        self.map_or(Param::Null, IntoParam::into_param)
    }
}

impl<'a> InlineStatement<'a> {
    pub(in crate::store) fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write as _;
        let _ = write!(self.sql, "{sql}");
        self
    }

    fn push_bind(&mut self, value: impl IntoParam<'a>) {
        self.sql.push('?');
        self.params.push(value.into_param());
    }

    pub(in crate::store) fn separated(&mut self, separator: &'static str) -> Separated<'_, 'a> {
        Separated {
            statement: self,
            separator,
            first: true,
        }
    }

    /// `VALUES (…), (…)`, one tuple per item, as sqlx's `QueryBuilder::push_values`.
    pub(in crate::store) fn push_values<I: IntoIterator>(
        &mut self,
        tuples: I,
        mut push_tuple: impl FnMut(Separated<'_, 'a>, I::Item),
    ) -> &mut Self {
        self.push("VALUES ");
        for (n, tuple) in tuples.into_iter().enumerate() {
            self.push(if n == 0 { "(" } else { ", (" });
            push_tuple(self.separated(", "), tuple);
            self.push(")");
        }
        self
    }

    pub(in crate::store) fn execute(&self, connection: &Connection) -> rusqlite::Result<usize> {
        connection
            .prepare_cached(&self.sql)?
            .execute(rusqlite::params_from_iter(self.params.iter()))
    }
}

/// sqlx's `Separated`, for [`InlineStatement`].
pub(in crate::store) struct Separated<'s, 'a> {
    statement: &'s mut InlineStatement<'a>,
    separator: &'static str,
    first: bool,
}

impl<'a> Separated<'_, 'a> {
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.statement.sql.push_str(self.separator);
        }
    }

    pub(in crate::store) fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        self.separate();
        self.statement.push(sql);
        self
    }

    pub(in crate::store) fn push_bind(&mut self, value: impl IntoParam<'a>) -> &mut Self {
        self.separate();
        self.statement.push_bind(value);
        self
    }
}
