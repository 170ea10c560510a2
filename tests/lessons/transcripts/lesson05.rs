//! The scenes of lesson 5, an echo server and its client.

use super::super::scene::{Play, Scene, Stop};

/// Lesson 5's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-echo", tour_echo),
    ("minimal-server", minimal_server),
    ("minimal-client", minimal_client),
    ("minimal-client-leaves", minimal_client_leaves),
    ("minimal-server-leaves", minimal_server_leaves),
    ("echo-server", echo_server),
    ("echo-client", echo_client),
    ("echo-server-log", echo_server_log),
    ("echo-server-limits", echo_server_limits),
    ("echo-server-limits-clients", echo_server_limits_clients),
    ("inet-06-beside-echo-server", inet_06_beside_echo_server),
    ("echo-client-beside-inet-08", echo_client_beside_inet_08),
];

/// The port the system picks for the tour's server, as the lesson shows
/// it.
const TOUR_PORT: &str = "45183";

/// `cargo run -q -- echo`: the tour's chapter.
fn tour_echo(s: &mut Scene) -> Result<(), Stop> {
    s.mask_number_after("echo-server ", TOUR_PORT);
    s.mask_number_after("echo-client 127.0.0.1 ", TOUR_PORT);
    s.run("cargo run -q -- echo")?;
    Ok(())
}

/// The minimal server, started in a first terminal.
const MINIMAL_SERVER: &str =
    "cargo run -q --example inet_08_echo_server -- 7051";
/// The minimal client, in a second terminal, typing the chapter's lines.
const MINIMAL_CLIENT: &str = "printf 'cmde 1 du client 1\\ncmde 2 du client 1\\n\\n' \\
  | cargo run -q --example inet_06_echo_client -- 127.0.0.1 7051";

/// The first terminal: the minimal server, and what it printed once the
/// client was done.
fn minimal_server(s: &mut Scene) -> Result<(), Stop> {
    s.server(MINIMAL_SERVER, 7051)?;
    s.quietly(|s| s.run(MINIMAL_CLIENT))?;
    s.server_lines(":  (Thread-2)")
}

/// The second terminal: the minimal client, its lines from a pipe.
fn minimal_client(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| s.server(MINIMAL_SERVER, 7051))?;
    s.run(MINIMAL_CLIENT)?;
    Ok(())
}

/// A client whose input ends without an empty line.
const LEAVING_CLIENT: &str = "printf 'hello\\n' \\
  | cargo run -q --example inet_06_echo_client -- 127.0.0.1 7052; \\
  echo \"exit status $?\"";

/// The second terminal: the minimal client reaches the end of its input.
fn minimal_client_leaves(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| {
        s.server("cargo run -q --example inet_08_echo_server -- 7052", 7052)
    })?;
    s.run(LEAVING_CLIENT)?;
    Ok(())
}

/// The first terminal: what the minimal server made of it.
fn minimal_server_leaves(s: &mut Scene) -> Result<(), Stop> {
    s.server("cargo run -q --example inet_08_echo_server -- 7052", 7052)?;
    s.quietly(|s| s.run(LEAVING_CLIENT))?;
    s.server_lines(":  (Thread-2)")
}

/// `echo-server`, by hand.
const ECHO_SERVER: &str = "echo-server 7054";
/// Two clients one after the other, their lines from a pipe.
const TWO_CLIENTS: [&str; 2] = [
    "printf 'cmde 1 du client 1\\n\\n' | echo-client 127.0.0.1 7054",
    "printf 'cmde 1 du client 2\\n' | echo-client 127.0.0.1 7054",
];

/// Two lines and an empty one, written at once, after the two clients.
const TWO_LINES: &str =
    "printf 'hello\\nworld\\n\\n' | socat - TCP:127.0.0.1:7054";

/// The first terminal: `echo-server`, and its log of the three sessions
/// of the second terminal.
fn echo_server(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.server(ECHO_SERVER, 7054)?;
    s.quietly(|s| {
        s.run(TWO_CLIENTS[0])?;
        s.run(TWO_CLIENTS[1])?;
        s.run(TWO_LINES)
    })?;
    s.server_lines("empty line (Thread-3)")
}

/// The second terminal: the two clients.
fn echo_client(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| s.server(ECHO_SERVER, 7054))?;
    s.run(TWO_CLIENTS[0])?;
    s.run(TWO_CLIENTS[1])?;
    Ok(())
}

/// Then, in the second terminal, socat: lines, and a line for each reply.
fn echo_server_log(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.quietly(|s| {
        s.server(ECHO_SERVER, 7054)?;
        s.run(TWO_CLIENTS[0])?;
        s.run(TWO_CLIENTS[1])
    })?;
    s.run(TWO_LINES)?;
    Ok(())
}

/// `echo-server` with small limits, by hand.
const SMALL_LIMITS: &str = "echo-server --max-line 16 --idle-timeout 1 7055";
/// A client with a line too long, then one that says nothing.
const OVER_LIMITS: [&str; 2] = [
    "printf 'a line of more than sixteen bytes\\n' | socat - TCP:127.0.0.1:7055",
    "sleep 2 | socat - TCP:127.0.0.1:7055",
];

/// The first terminal: the limits, as the server logs them.
fn echo_server_limits(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.server(SMALL_LIMITS, 7055)?;
    s.quietly(|s| {
        s.run(OVER_LIMITS[0])?;
        s.run(OVER_LIMITS[1])
    })?;
    s.server_lines("(Thread-1)")?;
    s.server_lines("(Thread-2)")
}

/// The second terminal: what each client is told.
fn echo_server_limits_clients(s: &mut Scene) -> Result<(), Stop> {
    s.needs("socat")?;
    s.quietly(|s| s.server(SMALL_LIMITS, 7055))?;
    s.run(OVER_LIMITS[0])?;
    s.run(OVER_LIMITS[1])?;
    Ok(())
}

/// inet_06.py against `echo-server`.
fn inet_06_beside_echo_server(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.server("echo-server 7056", 7056)?;
    s.run("printf 'cmde 1 du client 1\\n\\n' | python2.7 $ORIGINALS/inet_06.py 127.0.0.1 7056")?;
    Ok(())
}

/// `echo-client` against inet_08.py, which can't say which port it got
/// when given port 0.
fn echo_client_beside_inet_08(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.set_env("PYTHONUNBUFFERED", "1");
    s.server_on_free_port("python2.7 $ORIGINALS/inet_08.py 7057", 7057)?;
    s.run("printf 'cmde 1 du client 1\\n\\n' | echo-client 127.0.0.1 7057")?;
    Ok(())
}
