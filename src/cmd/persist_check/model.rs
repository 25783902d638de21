//! What `persist-check` found, as one serialisable report: a checklist (replication per
//! member, storage per member, the survive step, clean-up) with PASS/FAIL and a reason each,
//! the details behind it, and the table rendering. The judging here is pure.

use serde::Serialize;

use crate::render::{Document, Style, Tabular, plain_table};

/// A check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// It held.
    Pass,
    /// It did not.
    Fail,
    /// Not run, and why is in the reason.
    Skip,
}

impl Verdict {
    fn word(self, style: Style) -> String {
        match self {
            Verdict::Pass => style.good("PASS"),
            Verdict::Fail => style.bad("FAIL"),
            Verdict::Skip => style.warn("SKIP"),
        }
    }
}

/// What part of persistence a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// The sentinel written through one member is read back from this one.
    Replication,
    /// The member's data directory is on a Bound PersistentVolumeClaim.
    Storage,
    /// The restart or re-creation itself.
    Step,
    /// After the step: the sentinel is still there and the claim is the same object.
    Survive,
    /// The sentinel and its empty parents were removed.
    Cleanup,
}

impl CheckKind {
    /// The word shown in the CHECK column.
    pub fn word(self) -> &'static str {
        match self {
            CheckKind::Replication => "replication",
            CheckKind::Storage => "storage",
            CheckKind::Step => "step",
            CheckKind::Survive => "survive",
            CheckKind::Cleanup => "cleanup",
        }
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What is checked.
    pub check: CheckKind,
    /// The member (pod), or the step's name.
    pub subject: String,
    /// PASS, FAIL or SKIP.
    pub result: Verdict,
    /// Why.
    pub reason: String,
}

impl Check {
    /// A check line.
    pub fn new(check: CheckKind, subject: &str, result: Verdict, reason: String) -> Check {
        Check {
            check,
            subject: subject.to_owned(),
            result,
            reason,
        }
    }
}

/// The survive step asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Every member restarted, one at a time.
    Restart,
    /// The StatefulSet deleted and created again.
    Recreate,
}

impl Step {
    /// The step's name as the flag spells it.
    pub fn word(self) -> &'static str {
        match self {
            Step::Restart => "restart",
            Step::Recreate => "recreate",
        }
    }
}

/// What one member returned when the sentinel was read from it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRead {
    /// Pod name.
    pub pod: String,
    /// How it was reached: `port-forward` or `exec`.
    pub via: Option<&'static str>,
    /// The sentinel was found with the data written.
    pub found: bool,
    /// Milliseconds from the write being acknowledged until this member showed it.
    pub visible_after_ms: Option<u64>,
    /// The first read missed it and a ZooKeeper `sync` was needed (the member lagged).
    pub needed_sync: bool,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

impl MemberRead {
    /// A member that could not be read, and why.
    pub fn failed(pod: &str, via: Option<&'static str>, error: String) -> MemberRead {
        MemberRead {
            pod: pod.to_owned(),
            via,
            found: false,
            visible_after_ms: None,
            needed_sync: false,
            error: Some(error),
        }
    }
}

/// Judges one member's read of the sentinel. Pure.
pub fn judge_read(kind: CheckKind, read: &MemberRead, path: &str) -> Check {
    let via = read.via.map(|v| format!(" (via {v})")).unwrap_or_default();
    let (result, reason) = match (&read.error, read.found) {
        (Some(err), _) => (Verdict::Fail, format!("cannot read {path}: {err}")),
        (None, false) => (
            Verdict::Fail,
            format!("{path} is missing or holds other data{via}"),
        ),
        (None, true) => {
            let when = match (read.visible_after_ms, read.needed_sync) {
                (Some(ms), true) => format!(", after a sync ({ms} ms behind the write)"),
                (Some(ms), false) => format!(" {ms} ms after the write"),
                (None, _) => String::new(),
            };
            (Verdict::Pass, format!("read back {path}{when}{via}"))
        }
    };
    Check::new(kind, &read.pod, result, reason)
}

/// Where a member's data directory lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VolumeKind {
    /// A PersistentVolumeClaim.
    PersistentVolumeClaim,
    /// An emptyDir: gone with the pod.
    EmptyDir,
    /// A hostPath: tied to one node.
    HostPath,
    /// Another volume type.
    Other,
    /// No volume: the container's own file system.
    None,
}

