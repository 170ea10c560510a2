//! What a blocking socket call can return that is not a failure: its
//! timeout expired ([`is_timeout`]), or a signal cut it short
//! ([`retry_interrupted`]). Every socket here has a timeout, so every
//! read, write, accept or receive must reckon with both.

use std::io::{self, ErrorKind};

// ANCHOR: blocking
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
// ANCHOR_END: blocking
