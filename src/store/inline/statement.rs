//! Statements built for an inline connection by the same macros that build sqlx's.

use rusqlite::{Connection, ToSql};

/// One statement built by the `push_…_insert!` macros (`history`, `outbox`, `new_tasks`) for
/// an inline connection: the calls of sqlx's `QueryBuilder` that they make, so one macro
/// writes the same SQL for sqlx and for rusqlite.
#[derive(Default)]
pub(in crate::store) struct InlineStatement<'a> {
    sql: String,
    params: Vec<Box<dyn ToSql + 'a>>,
}

impl<'a> InlineStatement<'a> {
    pub(in crate::store) fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write as _;
        let _ = write!(self.sql, "{sql}");
        self
    }

    fn push_bind(&mut self, value: impl ToSql + 'a) {
        self.sql.push('?');
        self.params.push(Box::new(value));
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

    pub(in crate::store) fn query_row<T>(
        &self,
        connection: &Connection,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        connection
            .prepare_cached(&self.sql)?
            .query_row(rusqlite::params_from_iter(self.params.iter()), row)
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

    pub(in crate::store) fn push_bind(&mut self, value: impl ToSql + 'a) -> &mut Self {
        self.separate();
        self.statement.push_bind(value);
        self
    }
}
