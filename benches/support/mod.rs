//! What every benchmark in `benches/` shares: the one table each prints,
//! finding the reference tools, running them (bounded in time, killed on
//! every path), a scratch directory, and reading a process's memory.
//!
//! Every figure is printed beside a reference measured in the same run,
//! and judged by the ratio of the two: these machines are shared and
//! noisy, so an absolute time measured today says little tomorrow, while
//! "ours did 0.93x what the floor did, a second ago, on this machine"
//! carries over (lessons/07-measuring.md). Better still, many such
//! pairs: [`Table::compare_pairs`] judges the median of their ratios.
#![allow(dead_code)] // Each bench uses its own part of this module.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A measured quantity with its unit, e.g. `Figure::new(41_250.0, "round trips/s")`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub unit: &'static str,
}

impl Figure {
    pub fn new(value: f64, unit: &'static str) -> Figure {
        Figure { value, unit }
    }

    /// Events per second over `elapsed`.
    pub fn rate(count: u64, elapsed: Duration, unit: &'static str) -> Figure {
        Figure::new(count as f64 / elapsed.as_secs_f64().max(1e-9), unit)
    }

    /// A size in bytes, shown in MiB.
    pub fn mib(bytes: u64) -> Figure {
        Figure::new(bytes as f64 / (1024.0 * 1024.0), "MiB")
    }

    /// A duration, shown in milliseconds.
    pub fn millis(d: Duration) -> Figure {
        Figure::new(d.as_secs_f64() * 1e3, "ms")
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.value;
        if v >= 100.0 || v == v.trunc() {
            write!(f, "{v:.0} {}", self.unit)
        } else if v >= 1.0 {
            write!(f, "{v:.2} {}", self.unit)
        } else {
            write!(f, "{v:.3} {}", self.unit)
        }
    }
}

/// What a row must show to pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// No target: the row is there to be read (a latency beside a rate).
    None,
    /// ours / reference must be at least this (higher is better).
    RatioAtLeast(f64),
    /// ours must be at most this value, in ours' unit (memory, wall time, failures).
    AtMost(f64),
}

#[derive(Debug, Clone)]
enum Outcome {
    Measured {
        ours: Figure,
        reference: Option<(String, Figure)>,
        /// (ours, reference) of each pair of runs taken back to back;
        /// one pair for a row of two single figures.
        pairs: Vec<(f64, f64)>,
        target: Target,
    },
    Skipped(String),
}

#[derive(Debug, Clone)]
struct Row {
    what: String,
    outcome: Outcome,
}

/// The one table a benchmark prints: one row per measurement.
#[derive(Debug, Clone)]
pub struct Table {
    title: String,
    rows: Vec<Row>,
}

impl Table {
    pub fn new(title: &str) -> Table {
        Table {
            title: title.to_string(),
            rows: Vec::new(),
        }
    }

    /// A row comparing ours with a reference measured in the same run.
    pub fn compare(
        &mut self,
        what: &str,
        ours: Figure,
        reference_name: &str,
        reference: Figure,
        target: Target,
    ) {
        self.push(
            what,
            Outcome::Measured {
                ours,
                reference: Some((reference_name.to_string(), reference)),
                pairs: vec![(ours.value, reference.value)],
                target,
            },
        );
    }

    /// A row comparing ours with a reference over pairs of runs, each
    /// pair taken back to back: `pairs` holds (ours, reference) in
    /// `unit`. The figures shown are each side's median; the ratio, the
    /// one the target judges, is the median of the pairs' ratios, shown
    /// with their spread. A slow moment of a shared machine lands on
    /// both runs of a pair and cancels in its ratio, or spoils one pair,
    /// which moves that median little; comparing two medians taken
    /// apart would let a slow moment land on one side only.
    pub fn compare_pairs(
        &mut self,
        what: &str,
        pairs: &[(f64, f64)],
        unit: &'static str,
        reference_name: &str,
        target: Target,
    ) {
        let side = |pick: fn(&(f64, f64)) -> f64| {
            Figure::new(
                median(&pairs.iter().map(pick).collect::<Vec<_>>()),
                unit,
            )
        };
        self.push(
            what,
            Outcome::Measured {
                ours: side(|p| p.0),
                reference: Some((reference_name.to_string(), side(|p| p.1))),
                pairs: pairs.to_vec(),
                target,
            },
        );
    }

    /// A row with no reference: an absolute limit (`Target::AtMost`) or a
    /// figure to read (`Target::None`).
    pub fn figure(&mut self, what: &str, ours: Figure, target: Target) {
        self.push(
            what,
            Outcome::Measured {
                ours,
                reference: None,
                pairs: Vec::new(),
                target,
            },
        );
    }

