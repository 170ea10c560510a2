//! Why a comparison could not be made at all: exit status 2, with a
//! message that says what to do.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::recording::RecordingError;
use super::table::TableError;

/// How to get Python 2.7, which current systems no longer ship: said
/// wherever it is missing and needed.
pub const HOW_TO_GET_PYTHON: &str = concat!(
    "Get Python 2.7 with pyenv (`pyenv install 2.7.18`, then `export ",
    "PYENV_VERSION=2.7.18`) or conda (`conda create -n py27 python=2.7`, then ",
    "`conda activate py27`), so that `python2.7` runs it, or name it with ",
    "--python CMD (lessons/README.md, \"Python 2.7 and the originals\").",
);

/// Why a comparison could not be made: each is exit status 2.
#[derive(Debug)]
pub enum CompareError {
    /// The command line is wrong.
    Usage(String),
    /// The file name is no chapter's (`inet_NN.py` with a known NN).
    UnknownChapter(String),
    /// The original can't be read.
    Original(PathBuf, io::Error),
    /// The Python command could not be started.
    PythonNotFound(String, io::Error),
    /// The shim did not get to run the original: wrong Python version
    /// (the shim's exit 97), a shim that failed to load, a Python that
    /// failed to start. Holds what Python said.
    Shim(String),
    /// A Rust program is missing next to `compare`.
    ProgramMissing(PathBuf),
    /// The lesson's Differences table can't be read.
    Table(TableError),
    /// A recording can't be read (which one, and why).
    Recording(String, RecordingError),
    /// Python 2.7 is needed and missing: what needs it, and why there is
    /// none.
    NeedsPython(String),
    /// A local failure: a temp dir, a mock that would not start.
    Io(String),
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(why) => f.write_str(why),
            Self::UnknownChapter(why) => f.write_str(why),
            Self::Original(path, e) => {
                write!(f, "cannot read the original {}: {e}", path.display())
            }
            Self::PythonNotFound(cmd, e) => write!(
                f,
                "cannot run the Python command {cmd:?}: {e}. \
                 {HOW_TO_GET_PYTHON}"
            ),
            Self::Shim(said) => write!(
                f,
                "Python did not run the original under the shim:\n{said}"
            ),
            Self::ProgramMissing(path) => write!(
                f,
                "{} is missing; build the programs first: cargo build",
                path.display()
            ),
            Self::Table(e) => write!(f, "the lesson's table: {e}"),
            Self::Recording(which, e) => {
                write!(f, "the recording {which}: {e}")
            }
            Self::NeedsPython(what) => write!(f, "{what}. {HOW_TO_GET_PYTHON}"),
            Self::Io(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CompareError {}

impl CompareError {
    /// For `map_err`: the mock `what` (`"DNS"`) would not start.
    pub fn mock(what: &str) -> impl FnOnce(io::Error) -> CompareError + '_ {
        move |e| {
            CompareError::Io(format!("the {what} mock would not start: {e}"))
        }
    }
}

impl From<TableError> for CompareError {
    fn from(e: TableError) -> Self {
        Self::Table(e)
    }
}