/// One member's storage, as Kubernetes records it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberStorage {
    /// Pod name.
    pub pod: String,
    /// ZooKeeper's data directory in the container.
    pub data_dir: String,
    /// The volume mount that holds it.
    pub mount_path: Option<String>,
    /// The pod volume's name.
    pub volume: Option<String>,
    /// Its type.
    pub kind: VolumeKind,
    /// The claim's name.
    pub claim: Option<String>,
    /// The claim's UID.
    pub claim_uid: Option<String>,
    /// The claim's phase (Bound, Pending, Lost), or `Missing`.
    pub phase: Option<String>,
    /// The PersistentVolume bound to it.
    pub persistent_volume: Option<String>,
    /// The PV's reclaim policy (Retain, Delete, Recycle).
    pub reclaim_policy: Option<String>,
    /// The claim's StorageClass.
    pub storage_class: Option<String>,
    /// Why a detail could not be read (e.g. PVs are not readable).
    pub note: Option<String>,
}

/// A claim the StatefulSet would use for an ordinal it does not run now (left over from a
/// scale-down).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftoverClaim {
    /// Claim name.
    pub claim: String,
    /// The ordinal it belongs to.
    pub ordinal: u32,
    /// Its phase.
    pub phase: Option<String>,
}

/// Judges one member's storage; warnings go to `warnings`. Pure.
pub fn judge_storage(storage: &MemberStorage, warnings: &mut Vec<String>) -> Check {
    let on = |what: &str| match storage.mount_path.as_deref() {
        Some(mount) if mount.trim_end_matches('/') != storage.data_dir.trim_end_matches('/') => {
            format!("{} is on {what} (mounted at {mount})", storage.data_dir)
        }
        _ => format!("{} is on {what}", storage.data_dir),
    };
    let (result, reason) = match storage.kind {
        VolumeKind::PersistentVolumeClaim => {
            let claim = storage.claim.as_deref().unwrap_or("?");
            match storage.phase.as_deref() {
                Some("Bound") => {
                    let pv = storage.persistent_volume.as_deref().unwrap_or("?");
                    let policy = storage.reclaim_policy.as_deref().unwrap_or("unknown");
                    if let Some(note) = &storage.note {
                        warnings.push(format!("{}: {note}", storage.pod));
                    }
                    (
                        Verdict::Pass,
                        format!(
                            "{}, Bound to PV {pv} (reclaim {policy})",
                            on(&format!("PVC {claim}"))
                        ),
                    )
                }
                Some(phase) => (
                    Verdict::Fail,
                    format!(
                        "{}, which is {phase}, not Bound",
                        on(&format!("PVC {claim}"))
                    ),
                ),
                None => (
                    Verdict::Fail,
                    format!("{}, which does not exist", on(&format!("PVC {claim}"))),
                ),
            }
        }
        VolumeKind::EmptyDir => (
            Verdict::Fail,
            format!(
                "{}: the data is lost whenever the pod is deleted",
                on("an emptyDir")
            ),
        ),
        VolumeKind::HostPath => (
            Verdict::Fail,
            format!(
                "{}: the data stays on one node and is not a claim",
                on("a hostPath")
            ),
        ),
        VolumeKind::Other => (
            Verdict::Fail,
            format!(
                "{} (volume {}), not a PersistentVolumeClaim",
                on("another kind of volume"),
                storage.volume.as_deref().unwrap_or("?")
            ),
        ),
        VolumeKind::None => (
            Verdict::Fail,
            format!(
                "{} is on the container's own file system (no volume mounted there): the data is lost with the container",
                storage.data_dir
            ),
        ),
    };
    Check::new(CheckKind::Storage, &storage.pod, result, reason)
}

/// One warning for every claim whose PV would be deleted with it (reclaim policy Delete).
/// Pure.
pub fn reclaim_warning(storage: &[MemberStorage]) -> Option<String> {
    let doomed: Vec<&MemberStorage> = storage
        .iter()
        .filter(|s| s.reclaim_policy.as_deref() == Some("Delete"))
        .collect();
    let first = doomed.first()?;
    let claims: Vec<&str> = doomed.iter().filter_map(|s| s.claim.as_deref()).collect();
    Some(format!(
        "the PVs of {} have reclaim policy Delete: `kubectl delete pvc` would destroy the data on them; \
to keep the data even then, set Retain on each PV, e.g. `kubectl patch pv {} -p '{{\"spec\":{{\"persistentVolumeReclaimPolicy\":\"Retain\"}}}}'`",
        claims.join(", "),
        first.persistent_volume.as_deref().unwrap_or("NAME")
    ))
}

/// A claim before and after the step.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimIdentity {
    /// Claim name.
    pub claim: String,
    /// The member using it.
    pub pod: String,
    /// UID before the step.
    pub before: Option<String>,
    /// UID after the step.
    pub after: Option<String>,
}

