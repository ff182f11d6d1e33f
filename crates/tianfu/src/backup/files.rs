//! Copying and checking the files of a backup: each copied with its SHA-256 computed on the way,
//! each checked against the manifest before a restore writes anything.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::INDEX;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative, with `/` between folders.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Streams `from` into `to` (when given), returning its size and hash.
fn stream(from: &Path, mut to: Option<&mut dyn Write>) -> anyhow::Result<FileEntry> {
    let mut reader = BufReader::new(
        File::open(from).with_context(|| format!("cannot read {}", from.display()))?,
    );
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        if let Some(out) = to.as_deref_mut() {
            out.write_all(&buffer[..n])?;
        }
        bytes += n as u64;
    }
    Ok(FileEntry {
        path: String::new(),
        bytes,
        sha256: format!("{:x}", hasher.finalize()),
    })
}

pub fn hash_file(path: &Path) -> anyhow::Result<FileEntry> {
    stream(path, None)
}

/// Copies `from` to `to` (which must not exist) and flushes it to disk.
pub fn copy_hashed(from: &Path, to: &Path) -> anyhow::Result<FileEntry> {
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(to)
        .with_context(|| format!("cannot create {}", to.display()))?;
    let mut writer = BufWriter::new(file);
    let entry = stream(from, Some(&mut writer as &mut dyn Write))?;
    writer.flush()?;
    writer.get_ref().sync_all()?;
    Ok(entry)
}

pub fn verify(path: &Path, expected: &FileEntry) -> anyhow::Result<()> {
    let found = hash_file(path)?;
    if found.bytes != expected.bytes || found.sha256 != expected.sha256 {
        bail!(
            "备份已损坏：{} 与清单不符（应为 {} 字节、SHA-256 {}）",
            path.display(),
            expected.bytes,
            expected.sha256
        );
    }
    Ok(())
}

/// A manifest path as a relative path that stays inside the folder it is joined to: a tampered
/// manifest naming `../..` or an absolute path is refused.
pub fn safe_relative(path: &str) -> anyhow::Result<PathBuf> {
    let relative = PathBuf::from(path);
    if path.is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        bail!("备份清单中的路径不合法：{path}");
    }
    Ok(relative)
}

/// What a backup leaves out of the data directory: the search index, the database and its
/// journal files (the snapshot stands for them), and the backup folder itself when it was put
/// inside the data directory.
pub struct Skip {
    index: PathBuf,
    database: Vec<PathBuf>,
    target: PathBuf,
}

impl Skip {
    pub fn new(data_dir: &Path, database: &Path, target: &Path) -> Self {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let database = canonical(database);
        Skip {
            index: canonical(&data_dir.join(INDEX)),
            database: ["", "-wal", "-shm", "-journal"]
                .iter()
                .map(|suffix| PathBuf::from(format!("{}{suffix}", database.display())))
                .collect(),
            target: canonical(target),
        }
    }

    fn skips(&self, path: &Path) -> bool {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        path == self.index || path == self.target || self.database.contains(&path)
    }
}

/// Copies every regular file under `from` into `to`, keeping the folders, and lists them sorted
/// by path. Symbolic links are not followed.
pub fn copy_tree(from: &Path, to: &Path, skip: &Skip) -> anyhow::Result<Vec<FileEntry>> {
    let mut entries = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = from.join(&relative);
        if !dir.is_dir() {
            continue;
        }
        for item in std::fs::read_dir(&dir)? {
            let item = item?;
            let path = item.path();
            if skip.skips(&path) {
                continue;
            }
            let kind = item.file_type()?;
            let name = relative.join(item.file_name());
            if kind.is_dir() {
                pending.push(name);
            } else if kind.is_file() {
                let destination = to.join(&name);
                if let Some(parent) = destination.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let entry = copy_hashed(&path, &destination)?;
                let path = name
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                entries.push(FileEntry { path, ..entry });
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_cannot_leave_the_data_directory() {
        assert!(safe_relative("kepu_media/ab/abcd").is_ok());
        assert!(safe_relative("../etc/passwd").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("a/../../b").is_err());
        assert!(safe_relative("").is_err());
    }

    #[test]
    fn a_tree_is_copied_without_the_index_and_the_database() {
        let root = std::env::temp_dir().join(format!("tianfu-backup-unit-{}", std::process::id()));
        let data = root.join("data");
        std::fs::create_dir_all(data.join("index")).unwrap();
        std::fs::create_dir_all(data.join("kepu_media/ab")).unwrap();
        std::fs::write(data.join("index/segment"), b"derived").unwrap();
        std::fs::write(data.join("tianfu.db"), b"db").unwrap();
        std::fs::write(data.join("tianfu.db-wal"), b"wal").unwrap();
        std::fs::write(data.join("kepu_media/ab/abcd"), b"media").unwrap();
        let target = root.join("backup");
        let skip = Skip::new(&data, &data.join("tianfu.db"), &target);
        let entries = copy_tree(&data, &target.join("files"), &skip).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            ["kepu_media/ab/abcd"]
        );
        verify(&target.join("files/kepu_media/ab/abcd"), &entries[0]).unwrap();
        std::fs::remove_dir_all(root).unwrap();
    }
}
