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
//! keyboard        keyboard thread     session (main thread)     client
//!    | -- line -->  | -- Key(line) ---> | -- line -------------> |
//!    |              |                   |  <--- reader thread -- | "GET / ..."
//!    | -- bye ----> | -- Key(bye) ----> | -- FIN (half-close) -> |
//!    |              |                   |  ... drain until EOF . |
//! ```
//!
//! Two things happen at once, reading the keyboard and reading the
//! client, so two threads turn what they read into `Event`s on one
//! channel, and the session loop handles the events in order. Compared
//! with the original, three faults are fixed:
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

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::accept::{Stop, connections, peer_ip};
use crate::console::Console;
use crate::deadline::deadline_after;
use crate::echo::trim;
use crate::line::{LineError, LineReader, strip_terminator};

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
    /// Print each keyboard line as `--> line`: when standard input is a
    /// pipe, nobody typed it, and the log would not show it otherwise.
    pub echo_keyboard: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            first_byte_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            max_line: 64 * 1024,
            echo_keyboard: false,
        }
    }
}

/// What the session loop reacts to.
#[derive(Debug)]
enum Event {
    /// A line typed at the keyboard, with its line end as typed.
    Key(Vec<u8>),
    /// The keyboard is done (Ctrl-D, end of a pipe, or an error).
    KeyboardEnd(String),
    /// Session `session`'s client is gone, for the reason given.
    ClientGone { session: u64, why: String },
}

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Serve the next client.
    NextClient,
    /// The keyboard is done: nobody is left to answer a client.
    Exit,
}

// ANCHOR: serve
/// Serves clients one at a time until the keyboard ends or `stop` is
/// requested. Clients who connect meanwhile wait in the listen queue.
///
/// The keyboard thread can't be interrupted while it waits for input, so
/// it is left running when this returns; the process exit ends it.
///
/// # Errors
/// Only when the keyboard thread can't be started.
pub fn serve(
    listener: &TcpListener,
    keyboard: impl Read + Send + 'static,
    console: &Console,
    config: &Config,
    stop: &Stop,
) -> io::Result<()> {
    let (events, inbox) = mpsc::channel();
    let unsent = Arc::new(AtomicUsize::new(0));
    let keys = Keyboard {
        events: events.clone(),
        unsent: Arc::clone(&unsent),
    };
    keys.spawn(keyboard, config.max_line, stop.clone())?;
    let mut relay = Relay {
        inbox,
        events,
        unsent,
        held: VecDeque::new(),
    };
    let clients = connections(listener, stop, console);
    for (session, stream) in (1..).zip(clients) {
        let next = relay.session(session, stream, console, config);
        if next == Next::Exit || relay.keyboard_has_ended() {
            break;
        }
    }
    Ok(())
}
// ANCHOR_END: serve

/// The keyboard's side: a thread that reads lines for as long as the
/// server runs, and counts those not yet sent to a client.
struct Keyboard {
    events: Sender<Event>,
    unsent: Arc<AtomicUsize>,
}

impl Keyboard {
    fn spawn(
        self,
        keyboard: impl Read + Send + 'static,
        max_line: usize,
        stop: Stop,
    ) -> io::Result<()> {
        let thread = thread::Builder::new().name("keyboard".into());
        thread.spawn(move || {
            let why = self.read_lines(keyboard, max_line);
            let _ = self.events.send(Event::KeyboardEnd(why));
            // Between clients, with nothing left to send, waiting for the
            // next client would be pointless: stop the accept loop too.
            if self.unsent.load(Ordering::SeqCst) == 0 {
                stop.request();
            }
        })?;
        Ok(())
    }

    /// Sends each line as an event; returns why the keyboard ended.
    fn read_lines(&self, keyboard: impl Read, max_line: usize) -> String {
        let mut lines = LineReader::new(keyboard, max_line);
        loop {
            let line = match lines.read_raw_line() {
                Ok(Some(line)) => line.to_vec(),
                Ok(None) => return "end of input".into(),
                // The last line, typed without Enter before Ctrl-D.
                Err(LineError::EofInLine { .. }) => lines.take_buffered(),
                Err(e) => return format!("keyboard: {e}"),
            };
            self.unsent.fetch_add(1, Ordering::SeqCst);
            if self.events.send(Event::Key(line)).is_err() {
                return "server gone".into();
            }
        }
    }
}

/// The server's state between sessions: the event channel, a count of
/// keyboard lines not yet sent, and events that arrived while a session
/// was closing, held for the next one.
struct Relay {
    inbox: Receiver<Event>,
    events: Sender<Event>,
    unsent: Arc<AtomicUsize>,
    held: VecDeque<Event>,
}

impl Relay {
    /// The next event: a held one first, else wait for one.
    fn next_event(&mut self) -> Event {
        let event = match self.held.pop_front() {
            Some(event) => event,
            // We hold a sender ourselves, so the channel can't close.
            None => self
                .inbox
                .recv()
                .unwrap_or(Event::KeyboardEnd("keyboard thread gone".into())),
        };
        if matches!(event, Event::Key(_)) {
            self.unsent.fetch_sub(1, Ordering::SeqCst);
        }
        event
    }

