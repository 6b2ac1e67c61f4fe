//! Check-ins that stay true: after a change, the check-in messages that list the task are
//! redrawn in place (a `chat.update` through the outbox, drawn when it is sent), so a check-in
//! never shows a status its thread or a person's DM already changed.

use chrono::NaiveDate;

use super::Service;
use crate::notify;
use crate::outbound::OutboxMessage;
use crate::store::StoreError;
use liftoff_core::TaskId;

impl Service {
    /// The updates that redraw every check-in showing a task this reply `changed`: the thread's
    /// own check-in (`thread_checkin`, listing `candidates`), and for each changed task the
    /// latest posted check-in listing it (a DM reply, or a thread of an older round). One per
    /// check-in part, keyed by the reply's delivery, so a redelivery adds none.
    pub(super) async fn checkin_refreshes(
        &self,
        event_id: &str,
        thread_checkin: Option<&str>,
        candidates: &[TaskId],
        changed: &[TaskId],
        today: NaiveDate,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut keys: Vec<String> = Vec::new();
        if let Some(key) = thread_checkin
            && changed.iter().any(|task| candidates.contains(task))
        {
            keys.push(key.to_owned());
        }
        for task in changed {
            if let Some(key) = self.store.latest_posted_checkin_listing(*task).await?
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
        let mut updates = Vec::new();
        for key in keys {
            if let Some((channel, _)) = self.store.posted_at(&key).await? {
                updates.push(notify::checkin_refresh(event_id, &key, &channel, today));
            }
        }
        Ok(updates)
    }

    /// After a button or modal changed `task` (now at `version`) on the message `pressed_on`
    /// (channel and ts): the latest check-in listing the task is redrawn, unless it is that
    /// message, which the button updates in place itself. Keyed by the task's version: one
    /// update per change, however often this is called for it. Answers whether `pressed_on`
    /// is a check-in, so the button can draw the row as the check-in draws its rows.
    pub async fn redraw_checkins_after_change(
        &self,
        task: TaskId,
        version: i64,
        pressed_on: Option<(&str, &str)>,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let on_checkin = match pressed_on {
            Some((channel, ts)) => self.store.checkin_at(channel, ts).await?.is_some(),
            None => false,
        };
        let Some((key, channel, ts)) = self.latest_posted_checkin(task).await? else {
            return Ok(on_checkin);
        };
        if pressed_on == Some((channel.as_str(), ts.as_str())) {
            return Ok(on_checkin);
        }
        let update = checkin_redraw(task, version, &key, &channel, today);
        self.store.enqueue(&[update], self.clock.now()).await?;
        Ok(on_checkin)
    }

    /// The redraw of the latest posted check-in listing `task`, for a change to be saved as
    /// `version` that redraws nothing itself (a slash command, the CLI): written with the
    /// change, so the check-in in the channel never goes on showing what someone just changed.
    pub(super) async fn checkin_redraw_for_change(
        &self,
        task: TaskId,
        version: i64,
        today: NaiveDate,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        Ok(self
            .latest_posted_checkin(task)
            .await?
            .map(|(key, channel, _)| checkin_redraw(task, version, &key, &channel, today)))
    }

    /// The latest posted check-in part listing `task`: its outbox key, channel and ts.
    async fn latest_posted_checkin(&self, task: TaskId) -> Result<Option<(String, String, String)>, StoreError> {
        let Some(key) = self.store.latest_posted_checkin_listing(task).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .posted_at(&key)
            .await?
            .map(|(channel, ts)| (key, channel, ts)))
    }
}

/// The redraw of check-in `key` in `channel` after `task` changed to `version`: keyed by the
/// version, so one change redraws it once, whichever way it came.
fn checkin_redraw(task: TaskId, version: i64, key: &str, channel: &str, today: NaiveDate) -> OutboxMessage {
    notify::checkin_refresh(&format!("{task}:v{version}"), key, channel, today)
}
