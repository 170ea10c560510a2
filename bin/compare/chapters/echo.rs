//! The echo chapter (inet_06 and inet_08): two originals, a client and a
//! threaded server, against two ports, `echo-client` and `echo-server`.
//! `compare` on either file runs the whole chapter (it finds the other
//! original beside it), as six comparisons:
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
//!    `inet_06.py`'s single `recv`. Its port's side runs `inet_08.py`
//!    too, so it needs Python 2.7 on both sides, and has no recording;
//! 3. **the servers**: `inet_08.py` and `echo-server` under the same
//!    scripted clients ([`SCRIPT`]), two of them at once;
//! 4. **a line of spaces**: each client typing [`SPACES`] at a fresh
//!    `echo-server`, connected to it directly (a relay would answer the
//!    client in the server's stead once the server has gone);
//! 5. **a restart**: each server started again on the port of a session
//!    it has just ended ([`AGAIN`]);
//! 6. **Ctrl-C**: each server under [`CTRL_C`], a session, then the
//!    signal a terminal's Ctrl-C sends, then another client.
//!
//! In 1 and 2 the client connects through a [`Tap`], a relay on
//! 127.0.0.1 that records every byte the server received and sent. In 3,
//! 5 and 6 the scripted clients record what they sent and received. Both
//! servers start on port 0: the original's port comes from the shim
//! (`INET_COMPARE_EPHEMERAL`, [`Job::spawn_server`]), ours from its first
//! line.
//!
//! Every step waits for its effect, never for time to pass: a client
//! program runs to its end, a tapped connection to its close, and each
//! step of a script for the line the server logs about it. The
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
//! it. One wait has no event to wait for: a server that ignores Ctrl-C
//! does nothing to say so; it is given [`AFTER_CTRL_C`] to end.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use super::scripted::{
    self, Caller, MAX_KEPT, STEP, bound, connect, play, printed, read_error,
};
use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::{Finished, Job, Running};
use crate::lines::Normaliser;
use crate::python::not_started;
use crate::setup::Setup;
use crate::side::Side;
use inet::blocking::retry_interrupted;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_06_08",
    title: "echo (inet_06, inet_08)",
    originals: &[CLIENT, SERVER],
    lesson_path: "lessons/05-echo.md",
    lesson: include_str!("../../../lessons/05-echo.md"),
    recording: include_str!("../../../lessons/recordings/inet_06_08.txt"),
    plans: &[
        Plan {
            title: "inet_06.py | echo-client, each typing the same lines at \
                    echo-server 0",
            python: |setup| {
                typed(Server::ours(setup)?, original(setup), KEYBOARD, true)
            },
            rust: |setup| {
                let client = Job::program(setup, "echo-client")?;
                typed(Server::ours(setup)?, client, KEYBOARD, true)
            },
            rust_needs_python: false,
        },
        Plan {
            title: "inet_06.py | echo-client, each typing the same lines at \
                    inet_08.py 0",
            python: |setup| {
                typed(Server::original(setup)?, original(setup), KEYBOARD, true)
            },
            rust: |setup| {
                let client = Job::program(setup, "echo-client")?;
                typed(Server::original(setup)?, client, KEYBOARD, true)
            },
            rust_needs_python: true,
        },
        Plan {
            title: "inet_08.py 0 | echo-server 0, under the same scripted \
                    clients, two at once",
            python: |setup| Server::original(setup)?.play(&SCRIPT),
            rust: |setup| Server::ours(setup)?.play(&SCRIPT),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_06.py | echo-client, each typing a line of spaces at \
                    echo-server 0",
            python: |setup| {
                typed(Server::ours(setup)?, original(setup), SPACES, false)
            },
            rust: |setup| {
                let client = Job::program(setup, "echo-client")?;
                typed(Server::ours(setup)?, client, SPACES, false)
            },
            rust_needs_python: false,
        },
        Plan {
            title: "inet_08.py PORT | echo-server PORT, started again on the \
                    port of a session that just ended",
            python: |setup| {
                Server::original(setup)?.again(Job::original(setup, SERVER))
            },
            rust: |setup| {
                Server::ours(setup)?.again(Job::program(setup, "echo-server")?)
            },
            rust_needs_python: false,
        },
        Plan {
            title: "inet_08.py 0 | echo-server 0: a session, Ctrl-C, another \
                    client, Ctrl-\\",
            python: |setup| Server::original(setup)?.play(&CTRL_C),
            rust: |setup| Server::ours(setup)?.play(&CTRL_C),
            rust_needs_python: false,
        },
    ],
};

