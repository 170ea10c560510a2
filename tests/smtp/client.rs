//! `inet::smtp::client::Client` against the mock SMTP server (`inet_mocks::smtp`)
//! and, for replies no sane server sends, against scripted handlers on
//! the generic `MockServer`. Row ids (S1...) are those of the catalogue
//! of bad inputs and faults, `tests/README.md`.

use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use inet::smtp::Step;
use inet::smtp::client::{Client, Error};
use inet::smtp::reply::ReplyError;
use inet::smtp::session::{MAX_GROUP, Stop};
use inet_mocks::smtp::{DOT, GREETING, Script, SmtpMock};
use inet_mocks::{Conn, MockServer};

/// The timeout for exchanges that should succeed.
const WAIT: Duration = Duration::from_secs(5);
/// The timeout for a server that is meant to stay silent.
const SHORT: Duration = Duration::from_millis(150);

fn connect(mock: &SmtpMock) -> Client {
    Client::connect("127.0.0.1", mock.addr().port(), WAIT).expect("connect")
}

fn try_connect(mock: &SmtpMock, timeout: Duration) -> Result<Client, Error> {
    Client::connect("127.0.0.1", mock.addr().port(), timeout)
}

/// Starts `script`, connects, and tries to send a short message that
/// is meant to fail; returns the mock, the client and the error.
fn failing_send(script: Script) -> (SmtpMock, Client, Error) {
    let mock = script.start().unwrap();
    let mut client = connect(&mock);
    let result = client.sendmail("a@x.test", &["b@y.test"], b"hi");
    let err = result.expect_err("the send should fail");
    (mock, client, err)
}

/// What the client sent in the first session, once it is over.
fn sent(mock: &SmtpMock) -> String {
    assert!(mock.wait_for_sessions(1, WAIT), "the session did not end");
    let bytes = mock.transcripts()[0].bytes_from_client();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The verbs the client sent (first word of each line), for checking
/// that no RSET follows a 421, say.
fn verbs(sent: &str) -> Vec<String> {
    let first = |l: &str| l.split([' ', ':']).next().unwrap_or("").to_owned();
    sent.lines().map(first).collect()
}

/// A `Write` a test can read back, for the debug lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn a_message_arrives_crlf_normalised_with_its_dots() {
    // Rows S3, S4, S5: bare LF, bare CR, CRLF, dot lines, no final line end.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let body = b"Subject: dots\n\n.\n..\r\n.x\rlast\r\r\nno end";
    let refused = client.sendmail("a@x.test", &["b@y.test"], body).unwrap();
    assert!(refused.is_empty());
    client.quit().unwrap();
    let messages = mock.messages();
    assert_eq!(messages.len(), 1);
    let expected =
        b"Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nlast\r\n\r\nno end\r\n";
    assert_eq!(messages[0].data, expected);
    assert_eq!(messages[0].mail_from, "a@x.test");
    assert_eq!(messages[0].rcpt_to, ["b@y.test"]);
    // SIZE is advertised: MAIL carries the CRLF size (RFC 1870).
    let size = format!("mail FROM:<a@x.test> size={}\r\n", expected.len());
    assert!(sent(&mock).contains(&size));
}

#[test]
fn an_empty_message_is_just_the_final_dot() {
    // Row S5.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    client.sendmail("a@x.test", &["b@y.test"], b"").unwrap();
    client.quit().unwrap();
    assert_eq!(mock.messages()[0].data, b"");
    assert!(sent(&mock).contains("data\r\n.\r\nquit\r\n"));
}

#[test]
fn an_injected_command_never_reaches_the_server() {
    // Row S1: the sender, a recipient, and the EHLO name.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let evil = "a@x.test>\r\nRCPT TO:<X-INJECTED@y.test";
    let err = client.sendmail(evil, &["b@y.test"], b"hi").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Refused(Stop::Command {
                step: Step::Mail,
                ..
            })
        ),
        "{err}"
    );
    let err = client
        .sendmail("a@x.test", &["b@y\nX-INJECTED"], b"hi")
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Refused(Stop::Command {
                step: Step::Rcpt,
                ..
            })
        ),
        "{err}"
    );
    client.quit().unwrap();
    let sent = sent(&mock);
    assert!(!sent.contains("X-INJECTED"), "{sent}");
    // The session stayed usable: every line of the envelope is checked
    // before any is sent, so nothing of it went out.
    assert_eq!(verbs(&sent), ["ehlo", "quit"]);
}

#[test]
fn without_pipelining_an_injected_rcpt_is_refused_before_mail_too() {
    // Row S1, one command per round trip: the whole envelope is checked
    // before MAIL goes out, so no transaction is left half open, and the
    // next message goes through.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    client.set_pipelining(false);
    let err = client
        .sendmail("a@x.test", &["c@y.test", "b@y\nX-INJECTED"], b"hi")
        .unwrap_err();
    let step = err.step();
    assert!(matches!(err, Error::Refused(Stop::Command { .. })), "{err}");
    assert_eq!(step, Some(Step::Rcpt));
    client.sendmail("a@x.test", &["c@y.test"], b"hi").unwrap();
    client.quit().unwrap();
    assert_eq!(
        verbs(&sent(&mock)),
        ["ehlo", "mail", "rcpt", "data", "hi", ".", "quit"]
    );
}

