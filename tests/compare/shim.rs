//! The shim, with the real Python 2.7 when there is one
//! (`PYENV_VERSION=2.7.18 python`): its `INET_COMPARE_CODING`, and that
//! nothing it lets through leaves loopback. Without Python 2.7 each test
//! says so and checks nothing, so `cargo test` still needs no Python.
#![cfg(unix)]

/// The shim compare embeds, as compare embeds it.
const SHIM: &str = include_str!("../../bin/compare/shim.py");

use std::fs;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Runs `cmd` to its end, killed if it takes over 10 s.
fn run(cmd: &mut Command) -> io::Result<Output> {
    assert_cmd::Command::from_std(std::mem::replace(cmd, Command::new("")))
        .timeout(Duration::from_secs(10))
        .output()
}

/// `PYENV_VERSION=2.7.18 python`, if it is Python 2.7.
fn python27() -> Option<impl Fn() -> Command> {
    let python = || {
        let mut cmd = Command::new("python");
        cmd.env("PYENV_VERSION", "2.7.18");
        cmd
    };
    let is_27 = run(python()
        .args(["-c", "import sys; sys.exit(sys.version_info[:2] != (2, 7))"]))
    .is_ok_and(|out| out.status.success());
    if !is_27 {
        eprintln!("skipped: no Python 2.7 (PYENV_VERSION=2.7.18 python)");
    }
    is_27.then_some(python)
}

/// The shim, written in `dir`.
fn shim_in(dir: &Path) -> PathBuf {
    let shim = dir.join("shim.py");
    fs::write(&shim, SHIM).unwrap();
    shim
}

/// Runs `source` as an original under the shim, with the name table
/// `hosts`; returns what it wrote on stdout and stderr.
fn probe(
    python: impl Fn() -> Command,
    source: &str,
    hosts: &str,
) -> [String; 2] {
    let dir = tempfile::tempdir().unwrap();
    let shim = shim_in(dir.path());
    let probe = dir.path().join("probe.py");
    fs::write(&probe, source).unwrap();
    let out = run(python()
        .arg(&shim)
        .arg(&probe)
        .env("INET_COMPARE_HOSTS", hosts))
    .unwrap();
    [out.stdout, out.stderr].map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A name is looked up in the shim's table, never by the real socket
/// (which would ask the machine's nameserver): `127.example.invalid`,
/// a name that only looks like a loopback address, reaches the address
/// the table gives it, and bind() reads names from the table too. A
/// connection or datagram off loopback is refused before the system
/// sees it.
#[test]
fn the_shim_reads_names_from_its_table_and_keeps_to_loopback() {
    let Some(python) = python27() else { return };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let source = format!(
        "import socket, sys\n\
         def tcp(host, port):\n\
        \x20   s = socket.socket(); s.settimeout(2)\n\
        \x20   try:\n\
        \x20       s.connect((host, port)); return 'connected'\n\
        \x20   except socket.error as e:\n\
        \x20       return 'error %s' % e.args[0]\n\
         print tcp('127.example.invalid', {port})\n\
         print tcp('192.0.2.1', 9)\n\
         u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         try:\n\
        \x20   u.sendto('x', ('192.0.2.1', 53))\n\
         except socket.error as e:\n\
        \x20   print 'error %s' % e.args[0]\n\
         b = socket.socket(); b.bind(('127.example.invalid', 0))\n\
         print b.getsockname()[0]\n"
    );
    let [stdout, stderr] =
        probe(python, &source, "127.0.0.1 127.example.invalid\n");
    // Looked up by the real socket, the name is unknown: `error -2`.
    assert_eq!(
        stdout, "connected\nerror 111\nerror 111\n127.0.0.1\n",
        "{stderr}"
    );
    for refused in ["192.0.2.1:9", "192.0.2.1:53"] {
        let said = format!("refused to contact {refused} (not loopback)");
        assert!(stderr.contains(&said), "{stderr}");
    }
}

/// An original with non-ASCII bytes and no coding line (inet_02) is
/// refused as by `python ORIGINAL`, unless `compare` asks for a coding.
#[test]
fn the_shim_reads_an_original_without_a_coding_line_only_when_asked() {
    let Some(python) = python27() else { return };
    let dir = tempfile::tempdir().unwrap();
    let shim = shim_in(dir.path());
    let bare = dir.path().join("bare.py");
    fs::write(&bare, "print repr(\"caf\u{e9}\")\n").unwrap();
    let declared = dir.path().join("declared.py");
    let text = "# -*- coding: utf-8 -*-\nprint repr(\"caf\u{e9}\")\n";
    fs::write(&declared, text).unwrap();
    let run_shim = |original: &Path, coding: Option<&str>| {
        let mut cmd = python();
        cmd.arg(&shim)
            .arg(original)
            .env_remove("INET_COMPARE_CODING");
        if let Some(coding) = coding {
            cmd.env("INET_COMPARE_CODING", coding);
        }
        let out = run(&mut cmd).unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // Unasked, as `python bare.py`: refused before any line runs.
    let (code, out, err) = run_shim(&bare, None);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty() && err.contains("SyntaxError"), "{err}");
    // Asked: read as UTF-8, the same bytes, and said on stderr.
    let (code, out, err) = run_shim(&bare, Some("utf-8"));
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "'caf\\xc3\\xa9'\n"),
        "{err}"
    );
    assert!(err.contains("bare.py has non-ASCII bytes but no coding line"));
    // Or in the notes file, when compare names one: compare shows it at
    // the top of its report, not as a difference on stderr.
    let notes = dir.path().join("notes");
    let mut cmd = python();
    cmd.arg(&shim)
        .arg(&bare)
        .env("INET_COMPARE_CODING", "utf-8")
        .env("INET_COMPARE_NOTES", &notes);
    let out = run(&mut cmd).unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let noted = fs::read_to_string(&notes).unwrap();
    assert!(noted.starts_with("bare.py has non-ASCII bytes"), "{noted}");
    // A file with its coding line is left alone.
    let (code, out, err) = run_shim(&declared, Some("utf-8"));
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(0), "'caf\\xc3\\xa9'\n", "")
    );
}

