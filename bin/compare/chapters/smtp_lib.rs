//! SMTP through a library (inet_04): `inet_04.py` against
//! `smtp-send --debug`.
//!
//! The scenario is much like inet_03's ([`super::smtp_raw`]): the same
//! message in `mail2.txt`, a fresh mock for each side with the same
//! script. But here both files name the mock as `127.0.0.1:PORT` (smtplib
//! reads `host:port`, where inet_03 knows only port 25), the mock answers
//! at once (smtplib reads each reply whole, so timing changes nothing),
//! and the file has Unix line ends (smtplib makes them CRLF). The mock
//! lists PIPELINING, as the chapter's real server did: `smtp-send`
//! pipelines MAIL, RCPT and DATA and smtplib does not. The bytes on the
//! wire are the same, in the same order; the debug lines show the
//! difference. Two more comparisons give both programs an empty
//! `mail2.txt`, then none.
//!
//! `smtp-send` runs with `--debug`, so that both sides print smtplib's
//! debug lines on standard error (inet_04 calls `set_debuglevel(1)`).
//!
//! smtplib names itself in EHLO with `socket.getfqdn()`, which depends
//! on the machine: its host name if that is dotted, else `[ADDRESS]`.
//! The shim's table ([`hosts`]) makes it `[127.0.0.1]` on any machine.

use inet_mocks::smtp::Script;

use super::smtp_raw::{Mail, run_side};
use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::Job;
use crate::setup::Setup;
use crate::side::Side;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_04",
    title: "SMTP through a library (inet_04)",
    originals: &["inet_04.py"],
    lesson_path: "lessons/04-smtp-library.md",
    lesson: include_str!("../../../lessons/04-smtp-library.md"),
    recording: include_str!("../../../lessons/recordings/inet_04.txt"),
    plans: &[
        Plan {
            title: "inet_04.py | smtp-send --debug (mail2.txt: \
                    127.0.0.1:PORT), each against a mock SMTP server",
            python: |setup| python(setup, &MESSAGE),
            rust: |setup| rust(setup, &MESSAGE),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_04.py | smtp-send --debug, with an empty mail2.txt",
            python: |setup| python(setup, &Mail::Empty),
            rust: |setup| rust(setup, &Mail::Empty),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_04.py | smtp-send --debug, with no mail2.txt",
            python: |setup| python(setup, &Mail::Missing),
            rust: |setup| rust(setup, &Mail::Missing),
            rust_needs_python: false,
        },
    ],
};

/// Both programs' `mail2.txt`: the message with Unix line ends (smtplib
/// makes them CRLF), for the mock's port on the first line, which
/// smtplib reads as `host:port`.
const MESSAGE: Mail = Mail::Message("127.0.0.1:PORT", "\n");

/// The original's side: inet_04.py against a fresh mock that answers at
/// once, with `mail` as its `mail2.txt`.
fn python(setup: &Setup, mail: &Mail) -> Result<Side, CompareError> {
    run_side(Script::new(), mail, |_| {
        Ok(Job::original(setup, "inet_04.py")
            .env("INET_COMPARE_HOSTS", hosts(hostname().as_deref())))
    })
}

/// The port's side: `smtp-send --debug`, the same way.
fn rust(setup: &Setup, mail: &Mail) -> Result<Side, CompareError> {
    run_side(Script::new(), mail, |_| {
        Ok(Job::program(setup, "smtp-send")?.args(["--debug"]))
    })
}

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
