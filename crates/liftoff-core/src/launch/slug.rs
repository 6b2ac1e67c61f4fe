//! Slugs and launch references: the short handle derived from a launch's name, kept unique,
//! and how a person names a launch in a command (slug or id). Separate because it is a small
//! grammar of its own, shared by commands, links and the store.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::LaunchId;

/// The launch's short, unique, URL-safe handle, e.g. `checkout-v2`. People type it in every
/// command, so it is derived from the name rather than invented.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a launch name needs at least one letter or digit")]
    Empty,
    #[error("`{0}` is not a launch slug: use lowercase letters, digits and single dashes")]
    Invalid(String),
}

/// Longest slug we generate; long enough for real names, short enough to type.
pub const MAX_SLUG_LEN: usize = 48;

impl Slug {
    /// `Checkout v2` becomes `checkout-v2`: lowercase, each run of other characters one `-`,
    /// trimmed of dashes at both ends. Non-ASCII letters are dropped rather than transliterated,
    /// so the slug is always typeable.
    pub fn from_name(name: &str) -> Result<Self, SlugError> {
        let mut slug = String::with_capacity(name.len());
        let mut pending_dash = false;
        for ch in name.chars() {
            if ch.is_ascii_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(ch.to_ascii_lowercase());
            } else {
                pending_dash = true;
            }
        }
        if slug.len() > MAX_SLUG_LEN {
            slug.truncate(MAX_SLUG_LEN);
            while slug.ends_with('-') {
                slug.pop();
            }
        }
        if slug.is_empty() {
            Err(SlugError::Empty)
        } else {
            Ok(Slug(slug))
        }
    }

    /// Parses a slug someone typed (or one read back from the store).
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let valid = !input.is_empty()
            && input.len() <= MAX_SLUG_LEN + 4
            && !input.starts_with('-')
            && !input.ends_with('-')
            && !input.contains("--")
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Slug(input.to_owned()))
        } else {
            Err(SlugError::Invalid(input.to_owned()))
        }
    }

    /// The first of `base`, `base-2`, `base-3`, … that `is_taken` does not claim.
    pub fn first_free(base: &Slug, is_taken: impl Fn(&str) -> bool) -> Slug {
        if !is_taken(&base.0) {
            return base.clone();
        }
        (2..)
            .map(|n| format!("{}-{n}", base.0))
            .find(|candidate| !is_taken(candidate))
            .map(Slug)
            .expect("an unbounded counter always finds a free slug")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a person names a launch in a command: by slug or by numeric id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchRef {
    Id(LaunchId),
    Slug(Slug),
}

impl LaunchRef {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let trimmed = input.trim();
        match trimmed.parse::<i64>() {
            Ok(id) if id > 0 => Ok(LaunchRef::Id(LaunchId(id))),
            _ => Slug::parse(&trimmed.to_ascii_lowercase()).map(LaunchRef::Slug),
        }
    }
}

impl fmt::Display for LaunchRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchRef::Id(id) => write!(f, "{id}"),
            LaunchRef::Slug(slug) => write!(f, "{slug}"),
        }
    }
}
