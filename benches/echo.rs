//! Benchmark: `echo-server` beside its floor and the Python original
//! (inet_08), driven by the same clients on loopback.
//!
//! `cargo bench --bench echo` (`BENCH_QUICK=1` for short runs). Set
//! `BENCH_ECHO_BASELINE` to another `echo-server` executable (the build
//! before a design change, copied aside) to measure it in the same run;
//! `ORIGINALS` names the folder of the chapter's Python originals (as
//! lessons/README.md sets it up), and `INET_PYTHON` the Python 2.7 to run
//! inet_08.py with; without `ORIGINALS`, the inet_08 rows say so and are
//! skipped.
//!
//! * **Load**: 1, 16 and 128 clients each connect, then send a line and
//!   wait for its reply, again and again; after a warm-up, round trips
//!   are counted and timed for a fixed window. The servers take turns,
//!   round after round (9, or 5 with `BENCH_QUICK`): in each round,
//!   `echo-server` and the floor run back to back at each client count,
//!   who goes first alternating. Each round gives a ratio, echo-server
//!   to the floor; a row shows the median ratio and the spread (lowest
//!   to highest), and its target judges that median. On this shared
//!   machine one round can run at half the speed of the next: a single
//!   ratio says as much about the neighbours as about the server, the
//!   median of many says little about them.
//! * **The floor** is the least a thread-per-connection server can do: a
//!   thread per client, a buffered line reader, the same reply bytes as
//!   `echo-server`, nothing else (no log, no limits, no timeouts per
//!   line). It runs as a process of its own, like the others: this bench
//!   binary started again with `--floor-server`.
//! * **Bursts**: 128, then 1,000 clients connect at the same moment, each
//!   asks one line and holds its connection until all have been
//!   answered; any client not answered within a bounded wait is a failed
//!   connection.
//! * **Idle**: 1,000 connections are opened and left idle; a new client
//!   must still be answered, and the server's resident memory (RSS, read
//!   from /proc) stay small.
//!
//! Failures (connect errors, timeouts, `busy:` refusals, wrong replies,
//! hang-ups) are counted, never panicked on; every socket has timeouts.
//! `echo-server` logs each line, as the original does: its standard
//! output goes to a file in /dev/shm, the Python server's to /dev/null,
//! so neither waits on a reader.

mod support;

use std::fs;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Barrier, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use inet::blocking::is_timeout;
use support::{Figure, Process, Scratch, Table, Target, percentile};

/// The argument that makes this binary the floor server.
const FLOOR_ARG: &str = "--floor-server";
/// Names an older `echo-server` build to measure beside this one.
const BASELINE_VAR: &str = "BENCH_ECHO_BASELINE";
/// Client counts of the load rows.
const LOADS: [usize; 3] = [1, 16, 128];
/// Client counts of the burst rows, and the idle connections held.
const BURSTS: [usize; 2] = [128, 1_000];
const IDLE: usize = 1_000;
/// A server's resident memory holding [`IDLE`] connections, at most.
const RSS_LIMIT_MIB: f64 = 64.0;
/// How long anything may take to start (a server) or to connect.
const START: Duration = Duration::from_secs(5);
/// Client threads do little; a small stack lets 1,000 of them start fast.
const CLIENT_STACK: usize = 64 * 1024;

/// Durations and counts, shrunk by `BENCH_QUICK=1`.
#[derive(Debug, Clone, Copy)]
struct Plan {
    warm_up: Duration,
    window: Duration,
    rounds: usize,
    /// The longest wait for a reply under load.
    reply_timeout: Duration,
    /// The longest a burst client may wait to connect and be answered.
    burst_wait: Duration,
}

