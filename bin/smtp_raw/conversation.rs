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
//! as well as 5xx), and sends the message with CRLF line ends and
//! stuffed dots. From the library it takes only the pure pieces: the
//! line reader, the reply parser ([`read_reply`] puts the two together),
//! command formatting and the DATA encoder. The client of the next
//! chapter, which does all of this for us, is not used here.
//!
//! The tour runs this same file (`bin/tour/smtp.rs` includes it).

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use inet::deadline::DeadlineReader;
use inet::escape::escape;
use inet::line::{LineReader, strip_terminator};
use inet::smtp::command::{Command, address_literal};
use inet::smtp::data;
use inet::smtp::mailfile::MailFile;
use inet::smtp::read::{ReadError, read_reply};
use inet::smtp::reply::{Kind, MAX_REPLY_LINE, Reply};
use inet::smtp::step::{OUTCOME_UNKNOWN, Step};

// The program's exit statuses, which the tour shares by including
// `mail_args.rs` beside this file as the program does.
use super::mail_args::{TRANSIENT, exit, exit_status};

/// Why the conversation stopped before the message was accepted.
enum Stop {
    /// The server answered, but not with what we needed.
    Refused(Step, Reply),
    /// No usable answer: the connection closed or broke, the reply was
    /// garbled, or it never came.
    Failed(Step, String),
}

/// One connection, read reply by reply against a deadline, and shown
/// on `out` as `-->` and `<--` lines.
struct Session<'s, W: Write> {
    replies: LineReader<DeadlineReader<&'s TcpStream>>,
    timeout: Duration,
    out: W,
}

// ANCHOR: by_hand
/// Sends `mail` and prints the conversation on `out`; returns the exit
/// status (0: the server accepted the message).
pub fn run(mail: &MailFile, timeout: Duration, mut out: impl Write) -> u8 {
    let _ = writeln!(out, "{}", mail.sending_line());
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
    let outcome = session.converse(mail);
    session.finish(outcome)
}

