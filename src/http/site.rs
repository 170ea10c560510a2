//! A `SITE[:PORT]` argument: the host to ask, and the file to save in.
//!
//! inet_02 saves the page of `site` in `site.html`, with the site's name
//! straight from its list. A name taken from the command line is input
//! like any other: `../x` or `/etc/passwd` would write outside the output
//! directory (CVE-2016-0754 and CVE-2025-11563 were such names). So a
//! site name is checked before it becomes a file name, and before any
//! connection: it must be a plain host name, which can't escape.

use super::request::{BadSite, check_host};
use crate::port::parse_port;

/// The port of the web (RFC 9110 §4.2.1), and inet_02's.
pub const HTTP_PORT: u16 = 80;

/// The longest host name DNS can carry, written as text: 255 bytes on
/// the wire (RFC 1035 §2.3.4) are 253 characters without the final dot.
/// It also keeps `SITE.html` within most file systems' 255-byte names.
pub const MAX_HOST: usize = 253;

/// Where to get a page, and what to call its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The host name or IPv4 address.
    pub host: String,
    /// The TCP port.
    pub port: u16,
}

// ANCHOR: site
impl Site {
    /// Parses `SITE` or `SITE:PORT`.
    ///
    /// # Errors
    /// [`BadSite`] for a name that does not start with a letter or a
    /// digit (an empty one, `.`, `..`, `.hidden`, `-rf`), a name with
    /// a byte that is not a letter, digit, `-`, `.` or `_` (so no `/`,
    /// `\`, NUL, CR, LF, space or second `:`), a name over [`MAX_HOST`]
    /// characters, or a port [`parse_port`] refuses, or 0.
    pub fn parse(arg: &str) -> Result<Site, BadSite> {
        let bad = |why| BadSite {
            site: arg.to_owned(),
            why,
        };
        let (host, port) = match arg.split_once(':') {
            None => (arg, HTTP_PORT),
            // The port syntax of every program; 0 names no server.
            Some((host, port)) => match parse_port(port) {
                Ok(0) | Err(_) => return Err(bad("the port is not 1-65535")),
                Ok(port) => (host, port),
            },
        };
        // `.`, `..` and `.x` would name a directory or a hidden file,
        // `-rf` an option to the next command a reader runs on it.
        if !host.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(bad("a site name starts with a letter or a digit"));
        }
        check_host(host).map_err(|_| {
            bad("a site is a host name: letters, digits, - . _ only")
        })?;
        if host.len() > MAX_HOST {
            return Err(bad("a host name has at most 253 characters"));
        }
        let host = host.to_owned();
        Ok(Site { host, port })
    }

    /// `SITE.html` for port 80, `SITE_PORT.html` for any other, as a
    /// single path component (the name was checked when parsed).
    pub fn file_name(&self) -> String {
        match self.port {
            HTTP_PORT => format!("{}.html", self.host),
            port => format!("{}_{port}.html", self.host),
        }
    }
}
// ANCHOR_END: site

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ports_make_file_names() {
        let site = Site::parse("example.org").unwrap();
        assert_eq!((site.host.as_str(), site.port), ("example.org", 80));
        assert_eq!(site.file_name(), "example.org.html");
        let site = Site::parse("127.0.0.1:8080").unwrap();
        assert_eq!(site.file_name(), "127.0.0.1_8080.html");
        assert_eq!(Site::parse("a:80").unwrap().file_name(), "a.html");
    }

    #[test]
    fn f4_names_that_could_escape_or_confuse_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "C:x",
            "a:b",
            "a:80:80",
            "a:",
            "a:0",
            "a:65536",
            "a:-1",
            "a:+80",
            "a b",
            "a\r\nb",
            "é",
            "[::1]:80",
            "%2e%2e",
            ".hidden",
            "-rf",
            "_x:8080",
        ] {
            assert!(Site::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a1_the_port_is_written_as_for_every_program_but_0_names_no_server() {
        for port in ["80", " 8080 ", "080", "65535", "0", "+80", "8o", ""] {
            let site = Site::parse(&format!("a:{port}")).map(|s| s.port);
            let wanted = parse_port(port).ok().filter(|&p| p != 0);
            assert_eq!(site.ok(), wanted, "{port:?}");
        }
    }

    #[test]
    fn a_host_name_has_at_most_253_characters() {
        let longest = "a".repeat(MAX_HOST);
        assert_eq!(Site::parse(&longest).unwrap().host, longest);
        let err = Site::parse(&format!("{longest}a")).unwrap_err();
        assert!(err.to_string().contains("at most 253"), "{err}");
    }
}
