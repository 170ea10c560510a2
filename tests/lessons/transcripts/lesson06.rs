//! The scenes of lesson 6, the generic TCP server.
//!
//! The keyboard of a server that a scene plays is a file, `keys.txt`,
//! read through `tail -f`: the scene "types" by adding lines to it, and
//! only once the server has printed what the person would have read
//! first. A here-document would type everything at once, and the two
//! threads of the server would print in an order that changes from run
//! to run.

use std::process::Command;

use super::super::scene::{Job, Play, Scene, Stop};

/// Lesson 6's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-generic", tour_generic),
    ("inet-10-plays-web-server", inet_10_plays_web_server),
    ("type-response", type_response),
    ("inet-10-curl", inet_10_curl),
    ("inet-10-client-leaves", inet_10_client_leaves),
    ("inet-10-bye-cr", inet_10_bye_cr),
    ("tcp-server-client-leaves", tcp_server_client_leaves),
    ("tcp-server-idle-client", tcp_server_idle_client),
    ("tcp-server-bye-cr", tcp_server_bye_cr),
    ("tcp-server-keyboard-ends", tcp_server_keyboard_ends),
    ("tcp-server-plays-web-server", tcp_server_plays_web_server),
    ("tcp-server-curl", tcp_server_curl),
    ("inet-10-py-client-leaves", inet_10_py_client_leaves),
];

/// An empty keyboard file: `tail -f` sends the lines already in a file
/// first.
const EMPTY_KEYS: &str = "cp /dev/null keys.txt";

/// The person at the keyboard answers a web client, then says `bye`.
const TYPE_RESPONSE: &str = "cat >> keys.txt <<'EOF'
HTTP/1.0 200 OK
Content-Type: text/html

<html><body><h2>generic tcp server</h2></body></html>
bye
EOF";

/// `cargo run -- generic`: the chapter in the tour.
fn tour_generic(s: &mut Scene) -> Result<(), Stop> {
    s.port_after("$ tcp-server ", 7071);
    s.run("cargo run -q -- generic")?;
    Ok(())
}

/// The scene needs `program` on `PATH`; it is skipped where it is not
/// installed. Returns the first line `program VERSION_FLAG` printed.
fn needs(program: &str, version_flag: &str) -> Result<String, Stop> {
    let output = Command::new(program).arg(version_flag).output();
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            Ok(text.lines().next().unwrap_or_default().to_string())
        }
        _ => Err(Stop::Skip(format!("needs {program}, not installed here"))),
    }
}

/// The scene needs curl; its version, in the `User-Agent` line a server
/// prints, is shown as the one this lesson was written with.
fn needs_curl(s: &mut Scene) -> Result<(), Stop> {
    let version = needs("curl", "--version")?;
    if let Some(number) = version.split_whitespace().nth(1) {
        s.mask(&format!("curl/{number}"), "curl/7.88.1");
    }
    Ok(())
}

/// Waits until the server has printed a web client's whole request:
/// its last header, then the blank line that ends it.
fn request_read(s: &mut Scene) -> Result<(), Stop> {
    s.server_lines("Accept: */*")?;
    s.server_lines("127.0.0.1 :")
}

/// Starts `server` (a command reading `keys.txt`, on `port`) with an
/// empty keyboard file, and curl against it; returns curl, once the
/// server has printed its whole request.
fn serve_curl(s: &mut Scene, server: &str, port: u16) -> Result<Job, Stop> {
    needs_curl(s)?;
    s.run(EMPTY_KEYS)?;
    s.server(server, port)?;
    let curl = s.start(&format!("curl -si http://127.0.0.1:{port}/"))?;
    request_read(s)?;
    Ok(curl)
}

/// The server's window while it plays a web server: its lines up to the
/// request's end, and then up to a line with `until`, if any.
fn server_view(
    s: &mut Scene,
    server: &str,
    port: u16,
    until: Option<&str>,
) -> Result<(), Stop> {
    let curl = serve_curl(s, server, port)?;
    s.quietly(|s| {
        s.run(TYPE_RESPONSE)?;
        s.finish(curl)
    })?;
    match until {
        Some(until) => s.server_lines(until),
        None => Ok(()),
    }
}

/// curl's window while `server` plays a web server.
fn client_view(s: &mut Scene, server: &str, port: u16) -> Result<(), Stop> {
    let curl = s.quietly(|s| {
        let curl = serve_curl(s, server, port)?;
        s.run(TYPE_RESPONSE)?;
        Ok(curl)
    })?;
    s.finish(curl)?;
    Ok(())
}

/// The minimal port as a web server: what its window shows.
fn inet_10_plays_web_server(s: &mut Scene) -> Result<(), Stop> {
    // The prompt lands wherever the two threads' race puts it.
    s.mask("--> ", "");
    let server = "tail -f keys.txt | \
                  cargo run -q --example inet_10_generic_server -- 7072";
    server_view(s, server, 7072, None)
}

