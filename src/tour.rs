//! The guided tour that `cargo run` starts: each chapter's program runs
//! against servers started in this process, on 127.0.0.1, and the tour
//! prints what each side saw. Nothing leaves the machine.
//!
//! Each chapter is a function that writes its story to `out`; a chapter
//! that can't run returns the error, and the tour stops with it.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use crate::accept::Stop;
use crate::console::Console;
use crate::echo::{client, server};
use crate::relay;
use crate::transcript::{Recorded, Transcript};

/// How long the tour waits for any one step before giving up.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs every chapter, in order.
///
/// # Errors
/// The first chapter that fails says why.
pub fn run(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "inet: a tour of the chapter's programs, all on 127.0.0.1\n"
    )?;
    echo_chapter(out)?;
    generic_server_chapter(out)?;
    writeln!(out, "Read lessons/README.md next, then `cargo test`.")
}

fn heading(out: &mut impl Write, title: &str) -> io::Result<()> {
    writeln!(out, "== {title} ==\n")
}

/// The echo server (inet_08) and two runs of its client (inet_06).
fn echo_chapter(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 5: echo server and client (inet_08, inet_06)")?;
    let (console, log) = Console::channel();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let server =
        server::Server::start(listener, server::Config::default(), console)?;
    let addr = server.addr();
    writeln!(
        out,
        "$ echo-server {}   (started in this process)",
        addr.port()
    )?;
    for n in 1..=2 {
        let typed = format!("cmde 1 du client {n}\ncmde 2 du client {n}\n\n");
        writeln!(out, "\n$ echo-client 127.0.0.1 {}", addr.port())?;
        let config = client::Config {
            echo_input: true,
            ..Default::default()
        };
        let stream = client::connect("127.0.0.1", addr.port(), STEP_TIMEOUT)
            .map_err(io::Error::other)?;
        let transcript = Transcript::new();
        let mut screen = Vec::new();
        client::run(
            &stream,
            typed.as_bytes(),
            &mut screen,
            &config,
            &transcript,
        )
        .map_err(io::Error::other)?;
        drop(stream); // hang up, as the original's `finally: close()`
        out.write_all(&screen)?;
        writeln!(out, "\nWhat crossed the wire, as the client saw it:")?;
        write!(out, "{}", indent(&transcript.render()))?;
        // The session's last log line says the server has finished with it.
        let server_lines = wait_for(&log, |l| l.contains("end of session"))?;
        let server_lines = server_lines.join("\n");
        writeln!(out, "\nThe server's console:\n{}", indent(&server_lines))?;
    }
    writeln!(out)
}

/// The generic server (inet_10) plays an HTTP server for a web client.
fn generic_server_chapter(out: &mut impl Write) -> io::Result<()> {
    heading(
        out,
        "Chapter 6: generic TCP server (inet_10) plays a web server",
    )?;
    let (console, log) = Console::channel();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let stop = Stop::new(&listener)?;
    let (typist, keyboard) = keyboard();
    let server = thread::spawn({
        let (stop, config) = (
            stop.clone(),
            relay::Config {
                echo_keyboard: true,
                ..Default::default()
            },
        );
        move || relay::serve(&listener, keyboard, &console, &config, &stop)
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
    let stream = TcpStream::connect(("127.0.0.1", port))?;
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

/// Collects log lines until one satisfies `done` (that one included).
fn wait_for(
    log: &Receiver<String>,
    done: impl Fn(&str) -> bool,
) -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let line = log.recv_timeout(STEP_TIMEOUT).map_err(|_| {
            let seen = lines.join("\n");
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("stuck after:\n{seen}"),
            )
        })?;
        let finished = done(&line);
        lines.push(line);
        if finished {
            return Ok(lines);
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
