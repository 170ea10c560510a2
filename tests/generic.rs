//! Drives the real `tcp-server` binary (inet_10, `src/relay.rs`) over
//! loopback sockets. The test plays both parts: the person at the
//! keyboard, through the program's standard input (a pipe), and the
//! client, through a socket.
//!
//! Each test starts its own server on a free port (`0`). It never sleeps
//! to let something happen: it waits for a line on the server's standard
//! output, or for bytes (or the end of the stream) on a socket.

use crate::common;

use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};

use common::{Program, connect, read_line};

/// The chapter's HTTP response, as the person types it: a status line,
/// headers, a blank line, then the page.
const RESPONSE: &str = "\
HTTP/1.0 200 OK
Server: generic tcp server
Connection: close
Content-Type: text/html

<html><body><h2>Generic tcp server</h2></body></html>
";

/// The page in [`RESPONSE`]: what a browser shows.
const PAGE: &str = "<html><body><h2>Generic tcp server</h2></body></html>\n";

/// Starts `tcp-server` with `args` and returns it with its address.
fn start(args: &[&str]) -> (Program, SocketAddr) {
    let mut server = Program::start("tcp-server", args);
    let addr = server.listening_addr();
    (server, addr)
}

/// Sends the request a minimal HTTP/1.0 browser sends.
fn send_request(client: &mut TcpStream, addr: SocketAddr) {
    let request = format!("GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    client
        .write_all(request.as_bytes())
        .expect("send the request");
}

/// Reads until the server closes its side; fails on a reset or timeout.
fn read_to_eof(client: &mut impl Read) -> Vec<u8> {
    let mut received = Vec::new();
    client
        .read_to_end(&mut received)
        .expect("read until the server closes the connection");
    received
}

/// [`read_to_eof`], as text.
fn read_text_to_eof(client: &mut impl Read) -> String {
    String::from_utf8(read_to_eof(client)).expect("UTF-8 from the server")
}

/// Checks the server printed the request of [`send_request`].
fn expect_request_logged(server: &mut Program, addr: SocketAddr) {
    server.expect_line("<--- 127.0.0.1 : GET / HTTP/1.0");
    server.expect_line(&format!("<--- 127.0.0.1 : Host: {addr}"));
}

// --- The chapter's scenario: the person plays a web server ------------

/// A response typed before the client connects is exactly what it receives.
#[test]
fn the_http_client_receives_the_response_typed_in_advance() {
    let (mut server, addr) = start(&["0"]);
    server.type_text(RESPONSE);
    server.type_text("bye\n");

    let mut client = connect(addr);
    send_request(&mut client, addr);
    assert_eq!(read_text_to_eof(&mut client), RESPONSE);

    assert_eq!(server.expect_line("client"), "client 127.0.0.1");
    expect_request_logged(&mut server, addr);
    drop(client);
    let end = server.expect_line("closed the connection");
    assert_eq!(end, "client 127.0.0.1 closed the connection");
}

/// A response typed once the request is read is exactly what it receives.
#[test]
fn the_http_client_receives_the_response_typed_after_its_request() {
    let (mut server, addr) = start(&["0"]);
    let mut client = connect(addr);
    send_request(&mut client, addr);

    assert_eq!(server.expect_line("client"), "client 127.0.0.1");
    expect_request_logged(&mut server, addr);
    // The blank line that ends an HTTP request head: time to answer.
    assert_eq!(server.next_line(), "<--- 127.0.0.1 : ");
    server.type_text(RESPONSE);
    server.type_text("bye\n");

    assert_eq!(read_text_to_eof(&mut client), RESPONSE);
    drop(client);
    let end = server.expect_line("closed the connection");
    assert_eq!(end, "client 127.0.0.1 closed the connection");
}

/// A real HTTP client, curl, shows the page typed at the keyboard.
#[test]
fn curl_gets_the_page_typed_at_the_keyboard() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("note: curl is not on PATH; this test checked nothing");
        return;
    }
    let (mut server, addr) = start(&["0"]);
    let curl = Command::new("curl")
        .args(["-s", "--noproxy", "*", "--max-time", "5"])
        .arg(format!("http://{addr}/"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start curl");

    server.expect_line("<--- 127.0.0.1 : GET / HTTP/1.1");
    while server.next_line() != "<--- 127.0.0.1 : " {} // the request head
    server.type_text(RESPONSE);
    server.type_text("bye\n");

    let curl = curl.wait_with_output().expect("wait for curl");
    assert!(curl.status.success(), "curl failed: {:?}", curl.status);
    assert_eq!(String::from_utf8_lossy(&curl.stdout), PAGE);
    server.expect_line("client 127.0.0.1 closed the connection");
}

// --- Ending a session ---------------------------------------------------

/// After `bye` the client reads every line, then EOF; its late lines print.
#[test]
fn bye_closes_gracefully_and_drains_what_the_client_still_sends() {
    let (mut server, addr) = start(&["0"]);
    let mut client = connect(addr);
    server.expect_line("client 127.0.0.1");
    client.write_all(b"before bye\n").expect("send");
    server.expect_line("<--- 127.0.0.1 : before bye");

    server.type_text("one\ntwo\nthree\nbye\n");
    // A reset instead of a graceful close would fail this read.
    assert_eq!(read_text_to_eof(&mut client), "one\ntwo\nthree\n");

    // The server only stopped sending: it still reads, until we close.
    client
        .write_all(b"after bye 1\nafter bye 2\n")
        .expect("send");
    server.expect_line("<--- 127.0.0.1 : after bye 1");
    assert_eq!(server.next_line(), "<--- 127.0.0.1 : after bye 2");
    drop(client);
    assert_eq!(server.next_line(), "client 127.0.0.1 closed the connection");
}

/// A client's `bye` is printed like any line: only the keyboard ends a session.
#[test]
fn a_bye_from_the_client_is_just_a_line() {
    let (mut server, addr) = start(&["0"]);
    let mut client = BufReader::new(connect(addr));
    server.expect_line("client 127.0.0.1");
    client
        .get_mut()
        .write_all(b"bye\nstill here\n")
        .expect("send");

    // The original's reader stopped reading at the client's `bye`.
    assert_eq!(server.expect_line("<--- "), "<--- 127.0.0.1 : bye");
    assert_eq!(server.next_line(), "<--- 127.0.0.1 : still here");
    server.type_text("me too\n");
    assert_eq!(read_line(&mut client), "me too\n");
}

/// A second client waits, untouched, in the queue until `bye` ends the first.
#[test]
fn a_second_client_is_served_only_after_bye_ends_the_first_session() {
    let (mut server, addr) = start(&["0"]);
    let mut first = BufReader::new(connect(addr));
    assert_eq!(server.expect_line("client"), "client 127.0.0.1");
    // The kernel completes the second connection: it waits to be accepted.
    let mut second = BufReader::new(connect(addr));
    second
        .get_mut()
        .write_all(b"second is waiting\n")
        .expect("send");

    server.type_text("to the first\n");
    assert_eq!(read_line(&mut first), "to the first\n");
    server.type_text("bye\n");
    assert_eq!(read_text_to_eof(&mut first), "");
    drop(first);
    server.expect_line("client 127.0.0.1 closed the connection");

    // Only now is the second client accepted, and its line read.
    assert_eq!(server.next_line(), "client 127.0.0.1");
    assert_eq!(server.next_line(), "<--- 127.0.0.1 : second is waiting");
    server.type_text("to the second\nbye\n");
    // Nothing typed for the first client reached the second.
    assert_eq!(read_text_to_eof(&mut second), "to the second\n");
}

/// A client that disconnects ends its session (no endless empty lines).
#[test]
fn a_client_that_disconnects_ends_its_session_and_the_next_is_served() {
    let (mut server, addr) = start(&["0"]);
    let mut first = connect(addr);
    server.expect_line("client 127.0.0.1");
    first.write_all(b"hello, and goodbye\n").expect("send");
    drop(first);

    let said = server.expect_line("<--- ");
    assert_eq!(said, "<--- 127.0.0.1 : hello, and goodbye");
    // The original printed `<--- 127.0.0.1 : ` forever at this point.
    assert_eq!(server.next_line(), "client 127.0.0.1 closed the connection");

    let mut second = BufReader::new(connect(addr));
    assert_eq!(server.next_line(), "client 127.0.0.1");
    server.type_text("welcome\n");
    assert_eq!(read_line(&mut second), "welcome\n");
}

/// A client gone when a keyboard line is sent is reported; the next is served.
#[test]
fn a_client_gone_when_a_line_is_sent_is_reported_and_the_next_is_served() {
    let (mut server, addr) = start(&["0"]);
    // Typed ahead, so the server writes them to the client as soon as it
    // accepts it: by then the client has already closed.
    let typed_for_the_first = "lost 1\nlost 2\nlost 3\n";
    server.type_text(typed_for_the_first);
    drop(connect(addr));

    // The server notices when a write fails, or when its reader sees the
    // end of the stream or the reset that the first write provoked.
    let gone = server.expect_line("client 127.0.0.1 ");
    let reported = ["gone: ", "connection failed: ", "closed the connection"]
        .iter()
        .any(|why| gone.starts_with(&format!("client 127.0.0.1 {why}")));
    assert!(reported, "the departure is reported: {gone:?}");

    let mut second = connect(addr);
    assert_eq!(server.next_line(), "client 127.0.0.1");
    server.type_text("for the second\nbye\n");
    let received = read_text_to_eof(&mut second);
    // As in the original, lines typed but not yet sent when the first
    // client left go to the next one.
    let leftover = received.strip_suffix("for the second\n");
    let leftover = leftover.unwrap_or_else(|| panic!("got {received:?}"));
    assert!(typed_for_the_first.ends_with(leftover), "got {received:?}");
}

/// A client that sends nothing is let go; the one queued behind it is served.
#[test]
fn an_idle_client_is_let_go_and_the_client_queued_behind_it_is_served() {
    let (mut server, addr) = start(&["--idle-timeout", "0.3", "0"]);
    // A browser opens a spare connection "just in case", then a real one.
    let mut idle = connect(addr);
    assert_eq!(server.expect_line("client"), "client 127.0.0.1");
    let mut browser = connect(addr);
    send_request(&mut browser, addr);

    let let_go = server.expect_line("sent nothing");
    assert_eq!(
        let_go,
        "client 127.0.0.1 sent nothing for 300ms: disconnected"
    );
    assert_eq!(read_text_to_eof(&mut idle), "");

    assert_eq!(server.next_line(), "client 127.0.0.1");
    expect_request_logged(&mut server, addr);
    server.type_text(RESPONSE);
    server.type_text("bye\n");
    assert_eq!(read_text_to_eof(&mut browser), RESPONSE);
}

/// A client that does not read can't make the server hoard what is
/// typed: the server reads the keyboard only a line ahead of what it has
/// sent, so once the connection's buffers are full it stops reading its
/// standard input, and whoever types there waits. Of 64 MiB typed as
/// fast as it goes, the server takes no more than those buffers hold.
#[cfg(unix)]
#[test]
fn a_client_that_does_not_read_stops_the_keyboard_not_our_memory() {
    use std::io::ErrorKind;
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    // A socket, not a pipe, for standard input: its writes can time out.
    let (keyboard, stdin) = UnixStream::pair().expect("socket pair");
    let stdin = OwnedFd::from(stdin);
    let mut server = Program::start_with_stdin("tcp-server", &["0"], stdin);
    let addr = server.listening_addr();
    let mut client = connect(addr); // it never reads
    client.write_all(b"hello\n").expect("send");
    server.expect_line("<--- 127.0.0.1 : hello");

    const TYPED: usize = 64 << 20;
    let line = [&[b'x'; 1023][..], b"\n"].concat();
    let wait = Some(Duration::from_secs(1));
    keyboard.set_write_timeout(wait).expect("write timeout");
    let mut typed = 0;
    while typed < TYPED {
        match (&keyboard).write(&line) {
            Ok(n) => typed += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock) => break,
            // A signal (EINTR) is no failure: type on.
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("typing failed after {typed} bytes: {e}"),
        }
    }
    assert!(typed < TYPED / 4, "the server took {typed} bytes");
}

