//! Launches and their success metrics.

use std::collections::BTreeMap;

use super::history::insert_history;
use super::rows::{LaunchRow, MetricRow, convert_all, launch_columns};
use super::tasks::insert_task;
use super::{Store, StoreError, on_pool, on_writer, to_millis};
use liftoff_core::history::{ChangeContext, ChangeField};
use liftoff_core::launch::{Launch, LaunchChange, LaunchDraft, LaunchRef, LaunchState, Slug, SuccessMetric};
use liftoff_core::{DueDateMove, LaunchId, NewTask, Task};

/// A launch by its slug.
pub(super) const LAUNCH_BY_SLUG: &str = concat!("SELECT ", launch_columns!(), " FROM launches WHERE slug = $1");
/// A launch by its id.
pub(super) const LAUNCH_BY_ID: &str = concat!("SELECT ", launch_columns!(), " FROM launches WHERE id = $1");
/// A launch's success metrics, in the order they were added.
pub(super) const METRICS: &str = "SELECT name, target, target_direction, unit, review_offset_days, actual FROM launch_metrics \
     WHERE launch_id = $1 ORDER BY id";

/// How often creating a launch retries when a concurrent create took the same slug.
const SLUG_ATTEMPTS: usize = 5;

impl Store {
    /// Stores a validated draft under the first free slug derived from `base`
    /// (`checkout-v2`, then `checkout-v2-2`, …) and records its creation.
    pub async fn create_launch(
        &self,
        draft: &LaunchDraft,
        base: &Slug,
        ctx: &ChangeContext,
    ) -> Result<Launch, StoreError> {
        self.create_launch_with_tasks(draft, base, &|_| Vec::new(), ctx)
            .await
            .map(|(launch, _)| launch)
    }

    /// Like [`Store::create_launch`], adding the tasks `plan` returns for the stored launch
    /// (its tier template) in the same transaction: a launch never exists half-planned.
    pub async fn create_launch_with_tasks(
        &self,
        draft: &LaunchDraft,
        base: &Slug,
        plan: &(dyn Fn(&Launch) -> Vec<NewTask> + Sync),
        ctx: &ChangeContext,
    ) -> Result<(Launch, Vec<Task>), StoreError> {
        for _ in 0..SLUG_ATTEMPTS {
            match self.insert_launch(draft, base, plan, ctx).await {
                Err(err) if err.is_unique_violation() => continue,
                other => return other,
            }
        }
        Err(StoreError::Conflict)
    }

