//! `drain-safe` against the test cluster (real ZooKeeper servers in real processes): the
//! verdict on a follower's node, after a member went down, and without a spare node; every
//! node in one table; `--execute` draining a safe node through the Eviction API and refusing
//! an unsafe one; the bounded wait on a refusing PodDisruptionBudget.

mod common;

use std::time::Duration;

use clap::Parser;
use common::cluster::Cluster;
use common::{stderr, stdout};
use kubectl_zk::cli::Cli;
use kubectl_zk::cluster::client::connect;
use kubectl_zk::cluster::evict::{Evicted, evict};
use serde_json::Value;

/// Installs the default ensemble and waits until `status` says it is healthy.
fn install(cluster: &Cluster) -> Value {
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    cluster.wait_for("a healthy ensemble", Duration::from_secs(90), || {
        let (status, code) = cluster.zk_json("status", &[]);
        (code == Some(0)).then_some(status)
    })
}

/// (pod, node) of the members in `mode` (`leader`, `follower`).
fn members(status: &Value, mode: &str) -> Vec<(String, String)> {
    status["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["mode"] == mode)
        .map(|m| {
            (
                m["pod"].as_str().unwrap_or_default().to_owned(),
                m["node"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pod_field(cluster: &Cluster, pod: &str, path: &str) -> String {
    cluster.k(&["get", "pod", pod, "-o", &format!("jsonpath={{{path}}}")])
}

fn uids(cluster: &Cluster) -> String {
    cluster.k(&[
        "get",
        "pods",
        "-l",
        "app=zk",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}",
    ])
}

fn cordoned(cluster: &Cluster, node: &str) -> bool {
    cluster.k(&["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"]) == "true"
}

/// The audit events of `create pods/eviction` of a pod.
fn evictions_of(log: &[Value], pod: &str) -> Vec<Value> {
    log.iter()
        .filter(|e| {
            e["verb"] == "create"
                && e["objectRef"]["resource"] == "pods"
                && e["objectRef"]["subresource"] == "eviction"
                && e["objectRef"]["name"] == pod
        })
        .cloned()
        .collect()
}

/// The answer's HTTP status of an audit event.
fn answer(event: &Value) -> &Value {
    &event["responseStatus"]["code"]
}

fn drain_json(cluster: &Cluster, args: &[&str]) -> (Value, Option<i32>) {
    cluster.zk_json("drain-safe", args)
}

fn reason_kinds(judgement: &Value) -> Vec<String> {
    judgement["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn four_nodes_judge_drain_a_follower_node_then_refuse_once_a_member_is_down() {
    let cluster = Cluster::start(4);
    let status = install(&cluster);
    let (leader, leader_node) = members(&status, "leader").remove(0);
    let followers = members(&status, "follower");
    assert_eq!(followers.len(), 2, "{status}");
    let (follower, follower_node) = followers[0].clone();
    let (other, other_node) = followers[1].clone();
    let spare = (1..=4)
        .map(|i| format!("node-{i}"))
        .find(|n| ![&leader_node, &follower_node, &other_node].contains(&n))
        .expect("a node without a member");

    // A follower's node: SAFE, exit 0, the member would go to the spare node.
    let out = cluster.zk(&["drain-safe", &follower_node]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.starts_with(&format!("Node {follower_node}: SAFE to drain\n")),
        "{text}"
    );
    assert!(text.contains(&format!("fits on {spare}")), "{text}");
    let (judgement, code) = drain_json(&cluster, &[&follower_node]);
    assert_eq!(code, Some(0));
    assert_eq!(judgement["verdict"], "safe", "{judgement}");
    assert_eq!(
        judgement["ensembles"][0]["members"][0]["pod"],
        follower.as_str()
    );
    assert_eq!(judgement["ensembles"][0]["leader"], leader.as_str());
    assert_eq!(judgement["ensembles"][0]["pdb"]["disruptionsAllowed"], 1);

    // Every node, one row each.
    let out = cluster.zk(&["drain-safe", "--all-nodes"]);
    let table = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{table}{}", stderr(&out));
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{table}");
    for (i, row) in rows.iter().enumerate() {
        assert!(row.starts_with(&format!("node-{} ", i + 1)), "{table}");
        assert!(row.contains("SAFE"), "{table}");
    }
    let leader_row = rows
        .iter()
        .find(|r| r.starts_with(&format!("{leader_node} ")))
        .expect("leader row");
    assert!(leader_row.contains(&leader), "{table}");

    // Bad input: one line, exit 2, nothing changed.
    let out = cluster.zk(&["drain-safe", "node-9"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kubectl-zk: node node-9 not found; list the nodes with `kubectl get nodes`\n"
    );
    let out = cluster.zk(&["drain-safe", &follower_node, "--execute"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(!cordoned(&cluster, &follower_node));

    // --execute on the safe node: cordoned, the member elsewhere, the ensemble healthy,
    // through the Eviction API.
    let uid_before = pod_field(&cluster, &follower, ".metadata.uid");
    let out = cluster.zk(&["drain-safe", &follower_node, "--execute", "--yes"]);
    let progress = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{}{progress}", stdout(&out));
    for line in [
        format!("node/{follower_node} cordoned"),
        format!("evicting default/{follower} (follower)"),
        format!("pod/{follower} evicted"),
        format!("pod/{follower} scheduled on {spare}"),
        format!("pod/{follower} Ready"),
        format!("{follower} is follower, in sync with leader {leader}"),
    ] {
        assert!(
            progress.contains(&line),
            "{line:?} missing from:\n{progress}"
        );
    }
    assert!(cordoned(&cluster, &follower_node));
    assert_ne!(pod_field(&cluster, &follower, ".metadata.uid"), uid_before);
    assert_eq!(pod_field(&cluster, &follower, ".spec.nodeName"), spare);
    let out = cluster.zk(&["status"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "healthy right after --execute returns:\n{}",
        stdout(&out)
    );
    let log = cluster.plugin_requests();
    let evictions = evictions_of(&log, &follower);
    assert_eq!(evictions.len(), 1, "{evictions:?}");
    assert_eq!(answer(&evictions[0]), 201);
    assert!(
        !log.iter().any(|e| e["verb"] == "delete"
            && e["objectRef"]["resource"] == "pods"
            && e["objectRef"]["subresource"].is_null()),
        "no plain delete of a pod"
    );

    // One follower down for good: its node cordoned (the drained node is too) and its pod
    // deleted, so it stays Pending.
    cluster.k(&["cordon", &other_node]);
    cluster.k(&["delete", "pod", &other, "--wait=false"]);
    cluster.wait_for(
        "the follower Pending and out of the quorum",
        Duration::from_secs(60),
        || {
            let (status, _) = cluster.zk_json("status", &[]);
            let member = status["members"]
                .as_array()?
                .iter()
                .find(|m| m["pod"] == other.as_str())?
                .clone();
            (member["phase"] == "Pending" && status["pdb"]["disruptionsAllowed"] == 0).then_some(())
        },
    );

    // Another member's node is now UNSAFE for the quorum: exit 1.
    for node in [&leader_node, &spare] {
        let (judgement, code) = drain_json(&cluster, &[node]);
        assert_eq!(code, Some(1), "{judgement}");
        assert_eq!(judgement["verdict"], "unsafe");
        assert!(
            reason_kinds(&judgement).contains(&"quorum".to_owned()),
            "{judgement}"
        );
    }
    let out = cluster.zk(&["drain-safe", &leader_node]);
    let text = stdout(&out);
    assert!(text.contains("UNSAFE to drain"), "{text}");
    assert!(
        text.contains(&format!(
            "would leave 1 of 3 voters of ensemble default/zk serving in sync with the leader; a quorum needs 2 ({other} is down (Pending))"
        )),
        "{text}"
    );
    assert!(text.contains("zk-pdb allows 0 disruptions now"), "{text}");

    // --execute there evicts nothing and leaves the node as it was.
    let before = uids(&cluster);
    let out = cluster.zk(&["drain-safe", &leader_node, "--execute", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was cordoned or evicted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(uids(&cluster), before, "no member was evicted");
    assert!(!cordoned(&cluster, &leader_node));
    assert!(evictions_of(&cluster.plugin_requests(), &leader).is_empty());

    // The Eviction API refuses under the budget: the plugin's own bounded retry reports the
    // budget's words and gives up after its time, without evicting.
    let cli = Cli::try_parse_from([
        "kubectl-zk",
        "--kubeconfig",
        cluster.kubeconfig.to_str().expect("path"),
        "status",
    ])
    .expect("options");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (outcome, refusals) = runtime.block_on(async {
        let connection = connect(&cli.global).await.expect("client");
        let mut refusals = Vec::new();
        let outcome = evict(
            &connection.client,
            "default",
            &leader,
            Duration::from_secs(4),
            |message| refusals.push(message.to_owned()),
        )
        .await
        .expect("an answer");
        (outcome, refusals)
    });
    let message = "The disruption budget zk-pdb needs 2 healthy pods and has 2 currently";
    assert_eq!(outcome, Evicted::Refused(message.into()));
    assert_eq!(refusals, [message], "said once, retried quietly");
    let refused = evictions_of(&cluster.plugin_requests(), &leader);
    assert!(refused.len() >= 2, "retried: {refused:?}");
    assert!(refused.iter().all(|e| answer(e) == 429), "{refused:?}");
    assert_eq!(uids(&cluster), before);
}

#[test]
fn three_nodes_leave_no_room_and_say_the_member_would_stay_pending() {
    let cluster = Cluster::start(3);
    let status = install(&cluster);
    let (follower, node) = members(&status, "follower").remove(0);

    // Through the real kubectl, as a user runs it.
    let out = cluster.kubectl(&["zk", "drain-safe", &node]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!("Node {node}: UNSAFE to drain")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Unsafe: {follower} would stay Pending once evicted: 0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules."
        )),
        "{text}"
    );
    let (judgement, code) = drain_json(&cluster, &[&node]);
    assert_eq!(code, Some(1));
    assert_eq!(
        reason_kinds(&judgement),
        ["would-stay-pending"],
        "{judgement}"
    );
    assert_eq!(
        judgement["ensembles"][0]["inSyncAfter"], 2,
        "the quorum itself holds"
    );

    // Every node the same: no spare node for any member.
    let (all, code) = drain_json(&cluster, &["--all-nodes"]);
    assert_eq!(code, Some(1));
    assert_eq!(all["kind"], "DrainJudgementList", "{all}");
    let nodes = all["items"].as_array().expect("one judgement per node");
    assert_eq!(nodes.len(), 3, "{all}");
    assert!(nodes.iter().all(|j| j["verdict"] == "unsafe"), "{all}");

    // --execute refuses and changes nothing.
    let before = uids(&cluster);
    let out = cluster.zk(&["drain-safe", &node, "--execute", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(uids(&cluster), before);
    assert!(!cordoned(&cluster, &node));

    // kube-scheduler judges the prediction: drained anyway (kubectl drain, through the Eviction
    // API; the budget allows one), the member's replacement stays Pending, and the scheduler's
    // own FailedScheduling event gives the reasons drain-safe predicted.
    let predicted = text
        .lines()
        .find_map(|l| l.split_once(" would stay Pending once evicted: "))
        .map(|(_, reason)| reason.trim().to_string())
        .expect("the prediction");
    // (the pod is missing for a moment between the eviction and its re-creation)
    let pod_uid =
        || stdout(&cluster.kubectl(&["get", "pod", &follower, "-o", "jsonpath={.metadata.uid}"]));
    let evicted_uid = pod_uid();
    let out = cluster.kubectl(&[
        "drain",
        &node,
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout=120s",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scheduler_said = cluster.wait_for(
        "kube-scheduler's FailedScheduling event for the evicted member",
        Duration::from_secs(60),
        || {
            // the replacement (same name, new uid): the evicted pod had its own events
            let uid = pod_uid();
            if uid.is_empty() || uid == evicted_uid {
                return None;
            }
            let messages = cluster.k(&[
                "get",
                "events",
                "--field-selector",
                &format!("involvedObject.uid={uid},reason=FailedScheduling"),
                "-o",
                "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}",
            ]);
            messages.lines().next().map(str::to_owned)
        },
    );
    assert!(
        scheduler_said.starts_with(&predicted),
        "predicted {predicted:?}, kube-scheduler said {scheduler_said:?}"
    );
    let phase = cluster.k(&["get", "pod", &follower, "-o", "jsonpath={.status.phase}"]);
    assert_eq!(phase, "Pending");
}
