//! `mock-dns`: the mock DNS server as a program, to point `dig`, a Python
//! original or the `resolve` program at.
//!
//! It listens on UDP and TCP on one port of 127.0.0.1, prints
//! `listening on 127.0.0.1:PORT` as its first line, then one line per
//! question received (`udp A example.test from 127.0.0.1:40000`), and
//! runs until killed (or until its standard output is closed).

use inet_mocks::dns::{Builder, DnsMock, Rcode};
use inet_mocks::standalone::{self, EXIT_BAD_PORT, Failure};
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::mpsc;

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

Prints `listening on 127.0.0.1:PORT` first, then one line per question.
Try: dig @127.0.0.1 -p PORT example.test A
Exit status: 0 when stdout closes, 1 for a usage error, 2 for a bad port,
3 if it cannot listen.";

const PROGRAM: &str = "mock-dns";

fn main() -> ExitCode {
    let args = match standalone::command_line(PROGRAM, USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let (tx, rx) = mpsc::channel();
    let builder = match parse(&args) {
        // Questions are printed, not kept: the program may run for long.
        Ok(builder) => builder.log_limit(0).on_question(move |q| {
            let _ = tx.send(q.to_string());
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
        if standalone::say(&line).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Turns the arguments into a builder.
fn parse(args: &[String]) -> Result<Builder, Failure> {
    let mut builder = DnsMock::builder();
    let mut args = args.iter();
    while let Some(option) = args.next() {
        if option == "--truncate-udp" {
            builder = builder.truncate_udp();
            continue;
        }
        let Some(value) = args.next() else {
            return Err(Failure::usage(format!(
                "{option} needs a value (or is unknown)"
            )));
        };
        builder = match option.as_str() {
            "--port" => builder.port(parse_port(value)?),
            "--record" => {
                let (name, addr) = pair(option, value, "NAME=ADDR")?;
                builder.record(name, parse_addr(addr)?)
            }
            "--cname" => {
                let (alias, target) = pair(option, value, "ALIAS=TARGET")?;
                builder.cname(alias, target)
            }
            "--ptr" => {
                let (addr, name) = pair(option, value, "ADDR=NAME")?;
                builder.ptr(parse_addr(addr)?, name)
            }
            "--hosts" => {
                let text = std::fs::read_to_string(value).map_err(|err| {
                    Failure::usage(format!("cannot read {value}: {err}"))
                })?;
                builder.hosts(&text)
            }
            "--nxdomain" => builder.rcode_for(value, Rcode::NxDomain),
            "--servfail" => builder.rcode_for(value, Rcode::ServFail),
            "--refused" => builder.rcode_for(value, Rcode::Refused),
            _ => {
                return Err(Failure::usage(format!("unknown option {option}")));
            }
        };
    }
    Ok(builder)
}

fn pair<'a>(
    option: &str,
    value: &'a str,
    shape: &str,
) -> Result<(&'a str, &'a str), Failure> {
    value.split_once('=').ok_or_else(|| {
        Failure::usage(format!("{option} wants {shape}, not {value:?}"))
    })
}

fn parse_addr(text: &str) -> Result<IpAddr, Failure> {
    text.parse()
        .map_err(|_| Failure::usage(format!("{text:?} is not an IP address")))
}

fn parse_port(text: &str) -> Result<u16, Failure> {
    standalone::parse_port(text).map_err(|message| Failure {
        status: EXIT_BAD_PORT,
        message,
    })
}
