//! SMTP commands, formatted for the wire, and refused when unsafe.
//!
//! A command is one line: a verb, maybe arguments, then CRLF (RFC 5321
//! §4.1.1). Because the line end is the only framing, an argument that
//! holds a CR or LF would end the command early, and the rest of it would
//! be read as a *second* command of the caller's choosing:
//!
//! ```text
//! sender = "me@x>\r\nRCPT TO:<victim@y"      (from a web form, say)
//! wire   = "mail FROM:<me@x>\r\nRCPT TO:<victim@y>\r\n"
//! ```
//!
//! So every argument is checked before a byte is sent (CPython's
//! bpo-43124 fixed this very hole in smtplib). The same trick works
//! within one line: a path ends at its `>`, and what follows it in MAIL
//! or RCPT is read as ESMTP parameters (RFC 5321 §4.1.2), so an address
//! `me@x> NOTIFY=NEVER` would turn off delivery notices. An address whose
//! path (the part in `<>`, or all of it) holds a space, a control
//! character or an angle bracket is refused. NUL is refused too, and so
//! is anything beyond ASCII: commands are ASCII (RFC 5321 §2.4), and
//! non-ASCII addresses need the SMTPUTF8 extension (RFC 6531), which this
//! client does not speak. Lengths are checked against the limits of RFC
//! 5321 §4.5.3.1, so a server never has to cut a line we sent.
//!
//! The verbs are written in lower case, as Python's smtplib writes them:
//! verbs are case-insensitive (§2.4), and this way our debug output
//! matches smtplib's to the character.

use std::fmt;
use std::net::IpAddr;

/// RFC 5321 §4.5.3.1.1: a local part (before the `@`) is at most 64
/// octets.
pub const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: a domain is at most 255 octets.
pub const MAX_DOMAIN: usize = 255;
/// RFC 5321 §4.5.3.1.3: a path, `<` and `>` included, is at most 256
/// octets.
pub const MAX_PATH: usize = 256;
/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF
/// included.
pub const MAX_COMMAND_LINE: usize = 512;

/// One command, with its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// `ehlo NAME`: hello, and which extensions do you have?
    Ehlo(&'a str),
    /// `helo NAME`: hello, for servers that don't know EHLO.
    Helo(&'a str),
    /// `mail FROM:<sender> [size=N]`: a new message from `sender`. An
    /// empty sender is the null reverse-path `<>` (for bounces).
    Mail {
        /// The sender's address, with or without `<>`.
        from: &'a str,
        /// The message's size, for a server that lists SIZE (RFC 1870
        /// §3): the one MAIL parameter this client sends. A number
        /// can't smuggle anything in.
        size: Option<u64>,
    },
    /// `rcpt TO:<recipient>`: one recipient of the message, with or
    /// without `<>`.
    Rcpt(&'a str),
    /// `data`: the message follows.
    Data,
    /// `rset`: forget the current message.
    Rset,
    /// `noop`: are you still there?
    Noop,
    /// `quit`: goodbye.
    Quit,
}

/// Why a command was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// An argument holds CR, LF or NUL: it could smuggle a second
    /// command into the session.
    LineBreak {
        /// Which argument, in words ("sender address").
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// An address holds a space, a control character or an angle
    /// bracket: it could smuggle ESMTP parameters into MAIL or RCPT.
    NotAMailbox {
        /// Which argument.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// An argument holds a character beyond ASCII.
    NotAscii {
        /// Which argument.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// Something is longer than RFC 5321 allows.
    TooLong {
        /// What ("local part", "domain", "path", "command line").
        what: &'static str,
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::LineBreak { field, value } => write!(
                f,
                "the {field} {value:?} contains a line break (CR or LF) or \
                 NUL; refused, so that nothing can be smuggled into the \
                 SMTP session as an extra command"
            ),
            CommandError::NotAMailbox { field, value } => write!(
                f,
                "the {field} {value:?} holds a space, a control character \
                 or an angle bracket inside the address; refused, so that \
                 nothing can be smuggled into the command as an ESMTP \
                 parameter (a quoted local part with spaces is not supported)"
            ),
            CommandError::NotAscii { field, value } => write!(
                f,
                "the {field} {value:?} is not plain ASCII; SMTP commands \
                 are ASCII (RFC 5321 §2.4) and this client does not speak \
                 SMTPUTF8"
            ),
            CommandError::TooLong { what, len, max } => write!(
                f,
                "the {what} is {len} octets long; RFC 5321 §4.5.3.1 allows \
                 at most {max}"
            ),
        }
    }
}

impl std::error::Error for CommandError {}

// ANCHOR: format_command
impl Command<'_> {
    /// The line to send, CRLF included.
    ///
    /// # Errors
    /// An argument with CR, LF, NUL or non-ASCII; an address or the
    /// line too long.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CommandError> {
        let line = match *self {
            Command::Ehlo(name) => {
                format!("ehlo {}", checked("EHLO name", name)?)
            }
            Command::Helo(name) => {
                format!("helo {}", checked("HELO name", name)?)
            }
            Command::Mail { from, size } => {
                let path = path("sender address", from)?;
                match size {
                    Some(size) => format!("mail FROM:{path} size={size}"),
                    None => format!("mail FROM:{path}"),
                }
            }
            Command::Rcpt(to) => {
                format!("rcpt TO:{}", path("recipient address", to)?)
            }
            Command::Data => "data".to_owned(),
            Command::Rset => "rset".to_owned(),
            Command::Noop => "noop".to_owned(),
            Command::Quit => "quit".to_owned(),
        };
        let line = line + "\r\n";
        limit("command line", line.len(), MAX_COMMAND_LINE)?;
        Ok(line.into_bytes())
    }
}

/// `value`, if it is safe to put in a command line.
fn checked<'v>(
    field: &'static str,
    value: &'v str,
) -> Result<&'v str, CommandError> {
    let value_owned = || value.to_owned();
    if value.contains(['\r', '\n', '\0']) {
        let value = value_owned();
        return Err(CommandError::LineBreak { field, value });
    }
    if !value.is_ascii() {
        let value = value_owned();
        return Err(CommandError::NotAscii { field, value });
    }
    Ok(value)
}
// ANCHOR_END: format_command

