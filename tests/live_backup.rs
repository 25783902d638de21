//! `backup`, `backup inspect` and `restore` against the test cluster, judged by an
//! independent client (kazoo): 1000 znodes with distinct data and one with a digest ACL are
//! backed up while a writer writes, the ensemble is uninstalled with its data and installed
//! fresh, and after `restore` every member holds every znode with its data and ACL, and every
//! write acknowledged at or before the backup's last zxid; the replaced data stays on every
//! volume and the printed way back returns to it; damaged files are refused with nothing
//! changed, and so is an ensemble that is not healthy. And the seeds' 3.4.10 backup restored
//! into its own ensemble and into an official 3.9 ensemble in another namespace.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::cluster::Cluster;
use common::writer::Writer;
use common::{assert_exit, assert_valid, python, stderr, stdout};
use serde_json::Value;

/// kazoo: `write HOST N` creates `/bk/n0000`… with distinct data and `/bk-secret` readable
/// only by digest alice:pw; `write-after HOST` creates `/after`; `read HOST` prints what a member holds: the `/bk` children whose
/// data is not what was written, the count, `/bk-secret`'s data and ACL, every znode of the
/// tree counted, and the czxid of each path given on stdin that exists (for the writer's).
const TREE: &str = r#"
import json, sys
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl
mode, host = sys.argv[1], sys.argv[2]
zk = KazooClient(hosts=host, timeout=20, auth_data=[("digest", "alice:pw")])
zk.start(timeout=60)
def data(i):
    return ("data-%d-%s" % (i, "x" * (i % 50))).encode()
if mode == "write":
    n = int(sys.argv[3])
    zk.ensure_path("/bk")
    for i in range(n):
        zk.create("/bk/n%04d" % i, data(i))
    zk.create("/bk-secret", b"s3cret", acl=[make_digest_acl("alice", "pw", all=True)])
    print(json.dumps({"ok": True}))
elif mode == "write-after":
    zk.create("/after", b"after the backup")
    print(json.dumps({"ok": True}))
else:
    zk.sync("/")
    out = {"count": 0, "bad": [], "secret": None, "acl": None, "znodes": 0, "czxid": {}}
    if zk.exists("/bk"):
        kids = zk.get_children("/bk")
        out["count"] = len(kids)
        out["bad"] = [k for k in kids if zk.get("/bk/" + k)[0] != data(int(k[1:]))]
    if zk.exists("/bk-secret"):
        out["secret"] = zk.get("/bk-secret")[0].decode()
        out["acl"] = [[a.perms, a.id.scheme, a.id.id] for a in zk.get_acls("/bk-secret")[0]]
    stack = ["/"]
    while stack:
        path = stack.pop()
        out["znodes"] += 1
        for child in zk.get_children(path):
            stack.append(path.rstrip("/") + "/" + child)
    for line in sys.stdin.read().split():
        stat = zk.exists(line)
        if stat:
            out["czxid"][line] = stat.czxid
    print(json.dumps(out))
zk.stop()
"#;

