//! `webget` against the mock HTTP server: what it saves, how it fails,
//! and that a failure never leaves a partial file nor touches an existing
//! one (matrix rows H1-H18, F1-F7; F9: what a killed download left; A1:
//! the port syntax).

use std::fs;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use inet::blocking::retry_interrupted;
use inet_mocks::HttpMock;
use inet_mocks::http::pattern;
use inet_mocks::http::{Fault, HttpServer, Reply};

/// Longest a single webget run may take in these tests.
const WAIT: Duration = Duration::from_secs(10);
const SENTINEL: &[u8] = b"an older copy, which must survive\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn webget(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = assert_cmd::Command::cargo_bin("webget")
        .unwrap()
        .args(args)
        .timeout(WAIT)
        .output()
        .unwrap();
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Starts webget without waiting for it, its output discarded.
fn spawn_webget(args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("webget"))
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// The site argument and the file name for a server at `addr`.
fn site(addr: SocketAddr) -> (String, String) {
    let port = addr.port();
    (
        format!("127.0.0.1:{port}"),
        format!("127.0.0.1_{port}.html"),
    )
}

/// Runs webget on `server` into `dir` with a short timeout.
fn get(server: &HttpServer, dir: &Path, timeout: &str) -> Run {
    let (site, _) = site(server.addr());
    let dir = dir.to_str().unwrap();
    webget(&["--timeout", timeout, "--out-dir", dir, &site])
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A directory holding an older copy of the page `server` would give.
fn dir_with_sentinel(server: &HttpServer) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = site(server.addr());
    fs::write(dir.path().join(file), SENTINEL).unwrap();
    dir
}

/// F1: after a failure, the older copy is intact and alone.
fn assert_untouched(server: &HttpServer, dir: &Path) {
    let (_, file) = site(server.addr());
    assert_eq!(names_in(dir), [file.as_str()], "a temporary file was left");
    assert_eq!(fs::read(dir.join(file)).unwrap(), SENTINEL);
}

/// Runs webget against a mock with `fault` (or `reply` at `/`) and
/// checks the failure: exit status, message, nothing published.
fn assert_fails(server: &HttpServer, timeout: &str, code: i32, text: &str) {
    let dir = dir_with_sentinel(server);
    let run = get(server, dir.path(), timeout);
    assert_eq!(run.code, Some(code), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(text), "want {text:?} in {}", run.stdout);
    assert!(run.stdout.contains("failed: "), "{}", run.stdout);
    assert_untouched(server, dir.path());
}

fn with_fault(fault: Fault) -> HttpServer {
    HttpMock::new()
        .route("/", Reply::ok("<p>hello</p>"))
        .fault(fault)
        .start()
        .unwrap()
}

fn with_raw(bytes: &[u8]) -> HttpServer {
    let reply = Reply::raw(bytes.to_vec());
    HttpMock::new().route("/", reply).start().unwrap()
}

