//! The echo server and client (inet_08, inet_06), driven as programs
//! over real sockets on 127.0.0.1.
//!
//! Most tests start the real `echo-server` binary and talk to it with
//! plain `TcpStream`s; the V-numbers are rows of the catalogue of bad
//! inputs and faults, `tests/README.md`. The tests that inject a fault
//! the command line can't reach (a panic, V8) or stop the server (V9)
//! run its `serve` in this process. No test sleeps to wait for the
//! server: each one waits for a reply, the end of a stream, a log line,
//! or a `Barrier`. The only sleeps pace the load a test generates (a
//! byte every 100 ms) or play a slow server (a pause in the middle of a
//! reply).

use crate::common;

// The program's log: its unit tests run here, as programs build no
// test binary of their own.
#[path = "../bin/common/log.rs"]
#[allow(dead_code)]
mod log;

use std::cell::Cell;
use std::collections::HashSet;
use std::io::{
    self, BufRead, BufReader, ErrorKind, Read, Seek, SeekFrom, Write,
};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use common::{Program, WAIT};
use inet::accept::Stop;
use inet::echo::server::{self, Config, Event};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// The pace of a client that trickles its bytes or lines.
const PACE: Duration = Duration::from_millis(100);

/// `echo-client`'s prompt.
const PROMPT: &str = "Command (empty line to stop): ";

/// Starts `echo-server` on a free port; returns it and its address.
fn echo_server(options: &[&str]) -> (Program, SocketAddr) {
    let args = [options, &["0"]].concat();
    let mut server = Program::start("echo-server", &args);
    let addr = server.listening_addr();
    (server, addr)
}

/// A client socket (with timeouts) and a buffered reader for its replies.
struct Client {
    stream: TcpStream,
    replies: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = common::connect(addr);
        let replies = BufReader::new(stream.try_clone().expect("clone"));
        Client { stream, replies }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// The next reply line, `\n` included; empty at the end of stream.
    fn reply(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        self.replies
            .read_until(b'\n', &mut line)
            .expect("read a reply");
        line
    }

    /// Sends `line` and its newline; returns the reply.
    fn ask(&mut self, line: &str) -> String {
        self.try_ask(line).expect("a reply")
    }

    /// [`ask`](Self::ask), for a caller that must go on when it fails.
    fn try_ask(&mut self, line: &str) -> io::Result<String> {
        self.stream.write_all(format!("{line}\n").as_bytes())?;
        let mut reply = Vec::new();
        self.replies.read_until(b'\n', &mut reply)?;
        String::from_utf8(reply).map_err(io::Error::other)
    }

    /// Asserts the server sends nothing for `quiet`: a read that times
    /// out (a wait on the socket, which fails if the server speaks).
    fn assert_silent_for(&mut self, quiet: Duration) {
        let mut byte = [0; 1];
        let stream = &self.stream;
        match common::read_within(stream, &mut self.replies, &mut byte, quiet) {
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) => {}
            Ok(0) => panic!("the server hung up"),
            Ok(_) => panic!("the server spoke: {}", shown(&byte)),
            Err(e) => panic!("{e}"),
        }
        self.stream.set_read_timeout(Some(WAIT)).expect("timeout");
    }

    /// Asserts the server hung up: the stream ends (or is reset) with
    /// nothing more to read. A read timeout means it is still open.
    fn assert_closed(&mut self) {
        let mut rest = Vec::new();
        match self.replies.read_to_end(&mut rest) {
            Ok(_) => assert!(rest.is_empty(), "more bytes: {}", shown(&rest)),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ),
                "the connection should be closed: {e}"
            ),
        }
    }
}

