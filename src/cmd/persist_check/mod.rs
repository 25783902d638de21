//! `persist-check`: proves that what is stored in the ensemble is replicated and kept.
//!
//! Gather: `status`'s view of every member and each member's storage (pods, claims, volumes),
//! at once. Then a unique sentinel znode (`/kubectl-zk/persist-check/<id>`) is written through
//! one member and read back from every member concurrently, each over its own port-forward
//! (or `zkCli.sh` through exec as the fallback). With `--restart` or `--recreate` the members
//! are restarted one at a time, or the StatefulSet is deleted and created again; then the
//! sentinel must still be on every member and every claim must be the same object. The
//! sentinel and the empty parents this run created are removed at the end, also after a
//! failure or Ctrl-C (exit 130).

mod access;
pub mod model;
pub mod storage;
pub mod survive;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};

use self::access::Access;
use self::model::{
    Check, CheckKind, ClaimIdentity, Cleanup, MemberRead, MemberStorage, PersistReport, Step,
    Verdict, judge_claim, judge_read, judge_storage, reclaim_warning,
};
use crate::cli::{ClientVia, GlobalOptions, PersistCheckArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::zk_client::Protocol;
use crate::cmd::Outcome;
use crate::confirm;
use crate::ensemble::rolling;
use crate::ensemble::{EnsembleStatus, MemberMode};
use crate::manifest::options::Flavor;
use crate::render::{Style, emit};
use crate::zk::Mode;

/// Where sentinels live.
pub const SENTINEL_PARENT: &str = "/kubectl-zk/persist-check";
/// How long a member may take to answer `status`'s questions.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long clean-up keeps trying to remove the sentinel.
const CLEANUP_DEADLINE: Duration = Duration::from_secs(60);

/// The sentinel of one run.
#[derive(Debug, Clone)]
pub struct Sentinel {
    /// Its path.
    pub path: String,
    /// Its data: the run, the ensemble and the time, without spaces (so `zkCli.sh` takes it
    /// as one argument).
    pub data: String,
}

impl Sentinel {
    /// A new sentinel for a run against `ensemble`, with a unique id.
    pub fn new(ensemble: &Ensemble) -> Sentinel {
        use std::hash::{BuildHasher, Hasher};
        let now = k8s_openapi::jiff::Timestamp::now();
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.write_i128(now.as_nanosecond());
        let id = format!("{}-{:08x}", now.as_second(), hasher.finish() as u32);
        Sentinel {
            path: format!("{SENTINEL_PARENT}/{id}"),
            data: Sentinel::data_for(&id, ensemble, &format!("{now:.3}")),
        }
    }

    /// The data written for run `id` at `time`. Pure.
    pub fn data_for(id: &str, ensemble: &Ensemble, time: &str) -> String {
        format!(
            "kubectl-zk:persist-check;run={id};ensemble={}/{};at={time}",
            ensemble.namespace, ensemble.name
        )
    }
}

/// What clean-up needs to know about the write: whether it was attempted and which parents
/// it created.
#[derive(Debug, Clone, Default)]
struct Written {
    attempted: bool,
    parents: Vec<String>,
}

/// State shared between the check and the Ctrl-C handler.
struct Shared {
    written: Arc<Mutex<Written>>,
    /// Held while a step must not be abandoned half-way (the write, the re-creation).
    critical: Arc<tokio::sync::Mutex<()>>,
}

/// Runs `persist-check`.
pub async fn run(global: &GlobalOptions, args: PersistCheckArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = connection.client;
    let found = ensemble::find(&client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let step = if args.restart {
        Some(Step::Restart)
    } else if args.recreate {
        Some(Step::Recreate)
    } else {
        None
    };
    if let Some(step) = step {
        let action = format!("run persist-check --{}", step.word());
        if !confirm::confirm(&question(step, &found), &action, args.yes)? {
            eprintln!(
                "persist-check --{}: not confirmed; nothing was changed",
                step.word()
            );
            return Ok(Outcome::CheckFailed);
        }
    }
    let sentinel = Sentinel::new(&found);
    let shared = Shared {
        written: Arc::new(Mutex::new(Written::default())),
        critical: Arc::new(tokio::sync::Mutex::new(())),
    };
    let protocol_hint = default_protocol(found.flavor);
    let work = check(&client, &found, &args, step, &sentinel, &shared);
    tokio::select! {
        result = work => {
            let written = shared.written.lock().map(|w| w.clone()).unwrap_or_default();
            let cleanup = cleanup(&client, &found, &sentinel, &written, args.via, protocol_hint).await;
            let mut report = match result {
                Ok(report) => report,
                Err(err) => {
                    report_cleanup_on_stderr(&cleanup, &sentinel, &found);
                    return Err(err);
                }
            };
            report.checks.push(cleanup_check(&cleanup, &sentinel));
            report.cleanup = cleanup;
            report.pass = PersistReport::passed(&report.checks);
            emit(&report, args.output.output, Style::new(global.color))?;
            Ok(if report.pass { Outcome::Ok } else { Outcome::CheckFailed })
        }
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted: finishing the step under way, then removing the sentinel {} (Ctrl-C again to leave it)", sentinel.path);
            let interrupted = async {
                let _guard = shared.critical.lock().await;
                let written = shared.written.lock().map(|w| w.clone()).unwrap_or_default();
                cleanup(&client, &found, &sentinel, &written, args.via, protocol_hint).await
            };
            tokio::select! {
                cleanup = interrupted => report_cleanup_on_stderr(&cleanup, &sentinel, &found),
                _ = tokio::signal::ctrl_c() => eprintln!(
                    "interrupted again: the sentinel may remain; remove it with {}",
                    manual_removal(&found, &sentinel)
                ),
            }
            Ok(Outcome::Interrupted)
        }
    }
}

fn question(step: Step, ensemble: &Ensemble) -> String {
    match step {
        Step::Restart => format!(
            "persist-check --restart deletes every pod of StatefulSet {} in namespace {}, one at a time (followers first, the leader last); the volumes stay. Continue?",
            ensemble.name, ensemble.namespace
        ),
        Step::Recreate => format!(
            "persist-check --recreate deletes StatefulSet {} in namespace {} (all its pods stop) and creates it again from its stored spec; the PVCs stay. Continue?",
            ensemble.name, ensemble.namespace
        ),
    }
}

/// The protocol when no member says its version: the seeds' image is ZooKeeper 3.4.
fn default_protocol(flavor: Option<Flavor>) -> Protocol {
    match flavor {
        Some(Flavor::K8sTutorial) => Protocol::V3_4,
        _ => Protocol::V3_5,
    }
}

fn protocol_of(status: &EnsembleStatus, hint: Protocol) -> Protocol {
    status
        .members
        .iter()
        .find_map(|m| m.server.as_ref().and_then(|s| s.version.number()))
        .map_or(hint, |v| Protocol::for_version(Some(v)))
}

/// Gathers, writes, reads, runs the step and reads again; everything but clean-up.
async fn check(
    client: &Client,
    ensemble: &Ensemble,
    args: &PersistCheckArgs,
    step: Option<Step>,
    sentinel: &Sentinel,
    shared: &Shared,
) -> anyhow::Result<PersistReport> {
    let data_dir = crate::ensemble::layout::layout(ensemble).default_data_dir;
    let (status, storage) = futures::join!(
        crate::ensemble::gather(client, ensemble.clone(), None, MEMBER_TIMEOUT),
        storage::gather(client, ensemble, &data_dir)
    );
    let (status, storage) = (status?, storage?);
    let protocol = protocol_of(&status, default_protocol(ensemble.flavor));
    let mut report = PersistReport {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        sentinel: sentinel.path.clone(),
        sentinel_data: sentinel.data.clone(),
        written_via: None,
        step,
        checks: Vec::new(),
        replication: Vec::new(),
        storage: storage.members.clone(),
        leftover_claims: storage.leftovers.clone(),
        survived: Vec::new(),
        claims: Vec::new(),
        step_seconds: None,
        cleanup: Cleanup::default(),
        warnings: Vec::new(),
        pass: false,
    };

    replicate(
        client,
        ensemble,
        &status,
        protocol,
        args.via,
        sentinel,
        shared,
        &mut report,
    )
    .await;
    storage_checks(&storage.members, &mut report);
    if let Some(step) = step {
        survive_step(
            client,
            ensemble,
            &status,
            step,
            args,
            sentinel,
            protocol,
            shared,
            &mut report,
        )
        .await?;
    }
    Ok(report)
}

/// Replication: open every member, write the sentinel through one (a serving member first),
/// read it back from all; one check per member.
#[allow(clippy::too_many_arguments)]
async fn replicate(
    client: &Client,
    ensemble: &Ensemble,
    status: &EnsembleStatus,
    protocol: Protocol,
    via: Option<ClientVia>,
    sentinel: &Sentinel,
    shared: &Shared,
    report: &mut PersistReport,
) {
    let accesses = open_all(client, ensemble, status, protocol, via).await;
    report.warnings.extend(fallback_warnings(&accesses));
    let writer = status
        .members
        .iter()
        .zip(&accesses)
        .find(|(m, a)| serves(m.mode) && a.is_ok())
        .or_else(|| {
            status
                .members
                .iter()
                .zip(&accesses)
                .find(|(_, a)| a.is_ok())
        })
        .map(|(m, _)| m.pod.clone());
    let mut accesses = accesses;
    let write = match &writer {
        Some(pod) => {
            let index = status.members.iter().position(|m| &m.pod == pod);
            let access = index
                .and_then(|i| accesses.get_mut(i))
                .and_then(|slot| std::mem::replace(slot, Err("writing".into())).ok());
            match access {
                Some(access) => {
                    let (access, result) = write_sentinel(access, sentinel, shared).await;
                    if let (Some(i), Some(access)) = (index, access) {
                        accesses[i] = Ok(access);
                    }
                    result
                }
                None => Err(format!("{pod} could not be reached")),
            }
        }
        None => Err("no member could be reached".to_owned()),
    };
    report.written_via = writer.clone();
    match write {
        Ok(written_at) => {
            let reads = read_all(status, &accesses, sentinel, written_at).await;
            for read in &reads {
                report
                    .checks
                    .push(judge_read(CheckKind::Replication, read, &sentinel.path));
            }
            report.replication = reads;
        }
        Err(why) => {
            // Every member: the write's failure on the writer, why it could not be reached on
            // the others, or that there was nothing to read.
            for (m, access) in status.members.iter().zip(&accesses) {
                let (result, reason) = match access {
                    _ if writer.as_deref() == Some(m.pod.as_str()) => (
                        Verdict::Fail,
                        format!("cannot write {}: {why}", sentinel.path),
                    ),
                    Err(unreachable) => (Verdict::Fail, format!("cannot reach it: {unreachable}")),
                    Ok(_) => (Verdict::Skip, "nothing was written to read back".into()),
                };
                report
                    .checks
                    .push(Check::new(CheckKind::Replication, &m.pod, result, reason));
            }
        }
    }
    close_all(accesses).await;
}

/// Storage: one check per member (a bound claim, not an emptyDir), and the reclaim warning.
fn storage_checks(members: &[MemberStorage], report: &mut PersistReport) {
    for member in members {
        let check = judge_storage(member, &mut report.warnings);
        report.checks.push(check);
    }
    report.warnings.extend(reclaim_warning(members));
}

/// The survive step (`--restart` or `--recreate`), when everything so far passed and the
/// quorum judgement lets it run; then the sentinel and the claims are checked again.
#[allow(clippy::too_many_arguments)]
async fn survive_step(
    client: &Client,
    ensemble: &Ensemble,
    status: &EnsembleStatus,
    step: Step,
    args: &PersistCheckArgs,
    sentinel: &Sentinel,
    protocol: Protocol,
    shared: &Shared,
    report: &mut PersistReport,
) -> anyhow::Result<()> {
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.result != Verdict::Pass)
        .map(|c| format!("{} {}", c.check.word(), c.subject))
        .collect();
    let refusal = if !failed.is_empty() {
        Some(format!(
            "not run: {} did not pass; a restart or re-creation proves nothing until they do",
            failed.join(", ")
        ))
    } else if step == Step::Restart {
        rolling::can_lose_one(status)
            .err()
            .map(|why| format!("not run: {why}"))
    } else {
        rolling::not_back(status).map(|why| format!("not run: the ensemble is not healthy: {why}"))
    };
    if let Some(reason) = refusal {
        report.checks.push(Check::new(
            CheckKind::Step,
            step.word(),
            Verdict::Skip,
            reason,
        ));
    } else {
        let started = Instant::now();
        let step_check = survive::run(
            client,
            ensemble,
            status,
            step,
            args.timeout,
            &shared.critical,
        )
        .await;
        report.step_seconds = Some(started.elapsed().as_secs_f64());
        let step_passed = step_check.result == Verdict::Pass;
        report.checks.push(step_check);
        if step_passed {
            survive_checks(client, ensemble, report, sentinel, protocol, args.via, step).await?;
        }
    }
    Ok(())
}

