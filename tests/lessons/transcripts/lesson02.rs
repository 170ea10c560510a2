//! The scenes of lesson 2, a web client.
//!
//! Each server a scene starts is `mock-http` (with a `--fault` when the
//! scene shows one), or Python's `http.server`, on a port of lesson 2's
//! own (8021 to 8039), a new one for each server the lesson starts.

use std::process::Command;

use super::super::scene::{Play, Scene, Stop};

/// Lesson 2's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-web", tour_web),
    ("minimal-mock", minimal_mock),
    ("minimal-port", minimal_port),
    ("minimal-cut-short", minimal_cut_short),
    ("minimal-refused", minimal_refused),
    ("minimal-silent", minimal_silent),
    ("webget-silent", webget_silent),
    ("webget-trickle", webget_trickle),
    ("webget-never-closes", webget_never_closes),
    ("webget-cut-short", webget_cut_short),
    ("webget-refused", webget_refused),
    ("webget-killed", webget_killed),
    ("mock-http", mock_http),
    ("webget-beside-curl", webget_beside_curl),
    ("webget-python-server", webget_python_server),
    ("webget-interim", webget_interim),
    ("webget-max-size", webget_max_size),
    ("inet-02-beside-webget", inet_02_beside_webget),
];

/// The port the system picked for the tour's server, as the lesson shows
/// it.
const TOUR_PORT: &str = "43527";

/// `cargo run -q -- web`: the chapter in the tour. Its files go to a
/// directory of its own under `/tmp`, with a random name.
fn tour_web(s: &mut Scene) -> Result<(), Stop> {
    s.set_env("TMPDIR", "/tmp");
    s.mask_hex_after("/tmp/inet-tour-web-", "3f9c0a17b2d4e681");
    for before in ["127.0.0.1:", "127.0.0.1_"] {
        s.mask_number_after(before, TOUR_PORT);
    }
    s.run("cargo run -q -- web")?;
    Ok(())
}

/// The port the system picked for a client, in a server's log, as the
/// lesson shows it (once the server's own line is shown).
const CLIENT_PORT: &str = "43312";

/// The minimal port, as the reader runs it.
const MINIMAL: &str = "cargo run -q --example inet_02_web_client --";

/// The mock of the minimal port's first run, in a first terminal.
const MINIMAL_MOCK: &str = "mock-http --port 8021";

/// The first terminal: the mock, and the line it logs for the request of
/// the second terminal.
fn minimal_mock(s: &mut Scene) -> Result<(), Stop> {
    s.server(MINIMAL_MOCK, 8021)?;
    s.mask_number_after("127.0.0.1:", CLIENT_PORT);
    s.quietly(|s| s.run(&format!("{MINIMAL} 127.0.0.1:8021")))?;
    s.server_lines("\"GET / HTTP/1.0\"")
}

/// The second terminal: the minimal port saves the page, raw.
fn minimal_port(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| s.server(MINIMAL_MOCK, 8021))?;
    s.run(&format!("{MINIMAL} 127.0.0.1:8021"))?;
    s.run("cat 127.0.0.1:8021.html")?;
    Ok(())
}

/// CutShort: half a body, saved and called a success.
fn minimal_cut_short(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8022 --fault close-mid-body", 8022)?;
    s.run(&format!("{MINIMAL} 127.0.0.1:8022"))?;
    s.run("cat 127.0.0.1:8022.html; echo")?;
    Ok(())
}

/// Refused: the last good copy is gone.
fn minimal_refused(s: &mut Scene) -> Result<(), Stop> {
    s.run("echo 'the last good copy' > 127.0.0.1:8023.html")?;
    s.run(&format!("{MINIMAL} 127.0.0.1:8023"))?;
    s.run("wc -c 127.0.0.1:8023.html")?;
    Ok(())
}

/// SilentServer: the minimal port waits until `timeout` kills it.
fn minimal_silent(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8024 --fault hang", 8024)?;
    s.run(&format!(
        "timeout 2 {MINIMAL} 127.0.0.1:8024; echo \"exit status $?\""
    ))?;
    Ok(())
}

/// `webget` and a server that never answers.
fn webget_silent(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8025 --fault hang", 8025)?;
    s.run("webget --timeout 1 127.0.0.1:8025; echo \"exit status $?\"")?;
    Ok(())
}

/// `webget` and a server that sends a byte every 100 ms: every read is in
/// time, the whole is not.
fn webget_trickle(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8026 --fault trickle", 8026)?;
    s.run("webget --timeout 0.5 127.0.0.1:8026; echo \"exit status $?\"")?;
    Ok(())
}

/// NeverCloses: `webget` stops at the `Content-Length`.
fn webget_never_closes(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8027 --fault extra-after-body", 8027)?;
    s.run("webget 127.0.0.1:8027")?;
    s.run("cat 127.0.0.1_8027.html; echo")?;
    Ok(())
}

/// CutShort: `webget` says so, and leaves no file.
fn webget_cut_short(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8028 --fault close-mid-body", 8028)?;
    s.run("webget 127.0.0.1:8028; echo \"exit status $?\"")?;
    s.run("ls -A | grep -c 8028")?;
    Ok(())
}

