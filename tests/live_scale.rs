//! `scale` against the test cluster, judged by an independent client: kazoo writes a sequential
//! znode every 200 ms through every scaling, and afterwards every write ZooKeeper acknowledged
//! must be readable on every member; each member's own view of the membership must list exactly
//! the expected servers; `status` must be healthy with that many members and `kubectl get pods`
//! must show exactly those pods. Official flavour 3 → 5 → 3 → 5 (the last over the kept
//! volumes), the seeds' 3.4.10 image 3 → 5, and refusals that change nothing.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::cluster::Cluster;
use common::writer::{Writer, Written, member_view};
use common::{assert_exit, assert_valid, stderr, stdout};
use serde_json::Value;

/// `scale ARGS… --yes -o json -n NS` while a writer writes; the report and what was written.
fn scale_while_writing(cluster: &Cluster, ns: &str, replicas: u32) -> (Value, Written) {
    let writer = Writer::start(cluster, ns);
    let replicas = replicas.to_string();
    let out = cluster.zk(&[
        "scale",
        "--replicas",
        &replicas,
        "--yes",
        "-o",
        "json",
        "-n",
        ns,
        "--timeout",
        "4m",
    ]);
    let written = writer.stop();
    assert_exit(&out, 0);
    assert_valid("ScaleReport", &stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("scale -o json");
    eprintln!(
        "scale to {replicas} in {}: {} steps in {} s; {} writes acknowledged, longest gap between two {:.1} s",
        ns,
        report["done"].as_array().map_or(0, Vec::len),
        report["seconds"],
        written.acked.len(),
        written.max_gap
    );
    (report, written)
}

/// Waits until `status` says the ensemble in `ns` is healthy (3.4.10 can take a while to elect
/// after an ordered start).
fn wait_healthy(cluster: &Cluster, ns: &str) {
    cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        (cluster.zk(&["status", "-n", ns]).status.code() == Some(0)).then_some(())
    });
}