fn kazoo(cluster: &Cluster, ns: &str, pod: &str, args: &[&str], paths: &[String]) -> Value {
    let address = cluster.client_address(ns, pod);
    let mut child = Command::new(python())
        .arg("-c")
        .arg(TREE)
        .arg(args[0])
        .arg(&address)
        .args(&args[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(paths.join("\n").as_bytes())
            .expect("write paths");
    }
    let out = child.wait_with_output().expect("kazoo ends");
    assert!(
        out.status.success(),
        "kazoo on {pod}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_str(stdout(&out).trim()).expect("kazoo JSON")
}

/// `backup inspect FILE -o json`: the document and the exit code.
fn inspect(cluster: &Cluster, file: &str) -> (Value, Option<i32>) {
    let out = cluster.zk(&["backup", "inspect", file, "-o", "json"]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("inspect -o json: {e}: {}{}", stdout(&out), stderr(&out)));
    (json, out.status.code())
}

/// The one line a refusal prints, and that nothing else was printed.
fn assert_one_line_refusal(out: &std::process::Output, code: i32, words: &str) {
    assert_exit(out, code);
    let err = stderr(out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(words), "{err}");
}

/// Every member of `ns` holds the 1000 znodes with their data and the secret with its ACL.
fn assert_tree_everywhere(cluster: &Cluster, ns: &str, expected_znodes: Option<u64>) {
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let view = kazoo(cluster, ns, pod, &["read"], &[]);
        assert_eq!(view["count"], 1000, "{pod}: {view}");
        assert_eq!(view["bad"], serde_json::json!([]), "{pod}: {view}");
        assert_eq!(view["secret"], "s3cret", "{pod}");
        let acl = view["acl"].to_string();
        assert!(
            acl.contains("\"digest\"") && acl.contains("alice:") && acl.contains("31"),
            "{pod}: {acl}"
        );
        if let Some(n) = expected_znodes {
            assert_eq!(view["znodes"], n, "{pod}: every znode of the backup");
        }
    }
}

fn damaged_copies(dir: &Path, good: &Path) -> (String, String) {
    let bytes = std::fs::read(good).expect("backup");
    let truncated = dir.join("truncated.zkbackup");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).expect("write");
    let mut flipped = bytes.clone();
    let at = bytes.len() - 200;
    flipped[at] ^= 0x01;
    let flipped_path = dir.join("flipped.zkbackup");
    std::fs::write(&flipped_path, &flipped).expect("write");
    (
        truncated.display().to_string(),
        flipped_path.display().to_string(),
    )
}

