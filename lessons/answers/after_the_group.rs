//! Lesson 4, exercise 2, an answer: the rules of a pipelined group (see
//! `lessons/exercises/after_the_group.rs`).

// ANCHOR: after_the_group
/// What a pipelining client writes after the replies to its group.
pub fn after_the_group(
    mail: u16,
    rcpts: &[u16],
    data: u16,
) -> Vec<&'static str> {
    let mut codes = rcpts.iter().chain([&mail, &data]);
    if codes.any(|&code| code == 421) {
        // The server is closing: nothing more, not even RSET.
        return vec![];
    }
    let accepted = rcpts.iter().any(|&code| code == 250 || code == 251);
    match (data, mail == 250 && accepted) {
        (354, true) => vec!["<message>"],
        // The trap: the server reads message text, and an RSET now
        // would be a line of it. End an empty message first.
        (354, false) => vec![".", "rset"],
        _ => vec!["rset"],
    }
}
// ANCHOR_END: after_the_group
