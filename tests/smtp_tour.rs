//! The tour's SMTP chapters (3 and 4): smtp-raw's conversation and
//! smtp-send's result against the in-process mock, and what it received.

use assert_cmd::Command;
use std::time::Duration;

#[test]
fn the_tour_shows_the_smtp_chapters() {
    let output = Command::cargo_bin("tour")
        .unwrap()
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "tour failed:\n{stdout}");
    for expected in [
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
        "== Chapter 4: SMTP through a library (inet_04) ==",
        "$ smtp-send mail2.txt",
        "Result: message sent\n(exit status 0)",
        "550 5.1.1 no such user\n(exit status 7: refused at RCPT TO)",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
