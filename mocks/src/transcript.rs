//! The mocks' own record of every byte that crossed a connection.
//!
//! A test that only checks "the client got the right answer" cannot tell a
//! correct client from one that sent `\n` where the protocol wants `\r\n`
//! and met a forgiving server. So every mock connection is wrapped in a
//! [`Recorder`] that copies each byte read and written into a [`Transcript`],
//! and tests assert on the exact bytes afterwards. (A long-running
//! standalone mock records nothing: see [`Transcript::discarding`].)
//!
//! This type is deliberately independent of the client library's transcript:
//! its directions are named from the *mock's* side ([`Dir::FromClient`],
//! [`Dir::ToClient`]) and it renders as `C:` / `S:` lines rather than the
//! client's `-->` / `<--`, so the two can never be confused or share a bug.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Which way a chunk of bytes travelled, seen from the mock server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// The client sent these bytes; the mock read them.
    FromClient,
    /// The mock wrote these bytes to the client.
    ToClient,
}

impl Dir {
    /// The line prefix used by [`Transcript::render`]: C for client, S for
    /// server.
    fn prefix(self) -> &'static str {
        match self {
            Dir::FromClient => "C: ",
            Dir::ToClient => "S: ",
        }
    }
}

/// One successful read or write, exactly as the socket delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which way the bytes went.
    pub dir: Dir,
    /// The bytes themselves, never empty.
    pub bytes: Vec<u8>,
}

/// A shared, append-only log of the bytes on one connection.
///
/// Cloning is cheap and every clone sees the same log, so the connection
/// thread can record while the test keeps a handle to read it later.
///
/// A write is recorded just after the kernel accepted it, so a client may
/// see bytes a moment before they show up here. Read a transcript once the
/// conversation is over: after the client saw EOF, after
/// `MockServer::wait_for_closed`, or after the server stopped.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    entries: Arc<Mutex<Vec<Entry>>>,
    /// Records nothing (see [`Transcript::discarding`]).
    discard: bool,
}

impl Transcript {
    /// Creates an empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// A transcript that records nothing and stays empty, for a server
    /// that runs for long: a standalone mock streaming a gigabyte must
    /// not keep a copy of it.
    pub fn discarding() -> Self {
        Self {
            discard: true,
            ..Self::default()
        }
    }

    /// Records bytes the mock read from the client.
    pub fn record_from_client(&self, bytes: &[u8]) {
        self.record(Dir::FromClient, bytes);
    }

    /// Records bytes the mock wrote to the client.
    pub fn record_to_client(&self, bytes: &[u8]) {
        self.record(Dir::ToClient, bytes);
    }

    /// A copy of every entry, in the order it was recorded.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().clone()
    }

    /// Everything the client sent, concatenated byte for byte.
    pub fn bytes_from_client(&self) -> Vec<u8> {
        self.bytes_in(Dir::FromClient)
    }

    /// Everything the mock sent, concatenated byte for byte.
    pub fn bytes_to_client(&self) -> Vec<u8> {
        self.bytes_in(Dir::ToClient)
    }

    /// A human-readable view: one `C: ` or `S: ` line per line on the wire.
    ///
    /// Consecutive chunks in the same direction are joined first, so how
    /// the kernel happened to split the bytes does not show. Bytes that are
    /// not printable ASCII are escaped (`\r`, `\t`, `\\`, `\xNN`), so a
    /// missing `\r` before `\n` is visible. A line cut off before its `\n`,
    /// because the other side spoke next or the log ends, ends with
    /// ` (no newline)`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (dir, bytes) in merge_runs(&self.entries()) {
            render_run(&mut out, dir, &bytes);
        }
        out
    }

    fn record(&self, dir: Dir, bytes: &[u8]) {
        // An empty read is EOF and an empty write is a no-op: neither
        // carried any bytes, so neither belongs in the log.
        if bytes.is_empty() || self.discard {
            return;
        }
        let bytes = bytes.to_vec();
        self.lock().push(Entry { dir, bytes });
    }

    fn bytes_in(&self, dir: Dir) -> Vec<u8> {
        let entries = self.lock();
        let chunks = entries.iter().filter(|entry| entry.dir == dir);
        chunks
            .flat_map(|entry| entry.bytes.iter().copied())
            .collect()
    }

    /// A thread that panicked while holding the lock cannot have left the
    /// log half-written (a push either happened or not), so a poisoned
    /// lock is safe to use and a test keeps its evidence.
    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Joins consecutive entries that went the same way.
fn merge_runs(entries: &[Entry]) -> Vec<(Dir, Vec<u8>)> {
    let mut runs: Vec<(Dir, Vec<u8>)> = Vec::new();
    for entry in entries {
        match runs.last_mut() {
            Some((dir, bytes)) if *dir == entry.dir => {
                bytes.extend_from_slice(&entry.bytes);
            }
            _ => runs.push((entry.dir, entry.bytes.clone())),
        }
    }
    runs
}

