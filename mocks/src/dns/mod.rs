//! A mock DNS server: answers A, AAAA, PTR and CNAME questions from a
//! table, over UDP and TCP on one port of `127.0.0.1`, and misbehaves on
//! request.
//!
//! # What a DNS server does
//!
//! A client sends a *query*: a 12-byte header (an ID it chose, flags such
//! as RD, "recursion desired") and one *question*: a name, a type (A for
//! an IPv4 address, AAAA for IPv6, PTR for the name of an address, CNAME
//! for an alias) and a class (IN, the Internet). The server sends back a
//! *response* with the same ID, the question copied back, a response code
//! (RCODE) and records in the *answer* section (RFC 1035 §4.1).
//!
//! ```text
//! client (port 40000)                     mock (port 5353)
//!   | -- id=0x1234 RD  example.test A  ---->  |   one UDP datagram
//!   | <- id=0x1234 QR AA RD RA NOERROR -----  |
//!   |    example.test A  (question, echoed)   |
//!   |    example.test A 192.0.2.7  (answer)   |
//! ```
//!
//! What this mock answers, and why:
//!
//! * **A / AAAA** from [`Builder::record`]. Every address also gets a
//!   **PTR** under its reverse name (`7.2.0.192.in-addr.arpa`, or 32
//!   nibbles under `ip6.arpa` for IPv6; RFC 1035 §3.5, RFC 3596 §2.5), so
//!   reverse lookups work without extra set-up, as in CoreDNS's `hosts`.
//! * **CNAME** from [`Builder::cname`]: the answer holds the CNAME record,
//!   then the target's records, as a real server would (RFC 1034 §4.3.2).
//! * Names compare **without regard to case** (RFC 4343), and the trailing
//!   dot is optional; but the question is echoed **exactly** as asked, so a
//!   client that checks the echo (0x20 mixed case, matrix row D13) can.
//! * An unknown name gets **NXDOMAIN** (RCODE 3). A known name without a
//!   record of the asked type gets NOERROR and no answers: "no data"
//!   (RFC 2308 §2.2). [`Builder::rcode_for`] scripts NXDOMAIN, SERVFAIL or
//!   REFUSED for a name.
//! * Flags: QR=1 (a response), AA=1 (the mock is the authority for its
//!   table), RA=1, RD and OPCODE copied from the query. Owner names in the
//!   answer are compressed into pointers back to the question (`0xC00C`,
//!   RFC 1035 §4.1.4).
//! * **UDP** answers are at most 512 bytes (RFC 1035 §4.2.1; the mock
//!   ignores the EDNS OPT record `dig` sends, so it never promises more).
//!   A bigger answer is sent as an empty one with **TC=1**, "truncated",
//!   and the client asks again over **TCP**, where each message is
//!   preceded by its length in 2 bytes (RFC 1035 §4.2.2). TCP listens on the
//!   same port number as UDP, as a client expects.
//! * A query with zero or several questions gets FORMERR. A packet that
//!   is itself a response (QR=1), or that does not parse, gets **nothing**
//!   (matrix row D19): answering responses is how two servers end up
//!   bouncing packets between them forever (RUSTSEC-2023-0041).
//! * At most [`MAX_ANSWERS`] records go into one answer, and name
//!   compression uses a hash map, so no table makes an answer expensive
//!   (matrix row D20).
//!
//! Faults, for the client's tests ([`Builder`]): drop or delay the first
//! N queries (D16), answer every UDP query with TC=1 (D9), and send a
//! decoy reply with a wrong ID or a wrong question before the real one
//! (D10). Every query received is logged as a [`Question`], and
//! [`DnsMock::wait_for_questions`] waits for them without sleeping.
//!
//! The mock has its own message codec, `wire` (private), written apart
//! from `inet::dns` so that one bug cannot hide on both sides of a test.
//!
//! # API summary
//!
//! * [`DnsMock::builder`] → [`Builder`]: records ([`record`](Builder::record),
//!   [`cname`](Builder::cname), [`ptr`](Builder::ptr),
//!   [`hosts`](Builder::hosts)), [`rcode_for`](Builder::rcode_for), faults
//!   ([`drop_first`](Builder::drop_first), [`delay_first`](Builder::delay_first),
//!   [`delay_all`](Builder::delay_all), [`truncate_udp`](Builder::truncate_udp),
//!   [`wrong_id_first`](Builder::wrong_id_first),
//!   [`wrong_question_first`](Builder::wrong_question_first)), then
//!   [`start`](Builder::start) → [`DnsMock`].
//! * [`DnsMock::addr`] (UDP and TCP), [`DnsMock::questions`],
//!   [`DnsMock::wait_for_questions`]; the server stops when dropped.
//! * [`Question`] (`transport`, `id`, `name`, `qtype`, `from`),
//!   [`Transport`], [`Rcode`], [`reverse_name`], the decoy data
//!   [`DECOY_V4`], [`DECOY_V6`], [`DECOY_NAME`].
//!
//! ```
//! use inet_mocks::dns::{DnsMock, Rcode};
//! use std::net::{Ipv4Addr, UdpSocket};
//! use std::time::Duration;
//!
//! let mock = DnsMock::builder()
//!     .record("example.test", Ipv4Addr::new(192, 0, 2, 7))
//!     .record("example.test", "2001:db8::1".parse::<std::net::IpAddr>()?)
//!     .cname("www.example.test", "example.test")
//!     .rcode_for("broken.test", Rcode::ServFail)
//!     .start()?;
//!
//! // A query for example.test A, by hand: header, then the question.
//! let mut query = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
//! query.extend_from_slice(b"\x07example\x04test\x00\x00\x01\x00\x01");
//! let socket = UdpSocket::bind("127.0.0.1:0")?;
//! socket.set_read_timeout(Some(Duration::from_secs(5)))?;
//! socket.send_to(&query, mock.addr())?;
//! let mut reply = [0; 512];
//! let n = socket.recv(&mut reply)?;
//! assert_eq!(&reply[..2], &[0x12, 0x34]); // the ID comes back
//! assert_eq!(&reply[n - 4..n], &[192, 0, 2, 7]); // the address is last
//! assert!(mock.wait_for_questions(1, Duration::from_secs(5)));
//! assert_eq!(mock.questions()[0].name, "example.test");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod wire;
mod zone;

