//! Benchmark: SMTP, in messages per second, over loopback.
//!
//! Two questions, each answered beside a reference measured in the same
//! run (lessons/07-measuring.md):
//!
//! 1. **The server.** Postfix's load generator `smtp-source` (20
//!    sessions, 10,000 messages of 1 KB, a new connection per message)
//!    against the mock SMTP server, run in-process (no transcripts, no
//!    messages kept, so memory stays flat), and against Postfix's own
//!    test server `smtp-sink`. Target: the mock at least as fast as
//!    smtp-sink (1.0x). Beside it, for reading: the mock as the tests
//!    run it (every transcript and message kept; a fresh one for each
//!    run, so memory does not pile up), and each server's CPU time per
//!    message, which a busy neighbour moves less than a rate.
//! 2. **The client.** `inet::smtp::client::Client` sending 3,000 messages of
//!    about 1 KB over one connection, against Python 3's smtplib doing
//!    the same, to the same server: the mock (which offers PIPELINING),
//!    and smtp-sink. Target: at least 2x smtplib, which needs RFC 2920
//!    pipelining: smtplib waits for a reply to each command.
//!
//! Runs are short and interleaved (ours, theirs, ours, theirs...; in
//! the `smtp-source` rows who goes first rotates from round to round),
//! after a warm-up run of each that is not counted, and each row shows
//! the median of its runs: a slow moment on this shared machine then
//! costs both sides alike, and one slow run moves a median little. Each
//! round of `smtp-source` is printed on stderr as it ends, with each
//! server's rate. `BENCH_QUICK=1` shrinks every count, for development.
//!
//! Needs: `smtp-source` and `smtp-sink` (Debian package `postfix`),
//! `python3`. A missing tool skips its rows with a line that says how to
//! install it.

mod support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use inet::smtp::client::Client;
use inet_mocks::smtp::Script;
use support::{Figure, Process, Scratch, Table, Target, median, tool};

/// How much work each row does.
struct Load {
    /// Messages `smtp-source` sends per run.
    source_messages: u64,
    /// Runs of each `smtp-source` row.
    source_rounds: usize,
    /// Messages each client sends per run, over one connection.
    client_messages: usize,
    /// Runs of each client row.
    client_rounds: usize,
}

impl Load {
    fn from_env() -> Load {
        if support::quick() {
            Load {
                source_messages: 1_000,
                source_rounds: 1,
                client_messages: 300,
                client_rounds: 1,
            }
        } else {
            Load {
                source_messages: 10_000,
                source_rounds: 9,
                client_messages: 3_000,
                client_rounds: 9,
            }
        }
    }
}

/// Every socket of the bench gives up after this long, so nothing hangs.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A whole run of a tool, at most.
const RUN_LIMIT: Duration = Duration::from_secs(60);
const MSGS: &str = "msgs/s";
const CPU: &str = "µs CPU/msg";
const SENDER: &str = "bench@source.test";
const RECIPIENT: &str = "sink@sink.test";

fn main() -> ExitCode {
    let load = Load::from_env();
    let mut table = Table::new("smtp: messages per second over loopback");
    let mock = match Script::new().start_standalone(0) {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("cannot start the mock SMTP server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = SmtpSink::start();
    // smtp-sink, or why it is missing (not installed, or failed to
    // start), for each row it skips.
    let sink = started.as_ref().map_err(String::as_str);
    if let Err(reason) = sink {
        eprintln!("smtp-sink rows skipped: {reason}");
    }
    source_rows(&mut table, &load, mock.addr(), sink);
    let message = message();
    client_rows(&mut table, &load, &message, "in-process mock", mock.addr());
    match sink {
        Ok(sink) => {
            client_rows(&mut table, &load, &message, "smtp-sink", sink.addr)
        }
        Err(reason) => table.skip("Client vs smtplib → smtp-sink", reason),
    }
    drop(started);
    table.print();
    support::exit_status()
}

// ---------------------------------------------------------------------
// smtp-source against the mock and against smtp-sink

/// A server `smtp-source` is run against, in one round.
#[derive(Clone, Copy, PartialEq)]
enum Server {
    /// The in-process mock the whole bench shares: no transcripts.
    Mock(SocketAddr),
    /// A fresh in-process mock for each run, keeping every transcript
    /// and message, as the tests run it.
    MockAsTested,
    /// Postfix's smtp-sink, at this address, with this process id.
    SmtpSink(SocketAddr, u32),
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Mock(_) => "mock",
            Server::MockAsTested => "mock, as tested",
            Server::SmtpSink(..) => "smtp-sink",
        }
    }
}

