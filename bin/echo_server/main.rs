//! `echo-server PORT`: the chapter's threaded echo server (inet_08).
//!
//! Each client gets a thread named `Thread-N`; each line it sends comes
//! back as `Thread-N: LINE IN UPPER CASE`. Try it with `echo-client`, or
//! with `nc 127.0.0.1 PORT`. Read `lessons/05-echo.md` and
//! `src/echo/server.rs`; what the program prints is `report.rs` here.

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/listen.rs"]
mod listen;
#[path = "../common/log.rs"]
mod log;
mod report;

use std::io;
use std::process::ExitCode;

use cli::{Args, EXIT_CONNECTION, Program, Syntax};
use inet::echo::server::{self, Config, serve};

const PROGRAM: Program = Program {
    name: "echo-server",
    synopsis: "[OPTIONS] PORT",
    help: "\
usage: echo-server [OPTIONS] PORT

The chapter's echo server (inet_08): answers each line with the name of the
client's thread and the line in upper case. An empty line ends a session.
PORT 0 picks a free port; the first line printed says which.

options:
  --bind ADDR          address to listen on (default 127.0.0.1)
  --max-clients N      clients served at once; one more is refused (1024)
  --idle-timeout SECS  time allowed for each line to arrive (300)
  --max-line BYTES     longest line, newline included (8192)
  -h, --help           this help

exit status: 1 wrong arguments, 2 bad port, 3 cannot listen or start",
};

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let options = ["bind", "max-clients", "idle-timeout", "max-line"];
    let args = PROGRAM.args(&Syntax {
        count: 1..=1,
        options: &options,
        flags: &[],
    })?;
    let port = PROGRAM.port(&args.positional[0])?;
    let config = config(&args).map_err(|e| PROGRAM.usage(&e))?;
    let (listener, stop) =
        listen::listen(&PROGRAM, &args, port, "echo server")?;
    // Each event is a log line, written in batches off the clients'
    // threads, in bounded memory (log.rs).
    let log = log::Log::start(io::stdout()).map_err(|e| {
        PROGRAM.fail(EXIT_CONNECTION, &format!("cannot start the log: {e}"))
    })?;
    let report = |event: server::Event<'_>| {
        report::log_line(&event, |parts| log.line(parts));
    };
    serve(&listener, &config, &report, &stop);
    log.finish();
    Ok(())
}

fn config(args: &Args) -> Result<Config, cli::UsageError> {
    Ok(Config {
        max_clients: args.count("max-clients", server::DEFAULT_MAX_CLIENTS)?,
        idle_timeout: args
            .seconds("idle-timeout", server::DEFAULT_IDLE_TIMEOUT)?,
        max_line: args.count("max-line", server::DEFAULT_MAX_LINE)?,
    })
}