/// The client original.
pub const CLIENT: &str = "inet_06.py";

/// The server original, in the same folder.
pub const SERVER: &str = "inet_08.py";

/// The client original under the shim.
fn original(setup: &Setup) -> Job {
    Job::original(setup, CLIENT)
}

// ANCHOR: script
/// What is typed at each client in comparisons 1 and 2, as a pipe. Both
/// lines have spaces around them: the original strips only the first
/// line it reads. The empty line stops both clients.
pub const KEYBOARD: &str = "  hello  \n  two words  \n\n";

/// What is typed in comparison 4: a line, a line of spaces, two more
/// lines, and the empty line that stops both clients.
pub const SPACES: &str = "hello\n   \nafter\nmore\n\n";

/// One step of a script, played against each server in turn; the number
/// is the client's (1 or 2).
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
    /// The server gets SIGINT, as from Ctrl-C in its terminal. If it
    /// ends, the script ends there.
    CtrlC,
    /// The server gets SIGQUIT, as from Ctrl-\ in its terminal: it ends.
    CtrlBackslash,
}

/// Comparison 3: two clients at once, each served by a thread of its
/// own. Both say hello, the second in capitals with spaces and a CRLF
/// (both servers strip them); the first sends a byte that is not UTF-8
/// (`\xe9`, é in Latin-1); and the sessions end in the two ways a session
/// ends.
pub const SCRIPT: [Step; 7] = [
    Step::Connect(1),
    Step::Send(1, b"hello\n"),
    Step::Connect(2),
    Step::Send(2, b"  HELLO  \r\n"),
    Step::Send(1, b"caf\xe9\n"),
    Step::Quit(2),
    Step::Leave(1),
];

/// Comparison 5: a session the server ends (so the server's side of the
/// connection waits out TIME_WAIT on the port), before the server is
/// stopped and started again on that port.
pub const AGAIN: [Step; 3] =
    [Step::Connect(1), Step::Send(1, b"hello\n"), Step::Quit(1)];

/// Comparison 6: a session, Ctrl-C, then another client, then Ctrl-\.
pub const CTRL_C: [Step; 8] = [
    Step::Connect(1),
    Step::Send(1, b"hello\n"),
    Step::Quit(1),
    Step::CtrlC,
    Step::Connect(2),
    Step::Send(2, b"still there?\n"),
    Step::Quit(2),
    Step::CtrlBackslash,
];
// ANCHOR_END: script

/// How long a server is given to end after Ctrl-C before it is taken to
/// ignore it: a signal ignored leaves no trace to wait for.
pub const AFTER_CTRL_C: Duration = Duration::from_secs(1);

// ------------------------------------------- comparisons 1, 2 and 4

