//! The verdict without a cluster: ensembles as `status` decides them from members' answers,
//! nodes and pods as the API server returns them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::json;

use super::decide::{ClusterView, ReasonKind, Verdict, judge};
use super::render::AllNodes;
use crate::cluster::ensemble::Ensemble;
use crate::ensemble::{MemberMode, MemberStatus, PdbStatus};
use crate::render::{Style, Tabular};
use crate::zk::view::ServerView;
use crate::zk::{Mode, Version, Zxid};

const EPOCH: u64 = 1 << 32;

fn ensemble(replicas: i32) -> Ensemble {
    crate::ensemble::testing::ensemble_in("default", replicas)
}

/// A member as `status` gathers it: on `node` (None = Pending), in `mode`, at `zxid`.
fn member(ordinal: u32, node: Option<&str>, mode: MemberMode, zxid: u64) -> MemberStatus {
    let serving = matches!(mode, MemberMode::Serving(_));
    MemberStatus {
        pod: format!("zk-{ordinal}"),
        namespace: "default".into(),
        ordinal,
        exists: true,
        ready: serving,
        phase: if node.is_some() { "Running" } else { "Pending" }.into(),
        node: node.map(str::to_owned),
        myid: Some(ordinal + 1),
        mode,
        server: match mode {
            MemberMode::Serving(mode) => Some(ServerView {
                version: Version::new("3.9.3"),
                mode,
                zxid: Some(Zxid(zxid)),
                outstanding: Some(0),
                avg_latency_ms: 0.1,
                connections: Some(0),
                node_count: 5,
            }),
            _ => None,
        },
        lag: None,
        pvc: Some(format!("datadir-zk-{ordinal}")),
        pvc_bound: Some(true),
        via: Some("proxy"),
        error: node.is_none().then(|| {
            "Unschedulable: 0/4 nodes are available: 4 node(s) were unschedulable.".into()
        }),
        refused: Vec::new(),
        synced_followers: None,
        quorum_voters: None,
        settings: BTreeMap::new(),
        scc: None,
    }
}

fn node(name: &str, cordoned: bool) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {"unschedulable": cordoned},
        "status": {
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True"}]
        }
    }))
    .expect("node")
}

/// The member's pod as the StatefulSet kubectl-zk installs makes it.
fn pod(m: &MemberStatus) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": m.pod, "namespace": "default", "uid": format!("uid-{}", m.pod),
            "labels": {"app": "zk"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "zk", "uid": "sts", "controller": true}]},
        "spec": {
            "nodeName": m.node,
            "containers": [{"name": "zookeeper", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}],
            "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "zk"}}, "topologyKey": "kubernetes.io/hostname"}
            ]}}
        },
        "status": {"phase": m.phase}
    }))
    .expect("pod")
}

fn pdb(allowed: i32, healthy: i32) -> Option<PdbStatus> {
    Some(PdbStatus {
        name: "zk-pdb".into(),
        disruptions_allowed: allowed,
        current_healthy: healthy,
        desired_healthy: 2,
        unhealthy_pod_eviction_policy: Default::default(),
    })
}

/// A cluster of `nodes` nodes (`cordoned` of them unschedulable) running `members`.
fn view(
    nodes: usize,
    cordoned: &[&str],
    replicas: i32,
    mut members: Vec<MemberStatus>,
    pdb: Option<PdbStatus>,
    synced: Option<u64>,
) -> ClusterView {
    for m in &mut members {
        if m.mode == MemberMode::Serving(Mode::Leader) {
            m.synced_followers = synced;
        }
    }
    let nodes = (1..=nodes)
        .map(|i| {
            let name = format!("node-{i}");
            node(&name, cordoned.contains(&name.as_str()))
        })
        .collect();
    let pods = members.iter().map(pod).collect();
    ClusterView {
        nodes,
        pods,
        volume_affinity: BTreeMap::new(),
        ensembles: vec![crate::ensemble::decide(&ensemble(replicas), members, pdb)],
        unchecked: Vec::new(),
        qualify: false,
    }
}

fn healthy_three() -> Vec<MemberStatus> {
    vec![
        member(
            0,
            Some("node-1"),
            MemberMode::Serving(Mode::Leader),
            EPOCH + 7,
        ),
        member(
            1,
            Some("node-2"),
            MemberMode::Serving(Mode::Follower),
            EPOCH + 7,
        ),
        member(
            2,
            Some("node-3"),
            MemberMode::Serving(Mode::Follower),
            EPOCH + 7,
        ),
    ]
}

