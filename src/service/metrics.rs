//! Success metrics: setting a launch's targets and recording their actuals.

use super::{Asker, Service, ServiceError};
use crate::store::StoreError;
use crate::views::{Reply, UserError, View};
use liftoff_core::LaunchRef;
use liftoff_core::command::Subcommand;

impl Service {
    /// Sets (or replaces) one of a launch's success metrics.
    pub(super) async fn set_metric(
        &self,
        asker: &Asker<'_>,
        launch: LaunchRef,
        metric: liftoff_core::SuccessMetric,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Metric;
        let (actor, source) = (asker.actor, asker.source);
        let launch = self.find_launch(&launch, subcommand).await?;
        if !launch.state.is_active() {
            return Err(ServiceError::user(
                subcommand,
                UserError::LaunchArchived(launch.slug.clone()),
            ));
        }
        self.store
            .upsert_metric(launch.id, &metric, &self.ctx(actor, source))
            .await?;
        Ok(Reply::in_channel(View::MetricSet { launch, metric }))
    }

    /// Records a metric's actual value.
    pub(super) async fn record_actual(
        &self,
        asker: &Asker<'_>,
        launch: LaunchRef,
        name: String,
        value: f64,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::Actual;
        let (actor, source) = (asker.actor, asker.source);
        let launch = self.find_launch(&launch, subcommand).await?;
        if !self
            .store
            .record_metric_actual(launch.id, &name, value, &self.ctx(actor, source))
            .await?
        {
            let known: Vec<String> = self
                .store
                .metrics(launch.id)
                .await?
                .into_iter()
                .map(|m| m.name)
                .collect();
            return Err(ServiceError::user(
                subcommand,
                UserError::NoSuchMetric {
                    launch: launch.slug.clone(),
                    name,
                    known,
                },
            ));
        }
        let metric = self
            .store
            .metrics(launch.id)
            .await?
            .into_iter()
            .find(|m| m.name.to_lowercase() == name.to_lowercase())
            .ok_or_else(|| StoreError::Corrupt("metric vanished".to_owned()))?;
        Ok(Reply::in_channel(View::MetricSet { launch, metric }))
    }
}
