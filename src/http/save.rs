//! Saving a page so that a failure leaves nothing behind: [`save_site`]
//! fetches into a [`TempFile`], which becomes the page only when whole.
//!
//! inet_02 opens `site.html` first and writes as bytes arrive: if the
//! connection fails, an empty or half-written file is left, and an older
//! good copy is already lost. We write to a temporary file in the same
//! directory instead, and only when the whole response has arrived, flush
//! it to disk and `rename` it over the destination. A rename within one
//! file system is atomic: a reader sees the old file or the new one, never
//! a mix. On any failure the temporary file is deleted and the
//! destination is not touched.
//!
//! The temporary file is created with `create_new` (`O_EXCL`): it never
//! opens an existing file, or follows a symlink planted under its name.
//! Its name has a random part, and a collision (another download racing
//! us) is retried a bounded number of times. If the destination is a
//! symlink, the rename replaces the link itself, never the file it points
//! to.
//!
//! A download killed by a signal (Ctrl-C, SIGTERM, SIGKILL) runs no more
//! code: its temporary file stays. std can't catch signals, so the next
//! download of the same page cleans up instead ([`remove_stale`]). To
//! tell a dead download's file from a live one's, a download holds an
//! exclusive lock on its file while it runs (`File::try_lock`, `flock`
//! on Unix); the system drops a process's locks when it dies, however it
//! dies. A file whose lock we can take is a dead run's; one whose lock is
//! held is a live download's, and is left alone.

use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::client::{FetchError, Options, fetch};
use super::request::{BadSite, get_request};
use super::response::Received;
use super::site::Site;
use crate::random::random_u64;

/// A file or directory that could not be written.
#[derive(Debug)]
pub struct FileError {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// Why.
    pub err: io::Error,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.err)
    }
}

impl std::error::Error for FileError {}

/// Why [`save_site`] saved nothing.
#[derive(Debug)]
pub enum SaveError {
    /// The site can't go into a request: nothing was sent.
    Request(BadSite),
    /// The output file could not be written.
    File(FileError),
    /// The exchange failed.
    Fetch(FetchError),
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Request(why) => why.fmt(f),
            SaveError::File(why) => why.fmt(f),
            SaveError::Fetch(why) => why.fmt(f),
        }
    }
}

impl std::error::Error for SaveError {}

/// A page saved to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where.
    pub path: PathBuf,
    /// What.
    pub received: Received,
}

// ANCHOR: save_site
/// Gets `/` from `site` and saves the raw response, head and body, in
/// `dir`, atomically.
///
/// # Errors
/// Any [`SaveError`]; the destination is then untouched and no
/// temporary file is left.
pub fn save_site(
    site: &Site,
    dir: &Path,
    options: &Options,
) -> Result<Saved, SaveError> {
    // Checked first, so nothing is sent for a request we can't make.
    let request =
        get_request(&site.host, site.port, "/").map_err(SaveError::Request)?;
    let name = site.file_name();
    remove_stale(dir, &name); // what dead downloads of it left
    let mut file = TempFile::create(dir, &name).map_err(SaveError::File)?;
    let fetched = fetch(site, &request, &mut file, options);
    // The writer fetch wrote to is our file: its errors are the file's.
    let received = fetched.map_err(|e| match e {
        FetchError::Output(err) => SaveError::File(file_error(&file.temp, err)),
        e => SaveError::Fetch(e),
    })?;
    let path = file.commit().map_err(SaveError::File)?;
    Ok(Saved { path, received })
}
// ANCHOR_END: save_site

/// How many temporary names to try before giving up.
const ATTEMPTS: usize = 16;

/// The longest file name most file systems take, in bytes (`NAME_MAX`
/// on Linux, and the limit of ext4, APFS, NTFS).
pub const NAME_MAX: usize = 255;

/// What a temporary name adds to its prefix: `.`, `.`, 16 hex digits,
/// `.tmp`.
const TEMP_EXTRA: usize = 22;

