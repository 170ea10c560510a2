//! The `mock-smtp` program: spawned, fed a message by a raw client
//! written here, its stdout lines and dump files checked.

use crate::program::Program;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);
const EXE: &str = env!("CARGO_BIN_EXE_mock-smtp");

/// Runs `mock-smtp` with `args`.
fn mock_smtp(args: &[&str]) -> Program {
    Program::start(EXE, args)
}

/// Waits for a stdout line that starts with `prefix`.
fn wait_for(mock: &Program, prefix: &str) -> String {
    loop {
        let line = mock.next_line();
        if line.starts_with(prefix) {
            return line;
        }
    }
}

/// Sends a whole session in one write, returns every reply.
fn session(mock: &Program, commands: &[u8]) -> String {
    session_within(mock, commands, TIMEOUT)
}

/// [`session`], with `timeout` on each read and write.
fn session_within(
    mock: &Program,
    commands: &[u8],
    timeout: Duration,
) -> String {
    let mut stream = TcpStream::connect(mock.addr).unwrap();
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.set_write_timeout(Some(timeout)).unwrap();
    stream.write_all(commands).unwrap();
    // `read_to_end` reads again after a signal (EINTR), and keeps what
    // it read before a reset, which counts as the close.
    let mut replies = Vec::new();
    match stream.read_to_end(&mut replies) {
        Err(e) if e.kind() != ErrorKind::ConnectionReset => panic!("{e}"),
        _ => String::from_utf8(replies).unwrap(),
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

#[test]
fn a_delivered_message_is_dumped_with_its_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("mail");
    let mock = mock_smtp(&["--dump-dir", dump.to_str().unwrap()]);
    let replies = session(
        &mock,
        b"EHLO client.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\n\
          RCPT TO:<c@x.test>\r\nDATA\r\nSubject: hi\r\n\r\n..dot line\r\n\
          body\r\n.\r\nQUIT\r\n",
    );
    assert!(replies.contains("250 2.0.0 Ok: queued as MOCK0001\r\n"));
    assert!(replies.ends_with("221 2.0.0 Bye\r\n"));
    assert!(mock.next_line().starts_with("session 1 from 127.0.0.1:"));
    let saved = wait_for(&mock, "message 1 saved as ");
    assert!(saved.ends_with("msg-0001.eml"), "{saved}");
    assert_eq!(
        wait_for(&mock, "session 1 ended"),
        "session 1 ended: client said QUIT"
    );

    let eml = std::fs::read(dump.join("msg-0001.eml")).unwrap();
    assert_eq!(eml, b"Subject: hi\r\n\r\n.dot line\r\nbody\r\n");
    let env = std::fs::read_to_string(dump.join("msg-0001.env")).unwrap();
    assert_eq!(
        env,
        "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\n"
    );
}

#[test]
fn a_second_run_in_the_same_directory_overwrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().to_str().unwrap();
    let start = b"HELO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n";
    for text in ["first", "second"] {
        let mock = mock_smtp(&["--dump-dir", dump]);
        let mut all = start.to_vec();
        all.extend_from_slice(format!("{text}\r\n.\r\nQUIT\r\n").as_bytes());
        session(&mock, &all);
        wait_for(&mock, "message 1 saved as ");
    }
    let first = std::fs::read(dir.path().join("msg-0001.eml")).unwrap();
    let second = std::fs::read(dir.path().join("msg-0001-2.eml")).unwrap();
    assert_eq!(first, b"first\r\n");
    assert_eq!(second, b"second\r\n");
}

#[test]
fn fault_options_reach_the_wire() {
    let mock = mock_smtp(&[
        "--greeting",
        "220-mock.test hello\\n220 ready",
        "--reply-rcpt",
        "bob=550 5.1.1 no such user",
        "--close-421-after",
        "DATA",
        "--lf-only",
    ]);
    let replies = session(
        &mock,
        b"EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<bob@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n",
    );
    let expected_start = "220-mock.test hello\n220 ready\n250-mock.test\n";
    assert!(replies.starts_with(expected_start), "{replies}");
    assert!(replies.contains("\n550 5.1.1 no such user\n250 2.1.5 Ok\n"));
    assert!(replies.ends_with("\n421 4.3.2 Error: closing connection\n"));
}

#[test]
fn help_usage_errors_and_bad_ports() {
    let help = run(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(text.starts_with("usage: mock-smtp [--port N]"));

    let unknown = run(&["--frobnicate"]);
    assert_eq!(unknown.status.code(), Some(1));
    let err = String::from_utf8(unknown.stderr).unwrap();
    assert!(err.contains("unknown option \"--frobnicate\""), "{err}");

    let bad_port = run(&["--port", "99999"]);
    assert_eq!(bad_port.status.code(), Some(2));
    let err = String::from_utf8(bad_port.stderr).unwrap();
    assert!(err.contains("not a whole number from 0 to 65535"), "{err}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["--port", &port]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");
}

/// Finding 1 of the mocks' audit: a harness reads the `listening on`
/// line and never reads again. Every session must still be greeted and
/// served to its end (the log drops lines, never a session), and once
/// the output moves again every log line is there or counted.
#[test]
fn the_program_serves_on_while_nobody_reads_its_output() {
    const SESSIONS: usize = 1_500;
    // A 400-octet recipient makes a long `message N` line: about 700 KB
    // of log, the 64 KiB pipe and the program's queue overflowed.
    let commands = format!(
        "EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<{}@x.test>\r\n\
         DATA\r\nhi\r\n.\r\nQUIT\r\n",
        "r".repeat(400)
    );
    let mock = Program::start_unread(EXE, &[]);
    let short = Duration::from_secs(1);
    for i in 0..SESSIONS {
        let replies = session_within(&mock, commands.as_bytes(), short);
        assert!(replies.ends_with("221 2.0.0 Bye\r\n"), "{i}: {replies}");
    }
    mock.resume_reading();
    // Three lines a session: its start, its message and its end.
    let entry = |line: &str| {
        line.starts_with("session ") || line.starts_with("message ")
    };
    let (printed, dropped) = mock.account_for(3 * SESSIONS, entry);
    assert_eq!(printed + dropped, 3 * SESSIONS);
    assert!(dropped > 0, "the log should have overflowed");
}

/// Row V1 on the program: with three sessions held, more clients get
/// `421` and the close, and the program runs no thread for them.
#[cfg(target_os = "linux")]
#[test]
fn past_max_connections_clients_get_421_and_no_thread_v1() {
    const MAX: usize = 3;
    let mock = mock_smtp(&["--max-connections", &MAX.to_string()]);
    let held: Vec<TcpStream> = (0..MAX).map(|_| greeted(&mock)).collect();
    for _ in 0..20 {
        let replies = session(&mock, b"");
        assert!(replies.starts_with("421 4.3.2 "), "{replies}");
    }
    wait_for(&mock, "refused 127.0.0.1:");
    let status = format!("/proc/{}/status", mock.id());
    let status = std::fs::read_to_string(status).unwrap();
    let threads: usize = status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    // The main thread (the log's writer), a thread per session held,
    // and one waiting in `accept` to refuse the next.
    assert!(threads <= MAX + 2, "{threads} threads");
    drop(held);
}

/// Connects and reads the `220` greeting.
#[cfg(target_os = "linux")]
fn greeted(mock: &Program) -> TcpStream {
    let mut stream = TcpStream::connect(mock.addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut greeting = [0; 4];
    stream.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"220 ");
    stream
}
