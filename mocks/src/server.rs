//! The harness every mock server is built on.
//!
//! [`MockServer`] does the parts that are easy to get wrong, so a mock only
//! has to say how it talks: it listens on `127.0.0.1` on a port the OS
//! picks, runs a handler per connection on a thread of its own, records
//! every byte into a [`Transcript`], and shuts it all down when dropped.
//! The socket is bound *before* `start` returns, so clients may connect
//! at once (the kernel queues them): no "wait until ready" sleep. Every
//! stream gets timeouts, so a confused client or handler fails a test
//! after a few seconds instead of hanging it.
//!
//! The standalone `mock-*` programs use the same harness through
//! [`MockServer::builder`]: a [`Builder`] listens on a port of your
//! choosing (or on a listener you bound) and, with
//! [`without_transcripts`](Builder::without_transcripts), records nothing,
//! so a server that runs for days does not grow with every connection.
//!
//! However many clients connect, at most [`DEFAULT_MAX_CONNECTIONS`] (or
//! [`Builder::max_connections`]) handlers run at once, each on its own
//! thread: a connection past the cap is sent the mock's refusal (an
//! SMTP `421`, an HTTP `503`; [`Builder::refusal`]) and closed by the
//! thread that accepted it, so a flood of clients costs no thread at all.
//!
//! The threads are kept: one whose connection is over waits in `accept`
//! for the next (see "Worker threads" below), so a client that connects
//! again and again does not pay for a thread each time.

use crate::transcript::{Recorder, Transcript};
use crate::waitable::Waitable;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The read and write timeout [`MockServer::start`] gives every stream.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(5);

/// How many connections a server serves at once, unless
/// [`Builder::max_connections`] says otherwise: far more than any test
/// opens, and few enough threads for any machine (smtp-sink's `-m`
/// default is 256 too).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// How long `stop` may take to connect to itself (instant on loopback).
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// A pause after a failed `accept` (say, out of file descriptors), so a
/// lasting error does not turn the accept loop into a busy loop.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(50);

/// What a mock does with one connection, on that connection's thread. It
/// should return once its stream reports EOF or an error.
type Handler = Arc<dyn Fn(Conn) + Send + Sync>;

/// Told the address of each connection refused for being past the cap.
struct RefusedHook(Box<dyn Fn(SocketAddr) + Send + Sync>);

impl fmt::Debug for RefusedHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefusedHook")
    }
}

/// One accepted connection, as handed to a mock's handler.
///
/// Read and write through the `Conn` (or through `&Conn`, so one
/// connection can feed a `BufReader` and still be written to) and every
/// byte lands in its [`Transcript`]. The stream already has timeouts, so
/// no call blocks forever.
///
/// Dropping the `Conn` closes the connection at once, in both directions,
/// even if the handler goes on running: the client sees EOF straight away,
/// which is how a mock scripts "hang up now". (The server's own handle to
/// the socket, kept so `stop` can reach it, does not hold it open.)
#[derive(Debug)]
pub struct Conn {
    io: Recorder<Socket>,
    peer: SocketAddr,
    index: usize,
    shared: Arc<Shared>,
}

impl Conn {
    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The order in which this connection was accepted: 0, 1, 2...
    pub fn index(&self) -> usize {
        self.index
    }

    /// This connection's transcript (the server keeps a clone of it).
    pub fn transcript(&self) -> &Transcript {
        self.io.transcript()
    }

    /// The raw stream, for socket options and `shutdown`. Bytes moved
    /// through it directly bypass the transcript.
    pub fn stream(&self) -> &TcpStream {
        &self.io.get_ref().0
    }

    /// Waits `delay`, or less if the server starts stopping; true if the
    /// whole delay passed. A scripted pause uses it so that `stop` never
    /// waits for one.
    pub fn pause(&self, delay: Duration) -> bool {
        // No delay, a mock's usual case before every reply, needs only a
        // look at the flag. A wait, even of zero, takes the lock all the
        // connections share, and is a system call.
        if delay.is_zero() {
            return !self.is_stopping();
        }
        !self.shared.state.wait_until(delay, |_| self.is_stopping())
    }

    /// Whether the server has begun stopping. A handler that reads EOF
    /// during [`MockServer::stop_gracefully`] sees true: the flag is set
    /// before any stream is shut.
    pub fn is_stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // The server shares this socket (see `State::open`), so merely
        // dropping our share would not end the connection. `shutdown`
        // acts on the socket itself, whatever shares it. It fails if the
        // peer or `stop` got there first, which is fine.
        let _ = self.stream().shutdown(Shutdown::Both);
    }
}

/// A connection's socket, shared by its `Conn` and the server's list of
/// open connections: one descriptor per connection, where a second
/// handle from `try_clone` would hold two (and cost a `dup` and a
/// `close` each), and bring a busy mock twice as near the process's
/// limit on open descriptors.
#[derive(Debug)]
struct Socket(Arc<TcpStream>);

impl Read for &Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for &Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.0).flush()
    }
}

impl Read for &Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.io).read(buf)
    }
}

impl Write for &Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.io).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&self.io).flush()
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

/// How to start a [`MockServer`] other than on `127.0.0.1:0` with the
/// defaults: from [`MockServer::builder`], then [`start`](Builder::start).
#[derive(Debug)]
pub struct Builder {
    port: u16,
    listener: Option<TcpListener>,
    io_timeout: Duration,
    transcripts: bool,
    max_connections: usize,
    refusal: Vec<u8>,
    on_refused: Option<RefusedHook>,
}

