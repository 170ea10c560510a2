//! inet_08.py, the minimal port: an echo server, a thread per client,
//! that answers each line in upper case with the thread's name.
//!
//! ```text
//! cargo run --example inet_08_echo_server -- PORT
//! ```
//!
//! It prints the port it listens on: with PORT 0, the one the system
//! picked (the original prints PORT as given, 0, which tells nobody
//! where to connect). Bugs and all, as in the original: the reply has no
//! newline, so a client cannot tell where one ends; a client that sends
//! no newline, or nothing, holds its thread forever (no timeout, no
//! limit on threads); a line is read whole, however long; a client that
//! leaves is taken for an empty line, logged and answered. The robust
//! port is `echo-server` (bin/echo_server/main.rs), its lesson
//! lessons/05-echo.md.

#[path = "common/python.rs"]
mod python;
#[path = "common/server_args.rs"]
mod server_args;

use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use server_args::listen_on_argument;

/// Main (lines 34-61).
fn main() -> Result<(), Box<dyn Error>> {
    let server = listen_on_argument()?; // lines 35-53
    let port = server.local_addr()?.port();
    // Lines 57-59: serve_forever on a thread of its own, Thread-1, as
    // Python names them; the clients' threads are Thread-2, Thread-3...
    let server_thread = thread::Builder::new()
        .name("Thread-1".to_string())
        .spawn(move || serve_forever(server))?;
    println!("Serveur d'echo a l'ecoute sur le port {port}");
    // Python waits for its threads before it exits; Rust would not.
    server_thread.join().ok();
    Ok(())
}

/// ThreadingMixIn's serve_forever: each client on a new thread.
fn serve_forever(server: TcpListener) {
    for (number, client) in (2..).zip(server.incoming()) {
        let Ok(client) = client else { continue };
        let thread = thread::Builder::new().name(format!("Thread-{number}"));
        // An error ends the client's thread with a message on stderr,
        // as a traceback ends the original's handler; the others go on.
        if let Err(error) = thread.spawn(move || handle(client).unwrap()) {
            eprintln!("{error}"); // Python prints a traceback, goes on
        }
    }
}

// ANCHOR: handle
/// ThreadedTCPRequestHandler.handle (lines 11-25).
fn handle(client: TcpStream) -> io::Result<()> {
    let name = thread::current().name().unwrap_or("").to_string();
    let address = client.peer_addr()?.ip();
    let mut rfile = BufReader::new(&client);
    let mut wfile = &client;
    // Line 17: until a line is empty once stripped. The end of the
    // stream reads as an empty line too.
    let mut data = b"on".to_vec();
    while !data.is_empty() {
        let mut line = Vec::new();
        rfile.read_until(b'\n', &mut line)?; // as long as it takes
        data = line.trim_ascii().to_vec();
        let text = String::from_utf8_lossy(&data);
        println!("client {address} : {text} ({name})");
        // Line 23: the reply, with no newline after it.
        let upper = data.to_ascii_uppercase();
        wfile.write_all(&[format!("{name}: ").as_bytes(), &upper].concat())?;
    }
    Ok(())
}
// ANCHOR_END: handle
