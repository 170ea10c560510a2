//! The tour (`cargo run`) runs every chapter offline and exits 0: one
//! test per chapter, all reading the output of one run of the tour.

use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;

/// Long enough for a loaded machine; short enough that no test hangs.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `tour` binary, killed if it runs longer than [`TIMEOUT`].
fn tour() -> Command {
    let mut tour = Command::cargo_bin("tour").expect("the tour binary");
    tour.timeout(TIMEOUT);
    tour
}

/// The standard output of the tour, run once for all the tests here;
/// the tour must have succeeded.
fn tour_output() -> &'static str {
    static OUTPUT: OnceLock<(bool, String)> = OnceLock::new();
    let (success, stdout) = OUTPUT.get_or_init(|| {
        let output = tour().output().expect("run the tour");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.success(), stdout)
    });
    assert!(success, "tour failed:\n{stdout}");
    stdout
}

/// Each of `expected` is somewhere in the tour's output.
fn assert_shows(expected: &[&str]) -> &'static str {
    let stdout = tour_output();
    for expected in expected {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    stdout
}

/// Chapter 0 (`bin/tour/bytes.rs`): each write and the read it gave,
/// then the three lines the line reader finds in the same bytes, the
/// last one ended by CRLF and begun by another write.
#[test]
fn the_tour_shows_writes_reads_and_lines() {
    assert_shows(&[
        "== Chapter 0: bytes, lines and deadlines ==",
        "client write 1: \"hello\\nworld\\n\"\n  server read 1: \"hello\\nworld\\n\"",
        "client write 2: \"hel\"\n  server read 2: \"hel\"",
        "  line: \"hello\"\n  line: \"world\"\n  line: \"hello again\"\n",
    ]);
}

/// Chapter 1 (`bin/tour/names.rs`): `resolve` against the mock DNS
/// server, one exchange decoded, and the mock's question log.
#[test]
fn the_tour_shows_lookups_an_exchange_and_the_question_log() {
    assert_shows(&[
        "== Chapter 1: names and addresses (inet_01) ==",
        "ip[www.example.test]=192.0.2.7\nname[192.0.2.7]=example.test\n",
        "ip[nowhere.test]=host not found (NXDOMAIN)",
        "ip[example.test]=2001:db8::7\nname[2001:db8::7]=example.test\n",
        "      answer: www.example.test. 300 CNAME example.test.",
        "      answer: example.test. 300 A 192.0.2.7",
        "01 00 00 01 00 00 00 00 00 00 03 77 77 77",
        "    udp PTR 7.2.0.192.in-addr.arpa from 127.0.0.1:",
        "    udp AAAA example.test from 127.0.0.1:",
    ]);
}

/// Chapter 2 (`bin/tour/web.rs`): `webget` saves a page, shows the wire,
/// refuses a truncated one, and leaves no partial file.
#[test]
fn the_tour_shows_the_web_chapter() {
    let stdout = assert_shows(&[
        "== Chapter 2: a web client (inet_02) ==",
        "Transfer of the index page of site 127.0.0.1 succeeded: ",
        "(HTTP/1.0 200 OK, 129 bytes)",
        "    C: GET / HTTP/1.0\\r\n",
        "    S: Content-Length: 41\\r\n",
        "The head of the saved file, 127.0.0.1_",
        "failed: truncated: got 50 of 100 body bytes",
        "Files in the output directory: 1 (no partial file)",
    ]);
    // The chapter removed its output directory.
    let dir = stdout
        .lines()
        .find_map(|l| l.strip_prefix("$ webget --out-dir "))
        .and_then(|rest| rest.split(' ').next())
        .expect("the webget command line");
    assert!(dir.contains("inet-tour-web-"), "{dir}");
    assert!(!std::path::Path::new(dir).exists(), "{dir} left behind");
}

