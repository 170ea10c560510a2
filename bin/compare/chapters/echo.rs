//! The echo chapter (inet_06 and inet_08): two originals, a client and a
//! threaded server, against two ports, `echo-client` and `echo-server`.
//! `compare` on either file runs the whole chapter (it finds the other
//! original beside it), as three comparisons:
//!
//! 1. **the clients against our server**: `inet_06.py` and `echo-client`,
//!    each typing the same [`KEYBOARD`] lines at a fresh `echo-server`;
//! 2. **the clients against the original server**: the same, against a
//!    fresh `inet_08.py`. On the Python side both programs are the
//!    originals: the chapter as it was written. Keeping the server the
//!    same within a comparison leaves one difference to explain, the
//!    client; and 1 and 2 together are each client against each server,
//!    so the reader sees what framing changes: against the original's
//!    replies, which end without a newline, `echo-client` must guess
//!    where a reply ends, and 2 shows that it reads the same replies as
//!    `inet_06.py`'s single `recv`;
//! 3. **the servers**: `inet_08.py` and `echo-server` under the same
//!    scripted clients ([`SCRIPT`]), two of them at once.
//!
//! In 1 and 2 the client connects through a [`Tap`], a relay on
//! 127.0.0.1 that records every byte the server received and sent. In 3
//! the scripted clients record what they sent and received. Both servers
//! start on port 0: the original's port comes from the shim
//! (`INET_COMPARE_EPHEMERAL`, [`Job::spawn_server`]), ours from its first line.
//!
//! Every step waits for its effect, never for time to pass: a client
//! program runs to its end, a tapped connection to its close, and each
//! step of the script for the line the server logs about it. The
//! original's handler threads all print; waiting for each line before
//! the next step means only one of them prints at a time, so its output
//! comes in one order (it runs unbuffered, `PYTHONUNBUFFERED`, so what it
//! printed is there at once). Our server's log is written in batches, up
//! to 10 ms after the reply: the waits count its lines, not the time.
//! The replies of the original have no newline, so a scripted client
//! only waits for the first byte of each answer (the original writes it
//! once its `print` is over, so no other thread's line can start with
//! its `softspace`), and reads the rest when the server hangs up: the
//! bytes of a stream do not depend on when they are read. Neither
//! server ends by itself, so once a scenario is played `compare` stops
//! it.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;

use super::Chapter;
use super::scripted::{
    self, Caller, MAX_KEPT, STEP, bound, connect, play, printed, read_error,
};
use crate::python::not_started;
use crate::{
    CompareError, Comparison, Finished, Job, Normaliser, Running, Setup, Side,
};
use inet::blocking::retry_interrupted;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    title: "echo (inet_06, inet_08)",
    lesson_path: "lessons/05-echo.md",
    lesson: include_str!("../../../lessons/05-echo.md"),
    scenario,
};

/// The client original, and the server original, side by side in one
/// directory.
pub const ORIGINALS: [&str; 2] = ["inet_06.py", "inet_08.py"];

// ANCHOR: script
/// What is typed at each client in comparisons 1 and 2, as a pipe. Both
/// lines have spaces around them: the original strips only the first
/// line it reads. The empty line stops both clients.
pub const KEYBOARD: &str = "  hello  \n  two words  \n\n";

/// One step of comparison 3, played against each server in turn; the
/// number is the client's (1 or 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The client connects: the server starts a thread for it.
    Connect(usize),
    /// The client sends a line; the server logs it, and answers (the
    /// client waits for the first byte of the answer).
    Send(usize, &'static [u8]),
    /// The client sends an empty line, then reads until the server hangs
    /// up; the server logs the end of the session.
    Quit(usize),
    /// The client closes its sending side without an empty line, then
    /// reads until the server hangs up; the server logs it.
    Leave(usize),
}

/// Two clients at once, each served by a thread of its own. Both say
/// hello, the second in capitals with spaces and a CRLF (both servers
/// strip them); the first sends a byte that is not UTF-8 (`\xe9`, é in
/// Latin-1); and the sessions end in the two ways a session ends.
pub const SCRIPT: [Step; 7] = [
    Step::Connect(1),
    Step::Send(1, b"hello\n"),
    Step::Connect(2),
    Step::Send(2, b"  HELLO  \r\n"),
    Step::Send(1, b"caf\xe9\n"),
    Step::Quit(2),
    Step::Leave(1),
];
// ANCHOR_END: script

