//! The stage on which a lesson's transcript is played: a scratch directory
//! as the current directory, the programs on `PATH` (this package's, and
//! the mock servers of `inet-mocks`), a shell that runs each command as the
//! reader types it, and the masks that make its output the same on every
//! run and every machine.
//!
//! A scene shows the port its lesson chose (`mock-smtp --port 2526`), but
//! runs its server on a free port (`--port 0`) and reads the real one from
//! the server's first line (`listening on 127.0.0.1:PORT`, or a minimal
//! port's `... sur le port PORT`), so that scenes run in parallel with each
//! other and with every other test. Wherever the
//! scene writes the lesson's port (a command, a file), the real one is
//! used; wherever the real one is printed, the lesson's is shown. The
//! scratch directory is shown as `.`, and `$ORIGINALS` stays `$ORIGINALS`.
//!
//! A command shows `cargo run` as the reader types it in a clone, but the
//! scratch directory is no clone: `cargo run -- ARGS` runs the tour, `tour
//! ARGS`, and `cargo run -q --example NAME -- ARGS` (or `--bin NAME`) runs
//! that program, built beforehand and on `PATH`.
//!
//! Commands run with `sh -c`, their standard output and error through one
//! pipe, as a terminal shows them; trailing white space is dropped from
//! every line. Each command and server has a deadline; servers are
//! killed when the scene ends.
// Each scene uses a part of this.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use std::{env, fs, io, thread};

/// The longest a command may run, or a server take to say a line.
const DEADLINE: Duration = Duration::from_secs(20);

/// Why a scene stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// It needs what this machine lacks: its transcript is not checked.
    Skip(String),
    /// Something went wrong: the transcript cannot be produced.
    Fail(String),
}

fn fail(why: impl Into<String>) -> Stop {
    Stop::Fail(why.into())
}

/// A scene: a function that plays the commands of one transcript.
pub type Play = fn(&mut Scene) -> Result<(), Stop>;

/// Plays `scene` on a fresh stage and returns what it showed.
pub fn play(scene: Play) -> Result<String, Stop> {
    let mut stage = Scene::new()?;
    scene(&mut stage)?;
    Ok(stage.text)
}

/// A stage: see the module's documentation.
pub struct Scene {
    dir: tempfile::TempDir,
    /// `PATH`, with the programs first.
    path: OsString,
    /// (shown, real) ports.
    ports: Vec<(String, String)>,
    /// (real, shown) texts, masked in every output.
    masks: Vec<(String, String)>,
    /// (before, shown, part): the run of characters that are `part`
    /// after `before` (a number, hex digits) is shown as `shown`.
    run_masks: Vec<RunMask>,
    /// Masks of a scene's own, applied after the others.
    mask_fns: Vec<fn(&str) -> String>,
    /// (text, shown port): the number printed right after the text is a
    /// port, shown as the lesson's.
    learned: Vec<(String, u16)>,
    /// (shown, real) texts of the commands: what the reader types, and
    /// what the scene runs instead.
    aliases: Vec<(String, String)>,
    /// Extra environment of every command.
    env: Vec<(String, String)>,
    /// Steps are played but not shown while this is set.
    quiet: bool,
    servers: Vec<Server>,
    text: String,
}

/// A server in the background, its output lines on a channel.
struct Server {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// A command started in the background, its whole output on a channel.
pub struct Job {
    child: Child,
    output: Receiver<io::Result<Vec<u8>>>,
    command: String,
    /// Waited for: its process group is no longer ours to kill.
    ended: bool,
}

impl Drop for Job {
    fn drop(&mut self) {
        if !self.ended {
            kill_group(&mut self.child);
        }
    }
}

impl Scene {
    fn new() -> Result<Scene, Stop> {
        let programs = programs()?;
        let dir = tempfile::tempdir()
            .map_err(|e| fail(format!("no scratch dir: {e}")))?;
        let mut path = programs.as_os_str().to_os_string();
        path.push(":");
        path.push(programs.join("examples"));
        if let Some(old) = env::var_os("PATH") {
            path.push(":");
            path.push(old);
        }
        let mut masks = Vec::new();
        for real in [
            dir.path().to_path_buf(),
            dir.path().canonicalize().unwrap_or_default(),
        ] {
            masks.push((real.display().to_string(), ".".to_string()));
        }
        if let Some(originals) = env::var_os("ORIGINALS") {
            let originals = originals.to_string_lossy().into_owned();
            masks.push((originals, "$ORIGINALS".to_string()));
        }
        Ok(Scene {
            dir,
            path,
            ports: Vec::new(),
            masks,
            run_masks: Vec::new(),
            mask_fns: Vec::new(),
            learned: Vec::new(),
            aliases: Vec::new(),
            env: Vec::new(),
            quiet: false,
            servers: Vec::new(),
            text: String::new(),
        })
    }

