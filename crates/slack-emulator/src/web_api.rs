//! The Web API methods Liftoff calls, answered like Slack answers them (shapes and errors from
//! the method reference), and `response_url`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::block_kit::{MESSAGE_BLOCK_TEXT_CAP, block_kit_violations, block_text_chars, view_violations};
use crate::{BOT_ID, BOT_USER_ID, Call, ChannelState, EmulatorState, Failure, TEAM_ID};

fn parse_body(headers: &HeaderMap, query: Option<String>, body: &Bytes) -> Value {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let text = if body.is_empty() {
        query.unwrap_or_default()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text).unwrap_or_default();
    let mut map = serde_json::Map::new();
    for (key, value) in pairs {
        // Form-encoded Web API calls carry JSON in some fields (blocks, view).
        let parsed = serde_json::from_str::<Value>(&value)
            .ok()
            .filter(|v| v.is_array() || v.is_object())
            .unwrap_or(Value::String(value));
        map.insert(key, parsed);
    }
    Value::Object(map)
}

pub(crate) async fn api(
    State(state): State<Arc<Mutex<EmulatorState>>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = parse_body(&headers, query, &body);
    // Before the call counts: a caller that gives up (or dies) while waiting never had it done.
    let latency = state.lock().unwrap_or_else(|p| p.into_inner()).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let failure = {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let at = state.clock.as_ref().map(|now| now());
        let injected = state.failures.get_mut(&method).and_then(VecDeque::pop_front);
        let refused = state
            .token_refused
            .filter(|_| method != "apps.connections.open")
            .map(Failure::Api);
        let failure = match (injected.or(refused), state.outage, at) {
            (Some(failure), _, _) => Some(failure),
            (None, Some((until, slow)), Some(at)) if at < until => {
                state.outage_calls += 1;
                Some(match state.outage_calls % 4 {
                    1 => Failure::RateLimited { retry_after_secs: 20 },
                    3 => Failure::Slow(slow),
                    _ => Failure::ServerError,
                })
            }
            _ => {
                // Slack's own rate limits, when enforced, apply to calls nothing else failed.
                let channel = body.get("channel").and_then(Value::as_str);
                state
                    .rate
                    .check(&method, channel, std::time::Instant::now())
                    .map(|retry_after_secs| Failure::RateLimited { retry_after_secs })
            }
        };
        state.calls.push(Call {
            method: method.clone(),
            body: body.clone(),
            at,
            failure: failure.clone(),
            received: std::time::Instant::now(),
        });
        failure
    };
    match failure {
        Some(Failure::RateLimited { retry_after_secs }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after_secs.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
        }
        Some(Failure::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Some(Failure::Slow(delay) | Failure::StoredLate(delay)) => tokio::time::sleep(delay).await,
        Some(Failure::Api(error)) => return Json(json!({"ok": false, "error": error})).into_response(),
        Some(Failure::Lost(delay)) => {
            let answer = answer(&state, &method, &body);
            tokio::time::sleep(delay).await;
            return answer;
        }
        None => {}
    }
    answer(&state, &method, &body)
}

fn answer(state: &Arc<Mutex<EmulatorState>>, method: &str, body: &Value) -> Response {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let mut problems = Vec::new();
    if let Some(blocks) = body.get("blocks") {
        problems.extend(block_kit_violations(blocks, 50));
    }
    if let Some(view) = body.get("view") {
        problems.extend(view_violations(view));
    }
    if !problems.is_empty() {
        state
            .violations
            .extend(problems.iter().map(|p| format!("{method}: {p}")));
        return Json(json!({"ok": false, "error": "invalid_blocks", "errors": problems})).into_response();
    }
    if matches!(method, "chat.postMessage" | "chat.postEphemeral" | "chat.update")
        && let Some(blocks) = body.get("blocks")
        && block_text_chars(blocks) > MESSAGE_BLOCK_TEXT_CAP
    {
        let chars = block_text_chars(blocks);
        state
            .violations
            .push(format!("{method}: blocks carry {chars} characters of text"));
        return Json(json!({"ok": false, "error": "msg_blocks_too_long"})).into_response();
    }
    // Membership (docs.slack.dev chat.postMessage, conversations.history/replies errors): a
    // bot posts and reads only where it is a member (`not_in_channel`), never in an archived
    // channel (`is_archived`), and cannot see a private channel it is not in
    // (`channel_not_found`). No `chat:write.public` scope is declared, so public channels are
    // no exception.
    if matches!(
        method,
        "chat.postMessage" | "chat.postEphemeral" | "conversations.history" | "conversations.replies"
    ) && let Some(channel) = body["channel"].as_str()
    {
        let here = state
            .channels
            .get(channel)
            .copied()
            .unwrap_or_else(|| ChannelState::default_for(channel));
        let refusal = if here.private && !here.bot_is_member {
            Some("channel_not_found")
        } else if here.archived && method.starts_with("chat.") {
            Some("is_archived")
        } else if !here.bot_is_member {
            Some("not_in_channel")
        } else {
            None
        };
        if let Some(error) = refusal {
            return Json(json!({"ok": false, "error": error})).into_response();
        }
        if method == "chat.postMessage" && channel.starts_with('D') && state.messages_tab_disabled {
            return Json(json!({"ok": false, "error": "messages_tab_disabled"})).into_response();
        }
    }
    let answer = match method {
        "conversations.info" => {
            let id = body["channel"].as_str().unwrap_or_default().to_owned();
            let here = state
                .channels
                .get(&id)
                .copied()
                .unwrap_or_else(|| ChannelState::default_for(&id));
            if here.private && !here.bot_is_member {
                return Json(json!({"ok": false, "error": "channel_not_found"})).into_response();
            }
            json!({"ok": true, "channel": channel_object(&id, &here)})
        }
        "conversations.join" => {
            let id = body["channel"].as_str().unwrap_or_default().to_owned();
            let here = state
                .channels
                .entry(id.clone())
                .or_insert_with(|| ChannelState::default_for(&id));
            if here.private {
                // A bot cannot join a private channel; it cannot even see one it is not in.
                let error = if here.bot_is_member {
                    "method_not_supported_for_channel_type"
                } else {
                    "channel_not_found"
                };
                return Json(json!({"ok": false, "error": error})).into_response();
            }
            if here.archived {
                return Json(json!({"ok": false, "error": "is_archived"})).into_response();
            }
            here.bot_is_member = true;
            let here = *here;
            json!({"ok": true, "channel": channel_object(&id, &here)})
        }
        // docs.slack.dev auth.test: `enterprise_id` and `is_enterprise_install` are set for
        // workspaces of an Enterprise Grid organisation and org-wide installs.
        "auth.test" => match &state.org_wide {
            None => json!({
                "ok": true, "url": "https://liftoff-test.slack.com/", "team": "Liftoff Test",
                "user": "liftoff", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                "is_enterprise_install": false
            }),
            Some(enterprise) => json!({
                "ok": true, "url": "https://liftoff-org.enterprise.slack.com/", "team": "Liftoff Org",
                "user": "liftoff", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                "enterprise_id": enterprise, "is_enterprise_install": true
            }),
        },
        "chat.postMessage" => {
            state.next_ts += 100;
            let ts = format!("{}.{:06}", state.next_ts / 1_000_000, state.next_ts % 1_000_000);
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let mut message = json!({
                "ts": ts, "text": body["text"], "blocks": body.get("blocks").cloned().unwrap_or(json!([])),
                "user": BOT_USER_ID, "bot_id": BOT_ID, "type": "message"
            });
            if let Some(metadata) = body.get("metadata") {
                message["metadata"] = metadata.clone();
            }
            if let Some(thread_ts) = body.get("thread_ts") {
                message["thread_ts"] = thread_ts.clone();
            }
            state.messages.insert((channel.clone(), ts.clone()), message.clone());
            json!({"ok": true, "channel": channel, "ts": ts, "message": message})
        }
        // docs.slack.dev chat.update (errors as slack-ruby/slack-api-ref lists them):
        // `message_not_found` for no message at that ts; `cant_update_message` for a message
        // the caller did not post (a bot edits only its own); `is_inactive` in an archived
        // channel; `no_text` without text or blocks. `edit_window_closed` is the workspace's
        // edit window for people's messages, which does not bind an app's own messages, so it is
        // not modelled. What the update does not replace is kept: the message stays where it
        // is in its thread, and metadata is retained unless the update includes some.
        "chat.update" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let ts = body["ts"].as_str().unwrap_or_default().to_owned();
            let key = (channel.clone(), ts.clone());
            let Some(existing) = state.messages.get(&key).cloned() else {
                return Json(json!({"ok": false, "error": "message_not_found"})).into_response();
            };
            if existing["bot_id"].as_str() != Some(BOT_ID) {
                return Json(json!({"ok": false, "error": "cant_update_message"})).into_response();
            }
            if state.channels.get(&channel).is_some_and(|here| here.archived) {
                return Json(json!({"ok": false, "error": "is_inactive"})).into_response();
            }
            let no_text = body["text"].as_str().is_none_or(str::is_empty);
            let no_blocks = body["blocks"].as_array().is_none_or(Vec::is_empty);
            if no_text && no_blocks {
                return Json(json!({"ok": false, "error": "no_text"})).into_response();
            }
            let mut message = existing;
            message["text"] = body["text"].clone();
            message["blocks"] = body.get("blocks").cloned().unwrap_or(json!([]));
            message["edited"] = json!({"user": BOT_USER_ID, "ts": ts});
            if let Some(metadata) = body.get("metadata") {
                message["metadata"] = metadata.clone();
            }
            state.messages.insert(key, message.clone());
            json!({"ok": true, "channel": channel, "ts": ts, "text": body["text"], "message": message})
        }
        "chat.postEphemeral" => {
            state.next_ts += 100;
            json!({"ok": true, "message_ts": format!("{}.{:06}", state.next_ts / 1_000_000, state.next_ts % 1_000_000)})
        }
        "conversations.history" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let messages: Vec<Value> = match body["latest"].as_str() {
                Some(latest) => state
                    .messages
                    .get(&(channel, latest.to_owned()))
                    .map(|m| without_metadata_unless_asked(m, body))
                    .into_iter()
                    .collect(),
                None => {
                    let oldest = body["oldest"].as_str().unwrap_or("0").to_owned();
                    let mut found: Vec<Value> = state
                        .messages
                        .iter()
                        .filter(|((c, ts), m)| {
                            *c == channel && ts.as_str() >= oldest.as_str() && m.get("thread_ts").is_none()
                        })
                        .map(|(_, m)| without_metadata_unless_asked(m, body))
                        .collect();
                    found.sort_by(|a, b| b["ts"].as_str().cmp(&a["ts"].as_str()));
                    found
                }
            };
            json!({"ok": true, "messages": messages, "has_more": false})
        }
        "conversations.replies" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_owned();
            let parent = body["ts"].as_str().unwrap_or_default().to_owned();
            let messages: Vec<Value> = state
                .messages
                .iter()
                .filter(|((c, _), m)| *c == channel && m["thread_ts"].as_str() == Some(parent.as_str()))
                .map(|(_, m)| without_metadata_unless_asked(m, body))
                .collect();
            json!({"ok": true, "messages": messages, "has_more": false})
        }
        "users.info" => {
            let user = body["user"].as_str().unwrap_or_default().to_owned();
            let tz = state
                .timezones
                .get(&user)
                .cloned()
                .unwrap_or_else(|| "Etc/UTC".to_owned());
            json!({"ok": true, "user": {"id": user, "team_id": TEAM_ID, "name": "someone", "tz": tz, "deleted": false}})
        }
        "conversations.open" => {
            let users = match &body["users"] {
                Value::Array(users) => users.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
                other => other
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            };
            json!({"ok": true, "channel": {"id": format!("D{}", users.trim_start_matches('U'))}})
        }
        "reactions.add" => json!({"ok": true}),
        "apps.connections.open" => {
            let url = format!("{}/socket", state.root.replace("http://", "ws://"));
            json!({"ok": true, "url": url})
        }
        "views.open" | "views.update" | "views.push" | "views.publish" => {
            let mut view = body["view"].clone();
            view["id"] = json!("V0VIEW");
            view["team_id"] = json!(TEAM_ID);
            view["hash"] = json!("1.hash");
            json!({"ok": true, "view": view})
        }
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    Json(answer).into_response()
}

