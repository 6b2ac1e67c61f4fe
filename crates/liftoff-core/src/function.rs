//! Functions: the teams that own launch work (product, marketing, growth, sales, ops, and any
//! more a company configures). Each has its own Slack channel for check-ins and a lead who is
//! the first escalation step.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{SlackChannelId, SlackUserId};

/// A function's canonical key, e.g. `marketing`: lowercase letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FunctionName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunctionError {
    #[error("`{0}` is not a valid function name: use lowercase letters, digits and dashes (at most 32)")]
    InvalidName(String),
    #[error("unknown function `{input}`; known functions: {known}")]
    Unknown { input: String, known: String },
    #[error("`{alias}` is used for both `{first}` and `{second}`")]
    AmbiguousAlias {
        alias: String,
        first: String,
        second: String,
    },
}

impl FunctionName {
    pub fn parse(input: &str) -> Result<Self, FunctionError> {
        if Self::is_valid(input) {
            Ok(FunctionName(input.to_owned()))
        } else {
            Err(FunctionError::InvalidName(input.to_owned()))
        }
    }

    fn is_valid(input: &str) -> bool {
        !input.is_empty()
            && input.len() <= 32
            && input.starts_with(|c: char| c.is_ascii_lowercase())
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// [`FunctionName::parse`] keeping `value`'s allocation: the store reads a function's name on
/// every task row.
impl TryFrom<String> for FunctionName {
    type Error = FunctionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if Self::is_valid(&value) {
            Ok(FunctionName(value))
        } else {
            Err(FunctionError::InvalidName(value))
        }
    }
}

impl fmt::Display for FunctionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A function as the organisation defines it: its name, how it is shown, what else people
/// call it, and where its defaults point (the store may override channel and lead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: FunctionName,
    pub display_name: String,
    pub aliases: Vec<String>,
    pub channel: Option<SlackChannelId>,
    pub lead: Option<SlackUserId>,
}

/// The five functions every launch involves, with the aliases people actually type.
pub const BUILTIN_FUNCTIONS: [(&str, &str, &[&str]); 5] = [
    ("product", "Product", &["pm", "prod", "product-management"]),
    ("marketing", "Marketing", &["mktg", "mkt", "pmm"]),
    ("growth", "Growth", &["gr", "lifecycle"]),
    ("sales", "Sales", &["sale", "sales-enablement", "cs"]),
    ("ops", "Ops", &["operations", "op", "support"]),
];

/// Every function Liftoff knows, resolved from names and aliases. Built once from config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCatalog {
    functions: Vec<FunctionDef>,
}

impl FunctionCatalog {
    /// Checks that no name or alias means two functions. `defs` are kept in order, which is
    /// the order functions are shown in.
    pub fn new(defs: Vec<FunctionDef>) -> Result<Self, FunctionError> {
        let mut seen: Vec<(String, &FunctionName)> = Vec::new();
        for def in &defs {
            let spellings =
                std::iter::once(def.name.as_str().to_owned()).chain(def.aliases.iter().map(|a| a.to_ascii_lowercase()));
            for spelling in spellings {
                if let Some((_, owner)) = seen.iter().find(|(s, _)| *s == spelling) {
                    if *owner != &def.name {
                        return Err(FunctionError::AmbiguousAlias {
                            alias: spelling,
                            first: owner.to_string(),
                            second: def.name.to_string(),
                        });
                    }
                } else {
                    seen.push((spelling, &def.name));
                }
            }
        }
        Ok(FunctionCatalog { functions: defs })
    }

    /// The built-in five with no channels or leads set.
    pub fn builtin() -> Self {
        let defs = BUILTIN_FUNCTIONS
            .iter()
            .map(|(name, display, aliases)| FunctionDef {
                name: FunctionName(name.to_string()),
                display_name: display.to_string(),
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
                channel: None,
                lead: None,
            })
            .collect();
        FunctionCatalog { functions: defs }
    }

