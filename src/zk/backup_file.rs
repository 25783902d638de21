//! The backup file of `kubectl zk backup`: a header, then ZooKeeper's own files. Pure: the
//! writer and reader take any `Write + Seek` / `Read`, never a path.
//!
//! Layout (every byte covered by a SHA-256):
//!
//! ```text
//! 0      "KZKBAK01"                          magic and format version
//! 8      u32 n                               length of the header's JSON
//! 12     n bytes of JSON                     BackupHeader (camelCase)
//! 12+n   32 bytes                            SHA-256 of the JSON
//! ...    zeros up to HEADER_SPACE (64 KiB)   room to write the header after the payload
//! 64 KiB entries, each 'F', u16 name length, name, u64 size, the file's bytes
//!        then 'E'                            the end
//! ```
//!
//! The header holds the SHA-256 of the payload (every byte after `HEADER_SPACE`), so a
//! truncated or altered file is found before anything is restored from it. The writer
//! streams each file in (sizes patched afterwards), then [`BackupWriter::finish`] reads the
//! payload back once — hashing it and parsing every ZooKeeper file with [`super::disk`] —
//! and writes the header: a backup is only complete when it has been read whole.

use std::io::{Read, Seek, SeekFrom, Write};

use ring::digest::{Context, SHA256};
use serde::{Deserialize, Serialize};

use super::disk::{self, DatabaseSummary, FileKind, FormatError, Replay};

/// The magic and format version at byte 0.
pub const MAGIC: &[u8; 8] = b"KZKBAK01";
/// The bytes the header may use; the payload starts here.
pub const HEADER_SPACE: u64 = 64 * 1024;
/// The largest name of a file in the payload.
const MAX_NAME: usize = 255;

/// Where the payload came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BackupSource {
    /// The newest snapshot and the later transaction logs, copied from a member's data
    /// directory through exec.
    DataDir,
    /// The snapshot ZooKeeper 3.9's AdminServer took and streamed (`/commands/snapshot`).
    AdminSnapshot,
}

/// One of ZooKeeper's files in the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupEntry {
    /// Its name in `version-2` (`snapshot.<zxid>`, `log.<zxid>`).
    pub name: String,
    /// Its size.
    pub bytes: u64,
}

/// What a backup says about itself: its origin, then what was found once it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupHeader {
    /// Who and what it is of (its fields sit at the top level of the header's JSON).
    #[serde(flatten)]
    pub origin: BackupOrigin,
    /// The highest zxid the backup holds: every write acknowledged at or before it is in.
    pub last_zxid: String,
    /// Znodes once replayed.
    pub znodes: u64,
    /// Bytes of data once replayed.
    pub data_bytes: u64,
    /// The files, in payload order (the snapshot first).
    pub files: Vec<BackupEntry>,
    /// Bytes of payload.
    pub payload_bytes: u64,
    /// SHA-256 of the payload, lowercase hex.
    pub payload_sha256: String,
}

/// Who and what a backup is of, before its content is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupOrigin {
    /// The ensemble (StatefulSet) it was taken from.
    pub ensemble: String,
    /// Its namespace.
    pub namespace: String,
    /// The ZooKeeper version that wrote the files (`3.9.4`).
    pub zookeeper_version: String,
    /// The image flavour (`official`, `k8s-tutorial`).
    pub flavor: String,
    /// The member it was taken from.
    pub member: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// How the payload was taken.
    pub source: BackupSource,
}

impl BackupHeader {
    /// A header with the origin filled in; [`BackupWriter::finish`] fills in the rest.
    pub fn new(origin: BackupOrigin) -> Self {
        Self {
            origin,
            last_zxid: String::new(),
            znodes: 0,
            data_bytes: 0,
            files: Vec::new(),
            payload_bytes: 0,
            payload_sha256: String::new(),
        }
    }
}

