//! Opening a TCP connection, the one way every client here does it, and
//! the two facts every socket call must reckon with: how a timeout shows
//! up ([`is_timeout`]), and a signal cutting a call short
//! ([`retry_interrupted`]).
//!
//! A host name may have several addresses (`localhost` is often both
//! `::1` and `127.0.0.1`). As Python's `socket.create_connection` does,
//! [`connect`] tries them in the order the resolver gives, each for at
//! most a timeout, and reports the last failure if none answers. Name
//! lookup (`to_socket_addrs`) is the one step std can't bound.
//!
//! Each client maps the failure to its own error: the echo client and
//! the SMTP client pass the `io::Error` on; the web client, which also
//! keeps a deadline for the whole exchange, uses [`connect_first`] to
//! ask its deadline how long each attempt may wait.

use std::convert::Infallible;
use std::fmt;
use std::io::{self, ErrorKind};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Is `e` a read timeout? It shows up as `WouldBlock` on Unix (also for
/// a non-blocking socket with nothing to read) and as `TimedOut` on
/// Windows: both mean the same thing here.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Calls `op` again for as long as a signal interrupts it. On Linux a
/// read on a socket with a timeout (`SO_RCVTIMEO`; every socket here has
/// one) is never restarted after a signal: it fails with `Interrupted`
/// (EINTR), even after a mere stop and continue (Ctrl-Z then `fg`, a
/// debugger attaching); see signal(7). std's `read_exact`, `read_to_end`
/// and `write_all` retry by themselves; `read`, `peek`, `recv_from` and
/// `accept` leave it to their caller.
///
/// # Errors
/// The first error of `op` that is not `Interrupted`.
pub fn retry_interrupted<T>(
    mut op: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            done => return done,
        }
    }
}

/// A port argument that is not a TCP port number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPort(pub String);

impl fmt::Display for BadPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the port {:?} is not a whole number from 0 to 65535",
            self.0
        )
    }
}

impl std::error::Error for BadPort {}

// ANCHOR: parse_port
/// Parses a port as the originals do (digits, optionally surrounded by
/// white space) and, unlike them, checks it fits in 16 bits.
///
/// # Errors
/// [`BadPort`] for anything else, `-1`, `80a` and `70000` included.
pub fn parse_port(arg: &str) -> Result<u16, BadPort> {
    let digits = arg.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadPort(arg.to_owned()));
    }
    digits.parse().map_err(|_| BadPort(arg.to_owned()))
}
// ANCHOR_END: parse_port

/// Why [`connect_first`] made no connection.
#[derive(Debug)]
pub enum ConnectError<E> {
    /// The name could not be looked up, or has no address.
    Lookup(io::Error),
    /// `wait` allowed no further attempt (its deadline had passed).
    Wait(E),
    /// Every address failed: the last one's error, and how long that
    /// attempt was allowed to wait.
    Failed {
        /// Why the last address failed.
        error: io::Error,
        /// The timeout that attempt had.
        waited: Duration,
    },
}

/// Connects to `host:port`, trying each of its addresses in turn, each
/// for at most `timeout`.
///
/// # Errors
/// The last address's error, or the lookup's.
pub fn connect(
    host: &str,
    port: u16,
    timeout: Duration,
) -> io::Result<TcpStream> {
    let wait = || Ok::<_, Infallible>(timeout);
    connect_first(host, port, wait).map_err(|e| match e {
        ConnectError::Lookup(error) | ConnectError::Failed { error, .. } => {
            error
        }
        ConnectError::Wait(never) => match never {},
    })
}

/// Connects to the first address of `host:port` that answers. Before
/// each attempt, `wait` says how long it may take, or that there is no
/// time left for it.
///
/// # Errors
/// See [`ConnectError`].
pub fn connect_first<E>(
    host: &str,
    port: u16,
    mut wait: impl FnMut() -> Result<Duration, E>,
) -> Result<TcpStream, ConnectError<E>> {
    let addrs = (host, port).to_socket_addrs();
    let none = io::Error::new(ErrorKind::NotFound, "no address");
    let mut last = ConnectError::Lookup(none);
    for addr in addrs.map_err(ConnectError::Lookup)? {
        let waited = wait().map_err(ConnectError::Wait)?;
        match TcpStream::connect_timeout(&addr, waited) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = ConnectError::Failed { error, waited },
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_follow_the_original_rule_and_fit_16_bits() {
        assert_eq!(parse_port("100"), Ok(100));
        assert_eq!(parse_port(" 25 "), Ok(25));
        assert_eq!(parse_port("0"), Ok(0));
        assert_eq!(parse_port("65535"), Ok(65535));
        for bad in ["", " ", "-1", "+1", "80a", "0x50", "65536", "99999999999"]
        {
            assert_eq!(parse_port(bad), Err(BadPort(bad.into())), "{bad:?}");
        }
    }
    use std::net::TcpListener;

    const WAIT: Duration = Duration::from_millis(500);

    #[test]
    fn connects_to_a_listening_port() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stream = connect("127.0.0.1", port, WAIT).unwrap();
        assert_eq!(stream.peer_addr().unwrap().port(), port);
    }

    #[test]
    fn a_wait_that_refuses_stops_before_any_attempt() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let result = connect_first("127.0.0.1", port, || Err("too late"));
        assert!(matches!(result, Err(ConnectError::Wait("too late"))));
    }

    #[test]
    fn a_bad_name_is_a_lookup_error() {
        // Not a host name at all, so no resolver is asked.
        let result = connect("not a host\0", 1, WAIT);
        assert!(result.is_err());
    }
}
