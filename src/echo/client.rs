//! The echo client's loop (inet_06): read a line from the keyboard, send
//! it, show the reply, until an empty line.
//!
//! The hard part is knowing where a reply ends. Our server ends each
//! reply with a newline, so a reply is a line. The Python server sends
//! none, so the only sign that its reply is complete is that no more bytes
//! come: once a reply has started, [`Config::quiet`] of silence ends it.
//! That is a guess (a slow network could split a reply in two), which is
//! why protocols frame their messages: once the server has ended a reply
//! with a newline, the client stops guessing. The lesson shows both.
//!
//! The server may also speak while the user thinks: a `busy:` refusal,
//! the goodbye of an idle timeout, a hang-up. So the keyboard and the
//! connection are each read on a thread of their own, which reads one
//! line each time it is asked, and hands it over on a channel; the
//! session loop takes what comes, in order. Nothing is read ahead of
//! what the loop can use: the rest waits in the socket, or the pipe.
//! The client prints nothing: it tells its program what happens, as
//! [`Event`]s.
//!
//! Lesson: `lessons/05-echo.md`.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::blocking::is_timeout;
use crate::line::{LineError, LineReader};

/// The client's timeouts and limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long to wait for a connection, then for each whole reply,
    /// and for a command's sending to make progress.
    pub timeout: Duration,
    /// Silence that ends a reply sent without a newline.
    pub quiet: Duration,
    /// Longest line, from the keyboard or the server.
    pub max_line: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(30),
            quiet: Duration::from_millis(300),
            // Far more than anyone types, or than a reply should be.
            max_line: 64 * 1024,
        }
    }
}

