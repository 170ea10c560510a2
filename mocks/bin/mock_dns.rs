//! `mock-dns`: the mock DNS server as a program, to point `dig`, a Python
//! original or the `resolve` program at.
//!
//! It listens on UDP and TCP on one port of 127.0.0.1, prints
//! `listening on 127.0.0.1:PORT` as its first line, then one line per
//! question received (`udp A example.test from 127.0.0.1:40000`), and
//! runs until killed (or until its standard output is closed).

use inet_mocks::dns::{Builder, DnsMock, Rcode};
use inet_mocks::standalone::{self, Failure, Options, pair};
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, TrySendError};

const USAGE: &str = "\
usage: mock-dns [--port N] [--record NAME=ADDR]... [--cname ALIAS=TARGET]...
                [--ptr ADDR=NAME]... [--hosts FILE] [--nxdomain NAME]...
                [--servfail NAME]... [--refused NAME]... [--truncate-udp]

A mock DNS server on 127.0.0.1 (UDP and TCP, same port) for testing DNS
clients. It answers A and AAAA from --record and --hosts, makes a PTR for
every address, follows --cname, and answers NXDOMAIN for unknown names.

  --port N              port to listen on (default 0: any free port)
  --record NAME=ADDR    an A or AAAA record (repeatable)
  --cname ALIAS=TARGET  ALIAS is another name for TARGET
  --ptr ADDR=NAME       a PTR record (replaces the automatic one)
  --hosts FILE          records from a hosts file (ADDR NAME [ALIAS...])
  --nxdomain NAME       answer NXDOMAIN for NAME
  --servfail NAME       answer SERVFAIL for NAME
  --refused NAME        answer REFUSED for NAME
  --truncate-udp        answer UDP with TC=1, so clients retry over TCP
  --help                show this help

Prints `listening on 127.0.0.1:PORT` first, then one line per question
(when output falls behind, a count of the lines dropped instead).
Try: dig @127.0.0.1 -p PORT example.test A
Exit status: 0 when stdout closes, 1 for a usage error, 2 for a bad port,
3 if it cannot listen.";

const PROGRAM: &str = "mock-dns";

/// How many question lines may wait for the printer. Past that (dnsperf,
/// or a standard output nobody reads) lines are counted, not kept, so
/// memory stays bounded; answering never waits for the printer.
const PENDING_LINES: usize = 1024;

fn main() -> ExitCode {
    let args = match standalone::command_line(PROGRAM, USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let (tx, rx) = mpsc::sync_channel(PENDING_LINES);
    let dropped = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&dropped);
    let builder = match parse(args) {
        // Questions are printed, not kept: the program may run for long.
        Ok(builder) => builder.log_limit(0).on_question(move |q| {
            if let Err(TrySendError::Full(_)) = tx.try_send(q.to_string()) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }),
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
    // Rust ignores SIGPIPE, so a closed stdout shows up as a write error:
    // the reader has gone, and so do we, quietly.
    if standalone::say_listening(mock.addr()).is_err() {
        return ExitCode::SUCCESS;
    }
    for line in rx {
        if print(&line, dropped.swap(0, Ordering::Relaxed)).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Prints a question's line, after a note of the `lost` lines dropped
/// since the last one printed.
fn print(line: &str, lost: u64) -> std::io::Result<()> {
    if lost > 0 {
        let note = format!("({lost} question lines dropped: output too slow)");
        standalone::say(&note)?;
    }
    standalone::say(line)
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
            "--hosts" => {
                let file = options.value()?;
                let text = std::fs::read_to_string(&file).map_err(|err| {
                    Failure::usage(format!("cannot read {file}: {err}"))
                })?;
                builder.hosts(&text)
            }
            "--nxdomain" => {
                builder.rcode_for(&options.value()?, Rcode::NxDomain)
            }
            "--servfail" => {
                builder.rcode_for(&options.value()?, Rcode::ServFail)
            }
            "--refused" => builder.rcode_for(&options.value()?, Rcode::Refused),
            "--truncate-udp" => builder.truncate_udp(),
            _ => return Err(options.unknown()),
        };
    }
    Ok(builder)
}

fn parse_addr(text: &str) -> Result<IpAddr, Failure> {
    text.parse()
        .map_err(|_| Failure::usage(format!("{text:?} is not an IP address")))
}
