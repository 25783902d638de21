//! The verdict: is draining a node safe now? Pure — what was gathered in, a judgement out.
//!
//! A node is SAFE when, for every ensemble with a member on it:
//! - **quorum**: the one judgement of [`crate::zk::quorum`] — the voters not on the node that
//!   lead or follow in sync **and** are Ready are at least a quorum (`voters / 2 + 1`); the
//!   followers counted are never more than the leader's own count of synced followers.
//!   Members already down, not serving, lagging or not Ready elsewhere count against it.
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

use crate::ensemble::{EnsembleStatus, MemberMode, MemberStatus, PdbStatus};
use crate::kube::pdb;
use crate::kube::schedule::{Reschedule, Scheduler};
use crate::zk::Mode;
use crate::zk::quorum::{Judgement, Standing};

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
    /// Name members `namespace/pod` (`-A`: ensembles of several namespaces are judged).
    pub qualify: bool,
}

impl ClusterView {
    /// A member as the judgement names it: `namespace/pod` under `-A`, else the pod.
    pub fn member_name(&self, namespace: &str, pod: &str) -> String {
        if self.qualify {
            format!("{namespace}/{pod}")
        } else {
            pod.to_owned()
        }
    }
}

/// SAFE or UNSAFE (`safe` / `unsafe` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
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
    /// Its namespace.
    pub namespace: String,
    /// How tables and messages name it: `namespace/pod` under `-A`, else the pod.
    #[serde(skip)]
    pub shown: String,
    /// Mode as `status` says it (leader, follower, not-serving, unreachable…).
    pub mode: MemberMode,
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

/// Whether a member counts for the quorum now, by the one rule of [`crate::zk::quorum`]:
/// leading or following in sync, and Ready.
fn in_sync(member: &MemberStatus) -> bool {
    let member = member.quorum_member();
    member.ready && matches!(member.standing(), Standing::Leading | Standing::InSync)
}

/// What the judgement of one node collects: reasons it is unsafe, notes worth knowing.
#[derive(Default)]
struct Findings {
    reasons: Vec<Reason>,
    notes: Vec<String>,
}

/// Judges draining `node` (which must be one of `view.nodes`).
pub fn judge(view: &ClusterView, node: &str) -> NodeJudgement {
    let cordoned = view
        .nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(node))
        .is_some_and(crate::kube::node::is_cordoned);
    let mut scheduler = scheduler_with_pending(view, node);
    let mut findings = Findings::default();
    let ensembles: Vec<EnsembleJudgement> = view
        .ensembles
        .iter()
        .filter_map(|status| judge_ensemble(view, status, node, &mut scheduler, &mut findings))
        .collect();
    findings.notes.extend(view.unchecked.iter().cloned());
    for status in &view.ensembles {
        findings.notes.extend(status.not_checked.iter().cloned());
    }
    NodeJudgement {
        node: node.to_owned(),
        cordoned,
        verdict: if findings.reasons.is_empty() {
            Verdict::Safe
        } else {
            Verdict::Unsafe
        },
        reasons: findings.reasons,
        notes: findings.notes,
        checked: view
            .ensembles
            .iter()
            .map(|s| format!("{}/{}", s.namespace, s.ensemble))
            .collect(),
        ensembles,
        other_pods: other_pods(view, node),
    }
}

/// The pod object of a member.
fn find_pod<'a>(view: &'a ClusterView, namespace: &str, name: &str) -> Option<&'a Pod> {
    view.pods.iter().find(|p| {
        p.metadata.namespace.as_deref() == Some(namespace)
            && p.metadata.name.as_deref() == Some(name)
    })
}

/// The node selectors of a member's volumes.
fn volumes<'a>(view: &'a ClusterView, namespace: &str, pod: &str) -> &'a [NodeSelector] {
    view.volume_affinity
        .get(&format!("{namespace}/{pod}"))
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The scheduler once `node` is drained, with the members already Pending placed first
/// (they are ahead in the scheduler's queue).
fn scheduler_with_pending<'a>(view: &'a ClusterView, node: &'a str) -> Scheduler<'a> {
    let mut scheduler = Scheduler::new(&view.nodes, &view.pods, Some(node));
    for status in &view.ensembles {
        for member in status
            .members
            .iter()
            .filter(|m| m.exists && m.node.is_none() && m.phase == "Pending")
        {
            if let Some(pod) = find_pod(view, &status.namespace, &member.pod) {
                scheduler.place(pod, volumes(view, &status.namespace, &member.pod));
            }
        }
    }
    scheduler
}

