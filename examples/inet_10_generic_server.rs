//! inet_10.py, the minimal port: a TCP server where the keyboard plays
//! the server. Each line the client sends is printed; each line typed is
//! sent to the client; `bye` ends the session.
//!
//! ```text
//! cargo run --example inet_10_generic_server -- PORT
//! ```
//!
//! It prints the port it listens on: with PORT 0, the one the system
//! picked (the original prints PORT as given). Bugs and all, as in the
//! original: one client at a time, and a silent one holds the server
//! until `bye` (no timeout); a client that leaves is read as an empty
//! line, again and again: the reader thread spins, printing empty lines,
//! until someone types `bye`; a client's `bye` stops its reader thread
//! (what it sends later is never shown); only exactly `bye` ends the
//! session (not `bye ` or `bye\r`); the end of the keyboard input ends
//! every session at once with an error. The robust port is `tcp-server`
//! (bin/tcp_server/main.rs), its lesson lessons/06-generic-server.md.

#[path = "common/python.rs"]
mod python;
#[path = "common/server_args.rs"]
mod server_args;

use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Shutdown, TcpStream};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;

use python::raw_input;
use server_args::listen_on_argument;

/// Main (lines 38-59).
fn main() -> Result<(), Box<dyn Error>> {
    let server = listen_on_argument()?; // lines 39-57
    let port = server.local_addr()?.port();
    println!(
        "Service tcp generique lance sur le port {port}. Arret par Ctrl-C"
    );
    // Line 59: TCPServer's serve_forever, one client at a time; the next
    // ones wait in the system's queue.
    for client in server.incoming() {
        let Ok(client) = client else { continue };
        let peer = client.peer_addr()?;
        // What handle() does not catch, SocketServer prints, then goes
        // on with the next client.
        if let Err(error) = handle(&client, peer.ip()) {
            eprintln!("Exception happened during processing of request");
            eprintln!("from {peer}: {error}");
        }
        // SocketServer half-closes the socket (the reader thread holds
        // it open too), then closes it.
        client.shutdown(Shutdown::Write).ok();
    }
    Ok(())
}

// ANCHOR: handle
/// MyTCPHandler.handle (lines 10-23): starts the reader thread, then
/// sends what is typed until `bye`.
fn handle(client: &TcpStream, address: IpAddr) -> io::Result<()> {
    println!("client {address}");
    // When handle returns, SocketServer closes the file the reader thread
    // reads: its next readline fails, and the thread dies. Here the end
    // of `_session` tells it: the channel is gone when handle returns.
    let (_session, over) = mpsc::channel::<()>();
    let stream = client.try_clone()?;
    thread::spawn(move || lecture(stream, address, over));
    let mut wfile = client;
    let mut command = raw_input("--> ")?;
    while command != "bye" {
        wfile.write_all(format!("{command}\n").as_bytes())?;
        command = raw_input("--> ")?;
    }
    Ok(())
}
// ANCHOR_END: handle

// ANCHOR: lecture
/// MyTCPHandler.lecture (lines 25-32): prints each line the client
/// sends, until it sends `bye`.
fn lecture(stream: TcpStream, address: IpAddr, over: Receiver<()>) {
    let mut rfile = BufReader::new(stream);
    let mut line = Vec::new();
    let in_session = || over.try_recv() == Err(TryRecvError::Empty);
    while line != b"bye" && in_session() {
        let mut read = Vec::new();
        // At the end of the stream this reads nothing, at once, every
        // time: an empty line, forever. An error (a reset) ends the
        // thread with a message, as a traceback ends the original's.
        rfile.read_until(b'\n', &mut read).unwrap();
        line = read.trim_ascii().to_vec();
        println!("<--- {address} : {}", String::from_utf8_lossy(&line));
    }
}
// ANCHOR_END: lecture
