//! The chapter's message file (`mail2.txt`): where to send what.
//!
//! ```text
//! 127.0.0.1:2525, me@example.test, you@example.test     <- server[:port], sender, recipient
//! Subject: test                                          <- the message, as it is
//!
//! ligne1
//! ```
//!
//! The first line is checked here, before any connection is made: an
//! empty file, a first line that is not UTF-8 or has the wrong number of
//! fields, a server that is no host name or IP address (or port 0), an
//! address SMTP can't carry. The message itself
//! is bytes, sent as they are (only line ends and leading dots change,
//! see [`super::data`]), so a message in Latin-1 goes through untouched;
//! its lines are checked by [`super::data::Lines`] as the program reads
//! the file, a piece at a time. Opening and reading the file is the
//! program's business, and so are its errors.

use std::fmt;
use std::net::IpAddr;

use super::command::{self, CommandError};

/// The SMTP port, and the only one the originals know: 25.
pub const DEFAULT_PORT: u16 = 25;

/// The longest first line read, line end included: a host name (at
/// most 255 octets, RFC 1035 §2.3.4) and two paths (at most 256 each,
/// RFC 5321 §4.5.3.1.3) fit, with their separators.
pub const MAX_FIRST_LINE: usize = 1024;

/// The first line: where the message goes, from whom, to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The server's host name or address.
    pub server: String,
    /// Its port: after a `:` on the first line, or 25.
    pub port: u16,
    /// The sender's address.
    pub sender: String,
    /// The recipient's address.
    pub recipient: String,
}

/// Why the message file can't be used: its first line is wrong (or
/// missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailFileError {
    /// Nothing in it.
    Empty,
    /// The first line is longer than [`MAX_FIRST_LINE`].
    FirstLineTooLong,
    /// The first line is not UTF-8.
    NotUtf8,
    /// The first line does not have three comma-separated fields.
    Fields(usize),
    /// A field is empty.
    EmptyField(&'static str),
    /// The port after `:` is not a port number, or is 0.
    BadPort(String),
    /// The server is neither a host name (letters, digits, `-`, `.`,
    /// `_`) nor an IP address (`[::1]` in brackets): as written, escaped.
    BadServer(String),
    /// An address SMTP can't carry (see [`CommandError`]).
    Address(CommandError),
}

impl fmt::Display for MailFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let syntax =
            "the first line must be `server[:port], sender, recipient`";
        match self {
            MailFileError::Empty => write!(f, "it is empty; {syntax}"),
            MailFileError::FirstLineTooLong => write!(
                f,
                "its first line is over {MAX_FIRST_LINE} octets; {syntax}"
            ),
            MailFileError::NotUtf8 => {
                write!(f, "its first line is not UTF-8 text; {syntax}")
            }
            MailFileError::Fields(n) => {
                write!(f, "its first line has {n} field(s), not 3; {syntax}")
            }
            MailFileError::EmptyField(which) => {
                write!(f, "the {which} on its first line is empty; {syntax}")
            }
            MailFileError::BadPort(e) => write!(f, "on its first line, {e}"),
            MailFileError::BadServer(server) => write!(
                f,
                "the server \"{server}\" on its first line is neither a host \
                 name nor an IP address; {syntax}"
            ),
            MailFileError::Address(e) => write!(f, "on its first line, {e}"),
        }
    }
}

impl std::error::Error for MailFileError {}