pub use wire::reverse_name;
pub use zone::{MAX_ANSWERS, MAX_CNAME_HOPS};

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream,
    UdpSocket,
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;
use wire::{Incoming, Name, Query, Rdata, Writer};
use zone::Zone;

/// The read and write timeout of every TCP connection, unless
/// [`Builder::io_timeout`] says otherwise.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The TTL of every record, unless [`Builder::ttl`] says otherwise.
pub const DEFAULT_TTL: u32 = 300;

/// The address a decoy reply ([`Builder::wrong_id_first`],
/// [`Builder::wrong_question_first`]) gives for an A question. A client
/// that prints it was fooled. (TEST-NET-2, RFC 5737.)
pub const DECOY_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 66);
/// The decoy address for an AAAA question (documentation prefix, RFC 3849).
pub const DECOY_V6: Ipv6Addr =
    Ipv6Addr::new(0x2001, 0xdb8, 0xbad, 0, 0, 0, 0, 0x66);
/// The decoy name: the PTR of a decoy reply, and the question of a
/// wrong-question decoy. (`.invalid` never exists, RFC 6761 §6.4.)
pub const DECOY_NAME: &str = "decoy.invalid";

/// How many times `start` looks for a port free for both UDP and TCP.
const BIND_ATTEMPTS: usize = 8;
/// How often the UDP loop looks at the stop flag if nothing wakes it.
const UDP_POLL: Duration = Duration::from_millis(200);
/// A pause after a failed `recv` or `accept` (say, out of file
/// descriptors), so a lasting error does not become a busy loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(50);
/// The largest DNS message over UDP or TCP (a 16-bit length).
const MAX_MESSAGE: usize = 65_535;

/// How a query reached the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// A UDP datagram.
    Udp,
    /// A length-prefixed message on a TCP connection.
    Tcp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
        })
    }
}