/// A warning for each member read through exec because its port-forward failed.
fn fallback_warnings(accesses: &[Result<Access, String>]) -> Vec<String> {
    accesses
        .iter()
        .filter_map(|a| a.as_ref().ok())
        .filter_map(|a| {
            a.fallback().map(|why| {
                format!(
                    "{}: the port-forward failed ({why}); used zkCli.sh through exec instead",
                    a.pod()
                )
            })
        })
        .collect()
}

fn serves(mode: MemberMode) -> bool {
    matches!(
        mode,
        MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
    )
}

/// Opens every member at once; a member whose pod is not running gets the reason instead.
async fn open_all(
    client: &Client,
    ensemble: &Ensemble,
    status: &EnsembleStatus,
    protocol: Protocol,
    via: Option<ClientVia>,
) -> Vec<Result<Access, String>> {
    join_all(status.members.iter().map(|m| async move {
        if m.phase != "Running" {
            return Err(format!(
                "pod {} is {}{}",
                m.pod,
                m.phase,
                m.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ));
        }
        Access::open(client, &ensemble.target(&m.pod), protocol, via)
            .await
            .map_err(|e| crate::cluster::error::one_line(&e))
    }))
    .await
}

/// Reads the sentinel from every member at once; a member that could not be opened gets
/// the reason. `since` is when the write was acknowledged (or the reads began).
async fn read_all(
    status: &EnsembleStatus,
    accesses: &[Result<Access, String>],
    sentinel: &Sentinel,
    since: Instant,
) -> Vec<MemberRead> {
    join_all(
        status
            .members
            .iter()
            .zip(accesses)
            .map(|(m, a)| async move {
                match a {
                    Ok(access) => {
                        access
                            .read_sentinel(&sentinel.path, &sentinel.data, since)
                            .await
                    }
                    Err(why) => MemberRead::failed(&m.pod, None, why.clone()),
                }
            }),
    )
    .await
}

