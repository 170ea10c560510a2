//! `compare` on the SMTP chapters (inet_03, inet_04), end to end, without
//! Python: the "Python" is a stand-in `sh` script that ignores the shim
//! and runs our own program against the mock `compare` started for the
//! original's side (`INET_COMPARE_SMTP`), after putting that address on
//! the first line of the `mail2.txt` it was given, if it was given one
//! (inet_03's names `127.0.0.1`, port 25). Every comparison of the
//! chapter is run: the message, an empty `mail2.txt`, none. Loopback
//! only; each program has a timeout inside `compare`.
#![cfg(unix)]

/// Runs `compare` on an empty "original" named `original` (`inet_03.py`)
/// with a stand-in python whose last line is `run`; returns the exit
/// status and the report.
fn compare(original: &str, run: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "#!/bin/sh\n\
         {}\
         test -f mail2.txt && sed -i \"1s/^127.0.0.1,/$INET_COMPARE_SMTP,/\" mail2.txt\n\
         SMTP_RAW='{}'\n\
         SMTP_SEND='{}'\n\
         {run}\n",
        super::CHECKED_AND_READY,
        env!("CARGO_BIN_EXE_smtp-raw"),
        env!("CARGO_BIN_EXE_smtp-send"),
    );
    super::compare_with_stand_in(dir.path(), original, &script)
}

#[test]
fn smtp_raw_on_both_sides_shows_no_difference_in_any_channel() {
    let (code, text) = compare("inet_03.py", "exec \"$SMTP_RAW\"");
    assert_eq!(code, Some(0), "{text}");
    for channel in ["stdout", "server received", "server sent", "mock kept"] {
        assert!(text.contains(&format!("-- {channel} --")), "{text}");
    }
    // The message went through each mock: stuffed on the wire, kept
    // un-stuffed, CRLF line ends shown.
    assert!(super::same_on_both_sides(&text, "..dot line\\r"), "{text}");
    assert!(super::same_on_both_sides(&text, ".dot line\\r"), "{text}");
    assert!(text.contains("from <me@example.test> to <you@example.test>"));
    // The two files that are no message: the same error on both sides.
    let empty = "smtp-raw: message file mail2.txt: it is empty";
    assert_eq!(text.matches(empty).count(), 1, "{text}");
    assert!(text.contains("\nno differences\n"), "{text}");
    assert!(!text.contains("\n!! "), "{text}");
}

#[test]
fn smtp_send_on_both_sides_shows_no_difference_with_ports_normalised() {
    let (code, text) = compare("inet_04.py", "exec \"$SMTP_SEND\" --debug");
    assert_eq!(code, Some(0), "{text}");
    // Each side's mock has its own port; both read PORT.
    assert!(text.contains("connect: ('127.0.0.1', PORT)"), "{text}");
    assert!(text.contains("size=91"), "{text}");
    assert!(text.contains("\nno differences\n"), "{text}");
}

#[test]
fn a_line_no_row_explains_is_an_undocumented_difference() {
    let run =
        "\"$SMTP_SEND\" --debug; status=$?; echo 'one line more'; exit $status";
    let (code, text) = compare("inet_04.py", run);
    assert_eq!(code, Some(1), "{text}");
    // Once for each of the chapter's three comparisons.
    assert_eq!(
        text.matches("\n!! py  one line more\n").count(),
        3,
        "{text}"
    );
    assert!(
        text.contains("3 differing lines, 3 undocumented (marked !!)"),
        "{text}"
    );
}
