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
//! read, and three times that for the whole page). [`DeadlineReader`] is
//! a stream read against a deadline, for a line reader to wrap.
//!
//! Lessons: `lessons/05-echo.md` (the idle timeout),
//! `lessons/02-web-client.md` (a timeout and a deadline).

use std::borrow::Borrow;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// Every socket call here needs these two; they live in [`crate::net`],
/// and are named here too, beside the deadlines that use them.
pub use crate::net::{is_timeout, retry_interrupted};

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
    // ANCHOR: deadline_wait
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

    /// Whether a wait that began at `started` was cut short by the
    /// deadline (it could not have its whole cap, or the deadline has
    /// passed since): which of the two limits a timeout ran into.
    pub fn cut_short(&self, started: Instant) -> bool {
        let full = self.cap.unwrap_or(Duration::MAX);
        self.end.saturating_duration_since(started) < full
            || Instant::now() >= self.end
    }
    // ANCHOR_END: deadline_wait

    // ANCHOR: deadline_io
    /// One read from `stream`, waiting at most [`next_wait`](Self::next_wait)
    /// in all, however often a signal interrupts it.
    ///
    /// # Errors
    /// `TimedOut` once the deadline has passed, or whatever the socket's
    /// timeout gives (`WouldBlock` on Unix) when it expires mid-read.
    /// The line reader takes both as `LineError::Timeout`.
    pub fn read(
        &self,
        stream: &TcpStream,
        buf: &mut [u8],
    ) -> io::Result<usize> {
        let mut stream = stream;
        self.one_call().retry(|wait| {
            stream.set_read_timeout(Some(wait))?;
            stream.read(buf)
        })
    }

    /// Writes all of `bytes` to `stream`, all the write calls together
    /// waiting at most [`next_wait`](Self::next_wait).
    ///
    /// # Errors
    /// As for [`read`](Self::read); `WriteZero` if the socket takes
    /// nothing; any other write error.
    pub fn write_all(
        &self,
        stream: &TcpStream,
        bytes: &[u8],
    ) -> io::Result<()> {
        let (call, mut stream, mut rest) = (self.one_call(), stream, bytes);
        while !rest.is_empty() {
            let n = call.retry(|wait| {
                stream.set_write_timeout(Some(wait))?;
                stream.write(rest)
            })?;
            if n == 0 {
                return Err(ErrorKind::WriteZero.into());
            }
            rest = &rest[n..];
        }
        Ok(())
    }

    /// One datagram from `socket`, and who sent it, waiting as
    /// [`read`](Self::read) does.
    ///
    /// # Errors
    /// As for [`read`](Self::read).
    pub fn recv_from(
        &self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr)> {
        self.one_call().retry(|wait| {
            socket.set_read_timeout(Some(wait))?;
            socket.recv_from(buf)
        })
    }

    /// This deadline for one call starting now: the cap, if any, counts
    /// from now, and ends the call.
    fn one_call(&self) -> Deadline {
        let call = match self.cap {
            Some(cap) => self.at_most(cap),
            None => *self,
        };
        Deadline { cap: None, ..call }
    }

    /// Runs `attempt` with the time left, again for as long as a signal
    /// interrupts it (EINTR, see [`retry_interrupted`]). Each attempt
    /// waits only the time left, so no number of signals can stretch
    /// the deadline.
    fn retry<T>(
        &self,
        mut attempt: impl FnMut(Duration) -> io::Result<T>,
    ) -> io::Result<T> {
        retry_interrupted(|| attempt(self.next_wait()?))
    }
    // ANCHOR_END: deadline_io
}

// ANCHOR: deadline_reader
/// Reads from a stream (owned, or borrowed: `S` is a `TcpStream` or a
/// `&TcpStream`) until a deadline, then fails as [`Deadline::read`] does.
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
        let mut reader = DeadlineReader::until(stream, Deadline::after(budget));
        reader.fresh = Some(budget);
        reader
    }

    /// Reads from `stream` until `deadline`, which the caller may also
    /// use for writes: one deadline for a whole exchange.
    pub fn until(stream: S, deadline: Deadline) -> Self {
        let (fresh, timeout) = (None, None);
        DeadlineReader {
            stream,
            deadline,
            fresh,
            timeout,
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

#[cfg(test)]
mod tests {
    use super::*;
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
        deadline.write_all(&server, b"hi").unwrap();
        let mut buf = [0; 2];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        let expired = Deadline::after(Duration::ZERO);
        let err = expired.write_all(&server, b"late").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    }

    #[test]
    fn an_interrupted_wait_is_tried_again_with_the_time_left() {
        let deadline = Deadline::after(Duration::from_secs(5));
        let mut waits = Vec::new();
        let got = deadline.retry(|wait| {
            waits.push(wait);
            match waits.len() {
                1 => Err(ErrorKind::Interrupted.into()),
                _ => Ok(7),
            }
        });
        assert_eq!(got.unwrap(), 7);
        assert_eq!(waits.len(), 2);
        assert!(waits[1] <= waits[0]);
    }

    /// A wait that a signal interrupts after 5 ms, 20 times over, then
    /// succeeds: 100 ms in all, more than the 30 ms a call may last.
    fn interrupted_for_100_ms(deadline: Deadline) -> io::Result<()> {
        let mut attempts = 0;
        deadline.one_call().retry(|_| {
            attempts += 1;
            if attempts > 20 {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(5));
            Err(ErrorKind::Interrupted.into())
        })
    }

    #[test]
    fn signals_can_not_stretch_the_deadline_or_the_cap() {
        let short = Duration::from_millis(30);
        for deadline in [
            Deadline::after(short),
            Deadline::after(Duration::MAX).with_cap(short),
        ] {
            let err = interrupted_for_100_ms(deadline).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut, "{deadline:?}");
        }
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
        let (len, from) = deadline.recv_from(&socket, &mut buf).unwrap();
        assert_eq!(
            (&buf[..len], from),
            (&b"hi"[..], peer.local_addr().unwrap())
        );
        let short = Deadline::after(Duration::from_millis(30));
        let err = short.recv_from(&socket, &mut buf).unwrap_err();
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
