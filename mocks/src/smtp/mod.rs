//! A mock SMTP server: a real server on `127.0.0.1:0`, scripted by the
//! test, that captures every message it accepts.
//!
//! # The exchange, from the server's side
//!
//! SMTP (RFC 5321) is a conversation of lines. The client sends a command
//! line ending in CRLF; the server answers with a *reply*: a three-digit
//! code, then text. A reply may span lines: every line but the last has
//! a `-` after the code, the last a space (§4.2.1). The first digit is
//! what matters: 2 yes, 3 go on, 4 "not now, try later", 5 "no" (§4.2.1).
//!
//! A session, as this mock plays it:
//!
//! ```text
//! S: 220 mock.test ESMTP inet-mocks        greeting on connect (§3.1)
//! C: EHLO client.test                      who is calling (§4.1.1.1)
//! S: 250-mock.test                         ... and what the server can
//! S: 250-PIPELINING                        do: one keyword per line
//! S: 250-SIZE 10240000
//! S: 250-8BITMIME
//! S: 250 ENHANCEDSTATUSCODES
//! C: MAIL FROM:<alice@example.test>        the envelope sender (§4.1.1.2)
//! S: 250 2.1.0 Ok
//! C: RCPT TO:<bob@example.test>            one RCPT per recipient
//! S: 250 2.1.5 Ok                            (§4.1.1.3)
//! C: DATA                                  (§4.1.1.4)
//! S: 354 End data with <CR><LF>.<CR><LF>
//! C: Subject: hi                           the message text, line by
//! C:                                       line; a line that starts
//! C: ..dot line                            with a dot gets one more
//! C: .                                     (§4.5.2); a lone dot ends it
//! S: 250 2.0.0 Ok: queued as MOCK0001
//! C: QUIT                                  (§4.1.1.10)
//! S: 221 2.0.0 Bye
//! ```
//!
//! The server's side has its own duties:
//!
//! * **Sequence** (§4.1.4, §3.3): MAIL needs a greeting first (EHLO or
//!   HELO), RCPT needs MAIL, DATA needs a recipient; anything out of
//!   order gets `503`, an unknown command `500`, bad syntax `501`. A
//!   second EHLO, and RSET, throw away the transaction so far.
//! * **Envelope and message are separate**: MAIL and RCPT say who the
//!   message is from and for; the `From:` and `To:` headers inside the
//!   text are just text. The null reverse-path `MAIL FROM:<>` (bounces)
//!   is legal (§4.5.5), and a server must take at least 100 recipients
//!   (§4.5.3.1.8).
//! * **The end of the message** is CRLF `.` CRLF and nothing else
//!   (§4.1.1.4). A server that also took `LF . LF` could be made to see
//!   two messages where the next server sees one ("SMTP smuggling",
//!   CVE-2023-51764), so this mock refuses a bare LF anywhere in the
//!   text with `421 4.5.0 ... bare <LF> received` and hangs up, keeping
//!   nothing, as Postfix's `smtpd_forbid_bare_newline` does.
//! * **Limits** (§4.5.3.1): a command line is at most 512 octets with its
//!   CRLF (a longer one gets `500 5.5.2 Error: line too long` and the
//!   connection is closed at once, so an endless line costs the mock a
//!   bounded buffer); a text line at most 1000. A longer text line is
//!   thrown away as it arrives, the text is read on to its final dot, and
//!   the message is refused with `500 5.5.2 Error: message line too long`
//!   (the client stays in step and may go on). A message bigger than
//!   [`Script::max_message_size`] gets `552` the same way.
//! * **Timeouts** (§4.5.3.2.7): a client that sends no full line within
//!   the idle timeout gets `421 4.4.2` and is disconnected. `421` is
//!   also what connected clients get when the server is stopped (§3.8).
//! * **Too many clients** (§3.8, §4.2.2): past
//!   [`Script::max_connections`] sessions at once, a client's greeting
//!   is `421 4.3.2 ... too many connections` and it is disconnected, so
//!   a flood of clients costs the mock no thread.
//!
//! Commands may end in a bare LF (people type them with `nc`); message
//! text may not.
//!
//! # The API
//!
//! * [`Script`]: the builder. [`Script::new`] is a well-behaved server;
//!   `greeting`, `capabilities`, `reply`, `reply_nth`, `replies`,
//!   `reply_rcpt`, `reply_and_close`, `disconnect_after`,
//!   `disconnect_in_data`, `delay`, `byte_at_a_time`, `lf_only`,
//!   `idle_timeout`, `max_message_size`, `max_connections`, `on_message`,
//!   `on_event` change
//!   it; [`Script::start`] runs it. Replies are keyed by verb, or by
//!   [`GREETING`] and [`DOT`] (the reply after the final dot).
//! * [`SmtpMock`]: the running server: [`addr`](SmtpMock::addr),
//!   [`messages`](SmtpMock::messages),
//!   [`transcripts`](SmtpMock::transcripts),
//!   [`wait_for_messages`](SmtpMock::wait_for_messages),
//!   [`wait_for_sessions`](SmtpMock::wait_for_sessions),
//!   [`stop`](SmtpMock::stop) (also on drop).
//! * [`Message`]: an accepted message: envelope and un-stuffed text.
//! * [`Event`] and [`Ending`]: what the `on_event` hook hears.
//! * [`Script::start_standalone`]: the same sessions on a port of your
//!   choosing, keeping no messages and no transcripts (the `mock-smtp`
//!   program uses it).
//!
//! ```
//! use inet_mocks::smtp::Script;
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::time::Duration;
//!
//! let mock = Script::new()
//!     .reply_rcpt("bob", "550 5.1.1 no such user")
//!     .start()?;
//! let stream = TcpStream::connect(mock.addr())?;
//! stream.set_read_timeout(Some(Duration::from_secs(5)))?;
//! (&stream).write_all(
//!     b"EHLO me\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@x.test>\r\n\
//!       RCPT TO:<carol@x.test>\r\nDATA\r\n..hi\r\n.\r\nQUIT\r\n",
//! )?;
//! let mut replies = String::new();
//! (&stream).read_to_string(&mut replies)?; // QUIT: read to the close
//! assert!(replies.contains("550 5.1.1 no such user\r\n"));
//! assert!(replies.ends_with("221 2.0.0 Bye\r\n"));
//!
//! let messages = mock.messages();
//! assert_eq!(messages[0].rcpt_to, ["carol@x.test"]);
//! assert_eq!(messages[0].data, b".hi\r\n");
//! # Ok::<(), std::io::Error>(())
//! ```

