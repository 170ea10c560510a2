//! The shim's `INET_COMPARE_CODING`, with the real Python 2.7 when there
//! is one (`PYENV_VERSION=2.7.18 python`): without it the test says so
//! and checks nothing, so `cargo test` still needs no Python.
#![cfg(unix)]

use std::fs;
use std::path::Path;

/// An original with non-ASCII bytes and no coding line (inet_02) is
/// refused as by `python ORIGINAL`, unless `compare` asks for a coding.
#[test]
fn the_shim_reads_an_original_without_a_coding_line_only_when_asked() {
    let python = || {
        let mut cmd = std::process::Command::new("python");
        cmd.env("PYENV_VERSION", "2.7.18");
        cmd
    };
    let is_27 = python()
        .args(["-c", "import sys; sys.exit(sys.version_info[:2] != (2, 7))"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !is_27 {
        eprintln!("skipped: no Python 2.7 (PYENV_VERSION=2.7.18 python)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let shim = dir.path().join("shim.py");
    fs::write(&shim, inet::compare::python::SHIM).unwrap();
    let bare = dir.path().join("bare.py");
    fs::write(&bare, "print repr(\"caf\u{e9}\")\n").unwrap();
    let declared = dir.path().join("declared.py");
    let text = "# -*- coding: utf-8 -*-\nprint repr(\"caf\u{e9}\")\n";
    fs::write(&declared, text).unwrap();
    let run = |original: &Path, coding: Option<&str>| {
        let mut cmd = python();
        cmd.arg(&shim)
            .arg(original)
            .env_remove("INET_COMPARE_CODING");
        if let Some(coding) = coding {
            cmd.env("INET_COMPARE_CODING", coding);
        }
        let out = cmd.output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // Unasked, as `python bare.py`: refused before any line runs.
    let (code, out, err) = run(&bare, None);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty() && err.contains("SyntaxError"), "{err}");
    // Asked: read as UTF-8, the same bytes, and said on stderr.
    let (code, out, err) = run(&bare, Some("utf-8"));
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "'caf\\xc3\\xa9'\n"),
        "{err}"
    );
    assert!(err.contains("bare.py has non-ASCII bytes but no coding line"));
    // A file with its coding line is left alone.
    let (code, out, err) = run(&declared, Some("utf-8"));
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(0), "'caf\\xc3\\xa9'\n", "")
    );
}