/// Closes every open session at once.
async fn close_all(accesses: Vec<Result<Access, String>>) {
    join_all(
        accesses
            .into_iter()
            .filter_map(Result::ok)
            .map(Access::close),
    )
    .await;
}

/// Writes the sentinel in a task of its own holding the critical lock, so a Ctrl-C cannot
/// leave clean-up not knowing which parents were created. Returns the access back (when the
/// task ran to its end) and when the write was acknowledged.
async fn write_sentinel(
    access: Access,
    sentinel: &Sentinel,
    shared: &Shared,
) -> (Option<Access>, Result<Instant, String>) {
    let guard = Arc::clone(&shared.critical).lock_owned().await;
    if let Ok(mut written) = shared.written.lock() {
        written.attempted = true;
    }
    let (path, data) = (sentinel.path.clone(), sentinel.data.clone());
    let written = Arc::clone(&shared.written);
    let task = tokio::spawn(async move {
        let result = access.create_with_parents(&path, &data).await;
        if let (Ok(parents), Ok(mut written)) = (&result, written.lock()) {
            written.parents = parents.clone();
        }
        drop(guard);
        (access, result.map(|_| Instant::now()))
    });
    match task.await {
        Ok((access, result)) => (
            Some(access),
            result.map_err(|err| crate::cluster::error::one_line(&err)),
        ),
        Err(err) => (None, Err(format!("the write task failed: {err}"))),
    }
}