impl Builder {
    /// Listens on this port of `127.0.0.1` (default 0: the OS picks).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts on `listener`, already bound, instead of binding one (the
    /// DNS mock binds TCP on the port its UDP socket got).
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// The read and write timeout of every stream (default
    /// [`DEFAULT_IO_TIMEOUT`]).
    pub fn io_timeout(mut self, io_timeout: Duration) -> Self {
        self.io_timeout = io_timeout;
        self
    }

    /// Records no transcripts: each [`Conn`] gets a
    /// [`Transcript::discarding`] and [`MockServer::transcripts`] stays
    /// empty. For a standalone program that may run for days: it keeps
    /// nothing per connection once the connection is over.
    pub fn without_transcripts(mut self) -> Self {
        self.transcripts = false;
        self
    }

    /// Serves at most `max` connections at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]). One more is sent the
    /// [`refusal`](Self::refusal) and closed, and no handler runs for it,
    /// so the server's threads stay at most `max` plus one, which waits
    /// in `accept` to refuse the next.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// What a connection past [`max_connections`](Self::max_connections)
    /// is sent before it is closed (default: nothing, a bare close). It
    /// is sent without waiting, so it should be short: a fresh socket
    /// takes a few kilobytes at once.
    pub fn refusal(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.refusal = bytes.into();
        self
    }

    /// Calls `hook` with the address of every connection refused for
    /// being past the cap, on the thread that accepted it (so it must be
    /// quick: a program's log line, not a write to a slow output).
    pub fn on_refused(
        mut self,
        hook: impl Fn(SocketAddr) + Send + Sync + 'static,
    ) -> Self {
        self.on_refused = Some(RefusedHook(Box::new(hook)));
        self
    }

    /// Binds (unless given a listener) and starts accepting. Zero as the
    /// I/O timeout is rejected here, at once: std refuses a zero socket
    /// timeout, so every connection would otherwise fail to be set up.
    /// Zero as the cap is rejected too: it would refuse every client.
    pub fn start<H>(self, handler: H) -> io::Result<MockServer>
    where
        H: Fn(Conn) + Send + Sync + 'static,
    {
        if self.io_timeout.is_zero() {
            let msg = "mock server I/O timeout must be positive";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        if self.max_connections == 0 {
            let msg = "mock server connection cap must be at least 1";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        // Bound before the thread exists: ready the moment we return.
        let listener = match self.listener {
            Some(listener) => listener,
            None => TcpListener::bind(("127.0.0.1", self.port))?,
        };
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            listener,
            io_timeout: self.io_timeout,
            keep_transcripts: self.transcripts,
            max_connections: self.max_connections,
            refusal: self.refusal,
            on_refused: self.on_refused,
            stopping: AtomicBool::new(false),
            state: Waitable::default(),
        });
        let handler: Handler = Arc::new(handler);
        {
            let mut state = shared.state.lock();
            start_worker(&mut state, &shared, &handler)?;
        }
        Ok(MockServer { addr, shared })
    }
}

/// A TCP server on `127.0.0.1:<ephemeral>` that runs a handler per
/// connection and stops, joining all its threads, when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// What the server handle and the worker threads share.
#[derive(Debug)]
struct Shared {
    /// Every idle worker waits in `accept` on it.
    listener: TcpListener,
    io_timeout: Duration,
    /// Whether `transcripts` keeps one per connection.
    keep_transcripts: bool,
    /// How many handlers may run at once.
    max_connections: usize,
    /// Sent to a connection past the cap.
    refusal: Vec<u8>,
    on_refused: Option<RefusedHook>,
    stopping: AtomicBool,
    /// Notified whenever a connection is accepted or closed.
    state: Waitable<State>,
}

#[derive(Debug, Default)]
struct State {
    /// How many connections were accepted; the next `Conn::index`.
    accepted: usize,
    /// How many connections were refused for being past the cap.
    refused: usize,
    /// One per accepted connection, indexed by `Conn::index` (none
    /// without transcripts).
    transcripts: Vec<Transcript>,
    /// A share of each connection whose handler is still running, so
    /// `stop` can shut it down and unblock the handler's reads.
    open: HashMap<usize, Arc<TcpStream>>,
    /// How many connections were closed after their handler ended.
    closed: usize,
    /// How many workers wait in `accept`, or are on their way there. A
    /// worker calls `accept` only while counted here, so `stop` knows
    /// how many to wake.
    accepting: usize,
    /// Worker threads not yet seen to have finished.
    workers: Vec<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server on `127.0.0.1:0` whose streams use
    /// [`DEFAULT_IO_TIMEOUT`].
    pub fn start<H>(handler: H) -> io::Result<Self>
    where
        H: Fn(Conn) + Send + Sync + 'static,
    {
        Self::builder().start(handler)
    }

    /// Starts a server on `127.0.0.1:0` whose streams get `io_timeout` as
    /// read and write timeout (zero is rejected).
    pub fn start_with_timeout<H>(
        io_timeout: Duration,
        handler: H,
    ) -> io::Result<Self>
    where
        H: Fn(Conn) + Send + Sync + 'static,
    {
        Self::builder().io_timeout(io_timeout).start(handler)
    }

