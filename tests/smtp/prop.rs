//! Properties of the SMTP protocol core (`src/smtp/`), over generated
//! replies, messages and arguments.
//!
//! The decoder and the line-end rule a server applies are written here
//! again, the simple way, so that a bug in `src/smtp/data.rs` can't hide
//! in the test's expectations.

use crate::common::{self, Chunked};

use inet::line::LineReader;
use inet::smtp::command::{Command, CommandError};
use inet::smtp::data;
use inet::smtp::read::read_reply;
use inet::smtp::reply::{MAX_REPLY_LINE, Reply};
use proptest::prelude::*;

/// Reads replies until the stream ends.
fn read_all(data: &[u8], sizes: Vec<usize>) -> Vec<Reply> {
    let mut lines = LineReader::new(Chunked::new(data, &sizes), MAX_REPLY_LINE);
    let mut replies = Vec::new();
    while let Ok(reply) = read_reply(&mut lines, |_| {}) {
        replies.push(reply);
    }
    replies
}

/// The reply as a server sends it (RFC 5321 §4.2): each line with its
/// code, then `-` on all but the last, a space before any text on the
/// last, and CRLF. (Not `Reply`'s `Display`, which escapes the text for
/// a terminal.)
fn format(reply: &Reply) -> Vec<u8> {
    let mut wire = String::new();
    for (i, text) in reply.lines.iter().enumerate() {
        let separator = match (i + 1 == reply.lines.len(), text.is_empty()) {
            (false, _) => "-",
            (true, false) => " ",
            (true, true) => "",
        };
        wire += &format!("{:03}{separator}{text}\r\n", reply.code);
    }
    wire.into_bytes()
}

/// Valid replies: a code from 200 to 599, one to six lines of printable
/// ASCII text that often starts with digits (`250-234 text`, row S7).
fn valid_reply() -> impl Strategy<Value = Reply> {
    let text = prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{3}[ -][ -~]{0,20}",
        Just(String::new()),
    ];
    let lines = prop::collection::vec(text, 1..6);
    (200u16..600, lines).prop_map(|(code, lines)| Reply { code, lines })
}

/// The server's side of DATA, as RFC 5321 §4.5.2 describes it: read
/// CRLF lines up to the one that is a single dot, and remove one leading
/// dot from the others.
fn server_decode(wire: &[u8]) -> (Vec<u8>, usize) {
    let mut message = Vec::new();
    let mut rest = wire;
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("every line ends with CRLF");
        let line = &rest[..end];
        rest = &rest[end + 2..];
        if line == b"." {
            return (message, rest.len());
        }
        message.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        message.extend_from_slice(b"\r\n");
    }
}

