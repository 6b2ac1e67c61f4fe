//! Tier templates: the tasks a new launch starts with, read from `templates.path`,
//! `config/templates.toml` or the built-in copy, and checked against the function catalog.
//! Separate because it is a second file with its own schema, read during validation.

use std::collections::BTreeMap;

use serde::Deserialize;

use liftoff_core::template::{TemplateTask, Templates};
use liftoff_core::{DueDate, FunctionCatalog, Tier};

use super::validation::Problems;

/// The shipped templates, used when no file is found at the default path.
const BUILTIN_TEMPLATES: &str = include_str!("../../config/templates.toml");
const DEFAULT_TEMPLATES_PATH: &str = "config/templates.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawTemplates {
    tier1: Vec<RawTemplateTask>,
    tier2: Vec<RawTemplateTask>,
    tier3: Vec<RawTemplateTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplateTask {
    function: String,
    title: String,
    due: String,
}

/// Reads and checks the tier templates, reporting problems by file, tier and position.
pub(super) fn load_templates(
    path: Option<&str>,
    catalog: &FunctionCatalog,
    problems: &mut Problems,
) -> Option<Templates> {
    let text = match path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                problems.push("templates.path", format!("cannot read `{path}`: {err}"));
                return None;
            }
        },
        None => std::fs::read_to_string(DEFAULT_TEMPLATES_PATH).unwrap_or_else(|_| BUILTIN_TEMPLATES.to_owned()),
    };
    let source = path.unwrap_or(DEFAULT_TEMPLATES_PATH);
    let raw: RawTemplates = match toml::from_str(&text) {
        Ok(raw) => raw,
        Err(err) => {
            let message = err.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            problems.push("templates", format!("{source} is not valid: {message}"));
            return None;
        }
    };
    let before = problems.0.len();
    let mut by_tier = BTreeMap::new();
    for (tier, tasks) in [(Tier::One, raw.tier1), (Tier::Two, raw.tier2), (Tier::Three, raw.tier3)] {
        let mut parsed = Vec::new();
        for (index, task) in tasks.into_iter().enumerate() {
            let key = format!("templates: {source} tier{}[{}]", tier.number(), index + 1);
            let function = problems.check(
                &key,
                catalog
                    .resolve(&task.function)
                    .map(|f| f.name.clone())
                    .map_err(|e| e.to_string()),
            );
            let offset = problems.check(
                &key,
                match DueDate::parse_relative(&task.due) {
                    Ok(DueDate::Relative(days)) => Ok(days),
                    _ => Err(format!("`{}` is not a launch-relative date like T-14 or T+7", task.due)),
                },
            );
            let title = task.title.trim().to_owned();
            if title.is_empty() || title.chars().count() > liftoff_core::task::MAX_TASK_TITLE_CHARS {
                problems.push(&key, "needs a title of 1 to 200 characters");
            }
            if let (Some(function), Some(offset_days)) = (function, offset) {
                parsed.push(TemplateTask {
                    function,
                    title,
                    offset_days,
                });
            }
        }
        by_tier.insert(tier, parsed);
    }
    (problems.0.len() == before).then(|| Templates::new(by_tier))
}
