//! inet_08's minimal port, `examples/inet_08_echo_server.rs`, driven by
//! clients written in the test. Its replies end with no newline, so a
//! client here reads a reply by its length, known in advance.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use super::harness::{Example, Fault, HANG, WAIT, connect};
use crate::common::read_within;

const NAME: &str = "inet_08_echo_server";

// ANCHOR: faults
/// What breaks the minimal port of inet_08.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "NoReplyFraming",
        staged_by: "a client that sends two lines at once",
        breaks: "a reply ends with no newline, so two replies run together \
                 in the stream and no client can tell where one ends",
        test: "replies_run_together",
    },
    Fault {
        name: "IdleClient",
        staged_by: "a client that sends part of a line, then nothing",
        breaks: "no timeout: it holds its thread forever, unanswered and \
                 never closed, while other clients get threads of their own",
        test: "an_idle_client_holds_its_thread_forever",
    },
    Fault {
        name: "HugeLine",
        staged_by: "a client that sends a line of 1 MiB",
        breaks: "a line is read whole, however long, and answered whole: \
                 a client decides how much memory the server uses",
        test: "a_huge_line_is_read_and_answered_whole",
    },
    Fault {
        name: "ClientLeaves",
        staged_by: "a client that closes without an empty line",
        breaks: "the end of the stream reads as an empty line: it is logged \
                 and answered as one",
        test: "a_client_that_leaves_is_taken_for_an_empty_line",
    },
];
// ANCHOR_END: faults

/// Starts the server on port 0; returns it and its address.
fn start() -> (Example, SocketAddr) {
    let mut server = Example::start(NAME, &["0"]);
    let listening = server.next_line();
    let port = listening.strip_prefix("Serveur d'echo a l'ecoute sur le port ");
    let port = port.unwrap_or_else(|| panic!("{listening:?}"));
    (server, format!("127.0.0.1:{port}").parse().unwrap())
}

/// Sends `line`, and reads the reply `expected` (its length of bytes).
fn exchange(client: &mut TcpStream, line: &str, expected: &str) {
    client.write_all(line.as_bytes()).unwrap();
    let mut reply = vec![0; expected.len()];
    client.read_exact(&mut reply).unwrap();
    assert_eq!(String::from_utf8_lossy(&reply), expected);
}

#[test]
fn each_client_gets_its_lines_back_in_upper_case() {
    let (mut server, addr) = start();
    for (thread, client) in [("Thread-2", "client 1"), ("Thread-3", "client 2")]
    {
        let mut stream = connect(addr);
        for command in ["cmde 1 du", "cmde 2 du"] {
            let line = format!("{command} {client}");
            let reply = format!("{thread}: {}", line.to_uppercase());
            exchange(&mut stream, &format!("{line}\n"), &reply);
            let log = format!("client 127.0.0.1 : {line} ({thread})");
            assert_eq!(server.next_line(), log);
        }
        // An empty line: answered with the name alone, then the end.
        exchange(&mut stream, "\n", &format!("{thread}: "));
        let end = read_within(&stream, &mut &stream, &mut [0; 1], WAIT);
        assert_eq!(end.unwrap(), 0);
        let log = format!("client 127.0.0.1 :  ({thread})");
        assert_eq!(server.next_line(), log);
    }
}

#[test]
fn replies_run_together() {
    let (_server, addr) = start();
    let mut client = connect(addr);
    exchange(
        &mut client,
        "hello\nworld\n",
        "Thread-2: HELLOThread-2: WORLD",
    );
}

#[test]
fn an_idle_client_holds_its_thread_forever() {
    let (_server, addr) = start();
    let mut idle = connect(addr);
    idle.write_all(b"no newline").unwrap();

    // The next client is served, by the next thread.
    let mut other = connect(addr);
    exchange(&mut other, "hi\n", "Thread-3: HI");

    let read = read_within(&idle, &mut &idle, &mut [0; 1], HANG);
    let error = read.expect_err("no reply, no close");
    let waited = [ErrorKind::WouldBlock, ErrorKind::TimedOut];
    assert!(waited.contains(&error.kind()), "{error}");
}

#[test]
fn a_huge_line_is_read_and_answered_whole() {
    let (_server, addr) = start();
    let mut client = connect(addr);
    let line = "a".repeat(1 << 20);

    let reply = format!("Thread-2: {}", line.to_uppercase());
    exchange(&mut client, &format!("{line}\n"), &reply);
}

#[test]
fn a_client_that_leaves_is_taken_for_an_empty_line() {
    let (mut server, addr) = start();
    let mut client = connect(addr);
    exchange(&mut client, "hi\n", "Thread-2: HI");
    assert_eq!(server.next_line(), "client 127.0.0.1 : hi (Thread-2)");

    client.shutdown(Shutdown::Write).unwrap();

    assert_eq!(server.next_line(), "client 127.0.0.1 :  (Thread-2)");
    // ... and answered, as an empty line is.
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "Thread-2: ");
}
