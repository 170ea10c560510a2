//! The scenes of lesson 7, measuring.
//!
//! The benchmarks themselves (`cargo bench`) print figures that change
//! from run to run, and take minutes to build: the lesson shows their
//! commands, not their output. What these scenes play is what can be
//! counted: system calls, the bytes of each write, a listen queue's
//! length. Those are the same on every run.
//!
//! Counting with `strace` is for Linux, and needs a kernel that lets a
//! process trace its children; where it can't, the scenes are skipped.

use super::super::scene::{Play, Scene, Stop};

/// Lesson 7's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("strace-echo-server", strace_echo_server),
    ("strace-echo-counts", strace_echo_counts),
    ("strace-webget-server", strace_webget_server),
    ("strace-webget", strace_webget),
    ("strace-mock-smtp", strace_mock_smtp),
    ("strace-mock-smtp-writes", strace_mock_smtp_writes),
    ("listen-backlog", listen_backlog),
    ("listen-backlog-ss", listen_backlog_ss),
    ("inet-08-backlog", inet_08_backlog),
];

/// The scene needs a `strace` that can trace here, and that has `-U`
/// (strace 5.6 or newer), and `ss` to find a server by its port.
fn needs_strace(s: &mut Scene) -> Result<(), Stop> {
    s.needs("strace")?;
    s.needs("ss")?;
    let probe = "strace -f -c -S name -U calls,name -o /dev/null true";
    match s.quietly(|s| s.run(probe))? {
        Some(0) => Ok(()),
        _ => Err(Stop::Skip(format!(
            "`{probe}` fails here (no ptrace, or a strace older than 5.6)"
        ))),
    }
}

