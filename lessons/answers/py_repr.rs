//! Lesson 4, exercise 3, an answer: Python 2's `repr()` of a byte string
//! (see `lessons/exercises/py_repr.rs`).

// ANCHOR: py_repr
/// Python 2's `repr()` of `bytes`.
pub fn py_repr(bytes: &[u8]) -> String {
    let quote = match (bytes.contains(&b'\''), bytes.contains(&b'"')) {
        (true, false) => b'"',
        _ => b'\'',
    };
    let mut out = String::from(char::from(quote));
    for &byte in bytes {
        let escaped = match byte {
            b'\t' => "\\t".to_owned(),
            b'\n' => "\\n".to_owned(),
            b'\r' => "\\r".to_owned(),
            b'\\' => "\\\\".to_owned(),
            _ if byte == quote => format!("\\{}", char::from(quote)),
            b' '..=b'~' => char::from(byte).to_string(),
            _ => format!("\\x{byte:02x}"),
        };
        out.push_str(&escaped);
    }
    out.push(char::from(quote));
    out
}
// ANCHOR_END: py_repr