/// Bytes as readable text, for assertions: `caf\xc3\xa9\r\n`.
fn shown(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Python's `str.strip()` on bytes: ASCII white space (vertical tab
/// included) removed at both ends. Written here, not taken from the
/// library, so that a bug there can't hide in the expectations.
fn python_strip(bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| b" \t\n\r\x0b\x0c".contains(b);
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// Runs `program` with `args` until it exits: (status, stdout, stderr).
fn run(program: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = assert_cmd::Command::cargo_bin(program)
        .expect("the program is built")
        .args(args)
        .timeout(WAIT)
        .output()
        .expect("run the program");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// A port nobody listens on (bound, then freed; a race is unlikely).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

// ---------------------------------------------------------------- server

/// Twenty clients are served at once, each by a thread of its own, and
/// get replies to their own lines only; the server logs every line.
#[test]
fn twenty_clients_are_served_at_once_each_by_its_own_thread() {
    const CLIENTS: usize = 20;
    const LINES: usize = 3;
    let (mut server, addr) = echo_server(&[]);
    let sockets: Vec<Client> =
        (0..CLIENTS).map(|_| Client::connect(addr)).collect();
    // Nobody sends a second line until all twenty have had a first
    // reply: that takes twenty sessions at once. A server serving one
    // client at a time would leave nineteen first replies to time out.
    let all_answered = Arc::new(Barrier::new(CLIENTS));
    let talkers: Vec<_> = (1..)
        .zip(sockets)
        .map(|(i, mut client)| {
            let all_answered = Arc::clone(&all_answered);
            thread::spawn(move || {
                let first = client.try_ask(&format!("client {i} line 1"));
                // Reached even on failure, so that nobody waits forever.
                all_answered.wait();
                let first = first.unwrap_or_else(|e| {
                    panic!("client {i}: no first reply while others wait: {e}")
                });
                let thread = first.split(": ").next().unwrap().to_owned();
                assert_eq!(first, format!("{thread}: CLIENT {i} LINE 1\n"));
                for j in 2..=LINES {
                    let reply = client.ask(&format!("client {i} line {j}"));
                    assert_eq!(
                        reply,
                        format!("{thread}: CLIENT {i} LINE {j}\n")
                    );
                }
                (i, thread)
            })
        })
        .collect();
    let served: Vec<(usize, String)> = talkers
        .into_iter()
        .map(|t| t.join().expect("a client failed"))
        .collect();

    let names: HashSet<String> =
        served.iter().map(|(_, t)| t.clone()).collect();
    let expected: HashSet<String> =
        (1..=CLIENTS).map(|n| format!("Thread-{n}")).collect();
    assert_eq!(names, expected, "twenty distinct threads");

    let expected: HashSet<String> = served
        .iter()
        .flat_map(|(i, thread)| {
            (1..=LINES).map(move |j| {
                format!("client 127.0.0.1 : client {i} line {j} ({thread})")
            })
        })
        .collect();
    let logged: HashSet<String> = (0..CLIENTS * LINES)
        .map(|_| server.expect_line(" : client "))
        .collect();
    assert_eq!(logged, expected);
}

/// By default (`--max-clients` 1024) 300 clients are served at once,
/// more than a thread pool of 256 would hold: `benches/echo.rs` holds
/// 1,000.
#[test]
fn three_hundred_clients_are_served_at_once_by_default() {
    let (_server, addr) = echo_server(&[]);
    let mut connected = Vec::new();
    for i in 1..=300 {
        let mut client = Client::connect(addr);
        let reply = client.ask(&format!("client {i}"));
        assert!(reply.ends_with(&format!(": CLIENT {i}\n")), "{reply:?}");
        connected.push(client); // stays connected: all 300 at once
    }
}

/// V1: past `--max-clients`, a client gets a one-line `busy:` refusal
/// and is closed while the others are served; as soon as the server logs
/// that a session ended, the next client is served again.
#[test]
fn a_client_past_max_clients_is_refused_until_a_seat_frees() {
    let (mut server, addr) = echo_server(&["--max-clients", "2"]);
    let mut first = Client::connect(addr);
    let mut second = Client::connect(addr);
    assert_eq!(first.ask("one"), "Thread-1: ONE\n");
    assert_eq!(second.ask("two"), "Thread-2: TWO\n");

    let mut third = Client::connect(addr);
    let refusal = String::from_utf8(third.reply()).expect("UTF-8");
    assert!(refusal.starts_with("busy: "), "{refusal:?}");
    assert!(refusal.ends_with('\n'), "one line: {refusal:?}");
    third.assert_closed();
    server.expect_line("client 127.0.0.1 refused: 2 clients already");
    assert_eq!(first.ask("still one"), "Thread-1: STILL ONE\n");
    assert_eq!(second.ask("still two"), "Thread-2: STILL TWO\n");

    first.send(b"\n");
    server.expect_line("end of session: empty line (Thread-1)");
    let mut fourth = Client::connect(addr);
    assert_eq!(fourth.ask("four"), "Thread-3: FOUR\n");
}

/// V3: a line that reaches `--max-line` bytes without a newline gets
/// `error:` and a hang-up, at exactly the limit: the server never holds
/// more than the limit (its `LineReader` reads no further), so its memory
/// is bounded by construction. A flood is cut off; others are served.
#[test]
fn a_line_over_max_line_gets_an_error_and_a_hang_up() {
    const MAX_LINE: usize = 1024;
    let (_server, addr) = echo_server(&["--max-line", "1024"]);
    let goodbye = b"error: line over 1024 bytes; closing\n";
    let mut bystander = Client::connect(addr);
    assert_eq!(bystander.ask("before"), "Thread-1: BEFORE\n");

    // The limit, and not a byte more, is enough for the server to decide.
    let mut at_limit = Client::connect(addr);
    at_limit.send(&[b'a'; MAX_LINE]);
    assert_eq!(shown(&at_limit.reply()), shown(goodbye));
    at_limit.assert_closed();

    // 64 MiB without a newline: writing must fail (the server hung up),
    // neither succeed (it swallowed them) nor time out (it stalled).
    let mut flood = Client::connect(addr);
    let mut writer = flood.stream.try_clone().expect("clone");
    let flooding = thread::spawn(move || {
        let chunk = [b'x'; 64 * 1024];
        (0..1024).find_map(|_| writer.write_all(&chunk).err())
    });
    assert_eq!(shown(&flood.reply()), shown(goodbye));
    flood.assert_closed();
    let failed = flooding.join().expect("the flood").map(|e| e.kind());
    assert!(
        matches!(
            failed,
            Some(
                ErrorKind::BrokenPipe
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
            )
        ),
        "the flood should hit a closed connection, not {failed:?}"
    );
    assert_eq!(bystander.ask("after"), "Thread-1: AFTER\n");
}

/// V4: with `--idle-timeout 0.5`, a silent client and one trickling a
/// byte every 100 ms are cut off with `error:`, while a client sending
/// whole lines at that pace, for twice the timeout, is served throughout.
#[test]
fn silent_and_trickling_clients_are_cut_off_but_a_busy_one_is_served() {
    const IDLE: Duration = Duration::from_millis(500);
    // A trickle six times as long as the timeout: a timeout per read
    // rather than per line would let it run to the end.
    const TRICKLE: usize = 30;
    // Twice the timeout at one line per PACE: a deadline per session
    // rather than per line would cut the busy client off halfway.
    let ticks = 2 * IDLE.as_millis() / PACE.as_millis();
    let idle = IDLE.as_secs_f64().to_string();
    let (_server, addr) = echo_server(&["--idle-timeout", &idle]);
    let goodbye = "error: idle too long; closing\n";
    let mut silent = Client::connect(addr);
    let mut trickler = Client::connect(addr);
    let mut busy = Client::connect(addr);

    // The load: a byte per PACE, never a newline, for 3 s at most.
    let mut writer = trickler.stream.try_clone().expect("clone");
    let trickling = thread::spawn(move || {
        (0..TRICKLE)
            .take_while(|_| {
                let sent = writer.write_all(b"x").is_ok();
                thread::sleep(PACE);
                sent
            })
            .count()
    });
    for k in 1..=ticks {
        let reply = busy.ask(&format!("tick {k}"));
        assert_eq!(reply, format!("Thread-3: TICK {k}\n"));
        thread::sleep(PACE);
    }

    assert_eq!(shown(&silent.reply()), shown(goodbye.as_bytes()));
    silent.assert_closed();
    assert_eq!(shown(&trickler.reply()), shown(goodbye.as_bytes()));
    trickler.assert_closed();
    let _ = trickler.stream.shutdown(Shutdown::Both); // ends the load
    let sent = trickling.join().expect("the trickle");
    assert!(
        sent < TRICKLE,
        "cut off mid-trickle, not after all {sent} bytes"
    );
}

/// V4, after a line that came in pieces: the server set its read
/// timeout to what was left of that line's budget, and must give the
/// next line the whole budget again (`IdleReader`), not that rest.
#[test]
fn after_a_line_in_pieces_the_next_line_has_the_whole_idle_budget() {
    // Long enough that a loaded machine's delays (a few hundred ms,
    // with every test running) stay inside each margin below.
    const IDLE: Duration = Duration::from_millis(1500);
    let idle = IDLE.as_secs_f64().to_string();
    let (_server, addr) = echo_server(&["--idle-timeout", &idle]);
    let mut client = Client::connect(addr);
    client.send(b"in ");
    client.assert_silent_for(IDLE / 2);
    // The server reads this piece with half the budget gone, and waits
    // for the next one with a timeout of the half left.
    client.send(b"pie");
    client.assert_silent_for(PACE);
    assert_eq!(client.ask("ces"), "Thread-1: IN PIECES\n");
    // Longer than that half, shorter than the whole budget, a quarter
    // of it from each.
    client.assert_silent_for(IDLE * 3 / 4);
    assert_eq!(client.ask("next"), "Thread-1: NEXT\n");
}

/// V5: only ASCII letters change case; UTF-8, invalid UTF-8 and NUL
/// bytes pass through, `\r\n` and `\n` both end a line, a lone `\r` is
/// part of the line, and white space at the ends goes, as in Python.
#[test]
fn replies_uppercase_ascii_only_and_accept_both_line_endings() {
    let (_server, addr) = echo_server(&[]);
    let mut client = Client::connect(addr);
    let exchanges: [(&[u8], &[u8]); 5] = [
        (
            b"caf\xc3\xa9 \xff\xfe nul\x00byte\n",
            b"Thread-1: CAF\xc3\xa9 \xff\xfe NUL\x00BYTE\n",
        ),
        (b"crlf line\r\n", b"Thread-1: CRLF LINE\n"),
        (b"lf line\n", b"Thread-1: LF LINE\n"),
        (b"a lone\rcr\n", b"Thread-1: A LONE\rCR\n"),
        (b" \t padded \x0b\x0c\r\n", b"Thread-1: PADDED\n"),
    ];
    for (line, reply) in exchanges {
        client.send(line);
        assert_eq!(shown(&client.reply()), shown(reply), "{}", shown(line));
    }
}

/// V5 for any bytes: a line comes back as `Thread-N: ` and its ASCII
/// upper case, stripped as Python does; a blank line ends the session.
#[test]
fn any_line_comes_back_uppercased_or_ends_the_session() {
    let (_server, addr) = echo_server(&[]);
    // One connection per case, in order: case N is served by Thread-N.
    let connections = Cell::new(0);
    let config = ProptestConfig {
        cases: 32,
        ..common::unsaved()
    };
    let byte = any::<u8>().prop_filter("no newline", |&b| b != b'\n');
    let space = prop::sample::select(&b" \t\r\x0b\x0c"[..]);
    // A quarter of the lines are blank, to reach the end of session.
    let lines = prop_oneof![
        3 => prop::collection::vec(byte, 0..100),
        1 => prop::collection::vec(space, 0..4),
    ];
    common::for_all("", config, &lines, |line| {
        connections.set(connections.get() + 1);
        let mut client = Client::connect(addr);
        client.send(&[&line[..], b"\n"].concat());
        let text = python_strip(&line);
        if text.is_empty() {
            client.assert_closed();
        } else {
            let thread = format!("Thread-{}: ", connections.get());
            let expected =
                [thread.as_bytes(), &text.to_ascii_uppercase(), b"\n"];
            prop_assert_eq!(shown(&client.reply()), shown(&expected.concat()));
        }
        Ok(())
    });
}

/// V6: a client that floods lines without reading the replies, then
/// vanishes mid-reply, only ends its own session: the server logs the
/// failure and serves the next client.
#[test]
fn a_client_vanishing_mid_reply_does_not_disturb_the_server() {
    let (mut server, addr) = echo_server(&[]);
    let client = Client::connect(addr);
    let mut writer = client.stream.try_clone().expect("clone");
    // A write that makes no progress for this long means every buffer
    // between us is full: the server is stuck writing replies nobody
    // reads, so it has stopped reading our lines.
    writer
        .set_write_timeout(Some(Duration::from_millis(300)))
        .expect("write timeout");
    let flooding = thread::spawn(move || {
        let line = [&[b'x'; 1000][..], b"\n"].concat();
        // Up to 64 MB: far more than the socket buffers hold.
        (0..64 * 1024).find_map(|_| writer.write_all(&line).err())
    });
    server.expect_line("(Thread-1)"); // the server is answering
    let blocked = flooding.join().expect("the flood");
    assert!(blocked.is_some(), "the flood never blocked");
    drop(client); // replies unread: the connection is reset

    let end = server.expect_line("end of session");
    assert!(end.contains("connection failed"), "{end}");
    assert!(end.ends_with("(Thread-1)"), "{end}");
    let mut next = Client::connect(addr);
    assert_eq!(next.ask("next"), "Thread-2: NEXT\n");
}

/// V7: a client that sends its lines, the last one without a newline,
/// then half-closes, gets every reply, then the end of the stream.
#[test]
fn a_half_closed_client_gets_all_its_replies_then_eof() {
    let (_server, addr) = echo_server(&[]);
    let mut client = Client::connect(addr);
    client.send(b"one\ntwo\r\nthree");
    client.stream.shutdown(Shutdown::Write).expect("half-close");
    let mut replies = String::new();
    client
        .replies
        .read_to_string(&mut replies)
        .expect("every reply, then the end of the stream");
    assert_eq!(replies, "Thread-1: ONE\nThread-1: TWO\nThread-1: THREE\n");
}

/// The echo server's `serve`, run in this process on a thread of its
/// own, with `report` told its events; stopped (and waited for) when
/// dropped.
struct InProcess {
    addr: SocketAddr,
    stop: Stop,
    thread: Option<thread::JoinHandle<()>>,
}

impl InProcess {
    fn start(report: impl Fn(Event<'_>) + Sync + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let stop = Stop::new(&listener).expect("stop");
        let thread = thread::spawn({
            let stop = stop.clone();
            move || server::serve(&listener, &Config::default(), &report, &stop)
        });
        let thread = Some(thread);
        InProcess { addr, stop, thread }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        self.stop.request();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// V8: a panic on one client's thread (its report of one line panics:
/// the fault a program's own code could make) ends only that client's
/// session, and its connection closes; the other client, and new ones,
/// are still served.
#[test]
fn a_panic_in_one_session_only_ends_its_own_clients_session() {
    let server = InProcess::start(|event| {
        if let Event::Line(_, b"boom") = event {
            panic!("fault injected by the test");
        }
    });
    let mut calm = Client::connect(server.addr);
    let mut doomed = Client::connect(server.addr);
    assert_eq!(calm.ask("hello"), "Thread-1: HELLO\n");

    doomed.send(b"boom\n");
    doomed.assert_closed();
    assert_eq!(calm.ask("still here"), "Thread-1: STILL HERE\n");
    let mut newcomer = Client::connect(server.addr);
    assert_eq!(newcomer.ask("new"), "Thread-3: NEW\n");
}

/// V9: stopping the server disconnects the clients still connected, and
/// waits for their threads: a client idling in the middle of its session
/// sees its connection end, and the stop is over within `WAIT`, not at
/// the end of the idle timeout (300 s).
#[test]
fn stopping_the_server_disconnects_its_clients_and_waits_for_them() {
    let server = InProcess::start(|_| {});
    let mut client = Client::connect(server.addr);
    assert_eq!(client.ask("hello"), "Thread-1: HELLO\n");
    let (stopped, stop_over) = mpsc::channel();
    thread::spawn(move || {
        drop(server);
        let _ = stopped.send(());
    });
    client.assert_closed();
    stop_over.recv_timeout(WAIT).expect("the stop is over");
}

/// A finished session releases its socket at once, not when the next
/// client connects: 50 clients connect, then all leave at once, and the
/// server is back to the descriptors it started with.
#[cfg(target_os = "linux")]
#[test]
fn finished_sessions_release_their_descriptors_at_once() {
    let (mut server, addr) = echo_server(&[]);
    let fds = format!("/proc/{}/fd", server.id());
    let open = || std::fs::read_dir(&fds).expect("/proc").count();
    let at_start = open();
    let mut clients: Vec<Client> =
        (0..50).map(|_| Client::connect(addr)).collect();
    for client in &mut clients {
        assert!(client.ask("hi").ends_with(": HI\n"));
    }
    assert!(open() >= at_start + 50, "a descriptor per client");
    for client in &mut clients {
        client.send(b"\n");
        client.assert_closed();
    }
    // Each session is reported over once its socket is closed.
    for _ in 0..50 {
        server.expect_line("end of session: empty line");
    }
    assert_eq!(open(), at_start, "descriptors held after the sessions");
}

/// V2: a failed `accept` (no file descriptor left: the server runs with
/// `ulimit -n 10`, and each client holds one) is logged, and the server
/// pauses and tries again: the client left waiting is served as soon as
/// another leaves. A server that stopped at the first failure would
/// hang up on everyone instead.
#[cfg(unix)]
#[test]
fn a_failed_accept_is_logged_and_the_next_client_served_when_it_can_be() {
    let exe = assert_cmd::cargo::cargo_bin("echo-server");
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", "ulimit -n 10 && exec \"$0\" 0"])
        .arg(exe);
    command.stdin(std::process::Stdio::null());
    let mut server = Program::start_command(command);
    let addr = server.listening_addr();
    let mut seated = Vec::new();
    let mut waiting = loop {
        let mut client = Client::connect(addr);
        client.send(b"hello\n");
        let logged = server.next_line();
        if logged.starts_with("accept failed: ") {
            break client;
        }
        let thread = format!("Thread-{}", seated.len() + 1);
        assert_eq!(logged, format!("client 127.0.0.1 : hello ({thread})"));
        assert_eq!(shown(&client.reply()), format!("{thread}: HELLO\\n"));
        seated.push(client);
        assert!(seated.len() < 10, "no accept failed: {:?}", server.seen());
    };
    seated[0].send(b"\n"); // one leaves: its descriptor is free again
    let reply = String::from_utf8(waiting.reply()).expect("UTF-8");
    assert!(reply.ends_with(": HELLO\n"), "{reply:?}");
}

/// An empty line, or one of white space only, ends the session: the
/// client sees the end of the stream, and the server logs why.
#[test]
fn an_empty_line_ends_the_session() {
    let (mut server, addr) = echo_server(&[]);
    let mut client = Client::connect(addr);
    assert_eq!(client.ask("hi"), "Thread-1: HI\n");
    client.send(b"\n");
    client.assert_closed();
    server.expect_line("client 127.0.0.1 : end of session: empty line");

    let mut blank = Client::connect(addr);
    blank.send(b" \t\r\n");
    blank.assert_closed();
    server.expect_line("end of session: empty line (Thread-2)");
}

/// No port, or two, is exit status 1 with the usage on stderr.
#[test]
fn server_with_a_wrong_argument_count_exits_1_with_its_usage() {
    for args in [&[][..], &["1", "2"]] {
        let (status, _, stderr) = run("echo-server", args);
        assert_eq!(status, Some(1), "{args:?}");
        assert!(stderr.contains("usage: echo-server"), "{stderr}");
    }
}

/// A port that is not a whole number from 0 to 65535 is exit status 2.
#[test]
fn server_with_a_bad_port_exits_2() {
    for port in ["abc", "-1", "70000"] {
        let (status, _, stderr) = run("echo-server", &[port]);
        assert_eq!(status, Some(2), "{port}");
        assert!(stderr.contains("not a whole number"), "{stderr}");
    }
}

/// `--help` prints the usage and exits 0.
#[test]
fn server_help_shows_the_usage_and_exits_0() {
    let (status, stdout, _) = run("echo-server", &["--help"]);
    assert_eq!(status, Some(0));
    assert!(stdout.contains("usage: echo-server"), "{stdout}");
}

/// A port already in use is exit status 3, with the reason.
#[test]
fn server_exits_3_when_its_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let (status, _, stderr) = run("echo-server", &[&port]);
    assert_eq!(status, Some(3));
    assert!(stderr.contains("cannot listen"), "{stderr}");
}

/// `--bind 127.0.0.1`, in either spelling, listens there and serves.
#[test]
fn server_listens_on_the_address_given_with_bind() {
    for bind in [&["--bind", "127.0.0.1"][..], &["--bind=127.0.0.1"]] {
        let (mut server, addr) = echo_server(bind);
        assert_eq!(addr.ip().to_string(), "127.0.0.1", "{bind:?}");
        let mut client = Client::connect(addr);
        assert_eq!(client.ask("bound"), "Thread-1: BOUND\n");
        server.expect_line("client 127.0.0.1 : bound (Thread-1)");
    }
}

/// `--bind` is obeyed, not ignored: an address that is not this
/// machine's (192.0.2.1, reserved for documentation) can't be listened
/// on, which is exit status 3, naming the address.
#[test]
fn server_exits_3_when_its_bind_address_is_not_on_this_machine() {
    let (status, stdout, stderr) =
        run("echo-server", &["--bind", "192.0.2.1", "0"]);
    assert_eq!(status, Some(3), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("cannot listen on 192.0.2.1"), "{stderr}");
}

/// An option with a value out of range or not a number, or an unknown
/// option, is exit status 1, with what is wrong and the usage.
#[test]
fn server_with_a_bad_option_exits_1_saying_what_is_wrong() {
    let cases: [(&[&str], &str); 5] = [
        (&["--idle-timeout", "0"], "--idle-timeout wants seconds"),
        (&["--idle-timeout", "1e19"], "--idle-timeout wants seconds"),
        (
            &["--max-clients", "0"],
            "--max-clients wants a whole number",
        ),
        (&["--max-line", "abc"], "--max-line wants a whole number"),
        (&["--nope"], "unknown option --nope"),
    ];
    for (options, why) in cases {
        let args = [options, &["0"]].concat();
        let (status, stdout, stderr) = run("echo-server", &args);
        assert_eq!(status, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: echo-server"), "{stderr}");
        assert!(!stdout.contains("listening"), "{args:?}: {stdout}");
    }
}

// ---------------------------------------------------------------- client

/// Anything but HOST and PORT is exit status 1 with the usage on stderr.
#[test]
fn client_with_a_wrong_argument_count_exits_1_with_its_usage() {
    for args in [&[][..], &["127.0.0.1"], &["127.0.0.1", "7", "8"]] {
        let (status, _, stderr) = run("echo-client", args);
        assert_eq!(status, Some(1), "{args:?}");
        assert!(stderr.contains("usage: echo-client"), "{stderr}");
    }
}

/// A port that is not a whole number from 0 to 65535 is exit status 2.
#[test]
fn client_with_a_bad_port_exits_2() {
    for port in ["abc", "-1", "70000"] {
        let (status, _, stderr) = run("echo-client", &["127.0.0.1", port]);
        assert_eq!(status, Some(2), "{port}");
        assert!(stderr.contains("not a whole number"), "{stderr}");
    }
}

/// A refused connection is exit status 3, naming (host, port).
#[test]
fn client_exits_3_when_the_connection_is_refused() {
    let port = free_port().to_string();
    let (status, _, stderr) = run("echo-client", &["127.0.0.1", &port]);
    assert_eq!(status, Some(3));
    let target = format!("connection to (127.0.0.1, {port})");
    assert!(stderr.contains(&target), "{stderr}");
}

/// With piped input, the client prints each reply as `<-- reply`, and
/// exits 0 at the empty line, although its input is still open.
#[test]
fn client_prints_each_reply_and_exits_0_after_an_empty_line() {
    let (_server, addr) = echo_server(&[]);
    let port = addr.port().to_string();
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    client.type_text("hello\nsecond line\n\n");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: HELLO");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: SECOND LINE");
    assert_eq!(client.wait_exit(), Some(0));
}

/// The end of input (Ctrl-D) without an empty line also exits 0.
#[test]
fn client_exits_0_at_the_end_of_its_input() {
    let (_server, addr) = echo_server(&[]);
    let port = addr.port().to_string();
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    client.type_text("hello\n");
    client.close_stdin();
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: HELLO");
    assert_eq!(client.wait_exit(), Some(0));
}

/// A server played by the test, on a thread of its own: `serve` gets
/// its one client's connection (with timeouts) and a line reader on it.
/// Returns the port to give the client, and the thread.
fn fake_server<F>(serve: F) -> (String, thread::JoinHandle<()>)
where
    F: FnOnce(&TcpStream, &mut BufReader<&TcpStream>) + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port().to_string();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the client connects");
        common::set_timeouts(&stream);
        serve(&stream, &mut BufReader::new(&stream));
    });
    (port, server)
}

