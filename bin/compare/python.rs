//! The Python side: the command that runs Python 2.7 and what it says of
//! itself ([`Python::probe`]), the shim loaded before each original, and
//! how a server original says which port it got ([`PortReport`]).
//!
//! An original runs **unmodified**: `python SHIM ORIGINAL ARGS...`, the
//! shim (`bin/compare/shim.py`, embedded in `compare`) replacing a few
//! functions of Python's `socket` module first (see its header). The
//! shim creates the file `INET_COMPARE_READY` names once it is in
//! place, and writes to `INET_COMPARE_NOTES` what it had to do to run the
//! original at all; [`super::job`] reads both.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use super::error::CompareError;
use super::job::{Finished, Job, Running};

/// The shim, as kept in the repository: written to each original's temp
/// dir at run time.
pub const SHIM: &str = include_str!("shim.py");

/// The shim's exit status when Python is not 2.7.
pub const EXIT_NOT_PYTHON_27: i32 = 97;

/// What the probe asks Python: its version and where it is installed
/// (`sys.prefix`: its tracebacks name files under it). Python 2 and 3
/// both run it, so a wrong Python says which it is.
const PROBE: &str = "import sys; sys.stdout.write('%d.%d.%d\\n%s\\n' \
                     % (sys.version_info[:3] + (sys.prefix,)))";

/// The longest the probe may take (a cold pyenv shim takes a moment).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The Python command: `python2.7` unless `--python CMD` says otherwise,
/// split on white space (`env PYENV_VERSION=2.7.18 python`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    /// The program, then its first arguments.
    pub command: Vec<String>,
}

/// A Python 2.7 the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its version: `2.7.18`.
    pub version: String,
    /// Where it is installed (`sys.prefix`).
    pub prefix: String,
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

    /// Asks the command which Python it is.
    ///
    /// # Errors
    /// Why it is no Python 2.7, in a few words: it can't be run, it
    /// failed (what it said), or it is another version.
    pub fn probe(&self) -> Result<Found, String> {
        let job = Job::new(self.command.iter().map(OsString::from))
            .args(["-c", PROBE])
            .timeout(PROBE_TIMEOUT);
        let finished = match job.run() {
            Ok(finished) => finished,
            Err(CompareError::Io(why)) => return Err(why),
            Err(e) => return Err(e.to_string()),
        };
        let said = String::from_utf8_lossy(&finished.stdout);
        let mut lines = said.lines();
        let (Some(version), Some(prefix)) = (lines.next(), lines.next()) else {
            let err = String::from_utf8_lossy(&finished.stderr);
            let first = err.lines().next().unwrap_or("no answer");
            return Err(format!(
                "`{self}` failed ({}): {first}",
                finished.exit
            ));
        };
        if version.starts_with("2.7.") {
            let (version, prefix) = (version.to_owned(), prefix.to_owned());
            Ok(Found { version, prefix })
        } else {
            Err(format!("`{self}` is Python {version}"))
        }
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
    use crate::job::testing::sh;
    use std::io::Write;

    #[test]
    fn the_shim_frames_leave_a_traceback() {
        let traceback: Vec<String> = [
            "Traceback (most recent call last):",
            "  File \"DIR/shim/shim.py\", line 272, in <module>",
            "    _main()",
            "  File \"DIR/shim/shim.py\", line 269, in _main",
            "    execfile(original, globals_)",
            "  File \"inet_01.py\", line 15, in <module>",
            "    c = socket.create_connection((\"x\", 80), 1)",
            "socket.error: [Errno 111] Connection refused",
        ]
        .map(String::from)
        .to_vec();
        let kept = without_shim_frames(&traceback);
        assert_eq!(kept.len(), 4, "{kept:?}");
        assert_eq!(kept[1], "  File \"inet_01.py\", line 15, in <module>");
    }

    #[test]
    fn the_python_command_is_split_on_white_space() {
        let p = Python::parse(" env  PYENV_VERSION=2.7.18 python ").unwrap();
        assert_eq!(p.command, ["env", "PYENV_VERSION=2.7.18", "python"]);
        assert!(Python::parse("  ").is_err());
    }

    /// The probe's answer from a "python" that is the shell `script`
    /// (run as `sh -c SCRIPT`, so no file is written and executed).
    #[cfg(unix)]
    fn probed(script: &str) -> Result<Found, String> {
        let command = ["sh", "-c", script, "sh"].map(String::from).to_vec();
        Python { command }.probe()
    }

    #[cfg(unix)]
    #[test]
    fn the_probe_says_which_python_or_why_none() {
        let found = probed("printf '2.7.18\\n/opt/py\\n'").unwrap();
        assert_eq!(found.version, "2.7.18");
        assert_eq!(found.prefix, "/opt/py");
        let three = probed("printf '3.11.7\\n/usr\\n'").unwrap_err();
        assert!(three.ends_with("is Python 3.11.7"), "{three}");
        let failed = probed("echo nope >&2; exit 127").unwrap_err();
        assert!(failed.contains("failed (127): nope"), "{failed}");
        let missing = Python::parse("/nonexistent/python2.7").unwrap().probe();
        assert!(missing.unwrap_err().contains("/nonexistent/python2.7"));
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
        assert_eq!(finished.exit.to_string(), "1", "its status is kept");
        let e = not_started(e, &finished).to_string();
        assert!(e.ends_with("; it said: no such module"), "{e}");
    }
}
