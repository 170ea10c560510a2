//! The mock SMTP server, driven with raw bytes by a tiny scripted client
//! written here (no client library), so each test says exactly what
//! goes over the wire.

use inet_mocks::Dir;
use inet_mocks::smtp::{DOT, Event, GREETING, Message, Script, SmtpMock};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Every socket gets this timeout, so a bug fails a test, never hangs it.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A raw SMTP client: sends bytes, reads replies line by line.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Self { stream, reader }
    }

    /// Connects and reads the greeting.
    fn greeted(mock: &SmtpMock) -> Self {
        let mut client = Self::connect(mock.addr());
        assert!(client.reply().starts_with("220 "));
        client
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// One line, line end included; empty at EOF.
    fn line(&mut self) -> String {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line).unwrap();
        String::from_utf8(line).unwrap()
    }

    /// One whole reply, every line with its CRLF: lines are read until
    /// one has a space (or nothing) after the code. Empty at EOF.
    fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let line = self.line();
            reply.push_str(&line);
            if line.is_empty() || line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    /// Sends a command line (CRLF added) and reads its reply.
    fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.reply()
    }

    /// Reads until the server closes. A reset counts as closed: a server
    /// that hangs up with bytes still unread makes the kernel send one.
    fn rest(&mut self) -> String {
        // `read_to_end` reads again after a signal (EINTR), and keeps
        // what it read before a reset.
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Err(e) if e.kind() != ErrorKind::ConnectionReset => {
                panic!("reading to the close: {e}")
            }
            _ => String::from_utf8(rest).unwrap(),
        }
    }

    /// EHLO, MAIL, one RCPT and DATA, all expected to succeed.
    fn start_message(&mut self, from: &str, to: &str) {
        assert!(self.cmd("EHLO client.test").starts_with("250"));
        assert!(self.cmd(&format!("MAIL FROM:<{from}>")).starts_with("250"));
        assert!(self.cmd(&format!("RCPT TO:<{to}>")).starts_with("250"));
        assert!(self.cmd("DATA").starts_with("354 "));
    }
}

fn message(from: &str, to: &[&str], data: &[u8]) -> Message {
    Message {
        mail_from: from.to_string(),
        rcpt_to: to.iter().map(|to| to.to_string()).collect(),
        data: data.to_vec(),
    }
}

#[test]
fn a_whole_session_delivers_one_message() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(c.reply(), "220 mock.test ESMTP inet-mocks\r\n");
    let ehlo = "250-mock.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n\
                250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
    assert_eq!(c.cmd("EHLO client.test"), ehlo);
    assert_eq!(c.cmd("MAIL FROM:<a@x.test> SIZE=20"), "250 2.1.0 Ok\r\n");
    assert_eq!(c.cmd("RCPT TO:<b@x.test>"), "250 2.1.5 Ok\r\n");
    assert_eq!(c.cmd("NOOP"), "250 2.0.0 Ok\r\n");
    let go_ahead = "354 End data with <CR><LF>.<CR><LF>\r\n";
    assert_eq!(c.cmd("DATA"), go_ahead);
    let queued = c.cmd("Subject: hi\r\n\r\nbody\r\n.");
    assert_eq!(queued, "250 2.0.0 Ok: queued as MOCK0001\r\n");
    assert_eq!(c.cmd("QUIT"), "221 2.0.0 Bye\r\n");
    assert_eq!(c.rest(), "");

    let body = b"Subject: hi\r\n\r\nbody\r\n";
    assert_eq!(mock.messages(), [message("a@x.test", &["b@x.test"], body)]);
    assert!(mock.wait_for_sessions(1, TIMEOUT));
    let transcript = &mock.transcripts()[0];
    assert!(transcript.render().starts_with("S: 220 mock.test"));
    assert!(transcript.render().ends_with("S: 221 2.0.0 Bye\\r\n"));
}

