//! Which installation of the app a request is for, read the way Slack's own SDK reads it.
//!
//! The outer `team_id` is not always the installing workspace: in a Slack Connect channel an
//! event's `team_id` can be the other organisation's, and the installing team is in
//! `authorizations[0].team_id`; a modal opened from such a channel carries
//! `view.app_installed_team_id`; with an org-wide install, `team` is `null` in interactive
//! payloads and the organisation is `enterprise.id`. This is a port of bolt-python's
//! `extract_team_id` / `extract_enterprise_id` (`slack_bolt/request/internals.py`), in its order.

use serde_json::Value;

/// The workspace and organisation a request was sent for, as far as the payload says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installation {
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
}

impl Installation {
    /// From a JSON payload: an Events API envelope or an interactive payload.
    pub fn of_payload(payload: &Value) -> Installation {
        Installation {
            team_id: team_id(payload),
            enterprise_id: enterprise_id(payload),
        }
    }

    /// From a slash command's form fields (`team_id`, `enterprise_id`).
    pub fn of_command(team_id: &str, enterprise_id: Option<&str>) -> Installation {
        Installation {
            team_id: Some(team_id.to_owned()).filter(|t| !t.is_empty()),
            enterprise_id: enterprise_id.map(str::to_owned).filter(|e| !e.is_empty()),
        }
    }

    /// Whether the bot installed in `team_id` (and org-wide in `org_wide_enterprise_id`, if it
    /// is) serves this request: the same workspace, or, for an org-wide install, any workspace
    /// of the same organisation.
    pub fn is_served_by(&self, team_id: &str, org_wide_enterprise_id: Option<&str>) -> bool {
        if self.team_id.as_deref() == Some(team_id) {
            return true;
        }
        matches!((org_wide_enterprise_id, self.enterprise_id.as_deref()), (Some(ours), Some(theirs)) if ours == theirs)
    }

    /// For logs: which installation a refused request named.
    pub fn describe(&self) -> String {
        match (&self.team_id, &self.enterprise_id) {
            (Some(team), Some(org)) => format!("{team} ({org})"),
            (Some(team), None) => team.clone(),
            (None, Some(org)) => org.clone(),
            (None, None) => "unknown".to_owned(),
        }
    }
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

fn first_authorization(payload: &Value) -> Option<&Value> {
    payload.get("authorizations")?.as_array()?.first()
}

fn team_id(payload: &Value) -> Option<String> {
    if let Some(installed) = string(payload.get("view").and_then(|v| v.get("app_installed_team_id"))) {
        return Some(installed);
    }
    match payload.get("team") {
        Some(Value::String(team)) => return Some(team.clone()),
        Some(team @ Value::Object(_)) if team.get("id").is_some() => return string(team.get("id")),
        _ => {}
    }
    if let Some(authorization) = first_authorization(payload) {
        return team_id(authorization);
    }
    if let Some(team) = payload.get("team_id") {
        return team.as_str().map(str::to_owned);
    }
    if let Some(event) = payload.get("event").filter(|e| e.is_object()) {
        return team_id(event);
    }
    if let Some(team) = string(payload.get("user").and_then(|u| u.get("team_id"))) {
        return Some(team);
    }
    string(payload.get("view").and_then(|v| v.get("team_id")))
}

fn enterprise_id(payload: &Value) -> Option<String> {
    match payload.get("enterprise") {
        Some(Value::String(org)) => return Some(org.clone()),
        Some(org @ Value::Object(_)) if org.get("id").is_some() => return string(org.get("id")),
        _ => {}
    }
    if let Some(authorization) = first_authorization(payload) {
        return enterprise_id(authorization);
    }
    if let Some(org) = payload.get("enterprise_id") {
        return org.as_str().map(str::to_owned);
    }
    if let Some(org) = string(payload.get("team").and_then(|t| t.get("enterprise_id"))) {
        return Some(org);
    }
    payload.get("event").filter(|e| e.is_object()).and_then(enterprise_id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_shared_channel_event_is_for_the_team_in_its_authorizations() {
        // bolt-python tests/scenario_tests/test_events_shared_channels.py: the actor's team is
        // outside, the installation is in authorizations[0].
        let event = json!({
            "team_id": "TEAM_ID_ACTOR", "enterprise_id": "ENTERPRISE_ID_ACTOR",
            "authorizations": [{"enterprise_id": "E_INSTALLED", "team_id": "T_INSTALLED", "user_id": "U_BOT",
                                "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": true, "type": "event_callback",
            "event": {"type": "message", "team": "TEAM_ID_ACTOR"}
        });
        let installation = Installation::of_payload(&event);
        assert_eq!(installation.team_id.as_deref(), Some("T_INSTALLED"));
        assert!(installation.is_served_by("T_INSTALLED", None));
        assert!(!installation.is_served_by("TEAM_ID_ACTOR", None));
    }

    #[test]
    fn a_modal_from_a_connect_channel_is_for_the_installed_team() {
        let submission =
            json!({"team": {"id": "T_GUEST"}, "view": {"team_id": "T_GUEST", "app_installed_team_id": "T_HOME"}});
        assert_eq!(Installation::of_payload(&submission).team_id.as_deref(), Some("T_HOME"));
    }

    #[test]
    fn an_org_wide_install_has_no_team_but_an_organisation() {
        // bolt-python tests/scenario_tests/test_block_actions.py (org apps): `team` is null.
        let click = json!({"team": null, "enterprise": {"id": "E111", "name": "Sandbox Org"},
                           "user": {"id": "W111", "team_id": "T_expected"}, "is_enterprise_install": true});
        let installation = Installation::of_payload(&click);
        assert_eq!(installation.team_id.as_deref(), Some("T_expected"));
        assert_eq!(installation.enterprise_id.as_deref(), Some("E111"));
        assert!(installation.is_served_by("T_ORGWIDE", Some("E111")));
        assert!(!installation.is_served_by("T_ORGWIDE", Some("E999")));
        assert!(!installation.is_served_by("T_ORGWIDE", None));
    }
}
