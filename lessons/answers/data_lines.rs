//! An answer to lesson 3's exercise 2: the message after `354`. It is
//! cut into lines first, so that the dots go where the server will see
//! line starts.

// ANCHOR: data_lines
/// The bytes to send after `354` for `message`, final dot included.
pub fn data(message: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(message.len() + 5);
    let mut rest = message;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\r' || b == b'\n');
        let line = &rest[..end.unwrap_or(rest.len())];
        if line.starts_with(b".") {
            wire.push(b'.');
        }
        wire.extend_from_slice(line);
        wire.extend_from_slice(b"\r\n");
        rest = match end {
            // `\r\n` is one line end, not two.
            Some(at) if rest[at..].starts_with(b"\r\n") => &rest[at + 2..],
            Some(at) => &rest[at + 1..],
            None => &[],
        };
    }
    wire.extend_from_slice(b".\r\n");
    wire
}
// ANCHOR_END: data_lines
