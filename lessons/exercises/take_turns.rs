//! Lesson 7, exercise 3: take turns.
//!
//! A shared machine drifts: another program starts compiling, a core
//! gets busy, then quiet. Measure one program for a minute and then the
//! other, and the drift lands on one of them. So the bench measures in
//! short runs, round after round: in each round every program runs
//! once, and the one that goes first changes from round to round.
//!
//! `schedule(programs, rounds)` returns the order of the runs, each a
//! program's number, from 0 to `programs - 1`. The starting code runs
//! all of program 0's rounds, then all of program 1's, and so on. Make
//! each round run every program once, with round `r` started by program
//! `r % programs` and the others following in turn.
//!
//! Check it with `cargo test --test inet -- --ignored take_turns`:
//! the check also plays a machine that slows down as it runs, and
//! compares two programs that are the same.
//! An answer is in `lessons/answers/take_turns.rs`.

/// The order of the runs: `rounds` runs of each of `programs` programs.
pub fn schedule(programs: usize, rounds: usize) -> Vec<usize> {
    (0..programs)
        .flat_map(|program| std::iter::repeat_n(program, rounds))
        .collect()
}
