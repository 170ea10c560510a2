//! `tcp-server`'s log: its lines go to standard output from a thread of
//! their own, through a queue of at most [`MAX_WAITING`] lines. A
//! standard output that is slow, paused (Ctrl-S) or never read must not
//! stop a session: a client's reader would wait on it, the session loop
//! on the reader, and the server would serve nobody. So a line that finds
//! the queue full is dropped and counted, never waited for, and the count
//! is written when standard output moves again. (echo-server's log does
//! the same, in batches, for many clients at once.)

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The most lines waiting for standard output: with lines of at most
/// 64 KiB (the relay's limit), at most 16 MiB.
pub const MAX_WAITING: usize = 256;

/// How long [`Log::finish`] waits for the lines still queued: a standard
/// output nobody reads must not keep the program from ending.
pub const FINISH_WAIT: Duration = Duration::from_secs(1);

/// The log: a queue, the count of lines dropped since the last written,
/// and word from the writer that it is done (in a `Mutex` only so that
/// the log can be shared by the threads that write to it).
pub struct Log {
    queue: SyncSender<String>,
    dropped: Arc<AtomicU64>,
    written: Mutex<Receiver<()>>,
}

impl Log {
    /// Starts the thread that writes the lines to `out`.
    ///
    /// # Errors
    /// When the thread can't be started.
    pub fn start(mut out: impl Write + Send + 'static) -> io::Result<Log> {
        let (queue, lines) = mpsc::sync_channel::<String>(MAX_WAITING);
        let (done, written) = mpsc::channel();
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&dropped);
        thread::Builder::new().name("log".into()).spawn(move || {
            let say_dropped = |out: &mut dyn Write| {
                let n = counted.swap(0, Ordering::Relaxed);
                if n > 0 {
                    let why = "standard output was too slow";
                    let _ = writeln!(out, "log: {n} lines dropped: {why}");
                }
            };
            for line in lines {
                say_dropped(&mut out);
                let _ = writeln!(out, "{line}");
            }
            say_dropped(&mut out);
            let _ = done.send(());
        })?;
        let written = Mutex::new(written);
        Ok(Log {
            queue,
            dropped,
            written,
        })
    }

    /// Queues `line`, or counts it as dropped when the queue is full.
    pub fn line(&self, line: String) {
        if self.queue.try_send(line).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lets the lines still queued be written, for at most
    /// [`FINISH_WAIT`].
    pub fn finish(self) {
        drop(self.queue);
        if let Ok(written) = self.written.into_inner() {
            let _ = written.recv_timeout(FINISH_WAIT);
        }
    }
}