/// Judges whether a claim is the same object after the step. Pure.
pub fn judge_claim(identity: &ClaimIdentity) -> (Verdict, String) {
    match (&identity.before, &identity.after) {
        (Some(before), Some(after)) if before == after => (
            Verdict::Pass,
            format!("PVC {} is the same object (UID {after})", identity.claim),
        ),
        (Some(before), Some(after)) => (
            Verdict::Fail,
            format!(
                "PVC {} was replaced (UID {before} before, {after} after): the data on it is new",
                identity.claim
            ),
        ),
        (Some(before), None) => (
            Verdict::Fail,
            format!("PVC {} (UID {before}) is gone", identity.claim),
        ),
        (None, _) => (
            Verdict::Skip,
            format!("PVC {} did not exist before the step", identity.claim),
        ),
    }
}

/// How clean-up went.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cleanup {
    /// A write of the sentinel was attempted (so there was something to remove).
    pub written: bool,
    /// The sentinel was removed.
    pub removed: bool,
    /// Parent znodes created by this run and removed again.
    pub removed_parents: Vec<String>,
    /// What went wrong.
    pub error: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// The sentinel znode's path.
    pub sentinel: String,
    /// Its data.
    pub sentinel_data: String,
    /// The member it was written through.
    pub written_via: Option<String>,
    /// The survive step, when asked for.
    pub step: Option<Step>,
    /// The checklist.
    pub checks: Vec<Check>,
    /// The sentinel read from every member after the write.
    pub replication: Vec<MemberRead>,
    /// Every member's storage.
    pub storage: Vec<MemberStorage>,
    /// Claims left over from earlier scale-downs.
    pub leftover_claims: Vec<LeftoverClaim>,
    /// The sentinel read from every member after the step.
    pub survived: Vec<MemberRead>,
    /// Every member's claim, before and after the step.
    pub claims: Vec<ClaimIdentity>,
    /// The step took this long, until the ensemble was healthy again.
    pub step_seconds: Option<f64>,
    /// Clean-up.
    pub cleanup: Cleanup,
    /// What deserves attention without failing a check.
    #[serde(rename = "problems")]
    pub warnings: Vec<String>,
    /// Every check passed (SKIP does not count as passed when a step was asked for).
    pub pass: bool,
}

impl PersistReport {
    /// Whether every check passed. A skipped step counts as a failure: the user asked for it.
    pub fn passed(checks: &[Check]) -> bool {
        checks.iter().all(|c| c.result == Verdict::Pass)
            && checks
                .iter()
                .any(|c| c.check == CheckKind::Replication && c.result == Verdict::Pass)
    }
}

impl Document for PersistReport {
    const KIND: &'static str = "PersistReport";
}

