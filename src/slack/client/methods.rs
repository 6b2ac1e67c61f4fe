//! The Web API methods Liftoff calls, one function each (tests/api/manifest.rs reads this
//! directory for the method names, to check the app manifests ask for their scopes).

use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;

use super::{SlackApi, SlackApiError, content};
use crate::slack::blocks::Rendered;
use liftoff_core as domain;

/// Who the bot is, from `auth.test`: requests from any other team are refused, and the bot's
/// own messages are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    pub team_id: domain::SlackTeamId,
    pub user_id: domain::SlackUserId,
    pub bot_id: Option<String>,
    /// The Enterprise Grid organisation the app is installed in org-wide, if it is: such an
    /// install serves requests from every workspace of the organisation. `None` for an app
    /// installed in one workspace, even one that belongs to an organisation.
    pub org_wide_enterprise_id: Option<String>,
}

/// A `users.info` call already counted against this app's budget
/// ([`SlackApi::users_info_turn`]): the lookup it allows needs no check of its own.
#[derive(Debug)]
pub struct UsersInfoTurn(());

/// What `conversations.info` says of a channel, as far as posting there goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelInfo {
    pub is_member: bool,
    pub is_private: bool,
    pub is_archived: bool,
}

/// The metadata event type that marks Liftoff's outbox messages.
pub const OUTBOX_EVENT_TYPE: &str = "liftoff_outbox";