/// After the step: the sentinel on every member, every claim the same object.
async fn survive_checks(
    client: &Client,
    ensemble: &Ensemble,
    report: &mut PersistReport,
    sentinel: &Sentinel,
    protocol: Protocol,
    via: Option<ClientVia>,
    step: Step,
) -> anyhow::Result<()> {
    let data_dir = crate::ensemble::layout::layout(ensemble).default_data_dir;
    let (status, after) = futures::join!(
        crate::ensemble::gather(client, ensemble.clone(), None, MEMBER_TIMEOUT),
        storage::gather(client, ensemble, &data_dir)
    );
    let (status, after) = (status?, after?);
    let accesses = open_all(client, ensemble, &status, protocol, via).await;
    report.warnings.extend(fallback_warnings(&accesses));
    let now = Instant::now();
    let reads = read_all(&status, &accesses, sentinel, now).await;
    close_all(accesses).await;
    for mut read in reads {
        // The time to read after the step says nothing about replication lag.
        read.visible_after_ms = None;
        let before = report.storage.iter().find(|s| s.pod == read.pod);
        let identity = ClaimIdentity {
            claim: before.and_then(|s| s.claim.clone()).unwrap_or_default(),
            pod: read.pod.clone(),
            before: before.and_then(|s| s.claim_uid.clone()),
            after: after
                .members
                .iter()
                .find(|s| s.pod == read.pod)
                .and_then(|s| s.claim_uid.clone()),
        };
        let mut check = judge_read(CheckKind::Survive, &read, &sentinel.path);
        let (claim_verdict, claim_reason) = judge_claim(&identity);
        if check.result == Verdict::Pass && claim_verdict != Verdict::Pass {
            check.result = Verdict::Fail;
        }
        check.reason = format!("{} after the {}; {claim_reason}", check.reason, step.word());
        report.checks.push(check);
        report.claims.push(identity);
        report.survived.push(read);
    }
    Ok(())
}

