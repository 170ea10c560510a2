//! A `mock-*` program run by a test: started, its address read from its
//! first line, its output read line by line with a timeout, and killed
//! when dropped. (Shared by the test files that run a program.) Also
//! [`retry_interrupted`], for their raw socket reads.

use std::io::{self, BufRead, BufReader, ErrorKind};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

/// How long a test waits for a line the program should print.
const LINE_TIMEOUT: Duration = Duration::from_secs(5);

/// A running program; killed and reaped when dropped, pass or fail.
pub struct Program {
    child: Child,
    lines: Receiver<String>,
    /// Where it listens, from its first line, `listening on ADDR`.
    pub addr: SocketAddr,
}

impl Program {
    /// Starts `exe` with `args` and waits for its `listening on` line.
    pub fn start(exe: &str, args: &[&str]) -> Self {
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // A pipe has no read timeout, so a thread reads it and the test
        // waits on a channel with one.
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let first = next_line(&lines);
        let addr = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .parse()
            .unwrap();
        Self { child, lines, addr }
    }

    /// The next line the program prints, without its newline; panics if
    /// none comes in time, instead of hanging the test.
    pub fn next_line(&self) -> String {
        next_line(&self.lines)
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
