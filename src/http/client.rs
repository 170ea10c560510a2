//! The web client: connects, sends the request, streams the response to
//! a writer, with a timeout on every step and a deadline on the whole.
//!
//! inet_02 reads with `recv(1000)` until the server closes, with no
//! timeout: a server that never answers, or sends one byte a minute,
//! holds it forever. Here the connect, the sending of the request and
//! every read wait at most `timeout`, and the whole exchange at most
//! [`DEADLINE_FACTOR`] times that: per-read timeouts alone are reset by
//! every byte a trickling server sends. Near the deadline a step waits
//! only the time left, so the exchange never overruns it. Name lookup
//! (`to_socket_addrs`) is the one step std can't bound.
//!
//! Memory does not grow with the body: the head is collected up to its
//! limit, the body goes through one fixed buffer ([`BUFFER_SIZE`]).

use std::fmt;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::response::{Limits, Received, ResponseError, ResponseReader};
use super::site::Site;
use crate::blocking::is_timeout;
use crate::deadline::{Deadline, calls};
use crate::net::{self, ConnectError};

/// Why an exchange failed: the connection, the clock, the response, or
/// the writer it was going to.
#[derive(Debug)]
pub enum FetchError {
    /// Nobody listens on that port (the server answered with a reset).
    Refused,
    /// The connection could not be made for another reason.
    Connect(io::Error),
    /// No answer in time.
    Timeout {
        /// What we were waiting for.
        waiting_for: &'static str,
        /// How long we waited.
        after: Duration,
    },
    /// The connection failed while sending or receiving.
    Io(io::Error),
    /// The response broke a rule or a limit, or ended too soon.
    Response(ResponseError),
    /// The response could not be written out.
    Output(io::Error),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Refused => f.write_str("connection refused"),
            FetchError::Connect(err) => write!(f, "cannot connect: {err}"),
            FetchError::Timeout { waiting_for, after } => {
                let secs = after.as_secs_f64();
                write!(f, "timed out after {secs}s waiting for {waiting_for}")
            }
            FetchError::Io(err) => write!(f, "connection failed: {err}"),
            FetchError::Response(why) => why.fmt(f),
            FetchError::Output(err) => {
                write!(f, "cannot write the page: {err}")
            }
        }
    }
}

impl std::error::Error for FetchError {}

/// The size of the one buffer a download goes through.
///
/// Each pass of the copy loop costs three system calls, whatever the
/// buffer's size: setting the read timeout, the read, the write. On
/// loopback a read fills the buffer when the server is fast, so the
/// size sets how many passes a download takes: with 64 KiB, 48 system
/// calls per MiB; with 256 KiB, 12 (counted with `strace -c`). What that
/// buys is modest: a gigabyte from mock-http into tmpfs took a median
/// 0.635 s against 0.67 s with 64 KiB (16 interleaved runs each), about
/// 5%, because nearly all of the time is the kernel copying the bytes,
/// from the socket into the buffer and from the buffer into the file,
/// and that copy is the same whatever the buffer. A few hundred KiB of
/// memory is a small price; much more buys nothing, as the kernel's
/// socket buffer holds only so much between two reads.
pub const BUFFER_SIZE: usize = 256 * 1024;

/// A whole exchange may take this many times the timeout.
pub const DEADLINE_FACTOR: u32 = 3;

/// How patient to be, and how much head to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The longest wait for the connection and for each read.
    pub timeout: Duration,
    /// Caps on the response head.
    pub limits: Limits,
}

impl Default for Options {
    /// Ten seconds, and the default [`Limits`].
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            limits: Limits::default(),
        }
    }
}

// ANCHOR: fetch
/// Connects to `site`, sends `request`, and writes the response to `out`
/// as it comes, until the body ends.
///
/// # Errors
/// Any [`FetchError`]. Whatever was written to `out` before is then
/// incomplete.
pub fn fetch(
    site: &Site,
    request: &[u8],
    out: &mut impl Write,
    options: &Options,
) -> Result<Received, FetchError> {
    let clock = Clock::new(options.timeout);
    let stream = connect(site, &clock)?;
    clock.within(|deadline| calls::write_all(deadline, &stream, request))?;
    let mut reader = ResponseReader::new(options.limits);
    let mut buf = vec![0; BUFFER_SIZE];
    while !reader.is_complete() {
        let n = clock
            .within(|deadline| calls::read(deadline, &stream, &mut buf))?;
        if n == 0 {
            break; // the server closed the connection
        }
        let response = reader.feed(&buf[..n]).map_err(FetchError::Response)?;
        out.write_all(response).map_err(FetchError::Output)?;
    }
    // Returning drops `stream`, which closes the connection: once a
    // Content-Length body is complete, we don't wait for the server's
    // close, so a server that keeps it open can't hold us (H5).
    reader.finish().map_err(FetchError::Response)
}
// ANCHOR_END: fetch

