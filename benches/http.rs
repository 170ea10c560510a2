//! Benchmark: `webget` beside `curl` and beside the floor, each
//! downloading the same 1 GiB body from one loopback server into tmpfs.
//!
//! `cargo bench --bench http` (`BENCH_QUICK=1` for 64 MiB and fewer runs).
//!
//! * The server is the in-process mock (`inet_mocks::HttpMock`, its
//!   generated `Reply::pattern` body, transcripts off so its memory stays
//!   flat). A second, bare server written here (one `write` of a 1 MiB
//!   block after another) is downloaded from by the floor too: if the
//!   floor got much more from it than from the mock, the mock would be
//!   what limits every figure, and the table would say so.
//! * The floor is the least a client can do: connect, send the request,
//!   copy the socket into a file through one 64 KiB buffer, nothing else.
//! * Files go to `/dev/shm` (tmpfs), so no disk takes part; each file's
//!   size is checked, then the file removed.
//! * The three clients take turns, run after run, and the figure is the
//!   median run: a slow moment of this shared machine hits all three
//!   alike, and one slow run does not move a median.
//! * `webget`'s peak RSS (VmHWM) is read from /proc while it runs.
//! * `WEBGET_BEFORE=/path/to/an/older/webget` adds that binary to the
//!   turns, and a row comparing the two: a design change's before and
//!   after, measured in the same run.

mod support;

use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use inet_mocks::HttpMock;
use inet_mocks::http::Reply;
use support::{Figure, Scratch, Table, Target};

const MIB: u64 = 1024 * 1024;
/// The floor's buffer, and the size of its reads and writes.
const FLOOR_BUFFER: usize = 64 * 1024;
/// Every socket and every child gets at most this long.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How often `webget`'s memory is read while it runs.
const RSS_POLL: Duration = Duration::from_millis(5);

/// How much each run downloads, and how many runs per client.
struct Load {
    body: u64,
    runs: usize,
}

fn load() -> Load {
    if support::quick() {
        Load {
            body: 64 * MIB,
            runs: 3,
        }
    } else {
        Load {
            body: 1024 * MIB,
            runs: 7,
        }
    }
}

fn main() -> ExitCode {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        let mut table = Table::new("http: webget, curl and the floor");
        let reason = "/dev/shm (tmpfs) is missing: a download to disk would \
                      measure the disk";
        table.skip("every row", reason);
        table.print();
        return support::exit_status();
    }
    let load = load();
    // In /dev/shm, which is there (checked above).
    let outcome = Scratch::create("http").and_then(|w| run(&load, w.path()));
    if let Err(err) = outcome {
        println!("http bench failed: {err}");
        return ExitCode::FAILURE;
    }
    support::exit_status()
}

fn run(load: &Load, work: &Path) -> io::Result<()> {
    let mock = HttpMock::new()
        .route("/", Reply::new(200, "OK").pattern(load.body))
        .without_transcripts()
        .start()?;
    let bare = bare_server(load.body)?;
    let mock_addr = mock.addr();
    let mock_head = head_len(mock_addr)?;
    let curl = support::tool("curl", "curl");
    let before = std::env::var_os("WEBGET_BEFORE").map(PathBuf::from);
    let ours = Path::new(env!("CARGO_BIN_EXE_webget"));
    println!(
        "http: {} MiB per download, {} runs each, from 127.0.0.1 into {}",
        load.body / MIB,
        load.runs,
        work.display()
    );
    let mut clients = vec![Client::Webget, Client::Floor, Client::FloorBare];
    if curl.is_ok() {
        clients.insert(1, Client::Curl);
    }
    if before.is_some() {
        clients.insert(1, Client::Before);
    }
    let mut rates = Rates::default();
    let mut peak = 0;
    for run in 1..=load.runs {
        // Each run starts with the next client: none always follows
        // another, so none always meets what that one leaves behind.
        clients.rotate_left(1);
        for client in &clients {
            let expected = mock_head + load.body;
            let rate = match client {
                Client::Webget => {
                    let (rate, rss) = webget(ours, mock_addr, work, expected)?;
                    peak = peak.max(rss);
                    rate
                }
                Client::Before => {
                    let before = before.as_deref().unwrap_or(ours);
                    webget(before, mock_addr, work, expected)?.0
                }
                Client::Curl => match &curl {
                    Ok(curl) => curl_get(curl, mock_addr, work, load.body)?,
                    Err(_) => continue,
                },
                Client::Floor => floor(mock_addr, work, expected)?,
                Client::FloorBare => {
                    floor(bare.addr, work, bare.head + load.body)?
                }
            };
            rates.of(*client).push(rate);
        }
        let last = |runs: &[f64]| {
            runs.last().map_or("-".into(), |r| format!("{r:.0}"))
        };
        println!(
            "run {run}: webget {}, curl {}, floor {}, floor from the bare \
             server {} MiB/s; webget peak RSS so far {:.1} MiB",
            last(&rates.webget),
            last(&rates.curl),
            last(&rates.floor),
            last(&rates.floor_bare),
            peak as f64 / MIB as f64,
        );
    }
    let table = rates.table(load, peak, curl.as_ref().err());
    table.print();
    Ok(())
}

