//! The guided tour that `cargo run` starts: each chapter's program runs
//! against servers started in this process, on 127.0.0.1, and the tour
//! prints what each side saw. Nothing leaves the machine.
//!
//! Each chapter is a function that writes its story to `out`; a chapter
//! that can't run returns the error, and the tour stops with it.

use std::io::{self, Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::Duration;

use crate::console::Console;
use crate::echo::{client, server};
use crate::relay;
use crate::stop::Stop;
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
        let server_lines = wait_for(&log, "end of session")?;
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
    let keyboard = "HTTP/1.0 200 OK\nContent-Type: text/html\n\n\
                    <html><body><h2>generic tcp server</h2></body></html>\nbye\n";
    writeln!(
        out,
        "The keyboard (a pipe here) will type:\n{}",
        indent(keyboard)
    )?;
    let (console, log) = Console::channel();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stop = Stop::new(&listener)?;
    let signal = stop.clone();
    let config = relay::Config {
        echo_keyboard: true,
        ..Default::default()
    };
    let server = thread::spawn(move || {
        relay::serve(
            &listener,
            Cursor::new(keyboard),
            &console,
            &config,
            &signal,
        )
    });
    writeln!(
        out,
        "$ tcp-server {}   (started in this process)",
        addr.port()
    )?;
    let transcript = browse(addr.port())?;
    stop.request();
    server
        .join()
        .map_err(|_| io::Error::other("tcp-server panicked"))?;
    writeln!(out, "\nThe web client's conversation:")?;
    write!(out, "{}", indent(&transcript.render()))?;
    let server_lines: Vec<String> = log.try_iter().collect();
    writeln!(
        out,
        "\nThe server's console:\n{}",
        indent(&server_lines.join("\n"))
    )
}

/// Plays a web browser: sends a GET request, reads until the server
/// closes, then closes too.
fn browse(port: u16) -> io::Result<Transcript> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(STEP_TIMEOUT))?;
    stream.set_write_timeout(Some(STEP_TIMEOUT))?;
    let transcript = Transcript::new();
    let mut wire = Recorded::new(&stream, transcript.clone());
    let request = format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    wire.write_all(request.as_bytes())?;
    wire.read_to_end(&mut Vec::new())?;
    Ok(transcript)
}

/// Collects log lines until one contains `marker`.
fn wait_for(log: &Receiver<String>, marker: &str) -> io::Result<String> {
    let mut lines = Vec::new();
    loop {
        let line = log.recv_timeout(STEP_TIMEOUT).map_err(|_| {
            io::Error::new(io::ErrorKind::TimedOut, format!("no {marker:?}"))
        })?;
        let done = line.contains(marker);
        lines.push(line);
        if done {
            return Ok(lines.join("\n"));
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
