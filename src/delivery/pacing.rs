//! What holds delivery back without failing anything: each target's spacing between posts
//! (and the direct-message channels already opened), and the pause while Slack refuses the
//! bot token.

use std::collections::HashMap;

use tokio::time::Instant;

use super::{Delivery, TOKEN_PROBE_INTERVAL};

#[derive(Default)]
pub(super) struct Pacing {
    /// When each target may next receive a post.
    pub(super) next_post: HashMap<String, Instant>,
    /// Direct-message channels already opened, by user.
    pub(super) dm_channels: HashMap<String, String>,
}

impl Delivery {
    pub(super) fn pacing(&self) -> std::sync::MutexGuard<'_, Pacing> {
        self.pacing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether Slack refuses the bot token. While it does, every message would fail the same
    /// way, so nothing is sent: the token is asked about (`auth.test`) every
    /// [`TOKEN_PROBE_INTERVAL`], and delivery resumes, queue intact, once it is accepted.
    pub(super) async fn token_refused(&self) -> bool {
        if self.api.token_refused().is_some() {
            let due = {
                let mut probed = self.token_probed.lock().unwrap_or_else(|p| p.into_inner());
                let due = probed.is_none_or(|at| at.elapsed() >= TOKEN_PROBE_INTERVAL);
                if due {
                    *probed = Some(Instant::now());
                }
                due
            };
            if due {
                // The call itself records whether the token is accepted again.
                let _ = self.api.auth_test().await;
            }
        }
        let refused = self.api.token_refused().is_some();
        if let Some(metrics) = &self.metrics {
            metrics.slack_token_refused.set(i64::from(refused));
        }
        refused
    }
}
