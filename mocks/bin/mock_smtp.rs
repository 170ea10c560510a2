//! `mock-smtp`: the mock SMTP server as a program, so a reader can point
//! swaks, Python's smtplib or the chapter's originals at it.
//!
//! It listens on `127.0.0.1` (port 0 unless `--port` says otherwise),
//! prints `listening on 127.0.0.1:PORT` as its first line, then a line
//! per session and per accepted message. With `--dump-dir DIR`, each
//! accepted message is written to a file of its own: `msg-0001.eml`
//! holds the message text exactly as the client meant it (CRLF line
//! ends, stuffed dots taken away, no final dot), and `msg-0001.env` next
//! to it holds the envelope, one `MAIL FROM:<...>` line and a
//! `RCPT TO:<...>` line per recipient. Files are created new, never
//! overwritten: a name already taken gets a `-2`, `-3`... suffix.
//!
//! The fault options mirror Postfix's smtp-sink where they can; see
//! `--help`. Exit status: 0 for `--help` (else it serves until killed), 1 for a
//! usage error, 2 for a bad port, 3 when it cannot listen or use the
//! dump directory.

use inet_mocks::smtp::{Event, Message, Script};
use inet_mocks::standalone::{self, Failure, Log, pair};
use inet_mocks::transcript::escape;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const PROGRAM: &str = "mock-smtp";

const USAGE: &str = "\
usage: mock-smtp [--port N] [--dump-dir DIR] [options]

A mock SMTP server on 127.0.0.1 that accepts every message unless told
otherwise. Prints `listening on 127.0.0.1:PORT` first, then a line per
session and per accepted message.

  --port N                 listen on port N (default 0: any free port)
  --dump-dir DIR           write each accepted message to DIR/msg-NNNN.eml
                           (un-stuffed text) and its envelope to
                           DIR/msg-NNNN.env (DIR is created if missing)
  --hostname NAME          the name in the greeting and EHLO (mock.test)
  --greeting TEXT          the greeting, e.g. '421 4.3.2 busy'
  --capabilities LIST      EHLO keywords, comma-separated ('' for none)
  --reply VERB=TEXT        reply TEXT to every VERB
  --reply-nth VERB:N=TEXT  reply TEXT to the Nth VERB of a session
  --reply-rcpt ADDR=TEXT   reply TEXT to RCPT TO:<ADDR> (or local part)
  --soft-reject VERB       reply 450 to VERB (smtp-sink -r)
  --hard-reject VERB       reply 550 to VERB (smtp-sink -f)
  --close-421-after VERB   reply 421 to VERB and close (smtp-sink -Q)
  --disconnect-after VERB  close without a reply after VERB (smtp-sink -q)
  --disconnect-in-data N   close without a word after N lines of text
  --delay VERB=SECS        wait SECS before replying to VERB
  --idle-timeout SECS      421 after SECS without a line (default 300)
  --max-connections N      serve at most N sessions at once (default 256);
                           one more is greeted with 421 and closed
  --byte-at-a-time         write every reply one byte per write
  --lf-only                end reply lines with LF instead of CRLF
  -h, --help               show this help

VERB is a command (EHLO, MAIL, RCPT, DATA, ...), GREETING (on connect)
or DOT (the reply after the final dot). In TEXT, `\\n` starts a new
reply line: '250-one\\n250 two'.

When output falls behind (a pipe nobody reads), lines are dropped, not
waited for, and a count of them is printed once output moves again.

Exit status: 0 for --help, 1 for a usage error, 2 for a bad port, 3 when
it cannot listen or use the dump directory.
";

/// What the command line asked for.
struct Options {
    port: u16,
    dump_dir: Option<PathBuf>,
    script: Script,
}