/// One ensemble's side: its members on the node in eviction order (followers first, the
/// leader last), where each would go, and the quorum, budget, leader and rescheduling findings.
fn judge_ensemble<'a>(
    view: &'a ClusterView,
    status: &EnsembleStatus,
    node: &str,
    scheduler: &mut Scheduler<'a>,
    findings: &mut Findings,
) -> Option<EnsembleJudgement> {
    let mut evicted: Vec<&MemberStatus> = status
        .members
        .iter()
        .filter(|m| m.exists && m.node.as_deref() == Some(node))
        .collect();
    if evicted.is_empty() {
        return None;
    }
    evicted.sort_by_key(|m| (m.mode == MemberMode::Serving(Mode::Leader), m.ordinal));
    let label = format!("{}/{}", status.namespace, status.ensemble);
    let members: Vec<MemberOnNode> = evicted
        .iter()
        .map(|m| MemberOnNode {
            pod: m.pod.clone(),
            namespace: status.namespace.clone(),
            shown: view.member_name(&status.namespace, &m.pod),
            mode: m.mode,
            leader: m.mode == MemberMode::Serving(Mode::Leader),
            ready: m.ready,
            in_sync: in_sync(m),
            reschedule: match find_pod(view, &status.namespace, &m.pod) {
                Some(pod) => scheduler.place(pod, volumes(view, &status.namespace, &m.pod)),
                None => Reschedule {
                    schedulable: false,
                    nodes: Vec::new(),
                    message: Some("its pod could not be read".into()),
                },
            },
        })
        .collect();
    let going: Vec<&str> = evicted.iter().map(|m| m.pod.as_str()).collect();
    let now = status.judge(&[]);
    let after = status.judge(&going);
    findings
        .reasons
        .extend(quorum_reason(view, status, &evicted, &after, node, &label));
    budget_findings(status, &evicted, node, &label, findings);
    if let Some(leader) = members.iter().find(|m| m.leader && after.voters > 1) {
        findings.notes.push(format!(
            "{} is the leader of ensemble {label}: evicting it starts a leader election among the remaining members (clients reconnect; --execute evicts it last)",
            leader.shown
        ));
    }
    for member in &members {
        if let Some(message) = &member.reschedule.message {
            findings.reasons.push(Reason {
                kind: ReasonKind::WouldStayPending,
                ensemble: label.clone(),
                summary: format!("{} would stay Pending", member.shown),
                message: format!(
                    "{} would stay Pending once evicted: {message}",
                    member.shown
                ),
            });
        }
    }
    let leader_node = status.leader.as_ref().and_then(|leader| {
        status
            .members
            .iter()
            .find(|m| &m.pod == leader)
            .and_then(|m| m.node.clone())
    });
    Some(EnsembleJudgement {
        ensemble: status.ensemble.clone(),
        namespace: status.namespace.clone(),
        voters: after.voters,
        quorum_size: after.needed,
        in_sync_now: now.counted,
        in_sync_after: after.counted,
        leader: status.leader.clone(),
        leader_node,
        synced_followers: status.synced_followers,
        pdb: status.pdb.clone(),
        members,
    })
}

