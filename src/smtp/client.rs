//! An SMTP client in the manner of Python's `smtplib.SMTP`.
//!
//! [`Client`] drives the exchange described in [`super`] over a
//! `TcpStream`: it formats commands with [`super::command`], frames
//! replies with the crate's [`LineReader`] and parses them with
//! [`super::reply`], and encodes the message with [`super::data`]. What
//! it adds is the socket, a deadline for every reply, and smtplib's rules
//! for what to do when the server says no:
//!
//! | Server's answer | smtplib | here |
//! |---|---|---|
//! | greeting not 220 | `SMTPConnectError` | [`Error::ConnectError`] |
//! | EHLO and HELO refused | `SMTPHeloError` | [`Error::HeloError`] |
//! | MAIL refused | RSET, `SMTPSenderRefused` | RSET, [`Error::SenderRefused`] |
//! | some RCPT refused | sends the message, returns them | the same: [`Refused`] |
//! | every RCPT refused | RSET, `SMTPRecipientsRefused` | RSET, [`Error::RecipientsRefused`] |
//! | DATA or the message refused | RSET, `SMTPDataError` | RSET, [`Error::DataError`] |
//! | 421 to anything | closes, no RSET (Python 3) | closes, no RSET |
//! | connection closed | `SMTPServerDisconnected` | [`Error::ServerDisconnected`] |
//!
//! Sending a command and reading its reply are separate steps
//! ([`Client::send_command`], [`Client::read_reply`]), and `sendmail`
//! uses them apart: when the server lists PIPELINING (RFC 2920), MAIL,
//! every RCPT and DATA go out in one write and the replies are read
//! afterwards, in order, each judged by the rules above. smtplib never
//! pipelines; [`Client::set_pipelining`] turns it off here too.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use super::command::{Command, CommandError};
use super::data::{self, DataError};
use super::debug;
use super::reply::{Collector, Kind, MAX_REPLY_LINE, Reply, ReplyError};
use super::step::{OUTCOME_UNKNOWN, Step};
use crate::deadline::DeadlineReader;
use crate::line::{LineError, LineReader};

/// The most commands written before their replies are read: a window
/// of a pipelined group (see `Client::pipeline`).
///
/// RFC 2920 §3.1: a client that blocks while it writes, as this one
/// does, "MUST also check the TCP window size and make sure that each
/// group of commands fits entirely within the window", or both ends can
/// block writing at once. std can't ask for the window, so we bound the
/// group instead: 100 lines of at most 512 octets (RFC 5321 §4.5.3.1.4),
/// 51,200 at worst and about 3,000 for usual addresses, and a reply to
/// each. The server stops reading our commands only when its replies
/// to them fill our receive buffer, and 100 replies don't. RFC 5321
/// §4.5.3.1.8 has servers take at least 100 recipients, so most
/// messages need one window.
pub const MAX_GROUP: usize = 100;

/// The recipients the server refused, each with its reply, in the order
/// they were given (smtplib returns the same as a dict).
pub type Refused = Vec<(String, Reply)>;

/// Why a command or a whole `sendmail` failed. The names follow
/// smtplib's exceptions (`SMTPConnectError` is [`Error::ConnectError`]).
#[derive(Debug)]
pub enum Error {
    /// The TCP connection could not be made (smtplib lets
    /// `socket.error` through).
    Connect {
        /// The server, as `host:port`.
        server: String,
        /// Why.
        cause: io::Error,
    },
    /// The greeting was not `220` (`SMTPConnectError`).
    ConnectError(Reply),
    /// The server refused both EHLO and HELO (`SMTPHeloError`).
    HeloError(Reply),
    /// The server refused the sender (`SMTPSenderRefused`).
    SenderRefused {
        /// The sender as given.
        sender: String,
        /// The server's reply.
        reply: Reply,
    },
    /// The server refused every recipient, or answered one with 421
    /// (`SMTPRecipientsRefused`).
    RecipientsRefused(Refused),
    /// The server refused DATA, or the message after its final dot
    /// (`SMTPDataError`).
    DataError {
        /// [`Step::Data`] or [`Step::FinalDot`].
        step: Step,
        /// The server's reply.
        reply: Reply,
    },
    /// The server closed the connection, or it broke, while we waited
    /// for a reply or sent a command (`SMTPServerDisconnected`).
    ServerDisconnected {
        /// What we were doing.
        step: Step,
        /// The socket error, if it was one rather than a clean close.
        cause: Option<io::Error>,
    },
    /// No complete reply within the timeout.
    Timeout {
        /// What we were waiting for.
        step: Step,
        /// The timeout.
        after: Duration,
    },
    /// The reply was not SMTP (`SMTPResponseException` in smtplib, for a
    /// line too long).
    Protocol {
        /// What we were waiting for.
        step: Step,
        /// What was wrong.
        error: ReplyError,
    },
    /// A command we refused to send (CR/LF injection, a path too long).
    /// Nothing was sent; the session is still usable.
    Command {
        /// The command's step.
        step: Step,
        /// Why.
        error: CommandError,
    },
    /// A message we refused to send. Nothing was sent.
    Message(DataError),
    /// `sendmail` was given no recipient. Nothing was sent.
    NoRecipients,
    /// The connection was closed already (after a 421, say).
    NotConnected,
}