    /// Plays `steps` without showing them: what the reader did earlier in
    /// the lesson, or in another terminal.
    pub fn quietly<T>(
        &mut self,
        steps: impl FnOnce(&mut Scene) -> Result<T, Stop>,
    ) -> Result<T, Stop> {
        let was = std::mem::replace(&mut self.quiet, true);
        let result = steps(self);
        self.quiet = was;
        result
    }

    /// Writes `text` to the file `name` in the scratch directory, with the
    /// real ports in place of the lesson's. Shows nothing.
    pub fn file(&mut self, name: &str, text: &str) -> Result<(), Stop> {
        let path = self.dir.path().join(name);
        let parent = path.parent().unwrap_or(self.dir.path());
        let written = fs::create_dir_all(parent)
            .and_then(|()| fs::write(&path, self.real(text)));
        written.map_err(|e| fail(format!("cannot write {name}: {e}")))
    }

    /// Shows `text` as it is (a line the reader types into a program, say).
    pub fn say(&mut self, text: &str) {
        if !self.quiet {
            self.text.push_str(text);
        }
    }

    /// Masks `real` as `shown` in every output from now on.
    pub fn mask(&mut self, real: &str, shown: &str) {
        self.masks.push((real.to_string(), shown.to_string()));
    }

    /// Shows every number that follows `before` as `shown`, in every
    /// output from now on: a port the system picked for a program that
    /// does not take one (the tour's servers), a queue id.
    pub fn mask_number_after(&mut self, before: &str, shown: &str) {
        self.mask_run_after(before, shown, char::is_ascii_digit);
    }

    /// Shows every run of hex digits that follows `before` as `shown`, in
    /// every output from now on: the random part of a name (a temporary
    /// file's, `.page.html.3f9c0a17b2d4e681.tmp`).
    pub fn mask_hex_after(&mut self, before: &str, shown: &str) {
        self.mask_run_after(before, shown, char::is_ascii_hexdigit);
    }

    /// Shows every run of characters that are `part` after `before` as
    /// `shown`, in every output from now on.
    pub fn mask_run_after(
        &mut self,
        before: &str,
        shown: &str,
        part: fn(&char) -> bool,
    ) {
        let (before, shown) = (before.to_string(), shown.to_string());
        self.run_masks.push((before, shown, part));
    }

    /// Passes every output from now on through `mask`, after the other
    /// masks: for what changes from run to run in a shape of its own (a
    /// DNS ID in hex, a different port for each query).
    pub fn mask_with(&mut self, mask: fn(&str) -> String) {
        self.mask_fns.push(mask);
    }

    /// The scene needs `program` on `PATH` (a tool the lesson installs,
    /// such as `socat`); without it, it is skipped.
    pub fn needs(&mut self, program: &str) -> Result<(), Stop> {
        let mut found = self.shell(&format!("command -v {program}"));
        found.stdout(Stdio::null()).stderr(Stdio::null());
        match found.status() {
            Ok(status) if status.success() => Ok(()),
            _ => Err(Stop::Skip(format!("needs {program}, not on PATH"))),
        }
    }

