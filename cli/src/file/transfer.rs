//! Files streamed from the filing service (a document, the DOJ update): the first message
//! announces name, size and SHA-256; the data follows. The bytes go to a temporary file
//! beside the destination, hashed on the way, and are renamed into place only when size
//! and digest match what was announced. Names come from the server (they carry no personal
//! data) and must be plain file names.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use cmr_proto::common::v1 as common;
use sha2::{Digest, Sha256};

/// One part of a streamed file.
pub enum Part {
    Info(common::FileInfo),
    Data(Vec<u8>),
}

/// Why a transfer failed (the text names the file, never its content).
#[derive(Debug)]
pub enum TransferError {
    Status(tonic::Status),
    /// The stream broke the protocol or the bytes do not match the announcement.
    Integrity(String),
    Io(String),
}

/// A file written and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub sha256: String,
}

/// Where to put the file: a directory (the server's file name inside it) or a path.
pub enum Destination<'a> {
    Dir(&'a Path),
    File(&'a Path),
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A server-chosen name that is safe to join to a directory: no separators, not `.`/`..`,
/// printable.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.starts_with('.')
        && name.len() <= 255
        && name
            .chars()
            .all(|c| !c.is_control() && c != '/' && c != '\\' && c != '\0')
}

/// Receives one streamed file into `dest`. `next` yields the stream's parts.
pub async fn receive<M>(
    stream: &mut tonic::Streaming<M>,
    part: impl Fn(M) -> Option<Part>,
    dest: Destination<'_>,
) -> Result<Written, TransferError> {
    let first = stream
        .message()
        .await
        .map_err(TransferError::Status)?
        .and_then(&part);
    let Some(Part::Info(info)) = first else {
        return Err(TransferError::Integrity(
            "the stream did not start with the file's description".to_owned(),
        ));
    };
    let path = match dest {
        Destination::Dir(dir) => {
            if !safe_name(&info.file_name) {
                return Err(TransferError::Integrity(format!(
                    "the server named the file {:?}, which is not a plain file name",
                    info.file_name
                )));
            }
            dir.join(&info.file_name)
        }
        Destination::File(path) => path.to_path_buf(),
    };
    let expected_size = u64::try_from(info.size_bytes).map_err(|_| {
        TransferError::Integrity(format!(
            "{}: the server announced a negative size",
            path.display()
        ))
    })?;
    let partial = partial_path(&path);
    let io = |e: std::io::Error, what: &Path| {
        TransferError::Io(format!("cannot write {}: {e}", what.display()))
    };
    let mut file = std::fs::File::create(&partial).map_err(|e| io(e, &partial))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let received = async {
        while let Some(message) = stream.message().await.map_err(TransferError::Status)? {
            match part(message) {
                Some(Part::Data(bytes)) => {
                    size += bytes.len() as u64;
                    if size > expected_size {
                        return Err(TransferError::Integrity(format!(
                            "{}: more than the {expected_size} bytes announced",
                            path.display()
                        )));
                    }
                    hasher.update(&bytes);
                    file.write_all(&bytes).map_err(|e| io(e, &partial))?;
                }
                Some(Part::Info(_)) => {
                    return Err(TransferError::Integrity(format!(
                        "{}: a second file description in the stream",
                        path.display()
                    )));
                }
                None => {}
            }
        }
        Ok(())
    }
    .await;
    let checked = received.and_then(|()| {
        let sha256 = hex(&hasher.finalize());
        if size != expected_size {
            return Err(TransferError::Integrity(format!(
                "{}: {size} bytes received, {expected_size} announced",
                path.display()
            )));
        }
        if !sha256.eq_ignore_ascii_case(info.sha256.trim()) {
            return Err(TransferError::Integrity(format!(
                "{}: SHA-256 {sha256} does not match the announced {}",
                path.display(),
                info.sha256
            )));
        }
        file.sync_all().map_err(|e| io(e, &partial))?;
        Ok(sha256)
    });
    drop(file);
    match checked {
        Ok(sha256) => {
            std::fs::rename(&partial, &path).map_err(|e| io(e, &path))?;
            Ok(Written {
                path,
                size_bytes: size,
                sha256,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// `name.partial` beside `path`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = partial_path(path);
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn only_plain_names_are_accepted() {
        assert!(safe_name("motion_34-sacramento_01J9Z.pdf"));
        for bad in [
            "", ".", "..", "../x.pdf", "a/b.pdf", "a\\b", ".hidden", "a\nb",
        ] {
            assert!(!safe_name(bad), "{bad:?}");
        }
    }
}