/// Runs `client` (`HOST PORT` appended) against `server`, through a tap
/// if `tapped`, with `keyboard` on its standard input; then stops the
/// server. Its side: the client's three channels, and what the server
/// received and sent (through a tap), or its log (without).
fn typed(
    server: Server,
    client: Job,
    keyboard: &str,
    tapped: bool,
) -> Result<Side, CompareError> {
    let (to, tap) = match tapped {
        true => match Tap::new(server.addr()) {
            Ok(tap) => (tap.addr().port(), Some(tap)),
            Err(e) => {
                server.running.stop()?;
                let why = format!("cannot start a tap: {e}");
                return Err(CompareError::Io(why));
            }
        },
        false => (server.port, None),
    };
    let finished = client
        .args(["127.0.0.1".to_owned(), to.to_string()])
        .stdin(keyboard)
        .run();
    let tapped = tap.map(Tap::finish);
    // Both servers log the session's end: its last line.
    let ended = |out: &[u8]| out.ends_with(b")\n") && lines(out) >= 3;
    if tapped.is_none() {
        server.running.wait_for_stdout(STEP, ended);
    }
    let log = server.running.stop()?;
    let normal = Normaliser::new().ports([server.port, to]);
    let side = finished?.side(&normal);
    Ok(match &tapped {
        Some(tapped) => side
            .bytes("server received", &tapped.from_client, &normal)
            .bytes("server sent", &tapped.from_server, &normal)
            .failed(tapped.failed.as_deref()),
        None => {
            let log = log.normaliser(&normal).lines(&log.stdout);
            side.channel("server log", log)
        }
    })
}

// ----------------------------------- comparisons 3, 5 and 6: scripts

/// A server that has printed its start-up line.
struct Server {
    running: Running,
    port: u16,
}

/// What one server did under a script.
struct Played {
    port: u16,
    finished: Finished,
    clients: Vec<Caller>,
    /// What each Ctrl-C did.
    after_ctrl_c: Vec<String>,
    /// The step that did not happen, if one did not.
    failed: Option<String>,
}

impl Server {
    /// `inet_08.py 0` under the shim, bound to a free port it reports.
    fn original(setup: &Setup) -> Result<Server, CompareError> {
        let (running, port) = Job::original(setup, SERVER)
            .args(["0"])
            .spawn_server(STEP)?;
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

    /// Plays `script`, then stops the server; its side.
    fn play(self, script: &[Step]) -> Result<Side, CompareError> {
        let played = self.played(script)?;
        let clients = played.clients.iter().filter_map(|c| c.port);
        let normal = Normaliser::new().ports(clients.chain([played.port]));
        Ok(played.side(&normal))
    }

    /// Plays `script`, then stops the server.
    fn played(mut self, script: &[Step]) -> Result<Played, CompareError> {
        let clients = script.iter().filter_map(|step| match step {
            Step::Connect(n) => Some(*n),
            _ => None,
        });
        let count = clients.max().unwrap_or(0);
        let mut callers: Vec<Caller> =
            (0..count).map(|_| Caller::default()).collect();
        let mut after_ctrl_c = Vec::new();
        let failed = play(script, |i, step| {
            let logged = 1 + logged_after(&script[..=i]);
            match step {
                Step::CtrlC => self.ctrl_c(&mut after_ctrl_c),
                Step::CtrlBackslash => self.ctrl_backslash(),
                step => self.step(&mut callers, step, logged).map(|()| true),
            }
        });
        for caller in &mut callers {
            caller.hang_up();
        }
        Ok(Played {
            port: self.port,
            finished: self.running.stop()?,
            clients: callers,
            after_ctrl_c,
            failed,
        })
    }

    /// Takes a client's `step`, then waits until the server has printed
    /// `logged` lines in all.
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
            Step::CtrlC | Step::CtrlBackslash => {}
        }
        printed(&self.running, &format!("line {logged}"), |out| {
            lines(out) >= logged
        })
    }

    /// Ctrl-C: SIGINT, then [`AFTER_CTRL_C`] for the server to end. Says
    /// what it did in `after`; the script goes on only if it did not end.
    fn ctrl_c(&mut self, after: &mut Vec<String>) -> Result<bool, String> {
        self.running.signal("INT")?;
        let ended = self.running.wait_for_exit(AFTER_CTRL_C);
        after.push(match ended {
            true => "ended".into(),
            false => {
                format!("still running {}s later", AFTER_CTRL_C.as_secs_f64())
            }
        });
        Ok(!ended)
    }

    /// Ctrl-\: SIGQUIT, and the server must end.
    fn ctrl_backslash(&mut self) -> Result<bool, String> {
        self.running.signal("QUIT")?;
        match self.running.wait_for_exit(STEP) {
            true => Ok(false),
            false => Err("the server did not end".into()),
        }
    }

    /// Plays [`AGAIN`], stops the server, and starts it again on the
    /// same port: `again`, given the port. Its side: what the second
    /// server printed, and how it ended (stopped, if it listened).
    fn again(self, again: Job) -> Result<Side, CompareError> {
        let played = self.played(&AGAIN)?;
        scripted::restarted(again, played.port, played.failed.as_deref())
    }
}

