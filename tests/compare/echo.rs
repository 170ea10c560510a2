//! `compare` on the echo chapter (inet_06 and inet_08), end to end,
//! without Python: all three comparisons, the relay that records what a
//! server received and sent, the port report of a server original, the
//! scripted clients and the waits on what a server logs.
//!
//! The "Python" is a stand-in `bash` script that ignores the shim and
//! runs our own programs: for `inet_06.py`, `echo-client HOST PORT`; for
//! `inet_08.py PORT`, `echo-server PORT`, whose port it reports to
//! `INET_COMPARE_REPORT` as the shim's `listen()` hook does (when
//! `compare` asks). Both sides then run the same programs, so nothing may
//! differ. `compare` stops a server by killing the process it started
//! (the script), so the script runs `echo-server` under `setpriv
//! --pdeathsig KILL` (util-linux): it goes with the script. A signal sent
//! to the script (Ctrl-C, Ctrl-\) is passed on to `echo-server`, and the
//! script ends as it does, by the same signal. Every connection is on
//! 127.0.0.1.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::Path;

use super::{
    CHECKED_AND_READY, REPORT_FIRST_LINE, Ran, compare_chapter,
    same_on_both_sides,
};

const ECHO_CLIENT: &str = env!("CARGO_BIN_EXE_echo-client");
const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_echo-server");

/// Writes the stand-in python in `dir`, and returns the command that
/// runs it.
fn stand_in(dir: &Path) -> String {
    let script = format!(
        "#!/usr/bin/env bash\n\
         {CHECKED_AND_READY}\
         case \"$(basename \"$2\")\" in\n\
         inet_06.py) exec '{ECHO_CLIENT}' \"$3\" \"$4\" ;;\n\
         inet_08.py) ;;\n\
         *) exit 5 ;;\n\
         esac\n\
         # Job control: the server, in the background, takes signals.\n\
         set -m\n\
         log=\"$(dirname \"$INET_COMPARE_READY\")/log\"\n\
         mkfifo \"$log\"\n\
         setpriv --pdeathsig KILL '{ECHO_SERVER}' \"$3\" > \"$log\" &\n\
         server=$!\n\
         trap 'kill -INT $server' INT\n\
         trap 'kill -QUIT $server' QUIT\n\
         {{\n\
           {REPORT_FIRST_LINE}\
           exec cat\n\
         }} < \"$log\" &\n\
         # No job control now: bash would report the server's end.\n\
         set +m\n\
         # A trapped signal ends `wait` early: wait until the server ends.\n\
         while :; do\n\
           wait $server; status=$?\n\
           kill -0 $server 2>/dev/null || break\n\
         done\n\
         wait\n\
         if [ $status -gt 128 ]; then\n\
           trap - INT QUIT; kill -$((status - 128)) $$\n\
         fi\n\
         exit $status\n"
    );
    super::stand_in(dir, &script)
}

fn has_setpriv() -> bool {
    std::process::Command::new("setpriv")
        .arg("--help")
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn the_echo_chapter_runs_end_to_end_with_a_stand_in() {
    if !has_setpriv() {
        eprintln!("skipped: no setpriv (util-linux) to tie a server to it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["inet_06.py", "inet_08.py"] {
        fs::write(dir.path().join(name), "# a stand-in\n").unwrap();
    }
    let python = stand_in(dir.path());
    let original = dir.path().join("inet_08.py");
    let Ran { out, .. } = compare_chapter(&original, &python).exited(0);
    // Six comparisons, each played to its end, the same on both sides.
    assert_eq!(out.matches("\n== ").count(), 6, "{out}");
    assert!(out.contains("\nno differences\n"), "{out}");
    assert!(!out.contains("-- compare"), "no step failed: {out}");
    for line in [
        // 1 and 2: what the client printed, what the server received.
        "<-- Thread-1: HELLO",
        "two words",
        "Thread-1: TWO WORDS",
        // 3: what the server logged, and what a client received.
        "client 127.0.0.1 : caf\u{fffd} (Thread-1)",
        "client 127.0.0.1 : HELLO (Thread-2)",
        "Thread-1: CAF\\xe9",
        // 4: the line of spaces ends both clients.
        "client 127.0.0.1 : end of session: the client closed the \
         connection (Thread-1)",
        // 5 and 6: the server started again; Ctrl-C.
        "echo server listening on 127.0.0.1:PORT",
        "killed by signal 2 (SIGINT, Ctrl-C)",
        "ended",
    ] {
        assert!(same_on_both_sides(&out, line), "{line}: {out}");
    }
}

#[test]
fn the_echo_chapter_needs_both_originals() {
    let dir = tempfile::tempdir().unwrap();
    let client = dir.path().join("inet_06.py");
    fs::write(&client, "# a stand-in\n").unwrap();
    let python = stand_in(dir.path());
    let Ran { err, .. } = compare_chapter(&client, &python).exited(2);
    assert!(err.contains("inet_08.py"), "{err}");
    let why = "this chapter runs inet_06.py and inet_08.py, from one folder";
    assert!(err.contains(why), "{err}");
}