    /// A row that could not be measured, with the reason (a missing tool
    /// and how to install it, say). A skipped row fails nothing.
    pub fn skip(&mut self, what: &str, reason: &str) {
        self.push(what, Outcome::Skipped(reason.to_string()));
    }

    fn push(&mut self, what: &str, outcome: Outcome) {
        self.rows.push(Row {
            what: what.to_string(),
            outcome,
        });
    }

    /// True when every measured row with a target met it.
    fn all_met(&self) -> bool {
        self.rows.iter().all(|row| verdict(row) != Some(false))
    }

    /// The table as Markdown, ready for a lesson or a closing note.
    fn render(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        out.push_str(
            "| measurement | ours | reference | ratio | target | met |\n",
        );
        out.push_str("|---|---|---|---|---|---|\n");
        for row in &self.rows {
            let cells = match &row.outcome {
                Outcome::Skipped(reason) => [
                    format!("skipped: {reason}"),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                ],
                Outcome::Measured {
                    ours,
                    reference,
                    pairs,
                    target,
                } => [
                    ours.to_string(),
                    reference.as_ref().map_or("—".into(), |(name, f)| {
                        format!("{name}: {f}")
                    }),
                    ratio_text(pairs),
                    target_text(*target, ours.unit),
                    match verdict(row) {
                        Some(true) => "yes".into(),
                        Some(false) => "**NO**".into(),
                        None => "".into(),
                    },
                ],
            };
            let _ = writeln!(out, "| {} | {} |", row.what, cells.join(" | "));
        }
        out
    }

    /// Prints the table on stdout, and returns whether every target was
    /// met (a miss also makes [`exit_status`] a failure).
    pub fn print(&self) -> bool {
        println!("\n{}", self.render());
        let met = self.all_met();
        if !met {
            MISSED.store(true, Ordering::Relaxed);
        }
        println!(
            "{}",
            if met {
                "every target met"
            } else {
                "a target was missed (rows marked NO)"
            }
        );
        met
    }
}

/// Set by [`Table::print`] when a target was missed.
static MISSED: AtomicBool = AtomicBool::new(false);

