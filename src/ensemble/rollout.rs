//! The rollout engine: every change to a running ensemble's pod template (install with new
//! settings, `restart`, `upgrade`) reaches the members through it, one member at a time.
//!
//! kubectl-zk's StatefulSets use the `OnDelete` update strategy, so the StatefulSet controller
//! never replaces a member by itself (its `RollingUpdate` goes by ordinal, the leader whenever
//! its ordinal comes). The engine picks the next member that still runs an older revision —
//! members that are down or not Ready first (restarting them costs the quorum nothing), then
//! followers, the leader last — restarts it only when the one quorum judgement says the
//! ensemble survives losing it, and waits until the new pod runs the StatefulSet's update
//! revision, is Ready, answers with the expected version (when one is asked for) and the whole
//! ensemble is back in sync before the next. The plan is made again from what runs before each
//! step, so an interrupted rollout resumes when the same command runs again.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::rolling::{restart_member, restart_order};
use super::{EnsembleStatus, MemberStatus};
use crate::cluster::ensemble::{self, Ensemble};
use crate::kube::statefulset;
use crate::names::EnsembleName;
use crate::zk::VersionNumber;

/// How long one member may take to answer one round of `status`.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the cluster is asked again while waiting.
const POLL: Duration = Duration::from_millis(500);

/// A change stopped by Ctrl-C (SIGINT) between or during its steps: what is done and what is
/// left, for the command to print before it exits 130.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Runs `work` unless Ctrl-C comes first; then `Interrupted` with `said`.
pub async fn unless_interrupted<T>(
    work: impl std::future::Future<Output = anyhow::Result<T>>,
    said: impl FnOnce() -> String,
) -> anyhow::Result<T> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow::Error::new(Interrupted(said()))),
    }
}

/// The next step of a rollout. Pure answer of [`next_step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Every member runs the update revision.
    Done,
    /// Restart this member now.
    Restart(String),
    /// Wait until the ensemble is healthy again (why it is not), then ask again.
    Wait(String),
    /// Stop: restarting the next member would lose the quorum (why).
    Stop(String),
}

/// Which member to restart next, given the members still on an older revision (`stale`).
/// Members down or not Ready first, then followers in ordinal order, the leader last; a
/// serving member only when the ensemble survives losing it. Pure.
pub fn next_step(status: &EnsembleStatus, stale: &BTreeSet<String>) -> Next {
    let pending: Vec<&MemberStatus> = status
        .members
        .iter()
        .filter(|m| stale.contains(&m.pod))
        .collect();
    if pending.is_empty() {
        return Next::Done;
    }
    if let Some(down) = pending.iter().find(|m| !m.ready) {
        return Next::Restart(down.pod.clone());
    }
    let Some(pod) = restart_order(status)
        .into_iter()
        .find(|pod| stale.contains(pod))
    else {
        return Next::Done;
    };
    if let Some(why) = super::rolling::not_back(status) {
        return Next::Wait(format!("the ensemble is not healthy: {why}"));
    }
    let judgement = status.judge(&[pod.as_str()]);
    if !judgement.survives {
        return Next::Stop(judgement.without_text());
    }
    Next::Restart(pod)
}

/// One member the rollout restarted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restarted {
    /// The pod.
    pub pod: String,
    /// Whether it led when it was restarted.
    pub was_leader: bool,
    /// Seconds from the delete to the ensemble back in sync.
    pub seconds: f64,
    /// The version it answered with afterwards, when one was expected.
    pub version: Option<String>,
}

/// What a rollout did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutReport {
    /// Members restarted, in order.
    pub restarted: Vec<Restarted>,
    /// Members that were already on the update revision.
    pub already_current: Vec<String>,
    /// The leader at the end.
    pub leader: Option<String>,
}

/// What a command that rolls a change prints: the change, then what the rollout did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutDocument {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// What changed (`restart`, `upgrade`, …).
    pub change: String,
    /// The change in words.
    pub detail: String,
    /// Nothing was changed (`--dry-run`).
    pub dry_run: bool,
    /// What the rollout did.
    #[serde(flatten)]
    pub rollout: RolloutReport,
    /// Seconds from the first restart to the end.
    pub seconds: f64,
}

