//! Deadlines for reads and writes on a `TcpStream` (and for datagrams
//! on a `UdpSocket`).
//!
//! `TcpStream::set_read_timeout` bounds *each* read call. A peer that
//! sends one byte every few seconds resets that clock forever: each read
//! succeeds, and a line never completes (the "slowloris" attack, and its
//! mirror image, a server that trickles its reply). A [`Deadline`] bounds
//! the *whole* exchange instead: before every read or write, it sets the
//! socket's timeout to whatever time is left, or to a shorter cap on each
//! wait if it has one (the web client waits at most `--timeout` for each
//! read, and three times that for the whole page). [`DeadlineReader`](reader::DeadlineReader) is
//! a stream read against a deadline, for a line reader to wrap.
//!
//! Lessons: `lessons/00-bytes-lines-deadlines.md` (deadlines),
//! `lessons/05-echo.md` (the idle timeout), `lessons/02-web-client.md` (a
//! timeout and a deadline).

use std::io::{self, ErrorKind};
use std::time::{Duration, Instant};

pub mod calls;
pub mod reader;

// ANCHOR: deadline
/// A point in time after which reads and writes fail, and optionally a
/// cap on each single wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    end: Instant,
    cap: Option<Duration>,
}
// ANCHOR_END: deadline

impl Deadline {
    /// `budget` from now; each wait may last all the time left. A budget
    /// the clock can't count to (`Duration::MAX`) ends a year from now: as
    /// good as forever for one exchange, and no overflow.
    pub fn after(budget: Duration) -> Deadline {
        let now = Instant::now();
        let year = Duration::from_secs(365 * 24 * 60 * 60);
        let end = now.checked_add(budget).unwrap_or(now + year);
        Deadline { end, cap: None }
    }

    /// The same deadline, but no single wait longer than `cap`.
    pub fn with_cap(self, cap: Duration) -> Deadline {
        let cap = Some(cap);
        Deadline { cap, ..self }
    }

    /// The same deadline, or `budget` from now if that comes first: one
    /// step of a longer exchange (one send of a DNS query, say).
    pub fn at_most(self, budget: Duration) -> Deadline {
        let end = self.end.min(Deadline::after(budget).end);
        Deadline { end, ..self }
    }

    // ANCHOR: next_wait
    /// How long the next read or write may wait: the time left, or the
    /// cap if that is shorter.
    ///
    /// # Errors
    /// `TimedOut` once the deadline has passed. A zero timeout is an
    /// error for `set_read_timeout`, so "no time left" has to be
    /// answered here, without asking the socket.
    pub fn next_wait(&self) -> io::Result<Duration> {
        let left = self.end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        Ok(self.cap.map_or(left, |cap| left.min(cap)))
    }
    // ANCHOR_END: next_wait

    /// Whether a wait that began at `started` was cut short by the
    /// deadline (it could not have its whole cap, or the deadline has
    /// passed since): which of the two limits a timeout ran into.
    pub fn cut_short(&self, started: Instant) -> bool {
        let full = self.cap.unwrap_or(Duration::MAX);
        self.end.saturating_duration_since(started) < full
            || Instant::now() >= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::reader::DeadlineReader;
    use super::*;
    use std::io::Read;
    use std::io::Write;
    use std::net::TcpStream;
    use std::net::{TcpListener, UdpSocket};

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
    fn a_cap_bounds_each_wait_while_the_deadline_is_far() {
        let second = Duration::from_secs(1);
        let deadline = Deadline::after(Duration::MAX).with_cap(second);
        assert_eq!(deadline.next_wait().unwrap(), second);
        assert!(!deadline.cut_short(Instant::now()));
    }

    #[test]
    fn near_the_end_a_wait_is_only_the_time_left() {
        let budget = Duration::from_millis(50);
        let deadline = Deadline::after(budget).with_cap(Duration::MAX);
        assert!(deadline.next_wait().unwrap() <= budget);
        assert!(deadline.cut_short(Instant::now()));
    }

    #[test]
    fn writes_are_bounded_too() {
        let (mut client, server) = pair();
        let deadline = Deadline::after(Duration::from_secs(5));
        calls::write_all(&deadline, &server, b"hi").unwrap();
        let mut buf = [0; 2];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        let expired = Deadline::after(Duration::ZERO);
        let err = calls::write_all(&expired, &server, b"late").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    }

    #[test]
    fn a_step_ends_at_its_budget_or_the_deadline_whichever_is_first() {
        let step = Duration::from_millis(50);
        let far = Deadline::after(Duration::MAX);
        assert!(far.at_most(step).next_wait().unwrap() <= step);
        let near = Deadline::after(step);
        assert_eq!(near.at_most(Duration::MAX), near);
    }

    #[test]
    fn a_datagram_is_received_before_the_deadline_and_silence_times_out() {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(b"hi", socket.local_addr().unwrap()).unwrap();
        let deadline = Deadline::after(Duration::from_secs(5));
        let mut buf = [0; 8];
        let (len, from) =
            calls::recv_from(&deadline, &socket, &mut buf).unwrap();
        assert_eq!(
            (&buf[..len], from),
            (&b"hi"[..], peer.local_addr().unwrap())
        );
        let short = Deadline::after(Duration::from_millis(30));
        let err = calls::recv_from(&short, &socket, &mut buf).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::WouldBlock | ErrorKind::TimedOut
        ));
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
