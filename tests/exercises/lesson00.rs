//! Lesson 0's exercises.

#[path = "../../lessons/answers/split_lines.rs"]
mod split_lines_answer;
#[path = "../../lessons/exercises/split_lines.rs"]
mod split_lines_start;

#[path = "../../lessons/answers/line_within.rs"]
mod line_within_answer;
#[path = "../../lessons/exercises/line_within.rs"]
mod line_within_start;

/// Lesson 0, exercise 1: the lines of a stream that arrives in pieces.
mod split_lines {
    use super::{split_lines_answer as answer, split_lines_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored split_lines`"]
    fn start() {
        use start::SplitLines as S;
        check(S::new, S::push, S::finish);
    }

    #[test]
    fn answer() {
        use answer::SplitLines as S;
        check(S::new, S::push, S::finish);
    }

    /// What feeding a splitter gave: its lines and what `finish` left, as
    /// text (a failed check shows them so), or `None` if it refused a line
    /// as too long.
    type Fed = Option<(Vec<String>, String)>;

    /// A stream of CRLF and LF lines, an empty line, and an unfinished
    /// one.
    const STREAM: &[u8] = b"hello\r\nworld\n\nlast";

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn check<S, E>(
        new: impl Fn(usize) -> S,
        push: impl Fn(&mut S, &[u8]) -> Result<Vec<Vec<u8>>, E>,
        finish: impl Fn(S) -> Vec<u8>,
    ) {
        // Feeds `input` cut at `cuts` (sorted) to a new splitter.
        let feed = |input: &[u8], cuts: &[usize], max_len: usize| -> Fed {
            let mut splitter = new(max_len);
            let (mut lines, mut from) = (Vec::new(), 0);
            for &cut in cuts.iter().chain([&input.len()]) {
                let got = push(&mut splitter, &input[from..cut]).ok()?;
                lines.extend(got.iter().map(|line| text(line)));
                from = cut;
            }
            Some((lines, text(&finish(splitter))))
        };
        let lines = |list: &[&str]| -> Vec<String> {
            list.iter().map(|&line| line.to_owned()).collect()
        };
        let expected = Some((lines(&["hello", "world", ""]), "last".into()));

        let whole = feed(STREAM, &[], 64);
        assert_eq!(whole, expected, "the stream in one read");
        for a in 1..STREAM.len() {
            for b in a..STREAM.len() {
                let got = feed(STREAM, &[a, b], 64);
                assert_eq!(got, expected, "the stream cut at {a} and {b}");
            }
        }
        let bytes: Vec<usize> = (1..STREAM.len()).collect();
        let got = feed(STREAM, &bytes, 64);
        assert_eq!(got, expected, "the stream one byte per read");

        // The limit counts the terminator: "1234567\n" is 8 bytes.
        let fits = feed(b"1234567\n", &[], 8);
        let want = Some((lines(&["1234567"]), String::new()));
        assert_eq!(fits, want, "8 bytes in 8");
        for (input, what) in [
            (&b"12345678\nok\n"[..], "a line of 9 bytes"),
            (&b"ok\n12345678"[..], "8 bytes and no terminator yet"),
        ] {
            let whole = feed(input, &[], 8);
            assert_eq!(whole, None, "{what}, in one read, with a limit of 8");
            let bytes: Vec<usize> = (1..input.len()).collect();
            let split = feed(input, &bytes, 8);
            assert_eq!(split, None, "{what}, a byte per read, limit 8");
        }
    }
}

/// Lesson 0, exercise 2: one deadline for a whole line.
mod line_within {
    use super::{line_within_answer as answer, line_within_start as start};
    use inet::blocking::is_timeout;
    use std::io::{self, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored line_within`"]
    fn start() {
        check(start::read_line_within);
    }

    #[test]
    fn answer() {
        check(answer::read_line_within);
    }

    /// The budget of each line in the check.
    const BUDGET: Duration = Duration::from_millis(300);
    /// The trickling peer's pause between two bytes: far less than the
    /// budget, so no single read comes near it.
    const TRICKLE: Duration = Duration::from_millis(20);
    /// The longest the function under test may take before the check
    /// calls it stuck.
    const STUCK: Duration = Duration::from_secs(10);

    type ReadLine = fn(&TcpStream, Duration) -> io::Result<Vec<u8>>;

    fn check(read_line: ReadLine) {
        let got = read_from(read_line, |mut peer| {
            peer.write_all(b"hello\n").unwrap();
        });
        assert_eq!(got.unwrap(), b"hello", "a line that comes at once");

        let got = read_from(read_line, |mut peer| {
            let _ = peer.read(&mut [0]); // silent until the reader leaves
        });
        let error = got.expect_err("a silent peer must time out");
        assert!(is_timeout(&error), "a silent peer: {error}");

        // 100 bytes, 2 s in all: each read waits 20 ms, the line 2 s.
        let got = read_from(read_line, |mut peer| {
            for _ in 0..99 {
                if peer.write_all(b"x").is_err() {
                    return; // the reader gave up, as it should
                }
                thread::sleep(TRICKLE);
            }
            let _ = peer.write_all(b"\n");
        });
        match got {
            Err(error) => assert!(is_timeout(&error), "a trickle: {error}"),
            Ok(line) => panic!(
                "a byte every {TRICKLE:?}: the line of {} bytes came whole, \
                 long after its budget of {BUDGET:?}",
                line.len()
            ),
        }
    }

    /// Runs `read_line` on a connection whose other end `peer` plays.
    fn read_from(
        read_line: ReadLine,
        peer: impl FnOnce(TcpStream) + Send + 'static,
    ) -> io::Result<Vec<u8>> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream =
            TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (other, _) = listener.accept().unwrap();
        other.set_read_timeout(Some(STUCK)).unwrap();
        other.set_write_timeout(Some(STUCK)).unwrap();
        thread::spawn(move || peer(other));
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(read_line(&stream, BUDGET));
        });
        let stuck = format!("read_line_within did not return within {STUCK:?}");
        result.recv_timeout(STUCK).expect(&stuck)
    }
}
