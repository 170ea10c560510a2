//! inet_06's minimal port, `examples/inet_06_echo_client.rs`: against
//! inet_08's minimal port, as in the chapter, and against peers in the
//! test that answer in ways the echo server never does.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;

use super::harness::{Example, Fault, WAIT, peer, read_line, run_in};

const NAME: &str = "inet_06_echo_client";

// ANCHOR: faults
/// What breaks the minimal port of inet_06.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "SplitReply",
        staged_by: "a peer in the test: a reply in two writes, the second \
                    after the next line",
        breaks: "one read is taken for one reply: the first part is shown \
                 as the reply, the rest as the reply to the next line",
        test: "a_reply_in_two_writes_puts_the_replies_out_of_step",
    },
    Fault {
        name: "ServerHangsUp",
        staged_by: "a peer in the test that closes after the first line",
        breaks: "a read of nothing is shown as an empty reply, and the \
                 client goes on as if the server were there",
        test: "a_server_that_hangs_up_gives_an_empty_reply",
    },
    Fault {
        name: "SilentServer",
        staged_by: "a peer in the test that reads the line, never answers",
        breaks: "no timeout: the client waits for the reply as long as the \
                 server keeps silent",
        test: "a_silent_server_holds_it_forever",
    },
    Fault {
        name: "Unstripped",
        staged_by: "lines typed with blanks around them",
        breaks: "only the first line is stripped (line 38, not 45): later \
                 ones go out with their blanks, and a line of blanks does \
                 not stop the client",
        test: "only_the_first_line_is_stripped",
    },
];
// ANCHOR_END: faults

const PROMPT: &str = "Commande (rien pour arreter): ";

/// Runs the client against `addr` with `input` typed; asserts it ends
/// with status 0 and returns what it printed.
fn talk(addr: std::net::SocketAddr, input: &str) -> String {
    let port = addr.port().to_string();
    let args = ["127.0.0.1", port.as_str()];
    let out = run_in(NAME, &args, std::path::Path::new("."), input);
    assert_eq!(out.status, Some(0), "{out:?}");
    out.stdout
}

#[test]
fn the_chapters_session_with_the_minimal_echo_server() {
    let mut server = Example::start("inet_08_echo_server", &["0"]);
    let listening = server.next_line();
    let port = listening.rsplit(' ').next().unwrap();
    let addr = format!("127.0.0.1:{port}").parse().unwrap();

    let stdout = talk(addr, "cmde 1 du client 1\ncmde 2 du client 1\n\n");

    let expected = format!(
        "{PROMPT}<-- Thread-2: CMDE 1 DU CLIENT 1\n\
         {PROMPT}<-- Thread-2: CMDE 2 DU CLIENT 1\n{PROMPT}"
    );
    assert_eq!(stdout, expected);
}

/// A peer that reads a line and answers `reply`, for each reply.
fn answering(
    replies: &'static [&'static [u8]],
) -> impl FnOnce(TcpStream) -> Vec<String> {
    move |stream| {
        let mut lines = BufReader::new(stream.try_clone().unwrap());
        let mut out = stream;
        let mut received = Vec::new();
        for reply in replies {
            received.push(read_line(&mut lines));
            out.write_all(reply).unwrap();
        }
        received
    }
}

#[test]
fn a_reply_in_two_writes_puts_the_replies_out_of_step() {
    // "Thread-1: HELLO", cut in two; the rest goes with the next reply.
    let (addr, _) = peer(answering(&[b"Thread-1: HE", b"LLOThread-1: WORLD"]));

    let stdout = talk(addr, "hello\nworld\n\n");

    let expected = format!(
        "{PROMPT}<-- Thread-1: HE\n{PROMPT}<-- LLOThread-1: WORLD\n{PROMPT}"
    );
    assert_eq!(stdout, expected);
}

#[test]
fn a_server_that_hangs_up_gives_an_empty_reply() {
    let (addr, received) = peer(|stream| {
        read_line(&mut BufReader::new(stream)) // then closes
    });

    let stdout = talk(addr, "hello\n\n");

    assert_eq!(stdout, format!("{PROMPT}<-- \n{PROMPT}"));
    assert_eq!(received.recv_timeout(WAIT).unwrap(), "hello\n");
}

#[test]
fn a_silent_server_holds_it_forever() {
    let (read, line) = mpsc::channel();
    let (addr, _) = peer(move |stream| {
        let mut stream = BufReader::new(stream);
        let _ = read.send(read_line(&mut stream));
        // Silent, until the client is gone.
        let _ = stream.read_to_end(&mut Vec::new());
    });
    let port = addr.port().to_string();
    let mut client = Example::start(NAME, &["127.0.0.1", &port]);

    client.type_text("hello\n");

    assert_eq!(line.recv_timeout(WAIT).unwrap(), "hello\n");
    client.assert_hangs();
}

#[test]
fn only_the_first_line_is_stripped() {
    let (addr, received) = peer(answering(&[b"one", b"two", b"blanks"]));

    talk(addr, "  one  \n  two  \n   \n\n");

    let received = received.recv_timeout(WAIT).unwrap();
    assert_eq!(received, ["one\n", "  two  \n", "   \n"]);
}
