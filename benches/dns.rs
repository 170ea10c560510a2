//! Benchmark: `dnsperf` against the mock DNS server and against
//! `dnsmasq` serving the same records, with the same queries.
//!
//! `cargo bench --bench dns` (`BENCH_QUICK=1` for one short run each).
//!
//! * The mock runs in-process (`inet_mocks::DnsMock` on 127.0.0.1), its
//!   question log bounded ([`LOG_LIMIT`]) so its memory stays flat.
//! * `dnsmasq` serves the same names from `--host-record`s, authoritative
//!   for `.test` and the two reverse zones (`--local`), with no upstream
//!   (`--no-resolv`), no hosts file, no config file, no query log: it
//!   never forwards anything off the machine.
//! * One query file for both: A, AAAA, PTR (IPv4 and IPv6) and names that
//!   do not exist (NXDOMAIN), mixed.
//! * The two servers take turns, run after run; the figure is each
//!   one's median queries per second, and the queries dnsperf lost (no
//!   answer within its timeout) are shown beside it.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use inet::blocking::is_timeout;
use inet_mocks::DnsMock;
use inet_mocks::dns::reverse_name;
use support::{Figure, Process, Scratch, Table, Target};

/// How many host names the zone has.
const HOSTS: u8 = 50;
/// The mock keeps the first this many questions and messages, no more.
const LOG_LIMIT: usize = 1_000;
/// dnsperf's clients (sockets) and queries in flight, the same for both.
const CLIENTS: &str = "4";
const OUTSTANDING: &str = "100";
/// How long `dnsmasq` may take to start answering.
const STARTUP: Duration = Duration::from_secs(5);
/// How long a dnsperf run may take beyond its `-l` seconds before it is
/// killed (it stops sending at `-l`, then waits `-t` for the answers).
const DNSPERF_GRACE: Duration = Duration::from_secs(30);

struct Load {
    seconds: u64,
    runs: usize,
}

fn load() -> Load {
    if support::quick() {
        Load {
            seconds: 2,
            runs: 1,
        }
    } else {
        Load {
            seconds: 8,
            runs: 3,
        }
    }
}

fn v4(i: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, i)
}

fn v6(i: u8) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, u16::from(i))
}

fn host(i: u8) -> String {
    format!("host{i}.test")
}

/// The query file: for each host, A, AAAA, both PTRs, and a name that
/// does not exist.
fn queries() -> String {
    let mut file = String::new();
    for i in 1..=HOSTS {
        let name = host(i);
        let _ = writeln!(file, "{name} A");
        let _ = writeln!(file, "{name} AAAA");
        let _ = writeln!(file, "{} PTR", reverse_name(v4(i).into()));
        let _ = writeln!(file, "{} PTR", reverse_name(v6(i).into()));
        let _ = writeln!(file, "missing{i}.test A");
    }
    file
}

fn main() -> ExitCode {
    let dnsperf = match support::tool("dnsperf", "dnsperf") {
        Ok(path) => path,
        Err(reason) => {
            let mut table =
                Table::new("dns: dnsperf against mock-dns and dnsmasq");
            table.skip("queries per second, mock-dns vs dnsmasq", &reason);
            table.print();
            return support::exit_status();
        }
    };
    let dnsmasq = support::tool("dnsmasq", "dnsmasq-base");
    if let Err(err) = run(&load(), &dnsperf, dnsmasq) {
        println!("dns bench failed: {err}");
        return ExitCode::FAILURE;
    }
    support::exit_status()
}

