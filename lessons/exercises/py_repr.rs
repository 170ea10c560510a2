//! Lesson 4, exercise 3: Python 2's `repr()` of a byte string, as
//! smtplib's debug lines show what they send and receive:
//!
//! ```text
//! send: 'ehlo [127.0.0.1]\r\n'
//! ```
//!
//! Python picks the quotes: single ones, unless the bytes hold a `'` and
//! no `"`. It writes `\t`, `\n`, `\r` and `\\` as escapes, the chosen
//! quote as `\'` (or `\"`), printable ASCII (space to `~`) as it is, and
//! every other byte as `\xNN`, two lower-case hex digits. Try a few in
//! Python 2.7: `python2.7 -c 'print repr("it'"'"'s \"both\"")'`.
//!
//! Write `py_repr`. Check it with
//! `cargo test --test inet -- --ignored py_repr`: it compares your
//! answer with strings Python 2.7 printed, then with the library's
//! `inet::smtp::debug::py_repr` on any bytes. An answer is in
//! `lessons/answers/py_repr.rs` (no peeking at `src/smtp/debug.rs`).

/// Python 2's `repr()` of `bytes`.
pub fn py_repr(bytes: &[u8]) -> String {
    // Right for plain text only.
    format!("'{}'", String::from_utf8_lossy(bytes))
}
