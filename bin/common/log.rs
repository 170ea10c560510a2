//! The servers' log (`echo-server`, `tcp-server`): every line answered
//! or received is logged, as the originals do, without making any client
//! wait for it, in bounded memory.
//!
//! Written straight to standard output, each log line costs the client's
//! thread a system call, made while holding a lock on standard output:
//! with 16 clients or more, threads queue for that lock, and the server
//! answered a third of what the same server without a log does
//! (`benches/echo.rs`). So a client's thread only copies its line into
//! a buffer, under a lock held for that copy alone, and the log's own
//! thread takes the whole buffer every [`BATCH_DELAY`] and writes it in
//! one call.
//!
//! The buffer holds at most [`MAX_PENDING`] bytes. When lines come
//! faster than standard output takes them (a flood of lines, a pipe
//! nobody reads), the lines that don't fit are dropped and counted, and
//! the log says how many. The other way, backpressure, would make each
//! client wait until its line is written: then a slow reader of our
//! standard output would slow down every client, and one that stops
//! reading would stop the service. The log is ours to bound; the
//! clients' service is not ours to stop. So the log holds at most two
//! buffers (one filling, one being written), 2 MiB, whatever the
//! clients send and however slow the output is. And when the program
//! ends, it waits for the last lines [`FINISH_WAIT`] at most: an output
//! nobody reads must not keep it from ending either.
//!
//! Lesson: `lessons/05-echo.md`.

use std::io::{self, Write};
use std::mem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How long lines gather before a batch is written: short for a person
/// watching the log, long enough that a busy server writes thousands of
/// lines per system call.
pub const BATCH_DELAY: Duration = Duration::from_millis(10);

/// The most bytes of lines waiting to be written. Far more than a busy
/// server logs in [`BATCH_DELAY`] (about 100 KiB at 300,000 lines a
/// second): lines are dropped only when the output falls behind.
pub const MAX_PENDING: usize = 1024 * 1024;

/// How long [`Log::finish`] waits for the last lines to be written.
pub const FINISH_WAIT: Duration = Duration::from_secs(1);

/// The log: where client threads put their lines, shared with the
/// thread that writes them.
pub struct Log {
    shared: Arc<Shared>,
}

/// The lines waiting, a signal for the writer that some came, and one
/// for [`Log::finish`] that the writer is done.
struct Shared {
    pending: Mutex<Pending>,
    lines_came: Condvar,
    all_written: Condvar,
}

/// Lines waiting to be written, how many did not fit, and where the log
/// is in its life.
struct Pending {
    bytes: Vec<u8>,
    dropped: u64,
    open: bool,
    written: bool,
}

impl Log {
    /// Starts the log's thread, writing to `out`.
    ///
    /// # Errors
    /// When the thread can't start.
    pub fn start(out: impl Write + Send + 'static) -> io::Result<Log> {
        let pending = Pending {
            bytes: Vec::with_capacity(MAX_PENDING),
            dropped: 0,
            open: true,
            written: false,
        };
        let shared = Arc::new(Shared {
            pending: Mutex::new(pending),
            lines_came: Condvar::new(),
            all_written: Condvar::new(),
        });
        thread::Builder::new().name("log-writer".into()).spawn({
            let shared = Arc::clone(&shared);
            move || shared.write_batches(out)
        })?;
        Ok(Log { shared })
    }

    // ANCHOR: add_line
    /// Adds the line joined from `parts`, and its newline, to the next
    /// batch, or counts it as dropped when the batch is full. It never
    /// waits for the output.
    pub fn line(&self, parts: &[&str]) {
        let len: usize = parts.iter().map(|part| part.len()).sum();
        let mut pending = self.shared.lock();
        let was_empty = pending.is_empty();
        if pending.bytes.len() + len < MAX_PENDING {
            for part in parts {
                pending.bytes.extend_from_slice(part.as_bytes());
            }
            pending.bytes.push(b'\n');
        } else {
            pending.dropped += 1;
        }
        drop(pending);
        // Only a writer with nothing to write waits for this signal.
        if was_empty {
            self.shared.lines_came.notify_one();
        }
    }
    // ANCHOR_END: add_line

    /// Writes the lines still waiting, and ends the log's thread; gives
    /// up after [`FINISH_WAIT`] if the output takes none.
    pub fn finish(self) {
        self.finish_within(FINISH_WAIT);
    }

    /// [`finish`](Self::finish), giving up after `wait`.
    pub fn finish_within(self, wait: Duration) {
        let mut pending = self.shared.lock();
        pending.open = false;
        self.shared.lines_came.notify_one();
        let unwritten = |p: &mut Pending| !p.written;
        let all_written = &self.shared.all_written;
        let _ = all_written.wait_timeout_while(pending, wait, unwritten);
    }
}

impl Pending {
    /// No line waits, written or dropped.
    fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.dropped == 0
    }
}

impl Shared {
    // ANCHOR: write_batches
    /// Waits for lines, lets them gather for [`BATCH_DELAY`], and writes
    /// them in one call, until the log is finished. A failed write
    /// (standard output closed) loses the log, not the server: there is
    /// nowhere better to report it.
    fn write_batches(&self, mut out: impl Write) {
        let mut batch = Vec::with_capacity(MAX_PENDING);
        loop {
            let open = self.wait_for_lines();
            if open {
                thread::sleep(BATCH_DELAY); // the batch gathers meanwhile
            }
            self.take(&mut batch);
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            if !open {
                self.lock().written = true;
                self.all_written.notify_one();
                return;
            }
        }
    }

