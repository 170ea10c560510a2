//! The mock's sockets and threads: one thread receives UDP datagrams, and
//! the harness ([`MockServer`]) accepts TCP connections on the same port
//! of 127.0.0.1, each on a thread of its own. What to reply is decided in
//! `reply`; this module only moves bytes, logs them, and stops promptly.

use super::reply::{self, Config, Outgoing, Plan};
use super::wire::{self, Incoming};
use super::{Message, Question, Transport};
use crate::server::{
    Conn, MockServer, deadline_in, is_interrupted, is_timeout, join_quietly,
    read_before, read_exact_before,
};
use crate::transcript::Dir;
use crate::waitable::Waitable;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::{Arc, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How many times `start` looks for a port free for both UDP and TCP.
const BIND_ATTEMPTS: usize = 8;
/// How often the UDP loop looks at the stop flag if nothing wakes it.
const UDP_POLL: Duration = Duration::from_millis(200);
/// A pause after a failed `recv`, so a lasting error does not become a
/// busy loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(50);
/// The largest DNS message over UDP or TCP (a 16-bit length).
const MAX_MESSAGE: usize = 65_535;

/// How the server listens and how much it keeps (see the [`Builder`]'s
/// methods of the same names).
///
/// [`Builder`]: super::Builder
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub port: u16,
    /// The write timeout, and the longest a TCP connection may stay idle
    /// between messages.
    pub io_timeout: Duration,
    /// How long a TCP message may take to arrive, from its first byte.
    pub tcp_deadline: Duration,
    pub max_connections: usize,
    pub log_limit: usize,
}

/// A function called for every query received.
pub(super) type Observer = Box<dyn Fn(&Question) + Send + Sync>;

/// A running server: its address, what its threads share, the UDP thread
/// to join and the TCP server to stop.
pub(super) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    udp_thread: Option<JoinHandle<()>>,
    tcp: MockServer,
}

/// What the server's threads share.
struct Shared {
    config: Config,
    observer: Option<Observer>,
    /// Notified when a question is logged.
    log: Waitable<Log>,
    /// Notified when it becomes true, to cut delays short.
    stopped: Waitable<bool>,
    /// Delayed UDP answers still running.
    delayed: Waitable<Vec<JoinHandle<()>>>,
}

/// The questions and the messages, in arrival order: the first `limit`
/// of each, so that a long-running server does not grow without end.
pub(super) struct Log {
    pub questions: Vec<Question>,
    pub messages: Vec<Message>,
    /// How many questions arrived, logged or not.
    pub received: usize,
    limit: usize,
}

impl Log {
    fn new(limit: usize) -> Self {
        Self {
            questions: Vec::new(),
            messages: Vec::new(),
            received: 0,
            limit,
        }
    }

    /// Logs a message; past the limit, its bytes are not even copied.
    fn message(
        &mut self,
        transport: Transport,
        peer: SocketAddr,
        dir: Dir,
        bytes: &[u8],
    ) {
        if self.messages.len() < self.limit {
            let bytes = bytes.to_vec();
            let message = Message {
                transport,
                peer,
                dir,
                bytes,
            };
            self.messages.push(message);
        }
    }

    /// Logs a question; returns its index in arrival order.
    fn question(&mut self, question: Question) -> usize {
        if self.questions.len() < self.limit {
            self.questions.push(question);
        }
        self.received += 1;
        self.received - 1
    }
}

