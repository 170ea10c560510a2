//! The echo client's loop (inet_06): read a line from the keyboard, send
//! it, print the reply, until an empty line.
//!
//! The hard part is knowing where a reply ends. Our server ends each
//! reply with a newline, so a reply is a line. The Python server sends
//! none, so the only sign that its reply is complete is that no more bytes
//! come: once a reply has started, [`Config::quiet`] of silence ends it.
//! That is a guess (a slow network could split a reply in two), which is
//! why protocols frame their messages: once the server has ended a reply
//! with a newline, the client stops guessing. The lesson shows both.
//!
//! Lesson: `lessons/05-echo.md`.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::deadline::{is_timeout, retry_interrupted};
use crate::line::{LineError, LineReader};
use crate::transcript::{Recorded, Transcript};

/// The longest keyboard line or reply line accepted, by default.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// The client's timeouts and limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long to wait for a connection, then for each reply to start.
    pub timeout: Duration,
    /// Silence that ends a reply sent without a newline.
    pub quiet: Duration,
    /// Longest line, from the keyboard or the server.
    pub max_line: usize,
    /// Echo each keyboard line after the prompt: when standard input is a
    /// pipe, nobody typed it, and the output would be hard to follow.
    pub echo_input: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(30),
            quiet: Duration::from_millis(300),
            max_line: DEFAULT_MAX_LINE,
            echo_input: false,
        }
    }
}

/// The prompt, as the original's `raw_input` shows it (in English).
pub const PROMPT: &str = "Command (empty line to stop): ";