fn run(
    load: &Load,
    dnsperf: &Path,
    dnsmasq: Result<PathBuf, String>,
) -> io::Result<()> {
    let dir = Scratch::create("dns")?;
    let query_file = dir.path().join("queries.txt");
    let queries = queries();
    fs::write(&query_file, &queries)?;
    let mut builder = DnsMock::builder().log_limit(LOG_LIMIT);
    for i in 1..=HOSTS {
        builder = builder.record(&host(i), v4(i)).record(&host(i), v6(i));
    }
    let mock = builder.start()?;
    let reference = match &dnsmasq {
        Ok(path) => Ok(Dnsmasq::start(path, dir.path())?),
        Err(reason) => {
            println!("dnsmasq row skipped: {reason}");
            Err(reason.as_str())
        }
    };
    let perf = Dnsperf {
        path: dnsperf,
        query_file: &query_file,
        seconds: load.seconds,
    };
    println!(
        "dns: dnsperf -c {CLIENTS} -q {OUTSTANDING} -l {}, {} runs each, {} queries in the file",
        load.seconds,
        load.runs,
        queries.lines().count()
    );
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let rss = || support::current_rss(std::process::id()).unwrap_or(0);
    let rss_before = rss();
    for run in 1..=load.runs {
        let m = perf.run(mock.addr().port())?;
        println!("run {run}: mock-dns {m}");
        ours.push(m);
        if let Ok(reference) = &reference {
            let d = perf.run(reference.port)?;
            println!("run {run}: dnsmasq  {d}");
            theirs.push(d);
        }
    }
    // The mock runs in this process: its memory is ours.
    let growth = rss().saturating_sub(rss_before);
    let no_dnsmasq = reference.as_ref().err().copied();
    table(load, &ours, &theirs, no_dnsmasq, growth).print();
    Ok(())
}

fn table(
    load: &Load,
    ours: &[Perf],
    theirs: &[Perf],
    no_dnsmasq: Option<&str>,
    growth: u64,
) -> Table {
    let qps = |runs: &[Perf]| {
        let each: Vec<f64> = runs.iter().map(|p| p.qps).collect();
        Figure::new(support::median(&each), "queries/s")
    };
    let lost = |runs: &[Perf]| {
        let total: u64 = runs.iter().map(|p| p.lost).sum();
        Figure::new(total as f64, "lost")
    };
    let what = format!(
        "dnsperf, {} s per run, median of {} runs: mock-dns (in-process, \
         log bounded to {LOG_LIMIT}) vs dnsmasq",
        load.seconds, load.runs
    );
    let mut table = Table::new("dns: dnsperf against mock-dns and dnsmasq");
    if let Some(reason) = no_dnsmasq {
        table.skip(&what, reason);
        table.figure("mock-dns alone", qps(ours), Target::None);
    } else {
        table.compare(
            &what,
            qps(ours),
            "dnsmasq",
            qps(theirs),
            Target::RatioAtLeast(0.5),
        );
        table.figure(
            "queries lost, all runs: dnsmasq",
            lost(theirs),
            Target::None,
        );
    }
    table.figure("queries lost, all runs: mock-dns", lost(ours), Target::None);
    table.figure(
        "mock-dns memory growth over all its runs (RSS of this process; \
         its log is bounded, so: flat)",
        Figure::mib(growth),
        Target::None,
    );
    table
}

/// What one dnsperf run reported.
struct Perf {
    qps: f64,
    completed: u64,
    lost: u64,
    rcodes: String,
}

impl std::fmt::Display for Perf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} queries/s, {} completed, {} lost; {}",
            self.qps, self.completed, self.lost, self.rcodes
        )
    }
}

struct Dnsperf<'a> {
    path: &'a Path,
    query_file: &'a Path,
    seconds: u64,
}

impl Dnsperf<'_> {
    fn run(&self, port: u16) -> io::Result<Perf> {
        let mut command = Command::new(self.path);
        command
            .args(["-s", "127.0.0.1", "-p", &port.to_string()])
            .arg("-d")
            .arg(self.query_file)
            .args(["-l", &self.seconds.to_string()])
            .args(["-c", CLIENTS, "-q", OUTSTANDING, "-t", "2"]);
        let limit = Duration::from_secs(self.seconds) + DNSPERF_GRACE;
        let (output, _) = support::run_within(&mut command, limit)?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            return Err(io::Error::other(format!(
                "dnsperf failed: {err}{text}"
            )));
        }
        parse_dnsperf(&text).ok_or_else(|| {
            io::Error::other(format!("dnsperf said nothing we read:\n{text}"))
        })
    }
}

