//! One SMTP session as a state machine, without any I/O: a command line
//! goes in, a [`Step`] (the reply, and what to do next) comes out. The
//! driver in `driver.rs` does the reading, writing and waiting.

use super::script::{DOT, GREETING, Script};
use super::wire::{MAX_RECIPIENTS, is_positive, parse_command, parse_path};
use super::{Ending, Message};
use std::collections::HashMap;
use std::time::Duration;

/// What the driver does after a command (or at the greeting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    /// Waited before the reply.
    pub(crate) delay: Duration,
    /// The reply text (see `wire::format_reply`); `None` sends nothing.
    pub(crate) reply: Option<String>,
    /// Close the connection after the reply, and why.
    pub(crate) close: Option<Ending>,
    /// Read message text next (the reply was DATA's `354`).
    pub(crate) then_data: bool,
}

/// How the message text arrived, as the driver saw it.
#[derive(Debug)]
pub(crate) enum Body {
    /// Un-stuffed text, CRLF line ends, without the final `.` line.
    Complete(Vec<u8>),
    /// Bigger than the script's maximum size (the rest was drained).
    TooBig,
    /// A line over 1000 octets (RFC 5321 §4.5.3.1.6), drained.
    LineTooLong,
}

/// What happens after the final dot.
#[derive(Debug)]
pub(crate) enum EndOfData {
    /// Reply (and maybe close); nothing is kept.
    Refuse(Step),
    /// Keep the message, then reply with the scripted text, or with the
    /// default `250 ... queued as` once the driver knows the queue id.
    Accept {
        message: Message,
        delay: Duration,
        reply: Option<String>,
    },
}

/// What a command does when its reply is positive.
enum Effect {
    None,
    /// EHLO/HELO: the session may start mail transactions; a second
    /// EHLO resets the transaction like RSET (RFC 5321 §4.1.4).
    Greet,
    Mail(String),
    Rcpt(String),
    Data,
    Reset,
    Quit,
}

/// A command that passed the mock's checks: its default reply and
/// effect. One that failed gets its error reply as `Err`.
struct Accepted {
    default: String,
    effect: Effect,
}

/// The state of one session: who said hello, and the envelope so far.
pub(crate) struct Session<'a> {
    script: &'a Script,
    /// The greeting was not 2xx: the server refuses service and answers
    /// everything but QUIT with 503 (RFC 5321 §3.1).
    refused: bool,
    greeted: bool,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
    /// How often each verb was used, for `Script::reply_nth`.
    uses: HashMap<String, usize>,
}

impl<'a> Session<'a> {
    pub(crate) fn new(script: &'a Script) -> Self {
        Self {
            script,
            refused: false,
            greeted: false,
            mail_from: None,
            rcpt_to: Vec::new(),
            uses: HashMap::new(),
        }
    }

    /// The banner, sent as soon as the client connects (RFC 5321 §3.1).
    pub(crate) fn greeting(&mut self) -> Step {
        if let Some(step) = self.fault(GREETING) {
            return step;
        }
        let host = &self.script.hostname;
        let default = format!("220 {host} ESMTP inet-mocks");
        let scripted = self.script.reply_for(GREETING, 1, None);
        let reply = scripted.map_or(default, str::to_string);
        self.refused = !reply.starts_with('2');
        self.step(GREETING, reply, None)
    }

    /// Handles one command line (line end included or not).
    pub(crate) fn command(&mut self, line: &[u8]) -> Step {
        let cmd = parse_command(line);
        let nth = self.count(&cmd.verb);
        if let Some(step) = self.fault(&cmd.verb) {
            return step;
        }
        let accepted = match self.check(&cmd.verb, &cmd.arg) {
            Ok(accepted) => accepted,
            Err(reply) => return self.step(&cmd.verb, reply, None),
        };
        let rcpt = match &accepted.effect {
            Effect::Rcpt(address) => Some(address.as_str()),
            _ => None,
        };
        let scripted = self.script.reply_for(&cmd.verb, nth, rcpt);
        let reply = scripted.map_or(accepted.default, str::to_string);
        let mut close = None;
        let mut then_data = false;
        if is_positive(&reply) {
            match accepted.effect {
                Effect::None => {}
                Effect::Greet => {
                    self.greeted = true;
                    self.reset();
                }
                Effect::Mail(from) => self.mail_from = Some(from),
                Effect::Rcpt(to) => self.rcpt_to.push(to),
                Effect::Data => then_data = reply.starts_with('3'),
                Effect::Reset => self.reset(),
                Effect::Quit => close = Some(Ending::Quit),
            }
        } else if matches!(accepted.effect, Effect::Quit) {
            // Whatever it says, the server closes after QUIT.
            close = Some(Ending::Quit);
        }
        let mut step = self.step(&cmd.verb, reply, close);
        step.then_data = then_data && step.close.is_none();
        step
    }

