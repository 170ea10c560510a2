//! The minimal ports in `examples/`, one per Python original, run as
//! programs: each works on its happy path, and each fault in its table
//! (`FAULTS`, which the lessons include) breaks it the way the table
//! says. A module per example; `harness` runs them.

mod echo_client;
mod echo_server;
mod generic_server;
mod harness;
mod names;
mod smtp_by_hand;
mod smtp_library;
mod web_client;

use std::fs;
use std::path::Path;

use harness::Fault;

/// Each example: its name, its original's code lines (not blank, not
/// only a comment), the test module's source, and its fault table.
const EXAMPLES: &[(&str, usize, &str, &[Fault])] = &[
    ("inet_01_names", 18, include_str!("names.rs"), names::FAULTS),
    (
        "inet_02_web_client",
        28,
        include_str!("web_client.rs"),
        web_client::FAULTS,
    ),
    (
        "inet_03_smtp_by_hand",
        98,
        include_str!("smtp_by_hand.rs"),
        smtp_by_hand::FAULTS,
    ),
    (
        "inet_04_smtp_library",
        47,
        include_str!("smtp_library.rs"),
        smtp_library::FAULTS,
    ),
    (
        "inet_06_echo_client",
        29,
        include_str!("echo_client.rs"),
        echo_client::FAULTS,
    ),
    (
        "inet_08_echo_server",
        27,
        include_str!("echo_server.rs"),
        echo_server::FAULTS,
    ),
    (
        "inet_10_generic_server",
        29,
        include_str!("generic_server.rs"),
        generic_server::FAULTS,
    ),
];

/// A table row's test must exist, so no row outlives its check; and a
/// row says what it stages and what breaks.
#[test]
fn every_fault_names_a_test_of_its_module() {
    for (example, _, source, faults) in EXAMPLES {
        assert!((2..=5).contains(&faults.len()), "{example}");
        for fault in *faults {
            assert!(!fault.staged_by.is_empty() && !fault.breaks.is_empty());
            let test = format!("#[test]\nfn {}() {{", fault.test);
            assert!(source.contains(&test), "{example}: {}", fault.name);
        }
    }
}

/// The code lines of a Rust source: not blank, not only a comment.
fn code_lines(source: &str) -> usize {
    let lines = source.lines().map(str::trim);
    lines
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

/// A minimal port stays about its original's size: at most twice its
/// code lines plus 30, counting the shared modules it includes.
#[test]
fn every_example_is_about_its_originals_size() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (example, original, _, _) in EXAMPLES {
        let source = fs::read_to_string(dir.join(format!("{example}.rs")));
        let source = source.unwrap();
        let mut lines = code_lines(&source);
        for shared in
            source.lines().filter_map(|l| l.strip_prefix("#[path = \""))
        {
            let path = shared.trim_end_matches("\"]");
            lines += code_lines(&fs::read_to_string(dir.join(path)).unwrap());
        }
        let limit = 2 * original + 30;
        assert!(
            lines <= limit,
            "{example}: {lines} code lines, limit {limit}"
        );
    }
}