/// A standard output nobody reads (a paused terminal, a pipe to a program
/// that stopped) never stops a session: a client sends more lines than
/// standard output takes, leaves, and the next client is served. (The
/// log drops what does not fit, and counts it: `echo::log::tests`.)
#[cfg(unix)]
#[test]
fn a_standard_output_nobody_reads_never_stops_a_session() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;

    // A socket, not a pipe, for standard output: its reads can time out.
    let (screen, stdout) = UnixStream::pair().expect("socket pair");
    screen
        .set_read_timeout(Some(common::WAIT))
        .expect("timeout");
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("tcp-server"));
    command.arg("0").stdin(Stdio::piped()).stderr(Stdio::null());
    command.stdout(Stdio::from(OwnedFd::from(stdout)));
    let mut server = common::Killed(command.spawn().expect("start tcp-server"));
    drop(command); // its copy of the socket, or the log never ends
    let mut screen = BufReader::new(screen);
    // Its first line, and no more for now.
    let addr = common::listening_addr_in(&read_line(&mut screen));

    let mut flood = connect(addr);
    // More than standard output's buffer takes: a server that wrote its
    // log itself would stop reading here.
    let lines = format!("{}\n", "x".repeat(99)).repeat(6_000); // 600 KB
    flood.write_all(lines.as_bytes()).expect("the flood");
    flood.shutdown(Shutdown::Write).expect("half-close");
    // The server ends the session once it has read it all: EOF.
    assert_eq!(read_to_eof(&mut flood), b"");
    let mut next = BufReader::new(connect(addr));
    let mut keyboard = server.0.stdin.take().expect("stdin");
    keyboard.write_all(b"served\n").expect("type");
    assert_eq!(read_line(&mut next), "served\n");

    drop(next);
    drop(keyboard); // the end of input ends the server
    let mut log = String::new();
    screen.read_to_string(&mut log).expect("the log, once read");
    assert!(log.starts_with("client 127.0.0.1\n<--- 127.0.0.1 : xxx"));
    assert_eq!(server.0.wait().expect("exit").code(), Some(0));
}

