//! Lesson 7's exercises.

#[path = "../../lessons/answers/warm_up.rs"]
mod warm_up_answer;
#[path = "../../lessons/exercises/warm_up.rs"]
mod warm_up_start;

#[path = "../../lessons/answers/percentile.rs"]
mod percentile_answer;
#[path = "../../lessons/exercises/percentile.rs"]
mod percentile_start;

#[path = "../../lessons/answers/take_turns.rs"]
mod take_turns_answer;
#[path = "../../lessons/exercises/take_turns.rs"]
mod take_turns_start;

/// Lesson 7, exercise 1: only the round trips inside the window count.
mod warm_up {
    use super::{warm_up_answer as answer, warm_up_start as start};
    use std::time::{Duration, Instant};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored warm_up`"]
    fn start() {
        check(|trips, (from, to)| {
            let trips: Vec<start::Trip> = (trips.iter())
                .map(|&(sent, done)| start::Trip { sent, done })
                .collect();
            let window = start::Window {
                start: from,
                end: to,
            };
            let start::Measured { times, rate } =
                start::measure(&trips, window);
            (times, rate)
        });
    }

    #[test]
    fn answer() {
        check(|trips, (from, to)| {
            let trips: Vec<answer::Trip> = (trips.iter())
                .map(|&(sent, done)| answer::Trip { sent, done })
                .collect();
            let window = answer::Window {
                start: from,
                end: to,
            };
            let answer::Measured { times, rate } =
                answer::measure(&trips, window);
            (times, rate)
        });
    }

    /// A run of round trips, (sent, done), and its window, (start, end).
    type Run = (Vec<(Instant, Instant)>, (Instant, Instant));

    /// One client's run on a fresh server: a warm-up of 100 ms whose
    /// round trips take 10 ms each (page faults), then 300 ms of round
    /// trips of 1 ms each, back to back. One slow round trip straddles
    /// the window's start, one fast one its end.
    fn a_run() -> Run {
        let t0 = Instant::now();
        let ms = |n: f64| t0 + Duration::from_secs_f64(n / 1000.0);
        let mut trips = Vec::new();
        // The warm-up: 0, 10, ... 80 ms; then one from 95 to 105 ms.
        for sent in (0..9).map(|i| f64::from(i) * 10.0) {
            trips.push((ms(sent), ms(sent + 10.0)));
        }
        trips.push((ms(95.0), ms(105.0)));
        // The window: 105 to 399 ms, then one from 399.5 to 400.5 ms.
        for sent in (105..399).map(f64::from) {
            trips.push((ms(sent), ms(sent + 1.0)));
        }
        trips.push((ms(399.5), ms(400.5)));
        (trips, (ms(100.0), ms(400.0)))
    }

    fn check(
        measure: impl Fn(
            &[(Instant, Instant)],
            (Instant, Instant),
        ) -> (Vec<Duration>, f64),
    ) {
        let (trips, window) = a_run();
        let (times, rate) = measure(&trips, window);
        assert_eq!(
            times.len(),
            294,
            "294 round trips started after 100 ms and ended by 400 ms (the \
             warm-up's, and the two cut by an edge, are left out)"
        );
        let ms = Duration::from_millis(1);
        let slow = times.iter().filter(|&&time| time != ms).count();
        assert_eq!(slow, 0, "{slow} warm-up round trips counted");
        assert!(
            (rate - 980.0).abs() < 0.01,
            "294 round trips in a window of 300 ms: 980 per second, not {rate}"
        );

        // A window that nothing fits in: no round trip, rate zero.
        let (times, rate) = measure(&trips, (window.0, window.0));
        let rate_zero = rate == 0.0 || rate.is_nan();
        assert!(
            times.is_empty() && rate_zero,
            "an empty window counts nothing: {} round trips, rate {rate}",
            times.len()
        );
    }
}

/// Lesson 7, exercise 2: the median of runs, the percentiles of a run.
mod percentile {
    use super::{percentile_answer as answer, percentile_start as start};
    use std::time::Duration;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored percentile`"]
    fn start() {
        check(start::median, start::percentile);
    }