    /// Starts a server in the background, shown as `$ COMMAND` and its first
    /// line. `port` is the port the lesson shows in `command`: the server
    /// runs on port 0 instead, and must say which port it got first
    /// (`listening on HOST:PORT`, or `... port PORT`: see [`bound_port`]).
    pub fn server(&mut self, command: &str, port: u16) -> Result<(), Stop> {
        let real = replace_number(&self.real(command), &port.to_string(), "0");
        let first = self.start_server(&uncargo(&real), command)?;
        let Some(bound) = bound_port(&first) else {
            return Err(fail(format!(
                "`{command}` said {first:?}, not `listening on` or `port`"
            )));
        };
        self.ports.push((port.to_string(), bound.to_string()));
        self.say(&format!("$ {command}\n"));
        let first = self.shown(&first);
        self.say(&first);
        Ok(())
    }

    /// Starts a server as [`server`](Self::server) does, for a server that
    /// can't tell which port the system gave it (an original, given port
    /// 0, says 0): the stage finds a free port for it instead, and shows it
    /// as `port`. Its first line may say anything.
    pub fn server_on_free_port(
        &mut self,
        command: &str,
        port: u16,
    ) -> Result<(), Stop> {
        self.free_port_shown_as(port)?;
        let first =
            self.start_server(&uncargo(&self.real(command)), command)?;
        self.say(&format!("$ {command}\n"));
        let first = self.shown(&first);
        self.say(&first);
        Ok(())
    }

    /// A port free now, for a server the scene starts on it, shown as
    /// `port` from now on.
    fn free_port_shown_as(&mut self, port: u16) -> Result<SocketAddr, Stop> {
        let free =
            TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr());
        let free = free.map_err(|e| fail(format!("no free port: {e}")))?;
        self.ports.push((port.to_string(), free.port().to_string()));
        Ok(free)
    }

