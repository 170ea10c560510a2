//! What the two server chapters ([`super::echo`], [`super::generic`])
//! share: our server started on port 0 (the port read from its first
//! line), a script played one step at a time, each step waiting for a
//! line the server prints, and a scripted client that keeps every byte it
//! sent and received. Nothing here waits longer than [`STEP`]: every
//! socket has read and write timeouts, every wait a limit.

use std::cell::Cell;
use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use crate::error::CompareError;
use crate::job::{Job, Running};
use crate::lines::Normaliser;
use crate::python::not_started;
use crate::side::Side;
use inet::blocking::{is_timeout, retry_interrupted};

/// The longest any one step may take: a connection, a line to arrive or
/// to be printed, a server to hang up.
pub const STEP: Duration = Duration::from_secs(5);

/// The most bytes kept of one stream: what a [`Caller`] receives to the
/// end, each direction of the echo chapter's tap (past it, the tap gives
/// up and says so).
pub const MAX_KEPT: usize = 1 << 20;

/// A server started again (`job`, given `port` as its last argument) on
/// the port a scripted run used, and watched until it says it listens or
/// ends: either way, it has done what the comparison is about. Then
/// stopped: its side, with `failed`, what the script could not play,
/// noted. Unbuffered, as every server is started (a Python original
/// would hold its lines back; ours ignore the variable).
pub fn restarted(
    job: Job,
    port: u16,
    failed: Option<&str>,
) -> Result<Side, CompareError> {
    let job = job.env("PYTHONUNBUFFERED", 1).args([port.to_string()]);
    let mut running = job.spawn()?;
    if !running.wait_for_stdout(STEP, |out| out.contains(&b'\n')) {
        running.wait_for_exit(STEP);
    }
    let finished = running.stop()?;
    let normal = Normaliser::new().port(port);
    Ok(finished.side(&normal).failed(failed))
}

/// Starts our server `job` (`PROGRAM 0`) and reads the port it got from
/// its first line (`... listening on IP:PORT`).
///
/// # Errors
/// As [`Job::spawn`]; [`CompareError::Io`] with what the server said on
/// standard error when it said no port within [`STEP`].
pub fn start_ours(
    job: Job,
    program: &str,
) -> Result<(Running, u16), CompareError> {
    let running = job.spawn()?;
    let port = Cell::new(None);
    running.wait_for_stdout(STEP, |out| {
        port.set(port_of(out));
        out.contains(&b'\n')
    });
    match port.get() {
        Some(port) => Ok((running, port)),
        None => {
            let why = format!("{program} did not say its port");
            Err(not_started(why, &running.stop()?))
        }
    }
}

/// The port in our servers' first line, `... listening on IP:PORT`.
pub fn port_of(output: &[u8]) -> Option<u16> {
    let first = output.split(|&b| b == b'\n').next()?;
    let first = std::str::from_utf8(first).ok()?;
    let (_, addr) = first.rsplit_once(" listening on ")?;
    addr.trim().parse::<SocketAddr>().ok().map(|a| a.port())
}

/// Plays `script`, step by step: `take(i, step)` takes step `i` (from
/// 0), waits for its effect, and says whether the script goes on (a
/// server that ended at Ctrl-C ends it). Returns why the script stopped
/// short, if a step failed (`step N (Step): why`).
pub fn play<S: Copy + Debug>(
    script: &[S],
    mut take: impl FnMut(usize, S) -> Result<bool, String>,
) -> Option<String> {
    for (i, &step) in script.iter().enumerate() {
        match take(i, step) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(why) => {
                return Some(format!("step {} ({step:?}): {why}", i + 1));
            }
        }
    }
    None
}

/// Waits (at most [`STEP`]) until what `server` printed satisfies
/// `until`: how a step waits for its effect instead of sleeping.
///
/// # Errors
/// `the server did not print WHAT` when it did not in time.
pub fn printed(
    server: &Running,
    what: &str,
    until: impl Fn(&[u8]) -> bool,
) -> Result<(), String> {
    match server.wait_for_stdout(STEP, until) {
        true => Ok(()),
        false => Err(format!("the server did not print {what}")),
    }
}

/// A scripted client: its socket, and every byte it sent and received.
#[derive(Debug, Default)]
pub struct Caller {
    stream: Option<TcpStream>,
    /// Every byte it sent.
    pub sent: Vec<u8>,
    /// Every byte it received.
    pub received: Vec<u8>,
    /// The port the system gave its end of the connection, once it has
    /// connected: a server may print it.
    pub port: Option<u16>,
}

