//! Transcripts: every byte a program sent and received, in order.
//!
//! The chapter's programs print their conversations as `-->` (we sent) and
//! `<--` (we received) lines. A [`Transcript`] records the raw bytes with
//! their direction, so nothing is lost to decoding, and
//! [`Transcript::render`] prints them in that style. [`Recorded`] wraps a
//! stream and records whatever actually crosses it.
//!
//! The mock servers keep their own transcript type (in `inet-mocks`), so a
//! bug here cannot hide the same bug in a test's expectations.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::escape::escape;

/// Which way some bytes went, seen from our program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// We wrote them to the peer.
    Sent,
    /// We read them from the peer.
    Received,
}

impl Direction {
    /// The chapter's arrow for this direction.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Sent => "-->",
            Direction::Received => "<--",
        }
    }
}

/// One chunk: the bytes of one successful read or write call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which way the bytes went.
    pub direction: Direction,
    /// The bytes, exactly as they crossed the socket.
    pub bytes: Vec<u8>,
}

/// A shared, append-only record of a conversation. Cloning it is cheap and
/// every clone appends to the same record, so a reader thread and a writer
/// thread can both record into it.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    entries: Arc<Mutex<Vec<Entry>>>,
    discard: bool,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// A transcript that records nothing, for a program that never shows
    /// it: an interactive session may run for days.
    pub fn discard() -> Self {
        let discard = true;
        Transcript {
            discard,
            ..Self::default()
        }
    }

    /// Appends `bytes` (if any) going in `direction`.
    pub fn record(&self, direction: Direction, bytes: &[u8]) {
        if !bytes.is_empty() && !self.discard {
            let bytes = bytes.to_vec();
            self.lock().push(Entry { direction, bytes });
        }
    }

    /// A copy of every chunk recorded so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().clone()
    }

    /// Everything sent, concatenated.
    pub fn sent(&self) -> Vec<u8> {
        self.concat(Direction::Sent)
    }

    /// Everything received, concatenated.
    pub fn received(&self) -> Vec<u8> {
        self.concat(Direction::Received)
    }

    fn concat(&self, direction: Direction) -> Vec<u8> {
        let entries = self.lock();
        let chunks = entries.iter().filter(|e| e.direction == direction);
        chunks.flat_map(|e| e.bytes.iter().copied()).collect()
    }

    // ANCHOR: render
    /// The conversation as the chapter prints it: one `--> ` or `<-- `
    /// line per line of text. Consecutive chunks going the same way are
    /// joined first, since TCP's chunking is not the sender's framing. A
    /// line that ended without a line feed is marked `[no newline]`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (direction, run) in self.runs() {
            for line in run.split_inclusive(|&b| b == b'\n') {
                let text = crate::line::strip_terminator(line);
                let _ = write!(out, "{} {}", direction.arrow(), escape(text));
                if !line.ends_with(b"\n") {
                    out.push_str(" [no newline]");
                }
                out.push('\n');
            }
        }
        out
    }
    // ANCHOR_END: render

    /// Joins consecutive entries that go the same way.
    fn runs(&self) -> Vec<(Direction, Vec<u8>)> {
        let mut runs: Vec<(Direction, Vec<u8>)> = Vec::new();
        for entry in self.lock().iter() {
            match runs.last_mut() {
                Some((dir, run)) if *dir == entry.direction => {
                    run.extend_from_slice(&entry.bytes)
                }
                _ => runs.push((entry.direction, entry.bytes.clone())),
            }
        }
        runs
    }

    /// A panic in some other thread while it held the lock must not make
    /// the transcript unreadable: the entries are still valid.
    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A stream wrapper that records every byte read from it and written to
/// it. Only what really crossed is recorded: the bytes a `read` returned
/// and the part of a buffer a `write` accepted.
#[derive(Debug)]
pub struct Recorded<S> {
    inner: S,
    transcript: Transcript,
}

impl<S> Recorded<S> {
    /// Records the traffic of `inner` into `transcript`.
    pub fn new(inner: S, transcript: Transcript) -> Self {
        Recorded { inner, transcript }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }
}

impl<S: Read> Read for Recorded<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.transcript.record(Direction::Received, &buf[..n]);
        Ok(n)
    }
}

impl<S: Write> Write for Recorded<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.transcript.record(Direction::Sent, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_joins_chunks_and_splits_lines() {
        let t = Transcript::new();
        t.record(Direction::Sent, b"HELLO wor");
        t.record(Direction::Sent, b"ld\r\n");
        t.record(Direction::Received, b"Thread-1: HELLO WORLD\n");
        assert_eq!(t.render(), "--> HELLO world\n<-- Thread-1: HELLO WORLD\n");
    }

    #[test]
    fn render_marks_a_line_without_newline() {
        let t = Transcript::new();
        t.record(Direction::Sent, b"hi\n");
        t.record(Direction::Received, b"Thread-2: HI");
        assert_eq!(t.render(), "--> hi\n<-- Thread-2: HI [no newline]\n");
    }

    #[test]
    fn recorded_keeps_raw_bytes_by_direction() {
        let t = Transcript::new();
        let mut out = Recorded::new(Vec::new(), t.clone());
        out.write_all(b"\xffsent").unwrap();
        let mut input = Recorded::new(&b"got\n"[..], t.clone());
        let mut buf = [0; 2];
        input.read_exact(&mut buf).unwrap();
        assert_eq!(t.sent(), b"\xffsent");
        assert_eq!(t.received(), b"go");
        assert_eq!(t.entries().len(), 2);
    }

    #[test]
    fn a_discarding_transcript_stays_empty() {
        let t = Transcript::discard();
        t.record(Direction::Sent, b"gone");
        assert!(t.entries().is_empty());
    }

    #[test]
    fn empty_chunks_are_not_recorded() {
        let t = Transcript::new();
        t.record(Direction::Sent, b"");
        assert!(t.entries().is_empty());
    }
}
