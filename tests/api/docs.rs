//! Documentation that cannot drift: the command reference matches `/launch help`, and the
//! README names every environment variable the configuration honours.

use std::path::Path;

use liftoff_core::command::Subcommand;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_command_reference_matches_help() {
    let reference = read("docs/commands.md");
    let rows: Vec<&str> = reference.lines().filter(|l| l.starts_with("| `/launch")).collect();
    assert_eq!(rows.len(), Subcommand::ALL.len(), "one row per subcommand");
    for (row, sub) in rows.iter().zip(Subcommand::ALL) {
        // Markdown tables escape `|` inside cells.
        let row = row.replace("\\|", "|");
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells[0].trim_matches('`'), sub.usage(), "usage of {sub}");
        assert_eq!(cells[1], sub.summary(), "summary of {sub}");
        assert!(
            cells[2].starts_with(&format!("`/launch {}", sub.name())),
            "example of {sub}: {row}"
        );
    }
}

#[test]
fn the_readme_documents_every_environment_variable() {
    let readme = read("README.md");
    for (variable, key) in liftoff::config::ENV_OVERRIDES {
        assert!(readme.contains(&format!("`{variable}`")), "README lacks {variable}");
        assert!(readme.contains(&format!("`{key}`")), "README lacks {key}");
    }
}
