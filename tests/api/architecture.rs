//! The invariants ARCHITECTURE.md states, checked over the source so they cannot rot.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Source files (relative to `src/`) whose code (comments aside) mentions `needle`.
fn files_using(needle: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut hits: Vec<String> = files
        .into_iter()
        .filter(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .any(|line| line.contains(needle))
        })
        .map(|path| path.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    hits.sort();
    hits
}

#[test]
fn only_the_clock_reads_the_time() {
    assert_eq!(files_using("Utc::now"), vec!["clock.rs"]);
    assert_eq!(files_using("SystemTime::now"), Vec::<String>::new());
}

#[test]
fn only_the_store_knows_sql() {
    // sqlx, and rusqlite for the statements the store runs on the calling thread
    // (`store::inline`).
    for driver in ["sqlx::", "rusqlite::"] {
        let outside: Vec<String> = files_using(driver)
            .into_iter()
            .filter(|file| !file.starts_with("store/"))
            .collect();
        assert_eq!(outside, Vec::<String>::new(), "{driver}");
    }
}

// The domain's purity is kept by the crate boundary: crates/liftoff-core/tests/purity.rs.

#[test]
fn transports_sit_on_top_of_dispatch_and_nothing_imports_them() {
    // HTTP and Socket Mode are entry points: the handlers below them (dispatch, threads,
    // interactions, home) share `slack::context`, never a transport's module.
    for transport in ["super::http", "slack::http", "super::socket_mode", "slack::socket_mode"] {
        let importers: Vec<String> = files_using(transport)
            .into_iter()
            .filter(|file| file != "slack/mod.rs" && file != "http.rs")
            .collect();
        assert_eq!(importers, Vec::<String>::new(), "`{transport}` imported");
    }
    // Both transports hand requests to the one dispatcher.
    let dispatchers = files_using("super::dispatch::");
    assert!(dispatchers.contains(&"slack/http.rs".to_owned()), "{dispatchers:?}");
    assert!(
        dispatchers.contains(&"slack/socket_mode.rs".to_owned()),
        "{dispatchers:?}"
    );
}

#[test]
fn the_service_library_never_links_the_emulator() {
    // The emulator is Slack's stand-in for the tests, the demo and the load generator: only
    // the binary's `demo` module may use it, and the library does not declare that module.
    let users = files_using("slack_emulator");
    assert!(!users.is_empty(), "the demo uses the emulator");
    assert!(users.iter().all(|file| file.starts_with("demo/")), "{users:?}");
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert!(!lib.contains("mod demo"), "the demo belongs to the binary");
}

/// The layers, lowest first: a module may import only modules in lower layers (or itself).
/// A new module fails this test until it is given its place here, which is the point: where
/// it sits is a decision, written down. `slack` is split into its submodules.
const LAYERS: &[&[&str]] = &[
    &["clock", "metrics", "telemetry", "outbound"],
    &["views", "config"],
    &["store"],
    &["slack::text_count"],
    &[
        "slack::blocks",
        "slack::text",
        "slack::installation",
        "slack::signature",
        "slack::markup",
    ],
    &["slack::payloads", "slack::wording", "slack::client"],
    &["slack::render", "slack::membership"],
    &["notify"],
    &["service", "delivery", "export"],
    &["scheduler"],
    &["slack::home_publisher"],
    &["slack::context"],
    &["slack::home"],
    &["slack::threads"],
    &["slack::dispatch"],
    &["slack::interactions"],
    &["slack::http", "slack::socket_mode", "slack::no_panic_tests"],
    &["http"],
    &["startup"],
    &["cli"],
];

/// The module a source file belongs to (`slack` by submodule), or `None` for the crate root
/// and the binary's own modules.
fn module_of(relative: &Path) -> Option<String> {
    let parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|part| part != "mod")
        .collect();
    match parts.as_slice() {
        [] => None,
        [root] if ["lib", "main", "demo"].contains(&root.as_str()) => None,
        [first, ..] if first == "demo" => None,
        [slack] if slack == "slack" => Some("slack".to_owned()),
        [slack, sub, ..] if slack == "slack" => Some(format!("slack::{sub}")),
        [first, ..] => Some(first.clone()),
    }
}

/// Every module `text` (a file of module `module`) imports, as `module_of` names them.
fn imports_of(module: &str, nested: bool, text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut scan = |prefix: &str, resolve: &dyn Fn(&str, Option<&str>) -> String| {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let after = &rest[name.len()..];
            let sub: Option<String> = after
                .strip_prefix("::")
                .map(|s| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
            if !name.is_empty() {
                found.push(resolve(&name, sub.as_deref()));
            }
        }
    };
    scan("crate::", &|name, sub| match (name, sub) {
        ("slack", Some(sub)) if !sub.is_empty() && sub.chars().next().is_some_and(char::is_lowercase) => {
            format!("slack::{sub}")
        }
        (name, _) => name.to_owned(),
    });
    // In a file directly under `slack/`, `super::x` is the sibling `slack::x`.
    if module.starts_with("slack::") && !nested {
        scan("super::", &|name, _| format!("slack::{name}"));
    }
    found.retain(|target| target != module && target != "slack");
    found.sort();
    found.dedup();
    found
}

#[test]
fn modules_import_only_from_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rank = |module: &str| LAYERS.iter().position(|layer| layer.contains(&module));
    let mut problems = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&src).unwrap().to_path_buf();
        let Some(module) = module_of(&relative) else {
            continue;
        };
        if module == "slack" {
            continue; // the module list of `slack/mod.rs`
        }
        let Some(own) = rank(&module) else {
            problems.push(format!(
                "{}: module `{module}` has no layer in LAYERS",
                relative.display()
            ));
            continue;
        };
        // Deeper than `slack/x.rs` (or `x/y.rs`), `super::` stays inside the module.
        let nested = relative.components().count() > 2;
        for target in imports_of(&module, nested, &std::fs::read_to_string(&path).unwrap()) {
            match rank(&target) {
                Some(theirs) if theirs < own => {}
                Some(_) => problems.push(format!(
                    "{}: `{module}` imports `{target}`, which is not below it",
                    relative.display()
                )),
                None => problems.push(format!(
                    "{}: imports `{target}`, which has no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

#[test]
fn the_service_and_what_it_answers_carry_no_slack_markup() {
    // Mentions and links are the Slack layer's words (`slack::wording`, the renderers): the
    // service and its views carry ids, and stored history carries ids, not `<@U…>`.
    for needle in [".mention()", ".link()", "\"<@", "\"<#", "slack_morphism"] {
        let offenders: Vec<String> = files_using(needle)
            .into_iter()
            .filter(|file| file.starts_with("service/") || file.starts_with("scheduler/") || file == "views.rs")
            .collect();
        assert_eq!(offenders, Vec::<String>::new(), "`{needle}` in the service");
    }
}

#[test]
fn no_source_file_holds_more_than_500_lines_of_code_outside_its_tests() {
    // Files with one job stay small; a file past this has two jobs, and should be split along
    // the seam between them. Unit tests at the bottom (`#[cfg(test)]`) do not count.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        rust_files(&entry.unwrap().path().join("src"), &mut files);
    }
    let mut long = Vec::new();
    for path in files {
        if path.file_name().is_some_and(|name| name == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text
            .lines()
            .take_while(|line| !line.starts_with("#[cfg(test)]"))
            .count();
        if code > 500 {
            long.push(format!("{}: {code} lines", path.strip_prefix(root).unwrap().display()));
        }
    }
    assert!(long.is_empty(), "files over 500 lines of code:\n{}", long.join("\n"));
}