#[test]
fn an_injected_ehlo_name_is_refused_before_sending() {
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    client.set_local_hostname("me\r\nMAIL FROM:<X-INJECTED>");
    let err = client.ehlo().unwrap_err();
    assert!(matches!(
        err,
        Error::Refused(Stop::Command {
            step: Step::Hello,
            ..
        })
    ));
    client.quit().unwrap();
    assert_eq!(sent(&mock), "quit\r\n");
}

#[test]
fn an_address_over_the_rfc_limits_is_refused_before_sending() {
    // Row S2.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let long = format!("{}@x.test", "a".repeat(65));
    let err = client.sendmail(&long, &["b@y.test"], b"hi").unwrap_err();
    assert!(err.to_string().contains("local part"), "{err}");
    client.quit().unwrap();
    assert_eq!(verbs(&sent(&mock)), ["ehlo", "quit"]);
}

#[test]
fn multiline_greeting_and_ehlo_are_read_whole() {
    // Row S7, with replies in one-byte pieces and LF-only line ends.
    let mock = Script::new()
        .greeting("220-mock.test hello\n220-234 digits first\n220 ready")
        .capabilities(&["SIZE 1000", "PIPELINING", "8BITMIME"])
        .byte_at_a_time()
        .lf_only()
        .start()
        .unwrap();
    let mut client = connect(&mock);
    let ehlo = client.ehlo().unwrap();
    assert_eq!(ehlo.code, 250);
    assert_eq!(ehlo.lines.len(), 4);
    assert!(client.has_extension("SIZE") && client.has_extension("pipelining"));
    assert_eq!(client.extension("size"), Some("1000"));
    client.sendmail("a@x.test", &["b@y.test"], b"hi\n").unwrap();
    client.quit().unwrap();
    assert_eq!(mock.messages()[0].data, b"hi\r\n");
}

#[test]
fn ehlo_refused_falls_back_to_helo_without_size() {
    let mock = Script::new()
        .reply("EHLO", "502 5.5.2 command not recognized")
        .start()
        .unwrap();
    let mut client = connect(&mock);
    client.sendmail("a@x.test", &["b@y.test"], b"hi").unwrap();
    client.quit().unwrap();
    let sent = sent(&mock);
    assert_eq!(
        verbs(&sent),
        ["ehlo", "helo", "mail", "rcpt", "data", "hi", ".", "quit"]
    );
    assert!(sent.contains("mail FROM:<a@x.test>\r\n"), "{sent}");
}

#[test]
fn ehlo_and_helo_refused_is_a_helo_error() {
    let (_mock, _client, err) = failing_send(
        Script::new()
            .reply("EHLO", "502 5.5.2 no")
            .reply("HELO", "550 5.7.1 go away"),
    );
    let Error::Refused(Stop::Hello(reply)) = &err else {
        panic!("{err}")
    };
    assert_eq!(reply.code, 550);
    assert_eq!(err.step(), Some(Step::Hello));
}

/// A server that greets, reads the first command (EHLO), sends `reply`
/// and keeps the connection open without another word.
fn scripted(reply: impl AsRef<[u8]> + Send + Sync + 'static) -> MockServer {
    MockServer::start(move |mut conn: Conn| {
        let mut buf = [0; 512];
        let _ = conn.write_all(b"220 scripted\r\n");
        let _ = std::io::Read::read(&mut conn, &mut buf);
        let _ = conn.write_all(reply.as_ref());
        // Stay connected and silent until the client hangs up.
        let _ = std::io::copy(&mut conn, &mut std::io::sink());
    })
    .unwrap()
}

fn scripted_client(server: &MockServer) -> Client {
    Client::connect("127.0.0.1", server.addr().port(), WAIT).unwrap()
}

#[test]
fn malformed_replies_fail_at_once_not_at_the_timeout() {
    // Row S8: the server stays connected after each bad reply; the
    // client must not wait for more lines.
    let cases: [&[u8]; 4] = [
        b"250-x\r\n550 y\r\n",
        b"2x0 oops\r\n",
        b"150 too low\r\n",
        b"650 too high\r\n",
    ];
    for wire in cases {
        let server = scripted(wire);
        let mut client = scripted_client(&server);
        let started = Instant::now();
        let err = client.ehlo().unwrap_err();
        assert!(started.elapsed() < WAIT / 2, "{wire:?} waited");
        assert!(
            matches!(
                err,
                Error::Protocol {
                    step: Step::Hello,
                    ..
                }
            ),
            "{err}"
        );
        assert!(!client.is_connected());
    }
}

#[test]
fn an_overlong_reply_line_is_refused_with_bounded_memory() {
    // Row S9: a line far over 512 octets, never ended.
    let server = scripted([&b"250 "[..], &[b'x'; 16 * 1024]].concat());
    let mut client = scripted_client(&server);
    let err = client.ehlo().unwrap_err();
    let Error::Protocol { error, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*error, ReplyError::LineTooLong(512));
    assert!(err.to_string().contains("reply line too long"), "{err}");
}