#[test]
fn official_backup_restore_after_delete_and_the_way_back() {
    let started = Instant::now();
    let cluster = Cluster::start(4);
    let dir = tempfile::tempdir().expect("temp dir");
    cluster.install(&[]);
    kazoo(&cluster, "default", "zk-0", &["write", "1000"], &[]);

    // A backup while a writer writes.
    let file = dir.path().join("zk.zkbackup");
    let file_arg = file.display().to_string();
    let writer = Writer::start(&cluster, "default");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let out = cluster.zk(&["backup", "-f", &file_arg, "-o", "json"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let written = writer.stop();
    assert_exit(&out, 0);
    assert_valid("Backup", &stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let header = &report["header"];
    assert_ne!(header["member"], "", "{report}");
    let last_zxid = u64::from_str_radix(
        header["lastZxid"]
            .as_str()
            .expect("lastZxid")
            .trim_start_matches("0x"),
        16,
    )
    .expect("hex");
    eprintln!(
        "backup: {} bytes from {} at {} in {} s",
        report["fileBytes"], header["member"], header["lastZxid"], report["seconds"]
    );

    // inspect says what the file holds.
    let (inspection, code) = inspect(&cluster, &file_arg);
    assert_eq!(code, Some(0), "{inspection}");
    assert_valid("BackupInspection", &inspection.to_string());
    assert_eq!(inspection["database"]["lastZxid"], header["lastZxid"]);
    assert_eq!(inspection["database"]["znodes"], header["znodes"]);
    let znodes = inspection["database"]["znodes"].as_u64().expect("znodes");
    assert!(znodes > 1000 + 2 + 4, "{inspection}");

    // Official 3.9 takes the AdminServer's snapshot; the exec copy works there too.
    assert_eq!(header["source"], "adminSnapshot", "{report}");
    let copied = dir.path().join("copied.zkbackup").display().to_string();
    let out = cluster.zk(&["backup", "-f", &copied, "--source", "data-dir"]);
    assert_exit(&out, 0);
    let (copy, code) = inspect(&cluster, &copied);
    assert_eq!(code, Some(0), "{copy}");
    assert_eq!(copy["header"]["source"], "dataDir");
    assert!(
        copy["database"]["znodes"].as_u64() >= Some(znodes),
        "{copy}"
    );

    // The writer's acknowledged writes with their zxids, from the ensemble that took them.
    let acked: Vec<String> = written
        .acked
        .iter()
        .map(|name| format!("/scale/{name}"))
        .collect();
    let live = kazoo(&cluster, "default", "zk-0", &["read"], &acked);
    let czxids: BTreeMap<String, u64> = live["czxid"]
        .as_object()
        .expect("czxid")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("zxid")))
        .collect();
    assert_eq!(czxids.len(), acked.len(), "every acknowledged write exists");
    let before: Vec<String> = czxids
        .iter()
        .filter(|(_, z)| **z <= last_zxid)
        .map(|(p, _)| p.clone())
        .collect();
    assert!(!before.is_empty(), "the writer wrote before the backup");

    // Damaged files: refused by inspect and restore, one line, exit 2, nothing changed.
    let (truncated, flipped) = damaged_copies(dir.path(), &file);
    let pods_before = cluster.uids("default", "pod");
    for bad in [&truncated, &flipped] {
        let out = cluster.zk(&["backup", "inspect", bad]);
        assert_one_line_refusal(&out, 2, "is not a usable backup");
        let out = cluster.zk(&["restore", "-f", bad, "--yes"]);
        assert_one_line_refusal(&out, 2, "is not a usable backup");
    }
    assert_eq!(
        cluster.uids("default", "pod"),
        pods_before,
        "nothing changed"
    );

    // Gone with its data, installed fresh, restored.
    let out = cluster.zk(&["uninstall", "--delete-data", "--yes"]);
    assert_exit(&out, 0);
    cluster.install(&[]);
    let restore_started = Instant::now();
    let out = cluster.zk(&["restore", "-f", &file_arg, "--yes", "--timeout", "4m"]);
    assert_exit(&out, 0);
    eprintln!("restore: {:.1} s", restore_started.elapsed().as_secs_f64());
    let printed = stdout(&out);
    let way_back = printed
        .lines()
        .find_map(|l| l.strip_prefix("To go back: kubectl zk "))
        .expect("the way back is printed")
        .to_owned();
    assert_tree_everywhere(&cluster, "default", Some(znodes));
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let view = kazoo(&cluster, "default", pod, &["read"], &before);
        let found = view["czxid"].as_object().map_or(0, |m| m.len());
        assert_eq!(
            found,
            before.len(),
            "{pod}: every write acknowledged at or before {last_zxid:#x} is restored"
        );
    }

    // The replaced data is still on every volume.
    let stamp = way_back.rsplit(' ').next().expect("stamp").to_owned();
    for pod in ["zk-0", "zk-1", "zk-2"] {
        for dir in ["/data", "/data/log"] {
            let listing = cluster.k(&["exec", pod, "--", "ls", dir]);
            assert!(
                listing.contains(&format!("version-2.before-restore-{stamp}")),
                "{pod}:{dir}: {listing}"
            );
        }
    }

    // The printed way back returns to it: the fresh ensemble's empty tree.
    let mut argv: Vec<&str> = way_back.split(' ').collect();
    argv.push("--yes");
    let out = cluster.zk(&argv);
    assert_exit(&out, 0);
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let view = kazoo(&cluster, "default", pod, &["read"], &[]);
        assert_eq!(
            view["count"], 0,
            "{pod}: back to the data before the restore"
        );
        assert_eq!(view["secret"], Value::Null, "{pod}");
    }
    // A restore killed (SIGKILL) once its first volume is done leaves the members stopped and
    // its journal on the StatefulSet; another source is refused; the same command finishes it.
    let journal = || {
        cluster.k(&[
            "get",
            "sts",
            "zk",
            "-o",
            "jsonpath={.metadata.annotations.kubectl-zk\\.io/restore}",
        ])
    };
    let mut killed = Command::new(common::plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["restore", "-f", &file_arg, "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the plugin runs");
    cluster.wait_for(
        "the first volume restored",
        std::time::Duration::from_secs(120),
        || {
            let text = journal();
            let done: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            (done["done"].as_array().is_some_and(|d| !d.is_empty())).then_some(())
        },
    );
    killed.kill().expect("SIGKILL");
    let _ = killed.wait();
    let replicas = cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas.trim(), "0", "the members stay stopped");
    assert!(!journal().is_empty(), "the journal stays");
    let out = cluster.zk(&["restore", "--back-to", &stamp, "--yes"]);
    assert_one_line_refusal(&out, 1, "is not finished");
    let out = cluster.zk(&["restore", "-f", &file_arg, "--yes", "--timeout", "4m"]);
    assert_exit(&out, 0);
    assert!(journal().is_empty(), "the journal is removed when done");
    assert_tree_everywhere(&cluster, "default", Some(znodes));

    // An ensemble that is not healthy is refused: exit 1, one line, nothing changed.
    let cordoned = cluster.hold_down("zk-2", &["zk-0", "zk-1"], 4);
    let pods_before = cluster.uids("default", "pod");
    let out = cluster.zk(&["restore", "-f", &file_arg, "--yes"]);
    assert_one_line_refusal(&out, 1, "is not healthy");
    assert_eq!(
        cluster.uids("default", "pod"),
        pods_before,
        "nothing changed"
    );
    let replicas = cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas.trim(), "3");
    let mut uncordon = vec!["uncordon"];
    uncordon.extend(cordoned.iter().map(String::as_str));
    cluster.k(&uncordon);
    eprintln!("official: {:.0} s", started.elapsed().as_secs_f64());
}

