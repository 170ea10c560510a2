//! Benchmark: the wall time of `cargo test` once everything is built.
//!
//! `cargo bench --bench tests` (`BENCH_QUICK=1` for one timed run).
//!
//! First `cargo test --no-run` builds every test target, untimed; then
//! `cargo test -q --no-fail-fast` is timed, a few times, and the median
//! is the figure: what a reader waits for after an edit that recompiled
//! nothing. A run in which a test fails is timed all the same, named,
//! and counted in a row of its own: on a loaded machine a test that
//! leans on timing shows up there. The
//! target is an absolute one, at most 10 s on this 2-core machine, as
//! there is no reference to compare with.
//!
//! Running cargo from inside `cargo bench` works on the same target
//! directory: cargo releases its build-directory lock before it runs a
//! bench binary, so the inner cargo does not block (it would print
//! "Blocking waiting for file lock", and this bench would say so). The
//! inner cargo is the one that runs the bench (the `CARGO` variable).

mod support;

use std::io;
use std::path::Path;
use std::process::{Command, ExitCode, Output};
use std::time::Duration;

use support::{Figure, Table, Target};

/// The target: the whole suite, built, in under this many seconds.
const TARGET_SECONDS: f64 = 10.0;
/// A timed run that takes this long is killed: the suite hangs.
const TIMEOUT: Duration = Duration::from_secs(120);
/// The untimed build may take longer: from a cold target directory it
/// compiles every dependency, on two cores.
const BUILD_TIMEOUT: Duration = Duration::from_secs(900);
/// What cargo prints when another cargo holds the target directory.
const BLOCKED: &str = "Blocking waiting for file lock";

fn main() -> ExitCode {
    let runs = if support::quick() { 1 } else { 3 };
    let Some(cargo) = std::env::var_os("CARGO") else {
        println!(
            "tests bench failed: CARGO is not set (run it with `cargo bench`)"
        );
        return ExitCode::FAILURE;
    };
    if let Err(err) = run(Path::new(&cargo), runs) {
        println!("tests bench failed: {err}");
        return ExitCode::FAILURE;
    }
    support::exit_status()
}

fn run(cargo: &Path, runs: usize) -> io::Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo_test = |args: &[&str], timeout| {
        let mut command = Command::new(cargo);
        command.arg("test").args(args).current_dir(workspace);
        support::run_within(&mut command, timeout)
    };
    println!(
        "tests: building every test target (cargo test --no-run), untimed"
    );
    let (build, _) = cargo_test(&["--no-run"], BUILD_TIMEOUT)?;
    check("cargo test --no-run", &build)?;
    if String::from_utf8_lossy(&build.stderr).contains(BLOCKED) {
        println!(
            "note: the inner cargo waited for the target directory's lock"
        );
    }
    let mut seconds = Vec::new();
    let mut summary = Summary::default();
    let mut failed_runs = 0;
    for run in 1..=runs {
        // `--no-fail-fast`: a failing test binary does not stop the
        // others, so a failed run takes as long as a passing one (and
        // when all pass, it changes nothing).
        let (output, elapsed) = cargo_test(&["-q", "--no-fail-fast"], TIMEOUT)?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            failed_runs += 1;
            println!("run {run}: FAILED: {}", failures(&stdout).join(", "));
        }
        summary = Summary::of(&stdout);
        println!(
            "run {run}: {:.2} s, {} tests passed in {} test binaries, the \
             slowest binary {:.2} s",
            elapsed.as_secs_f64(),
            summary.passed,
            summary.binaries,
            summary.slowest
        );
        seconds.push(elapsed.as_secs_f64());
    }
    let mut table = Table::new("tests: cargo test, everything built");
    table.figure(
        &format!("wall time of `cargo test -q` after `cargo test --no-run`, median of {runs}"),
        Figure::new(support::median(&seconds), "s"),
        Target::AtMost(TARGET_SECONDS),
    );
    table.figure(
        "runs in which a test failed (a flaky test shows here)",
        Figure::new(f64::from(failed_runs), "runs"),
        Target::AtMost(0.0),
    );
    table.figure(
        "tests passed (last run)",
        Figure::new(summary.passed as f64, "tests"),
        Target::None,
    );
    table.figure(
        "the test binaries' own times, added (cargo runs them one after \
         another; last run)",
        Figure::new(summary.total, "s"),
        Target::None,
    );
    table.figure(
        "the slowest test binary's own time (last run)",
        Figure::new(summary.slowest, "s"),
        Target::None,
    );
    table.print();
    Ok(())
}

/// What the `test result:` lines of a run add up to.
#[derive(Debug, Default)]
struct Summary {
    passed: u64,
    binaries: usize,
    slowest: f64,
    /// cargo runs the test binaries one after another: their times add.
    total: f64,
}

impl Summary {
    /// Reads lines like `test result: ok. 12 passed; 0 failed; 0
    /// ignored; 0 measured; 0 filtered out; finished in 0.53s`.
    fn of(stdout: &str) -> Summary {
        let mut summary = Summary::default();
        for line in stdout.lines() {
            let Some(rest) = line.strip_prefix("test result: ") else {
                continue;
            };
            summary.binaries += 1;
            // `ok. 12 passed` or `FAILED. 13 passed`: the number before
            // ` passed`.
            let passed = rest
                .split("; ")
                .find_map(|part| part.strip_suffix(" passed"))
                .and_then(|part| part.rsplit(' ').next());
            summary.passed += passed.and_then(|n| n.parse().ok()).unwrap_or(0);
            let secs = rest
                .rsplit("finished in ")
                .next()
                .and_then(|s| s.trim().strip_suffix('s'))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0.0);
            summary.slowest = f64::max(summary.slowest, secs);
            summary.total += secs;
        }
        summary
    }
}

/// The names of the failed tests: cargo lists them under `failures:`,
/// one per line, indented by four spaces (the panic messages and
/// backtraces above that list have spaces within their lines).
fn failures(stdout: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for line in stdout.lines() {
        let Some(name) = line.strip_prefix("    ") else {
            continue;
        };
        let is_name = !name.is_empty() && !name.contains(char::is_whitespace);
        if is_name && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn check(what: &str, output: &Output) -> io::Result<()> {
    if output.status.success() {
        return Ok(());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
    let tail = tail[tail.len().saturating_sub(30)..].join("\n");
    let status = output.status;
    Err(io::Error::other(format!(
        "{what} failed ({status}):\n{tail}"
    )))
}
