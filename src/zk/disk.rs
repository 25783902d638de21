//! ZooKeeper's on-disk formats, read without I/O of their own: the snapshot
//! (`snapshot.<zxid>`) and the transaction log (`log.<zxid>`), as ZooKeeper 3.4 to 3.9
//! write them (checked against `FileSnap`, `SnapStream`, `SerializeUtils`, `DataTree`,
//! `ReferenceCountedACLCache` and `FileTxnLog` of releases 3.4.10 and 3.9.4).
//!
//! Both are jute binary archives (big-endian; a string or buffer is an `int` length, `-1`
//! for null, then the bytes):
//!
//! - **Snapshot**: `FileHeader` (magic `ZKSN`, version 2, dbid); the sessions (count, then
//!   id and timeout each); the DataTree: the ACL cache (count, then a `long` reference and a
//!   vector of ACLs each), then each node as path and `DataNode` (data buffer, ACL
//!   reference, `StatPersisted`) in depth-first order from the root (path `""`) until the
//!   path `"/"`; then a seal: the Adler-32 of every byte so far as a `long` and the path
//!   `"/"`. 3.6+ may append the tree digest (`zxid`, digest version, digest) and 3.9 the
//!   last processed zxid, each followed by a seal of its own (the checksum runs on).
//! - **Transaction log**: `FileHeader` (magic `ZKLG`); then records of an Adler-32 `long`,
//!   a buffer holding `TxnHeader` + the transaction (+ `TxnDigest` in 3.6+), and the byte
//!   `'B'`; the file is preallocated with zeros, and a record of length 0 ends it.
//!
//! Readers take any [`Read`] and stream (a node's data is counted, not kept), so a database
//! of any size is read in constant memory; [`parse_snapshot`] and [`parse_txn_log`] take
//! bytes (the entries for fuzzing). Malformed input is a typed [`FormatError`], never a
//! panic.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use serde::Serialize;

/// `ZKSN`, the snapshot's magic.
pub const SNAP_MAGIC: u32 = 0x5a4b_534e;
/// `ZKLG`, the transaction log's magic.
pub const LOG_MAGIC: u32 = 0x5a4b_4c47;
/// The only file version ZooKeeper has written.
pub const FILE_VERSION: i32 = 2;
/// The largest string (a path, a scheme) accepted: paths are far shorter in practice.
const MAX_STRING: usize = 1 << 20;
/// The largest buffer accepted (a node's data, a transaction); ZooKeeper's `jute.maxbuffer`
/// defaults to 1 MiB, and a larger length is a damaged file.
const MAX_BUFFER: u64 = 256 << 20;
/// The largest vector accepted (ACLs of a node, sub-transactions of a multi).
const MAX_VECTOR: i32 = 1 << 20;

/// What is wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The bytes end before the structure does.
    #[error("it ends at byte {offset} in the middle of {what}: the file is truncated")]
    Truncated {
        /// Where the bytes ran out.
        offset: u64,
        /// What was being read.
        what: &'static str,
    },
    /// Not the magic of the expected kind of file.
    #[error("it starts with {found:#010x}, not the magic of a ZooKeeper {expected}")]
    BadMagic {
        /// `snapshot` or `transaction log`.
        expected: &'static str,
        /// The first four bytes.
        found: u32,
    },
    /// A snapshot compressed by ZooKeeper (`zookeeper.snapshot.compression.method`).
    #[error("it is a {0}-compressed snapshot; kubectl-zk reads uncompressed snapshots only")]
    Compressed(&'static str),
    /// A file version other than 2.
    #[error("file version {0} is not one ZooKeeper writes (2)")]
    Version(i32),
    /// An Adler-32 that does not match the bytes before it.
    #[error("the checksum at byte {offset} does not match: the file was altered or damaged")]
    Checksum {
        /// Where the stored checksum is.
        offset: u64,
    },
    /// A value no ZooKeeper writes.
    #[error("invalid {what} at byte {offset}: {detail}")]
    Invalid {
        /// Where.
        offset: u64,
        /// What was being read.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The reader failed.
    #[error("cannot read: {0}")]
    Io(String),
}

/// Adler-32, the checksum of snapshots and log records.
#[derive(Debug, Clone, Copy)]
pub struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Self { a: 1, b: 0 }
    }
}