#[test]
fn transient_refusals_are_told_apart_and_followed_by_rset() {
    // Row S10: 4xx on MAIL, on the only RCPT, after the final dot.
    for (verb, step) in [
        ("MAIL", Step::Mail),
        ("RCPT", Step::Rcpt),
        (DOT, Step::FinalDot),
    ] {
        let (mock, mut client, err) =
            failing_send(Script::new().reply(verb, "451 4.3.0 try later"));
        assert!(err.is_transient(), "{verb}: {err}");
        assert_eq!(err.step(), Some(step), "{err}");
        assert!(err.to_string().contains("451 4.3.0 try later"), "{err}");
        client.quit().unwrap();
        let verbs = verbs(&sent(&mock));
        assert_eq!(verbs[verbs.len() - 2..], ["rset", "quit"], "{verb}");
        assert!(mock.messages().is_empty());
    }
}

#[test]
fn permanent_refusals_of_mail_and_data() {
    // Row S11 (MAIL), and DATA refused.
    let (_mock, _client, err) =
        failing_send(Script::new().reply("MAIL", "550 5.7.1 not you"));
    let Error::Refused(Stop::Sender { sender, reply }) = &err else {
        panic!("{err}")
    };
    assert_eq!((sender.as_str(), reply.code), ("a@x.test", 550));
    assert!(!err.is_transient());

    let (mock, mut client, err) =
        failing_send(Script::new().reply("DATA", "554 5.5.1 no data"));
    assert!(matches!(err, Error::Refused(Stop::Data(_))), "{err}");
    client.quit().unwrap();
    let verbs = verbs(&sent(&mock));
    assert_eq!(verbs, ["ehlo", "mail", "rcpt", "data", "rset", "quit"]);
}

#[test]
fn all_recipients_refused_lists_each_then_rset() {
    // Row S11.
    let mock = Script::new()
        .reply_rcpt("bob", "550 5.1.1 no such user")
        .reply_rcpt("carol", "450 4.2.1 mailbox busy")
        .start()
        .unwrap();
    let mut client = connect(&mock);
    let to = ["bob@y.test", "carol@y.test"];
    let err = client.sendmail("a@x.test", &to, b"hi").unwrap_err();
    let Error::Refused(Stop::Recipients(refused)) = &err else {
        panic!("{err}")
    };
    let codes: Vec<(&str, u16)> =
        refused.iter().map(|(t, r)| (t.as_str(), r.code)).collect();
    assert_eq!(codes, [("bob@y.test", 550), ("carol@y.test", 450)]);
    assert!(!err.is_transient(), "one of them is permanent");
    let text = err.to_string();
    assert!(
        text.contains("bob@y.test") && text.contains("450 4.2.1 mailbox busy"),
        "{text}"
    );
    client.quit().unwrap();
    // Pipelined (the mock offers it): DATA went out with the RCPTs, and
    // its 503 was read before RSET (RFC 2920 §3.1).
    assert_eq!(
        verbs(&sent(&mock)),
        ["ehlo", "mail", "rcpt", "rcpt", "data", "rset", "quit"]
    );
}

#[test]
fn some_recipients_refused_still_sends_and_returns_them() {
    // Row S11: two of three refused.
    let mock = Script::new()
        .reply_rcpt("bob", "550 5.1.1 no such user")
        .reply_rcpt("dave", "550 5.1.1 no such user")
        .start()
        .unwrap();
    let mut client = connect(&mock);
    let to = ["bob@y.test", "carol@y.test", "dave@y.test"];
    let refused = client.sendmail("a@x.test", &to, b"hi").unwrap();
    let who: Vec<&str> = refused.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(who, ["bob@y.test", "dave@y.test"]);
    client.quit().unwrap();
    assert_eq!(mock.messages()[0].rcpt_to, ["carol@y.test"]);
}

#[test]
fn a_421_closes_at_once_without_rset() {
    // Row S12: at MAIL, RCPT, DATA, after the final dot.
    let stages = [
        ("MAIL", Step::Mail),
        ("RCPT", Step::Rcpt),
        ("DATA", Step::Data),
        (DOT, Step::FinalDot),
    ];
    for (verb, step) in stages {
        let (mock, mut client, err) = failing_send(
            Script::new().reply_and_close(verb, "421 4.3.2 shutting down"),
        );
        assert_eq!(err.step(), Some(step), "{verb}: {err}");
        assert!(err.to_string().contains("421"), "{err}");
        assert!(!client.is_connected(), "{verb}");
        assert!(matches!(client.quit(), Err(Error::NotConnected)));
        let verbs = verbs(&sent(&mock));
        assert!(!verbs.contains(&"rset".to_owned()), "{verb}: {verbs:?}");
        assert!(!verbs.contains(&"quit".to_owned()), "{verb}: {verbs:?}");
    }
}

