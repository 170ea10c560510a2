//! What the two servers share on their command line: the listening
//! socket, on `--bind` and the port given, announced on standard output.

use std::net::TcpListener;
use std::process::ExitCode;

use inet::accept::Stop;

use crate::cli::{Args, EXIT_CONNECTION, Program, say};

/// A server's listening socket, on `--bind` (default 127.0.0.1) and
/// `port`, announced as `WHAT listening on IP:PORT`: with port 0,
/// only the system knows which port, and the user must be told.
/// [`EXIT_CONNECTION`] when it can't listen.
pub fn listen(
    program: &Program,
    args: &Args,
    port: u16,
    what: &str,
) -> Result<(TcpListener, Stop), ExitCode> {
    let bind = args.option("bind").unwrap_or("127.0.0.1");
    let listening = TcpListener::bind((bind, port)).and_then(|listener| {
        let stop = Stop::new(&listener)?;
        Ok((listener.local_addr()?, listener, stop))
    });
    match listening {
        Ok((addr, listener, stop)) => {
            say(&format!("{what} listening on {addr}"));
            Ok((listener, stop))
        }
        Err(e) => {
            let why = format!("cannot listen on {bind} port {port}: {e}");
            Err(program.fail(EXIT_CONNECTION, &why))
        }
    }
}