/// CRLF line ends, the simple way: every CRLF, lone CR and lone LF
/// becomes one line end; a last line without one gets one.
fn normalised(body: &[u8]) -> Vec<u8> {
    // Bytes, not text: work on a Latin-1 view so any byte survives.
    let latin1: String = body.iter().map(|&b| char::from(b)).collect();
    let unix = latin1.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<u8> = unix
        .replace('\n', "\r\n")
        .chars()
        .map(|c| c as u8)
        .collect();
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The bytes to send after `354` for a whole message (read in one
/// piece), and its size, from the library's line cutter and encoder.
fn encode(body: &[u8]) -> Result<(Vec<u8>, u64), data::DataError> {
    let mut wire = Vec::new();
    let mut lines = data::Lines::default();
    lines.push(body, |l| data::encode_line(l, &mut wire))?;
    let size = lines.finish(|l| data::encode_line(l, &mut wire))?;
    wire.extend_from_slice(data::END);
    Ok((wire, size))
}

/// Bytes that are often line ends and dots: the interesting cases.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        2 => Just(b'.'),
        2 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(b'a'),
    ];
    prop::collection::vec(byte, 0..300)
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_smtp.txt",
        256,
    ))]

    /// However TCP chunks a stream of replies, the same replies come out:
    /// the ones that went in.
    #[test]
    fn chunking_never_changes_the_replies(
        replies in prop::collection::vec(valid_reply(), 1..6),
        sizes in prop::collection::vec(1usize..30, 1..8),
        lf_only in any::<bool>(),
    ) {
        let mut wire = Vec::new();
        for r in &replies {
            wire.extend_from_slice(&format(r));
        }
        if lf_only {
            // Some servers end lines with LF alone; the text is the same.
            wire = String::from_utf8(wire).unwrap().replace("\r\n", "\n").into_bytes();
        }
        prop_assert_eq!(read_all(&wire, sizes), replies.clone());
        prop_assert_eq!(read_all(&wire, vec![usize::MAX]), replies);
    }

    /// Formatting a reply and parsing it back gives the same reply.
    #[test]
    fn parse_of_format_is_identity(r in valid_reply()) {
        prop_assert_eq!(read_all(&format(&r), vec![usize::MAX]), vec![r]);
    }

    /// Rows S3-S5: what the server decodes is the CRLF-normalised body;
    /// the terminator comes once, at the very end; no bare CR or LF.
    #[test]
    fn data_round_trips_through_a_server(body in body()) {
        let (wire, size) = encode(&body).unwrap();
        let (decoded, after) = server_decode(&wire);
        prop_assert_eq!(&decoded, &normalised(&body));
        prop_assert_eq!(after, 0, "bytes after the terminator");
        // The DATA command's CRLF comes just before the message.
        let session = [b"data\r\n".as_slice(), &wire].concat();
        let ends = session.windows(5).filter(|w| *w == b"\r\n.\r\n").count();
        prop_assert_eq!(ends, 1);
        prop_assert!(session.ends_with(b"\r\n.\r\n"));
        for (i, &b) in wire.iter().enumerate() {
            if b == b'\r' {
                prop_assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {}", i);
            }
            if b == b'\n' {
                prop_assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {}", i);
            }
        }
        prop_assert_eq!(size, decoded.len() as u64);
    }

    /// Rows S3-S5, F8: a message read in pieces of any size (from a
    /// file, as it is sent) comes out exactly as encoded whole, however
    /// its lines and line ends (a CR in one piece, its LF in the next)
    /// fall across the pieces.
    #[test]
    fn pieces_never_change_the_encoding(
        body in body(),
        sizes in prop::collection::vec(1usize..40, 1..6),
    ) {
        let mut lines = data::Lines::default();
        let mut wire = Vec::new();
        let (mut rest, mut next) = (body.as_slice(), 0);
        while !rest.is_empty() {
            let (piece, after) = rest.split_at(sizes[next % sizes.len()].min(rest.len()));
            lines.push(piece, |l| data::encode_line(l, &mut wire)).unwrap();
            (rest, next) = (after, next + 1);
        }
        let size = lines.finish(|l| data::encode_line(l, &mut wire)).unwrap();
        wire.extend_from_slice(data::END);
        let whole = encode(&body).unwrap();
        prop_assert_eq!((wire, size), whole);
    }

    /// Row S6: the file check (`check`, no bytes built) refuses
    /// exactly what `encode` refuses, at the same line, whatever the
    /// line ends; and a line refused is over 1000 octets with its CRLF.
    #[test]
    fn the_line_check_agrees_with_encode(
        lines in prop::collection::vec((990usize..1005, 0usize..3), 0..4),
    ) {
        let ends: [&[u8]; 3] = [b"\r\n", b"\n", b"\r"];
        let body: Vec<u8> = lines
            .iter()
            .flat_map(|&(len, end)| [vec![b'x'; len], ends[end].to_vec()])
            .flatten()
            .collect();
        let checked = data::check(&body);
        prop_assert_eq!(&checked, &encode(&body).map(|(_, size)| size));
        let first_long = lines.iter().position(|&(len, _)| len + 2 > 1000);
        match (checked, first_long) {
            (Ok(_), None) => {}
            (Err(data::DataError::LineTooLong { line, len }), Some(i)) => {
                prop_assert_eq!((line, len), (i + 1, lines[i].0 + 2));
            }
            (checked, expected) => {
                prop_assert!(false, "{:?} for long line {:?}", checked, expected);
            }
        }
    }

    /// Row S1: a CR, LF or NUL anywhere in any argument stops the
    /// command before it is formatted, whatever else the value holds.
    #[test]
    fn injected_line_breaks_are_always_refused(
        before in "[ -~]{0,20}",
        after in "[ -~]{0,20}",
        bad in prop::sample::select(vec!["\r", "\n", "\r\n", "\0"]),
        which in 0usize..4,
    ) {
        let value = format!("{before}{bad}{after}");
        let command = match which {
            0 => Command::Ehlo(&value),
            1 => Command::Helo(&value),
            2 => Command::Mail { from: &value, size: None },
            _ => Command::Rcpt(&value),
        };
        let refused = matches!(command.to_bytes(), Err(CommandError::LineBreak { .. }));
        prop_assert!(refused);
    }
}

