//! Waiting for a member that was taken down (evicted, deleted, restarted) to be back: a new
//! pod, Ready, and serving in sync with the leader as ZooKeeper itself says it. Each stage is
//! reported once, so a long wait says where it is. Generic: `drain-safe --execute` uses it
//! after each eviction; a failover or a rolling restart can use it after deleting a pod.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;

use crate::cluster::ensemble::Ensemble;
use crate::ensemble::{LAG_THRESHOLD, MemberMode};
use crate::kube::pod::state as member_state;
use crate::zk::Mode;

/// How often the member is looked at.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long each ZooKeeper member may take to answer one look.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);

/// The member to wait for, and what "back" means for it.
#[derive(Debug, Clone)]
pub struct Awaited<'a> {
    /// Its ensemble.
    pub ensemble: &'a Ensemble,
    /// Its pod name (the StatefulSet re-creates it under the same name).
    pub pod: &'a str,
    /// The UID of the pod that was taken down: a pod with this UID is not back.
    pub old_uid: Option<&'a str>,
    /// A node it must not come back on (the drained one).
    pub away_from: Option<&'a str>,
    /// The leader's count of synced followers before it went: back means at least as many.
    pub synced_before: Option<u64>,
}

/// Waits until the member is back, at most `timeout`; `progress` gets one line per stage
/// reached. The error says where it stands (the scheduler's message of a Pending pod, …).
pub async fn wait_rejoined(
    client: &Client,
    awaited: &Awaited<'_>,
    timeout: Duration,
    mut progress: impl FnMut(String),
) -> Result<(), String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &awaited.ensemble.namespace);
    let deadline = Instant::now() + timeout;
    let mut scheduled = false;
    let mut ready = false;
    let mut last: String;
    let name = awaited.pod;
    loop {
        match pods.get_opt(name).await {
            Ok(Some(pod)) if pod.metadata.uid.as_deref() != awaited.old_uid => {
                let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
                let state = member_state(&pod);
                last = match &state.detail {
                    Some(detail) => format!("{}: {detail}", state.state),
                    None => state.state.clone(),
                };
                if let Some(node) = &node
                    && !scheduled
                {
                    scheduled = true;
                    progress(format!("pod/{name} scheduled on {node}"));
                }
                if node.is_some() && awaited.away_from == node.as_deref() {
                    return Err(format!(
                        "{name} came back on {}, the node being drained",
                        node.unwrap_or_default()
                    ));
                }
                if state.state == "Ready" {
                    if !ready {
                        ready = true;
                        progress(format!("pod/{name} Ready"));
                    }
                    match in_sync(client, awaited).await {
                        Ok(line) => {
                            progress(line);
                            return Ok(());
                        }
                        Err(why) => last = why,
                    }
                }
            }
            Ok(Some(_)) => last = "still terminating".into(),
            Ok(None) => last = "not re-created yet".into(),
            Err(err) => {
                last = format!(
                    "cannot read pod {name}: {}",
                    crate::cluster::error::kube_line(&err)
                )
            }
        }
        if Instant::now() + POLL_EVERY > deadline {
            return Err(format!(
                "{name} is not back in sync within {}s: {last}",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// One line when the member serves in sync with the leader, else why not.
async fn in_sync(client: &Client, awaited: &Awaited<'_>) -> Result<String, String> {
    let status = crate::ensemble::gather(client, awaited.ensemble.clone(), None, MEMBER_TIMEOUT)
        .await
        .map_err(|e| {
            format!(
                "cannot read the ensemble: {}",
                crate::cluster::error::one_line(&e)
            )
        })?;
    let member = status
        .members
        .iter()
        .find(|m| m.pod == awaited.pod)
        .ok_or_else(|| format!("{} is not a member any more", awaited.pod))?;
    let mode = match member.mode {
        MemberMode::Serving(mode @ (Mode::Leader | Mode::Follower | Mode::Standalone)) => mode,
        other => return Err(format!("{} is {}", awaited.pod, other.word())),
    };
    if !status.quorum_holds {
        return Err("the ensemble has no quorum yet".into());
    }
    if let Some(lag) = member.lag.filter(|l| l.is_lagging(LAG_THRESHOLD)) {
        return Err(format!(
            "{} lags the leader by {lag} transactions",
            awaited.pod
        ));
    }
    if let (Some(before), Some(now)) = (awaited.synced_before, status.synced_followers)
        && now < before
    {
        return Err(format!(
            "the leader counts {now} synced follower(s), {before} before"
        ));
    }
    let zxid = member
        .server
        .as_ref()
        .and_then(|s| s.zxid)
        .map(|z| format!("zxid {z}, "))
        .unwrap_or_default();
    Ok(format!(
        "{} is {mode}, in sync with leader {} ({zxid}{} synced follower(s))",
        awaited.pod,
        status.leader.as_deref().unwrap_or("?"),
        status
            .synced_followers
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into())
    ))
}