impl Adler32 {
    const MOD: u32 = 65_521;

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        // 5552 bytes is the most that can be summed before the u32 sums must be reduced.
        for chunk in bytes.chunks(5552) {
            for &byte in chunk {
                self.a += u32::from(byte);
                self.b += self.a;
            }
            self.a %= Self::MOD;
            self.b %= Self::MOD;
        }
    }

    /// The checksum of the bytes so far.
    pub fn value(&self) -> u32 {
        (self.b << 16) | self.a
    }

    /// The checksum of `bytes`.
    pub fn of(bytes: &[u8]) -> u32 {
        let mut adler = Self::default();
        adler.update(bytes);
        adler.value()
    }
}

/// A jute archive being read: big-endian values, a running offset and Adler-32.
struct Jute<R> {
    inner: R,
    offset: u64,
    adler: Adler32,
}

impl<R: Read> Jute<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            adler: Adler32::default(),
        }
    }

    /// Fills `buf`, or says how many bytes there were (for a clean end of file).
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, FormatError> {
        let mut done = 0;
        while done < buf.len() {
            match self.inner.read(&mut buf[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(FormatError::Io(err.to_string())),
            }
        }
        self.adler.update(&buf[..done]);
        self.offset += done as u64;
        Ok(done)
    }

    fn exact(&mut self, buf: &mut [u8], what: &'static str) -> Result<(), FormatError> {
        if self.fill(buf)? < buf.len() {
            return Err(FormatError::Truncated {
                offset: self.offset,
                what,
            });
        }
        Ok(())
    }

    fn int(&mut self, what: &'static str) -> Result<i32, FormatError> {
        let mut b = [0; 4];
        self.exact(&mut b, what)?;
        Ok(i32::from_be_bytes(b))
    }

    fn long(&mut self, what: &'static str) -> Result<i64, FormatError> {
        let mut b = [0; 8];
        self.exact(&mut b, what)?;
        Ok(i64::from_be_bytes(b))
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, FormatError> {
        let mut b = [0; 1];
        self.exact(&mut b, what)?;
        Ok(b[0])
    }

    fn invalid(&self, what: &'static str, detail: impl Into<String>) -> FormatError {
        FormatError::Invalid {
            offset: self.offset,
            what,
            detail: detail.into(),
        }
    }

    /// A length prefix: `-1` (null) is `None`.
    fn length(&mut self, what: &'static str, max: u64) -> Result<Option<u64>, FormatError> {
        let len = self.int(what)?;
        match len {
            -1 => Ok(None),
            n if n < -1 => Err(self.invalid(what, format!("negative length {n}"))),
            n if n as u64 > max => Err(self.invalid(what, format!("length {n} is too large"))),
            n => Ok(Some(n as u64)),
        }
    }

    /// A string (`ustring`), null read as empty.
    fn string(&mut self, what: &'static str) -> Result<String, FormatError> {
        let Some(len) = self.length(what, MAX_STRING as u64)? else {
            return Ok(String::new());
        };
        let mut bytes = vec![0; len as usize];
        self.exact(&mut bytes, what)?;
        String::from_utf8(bytes).map_err(|_| self.invalid(what, "not UTF-8"))
    }

    /// A buffer, skipped: its length (0 for null).
    fn skip_buffer(&mut self, what: &'static str) -> Result<u64, FormatError> {
        let Some(len) = self.length(what, MAX_BUFFER)? else {
            return Ok(0);
        };
        let mut left = len;
        let mut chunk = [0u8; 8192];
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            self.exact(&mut chunk[..n], what)?;
            left -= n as u64;
        }
        Ok(len)
    }

    /// A buffer, kept.
    fn buffer(&mut self, what: &'static str) -> Result<Vec<u8>, FormatError> {
        let Some(len) = self.length(what, MAX_BUFFER)? else {
            return Ok(Vec::new());
        };
        // Grown as bytes arrive, so a damaged length cannot allocate what the file lacks.
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            self.exact(&mut chunk[..n], what)?;
            bytes.extend_from_slice(&chunk[..n]);
            left -= n as u64;
        }
        Ok(bytes)
    }

    fn vector_len(&mut self, what: &'static str) -> Result<i32, FormatError> {
        let n = self.int(what)?;
        if !(-1..=MAX_VECTOR).contains(&n) {
            return Err(self.invalid(what, format!("vector of {n} elements")));
        }
        Ok(n.max(0))
    }

    fn acl(&mut self) -> Result<Acl, FormatError> {
        Ok(Acl {
            perms: self.int("ACL permissions")?,
            scheme: self.string("ACL scheme")?,
            id: self.string("ACL id")?,
        })
    }

    fn acls(&mut self) -> Result<Vec<Acl>, FormatError> {
        let n = self.vector_len("ACL list")?;
        (0..n).map(|_| self.acl()).collect()
    }

    /// A seal: the Adler-32 of every byte before it, then the path `"/"`.
    fn seal(&mut self) -> Result<(), FormatError> {
        let expected = self.adler.value();
        let at = self.offset;
        let stored = self.long("checksum")?;
        if stored != i64::from(expected) {
            return Err(FormatError::Checksum { offset: at });
        }
        let slash = self.string("checksum's end mark")?;
        if slash != "/" {
            return Err(self.invalid("checksum's end mark", format!("{slash:?}, not \"/\"")));
        }
        Ok(())
    }

    fn header(&mut self, magic: u32, expected: &'static str) -> Result<i64, FormatError> {
        let mut b = [0; 4];
        let n = self.fill(&mut b)?;
        if n >= 2 && b[..2] == [0x1f, 0x8b] {
            return Err(FormatError::Compressed("gzip"));
        }
        if n == 4 && &b == b"\x82SNA" {
            return Err(FormatError::Compressed("snappy"));
        }
        if n < 4 {
            return Err(FormatError::Truncated {
                offset: self.offset,
                what: "the file header",
            });
        }
        let found = u32::from_be_bytes(b);
        if found != magic {
            return Err(FormatError::BadMagic { expected, found });
        }
        let version = self.int("the file header")?;
        if version != FILE_VERSION {
            return Err(FormatError::Version(version));
        }
        self.long("the file header")
    }
}

