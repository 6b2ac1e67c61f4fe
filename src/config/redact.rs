//! Redaction of database URLs for logs and error messages. Its own file because it is a
//! security rule (no password ever printed) used by both validation and `DatabaseConfig`, and
//! outside `config` by anything that logs a URL.

/// Query parameters of a database URL that carry a secret (libpq's `password` and
/// `sslpassword`, and their common spellings).
const SECRET_URL_PARAMS: &[&str] = &["password", "pass", "pwd", "sslpassword", "secret", "token"];

/// A database URL fit for logs: the password in `scheme://user:password@host/...` and every
/// secret query parameter (`?password=…`) become `***`. A URL that does not parse is not shown
/// at all beyond its scheme, since where its secret sits cannot be known.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(raw) else {
        let scheme = raw
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|scheme| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'));
        return match scheme {
            Some(scheme) => format!("{scheme}:*** (not a valid URL)"),
            None => "*** (not a valid URL)".to_owned(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let secret = |key: &str| SECRET_URL_PARAMS.iter().any(|s| key.eq_ignore_ascii_case(s));
    if parsed.query_pairs().any(|(key, _)| secret(&key)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if secret(&key) {
                    "***".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}