/// An address as an EHLO name: `[127.0.0.1]`, `[IPv6:::1]`. RFC 5321
/// §4.1.3 allows this address literal when there is no domain name to
/// give (smtplib does the same when it finds none).
pub fn address_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
    }
}

/// The address as an RFC 5321 path: `<a@b.c>`. An address already in
/// angle brackets (`Name <a@b.c>` too) keeps its bracketed part; an
/// empty one is the null path `<>`.
///
/// # Errors
/// An unsafe address (see [`CommandError::NotAMailbox`]), or one past the
/// §4.5.3.1 limits.
pub fn path(
    field: &'static str,
    address: &str,
) -> Result<String, CommandError> {
    let address = checked(field, address)?.trim();
    let bare = match (address.rfind('<'), address.strip_suffix('>')) {
        (Some(open), Some(inside)) => &inside[open + 1..],
        _ => address,
    };
    if bare.contains(breaks_a_path) {
        let value = address.to_owned();
        return Err(CommandError::NotAMailbox { field, value });
    }
    if let Some((local, domain)) = bare.rsplit_once('@') {
        limit("local part", local.len(), MAX_LOCAL_PART)?;
        limit("domain", domain.len(), MAX_DOMAIN)?;
    }
    let path = format!("<{bare}>");
    limit("path", path.len(), MAX_PATH)?;
    Ok(path)
}

/// What can't stand inside an address: a space or a `>` would end the
/// path there, and what follows would be read as parameters.
fn breaks_a_path(c: char) -> bool {
    matches!(c, ' ' | '<' | '>') || c.is_ascii_control()
}