// ANCHOR: event
/// What the client tells its program, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// The client waits for the next keyboard line: time for a prompt.
    Prompt,
    /// The keyboard gave this line, stripped as the original strips it;
    /// an empty one ends the session.
    Typed(&'a [u8]),
    /// The keyboard ended (Ctrl-D, or the end of a pipe): so does the
    /// session.
    InputEnded,
    /// A line from the server: the reply to the command just sent, or
    /// one it sent unprompted, while the client waited for the keyboard.
    Reply(&'a [u8]),
}
// ANCHOR_END: event

/// Why the client stopped before the user did.
#[derive(Debug)]
pub enum ClientError {
    /// Could not connect to the server.
    Connect(io::Error),
    /// The server closed the connection.
    Closed,
    /// No whole reply came within the timeout.
    NoReply(Duration),
    /// A command could not be sent: the server took none of it within
    /// the timeout (it stopped reading, and the buffers between us filled).
    StoppedReading(Duration),
    /// A reply line was longer than the limit.
    ReplyTooLong(usize),
    /// Sending to or receiving from the server failed.
    Network(io::Error),
    /// The keyboard sent a line longer than the limit.
    InputTooLong(usize),
    /// Reading the keyboard failed.
    Keyboard(io::Error),
    /// The program could not show an event (its screen, a closed pipe).
    Screen(io::Error),
}

impl ClientError {
    /// True when the fault is on our side (keyboard or screen), not in
    /// the connection: the programs give those a different exit status.
    pub fn is_local(&self) -> bool {
        use ClientError::{InputTooLong, Keyboard, Screen};
        matches!(self, InputTooLong(_) | Keyboard(_) | Screen(_))
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(e) | Self::Network(e) => write!(f, "{e}"),
            Self::Closed => write!(f, "the server closed the connection"),
            Self::NoReply(t) => write!(f, "no reply within {t:?}"),
            Self::StoppedReading(t) => write!(
                f,
                "the server stopped reading: no progress sending for {t:?}"
            ),
            Self::ReplyTooLong(n) => {
                write!(f, "reply line longer than {n} bytes")
            }
            Self::InputTooLong(n) => {
                write!(f, "input line longer than {n} bytes")
            }
            Self::Keyboard(e) => write!(f, "keyboard: {e}"),
            Self::Screen(e) => write!(f, "screen: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// What the two reading threads hand over.
enum Heard {
    /// A keyboard line, or its end (`None`), or why it failed.
    Keyboard(Result<Option<Vec<u8>>, ClientError>),
    /// A line from the server, or why the connection ended.
    Server(Result<Vec<u8>, ClientError>),
}

// ANCHOR: client_loop
/// Runs the session: prompt, read a keyboard line, stop on an empty one,
/// else send it with `\n` and report the reply, until an empty line or
/// the end of the keyboard. `report` is told what happens (a program
/// prints it); an error there ends the session. The connection is shut
/// down when this returns.
///
/// The keyboard's thread can't be interrupted while it waits for input:
/// it may be left waiting when this returns; the process exit ends it.
///
/// # Errors
/// See [`ClientError`]; the keyboard's end (Ctrl-D) is a normal stop.
pub fn run(
    stream: &TcpStream,
    keyboard: impl Read + Send + 'static,
    config: &Config,
    mut report: impl FnMut(Event<'_>) -> io::Result<()>,
) -> Result<(), ClientError> {
    let (heard, inbox) = mpsc::channel();
    let reader = ReplyReader {
        stream: stream.try_clone().map_err(ClientError::Network)?,
        quiet: config.quiet,
        started: false,
        framed: false,
    };
    // A server that reads nothing must not block a send forever.
    let timeout = Some(config.timeout);
    stream
        .set_write_timeout(timeout)
        .map_err(ClientError::Network)?;
    let mut replies = LineReader::new(reader, config.max_line);
    let mut keys = LineReader::new(keyboard, config.max_line);
    let (server, server_thread) =
        on_request("server", heard.clone(), move || {
            Heard::Server(read_reply(&mut replies))
        })
        .map_err(ClientError::Network)?;
    let (keyboard, _) = on_request("keyboard", heard, move || {
        Heard::Keyboard(read_command(&mut keys))
    })
    .map_err(ClientError::Keyboard)?;
    let session = Session {
        inbox,
        keyboard,
        server,
        stream,
        config,
    };
    let ended = session.talk(&mut report);
    drop(session); // no more asking: the threads stop at their next turn
    let _ = stream.shutdown(Shutdown::Both); // or at their next read
    let _ = server_thread.join();
    ended
}
// ANCHOR_END: client_loop

/// Starts a thread that, each time it is asked, calls `read` and hands
/// over what it read on `heard`, until nobody asks or listens. Returns
/// how to ask it, and the thread.
fn on_request(
    name: &str,
    heard: Sender<Heard>,
    mut read: impl FnMut() -> Heard + Send + 'static,
) -> io::Result<(Sender<()>, JoinHandle<()>)> {
    let (ask, asked) = mpsc::channel::<()>();
    let thread = thread::Builder::new().name(name.into()).spawn(move || {
        for () in asked {
            if heard.send(read()).is_err() {
                return;
            }
        }
    })?;
    Ok((ask, thread))
}

/// The session loop's side: where the lines come in, how to ask the
/// keyboard and the server for their next, and where commands go.
struct Session<'a> {
    inbox: Receiver<Heard>,
    keyboard: Sender<()>,
    server: Sender<()>,
    stream: &'a TcpStream,
    config: &'a Config,
}

/// How a session reports.
type Report<'r> = dyn FnMut(Event<'_>) -> io::Result<()> + 'r;

impl Session<'_> {
    /// The loop of [`run`].
    fn talk(&self, report: &mut Report<'_>) -> Result<(), ClientError> {
        let _ = self.server.send(()); // the server may speak first
        loop {
            screen(report(Event::Prompt))?;
            let Some(line) = self.next_command(report)? else {
                screen(report(Event::InputEnded))?;
                return self.last_look(report);
            };
            screen(report(Event::Typed(&line)))?;
            if line.is_empty() {
                return self.last_look(report);
            }
            self.send(&[&line[..], b"\n"].concat())?;
            let reply = self.reply()?;
            screen(report(Event::Reply(&reply)))?;
        }
    }

    // ANCHOR: show_unprompted
    /// The next keyboard line, `None` at its end. A line the server sends
    /// meanwhile is reported at once, and a hang-up ends the session at
    /// once: the user learns it while thinking, not after typing.
    fn next_command(
        &self,
        report: &mut Report<'_>,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let _ = self.keyboard.send(());
        loop {
            // Both threads hold a sender until their last line, which
            // ends the session: `recv` can't fail while we wait.
            match self.inbox.recv().map_err(|_| ClientError::Closed)? {
                Heard::Keyboard(line) => return line,
                Heard::Server(said) => {
                    let _ = self.server.send(());
                    screen(report(Event::Reply(&said?)))?;
                }
            }
        }
    }
    // ANCHOR_END: show_unprompted

    /// Sends a command, each write given the timeout to make progress.
    fn send(&self, command: &[u8]) -> Result<(), ClientError> {
        let mut stream = self.stream;
        stream.write_all(command).map_err(|e| match is_timeout(&e) {
            true => ClientError::StoppedReading(self.config.timeout),
            false => ClientError::Network(e),
        })
    }

    // ANCHOR: reply
    /// The reply to the command just sent ([`read_reply`] says where it
    /// ends), whole within the timeout: one wait bounds the whole reply,
    /// however slowly its bytes trickle in.
    fn reply(&self) -> Result<Vec<u8>, ClientError> {
        let timeout = self.config.timeout;
        match self.inbox.recv_timeout(timeout) {
            Ok(Heard::Server(reply)) => {
                let _ = self.server.send(());
                reply
            }
            // The keyboard was not asked; nothing else came in time.
            _ => Err(ClientError::NoReply(timeout)),
        }
    }
    // ANCHOR_END: reply

    /// Before leaving, one last look for a server that hung up on us
    /// first (a `busy:` refusal can arrive just after a command typed
    /// ahead, and pass for its reply): that is a failure, even though the
    /// user is done. A line that comes instead is shown, and ends the
    /// look: a server that keeps talking can't keep us.
    fn last_look(&self, report: &mut Report<'_>) -> Result<(), ClientError> {
        match self.inbox.recv_timeout(LAST_LOOK) {
            Ok(Heard::Server(said)) => screen(report(Event::Reply(&said?))),
            _ => Ok(()), // still connected: all well
        }
    }
}

/// How long the client waits, when it is done, for a server that may
/// have hung up on it first.
const LAST_LOOK: Duration = Duration::from_millis(50);

fn screen(result: io::Result<()>) -> Result<(), ClientError> {
    result.map_err(ClientError::Screen)
}

/// The next keyboard line, stripped like the original's first `strip()`;
/// `None` at the end of input.
fn read_command(
    keyboard: &mut LineReader<impl Read>,
) -> Result<Option<Vec<u8>>, ClientError> {
    match keyboard.read_line() {
        Ok(line) => Ok(line.map(|l| super::trim(l).to_vec())),
        // The last line, typed without Enter before Ctrl-D.
        Err(LineError::EofInLine { .. }) => {
            Ok(Some(super::trim(&keyboard.take_buffered()).to_vec()))
        }
        Err(LineError::TooLong { max_len }) => {
            Err(ClientError::InputTooLong(max_len))
        }
        Err(e) => Err(ClientError::Keyboard(io::Error::other(e))),
    }
}

// ANCHOR: read_reply
/// Reads the server's next line: a line if the server ends it with a
/// newline, or whatever arrived before a quiet spell if it doesn't.
fn read_reply(
    replies: &mut LineReader<ReplyReader>,
) -> Result<Vec<u8>, ClientError> {
    // Bytes left over from an earlier read mean this reply has started.
    replies.get_mut().started = !replies.buffered().is_empty();
    match replies.read_line() {
        Ok(Some(line)) => Ok(line.to_vec()),
        Ok(None) => Err(ClientError::Closed),
        // No newline, then silence (the only timeout there is) or the
        // end of the stream: whatever came is the reply.
        Err(LineError::Timeout | LineError::EofInLine { .. }) => {
            Ok(replies.take_buffered())
        }
        Err(LineError::TooLong { max_len }) => {
            Err(ClientError::ReplyTooLong(max_len))
        }
        Err(LineError::Io(e)) => Err(ClientError::Network(e)),
    }
}
// ANCHOR_END: read_reply

/// Reads from the server, waiting as long as it takes for a reply to
/// start, and at most the quiet spell once it has, unless the server has
/// shown that it ends its replies with newlines.
struct ReplyReader {
    stream: TcpStream,
    quiet: Duration,
    /// Bytes of a reply have come.
    started: bool,
    /// The server has sent a newline: it is trusted to end every reply
    /// with one, and no silence is taken for the end of a reply again.
    framed: bool,
}

impl Read for ReplyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let guessing = self.started && !self.framed;
        self.stream
            .set_read_timeout(guessing.then_some(self.quiet))?;
        let n = self.stream.read(buf)?;
        self.started |= n > 0;
        self.framed |= buf[..n].contains(&b'\n');
        Ok(n)
    }
}
