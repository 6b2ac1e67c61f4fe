//! The pacing state of App Home publishing (who has a rebuild queued, the workspace-wide
//! `views.publish` budget), held by the Slack context. Apart from `home`, which does the
//! publishing, so that the context does not depend on the handler that depends on it.

use std::collections::{HashMap, HashSet};

use liftoff_core::SlackUserId;

/// Who has a Home tab rebuild queued, and when each person's last one started.
#[derive(Debug, Default)]
pub(super) struct HomeQueue {
    /// Queued and not yet reading: a change for one of them is picked up by that rebuild.
    pub(super) pending: HashSet<SlackUserId>,
    pub(super) last_started: HashMap<SlackUserId, tokio::time::Instant>,
}

/// Entries of `last_started` kept before old ones are dropped (only recent ones pace).
pub(super) const HOME_QUEUE_REMEMBERED: usize = 1024;

/// How Home tabs get published: coalesced and paced per person, and paced workspace-wide.
pub struct HomePublisher {
    pub(super) queue: std::sync::Mutex<HomeQueue>,
    /// `views.publish` is a Tier 4 method: about 100 calls a minute per workspace. Rebuilding
    /// faster only earns 429s, so rebuilds wait for this limiter before reading anything.
    pub(super) workspace: governor::DefaultDirectRateLimiter,
    /// Cancelled at shutdown: queued rebuilds are dropped (a Home tab is rebuilt from the
    /// database whenever it is next opened or affected, so nothing is lost).
    pub(super) stop: tokio_util::sync::CancellationToken,
}

impl HomePublisher {
    pub fn new(publishes_per_minute: std::num::NonZeroU32) -> HomePublisher {
        HomePublisher {
            queue: Default::default(),
            workspace: governor::RateLimiter::direct(governor::Quota::per_minute(publishes_per_minute)),
            stop: Default::default(),
        }
    }

    /// Drops the rebuilds still waiting for their turn.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}
