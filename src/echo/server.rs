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
//! Lesson: `lessons/05-echo.md`.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::accept::{Stop, connections, peer_ip};
use crate::console::Console;
use crate::deadline::Deadline;
use crate::line::{LineError, LineReader};

/// At most this many clients are served at once, by default: issue 6
/// asks for 1,000 at once. Each costs a thread (about 15 KiB of memory:
/// `benches/echo.rs` holds 1,000 idle clients in about 20 MiB) and two
/// file descriptors (its socket, and the clone that lets [`serve`]
/// disconnect it), so `ulimit -n` should allow twice this many.
pub const DEFAULT_MAX_CLIENTS: usize = 1024;

/// A client must complete each line within this time, by default. RFC
/// 5321 §4.5.3.2.7 gives an SMTP server's idle timeout as 5 minutes; we
/// borrow that figure.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The longest line accepted, terminator included, by default. A cap,
/// not a protocol rule: far more than anyone types.
pub const DEFAULT_MAX_LINE: usize = 8 * 1024;

/// How each line is answered: append the reply, given the thread's name
/// and the line's text. The echo's is [`super::write_reply`]; tests
/// swap in others to inject faults.
pub type Respond = fn(reply: &mut Vec<u8>, thread: &str, line: &[u8]);

/// The server's limits and behaviour.
#[derive(Debug, Clone)]
pub struct Config {
    /// Clients served at once; one more is refused.
    pub max_clients: usize,
    /// Time allowed for each line to arrive in full.
    pub idle_timeout: Duration,
    /// Longest line, terminator included.
    pub max_line: usize,
    /// How a line is answered.
    pub respond: Respond,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_clients: DEFAULT_MAX_CLIENTS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_line: DEFAULT_MAX_LINE,
            respond: super::write_reply,
        }
    }
}

/// A server running on a thread of its own, for tests and the tour. It
/// stops, and joins every thread it started, when dropped.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Stop,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves on `listener` (bound by the caller, typically to
    /// `127.0.0.1:0`) until dropped.
    ///
    /// # Errors
    /// When the listener's address can't be read or the thread can't
    /// start.
    pub fn start(
        listener: TcpListener,
        config: Config,
        console: Console,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let stop = Stop::new(&listener)?;
        let signal = stop.clone();
        let accept_thread =
            thread::Builder::new()
                .name("echo-accept".into())
                .spawn(move || serve(&listener, &config, &console, &signal))?;
        let accept_thread = Some(accept_thread);
        Ok(Server {
            addr,
            stop,
            accept_thread,
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.request();
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

// ANCHOR: accept_loop
/// Accepts clients until `stop` is set, each on a thread of its own; then
/// disconnects the clients still connected and joins their threads.
pub fn serve(
    listener: &TcpListener,
    config: &Config,
    console: &Console,
    stop: &Stop,
) {
    let mut clients = Clients::default();
    for stream in connections(listener, stop, console) {
        clients.admit(stream, config, console);
    }
    clients.disconnect_all();
}
// ANCHOR_END: accept_loop

/// The clients being served: their threads, and a handle on each socket
/// so that stopping the server can disconnect them.
#[derive(Default)]
struct Clients {
    live: Vec<(TcpStream, JoinHandle<()>)>,
    /// How many of the `max_clients` seats are taken (see [`Seat`]).
    seats_taken: Arc<AtomicUsize>,
    served: u64,
}

impl Clients {
    // ANCHOR: admit
    /// Starts a thread for `stream`, or refuses it when the server is
    /// full (or the system won't give us a thread).
    fn admit(&mut self, stream: TcpStream, config: &Config, console: &Console) {
        self.forget_finished();
        let taken = self.seats_taken.load(Ordering::SeqCst);
        if taken >= config.max_clients {
            let why = format!("{taken} clients already connected");
            return refuse(stream, &why, console);
        }
        let Ok(handle) = stream.try_clone() else {
            return refuse(stream, "no file descriptor left", console);
        };
        self.served += 1;
        let name = format!("Thread-{}", self.served);
        let seat = Seat::take(&self.seats_taken);
        let thread = thread::Builder::new().name(name.clone()).spawn({
            let (config, console) = (config.clone(), console.clone());
            move || handle_client(&stream, seat, &name, &config, &console)
        });
        match thread {
            Ok(thread) => self.live.push((handle, thread)),
            Err(e) => refuse(handle, &format!("no thread: {e}"), console),
        }
    }
    // ANCHOR_END: admit

    /// Joins the threads whose client has gone. A thread that panicked
    /// joins like any other: the panic (already printed by Rust's panic
    /// hook) ended that session and nothing else.
    fn forget_finished(&mut self) {
        let (done, live) =
            self.live.drain(..).partition(|(_, t)| t.is_finished());
        self.live = live;
        for (_, thread) in done {
            let _ = thread.join();
        }
    }

    fn disconnect_all(&mut self) {
        for (stream, _) in &self.live {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for (_, thread) in self.live.drain(..) {
            let _ = thread.join();
        }
    }
}

// ANCHOR: guards
/// One of the `max_clients` seats: taken by `admit`, given back when
/// dropped, at the end of the session, or when its thread panics or
/// can't start. A count of finished threads would lag: a thread ends a
/// moment *after* it has logged its client's end of session.
struct Seat(Arc<AtomicUsize>);

impl Seat {
    fn take(taken: &Arc<AtomicUsize>) -> Seat {
        taken.fetch_add(1, Ordering::SeqCst);
        Seat(Arc::clone(taken))
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Hangs up when dropped: on every way out of a session, a panic
/// included. Dropping the session's `TcpStream` is not enough, because
/// [`Clients`] keeps a clone of it (to disconnect it on stop), and a
/// connection closes only when its last handle goes.
struct HangUp<'s>(&'s TcpStream);

impl Drop for HangUp<'_> {
    fn drop(&mut self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}
// ANCHOR_END: guards

/// Tells a client we can't serve it, in one line, and hangs up.
fn refuse(mut stream: TcpStream, why: &str, console: &Console) {
    let peer = peer_ip(&stream);
    console.line(format!("client {peer} refused: {why}"));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let line = format!("busy: {why}; try again later\n");
    let _ = stream.write_all(line.as_bytes());
}

/// Why a client's session ended, for the server's log.
#[derive(Debug)]
enum End {
    EmptyLine,
    Closed,
    Idle(Duration),
    TooLong(usize),
    Failed(io::Error),
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("end of session: ")?;
        match self {
            End::EmptyLine => write!(f, "empty line"),
            End::Closed => write!(f, "the client closed the connection"),
            End::Idle(t) => write!(f, "no line for {t:?}"),
            End::TooLong(n) => write!(f, "line longer than {n} bytes"),
            End::Failed(e) => write!(f, "connection failed: {e}"),
        }
    }
}

// ANCHOR: idle_reader
/// Reads a client's lines, each within the idle budget, counted from the
/// line's first read: a deadline per line, not a timeout per read.
///
/// A `DeadlineReader` sets the socket's timeout to the time left before
/// every read: one more system call per line. Here the first read of a
/// line waits the whole budget, the timeout the socket already has; only
/// the later reads of a line that arrives in pieces need a shorter one.
struct IdleReader<'s> {
    stream: &'s TcpStream,
    idle: Duration,
    /// The current line's deadline; `None` until its first read.
    deadline: Option<Deadline>,
    /// The read timeout the socket has now.
    timeout: Option<Duration>,
}

impl<'s> IdleReader<'s> {
    fn new(stream: &'s TcpStream, idle: Duration) -> Self {
        let (deadline, timeout) = (None, None);
        IdleReader {
            stream,
            idle,
            deadline,
            timeout,
        }
    }

    /// The next read starts a new line, with a new budget.
    fn next_line(&mut self) {
        self.deadline = None;
    }
}

impl Read for IdleReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let wait = match self.deadline {
            Some(deadline) => deadline.next_wait()?,
            None => {
                self.deadline = Some(Deadline::after(self.idle));
                self.idle
            }
        };
        if wait.is_zero() {
            return Err(ErrorKind::TimedOut.into()); // an idle budget of 0
        }
        if self.timeout != Some(wait) {
            self.stream.set_read_timeout(Some(wait))?;
            self.timeout = Some(wait);
        }
        let mut stream = self.stream;
        stream.read(buf)
    }
}
// ANCHOR_END: idle_reader

/// One client's session: everything a line's answer needs.
struct Session<'a> {
    stream: &'a TcpStream,
    thread: &'a str,
    client: String,
    config: &'a Config,
    console: &'a Console,
}

