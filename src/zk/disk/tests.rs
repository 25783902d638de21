//! The parsers against real files written by ZooKeeper 3.4.10 and 3.9.4
//! (`tests/fixtures/zk-disk/`, see its README), and damaged copies of them.

use super::*;

fn fixture(version: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/zk-disk/{version}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn names(version: &str) -> Vec<String> {
    let dir = format!(
        "{}/tests/fixtures/zk-disk/{version}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Replays a fixture directory as a restore would load it.
fn replay(version: &str) -> DatabaseSummary {
    let (snap, logs) = files_to_copy(&names(version)).expect("a snapshot");
    let (_, zxid) = zxid_of_name(&snap).expect("snapshot name");
    let mut replay = Replay::new(zxid);
    read_snapshot(fixture(version, &snap).as_slice(), |n| replay.node(n)).expect("snapshot");
    for log in logs {
        read_txn_log(fixture(version, &log).as_slice(), |t| replay.txn(t)).expect("log");
    }
    replay.summary()
}

#[test]
fn adler32_matches_known_values() {
    assert_eq!(Adler32::of(b""), 1);
    assert_eq!(Adler32::of(b"Wikipedia"), 0x11E6_0398);
    let big = vec![0xffu8; 100_000];
    let mut split = Adler32::default();
    split.update(&big[..33_333]);
    split.update(&big[33_333..]);
    assert_eq!(split.value(), Adler32::of(&big));
}

#[test]
fn snapshot_3_4_10() {
    let mut paths = Vec::new();
    let snap = read_snapshot(fixture("3.4.10", "snapshot.9").as_slice(), |n| {
        paths.push(n.path.to_owned())
    })
    .expect("parses");
    assert_eq!(paths[0], "", "the root comes first");
    assert!(paths.contains(&"/zookeeper/quota".to_owned()));
    assert_eq!(snap.znodes, paths.len() as u64);
    assert_eq!(snap.digest, None, "3.4 writes no digest");
    assert_eq!(snap.last_processed_zxid, None);
    assert_eq!(snap.bytes, fixture("3.4.10", "snapshot.9").len() as u64);
    assert!(snap.max_node_zxid <= 0x9 + 5, "fuzzy by a few txns at most");
}

#[test]
fn snapshot_3_9_4_has_digest_and_last_zxid() {
    let bytes = fixture("3.9.4", "snapshot.11");
    let snap = parse_snapshot(&bytes).expect("parses");
    let digest = snap.digest.expect("3.9 writes the tree digest");
    assert_eq!(digest.version, 2);
    assert_eq!(snap.last_processed_zxid, Some(0x11));
    assert_eq!(snap.bytes, bytes.len() as u64);
    // The digest-protected node: its ACL is digest alice, all permissions.
    let alice = snap
        .acls
        .values()
        .flatten()
        .find(|a| a.scheme == "digest")
        .expect("the /secret ACL");
    assert!(alice.id.starts_with("alice:"));
    assert_eq!(alice.perms, 31);
}

#[test]
fn logs_read_to_their_padding() {
    let log = parse_txn_log(&fixture("3.9.4", "log.1")).expect("parses");
    assert_eq!(log.first_zxid, Some(1));
    assert_eq!(log.last_zxid, Some(0x11));
    assert!(!log.torn_tail);
    let mut ops = Vec::new();
    for name in ["log.1", "log.b"] {
        read_txn_log(fixture("3.4.10", name).as_slice(), |t| {
            ops.push(t.op.clone())
        })
        .expect("parses");
    }
    assert!(ops.contains(&TxnOp::Create {
        path: "/app/n03".into(),
        data_len: 7,
        ephemeral: false
    }));
    assert!(ops.contains(&TxnOp::Delete {
        path: "/app/n09".into()
    }));
}

#[test]
fn a_replay_gives_the_tree_the_writer_left() {
    // Both fixtures: /app with n00..n08 (n09 deleted), /secret, /empty, /later; the
    // ephemeral /app/eph went with its session.
    for (version, zookeeper_nodes) in [("3.4.10", 2), ("3.9.4", 3)] {
        let summary = replay(version);
        assert_eq!(
            summary.top_level,
            ["/app", "/empty", "/later", "/secret", "/zookeeper"],
            "{version}"
        );
        assert_eq!(summary.znodes, 1 + zookeeper_nodes + 1 + 9 + 3, "{version}");
        // "top" + "changed" + 8 × "value-N" + "hidden" + "after-snapshot"
        assert!(summary.data_bytes >= 3 + 7 + 56 + 6 + 14, "{version}");
    }
    assert_eq!(replay("3.4.10").last_zxid, 0x15);
    assert_eq!(replay("3.9.4").last_zxid, 0x15);
}

#[test]
fn files_to_copy_picks_the_newest_snapshot_and_the_logs_it_needs() {
    let names: Vec<String> = [
        "log.1",
        "log.b",
        "log.12",
        "snapshot.0",
        "snapshot.9",
        "myid",
    ]
    .map(String::from)
    .to_vec();
    let (snap, logs) = files_to_copy(&names).expect("snapshot");
    assert_eq!(snap, "snapshot.9");
    assert_eq!(logs, ["log.1", "log.b", "log.12"]);
    let names: Vec<String> = ["log.1", "log.b", "snapshot.c"].map(String::from).to_vec();
    assert_eq!(
        files_to_copy(&names),
        Some(("snapshot.c".into(), vec!["log.b".into()]))
    );
    assert_eq!(files_to_copy(&["log.1".to_owned()]), None);
    assert_eq!(zxid_of_name("snapshot.1z"), None);
    assert_eq!(
        zxid_of_name("log.100000001"),
        Some((FileKind::TxnLog, 0x1_0000_0001))
    );
}

#[test]
fn every_truncation_of_a_snapshot_is_an_error() {
    for (version, name) in [("3.4.10", "snapshot.9"), ("3.9.4", "snapshot.11")] {
        let bytes = fixture(version, name);
        let whole = parse_snapshot(&bytes).expect("parses");
        for len in 0..bytes.len() {
            // The format cannot tell a 3.9 snapshot cut right after a seal from one written
            // without what follows (ZooKeeper reads both); the backup file's own checksum
            // and sizes catch that cut.
            if let Ok(cut) = parse_snapshot(&bytes[..len]) {
                assert!(
                    whole.digest.is_some() && cut.last_processed_zxid.is_none(),
                    "{version}/{name} cut at {len} was accepted"
                );
            }
        }
    }
}

#[test]
fn every_flipped_byte_of_a_snapshot_is_an_error() {
    for (version, name) in [("3.4.10", "snapshot.9"), ("3.9.4", "snapshot.11")] {
        let bytes = fixture(version, name);
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            assert!(
                parse_snapshot(&bad).is_err(),
                "{version}/{name} with byte {at} flipped was accepted"
            );
        }
    }
}

#[test]
fn a_damaged_log_record_is_an_error_and_nothing_panics() {
    for version in ["3.4.10", "3.9.4"] {
        let bytes = fixture(version, "log.1");
        let whole = parse_txn_log(&bytes).expect("parses");
        // The records end where the zeros start (the last record ends with 'B').
        let end = bytes.iter().rposition(|&b| b == b'B').expect("a record") + 1;
        // Bytes 8..16 are the dbid, which no checksum covers (ZooKeeper ignores it).
        for at in (0..end).filter(|at| !(8..16).contains(at)) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            match parse_txn_log(&bad) {
                Err(_) => {}
                Ok(log) => assert!(
                    log.torn_tail && log.txns < whole.txns,
                    "{version} log.1 with byte {at} flipped was accepted whole"
                ),
            }
        }
        for len in 0..end {
            if let Ok(log) = parse_txn_log(&bytes[..len]) {
                assert!(log.txns <= whole.txns);
            }
        }
        assert!(matches!(
            parse_txn_log(&bytes[..end - 1]),
            Err(FormatError::Truncated { .. })
        ));
    }
}

#[test]
fn wrong_files_are_named() {
    let log = fixture("3.9.4", "log.1");
    assert!(matches!(
        parse_snapshot(&log),
        Err(FormatError::BadMagic {
            expected: "snapshot",
            ..
        })
    ));
    assert_eq!(
        parse_snapshot(&[0x1f, 0x8b, 8, 0]),
        Err(FormatError::Compressed("gzip"))
    );
    assert!(matches!(
        parse_txn_log(b""),
        Err(FormatError::Truncated { .. })
    ));
}

/// A small deterministic stand-in for fuzzing (the entries are `parse_snapshot` and
/// `parse_txn_log`): real files with random bytes overwritten, inserted and cut, and random
/// bytes after a valid header. Nothing may panic; every answer is a value or a typed error.
#[test]
fn random_damage_never_panics() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let files = [
        fixture("3.4.10", "snapshot.9"),
        fixture("3.9.4", "snapshot.11"),
        fixture("3.4.10", "log.1"),
        fixture("3.9.4", "log.12"),
    ];
    for round in 0..4000 {
        let mut bytes = files[round % files.len()].clone();
        for _ in 0..=(next() % 4) {
            let at = (next() as usize) % bytes.len().max(1);
            match next() % 3 {
                0 => bytes[at] = next() as u8,
                1 => bytes.insert(at, next() as u8),
                _ => bytes.truncate(at.max(16)),
            }
        }
        if round % 7 == 0 {
            bytes.truncate(16);
            bytes.extend((0..next() % 512).map(|_| next() as u8));
        }
        let _ = parse_snapshot(&bytes);
        let _ = parse_txn_log(&bytes);
    }
}
