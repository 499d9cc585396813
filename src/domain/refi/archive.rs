//! Opening a `.qdpx` safely: a ZIP with a project file and its sources. Refuses what no
//! real export contains (too many entries, more uncompressed data than the caps, `..` or
//! absolute paths, encrypted entries) before reading anything, and reads each entry
//! through a cap so a lying size header cannot inflate past it.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::read::ReadError;

/// At most this many entries (real exports hold one per source plus a few).
pub const MAX_ENTRIES: usize = 20_000;
/// At most this much uncompressed data in all.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// At most this much in one entry.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;

pub struct Archive {
    zip: ZipArchive<Cursor<Vec<u8>>>,
    /// Lower-cased entry name → index (peers differ on `Sources/` vs `sources/`).
    by_name: HashMap<String, usize>,
    /// Uncompressed bytes read so far.
    read: u64,
}

fn fail(message: impl Into<String>) -> ReadError {
    ReadError(message.into())
}

impl Archive {
    pub fn open(bytes: Vec<u8>) -> Result<Self, ReadError> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
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
        })
    }

    /// The project file: `project.qde`, else the one `.qde` at the top (some peers
    /// name it after the project).
    pub fn project_file(&mut self) -> Result<String, ReadError> {
        let name = if self.by_name.contains_key("project.qde") {
            "project.qde".to_owned()
        } else {
            let top: Vec<&String> = self
                .by_name
                .keys()
                .filter(|n| n.ends_with(".qde") && !n.contains('/'))
                .collect();
            match top[..] {
                [one] => one.clone(),
                [] => return Err(fail("the archive has no project file (project.qde)")),
                _ => {
                    return Err(fail(
                        "the archive has several .qde project files; which one is the project?",
                    ));
                }
            }
        };
        let bytes = self.read_entry(&name)?.expect("listed above");
        text_of(&bytes, &name)
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
        let Some(&index) = self.by_name.get(lower_name) else {
            return Ok(None);
        };
        let entry = self.zip.by_index(index).map_err(|e| {
            fail(format!(
                "the archive entry “{lower_name}” cannot be read ({e})"
            ))
        })?;
        let left = MAX_TOTAL_BYTES
            .saturating_sub(self.read)
            .min(MAX_ENTRY_BYTES);
        let mut bytes = Vec::new();
        entry.take(left + 1).read_to_end(&mut bytes).map_err(|e| {
            fail(format!(
                "the archive entry “{lower_name}” cannot be unpacked ({e})"
            ))
        })?;
        if bytes.len() as u64 > left {
            return Err(fail(format!(
                "the archive entry “{lower_name}” unpacks to more than its size says, or past the {} MB Gloss reads; is it a ZIP bomb?",
                MAX_TOTAL_BYTES / (1024 * 1024)
            )));
        }
        self.read += bytes.len() as u64;
        Ok(Some(bytes))
    }
}

/// UTF-8 text without its BOM, or an error naming the entry.
pub fn text_of(bytes: &[u8], name: &str) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| fail(format!("“{name}” is not valid UTF-8 text")))
}