#[test]
fn seeds_backup_restores_into_official_in_another_namespace() {
    let started = Instant::now();
    let cluster = Cluster::start(4);
    let dir = tempfile::tempdir().expect("temp dir");
    cluster.install(&[
        "-n",
        "seeds",
        "--create-namespace",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
    ]);
    kazoo(&cluster, "seeds", "zk-0", &["write", "1000"], &[]);
    let file = dir.path().join("seeds.zkbackup");
    let file_arg = file.display().to_string();
    let out = cluster.zk(&["backup", "-n", "seeds", "-f", &file_arg]);
    assert_exit(&out, 0);
    let (inspection, code) = inspect(&cluster, &file_arg);
    assert_eq!(code, Some(0), "{inspection}");
    assert_eq!(inspection["header"]["zookeeperVersion"], "3.4.10");
    // The root, /zookeeper, /zookeeper/quota, /bk, its 1000 children, /bk-secret.
    assert_eq!(inspection["database"]["znodes"], 1005, "{inspection}");

    // A 3.9 ensemble cannot be restored into the 3.4 one the other way round: exit 1.
    cluster.install(&["-n", "other", "--create-namespace"]);
    let official = dir.path().join("official.zkbackup");
    let official_arg = official.display().to_string();
    assert_exit(
        &cluster.zk(&["backup", "-n", "other", "-f", &official_arg]),
        0,
    );
    let out = cluster.zk(&["restore", "-n", "seeds", "-f", &official_arg, "--yes"]);
    assert_one_line_refusal(&out, 1, "cannot read");

    // Into the seeds' ensemble itself (OrderedReady, 3.4): what was written after is gone.
    kazoo(&cluster, "seeds", "zk-0", &["write-after"], &[]);
    let out = cluster.zk(&["restore", "-n", "seeds", "-f", &file_arg, "--yes"]);
    assert_exit(&out, 0);
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let view = kazoo(&cluster, "seeds", pod, &["read"], &["/after".to_owned()]);
        assert_eq!(view["count"], 1000, "{pod}: {view}");
        assert_eq!(
            view["czxid"],
            serde_json::json!({}),
            "{pod}: /after is not in the backup"
        );
        assert_eq!(view["znodes"], 1005, "{pod}");
    }

    let out = cluster.zk(&[
        "restore",
        "-n",
        "other",
        "-f",
        &file_arg,
        "--yes",
        "--timeout",
        "4m",
    ]);
    assert_exit(&out, 0);
    // 3.9 adds /zookeeper/config.
    assert_tree_everywhere(&cluster, "other", Some(1006));
    eprintln!(
        "seeds into official: {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
