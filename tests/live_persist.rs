//! `persist-check` against the test cluster: the sentinel is replicated to every member and
//! removed afterwards (checked with an independent client, kazoo); data written before
//! `--recreate` survives on the same claims; a member kept down fails the check by name;
//! `--restart` rolls the leader last; Ctrl-C during a re-creation still re-creates and cleans
//! up. kazoo reads the sentinel persist-check writes, on the pinned 3.9 and on the seeds' 3.4.10.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::cluster::Cluster;
use common::{plugin, python, stderr, stdout};
use serde_json::Value;

/// An independent ZooKeeper client: kazoo, from the test virtualenv, connected to one pod's IP.
const KAZOO: &str = r#"
import json, sys
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=20)
op, path = sys.argv[2], sys.argv[3]
try:
    if op == "create":
        zk.create(path, sys.argv[4].encode(), makepath=True)
        print("created")
    elif op == "get":
        zk.sync(path)
        print(zk.get(path)[0].decode())
    elif op == "children":
        print(json.dumps(sorted(zk.get_children(path))))
except NoNodeError:
    print("NONODE")
finally:
    zk.stop()
"#;

/// Runs one kazoo operation against `pod`; its output line.
fn kazoo(cluster: &Cluster, ns: &str, pod: &str, op: &[&str]) -> String {
    let address = cluster.client_address(ns, pod);
    let out = Command::new(python())
        .arg("-c")
        .arg(KAZOO)
        .arg(&address)
        .args(op)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "kazoo {op:?} on {pod}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out).trim().to_owned()
}

/// kazoo watching for the first child of `argv[2]` on the server `argv[1]`: prints `watching`
/// once its session is up, then, as soon as a child appears (ZooKeeper watches, no polling),
/// the child's path and data, one per line.
const KAZOO_WATCH: &str = r#"
import sys, threading
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=20)
root = sys.argv[2]
changed = threading.Event()
def wake(_event):
    changed.set()
print("watching", flush=True)
while True:
    changed.clear()
    if zk.exists(root, watch=wake):
        children = zk.get_children(root, watch=wake)
        if children:
            path = root + "/" + sorted(children)[0]
            print(path)
            print(zk.get(path)[0].decode(), flush=True)
            break
    changed.wait()
zk.stop()
"#;

/// `persist-check -o json -n NS ARGS` while kazoo, an independent client connected to `zk-2`,
/// watches for the sentinel: kazoo must read exactly the path and data the report says
/// persist-check wrote. The report and the exit code.
fn persist_check_read_by_kazoo(cluster: &Cluster, ns: &str, args: &[&str]) -> (Value, Option<i32>) {
    let address = cluster.client_address(ns, "zk-2");
    let mut watcher = Command::new(python())
        .arg("-c")
        .arg(KAZOO_WATCH)
        .arg(&address)
        .arg("/kubectl-zk/persist-check")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python runs");
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(watcher.stdout.take().expect("stdout"));
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = |what: &str| {
        rx.recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("kazoo: no {what}"))
    };
    assert_eq!(line("session"), "watching");
    let mut child = Command::new(plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["persist-check", "-o", "json", "-n", ns])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("persist-check runs");
    // Progress goes to stderr: drain it meanwhile, so a full pipe never stops the run.
    let mut progress = child.stderr.take().expect("stderr");
    let drained = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut progress, &mut text);
        text
    });
    let path = line("sentinel path");
    let data = line("sentinel data");
    let _ = watcher.wait();
    let out = child.wait_with_output().expect("persist-check ends");
    let progress = drained.join().unwrap_or_default();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{progress}", stdout(&out)));
    assert_eq!(report["sentinel"], path.as_str(), "{report:#}");
    assert_eq!(report["sentinelData"], data.as_str(), "{report:#}");
    (report, out.status.code())
}

/// No sentinel is left under `/kubectl-zk/persist-check`, as kazoo sees it through `pod`.
fn assert_no_sentinel(cluster: &Cluster, ns: &str, pod: &str) {
    let children = kazoo(cluster, ns, pod, &["children", "/kubectl-zk/persist-check"]);
    assert!(
        children == "NONODE" || children == "[]",
        "sentinels left: {children}"
    );
}

fn wait_healthy(cluster: &Cluster, ns: &str) {
    cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        (cluster.zk(&["status", "-n", ns]).status.code() == Some(0)).then_some(())
    });
}

/// `persist-check -o json` with `args`: the report and the exit code.
fn persist_check(cluster: &Cluster, args: &[&str]) -> (Value, Option<i32>) {
    cluster.zk_json("persist-check", args)
}