/// Appends one line of output per `\n`-terminated line in `bytes`.
fn render_run(out: &mut String, dir: Dir, bytes: &[u8]) {
    for line in bytes.split_inclusive(|&byte| byte == b'\n') {
        out.push_str(dir.prefix());
        match line.strip_suffix(b"\n") {
            Some(text) => escape_into(out, text),
            None => {
                escape_into(out, line);
                out.push_str(" (no newline)");
            }
        }
        out.push('\n');
    }
}

/// `bytes` as text, escaped as in [`Transcript::render`]: the mocks'
/// one escape, also for the lines the `mock-*` programs print.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    escape_into(&mut out, bytes);
    out
}

/// Writes `bytes` as text, escaping anything that is not printable ASCII.
/// The backslash itself is escaped so that `\r` in the output always means
/// a carriage return byte, never the two characters `\` and `r`.
fn escape_into(out: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        match byte {
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b' '..=b'~' => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
}

/// Wraps the mock's end of a connection and records what really moved.
///
/// Reads are recorded as [`Dir::FromClient`], writes as [`Dir::ToClient`].
/// Only the bytes a call actually transferred are recorded: the `n` bytes
/// a read returned (not the whole buffer) and the `n` bytes the inner
/// write accepted (not the whole slice it was offered). Failed calls record
/// nothing.
///
/// Like `TcpStream`, a `&Recorder<S>` can also read and write when `&S`
/// can, so one connection can feed a `BufReader` and still be written to.
#[derive(Debug)]
pub struct Recorder<S> {
    inner: S,
    transcript: Transcript,
}

impl<S> Recorder<S> {
    /// Wraps `inner`, recording into `transcript`.
    pub fn new(inner: S, transcript: Transcript) -> Self {
        Self { inner, transcript }
    }

    /// The wrapped stream. Bytes moved through it directly are not recorded.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The transcript this recorder writes to.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Unwraps the stream; the transcript keeps what was recorded so far.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Read> Read for Recorder<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_recorded(&mut self.inner, &self.transcript, buf)
    }
}

impl<S: Write> Write for Recorder<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_recorded(&mut self.inner, &self.transcript, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<S> Read for &Recorder<S>
where
    for<'a> &'a S: Read,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_recorded(&self.inner, &self.transcript, buf)
    }
}

impl<S> Write for &Recorder<S>
where
    for<'a> &'a S: Write,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_recorded(&self.inner, &self.transcript, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&self.inner).flush()
    }
}

fn read_recorded(
    mut inner: impl Read,
    transcript: &Transcript,
    buf: &mut [u8],
) -> io::Result<usize> {
    let n = inner.read(buf)?;
    transcript.record_from_client(&buf[..n]);
    Ok(n)
}

