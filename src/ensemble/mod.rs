//! One model of an ensemble, gathered once and shared by every command: the StatefulSet, its
//! pods, claims and PodDisruptionBudget, and each server's own answers (mode, zxid, synced
//! followers, settings).
//!
//! [`gather`] reads everything (cluster I/O, every member asked at the same time) into an
//! [`EnsembleStatus`]; [`probe`] is the one place that builds member targets' questions and
//! picks the transport; [`decide`] turns the answers into quorum, lag, health and warnings
//! (pure). Commands take members down through [`rolling`] (wait until healthy, restart one
//! member), time elections with [`recovery`] (quick concurrent mode rounds), wait for one
//! member with [`rejoin`], and find files in the pods with [`layout`].

pub mod config_check;
pub mod data_files;
pub mod decide;
pub mod gather;
pub mod layout;
pub mod migrate;
pub mod myid_check;
pub mod probe;
pub mod recovery;
pub mod rejoin;
pub mod rolling;
pub mod rollout;
pub mod scale;
pub mod start_flags;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::manifest::options::Flavor;
use crate::zk::Mode;
use crate::zk::view::{Lag, ServerView};

use crate::zk::quorum::{self, Judgement};
pub use decide::decide;
pub use gather::gather;

/// The PodDisruptionBudget covering the members, as the eviction rule reads it.
pub type PdbStatus = crate::kube::pdb::Budget;

pub use crate::zk::quorum::LAG_THRESHOLD;

/// The whole view.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsembleStatus {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Container image.
    pub image: String,
    /// Image flavour, when known.
    pub flavor: Option<Flavor>,
    /// Whether kubectl-zk installed it or took it over (`kubectl zk migrate`): its StatefulSet
    /// carries `app.kubernetes.io/managed-by: kubectl-zk`.
    pub managed: bool,
    /// The version the members report.
    pub zookeeper_version: Option<String>,
    /// Members asked for.
    pub desired: u32,
    /// Members Ready in Kubernetes.
    pub ready: u32,
    /// Voting members (the leader's own count, else the members less observers).
    pub voters: usize,
    /// Votes a quorum needs.
    pub quorum_size: usize,
    /// Members serving as leader or follower.
    pub serving: usize,
    /// Whether a leader has a quorum behind it.
    pub quorum_holds: bool,
    /// The leader's pod.
    pub leader: Option<String>,
    /// Followers in sync with the leader, as the leader counts them.
    pub synced_followers: Option<u64>,
    /// The PodDisruptionBudget covering the members.
    pub pdb: Option<PdbStatus>,
    /// One entry per member, by ordinal.
    pub members: Vec<MemberStatus>,
    /// Healthy, degraded or quorum lost.
    pub health: Health,
    /// What deserves attention (`problems` in JSON, as in every command).
    #[serde(rename = "problems")]
    pub warnings: Vec<String>,
    /// Whether the cluster is OpenShift (then each member shows the SCC that admitted it).
    pub openshift: bool,
    /// Why the StatefulSet cannot create pods (its latest FailedCreate event), when it cannot.
    pub create_failure: Option<String>,
    /// What could not be read and so was not checked (`not checked: forbidden to list …`).
    pub not_checked: Vec<String>,
    /// Whether the claims were read (else no member's claim is judged).
    #[serde(skip)]
    pub claims_checked: bool,
    /// Whether the PodDisruptionBudgets were read (else `pdb` says nothing).
    #[serde(skip)]
    pub pdb_checked: bool,
}

