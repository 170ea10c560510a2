//! Running the two sides: the Python original under the shim, and a Rust
//! program beside `compare`, each as a child process in a fresh temp dir,
//! with a timeout, some standard input, and its output captured.
//!
//! A chapter builds a [`Job`], then [`Job::run`]s it (a client: wait for
//! it to end) or [`Job::spawn`]s it (a server: talk to it, then
//! [`Running::stop`] it). What comes back, [`Finished`], turns into a
//! [`Side`] with [`Finished::side`]:
//!
//! ```no_run
//! # use inet::compare::{Setup, Job, Normaliser, CompareError};
//! # fn f(setup: &Setup) -> Result<(), CompareError> {
//! let python = Job::original(setup)
//!     .env("INET_COMPARE_HOSTS", "127.0.0.1 localhost\n")
//!     .run()?;
//! let rust = Job::program(setup, "resolve")?
//!     .args(["--dns-server", "127.0.0.1:5353"])
//!     .run()?;
//! let normal = Normaliser::new();
//! let (python, rust) = (python.side(&normal), rust.side(&normal));
//! # Ok(()) }
//! ```
//!
//! How the shim tells `compare` it got as far as running the original:
//! it creates the file named by `INET_COMPARE_READY` just before. No such
//! file after the run means Python itself, or the shim, failed (the
//! wrong version, a bad `--python`): that is exit status 2, not a
//! difference.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::{CompareError, Setup, Side};
use crate::tempdir::TempDir;
use inet::escape::escape;

/// The shim, as kept in the repository: written to each original's temp
/// dir at run time.
pub const SHIM: &str = include_str!("shim.py");

/// The shim's exit status when Python is not 2.7.
pub const EXIT_NOT_PYTHON_27: i32 = 97;

/// The most bytes kept of one output stream; the rest is counted and
/// reported, not stored.
pub const MAX_OUTPUT: usize = 16 << 20;

/// How long to wait for a program's output pipes to close once it has
/// been killed (a grandchild may still hold them).
const GRACE: Duration = Duration::from_millis(500);

/// The Python command: `python2.7` unless `--python CMD` says otherwise,
/// split on white space (`env PYENV_VERSION=2.7.18 python`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    /// The program, then its first arguments.
    pub command: Vec<String>,
}

impl Python {
    /// `CMD` split on white space.
    ///
    /// # Errors
    /// [`CompareError::Usage`] when `CMD` is blank.
    pub fn parse(cmd: &str) -> Result<Python, CompareError> {
        let command: Vec<String> =
            cmd.split_whitespace().map(String::from).collect();
        if command.is_empty() {
            return Err(CompareError::Usage("--python wants a command".into()));
        }
        Ok(Python { command })
    }
}

impl Default for Python {
    fn default() -> Python {
        Python {
            command: vec!["python2.7".into()],
        }
    }
}

impl fmt::Display for Python {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.command.join(" "))
    }
}

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// A signal ended it (Unix), not `compare`.
    Signal(i32),
    /// It ran past the timeout and `compare` killed it.
    TimedOut(Duration),
    /// `compare` stopped it on purpose ([`Running::stop`]: a server).
    Stopped,
}

impl Exit {
    fn of(status: ExitStatus) -> Exit {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                return Exit::Signal(signal);
            }
        }
        Exit::Code(status.code().unwrap_or(-1))
    }
}

impl fmt::Display for Exit {
    /// The line of the `exit status` channel: `0`, `signal 9`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Signal(signal) => write!(f, "killed by signal {signal}"),
            Self::TimedOut(after) => {
                write!(
                    f,
                    "killed by compare after {}s (timeout)",
                    after.as_secs_f64()
                )
            }
            Self::Stopped => f.write_str("stopped by compare"),
        }
    }
}