impl Error {
    /// The step of the exchange the error happened at, if any.
    pub fn step(&self) -> Option<Step> {
        match self {
            Error::Connect { .. } => Some(Step::Connect),
            Error::ConnectError(_) => Some(Step::Greeting),
            Error::HeloError(_) => Some(Step::Hello),
            Error::SenderRefused { .. } => Some(Step::Mail),
            Error::RecipientsRefused(_) => Some(Step::Rcpt),
            Error::DataError { step, .. }
            | Error::ServerDisconnected { step, .. }
            | Error::Timeout { step, .. }
            | Error::Protocol { step, .. }
            | Error::Command { step, .. } => Some(*step),
            Error::Message(_) | Error::NoRecipients | Error::NotConnected => {
                None
            }
        }
    }

    /// True when the message was sent in full but no reply said what
    /// became of it: it may have been accepted, and sending it again
    /// could deliver it twice (RFC 5321 §4.5.3.2.6 asks servers to
    /// answer quickly for this reason).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::ServerDisconnected {
                step: Step::FinalDot,
                ..
            } | Error::Timeout {
                step: Step::FinalDot,
                ..
            } | Error::Protocol {
                step: Step::FinalDot,
                ..
            }
        )
    }

    /// True for a 4xx refusal: the server may accept later (RFC 5321
    /// §4.2.1). For refused recipients, true when all of them were 4xx.
    pub fn is_transient(&self) -> bool {
        let transient = |r: &Reply| r.kind() == Kind::Transient;
        match self {
            Error::ConnectError(r)
            | Error::HeloError(r)
            | Error::SenderRefused { reply: r, .. }
            | Error::DataError { reply: r, .. } => transient(r),
            Error::RecipientsRefused(all) => {
                !all.is_empty() && all.iter().all(|(_, r)| transient(r))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unknown = format_args!(
            "{OUTCOME_UNKNOWN}; sending it again could deliver it twice"
        );
        match self {
            Error::Connect { server, cause } => {
                write!(f, "cannot connect to {server}: {cause}")
            }
            Error::ConnectError(r) => {
                write!(f, "the server refused the session: {r}")
            }
            Error::HeloError(r) => {
                write!(f, "the server refused EHLO and HELO: {r}")
            }
            Error::SenderRefused { sender, reply } => {
                write!(f, "the server refused the sender {sender:?}: {reply}")
            }
            Error::RecipientsRefused(all) => {
                let each: Vec<String> =
                    all.iter().map(|(to, r)| format!("{to:?}: {r}")).collect();
                write!(
                    f,
                    "the server refused the recipients: {}",
                    each.join("; ")
                )
            }
            Error::DataError { step, reply } => match step {
                Step::Data => write!(f, "the server refused DATA: {reply}"),
                _ => write!(f, "the server refused the message: {reply}"),
            },
            Error::ServerDisconnected { step, cause } => {
                write!(f, "{CLOSED}")?;
                if let Some(cause) = cause {
                    write!(f, ": {cause}")?;
                }
                match step {
                    Step::FinalDot => {
                        write!(f, " after the message's final dot: {unknown}")
                    }
                    _ => write!(f, " (at {step})"),
                }
            }
            Error::Timeout { step, after } => {
                write!(f, "no reply to {step} within {after:?}")?;
                if *step == Step::FinalDot {
                    write!(f, ": {unknown}")?;
                }
                Ok(())
            }
            Error::Protocol { step, error } => {
                write!(f, "{error} (in the reply to {step})")?;
                if *step == Step::FinalDot {
                    write!(f, ": {unknown}")?;
                }
                Ok(())
            }
            Error::Command { step, error } => {
                write!(f, "{step} not sent: {error}")
            }
            Error::Message(e) => write!(f, "message not sent: {e}"),
            Error::NoRecipients => write!(f, "no recipient given"),
            Error::NotConnected => {
                write!(f, "not connected: the connection was closed")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Where debug lines go: nowhere, or any writer (`smtp-send --debug`
/// gives stderr).
type DebugOut = Option<Box<dyn Write + Send>>;

/// A connection to an SMTP server, after its greeting.
pub struct Client {
    /// The socket, read against a deadline that each reply restarts.
    replies: LineReader<DeadlineReader<TcpStream>>,
    open: bool,
    timeout: Duration,
    debug: DebugOut,
    local_hostname: String,
    /// The EHLO keywords (lower case) and their parameters; `None`
    /// until an EHLO succeeds (no ESMTP: no SIZE parameter).
    extensions: Option<Vec<(String, String)>>,
    greeted: bool,
    /// Pipeline when the server offers it (see [`Client::pipelines`]).
    pipelining: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("open", &self.open)
            .field("timeout", &self.timeout)
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `host:port` and reads the greeting. `timeout` bounds
    /// the connection and then each reply.
    ///
    /// # Errors
    /// [`Error::Connect`], [`Error::ConnectError`] (the greeting is not
    /// 220: the connection is closed), or a greeting that never came.
    pub fn connect(
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<Client, Error> {
        Client::connect_with_debug(host, port, timeout, None)
    }

    /// [`connect`](Self::connect), printing smtplib's debug lines to
    /// `debug` from the start, `connect:` lines included (as smtplib does
    /// when `set_debuglevel` comes before `connect`).
    ///
    /// # Errors
    /// As for [`connect`](Self::connect).
    pub fn connect_with_debug(
        host: &str,
        port: u16,
        timeout: Duration,
        mut debug: DebugOut,
    ) -> Result<Client, Error> {
        // smtplib prints it twice: in connect() and in _get_socket().
        write_debug(&mut debug, || debug::connect_line(host, port).repeat(2));
        let stream = open(host, port, timeout)?;
        let local_hostname = address_literal(&stream);
        // No reply is awaited yet: each read_reply gives its own budget.
        let wire = DeadlineReader::new(stream, Duration::ZERO);
        let replies = LineReader::new(wire, MAX_REPLY_LINE);
        let mut client = Client {
            replies,
            open: true,
            timeout,
            debug,
            local_hostname,
            extensions: None,
            greeted: false,
            pipelining: true,
        };
        let greeting = client.read_reply(Step::Greeting)?;
        client.debug(|| debug::greeting_line(&greeting.message()));
        if greeting.code != 220 {
            client.close();
            return Err(Error::ConnectError(greeting));
        }
        Ok(client)
    }

    /// smtplib's `set_debuglevel`: 0 is quiet, anything else prints the
    /// debug lines on stderr (issue 5 asks for this smtplib call by name).
    pub fn set_debuglevel(&mut self, level: u8) {
        self.debug = match level {
            0 => None,
            _ => Some(Box::new(io::stderr())),
        };
    }

    /// The name given with EHLO/HELO; by default [`address_literal`].
    pub fn set_local_hostname(&mut self, name: &str) {
        self.local_hostname = name.to_owned();
    }

    /// The timeout for each reply.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        let _ = self.stream().set_write_timeout(Some(timeout));
    }

    /// False once the connection is closed: after QUIT, a 421, a timeout
    /// or a broken reply.
    pub fn is_connected(&self) -> bool {
        self.open
    }

    // ANCHOR: command_and_reply
    /// Sends one command line. Nothing is sent if it is unsafe.
    ///
    /// # Errors
    /// [`Error::Command`] (nothing sent), or a broken connection.
    pub fn send_command(
        &mut self,
        command: Command<'_>,
        step: Step,
    ) -> Result<(), Error> {
        let line = format_command(command, step)?;
        self.send(&line, step)
    }

    /// Reads one whole reply, however many lines, within the timeout.
    /// A 421 reply closes the connection (RFC 5321 §3.8: the server is
    /// going away), and is returned for the caller to judge.
    ///
    /// # Errors
    /// A clean or abrupt close, a timeout, a malformed or overlong line:
    /// in each case the connection is closed, as we can't know where the
    /// next reply would start.
    pub fn read_reply(&mut self, step: Step) -> Result<Reply, Error> {
        if !self.open {
            return Err(Error::NotConnected);
        }
        self.replies.get_mut().restart(self.timeout);
        let result = read_reply(&mut self.replies, |raw| {
            write_debug(&mut self.debug, || debug::reply_line(raw));
        });
        let reply = result.map_err(|e| {
            self.close();
            e.at(step, self.timeout)
        })?;
        self.debug(|| debug::retcode_line(reply.code, &reply.message()));
        if reply.is_closing() {
            self.close();
        }
        Ok(reply)
    }
    // ANCHOR_END: command_and_reply

    /// Sends a command and reads its reply (smtplib's `docmd`).
    ///
    /// # Errors
    /// As for [`send_command`](Self::send_command) and
    /// [`read_reply`](Self::read_reply).
    pub fn command(
        &mut self,
        command: Command<'_>,
        step: Step,
    ) -> Result<Reply, Error> {
        self.send_command(command, step)?;
        self.read_reply(step)
    }

    /// EHLO. On `250`, the extensions it lists are remembered.
    ///
    /// # Errors
    /// A failed exchange; a refusal is a reply, not an error.
    pub fn ehlo(&mut self) -> Result<Reply, Error> {
        self.extensions = None;
        let name = self.local_hostname.clone();
        let reply = self.command(Command::Ehlo(&name), Step::Hello)?;
        if reply.code == 250 {
            self.greeted = true;
            self.extensions = Some(extensions(&reply));
        }
        Ok(reply)
    }

    /// HELO, for servers that don't know EHLO.
    ///
    /// # Errors
    /// A failed exchange; a refusal is a reply, not an error.
    pub fn helo(&mut self) -> Result<Reply, Error> {
        let name = self.local_hostname.clone();
        let reply = self.command(Command::Helo(&name), Step::Hello)?;
        self.greeted |= reply.kind() == Kind::Positive;
        Ok(reply)
    }

    /// EHLO, then HELO if EHLO was refused, unless one already
    /// succeeded (smtplib's `ehlo_or_helo_if_needed`).
    ///
    /// # Errors
    /// [`Error::HeloError`] when both are refused.
    pub fn ehlo_or_helo_if_needed(&mut self) -> Result<(), Error> {
        if self.greeted {
            return Ok(());
        }
        let ehlo = self.ehlo()?;
        if ehlo.kind() == Kind::Positive {
            return Ok(());
        }
        // An old server that doesn't know EHLO may know HELO; a closing
        // one won't hear it.
        if ehlo.is_closing() {
            return Err(Error::HeloError(ehlo));
        }
        let helo = self.helo()?;
        match helo.kind() {
            Kind::Positive => Ok(()),
            _ => Err(Error::HeloError(helo)),
        }
    }

    /// Did the server list extension `name` (any case) in its EHLO reply?
    pub fn has_extension(&self, name: &str) -> bool {
        self.extension(name).is_some()
    }

    /// The parameters of extension `name` (`"10240000"` for `SIZE
    /// 10240000`), if the server listed it.
    pub fn extension(&self, name: &str) -> Option<&str> {
        let mut found = self.extensions.as_ref()?.iter();
        let (_, params) = found.find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        Some(params)
    }

    /// `MAIL FROM:<sender> params`.
    ///
    /// # Errors
    /// A failed exchange or an unsafe argument.
    pub fn mail(
        &mut self,
        sender: &str,
        params: &[String],
    ) -> Result<Reply, Error> {
        let from = sender;
        self.command(Command::Mail { from, params }, Step::Mail)
    }

    /// `RCPT TO:<recipient> params`.
    ///
    /// # Errors
    /// A failed exchange or an unsafe argument.
    pub fn rcpt(
        &mut self,
        recipient: &str,
        params: &[String],
    ) -> Result<Reply, Error> {
        let to = recipient;
        self.command(Command::Rcpt { to, params }, Step::Rcpt)
    }

    // ANCHOR: data
    /// DATA, then, after `354`, the message (line ends made CRLF, dots
    /// stuffed, the final dot added). Returns the reply to the final dot.
    ///
    /// # Errors
    /// [`Error::Message`] before anything is sent for a message SMTP
    /// can't carry; [`Error::DataError`] if DATA is not answered by 354;
    /// a failed exchange.
    pub fn data(&mut self, message: &[u8]) -> Result<Reply, Error> {
        let encoded = data::encode(message).map_err(Error::Message)?;
        self.send_data(&encoded.wire)
    }

    /// DATA, then, after `354`, `wire`: a message [`data::encode`]d.
    fn send_data(&mut self, wire: &[u8]) -> Result<Reply, Error> {
        self.data_command()?;
        self.send_message(wire)
    }

    /// DATA on its own; an error unless the server says `354`.
    fn data_command(&mut self) -> Result<(), Error> {
        let reply = self.command(Command::Data, Step::Data)?;
        self.judge_data(reply)
    }

    /// The reply to DATA: `354` goes on; anything else is a
    /// [`Error::DataError`].
    fn judge_data(&mut self, reply: Reply) -> Result<(), Error> {
        self.debug(|| debug::data_line(reply.code, &reply.message()));
        if reply.code == 354 {
            return Ok(());
        }
        let step = Step::Data;
        Err(Error::DataError { step, reply })
    }

    /// After `354`: the message, then the reply to its final dot.
    fn send_message(&mut self, wire: &[u8]) -> Result<Reply, Error> {
        // A message not sent in full can't have been accepted: a failure
        // here belongs to DATA, not to the unknown after the final dot.
        self.send(wire, Step::Data)?;
        let reply = self.read_reply(Step::FinalDot)?;
        self.debug(|| debug::data_line(reply.code, &reply.message()));
        Ok(reply)
    }
    // ANCHOR_END: data

    /// RSET: forget the current transaction.
    ///
    /// # Errors
    /// A failed exchange.
    pub fn rset(&mut self) -> Result<Reply, Error> {
        self.command(Command::Rset, Step::Rset)
    }

    /// NOOP: is the server still there?
    ///
    /// # Errors
    /// A failed exchange.
    pub fn noop(&mut self) -> Result<Reply, Error> {
        self.command(Command::Noop, Step::Noop)
    }

    /// QUIT, then close the connection whatever the answer.
    ///
    /// # Errors
    /// A failed exchange (the connection is closed anyway).
    pub fn quit(&mut self) -> Result<Reply, Error> {
        let result = self.command(Command::Quit, Step::Quit);
        self.close();
        result
    }

    /// Closes the connection without QUIT.
    pub fn close(&mut self) {
        if self.open {
            let _ = self.stream().shutdown(Shutdown::Both);
            self.open = false;
        }
    }

    // ANCHOR: sendmail
    /// A whole transaction, with smtplib's semantics: EHLO/HELO if not
    /// done yet, MAIL (with `size=` when the server has SIZE), RCPT for
    /// each recipient, DATA and the message. Returns the recipients the
    /// server refused, if it accepted at least one.
    ///
    /// When the server lists PIPELINING, MAIL, every RCPT and DATA go out
    /// in one write and their replies are read afterwards, in order
    /// (`pipelined_envelope`); otherwise one
    /// command per round trip, as smtplib does. The outcome is the same.
    ///
    /// # Errors
    /// [`Error::SenderRefused`], [`Error::RecipientsRefused`] (all of
    /// them, or one with 421), [`Error::DataError`]; each after RSET,
    /// except after a 421, which closes the connection. Also every
    /// failure of the exchange itself.
    pub fn sendmail(
        &mut self,
        sender: &str,
        recipients: &[&str],
        message: &[u8],
    ) -> Result<Refused, Error> {
        if recipients.is_empty() {
            return Err(Error::NoRecipients);
        }
        // Encoded first, so that nothing starts for a message we refuse.
        let encoded = data::encode(message).map_err(Error::Message)?;
        self.ehlo_or_helo_if_needed()?;
        let mut params = Vec::new();
        if self.has_extension("size") {
            params.push(format!("size={}", encoded.size));
        }
        // Every command line is formatted, and so checked, before the
        // first is sent: an unsafe address leaves no transaction half
        // open, pipelined or not.
        let lines = envelope_lines(sender, &params, recipients)?;
        let envelope = if self.pipelines() {
            self.pipelined_envelope(sender, lines, recipients)
        } else {
            self.envelope(sender, &lines, recipients)
                .and_then(|refused| self.data_command().map(|()| refused))
        };
        let refused = match envelope {
            Err(e @ Error::DataError { .. }) => {
                self.rset_unless_closed();
                return Err(e);
            }
            other => other?,
        };
        let reply = self.send_message(&encoded.wire)?;
        if reply.code != 250 {
            self.rset_unless_closed();
            let step = Step::FinalDot;
            return Err(Error::DataError { step, reply });
        }
        Ok(refused)
    }

    /// MAIL and each RCPT (`lines`, from [`envelope_lines`]), one round
    /// trip each (smtplib's way). Returns the refused recipients when at
    /// least one was accepted.
    fn envelope(
        &mut self,
        sender: &str,
        lines: &[Line],
        recipients: &[&str],
    ) -> Result<Refused, Error> {
        let (mail, rcpts) = (&lines[0], &lines[1..]);
        let reply = self.exchange(mail)?;
        if reply.code != 250 {
            self.rset_unless_closed();
            return Err(sender_refused(sender, reply));
        }
        let mut refused = Refused::new();
        for (&recipient, rcpt) in recipients.iter().zip(rcpts) {
            let reply = self.exchange(rcpt)?;
            if !judge_rcpt(&mut refused, recipient, reply) {
                return Err(Error::RecipientsRefused(refused));
            }
        }
        if refused.len() == recipients.len() {
            self.rset_unless_closed();
            return Err(Error::RecipientsRefused(refused));
        }
        Ok(refused)
    }
    // ANCHOR_END: sendmail

    /// Whether `sendmail` pipelines: the server listed PIPELINING in its
    /// EHLO reply (RFC 2920 §3), and [`set_pipelining`](Self::set_pipelining)
    /// did not turn it off.
    pub fn pipelines(&self) -> bool {
        self.pipelining && self.has_extension("pipelining")
    }

    /// `false` makes `sendmail` send one command per round trip even to
    /// a server that offers PIPELINING, as smtplib does (its debug lines
    /// then match smtplib's in order too). On by default.
    pub fn set_pipelining(&mut self, on: bool) {
        self.pipelining = on;
    }

    // ANCHOR: pipelined
    /// MAIL, every RCPT (`group`, from [`envelope_lines`]) and DATA as
    /// one group (RFC 2920 §3.1: RCPT may stand anywhere in a group, DATA
    /// only last), then the replies, read in order and each judged as
    /// [`envelope`](Self::envelope) judges it. Returns the refused
    /// recipients once DATA got its `354`.
    ///
    /// RFC 2920 §3.1 also says the client "MUST check ALL statuses":
    /// the server answers every command of the group, whatever became of
    /// the earlier ones, so a refused MAIL or a refused RCPT does not
    /// stop us from reading the rest. That includes the trap
    /// ([`abandon_group`](Self::abandon_group)): every RCPT refused, and
    /// DATA answered `354` all the same.
    fn pipelined_envelope(
        &mut self,
        sender: &str,
        mut group: Vec<Line>,
        recipients: &[&str],
    ) -> Result<Refused, Error> {
        group.push((format_command(Command::Data, Step::Data)?, Step::Data));
        let (replies, failure) = self.pipeline(&group);
        // Short of replies only when reading failed, or after a 421.
        let failed = || failure.unwrap_or(Error::NotConnected);
        let data_reply = replies.get(recipients.len() + 1);
        let Some(mail) = replies.first() else {
            return Err(failed());
        };
        if mail.code != 250 {
            self.abandon_group(data_reply);
            return Err(sender_refused(sender, mail.clone()));
        }
        let mut refused = Refused::new();
        for (&recipient, reply) in recipients.iter().zip(&replies[1..]) {
            if !judge_rcpt(&mut refused, recipient, reply.clone()) {
                return Err(Error::RecipientsRefused(refused));
            }
        }
        if refused.len() == recipients.len() {
            self.abandon_group(data_reply);
            return Err(Error::RecipientsRefused(refused));
        }
        let Some(data) = data_reply else {
            return Err(failed());
        };
        self.judge_data(data.clone())?;
        Ok(refused)
    }

    /// Ends a pipelined group whose transaction failed: RSET, as smtplib
    /// does after a refusal, unless a 421 closed the connection.
    ///
    /// The trap first. With every RCPT refused, a server may still answer
    /// DATA with `354` (it had no reason to refuse DATA when it read it,
    /// or it answers in order without looking back), and it now reads
    /// message text. Were we to send RSET now, it would be taken as a
    /// line of the message. RFC 2920 §3.1: "if the DATA command was
    /// accepted the client SMTP should send a single dot": the lone dot
    /// ends an empty message, the server answers it (with no recipient,
    /// it delivers nothing), and only then comes RSET. Postfix's smtp
    /// client does the same; Exim notes "error for DATA ignored".
    fn abandon_group(&mut self, data_reply: Option<&Reply>) {
        if data_reply.is_some_and(|reply| reply.code == 354)
            && self.send(b".\r\n", Step::Data).is_ok()
        {
            // Whatever it says, no message was sent: nothing to report.
            let _ = self.read_reply(Step::Data);
        }
        self.rset_unless_closed();
    }
    // ANCHOR_END: pipelined

    /// Writes `group` and reads a reply to each command, in order.
    ///
    /// The group goes out in windows of at most [`MAX_GROUP`] commands,
    /// each in one write, its replies read before the next window is
    /// written. Without a bound, a long list of recipients could
    /// deadlock: the server blocked writing replies we don't read yet,
    /// we blocked writing commands it doesn't read any more.
    ///
    /// Returns the replies read and the error that stopped reading early,
    /// if any. A 421 reply also stops it: the server has gone.
    fn pipeline(&mut self, group: &[Line]) -> (Vec<Reply>, Option<Error>) {
        let mut replies = Vec::with_capacity(group.len());
        for window in group.chunks(MAX_GROUP) {
            let mut bytes = Vec::with_capacity(window.len() * 64);
            for (line, _) in window {
                self.debug(|| debug::send_line(line));
                bytes.extend_from_slice(line);
            }
            if let Err(e) = self.write(&bytes, window[0].1) {
                return (replies, Some(e));
            }
            for &(_, step) in window {
                match self.read_reply(step) {
                    Ok(reply) if reply.is_closing() => {
                        replies.push(reply);
                        return (replies, None);
                    }
                    Ok(reply) => replies.push(reply),
                    Err(e) => return (replies, Some(e)),
                }
            }
        }
        (replies, None)
    }

    /// RSET after a refusal, as smtplib does, unless a 421 already closed
    /// the connection. Its own failure changes nothing: the refusal is
    /// what the caller needs to hear about.
    fn rset_unless_closed(&mut self) {
        if self.open {
            let _ = self.rset();
        }
    }

    /// Sends a line [`envelope_lines`] formatted, and reads its reply.
    fn exchange(&mut self, (line, step): &Line) -> Result<Reply, Error> {
        self.send(line, *step)?;
        self.read_reply(*step)
    }

    fn send(&mut self, bytes: &[u8], step: Step) -> Result<(), Error> {
        if !self.open {
            return Err(Error::NotConnected);
        }
        self.debug(|| debug::send_line(bytes));
        self.write(bytes, step)
    }

    /// Writes `bytes` at once; a failure closes the connection.
    fn write(&mut self, bytes: &[u8], step: Step) -> Result<(), Error> {
        if !self.open {
            return Err(Error::NotConnected);
        }
        let mut stream = self.stream();
        if let Err(cause) = stream.write_all(bytes) {
            self.close();
            let cause = Some(cause);
            return Err(Error::ServerDisconnected { step, cause });
        }
        Ok(())
    }

    fn stream(&self) -> &TcpStream {
        self.replies.get_ref().get_ref()
    }

    fn debug(&mut self, text: impl FnOnce() -> String) {
        write_debug(&mut self.debug, text);
    }
}

/// Writes the debug line `text` builds, if debug lines are wanted. The
/// line is only built then: a `send:` line escapes the whole message,
/// and every reply would otherwise format lines nobody reads.
fn write_debug(out: &mut DebugOut, text: impl FnOnce() -> String) {
    if let Some(out) = out.as_mut() {
        let _ = out.write_all(text().as_bytes());
        let _ = out.flush();
    }
}

/// A command line, formatted (and so checked), with its step.
type Line = (Vec<u8>, Step);

/// `command` as the bytes to send; [`Error::Command`] if it is unsafe.
fn format_command(command: Command<'_>, step: Step) -> Result<Vec<u8>, Error> {
    command
        .to_bytes()
        .map_err(|error| Error::Command { step, error })
}

/// MAIL, then every RCPT, formatted once, before anything is sent: an
/// unsafe one is refused ([`Error::Command`]) with nothing half sent.
fn envelope_lines(
    sender: &str,
    params: &[String],
    recipients: &[&str],
) -> Result<Vec<Line>, Error> {
    let from = sender;
    let mail = (Command::Mail { from, params }, Step::Mail);
    let rcpts = recipients
        .iter()
        .map(|&to| (Command::Rcpt { to, params: &[] }, Step::Rcpt));
    std::iter::once(mail)
        .chain(rcpts)
        .map(|(command, step)| Ok((format_command(command, step)?, step)))
        .collect()
}

/// The error for a refused MAIL.
fn sender_refused(sender: &str, reply: Reply) -> Error {
    let sender = sender.to_owned();
    Error::SenderRefused { sender, reply }
}

/// Notes a refused recipient (anything but 250 and 251, as smtplib
/// judges). Returns false when the reply was a 421: the server has
/// closed, and the transaction ends here.
fn judge_rcpt(refused: &mut Refused, recipient: &str, reply: Reply) -> bool {
    let closing = reply.is_closing();
    if reply.code != 250 && reply.code != 251 {
        refused.push((recipient.to_owned(), reply));
    }
    !closing
}

/// Opens the TCP connection to the first address of `host` that
/// answers, with `timeout` for connecting and for each write (a server
/// that doesn't read must not block us forever).
///
/// # Errors
/// [`Error::Connect`] with the last address's error.
pub fn open(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, Error> {
    let failed = |cause| Error::Connect {
        server: format!("{host}:{port}"),
        cause,
    };
    let stream = crate::net::connect(host, port, timeout).map_err(failed)?;
    let _ = stream.set_write_timeout(Some(timeout));
    Ok(stream)
}

/// Our end's address as an EHLO name: `[127.0.0.1]`, `[IPv6:::1]`. RFC
/// 5321 §4.1.4 allows this address literal when there is no domain name
/// to give (smtplib does the same when it finds none).
pub fn address_literal(stream: &TcpStream) -> String {
    match stream.local_addr() {
        Ok(addr) if addr.is_ipv6() => format!("[IPv6:{}]", addr.ip()),
        Ok(addr) => format!("[{}]", addr.ip()),
        Err(_) => "[127.0.0.1]".to_owned(),
    }
}

/// The EHLO reply's extension lines (all but the first, which greets):
/// keyword in lower case, then its parameters (RFC 5321 §4.1.1.1).
fn extensions(reply: &Reply) -> Vec<(String, String)> {
    let lines = reply.lines.iter().skip(1);
    let parse = |line: &String| {
        let line = line.trim();
        let (keyword, params) = line.split_once(' ').unwrap_or((line, ""));
        (keyword.to_ascii_lowercase(), params.trim().to_owned())
    };
    lines.map(parse).filter(|(k, _)| !k.is_empty()).collect()
}

// ANCHOR: read_reply
/// Why [`read_reply`] returned no reply.
#[derive(Debug)]
pub enum ReadError {
    /// The stream ended (between lines, or in the middle of one).
    Closed,
    /// The stream broke.
    Io(io::Error),
    /// No complete reply in time.
    Timeout,
    /// Not an SMTP reply.
    Malformed(ReplyError),
}

/// Reads lines until they make one whole reply. `on_line` sees each raw
/// line, line end included (for smtplib's `reply: '...'` debug lines).
/// Sans-socket: `R` may be a `TcpStream` or a test's byte slice.
///
/// # Errors
/// See [`ReadError`].
pub fn read_reply<R: Read>(
    lines: &mut LineReader<R>,
    mut on_line: impl FnMut(&[u8]),
) -> Result<Reply, ReadError> {
    let mut collector = Collector::default();
    loop {
        let raw = match lines.read_raw_line() {
            Ok(Some(raw)) => raw,
            Ok(None) | Err(LineError::EofInLine { .. }) => {
                return Err(ReadError::Closed);
            }
            Err(LineError::Timeout) => return Err(ReadError::Timeout),
            Err(LineError::TooLong { max_len }) => {
                let error = ReplyError::LineTooLong(max_len);
                return Err(ReadError::Malformed(error));
            }
            Err(LineError::Io(e)) => return Err(ReadError::Io(e)),
        };
        on_line(raw);
        let line = crate::line::strip_terminator(raw);
        match collector.push(line) {
            Ok(Some(reply)) => return Ok(reply),
            Ok(None) => {}
            Err(error) => return Err(ReadError::Malformed(error)),
        }
    }
}
// ANCHOR_END: read_reply

/// smtplib's words when the server closed the connection (its
/// `SMTPServerDisconnected`), used by both programs.
const CLOSED: &str = "Connection unexpectedly closed";

/// The failure on its own, without the step: what `smtp-raw` prints
/// after `failed at <step>: `.
impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Closed => write!(f, "{CLOSED}"),
            ReadError::Io(e) => write!(f, "{CLOSED}: {e}"),
            ReadError::Timeout => write!(f, "no reply in time"),
            ReadError::Malformed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    /// The client's error for this failure at `step`.
    fn at(self, step: Step, after: Duration) -> Error {
        match self {
            ReadError::Closed => {
                Error::ServerDisconnected { step, cause: None }
            }
            ReadError::Io(e) => Error::ServerDisconnected {
                step,
                cause: Some(e),
            },
            ReadError::Timeout => Error::Timeout { step, after },
            ReadError::Malformed(error) => Error::Protocol { step, error },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies_of(wire: &[u8]) -> (Result<Reply, ReadError>, Vec<Vec<u8>>) {
        let mut lines = LineReader::new(wire, MAX_REPLY_LINE);
        let mut seen = Vec::new();
        let result = read_reply(&mut lines, |raw| seen.push(raw.to_vec()));
        (result, seen)
    }

    #[test]
    fn read_reply_reads_exactly_one_reply_and_shows_raw_lines() {
        let (reply, seen) = replies_of(b"250-a\r\n250 b\n220 next\r\n");
        let reply = reply.unwrap();
        assert_eq!((reply.code, reply.lines.len()), (250, 2));
        assert_eq!(seen, [b"250-a\r\n".to_vec(), b"250 b\n".to_vec()]);
    }

    #[test]
    fn read_reply_fails_at_once_on_a_close_or_a_bad_line() {
        assert!(matches!(replies_of(b"250-a\r\n").0, Err(ReadError::Closed)));
        assert!(matches!(
            replies_of(b"250-a\r\n25").0,
            Err(ReadError::Closed)
        ));
        let (bad, _) = replies_of(b"250-x\r\n550 y\r\n");
        assert!(matches!(bad, Err(ReadError::Malformed(_))));
        let long = [&b"250 "[..], &[b'x'; 600]].concat();
        let (bad, _) = replies_of(&long);
        let Err(ReadError::Malformed(ReplyError::LineTooLong(512))) = bad
        else {
            panic!("{bad:?}");
        };
    }

    #[test]
    fn read_errors_say_what_happened_without_the_step() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let text = ReadError::Io(reset).to_string();
        assert!(
            text.starts_with("Connection unexpectedly closed: "),
            "{text}"
        );
        let closed = ReadError::Closed.to_string();
        assert_eq!(closed, "Connection unexpectedly closed");
        let long = ReadError::Malformed(ReplyError::LineTooLong(512));
        assert_eq!(long.to_string(), ReplyError::LineTooLong(512).to_string());
    }

    #[test]
    fn a_reply_line_may_be_512_octets_with_its_crlf() {
        // RFC 5321 §4.5.3.1.5: "250 " + text + CRLF, at 511, 512, 513.
        for (text_len, ok) in [(505, true), (506, true), (507, false)] {
            let line = [&b"250 "[..], &vec![b'x'; text_len], b"\r\n"].concat();
            let (result, _) = replies_of(&line);
            assert_eq!(result.is_ok(), ok, "{} octets", line.len());
        }
    }

    #[test]
    fn extensions_are_keywords_with_parameters() {
        let lines = ["mock.test", "PIPELINING", "SIZE 10240000", "8BITMIME"];
        let reply = Reply {
            code: 250,
            lines: lines.iter().map(|&l| l.to_owned()).collect(),
        };
        let found = extensions(&reply);
        assert_eq!(found[1], ("size".to_owned(), "10240000".to_owned()));
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn errors_after_the_final_dot_say_the_outcome_is_unknown() {
        let step = Step::FinalDot;
        let closed = Error::ServerDisconnected { step, cause: None };
        assert!(closed.outcome_unknown());
        let text = closed.to_string();
        assert!(text.starts_with("Connection unexpectedly closed"), "{text}");
        assert!(text.contains("may or may not"), "{text}");
        let mail = Error::ServerDisconnected {
            step: Step::Mail,
            cause: None,
        };
        assert!(!mail.outcome_unknown());
        assert_eq!(
            mail.to_string(),
            "Connection unexpectedly closed (at MAIL FROM)"
        );
    }
}