/// What one run of `smtp-source` measured.
#[derive(Clone, Copy)]
struct Run {
    server: Server,
    rate: f64,
    /// The server's CPU time per message, in µs (the in-process mocks:
    /// the whole bench process's, which does little else meanwhile).
    cpu: Option<f64>,
}

/// The `smtp-source` rows: the mock's rate beside smtp-sink's.
fn source_rows(
    table: &mut Table,
    load: &Load,
    mock: SocketAddr,
    sink: Result<&SmtpSink, &str>,
) {
    let what = format!(
        "smtp-source -s 20 -m {} -l 1024 → in-process mock vs smtp-sink",
        load.source_messages
    );
    let source = match tool("smtp-source", "postfix") {
        Ok(path) => path,
        Err(reason) => return table.skip(&what, &reason),
    };
    let sink = match sink {
        Ok(sink) => Server::SmtpSink(sink.addr, sink.process.id()),
        Err(reason) => return table.skip(&what, reason),
    };
    let mock = Server::Mock(mock);
    let servers = [mock, sink, Server::MockAsTested];
    let runs = match take_turns(&source, load, &servers) {
        Ok(runs) => runs,
        Err(reason) => return table.skip(&what, &reason),
    };
    // Each round's runs, as (ours, smtp-sink) pairs of one figure: the
    // table judges the median of the pairs' ratios.
    let pairs = |ours: Server, figure: fn(&Run) -> Option<f64>| {
        support::round_pairs(
            runs.chunks(servers.len()),
            |r| r.server == ours,
            |r| r.server == sink,
            figure,
        )
    };
    let rate = |r: &Run| Some(r.rate);
    table.compare_pairs(
        &what,
        &pairs(mock, rate),
        MSGS,
        "smtp-sink",
        Target::RatioAtLeast(1.0),
    );
    table.compare_pairs(
        "… the same, the mock as the tests run it (transcripts, messages kept)",
        &pairs(Server::MockAsTested, rate),
        MSGS,
        "smtp-sink",
        Target::None,
    );
    for ours in [mock, Server::MockAsTested] {
        table.compare_pairs(
            &format!(
                "… CPU time per message (lower is better): {} vs smtp-sink",
                ours.name()
            ),
            &pairs(ours, |r| r.cpu),
            CPU,
            "smtp-sink",
            Target::None,
        );
    }
}

/// Runs `smtp-source` against each server in turn, round after round
/// (who goes first rotates), after one shorter run each that is not
/// counted (the first pays for starting the mock's threads, and for
/// page faults); prints each round as it ends. The runs come back round
/// by round, `servers.len()` to a round.
fn take_turns(
    source: &Path,
    load: &Load,
    servers: &[Server],
) -> Result<Vec<Run>, String> {
    for &server in servers {
        run_against(source, server, load.source_messages / 10)?;
    }
    let mut runs = Vec::new();
    for round in 0..load.source_rounds {
        let mut line = format!("round {}/{}:", round + 1, load.source_rounds);
        for turn in 0..servers.len() {
            let server = servers[(turn + round) % servers.len()];
            let run = run_against(source, server, load.source_messages)?;
            let name = server.name();
            line.push_str(&format!(" {name} {:.0} msgs/s,", run.rate));
            runs.push(run);
        }
        eprintln!("{line}");
    }
    Ok(runs)
}

