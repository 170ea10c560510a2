//! The tour's chapter 1 (`src/tour/names.rs`): `resolve` against the mock
//! DNS server, one exchange decoded, and the mock's question log.

use std::time::Duration;

use assert_cmd::Command;

#[test]
fn the_tour_shows_lookups_an_exchange_and_the_question_log() {
    let mut tour = Command::cargo_bin("tour").expect("the tour binary");
    let output = tour.timeout(Duration::from_secs(30)).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "tour failed:\n{stdout}");
    for expected in [
        "== Chapter 1: names and addresses (inet_01) ==",
        "ip[www.example.test]=192.0.2.7\nname[192.0.2.7]=example.test\n",
        "ip[nowhere.test]=host not found (NXDOMAIN)",
        "ip[example.test]=2001:db8::7\nname[2001:db8::7]=example.test\n",
        "      answer: www.example.test. 300 CNAME example.test.",
        "      answer: example.test. 300 A 192.0.2.7",
        "01 00 00 01 00 00 00 00 00 00 03 77 77 77",
        "    udp PTR 7.2.0.192.in-addr.arpa from 127.0.0.1:",
        "    udp AAAA example.test from 127.0.0.1:",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
