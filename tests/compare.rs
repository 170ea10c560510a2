//! `compare` end to end, without Python: the "Python" it runs is a stand-in
//! `sh` script that ignores the shim and runs our own `resolve` against
//! the mock DNS server `compare` started for the original's side
//! (`INET_COMPARE_DNS`). The "original" is an empty file named
//! `inet_01.py`. Every run talks to 127.0.0.1 only, and each program has
//! a timeout inside `compare`.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const RESOLVE: &str = env!("CARGO_BIN_EXE_resolve");

/// A temp dir holding the "original" `inet_01.py` and a stand-in python.
struct Stage {
    dir: TempDir,
}

impl Stage {
    fn new() -> Stage {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("inet_01.py"), "# a stand-in\n").unwrap();
        Stage { dir }
    }

    fn original(&self) -> PathBuf {
        self.dir.path().join("inet_01.py")
    }

    /// Writes the stand-in python: `body` runs after the checks every
    /// stand-in makes (the shim and the original exist) and the `ready`
    /// file a shim creates once it runs the original.
    fn python(&self, body: &str) -> String {
        let path = self.dir.path().join("python");
        let script = format!(
            "#!/bin/sh\n\
             test -f \"$1\" || {{ echo 'no shim' >&2; exit 5; }}\n\
             test -f \"$2\" || {{ echo 'no original' >&2; exit 5; }}\n\
             touch \"$INET_COMPARE_READY\"\n\
             RESOLVE='{RESOLVE}'\n\
             {body}\n"
        );
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn compare(&self, python: &str) -> Command {
        compare([self.original().to_str().unwrap(), "--python", python])
    }
}

fn compare<const N: usize>(args: [&str; N]) -> Command {
    let mut cmd = Command::cargo_bin("compare").unwrap();
    cmd.args(args).timeout(std::time::Duration::from_secs(20));
    cmd
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_same_program_on_both_sides_shows_no_difference() {
    let stage = Stage::new();
    let python =
        stage.python("exec \"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\"");
    let out = stage.compare(&python).output().unwrap();
    let text = stdout_of(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr_of(&out));
    assert!(text.contains("     ip[localhost]=127.0.0.1 "), "{text}");
    assert!(text.ends_with("no differences\ndocumented but not seen in this run:\n[1] Empty name\n[2] Unknown name\n[3] Exit status\n"), "{text}");
    assert!(!text.contains("!!"), "{text}");
}

#[test]
fn an_extra_line_is_an_undocumented_difference() {
    let stage = Stage::new();
    let python = stage.python(
        "\"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\"; status=$?\n\
         echo 'one line more'\n\
         exit $status",
    );
    let out = stage.compare(&python).output().unwrap();
    let text = stdout_of(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr_of(&out));
    assert!(text.contains("!!   one line more"), "{text}");
    assert!(
        text.contains("1 difference, 1 undocumented (marked !!)"),
        "{text}"
    );
}

#[test]
fn a_documented_difference_is_marked_with_its_reason() {
    let stage = Stage::new();
    // The original's output for "", and exit status 0, as Python gives.
    let python = stage.python(
        "\"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\" \
             istia.univ-angers.fr www.univ-angers.fr www.ibm.com localhost\n\
         echo 'ip[]=0.0.0.0'\n\
         echo 'name[0.0.0.0]=[Errno 1] Unknown host'\n\
         \"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\" xx\n\
         exit 0",
    );
    let out = stage.compare(&python).output().unwrap();
    let text = stdout_of(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr_of(&out));
    assert!(text.contains("=1   ip[]=0.0.0.0 "), "{text}");
    assert!(text.contains("=3   0 "), "{text}");
    assert!(
        text.contains("[1] Empty name: The empty string is not a host"),
        "{text}"
    );
    assert!(text.contains("2 differences, all documented"), "{text}");
    assert!(
        text.contains("not seen in this run:\n[2] Unknown name\n"),
        "{text}"
    );
}

#[test]
fn a_program_past_its_timeout_is_killed_and_that_is_a_difference() {
    let stage = Stage::new();
    let python = stage.python("exec sleep 30");
    let out = compare([
        stage.original().to_str().unwrap(),
        "--python",
        &python,
        "--timeout",
        "0.3",
    ])
    .output()
    .unwrap();
    let text = stdout_of(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr_of(&out));
    assert!(
        text.contains("killed by compare after 0.3s (timeout)"),
        "{text}"
    );
}

#[test]
fn a_missing_python_cannot_run() {
    let stage = Stage::new();
    let out = stage.compare("/nonexistent/python2.7").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "cannot run the Python command \"/nonexistent/python2.7\""
        ),
        "{err}"
    );
}

#[test]
fn a_python_that_is_not_2_7_or_fails_before_the_original_cannot_run() {
    let stage = Stage::new();
    // What the shim does under Python 3: a message and exit 97, before
    // it ever creates the ready file.
    let path = stage.dir.path().join("python3");
    fs::write(&path, "#!/bin/sh\necho 'the originals are Python 2.7 programs' >&2\nexit 97\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let out = stage.compare(path.to_str().unwrap()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("did not run the original under the shim"),
        "{err}"
    );
    assert!(
        err.contains("the originals are Python 2.7 programs"),
        "{err}"
    );
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn a_missing_original_cannot_run() {
    let stage = Stage::new();
    let python = stage.python("exit 0");
    let missing = stage.dir.path().join("gone").join("inet_01.py");
    let out = compare([missing.to_str().unwrap(), "--python", &python])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("cannot read the original"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn an_unknown_chapter_cannot_run() {
    let stage = Stage::new();
    let python = stage.python("exit 0");
    for name in ["inet_05.py", "hello.py"] {
        let path = stage.dir.path().join(name);
        fs::write(&path, "").unwrap();
        let out = compare([path.to_str().unwrap(), "--python", &python])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr_of(&out);
        assert!(
            err.contains("is not one of the chapter's originals"),
            "{err}"
        );
    }
}

#[test]
fn a_wrong_command_line_cannot_run_and_help_is_there() {
    let out = compare([]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("usage: compare PATH/inet_NN.py"));
    let out = compare(["inet_01.py", "--pyhton", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("unknown option --pyhton"));
    let out = compare(["--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout_of(&out).contains("exit status: 0 every difference documented")
    );
}

#[test]
fn a_rust_program_not_built_cannot_run() {
    let stage = Stage::new();
    let python = stage.python("exit 0");
    // `compare` alone in a directory: no `resolve` beside it.
    let lonely = stage.dir.path().join("bin");
    fs::create_dir(&lonely).unwrap();
    let exe = lonely.join("compare");
    fs::copy(env!("CARGO_BIN_EXE_compare"), &exe).unwrap();
    let out = std::process::Command::new(&exe)
        .args([
            stage.original().as_os_str(),
            "--python".as_ref(),
            python.as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("build the programs first: cargo build"),
        "{err}"
    );
    assert!(Path::new(&exe).exists());
}