    /// A [`Builder`] for a server on another port, on a listener of
    /// your own, or without transcripts.
    pub fn builder() -> Builder {
        Builder {
            port: 0,
            listener: None,
            io_timeout: DEFAULT_IO_TIMEOUT,
            transcripts: true,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            refusal: Vec::new(),
            on_refused: None,
        }
    }

    /// The address clients should connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The transcript of every connection accepted so far, by index
    /// (none if started [`without_transcripts`](Builder::without_transcripts)).
    pub fn transcripts(&self) -> Vec<Transcript> {
        self.shared.state.lock().transcripts.clone()
    }

    /// Waits until at least `n` connections have been accepted; false if
    /// `timeout` ran out first.
    pub fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        let state = &self.shared.state;
        state.wait_until(timeout, |s| s.accepted >= n)
    }

    /// How many connections were refused so far for being past the cap
    /// (see [`Builder::max_connections`]).
    pub fn refused(&self) -> usize {
        self.shared.state.lock().refused
    }

    /// Waits until the handlers of at least `n` connections have returned
    /// or panicked, so those connections are closed and their transcripts
    /// complete; false if `timeout` ran out first. A handler that dropped
    /// its [`Conn`] early is counted only once it returns.
    pub fn wait_for_closed(&self, n: usize, timeout: Duration) -> bool {
        self.shared.state.wait_until(timeout, |s| s.closed >= n)
    }

    /// Stops accepting, closes every open connection and joins every
    /// thread. `Drop` calls it; calling it again does nothing.
    ///
    /// A handler blocked on something other than its connection (say, a
    /// channel) is not woken, and `stop` waits for it. In the unlikely case
    /// that `stop` cannot connect to its own listener to wake the accept
    /// thread, it says so on stderr and leaves that thread behind.
    pub fn stop(&mut self) {
        self.stop_gracefully(Duration::ZERO);
    }

    /// Stops like [`stop`](Self::stop), but lets handlers say goodbye
    /// first: every open connection is shut for reading only, so a handler
    /// blocked in `read` sees EOF and may still write (an SMTP server's
    /// `421`, RFC 5321 §3.8). Handlers get up to `grace` to return; then
    /// every connection is shut in both directions and every thread
    /// joined.
    pub fn stop_gracefully(&mut self, grace: Duration) {
        let waiting = {
            // Set under the lock, so a `Conn::pause` between its check of
            // the flag and its wait cannot miss the wake-up, and no worker
            // starts waiting in `accept` after the count is read.
            let state = self.shared.state.lock();
            if self.shared.stopping.swap(true, Ordering::SeqCst) {
                return; // stopped already
            }
            state.accepting
        };
        self.shared.state.notify();
        // std cannot cancel a blocking `accept`, so we wake each waiting
        // worker the only portable way: by connecting to ourselves, once
        // for each. A worker then sees the stop flag and ends.
        for _ in 0..waiting {
            if let Err(err) =
                TcpStream::connect_timeout(&self.addr, WAKE_TIMEOUT)
            {
                // Joining could now block forever: leave the threads
                // behind rather than hang the test. They exit on their
                // next accept.
                warn(format_args!("cannot wake a worker: {err}"));
                self.shared.state.lock().workers.clear();
                break;
            }
        }
        // No connection is admitted from here on, so `open` only shrinks.
        if !grace.is_zero() {
            self.shared.shut_open_connections(Shutdown::Read);
            let state = &self.shared.state;
            state.wait_until(grace, |s| s.open.is_empty());
        }
        self.shared.shut_open_connections(Shutdown::Both);
        let workers = std::mem::take(&mut self.shared.state.lock().workers);
        for worker in workers {
            join_quietly(worker, "worker");
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("MockServer");
        out.field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Tells standard error what went wrong where nobody else can be told (a
/// worker thread, the accept loop). `eprintln!`, so that a test's output
/// capture holds it; but `eprintln!` panics when standard error fails (a
/// pipe whose reader is gone), and a warning must not take its thread
/// down: that panic is caught, and the warning lost.
pub(crate) fn warn(message: std::fmt::Arguments<'_>) {
    let say = AssertUnwindSafe(|| eprintln!("inet-mocks: {message}"));
    let _ = panic::catch_unwind(say);
}

/// Whether a failed read or write ran into its socket timeout. A timeout
/// shows as `WouldBlock` on Unix and `TimedOut` on Windows; every mock
/// asks this one function.
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Whether a read, write or `accept` was merely cut short by a signal,
/// and should be tried again. On Linux a call on a socket with a timeout
/// (every mock sets one) is never restarted after a signal: it fails with
/// `Interrupted` (EINTR), even after a mere stop and continue (Ctrl-Z
/// then `fg`, a debugger attaching); see signal(7), SO_RCVTIMEO. std's
/// `read_exact` and `write_all` retry by themselves; `read`, `recv_from`
/// and `accept` leave it to their caller.
pub(crate) fn is_interrupted(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Interrupted
}

/// How far a read may run past its deadline, or stop short of it, when
/// the read timeout already on the stream is that close to the time
/// left (see [`read_before_cached`]).
const READ_TIMEOUT_SLACK: Duration = Duration::from_millis(10);

/// What a session last set on its stream, so that setting it again to
/// the same thing costs no system call (each is one, as costly as a
/// read): the read timeout (`None`: unknown) and whether the stream is
/// non-blocking (see [`read_soon`], which leaves it so).
#[derive(Debug, Default)]
pub(crate) struct StreamSettings {
    read_timeout: Option<Duration>,
    nonblocking: bool,
}

impl StreamSettings {
    fn set_nonblocking(
        &mut self,
        stream: &TcpStream,
        on: bool,
    ) -> io::Result<()> {
        if self.nonblocking != on {
            stream.set_nonblocking(on)?;
            self.nonblocking = on;
        }
        Ok(())
    }
}

/// One read that gives up at `deadline`: the timeout is set to the time
/// left at each call, so a client that sends a byte now and then still
/// runs out of time. A read a signal interrupts is tried again, for the
/// time left only, so signals can't stretch the deadline either. For a
/// blocking stream, one [`read_soon`] never touched; a session that uses
/// both calls [`read_before_cached`] with its [`StreamSettings`].
pub(crate) fn read_before(
    io: &mut impl Read,
    stream: &TcpStream,
    deadline: Instant,
    buf: &mut [u8],
) -> io::Result<usize> {
    read_before_cached(
        io,
        stream,
        deadline,
        buf,
        &mut StreamSettings::default(),
    )
}

/// [`read_before`] for a server that reads line after line: `set`
/// remembers what was last set on `stream`. A timeout set for the last
/// line (five minutes, say) is within [`READ_TIMEOUT_SLACK`] of the time
/// left for the next, so it is kept. The timeout is set again only for
/// a line that comes in pieces, as its time runs down, or when it is
/// far off for another reason. A read that times out with time still
/// left is tried again.
pub(crate) fn read_before_cached(
    io: &mut impl Read,
    stream: &TcpStream,
    deadline: Instant,
    buf: &mut [u8],
    set: &mut StreamSettings,
) -> io::Result<usize> {
    set.set_nonblocking(stream, false)?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        let kept = set.read_timeout;
        if kept.is_none_or(|kept| kept.abs_diff(left) > READ_TIMEOUT_SLACK) {
            stream.set_read_timeout(Some(left))?;
            set.read_timeout = Some(left);
        }
        match io.read(buf) {
            Err(err) if is_interrupted(&err) || is_timeout(&err) => {}
            done => return done,
        }
    }
}

/// Writes all of `bytes` on a stream [`read_soon`] may have left
/// non-blocking. A reply usually fits in the socket's send buffer, so
/// one write takes it whole without switching the stream back; if it
/// does not (a client that stopped reading), the rest goes out blocking,
/// bounded by the stream's write timeout as every other write.
pub(crate) fn write_all_settled(
    io: &mut impl Write,
    stream: &TcpStream,
    mut bytes: &[u8],
    set: &mut StreamSettings,
) -> io::Result<()> {
    if set.nonblocking {
        match io.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(err) if is_timeout(&err) || is_interrupted(&err) => {}
            Err(err) => return Err(err),
        }
        set.set_nonblocking(stream, bytes.is_empty())?;
    }
    io.write_all(bytes)?;
    io.flush()
}

/// How many times [`read_soon`] looks for bytes before it gives up.
const EAGER_LOOKS: usize = 20;

/// Looks for bytes to read without blocking, up to [`EAGER_LOOKS`]
/// times, yielding the core in between; `Ok(None)` if none came.
///
/// Why not simply block? A thread blocked in `read` is woken by whoever
/// sends it the bytes, and waking it is work for the sender: a trip
/// through the scheduler and, when the thread's core sleeps, an
/// interrupt to that core (on a virtual machine, a round trip through
/// the hypervisor). Under smtp-source, on this course's 2-core virtual
/// machine, the client (the bottleneck) spent about a third more CPU
/// time per message against an SMTP mock whose threads slept in `read`
/// than against Postfix's smtp-sink, whose one thread is rarely asleep.
/// A client in a conversation answers within microseconds, so its next
/// command is usually there after a few looks; between looks the core
/// goes to whoever else needs it, so a busy machine loses little, and a
/// quiet client costs us only the looks before we sleep.
pub(crate) fn read_soon(
    io: &mut impl Read,
    stream: &TcpStream,
    buf: &mut [u8],
    set: &mut StreamSettings,
) -> io::Result<Option<usize>> {
    // Left non-blocking afterwards: the next look, a line later, would
    // only set it again (two system calls a line saved).
    set.set_nonblocking(stream, true)?;
    for _ in 0..EAGER_LOOKS {
        match io.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                thread::yield_now();
            }
            Err(err) if is_interrupted(&err) => {}
            done => return done.map(Some),
        }
    }
    Ok(None)
}