#[test]
fn dots_are_unstuffed_and_only_a_lone_dot_ends_the_message() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x.test", "b@x.test");
    c.send(b"..\r\n...two\r\n.. x\r\nend.\r\n\r\n..\r\n.\r\n");
    assert!(c.reply().starts_with("250 "));
    let expected = b".\r\n..two\r\n. x\r\nend.\r\n\r\n.\r\n";
    assert_eq!(mock.messages()[0].data, expected);
}

#[test]
fn an_empty_message_is_accepted() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x.test", "b@x.test");
    assert!(c.cmd(".").starts_with("250 "));
    assert_eq!(mock.messages()[0].data, b"");
}

#[test]
fn the_null_sender_and_150_recipients_are_taken() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO client.test");
    assert_eq!(c.cmd("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
    let to: Vec<String> = (0..150).map(|i| format!("r{i}@x.test")).collect();
    // Pipelined: every RCPT in one write, then the replies.
    let rcpts: String =
        to.iter().map(|t| format!("RCPT TO:<{t}>\r\n")).collect();
    c.send(rcpts.as_bytes());
    for _ in &to {
        assert_eq!(c.reply(), "250 2.1.5 Ok\r\n");
    }
    c.cmd("DATA");
    assert!(c.cmd("bounce\r\n.").starts_with("250 "));
    let kept = &mock.messages()[0];
    assert_eq!(kept.mail_from, "");
    assert_eq!(kept.rcpt_to, to);
}

#[test]
fn a_multi_line_greeting_and_chosen_ehlo_keywords_are_sent() {
    let mock = Script::new()
        .hostname("big.test")
        .greeting("220-big.test ESMTP\n220-welcome\n220 go on")
        .capabilities(&["SIZE 1000", "AUTH PLAIN"])
        .start()
        .unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(
        c.reply(),
        "220-big.test ESMTP\r\n220-welcome\r\n220 go on\r\n"
    );
    let ehlo = "250-big.test\r\n250-SIZE 1000\r\n250 AUTH PLAIN\r\n";
    assert_eq!(c.cmd("ehlo client.test"), ehlo);
    assert_eq!(c.cmd("HELO client.test"), "250 big.test\r\n");
}

#[test]
fn a_refused_ehlo_leaves_helo_to_the_client() {
    let mock = Script::new()
        .reply("EHLO", "502 5.5.2 Error: command not implemented")
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    assert!(c.cmd("EHLO client.test").starts_with("502 "));
    assert_eq!(
        c.cmd("MAIL FROM:<a@x>"),
        "503 5.5.1 Error: send HELO/EHLO first\r\n"
    );
    assert_eq!(c.cmd("HELO client.test"), "250 mock.test\r\n");
    assert_eq!(c.cmd("MAIL FROM:<a@x>"), "250 2.1.0 Ok\r\n");
}

#[test]
fn a_reply_per_recipient_refuses_only_that_recipient() {
    let mock = Script::new()
        .reply_rcpt("bob", "550 5.1.1 no such user")
        .reply_rcpt("full@x.test", "452 4.2.2 mailbox full")
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<a@x.test>");
    assert_eq!(c.cmd("RCPT TO:<Bob@x.test>"), "550 5.1.1 no such user\r\n");
    assert_eq!(c.cmd("RCPT TO:<full@x.test>"), "452 4.2.2 mailbox full\r\n");
    assert_eq!(c.cmd("RCPT TO:<carol@x.test>"), "250 2.1.5 Ok\r\n");
    c.cmd("DATA");
    c.cmd("hi\r\n.");
    assert_eq!(mock.messages()[0].rcpt_to, ["carol@x.test"]);
}

#[test]
fn the_nth_use_of_a_verb_gets_its_own_reply() {
    let mock = Script::new()
        .replies("RCPT", &["250 2.1.5 first", "550 5.1.1 second"])
        .reply_nth("RCPT", 4, "452 4.5.3 fourth")
        .start()
        .unwrap();
    // The count is per session: a second session starts again at 1.
    for _ in 0..2 {
        let mut c = Client::greeted(&mock);
        c.cmd("EHLO client.test");
        c.cmd("MAIL FROM:<a@x.test>");
        let replies: Vec<String> = (1..=5)
            .map(|i| c.cmd(&format!("RCPT TO:<r{i}@x>")))
            .collect();
        let expected = [
            "250 2.1.5 first\r\n",
            "550 5.1.1 second\r\n",
            "250 2.1.5 Ok\r\n",
            "452 4.5.3 fourth\r\n",
            "250 2.1.5 Ok\r\n",
        ];
        assert_eq!(replies, expected);
    }
}

#[test]
fn soft_and_hard_rejects_of_mail_keep_the_session_going() {
    let mock = Script::new()
        .replies("MAIL", &["451 4.3.0 try later", "553 5.7.1 not you"])
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO client.test");
    assert_eq!(c.cmd("MAIL FROM:<a@x>"), "451 4.3.0 try later\r\n");
    assert_eq!(c.cmd("MAIL FROM:<a@x>"), "553 5.7.1 not you\r\n");
    // A refused MAIL opened no transaction: RCPT still needs MAIL.
    assert_eq!(
        c.cmd("RCPT TO:<b@x>"),
        "503 5.5.1 Error: need MAIL command\r\n"
    );
    assert_eq!(c.cmd("MAIL FROM:<a@x>"), "250 2.1.0 Ok\r\n");
}

#[test]
fn the_end_of_data_reply_is_scripted_apart_from_the_354() {
    let mock = Script::new()
        .reply("DATA", "354 send it")
        .replies(DOT, &["554 5.7.1 looks like spam"])
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<a@x>");
    c.cmd("RCPT TO:<b@x>");
    assert_eq!(c.cmd("DATA"), "354 send it\r\n");
    assert_eq!(c.cmd("spam\r\n."), "554 5.7.1 looks like spam\r\n");
    c.cmd("MAIL FROM:<a@x>");
    c.cmd("RCPT TO:<b@x>");
    c.cmd("DATA");
    assert_eq!(c.cmd("ham\r\n."), "250 2.0.0 Ok: queued as MOCK0001\r\n");
    assert_eq!(mock.messages().len(), 1);
    assert_eq!(mock.messages()[0].data, b"ham\r\n");
}

/// S12: 421 after a command, and as the greeting, then the close.
#[test]
fn a_421_closes_the_connection_after_any_command_or_as_greeting() {
    let before = ["EHLO c", "MAIL FROM:<a@x>", "RCPT TO:<b@x>"];
    let cases = [
        ("EHLO", 0, "EHLO c"),
        ("MAIL", 1, "MAIL FROM:<a@x>"),
        ("RCPT", 2, "RCPT TO:<b@x>"),
        ("DATA", 3, "DATA"),
        ("NOOP", 0, "NOOP"),
        ("QUIT", 1, "QUIT"),
    ];
    for (verb, steps, line) in cases {
        let mock = Script::new()
            .reply_and_close(verb, "421 4.3.2 closing")
            .start()
            .unwrap();
        let mut c = Client::greeted(&mock);
        for earlier in &before[..steps] {
            assert!(c.cmd(earlier).starts_with("250"), "{verb}: {earlier}");
        }
        assert_eq!(c.cmd(line), "421 4.3.2 closing\r\n", "{verb}");
        assert_eq!(c.rest(), "", "{verb}: closed after the 421");
    }
    let mock = Script::new()
        .greeting("421 4.3.2 mock.test busy")
        .start()
        .unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(c.reply(), "421 4.3.2 mock.test busy\r\n");
    assert_eq!(c.rest(), "");
}

#[test]
fn a_scripted_421_in_a_sequence_closes_too() {
    let mock = Script::new()
        .replies("RCPT", &["250 2.1.5 Ok", "421 4.7.0 too fast"])
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO c");
    c.cmd("MAIL FROM:<a@x>");
    c.cmd("RCPT TO:<b@x>");
    assert_eq!(c.cmd("RCPT TO:<c@x>"), "421 4.7.0 too fast\r\n");
    assert_eq!(c.rest(), "");
}

/// S13: disconnects without a reply: after MAIL, during DATA, after the
/// final dot. None of them keeps a message.
#[test]
fn disconnects_without_a_reply_keep_nothing() {
    let cases = [
        (Script::new().disconnect_after("MAIL"), "MAIL"),
        (Script::new().disconnect_in_data(0), "DATA start"),
        (Script::new().disconnect_in_data(2), "DATA middle"),
        (Script::new().disconnect_after(DOT), "dot"),
    ];
    for (script, stage) in cases {
        let mock = script.start().unwrap();
        let mut c = Client::greeted(&mock);
        c.cmd("EHLO client.test");
        if stage == "MAIL" {
            c.send(b"MAIL FROM:<a@x>\r\n");
            assert_eq!(c.rest(), "", "{stage}");
        } else {
            c.cmd("MAIL FROM:<a@x>");
            c.cmd("RCPT TO:<b@x>");
            assert!(c.cmd("DATA").starts_with("354"), "{stage}");
            // All of it in one write: the mock stops reading mid-way.
            c.send(b"one\r\ntwo\r\nthree\r\n.\r\n");
            assert_eq!(c.rest(), "", "{stage}");
        }
        assert!(mock.wait_for_sessions(1, TIMEOUT));
        assert!(mock.messages().is_empty(), "{stage}");
    }
}

#[test]
fn a_delayed_reply_comes_no_sooner_than_the_delay() {
    let delay = Duration::from_millis(150);
    let mock = Script::new().delay("MAIL", delay).start().unwrap();
    let mut c = Client::greeted(&mock);
    c.cmd("EHLO c");
    let sent = Instant::now();
    assert_eq!(c.cmd("MAIL FROM:<a@x>"), "250 2.1.0 Ok\r\n");
    assert!(sent.elapsed() >= delay);
}

#[test]
fn byte_at_a_time_writes_every_reply_byte_separately() {
    let mock = Script::new().byte_at_a_time().start().unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(c.reply(), "220 mock.test ESMTP inet-mocks\r\n");
    let ehlo = c.cmd("EHLO c");
    assert!(ehlo.starts_with("250-mock.test\r\n250-PIPELINING\r\n"));
    assert_eq!(c.cmd("QUIT"), "221 2.0.0 Bye\r\n");
    assert!(mock.wait_for_sessions(1, TIMEOUT));
    // The transcript records each write: every one is a single byte.
    let entries = mock.transcripts()[0].entries();
    let writes: Vec<_> =
        entries.iter().filter(|e| e.dir == Dir::ToClient).collect();
    assert!(writes.len() > 100);
    assert!(writes.iter().all(|write| write.bytes.len() == 1));
}

#[test]
fn lf_only_replies_end_lines_with_a_bare_lf() {
    let mock = Script::new()
        .lf_only()
        .capabilities(&["SIZE 9"])
        .start()
        .unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(c.reply(), "220 mock.test ESMTP inet-mocks\n");
    assert_eq!(c.cmd("EHLO c"), "250-mock.test\n250 SIZE 9\n");
}

/// M7: a command line longer than 512 octets, here a 10 MiB stream with
/// no line end at all, gets `500` and the close, and the mock reads only
/// a bounded amount of it.
#[test]
fn an_endless_command_line_gets_500_and_the_close() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    let mut writer = c.stream.try_clone().unwrap();
    let flood = thread::spawn(move || {
        let chunk = vec![b'A'; 64 * 1024];
        // The mock hangs up long before the end: a failed write is the
        // expected outcome, not an error.
        for _ in 0..160 {
            if writer.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    assert_eq!(c.reply(), "500 5.5.2 Error: line too long\r\n");
    assert_eq!(c.rest(), "", "closed after the 500");
    flood.join().unwrap();
    assert!(mock.wait_for_sessions(1, TIMEOUT));
    let read = mock.transcripts()[0].bytes_from_client().len();
    // One read of at most 4 KiB (the mock's read size) is enough to see
    // that the line is too long.
    assert!(read <= 4096, "the mock read {read} bytes");
}

#[test]
fn the_command_line_limit_is_512_octets_with_the_crlf() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    let fits = format!("NOOP {}", "x".repeat(512 - 7));
    assert_eq!(c.cmd(&fits), "250 2.0.0 Ok\r\n");
    let over = format!("NOOP {}", "x".repeat(512 - 6));
    assert_eq!(c.cmd(&over), "500 5.5.2 Error: line too long\r\n");
    assert_eq!(c.rest(), "");
}

#[test]
fn an_overlong_text_line_refuses_the_message_but_not_the_session() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x", "b@x");
    let fits = "y".repeat(998);
    let long = "z".repeat(50_000);
    c.send(format!("{fits}\r\n{long}\r\nafter\r\n.\r\n").as_bytes());
    assert_eq!(c.reply(), "500 5.5.2 Error: message line too long\r\n");
    assert!(mock.messages().is_empty());
    // Still in step: a new transaction works.
    c.cmd("MAIL FROM:<a@x>");
    c.cmd("RCPT TO:<b@x>");
    c.cmd("DATA");
    let kept = format!("{fits}\r\n.");
    assert!(c.cmd(&kept).starts_with("250 "));
    assert_eq!(mock.messages()[0].data, format!("{fits}\r\n").as_bytes());
}

#[test]
fn a_message_over_the_size_limit_gets_552() {
    let mock = Script::new().max_message_size(10).start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x", "b@x");
    assert_eq!(
        c.cmd("0123456789\r\n."),
        "552 5.3.4 Error: message too big\r\n"
    );
    c.cmd("MAIL FROM:<a@x>");
    c.cmd("RCPT TO:<b@x>");
    c.cmd("DATA");
    assert!(c.cmd("01234567\r\n.").starts_with("250 "));
}

/// S19: end-of-data look-alikes never end the message. Those with a bare
/// LF get `421` and the close; none yields a second message, even with
/// a MAIL FROM pipelined behind it.
#[test]
fn smuggled_ends_of_data_never_make_two_messages() {
    let smuggled = "MAIL FROM:<evil@x>\r\nRCPT TO:<victim@x>\r\nDATA\r\n\
                    Subject: smuggled\r\n";
    let bare_lf = ["\n.\n", "\n.\r\n", "\r\n.\n", "hi\n"];
    for fake_end in bare_lf {
        let mock = Script::new().start().unwrap();
        let mut c = Client::greeted(&mock);
        c.start_message("a@x", "b@x");
        let payload =
            format!("Subject: x\r\n\r\nbody{fake_end}{smuggled}.\r\n");
        c.send(payload.as_bytes());
        c.send(b"MAIL FROM:<next@x>\r\n");
        let reply = c.reply();
        assert_eq!(reply, "421 4.5.0 mock.test Error: bare <LF> received\r\n");
        assert_eq!(c.rest(), "", "{fake_end:?}: closed");
        assert!(mock.wait_for_sessions(1, TIMEOUT));
        assert!(mock.messages().is_empty(), "{fake_end:?}");
    }
    // \r\r\n is a CR then a proper CRLF: text, not an end.
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x", "b@x");
    let payload = format!("body\r\r\n.\r\r\n{smuggled}.\r\n");
    c.send(payload.as_bytes());
    c.send(b"MAIL FROM:<next@x>\r\n");
    assert!(c.reply().starts_with("250 2.0.0 Ok: queued as MOCK0001"));
    assert_eq!(c.reply(), "250 2.1.0 Ok\r\n");
    let expected = format!("body\r\r\n\r\r\n{smuggled}");
    assert_eq!(mock.messages().len(), 1);
    assert_eq!(mock.messages()[0].data, expected.as_bytes());
}

/// M6: unknown commands, commands out of sequence, a second EHLO.
#[test]
fn commands_out_of_sequence_get_503_and_unknown_ones_500() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    let table = [
        ("FOO bar", "500 5.5.2 Error: command not recognized"),
        ("MAIL FROM:<a@x>", "503 5.5.1 Error: send HELO/EHLO first"),
        ("EHLO client.test", "250-mock.test"),
        ("RCPT TO:<b@x>", "503 5.5.1 Error: need MAIL command"),
        ("DATA", "503 5.5.1 Error: need MAIL command"),
        ("MAIL FROM:<a@x>", "250 2.1.0 Ok"),
        ("DATA", "503 5.5.1 Error: need RCPT command"),
        ("RCPT TO:<b@x>", "250 2.1.5 Ok"),
        ("EHLO client.test", "250-mock.test"),
        ("DATA", "503 5.5.1 Error: need MAIL command"),
        ("MAIL FROM:<a@x>", "250 2.1.0 Ok"),
        ("RSET", "250 2.0.0 Ok"),
        ("RCPT TO:<b@x>", "503 5.5.1 Error: need MAIL command"),
        (
            "VRFY bob",
            "252 2.0.0 Cannot VRFY user, but will accept message",
        ),
        ("mail from:<a@x>", "250 2.1.0 Ok"),
    ];
    for (line, expected) in table {
        let reply = c.cmd(line);
        assert!(reply.starts_with(expected), "{line}: {reply}");
    }
    assert_eq!(c.cmd("QUIT"), "221 2.0.0 Bye\r\n");
}