impl SlackApi {
    pub async fn auth_test(&self) -> Result<BotIdentity, SlackApiError> {
        /// auth.test's answer as docs.slack.dev documents it; slack-morphism 2.31's response
        /// type has no `enterprise_id`, which org-wide installs need.
        #[derive(serde::Deserialize)]
        struct AuthTest {
            team_id: String,
            user_id: String,
            bot_id: Option<String>,
            enterprise_id: Option<String>,
            #[serde(default)]
            is_enterprise_install: bool,
        }
        let session = self.client.open_session(&self.token);
        let no_params: Vec<(&str, Option<&str>)> = Vec::new();
        let response: AuthTest = self
            .call(
                "auth.test",
                session.http_session_api.http_get("auth.test", &no_params, None),
            )
            .await?;
        let invalid = |what: &str| SlackApiError::Transport {
            method: "auth.test",
            reason: format!("answer has an invalid {what}"),
        };
        Ok(BotIdentity {
            team_id: domain::SlackTeamId::parse(&response.team_id).map_err(|_| invalid("team_id"))?,
            user_id: domain::SlackUserId::parse(&response.user_id).map_err(|_| invalid("user_id"))?,
            bot_id: response.bot_id,
            org_wide_enterprise_id: response
                .enterprise_id
                .filter(|e| !e.is_empty() && response.is_enterprise_install),
        })
    }

    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsOpenRequest::new(SlackTriggerId(trigger_id.to_owned()), view);
        self.call("views.open", session.views_open(&request)).await.map(|_| ())
    }

    pub async fn update_message(
        &self,
        channel: &domain::SlackChannelId,
        ts: &str,
        message: &Rendered,
    ) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(channel.as_str().to_owned()),
            content(message),
            SlackTs(ts.to_owned()),
        );
        self.call("chat.update", session.chat_update(&request))
            .await
            .map(|_| ())
    }

    /// Posts a message (in a thread when `thread_ts` is given); returns its channel and ts.
    ///
    /// With an `outbox_key`, the message carries it as Slack message metadata, so that a retry
    /// after an unclear outcome (a timeout, a crash) can find out whether it was posted.
    pub async fn post_message(
        &self,
        channel: &str,
        message: &Rendered,
        thread_ts: Option<&str>,
        outbox_key: Option<&str>,
    ) -> Result<(String, String), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let mut content = content(message);
        if let Some(key) = outbox_key {
            content = content.with_metadata(SlackMessageMetadata {
                event_type: OUTBOX_EVENT_TYPE.to_owned(),
                event_payload: Some(std::collections::HashMap::from([("key".to_owned(), key.to_owned())])),
            });
        }
        let mut request = SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_owned()), content);
        if let Some(ts) = thread_ts {
            request = request.with_thread_ts(SlackTs(ts.to_owned()));
        }
        let response = self
            .call("chat.postMessage", session.chat_post_message(&request))
            .await?;
        Ok((response.channel.0, response.ts.0))
    }

    /// The ts of a message posted with `outbox_key` in `channel` (in `thread_ts`'s thread if
    /// given) since `oldest`, if there is one.
    pub async fn find_posted(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        outbox_key: &str,
        oldest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let oldest = SlackTs(format!("{}.000000", oldest.timestamp().saturating_sub(60)));
        let messages = match thread_ts {
            Some(parent) => {
                // Slack returns message metadata only when asked (`include_all_metadata`, on
                // conversations.replies as on conversations.history), and slack-morphism 2.31's
                // replies request has no such field: without it every thread reply looks
                // unposted and is posted again. So the method is called with the argument
                // through slack-morphism's generic GET, which still signs, times and parses it.
                let oldest = oldest.0;
                let params: Vec<(&str, Option<&str>)> = vec![
                    ("channel", Some(channel)),
                    ("ts", Some(parent)),
                    ("oldest", Some(oldest.as_str())),
                    ("limit", Some("200")),
                    ("include_all_metadata", Some("true")),
                ];
                let response: SlackApiConversationsRepliesResponse = self
                    .call(
                        "conversations.replies",
                        session
                            .http_session_api
                            .http_get("conversations.replies", &params, None),
                    )
                    .await?;
                response.messages
            }
            None => {
                let request = SlackApiConversationsHistoryRequest::new()
                    .with_channel(SlackChannelId(channel.to_owned()))
                    .with_oldest(oldest)
                    .with_include_all_metadata(true)
                    .with_limit(200);
                self.call("conversations.history", session.conversations_history(&request))
                    .await?
                    .messages
            }
        };
        Ok(messages
            .into_iter()
            .find(|m| {
                m.content.metadata.as_ref().is_some_and(|meta| {
                    meta.event_type == OUTBOX_EVENT_TYPE
                        && meta
                            .event_payload
                            .as_ref()
                            .and_then(|p| p.get("key"))
                            .is_some_and(|k| k == outbox_key)
                })
            })
            .map(|m| m.origin.ts.0))
    }

    /// Whether the bot is in `channel`, and what kind of channel it is (`conversations.info`).
    /// A private channel the bot is not in answers `channel_not_found`.
    pub async fn channel_info(&self, channel: &str) -> Result<ChannelInfo, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsInfoRequest::new(SlackChannelId(channel.to_owned()));
        let response = self
            .call("conversations.info", session.conversations_info(&request))
            .await?;
        let flags = response.channel.flags;
        Ok(ChannelInfo {
            is_member: flags.is_member.unwrap_or(false),
            is_private: flags.is_private.unwrap_or(false) || flags.is_group.unwrap_or(false),
            is_archived: flags.is_archived.unwrap_or(false),
        })
    }

    /// Joins a public channel (`conversations.join`, scope `channels:join`).
    pub async fn join_channel(&self, channel: &str) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsJoinRequest::new(SlackChannelId(channel.to_owned()));
        self.call("conversations.join", session.conversations_join(&request))
            .await
            .map(|_| ())
    }

    /// The outbox key Liftoff put in the metadata of the message at `ts` in `channel`, if that
    /// message is Liftoff's (`conversations.history` with `include_all_metadata`).
    pub async fn outbox_key_of(&self, channel: &str, ts: &str) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(SlackChannelId(channel.to_owned()))
            .with_latest(SlackTs(ts.to_owned()))
            .with_inclusive(true)
            .with_include_all_metadata(true)
            .with_limit(1);
        let response = self
            .call("conversations.history", session.conversations_history(&request))
            .await?;
        Ok(response
            .messages
            .into_iter()
            .find(|m| m.origin.ts.0 == ts)
            .and_then(|m| m.content.metadata)
            .filter(|meta| meta.event_type == OUTBOX_EVENT_TYPE)
            .and_then(|meta| meta.event_payload)
            .and_then(|payload| payload.get("key").cloned()))
    }

    /// Opens (or finds) the direct-message channel with `user`.
    pub async fn open_dm(&self, user: &str) -> Result<String, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId(user.to_owned())]);
        let response = self
            .call("conversations.open", session.conversations_open(&request))
            .await?;
        Ok(response.channel.id.0)
    }

    pub async fn add_reaction(&self, channel: &str, ts: &str, name: &str) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiReactionsAddRequest::new(
            SlackChannelId(channel.to_owned()),
            SlackReactionName(name.to_owned()),
            SlackTs(ts.to_owned()),
        );
        match self.call("reactions.add", session.reactions_add(&request)).await {
            // Reacting twice is not a failure: the reaction is there.
            Err(SlackApiError::Api { error, .. }) if error == "already_reacted" => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// One `users.info` call from this app's budget (see `USERS_INFO_PER_MINUTE`), or `None`
    /// when it is spent. Taken before deciding to look someone up, so that a command past the
    /// budget starts no lookup at all.
    pub fn users_info_turn(&self) -> Option<UsersInfoTurn> {
        self.users_info.check().ok().map(|()| UsersInfoTurn(()))
    }

    /// A person's IANA time zone from their Slack profile, on a `turn` of the budget.
    pub async fn user_timezone(&self, _turn: UsersInfoTurn, user: &str) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiUsersInfoRequest::new(SlackUserId(user.to_owned()));
        let response = self.call("users.info", session.users_info(&request)).await?;
        Ok(response.user.tz)
    }

    /// An ephemeral message to `user` in `channel`, optionally inside a thread.
    pub async fn post_ephemeral_in(
        &self,
        channel: &str,
        user: &str,
        message: &Rendered,
        thread_ts: Option<&str>,
    ) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let mut request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId(channel.to_owned()),
            SlackUserId(user.to_owned()),
            content(message),
        );
        if let Some(ts) = thread_ts {
            request = request.with_thread_ts(SlackTs(ts.to_owned()));
        }
        self.call("chat.postEphemeral", session.chat_post_ephemeral(&request))
            .await
            .map(|_| ())
    }

    /// Publishes `user`'s App Home tab.
    pub async fn publish_home(&self, user: &str, view: SlackView) -> Result<(), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsPublishRequest::new(SlackUserId(user.to_owned()), view);
        self.call("views.publish", session.views_publish(&request))
            .await
            .map(|_| ())
    }

    /// A fresh Socket Mode websocket URL, opened with the app-level token (`xapp-…`).
    pub async fn open_socket_url(&self, app_token: &SecretString) -> Result<String, SlackApiError> {
        let token = SlackApiToken::new(app_token.expose_secret().to_owned().into());
        let session = self.client.open_session(&token);
        let response = self
            .call(
                "apps.connections.open",
                session.apps_connections_open(&SlackApiAppsConnectionOpenRequest::new()),
            )
            .await?;
        Ok(response.url.0.to_string())
    }

    /// The text and blocks of the message at `ts` in `channel`, if it still exists.
    pub async fn message(
        &self,
        channel: &domain::SlackChannelId,
        ts: &str,
    ) -> Result<Option<(String, Vec<serde_json::Value>)>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(SlackChannelId(channel.as_str().to_owned()))
            .with_latest(SlackTs(ts.to_owned()))
            .with_inclusive(true)
            .with_limit(1);
        let response = self
            .call("conversations.history", session.conversations_history(&request))
            .await?;
        Ok(response.messages.into_iter().find(|m| m.origin.ts.0 == ts).map(|m| {
            let blocks = m
                .content
                .blocks
                .unwrap_or_default()
                .iter()
                .filter_map(|b| serde_json::to_value(b).ok())
                .collect();
            (m.content.text.unwrap_or_default(), blocks)
        }))
    }

    /// Answers through an interaction's `response_url`; `replace_original` swaps the message
    /// the button was on (the only way to update an ephemeral message).
    pub async fn respond(
        &self,
        response_url: &str,
        message: &Rendered,
        replace_original: bool,
    ) -> Result<(), SlackApiError> {
        let url = url::Url::parse(response_url).map_err(|e| SlackApiError::Transport {
            method: "response_url",
            reason: format!("invalid response_url: {e}"),
        })?;
        let request = SlackApiPostWebhookMessageRequest::new(content(message)).with_replace_original(replace_original);
        self.call(
            "response_url",
            self.client.respond_to_event(&SlackResponseUrl(url), &request),
        )
        .await
        .map(|_| ())
    }
}
