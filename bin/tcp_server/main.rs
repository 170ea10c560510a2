//! `tcp-server PORT`: the chapter's generic TCP server (inet_10).
//!
//! Serves one client at a time: prints each line the client sends as
//! `<--- IP : line`, and sends it each line typed on the keyboard. `bye`
//! ends the session. Point a web browser at it and play the web server.
//! Read `lessons/06-generic-server.md` and `src/relay.rs`; what the
//! program prints is `report.rs` here.

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/listen.rs"]
mod listen;
#[path = "../common/log.rs"]
mod log;
mod report;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use cli::{EXIT_CONNECTION, Program, Syntax};
use inet::relay::{self, Config, Event};

const PROGRAM: Program = Program {
    name: "tcp-server",
    synopsis: "[OPTIONS] PORT",
    help: "\
usage: tcp-server [OPTIONS] PORT

The chapter's generic TCP server (inet_10): serves one client at a time,
printing each line it sends as `<--- IP : line` and sending it each line
typed on standard input. `bye` ends the session; the end of input ends the
session and the server. Other clients wait their turn. PORT 0 picks a free
port; the first line printed says which.

options:
  --bind ADDR          address to listen on (default 127.0.0.1)
  --idle-timeout SECS  disconnect a client that sends nothing this long
                       after connecting (10)
  -h, --help           this help

exit status: 1 wrong arguments, 2 bad port, 3 cannot listen or serve (a
keyboard that fails: a line over 64 KiB, a directory for input)",
};

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let syntax = Syntax {
        count: 1..=1,
        options: &["bind", "idle-timeout"],
        flags: &[],
    };
    let args = PROGRAM.args(&syntax)?;
    let port = PROGRAM.port(&args.positional[0])?;
    let defaults = Config::default();
    let config = Config {
        first_byte_timeout: args
            .seconds("idle-timeout", defaults.first_byte_timeout)
            .map_err(|e| PROGRAM.usage(&e))?,
        ..defaults
    };
    let what = "generic TCP server (stop with Ctrl-C)";
    let (listener, stop) = listen::listen(&PROGRAM, &args, port, what)?;
    let show_keyboard = !io::stdin().is_terminal();
    // Whole lines, never waited for (see `../common/log.rs`); a closed
    // standard output loses the log, not the session.
    let log = log::Log::start(io::stdout()).map_err(|e| {
        PROGRAM.fail(EXIT_CONNECTION, &format!("cannot start the log: {e}"))
    })?;
    let print = |event: Event<'_>| {
        if let Some(line) = report::log_line(&event, show_keyboard) {
            log.line(&[&line]);
        }
    };
    let served = relay::serve(&listener, io::stdin(), &config, &print, &stop);
    log.finish();
    served.map_err(|e| {
        PROGRAM.fail(EXIT_CONNECTION, &format!("cannot serve: {e}"))
    })
}
