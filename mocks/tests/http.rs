//! The mock HTTP server, in process and as the `mock-http` program,
//! driven by raw sockets (no HTTP client code involved).

use crate::program::{Program, retry_interrupted};
use inet_mocks::http::{
    DEFAULT_PAGE, Fault, MAX_REQUEST_HEAD, MAX_REQUEST_LINE, Reply, pattern,
};
use inet_mocks::{Dir, HttpMock};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);
/// The standalone program.
const EXE: &str = env!("CARGO_BIN_EXE_mock-http");
const GET: &[u8] = b"GET / HTTP/1.0\r\nHost: test\r\n\r\n";

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    stream
}

/// Sends `request`, reads until the server closes.
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    reply
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads exactly `n` bytes, then checks that nothing more comes within
/// 200 ms although the connection stays open.
fn read_then_silence(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut got = vec![0; n];
    stream.read_exact(&mut got).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let err = retry_interrupted(|| stream.read(&mut [0; 16])).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));
    got
}

#[test]
fn a_route_is_served_with_content_length_and_the_request_is_recorded() {
    let server = HttpMock::new()
        .route("/", Reply::ok("hello"))
        .start()
        .unwrap();
    let reply = exchange(server.addr(), GET);
    assert_eq!(
        text(&reply),
        "HTTP/1.0 200 OK\r\nServer: inet-mock-http\r\n\
         Content-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"
    );
    assert!(server.wait_for_closed(1, WAIT));
    assert_eq!(server.requests(), vec![GET.to_vec()]);
}

#[test]
fn a_close_delimited_body_has_no_content_length() {
    let reply = Reply::ok("until close").close_delimited();
    let server = HttpMock::new().route("/", reply).start().unwrap();
    let reply = text(&exchange(server.addr(), GET));
    assert!(!reply.contains("Content-Length"), "{reply}");
    assert!(reply.ends_with("\r\n\r\nuntil close"), "{reply}");
}

#[test]
fn a_redirect_is_a_302_with_a_location() {
    let reply = Reply::redirect("http://127.0.0.1/new");
    let server = HttpMock::new().route("/", reply).start().unwrap();
    let reply = text(&exchange(server.addr(), GET));
    assert!(reply.starts_with("HTTP/1.0 302 Found\r\n"), "{reply}");
    assert!(reply.contains("\r\nLocation: http://127.0.0.1/new\r\n"));
}

#[test]
fn the_bare_lf_request_of_the_original_is_understood() {
    let server = HttpMock::new().start().unwrap();
    let reply = text(&exchange(server.addr(), b"GET / HTTP/1.0\n\n"));
    assert!(reply.starts_with("HTTP/1.0 200 OK\r\n"), "{reply}");
    assert!(reply.ends_with(DEFAULT_PAGE));
}

#[test]
fn head_gets_the_head_only_and_other_methods_501() {
    let server = HttpMock::new()
        .route("/", Reply::ok("body"))
        .start()
        .unwrap();
    let head = text(&exchange(server.addr(), b"HEAD / HTTP/1.0\r\n\r\n"));
    assert!(head.ends_with("Content-Length: 4\r\n\r\n"), "{head}");
    let post = text(&exchange(server.addr(), b"POST / HTTP/1.0\r\n\r\n"));
    assert!(post.starts_with("HTTP/1.0 501 "), "{post}");
}

#[test]
fn a_generated_body_is_the_pattern() {
    let reply = Reply::new(200, "OK").pattern(300_000);
    let server = HttpMock::new().route("/", reply).start().unwrap();
    let reply = exchange(server.addr(), GET);
    let body_at = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(text(&reply[..body_at]).contains("Content-Length: 300000\r\n"));
    assert_eq!(reply[body_at..], pattern(300_000));
}

#[test]
fn h19_a_path_with_encoded_crlf_is_echoed_escaped_in_one_header() {
    let server = HttpMock::new().start().unwrap();
    let request = b"GET /%0d%0aSet-Cookie:x HTTP/1.0\r\n\r\n";
    let reply = text(&exchange(server.addr(), request));
    assert!(reply.starts_with("HTTP/1.0 404 Not Found\r\n"), "{reply}");
    let head = reply.split("\r\n\r\n").next().unwrap();
    assert!(head.lines().all(|l| !l.starts_with("Set-Cookie")), "{head}");
    assert!(head.contains("\r\nX-Request-Path: /%0d%0aSet-Cookie:x\r\n"));
}