/// Why the client stopped before the user did.
#[derive(Debug)]
pub enum ClientError {
    /// Could not connect to the server.
    Connect(io::Error),
    /// The server closed the connection.
    Closed,
    /// No reply began within the timeout.
    NoReply(Duration),
    /// A reply line was longer than the limit.
    ReplyTooLong(usize),
    /// Sending to or receiving from the server failed.
    Network(io::Error),
    /// The keyboard sent a line longer than the limit.
    InputTooLong(usize),
    /// Reading the keyboard failed.
    Keyboard(io::Error),
    /// Writing to the screen failed (its pipe was closed, say).
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
            ClientError::Connect(e) | ClientError::Network(e) => {
                write!(f, "{e}")
            }
            ClientError::Closed => {
                write!(f, "the server closed the connection")
            }
            ClientError::NoReply(t) => write!(f, "no reply within {t:?}"),
            ClientError::ReplyTooLong(n) => {
                write!(f, "reply line longer than {n} bytes")
            }
            ClientError::InputTooLong(n) => {
                write!(f, "input line longer than {n} bytes")
            }
            ClientError::Keyboard(e) => write!(f, "keyboard: {e}"),
            ClientError::Screen(e) => write!(f, "screen: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// Connects to `host:port`, trying each address the name has, each for
/// at most `timeout` ([`crate::net::connect`]).
///
/// # Errors
/// [`ClientError::Connect`] with the last address's error.
pub fn connect(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, ClientError> {
    crate::net::connect(host, port, timeout).map_err(ClientError::Connect)
}

// ANCHOR: client_loop
/// Runs the session: prompt, read a keyboard line, stop on an empty one,
/// else send it with `\n` and print the reply as `<-- reply`. Every byte
/// exchanged with the server goes into `transcript`.
///
/// # Errors
/// See [`ClientError`]; the keyboard's end (Ctrl-D) is a normal stop.
pub fn run(
    stream: &TcpStream,
    keyboard: impl Read,
    out: &mut impl Write,
    config: &Config,
    transcript: &Transcript,
) -> Result<(), ClientError> {
    let mut keyboard = LineReader::new(keyboard, config.max_line);
    let reader = ReplyReader::new(stream, config, transcript);
    let mut replies = LineReader::new(reader, config.max_line);
    let mut sender = Recorded::new(stream, transcript.clone());
    loop {
        screen(write!(out, "{PROMPT}").and_then(|()| out.flush()))?;
        let Some(line) = next_command(&mut keyboard)? else {
            screen(writeln!(out))?; // end of input
            return last_look(&mut replies, out);
        };
        if config.echo_input {
            screen(out.write_all(&line).and_then(|()| writeln!(out)))?;
        }
        if line.is_empty() {
            return last_look(&mut replies, out);
        }
        show_unprompted(&mut replies, out)?;
        let command = [&line[..], b"\n"].concat();
        sender.write_all(&command).map_err(ClientError::Network)?;
        let reply = read_reply(&mut replies)?;
        show(out, &reply)?;
    }
}
// ANCHOR_END: client_loop

/// Prints a reply as `<-- reply`, bytes as they came.
fn show(out: &mut impl Write, reply: &[u8]) -> Result<(), ClientError> {
    let line = [b"<-- ", reply, b"\n"].concat();
    screen(out.write_all(&line))
}

fn screen(result: io::Result<()>) -> Result<(), ClientError> {
    result.map_err(ClientError::Screen)
}

/// The next keyboard line, trimmed like the original's first `strip()`.
fn next_command(
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
        Err(LineError::Io(e)) => Err(ClientError::Keyboard(e)),
        Err(LineError::Timeout) => {
            Err(ClientError::Keyboard(io::ErrorKind::TimedOut.into()))
        }
    }
}

// ANCHOR: show_unprompted
/// Shows the lines the server sent while we waited for the keyboard: a
/// `busy:` refusal, or the goodbye of an idle timeout. Shown now, they
/// can't pass for the reply to the command about to be sent.
fn show_unprompted(
    replies: &mut LineReader<ReplyReader<'_>>,
    out: &mut impl Write,
) -> Result<(), ClientError> {
    let stream = replies.get_ref().stream();
    // Non-blocking: a read with nothing to read returns at once, which
    // the line reader reports as a timeout.
    stream.set_nonblocking(true).map_err(ClientError::Network)?;
    let shown = show_ready_lines(replies, out);
    // Blocking again whatever happened: later reads rely on it.
    stream
        .set_nonblocking(false)
        .map_err(ClientError::Network)?;
    shown
}

/// Shows the complete lines already received; `Closed` if the server
/// has hung up after them.
fn show_ready_lines(
    replies: &mut LineReader<ReplyReader<'_>>,
    out: &mut impl Write,
) -> Result<(), ClientError> {
    loop {
        match replies.read_line() {
            Ok(Some(line)) => show(out, line)?,
            Ok(None) => return Err(ClientError::Closed),
            Err(LineError::Timeout) => return Ok(()), // nothing (more) yet
            Err(LineError::EofInLine { .. }) => {
                show(out, &replies.take_buffered())?;
                return Err(ClientError::Closed);
            }
            Err(LineError::TooLong { max_len }) => {
                return Err(ClientError::ReplyTooLong(max_len));
            }
            Err(LineError::Io(e)) => return Err(ClientError::Network(e)),
        }
    }
}
// ANCHOR_END: show_unprompted

/// How long the client waits, when it is done, for a server that may
/// have hung up on it first.
const LAST_LOOK: Duration = Duration::from_millis(50);

/// Before leaving, one last look for a server that hung up on us first
/// (a `busy:` refusal can arrive just after our first command and pass
/// for its reply): that is a failure, even though the user is done.
fn last_look(
    replies: &mut LineReader<ReplyReader<'_>>,
    out: &mut impl Write,
) -> Result<(), ClientError> {
    let stream = replies.get_ref().stream();
    stream
        .set_read_timeout(Some(LAST_LOOK))
        .map_err(ClientError::Network)?;
    // `peek` leaves what it sees in the socket for `show_unprompted`.
    match retry_interrupted(|| stream.peek(&mut [0; 1])) {
        Ok(_) => show_unprompted(replies, out),
        Err(e) if is_timeout(&e) => Ok(()), // still connected: all well
        Err(e) => Err(ClientError::Network(e)),
    }
}

// ANCHOR: read_reply
/// Reads one reply: a line if the server ends it with a newline, or
/// whatever arrived before a quiet spell if it doesn't.
fn read_reply(
    replies: &mut LineReader<ReplyReader<'_>>,
) -> Result<Vec<u8>, ClientError> {
    // Bytes left over from an earlier read mean this reply has started.
    replies.get_mut().started = !replies.buffered().is_empty();
    match replies.read_line() {
        Ok(Some(line)) => {
            let reply = line.to_vec();
            // A server that ends its replies with newlines is trusted to
            // keep doing so: no more guessing by silence.
            replies.get_mut().framed = true;
            Ok(reply)
        }
        Ok(None) => Err(ClientError::Closed),
        // No newline, then silence (or the server closed): whatever came
        // is the reply. Nothing came at all: no reply.
        Err(LineError::Timeout | LineError::EofInLine { .. }) => {
            let reply = replies.take_buffered();
            if reply.is_empty() {
                Err(ClientError::NoReply(replies.get_ref().first_byte))
            } else {
                Ok(reply)
            }
        }
        Err(LineError::TooLong { max_len }) => {
            Err(ClientError::ReplyTooLong(max_len))
        }
        Err(LineError::Io(e)) => Err(ClientError::Network(e)),
    }
}
// ANCHOR_END: read_reply

/// Reads from the server with two timeouts: a long one for a reply's
/// first byte, and a short one (the quiet spell) once it has started,
/// unless the server has shown that it ends its replies with newlines.
struct ReplyReader<'s> {
    stream: Recorded<&'s TcpStream>,
    first_byte: Duration,
    quiet: Duration,
    started: bool,
    framed: bool,
}

impl<'s> ReplyReader<'s> {
    fn new(stream: &'s TcpStream, config: &Config, t: &Transcript) -> Self {
        ReplyReader {
            stream: Recorded::new(stream, t.clone()),
            first_byte: config.timeout,
            quiet: config.quiet,
            started: false,
            framed: false,
        }
    }

    fn stream(&self) -> &'s TcpStream {
        self.stream.get_ref()
    }
}

impl Read for ReplyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let guessing = self.started && !self.framed;
        let timeout = if guessing {
            self.quiet
        } else {
            self.first_byte
        };
        self.stream().set_read_timeout(Some(timeout))?;
        let n = self.stream.read(buf)?;
        self.started |= n > 0;
        Ok(n)
    }
}
