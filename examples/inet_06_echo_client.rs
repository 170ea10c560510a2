//! inet_06.py, the minimal port: sends each line typed to an echo
//! server, and prints what comes back.
//!
//! ```text
//! cargo run --example inet_06_echo_client -- HOST PORT
//! ```
//!
//! An empty line stops it. Bugs and all, as in the original: a reply is
//! one `read` of at most 1000 bytes, whatever has arrived (part of a
//! reply, or two); a server that closed gives an empty reply, and the
//! client carries on; a server that does not answer holds it forever (no
//! timeout); only the first line typed is stripped of its blanks; the
//! end of the input (Ctrl-D) ends it with an error, as Python's EOFError
//! does. The robust port is `echo-client` (bin/echo_client/main.rs), its
//! lesson lessons/05-echo.md.

#[path = "common/python.rs"]
mod python;

use std::env;
use std::error::Error;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::exit;

use python::{is_number, raw_input};

const PROMPT: &str = "Commande (rien pour arreter): ";

/// Errors the original does not catch (the end of the keyboard input)
/// end it with a traceback; `?` returns them from main (exit status 1).
fn main() -> Result<(), Box<dyn Error>> {
    // Lines 11-18: two arguments.
    let args: Vec<String> = env::args().collect();
    if args.len() != 3 {
        println!("syntaxe : {} hote port", args[0]);
        exit(1);
    }
    let (host, port) = (&args[1], &args[2]);
    // Lines 24-27.
    if !is_number(port) {
        println!("Le port {port} foit être un nombre entier positif");
        exit(2);
    }
    // int(port); a port over 65535 ends the original with a traceback.
    let port: u16 = port.trim().parse()?;
    // Lines 29-34.
    let mut connection = match TcpStream::connect((host.as_str(), port)) {
        Ok(connection) => connection,
        Err(error) => {
            println!("Echec de la connexion au site ({host},{port}) : {error}");
            exit(3);
        }
    };
    // ANCHOR: talk
    // Lines 36-48: only the first line is stripped (line 38, not 45).
    let mut line = raw_input(PROMPT)?.trim().to_string();
    while !line.is_empty() {
        if let Err(error) = exchange(&mut connection, &line) {
            println!("Echec de la connexion au site ({host},{port}) : {error}");
            exit(3);
        }
        line = raw_input(PROMPT)?;
    }
    Ok(())
}

/// Lines 41-44: sends `line` and a newline, then reads one "reply".
fn exchange(connection: &mut TcpStream, line: &str) -> io::Result<()> {
    connection.write_all(format!("{line}\n").as_bytes())?;
    // One read of at most 1000 bytes: whatever has arrived by now; 0
    // bytes if the server has closed.
    let mut buffer = [0; 1000];
    let n = connection.read(&mut buffer)?;
    println!("<-- {}", String::from_utf8_lossy(&buffer[..n]));
    Ok(())
}
// ANCHOR_END: talk
