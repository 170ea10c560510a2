//! `echo-client HOST PORT`: the chapter's echo client (inet_06).
//!
//! Reads lines from the keyboard, sends each to the echo server and prints
//! the reply, until an empty line. Works against `echo-server` and against
//! the Python original, whose replies end without a newline. Read
//! `lessons/05-echo.md` and `src/echo/client.rs`; what the program shows
//! is `screen.rs` here.

#[path = "../common/cli.rs"]
mod cli;
mod screen;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use cli::{Args, EXIT_CONNECTION, Program, Syntax};
use inet::echo::client::{self, ClientError, Config};
use inet::net;
use screen::Screen;

const PROGRAM: Program = Program {
    name: "echo-client",
    synopsis: "[OPTIONS] HOST PORT",
    help: "\
usage: echo-client [OPTIONS] HOST PORT

The chapter's echo client (inet_06): sends each line you type to the echo
server at HOST:PORT and prints its reply as `<-- reply`. An empty line (or
the end of input) stops. Standard input may be a pipe.

options:
  --timeout SECS   wait this long to connect, for each whole reply, and
                   for a line's sending to make progress (30)
  --quiet SECS     a reply without a newline ends after this much
                   silence (0.3)
  -h, --help       this help

exit status: 1 wrong arguments, 2 bad port, 3 connection failed or lost,
4 keyboard or screen failed (a line over 64 KiB, a closed pipe)",
};

/// The originals stop at 3; a fault on our own side gets a status of its
/// own, so a script can tell it from a network problem.
const EXIT_LOCAL: u8 = 4;

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let syntax = Syntax {
        count: 2..=2,
        options: &["timeout", "quiet"],
        flags: &[],
    };
    let args = PROGRAM.args(&syntax)?;
    let (host, port) = (&args.positional[0], &args.positional[1]);
    let port_number = PROGRAM.port(port)?;
    let config = config(&args).map_err(|e| PROGRAM.usage(&e))?;
    let failed = |e: ClientError| {
        if e.is_local() {
            return PROGRAM.fail(EXIT_LOCAL, &e.to_string());
        }
        let why = format!("connection to ({host}, {port}) failed: {e}");
        PROGRAM.fail(EXIT_CONNECTION, &why)
    };
    let stream = net::connect(host, port_number, config.timeout)
        .map_err(|e| failed(ClientError::Connect(e)))?;
    // Nobody typed a piped line: show it after the prompt.
    let mut screen = Screen::new(io::stdout(), !io::stdin().is_terminal());
    client::run(&stream, io::stdin(), &config, |event| screen.show(event))
        .map_err(failed)
}

fn config(args: &Args) -> Result<Config, cli::UsageError> {
    let defaults = Config::default();
    Ok(Config {
        timeout: args.seconds("timeout", defaults.timeout)?,
        quiet: args.seconds("quiet", defaults.quiet)?,
        ..defaults
    })
}