impl crate::render::Document for RolloutDocument {
    const KIND: &'static str = "Rollout";
}

impl crate::render::Tabular for RolloutDocument {
    fn table(&self, _style: crate::render::Style, _wide: bool) -> String {
        let mut text = String::new();
        if self.dry_run {
            text.push_str(&format!("{} (dry run: nothing was changed)\n", self.detail));
            return text;
        }
        for r in &self.rollout.restarted {
            text.push_str(&format!(
                "{:>6.1}s  restarted {}{}{}\n",
                r.seconds,
                r.pod,
                if r.was_leader {
                    " (was the leader)"
                } else {
                    ""
                },
                r.version
                    .as_deref()
                    .map(|v| format!(", now ZooKeeper {v}"))
                    .unwrap_or_default()
            ));
        }
        text.push_str(&format!(
            "Ensemble {} in namespace {}: {}; {} member(s) restarted in {:.1}s, leader {}.\n",
            self.ensemble,
            self.namespace,
            self.detail,
            self.rollout.restarted.len(),
            self.seconds,
            self.rollout.leader.as_deref().unwrap_or("none")
        ));
        text
    }
}

/// What the rollout waits for beyond Ready and in sync.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect {
    /// Every restarted member must answer `srvr` with this version.
    pub version: Option<VersionNumber>,
}

/// Rolls the StatefulSet's update revision through the members of ensemble `name` in
/// `namespace`. Each member may take `timeout`; `progress` hears what happens. On a refusal
/// or a timeout it stops with an error that says what is done and what is left.
pub async fn roll(
    client: &Client,
    namespace: &str,
    name: &EnsembleName,
    expect: Expect,
    timeout: Duration,
    progress: &(dyn Fn(&str) + Sync),
    report: &mut RolloutReport,
) -> anyhow::Result<()> {
    let mut first = true;
    loop {
        let found = ensemble::find(client, namespace, Some(name)).await?;
        let stale = stale_members(client, &found, timeout).await?;
        let status = super::gather(client, found.clone(), None, MEMBER_TIMEOUT).await?;
        if first {
            report.already_current = status
                .members
                .iter()
                .filter(|m| !stale.contains(&m.pod))
                .map(|m| m.pod.clone())
                .collect();
            first = false;
        }
        match next_step(&status, &stale) {
            Next::Done => {
                report.leader = status.leader.clone();
                return Ok(());
            }
            Next::Stop(why) => bail!(
                "stopped before restarting the next member: {why}; {}; run the same command again once the ensemble is healthy",
                done_and_left(report, &stale)
            ),
            Next::Wait(why) => {
                // A member coming back (or still syncing): wait for it, within the timeout.
                if let Err(err) =
                    super::rolling::wait_healthy(client, &found, timeout, progress).await
                {
                    bail!(
                        "stopped before restarting the next member: {why} ({}); {}; run the same command again once the ensemble is healthy",
                        crate::cluster::error::one_line(&err),
                        done_and_left(report, &stale)
                    );
                }
            }
            Next::Restart(pod) => {
                let was_leader = status.leader.as_deref() == Some(pod.as_str());
                progress(&format!(
                    "restarting {pod}{}",
                    if was_leader {
                        " (the leader, last)"
                    } else {
                        ""
                    }
                ));
                let started = Instant::now();
                let left = done_and_left(report, &stale);
                let after = unless_interrupted(
                    restart_member(client, &found, &pod, timeout, progress),
                    || {
                        format!(
                            "interrupted while {pod} restarts (the StatefulSet controller re-creates its pod on the new template); {left}; run the same command again to continue"
                        )
                    },
                )
                .await
                .map_err(|err| {
                    if err.is::<Interrupted>() {
                        return err;
                    }
                    anyhow!(
                        "{}; {}; run the same command again to continue",
                        crate::cluster::error::one_line(&err),
                        done_and_left(report, &stale)
                    )
                })?;
                let version = match expect.version {
                    Some(wanted) => Some(confirm_version(&after, &pod, wanted)?),
                    None => None,
                };
                let seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
                progress(&format!("{pod} is back in sync after {seconds:.1}s"));
                report.restarted.push(Restarted {
                    pod,
                    was_leader,
                    seconds,
                    version,
                });
            }
        }
    }
}

