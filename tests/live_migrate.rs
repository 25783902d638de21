//! `migrate` against the test cluster: the seeds' manifest applied with the real kubectl
//! (ZooKeeper 3.4.10, `/hello` and 1000 znodes written), then `migrate --yes` while kazoo writes a
//! sequential znode every 200 ms: every member ends on the pinned 3.9 with its server id and its
//! claim (same UIDs), every znode and every acknowledged write readable on every member, one pod
//! delete per member with the 3.4 leader's last (the API server's audit log), `status` exit 0,
//! no `purgeInteval` finding; refused (exit 1, nothing changed) while a member is held Pending. In a second namespace, `migrate --keep-image --yes` replaces the
//! StatefulSet without restarting a member and `status` sees a managed ensemble.

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::cluster::Cluster;
use common::writer::Writer;
use common::{assert_exit, assert_valid, python, root, stderr, stdout};
use serde_json::Value;

/// The pinned official image (`OFFICIAL_IMAGE`), read from the source like the test command does.
fn pinned() -> (String, String) {
    let source = std::fs::read_to_string(root().join("src/manifest/options.rs")).expect("options");
    let image = source
        .lines()
        .find_map(|l| l.strip_prefix("pub const OFFICIAL_IMAGE: &str = \""))
        .and_then(|l| l.strip_suffix("\";"))
        .expect("OFFICIAL_IMAGE")
        .to_owned();
    let version = image.rsplit(':').next().unwrap_or_default().to_owned();
    (image, version)
}

/// Writes `/hello` and 1000 znodes under `/bulk` through one member.
const SEED_DATA: &str = r#"
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=15)
zk.start(timeout=60)
zk.create("/hello", b"world")
zk.ensure_path("/bulk")
for i in range(1000):
    zk.create("/bulk/n-%04d" % i, b"x")
zk.stop()
"#;

/// One member's own view after a sync: `/hello`'s data, the number of `/bulk` children and the
/// children of `/scale` (the writer's), as JSON.
const MEMBER_DATA: &str = r#"
import json, sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
zk.sync("/")
hello = zk.get("/hello")[0].decode()
bulk = len(zk.get_children("/bulk"))
scale = zk.get_children("/scale") if zk.exists("/scale") else []
zk.stop()
print(json.dumps({"hello": hello, "bulk": bulk, "scale": scale}))
"#;

fn run_python(script: &str, address: &str) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(address)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "kazoo on {address}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// The seeds' manifest (its PDB on policy/v1, which 1.25+ serves) applied with kubectl in `ns`,
/// then waited for: three members Ready and a healthy ensemble.
fn apply_seeds(cluster: &Cluster, ns: &str) {
    let manifest = root().join("tests/fixtures/seeds/zookeeper-pdb-v1.yaml");
    if ns != "default" {
        cluster.k(&["create", "namespace", ns]);
    }
    cluster.k(&["apply", "-n", ns, "-f", manifest.to_str().expect("path")]);
    cluster.wait_for(
        "the seeds' ensemble healthy",
        Duration::from_secs(180),
        || (cluster.zk(&["status", "-n", ns]).status.code() == Some(0)).then_some(()),
    );
}

fn leader(cluster: &Cluster, ns: &str) -> Option<String> {
    let out = cluster.zk(&["leader", "-o", "json", "-n", ns]);
    let json: Value = serde_json::from_slice(&out.stdout).ok()?;
    json["leader"].as_str().map(str::to_owned)
}

/// Runs `check` on every member's pod.
fn each_member(cluster: &Cluster, ns: &str, mut check: impl FnMut(&str, Value)) {
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let view = run_python(MEMBER_DATA, &cluster.client_address(ns, pod));
        check(pod, serde_json::from_str(view.trim()).expect("reader JSON"));
    }
}

