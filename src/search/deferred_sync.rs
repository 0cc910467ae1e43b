//! A tantivy directory whose commits are visible at once and durable at the next checkpoint.
//!
//! tantivy's `MmapDirectory` fdatasyncs every file a commit writes (about 14 per commit here)
//! plus `meta.json` and the directory: on this machine's disk that capped shares at ~40 a second
//! however they were batched (issue 12). None of those syncs matter for a *process* crash: the
//! kernel keeps the written pages, and the T29 storm of SIGKILLs loses nothing without them.
//! They matter only for power loss, and for that a checkpoint a second later is as good as the
//! SQLite side already is (WAL with `synchronous=NORMAL` may roll back its last transactions on
//! power loss too, RELIABILITY.md). So this directory writes exactly what `MmapDirectory` writes,
//! in the same order and with the same atomic rename for `meta.json`, remembers which files are
//! not yet synced, and [`DeferredSync::checkpoint`] syncs them, then the directory.
//!
//! After a power loss between a commit and its checkpoint the index is either an older commit
//! (the start-up audit replays what SQLite holds beyond it) or names files that did not reach
//! the disk, which opening detects and answers with a rebuild (RELIABILITY T31, T32).
//!
//! tantivy also rewrites `.managed.json` (its list of the files it created, which garbage
//! collection may delete) for every file it creates: ten atomic writes a commit, each a new
//! inode, and ext4's inode allocation slows under such churn. Here the list is kept in memory
//! and written once, just before the next `meta.json`, so any file a commit on disk names is
//! listed on disk. A file created after the last list reached the disk (a crash mid-commit)
//! is adopted into the list when the directory is next opened, and tantivy's own garbage
//! collection then deletes it like any other unused file.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// Files written since the last checkpoint, relative to the index directory.
type Unsynced = Arc<Mutex<BTreeSet<PathBuf>>>;

/// tantivy's list of the files it manages.
const MANAGED: &str = ".managed.json";
/// Every commit ends with this file; the managed list is written before it.
const META: &str = "meta.json";
/// Temporary files of atomic writes start so (tempfile's default); a crash can leave one.
const TEMPORARY_PREFIX: &str = ".tmp";

/// The index directory: `MmapDirectory` for reading, locking and watching; its own writes.
#[derive(Clone)]
pub struct DeferredSync {
    inner: MmapDirectory,
    root: PathBuf,
    unsynced: Unsynced,
    /// The newest managed list, when it has not been written yet.
    managed: Arc<Mutex<Option<Vec<u8>>>>,
}

impl std::fmt::Debug for DeferredSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferredSync")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl DeferredSync {
    /// Opens the directory, first adopting files a crash left unlisted (see the module note).
    pub fn open(root: &Path) -> tantivy::Result<Self> {
        let directory = Self {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
            unsynced: Arc::default(),
            managed: Arc::default(),
        };
        directory.adopt_leftovers()?;
        Ok(directory)
    }

    /// Lists every file of the directory as managed (dot files aside: tantivy never manages
    /// those) and removes temporary files of interrupted atomic writes.
    fn adopt_leftovers(&self) -> io::Result<()> {
        let listed: Option<BTreeSet<PathBuf>> = match std::fs::read(self.root.join(MANAGED)) {
            Ok(bytes) => serde_json::from_slice(&bytes).ok(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Some(BTreeSet::new()),
            Err(e) => return Err(e),
        };
        // An unreadable list is tantivy's to report when it opens the index (then rebuilt).
        let Some(mut managed) = listed else {
            return Ok(());
        };
        let before = managed.len();
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TEMPORARY_PREFIX) {
                std::fs::remove_file(entry.path())?;
            } else if !name.starts_with('.') && entry.file_type()?.is_file() {
                managed.insert(PathBuf::from(name));
            }
        }
        if managed.len() != before {
            let mut bytes = serde_json::to_vec(&managed)?;
            bytes.push(b'\n');
            self.write_atomically(Path::new(MANAGED), &bytes)?;
        }
        Ok(())
    }

    /// Makes every commit so far durable: syncs each file written since the last checkpoint
    /// (a file deleted meanwhile needs nothing), then the directory, so the names reach the disk
    /// after the data they name. Returns how many files it synced. A file that fails to sync
    /// stays listed for the next checkpoint.
    pub fn checkpoint(&self) -> io::Result<usize> {
        self.write_managed_list()?;
        let pending = std::mem::take(&mut *lock(&self.unsynced));
        if pending.is_empty() {
            return Ok(0);
        }
        let mut synced = 0;
        let mut failed = None;
        let mut retry = BTreeSet::new();
        for path in pending {
            match File::open(self.root.join(&path)).and_then(|file| file.sync_data()) {
                Ok(()) => synced += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    retry.insert(path);
                    failed = Some(e);
                }
            }
        }
        let directory = File::open(&self.root).and_then(|dir| dir.sync_data());
        if failed.is_some() || directory.is_err() {
            lock(&self.unsynced).extend(retry);
        }
        match (failed, directory) {
            (Some(e), _) | (None, Err(e)) => Err(e),
            (None, Ok(())) => Ok(synced),
        }
    }

    /// Whether some commit is not yet durable.
    pub fn is_dirty(&self) -> bool {
        !lock(&self.unsynced).is_empty()
    }

    /// Writes the managed list if a newer one waits.
    fn write_managed_list(&self) -> io::Result<()> {
        let mut waiting = lock(&self.managed);
        if let Some(bytes) = waiting.as_deref() {
            self.write_atomically(Path::new(MANAGED), bytes)?;
            *waiting = None;
        }
        Ok(())
    }

    /// A temporary file renamed over the target, as tantivy does, without its sync: readers see
    /// the old content or the new, never a mix.
    fn write_atomically(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let mut temporary = tempfile::Builder::new()
            .prefix(TEMPORARY_PREFIX)
            .tempfile_in(&self.root)?;
        temporary.write_all(data)?;
        temporary.flush()?;
        temporary.into_temp_path().persist(self.root.join(path))?;
        lock(&self.unsynced).insert(path.to_path_buf());
        Ok(())
    }
}