/// Chapter 3 (`bin/tour/smtp.rs`): smtp-raw's conversation against the
/// in-process mock, and what the mock received.
#[test]
fn the_tour_shows_smtp_by_hand() {
    assert_shows(&[
        "== Chapter 3: SMTP by hand (inet_03) ==",
        "$ smtp-raw mail2.txt",
        // The greeting comes first, each reply whole, after its command.
        "Sending the message [127.0.0.1,me@example.test,you@example.test]\n\
         <-- [220 mock.test ESMTP inet-mocks]\n--> [EHLO [127.0.0.1]]\n\
         <-- [250-mock.test\n250-PIPELINING\n",
        "..ligne2 starts with a dot\n",
        "Result: message accepted: 250 2.0.0 Ok: queued as MOCK0001",
        "What the mock SMTP server received:",
        "    .ligne2 starts with a dot\\r\n",
    ]);
}

/// Chapter 4 (`bin/tour/smtp.rs`): smtp-send's result, sent and refused.
#[test]
fn the_tour_shows_smtp_through_a_library() {
    assert_shows(&[
        "== Chapter 4: SMTP through a library (inet_04) ==",
        "$ smtp-send mail2.txt",
        "Result: message sent\n(exit status 0)",
        "550 5.1.1 no such user\n(exit status 7: refused at RCPT TO)",
    ]);
}

/// Chapter 5 (`bin/tour/echo.rs`): two clients, each on its own thread.
#[test]
fn the_tour_shows_the_echo_server() {
    assert_shows(&[
        "<-- Thread-1: CMDE 1 DU CLIENT 1",
        "<-- Thread-2: CMDE 2 DU CLIENT 2",
        "--> cmde 1 du client 1",
        "client 127.0.0.1 : cmde 1 du client 1 (Thread-1)",
        "end of session: the client closed the connection (Thread-2)",
        // Each command before its reply, though the relay records the
        // two ways on two threads.
        "    --> cmde 1 du client 2\n    <-- Thread-2: CMDE 1 DU CLIENT 2\n    \
         --> cmde 2 du client 2\n    <-- Thread-2: CMDE 2 DU CLIENT 2\n",
    ]);
}

/// Chapter 6 (`bin/tour/generic.rs`): the keyboard answers a web client.
#[test]
fn the_tour_shows_the_generic_server() {
    assert_shows(&[
        "<--- 127.0.0.1 : GET / HTTP/1.0",
        "--> HTTP/1.0 200 OK",
        "<-- <html><body><h2>generic tcp server</h2></body></html>",
        "client 127.0.0.1 closed the connection",
    ]);
}

/// Like every program, the tour explains itself, and it refuses a chapter
/// it does not have.
#[test]
fn the_tour_has_help_and_refuses_unknown_chapters() {
    let help = tour().arg("--help").assert().success();
    let text = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    assert!(text.contains("usage: tour [CHAPTER]"), "{text}");
    for name in ["bytes", "names", "web", "smtp", "echo", "generic"] {
        assert!(text.contains(&format!("\n  {name} ")), "{name}: {text}");
    }
    for wrong in [&["extra"][..], &["7"], &["names", "web"]] {
        tour().args(wrong).assert().code(1);
    }
}

/// `tour CHAPTER` (a name, or a lesson's number) runs that chapter only,
/// then names its lesson.
#[test]
fn a_chapter_runs_alone_by_name_or_lesson_number() {
    let chapters = [
        ("0", "== Chapter 0:", "lessons/00-bytes-lines-deadlines.md"),
        ("names", "== Chapter 1:", "lessons/01-names.md"),
        ("4", "== Chapter 4:", "lessons/04-smtp-library.md"),
    ];
    for (arg, heading, lesson) in chapters {
        let output = tour().arg(arg).output().expect("run the tour");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{arg}:\n{stdout}");
        assert!(stdout.contains(heading), "{arg}: no {heading}:\n{stdout}");
        assert!(stdout.contains(lesson), "{arg}: no {lesson}:\n{stdout}");
        let headings = stdout.lines().filter(|l| l.starts_with("== Chapter"));
        let expected = if arg == "4" { 2 } else { 1 }; // 3 and 4 run together
        assert_eq!(headings.count(), expected, "{arg}:\n{stdout}");
    }
}
