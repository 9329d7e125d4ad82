//! The runs of one step and what is read from them.

use std::time::Duration;

use serde::Serialize;

#[derive(Serialize)]
pub struct Stats {
    pub median_ms: f64,
    pub min_ms: f64,
    pub runs_ms: Vec<f64>,
}

impl Stats {
    /// The median and the min of the runs (at least one), which are kept in their order.
    pub fn of(runs_ms: Vec<f64>) -> Stats {
        let mut sorted = runs_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median_ms = if sorted.len().is_multiple_of(2) {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        } else {
            sorted[mid]
        };
        Stats {
            median_ms,
            min_ms: sorted[0],
            runs_ms,
        }
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
