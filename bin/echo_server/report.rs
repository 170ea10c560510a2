//! What `echo-server` prints for each event of the server: the
//! original's `client IP : line (Thread-N)`, and a line for each thing
//! the original did not say. The tour prints the same lines.

use inet::echo::server::{Client, Event};

/// The log line for `event`.
pub fn log_line(event: &Event<'_>) -> String {
    match event {
        Event::Line(Client { ip, thread }, text) => {
            let text = String::from_utf8_lossy(text);
            format!("client {ip} : {text} ({thread})")
        }
        Event::Refused { ip, why } => format!("client {ip} refused: {why}"),
        Event::Ended(Client { ip, thread }, end) => {
            format!("client {ip} : end of session: {end} ({thread})")
        }
        Event::AcceptFailed(e) => format!("accept failed: {e}"),
    }
}
