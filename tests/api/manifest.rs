//! The Slack app manifests declare exactly what the code uses: every Web API method's scope,
//! the events the handlers read, the `/launch` command with escaping, interactivity and a
//! writable Messages tab; and both validate against Slack's published manifest schema
//! (slackapi/manifest-schema, copied in tests/fixtures/manifest with its source).

use std::collections::BTreeSet;
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("slack").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn strings(yaml: &Yaml) -> BTreeSet<String> {
    yaml.as_vec()
        .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The bot scope each Web API method needs (docs.slack.dev method reference).
fn scopes_for(method: &str) -> &'static [&'static str] {
    match method {
        "chat.postMessage" | "chat.postEphemeral" | "chat.update" => &["chat:write"],
        // Our own messages and their threads, in public and private channels and DMs.
        "conversations.history" | "conversations.replies" => &["channels:history", "groups:history", "im:history"],
        "conversations.open" => &["im:write"],
        // Public and private channels Liftoff is told to post in.
        "conversations.info" => &["channels:read", "groups:read"],
        "conversations.join" => &["channels:join"],
        "reactions.add" => &["reactions:write"],
        "users.info" => &["users:read"],
        "auth.test" | "views.open" | "views.publish" | "apps.connections.open" => &[],
        other => panic!("no scope mapping for {other}: add it here and to the manifests"),
    }
}

/// Web API methods the client calls, read from its source (every file of `src/slack/client/`)
/// so a new call cannot be forgotten.
fn methods_used() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/slack/client");
    let mut source = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            source.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    source
        .split('"')
        .filter(|word| {
            [
                "auth.",
                "chat.",
                "conversations.",
                "reactions.",
                "users.",
                "views.",
                "apps.",
            ]
            .iter()
            .any(|prefix| word.starts_with(prefix))
                && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        })
        .map(str::to_owned)
        .collect()
}

fn check(manifest: &Yaml, socket_mode: bool) {
    let mut required: BTreeSet<String> = methods_used()
        .iter()
        .flat_map(|m| scopes_for(m).iter().map(|s| s.to_string()))
        .collect();
    required.insert("commands".to_owned());
    assert_eq!(
        strings(&manifest["oauth_config"]["scopes"]["bot"]),
        required,
        "bot scopes"
    );

    let commands = manifest["features"]["slash_commands"].as_vec().unwrap();
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0]["command"].as_str(), Some("/launch"));
    assert_eq!(commands[0]["should_escape"].as_bool(), Some(true));

    // Thread replies in check-in channels, public and private, replies in DMs with Liftoff,
    // and the Home tab; nothing else.
    let events = strings(&manifest["settings"]["event_subscriptions"]["bot_events"]);
    let expected = ["app_home_opened", "message.channels", "message.groups", "message.im"].map(String::from);
    assert_eq!(events, BTreeSet::from(expected));
    let app_home = &manifest["features"]["app_home"];
    assert_eq!(app_home["home_tab_enabled"].as_bool(), Some(true));
    // Nudges, ballots, escalations and reviews are DMs people answer: with the Messages tab off
    // Slack refuses them (`messages_tab_disabled`), read-only people cannot answer.
    assert_eq!(app_home["messages_tab_enabled"].as_bool(), Some(true));
    assert_eq!(app_home["messages_tab_read_only_enabled"].as_bool(), Some(false));
    // The events the code dispatches on are exactly these.
    let http = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/slack/dispatch.rs")).unwrap();
    assert!(http.contains(r#"kind == "app_home_opened""#) && http.contains(r#"kind == "message""#));
    assert_eq!(
        manifest["settings"]["interactivity"]["is_enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(manifest["settings"]["socket_mode_enabled"].as_bool(), Some(socket_mode));
    let urls = [
        commands[0]["url"].as_str(),
        manifest["settings"]["event_subscriptions"]["request_url"].as_str(),
        manifest["settings"]["interactivity"]["request_url"].as_str(),
    ];
    if socket_mode {
        assert!(urls.iter().all(Option::is_none), "no request URLs in Socket Mode");
    } else {
        let paths: Vec<&str> = urls.iter().map(|u| u.unwrap().rsplit_once(".com").unwrap().1).collect();
        assert_eq!(paths, vec!["/slack/commands", "/slack/events", "/slack/interactions"]);
    }
}

/// The YAML as the JSON Slack's schema describes.
fn to_json(yaml: &Yaml) -> serde_json::Value {
    use serde_json::Value;
    match yaml {
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.as_str().expect("string keys").to_owned(), to_json(value)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Every way `manifest` breaks Slack's manifest schema (2.0.0, JSON Schema draft 7).
fn schema_violations(manifest: &Yaml) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifest/manifest.schema.2.0.0.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("Slack's schema compiles");
    let instance = to_json(manifest);
    validator
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn both_manifests_validate_against_slacks_published_schema() {
    for name in ["manifest.yml", "manifest.http.yml"] {
        assert_eq!(schema_violations(&load(name)), Vec::<String>::new(), "{name}");
    }
    // The check is real: a key Slack does not know and a bad event list are refused.
    let mut broken = load("manifest.yml");
    if let Yaml::Hash(root) = &mut broken
        && let Some(Yaml::Hash(features)) = root.get_mut(&Yaml::String("features".into()))
        && let Some(Yaml::Hash(app_home)) = features.get_mut(&Yaml::String("app_home".into()))
    {
        app_home.insert(Yaml::String("messages_tab".into()), Yaml::Boolean(true));
    }
    let problems = schema_violations(&broken);
    assert!(
        problems.iter().any(|p| p.contains("/features/app_home")),
        "{problems:?}"
    );
}

#[test]
fn the_socket_mode_manifest_declares_exactly_what_liftoff_uses() {
    assert!(
        methods_used().contains("chat.postMessage"),
        "the source scan finds the client's calls"
    );
    check(&load("manifest.yml"), true);
}

#[test]
fn the_request_url_manifest_declares_exactly_what_liftoff_uses() {
    check(&load("manifest.http.yml"), false);
}
