//! The verdict: is draining a node safe now? Pure — what was gathered in, a judgement out.
//!
//! A node is SAFE when, for every ensemble with a member on it:
//! - **quorum**: the voters that serve in sync with the leader and are not on the node are
//!   at least a quorum (`voters / 2 + 1`). In sync means leading, or following without
//!   lagging the leader's zxid by more than `status::LAG_THRESHOLD` transactions; the
//!   followers counted are never more than the leader's own count of synced followers.
//!   Members already down, not serving or lagging elsewhere count against it.
//! - **budget**: the PodDisruptionBudget allows a disruption when a Ready member is on the
//!   node (a budget at 0 refuses every eviction with a 429).
//! - **rescheduling**: every evicted member fits on another node (see [`schedule`]); one that
//!   would stay Pending leaves the ensemble a member short for the whole maintenance.
//!
//! The leader on the node is not a reason by itself: it is said (an election follows), and
//! `--execute` evicts it last. No PodDisruptionBudget is said too: nothing then stops
//! `kubectl drain` from evicting more members than the quorum can lose.
//!
//! [`schedule`]: crate::kube::schedule

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, NodeSelector, Pod};
use serde::Serialize;

use crate::ensemble::{EnsembleStatus, LAG_THRESHOLD, MemberMode, MemberStatus, PdbStatus};
use crate::kube::pdb;
use crate::kube::schedule::{Reschedule, Scheduler};
use crate::zk::{Mode, quorum};

/// Everything a verdict needs, read once.
#[derive(Debug, Clone, Default)]
pub struct ClusterView {
    /// Every node.
    pub nodes: Vec<Node>,
    /// Every pod of the cluster (for room on nodes and anti-affinity).
    pub pods: Vec<Pod>,
    /// Node selectors of the PersistentVolumes of each member pod, keyed `namespace/pod`.
    pub volume_affinity: BTreeMap<String, Vec<NodeSelector>>,
    /// The ensembles judged, as `status` sees them.
    pub ensembles: Vec<EnsembleStatus>,
    /// What could not be read and so was not checked.
    pub unchecked: Vec<String>,
}

/// SAFE or UNSAFE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Draining now keeps every quorum, passes the budget, and every member comes back.
    Safe,
    /// At least one reason says no.
    Unsafe,
}

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// The quorum would not survive (or is already lost).
    Quorum,
    /// The PodDisruptionBudget would refuse the eviction.
    Budget,
    /// An evicted member could not be scheduled again.
    WouldStayPending,
}

/// One reason the drain is unsafe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// What it is about.
    pub kind: ReasonKind,
    /// The ensemble, `namespace/name`.
    pub ensemble: String,
    /// A few words, for the one-row-per-node table.
    pub summary: String,
    /// The whole sentence.
    pub message: String,
}

/// The judgement of one node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeJudgement {
    /// The node.
    pub node: String,
    /// Whether it is cordoned already.
    pub cordoned: bool,
    /// SAFE or UNSAFE.
    pub verdict: Verdict,
    /// Why it is unsafe (empty when safe).
    pub reasons: Vec<Reason>,
    /// Worth knowing either way: an election, a missing budget, what was not checked.
    pub notes: Vec<String>,
    /// The ensembles checked, `namespace/name`.
    pub checked: Vec<String>,
    /// Per ensemble with a member on the node.
    pub ensembles: Vec<EnsembleJudgement>,
    /// Other pods on the node (`namespace/name`): drain-safe does not evict them.
    pub other_pods: Vec<String>,
}

/// One ensemble's side of the judgement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsembleJudgement {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Voting members.
    pub voters: usize,
    /// Votes a quorum needs.
    pub quorum_size: usize,
    /// Voters serving in sync with the leader now.
    pub in_sync_now: usize,
    /// Voters serving in sync once the node's members are gone.
    pub in_sync_after: usize,
    /// The leader's pod.
    pub leader: Option<String>,
    /// The leader's node.
    pub leader_node: Option<String>,
    /// Followers in sync, as the leader counts them.
    pub synced_followers: Option<u64>,
    /// The PodDisruptionBudget, if one covers the members.
    pub pdb: Option<PdbStatus>,
    /// Its members on the node, in the order `--execute` evicts them.
    pub members: Vec<MemberOnNode>,
}

/// A member on the node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberOnNode {
    /// Pod name.
    pub pod: String,
    /// Mode as `status` says it (leader, follower, not serving, unreachable…).
    pub mode: String,
    /// Whether it leads.
    pub leader: bool,
    /// Pod Ready.
    pub ready: bool,
    /// Serving in sync with the leader.
    pub in_sync: bool,
    /// Where it would go once evicted.
    pub reschedule: Reschedule,
}

impl NodeJudgement {
    /// Every member on the node with its ensemble, in eviction order.
    pub fn members(&self) -> impl Iterator<Item = (&EnsembleJudgement, &MemberOnNode)> {
        self.ensembles
            .iter()
            .flat_map(|e| e.members.iter().map(move |m| (e, m)))
    }
}

