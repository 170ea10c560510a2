//! A web client (inet_02): `inet_02.py` against `webget`.
//!
//! The original fetches `/` from four fixed sites over port 80, saving
//! each response in `SITE.html` in its working directory, and prints a
//! line per site. Under the shim, port 80 of any host goes to an
//! [`HttpMock`] (`INET_COMPARE_HTTP`), and the names come from [`HOSTS`]
//! (`INET_COMPARE_HOSTS`): the three real sites at documentation
//! addresses, `xx` unknown, as on the Internet. The original has no
//! coding line, which Python 2.7 refuses; the shim reads it as UTF-8
//! (`INET_COMPARE_CODING`) and says so.
//!
//! `webget` resolves names through the system, which would leave the
//! machine, so it is given the mock's address instead, as the tour does:
//! one mock per site (`127.0.0.1:PORT`, so each site has a file of its
//! own), and, for `xx`, a loopback port where nothing listens. Compared:
//! standard output, standard error, exit status, the bytes each mock
//! received and sent, and the saved files, paired site by site.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use inet_mocks::http::HttpServer;
use inet_mocks::{HttpMock, Reply, Transcript};

use super::Chapter;
use crate::{CompareError, Comparison, Finished, Job, Normaliser, Setup, Side};

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    title: "web client (inet_02)",
    lesson_path: "lessons/02-web-client.md",
    lesson: include_str!("../../../lessons/02-web-client.md"),
    scenario,
};

// ANCHOR: script
/// The original's sites, in its order.
pub const SITES: [&str; 4] = [
    "istia.univ-angers.fr",
    "www.univ-angers.fr",
    "www.ibm.com",
    "xx",
];

/// The names the original looks up, in `/etc/hosts` form, at
/// documentation addresses (RFC 5737); `xx` is in no table.
pub const HOSTS: &str = "\
192.0.2.10  istia.univ-angers.fr
192.0.2.20  www.univ-angers.fr
192.0.2.30  www.ibm.com
";

/// The page every mock serves at `/` (`HTTP/1.0 200 OK`, with
/// `Content-Type` and `Content-Length`).
pub const PAGE: &str = "<html><body><h1>Hello</h1></body></html>\n";
// ANCHOR_END: script

/// How long `webget` waits for each step (the original waits forever;
/// `compare` kills it after its own timeout).
const WEBGET_TIMEOUT: &str = "5";

/// How long to wait for a mock to see its connections closed.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

fn scenario(setup: &Setup) -> Result<Vec<Comparison>, CompareError> {
    // The original: one mock takes every connection to port 80.
    let python_http = http_mock()?;
    let python = Job::original(setup)
        .env("INET_COMPARE_HOSTS", HOSTS)
        .env("INET_COMPARE_HTTP", python_http.addr())
        .env("INET_COMPARE_CODING", "utf-8")
        .run()?;
    python_http.wait_for_closed(reachable(&SITES), CLOSE_WAIT);

    // The port: a mock per site in the table, a closed port for `xx`.
    let mut rust_http = Vec::new();
    let mut rust_addrs = Vec::new();
    for site in SITES {
        rust_addrs.push(match in_table(site) {
            true => {
                let mock = http_mock()?;
                let addr = mock.addr();
                rust_http.push(mock);
                addr
            }
            false => closed_port()?,
        });
    }
    let rust_sites: Vec<String> =
        rust_addrs.iter().map(SocketAddr::to_string).collect();
    let rust = Job::program(setup, "webget")?
        .args(["--timeout", WEBGET_TIMEOUT])
        .args(&rust_sites)
        .run()?;
    for mock in &rust_http {
        mock.wait_for_closed(1, CLOSE_WAIT);
    }

    let normal = rust_addrs
        .iter()
        .fold(Normaliser::new(), |n, addr| n.port(addr.port(), "PORT"))
        .port(python_http.addr().port(), "PORT");
    let python_files: Vec<String> =
        SITES.iter().map(|site| format!("{site}.html")).collect();
    let rust_files: Vec<String> =
        rust_sites.iter().map(|site| file_name_of(site)).collect();
    let rust_transcripts: Vec<Transcript> =
        rust_http.iter().flat_map(HttpServer::transcripts).collect();
    let python_side = python
        .side(&normal)
        .transcripts(&python_http.transcripts(), &normal);
    let rust_side = rust.side(&normal).transcripts(&rust_transcripts, &normal);
    let (python_side, rust_side) = with_files(
        (python_side, &python, &python_files),
        (rust_side, &rust, &rust_files),
        &normal,
    );
    Ok(vec![Comparison {
        title: format!(
            "inet_02.py | webget --timeout {WEBGET_TIMEOUT} MOCK MOCK MOCK CLOSED"
        ),
        python: python_side,
        rust: rust_side,
    }])
}

/// How many of `sites` are in [`HOSTS`]: the connections a mock sees.
fn reachable(sites: &[&str]) -> usize {
    sites.iter().filter(|site| in_table(site)).count()
}