/// One access control entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Acl {
    /// READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16.
    pub perms: i32,
    /// `world`, `digest`, `ip`, `sasl`, `x509`, `auth`…
    pub scheme: String,
    /// `anyone`, `user:hash`…
    pub id: String,
}

/// The persisted stat of a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatPersisted {
    /// Created at this zxid.
    pub czxid: i64,
    /// Last modified at this zxid.
    pub mzxid: i64,
    /// Created at (ms since the epoch).
    pub ctime: i64,
    /// Last modified at (ms since the epoch).
    pub mtime: i64,
    /// Data version.
    pub version: i32,
    /// Children version.
    pub cversion: i32,
    /// ACL version.
    pub aversion: i32,
    /// The session owning an ephemeral node, 0 otherwise (TTL and container nodes use
    /// reserved high values).
    pub ephemeral_owner: i64,
    /// Children last changed at this zxid.
    pub pzxid: i64,
}

/// One node as a snapshot holds it (its data counted, not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotNode<'a> {
    /// Its path; the root is `""`.
    pub path: &'a str,
    /// Bytes of data.
    pub data_len: u64,
    /// Its ACL list, a reference into [`Snapshot::acls`] (-1 is world:anyone, open).
    pub acl: i64,
    /// Its stat.
    pub stat: StatPersisted,
}

/// The tree digest 3.6+ appends to a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TreeDigest {
    /// The zxid the digest is of.
    pub zxid: i64,
    /// The digest algorithm's version.
    pub version: i32,
    /// The digest.
    pub digest: i64,
}

/// What a snapshot holds, besides its nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The database id of the file header.
    pub dbid: i64,
    /// Live sessions: id and timeout (ms).
    pub sessions: Vec<(i64, i32)>,
    /// The ACL lists nodes refer to.
    pub acls: BTreeMap<i64, Vec<Acl>>,
    /// Nodes, the root included.
    pub znodes: u64,
    /// Bytes of data over all nodes.
    pub data_bytes: u64,
    /// The highest zxid in any node's stat.
    pub max_node_zxid: i64,
    /// The tree digest (3.6+, when digests are enabled).
    pub digest: Option<TreeDigest>,
    /// The last processed zxid (3.9, `serializeLastProcessedZxid.enabled`).
    pub last_processed_zxid: Option<i64>,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads a snapshot, calling `visit` for each node in the file's order (parents first).
