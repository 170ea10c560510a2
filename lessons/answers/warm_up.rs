//! An answer to lesson 7's exercise 1: warm up first. A round trip
//! counts when it started after the warm-up and ended before the run's
//! end; the rate is per second of the window.

use std::time::{Duration, Instant};

/// One round trip: when the line was sent, and when its reply was whole.
#[derive(Debug, Clone, Copy)]
pub struct Trip {
    pub sent: Instant,
    pub done: Instant,
}

/// The part of a run that counts: from the end of the warm-up to the end
/// of the run.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: Instant,
    pub end: Instant,
}

/// What a run measured: the time of each round trip counted, and the
/// round trips per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub times: Vec<Duration>,
    pub rate: f64,
}

// ANCHOR: warm_up
/// The round trips of `trips` that count, and their rate, in `window`.
pub fn measure(trips: &[Trip], window: Window) -> Measured {
    let inside =
        |trip: &&Trip| trip.sent >= window.start && trip.done <= window.end;
    let times: Vec<Duration> = (trips.iter().filter(inside))
        .map(|trip| trip.done - trip.sent)
        .collect();
    let rate = times.len() as f64 / (window.end - window.start).as_secs_f64();
    Measured { times, rate }
}
// ANCHOR_END: warm_up
