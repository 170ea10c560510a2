//! The tour (`cargo run`) runs every chapter offline and exits 0.

use assert_cmd::Command;
use std::time::Duration;

/// Long enough for a loaded machine; short enough that no test hangs.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `tour` binary, killed if it runs longer than [`TIMEOUT`].
fn tour() -> Command {
    let mut tour = Command::cargo_bin("tour").expect("the tour binary");
    tour.timeout(TIMEOUT);
    tour
}

/// Each chapter shows the program's output, the wire, and the server's
/// console, and the whole tour finishes quickly.
#[test]
fn the_tour_shows_every_chapter_and_exits_zero() {
    let output = tour().output().expect("run the tour");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "tour failed:\n{stdout}");
    for expected in [
        // Chapter 5: two clients, each on its own thread.
        "<-- Thread-1: CMDE 1 DU CLIENT 1",
        "<-- Thread-2: CMDE 2 DU CLIENT 2",
        "--> cmde 1 du client 1",
        "client 127.0.0.1 : cmde 1 du client 1 (Thread-1)",
        "end of session: the client closed the connection (Thread-2)",
        // Chapter 6: the keyboard answers a web client.
        "<--- 127.0.0.1 : GET / HTTP/1.0",
        "--> HTTP/1.0 200 OK",
        "<-- <html><body><h2>generic tcp server</h2></body></html>",
        "client 127.0.0.1 closed the connection",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

/// Like every program, the tour explains itself and refuses arguments it
/// does not take.
#[test]
fn the_tour_has_help_and_takes_no_arguments() {
    let help = tour().arg("--help").assert().success();
    let text = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    assert!(text.contains("usage: tour"), "{text}");
    tour().arg("extra").assert().code(1);
}
