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
//!    | -- line -->  | -- Key(line) ---> | -- line + "\n" ------> |
//!    |              |                   |  <--- reader thread -- | "GET / ..."
//!    | -- bye ----> | -- Key(bye) ----> | -- FIN (half-close) -> |
//!    |              |                   |  ... drain until EOF . |
//! ```
//!
//! Two things happen at once, reading the keyboard and reading the
//! client, so there are two threads feeding one channel of [`Event`]s;
//! the session loop handles them in order. The original had the same two
//! readers but no channel, and so three faults we fix:
//!
//! - a client that disconnects ends its session (the original's reader
//!   spun on end-of-file, printing empty lines forever);
//! - a client that sends nothing at all within a timeout is let go, so a
//!   browser's speculative, idle connection can't wedge the server;
//! - `bye` closes gracefully: we stop sending (half-close), then read what
//!   the client still sends until it closes too. Closing a socket with
//!   unread bytes makes the kernel send a reset, which can destroy the
//!   reply the client has not read yet.
//!
//! Lesson: `lessons/06-generic-server.md`.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::console::Console;
use crate::echo::trim;
use crate::line::{LineError, LineReader};
use crate::stop::Stop;

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
    /// A line typed at the keyboard (without its newline).
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
pub fn serve(
    listener: &TcpListener,
    keyboard: impl Read + Send + 'static,
    console: &Console,
    config: &Config,
    stop: &Stop,
) {
    let (events, inbox) = mpsc::channel();
    spawn_keyboard(keyboard, config.max_line, events.clone());
    let mut relay = Relay {
        inbox,
        events,
        held: VecDeque::new(),
    };
    for (session, incoming) in (1..).zip(listener.incoming()) {
        if stop.is_requested() {
            break;
        }
        let stream = match incoming {
            Ok(stream) => stream,
            Err(e) => {
                console.line(&format!("accept failed: {e}"));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let next = relay.session(session, stream, console, config);
        if next == Next::Exit || relay.keyboard_is_done() {
            break;
        }
    }
}
// ANCHOR_END: serve

/// Reads keyboard lines for as long as the server runs.
fn spawn_keyboard(
    keyboard: impl Read + Send + 'static,
    max: usize,
    events: Sender<Event>,
) {
    let _ = thread::Builder::new()
        .name("keyboard".into())
        .spawn(move || {
            let mut lines = LineReader::new(keyboard, max);
            let why = loop {
                match lines.read_line() {
                    Ok(Some(line)) => {
                        if events.send(Event::Key(line.to_vec())).is_err() {
                            return; // the server is gone
                        }
                    }
                    Ok(None) => break "end of input".to_owned(),
                    Err(LineError::EofInLine { .. }) => {
                        let _ = events.send(Event::Key(lines.take_buffered()));
                        break "end of input".to_owned();
                    }
                    Err(e) => break format!("keyboard: {e}"),
                }
            };
            let _ = events.send(Event::KeyboardEnd(why));
        });
}

/// The server's state between sessions: the event channel, and events
/// that arrived while a session was closing, held for the next one.
struct Relay {
    inbox: Receiver<Event>,
    events: Sender<Event>,
    held: VecDeque<Event>,
}

impl Relay {
    /// The next event: a held one first, else wait for one.
    fn next_event(&mut self) -> Event {
        match self.held.pop_front() {
            Some(event) => event,
            // Unreachable while we hold `events` ourselves, but total.
            None => self
                .inbox
                .recv()
                .unwrap_or(Event::KeyboardEnd("keyboard thread gone".into())),
        }
    }

    /// True when the keyboard has ended and nothing typed is left over:
    /// serving another client would be pointless.
    fn keyboard_is_done(&mut self) -> bool {
        self.held.extend(self.inbox.try_iter());
        // Between sessions, every client departure is old news.
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
        let ip = stream
            .peer_addr()
            .map_or("?".into(), |a| a.ip().to_string());
        console.line(&format!("client {ip}"));
        let reader =
            spawn_reader(session, &stream, &ip, console, config, &self.events);
        let _ = stream.set_write_timeout(Some(config.write_timeout));
        let next = loop {
            match self.next_event() {
                Event::Key(line) if trim(&line) == b"bye" => {
                    let why = self.close_gracefully(session, &stream, config);
                    console.line(&format!("client {ip} {why}"));
                    break Next::NextClient;
                }
                Event::Key(line) => {
                    if config.echo_keyboard {
                        let shown = String::from_utf8_lossy(&line);
                        console.line(&format!("--> {shown}"));
                    }
                    if let Err(e) = send_line(&stream, &line) {
                        console.line(&format!("client {ip} gone: {e}"));
                        break Next::NextClient;
                    }
                }
                Event::KeyboardEnd(why) => {
                    console.line(&format!("{why}: closing the session"));
                    let why = self.close_gracefully(session, &stream, config);
                    console.line(&format!("client {ip} {why}"));
                    break Next::Exit;
                }
                Event::ClientGone { session: s, why } if s == session => {
                    console.line(&format!("client {ip} {why}"));
                    break Next::NextClient;
                }
                Event::ClientGone { .. } => {} // an earlier session's
            }
        };
        let _ = stream.shutdown(Shutdown::Both);
        let _ = reader.map(thread::JoinHandle::join);
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
        let deadline = Instant::now() + config.drain_timeout;
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

fn send_line(mut stream: &TcpStream, line: &[u8]) -> io::Result<()> {
    stream.write_all(&[line, b"\n"].concat())
}

/// Starts the thread that prints the client's lines. It reports the
/// client's departure as an [`Event::ClientGone`].
fn spawn_reader(
    session: u64,
    stream: &TcpStream,
    ip: &str,
    console: &Console,
    config: &Config,
    events: &Sender<Event>,
) -> Option<thread::JoinHandle<()>> {
    let stream = stream.try_clone().ok()?;
    let (ip, console, config) =
        (ip.to_owned(), console.clone(), config.clone());
    let events = events.clone();
    thread::Builder::new()
        .name(format!("client-{session}"))
        .spawn(move || {
            let why = print_client_lines(&stream, &ip, &console, &config);
            let _ = events.send(Event::ClientGone { session, why });
        })
        .ok()
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
        console.line(&format!("<--- {ip} : {text}"));
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
