//! An answer to lesson 7's exercise 2: the median of some runs, and the
//! nearest-rank percentile of a run's sorted times.

use std::time::Duration;

// ANCHOR: percentile
/// The typical one of some runs' figures; NaN for none.
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The `p`-th percentile (0 to 100) of durations sorted in increasing
/// order; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // The rank, from 1: the smallest with p% of the samples at or below.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
// ANCHOR_END: percentile
