//! inet_02.py, the minimal port: saves what each site answers to
//! `GET /` in `SITE.html`.
//!
//! ```text
//! cargo run --example inet_02_web_client -- [HOST[:PORT]...]
//! ```
//!
//! With no site, the original's list (they need the Internet); the port
//! is 80, as in the original, unless a site says `HOST:PORT`. The file is
//! named after the site as given (`127.0.0.1:8001.html`).
//!
//! Bugs and all, as in the original: the request ends its lines with a
//! bare LF and names no `Host`; the reply is saved as it comes, never
//! read (a 404, a cut reply, garbage: all "Transfert reussi"); the page
//! ends only when the server closes (no timeout: a server that keeps
//! the connection open holds us forever); the file is emptied before
//! connecting, so a failed site leaves an empty file where the last copy
//! was. The robust port is `webget` (bin/webget/main.rs), its lesson
//! lessons/02-web-client.md.
//!
//! (The original itself does not run under Python 2.7: line 16 holds an
//! `é` and the file has no coding line, a SyntaxError. Rust source is
//! UTF-8.)

use std::env;
use std::error::Error;
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;

/// The original's SITES (line 57).
const SITES: [&str; 4] = [
    "istia.univ-angers.fr",
    "www.univ-angers.fr",
    "www.ibm.com",
    "xx",
];

/// Errors the original does not catch (a read or write failing midway)
/// end it, as a traceback ends the original: `?` returns them from main.
fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = env::args().skip(1).collect();
    let sites = if args.is_empty() {
        SITES.map(String::from).to_vec()
    } else {
        args
    };
    // Lines 60-64.
    for site in &sites {
        let result = get_index(site)?;
        println!("{result}");
    }
    Ok(())
}

// ANCHOR: get_index
/// getIndex (lines 4-50): reads the page `/` of `site` into SITE.html
/// and says how it went.
fn get_index(site: &str) -> Result<String, Box<dyn Error>> {
    let (host, port) = match site.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>()?),
        None => (site, 80),
    };
    // Lines 10-16: the file is created (emptied) first.
    let mut html = match File::create(format!("{site}.html")) {
        Ok(file) => file,
        Err(error) => {
            return Ok(format!(
                "Erreur ({error}) lors de la création du fichier {site}.html"
            ));
        }
    };
    // Lines 19-25.
    let mut connection = match TcpStream::connect((host, port)) {
        Ok(connection) => connection,
        Err(error) => {
            return Ok(format!(
                "Echec de la connexion au site ({host},{port}) : {error}"
            ));
        }
    };
    // Line 35: HTTP/1.0, lines ended by a bare LF, no Host header.
    connection.write_all(b"GET / HTTP/1.0\n\n")?;
    // Lines 40-43: everything until the server closes (a read of 0).
    let mut buffer = [0; 1000];
    loop {
        let n = connection.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        html.write_all(&buffer[..n])?;
    }
    // Lines 46-50: the connection and the file close when dropped.
    Ok(format!(
        "Transfert reussi du paragraphe index du site {site}"
    ))
}
// ANCHOR_END: get_index