fn write_recorded(
    mut inner: impl Write,
    transcript: &Transcript,
    buf: &[u8],
) -> io::Result<usize> {
    let n = inner.write(buf)?;
    transcript.record_to_client(&buf[..n]);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::{TcpListener, TcpStream};
    use std::thread;
    use std::time::Duration;

    /// A reader that hands out at most three bytes per call, like a socket
    /// that delivers data in small segments.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(3).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// A writer that accepts at most two bytes per call (a short write).
    #[derive(Default)]
    struct Narrow(Vec<u8>);

    impl Write for Narrow {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(2);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A stream whose every call fails.
    struct Broken;

    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::ErrorKind::ConnectionReset.into())
        }
    }

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn entry(dir: Dir, bytes: &[u8]) -> Entry {
        Entry {
            dir,
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn entries_keep_their_order_and_direction() {
        let t = Transcript::new();
        t.record_from_client(b"HELO x\r\n");
        t.record_to_client(b"250 ok\r\n");
        t.record_from_client(b"QUIT\r\n");
        let expected = vec![
            entry(Dir::FromClient, b"HELO x\r\n"),
            entry(Dir::ToClient, b"250 ok\r\n"),
            entry(Dir::FromClient, b"QUIT\r\n"),
        ];
        assert_eq!(t.entries(), expected);
    }

    #[test]
    fn a_discarding_transcript_stays_empty() {
        let mut recorder = Recorder::new(Vec::new(), Transcript::discarding());
        recorder.write_all(b"not kept").unwrap();
        assert_eq!(recorder.get_ref(), b"not kept");
        assert!(recorder.transcript().entries().is_empty());
    }

    #[test]
    fn empty_chunks_are_not_recorded() {
        let t = Transcript::new();
        t.record_from_client(b"");
        t.record_to_client(b"");
        assert!(t.entries().is_empty());
    }

    #[test]
    fn byte_views_concatenate_one_direction_exactly() {
        let t = Transcript::new();
        t.record_from_client(b"a\r");
        t.record_to_client(b"x\xff");
        t.record_from_client(b"\nb\0");
        t.record_to_client(b"y");
        assert_eq!(t.bytes_from_client(), b"a\r\nb\0");
        assert_eq!(t.bytes_to_client(), b"x\xffy");
    }

    #[test]
    fn clones_share_one_log() {
        let t = Transcript::new();
        let clone = t.clone();
        clone.record_to_client(b"hi");
        assert_eq!(t.bytes_to_client(), b"hi");
    }

    #[test]
    fn render_prefixes_client_lines_with_c_and_server_lines_with_s() {
        let t = Transcript::new();
        t.record_to_client(b"220 ready\n");
        t.record_from_client(b"QUIT\n");
        assert_eq!(t.render(), "S: 220 ready\nC: QUIT\n");
    }

    #[test]
    fn render_joins_chunks_split_mid_line() {
        let t = Transcript::new();
        t.record_from_client(b"HE");
        t.record_from_client(b"LO\nNO");
        t.record_from_client(b"OP\n");
        assert_eq!(t.render(), "C: HELO\nC: NOOP\n");
    }

    #[test]
    fn render_shows_carriage_returns_tabs_backslashes_and_binary() {
        let t = Transcript::new();
        t.record_from_client(b"a\tb\\c\x00\x7f\xe9\r\n");
        assert_eq!(t.render(), "C: a\\tb\\\\c\\x00\\x7f\\xe9\\r\n");
    }

    #[test]
    fn render_marks_a_last_line_without_newline() {
        let t = Transcript::new();
        t.record_to_client(b"250 ok\r\n250 half");
        t.record_from_client(b"\n");
        let expected = "S: 250 ok\\r\nS: 250 half (no newline)\nC: \n";
        assert_eq!(t.render(), expected);
    }

    #[test]
    fn render_of_an_empty_transcript_is_empty() {
        assert_eq!(Transcript::new().render(), "");
    }

    #[test]
    fn a_poisoned_lock_does_not_lose_the_log() {
        let t = Transcript::new();
        t.record_from_client(b"before");
        let clone = t.clone();
        let result = thread::spawn(move || {
            let _guard = clone.entries.lock().unwrap();
            panic!("deliberate panic while holding the transcript lock");
        })
        .join();
        assert!(result.is_err());
        t.record_to_client(b"after");
        assert_eq!(t.bytes_from_client(), b"before");
        assert_eq!(t.bytes_to_client(), b"after");
    }

    #[test]
    fn recorder_records_only_the_bytes_a_read_returned() {
        let t = Transcript::new();
        let mut recorder = Recorder::new(Trickle(b"hello"), t.clone());
        let mut buf = [b'?'; 16];
        assert_eq!(recorder.read(&mut buf).unwrap(), 3);
        assert_eq!(t.entries(), vec![entry(Dir::FromClient, b"hel")]);
        let mut rest = Vec::new();
        recorder.read_to_end(&mut rest).unwrap();
        assert_eq!(t.bytes_from_client(), b"hello");
    }

    #[test]
    fn recorder_records_only_the_bytes_a_write_accepted() {
        let t = Transcript::new();
        let mut recorder = Recorder::new(Narrow::default(), t.clone());
        assert_eq!(recorder.write(b"hello").unwrap(), 2);
        assert_eq!(t.bytes_to_client(), b"he");
        recorder.write_all(b"llo").unwrap();
        assert_eq!(t.bytes_to_client(), b"hello");
        assert_eq!(recorder.into_inner().0, b"hello");
    }

    #[test]
    fn recorder_records_nothing_when_the_stream_fails() {
        let t = Transcript::new();
        let mut recorder = Recorder::new(Broken, t.clone());
        assert!(recorder.read(&mut [0; 8]).is_err());
        assert!(recorder.write(b"lost").is_err());
        assert!(t.entries().is_empty());
    }

    #[test]
    fn a_shared_recorder_can_feed_a_bufreader_and_still_write() {
        let timeout = Some(Duration::from_secs(5));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client =
            TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        for stream in [&client, &server] {
            stream.set_read_timeout(timeout).unwrap();
            stream.set_write_timeout(timeout).unwrap();
        }
        let t = Transcript::new();
        let recorder = Recorder::new(server, t.clone());

        (&client).write_all(b"ping\r\n").unwrap();
        let mut reader = BufReader::new(&recorder);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        (&recorder).write_all(b"pong\r\n").unwrap();
        let mut reply = String::new();
        BufReader::new(&client).read_line(&mut reply).unwrap();

        assert_eq!(line, "ping\r\n");
        assert_eq!(reply, "pong\r\n");
        assert_eq!(t.render(), "C: ping\\r\nS: pong\\r\n");
    }
}
