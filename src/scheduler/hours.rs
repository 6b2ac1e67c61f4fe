//! Messages that can wait are held until their recipient's working hours.
//!
//! What the scheduler sends to a person on its own (nudges, day-before reminders and overdue
//! DMs, metric reviews, go/no-go reminders) is not an answer to anything they just did, so it
//! can wait: sent outside their working hours, in their own time zone (cached from Slack's
//! `users.info`; the organisation's when unknown), it is enqueued now, so per-day caps still
//! count it, but not delivered before the start of their next working hours (the rule is
//! [`liftoff_core::earliest_send`]). Messages to channels are not held: the schedules that
//! post them already run in the organisation's hours.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::outbound::OutboxMessage;
use crate::store::{Store, StoreError};
use liftoff_core::{SlackUserId, WorkCalendar, WorkingHours, earliest_send};

/// Everyone's known time zone at one instant, to hold each direct message until its
/// recipient's working hours. Read once per run.
pub struct WorkingTime<'a> {
    now: DateTime<Utc>,
    timezones: BTreeMap<String, Tz>,
    hours: &'a WorkingHours,
    calendar: &'a WorkCalendar,
}

impl<'a> WorkingTime<'a> {
    /// Reads the cached time zones (unreadable names count as unknown).
    pub async fn load(
        store: &Store,
        now: DateTime<Utc>,
        hours: &'a WorkingHours,
        calendar: &'a WorkCalendar,
    ) -> Result<WorkingTime<'a>, StoreError> {
        let timezones = store
            .user_timezones()
            .await?
            .into_iter()
            .filter_map(|(user, tz)| tz.parse().ok().map(|tz| (user, tz)))
            .collect();
        Ok(WorkingTime {
            now,
            timezones,
            hours,
            calendar,
        })
    }

    /// `user`'s time zone, when Slack has told us.
    pub fn timezone(&self, user: &str) -> Option<Tz> {
        self.timezones.get(user).copied()
    }

    /// The date `at` is where `user` is (the organisation's time zone when theirs is unknown).
    pub fn local_date(&self, user: &str, at: DateTime<Utc>) -> chrono::NaiveDate {
        self.calendar.local_date(at, self.timezone(user))
    }

    /// When a message that can wait may reach `user`: now, or their next working hours.
    pub fn earliest_for(&self, user: &str) -> DateTime<Utc> {
        earliest_send(self.now, self.timezone(user), self.hours, self.calendar)
    }

    /// `message`, held until its recipient's working hours when it is a direct message
    /// (its target is a person) and they are outside them now; anything else unchanged.
    pub fn hold(&self, message: OutboxMessage) -> OutboxMessage {
        if SlackUserId::parse(&message.target).is_err() {
            return message;
        }
        let at = self.earliest_for(&message.target);
        if at > self.now { message.not_before(at) } else { message }
    }
}
