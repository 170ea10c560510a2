//! The [`Builder`] that sets up a [`DnsMock`].

use super::reply::Config;
use super::server::{Observer, Server, Settings};
use super::wire::{Name, Rdata};
use super::zone;
use super::{
    DEFAULT_IO_TIMEOUT, DEFAULT_TCP_DEADLINE, DEFAULT_TTL, DnsMock, Question,
    Rcode,
};
use crate::server::DEFAULT_MAX_CONNECTIONS;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

/// Sets up a [`DnsMock`]: its records, rcodes and faults.
///
/// Names are checked when added; the first bad one makes
/// [`start`](Self::start) fail with `InvalidInput` and a message naming
/// it, so a chain of calls stays a chain.
pub struct Builder {
    config: Config,
    error: Option<String>,
    settings: Settings,
    observer: Option<Observer>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("faults", &self.config.faults)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Builder {
    pub(super) fn new() -> Self {
        Self {
            config: Config {
                ttl: DEFAULT_TTL,
                ..Config::default()
            },
            error: None,
            settings: Settings {
                port: 0,
                io_timeout: DEFAULT_IO_TIMEOUT,
                tcp_deadline: DEFAULT_TCP_DEADLINE,
                max_connections: DEFAULT_MAX_CONNECTIONS,
                log_limit: usize::MAX,
            },
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
            self.config.zone.address(name, addr.into());
        }
        self
    }

    /// Makes `alias` a CNAME for `target`. `target` need not exist (the
    /// answer is then the CNAME and NXDOMAIN, as from a real server).
    pub fn cname(mut self, alias: &str, target: &str) -> Self {
        if let (Some(alias), Some(target)) =
            (self.name(alias), self.name(target))
        {
            self.config.zone.add(&alias, Rdata::Cname(target));
        }
        self
    }

    /// Adds a PTR from `addr` to `name`. The first explicit PTR for an
    /// address replaces the one [`record`](Self::record) made.
    pub fn ptr(mut self, addr: impl Into<IpAddr>, name: &str) -> Self {
        if let Some(name) = self.name(name) {
            self.config.zone.ptr(addr.into(), name);
        }
        self
    }

    /// Adds the records of a hosts file's text: `ADDRESS NAME [ALIAS...]`
    /// per line, `#` comments. Every name gets the address; the PTR goes
    /// to the first name of the first line with that address, as
    /// `gethostbyaddr` would report it.
    pub fn hosts(mut self, text: &str) -> Self {
        for (n, line) in text.lines().enumerate() {
            self = self.hosts_line(n + 1, line);
        }
        self
    }

    /// Adds the records of one line of a hosts file, the `number`th
    /// (for the error message): [`hosts`](Self::hosts) a line at a time,
    /// for a file read a line at a time.
    pub fn hosts_line(mut self, number: usize, line: &str) -> Self {
        if self.error.is_some() {
            return self; // `start` fails anyway
        }
        match zone::parse_hosts_line(number, line) {
            Ok(Some(line)) => {
                for name in &line.names {
                    self = self.record(name, line.addr);
                }
            }
            Ok(None) => {}
            Err(err) => self.error = Some(format!("hosts {err}")),
        }
        self
    }

    /// Answers every question about `name` with `rcode` and no records
    /// (NXDOMAIN, SERVFAIL, REFUSED...), whatever records it has.
    pub fn rcode_for(mut self, name: &str, rcode: Rcode) -> Self {
        if let Some(name) = self.name(name) {
            self.config.zone.rcode(&name, rcode);
        }
        self
    }

    /// The TTL of every record (default [`DEFAULT_TTL`]).
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.config.ttl = seconds;
        self
    }

    /// Listens on this port instead of one the OS picks (for the
    /// standalone binary; tests keep the default 0).
    pub fn port(mut self, port: u16) -> Self {
        self.settings.port = port;
        self
    }

    /// The write timeout of TCP connections, and how long one may stay
    /// idle between messages before it is closed (default
    /// [`DEFAULT_IO_TIMEOUT`]).
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.settings.io_timeout = timeout;
        self
    }

    /// How long a TCP client has to send a whole message, from the first
    /// byte of its length prefix to the last of the message (default
    /// [`DEFAULT_TCP_DEADLINE`]); the connection is closed if it is late.
    pub fn tcp_deadline(mut self, deadline: Duration) -> Self {
        self.settings.tcp_deadline = deadline;
        self
    }

    /// Serves at most `max` TCP connections at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]); one more is closed at once, without
    /// a word (matrix row V1). UDP is not affected: it takes no
    /// connection and no thread per client.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.settings.max_connections = max;
        self
    }

    /// Keeps only the first `max` questions and the first `max` messages
    /// in the logs (default: all). A server that runs for long, under
    /// `dnsperf` say, should not keep every packet; questions are still
    /// counted for [`DnsMock::wait_for_questions`] and for the faults.
    pub fn log_limit(mut self, max: usize) -> Self {
        self.settings.log_limit = max;
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
        self.config.faults.drop_first = n;
        self
    }

    /// Holds the answers to the first `n` queries back for `delay`. A
    /// delayed UDP answer does not hold up the others.
    pub fn delay_first(mut self, n: usize, delay: Duration) -> Self {
        self.config.faults.delay_first = n;
        self.config.faults.delay = delay;
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
        self.config.faults.truncate_udp = true;
        self
    }

    /// Before each UDP answer, sends a decoy reply with the wrong ID (and
    /// the decoy data: [`DECOY_V4`](super::DECOY_V4), [`DECOY_V6`](super::DECOY_V6) or [`DECOY_NAME`](super::DECOY_NAME)). A
    /// careful client ignores it and waits for the real one (matrix row
    /// D10, RFC 5452 §9.1).
    pub fn wrong_id_first(mut self) -> Self {
        self.config.faults.wrong_id_first = true;
        self
    }

    /// Before each UDP answer, sends a decoy reply with the right ID but
    /// the question [`DECOY_NAME`](super::DECOY_NAME) (same type and class) and decoy data.
    /// A careful client ignores it too (matrix row D10).
    pub fn wrong_question_first(mut self) -> Self {
        self.config.faults.wrong_question_first = true;
        self
    }

    /// Before each UDP answer, sends a decoy reply with the right ID and
    /// question (and decoy data) from another port of 127.0.0.1, as an
    /// off-path attacker would. A careful client only accepts replies
    /// from the address it asked (matrix row D10, RFC 5452 §9.1).
    pub fn wrong_source_first(mut self) -> Self {
        self.config.faults.wrong_source_first = true;
        self
    }

    /// Binds UDP and TCP on one port of 127.0.0.1 and starts serving.
    /// The sockets are bound before this returns, so a client may send at
    /// once: no "wait until ready".
    ///
    /// # Errors
    /// `InvalidInput` for a bad name or hosts line given to the builder,
    /// a zero `io_timeout` or `max_connections`; the bind's error if no
    /// port is free for both UDP and TCP (or the `port` asked for is
    /// taken).
    pub fn start(self) -> io::Result<DnsMock> {
        if let Some(msg) = self.error {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        if self.settings.io_timeout.is_zero() {
            let msg = "mock DNS I/O timeout must be positive";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        let server = Server::start(self.config, self.settings, self.observer)?;
        Ok(DnsMock { server })
    }
}
