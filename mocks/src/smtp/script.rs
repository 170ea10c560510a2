//! [`Script`]: what the mock SMTP server says, and the faults it injects.
//!
//! A script is plain data built up with chained calls, then handed to
//! [`Script::start`]. Replies are keyed by command verb (`"MAIL"`,
//! `"RCPT"`...) or by one of two stages that are not commands:
//! [`GREETING`], the banner sent on connect, and [`DOT`], the reply after
//! the message text's final dot.

use super::Message;
use super::wire::MAX_MESSAGE_SIZE;
use crate::server::DEFAULT_MAX_CONNECTIONS;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// The key for the banner the mock sends when a client connects.
pub const GREETING: &str = "GREETING";
/// The key for the reply to the end of the message (the final `.`),
/// as opposed to `"DATA"`, the key for the `354` that invites the text.
pub const DOT: &str = "DOT";

/// How long a session may wait for a line before the mock gives up with
/// `421` (RFC 5321 §4.5.3.2.7 asks a server for at least five minutes).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// What to do with an accepted message before the mock replies `250`.
/// Returning an error makes the mock reply `451` instead and forget the
/// message, so a `250` always means "kept".
pub type MessageHook = dyn Fn(&Message, u64) -> io::Result<()> + Send + Sync;

/// Called as sessions start and end, for logging.
pub type EventHook = dyn Fn(&super::Event) + Send + Sync;

/// The script of a mock SMTP server: replies, faults and settings.
///
/// Every method takes and returns the script, so calls chain:
///
/// ```
/// use inet_mocks::smtp::Script;
/// let script = Script::new()
///     .reply_rcpt("bob@example.test", "550 5.1.1 no such user")
///     .replies("MAIL", &["451 4.3.0 try again later", "250 2.1.0 Ok"]);
/// ```
///
/// A reply text holds one line per `\n`, each line complete with its
/// code (`"250-first\n250 last"` is a two-line reply). The mock sends
/// exactly those lines, each ended with CRLF (LF with
/// [`lf_only`](Script::lf_only)), so a script may send a malformed reply
/// on purpose.
///
/// For one command the reply is chosen from the most specific rule:
/// the nth use of the verb ([`reply_nth`](Script::reply_nth)), then the
/// recipient's address for RCPT ([`reply_rcpt`](Script::reply_rcpt)),
/// then the verb ([`reply`](Script::reply)), then the mock's own
/// default. A command out of sequence or with bad syntax gets its `503`
/// or `501` whatever the script says; faults
/// ([`disconnect_after`](Script::disconnect_after),
/// [`reply_and_close`](Script::reply_and_close)) apply to every use of
/// their verb, in sequence or not.
///
/// Scripted replies also steer the session: a positive reply (2xx, or
/// 3xx for DATA) makes the command take effect, a negative one doesn't,
/// and any `421` closes the connection after it is sent (RFC 5321 §3.8).
#[derive(Clone)]
pub struct Script {
    pub(crate) hostname: String,
    pub(crate) capabilities: Vec<String>,
    /// Keyed by upper-cased verb (or stage).
    pub(crate) replies: HashMap<String, String>,
    /// Keyed by verb and 1-based use count within the session.
    pub(crate) nth: HashMap<(String, usize), String>,
    /// Address (or local part) and reply, checked in order.
    pub(crate) rcpt: Vec<(String, String)>,
    /// A reply to send before closing, or `None` to close without one.
    pub(crate) close_after: HashMap<String, Option<String>>,
    pub(crate) delays: HashMap<String, Duration>,
    pub(crate) disconnect_in_data: Option<usize>,
    pub(crate) byte_at_a_time: bool,
    pub(crate) lf_only: bool,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_message_size: usize,
    pub(crate) max_connections: usize,
    pub(crate) on_message: Option<Arc<MessageHook>>,
    pub(crate) on_event: Option<Arc<EventHook>>,
}

impl Default for Script {
    fn default() -> Self {
        Self::new()
    }
}

impl Script {
    /// The default script: a well-behaved server called `mock.test` that
    /// accepts every message. Its EHLO reply advertises `PIPELINING`,
    /// `SIZE 10240000`, `8BITMIME` and `ENHANCEDSTATUSCODES`.
    pub fn new() -> Self {
        let capabilities = vec![
            "PIPELINING".to_string(),
            format!("SIZE {MAX_MESSAGE_SIZE}"),
            "8BITMIME".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
        ];
        Self {
            hostname: "mock.test".to_string(),
            capabilities,
            replies: HashMap::new(),
            nth: HashMap::new(),
            rcpt: Vec::new(),
            close_after: HashMap::new(),
            delays: HashMap::new(),
            disconnect_in_data: None,
            byte_at_a_time: false,
            lf_only: false,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_message_size: MAX_MESSAGE_SIZE,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            on_message: None,
            on_event: None,
        }
    }

    /// The name the server gives itself in its greeting, EHLO and HELO
    /// replies (default `mock.test`).
    pub fn hostname(mut self, name: &str) -> Self {
        self.hostname = name.to_string();
        self
    }