impl Plan {
    fn from_env() -> Plan {
        let quick = support::quick();
        Plan {
            warm_up: Duration::from_millis(if quick { 100 } else { 250 }),
            window: Duration::from_millis(if quick { 300 } else { 700 }),
            // A target judges the median of at least five rounds.
            rounds: if quick { 5 } else { 9 },
            reply_timeout: Duration::from_secs(2),
            // A connection the listen queue had no room for waits for
            // the client to send its SYN again: after 1 s, then 3 s.
            burst_wait: Duration::from_secs(if quick { 3 } else { 5 }),
        }
    }
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some(FLOOR_ARG) {
        floor::serve();
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    let plan = Plan::from_env();
    let mut table =
        Table::new("echo: echo-server beside the floor and inet_08, loopback");
    match Servers::start() {
        Ok(servers) => {
            load_rows(&mut table, &servers, &plan);
            burst_rows(&mut table, &servers, &plan);
        }
        Err(why) => println!("echo bench failed: {why}"),
    }
    idle_rows(&mut table);
    table.print();
    println!("(whole bench: {:.0?})", started.elapsed());
    support::exit_status()
}

// ---------------------------------------------------------------------
// The servers

/// How a server ends its replies: ours with `\n`, the Python original
/// with nothing (the reply is complete when it has all its bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    Line,
    Unframed,
}

/// Where clients connect, and how replies end there.
#[derive(Debug, Clone, Copy)]
struct Endpoint {
    name: &'static str,
    addr: SocketAddr,
    framing: Framing,
}

/// A server running as a child process, killed when dropped.
struct Server {
    at: Endpoint,
    process: Process,
    /// Holds the file its standard output goes to; removed when dropped,
    /// after the process (fields drop in order).
    _log: Option<Scratch>,
}

impl Server {
    fn pid(&self) -> u32 {
        self.process.id()
    }
}

/// The three servers of the load and burst rows.
struct Servers {
    ours: Server,
    floor: Server,
    /// `Err` says why the Python row is skipped.
    python: Result<Server, String>,
    /// Another build of `echo-server`, named by `BENCH_ECHO_BASELINE`:
    /// the one before a design change, measured in the same run.
    baseline: Option<Server>,
}

impl Servers {
    fn start() -> Result<Servers, String> {
        Ok(Servers {
            ours: start_echo_server()?,
            floor: start_floor()?,
            python: start_python(),
            baseline: match std::env::var_os(BASELINE_VAR) {
                Some(exe) => Some(start_program("baseline", exe.as_ref())?),
                None => None,
            },
        })
    }
}

/// `echo-server` on a free port (`0`); its port is read from its first
/// line of output.
fn start_echo_server() -> Result<Server, String> {
    let exe = env!("CARGO_BIN_EXE_echo-server");
    start_program("echo-server", exe.as_ref())
}

/// The program `exe` (an `echo-server`, maybe an older build), called
/// `name` in the table, its standard output going to a file.
fn start_program(name: &'static str, exe: &Path) -> Result<Server, String> {
    let dir = Scratch::create(name).map_err(|e| format!("{name}: {e}"))?;
    let log = dir.path().join("stdout.log");
    let out = fs::File::create(&log).map_err(|e| format!("{log:?}: {e}"))?;
    let child = Command::new(exe)
        .arg("0")
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let mut server = Server {
        at: Endpoint {
            name,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            framing: Framing::Line,
        },
        process: Process(child),
        _log: Some(dir),
    };
    server.at.addr = wait_for_startup_line(name, &log)?;
    Ok(server)
}

/// Reads the log file until the server's `... listening on ADDR` line
/// is in it. A file can't be waited on, only looked at again: every
/// 10 ms, for at most [`START`].
fn wait_for_startup_line(name: &str, log: &Path) -> Result<SocketAddr, String> {
    let deadline = Instant::now() + START;
    while Instant::now() < deadline {
        let text = fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("listening on ")) {
            let addr = line.rsplit(' ').next().unwrap_or_default();
            return addr
                .parse()
                .map_err(|e| format!("{name} said {line:?}: {e}"));
        }
        thread::sleep(Duration::from_millis(10));
    }
    Err(format!("{name} printed no startup line within {START:?}"))
}