    /// Waits until some lines are waiting, or the log is finished;
    /// returns whether it is still open.
    fn wait_for_lines(&self) -> bool {
        let idle = |p: &mut Pending| p.is_empty() && p.open;
        let pending = self.lines_came.wait_while(self.lock(), idle);
        pending.unwrap_or_else(PoisonError::into_inner).open
    }

    /// Swaps the waiting lines into `batch` (whose old bytes the next
    /// lines reuse), and adds how many lines were dropped, if any.
    fn take(&self, batch: &mut Vec<u8>) {
        batch.clear();
        let mut pending = self.lock();
        mem::swap(&mut pending.bytes, batch);
        let dropped = mem::take(&mut pending.dropped);
        drop(pending);
        if dropped > 0 {
            let why = "standard output was too slow";
            let _ = writeln!(batch, "log: {dropped} lines dropped: {why}");
        }
    }
    // ANCHOR_END: write_batches

    /// The lock. A client's thread that finds it taken sleeps until it is
    /// free (std's `Mutex` spins a little first); it is held for the copy
    /// of one line, so that is rare and short. A thread that panicked while
    /// holding it left whole lines behind: the log goes on.
    ///
    /// Why not spin on `try_lock` and `yield_now` instead, never sleeping?
    /// A yielding thread stays runnable, and the scheduler then serves
    /// some clients much more often than others: with 16 clients, the
    /// slowest round trip in a hundred took 1.8 ms instead of 0.2 ms, and
    /// the server answered fewer lines per second (`benches/echo.rs`).
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, Receiver, Sender};

    fn lines(count: usize) -> Vec<String> {
        (0..count)
            .map(|n| format!("client 127.0.0.1 : line {n}"))
            .collect()
    }

    /// A `Write` whose bytes are seen once flushed, each flush on a
    /// channel, so a test waits on it instead of sleeping; and whose
    /// first `write` waits until `go` says so, as a stalled standard
    /// output would.
    struct Output {
        pending: Vec<u8>,
        flushed: Sender<Vec<u8>>,
        go: Option<Receiver<()>>,
    }

    fn output(stalled: bool) -> (Output, Receiver<Vec<u8>>, Sender<()>) {
        let (flushed, seen) = mpsc::channel();
        let (go, wait) = mpsc::channel();
        let go_first = stalled.then_some(wait);
        let out = Output {
            pending: Vec::new(),
            flushed,
            go: go_first,
        };
        (out, seen, go)
    }

    impl Write for Output {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if let Some(go) = self.go.take() {
                let _ = go.recv();
            }
            self.pending.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            let _ = self.flushed.send(mem::take(&mut self.pending));
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_whole_and_in_order() {
        let (out, seen, _go) = output(false);
        let log = Log::start(out).unwrap();
        for line in lines(1_000) {
            log.line(&[&line]);
        }
        log.finish();
        let written: Vec<u8> = seen.try_iter().flatten().collect();
        let expected: String =
            lines(1_000).iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }

    /// An output that never takes a byte can't keep the program from
    /// ending: `finish` gives up on the last lines after a while.
    #[test]
    fn finish_gives_up_on_an_output_that_takes_nothing() {
        let (out, _seen, _never) = output(true);
        let log = Log::start(out).unwrap();
        log.line(&["stuck"]);
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            log.finish_within(Duration::from_millis(10));
            let _ = done.send(());
        });
        let wait = Duration::from_secs(5);
        assert!(finished.recv_timeout(wait).is_ok(), "finish never returned");
    }

    #[test]
    fn each_batch_is_flushed_while_the_server_runs() {
        // Standard output may be a pipe or a file with its own buffer: a
        // line the log holds back is a line the reader never sees.
        let (out, seen, _go) = output(false);
        let log = Log::start(out).unwrap();
        for line in ["first", "second", "third"] {
            log.line(&[line]);
            let wait = Duration::from_secs(5);
            let batch = seen.recv_timeout(wait).expect("a flush");
            assert_eq!(batch, format!("{line}\n").into_bytes());
        }
        log.finish();
    }

    /// A flood of lines, without sockets: the output stalls on its first
    /// batch while ten times the bound of lines come. The log holds no
    /// more than its bound meanwhile, drops the rest, and says how many.
    #[test]
    fn a_stalled_output_bounds_the_log_and_the_dropped_lines_are_counted() {
        let (out, seen, go) = output(true);
        let log = Log::start(out).unwrap();
        log.line(&["first"]);
        let count = 10 * MAX_PENDING / 32;
        let line = "x".repeat(31);
        for _ in 0..count {
            log.line(&[&line]);
            let pending = log.shared.lock().bytes.len();
            assert!(pending <= MAX_PENDING, "{pending} bytes waiting");
        }
        let _ = go.send(());
        log.finish();
        let written: Vec<u8> = seen.try_iter().flatten().collect();
        let text = String::from_utf8(written).unwrap();
        assert!(text.starts_with("first\n"), "{}", &text[..20]);
        // Each batch ends with a note of the lines dropped while it
        // filled: every line is either written or counted.
        let kept = text.lines().filter(|l| *l == line).count();
        let dropped: usize = (text.lines())
            .filter_map(|l| l.strip_prefix("log: "))
            .map(|l| l.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert!(kept > 0 && dropped > 0, "{kept} kept, {dropped} dropped");
        assert_eq!(kept + dropped, count);
        assert!(text.ends_with("standard output was too slow\n"));
    }
}