    /// Between sessions: true when the keyboard has ended and nothing
    /// typed is left over, so serving another client would be pointless.
    /// Old client departures are dropped on the way.
    fn keyboard_has_ended(&mut self) -> bool {
        self.held.extend(self.inbox.try_iter());
        self.held.retain(|e| !matches!(e, Event::ClientGone { .. }));
        matches!(self.held.front(), Some(Event::KeyboardEnd(_)))
    }

    // ANCHOR: session
    /// One client's session: relay keyboard lines to it until `bye`, the
    /// keyboard's end, or the client's departure.
    fn session(
        &mut self,
        session: u64,
        stream: TcpStream,
        console: &Console,
        config: &Config,
    ) -> Next {
        let ip = peer_ip(&stream);
        console.line(format!("client {ip}"));
        let events = self.events.clone();
        let reader = match spawn_reader(
            session, &stream, &ip, console, config, events,
        ) {
            Ok(reader) => reader,
            Err(e) => {
                console.line(format!("client {ip} dropped: no thread: {e}"));
                return Next::NextClient;
            }
        };
        let _ = stream.set_write_timeout(Some(config.write_timeout));
        let next = loop {
            match self.next_event() {
                Event::Key(line) if trim(&line) == b"bye" => {
                    let why = self.close_gracefully(session, &stream, config);
                    console.line(format!("client {ip} {why}"));
                    break Next::NextClient;
                }
                Event::Key(line) => {
                    if config.echo_keyboard {
                        let shown =
                            String::from_utf8_lossy(strip_terminator(&line));
                        console.line(format!("--> {shown}"));
                    }
                    if let Err(e) = send_line(&stream, &line) {
                        console.line(format!("client {ip} gone: {e}"));
                        break Next::NextClient;
                    }
                }
                Event::KeyboardEnd(why) => {
                    console.line(format!("{why}: closing the session"));
                    let why = self.close_gracefully(session, &stream, config);
                    console.line(format!("client {ip} {why}"));
                    break Next::Exit;
                }
                Event::ClientGone { session: s, why } if s == session => {
                    console.line(format!("client {ip} {why}"));
                    break Next::NextClient;
                }
                Event::ClientGone { .. } => {} // an earlier session's
            }
        };
        let _ = stream.shutdown(Shutdown::Both);
        let _ = reader.join();
        next
    }
    // ANCHOR_END: session

    // ANCHOR: close_gracefully
    /// Half-closes our side, then lets the reader thread drain what the
    /// client still sends until it closes too (or the drain times out).
    /// Keyboard events arriving meanwhile are held for the next session.
    /// Returns how the client left.
    fn close_gracefully(
        &mut self,
        session: u64,
        stream: &TcpStream,
        config: &Config,
    ) -> String {
        let _ = stream.shutdown(Shutdown::Write);
        let deadline = deadline_after(config.drain_timeout);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(Event::ClientGone { session: s, why }) if s == session => {
                    return why;
                }
                Ok(Event::ClientGone { .. }) => {}
                Ok(event) => self.held.push_back(event),
                Err(RecvTimeoutError::Timeout) => {
                    let t = config.drain_timeout;
                    return format!("did not close within {t:?}: disconnected");
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return "gone".into();
                }
            }
        }
    }
    // ANCHOR_END: close_gracefully
}

/// Sends a keyboard line as it was typed (`\r\n` stays `\r\n`, as with
/// Python's `raw_input`), with a `\n` if it had no line end at all.
fn send_line(mut stream: &TcpStream, line: &[u8]) -> io::Result<()> {
    if line.ends_with(b"\n") {
        stream.write_all(line)
    } else {
        stream.write_all(&[line, b"\n"].concat())
    }
}

/// Starts the thread that prints the client's lines. It reports the
/// client's departure as an [`Event::ClientGone`].
fn spawn_reader(
    session: u64,
    stream: &TcpStream,
    ip: &str,
    console: &Console,
    config: &Config,
    events: Sender<Event>,
) -> io::Result<JoinHandle<()>> {
    let stream = stream.try_clone()?;
    let (ip, console, config) =
        (ip.to_owned(), console.clone(), config.clone());
    thread::Builder::new()
        .name(format!("client-{session}"))
        .spawn(move || {
            let why = print_client_lines(&stream, &ip, &console, &config);
            let _ = events.send(Event::ClientGone { session, why });
        })
}

// ANCHOR: print_client_lines
/// Prints each line the client sends, until it closes, fails, breaks the
/// line limit, or says nothing at all for `first_byte_timeout`. Returns
/// why it stopped.
fn print_client_lines(
    stream: &TcpStream,
    ip: &str,
    console: &Console,
    config: &Config,
) -> String {
    let _ = stream.set_read_timeout(Some(config.first_byte_timeout));
    let mut lines = LineReader::new(stream, config.max_line);
    let show = |line: &[u8]| {
        let text = String::from_utf8_lossy(trim(line));
        console.line(format!("<--- {ip} : {text}"));
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
