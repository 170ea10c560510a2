//! What `echo-server` prints for each event of the server: the
//! original's `client IP : line (Thread-N)`, and a line for each thing
//! the original did not say. The tour prints the same lines.

use inet::echo::server::{Client, Event};

/// The log line for `event`.
pub fn log_line(event: &Event<'_>) -> String {
    match event {
        Event::Line(Client { ip, thread }, text) => {
            // Joined, not `format!`ted: this runs for every line of
            // every client, and `concat` sizes its one allocation from
            // the parts, where `format!` grows the string as it goes and
            // pads each part. In user space, a round trip cost 2,275
            // instructions with `format!`, 1,380 with `concat`, and 523
            // in the floor of `benches/echo.rs` (callgrind).
            let text = String::from_utf8_lossy(text);
            ["client ", ip, " : ", &text, " (", thread, ")"].concat()
        }
        Event::Refused { ip, why } => format!("client {ip} refused: {why}"),
        Event::Ended(Client { ip, thread }, end) => {
            format!("client {ip} : end of session: {end} ({thread})")
        }
        Event::AcceptFailed(e) => format!("accept failed: {e}"),
    }
}
