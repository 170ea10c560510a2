//! `echo-server`'s log: every line answered is logged, as the original
//! does, without making any client wait for it.
//!
//! Written straight to standard output, each log line costs the client's
//! thread a system call, made while holding a lock on standard output:
//! with 16 clients or more, threads queue for that lock, and the server
//! answered a third of what the same server without a log does
//! (`benches/echo.rs`). So the client threads only hand their lines
//! over, through a channel (no lock to wait for), and two threads of
//! the log's own write them:
//!
//! - the *gatherer* collects the lines that arrive within
//!   [`BATCH_DELAY`] into one batch, of at most [`MAX_BATCH`] bytes;
//! - the *writer* writes each batch in one call.
//!
//! When standard output can't keep up (a pipe nobody reads), batches
//! wait, and past three of them lines are dropped and counted, and the
//! log says so: a stalled output must not stall the clients.
//!
//! Lesson: `lessons/05-echo.md`.

use std::io::{self, Write};
use std::sync::mpsc::{
    self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError,
};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long lines gather before a batch is written: short for a person
/// watching the log, long enough that a busy server writes hundreds of
/// lines per system call.
pub const BATCH_DELAY: Duration = Duration::from_millis(10);

/// The largest batch, in bytes. The gatherer holds one, the writer one,
/// and one more waits between them: the log never holds more than three.
pub const MAX_BATCH: usize = 1024 * 1024;

/// The log's two threads; [`finish`](Log::finish) writes what is left.
pub struct Log {
    gatherer: JoinHandle<()>,
    writer: JoinHandle<()>,
}

/// Starts the log threads, writing to `out`; returns where to send the
/// lines to log.
///
/// # Errors
/// When a thread can't start.
pub fn start(
    out: impl Write + Send + 'static,
) -> io::Result<(Sender<String>, Log)> {
    let (sender, lines) = mpsc::channel();
    let (batches, to_write) = mpsc::sync_channel(1);
    let writer = thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || write_batches(&to_write, out))?;
    let gatherer = thread::Builder::new()
        .name("log-gatherer".into())
        .spawn(move || gather(&lines, &batches, MAX_BATCH))?;
    Ok((sender, Log { gatherer, writer }))
}

impl Log {
    /// Waits until every line is written. Drop every sender of lines
    /// first: the log ends when the last one goes.
    pub fn finish(self) {
        let _ = self.gatherer.join();
        let _ = self.writer.join();
    }
}

