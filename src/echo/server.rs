//! The echo server's sockets and threads (inet_08).
//!
//! Like Python's `ThreadingMixIn`, the server gives each client a thread
//! of its own, named `Thread-N`, and that name goes into every reply. A
//! thread per client is the simplest design that serves many clients at
//! once; its cost is a thread (a stack, a kernel task) per connection, so
//! unlike the original we put bounds on everything a client controls:
//!
//! - how many clients at once ([`Config::max_clients`]): one more gets a
//!   one-line refusal instead of a thread;
//! - how long a line may take to arrive ([`Config::idle_timeout`]): a
//!   client that says nothing, or trickles a byte at a time, is let go;
//! - how long a line may be ([`Config::max_line`]): our memory, not the
//!   client, decides.
//!
//! The server prints nothing: it tells its program what happens, as
//! [`Event`]s, and the program decides what to print (`echo-server` logs
//! a line for each, as the original prints one).
//!
//! Lesson: `lessons/05-echo.md`.

use std::fmt;
use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Weak};
use std::thread::{self, Scope};
use std::time::Duration;

use crate::accept::{Stop, connections, peer_ip};
use crate::deadline::reader::DeadlineReader;
use crate::line::{LineError, LineReader};

/// At most this many clients are served at once, by default: more than
/// the 1,000 at once that `benches/echo.rs` holds. Each costs a thread
/// (about 15 KiB of memory: 1,000 idle clients take about 20 MiB) and
/// one file descriptor, its socket.
pub const DEFAULT_MAX_CLIENTS: usize = 1024;

/// A client must complete each line within this time, by default. RFC
/// 5321 §4.5.3.2.7 gives an SMTP server's idle timeout as 5 minutes; we
/// borrow that figure.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The longest line accepted, terminator included, by default. A cap,
/// not a protocol rule: far more than anyone types.
pub const DEFAULT_MAX_LINE: usize = 8 * 1024;

/// The server's limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// Clients served at once; one more is refused.
    pub max_clients: usize,
    /// Time allowed for each line to arrive in full.
    pub idle_timeout: Duration,
    /// Longest line, terminator included.
    pub max_line: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_clients: DEFAULT_MAX_CLIENTS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

// ANCHOR: event
/// A client being served: its address, and the name of the thread that
/// serves it, which its replies carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client<'a> {
    /// The client's IP address.
    pub ip: &'a str,
    /// The thread serving it: `Thread-1`.
    pub thread: &'a str,
}

/// What the server tells its program, as it happens. Events come from
/// the clients' threads, many at once.
#[derive(Debug)]
pub enum Event<'a> {
    /// A client sent a line (stripped as Python strips it), which is
    /// being answered.
    Line(Client<'a>, &'a [u8]),
    /// A client was turned away with a `busy:` line.
    Refused {
        /// The client's IP address.
        ip: &'a str,
        /// Why, as the `busy:` line says it.
        why: &'a str,
    },
    /// A session is over, its connection closed and its seat free: a
    /// client that connects after this event is never refused for it.
    Ended(Client<'a>, End),
    /// `accept` failed (no file descriptor left, say): the server
    /// pauses, then goes on accepting.
    AcceptFailed(io::Error),
}

/// Why a client's session ended.
#[derive(Debug)]
pub enum End {
    /// The client sent an empty line: the protocol's goodbye.
    EmptyLine,
    /// The client closed the connection.
    Closed,
    /// No whole line came within the idle timeout.
    Idle(Duration),
    /// A line was longer than the limit.
    TooLong(usize),
    /// Reading or writing failed.
    Failed(io::Error),
    /// The session's thread panicked (the panic message says why).
    Panicked,
}
// ANCHOR_END: event

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::EmptyLine => write!(f, "empty line"),
            End::Closed => write!(f, "the client closed the connection"),
            End::Idle(t) => write!(f, "no line for {t:?}"),
            End::TooLong(n) => write!(f, "line longer than {n} bytes"),
            End::Failed(e) => write!(f, "connection failed: {e}"),
            End::Panicked => write!(f, "the session's thread panicked"),
        }
    }
}

