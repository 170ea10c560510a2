//! Lesson 6's exercises.

#[path = "../../lessons/answers/keyboard_line.rs"]
mod keyboard_line_answer;
#[path = "../../lessons/exercises/keyboard_line.rs"]
mod keyboard_line_start;
#[path = "../../lessons/answers/lecture.rs"]
mod lecture_answer;
#[path = "../../lessons/exercises/lecture.rs"]
mod lecture_start;
#[path = "../../lessons/answers/refuse_waiting.rs"]
mod refuse_waiting_answer;
#[path = "../../lessons/exercises/refuse_waiting.rs"]
mod refuse_waiting_start;

/// Lesson 6, exercise 1: the minimal port's reader thread, fixed.
mod lecture {
    use super::{lecture_answer as answer, lecture_start as start};
    use std::io::{self, BufRead, BufReader, Read};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored lecture`"]
    fn start() {
        check(|client, show| start::lecture(client, show));
    }

    #[test]
    fn answer() {
        check(|client, show| answer::lecture(client, show));
    }

    /// A `lecture` under test.
    type Lecture<'f> =
        &'f dyn Fn(&mut dyn BufRead, &mut dyn FnMut(&str)) -> io::Result<usize>;

    /// More lines than any input here has: a reader that shows this many
    /// goes on after the end of the stream.
    const SPINNING: usize = 100;

    /// What `lecture` showed of `input`, and what it returned.
    fn shown(
        lecture: Lecture<'_>,
        input: &mut dyn BufRead,
    ) -> (Vec<String>, io::Result<usize>) {
        let mut lines = Vec::new();
        let returned = lecture(input, &mut |line: &str| {
            assert!(
                lines.len() < SPINNING,
                "it shows line after line after the end of the stream: \
                 the reader spins; it showed {:?} first",
                &lines[..4]
            );
            lines.push(line.to_string());
        });
        (lines, returned)
    }

    fn check(
        lecture: impl Fn(
            &mut dyn BufRead,
            &mut dyn FnMut(&str),
        ) -> io::Result<usize>,
    ) {
        let cases: [(&[u8], &[&str]); 6] = [
            (
                b"GET / HTTP/1.0\r\nHost: x\r\n\r\n",
                &["GET / HTTP/1.0", "Host: x", ""],
            ),
            (b"bye\r\nmore after bye\r\n", &["bye", "more after bye"]),
            (
                b"  the last line, no newline",
                &["the last line, no newline"],
            ),
            (b"", &[]),
            (b"\xe9t\xe9\n", &["\u{fffd}t\u{fffd}"]),
            (b"\n\n", &["", ""]),
        ];
        for (input, want) in cases {
            let (lines, returned) = shown(&lecture, &mut &input[..]);
            let text = String::from_utf8_lossy(input);
            assert_eq!(lines, want, "the lines shown of {text:?}");
            let returned = returned.expect("reading a slice can't fail");
            assert_eq!(returned, want.len(), "the count returned for {text:?}");
        }
        // A reset after one line: the line is shown, the error returned.
        let mut reset = BufReader::new(ThenReset(b"hello\n"));
        let (lines, returned) = shown(&lecture, &mut reset);
        assert_eq!(lines, ["hello"], "the line before the reset");
        let kind = returned.map_err(|e| e.kind());
        assert_eq!(kind, Err(io::ErrorKind::ConnectionReset), "a reset");
    }

    /// A client that sends its bytes, then resets the connection.
    struct ThenReset(&'static [u8]);

    impl Read for ThenReset {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            let n = self.0.read(buf)?;
            Ok(n)
        }
    }
}

/// Lesson 6, exercise 2: a typed line is `bye`, or a line sent with CRLF.
mod keyboard_line {
    use super::{keyboard_line_answer as answer, keyboard_line_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored \
                keyboard_line`"]
    fn start() {
        use start::Typed;
        check(|typed| match start::keyboard_line(typed) {
            Typed::Bye => None,
            Typed::Send(bytes) => Some(bytes),
        });
    }

    #[test]
    fn answer() {
        use answer::Typed;
        check(|typed| match answer::keyboard_line(typed) {
            Typed::Bye => None,
            Typed::Send(bytes) => Some(bytes),
        });
    }

    /// `keyboard_line`, with `None` for `Bye`.
    fn check(keyboard_line: impl Fn(&[u8]) -> Option<Vec<u8>>) {
        let byes: [&[u8]; 5] =
            [b"bye\n", b"bye", b"bye\r\n", b"  bye \t\r\n", b"bye\r"];
        for typed in byes {
            let got = keyboard_line(typed);
            let text = String::from_utf8_lossy(typed);
            assert_eq!(got, None, "{text:?} is bye, and ends the session");
        }
        let lines: [(&[u8], &[u8]); 10] = [
            (b"GET / HTTP/1.0\n", b"GET / HTTP/1.0\r\n"),
            (b"Host: x\r\n", b"Host: x\r\n"),
            (b"\n", b"\r\n"),
            (b"\r\n", b"\r\n"),
            (b"the last line", b"the last line\r\n"),
            (b"a\rb\n", b"a\rb\r\n"),
            (b"  indented \n", b"  indented \r\n"),
            (b"\xe9t\xe9\n", b"\xe9t\xe9\r\n"),
            (b"bye now\n", b"bye now\r\n"),
            (b"byebye\r\n", b"byebye\r\n"),
        ];
        for (typed, sent) in lines {
            let got = keyboard_line(typed);
            let text = String::from_utf8_lossy(typed);
            let got = got.map(|b| String::from_utf8_lossy(&b).into_owned());
            let sent = String::from_utf8_lossy(sent).into_owned();
            assert_eq!(got, Some(sent), "what is sent for {text:?}");
        }
    }
}

