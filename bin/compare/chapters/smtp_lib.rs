//! SMTP through a library (inet_04): `inet_04.py` against
//! `smtp-send --debug`.
//!
//! The scenario is much like inet_03's ([`super::smtp_raw`]): the same
//! `mail2.txt` (the original's names `127.0.0.1`, and the shim sends port
//! 25 to its mock; the port's names `127.0.0.1:PORT`), a fresh mock for
//! each with the same script. But here the mock answers at once (smtplib
//! reads each reply whole, so timing changes nothing) and the file has
//! Unix line ends (smtplib makes them CRLF). The mock lists PIPELINING,
//! as the chapter's real server did: `smtp-send` pipelines MAIL, RCPT and
//! DATA and smtplib does not. The bytes on the wire are the same, in the
//! same order; the debug lines show the difference.
//!
//! `smtp-send` runs with `--debug`, so that both sides print smtplib's
//! debug lines on standard error (inet_04 calls `set_debuglevel(1)`).
//!
//! smtplib names itself in EHLO with `socket.getfqdn()`, which depends
//! on the machine: its host name if that is dotted, else `[ADDRESS]`.
//! The shim's table ([`hosts`]) makes it `[127.0.0.1]` on any machine.

use inet_mocks::smtp::Script;

use super::Chapter;
use super::smtp_raw::{Run, both_sides};
use crate::{CompareError, Comparison, Setup};

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    title: "SMTP through a library (inet_04)",
    lesson_path: "lessons/04-smtp-library.md",
    lesson: include_str!("../../../lessons/04-smtp-library.md"),
    scenario,
};

// ANCHOR: hosts
/// The shim's name table: `localhost`, then `hostname` (this machine's
/// name, if known), both at 127.0.0.1, `localhost` first. Python 2.7's
/// smtplib then asks `getfqdn()`, which looks the host name up
/// (127.0.0.1) and back (`localhost`): no dot, so smtplib uses the
/// address of the host name as a literal, `[127.0.0.1]`, as `smtp-send`
/// does. Without the host name in the table, a machine whose name is
/// dotted would say `ehlo its.name` instead.
pub fn hosts(hostname: Option<&str>) -> String {
    let mut table = String::from("127.0.0.1 localhost\n");
    if let Some(name) = hostname.map(str::trim).filter(|n| {
        !n.is_empty() && n.chars().all(|c| c.is_ascii_graphic() && c != '#')
    }) {
        table.push_str(&format!("127.0.0.1 {name}\n"));
    }
    table
}
// ANCHOR_END: hosts

/// This machine's host name, as `gethostname()` gives it (Linux keeps it
/// in `/proc`; elsewhere `/etc/hostname`, if there is one).
fn hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|name| name.trim().to_owned())
}

fn scenario(setup: &Setup) -> Result<Vec<Comparison>, CompareError> {
    both_sides(
        setup,
        &Run {
            script: Script::new,
            hosts: hosts(hostname().as_deref()),
            line_end: "\n",
            program: "smtp-send",
            args: &["--debug"],
            title: "inet_04.py | smtp-send --debug (mail2.txt), each against \
                    a mock SMTP server",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_name_follows_localhost_and_bad_ones_are_left_out() {
        assert_eq!(hosts(None), "127.0.0.1 localhost\n");
        assert_eq!(
            hosts(Some("box.lan\n")),
            "127.0.0.1 localhost\n127.0.0.1 box.lan\n"
        );
        for bad in ["", "  ", "a b", "a#b"] {
            assert_eq!(hosts(Some(bad)), "127.0.0.1 localhost\n", "{bad:?}");
        }
    }
}
