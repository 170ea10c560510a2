//! A directory of our own under the system's temp dir, removed with all
//! it holds when dropped, pass or fail. (The `tempfile` crate is a
//! dev-dependency only: the library and the programs may not use it.)
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::io;
use std::path::{Path, PathBuf};

use inet::random::random_u64;

/// A fresh, empty directory, deleted on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Makes `PREFIX-RANDOM` under [`std::env::temp_dir`].
    ///
    /// # Errors
    /// When it can't be created (a random name that exists already is
    /// an error too, never someone else's directory reused).
    pub fn new(prefix: &str) -> io::Result<TempDir> {
        let name = format!("{prefix}-{:016x}", random_u64());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(TempDir { path })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
