//! The socket side of a session: reads lines with the idle timeout,
//! feeds them to the [`Session`] state machine, and writes its replies
//! (slowly, byte by byte, or with bare LFs when the script says so).
//!
//! Replies are written when the client is waiting for them, not one by
//! one: while another whole command is already in the input buffer (the
//! client pipelined, RFC 2920), a reply waits in `out`, and the replies
//! to a whole group go out in one write once the buffer holds no whole
//! command (RFC 2920 §3.2 asks servers to batch their replies so; Postfix
//! does it the same way). One write and one wake-up of the client per
//! group instead of one per command; the bytes are the same.

use super::script::Script;
use super::session::{Body, EndOfData, Session, Step};
use super::wire::{self, Line, LineReader, MAX_COMMAND_LINE, MAX_TEXT_LINE};
use super::{Ending, Event, Shared};
use crate::server::{
    Conn, StreamSettings, deadline_in, is_timeout, read_before_cached,
    read_soon, write_all_settled,
};
use std::io;
use std::time::{Duration, Instant};

/// Runs one whole session on an accepted connection.
pub(crate) fn run(conn: &Conn, script: &Script, shared: &Shared) {
    let (index, peer) = (conn.index(), conn.peer());
    let event = |event: Event| {
        if let Some(hook) = &script.on_event {
            hook(&event);
        }
    };
    event(Event::Connected {
        session: index,
        peer,
    });
    let mut driver = Driver {
        conn,
        reader: LineReader::default(),
        out: Vec::new(),
        settings: StreamSettings::default(),
        script,
        shared,
    };
    let ending = if conn.is_stopping() {
        // Accepted just before the server began stopping.
        driver.stopped()
    } else {
        driver.converse()
    };
    // The last replies (a 421, say), before the connection closes.
    driver.flush();
    event(Event::Ended {
        session: index,
        peer,
        ending,
    });
}

struct Driver<'a> {
    /// Reads and writes go through it, so the transcript records them;
    /// it also says when the server is stopping.
    conn: &'a Conn,
    reader: LineReader,
    /// Replies not written yet: the client pipelined, and more commands
    /// are waiting (see the module doc).
    out: Vec<u8>,
    /// What was last set on the stream: each line has its own deadline,
    /// but the read timeout is set again only when it must be (see
    /// `read_before_cached`), and the stream stays non-blocking between
    /// quick reads (see `read_soon`).
    settings: StreamSettings,
    script: &'a Script,
    shared: &'a Shared,
}

/// Why reading a line gave no line.
enum NoLine {
    TooLong,
    Ended(Ending),
}

