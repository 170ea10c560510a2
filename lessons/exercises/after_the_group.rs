//! Lesson 4, exercise 2: the rules of a pipelined group, trap included.
//!
//! A client that pipelines writes MAIL, one RCPT per recipient and DATA
//! at once, then reads their replies, in order. What it writes next
//! depends on all of them, by smtplib's rules (a transaction the server
//! refused ends with RSET), RFC 5321 §3.8 (after a 421 the server is
//! gone) and RFC 2920 §3.1 (DATA answered 354 makes the server read
//! message text).
//!
//! Write `after_the_group`: given each reply's code, what the client
//! writes next, in order, as the session in `src/smtp/session.rs` does:
//!
//! - `"<message>"`: the message and its final dot;
//! - `"."`: a lone dot, which ends an empty message;
//! - `"rset"`: RSET, which ends a transaction.
//!
//! A recipient is accepted by 250 or 251 only. Stop at the message: what
//! follows its final dot is not asked here.
//!
//! Check it with `cargo test --test inet -- --ignored after_the_group`:
//! it compares your answer with the session's for every combination of
//! these codes, and shows the first that differs. An answer is in
//! `lessons/answers/after_the_group.rs`.
// Until it is written, the skeleton uses none of these.
#![allow(unused_variables)]

/// What a pipelining client writes after the replies to its group.
pub fn after_the_group(
    mail: u16,
    rcpts: &[u16],
    data: u16,
) -> Vec<&'static str> {
    // The happy path only: right when every reply is.
    vec!["<message>"]
}
