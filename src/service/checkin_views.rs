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

    /// After a button or modal changed `task` (now at `version`) on some message other than
    /// its check-in (a nudge, a reminder, `/launch mine`): the latest check-in listing it is
    /// redrawn too. The message the button was on (`pressed_on`, channel and ts) is updated in
    /// place by the button itself, so it is left out. Keyed by the task's version: one update
    /// per change, however often this is called for it.
    pub async fn redraw_checkins_after_change(
        &self,
        task: TaskId,
        version: i64,
        pressed_on: Option<(&str, &str)>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let Some(key) = self.store.latest_posted_checkin_listing(task).await? else {
            return Ok(());
        };
        let Some((channel, ts)) = self.store.posted_at(&key).await? else {
            return Ok(());
        };
        if pressed_on == Some((channel.as_str(), ts.as_str())) {
            return Ok(());
        }
        let update = notify::checkin_refresh(&format!("{task}:v{version}"), &key, &channel, today);
        self.store.enqueue(&[update], self.clock.now()).await?;
        Ok(())
    }
}