#[test]
fn commands_typed_with_a_bare_lf_are_understood() {
    let mock = Script::new().start().unwrap();
    let mut c = Client::greeted(&mock);
    c.send(b"NOOP\n");
    assert_eq!(c.reply(), "250 2.0.0 Ok\r\n");
}

/// M8: a silent client, and one dribbling a byte at a time, both get
/// `421` at the idle timeout.
#[test]
fn an_idle_client_gets_421_and_the_close() {
    let idle = Duration::from_millis(200);
    let mock = Script::new().idle_timeout(idle).start().unwrap();
    let mut c = Client::greeted(&mock);
    let reply = c.reply();
    assert_eq!(reply, "421 4.4.2 mock.test Error: timeout exceeded\r\n");
    assert_eq!(c.rest(), "");

    // A dribbler: a byte every 50 ms never completes a line in time.
    // The clock starts before the connection: the mock's starts after it.
    let started = Instant::now();
    let mut c = Client::greeted(&mock);
    let mut writer = c.stream.try_clone().unwrap();
    let dribble = thread::spawn(move || {
        for &byte in b"NOOP with a long tail to dribble\r\n" {
            thread::sleep(Duration::from_millis(50));
            if writer.write_all(&[byte]).is_err() {
                return;
            }
        }
    });
    let reply = c.reply();
    assert_eq!(reply, "421 4.4.2 mock.test Error: timeout exceeded\r\n");
    assert!(started.elapsed() >= idle);
    dribble.join().unwrap();
}

