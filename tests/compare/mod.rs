//! `compare` end to end, without Python: the "Python" it runs is a stand-in
//! `sh` script that answers the version probe as Python 2.7.18, ignores
//! the shim and runs our own `resolve` against the mock DNS server
//! `compare` started for the original's side (`INET_COMPARE_DNS`). The
//! "original" is a file named `inet_01.py` of our own. Every run talks to
//! 127.0.0.1 only, and each program has a timeout inside `compare`.
#![cfg(unix)]

mod echo;
mod generic;
mod recordings;
mod shim;
mod smtp;
mod web;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
        let script = format!(
            "#!/bin/sh\n\
             {CHECKED_AND_READY}\
             RESOLVE='{RESOLVE}'\n\
             {body}\n"
        );
        stand_in(self.dir.path(), &script)
    }

    fn compare(&self, python: &str) -> Command {
        compare([self.original().to_str().unwrap(), "--python", python])
    }
}

fn compare<const N: usize>(args: [&str; N]) -> Command {
    let mut cmd = Command::cargo_bin("compare").unwrap();
    cmd.args(args).timeout(Duration::from_secs(20));
    cmd
}

/// Runs `compare ORIGINAL --python PYTHON`, given 30 s for a whole
/// chapter.
fn compare_chapter(original: &Path, python: &str) -> Ran {
    let args = [original.to_str().unwrap(), "--python", python];
    ran(compare(args).timeout(Duration::from_secs(30)))
}

/// What a stand-in "python" answers when `compare` asks which Python it
/// is (`python -c PROBE`, before anything else): Python 2.7.18,
/// installed under `/stand-in`.
const STAND_IN_PROBE: &str =
    "if [ \"$1\" = -c ]; then printf '2.7.18\\n/stand-in\\n'; exit 0; fi\n";

/// What a stand-in does first, as the shim would: checks that it was
/// given the shim (`$1`) and the original (`$2`), and says it runs the
/// original by creating the file `INET_COMPARE_READY` names.
const CHECKED_AND_READY: &str = "\
test -f \"$1\" || { echo 'no shim' >&2; exit 5; }
test -f \"$2\" || { echo 'no original' >&2; exit 5; }
touch \"$INET_COMPARE_READY\"
";

