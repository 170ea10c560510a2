//! The HTTP client library (`inet::http::client`) against the mock (the
//! tour's web chapter is tested in `tests/tour.rs`).

use std::io::{self, Write};
use std::time::Duration;

use inet::http::client::{BUFFER_SIZE, FetchError, Options, fetch};
use inet::http::request::{ORIGINAL_REQUEST, get_request};
use inet::http::site::Site;
use inet_mocks::HttpMock;
use inet_mocks::http::{Fault, HttpServer, Reply};

fn site_of(server: &HttpServer) -> Site {
    Site::parse(&format!("127.0.0.1:{}", server.addr().port())).unwrap()
}

fn options(timeout_ms: u64) -> Options {
    Options {
        timeout: Duration::from_millis(timeout_ms),
        ..Options::default()
    }
}

#[test]
fn fetch_streams_the_response_and_reports_its_sizes() {
    let reply = Reply::ok("abc");
    let server = HttpMock::new().route("/", reply.clone()).start().unwrap();
    let site = site_of(&server);
    let request = get_request(&site.host, site.port, "/").unwrap();
    let mut out = Vec::new();
    let fetched = fetch(&site, &request, &mut out, &options(5000)).unwrap();
    assert_eq!(out, reply.to_bytes().unwrap());
    assert_eq!(fetched.body_len, 3);
    assert_eq!(fetched.heads_len, out.len() - 3);
    assert_eq!(fetched.head.status, 200);
    assert_eq!(fetched.total_len(), out.len() as u64);
}

#[test]
fn the_originals_bare_lf_request_works_against_the_mock() {
    let server = HttpMock::new().start().unwrap();
    let site = site_of(&server);
    let mut out = Vec::new();
    let fetched =
        fetch(&site, ORIGINAL_REQUEST, &mut out, &options(5000)).unwrap();
    assert_eq!(fetched.head.status, 200);
    assert!(server.wait_for_closed(1, Duration::from_secs(5)));
    assert_eq!(server.requests(), [b"GET / HTTP/1.0\n\n".to_vec()]);
}

#[test]
fn timeouts_say_which_limit_ran_out() {
    let hang = HttpMock::new().fault(Fault::Hang).start().unwrap();
    let site = site_of(&hang);
    let request = get_request(&site.host, site.port, "/").unwrap();
    let err = fetch(&site, &request, &mut Vec::new(), &options(100));
    let err = err.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "timed out after 0.1s waiting for the server"
    );

    let trickle = Fault::Trickle(Duration::from_millis(10));
    let slow = HttpMock::new()
        .route("/", Reply::ok(vec![b'x'; 200]))
        .fault(trickle)
        .start()
        .unwrap();
    let site = site_of(&slow);
    let err = fetch(&site, &request, &mut Vec::new(), &options(300));
    let expected = "timed out after 0.9s waiting for the whole exchange to end";
    assert_eq!(err.unwrap_err().to_string(), expected);
}

#[test]
fn a_refused_connection_is_its_own_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let site = Site::parse(&format!("127.0.0.1:{port}")).unwrap();
    let err = fetch(&site, b"", &mut Vec::new(), &options(1000));
    assert!(matches!(err, Err(FetchError::Refused)));
}

#[test]
fn the_client_closes_once_the_content_length_is_met() {
    // The mock holds the connection open after junk; the client must
    // return without waiting for a timeout (here 30 s).
    let server = HttpMock::new()
        .fault(Fault::ExtraAfterBody)
        .start()
        .unwrap();
    let site = site_of(&server);
    let request = get_request(&site.host, site.port, "/").unwrap();
    let mut out = Vec::new();
    fetch(&site, &request, &mut out, &options(30_000)).unwrap();
    assert!(out.ends_with(b"\r\n\r\nhello"));
    // The mock sees our close: its connection ends.
    assert!(server.wait_for_closed(1, Duration::from_secs(5)));
}

/// A writer that keeps only the sizes of the writes it gets.
#[derive(Default)]
struct WriteSizes(Vec<usize>);

impl Write for WriteSizes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_body_of_many_buffers_goes_through_one_buffer_at_a_time() {
    let len = 3 * BUFFER_SIZE as u64 + 1;
    let reply = Reply::new(200, "OK").pattern(len);
    let server = HttpMock::new().route("/", reply).start().unwrap();
    let site =
        Site::parse(&format!("127.0.0.1:{}", server.addr().port())).unwrap();
    let request = get_request(&site.host, site.port, "/").unwrap();
    let mut out = WriteSizes::default();
    let options = Options {
        timeout: Duration::from_secs(5),
        ..Options::default()
    };
    let fetched = fetch(&site, &request, &mut out, &options).unwrap();
    assert_eq!(fetched.body_len, len);
    let written: usize = out.0.iter().sum();
    assert_eq!(written as u64, fetched.total_len());
    // Memory does not grow with the body: no write is bigger than
    // the one buffer (the head and the body bytes read with it come
    // in one read, so they are within it too).
    let biggest = out.0.iter().max().copied().unwrap_or(0);
    assert!(biggest <= BUFFER_SIZE, "a write of {biggest} bytes");
}
