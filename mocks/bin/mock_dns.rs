//! `mock-dns`: the mock DNS server as a program, to point `dig`, a Python
//! original or the `resolve` program at.
//!
//! It listens on UDP and TCP on one port of 127.0.0.1, prints
//! `listening on 127.0.0.1:PORT` as its first line, then one line per
//! question received (`udp A example.test from 127.0.0.1:40000`), and
//! runs until killed.

use inet_mocks::dns::{Builder, DnsMock, Rcode};
use inet_mocks::standalone::{self, Failure, Log, Options, pair};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::process::ExitCode;

const USAGE: &str = "\
usage: mock-dns [--port N] [--record NAME=ADDR]... [--cname ALIAS=TARGET]...
                [--ptr ADDR=NAME]... [--hosts FILE] [--nxdomain NAME]...
                [--servfail NAME]... [--refused NAME]... [--truncate-udp]
                [--max-connections N]

A mock DNS server on 127.0.0.1 (UDP and TCP, same port) for testing DNS
clients. It answers A and AAAA from --record and --hosts, makes a PTR for
every address, follows --cname, and answers NXDOMAIN for unknown names.

  --port N              port to listen on (default 0: any free port)
  --record NAME=ADDR    an A or AAAA record (repeatable)
  --cname ALIAS=TARGET  ALIAS is another name for TARGET
  --ptr ADDR=NAME       a PTR record (replaces the automatic one)
  --hosts FILE          records from a hosts file (ADDR NAME [ALIAS...]);
                        a regular file of at most 4 MiB
  --nxdomain NAME       answer NXDOMAIN for NAME
  --servfail NAME       answer SERVFAIL for NAME
  --refused NAME        answer REFUSED for NAME
  --truncate-udp        answer UDP with TC=1, so clients retry over TCP
  --max-connections N   serve at most N TCP connections at once (default
                        256); one more is closed at once
  -h, --help            show this help

A TCP client must send each message whole within 10 s of its first
byte, and is disconnected after 5 s idle between messages.

Prints `listening on 127.0.0.1:PORT` first, then one line per question
(when output falls behind, a count of the lines dropped instead: no
answer waits for the log). Serves until killed, even once its standard
output is closed.
Try: dig @127.0.0.1 -p PORT example.test A
Exit status: 0 for --help, 1 for a usage error, 2 for a bad port, 3 if
it cannot listen or read its --hosts file.";

const PROGRAM: &str = "mock-dns";

/// The largest `--hosts` file read, in bytes: far more than any table a
/// test needs, and a bound on what a mistaken path (a disk image, say)
/// can cost.
const MAX_HOSTS_FILE: u64 = 4 * 1024 * 1024;

