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
    /// Which side of the target is success: most metrics are better high (signups, pipeline),
    /// some better low (support tickets, churn), so "met" cannot always mean "at least".
    #[serde(default)]
    pub direction: TargetDirection,
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

    /// Whether the recorded actual meets the target in its direction; `None` until an actual is
    /// recorded. Every place that judges a metric met or missed (the answer to `actual`, the
    /// launch page, the retro, the digest's missed metrics, the support-plan button) asks this.
    pub fn met(&self) -> Option<bool> {
        self.actual.map(|actual| self.direction.met(actual, self.target))
    }
}

/// How an actual compares with its target to count as met, as PMMs write it in front of the
/// number: nothing or `>=` (at least), `>` (more than), `<` (under), `<=` (at most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetDirection {
    /// The usual target: reach it or beat it (`target:2.5k`, `target:>=1000`).
    #[default]
    AtLeast,
    /// Beat it (`target:>1k`).
    MoreThan,
    /// Stay under it (`target:<50` support tickets).
    LessThan,
    /// Do not exceed it (`target:<=50`).
    AtMost,
}

impl TargetDirection {
    /// Whether `actual` meets `target` this way.
    pub fn met(self, actual: f64, target: f64) -> bool {
        match self {
            TargetDirection::AtLeast => actual >= target,
            TargetDirection::MoreThan => actual > target,
            TargetDirection::LessThan => actual < target,
            TargetDirection::AtMost => actual <= target,
        }
    }

    /// The comparison a target starts with, and the rest (the number): `<50` → (LessThan, `50`),
    /// `2.5k` → (AtLeast, `2.5k`). `≤` and `≥` count as `<=` and `>=`.
    pub fn split(text: &str) -> (TargetDirection, &str) {
        let text = text.trim_start();
        for (prefix, direction) in [
            ("<=", TargetDirection::AtMost),
            ("=<", TargetDirection::AtMost),
            ("≤", TargetDirection::AtMost),
            (">=", TargetDirection::AtLeast),
            ("=>", TargetDirection::AtLeast),
            ("≥", TargetDirection::AtLeast),
            ("<", TargetDirection::LessThan),
            (">", TargetDirection::MoreThan),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return (direction, rest.trim_start());
            }
        }
        (TargetDirection::AtLeast, text)
    }

    /// What goes before the number when a target is shown: nothing for the usual "at least"
    /// (a plain target reads that way), otherwise the comparison and a space (`< 50`).
    pub fn prefix(self) -> &'static str {
        match self {
            TargetDirection::AtLeast => "",
            TargetDirection::MoreThan => "> ",
            TargetDirection::LessThan => "< ",
            TargetDirection::AtMost => "≤ ",
        }
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetDirection::AtLeast => "at_least",
            TargetDirection::MoreThan => "more_than",
            TargetDirection::LessThan => "less_than",
            TargetDirection::AtMost => "at_most",
        }
    }

    /// From the stored form; `None` for anything else.
    pub fn from_stored(text: &str) -> Option<TargetDirection> {
        [
            TargetDirection::AtLeast,
            TargetDirection::MoreThan,
            TargetDirection::LessThan,
            TargetDirection::AtMost,
        ]
        .into_iter()
        .find(|d| d.as_str() == text)
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
            direction: TargetDirection::AtLeast,
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
