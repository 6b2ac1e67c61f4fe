//! The function catalog from the `[functions.*]` tables: the built-in five with configured
//! channels, leads and aliases, plus any extra functions. Separate from the rest of validation
//! because it merges with built-ins rather than checking values one by one.

use std::collections::BTreeMap;

use liftoff_core::function::BUILTIN_FUNCTIONS;
use liftoff_core::{FunctionCatalog, FunctionDef, FunctionName};

use super::schema::RawFunction;
use super::validation::{Problems, parse_channel, parse_user};

/// The built-in five plus any configured extras, with configured channels, leads and aliases.
pub(super) fn validate_functions(
    raw: BTreeMap<String, RawFunction>,
    problems: &mut Problems,
) -> Option<FunctionCatalog> {
    let builtin_names: Vec<&str> = BUILTIN_FUNCTIONS.iter().map(|(name, _, _)| *name).collect();
    let mut defs: Vec<FunctionDef> = FunctionCatalog::builtin().iter().cloned().collect();
    let mut ok = true;
    for (name, function) in raw {
        let key = format!("functions.{name}");
        let Some(parsed) = problems.check(&key, FunctionName::parse(&name).map_err(|e| e.to_string())) else {
            ok = false;
            continue;
        };
        let channel = problems.check_optional(&format!("{key}.channel"), function.channel.as_deref(), parse_channel);
        let lead = problems.check_optional(&format!("{key}.lead"), function.lead.as_deref(), parse_user);
        ok &= function.channel.is_none() || channel.is_some();
        ok &= function.lead.is_none() || lead.is_some();
        if builtin_names.contains(&name.as_str()) {
            let def = defs
                .iter_mut()
                .find(|d| d.name == parsed)
                .expect("built-in function exists");
            def.channel = channel;
            def.lead = lead;
            def.aliases.extend(function.aliases);
            if let Some(display) = function.display_name {
                def.display_name = display;
            }
        } else {
            defs.push(FunctionDef {
                display_name: function.display_name.unwrap_or_else(|| name.clone()),
                name: parsed,
                aliases: function.aliases,
                channel,
                lead,
            });
        }
    }
    match FunctionCatalog::new(defs) {
        Ok(catalog) if ok => Some(catalog),
        Ok(_) => None,
        Err(err) => {
            problems.push("functions", err.to_string());
            None
        }
    }
}
