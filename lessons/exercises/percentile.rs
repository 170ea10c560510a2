//! Lesson 7, exercise 2: medians and percentiles, not means.
//!
//! Each figure of a bench is the median of its runs: one run that
//! caught the machine busy drags a mean with it, but moves a median only
//! from one ordinary run to the next. The latencies of one run are read
//! as percentiles of the sorted round-trip times: p50, the typical round
//! trip, and p99, the one that one client in a hundred waits for.
//!
//! The starting code takes the mean of the runs, and reads a percentile
//! at index `len * p / 100`: one place too far (p50 of the times 1 to
//! 100 ms is then 51 ms), and p100 would be out of range without the
//! clamp. Return the median (for an even count, the mean of the two
//! middle samples), and the nearest-rank percentile: the sample of rank
//! ⌈p / 100 × n⌉ in increasing order, counted from 1, and at least 1.
//!
//! Check it with `cargo test --test inet -- --ignored percentile`.
//! An answer is in `lessons/answers/percentile.rs`.

use std::time::Duration;

/// The typical one of some runs' figures; NaN for none.
pub fn median(samples: &[f64]) -> f64 {
    samples.iter().sum::<f64>() / samples.len() as f64
}

/// The `p`-th percentile (0 to 100) of durations sorted in increasing
/// order; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = (p / 100.0 * sorted.len() as f64) as usize;
    sorted[index.min(sorted.len() - 1)]
}