    #[test]
    fn answer() {
        check(answer::median, answer::percentile);
    }

    fn check(
        median: impl Fn(&[f64]) -> f64,
        percentile: impl Fn(&[Duration], f64) -> Duration,
    ) {
        // Five runs, one of them on a busy machine.
        let runs = [18_600.0, 18_100.0, 9_300.0, 18_900.0, 18_400.0];
        assert_eq!(
            median(&runs),
            18_400.0,
            "the median of five runs is the third in order; the slow run \
             must not drag it"
        );
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0, "median of 3, 1, 2");
        assert_eq!(
            median(&[4.0, 1.0, 3.0, 2.0]),
            2.5,
            "an even count: the mean of the two middle ones"
        );
        assert_eq!(median(&[7.0]), 7.0, "the median of one run");
        assert!(median(&[]).is_nan(), "no runs: NaN");

        let ms = |n: u64| Duration::from_millis(n);
        let hundred: Vec<Duration> = (1..=100).map(ms).collect();
        for (p, want) in [(50.0, 50), (99.0, 99), (100.0, 100), (1.0, 1)] {
            let got = percentile(&hundred, p);
            assert_eq!(
                got,
                ms(want),
                "p{p} of 1..=100 ms is the sample of rank {want}"
            );
        }
        assert_eq!(percentile(&hundred, 0.0), ms(1), "p0: the first, rank 1");
        let ten: Vec<Duration> = (1..=10).map(ms).collect();
        for (p, want) in [(50.0, 5), (90.0, 9), (95.0, 10), (99.0, 10)] {
            let got = percentile(&ten, p);
            assert_eq!(
                got,
                ms(want),
                "p{p} of 1..=10 ms is the sample of rank ⌈{p} / 100 × 10⌉"
            );
        }
        assert_eq!(percentile(&[ms(3)], 99.0), ms(3), "one sample");
        assert_eq!(percentile(&[], 50.0), Duration::ZERO, "none: zero");
    }
}

/// Lesson 7, exercise 3: programs take turns, round after round.
mod take_turns {
    use super::percentile_answer::median;
    use super::{take_turns_answer as answer, take_turns_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored take_turns`"]
    fn start() {
        check(start::schedule);
    }

    #[test]
    fn answer() {
        check(answer::schedule);
    }

    fn check(schedule: impl Fn(usize, usize) -> Vec<usize>) {
        for (programs, rounds) in [(2, 10), (3, 9), (4, 5), (1, 3), (3, 0)] {
            let order = schedule(programs, rounds);
            assert_eq!(
                order.len(),
                programs * rounds,
                "{rounds} runs of each of {programs} programs"
            );
            for (round, runs) in order.chunks(programs.max(1)).enumerate() {
                let mut sorted = runs.to_vec();
                sorted.sort_unstable();
                let all: Vec<usize> = (0..programs).collect();
                assert_eq!(
                    sorted, all,
                    "round {round} of {programs} programs runs {runs:?}: \
                     each program once per round"
                );
                assert_eq!(
                    runs[0],
                    round % programs,
                    "round {round} of {programs} programs starts with {runs:?}: \
                     who goes first moves on by one each round"
                );
            }
        }

        // Two programs that are the same, 10 rounds each, on a machine
        // that slows steadily from 100 to 50 runs per second while they
        // run (a build starting up beside them). Taking turns, the two
        // medians are the same.
        let order = schedule(2, 10);
        let speed = |slot: usize| 100.0 - 50.0 * slot as f64 / 19.0;
        let figures = |program: usize| -> Vec<f64> {
            let mine = order.iter().enumerate().filter(|(_, p)| **p == program);
            mine.map(|(slot, _)| speed(slot)).collect()
        };
        let ratio = median(&figures(1)) / median(&figures(0));
        assert!(
            (0.98..=1.02).contains(&ratio),
            "the same program measured {ratio:.2}x itself: the drift fell on one"
        );
    }
}