/// The clients that take turns: webget, the webget of $WEBGET_BEFORE,
/// curl, the floor, and the floor downloading from the bare server.
#[derive(Debug, Clone, Copy)]
enum Client {
    Webget,
    Before,
    Curl,
    Floor,
    FloorBare,
}

/// Each client's MiB/s, one per run.
#[derive(Default)]
struct Rates {
    webget: Vec<f64>,
    curl: Vec<f64>,
    floor: Vec<f64>,
    floor_bare: Vec<f64>,
    before: Vec<f64>,
}

impl Rates {
    fn of(&mut self, client: Client) -> &mut Vec<f64> {
        match client {
            Client::Webget => &mut self.webget,
            Client::Before => &mut self.before,
            Client::Curl => &mut self.curl,
            Client::Floor => &mut self.floor,
            Client::FloorBare => &mut self.floor_bare,
        }
    }

    fn table(&self, load: &Load, peak: u64, no_curl: Option<&String>) -> Table {
        let mbs = |runs: &[f64]| Figure::new(support::median(runs), "MiB/s");
        let what = format!(
            "download {} MiB from mock-http (in-process, no transcripts) \
             into /dev/shm, median of {} runs",
            load.body / MIB,
            load.runs
        );
        let webget = mbs(&self.webget);
        let mut table = Table::new("http: webget, curl and the floor");
        match no_curl {
            Some(reason) => {
                table.skip(&format!("{what}: webget vs curl"), reason)
            }
            None => table.compare(
                &format!("{what}: webget vs curl -s -o"),
                webget,
                "curl",
                mbs(&self.curl),
                Target::RatioAtLeast(1.0),
            ),
        }
        table.compare(
            &format!("{what}: webget vs the floor (64 KiB read/write loop)"),
            webget,
            "floor",
            mbs(&self.floor),
            Target::RatioAtLeast(0.8),
        );
        table.compare(
            "the floor downloading from mock-http vs from a bare server \
             (is the mock the limit? near 1.0x: no)",
            mbs(&self.floor),
            "bare server",
            mbs(&self.floor_bare),
            Target::None,
        );
        if !self.before.is_empty() {
            table.compare(
                &format!("{what}: webget vs the webget of $WEBGET_BEFORE"),
                webget,
                "before",
                mbs(&self.before),
                Target::None,
            );
        }
        table.figure(
            "webget peak RSS (VmHWM, read while it runs)",
            Figure::mib(peak),
            Target::AtMost(16.0),
        );
        table
    }
}

/// MiB per second for `bytes` in `elapsed`.
fn mib_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / MIB as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Runs `webget` once; returns its MiB/s and its peak RSS in bytes.
fn webget(
    program: &Path,
    addr: SocketAddr,
    work: &Path,
    expected: u64,
) -> io::Result<(f64, u64)> {
    let dir = work.join("webget");
    fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let child = Command::new(program)
        .arg("--timeout")
        .arg("20")
        .arg("--out-dir")
        .arg(&dir)
        .arg(format!("127.0.0.1:{}", addr.port()))
        .stdout(Stdio::null())
        .spawn()?;
    let (status, peak) = wait_watching_memory(child)?;
    let elapsed = started.elapsed();
    check("webget", status)?;
    let file = dir.join(format!("127.0.0.1_{}.html", addr.port()));
    check_and_remove(&file, expected)?;
    Ok((mib_per_s(expected, elapsed), peak))
}