/// Refused: `webget` leaves the last good copy as it was.
fn webget_refused(s: &mut Scene) -> Result<(), Stop> {
    s.run("echo 'the last good copy' > 127.0.0.1_8029.html")?;
    s.run("webget 127.0.0.1:8029; echo \"exit status $?\"")?;
    s.run("cat 127.0.0.1_8029.html")?;
    Ok(())
}

/// A download killed with SIGKILL leaves its temporary file; the next
/// run for the same site deletes it.
fn webget_killed(s: &mut Scene) -> Result<(), Stop> {
    s.mask_hex_after(".127.0.0.1_8036.html.", "5e0b7d2c91a4f368");
    s.server("mock-http --port 8036 --fault stall-mid-body", 8036)?;
    s.run("timeout -s KILL 1 webget 127.0.0.1:8036; echo \"exit status $?\"")?;
    s.run("ls -A | grep 8036")?;
    s.run("webget --timeout 1 127.0.0.1:8036; echo \"exit status $?\"")?;
    s.run("ls -A | grep -c 8036")?;
    Ok(())
}

/// The mock of "Run it by hand", in a first terminal.
const MOCK: &str = "mock-http --port 8030";

/// The first terminal: the mock, and a line for each request the second
/// terminal makes.
fn mock_http(s: &mut Scene) -> Result<(), Stop> {
    s.needs("curl")?;
    s.needs("nc")?;
    s.server(MOCK, 8030)?;
    s.mask_number_after("127.0.0.1:", CLIENT_PORT);
    s.quietly(beside_curl)?;
    s.server_lines("\"GET / HTTP/1.1\"")?;
    s.server_lines("\"GET / HTTP/1.0\"")
}

/// The second terminal: `webget` and curl save the same bytes; the
/// original's request, sent with nc.
fn webget_beside_curl(s: &mut Scene) -> Result<(), Stop> {
    s.needs("curl")?;
    s.needs("nc")?;
    s.quietly(|s| s.server(MOCK, 8030))?;
    beside_curl(s)
}

fn beside_curl(s: &mut Scene) -> Result<(), Stop> {
    s.run("webget 127.0.0.1:8030")?;
    s.run("curl -si http://127.0.0.1:8030/ > curl.out")?;
    s.run("cmp 127.0.0.1_8030.html curl.out && echo same")?;
    s.run("printf 'GET / HTTP/1.0\\n\\n' | nc 127.0.0.1 8030 | head -1")?;
    Ok(())
}

/// Python's web server, serving a folder of one page.
fn webget_python_server(s: &mut Scene) -> Result<(), Stop> {
    s.needs("nc")?;
    let version = needs_python3()?;
    // Python's version is in its `Server` header, so in the size.
    s.mask(&format!("Python/{version}"), "Python/3.11.2");
    s.mask_number_after("200 OK, ", "212");
    s.set_env("PYTHONUNBUFFERED", "1");
    s.run("mkdir site && echo '<h1>Hello from Python</h1>' > site/index.html")?;
    s.server(
        "python3 -m http.server --bind 127.0.0.1 --directory site 8031",
        8031,
    )?;
    s.run("webget 127.0.0.1:8031")?;
    s.run("head -2 127.0.0.1_8031.html")?;
    s.run("printf 'GET / HTTP/1.0\\n\\n' | nc 127.0.0.1 8031 | head -1")?;
    Ok(())
}

/// The scene needs `python3`; returns its version (`3.11.2`).
fn needs_python3() -> Result<String, Stop> {
    let output = Command::new("python3").arg("-V").output();
    let skip = || Stop::Skip("needs python3, not installed here".into());
    let output = output.map_err(|_| skip())?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let version = text.trim().strip_prefix("Python ").ok_or_else(skip)?;
    Ok(version.to_string())
}

/// An interim reply before the page.
fn webget_interim(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8034 --fault interim", 8034)?;
    s.run("webget 127.0.0.1:8034")?;
    s.run("head -5 127.0.0.1_8034.html")?;
    Ok(())
}

/// A megabyte, and a cap of 100 000 bytes.
fn webget_max_size(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-http --port 8035 --generate 1000000", 8035)?;
    s.run("webget --max-size 100000 127.0.0.1:8035; echo \"exit status $?\"")?;
    s.run("webget 127.0.0.1:8035")?;
    Ok(())
}

/// The original, changed to fetch from the mock, then from a port where
/// nothing listens; `webget` beside it.
fn inet_02_beside_webget(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.server("mock-http --port 8032", 8032)?;
    s.run(
        "(echo '# -*- coding: utf-8 -*-'; sed -e 's/^SITES=.*/SITES=(\"127.0.0.1\",)/' \\
    -e 's/(site,80))/(site,8032))/' $ORIGINALS/inet_02.py) > inet_02_local.py",
    )?;
    s.run("python2.7 inet_02_local.py")?;
    s.run("webget 127.0.0.1:8032")?;
    s.run("cmp 127.0.0.1.html 127.0.0.1_8032.html && echo same")?;
    s.run("sed 's/(site,8032))/(site,8033))/' inet_02_local.py > inet_02_refused.py")?;
    s.run("python2.7 inet_02_refused.py")?;
    s.run("wc -c 127.0.0.1.html")?;
    s.run("webget 127.0.0.1:8033; echo \"exit status $?\"")?;
    Ok(())
}