/// Against a server that, like the Python original, ends its replies
/// without a newline, `--quiet 0.2` of silence ends each reply.
#[test]
fn client_ends_a_reply_without_newline_after_a_quiet_spell() {
    let (port, python_like) = fake_server(|mut stream, lines| {
        let mut line = Vec::new();
        while lines.read_until(b'\n', &mut line).expect("a line") > 0 {
            let upper = python_strip(&line).to_ascii_uppercase();
            let reply = [&b"Thread-2: "[..], &upper].concat();
            stream.write_all(&reply).expect("reply");
            line.clear();
        }
    });
    let args = ["--quiet", "0.2", "127.0.0.1", &port];
    let mut client = Program::start("echo-client", &args);
    client.type_text("hello\nworld\n\n");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-2: HELLO");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-2: WORLD");
    assert_eq!(client.wait_exit(), Some(0));
    python_like.join().expect("the Python-like server");
}

/// V14: a server that hangs up while the user is idle is noticed at
/// once: the client says so and exits 3 while its input is still open
/// and nothing more is typed, not at the next line typed.
#[test]
fn client_says_at_once_that_the_server_hung_up_while_the_user_is_idle() {
    let (port, one_reply_only) = fake_server(|mut stream, lines| {
        assert_eq!(common::read_line(lines), "one\n");
        stream.write_all(b"Thread-1: ONE\n").expect("reply");
    }); // and hangs up
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    client.type_text("one\n");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: ONE");
    one_reply_only.join().expect("the server that hangs up");

    assert_eq!(client.wait_exit(), Some(3), "{:?}", client.seen());
    let stderr = client.stderr();
    let failed = format!(
        "connection to (127.0.0.1, {port}) failed: \
         the server closed the connection"
    );
    assert!(stderr.contains(&failed), "{stderr}");
}

