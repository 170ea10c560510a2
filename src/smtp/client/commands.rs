//! smtplib's other calls, one command at a time: EHLO, HELO, MAIL,
//! RCPT, DATA, RSET, NOOP (`docmd` is [`Client::command`]), and the
//! client's settings.
//!
//! [`Client::sendmail`] does a whole transaction by the session's rules;
//! these let a program (or a test) take each step itself, as smtplib's
//! `ehlo()`, `mail()` or `rset()` do.

use std::io::Write;
use std::time::Duration;

use super::{Client, Error};
use crate::smtp::command::Command;
use crate::smtp::data;
use crate::smtp::debug;
use crate::smtp::reply::Reply;
use crate::smtp::session::Stop;
use crate::smtp::step::Step;

impl Client {
    /// smtplib's `set_debuglevel`: 0 silences the debug lines, anything
    /// else lets them through again, to the writer given to
    /// [`connect_with_debug`](Self::connect_with_debug) (a library
    /// writes to no terminal of its own).
    pub fn set_debuglevel(&mut self, level: u8) {
        self.debug_on = level != 0;
    }

    /// Sends the debug lines to `out` from now on: smtplib's
    /// `set_debuglevel(1)` after `SMTP(host)`, with the place said (a
    /// library writes to no terminal of its own; smtplib's is stderr).
    pub fn set_debug_output(&mut self, out: impl Write + Send + 'static) {
        self.debug = Some(Box::new(out));
        self.debug_on = true;
    }

    /// The name given with EHLO/HELO; by default our address as an
    /// address literal (`[127.0.0.1]`).
    pub fn set_local_hostname(&mut self, name: &str) {
        self.session.name = name.to_owned();
    }

    /// The timeout for each reply, and for each write to make progress.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        let _ = self.stream().set_write_timeout(Some(timeout));
    }

    /// EHLO. On `250`, the extensions it lists are remembered.
    ///
    /// # Errors
    /// A failed exchange; a refusal is a reply, not an error.
    pub fn ehlo(&mut self) -> Result<Reply, Error> {
        let name = self.session.name.clone();
        let reply = self.command(Command::Ehlo(&name), Step::Hello)?;
        self.session.ehlo_answered(&reply);
        Ok(reply)
    }

    /// HELO, for servers that don't know EHLO.
    ///
    /// # Errors
    /// A failed exchange; a refusal is a reply, not an error.
    pub fn helo(&mut self) -> Result<Reply, Error> {
        let name = self.session.name.clone();
        let reply = self.command(Command::Helo(&name), Step::Hello)?;
        self.session.helo_answered(&reply);
        Ok(reply)
    }

    /// EHLO, then HELO if EHLO was refused, unless one already
    /// succeeded (smtplib's `ehlo_or_helo_if_needed`).
    ///
    /// # Errors
    /// [`Stop::Hello`] when both are refused.
    pub fn ehlo_or_helo_if_needed(&mut self) -> Result<(), Error> {
        self.session.hello();
        self.run(&mut std::io::empty()).map(|_| ())
    }

    /// Did the server list extension `name` (any case) in its EHLO reply?
    pub fn has_extension(&self, name: &str) -> bool {
        self.extension(name).is_some()
    }

    /// The parameters of extension `name` (`"10240000"` for `SIZE
    /// 10240000`), if the server listed it.
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.session.extension(name)
    }

    /// `MAIL FROM:<sender>`, with `size=` if given (for a server that
    /// lists SIZE, RFC 1870).
    ///
    /// # Errors
    /// A failed exchange or an unsafe argument.
    pub fn mail(
        &mut self,
        sender: &str,
        size: Option<u64>,
    ) -> Result<Reply, Error> {
        let from = sender;
        self.command(Command::Mail { from, size }, Step::Mail)
    }

    /// `RCPT TO:<recipient>`.
    ///
    /// # Errors
    /// A failed exchange or an unsafe argument.
    pub fn rcpt(&mut self, recipient: &str) -> Result<Reply, Error> {
        self.command(Command::Rcpt(recipient), Step::Rcpt)
    }

    /// DATA, then, after `354`, the message (line ends made CRLF, dots
    /// stuffed, the final dot added). Returns the reply to the final dot.
    ///
    /// # Errors
    /// [`Error::Message`] before anything is sent for a message SMTP
    /// can't carry; [`Stop::Data`] if DATA is not answered by 354;
    /// a failed exchange.
    pub fn data(&mut self, message: &[u8]) -> Result<Reply, Error> {
        let size = data::check(message).map_err(Error::Message)?;
        let reply = self.command(Command::Data, Step::Data)?;
        self.debug(|| debug::data_line(&reply));
        if reply.code != 354 {
            return Err(Error::Refused(Stop::Data(reply)));
        }
        self.send_message(&mut &message[..], size)?;
        let reply = self.read_reply(Step::FinalDot)?;
        self.debug(|| debug::data_line(&reply));
        Ok(reply)
    }

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

    /// Whether `sendmail` pipelines: the server listed PIPELINING in its
    /// EHLO reply (RFC 2920 §3), and [`set_pipelining`](Self::set_pipelining)
    /// did not turn it off.
    pub fn pipelines(&self) -> bool {
        self.session.pipelines()
    }

    /// `false` makes `sendmail` send one command per round trip even to
    /// a server that offers PIPELINING, as smtplib does (its debug lines
    /// then match smtplib's in order too). On by default.
    pub fn set_pipelining(&mut self, on: bool) {
        self.session.pipelining = on;
    }
}