#[test]
fn h15_saves_the_raw_response_byte_for_byte_and_sends_crlf_with_host() {
    let body = b"<p>\0\xff\xfe not UTF-8 \r\n\x80</p>".to_vec();
    let reply = Reply::ok(body);
    let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = get(&server, dir.path(), "5");
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let (_, file) = site(server.addr());
    let saved = fs::read(dir.path().join(&file)).unwrap();
    assert_eq!(saved, reply.to_bytes().unwrap());
    assert_eq!(names_in(dir.path()), [file.as_str()]);
    let port = server.addr().port();
    let request = format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    assert_eq!(server.requests(), [request.into_bytes()]);
    let expected = format!(
        "Transfer of the index page of site 127.0.0.1 succeeded: {}/{file} \
         (HTTP/1.0 200 OK, {} bytes)\n",
        dir.path().display(),
        saved.len()
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn h15_an_empty_body_and_a_large_one_are_saved_whole() {
    for len in [0, 3_000_000] {
        let reply = Reply::new(200, "OK").pattern(len);
        let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let run = get(&server, dir.path(), "5");
        assert_eq!(run.code, Some(0), "{}", run.stdout);
        let (_, file) = site(server.addr());
        let saved = fs::read(dir.path().join(file)).unwrap();
        let head_len = saved.len() - len as usize;
        assert_eq!(saved[head_len..], pattern(len));
    }
}

#[test]
fn h6_a_body_without_length_is_read_to_the_close() {
    let reply = Reply::ok("until the close").close_delimited();
    let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = get(&server, dir.path(), "5");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let (_, file) = site(server.addr());
    let saved = fs::read(dir.path().join(file)).unwrap();
    assert_eq!(saved, reply.to_bytes().unwrap());
}

#[test]
fn error_statuses_and_redirects_are_saved_and_count_as_success() {
    for reply in [Reply::not_found(), Reply::redirect("http://127.0.0.1/")] {
        let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
        let dir = dir_with_sentinel(&server);
        let run = get(&server, dir.path(), "5");
        assert_eq!(run.code, Some(0), "{}", run.stdout);
        let status = reply.status().to_string();
        assert!(run.stdout.contains(&status), "{}", run.stdout);
        let (_, file) = site(server.addr());
        // F3: a successful download replaces the older copy.
        let saved = fs::read(dir.path().join(file)).unwrap();
        assert_eq!(saved, reply.to_bytes().unwrap());
    }
}

#[test]
fn h2_an_empty_reply() {
    let server = with_fault(Fault::NoReply);
    assert_fails(&server, "5", 5, "empty reply");
}

#[test]
fn h3_headers_without_their_blank_line() {
    let server = with_fault(Fault::CloseMidHead);
    assert_fails(&server, "5", 6, "incomplete headers");
}

#[test]
fn h4_a_body_shorter_than_its_content_length() {
    let server = with_fault(Fault::CloseMidBody);
    assert_fails(&server, "5", 6, "truncated: got 50 of 100 body bytes");
}

#[test]
fn h5_bytes_past_the_content_length_are_not_saved_nor_waited_for() {
    // The mock holds the connection open after the junk: webget must
    // stop at Content-Length, not wait for the close (30 s timeout).
    let server = with_fault(Fault::ExtraAfterBody);
    let dir = tempfile::tempdir().unwrap();
    let run = get(&server, dir.path(), "30");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let (_, file) = site(server.addr());
    let saved = fs::read(dir.path().join(file)).unwrap();
    assert_eq!(saved, b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
}

#[test]
fn h7_h8_h9_content_length_table() {
    for bad in [
        "-6",
        "crap",
        "+5",
        " 5 5",
        "36893488147419103232",
        "5\r\nContent-Length: 6",
    ] {
        let raw =
            format!("HTTP/1.0 200 OK\r\nContent-Length: {bad}\r\n\r\nhello");
        let server = with_raw(raw.as_bytes());
        assert_fails(&server, "5", 7, "Content-Length");
    }
    // Equal duplicates are accepted (as curl does).
    let raw = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello";
    let server = with_raw(raw);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(get(&server, dir.path(), "5").code, Some(0));
}

#[test]
fn h10_a_chunked_reply_to_a_1_0_request_is_refused() {
    let server = with_fault(Fault::Chunked);
    assert_fails(&server, "5", 7, "Transfer-Encoding");
}

#[test]
fn h12_status_lines_and_http_0_9() {
    assert_fails(&with_fault(Fault::Http09), "5", 7, "no status line");
    assert_fails(&with_fault(Fault::Garbage), "5", 7, "no status line");
    for bad in ["HTTP/1.0 -1 X", "HTTP/1.0 2 X", "HTTP/1.0 2000 X"] {
        let server = with_raw(format!("{bad}\r\n\r\n").as_bytes());
        assert_fails(&server, "5", 7, "bad status line");
    }
    let dir = tempfile::tempdir().unwrap();
    let odd = with_raw(b"HTTP/1.1 999 123\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(get(&odd, dir.path(), "5").code, Some(0));
}

#[test]
fn h13_bad_header_lines() {
    for bad in ["A\0: b", "NoColon", "A: b\rc", " Lead: x", "A : b"] {
        let raw = format!("HTTP/1.0 200 OK\r\n{bad}\r\n\r\n");
        assert_fails(&with_raw(raw.as_bytes()), "5", 7, "bad header line");
    }
}

#[test]
fn h14_endless_headers_are_cut_off_at_the_cap() {
    let server = with_fault(Fault::EndlessHeaders);
    assert_fails(&server, "5", 7, "headers too large");
    let huge = format!("HTTP/1.0 200 OK\r\nX: {}\r\n\r\n", "y".repeat(200_000));
    assert_fails(&with_raw(huge.as_bytes()), "5", 7, "over 8192 bytes");
}

#[test]
fn h16_a_silent_server_times_out() {
    let server = with_fault(Fault::Hang);
    assert_fails(&server, "0.2", 4, "timed out after 0.2s");
    let stalled = with_fault(Fault::StallMidBody);
    assert_fails(&stalled, "0.2", 4, "timed out");
}

#[test]
fn h16_a_trickling_server_is_cut_off_at_the_overall_deadline() {
    // A byte every 10 ms never lets a 0.3 s read timeout fire; the
    // deadline of 3 x 0.3 s must end it (the reply would take ~10 s).
    let reply = Reply::ok(vec![b'x'; 1000]);
    let server = HttpMock::new()
        .route("/", reply)
        .fault(Fault::Trickle(Duration::from_millis(10)))
        .start()
        .unwrap();
    assert_fails(
        &server,
        "0.3",
        4,
        "after 0.9s waiting for the whole exchange",
    );
}

#[test]
fn h17_a_refused_connection() {
    // A port nobody listens on, and nobody can take while the test runs:
    // the local end of a live connection. Its socket owns the port but
    // matches only its own peer, so a connect to it is refused (RST).
    // (Binding a listener and dropping it would free the port for
    // another test to take before webget connects.)
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let owner = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let addr = owner.local_addr().unwrap();
    let port = addr.port();
    let dir = tempfile::tempdir().unwrap();
    let (site, _) = site(addr);
    let run = webget(&["--out-dir", dir.path().to_str().unwrap(), &site]);
    assert_eq!(run.code, Some(3));
    let expected = format!(
        "Connection to site (127.0.0.1,{port}) failed: connection refused\n"
    );
    assert_eq!(run.stdout, expected);
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn h17_a_connection_reset_mid_body_publishes_nothing() {
    // A server that closes with the request still unread makes its
    // kernel send a reset (RST) instead of the usual FIN; `peek` waits
    // for the request without reading it. (The mock harness can't do
    // this: its `Conn` shuts the socket down first, which sends a FIN,
    // and the client would see a plain truncation, H4.)
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (site, file) = site(listener.local_addr().unwrap());
    let (done, served) = mpsc::channel();
    std::thread::spawn(move || {
        let serve = || -> std::io::Result<()> {
            let (stream, _) = listener.accept()?;
            stream.set_read_timeout(Some(WAIT))?;
            stream.set_write_timeout(Some(WAIT))?;
            retry_interrupted(|| stream.peek(&mut [0; 1]))?;
            (&stream)
                .write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\nab")
        };
        let _ = done.send(serve());
    });
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(&file), SENTINEL).unwrap();
    let run = webget(&["--out-dir", dir.path().to_str().unwrap(), &site]);
    assert_eq!(run.code, Some(3), "{}", run.stdout);
    let expected = "127.0.0.1 failed: connection failed: Connection reset";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
    assert_eq!(names_in(dir.path()), [file.as_str()]);
    assert_eq!(fs::read(dir.path().join(file)).unwrap(), SENTINEL);
    // Waited for on a channel, not joined: had webget not connected, the
    // server would wait in `accept` for ever, and the test with it.
    let served = served.recv_timeout(WAIT);
    served.expect("the server never finished").unwrap();
}

#[test]
fn h18_an_interim_reply_is_skipped_and_saved_as_it_came() {
    let server = with_fault(Fault::Interim);
    let dir = dir_with_sentinel(&server);
    let run = get(&server, dir.path(), "5");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let (_, file) = site(server.addr());
    let saved = fs::read(dir.path().join(&file)).unwrap();
    let page = Reply::ok("<p>hello</p>").to_bytes().unwrap();
    assert_eq!(
        saved,
        [&b"HTTP/1.1 100 Continue\r\n\r\n"[..], &page].concat()
    );
    let line = format!("(HTTP/1.0 200 OK, {} bytes)\n", saved.len());
    assert!(run.stdout.ends_with(&line), "{}", run.stdout);
}

#[test]
fn h18_a_switch_of_protocols_is_refused_and_nothing_saved() {
    let switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\n\r\n\x81\x05hello";
    assert_fails(&with_raw(switch), "5", 7, "switched protocols (101)");
}

/// H14, H18: interim heads without end count towards the cap on the
/// head, as header lines do.
#[test]
fn h14_endless_interim_replies_are_cut_off_at_the_cap() {
    let endless = "HTTP/1.1 100 Continue\r\n\r\n".repeat(5000);
    let server = with_raw(endless.as_bytes());
    assert_fails(&server, "5", 7, "headers too large");
}

/// Runs webget on `server` with `--max-size max`.
fn get_at_most(server: &HttpServer, dir: &Path, max: &str) -> Run {
    let (site, _) = site(server.addr());
    let dir = dir.to_str().unwrap();
    webget(&[
        "--max-size",
        max,
        "--timeout",
        "30",
        "--out-dir",
        dir,
        &site,
    ])
}

/// H15: a body whose Content-Length is over `--max-size` is refused as
/// soon as the head is in: this server sends 3 bytes of its announced
/// 10 GB and closes, which would otherwise be a truncation (status 6).
#[test]
fn h15_max_size_refuses_an_announced_body_at_once() {
    let head = b"HTTP/1.0 200 OK\r\nContent-Length: 10000000000\r\n\r\nabc";
    let server = with_raw(head);
    let dir = dir_with_sentinel(&server);
    let run = get_at_most(&server, dir.path(), "1000000");
    assert_eq!(run.code, Some(9), "{}", run.stdout);
    let why = "body too large: its Content-Length, 10000000000 bytes, is over \
        the limit of 1000000";
    assert!(run.stdout.contains(why), "{}", run.stdout);
    assert_untouched(&server, dir.path());
}

/// H15: a server that really sends its 10 GB: webget stops at the head,
/// well within its 30 s timeout, never reading the body.
#[test]
fn h15_max_size_does_not_read_a_huge_body() {
    let huge = Reply::new(200, "OK").pattern(10_000_000_000);
    let server = HttpMock::new().route("/", huge).start().unwrap();
    let dir = dir_with_sentinel(&server);
    let run = get_at_most(&server, dir.path(), "1000000");
    assert_eq!(run.code, Some(9), "{}", run.stdout);
    assert_untouched(&server, dir.path());
}

/// H6, H15: a body without a length is refused once it grows past
/// `--max-size`, and nothing is saved; a body of exactly that size is.
#[test]
fn h15_max_size_refuses_a_body_that_grows_past_it() {
    let big = Reply::new(200, "OK").pattern(3_000_000).close_delimited();
    let server = HttpMock::new().route("/", big).start().unwrap();
    let dir = dir_with_sentinel(&server);
    let run = get_at_most(&server, dir.path(), "1000");
    assert_eq!(run.code, Some(9), "{}", run.stdout);
    assert!(run.stdout.contains("over the limit of 1000 bytes"));
    assert_untouched(&server, dir.path());
    let exact = Reply::ok(vec![b'x'; 1000]).close_delimited();
    let server = HttpMock::new().route("/", exact).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(get_at_most(&server, dir.path(), "1000").code, Some(0));
}

#[test]
fn h1_f4_bad_site_names_are_refused_before_connecting() {
    let server = HttpMock::new().start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let port = server.addr().port();
    for bad in [
        format!("127.0.0.1 :{port}"),
        format!("127.0.0.1\r\nX: y:{port}"),
        format!("..:{port}"),
        format!("../127.0.0.1:{port}"),
        format!("a/b:{port}"),
        format!("a\\b:{port}"),
        format!("é:{port}"),
        format!("127.0.0.1:{port}:{port}"),
        String::new(),
        "127.0.0.1:99999".to_owned(),
        "127.0.0.1:0".to_owned(),
        format!("127.0.0.1:+{port}"),
        // Over 253 characters: no DNS name (RFC 1035 §2.3.4).
        format!("{}:{port}", "a".repeat(254)),
    ] {
        let run = webget(&["--out-dir", out, &bad]);
        assert_eq!(run.code, Some(2), "{bad:?}: {}", run.stdout);
        assert!(run.stdout.starts_with("Site refused: bad site"), "{bad:?}");
    }
    assert!(names_in(dir.path()).is_empty());
    // Nothing reached the server: the next connection is its first.
    assert_eq!(get(&server, dir.path(), "5").code, Some(0));
    assert!(server.wait_for_closed(1, WAIT));
    assert_eq!(server.requests().len(), 1);
}

/// A download in progress, into a directory holding an older copy.
struct Stalled {
    server: HttpServer,
    dir: tempfile::TempDir,
    child: Child,
}

/// Starts webget with `--timeout timeout` against a server that stalls
/// mid-body, and returns once it has connected (its temporary file is
/// made before that).
fn stalled_download(timeout: &str) -> Stalled {
    let server = with_fault(Fault::StallMidBody);
    let dir = dir_with_sentinel(&server);
    let (site, _) = site(server.addr());
    let out = dir.path().to_str().unwrap();
    let child = spawn_webget(&["--timeout", timeout, "--out-dir", out, &site]);
    assert!(server.wait_for_connections(1, WAIT));
    Stalled { server, dir, child }
}

#[test]
fn f2_the_destination_keeps_its_old_content_during_a_download() {
    let Stalled {
        server,
        dir,
        mut child,
        ..
    } = stalled_download("1");
    let (_, file) = site(server.addr());
    let names = names_in(dir.path());
    assert_eq!(names.len(), 2, "{names:?}");
    let temp = names.iter().find(|n| **n != file).unwrap();
    assert!(temp.starts_with(&format!(".{file}.")) && temp.ends_with(".tmp"));
    assert_eq!(fs::read(dir.path().join(&file)).unwrap(), SENTINEL);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(4));
    assert_untouched(&server, dir.path());
}

#[test]
fn f6_two_downloads_of_one_page_at_once_both_succeed() {
    let reply = Reply::new(200, "OK").pattern(500_000);
    let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (site, file) = site(server.addr());
    let out = dir.path().to_str().unwrap().to_owned();
    let spawn = || spawn_webget(&["--timeout", "5", "--out-dir", &out, &site]);
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    assert_eq!(names_in(dir.path()), [file.as_str()]);
    let saved = fs::read(dir.path().join(file)).unwrap();
    assert_eq!(saved, reply.to_bytes().unwrap());
}

#[cfg(unix)]
#[test]
fn f5_a_symlink_destination_is_replaced_not_followed() {
    let server = HttpMock::new()
        .route("/", Reply::ok("new"))
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("precious");
    fs::write(&target, SENTINEL).unwrap();
    let (_, file) = site(server.addr());
    let link = dir.path().join(&file);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(get(&server, dir.path(), "5").code, Some(0));
    assert!(
        !fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read(&link).unwrap().ends_with(b"new"));
    assert_eq!(fs::read(&target).unwrap(), SENTINEL);
    // A dangling link is replaced the same way.
    fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("none"), &link).unwrap();
    assert_eq!(get(&server, dir.path(), "5").code, Some(0));
    assert!(!elsewhere.path().join("none").exists());
}

#[test]
fn f7_an_unusable_output_directory_is_named_and_nothing_is_sent() {
    let server = HttpMock::new().start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let a_file = dir.path().join("a-file");
    fs::write(&a_file, "not a directory").unwrap();
    for out in [&missing, &a_file] {
        let run = get(&server, out, "5");
        assert_eq!(run.code, Some(8), "{}", run.stdout);
        let shown = out.display().to_string();
        assert!(run.stdout.starts_with("Error ("), "{}", run.stdout);
        assert!(run.stdout.contains(&shown), "{}", run.stdout);
    }
    assert_eq!(names_in(dir.path()), ["a-file"]);
    assert!(!server.wait_for_connections(1, Duration::from_millis(100)));
}

#[test]
fn several_sites_give_one_line_each_and_the_first_failure_status() {
    let good = HttpMock::new().start().unwrap();
    let empty = with_fault(Fault::NoReply);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (good_site, good_file) = site(good.addr());
    let (empty_site, _) = site(empty.addr());
    let run = webget(&["--out-dir", out, &empty_site, &good_site, "a/b"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].contains("empty reply"));
    assert!(lines[1].contains("succeeded"));
    assert!(lines[2].starts_with("Site refused"));
    assert_eq!(run.code, Some(5));
    assert_eq!(names_in(dir.path()), [good_file]);
}

#[test]
fn help_and_bad_command_lines() {
    let help = webget(&["--help"]);
    assert_eq!(help.code, Some(0));
    assert!(help.stdout.starts_with("usage: webget"));
    assert!(help.stdout.contains("Exit status"));
    assert!(help.stdout.contains("9  the body is over --max-size"));
    for bad in [
        &["--timeout", "0", "x"][..],
        &["--timeout", "soon"],
        &["--max-size", "-1", "x"],
        &["--max-size", "1e6", "x"],
        &["--nope"],
    ] {
        let run = webget(bad);
        assert_eq!(run.code, Some(1), "{bad:?}");
        assert!(run.stderr.contains("usage: webget"), "{}", run.stderr);
    }
}

/// A1: a port is written as for every program (`inet::port::parse_port`:
/// digits, white space around them allowed), so `SITE: PORT` is a site.
#[test]
fn a1_the_port_has_the_syntax_of_every_program() {
    let server = HttpMock::new().start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = site(server.addr());
    let spaced = format!("127.0.0.1: {} ", server.addr().port());
    let run = webget(&["--out-dir", dir.path().to_str().unwrap(), &spaced]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(names_in(dir.path()), [file]);
}

/// The name of a temporary file for `file`, as webget makes them.
fn temp_name(file: &str, random: u64) -> String {
    format!(".{file}.{random:016x}.tmp")
}

/// The temporary files of `dir`.
fn temps_in(dir: &Path) -> Vec<String> {
    let names = names_in(dir).into_iter();
    names.filter(|n| n.starts_with('.')).collect()
}

/// F9: a download killed by SIGKILL leaves its temporary file (no code
/// of its runs any more); a run of the same site while the first lives
/// leaves that file alone (its lock is held), and the next run after the
/// death deletes it (the lock died with the process).
#[cfg(unix)]
#[test]
fn f9_a_killed_downloads_file_is_cleaned_by_the_next_run_never_before() {
    let Stalled {
        server,
        dir,
        child: mut first,
    } = stalled_download("30");
    let (site, _) = site(server.addr());
    let out = dir.path().to_str().unwrap().to_owned();
    let live = temps_in(dir.path());
    assert_eq!(live.len(), 1, "{live:?}");
    // A second download of the same page while the first is alive.
    let second = webget(&["--timeout", "0.2", "--out-dir", &out, &site]);
    assert_eq!(second.code, Some(4), "{}", second.stdout);
    assert_eq!(temps_in(dir.path()), live, "a live download's file went");
    first.kill().unwrap(); // SIGKILL: no destructor runs
    first.wait().unwrap();
    assert_eq!(temps_in(dir.path()), live, "the kill left nothing behind");
    let third = webget(&["--timeout", "0.2", "--out-dir", &out, &site]);
    assert_eq!(third.code, Some(4), "{}", third.stdout);
    assert_untouched(&server, dir.path());
}

/// F9: only what webget names as its temporary files for this site is
/// ever removed, and only when unlocked: not another site's, not a name
/// that merely looks alike, not a symlink (nor what it points to), not a
/// FIFO (opening one would wait for a writer: webget must not hang).
#[cfg(unix)]
#[test]
fn f9_the_cleaner_touches_only_dead_temporary_files_of_its_site() {
    let server = HttpMock::new().start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = site(server.addr());
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("precious");
    fs::write(&target, SENTINEL).unwrap();
    let dead = temp_name(&file, 0x0123_4567_89ab_cdef);
    let kept = [
        temp_name("other.html", 1),
        format!(".{file}.0123.tmp"),
        format!(".{file}.0123456789ABCDEF.tmp"),
        format!(".{file}.0123456789abcdef.tmp.old"),
        temp_name(&file, 2), // a symlink
        temp_name(&file, 3), // a FIFO
    ];
    fs::write(dir.path().join(&dead), "half a page").unwrap();
    for name in &kept[..4] {
        fs::write(dir.path().join(name), "not ours").unwrap();
    }
    std::os::unix::fs::symlink(&target, dir.path().join(&kept[4])).unwrap();
    let fifo = dir.path().join(&kept[5]);
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    assert_eq!(get(&server, dir.path(), "5").code, Some(0));
    let mut expected: Vec<String> = kept.to_vec();
    expected.push(file);
    expected.sort();
    assert_eq!(names_in(dir.path()), expected);
    assert_eq!(fs::read(&target).unwrap(), SENTINEL);
}