    /// Sets `name` to `value` in the environment of every command from now
    /// on (`PYTHONUNBUFFERED`, so that an original's first line is not
    /// held back in a buffer).
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.push((name.to_string(), value.to_string()));
    }

    /// Runs a command typed as `shown` as `real` from now on: what the
    /// reader types as a normal user, the stage may have to run otherwise
    /// (`smtp-sink` as root needs `-u nobody`).
    pub fn alias(&mut self, shown: &str, real: &str) {
        self.aliases.push((shown.to_string(), real.to_string()));
    }

    /// Starts a server that prints nothing when it starts (`smtp-sink`),
    /// shown as `$ COMMAND`, on a free port shown as `port`; returns once
    /// the port takes connections (one probe connection, opened and
    /// closed).
    pub fn silent_server(
        &mut self,
        command: &str,
        port: u16,
    ) -> Result<(), Stop> {
        let free = self.free_port_shown_as(port)?;
        self.spawn_server(&uncargo(&self.real(command)), command)?;
        let start = Instant::now();
        while TcpStream::connect_timeout(&free, DEADLINE).is_err() {
            if start.elapsed() > DEADLINE {
                return Err(fail(format!("`{command}` never listened")));
            }
            // Polled: the server says nothing when it is ready.
            thread::sleep(Duration::from_millis(20));
        }
        self.say(&format!("$ {command}\n"));
        Ok(())
    }

    /// Runs `real` in the background as the server `command`, and returns
    /// its first line.
    fn start_server(
        &mut self,
        real: &str,
        command: &str,
    ) -> Result<String, Stop> {
        self.spawn_server(real, command)?;
        let server = self.servers.last().ok_or_else(|| fail("no server"))?;
        server.lines.recv_timeout(DEADLINE).map_err(|_| {
            fail(format!("`{command}` printed no line within {DEADLINE:?}"))
        })
    }

    /// Runs `real` in the background as the server `command`.
    fn spawn_server(&mut self, real: &str, command: &str) -> Result<(), Stop> {
        let (reader, writer) = io::pipe().map_err(|e| fail(e.to_string()))?;
        let mut shell = self.shell(&format!("exec {real}"));
        shell.stdin(Stdio::null());
        let child = spawn(shell, writer, command)?;
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(reader).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        self.servers.push(Server { child, lines });
        Ok(())
    }

    /// Shows what the last server started printed since, up to and
    /// including the first line that contains `until`.
    pub fn server_lines(&mut self, until: &str) -> Result<(), Stop> {
        let server = self.servers.last().ok_or_else(|| fail("no server"))?;
        let mut seen = String::new();
        loop {
            let line = server.lines.recv_timeout(DEADLINE).map_err(|_| {
                fail(format!("no server line with {until:?} after:\n{seen}"))
            })?;
            seen.push_str(&line);
            seen.push('\n');
            if line.contains(until) {
                break;
            }
        }
        let seen = self.shown(&seen);
        self.say(&seen);
        Ok(())
    }

    /// Runs `command` with `sh -c` in the scratch directory and shows it,
    /// as `$ COMMAND`, and what it printed. Returns its exit status, which
    /// a transcript shows only if the command does (`; echo $?`).
    pub fn run(&mut self, command: &str) -> Result<Option<i32>, Stop> {
        let job = self.start(command)?;
        self.finish(job)
    }

    /// Starts `command` as [`run`](Self::run) does, but returns at once:
    /// a command the reader runs in another terminal while the scene goes
    /// on. [`finish`](Self::finish) waits for its end and shows it.
    pub fn start(&mut self, command: &str) -> Result<Job, Stop> {
        let (mut reader, writer) =
            io::pipe().map_err(|e| fail(e.to_string()))?;
        let mut shell = self.shell(&uncargo(&self.real(command)));
        shell.stdin(Stdio::null());
        let child = spawn(shell, writer, command)?;
        let (send, output) = mpsc::channel();
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = send.send(reader.read_to_end(&mut bytes).map(|_| bytes));
        });
        let command = command.to_string();
        Ok(Job {
            child,
            output,
            command,
            ended: false,
        })
    }

    /// Waits for `job` to end, within the deadline, and shows it as
    /// `$ COMMAND` and what it printed. Returns its exit status.
    pub fn finish(&mut self, mut job: Job) -> Result<Option<i32>, Stop> {
        let command = std::mem::take(&mut job.command);
        let Ok(Ok(bytes)) = job.output.recv_timeout(DEADLINE) else {
            return Err(fail(format!(
                "`{command}` did not end within {DEADLINE:?}"
            )));
        };
        let status = job.child.wait().map_err(|e| fail(e.to_string()))?;
        job.ended = true;
        let printed = self.shown(&String::from_utf8_lossy(&bytes));
        self.say(&format!("$ {command}\n{printed}"));
        Ok(status.code())
    }

    /// From now on, a number printed right after `text` is a port that a
    /// program picked (the tour's server, a client's own port): it is
    /// shown as `shown`, as the ports of [`server`](Self::server) are.
    pub fn port_after(&mut self, text: &str, shown: u16) {
        self.learned.push((text.to_string(), shown));
    }

    /// The scene needs Python 2.7 as `python2.7` and the chapter's
    /// originals in `$ORIGINALS`, as lessons/README.md sets them up;
    /// without them, it is skipped.
    pub fn needs_python(&mut self) -> Result<(), Stop> {
        let skip = |why: String| Stop::Skip(why);
        let originals = env::var_os("ORIGINALS").ok_or_else(|| {
            skip("needs the chapter's originals: ORIGINALS is not set".into())
        })?;
        if !Path::new(&originals).join("inet_01.py").is_file() {
            let shown = Path::new(&originals).display().to_string();
            return Err(skip(format!("no inet_01.py in ORIGINALS={shown}")));
        }
        if env::var_os("PYENV_VERSION").is_none() {
            self.env.push(("PYENV_VERSION".into(), "2.7.18".into()));
        }
        let mut version = self.shell("python2.7 -V");
        version.stdout(Stdio::null()).stderr(Stdio::null());
        match version.status() {
            Ok(status) if status.success() => Ok(()),
            _ => Err(skip("needs Python 2.7: `python2.7 -V` fails".into())),
        }
    }

    /// `sh -c COMMAND`, in the scratch directory, with the programs first
    /// on `PATH`, in a process group of its own (so a deadline kills all).
    fn shell(&self, command: &str) -> Command {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(command);
        shell.current_dir(self.dir.path()).env("PATH", &self.path);
        shell.envs(self.env.iter().map(|(k, v)| (k, v)));
        shell.process_group(0);
        shell
    }

    /// `text` with the real commands and ports in place of the lesson's.
    fn real(&self, text: &str) -> String {
        let alias = |text: String, (shown, real): &(String, String)| {
            text.replace(shown.as_str(), real)
        };
        let text = self.aliases.iter().fold(text.to_string(), alias);
        let swap = |text: String, (shown, real): &(String, String)| {
            replace_number(&text, shown, real)
        };
        self.ports.iter().fold(text, swap)
    }

    /// `text` with the lesson's ports in place of the real ones, masked,
    /// and without trailing white space.
    fn shown(&mut self, text: &str) -> String {
        for (after, shown) in &self.learned {
            for real in numbers_after(text, after) {
                if !self.ports.iter().any(|(_, known)| known == real) {
                    self.ports.push((shown.to_string(), real.to_string()));
                }
            }
        }
        let swap = |text: String, (shown, real): &(String, String)| {
            replace_number(&text, real, shown)
        };
        let text = self.ports.iter().fold(text.to_string(), swap);
        let mask = |text: String, (real, shown): &(String, String)| {
            text.replace(real.as_str(), shown)
        };
        let text = self.masks.iter().fold(text, mask);
        let run = |text: String, (before, shown, part): &RunMask| {
            replace_run_after(&text, before, shown, *part)
        };
        let text = self.run_masks.iter().fold(text, run);
        let text = self.mask_fns.iter().fold(text, |text, mask| mask(&text));
        let lines = text.lines().map(|line| format!("{}\n", line.trim_end()));
        lines.collect()
    }
}