/// A keyboard that fails (a line over the limit, a directory for input)
/// is no end of input: the reason on stderr, and exit status 3.
#[test]
fn a_keyboard_that_fails_exits_3_saying_why() {
    let dir = tempfile::tempdir().expect("a directory");
    let long = dir.path().join("long");
    std::fs::write(&long, vec![b'x'; 70_000]).expect("a long line");
    for (input, why) in [(dir.path(), "directory"), (&long, "line longer")] {
        let input = std::fs::File::open(input).expect("open");
        let mut server = Program::start_with_stdin("tcp-server", &["0"], input);
        assert_eq!(server.wait_exit(), Some(3));
        let stderr = server.stderr();
        assert!(stderr.contains("cannot serve: keyboard: "), "{stderr}");
        assert!(stderr.contains(why), "{stderr}");
    }
}

// --- Standard input: its end, and bytes that are not UTF-8 --------------

/// Ctrl-D ends the session gracefully, then the server, with status 0.
#[test]
fn closing_stdin_ends_the_session_gracefully_and_the_server_exits_0() {
    let (mut server, addr) = start(&["0"]);
    let mut client = connect(addr);
    server.expect_line("client 127.0.0.1");
    server.type_text("one\ntwo, without a newline");
    server.close_stdin();

    let received = read_text_to_eof(&mut client);
    assert_eq!(received, "one\ntwo, without a newline\n");
    server.expect_line("end of input: closing the session");
    drop(client);
    server.expect_line("client 127.0.0.1 closed the connection");
    assert_eq!(server.wait_exit(), Some(0));
}