/// A response code the mock can send (RFC 1035 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rcode {
    /// 0: no error (with or without records).
    NoError,
    /// 1: the server could not read the query.
    FormErr,
    /// 2: the server failed, try another.
    ServFail,
    /// 3: the name does not exist.
    NxDomain,
    /// 4: the server does not do this kind of query.
    NotImp,
    /// 5: the server will not answer (policy).
    Refused,
}

impl Rcode {
    /// The 4-bit RCODE value.
    pub fn code(self) -> u8 {
        match self {
            Self::NoError => 0,
            Self::FormErr => 1,
            Self::ServFail => 2,
            Self::NxDomain => 3,
            Self::NotImp => 4,
            Self::Refused => 5,
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoError => "NOERROR",
            Self::FormErr => "FORMERR",
            Self::ServFail => "SERVFAIL",
            Self::NxDomain => "NXDOMAIN",
            Self::NotImp => "NOTIMP",
            Self::Refused => "REFUSED",
        })
    }
}

/// One query the mock received, as logged in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// UDP or TCP.
    pub transport: Transport,
    /// The query's ID.
    pub id: u16,
    /// The name as asked, case kept, without the final dot (`.` for the
    /// root); bytes that are not printable ASCII appear as `\DDD`.
    pub name: String,
    /// QTYPE: 1 for A, 28 for AAAA, 12 for PTR, 5 for CNAME...
    pub qtype: u16,
    /// Where the query came from.
    pub from: SocketAddr,
}

impl fmt::Display for Question {
    /// `udp A example.test from 127.0.0.1:40000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.transport;
        let (name, from) = (&self.name, self.from);
        write!(f, "{t} {} {name} from {from}", type_name(self.qtype))
    }
}

/// The mnemonic of a record type, or `TYPEn` for the others (RFC 3597).
pub fn type_name(qtype: u16) -> String {
    match qtype {
        wire::TYPE_A => "A".into(),
        wire::TYPE_CNAME => "CNAME".into(),
        wire::TYPE_PTR => "PTR".into(),
        wire::TYPE_AAAA => "AAAA".into(),
        wire::TYPE_OPT => "OPT".into(),
        wire::TYPE_ANY => "ANY".into(),
        n => format!("TYPE{n}"),
    }
}

/// A function [`Builder::on_question`] calls for every query received.
type Observer = Box<dyn Fn(&Question) + Send + Sync>;

/// The scripted misbehaviour.
#[derive(Debug, Clone, Default)]
struct Faults {
    drop_first: usize,
    delay_first: usize,
    delay: Duration,
    truncate_udp: bool,
    wrong_id_first: bool,
    wrong_question_first: bool,
}

/// Sets up a [`DnsMock`]: its records, rcodes and faults.
///
/// Names are checked when added; the first bad one makes
/// [`start`](Self::start) fail with `InvalidInput` and a message naming
/// it, so a chain of calls stays a chain.
pub struct Builder {
    zone: Zone,
    error: Option<String>,
    faults: Faults,
    ttl: u32,
    port: u16,
    io_timeout: Duration,
    observer: Option<Observer>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("faults", &self.faults)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Builder {
    fn new() -> Self {
        Self {
            zone: Zone::default(),
            error: None,
            faults: Faults::default(),
            ttl: DEFAULT_TTL,
            port: 0,
            io_timeout: DEFAULT_IO_TIMEOUT,
            observer: None,
        }
    }

    /// Parses a name, remembering the first error for `start`.
    fn name(&mut self, text: &str) -> Option<Name> {
        match Name::parse(text) {
            Ok(name) => Some(name),
            Err(err) => {
                self.error.get_or_insert(format!("bad name: {err}"));
                None
            }
        }
    }

    /// Adds an A (IPv4) or AAAA (IPv6) record for `name`, and a PTR from
    /// the address back to `name` unless the address already has one.
    /// Call it again to give a name several addresses.
    pub fn record(mut self, name: &str, addr: impl Into<IpAddr>) -> Self {
        if let Some(name) = self.name(name) {
            self.zone.address(name, addr.into());
        }
        self
    }

    /// Makes `alias` a CNAME for `target`. `target` need not exist (the
    /// answer is then the CNAME and NXDOMAIN, as from a real server).
    pub fn cname(mut self, alias: &str, target: &str) -> Self {
        if let (Some(alias), Some(target)) =
            (self.name(alias), self.name(target))
        {
            self.zone.add(&alias, Rdata::Cname(target));
        }
        self
    }

    /// Adds a PTR from `addr` to `name`. The first explicit PTR for an
    /// address replaces the one [`record`](Self::record) made.
    pub fn ptr(mut self, addr: impl Into<IpAddr>, name: &str) -> Self {
        if let Some(name) = self.name(name) {
            self.zone.ptr(addr.into(), name);
        }
        self
    }

    /// Adds the records of a hosts file's text: `ADDRESS NAME [ALIAS...]`
    /// per line, `#` comments. Every name gets the address; the PTR goes
    /// to the first name of the first line with that address, as
    /// `gethostbyaddr` would report it.
    pub fn hosts(mut self, text: &str) -> Self {
        match zone::parse_hosts(text) {
            Ok(lines) => {
                for line in lines {
                    for name in &line.names {
                        self = self.record(name, line.addr);
                    }
                }
            }
            Err(err) => {
                self.error.get_or_insert(format!("hosts {err}"));
            }
        }
        self
    }

    /// Answers every question about `name` with `rcode` and no records
    /// (NXDOMAIN, SERVFAIL, REFUSED...), whatever records it has.
    pub fn rcode_for(mut self, name: &str, rcode: Rcode) -> Self {
        if let Some(name) = self.name(name) {
            self.zone.rcode(&name, rcode);
        }
        self
    }

    /// The TTL of every record (default [`DEFAULT_TTL`]).
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.ttl = seconds;
        self
    }