/// Reply codes for one transaction, by command.
#[derive(Debug, Clone)]
struct Codes {
    mail: u16,
    rcpt: Vec<u16>,
    data: u16,
    dot: u16,
}

fn codes() -> impl Strategy<Value = Codes> {
    let pick = |codes: &[u16]| prop::sample::select(codes.to_vec());
    (
        pick(&[250, 250, 451, 550, 421]),
        prop::collection::vec(pick(&[250, 251, 450, 550, 421]), 1..4),
        pick(&[354, 354, 451, 554, 421]),
        pick(&[250, 250, 452, 554, 421]),
    )
        .prop_map(|(mail, rcpt, data, dot)| Codes {
            mail,
            rcpt,
            data,
            dot,
        })
}

/// A server that offers PIPELINING and answers by verb from `codes`,
/// whatever came before (so both ways of sending meet the same replies):
/// MAIL, each RCPT in turn, DATA, the final dot; RSET 250, QUIT 221. A
/// 421 closes. It reports what it heard when the client is gone.
fn verb_server(
    codes: Codes,
) -> (inet_mocks::MockServer, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let (heard, transcript) = std::sync::mpsc::channel();
    let heard = std::sync::Mutex::new(heard);
    let server = inet_mocks::MockServer::start(move |conn| {
        let mut lines = BufReader::new(&conn);
        let mut rcpt = codes.rcpt.iter();
        let (mut line, mut all) = (String::new(), String::new());
        let mut in_data = false;
        let say =
            |code: u16| (&conn).write_all(format!("{code} x\r\n").as_bytes());
        let _ = (&conn).write_all(b"220 s\r\n");
        while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            all.push_str(&line);
            let verb = line.get(..4).unwrap_or("").to_ascii_lowercase();
            let code = match (in_data, verb.as_str()) {
                (true, _) if line == ".\r\n" => codes.dot,
                (true, _) => 0,
                (_, "ehlo") => {
                    let _ = (&conn).write_all(b"250-s\r\n250 PIPELINING\r\n");
                    0
                }
                (_, "mail") => codes.mail,
                (_, "rcpt") => rcpt.next().copied().unwrap_or(250),
                (_, "data") => codes.data,
                (_, "quit") => 221,
                _ => 250,
            };
            line.clear();
            if code == 0 {
                continue;
            }
            in_data = code == 354;
            if say(code).is_err() || code == 421 || code == 221 {
                break;
            }
        }
        let _ = heard.lock().unwrap().send(all);
    })
    .unwrap();
    (server, transcript)
}

/// `sendmail` against a fresh [`verb_server`], then QUIT if still
/// connected: the outcome in words, and what the server heard.
fn send_once(codes: &Codes, pipelining: bool) -> (String, String) {
    let (server, heard) = verb_server(codes.clone());
    let timeout = std::time::Duration::from_secs(5);
    let port = server.addr().port();
    let mut client =
        inet::smtp::client::Client::connect("127.0.0.1", port, timeout)
            .unwrap();
    client.set_pipelining(pipelining);
    let owned: Vec<String> =
        (0..codes.rcpt.len()).map(|i| format!("r{i}@y")).collect();
    let to: Vec<&str> = owned.iter().map(String::as_str).collect();
    let outcome = match client.sendmail("a@x", &to, b"the text\r\n") {
        Ok(refused) => {
            let codes: Vec<u16> = refused.iter().map(|(_, r)| r.code).collect();
            format!("sent, refused {codes:?}")
        }
        Err(e) => format!("{:?}: {e}", e.step()),
    };
    if client.is_connected() {
        let _ = client.quit();
    }
    drop(client);
    let heard = heard.recv_timeout(timeout).expect("the session's end");
    (outcome, heard)
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_smtp_pipelining.txt",
        48,
    ))]

    /// Pipelining changes when commands are sent, never what comes of
    /// them: for any replies, both ways give the same outcome, and the
    /// message text reaches the server only when DATA got its 354 with
    /// a recipient accepted (never in the trap: every RCPT refused).
    #[test]
    fn pipelining_never_changes_the_outcome(codes in codes()) {
        let (pipelined, heard) = send_once(&codes, true);
        let (lockstep, heard_lockstep) = send_once(&codes, false);
        prop_assert_eq!(&pipelined, &lockstep);
        let accepted = codes.rcpt.iter().take_while(|&&c| c != 421).any(|&c| c == 250 || c == 251);
        let mail_ok = codes.mail == 250;
        let text_due = mail_ok && accepted && !codes.rcpt.contains(&421) && codes.data == 354;
        prop_assert_eq!(heard.contains("the text"), text_due, "{}", heard);
        prop_assert_eq!(heard_lockstep.contains("the text"), text_due);
        // After a 421, not a byte more (RFC 5321 §3.8).
        prop_assert!(!heard.contains("rset") || !pipelined.contains("421"), "{}", heard);
    }
}

