//! `echo-client HOST PORT`: the chapter's echo client (inet_06).
//!
//! Reads lines from the keyboard, sends each to the echo server and prints
//! the reply, until an empty line. Works against `echo-server` and against
//! the Python original, whose replies end without a newline. Read
//! `lessons/05-echo.md` and `src/echo/client.rs`.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use inet::cli::{self, Args, EXIT_BAD_PORT};
use inet::echo::client::{self, Config};
use inet::transcript::Transcript;

const NAME: &str = "echo-client";
const SYNOPSIS: &str = "[OPTIONS] HOST PORT";
const HELP: &str = "\
usage: echo-client [OPTIONS] HOST PORT

The chapter's echo client (inet_06): sends each line you type to the echo
server at HOST:PORT and prints its reply as `<-- reply`. An empty line (or
the end of input) stops. Standard input may be a pipe.

options:
  --timeout SECS   wait this long to connect and for each reply (30)
  --quiet SECS     a reply without a newline ends after this much
                   silence (0.3)
  -h, --help       this help

exit status: 1 wrong arguments, 2 bad port, 3 connection failed or lost";

const EXIT_CONNECTION: u8 = 3;

fn main() -> ExitCode {
    let options = ["timeout", "quiet"];
    let args = match Args::parse(std::env::args_os().skip(1), &options) {
        Ok(args) if args.help => return cli::help(HELP),
        Ok(args) if args.positional.len() == 2 => args,
        Ok(_) => return cli::usage(NAME, SYNOPSIS, "expected HOST and PORT"),
        Err(e) => return cli::usage(NAME, SYNOPSIS, &e.0),
    };
    let (host, port) = (&args.positional[0], &args.positional[1]);
    let port_number = match cli::parse_port(port) {
        Ok(port) => port,
        Err(e) => return cli::fail(NAME, EXIT_BAD_PORT, &e.to_string()),
    };
    let config = match config(&args) {
        Ok(config) => config,
        Err(e) => return cli::usage(NAME, SYNOPSIS, &e.0),
    };
    let failed = |e: client::ClientError| {
        let why = format!("connection to ({host}, {port}) failed: {e}");
        cli::fail(NAME, EXIT_CONNECTION, &why)
    };
    let stream = match client::connect(host, port_number, config.timeout) {
        Ok(stream) => stream,
        Err(e) => return failed(e),
    };
    let (stdin, mut stdout) = (io::stdin(), io::stdout());
    match client::run(&stream, stdin, &mut stdout, &config, &Transcript::new())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}

fn config(args: &Args) -> Result<Config, cli::UsageError> {
    let defaults = Config::default();
    Ok(Config {
        timeout: args.seconds("timeout", defaults.timeout)?,
        quiet: args.seconds("quiet", defaults.quiet)?,
        // Nobody typed a piped line: show it after the prompt.
        echo_input: !io::stdin().is_terminal(),
        ..defaults
    })
}
