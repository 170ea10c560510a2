//! Everything a scenario needs to run both sides.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::CompareError;
use super::python::{Found, Python};
use super::run::Options;

/// How long one program may run before it is killed (and that is
/// reported as its exit status).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// Everything a scenario needs to run both sides.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The folder of the originals.
    pub folder: PathBuf,
    /// The Python command (`--python`).
    pub python: Python,
    /// What the probe found it to be, when it is Python 2.7.
    pub found: Option<Found>,
    /// Where the Rust programs are: the directory of `compare` itself.
    pub programs: PathBuf,
    /// How long any one program may run.
    pub timeout: Duration,
}

impl Setup {
    /// A setup for the originals in `folder` with the Python command and
    /// timeout of `options`, the Rust programs beside the running
    /// executable.
    ///
    /// # Errors
    /// [`CompareError::Io`] if the running executable can't be found.
    pub fn new(
        folder: &Path,
        options: &Options,
    ) -> Result<Setup, CompareError> {
        let exe = std::env::current_exe()
            .map_err(|e| CompareError::Io(format!("where am I? {e}")))?;
        let programs = exe.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(Setup {
            folder: folder.to_path_buf(),
            python: options.python.clone(),
            found: None,
            programs,
            timeout: options.timeout,
        })
    }
}