/// The quorum reason, from the one judgement: none now, or too few left once the node's
/// members go.
fn quorum_reason(
    view: &ClusterView,
    status: &EnsembleStatus,
    evicted: &[&MemberStatus],
    after: &Judgement,
    node: &str,
    label: &str,
) -> Option<Reason> {
    if !status.quorum_holds {
        let why = status
            .warnings
            .first()
            .cloned()
            .unwrap_or_else(|| "no leader".into());
        return Some(Reason {
            kind: ReasonKind::Quorum,
            ensemble: label.to_owned(),
            summary: format!("{label} has no quorum"),
            message: format!(
                "ensemble {label} has no quorum now ({why}); bring its members back before draining anything"
            ),
        });
    }
    if after.survives {
        return None;
    }
    let (voters, left, needed) = (after.voters, after.counted, after.needed);
    let taken: Vec<String> = evicted
        .iter()
        .map(|m| {
            format!(
                "{} ({})",
                view.member_name(&status.namespace, &m.pod),
                m.mode.word()
            )
        })
        .collect();
    let mut message = format!(
        "draining {node} takes {} and would leave {left} of {voters} voters of ensemble {label} serving in sync with the leader; a quorum needs {needed}",
        taken.join(", ")
    );
    let absent = after.absent_text(true);
    if !absent.is_empty() {
        message.push_str(&format!(" ({absent})"));
    }
    if let Some(synced) = after.capped_by_leader {
        message.push_str(&format!(
            " (the leader counts only {synced} synced follower(s))"
        ));
    }
    message.push_str("; ZooKeeper would refuse every write until they are back");
    Some(Reason {
        kind: ReasonKind::Quorum,
        ensemble: label.to_owned(),
        summary: format!("quorum: {left} of {voters} left in sync, {needed} needed"),
        message,
    })
}

/// The PodDisruptionBudget, as the Eviction API applies it ([`pdb::refuses`]): a reason when
/// it would refuse an eviction, a note when there is none or it lets members go only one by one.
fn budget_findings(
    status: &EnsembleStatus,
    evicted: &[&MemberStatus],
    node: &str,
    label: &str,
    findings: &mut Findings,
) {
    if !status.pdb_checked {
        // The ensemble's own read of the budgets failed: its not-checked note says why.
        return;
    }
    let Some(budget) = &status.pdb else {
        findings.notes.push(format!(
            "no PodDisruptionBudget covers ensemble {label}: nothing stops `kubectl drain` from evicting more members than the quorum can lose; `kubectl zk install` creates one"
        ));
        return;
    };
    let refused: Vec<&str> = evicted
        .iter()
        .filter(|m| {
            pdb::refuses(
                budget,
                pdb::Evicted {
                    running: m.phase == "Running",
                    ready: m.ready,
                },
            )
        })
        .map(|m| m.pod.as_str())
        .collect();
    let ready_on_node = evicted.iter().filter(|m| m.ready).count();
    if !refused.is_empty() {
        findings.reasons.push(Reason {
            kind: ReasonKind::Budget,
            ensemble: label.to_owned(),
            summary: format!(
                "{} allows {} disruptions",
                budget.name,
                budget.disruptions_allowed.max(0)
            ),
            message: format!(
                "the PodDisruptionBudget {} allows {} disruptions now (it needs {} healthy pods and has {}): evicting {} would be refused (429 TooManyRequests)",
                budget.name,
                budget.disruptions_allowed.max(0),
                budget.desired_healthy,
                budget.current_healthy,
                refused.join(", ")
            ),
        });
    } else if ready_on_node as i32 > budget.disruptions_allowed {
        findings.notes.push(format!(
            "the PodDisruptionBudget {} allows {} disruption(s) at a time for {ready_on_node} Ready members on {node}: they can only go one after another, each once its replacement is Ready",
            budget.name, budget.disruptions_allowed
        ));
    }
}

/// Other pods on the node (`namespace/name`), not finished and not members: drain-safe does
/// not evict them.
fn other_pods(view: &ClusterView, node: &str) -> Vec<String> {
    let member_pods: BTreeSet<(String, String)> = view
        .ensembles
        .iter()
        .flat_map(|s| {
            s.members
                .iter()
                .map(|m| (s.namespace.clone(), m.pod.clone()))
        })
        .collect();
    view.pods
        .iter()
        .filter(|p| {
            crate::kube::pod::node_name(p) == Some(node) && !crate::kube::pod::is_finished(p)
        })
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .filter(|key| !member_pods.contains(key))
        .map(|(ns, name)| format!("{ns}/{name}"))
        .collect()
}
