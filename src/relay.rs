//! The generic TCP server (inet_10): a person at the keyboard plays the
//! server, for one client at a time.
//!
//! Whatever the client sends is printed as `<--- IP : line`; whatever is
//! typed is sent to the client. That makes it a tool for exploring any
//! line protocol: point a browser at it, read its HTTP request, and type
//! an HTTP response back. Typing `bye` ends the session, and the server
//! waits for the next client.
//!
//! ```text
//! keyboard      keyboard thread      session (main thread)      client
//!    | -- line --> | -- Key(line) ---> | -- line -------------> |
//!    |             | <-- taken ------- |                        |
//!    |             |                   |  <--- reader thread -- | "GET / ..."
//!    | -- bye ---> | -- Key(bye) ----> | -- FIN (half-close) -> |
//!    |             |                   |  ... drain until EOF . |
//! ```
//!
//! Two things happen at once, reading the keyboard and reading the
//! client, so two threads turn what they read into `Input`s on one
//! channel, and the session loop handles them in order. The server
//! prints nothing itself: it tells its program what happens, as
//! [`Event`]s. Compared with the original, three faults are fixed:
//!
//! - a client that disconnects ends its session (the original's reader
//!   spun on end-of-file, printing empty lines until someone typed `bye`);
//! - a client that sends nothing at all within a timeout is let go, so a
//!   browser's speculative, idle connection can't wedge the server;
//! - after `bye`, we keep reading what the client still sends until it
//!   closes too. The original half-closed, then closed at once while its
//!   reader thread was still reading (that thread then died with an
//!   `AttributeError`); a socket closed with unread bytes sends a reset,
//!   which can destroy data the client has not read yet.
//!
//! Lesson: `lessons/06-generic-server.md`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use crate::accept::{Stop, connections, peer_ip};
use crate::line::{LineError, LineReader, strip_terminator};
use crate::python::strip;

/// The server's timeouts and limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// A client that sends nothing within this time of connecting is
    /// disconnected. Once it has spoken, the person at the keyboard sets
    /// the pace, and there is no timeout.
    pub first_byte_timeout: Duration,
    /// After `bye`, how long to wait for the client to close its side.
    pub drain_timeout: Duration,
    /// How long a send to the client may block (a client that never
    /// reads must not freeze the keyboard).
    pub write_timeout: Duration,
    /// Longest line accepted from the client or the keyboard.
    pub max_line: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            first_byte_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            max_line: 64 * 1024,
        }
    }
}