/// This bench binary, started again as the floor server; it prints its
/// address, then nothing more.
fn start_floor() -> Result<Server, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .arg(FLOOR_ARG)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the floor server: {e}"))?;
    // Killed on every path from here, a bad first line included.
    let mut process = Process(child);
    let mut first = String::new();
    let stdout = process.0.stdout.take().expect("piped stdout");
    let _ = BufReader::new(stdout).read_line(&mut first);
    let addr = first
        .trim()
        .parse()
        .map_err(|e| format!("the floor server said {first:?}: {e}"))?;
    let at = Endpoint {
        name: "floor",
        addr,
        framing: Framing::Line,
    };
    Ok(Server {
        at,
        process,
        _log: None,
    })
}

/// The Python original, on a port picked here (it never says which port
/// `0` gave it), once it accepts connections.
fn start_python() -> Result<Server, String> {
    let Some(originals) = std::env::var_os("ORIGINALS") else {
        let how = "export ORIGINALS=/path/to/originals, the folder of the \
                   chapter's Python programs, to measure inet_08";
        return Err(format!("ORIGINALS is not set: {how}"));
    };
    let script = PathBuf::from(originals).join("inet_08.py");
    let python = std::env::var_os("INET_PYTHON").unwrap_or("python2.7".into());
    let how = "install Python 2.7 (`pyenv install 2.7.18`) or set INET_PYTHON";
    let command = || {
        let mut command = Command::new(&python);
        if std::env::var_os("PYENV_VERSION").is_none() {
            command.env("PYENV_VERSION", "2.7.18");
        }
        command
    };
    // Bounded like every child: a `python` that never returns (a broken
    // shim, say) must not hang the bench.
    let version = support::run_within(command().arg("-V"), START);
    if !version.is_ok_and(|(v, _)| v.status.success()) {
        return Err(format!("{} does not run: {how}", python.display()));
    }
    if !script.is_file() {
        let more = "ORIGINALS must name the folder that holds it";
        return Err(format!("{} is missing: {more}", script.display()));
    }
    let port =
        support::free_port().map_err(|e| format!("no free port: {e}"))?;
    let child = command()
        .arg(&script)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", script.display()))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let at = Endpoint {
        name: "inet_08",
        addr,
        framing: Framing::Unframed,
    };
    let server = Server {
        at,
        process: Process(child),
        _log: None,
    };
    support::connect_when_ready(addr, START)?;
    Ok(server)
}

// ---------------------------------------------------------------------
// One client's exchange

// ANCHOR: failures
/// Why a client gave up: each is counted, none is fatal to the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Connect,
    Timeout,
    Busy,
    Wrong,
    HungUp,
}
// ANCHOR_END: failures

/// The failures of a run, by kind.
#[derive(Debug, Default, Clone, Copy)]
struct Failures([u64; 5]);

impl Failures {
    fn add(&mut self, failure: Failure) {
        self.0[failure as usize] += 1;
    }