/// A server that answers 421 to `verb` (or, for `DOT`, to the message)
/// but then, unlike the mock, stays connected and reads on: whatever
/// the client sends after the 421 lands in the transcript.
fn lingering_421(verb: &'static str) -> MockServer {
    MockServer::start(move |conn: Conn| {
        let mut lines = BufReader::new(&conn);
        let say = |text: &str| (&conn).write_all(text.as_bytes()).is_ok();
        let mut line = String::new();
        let mut in_data = false;
        let mut talking = say("220 lingering\r\n");
        while talking && lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            let word = line.split([' ', '\r']).next().unwrap_or("");
            let reply = match (in_data, line.as_str()) {
                (true, ".\r\n") if verb == DOT => "421 4.3.2 bye\r\n",
                (true, ".\r\n") => "250 ok\r\n",
                (true, _) => "",
                _ if word.eq_ignore_ascii_case(verb) => "421 4.3.2 bye\r\n",
                _ if word == "data" => "354 go on\r\n",
                _ => "250 ok\r\n",
            };
            in_data = reply.starts_with("354") || (in_data && reply.is_empty());
            talking = say(reply);
            line.clear();
        }
    })
    .unwrap()
}

#[test]
fn after_a_421_nothing_more_is_sent_even_if_the_server_lingers() {
    // Row S12, checked on the wire: the mock hangs up after its 421, so
    // an RSET sent to it would be lost unseen; this server reads on.
    for (verb, step) in [
        ("mail", Step::Mail),
        ("rcpt", Step::Rcpt),
        ("data", Step::Data),
        (DOT, Step::FinalDot),
    ] {
        let server = lingering_421(verb);
        let mut client = scripted_client(&server);
        let err = client
            .sendmail("a@x.test", &["b@y.test"], b"hi")
            .unwrap_err();
        assert_eq!(err.step(), Some(step), "{verb}: {err}");
        assert!(!client.is_connected(), "{verb}");
        drop(client);
        assert!(server.wait_for_closed(1, WAIT), "{verb}");
        let sent = server.transcripts()[0].bytes_from_client();
        let sent = String::from_utf8_lossy(&sent).into_owned();
        // The 421'd line is the last one the client sent: no RSET, no QUIT.
        let last = sent.lines().last().unwrap_or("");
        let expected = if verb == DOT { "." } else { verb };
        assert!(last.starts_with(expected), "{verb}: {sent:?}");
    }
}

#[test]
fn a_421_greeting_or_a_554_one_is_a_connect_error() {
    // Rows S12 (greeting) and S15: no command is sent at all.
    for greeting in ["421 4.3.2 not now", "554 5.3.2 go away"] {
        let mock = Script::new().greeting(greeting).start().unwrap();
        let err = try_connect(&mock, WAIT).unwrap_err();
        let Error::Refused(Stop::Greeting(reply)) = &err else {
            panic!("{err}")
        };
        assert_eq!(reply.to_string(), greeting);
        assert_eq!(err.step(), Some(Step::Greeting));
        assert_eq!(sent(&mock), "");
    }
}

#[test]
fn a_disconnect_mid_transaction_is_server_disconnected() {
    // Row S13, before the final dot: the outcome is known (not sent).
    for (verb, step) in [
        ("EHLO", Step::Hello),
        ("MAIL", Step::Mail),
        ("RCPT", Step::Rcpt),
        ("DATA", Step::Data),
    ] {
        let (_mock, client, err) =
            failing_send(Script::new().disconnect_after(verb));
        let Error::ServerDisconnected { step: at, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(*at, step);
        assert!(
            err.to_string()
                .starts_with("Connection unexpectedly closed")
        );
        assert!(!err.outcome_unknown());
        assert!(!client.is_connected());
    }
}

#[test]
fn a_disconnect_after_the_final_dot_leaves_the_outcome_unknown() {
    // Row S13: the whole message went; no reply came. One DATA only.
    let (mock, _client, err) =
        failing_send(Script::new().disconnect_after(DOT));
    assert!(err.outcome_unknown(), "{err}");
    assert!(
        err.to_string().contains("may or may not have accepted"),
        "{err}"
    );
    let sent = sent(&mock);
    assert_eq!(sent.matches("data\r\n").count(), 1);
    assert!(mock.messages().is_empty());
}

#[test]
fn a_disconnect_in_the_middle_of_the_message_is_an_error() {
    let mock = Script::new().disconnect_in_data(1).start().unwrap();
    let mut client = connect(&mock);
    let body = b"line 1\nline 2\nline 3\n";
    let err = client
        .sendmail("a@x.test", &["b@y.test"], body)
        .unwrap_err();
    assert!(matches!(err, Error::ServerDisconnected { .. }), "{err}");
    assert!(mock.messages().is_empty());
}

#[test]
fn a_silent_server_times_out_per_command() {
    // Row S14: a late greeting, and a late reply to the final dot.
    let mock = Script::new().delay(GREETING, WAIT).start().unwrap();
    let started = Instant::now();
    let err = try_connect(&mock, SHORT).unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                step: Step::Greeting,
                ..
            }
        ),
        "{err}"
    );
    assert!(took >= SHORT && took < WAIT, "{took:?}");

    let mock = Script::new().delay(DOT, WAIT).start().unwrap();
    let mut client = connect(&mock);
    client.set_timeout(SHORT);
    let started = Instant::now();
    let err = client
        .sendmail("a@x.test", &["b@y.test"], b"hi")
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                step: Step::FinalDot,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.outcome_unknown());
    assert!(took >= SHORT && took < WAIT, "{took:?}");
    assert!(!client.is_connected());
}

