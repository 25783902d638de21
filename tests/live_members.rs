//! `myid` and `leader` (with `--watch`) against the test cluster.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use common::{assert_exit, plugin, stderr, stdout};

#[test]
fn myid_and_leader_match_what_exec_shows_and_watch_sees_a_failover() {
    let cluster = Cluster::start(4);
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // myid shows what `kubectl exec … cat` shows.
    let out = cluster.zk(&["myid", "-o", "json"]);
    assert_exit(&out, 0);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (ordinal, member) in report["members"]
        .as_array()
        .expect("members")
        .iter()
        .enumerate()
    {
        let pod = format!("zk-{ordinal}");
        let file = cluster.k(&["exec", &pod, "--", "cat", "/data/myid"]);
        assert_eq!(
            member["myid"].as_u64().map(|n| n.to_string()),
            Some(file.trim().to_owned())
        );
        let fqdn = cluster.k(&["exec", &pod, "--", "hostname", "-f"]);
        assert_eq!(member["fqdn"], fqdn.trim());
        assert_eq!(member["serverHost"], fqdn.trim());
    }

    // leader names the member whose `srvr` says leader.
    let out = cluster.zk(&["leader", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let leader: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let leader_pod = leader["leader"].as_str().expect("a leader").to_owned();
    let srvr = cluster.k(&[
        "exec",
        &leader_pod,
        "--",
        "sh",
        "-c",
        "printf srvr | nc 127.0.0.1 2181",
    ]);
    assert!(srvr.contains("Mode: leader"), "{srvr}");

    // --watch prints the change within 5 s of the leader's pod being deleted.
    let mut child = Command::new(plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["leader", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("leader --watch runs");
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(child.stdout.take().expect("stdout"));
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    // The first round lists every member.
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let (_, line) = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("the first round");
        seen.push(line);
    }
    assert!(
        seen.iter()
            .any(|l| l.ends_with(&format!("{leader_pod} leader"))),
        "{seen:?}"
    );
    let deleted = Instant::now();
    cluster.k(&["delete", "pod", &leader_pod, "--wait=false"]);
    // Collect lines until a new leader is announced and the deleted leader's change is seen
    // (a round prints members in ordinal order, so either may come first); the first line
    // about the old leader must come within 5 s of the delete.
    let old = format!(" {leader_pod} ");
    let mut changes: Vec<(Instant, String)> = Vec::new();
    let mut new_leader = None;
    while new_leader.is_none() || !changes.iter().any(|(_, l)| l.contains(&old)) {
        let (at, line) = rx
            .recv_timeout(Duration::from_secs(90))
            .expect("a new leader and a change of the deleted one");
        if line.ends_with(" leader") && !line.contains(&old) {
            new_leader = Some(line.clone());
        }
        changes.push((at, line));
    }
    let new_leader = new_leader.unwrap_or_default();
    let (at, line) = changes
        .iter()
        .find(|(_, line)| line.contains(&old))
        .expect("a line about the deleted leader");
    assert!(
        at.duration_since(deleted) < Duration::from_secs(5),
        "{line} came after {:?}",
        at.duration_since(deleted)
    );
    assert!(!line.ends_with(" leader"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    assert!(new_leader.contains(" zk-"), "{new_leader}");

    // A member whose myid file was edited by hand is flagged, exit 1.
    cluster.wait_for("all members back", Duration::from_secs(90), || {
        let out = cluster.zk(&["status"]);
        (out.status.code() == Some(0)).then_some(())
    });
    cluster.k(&["exec", "zk-1", "--", "sh", "-c", "echo 7 > /data/myid"]);
    let out = cluster.zk(&["myid"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("MISMATCH") && text.contains("zk-1: myid is 7, expected 2"),
        "{text}"
    );
}
