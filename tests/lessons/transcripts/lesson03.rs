//! The scenes of lesson 3, SMTP by hand.
//!
//! The lesson tells one story: a slow mock started once (port 2522) and
//! left running, the files the reader writes beside it, and every run
//! against it, in order. A scene against the slow mock replays quietly
//! what the reader did before its block, so the mock's dump holds the same
//! messages, with the same numbers, as the reader's does. A scene against
//! another server starts only that one, beside the mail file it copies.

use super::super::scene::{Play, Scene, Stop};
use super::against;

/// Lesson 3's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-smtp", tour_smtp),
    ("mock-smtp-slow", mock_smtp_slow),
    ("inet-03-happy", inet_03_happy),
    ("inet-03-unix", inet_03_unix),
    ("inet-03-dots", inet_03_dots),
    ("mock-smtp-silent", mock_smtp_silent),
    ("inet-03-silent", inet_03_silent),
    ("smtp-raw-slow", smtp_raw_slow),
    ("smtp-raw-dots", smtp_raw_dots),
    ("smtp-raw-silent", smtp_raw_silent),
    ("mock-smtp-bytes", mock_smtp_bytes),
    ("smtp-raw-bytes", smtp_raw_bytes),
    ("mock-smtp-soft", mock_smtp_soft),
    ("smtp-raw-soft", smtp_raw_soft),
    ("smtp-sink", smtp_sink),
    ("smtp-raw-sink", smtp_raw_sink),
    ("smtp-sink-hangs-up", smtp_sink_hangs_up),
    ("swaks", swaks),
    ("inet-03-py", inet_03_py),
];

/// The minimal port, as the reader runs it.
const PORT: &str = "cargo run -q --example inet_03_smtp_by_hand --";

/// The mail file, as the chapter's (its message without `From:` and
/// `To:`), for the slow mock.
const MAIL2: &str = "cat > mail2.txt <<'EOF'
127.0.0.1:2522, me@x.test , you@y.test
Subject: test

ligne1
ligne2

ligne3
EOF";

/// A message with a line that starts with a dot, and a line that is one.
const DOTS: &str = "cat > dots.txt <<'EOF'
127.0.0.1:2522, me@x.test , you@y.test
Subject: dots

.dot line
.
after the dot
EOF";

/// `FILE` with CRLF line ends, as `FILE-crlf.txt`.
fn crlf(file: &str) -> String {
    let stem = file.trim_end_matches(".txt");
    format!("awk '{{ printf \"%s\\r\\n\", $0 }}' {file} > {stem}-crlf.txt")
}

/// `cargo run -- 3`: the tour's SMTP chapters, its mocks' ports shown as
/// 2521.
fn tour_smtp(s: &mut Scene) -> Result<(), Stop> {
    s.mask_number_after("127.0.0.1:", "2521");
    s.run("cargo run -q -- 3")?;
    Ok(())
}

/// The slow mock: it waits a tenth of a second before each reply, so that
/// each of the minimal port's reads gets one whole reply.
fn mock_smtp_slow(s: &mut Scene) -> Result<(), Stop> {
    s.server(
        "mock-smtp --port 2522 --dump-dir dump --delay EHLO=0.1 --delay MAIL=0.1 \\
    --delay RCPT=0.1 --delay DATA=0.1 --delay DOT=0.1 --delay QUIT=0.1",
        2522,
    )
}

/// The minimal port on the chapter's message, with CRLF line ends.
fn inet_03_happy(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(mock_smtp_slow)?;
    s.run(MAIL2)?;
    s.run(&crlf("mail2.txt"))?;
    s.run(&format!("{PORT} mail2-crlf.txt"))?;
    s.run("cat -e dump/msg-0001.eml")?;
    Ok(())
}

/// The minimal port on the same message with the file's own, Unix, line
/// ends: refused.
fn inet_03_unix(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(inet_03_happy)?;
    s.run(&format!("{PORT} mail2.txt > port.log 2>&1"))?;
    s.run("grep -o '421.*received' port.log")?;
    s.run("ls dump")?;
    Ok(())
}

/// The minimal port on a message with dots: cut short.
fn inet_03_dots(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(inet_03_unix)?;
    s.run(DOTS)?;
    s.run(&crlf("dots.txt"))?;
    s.run(&format!("{PORT} dots-crlf.txt > port.log 2>&1"))?;
    s.run("cat -e dump/msg-0002.eml")?;
    Ok(())
}

/// A mock that never greets.
fn mock_smtp_silent(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-smtp --port 2523 --delay GREETING=3600", 2523)
}

/// The minimal port against it: it waits until `timeout` kills it.
fn inet_03_silent(s: &mut Scene) -> Result<(), Stop> {
    against_silent(s, true)?;
    s.run(&format!("timeout 2 {PORT} silent.txt; echo $?"))?;
    Ok(())
}

/// With the mock that never greets started: the mail files, and the copy
/// that names it, `silent.txt` (its command `shown` or not).
fn against_silent(s: &mut Scene, shown: bool) -> Result<(), Stop> {
    let files = [MAIL2, &crlf("mail2.txt")];
    let copy = "sed 's/:2522,/:2523,/' mail2-crlf.txt > silent.txt";
    against(s, &files, mock_smtp_silent, (copy, shown))
}

/// `smtp-raw` on the Unix file, against the slow mock.
fn smtp_raw_slow(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(inet_03_dots)?;
    s.run(
        "smtp-raw mail2.txt > raw.log; head -n 14 raw.log; tail -n 1 raw.log",
    )?;
    Ok(())
}

