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

use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::HttpError;
use super::request::get_request;
use super::response::{Fed, Framing, Head, Limits, ResponseReader};
use super::save::TempFile;
use super::site::Site;
use crate::deadline::Deadline;
use crate::deadline::is_timeout;
use crate::net::{self, ConnectError};

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

/// What a successful exchange received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The response head.
    pub head: Head,
    /// How the body was framed.
    pub framing: Framing,
    /// The body's size.
    pub body_len: u64,
}

impl Fetched {
    /// Head and body: the bytes written out.
    pub fn total_len(&self) -> u64 {
        self.head.len as u64 + self.body_len
    }
}

/// A page saved to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where.
    pub path: PathBuf,
    /// What.
    pub fetched: Fetched,
}

// ANCHOR: save_site
/// Gets `/` from `site` and saves the raw response, head and body, in
/// `dir`, atomically (see [`super::save`]).
///
/// # Errors
/// Any [`HttpError`]; the destination is then untouched and no
/// temporary file is left.
pub fn save_site(
    site: &Site,
    dir: &Path,
    options: &Options,
) -> Result<Saved, HttpError> {
    // Checked first, so nothing is sent for a request we can't make.
    let request = get_request(&site.host, site.port, "/")?;
    let mut file = TempFile::create(dir, &site.file_name())?;
    let fetched = match fetch(site, &request, &mut file, options) {
        Ok(fetched) => fetched,
        Err(HttpError::Output(err)) => {
            let path = file.temp_path().to_path_buf();
            return Err(HttpError::File { path, err });
        }
        Err(e) => return Err(e),
    };
    let path = file.commit()?;
    Ok(Saved { path, fetched })
}
// ANCHOR_END: save_site

// ANCHOR: result_line
/// The line `webget` prints for a site, shaped like inet_02's three:
/// success, connection failure, file error; and a fourth for a reply
/// that went wrong, which inet_02 can't tell.
pub fn result_line(site: &Site, result: &Result<Saved, HttpError>) -> String {
    let host = &site.host;
    match result {
        Ok(saved) => {
            let path = saved.path.display();
            let status = saved.fetched.head.status_line();
            let bytes = saved.fetched.total_len();
            format!(
                "Transfer of the index page of site {host} succeeded: \
                 {path} ({status}, {bytes} bytes)"
            )
        }
        Err(e @ (HttpError::Refused | HttpError::Connect(_))) => {
            let port = site.port;
            format!("Connection to site ({host},{port}) failed: {e}")
        }
        Err(e @ HttpError::File { .. }) => {
            let name = site.file_name();
            format!("Error ({e}) creating the file {name}")
        }
        Err(e) => {
            format!("Transfer of the index page of site {host} failed: {e}")
        }
    }
}
// ANCHOR_END: result_line

// ANCHOR: fetch
/// Connects to `site`, sends `request` and writes the response to `out`.
///
/// # Errors
/// Any [`HttpError`]. Whatever was written to `out` before is then
/// incomplete.
pub fn fetch(
    site: &Site,
    request: &[u8],
    out: &mut impl Write,
    options: &Options,
) -> Result<Fetched, HttpError> {
    let clock = Clock::new(options.timeout);
    let stream = connect(site, &clock)?;
    clock.write_all(&stream, request)?;
    // Returning drops `stream`, which closes the connection: once a
    // Content-Length body is complete, we don't wait for the server's
    // close, so a server that keeps it open can't hold us (H5).
    receive(&stream, out, options, &clock)
}