pub fn read_snapshot<R: Read>(
    reader: R,
    mut visit: impl FnMut(&SnapshotNode<'_>),
) -> Result<Snapshot, FormatError> {
    let mut jute = Jute::new(reader);
    let dbid = jute.header(SNAP_MAGIC, "snapshot")?;
    let count = jute.int("the session count")?;
    if count < 0 {
        return Err(jute.invalid("the session count", count.to_string()));
    }
    let mut sessions = Vec::new();
    for _ in 0..count {
        let id = jute.long("a session")?;
        let timeout = jute.int("a session")?;
        sessions.push((id, timeout));
    }
    let map = jute.int("the ACL cache")?;
    if map < 0 {
        return Err(jute.invalid("the ACL cache", map.to_string()));
    }
    let mut acls = BTreeMap::new();
    for _ in 0..map {
        let reference = jute.long("the ACL cache")?;
        let list = jute.acls()?;
        acls.insert(reference, list);
    }
    let mut snapshot = Snapshot {
        dbid,
        sessions,
        acls,
        znodes: 0,
        data_bytes: 0,
        max_node_zxid: 0,
        digest: None,
        last_processed_zxid: None,
        bytes: 0,
    };
    loop {
        let path = jute.string("a node's path")?;
        if path == "/" {
            break;
        }
        if !(path.is_empty() || path.starts_with('/')) || path.ends_with('/') {
            return Err(jute.invalid("a node's path", format!("{path:?}")));
        }
        let data_len = jute.skip_buffer("a node's data")?;
        let acl = jute.long("a node's ACL reference")?;
        let stat = StatPersisted {
            czxid: jute.long("a node's stat")?,
            mzxid: jute.long("a node's stat")?,
            ctime: jute.long("a node's stat")?,
            mtime: jute.long("a node's stat")?,
            version: jute.int("a node's stat")?,
            cversion: jute.int("a node's stat")?,
            aversion: jute.int("a node's stat")?,
            ephemeral_owner: jute.long("a node's stat")?,
            pzxid: jute.long("a node's stat")?,
        };
        if acl != -1 && !snapshot.acls.contains_key(&acl) {
            return Err(jute.invalid(
                "a node's ACL reference",
                format!("{path:?} refers to ACL list {acl}, which the cache lacks"),
            ));
        }
        snapshot.znodes += 1;
        snapshot.data_bytes += data_len;
        snapshot.max_node_zxid = snapshot
            .max_node_zxid
            .max(stat.czxid)
            .max(stat.mzxid)
            .max(stat.pzxid);
        visit(&SnapshotNode {
            path: &path,
            data_len,
            acl,
            stat,
        });
    }
    jute.seal()?;
    read_snapshot_trailer(&mut jute, &mut snapshot)?;
    snapshot.bytes = jute.offset;
    Ok(snapshot)
}

/// After the first seal: nothing (3.4, 3.5), the tree digest and its seal (3.6+), and the
/// last processed zxid and its seal (3.9). Which of them are there depends on the server's
/// settings, so the rest (a few dozen bytes) is read whole and matched against each shape.
fn read_snapshot_trailer<R: Read>(
    jute: &mut Jute<R>,
    snapshot: &mut Snapshot,
) -> Result<(), FormatError> {
    let start = jute.offset;
    let adler = jute.adler;
    let mut rest = Vec::new();
    (&mut jute.inner)
        .take(1024)
        .read_to_end(&mut rest)
        .map_err(|err| FormatError::Io(err.to_string()))?;
    if rest.is_empty() {
        return Ok(());
    }
    if rest.len() >= 1024 {
        return Err(FormatError::Invalid {
            offset: start,
            what: "the end of the snapshot",
            detail: "more bytes follow the last checksum than ZooKeeper writes".into(),
        });
    }
    let shapes: [(bool, bool); 2] = [(true, true), (true, false)];
    let mut first_error = None;
    for (digest, last) in shapes.into_iter().chain(std::iter::once((false, true))) {
        let mut trial = Jute {
            inner: rest.as_slice(),
            offset: start,
            adler,
        };
        match trailer_shape(&mut trial, digest, last) {
            Ok((d, l)) if trial.inner.is_empty() => {
                snapshot.digest = d;
                snapshot.last_processed_zxid = l;
                jute.offset = trial.offset;
                jute.adler = trial.adler;
                return Ok(());
            }
            Ok(_) => {}
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    Err(match first_error {
        Some(err @ FormatError::Checksum { .. }) => err,
        Some(FormatError::Truncated { offset, what }) => FormatError::Truncated { offset, what },
        _ => FormatError::Invalid {
            offset: start,
            what: "the end of the snapshot",
            detail: format!(
                "{} bytes after the checksum match no shape ZooKeeper writes",
                rest.len()
            ),
        },
    })
}

type Trailer = (Option<TreeDigest>, Option<i64>);

fn trailer_shape(jute: &mut Jute<&[u8]>, digest: bool, last: bool) -> Result<Trailer, FormatError> {
    let mut found = (None, None);
    if digest {
        let zxid = jute.long("the tree digest")?;
        let version = jute.int("the tree digest")?;
        let value = if version < 2 {
            let text = jute.string("the tree digest")?;
            i64::from_str_radix(&text, 16).unwrap_or(0)
        } else {
            jute.long("the tree digest")?
        };
        jute.seal()?;
        found.0 = Some(TreeDigest {
            zxid,
            version,
            digest: value,
        });
    }
    if last {
        found.1 = Some(jute.long("the last processed zxid")?);
        jute.seal()?;
    }
    Ok(found)
}

/// What a snapshot holds, from its bytes (counts only; the entry for fuzzing).
pub fn parse_snapshot(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    read_snapshot(bytes, |_| {})
}

/// A transaction's operation, as far as replaying paths needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum TxnOp {
    /// `create`, `create2`, `createContainer`, `createTTL`.
    Create {
        /// The new node.
        path: String,
        /// Bytes of data.
        data_len: u64,
        /// Whether the session owns it (ephemeral).
        ephemeral: bool,
    },
    /// `delete`, `deleteContainer`.
    Delete {
        /// The node deleted.
        path: String,
    },
    /// `setData`.
    SetData {
        /// The node.
        path: String,
        /// Bytes of data now.
        data_len: u64,
    },
    /// `setACL`.
    SetAcl {
        /// The node.
        path: String,
    },
    /// `check` (inside a multi).
    Check {
        /// The node.
        path: String,
    },
    /// `createSession`.
    CreateSession,
    /// `closeSession`: the session's ephemeral nodes go.
    CloseSession,
    /// A failed operation (inside a multi, every operation of a failed multi).
    Error,
    /// `multi`: several operations at one zxid.
    Multi(Vec<TxnOp>),
    /// `reconfig` and other types that touch no node.
    Other {
        /// The operation code.
        code: i32,
    },
}

/// One record of a transaction log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Txn {
    /// The session that asked.
    pub session: i64,
    /// The zxid.
    pub zxid: i64,
    /// When (ms since the epoch).
    pub time: i64,
    /// What it did.
    pub op: TxnOp,
}

/// A transaction log's header and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxnLog {
    /// The database id of the file header.
    pub dbid: i64,
    /// Records read.
    pub txns: u64,
    /// The first record's zxid.
    pub first_zxid: Option<i64>,
    /// The last record's zxid.
    pub last_zxid: Option<i64>,
    /// Whether the last record was partly written (its end mark missing), which ZooKeeper
    /// itself reads as the end of the log.
    pub torn_tail: bool,
}