/// Where a server's events go: the program's function, called from
/// many threads at once.
pub type Report<'r> = &'r (dyn Fn(Event<'_>) + Sync);

// ANCHOR: accept_loop
/// Accepts clients until `stop` is requested, each on a thread of its
/// own, telling `report` what happens; then disconnects the clients
/// still connected and waits for their threads.
pub fn serve(
    listener: &TcpListener,
    config: &Config,
    report: Report<'_>,
    stop: &Stop,
) {
    let failed = |e| report(Event::AcceptFailed(e));
    // A thread started in the scope is waited for when the scope ends.
    thread::scope(|scope| {
        let mut sessions = Sessions::default();
        for stream in connections(listener, stop, failed) {
            sessions.admit(scope, stream, config, report);
        }
        sessions.disconnect_all();
    });
}
// ANCHOR_END: accept_loop

// ANCHOR: sessions
/// The sessions started, as a weak handle on each one's socket. A
/// session's thread holds the only strong handle (an `Arc`), so its
/// connection closes, and its seat is free, the moment it lets go: when
/// the session ends, or its thread panics. The weak handles count the
/// seats taken, and let a stopping server disconnect the clients still
/// there; they hold no file descriptor.
#[derive(Default)]
struct Sessions {
    sockets: Vec<Weak<TcpStream>>,
    started: u64,
}

// ANCHOR_END: sessions

impl Sessions {
    // ANCHOR: admit
    /// Starts a thread for `stream`, or refuses it when the server is
    /// full (or the system won't give us a thread).
    fn admit<'scope, 'env>(
        &mut self,
        scope: &'scope Scope<'scope, 'env>,
        stream: TcpStream,
        config: &'env Config,
        report: Report<'env>,
    ) {
        self.sockets.retain(|socket| socket.strong_count() > 0);
        let taken = self.sockets.len();
        if taken >= config.max_clients {
            let why = format!("{taken} clients already connected");
            return refuse(&stream, &why, report);
        }
        self.started += 1;
        let name = format!("Thread-{}", self.started);
        let stream = Arc::new(stream);
        let session = {
            let stream = Arc::clone(&stream);
            move || session(stream, config, report)
        };
        match thread::Builder::new()
            .name(name)
            .spawn_scoped(scope, session)
        {
            Ok(_) => self.sockets.push(Arc::downgrade(&stream)),
            Err(e) => refuse(&stream, &format!("no thread: {e}"), report),
        }
    }
    // ANCHOR_END: admit

    /// Hangs up on every client still connected: their threads see
    /// their connection end, and finish.
    fn disconnect_all(&self) {
        for socket in &self.sockets {
            if let Some(stream) = socket.upgrade() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Tells a client we can't serve it, in one line; it is hung up on when
/// its last handle goes.
fn refuse(stream: &TcpStream, why: &str, report: Report<'_>) {
    let ip = &peer_ip(stream);
    report(Event::Refused { ip, why });
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let line = format!("busy: {why}; try again later\n");
    let mut stream = stream;
    let _ = stream.write_all(line.as_bytes());
}

// ANCHOR: session
/// One client's session, on the thread named for it. A panic ends the
/// session and nothing else: the server's other threads go on. The
/// connection closes (its last strong handle dropped) *before* the end
/// is reported: whoever reads that report can count on a free seat.
fn session(stream: Arc<TcpStream>, config: &Config, report: Report<'_>) {
    let me = thread::current();
    let client = Client {
        ip: &peer_ip(&stream),
        thread: me.name().unwrap_or("Thread-?"),
    };
    let serve = || serve_lines(&stream, client, config, report);
    let end = panic::catch_unwind(AssertUnwindSafe(serve));
    drop(stream);
    report(Event::Ended(client, end.unwrap_or(End::Panicked)));
}
// ANCHOR_END: session

// ANCHOR: serve_lines
/// Answers the client's lines until it sends an empty one, hangs up,
/// idles, or breaks a limit. Every way out is an [`End`].
fn serve_lines(
    stream: &TcpStream,
    client: Client<'_>,
    config: &Config,
    report: Report<'_>,
) -> End {
    let idle = config.idle_timeout;
    let _ = stream.set_write_timeout(Some(idle));
    let mut lines =
        LineReader::new(DeadlineReader::new(stream, idle), config.max_line);
    let mut reply = Vec::new();
    let mut answer = |line: &[u8]| {
        let text = super::trim(line);
        if text.is_empty() {
            return Err(End::EmptyLine);
        }
        report(Event::Line(client, text));
        reply.clear();
        super::write_reply(&mut reply, client.thread, text);
        let mut stream = stream;
        stream.write_all(&reply).map_err(End::Failed)
    };
    loop {
        // Each line gets the whole idle budget, from now.
        lines.get_mut().restart(idle);
        let answered = match lines.read_line() {
            Ok(Some(line)) => answer(line),
            Ok(None) => return End::Closed,
            // Half a line, then the client closed its sending side:
            // it can still read, so it gets its answer.
            Err(LineError::EofInLine { .. }) => {
                return match answer(&lines.take_buffered()) {
                    Ok(()) => End::Closed,
                    Err(end) => end,
                };
            }
            Err(LineError::TooLong { max_len }) => {
                say_goodbye(stream, &format!("line over {max_len} bytes"));
                return End::TooLong(max_len);
            }
            Err(LineError::Timeout) => {
                say_goodbye(stream, "idle too long");
                return End::Idle(idle);
            }
            Err(LineError::Io(e)) => return End::Failed(e),
        };
        if let Err(end) = answered {
            return end;
        }
    }
}
// ANCHOR_END: serve_lines

/// A last line before we hang up, so the client knows why.
fn say_goodbye(mut stream: &TcpStream, why: &str) {
    let _ = stream.write_all(format!("error: {why}; closing\n").as_bytes());
}
