//! The scenes of lesson 4, SMTP through a library.
//!
//! The reader keeps two terminals in one directory: servers in the first,
//! clients in the second. Each server has a port of its own (2541-2559),
//! and each mail file names the server it is for: `mail2.txt` the first
//! mock's, then a copy for each server after it.

use super::super::scene::{Play, Scene, Stop};
use super::against;

/// Lesson 4's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-smtp", tour_smtp),
    ("inet-04-mock", inet_04_mock),
    ("inet-04-sends", inet_04_sends),
    ("refusing-mock", refusing_mock),
    ("inet-04-refused", inet_04_refused),
    ("inet-04-name-error", inet_04_name_error),
    ("silent-mock", silent_mock),
    ("inet-04-silent", inet_04_silent),
    ("smtp-send-refused", smtp_send_refused),
    ("smtp-send-bad-file", smtp_send_bad_file),
    ("smtp-send-silent", smtp_send_silent),
    ("mock-smtp-dump", mock_smtp_dump),
    ("smtp-send-debug", smtp_send_debug),
    ("smtp-send-beside-inet-04", smtp_send_beside_inet_04),
    ("trap-server", trap_server),
    ("smtp-send-trap", smtp_send_trap),
];

/// The port the system picks for the tour's mock servers, as the lesson
/// shows it.
const TOUR_PORT: &str = "40537";

/// `cargo run -q -- 4`: the tour's SMTP chapters, from a fresh clone.
fn tour_smtp(s: &mut Scene) -> Result<(), Stop> {
    s.mask_number_after("127.0.0.1:", TOUR_PORT);
    s.run("cargo run -q -- 4")?;
    Ok(())
}

/// The first mock: accepts every message.
const MOCK: &str = "mock-smtp --port 2541";

/// The first terminal: the mock the minimal port sends to.
fn inet_04_mock(s: &mut Scene) -> Result<(), Stop> {
    s.server(MOCK, 2541)
}

/// The mail file, as the reader writes it: inet_03's `mail2.txt`, its
/// first line naming the first mock.
const WRITE_MAIL2: &str = "cat > mail2.txt <<'EOF'
127.0.0.1:2541, me@x.test , you@y.test
From: me@x.test
To: you@y.test
Subject: test

ligne1
.dot line
..two dots

ligne3
EOF";

/// The minimal port, run as inet_04 runs: its debug lines on.
const MINIMAL: &str = "cargo run -q --example inet_04_smtp_library --";

/// The second terminal: the mail file, and the minimal port sending it.
fn inet_04_sends(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(inet_04_mock)?;
    s.run(WRITE_MAIL2)?;
    s.run(&format!("{MINIMAL} mail2.txt"))?;
    Ok(())
}

/// A mock that refuses the recipient.
const REFUSING: &str =
    "mock-smtp --port 2542 --reply-rcpt 'you=550 5.1.1 no such user'";

/// The first terminal: the mock that refuses.
fn refusing_mock(s: &mut Scene) -> Result<(), Stop> {
    s.server(REFUSING, 2542)
}

/// The mail file for the refusing mock, from `mail2.txt`.
const REFUSED_TXT: &str = "sed 's/:2541,/:2542,/' mail2.txt > refused.txt";

/// The mail file for the silent mock, from `mail2.txt`.
const SILENT_TXT: &str = "sed 's/:2541,/:2543,/' mail2.txt > silent.txt";

/// The second terminal, with `server` started in another: the copy of
/// `mail2.txt` for it (see [`against`]), then `command`, and its exit
/// status.
fn against_mail2(
    s: &mut Scene,
    server: Play,
    copy: (&str, bool),
    command: &str,
) -> Result<(), Stop> {
    against(s, &[WRITE_MAIL2], server, copy)?;
    s.run(&format!("{command}; echo \"exit status $?\""))?;
    Ok(())
}

/// The second terminal: the minimal port is refused, and exits 0.
fn inet_04_refused(s: &mut Scene) -> Result<(), Stop> {
    let port = format!("{MINIMAL} refused.txt 2> /dev/null");
    against_mail2(s, refusing_mock, (REFUSED_TXT, true), &port)
}