/// A program to run: the original under the shim, or a Rust program.
/// Built with [`Job::original`] or [`Job::program`], then the setters.
#[derive(Debug, Clone)]
pub struct Job {
    /// The program, with the Python command's own arguments.
    command: Vec<OsString>,
    /// The program's arguments (the original's, after the shim's).
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
    keep_stdin: bool,
    files: Vec<(String, Vec<u8>)>,
    timeout: Duration,
    /// The original's path, for a job that runs under the shim.
    original: Option<PathBuf>,
}

impl Job {
    /// The Python original of `setup`, under the shim: `CMD SHIM
    /// ORIGINAL`. Add its arguments with [`Job::args`], the mocks'
    /// addresses with [`Job::env`] (`INET_COMPARE_*`, see `shim.py`).
    pub fn original(setup: &Setup) -> Job {
        let mut job = Job::new(setup.python.command.iter().map(OsString::from));
        // The shim's path is only known once the temp dir exists: `spawn`
        // inserts it before the original.
        let original = std::path::absolute(&setup.original)
            .unwrap_or_else(|_| setup.original.clone());
        job.original = Some(original);
        job.timeout = setup.timeout;
        job
    }

    /// The Rust program `name` (a binary of this package, next to
    /// `compare`).
    ///
    /// # Errors
    /// [`CompareError::ProgramMissing`] when it has not been built.
    pub fn program(setup: &Setup, name: &str) -> Result<Job, CompareError> {
        let path = setup
            .programs
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        if !path.is_file() {
            return Err(CompareError::ProgramMissing(path));
        }
        let mut job = Job::new([path.into_os_string()]);
        job.timeout = setup.timeout;
        Ok(job)
    }

    fn new(command: impl IntoIterator<Item = OsString>) -> Job {
        Job {
            command: command.into_iter().collect(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            keep_stdin: false,
            files: Vec::new(),
            timeout: super::DEFAULT_TIMEOUT,
            original: None,
        }
    }

    /// Appends command-line arguments.
    pub fn args<I, S>(mut self, args: I) -> Job
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable of the program.
    pub fn env(mut self, name: &str, value: impl fmt::Display) -> Job {
        self.env.push((name.to_owned(), value.to_string()));
        self
    }

    /// What the program reads on standard input, then end of file.
    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Job {
        self.stdin = text.into();
        self
    }

    /// Leaves standard input open after the [`Job::stdin`] text: the
    /// chapter writes more through [`Running::take_stdin`] (a keyboard).
    pub fn keep_stdin_open(mut self) -> Job {
        self.keep_stdin = true;
        self
    }

    /// A file written in the program's working directory before it
    /// starts (`mail2.txt` for inet_04).
    pub fn file(mut self, name: &str, contents: impl Into<Vec<u8>>) -> Job {
        self.files.push((name.to_owned(), contents.into()));
        self
    }

    /// Runs the program to its end (or its timeout).
    ///
    /// # Errors
    /// See [`Job::spawn`] and [`Running::wait`].
    pub fn run(self) -> Result<Finished, CompareError> {
        self.spawn()?.wait()
    }

    /// Starts the program in a fresh temp dir (its working directory is
    /// `DIR/work`; the shim, for the original, is `DIR/shim/shim.py`).
    ///
    /// # Errors
    /// [`CompareError::PythonNotFound`] when the Python command can't be
    /// started, [`CompareError::Io`] for a program that can't be started
    /// or a temp dir that can't be made.
    pub fn spawn(self) -> Result<Running, CompareError> {
        let io = |what: &str| {
            let what = what.to_owned();
            move |e: io::Error| CompareError::Io(format!("{what}: {e}"))
        };
        let dir = TempDir::new("inet-compare")
            .map_err(io("cannot make a temp dir"))?;
        let work = dir.path().join("work");
        std::fs::create_dir(&work).map_err(io("cannot make a temp dir"))?;
        for (name, contents) in &self.files {
            std::fs::write(work.join(name), contents)
                .map_err(io(&format!("cannot write {name}")))?;
        }
        let mut command = self.command.clone();
        let mut ready = None;
        if let Some(original) = &self.original {
            let shim_dir = dir.path().join("shim");
            std::fs::create_dir(&shim_dir)
                .map_err(io("cannot make a temp dir"))?;
            let shim = shim_dir.join("shim.py");
            std::fs::write(&shim, SHIM).map_err(io("cannot write the shim"))?;
            let flag = dir.path().join("ready");
            command.push(shim.into_os_string());
            command.push(original.clone().into_os_string());
            ready = Some(flag);
        }
        // The original's own arguments come after the shim and the original.
        command.extend(self.args.iter().cloned());
        let (program, args) = command.split_first().expect("a command");
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&work)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(flag) = &ready {
            cmd.env("INET_COMPARE_READY", flag);
        }
        let mut child = cmd.spawn().map_err(|e| match &self.original {
            Some(_) => CompareError::PythonNotFound(
                self.command[0].to_string_lossy().into_owned(),
                e,
            ),
            None => CompareError::Io(format!(
                "cannot run {}: {e}",
                Path::new(program).display()
            )),
        })?;
        let (done_tx, done) = mpsc::channel();
        let stdout = capture(child.stdout.take(), MAX_OUTPUT, done_tx.clone());
        let stderr = capture(child.stderr.take(), MAX_OUTPUT, done_tx);
        let mut stdin = child.stdin.take();
        if let Some(mut pipe) = stdin.take() {
            let text = self.stdin.clone();
            if self.keep_stdin {
                // Written here: a chapter that keeps stdin open writes
                // little before it talks to the program.
                let _ = pipe.write_all(&text);
                stdin = Some(pipe);
            } else {
                // A thread, so a program that does not read can't block us.
                thread::spawn(move || {
                    let _ = pipe.write_all(&text);
                });
            }
        }
        Ok(Running {
            child: Reaped {
                child,
                waited: false,
            },
            dir,
            stdin,
            stdout,
            stderr,
            done,
            deadline: Instant::now() + self.timeout,
            timeout: self.timeout,
            ready,
        })
    }
}