/// For a stand-in server: passes on its first line, `... listening on
/// IP:PORT`, and reports that port to `INET_COMPARE_REPORT` when
/// `compare` asks, as the shim's `listen()` hook does.
const REPORT_FIRST_LINE: &str = "\
IFS= read -r first; echo \"$first\"
if [ -n \"$INET_COMPARE_REPORT\" ]; then
  report=\"/dev/tcp/${INET_COMPARE_REPORT%:*}/${INET_COMPARE_REPORT##*:}\"
  echo \"listening ${first##*:}\" > \"$report\"
fi
";

/// Writes `script` (a shell script with its `#!` line) as `DIR/python`,
/// with [`STAND_IN_PROBE`] after its first line, so that the end-to-end
/// tests of `compare` need no real Python. Returns the command that runs
/// it: its interpreter, then its path. (Executed itself, a file this
/// test has just written could be "busy" for a moment: see
/// [`ran_just_written`].)
fn stand_in(dir: &Path, script: &str) -> String {
    let (shebang, body) = script.split_once('\n').unwrap_or((script, ""));
    let python = dir.join("python");
    let text = format!("{shebang}\n{STAND_IN_PROBE}{body}");
    fs::write(&python, text).unwrap();
    let interpreter = shebang.strip_prefix("#!").expect("a #! line");
    format!("{interpreter} {}", python.display())
}

/// Runs `compare DIR/ORIGINAL --python DIR/python`, the original a
/// stand-in file named `original`, the "python" `script` ([`stand_in`]).
/// Returns the exit status, and what `compare` printed: stdout, then
/// stderr.
fn compare_with_stand_in(
    dir: &Path,
    original: &str,
    script: &str,
) -> (Option<i32>, String) {
    let original = dir.join(original);
    fs::write(&original, "# a stand-in\n").unwrap();
    let ran = compare_chapter(&original, &stand_in(dir, script));
    (ran.code, format!("{}{}", ran.out, ran.err))
}

/// Whether a `compare` report shows `line` once, unmarked: printed the
/// same by both programs.
fn same_on_both_sides(report: &str, line: &str) -> bool {
    report
        .lines()
        .any(|shown| shown.starts_with(' ') && shown.trim_start() == line)
}

/// How a run of `compare` ended: its exit status, stdout and stderr.
struct Ran {
    code: Option<i32>,
    out: String,
    err: String,
}

fn ran(cmd: &mut Command) -> Ran {
    ran_output(cmd.output().unwrap())
}

/// Runs an executable this test has just written. It can be "busy" for a
/// moment: a process another test forks meanwhile holds a copy of the
/// descriptor it was written through until that process execs. A few
/// tries, a few milliseconds apart, outlast that moment.
fn ran_just_written(cmd: &mut Command) -> Ran {
    let mut tries = 0;
    let output = loop {
        match cmd.output() {
            Err(e)
                if e.kind() == std::io::ErrorKind::ExecutableFileBusy
                    && tries < 100 =>
            {
                tries += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            done => break done.unwrap(),
        }
    };
    ran_output(output)
}

fn ran_output(output: std::process::Output) -> Ran {
    Ran {
        code: output.status.code(),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Ran {
    /// Checks the exit status, showing both outputs if it is not `code`.
    fn exited(self, code: i32) -> Ran {
        assert_eq!(self.code, Some(code), "{}{}", self.out, self.err);
        self
    }
}

/// The body of a stand-in that prints what resolve prints for the
/// original's hosts, but the original's lines for "" (with `extra`
/// after them), and exits with `status`.
fn like_the_original(extra: &str, status: u8) -> String {
    format!(
        "\"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\" \
         istia.univ-angers.fr www.univ-angers.fr www.ibm.com localhost\n\
         echo 'ip[]=0.0.0.0'\n\
         echo 'name[0.0.0.0]=[Errno 1] Unknown host'\n\
         {extra}\
         \"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\" xx\n\
         exit {status}"
    )
}

#[test]
fn the_same_program_on_both_sides_shows_no_difference() {
    let stage = Stage::new();
    let python =
        stage.python("exec \"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\"");
    let text = ran(&mut stage.compare(&python)).exited(0).out;
    assert!(same_on_both_sides(&text, "ip[localhost]=127.0.0.1"));
    assert!(!text.contains("\n!! "), "{text}");
    assert!(
        text.starts_with(
            "compare: names (inet_01), the original run \
                              by Python 2.7.18"
        ),
        "{text}"
    );
    let end = "no differences\ndocumented but not seen in this run:\n\
               [1] An address without a name";
    assert!(text.contains(end), "{text}");
}

#[test]
fn an_extra_line_is_an_undocumented_difference() {
    let stage = Stage::new();
    let python = stage.python(
        "\"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\"; status=$?\n\
         echo 'one line more'\n\
         exit $status",
    );
    let text = ran(&mut stage.compare(&python)).exited(1).out;
    assert!(text.contains("\n!! py  one line more\n"), "{text}");
    assert!(
        text.contains("1 differing line, 1 undocumented (marked !!)"),
        "{text}"
    );
}

#[test]
fn a_documented_difference_is_marked_with_its_reason() {
    let stage = Stage::new();
    // The original's output for "", and exit status 0, as Python gives.
    let python = stage.python(&like_the_original("", 0));
    let text = ran(&mut stage.compare(&python)).exited(0).out;
    assert!(text.contains("\n=2 py  ip[]=0.0.0.0\n"), "{text}");
    assert!(text.contains("\n=2 rs  ip[]=empty host name\n"), "{text}");
    assert!(text.contains("\n=4 py  0\n=4 rs  3\n"), "{text}");
    let why = "[2] Empty name: The empty string is not a host";
    assert!(text.contains(why), "{text}");
    assert!(text.contains("5 differing lines, all documented"), "{text}");
    let unseen = "not seen in this run:\n[1] An address without a name";
    assert!(text.contains(unseen), "{text}");
}

/// A row is a pair: the original's half alone is not explained when the
/// port does not print its half. Here the "port" side is resolve, and
/// the "original" prints the original's line for "" where resolve prints
/// nothing at all for it: the row about "" explains nothing.
#[test]
fn a_row_explains_nothing_without_the_port_s_half() {
    let stage = Stage::new();
    let echo = "echo 'ip[]=empty host name'\n";
    let python = stage.python(&like_the_original(echo, 3));
    let text = ran(&mut stage.compare(&python)).exited(1).out;
    assert!(text.contains("\n!! py  ip[]=0.0.0.0\n"), "{text}");
    assert!(text.contains("2 differing lines, 2 undocumented"), "{text}");
}

#[test]
fn a_program_past_its_timeout_is_killed_and_that_is_a_difference() {
    let stage = Stage::new();
    let python = stage.python("exec sleep 30");
    let original = stage.original();
    let args = [original.to_str().unwrap(), "--python", &python];
    let text = ran(compare(args).args(["--timeout", "0.3"])).exited(1).out;
    let killed = "killed by compare after 0.3s (timeout)";
    assert!(text.contains(killed), "{text}");
}

/// Without Python 2.7, an original that is not the one recorded can't be
/// compared: `compare` says why and how to get Python 2.7.
#[test]
fn without_python_an_edited_original_cannot_run_and_says_how_to_get_python() {
    let stage = Stage::new();
    let result = ran(&mut stage.compare("/nonexistent/python2.7")).exited(2);
    let err = result.err;
    assert!(err.contains("no Python 2.7 (cannot run /nonexistent/python2.7"));
    assert!(
        err.contains("inet_01.py is not the original recorded"),
        "{err}"
    );
    for how in ["pyenv install 2.7.18", "conda create -n py27 python=2.7"] {
        assert!(err.contains(how), "{err}");
    }
    assert!(result.out.is_empty(), "{}", result.out);
}

#[test]
fn a_python_that_is_not_2_7_is_no_python() {
    let stage = Stage::new();
    let path = stage.dir.path().join("python3");
    fs::write(&path, "printf '3.11.7\\n/usr\\n'\n").unwrap();
    let python = format!("sh {}", path.display());
    let err = ran(&mut stage.compare(&python)).exited(2).err;
    assert!(err.contains("is Python 3.11.7"), "{err}");
}

#[test]
fn a_shim_that_does_not_run_the_original_cannot_run() {
    let stage = Stage::new();
    // What the shim does when it can't start: a message and exit 97,
    // before it ever creates the ready file.
    let python = stand_in(
        stage.dir.path(),
        "#!/bin/sh\n\
         echo 'the originals are Python 2.7 programs' >&2\n\
         exit 97\n",
    );
    let result = ran(&mut stage.compare(&python)).exited(2);
    let err = result.err;
    let said = "did not run the original under the shim";
    assert!(err.contains(said), "{err}");
    assert!(
        err.contains("the originals are Python 2.7 programs"),
        "{err}"
    );
    assert!(result.out.is_empty());
}

#[test]
fn a_missing_original_cannot_run() {
    let stage = Stage::new();
    let python = stage.python("exit 0");
    let missing = stage.dir.path().join("gone").join("inet_01.py");
    let args = [missing.to_str().unwrap(), "--python", &python];
    let err = ran(&mut compare(args)).exited(2).err;
    assert!(err.contains("cannot read the original"), "{err}");
}

#[test]
fn an_unknown_chapter_cannot_run() {
    let stage = Stage::new();
    let python = stage.python("exit 0");
    for name in ["inet_05.py", "hello.py"] {
        let path = stage.dir.path().join(name);
        fs::write(&path, "").unwrap();
        let args = [path.to_str().unwrap(), "--python", &python];
        let err = ran(&mut compare(args)).exited(2).err;
        assert!(
            err.contains("is not one of the chapter's originals"),
            "{err}"
        );
    }
}

#[test]
fn a_wrong_command_line_cannot_run_and_help_is_there() {
    let err = ran(&mut compare([])).exited(2).err;
    assert!(err.contains("usage: compare"), "{err}");
    let err = ran(&mut compare(["inet_01.py", "--pyhton", "x"]))
        .exited(2)
        .err;
    assert!(err.contains("unknown option --pyhton"), "{err}");
    let err = ran(&mut compare(["--record", "--check-table", "x"]))
        .exited(2)
        .err;
    assert!(err.contains("do not go together"), "{err}");
    let out = ran(&mut compare(["--help"])).exited(0).out;
    assert!(out.contains("exit status: 0 every difference documented"));
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
    let mut cmd = Command::new(&exe);
    cmd.arg(stage.original())
        .args(["--python", &python])
        .timeout(Duration::from_secs(20));
    let err = ran_just_written(&mut cmd).exited(2).err;
    assert!(
        err.contains("build the programs first: cargo build"),
        "{err}"
    );
}

/// `--record` runs the original (here the stand-in) and writes what it
/// did; without Python, the same original is then compared with that
/// recording, found by the SHA-256 of its bytes, and `compare` says so
/// on its first line; a changed byte and it can't.
#[test]
fn a_recording_stands_in_for_the_original_it_was_made_from_only() {
    let stage = Stage::new();
    let python = stage.python(&like_the_original("", 0));
    let recordings = stage.dir.path().join("recordings");
    fs::create_dir(&recordings).unwrap();
    let original = stage.original();
    let dir = recordings.to_str().unwrap();
    let args = ["--record", "--python", &python, "--recordings", dir];
    let out = ran(compare(args).arg(&original)).exited(0).out;
    assert!(out.starts_with("recorded inet_01.py (1 comparisons) in "));
    let recording = fs::read_to_string(recordings.join("inet_01.txt")).unwrap();
    assert!(recording.contains("\n| ip[]=0.0.0.0\n"), "{recording}");
    assert!(
        !recording.contains("# a stand-in"),
        "no text of the original"
    );

    let without = ["--python", "/nonexistent", "--recordings", dir];
    let text = ran(compare(without).arg(&original)).exited(0).out;
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("compare: no Python 2.7 ("), "{text}");
    assert!(text.contains("as recorded by Python 2.7.18"), "{text}");
    assert!(text.contains("5 differing lines, all documented"), "{text}");

    fs::write(&original, "# a stand-in, edited\n").unwrap();
    let err = ran(compare(without).arg(&original)).exited(2).err;
    assert!(err.contains("is not the original recorded"), "{err}");
}

/// A folder: each chapter whose original is in it, and a word for the
/// ones that are not.
#[test]
fn a_folder_compares_the_chapters_whose_originals_are_in_it() {
    let stage = Stage::new();
    let python =
        stage.python("exec \"$RESOLVE\" --dns-server \"$INET_COMPARE_DNS\"");
    let dir = stage.dir.path().to_str().unwrap();
    let result = ran(&mut compare([dir, "--python", &python])).exited(0);
    assert!(result.out.starts_with("compare: names (inet_01)"));
    assert!(result.out.contains("\nno differences\n"), "{}", result.out);
    for skipped in ["inet_02.py", "inet_06.py or inet_08.py", "inet_10.py"] {
        let said = format!("compare: no {skipped} in {dir}: skipped");
        assert!(result.err.contains(&said), "{}", result.err);
    }
    let empty = stage.dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let args = [empty.to_str().unwrap(), "--python", &python];
    let err = ran(&mut compare(args)).exited(2).err;
    assert!(err.contains("no original of the chapter in"), "{err}");
}