/// `smtp-raw` on the message with dots: kept whole.
fn smtp_raw_dots(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(smtp_raw_slow)?;
    s.run("smtp-raw dots.txt > raw.log; tail -n 12 raw.log")?;
    s.run("cat -e dump/msg-0004.eml")?;
    Ok(())
}

/// `smtp-raw` against the mock that never greets.
fn smtp_raw_silent(s: &mut Scene) -> Result<(), Stop> {
    // What `inet-03-silent` set up, without its two seconds of waiting.
    against_silent(s, false)?;
    s.run("smtp-raw --timeout 2 silent.txt; echo $?")?;
    Ok(())
}

/// A mock that writes its replies a byte at a time.
fn mock_smtp_bytes(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-smtp --port 2524 --byte-at-a-time", 2524)
}

/// `smtp-raw` against it: each reply still read whole.
fn smtp_raw_bytes(s: &mut Scene) -> Result<(), Stop> {
    let copy = "sed 's/:2522,/:2524,/' mail2.txt > bytes.txt";
    against(s, &[MAIL2], mock_smtp_bytes, (copy, true))?;
    s.run("smtp-raw bytes.txt | head -n 8")?;
    Ok(())
}

/// A mock that refuses the recipient for now (450).
fn mock_smtp_soft(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-smtp --port 2525 --soft-reject RCPT", 2525)
}

/// `smtp-raw` against it: a temporary failure, exit status 7.
fn smtp_raw_soft(s: &mut Scene) -> Result<(), Stop> {
    let copy = "sed 's/:2522,/:2525,/' mail2.txt > soft.txt";
    against(s, &[MAIL2], mock_smtp_soft, (copy, true))?;
    s.run("smtp-raw soft.txt > raw.log; echo $?")?;
    s.run("tail -n 4 raw.log")?;
    Ok(())
}

/// Postfix's `smtp-sink`, as a normal user runs it: without `-u`. The
/// stage may be root (CI is), and root must give `-u`, with a user that
/// can write the dump folder.
fn smtp_sink_on(s: &mut Scene, command: &str, port: u16) -> Result<(), Stop> {
    s.needs("smtp-sink")?;
    let root = s.quietly(|s| s.run("test \"$(id -u)\" = 0"))?;
    if root == Some(0) {
        s.alias("smtp-sink ", "smtp-sink -u nobody ");
        s.quietly(|s| s.run("chmod 777 ."))?;
    }
    s.silent_server(command, port)
}

fn smtp_sink(s: &mut Scene) -> Result<(), Stop> {
    smtp_sink_on(s, "smtp-sink -d sink/%M. 127.0.0.1:2526 10", 2526)
}

/// `smtp-raw` against `smtp-sink`, and the message it kept.
fn smtp_raw_sink(s: &mut Scene) -> Result<(), Stop> {
    let copy = "sed 's/:2522,/:2526,/' dots.txt > sink.txt";
    against(s, &[DOTS], smtp_sink, (copy, true))?;
    s.run("smtp-raw sink.txt")?;
    s.run("sed -n '/^From:/,$p' sink/*")?;
    Ok(())
}

/// `smtp-sink -q .`: it hangs up after the final dot, without a reply.
fn smtp_sink_hangs_up(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| s.run(MAIL2))?;
    smtp_sink_on(s, "smtp-sink -q . 127.0.0.1:2527 10", 2527)?;
    s.run("sed 's/:2522,/:2527,/' mail2.txt > hangs-up.txt")?;
    s.run("smtp-raw hangs-up.txt > raw.log; echo $?")?;
    s.run("tail -n 1 raw.log")?;
    Ok(())
}

/// `swaks`, another client, against the slow mock.
fn swaks(s: &mut Scene) -> Result<(), Stop> {
    s.needs("swaks")?;
    // The slow mock and the message with dots, without the four messages
    // the reader sent it before: the queue id shows as the fifth's.
    s.quietly(|s| {
        mock_smtp_slow(s)?;
        s.run(DOTS)?;
        Ok(())
    })?;
    s.mask_number_after("queued as MOCK", "0005");
    s.run("tail -n +2 dots.txt > body.txt")?;
    s.run(
        "swaks --server 127.0.0.1:2522 --helo x.test --from me@x.test \\
    --to you@y.test --data @body.txt",
    )?;
    Ok(())
}

/// inet_03.py itself, in a copy that knows the slow mock's port, on the
/// CRLF file without its port; then on the Unix one.
fn inet_03_py(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.quietly(|s| {
        mock_smtp_slow(s)?;
        s.run(MAIL2)?;
        s.run(&crlf("mail2.txt"))
    })?;
    // Its queue id as the reader sees it: the sixth message of the lesson.
    s.mask_number_after("queued as MOCK", "0006");
    s.run("mkdir -p py2")?;
    s.run(
        "sed 's/(smtpServer,25)/(smtpServer,2522)/' \"$ORIGINALS/inet_03.py\" \
         > py2/inet_03.py",
    )?;
    s.run("sed '1s/:2522,/,/' mail2-crlf.txt > py2/mail2.txt")?;
    s.run("(cd py2 && python2.7 inet_03.py)")?;
    s.run("sed '1s/:2522,/,/' mail2.txt > py2/mail2.txt")?;
    s.run("(cd py2 && python2.7 inet_03.py > py.log 2>&1)")?;
    s.run("grep -o '421.*received' py2/py.log")?;
    Ok(())
}
