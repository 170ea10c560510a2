//! `compare` on the generic-server chapter (inet_10), end to end, without
//! Python: the server path of `compare` (the shim's port report, a server
//! spawned with its keyboard open, waits on what it prints, the scripted
//! client, the stop at the end).
//!
//! The "Python" is a stand-in `bash` script that ignores the shim and
//! runs our own `tcp-server PORT`, reports the port it printed to
//! `INET_COMPARE_REPORT` (when `compare` asks) as the shim's `listen()`
//! hook does, and prints the one prompt that `tcp-server` does not (`--> `
//! once the client is there; each keyboard line it echoes as `--> line`
//! stands for the next prompt): the one line where the two sides differ.
//! Once `tcp-server` ends, it sleeps: the original serves forever, and
//! `compare` must stop it (had it ended by itself, its exit status would
//! race `compare`'s stop). Every connection is on 127.0.0.1; `compare`
//! bounds each step.
#![cfg(unix)]

use super::{CHECKED_AND_READY, REPORT_FIRST_LINE};

const TCP_SERVER: &str = env!("CARGO_BIN_EXE_tcp-server");

#[test]
fn the_server_chapter_runs_end_to_end_with_a_stand_in() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "#!/usr/bin/env bash\n\
         {CHECKED_AND_READY}\
         '{TCP_SERVER}' \"$3\" | {{\n\
           {REPORT_FIRST_LINE}\
           while IFS= read -r line; do\n\
             echo \"$line\"\n\
             if [ \"$line\" = 'client 127.0.0.1' ]; then echo '--> '; fi\n\
           done\n\
         }}\n\
         exec sleep 3600\n"
    );
    let (code, text) =
        super::compare_with_stand_in(dir.path(), "inet_10.py", &script);
    assert_eq!(code, Some(1), "{text}");
    // The whole script was played on both sides: the client got every
    // keyboard line, the servers printed every client line.
    for line in ["hello from the keyboard", "<--- 127.0.0.1 : bye"] {
        assert!(super::same_on_both_sides(&text, line), "{line}: {text}");
    }
    assert!(!text.contains("-- compare --"), "no step failed: {text}");
    // The stand-in's prompt, which no row lists; and how each ended:
    // compare stops the "original", which serves forever.
    assert!(text.contains("\n!! py  -->\\x20\n"), "{text}");
    let ended = "\n=4 py  stopped by compare\n=4 rs  0\n";
    assert!(text.contains(ended), "{text}");
    assert!(text.contains("3 differing lines, 1 undocumented"), "{text}");
    // Started again on the port of its session, the same program listens
    // on both sides.
    let again = "inet_10.py PORT | tcp-server PORT, started again";
    assert!(text.contains(again), "{text}");
    assert!(text.contains("-- exit status --\n       stopped by compare\n"));
}