fn main() -> ExitCode {
    let args = match standalone::command_line(PROGRAM, USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    match parse(args).and_then(run) {
        Ok(never) => match never {},
        Err(failure) => failure.report(PROGRAM),
    }
}

/// Listens, says where, and serves until the process is killed.
fn run(options: Options) -> Result<std::convert::Infallible, Failure> {
    let log = Log::new();
    let mut script = options.script;
    let for_messages = log.clone();
    if let Some(dir) = options.dump_dir {
        fs::create_dir_all(&dir).map_err(|e| {
            Failure::setup(format!("cannot use {}: {e}", dir.display()))
        })?;
        script = script.on_message(move |message, number| {
            let eml = dump(&dir, message, number)?;
            let saved = format!("message {number} saved as {}", eml.display());
            for_messages.line(&saved);
            Ok(())
        });
    } else {
        script = script.on_message(move |message, number| {
            for_messages
                .line(&format!("message {number}: {}", describe(message)));
            Ok(())
        });
    }
    let for_events = log.clone();
    script = script.on_event(move |event| log_event(&for_events, event));
    let mock = script.start_standalone(options.port).map_err(|e| {
        let port = options.port;
        Failure::setup(format!("cannot listen on 127.0.0.1:{port}: {e}"))
    })?;
    standalone::log_until_killed(mock.addr(), &log)
}

fn log_event(log: &Log, event: &Event) {
    match event {
        Event::Connected { session, peer } => {
            log.line(&format!("session {} from {peer}", session + 1));
        }
        Event::Refused { peer } => {
            log.line(&format!("refused {peer}: too many connections"));
        }
        Event::Ended {
            session, ending, ..
        } => log.line(&format!("session {} ended: {ending}", session + 1)),
        _ => {}
    }
}

/// The envelope, escaped: a client's control bytes must not reach the
/// terminal.
fn describe(message: &Message) -> String {
    let shown = |path: &String| format!("<{}>", escape(path.as_bytes()));
    let to: Vec<String> = message.rcpt_to.iter().map(shown).collect();
    format!(
        "from {} to {}, {} octets",
        shown(&message.mail_from),
        to.join(" "),
        message.data.len()
    )
}

/// Writes `msg-NNNN.eml` (the text) and `msg-NNNN.env` (the envelope),
/// under a name no earlier file has; returns the `.eml` path.
fn dump(dir: &Path, message: &Message, number: u64) -> io::Result<PathBuf> {
    let (stem, mut eml) = create_new_eml(dir, number)?;
    eml.write_all(&message.data)?;
    eml.sync_all()?;
    let mut envelope = format!("MAIL FROM:<{}>\r\n", message.mail_from);
    for to in &message.rcpt_to {
        envelope.push_str(&format!("RCPT TO:<{to}>\r\n"));
    }
    fs::write(dir.join(format!("{stem}.env")), envelope)?;
    Ok(dir.join(format!("{stem}.eml")))
}

/// Creates `msg-NNNN.eml`, or `msg-NNNN-2.eml`... if that is taken (a
/// directory used before): `create_new` makes the check and the creation
/// one step, so two sessions can never pick the same file.
fn create_new_eml(dir: &Path, number: u64) -> io::Result<(String, File)> {
    for attempt in 1..1000 {
        let stem = match attempt {
            1 => format!("msg-{number:04}"),
            n => format!("msg-{number:04}-{n}"),
        };
        let path = dir.join(format!("{stem}.eml"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((stem, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free file name for the message"))
}

fn parse(args: Vec<String>) -> Result<Options, Failure> {
    let mut options = Options {
        port: 0,
        dump_dir: None,
        script: Script::new(),
    };
    let mut words = standalone::Options::new(args);
    while let Some(flag) = words.next_option()? {
        let script = std::mem::take(&mut options.script);
        options.script = match flag.as_str() {
            "--port" => {
                options.port = words.port()?;
                script
            }
            "--dump-dir" => {
                options.dump_dir = Some(PathBuf::from(words.value()?));
                script
            }
            "--hostname" => script.hostname(&words.value()?),
            "--greeting" => script.greeting(&reply_text(&words.value()?)),
            "--capabilities" => {
                let list = words.value()?;
                let keywords: Vec<&str> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .collect();
                script.capabilities(&keywords)
            }
            "--reply" => {
                let value = words.value()?;
                let (verb, text) = pair(&flag, &value, "VERB=TEXT")?;
                script.reply(verb, &reply_text(text))
            }
            "--reply-nth" => {
                let value = words.value()?;
                let (verb_n, text) = pair(&flag, &value, "VERB:N=TEXT")?;
                let (verb, n) = verb_n
                    .split_once(':')
                    .and_then(|(verb, n)| Some((verb, n.parse().ok()?)))
                    .filter(|(_, n)| *n > 0)
                    .ok_or_else(|| {
                        Failure::usage(format!(
                            "{flag} wants VERB:N=TEXT, N from 1"
                        ))
                    })?;
                script.reply_nth(verb, n, &reply_text(text))
            }
            "--reply-rcpt" => {
                let value = words.value()?;
                let (address, text) = pair(&flag, &value, "ADDR=TEXT")?;
                script.reply_rcpt(address, &reply_text(text))
            }
            "--soft-reject" => {
                script.reply(&words.value()?, "450 4.3.0 Error: soft reject")
            }
            "--hard-reject" => {
                script.reply(&words.value()?, "550 5.3.0 Error: hard reject")
            }
            "--close-421-after" => script.reply_and_close(
                &words.value()?,
                "421 4.3.2 Error: closing connection",
            ),
            "--disconnect-after" => script.disconnect_after(&words.value()?),
            "--disconnect-in-data" => {
                let lines = words.value()?;
                let lines = lines.parse().map_err(|_| {
                    Failure::usage(format!(
                        "{flag}: {lines:?} is not a line count"
                    ))
                })?;
                script.disconnect_in_data(lines)
            }
            "--delay" => {
                let value = words.value()?;
                let (verb, secs) = pair(&flag, &value, "VERB=SECS")?;
                script.delay(verb, seconds(&flag, secs)?)
            }
            "--idle-timeout" => {
                let secs = seconds(&flag, &words.value()?)?;
                if secs.is_zero() {
                    return Err(Failure::usage(format!(
                        "{flag} must be more than 0"
                    )));
                }
                script.idle_timeout(secs)
            }
            "--max-connections" => script.max_connections(words.count()?),
            "--byte-at-a-time" => script.byte_at_a_time(),
            "--lf-only" => script.lf_only(),
            _ => return Err(words.unknown()),
        };
    }
    Ok(options)
}

/// Seconds, fractions allowed, at most a day (a longer delay is a typo).
fn seconds(flag: &str, text: &str) -> Result<Duration, Failure> {
    let secs: f64 = text
        .parse()
        .ok()
        .filter(|secs: &f64| (0.0..=86_400.0).contains(secs))
        .ok_or_else(|| {
            Failure::usage(format!(
                "{flag}: {text:?} is not seconds from 0 to 86400"
            ))
        })?;
    Ok(Duration::from_secs_f64(secs))
}

/// A reply as typed on a command line: `\n` (backslash, n) separates
/// the lines of a multi-line reply.
fn reply_text(text: &str) -> String {
    text.replace("\\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use inet_mocks::standalone::{EXIT_BAD_PORT, EXIT_USAGE};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    fn status(list: &[&str]) -> Option<u8> {
        parse(args(list)).err().map(|failure| failure.status)
    }

    #[test]
    fn good_command_lines_parse() {
        let ok = [
            &["--port", "2525", "--dump-dir", "/tmp/x"][..],
            &[
                "--reply",
                "RCPT=550 5.1.1 no",
                "--reply-nth",
                "MAIL:2=451 later",
            ],
            &["--reply-rcpt", "bob=550 no", "--delay", "DOT=0.5"],
            &["--capabilities", "SIZE 10, PIPELINING", "--lf-only"],
            &["--close-421-after", "MAIL", "--disconnect-after", "DOT"],
            &["--max-connections", "10"],
        ];
        for list in ok {
            assert!(parse(args(list)).is_ok(), "{list:?}");
        }
        let parsed = parse(args(&["--port", "2525"])).ok().unwrap();
        assert_eq!(parsed.port, 2525);
    }

    #[test]
    fn bad_command_lines_get_their_exit_status() {
        assert_eq!(status(&["--port", "http"]), Some(EXIT_BAD_PORT));
        assert_eq!(status(&["--port", "65536"]), Some(EXIT_BAD_PORT));
        assert_eq!(status(&["--port", "-1"]), Some(EXIT_BAD_PORT));
        assert_eq!(status(&["--port"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--frobnicate"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--reply", "no equals sign"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--reply-nth", "MAIL:0=x"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--delay", "MAIL=soon"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--idle-timeout", "0"]), Some(EXIT_USAGE));
        assert_eq!(status(&["--max-connections", "0"]), Some(EXIT_USAGE));
    }

    #[test]
    fn an_envelope_is_logged_escaped() {
        let message = Message {
            mail_from: "\x1b[2Ja@b".into(),
            rcpt_to: vec!["c@d\r".into()],
            data: b"hi\r\n".to_vec(),
        };
        let said = r"from <\x1b[2Ja@b> to <c@d\r>, 4 octets";
        assert_eq!(describe(&message), said);
    }

    #[test]
    fn the_help_states_the_cap_in_force() {
        use inet_mocks::server::DEFAULT_MAX_CONNECTIONS;
        let said = format!("(default {DEFAULT_MAX_CONNECTIONS});");
        assert!(USAGE.contains(&said), "{said:?}");
    }

    #[test]
    fn multi_line_replies_are_typed_with_backslash_n() {
        assert_eq!(reply_text("250-a\\n250 b"), "250-a\n250 b");
    }
}