/// Ctrl-C in the terminal of the server that listens on `port` (the
/// lesson's port; the real one is used): the server ends, and `strace`,
/// the leader of its process group, writes what it counted and ends too.
/// The scene sends the server SIGTERM: SIGINT may be ignored here (a
/// non-interactive shell starts its background jobs with SIGINT ignored,
/// and their children inherit that). Then it waits until `strace` has
/// ended, so that what it wrote is whole.
fn ctrl_c(s: &mut Scene, port: u16) -> Result<(), Stop> {
    let command = format!(
        "pid=$(ss -Hltnp 'sport = :{port}' | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p')
group=$(ps -o pgid= -p \"$pid\" | tr -d ' ')
kill \"$pid\"
while ps -o stat= -p \"$group\" | grep -qv Z; do sleep 0.05; done"
    );
    match s.quietly(|s| s.run(&command))? {
        Some(0) => Ok(()),
        other => Err(Stop::Fail(format!(
            "no server on port {port} to stop (status {other:?})"
        ))),
    }
}

/// The echo server, its system calls counted.
const STRACE_ECHO: &str =
    "strace -f -c -S name -U calls,name -o echo.strace echo-server 7101";
/// A thousand lines, one round trip each.
const THOUSAND_LINES: &str =
    "seq 1000 | sed 's/^/ping /' | echo-client 127.0.0.1 7101 > /dev/null";

/// The first terminal: `echo-server` under `strace -c`.
fn strace_echo_server(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.server(STRACE_ECHO, 7101)
}

/// The second terminal: a thousand round trips, then (after Ctrl-C in
/// the first) the counts.
fn strace_echo_counts(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.quietly(|s| s.server(STRACE_ECHO, 7101))?;
    s.run(THOUSAND_LINES)?;
    ctrl_c(s, 7101)?;
    s.run("grep -E 'recvfrom|sendto|setsockopt' echo.strace")?;
    Ok(())
}

/// A web server with a body of 64 MiB.
const MOCK_HTTP: &str = "mock-http --port 7102 --generate 16777216";

/// The first terminal: the mock web server.
fn strace_webget_server(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.server(MOCK_HTTP, 7102)
}

/// The second terminal: webget's system calls, per MiB.
fn strace_webget(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.quietly(|s| s.server(MOCK_HTTP, 7102))?;
    s.run("strace -f -c -S name -U calls,name -o webget.strace webget 127.0.0.1:7102")?;
    s.run(
        "awk '/recvfrom|setsockopt|write/ { printf \"%-10s %.0f per MiB\\n\", $2, $1 / 16 }' \\
  webget.strace",
    )?;
    s.run("rm 127.0.0.1_7102.html")?;
    Ok(())
}

/// The mock SMTP server, its writes traced.
const STRACE_SMTP: &str =
    "strace -f -e trace=sendto -s 80 -o mock.tr mock-smtp --port 7103";
/// A message, then the two senders: ours (pipelining) and smtplib.
const TWO_SENDERS: [&str; 3] = [
    "printf '127.0.0.1:7103, a@x.test, b@y.test\\nSubject: hi\\n\\nbody\\n' > m.txt",
    "smtp-send m.txt",
    "python3 -c 'import smtplib; s = smtplib.SMTP(\"127.0.0.1\", 7103)
s.sendmail(\"a@x.test\", [\"b@y.test\"], b\"Subject: hi\\r\\n\\r\\nbody\\r\\n\"); s.quit()'",
];

/// The two senders, one after the other.
fn two_senders(s: &mut Scene) -> Result<(), Stop> {
    for command in TWO_SENDERS {
        s.run(command)?;
    }
    Ok(())
}

/// The first terminal: the mock under strace, and its log of the two
/// sessions.
fn strace_mock_smtp(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.needs("python3")?;
    s.mask_with(client_ports);
    s.server(STRACE_SMTP, 7103)?;
    s.quietly(two_senders)?;
    s.server_lines("session 2 ended")
}

/// The port each session's client had, as the lesson shows it: session N
/// came from port 53512 + 2N.
fn client_ports(text: &str) -> String {
    let mut shown = String::new();
    for line in text.split_inclusive('\n') {
        let session = line.strip_prefix("session ").and_then(|rest| {
            let (number, rest) = rest.split_once(' ')?;
            let n: u16 = number.parse().ok()?;
            let port = rest.strip_prefix("from 127.0.0.1:")?;
            let digits = port
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(port.len());
            Some(format!(
                "session {n} from 127.0.0.1:{}{}",
                53512 + 2 * n,
                &port[digits..]
            ))
        });
        shown.push_str(session.as_deref().unwrap_or(line));
    }
    shown
}

/// The second terminal: the two senders, then (after Ctrl-C in the
/// first) what each `sendto` of the mock carried.
fn strace_mock_smtp_writes(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    s.needs("python3")?;
    s.quietly(|s| s.server(STRACE_SMTP, 7103))?;
    two_senders(s)?;
    ctrl_c(s, 7103)?;
    s.run("grep -o '\"[^\"]*\"' mock.tr")?;
    Ok(())
}

/// `echo-server`'s listen call. strace says it before the server says
/// its port, so the stage gives it a free port.
const STRACE_LISTEN: &str = "strace -e trace=listen echo-server 7106";

/// The first terminal: the backlog `listen` is given.
fn listen_backlog(s: &mut Scene) -> Result<(), Stop> {
    needs_strace(s)?;
    // The socket's descriptor is the lowest free one: 3, unless whoever
    // runs the tests left more open (`time -o FILE`, say).
    s.mask_number_after("listen(", "3");
    s.server_on_free_port(STRACE_LISTEN, 7106)?;
    s.server_lines("listening on")
}

/// The second terminal: the listen queue's length, as `ss` shows it.
fn listen_backlog_ss(s: &mut Scene) -> Result<(), Stop> {
    s.needs("ss")?;
    s.quietly(|s| s.server("echo-server 7106", 7106))?;
    s.run("ss -ltn 'sport = :7106'")?;
    Ok(())
}

/// The Python original's listen queue.
fn inet_08_backlog(s: &mut Scene) -> Result<(), Stop> {
    s.needs("ss")?;
    s.needs_python()?;
    s.set_env("PYTHONUNBUFFERED", "1");
    s.server_on_free_port("python2.7 $ORIGINALS/inet_08.py 7107", 7107)?;
    s.run("ss -ltn 'sport = :7107'")?;
    Ok(())
}
