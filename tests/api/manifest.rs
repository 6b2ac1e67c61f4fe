//! The Slack app manifests declare exactly what the code uses: every Web API method's scope,
//! the events the handlers read, the `/launch` command with escaping, and interactivity.

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
        "reactions.add" => &["reactions:write"],
        "users.info" => &["users:read"],
        "auth.test" | "views.open" | "views.publish" | "apps.connections.open" => &[],
        other => panic!("no scope mapping for {other}: add it here and to the manifests"),
    }
}

/// Web API methods the client calls, read from its source so a new call cannot be forgotten.
fn methods_used() -> BTreeSet<String> {
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/slack/client.rs")).unwrap();
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

    // Thread replies in check-in channels, public and private, and the Home tab; nothing else.
    let events = strings(&manifest["settings"]["event_subscriptions"]["bot_events"]);
    let expected = ["app_home_opened", "message.channels", "message.groups"].map(String::from);
    assert_eq!(events, BTreeSet::from(expected));
    assert_eq!(
        manifest["features"]["app_home"]["home_tab_enabled"].as_bool(),
        Some(true)
    );
    // The events the code dispatches on are exactly these.
    let http = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/slack/http.rs")).unwrap();
    assert!(http.contains(r#"kind == "app_home_opened""#) && http.contains(r#"kind != "message""#));
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
