//! Slack's v0 request signatures: `v0=` + hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}")).
//!
//! Checked by hand with `hmac`/`sha2`/`subtle` rather than slack-morphism's verifier because
//! that one compares the timestamp with the wall clock; ours takes `now` from the injected
//! clock, like every other time-dependent rule.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const SIGNATURE_HEADER: &str = "x-slack-signature";
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";

/// Slack's replay window: requests stamped further than this from now are refused.
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("the request timestamp is not a number")]
    BadTimestamp,
    #[error("the request timestamp is {0} seconds away from now")]
    Stale(i64),
    #[error("the signature does not match")]
    Mismatch,
}

/// The `v0=…` signature Slack would send for `body` at `timestamp`.
pub fn sign(secret: &SecretString, timestamp: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).expect("HMAC accepts any key length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Verifies a request's signature over its raw body, then its freshness against `now`.
pub fn verify(
    secret: &SecretString,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::MissingHeader(TIMESTAMP_HEADER))?;
    let signature = signature.ok_or(SignatureError::MissingHeader(SIGNATURE_HEADER))?;
    let expected = sign(secret, timestamp, body);
    if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
        return Err(SignatureError::Mismatch);
    }
    let stamped: i64 = timestamp.parse().map_err(|_| SignatureError::BadTimestamp)?;
    let skew = now.timestamp().saturating_sub(stamped);
    if skew.abs() > MAX_SKEW_SECONDS {
        return Err(SignatureError::Stale(skew));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slack's published example (docs.slack.dev, "Verifying requests from Slack").
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn secret() -> SecretString {
        SecretString::from(SECRET)
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn slacks_published_example_verifies() {
        assert_eq!(sign(&secret(), TIMESTAMP, BODY.as_bytes()), SIGNATURE);
        assert_eq!(
            verify(
                &secret(),
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY.as_bytes(),
                at(1531420618 + 10)
            ),
            Ok(())
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let now = 1531420618;
        let check = |offset: i64| {
            verify(
                &secret(),
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY.as_bytes(),
                at(now + offset),
            )
        };
        assert_eq!(check(300), Ok(()));
        assert_eq!(check(-300), Ok(()));
        assert_eq!(check(301), Err(SignatureError::Stale(301)));
        assert_eq!(check(-301), Err(SignatureError::Stale(-301)));
    }

    #[test]
    fn every_one_byte_change_is_refused() {
        let now = at(1531420618);
        let body = BODY.as_bytes();
        for i in 0..body.len() {
            let mut mutated = body.to_vec();
            mutated[i] ^= 0x01;
            assert_eq!(
                verify(&secret(), Some(TIMESTAMP), Some(SIGNATURE), &mutated, now),
                Err(SignatureError::Mismatch),
                "body byte {i}"
            );
        }
        for i in 0..SIGNATURE.len() {
            let mut mutated = SIGNATURE.as_bytes().to_vec();
            mutated[i] ^= 0x01;
            let mutated = String::from_utf8_lossy(&mutated).into_owned();
            assert_eq!(
                verify(&secret(), Some(TIMESTAMP), Some(&mutated), body, now),
                Err(SignatureError::Mismatch),
                "signature byte {i}"
            );
        }
        for i in 0..TIMESTAMP.len() {
            let mut mutated = TIMESTAMP.as_bytes().to_vec();
            mutated[i] ^= 0x01;
            let mutated = String::from_utf8_lossy(&mutated).into_owned();
            assert_eq!(
                verify(&secret(), Some(&mutated), Some(SIGNATURE), body, now),
                Err(SignatureError::Mismatch),
                "timestamp byte {i}"
            );
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let now = at(1531420618);
        assert_eq!(
            verify(&secret(), None, Some(SIGNATURE), BODY.as_bytes(), now),
            Err(SignatureError::MissingHeader(TIMESTAMP_HEADER))
        );
        assert_eq!(
            verify(&secret(), Some(TIMESTAMP), None, BODY.as_bytes(), now),
            Err(SignatureError::MissingHeader(SIGNATURE_HEADER))
        );
    }
}
