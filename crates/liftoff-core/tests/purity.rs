//! The core stays pure by construction: these checks fail the build's tests the moment someone
//! adds an I/O crate to its dependencies or reads the clock in its code.

use std::fs;
use std::path::Path;

/// Crates that would let the core do I/O or know Slack, SQL or JSON.
const FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "sqlx",
    "slack-morphism",
    "serde_json",
    "axum",
    "hyper",
    "reqwest",
    "tracing",
];

/// Ways to read the current time. `cron` turns on chrono's `clock` feature, so the type system
/// alone cannot keep `Utc::now()` out; this list does.
const CLOCK_READS: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "chrono::Local",
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_core_depends_on_no_io_crate() {
    let manifest = fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("Cargo.toml");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for line in dependencies.lines() {
        let name = line.split('=').next().unwrap_or("").trim();
        assert!(
            !FORBIDDEN_DEPENDENCIES.contains(&name),
            "liftoff-core must stay pure, but depends on `{name}`"
        );
    }
}

#[test]
fn no_core_source_writes_slack_markup() {
    // People and channels are ids here; `<@U…>` and `<#C…>` are the Slack layer's to write.
    // (The command grammar reads them, as people's mentions arrive in that form.)
    let offenders = lines_containing(&["format!(\"<@", "format!(\"<#", "\"<@{", "\"<#{", "write!(f, \"<"]);
    assert!(
        offenders.is_empty(),
        "Slack markup in the core:\n{}",
        offenders.join("\n")
    );
}

/// Lines of the core's sources (tests included) that contain any of `needles`.
fn lines_containing(needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![manifest_dir().join("src")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = fs::read_to_string(&path).expect("a source file");
                for (number, line) in text.lines().enumerate() {
                    if needles.iter().any(|needle| line.contains(needle)) {
                        found.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_core_source_reads_the_clock() {
    let offenders = lines_containing(CLOCK_READS);
    assert!(
        offenders.is_empty(),
        "the core reads the clock:\n{}",
        offenders.join("\n")
    );
}
