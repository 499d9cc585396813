//! Opening a `.qdpx` safely: a ZIP with a project file and its sources. Refuses what no
//! real export contains (too many entries, more uncompressed data than the caps, `..` or
//! absolute paths, encrypted entries) before reading anything, and reads each entry
//! through a cap so a lying size header cannot inflate past it.
//!
//! The archive is read from a file (an upload is spooled to one), never held in memory,
//! and the project file is read twice as it unpacks: once for its outline, once for its
//! sources, each source's text read from the archive while the project file is open.

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use zip::ZipArchive;

use super::read::{self, Project, ReadError, TextSource};

/// At most this many entries (real exports hold one per source plus a few).
pub const MAX_ENTRIES: usize = 20_000;
/// At most this much uncompressed data in all.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// At most this much in one entry.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;

/// A file read by several readers, each with its own position (the project file's and the
/// sources' entries are read at once).
#[derive(Debug, Clone)]
struct SharedFile {
    file: Arc<Mutex<File>>,
    position: u64,
    length: u64,
}

impl SharedFile {
    fn new(mut file: File) -> std::io::Result<Self> {
        let length = file.seek(SeekFrom::End(0))?;
        Ok(Self {
            file: Arc::new(Mutex::new(file)),
            position: 0,
            length,
        })
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(self.position))?;
        let n = file.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.length.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a seek before the start of the archive",
            )
        })?;
        Ok(self.position)
    }
}

pub struct Archive {
    zip: ZipArchive<SharedFile>,
    /// Lower-cased entry name → index (peers differ on `Sources/` vs `sources/`).
    by_name: HashMap<String, usize>,
    /// Uncompressed bytes read so far.
    read: u64,
    /// Uncompressed bytes of the entry being read.
    last_entry_bytes: Cell<u64>,
    /// What the project file unpacked to when its outline was read (the second pass reads
    /// the same bytes, through the same cap).
    project_bytes: Option<u64>,
}

fn fail(message: impl Into<String>) -> ReadError {
    ReadError(message.into())
}

impl Archive {
    /// Opens the archive in `file` (read from its start).
    pub fn open(file: File) -> Result<Self, ReadError> {
        let file =
            SharedFile::new(file).map_err(|e| fail(format!("the archive cannot be read ({e})")))?;
        let mut zip = ZipArchive::new(file).map_err(|_| {
            fail("this is not a .qdpx file: a REFI-QDA project is a ZIP archive, and this file is not one")
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(fail(format!(
                "the archive has {} entries; Gloss reads at most {MAX_ENTRIES}",
                zip.len()
            )));
        }
        let mut by_name = HashMap::new();
        let mut declared = 0u64;
        for index in 0..zip.len() {
            let entry = zip
                .by_index_raw(index)
                .map_err(|e| fail(format!("entry {index} of the archive cannot be read ({e})")))?;
            let name = entry
                .name()
                .map_err(|_| fail("an entry name is not valid text"))?
                .into_owned();
            let unsafe_path = name.starts_with('/')
                || name.starts_with('\\')
                || name.contains(':')
                || name.split(['/', '\\']).any(|part| part == "..");
            if unsafe_path {
                return Err(fail(format!(
                    "the archive entry “{name}” points outside the archive; Gloss refuses such files"
                )));
            }
            if entry.encrypted() {
                return Err(fail(format!("the archive entry “{name}” is encrypted")));
            }
            if entry.size() > MAX_ENTRY_BYTES {
                return Err(fail(format!(
                    "the archive entry “{name}” unpacks to {} MB; Gloss reads at most {} MB per entry",
                    entry.size() / (1024 * 1024),
                    MAX_ENTRY_BYTES / (1024 * 1024)
                )));
            }
            declared = declared.saturating_add(entry.size());
            if !entry.is_dir() {
                by_name.insert(name.replace('\\', "/").to_lowercase(), index);
            }
        }
        if declared > MAX_TOTAL_BYTES {
            return Err(fail(format!(
                "the archive unpacks to {} MB; Gloss reads at most {} MB",
                declared / (1024 * 1024),
                MAX_TOTAL_BYTES / (1024 * 1024)
            )));
        }
        Ok(Self {
            zip,
            by_name,
            read: 0,
            last_entry_bytes: Cell::new(0),
            project_bytes: None,
        })
    }

    /// The outline of the project file (`project.qde`, else the one `.qde` at the top:
    /// some peers name it after the project), read as it unpacks, through the caps: see
    /// [`read::outline`].
    pub fn read_outline(&mut self) -> Result<Project, ReadError> {
        let name = self.project_file_name()?;
        let entry = self.capped_entry(&name)?.expect("listed");
        let project = read::outline(BufReader::with_capacity(64 * 1024, entry));
        let unpacked = self.last_entry_bytes.get();
        self.read += unpacked;
        self.project_bytes = Some(unpacked);
        project
    }

    /// The second pass over the project file, after [`Archive::read_outline`]: each text
    /// source with its selections, handed to `each` (with the archive, to read the
    /// source's text from) as soon as it is read; see [`read::each_source`].
    pub fn each_source(
        &mut self,
        mut each: impl FnMut(TextSource, &mut Archive) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let name = self.project_file_name()?;
        let (Some(&index), Some(cap)) = (self.by_name.get(&name), self.project_bytes) else {
            return Err(fail("the project file's outline has not been read"));
        };
        // A reader of its own, so the sources' entries can be read while this one is open.
        let mut zip = self.zip.clone();
        let unpacked = Cell::new(0);
        let inner = zip
            .by_index(index)
            .map_err(|e| fail(format!("the archive entry “{name}” cannot be read ({e})")))?;
        let entry = Capped {
            inner,
            name,
            declared: cap,
            left: cap,
            unpacked: &unpacked,
        };
        read::each_source(BufReader::with_capacity(64 * 1024, entry), |source| {
            each(source, self)
        })
    }

    fn project_file_name(&self) -> Result<String, ReadError> {
        if self.by_name.contains_key("project.qde") {
            return Ok("project.qde".to_owned());
        }
        let top: Vec<&String> = self
            .by_name
            .keys()
            .filter(|n| n.ends_with(".qde") && !n.contains('/'))
            .collect();
        match top[..] {
            [one] => Ok(one.clone()),
            [] => Err(fail("the archive has no project file (project.qde)")),
            _ => Err(fail(
                "the archive has several .qde project files; which one is the project?",
            )),
        }
    }

    /// A source file named by a `plainTextPath` (with or without `internal://`, in any
    /// case, under `sources/` or not); `None` if the archive lacks it.
    pub fn source(&mut self, path: &str) -> Result<Option<Vec<u8>>, ReadError> {
        let bare = path.trim();
        let bare = bare
            .strip_prefix("internal://")
            .or_else(|| bare.strip_prefix("relative://"))
            .unwrap_or(bare)
            .trim_start_matches("./")
            .replace('\\', "/")
            .to_lowercase();
        for candidate in [format!("sources/{bare}"), bare.clone()] {
            if self.by_name.contains_key(&candidate) {
                return self.read_entry(&candidate);
            }
        }
        Ok(None)
    }

    fn read_entry(&mut self, lower_name: &str) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(mut entry) = self.capped_entry(lower_name)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        let unpacked = entry.read_to_end(&mut bytes);
        drop(entry);
        self.read += self.last_entry_bytes.get();
        unpacked.map_err(|e| fail(e.to_string()))?;
        Ok(Some(bytes))
    }