// ANCHOR: deadline
/// The two limits of one exchange: each step may take up to `step`, and
/// all of them together up to `DEADLINE_FACTOR * step`; a timeout says
/// which one ran out.
#[derive(Debug)]
struct Clock {
    step: Duration,
    deadline: Deadline,
}

impl Clock {
    fn new(step: Duration) -> Clock {
        let total = step.saturating_mul(DEADLINE_FACTOR);
        let deadline = Deadline::after(total).with_cap(step);
        Clock { step, deadline }
    }

    /// How long the next step may wait: `step`, or less near the end.
    fn next_wait(&self) -> Result<Duration, FetchError> {
        self.deadline.next_wait().map_err(|_| self.overall())
    }

    /// One wait (a read, or the sending of the request) against the
    /// deadline, its timeout saying which limit ran out.
    fn within<T>(
        &self,
        wait: impl FnOnce(&Deadline) -> io::Result<T>,
    ) -> Result<T, FetchError> {
        let started = Instant::now();
        wait(&self.deadline).map_err(|e| self.error(e, started))
    }

    /// A timeout in a wait begun at `started` says which limit ran out:
    /// the deadline's if it had cut the wait short, else the step's. Any
    /// other error is passed on.
    fn error(&self, err: io::Error, started: Instant) -> FetchError {
        if !is_timeout(&err) {
            return FetchError::Io(err);
        }
        if self.deadline.cut_short(started) {
            return self.overall();
        }
        FetchError::Timeout {
            waiting_for: "the server",
            after: self.step,
        }
    }

    fn overall(&self) -> FetchError {
        FetchError::Timeout {
            waiting_for: "the whole exchange to end",
            after: self.step.saturating_mul(DEADLINE_FACTOR),
        }
    }
}
// ANCHOR_END: deadline

/// Connects to the first address of `site` that answers, each attempt
/// waiting what the clock allows.
fn connect(site: &Site, clock: &Clock) -> Result<TcpStream, FetchError> {
    let next_wait = || clock.next_wait();
    net::connect_first(&site.host, site.port, next_wait).map_err(|e| match e {
        ConnectError::Wait(overall) => overall,
        ConnectError::Lookup(e) => FetchError::Connect(e),
        ConnectError::Failed { error, waited } => match error.kind() {
            io::ErrorKind::ConnectionRefused => FetchError::Refused,
            _ if is_timeout(&error) => FetchError::Timeout {
                waiting_for: "the connection",
                after: waited,
            },
            _ => FetchError::Connect(error),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn message(result: Result<Duration, FetchError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn each_step_waits_the_timeout_while_the_deadline_is_far() {
        let deadline = Clock::new(SECOND);
        assert_eq!(deadline.next_wait().unwrap(), SECOND);
    }

    #[test]
    fn near_the_end_a_step_waits_only_the_time_left() {
        // A step cut short: a trickler must not get a whole step past
        // the deadline.
        let deadline = Clock {
            step: SECOND,
            deadline: Deadline::after(Duration::from_millis(50))
                .with_cap(SECOND),
        };
        let started = Instant::now();
        let wait = deadline.next_wait().unwrap();
        assert!(wait <= Duration::from_millis(50), "{wait:?}");
        let timeout = io::Error::from(io::ErrorKind::WouldBlock);
        let err = deadline.error(timeout, started).to_string();
        assert!(err.ends_with("the whole exchange to end"), "{err}");
    }

    #[test]
    fn past_the_end_no_step_starts() {
        let deadline = Clock {
            step: SECOND,
            deadline: Deadline::after(Duration::ZERO).with_cap(SECOND),
        };
        let expected =
            "timed out after 3s waiting for the whole exchange to end";
        assert_eq!(message(deadline.next_wait()), expected);
    }

    #[test]
    fn a_full_step_that_times_out_is_the_servers_silence() {
        let deadline = Clock::new(SECOND);
        let timeout = io::Error::from(io::ErrorKind::TimedOut);
        let started = Instant::now();
        let err = deadline.error(timeout, started).to_string();
        assert_eq!(err, "timed out after 1s waiting for the server");
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let err = deadline.error(reset, started);
        assert!(matches!(err, FetchError::Io(_)));
    }

    #[test]
    fn a_huge_timeout_does_not_overflow_the_clock() {
        let deadline = Clock::new(Duration::MAX);
        let day = Duration::from_secs(24 * 60 * 60);
        assert!(deadline.next_wait().unwrap() >= day);
    }
}
