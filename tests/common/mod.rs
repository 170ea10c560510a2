//! Shared helpers for the tests that drive the real binaries, and the
//! configuration of the property tests.
//!
//! A program under test runs as a child process with piped standard
//! streams. Its output lines arrive on a channel, so a test *waits for a
//! line* (with a timeout) instead of sleeping and hoping. Every socket a
//! test opens gets read and write timeouts, and the child is killed when
//! the test drops it, pass or fail.
#![allow(dead_code)] // each test file uses a different part of this

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config as ProptestConfig, FileFailurePersistence, TestCaseResult,
    TestRunner,
};

/// How long a test waits for any one thing before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// A child process, killed (and reaped) when dropped: a test that fails
/// leaves nothing running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running program whose output is read line by line.
pub struct Program {
    child: Killed,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    /// Every stdout line received so far, for failure messages.
    seen: Vec<String>,
}

impl Program {
    /// Starts the binary `name` (one of this package's `[[bin]]`s).
    pub fn start(name: &str, args: &[&str]) -> Program {
        Program::spawn(spawn_piped(name, args))
    }

    /// Starts the binary `name` with `stdin` (a file, a socket) for its
    /// standard input, its output read as for [`start`](Self::start).
    pub fn start_with_stdin(
        name: &str,
        args: &[&str],
        stdin: impl Into<Stdio>,
    ) -> Program {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin(name));
        command.args(args).stdin(stdin);
        Program::start_command(command)
    }

    /// Runs `command` (a program under `sh -c`, say, or with a standard
    /// input of the test's choosing), its output read as for
    /// [`start`](Self::start).
    pub fn start_command(mut command: Command) -> Program {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        Program::spawn(command.spawn().expect("start the program"))
    }

    fn spawn(mut child: Child) -> Program {
        let stdout = lines_of(child.stdout.take().expect("stdout"));
        let stdin = child.stdin.take();
        Program {
            child: Killed(child),
            stdin,
            stdout,
            seen: Vec::new(),
        }
    }

    /// Waits for an output line containing `text` and returns it.
    pub fn expect_line(&mut self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line containing {text:?} within {WAIT:?}; got:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for the next output line, whatever it says, and returns it:
    /// for a test that checks the order of lines, not just their presence.
    pub fn next_line(&mut self) -> String {
        match self.stdout.recv_timeout(WAIT) {
            Ok(line) => {
                self.seen.push(line.clone());
                line
            }
            Err(_) => panic!(
                "no further line within {WAIT:?}; got:\n{}",
                self.seen.join("\n")
            ),
        }
    }

    /// The address from a `... listening on IP:PORT...` first line.
    pub fn listening_addr(&mut self) -> SocketAddr {
        listening_addr_in(&self.expect_line("listening on "))
    }

    /// Types `text` on the program's standard input.
    pub fn type_text(&mut self, text: &str) {
        self.type_bytes(text.as_bytes());
    }

    /// Types raw `bytes` on the program's standard input: for input that
    /// is not UTF-8.
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Closes the program's standard input (Ctrl-D).
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Waits for the program to exit; returns its exit code. The sign is
    /// its standard output closing, which happens when it exits.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the program did not exit within {WAIT:?}; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
        self.child.0.wait().expect("wait for the program").code()
    }

    /// Every stdout line received so far, in order: after
    /// [`wait_exit`](Self::wait_exit), everything the program printed.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// The program's process id.
    pub fn id(&self) -> u32 {
        self.child.0.id()
    }

    /// Everything the program wrote on stderr (after it exited).
    pub fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut err) = self.child.0.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        text
    }
}

/// The address in a `... listening on IP:PORT...` line.
pub fn listening_addr_in(line: &str) -> SocketAddr {
    let addr = line.split("listening on ").nth(1).expect("address");
    let addr = addr.split(';').next().expect("address").trim();
    addr.parse().expect("a socket address")
}

/// Runs the binary `name` with `input` on its standard input and its
/// standard output already closed: the reading end of the pipe is
/// dropped before the program can write. Returns its exit code and what
/// it wrote on stderr; kills it if it has not exited within [`WAIT`].
pub fn run_with_stdout_closed(
    name: &str,
    args: &[&str],
    input: &[u8],
) -> (Option<i32>, String) {
    let mut child = spawn_piped(name, args);
    drop(child.stdout.take()); // nobody reads: writing fails (EPIPE)
    let mut stdin = child.stdin.take().expect("stdin");
    // It may already have stopped reading: a failed write is no failure.
    let _ = stdin.write_all(input);
    drop(stdin);
    // Its stderr closes when it exits: that is the sign to wait for.
    let mut stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let Ok(stderr) = rx.recv_timeout(WAIT) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{name} did not exit within {WAIT:?}");
    };
    let status = child.wait().expect("wait for the program");
    (status.code(), stderr)
}

/// Starts the binary `name` (one of this package's `[[bin]]`s) with its
/// three standard streams piped.
fn spawn_piped(name: &str, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program")
}

