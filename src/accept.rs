//! What every accept loop needs: a way to stop it, a pause after a
//! failed `accept`, and the client's address for the log.
//! [`connections`] is that loop, for the echo server and the generic
//! server alike.
//!
//! std has no way to cancel a blocking `accept` call. So a [`Stop`]
//! request sets a flag and then connects to the server itself: `accept`
//! returns that connection, the accept loop checks the flag, and leaves.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::blocking::retry_interrupted;

/// The shortest and the longest pause after a failed `accept`.
const MIN_PAUSE: Duration = Duration::from_millis(10);
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// A cloneable request to stop the accept loop on one listener.
#[derive(Debug, Clone)]
pub struct Stop {
    requested: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl Stop {
    /// A stop signal for the loop that accepts on `listener`.
    ///
    /// # Errors
    /// When the listener's address can't be read.
    pub fn new(listener: &TcpListener) -> io::Result<Stop> {
        let mut addr = listener.local_addr()?;
        // A server listening on every address is reached on loopback.
        if addr.ip().is_unspecified() {
            addr.set_ip(IpAddr::from([127, 0, 0, 1]));
        }
        let requested = Arc::new(AtomicBool::new(false));
        Ok(Stop { requested, addr })
    }

    /// Asks the loop to stop, and wakes it up.
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }

    /// Has a stop been requested? The accept loop asks after each
    /// `accept`.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

// ANCHOR: connections
/// The clients that connect to `listener`, one by one, until `stop` is
/// requested. A failed `accept` (out of file descriptors, say) is told
/// to `failed`, for the server to report, and followed by a pause, and
/// the loop goes on: one bad moment must not end the server. A signal is
/// no failure at all: the wait simply starts again (see
/// [`retry_interrupted`]).
pub fn connections<'a>(
    listener: &'a TcpListener,
    stop: &'a Stop,
    mut failed: impl FnMut(io::Error) + 'a,
) -> impl Iterator<Item = TcpStream> + 'a {
    // The pause after a failure: 10 ms, twice as long after each failure
    // in a row, up to a second, so that a lasting error (no file
    // descriptor left) doesn't spin the CPU, and a passing one costs
    // only a few milliseconds.
    let mut pause = Duration::ZERO;
    std::iter::from_fn(move || {
        loop {
            let accepted = retry_interrupted(|| listener.accept());
            if stop.is_requested() {
                return None;
            }
            match accepted {
                Ok((stream, _)) => {
                    pause = Duration::ZERO;
                    return Some(stream);
                }
                Err(e) => {
                    failed(e);
                    pause = (pause * 2).clamp(MIN_PAUSE, MAX_PAUSE);
                    thread::sleep(pause);
                }
            }
        }
    })
}
// ANCHOR_END: connections

/// The client's IP address as text, for log lines; `?` if the socket
/// can no longer say (the client may already be gone).
pub fn peer_ip(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map_or("?".into(), |a| a.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_wakes_a_blocked_accept() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stop = Stop::new(&listener).unwrap();
        let waker = stop.clone();
        let waiting = std::thread::spawn(move || {
            let _ = listener.accept();
            waker.is_requested()
        });
        stop.request();
        assert!(waiting.join().unwrap());
    }
}