/// The names of the pods in `ns`.
fn pods(cluster: &Cluster, ns: &str) -> BTreeSet<String> {
    cluster
        .k(&[
            "get",
            "pods",
            "-n",
            ns,
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ])
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// After a scaling to `n`: exactly `zk-0…zk-{n-1}` run, `status` is healthy with `n` members,
/// every member holds every acknowledged write, and (3.5+) every member's own membership lists
/// exactly servers 1…n by their FQDNs.
fn assert_scaled(cluster: &Cluster, ns: &str, n: u32, acked: &BTreeSet<String>, reconfig: bool) {
    let expected: BTreeSet<String> = (0..n).map(|o| format!("zk-{o}")).collect();
    assert_eq!(pods(cluster, ns), expected, "kubectl get pods");
    let (status, code) = cluster.zk_json("status", &["-n", ns]);
    assert_eq!(code, Some(0), "{status:#}");
    assert_eq!(
        status["members"].as_array().map(Vec::len),
        Some(n as usize),
        "{status:#}"
    );
    for pod in &expected {
        let (children, config) = member_view(cluster, ns, pod, reconfig);
        let missing: Vec<&String> = acked.difference(&children).collect();
        assert!(
            missing.is_empty(),
            "{pod} lacks {} acknowledged writes: {missing:?}",
            missing.len()
        );
        if reconfig {
            let config = config.expect("/zookeeper/config");
            let servers: BTreeSet<String> = config
                .lines()
                .filter(|l| l.starts_with("server."))
                .map(|l| l.split(';').next().unwrap_or(l).to_owned())
                .collect();
            let wanted: BTreeSet<String> = (0..n)
                .map(|o| {
                    format!(
                        "server.{}=zk-{o}.zk-hs.{ns}.svc.cluster.local:2888:3888:participant",
                        o + 1
                    )
                })
                .collect();
            assert_eq!(servers, wanted, "{pod}'s membership:\n{config}");
        }
    }
}

#[test]
fn official_grows_to_5_shrinks_to_3_and_grows_again_over_kept_volumes_losing_no_write() {
    let cluster = Cluster::start(5);
    let ns = "default";
    cluster.install(&[]);
    wait_healthy(&cluster, ns);

    // The plan alone changes nothing; without a terminal, --yes is required.
    let generation = || cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.metadata.generation}"]);
    let before = generation();
    let out = cluster.zk(&["scale", "--replicas", "5", "--dry-run"]);
    assert_exit(&out, 0);
    let plan = stdout(&out);
    assert!(plan.contains("reconfig: add server.4"), "{plan}");
    assert!(plan.contains("reconfig: add server.5"), "{plan}");
    assert!(plan.contains("dry run: nothing was changed"), "{plan}");
    let out = cluster.zk(&["scale", "--replicas", "5"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(generation(), before);

    // 3 → 5 by reconfiguration: no member restarts.
    let uids = cluster.k(&["get", "pods", "-o", "jsonpath={.items[*].metadata.uid}"]);
    let (report, first) = scale_while_writing(&cluster, ns, 5);
    assert_eq!(report["kind"], "ScaleReport");
    assert_eq!(report["method"], "reconfig");
    let mut acked = first.acked;
    assert_scaled(&cluster, ns, 5, &acked, true);
    let now = cluster.k(&["get", "pods", "-o", "jsonpath={.items[*].metadata.uid}"]);
    for uid in uids.split_whitespace() {
        assert!(now.contains(uid), "a member restarted while growing: {uid}");
    }

    // 5 → 3: removed from the membership before their pods stop; volumes kept.
    let kept = cluster.uids(ns, "pvc");
    let (report, second) = scale_while_writing(&cluster, ns, 3);
    assert_eq!(
        report["volumesKept"],
        serde_json::json!(["datadir-zk-4", "datadir-zk-3"]),
        "{report:#}"
    );
    acked.extend(second.acked);
    assert_scaled(&cluster, ns, 3, &acked, true);
    assert_eq!(
        cluster.uids(ns, "pvc"),
        kept,
        "the leaving members' claims are the same objects"
    );

    // 3 → 5 again over the kept volumes (old data, an old dynamic configuration file).
    let (_, third) = scale_while_writing(&cluster, ns, 5);
    acked.extend(third.acked);
    assert_scaled(&cluster, ns, 5, &acked, true);
    assert_eq!(cluster.uids(ns, "pvc"), kept, "the kept claims were reused");
    for written in [&first.max_gap, &second.max_gap, &third.max_gap] {
        assert!(*written < 30.0, "a write waited {written:.1} s");
    }
}

#[test]
fn seeds_image_grows_to_5_by_rolling_the_server_list_leader_last_losing_no_write() {
    let cluster = Cluster::start(5);
    let ns = "seed";
    cluster.install(&[
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "-n",
        ns,
        "--create-namespace",
    ]);
    wait_healthy(&cluster, ns);
    let (leader, _) = cluster.zk_json("leader", &["-n", ns]);
    let leader = leader["leader"].as_str().expect("a leader").to_owned();

    let (report, written) = scale_while_writing(&cluster, ns, 5);
    assert_eq!(report["method"], "rolling-restart");
    assert_scaled(&cluster, ns, 5, &written.acked, false);

    // Every member runs with --servers=5, and the old leader was restarted last.
    for o in 0..5 {
        let pod = format!("zk-{o}");
        let cfg = cluster.k(&[
            "exec",
            "-n",
            ns,
            &pod,
            "--",
            "cat",
            "/opt/zookeeper/conf/zoo.cfg",
        ]);
        let servers: Vec<&str> = cfg.lines().filter(|l| l.starts_with("server.")).collect();
        assert_eq!(servers.len(), 5, "{pod}'s zoo.cfg:\n{cfg}");
        assert!(
            cfg.contains(&format!(
                "server.5=zk-4.zk-hs.{ns}.svc.cluster.local:2888:3888"
            )),
            "{pod}: {cfg}"
        );
    }
    let restarted: Vec<String> = report["done"]
        .as_array()
        .expect("done")
        .iter()
        .filter(|s| s["action"] == "roll")
        .flat_map(|s| s["restarted"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    assert_eq!(restarted.len(), 3, "{report:#}");
    assert_eq!(
        restarted.last(),
        Some(&leader),
        "the leader goes last: {restarted:?}"
    );
}

#[test]
fn refusals_change_nothing() {
    let cluster = Cluster::start(4);
    cluster.install(&[]);

    // Bad counts: one line naming the option, exit 2.
    for bad in ["0", "abc", "256"] {
        let out = cluster.zk(&["scale", "--replicas", bad, "--yes"]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("--replicas"), "{err}");
    }

    // One member held down: its node and the spare cordoned, its pod deleted, so it stays
    // Pending. Shrinking to 1 would lose the quorum on the way; growing would leave the new
    // member Pending (the scheduler's judgement, as install and drain-safe make it). Both are
    // refused with the reason, exit 1, nothing changed.
    cluster.hold_down("zk-1", &["zk-0", "zk-2"], 4);
    cluster.wait_for("zk-0 and zk-2 serving", Duration::from_secs(90), || {
        let (status, _) = cluster.zk_json("status", &[]);
        let serving = status["members"]
            .as_array()?
            .iter()
            .filter(|m| m["mode"] == "leader" || m["mode"] == "follower")
            .count();
        (serving == 2).then_some(())
    });
    let generation = cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.metadata.generation}"]);
    let uids = cluster.k(&["get", "pods", "-o", "jsonpath={.items[*].metadata.uid}"]);
    for (replicas, why) in [
        ("1", "would not keep a quorum"),
        ("5", "zk-3 would stay Pending: 0/4 nodes are available"),
    ] {
        let out = cluster.zk(&["scale", "--replicas", replicas, "--yes"]);
        assert_exit(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains("refusing to scale") && err.contains(why),
            "{err}"
        );
        assert!(err.contains("nothing was changed"), "{err}");
    }
    assert_eq!(
        cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.metadata.generation}"]),
        generation
    );
    assert_eq!(
        cluster.k(&["get", "pods", "-o", "jsonpath={.items[*].metadata.uid}"]),
        uids
    );
}