mod driver;
mod script;
mod session;
mod wire;

pub use script::{
    DEFAULT_IDLE_TIMEOUT, DOT, EventHook, GREETING, MessageHook, Script,
};
pub use wire::{
    MAX_COMMAND_LINE, MAX_MESSAGE_SIZE, MAX_RECIPIENTS, MAX_TEXT_LINE,
};

use crate::server::{self, MockServer};
use crate::transcript::Transcript;
use crate::waitable::Waitable;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long [`SmtpMock::stop`] lets sessions say their `421` goodbye
/// before the harness cuts every connection.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// A message the mock accepted (replied `250` to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The reverse-path from `MAIL FROM:<...>`, without the brackets;
    /// empty for the null reverse-path `<>`.
    pub mail_from: String,
    /// Each accepted `RCPT TO:<...>` address, in order, without brackets.
    pub rcpt_to: Vec<String>,
    /// The message text as the client meant it: CRLF line ends, the
    /// stuffed dots taken away, without the final `.` line.
    pub data: Vec<u8>,
}

/// Something that happened to a session, for [`Script::on_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A client connected; `session` counts from 0 per server.
    Connected {
        /// Which session (its index in [`SmtpMock::transcripts`]).
        session: usize,
        /// The client's address.
        peer: SocketAddr,
    },
    /// A client was greeted with `421` and disconnected: as many
    /// sessions ran as [`Script::max_connections`] allows. No session
    /// number: no session was held.
    Refused {
        /// The client's address.
        peer: SocketAddr,
    },
    /// A session is over.
    Ended {
        /// Which session.
        session: usize,
        /// The client's address.
        peer: SocketAddr,
        /// Why it ended.
        ending: Ending,
    },
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ending {
    /// The client said QUIT.
    Quit,
    /// The client closed the connection.
    ClientClosed,
    /// The script closed it (a `421`, `reply_and_close`, a disconnect).
    Scripted,
    /// No full line arrived within the idle timeout.
    IdleTimeout,
    /// A command line was over 512 octets.
    LineTooLong,
    /// The message text held a bare LF.
    BareLf,
    /// The server was stopped.
    Shutdown,
    /// Reading or writing failed.
    Error,
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ending::Quit => "client said QUIT",
            Ending::ClientClosed => "client closed the connection",
            Ending::Scripted => "closed by the script",
            Ending::IdleTimeout => "idle timeout",
            Ending::LineTooLong => "command line too long",
            Ending::BareLf => "bare LF in message text",
            Ending::Shutdown => "server stopping",
            Ending::Error => "connection error",
        })
    }
}

/// A running mock SMTP server. It stops when dropped: connected clients
/// get `421` first (RFC 5321 §3.8), then every thread is joined.
pub struct SmtpMock {
    server: MockServer,
    shared: Arc<Shared>,
}

impl SmtpMock {
    /// Starts `script` on `127.0.0.1:0`. Clients may connect as soon as
    /// this returns.
    pub fn start(script: Script) -> io::Result<Self> {
        Self::launch(script, MockServer::builder(), Shared::default())
    }