/// One run of `smtp-source` against `server`, with the server's CPU
/// time per message.
fn run_against(
    source: &Path,
    server: Server,
    messages: u64,
) -> Result<Run, String> {
    let (addr, pid, fresh) = match server {
        Server::Mock(addr) => (addr, std::process::id(), None),
        Server::MockAsTested => {
            let mock = Script::new()
                .start()
                .map_err(|e| format!("cannot start the mock: {e}"))?;
            (mock.addr(), std::process::id(), Some(mock))
        }
        Server::SmtpSink(addr, pid) => (addr, pid, None),
    };
    let before = support::cpu_time(pid);
    let elapsed = run_source(source, addr, messages)?;
    let cpu = before.zip(support::cpu_time(pid)).map(|(before, after)| {
        (after - before).as_secs_f64() * 1e6 / messages as f64
    });
    // Stopped after the CPU time was read: stopping is not serving.
    drop(fresh);
    Ok(Run {
        server,
        rate: rate(messages, elapsed),
        cpu,
    })
}

/// One run of `smtp-source`: 20 sessions, `messages` messages of 1 KB,
/// each over a new connection (its default), to `addr`.
fn run_source(
    source: &Path,
    addr: SocketAddr,
    messages: u64,
) -> Result<Duration, String> {
    let mut command = Command::new(source);
    command.args(["-s", "20", "-l", "1024", "-M", "source.test"]);
    command.args(["-f", SENDER, "-t", RECIPIENT]);
    command.args(["-m", &messages.to_string(), &addr.to_string()]);
    let (output, elapsed) = support::run_within(&mut command, RUN_LIMIT)
        .map_err(|e| format!("smtp-source: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "smtp-source failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(elapsed)
}

/// Postfix's `smtp-sink`, started on a free loopback port and killed
/// when dropped.
struct SmtpSink {
    process: Process,
    addr: SocketAddr,
}

impl SmtpSink {
    fn start() -> Result<SmtpSink, String> {
        let path = tool("smtp-sink", "postfix")?;
        let port =
            support::free_port().map_err(|e| format!("no free port: {e}"))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut command = Command::new(path);
        // As root it must be told whose privileges to keep.
        if running_as_root() {
            command.args(["-u", "root"]);
        }
        command.args([&addr.to_string(), "256"]);
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start smtp-sink: {e}"))?;
        let sink = SmtpSink {
            process: Process(child),
            addr,
        };
        wait_for_greeting(addr)?;
        Ok(sink)
    }
}

fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status");
    status.ok().is_some_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"))
    })
}

/// Waits until a server at `addr` accepts and sends its `220` greeting.
fn wait_for_greeting(addr: SocketAddr) -> Result<(), String> {
    let stream = support::connect_when_ready(addr, TIMEOUT)?;
    let mut line = String::new();
    let _ = BufReader::new(&stream).read_line(&mut line);
    if line.starts_with("220") {
        Ok(())
    } else {
        Err(format!("no greeting from {addr}: {line:?}"))
    }
}

// ---------------------------------------------------------------------
// Client against smtplib

/// About 1 KB: headers and lines of text, CRLF line ends (so both
/// clients send the same bytes).
fn message() -> Vec<u8> {
    let mut text = format!(
        "From: {SENDER}\r\nTo: {RECIPIENT}\r\nSubject: benchmark\r\n\r\n"
    );
    while text.len() < 1024 - 80 {
        text.push_str(&"x".repeat(78));
        text.push_str("\r\n");
    }
    text.into_bytes()
}