impl Tabular for PersistReport {
    fn table(&self, style: Style, _wide: bool) -> String {
        let rows = self
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.check.word().to_owned(),
                    c.subject.clone(),
                    c.result.word(style),
                    c.reason.clone(),
                ]
            })
            .collect();
        let mut text = format!(
            "Ensemble {} in namespace {}: sentinel {}{}\n\n",
            self.ensemble,
            self.namespace,
            self.sentinel,
            self.written_via
                .as_deref()
                .map(|p| format!(" written through {p}"))
                .unwrap_or_default()
        );
        text.push_str(&plain_table(&["CHECK", "MEMBER", "RESULT", "REASON"], rows));
        for claim in &self.leftover_claims {
            text.push_str(&format!(
                "\nLeft over from a scale-down: PVC {} (ordinal {}, {}); delete it when that member's data is no longer wanted.",
                claim.claim,
                claim.ordinal,
                claim.phase.as_deref().unwrap_or("unknown phase")
            ));
        }
        if !self.leftover_claims.is_empty() {
            text.push('\n');
        }
        for warning in &self.warnings {
            text.push_str(&format!("\n{}: {warning}", style.warn("WARNING")));
        }
        if !self.warnings.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!(
            "\n{}\n",
            if self.pass {
                style.good("PASS: the data is replicated and kept on persistent volumes")
            } else {
                style.bad("FAIL: see the checks above")
            }
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage(kind: VolumeKind, phase: Option<&str>, policy: Option<&str>) -> MemberStorage {
        MemberStorage {
            pod: "zk-0".into(),
            data_dir: "/data".into(),
            mount_path: Some("/data".into()),
            volume: Some("datadir".into()),
            kind,
            claim: Some("datadir-zk-0".into()),
            claim_uid: Some("u1".into()),
            phase: phase.map(str::to_owned),
            persistent_volume: Some("pvc-1".into()),
            reclaim_policy: policy.map(str::to_owned),
            storage_class: Some("standard".into()),
            note: None,
        }
    }

    #[test]
    fn storage_passes_only_on_a_bound_claim_and_warns_on_delete() {
        let mut warnings = Vec::new();
        let check = judge_storage(
            &storage(
                VolumeKind::PersistentVolumeClaim,
                Some("Bound"),
                Some("Delete"),
            ),
            &mut warnings,
        );
        assert_eq!(check.result, Verdict::Pass);
        assert_eq!(
            check.reason,
            "/data is on PVC datadir-zk-0, Bound to PV pvc-1 (reclaim Delete)"
        );
        assert!(warnings.is_empty());

        let mut warnings = Vec::new();
        let retain = judge_storage(
            &storage(
                VolumeKind::PersistentVolumeClaim,
                Some("Bound"),
                Some("Retain"),
            ),
            &mut warnings,
        );
        assert_eq!(retain.result, Verdict::Pass);
        assert!(warnings.is_empty());

        let pending = judge_storage(
            &storage(VolumeKind::PersistentVolumeClaim, Some("Pending"), None),
            &mut warnings,
        );
        assert_eq!(pending.result, Verdict::Fail);
        assert!(pending.reason.contains("Pending, not Bound"));

        let empty = judge_storage(&storage(VolumeKind::EmptyDir, None, None), &mut warnings);
        assert_eq!(empty.result, Verdict::Fail);
        assert!(empty.reason.contains("emptyDir"));
        let none = judge_storage(&storage(VolumeKind::None, None, None), &mut warnings);
        assert!(none.reason.contains("container's own file system"));
    }

    #[test]
    fn one_warning_names_every_claim_on_a_delete_policy() {
        let delete = storage(
            VolumeKind::PersistentVolumeClaim,
            Some("Bound"),
            Some("Delete"),
        );
        let retain = MemberStorage {
            pod: "zk-1".into(),
            claim: Some("datadir-zk-1".into()),
            reclaim_policy: Some("Retain".into()),
            ..delete.clone()
        };
        let other = MemberStorage {
            pod: "zk-2".into(),
            claim: Some("datadir-zk-2".into()),
            ..delete.clone()
        };
        let warning = reclaim_warning(&[delete, retain.clone(), other]).expect("a warning");
        assert!(
            warning.starts_with("the PVs of datadir-zk-0, datadir-zk-2 have reclaim policy Delete"),
            "{warning}"
        );
        assert!(warning.contains("kubectl patch pv pvc-1 -p"), "{warning}");
        assert_eq!(reclaim_warning(&[retain]), None);
    }

    #[test]
    fn reads_are_judged_with_their_lag() {
        let path = "/kubectl-zk/persist-check/x";
        let read = MemberRead {
            pod: "zk-1".into(),
            via: Some("port-forward"),
            found: true,
            visible_after_ms: Some(12),
            needed_sync: true,
            error: None,
        };
        let check = judge_read(CheckKind::Replication, &read, path);
        assert_eq!(check.result, Verdict::Pass);
        assert_eq!(
            check.reason,
            "read back /kubectl-zk/persist-check/x, after a sync (12 ms behind the write) (via port-forward)"
        );
        let down = MemberRead::failed("zk-2", None, "pod zk-2 is Pending".into());
        let check = judge_read(CheckKind::Replication, &down, path);
        assert_eq!(check.result, Verdict::Fail);
        assert_eq!(check.subject, "zk-2");
        assert!(check.reason.contains("pod zk-2 is Pending"));
    }

    #[test]
    fn claims_must_keep_their_uid() {
        let same = ClaimIdentity {
            claim: "datadir-zk-0".into(),
            pod: "zk-0".into(),
            before: Some("a".into()),
            after: Some("a".into()),
        };
        assert_eq!(judge_claim(&same).0, Verdict::Pass);
        let replaced = ClaimIdentity {
            after: Some("b".into()),
            ..same.clone()
        };
        assert_eq!(judge_claim(&replaced).0, Verdict::Fail);
        let gone = ClaimIdentity {
            after: None,
            ..same
        };
        assert!(judge_claim(&gone).1.contains("is gone"));
    }

    #[test]
    fn a_skipped_step_is_not_a_pass() {
        let pass = Check::new(CheckKind::Replication, "zk-0", Verdict::Pass, String::new());
        let skip = Check::new(CheckKind::Step, "recreate", Verdict::Skip, String::new());
        assert!(PersistReport::passed(std::slice::from_ref(&pass)));
        assert!(!PersistReport::passed(&[pass, skip]));
        assert!(!PersistReport::passed(&[]));
    }
}
