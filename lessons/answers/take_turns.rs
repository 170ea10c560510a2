//! An answer to lesson 7's exercise 3: take turns. Each round runs
//! every program once; who goes first moves on by one each round.

// ANCHOR: take_turns
/// The order of the runs: `rounds` runs of each of `programs` programs.
pub fn schedule(programs: usize, rounds: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(programs * rounds);
    for round in 0..rounds {
        for turn in 0..programs {
            order.push((turn + round) % programs);
        }
    }
    order
}
// ANCHOR_END: take_turns