/// Spawns `shell` with its standard output and error on `writer`.
fn spawn(
    mut shell: Command,
    writer: io::PipeWriter,
    command: &str,
) -> Result<Child, Stop> {
    let clone = writer.try_clone().map_err(|e| fail(e.to_string()))?;
    shell.stdout(clone).stderr(writer);
    // The pipe's write ends must close here, or the reader never sees
    // the end: `shell` holds them until it is dropped.
    let child = shell.spawn();
    drop(shell);
    child.map_err(|e| fail(format!("cannot run `{command}`: {e}")))
}

/// Kills a process group started with `process_group(0)`, and reaps it.
fn kill_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let killed = Command::new("kill").args(["-KILL", "--", &group]).status();
    if !killed.is_ok_and(|status| status.success()) {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// The numbers printed right after `after` in `text`.
fn numbers_after<'t>(text: &'t str, after: &str) -> Vec<&'t str> {
    let mut numbers = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(after) {
        rest = &rest[at + after.len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end > 0 {
            numbers.push(&rest[..end]);
        }
    }
    numbers
}

/// `text` with every whole number `from` (not part of a longer number)
/// replaced by `to`.
fn replace_number(text: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + from.len()..].chars().next();
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(match digit(before) || digit(after) {
            true => from,
            false => to,
        });
        rest = &rest[at + from.len()..];
    }
    out + rest
}

/// A mask of the run of characters after a text: (before, shown, part).
type RunMask = (String, String, fn(&char) -> bool);

/// `text` with the whole number that follows each `before` replaced by
/// `shown`.
#[cfg(test)]
fn replace_number_after(text: &str, before: &str, shown: &str) -> String {
    replace_run_after(text, before, shown, char::is_ascii_digit)
}

/// `text` with the run of characters that are `part` after each `before`
/// replaced by `shown`.
pub fn replace_run_after(
    text: &str,
    before: &str,
    shown: &str,
    part: fn(&char) -> bool,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(before) {
        let after = at + before.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        let run = rest.find(|c: char| !part(&c)).unwrap_or(rest.len());
        if run > 0 {
            out.push_str(shown);
            rest = &rest[run..];
        }
    }
    out + rest
}

