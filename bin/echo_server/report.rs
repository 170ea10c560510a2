//! What `echo-server` prints for each event of the server: the
//! original's `client IP : line (Thread-N)`, and a line for each thing
//! the original did not say. The tour prints the same lines.

use inet::echo::server::{Client, Event};

/// Gives `write` the log line for `event`, as the parts it is joined
/// from.
pub fn log_line(event: &Event<'_>, write: impl FnOnce(&[&str])) {
    let line = match event {
        Event::Line(Client { ip, thread }, text) => {
            // In parts, copied into the log as they are, never joined
            // into a `String` of its own: this runs for every line of
            // every client, and with 128 clients a `String` for each
            // line cost 2% to 8% of the lines answered per second
            // (`benches/echo.rs`): 128 threads share malloc's few arenas.
            let text = String::from_utf8_lossy(text);
            return write(&["client ", ip, " : ", &text, " (", thread, ")"]);
        }
        Event::Refused { ip, why } => format!("client {ip} refused: {why}"),
        Event::Ended(Client { ip, thread }, end) => {
            format!("client {ip} : end of session: {end} ({thread})")
        }
        Event::AcceptFailed(e) => format!("accept failed: {e}"),
    };
    write(&[&line]);
}
