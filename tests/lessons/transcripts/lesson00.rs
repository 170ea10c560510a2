//! The scenes of lesson 0, bytes, lines and deadlines.

use super::super::scene::{Play, Scene, Stop};

/// Lesson 0's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-bytes", tour_bytes),
    ("bytes-server", bytes_server),
    ("bytes-client", bytes_client),
    ("bad-port", bad_port),
];

/// The tour's chapter 0: three writes, their reads, the lines in them.
fn tour_bytes(s: &mut Scene) -> Result<(), Stop> {
    s.run("cargo run -q -- bytes")?;
    Ok(())
}

/// The minimal echo server, as the reader starts it in a first terminal.
const SERVER: &str = "cargo run -q --example inet_08_echo_server -- 7001";
/// Its port, in the lesson.
const PORT: u16 = 7001;
/// Two lines and an empty one, written at once, from a second terminal.
const TWO_LINES: &str =
    r"printf 'hello\nworld\n\n' | socat - TCP:127.0.0.1:7001";

/// The first terminal: the server, and what it printed once the client of
/// the second terminal was done.
fn bytes_server(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.server(SERVER, PORT)?;
    s.quietly(|s| s.run(TWO_LINES))?;
    s.server_lines(":  (Thread-2)")
}

/// The second terminal: one write of three lines, and what came back.
fn bytes_client(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.quietly(|s| s.server(SERVER, PORT))?;
    s.run(TWO_LINES)?;
    Ok(())
}

/// A port that does not fit in 16 bits, and the exit status it gives.
fn bad_port(s: &mut Scene) -> Result<(), Stop> {
    s.run("cargo run -q --bin echo-server -- 70000; echo \"exit status $?\"")?;
    s.run("cargo run -q --bin echo-server; echo \"exit status $?\"")?;
    Ok(())
}