/// The rows "Client vs smtplib" against the server at `addr`.
fn client_rows(
    table: &mut Table,
    load: &Load,
    message: &[u8],
    server: &str,
    addr: SocketAddr,
) {
    let n = load.client_messages;
    let mut what =
        format!("Client vs smtplib: {n} messages, one connection → {server}");
    let python = match tool("python3", "python3") {
        Ok(path) => path,
        Err(reason) => return table.skip(&what, &reason),
    };
    // The message in a file for the Python script.
    let scratch = match Scratch::create("smtp") {
        Ok(scratch) => scratch,
        Err(e) => {
            return table.skip(&what, &format!("no scratch directory: {e}"));
        }
    };
    let file = scratch.path().join("message.eml");
    if let Err(e) = std::fs::write(&file, message) {
        let reason = format!("cannot write {}: {e}", file.display());
        return table.skip(&what, &reason);
    }
    // A warm-up, not counted: the first connection pays for page faults
    // and the server's first thread.
    let warm_up = send_with_client(addr, n.min(100), message, true);
    if let Err(reason) = warm_up {
        return table.skip(&what, &reason);
    }
    // ANCHOR: interleaved
    // Ours pipelined, ours one command per round trip (smtplib's wire,
    // to show what pipelining buys), then smtplib; round after round.
    let (mut ours, mut lockstep, mut theirs) = (vec![], vec![], vec![]);
    for _ in 0..load.client_rounds {
        for (pipelining, rates) in [(true, &mut ours), (false, &mut lockstep)] {
            match send_with_client(addr, n, message, pipelining) {
                Ok((elapsed, pipelined)) => {
                    rates.push(rate(n as u64, elapsed));
                    if pipelining && !pipelined {
                        what = format!("{what} (not offered PIPELINING)");
                    }
                }
                Err(reason) => return table.skip(&what, &reason),
            }
        }
        match send_with_smtplib(&python, addr, n, &file) {
            Ok(elapsed) => theirs.push(rate(n as u64, elapsed)),
            Err(reason) => return table.skip(&what, &reason),
        }
    }
    // ANCHOR_END: interleaved
    let smtplib = Figure::new(median(&theirs), MSGS);
    table.compare(
        &what,
        Figure::new(median(&ours), MSGS),
        "smtplib",
        smtplib,
        Target::RatioAtLeast(2.0),
    );
    table.compare(
        &format!("… the same, Client with set_pipelining(false) → {server}"),
        Figure::new(median(&lockstep), MSGS),
        "smtplib",
        smtplib,
        Target::None,
    );
}

/// Sends `n` messages over one connection; returns the time from the
/// first `sendmail` to the last reply, and whether it pipelined.
fn send_with_client(
    addr: SocketAddr,
    n: usize,
    message: &[u8],
    pipelining: bool,
) -> Result<(Duration, bool), String> {
    let failed = |e: inet::smtp::client::Error| format!("Client: {e}");
    let mut client =
        Client::connect("127.0.0.1", addr.port(), TIMEOUT).map_err(failed)?;
    client.set_pipelining(pipelining);
    client.ehlo_or_helo_if_needed().map_err(failed)?;
    let start = Instant::now();
    for _ in 0..n {
        client
            .sendmail(SENDER, &[RECIPIENT], message)
            .map_err(failed)?;
    }
    let elapsed = start.elapsed();
    let pipelined = client.pipelines();
    let _ = client.quit();
    Ok((elapsed, pipelined))
}

/// The same with Python 3's smtplib: the script times its own loop, so
/// the interpreter's start-up is not counted.
const SMTPLIB: &str = r#"
import smtplib, sys, time
host, port, n, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
message = open(path, "rb").read()
client = smtplib.SMTP(host, port, timeout=10)
client.ehlo()
start = time.perf_counter()
for _ in range(n):
    client.sendmail("bench@source.test", ["sink@sink.test"], message)
elapsed = time.perf_counter() - start
client.quit()
print(elapsed)
"#;

fn send_with_smtplib(
    python: &Path,
    addr: SocketAddr,
    n: usize,
    message: &Path,
) -> Result<Duration, String> {
    let mut command = Command::new(python);
    command.args(["-c", SMTPLIB, "127.0.0.1", &addr.port().to_string()]);
    command.arg(n.to_string()).arg(message);
    let (output, _) = support::run_within(&mut command, RUN_LIMIT)
        .map_err(|e| format!("python3 smtplib: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    match stdout.trim().parse::<f64>() {
        Ok(secs) if output.status.success() => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(format!(
            "python3 smtplib failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    Figure::rate(count, elapsed, MSGS).value
}
