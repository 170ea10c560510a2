//! A web client (inet_02): `inet_02.py` against `webget`.
//!
//! The original fetches `/` from four fixed sites over port 80, saving
//! each response in `SITE.html` in its working directory, and prints a
//! line per site. Under the shim, port 80 of any host goes to an
//! [`HttpMock`] (`INET_COMPARE_HTTP`), and the names come from [`HOSTS`]
//! (`INET_COMPARE_HOSTS`): the three real sites at documentation
//! addresses, `xx` unknown, as on the Internet. The original has no
//! coding line, which Python 2.7 refuses; the shim reads it as UTF-8
//! (`INET_COMPARE_CODING`), and the report says so at its top.
//!
//! `webget` resolves names through the system, which would leave the
//! machine, so it is given the mock's address instead, as the tour does:
//! one mock per site (`127.0.0.1:PORT`, so each site has a file of its
//! own), and, for `xx`, a loopback port where nothing listens. Compared:
//! standard output, standard error, exit status, the bytes each mock
//! received and sent, and the file saved for each site.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use inet_mocks::http::HttpServer;
use inet_mocks::http::Reply;
use inet_mocks::{HttpMock, Transcript};

use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::{Finished, Job};
use crate::lines::Normaliser;
use crate::setup::Setup;
use crate::side::Side;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_02",
    title: "web client (inet_02)",
    originals: &["inet_02.py"],
    lesson_path: "lessons/02-web-client.md",
    lesson: include_str!("../../../lessons/02-web-client.md"),
    recording: include_str!("../../../lessons/recordings/inet_02.txt"),
    plans: &[Plan {
        title: "inet_02.py | webget --timeout 5 MOCK MOCK MOCK CLOSED",
        python,
        rust,
        rust_needs_python: false,
    }],
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

/// The original: one mock takes every connection to port 80. It has no
/// coding line, which Python 2.7 refuses: the shim reads it as UTF-8
/// (`INET_COMPARE_CODING`), and says so in a note.
fn python(setup: &Setup) -> Result<Side, CompareError> {
    let http = http_mock()?;
    let python = Job::original(setup, "inet_02.py")
        .env("INET_COMPARE_HOSTS", HOSTS)
        .env("INET_COMPARE_HTTP", http.addr())
        .env("INET_COMPARE_CODING", "utf-8")
        .run()?;
    http.wait_for_closed(reachable(&SITES), CLOSE_WAIT);
    let normal = Normaliser::new().port(http.addr().port());
    let files: Vec<String> =
        SITES.iter().map(|site| format!("{site}.html")).collect();
    let side = python
        .side(&normal)
        .transcripts(&http.transcripts(), &normal);
    Ok(with_files(side, &python, &files, &normal))
}

/// The port: a mock per site in the table, a closed port for `xx`.
fn rust(setup: &Setup) -> Result<Side, CompareError> {
    let mut mocks = Vec::new();
    let mut addrs = Vec::new();
    for site in SITES {
        addrs.push(match in_table(site) {
            true => {
                let mock = http_mock()?;
                let addr = mock.addr();
                mocks.push(mock);
                addr
            }
            false => closed_port()?,
        });
    }
    let sites: Vec<String> = addrs.iter().map(SocketAddr::to_string).collect();
    let rust = Job::program(setup, "webget")?
        .args(["--timeout", WEBGET_TIMEOUT])
        .args(&sites)
        .run()?;
    for mock in &mocks {
        mock.wait_for_closed(1, CLOSE_WAIT);
    }
    let normal = Normaliser::new().ports(addrs.iter().map(SocketAddr::port));
    let files: Vec<String> = sites.iter().map(|s| file_name_of(s)).collect();
    let transcripts: Vec<Transcript> =
        mocks.iter().flat_map(HttpServer::transcripts).collect();
    let side = rust.side(&normal).transcripts(&transcripts, &normal);
    Ok(with_files(side, &rust, &files, &normal))
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

/// Adds a channel per site for the file saved for it, `file for SITE`
/// ([`SITES`] in order, `files` the names this program saved them
/// under): a file that does not exist is the line `[no such file]`, an
/// empty one `[empty file]`. Any other file left in the working
/// directory gets a channel of its own.
fn with_files(
    mut side: Side,
    run: &Finished,
    files: &[String],
    normal: &Normaliser,
) -> Side {
    let normal = run.normaliser(normal);
    for (site, file) in SITES.iter().zip(files) {
        let lines = file_lines(&run.work_dir().join(file), &normal);
        side = side.channel(&format!("file for {site}"), lines);
    }
    for other in others(&run.work_dir(), files) {
        let lines = file_lines(&run.work_dir().join(&other), &normal);
        let name = format!("file {} (not expected)", normal.line(&other));
        side = side.channel(&name, lines);
    }
    side
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
        let normal = Normaliser::new().port(4321);
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
