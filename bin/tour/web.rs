//! Chapter 2: a web client (inet_02), against the mock HTTP server.

#[path = "../webget/report.rs"]
mod report;

use std::fs;
use std::io::{self, Write};

use inet_mocks::HttpMock;
use inet_mocks::http::{Fault, Reply};

use super::{STEP_TIMEOUT, escaped_lines, heading, indent};
use crate::tempdir::TempDir;
use inet::http::client::Options;
use inet::http::save::{Saved, save_site};
use inet::http::site::Site;
use report::result_line;

/// `webget` saves a page from the mock, then meets a server that stops
/// halfway.
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 2: a web client (inet_02)")?;
    let dir = TempDir::new("inet-tour-web")?;
    let page = Reply::ok("<html><body><h1>Hello</h1></body></html>\n");
    let server = HttpMock::new().route("/", page).start()?;
    let options = Options {
        timeout: STEP_TIMEOUT,
        ..Options::default()
    };
    let site = format!("127.0.0.1:{}", server.addr().port());
    writeln!(out, "$ mock-http   (started in this process)")?;
    writeln!(out, "$ webget --out-dir {} {site}", dir.path().display())?;
    let site = Site::parse(&site).map_err(io::Error::other)?;
    let result = save_site(&site, dir.path(), &options);
    writeln!(out, "{}", result_line(&site, &result))?;
    let saved = result.map_err(io::Error::other)?;

    server.wait_for_closed(1, STEP_TIMEOUT);
    let exchange = server.transcripts().remove(0).render();
    writeln!(out, "\nWhat crossed the wire (C: webget, S: the server):")?;
    write!(out, "{}", indent(&exchange))?;
    writeln!(out, "\nThe head of the saved file, {}:", site.file_name())?;
    write!(out, "{}", indent(&saved_head(&saved)?))?;

    writeln!(out, "\nA server that promises 100 bytes and sends 50:")?;
    let broken = HttpMock::new().fault(Fault::CloseMidBody).start()?;
    let site = Site::parse(&format!("127.0.0.1:{}", broken.addr().port()))
        .map_err(io::Error::other)?;
    let result = save_site(&site, dir.path(), &options);
    writeln!(out, "{}", result_line(&site, &result))?;
    let left = fs::read_dir(dir.path())?.count();
    writeln!(
        out,
        "Files in the output directory: {left} (no partial file)\n"
    )
}

/// The head of the saved file (its length is the parsed head's), one
/// line per line, `\r` shown.
fn saved_head(saved: &Saved) -> io::Result<String> {
    let bytes = fs::read(&saved.path)?;
    let head = bytes.get(..saved.received.heads_len).unwrap_or(&bytes);
    Ok(escaped_lines(head))
}
