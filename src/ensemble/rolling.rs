//! Shared steps for commands that take members down on purpose (persist-check --restart,
//! drain-safe --execute, leader --failover): waiting until the ensemble is healthy again from
//! both views, the order to restart members in (followers first, the leader last), and
//! restarting one member and waiting for it to be back in sync.
//!
//! "Back" means what `status` calls healthy — every member Ready in Kubernetes, serving in
//! ZooKeeper, a leader with a quorum, no follower lagging — and, when the leader reports it,
//! every other voter counted among its synced followers.

use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams, Preconditions};

use crate::cluster::ensemble::Ensemble;
use crate::ensemble::{EnsembleStatus, Health, MemberMode};
use crate::zk::Mode;

/// How long one member may take to answer one round of `status`.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the ensemble is asked again while waiting.
const POLL: Duration = Duration::from_millis(500);

/// Why the ensemble is not back yet, or `None` when it is. Pure.
pub fn not_back(status: &EnsembleStatus) -> Option<String> {
    if status.health != Health::Healthy {
        let member = status.members.iter().find_map(|m| {
            if !m.ready {
                Some(format!("{} is not Ready ({})", m.pod, m.phase))
            } else {
                None
            }
        });
        return Some(
            status
                .warnings
                .first()
                .cloned()
                .or(member)
                .unwrap_or_else(|| "the ensemble is degraded".to_owned()),
        );
    }
    let voters = status.desired as u64;
    match status.synced_followers {
        Some(synced) if synced + 1 < voters => Some(format!(
            "the leader {} counts {synced} synced follower(s) of {}",
            status.leader.as_deref().unwrap_or("?"),
            voters - 1
        )),
        _ => None,
    }
}

/// Whether each member may be taken down in turn (the others up) with a quorum remaining,
/// by the one quorum judgement; if not, why. Pure.
pub fn can_lose_one(status: &EnsembleStatus) -> Result<(), String> {
    if let Some(why) = not_back(status) {
        return Err(format!("the ensemble is not healthy: {why}"));
    }
    for pod in restart_order(status) {
        let judgement = status.judge(&[pod.as_str()]);
        if !judgement.survives {
            return Err(format!(
                "{}: losing it would stop ZooKeeper",
                judgement.without_text()
            ));
        }
    }
    Ok(())
}

/// The members to restart, one at a time: every non-leader in ordinal order, the leader last
/// (so leadership moves once). Pure.
pub fn restart_order(status: &EnsembleStatus) -> Vec<String> {
    let mut order: Vec<String> = status
        .members
        .iter()
        .filter(|m| m.mode != MemberMode::Serving(Mode::Leader))
        .map(|m| m.pod.clone())
        .collect();
    if let Some(leader) = &status.leader {
        order.push(leader.clone());
    }
    order
}

/// Asks every member until the ensemble is back (see [`not_back`]) or `timeout` passes;
/// `progress` hears each new reason for waiting. Returns the healthy status, or an error
/// naming what was still wrong.
pub async fn wait_healthy(
    client: &Client,
    ensemble: &Ensemble,
    timeout: Duration,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<EnsembleStatus> {
    let deadline = Instant::now() + timeout;
    let mut last_reason = String::new();
    loop {
        let reason =
            match crate::ensemble::gather(client, ensemble.clone(), None, MEMBER_TIMEOUT).await {
                Ok(status) => match not_back(&status) {
                    None => return Ok(status),
                    Some(reason) => reason,
                },
                Err(err) => crate::cluster::error::one_line(&err),
            };
        if reason != last_reason {
            progress(&format!("waiting for ensemble {}: {reason}", ensemble.name));
            last_reason = reason;
        }
        if Instant::now() >= deadline {
            bail!(
                "ensemble {} in namespace {} is not healthy after {}s: {last_reason}",
                ensemble.name,
                ensemble.namespace,
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Deletes one member's pod (only the pod seen now, by UID), waits for the StatefulSet to
/// create it again and for it to be Ready, then for the whole ensemble to be back in sync.
pub async fn restart_member(
    client: &Client,
    ensemble: &Ensemble,
    pod: &str,
    timeout: Duration,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<EnsembleStatus> {
    let ns = &ensemble.namespace;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let deadline = Instant::now() + timeout;
    let old_uid = pods
        .get(pod)
        .await
        .with_context(|| format!("cannot read pod {pod} in namespace {ns}"))?
        .metadata
        .uid
        .ok_or_else(|| anyhow!("pod {pod} has no UID"))?;
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some(old_uid.clone()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    pods.delete(pod, &params)
        .await
        .with_context(|| format!("cannot delete pod {pod} in namespace {ns}"))?;
    progress(&format!(
        "deleted pod {pod}; waiting for it to come back Ready"
    ));
    loop {
        let current = pods.get_opt(pod).await.ok().flatten();
        let replaced = current
            .as_ref()
            .is_some_and(|p| p.metadata.uid.as_deref() != Some(old_uid.as_str()));
        if replaced && current.as_ref().is_some_and(is_ready) {
            break;
        }
        if Instant::now() >= deadline {
            bail!(
                "pod {pod} in namespace {ns} was not re-created and Ready within {}s",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
    let left = deadline.saturating_duration_since(Instant::now());
    wait_healthy(client, ensemble, left, progress).await
}

/// Whether the pod's Ready condition is True (and it is not being deleted).
pub fn is_ready(pod: &Pod) -> bool {
    crate::kube::pod::is_up(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::decide;
    use crate::ensemble::testing::{E, ensemble, member, three};

    #[test]
    fn followers_restart_first_and_the_leader_last() {
        assert_eq!(restart_order(&three(0, None)), ["zk-1", "zk-2", "zk-0"]);
        assert_eq!(restart_order(&three(2, None)), ["zk-0", "zk-1", "zk-2"]);
    }

    #[test]
    fn a_healthy_ensemble_is_back_and_may_lose_one() {
        let status = three(1, None);
        assert_eq!(not_back(&status), None);
        assert_eq!(can_lose_one(&status), Ok(()));
    }

    #[test]
    fn a_follower_the_leader_does_not_count_as_synced_is_not_back() {
        let mut status = three(1, None);
        status.synced_followers = Some(1);
        assert_eq!(
            not_back(&status).as_deref(),
            Some("the leader zk-1 counts 1 synced follower(s) of 2")
        );
        status.synced_followers = Some(2);
        assert_eq!(not_back(&status), None);
    }

    #[test]
    fn with_a_member_down_nothing_more_may_go() {
        let status = three(1, Some(2));
        let why = not_back(&status).expect("not back");
        assert!(why.contains("zk-2"), "{why}");
        let refusal = can_lose_one(&status).expect_err("refused");
        assert!(refusal.contains("not healthy"), "{refusal}");

        // Healthy but a single member: losing it stops ZooKeeper.
        let one = decide(
            &ensemble(1),
            vec![member(0, MemberMode::Serving(Mode::Standalone), E + 1)],
            None,
        );
        let refusal = can_lose_one(&one).expect_err("refused");
        assert!(
            refusal.contains("without zk-0, 0 of 1 voters would remain in sync"),
            "{refusal}"
        );
    }
}