// The session's rules on their own: no socket, only replies handed to
// the state machine (`inet::smtp::session`), whatever they are.

use inet::smtp::session::{MAX_GROUP, Next, Session, Stop};

/// What a session did when driven to the end.
#[derive(Debug)]
struct Drive {
    /// Each command line written, or `<message>`, in order.
    written: Vec<String>,
    /// Each reply handed over: the line it answered, and its code.
    answers: Vec<(String, u16)>,
    /// The outcome, or `None` when the replies ran out first (the
    /// connection broke).
    outcome: Option<Result<Vec<(String, Reply)>, Stop>>,
    /// How many times the session was asked what to do.
    polls: usize,
}

/// A one-line reply; an EHLO reply lists `extensions` after it.
fn reply_to(line: &str, code: u16, extensions: &[&str]) -> Reply {
    let mut lines = vec!["x".to_owned()];
    if line.starts_with("ehlo") {
        lines.extend(extensions.iter().map(|&e| e.to_owned()));
    }
    Reply { code, lines }
}

// ANCHOR: drive
/// Asks `session` what to do until it is done, answering each command
/// with `answer` (given the line it answers: `mail FROM:<a@x>\r\n`,
/// `<message>`...). Checks on the way that the replies it asks for come
/// in the order the commands went, windows are at most [`MAX_GROUP`],
/// nothing at all is written after a 421, and it ends in a bounded
/// number of steps.
fn drive(
    session: &mut Session,
    recipients: usize,
    mut answer: impl FnMut(&str) -> Option<Reply>,
) -> Result<Drive, TestCaseError> {
    let mut due = std::collections::VecDeque::new();
    let mut run = Drive {
        written: Vec::new(),
        answers: Vec::new(),
        outcome: None,
        polls: 0,
    };
    let mut closed = false;
    // EHLO, HELO, MAIL, each RCPT, DATA, the message, a lone dot, RSET:
    // each is written once and answered once.
    let bound = 2 * (recipients + 8);
    while run.polls < bound {
        run.polls += 1;
        let next = session.poll();
        let writes = matches!(next, Next::Send(_) | Next::Message { .. });
        prop_assert!(!(closed && writes), "wrote after a 421: {:?}", run);
        match next {
            Next::Send(lines) => {
                prop_assert!(!lines.is_empty() && lines.len() <= MAX_GROUP);
                for line in lines {
                    let text =
                        String::from_utf8_lossy(&line.bytes).into_owned();
                    due.push_back((text.clone(), line.step));
                    run.written.push(text);
                }
            }
            Next::Message { .. } => {
                due.push_back((
                    "<message>".to_owned(),
                    inet::smtp::Step::FinalDot,
                ));
                run.written.push("<message>".to_owned());
            }
            Next::Read(step) => {
                let (line, sent_step) =
                    due.pop_front().expect("a reply is due");
                prop_assert_eq!(step, sent_step, "replies out of order");
                let Some(reply) = answer(&line) else {
                    return Ok(run); // The connection broke here.
                };
                if reply.is_closing() {
                    // The server has gone: no more replies will come.
                    closed = true;
                    due.clear();
                }
                run.answers.push((line, reply.code));
                session.receive(reply);
            }
            Next::Done(outcome) => {
                prop_assert!(due.is_empty(), "done with replies due");
                run.outcome = Some(outcome);
                return Ok(run);
            }
        }
    }
    prop_assert!(false, "no end after {} steps: {:?}", bound, run);
    unreachable!()
}
// ANCHOR_END: drive

/// The code the command starting with `verb` got, if it was answered.
fn code_of(run: &Drive, verb: &str) -> Vec<u16> {
    let answers = run.answers.iter();
    answers
        .filter(|(l, _)| l.starts_with(verb))
        .map(|&(_, c)| c)
        .collect()
}