/// Reads the response from `stream` into `out`, until the body ends.
fn receive(
    stream: &TcpStream,
    out: &mut impl Write,
    options: &Options,
    clock: &Clock,
) -> Result<Fetched, HttpError> {
    let mut reader = ResponseReader::new(options.limits);
    let mut head = None;
    let mut buf = vec![0; BUFFER_SIZE];
    while !reader.is_complete() {
        let n = clock.read(stream, &mut buf)?;
        if n == 0 {
            break; // the server closed the connection
        }
        match reader.feed(&buf[..n])? {
            Fed::NeedMore => {}
            Fed::Head { head: h, raw, body } => {
                out.write_all(&raw).map_err(HttpError::Output)?;
                out.write_all(&body).map_err(HttpError::Output)?;
                head = Some(h);
            }
            Fed::Body(body) => {
                out.write_all(body).map_err(HttpError::Output)?;
            }
        }
    }
    let body_len = reader.finish()?;
    // The reader worked out the framing when the head came (and finish
    // succeeds only after that): ask it, rather than work it out again.
    let (Some(head), Some(framing)) = (head, reader.framing()) else {
        return Err(HttpError::EmptyReply);
    };
    Ok(Fetched {
        head,
        framing,
        body_len,
    })
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
    fn next_wait(&self) -> Result<Duration, HttpError> {
        self.deadline.next_wait().map_err(|_| self.overall())
    }

    fn read(
        &self,
        stream: &TcpStream,
        buf: &mut [u8],
    ) -> Result<usize, HttpError> {
        let started = Instant::now();
        let read = self.deadline.read(stream, buf);
        read.map_err(|e| self.error(e, started))
    }

    fn write_all(
        &self,
        stream: &TcpStream,
        bytes: &[u8],
    ) -> Result<(), HttpError> {
        let started = Instant::now();
        let written = self.deadline.write_all(stream, bytes);
        written.map_err(|e| self.error(e, started))
    }

    /// A timeout in a wait begun at `started` says which limit ran out:
    /// the deadline's if it had cut the wait short, else the step's. Any
    /// other error is passed on.
    fn error(&self, err: io::Error, started: Instant) -> HttpError {
        if !is_timeout(&err) {
            return HttpError::Io(err);
        }
        if self.deadline.cut_short(started) {
            return self.overall();
        }
        HttpError::Timeout {
            waiting_for: "the server",
            after: self.step,
        }
    }

    fn overall(&self) -> HttpError {
        HttpError::Timeout {
            waiting_for: "the whole exchange to end",
            after: self.step.saturating_mul(DEADLINE_FACTOR),
        }
    }
}
// ANCHOR_END: deadline

/// Connects to the first address of `site` that answers, each attempt
/// waiting what the clock allows.
fn connect(site: &Site, clock: &Clock) -> Result<TcpStream, HttpError> {
    let host = site.host.as_str();
    let next_wait = || clock.next_wait();
    net::connect_first(host, site.port, next_wait).map_err(|e| match e {
        ConnectError::Wait(overall) => overall,
        ConnectError::Lookup(e) => HttpError::Connect(e),
        ConnectError::Failed { error, waited } => match error.kind() {
            io::ErrorKind::ConnectionRefused => HttpError::Refused,
            _ if is_timeout(&error) => HttpError::Timeout {
                waiting_for: "the connection",
                after: waited,
            },
            _ => HttpError::Connect(error),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn message(result: Result<Duration, HttpError>) -> String {
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
        assert!(matches!(err, HttpError::Io(_)));
    }

    /// A writer that keeps only the sizes of the writes it gets.
    #[derive(Default)]
    struct WriteSizes(Vec<usize>);

    impl Write for WriteSizes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.len());
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_body_of_many_buffers_goes_through_one_buffer_at_a_time() {
        use inet_mocks::HttpMock;
        use inet_mocks::http::Reply;
        let len = 3 * BUFFER_SIZE as u64 + 1;
        let reply = Reply::new(200, "OK").pattern(len);
        let server = HttpMock::new().route("/", reply).start().unwrap();
        let site = Site::parse(&format!("127.0.0.1:{}", server.addr().port()))
            .unwrap();
        let request = get_request(&site.host, site.port, "/").unwrap();
        let mut out = WriteSizes::default();
        let options = Options {
            timeout: Duration::from_secs(5),
            ..Options::default()
        };
        let fetched = fetch(&site, &request, &mut out, &options).unwrap();
        assert_eq!(fetched.body_len, len);
        let written: usize = out.0.iter().sum();
        assert_eq!(written as u64, fetched.total_len());
        // Memory does not grow with the body: no write is bigger than
        // the one buffer (the head and the body bytes read with it come
        // in one read, so they are within it too).
        let biggest = out.0.iter().max().copied().unwrap_or(0);
        assert!(biggest <= BUFFER_SIZE, "a write of {biggest} bytes");
    }

    #[test]
    fn a_huge_timeout_does_not_overflow_the_clock() {
        let deadline = Clock::new(Duration::MAX);
        let day = Duration::from_secs(24 * 60 * 60);
        assert!(deadline.next_wait().unwrap() >= day);
    }
}