#[test]
fn migrate_moves_the_seeds_ensemble_to_3_9_keeping_ids_volumes_and_every_write() {
    let (image, version) = pinned();
    let cluster = Cluster::start(4);
    let ns = "default";
    apply_seeds(&cluster, ns);
    run_python(SEED_DATA, &cluster.client_address(ns, "zk-0"));
    let (config, _) = cluster.zk_json("config", &[]);
    assert!(
        config["findings"].to_string().contains("purgeInteval"),
        "the seeds' misspelling is a finding before: {config:#}"
    );

    // Bad input: one line, exit 2; the plan alone changes nothing.
    let sts_uid = || cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.metadata.uid}"]);
    let uid = sts_uid();
    let out = cluster.zk(&[
        "migrate",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "--yes",
    ]);
    assert_exit(&out, 2);
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    let out = cluster.zk(&["migrate", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("replace StatefulSet zk"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sts_uid(), uid, "--dry-run changed the StatefulSet");

    // A member held Pending: refused (exit 1), nothing changed; healthy again once uncordoned.
    let nodes = cluster.hold_down("zk-2", &["zk-0", "zk-1"], 4);
    let out = cluster.zk(&["migrate", "--yes"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("not healthy"), "{}", stderr(&out));
    assert_eq!(
        sts_uid(),
        uid,
        "a refused migration changed the StatefulSet"
    );
    let mut uncordon = vec!["uncordon"];
    uncordon.extend(nodes.iter().map(String::as_str));
    cluster.k(&uncordon);
    cluster.wait_for("healthy again", Duration::from_secs(180), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });

    let claims = cluster.uids(ns, "pvc");
    let pods = cluster.uids(ns, "pod");
    let old_leader = leader(&cluster, ns).expect("a leader");
    let seen = cluster.plugin_requests().len();

    // Leadership sampled throughout, to count the changes.
    let watching = AtomicBool::new(true);
    let (out, written, leaders) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut leaders: Vec<String> = Vec::new();
            while watching.load(Ordering::Relaxed) {
                if let Some(now) = leader(&cluster, ns)
                    && leaders.last() != Some(&now)
                {
                    leaders.push(now);
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            leaders
        });
        let writer = Writer::start(&cluster, ns);
        let out = cluster.zk(&["migrate", "--yes", "-o", "json"]);
        let written = writer.stop();
        watching.store(false, Ordering::Relaxed);
        (out, written, sampler.join().expect("sampler"))
    });
    assert_exit(&out, 0);
    assert_valid("Rollout", &stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["change"], "migrate");
    let restarted: Vec<&str> = report["restarted"]
        .as_array()
        .expect("restarted")
        .iter()
        .filter_map(|r| r["pod"].as_str())
        .collect();
    assert_eq!(restarted.len(), 3, "every member once: {report:#}");
    assert_eq!(restarted.last(), Some(&old_leader.as_str()), "{report:#}");
    for r in report["restarted"].as_array().expect("restarted") {
        assert_eq!(r["version"], version.as_str(), "{report:#}");
    }

    // The API server's record: one delete per member, the 3.4 leader's last; the StatefulSet
    // deleted once (orphaning), no claim deleted.
    let pod_deletes = cluster.deleted(seen, "pods");
    assert_eq!(pod_deletes.len(), 3, "{pod_deletes:?}");
    assert_eq!(pod_deletes.last(), Some(&old_leader), "{pod_deletes:?}");
    assert_eq!(cluster.deleted(seen, "statefulsets"), ["zk"]);
    assert!(cluster.deleted(seen, "persistentvolumeclaims").is_empty());

    assert_eq!(cluster.uids(ns, "pvc"), claims, "the same claims");
    let after = cluster.uids(ns, "pod");
    for (pod, uid) in &pods {
        assert_ne!(after.get(pod), Some(uid), "{pod} was not restarted");
    }
    each_member(&cluster, ns, |pod, view| {
        assert_eq!(view["hello"], "world", "{pod}");
        assert_eq!(view["bulk"], 1000, "{pod}");
        let scale: Vec<String> = view["scale"]
            .as_array()
            .expect("scale")
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        let missing: Vec<&String> = written
            .acked
            .iter()
            .filter(|w| !scale.contains(w))
            .collect();
        assert!(
            missing.is_empty(),
            "{pod} lacks acknowledged writes {missing:?}"
        );
    });
    let changes = leaders.len().saturating_sub(1);
    eprintln!(
        "migrate: {} writes acknowledged, longest gap between two {:.1} s, leaders seen {leaders:?} ({changes} change(s))",
        written.acked.len(),
        written.max_gap,
    );
    assert!(changes <= 1, "leadership moved more than once: {leaders:?}");
    assert!(
        written.max_gap < 30.0,
        "a write waited {:.1} s",
        written.max_gap
    );

    let (status, code) = cluster.zk_json("status", &[]);
    assert_eq!(code, Some(0), "{status:#}");
    assert_eq!(status["managed"], true, "{status:#}");
    assert_eq!(status["flavor"], "official", "{status:#}");
    assert_eq!(status["image"], image.as_str());
    for (ordinal, member) in status["members"]
        .as_array()
        .expect("members")
        .iter()
        .enumerate()
    {
        let running = member["server"]["version"].as_str().unwrap_or_default();
        assert!(running.starts_with(&version), "{member}");
        assert_eq!(member["myid"], ordinal as u64 + 1, "{member}");
    }
    let (config, code) = cluster.zk_json("config", &[]);
    assert_eq!(code, Some(0), "{config:#}");
    assert!(
        !config["findings"].to_string().contains("purgeInteval"),
        "{config:#}"
    );
    let pdb = cluster.k(&["get", "pdb", "zk-pdb", "-o", "json"]);
    let pdb: Value = serde_json::from_str(&pdb).expect("pdb");
    assert_eq!(pdb["apiVersion"], "policy/v1");
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"],
        "zk"
    );

    // Run again: nothing left to do; install now treats it as its own (nothing would change).
    let out = cluster.zk(&["migrate", "--yes"]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("nothing to do"), "{}", stderr(&out));
    let out = cluster.zk(&["install", "--dry-run=server"]);
    assert_exit(&out, 0);
    assert!(
        !stdout(&out).contains("configured"),
        "install would change the migrated ensemble: {}",
        stdout(&out)
    );

    // --keep-image in another namespace: the StatefulSet replaced, no member restarted.
    let ns = "adopt";
    apply_seeds(&cluster, ns);
    let pods = cluster.uids(ns, "pod");
    let seen = cluster.plugin_requests().len();
    let (before, _) = cluster.zk_json("status", &["-n", ns]);
    assert_eq!(before["managed"], false, "{before:#}");
    let out = cluster.zk(&["migrate", "--keep-image", "--yes", "-n", ns]);
    assert_exit(&out, 0);
    let (status, code) = cluster.zk_json("status", &["-n", ns]);
    assert_eq!(code, Some(0), "{status:#}");
    assert_eq!(status["managed"], true, "{status:#}");
    assert_eq!(status["flavor"], "k8s-tutorial", "{status:#}");
    assert_eq!(cluster.uids(ns, "pod"), pods, "a member was restarted");
    let pod_deletes = cluster.deleted(seen, "pods");
    assert!(pod_deletes.is_empty(), "{pod_deletes:?}");
    let owners: BTreeMap<String, String> = pods
        .keys()
        .map(|pod| {
            let owner = cluster.k(&[
                "get",
                "pod",
                "-n",
                ns,
                pod,
                "-o",
                "jsonpath={.metadata.ownerReferences[0].uid}",
            ]);
            (pod.clone(), owner)
        })
        .collect();
    let sts = cluster.k(&[
        "get",
        "sts",
        "zk",
        "-n",
        ns,
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    for (pod, owner) in &owners {
        assert_eq!(owner, &sts, "{pod} is not adopted by the new StatefulSet");
    }
}