/// Fills `buf` with reads that give up at `deadline` (see
/// [`read_before`]); `UnexpectedEof` if the client closes first.
pub(crate) fn read_exact_before(
    io: &mut impl Read,
    stream: &TcpStream,
    deadline: Instant,
    mut buf: &mut [u8],
) -> io::Result<()> {
    while !buf.is_empty() {
        match read_before(io, stream, deadline, buf)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => buf = &mut buf[n..],
        }
    }
    Ok(())
}

/// The instant `time` from now; a time too long for the clock
/// (`Duration::MAX`, say) means "never", which a year is, for a mock.
pub(crate) fn deadline_in(time: Duration) -> Instant {
    let now = Instant::now();
    let year = Duration::from_secs(365 * 24 * 60 * 60);
    now.checked_add(time).unwrap_or(now + year)
}

/// A panicking handler's message was already printed by the panic hook,
/// so there is nothing to do but note it and carry on stopping.
pub(crate) fn join_quietly(thread: JoinHandle<()>, what: &str) {
    if thread.join().is_err() {
        warn(format_args!("a {what} thread panicked"));
    }
}

// Worker threads. Each connection is served by a thread of its own, so a
// handler is a plain function that reads and writes in order, as a lesson
// reads. But a thread is not started for each connection: starting and
// ending one takes eighteen system calls (its stack mapped, guarded and
// unmapped, its signal stack and mask, its name...), which under
// smtp-source, a new connection per message, were more than a third of
// the SMTP mock's system calls. The threads are kept, and a worker whose
// connection is over waits for the next. It waits in `accept` itself, as
// Postfix's smtpd processes all wait on one listening socket, and the
// kernel gives each new connection to one of the waiting workers: a
// thread that accepted for the others and handed connections on would
// cost a wake-up per connection more. One worker always waits in
// `accept`, even while `max_connections` are served, to refuse the next
// client at once.