fn kinds(judgement: &super::decide::NodeJudgement) -> Vec<ReasonKind> {
    judgement.reasons.iter().map(|r| r.kind).collect()
}

#[test]
fn a_followers_node_is_safe_with_a_spare_node() {
    let view = view(4, &[], 3, healthy_three(), pdb(1, 3), Some(2));
    let j = judge(&view, "node-2");
    assert_eq!(j.verdict, Verdict::Safe, "{:?}", j.reasons);
    let e = &j.ensembles[0];
    assert_eq!((e.voters, e.quorum_size), (3, 2));
    assert_eq!((e.in_sync_now, e.in_sync_after), (3, 2));
    assert_eq!(e.members[0].pod, "zk-1");
    assert_eq!(e.members[0].reschedule.nodes, ["node-4"]);
    assert!(j.notes.is_empty(), "{:?}", j.notes);
    let table = j.table(Style::plain(), false);
    assert!(table.starts_with("Node node-2: SAFE to drain\n"), "{table}");
    assert!(table.contains("fits on node-4"), "{table}");
    assert!(table.contains("leader zk-0 on node-1"), "{table}");
}

#[test]
fn the_leaders_node_is_safe_but_says_an_election_follows() {
    let view = view(4, &[], 3, healthy_three(), pdb(1, 3), Some(2));
    let j = judge(&view, "node-1");
    assert_eq!(j.verdict, Verdict::Safe, "{:?}", j.reasons);
    assert!(j.ensembles[0].members[0].leader);
    assert_eq!(j.ensembles[0].in_sync_after, 2);
    assert!(
        j.notes
            .iter()
            .any(|n| n.contains("zk-0 is the leader") && n.contains("leader election")),
        "{:?}",
        j.notes
    );
}

#[test]
fn a_node_without_members_is_safe() {
    let view = view(4, &[], 3, healthy_three(), pdb(1, 3), Some(2));
    let j = judge(&view, "node-4");
    assert_eq!(j.verdict, Verdict::Safe);
    assert!(j.ensembles.is_empty());
    assert!(
        j.table(Style::plain(), false)
            .contains("No ZooKeeper member runs on node-4 (ensembles checked: default/zk)")
    );
}

#[test]
fn with_one_follower_down_another_members_node_is_unsafe_for_the_quorum_and_the_budget() {
    let mut members = healthy_three();
    members[2] = member(2, None, MemberMode::Unreachable, 0);
    let view = view(4, &["node-3", "node-4"], 3, members, pdb(0, 2), Some(1));
    let j = judge(&view, "node-2");
    assert_eq!(j.verdict, Verdict::Unsafe);
    assert_eq!(
        kinds(&j),
        [
            ReasonKind::Quorum,
            ReasonKind::Budget,
            ReasonKind::WouldStayPending
        ]
    );
    let quorum = &j.reasons[0].message;
    assert!(
        quorum.starts_with(
            "draining node-2 takes zk-1 (follower) and would leave 1 of 3 voters of ensemble default/zk serving in sync with the leader; a quorum needs 2"
        ),
        "{quorum}"
    );
    assert!(quorum.contains("(zk-2 is down (Pending))"), "{quorum}");
    assert!(
        j.reasons[1]
            .message
            .contains("zk-pdb allows 0 disruptions now (it needs 2 healthy pods and has 2)"),
        "{}",
        j.reasons[1].message
    );
    let table = j.table(Style::plain(), false);
    assert!(table.starts_with("Node node-2: UNSAFE to drain"), "{table}");
    assert_eq!(table.matches("Unsafe: ").count(), 3, "{table}");
}

#[test]
fn without_a_spare_node_the_member_would_stay_pending_naming_the_anti_affinity() {
    let view = view(3, &[], 3, healthy_three(), pdb(1, 3), Some(2));
    let j = judge(&view, "node-3");
    assert_eq!(j.verdict, Verdict::Unsafe);
    assert_eq!(kinds(&j), [ReasonKind::WouldStayPending]);
    assert_eq!(
        j.reasons[0].message,
        "zk-2 would stay Pending once evicted: 0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules."
    );
    assert_eq!(
        j.ensembles[0].in_sync_after, 2,
        "the quorum itself survives"
    );
}

