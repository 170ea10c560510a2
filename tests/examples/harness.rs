//! Runs the minimal ports (`examples/`) as processes, and plays the
//! peers the mocks do not.
//!
//! An example runs from its binary next to this test's own,
//! `target/<profile>/examples/NAME`. `cargo test` builds the examples
//! before it runs any test, but `cargo test --test inet examples::` does not,
//! and a binary left from an earlier build may be stale: so the first
//! test to need one builds them once for all with
//! [`built_programs`](crate::common::built_programs) (a no-op when they
//! are fresh). Cargo holds no lock while tests run, so this nested cargo
//! does not wait on the outer one.
//!
//! An example's standard output arrives line by line on a channel: a
//! test waits for a line, or for the end of the output, each with a
//! bound, and never sleeps. The process is killed when the test drops
//! it, pass or fail.

use std::env;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{Killed, set_timeouts};
/// How long a test waits for anything that should happen; connecting
/// with timeouts, and reading a line, as every test does.
pub use crate::common::{WAIT, connect, read_line};

/// How long a program that would wait forever is watched doing so. It
/// only bounds the test: "still waiting after this long" stands for
/// "waiting forever", since nothing in the program would ever end it.
pub const HANG: Duration = Duration::from_millis(300);

// ANCHOR: fault
/// One row of an example's fault table: a peer that breaks the minimal
/// port, as its lesson lists it. The test named in `test` stages it and
/// asserts that it breaks the port in just this way, so the table cannot
/// go stale.
pub struct Fault {
    /// The scenario's name.
    pub name: &'static str,
    /// How the test stages it: a mock's script, or a peer in the test.
    pub staged_by: &'static str,
    /// What breaks, and why, in a sentence.
    pub breaks: &'static str,
    /// The test that shows it, in the same file.
    pub test: &'static str,
}
// ANCHOR_END: fault

/// A running example.
pub struct Example {
    name: &'static str,
    child: Killed,
    stdin: Option<ChildStdin>,
    /// Standard output, a line at a time, each with its `\n` if it had
    /// one (a prompt has none).
    stdout: Receiver<String>,
    /// Standard error, whole, once it ends.
    stderr: Receiver<String>,
    /// The standard output received so far.
    seen: String,
}

/// What an example printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// Its exit code (`None`: killed by a signal).
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Example {
    /// Starts example `name` with `args`, its three streams piped.
    pub fn start(name: &'static str, args: &[&str]) -> Example {
        Example::start_in(name, args, Path::new("."))
    }

    /// [`start`](Self::start), in the working directory `dir`.
    pub fn start_in(name: &'static str, args: &[&str], dir: &Path) -> Example {
        let mut child = Command::new(binary(name))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdout = lines_of(child.stdout.take().expect("stdout"));
        let stderr = whole(child.stderr.take().expect("stderr"));
        let stdin = child.stdin.take();
        Example {
            name,
            child: Killed(child),
            stdin,
            stdout,
            stderr,
            seen: String::new(),
        }
    }

    /// Types `text` on its standard input.
    pub fn type_text(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(text.as_bytes()).expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Closes its standard input (Ctrl-D).
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// The next line it prints, without its `\n`, within [`WAIT`].
    pub fn next_line(&mut self) -> String {
        match self.stdout.recv_timeout(WAIT) {
            Ok(line) => {
                self.seen.push_str(&line);
                line.strip_suffix('\n').unwrap_or(&line).to_string()
            }
            Err(_) => panic!(
                "{}: no further line within {WAIT:?}; it printed:\n{}",
                self.name, self.seen
            ),
        }
    }

    /// Waits until it exits, within [`WAIT`]; returns all it printed.
    pub fn finish(mut self) -> Output {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => self.seen.push_str(&line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{} did not end within {WAIT:?}; it printed:\n{}",
                    self.name, self.seen
                ),
            }
        }
        // Its output is closed: it has ended, or is ending.
        let status = self.child.0.wait().expect("wait for the example").code();
        let stderr = self.stderr.recv_timeout(WAIT).unwrap_or_default();
        Output {
            status,
            stdout: std::mem::take(&mut self.seen),
            stderr,
        }
    }

    /// Kills it (a server runs until then) and returns all it printed.
    pub fn stop(mut self) -> Output {
        let _ = self.child.0.kill();
        self.finish()
    }

    /// Asserts that it is still running [`HANG`] from now, neither
    /// ended nor printing, and returns what it printed so far.
    pub fn assert_hangs(&mut self) -> &str {
        match self.stdout.recv_timeout(HANG) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(line) => panic!("{}: printed {line:?}", self.name),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("{} ended; it printed:\n{}", self.name, self.seen)
            }
        }
        let status = self.child.0.try_wait().expect("the example's status");
        assert_eq!(status, None, "{} ended", self.name);
        &self.seen
    }
}

/// Runs example `name` with `args` in `dir`, `input` on its standard
/// input, to its end (within [`WAIT`]).
pub fn run_in(
    name: &'static str,
    args: &[&str],
    dir: &Path,
    input: &str,
) -> Output {
    let mut example = Example::start_in(name, args, dir);
    example.type_text(input);
    example.close_stdin();
    example.finish()
}

/// [`run_in`] the current directory, with no input.
pub fn run(name: &'static str, args: &[&str]) -> Output {
    run_in(name, args, Path::new("."), "")
}

/// The path of example `name`'s binary, the examples built first.
fn binary(name: &str) -> PathBuf {
    let programs = crate::common::built_programs();
    let dir = programs
        .unwrap_or_else(|why| panic!("{why}"))
        .join("examples");
    dir.join(format!("{name}{}", env::consts::EXE_SUFFIX))
}

/// Reads `stream` line by line on a thread, into a channel.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut stream = BufReader::new(stream);
        loop {
            let mut line = Vec::new();
            match stream.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if tx.send(text).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// Reads `stream` to its end on a thread; the whole of it arrives on the
/// channel.
fn whole(mut stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// A peer in the test: listens on `127.0.0.1:0`, and `play`s its part
/// with the first client (its socket with timeouts of [`WAIT`]) on a
/// thread. What `play` returns arrives on the channel. (If no client
/// ever comes, the thread waits in `accept` until the test process
/// ends: the test has failed by then.)
pub fn peer<T, F>(play: F) -> (SocketAddr, Receiver<T>)
where
    T: Send + 'static,
    F: FnOnce(TcpStream) -> T + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("the peer's address");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            set_timeouts(&stream);
            let _ = tx.send(play(stream));
        }
    });
    (addr, rx)
}

/// A port on 127.0.0.1 where nothing listens: one the system just gave
/// a listener that is gone.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