/// "done: zk-0, zk-1; left: zk-2".
fn done_and_left(report: &RolloutReport, stale: &BTreeSet<String>) -> String {
    let done: Vec<&str> = report.restarted.iter().map(|r| r.pod.as_str()).collect();
    let left: Vec<&str> = stale.iter().map(String::as_str).collect();
    format!(
        "restarted so far: {}; left: {}",
        if done.is_empty() {
            "none".to_owned()
        } else {
            done.join(", ")
        },
        if left.is_empty() {
            "none".to_owned()
        } else {
            left.join(", ")
        }
    )
}

/// The version `pod` answers with, if it is `wanted`.
fn confirm_version(
    status: &EnsembleStatus,
    pod: &str,
    wanted: VersionNumber,
) -> anyhow::Result<String> {
    let answered = status
        .members
        .iter()
        .find(|m| m.pod == pod)
        .and_then(|m| m.server.as_ref())
        .map(|s| s.version.clone());
    match answered.as_ref().and_then(|v| v.number()) {
        Some(number) if number == wanted => Ok(number.to_string()),
        Some(number) => bail!(
            "{pod} came back running ZooKeeper {number}, not {wanted}; check the image with `kubectl get pod {pod} -o jsonpath='{{.spec.containers[0].image}}'`"
        ),
        None => bail!("{pod} came back but did not say its ZooKeeper version"),
    }
}

/// The members whose pods do not run the StatefulSet's update revision (once the controller
/// has seen the template as it is now).
async fn stale_members(
    client: &Client,
    found: &Ensemble,
    timeout: Duration,
) -> anyhow::Result<BTreeSet<String>> {
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &found.namespace);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    let deadline = Instant::now() + timeout;
    loop {
        let sts = sets.get(&found.name).await.with_context(|| {
            format!(
                "cannot read StatefulSet {} in namespace {}",
                found.name, found.namespace
            )
        })?;
        let observed = sts.status.as_ref().and_then(|s| s.observed_generation);
        if observed.is_some() && observed >= sts.metadata.generation {
            let listed = pods
                .list(&ListParams::default().labels(&found.pod_selector()))
                .await
                .with_context(|| format!("cannot list the pods of {}", found.name))?;
            let current = statefulset::pods_on_update_revision(&sts, &listed.items);
            return Ok((0..found.replicas())
                .map(|ordinal| found.pod_name(ordinal))
                .filter(|pod| !current.contains(pod))
                .filter(|pod| {
                    listed
                        .items
                        .iter()
                        .any(|p| p.metadata.name.as_deref() == Some(pod))
                })
                .collect());
        }
        if Instant::now() >= deadline {
            bail!(
                "the StatefulSet controller has not seen StatefulSet {}'s new template after {}s",
                found.name,
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::testing::three;

    fn stale(pods: &[&str]) -> BTreeSet<String> {
        pods.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn followers_first_the_leader_last_and_done_when_none_is_stale() {
        let status = three(0, None);
        let all = stale(&["zk-0", "zk-1", "zk-2"]);
        assert_eq!(next_step(&status, &all), Next::Restart("zk-1".into()));
        assert_eq!(
            next_step(&status, &stale(&["zk-0", "zk-2"])),
            Next::Restart("zk-2".into())
        );
        assert_eq!(
            next_step(&status, &stale(&["zk-0"])),
            Next::Restart("zk-0".into())
        );
        assert_eq!(next_step(&status, &BTreeSet::new()), Next::Done);
    }

    #[test]
    fn a_member_down_goes_first_and_nothing_else_goes_while_it_is_down() {
        let status = three(0, Some(2));
        let all = stale(&["zk-0", "zk-1", "zk-2"]);
        assert_eq!(next_step(&status, &all), Next::Restart("zk-2".into()));
        // Once zk-2 runs the new revision but is still down, zk-1 cannot go.
        match next_step(&status, &stale(&["zk-0", "zk-1"])) {
            Next::Wait(why) => assert!(why.contains("not healthy"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