/// What the server tells its program, as it happens.
#[derive(Debug)]
pub enum Event<'a> {
    /// A client connected (its IP address): its session begins.
    Connected(&'a str),
    /// The client sent a line.
    Received {
        /// The client's IP address.
        client: &'a str,
        /// The line, stripped as Python strips it.
        text: &'a [u8],
    },
    /// A keyboard line (as typed, without its line end) is being sent
    /// to the client.
    Sent(&'a [u8]),
    /// The keyboard ended (why: `end of input`, or its error): the
    /// session closes, and the server stops.
    KeyboardEnded(&'a str),
    /// The client's session is over.
    Left {
        /// The client's IP address.
        client: &'a str,
        /// How it left: `closed the connection`, say.
        why: &'a str,
    },
    /// `accept` failed: the server pauses, then goes on accepting.
    AcceptFailed(io::Error),
}

/// Where the server's events go: the program's function, called from
/// the session loop and from each client's reader thread.
pub type Report<'r> = &'r (dyn Fn(Event<'_>) + Sync);

/// What the session loop reacts to.
#[derive(Debug)]
enum Input {
    /// A line typed at the keyboard, with its line end as typed.
    Key(Vec<u8>),
    /// The keyboard is done (Ctrl-D, end of a pipe, or an error).
    KeyboardEnd(String),
    /// Session `N`'s client is gone, and why.
    ClientGone(u64, String),
}

// ANCHOR: serve
/// Serves clients one at a time until the keyboard ends or `stop` is
/// requested, telling `report` what happens. Clients who connect
/// meanwhile wait in the listen queue.
///
/// The keyboard thread can't be interrupted while it waits for input, so
/// it is left running when this returns; the process exit ends it.
///
/// # Errors
/// When the keyboard thread can't be started, or reading the keyboard
/// failed (not its end: a line over the limit, a directory for input).
pub fn serve(
    listener: &TcpListener,
    keyboard: impl Read + Send + 'static,
    config: &Config,
    report: Report<'_>,
    stop: &Stop,
) -> io::Result<()> {
    let (inputs, inbox) = mpsc::channel();
    let (taken, failed) =
        spawn_keyboard(keyboard, config, inputs.clone(), stop)?;
    let relay = Relay {
        inbox,
        inputs,
        taken,
        config,
        report,
    };
    let paused = |e| report(Event::AcceptFailed(e));
    for (session, stream) in (1..).zip(connections(listener, stop, paused)) {
        relay.session(session, &stream);
    }
    match failed.try_recv() {
        Ok(why) => Err(io::Error::other(why)),
        Err(_) => Ok(()), // the keyboard ended well, or goes on
    }
}
// ANCHOR_END: serve

// ANCHOR: keyboard
/// Starts the keyboard's thread. It hands over a line, and reads the
/// next only once that one was taken: what is typed ahead waits in the
/// terminal's (or the pipe's) buffer, as it does for Python's
/// `raw_input`, never in our memory. When the keyboard ends, nothing
/// typed is left unsent and nobody is left to answer a client: it stops
/// the server too. Returns the sender of "taken", and where the
/// keyboard's failure comes, if it fails.
fn spawn_keyboard(
    keyboard: impl Read + Send + 'static,
    config: &Config,
    inputs: Sender<Input>,
    stop: &Stop,
) -> io::Result<(Sender<()>, Receiver<String>)> {
    let (taken, on_taken) = mpsc::channel();
    let (failure, failed) = mpsc::channel();
    let (max_line, stop) = (config.max_line, stop.clone());
    thread::Builder::new()
        .name("keyboard".into())
        .spawn(move || {
            let end = read_keys(keyboard, max_line, &inputs, &on_taken);
            if let Err(why) = &end {
                let _ = failure.send(why.clone());
            }
            let why = end.unwrap_or_else(|why| why);
            let _ = inputs.send(Input::KeyboardEnd(why));
            stop.request();
        })?;
    Ok((taken, failed))
}
// ANCHOR_END: keyboard

// ANCHOR: read_keys
/// Hands over each keyboard line once the one before was taken; returns
/// why the keyboard ended: its end, or (`Err`) its failure.
fn read_keys(
    keyboard: impl Read,
    max_line: usize,
    inputs: &Sender<Input>,
    taken: &Receiver<()>,
) -> Result<String, String> {
    let mut lines = LineReader::new(keyboard, max_line);
    loop {
        let line = match lines.read_raw_line() {
            Ok(Some(line)) => line.to_vec(),
            Ok(None) => return Ok("end of input".into()),
            // The last line, typed without Enter before Ctrl-D.
            Err(LineError::EofInLine { .. }) => lines.take_buffered(),
            Err(e) => return Err(format!("keyboard: {e}")),
        };
        if inputs.send(Input::Key(line)).is_err() || taken.recv().is_err() {
            return Ok("server gone".into());
        }
    }
}
// ANCHOR_END: read_keys

/// The session loop's side of the channels, and what it needs to serve.
struct Relay<'a> {
    inbox: Receiver<Input>,
    /// A sender for the reader threads.
    inputs: Sender<Input>,
    /// Tells the keyboard thread it may read on.
    taken: Sender<()>,
    config: &'a Config,
    report: Report<'a>,
}

impl Relay<'_> {
    // ANCHOR: session
    /// One client's session: its reader thread prints what the client
    /// sends, while this loop relays keyboard lines to it.
    fn session(&self, session: u64, stream: &TcpStream) {
        let client = peer_ip(stream);
        (self.report)(Event::Connected(&client));
        let (gone, departure) = mpsc::channel();
        let (inputs, config, report) = (&self.inputs, self.config, self.report);
        let why = thread::scope(|scope| {
            let reader = thread::Builder::new()
                .name(format!("client-{session}"))
                .spawn_scoped(scope, || {
                    let why =
                        print_client_lines(stream, &client, config, report);
                    let _ = gone.send(why.clone());
                    let _ = inputs.send(Input::ClientGone(session, why));
                });
            let why = match &reader {
                Ok(_) => self.relay_keys(session, stream, &departure),
                Err(e) => format!("dropped: no thread: {e}"),
            };
            // The reader's last read, if it is still reading, ends here.
            let _ = stream.shutdown(Shutdown::Both);
            if let Ok(reader) = reader {
                let _ = reader.join();
            }
            why
        });
        (self.report)(Event::Left {
            client: &client,
            why: &why,
        });
    }
    // ANCHOR_END: session

    // ANCHOR: relay_keys
    /// Relays keyboard lines to the client until `bye`, the keyboard's
    /// end, or the client's departure; returns how the client left.
    fn relay_keys(
        &self,
        session: u64,
        stream: &TcpStream,
        departure: &Receiver<String>,
    ) -> String {
        let _ = stream.set_write_timeout(Some(self.config.write_timeout));
        loop {
            let line = match self.inbox.recv() {
                Ok(Input::Key(line)) => line,
                Ok(Input::KeyboardEnd(why)) => {
                    (self.report)(Event::KeyboardEnded(&why));
                    return self.close_gracefully(stream, departure);
                }
                Ok(Input::ClientGone(s, why)) if s == session => return why,
                Ok(Input::ClientGone(..)) => continue, // an earlier session's
                Err(_) => return "gone".into(), // we hold a sender: never
            };
            let _ = self.taken.send(()); // the keyboard may read on
            if strip(&line) == b"bye" {
                return self.close_gracefully(stream, departure);
            }
            (self.report)(Event::Sent(strip_terminator(&line)));
            if let Err(e) = send_line(stream, &line) {
                return format!("gone: {e}");
            }
        }
    }
    // ANCHOR_END: relay_keys

    // ANCHOR: close_gracefully
    /// Half-closes our side, then lets the reader thread drain what the
    /// client still sends until it closes too, or the drain times out.
    /// Keyboard lines typed meanwhile wait for the next client. Returns
    /// how the client left.
    fn close_gracefully(
        &self,
        stream: &TcpStream,
        departure: &Receiver<String>,
    ) -> String {
        let _ = stream.shutdown(Shutdown::Write);
        let t = self.config.drain_timeout;
        match departure.recv_timeout(t) {
            Ok(why) => why,
            Err(RecvTimeoutError::Timeout) => {
                format!("did not close within {t:?}: disconnected")
            }
            Err(RecvTimeoutError::Disconnected) => "gone".into(),
        }
    }
    // ANCHOR_END: close_gracefully
}

// ANCHOR: send_line
/// Sends a keyboard line as it was typed (`\r\n` stays `\r\n`, as with
/// Python's `raw_input`), with a `\n` if it had no line end at all.
/// `write_all`, not `write`: one `write` may take only part of a line.
fn send_line(mut out: impl Write, line: &[u8]) -> io::Result<()> {
    if line.ends_with(b"\n") {
        out.write_all(line)
    } else {
        out.write_all(&[line, b"\n"].concat())
    }
}
// ANCHOR_END: send_line

// ANCHOR: print_client_lines
/// Reports each line the client sends, until it closes, fails, breaks
/// the line limit, or says nothing at all for `first_byte_timeout`.
/// Returns why it stopped.
fn print_client_lines(
    stream: &TcpStream,
    client: &str,
    config: &Config,
    report: Report<'_>,
) -> String {
    let _ = stream.set_read_timeout(Some(config.first_byte_timeout));
    let mut lines = LineReader::new(stream, config.max_line);
    let show = |line: &[u8]| {
        let text = strip(line);
        report(Event::Received { client, text });
    };
    loop {
        match lines.read_line() {
            Ok(Some(line)) => show(line),
            Ok(None) => return "closed the connection".into(),
            Err(LineError::EofInLine { .. }) => {
                show(&lines.take_buffered());
                return "closed the connection".into();
            }
            // Half a line has come: the client has spoken after all.
            Err(LineError::Timeout) => {
                if lines.buffered().is_empty() {
                    let t = config.first_byte_timeout;
                    return format!("sent nothing for {t:?}: disconnected");
                }
            }
            Err(LineError::TooLong { max_len }) => {
                return format!(
                    "sent a line over {max_len} bytes: disconnected"
                );
            }
            Err(LineError::Io(e)) => return format!("connection failed: {e}"),
        }
        // The client has spoken: from now on, no timeout.
        let _ = stream.set_read_timeout(None);
    }
}
// ANCHOR_END: print_client_lines

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most one byte per call, as a socket whose
    /// buffer is nearly full may.
    struct OneByteAtATime(Vec<u8>);

    impl Write for OneByteAtATime {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.extend(bytes.first());
            Ok(bytes.len().min(1))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_is_sent_whole_however_little_each_write_takes() {
        let cases: [(&[u8], &[u8]); 2] = [
            (b"GET /\r\n", b"GET /\r\n"),
            (b"no line end", b"no line end\n"),
        ];
        for (typed, sent) in cases {
            let mut out = OneByteAtATime(Vec::new());
            send_line(&mut out, typed).unwrap();
            assert_eq!(out.0, sent);
        }
    }
}