    fn merge(&mut self, other: Failures) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }

    fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl std::fmt::Display for Failures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = ["connect", "timeout", "busy", "wrong", "hung up"];
        let parts: Vec<String> = names
            .iter()
            .zip(self.0)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        if parts.is_empty() {
            write!(f, "none")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// A connected client that asks one line, `ping ID`, again and again.
struct Client {
    stream: TcpStream,
    framing: Framing,
    line: Vec<u8>,
    /// The end of the expected reply: `: PING ID`, and `\n` if framed.
    expected_end: Vec<u8>,
    buf: Vec<u8>,
}

impl Client {
    fn connect(
        server: &Endpoint,
        id: usize,
        timeout: Duration,
    ) -> Result<Client, Failure> {
        let stream = TcpStream::connect_timeout(&server.addr, timeout)
            .map_err(|_| Failure::Connect)?;
        let timeouts = stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .and_then(|()| stream.set_nodelay(true));
        timeouts.map_err(|_| Failure::Connect)?;
        let newline = if server.framing == Framing::Line {
            "\n"
        } else {
            ""
        };
        Ok(Client {
            stream,
            framing: server.framing,
            line: format!("ping {id}\n").into_bytes(),
            expected_end: format!(": PING {id}{newline}").into_bytes(),
            buf: Vec::with_capacity(64),
        })
    }

    // ANCHOR: round_trip
    /// One round trip: send the line, read the whole reply, check it.
    fn ask(&mut self) -> Result<(), Failure> {
        self.stream.write_all(&self.line).map_err(io_failure)?;
        self.buf.clear();
        while !self.reply_complete() {
            let mut chunk = [0; 128];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(Failure::HungUp),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(io_failure(e)),
            }
            if self.buf.starts_with(b"busy:") {
                return Err(Failure::Busy);
            }
            if self.buf.len() > self.expected_end.len() + 32 {
                return Err(Failure::Wrong);
            }
        }
        if self.reply_is_right() {
            Ok(())
        } else {
            Err(Failure::Wrong)
        }
    }
    // ANCHOR_END: round_trip

    fn reply_complete(&self) -> bool {
        match self.framing {
            Framing::Line => self.buf.ends_with(b"\n"),
            Framing::Unframed => self.buf.ends_with(&self.expected_end),
        }
    }

    /// `Thread-N: PING ID`, as both servers answer.
    fn reply_is_right(&self) -> bool {
        let Some(rest) = self.buf.strip_prefix(b"Thread-") else {
            return false;
        };
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && &rest[digits..] == self.expected_end.as_slice()
    }
}

fn io_failure(e: io::Error) -> Failure {
    if is_timeout(&e) {
        Failure::Timeout
    } else {
        Failure::HungUp
    }
}

/// Starts `count` client threads running `work(id)`, and collects what
/// each returns.
fn clients<T: Send + 'static>(
    count: usize,
    work: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let work = Arc::new(work);
    let threads: Vec<_> = (0..count)
        .map(|id| {
            let work = Arc::clone(&work);
            thread::Builder::new()
                .stack_size(CLIENT_STACK)
                .spawn(move || work(id))
                .expect("a client thread")
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a client thread panicked"))
        .collect()
}

// ---------------------------------------------------------------------
// Load: round trips per second and latencies

/// What one server did at one client count, in one round.
struct Run {
    /// The server's CPU time per round trip in the window, in µs.
    cpu_per_trip: Option<f64>,
    rate: f64,
    p50: Duration,
    p99: Duration,
    failures: Failures,
}

/// The window in which round trips count: after the warm-up.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    end: Instant,
}

/// `count` clients on `server` for a warm-up and a window.
fn load(server: &Server, count: usize, plan: &Plan) -> Run {
    // Everyone connects, then the window is set, then everyone starts.
    let gate = Arc::new(Barrier::new(count + 1));
    let window = Arc::new(OnceLock::<Window>::new());
    let at = server.at;
    let runner = thread::spawn({
        let (gate, window, plan) = (gate.clone(), window.clone(), *plan);
        move || {
            clients(count, move |id| {
                let client = Client::connect(&at, id, plan.reply_timeout);
                gate.wait();
                gate.wait();
                let window = *window.get().expect("set before the gate opens");
                keep_asking(client, window)
            })
        }
    });
    gate.wait();
    let now = Instant::now();
    let start = now + plan.warm_up;
    let _ = window.set(Window {
        start,
        end: start + plan.window,
    });
    gate.wait();
    let cpu = server_cpu_in(server.pid(), start, start + plan.window);
    let tallies = runner.join().expect("the client runner panicked");
    let mut latencies = Vec::new();
    let mut failures = Failures::default();
    for (times, failed) in tallies {
        latencies.extend(times);
        if let Some(failure) = failed {
            failures.add(failure);
        }
    }
    latencies.sort_unstable();
    let trips = latencies.len().max(1) as f64;
    Run {
        cpu_per_trip: cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / trips),
        rate: latencies.len() as f64 / plan.window.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        failures,
    }
}

