//! Chapter 0: TCP carries bytes, not messages (lessons/00).
//!
//! A client writes three times; the server shows what each of its
//! `read` calls returned, then what the line reader makes of the same
//! bytes. The writes are paced (each waits until the server has read the
//! one before), so the reads come out the same on every run; on a real
//! network nothing would keep them apart.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use inet::escape::escape;
use inet::line::LineReader;

use super::{STEP_TIMEOUT, heading};

/// What the client writes, one `write` call each.
const WRITES: [&[u8]; 3] = [b"hello\nworld\n", b"hel", b"lo again\r\n"];

/// Three writes, the reads they gave, and the lines in them.
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 0: bytes, lines and deadlines")?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    for stream in [&client, &server] {
        stream.set_read_timeout(Some(STEP_TIMEOUT))?;
        stream.set_write_timeout(Some(STEP_TIMEOUT))?;
    }
    let (read, reads) = mpsc::channel();
    let reader = thread::spawn(move || read_each(&mut server, &read));
    let mut received = Vec::new();
    for (n, bytes) in WRITES.iter().enumerate() {
        client.write_all(bytes)?;
        let got = reads.recv_timeout(STEP_TIMEOUT).map_err(io::Error::other)?;
        writeln!(out, "client write {}: \"{}\"", n + 1, shown(bytes))?;
        writeln!(out, "  server read {}: \"{}\"", n + 1, shown(&got))?;
        received.extend_from_slice(&got);
    }
    drop(client);
    reader
        .join()
        .map_err(|_| io::Error::other("the reader panicked"))??;
    writeln!(
        out,
        "\nThe same bytes through the line reader (src/line.rs):"
    )?;
    let mut lines = LineReader::new(&received[..], 1024);
    while let Some(line) = lines.read_line().map_err(io::Error::other)? {
        writeln!(out, "  line: \"{}\"", shown(line))?;
    }
    writeln!(
        out,
        "\nThree writes, three reads here; on a network, one read may hold \
         two\nwrites or half of one. Only the newlines say where a line \
         ends.\n"
    )
}

/// Reads until the end of the stream, sending what each `read` returned.
fn read_each(
    server: &mut TcpStream,
    reads: &mpsc::Sender<Vec<u8>>,
) -> io::Result<()> {
    let mut buf = [0; 1024];
    loop {
        match server.read(&mut buf)? {
            0 => return Ok(()),
            n => {
                let _ = reads.send(buf[..n].to_vec());
            }
        }
    }
}

/// `bytes` as a Rust string literal would write them: `\n` and `\r`
/// shown, as the bytes on the wire are.
fn shown(bytes: &[u8]) -> String {
    escape(bytes).replace("\\x0a", "\\n")
}
