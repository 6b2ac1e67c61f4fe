//! Functions: their check-in channel and lead as set in Slack over the configured defaults.

use super::{Service, ServiceError};
use crate::store::{FunctionSetting, StoreError};
use crate::views::{Reply, UserError, View};
use liftoff_core::command::Subcommand;
use liftoff_core::{ChangeSource, FunctionDef, FunctionName, SlackUserId};

impl Service {
    pub(super) async fn set_function(
        &self,
        actor: &SlackUserId,
        function: &FunctionName,
        setting: FunctionSetting,
        source: ChangeSource,
    ) -> Result<Reply, ServiceError> {
        // A function's channel and lead decide where its check-ins go and who votes at
        // go/no-go and hears its escalations: settings that affect everyone, so admins set
        // them, and a function's current lead sets its own.
        let subcommand = match setting {
            FunctionSetting::Channel(_) => Subcommand::Channel,
            FunctionSetting::Lead(_) => Subcommand::Lead,
        };
        let Some(current) = self
            .effective_functions()
            .await?
            .into_iter()
            .find(|def| &def.name == function)
        else {
            // The parser accepts only known functions, but the configuration may have changed.
            return Err(ServiceError::user(
                subcommand,
                UserError::NoSuchFunction(function.clone()),
            ));
        };
        let is_its_lead = current.lead.as_ref() == Some(actor);
        // Without admins and without a lead nobody could ever set one: then anyone may, as
        // anyone may manage a launch that has no lead.
        let unclaimed = self.config.admins.is_empty() && current.lead.is_none();
        if !self.config.is_admin(actor) && !is_its_lead && !unclaimed {
            return Err(ServiceError::user(
                subcommand,
                UserError::NotFunctionManager {
                    function: current.display_name.clone(),
                    lead: current.lead.clone(),
                    setting: subcommand,
                },
            ));
        }
        self.store
            .set_function_setting(function, &setting, &self.ctx(actor, source))
            .await?;
        let function = self
            .effective_functions()
            .await?
            .into_iter()
            .find(|def| &def.name == function)
            .expect("the parser only accepts known functions");
        Ok(Reply::ephemeral(View::FunctionUpdated { function }))
    }

    /// Functions with the channel and lead set in Slack applied over the configured defaults.
    pub async fn effective_functions(&self) -> Result<Vec<FunctionDef>, StoreError> {
        let overrides = self.store.function_overrides().await?;
        Ok(self.functions_with(&overrides))
    }

    /// The configured functions with `overrides` (as stored) applied.
    pub(super) fn functions_with(
        &self,
        overrides: &std::collections::BTreeMap<liftoff_core::FunctionName, liftoff_core::FunctionOverrides>,
    ) -> Vec<FunctionDef> {
        self.config
            .functions
            .iter()
            .map(|def| match overrides.get(&def.name) {
                Some(o) => def.with_overrides(o),
                None => def.clone(),
            })
            .collect()
    }
}