fn lock<T>(shared: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each value is only ever replaced or extended whole: a panic cannot leave one half-changed.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A new file's writer: the data goes to the kernel on terminate; the sync waits for the
/// checkpoint, which learns of the file only once it is complete.
struct DeferredFile {
    file: File,
    path: PathBuf,
    unsynced: Unsynced,
}

impl Write for DeferredFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TerminatingWrite for DeferredFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.file.flush()?;
        lock(&self.unsynced).insert(self.path.clone());
        Ok(())
    }
}

impl Directory for DeferredSync {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
        Ok(BufWriter::new(Box::new(DeferredFile {
            file,
            path: path.to_path_buf(),
            unsynced: Arc::clone(&self.unsynced),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if path == Path::new(MANAGED)
            && let Some(bytes) = lock(&self.managed).clone()
        {
            return Ok(bytes);
        }
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        if path == Path::new(MANAGED) {
            *lock(&self.managed) = Some(data.to_vec());
            return Ok(());
        }
        if path == Path::new(META) {
            self.write_managed_list()?;
        }
        self.write_atomically(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        // Deferred to the checkpoint, which syncs the directory after the files.
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Field, STORED, Schema, TEXT, Value};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    /// An index of one committed document titled `text` in `dir`, and its directory.
    fn one_document(dir: &Path, text: &str) -> (DeferredSync, Field) {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT | STORED);
        let directory = DeferredSync::open(dir).unwrap();
        let index = Index::create(directory.clone(), builder.build(), Default::default()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(title => text)).unwrap();
        writer.commit().unwrap();
        (directory, title)
    }

    #[test]
    fn a_commit_is_readable_before_its_checkpoint_and_clean_after() {
        let dir = tempfile::tempdir().unwrap();
        let (directory, title) = one_document(dir.path(), "qwen");
        assert!(directory.is_dirty());

        // Another opening (a restart after SIGKILL) reads the commit from the kernel's pages.
        let reopened = Index::open(DeferredSync::open(dir.path()).unwrap()).unwrap();
        let searcher = reopened.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), 1);
        let stored: TantivyDocument = searcher.doc(tantivy::DocAddress::new(0, 0)).unwrap();
        let text = stored.get_first(title).and_then(|value| value.as_str());
        assert_eq!(text, Some("qwen"));

        assert!(directory.checkpoint().unwrap() > 0);
        assert!(!directory.is_dirty());
        assert_eq!(directory.checkpoint().unwrap(), 0);
    }

    #[test]
    fn a_file_deleted_before_the_checkpoint_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let directory = DeferredSync::open(dir.path()).unwrap();
        directory.atomic_write(Path::new("a.json"), b"{}").unwrap();
        directory.delete(Path::new("a.json")).unwrap();
        assert_eq!(directory.checkpoint().unwrap(), 0);
        assert!(!directory.is_dirty());
    }

    #[test]
    fn files_a_crash_left_unlisted_are_adopted_and_collected() {
        let dir = tempfile::tempdir().unwrap();
        one_document(dir.path(), "kept");
        // A segment file written after the last list, and a half-done atomic write.
        std::fs::write(
            dir.path().join("0123456789abcdef0123456789abcdef.store"),
            b"x",
        )
        .unwrap();
        std::fs::write(dir.path().join(".tmpAbCdEf"), b"{").unwrap();

        let index = Index::open(DeferredSync::open(dir.path()).unwrap()).unwrap();
        assert!(!dir.path().join(".tmpAbCdEf").exists());
        let writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.garbage_collect_files().wait().unwrap();
        assert!(
            !dir.path()
                .join("0123456789abcdef0123456789abcdef.store")
                .exists()
        );
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 1);
    }
}