/// A conversation object as `conversations.info` and `conversations.join` return it
/// (docs.slack.dev "Conversation object"; the fields Liftoff and slack-morphism read).
fn channel_object(id: &str, here: &ChannelState) -> Value {
    json!({
        "id": id, "name": id.to_lowercase(), "name_normalized": id.to_lowercase(),
        "is_channel": !here.private && !id.starts_with('D'), "is_group": false, "is_im": id.starts_with('D'),
        "is_mpim": false, "is_private": here.private, "is_archived": here.archived, "is_general": false,
        "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
        "is_member": here.bot_is_member, "created": 1_700_000_000, "creator": "U0CREATOR",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "previous_names": []
    })
}

/// `conversations.history` and `conversations.replies` return a message's `metadata` only with
/// `include_all_metadata=true` (docs.slack.dev, both methods' arguments).
fn without_metadata_unless_asked(message: &Value, request: &Value) -> Value {
    let asked = matches!(&request["include_all_metadata"], Value::Bool(true))
        || matches!(request["include_all_metadata"].as_str(), Some("true" | "1"));
    let mut message = message.clone();
    if !asked && let Some(fields) = message.as_object_mut() {
        fields.remove("metadata");
    }
    message
}

pub(crate) async fn response_url(
    State(state): State<Arc<Mutex<EmulatorState>>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(blocks) = body.get("blocks") {
        let mut problems = block_kit_violations(blocks, 50);
        if block_text_chars(blocks) > MESSAGE_BLOCK_TEXT_CAP {
            problems.push(format!("blocks carry {} characters of text", block_text_chars(blocks)));
        }
        if !problems.is_empty() {
            state
                .violations
                .extend(problems.iter().map(|p| format!("response_url: {p}")));
            return (StatusCode::BAD_REQUEST, "invalid_blocks").into_response();
        }
    }
    body["response_url_id"] = json!(id);
    let at = state.clock.as_ref().map(|now| now());
    state.calls.push(Call {
        method: "response_url".to_owned(),
        body,
        at,
        failure: None,
        received: std::time::Instant::now(),
    });
    Json(json!({"ok": true})).into_response()
}
