//! Unit tests of configuration loading as a whole: defaults, environment overrides, every
//! validation message, templates, credentials, redaction and the example file. In their own
//! file because they exercise all the `config` files together.

use secrecy::ExposeSecret;

use liftoff_core::Tier;

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn load_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    Config::from_toml(text, env)
}

fn problems_of(text: &str) -> Vec<String> {
    match load_str(text, &no_env) {
        Err(err) => err.problems(),
        Ok(_) => panic!("expected problems in:\n{text}"),
    }
}

#[test]
fn defaults_are_valid() {
    let config = load_str("", &no_env).unwrap();
    assert_eq!(config.server.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(config.slack.api_url, DEFAULT_SLACK_API_URL);
    assert_eq!(config.database.url.expose_secret(), "sqlite://liftoff.db");
    assert_eq!(config.slack.transport(), Transport::Http);
    assert_eq!(config.functions.names().count(), 5);
}

#[test]
fn environment_overrides_the_file() {
    let env = |key: &str| match key {
        "DATABASE_URL" => Some("postgres://postgres@127.0.0.1/test".to_owned()),
        "LIFTOFF_BIND" => Some("0.0.0.0:8080".to_owned()),
        "LIFTOFF_SLACK_API_URL" => Some("http://127.0.0.1:9999/api/".to_owned()),
        "SLACK_APP_TOKEN" => Some("xapp-1-abcdefgh".to_owned()),
        _ => None,
    };
    let config = load_str("[server]\nbind = \"127.0.0.1:1\"\n", &env).unwrap();
    assert_eq!(config.server.bind.to_string(), "0.0.0.0:8080");
    assert_eq!(
        config.database.url.expose_secret(),
        "postgres://postgres@127.0.0.1/test"
    );
    assert_eq!(config.slack.api_url, "http://127.0.0.1:9999/api");
    assert_eq!(config.slack.transport(), Transport::SocketMode);
}

#[test]
fn every_bad_value_is_reported_with_its_key() {
    let problems = problems_of(
        r##"
            [calendar]
            timezone = "Mars/Olympus"
            working_days = ["Mon", "Funday"]
            holidays = ["2026-13-01"]
            working_hours = "18:00-09:00"
            [schedules]
            digest = "0 61 8 * * *"
            checkin = "every monday"
            [channels]
            pmo = "#launches"
            [permissions]
            admins = ["bob"]
            [database]
            url = "mysql://x"
            [server]
            bind = "localhost"
            "##,
    );
    let expect = [
        "calendar.timezone: unknown time zone `Mars/Olympus`",
        "calendar.working_days: `Funday` is not a weekday",
        "calendar.holidays: `2026-13-01` is not a date",
        "calendar.working_hours: the day must end after it starts",
        "schedules.digest: `0 61 8 * * *` is not a cron expression",
        "schedules.checkin: `every monday` is not a cron expression",
        "channels.pmo: `#launches` is not a Slack channel id",
        "permissions.admins: `bob` is not a Slack user id",
        "database.url: `mysql://x` is not a supported database URL",
        "server.bind: `localhost` is not a listen address",
    ];
    for prefix in expect {
        assert!(
            problems.iter().any(|p| p.starts_with(prefix)),
            "missing `{prefix}` in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
}

#[test]
fn the_check_in_horizon_defaults_to_a_week_and_is_bounded() {
    assert_eq!(load_str("", &no_env).unwrap().checkins.horizon_days, 7);
    let config = load_str("[checkins]\nhorizon_days = 3\n", &no_env).unwrap();
    assert_eq!(config.checkins.horizon_days, 3);
    let problems = problems_of("[checkins]\nhorizon_days = -1\n");
    assert_eq!(
        problems,
        vec!["checkins.horizon_days: must be between 0 and 90".to_owned()]
    );
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let err = load_str("[server]\nbnd = \"127.0.0.1:1\"\n", &no_env).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("unknown field `bnd`"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
}

#[test]
fn functions_can_be_configured_and_extended() {
    let config = load_str(
        r#"
            [functions.marketing]
            channel = "C0MKTG"
            lead = "U0LEAD"
            [functions.legal]
            display_name = "Legal"
            aliases = ["law"]
            channel = "C0LEGAL"
            "#,
        &no_env,
    )
    .unwrap();
    let marketing = config.functions.resolve("mktg").unwrap();
    assert_eq!(marketing.channel.as_ref().unwrap().as_str(), "C0MKTG");
    assert_eq!(marketing.lead.as_ref().unwrap().as_str(), "U0LEAD");
    assert_eq!(config.functions.resolve("law").unwrap().display_name, "Legal");

    let problems = problems_of("[functions.legal]\naliases = [\"pm\"]\nchannel = \"nope\"\n");
    assert!(
        problems.iter().any(|p| p.starts_with("functions.legal.channel:")),
        "{problems:?}"
    );
    let problems = problems_of("[functions.legal]\naliases = [\"pm\"]\n");
    assert_eq!(problems, vec!["functions: `pm` is used for both `product` and `legal`"]);
    let problems = problems_of("[functions.Legal]\n");
    assert!(problems[0].starts_with("functions.Legal: `Legal` is not a valid function name"));
}

#[test]
fn templates_ship_for_every_tier_and_are_validated() {
    let config = load_str("", &no_env).unwrap();
    assert_eq!(config.templates.for_tier(Tier::One).len(), 18);
    assert!(!config.templates.for_tier(Tier::Two).is_empty());
    assert_eq!(config.templates.for_tier(Tier::Three).len(), 3);
    assert_eq!(
        config.templates.for_tier(Tier::One)[0].title,
        "Positioning and key messages"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("templates.toml");
    std::fs::write(
        &path,
        "[[tier1]]\nfunction = \"legal\"\ntitle = \"Contract\"\ndue = \"T-5\"\n\
         [[tier2]]\nfunction = \"sales\"\ntitle = \" \"\ndue = \"friday\"\n",
    )
    .unwrap();
    let text = format!("[templates]\npath = \"{}\"\n", path.display());
    let problems = problems_of(&text);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("tier1[1]: unknown function `legal`")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("tier2[1]: `friday` is not a launch-relative date")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("tier2[1]: needs a title")),
        "{problems:?}"
    );
    let missing = problems_of("[templates]\npath = \"/nonexistent/templates.toml\"\n");
    assert!(
        missing[0].starts_with("templates.path: cannot read `/nonexistent/templates.toml`"),
        "{missing:?}"
    );
}

#[test]
fn slack_credentials_are_required_for_the_chosen_transport() {
    let config = load_str("", &no_env).unwrap();
    let problems = config.slack_credentials().err().unwrap().problems();
    assert_eq!(
        problems,
        vec![
            "slack.bot_token: required but not set (set SLACK_BOT_TOKEN or `slack.bot_token` in the config file)",
            "slack.signing_secret: required but not set (set SLACK_SIGNING_SECRET or `slack.signing_secret` in the config file)",
        ]
    );

    let env = |key: &str| match key {
        "SLACK_BOT_TOKEN" => Some("xoxp-user-token-not-bot".to_owned()),
        "SLACK_APP_TOKEN" => Some("xoxb-wrong-kind".to_owned()),
        _ => None,
    };
    let config = load_str("", &env).unwrap();
    let problems = config.slack_credentials().err().unwrap().problems();
    assert_eq!(
        problems,
        vec![
            "slack.bot_token: does not look right: it should start with `xoxb-`",
            "slack.app_token: does not look right: it should start with `xapp-`",
        ]
    );
    assert!(
        !problems.join(" ").contains("xoxp-user-token-not-bot"),
        "secrets are never echoed"
    );

    let env = |key: &str| match key {
        "SLACK_BOT_TOKEN" => Some("xoxb-123-456-abc".to_owned()),
        "SLACK_SIGNING_SECRET" => Some("8f742231b10e8888abcd99yyyzzz85a5".to_owned()),
        _ => None,
    };
    assert!(load_str("", &env).unwrap().slack_credentials().is_ok());
}

#[test]
fn secrets_do_not_show_in_debug_output() {
    let env = |key: &str| match key {
        "SLACK_BOT_TOKEN" => Some("xoxb-very-secret-token".to_owned()),
        "SLACK_SIGNING_SECRET" => Some("signing-secret-value".to_owned()),
        "DATABASE_URL" => Some("postgres://app:hunter2@db/liftoff".to_owned()),
        _ => None,
    };
    let config = load_str("", &env).unwrap();
    let debug = format!("{config:?}");
    for secret in ["xoxb-very-secret-token", "signing-secret-value", "hunter2"] {
        assert!(!debug.contains(secret), "{secret} leaked into {debug}");
    }
    assert_eq!(config.database.redacted_url(), "postgres://app:***@db/liftoff");
}

#[test]
fn every_form_of_a_database_password_is_redacted() {
    let cases = [
        ("postgres://app:hunter2@db/liftoff", "postgres://app:***@db/liftoff"),
        (
            "postgres://app@db/liftoff?password=hunter2&sslmode=require",
            "postgres://app@db/liftoff?password=***&sslmode=require",
        ),
        (
            "postgresql://db/liftoff?user=app&PASSWORD=hunter2&sslpassword=hunter2",
            "postgresql://db/liftoff?user=app&PASSWORD=***&sslpassword=***",
        ),
        (
            "postgres://app:hunter2@db:notaport/liftoff",
            "postgres:*** (not a valid URL)",
        ),
        ("host=db password=hunter2", "*** (not a valid URL)"),
        ("sqlite://liftoff.db", "sqlite://liftoff.db"),
    ];
    for (raw, shown) in cases {
        assert_eq!(redact_url(raw), shown, "{raw}");
        assert!(!redact_url(raw).contains("hunter2"));
    }
}

/// The example file is the reference for every key: it must load as it is, and every key
/// it shows commented out must also be a real key.
#[test]
fn example_config_documents_real_keys() {
    let example = include_str!("../../config/liftoff.example.toml");
    load_str(example, &no_env).expect("example loads as shipped");
    let uncommented: String = example
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || (rest.contains(" = ") && !rest.starts_with(' ')) => rest,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let raw = RawConfig::parse(&uncommented).expect("commented keys are real keys");
    assert!(raw.slack.bot_token.is_some() && raw.slack.signing_secret.is_some() && raw.slack.app_token.is_some());
    assert!(raw.channels.pmo.is_some() && raw.channels.escalation.is_some());
    assert_eq!(raw.functions.len(), 2);
    raw.validate().expect("the commented examples are valid too");
}

#[test]
fn working_hours_default_to_nine_to_six_and_can_be_set() {
    assert_eq!(load_str("", &no_env).unwrap().working_hours.to_string(), "09:00-18:00");
    let config = load_str("[calendar]\nworking_hours = \"08:30-17:00\"\n", &no_env).unwrap();
    assert_eq!(config.working_hours.to_string(), "08:30-17:00");
    let problems = problems_of("[calendar]\nworking_hours = \"9 to 5\"\n");
    assert_eq!(
        problems,
        ["calendar.working_hours: `9 to 5` is not a range of hours: write it like 09:00-18:00"]
    );
}