// ZooDefs.OpCode.
const OP_CREATE: i32 = 1;
const OP_DELETE: i32 = 2;
const OP_SET_DATA: i32 = 5;
const OP_SET_ACL: i32 = 7;
const OP_CHECK: i32 = 13;
const OP_MULTI: i32 = 14;
const OP_CREATE2: i32 = 15;
const OP_DELETE_CONTAINER: i32 = 20;
const OP_CREATE_CONTAINER: i32 = 19;
const OP_CREATE_TTL: i32 = 21;
const OP_CREATE_SESSION: i32 = -10;
const OP_CLOSE_SESSION: i32 = -11;
const OP_ERROR: i32 = -1;

/// Reads a transaction log, calling `visit` for each record.
pub fn read_txn_log<R: Read>(
    reader: R,
    mut visit: impl FnMut(&Txn),
) -> Result<TxnLog, FormatError> {
    let mut jute = Jute::new(reader);
    let dbid = jute.header(LOG_MAGIC, "transaction log")?;
    let mut log = TxnLog {
        dbid,
        txns: 0,
        first_zxid: None,
        last_zxid: None,
        torn_tail: false,
    };
    loop {
        let mut crc = [0; 8];
        match jute.fill(&mut crc)? {
            0 => break,
            8 => {}
            _ => {
                return Err(FormatError::Truncated {
                    offset: jute.offset,
                    what: "a record's checksum",
                });
            }
        }
        let stored = i64::from_be_bytes(crc);
        let at = jute.offset - 8;
        let bytes = jute.buffer("a record")?;
        if bytes.is_empty() {
            // Preallocated zeros: the end of the log.
            break;
        }
        if jute.byte("a record's end mark")? != b'B' {
            log.torn_tail = true;
            break;
        }
        if stored != i64::from(Adler32::of(&bytes)) {
            return Err(FormatError::Checksum { offset: at });
        }
        let txn = parse_txn(&bytes).map_err(|detail| FormatError::Invalid {
            offset: at,
            what: "a record",
            detail,
        })?;
        if log.last_zxid.is_some_and(|last| txn.zxid < last) {
            return Err(FormatError::Invalid {
                offset: at,
                what: "a record",
                detail: format!("zxid {:#x} goes backwards", txn.zxid),
            });
        }
        log.txns += 1;
        log.first_zxid.get_or_insert(txn.zxid);
        log.last_zxid = Some(txn.zxid);
        visit(&txn);
    }
    Ok(log)
}