#[test]
fn h19_raw_control_bytes_in_the_request_line_get_400() {
    let server = HttpMock::new().start().unwrap();
    for request in [
        &b"GET /a\rSet-Cookie:x HTTP/1.0\r\n\r\n"[..],
        b"GET /\0 HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.0 x\r\n\r\n",
        b"nonsense\r\n\r\n",
    ] {
        let reply = text(&exchange(server.addr(), request));
        assert!(reply.starts_with("HTTP/1.0 400 "), "{request:?}: {reply}");
    }
}

/// Sends `request` whole (the mock reads it all before it refuses, so
/// its close is a clean FIN, not a reset), then reads the answer.
fn refused(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    text(&reply)
}

/// Sends `request` and reads the reply until the close; a reset after
/// the reply counts as the close (a server that closes without reading
/// the request resets the connection, RFC 9293 §3.6.1).
fn reply_until_close(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = connect(addr);
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    match stream.read_to_end(&mut reply) {
        Err(e) if e.kind() != ErrorKind::ConnectionReset => panic!("{e}"),
        _ => text(&reply),
    }
}

/// Row V1: with the one place taken (a client the mock never answers),
/// the next clients get `503` and the close, and no handler.
#[test]
fn v1_clients_past_the_cap_get_503_and_the_close() {
    let server = HttpMock::new()
        .fault(Fault::Hang)
        .max_connections(1)
        .start()
        .unwrap();
    let mut holder = connect(server.addr());
    holder.write_all(GET).unwrap();
    assert!(server.wait_for_connections(1, WAIT));
    for _ in 0..3 {
        let reply = reply_until_close(server.addr(), GET);
        assert!(reply.starts_with("HTTP/1.0 503 "), "{reply}");
        assert!(reply.ends_with("try again later.</p>\n"), "{reply}");
    }
    assert!(!server.wait_for_connections(2, Duration::ZERO));
}

#[test]
fn h20_an_overlong_request_line_gets_414() {
    let server = HttpMock::new().start().unwrap();
    let mut request = b"GET /".to_vec();
    request.resize(MAX_REQUEST_LINE + 1, b'a');
    let reply = refused(server.addr(), &request);
    assert!(reply.starts_with("HTTP/1.0 414 "), "{reply}");
}

#[test]
fn h20_endless_request_headers_get_431() {
    let server = HttpMock::new().start().unwrap();
    let mut request = b"GET / HTTP/1.0\r\n".to_vec();
    while request.len() <= MAX_REQUEST_HEAD {
        request.extend_from_slice(b"X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyy\r\n");
    }
    request.truncate(MAX_REQUEST_HEAD + 1);
    let reply = refused(server.addr(), &request);
    assert!(reply.starts_with("HTTP/1.0 431 "), "{reply}");
}

#[test]
fn h20_a_slowloris_client_gets_408_at_the_head_deadline() {
    let deadline = Duration::from_millis(300);
    let server = HttpMock::new().head_deadline(deadline).start().unwrap();
    let mut stream = connect(server.addr());
    let started = Instant::now();
    stream.write_all(b"GET / HTTP/1.0\r\n").unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert!(
        text(&reply).starts_with("HTTP/1.0 408 "),
        "{}",
        text(&reply)
    );
    assert!(started.elapsed() < WAIT);
}

#[test]
fn files_are_served_from_the_root_and_never_from_outside() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "secret").unwrap();
    let root = outside.path().join("www");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("index.html"), "<p>index</p>").unwrap();
    std::fs::write(root.join("a b.txt"), "spaced").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret"),
        root.join("link"),
    )
    .unwrap();
    let server = HttpMock::new().root(&root).start().unwrap();
    let get = |path: &str| {
        let request = format!("GET {path} HTTP/1.0\r\n\r\n");
        text(&exchange(server.addr(), request.as_bytes()))
    };
    assert!(get("/").ends_with("\r\n\r\n<p>index</p>"));
    assert!(get("/a%20b.txt").ends_with("\r\n\r\nspaced"));
    for escape in ["/../secret", "/%2e%2e/secret", "/..%2fsecret", "/link"] {
        let reply = get(escape);
        assert!(reply.starts_with("HTTP/1.0 404 "), "{escape}: {reply}");
        assert!(!reply.contains("secret\r\n\r\nsecret"));
    }
}