#[test]
fn a_lagging_follower_elsewhere_counts_against_the_quorum() {
    let mut members = healthy_three();
    members[2] = member(
        2,
        Some("node-3"),
        MemberMode::Serving(Mode::Follower),
        EPOCH + 2,
    );
    members[0] = member(
        0,
        Some("node-1"),
        MemberMode::Serving(Mode::Leader),
        EPOCH + 5000,
    );
    members[1] = member(
        1,
        Some("node-2"),
        MemberMode::Serving(Mode::Follower),
        EPOCH + 5000,
    );
    let view = view(4, &[], 3, members, pdb(1, 3), Some(2));
    let j = judge(&view, "node-2");
    assert_eq!(kinds(&j), [ReasonKind::Quorum]);
    assert!(
        j.reasons[0]
            .message
            .contains("zk-2 lags the leader by 4998 transactions"),
        "{}",
        j.reasons[0].message
    );
}

#[test]
fn the_leaders_count_of_synced_followers_caps_the_followers_counted() {
    // Both followers answer as followers, but the leader counts none in sync.
    let view = view(4, &[], 3, healthy_three(), pdb(1, 3), Some(0));
    let j = judge(&view, "node-2");
    assert_eq!(kinds(&j), [ReasonKind::Quorum]);
    assert_eq!(j.ensembles[0].in_sync_after, 1);
    assert!(
        j.reasons[0]
            .message
            .contains("the leader counts only 0 synced follower(s)"),
        "{}",
        j.reasons[0].message
    );
}

#[test]
fn a_lost_quorum_makes_every_members_node_unsafe() {
    let members = vec![
        member(0, Some("node-1"), MemberMode::NotServing, 0),
        member(1, None, MemberMode::Unreachable, 0),
        member(2, None, MemberMode::Unreachable, 0),
    ];
    let view = view(4, &[], 3, members, pdb(0, 1), None);
    let j = judge(&view, "node-1");
    assert_eq!(j.verdict, Verdict::Unsafe);
    assert!(
        j.reasons[0].message.starts_with(
            "ensemble default/zk has no quorum now (quorum lost: 0 of 3 members serve"
        ),
        "{}",
        j.reasons[0].message
    );
    // zk-0 is not Ready, but the budget lacks healthy pods: the eviction would be refused.
    assert_eq!(kinds(&j), [ReasonKind::Quorum, ReasonKind::Budget]);
    // With the budget's healthy pods there, a member that is not Ready may go.
    let mut view = view;
    if let Some(pdb) = view.ensembles[0].pdb.as_mut() {
        pdb.current_healthy = 2;
    }
    assert_eq!(kinds(&judge(&view, "node-1")), [ReasonKind::Quorum]);
}

#[test]
fn five_members_lose_one_more_safely_with_one_already_down() {
    let members = vec![
        member(0, Some("node-1"), MemberMode::Serving(Mode::Leader), EPOCH),
        member(
            1,
            Some("node-2"),
            MemberMode::Serving(Mode::Follower),
            EPOCH,
        ),
        member(
            2,
            Some("node-3"),
            MemberMode::Serving(Mode::Follower),
            EPOCH,
        ),
        member(
            3,
            Some("node-4"),
            MemberMode::Serving(Mode::Follower),
            EPOCH,
        ),
        member(4, Some("node-5"), MemberMode::Unreachable, 0),
    ];
    let view = view(6, &[], 5, members, pdb(1, 4), Some(3));
    let j = judge(&view, "node-2");
    assert_eq!(j.verdict, Verdict::Safe, "{:?}", j.reasons);
    assert_eq!(
        (j.ensembles[0].in_sync_now, j.ensembles[0].in_sync_after),
        (4, 3)
    );
}

#[test]
fn a_single_member_ensemble_cannot_lose_its_server() {
    let members = vec![member(
        0,
        Some("node-1"),
        MemberMode::Serving(Mode::Standalone),
        EPOCH,
    )];
    let view = view(2, &[], 1, members, pdb(0, 1), None);
    let j = judge(&view, "node-1");
    assert_eq!(kinds(&j), [ReasonKind::Quorum, ReasonKind::Budget]);
}