/// Input that ends at once, before any client, ends the server at once,
/// with status 0: nobody is left to answer a client.
#[test]
fn stdin_ending_before_any_client_ends_the_server_with_status_0() {
    let (mut server, _addr) = start(&["0"]);
    server.close_stdin();
    // A server that went on waiting for a client would not exit.
    assert_eq!(server.wait_exit(), Some(0));
    let clients: Vec<&String> = server
        .seen()
        .iter()
        .filter(|line| line.starts_with("client"))
        .collect();
    assert!(clients.is_empty(), "no client was served: {clients:?}");
}

/// Lines typed with CRLF reach the client byte for byte, `\r\n` and
/// all, and `bye\r\n` is `bye`: the session ends and the client gets EOF.
#[test]
fn crlf_lines_are_relayed_as_typed_and_bye_with_crlf_ends_the_session() {
    let response = RESPONSE.replace('\n', "\r\n");
    let (mut server, addr) = start(&["0"]);
    let mut client = connect(addr);
    send_request(&mut client, addr);
    expect_request_logged(&mut server, addr);
    server.type_text(&response);
    server.type_text("bye\r\n");

    // Not `bye`: the session would go on, and this read time out.
    assert_eq!(read_to_eof(&mut client), response.as_bytes());
    // The log shows the line, without its line end.
    assert_eq!(server.expect_line("--> HTTP/"), "--> HTTP/1.0 200 OK");
    drop(client);
    let end = server.expect_line("closed the connection");
    assert_eq!(end, "client 127.0.0.1 closed the connection");
}

