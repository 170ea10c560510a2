//! Chapter 6: the generic TCP server (inet_10), with a scripted keyboard.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use super::{STEP_TIMEOUT, heading, indent, wait_for};
use inet::accept::Stop;
use inet::net;
use inet::relay;
use inet::transcript::{Recorded, Transcript};

#[path = "../tcp_server/report.rs"]
mod server_report;

/// The generic server (inet_10) plays an HTTP server for a web client.
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
    heading(
        out,
        "Chapter 6: generic TCP server (inet_10) plays a web server",
    )?;
    let (log_lines, log) = mpsc::channel();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let stop = Stop::new(&listener)?;
    let (typist, keyboard) = keyboard();
    let server = thread::spawn({
        let stop = stop.clone();
        move || {
            // Keyboard lines shown as sent, as from a pipe.
            let report = |event: relay::Event<'_>| {
                if let Some(line) = server_report::log_line(&event, true) {
                    let _ = log_lines.send(line);
                }
            };
            let config = relay::Config::default();
            relay::serve(&listener, keyboard, &config, &report, &stop)
        }
    });
    writeln!(out, "$ tcp-server {port}   (started in this process)")?;
    // A web client connects and sends its request...
    let transcript = Transcript::new();
    let browser = send_request(port, &transcript)?;
    // ...the person at the keyboard reads it to its blank last line...
    let mut console_lines = wait_for(&log, |line| line == "<--- 127.0.0.1 : ")?;
    // ...and types a response, then `bye`.
    let response = "HTTP/1.0 200 OK\nContent-Type: text/html\n\n\
                    <html><body><h2>generic tcp server</h2></body></html>\nbye\n";
    let _ = typist.send(response.as_bytes().to_vec());
    drop(typist); // and closes the keyboard: the server stops after this
    read_until_closed(browser, &transcript)?;
    stop.request(); // in case it has not stopped on its own
    let served = server
        .join()
        .map_err(|_| io::Error::other("tcp-server panicked"))?;
    served?;
    console_lines.extend(log.try_iter());
    writeln!(out, "\nThe web client's conversation:")?;
    write!(out, "{}", indent(&transcript.render()))?;
    let console_lines = console_lines.join("\n");
    writeln!(out, "\nThe server's console:\n{}", indent(&console_lines))
}

/// Plays a web browser: connects and sends a GET request.
fn send_request(port: u16, transcript: &Transcript) -> io::Result<TcpStream> {
    let stream = net::connect("127.0.0.1", port, STEP_TIMEOUT)?;
    stream.set_read_timeout(Some(STEP_TIMEOUT))?;
    stream.set_write_timeout(Some(STEP_TIMEOUT))?;
    let request = format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut wire = Recorded::new(&stream, transcript.clone());
    wire.write_all(request.as_bytes())?;
    Ok(stream)
}

/// Reads the response until the server closes, then closes too (the
/// stream is dropped on return).
fn read_until_closed(
    stream: TcpStream,
    transcript: &Transcript,
) -> io::Result<()> {
    let mut wire = Recorded::new(&stream, transcript.clone());
    wire.read_to_end(&mut Vec::new()).map(drop)
}

/// A keyboard for the tour: what is sent on the channel is "typed", and
/// dropping the sender is Ctrl-D.
fn keyboard() -> (Sender<Vec<u8>>, Typed) {
    let (tx, rx) = mpsc::channel();
    (
        tx,
        Typed {
            rx,
            pending: Vec::new(),
        },
    )
}

/// The reading end of the tour's keyboard.
struct Typed {
    rx: Receiver<Vec<u8>>,
    pending: Vec<u8>,
}

impl Read for Typed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.rx.recv() {
                Ok(text) => self.pending = text,
                Err(_) => return Ok(0), // Ctrl-D
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}
