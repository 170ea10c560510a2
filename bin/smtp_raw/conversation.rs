//! SMTP by hand (inet_03): the conversation `smtp-raw` has with the
//! server, every command written and every reply read right here.
//!
//! It speaks the protocol over a `TcpStream`, command by command, and
//! prints the conversation the way inet_03 does:
//!
//! ```text
//! <-- [220 mock.test ESMTP inet-mocks]
//! --> [EHLO [127.0.0.1]]
//! <-- [250-mock.test
//! 250-PIPELINING
//! 250 SIZE 10240000]
//! --> [MAIL FROM:<me@example.test>]
//! <-- [250 2.1.0 Ok]
//! ```
//!
//! Unlike inet_03 it reads the greeting before saying anything (so each
//! reply is printed after the command it answers), reads every reply
//! whole (lines, not one `recv(1000)`), stops at the first refusal (4xx
//! as well as 5xx), does not send a message larger than the server's
//! SIZE, and sends the message with CRLF line ends and stuffed dots,
//! read from its file a piece at a time as it goes. From the library it
//! takes only the pure pieces: the line reader, the reply parser
//! ([`read_reply`] puts the two together), command formatting and the
//! DATA encoder. The client of the next chapter, which does all of this
//! for us, is not used here.
//!
//! The tour runs this same file (`bin/tour/smtp.rs` includes it).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use inet::blocking::{is_timeout, retry_interrupted};
use inet::deadline::reader::DeadlineReader;
use inet::escape::escape;
use inet::line::{LineReader, strip_terminator};
use inet::smtp::command::{Command, address_literal};
use inet::smtp::data::{self, Lines};
use inet::smtp::mailfile::Envelope;
use inet::smtp::read::{ReadError, read_reply};
use inet::smtp::reply::{Kind, MAX_REPLY_LINE, Reply};
use inet::smtp::step::{OUTCOME_UNKNOWN, Step};

// The message file and the program's exit statuses, which the tour
// shares by including `mail_args.rs` beside this file as the program
// does.
use super::mail_args::{Message, TRANSIENT, exit, exit_status, sending_line};

/// How much of the message is read, and written, at a time.
const PIECE: usize = 64 * 1024;

/// Why the conversation stopped before the message was accepted.
enum Stop {
    /// The server answered, but not with what we needed.
    Refused(Step, Reply),
    /// The message is larger than the server takes (RFC 1870): not sent.
    TooBig(u64, u64),
    /// No usable answer: the connection closed or broke, the reply was
    /// garbled, or it never came.
    Failed(Step, String),
    /// The file could not be read to its end while being sent: the
    /// connection is dropped before the final dot, so the server keeps
    /// nothing of it.
    File(String),
}

/// One connection, read reply by reply against a deadline, and shown
/// on `out` as `-->` and `<--` lines.
struct Session<'s, W: Write> {
    replies: LineReader<DeadlineReader<&'s TcpStream>>,
    timeout: Duration,
    out: W,
}

// ANCHOR: run
/// Sends the message (`mail`, then `message`, which has the header
/// lines `headers` noted) and prints the conversation on `out`; returns
/// the exit status (0: the server accepted the message).
pub fn run(
    mail: &Envelope,
    message: Message,
    headers: &Headers,
    timeout: Duration,
    mut out: impl Write,
) -> u8 {
    let _ = writeln!(out, "{}", sending_line(mail));
    let stream = match inet::net::connect(&mail.server, mail.port, timeout) {
        Ok(stream) => stream,
        Err(e) => {
            let (server, port) = (&mail.server, mail.port);
            let why = format!("cannot connect to {server}:{port}: {e}");
            return result(&mut out, exit::CONNECT, &why);
        }
    };
    // A server that stops reading must not block us forever.
    let _ = stream.set_write_timeout(Some(timeout));
    let reader = DeadlineReader::new(&stream, timeout);
    let replies = LineReader::new(reader, MAX_REPLY_LINE);
    let mut session = Session {
        replies,
        timeout,
        out,
    };
    let outcome = session.converse(mail, message, headers);
    session.finish(outcome)
}
// ANCHOR_END: run