/// Removes the sentinel and the parents this run created (when empty), through the first
/// member that answers, retrying until a deadline while the ensemble settles.
async fn cleanup(
    client: &Client,
    ensemble: &Ensemble,
    sentinel: &Sentinel,
    written: &Written,
    via: Option<ClientVia>,
    protocol: Protocol,
) -> Cleanup {
    if !written.attempted {
        return Cleanup::default();
    }
    let deadline = Instant::now() + CLEANUP_DEADLINE;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ensemble.namespace);
    let mut last_error = "no member is Ready".to_owned();
    loop {
        // Only Ready members: after a restart or re-creation the others are still starting.
        let ready: Vec<String> = pods
            .list(&ListParams::default().labels(&ensemble.pod_selector()))
            .await
            .map(|l| l.items)
            .unwrap_or_default()
            .iter()
            .filter(|p| rolling::is_ready(p))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        for pod in ready {
            let attempt = async {
                let access = Access::open(client, &ensemble.target(&pod), protocol, via).await?;
                let result = remove(&access, sentinel, written).await;
                access.close().await;
                result
            };
            match attempt.await {
                Ok(removed_parents) => {
                    return Cleanup {
                        written: true,
                        removed: true,
                        removed_parents,
                        error: None,
                    };
                }
                Err(err) => last_error = crate::cluster::error::one_line(&err),
            }
        }
        if Instant::now() >= deadline {
            return Cleanup {
                written: true,
                removed: false,
                removed_parents: Vec::new(),
                error: Some(last_error),
            };
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn remove(
    access: &Access,
    sentinel: &Sentinel,
    written: &Written,
) -> anyhow::Result<Vec<String>> {
    access.delete(&sentinel.path).await?;
    let mut removed = Vec::new();
    for parent in written.parents.iter().rev() {
        if access.delete_if_empty(parent).await? {
            removed.push(parent.clone());
        }
    }
    Ok(removed)
}

fn manual_removal(ensemble: &Ensemble, sentinel: &Sentinel) -> String {
    format!(
        "`kubectl exec -n {} {}-0 -- zkCli.sh delete {}`",
        ensemble.namespace, ensemble.name, sentinel.path
    )
}

fn cleanup_check(cleanup: &Cleanup, sentinel: &Sentinel) -> Check {
    match &cleanup.error {
        None if !cleanup.written => Check::new(
            CheckKind::Cleanup,
            "-",
            Verdict::Pass,
            "nothing was written, nothing to remove".into(),
        ),
        None => Check::new(
            CheckKind::Cleanup,
            "-",
            Verdict::Pass,
            if cleanup.removed_parents.is_empty() {
                format!("removed {}", sentinel.path)
            } else {
                format!(
                    "removed {} and the empty parents it created ({})",
                    sentinel.path,
                    cleanup.removed_parents.join(", ")
                )
            },
        ),
        Some(err) => Check::new(
            CheckKind::Cleanup,
            "-",
            Verdict::Fail,
            format!("could not remove {}: {err}", sentinel.path),
        ),
    }
}

fn report_cleanup_on_stderr(cleanup: &Cleanup, sentinel: &Sentinel, ensemble: &Ensemble) {
    match &cleanup.error {
        None if !cleanup.written => {}
        None => eprintln!("removed the sentinel {}", sentinel.path),
        Some(err) => eprintln!(
            "could not remove the sentinel {} ({err}); remove it with {}",
            sentinel.path,
            manual_removal(ensemble, sentinel)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::testing::ensemble;

    #[test]
    fn sentinels_are_unique_under_their_own_parent_and_one_word() {
        let zk = ensemble(3);
        let a = Sentinel::new(&zk);
        let b = Sentinel::new(&zk);
        assert_ne!(a.path, b.path);
        assert!(
            a.path.starts_with("/kubectl-zk/persist-check/"),
            "{}",
            a.path
        );
        assert_eq!(
            crate::cluster::zk_client::parents(&a.path),
            ["/kubectl-zk", "/kubectl-zk/persist-check"]
        );
        assert!(!a.data.contains(char::is_whitespace), "{}", a.data);
        assert_eq!(
            Sentinel::data_for("17-ab", &zk, "2026-11-23T22:07:28.123Z"),
            "kubectl-zk:persist-check;run=17-ab;ensemble=kafka/zk;at=2026-11-23T22:07:28.123Z"
        );
    }

    #[test]
    fn the_seeds_image_speaks_3_4_until_a_member_says_otherwise() {
        assert_eq!(default_protocol(Some(Flavor::K8sTutorial)), Protocol::V3_4);
        assert_eq!(default_protocol(Some(Flavor::Official)), Protocol::V3_5);
        let status = crate::ensemble::decide(
            &ensemble(1),
            vec![crate::ensemble::testing::member(
                0,
                MemberMode::Serving(Mode::Standalone),
                1,
            )],
            None,
        );
        // The fixture member reports 3.9.3.
        assert_eq!(protocol_of(&status, Protocol::V3_4), Protocol::V3_5);
    }
}
