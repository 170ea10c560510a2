//! `cargo run`: the guided tour. Every chapter program runs against
//! servers started inside this process, on 127.0.0.1, and the tour prints
//! what each side saw. See `src/tour/mod.rs`.

use std::process::ExitCode;

use inet::cli::{self, EXIT_CONNECTION, Program, Syntax};

const PROGRAM: Program = Program {
    name: "tour",
    synopsis: "",
    help: "\
usage: tour   (or simply: cargo run)

The guided tour: runs each chapter's program against servers started in
this process, on 127.0.0.1 only, and prints what each side saw: the
program's output, the bytes on the wire, and the server's console.

exit status: 0 when every chapter ran, 3 when one failed (it says why)",
};

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    PROGRAM.args(&Syntax::exactly(0))?;
    let mut out = std::io::stdout().lock();
    inet::tour::run(&mut out)
        .map_err(|e| PROGRAM.fail(EXIT_CONNECTION, &e.to_string()))
}