    /// An entry's reader that fails, naming the caps, as soon as it has unpacked more than
    /// the entry declares (or what is left of the total cap): a lying size header cannot
    /// inflate past what was checked against the caps. What it unpacked is left in `last_entry_bytes`.
    fn capped_entry(&mut self, lower_name: &str) -> Result<Option<Capped<'_>>, ReadError> {
        let Some(&index) = self.by_name.get(lower_name) else {
            return Ok(None);
        };
        let name = lower_name.to_owned();
        self.last_entry_bytes.set(0);
        let inner = self
            .zip
            .by_index(index)
            .map_err(|e| fail(format!("the archive entry “{name}” cannot be read ({e})")))?;
        // `open` checked the declared sizes against the caps, so an entry that unpacks to
        // no more than it declares stays within them.
        let declared = inner.size();
        Ok(Some(Capped {
            inner,
            name,
            declared,
            left: MAX_TOTAL_BYTES.saturating_sub(self.read),
            unpacked: &self.last_entry_bytes,
        }))
    }
}

/// A ZIP entry read through a cap on its unpacked size.
struct Capped<'a> {
    inner: zip::read::ZipFile<'a, SharedFile>,
    name: String,
    /// The size the archive declares for the entry.
    declared: u64,
    /// What is left of the total cap.
    left: u64,
    unpacked: &'a Cell<u64>,
}

impl Capped<'_> {
    fn too_large(&self) -> std::io::Error {
        std::io::Error::other(format!(
            "the archive entry “{}” unpacks to more than the {} bytes it declares; is it a ZIP bomb? (Gloss reads at most {} MB per entry and {} MB in all)",
            self.name,
            self.declared,
            MAX_ENTRY_BYTES / (1024 * 1024),
            MAX_TOTAL_BYTES / (1024 * 1024)
        ))
    }
}

impl Read for Capped<'_> {
    /// Asks for at most one byte past the cap, so the read that would pass it is the one
    /// that fails: the ZIP reader itself refuses data past the declared size, and this
    /// says so in the import's words.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let cap = self.declared.min(self.left);
        let unpacked = self.unpacked.get();
        let room = cap.saturating_sub(unpacked).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let reaches_past_cap = want as u64 == room;
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(n) => n,
            Err(e) if reaches_past_cap && e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(self.too_large());
            }
            Err(e) => {
                return Err(std::io::Error::other(format!(
                    "the archive entry “{}” cannot be unpacked ({e})",
                    self.name
                )));
            }
        };
        let total = unpacked + n as u64;
        self.unpacked.set(total);
        if total > cap {
            return Err(self.too_large());
        }
        Ok(n)
    }
}

/// UTF-8 text without its BOM, or an error naming the entry.
pub fn text_of(bytes: &[u8], name: &str) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| fail(format!("“{name}” is not valid UTF-8 text")))
}
