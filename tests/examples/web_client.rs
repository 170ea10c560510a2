//! inet_02's minimal port, `examples/inet_02_web_client.rs`, against
//! the mock HTTP server. Each run works in a directory of its own, where
//! the port writes `127.0.0.1:PORT.html`.

use std::fs;
use std::path::Path;

use inet_mocks::HttpMock;
use inet_mocks::http::{Fault as HttpFault, HttpServer, Reply};
use tempfile::TempDir;

use super::harness::{Example, Fault, WAIT, closed_port, run_in};

const NAME: &str = "inet_02_web_client";

// ANCHOR: faults
/// What breaks the minimal port of inet_02.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "SilentServer",
        staged_by: "HttpMock, Fault::Hang",
        breaks: "a server that reads the request and never answers holds \
                 the program forever: it reads with no timeout",
        test: "a_silent_server_holds_it_forever",
    },
    Fault {
        name: "NeverCloses",
        staged_by: "HttpMock, Fault::ExtraAfterBody",
        breaks: "the page is whole after its Content-Length, but the \
                 program reads until the server closes, which it never does",
        test: "a_server_that_keeps_the_connection_holds_it_forever",
    },
    Fault {
        name: "CutShort",
        staged_by: "HttpMock, Fault::CloseMidBody",
        breaks: "a reply cut off halfway is saved, and reported as a \
                 success: the program never reads Content-Length",
        test: "a_reply_cut_short_is_saved_as_a_success",
    },
    Fault {
        name: "ErrorPage",
        staged_by: "HttpMock, route / answered 404",
        breaks: "a 404 page is saved, and reported as a success: the \
                 program never reads the status line",
        test: "an_error_page_is_saved_as_a_success",
    },
    Fault {
        name: "Refused",
        staged_by: "a port where nothing listens",
        breaks: "the file is emptied before connecting, so a failed site \
                 leaves an empty file where the last good copy was",
        test: "a_refused_connection_leaves_an_empty_file",
    },
];
// ANCHOR_END: faults

/// The original's request, bytes and all: bare LFs, no Host.
const REQUEST: &[u8] = b"GET / HTTP/1.0\n\n";

/// The site argument for `server`, and the file it is saved in.
fn site(server: &HttpServer) -> (String, String) {
    let site = format!("127.0.0.1:{}", server.addr().port());
    let file = format!("{site}.html");
    (site, file)
}

fn success(site: &str) -> String {
    format!("Transfert reussi du paragraphe index du site {site}\n")
}

/// Runs the port on `sites` in `dir`; returns what it printed.
fn fetch(dir: &Path, sites: &[&str]) -> String {
    let out = run_in(NAME, sites, dir, "");
    assert_eq!(out.status, Some(0), "{out:?}");
    out.stdout
}

/// Everything `server` sent on its first connection.
fn sent(server: &HttpServer) -> Vec<u8> {
    assert!(server.wait_for_closed(1, WAIT));
    server.transcripts()[0].bytes_to_client()
}

#[test]
fn each_site_is_saved_raw_in_its_file() {
    let dir = TempDir::new().unwrap();
    let first = HttpMock::new()
        .route("/", Reply::ok("<h1>first</h1>"))
        .start()
        .unwrap();
    let second = HttpMock::new().start().unwrap();
    let ((one, one_file), (two, two_file)) = (site(&first), site(&second));

    let stdout = fetch(dir.path(), &[&one, &two]);

    assert_eq!(stdout, success(&one) + &success(&two));
    for (server, file) in [(&first, one_file), (&second, two_file)] {
        assert_eq!(server.requests(), [REQUEST]);
        // Saved as it came: status line, headers and all.
        let saved = fs::read(dir.path().join(file)).unwrap();
        assert!(saved.starts_with(b"HTTP/1.0 200 OK\r\n"));
        assert_eq!(saved, sent(server));
    }
}

/// Starts the port on `server`, waits until the server has its
/// connection, and asserts that the port then waits forever.
fn assert_held_by(server: &HttpServer) {
    let dir = TempDir::new().unwrap();
    let (site, _) = site(server);
    let mut example = Example::start_in(NAME, &[&site], dir.path());
    assert!(server.wait_for_connections(1, WAIT));
    assert_eq!(example.assert_hangs(), "");
}

#[test]
fn a_silent_server_holds_it_forever() {
    let server = HttpMock::new().fault(HttpFault::Hang).start().unwrap();
    assert_held_by(&server);
}

#[test]
fn a_server_that_keeps_the_connection_holds_it_forever() {
    let fault = HttpFault::ExtraAfterBody;
    let server = HttpMock::new().fault(fault).start().unwrap();
    assert_held_by(&server);
}

#[test]
fn a_reply_cut_short_is_saved_as_a_success() {
    let dir = TempDir::new().unwrap();
    let fault = HttpFault::CloseMidBody;
    let server = HttpMock::new().fault(fault).start().unwrap();
    let (site, file) = site(&server);

    assert_eq!(fetch(dir.path(), &[&site]), success(&site));

    let saved = fs::read(dir.path().join(file)).unwrap();
    let head = b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n";
    assert_eq!(saved.len(), head.len() + 50, "half of the 100 bytes");
    assert_eq!(saved, sent(&server));
}

#[test]
fn an_error_page_is_saved_as_a_success() {
    let dir = TempDir::new().unwrap();
    let server = HttpMock::new()
        .route("/", Reply::not_found())
        .start()
        .unwrap();
    let (site, file) = site(&server);

    assert_eq!(fetch(dir.path(), &[&site]), success(&site));

    let saved = fs::read(dir.path().join(file)).unwrap();
    assert!(saved.starts_with(b"HTTP/1.0 404 "), "{saved:?}");
}

#[test]
fn a_refused_connection_leaves_an_empty_file() {
    let dir = TempDir::new().unwrap();
    let port = closed_port();
    let site = format!("127.0.0.1:{port}");
    let file = dir.path().join(format!("{site}.html"));
    fs::write(&file, "the last good copy").unwrap();

    let stdout = fetch(dir.path(), &[&site]);

    let refused = format!("Echec de la connexion au site (127.0.0.1,{port}) :");
    assert!(stdout.starts_with(&refused), "{stdout}");
    assert_eq!(fs::read(&file).unwrap(), b"", "the old copy is gone");
}
