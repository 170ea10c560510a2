//! An answer to lesson 6's exercise 3: the listener is put in
//! non-blocking mode only while the queue is emptied, and each client is
//! answered in blocking mode, with a deadline on the drain.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

// ANCHOR: refuse_waiting
/// Answers each client waiting on `listener` with `message`, closes it
/// gracefully, and returns how many it answered.
///
/// # Errors
/// When `accept` fails for another reason than an empty queue.
pub fn refuse_waiting(
    listener: &TcpListener,
    message: &str,
    drain: Duration,
) -> io::Result<usize> {
    listener.set_nonblocking(true)?;
    let mut waiting = Vec::new();
    let emptied = loop {
        match listener.accept() {
            Ok((client, _)) => waiting.push(client),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    listener.set_nonblocking(false)?;
    emptied?;
    for client in &waiting {
        // A client that is gone already needs no answer.
        let _ = refuse(client, message, drain);
    }
    Ok(waiting.len())
}

/// Sends `message` to `client`, half-closes, and reads what it still
/// sends until it closes, within `drain`: then nothing is left unread,
/// and closing sends no reset.
fn refuse(
    mut client: &TcpStream,
    message: &str,
    drain: Duration,
) -> io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_write_timeout(Some(drain))?;
    client.write_all(format!("{message}\r\n").as_bytes())?;
    client.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + drain;
    let mut sink = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        client.set_read_timeout(Some(left))?;
        if client.read(&mut sink)? == 0 {
            return Ok(()); // the client closed too
        }
    }
}
// ANCHOR_END: refuse_waiting