fn main() -> ExitCode {
    let args = match standalone::command_line(PROGRAM, USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let log = Log::new();
    let for_questions = log.clone();
    let builder = match parse(args) {
        // Questions are printed, not kept: the program may run for long.
        Ok(builder) => builder
            .log_limit(0)
            .on_question(move |q| for_questions.line(&q.to_string())),
        Err(failure) => return failure.report(PROGRAM),
    };
    let mock = match builder.start() {
        Ok(mock) => mock,
        Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {
            return Failure::usage(err.to_string()).report(PROGRAM);
        }
        Err(err) => {
            let failure = Failure::setup(format!("cannot listen: {err}"));
            return failure.report(PROGRAM);
        }
    };
    standalone::log_until_killed(mock.addr(), &log)
}

/// Turns the arguments into a builder.
fn parse(args: Vec<String>) -> Result<Builder, Failure> {
    let mut builder = DnsMock::builder();
    let mut options = Options::new(args);
    while let Some(option) = options.next_option()? {
        builder = match option.as_str() {
            "--port" => builder.port(options.port()?),
            "--record" => {
                let value = options.value()?;
                let (name, addr) = pair(&option, &value, "NAME=ADDR")?;
                builder.record(name, parse_addr(addr)?)
            }
            "--cname" => {
                let value = options.value()?;
                let (alias, target) = pair(&option, &value, "ALIAS=TARGET")?;
                builder.cname(alias, target)
            }
            "--ptr" => {
                let value = options.value()?;
                let (addr, name) = pair(&option, &value, "ADDR=NAME")?;
                builder.ptr(parse_addr(addr)?, name)
            }
            "--hosts" => read_hosts(builder, &options.value()?)?,
            "--nxdomain" => {
                builder.rcode_for(&options.value()?, Rcode::NxDomain)
            }
            "--servfail" => {
                builder.rcode_for(&options.value()?, Rcode::ServFail)
            }
            "--refused" => builder.rcode_for(&options.value()?, Rcode::Refused),
            "--truncate-udp" => builder.truncate_udp(),
            "--max-connections" => builder.max_connections(options.count()?),
            _ => return Err(options.unknown()),
        };
    }
    Ok(builder)
}

/// Adds the records of the hosts file `path`, read a line at a time. It
/// must be a regular file of at most [`MAX_HOSTS_FILE`] bytes: a FIFO
/// would block the start for good (opening one waits for a writer), and
/// a device such as `/dev/zero` never ends.
fn read_hosts(builder: Builder, path: &str) -> Result<Builder, Failure> {
    let failure = |why: String| {
        Failure::setup(format!("cannot read --hosts {path}: {why}"))
    };
    // Looked at before it is opened, since opening a FIFO blocks.
    let meta = fs::metadata(path).map_err(|e| failure(e.to_string()))?;
    if !meta.is_file() {
        return Err(failure("not a regular file".into()));
    }
    let file = File::open(path).map_err(|e| failure(e.to_string()))?;
    add_hosts(builder, file, MAX_HOSTS_FILE).map_err(failure)
}

/// Adds the records of the hosts file `text` a line at a time, holding
/// one line at once; an error (what to say) if reading fails or `text`
/// goes on past `limit` bytes.
fn add_hosts(
    mut builder: Builder,
    text: impl Read,
    limit: u64,
) -> Result<Builder, String> {
    // One byte past the limit, to tell "at the limit" from "over it".
    let mut lines = BufReader::new(text.take(limit.saturating_add(1)));
    let (mut line, mut number, mut read) = (String::new(), 0, 0);
    loop {
        line.clear();
        let n = lines.read_line(&mut line).map_err(|e| e.to_string())?;
        read += n as u64;
        if n == 0 {
            return Ok(builder);
        }
        if read > limit {
            return Err(too_big(limit));
        }
        number += 1;
        builder = builder.hosts_line(number, &line);
    }
}

/// Why a hosts file over `limit` bytes is refused.
fn too_big(limit: u64) -> String {
    let mib = limit / (1024 * 1024);
    format!("larger than {mib} MiB ({limit} bytes), the most {PROGRAM} reads")
}

fn parse_addr(text: &str) -> Result<IpAddr, Failure> {
    text.parse()
        .map_err(|_| Failure::usage(format!("{text:?} is not an IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn added(text: &str, limit: u64) -> Result<Builder, String> {
        add_hosts(DnsMock::builder(), Cursor::new(text.to_owned()), limit)
    }

    #[test]
    fn hosts_up_to_the_limit_are_read_and_one_byte_more_refused() {
        let text = "127.0.0.1 a.test\n::1 b.test\n";
        let limit = text.len() as u64;
        assert!(added(text, limit).unwrap().start().is_ok());
        let err = added(text, limit - 1).unwrap_err();
        assert!(err.starts_with("larger than "), "{err}");
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let builder = added("# hosts\n127.0.0.1 a\nbad b\n", 100).unwrap();
        let err = builder.start().unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn the_help_states_the_limits_in_force() {
        use inet_mocks::dns::{DEFAULT_IO_TIMEOUT, DEFAULT_TCP_DEADLINE};
        use inet_mocks::server::DEFAULT_MAX_CONNECTIONS;
        let deadline = DEFAULT_TCP_DEADLINE.as_secs();
        let idle = DEFAULT_IO_TIMEOUT.as_secs();
        for said in [
            format!("at most {} MiB", MAX_HOSTS_FILE / (1024 * 1024)),
            format!("{DEFAULT_MAX_CONNECTIONS}); one more"),
            format!("within {deadline} s of its first"),
            format!("after {idle} s idle"),
        ] {
            assert!(USAGE.contains(&said), "{said:?}");
        }
    }
}