/// How many clients [`SCRIPT`] uses.
const CLIENTS: usize = 2;

fn scenario(setup: &Setup) -> Result<Vec<Comparison>, CompareError> {
    let [client, server] = originals(&setup.original)?;
    let client = Setup {
        original: client,
        ..setup.clone()
    };
    let server = Setup {
        original: server,
        ..setup.clone()
    };
    let ours = || Server::ours(setup);
    let theirs = || Server::original(&server);
    Ok(vec![
        clients(setup, &client, ours, "echo-server 0")?,
        clients(setup, &client, theirs, "inet_08.py 0")?,
        servers(setup, &server)?,
    ])
}

/// Both originals, from the directory of the one given.
///
/// # Errors
/// [`CompareError::Original`] for one that is not there.
pub fn originals(given: &Path) -> Result<[PathBuf; 2], CompareError> {
    let dir = given.parent().unwrap_or(Path::new(""));
    let paths = ORIGINALS.map(|name| dir.join(name));
    for path in &paths {
        if let Err(e) = std::fs::metadata(path) {
            let why = format!(
                "{e}; the echo chapter runs both {} and {}, from one \
                 directory",
                ORIGINALS[0], ORIGINALS[1]
            );
            return Err(CompareError::Original(
                path.clone(),
                io::Error::new(e.kind(), why),
            ));
        }
    }
    Ok(paths)
}

// ------------------------------------------------ comparisons 1 and 2

/// Comparison 1 or 2: `inet_06.py` and `echo-client`, each typing
/// [`KEYBOARD`] at a fresh server from `start`, through a [`Tap`].
fn clients(
    setup: &Setup,
    client: &Setup,
    start: impl Fn() -> Result<Server, CompareError>,
    server: &str,
) -> Result<Comparison, CompareError> {
    // Found before any server starts: a missing program leaves none behind.
    let ours = Job::program(setup, "echo-client")?;
    let python = typed(start()?, Job::original(client))?;
    let rust = typed(start()?, ours)?;
    let normal = [&python, &rust]
        .iter()
        .flat_map(|t| t.ports)
        .fold(Normaliser::new(), |n, port| n.port(port, "PORT"));
    Ok(Comparison {
        title: format!(
            "inet_06.py | echo-client, each typing the same lines at {server}"
        ),
        python: typed_side(&python, &normal),
        rust: typed_side(&rust, &normal),
    })
}

/// What a client program did, and what its server received and sent.
struct Typed {
    finished: Finished,
    tapped: Tapped,
    /// The server's port and the tap's.
    ports: [u16; 2],
}

/// Runs `client` (`HOST PORT` appended) against `server` through a tap,
/// with [`KEYBOARD`] on its standard input; then stops the server.
fn typed(server: Server, client: Job) -> Result<Typed, CompareError> {
    let tap = match Tap::new(server.addr()) {
        Ok(tap) => tap,
        Err(e) => {
            server.running.stop()?;
            return Err(CompareError::Io(format!("cannot start a tap: {e}")));
        }
    };
    let ports = [server.port, tap.addr().port()];
    let finished = client
        .args(["127.0.0.1".to_owned(), tap.addr().port().to_string()])
        .stdin(KEYBOARD)
        .run();
    let tapped = tap.finish();
    // The server's own output is compared in comparison 3.
    server.running.stop()?;
    Ok(Typed {
        finished: finished?,
        tapped,
        ports,
    })
}

/// The client's three channels, and what the server received and sent.
fn typed_side(typed: &Typed, normal: &Normaliser) -> Side {
    let tapped = &typed.tapped;
    typed
        .finished
        .side(normal)
        .bytes("server received", &tapped.from_client, normal)
        .bytes("server sent", &tapped.from_server, normal)
        .failed(tapped.failed.as_deref())
}

// ------------------------------------------------------- comparison 3

/// Comparison 3: `inet_08.py` and `echo-server` under [`SCRIPT`].
fn servers(setup: &Setup, server: &Setup) -> Result<Comparison, CompareError> {
    let python = Server::original(server)?.play()?;
    let rust = Server::ours(setup)?.play()?;
    let normal = Normaliser::new()
        .port(python.port, "PORT")
        .port(rust.port, "PORT");
    Ok(Comparison {
        title: "inet_08.py 0 | echo-server 0, under the same scripted \
                clients, two at once"
            .into(),
        python: python.side(&normal),
        rust: rust.side(&normal),
    })
}

