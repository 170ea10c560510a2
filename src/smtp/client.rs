//! An SMTP client in the manner of Python's `smtplib.SMTP`: the socket
//! driver of [`super::session`].
//!
//! [`Client`] moves bytes and does nothing else. It writes the command
//! lines the [`Session`] plans, writes the message (line ends made CRLF
//! and dots stuffed by [`super::data`]), reads each reply whole within a
//! deadline ([`super::read`]) and hands it to the session, and writes
//! smtplib's debug lines to a writer the program gives. What to do after
//! a refusal, and pipelining, are the session's rules. The errors keep
//! smtplib's names:
//!
//! | Server's answer | smtplib | here |
//! |---|---|---|
//! | greeting not 220 | `SMTPConnectError` | [`Stop::Greeting`] |
//! | EHLO and HELO refused | `SMTPHeloError` | [`Stop::Hello`] |
//! | MAIL refused | RSET, `SMTPSenderRefused` | RSET, [`Stop::Sender`] |
//! | some RCPT refused | sends the message, returns them | the same: [`Refused`] |
//! | every RCPT refused | RSET, `SMTPRecipientsRefused` | RSET, [`Stop::Recipients`] |
//! | DATA or the message refused | RSET, `SMTPDataError` | RSET, [`Stop::Data`], [`Stop::Message`] |
//! | 421 to anything | closes, no RSET (Python 3) | closes, no RSET |
//! | connection closed | `SMTPServerDisconnected` | [`Error::ServerDisconnected`] |
//!
//! A refusal comes as [`Error::Refused`] with the session's [`Stop`].
//!
//! smtplib never pipelines; [`Client::set_pipelining`] turns it off here
//! too. One command at a time works as well ([`Client::command`],
//! [`Client::ehlo`], [`Client::rset`]...), as smtplib's `docmd` does.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use super::command::{Command, address_literal};
use super::data::MAX_TEXT_LINE;
use super::data::{self, DataError};
use super::debug;
use super::read::{CLOSED, ReadError, read_reply};
use super::reply::{MAX_REPLY_LINE, Reply, ReplyError};
pub use super::session::Stop;
use super::session::{Line, Next, Session};
pub use super::session::{MAX_GROUP, Refused};
use super::step::{OUTCOME_UNKNOWN, Step};
use crate::blocking::{is_timeout, retry_interrupted};
use crate::deadline::reader::DeadlineReader;
use crate::line::LineReader;

mod commands;

/// How much of a message is read, and written, at a time.
const PIECE: usize = 64 * 1024;

/// Why a command or a whole `sendmail` failed: the session's [`Stop`]
/// (the server said no, or we refused to send), or what went wrong with
/// the connection itself.
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
    /// The server refused something, or we refused to send it; the
    /// connection went fine. smtplib's exceptions, by name, in [`Stop`].
    Refused(Stop),
    /// The server closed the connection, or it broke, while we waited
    /// for a reply or sent a command (`SMTPServerDisconnected`).
    ServerDisconnected {
        /// What we were doing.
        step: Step,
        /// The socket error, if it was one rather than a clean close.
        cause: Option<io::Error>,
    },
    /// Writing made no progress for the timeout: the server stopped
    /// reading what we send.
    StoppedReading {
        /// What we were sending.
        step: Step,
        /// The timeout.
        after: Duration,
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
    /// A message we refused to send. Nothing of it was delivered: the
    /// check comes before anything is sent, or, for a message read as it
    /// is sent, the connection is closed before its final dot.
    Message(DataError),
    /// Reading the message failed while it was being sent; the
    /// connection was closed before its final dot.
    Source(io::Error),
    /// The connection was closed already (after a 421, say).
    NotConnected,
}

impl Error {
    /// The step of the exchange the error happened at, if any.
    pub fn step(&self) -> Option<Step> {
        match self {
            Error::Connect { .. } => Some(Step::Connect),
            Error::Refused(stop) => stop.step(),
            Error::ServerDisconnected { step, .. }
            | Error::StoppedReading { step, .. }
            | Error::Timeout { step, .. }
            | Error::Protocol { step, .. } => Some(*step),
            Error::Message(_) | Error::Source(_) | Error::NotConnected => None,
        }
    }

