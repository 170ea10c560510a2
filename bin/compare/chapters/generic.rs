//! The generic TCP server (inet_10): `inet_10.py` against `tcp-server`,
//! each under a scripted client and keyboard, in two comparisons:
//!
//! 1. **a session** ([`SCRIPT`]): a client connects and sends a request,
//!    ended with the original's `bye`; the keyboard (the server's
//!    standard input) types an answer and `bye`; the client reads to the
//!    end and leaves; the keyboard ends (Ctrl-D);
//! 2. **a restart**: each server started again on the port of a session
//!    it has just ended ([`AGAIN`]).
//!
//! Not Ctrl-C: in the original, the signal may reach the thread that
//! reads the keyboard or the one that reads the client, and what the
//! server does changes from run to run (lesson 6 shows the outcomes).
//!
//! Compared: the server's standard output, standard error and exit
//! status, and what the client sent and received.
//!
//! Both servers are started on port 0. The original names no port it
//! did not get on its command line, so the shim binds it to a free one
//! (`INET_COMPARE_EPHEMERAL`) and reports it ([`Job::spawn_server`]);
//! ours says which in its first line.
//!
//! Every step waits for its effect before the next one: a line on the
//! client's socket, or a line the server prints. The original's two
//! threads both print (`raw_input("--> ")` prompts, the reader thread
//! prints `<--- IP : line`), so before each step we also wait for the
//! original's prompt: it then waits for us, and its output can only come
//! in one order. The original's standard output is a pipe here, so it is
//! made unbuffered (`PYTHONUNBUFFERED`, as `python -u`): what it printed
//! is there as it prints it, as on a terminal.
//!
//! The original never ends by itself (`serve_forever()`: "Arret par
//! Ctrl-C"), so once a script is played `compare` stops it; ours ends
//! when the keyboard does, and `compare` waits for it.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ChildStdin;

use super::scripted::{self, Caller, STEP, play, printed};
use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::{Finished, Job, Running};
use crate::lines::Normaliser;
use crate::setup::Setup;
use crate::side::Side;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_10",
    title: "generic TCP server (inet_10)",
    originals: &[ORIGINAL],
    lesson_path: "lessons/06-generic-server.md",
    lesson: include_str!("../../../lessons/06-generic-server.md"),
    recording: include_str!("../../../lessons/recordings/inet_10.txt"),
    plans: &[
        Plan {
            title: "inet_10.py 0 | tcp-server 0, under a scripted client and \
                    keyboard",
            python: |setup| Server::original(setup)?.play(&SCRIPT),
            rust: |setup| Server::ours(setup)?.play(&SCRIPT),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_10.py PORT | tcp-server PORT, started again on the \
                    port of a session that just ended",
            python: |setup| {
                Server::original(setup)?.again(Job::original(setup, ORIGINAL))
            },
            rust: |setup| {
                Server::ours(setup)?.again(Job::program(setup, "tcp-server")?)
            },
            rust_needs_python: false,
        },
    ],
};

/// The original.
const ORIGINAL: &str = "inet_10.py";

