//! `cargo run`: the guided tour. Every chapter program runs against
//! servers started inside this process, on 127.0.0.1, and the tour prints
//! what each side saw. See `src/tour.rs`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    match inet::tour::run(&mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tour: {e}");
            ExitCode::FAILURE
        }
    }
}