/// `--timeout` bounds a whole reply, not each read: a server that
/// trickles its reply, a byte every 200 ms, never lets a read wait a
/// second, yet the client gives up a second after sending its command.
#[test]
fn client_timeout_bounds_a_whole_reply_however_it_trickles() {
    let (port, trickler) = fake_server(|mut stream, lines| {
        assert_eq!(common::read_line(lines), "slow\n");
        // The load: a byte every 200 ms, until the client hangs up.
        let reply = b"Thread-1: SLOW, SLOW, SLOW, VERY SLOW\n";
        for byte in reply {
            thread::sleep(Duration::from_millis(200));
            if stream.write_all(&[*byte]).is_err() {
                break;
            }
        }
    });
    let args = ["--timeout", "1", "127.0.0.1", &port];
    let mut client = Program::start("echo-client", &args);
    client.type_text("slow\n"); // and the input stays open
    assert_eq!(client.wait_exit(), Some(3), "{:?}", client.seen());
    let stderr = client.stderr();
    assert!(stderr.contains("failed: no reply within 1s"), "{stderr}");
    trickler.join().expect("the trickling server");
}

/// A server that talks all the time but reads nothing: the client's
/// lines fill the buffers between them, then its sending makes no
/// progress. `--timeout` bounds that wait too, and the client says why
/// it gave up.
#[test]
fn client_gives_up_on_a_server_that_stopped_reading() {
    let (port, deaf) = fake_server(|mut stream, _| {
        // A reply always at hand, until the client leaves.
        let chatter = b"ok\n".repeat(1000);
        while stream.write_all(&chatter).is_ok() {}
    });
    // Far more than the buffers between the two hold (a few MiB).
    let mut input = tempfile::tempfile().expect("a temporary file");
    let line = [&[b'a'; 60_000][..], b"\n"].concat();
    input.write_all(&line.repeat(100)).expect("the input");
    input.seek(SeekFrom::Start(0)).expect("rewind");
    let args = ["--timeout", "0.3", "127.0.0.1", &port];
    let mut client = Program::start_with_stdin("echo-client", &args, input);
    assert_eq!(client.wait_exit(), Some(3));
    let stderr = client.stderr();
    let why = "the server stopped reading: no progress sending for 300ms";
    assert!(stderr.contains(why), "{stderr}");
    deaf.join().expect("the server that reads nothing");
}