    /// Handles the end of the message text: keep it, or say why not.
    /// Either way the transaction is over (RFC 5321 §4.1.1.4).
    pub(crate) fn end_of_data(&mut self, body: Body) -> EndOfData {
        let nth = self.count(DOT);
        let mail_from = self.mail_from.take().unwrap_or_default();
        let rcpt_to = std::mem::take(&mut self.rcpt_to);
        if let Some(step) = self.fault(DOT) {
            return EndOfData::Refuse(step);
        }
        let data = match body {
            Body::Complete(data) => data,
            Body::TooBig => {
                let reply = "552 5.3.4 Error: message too big";
                return EndOfData::Refuse(self.step(DOT, reply.into(), None));
            }
            Body::LineTooLong => {
                let reply = "500 5.5.2 Error: message line too long";
                return EndOfData::Refuse(self.step(DOT, reply.into(), None));
            }
        };
        let scripted = self.script.reply_for(DOT, nth, None);
        match scripted {
            Some(reply) if !is_positive(reply) => {
                EndOfData::Refuse(self.step(DOT, reply.to_string(), None))
            }
            _ => EndOfData::Accept {
                message: Message {
                    mail_from,
                    rcpt_to,
                    data,
                },
                delay: self.delay(DOT),
                reply: scripted.map(str::to_string),
            },
        }
    }

    /// Counts a use of `verb` and returns which use this is (from 1).
    fn count(&mut self, verb: &str) -> usize {
        let uses = self.uses.entry(verb.to_string()).or_default();
        *uses += 1;
        *uses
    }

    /// A scripted close (with or without a reply) for `verb`, if any.
    fn fault(&self, verb: &str) -> Option<Step> {
        let reply = self.script.close_after.get(verb)?.clone();
        Some(Step {
            delay: self.delay(verb),
            reply,
            close: Some(Ending::Scripted),
            then_data: false,
        })
    }

    fn delay(&self, verb: &str) -> Duration {
        self.script.delays.get(verb).copied().unwrap_or_default()
    }