/// Lesson 6, exercise 3: refuse the clients who wait.
mod refuse_waiting {
    use super::{
        refuse_waiting_answer as answer, refuse_waiting_start as start,
    };
    use crate::common::{WAIT, connect};
    use std::io::{self, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// How long a blocking `accept` with nobody coming is watched
    /// waiting: "still waiting after this long" stands for "blocks".
    const HANG: Duration = Duration::from_millis(300);

    /// How many calls may answer the clients who wait, between them.
    const RETRIES: usize = 100;

    /// A `refuse_waiting` under test.
    type Refuse = fn(&TcpListener, &str, Duration) -> io::Result<usize>;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored \
                refuse_waiting`"]
    fn start() {
        check(start::refuse_waiting);
    }

    #[test]
    fn answer() {
        check(answer::refuse_waiting);
    }

    fn check(refuse: Refuse) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let listener = returns_at_once_when_nobody_waits(refuse, listener);
        answers_each_waiting_client_without_a_reset(refuse, &listener);
        lets_go_of_a_client_that_does_not_close(refuse, &listener);
        leaves_the_listener_blocking(listener);
    }

    /// Calls `refuse` on another thread; panics if it takes longer than
    /// [`WAIT`]. Returns the listener and what `refuse` returned.
    fn bounded(
        refuse: Refuse,
        listener: TcpListener,
        drain: Duration,
    ) -> (TcpListener, usize) {
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let answered = refuse(&listener, "busy", drain);
            let _ = done.send((listener, answered));
        });
        let Ok((listener, answered)) = result.recv_timeout(WAIT) else {
            panic!("refuse_waiting did not return within {WAIT:?}");
        };
        (listener, answered.expect("refuse_waiting failed"))
    }

    fn returns_at_once_when_nobody_waits(
        refuse: Refuse,
        listener: TcpListener,
    ) -> TcpListener {
        let (listener, answered) = bounded(refuse, listener, WAIT);
        assert_eq!(answered, 0, "nobody waits: it answered {answered}");
        listener
    }

    /// A client that connects and sends a request the server will never
    /// read; on its own thread, it reads what comes, to the end.
    fn waiting_client(
        listener: &TcpListener,
    ) -> mpsc::Receiver<io::Result<String>> {
        let addr = listener.local_addr().expect("address");
        let mut client = connect(addr);
        client
            .write_all(b"GET / HTTP/1.0\r\n\r\n")
            .expect("send the request");
        let (done, received) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let read = client.read_to_string(&mut text).map(|_| text);
            let _ = done.send(read);
        });
        received
    }

    fn answers_each_waiting_client_without_a_reset(
        refuse: Refuse,
        listener: &TcpListener,
    ) {
        let clients: Vec<_> =
            (0..3).map(|_| waiting_client(listener)).collect();
        // Each has connected: it waits in the queue. Should the system be
        // a moment late to queue one, a later call answers it.
        let listener = listener.try_clone().expect("clone");
        let (mut listener, mut answered) = (listener, 0);
        for _ in 0..RETRIES {
            let (back, more) = bounded(refuse, listener, WAIT);
            (listener, answered) = (back, answered + more);
            if answered >= 3 {
                break;
            }
            thread::yield_now();
        }
        assert_eq!(answered, 3, "three clients wait: it answered {answered}");
        for received in clients {
            let got = received.recv_timeout(WAIT).expect("the client ends");
            let got = got.map_err(|e| e.kind());
            assert_eq!(
                got,
                Ok("busy\r\n".to_string()),
                "each client gets the line, then a clean end of stream \
                 (a reset here means the request was left unread)"
            );
        }
    }

    fn lets_go_of_a_client_that_does_not_close(
        refuse: Refuse,
        listener: &TcpListener,
    ) {
        let addr = listener.local_addr().expect("address");
        let mut client = connect(addr);
        let listener = listener.try_clone().expect("clone");
        let drain = Duration::from_millis(200);
        // `bounded` fails past WAIT: a drain without a bound holds on
        // to this client, which never closes, until then.
        let (_, answered) = bounded(refuse, listener, drain);
        assert_eq!(answered, 1, "one client waits: it answered {answered}");
        let mut text = String::new();
        client
            .read_to_string(&mut text)
            .expect("the line, then the end");
        assert_eq!(text, "busy\r\n");
    }

    fn leaves_the_listener_blocking(listener: TcpListener) {
        let addr = listener.local_addr().expect("address");
        let (done, accepted) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(listener.accept().map(drop));
        });
        match accepted.recv_timeout(HANG) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Ok(got) => panic!(
                "with nobody coming, accept returned {got:?}: the listener \
                 was left non-blocking"
            ),
            Err(e) => panic!("the accepting thread: {e}"),
        }
        // Let the blocked accept return.
        let _client = TcpStream::connect(addr).expect("connect");
        let got = accepted.recv_timeout(WAIT).expect("accepted");
        assert!(got.is_ok(), "accept: {got:?}");
    }
}