/// The most workers that wait in `accept` at once (fewer if the cap is
/// lower): a worker whose connection is over ends instead when this many
/// wait already. Enough for a client that opens connection after
/// connection on many sessions at once (smtp-source opens 20), few
/// enough that the threads of a burst of clients do not outlive it.
const MAX_IDLE_WORKERS: usize = 32;

/// Starts a worker thread and counts it in `accepting`, under the state
/// lock: `stop`, which reads that count, joins it too, and the new thread
/// can't take a connection (which needs the lock) before it is counted.
fn start_worker(
    state: &mut State,
    shared: &Arc<Shared>,
    handler: &Handler,
) -> io::Result<()> {
    let (for_thread, handler) = (Arc::clone(shared), Arc::clone(handler));
    let spawned = thread::Builder::new()
        .name("inet-mock-worker".into())
        .spawn(move || work(&for_thread, &handler));
    let worker = spawned?;
    // Forget finished threads, so a long-lived server does not keep a
    // handle for every thread it ever ran.
    state.workers.retain(|worker| !worker.is_finished());
    state.workers.push(worker);
    state.accepting += 1;
    Ok(())
}

/// A worker's life: accept a connection and serve it, again and again,
/// until the server stops or enough other workers wait.
fn work(shared: &Arc<Shared>, handler: &Handler) {
    while let Some(conn) = accept(shared, handler) {
        let index = conn.index;
        let served = panic::catch_unwind(AssertUnwindSafe(|| handler(conn)));
        if let Err(panic) = served {
            // The hook printed the panic; the connection is shut (the
            // handler's `Conn` was dropped). Count it closed, then let
            // the panic end this thread: `stop` reports it.
            shared.close(index, false);
            panic::resume_unwind(panic);
        }
        if !shared.close(index, true) {
            return;
        }
    }
}

/// Waits in `accept` until a connection comes that this worker is to
/// serve; `None` once the server is stopping.
fn accept(shared: &Arc<Shared>, handler: &Handler) -> Option<Conn> {
    loop {
        let accepted = shared.listener.accept();
        // Checked after `accept` returns: the connection that woke us may
        // be `stop`'s own, and must not reach a handler.
        if shared.stopping.load(Ordering::SeqCst) {
            return None;
        }
        match accepted {
            Ok((stream, peer)) => {
                if let Some(conn) = admit(stream, peer, shared, handler) {
                    return Some(conn);
                }
            }
            Err(err) if is_interrupted(&err) => {}
            Err(err) => {
                warn(format_args!("accept failed: {err}"));
                thread::sleep(ACCEPT_ERROR_BACKOFF);
            }
        }
    }
}

/// Prepares an accepted connection for this worker to serve; if no other
/// worker is left waiting in `accept`, starts one. `None`: the connection
/// was refused (past the cap) or dropped (it could not be set up, or the
/// server is stopping).
fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    handler: &Handler,
) -> Option<Conn> {
    if let Err(err) = prepare(&stream, shared.io_timeout) {
        warn(format_args!("dropping {peer}: {err}"));
        return None;
    }
    let mut state = shared.state.lock();
    if shared.stopping.load(Ordering::SeqCst) {
        return None;
    }
    // Looked at and taken under one lock: two workers that accept at
    // the same moment cannot both take the last place.
    if state.open.len() >= shared.max_connections {
        drop(state);
        shared.refuse(&stream, peer);
        return None;
    }
    let stream = Arc::new(stream);
    let (index, transcript) = shared.register(&mut state, &stream);
    state.accepting -= 1;
    if state.accepting == 0
        && let Err(err) = start_worker(&mut state, shared, handler)
    {
        // Served all the same; the next client waits in the kernel's
        // queue until this worker is back in `accept`.
        warn(format_args!("no thread to accept after {peer}: {err}"));
    }
    drop(state);
    shared.state.notify();
    Some(Conn {
        io: Recorder::new(Socket(stream), transcript),
        peer,
        index,
        shared: Arc::clone(shared),
    })
}

/// Sets the timeouts, and turns Nagle's algorithm off.
fn prepare(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    // Mocks reply in small writes; Nagle's algorithm could hold one back
    // waiting for an ACK and slow every test down.
    stream.set_nodelay(true)
}

