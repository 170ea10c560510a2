//! The log of a `mock-*` program: a line per session, request or
//! question on standard output, written so that no client ever waits for
//! it.
//!
//! Standard output may be a pipe that nobody reads once the first line
//! is in (a test harness that wanted only the port), a terminal that is
//! scrolled back, or a file on a full disk. A session that printed its
//! own line would then block in `write`, with its client waiting for a
//! greeting or for the close. So sessions only queue their lines, and
//! one writer, the program's main thread, writes them:
//!
//! ```text
//! sessions --line()--> [ queue: at most MAX_PENDING bytes ] --> writer --> stdout
//!                          past that: counted, not kept
//! ```
//!
//! When the writer is stuck, the queue fills; the lines past it are
//! dropped and counted, and once output moves again the log says how
//! many (`log: 12 lines dropped: standard output was too slow`), right
//! after the lines that were queued before them. A standard output that
//! is closed ends the log, never the program: the mock serves on.

use crate::waitable::Waitable;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

/// The most bytes of log lines waiting for the writer. The writer holds
/// as many again while it writes, so the log never holds more than twice
/// this, however long standard output stays stuck.
pub const MAX_PENDING: usize = 256 * 1024;

/// How long the writer waits for a line before it looks again (it is
/// woken at once when one comes; this only bounds a wait in std).
const IDLE_WAIT: Duration = Duration::from_secs(60);

/// The writer's pause after each write: the lines logged meanwhile go
/// out together in the next. A lone line still goes out at once, but a
/// busy server (under smtp-source, three lines per message and thousands
/// of messages a second) then costs a write, and a wake-up of the
/// writer, per millisecond instead of per line.
const BATCH_PAUSE: Duration = Duration::from_millis(1);

/// A program's log: cheap to clone, one clone per hook that logs.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pending: Arc<Waitable<Pending>>,
}

/// The lines waiting for the writer, and what happened to the others.
#[derive(Debug, Default)]
struct Pending {
    /// Whole lines, each ending in `\n`.
    text: String,
    /// Lines dropped since the writer last took `text`: every one came
    /// after the lines in `text`, so the note goes after them.
    dropped: u64,
    /// Standard output failed: lines are no longer kept.
    closed: bool,
}

impl Pending {
    /// Lines, or a count of dropped ones, for the writer to write.
    fn has_news(&self) -> bool {
        !self.text.is_empty() || self.dropped > 0
    }
}

impl Log {
    /// An empty log; lines wait until [`write_to`](Self::write_to) runs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `line` (without its newline) for the writer. Never waits
    /// for output: past [`MAX_PENDING`] bytes waiting, the line is
    /// counted as dropped instead.
    pub fn line(&self, line: &str) {
        let mut pending = self.pending.lock();
        if pending.closed {
            return;
        }
        // Only the first line into an empty queue can find the writer
        // waiting; after it, the writer has news already.
        let first = !pending.has_news();
        if pending.text.len() + line.len() < MAX_PENDING {
            pending.text.push_str(line);
            pending.text.push('\n');
        } else {
            pending.dropped += 1;
        }
        drop(pending);
        if first {
            self.pending.notify();
        }
    }

    /// Writes the queued lines to `out` as they come, on the calling
    /// thread, each batch in one write and flushed at once (a reader may
    /// be waiting for a line), at most one batch a millisecond (`BATCH_PAUSE`).
    /// Returns only when `out` fails (standard output closed); the lines
    /// logged after that are thrown away.
    pub fn write_to(&self, mut out: impl Write) -> io::Error {
        let mut batch = String::new();
        loop {
            self.take(&mut batch);
            let written =
                out.write_all(batch.as_bytes()).and_then(|()| out.flush());
            if let Err(err) = written {
                self.close();
                return err;
            }
            std::thread::sleep(BATCH_PAUSE);
        }
    }

