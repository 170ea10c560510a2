//! Properties of the mock SMTP server over generated messages: whatever
//! the text, a correctly encoded message comes back as the client meant
//! it, exactly once.

use inet_mocks::smtp::Script;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

fn config() -> ProptestConfig {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../proptest-regressions/mock_smtp.txt"
    );
    ProptestConfig {
        // Each case is a real connection: fewer cases than a pure test.
        cases: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            file,
        ))),
        ..ProptestConfig::default()
    }
}

/// Text lines rich in what trips servers up: leading dots, lone dots,
/// empty lines, spaces, and a CR that is not followed by LF.
fn text_line() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => proptest::char::range(' ', '~').prop_map(|c| c as u8),
        2 => Just(b'.'),
        1 => Just(b'\r'),
    ];
    proptest::collection::vec(byte, 0..40)
        // A line must not end in CR: the CR would join the CRLF.
        .prop_filter("ends in CR", |line| line.last() != Some(&b'\r'))
}

/// The client's side of DATA, written here from RFC 5321 §4.5.2: every
/// line that starts with a dot gets one more, then CRLF `.` CRLF.
fn encode(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

fn read_reply(reader: &mut BufReader<TcpStream>) -> String {
    let mut reply = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        reply.push_str(&line);
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return reply;
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Any text, dot-stuffed and terminated, sent in any two pieces with a
    /// pipelined MAIL behind it, is kept once, byte for byte as the lines
    /// with CRLF ends.
    #[test]
    fn any_text_comes_back_unstuffed_exactly_once(
        lines in proptest::collection::vec(text_line(), 0..12),
        split in any::<prop::sample::Index>(),
    ) {
        let mock = Script::new().start().unwrap();
        let stream = TcpStream::connect(mock.addr()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = &stream;
        read_reply(&mut reader);
        let mut wire = b"EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n"
            .to_vec();
        wire.extend_from_slice(&encode(&lines));
        wire.extend_from_slice(b"MAIL FROM:<next@x>\r\nQUIT\r\n");
        let at = split.index(wire.len() + 1);
        writer.write_all(&wire[..at]).unwrap();
        writer.write_all(&wire[at..]).unwrap();
        let replies: Vec<String> = (0..7).map(|_| read_reply(&mut reader)).collect();
        prop_assert!(replies[4].starts_with("250 2.0.0 Ok: queued"), "{:?}", replies);
        prop_assert_eq!(&replies[5], "250 2.1.0 Ok\r\n");
        prop_assert_eq!(&replies[6], "221 2.0.0 Bye\r\n");

        let expected: Vec<u8> = lines
            .iter()
            .flat_map(|line| line.iter().chain(b"\r\n"))
            .copied()
            .collect();
        let messages = mock.messages();
        prop_assert_eq!(messages.len(), 1);
        prop_assert_eq!(&messages[0].data, &expected);
    }
}
