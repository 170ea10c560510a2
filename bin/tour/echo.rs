//! Chapter 5: the echo server (inet_08) and its client (inet_06).

use std::io::{self, Write};
use std::net::TcpListener;

use super::{STEP_TIMEOUT, heading, indent, wait_for};
use inet::console::Console;
use inet::echo::{client, server};
use inet::transcript::Transcript;

/// The echo server (inet_08) and two runs of its client (inet_06).
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
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
