//! Deadlines for reads on a `TcpStream`.
//!
//! `TcpStream::set_read_timeout` bounds *each* read call. A peer that
//! sends one byte every few seconds resets that clock forever: each read
//! succeeds, and a line never completes (the "slowloris" attack, and its
//! mirror image, a server that trickles its reply). A deadline bounds the
//! *whole* exchange instead: before every read, [`DeadlineReader`] sets
//! the socket's timeout to whatever time is left.
//!
//! Lesson: `lessons/05-echo.md` (the idle timeout).

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

// ANCHOR: deadline_reader
/// Reads from a borrowed stream until a deadline, then fails: with
/// `TimedOut` once the deadline has passed, or with whatever the socket's
/// timeout gives (`WouldBlock` on Unix) when it expires mid-read. The
/// line reader takes both as `LineError::Timeout`.
#[derive(Debug)]
pub struct DeadlineReader<'s> {
    stream: &'s TcpStream,
    deadline: Instant,
}

impl<'s> DeadlineReader<'s> {
    /// Reads from `stream` for at most `budget` from now.
    pub fn new(stream: &'s TcpStream, budget: Duration) -> Self {
        let deadline = deadline_after(budget);
        DeadlineReader { stream, deadline }
    }

    /// Starts a new budget, from now (for the next line, say).
    pub fn restart(&mut self, budget: Duration) {
        self.deadline = deadline_after(budget);
    }
}

/// `now + budget`, or a year from now if the clock can't count that far
/// (a budget of `Duration::MAX` would otherwise panic).
fn deadline_after(budget: Duration) -> Instant {
    let now = Instant::now();
    let year = Duration::from_secs(365 * 24 * 60 * 60);
    now.checked_add(budget).unwrap_or(now + year)
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        // A zero timeout is an error for set_read_timeout, so "no time
        // left" has to be answered here, without asking the socket.
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}
// ANCHOR_END: deadline_reader

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client =
            TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        for s in [&client, &server] {
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        }
        (client, server)
    }

    #[test]
    fn reads_what_arrives_before_the_deadline() {
        let (mut client, server) = pair();
        client.write_all(b"hi").unwrap();
        let mut reader = DeadlineReader::new(&server, Duration::from_secs(5));
        let mut buf = [0; 8];
        assert_eq!(reader.read(&mut buf).unwrap(), 2);
    }

    #[test]
    fn a_silent_peer_times_out_at_the_deadline() {
        let (_client, server) = pair();
        let budget = Duration::from_millis(100);
        let mut reader = DeadlineReader::new(&server, budget);
        let started = Instant::now();
        let err = reader.read(&mut [0; 8]).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::WouldBlock | ErrorKind::TimedOut
        ));
        assert!(started.elapsed() >= budget);
    }

    #[test]
    fn a_huge_budget_does_not_overflow_the_clock() {
        let (_client, server) = pair();
        let mut reader = DeadlineReader::new(&server, Duration::MAX);
        reader.restart(Duration::MAX);
    }

    #[test]
    fn an_expired_deadline_fails_without_reading() {
        let (mut client, server) = pair();
        client.write_all(b"late").unwrap();
        let mut reader = DeadlineReader::new(&server, Duration::ZERO);
        let err = reader.read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    }
}