#[test]
fn the_null_sender_and_a_hundred_recipients() {
    // Row S18.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let owned: Vec<String> = (0..100).map(|i| format!("r{i}@y.test")).collect();
    let to: Vec<&str> = owned.iter().map(String::as_str).collect();
    client.sendmail("", &to, b"bounce\n").unwrap();
    client.quit().unwrap();
    let message = &mock.messages()[0];
    assert_eq!(message.mail_from, "");
    assert_eq!(message.rcpt_to.len(), 100);
    assert!(sent(&mock).contains("mail FROM:<> size=8\r\n"));
}

#[test]
fn a_line_too_long_in_the_message_is_refused_before_mail() {
    // Row S6.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let body = vec![b'x'; 1200];
    let err = client
        .sendmail("a@x.test", &["b@y.test"], &body)
        .unwrap_err();
    assert!(matches!(err, Error::Message(_)), "{err}");
    client.quit().unwrap();
    assert_eq!(verbs(&sent(&mock)), ["quit"]);
}

#[test]
fn rset_noop_and_quit_return_replies() {
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    assert_eq!(client.noop().unwrap().code, 250);
    assert_eq!(client.rset().unwrap().code, 250);
    assert_eq!(client.quit().unwrap().code, 221);
    assert!(!client.is_connected());
}

/// The debug lines, as Python 2.7's smtplib printed them for the same
/// exchange with this mock (`set_debuglevel(1)` before `connect`,
/// `local_hostname='client.test'`, a message with CRLF line ends so that
/// both count the same SIZE). Captured with Python 2.7.18.
const PYTHON_DEBUG: &str = r#"connect: ('127.0.0.1', PORT)
connect: ('127.0.0.1', PORT)
reply: '220 mock.test ESMTP inet-mocks\r\n'
reply: retcode (220); Msg: mock.test ESMTP inet-mocks
connect: mock.test ESMTP inet-mocks
send: 'ehlo client.test\r\n'
reply: '250-mock.test\r\n'
reply: '250-PIPELINING\r\n'
reply: '250-SIZE 10240000\r\n'
reply: '250-8BITMIME\r\n'
reply: '250 ENHANCEDSTATUSCODES\r\n'
reply: retcode (250); Msg: mock.test
PIPELINING
SIZE 10240000
8BITMIME
ENHANCEDSTATUSCODES
send: 'mail FROM:<a@x.test> size=24\r\n'
reply: '250 2.1.0 Ok\r\n'
reply: retcode (250); Msg: 2.1.0 Ok
send: 'rcpt TO:<b@y.test>\r\n'
reply: '250 2.1.5 Ok\r\n'
reply: retcode (250); Msg: 2.1.5 Ok
send: 'data\r\n'
reply: '354 End data with <CR><LF>.<CR><LF>\r\n'
reply: retcode (354); Msg: End data with <CR><LF>.<CR><LF>
data: (354, 'End data with <CR><LF>.<CR><LF>')
send: "Subject: hi\r\n\r\nit's me\r\n.\r\n"
reply: '250 2.0.0 Ok: queued as MOCK0001\r\n'
reply: retcode (250); Msg: 2.0.0 Ok: queued as MOCK0001
data: (250, '2.0.0 Ok: queued as MOCK0001')
send: 'quit\r\n'
reply: '221 2.0.0 Bye\r\n'
reply: retcode (221); Msg: 2.0.0 Bye
"#;

#[test]
fn debug_lines_match_python_2_smtplib() {
    let mock = Script::new().start().unwrap();
    let out = Captured::default();
    let port = mock.addr().port();
    let debug = Some(Box::new(out.clone()) as Box<dyn Write + Send>);
    let mut client =
        Client::connect_with_debug("127.0.0.1", port, WAIT, debug).unwrap();
    client.set_local_hostname("client.test");
    // smtplib never pipelines: one command per round trip, like it.
    client.set_pipelining(false);
    client
        .sendmail("a@x.test", &["b@y.test"], b"Subject: hi\r\n\r\nit's me\r\n")
        .unwrap();
    client.quit().unwrap();
    let expected = PYTHON_DEBUG.replace("PORT", &port.to_string());
    assert_eq!(out.text(), expected);
}

#[test]
fn pipelined_debug_lines_are_smtplibs_with_the_sends_first() {
    let mock = Script::new().start().unwrap();
    let out = Captured::default();
    let port = mock.addr().port();
    let debug = Some(Box::new(out.clone()) as Box<dyn Write + Send>);
    let mut client =
        Client::connect_with_debug("127.0.0.1", port, WAIT, debug).unwrap();
    client.set_local_hostname("client.test");
    client
        .sendmail("a@x.test", &["b@y.test"], b"Subject: hi\r\n\r\nit's me\r\n")
        .unwrap();
    client.quit().unwrap();
    let python = PYTHON_DEBUG.replace("PORT", &port.to_string());
    let text = out.text();
    // The same lines...
    let mut ours: Vec<&str> = text.lines().collect();
    let mut theirs: Vec<&str> = python.lines().collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
    // ...but the three commands are sent before the first reply.
    let group = "send: 'mail FROM:<a@x.test> size=24\\r\\n'\n\
                 send: 'rcpt TO:<b@y.test>\\r\\n'\n\
                 send: 'data\\r\\n'\n\
                 reply: '250 2.1.0 Ok\\r\\n'\n";
    assert!(text.contains(group), "{text}");
}

