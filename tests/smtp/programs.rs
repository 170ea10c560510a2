//! `smtp-raw` (inet_03) and `smtp-send` (inet_04), run as programs
//! against the mock SMTP server: what they print, what the server
//! received, and their exit status at each failing step.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use assert_cmd::Command;
use inet_mocks::smtp::{DOT, GREETING, Script, SmtpMock};
use inet_mocks::{Conn, MockServer};
use tempfile::TempDir;

const BOTH: [&str; 2] = ["smtp-raw", "smtp-send"];
/// Long enough for a loaded machine; the programs get `--timeout 5`.
const KILL_AFTER: Duration = Duration::from_secs(20);

/// Runs `test` for each of [`BOTH`] at once, on threads of their own:
/// a test that waits out a timeout then waits it once, not twice.
fn both_at_once(test: impl Fn(&'static str) + Sync) {
    std::thread::scope(|scope| {
        for program in BOTH {
            let test = &test;
            scope.spawn(move || test(program));
        }
    });
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `program` with `args`, killed if it runs longer than [`KILL_AFTER`].
fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::cargo_bin(program).unwrap();
    command.args(args).timeout(KILL_AFTER);
    command
}

fn run(program: &str, args: &[&str]) -> Run {
    let output = command(program, args).output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A message file in a fresh directory.
fn mail_file(dir: &TempDir, contents: &[u8]) -> PathBuf {
    let path = dir.path().join("mail2.txt");
    std::fs::write(&path, contents).unwrap();
    path
}

fn first_line(mock: &SmtpMock) -> String {
    format!("127.0.0.1:{}, me@x.test , you@y.test\n", mock.addr().port())
}

/// Runs `program` on a file for `mock` holding `body`.
fn send(program: &str, mock: &SmtpMock, body: &[u8], extra: &[&str]) -> Run {
    let dir = TempDir::new().unwrap();
    let contents = [first_line(mock).as_bytes(), body].concat();
    let path = mail_file(&dir, &contents);
    let mut args = vec!["--timeout", "5"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    run(program, &args)
}

#[test]
fn both_deliver_the_message_intact() {
    // Rows S3-S5 through the programs: dots, bare LF/CR, no last line end,
    // and bytes that are not UTF-8.
    let body = b"Subject: test\nFrom: me@x.test\nTo: you@y.test\n\n.\n..two\r\nlatin-1 \xe9t\xe9\rno end";
    let expected = b"Subject: test\r\nFrom: me@x.test\r\nTo: you@y.test\r\n\r\n.\r\n..two\r\nlatin-1 \xe9t\xe9\r\nno end\r\n";
    for program in BOTH {
        let mock = Script::new().start().unwrap();
        let out = send(program, &mock, body, &[]);
        assert_eq!(
            out.code,
            Some(0),
            "{program}: {}{}",
            out.stdout,
            out.stderr
        );
        assert!(out.stdout.starts_with(
            "Sending the message [127.0.0.1,me@x.test,you@y.test]\n"
        ));
        let messages = mock.messages();
        assert_eq!(messages.len(), 1, "{program}");
        assert_eq!(messages[0].data, expected, "{program}");
        assert_eq!(messages[0].mail_from, "me@x.test");
        assert_eq!(messages[0].rcpt_to, ["you@y.test"]);
    }
}

#[test]
fn smtp_raw_prints_each_reply_whole_after_its_command() {
    let mock = Script::new().byte_at_a_time().start().unwrap();
    let out = send("smtp-raw", &mock, b"Subject: hi\n\nbody\n", &[]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let expected_start = "\
Sending the message [127.0.0.1,me@x.test,you@y.test]
<-- [220 mock.test ESMTP inet-mocks]
--> [EHLO [127.0.0.1]]
<-- [250-mock.test
250-PIPELINING
250-SIZE 10240000
250-8BITMIME
250 ENHANCEDSTATUSCODES]
--> [MAIL FROM:<me@x.test>]
<-- [250 2.1.0 Ok]
--> [RCPT TO:<you@y.test>]
<-- [250 2.1.5 Ok]
--> [DATA]
<-- [354 End data with <CR><LF>.<CR><LF>]
--> [From: me@x.test
To: you@y.test
Subject: hi

body
.]
<-- [250 2.0.0 Ok: queued as MOCK0001]
--> [QUIT]
<-- [221 2.0.0 Bye]
Result: message accepted: 250 2.0.0 Ok: queued as MOCK0001
";
    assert_eq!(out.stdout, expected_start);
    // The headers the file lacked were added, as inet_03 does.
    assert!(
        mock.messages()[0]
            .data
            .starts_with(b"From: me@x.test\r\nTo: you@y.test\r\n")
    );
}

#[test]
fn smtp_send_debug_prints_smtplib_lines_on_stderr() {
    let mock = Script::new().start().unwrap();
    let out = send("smtp-send", &mock, b"hi\n", &["--debug"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.lines().last(), Some("Result: message sent"));
    let port = mock.addr().port();
    assert!(
        out.stderr
            .starts_with(&format!("connect: ('127.0.0.1', {port})\n"))
    );
    assert!(
        out.stderr
            .contains("send: 'mail FROM:<me@x.test> size=4\\r\\n'\n")
    );
    assert!(
        out.stderr
            .contains("data: (354, 'End data with <CR><LF>.<CR><LF>')\n")
    );
    assert!(
        out.stderr
            .ends_with("reply: retcode (221); Msg: 2.0.0 Bye\n")
    );
}

#[test]
fn smtp_raw_adds_only_the_headers_the_header_section_lacks() {
    // Any case counts; a `To:` line after the first empty line is text.
    let mock = Script::new().start().unwrap();
    let body = b"Subject: x\r\nFROM: a@x\n\nTo: b@x\n";
    let out = send("smtp-raw", &mock, body, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let expected =
        b"To: you@y.test\r\nSubject: x\r\nFROM: a@x\r\n\r\nTo: b@x\r\n";
    assert_eq!(mock.messages()[0].data, expected);
}

/// Each failing step, the script that makes it fail, and the status.
fn failing_steps() -> Vec<(Script, u8, &'static str)> {
    vec![
        (
            Script::new().greeting("554 5.3.2 go away"),
            4,
            "554 5.3.2 go away",
        ),
        (
            Script::new().delay(GREETING, Duration::from_secs(5)),
            4,
            "greeting",
        ),
        (
            Script::new()
                .reply("EHLO", "502 5.5.2 no")
                .reply("HELO", "550 5.7.1 no"),
            5,
            "550 5.7.1 no",
        ),
        (
            Script::new().reply("MAIL", "550 5.7.1 not you"),
            6,
            "550 5.7.1 not you",
        ),
        (
            Script::new().reply("MAIL", "451 4.3.0 later"),
            6,
            "try again later",
        ),
        (
            Script::new().reply_and_close("MAIL", "421 4.3.2 bye"),
            6,
            "421 4.3.2 bye",
        ),
        (
            Script::new().disconnect_after("MAIL"),
            6,
            "Connection unexpectedly closed",
        ),
        (
            Script::new().reply_rcpt("you", "550 5.1.1 no such user"),
            7,
            "550 5.1.1",
        ),
        (
            Script::new().reply("DATA", "554 5.5.1 no"),
            8,
            "554 5.5.1 no",
        ),
        (
            Script::new().reply(DOT, "554 5.7.1 spam"),
            9,
            "554 5.7.1 spam",
        ),
        (Script::new().disconnect_after(DOT), 10, "may or may not"),
        (
            Script::new().delay(DOT, Duration::from_secs(5)),
            10,
            "may or may not",
        ),
    ]
}

#[test]
fn each_failing_step_has_its_exit_status() {
    // Rows S10-S15 through the programs. Slow replies meet --timeout 0.3;
    // the two programs wait them out at once.
    both_at_once(each_step_fails_as_scripted);
}

fn each_step_fails_as_scripted(program: &str) {
    for (script, status, text) in failing_steps() {
        let mock = script.start().unwrap();
        let out = send(program, &mock, b"hi\n", &["--timeout", "0.3"]);
        let last = out.stdout.lines().last().unwrap_or("").to_owned();
        assert_eq!(
            out.code,
            Some(i32::from(status)),
            "{program}: {}",
            out.stdout
        );
        assert!(last.starts_with("Result: "), "{program}: {last}");
        assert!(last.contains(text), "{program}: {last:?} lacks {text:?}");
        assert!(mock.messages().is_empty());
    }
}

/// What the client sent in the mock's first session, once it is over,
/// in lower case (`smtp-raw` writes verbs in capitals, `smtp-send` not).
fn sent_lowercase(mock: &SmtpMock) -> Vec<u8> {
    assert!(mock.wait_for_sessions(1, KILL_AFTER));
    mock.transcripts()[0]
        .bytes_from_client()
        .to_ascii_lowercase()
}

/// A reply's control characters (a window title, a screen wipe) are
/// shown escaped in the result line and the debug lines: a hostile
/// server can't steer the user's terminal.
#[test]
fn a_server_s_control_characters_never_reach_the_terminal() {
    let steering = "550 \x1b]0;owned\x07\x1b[2J gone";
    for program in BOTH {
        let mock = Script::new().reply("MAIL", steering).start().unwrap();
        let out = send(
            program,
            &mock,
            b"hi\n",
            &["--debug"][..usize::from(program == "smtp-send")],
        );
        assert_eq!(out.code, Some(6), "{program}: {}", out.stdout);
        let last = out.stdout.lines().last().unwrap_or("").to_owned();
        assert!(last.contains(r"550 \x1b]0;owned\x07\x1b[2J gone"), "{last}");
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains('\x1b'), "{program}: {text:?}");
        }
    }
}

#[test]
fn a_421_is_followed_by_neither_rset_nor_quit() {
    for program in BOTH {
        let mock = Script::new()
            .reply_and_close("RCPT", "421 4.3.2 shutting down")
            .start()
            .unwrap();
        let out = send(program, &mock, b"hi\n", &[]);
        assert_eq!(out.code, Some(7), "{program}: {}", out.stdout);
        let sent = sent_lowercase(&mock);
        let sent = String::from_utf8_lossy(&sent).into_owned();
        assert!(
            !sent.contains("rset") && !sent.contains("quit"),
            "{program}: {sent}"
        );
    }
}

#[test]
fn a_refusal_is_followed_by_quit() {
    for program in BOTH {
        let mock = Script::new().reply("MAIL", "550 5.7.1 no").start().unwrap();
        send(program, &mock, b"hi\n", &[]);
        let sent = sent_lowercase(&mock);
        assert!(sent.ends_with(b"quit\r\n"), "{program}");
    }
}

#[test]
fn a_failed_quit_after_acceptance_is_only_a_warning() {
    for program in BOTH {
        for script in [
            Script::new().disconnect_after("QUIT"),
            Script::new().reply("QUIT", "500 5.5.1 what?"),
        ] {
            let mock = script.start().unwrap();
            let out = send(program, &mock, b"hi\n", &[]);
            assert_eq!(out.code, Some(0), "{program}: {}", out.stdout);
            assert_eq!(mock.messages().len(), 1);
            let warned = out.stdout.contains("Warning: QUIT failed");
            assert!(
                warned || program == "smtp-send",
                "{program}: {}",
                out.stdout
            );
        }
    }
}

#[test]
fn nothing_listening_is_a_connect_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = TempDir::new().unwrap();
    let path =
        mail_file(&dir, format!("127.0.0.1:{port}, a@x, b@y\nhi\n").as_bytes());
    for program in BOTH {
        let out = run(program, &["--timeout", "5", path.to_str().unwrap()]);
        assert_eq!(out.code, Some(3), "{program}: {}", out.stdout);
        assert!(
            out.stdout.contains("cannot connect"),
            "{program}: {}",
            out.stdout
        );
    }
}

/// A listener nobody should connect to; true if nobody did.
fn untouched(listener: &TcpListener) -> bool {
    listener.set_nonblocking(true).unwrap();
    listener.accept().is_err()
}

#[test]
fn a_bad_message_file_fails_before_any_connection() {
    // Rows S16, S17.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let at = |rest: &str| format!("127.0.0.1:{port}{rest}").into_bytes();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty"),
        ("two fields", at(", a@x\nhi\n"), "2 field(s), not 3"),
        (
            "not UTF-8",
            [b"\xff".as_slice(), &at(", a@x, b@y\n")].concat(),
            "not UTF-8",
        ),
        ("bad port", b"127.0.0.1:99999, a@x, b@y\n".to_vec(), "99999"),
        ("injection", at(", a@x, b@y\rRCPT TO:<c@z>\n"), "line break"),
        (
            "parameters",
            at(", a@x, b@y> NOTIFY=NEVER\n"),
            "ESMTP parameter",
        ),
        (
            "not a server",
            b"\x1b[2J127.0.0.1, a@x, b@y\n".to_vec(),
            r#"the server "\x1b[2J127.0.0.1" on its first line"#,
        ),
        ("port 0", b"127.0.0.1:0, a@x, b@y\n".to_vec(), "port 0"),
        ("non-ASCII", at(", a@x, josé@y\n"), "SMTPUTF8"),
        (
            "long line",
            [at(", a@x, b@y\n"), vec![b'x'; 1001]].concat(),
            "at most 1000",
        ),
    ];
    let dir = TempDir::new().unwrap();
    for program in BOTH {
        for (what, contents, text) in &cases {
            let path = mail_file(&dir, contents);
            let out = run(program, &[path.to_str().unwrap()]);
            assert_eq!(out.code, Some(2), "{program} {what}: {}", out.stderr);
            assert!(
                out.stderr.contains(text),
                "{program} {what}: {}",
                out.stderr
            );
            assert!(
                out.stderr.starts_with(&format!("{program}: message file"))
            );
        }
        let missing = dir.path().join("nowhere.txt");
        for path in [missing.as_path(), dir.path()] {
            let out = run(program, &[path.to_str().unwrap()]);
            assert_eq!(out.code, Some(2), "{program} {path:?}: {}", out.stderr);
            assert!(out.stderr.contains("cannot read it"), "{}", out.stderr);
        }
    }
    assert!(untouched(&listener), "a program connected");
}

#[test]
fn the_default_file_is_mail2_txt_in_the_current_directory() {
    let mock = Script::new().start().unwrap();
    let dir = TempDir::new().unwrap();
    mail_file(
        &dir,
        [first_line(&mock).as_bytes(), b"hi\n"].concat().as_slice(),
    );
    for program in BOTH {
        let output = command(program, &[])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{program}");
    }
    assert_eq!(mock.messages().len(), 2);
    let empty = TempDir::new().unwrap();
    let out = command("smtp-send", &[])
        .current_dir(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mail2.txt"));
}

#[test]
fn help_documents_the_exit_statuses_and_bad_arguments_are_refused() {
    for program in BOTH {
        let out = run(program, &["--help"]);
        assert_eq!(out.code, Some(0));
        assert!(out.stdout.contains(&format!("usage: {program}")));
        assert!(
            out.stdout.contains("10 no reply after the"),
            "{}",
            out.stdout
        );
        for bad in [&["a", "b"][..], &["--timeout", "0"], &["--nope"]] {
            let out = run(program, bad);
            assert_eq!(out.code, Some(1), "{program} {bad:?}");
            assert!(out.stderr.contains("usage:"), "{}", out.stderr);
        }
    }
}

// Hostile message files and servers (robustness rows F8, S20, S21).

/// `lines` lines of 900 octets: a message of about `lines` KB.
fn long_message(lines: usize) -> Vec<u8> {
    [[b'x'; 900].as_slice(), b"\n"].concat().repeat(lines)
}

#[cfg(unix)]
#[test]
fn f8_a_device_or_a_fifo_is_refused_at_once() {
    // Read, /dev/zero never ends; opened, a FIFO without a writer never
    // answers. Either would hang the program (KILL_AFTER ends the test).
    let dir = TempDir::new().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    for program in BOTH {
        for path in ["/dev/zero", fifo.to_str().unwrap()] {
            let out = run(program, &[path]);
            assert_eq!(out.code, Some(2), "{program} {path}: {}", out.stderr);
            assert!(
                out.stderr.contains("not a regular file"),
                "{program} {path}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn f8_a_file_over_the_limit_is_refused_before_it_is_read() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = TempDir::new().unwrap();
    let path =
        mail_file(&dir, format!("127.0.0.1:{port}, a@x, b@y\nhi\n").as_bytes());
    // Sparse: 64 MiB and one octet, on no disk.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    for program in BOTH {
        let out = run(program, &[path.to_str().unwrap()]);
        assert_eq!(out.code, Some(2), "{program}: {}", out.stderr);
        let limit = "over the limit of 67108864 (see --help)";
        assert!(out.stderr.contains(limit), "{program}: {}", out.stderr);
        let help = run(program, &["--help"]).stdout;
        assert!(help.contains("at most 64 MiB (67108864 octets)"), "{help}");
    }
    assert!(untouched(&listener), "a program connected");
}

#[cfg(target_os = "linux")]
#[test]
fn f8_a_large_message_goes_out_in_bounded_memory() {
    // 14 MiB of message, sent by programs given 12 MiB of address space
    // (`ulimit -v`): not even one copy of the message fits, so it must go
    // a piece at a time. (Streaming, they need less than 6 MiB.)
    let mock = Script::new()
        .capabilities(&["PIPELINING"])
        .max_message_size(32 * 1024 * 1024)
        .start()
        .unwrap();
    let body = long_message(14 * 1024 * 1024 / 901);
    let dir = TempDir::new().unwrap();
    let contents = [first_line(&mock).as_bytes(), &body].concat();
    let path = mail_file(&dir, &contents);
    let limited = "ulimit -v 12288 && exec \"$0\" \"$@\" >/dev/null";
    for program in BOTH {
        let exe = assert_cmd::cargo::cargo_bin(program);
        let args = [exe.to_str().unwrap(), "--timeout", "5"];
        let mut command = Command::new("sh");
        command.args(["-c", limited]).args(args).arg(&path);
        let out = command.timeout(KILL_AFTER).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{program}: {stderr}");
    }
    let crlf = String::from_utf8(body).unwrap().replace('\n', "\r\n");
    for message in mock.messages() {
        assert!(message.data.ends_with(crlf.as_bytes()));
    }
    assert_eq!(mock.messages().len(), 2);
}

#[test]
fn s20_a_message_over_the_servers_size_is_not_sent() {
    // RFC 1870 §6.1: a server that lists SIZE refuses a larger message;
    // sending it anyway would be for nothing. 1,804 octets, SIZE 1000.
    for program in BOTH {
        let mock = Script::new()
            .capabilities(&["PIPELINING", "SIZE 1000"])
            .start()
            .unwrap();
        let out = send(program, &mock, &long_message(2), &[]);
        assert_eq!(out.code, Some(6), "{program}: {}", out.stdout);
        let last = out.stdout.lines().last().unwrap_or("");
        let size = "the server takes at most 1000 (its SIZE, RFC 1870)";
        assert!(last.starts_with("Result: not sent: the message is 1"));
        assert!(last.ends_with(size), "{program}: {last}");
        let sent = String::from_utf8(sent_lowercase(&mock)).unwrap();
        assert!(!sent.contains("mail from"), "{program}: {sent}");
        assert!(sent.ends_with("quit\r\n"), "{program}: {sent}");
    }
}

/// A server that answers each command, DATA with 354, then stops
/// reading: it keeps the connection open, reading nothing more, until
/// the returned sender is dropped.
fn stops_reading_after_data() -> (MockServer, mpsc::Sender<()>) {
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let server = MockServer::start(move |conn: Conn| {
        let mut lines = BufReader::new(&conn);
        let mut line = String::new();
        let mut talking = (&conn).write_all(b"220 slow\r\n").is_ok();
        while talking && lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            let data = line.eq_ignore_ascii_case("data\r\n");
            let reply = if data { "354 go on\r\n" } else { "250 ok\r\n" };
            talking = (&conn).write_all(reply.as_bytes()).is_ok() && !data;
            line.clear();
        }
        let _ = released.lock().unwrap().recv_timeout(KILL_AFTER);
    })
    .unwrap();
    (server, release)
}

#[test]
fn s21_a_server_that_stops_reading_is_told_from_one_that_closed() {
    // 16 MiB is more than the sockets' buffers hold, so the writes stop.
    let body = long_message(16 * 1024);
    // Both programs at once: each waits out its half-second timeout.
    both_at_once(|program| stopped_reading_is_told(program, &body));
}

fn stopped_reading_is_told(program: &str, body: &[u8]) {
    let (server, release) = stops_reading_after_data();
    let port = server.addr().port();
    let dir = TempDir::new().unwrap();
    let first = format!("127.0.0.1:{port}, a@x, b@y\n");
    let mail = [first.as_bytes(), body].concat();
    let path = mail_file(&dir, &mail);
    let args = ["--timeout", "0.5", path.to_str().unwrap()];
    let out = run(program, &args);
    drop(release);
    let last = out.stdout.lines().last().unwrap_or("").to_owned();
    assert_eq!(out.code, Some(8), "{program}: {last}");
    let stopped = "the server stopped reading: no progress sending for 500ms";
    assert!(last.contains(stopped), "{program}: {last}");
}
