//! Chapter 5: the echo server (inet_08) and its client (inet_06).

use std::io::{self, Cursor, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use super::{STEP_TIMEOUT, heading, indent, wait_for};
use inet::accept::Stop;
use inet::echo::{client, server};
use inet::net;
use inet::transcript::{Direction, Recorded, Transcript};

#[path = "../echo_server/report.rs"]
mod server_report;

#[path = "../echo_client/screen.rs"]
mod client_screen;

/// The echo server (inet_08) and two runs of its client (inet_06).
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 5: echo server and client (inet_08, inet_06)")?;
    let (log_lines, log) = mpsc::channel();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stop = Stop::new(&listener)?;
    let server = thread::spawn({
        let stop = stop.clone();
        move || {
            let report = |event: server::Event<'_>| {
                server_report::log_line(&event, |parts| {
                    let _ = log_lines.send(parts.concat());
                });
            };
            server::serve(
                &listener,
                &server::Config::default(),
                &report,
                &stop,
            );
        }
    });
    writeln!(
        out,
        "$ echo-server {}   (started in this process)",
        addr.port()
    )?;
    for n in 1..=2 {
        let typed = format!("cmde 1 du client {n}\ncmde 2 du client {n}\n\n");
        writeln!(out, "\n$ echo-client 127.0.0.1 {}", addr.port())?;
        let transcript = Transcript::new();
        let relay = recording_relay(addr, &transcript)?;
        let stream = net::connect("127.0.0.1", relay.port(), STEP_TIMEOUT)?;
        let mut shown = Vec::new();
        let mut screen = client_screen::Screen::new(&mut shown, true);
        let keyboard = Cursor::new(typed.into_bytes());
        let config = client::Config::default();
        client::run(&stream, keyboard, &config, |event| screen.show(event))
            .map_err(io::Error::other)?;
        out.write_all(&shown)?;
        // The session's last log line says the server has finished with
        // it, and the relay has passed on everything.
        let server_lines = wait_for(&log, |l| l.contains("end of session"))?;
        writeln!(out, "\nWhat crossed the wire:")?;
        write!(out, "{}", indent(&transcript.render()))?;
        let server_lines = server_lines.join("\n");
        writeln!(out, "\nThe server's console:\n{}", indent(&server_lines))?;
    }
    stop.request();
    server
        .join()
        .map_err(|_| io::Error::other("echo-server panicked"))?;
    writeln!(out)
}

/// Starts a relay on 127.0.0.1 that passes one connection on to
/// `server`, recording in `transcript` what crosses it, as the client
/// sees it: `-->` what the client sent, `<--` what it received. Returns
/// the relay's address, for the client to connect to.
fn recording_relay(
    server: SocketAddr,
    transcript: &Transcript,
) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let transcript = transcript.clone();
    thread::spawn(move || -> io::Result<()> {
        let (client, _) = listener.accept()?;
        let server = TcpStream::connect_timeout(&server, STEP_TIMEOUT)?;
        for socket in [&client, &server] {
            socket.set_read_timeout(Some(STEP_TIMEOUT))?;
            socket.set_write_timeout(Some(STEP_TIMEOUT))?;
        }
        let (server_end, client_end) =
            (server.try_clone()?, client.try_clone()?);
        let to_server = SentFirst {
            server: server.try_clone()?,
            transcript: transcript.clone(),
        };
        let from_server = Recorded::new(server, transcript);
        let upstream = {
            let client = client.try_clone()?;
            thread::spawn(move || pass_on(client, to_server, &server_end))
        };
        pass_on(from_server, client, &client_end);
        let _ = upstream.join();
        Ok(())
    });
    Ok(addr)
}

/// The relay's way to the server. It records a command *before* passing
/// it on: recorded after (as `Recorded` does), the command could come
/// after the reply in the transcript, since the other direction's thread
/// may read and record the reply first.
struct SentFirst {
    server: TcpStream,
    transcript: Transcript,
}

impl Write for SentFirst {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.transcript.record(Direction::Sent, bytes);
        self.server.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.server.flush()
    }
}

/// Copies `from` to `to` until `from` ends, then passes the end on to
/// `to`'s socket.
fn pass_on(mut from: impl io::Read, mut to: impl Write, socket: &TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = socket.shutdown(Shutdown::Write);
}