    /// Listens on this port instead of one the OS picks (for the
    /// standalone binary; tests keep the default 0).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The read and write timeout of TCP connections (default
    /// [`DEFAULT_IO_TIMEOUT`]): an idle connection is closed after it.
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.io_timeout = timeout;
        self
    }

    /// Calls `observer` with every query received, in arrival order
    /// (besides logging it). The standalone binary prints them this way.
    pub fn on_question(
        mut self,
        observer: impl Fn(&Question) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// Does not answer the first `n` queries at all (they are still
    /// logged), as if the packets were lost (matrix row D16).
    pub fn drop_first(mut self, n: usize) -> Self {
        self.faults.drop_first = n;
        self
    }

    /// Holds the answers to the first `n` queries back for `delay`. A
    /// delayed UDP answer does not hold up the others.
    pub fn delay_first(mut self, n: usize, delay: Duration) -> Self {
        self.faults.delay_first = n;
        self.faults.delay = delay;
        self
    }

    /// Holds every answer back for `delay`.
    pub fn delay_all(self, delay: Duration) -> Self {
        self.delay_first(usize::MAX, delay)
    }

    /// Answers every UDP query with TC=1 ("truncated") and no records,
    /// so the client must ask again over TCP, which gets the full answer
    /// (matrix row D9).
    pub fn truncate_udp(mut self) -> Self {
        self.faults.truncate_udp = true;
        self
    }

    /// Before each UDP answer, sends a decoy reply with the wrong ID (and
    /// the decoy data: [`DECOY_V4`], [`DECOY_V6`] or [`DECOY_NAME`]). A
    /// careful client ignores it and waits for the real one (matrix row
    /// D10, RFC 5452 §9.1).
    pub fn wrong_id_first(mut self) -> Self {
        self.faults.wrong_id_first = true;
        self
    }

    /// Before each UDP answer, sends a decoy reply with the right ID but
    /// the question [`DECOY_NAME`] (same type and class) and decoy data.
    /// A careful client ignores it too (matrix row D10).
    pub fn wrong_question_first(mut self) -> Self {
        self.faults.wrong_question_first = true;
        self
    }

    /// Binds UDP and TCP on one port of 127.0.0.1 and starts serving.
    /// The sockets are bound before this returns, so a client may send at
    /// once: no "wait until ready".
    ///
    /// # Errors
    /// `InvalidInput` for a bad name or hosts line given to the builder,
    /// or a zero `io_timeout`; the bind's error if no port is free for
    /// both UDP and TCP (or the `port` asked for is taken).
    pub fn start(self) -> io::Result<DnsMock> {
        if let Some(msg) = self.error {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        if self.io_timeout.is_zero() {
            let msg = "mock DNS I/O timeout must be positive";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        let (udp, tcp) = bind(self.port)?;
        let addr = udp.local_addr()?;
        udp.set_read_timeout(Some(UDP_POLL))?;
        udp.set_write_timeout(Some(self.io_timeout))?;
        let shared = Arc::new(Shared {
            zone: self.zone,
            faults: self.faults,
            ttl: self.ttl,
            io_timeout: self.io_timeout,
            log: Mutex::new(Vec::new()),
            logged: Condvar::new(),
            observer: self.observer,
            stopped: Mutex::new(false),
            stop: Condvar::new(),
            workers: Mutex::new(Vec::new()),
        });
        let udp = Arc::new(udp);
        let mut threads = Vec::new();
        let s = Arc::clone(&shared);
        threads.push(spawn("inet-mock-dns-udp", move || udp_loop(&udp, &s))?);
        let s = Arc::clone(&shared);
        threads
            .push(spawn("inet-mock-dns-tcp", move || accept_loop(&tcp, &s))?);
        Ok(DnsMock {
            addr,
            shared,
            threads,
        })
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

/// A running mock DNS server on `127.0.0.1`. Stops, joining its threads,
/// when dropped.
pub struct DnsMock {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl fmt::Debug for DnsMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DnsMock");
        out.field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl DnsMock {
    /// A builder for a mock with no records (every name is NXDOMAIN).
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The address to send queries to: UDP and TCP share it.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every query received so far, in arrival order, dropped ones
    /// included.
    pub fn questions(&self) -> Vec<Question> {
        self.shared.log().clone()
    }

    /// Waits until at least `n` queries have been received; false if
    /// `timeout` ran out first.
    pub fn wait_for_questions(&self, n: usize, timeout: Duration) -> bool {
        let log = self.shared.log();
        let waited =
            self.shared
                .logged
                .wait_timeout_while(log, timeout, |log| log.len() < n);
        let (log, _) = waited.unwrap_or_else(PoisonError::into_inner);
        log.len() >= n
    }

    /// Stops serving: closes the sockets and connections and joins every
    /// thread. `Drop` calls it; calling it again does nothing.
    pub fn stop(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        self.shared.set_stopped();
        // Neither a blocking `recv` nor `accept` can be cancelled in std:
        // wake each with a packet of its own. The loops see the flag and
        // end (the UDP loop would also see it within UDP_POLL).
        if let Ok(waker) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) {
            let _ = waker.send_to(&[], self.addr);
        }
        let _ = TcpStream::connect_timeout(&self.addr, self.shared.io_timeout);
        for thread in self.threads.drain(..) {
            join_quietly(thread);
        }
        let workers = std::mem::take(&mut *self.shared.workers());
        for worker in workers {
            if let Some(stream) = &worker.stream {
                let _ = stream.shutdown(Shutdown::Both);
            }
            join_quietly(worker.thread);
        }
    }
}

impl Drop for DnsMock {
    fn drop(&mut self) {
        self.stop();
    }
}

fn join_quietly(thread: JoinHandle<()>) {
    if thread.join().is_err() {
        eprintln!("inet-mocks: a DNS mock thread panicked");
    }
}

/// What the server's threads share.
struct Shared {
    zone: Zone,
    faults: Faults,
    ttl: u32,
    io_timeout: Duration,
    log: Mutex<Vec<Question>>,
    /// Notified when a question is logged.
    logged: Condvar,
    observer: Option<Observer>,
    stopped: Mutex<bool>,
    /// Notified when `stopped` becomes true, to cut delays short.
    stop: Condvar,
    /// TCP connections and delayed UDP answers still running.
    workers: Mutex<Vec<Worker>>,
}

/// A thread `stop` must join, with the connection it must close first.
struct Worker {
    thread: JoinHandle<()>,
    stream: Option<TcpStream>,
}

/// What to send back for one message: nothing, or replies in order,
/// after an optional delay.
struct Plan {
    delay: Option<Duration>,
    replies: Vec<Vec<u8>>,
}

/// Nothing here panics while holding a lock, but if something ever did,
/// the data would still be consistent: carry on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn log(&self) -> MutexGuard<'_, Vec<Question>> {
        lock(&self.log)
    }

    fn workers(&self) -> MutexGuard<'_, Vec<Worker>> {
        lock(&self.workers)
    }

    fn is_stopped(&self) -> bool {
        *lock(&self.stopped)
    }

    fn set_stopped(&self) {
        *lock(&self.stopped) = true;
        self.stop.notify_all();
    }

    /// Waits for `delay` unless the server stops first; true if the whole
    /// delay passed.
    fn sleep(&self, delay: Duration) -> bool {
        let stopped = lock(&self.stopped);
        let waited = self.stop.wait_timeout_while(stopped, delay, |s| !*s);
        let (stopped, _) = waited.unwrap_or_else(PoisonError::into_inner);
        !*stopped
    }

    /// Adds a worker, forgetting those that have finished.
    fn add_worker(&self, worker: Worker) {
        let mut workers = self.workers();
        workers.retain(|w| !w.thread.is_finished());
        workers.push(worker);
    }

    /// Logs a question; returns its index in arrival order.
    fn record(&self, question: Question) -> usize {
        let mut log = self.log();
        if let Some(observer) = &self.observer {
            observer(&question);
        }
        log.push(question);
        self.logged.notify_all();
        log.len() - 1
    }

    /// Decides the replies to one received message.
    fn respond(
        &self,
        msg: &[u8],
        transport: Transport,
        from: SocketAddr,
    ) -> Plan {
        let query = match wire::read(msg) {
            Incoming::Ignore => {
                return Plan {
                    delay: None,
                    replies: vec![],
                };
            }
            Incoming::FormErr { id, flags } => {
                let code = Rcode::FormErr.code();
                let reply =
                    Writer::new(id, flags & (wire::RD | 0x7800), code, None);
                return Plan {
                    delay: None,
                    replies: vec![reply.finish()],
                };
            }
            Incoming::Query(query) => query,
        };
        let index = self.record(Question {
            transport,
            id: query.id,
            name: wire::display(query.name),
            qtype: query.qtype,
            from,
        });
        let faults = &self.faults;
        if index < faults.drop_first {
            return Plan {
                delay: None,
                replies: vec![],
            };
        }
        let mut replies = Vec::new();
        if transport == Transport::Udp {
            if faults.wrong_id_first {
                replies.push(decoy(&query, query.id ^ 0x5A5A, query.question));
            }
            if faults.wrong_question_first {
                replies.push(decoy_question(&query));
            }
        }
        replies.push(self.answer(&query, transport));
        let delay = (index < faults.delay_first).then_some(faults.delay);
        Plan { delay, replies }
    }

    /// The real answer to a query.
    fn answer(&self, query: &Query<'_>, transport: Transport) -> Vec<u8> {
        let flags = reply_flags(query.flags);
        let question = Some(query.question);
        let refuse = |rcode: Rcode| {
            Writer::new(query.id, flags, rcode.code(), question).finish()
        };
        if query.opcode() != 0 {
            return refuse(Rcode::NotImp);
        }
        if query.qclass != wire::CLASS_IN && query.qclass != wire::CLASS_ANY {
            return refuse(Rcode::Refused);
        }
        let answer = self.zone.answer(query.name, query.qtype);
        let truncated = || {
            Writer::new(
                query.id,
                flags | wire::TC,
                answer.rcode.code(),
                question,
            )
            .finish()
        };
        if transport == Transport::Udp && self.faults.truncate_udp {
            return truncated();
        }
        let mut w = Writer::new(query.id, flags, answer.rcode.code(), question);
        for (owner, data) in &answer.records {
            w.answer(owner, self.ttl, data);
        }
        let message = w.finish();
        if transport == Transport::Udp && message.len() > wire::MAX_UDP_ANSWER {
            return truncated();
        }
        message
    }
}

/// The flags of an answer to a query with `flags`: RD and OPCODE copied,
/// AA and RA set (QR and RCODE are the writer's job).
fn reply_flags(flags: u16) -> u16 {
    (flags & (wire::RD | 0x7800)) | wire::AA | wire::RA
}

/// A decoy reply to `query`, with this ID and question entry.
fn decoy(query: &Query<'_>, id: u16, question: &[u8]) -> Vec<u8> {
    let mut w = Writer::new(id, reply_flags(query.flags), 0, Some(question));
    let owner = &question[..question.len() - 4];
    let decoy_name = || Name::parse(DECOY_NAME).expect("a valid name");
    let data = match query.qtype {
        wire::TYPE_A => Some(Rdata::A(DECOY_V4)),
        wire::TYPE_AAAA => Some(Rdata::Aaaa(DECOY_V6)),
        wire::TYPE_PTR => Some(Rdata::Ptr(decoy_name())),
        _ => None,
    };
    if let Some(data) = data {
        w.answer(owner, DEFAULT_TTL, &data);
    }
    w.finish()
}

/// A decoy with the right ID but the question `DECOY_NAME`.
fn decoy_question(query: &Query<'_>) -> Vec<u8> {
    let name = Name::parse(DECOY_NAME).expect("a valid name");
    let mut question = name.wire().to_vec();
    question.extend_from_slice(&query.question[query.name.len()..]);
    decoy(query, query.id, &question)
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Receives datagrams and answers them until the server stops.
fn udp_loop(socket: &Arc<UdpSocket>, shared: &Arc<Shared>) {
    // The largest datagram, so nothing is cut short unseen.
    let mut buf = vec![0; MAX_MESSAGE];
    while !shared.is_stopped() {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(err) if is_timeout(&err) => continue,
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
        match plan.delay {
            None => send_all(socket, &plan.replies, from),
            Some(delay) => {
                // On a thread of its own, so later queries are not held up.
                let (socket, s) = (Arc::clone(socket), Arc::clone(shared));
                let delayed = spawn("inet-mock-dns-delay", move || {
                    if s.sleep(delay) {
                        send_all(&socket, &plan.replies, from);
                    }
                });
                match delayed {
                    Ok(thread) => shared.add_worker(Worker {
                        thread,
                        stream: None,
                    }),
                    Err(err) => {
                        eprintln!("inet-mocks: no thread for a delay: {err}")
                    }
                }
            }
        }
    }
}

/// Sends each reply as a datagram. A failed send means the client is
/// gone, which is its business.
fn send_all(socket: &UdpSocket, replies: &[Vec<u8>], to: SocketAddr) {
    for reply in replies {
        let _ = socket.send_to(reply, to);
    }
}

/// Accepts TCP connections, one thread each, until the server stops.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        // Checked after `accept` returns: the connection that woke us may
        // be `stop`'s own.
        if shared.is_stopped() {
            return;
        }
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                eprintln!("inet-mocks: DNS accept failed: {err}");
                shared.sleep(ERROR_BACKOFF);
                continue;
            }
        };
        if let Err(err) = serve(stream, peer, shared) {
            eprintln!("inet-mocks: dropping DNS connection from {peer}: {err}");
        }
    }
}

fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    shared: &Arc<Shared>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(shared.io_timeout))?;
    stream.set_write_timeout(Some(shared.io_timeout))?;
    stream.set_nodelay(true)?;
    let second_handle = stream.try_clone()?;
    let s = Arc::clone(shared);
    let thread =
        spawn("inet-mock-dns-conn", move || tcp_conn(&stream, peer, &s))?;
    shared.add_worker(Worker {
        thread,
        stream: Some(second_handle),
    });
    Ok(())
}

/// Answers length-prefixed messages on one connection (RFC 1035 §4.2.2)
/// until the client closes it, goes quiet for the I/O timeout, or the
/// server stops.
fn tcp_conn(mut stream: &TcpStream, peer: SocketAddr, shared: &Shared) {
    let mut len = [0; 2];
    while stream.read_exact(&mut len).is_ok() {
        let mut msg = vec![0; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut msg).is_err() {
            return;
        }
        let plan = shared.respond(&msg, Transport::Tcp, peer);
        if let Some(delay) = plan.delay
            && !shared.sleep(delay)
        {
            return;
        }
        for reply in &plan.replies {
            let Ok(len) = u16::try_from(reply.len()) else {
                continue; // cannot happen: answers are capped well below
            };
            let mut framed = Vec::with_capacity(2 + reply.len());
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(reply);
            if stream.write_all(&framed).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
