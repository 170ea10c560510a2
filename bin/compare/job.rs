//! Running one program of a comparison: the Python original under the
//! shim, or a Rust program beside `compare`, as a child process in a
//! fresh temp dir, with a timeout, some standard input, and its output
//! captured.
//!
//! A chapter builds a [`Job`], then [`Job::run`]s it (a client: wait for
//! it to end) or [`Job::spawn`]s it (a server: talk to it, then
//! [`Running::stop`] it). What comes back, [`Finished`], turns into a
//! [`Side`] with [`Finished::side`]:
//!
//! ```no_run
//! # use inet::compare::{Setup, Job, Normaliser, CompareError};
//! # fn f(setup: &Setup) -> Result<(), CompareError> {
//! let python = Job::original(setup, "inet_01.py")
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

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::error::CompareError;
use super::lines::Normaliser;
use super::python::{EXIT_NOT_PYTHON_27, SHIM, without_shim_frames};
use super::setup::Setup;
use super::side::Side;
use crate::tempdir::TempDir;

/// The most bytes kept of one output stream; the rest is counted and
/// reported, not stored.
pub const MAX_OUTPUT: usize = 16 << 20;

/// How long to wait for a program's output pipes to close once it has
/// been killed (a grandchild may still hold them).
const GRACE: Duration = Duration::from_millis(500);

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

/// The name of a signal a reader may send from a terminal, or by `kill`.
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "SIGHUP",
        2 => "SIGINT, Ctrl-C",
        3 => "SIGQUIT, Ctrl-\\",
        9 => "SIGKILL",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return None,
    })
}

impl fmt::Display for Exit {
    /// The line of the `exit status` channel: `0`, `killed by signal 2
    /// (SIGINT, Ctrl-C)`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Signal(signal) => match signal_name(*signal) {
                Some(name) => write!(f, "killed by signal {signal} ({name})"),
                None => write!(f, "killed by signal {signal}"),
            },
            Self::TimedOut(after) => write!(
                f,
                "killed by compare after {}s (timeout)",
                after.as_secs_f64()
            ),
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
    /// What its output says that changes from machine to machine, and
    /// the word shown instead.
    texts: Vec<(String, String)>,
}

impl Job {
    /// The original `name` (`inet_01.py`) of `setup`'s folder, under the
    /// shim: `CMD SHIM ORIGINAL`. Add its arguments with [`Job::args`],
    /// the mocks' addresses with [`Job::env`] (`INET_COMPARE_*`, see
    /// `shim.py`).
    ///
    /// In what it prints, the original's folder is dropped (a traceback
    /// then names `inet_03.py`, as when run from its folder) and Python's
    /// own folder is `PYTHON`: both depend on the machine.
    pub fn original(setup: &Setup, name: &str) -> Job {
        let mut job = Job::new(setup.python.command.iter().map(OsString::from));
        let path = setup.folder.join(name);
        let path = std::path::absolute(&path).unwrap_or(path);
        if let Some(dir) = path.parent() {
            let dir = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
            job.texts.push((dir, String::new()));
        }
        if let Some(found) = &setup.found {
            job.texts.push((found.prefix.clone(), "PYTHON".into()));
        }
        // The shim's path is only known once the temp dir exists: `spawn`
        // inserts it before the original.
        job.original = Some(path);
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

    /// Any other command (`CMD ARGS...`): the Python probe, tests.
    pub fn new(command: impl IntoIterator<Item = OsString>) -> Job {
        Job {
            command: command.into_iter().collect(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            keep_stdin: false,
            files: Vec::new(),
            timeout: super::setup::DEFAULT_TIMEOUT,
            original: None,
            texts: Vec::new(),
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

    /// How long it may run before it is killed.
    pub fn timeout(mut self, timeout: Duration) -> Job {
        self.timeout = timeout;
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
            command.push(shim.into_os_string());
            command.push(original.clone().into_os_string());
            ready = Some(dir.path().join("ready"));
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
            cmd.env("INET_COMPARE_NOTES", dir.path().join("notes"));
        }
        let child = cmd.spawn().map_err(|e| match &self.original {
            Some(_) => CompareError::PythonNotFound(
                self.command[0].to_string_lossy().into_owned(),
                e,
            ),
            None => CompareError::Io(format!(
                "cannot run {}: {e}",
                Path::new(program).display()
            )),
        })?;
        Ok(Running::new(child, self, dir, ready))
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
    /// How many of the two output streams have closed.
    closed: usize,
    deadline: Instant,
    timeout: Duration,
    ready: Option<PathBuf>,
    texts: Vec<(String, String)>,
}

impl Running {
    fn new(
        mut child: Child,
        job: Job,
        dir: TempDir,
        ready: Option<PathBuf>,
    ) -> Running {
        let (done_tx, done) = mpsc::channel();
        let stdout = capture(child.stdout.take(), MAX_OUTPUT, done_tx.clone());
        let stderr = capture(child.stderr.take(), MAX_OUTPUT, done_tx);
        let mut stdin = child.stdin.take();
        if let Some(mut pipe) = stdin.take() {
            let text = job.stdin;
            if job.keep_stdin {
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
        Running {
            child: Reaped {
                child,
                waited: false,
            },
            dir,
            stdin,
            stdout,
            stderr,
            done,
            closed: 0,
            deadline: Instant::now() + job.timeout,
            timeout: job.timeout,
            ready,
            texts: job.texts,
        }
    }

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

    /// Waits at most `timeout` for the program to end, as its two output
    /// streams closing tells. Returns whether it ended.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.closed < 2 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.done.recv_timeout(left) {
                Ok(()) => self.closed += 1,
                Err(_) => return false,
            }
        }
        true
    }

    /// Sends the program the signal `name` (`INT`, as Ctrl-C does in a
    /// terminal; `QUIT`, as Ctrl-\ does) with the system's `kill`
    /// command: std can send no other signal than SIGKILL.
    ///
    /// # Errors
    /// When it has already been reaped (its process id may be someone
    /// else's now), or `kill` fails.
    pub fn signal(&mut self, name: &str) -> Result<(), String> {
        if self.child.waited {
            return Err("it has ended".into());
        }
        let pid = self.child.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("kill -{name} {pid}: {status}")),
            Err(e) => Err(format!("cannot run kill: {e}")),
        }
    }

    /// Waits for the program to end: both output streams closed, then
    /// its exit status. Past the job's timeout it is killed, and its exit
    /// is [`Exit::TimedOut`].
    ///
    /// # Errors
    /// [`CompareError::Shim`] when an original did not get past the
    /// shim (the wrong Python, or one that failed to start).
    pub fn wait(mut self) -> Result<Finished, CompareError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if self.wait_for_exit(left) {
            return self.end(None);
        }
        let timeout = self.timeout;
        self.end(Some(Exit::TimedOut(timeout)))
    }