// ANCHOR: temp_create
/// A file being written, that becomes `dest` on [`commit`](Self::commit)
/// and vanishes if dropped before. It is locked while it lives.
#[derive(Debug)]
pub struct TempFile {
    file: File,
    temp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl TempFile {
    /// Creates `.NAME.RANDOM.tmp` in `dir`, for the file `dir/name`
    /// (`NAME` cut short if need be, so that the temporary name fits in
    /// [`NAME_MAX`] bytes whenever `name` does), and locks it.
    ///
    /// # Errors
    /// [`FileError`] if `name` is over [`NAME_MAX`] bytes, or if the
    /// directory can't hold a new file (it is missing, not a directory,
    /// read-only, full): either way before anything is sent.
    pub fn create(dir: &Path, name: &str) -> Result<TempFile, FileError> {
        let dest = dir.join(name);
        if name.len() > NAME_MAX {
            let why = format!("file name over {NAME_MAX} bytes");
            let err = io::Error::new(io::ErrorKind::InvalidFilename, why);
            return Err(file_error(&dest, err));
        }
        let prefix = temp_prefix(name);
        let mut last = io::ErrorKind::AlreadyExists.into();
        for _ in 0..ATTEMPTS {
            let temp = dir.join(format!("{prefix}{:016x}.tmp", random_u64()));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) if is_claimed(&file, &temp) => {
                    let committed = false;
                    return Ok(TempFile {
                        file,
                        temp,
                        dest,
                        committed,
                    });
                }
                Ok(_) => {} // a cleaner took it: another name
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(err) => return Err(file_error(dir, err)),
            }
        }
        Err(file_error(dir, last))
    }
    // ANCHOR_END: temp_create

    // ANCHOR: temp_commit
    /// Flushes the data to the disk, then renames the file to its
    /// destination, replacing any file there.
    ///
    /// # Errors
    /// [`FileError`]; the temporary file is deleted then.
    pub fn commit(mut self) -> Result<PathBuf, FileError> {
        self.file
            .sync_all()
            .map_err(|e| file_error(&self.temp, e))?;
        fs::rename(&self.temp, &self.dest)
            .map_err(|e| file_error(&self.dest, e))?;
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for TempFile {
    /// Deletes the file unless committed; `file`, and its lock, go after.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}
// ANCHOR_END: temp_commit

/// Locks `file`, just created at `path`; false if [`remove_stale`] took
/// it in the instant between its creation and now (it locks, deletes,
/// then unlocks, so either its lock is still held or `path` is gone). A
/// file system without locks can't tell live from dead: the file is kept
/// unlocked, and no run will ever remove it as stale.
fn is_claimed(file: &File, path: &Path) -> bool {
    match file.try_lock() {
        Ok(()) => fs::symlink_metadata(path).is_ok(),
        Err(TryLockError::WouldBlock) => false,
        Err(TryLockError::Error(_)) => true,
    }
}

// ANCHOR: remove_stale
/// Deletes the temporary files a dead download of `name` left in `dir`:
/// those named as [`TempFile::create`] names them whose lock we can
/// take. Anything else is left alone: a file a live download holds
/// locked, a name that does not match exactly, what is not a regular
/// file (a symlink, or a FIFO, which is never opened: that would wait for
/// a writer), a file we may not open or delete.
pub fn remove_stale(dir: &Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(dir) else {
        return; // TempFile::create says what is wrong with `dir`
    };
    for entry in entries.flatten() {
        if is_temp_name(&entry.file_name().to_string_lossy(), &prefix) {
            remove_if_dead(&entry.path());
        }
    }
}
// ANCHOR_END: remove_stale

/// True for `PREFIX`, 16 lowercase hex digits, `.tmp`.
fn is_temp_name(file_name: &str, prefix: &str) -> bool {
    let random = file_name
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(".tmp"));
    random.is_some_and(|hex| {
        hex.len() == 16
            && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Deletes the regular file at `path` if nobody holds its lock; the lock
/// is held while it is deleted (see [`is_claimed`]). What is not a
/// regular file is never opened: a symlink leads elsewhere, and opening
/// a FIFO waits for a writer. (Only someone who may write to the
/// directory could swap the file for a FIFO between the check and the
/// open.) Any failure leaves the file where it is.
fn remove_if_dead(path: &Path) {
    let is_regular = fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    if !is_regular {
        return;
    }
    if let Ok(file) = File::open(path)
        && file.try_lock().is_ok()
    {
        let _ = fs::remove_file(path);
    }
}

/// `.NAME.`, the start of every temporary name for `name` (cut short so
/// that the whole name fits in [`NAME_MAX`] bytes).
fn temp_prefix(name: &str) -> String {
    format!(".{}.", truncate(name, NAME_MAX - TEMP_EXTRA))
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The longest start of `text` of at most `max` bytes, cut between
/// characters.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn file_error(path: &Path, err: io::Error) -> FileError {
    let path = path.to_path_buf();
    FileError { path, err }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_committed_file_replaces_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.html"), "old").unwrap();
        let mut file = TempFile::create(dir.path(), "a.html").unwrap();
        file.write_all(b"new").unwrap();
        assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"old");
        file.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"new");
        assert_eq!(names_in(dir.path()), ["a.html"]);
    }

    #[test]
    fn a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.html"), "old").unwrap();
        let mut file = TempFile::create(dir.path(), "a.html").unwrap();
        file.write_all(b"half").unwrap();
        assert!(file.temp.exists());
        drop(file);
        assert_eq!(names_in(dir.path()), ["a.html"]);
        assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"old");
    }

    #[test]
    fn f6_temporary_names_differ() {
        let dir = tempfile::tempdir().unwrap();
        let a = TempFile::create(dir.path(), "a.html").unwrap();
        let b = TempFile::create(dir.path(), "a.html").unwrap();
        assert_ne!(a.temp, b.temp);
    }

    #[test]
    fn a_long_name_gets_a_temporary_name_that_fits() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("{}.html", "a".repeat(NAME_MAX - 5));
        assert_eq!(name.len(), NAME_MAX);
        let mut file = TempFile::create(dir.path(), &name).unwrap();
        let temp = file.temp.file_name().unwrap().len();
        assert!(temp <= NAME_MAX, "{temp}");
        file.write_all(b"page").unwrap();
        file.commit().unwrap();
        assert_eq!(names_in(dir.path()), [name]);
    }

    #[test]
    fn a_name_too_long_for_the_file_system_fails_before_any_file() {
        let dir = tempfile::tempdir().unwrap();
        let name = "a".repeat(NAME_MAX + 1);
        let err = TempFile::create(dir.path(), &name).unwrap_err();
        assert!(err.to_string().contains("over 255 bytes"), "{err}");
        assert!(names_in(dir.path()).is_empty());
    }

    #[test]
    fn truncation_cuts_between_characters() {
        assert_eq!(truncate("abc", 2), "ab");
        assert_eq!(truncate("abc", 9), "abc");
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn f9_only_unlocked_temporary_files_of_the_name_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let live = TempFile::create(dir.path(), "a.html").unwrap();
        let dead = dir.path().join(".a.html.00000000000000ff.tmp");
        fs::write(&dead, "half").unwrap();
        for other in [".b.html.00000000000000ff.tmp", ".a.html.ff.tmp"] {
            fs::write(dir.path().join(other), "not ours").unwrap();
        }
        remove_stale(dir.path(), "a.html");
        assert!(!dead.exists());
        assert!(live.temp.exists());
        assert_eq!(names_in(dir.path()).len(), 3);
        drop(live);
        remove_stale(dir.path(), "a.html");
        assert_eq!(names_in(dir.path()).len(), 2);
    }

    #[test]
    fn f9_a_file_a_cleaner_holds_or_took_is_not_claimed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".a.html.00000000000000ff.tmp");
        let ours = File::create(&path).unwrap();
        let cleaner = File::open(&path).unwrap();
        cleaner.lock().unwrap();
        assert!(!is_claimed(&ours, &path), "locked by the cleaner");
        fs::remove_file(&path).unwrap();
        drop(cleaner);
        assert!(!is_claimed(&ours, &path), "deleted by the cleaner");
        let fresh = dir.path().join(".a.html.0000000000000100.tmp");
        assert!(is_claimed(&File::create(&fresh).unwrap(), &fresh));
    }

    #[test]
    fn f7_a_missing_directory_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = TempFile::create(&missing, "a.html").unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }
}