impl Server {
    /// Binds UDP and TCP (on `port`, or a port free for both if 0) and
    /// starts the threads.
    pub fn start(
        config: Config,
        settings: Settings,
        observer: Option<Observer>,
    ) -> io::Result<Self> {
        let (udp, tcp) = bind(settings.port)?;
        let addr = udp.local_addr()?;
        udp.set_read_timeout(Some(UDP_POLL))?;
        udp.set_write_timeout(Some(settings.io_timeout))?;
        let shared = Arc::new(Shared {
            config,
            observer,
            log: Waitable::new(Log::new(settings.log_limit)),
            stopped: Waitable::new(false),
            delayed: Waitable::default(),
        });
        let s = Arc::clone(&shared);
        // The DNS log keeps the messages (up to its limit): the harness
        // need not keep transcripts as well. Past the cap, a bare close:
        // DNS has no word for "busy" before a query; a client retries
        // later or asks another server.
        let tcp = MockServer::builder()
            .listener(tcp)
            .io_timeout(settings.io_timeout)
            .max_connections(settings.max_connections)
            .without_transcripts()
            .start(move |conn: Conn| tcp_conn(&conn, &s, &settings))?;
        let udp = Arc::new(udp);
        let s = Arc::clone(&shared);
        // If this thread cannot start, `tcp` drops and stops.
        let udp_thread =
            spawn("inet-mock-dns-udp", move || udp_loop(&udp, &s))?;
        Ok(Self {
            addr,
            shared,
            udp_thread: Some(udp_thread),
            tcp,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.shared.log()
    }

    /// Waits until `done` holds for the log; false if `timeout` ran out.
    pub fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&Log) -> bool,
    ) -> bool {
        self.shared.log.wait_until(timeout, done)
    }

    /// Stops the threads and closes every connection; idempotent.
    pub fn stop(&mut self) {
        let Some(udp_thread) = self.udp_thread.take() else {
            return;
        };
        // First, so that delays waiting on it end at once.
        self.shared.set_stopped();
        // A blocking `recv` cannot be cancelled in std: wake it with a
        // packet of its own. The loop sees the flag and ends (it would
        // also see it within UDP_POLL).
        if let Ok(waker) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) {
            let _ = waker.send_to(&[], self.addr);
        }
        join_quietly(udp_thread, "DNS mock UDP");
        self.tcp.stop();
        let delayed = std::mem::take(&mut *self.shared.delayed.lock());
        for thread in delayed {
            join_quietly(thread, "DNS mock delayed answer");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds UDP, then TCP on the same port. With port 0 the OS picks a free
/// UDP port, which TCP may still find taken: then try another.
fn bind(port: u16) -> io::Result<(UdpSocket, TcpListener)> {
    let localhost = Ipv4Addr::LOCALHOST;
    if port != 0 {
        let udp = UdpSocket::bind((localhost, port))?;
        return Ok((udp, TcpListener::bind((localhost, port))?));
    }
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind((localhost, 0))?;
        match TcpListener::bind(udp.local_addr()?) {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free port")))
}

fn spawn(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new().name(name.into()).spawn(f)
}

impl Shared {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock()
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.lock()
    }

    fn set_stopped(&self) {
        *self.stopped.lock() = true;
        self.stopped.notify();
    }

    /// Waits for `delay` unless the server stops first; true if the whole
    /// delay passed.
    fn sleep(&self, delay: Duration) -> bool {
        !self.stopped.wait_until(delay, |stopped| *stopped)
    }

    /// Adds a delayed answer's thread, forgetting those that have
    /// finished.
    fn add_delayed(&self, thread: JoinHandle<()>) {
        let mut delayed = self.delayed.lock();
        delayed.retain(|thread| !thread.is_finished());
        delayed.push(thread);
    }

    /// Logs one message that crossed a socket.
    fn note(
        &self,
        transport: Transport,
        peer: SocketAddr,
        dir: Dir,
        bytes: &[u8],
    ) {
        self.log().message(transport, peer, dir, bytes);
    }

    /// Logs a received message and decides the replies.
    fn respond(
        &self,
        msg: &[u8],
        transport: Transport,
        from: SocketAddr,
    ) -> Plan {
        let mut log = self.log();
        log.message(transport, from, Dir::FromClient, msg);
        let query = match wire::read(msg) {
            Incoming::Query(query) => query,
            Incoming::FormErr { id, flags } => {
                return reply::formerr(id, flags);
            }
            Incoming::Ignore => return Plan::nothing(),
        };
        let question = Question {
            transport,
            id: query.id,
            name: wire::display(query.name),
            qtype: query.qtype,
            from,
        };
        // Under the log's lock, so the observer sees arrival order too.
        if let Some(observer) = &self.observer {
            observer(&question);
        }
        let index = log.question(question);
        self.log.notify();
        drop(log);
        reply::plan(&self.config, &query, transport, index)
    }
}

/// Receives datagrams and answers them until the server stops.
fn udp_loop(socket: &Arc<UdpSocket>, shared: &Arc<Shared>) {
    // The largest datagram, so nothing is cut short unseen.
    let mut buf = vec![0; MAX_MESSAGE];
    while !shared.is_stopped() {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(err) if is_timeout(&err) || is_interrupted(&err) => continue,
            // Some systems report an ICMP "port unreachable" for an
            // earlier reply here; nothing to do but carry on.
            Err(_) => {
                shared.sleep(ERROR_BACKOFF);
                continue;
            }
        };
        if shared.is_stopped() {
            return;
        }
        let plan = shared.respond(&buf[..n], Transport::Udp, from);
        let Some(delay) = plan.delay else {
            send_all(socket, shared, &plan.replies, from);
            continue;
        };
        // On a thread of its own, so later queries are not held up.
        let (socket, s) = (Arc::clone(socket), Arc::clone(shared));
        let delayed = spawn("inet-mock-dns-delay", move || {
            if s.sleep(delay) {
                send_all(&socket, &s, &plan.replies, from);
            }
        });
        match delayed {
            Ok(thread) => shared.add_delayed(thread),
            Err(err) => crate::server::warn(format_args!(
                "no thread for a delay: {err}"
            )),
        }
    }
}

/// Sends each reply as a datagram. Each is logged first, so that a
/// client holding a reply finds it in the log. A failed send means the
/// client is gone, which is its business.
fn send_all(
    socket: &UdpSocket,
    shared: &Shared,
    replies: &[Outgoing],
    to: SocketAddr,
) {
    for reply in replies {
        shared.note(Transport::Udp, to, Dir::ToClient, &reply.bytes);
        let _ = if reply.from_elsewhere {
            UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|other| other.send_to(&reply.bytes, to))
        } else {
            socket.send_to(&reply.bytes, to)
        };
    }
}