/// What the person types, in another terminal.
fn type_response(s: &mut Scene) -> Result<(), Stop> {
    s.run(TYPE_RESPONSE)?;
    Ok(())
}

/// The minimal port as a web server: what curl shows.
fn inet_10_curl(s: &mut Scene) -> Result<(), Stop> {
    let server = "tail -f keys.txt | \
                  cargo run -q --example inet_10_generic_server -- 7072";
    client_view(s, server, 7072)
}

/// The minimal port, when its client leaves: its reader thread spins.
fn inet_10_client_leaves(s: &mut Scene) -> Result<(), Stop> {
    needs("socat", "-V")?;
    let server = "tail -f keys.txt | \
                  cargo run -q --example inet_10_generic_server -- 7073";
    spins(s, server, 7073)
}

/// `server` on `port`, reading an empty keyboard file, when a client
/// sends `hello` and leaves: its first lines, the prompt left out.
fn spins(s: &mut Scene, server: &str, port: u16) -> Result<(), Stop> {
    s.mask("--> ", "");
    s.run(EMPTY_KEYS)?;
    match server.contains("python") {
        // The original says the port it was given, 0: give it a free one.
        true => s.server_on_free_port(server, port)?,
        false => s.server(server, port)?,
    }
    // Started, not waited for: socat lingers half a second after its
    // input, while the reader spins.
    let client = format!("echo hello | socat - TCP:127.0.0.1:{port}");
    let _client = s.start(&client)?;
    s.server_lines("hello")?;
    for _ in 0..5 {
        s.server_lines("127.0.0.1 :")?;
    }
    Ok(())
}

/// The minimal port sends `bye\r` to the client, and goes on.
fn inet_10_bye_cr(s: &mut Scene) -> Result<(), Stop> {
    needs("socat", "-V")?;
    let server = "printf 'bye\\r\\nbye\\n' | \
                  cargo run -q --example inet_10_generic_server -- 7074";
    s.server(server, 7074)?;
    s.run("socat -u TCP:127.0.0.1:7074 - | cat -v")?;
    Ok(())
}

/// `tcp-server`, when its client leaves: the session ends.
fn tcp_server_client_leaves(s: &mut Scene) -> Result<(), Stop> {
    let server = "tail -f keys.txt | tcp-server 7075";
    let client = "echo hello | socat - TCP:127.0.0.1:7075";
    nobody_types(s, (server, 7075), client, "closed the connection")
}

/// `tcp-server` lets go of a client that says nothing at all.
fn tcp_server_idle_client(s: &mut Scene) -> Result<(), Stop> {
    let server = "tail -f keys.txt | tcp-server --idle-timeout 1 7076";
    let client = "socat -u TCP:127.0.0.1:7076 -";
    nobody_types(s, (server, 7076), client, "disconnected")
}

/// `server` on `port`, reading an empty keyboard file, and `client` run
/// from another terminal: shows the server's lines up to one with
/// `until`.
fn nobody_types(
    s: &mut Scene,
    (server, port): (&str, u16),
    client: &str,
    until: &str,
) -> Result<(), Stop> {
    needs("socat", "-V")?;
    s.run(EMPTY_KEYS)?;
    s.server(server, port)?;
    s.quietly(|s| s.run(client))?;
    s.server_lines(until)
}

/// `tcp-server` relays `hello\r` as typed, and `bye\r` ends the session.
fn tcp_server_bye_cr(s: &mut Scene) -> Result<(), Stop> {
    needs("socat", "-V")?;
    s.server("printf 'hello\\r\\nbye\\r\\n' | tcp-server 7077", 7077)?;
    s.run("socat -u TCP:127.0.0.1:7077 - | cat -v")?;
    Ok(())
}

/// `tcp-server` when the keyboard ends in a session: it closes the
/// session gracefully, and stops.
fn tcp_server_keyboard_ends(s: &mut Scene) -> Result<(), Stop> {
    needs("socat", "-V")?;
    s.server("printf 'hello\\n' | tcp-server 7078", 7078)?;
    s.quietly(|s| s.run("socat -u TCP:127.0.0.1:7078 -"))?;
    s.server_lines("closed the connection")
}

/// `tcp-server` as a web server: what its window shows.
fn tcp_server_plays_web_server(s: &mut Scene) -> Result<(), Stop> {
    let server = "tail -f keys.txt | tcp-server 7079";
    server_view(s, server, 7079, Some("closed the connection"))
}

/// `tcp-server` as a web server: what curl shows.
fn tcp_server_curl(s: &mut Scene) -> Result<(), Stop> {
    client_view(s, "tail -f keys.txt | tcp-server 7079", 7079)
}

/// The original, when its client leaves: it spins as the minimal port
/// does. It prints the port it was given, not the one it got: it is
/// given a free one.
fn inet_10_py_client_leaves(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    needs("socat", "-V")?;
    let server = "tail -f keys.txt | python2.7 -u $ORIGINALS/inet_10.py 7081";
    spins(s, server, 7081)
}
