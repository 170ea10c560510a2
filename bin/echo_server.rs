//! `echo-server PORT`: the chapter's threaded echo server (inet_08).
//!
//! Each client gets a thread named `Thread-N`; each line it sends comes
//! back as `Thread-N: LINE IN UPPER CASE`. Try it with `echo-client`, or
//! with `nc 127.0.0.1 PORT`. Read `lessons/05-echo.md` and
//! `src/echo/server.rs`.

use std::net::TcpListener;
use std::process::ExitCode;

use inet::cli::{self, Args, EXIT_BAD_PORT};
use inet::console::Console;
use inet::echo::server::{self, Config, serve};
use inet::stop::Stop;

const NAME: &str = "echo-server";
const SYNOPSIS: &str = "[OPTIONS] PORT";
const HELP: &str = "\
usage: echo-server [OPTIONS] PORT

The chapter's echo server (inet_08): answers each line with the name of the
client's thread and the line in upper case. An empty line ends a session.
PORT 0 picks a free port; the first line printed says which.

options:
  --bind ADDR          address to listen on (default 127.0.0.1)
  --max-clients N      clients served at once; one more is refused (256)
  --idle-timeout SECS  time allowed for each line to arrive (300)
  --max-line BYTES     longest line, newline included (8192)
  -h, --help           this help

exit status: 1 wrong arguments, 2 bad port, 3 cannot listen";

const EXIT_CANNOT_LISTEN: u8 = 3;

fn main() -> ExitCode {
    let options = ["bind", "max-clients", "idle-timeout", "max-line"];
    let args = match Args::parse(std::env::args_os().skip(1), &options) {
        Ok(args) if args.help => return cli::help(HELP),
        Ok(args) if args.positional.len() == 1 => args,
        Ok(_) => return cli::usage(NAME, SYNOPSIS, "expected one PORT"),
        Err(e) => return cli::usage(NAME, SYNOPSIS, &e.0),
    };
    let port = match cli::parse_port(&args.positional[0]) {
        Ok(port) => port,
        Err(e) => return cli::fail(NAME, EXIT_BAD_PORT, &e.to_string()),
    };
    let config = match config(&args) {
        Ok(config) => config,
        Err(e) => return cli::usage(NAME, SYNOPSIS, &e.0),
    };
    let bind = args.option("bind").unwrap_or("127.0.0.1");
    let (listener, stop) = match listen(bind, port) {
        Ok(listening) => listening,
        Err(e) => {
            let why = format!("cannot listen on {bind} port {port}: {e}");
            return cli::fail(NAME, EXIT_CANNOT_LISTEN, &why);
        }
    };
    serve(&listener, &config, &Console::stdout(), &stop);
    ExitCode::SUCCESS
}

/// Binds, and says where: with PORT 0, only the system knows which port.
fn listen(bind: &str, port: u16) -> std::io::Result<(TcpListener, Stop)> {
    let listener = TcpListener::bind((bind, port))?;
    println!("echo server listening on {}", listener.local_addr()?);
    let stop = Stop::new(&listener)?;
    Ok((listener, stop))
}

fn config(args: &Args) -> Result<Config, cli::UsageError> {
    Ok(Config {
        max_clients: args.count("max-clients", server::DEFAULT_MAX_CLIENTS)?,
        idle_timeout: args
            .seconds("idle-timeout", server::DEFAULT_IDLE_TIMEOUT)?,
        max_line: args.count("max-line", server::DEFAULT_MAX_LINE)?,
        ..Config::default()
    })
}