/// Client `n` (from 1) of the script.
fn client(clients: &mut [Caller], n: usize) -> Result<&mut Caller, String> {
    n.checked_sub(1)
        .and_then(|i| clients.get_mut(i))
        .ok_or_else(|| format!("no client {n}"))
}

impl Played {
    /// The server's three channels, each client's two, what Ctrl-C did,
    /// and a note if the script could not be played to its end.
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
        if !self.after_ctrl_c.is_empty() {
            side = side.channel("after Ctrl-C", self.after_ctrl_c.clone());
        }
        side.failed(self.failed.as_deref())
    }
}

/// How many lines the servers log after `steps`: one for each step a
/// client takes but a connection (neither server logs a client that
/// connects, nor a signal).
pub fn logged_after(steps: &[Step]) -> usize {
    steps
        .iter()
        .filter(|step| {
            matches!(step, Step::Send(..) | Step::Quit(_) | Step::Leave(_))
        })
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
        assert_eq!(logged_after(&CTRL_C), 4, "a signal logs nothing");
        assert_eq!(lines(b"a\nb\nc"), 2);
        assert_eq!(lines(b""), 0);
    }

    #[test]
    fn each_script_ends_every_session_it_starts_once() {
        for script in [&SCRIPT[..], &AGAIN, &CTRL_C] {
            for n in 1..=2 {
                sessions_of(script, n);
            }
        }
        // Both ways a session ends, each once.
        assert!(SCRIPT.iter().any(|s| matches!(s, Step::Quit(_))));
        assert!(SCRIPT.iter().any(|s| matches!(s, Step::Leave(_))));
        // The restart's session is one the server ends: it is the one
        // that closes first, and keeps the port in TIME_WAIT.
        assert_eq!(AGAIN.last(), Some(&Step::Quit(1)));
        // Ctrl-C comes between two sessions, Ctrl-\ last.
        let ctrl_c = CTRL_C.iter().position(|s| *s == Step::CtrlC).unwrap();
        assert_eq!(CTRL_C[ctrl_c - 1], Step::Quit(1));
        assert_eq!(CTRL_C[ctrl_c + 1], Step::Connect(2));
        assert_eq!(CTRL_C.last(), Some(&Step::CtrlBackslash));
    }

    /// Client `n` of `script`, if it takes part, connects once, ends its
    /// session once, after, and speaks only in between, a line at a time.
    fn sessions_of(script: &[Step], n: usize) {
        let Some(connects) = script.iter().position(|s| *s == Step::Connect(n))
        else {
            return;
        };
        let ends: Vec<usize> = (0..script.len())
            .filter(|&i| {
                matches!(script[i], Step::Quit(c) | Step::Leave(c) if c == n)
            })
            .collect();
        assert_eq!(ends.len(), 1, "client {n}");
        assert!(connects < ends[0], "client {n}");
        for (i, step) in script.iter().enumerate() {
            if let Step::Send(c, line) = step
                && *c == n
            {
                assert!(connects < i && i < ends[0]);
                // One line, not empty: one line of log.
                assert_eq!(lines(line), 1);
                assert!(!inet::echo::trim(line).is_empty());
            }
        }
    }

    #[test]
    fn the_line_of_spaces_comes_before_lines_only_the_original_sends() {
        let typed: Vec<&str> = SPACES.split_terminator('\n').collect();
        assert_eq!(typed, ["hello", "   ", "after", "more", ""]);
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
        for name in [CLIENT, SERVER] {
            let chapter = super::super::of_path(name.as_ref()).unwrap();
            assert_eq!(chapter.lesson_path, CHAPTER.lesson_path);
        }
    }
}