    /// A reply step; any 421 closes the connection (RFC 5321 §3.8).
    fn step(&self, verb: &str, reply: String, close: Option<Ending>) -> Step {
        let close = if reply.starts_with("421") {
            close.or(Some(Ending::Scripted))
        } else {
            close
        };
        Step {
            delay: self.delay(verb),
            reply: Some(reply),
            close,
            then_data: false,
        }
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    /// The mock's own checks: sequence (RFC 5321 §3.3, §4.1.4) and
    /// light syntax. `Err` carries the error reply.
    fn check(&self, verb: &str, arg: &str) -> Result<Accepted, String> {
        let ok = |default: &str, effect| {
            let default = default.to_string();
            Ok(Accepted { default, effect })
        };
        if self.refused && verb != "QUIT" {
            return Err("503 5.5.1 Error: no SMTP service here".into());
        }
        match verb {
            "EHLO" | "HELO" if arg.is_empty() => {
                Err(format!("501 5.5.4 Syntax: {verb} hostname"))
            }
            "EHLO" => ok(&self.script.ehlo_reply(), Effect::Greet),
            "HELO" => {
                ok(&format!("250 {}", self.script.hostname), Effect::Greet)
            }
            "MAIL" => self.check_mail(arg).map(|from| Accepted {
                default: "250 2.1.0 Ok".into(),
                effect: Effect::Mail(from),
            }),
            "RCPT" => self.check_rcpt(arg).map(|to| Accepted {
                default: "250 2.1.5 Ok".into(),
                effect: Effect::Rcpt(to),
            }),
            "DATA" if self.mail_from.is_none() => Err(need("MAIL")),
            "DATA" if self.rcpt_to.is_empty() => Err(need("RCPT")),
            "DATA" => ok("354 End data with <CR><LF>.<CR><LF>", Effect::Data),
            "RSET" => ok("250 2.0.0 Ok", Effect::Reset),
            "NOOP" => ok("250 2.0.0 Ok", Effect::None),
            "QUIT" => ok("221 2.0.0 Bye", Effect::Quit),
            "VRFY" if arg.is_empty() => {
                Err("501 5.5.4 Syntax: VRFY address".into())
            }
            "VRFY" => ok(
                "252 2.0.0 Cannot VRFY user, but will accept message",
                Effect::None,
            ),
            // Unknown to the mock, but a script may still answer it (say,
            // AUTH or STARTTLS): the default is only the fallback.
            _ => ok("500 5.5.2 Error: command not recognized", Effect::None),
        }
    }

    fn check_mail(&self, arg: &str) -> Result<String, String> {
        if !self.greeted {
            return Err("503 5.5.1 Error: send HELO/EHLO first".into());
        }
        if self.mail_from.is_some() {
            return Err("503 5.5.1 Error: nested MAIL command".into());
        }
        let syntax = "501 5.5.4 Syntax: MAIL FROM:<address>";
        parse_path(arg, "FROM:").ok_or_else(|| syntax.to_string())
    }

    fn check_rcpt(&self, arg: &str) -> Result<String, String> {
        if self.mail_from.is_none() {
            return Err(need("MAIL"));
        }
        let syntax = "501 5.5.4 Syntax: RCPT TO:<address>";
        let to = parse_path(arg, "TO:").filter(|to| !to.is_empty());
        let to = to.ok_or_else(|| syntax.to_string())?;
        if self.rcpt_to.len() >= MAX_RECIPIENTS {
            return Err("452 4.5.3 Error: too many recipients".into());
        }
        Ok(to)
    }
}

fn need(verb: &str) -> String {
    format!("503 5.5.1 Error: need {verb} command")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(session: &mut Session, line: &str) -> String {
        session.command(line.as_bytes()).reply.unwrap_or_default()
    }

    fn accept(session: &mut Session, body: &[u8]) -> Message {
        match session.end_of_data(Body::Complete(body.to_vec())) {
            EndOfData::Accept { message, .. } => message,
            EndOfData::Refuse(step) => panic!("refused: {step:?}"),
        }
    }

    #[test]
    fn a_whole_transaction_builds_the_envelope() {
        let script = Script::new();
        let mut s = Session::new(&script);
        assert!(s.greeting().reply.unwrap().starts_with("220 mock.test"));
        assert!(reply(&mut s, "EHLO client.test").starts_with("250-mock"));
        assert_eq!(reply(&mut s, "MAIL FROM:<>"), "250 2.1.0 Ok");
        assert_eq!(reply(&mut s, "RCPT TO:<b@x>"), "250 2.1.5 Ok");
        let data = s.command(b"DATA\r\n");
        assert!(data.then_data);
        let message = accept(&mut s, b"hi\r\n");
        assert_eq!(message.mail_from, "");
        assert_eq!(message.rcpt_to, ["b@x"]);
        assert_eq!(message.data, b"hi\r\n");
        // The transaction is over: DATA needs a new MAIL.
        assert_eq!(reply(&mut s, "DATA"), need("MAIL"));
    }

    #[test]
    fn sequence_errors_get_503_and_unknown_commands_500() {
        let script = Script::new();
        let mut s = Session::new(&script);
        let table = [
            ("MAIL FROM:<a@x>", "503 5.5.1 Error: send HELO/EHLO first"),
            ("RCPT TO:<b@x>", "503 5.5.1 Error: need MAIL command"),
            ("DATA", "503 5.5.1 Error: need MAIL command"),
            ("HELO", "501 5.5.4 Syntax: HELO hostname"),
            ("HELO c", "250 mock.test"),
            ("MAIL FROM:a@x", "501 5.5.4 Syntax: MAIL FROM:<address>"),
            ("MAIL FROM:<a@x>", "250 2.1.0 Ok"),
            ("MAIL FROM:<a@x>", "503 5.5.1 Error: nested MAIL command"),
            ("DATA", "503 5.5.1 Error: need RCPT command"),
            ("RCPT TO:<>", "501 5.5.4 Syntax: RCPT TO:<address>"),
            (
                "VRFY bob",
                "252 2.0.0 Cannot VRFY user, but will accept message",
            ),
            ("XYZZY", "500 5.5.2 Error: command not recognized"),
            ("NOOP", "250 2.0.0 Ok"),
        ];
        for (line, expected) in table {
            assert_eq!(reply(&mut s, line), expected, "{line}");
        }
    }

    #[test]
    fn a_second_ehlo_resets_the_transaction() {
        let script = Script::new();
        let mut s = Session::new(&script);
        reply(&mut s, "EHLO c");
        reply(&mut s, "MAIL FROM:<a@x>");
        reply(&mut s, "RCPT TO:<b@x>");
        assert!(reply(&mut s, "EHLO c").starts_with("250"));
        assert_eq!(reply(&mut s, "DATA"), need("MAIL"));
        assert_eq!(reply(&mut s, "MAIL FROM:<a@x>"), "250 2.1.0 Ok");
    }

    #[test]
    fn a_refused_recipient_is_not_added() {
        let script = Script::new().reply_rcpt("bob", "550 5.1.1 no");
        let mut s = Session::new(&script);
        reply(&mut s, "EHLO c");
        reply(&mut s, "MAIL FROM:<a@x>");
        assert_eq!(reply(&mut s, "RCPT TO:<bob@x>"), "550 5.1.1 no");
        assert_eq!(reply(&mut s, "DATA"), need("RCPT"));
        reply(&mut s, "RCPT TO:<carol@x>");
        assert!(s.command(b"DATA").then_data);
        assert_eq!(accept(&mut s, b"").rcpt_to, ["carol@x"]);
    }

    #[test]
    fn recipients_beyond_the_limit_get_452() {
        let script = Script::new();
        let mut s = Session::new(&script);
        reply(&mut s, "EHLO c");
        reply(&mut s, "MAIL FROM:<a@x>");
        for i in 0..MAX_RECIPIENTS {
            let line = format!("RCPT TO:<r{i}@x>");
            assert_eq!(reply(&mut s, &line), "250 2.1.5 Ok");
        }
        let over = reply(&mut s, "RCPT TO:<one-more@x>");
        assert_eq!(over, "452 4.5.3 Error: too many recipients");
    }

    #[test]
    fn a_421_reply_closes_and_quit_always_closes() {
        let script = Script::new().reply("NOOP", "421 4.3.2 bye");
        let mut s = Session::new(&script);
        assert_eq!(s.command(b"NOOP").close, Some(Ending::Scripted));
        let script = Script::new().reply("QUIT", "500 no");
        let mut s = Session::new(&script);
        assert_eq!(s.command(b"QUIT").close, Some(Ending::Quit));
    }

    #[test]
    fn a_non_2xx_greeting_refuses_everything_but_quit() {
        let script = Script::new().greeting("554 5.3.2 go away");
        let mut s = Session::new(&script);
        assert_eq!(s.greeting().close, None);
        let refused = "503 5.5.1 Error: no SMTP service here";
        assert_eq!(reply(&mut s, "EHLO c"), refused);
        assert_eq!(reply(&mut s, "QUIT"), "221 2.0.0 Bye");
    }

    #[test]
    fn faults_fire_whatever_the_sequence() {
        let script = Script::new().disconnect_after("RCPT");
        let mut s = Session::new(&script);
        let step = s.command(b"RCPT TO:<b@x>");
        assert_eq!(step.reply, None);
        assert_eq!(step.close, Some(Ending::Scripted));
    }

    #[test]
    fn a_scripted_dot_reply_decides_whether_the_message_is_kept() {
        let script = Script::new().replies(DOT, &["554 5.7.1 spam", "250 ok"]);
        let mut s = Session::new(&script);
        match s.end_of_data(Body::Complete(b"x\r\n".to_vec())) {
            EndOfData::Refuse(step) => {
                assert_eq!(step.reply.as_deref(), Some("554 5.7.1 spam"));
            }
            other => panic!("{other:?}"),
        }
        match s.end_of_data(Body::Complete(b"x\r\n".to_vec())) {
            EndOfData::Accept { reply, .. } => {
                assert_eq!(reply.as_deref(), Some("250 ok"));
            }
            other => panic!("{other:?}"),
        }
    }
}
