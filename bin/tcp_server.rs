//! `tcp-server PORT`: the chapter's generic TCP server (inet_10).
//!
//! Serves one client at a time: prints each line the client sends as
//! `<--- IP : line`, and sends it each line typed on the keyboard. `bye`
//! ends the session. Point a web browser at it and play the web server.
//! Read `lessons/06-generic-server.md` and `src/relay.rs`.

use std::io::{self, IsTerminal};
use std::net::TcpListener;
use std::process::ExitCode;

use inet::cli::{self, Args, EXIT_BAD_PORT};
use inet::console::Console;
use inet::relay::{self, Config};
use inet::stop::Stop;

const NAME: &str = "tcp-server";
const SYNOPSIS: &str = "[OPTIONS] PORT";
const HELP: &str = "\
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

exit status: 1 wrong arguments, 2 bad port, 3 cannot listen";

const EXIT_CANNOT_LISTEN: u8 = 3;

fn main() -> ExitCode {
    let options = ["bind", "idle-timeout"];
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
    let defaults = Config::default();
    let config = match args.seconds("idle-timeout", defaults.first_byte_timeout)
    {
        Ok(first_byte_timeout) => Config {
            first_byte_timeout,
            echo_keyboard: !io::stdin().is_terminal(),
            ..defaults
        },
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
    relay::serve(&listener, io::stdin(), &Console::stdout(), &config, &stop);
    ExitCode::SUCCESS
}

/// Binds, and says where: with PORT 0, only the system knows which port.
fn listen(bind: &str, port: u16) -> io::Result<(TcpListener, Stop)> {
    let listener = TcpListener::bind((bind, port))?;
    let addr = listener.local_addr()?;
    println!("generic TCP server listening on {addr}; stop with Ctrl-C");
    let stop = Stop::new(&listener)?;
    Ok((listener, stop))
}