#[test]
fn the_idle_clock_runs_per_line_during_data_too() {
    let idle = Duration::from_millis(200);
    let mock = Script::new().idle_timeout(idle).start().unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x", "b@x");
    c.send(b"half a line");
    let reply = c.reply();
    assert_eq!(reply, "421 4.4.2 mock.test Error: timeout exceeded\r\n");
    assert!(mock.messages().is_empty());
}

/// S23: stopping the server tells connected clients `421` first, even
/// one in the middle of a message or in a delay.
#[test]
fn stopping_the_server_says_421_to_connected_clients() {
    let mock = Script::new()
        .delay("NOOP", Duration::from_secs(60))
        .start()
        .unwrap();
    let mut idle = Client::greeted(&mock);
    let mut in_data = Client::greeted(&mock);
    in_data.start_message("a@x", "b@x");
    in_data.send(b"half a message\r\n");
    let mut delayed = Client::greeted(&mock);
    delayed.send(b"NOOP\r\n");
    // Whether or not the mock has read those lines yet, each session
    // must answer the stop with a 421 (a 60 s delay included).
    drop(mock);
    let goodbye =
        "421 4.3.2 mock.test Service shutting down, closing channel\r\n";
    for client in [&mut idle, &mut in_data, &mut delayed] {
        assert_eq!(client.reply(), goodbye);
        assert_eq!(client.rest(), "");
    }
}