fn limit(
    what: &'static str,
    len: usize,
    max: usize,
) -> Result<(), CommandError> {
    if len > max {
        return Err(CommandError::TooLong { what, len, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(command: Command<'_>) -> String {
        String::from_utf8(command.to_bytes().unwrap()).unwrap()
    }

    #[test]
    fn commands_are_written_as_smtplib_writes_them() {
        let mail = Command::Mail {
            from: "me@x.test",
            size: Some(99),
        };
        assert_eq!(wire(mail), "mail FROM:<me@x.test> size=99\r\n");
        let rcpt = Command::Rcpt(" <you@y.test> ");
        assert_eq!(wire(rcpt), "rcpt TO:<you@y.test>\r\n");
        assert_eq!(wire(Command::Ehlo("host")), "ehlo host\r\n");
        assert_eq!(wire(Command::Data), "data\r\n");
        assert_eq!(wire(Command::Quit), "quit\r\n");
    }

    #[test]
    fn an_ehlo_name_may_be_an_address_literal() {
        let v4 = IpAddr::from([127, 0, 0, 1]);
        assert_eq!(address_literal(v4), "[127.0.0.1]");
        let v6 = IpAddr::from(std::net::Ipv6Addr::LOCALHOST);
        assert_eq!(address_literal(v6), "[IPv6:::1]");
    }

    #[test]
    fn addresses_become_paths() {
        assert_eq!(path("a", "").unwrap(), "<>"); // row S18
        assert_eq!(path("a", "<>").unwrap(), "<>");
        assert_eq!(path("a", "Bob <b@x.test>").unwrap(), "<b@x.test>");
        assert_eq!(path("a", "b@x.test").unwrap(), "<b@x.test>");
    }

    #[test]
    fn line_breaks_and_nul_are_refused_in_every_argument() {
        // Row S1: each argument, each character.
        for bad in ["a\r\nRCPT TO:<x>", "a\rb", "a\nb", "a\0b"] {
            let commands = [
                (Command::Ehlo(bad), "EHLO name"),
                (Command::Helo(bad), "HELO name"),
                (
                    Command::Mail {
                        from: bad,
                        size: None,
                    },
                    "sender address",
                ),
                (Command::Rcpt(bad), "recipient address"),
            ];
            for (command, field) in commands {
                let err = command.to_bytes().unwrap_err();
                let expected = CommandError::LineBreak {
                    field,
                    value: bad.to_owned(),
                };
                assert_eq!(err, expected);
            }
        }
    }

    #[test]
    fn nothing_can_follow_a_path_as_parameters() {
        // Row S1: what would end the path early, in the address.
        for bad in [
            "a@b.test> NOTIFY=NEVER",
            "<a@b.test> BODY=8BITMIME AUTH=x>",
            "a@b.test BODY=8BITMIME",
            "a@b.test>",
            "a\t@b.test",
            "a\x1b@b.test",
        ] {
            let err = path("recipient address", bad).unwrap_err();
            assert!(matches!(err, CommandError::NotAMailbox { .. }), "{bad:?}");
            let command = Command::Mail {
                from: bad,
                size: None,
            };
            assert!(command.to_bytes().is_err(), "{bad:?}");
        }
        let shown = path("sender address", "a@b> X=y").unwrap_err();
        assert!(shown.to_string().contains("ESMTP parameter"), "{shown}");
    }

    #[test]
    fn non_ascii_addresses_are_refused() {
        // Row S16: no SMTPUTF8 here.
        let err = path("recipient address", "josé@x.test").unwrap_err();
        assert!(matches!(err, CommandError::NotAscii { .. }));
        assert!(err.to_string().contains("SMTPUTF8"));
    }

    #[test]
    fn the_limits_of_rfc_5321_are_enforced() {
        // Row S2. A local part of 64 is fine, 65 is not.
        let ok = format!("{}@x.test", "a".repeat(64));
        assert!(path("a", &ok).is_ok());
        let long = format!("{}@x.test", "a".repeat(65));
        let err = path("a", &long).unwrap_err();
        assert!(matches!(
            err,
            CommandError::TooLong {
                what: "local part",
                ..
            }
        ));
        // "<" + 60 + "@" + 193 + ">" = 256 octets: the longest path.
        let at_limit = format!("{}@{}", "a".repeat(60), "d".repeat(193));
        assert_eq!(path("a", &at_limit).unwrap().len(), MAX_PATH);
        let over = format!("{}@{}", "a".repeat(60), "d".repeat(194));
        let err = path("a", &over).unwrap_err();
        assert!(matches!(err, CommandError::TooLong { what: "path", .. }));
    }

    #[test]
    fn a_command_line_may_be_512_octets_crlf_included() {
        // "ehlo " is 5 octets and CRLF 2: a name of n gives n + 7.
        for (name_len, ok) in [(504, true), (505, true), (506, false)] {
            let name = "h".repeat(name_len);
            let result = Command::Ehlo(&name).to_bytes();
            assert_eq!(result.is_ok(), ok, "{}", name_len + 7);
        }
        let err = Command::Ehlo(&"h".repeat(506)).to_bytes().unwrap_err();
        let expected = CommandError::TooLong {
            what: "command line",
            len: 513,
            max: 512,
        };
        assert_eq!(err, expected);
    }
}