impl<W: Write> Session<'_, W> {
    /// The whole exchange, up to the reply to the final dot.
    fn converse(&mut self, mail: &MailFile) -> Result<Reply, Stop> {
        self.expect(Step::Greeting, |r| r.code == 220)?;
        // No domain name to give: our address (RFC 5321 §4.1.3).
        let name = match self.stream().local_addr() {
            Ok(addr) => address_literal(addr.ip()),
            Err(_) => "[127.0.0.1]".to_owned(),
        };
        let hello = self.command(Command::Ehlo(&name), Step::Hello)?;
        if hello.kind() != Kind::Positive {
            // An old server that doesn't know EHLO may know HELO; a
            // closing one won't hear it.
            if hello.is_closing() {
                return Err(Stop::Refused(Step::Hello, hello));
            }
            let helo = self.command(Command::Helo(&name), Step::Hello)?;
            accept(Step::Hello, helo, |r| r.kind() == Kind::Positive)?;
        }
        let from = &mail.sender;
        let mail_from = Command::Mail { from, params: &[] };
        let reply = self.command(mail_from, Step::Mail)?;
        accept(Step::Mail, reply, |r| r.code == 250)?;
        let to = &mail.recipient;
        let reply =
            self.command(Command::Rcpt { to, params: &[] }, Step::Rcpt)?;
        accept(Step::Rcpt, reply, |r| r.code == 250 || r.code == 251)?;
        let reply = self.command(Command::Data, Step::Data)?;
        accept(Step::Data, reply, |r| r.code == 354)?;
        let message = with_headers(mail);
        let encoded = data::encode(&message)
            .map_err(|e| Stop::Failed(Step::Data, e.to_string()))?;
        self.send(&encoded.wire, Step::Data)?;
        self.expect(Step::FinalDot, |r| r.code == 250)
    }
    // ANCHOR_END: by_hand

    /// Sends a command and reads its reply. The verb goes in capitals,
    /// as inet_03 and RFC 5321's examples write it (verbs are
    /// case-insensitive, §2.4).
    fn command(
        &mut self,
        command: Command<'_>,
        step: Step,
    ) -> Result<Reply, Stop> {
        let mut line = command
            .to_bytes()
            .map_err(|e| Stop::Failed(step, e.to_string()))?;
        let verb = line.iter().position(|&b| b == b' ' || b == b'\r');
        line[..verb.unwrap_or(0)].make_ascii_uppercase();
        self.send(&line, step)?;
        self.reply(step)
    }

    /// Sends `bytes` and shows them as `--> [...]`, without the last CRLF.
    fn send(&mut self, bytes: &[u8], step: Step) -> Result<(), Stop> {
        let shown = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
        let shown: Vec<String> = shown
            .split(|&b| b == b'\n')
            .map(|l| escape(strip_cr(l)))
            .collect();
        let _ = writeln!(self.out, "--> [{}]", shown.join("\n"));
        self.stream().write_all(bytes).map_err(|e| {
            let why = format!("connection lost while sending: {e}");
            Stop::Failed(step, why)
        })
    }

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

    /// Reads a reply that must satisfy `ok`.
    fn expect(
        &mut self,
        step: Step,
        ok: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, Stop> {
        let reply = self.reply(step)?;
        accept(step, reply, ok)
    }

    /// QUIT (unless the server said 421, or the connection is gone), the
    /// result line, and the exit status.
    fn finish(mut self, outcome: Result<Reply, Stop>) -> u8 {
        let (status, why) = match outcome {
            Ok(reply) => {
                if let Err(stop) = self.quit() {
                    let why = match stop {
                        Stop::Failed(_, why) => why,
                        Stop::Refused(_, reply) => reply.to_string(),
                    };
                    let _ = writeln!(self.out, "Warning: QUIT failed: {why}");
                }
                (0, format!("message accepted: {reply}"))
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

    /// The connection, to write to and shut down.
    fn stream(&self) -> &TcpStream {
        self.replies.get_ref().get_ref()
    }

    fn quit(&mut self) -> Result<Reply, Stop> {
        let reply = self.command(Command::Quit, Step::Quit)?;
        accept(Step::Quit, reply, |r| r.kind() == Kind::Positive)
    }
}

fn accept(
    step: Step,
    reply: Reply,
    ok: impl Fn(&Reply) -> bool,
) -> Result<Reply, Stop> {
    match ok(&reply) {
        true => Ok(reply),
        false => Err(Stop::Refused(step, reply)),
    }
}

/// The exit status for a stop at `step` (QUIT is never one).
fn stage(step: Step) -> u8 {
    exit_status(step).unwrap_or(exit::DATA)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Prints the result line; returns `status`.
fn result(out: &mut impl Write, status: u8, text: &str) -> u8 {
    let _ = writeln!(out, "Result: {text}");
    status
}

// ANCHOR: with_headers
/// The message with `From:` and `To:` header lines in front, for each of
/// them its header section lacks (inet_03 always adds both, even when the
/// file has them already).
fn with_headers(mail: &MailFile) -> Vec<u8> {
    let named = |line: &[u8], name: &[u8]| {
        line.get(..name.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(name))
    };
    let (mut from, mut to) = (false, false);
    // The header section ends at the first empty line.
    let header = data::lines(&mail.message).take_while(|l| !l.is_empty());
    for line in header {
        from |= named(line, b"from:");
        to |= named(line, b"to:");
    }
    let mut out = Vec::new();
    if !from {
        out.extend_from_slice(format!("From: {}\r\n", mail.sender).as_bytes());
    }
    if !to {
        out.extend_from_slice(format!("To: {}\r\n", mail.recipient).as_bytes());
    }
    out.extend_from_slice(&mail.message);
    out
}
// ANCHOR_END: with_headers