/// The checklist as (check, subject) → (result, reason).
fn checks(report: &Value) -> BTreeMap<(String, String), (String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                (
                    c["check"].as_str().unwrap_or_default().to_owned(),
                    c["subject"].as_str().unwrap_or_default().to_owned(),
                ),
                (
                    c["result"].as_str().unwrap_or_default().to_owned(),
                    c["reason"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

fn result<'a>(
    checks: &'a BTreeMap<(String, String), (String, String)>,
    check: &str,
    subject: &str,
) -> &'a (String, String) {
    checks
        .get(&(check.to_owned(), subject.to_owned()))
        .unwrap_or_else(|| panic!("no {check} check for {subject}: {checks:?}"))
}

#[test]
fn persist_check_passes_keeps_data_across_recreate_and_names_a_member_down() {
    let cluster = Cluster::start(4);
    cluster.install(&[]);
    wait_healthy(&cluster, "default");

    // A healthy ensemble passes: the sentinel is read back from every member over its own
    // port-forward, every data dir is on a Bound claim, and clean-up removed it.
    let (report, code) = persist_check(&cluster, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    let list = checks(&report);
    let claims = cluster.uids("default", "pvc");
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let (verdict, reason) = result(&list, "replication", pod);
        assert_eq!(verdict, "pass", "{pod}: {reason}");
        assert!(reason.contains("via port-forward"), "{reason}");
        let (verdict, reason) = result(&list, "storage", pod);
        assert_eq!(verdict, "pass", "{pod}: {reason}");
        let claim = format!("datadir-{pod}");
        assert!(claims.contains_key(&claim), "{claims:?}");
        assert!(
            reason.contains(&format!("/data is on PVC {claim}, Bound")),
            "{reason}"
        );
    }
    assert_eq!(result(&list, "cleanup", "-").0, "pass");
    assert!(
        report["sentinel"]
            .as_str()
            .is_some_and(|s| s.starts_with("/kubectl-zk/persist-check/")),
        "{report:#}"
    );
    assert_no_sentinel(&cluster, "default", "zk-1");

    // Without a terminal and without --yes, --recreate refuses and changes nothing.
    let sets = cluster.uids("default", "statefulset");
    let pods = cluster.uids("default", "pod");
    let out = cluster.zk(&["persist-check", "--recreate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert_eq!(cluster.uids("default", "statefulset"), sets);
    assert_eq!(cluster.uids("default", "pod"), pods);

    // Data written before --recreate survives it, on the same claims.
    kazoo(
        &cluster,
        "default",
        "zk-0",
        &["create", "/app/config", "written-before-recreate"],
    );
    let (report, code) = persist_check_read_by_kazoo(&cluster, "default", &["--recreate", "--yes"]);
    assert_eq!(code, Some(0), "{report:#}");
    let list = checks(&report);
    let (verdict, reason) = result(&list, "step", "recreate");
    assert_eq!(verdict, "pass", "{reason}");
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let (verdict, reason) = result(&list, "survive", pod);
        assert_eq!(verdict, "pass", "{pod}: {reason}");
        assert!(reason.contains("is the same object"), "{reason}");
    }
    assert_eq!(
        cluster.uids("default", "pvc"),
        claims,
        "claims were replaced"
    );
    let saved: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("kubectl-zk-persist-check-default-zk-"))
        .collect();
    assert!(
        saved.is_empty(),
        "the saved spec outlived the re-creation: {saved:?}"
    );
    let new_sets = cluster.uids("default", "statefulset");
    assert!(new_sets.contains_key("zk"));
    assert_ne!(new_sets, sets, "the StatefulSet was not re-created");
    let new_pods = cluster.uids("default", "pod");
    for (pod, uid) in &pods {
        assert_ne!(new_pods.get(pod), Some(uid), "{pod} was not re-created");
    }
    for pod in ["zk-0", "zk-1", "zk-2"] {
        assert_eq!(
            kazoo(&cluster, "default", pod, &["get", "/app/config"]),
            "written-before-recreate"
        );
    }
    assert_no_sentinel(&cluster, "default", "zk-2");
    wait_healthy(&cluster, "default");

    // One member kept down (its node and the spare node cordoned, its pod deleted, so the
    // new pod stays Pending): the check fails naming it, exit 1, and leaves no sentinel.
    cluster.hold_down("zk-1", &["zk-0", "zk-2"], 4);
    // If zk-1 led, the other two elect a new leader first: the check judges a serving quorum.
    cluster.wait_for("zk-0 and zk-2 serving", Duration::from_secs(60), || {
        let (status, _) = cluster.zk_json("status", &[]);
        let members = status["members"].as_array()?;
        let serving = members
            .iter()
            .filter(|m| m["pod"] != "zk-1")
            .all(|m| m["mode"] == "leader" || m["mode"] == "follower");
        (status["quorumHolds"] == true && serving).then_some(())
    });
    let (report, code) = persist_check(&cluster, &[]);
    assert_eq!(code, Some(1), "{report:#}");
    let list = checks(&report);
    let (verdict, reason) = result(&list, "replication", "zk-1");
    assert_eq!(verdict, "fail");
    assert!(reason.contains("pod zk-1 is Pending"), "{reason}");
    for pod in ["zk-0", "zk-2"] {
        assert_eq!(result(&list, "replication", pod).0, "pass");
    }
    assert_eq!(result(&list, "cleanup", "-").0, "pass");
    let out = cluster.zk(&["persist-check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("zk-1") && l.contains("FAIL") && l.contains("Pending")),
        "{text}"
    );
    assert!(text.contains("FAIL: see the checks above"), "{text}");
    assert_no_sentinel(&cluster, "default", "zk-0");
}

#[test]
fn persist_check_on_the_seeds_image_restarts_leader_last_and_cleans_up_on_ctrl_c() {
    let cluster = Cluster::start(4);
    cluster.install(&[
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "-n",
        "seed",
        "--create-namespace",
    ]);
    wait_healthy(&cluster, "seed");

    // The exec fallback, forced: zkCli.sh in each member, and the data dir under the
    // seeds' mount.
    let (report, code) = persist_check(&cluster, &["-n", "seed", "--via", "exec"]);
    assert_eq!(code, Some(0), "{report:#}");
    let list = checks(&report);
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let (verdict, reason) = result(&list, "replication", pod);
        assert_eq!(verdict, "pass", "{pod}: {reason}");
        assert!(reason.contains("via exec"), "{reason}");
        let (_, reason) = result(&list, "storage", pod);
        assert!(
            reason.contains("/var/lib/zookeeper/data is on PVC")
                && reason.contains("mounted at /var/lib/zookeeper"),
            "{reason}"
        );
    }
    assert_no_sentinel(&cluster, "seed", "zk-0");

    // --restart: every member restarted, the leader last, the sentinel survives.
    let (leader, _) = cluster.zk_json("leader", &["-n", "seed"]);
    let leader = leader["leader"].as_str().expect("a leader").to_owned();
    let pods = cluster.uids("seed", "pod");
    // Over the ZooKeeper protocol (3.4's wire format), read back by kazoo while it runs.
    let (report, code) = persist_check_read_by_kazoo(&cluster, "seed", &["--restart", "--yes"]);
    assert_eq!(code, Some(0), "{report:#}");
    let list = checks(&report);
    let (verdict, reason) = result(&list, "step", "restart");
    assert_eq!(verdict, "pass", "{reason}");
    assert!(
        reason.contains(&format!("the leader {leader} last")),
        "{reason}"
    );
    for pod in ["zk-0", "zk-1", "zk-2"] {
        assert_eq!(result(&list, "survive", pod).0, "pass", "{list:?}");
    }
    let new_pods = cluster.uids("seed", "pod");
    for (pod, uid) in &pods {
        assert_ne!(new_pods.get(pod), Some(uid), "{pod} was not restarted");
    }
    assert_no_sentinel(&cluster, "seed", "zk-1");
    wait_healthy(&cluster, "seed");

    // Ctrl-C while the StatefulSet is deleted: it is still created again, the sentinel is
    // removed, exit 130.
    let mut child = Command::new(plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["persist-check", "-n", "seed", "--recreate", "--yes"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("persist-check runs");
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(child.stderr.take().expect("stderr"));
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no deletion announced: {seen:?}"));
        let deleting = line.contains("deleting it");
        seen.push(line);
        if deleting {
            break;
        }
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("waits");
    // Every line up to the end of stderr.
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
        seen.push(line);
    }
    assert_eq!(exit.code(), Some(130), "{seen:?}");
    assert!(
        seen.iter().any(|l| l.starts_with("removed the sentinel")),
        "{seen:?}"
    );
    assert!(
        cluster.uids("seed", "statefulset").contains_key("zk"),
        "the StatefulSet was not re-created"
    );
    wait_healthy(&cluster, "seed");
    assert_no_sentinel(&cluster, "seed", "zk-2");
}
