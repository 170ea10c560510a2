//! A `mock-*` program run by a test: started, its address read from its
//! first line, its output read line by line with a timeout, and killed
//! when dropped. (Shared by the test files that run a program.) Also
//! [`retry_interrupted`], for their raw socket reads.

use std::io::{self, BufRead, BufReader, ErrorKind, Read};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

/// How long a test waits for a line the program should print.
const LINE_TIMEOUT: Duration = Duration::from_secs(5);

/// A running program; killed and reaped when dropped, pass or fail.
pub struct Program {
    child: Child,
    lines: Receiver<String>,
    /// Tells the reading thread, waiting after the first line, to go on
    /// reading (true) or to close the pipe (false).
    resume: Sender<bool>,
    /// Where it listens, from its first line, `listening on ADDR`.
    pub addr: SocketAddr,
}

impl Program {
    /// Starts `exe` with `args` and waits for its `listening on` line.
    pub fn start(exe: &str, args: &[&str]) -> Self {
        let program = Self::start_unread(exe, args);
        program.resume_reading();
        program
    }

    /// Starts `exe` like [`start`](Self::start), but after the first
    /// line reads nothing more until [`resume_reading`]: its output
    /// fills the pipe, as with a harness that reads the first line only
    /// (the pipe stays open: the program's writes block, not fail).
    ///
    /// [`resume_reading`]: Self::resume_reading
    pub fn start_unread(exe: &str, args: &[&str]) -> Self {
        let mut child = spawn(exe, args, Stdio::null());
        // A pipe has no read timeout, so a thread reads it and the test
        // waits on a channel with one.
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        let (resume, resumed) = mpsc::channel();
        thread::spawn(move || read_lines(stdout, tx, &resumed));
        let first = next_line(&lines);
        let addr = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .parse()
            .unwrap();
        Self {
            child,
            lines,
            resume,
            addr,
        }
    }

    /// Reads the program's output again, after [`start_unread`].
    ///
    /// [`start_unread`]: Self::start_unread
    pub fn resume_reading(&self) {
        let _ = self.resume.send(true);
    }

    /// Closes the program's standard output, after [`start_unread`]: its
    /// next write fails (EPIPE). Returns once the pipe is closed.
    ///
    /// [`start_unread`]: Self::start_unread
    #[allow(dead_code)] // for the tests of a closed output
    pub fn close_output(&self) {
        let _ = self.resume.send(false);
        // The reading thread drops the pipe, then its sender.
        loop {
            match self.lines.recv_timeout(LINE_TIMEOUT) {
                Ok(_) => {}
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => panic!("pipe not closed"),
            }
        }
    }

    /// The next line the program prints, without its newline; panics if
    /// none comes in time, instead of hanging the test.
    pub fn next_line(&self) -> String {
        next_line(&self.lines)
    }

    /// Reads the program's output until `expected` log lines are
    /// accounted for, each either printed (a line `is_entry` accepts) or
    /// counted in a `log: N lines dropped` note; returns how many were
    /// printed and how many dropped.
    #[allow(dead_code)] // for the tests of an output nobody reads
    pub fn account_for(
        &self,
        expected: usize,
        is_entry: impl Fn(&str) -> bool,
    ) -> (usize, usize) {
        let (mut printed, mut dropped) = (0, 0);
        while printed + dropped < expected {
            let line = self.next_line();
            if is_entry(&line) {
                printed += 1;
            } else if let Some(n) = dropped_count(&line) {
                dropped += n;
            }
        }
        (printed, dropped)
    }

    /// The program's process id, to look at it in `/proc`.
    #[allow(dead_code)] // for the tests that count threads
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends the first line, waits for the word to go on (or for the
/// program to be dropped), then sends every other line. Told to stop
/// instead, it returns, and the pipe and `tx` are dropped.
fn read_lines(stdout: ChildStdout, tx: Sender<String>, go_on: &Receiver<bool>) {
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    if let Some(first) = lines.next() {
        let _ = tx.send(first);
    }
    if go_on.recv() != Ok(true) {
        return;
    }
    for line in lines {
        if tx.send(line).is_err() {
            return;
        }
    }
}

/// Runs `exe` with `args` to its end, standard input empty, and returns
/// its exit code, standard output and standard error; kills it and
/// panics if it has not ended within `limit`, instead of hanging.
#[allow(dead_code)] // for the tests of bad command lines
pub fn run_within(
    exe: &str,
    args: &[&str],
    limit: Duration,
) -> (Option<i32>, String, String) {
    let mut child = spawn(exe, args, Stdio::piped());
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let (tx, done) = mpsc::channel();
    // Both pipes reach EOF when the program ends.
    thread::spawn(move || {
        let (mut stdout, mut stderr) = (String::new(), String::new());
        let _ = out.read_to_string(&mut stdout);
        let _ = err.read_to_string(&mut stderr);
        let _ = tx.send((stdout, stderr));
    });
    match done.recv_timeout(limit) {
        Ok((stdout, stderr)) => (child.wait().unwrap().code(), stdout, stderr),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{exe} {args:?} still running after {limit:?}");
        }
    }
}

/// Starts `exe` with `args`, standard input empty, standard output a
/// pipe, standard error as told.
fn spawn(exe: &str, args: &[&str], stderr: Stdio) -> Child {
    Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// The N of a `log: N lines dropped: ...` note.
fn dropped_count(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("log: ")?;
    let (n, _) = rest.split_once(" lines dropped")?;
    n.parse().ok()
}

fn next_line(lines: &Receiver<String>) -> String {
    lines
        .recv_timeout(LINE_TIMEOUT)
        .expect("the program printed no line in time")
}

/// Calls `op` again for as long as a signal interrupts it. On Linux a
/// read on a socket with a timeout (every test socket has one) is never
/// restarted after a signal: it fails with `Interrupted` (EINTR), even
/// after a mere stop and continue (Ctrl-Z then `fg`, a debugger); see
/// signal(7), SO_RCVTIMEO. `read_exact`, `read_to_end` and `write_all`
/// retry by themselves; `read` and `recv_from` need this.
#[allow(dead_code)] // smtp_bin.rs reads with `read_to_end`
pub fn retry_interrupted<T>(
    mut op: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            done => return done,
        }
    }
}
