//! Stopping a server that is blocked in `accept`.
//!
//! std has no way to cancel a blocking `accept` call. So a stop request
//! sets a flag and then connects to the server itself: `accept` returns
//! that connection, the accept loop checks the flag, and leaves.

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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
    pub fn new(listener: &TcpListener) -> std::io::Result<Stop> {
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
