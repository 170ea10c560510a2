//! A stream read against a [`Deadline`], for a line reader to wrap: the
//! echo server gives each line a budget this way, the SMTP programs each
//! reply.

use std::borrow::Borrow;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Duration;

use super::Deadline;
use crate::blocking::retry_interrupted;

// ANCHOR: deadline_reader
/// Reads from a stream (owned, or borrowed: `S` is a `TcpStream` or a
/// `&TcpStream`) until a deadline, then fails as [`calls::read`](super::calls::read) does.
///
/// A budget started by [`new`](Self::new) or [`restart`](Self::restart)
/// (one per line, or per reply) is waited whole by the first read after
/// it, and the socket's timeout is set only when the wait changes. So a
/// line that arrives in one read, nearly every line, costs no
/// `setsockopt`: setting the time left before every read would cost one
/// per line (`benches/echo.rs` counts them). Only the later reads of a
/// line that arrives in pieces wait the time left. The reader assumes
/// that it alone sets the stream's read timeout.
#[derive(Debug)]
pub struct DeadlineReader<S> {
    stream: S,
    deadline: Deadline,
    /// The whole budget, until the first read after a (re)start.
    fresh: Option<Duration>,
    /// The read timeout the socket has, as this reader last set it.
    timeout: Option<Duration>,
}

impl<S: Borrow<TcpStream>> DeadlineReader<S> {
    /// Reads from `stream` for at most `budget` from now.
    pub fn new(stream: S, budget: Duration) -> Self {
        DeadlineReader {
            stream,
            deadline: Deadline::after(budget),
            fresh: Some(budget),
            timeout: None,
        }
    }

    /// Starts a new budget, from now (for the next line, say).
    pub fn restart(&mut self, budget: Duration) {
        self.deadline = Deadline::after(budget);
        self.fresh = Some(budget);
    }

    /// The stream, to write to or shut down.
    pub fn get_ref(&self) -> &TcpStream {
        self.stream.borrow()
    }

    /// How long the next read may wait: a fresh budget whole, else the
    /// time left ([`Deadline::next_wait`]: an error once it has passed).
    fn next_wait(&mut self) -> io::Result<Duration> {
        match self.fresh.take() {
            Some(budget) if !budget.is_zero() => Ok(budget),
            _ => self.deadline.next_wait(),
        }
    }
}

impl<S: Borrow<TcpStream>> Read for DeadlineReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Each attempt after a signal waits only the time left.
        retry_interrupted(|| {
            let wait = self.next_wait()?;
            let mut stream = self.stream.borrow();
            if self.timeout != Some(wait) {
                stream.set_read_timeout(Some(wait))?;
                self.timeout = Some(wait);
            }
            stream.read(buf)
        })
    }
}
// ANCHOR_END: deadline_reader