    /// Finds a function by name or alias, case-insensitively.
    pub fn resolve(&self, input: &str) -> Result<&FunctionDef, FunctionError> {
        let wanted = input.trim().to_ascii_lowercase();
        self.functions
            .iter()
            .find(|def| def.name.as_str() == wanted || def.aliases.iter().any(|a| a.eq_ignore_ascii_case(&wanted)))
            .ok_or_else(|| FunctionError::Unknown {
                input: input.to_owned(),
                known: self.names().collect::<Vec<_>>().join(", "),
            })
    }

    pub fn get(&self, name: &FunctionName) -> Option<&FunctionDef> {
        self.functions.iter().find(|def| &def.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.iter().map(|def| def.name.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FunctionDef> {
        self.functions.iter()
    }
}

/// A function's channel and lead as changed in Slack (`/launch channel`, `/launch lead`).
/// Either may be unset, in which case the configured default applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunctionOverrides {
    pub channel: Option<SlackChannelId>,
    pub lead: Option<SlackUserId>,
}

impl FunctionDef {
    /// The effective settings: what was set in Slack wins over the configured default,
    /// because it is the newer, deliberate choice of someone running the launch.
    pub fn with_overrides(&self, overrides: &FunctionOverrides) -> FunctionDef {
        FunctionDef {
            channel: overrides.channel.clone().or_else(|| self.channel.clone()),
            lead: overrides.lead.clone().or_else(|| self.lead.clone()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_function_name_is_checked_as_a_borrowed_one() {
        for input in ["sales", "go-to-market2", "Sales", "", "2fa", "a b", &"x".repeat(33)] {
            assert_eq!(
                FunctionName::try_from(input.to_owned()),
                FunctionName::parse(input),
                "{input:?}"
            );
        }
    }

    #[test]
    fn builtins_resolve_by_name_and_alias() {
        let catalog = FunctionCatalog::builtin();
        let check = |input: &str, expected: &str| {
            assert_eq!(catalog.resolve(input).unwrap().name.as_str(), expected, "{input}");
        };
        check("product", "product");
        check("PM", "product");
        check("mktg", "marketing");
        check("Marketing", "marketing");
        check("operations", "ops");
        check(" growth ", "growth");
        check("sales", "sales");
        let err = catalog.resolve("legal").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown function `legal`; known functions: product, marketing, growth, sales, ops"
        );
    }

    #[test]
    fn an_alias_may_not_mean_two_functions() {
        let mut defs: Vec<FunctionDef> = FunctionCatalog::builtin().iter().cloned().collect();
        defs.push(FunctionDef {
            name: FunctionName::parse("legal").unwrap(),
            display_name: "Legal".into(),
            aliases: vec!["PM".into()],
            channel: None,
            lead: None,
        });
        assert!(matches!(
            FunctionCatalog::new(defs),
            Err(FunctionError::AmbiguousAlias { alias, .. }) if alias == "pm"
        ));
    }

    #[test]
    fn function_names_are_lowercase_keys() {
        assert!(FunctionName::parse("legal").is_ok());
        assert!(FunctionName::parse("customer-success").is_ok());
        assert!(FunctionName::parse("Legal").is_err());
        assert!(FunctionName::parse("").is_err());
        assert!(FunctionName::parse("1abc").is_err());
    }

    #[test]
    fn overrides_win_over_configured_defaults() {
        let def = FunctionDef {
            name: FunctionName::parse("sales").unwrap(),
            display_name: "Sales".into(),
            aliases: vec![],
            channel: Some(SlackChannelId::parse("C0DEFAULT").unwrap()),
            lead: Some(SlackUserId::parse("U0DEFAULT").unwrap()),
        };
        let overrides = FunctionOverrides {
            channel: Some(SlackChannelId::parse("C0NEW").unwrap()),
            lead: None,
        };
        let effective = def.with_overrides(&overrides);
        assert_eq!(effective.channel.unwrap().as_str(), "C0NEW");
        assert_eq!(effective.lead.unwrap().as_str(), "U0DEFAULT");
    }
}