/// A server that binds every interface gets loopback's only, and one that
/// binds an address off loopback is refused, so no client from off the
/// machine can reach an original.
#[test]
fn the_shim_binds_servers_to_loopback_only() {
    let Some(python) = python27() else { return };
    let source = "import socket\n\
         for host in ['', '0.0.0.0', '192.0.2.1']:\n\
        \x20   s = socket.socket()\n\
        \x20   try:\n\
        \x20       s.bind((host, 0)); print s.getsockname()[0]\n\
        \x20   except socket.error as e:\n\
        \x20       print 'error %s' % e.args[0]\n";
    let [stdout, stderr] = probe(python, source, "");
    assert_eq!(stdout, "127.0.0.1\n127.0.0.1\nerror 99\n", "{stderr}");
    assert!(stderr.contains("refused to bind 192.0.2.1 (not loopback)"));
}

/// An address named in INET_COMPARE_NO_REVERSE has no name: its reverse
/// lookup fails as the C library's does for an address without a PTR
/// record, though the name still gives the address.
#[test]
fn an_address_without_a_name_fails_its_reverse_lookup_only() {
    let Some(python) = python27() else { return };
    let source = "import socket\n\
         print socket.gethostbyname('www.ibm.com')\n\
         try:\n\
        \x20   socket.gethostbyaddr('192.0.2.30')\n\
         except socket.error as e:\n\
        \x20   print e\n\
         print socket.gethostbyaddr('192.0.2.10')[0]\n";
    let hosts = "192.0.2.10 istia.example\n192.0.2.30 www.ibm.com\n";
    let without_name = || {
        let mut cmd = python();
        cmd.env("INET_COMPARE_NO_REVERSE", "192.0.2.30");
        cmd
    };
    let [stdout, stderr] = probe(without_name, source, hosts);
    assert_eq!(
        stdout, "192.0.2.30\n[Errno 1] Unknown host\nistia.example\n",
        "{stderr}"
    );
}