// ANCHOR: gather
/// Collects lines into batches and hands each to the writer; a batch
/// the writer can't take yet keeps growing, up to `max_batch` bytes.
fn gather(
    lines: &Receiver<String>,
    batches: &SyncSender<Vec<u8>>,
    max_batch: usize,
) {
    let mut batch = Batch::new(max_batch);
    loop {
        // Nothing waiting: sleep until a line comes. A batch waiting
        // for the writer: try it again soon, even if no line comes.
        let received = if batch.is_empty() {
            lines.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            lines.recv_timeout(BATCH_DELAY)
        };
        match received {
            Ok(line) => {
                batch.add(&line);
                thread::sleep(BATCH_DELAY); // the batch gathers meanwhile
                lines.try_iter().for_each(|line| batch.add(&line));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break, // no sender left
        }
        match batches.try_send(batch.take()) {
            Ok(()) => {}
            Err(TrySendError::Full(bytes)) => batch.put_back(bytes),
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
    let _ = batches.send(batch.take()); // the last lines: wait for room
}

/// Writes each batch in one call. A failed write (standard output
/// closed) loses the log, not the server: there is nowhere better to
/// report it.
fn write_batches(batches: &Receiver<Vec<u8>>, mut out: impl Write) {
    for batch in batches {
        let _ = out.write_all(&batch).and_then(|()| out.flush());
    }
}
// ANCHOR_END: gather

/// Log lines waiting to be written, and how many did not fit.
struct Batch {
    bytes: Vec<u8>,
    dropped: u64,
    max: usize,
}

impl Batch {
    fn new(max: usize) -> Batch {
        Batch {
            bytes: Vec::new(),
            dropped: 0,
            max,
        }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.dropped == 0
    }

    /// Adds `line` and its newline, or counts it if it doesn't fit.
    fn add(&mut self, line: &str) {
        if self.bytes.len() + line.len() < self.max {
            self.bytes.extend_from_slice(line.as_bytes());
            self.bytes.push(b'\n');
        } else {
            self.dropped += 1;
        }
    }

    /// The batch's bytes, ending with how many lines were dropped, if
    /// any; the batch starts again empty.
    fn take(&mut self) -> Vec<u8> {
        if self.dropped > 0 {
            let dropped = std::mem::take(&mut self.dropped);
            let note = format!(
                "log: {dropped} lines dropped: standard output was too slow\n"
            );
            self.bytes.extend_from_slice(note.as_bytes());
        }
        std::mem::take(&mut self.bytes)
    }

    /// Bytes the writer could not take yet: they stay first in line.
    fn put_back(&mut self, bytes: Vec<u8>) {
        self.bytes = bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A `Write` that keeps everything written, shared with the test.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);

    impl Write for Kept {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn lines(count: usize) -> Vec<String> {
        (0..count)
            .map(|n| format!("client 127.0.0.1 : line {n}"))
            .collect()
    }

    #[test]
    fn every_line_is_written_whole_and_in_order() {
        let kept = Kept::default();
        let (sender, log) = start(kept.clone()).unwrap();
        for line in lines(1_000) {
            sender.send(line).unwrap();
        }
        drop(sender);
        log.finish();
        let expected: String =
            lines(1_000).iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(
            String::from_utf8(kept.0.lock().unwrap().clone()).unwrap(),
            expected
        );
    }

    #[test]
    fn a_batch_is_bounded_and_says_how_many_lines_it_dropped() {
        const MAX: usize = 1_000;
        let (sender, lines_in) = mpsc::channel();
        // 1,000 lines, about 30 KB, all sent before the gatherer starts:
        // its first batch meets them all, and can hold 1,000 bytes.
        for line in lines(1_000) {
            sender.send(line).unwrap();
        }
        drop(sender);
        let (batches, to_write) = mpsc::sync_channel(1);
        let gatherer = thread::spawn(move || gather(&lines_in, &batches, MAX));
        let first = to_write.recv_timeout(Duration::from_secs(5)).unwrap();
        let rest: Vec<Vec<u8>> = to_write.iter().collect();
        gatherer.join().unwrap();
        let first = String::from_utf8(first).unwrap();
        let (kept, note) = first.split_at(first.find("log: ").unwrap());
        assert!(kept.len() < MAX, "{} bytes", kept.len());
        assert!(kept.starts_with("client 127.0.0.1 : line 0\n"), "{kept}");
        let kept_lines = kept.lines().count();
        let dropped = 1_000 - kept_lines;
        let expected = format!(
            "log: {dropped} lines dropped: standard output was too slow\n"
        );
        assert_eq!(note, expected);
        assert!(rest.iter().all(Vec::is_empty), "nothing after the note");
    }

    /// A `Write` whose bytes are seen only once flushed; each flush says
    /// so on a channel, so the test waits on it instead of sleeping.
    struct Flushed {
        pending: Vec<u8>,
        seen: mpsc::Sender<Vec<u8>>,
    }

    impl Write for Flushed {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            let _ = self.seen.send(std::mem::take(&mut self.pending));
            Ok(())
        }
    }

    #[test]
    fn each_batch_is_flushed_while_the_server_runs() {
        // Standard output may be a pipe or a file with its own buffer: a
        // line the log holds back is a line the reader never sees.
        let (seen, flushed) = mpsc::channel();
        let out = Flushed {
            pending: Vec::new(),
            seen,
        };
        let (sender, log) = start(out).unwrap();
        for line in ["first", "second", "third"] {
            sender.send(line.to_owned()).unwrap();
            let wait = Duration::from_secs(5);
            let batch = flushed.recv_timeout(wait).expect("a flush");
            assert_eq!(batch, format!("{line}\n").into_bytes());
        }
        drop(sender);
        log.finish();
    }

    #[test]
    fn a_batch_the_writer_cannot_take_yet_is_kept_and_written_last() {
        // A rendezvous channel, polled with `try_recv` only: no receiver
        // ever waits in `recv`, so every `try_send` of the gatherer finds
        // the writer busy. The lines must stay in the batch, and go out
        // with the blocking send at the end.
        let (sender, lines_in) = mpsc::channel();
        let (batches, to_write) = mpsc::sync_channel(0);
        let gatherer =
            thread::spawn(move || gather(&lines_in, &batches, MAX_BATCH));
        for line in lines(3) {
            sender.send(line).unwrap();
        }
        drop(sender);
        let give_up = std::time::Instant::now() + Duration::from_secs(5);
        let mut written = Vec::new();
        loop {
            match to_write.try_recv() {
                Ok(batch) => written.extend(batch),
                Err(mpsc::TryRecvError::Empty) => {
                    assert!(std::time::Instant::now() < give_up, "stuck");
                    thread::yield_now();
                }
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        }
        gatherer.join().unwrap();
        let expected: String =
            lines(3).iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }
}