/// Reply codes a server might send, sensible or not, to anything.
fn any_code() -> impl Strategy<Value = u16> {
    prop::sample::select(vec![
        220, 221, 250, 250, 250, 251, 354, 354, 421, 450, 451, 452, 500, 502,
        503, 550, 552, 554,
    ])
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_smtp_session.txt",
        512,
    ))]

    // ANCHOR: any_replies
    /// Whatever the replies, in whatever order: the session ends; the
    /// message goes only after MAIL 250, an RCPT 250/251 and DATA 354,
    /// with no 421 before; nothing follows a 421; a lone dot only ends
    /// a DATA that was accepted for a transaction already failed; and
    /// the message counts as taken only when its final dot got 250.
    #[test]
    fn any_replies_keep_the_rules(
        codes in prop::collection::vec(any_code(), 0..16),
        recipients in 1usize..5,
        pipelining in any::<bool>(),
        offered in prop::sample::subsequence(vec!["PIPELINING", "SIZE 100000"], 0..=2),
    ) {
        let mut session = Session::new("me");
        session.pipelining = pipelining;
        let owned: Vec<String> = (0..recipients).map(|i| format!("r{i}@y")).collect();
        let to: Vec<&str> = owned.iter().map(String::as_str).collect();
        session.sendmail("a@x", &to, 10);
        let mut codes = codes.into_iter();
        let run = drive(&mut session, recipients, |line| {
            codes.next().map(|code| reply_to(line, code, &offered))
        })?;
        let sent_message = run.written.iter().any(|w| w == "<message>");
        if sent_message {
            let answers = run.answers.iter().take_while(|(l, _)| l != "<message>");
            prop_assert!(answers.clone().all(|&(_, c)| c != 421), "{:?}", run);
            prop_assert_eq!(code_of(&run, "mail"), vec![250]);
            prop_assert!(code_of(&run, "rcpt").iter().any(|&c| c == 250 || c == 251));
            prop_assert_eq!(code_of(&run, "data"), vec![354]);
        }
        if run.written.iter().any(|w| w == ".\r\n") {
            prop_assert!(!sent_message);
            prop_assert_eq!(code_of(&run, "data"), vec![354]);
        }
        if let Some(Ok(_)) = run.outcome {
            prop_assert_eq!(code_of(&run, "<message>"), vec![250]);
        }
        // A broken connection leaves no outcome; a failure after a
        // refusal (RSET, say) leaves the refusal.
        if run.outcome.is_none() {
            prop_assert!(!matches!(session.decided(), Some(Ok(_))));
        }
    }
    // ANCHOR_END: any_replies

    /// Pipelining changes when commands go, never what comes of them:
    /// for the same reply to each command, both ways end alike, and the
    /// message goes in both or neither. In the trap (every RCPT refused,
    /// DATA answered 354 all the same), the pipelined session ends the
    /// empty message with a lone dot, then RSET.
    #[test]
    fn pipelined_and_lockstep_end_alike(codes in codes()) {
        let mut runs = Vec::new();
        for pipelining in [true, false] {
            let mut session = Session::new("me");
            session.pipelining = pipelining;
            let owned: Vec<String> = (0..codes.rcpt.len()).map(|i| format!("r{i}@y")).collect();
            let to: Vec<&str> = owned.iter().map(String::as_str).collect();
            session.sendmail("a@x", &to, 10);
            let codes = codes.clone();
            let run = drive(&mut session, codes.rcpt.len(), |line| {
                let code = match line.get(..4).unwrap_or(line) {
                    "ehlo" => 250,
                    "mail" => codes.mail,
                    "rcpt" => {
                        let index = line[10..].split('@').next().unwrap_or("0");
                        codes.rcpt[index.parse::<usize>().unwrap_or(0)]
                    }
                    "data" => codes.data,
                    "<mes" => codes.dot,
                    _ => 250,
                };
                Some(reply_to(line, code, &["PIPELINING"]))
            })?;
            runs.push(run);
        }
        let (pipelined, lockstep) = (&runs[0], &runs[1]);
        prop_assert_eq!(&pipelined.outcome, &lockstep.outcome);
        let message = |run: &Drive| run.written.iter().any(|w| w == "<message>");
        prop_assert_eq!(message(pipelined), message(lockstep));
        let refused_all = codes.rcpt.iter().all(|&c| c != 250 && c != 251 && c != 421);
        if codes.mail == 250 && refused_all && codes.data == 354 {
            let tail = &pipelined.written[pipelined.written.len() - 2..];
            prop_assert_eq!(tail, &[".\r\n".to_owned(), "rset\r\n".to_owned()]);
        }
    }
}