/// The minimal port, given a mail file that is not there.
fn inet_04_name_error(s: &mut Scene) -> Result<(), Stop> {
    s.run(&format!("{MINIMAL} nosuch.txt; echo \"exit status $?\""))?;
    Ok(())
}

/// A mock that never greets (an hour is forever to a reader).
const SILENT: &str = "mock-smtp --port 2543 --delay GREETING=3600";

/// The third terminal: the mock that keeps silent.
fn silent_mock(s: &mut Scene) -> Result<(), Stop> {
    s.server(SILENT, 2543)
}

/// The second terminal: the minimal port waits until `timeout` kills it.
fn inet_04_silent(s: &mut Scene) -> Result<(), Stop> {
    let port = format!("timeout 2 {MINIMAL} silent.txt");
    against_mail2(s, silent_mock, (SILENT_TXT, true), &port)
}

/// `smtp-send` against the refusing mock: exit status 7.
fn smtp_send_refused(s: &mut Scene) -> Result<(), Stop> {
    let send = "smtp-send refused.txt";
    against_mail2(s, refusing_mock, (REFUSED_TXT, false), send)
}

/// `smtp-send` given a mail file that is not there: exit status 2.
fn smtp_send_bad_file(s: &mut Scene) -> Result<(), Stop> {
    s.run("smtp-send nosuch.txt; echo \"exit status $?\"")?;
    Ok(())
}

/// `smtp-send` against the silent mock, with a short timeout.
fn smtp_send_silent(s: &mut Scene) -> Result<(), Stop> {
    let send = "smtp-send --timeout 2 silent.txt";
    against_mail2(s, silent_mock, (SILENT_TXT, false), send)
}

/// The mock of "Run it by hand", which keeps each message in `dump/`.
fn mock_smtp_dump(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-smtp --port 2544 --dump-dir dump", 2544)
}

/// `mail2.txt` moved to the mock on 2544 (the original reads no other).
const MAIL2_TO_2544: &str = "sed -i.bak 's/:2541,/:2544,/' mail2.txt";

/// `smtp-send --debug`, with the mock started in another terminal.
fn smtp_send_debug(s: &mut Scene) -> Result<(), Stop> {
    against(s, &[WRITE_MAIL2], mock_smtp_dump, (MAIL2_TO_2544, true))?;
    s.run("smtp-send --debug mail2.txt")?;
    Ok(())
}

/// inet_04.py and `smtp-send --debug`, after the run above, against the
/// same mock: their debug lines side by side, and the messages kept.
fn smtp_send_beside_inet_04(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.quietly(smtp_send_debug)?;
    s.run("python2.7 $ORIGINALS/inet_04.py 2> py.err")?;
    s.run("smtp-send --debug mail2.txt 2> rs.err")?;
    s.run("diff py.err rs.err")?;
    s.run("cmp dump/msg-0002.eml dump/msg-0003.eml && echo same")?;
    Ok(())
}

/// The replies of the trap, all written before any command is read:
/// every RCPT refused, DATA answered 354 all the same. Then `bye`, which
/// makes `tcp-server` close once the client is done.
const WRITE_TRAP: &str = "printf '%s\\r\\n' '220 trap.test' '250-trap.test' \\
  '250 PIPELINING' '250 sender ok' '550 no such user' '354 go ahead' \\
  '554 no valid recipients' '250 reset' '221 bye' bye > replies.txt";

/// The first terminal: lesson 6's `tcp-server` plays the server, its
/// keyboard a file of replies.
fn trap_server(s: &mut Scene) -> Result<(), Stop> {
    s.run(WRITE_TRAP)?;
    s.server("tcp-server 2545 < replies.txt", 2545)
}

/// The second terminal: `smtp-send --debug` walks into the trap, with
/// `mail2.txt` as "Run it by hand" left it (its mock is not started:
/// nothing here is sent to it).
fn smtp_send_trap(s: &mut Scene) -> Result<(), Stop> {
    let trap = ("sed 's/:2544,/:2545,/' mail2.txt > trap.txt", true);
    against(s, &[WRITE_MAIL2, MAIL2_TO_2544], trap_server, trap)?;
    s.run("smtp-send --debug trap.txt; echo \"exit status $?\"")?;
    Ok(())
}
