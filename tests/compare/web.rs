//! `compare` on the web chapter (inet_02), end to end, without Python:
//! the "Python" is a stand-in `sh` script that does the original's job
//! with our own `webget` against the mock `compare` started for it
//! (`INET_COMPARE_HTTP`): it saves each site's page under the original's
//! file name, leaves an empty `xx.html`, and prints the original's lines.
//! Loopback only; every program has a timeout inside `compare`.
#![cfg(unix)]

use std::path::Path;

const WEBGET: &str = env!("CARGO_BIN_EXE_webget");

/// The original's job, in `sh`, with a hook (`$1`) run after the pages
/// are saved. It checks what `compare` tells the shim first: a
/// wrong setting exits 9, an undocumented difference.
fn stand_in(after: &str) -> String {
    format!(
        "#!/bin/sh\n\
         touch \"$INET_COMPARE_READY\"\n\
         test \"$INET_COMPARE_CODING\" = utf-8 || exit 9\n\
         echo \"$INET_COMPARE_HOSTS\" | grep -q ' www.ibm.com$' || exit 9\n\
         for site in istia.univ-angers.fr www.univ-angers.fr www.ibm.com; do\n\
           '{WEBGET}' --timeout 5 \"$INET_COMPARE_HTTP\" >/dev/null || exit 9\n\
           mv 127.0.0.1_*.html \"$site.html\"\n\
           echo \"Transfert reussi du paragraphe index du site $site\"\n\
         done\n\
         : > xx.html\n\
         echo 'Echec de la connexion au site (xx,80) : [Errno -2] Name or service not known'\n\
         echo 'inet_02.py has non-ASCII bytes but no coding line' >> \"$INET_COMPARE_NOTES\"\n\
         {after}\n\
         exit 0\n"
    )
}

/// Runs `compare` on an "original" `inet_02.py` with the stand-in
/// python `script`; returns its exit status and stdout.
fn compare(dir: &Path, script: &str) -> (Option<i32>, String) {
    super::compare_with_stand_in(dir, "inet_02.py", script)
}

#[test]
fn the_original_s_job_differs_only_where_the_lesson_says() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = compare(dir.path(), &stand_in(""));
    assert_eq!(code, Some(0), "{text}");
    // Three connections, the same page saved for each site.
    for channel in [
        "-- server sent (connection 3) --",
        "-- file for www.ibm.com --",
    ] {
        assert!(text.contains(channel), "{text}");
    }
    assert!(
        text.contains("\n=3 py  [empty file]\n=3 rs  [no such file]\n"),
        "{text}"
    );
    // What the shim had to do, at the top, not as a difference.
    let adapted = "Adapted to run: inet_02.py has non-ASCII bytes but no \
                   coding line\n\n==";
    assert!(text.contains(adapted), "{text}");
    assert!(text.contains("[2] Result lines:"), "{text}");
    assert!(text.contains("[4] Exit status:"), "{text}");
    assert!(!text.contains("\n!! "), "{text}");
}

#[test]
fn a_page_saved_differently_is_an_undocumented_difference() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = compare(
        dir.path(),
        &stand_in("echo 'one line more' >> www.ibm.com.html"),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("\n!! py  one line more\n"), "{text}");
}