/// A server that has printed its start-up line.
struct Server {
    running: Running,
    port: u16,
}

/// What one server did under the script.
struct Played {
    port: u16,
    finished: Finished,
    clients: Vec<Caller>,
    /// The step that did not happen, if one did not.
    failed: Option<String>,
}

impl Server {
    /// `inet_08.py 0` under the shim, bound to a free port it reports.
    fn original(setup: &Setup) -> Result<Server, CompareError> {
        let (running, port) =
            Job::original(setup).args(["0"]).spawn_server(STEP)?;
        // It listens (and reports) before it prints its start-up line.
        match running.wait_for_stdout(STEP, |out| lines(out) >= 1) {
            true => Ok(Server { running, port }),
            false => {
                let why = "inet_08.py did not print its start-up line".into();
                Err(not_started(why, &running.stop()?))
            }
        }
    }

    /// `echo-server 0`, which prints the port it got.
    fn ours(setup: &Setup) -> Result<Server, CompareError> {
        let job = Job::program(setup, "echo-server")?.args(["0"]);
        let (running, port) = scripted::start_ours(job, "echo-server")?;
        Ok(Server { running, port })
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Plays the [`SCRIPT`], then stops the server.
    fn play(self) -> Result<Played, CompareError> {
        let mut clients: Vec<Caller> =
            (0..CLIENTS).map(|_| Caller::default()).collect();
        let failed = play(&SCRIPT, |i, step| {
            let logged = 1 + logged_after(&SCRIPT[..=i]);
            self.step(&mut clients, step, logged)
        });
        for client in &mut clients {
            client.hang_up();
        }
        Ok(Played {
            port: self.port,
            finished: self.running.stop()?,
            clients,
            failed,
        })
    }

    /// Takes `step`, then waits until the server has printed `logged`
    /// lines in all.
    fn step(
        &self,
        clients: &mut [Caller],
        step: Step,
        logged: usize,
    ) -> Result<(), String> {
        match step {
            Step::Connect(n) => client(clients, n)?.connect(self.addr())?,
            Step::Send(n, line) => {
                let client = client(clients, n)?;
                client.send(line)?;
                // The original writes its answer once its `print` is
                // done, softspace included: only then may another
                // thread print (else its line could start with a space).
                client.receive_some()?;
            }
            Step::Quit(n) => {
                let client = client(clients, n)?;
                client.send(b"\n")?;
                client.receive_to_end()?;
            }
            Step::Leave(n) => {
                let client = client(clients, n)?;
                client.close_sending()?;
                client.receive_to_end()?;
            }
        }
        printed(&self.running, &format!("line {logged}"), |out| {
            lines(out) >= logged
        })
    }
}

/// Client `n` (from 1) of the script.
fn client(clients: &mut [Caller], n: usize) -> Result<&mut Caller, String> {
    n.checked_sub(1)
        .and_then(|i| clients.get_mut(i))
        .ok_or_else(|| format!("no client {n}"))
}

impl Played {
    /// The server's three channels, each client's two, and a note if the
    /// script could not be played to its end.
    fn side(&self, normal: &Normaliser) -> Side {
        let mut side = self.finished.side(normal);
        for (i, client) in self.clients.iter().enumerate() {
            side = side
                .bytes(&format!("client {} sent", i + 1), &client.sent, normal)
                .bytes(
                    &format!("client {} received", i + 1),
                    &client.received,
                    normal,
                );
        }
        side.failed(self.failed.as_deref())
    }
}

/// How many lines the servers log after `steps`: one for each step but a
/// connection (neither server logs a client that connects).
pub fn logged_after(steps: &[Step]) -> usize {
    steps
        .iter()
        .filter(|step| !matches!(step, Step::Connect(_)))
        .count()
}

/// How many complete lines `output` holds.
pub fn lines(output: &[u8]) -> usize {
    output.iter().filter(|&&b| b == b'\n').count()
}

// ---------------------------------------------------------------- tap

/// A relay on `127.0.0.1:0` that a client program connects to instead
/// of the server: it takes one connection, opens one to the server, and
/// copies each way, keeping every byte. What it kept is what the server
/// received and sent.
///
/// Each direction ends as TCP ends it: when one side closes its sending
/// side, the tap closes its own towards the other. Bytes the server
/// sends after the client has gone are still kept: the server sent them.
pub struct Tap {
    addr: SocketAddr,
    accepted: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    done: Receiver<Tapped>,
}

/// What a [`Tap`] saw.
#[derive(Debug, Default)]
pub struct Tapped {
    /// What the client sent: what the server received.
    pub from_client: Vec<u8>,
    /// What the server sent.
    pub from_server: Vec<u8>,
    /// What went wrong, if something did: a timeout, a server that
    /// refused the connection, bytes past [`MAX_KEPT`].
    pub failed: Option<String>,
}

impl Tap {
    /// A tap to `upstream`, waiting for its one client.
    ///
    /// # Errors
    /// When it can't listen.
    pub fn new(upstream: SocketAddr) -> io::Result<Tap> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, done) = mpsc::channel();
        let (seen, stopped) = (Arc::clone(&accepted), Arc::clone(&stop));
        thread::spawn(move || {
            let accepted = retry_interrupted(|| listener.accept());
            drop(listener); // one client only
            let tapped = match accepted {
                Ok(_) if stopped.load(Ordering::SeqCst) => Tapped::default(),
                Ok((client, _)) => {
                    seen.store(true, Ordering::SeqCst);
                    relay(client, upstream)
                }
                Err(e) => Tapped::failed(format!("tap: cannot accept: {e}")),
            };
            let _ = tx.send(tapped);
        });
        Ok(Tap {
            addr,
            accepted,
            stop,
            done,
        })
    }

    /// Where the client connects.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the tap saw, once the connection has ended (at most a few
    /// [`STEP`]s). Call it once the client is done: a tap no client
    /// reached is woken up, and saw nothing.
    pub fn finish(self) -> Tapped {
        if !self.accepted.load(Ordering::SeqCst) {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect_timeout(&self.addr, STEP);
        }
        self.done.recv_timeout(STEP * 3).unwrap_or_else(|_| {
            Tapped::failed("tap: the connection did not end".into())
        })
    }
}