/// One output stream, filled by its own thread.
#[derive(Debug, Clone, Default)]
struct Captured {
    bytes: Vec<u8>,
    dropped: usize,
    /// The pipe has closed: nothing more will come.
    closed: bool,
}

/// A stream being captured, and a condition variable signalled at each
/// change, so a chapter can wait for what a server prints
/// ([`Running::wait_for_stdout`]).
type Shared = Arc<(Mutex<Captured>, Condvar)>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Captured> {
    shared.0.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads `pipe` to its end on a thread of its own, keeping the first
/// `limit` bytes and counting the rest; says on `done` when it closes.
fn capture(
    pipe: Option<impl Read + Send + 'static>,
    limit: usize,
    done: mpsc::Sender<()>,
) -> Shared {
    let captured: Shared = Arc::default();
    let filled = Arc::clone(&captured);
    thread::spawn(move || {
        if let Some(mut pipe) = pipe {
            let mut buf = [0; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                let mut c = lock(&filled);
                let room = limit.saturating_sub(c.bytes.len()).min(n);
                c.bytes.extend_from_slice(&buf[..room]);
                c.dropped += n - room;
                filled.1.notify_all();
            }
        }
        lock(&filled).closed = true;
        filled.1.notify_all();
        let _ = done.send(());
    });
    captured
}

/// A child process that is killed and reaped when dropped, unless it was
/// waited for: a chapter that returns early (a `?`) leaves no server
/// running behind it.
#[derive(Debug)]
struct Reaped {
    child: Child,
    waited: bool,
}

impl Reaped {
    fn kill(&mut self) -> io::Result<()> {
        self.child.kill()
    }

    /// Its exit status if it has ended (then it is reaped), without
    /// waiting.
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        let status = self.child.try_wait()?;
        self.waited |= status.is_some();
        Ok(status)
    }

    fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait()?;
        self.waited = true;
        Ok(status)
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if !self.waited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A program that is running. Dropped without [`Running::wait`] or
/// [`Running::stop`], it is killed.
#[derive(Debug)]
pub struct Running {
    child: Reaped,
    dir: TempDir,
    stdin: Option<ChildStdin>,
    stdout: Shared,
    stderr: Shared,
    /// One message per output stream, when it closes.
    done: Receiver<()>,
    deadline: Instant,
    timeout: Duration,
    ready: Option<PathBuf>,
}

impl Running {
    /// Whether the program has ended (it is reaped then; its exit status
    /// is still what [`Running::wait`] reports).
    pub fn has_ended(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// The program's standard input, for a job made with
    /// [`Job::keep_stdin_open`]. Drop it to send end of file.
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.stdin.take()
    }

    /// Waits until what the program has written on standard output so
    /// far satisfies `until`, at most `timeout`: how a chapter waits for
    /// a server's line instead of sleeping. Returns false when the time
    /// ran out, or the output closed, first.
    pub fn wait_for_stdout(
        &self,
        timeout: Duration,
        until: impl Fn(&[u8]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let mut captured = lock(&self.stdout);
        loop {
            if until(&captured.bytes) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if captured.closed || left.is_zero() {
                return false;
            }
            captured = self
                .stdout
                .1
                .wait_timeout(captured, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits for the program to end: both output streams closed, then
    /// its exit status. Past the job's timeout it is killed, and its exit
    /// is [`Exit::TimedOut`].
    ///
    /// # Errors
    /// [`CompareError::Shim`] when an original did not get past the
    /// shim (the wrong Python, or one that failed to start).
    pub fn wait(self) -> Result<Finished, CompareError> {
        let mut closed = 0;
        while closed < 2 {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.done.recv_timeout(left) {
                Ok(()) => closed += 1,
                Err(_) => {
                    let timeout = self.timeout;
                    return self.end(Some(Exit::TimedOut(timeout)));
                }
            }
        }
        self.end(None)
    }

    /// Stops a program that would run forever (a server), and collects
    /// what it did; its exit is [`Exit::Stopped`] unless it had already
    /// ended by itself.
    ///
    /// # Errors
    /// As [`Running::wait`].
    pub fn stop(mut self) -> Result<Finished, CompareError> {
        match self.has_ended() {
            true => self.wait(),
            false => self.end(Some(Exit::Stopped)),
        }
    }

    /// Kills the program if `forced` says why, reaps it, and collects
    /// its output.
    fn end(mut self, forced: Option<Exit>) -> Result<Finished, CompareError> {
        drop(self.stdin.take());
        if forced.is_some() {
            let _ = self.child.kill();
        }
        let status = self.child.wait().map_err(|e| {
            CompareError::Io(format!("cannot wait for a program: {e}"))
        })?;
        if forced.is_some() {
            // Its pipes close now, unless a grandchild holds them.
            let until = Instant::now() + GRACE;
            for _ in 0..2 {
                let left = until.saturating_duration_since(Instant::now());
                if self.done.recv_timeout(left).is_err() {
                    break;
                }
            }
        }
        let take = |c: &Shared| {
            let c = lock(c);
            let mut bytes = c.bytes.clone();
            if c.dropped > 0 {
                let note =
                    format!("\n[compare: {} more bytes not kept]\n", c.dropped);
                bytes.extend_from_slice(note.as_bytes());
            }
            bytes
        };
        let finished = Finished {
            stdout: take(&self.stdout),
            stderr: take(&self.stderr),
            exit: forced.unwrap_or(Exit::of(status)),
            dir: self.dir,
        };
        if let Some(flag) = &self.ready
            && !flag.exists()
        {
            let said = String::from_utf8_lossy(&finished.stderr).into_owned();
            let said = match finished.exit {
                Exit::Code(EXIT_NOT_PYTHON_27) => said,
                exit => format!("{said}(exit status: {exit})"),
            };
            return Err(CompareError::Shim(said.trim_end().to_owned()));
        }
        Ok(finished)
    }
}

/// What a program did: its output, how it ended, and its temp dir (kept
/// until this is dropped, for the files it wrote).
#[derive(Debug)]
pub struct Finished {
    /// Everything it wrote on standard output.
    pub stdout: Vec<u8>,
    /// Everything it wrote on standard error.
    pub stderr: Vec<u8>,
    /// How it ended.
    pub exit: Exit,
    /// Its temp dir; its working directory is `work` inside.
    pub dir: TempDir,
}

impl Finished {
    /// The program's working directory, where it wrote its files.
    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// The usual three channels, `stdout`, `stderr` and `exit status`,
    /// normalised (the temp dir is `DIR` in any case). Add the mock's
    /// channels with [`Side::channel`] / [`Side::bytes`].
    pub fn side(&self, normaliser: &Normaliser) -> Side {
        let normaliser = normaliser
            .clone()
            .dir(&self.work_dir(), "DIR")
            .dir(self.dir.path(), "DIR");
        let stderr = normaliser.lines(&self.stderr);
        Side::new()
            .bytes("stdout", &self.stdout, &normaliser)
            .channel("stderr", without_shim_frames(&stderr))
            .channel("exit status", vec![self.exit.to_string()])
    }
}

/// `lines` of a Python traceback without the shim's frames (`File
/// "DIR/shim/shim.py", line N, in ...` and the source line after it):
/// the original, run by `python ORIGINAL`, has no such frames.
pub fn without_shim_frames(lines: &[String]) -> Vec<String> {
    let mut kept = Vec::with_capacity(lines.len());
    let mut lines = lines.iter().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("  File \"DIR/shim/shim.py\"") {
            // Its source line, indented further, goes too.
            lines.next_if(|next| next.starts_with("    "));
        } else {
            kept.push(line.clone());
        }
    }
    kept
}

/// Replaces what changes from run to run by a fixed word: ports the
/// system chose, temp dirs. Applied to each line of a channel.
#[derive(Debug, Clone, Default)]
pub struct Normaliser {
    texts: Vec<(String, String)>,
    ports: HashMap<u16, String>,
}

impl Normaliser {
    /// A normaliser that changes nothing yet.
    pub fn new() -> Normaliser {
        Normaliser::default()
    }

    /// Replaces the path `dir` (as written) by `word`.
    pub fn dir(self, dir: &Path, word: &str) -> Normaliser {
        self.text(&dir.to_string_lossy(), word)
    }

    /// Replaces any text by `word` (longer texts are replaced first).
    pub fn text(mut self, text: &str, word: &str) -> Normaliser {
        if !text.is_empty() {
            self.texts.push((text.to_owned(), word.to_owned()));
            self.texts.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        }
        self
    }

    /// Replaces the number `port` by `word` where it stands as a whole
    /// number (not inside `150250`).
    pub fn port(mut self, port: u16, word: &str) -> Normaliser {
        self.ports.insert(port, word.to_owned());
        self
    }

    /// `bytes` as lines ([`lines_of`]), each normalised.
    pub fn lines(&self, bytes: &[u8]) -> Vec<String> {
        lines_of(bytes).iter().map(|line| self.line(line)).collect()
    }

    /// `line`, normalised.
    pub fn line(&self, line: &str) -> String {
        let mut line = line.to_owned();
        for (text, word) in &self.texts {
            line = line.replace(text.as_str(), word);
        }
        if self.ports.is_empty() {
            return line;
        }
        let mut out = String::with_capacity(line.len());
        let mut rest = line.as_str();
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
            out.push_str(&rest[..start]);
            let digits = &rest[start..];
            let len = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            let number = &digits[..len];
            match number.parse::<u16>().ok().and_then(|n| self.ports.get(&n)) {
                Some(word) => out.push_str(word),
                None => out.push_str(number),
            }
            rest = &digits[len..];
        }
        out.push_str(rest);
        out
    }
}

/// `bytes` as lines of text, losslessly: split at `\n` (a last line
/// without one is marked `[no newline at end]`), each escaped as
/// transcripts are ([`escape`]: bytes that are not UTF-8 written `\xNN`,
/// control characters `\r`, `\t`, `\xNN`, a backslash `\\`).
pub fn lines_of(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> =
        bytes.split(|&b| b == b'\n').map(escape).collect();
    match lines.last_mut() {
        Some(last) if last.is_empty() => {
            lines.pop();
        }
        Some(last) => last.push_str(" [no newline at end]"),
        None => {}
    }
    lines
}

/// Where a server original says which port it listens on: the shim's
/// `listen()` hook connects here and writes `listening PORT` (set
/// `INET_COMPARE_REPORT` to [`PortReport::addr`], and
/// `INET_COMPARE_EPHEMERAL=1` so it binds port 0). For the server
/// chapters: no guessing, no sleeping.
#[derive(Debug)]
pub struct PortReport {
    addr: SocketAddr,
    reports: Receiver<io::Result<u16>>,
}

impl PortReport {
    /// Listens on `127.0.0.1:0` for one report.
    ///
    /// # Errors
    /// When it can't listen.
    pub fn new() -> io::Result<PortReport> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let (tx, reports) = mpsc::channel();
        thread::spawn(move || {
            let read = || -> io::Result<u16> {
                let (mut stream, _) = listener.accept()?;
                stream.set_read_timeout(Some(Duration::from_secs(5)))?;
                let mut line = String::new();
                (&mut stream).take(64).read_to_string(&mut line)?;
                line.trim()
                    .strip_prefix("listening ")
                    .and_then(|port| port.parse().ok())
                    .ok_or_else(|| {
                        io::Error::other(format!("not a report: {line:?}"))
                    })
            };
            let _ = tx.send(read());
        });
        Ok(PortReport { addr, reports })
    }

    /// The address to give the shim as `INET_COMPARE_REPORT`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port `server` reported, waiting at most `timeout`, and no
    /// longer once `server` has ended (a server that died before it
    /// listened will never report).
    ///
    /// # Errors
    /// [`CompareError::Io`] when no report came in time, or a bad one,
    /// or the server ended first.
    pub fn wait(
        &self,
        server: &mut Running,
        timeout: Duration,
    ) -> Result<u16, CompareError> {
        let deadline = Instant::now() + timeout;
        let why = loop {
            // The report, or every REPORT_POLL a look whether the server
            // is still there to send one.
            let left = deadline.saturating_duration_since(Instant::now());
            match self.reports.recv_timeout(left.min(REPORT_POLL)) {
                Ok(Ok(port)) => return Ok(port),
                Ok(Err(e)) => {
                    return Err(CompareError::Io(format!(
                        "the server's port: {e}"
                    )));
                }
                Err(_) if server.has_ended() => {
                    // It may have reported just before it ended.
                    if let Ok(Ok(port)) = self.reports.try_recv() {
                        return Ok(port);
                    }
                    break "the server ended before it said its port".into();
                }
                Err(_) if left.is_zero() => {
                    break format!(
                        "the server did not say its port within {}s",
                        timeout.as_secs_f64()
                    );
                }
                Err(_) => {}
            }
        };
        // Unblock the accepting thread, so it ends.
        let _ =
            TcpStream::connect_timeout(&self.addr, Duration::from_millis(100));
        Err(CompareError::Io(why))
    }
}

/// How often [`PortReport::wait`] looks whether the server has ended.
const REPORT_POLL: Duration = Duration::from_millis(20);

impl Job {
    /// Starts a server original (a job made with [`Job::original`], its
    /// port argument `0`) on a port of its own choosing, and waits at
    /// most `timeout` for the port it reports through the shim
    /// ([`PortReport`]). Its output is unbuffered, so a chapter can wait
    /// for each line it prints.
    ///
    /// # Errors
    /// As [`Job::spawn`]; [`CompareError::Io`] with what the server said
    /// on standard error when it reported no port.
    pub fn spawn_server(
        self,
        timeout: Duration,
    ) -> Result<(Running, u16), CompareError> {
        let report = PortReport::new().map_err(|e| {
            CompareError::Io(format!("cannot wait for the port: {e}"))
        })?;
        let mut running = self
            .env("INET_COMPARE_EPHEMERAL", 1)
            .env("INET_COMPARE_REPORT", report.addr())
            .env("PYTHONUNBUFFERED", 1)
            .spawn()?;
        match report.wait(&mut running, timeout) {
            Ok(port) => Ok((running, port)),
            // A shim that did not run says why (the `?`); otherwise, what
            // the original said, with the missing port.
            Err(e) => Err(not_started(e.to_string(), &running.stop()?)),
        }
    }
}

/// A server that did not get as far as listening: `why`, and what it
/// said on standard error.
pub fn not_started(why: String, finished: &Finished) -> CompareError {
    let said = String::from_utf8_lossy(&finished.stderr);
    CompareError::Io(format!("{why}; it said: {}", said.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_escaped_and_nothing_is_lost() {
        assert_eq!(lines_of(b""), Vec::<String>::new());
        assert_eq!(lines_of(b"a\nb\n"), ["a", "b"]);
        assert_eq!(lines_of(b"a\n\nb"), ["a", "", "b [no newline at end]"]);
        assert_eq!(lines_of(b"crlf\r\n"), ["crlf\\r"]);
        assert_eq!(
            lines_of(b"caf\xc3\xa9 \xff\x00\t \\"),
            ["café \\xff\\x00\\t \\\\ [no newline at end]"]
        );
    }

    #[test]
    fn ports_are_replaced_as_whole_numbers_only() {
        let n = Normaliser::new().port(2525, "PORT").text("/tmp/x", "DIR");
        assert_eq!(n.line("127.0.0.1:2525 /tmp/x/f"), "127.0.0.1:PORT DIR/f");
        assert_eq!(n.line("25250 12525 2525"), "25250 12525 PORT");
        assert_eq!(n.line("no digits"), "no digits");
        assert_eq!(Normaliser::new().line("2525"), "2525");
    }

    #[test]
    fn longer_texts_are_replaced_first() {
        let n = Normaliser::new().text("/t", "T").text("/t/wd", "W");
        assert_eq!(n.line("/t/wd/f /t/g"), "W/f T/g");
    }

    #[test]
    fn output_past_the_limit_is_counted_not_kept() {
        let (done_tx, done) = mpsc::channel();
        let captured = capture(Some(&b"abcdefgh"[..]), 5, done_tx);
        done.recv_timeout(Duration::from_secs(5)).unwrap();
        let c = lock(&captured);
        assert_eq!((c.bytes.as_slice(), c.dropped), (&b"abcde"[..], 3));
        assert!(c.closed);
    }

    #[test]
    fn the_shim_frames_leave_a_traceback() {
        let traceback: Vec<String> = [
            "Traceback (most recent call last):",
            "  File \"DIR/shim/shim.py\", line 272, in <module>",
            "    _main()",
            "  File \"DIR/shim/shim.py\", line 269, in _main",
            "    execfile(original, globals_)",
            "  File \"/o/inet_01.py\", line 15, in <module>",
            "    c = socket.create_connection((\"x\", 80), 1)",
            "socket.error: [Errno 111] Connection refused",
        ]
        .map(String::from)
        .to_vec();
        let kept = without_shim_frames(&traceback);
        assert_eq!(kept.len(), 4, "{kept:?}");
        assert_eq!(kept[1], "  File \"/o/inet_01.py\", line 15, in <module>");
    }

    #[test]
    fn the_python_command_is_split_on_white_space() {
        let p = Python::parse(" env  PYENV_VERSION=2.7.18 python ").unwrap();
        assert_eq!(p.command, ["env", "PYENV_VERSION=2.7.18", "python"]);
        assert!(Python::parse("  ").is_err());
    }

    #[test]
    fn a_side_has_the_three_usual_channels() {
        let finished = Finished {
            stdout: b"out\n".to_vec(),
            stderr: Vec::new(),
            exit: Exit::Code(3),
            dir: TempDir::new("inet-compare-test").unwrap(),
        };
        let side = finished.side(&Normaliser::new());
        assert_eq!(side.lines("stdout"), ["out"]);
        assert!(side.lines("stderr").is_empty());
        assert_eq!(side.lines("exit status"), ["3"]);
    }

    #[test]
    fn a_chapter_waits_for_what_a_program_prints() {
        let job = Job::new(["sh".into()])
            .args(["-c", "read line; echo \"got $line\"; cat"]);
        let mut running = job.keep_stdin_open().spawn().unwrap();
        let got = |out: &[u8]| out.ends_with(b"got one\n");
        let short = Duration::from_millis(20);
        assert!(!running.wait_for_stdout(short, got), "nothing typed yet");
        let mut stdin = running.take_stdin().unwrap();
        stdin.write_all(b"one\n").unwrap();
        assert!(running.wait_for_stdout(Duration::from_secs(5), got));
        drop(stdin);
        let never = |out: &[u8]| out.ends_with(b"never\n");
        // The output closes: no need to wait out the time.
        let started = Instant::now();
        assert!(!running.wait_for_stdout(Duration::from_secs(30), never));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(running.wait().unwrap().exit, Exit::Code(0));
    }

    fn sh(script: &str) -> Running {
        Job::new(["sh".into()])
            .args(["-c", script])
            .spawn()
            .unwrap()
    }

    #[test]
    fn a_port_report_is_read_and_a_missing_one_times_out() {
        let mut server = sh("exec sleep 30");
        let report = PortReport::new().unwrap();
        let mut told = TcpStream::connect(report.addr()).unwrap();
        told.set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        told.write_all(b"listening 4321\n").unwrap();
        drop(told);
        let port = report.wait(&mut server, Duration::from_secs(5));
        assert_eq!(port.unwrap(), 4321);
        let silent = PortReport::new().unwrap();
        let e = silent.wait(&mut server, Duration::from_millis(50));
        assert!(e.unwrap_err().to_string().contains("within 0.05s"));
    }

    #[test]
    fn a_server_that_dies_before_it_listens_is_not_waited_for() {
        let mut server = sh("echo no such module >&2; exit 1");
        let report = PortReport::new().unwrap();
        let started = Instant::now();
        let e = report.wait(&mut server, Duration::from_secs(30));
        let e = e.unwrap_err().to_string();
        assert!(e.contains("ended before it said its port"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10), "{e}");
        let finished = server.wait().unwrap();
        assert_eq!(finished.exit, Exit::Code(1), "its status is kept");
        let e = not_started(e, &finished).to_string();
        assert!(e.ends_with("; it said: no such module"), "{e}");
    }

    #[test]
    fn a_dropped_program_is_killed_and_reaped() {
        let running = sh("exec sleep 30");
        let pid = running.child.child.id().to_string();
        let alive = || {
            // `kill -0` succeeds for a zombie too: false means reaped.
            Command::new("kill")
                .args(["-0", &pid])
                .stderr(Stdio::null())
                .status()
                .unwrap()
                .success()
        };
        assert!(alive());
        drop(running);
        assert!(!alive(), "{pid} still there");
    }
}
