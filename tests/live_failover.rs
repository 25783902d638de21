//! `leader --failover` against the test cluster: on a healthy ensemble it deletes the leader,
//! reports another member elected and the old one back as a follower, with both times, and
//! the ensemble is healthy after; with one follower held down (Pending on cordoned nodes) it
//! refuses and deletes nothing. A follower that serves but is not Ready counts for no command.

mod common;

use std::time::Duration;

use common::cluster::Cluster;
use common::{assert_exit, stderr, stdout};

fn pod_field(cluster: &Cluster, pod: &str, path: &str) -> String {
    cluster.k(&["get", "pod", pod, "-o", &format!("jsonpath={path}")])
}

/// The UIDs of the ensemble's pods: they change when a member is deleted or restarted.
fn member_uids(cluster: &Cluster) -> String {
    cluster.k(&[
        "get",
        "pods",
        "-l",
        "app=zk",
        "-o",
        "jsonpath={.items[*].metadata.uid}",
    ])
}

#[test]
fn failover_elects_a_new_leader_and_refuses_when_the_quorum_would_not_survive() {
    let cluster = Cluster::start(4);
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (leader, code) = cluster.zk_json("leader", &[]);
    assert_eq!(code, Some(0), "{leader}");
    let old = leader["leader"].as_str().expect("a leader").to_owned();
    let old_uid = pod_field(&cluster, &old, "{.metadata.uid}");

    // Without --yes and with no terminal to ask: refused, nothing deleted.
    let out = cluster.zk(&["leader", "--failover"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert_eq!(pod_field(&cluster, &old, "{.metadata.uid}"), old_uid);

    let (report, code) = cluster.zk_json("leader", &["--failover", "--yes"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["check"]["leader"], old.as_str(), "{report:#}");
    assert_eq!(report["check"]["survives"], true, "{report:#}");
    assert_eq!(report["check"]["voters"], 3, "{report:#}");
    assert_eq!(report["check"]["votersFrom"], "zookeeper", "{report:#}");
    assert_eq!(report["leaderDeleted"], true, "{report:#}");
    let new = report["newLeader"]
        .as_str()
        .expect("a new leader")
        .to_owned();
    assert_ne!(new, old, "{report:#}");
    assert!(new.starts_with("zk-"), "{report:#}");
    let election = report["electionSeconds"].as_f64().expect("election time");
    let rejoin = report["rejoinSeconds"].as_f64().expect("rejoin time");
    assert!(election > 0.0 && election < 60.0, "{report:#}");
    assert!(rejoin >= election, "{report:#}");
    assert_eq!(report["oldLeaderMode"], "follower", "{report:#}");
    assert_eq!(report["health"], "healthy", "{report:#}");

    // What ZooKeeper and Kubernetes say on their own.
    assert_ne!(pod_field(&cluster, &old, "{.metadata.uid}"), old_uid);
    let srvr = |pod: &str| {
        cluster.k(&[
            "exec",
            pod,
            "--",
            "sh",
            "-c",
            "printf srvr | nc 127.0.0.1 2181",
        ])
    };
    assert!(srvr(&new).contains("Mode: leader"), "{}", srvr(&new));
    assert!(srvr(&old).contains("Mode: follower"), "{}", srvr(&old));
    let out = cluster.zk(&["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // The table says the same in words.
    // (a second failover, on the healthy ensemble, printed as a table)
    let out = cluster.zk(&["leader", "--failover", "--yes"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains(&format!("deleted pod {new}")), "{text}");
    assert!(text.contains("new leader: zk-"), "{text}");
    assert!(text.contains(&format!("{new} back as follower")), "{text}");
    assert!(text.contains("ensemble healthy"), "{text}");

    // Hold one follower down: cordon the spare node and the follower's node, delete its pod.
    cluster.wait_for("a healthy ensemble", Duration::from_secs(60), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });
    let (status, _) = cluster.zk_json("status", &[]);
    let leader = status["leader"].as_str().expect("a leader").to_owned();
    let members = status["members"].as_array().expect("members");
    let follower = members
        .iter()
        .find(|m| m["pod"] != leader.as_str())
        .expect("a follower");
    let down = follower["pod"].as_str().expect("pod").to_owned();
    let used: Vec<&str> = members.iter().filter_map(|m| m["node"].as_str()).collect();
    let spare = (1..=4)
        .map(|n| format!("node-{n}"))
        .find(|n| !used.contains(&n.as_str()))
        .expect("a node without a member");
    let node = follower["node"].as_str().expect("node");
    cluster.k(&["cordon", &spare]);
    cluster.k(&["cordon", node]);
    cluster.k(&["delete", "pod", &down]);
    cluster.wait_for(&format!("{down} Pending"), Duration::from_secs(60), || {
        let reason = pod_field(
            &cluster,
            &down,
            r#"{range .status.conditions[?(@.type=="PodScheduled")]}{.reason}{end}"#,
        );
        (reason == "Unschedulable").then_some(())
    });
    let uids = || member_uids(&cluster);
    let before = uids();
    let out = cluster.zk(&["leader", "--failover", "--yes"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.starts_with("REFUSED: "), "{text}");
    assert!(text.contains("nothing was deleted"), "{text}");
    assert!(text.contains(&format!("{down} is ")), "{text}");
    let (report, code) = cluster.zk_json("leader", &["--failover", "--yes"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["check"]["survives"], false, "{report:#}");
    assert_eq!(report["leaderDeleted"], false, "{report:#}");
    assert_eq!(uids(), before, "a pod was deleted");
    assert_eq!(
        pod_field(&cluster, &leader, "{.metadata.deletionTimestamp}"),
        ""
    );
}

/// The one quorum rule, live: a follower that serves but whose pod is not Ready does not
/// count. drain-safe (for the other follower's node), `leader --failover` and
/// `persist-check --restart` all refuse, and nothing is evicted, deleted or restarted.
#[test]
fn a_serving_follower_that_is_not_ready_counts_nowhere() {
    let cluster = Cluster::start(4);
    // The official manifest, with a readiness probe that a file on the data volume fails.
    let out = cluster.zk(&["install", "--dry-run", "-o", "json"]);
    assert_exit(&out, 0);
    let mut list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a List");
    let sts = list["items"]
        .as_array_mut()
        .and_then(|items| items.iter_mut().find(|o| o["kind"] == "StatefulSet"))
        .expect("a StatefulSet");
    sts["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["exec"]["command"] =
        serde_json::json!([
            "/bin/bash",
            "-c",
            "test ! -e /data/not-ready && printf srvr | nc -w 3 127.0.0.1 2181 | grep -q '^Mode: '"
        ]);
    let manifest = cluster.dir.path().join("zk.json");
    std::fs::write(&manifest, list.to_string()).expect("write the manifest");
    cluster.k(&["apply", "-f", manifest.to_str().expect("utf-8 path")]);
    cluster.wait_for("a healthy ensemble", Duration::from_secs(180), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });
    let (status, _) = cluster.zk_json("status", &[]);
    let leader = status["leader"].as_str().expect("a leader").to_owned();
    let followers: Vec<(String, String)> = status["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["pod"] != leader.as_str())
        .map(|m| {
            (
                m["pod"].as_str().unwrap_or_default().to_owned(),
                m["node"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let [(not_ready, _), (other, other_node)] = followers.as_slice() else {
        panic!("two followers: {status:#}");
    };
    cluster.k(&["exec", not_ready, "--", "touch", "/data/not-ready"]);
    cluster.wait_for(
        &format!("{not_ready} not Ready"),
        Duration::from_secs(60),
        || {
            let ready = pod_field(
                &cluster,
                not_ready,
                r#"{range .status.conditions[?(@.type=="Ready")]}{.status}{end}"#,
            );
            (ready == "False").then_some(())
        },
    );
    let uids = || member_uids(&cluster);
    let before = uids();
    let why = format!("{not_ready} serves but is not Ready");

    let (drain, code) = cluster.zk_json("drain-safe", &[other_node]);
    assert_eq!(code, Some(1), "{drain:#}");
    let quorum = drain["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["kind"] == "quorum")
        .unwrap_or_else(|| panic!("a quorum reason: {drain:#}"));
    let message = quorum["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(other.as_str()) && message.contains(&why),
        "{message}"
    );

    let (failover, code) = cluster.zk_json("leader", &["--failover", "--yes"]);
    assert_eq!(code, Some(1), "{failover:#}");
    assert_eq!(failover["check"]["survives"], false, "{failover:#}");
    assert!(
        failover["check"]["reasons"].to_string().contains(&why),
        "{failover:#}"
    );

    let (persist, code) = cluster.zk_json("persist-check", &["--restart", "--yes"]);
    assert_eq!(code, Some(1), "{persist:#}");
    let step = persist["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "step")
        .unwrap_or_else(|| panic!("a step check: {persist:#}"));
    assert_eq!(
        step["result"].as_str().map(str::to_lowercase).as_deref(),
        Some("skip"),
        "{persist:#}"
    );
    assert!(
        step["reason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("not run:"),
        "{persist:#}"
    );
    assert_eq!(uids(), before, "a member was evicted, deleted or restarted");
}