/// One member.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberStatus {
    /// Pod name.
    pub pod: String,
    /// Its namespace (so members of `status -A` are qualified).
    pub namespace: String,
    /// Ordinal.
    pub ordinal: u32,
    /// Pod exists.
    pub exists: bool,
    /// Pod Ready.
    pub ready: bool,
    /// Pod phase (or Terminating).
    pub phase: String,
    /// Node it runs on.
    pub node: Option<String>,
    /// The server id it reports.
    pub myid: Option<u32>,
    /// ZooKeeper's mode, or why there is none.
    pub mode: MemberMode,
    /// What the server said about itself.
    pub server: Option<ServerView>,
    /// Lag behind the leader, in transactions.
    #[serde(serialize_with = "lag_number")]
    pub lag: Option<Lag>,
    /// Its data claim.
    pub pvc: Option<String>,
    /// Whether the claim is Bound.
    pub pvc_bound: Option<bool>,
    /// How it was reached.
    pub via: Option<&'static str>,
    /// Why it could not be asked, if it could not.
    pub error: Option<String>,
    /// Four-letter words its whitelist refused.
    pub refused: Vec<String>,
    /// Followers in sync (the leader's count; `None` on other members).
    pub synced_followers: Option<u64>,
    /// Voting members (the leader's count, `quorum_size` in `mntr`; `None` elsewhere).
    #[serde(skip)]
    pub quorum_voters: Option<u64>,
    /// The settings the server reports it runs with (from `conf` / `configuration`),
    /// compared across members to find drift.
    pub settings: BTreeMap<String, String>,
    /// The OpenShift SCC that admitted the pod (`openshift.io/scc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scc: Option<String>,
}

/// A member's mode as `status` shows it; in JSON one plain kebab-case string (`leader`,
/// `follower`, `observer`, `standalone`, `read-only`, `not-serving`, `unreachable`,
/// `missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberMode {
    /// Serving, as ZooKeeper says.
    Serving(Mode),
    /// Up but not in a quorum.
    NotServing,
    /// Could not be asked (pod down, timeout, refused).
    Unreachable,
    /// No pod.
    Missing,
}

impl MemberMode {
    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            MemberMode::Serving(mode) => mode.as_str(),
            MemberMode::NotServing => "not serving",
            MemberMode::Unreachable => "unreachable",
            MemberMode::Missing => "missing",
        }
    }

    /// The word in JSON and YAML (kebab-case).
    pub fn json_word(self) -> &'static str {
        match self {
            MemberMode::NotServing => "not-serving",
            other => other.word(),
        }
    }
}

impl Serialize for MemberMode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.json_word())
    }
}

/// A lag as the output contract has it: transactions behind the leader (0 when the member
/// is ahead: it answered after the leader), or null.
pub fn lag_number<S: serde::Serializer>(
    lag: &Option<Lag>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match lag {
        Some(Lag::Transactions(n)) => serializer.serialize_some(n),
        Some(Lag::Ahead) => serializer.serialize_some(&0u64),
        None => serializer.serialize_none(),
    }
}

/// Overall health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    /// Every member Ready, serving and in sync.
    Healthy,
    /// The quorum holds, but a member is down, not serving or lagging.
    Degraded,
    /// No leader with a quorum: ZooKeeper refuses writes.
    QuorumLost,
}

impl MemberStatus {
    /// The member as the quorum judgement sees it.
    pub fn quorum_member(&self) -> quorum::Member {
        let answer = match self.mode {
            MemberMode::Serving(mode) => quorum::Answer::Serving(mode),
            MemberMode::NotServing => quorum::Answer::NotServing,
            MemberMode::Unreachable | MemberMode::Missing => quorum::Answer::Down,
        };
        let down = match self.mode {
            MemberMode::Missing => Some("has no pod".to_owned()),
            MemberMode::Unreachable if self.phase != "Running" => {
                Some(format!("is down ({})", self.phase))
            }
            MemberMode::Unreachable => Some(match &self.error {
                Some(error) => format!("is unreachable ({error})"),
                None => "is unreachable".to_owned(),
            }),
            _ => None,
        };
        quorum::Member {
            name: self.pod.clone(),
            answer,
            ready: self.ready,
            lag: self.lag,
            down,
        }
    }
}

impl EnsembleStatus {
    /// The one quorum judgement: does the quorum hold, and does it survive if the members
    /// named in `going` go (none: the margin now)?
    pub fn judge(&self, going: &[&str]) -> Judgement {
        let members: Vec<quorum::Member> = self
            .members
            .iter()
            .map(MemberStatus::quorum_member)
            .collect();
        let leader_voters = self.members.iter().find_map(|m| m.quorum_voters);
        quorum::judge(&members, leader_voters, self.synced_followers, going)
    }
}