#[test]
fn no_budget_is_said_and_other_pods_are_named() {
    let mut view = view(4, &[], 3, healthy_three(), None, Some(2));
    view.pods.push(
        serde_json::from_value(json!({
            "metadata": {"name": "web-1", "namespace": "shop"},
            "spec": {"nodeName": "node-2", "containers": [{"name": "web"}]},
            "status": {"phase": "Running"}
        }))
        .expect("pod"),
    );
    let j = judge(&view, "node-2");
    assert_eq!(j.verdict, Verdict::Safe);
    assert!(
        j.notes
            .iter()
            .any(|n| n.starts_with("no PodDisruptionBudget covers ensemble default/zk")),
        "{:?}",
        j.notes
    );
    assert_eq!(j.other_pods, ["shop/web-1"]);
    let table = j.table(Style::plain(), false);
    assert!(
        table.contains("1 other pod(s) run on node-2 (shop/web-1)")
            && table.contains("kubectl drain node-2 --ignore-daemonsets"),
        "{table}"
    );
}

#[test]
fn all_nodes_has_one_row_per_node_and_the_full_model_in_json() {
    let four = view(4, &[], 3, healthy_three(), pdb(1, 3), Some(2));
    let all = AllNodes(
        ["node-1", "node-2", "node-3", "node-4"]
            .iter()
            .map(|n| judge(&four, n))
            .collect(),
    );
    let table = all.table(Style::plain(), false);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(lines[0].starts_with("NODE"), "{table}");
    assert!(
        lines[1].starts_with("node-1") && lines[1].contains("zk-0") && lines[1].contains("SAFE"),
        "{table}"
    );
    assert!(
        lines[4].starts_with("node-4") && lines[4].contains(" - "),
        "{table}"
    );
    let unsafe_view = view(3, &[], 3, healthy_three(), pdb(0, 3), Some(2));
    let row = AllNodes(vec![judge(&unsafe_view, "node-2")]).table(Style::plain(), false);
    assert!(
        row.contains("UNSAFE    zk-pdb allows 0 disruptions; zk-1 would stay Pending"),
        "{row}"
    );
    let json = crate::render::versioned(&all).expect("json");
    assert_eq!(json["apiVersion"], "kubectl-zk.io/v1alpha1");
    assert_eq!(json["kind"], "DrainJudgementList");
    let second = &json["items"][1];
    assert_eq!(second["verdict"], "safe");
    assert_eq!(second["ensembles"][0]["members"][0]["pod"], "zk-1");
    assert_eq!(second["ensembles"][0]["members"][0]["mode"], "follower");
    assert_eq!(
        second["ensembles"][0]["members"][0]["reschedule"]["nodes"][0],
        "node-4"
    );
}

#[test]
fn a_follower_that_serves_but_is_not_ready_does_not_count() {
    // zk-2 serves as a follower but its pod is not Ready: by the one quorum rule it does not
    // count, so draining the other follower's node leaves the leader alone — the verdict
    // `leader --failover` and `persist-check --restart` reach for the same ensemble.
    let mut members = healthy_three();
    members[2].ready = false;
    let pdb = pdb(1, 2);
    let j = judge(
        &view(4, &[], 3, members.clone(), pdb.clone(), Some(2)),
        "node-2",
    );
    assert_eq!(j.verdict, Verdict::Unsafe);
    let quorum = &j.reasons[0].message;
    assert!(
        quorum.contains("would leave 1 of 3 voters")
            && quorum.contains("zk-2 serves but is not Ready"),
        "{quorum}"
    );
    // Draining the not-Ready member's own node leaves two that count.
    let j = judge(&view(4, &[], 3, members, pdb, Some(2)), "node-3");
    assert!(!kinds(&j).contains(&ReasonKind::Quorum), "{:?}", j.reasons);
}

#[test]
fn all_namespaces_qualify_members_with_their_namespace() {
    let mut view = view(4, &[], 3, healthy_three(), pdb(1, 2), Some(2));
    view.qualify = true;
    let j = judge(&view, "node-1");
    let table = j.table(Style::plain(), false);
    assert!(table.contains("default/zk-0"), "{table}");
    assert!(
        j.notes
            .iter()
            .any(|n| n.starts_with("default/zk-0 is the leader")),
        "{:?}",
        j.notes
    );
    let json = serde_json::to_value(&j).expect("json");
    let member = &json["ensembles"][0]["members"][0];
    assert_eq!(member["pod"], "zk-0", "the pod's own name in JSON");
    assert_eq!(member["namespace"], "default");
    let row = AllNodes(vec![j]).table(Style::plain(), false);
    assert!(row.contains("default/zk-0"), "{row}");
}