/// The CPU time the server used between `from` and `to`. A shared
/// machine makes rates noisy (a round of the same server can run at
/// half speed when a neighbour takes the cores); the CPU each round
/// trip cost hardly moves, so it says whether a gap is ours.
fn server_cpu_in(pid: u32, from: Instant, to: Instant) -> Option<Duration> {
    thread::sleep(from.saturating_duration_since(Instant::now()));
    let before = support::cpu_time(pid)?;
    thread::sleep(to.saturating_duration_since(Instant::now()));
    Some(support::cpu_time(pid)?.saturating_sub(before))
}

// ANCHOR: keep_asking
/// Asks until the window ends; returns the round trips timed inside
/// it, and the failure that stopped this client early, if any (after
/// a failure the connection's state is unknown, so the client stops).
fn keep_asking(
    client: Result<Client, Failure>,
    window: Window,
) -> (Vec<Duration>, Option<Failure>) {
    let mut client = match client {
        Ok(client) => client,
        Err(failure) => return (Vec::new(), Some(failure)),
    };
    let mut times = Vec::new();
    loop {
        let sent = Instant::now();
        if sent >= window.end {
            return (times, None);
        }
        if let Err(failure) = client.ask() {
            return (times, Some(failure));
        }
        let done = Instant::now();
        if sent >= window.start && done <= window.end {
            times.push(done - sent);
        }
    }
}
// ANCHOR_END: keep_asking

/// One load run, and when it was taken.
struct Taken<'a> {
    name: &'a str,
    count: usize,
    round: usize,
    run: Run,
}

/// The order of one round at one client count: echo-server and the
/// floor back to back, a pair, the one that goes first alternating from
/// round to round (whoever goes second may find the machine warmer, or
/// busier: over the rounds, that favours neither), then the others.
fn turns(servers: &Servers, round: usize) -> Vec<&Server> {
    let pair = if round.is_multiple_of(2) {
        [&servers.ours, &servers.floor]
    } else {
        [&servers.floor, &servers.ours]
    };
    pair.into_iter()
        .chain(servers.python.as_ref().ok())
        .chain(servers.baseline.as_ref())
        .collect()
}

/// The load rows. A round runs every server at every client count
/// ([`turns`]); the bench does `plan.rounds` rounds, so each server's
/// runs at one count are spread over the whole bench. Each row's ratio
/// is the median of the rounds' ratios, echo-server to the other server
/// of the same round, with their spread.
fn load_rows(table: &mut Table, servers: &Servers, plan: &Plan) {
    let mut runs: Vec<Taken> = Vec::new();
    // ANCHOR: take_turns
    for round in 0..plan.rounds {
        for count in LOADS {
            for server in turns(servers, round) {
                let run = load(server, count, plan);
                eprintln!(
                    "round {}/{}: {count:>3} clients, {:<11} {:>7.0} round trips/s, \
                     p50 {:?}, p99 {:?}, failures: {}",
                    round + 1,
                    plan.rounds,
                    server.at.name,
                    run.rate,
                    run.p50,
                    run.p99,
                    run.failures
                );
                let name = server.at.name;
                runs.push(Taken {
                    name,
                    count,
                    round,
                    run,
                });
            }
        }
    }
    // ANCHOR_END: take_turns
    for count in LOADS {
        let clients = plural(count, "client");
        // 0.95x at 16 and 128 clients, where the server is busy and a
        // cost of ours shows; with one client the wake-ups dominate.
        let target = Target::RatioAtLeast(if count == 1 { 0.9 } else { 0.95 });
        pair_rows(table, &runs, &clients, (count, "floor"), target);
        match &servers.python {
            Ok(_) => {
                let against = (count, "inet_08");
                pair_rows(table, &runs, &clients, against, Target::None);
            }
            Err(why) if count == LOADS[0] => {
                table.skip("echo-server vs inet_08, every load", why);
            }
            Err(_) => {}
        }
        if servers.baseline.is_some() {
            let against = (count, "baseline");
            pair_rows(table, &runs, &clients, against, Target::None);
        }
    }
    failure_rows(table, servers, &runs);
}