/// Reads `Queries per second:`, `Queries completed:`, `Queries lost:`
/// and `Response codes:` from dnsperf's summary.
fn parse_dnsperf(text: &str) -> Option<Perf> {
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(name))
            .map(str::trim)
    };
    fn first_number<T: std::str::FromStr>(value: &str) -> Option<T> {
        value.split_whitespace().next()?.parse().ok()
    }
    Some(Perf {
        qps: first_number(field("Queries per second:")?)?,
        completed: first_number(field("Queries completed:")?)?,
        lost: first_number(field("Queries lost:")?)?,
        rcodes: field("Response codes:").unwrap_or("").to_string(),
    })
}

/// A `dnsmasq` serving the bench's records on 127.0.0.1; killed on drop.
struct Dnsmasq {
    process: Process,
    port: u16,
}

impl Dnsmasq {
    fn start(path: &Path, dir: &Path) -> io::Result<Dnsmasq> {
        // A port free now (UDP; dnsmasq takes TCP on it too). Another
        // program could take it before dnsmasq does: then it fails to
        // start, and says so.
        let port = UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = dir.join("dnsmasq.log");
        let mut command = Command::new(path);
        command
            .args(["--no-daemon", "--conf-file=/dev/null", "--pid-file="])
            .arg(format!("--port={port}"))
            .args(["--listen-address=127.0.0.1", "--bind-interfaces"])
            .args(["--no-resolv", "--no-hosts", "--log-facility=-"])
            .args(["--local=/test/", "--local=/2.0.192.in-addr.arpa/"])
            .arg(format!("--local=/{}/", v6_reverse_zone()));
        for i in 1..=HOSTS {
            command.arg(format!(
                "--host-record={},{},{}",
                host(i),
                v4(i),
                v6(i)
            ));
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log)?)
            .spawn()?;
        let mut dnsmasq = Dnsmasq {
            process: Process(child),
            port,
        };
        dnsmasq.wait_until_answering().map_err(|err| {
            let said = fs::read_to_string(&log).unwrap_or_default();
            io::Error::other(format!("dnsmasq did not start: {err}\n{said}"))
        })?;
        Ok(dnsmasq)
    }

    /// Asks `host1.test A` until an answer comes (each wait bounded by a
    /// socket timeout), or dnsmasq exits, or [`STARTUP`] runs out.
    fn wait_until_answering(&mut self) -> io::Result<()> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let mut query = vec![0xbe, 0x01, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        query.extend_from_slice(b"\x05host1\x04test\x00\x00\x01\x00\x01");
        let deadline = Instant::now() + STARTUP;
        let mut reply = [0; 512];
        while Instant::now() < deadline {
            if let Some(status) = self.process.0.try_wait()? {
                return Err(io::Error::other(format!("it exited: {status}")));
            }
            socket.send_to(&query, ("127.0.0.1", self.port))?;
            match socket.recv(&mut reply) {
                Ok(n) if n >= 2 && reply[..2] == query[..2] => return Ok(()),
                // A timeout: ask again at once. Refused (not listening
                // yet): ask again a little later, not in a busy loop.
                Ok(_) => {}
                Err(err) if is_timeout(&err) => {}
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
        Err(io::Error::other("no answer in time"))
    }
}

/// `8.b.d.0.1.0.0.2.ip6.arpa`: the reverse zone of 2001:db8::/32.
fn v6_reverse_zone() -> String {
    let full = reverse_name(v6(1).into());
    // 32 nibbles of 2 bytes each, then `ip6.arpa`: keep the last 8.
    full[(32 - 8) * 2..].to_string()
}
