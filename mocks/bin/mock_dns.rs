//! `mock-dns`: the mock DNS server as a program, to point `dig`, a Python
//! original or the `resolve` program at.
//!
//! It listens on UDP and TCP on one port of 127.0.0.1, prints
//! `listening on 127.0.0.1:PORT` as its first line, then one line per
//! question received (`udp A example.test from 127.0.0.1:40000`), and
//! runs until killed.

use inet_mocks::dns::{Builder, DnsMock, Rcode};
use inet_mocks::standalone::{self, Failure, Log, Options, pair};
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
  --hosts FILE          records from a hosts file (ADDR NAME [ALIAS...])
  --nxdomain NAME       answer NXDOMAIN for NAME
  --servfail NAME       answer SERVFAIL for NAME
  --refused NAME        answer REFUSED for NAME
  --truncate-udp        answer UDP with TC=1, so clients retry over TCP
  --max-connections N   serve at most N TCP connections at once (default
                        256); one more is closed at once
  --help                show this help

A TCP client must send each message whole within 10 s of its first
byte, and is disconnected after 5 s idle between messages.

Prints `listening on 127.0.0.1:PORT` first, then one line per question
(when output falls behind, a count of the lines dropped instead: no
answer waits for the log). Serves until killed, even once its standard
output is closed.
Try: dig @127.0.0.1 -p PORT example.test A
Exit status: 0 for --help, 1 for a usage error, 2 for a bad port, 3 if
it cannot listen.";

const PROGRAM: &str = "mock-dns";

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
            "--max-connections" => builder.max_connections(options.count()?),
            _ => return Err(options.unknown()),
        };
    }
    Ok(builder)
}

fn parse_addr(text: &str) -> Result<IpAddr, Failure> {
    text.parse()
        .map_err(|_| Failure::usage(format!("{text:?} is not an IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_states_the_limits_in_force() {
        use inet_mocks::dns::{DEFAULT_IO_TIMEOUT, DEFAULT_TCP_DEADLINE};
        use inet_mocks::server::DEFAULT_MAX_CONNECTIONS;
        let deadline = DEFAULT_TCP_DEADLINE.as_secs();
        let idle = DEFAULT_IO_TIMEOUT.as_secs();
        for said in [
            format!("{DEFAULT_MAX_CONNECTIONS}); one more"),
            format!("within {deadline} s of its first"),
            format!("after {idle} s idle"),
        ] {
            assert!(USAGE.contains(&said), "{said:?}");
        }
    }
}