/// Whether [`HOSTS`] has a line naming `site`.
fn in_table(site: &str) -> bool {
    HOSTS
        .lines()
        .any(|line| line.split_whitespace().skip(1).any(|name| name == site))
}

/// The file `webget` saves `SITE:PORT` in: `SITE_PORT.html`.
pub fn file_name_of(site: &str) -> String {
    match site.rsplit_once(':') {
        Some((host, "80")) => format!("{host}.html"),
        Some((host, port)) => format!("{host}_{port}.html"),
        None => format!("{site}.html"),
    }
}

/// Adds a channel per saved file to both sides, paired site by site:
/// `file A.html | B.html`, the original's file on the left, the port's
/// on the right. A file that does not exist is the line `[no such
/// file]`, an empty one `[empty file]`. Any other file left in a
/// working directory gets a channel of its own, on its side only.
fn with_files(
    python: (Side, &Finished, &[String]),
    rust: (Side, &Finished, &[String]),
    normal: &Normaliser,
) -> (Side, Side) {
    let (mut python_side, python_run, python_files) = python;
    let (mut rust_side, rust_run, rust_files) = rust;
    for (p, r) in python_files.iter().zip(rust_files) {
        let name = format!("file {p} | {}", normal.line(r));
        let p_lines = file_lines(&python_run.work_dir().join(p), normal);
        let r_lines = file_lines(&rust_run.work_dir().join(r), normal);
        python_side = python_side.channel(&name, p_lines);
        rust_side = rust_side.channel(&name, r_lines);
    }
    for (side, run, files) in [
        (&mut python_side, python_run, python_files),
        (&mut rust_side, rust_run, rust_files),
    ] {
        for other in others(&run.work_dir(), files) {
            let lines = file_lines(&run.work_dir().join(&other), normal);
            let name = format!("file {} (not expected)", normal.line(&other));
            *side = std::mem::take(side).channel(&name, lines);
        }
    }
    (python_side, rust_side)
}

/// The lines of the file at `path`, normalised; [`NO_FILE`] if it
/// can't be read, [`EMPTY_FILE`] if it is empty.
fn file_lines(path: &Path, normal: &Normaliser) -> Vec<String> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.is_empty() => vec![EMPTY_FILE.to_owned()],
        Ok(bytes) => normal.lines(&bytes),
        Err(_) => vec![NO_FILE.to_owned()],
    }
}

/// What a file channel holds for a file that is not there.
pub const NO_FILE: &str = "[no such file]";

/// What a file channel holds for a file of 0 bytes (the original's
/// `xx.html`), so that it differs from no file at all.
pub const EMPTY_FILE: &str = "[empty file]";

/// The names in `dir` that are not in `expected`, sorted.
fn others(dir: &Path, expected: &[String]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains(name))
        .collect();
    names.sort();
    names
}

fn http_mock() -> Result<HttpServer, CompareError> {
    HttpMock::new()
        .route("/", Reply::ok(PAGE))
        .start()
        .map_err(CompareError::mock("HTTP"))
}

/// A loopback address where nothing listens: a port the system just
/// gave us, closed again.
fn closed_port() -> Result<SocketAddr, CompareError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(|e| CompareError::Io(format!("no free port: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempdir::TempDir;

    #[test]
    fn webget_file_names_follow_its_rule() {
        assert_eq!(file_name_of("127.0.0.1:8080"), "127.0.0.1_8080.html");
        assert_eq!(file_name_of("example.test:80"), "example.test.html");
        assert_eq!(file_name_of("xx"), "xx.html");
    }

    #[test]
    fn only_the_sites_in_the_table_are_reachable() {
        assert_eq!(reachable(&SITES), 3);
        assert_eq!(reachable(&["xx", "www", "192.0.2.10"]), 0);
    }

    #[test]
    fn files_are_read_normalised_missing_and_unexpected_ones_shown() {
        let dir = TempDir::new("inet-compare-test").unwrap();
        let page = dir.path().join("a_4321.html");
        std::fs::write(&page, "HTTP/1.0 200 OK\r\nport 4321\n").unwrap();
        std::fs::write(dir.path().join("empty.html"), "").unwrap();
        std::fs::write(dir.path().join(".x.tmp"), "left").unwrap();
        let normal = Normaliser::new().port(4321, "PORT");
        assert_eq!(
            file_lines(&page, &normal),
            ["HTTP/1.0 200 OK\\r", "port PORT"]
        );
        let empty = dir.path().join("empty.html");
        assert_eq!(file_lines(&empty, &normal), [EMPTY_FILE]);
        let gone = dir.path().join("gone.html");
        assert_eq!(file_lines(&gone, &normal), [NO_FILE]);
        let expected = ["a_4321.html".to_owned(), "empty.html".to_owned()];
        assert_eq!(others(dir.path(), &expected), [".x.tmp"]);
    }
}