fn handle_client(
    stream: &TcpStream,
    seat: Seat,
    thread: &str,
    config: &Config,
    console: &Console,
) {
    let hang_up = HangUp(stream);
    let client = peer_ip(stream);
    let session = Session {
        stream,
        thread,
        client,
        config,
        console,
    };
    let end = session.serve_lines();
    // Hang up and free the seat *before* saying so: whoever reads the
    // log line can count on both.
    drop(hang_up);
    drop(seat);
    console.line(format!("client {} : {end} ({thread})", session.client));
}

impl Session<'_> {
    // ANCHOR: serve_lines
    /// Answers the client's lines until it sends an empty one, hangs up,
    /// idles, or breaks a limit. Every way out is an [`End`], not a panic.
    fn serve_lines(&self) -> End {
        let idle = self.config.idle_timeout;
        let _ = self.stream.set_write_timeout(Some(idle));
        let reader = IdleReader::new(self.stream, idle);
        let mut lines = LineReader::new(reader, self.config.max_line);
        let mut reply = Vec::new();
        loop {
            // Each line gets the whole idle budget, from its first read.
            lines.get_mut().next_line();
            let answered = match lines.read_line() {
                Ok(Some(line)) => self.answer(line, &mut reply),
                Ok(None) => return End::Closed,
                // Half a line, then the client closed its sending side:
                // it can still read, so it gets its answer.
                Err(LineError::EofInLine { .. }) => {
                    let last = lines.take_buffered();
                    return match self.answer(&last, &mut reply) {
                        Ok(()) => End::Closed,
                        Err(end) => end,
                    };
                }
                Err(LineError::TooLong { max_len }) => {
                    self.say_goodbye(&format!("line over {max_len} bytes"));
                    return End::TooLong(max_len);
                }
                Err(LineError::Timeout) => {
                    self.say_goodbye("idle too long");
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

    /// Logs the line and sends its reply; an empty line ends the session.
    fn answer(&self, line: &[u8], reply: &mut Vec<u8>) -> Result<(), End> {
        let text = super::trim(line);
        if text.is_empty() {
            return Err(End::EmptyLine);
        }
        let shown = String::from_utf8_lossy(text);
        let (client, thread) = (&self.client, self.thread);
        self.console
            .line(format!("client {client} : {shown} ({thread})"));
        reply.clear();
        (self.config.respond)(reply, thread, text);
        let mut stream = self.stream;
        stream.write_all(reply).map_err(End::Failed)
    }

    /// A last line before we hang up, so the client knows why.
    fn say_goodbye(&self, why: &str) {
        let mut stream = self.stream;
        let _ = stream.write_all(format!("error: {why}; closing\n").as_bytes());
    }
}