impl Shared {
    /// Drops the server's share of connection `index`, closing it, and
    /// counts it closed (the socket itself was shut when the handler's
    /// `Conn` was dropped). With `again`, its worker is to wait in `accept` once
    /// more: true if it is counted there, false if it should end (the
    /// server is stopping, or enough workers wait).
    fn close(&self, index: usize, again: bool) -> bool {
        let mut state = self.state.lock();
        let socket = state.open.remove(&index);
        state.closed += 1;
        let stopping = self.stopping.load(Ordering::SeqCst);
        // Workers serving and workers waiting stay within the cap plus
        // the one that waits to refuse.
        let room = self.max_connections + 1 - state.open.len();
        let idle = state.accepting < MAX_IDLE_WORKERS.min(room);
        let again = again && !stopping && idle;
        if again {
            state.accepting += 1;
        }
        drop(state);
        // Closed outside the lock every connection shares.
        drop(socket);
        self.state.notify();
        again
    }
}

impl Shared {
    /// Says no to a connection past the cap and closes it, on the worker
    /// that accepted it, without ever blocking it: the refusal is written
    /// once, without waiting (a fresh socket takes a few kilobytes at
    /// once; if not, the client is not reading, and gets the bare close). The
    /// FIN follows the refusal, so a client reads it whole before EOF.
    fn refuse(&self, stream: &TcpStream, peer: SocketAddr) {
        // Counted before the client can see anything: whoever has read
        // the refusal can count on `refused()` to include it.
        self.state.lock().refused += 1;
        if !self.refusal.is_empty() && stream.set_nonblocking(true).is_ok() {
            let _ = (&*stream).write_all(&self.refusal);
        }
        let _ = stream.shutdown(Shutdown::Write);
        if let Some(RefusedHook(hook)) = &self.on_refused {
            hook(peer);
        }
    }

    /// Records a new connection and returns its index and transcript.
    fn register(
        &self,
        state: &mut State,
        stream: &Arc<TcpStream>,
    ) -> (usize, Transcript) {
        let index = state.accepted;
        state.accepted += 1;
        let transcript = if self.keep_transcripts {
            let transcript = Transcript::new();
            state.transcripts.push(transcript.clone());
            transcript
        } else {
            Transcript::discarding()
        };
        state.open.insert(index, Arc::clone(stream));
        (index, transcript)
    }