/// What is wrong with a backup file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// Not a kubectl-zk backup.
    #[error("it is not a kubectl-zk backup (no KZKBAK01 at byte 0)")]
    NotABackup,
    /// Ends early.
    #[error("it ends at byte {0}, in the middle of its {1}: the file is truncated")]
    Truncated(u64, &'static str),
    /// The header fails its checksum or does not parse.
    #[error("its header is damaged ({0})")]
    Header(String),
    /// The payload's hash differs from the header's.
    #[error("its content does not match its SHA-256: the file was altered or damaged")]
    Checksum,
    /// The payload's structure is wrong.
    #[error("its content is malformed at byte {offset}: {detail}")]
    Payload {
        /// Where.
        offset: u64,
        /// What.
        detail: String,
    },
    /// A ZooKeeper file inside is damaged.
    #[error("{name} inside it: {error}")]
    ZooKeeperFile {
        /// Which file.
        name: String,
        /// What is wrong.
        error: FormatError,
    },
    /// The reader or writer failed.
    #[error("cannot read or write it: {0}")]
    Io(String),
}

fn io(err: std::io::Error) -> BackupError {
    BackupError::Io(err.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a backup: [`BackupWriter::new`], a [`BackupWriter::begin_file`] … [`BackupWriter::end_file`]
/// per file, then [`BackupWriter::finish`].
pub struct BackupWriter<W> {
    out: W,
    open: Option<(u64, String)>,
    files: Vec<BackupEntry>,
}

impl<W: Read + Write + Seek> BackupWriter<W> {
    /// Starts a backup at the writer's start, leaving room for the header.
    pub fn new(mut out: W) -> Result<Self, BackupError> {
        out.seek(SeekFrom::Start(0)).map_err(io)?;
        out.write_all(&vec![0; HEADER_SPACE as usize]).map_err(io)?;
        Ok(Self {
            out,
            open: None,
            files: Vec::new(),
        })
    }

    /// Starts a file; write its bytes to [`BackupWriter::file`], then call `end_file`.
    pub fn begin_file(&mut self, name: &str) -> Result<(), BackupError> {
        if name.is_empty() || name.len() > MAX_NAME || self.open.is_some() {
            return Err(BackupError::Payload {
                offset: 0,
                detail: format!("cannot add a file named {name:?} here"),
            });
        }
        self.out.write_all(b"F").map_err(io)?;
        self.out
            .write_all(&(name.len() as u16).to_be_bytes())
            .map_err(io)?;
        self.out.write_all(name.as_bytes()).map_err(io)?;
        let at = self.out.stream_position().map_err(io)?;
        self.out.write_all(&0u64.to_be_bytes()).map_err(io)?;
        self.open = Some((at, name.to_owned()));
        Ok(())
    }

    /// Where the open file's bytes go.
    pub fn file(&mut self) -> &mut W {
        &mut self.out
    }

    /// Ends the open file, writing its size before it.
    pub fn end_file(&mut self) -> Result<u64, BackupError> {
        let Some((at, name)) = self.open.take() else {
            return Err(BackupError::Payload {
                offset: 0,
                detail: "no file is open".into(),
            });
        };
        let end = self.out.stream_position().map_err(io)?;
        let bytes = end - at - 8;
        self.out.seek(SeekFrom::Start(at)).map_err(io)?;
        self.out.write_all(&bytes.to_be_bytes()).map_err(io)?;
        self.out.seek(SeekFrom::Start(end)).map_err(io)?;
        self.files.push(BackupEntry { name, bytes });
        Ok(bytes)
    }

    /// Ends the payload, reads it back (hashing it and parsing each ZooKeeper file), and
    /// writes the header from `header` with what the reading found (files, zxid, znodes,
    /// sizes, hash). Returns the header written.
    pub fn finish(mut self, mut header: BackupHeader) -> Result<BackupHeader, BackupError> {
        if self.open.is_some() {
            self.end_file()?;
        }
        self.out.write_all(b"E").map_err(io)?;
        let end = self.out.stream_position().map_err(io)?;
        self.out.seek(SeekFrom::Start(HEADER_SPACE)).map_err(io)?;
        let (sha, summary, files) = read_payload(&mut self.out, Some(end - HEADER_SPACE))?;
        if files != self.files {
            return Err(BackupError::Payload {
                offset: HEADER_SPACE,
                detail: "the payload read back differs from what was written".into(),
            });
        }
        header.files = files;
        header.payload_bytes = end - HEADER_SPACE;
        header.payload_sha256 = sha;
        header.last_zxid = format!("0x{:x}", summary.last_zxid);
        header.znodes = summary.znodes;
        header.data_bytes = summary.data_bytes;
        let json = serde_json::to_vec(&header).map_err(|e| BackupError::Header(e.to_string()))?;
        if 12 + json.len() as u64 + 32 > HEADER_SPACE {
            return Err(BackupError::Header(format!(
                "{} bytes of header do not fit in {HEADER_SPACE}",
                json.len()
            )));
        }
        self.out.seek(SeekFrom::Start(0)).map_err(io)?;
        self.out.write_all(MAGIC).map_err(io)?;
        self.out
            .write_all(&(json.len() as u32).to_be_bytes())
            .map_err(io)?;
        self.out.write_all(&json).map_err(io)?;
        self.out
            .write_all(ring::digest::digest(&SHA256, &json).as_ref())
            .map_err(io)?;
        self.out.seek(SeekFrom::Start(end)).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(header)
    }
}

/// A reader that hashes what passes through it and counts it.
struct Hashing<R> {
    inner: R,
    context: Context,
    offset: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.context.update(&buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    fn exact(&mut self, buf: &mut [u8], what: &'static str) -> Result<(), BackupError> {
        let mut done = 0;
        while done < buf.len() {
            match self.read(&mut buf[done..]) {
                Ok(0) => return Err(BackupError::Truncated(HEADER_SPACE + self.offset, what)),
                Ok(n) => done += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(io(err)),
            }
        }
        Ok(())
    }
}

/// Reads a payload: its hash, the database it replays to, and its files. `limit` is the
/// payload's size when known (a reader of the whole backup file need not stop at it).
fn read_payload<R: Read>(
    reader: R,
    limit: Option<u64>,
) -> Result<(String, DatabaseSummary, Vec<BackupEntry>), BackupError> {
    let mut payload = Hashing {
        inner: reader.take(limit.unwrap_or(u64::MAX)),
        context: Context::new(&SHA256),
        offset: 0,
    };
    let mut files = Vec::new();
    let mut replay: Option<Replay> = None;
    loop {
        let mut tag = [0u8; 1];
        payload.exact(&mut tag, "entries")?;
        match tag[0] {
            b'E' => break,
            b'F' => {}
            other => {
                return Err(BackupError::Payload {
                    offset: HEADER_SPACE + payload.offset - 1,
                    detail: format!("entry tag {other:#04x}"),
                });
            }
        }
        let mut len = [0u8; 2];
        payload.exact(&mut len, "file name")?;
        let len = u16::from_be_bytes(len) as usize;
        if len == 0 || len > MAX_NAME {
            return Err(BackupError::Payload {
                offset: HEADER_SPACE + payload.offset - 2,
                detail: format!("a file name of {len} bytes"),
            });
        }
        let mut name = vec![0u8; len];
        payload.exact(&mut name, "file name")?;
        let name = String::from_utf8(name).map_err(|_| BackupError::Payload {
            offset: HEADER_SPACE + payload.offset,
            detail: "a file name that is not UTF-8".into(),
        })?;
        let mut size = [0u8; 8];
        payload.exact(&mut size, "file size")?;
        let size = u64::from_be_bytes(size);
        let start = payload.offset;
        let parsed = {
            let mut file = (&mut payload).take(size);
            let parsed = read_zookeeper_file(&name, &mut file, &mut replay);
            // Whatever the parser left (a log's preallocated zeros) is hashed too.
            std::io::copy(&mut file, &mut std::io::sink()).map_err(io)?;
            parsed
        };
        if payload.offset - start < size {
            return Err(BackupError::Truncated(
                HEADER_SPACE + payload.offset,
                "end of a file",
            ));
        }
        parsed.map_err(|error| BackupError::ZooKeeperFile {
            name: name.clone(),
            error,
        })?;
        files.push(BackupEntry { name, bytes: size });
    }
    let sha = hex(payload.context.finish().as_ref());
    let Some(replay) = replay else {
        return Err(BackupError::Payload {
            offset: HEADER_SPACE,
            detail: "it holds no snapshot".into(),
        });
    };
    Ok((sha, replay.summary(), files))
}

fn read_zookeeper_file<R: Read>(
    name: &str,
    file: R,
    replay: &mut Option<Replay>,
) -> Result<(), FormatError> {
    let invalid = |detail: &str| FormatError::Invalid {
        offset: 0,
        what: "the file name",
        detail: detail.into(),
    };
    match disk::zxid_of_name(name) {
        Some((FileKind::Snapshot, zxid)) => {
            if replay.is_some() {
                return Err(invalid("a second snapshot"));
            }
            let mut fresh = Replay::new(zxid);
            // The last zxid is the one the snapshot is named for, not the last processed zxid
            // 3.9 writes at its end: a snapshot is fuzzy (taken while writes go on), and
            // ZooKeeper itself replays from the name's zxid (FileSnap.deserialize).
            disk::read_snapshot(file, |node| fresh.node(node))?;
            *replay = Some(fresh);
        }
        Some((FileKind::TxnLog, _)) => {
            let Some(replay) = replay.as_mut() else {
                return Err(invalid("a log before the snapshot"));
            };
            disk::read_txn_log(file, |txn| replay.txn(txn))?;
        }
        None => return Err(invalid("neither snapshot.<zxid> nor log.<zxid>")),
    }
    Ok(())
}

/// Reads a backup's header only (the checksum of the header itself is checked).
pub fn read_header<R: Read>(mut reader: R) -> Result<BackupHeader, BackupError> {
    let mut space = Vec::with_capacity(HEADER_SPACE as usize);
    (&mut reader)
        .take(HEADER_SPACE)
        .read_to_end(&mut space)
        .map_err(io)?;
    if space.len() < MAGIC.len() || &space[..MAGIC.len()] != MAGIC {
        return Err(if space.len() < MAGIC.len() && MAGIC.starts_with(&space) {
            BackupError::Truncated(space.len() as u64, "header")
        } else {
            BackupError::NotABackup
        });
    }
    if (space.len() as u64) < HEADER_SPACE {
        return Err(BackupError::Truncated(space.len() as u64, "header"));
    }
    let len = u32::from_be_bytes([space[8], space[9], space[10], space[11]]) as usize;
    if 12 + len + 32 > space.len() {
        return Err(BackupError::Header(format!("a header length of {len}")));
    }
    let json = &space[12..12 + len];
    let sha = &space[12 + len..12 + len + 32];
    if ring::digest::digest(&SHA256, json).as_ref() != sha {
        return Err(BackupError::Header("its SHA-256 does not match".into()));
    }
    if space[12 + len + 32..].iter().any(|&b| b != 0) {
        return Err(BackupError::Header(
            "bytes after it that should be zeros are not".into(),
        ));
    }
    serde_json::from_slice(json).map_err(|e| BackupError::Header(e.to_string()))
}

/// A backup read whole and found intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Its header.
    pub header: BackupHeader,
    /// The database its files replay to (computed, not taken from the header).
    pub database: DatabaseSummary,
}

/// Reads a whole backup, streaming: the header, then the payload against the header's size
/// and SHA-256, every ZooKeeper file parsed and replayed.
pub fn verify<R: Read>(mut reader: R) -> Result<Verified, BackupError> {
    let header = read_header(&mut reader)?;
    let (sha, database, files) = read_payload(&mut reader, Some(header.payload_bytes))?;
    if sha != header.payload_sha256 || files != header.files {
        return Err(BackupError::Checksum);
    }
    let mut extra = [0u8; 1];
    if reader.read(&mut extra).map_err(io)? != 0 {
        return Err(BackupError::Payload {
            offset: HEADER_SPACE + header.payload_bytes,
            detail: "bytes follow its end".into(),
        });
    }
    Ok(Verified { header, database })
}

/// [`verify`] on bytes (the entry for fuzzing).
pub fn parse(bytes: &[u8]) -> Result<Verified, BackupError> {
    verify(bytes)
}

/// Where each file's bytes start in the backup, in payload order (the layout is fixed by
/// the header's list of files).
pub fn file_offsets(header: &BackupHeader) -> Vec<(BackupEntry, u64)> {
    let mut at = HEADER_SPACE;
    header
        .files
        .iter()
        .map(|entry| {
            let start = at + 1 + 2 + entry.name.len() as u64 + 8;
            at = start + entry.bytes;
            (entry.clone(), start)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn fixture(version: &str, name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/zk-disk/{version}/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn template() -> BackupHeader {
        BackupHeader::new(BackupOrigin {
            ensemble: "zk".into(),
            namespace: "default".into(),
            zookeeper_version: "3.4.10".into(),
            flavor: "k8s-tutorial".into(),
            member: "zk-1".into(),
            time: "2026-12-07T23:00:00Z".into(),
            source: BackupSource::DataDir,
        })
    }

    /// A backup of the 3.4.10 fixtures, written in 1000-byte writes as a stream would.
    fn backup() -> (Vec<u8>, BackupHeader) {
        let mut cursor = Cursor::new(Vec::new());
        let mut writer = BackupWriter::new(&mut cursor).expect("new");
        for name in ["snapshot.9", "log.1", "log.b", "log.12"] {
            writer.begin_file(name).expect("begin");
            for chunk in fixture("3.4.10", name).chunks(1000) {
                writer.file().write_all(chunk).expect("write");
            }
            writer.end_file().expect("end");
        }
        let header = writer.finish(template()).expect("finish");
        (cursor.into_inner(), header)
    }

    #[test]
    fn a_backup_reads_back_with_what_its_files_hold() {
        let (bytes, header) = backup();
        assert_eq!(header.last_zxid, "0x15");
        assert_eq!(header.znodes, 16);
        assert_eq!(header.files.len(), 4);
        let verified = parse(&bytes).expect("verifies");
        assert_eq!(verified.header, header);
        assert_eq!(verified.database.znodes, 16);
        assert_eq!(
            verified.database.top_level,
            ["/app", "/empty", "/later", "/secret", "/zookeeper"]
        );
        for (entry, start) in file_offsets(&header) {
            let original = fixture("3.4.10", &entry.name);
            assert_eq!(
                &bytes[start as usize..(start + entry.bytes) as usize],
                original.as_slice()
            );
        }
    }

    #[test]
    fn every_truncation_is_refused() {
        let (bytes, _) = backup();
        // Every seventh cut in the payload (every cut of each ZooKeeper file is tested in
        // `disk`), and a sample of cuts in the header space.
        let cuts = (0..HEADER_SPACE as usize)
            .step_by(997)
            .chain((HEADER_SPACE as usize..bytes.len()).step_by(7));
        for len in cuts {
            assert!(parse(&bytes[..len]).is_err(), "cut at {len} was accepted");
        }
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let (bytes, _) = backup();
        let json_end =
            12 + u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize + 32;
        let places = (0..json_end + 64)
            .chain((json_end + 64..HEADER_SPACE as usize).step_by(101))
            .chain((HEADER_SPACE as usize..bytes.len()).step_by(7));
        for at in places {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(parse(&bad).is_err(), "byte {at} flipped was accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(parse(&longer).is_err());
        assert_eq!(parse(b"PK\x03\x04"), Err(BackupError::NotABackup));
    }
}