#[test]
fn waiting_for_messages_returns_once_they_are_kept() {
    let mock = Script::new().start().unwrap();
    assert!(!mock.wait_for_messages(1, Duration::from_millis(20)));
    let addr = mock.addr();
    let sender = thread::spawn(move || {
        let mut c = Client::connect(addr);
        c.reply();
        c.send(b"EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
        c.send(b"one\r\n.\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
        c.send(b"two\r\n.\r\nQUIT\r\n");
        c.rest()
    });
    assert!(mock.wait_for_messages(2, TIMEOUT));
    let data: Vec<_> = mock.messages().into_iter().map(|m| m.data).collect();
    assert_eq!(data, [b"one\r\n".to_vec(), b"two\r\n".to_vec()]);
    assert!(sender.join().unwrap().ends_with("221 2.0.0 Bye\r\n"));
    assert!(mock.wait_for_sessions(1, TIMEOUT));
}

#[test]
fn a_failing_message_hook_turns_the_250_into_451() {
    let mock = Script::new()
        .on_message(|_, _| Err(std::io::Error::other("disk full")))
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.start_message("a@x", "b@x");
    assert_eq!(c.cmd("x\r\n."), "451 4.3.0 Error: not kept: disk full\r\n");
    assert!(mock.messages().is_empty());
}

#[test]
fn a_delayed_greeting_and_a_greeting_disconnect() {
    let delay = Duration::from_millis(100);
    let mock = Script::new().delay(GREETING, delay).start().unwrap();
    let started = Instant::now();
    let mut c = Client::connect(mock.addr());
    assert!(c.reply().starts_with("220 "));
    assert!(started.elapsed() >= delay);

    let mock = Script::new().disconnect_after(GREETING).start().unwrap();
    let mut c = Client::connect(mock.addr());
    assert_eq!(c.rest(), "");
}

/// A timeout or delay too long for the clock means "never", not a
/// panic in the session's thread.
#[test]
fn endless_timeouts_and_delays_are_waits_not_panics() {
    let mut mock = Script::new()
        .idle_timeout(Duration::MAX)
        .delay("RSET", Duration::MAX)
        .start()
        .unwrap();
    let mut c = Client::greeted(&mock);
    c.send(b"NOOP\r\n");
    assert_eq!(c.reply(), "250 2.0.0 Ok\r\n");
    c.send(b"RSET\r\n");
    mock.stop();
    assert!(c.reply().starts_with("421 4.3.2 "));
}

/// Row V1: with two sessions running and a cap of two, the next client
/// is greeted with `421` and disconnected (RFC 5321 §3.8), the event
/// hook hears of it, and a place freed is taken by the next client.
#[test]
fn v1_a_client_past_the_cap_is_greeted_with_421_and_closed() {
    let (tx, events) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let mock = Script::new()
        .max_connections(2)
        .on_event(move |event| {
            if let Event::Refused { peer } = event {
                let _ = tx.lock().unwrap().send(*peer);
            }
        })
        .start()
        .unwrap();
    let mut first = Client::greeted(&mock);
    let _second = Client::greeted(&mock);
    let mut extra = Client::connect(mock.addr());
    let busy = "421 4.3.2 mock.test Error: too many connections, try later\r\n";
    assert_eq!(extra.reply(), busy);
    assert_eq!(extra.rest(), "");
    let peer = events.recv_timeout(TIMEOUT).unwrap();
    assert_eq!(peer, extra.stream.local_addr().unwrap());

    assert_eq!(first.cmd("QUIT"), "221 2.0.0 Bye\r\n");
    assert!(mock.wait_for_sessions(1, TIMEOUT));
    Client::greeted(&mock);
    assert_eq!(mock.transcripts().len(), 3, "sessions held");
}