    /// Stops keeping lines: there is nowhere left to write them.
    pub fn close(&self) {
        let mut pending = self.pending.lock();
        pending.closed = true;
        pending.text = String::new();
    }

    /// Waits for lines, then moves them into `batch` (emptied first),
    /// with the note of the lines dropped after them, if any.
    fn take(&self, batch: &mut String) {
        batch.clear();
        while !self.pending.wait_until(IDLE_WAIT, Pending::has_news) {}
        let mut pending = self.pending.lock();
        // Swapped, not copied: the queue gets the writer's empty buffer,
        // and neither is ever allocated afresh.
        std::mem::swap(batch, &mut pending.text);
        let dropped = std::mem::take(&mut pending.dropped);
        drop(pending);
        if dropped > 0 {
            batch.push_str(&dropped_note(dropped));
        }
    }
}

/// The line that says how many lines were dropped.
fn dropped_note(dropped: u64) -> String {
    format!("log: {dropped} lines dropped: standard output was too slow\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    /// A `Write` that hands each flushed batch to the test, or fails
    /// once the test stops listening (a closed standard output).
    struct Flushed {
        pending: Vec<u8>,
        seen: mpsc::SyncSender<String>,
    }

    impl Write for Flushed {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            let text = String::from_utf8(std::mem::take(&mut self.pending));
            self.seen
                .send(text.unwrap())
                .map_err(|_| io::ErrorKind::BrokenPipe.into())
        }
    }

    const WAIT: Duration = Duration::from_secs(5);

    /// Starts a writer on `log` whose output the test reads through the
    /// returned channel; a rendezvous channel, so a writer blocks in
    /// `flush` until the test takes the batch, as on a full pipe.
    fn writer(log: &Log) -> (mpsc::Receiver<String>, thread::JoinHandle<()>) {
        let (seen, batches) = mpsc::sync_channel(0);
        let log = log.clone();
        let out = Flushed {
            pending: Vec::new(),
            seen,
        };
        let thread = thread::spawn(move || {
            log.write_to(out);
        });
        (batches, thread)
    }

    #[test]
    fn lines_come_out_whole_and_in_order() {
        let log = Log::new();
        let (batches, _writer) = writer(&log);
        let mut out = String::new();
        for n in 0..100 {
            log.line(&format!("line {n}"));
        }
        while out.lines().count() < 100 {
            out.push_str(&batches.recv_timeout(WAIT).unwrap());
        }
        let expected: String =
            (0..100).map(|n| format!("line {n}\n")).collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn a_stuck_output_drops_and_counts_lines_after_those_queued() {
        let log = Log::new();
        let line = "x".repeat(1000);
        // No writer yet: as stuck as an output can be. Logging never
        // waits, and the queue stays within its bound.
        let total = 3 * MAX_PENDING / 1000;
        for _ in 0..total {
            log.line(&line);
        }
        let queued = log.pending.lock().text.len();
        assert!(queued < MAX_PENDING, "{queued} bytes queued");
        let (batches, _writer) = writer(&log);
        let batch = batches.recv_timeout(WAIT).unwrap();
        let (kept, note) = batch.split_at(queued);
        assert!(kept.lines().all(|l| l == line));
        let dropped = total - kept.lines().count();
        assert!(dropped > 0);
        let expected = format!(
            "log: {dropped} lines dropped: standard output was too slow\n"
        );
        assert_eq!(note, expected);
        // The count starts again from zero.
        log.line("after");
        assert_eq!(batches.recv_timeout(WAIT).unwrap(), "after\n");
    }

    #[test]
    fn a_closed_output_ends_the_writer_and_the_keeping() {
        let log = Log::new();
        let (batches, writer) = writer(&log);
        drop(batches); // the reader is gone: the next flush fails
        log.line("into the void");
        writer.join().unwrap();
        log.line("kept nowhere");
        let pending = log.pending.lock();
        assert!(pending.closed && pending.text.is_empty());
    }
}