/// After its input ends, the client leaves, and within a bounded time,
/// even when the server floods it with lines it never asked for.
#[test]
fn client_leaves_at_the_end_of_its_input_even_when_the_server_floods() {
    let (port, flooder) = fake_server(|mut stream, lines| {
        assert_eq!(common::read_line(lines), "hello\n");
        stream.write_all(b"Thread-1: HELLO\n").expect("reply");
        // Unasked lines, as fast as they go, until the client leaves.
        let spam = b"spam\n".repeat(1000);
        while stream.write_all(&spam).is_ok() {}
    });
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    client.type_text("hello\n");
    client.close_stdin();
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: HELLO");
    assert_eq!(client.wait_exit(), Some(0), "{:?}", client.stderr());
    flooder.join().expect("the flooding server");
}

/// An option with a bad value, or an unknown one, is exit status 1,
/// before any attempt to connect.
#[test]
fn client_with_a_bad_option_exits_1_saying_what_is_wrong() {
    let port = free_port().to_string();
    let cases: [(&[&str], &str); 3] = [
        (&["--quiet", "0"], "--quiet wants seconds"),
        (&["--timeout", "1e19"], "--timeout wants seconds"),
        (&["--nope"], "unknown option --nope"),
    ];
    for (options, why) in cases {
        let args = [options, &["127.0.0.1", &port]].concat();
        let (status, _, stderr) = run("echo-client", &args);
        assert_eq!(status, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert!(!stderr.contains("connection to"), "{stderr}");
    }
}

/// V14, at the start: a `busy:` refusal that comes while the user has
/// typed nothing yet is shown at once, on a line of its own after the
/// prompt, and the server's hang-up that follows ends the client at once
/// with status 3: nobody has to type a line to learn it.
#[test]
fn client_shows_a_busy_refusal_and_exits_3_before_anything_is_typed() {
    let (mut server, addr) = echo_server(&["--max-clients", "1"]);
    let mut seated = Client::connect(addr);
    assert_eq!(seated.ask("seated"), "Thread-1: SEATED\n");

    let port = addr.port().to_string();
    // Its standard input stays open, and empty: the user is thinking.
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    server.expect_line("client 127.0.0.1 refused: 1 clients already");

    assert_eq!(client.next_line(), PROMPT);
    let busy = client.next_line();
    assert!(busy.starts_with("<-- busy: "), "{busy:?}");
    assert_eq!(client.wait_exit(), Some(3), "{:?}", client.seen());
    let stderr = client.stderr();
    let closed = format!(
        "connection to (127.0.0.1, {port}) failed: \
         the server closed the connection"
    );
    assert!(stderr.contains(&closed), "{stderr}");
    // The seated client was not disturbed.
    assert_eq!(seated.ask("still seated"), "Thread-1: STILL SEATED\n");
}

/// Once a server has ended a reply with a newline, the client trusts it
/// to end every reply so: a reply split by a pause longer than the
/// quiet spell is still printed whole, as one reply.
#[test]
fn client_waits_for_the_newline_once_the_server_has_sent_one() {
    const QUIET: &str = "0.2";
    // Three times the quiet spell: a client still guessing by silence
    // would print the reply's first half as the whole reply.
    const PAUSE: Duration = Duration::from_millis(600);
    let (port, framed) = fake_server(|mut stream, lines| {
        assert_eq!(common::read_line(lines), "one\n");
        stream.write_all(b"Thread-1: ONE\n").expect("reply");
        assert_eq!(common::read_line(lines), "two\n");
        stream.write_all(b"Thread-1: TW").expect("first half");
        thread::sleep(PAUSE); // a slow server: load, not synchronisation
        stream.write_all(b"O\n").expect("second half");
        // The client leaves at its empty line, sending nothing more.
        assert_eq!(common::read_line(lines), "");
    });
    let args = ["--quiet", QUIET, "127.0.0.1", &port];
    let mut client = Program::start("echo-client", &args);
    client.type_text("one\ntwo\n\n");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: ONE");
    assert_eq!(client.expect_line("<-- "), "<-- Thread-1: TWO");
    assert_eq!(client.wait_exit(), Some(0), "{:?}", client.seen());
    framed.join().expect("the newline-ending server");
}

/// A client whose standard output is closed (its reader gone) exits
/// with status 4, a local failure: neither 3, as if the network had
/// failed, nor a panic's 101.
#[test]
fn client_exits_4_when_its_standard_output_is_closed() {
    let (_server, addr) = echo_server(&[]);
    let port = addr.port().to_string();
    let (status, stderr) = common::run_with_stdout_closed(
        "echo-client",
        &["127.0.0.1", &port],
        b"hello\n",
    );
    assert_eq!(status, Some(4), "{stderr}");
    assert!(stderr.starts_with("echo-client: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A `busy:` refusal still on its way when the first command goes out
/// (typed ahead, as from a pipe) is not taken for a reply: the client
/// still says the server closed the connection, and exits 3.
///
/// With the real server this is a race (the refusal has not come yet
/// when `hello` goes out, and is read as its reply); the client's last
/// look before leaving catches the hang-up. This server makes the
/// race certain: it sends the refusal, and hangs up, once `hello` came.
#[test]
fn client_exits_3_when_a_busy_refusal_arrives_after_its_first_command() {
    let (port, late_refusal) = fake_server(|mut stream, lines| {
        assert_eq!(common::read_line(lines), "hello\n");
        let busy = b"busy: 1 clients already connected; try again later\n";
        stream.write_all(busy).expect("refusal");
    }); // and hangs up
    let mut client = Program::start("echo-client", &["127.0.0.1", &port]);
    client.type_text("hello\n");
    client.close_stdin();
    late_refusal.join().expect("the late refusal");

    let busy = client.expect_line("<-- ");
    assert!(busy.starts_with("<-- busy: "), "{busy:?}");
    let status = client.wait_exit();
    let stderr = client.stderr();
    assert_eq!(status, Some(3), "{:?}\n{stderr}", client.seen());
    assert!(
        stderr.contains("the server closed the connection"),
        "{stderr}"
    );
}
