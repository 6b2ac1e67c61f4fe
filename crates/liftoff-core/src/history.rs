//! The change history: who changed what, when, and from where. Every update, whether it came
//! from a slash command, a button, a modal or a thread reply, lands here in the same shape, so
//! a retro can tell the launch's story and a dispute can be settled.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{LaunchId, SlackUserId, TaskId};

/// Who made a change: a person in Slack, or Liftoff itself (templates, scheduled work).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    User(SlackUserId),
    Liftoff,
}

/// How the stored actor column spells Liftoff itself; no Slack user id can look like this.
pub const LIFTOFF_ACTOR: &str = "liftoff";

impl Actor {
    pub fn as_stored(&self) -> &str {
        match self {
            Actor::User(user) => user.as_str(),
            Actor::Liftoff => LIFTOFF_ACTOR,
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        if stored == LIFTOFF_ACTOR {
            Some(Actor::Liftoff)
        } else {
            SlackUserId::parse(stored).ok().map(Actor::User)
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The id: how to show a person is the renderers' business.
            Actor::User(user) => f.write_str(user.as_str()),
            Actor::Liftoff => f.write_str("Liftoff"),
        }
    }
}

macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(stored: &str) -> Option<Self> {
                match stored { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum!(
    /// The surface a change came through.
    ChangeSource {
        Command => "command",
        Button => "button",
        Modal => "modal",
        Thread => "thread",
        Scheduler => "scheduler",
        Cli => "cli",
    }
);

stored_enum!(
    /// What changed. Values before and after are kept as plain text in the entry: a person is
    /// their Slack id (`U0ANN`), never Slack markup, so the renderers decide how to show them.
    ChangeField {
        Created => "created",
        Status => "status",
        Owner => "owner",
        Due => "due",
        Title => "title",
        Name => "name",
        Tier => "tier",
        LaunchDate => "launch_date",
        Lead => "lead",
        State => "state",
        Role => "role",
        Metric => "metric",
        Snooze => "snooze",
    }
);

/// One line of history about a launch or one of its tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub launch_id: LaunchId,
    pub task_id: Option<TaskId>,
    pub actor: Actor,
    pub source: ChangeSource,
    pub at: DateTime<Utc>,
    pub field: ChangeField,
    pub from: Option<String>,
    pub to: Option<String>,
    pub note: Option<String>,
}

/// Who, how and when, shared by every change one request makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    pub actor: Actor,
    pub source: ChangeSource,
    pub at: DateTime<Utc>,
}

impl ChangeContext {
    pub fn new(actor: Actor, source: ChangeSource, at: DateTime<Utc>) -> Self {
        ChangeContext { actor, source, at }
    }

    /// A history entry for a change made in this context.
    pub fn entry(
        &self,
        launch_id: LaunchId,
        task_id: Option<TaskId>,
        field: ChangeField,
        from: Option<String>,
        to: Option<String>,
    ) -> HistoryEntry {
        HistoryEntry {
            launch_id,
            task_id,
            actor: self.actor.clone(),
            source: self.source,
            at: self.at,
            field,
            from,
            to,
            note: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_storage() {
        let user = Actor::User(SlackUserId::parse("U123ABC").unwrap());
        assert_eq!(Actor::from_stored(user.as_stored()), Some(user));
        assert_eq!(Actor::from_stored("liftoff"), Some(Actor::Liftoff));
        assert_eq!(Actor::from_stored("someone"), None);
    }

    #[test]
    fn stored_enums_round_trip() {
        for source in ChangeSource::ALL {
            assert_eq!(ChangeSource::parse(source.as_str()), Some(*source));
        }
        for field in ChangeField::ALL {
            assert_eq!(ChangeField::parse(field.as_str()), Some(*field));
        }
        assert_eq!(ChangeField::parse("nope"), None);
    }
}