impl Driver<'_> {
    /// Greeting, then commands until something ends the session.
    fn converse(&mut self) -> Ending {
        let mut session = Session::new(self.script);
        let greeting = session.greeting();
        if let Some(ending) = self.act(&greeting) {
            return ending;
        }
        loop {
            let line = match self.read_line(MAX_COMMAND_LINE) {
                Ok(line) => line,
                Err(NoLine::TooLong) => {
                    // RFC 5321 §4.5.3.1.4; we close rather than read the
                    // rest of a line that may never end.
                    self.say("500 5.5.2 Error: line too long");
                    return Ending::LineTooLong;
                }
                Err(NoLine::Ended(ending)) => return ending,
            };
            let step = session.command(&line);
            if let Some(ending) = self.act(&step) {
                return ending;
            }
            if step.then_data
                && let Some(ending) = self.receive_message(&mut session)
            {
                return ending;
            }
        }
    }

    /// After the `354`: reads the message text, then answers it.
    /// Returns an ending if the session is over.
    fn receive_message(&mut self, session: &mut Session) -> Option<Ending> {
        match self.read_message() {
            Ok(body) => self.answer_message(session, body),
            Err(ending) => Some(ending),
        }
    }

    /// Reads message text up to the final dot, un-stuffing each line.
    /// A line or a message over its limit is read on to the dot but not
    /// kept, so the client stays in step.
    fn read_message(&mut self) -> Result<Body, Ending> {
        let hang_up_after = self.script.disconnect_in_data;
        if hang_up_after == Some(0) {
            return Err(Ending::Scripted);
        }
        let mut data = Vec::new();
        let mut problem = None;
        let mut lines = 0;
        loop {
            let line = match self.read_line(MAX_TEXT_LINE) {
                Ok(line) => line,
                Err(NoLine::TooLong) => {
                    self.skip_rest_of_line()?;
                    problem.get_or_insert(Body::LineTooLong);
                    b"\r\n".to_vec() // counts as a line, keeps nothing
                }
                Err(NoLine::Ended(ending)) => return Err(ending),
            };
            if wire::is_bare_lf_line(&line) {
                return Err(self.refuse_bare_lf());
            }
            if wire::is_end_of_data(&line) {
                return Ok(problem.unwrap_or(Body::Complete(data)));
            }
            lines += 1;
            let text = wire::unstuff(&line);
            if data.len() + text.len() > self.script.max_message_size {
                problem.get_or_insert(Body::TooBig);
            } else if problem.is_none() {
                data.extend_from_slice(text);
            }
            if hang_up_after == Some(lines) {
                return Err(Ending::Scripted);
            }
        }
    }

    /// The reply to the final dot. A message is kept (and the hook run)
    /// just before its `250` is sent, so a `250` always means "kept".
    fn answer_message(
        &mut self,
        session: &mut Session,
        body: Body,
    ) -> Option<Ending> {
        let (message, delay, reply) = match session.end_of_data(body) {
            EndOfData::Refuse(step) => return self.act(&step),
            EndOfData::Accept {
                message,
                delay,
                reply,
            } => (message, delay, reply),
        };
        if !self.pause(delay) {
            return Some(self.stopped());
        }
        let hook = self.script.on_message.as_deref();
        let reply = match self.shared.keep(message, hook) {
            Ok(number) => reply.unwrap_or_else(|| {
                format!("250 2.0.0 Ok: queued as MOCK{number:04}")
            }),
            Err(err) => format!("451 4.3.0 Error: not kept: {err}"),
        };
        (!self.say(&reply)).then_some(Ending::Error)
    }

    /// A bare LF inside message text: refuse, keep nothing, hang up.
    fn refuse_bare_lf(&mut self) -> Ending {
        let host = &self.script.hostname;
        self.say(&format!("421 4.5.0 {host} Error: bare <LF> received"));
        Ending::BareLf
    }

    /// Waits, replies, and says whether (and why) the session is over.
    fn act(&mut self, step: &Step) -> Option<Ending> {
        if !self.pause(step.delay) {
            return Some(self.stopped());
        }
        if let Some(reply) = &step.reply
            && !self.say(reply)
        {
            return Some(Ending::Error);
        }
        step.close
    }

    /// Queues a reply, and writes every queued one unless the client has
    /// pipelined another command already; false if the client is gone.
    fn say(&mut self, reply: &str) -> bool {
        let bytes = wire::format_reply(reply, self.script.lf_only);
        self.out.extend_from_slice(&bytes);
        if self.reader.has_line() && !self.script.byte_at_a_time {
            return true;
        }
        self.flush()
    }

    /// Writes the queued replies; false if the client is gone.
    fn flush(&mut self) -> bool {
        if self.out.is_empty() {
            return true;
        }
        let bytes = std::mem::take(&mut self.out);
        let (mut io, stream) = (self.conn, self.conn.stream());
        let settings = &mut self.settings;
        let written = if self.script.byte_at_a_time {
            bytes.iter().try_for_each(|byte| {
                write_all_settled(&mut io, stream, &[*byte], settings)
            })
        } else {
            write_all_settled(&mut io, stream, &bytes, settings)
        };
        written.is_ok()
    }

    /// Before a read that may block, the queued replies go out: the
    /// client may be waiting for them before it sends more (a client
    /// that sent text after DATA without waiting for the 354, say).
    fn flush_before_reading(&mut self) -> bool {
        self.reader.has_line() || self.flush()
    }

    /// A scripted delay. The replies queued so far go out first: the
    /// delay is this reply's, not theirs.
    fn pause(&mut self, delay: Duration) -> bool {
        if !delay.is_zero() {
            self.flush();
        }
        self.conn.pause(delay)
    }

    fn shutdown_reply(&self) -> String {
        let host = &self.script.hostname;
        format!("421 4.3.2 {host} Service shutting down, closing channel")
    }

    /// The server is stopping: say so (RFC 5321 §3.8) and end.
    fn stopped(&mut self) -> Ending {
        self.say(&self.shutdown_reply());
        Ending::Shutdown
    }

    /// When the line now being read must be complete. A script's idle
    /// timeout too long for the clock (`Duration::MAX`) means "never".
    fn idle_deadline(&self) -> Instant {
        deadline_in(self.script.idle_timeout)
    }

    /// Reads one line of at most `limit` octets within the idle timeout.
    fn read_line(&mut self, limit: usize) -> Result<Vec<u8>, NoLine> {
        if !self.flush_before_reading() {
            return Err(NoLine::Ended(Ending::Error));
        }
        let deadline = self.idle_deadline();
        let (conn, set) = (self.conn, &mut self.settings);
        let got = self
            .reader
            .next_line(limit, |buf| read_next(conn, deadline, set, buf));
        match got {
            Ok(Line::Whole(line)) => Ok(line),
            Ok(Line::TooLong) => Err(NoLine::TooLong),
            Ok(Line::Eof) => Err(NoLine::Ended(self.eof())),
            Err(err) => Err(NoLine::Ended(self.read_failed(&err))),
        }
    }

    /// Throws away the rest of an over-long text line.
    fn skip_rest_of_line(&mut self) -> Result<(), Ending> {
        if !self.flush_before_reading() {
            return Err(Ending::Error);
        }
        let deadline = self.idle_deadline();
        let (conn, set) = (self.conn, &mut self.settings);
        let got = self
            .reader
            .skip_line(|buf| read_next(conn, deadline, set, buf));
        match got {
            Ok(Some(false)) => Ok(()),
            Ok(Some(true)) => Err(self.refuse_bare_lf()),
            Ok(None) => Err(self.eof()),
            Err(err) => Err(self.read_failed(&err)),
        }
    }

    /// EOF: the client hung up, or `stop` shut our reading side.
    fn eof(&mut self) -> Ending {
        if self.conn.is_stopping() {
            self.stopped()
        } else {
            Ending::ClientClosed
        }
    }

    fn read_failed(&mut self, err: &io::Error) -> Ending {
        if is_timeout(err) {
            let host = &self.script.hostname;
            self.say(&format!("421 4.4.2 {host} Error: timeout exceeded"));
            Ending::IdleTimeout
        } else {
            Ending::Error
        }
    }
}