    /// Starts `script` on port `port` of `127.0.0.1` (0: any free port)
    /// for a server that runs until the process ends: the `mock-smtp`
    /// program. It keeps no messages and no transcripts, so it does not
    /// grow with every message or connection: [`messages`](Self::messages)
    /// and [`transcripts`](Self::transcripts) stay empty, and messages
    /// reach you only through [`Script::on_message`]. Tests want
    /// [`Script::start`].
    pub fn start_standalone(script: Script, port: u16) -> io::Result<Self> {
        let server = MockServer::builder().port(port).without_transcripts();
        let shared = Shared {
            forget_messages: true,
            ..Shared::default()
        };
        Self::launch(script, server, shared)
    }

    fn launch(
        script: Script,
        server: server::Builder,
        shared: Shared,
    ) -> io::Result<Self> {
        let shared = Arc::new(shared);
        let for_sessions = Arc::clone(&shared);
        let busy = wire::format_reply(&script.too_busy_reply(), script.lf_only);
        let on_event = script.on_event.clone();
        let server = server
            .max_connections(script.max_connections)
            .refusal(busy)
            .on_refused(move |peer| {
                if let Some(hook) = &on_event {
                    hook(&Event::Refused { peer });
                }
            });
        // The harness's I/O timeout bounds writes; reads get the idle
        // timeout, set afresh before each one (see `driver`).
        let server = server.start(move |conn| {
            driver::run(&conn, &script, &for_sessions);
        })?;
        Ok(Self { server, shared })
    }

    /// The address clients should connect to.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Every message accepted so far, in the order they were accepted.
    pub fn messages(&self) -> Vec<Message> {
        self.shared.state.lock().messages.clone()
    }

    /// The transcript of every session so far, by session index.
    pub fn transcripts(&self) -> Vec<Transcript> {
        self.server.transcripts()
    }

    /// Waits until at least `n` messages were accepted; false if
    /// `timeout` ran out first.
    pub fn wait_for_messages(&self, n: usize, timeout: Duration) -> bool {
        self.shared
            .state
            .wait_until(timeout, |s| s.messages.len() >= n)
    }

    /// Waits until at least `n` sessions are over and their connections
    /// closed, so their transcripts are complete; false if `timeout` ran
    /// out first.
    pub fn wait_for_sessions(&self, n: usize, timeout: Duration) -> bool {
        self.server.wait_for_closed(n, timeout)
    }

    /// Stops the server: every connected client gets `421 4.3.2` and is
    /// disconnected, then the harness joins every thread. `Drop` calls
    /// it; calling it again does nothing.
    pub fn stop(&mut self) {
        self.server.stop_gracefully(GOODBYE_TIMEOUT);
    }
}

impl Drop for SmtpMock {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for SmtpMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("SmtpMock");
        out.field("addr", &self.addr()).finish_non_exhaustive()
    }
}

/// What the sessions of one server share.
#[derive(Default)]
pub(crate) struct Shared {
    /// Notified when a message is kept.
    state: Waitable<State>,
    /// Hand messages to the hook only, keep none in memory
    /// ([`SmtpMock::start_standalone`]).
    forget_messages: bool,
}

#[derive(Default)]
struct State {
    messages: Vec<Message>,
    /// The last queue number handed out.
    numbered: u64,
}

impl Shared {
    /// Runs the hook, then keeps the message; returns its number.
    pub(crate) fn keep(
        &self,
        message: Message,
        hook: Option<&MessageHook>,
    ) -> io::Result<u64> {
        let number = {
            let mut state = self.state.lock();
            state.numbered += 1;
            state.numbered
        };
        if let Some(hook) = hook {
            hook(&message, number)?;
        }
        if !self.forget_messages {
            self.state.lock().messages.push(message);
            self.state.notify();
        }
        Ok(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn message() -> Message {
        Message {
            mail_from: "a@x".into(),
            rcpt_to: vec!["b@x".into()],
            data: b"hi\r\n".to_vec(),
        }
    }

    #[test]
    fn a_forgetful_server_numbers_messages_but_keeps_none() {
        let kept = Shared::default();
        assert_eq!(kept.keep(message(), None).unwrap(), 1);
        assert_eq!(kept.state.lock().messages, [message()]);

        let forgetful = Shared {
            forget_messages: true,
            ..Shared::default()
        };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let hooked = Arc::clone(&seen);
        let hook: Box<MessageHook> = Box::new(move |m, n| {
            hooked.lock().unwrap().push((m.clone(), n));
            Ok(())
        });
        for expected in 1..=3 {
            let number = forgetful.keep(message(), Some(&*hook));
            assert_eq!(number.unwrap(), expected);
        }
        assert!(forgetful.state.lock().messages.is_empty());
        assert_eq!(seen.lock().unwrap().len(), 3);
    }
}