/// Whether a member counts for the quorum: leading, following without lagging, or the
/// standalone server of a one-member ensemble.
fn in_sync(member: &MemberStatus, voters: usize) -> bool {
    match member.mode {
        MemberMode::Serving(Mode::Leader) => true,
        MemberMode::Serving(Mode::Standalone) => voters == 1,
        MemberMode::Serving(Mode::Follower) => {
            !member.lag.is_some_and(|l| l.is_lagging(LAG_THRESHOLD))
        }
        _ => false,
    }
}

/// Why a member off the node does not count: down, not serving, lagging (the details are
/// `kubectl zk status`'s).
fn why_not_in_sync(member: &MemberStatus) -> String {
    let pod = &member.pod;
    if let Some(lag) = member.lag.filter(|l| l.is_lagging(LAG_THRESHOLD)) {
        return format!("{pod} lags the leader by {lag} transactions");
    }
    match member.mode {
        MemberMode::Missing => format!("{pod} has no pod"),
        _ if member.phase != "Running" => format!("{pod} is down ({})", member.phase),
        mode => format!("{pod} is {}", mode.word()),
    }
}

/// Judges draining `node` (which must be one of `view.nodes`).
pub fn judge(view: &ClusterView, node: &str) -> NodeJudgement {
    let node_object = view
        .nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(node));
    let cordoned = node_object
        .and_then(|n| n.spec.as_ref())
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    let on_node = |m: &MemberStatus| m.exists && m.node.as_deref() == Some(node);

    // Where the evicted members would go: members of these ensembles already Pending go
    // first (they are ahead in the scheduler's queue), then the node's members in the order
    // --execute evicts them.
    let mut scheduler = Scheduler::new(&view.nodes, &view.pods, Some(node));
    let find_pod = |namespace: &str, name: &str| {
        view.pods.iter().find(|p| {
            p.metadata.namespace.as_deref() == Some(namespace)
                && p.metadata.name.as_deref() == Some(name)
        })
    };
    let volumes = |namespace: &str, pod: &str| {
        view.volume_affinity
            .get(&format!("{namespace}/{pod}"))
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    for status in &view.ensembles {
        for member in status
            .members
            .iter()
            .filter(|m| m.exists && m.node.is_none() && m.phase == "Pending")
        {
            if let Some(pod) = find_pod(&status.namespace, &member.pod) {
                scheduler.place(pod, volumes(&status.namespace, &member.pod));
            }
        }
    }

    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut ensembles = Vec::new();
    for status in &view.ensembles {
        let mut evicted: Vec<&MemberStatus> =
            status.members.iter().filter(|m| on_node(m)).collect();
        if evicted.is_empty() {
            continue;
        }
        evicted.sort_by_key(|m| (m.mode == MemberMode::Serving(Mode::Leader), m.ordinal));
        let label = format!("{}/{}", status.namespace, status.ensemble);
        let voters = status.desired as usize;
        let quorum_size = quorum::quorum_size(voters);
        let members = evicted
            .iter()
            .map(|m| MemberOnNode {
                pod: m.pod.clone(),
                mode: m.mode.word().to_owned(),
                leader: m.mode == MemberMode::Serving(Mode::Leader),
                ready: m.ready,
                in_sync: in_sync(m, voters),
                reschedule: match find_pod(&status.namespace, &m.pod) {
                    Some(pod) => scheduler.place(pod, volumes(&status.namespace, &m.pod)),
                    None => Reschedule {
                        schedulable: false,
                        nodes: Vec::new(),
                        message: Some("its pod could not be read".into()),
                    },
                },
            })
            .collect::<Vec<_>>();

        // Quorum, from ZooKeeper's own answers.
        let in_sync_now = status.members.iter().filter(|m| in_sync(m, voters)).count();
        let staying: Vec<&MemberStatus> = status.members.iter().filter(|m| !on_node(m)).collect();
        let leader_stays = staying
            .iter()
            .any(|m| m.mode == MemberMode::Serving(Mode::Leader));
        let followers_staying = staying
            .iter()
            .filter(|m| m.mode == MemberMode::Serving(Mode::Follower) && in_sync(m, voters))
            .count();
        let capped = status
            .synced_followers
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .filter(|synced| *synced < followers_staying);
        let standalone_stays = staying
            .iter()
            .any(|m| m.mode == MemberMode::Serving(Mode::Standalone) && voters == 1);
        let in_sync_after = capped.unwrap_or(followers_staying)
            + usize::from(leader_stays)
            + usize::from(standalone_stays);
        let taken: Vec<String> = evicted
            .iter()
            .map(|m| format!("{} ({})", m.pod, m.mode.word()))
            .collect();
        if !status.quorum_holds {
            let why = status
                .warnings
                .first()
                .cloned()
                .unwrap_or_else(|| "no leader".into());
            reasons.push(Reason {
                kind: ReasonKind::Quorum,
                ensemble: label.clone(),
                summary: format!("{label} has no quorum"),
                message: format!(
                    "ensemble {label} has no quorum now ({why}); bring its members back before draining anything"
                ),
            });
        } else if in_sync_after < quorum_size {
            let mut message = format!(
                "draining {node} takes {} and would leave {in_sync_after} of {voters} voters of ensemble {label} serving in sync with the leader; a quorum needs {quorum_size}",
                taken.join(", ")
            );
            let absent: Vec<String> = staying
                .iter()
                .filter(|m| !in_sync(m, voters))
                .map(|m| why_not_in_sync(m))
                .collect();
            if !absent.is_empty() {
                message.push_str(&format!(" ({})", absent.join("; ")));
            }
            if let Some(synced) = capped {
                message.push_str(&format!(
                    " (the leader counts only {synced} synced follower(s))"
                ));
            }
            message.push_str("; ZooKeeper would refuse every write until they are back");
            reasons.push(Reason {
                kind: ReasonKind::Quorum,
                ensemble: label.clone(),
                summary: format!(
                    "quorum: {in_sync_after} of {voters} left in sync, {quorum_size} needed"
                ),
                message,
            });
        }

        // The PodDisruptionBudget, as the Eviction API applies it (kube::pdb::refuses).
        let ready_on_node = evicted.iter().filter(|m| m.ready).count();
        let budget_refuses = |pdb: &PdbStatus, m: &MemberStatus| {
            pdb::refuses(
                pdb,
                pdb::Evicted {
                    running: m.phase == "Running",
                    ready: m.ready,
                },
            )
        };
        let refused: Vec<&str> = status
            .pdb
            .iter()
            .flat_map(|pdb| {
                evicted
                    .iter()
                    .filter(move |m| budget_refuses(pdb, m))
                    .map(|m| m.pod.as_str())
            })
            .collect();
        match &status.pdb {
            None => notes.push(format!(
                "no PodDisruptionBudget covers ensemble {label}: nothing stops `kubectl drain` from evicting more members than the quorum can lose; `kubectl zk install` creates one"
            )),
            Some(pdb) if !refused.is_empty() => {
                reasons.push(Reason {
                    kind: ReasonKind::Budget,
                    ensemble: label.clone(),
                    summary: format!(
                        "{} allows {} disruptions",
                        pdb.name,
                        pdb.disruptions_allowed.max(0)
                    ),
                    message: format!(
                        "the PodDisruptionBudget {} allows {} disruptions now (it needs {} healthy pods and has {}): evicting {} would be refused (429 TooManyRequests)",
                        pdb.name,
                        pdb.disruptions_allowed.max(0),
                        pdb.desired_healthy,
                        pdb.current_healthy,
                        refused.join(", ")
                    ),
                });
            }
            Some(pdb) if ready_on_node as i32 > pdb.disruptions_allowed => notes.push(format!(
                "the PodDisruptionBudget {} allows {} disruption(s) at a time for {ready_on_node} Ready members on {node}: they can only go one after another, each once its replacement is Ready",
                pdb.name, pdb.disruptions_allowed
            )),
            Some(_) => {}
        }

        // The leader.
        let leader_node = status.leader.as_ref().and_then(|leader| {
            status
                .members
                .iter()
                .find(|m| &m.pod == leader)
                .and_then(|m| m.node.clone())
        });
        if let Some(leader) = members.iter().find(|m| m.leader && voters > 1) {
            notes.push(format!(
                "{} is the leader of ensemble {label}: evicting it starts a leader election among the remaining members (clients reconnect; --execute evicts it last)",
                leader.pod
            ));
        }

        // Rescheduling.
        for member in &members {
            if let Some(message) = &member.reschedule.message {
                reasons.push(Reason {
                    kind: ReasonKind::WouldStayPending,
                    ensemble: label.clone(),
                    summary: format!("{} would stay Pending", member.pod),
                    message: format!("{} would stay Pending once evicted: {message}", member.pod),
                });
            }
        }

        ensembles.push(EnsembleJudgement {
            ensemble: status.ensemble.clone(),
            namespace: status.namespace.clone(),
            voters,
            quorum_size,
            in_sync_now,
            in_sync_after,
            leader: status.leader.clone(),
            leader_node,
            synced_followers: status.synced_followers,
            pdb: status.pdb.clone(),
            members,
        });
    }

    let member_pods: BTreeSet<(String, String)> = view
        .ensembles
        .iter()
        .flat_map(|s| {
            s.members
                .iter()
                .map(|m| (s.namespace.clone(), m.pod.clone()))
        })
        .collect();
    let other_pods: Vec<String> = view
        .pods
        .iter()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .filter(|key| !member_pods.contains(key))
        .map(|(ns, name)| format!("{ns}/{name}"))
        .collect();
    notes.extend(view.unchecked.iter().cloned());
    NodeJudgement {
        node: node.to_owned(),
        cordoned,
        verdict: if reasons.is_empty() {
            Verdict::Safe
        } else {
            Verdict::Unsafe
        },
        reasons,
        notes,
        checked: view
            .ensembles
            .iter()
            .map(|s| format!("{}/{}", s.namespace, s.ensemble))
            .collect(),
        ensembles,
        other_pods,
    }
}