/// One read of what the client sends next: at once if it comes within a
/// few looks (`read_soon`: waking a sleeping thread costs the client
/// dear), else waiting for it until `deadline`. `set` is the read
/// settings last put on the stream.
fn read_next(
    conn: &Conn,
    deadline: Instant,
    set: &mut StreamSettings,
    buf: &mut [u8],
) -> io::Result<usize> {
    let (mut io, stream) = (conn, conn.stream());
    match read_soon(&mut io, stream, buf, set)? {
        Some(n) => Ok(n),
        None => read_before_cached(&mut io, stream, deadline, buf, set),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Script;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    const TIMEOUT: Duration = Duration::from_secs(5);

    /// Reads until `bytes` ends with `end`.
    fn read_until(stream: &mut TcpStream, end: &str) -> String {
        let mut bytes = Vec::new();
        let mut buf = [0; 4096];
        while !bytes.ends_with(end.as_bytes()) {
            let n = stream.read(&mut buf).expect("a reply in time");
            assert!(
                n > 0,
                "closed after {:?}",
                String::from_utf8_lossy(&bytes)
            );
            bytes.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(bytes).unwrap()
    }

    fn greeted(mock: &super::super::SmtpMock) -> TcpStream {
        let mut stream = TcpStream::connect(mock.addr()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        read_until(&mut stream, "\r\n");
        stream.write_all(b"EHLO c\r\n").unwrap();
        read_until(&mut stream, "250 ENHANCEDSTATUSCODES\r\n");
        stream
    }

    #[test]
    fn a_pipelined_group_is_answered_in_order_in_one_write() {
        let mock = Script::new().reply_rcpt("bob", "550 5.1.1 no").start();
        let mock = mock.unwrap();
        let mut stream = greeted(&mock);
        stream
            .write_all(b"MAIL FROM:<a@x>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n")
            .unwrap();
        // One read: the four replies were written together.
        let mut buf = [0; 4096];
        let n = stream.read(&mut buf).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&buf[..n]),
            "250 2.1.0 Ok\r\n550 5.1.1 no\r\n250 2.1.5 Ok\r\n\
             354 End data with <CR><LF>.<CR><LF>\r\n"
        );
        stream.write_all(b"hi\r\n.\r\n").unwrap();
        assert!(read_until(&mut stream, "\r\n").starts_with("250 2.0.0"));
    }

    #[test]
    fn queued_replies_go_out_before_the_mock_waits_for_more() {
        // Text sent before the 354 came, then the client waits for it:
        // the mock must not hold the 354 while it waits for the dot.
        let mock = Script::new().start().unwrap();
        let mut stream = greeted(&mock);
        stream
            .write_all(b"MAIL FROM:<a@x>\r\nRCPT TO:<c@x>\r\nDATA\r\nhi\r\n")
            .unwrap();
        read_until(&mut stream, "354 End data with <CR><LF>.<CR><LF>\r\n");
        stream.write_all(b".\r\n").unwrap();
        assert!(read_until(&mut stream, "\r\n").starts_with("250 2.0.0"));
        assert_eq!(mock.messages()[0].data, b"hi\r\n");
    }

    /// A client that does not read while the mock has replies for it:
    /// a reply that does not fit in the socket's buffer at once (the
    /// stream is non-blocking after a quick read) must wait for room,
    /// not end the session; once the client reads, every reply arrives.
    #[test]
    fn replies_wait_for_a_client_that_is_not_reading_yet() {
        const COMMANDS: usize = 8000;
        let long = format!("250 {}", "x".repeat(3996));
        let (ended, end) = std::sync::mpsc::channel();
        let mock = Script::new()
            .reply("NOOP", &long)
            .on_event(move |event| {
                if let super::super::Event::Ended { ending, .. } = event {
                    let _ = ended.send(format!("{ending:?}"));
                }
            })
            .start()
            .unwrap();
        let mut stream = greeted(&mock);
        // 48 KB of commands fit in the buffers at once; their 32 MB of
        // replies do not. A mock that gave up on a full buffer would
        // end the session within microseconds; 100 ms is far above that.
        stream.write_all(&b"NOOP\r\n".repeat(COMMANDS)).unwrap();
        let early = end.recv_timeout(Duration::from_millis(100));
        assert!(early.is_err(), "the session ended: {early:?}");
        let expected = (long.len() + 2) * COMMANDS;
        let (mut got, mut buf) = (0, vec![0; 64 * 1024]);
        while got < expected {
            let n = stream.read(&mut buf).expect("a reply in time");
            assert!(n > 0, "closed after {got} of {expected} bytes");
            got += n;
        }
    }
}