/// What a transaction log holds, from its bytes (the entry for fuzzing).
pub fn parse_txn_log(bytes: &[u8]) -> Result<TxnLog, FormatError> {
    read_txn_log(bytes, |_| {})
}

/// One record's bytes: `TxnHeader` and the transaction.
fn parse_txn(bytes: &[u8]) -> Result<Txn, String> {
    let mut jute = Jute::new(bytes);
    let mut go = || -> Result<Txn, FormatError> {
        let session = jute.long("the header")?;
        let _cxid = jute.int("the header")?;
        let zxid = jute.long("the header")?;
        let time = jute.long("the header")?;
        let code = jute.int("the header")?;
        let op = txn_op(&mut jute, code, 0)?;
        Ok(Txn {
            session,
            zxid,
            time,
            op,
        })
    };
    go().map_err(|err| err.to_string())
}

fn txn_op(jute: &mut Jute<&[u8]>, code: i32, depth: u8) -> Result<TxnOp, FormatError> {
    Ok(match code {
        OP_CREATE | OP_CREATE2 | OP_CREATE_CONTAINER | OP_CREATE_TTL => {
            let path = jute.string("a create")?;
            let data_len = jute.skip_buffer("a create")?;
            jute.acls()?;
            let ephemeral = match code {
                OP_CREATE | OP_CREATE2 => jute.byte("a create")? != 0,
                _ => false,
            };
            TxnOp::Create {
                path,
                data_len,
                ephemeral,
            }
        }
        OP_DELETE | OP_DELETE_CONTAINER => TxnOp::Delete {
            path: jute.string("a delete")?,
        },
        OP_SET_DATA => TxnOp::SetData {
            path: jute.string("a setData")?,
            data_len: jute.skip_buffer("a setData")?,
        },
        OP_SET_ACL => TxnOp::SetAcl {
            path: jute.string("a setACL")?,
        },
        OP_CHECK => TxnOp::Check {
            path: jute.string("a check")?,
        },
        OP_CREATE_SESSION => TxnOp::CreateSession,
        OP_CLOSE_SESSION => TxnOp::CloseSession,
        OP_ERROR => TxnOp::Error,
        OP_MULTI if depth == 0 => {
            let n = jute.vector_len("a multi")?;
            let mut ops = Vec::new();
            for _ in 0..n {
                let sub = jute.int("a multi")?;
                let data = jute.buffer("a multi")?;
                let mut inner = Jute::new(data.as_slice());
                ops.push(txn_op(&mut inner, sub, depth + 1)?);
            }
            TxnOp::Multi(ops)
        }
        code => TxnOp::Other { code },
    })
}

/// The zxid in a snapshot or log file name (`snapshot.1a`, `log.100000001`).
pub fn zxid_of_name(name: &str) -> Option<(FileKind, i64)> {
    let (kind, hex) = if let Some(hex) = name.strip_prefix("snapshot.") {
        (FileKind::Snapshot, hex)
    } else if let Some(hex) = name.strip_prefix("log.") {
        (FileKind::TxnLog, hex)
    } else {
        return None;
    };
    if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16)
        .ok()
        .map(|zxid| (kind, zxid as i64))
}