/// Rate, p50, p99 and CPU rows of echo-server beside `other` at `count`
/// clients, over the rounds; only the rate has a target, the others are
/// there to be read.
fn pair_rows(
    table: &mut Table,
    runs: &[Taken],
    clients: &str,
    (count, other): (usize, &str),
    target: Target,
) {
    let figures: [(&str, &'static str, Pick, Target); 4] = [
        ("round trips/s", "round trips/s", |r| Some(r.rate), target),
        ("p50 latency", "µs", |r| Some(micros(r.p50)), Target::None),
        ("p99 latency", "µs", |r| Some(micros(r.p99)), Target::None),
        (
            "server CPU per round trip",
            "µs",
            |r| r.cpu_per_trip,
            Target::None,
        ),
    ];
    let each = figures.map(|(.., value, _)| pairs(runs, (count, other), value));
    for ((figure, unit, _, target), pairs) in figures.into_iter().zip(&each) {
        if pairs.is_empty() {
            continue; // no CPU time where /proc is not there
        }
        let what = format!("{figure}, {clients}: echo-server vs {other}");
        table.compare_pairs(&what, pairs, unit, other, target);
    }
    // The rate's ratios, the first figure's.
    let ratios: Vec<String> = support::ratios(&each[0])
        .iter()
        .map(|ratio| format!("{ratio:.2}"))
        .collect();
    eprintln!(
        "round trips/s, {clients}, echo-server / {other}, round by round: {}",
        ratios.join(" ")
    );
}

/// One figure of a run (`None`: not measured).
type Pick = fn(&Run) -> Option<f64>;

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// (echo-server's, `other`'s) figure at `count` clients, one pair per
/// round in which both have it; `runs` come round by round
/// ([`load_rows`]).
fn pairs(
    runs: &[Taken],
    (count, other): (usize, &str),
    value: Pick,
) -> Vec<(f64, f64)> {
    support::round_pairs(
        runs.chunk_by(|a, b| a.round == b.round),
        |t: &Taken| t.name == "echo-server" && t.count == count,
        |t: &Taken| t.name == other && t.count == count,
        |t| value(&t.run),
    )
}

/// The clients that failed under load, each server's, all rounds.
fn failure_rows(table: &mut Table, servers: &Servers, runs: &[Taken]) {
    let failed = |name: &str| {
        let mut all = Failures::default();
        for taken in runs.iter().filter(|t| t.name == name) {
            all.merge(taken.run.failures);
        }
        all
    };
    let (ours, floor) = (failed("echo-server"), failed("floor"));
    eprintln!("failures under load: echo-server {ours}; floor {floor}");
    let clients = |f: Failures| Figure::new(f.total() as f64, "clients");
    table.figure(
        "failed clients under load, every round: echo-server",
        clients(ours),
        Target::AtMost(0.0),
    );
    table.figure(
        "failed clients under load, every round: floor",
        clients(floor),
        Target::None,
    );
    if servers.python.is_ok() {
        let python = failed("inet_08");
        eprintln!("failures under load: inet_08 {python}");
        table.figure(
            "failed clients under load, every round: inet_08",
            clients(python),
            Target::None,
        );
    }
}

fn plural(count: usize, noun: &str) -> String {
    let count_text = if count >= 1_000 {
        format!("{},{:03}", count / 1_000, count % 1_000)
    } else {
        count.to_string()
    };
    let s = if count == 1 { "" } else { "s" };
    format!("{count_text} {noun}{s}")
}

// ---------------------------------------------------------------------
// Bursts: many clients at the same moment

/// `count` clients connect at once, each asks one line within `wait`
/// and holds its connection until every client is done. Returns the
/// failures and the slowest answer.
fn burst(at: Endpoint, count: usize, wait: Duration) -> (Failures, Duration) {
    let gate = Arc::new(Barrier::new(count));
    let done = Arc::new(Barrier::new(count));
    let results = clients(count, move |id| {
        gate.wait();
        let started = Instant::now();
        let answered = Client::connect(&at, id, wait).and_then(|mut client| {
            let left = wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(Failure::Timeout);
            }
            let _ = client.stream.set_read_timeout(Some(left));
            client.ask().map(|()| client)
        });
        let took = started.elapsed();
        // Concurrent means all connected at once: hold on till the end.
        done.wait();
        answered.map(|_| took)
    });
    let mut failures = Failures::default();
    let mut slowest = Duration::ZERO;
    for result in results {
        match result {
            Ok(took) => slowest = slowest.max(took),
            Err(failure) => failures.add(failure),
        }
    }
    (failures, slowest)
}

