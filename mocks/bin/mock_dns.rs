//! `mock-dns`: the mock DNS server as a program, to point `dig`, a Python
//! original or the `resolve` program at.
//!
//! It listens on UDP and TCP on one port of 127.0.0.1, prints
//! `listening on 127.0.0.1:PORT` as its first line, then one line per
//! question received (`udp A example.test from 127.0.0.1:40000`), and
//! runs until killed (or until its standard output is closed).

use inet_mocks::dns::{Builder, DnsMock, Rcode};
use std::io::Write;
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

/// Why the command line was refused, and with which exit status.
struct Refusal {
    message: String,
    status: u8,
}

fn usage(message: String) -> Refusal {
    Refusal { message, status: 1 }
}

fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(args) => args,
        Err(bad) => return refuse(&usage(format!("{bad:?} is not UTF-8"))),
    };
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (tx, rx) = mpsc::channel();
    let builder = match parse(&args) {
        // Questions are printed, not kept: the program may run for long.
        Ok(builder) => builder.log_limit(0).on_question(move |q| {
            let _ = tx.send(q.to_string());
        }),
        Err(refusal) => return refuse(&refusal),
    };
    let mock = match builder.start() {
        Ok(mock) => mock,
        Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {
            return refuse(&usage(err.to_string()));
        }
        Err(err) => {
            eprintln!("mock-dns: cannot listen: {err}");
            return ExitCode::from(3);
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "listening on {}", mock.addr()).is_err()
        || out.flush().is_err()
    {
        return ExitCode::SUCCESS;
    }
    // Rust ignores SIGPIPE, so a closed stdout shows up as a write error:
    // the reader has gone, and so do we, quietly.
    for line in rx {
        if writeln!(out, "{line}").is_err() || out.flush().is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn refuse(refusal: &Refusal) -> ExitCode {
    eprintln!("mock-dns: {}", refusal.message);
    eprintln!("try 'mock-dns --help'");
    ExitCode::from(refusal.status)
}

/// Turns the arguments into a builder.
fn parse(args: &[String]) -> Result<Builder, Refusal> {
    let mut builder = DnsMock::builder();
    let mut args = args.iter();
    while let Some(option) = args.next() {
        if option == "--truncate-udp" {
            builder = builder.truncate_udp();
            continue;
        }
        let Some(value) = args.next() else {
            return Err(usage(format!(
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
                    usage(format!("cannot read {value}: {err}"))
                })?;
                builder.hosts(&text)
            }
            "--nxdomain" => builder.rcode_for(value, Rcode::NxDomain),
            "--servfail" => builder.rcode_for(value, Rcode::ServFail),
            "--refused" => builder.rcode_for(value, Rcode::Refused),
            _ => return Err(usage(format!("unknown option {option}"))),
        };
    }
    Ok(builder)
}

fn pair<'a>(
    option: &str,
    value: &'a str,
    shape: &str,
) -> Result<(&'a str, &'a str), Refusal> {
    value
        .split_once('=')
        .ok_or_else(|| usage(format!("{option} wants {shape}, not {value:?}")))
}

fn parse_addr(text: &str) -> Result<IpAddr, Refusal> {
    text.parse()
        .map_err(|_| usage(format!("{text:?} is not an IP address")))
}

fn parse_port(text: &str) -> Result<u16, Refusal> {
    let digits = text.trim();
    let number = digits.bytes().all(|b| b.is_ascii_digit());
    let port = if number { digits.parse().ok() } else { None };
    port.ok_or_else(|| Refusal {
        message: format!(
            "the port {text:?} is not a whole number from 0 to 65535"
        ),
        status: 2,
    })
}