impl Tapped {
    fn failed(why: String) -> Tapped {
        Tapped {
            failed: Some(why),
            ..Tapped::default()
        }
    }
}

/// Relays `client` to a new connection to `upstream`, both ways, until
/// both directions have ended.
fn relay(client: TcpStream, upstream: SocketAddr) -> Tapped {
    let setup = |client: &TcpStream| {
        bound(client)?;
        let server = connect(upstream)?;
        Ok::<_, io::Error>((server.try_clone()?, client.try_clone()?, server))
    };
    let (server_reader, client_writer, server) = match setup(&client) {
        Ok(streams) => streams,
        Err(e) => return Tapped::failed(format!("tap: to the server: {e}")),
    };
    let down = thread::spawn(move || pump(&server_reader, &client_writer));
    let (from_client, up_failed) = pump(&client, &server);
    let (from_server, down_failed) = down
        .join()
        .unwrap_or_else(|_| (Vec::new(), Some("tap: a thread died".into())));
    Tapped {
        from_client,
        from_server,
        failed: up_failed.or(down_failed),
    }
}

/// Copies `from` to `to` until `from` ends, and keeps what it read (up
/// to [`MAX_KEPT`] bytes); then closes the sending side of `to`. A write
/// that fails (the reader has gone) ends the copying, not the keeping.
/// A read that fails ends both directions.
fn pump(from: &TcpStream, to: &TcpStream) -> (Vec<u8>, Option<String>) {
    let (mut kept, mut buf) = (Vec::new(), [0; 4096]);
    let mut delivering = true;
    let failed = loop {
        match retry_interrupted(|| (&*from).read(&mut buf)) {
            Ok(0) => break None,
            Ok(n) if kept.len() + n > MAX_KEPT => {
                break Some(format!("tap: over {MAX_KEPT} bytes one way"));
            }
            Ok(n) => {
                kept.extend_from_slice(&buf[..n]);
                delivering = delivering && (&*to).write_all(&buf[..n]).is_ok();
            }
            Err(e) => break Some(format!("tap: {}", read_error(&e))),
        }
    };
    if failed.is_some() {
        // Wakes the other direction up: its read ends, or its write fails.
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    }
    let _ = to.shutdown(Shutdown::Write);
    (kept, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_but_a_connection_is_one_line_of_log() {
        assert_eq!(logged_after(&[]), 0);
        assert_eq!(logged_after(&SCRIPT[..1]), 0);
        assert_eq!(logged_after(&SCRIPT[..2]), 1);
        assert_eq!(logged_after(&SCRIPT), 5);
        assert_eq!(lines(b"a\nb\nc"), 2);
        assert_eq!(lines(b""), 0);
    }

    #[test]
    fn the_script_ends_every_session_it_starts_once() {
        for n in 1..=CLIENTS {
            let connects = SCRIPT.iter().position(|s| *s == Step::Connect(n));
            let ends: Vec<usize> = (0..SCRIPT.len())
                .filter(|&i| {
                    matches!(SCRIPT[i], Step::Quit(c) | Step::Leave(c) if c == n)
                })
                .collect();
            assert_eq!(ends.len(), 1, "client {n}");
            assert!(connects.unwrap() < ends[0], "client {n}");
            // It speaks only between the two.
            for (i, step) in SCRIPT.iter().enumerate() {
                if let Step::Send(c, line) = step
                    && *c == n
                {
                    assert!(connects.unwrap() < i && i < ends[0]);
                    // One line, not empty: one line of log.
                    assert_eq!(lines(line), 1);
                    assert!(!inet::echo::trim(line).is_empty());
                }
            }
        }
        // Both ways a session ends, each once.
        assert!(SCRIPT.iter().any(|s| matches!(s, Step::Quit(_))));
        assert!(SCRIPT.iter().any(|s| matches!(s, Step::Leave(_))));
    }

    #[test]
    fn the_keyboard_is_two_lines_and_the_empty_one() {
        let typed: Vec<&str> = KEYBOARD.split_terminator('\n').collect();
        assert_eq!(typed.len(), 3);
        assert_eq!(typed[2], "");
        assert!(
            typed[..2]
                .iter()
                .all(|l| l.trim() != *l && !l.trim().is_empty())
        );
    }

    /// A server that answers one line with `got it`, and, once the client
    /// has closed its side, says `bye` to nobody.
    fn one_line_server() -> (SocketAddr, thread::JoinHandle<()>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(STEP)).unwrap();
            let mut line = [0; 6];
            stream.read_exact(&mut line).unwrap();
            stream.write_all(b"got it").unwrap();
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).unwrap();
            stream.write_all(b"bye").unwrap();
        });
        (addr, server)
    }

    #[test]
    fn a_tap_keeps_both_directions_and_what_the_server_says_last() {
        let (addr, server) = one_line_server();
        let tap = Tap::new(addr).unwrap();
        let mut client = connect(tap.addr()).unwrap();
        client.write_all(b"hello\n").unwrap();
        let mut reply = [0; 6];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"got it");
        drop(client);
        let tapped = tap.finish();
        server.join().unwrap();
        assert_eq!(tapped.from_client, b"hello\n");
        assert_eq!(tapped.from_server, b"got itbye");
        assert!(tapped.failed.is_none(), "{:?}", tapped.failed);
    }

    #[test]
    fn a_tap_no_client_reached_saw_nothing() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let tap = Tap::new(listener.local_addr().unwrap()).unwrap();
        let tapped = tap.finish();
        assert!(tapped.from_client.is_empty() && tapped.from_server.is_empty());
        assert!(tapped.failed.is_none(), "{:?}", tapped.failed);
    }

    #[test]
    fn either_original_means_this_chapter() {
        for name in ORIGINALS {
            let chapter = super::super::of_path(Path::new(name)).unwrap();
            assert_eq!(chapter.lesson_path, CHAPTER.lesson_path);
        }
    }

    #[test]
    fn both_originals_are_found_beside_either() {
        let dir = crate::tempdir::TempDir::new("inet-compare-test").unwrap();
        let [client, server] = ORIGINALS.map(|n| dir.path().join(n));
        std::fs::write(&client, "").unwrap();
        let missing = originals(&client);
        let Err(CompareError::Original(path, e)) = missing else {
            panic!("{missing:?}");
        };
        assert_eq!(path, server);
        assert!(
            e.to_string()
                .contains("runs both inet_06.py and inet_08.py")
        );
        std::fs::write(&server, "").unwrap();
        for given in [&client, &server] {
            assert_eq!(
                originals(given).unwrap(),
                [client.clone(), server.clone()]
            );
        }
    }
}