fn burst_rows(table: &mut Table, servers: &Servers, plan: &Plan) {
    if let Err(why) = enough_file_descriptors() {
        table.skip("bursts of 128 and 1,000 clients", &why);
        return;
    }
    for count in BURSTS {
        let clients = plural(count, "client");
        let (ours, slowest) = burst(servers.ours.at, count, plan.burst_wait);
        eprintln!(
            "burst of {clients}: echo-server failures: {ours}, slowest answer {slowest:?}"
        );
        let failed = |f: Failures| Figure::new(f.total() as f64, "failed");
        let what = format!(
            "failed connections, {clients} at once, {:?} each",
            plan.burst_wait
        );
        let slow = format!("slowest answer, {clients} at once");
        match &servers.python {
            Ok(python) => {
                let (theirs, their_slowest) =
                    burst(python.at, count, plan.burst_wait);
                eprintln!(
                    "burst of {clients}: inet_08 failures: {theirs}, slowest answer {their_slowest:?}"
                );
                let limit = Target::AtMost(0.0);
                table.compare(
                    &what,
                    failed(ours),
                    "inet_08",
                    failed(theirs),
                    limit,
                );
                let (a, b) =
                    (Figure::millis(slowest), Figure::millis(their_slowest));
                table.compare(&slow, a, "inet_08", b, Target::None);
            }
            Err(_) => {
                table.figure(&what, failed(ours), Target::AtMost(0.0));
                table.figure(&slow, Figure::millis(slowest), Target::None);
            }
        }
    }
}

/// The bench holds up to 1,000 client sockets, and `echo-server`, which
/// inherits this limit, two descriptors per client (the session's, and
/// the clone it keeps to disconnect it on stop).
fn enough_file_descriptors() -> Result<(), String> {
    let needed = 2 * IDLE as u64 + 100;
    let limits = fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<u64>().ok());
    match soft {
        Some(n) if n >= needed => Ok(()),
        Some(n) => Err(format!(
            "needs {needed} open files, `ulimit -n` is {n}: run `ulimit -n 4096` first"
        )),
        None => Ok(()), // not Linux: try, and count what fails
    }
}

// ---------------------------------------------------------------------
// Idle connections and memory

/// What holding [`IDLE`] connections cost a server.
struct Idle {
    failures: Failures,
    rss: u64,
    peak: u64,
}

/// Opens [`IDLE`] connections (each asks one line, to be sure it has a
/// thread, then idles), then asks from a new client, reads the server's
/// memory, and checks the idle ones are all still served.
fn hold_idle(server: &Server) -> Idle {
    let timeout = Duration::from_secs(2);
    let mut failures = Failures::default();
    let mut held = Vec::with_capacity(IDLE);
    for id in 0..IDLE {
        match Client::connect(&server.at, id, timeout)
            .and_then(|mut c| c.ask().map(|()| c))
        {
            Ok(client) => held.push(client),
            Err(failure) => failures.add(failure),
        }
    }
    let newcomer =
        Client::connect(&server.at, IDLE, timeout).and_then(|mut c| c.ask());
    if let Err(failure) = newcomer {
        failures.add(failure);
    }
    let rss = support::current_rss(server.pid()).unwrap_or(0);
    let peak = support::peak_rss(server.pid()).unwrap_or(0);
    for client in &mut held {
        if let Err(failure) = client.ask() {
            failures.add(failure);
        }
    }
    Idle {
        failures,
        rss,
        peak,
    }
}