#[test]
fn fault_no_reply_reads_the_request_and_closes() {
    let server = HttpMock::new().fault(Fault::NoReply).start().unwrap();
    assert_eq!(exchange(server.addr(), GET), b"");
    assert!(server.wait_for_closed(1, WAIT));
    assert_eq!(server.requests(), vec![GET.to_vec()]);
}

#[test]
fn faults_that_send_a_broken_reply_then_close() {
    let cases: [(Fault, &[u8]); 6] = [
        (
            Fault::CloseMidHead,
            b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n",
        ),
        (
            Fault::CloseMidBody,
            b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n\
              0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
        ),
        (Fault::Garbage, b"\x00\xff\xfeSSH-2.0-not-http\r\n\r\n"),
        (Fault::Http09, b"<html>no status line</html>\n"),
        (
            Fault::Chunked,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\
              Content-Length: 123456\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ),
        (
            Fault::Interim,
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\
              Server: inet-mock-http\r\nContent-Type: text/html\r\n\
              Content-Length: 2\r\n\r\nhi",
        ),
    ];
    for (fault, expected) in cases {
        let server = HttpMock::new()
            .route("/", Reply::ok("hi"))
            .fault(fault)
            .start()
            .unwrap();
        let reply = exchange(server.addr(), GET);
        assert_eq!(text(&reply), text(expected), "{fault:?}");
    }
}

#[test]
fn fault_extra_after_body_sends_junk_and_holds_the_connection() {
    let server = HttpMock::new()
        .fault(Fault::ExtraAfterBody)
        .start()
        .unwrap();
    let mut stream = connect(server.addr());
    stream.write_all(GET).unwrap();
    let expected = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n\
                     hellojunk after the body";
    let got = read_then_silence(&mut stream, expected.len());
    assert_eq!(text(&got), text(expected));
}

#[test]
fn fault_hang_never_answers_and_stall_stops_mid_body() {
    let hang = HttpMock::new().fault(Fault::Hang).start().unwrap();
    let mut stream = connect(hang.addr());
    stream.write_all(GET).unwrap();
    assert_eq!(read_then_silence(&mut stream, 0), b"");

    let stall = HttpMock::new().fault(Fault::StallMidBody).start().unwrap();
    let mut stream = connect(stall.addr());
    stream.write_all(GET).unwrap();
    let head = b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n";
    let got = read_then_silence(&mut stream, head.len() + 10);
    assert_eq!(got[..head.len()], head[..]);
    assert_eq!(got[head.len()..], pattern(10));
}

#[test]
fn fault_endless_headers_keeps_sending_header_lines() {
    let server = HttpMock::new()
        .fault(Fault::EndlessHeaders)
        .start()
        .unwrap();
    let mut stream = connect(server.addr());
    stream.write_all(GET).unwrap();
    let mut got = vec![0; 1024 * 1024];
    stream.read_exact(&mut got).unwrap();
    assert!(got.starts_with(b"HTTP/1.0 200 OK\r\nX: y\r\nX: y\r\n"));
    assert!(!got.windows(4).any(|w| w == b"\r\n\r\n"));
}

#[test]
fn fault_trickle_sends_the_normal_reply_one_byte_at_a_time() {
    let trickle = Fault::Trickle(Duration::from_millis(1));
    let normal = Reply::ok("slow");
    let server = HttpMock::new()
        .route("/", normal.clone())
        .fault(trickle)
        .start()
        .unwrap();
    let reply = exchange(server.addr(), GET);
    assert_eq!(reply, normal.to_bytes().unwrap());
    assert!(server.wait_for_closed(1, WAIT));
    let entries = server.transcripts()[0].entries();
    let writes = entries.iter().filter(|e| e.dir == Dir::ToClient);
    assert!(
        writes.clone().all(|e| e.bytes.len() == 1),
        "one byte a write"
    );
    assert_eq!(writes.count(), reply.len());
}

// ---- the standalone program ----

/// Runs `mock-http` with `args`.
fn mock_http(args: &[&str]) -> Program {
    Program::start(EXE, args)
}

#[test]
fn the_program_prints_its_address_first_and_serves_the_default_page() {
    let mock = mock_http(&[]);
    assert!(mock.addr.ip().is_loopback());
    let reply = text(&exchange(mock.addr, GET));
    assert!(reply.starts_with("HTTP/1.0 200 OK\r\n"), "{reply}");
    assert!(reply.ends_with(DEFAULT_PAGE));
    let log = mock.next_line();
    assert!(log.ends_with("\"GET / HTTP/1.0\" 200"), "{log}");
}

