//! Opening a TCP connection, the one way every client here does it.
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
use std::io::{self, ErrorKind};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

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