fn idle_rows(table: &mut Table) {
    let what = "1,000 idle connections";
    if let Err(why) = enough_file_descriptors() {
        return table.skip(what, &why);
    }
    // Fresh servers: their memory is that of this test alone.
    let (ours, floor) = match (start_echo_server(), start_floor()) {
        (Ok(ours), Ok(floor)) => (hold_idle(&ours), hold_idle(&floor)),
        (Err(why), _) | (_, Err(why)) => return table.skip(what, &why),
    };
    eprintln!(
        "idle: echo-server failures {}, RSS {} KiB (peak {} KiB); floor failures {}, RSS {} KiB (peak {} KiB)",
        ours.failures,
        ours.rss / 1024,
        ours.peak / 1024,
        floor.failures,
        floor.rss / 1024,
        floor.peak / 1024
    );
    table.figure(
        "1,000 idle connections held, then a new client answered: echo-server failures",
        Figure::new(ours.failures.total() as f64, "failed"),
        Target::AtMost(0.0),
    );
    let limit = Target::AtMost(RSS_LIMIT_MIB);
    let rss = |bytes| Figure::mib(bytes);
    table.compare(
        "RSS holding 1,000 idle connections: echo-server vs floor",
        rss(ours.rss),
        "floor",
        rss(floor.rss),
        limit,
    );
    table.compare(
        "peak RSS (VmHWM) over that test: echo-server vs floor",
        rss(ours.peak),
        "floor",
        rss(floor.peak),
        limit,
    );
    match start_python() {
        Ok(python) => {
            let theirs = hold_idle(&python);
            eprintln!(
                "idle: inet_08 failures {}, RSS {} KiB",
                theirs.failures,
                theirs.rss / 1024
            );
            table.figure(
                "RSS holding 1,000 idle connections: inet_08",
                rss(theirs.rss),
                Target::None,
            );
        }
        Err(why) => {
            table.skip("RSS holding 1,000 idle connections: inet_08", &why)
        }
    }
}

// ---------------------------------------------------------------------
// The floor

/// The floor server: a thread per connection, a buffered line reader,
/// `Thread-N: LINE IN UPPER CASE\n` per line, an empty line ends the
/// session. Nothing else: no log, no limits, no deadline per line.
mod floor {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread;
    use std::time::Duration;

    // ANCHOR: floor_server
    pub fn serve() {
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(listener) => listener,
            Err(e) => return println!("floor: cannot listen: {e}"),
        };
        match listener.local_addr() {
            Ok(addr) => println!("{addr}"),
            Err(e) => return println!("floor: no address: {e}"),
        }
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let name = format!("Thread-{}", n + 1);
            let _ =
                thread::Builder::new().spawn(move || answer(&stream, &name));
        }
    }

    fn answer(stream: &TcpStream, name: &str) -> std::io::Result<()> {
        // Set once per connection, so that no client holds a thread forever.
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        let mut lines = BufReader::new(stream);
        let mut out = stream;
        let (mut line, mut reply) = (Vec::new(), Vec::new());
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            let text = line.trim_ascii();
            if text.is_empty() {
                return Ok(());
            }
            reply.clear();
            reply.extend_from_slice(name.as_bytes());
            reply.extend_from_slice(b": ");
            reply.extend(text.iter().map(u8::to_ascii_uppercase));
            reply.push(b'\n');
            out.write_all(&reply)?;
        }
    }
    // ANCHOR_END: floor_server
}
