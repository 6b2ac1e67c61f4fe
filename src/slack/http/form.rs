//! [`SlackForm`]: the form-encoded body of a slash command or an interaction, read from the
//! bytes the signature check already holds.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A form Slack posts (`application/x-www-form-urlencoded`), deserialized as `T`.
///
/// Why not axum's `Form`: it records the name of every field it reads (`serde_path_to_error`)
/// for an error message, two allocations a field, two dozen a slash command, on every
/// request (BENCHMARKS.md, twelfth session). A form that does not read as `T` is refused
/// here with the same statuses `Form` gives: 415 when the body is not a form, 422 when its
/// fields do not fit.
#[derive(Debug)]
pub(super) struct SlackForm<T>(pub(super) T);

/// `application/x-www-form-urlencoded`, parameters (`; charset=utf-8`) and case aside.
fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for SlackForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_form(&request) {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a form: Content-Type: application/x-www-form-urlencoded",
            )
                .into_response());
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_bytes(&body)
            .map(SlackForm)
            .map_err(|err| (StatusCode::UNPROCESSABLE_ENTITY, format!("unreadable form: {err}")).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::payloads::SlashCommand;
    use axum::body::Body;

    fn post(content_type: Option<&str>, body: &str) -> Request {
        let mut request = Request::builder().method("POST").uri("/slack/commands");
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    }

    async fn read(content_type: Option<&str>, body: &str) -> Result<SlashCommand, StatusCode> {
        SlackForm::<SlashCommand>::from_request(post(content_type, body), &())
            .await
            .map(|SlackForm(command)| command)
            .map_err(|response| response.status())
    }

    /// The fields as Slack sends them: the body of Slack's signing-secret example request
    /// (docs.slack.dev, "Verifying requests from Slack"; SLACK-NOTES.md),
    /// escapes and `+` for a space decoded.
    #[tokio::test]
    async fn a_slash_command_form_reads_as_slack_sent_it() {
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow\
                    &channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner\
                    &command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands\
                    %2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN\
                    &trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let command = read(Some("application/x-www-form-urlencoded"), body).await.unwrap();
        assert_eq!(command.command, "/webhook-collect");
        assert_eq!(command.text, "");
        assert_eq!(
            (command.team_id.as_str(), command.user_id.as_str()),
            ("T1DC2JH3J", "U2CERLKJA")
        );
        assert_eq!(command.channel_id, "G8PSS9T3V");
        assert_eq!(
            command.response_url,
            "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
        );
        assert_eq!(
            command.trigger_id,
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        );
        assert_eq!((command.ssl_check, command.enterprise_id), (None, None));

        let text = "text=task+checkout-v2+sales+%22Battlecard+%E2%80%94+pricing%22+owner%3A%3C%40U0BOB%3E";
        let command = read(Some("application/x-www-form-urlencoded; charset=utf-8"), text)
            .await
            .unwrap();
        assert_eq!(
            command.text,
            "task checkout-v2 sales \"Battlecard — pricing\" owner:<@U0BOB>"
        );
    }

    #[tokio::test]
    async fn a_body_that_is_not_a_form_is_refused_as_axum_form_refuses_it() {
        assert_eq!(
            read(None, "text=hi").await.unwrap_err(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            read(Some("application/json"), r#"{"text":"hi"}"#).await.unwrap_err(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // A field given twice does not fit a `String`.
        assert_eq!(
            read(Some("application/x-www-form-urlencoded"), "text=a&text=b")
                .await
                .unwrap_err(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
