//! Properties of the line reader (`src/line.rs`), over generated streams.
//!
//! The reader must not care how TCP chunks a stream: the same bytes,
//! delivered in any pieces, with read timeouts in between, must give the
//! same lines and the same leftover. It must never panic, and a line over
//! the limit must always be refused without reading past the limit.

use crate::common::{self, Chunked};

use inet::line::{LineError, LineReader};
use proptest::prelude::*;

/// How a stream ended, as the reader reported it.
#[derive(Debug, PartialEq, Eq)]
enum Ending {
    Clean,
    MidLine(Vec<u8>),
    TooLong,
}

/// Reads every line, retrying after timeouts as a real caller would.
/// Checks on the way that the reader never holds more than the limit.
fn read_all(reader: Chunked, max_len: usize) -> (Vec<Vec<u8>>, Ending, usize) {
    let mut lines = LineReader::new(reader, max_len);
    let mut got = Vec::new();
    let ending = loop {
        let result = lines.read_line().map(|l| l.map(<[u8]>::to_vec));
        assert!(
            lines.buffered().len() <= lines.max_len(),
            "held past the limit"
        );
        match result {
            Ok(Some(line)) => got.push(line),
            Ok(None) => break Ending::Clean,
            Err(LineError::Timeout) => continue,
            Err(LineError::EofInLine { .. }) => {
                break Ending::MidLine(lines.take_buffered());
            }
            Err(LineError::TooLong { .. }) => break Ending::TooLong,
            Err(LineError::Io(e)) => panic!("unexpected I/O error: {e}"),
        }
    };
    let consumed = lines.get_ref().consumed();
    (got, ending, consumed)
}

/// The framing rule, written out the simple way: split on LF, strip one
/// CR before it, and check each line against the limit.
fn model(data: &[u8], max_len: usize) -> (Vec<Vec<u8>>, Ending) {
    let mut lines = Vec::new();
    let mut rest = data;
    while let Some(lf) = rest.iter().position(|&b| b == b'\n') {
        if lf + 1 > max_len {
            return (lines, Ending::TooLong);
        }
        let line = &rest[..lf];
        lines.push(line.strip_suffix(b"\r").unwrap_or(line).to_vec());
        rest = &rest[lf + 1..];
    }
    let ending = match rest.len() {
        0 => Ending::Clean,
        n if n >= max_len => Ending::TooLong,
        _ => Ending::MidLine(rest.to_vec()),
    };
    (lines, ending)
}

/// Bytes that are often line ends, so lines are short and plentiful.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    let byte =
        prop_oneof![4 => any::<u8>(), 1 => Just(b'\n'), 1 => Just(b'\r')];
    prop::collection::vec(byte, 0..400)
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..20, 0..12)
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_line.txt",
        512,
    ))]

    /// Any chunking, with timeouts anywhere, gives the same lines and the
    /// same ending as the whole stream in one piece, and as the model.
    #[test]
    fn chunking_never_changes_the_lines(
        data in stream(),
        sizes in chunk_sizes(),
        max_len in 1usize..64,
    ) {
        // A chunk list of only timeouts would never deliver anything.
        let mut sizes = sizes;
        sizes.push(1);
        let (lines, ending, _) = read_all(Chunked::new(&data, &sizes), max_len);
        let (whole, whole_ending, _) = read_all(Chunked::new(&data, &[]), max_len);
        prop_assert_eq!(&lines, &whole);
        prop_assert_eq!(&ending, &whole_ending);
        let (model_lines, model_ending) = model(&data, max_len);
        prop_assert_eq!(lines, model_lines);
        prop_assert_eq!(ending, model_ending);
    }

    /// Arbitrary bytes, any limit: no panic, and the reader never holds
    /// more than the limit (checked inside `read_all`).
    #[test]
    fn arbitrary_bytes_never_panic(
        data in prop::collection::vec(any::<u8>(), 0..2000),
        sizes in chunk_sizes(),
        max_len in 0usize..300,
    ) {
        let mut sizes = sizes;
        sizes.push(7);
        read_all(Chunked::new(&data, &sizes), max_len);
    }

    /// A first line longer than the limit is always refused, and the
    /// reader has not taken more than the limit from the stream.
    #[test]
    fn an_overlong_line_is_refused_without_reading_past_the_limit(
        max_len in 1usize..200,
        extra in 0usize..300,
        crlf in any::<bool>(),
        sizes in chunk_sizes(),
    ) {
        let mut data = vec![b'x'; max_len + extra];
        data.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        data.extend_from_slice(b"next line\n");
        let mut sizes = sizes;
        sizes.push(3);
        let (lines, ending, consumed) = read_all(Chunked::new(&data, &sizes), max_len);
        prop_assert!(lines.is_empty());
        prop_assert_eq!(ending, Ending::TooLong);
        prop_assert!(consumed <= max_len, "read {} bytes", consumed);
    }
}