// ANCHOR: script
/// One step of a script, played against each server in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The client connects; the server prints `client 127.0.0.1`.
    Connect,
    /// The client sends a line; the server prints it as `<--- IP : line`.
    Send(&'static str),
    /// The keyboard types a line; the client receives it.
    Type(&'static str),
    /// The keyboard types `bye`; the client reads the end of the stream.
    Bye,
    /// The client closes its socket.
    Close,
    /// The keyboard ends (Ctrl-D): standard input is closed.
    EndOfInput,
}

/// The session. The keyboard speaks first, then the client, which ends
/// with the original's `bye` (its reader thread stops there); then the
/// keyboard's `bye` closes. In this order each of the original's threads
/// prints only once the other is waiting: a keyboard line typed after the
/// reader thread printed could meet that thread between the text and the
/// end of its `print`, and the prompt would get a stray space
/// (`softspace`); a reader thread still reading at the close would crash.
pub const SCRIPT: [Step; 10] = [
    Step::Connect,
    Step::Type("hello from the keyboard"),
    Step::Type(""),
    Step::Type("your turn"),
    Step::Send("hello from the client\r\n"),
    Step::Send("\r\n"),
    Step::Send("bye\r\n"),
    Step::Bye,
    Step::Close,
    Step::EndOfInput,
];

/// A session the server ends (its side of the connection then waits out
/// TIME_WAIT on the port), before it is stopped and started again on
/// that port. The client says `bye` first: the original's reader thread
/// would read an ended stream forever otherwise.
pub const AGAIN: [Step; 4] =
    [Step::Connect, Step::Send("bye\r\n"), Step::Bye, Step::Close];

// ANCHOR_END: script

/// The original's prompt (`raw_input("--> ")`), printed before each
/// keyboard line it reads.
const PROMPT: &str = "--> ";

/// A server being played with.
struct Server {
    running: Running,
    /// Its standard input; `None` once the keyboard has ended.
    keyboard: Option<ChildStdin>,
    port: u16,
    /// The prompt it prints before it reads the keyboard, if any.
    prompt: Option<&'static str>,
    /// It ends only when stopped (the original's `serve_forever`).
    serves_forever: bool,
}

/// What one server did under a script.
struct Played {
    port: u16,
    finished: Finished,
    client: Caller,
    /// The step that did not happen, if one did not.
    failed: Option<String>,
}

impl Server {
    /// `inet_10.py 0` under the shim, bound to a free port it reports.
    fn original(setup: &Setup) -> Result<Server, CompareError> {
        let (mut running, port) = Job::original(setup, ORIGINAL)
            .args(["0"])
            .keep_stdin_open()
            .spawn_server(STEP)?;
        Ok(Server {
            keyboard: running.take_stdin(),
            running,
            port,
            prompt: Some(PROMPT),
            serves_forever: true,
        })
    }

    /// `tcp-server 0`, which prints the port it got.
    fn ours(setup: &Setup) -> Result<Server, CompareError> {
        let job = Job::program(setup, "tcp-server")?
            .args(["0"])
            .keep_stdin_open();
        let (mut running, port) = scripted::start_ours(job, "tcp-server")?;
        Ok(Server {
            keyboard: running.take_stdin(),
            running,
            port,
            prompt: None,
            serves_forever: false,
        })
    }

    /// Plays `script`, then ends the server; its side.
    fn play(self, script: &[Step]) -> Result<Side, CompareError> {
        let played = self.played(script)?;
        let ports = [Some(played.port), played.client.port];
        let normal = Normaliser::new().ports(ports.into_iter().flatten());
        Ok(played.side(&normal))
    }

    /// Plays `script`, then ends the server.
    fn played(mut self, script: &[Step]) -> Result<Played, CompareError> {
        let mut client = Caller::default();
        let failed = play(script, |i, step| {
            self.step(&mut client, &script[..i], step).map(|()| true)
        });
        client.hang_up();
        drop(self.keyboard.take());
        let finished = match self.serves_forever {
            true => self.running.stop()?,
            false => self.running.wait()?,
        };
        Ok(Played {
            port: self.port,
            finished,
            client,
            failed,
        })
    }

    /// Takes `step` (after `done`), and waits for its effect.
    fn step(
        &mut self,
        client: &mut Caller,
        done: &[Step],
        step: Step,
    ) -> Result<(), String> {
        let lines_sent = count_sends(done);
        match step {
            Step::Connect => {
                client.connect(SocketAddr::from((
                    Ipv4Addr::LOCALHOST,
                    self.port,
                )))?;
                printed(&self.running, "client 127.0.0.1", |out| {
                    count(out, b"client 127.0.0.1\n") == 1
                })?;
                self.wait_for_prompt(1)
            }
            Step::Send(line) => {
                client.send(line.as_bytes())?;
                printed(&self.running, "the line printed", |out| {
                    count(out, b"<--- ") == lines_sent + 1
                        && out.ends_with(b"\n")
                })
            }
            Step::Type(line) => {
                self.type_line(line)?;
                client.receive_line()?;
                self.wait_for_prompt(count_types(done) + 2)
            }
            Step::Bye => {
                self.type_line("bye")?;
                client.receive_to_end()
            }
            Step::Close => {
                client.hang_up();
                Ok(())
            }
            Step::EndOfInput => {
                drop(self.keyboard.take());
                Ok(())
            }
        }
    }

    fn type_line(&mut self, line: &str) -> Result<(), String> {
        let keyboard =
            self.keyboard.as_mut().ok_or("the keyboard is closed")?;
        keyboard
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| format!("cannot type: {e}"))
    }

    /// Waits until the server has printed its prompt `n` times, if it
    /// has a prompt: it is then waiting for the keyboard, and prints
    /// nothing more until a step makes it.
    fn wait_for_prompt(&self, n: usize) -> Result<(), String> {
        match self.prompt {
            Some(prompt) => printed(&self.running, "the prompt", |out| {
                count(out, prompt.as_bytes()) == n
            }),
            None => Ok(()),
        }
    }

    /// Plays [`AGAIN`], stops the server, and starts it again on the
    /// same port, its keyboard open: `again`, given the port. Its side:
    /// what the second server printed, and how it ended (stopped, if it
    /// listened).
    fn again(mut self, again: Job) -> Result<Side, CompareError> {
        // Stopped, not ended by its keyboard: that is comparison 1's.
        self.serves_forever = true;
        let played = self.played(&AGAIN)?;
        let job = again.keep_stdin_open();
        scripted::restarted(job, played.port, played.failed.as_deref())
    }
}

