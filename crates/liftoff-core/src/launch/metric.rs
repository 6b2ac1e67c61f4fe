//! Success metrics: targets agreed before launch and the actuals recorded after it. Separate
//! because metrics live their own life (reviewed days after launch day, shown in the digest and
//! the retro) apart from the launch plan.

use serde::{Deserialize, Serialize};

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
    /// Whether the recorded actual meets the target; `None` until an actual is recorded.
    pub fn met(&self) -> Option<bool> {
        self.actual.map(|actual| actual >= self.target)
    }
}
