//! Per-function settings changed from Slack (`/launch channel`, `/launch lead`). They override
//! the configured defaults; see [`liftoff_core::FunctionDef::with_overrides`].

use std::collections::BTreeMap;

use super::{Store, StoreError, on_pool, on_writer, to_millis};
use liftoff_core::history::ChangeContext;
use liftoff_core::{FunctionName, FunctionOverrides, SlackChannelId, SlackUserId};

/// One setting to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionSetting {
    Channel(SlackChannelId),
    Lead(SlackUserId),
}

#[derive(sqlx::FromRow)]
pub(super) struct OverrideRow {
    function_name: String,
    channel_id: Option<String>,
    lead_user_id: Option<String>,
}

impl OverrideRow {
    /// A row of [`OVERRIDES`] read on the calling thread (`inline`), by position.
    pub(super) fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<OverrideRow> {
        Ok(OverrideRow {
            function_name: row.get(0)?,
            channel_id: row.get(1)?,
            lead_user_id: row.get(2)?,
        })
    }
}

impl Store {
    /// Sets a function's channel or lead, keeping the other as it was.
    pub async fn set_function_setting(
        &self,
        function: &FunctionName,
        setting: &FunctionSetting,
        ctx: &ChangeContext,
    ) -> Result<(), StoreError> {
        const SET_CHANNEL: &str = "INSERT INTO function_settings (function_name, channel_id, updated_by, updated_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (function_name) DO UPDATE SET channel_id = $2, updated_by = $3, updated_at_ms = $4";
        const SET_LEAD: &str = "INSERT INTO function_settings (function_name, lead_user_id, updated_by, updated_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (function_name) DO UPDATE SET lead_user_id = $2, updated_by = $3, updated_at_ms = $4";
        let (sql, value) = match setting {
            FunctionSetting::Channel(channel) => (SET_CHANNEL, channel.as_str()),
            FunctionSetting::Lead(lead) => (SET_LEAD, lead.as_str()),
        };
        on_writer!(self, pool => {
            sqlx::query(sql)
                .bind(function.as_str())
                .bind(value)
                .bind(ctx.actor.as_stored())
                .bind(to_millis(ctx.at))
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Every function's overrides, keyed by function.
    pub async fn function_overrides(&self) -> Result<BTreeMap<FunctionName, FunctionOverrides>, StoreError> {
        let rows: Vec<OverrideRow> = on_pool!(self, pool => sqlx::query_as(OVERRIDES).fetch_all(pool).await)?;
        overrides_by_function(rows)
    }
}

/// Every function's overrides, as [`OverrideRow`]s.
pub(super) const OVERRIDES: &str = "SELECT function_name, channel_id, lead_user_id FROM function_settings";

/// [`OVERRIDES`]' rows, keyed by function.
pub(super) fn overrides_by_function(
    rows: Vec<OverrideRow>,
) -> Result<BTreeMap<FunctionName, FunctionOverrides>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(e.to_string());
            let name = FunctionName::parse(&row.function_name).map_err(|e| corrupt(&e))?;
            let channel = row
                .channel_id
                .map(|c| SlackChannelId::parse(&c))
                .transpose()
                .map_err(|e| corrupt(&e))?;
            let lead = row
                .lead_user_id
                .map(|u| SlackUserId::parse(&u))
                .transpose()
                .map_err(|e| corrupt(&e))?;
            Ok((name, FunctionOverrides { channel, lead }))
        })
        .collect()
}