/// Runs `curl -s -o FILE` once; returns its MiB/s.
fn curl_get(
    curl: &Path,
    addr: SocketAddr,
    work: &Path,
    expected: u64,
) -> io::Result<f64> {
    let file = work.join("curl.out");
    let started = Instant::now();
    let child = Command::new(curl)
        .arg("-q") // first: ignore any ~/.curlrc
        .args(["-s", "--noproxy", "*", "--max-time", "60", "-o"])
        .arg(&file)
        .arg(format!("http://{addr}/"))
        .spawn()?;
    let (status, _) = wait_watching_memory(child)?;
    let elapsed = started.elapsed();
    check("curl", status)?;
    check_and_remove(&file, expected)?;
    Ok(mib_per_s(expected, elapsed))
}

/// Waits for `child`, reading its peak RSS every [`RSS_POLL`]; kills it
/// after [`TIMEOUT`]. The peak is the last one read before it exited:
/// VmHWM only grows, and a process's buffers are allocated early.
fn wait_watching_memory(mut child: Child) -> io::Result<(ExitStatus, u64)> {
    let mut peak = 0;
    let status = support::wait_within(
        &mut child,
        "a client",
        TIMEOUT,
        RSS_POLL,
        |pid| {
            if let Some(rss) = support::peak_rss(pid) {
                peak = peak.max(rss);
            }
        },
    )?;
    Ok((status, peak))
}

fn check(what: &str, status: ExitStatus) -> io::Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{what} failed: {status}")))
    }
}

/// Checks a downloaded file's size, then removes it.
fn check_and_remove(file: &Path, expected: u64) -> io::Result<()> {
    let len = fs::metadata(file)?.len();
    fs::remove_file(file)?;
    if len == expected {
        Ok(())
    } else {
        let file = file.display();
        let msg = format!("{file}: {len} bytes, expected {expected}");
        Err(io::Error::other(msg))
    }
}

// ANCHOR: copy_floor
/// The floor: connect, send the request, copy the socket into a file
/// through one 64 KiB buffer until the server closes. Returns MiB/s.
fn floor(addr: SocketAddr, work: &Path, expected: u64) -> io::Result<f64> {
    let path = work.join("floor.out");
    let started = Instant::now();
    let mut socket = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    socket.set_read_timeout(Some(TIMEOUT))?;
    socket.set_write_timeout(Some(TIMEOUT))?;
    socket.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut file = fs::File::create(&path)?;
    let mut buf = vec![0; FLOOR_BUFFER];
    loop {
        let n = socket.read(&mut buf)?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n])?;
    }
    drop(file);
    let elapsed = started.elapsed();
    check_and_remove(&path, expected)?;
    Ok(mib_per_s(expected, elapsed))
}
// ANCHOR_END: copy_floor

/// The length of mock-http's response head, asked with `HEAD /`.
fn head_len(addr: SocketAddr) -> io::Result<u64> {
    let mut socket = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    socket.set_read_timeout(Some(TIMEOUT))?;
    socket.write_all(b"HEAD / HTTP/1.0\r\n\r\n")?;
    let mut head = Vec::new();
    socket.take(64 * 1024).read_to_end(&mut head)?;
    Ok(head.len() as u64)
}

/// A server that does nothing but send: a head, then `body` bytes in
/// 1 MiB writes, to anyone who connects (on its own thread, for as long
/// as the bench runs).
struct Bare {
    addr: SocketAddr,
    head: u64,
}

fn bare_server(body: u64) -> io::Result<Bare> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let head = format!("HTTP/1.0 200 OK\r\nContent-Length: {body}\r\n\r\n");
    let head_len = head.len() as u64;
    thread::spawn(move || {
        let block: Vec<u8> = inet_mocks::http::pattern(MIB);
        for stream in listener.incoming().flatten() {
            let _ = bare_send(stream, head.as_bytes(), &block, body);
        }
    });
    Ok(Bare {
        addr,
        head: head_len,
    })
}

fn bare_send(
    mut stream: TcpStream,
    head: &[u8],
    block: &[u8],
    body: u64,
) -> io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    // The request: read until its empty line (or 64 KiB, or EOF).
    let mut request = Vec::new();
    let mut buf = [0; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n")
        && request.len() < 65_536
    {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    stream.write_all(head)?;
    let mut left = body;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        stream.write_all(&block[..n])?;
        left -= n as u64;
    }
    Ok(())
}
