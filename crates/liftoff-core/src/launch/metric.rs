//! Success metrics: targets agreed before launch and the actuals recorded after it. Separate
//! because metrics live their own life (reviewed days after launch day, shown in the digest and
//! the retro) apart from the launch plan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::task::DueDate;

/// A success metric agreed up front, e.g. "activation rate" with target 25 (%), reviewed at T+30.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessMetric {
    pub name: String,
    pub target: f64,
    /// Free-form unit shown after numbers (`%`, `signups`); empty when the number says it all.
    pub unit: String,
    /// Days after launch day when actuals are asked for.
    pub review_offset_days: i64,
    pub actual: Option<f64>,
}

impl SuccessMetric {
    /// The day the actual is asked for, for a launch on `launch_date`: `review_offset_days`
    /// after it, on the working day before when that is a weekend or holiday (like every date
    /// computed from an offset), so the request and the calendar feed agree. `None` when the
    /// date falls outside the calendar.
    pub fn review_date(&self, launch_date: NaiveDate, calendar: &WorkCalendar) -> Option<NaiveDate> {
        DueDate::Relative(self.review_offset_days)
            .resolve(launch_date, calendar)
            .ok()
            .map(|resolved| resolved.date)
    }

    /// Whether the recorded actual meets the target; `None` until an actual is recorded.
    pub fn met(&self) -> Option<bool> {
        self.actual.map(|actual| actual >= self.target)
    }
}

#[cfg(test)]
mod review_tests {
    use super::*;

    #[test]
    fn a_review_that_falls_on_a_weekend_is_asked_for_on_the_friday_before() {
        let metric = SuccessMetric {
            name: "activation rate".into(),
            target: 25.0,
            unit: "%".into(),
            review_offset_days: 30,
            actual: None,
        };
        let calendar = WorkCalendar::weekdays(chrono_tz::UTC);
        // Thursday 10 December + 30 days is Saturday 9 January.
        let launch: NaiveDate = "2026-12-10".parse().unwrap();
        assert_eq!(
            metric.review_date(launch, &calendar),
            Some("2027-01-08".parse().unwrap())
        );
        let launch: NaiveDate = "2026-12-07".parse().unwrap();
        assert_eq!(
            metric.review_date(launch, &calendar),
            Some("2027-01-06".parse().unwrap())
        );
    }
}
