//! What `tcp-server` prints for each event of the relay: the original's
//! `<--- IP : line`, and a line for each thing the original did not say.
//! The tour prints the same lines.

use inet::escape::escape;
use inet::relay::Event;

/// The log line for `event`, if any. A keyboard line is shown as it is
/// sent only when `show_keyboard`: when standard input is a pipe, nobody
/// typed it, and the log would not show it otherwise. What a client
/// sent is escaped: its control characters must not steer the terminal.
pub fn log_line(event: &Event<'_>, show_keyboard: bool) -> Option<String> {
    Some(match event {
        Event::Connected(client) => format!("client {client}"),
        Event::Received { client, text } => {
            format!("<--- {client} : {}", escape(text))
        }
        Event::Sent(line) if show_keyboard => format!("--> {}", escape(line)),
        Event::Sent(_) => return None,
        Event::KeyboardEnded(why) => format!("{why}: closing the session"),
        Event::Left { client, why } => format!("client {client} {why}"),
        Event::AcceptFailed(e) => format!("accept failed: {e}"),
    })
}
