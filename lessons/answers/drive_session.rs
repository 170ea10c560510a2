//! Lesson 4, exercise 1, an answer: a driver of the session over a list
//! of replies (see `lessons/exercises/drive_session.rs`).

use inet::smtp::Reply;
use inet::smtp::session::{Next, Refused, Session, Stop};

/// What a session did, driven to its end.
#[derive(Debug, PartialEq, Eq)]
pub struct Driven {
    /// What crossed the wire, in order: `--> LINE` and `<-- CODE`.
    pub log: Vec<String>,
    /// How it ended: `None` if the replies ran out first.
    pub outcome: Option<Result<Refused, Stop>>,
}

// ANCHOR: drive_session
/// Drives `session` to its end, answering each reply it asks for with
/// the next of `replies`.
pub fn drive(session: &mut Session, replies: Vec<Reply>) -> Driven {
    let mut replies = replies.into_iter();
    let mut log = Vec::new();
    loop {
        match session.poll() {
            Next::Send(lines) => {
                for line in lines {
                    let text = String::from_utf8_lossy(&line.bytes);
                    log.push(format!("--> {}", text.trim_end()));
                }
            }
            Next::Message { .. } => log.push("--> <message>".to_owned()),
            Next::Read(_) => {
                // The next reply, or a connection that broke here.
                let Some(reply) = replies.next() else {
                    return Driven { log, outcome: None };
                };
                log.push(format!("<-- {}", reply.code));
                session.receive(reply);
            }
            Next::Done(outcome) => {
                let outcome = Some(outcome);
                return Driven { log, outcome };
            }
        }
    }
}
// ANCHOR_END: drive_session