/// Answers length-prefixed messages on one connection (RFC 1035 §4.2.2)
/// until the client closes it, stays idle too long, is too slow to send
/// a message, or the server stops.
fn tcp_conn(mut stream: &Conn, shared: &Shared, settings: &Settings) {
    let peer = stream.peer();
    while let Some(msg) = read_tcp_message(stream, settings) {
        let plan = shared.respond(&msg, Transport::Tcp, peer);
        if let Some(delay) = plan.delay
            && !shared.sleep(delay)
        {
            return;
        }
        for reply in &plan.replies {
            let Ok(len) = u16::try_from(reply.bytes.len()) else {
                continue; // cannot happen: answers are capped well below
            };
            let mut framed = Vec::with_capacity(2 + reply.bytes.len());
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(&reply.bytes);
            shared.note(Transport::Tcp, peer, Dir::ToClient, &reply.bytes);
            if stream.write_all(&framed).is_err() {
                return;
            }
        }
    }
}

/// The next message on a TCP connection, without its length prefix;
/// `None` if the client closed, stayed idle past the I/O timeout, did
/// not send the whole message within the TCP deadline, or the read
/// failed. The deadline runs from the first byte, for the whole
/// message: a client trickling a byte at a time cannot stretch it.
fn read_tcp_message(conn: &Conn, settings: &Settings) -> Option<Vec<u8>> {
    let (mut io, stream) = (conn, conn.stream());
    let mut len = [0; 2];
    let idle_until = deadline_in(settings.io_timeout);
    if read_before(&mut io, stream, idle_until, &mut len[..1]).ok()? == 0 {
        return None; // the client closed
    }
    let deadline = deadline_in(settings.tcp_deadline);
    read_exact_before(&mut io, stream, deadline, &mut len[1..]).ok()?;
    let mut msg = vec![0; usize::from(u16::from_be_bytes(len))];
    read_exact_before(&mut io, stream, deadline, &mut msg).ok()?;
    Some(msg)
}