    /// Stops a program that would run forever (a server), and collects
    /// what it did; its exit is [`Exit::Stopped`] unless it had already
    /// ended by itself (or is ending: its output has closed).
    ///
    /// # Errors
    /// As [`Running::wait`].
    pub fn stop(mut self) -> Result<Finished, CompareError> {
        match self.closed == 2 || self.has_ended() {
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
            self.wait_for_exit(GRACE);
        }
        let notes = std::fs::read_to_string(self.dir.path().join("notes"))
            .unwrap_or_default();
        let finished = Finished {
            stdout: taken(&self.stdout),
            stderr: taken(&self.stderr),
            exit: forced.unwrap_or(Exit::of(status)),
            notes: notes.lines().map(str::to_owned).collect(),
            texts: self.texts,
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

/// What a stream captured, and a note of what was not kept.
fn taken(shared: &Shared) -> Vec<u8> {
    let c = lock(shared);
    let mut bytes = c.bytes.clone();
    if c.dropped > 0 {
        let note = format!("\n[compare: {} more bytes not kept]\n", c.dropped);
        bytes.extend_from_slice(note.as_bytes());
    }
    bytes
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
    /// What the shim had to do to run an original (its notes file).
    pub notes: Vec<String>,
    /// What is shown otherwise in its output ([`Job::original`]).
    texts: Vec<(String, String)>,
    /// Its temp dir; its working directory is `work` inside.
    pub dir: TempDir,
}

impl Finished {
    /// The program's working directory, where it wrote its files.
    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// `normaliser`, and what this program's output must have replaced
    /// too: its temp dir (`DIR`), the paths of [`Job::original`].
    pub fn normaliser(&self, normaliser: &Normaliser) -> Normaliser {
        let normaliser = normaliser
            .clone()
            .dir(&self.work_dir(), "DIR")
            .dir(self.dir.path(), "DIR");
        self.texts
            .iter()
            .fold(normaliser, |n, (text, word)| n.text(text, word))
    }

    /// The usual three channels, `stdout`, `stderr` and `exit status`,
    /// normalised ([`Finished::normaliser`]), with the shim's notes. Add
    /// the mock's channels with [`Side::channel`] / [`Side::bytes`].
    pub fn side(&self, normaliser: &Normaliser) -> Side {
        let normaliser = self.normaliser(normaliser);
        let stderr = normaliser.lines(&self.stderr);
        let mut side = Side::new()
            .bytes("stdout", &self.stdout, &normaliser)
            .channel("stderr", without_shim_frames(&stderr))
            .channel("exit status", vec![self.exit.to_string()]);
        side.notes = self.notes.clone();
        side
    }
}

/// Helpers for the tests of the modules that run jobs.
#[cfg(test)]
pub mod testing {
    use super::{Job, Running};

    /// `sh -c script`, started.
    pub fn sh(script: &str) -> Running {
        Job::new(["sh".into()])
            .args(["-c", script])
            .spawn()
            .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::sh;
    use super::*;

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
    fn a_side_has_the_three_usual_channels() {
        let finished = sh("echo out; exit 3").wait().unwrap();
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

    #[test]
    fn a_signal_ends_a_program_and_its_exit_says_which() {
        let mut running = sh("exec sleep 30");
        assert!(!running.wait_for_exit(Duration::from_millis(20)));
        running.signal("INT").unwrap();
        assert!(running.wait_for_exit(Duration::from_secs(5)));
        let finished = running.wait().unwrap();
        assert_eq!(finished.exit, Exit::Signal(2));
        assert_eq!(
            finished.exit.to_string(),
            "killed by signal 2 (SIGINT, Ctrl-C)"
        );
    }

    #[test]
    fn a_program_that_was_reaped_is_never_signalled() {
        let mut running = sh("exit 0");
        running.child.wait().unwrap();
        assert_eq!(running.signal("INT"), Err("it has ended".into()));
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

    #[test]
    fn what_the_original_s_paths_are_shown_as() {
        let mut finished = sh("echo '  File \"/o/inet_03.py\", line 1'; \
                               echo '  File \"/py/lib/x.py\"'")
        .wait()
        .unwrap();
        finished.texts = vec![
            ("/o/".into(), String::new()),
            ("/py".into(), "PYTHON".into()),
        ];
        let side = finished.side(&Normaliser::new());
        assert_eq!(
            side.lines("stdout"),
            [
                "  File \"inet_03.py\", line 1",
                "  File \"PYTHON/lib/x.py\""
            ]
        );
    }
}