    /// Inserts the launch under the first slug from `base` that is free, looked up in the
    /// same transaction (on SQLite, in this process's turn at writing, so no other create can
    /// take it meanwhile; on PostgreSQL a concurrent create can, and the caller tries again).
    async fn insert_launch(
        &self,
        draft: &LaunchDraft,
        base: &Slug,
        plan: &(dyn Fn(&Launch) -> Vec<NewTask> + Sync),
        ctx: &ChangeContext,
    ) -> Result<(Launch, Vec<Task>), StoreError> {
        const SLUGS_LIKE: &str = "SELECT slug FROM launches WHERE slug = $1 OR slug LIKE $2";
        const INSERT: &str = concat!(
            "INSERT INTO launches (slug, name, tier, launch_date, lead_user_id, state, created_by, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
            launch_columns!()
        );
        let pattern = format!("{base}-%");
        let created = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let taken: Vec<String> =
                sqlx::query_scalar(SLUGS_LIKE).bind(base.as_str()).bind(&pattern).fetch_all(&mut *tx).await?;
            let slug = &Slug::first_free(base, |candidate| taken.iter().any(|t| t == candidate));
            let row: LaunchRow = sqlx::query_as(INSERT)
                .bind(slug.as_str())
                .bind(draft.name.trim())
                .bind(draft.tier.number())
                .bind(draft.launch_date)
                .bind(draft.lead.as_ref().map(|u| u.as_str()))
                .bind(LaunchState::Planned.as_str())
                .bind(ctx.actor.as_stored())
                .bind(to_millis(ctx.at))
                .fetch_one(&mut *tx)
                .await?;
            let launch = Launch::try_from(row)?;
            let entry = ctx.entry(launch.id, None, ChangeField::Created, None, Some(slug.to_string()));
            insert_history!(&mut *tx, &entry)?;
            let mut tasks = Vec::new();
            for task in plan(&launch) {
                tasks.push(insert_task!(tx, &task, ctx)?);
            }
            tx.commit().await?;
            (launch, tasks)
        });
        Ok(created)
    }

    /// Finds a launch by slug or id.
    pub async fn launch(&self, reference: &LaunchRef) -> Result<Option<Launch>, StoreError> {
        match reference {
            LaunchRef::Id(id) => self.launch_by_id(*id).await,
            LaunchRef::Slug(slug) => {
                let row: Option<LaunchRow> = on_pool!(self, pool => sqlx::query_as(LAUNCH_BY_SLUG).bind(slug.as_str()).fetch_optional(pool).await)?;
                row.map(Launch::try_from).transpose()
            }
        }
    }

    pub async fn launch_by_id(&self, id: LaunchId) -> Result<Option<Launch>, StoreError> {
        let row: Option<LaunchRow> =
            on_pool!(self, pool => sqlx::query_as(LAUNCH_BY_ID).bind(id.0).fetch_optional(pool).await)?;
        row.map(Launch::try_from).transpose()
    }

    /// Launches soonest first; archived ones only when asked for.
    pub async fn list_launches(&self, include_archived: bool) -> Result<Vec<Launch>, StoreError> {
        const ACTIVE: &str = concat!(
            "SELECT ",
            launch_columns!(),
            " FROM launches WHERE state <> 'archived' ORDER BY launch_date, id"
        );
        const ALL: &str = concat!("SELECT ", launch_columns!(), " FROM launches ORDER BY launch_date, id");
        let sql = if include_archived { ALL } else { ACTIVE };
        let rows: Vec<LaunchRow> = on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// Stores a launch edit decided by [`Launch::edit`]: the launch itself (only if nobody
    /// changed it since `change.launch.version` was read), the tasks that move with it, and the
    /// history, all in one transaction.
    pub async fn save_launch_change(&self, change: &LaunchChange) -> Result<Launch, StoreError> {
        const UPDATE: &str = concat!(
            "UPDATE launches SET name = $1, tier = $2, launch_date = $3, lead_user_id = $4, key_messages = $5, \
             channel_notes = $6, state = $7, version = version + 1, updated_at_ms = $8 \
             WHERE id = $9 AND version = $10 RETURNING ",
            launch_columns!()
        );
        // Only open relative tasks move; one pinned or finished meanwhile by someone else is
        // left alone, as `reschedule` would have left it.
        const MOVE_TASK: &str = "UPDATE tasks SET due_date = $1, version = version + 1, updated_at_ms = $2 \
             WHERE id = $3 AND launch_id = $4 AND due_offset_days IS NOT NULL AND status <> 'done'";
        let launch = &change.launch;
        let at = change.history.first().map_or(0, |h| to_millis(h.at));
        let row: LaunchRow = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<LaunchRow> = sqlx::query_as(UPDATE)
                .bind(&launch.name)
                .bind(launch.tier.number())
                .bind(launch.launch_date)
                .bind(launch.lead.as_ref().map(|u| u.as_str()))
                .bind(&launch.key_messages)
                .bind(&launch.channel_notes)
                .bind(launch.state.as_str())
                .bind(at)
                .bind(launch.id.0)
                .bind(launch.version)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::Conflict);
            };
            for DueDateMove { task, to, .. } in &change.moves {
                sqlx::query(MOVE_TASK).bind(*to).bind(at).bind(task.0).bind(launch.id.0).execute(&mut *tx).await?;
            }
            for entry in &change.history {
                insert_history!(&mut *tx, entry)?;
            }
            tx.commit().await?;
            row
        });
        Launch::try_from(row)
    }

    /// Adds a success metric, or replaces the target of one with the same name.
    pub async fn upsert_metric(
        &self,
        launch: LaunchId,
        metric: &SuccessMetric,
        ctx: &ChangeContext,
    ) -> Result<(), StoreError> {
        const UPSERT: &str = "INSERT INTO launch_metrics (launch_id, name, target, unit, review_offset_days, target_direction) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (launch_id, name) DO UPDATE SET target = $3, unit = $4, review_offset_days = $5, \
             target_direction = $6";
        let entry = ctx.entry(
            launch,
            None,
            ChangeField::Metric,
            None,
            Some(format!(
                "{}: target {}{}{}",
                metric.name,
                metric.direction.prefix(),
                metric.target,
                metric.unit
            )),
        );
        on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(UPSERT)
                .bind(launch.0)
                .bind(&metric.name)
                .bind(metric.target)
                .bind(&metric.unit)
                .bind(metric.review_offset_days)
                .bind(metric.direction.as_str())
                .execute(&mut *tx)
                .await?;
            insert_history!(&mut *tx, &entry)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records the measured value of a metric, its name matched whatever its case (people type
    /// `activation rate` for `Activation rate`). Returns false when the launch has no metric of
    /// that name, so the caller can say so instead of inventing one.
    pub async fn record_metric_actual(
        &self,
        launch: LaunchId,
        name: &str,
        actual: f64,
        ctx: &ChangeContext,
    ) -> Result<bool, StoreError> {
        const UPDATE: &str =
            "UPDATE launch_metrics SET actual = $1, actual_at_ms = $2 WHERE launch_id = $3 AND lower(name) = lower($4)";
        let entry = ctx.entry(
            launch,
            None,
            ChangeField::Metric,
            None,
            Some(format!("{name}: actual {actual}")),
        );
        let updated = on_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let result = sqlx::query(UPDATE).bind(actual).bind(to_millis(ctx.at)).bind(launch.0).bind(name).execute(&mut *tx).await?;
            if result.rows_affected() >= 1 {
                insert_history!(&mut *tx, &entry)?;
            }
            tx.commit().await?;
            result.rows_affected() >= 1
        });
        Ok(updated)
    }

    /// A launch's metrics in the order they were added.
    pub async fn metrics(&self, launch: LaunchId) -> Result<Vec<SuccessMetric>, StoreError> {
        let rows: Vec<MetricRow> =
            on_pool!(self, pool => sqlx::query_as(METRICS).bind(launch.0).fetch_all(pool).await)?;
        convert_all(rows)
    }

    /// The metrics of every active launch, by launch, each in the order they were added: one
    /// query where the digest and the metric reviews would otherwise make one per launch.
    pub async fn active_launch_metrics(&self) -> Result<BTreeMap<LaunchId, Vec<SuccessMetric>>, StoreError> {
        const SQL: &str = "SELECT launch_id, name, target, target_direction, unit, review_offset_days, actual FROM launch_metrics \
             WHERE launch_id IN (SELECT id FROM launches WHERE state <> 'archived') ORDER BY launch_id, id";
        let rows: Vec<LaunchMetricRow> = on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        let mut by_launch: BTreeMap<LaunchId, Vec<SuccessMetric>> = BTreeMap::new();
        for row in rows {
            by_launch
                .entry(LaunchId(row.launch_id))
                .or_default()
                .push(row.metric.try_into()?);
        }
        Ok(by_launch)
    }
}

#[derive(sqlx::FromRow)]
struct LaunchMetricRow {
    launch_id: i64,
    #[sqlx(flatten)]
    metric: MetricRow,
}