    /// True when the message was sent in full but no reply said what
    /// became of it: it may have been accepted, and sending it again
    /// could deliver it twice (RFC 5321 §4.5.3.2.6 asks servers to
    /// answer quickly for this reason).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::ServerDisconnected { step, .. }
            | Error::Timeout { step, .. }
            | Error::Protocol { step, .. } => *step == Step::FinalDot,
            _ => false,
        }
    }

    /// True for a 4xx refusal: the server may accept later (RFC 5321
    /// §4.2.1).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Refused(stop) if stop.is_transient())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect { server, cause } => {
                write!(f, "cannot connect to {server}: {cause}")?;
            }
            Error::Refused(stop) => write!(f, "{stop}")?,
            Error::ServerDisconnected { step, cause } => {
                write!(f, "{CLOSED}")?;
                if let Some(cause) = cause {
                    write!(f, ": {cause}")?;
                }
                match step {
                    Step::FinalDot => {
                        write!(f, " after the message's final dot")?
                    }
                    _ => write!(f, " (at {step})")?,
                }
            }
            Error::StoppedReading { step, after } => write!(
                f,
                "the server stopped reading: no progress sending for \
                 {after:?} (at {step})"
            )?,
            Error::Timeout { step, after } => {
                write!(f, "no reply to {step} within {after:?}")?;
            }
            Error::Protocol { step, error } => {
                write!(f, "{error} (in the reply to {step})")?;
            }
            Error::Message(e) => write!(f, "message not sent: {e}")?,
            Error::Source(e) => write!(
                f,
                "reading the message failed: {e}; the connection was \
                 closed before its final dot, so the server keeps nothing"
            )?,
            Error::NotConnected => {
                write!(f, "not connected: the connection was closed")?;
            }
        }
        if self.outcome_unknown() {
            let again = "sending it again could deliver it twice";
            write!(f, ": {OUTCOME_UNKNOWN}; {again}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Where debug lines go: nowhere, or the writer the program gave
/// (`smtp-send --debug` gives stderr).
type DebugOut = Option<Box<dyn Write + Send>>;

/// A connection to an SMTP server, after its greeting.
pub struct Client {
    /// The socket, read against a deadline that each reply restarts.
    replies: LineReader<DeadlineReader<TcpStream>>,
    open: bool,
    timeout: Duration,
    debug: DebugOut,
    /// [`Client::set_debuglevel`]: 0 silences `debug`.
    debug_on: bool,
    /// The rules: EHLO's extensions, the message being sent.
    session: Session,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("open", &self.open)
            .field("timeout", &self.timeout)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `host:port` and reads the greeting. `timeout` bounds
    /// the connection and then each reply.
    ///
    /// # Errors
    /// [`Error::Connect`], [`Stop::Greeting`] (the greeting is not 220:
    /// the connection is closed), or a greeting that never came.
    pub fn connect(
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<Client, Error> {
        Client::connect_with_debug(host, port, timeout, None)
    }

    /// [`connect`](Self::connect), writing smtplib's debug lines to
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
        let stream =
            crate::net::connect(host, port, timeout).map_err(|cause| {
                let server = format!("{host}:{port}");
                Error::Connect { server, cause }
            })?;
        // A server that stops reading must not block us forever.
        let _ = stream.set_write_timeout(Some(timeout));
        // No domain name to give: our address (RFC 5321 §4.1.3).
        let name = stream.local_addr().map(|addr| address_literal(addr.ip()));
        let name = name.unwrap_or_else(|_| "[127.0.0.1]".to_owned());
        // No reply is awaited yet: each read_reply gives its own budget.
        let wire = DeadlineReader::new(stream, Duration::ZERO);
        let mut client = Client {
            replies: LineReader::new(wire, MAX_REPLY_LINE),
            open: true,
            timeout,
            debug,
            debug_on: true,
            session: Session::new(&name),
        };
        let greeting = client.read_reply(Step::Greeting)?;
        client.debug(|| debug::greeting_line(&greeting));
        if let Err(stop) = Session::greeting(greeting) {
            client.close();
            return Err(Error::Refused(stop));
        }
        Ok(client)
    }

    /// False once the connection is closed: after QUIT, a 421, a timeout
    /// or a broken reply.
    pub fn is_connected(&self) -> bool {
        self.open
    }

    /// Sends one command line. Nothing is sent if it is unsafe.
    ///
    /// # Errors
    /// [`Stop::Command`] (nothing sent), or a broken connection.
    pub fn send_command(
        &mut self,
        command: Command<'_>,
        step: Step,
    ) -> Result<(), Error> {
        let line = command
            .to_bytes()
            .map_err(|error| Error::Refused(Stop::Command { step, error }))?;
        self.send(&[Line { bytes: line, step }])
    }

    // ANCHOR: read_reply
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
        let (debug, on) = (&mut self.debug, self.debug_on);
        let result = read_reply(&mut self.replies, |raw| {
            if on {
                write_debug(debug, || debug::reply_line(raw));
            }
        });
        let reply = result.map_err(|e| {
            self.close();
            read_failed(e, step, self.timeout)
        })?;
        self.debug(|| debug::retcode_line(&reply));
        if reply.is_closing() {
            self.close();
        }
        Ok(reply)
    }
    // ANCHOR_END: read_reply

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

    /// A whole transaction, with smtplib's semantics (see
    /// [`super::session`]): EHLO/HELO if not done yet, MAIL (with `size=`
    /// when the server has SIZE), RCPT for each recipient, DATA and the
    /// message. Returns the recipients the server refused, if it
    /// accepted at least one.
    ///
    /// # Errors
    /// [`Error::Refused`] with [`Stop::Sender`], [`Stop::Recipients`]
    /// (all of them, or one with 421), [`Stop::Data`] or
    /// [`Stop::Message`]; each after RSET, except after a 421, which
    /// closes the connection. Also every failure of the exchange itself.
    pub fn sendmail(
        &mut self,
        sender: &str,
        recipients: &[&str],
        message: &[u8],
    ) -> Result<Refused, Error> {
        // Checked first, so that nothing starts for a message we refuse.
        let size = data::check(message).map_err(Error::Message)?;
        self.sendmail_from_reader(sender, recipients, message, size)
    }

    /// [`sendmail`](Self::sendmail) for a message read as it is sent
    /// (from a file, say), a piece at a time: it is never held whole.
    /// `size` is its size as RFC 1870 counts it, for `SIZE=`, from a
    /// check made beforehand ([`data::check`], or [`data::Lines`] for a
    /// message read in pieces).
    ///
    /// # Errors
    /// As for [`sendmail`](Self::sendmail); also [`Error::Source`] when
    /// reading fails or the message read is not of `size`, and
    /// [`Error::Message`] for a line too long found only then (the
    /// message changed since its check). Each closes the connection
    /// before the final dot: the server keeps nothing.
    pub fn sendmail_from_reader(
        &mut self,
        sender: &str,
        recipients: &[&str],
        mut message: impl Read,
        size: u64,
    ) -> Result<Refused, Error> {
        self.session.sendmail(sender, recipients, size);
        self.run(&mut message)
    }

    // ANCHOR: run
    /// Does what the session asks until it is done. A failure while
    /// it only cleans up (RSET after a refusal) changes nothing: the
    /// refusal is what the caller needs to hear about.
    fn run(&mut self, message: &mut dyn Read) -> Result<Refused, Error> {
        loop {
            let done = match self.session.poll() {
                Next::Send(lines) => self.send(&lines),
                Next::Read(step) => self.read_for_session(step),
                Next::Message { size } => self.send_message(message, size),
                Next::Done(outcome) => {
                    return outcome.map_err(Error::Refused);
                }
            };
            if let Err(e) = done {
                return match self.session.decided() {
                    Some(outcome) => outcome.map_err(Error::Refused),
                    None => Err(e),
                };
            }
        }
    }
    // ANCHOR_END: run

    /// Reads a reply the session waits for, and hands it over.
    fn read_for_session(&mut self, step: Step) -> Result<(), Error> {
        let reply = self.read_reply(step)?;
        // smtplib shows a `data:` line for the replies to DATA and the
        // final dot it acts on: not for a DATA the session only reads
        // because it was pipelined with a transaction already refused.
        let data = matches!(step, Step::Data | Step::FinalDot);
        if data && self.session.decided().is_none() {
            self.debug(|| debug::data_line(&reply));
        }
        self.session.receive(reply);
        Ok(())
    }

    /// Writes `lines` at once, each shown as a `send:` debug line.
    fn send(&mut self, lines: &[Line]) -> Result<(), Error> {
        let mut bytes = Vec::new();
        for line in lines {
            self.debug(|| debug::send_line(&line.bytes));
            bytes.extend_from_slice(&line.bytes);
        }
        self.write(&bytes, lines.first().map_or(Step::Data, |l| l.step))
    }

    // ANCHOR: send_message
    /// After `354`: the message, read a piece at a time and encoded as
    /// it goes, then its final dot, if it was `size` octets. A message
    /// not sent in full can't have been accepted: a failure here belongs
    /// to DATA, not to the unknown after the final dot.
    fn send_message(
        &mut self,
        message: &mut dyn Read,
        size: u64,
    ) -> Result<(), Error> {
        let mut lines = data::Lines::default();
        let mut piece = vec![0; PIECE];
        let mut wire = Vec::with_capacity(PIECE + MAX_TEXT_LINE);
        loop {
            let read = retry_interrupted(|| message.read(&mut piece));
            let n = read.map_err(|e| self.abort(Error::Source(e)))?;
            if n == 0 {
                break;
            }
            let encode = |line: &[u8]| data::encode_line(line, &mut wire);
            let pushed = lines.push(&piece[..n], encode);
            pushed.map_err(|e| self.abort(Error::Message(e)))?;
            if wire.len() >= PIECE {
                self.write_message(&wire)?;
                wire.clear();
            }
        }
        let encode = |line: &[u8]| data::encode_line(line, &mut wire);
        let read = lines.finish(encode);
        if read.map_err(|e| self.abort(Error::Message(e)))? != size {
            let changed = io::Error::other("its size changed since its check");
            return Err(self.abort(Error::Source(changed)));
        }
        wire.extend_from_slice(data::END);
        self.write_message(&wire)
    }
    // ANCHOR_END: send_message

    /// Writes a part of the message, shown as a `send:` debug line.
    fn write_message(&mut self, wire: &[u8]) -> Result<(), Error> {
        self.debug(|| debug::send_line(wire));
        self.write(wire, Step::Data)
    }

    /// Drops a message that can't be sent whole: the connection closes
    /// before its final dot, and the server keeps nothing of it (RFC
    /// 5321 §4.1.1.4: only the final dot makes it the server's).
    fn abort(&mut self, error: Error) -> Error {
        self.close();
        error
    }

    /// Writes `bytes`; a failure closes the connection.
    fn write(&mut self, bytes: &[u8], step: Step) -> Result<(), Error> {
        if !self.open {
            return Err(Error::NotConnected);
        }
        let mut stream = self.stream();
        let Err(cause) = stream.write_all(bytes) else {
            return Ok(());
        };
        self.close();
        // A write that times out did not fail: it made no progress, as
        // the server no longer reads (each write may wait `timeout`).
        Err(match is_timeout(&cause) {
            true => Error::StoppedReading {
                step,
                after: self.timeout,
            },
            false => Error::ServerDisconnected {
                step,
                cause: Some(cause),
            },
        })
    }

    fn stream(&self) -> &TcpStream {
        self.replies.get_ref().get_ref()
    }

    fn debug(&mut self, text: impl FnOnce() -> String) {
        if self.debug_on {
            write_debug(&mut self.debug, text);
        }
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

/// The client's error for a reply that did not come at `step`.
fn read_failed(e: ReadError, step: Step, after: Duration) -> Error {
    match e {
        ReadError::Closed => Error::ServerDisconnected { step, cause: None },
        ReadError::Io(e) => Error::ServerDisconnected {
            step,
            cause: Some(e),
        },
        ReadError::Timeout => Error::Timeout { step, after },
        ReadError::Malformed(error) => Error::Protocol { step, error },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
