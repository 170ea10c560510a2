//! inet_10's minimal port, `examples/inet_10_generic_server.rs`. The
//! test plays both parts: the person at the keyboard (the program's
//! standard input) and the client (a socket).
//!
//! The program prints its prompt, `--> `, with no newline, whenever it
//! waits for the keyboard, and its reader thread prints the client's
//! lines meanwhile: a prompt may stand at the start of any line it
//! prints. [`Server::line`] takes it away.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

use super::harness::{Example, Fault, connect, read_line};

const NAME: &str = "inet_10_generic_server";

// ANCHOR: faults
/// What breaks the minimal port of inet_10.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "ClientLeaves",
        staged_by: "a client that closes in the middle of a session",
        breaks: "at the end of the stream readline returns \"\" at once, \
                 every time: the reader thread spins, printing empty lines \
                 without end, until someone types bye",
        test: "a_client_that_leaves_makes_the_reader_spin",
    },
    Fault {
        name: "ByeWithCr",
        staged_by: "`bye\\r` typed (a line from a CRLF file)",
        breaks: "only exactly `bye` ends the session: `bye\\r` is sent to \
                 the client, and the session goes on",
        test: "bye_with_a_carriage_return_does_not_end_the_session",
    },
    Fault {
        name: "ClientSaysBye",
        staged_by: "a client that sends `bye`, then more",
        breaks: "the client's `bye` stops its reader thread: what it sends \
                 after is never shown",
        test: "a_clients_bye_stops_its_reader",
    },
    Fault {
        name: "KeyboardEof",
        staged_by: "the keyboard's input closed (Ctrl-D)",
        breaks: "raw_input raises EOFError in every session: each client is \
                 dropped at once, and the server goes on accepting them",
        test: "the_end_of_the_keyboard_drops_every_client",
    },
];
// ANCHOR_END: faults

/// The program, with what it takes to read its lines.
struct Server {
    example: Example,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Server {
        let mut example = Example::start(NAME, &["0"]);
        let first = example.next_line();
        let port = first
            .strip_prefix("Service tcp generique lance sur le port ")
            .and_then(|rest| rest.strip_suffix(". Arret par Ctrl-C"))
            .unwrap_or_else(|| panic!("{first:?}"));
        let addr = format!("127.0.0.1:{port}").parse().unwrap();
        Server { example, addr }
    }

    /// The next line it prints, without the prompts before it.
    fn line(&mut self) -> String {
        let line = self.example.next_line();
        line.trim_start_matches("--> ").to_string()
    }

    /// Connects a client, and waits until the server has taken it.
    fn client(&mut self) -> TcpStream {
        let client = connect(self.addr);
        assert_eq!(self.line(), "client 127.0.0.1");
        client
    }

    /// Types `text` at the keyboard.
    fn type_text(&mut self, text: &str) {
        self.example.type_text(text);
    }
}

/// What the client received until the server closed its side.
fn read_to_end(client: &mut TcpStream) -> String {
    let mut received = String::new();
    client.read_to_string(&mut received).unwrap();
    received
}

/// What the person types: the chapter's reply to a browser, then bye.
const TYPED: &str = "HTTP/1.0 200 OK\nContent-Type: text/html\n\n\
                     <html><body><h2>Serveur tcp generique</h2></body></html>\n";

#[test]
fn the_keyboard_answers_each_client_in_turn() {
    let mut server = Server::start();
    let mut browser = server.client();
    browser
        .write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        .unwrap();
    for shown in ["GET / HTTP/1.0", "Host: x", ""] {
        assert_eq!(server.line(), format!("<--- 127.0.0.1 : {shown}"));
    }

    server.type_text(&format!("{TYPED}bye\n"));

    assert_eq!(read_to_end(&mut browser), TYPED);
    drop(browser);
    // The next client is served; the first one's reader has stopped: it
    // printed the end of its stream once at most, not without end.
    let mut next = connect(server.addr);
    next.write_all(b"marker\n").unwrap();
    let mut shown = Vec::new();
    while shown
        .last()
        .is_none_or(|last| last != "<--- 127.0.0.1 : marker")
    {
        shown.push(server.line());
    }
    let empty = shown.iter().filter(|l| *l == "<--- 127.0.0.1 : ").count();
    assert!(empty <= 1, "the old reader spins: {empty} empty lines");
    shown.retain(|line| line != "<--- 127.0.0.1 : ");
    assert_eq!(shown, ["client 127.0.0.1", "<--- 127.0.0.1 : marker"]);
}

#[test]
fn a_client_that_leaves_makes_the_reader_spin() {
    let mut server = Server::start();
    let mut client = server.client();
    client.write_all(b"hello\n").unwrap();
    assert_eq!(server.line(), "<--- 127.0.0.1 : hello");

    drop(client);

    for _ in 0..1000 {
        assert_eq!(server.line(), "<--- 127.0.0.1 : ");
    }
}

#[test]
fn bye_with_a_carriage_return_does_not_end_the_session() {
    let mut server = Server::start();
    let mut client = BufReader::new(server.client());

    server.type_text("bye\r\n");
    assert_eq!(read_line(&mut client), "bye\r\n");

    server.type_text("bye\n");
    assert_eq!(read_to_end(client.get_mut()), "", "the session is over");
}

#[test]
fn a_clients_bye_stops_its_reader() {
    let mut server = Server::start();
    let mut client = server.client();
    client.write_all(b"bye\nnever shown\n").unwrap();
    assert_eq!(server.line(), "<--- 127.0.0.1 : bye");

    server.type_text("bye\n");
    assert_eq!(read_to_end(&mut client), "");
    // By the time the next client's line is shown, the first reader
    // would long have shown the line it had read with `bye`.
    let mut next = server.client();
    next.write_all(b"marker\n").unwrap();
    assert_eq!(server.line(), "<--- 127.0.0.1 : marker");
}

#[test]
fn the_end_of_the_keyboard_drops_every_client() {
    let mut server = Server::start();
    server.example.close_stdin();

    // The clients stay connected: their readers stay quiet.
    let mut clients = Vec::new();
    for _ in 0..2 {
        let mut client = server.client();
        assert_eq!(read_to_end(&mut client), "", "dropped at once");
        clients.push(client);
    }
    let out = server.example.stop();
    let dropped = out.stderr.matches("EOFError").count();
    assert_eq!(dropped, 2, "{}", out.stderr);
}
