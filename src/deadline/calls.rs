//! Single socket calls against a [`Deadline`]: one read, a whole write,
//! one datagram. Before each attempt the socket's timeout is set to the
//! time the deadline has left (or its cap), so no call outlives it.
//!
//! The web client and the DNS stub make their calls this way; a line
//! reader reads through a [`DeadlineReader`](super::reader::DeadlineReader)
//! instead.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use super::Deadline;
use crate::blocking::retry_interrupted;

// ANCHOR: deadline_read
/// One read from `stream`, waiting at most
/// [`next_wait`](Deadline::next_wait) in all, however often a signal
/// interrupts it.
///
/// # Errors
/// `TimedOut` once the deadline has passed, or whatever the socket's
/// timeout gives (`WouldBlock` on Unix) when it expires mid-read. The
/// line reader takes both as `LineError::Timeout`.
pub fn read(
    deadline: &Deadline,
    stream: &TcpStream,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut stream = stream;
    retry(&one_call(deadline), |wait| {
        stream.set_read_timeout(Some(wait))?;
        stream.read(buf)
    })
}
// ANCHOR_END: deadline_read

/// Writes all of `bytes` to `stream`, all the write calls together
/// waiting at most [`next_wait`](Deadline::next_wait).
///
/// # Errors
/// As for [`read`]; `WriteZero` if the socket takes nothing; any other
/// write error.
pub fn write_all(
    deadline: &Deadline,
    stream: &TcpStream,
    bytes: &[u8],
) -> io::Result<()> {
    let (call, mut stream, mut rest) = (one_call(deadline), stream, bytes);
    while !rest.is_empty() {
        let n = retry(&call, |wait| {
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

/// One datagram from `socket`, and who sent it, waiting as [`read`]
/// does.
///
/// # Errors
/// As for [`read`].
pub fn recv_from(
    deadline: &Deadline,
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    retry(&one_call(deadline), |wait| {
        socket.set_read_timeout(Some(wait))?;
        socket.recv_from(buf)
    })
}

/// The deadline for one call starting now: the cap, if any, counts
/// from now, and ends the call.
fn one_call(deadline: &Deadline) -> Deadline {
    let call = match deadline.cap {
        Some(cap) => deadline.at_most(cap),
        None => *deadline,
    };
    Deadline { cap: None, ..call }
}

/// Runs `attempt` with the time left, again for as long as a signal
/// interrupts it (EINTR, see [`retry_interrupted`]). Each attempt waits
/// only the time left, so no number of signals can stretch the
/// deadline.
fn retry<T>(
    call: &Deadline,
    mut attempt: impl FnMut(Duration) -> io::Result<T>,
) -> io::Result<T> {
    retry_interrupted(|| attempt(call.next_wait()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_wait_is_tried_again_with_the_time_left() {
        let deadline = Deadline::after(Duration::from_secs(5));
        let mut waits = Vec::new();
        let got = retry(&deadline, |wait| {
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
        retry(&one_call(&deadline), |_| {
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
}