impl<W: Write> Session<'_, W> {
    // ANCHOR: converse
    /// The whole exchange, up to the reply to the final dot.
    fn converse(
        &mut self,
        mail: &Envelope,
        message: Message,
        headers: &Headers,
    ) -> Result<Reply, Stop> {
        self.expect(Step::Greeting, |r| r.code == 220)?;
        // No domain name to give: our address (RFC 5321 §4.1.3).
        let name = match self.stream().local_addr() {
            Ok(addr) => address_literal(addr.ip()),
            Err(_) => "[127.0.0.1]".to_owned(),
        };
        // Any reply will do here: a refused EHLO is judged just below.
        let hello =
            self.command(Command::Ehlo(&name), Step::Hello, |_| true)?;
        let limit = match hello.kind() {
            Kind::Positive => size_limit(&hello),
            _ => self.helo_instead(&name, hello)?,
        };
        let headers = headers.missing(mail);
        let size = message.size + headers.len() as u64;
        if let Some(limit) = limit.filter(|&limit| size > limit) {
            return Err(Stop::TooBig(size, limit));
        }
        let from = &mail.sender;
        let mail_from = Command::Mail { from, size: None };
        self.command(mail_from, Step::Mail, |r| r.code == 250)?;
        let rcpt_to = Command::Rcpt(&mail.recipient);
        self.command(rcpt_to, Step::Rcpt, |r| r.code == 250 || r.code == 251)?;
        self.command(Command::Data, Step::Data, |r| r.code == 354)?;
        self.send_message(headers.as_slice().chain(message.reader), size)?;
        self.expect(Step::FinalDot, |r| r.code == 250)
    }
    // ANCHOR_END: converse

    /// EHLO refused: HELO, for an old server that doesn't know EHLO (a
    /// closing one won't hear it). HELO lists no extension: no SIZE.
    fn helo_instead(
        &mut self,
        name: &str,
        ehlo: Reply,
    ) -> Result<Option<u64>, Stop> {
        if ehlo.is_closing() {
            return Err(Stop::Refused(Step::Hello, ehlo));
        }
        let positive = |r: &Reply| r.kind() == Kind::Positive;
        self.command(Command::Helo(name), Step::Hello, positive)?;
        Ok(None)
    }

    // ANCHOR: command
    /// Sends a command and reads its reply, which must satisfy `ok`. The
    /// verb goes in capitals, as inet_03 and RFC 5321's examples write it
    /// (verbs are case-insensitive, §2.4).
    fn command(
        &mut self,
        command: Command<'_>,
        step: Step,
        ok: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, Stop> {
        let mut line = command
            .to_bytes()
            .map_err(|e| Stop::Failed(step, e.to_string()))?;
        let verb = line.iter().position(|&b| b == b' ' || b == b'\r');
        line[..verb.unwrap_or(0)].make_ascii_uppercase();
        let _ = writeln!(self.out, "--> [{}]", escape(strip_terminator(&line)));
        self.write(&line, step)?;
        self.expect(step, ok)
    }
    // ANCHOR_END: command

    /// After `354`: the message, each line stuffed and shown as it goes,
    /// then the final dot, all as `--> [...]`.
    fn send_message(
        &mut self,
        message: impl Read,
        size: u64,
    ) -> Result<(), Stop> {
        let _ = write!(self.out, "--> [");
        let sent = self.stream_message(message, size);
        let end = if sent.is_ok() { ".]" } else { "]" };
        let _ = writeln!(self.out, "{end}");
        sent
    }

    // ANCHOR: stream_message
    /// The message read, encoded and written a piece at a time (a large
    /// file is never held whole), then its final dot. A file that changed
    /// since its check (its size differs) has the connection dropped
    /// before the final dot instead: the server keeps nothing of it.
    fn stream_message(
        &mut self,
        mut message: impl Read,
        size: u64,
    ) -> Result<(), Stop> {
        let (mut lines, mut piece) = (Lines::default(), vec![0; PIECE]);
        loop {
            let read = retry_interrupted(|| message.read(&mut piece));
            let n = read.map_err(|e| Stop::File(format!("reading it: {e}")))?;
            let (mut wire, out) = (Vec::new(), &mut self.out);
            let each = |line: &[u8]| encode_and_show(line, &mut wire, out);
            if n > 0 {
                lines.push(&piece[..n], each).map_err(changed)?;
            } else if lines.finish(each).map_err(changed)? == size {
                wire.extend_from_slice(data::END);
            } else {
                return Err(changed("its size differs"));
            }
            self.write(&wire, Step::Data)?;
            if n == 0 {
                return Ok(());
            }
        }
    }
    // ANCHOR_END: stream_message

    /// Writes `bytes`, in as many writes as it takes, each given the
    /// timeout to make progress.
    fn write(&mut self, bytes: &[u8], step: Step) -> Result<(), Stop> {
        self.stream().write_all(bytes).map_err(|e| {
            let why = match is_timeout(&e) {
                true => format!(
                    "the server stopped reading: no progress sending for {:?}",
                    self.timeout
                ),
                false => format!("connection lost while sending: {e}"),
            };
            Stop::Failed(step, why)
        })
    }
    // ANCHOR: reply
    /// Reads one whole reply within the timeout; shows it as `<-- [...]`.
    fn reply(&mut self, step: Step) -> Result<Reply, Stop> {
        self.replies.get_mut().restart(self.timeout);
        let mut shown = Vec::new();
        let result = read_reply(&mut self.replies, |raw| {
            shown.push(escape(strip_terminator(raw)));
        });
        if !shown.is_empty() {
            let _ = writeln!(self.out, "<-- [{}]", shown.join("\n"));
        }
        result.map_err(|e| {
            let why = match e {
                // We know how long we waited: say it.
                ReadError::Timeout => {
                    format!("no reply within {:?}", self.timeout)
                }
                e => e.to_string(),
            };
            Stop::Failed(step, why)
        })
    }

    // ANCHOR_END: reply

    /// Reads a reply that must satisfy `ok`.
    fn expect(
        &mut self,
        step: Step,
        ok: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, Stop> {
        let reply = self.reply(step)?;
        match ok(&reply) {
            true => Ok(reply),
            false => Err(Stop::Refused(step, reply)),
        }
    }

    // ANCHOR: finish
    /// QUIT (unless the server said 421, or the connection is gone), the
    /// result line, and the exit status.
    fn finish(mut self, outcome: Result<Reply, Stop>) -> u8 {
        let (status, why) = match outcome {
            Ok(reply) => {
                if let Err(stop) = self.quit() {
                    let why = match stop {
                        Stop::Refused(_, reply) => reply.to_string(),
                        Stop::Failed(_, why) | Stop::File(why) => why,
                        Stop::TooBig(..) => String::new(),
                    };
                    let _ = writeln!(self.out, "Warning: QUIT failed: {why}");
                }
                (0, format!("message accepted: {reply}"))
            }
            Err(Stop::TooBig(size, limit)) => {
                let _ = self.quit();
                let why = format!(
                    "not sent: the message is {size} octets; the server \
                     takes at most {limit} (its SIZE, RFC 1870)"
                );
                (exit::MAIL, why)
            }
            Err(Stop::File(why)) => {
                let why = format!(
                    "not sent: the message file: {why}; the connection was \
                     dropped before the final dot, so the server keeps nothing"
                );
                (exit::BAD_FILE, why)
            }
            Err(Stop::Refused(step, reply)) => {
                if !reply.is_closing() {
                    let _ = self.quit();
                }
                let kind = match reply.kind() {
                    Kind::Transient => TRANSIENT,
                    _ => "refused",
                };
                (stage(step), format!("{kind} at {step}: {reply}"))
            }
            Err(Stop::Failed(step, why)) => {
                if step == Step::FinalDot {
                    let why =
                        format!("{why} after the final dot: {OUTCOME_UNKNOWN}");
                    (exit::UNKNOWN, why)
                } else {
                    (stage(step), format!("failed at {step}: {why}"))
                }
            }
        };
        let _ = self.stream().shutdown(Shutdown::Both);
        result(&mut self.out, status, &why)
    }
    // ANCHOR_END: finish

    /// The connection, to write to and shut down.
    fn stream(&self) -> &TcpStream {
        self.replies.get_ref().get_ref()
    }

    fn quit(&mut self) -> Result<Reply, Stop> {
        let positive = |r: &Reply| r.kind() == Kind::Positive;
        self.command(Command::Quit, Step::Quit, positive)
    }
}

/// The exit status for a stop at `step` (QUIT is never one).
fn stage(step: Step) -> u8 {
    exit_status(step).unwrap_or(exit::DATA)
}

/// Prints the result line; returns `status`.
fn result(out: &mut impl Write, status: u8, text: &str) -> u8 {
    let _ = writeln!(out, "Result: {text}");
    status
}

// ANCHOR: with_headers
/// The `From:` and `To:` header lines a message has, noted line by line
/// as its file is checked. inet_03 puts both in front of the message,
/// even when the file has them already, and a message with two `From:`
/// lines is malformed: only those it lacks go in.
#[derive(Debug, Default)]
pub struct Headers {
    from: bool,
    to: bool,
    /// Past the header section: its first empty line has come.
    in_body: bool,
}

impl Headers {
    /// Notes one line of the message, without its line end.
    pub fn note(&mut self, line: &[u8]) {
        let named = |name: &[u8]| {
            let start = line.get(..name.len());
            start.is_some_and(|start| start.eq_ignore_ascii_case(name))
        };
        self.in_body |= line.is_empty();
        if !self.in_body {
            self.from |= named(b"from:");
            self.to |= named(b"to:");
        }
    }

    /// The header lines the message lacks, to go in front of it.
    fn missing(&self, mail: &Envelope) -> Vec<u8> {
        let mut headers = String::new();
        if !self.from {
            headers += &format!("From: {}\r\n", mail.sender);
        }
        if !self.to {
            headers += &format!("To: {}\r\n", mail.recipient);
        }
        headers.into_bytes()
    }
}
// ANCHOR_END: with_headers

/// The largest message the server takes, from its EHLO reply: the line
/// `SIZE 10240000` (RFC 1870 §3; `SIZE 0`, or no number, sets no limit).
fn size_limit(ehlo: &Reply) -> Option<u64> {
    let size = ehlo.lines.iter().skip(1).find_map(|line| {
        let (keyword, limit) = line.trim().split_once(' ')?;
        keyword.eq_ignore_ascii_case("size").then_some(limit)
    })?;
    size.trim().parse().ok().filter(|&limit| limit > 0)
}

/// One line of the message, stuffed into `wire` and shown on `out`.
fn encode_and_show(line: &[u8], wire: &mut Vec<u8>, out: &mut impl Write) {
    let start = wire.len();
    data::encode_line(line, wire);
    let _ = writeln!(out, "{}", escape(&wire[start..wire.len() - 2]));
}

/// The file changed since its check: a line too long, or another size.
fn changed(why: impl std::fmt::Display) -> Stop {
    Stop::File(format!("it changed since it was checked: {why}"))
}
