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
    let outside: Vec<String> = files_using("sqlx::")
        .into_iter()
        .filter(|file| !file.starts_with("store/"))
        .collect();
    assert_eq!(outside, Vec::<String>::new());
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