impl Caller {
    /// Connects to `addr` ([`connect`]).
    pub fn connect(&mut self, addr: SocketAddr) -> Result<(), String> {
        let stream =
            connect(addr).map_err(|e| format!("cannot connect: {e}"))?;
        self.port = stream.local_addr().ok().map(|a| a.port());
        self.stream = Some(stream);
        Ok(())
    }

    /// Closes its socket, if it is open.
    pub fn hang_up(&mut self) {
        drop(self.stream.take());
    }

    fn stream(&self) -> Result<&TcpStream, String> {
        self.stream.as_ref().ok_or_else(|| "not connected".into())
    }

    /// Sends `bytes`, all of them.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream()?
            .write_all(bytes)
            .map_err(|e| format!("cannot send: {e}"))?;
        self.sent.extend_from_slice(bytes);
        Ok(())
    }

    /// Closes its sending side: the server reads the end of the stream.
    pub fn close_sending(&self) -> Result<(), String> {
        self.stream()?
            .shutdown(Shutdown::Write)
            .map_err(|e| format!("cannot close: {e}"))
    }

    /// Reads up to the end of the next line (one byte at a time: nothing
    /// after it is taken from the socket).
    pub fn receive_line(&mut self) -> Result<(), String> {
        let mut byte = [0];
        // The field, not `stream()`: `received` is borrowed alongside.
        let mut stream = self.stream.as_ref().ok_or("not connected")?;
        loop {
            match retry_interrupted(|| stream.read(&mut byte)) {
                Ok(0) => return Err("the server closed instead".into()),
                Ok(_) => {
                    self.received.push(byte[0]);
                    if byte[0] == b'\n' {
                        return Ok(());
                    }
                }
                Err(e) => return Err(read_error(&e)),
            }
        }
    }

    /// Reads what has come, waiting for one byte at least.
    pub fn receive_some(&mut self) -> Result<(), String> {
        let mut buf = [0; 4096];
        let mut stream = self.stream()?;
        match retry_interrupted(|| stream.read(&mut buf)) {
            Ok(0) => Err("the server hung up".into()),
            Ok(n) => {
                self.received.extend_from_slice(&buf[..n]);
                Ok(())
            }
            Err(e) => Err(read_error(&e)),
        }
    }

    /// Reads until the server hangs up (at most [`MAX_KEPT`] bytes).
    pub fn receive_to_end(&mut self) -> Result<(), String> {
        let mut rest = Vec::new();
        let read = self.stream()?.take(MAX_KEPT as u64).read_to_end(&mut rest);
        self.received.extend_from_slice(&rest);
        read.map(|_| ()).map_err(|e| read_error(&e))
    }
}

/// A connection to `addr` on which no read or write waits over [`STEP`].
///
/// # Errors
/// When it can't connect in time or set its timeouts.
pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, STEP)?;
    bound(&stream)?;
    Ok(stream)
}

/// Sets `stream` so that no read or write waits over [`STEP`], and small
/// writes go at once (no Nagle delay).
///
/// # Errors
/// When a setting fails.
pub fn bound(stream: &TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(STEP))?;
    stream.set_write_timeout(Some(STEP))?;
    stream.set_nodelay(true)
}

/// What a failed read says: a timeout as such, any other error as it is.
pub fn read_error(e: &io::Error) -> String {
    match is_timeout(e) {
        true => format!("nothing came within {}s", STEP.as_secs_f64()),
        false => format!("cannot receive: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_the_first_line_only() {
        let said = b"generic TCP server (stop with Ctrl-C) listening on \
                     127.0.0.1:43210\nclient 127.0.0.1\n";
        assert_eq!(port_of(said), Some(43210));
        assert_eq!(port_of(b"listening on [::1]:8000\n"), None);
        assert_eq!(port_of(b"x listening on [::1]:8000\n"), Some(8000));
        assert_eq!(port_of(b"cannot listen\nx listening on 1.2.3.4:5"), None);
        assert_eq!(port_of(b"x listening on 127.0.0.1:99999\n"), None);
        assert_eq!(port_of(b""), None);
    }

    #[test]
    fn a_script_stops_at_its_first_failed_step_or_when_told() {
        let mut taken = Vec::new();
        let failed = play(&["a", "b", "c"], |i, step| {
            taken.push(i);
            match step {
                "b" => Err("no".into()),
                _ => Ok(true),
            }
        });
        assert_eq!(failed.as_deref(), Some("step 2 (\"b\"): no"));
        assert_eq!(taken, [0, 1]);
        assert_eq!(play(&["a"], |_, _| Ok(true)), None);
        let mut taken = Vec::new();
        let ended = play(&["a", "b", "c"], |i, step| {
            taken.push(i);
            Ok(step != "b")
        });
        assert_eq!((ended, taken), (None, vec![0, 1]));
    }
}
