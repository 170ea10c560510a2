//! The request: the few bytes a web client sends.
//!
//! An HTTP/1.0 request for a page is a request line and, since HTTP/1.1
//! servers host many sites on one address, a `Host` header naming the site
//! (RFC 9110 §7.2), then the empty line. Lines end in CRLF (RFC 1945 §2.2,
//! RFC 9112 §2.1).
//!
//! Whatever goes into the request is checked first: a CR or LF in a host
//! or path would let the caller's input add lines of its own (request
//! splitting, CWE-113; urllib's CVE-2019-9740 was one), and a space would
//! shift the request line's fields. Such input is refused before any
//! connection is made.

use std::fmt;

/// A site that can't be asked for: its name, port or path can't go
/// into a request (or, for [`Site`](super::site::Site), into a file
/// name). Refused before any connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSite {
    /// The site, host or path, as given.
    pub site: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl fmt::Display for BadSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad site {:?}: {}", self.site, self.why)
    }
}

impl std::error::Error for BadSite {}

// ANCHOR: original_request
/// The request inet_02 sends: `GET / HTTP/1.0`, then an empty line, both
/// ended by a bare LF, and no `Host`. HTTP/1.0 servers of the 1990s took
/// it; today many servers answer `400 Bad Request`, and a server hosting
/// several sites can't know which one is wanted.
pub const ORIGINAL_REQUEST: &[u8] = b"GET / HTTP/1.0\n\n";
// ANCHOR_END: original_request

// ANCHOR: get_request
/// The request for `path` on `host`, as we send it:
///
/// ```text
/// GET / HTTP/1.0\r\n
/// Host: example.org\r\n
/// \r\n
/// ```
///
/// The `Host` header carries the port when it is not 80.
///
/// # Errors
/// [`BadSite`] if the host or path has a byte that does not belong
/// there (H1): nothing is sent then.
pub fn get_request(
    host: &str,
    port: u16,
    path: &str,
) -> Result<Vec<u8>, BadSite> {
    check_host(host)?;
    check_path(path)?;
    let host = match port {
        80 => host.to_owned(),
        _ => format!("{host}:{port}"),
    };
    let head = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n");
    Ok(head.into_bytes())
}
// ANCHOR_END: get_request

/// A host name or address: letters, digits, `-`, `.` and `_` only.
///
/// # Errors
/// [`BadSite`] naming the first thing wrong.
pub fn check_host(host: &str) -> Result<(), BadSite> {
    let bad = |why| BadSite {
        site: host.to_owned(),
        why,
    };
    if host.is_empty() {
        return Err(bad("the name is empty"));
    }
    for byte in host.bytes() {
        if let Some(why) = unsafe_byte(byte) {
            return Err(bad(why));
        }
        if !(byte.is_ascii_alphanumeric() || b"-._".contains(&byte)) {
            return Err(bad("a host name has only letters, digits, - . _"));
        }
    }
    Ok(())
}

/// A path: starts with `/`, then printable ASCII without spaces.
///
/// # Errors
/// [`BadSite`] naming the first thing wrong.
pub fn check_path(path: &str) -> Result<(), BadSite> {
    let bad = |why| BadSite {
        site: path.to_owned(),
        why,
    };
    if !path.starts_with('/') {
        return Err(bad("a path starts with /"));
    }
    match path.bytes().find_map(unsafe_byte) {
        Some(why) => Err(bad(why)),
        None => Ok(()),
    }
}

/// Why `byte` must never reach a request line or header, if it must not.
fn unsafe_byte(byte: u8) -> Option<&'static str> {
    match byte {
        b'\r' | b'\n' => Some("CR or LF would start a new request line"),
        0 => Some("it contains a NUL byte"),
        b' ' => Some("a space would split the request line"),
        0x80.. => Some("it is not ASCII (encode it first)"),
        _ if byte.is_ascii_control() => Some("it contains a control character"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_request_has_crlf_and_a_host() {
        let request = get_request("example.org", 80, "/").unwrap();
        assert_eq!(request, b"GET / HTTP/1.0\r\nHost: example.org\r\n\r\n");
        let request = get_request("127.0.0.1", 8080, "/a?b=1").unwrap();
        let expected = b"GET /a?b=1 HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n\r\n";
        assert_eq!(request, expected);
    }

    #[test]
    fn h1_control_bytes_spaces_and_non_ascii_are_refused() {
        for host in [
            "", "a\rb", "a\nb", "a\0b", "a b", "é.fr", "a\tb", "a/b", "a:80",
        ] {
            assert!(get_request(host, 80, "/").is_err(), "{host:?}");
        }
        for path in ["", "x", "/a b", "/a\r\nX: y", "/\0", "/é", "/\x7f"] {
            assert!(get_request("a", 80, path).is_err(), "{path:?}");
        }
    }

    #[test]
    fn the_refusal_says_why() {
        let err = get_request("a\r\nX: y", 80, "/").unwrap_err();
        assert!(err.to_string().contains("CR or LF"), "{err}");
    }
}
