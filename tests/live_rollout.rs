//! The rollout engine against the test cluster, judged by an independent client: kazoo writes a
//! sequential znode every 200 ms through `upgrade` (3.8 → 3.9, each member confirmed on the new
//! version), `restart` and `config set` (official: tickTime in the ConfigMap; the seeds' image:
//! the --max_client_cnxns flag); afterwards every acknowledged write is on every member, every
//! pod was replaced exactly once, the leader last, and ZooKeeper's own epoch (the high half of
//! the zxid, one more per election) moved at most once. Settings that fail their checks change
//! nothing; a later `install` keeps what `config set` and `upgrade` set. A restart with a member
//! held Pending stops with exit 1 keeping the quorum, and finishes once it can.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::cluster::Cluster;
use common::writer::{Writer, member_view};
use common::{assert_exit, assert_valid, stderr, stdout};
use serde_json::Value;

fn wait_healthy(cluster: &Cluster) {
    cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });
}

/// ZooKeeper's epoch: the high 32 bits of the newest zxid any member reports. Every election
/// that makes a leader starts a new one, so the difference counts leader changes.
fn epoch(cluster: &Cluster) -> u64 {
    let (status, _) = cluster.zk_json("status", &[]);
    status["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["server"]["zxid"].as_str())
        .filter_map(|z| u64::from_str_radix(z.trim_start_matches("0x"), 16).ok())
        .map(|zxid| zxid >> 32)
        .max()
        .expect("a member with a zxid")
}

/// Every member's `conf` (the four-letter word, asked inside the pod) shows `setting`.
fn every_member_runs_with(cluster: &Cluster, ns: &str, setting: &str) {
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let conf = cluster.k(&[
            "exec",
            "-n",
            ns,
            pod,
            "--",
            "bash",
            "-c",
            "printf conf | nc -w 3 127.0.0.1 2181",
        ]);
        assert!(
            conf.lines().any(|l| l.trim() == setting),
            "{pod}'s conf lacks {setting}:\n{conf}"
        );
    }
}

fn leader(cluster: &Cluster) -> String {
    let (leader, _) = cluster.zk_json("leader", &[]);
    leader["leader"].as_str().expect("a leader").to_owned()
}