/// smtplib's `set_debuglevel(0)` silences the debug lines from then on.
#[test]
fn set_debuglevel_zero_stops_the_debug_lines() {
    let mock = Script::new().start().unwrap();
    let out = Captured::default();
    let port = mock.addr().port();
    let debug = Some(Box::new(out.clone()) as Box<dyn Write + Send>);
    let mut client =
        Client::connect_with_debug("127.0.0.1", port, WAIT, debug).unwrap();
    let before = out.text();
    assert!(before.contains("connect: ('127.0.0.1', "), "{before}");
    client.set_debuglevel(0);
    client.noop().unwrap();
    client.quit().unwrap();
    assert_eq!(out.text(), before);
}

// Command pipelining (RFC 2920). The mock offers PIPELINING, so every
// test above that sends a message already pipelines; these check the
// group itself, and the replies no mock script gives.

/// A server for pipelining tests. It greets, answers EHLO with `ehlo`,
/// then answers each command line with the next of `replies` (when
/// they run out: `354 go on` to DATA, `250 ok` to anything else). After
/// a 354 it reads message text up to the lone dot, which takes the next
/// reply too. `CLOSE` hangs up at once; a 421 is sent, then it hangs up.
///
/// Everything it reads goes out on the returned channel, one item per
/// `read`, so a test sees which bytes arrived together. It answers the
/// lines of a read only once it has them all, so it never hangs up on
/// unread bytes (which would reset the connection instead of closing it).
fn group_server(
    ehlo: &'static str,
    replies: &[&'static str],
) -> (MockServer, std::sync::mpsc::Receiver<Vec<u8>>) {
    let (heard, chunks) = std::sync::mpsc::channel();
    let heard = Mutex::new(heard);
    let replies = replies.to_vec();
    let server = MockServer::start(move |mut conn: Conn| {
        let heard = heard.lock().unwrap().clone();
        let mut replies = replies.iter();
        let mut pending = Vec::new();
        let mut in_data = false;
        let mut greeted = false;
        let _ = conn.write_all(b"220 group\r\n");
        let mut buf = [0; 65536];
        loop {
            let n = match std::io::Read::read(&mut conn, &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buf[..n]);
            if greeted {
                let _ = heard.send(buf[..n].to_vec());
            }
            let mut out = Vec::new();
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                let reply = if !greeted {
                    greeted = true;
                    ehlo
                } else if in_data && line != b".\r\n" {
                    continue;
                } else {
                    let data = line.starts_with(b"data") && !in_data;
                    let default = if data { "354 go on" } else { "250 ok" };
                    replies.next().copied().unwrap_or(default)
                };
                in_data = reply.starts_with("354");
                if reply == "CLOSE" {
                    let _ = conn.write_all(&out);
                    return;
                }
                out.extend_from_slice(reply.as_bytes());
                out.extend_from_slice(b"\r\n");
                if reply.starts_with("421") {
                    let _ = conn.write_all(&out);
                    return;
                }
            }
            if conn.write_all(&out).is_err() {
                return;
            }
        }
    })
    .unwrap();
    (server, chunks)
}

const PIPELINING: &str = "250-group\r\n250 PIPELINING";

/// The lines the client sent in one chunk, as text.
fn chunk_text(chunks: &std::sync::mpsc::Receiver<Vec<u8>>) -> String {
    let chunk = chunks.recv_timeout(WAIT).expect("a chunk from the client");
    String::from_utf8_lossy(&chunk).into_owned()
}