/// Which of ZooKeeper's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    /// `snapshot.<zxid>`.
    Snapshot,
    /// `log.<zxid>`.
    TxnLog,
}

/// The files a consistent copy of a data directory needs, as ZooKeeper itself picks them
/// when it loads (`FileTxnSnapLog.restore`, `Util.getLogFiles`): the newest snapshot, the
/// newest log starting at or before it, and every later log. `None` without a snapshot.
pub fn files_to_copy(names: &[String]) -> Option<(String, Vec<String>)> {
    let mut snaps = Vec::new();
    let mut logs = Vec::new();
    for name in names {
        match zxid_of_name(name) {
            Some((FileKind::Snapshot, zxid)) => snaps.push((zxid, name.clone())),
            Some((FileKind::TxnLog, zxid)) => logs.push((zxid, name.clone())),
            None => {}
        }
    }
    let (snap_zxid, snap) = snaps.into_iter().max()?;
    logs.sort();
    let first = logs
        .iter()
        .rposition(|(zxid, _)| *zxid <= snap_zxid)
        .unwrap_or(0);
    let logs = logs.into_iter().skip(first).map(|(_, n)| n).collect();
    Some((snap, logs))
}

/// The paths of a database as a snapshot and the logs after it leave it, replayed as
/// ZooKeeper replays them on load (transactions after the snapshot's zxid). Memory grows
/// with the number of nodes, not with their data.
#[derive(Debug, Default)]
pub struct Replay {
    nodes: BTreeMap<String, (u64, i64)>,
    snapshot_zxid: i64,
    last_zxid: i64,
}

/// What a replay found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseSummary {
    /// Nodes, the root and `/zookeeper` included.
    pub znodes: u64,
    /// Bytes of data over all nodes.
    pub data_bytes: u64,
    /// The highest zxid: the snapshot's or the last replayed transaction's (`0x…` in JSON).
    #[serde(serialize_with = "zxid_hex")]
    pub last_zxid: i64,
    /// Children of the root, sorted.
    pub top_level: Vec<String>,
}

fn zxid_hex<S: serde::Serializer>(zxid: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("0x{:x}", *zxid as u64))
}

impl Replay {
    /// Starts from the snapshot named for `snapshot_zxid`.
    pub fn new(snapshot_zxid: i64) -> Self {
        Self {
            nodes: BTreeMap::new(),
            snapshot_zxid,
            last_zxid: snapshot_zxid,
        }
    }

    /// A node of the snapshot.
    pub fn node(&mut self, node: &SnapshotNode<'_>) {
        let path = if node.path.is_empty() { "/" } else { node.path };
        self.nodes
            .insert(path.to_owned(), (node.data_len, node.stat.ephemeral_owner));
    }

    /// A transaction of a log; those the snapshot already holds are skipped.
    pub fn txn(&mut self, txn: &Txn) {
        if txn.zxid <= self.snapshot_zxid {
            return;
        }
        self.last_zxid = self.last_zxid.max(txn.zxid);
        self.apply(&txn.op, txn.session);
    }

    fn apply(&mut self, op: &TxnOp, session: i64) {
        match op {
            TxnOp::Create {
                path,
                data_len,
                ephemeral,
            } => {
                let owner = if *ephemeral { session } else { 0 };
                self.nodes.insert(path.clone(), (*data_len, owner));
            }
            TxnOp::Delete { path } => {
                self.nodes.remove(path);
            }
            TxnOp::SetData { path, data_len } => {
                if let Some(node) = self.nodes.get_mut(path) {
                    node.0 = *data_len;
                }
            }
            TxnOp::CloseSession => self.nodes.retain(|_, (_, owner)| *owner != session),
            TxnOp::Multi(ops) => {
                for op in ops {
                    self.apply(op, session);
                }
            }
            _ => {}
        }
    }

    /// The summary.
    pub fn summary(&self) -> DatabaseSummary {
        let top_level: BTreeSet<String> = self
            .nodes
            .keys()
            .filter_map(|p| {
                let rest = p.strip_prefix('/')?;
                (!rest.is_empty() && !rest.contains('/')).then(|| p.clone())
            })
            .collect();
        DatabaseSummary {
            znodes: self.nodes.len() as u64,
            data_bytes: self.nodes.values().map(|(len, _)| len).sum(),
            last_zxid: self.last_zxid,
            top_level: top_level.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests;