/// Reads `stream` line by line on a thread, into a channel.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).split(b'\n') {
            let Ok(line) = line else { break };
            let text = String::from_utf8_lossy(&line).into_owned();
            if tx.send(text).is_err() {
                break;
            }
        }
    });
    rx
}

/// Connects to `addr` with read and write timeouts set.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
    set_timeouts(&stream);
    stream
}

/// Sets `stream`'s read and write timeouts to [`WAIT`].
pub fn set_timeouts(stream: &TcpStream) {
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    stream.set_write_timeout(Some(WAIT)).expect("write timeout");
}

/// One read from `reader` (whose socket is `stream`) that gives up after
/// `quiet`, however often a signal cuts it short. In this test process a
/// read with a timeout can fail with EINTR at any moment (Linux never
/// restarts one, see signal(7)): it does while other threads start child
/// processes at once, even with no signal handler set, and several times
/// more often once assert_cmd's `timeout` has set its SIGCHLD handler.
/// Such a read is tried again for the time left.
pub fn read_within(
    stream: &TcpStream,
    reader: &mut impl Read,
    buf: &mut [u8],
    quiet: Duration,
) -> std::io::Result<usize> {
    let deadline = Instant::now() + quiet;
    inet::blocking::retry_interrupted(|| {
        let left = deadline.saturating_duration_since(Instant::now());
        stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        reader.read(buf)
    })
}

/// Reads one `\n`-terminated line (terminator included) from `stream`.
pub fn read_line(stream: &mut impl BufRead) -> String {
    let mut line = String::new();
    stream.read_line(&mut line).expect("read a line");
    line
}

/// Proptest's default configuration, but a failing case is not saved to
/// a file.
pub fn unsaved() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs `test` on values of `strategy` as `config` says; a failure
/// panics with `prefix` followed by proptest's report.
pub fn for_all<S: Strategy>(
    prefix: &str,
    config: ProptestConfig,
    strategy: &S,
    test: impl Fn(S::Value) -> TestCaseResult,
) {
    if let Err(failure) = TestRunner::new(config).run(strategy, test) {
        panic!("{prefix}{failure}");
    }
}

/// `cases` cases for a property test, whose failing cases are saved in
/// `file` (under `proptest-regressions/`, relative to where `cargo test`
/// runs: the package root) and replayed first on every later run.
///
/// An unoptimised build (a learner's `cargo test`, after every edit) runs
/// a quarter of them, so the suite stays quick; `.ci/run` runs them all,
/// optimised, as `cargo test --release`.
pub fn proptest_config(file: &'static str, cases: u32) -> ProptestConfig {
    let cases = match cfg!(debug_assertions) {
        true => cases.div_ceil(4),
        false => cases,
    };
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            file,
        ))),
        ..ProptestConfig::default()
    }
}

/// A reader that hands out its bytes in the given chunk sizes (cycled),
/// as a slow network gives them. A size of 0 stands for a read timeout
/// at that point; no sizes at all, for the whole stream at once.
pub struct Chunked {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    next: usize,
}

impl Chunked {
    pub fn new(data: &[u8], sizes: &[usize]) -> Self {
        let sizes = if sizes.is_empty() {
            vec![usize::MAX]
        } else {
            sizes.to_vec()
        };
        Chunked {
            data: data.to_vec(),
            pos: 0,
            sizes,
            next: 0,
        }
    }

    /// How many of its bytes it has handed out.
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        if size == 0 {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = size.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The directory of the programs (`target/<profile>`), with the mock
/// servers and the examples built in it: cargo builds those for a test
/// only when asked. Built once per test run, by one `cargo build` for the
/// profile these tests were built with, and only what is out of date.
pub fn built_programs() -> Result<&'static std::path::Path, String> {
    static BUILT: std::sync::OnceLock<Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    let built = BUILT.get_or_init(build_programs);
    built.as_deref().map_err(Clone::clone)
}

fn build_programs() -> Result<std::path::PathBuf, String> {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_smtp-send"));
    let dir = exe.parent().ok_or("no directory for the programs")?;
    let cargo = std::env::var_os("CARGO").unwrap_or(env!("CARGO").into());
    let mut build = Command::new(&cargo);
    build.args(["build", "--quiet", "--package", "inet-mocks"]);
    build.args(["--package", "inet", "--bins", "--examples"]);
    build
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null());
    match dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            build.arg("--release");
        }
        Some(profile) => {
            build.args(["--profile", profile]);
        }
    }
    let output = build.output().map_err(|e| {
        format!("cannot run {cargo:?} ({e}): run `cargo build --workspace --examples` first")
    })?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("cargo could not build the programs:\n{why}"));
    }
    match dir.join("mock-smtp").is_file() {
        true => Ok(dir.to_path_buf()),
        false => Err(format!(
            "no mock-smtp in {} after building it",
            dir.display()
        )),
    }
}