    /// Shuts every open stream (`how`: reading only, or both ways), so
    /// handlers blocked in `read` see EOF and return.
    fn shut_open_connections(&self, how: Shutdown) {
        for stream in self.state.lock().open.values() {
            // The peer may have closed it already; that is fine.
            let _ = stream.shutdown(how);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::io::{BufRead, BufReader};
    use std::net::Ipv4Addr;
    use std::sync::atomic::AtomicUsize;
    use std::sync::{Mutex, mpsc};

    const TIMEOUT: Duration = Duration::from_secs(5);

    /// Every test socket gets timeouts, so a bug fails instead of hanging.
    fn connect(addr: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        stream
    }

    /// Reads one line back, then closes: the mock side of an echo.
    fn echo_one_line(conn: Conn) {
        let mut line = String::new();
        if BufReader::new(&conn).read_line(&mut line).is_ok() {
            let _ = (&conn).write_all(line.as_bytes());
        }
    }

    fn read_line(stream: &TcpStream) -> String {
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        line
    }

    fn read_to_eof(mut stream: &TcpStream) -> Vec<u8> {
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        rest
    }

    /// A reader that a signal interrupts (EINTR) `signals` times, 5 ms
    /// into each wait, before it reads `rest`.
    struct Interrupted<'a> {
        signals: usize,
        rest: &'a [u8],
    }

    impl Read for Interrupted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.signals == 0 {
                return self.rest.read(buf);
            }
            self.signals -= 1;
            thread::sleep(Duration::from_millis(5));
            Err(io::ErrorKind::Interrupted.into())
        }
    }

    #[test]
    fn a_read_a_signal_interrupts_is_tried_again_until_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = connect(listener.local_addr().unwrap());
        let mut buf = [0; 8];
        let mut once = Interrupted {
            signals: 1,
            rest: b"hi",
        };
        let far = Instant::now() + TIMEOUT;
        let got = read_before(&mut once, &stream, far, &mut buf);
        assert_eq!(got.unwrap(), 2);
        // 20 signals, 100 ms: more than the 30 ms left.
        let mut storm = Interrupted {
            signals: 20,
            rest: b"hi",
        };
        let near = Instant::now() + Duration::from_millis(30);
        let err = read_before(&mut storm, &stream, near, &mut buf);
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn binds_loopback_on_an_ephemeral_port() {
        let server = MockServer::start(drop).unwrap();
        assert_eq!(server.addr().ip(), Ipv4Addr::LOCALHOST);
        assert_ne!(server.addr().port(), 0);
    }

    #[test]
    fn serves_on_a_listener_it_is_given() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let builder = MockServer::builder().listener(listener);
        let server = builder.start(echo_one_line).unwrap();
        assert_eq!(server.addr(), addr);
        let mut client = connect(addr);
        client.write_all(b"mine\n").unwrap();
        assert_eq!(read_to_eof(&client), b"mine\n");
    }

    #[test]
    fn without_transcripts_it_counts_connections_but_keeps_none() {
        let builder = MockServer::builder().without_transcripts();
        let server = builder.start(echo_one_line).unwrap();
        for _ in 0..3 {
            let mut client = connect(server.addr());
            client.write_all(b"hi\n").unwrap();
            assert_eq!(read_to_eof(&client), b"hi\n");
        }
        assert!(server.wait_for_connections(3, TIMEOUT));
        assert!(server.wait_for_closed(3, TIMEOUT));
        assert!(server.transcripts().is_empty());
    }

    #[test]
    fn a_zero_timeout_is_rejected() {
        let err = MockServer::start_with_timeout(Duration::ZERO, drop);
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn echoes_a_line_and_records_both_directions_exactly() {
        let server = MockServer::start(echo_one_line).unwrap();
        let mut client = connect(server.addr());
        client.write_all(b"hello\r\n").unwrap();
        // EOF means the handler dropped its `Conn`, so it can record no
        // more: the transcript is complete.
        assert_eq!(read_to_eof(&client), b"hello\r\n");

        let transcripts = server.transcripts();
        assert_eq!(transcripts.len(), 1);
        assert_eq!(transcripts[0].bytes_from_client(), b"hello\r\n");
        assert_eq!(transcripts[0].bytes_to_client(), b"hello\r\n");
        assert_eq!(transcripts[0].render(), "C: hello\\r\nS: hello\\r\n");
    }

    #[test]
    fn each_connection_knows_its_index_and_peer() {
        let server = MockServer::start(|conn: Conn| {
            let about = format!("{} {}\n", conn.index(), conn.peer());
            let _ = (&conn).write_all(about.as_bytes());
        })
        .unwrap();
        for index in 0..3 {
            let client = connect(server.addr());
            let expected =
                format!("{index} {}\n", client.local_addr().unwrap());
            assert_eq!(read_line(&client), expected);
        }
    }

    #[test]
    fn accepted_streams_carry_the_configured_timeouts() {
        // Whole seconds: the kernel stores socket timeouts in clock ticks,
        // so a value like 1.234 s can come back rounded to 1.236 s.
        let timeout = Duration::from_secs(3);
        let server = MockServer::start_with_timeout(timeout, |conn: Conn| {
            let stream = conn.stream();
            let read = stream.read_timeout().ok().flatten();
            let write = stream.write_timeout().ok().flatten();
            let _ = writeln!(&conn, "{read:?} {write:?}");
        })
        .unwrap();
        let client = connect(server.addr());
        assert_eq!(read_line(&client), "Some(3s) Some(3s)\n");
    }

    #[test]
    fn waiting_for_connections_that_never_come_times_out() {
        let server = MockServer::start(drop).unwrap();
        let short = Duration::from_millis(50);
        assert!(!server.wait_for_connections(1, short));
        assert!(!server.wait_for_closed(1, short));
    }

    #[test]
    fn drop_stops_quickly_while_a_client_sits_idle() {
        let server = MockServer::start(|conn: Conn| {
            // Blocks in `read` until the server shuts the stream down.
            let _ = io::copy(&mut &conn, &mut io::sink());
        })
        .unwrap();
        let client = connect(server.addr());
        assert!(server.wait_for_connections(1, TIMEOUT));

        let started = Instant::now();
        drop(server);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "drop took {took:?}");
        assert_eq!(read_to_eof(&client), b"");
    }

    #[test]
    fn a_graceful_stop_lets_handlers_write_their_goodbye() {
        let mut server = MockServer::start(|conn: Conn| {
            // Blocks in `read` until the stop shuts the reading side.
            let _ = io::copy(&mut &conn, &mut io::sink());
            let _ = (&conn).write_all(b"bye\n");
        })
        .unwrap();
        let client = connect(server.addr());
        assert!(server.wait_for_connections(1, TIMEOUT));
        server.stop_gracefully(TIMEOUT);
        assert_eq!(read_to_eof(&client), b"bye\n");
        assert!(server.wait_for_closed(1, Duration::ZERO));
    }

    #[test]
    fn stop_cuts_a_pause_short() {
        let mut server = MockServer::start(|conn: Conn| {
            let whole = conn.pause(Duration::from_secs(60));
            let _ = writeln!(&conn, "whole pause: {whole}");
        })
        .unwrap();
        let client = connect(server.addr());
        assert!(server.wait_for_connections(1, TIMEOUT));
        let started = Instant::now();
        // Graceful, so the handler's line gets out before the close.
        server.stop_gracefully(TIMEOUT);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "stop took {took:?}");
        assert_eq!(read_to_eof(&client), b"whole pause: false\n");
    }

    #[test]
    fn dropping_the_conn_closes_the_connection_while_the_handler_runs() {
        let (release, released) = mpsc::channel::<()>();
        // `Fn` handlers must be `Sync`, which a `Receiver` is not.
        let released = Mutex::new(released);
        let server = MockServer::start(move |conn: Conn| {
            let _ = (&conn).write_all(b"bye\n");
            drop(conn);
            // Blocks until the test releases it: whatever closed the
            // connection, it was not the handler returning.
            let _ = released.lock().unwrap().recv();
        })
        .unwrap();
        // Moved into a binding declared after `server`, so it is dropped
        // first if an assertion fails: the handler's `recv` then returns
        // and dropping the server does not wait for it forever.
        let release = release;

        let client = connect(server.addr());
        // Within the client's read timeout, while the handler still runs.
        assert_eq!(read_to_eof(&client), b"bye\n");
        assert!(!server.wait_for_closed(1, Duration::ZERO));
        assert_eq!(server.transcripts()[0].bytes_to_client(), b"bye\n");

        release.send(()).unwrap();
        assert!(server.wait_for_closed(1, TIMEOUT));
    }

    #[test]
    fn a_panicking_handler_does_not_stop_the_next_connection() {
        let mut server = MockServer::start(|conn: Conn| {
            if conn.index() == 0 {
                panic!("deliberate panic in a test handler");
            }
            echo_one_line(conn);
        })
        .unwrap();
        let first = connect(server.addr());
        assert_eq!(read_to_eof(&first), b"");

        let mut second = connect(server.addr());
        second.write_all(b"still here\n").unwrap();
        assert_eq!(read_to_eof(&second), b"still here\n");

        assert!(server.wait_for_closed(2, TIMEOUT));
        assert_eq!(server.transcripts().len(), 2);
        server.stop();
        server.stop();
    }

    #[test]
    fn serves_many_connections_at_once() {
        let mut server = MockServer::start(echo_one_line).unwrap();
        // Open all of them first: their handlers must all be running at
        // the same time for every client below to get its answer.
        let clients: Vec<TcpStream> =
            (0..20).map(|_| connect(server.addr())).collect();
        assert!(server.wait_for_connections(20, TIMEOUT));
        for (i, mut client) in clients.iter().enumerate().rev() {
            client
                .write_all(format!("client {i}\n").as_bytes())
                .unwrap();
            assert_eq!(read_line(client), format!("client {i}\n"));
        }

        server.stop();
        let mut heard: Vec<Vec<u8>> = server
            .transcripts()
            .iter()
            .map(Transcript::bytes_from_client)
            .collect();
        heard.sort();
        let mut sent: Vec<Vec<u8>> = (0..20)
            .map(|i| format!("client {i}\n").into_bytes())
            .collect();
        sent.sort();
        assert_eq!(heard, sent);
    }

    /// Row V1: with a cap of 2, a third client is refused (and no
    /// handler runs for it) while two are served; a place freed is
    /// taken by the next client.
    #[test]
    fn a_connection_past_the_cap_gets_the_refusal_and_no_handler_v1() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (now, peak) = (Arc::clone(&running), Arc::clone(&most));
        let server = MockServer::builder()
            .max_connections(2)
            .refusal(*b"busy\n")
            .start(move |conn: Conn| {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                let _ = (&conn).write_all(b"hello\n");
                // Holds its place until the client hangs up.
                let _ = io::copy(&mut &conn, &mut io::sink());
                now.fetch_sub(1, Ordering::SeqCst);
            })
            .unwrap();
        let first = connect(server.addr());
        let second = connect(server.addr());
        assert_eq!(read_line(&first), "hello\n");
        assert_eq!(read_line(&second), "hello\n");
        for _ in 0..3 {
            let extra = connect(server.addr());
            assert_eq!(read_to_eof(&extra), b"busy\n");
        }
        assert_eq!(server.refused(), 3);
        assert!(!server.wait_for_connections(3, Duration::ZERO));

        drop(first);
        assert!(server.wait_for_closed(1, TIMEOUT));
        let next = connect(server.addr());
        assert_eq!(read_line(&next), "hello\n");
        assert_eq!(most.load(Ordering::SeqCst), 2, "handlers at once");
        drop(second);
    }

    /// Connections one after another are served by the threads already
    /// there: the first worker, and the one it started to wait in
    /// `accept` while it served.
    #[test]
    fn workers_serve_connection_after_connection() {
        let threads = Arc::new(Mutex::new(HashSet::new()));
        let seen = Arc::clone(&threads);
        let server = MockServer::start(move |conn: Conn| {
            seen.lock().unwrap().insert(thread::current().id());
            echo_one_line(conn);
        })
        .unwrap();
        for n in 1..=10 {
            let mut client = connect(server.addr());
            client.write_all(b"hi\n").unwrap();
            assert_eq!(read_to_eof(&client), b"hi\n");
            // Its worker is back in `accept` once it is counted closed.
            assert!(server.wait_for_closed(n, TIMEOUT));
        }
        let used = threads.lock().unwrap().len();
        assert!(used <= 2, "10 connections took {used} threads");
    }

    /// After a burst, at most `MAX_IDLE_WORKERS` threads stay waiting for
    /// more, and stopping wakes them all.
    #[test]
    fn a_burst_leaves_few_idle_workers_and_stop_ends_them() {
        let burst = MAX_IDLE_WORKERS + 8;
        let server = MockServer::start(echo_one_line).unwrap();
        // All connected first, so that every handler runs at once.
        let clients: Vec<TcpStream> =
            (0..burst).map(|_| connect(server.addr())).collect();
        assert!(server.wait_for_connections(burst, TIMEOUT));
        for mut client in &clients {
            client.write_all(b"x\n").unwrap();
            assert_eq!(read_to_eof(client), b"x\n");
        }
        assert!(server.wait_for_closed(burst, TIMEOUT));
        let waiting = server.shared.state.lock().accepting;
        assert!(waiting <= MAX_IDLE_WORKERS, "{waiting} workers wait");
        let started = Instant::now();
        drop(server);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "stop took {took:?}");
    }

    #[test]
    fn a_cap_of_zero_is_refused_at_start() {
        let err = MockServer::builder().max_connections(0).start(drop);
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }
}
