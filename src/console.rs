//! Where a server prints what it is doing.
//!
//! The Python servers `print` from many threads at once. Our servers write
//! to a [`Console`] instead: standard output for the programs, a channel
//! for tests and the tour, which can then wait for a given line rather
//! than sleep and hope. Each line is written whole, under a lock, so lines
//! from different threads never mix mid-line.

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

/// A cloneable handle on the place log lines go.
#[derive(Clone)]
pub struct Console {
    sink: Sink,
}

#[derive(Clone)]
enum Sink {
    Writer(Arc<Mutex<dyn Write + Send>>),
    Channel(Sender<String>),
}

impl Console {
    /// Lines go to standard output.
    pub fn stdout() -> Self {
        Self::writer(io::stdout())
    }

    /// Lines go to `w`.
    pub fn writer(w: impl Write + Send + 'static) -> Self {
        let sink = Sink::Writer(Arc::new(Mutex::new(w)));
        Console { sink }
    }

    /// Lines go to a channel; the receiver gets each line without its
    /// newline.
    pub fn channel() -> (Self, Receiver<String>) {
        let (tx, rx) = mpsc::channel();
        (
            Console {
                sink: Sink::Channel(tx),
            },
            rx,
        )
    }

    /// Prints one line. Errors are ignored on purpose: a server whose
    /// standard output was closed must go on serving its clients (and
    /// `println!` would panic there).
    ///
    /// Give it the `String` you built for it, not a borrow, and a line
    /// bound for a channel moves in whole instead of being copied: on a
    /// busy server that is one allocation and copy less per line.
    pub fn line(&self, text: impl AsRef<str> + Into<String>) {
        match &self.sink {
            Sink::Writer(w) => {
                let mut w = w.lock().unwrap_or_else(PoisonError::into_inner);
                let _ =
                    writeln!(w, "{}", text.as_ref()).and_then(|()| w.flush());
            }
            Sink::Channel(tx) => {
                let _ = tx.send(text.into());
            }
        }
    }
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.sink {
            Sink::Writer(_) => "writer",
            Sink::Channel(_) => "channel",
        };
        f.debug_struct("Console").field("sink", &kind).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_console_delivers_whole_lines() {
        let (console, lines) = Console::channel();
        console.line("client 127.0.0.1 : hi (Thread-1)");
        let got = lines.try_recv().unwrap();
        assert_eq!(got, "client 127.0.0.1 : hi (Thread-1)");
    }

    #[test]
    fn a_dropped_receiver_is_not_an_error() {
        let (console, lines) = Console::channel();
        drop(lines);
        console.line("nobody listens");
    }
}