impl Envelope {
    // ANCHOR: parse_mail_file
    /// Checks the first line (its line end, if any, is not part of it).
    ///
    /// # Errors
    /// See [`MailFileError`].
    pub fn parse(line: &[u8]) -> Result<Envelope, MailFileError> {
        if line.is_empty() {
            return Err(MailFileError::Empty);
        }
        if line.len() > MAX_FIRST_LINE {
            return Err(MailFileError::FirstLineTooLong);
        }
        let line = std::str::from_utf8(line)
            .map_err(|_| MailFileError::NotUtf8)?
            .trim_end_matches(['\r', '\n']);
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [server, sender, recipient] = fields[..] else {
            return Err(MailFileError::Fields(fields.len()));
        };
        for (name, value) in [("server", server), ("recipient", recipient)] {
            if value.is_empty() {
                return Err(MailFileError::EmptyField(name));
            }
        }
        // The sender may be empty: that is the null path `<>` (bounces).
        command::path("sender address", sender)
            .and_then(|_| command::path("recipient address", recipient))
            .map_err(MailFileError::Address)?;
        let (server, port) = split_port(server)?;
        check_server(&server, port)?;
        Ok(Envelope {
            server,
            port,
            sender: sender.to_owned(),
            recipient: recipient.to_owned(),
        })
    }
    // ANCHOR_END: parse_mail_file
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` into host and port.
fn split_port(server: &str) -> Result<(String, u16), MailFileError> {
    let port = |p: &str| {
        crate::port::parse_port(p)
            .map_err(|e| MailFileError::BadPort(e.to_string()))
    };
    if let Some(rest) = server.strip_prefix('[') {
        let bad = || MailFileError::BadPort(format!("bad server {server:?}"));
        let (host, tail) = rest.split_once(']').ok_or_else(bad)?;
        let port = match tail {
            "" => DEFAULT_PORT,
            _ => port(tail.strip_prefix(':').ok_or_else(bad)?)?,
        };
        return Ok((host.to_owned(), port));
    }
    match server.split_once(':') {
        // One colon: host and port. More: a bare IPv6 address.
        Some((host, p)) if !p.contains(':') => Ok((host.to_owned(), port(p)?)),
        _ => Ok((server.to_owned(), DEFAULT_PORT)),
    }
}

/// A server we can connect to: a host name or an IP address, and a
/// port that names one (0 names none).
fn check_server(host: &str, port: u16) -> Result<(), MailFileError> {
    let in_name = |c: char| c.is_ascii_alphanumeric() || "-._".contains(c);
    let name = !host.is_empty() && host.chars().all(in_name);
    if !name && host.parse::<IpAddr>().is_err() {
        let shown = crate::escape::escape(host.as_bytes());
        return Err(MailFileError::BadServer(shown));
    }
    if port == 0 {
        return Err(MailFileError::BadPort("port 0 names no server".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_gives_server_sender_and_recipient() {
        let line = b"127.0.0.1:2525, me@x.test , you@y.test\r\n";
        let mail = Envelope::parse(line).unwrap();
        assert_eq!(mail.server, "127.0.0.1");
        assert_eq!(mail.port, 2525);
        assert_eq!(mail.sender, "me@x.test");
        assert_eq!(mail.recipient, "you@y.test");
    }

    #[test]
    fn the_port_defaults_to_25_and_ipv6_is_understood() {
        let port = |line: &str| {
            Envelope::parse(line.as_bytes()).map(|m| (m.server, m.port))
        };
        assert_eq!(
            port("smtp.x.test, a@x, b@x").unwrap(),
            ("smtp.x.test".into(), 25)
        );
        assert_eq!(port("[::1]:2525, a@x, b@x").unwrap(), ("::1".into(), 2525));
        assert_eq!(port("::1, a@x, b@x").unwrap(), ("::1".into(), 25));
        assert!(matches!(
            port("h:99999, a@x, b@x"),
            Err(MailFileError::BadPort(_))
        ));
        assert!(matches!(
            port("h:, a@x, b@x"),
            Err(MailFileError::BadPort(_))
        ));
    }

    #[test]
    fn a_bad_first_line_is_refused_with_a_reason() {
        // Rows S16, S17 (the parsing half; reading is tested with files).
        let err =
            |bytes: &[u8]| Envelope::parse(bytes).unwrap_err().to_string();
        assert!(err(b"").contains("empty"));
        assert!(err(b"\xff, a@x, b@x\n").contains("not UTF-8"));
        assert!(err(b"h, a@x\n").contains("2 field(s), not 3"));
        assert!(err(b"h, a@x, b@x, c@x").contains("4 field(s)"));
        assert!(err(b", a@x, b@x").contains("server"));
        assert!(err(b"h, a@x, ").contains("recipient"));
        assert!(err("h, a@x, josé@x".as_bytes()).contains("SMTPUTF8"));
        let first = [b"h, a@x, ".as_slice(), &[b'b'; 1100]].concat();
        assert!(err(&first).contains("over 1024 octets"));
    }

    #[test]
    fn the_server_is_a_host_name_or_an_ip_address() {
        let err = |line: &str| Envelope::parse(line.as_bytes()).unwrap_err();
        for bad in ["\x1b[2Jevil", "127.0.0.1:43030:", "a b", "h/x"] {
            let line = format!("{bad}, a@x, b@x");
            assert!(matches!(err(&line), MailFileError::BadServer(_)), "{bad}");
        }
        let shown = err("\x1b]0;x\x07h, a@x, b@x").to_string();
        assert!(shown.contains(r#""\x1b]0;x\x07h""#), "{shown}");
        assert!(matches!(err("h:0, a@x, b@x"), MailFileError::BadPort(_)));
        for good in ["mail_1.x-y.test", "192.0.2.1", "[2001:db8::1]:25"] {
            assert!(
                Envelope::parse(format!("{good}, a@x, b@x").as_bytes()).is_ok()
            );
        }
    }

    #[test]
    fn the_sender_may_be_empty() {
        let mail = Envelope::parse(b"h, , b@x\n").unwrap();
        assert_eq!(mail.sender, "");
    }
}