/// Bytes typed that are not UTF-8 reach the client unchanged.
#[test]
fn bytes_typed_that_are_not_utf8_are_relayed_byte_for_byte() {
    let (mut server, addr) = start(&["0"]);
    let mut client = connect(addr);
    server.expect_line("client 127.0.0.1");
    // Latin-1 "café", two bytes UTF-8 never uses, a NUL.
    let typed = b"caf\xe9 \xff\xfe \x00 end\n";
    server.type_bytes(typed);
    server.type_text("bye\n");
    assert_eq!(read_to_eof(&mut client), typed);
}

/// Client bytes that are not UTF-8, and control characters that would
/// steer the terminal (a `\r` that rewrites the line, a screen wipe),
/// print escaped; the session goes on.
#[test]
fn bytes_from_the_client_that_are_not_text_are_printed_escaped() {
    let (mut server, addr) = start(&["0"]);
    let mut client = BufReader::new(connect(addr));
    server.expect_line("client 127.0.0.1");
    client
        .get_mut()
        .write_all(b"\xff\xfe hello \xc3\x28\rclient \x1b[2J\n")
        .expect("send");

    let said = server.expect_line("hello");
    let shown = r"<--- 127.0.0.1 : \xff\xfe hello \xc3(\rclient \x1b[2J";
    assert_eq!(said, shown);
    server.type_text("still here\n");
    assert_eq!(read_line(&mut client), "still here\n");
}

// --- Exit statuses --------------------------------------------------------

/// Without a port it prints its usage on stderr and exits 1.
#[test]
fn without_a_port_it_prints_usage_and_exits_1() {
    let mut server = Program::start("tcp-server", &[]);
    assert_eq!(server.wait_exit(), Some(1));
    let stderr = server.stderr();
    assert!(stderr.contains("usage: tcp-server"), "stderr: {stderr}");
}

/// A port that is not a number makes it exit 2.
#[test]
fn a_port_that_is_not_a_number_exits_2() {
    let mut server = Program::start("tcp-server", &["abc"]);
    assert_eq!(server.wait_exit(), Some(2));
    let stderr = server.stderr();
    assert!(stderr.contains("\"abc\""), "stderr: {stderr}");
}

/// `--help` prints the help on stdout and exits 0.
#[test]
fn help_prints_the_usage_and_exits_0() {
    let mut server = Program::start("tcp-server", &["--help"]);
    server.expect_line("usage: tcp-server [OPTIONS] PORT");
    assert_eq!(server.wait_exit(), Some(0));
}

/// A bad `--idle-timeout`, or an unknown option, makes it exit 1 with
/// what is wrong and the usage.
#[test]
fn a_bad_or_unknown_option_exits_1() {
    let cases: [(&[&str], &str); 2] = [
        (&["--idle-timeout", "0"], "--idle-timeout wants seconds"),
        (&["--nope"], "unknown option --nope"),
    ];
    for (options, why) in cases {
        let args = [options, &["0"]].concat();
        let mut server = Program::start("tcp-server", &args);
        assert_eq!(server.wait_exit(), Some(1), "{args:?}");
        let stderr = server.stderr();
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: tcp-server"), "{stderr}");
        assert!(server.seen().is_empty(), "{:?}", server.seen());
    }
}

/// A port another program listens on makes it exit 3.
#[test]
fn a_port_in_use_exits_3() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let mut server = Program::start("tcp-server", &[&port]);
    assert_eq!(server.wait_exit(), Some(3));
    let stderr = server.stderr();
    assert!(stderr.contains("cannot listen"), "stderr: {stderr}");
}
