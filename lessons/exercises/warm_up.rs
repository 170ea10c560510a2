//! Lesson 7, exercise 1: warm up first.
//!
//! A load client sends a line, waits for the reply, and does it again,
//! until the run ends. The first round trips to a fresh server pay for
//! what the later ones don't: page faults as its code and heap are
//! touched, a thread's stack being mapped. So the bench starts a window
//! after a warm-up, and counts only the round trips that start inside
//! it and end inside it: a round trip cut by either edge happened partly
//! outside, and is left out. The rate is the count divided by the
//! window's length.
//!
//! The starting code counts the round trips that ended inside the
//! window. That leaves the warm-up out, but not a round trip that began
//! during it, slowed by what the warm-up pays for. Count only the round
//! trips that both start and end inside the window.
//!
//! Check it with `cargo test --test inet -- --ignored warm_up`.
//! An answer is in `lessons/answers/warm_up.rs`.

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

/// The round trips of `trips` that count, and their rate, in `window`.
pub fn measure(trips: &[Trip], window: Window) -> Measured {
    let ended_inside =
        |trip: &&Trip| trip.done >= window.start && trip.done <= window.end;
    let times: Vec<Duration> = (trips.iter().filter(ended_inside))
        .map(|trip| trip.done - trip.sent)
        .collect();
    let rate = times.len() as f64 / (window.end - window.start).as_secs_f64();
    Measured { times, rate }
}
