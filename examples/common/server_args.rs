//! The servers' command line, the same in inet_08 (lines 34-53) and
//! inet_10 (lines 38-57): one argument, a port, and a server on it.

use std::env;
use std::error::Error;
use std::net::TcpListener;
use std::process::exit;

use crate::python::is_number;

/// Listens on the port the command line names, or says what is wrong
/// and exits (1: not one argument; 2: not a number). What the original
/// does not catch (a port over 65535, a port in use) ends it with a
/// traceback; here it is an error for main to return (exit status 1).
pub fn listen_on_argument() -> Result<TcpListener, Box<dyn Error>> {
    let args: Vec<String> = env::args().collect();
    if args.len() != 2 {
        println!("syntaxe : {} port", args[0]);
        exit(1);
    }
    let port = &args[1];
    if !is_number(port) {
        println!("Le port {port} n'est pas un nombre entier positif\n");
        exit(2);
    }
    // host "localhost": TCPServer is IPv4, so that is 127.0.0.1. The
    // system picks a free port for port 0.
    let port: u16 = port.trim().parse()?;
    Ok(TcpListener::bind(("127.0.0.1", port))?)
}