/// What a bench's `main` returns: failure when a printed table missed a
/// target, so `cargo bench --bench NAME` says so in its exit status too.
pub fn exit_status() -> ExitCode {
    if MISSED.load(Ordering::Relaxed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether `BENCH_QUICK` asks for short runs (set, and neither empty
/// nor `0`): for trying a change, not for figures to keep.
pub fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

// ANCHOR: ratio
/// The ratio of each pair, ours to the reference: above 1x is better
/// for us for a rate, below 1x for a time (a latency, CPU time).
pub fn ratios(pairs: &[(f64, f64)]) -> Vec<f64> {
    let ratio = |&(ours, reference): &(f64, f64)| ours / reference;
    pairs.iter().map(ratio).collect()
}

/// `0.97x` for one pair; for more, their median, how many, and the
/// spread: `0.97x (9 pairs: 0.85–1.10x)`.
fn ratio_text(pairs: &[(f64, f64)]) -> String {
    let ratios = ratios(pairs);
    let (min, max) =
        ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    match ratios.len() {
        0 => "—".into(),
        1 => format!("{:.2}x", ratios[0]),
        n => format!("{:.2}x ({n} pairs: {min:.2}–{max:.2}x)", median(&ratios)),
    }
}
// ANCHOR_END: ratio

fn target_text(target: Target, unit: &str) -> String {
    match target {
        Target::None => "—".into(),
        Target::RatioAtLeast(x) => format!("≥ {x}x"),
        Target::AtMost(x) => format!("≤ {x} {unit}"),
    }
}

// ANCHOR: verdict
/// `Some(true)` met, `Some(false)` missed, `None` nothing to judge. A
/// ratio target judges the median of the pairs' ratios.
fn verdict(row: &Row) -> Option<bool> {
    let Outcome::Measured {
        ours,
        pairs,
        target,
        ..
    } = &row.outcome
    else {
        return None;
    };
    let ratio = || (!pairs.is_empty()).then(|| median(&ratios(pairs)));
    match *target {
        Target::None => None,
        Target::AtMost(max) => Some(ours.value <= max),
        Target::RatioAtLeast(x) => ratio().map(|r| r >= x),
    }
}
// ANCHOR_END: verdict

/// Finds a reference tool on PATH (and in /usr/sbin, where Postfix and
/// dnsmasq put theirs), or says how to install it.
pub fn tool(name: &str, debian_package: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| format!("`{name}` not found; install it with `apt-get install {debian_package}`"))
}

/// A process's peak resident set size (VmHWM), in bytes, read from
/// /proc while it still runs (Linux only; `None` elsewhere).
pub fn peak_rss(pid: u32) -> Option<u64> {
    status_field(pid, "VmHWM:")
}

/// The CPU time a process has used so far, user and system, all its
/// threads: fields 14 and 15 of /proc/PID/stat (Linux only). Unlike a
/// rate, it hardly moves when other programs take the cores: it is what
/// the work cost, not how long it waited.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, field 2, may hold spaces: count after its ')'.
    let fields: Vec<&str> =
        stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()?
        + fields.get(12)?.parse::<u64>().ok()?;
    // In clock ticks of USER_HZ, which Linux fixes at 100 for /proc.
    Some(Duration::from_millis(ticks * 10))
}

/// A process's current resident set size (VmRSS), in bytes.
pub fn current_rss(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(
        Path::new("/proc").join(pid.to_string()).join("status"),
    )
    .ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

// ANCHOR: median_percentile
/// The median of some samples (runs of the same measurement): one slow
/// run on a shared machine moves it less than it moves the mean.
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The `p`-th percentile (0–100) of durations, nearest-rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
// ANCHOR_END: median_percentile

/// The pairs for [`Table::compare_pairs`]: (ours, reference) of one
/// figure, one pair per round in which both runs have it, in the rounds'
/// order. `rounds` yields each round's runs; `ours` and `reference` tell
/// each side's run among them (the first that fits), `figure` reads it.
pub fn round_pairs<'a, R: 'a>(
    rounds: impl IntoIterator<Item = &'a [R]>,
    ours: impl Fn(&R) -> bool,
    reference: impl Fn(&R) -> bool,
    figure: impl Fn(&R) -> Option<f64>,
) -> Vec<(f64, f64)> {
    rounds
        .into_iter()
        .filter_map(|round| {
            let of = |side: &dyn Fn(&R) -> bool| {
                round.iter().find(|&run| side(run)).and_then(&figure)
            };
            Some((of(&ours)?, of(&reference)?))
        })
        .collect()
}

/// A child process (a server, a reference tool) killed and reaped when
/// dropped: on every path out of a bench, early returns included.
pub struct Process(pub Child);

impl Process {
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for `child` (called `name` in an error) to end, calling
/// `watch(pid)` every `poll` while it runs (to read its memory, say);
/// kills it after `limit`.
pub fn wait_within(
    child: &mut Child,
    name: &str,
    limit: Duration,
    poll: Duration,
    mut watch: impl FnMut(u32),
) -> io::Result<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        watch(child.id());
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!(
                "{name} ran over {limit:?}; killed"
            )));
        }
        thread::sleep(poll);
    }
}

/// Runs `command` (no standard input; its output captured), killing it
/// after `limit`; returns its output and how long it ran. Both pipes are
/// drained on threads of their own, so a chatty child never blocks on a
/// full pipe while we wait; a 1 ms poll adds at most that to the time.
pub fn run_within(
    command: &mut Command,
    limit: Duration,
) -> io::Result<(Output, Duration)> {
    let program = command.get_program().to_string_lossy().into_owned();
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            io::Error::other(format!("cannot start {program}: {e}"))
        })?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let poll = Duration::from_millis(1);
    let status = wait_within(&mut child, &program, limit, poll, |_| {})?;
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    Ok((output, elapsed))
}

/// A directory of the bench's own, `inet-bench-NAME-PID`, in /dev/shm
/// (tmpfs: no disk takes part) or else the temporary directory; removed
/// with all it holds when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn create(name: &str) -> io::Result<Scratch> {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir =
            base.join(format!("inet-bench-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A loopback port nobody listens on (a moment ago: another program may
/// take it before the server we start does; that server then says so).
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Connects to `addr` every 10 ms until something accepts, for at most
/// `within`; returns the connection, with read and write timeouts of
/// `within`, for a caller that wants to read a greeting.
pub fn connect_when_ready(
    addr: SocketAddr,
    within: Duration,
) -> Result<TcpStream, String> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(stream) = TcpStream::connect_timeout(&addr, within) {
            let timeouts = stream
                .set_read_timeout(Some(within))
                .and_then(|()| stream.set_write_timeout(Some(within)));
            if timeouts.is_ok() {
                return Ok(stream);
            }
        }
        if Instant::now() > deadline {
            return Err(format!("nothing accepts on {addr} after {within:?}"));
        }
        // Not listening yet: the process is starting. Try again shortly.
        thread::sleep(Duration::from_millis(10));
    }
}