impl Played {
    /// The server's three channels, the client's two, and a note if the
    /// script could not be played to its end.
    fn side(&self, normal: &Normaliser) -> Side {
        self.finished
            .side(normal)
            .bytes("client sent", &self.client.sent, normal)
            .bytes("client received", &self.client.received, normal)
            .failed(self.failed.as_deref())
    }
}

/// How many lines the client sent in `steps`.
fn count_sends(steps: &[Step]) -> usize {
    steps.iter().filter(|s| matches!(s, Step::Send(_))).count()
}

/// How many lines the keyboard typed in `steps` (`bye` aside).
fn count_types(steps: &[Step]) -> usize {
    steps.iter().filter(|s| matches!(s, Step::Type(_))).count()
}

/// How many times `needle` occurs in `haystack`, without overlaps.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let (mut n, mut at) = (0, 0);
    while let Some(found) = haystack[at..]
        .windows(needle.len())
        .position(|w| w == needle)
    {
        n += 1;
        at += found + needle.len();
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_are_counted_without_overlaps() {
        assert_eq!(count(b"--> --> <--- x\n", b"--> "), 2);
        assert_eq!(count(b"<--- a\n<--- b\n", b"<--- "), 2);
        assert_eq!(count(b"aaaa", b"aa"), 2);
        assert_eq!(count(b"", b"x"), 0);
        assert_eq!(count(b"abc", b""), 0);
    }

    #[test]
    fn the_script_is_one_session_that_ends_on_both_sides() {
        assert_eq!(SCRIPT.first(), Some(&Step::Connect));
        assert_eq!(SCRIPT.last(), Some(&Step::EndOfInput));
        let bye = SCRIPT.iter().position(|s| *s == Step::Bye).unwrap();
        let sends = || SCRIPT.iter().filter(|s| matches!(s, Step::Send(_)));
        let first_send = SCRIPT.iter().position(|s| matches!(s, Step::Send(_)));
        // Once the client has spoken, the keyboard only says bye.
        let typed = |s: &Step| matches!(s, Step::Type(_));
        assert!(!SCRIPT[first_send.unwrap()..].iter().any(typed));
        // The client's last word is bye, before the keyboard's.
        assert_eq!(sends().next_back(), Some(&Step::Send("bye\r\n")));
        assert!(!SCRIPT[bye..].iter().any(|s| matches!(s, Step::Send(_))));
        assert_eq!(count_sends(&SCRIPT), 3);
        assert_eq!(count_types(&SCRIPT), 3);
        // No line contains what the waits count.
        for step in SCRIPT {
            if let Step::Send(text) | Step::Type(text) = step {
                assert_eq!(count(text.as_bytes(), PROMPT.as_bytes()), 0);
                assert_eq!(count(text.as_bytes(), b"<--- "), 0);
            }
        }
    }
}