    /// The greeting, e.g. `"220-mock.test hello\n220 ready"`; the default
    /// is `220 mock.test ESMTP inet-mocks`. Same as
    /// `reply(GREETING, text)`; a `421` or `554` greeting works too.
    pub fn greeting(self, text: &str) -> Self {
        self.reply(GREETING, text)
    }

    /// The EHLO keywords after the first (hostname) line, e.g.
    /// `&["SIZE 1000", "PIPELINING"]`; an empty list makes EHLO a
    /// one-line reply. To replace the whole reply (say, with `502` to make
    /// a client fall back to HELO) use `reply("EHLO", ...)`.
    pub fn capabilities(mut self, keywords: &[&str]) -> Self {
        self.capabilities = keywords.iter().map(|k| k.to_string()).collect();
        self
    }

    /// The reply to every use of `verb` (a command, [`GREETING`] or
    /// [`DOT`]), e.g. `reply("MAIL", "451 4.3.0 try later")`.
    pub fn reply(mut self, verb: &str, text: &str) -> Self {
        self.replies.insert(key(verb), text.to_string());
        self
    }

    /// The reply to the `n`th use (counting from 1, per session) of
    /// `verb`; other uses keep their usual reply.
    pub fn reply_nth(mut self, verb: &str, n: usize, text: &str) -> Self {
        self.nth.insert((key(verb), n), text.to_string());
        self
    }

    /// The replies to the first uses of `verb`, in order: the first
    /// RCPT gets `texts[0]`, the second `texts[1]`... Later uses keep
    /// their usual reply. Short for a `reply_nth` per text.
    pub fn replies(mut self, verb: &str, texts: &[&str]) -> Self {
        for (i, text) in texts.iter().enumerate() {
            self = self.reply_nth(verb, i + 1, text);
        }
        self
    }

    /// The reply to `RCPT TO:<address>`. `address` matches the whole
    /// address, ignoring case, or, when it holds no `@`, the local part:
    /// `reply_rcpt("bob", "550 5.1.1 no such user")` refuses
    /// `bob@example.test`. The first matching rule wins.
    pub fn reply_rcpt(mut self, address: &str, text: &str) -> Self {
        self.rcpt.push((address.to_string(), text.to_string()));
        self
    }

    /// After `verb` (or at [`GREETING`], or at [`DOT`]), sends `text`
    /// and closes the connection: `reply_and_close("MAIL", "421 4.3.2
    /// shutting down")` is smtp-sink's `-Q MAIL`.
    pub fn reply_and_close(mut self, verb: &str, text: &str) -> Self {
        self.close_after.insert(key(verb), Some(text.to_string()));
        self
    }

    /// After reading `verb`, closes the connection without replying at
    /// all (smtp-sink's `-q`). With [`DOT`], the client has sent the
    /// whole message and never learns whether it was taken; the mock
    /// does not keep it.
    pub fn disconnect_after(mut self, verb: &str) -> Self {
        self.close_after.insert(key(verb), None);
        self
    }

    /// During DATA, closes the connection without a word once `lines`
    /// lines of message text have arrived (0: right after the `354`).
    pub fn disconnect_in_data(mut self, lines: usize) -> Self {
        self.disconnect_in_data = Some(lines);
        self
    }

    /// Waits `delay` before replying to `verb` (or before the greeting,
    /// or before the reply to the final dot): a slow server, for client
    /// timeouts.
    pub fn delay(mut self, verb: &str, delay: Duration) -> Self {
        self.delays.insert(key(verb), delay);
        self
    }

    /// Writes every reply one byte at a time, each byte its own write, so
    /// a client gets replies in pieces and must put lines together.
    pub fn byte_at_a_time(mut self) -> Self {
        self.byte_at_a_time = true;
        self
    }

    /// Ends reply lines with a bare LF instead of CRLF, as some broken
    /// servers do.
    pub fn lf_only(mut self) -> Self {
        self.lf_only = true;
        self
    }

    /// How long the mock waits for a line (a command, or a line of
    /// message text) before it replies `421` and closes (default 300 s).
    /// The clock runs per line, so a client dribbling a byte now and then
    /// times out too.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The largest message accepted, in octets after un-stuffing (default
    /// [`MAX_MESSAGE_SIZE`]); a bigger one gets `552` (RFC 5321
    /// §4.5.3.1.10). The EHLO `SIZE` keyword is not changed: set it with
    /// [`capabilities`](Script::capabilities).
    pub fn max_message_size(mut self, octets: usize) -> Self {
        self.max_message_size = octets;
        self
    }