/// Everything the client sent after EHLO, once the session is over.
fn everything(
    server: &MockServer,
    chunks: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> String {
    assert!(server.wait_for_closed(1, WAIT), "the session did not end");
    chunks
        .try_iter()
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .collect()
}

#[test]
fn with_pipelining_mail_rcpt_and_data_arrive_in_one_write() {
    let (server, chunks) = group_server(PIPELINING, &[]);
    let mut client = scripted_client(&server);
    let to = ["b@y.test", "c@y.test"];
    client.sendmail("a@x.test", &to, b"hi").unwrap();
    assert!(client.pipelines());
    assert_eq!(
        chunk_text(&chunks),
        "mail FROM:<a@x.test>\r\nrcpt TO:<b@y.test>\r\n\
         rcpt TO:<c@y.test>\r\ndata\r\n"
    );
    assert_eq!(chunk_text(&chunks), "hi\r\n.\r\n");
}

#[test]
fn without_pipelining_each_command_waits_for_its_reply() {
    // The server does not offer it, and then a client that asks for it
    // anyway must not pipeline either.
    for (ehlo, allowed) in [("250 group", true), (PIPELINING, false)] {
        let (server, chunks) = group_server(ehlo, &[]);
        let mut client = scripted_client(&server);
        client.set_pipelining(allowed);
        client.sendmail("a@x.test", &["b@y.test"], b"hi").unwrap();
        assert!(!client.pipelines());
        for expected in [
            "mail FROM:<a@x.test>\r\n",
            "rcpt TO:<b@y.test>\r\n",
            "data\r\n",
            "hi\r\n.\r\n",
        ] {
            assert_eq!(chunk_text(&chunks), expected, "{ehlo}");
        }
    }
}

#[test]
fn each_pipelined_reply_is_matched_to_its_command() {
    // Row S11 in a group: refusals in the middle, a 251 that accepts.
    let replies = [
        "250 sender ok",
        "550 5.1.1 no bob",
        "251 2.1.5 carol forwarded",
        "452 4.2.2 dave's mailbox full",
        "354 go on",
        "250 2.0.0 kept",
    ];
    let (server, chunks) = group_server(PIPELINING, &replies);
    let mut client = scripted_client(&server);
    let to = ["bob@y.test", "carol@y.test", "dave@y.test"];
    let refused = client.sendmail("a@x.test", &to, b"hi").unwrap();
    let codes: Vec<(&str, u16)> =
        refused.iter().map(|(t, r)| (t.as_str(), r.code)).collect();
    assert_eq!(codes, [("bob@y.test", 550), ("dave@y.test", 452)]);
    assert_eq!(refused[1].1.lines, ["4.2.2 dave's mailbox full"]);
    client.quit().unwrap();
    let sent = everything(&server, &chunks);
    assert!(sent.ends_with("hi\r\n.\r\nquit\r\n"), "{sent}");
}

#[test]
fn a_pipelined_refused_mail_reads_every_reply_then_rsets() {
    let replies = ["550 5.7.1 not you", "503 need MAIL", "503 need MAIL"];
    let (server, chunks) = group_server(PIPELINING, &replies);
    let mut client = scripted_client(&server);
    let err = client
        .sendmail("a@x.test", &["b@y.test"], b"hi")
        .unwrap_err();
    assert!(matches!(err, Error::Refused(Stop::Sender { .. })), "{err}");
    // The RSET's reply was read: the session is in step, NOOP works.
    assert_eq!(client.noop().unwrap().code, 250);
    client.quit().unwrap();
    assert_eq!(
        verbs(&everything(&server, &chunks)),
        ["mail", "rcpt", "data", "rset", "noop", "quit"]
    );
}

#[test]
fn a_pipelined_refused_data_rsets_and_sends_no_message() {
    let replies = ["250 ok", "250 ok", "451 4.3.0 not now"];
    let (server, chunks) = group_server(PIPELINING, &replies);
    let mut client = scripted_client(&server);
    let err = client
        .sendmail("a@x.test", &["b@y.test"], b"hi")
        .unwrap_err();
    assert!(matches!(err, Error::Refused(Stop::Data(_))));
    assert!(err.is_transient());
    client.quit().unwrap();
    let sent = everything(&server, &chunks);
    assert_eq!(verbs(&sent), ["mail", "rcpt", "data", "rset", "quit"]);
}

#[test]
fn all_recipients_refused_but_data_accepted_sends_a_lone_dot() {
    // RFC 2920 §3.1: DATA may get 354 even though no RCPT was accepted.
    // The server now reads message text: RSET would be a line of it. A
    // lone dot ends an empty message; then RSET; the message never goes.
    let replies = [
        "250 ok",
        "550 5.1.1 no bob",
        "550 5.1.1 no carol",
        "354 go on",
        "554 5.5.1 no valid recipients",
        "250 reset",
    ];
    let (server, chunks) = group_server(PIPELINING, &replies);
    let mut client = scripted_client(&server);
    let to = ["bob@y.test", "carol@y.test"];
    let err = client.sendmail("a@x.test", &to, b"secret").unwrap_err();
    let Error::Refused(Stop::Recipients(refused)) = &err else {
        panic!("{err}")
    };
    assert_eq!(refused.len(), 2);
    assert_eq!(err.step(), Some(Step::Rcpt));
    assert!(client.is_connected());
    client.quit().unwrap();
    let sent = everything(&server, &chunks);
    assert!(!sent.contains("secret"), "{sent}");
    assert!(sent.ends_with("data\r\n.\r\nrset\r\nquit\r\n"), "{sent}");
}

#[test]
fn all_recipients_refused_and_data_refused_is_just_rset() {
    let replies = ["250 ok", "550 no", "554 5.5.1 no valid recipients"];
    let (server, chunks) = group_server(PIPELINING, &replies);
    let mut client = scripted_client(&server);
    let err = client
        .sendmail("a@x.test", &["b@y.test"], b"hi")
        .unwrap_err();
    assert!(matches!(err, Error::Refused(Stop::Recipients(_))), "{err}");
    client.quit().unwrap();
    let sent = everything(&server, &chunks);
    assert_eq!(verbs(&sent), ["mail", "rcpt", "data", "rset", "quit"]);
}

#[test]
fn a_421_in_the_middle_of_a_group_closes_without_rset() {
    // Row S12 in a group: at MAIL, at an RCPT, at DATA.
    for (replies, step) in [
        (&["421 4.3.2 bye"][..], Step::Mail),
        (&["250 ok", "250 ok", "421 4.3.2 bye"][..], Step::Rcpt),
        (
            &["250 ok", "250 ok", "250 ok", "421 4.3.2 bye"][..],
            Step::Data,
        ),
    ] {
        let (server, chunks) = group_server(PIPELINING, replies);
        let mut client = scripted_client(&server);
        let to = ["b@y.test", "c@y.test"];
        let err = client.sendmail("a@x.test", &to, b"hi").unwrap_err();
        assert_eq!(err.step(), Some(step), "{err}");
        assert!(!client.is_connected(), "{step}");
        assert!(!err.outcome_unknown());
        if let Error::Refused(Stop::Recipients(refused)) = &err {
            assert_eq!(refused.last().unwrap().1.code, 421);
        }
        drop(client);
        let sent = everything(&server, &chunks);
        assert!(!sent.contains("rset"), "{step}: {sent}");
    }
}

#[test]
fn a_server_that_closes_in_the_middle_of_a_group_is_reported_at_once() {
    // MAIL answered, then the connection closes: the RCPT's reply never
    // comes. The error names RCPT (exit status 7), without the timeout.
    let (server, _chunks) = group_server(PIPELINING, &["250 ok", "CLOSE"]);
    let mut client = scripted_client(&server);
    client.set_timeout(WAIT);
    let started = Instant::now();
    let err = client
        .sendmail("a@x.test", &["b@y.test"], b"hi")
        .unwrap_err();
    assert!(started.elapsed() < WAIT, "waited for the timeout");
    let Error::ServerDisconnected { step, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(step, Step::Rcpt);
    assert!(!client.is_connected());
}

#[test]
fn many_recipients_go_out_in_windows_of_max_group_commands() {
    let (server, chunks) = group_server(PIPELINING, &[]);
    let mut client = scripted_client(&server);
    let owned: Vec<String> = (0..150).map(|i| format!("r{i}@y.test")).collect();
    let to: Vec<&str> = owned.iter().map(String::as_str).collect();
    client.sendmail("a@x.test", &to, b"hi").unwrap();
    // MAIL and 99 RCPTs, then the other 51 RCPTs and DATA.
    let first = chunk_text(&chunks);
    assert_eq!(first.lines().count(), MAX_GROUP);
    assert!(first.starts_with("mail "));
    let second = chunk_text(&chunks);
    assert_eq!(second.lines().count(), 150 - (MAX_GROUP - 1) + 1);
    assert!(second.ends_with("rcpt TO:<r149@y.test>\r\ndata\r\n"));
}

/// Hands out `text` a few octets at a time, then fails, as a file on a
/// failing disk would.
struct FailsAfter<'a>(&'a [u8]);

impl std::io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn f8_a_message_that_can_not_be_read_to_its_end_is_dropped() {
    // The final dot would make a message cut short the server's: the
    // connection closes before it instead, and the server keeps nothing.
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let text = FailsAfter(b"line 1\nline 2\n");
    let to = ["b@y.test"];
    let err = client
        .sendmail_from_reader("a@x.test", &to, text, 16)
        .unwrap_err();
    let Error::Source(cause) = &err else {
        panic!("{err}")
    };
    assert_eq!(cause.to_string(), "disk on fire");
    assert!(err.to_string().contains("server keeps nothing"), "{err}");
    assert!(!client.is_connected());
    let sent = sent(&mock);
    assert!(sent.ends_with("data\r\n"), "{sent}");
    assert!(mock.messages().is_empty());
}

#[test]
fn s20_a_message_over_the_servers_size_starts_no_transaction() {
    let mock = Script::new()
        .capabilities(&["PIPELINING", "SIZE 100"])
        .start()
        .unwrap();
    let mut client = connect(&mock);
    let message = [b'x'; 99].repeat(2);
    let err = client.sendmail("a@x.test", &["b@y.test"], &message);
    let Err(Error::Refused(Stop::TooBig { size, limit })) = err else {
        panic!("{err:?}")
    };
    assert_eq!((size, limit), (200, 100));
    assert_eq!(err.unwrap_err().step(), Some(Step::Mail));
    // The session is still usable: a message that fits goes.
    client
        .sendmail("a@x.test", &["b@y.test"], b"short\n")
        .unwrap();
    client.quit().unwrap();
    let verbs = verbs(&sent(&mock));
    assert_eq!(
        verbs,
        ["ehlo", "mail", "rcpt", "data", "short", ".", "quit"]
    );
}

#[test]
fn f8_a_message_other_than_the_one_checked_is_dropped() {
    // A file cut shorter between its check and its sending: the size
    // read is not the size checked (and announced with SIZE=).
    let mock = Script::new().start().unwrap();
    let mut client = connect(&mock);
    let text: &[u8] = b"line 1\nline 2\n";
    let err = client
        .sendmail_from_reader("a@x.test", &["b@y.test"], text, 99)
        .unwrap_err();
    assert!(matches!(err, Error::Source(_)), "{err}");
    assert!(!client.is_connected());
    assert!(!sent(&mock).contains("\r\n.\r\n"));
    assert!(mock.messages().is_empty());
}