/// Runs `ARGS… --yes -o json` while a writer writes; checks every acknowledged write is on every
/// member and every pod was replaced, the leader last. The report.
fn roll_while_writing(cluster: &Cluster, args: &[&str]) -> Value {
    let before: BTreeMap<String, String> = cluster.uids("default", "pod");
    let old_leader = leader(cluster);
    let old_epoch = epoch(cluster);
    let seen = cluster.plugin_requests().len();
    let writer = Writer::start(cluster, "default");
    let mut argv = args.to_vec();
    argv.extend(["--yes", "-o", "json"]);
    let out = cluster.zk(&argv);
    let written = writer.stop();
    assert_exit(&out, 0);
    assert_valid("Rollout", &stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let restarted: Vec<&str> = report["restarted"]
        .as_array()
        .expect("restarted")
        .iter()
        .filter_map(|r| r["pod"].as_str())
        .collect();
    assert_eq!(restarted.len(), 3, "every member once: {report:#}");
    assert_eq!(
        restarted.last(),
        Some(&old_leader.as_str()),
        "the leader last: {report:#}"
    );
    let after = cluster.uids("default", "pod");
    for (pod, uid) in &before {
        assert_ne!(after.get(pod), Some(uid), "{pod} was not replaced");
    }
    // The API server's own record: one pod delete per member, the leader's last.
    let deletes = cluster.deleted(seen, "pods");
    assert_eq!(deletes.len(), 3, "one delete per member: {deletes:?}");
    assert_eq!(
        deletes.last(),
        Some(&old_leader),
        "the leader's pod deleted last: {deletes:?}"
    );
    for pod in before.keys() {
        let (children, _) = member_view(cluster, "default", pod, false);
        let missing: Vec<&String> = written.acked.difference(&children).collect();
        assert!(
            missing.is_empty(),
            "{pod} lacks acknowledged writes {missing:?}"
        );
    }
    let leader_changes = epoch(cluster) - old_epoch;
    eprintln!(
        "{args:?}: {} writes acknowledged, longest gap between two {:.1} s, leader {old_leader} → {}, {leader_changes} leader change(s)",
        written.acked.len(),
        written.max_gap,
        report["leader"]
    );
    assert!(
        leader_changes <= 1,
        "{leader_changes} elections in one rollout: the leader must go last, once"
    );
    assert!(
        written.max_gap < 30.0,
        "a write waited {:.1} s",
        written.max_gap
    );
    report
}

#[test]
fn upgrade_and_restart_roll_one_member_at_a_time_the_leader_last_losing_no_write() {
    let cluster = Cluster::start(4);
    cluster.install(&["--image", "docker.io/library/zookeeper:3.8.3"]);
    wait_healthy(&cluster);

    // A downgrade across minors and a flavour change are refused, changing nothing.
    let generation = || cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.metadata.generation}"]);
    let before = generation();
    let out = cluster.zk(&[
        "upgrade",
        "--image",
        "docker.io/library/zookeeper:3.4.10",
        "--yes",
    ]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("downgrade from 3.8.3"),
        "{}",
        stderr(&out)
    );
    let out = cluster.zk(&[
        "upgrade",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "--yes",
    ]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("kubectl zk migrate"),
        "{}",
        stderr(&out)
    );
    assert_eq!(generation(), before);

    // 3.8 → 3.9: each member confirmed on the new version.
    let report = roll_while_writing(
        &cluster,
        &["upgrade", "--image", "docker.io/library/zookeeper:3.9.4"],
    );
    for restarted in report["restarted"].as_array().expect("restarted") {
        assert_eq!(restarted["version"], "3.9.4", "{report:#}");
    }
    let (status, code) = cluster.zk_json("status", &[]);
    assert_eq!(code, Some(0), "{status:#}");
    for member in status["members"].as_array().expect("members") {
        let version = member["server"]["version"].as_str().unwrap_or_default();
        assert!(version.starts_with("3.9.4"), "{member}");
    }

    // A rolling restart of every member.
    roll_while_writing(&cluster, &["restart"]);
    wait_healthy(&cluster);

    // Settings that fail their checks: exit 2, one line, nothing changed.
    let config_map_version = || {
        cluster.k(&[
            "get",
            "cm",
            "zk-config",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
    };
    let (generation_before, map_before) = (generation(), config_map_version());
    for (setting, expected) in [
        ("tickTim=3000", "did you mean tickTime?"),
        ("server.4=x:2888:3888", "kubectl zk scale"),
        ("maxSessionTimeout=10", "below minSessionTimeout"),
        ("dataDir=/elsewhere", "cannot be changed"),
        ("tickTime=0", "from 1 to 60000"),
    ] {
        let out = cluster.zk(&["config", "set", setting, "--yes"]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(expected), "{setting}: {err}");
    }
    assert_eq!(generation(), generation_before, "the StatefulSet changed");
    assert_eq!(config_map_version(), map_before, "the ConfigMap changed");

    // tickTime=3000 in the ConfigMap, rolled the leader last; every member runs with it.
    roll_while_writing(&cluster, &["config", "set", "tickTime=3000"]);
    every_member_runs_with(&cluster, "default", "tickTime=3000");
    let (config, code) = cluster.zk_json("config", &[]);
    assert_eq!(code, Some(0), "{config:#}");
    for member in config["members"].as_array().expect("members") {
        assert!(
            member["zooCfg"]
                .as_str()
                .unwrap_or_default()
                .contains("tickTime=3000"),
            "{member:#}"
        );
    }
    // Running it again restarts nobody.
    let uids = cluster.uids("default", "pod");
    let out = cluster.zk(&["config", "set", "tickTime=3000", "--yes"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("no member needs a restart"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cluster.uids("default", "pod"), uids);

    // A later install without those options keeps what `config set` and `upgrade` set: same
    // image, same tickTime, no member restarted.
    let out = cluster.zk(&["install"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("keeping tickTime=3000"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        cluster.uids("default", "pod"),
        uids,
        "install restarted members"
    );
    let image = cluster.k(&[
        "get",
        "sts",
        "zk",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "docker.io/library/zookeeper:3.9.4");
    every_member_runs_with(&cluster, "default", "tickTime=3000");

    // One member held Pending (its node and the spare cordoned): the restart restarts it first,
    // it cannot come back, so the rollout stops (exit 1) with the quorum kept; after uncordoning,
    // the same command finishes the job.
    let uids = cluster.uids("default", "pod");
    let nodes = cluster.hold_down("zk-1", &["zk-0", "zk-2"], 4);
    let out = cluster.zk(&["restart", "--yes", "--timeout", "15s"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("left:"), "{}", stderr(&out));
    let (status, _) = cluster.zk_json("status", &[]);
    assert_eq!(status["quorumHolds"], true, "{status:#}");
    let now = cluster.uids("default", "pod");
    for pod in ["zk-0", "zk-2"] {
        assert_eq!(
            now.get(pod),
            uids.get(pod),
            "{pod} was restarted while zk-1 was down"
        );
    }
    let mut uncordon = vec!["uncordon"];
    uncordon.extend(nodes.iter().map(String::as_str));
    cluster.k(&uncordon);
    let out = cluster.zk(&["restart", "--yes"]);
    assert_exit(&out, 0);
    let after = cluster.uids("default", "pod");
    for (pod, uid) in &uids {
        assert_ne!(after.get(pod), Some(uid), "{pod} was not restarted");
    }
    let (status, code) = cluster.zk_json("status", &[]);
    assert_eq!(code, Some(0), "{status:#}");
}

#[test]
fn config_set_on_the_seeds_image_rolls_its_start_flags_the_leader_last() {
    let cluster = Cluster::start(3);
    cluster.install(&["--image", "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10"]);
    wait_healthy(&cluster);
    // A setting the script has no flag for is refused with where to go instead.
    let out = cluster.zk(&["config", "set", "snapCount=50000", "--yes"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("kubectl zk migrate"),
        "{}",
        stderr(&out)
    );

    roll_while_writing(&cluster, &["config", "set", "maxClientCnxns=100"]);
    let args = cluster.k(&[
        "get",
        "sts",
        "zk",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].args}",
    ]);
    assert!(args.contains("\"--max_client_cnxns=100\""), "{args}");
    every_member_runs_with(&cluster, "default", "maxClientCnxns=100");
    let (status, code) = cluster.zk_json("status", &[]);
    assert_eq!(code, Some(0), "{status:#}");
}