/// The port a server's first line names: `listening on 127.0.0.1:PORT`,
/// or, from a minimal port in `examples/`, the number after `port `
/// (`Serveur d'echo a l'ecoute sur le port PORT`).
fn bound_port(line: &str) -> Option<&str> {
    let port = match line.split_once("listening on ") {
        Some((_, addr)) => addr.rsplit_once(':')?.1,
        None => {
            let after = line.rsplit_once("port ")?.1;
            let end = after.find(|c: char| !c.is_ascii_digit());
            &after[..end.unwrap_or(after.len())]
        }
    };
    port.parse::<u16>().is_ok().then_some(port)
}

/// `command` as the stage runs it: each `cargo run [-q] [--example NAME |
/// --bin NAME] [-- ARGS]` becomes `NAME ARGS`, or `tour ARGS` without a
/// name (the tour is the package's default program).
fn uncargo(command: &str) -> String {
    const CARGO_RUN: &str = "cargo run";
    let mut out = String::new();
    let mut rest = command;
    while let Some(at) = rest.find(CARGO_RUN) {
        out.push_str(&rest[..at]);
        rest = &rest[at + CARGO_RUN.len()..];
        let mut program = "tour";
        loop {
            let trimmed = rest.trim_start_matches(' ');
            let word = trimmed.split(' ').next().unwrap_or("");
            let after = &trimmed[word.len()..];
            match word {
                "-q" | "--quiet" => rest = after,
                "--example" | "--bin" => {
                    let after = after.trim_start_matches(' ');
                    program = after.split(' ').next().unwrap_or("");
                    rest = &after[program.len()..];
                }
                "--" => {
                    rest = after;
                    break;
                }
                _ => break,
            }
        }
        out.push_str(program);
    }
    out + rest
}

/// The directory of the programs, with the mock servers built in it
/// (see [`crate::common::built_programs`]).
fn programs() -> Result<PathBuf, Stop> {
    crate::common::built_programs()
        .map(Path::to_path_buf)
        .map_err(fail)
}

#[test]
fn cargo_run_becomes_the_program_it_runs() {
    let cases = [
        ("cargo run -- echo", "tour echo"),
        ("cargo run -q -- 5", "tour 5"),
        ("cargo run", "tour"),
        (
            "cargo run -q --example inet_08_echo_server -- 7051",
            "inet_08_echo_server 7051",
        ),
        (
            "printf 'a\\n' | cargo run -q --bin echo-client -- h 1 | cat",
            "printf 'a\\n' | echo-client h 1 | cat",
        ),
        ("echo-server 7051", "echo-server 7051"),
    ];
    for (shown, run) in cases {
        assert_eq!(uncargo(shown), run, "{shown}");
    }
}

#[test]
fn a_server_names_its_port_in_either_way() {
    let port = bound_port;
    assert_eq!(
        port("echo server listening on 127.0.0.1:41000"),
        Some("41000")
    );
    assert_eq!(
        port("Serveur d'echo a l'ecoute sur le port 41000"),
        Some("41000")
    );
    let generic =
        "Service tcp generique lance sur le port 41000. Arret par Ctrl-C";
    assert_eq!(port(generic), Some("41000"));
    assert_eq!(port("listening"), None);
    assert_eq!(port("port 99999"), None);
}

#[test]
fn a_number_after_a_text_is_masked() {
    let text = "$ echo-server 43575 (here)\n$ echo-client 127.0.0.1 43575";
    let masked = replace_number_after(text, "127.0.0.1 ", "PORT");
    let masked = replace_number_after(&masked, "echo-server ", "PORT");
    assert_eq!(
        masked,
        "$ echo-server PORT (here)\n$ echo-client 127.0.0.1 PORT"
    );
    assert_eq!(replace_number_after("a b", "a ", "N"), "a b");
    let temp = ".a.html.00ff3c9ab2d4e681.tmp";
    let masked =
        replace_run_after(temp, ".a.html.", "RANDOM", char::is_ascii_hexdigit);
    assert_eq!(masked, ".a.html.RANDOM.tmp");
}

#[test]
fn whole_numbers_are_replaced_and_parts_of_numbers_are_not() {
    let text = "port 2526, 25260, 12526, :2526\n2526";
    let want = "port 41000, 25260, 12526, :41000\n41000";
    assert_eq!(replace_number(text, "2526", "41000"), want);
}