    /// Serves at most `max` sessions at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]). A client past the cap is greeted
    /// with `421` and disconnected (RFC 5321 §3.8: a server that cannot
    /// serve now says so in its greeting and closes; matrix row V1).
    /// Postfix's smtp-sink `-m` leaves them waiting in the kernel's
    /// queue instead, where a client cannot tell busy from dead.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Runs `hook` on every message the mock is about to accept, with its
    /// number (1, 2, ... per server), before the `250`. An error from the
    /// hook turns the `250` into `451 4.3.0` and the message is not kept.
    pub fn on_message<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Message, u64) -> io::Result<()> + Send + Sync + 'static,
    {
        self.on_message = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` when a session starts and when it ends, and for each
    /// client refused for being past the cap (for logging).
    pub fn on_event<F>(mut self, hook: F) -> Self
    where
        F: Fn(&super::Event) + Send + Sync + 'static,
    {
        self.on_event = Some(Arc::new(hook));
        self
    }

    /// Starts a mock server running this script on `127.0.0.1:0`.
    pub fn start(self) -> io::Result<super::SmtpMock> {
        super::SmtpMock::start(self)
    }

    /// Starts it on port `port` of `127.0.0.1` for a program that serves
    /// until killed, keeping no messages or transcripts: see
    /// [`SmtpMock::start_standalone`](super::SmtpMock::start_standalone).
    pub fn start_standalone(self, port: u16) -> io::Result<super::SmtpMock> {
        super::SmtpMock::start_standalone(self, port)
    }

    /// The scripted reply for `verb` by the rules in the type's doc, or
    /// `None` for the mock's default.
    pub(crate) fn reply_for(
        &self,
        verb: &str,
        nth: usize,
        rcpt: Option<&str>,
    ) -> Option<&str> {
        // Each rule is looked at only if the more specific ones had none.
        let by_nth = || self.nth.get(&(verb.to_string(), nth));
        let by_rcpt = || rcpt.and_then(|address| self.rcpt_reply(address));
        let by_verb = || self.replies.get(verb).map(String::as_str);
        by_nth()
            .map(String::as_str)
            .or_else(by_rcpt)
            .or_else(by_verb)
    }

    fn rcpt_reply(&self, address: &str) -> Option<&str> {
        let local = address.split('@').next().unwrap_or(address);
        let matches = |rule: &str| {
            let target = if rule.contains('@') { address } else { local };
            rule.eq_ignore_ascii_case(target)
        };
        let rule = self.rcpt.iter().find(|(rule, _)| matches(rule));
        rule.map(|(_, text)| text.as_str())
    }

    /// The greeting of a client past the cap, before the close.
    pub(crate) fn too_busy_reply(&self) -> String {
        let host = &self.hostname;
        format!("421 4.3.2 {host} Error: too many connections, try later")
    }

    /// The EHLO reply: the hostname line, then one line per keyword.
    pub(crate) fn ehlo_reply(&self) -> String {
        let mut lines = vec![self.hostname.clone()];
        lines.extend(self.capabilities.iter().cloned());
        let last = lines.len() - 1;
        let numbered = lines.iter().enumerate().map(|(i, line)| {
            let sep = if i == last { ' ' } else { '-' };
            format!("250{sep}{line}")
        });
        numbered.collect::<Vec<_>>().join("\n")
    }
}

/// Verbs are case-insensitive (RFC 5321 §2.4), so keys are upper-cased.
fn key(verb: &str) -> String {
    verb.trim().to_ascii_uppercase()
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script")
            .field("hostname", &self.hostname)
            .field("capabilities", &self.capabilities)
            .field("replies", &self.replies)
            .field("nth", &self.nth)
            .field("rcpt", &self.rcpt)
            .field("close_after", &self.close_after)
            .field("delays", &self.delays)
            .field("disconnect_in_data", &self.disconnect_in_data)
            .field("byte_at_a_time", &self.byte_at_a_time)
            .field("lf_only", &self.lf_only)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_rule_wins() {
        let script = Script::new()
            .reply("rcpt", "250 verb")
            .reply_rcpt("bob", "550 local part")
            .reply_rcpt("carol@example.test", "551 whole address")
            .reply_nth("RCPT", 3, "452 third");
        let pick = |nth, rcpt| script.reply_for("RCPT", nth, Some(rcpt));
        assert_eq!(pick(1, "BOB@example.test"), Some("550 local part"));
        assert_eq!(pick(1, "carol@example.test"), Some("551 whole address"));
        assert_eq!(pick(1, "carol@other.test"), Some("250 verb"));
        assert_eq!(pick(3, "bob@example.test"), Some("452 third"));
        assert_eq!(script.reply_for("MAIL", 1, None), None);
    }

    #[test]
    fn replies_sets_the_first_uses_in_order() {
        let script = Script::new().replies("MAIL", &["451 a", "452 b"]);
        assert_eq!(script.reply_for("MAIL", 1, None), Some("451 a"));
        assert_eq!(script.reply_for("MAIL", 2, None), Some("452 b"));
        assert_eq!(script.reply_for("MAIL", 3, None), None);
    }

    #[test]
    fn the_ehlo_reply_numbers_its_lines() {
        let script = Script::new().capabilities(&["SIZE 10", "8BITMIME"]);
        let expected = "250-mock.test\n250-SIZE 10\n250 8BITMIME";
        assert_eq!(script.ehlo_reply(), expected);
        let bare = Script::new().hostname("h.test").capabilities(&[]);
        assert_eq!(bare.ehlo_reply(), "250 h.test");
    }
}