#[test]
fn the_program_serves_a_root_and_generated_bodies() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("page.html"), "<p>page</p>").unwrap();
    let dir = root.path().to_str().unwrap();
    let mock = mock_http(&["--root", dir, "--generate", "1000"]);
    let page = exchange(mock.addr, b"GET /page.html HTTP/1.0\r\n\r\n");
    assert!(text(&page).ends_with("\r\n\r\n<p>page</p>"));
    let generated = exchange(mock.addr, GET);
    assert!(generated.ends_with(&pattern(1000)));
    let missing = text(&exchange(mock.addr, b"GET /nope HTTP/1.0\r\n\r\n"));
    assert!(missing.starts_with("HTTP/1.0 404 "), "{missing}");
}

#[test]
fn the_program_plays_a_fault_and_logs_it() {
    let mock = mock_http(&["--fault", "close-mid-body"]);
    let reply = exchange(mock.addr, GET);
    let head = b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n";
    assert_eq!(reply, [&head[..], &pattern(50)].concat());
    let log = mock.next_line();
    let want = "\"GET / HTTP/1.0\" fault close-mid-body";
    assert!(log.ends_with(want), "{log}");
}

#[test]
fn the_program_has_help_and_refuses_bad_arguments() {
    let help = Command::new(EXE).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(text(&help.stdout).starts_with("usage: mock-http"));
    for (bad, status) in [
        (&["--port", "70000"][..], 2),
        (&["--port=x"], 2),
        (&["--port"], 1),
        (&["--root", "/no/such/dir"], 1),
        (&["--generate", "lots"], 1),
        (&["--fault", "slow"], 1),
        (&["--fault"], 1),
        (&["extra"], 1),
    ] {
        let out = Command::new(EXE).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(status), "{bad:?}");
        assert!(text(&out.stderr).starts_with("mock-http: "), "{bad:?}");
    }
}

/// Finding 1 of the mocks' audit: a harness reads the `listening on`
/// line and never reads again. Every request must still be answered
/// and closed (the log drops lines, never the service), and once the
/// output moves again every log line is there or counted as dropped.
#[test]
fn the_program_serves_on_while_nobody_reads_its_output() {
    const REQUESTS: usize = 2_500;
    // A 1 KiB target makes a 1 KiB log line: 2.5 MB of log, the 64 KiB
    // pipe and the program's own queue overflowed many times over.
    let request = format!("GET /?{} HTTP/1.0\r\n\r\n", "x".repeat(1024));
    let mock = Program::start_unread(EXE, &[]);
    for i in 0..REQUESTS {
        let reply = short_exchange(mock.addr, request.as_bytes());
        let done = reply.starts_with(b"HTTP/1.0 200 ")
            && reply.ends_with(DEFAULT_PAGE.as_bytes());
        assert!(done, "request {i}: {}", text(&reply));
    }
    mock.resume_reading();
    let (printed, dropped) =
        mock.account_for(REQUESTS, |line| line.ends_with("HTTP/1.0\" 200"));
    assert_eq!(printed + dropped, REQUESTS);
    assert!(dropped > 0, "the log should have overflowed");
}

/// One request with short socket timeouts: a stalled server fails the
/// test within a second instead of hanging it.
fn short_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let short = Some(Duration::from_secs(1));
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(short).unwrap();
    stream.set_write_timeout(short).unwrap();
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    match stream.read_to_end(&mut reply) {
        Ok(_) => reply,
        Err(e) => panic!("{e} after {:?}", text(&reply)),
    }
}

/// Row M10: `accept` failing for want of descriptors (EMFILE), with
/// standard error closed, so that even the mock's warning fails: once
/// descriptors are free, the mock serves again.
#[cfg(target_os = "linux")]
#[test]
fn accept_failures_with_standard_error_closed_do_not_stop_the_mock_m10() {
    let few_descriptors = "ulimit -n 16 && exec \"$0\" 2>&-";
    let mock = Program::start("sh", &["-c", few_descriptors, EXE]);
    // Connections the kernel completes but the mock can't all accept: each
    // accepted one takes a descriptor, and 16 are far too few for 24.
    let held: Vec<TcpStream> = (0..24)
        .map(|_| TcpStream::connect_timeout(&mock.addr, WAIT).unwrap())
        .collect();
    drop(held);
    let reply = short_exchange(mock.addr, b"GET / HTTP/1.0\r\n\r\n");
    assert!(reply.starts_with(b"HTTP/1.0 200 "), "{}", text(&reply));
}
