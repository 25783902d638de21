//! Node maintenance through the API server as `kubectl drain` does it: cordon a node
//! (`spec.unschedulable`) and evict pods through the Eviction API — a `policy/v1` Eviction
//! posted to `pods/NAME/eviction`, never a plain delete, so PodDisruptionBudgets are honoured.
//!
//! kube's automatic retry is off in our client, so a budget's refusal (429) comes back at
//! once; [`evict`] retries it itself for a bounded time and then reports the refusal. Shared
//! by `drain-safe --execute` and usable by any command that must take a member down safely.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::Eviction;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};

/// How long to wait between two eviction attempts the budget refused.
pub const EVICT_RETRY_EVERY: Duration = Duration::from_secs(3);

/// How a bounded eviction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evicted {
    /// The API server accepted the eviction: the pod is being deleted gracefully.
    Accepted,
    /// The pod no longer exists.
    Gone,
    /// The PodDisruptionBudget kept refusing (429) until the time was up: its message.
    Refused(String),
}

/// Marks a node unschedulable (`kubectl cordon`). Returns false when it already was.
pub async fn cordon(client: &Client, node: &str) -> anyhow::Result<bool> {
    let nodes: Api<Node> = Api::all(client.clone());
    let current = nodes
        .get(node)
        .await
        .map_err(|e| anyhow!(e).context(format!("cannot read node {node}")))?;
    if current.spec.and_then(|s| s.unschedulable).unwrap_or(false) {
        return Ok(false);
    }
    let patch = serde_json::json!({"spec": {"unschedulable": true}});
    nodes
        .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| {
            anyhow!(e).context(format!(
                "cannot cordon node {node} (patch spec.unschedulable); nothing was evicted"
            ))
        })?;
    Ok(true)
}

/// Evicts one pod through the Eviction API. A 429 (the PodDisruptionBudget refuses) is
/// retried every [`EVICT_RETRY_EVERY`] for at most `retry_for`; `on_refusal` is called with
/// the budget's message the first time, so the caller can say it is waiting. Any other error
/// (403, 500 for a pod under several budgets, …) is returned at once.
pub async fn evict(
    client: &Client,
    namespace: &str,
    pod: &str,
    retry_for: Duration,
    mut on_refusal: impl FnMut(&str),
) -> anyhow::Result<Evicted> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let eviction = Eviction {
        metadata: ObjectMeta {
            name: Some(pod.to_owned()),
            namespace: Some(namespace.to_owned()),
            ..ObjectMeta::default()
        },
        delete_options: None,
    };
    let deadline = Instant::now() + retry_for;
    let mut refused_before = false;
    loop {
        let answer: Result<serde_json::Value, kube::Error> = pods
            .create_subresource("eviction", pod, &PostParams::default(), &eviction)
            .await;
        match answer {
            Ok(_) => return Ok(Evicted::Accepted),
            Err(kube::Error::Api(status)) if status.is_not_found() => return Ok(Evicted::Gone),
            Err(kube::Error::Api(status)) if status.code == 429 => {
                let message = refusal_message(&status);
                if !refused_before {
                    on_refusal(&message);
                    refused_before = true;
                }
                if Instant::now() + EVICT_RETRY_EVERY > deadline {
                    return Ok(Evicted::Refused(message));
                }
                tokio::time::sleep(EVICT_RETRY_EVERY).await;
            }
            Err(err) => {
                return Err(anyhow!(err).context(format!(
                    "cannot evict pod {pod} in namespace {namespace} through the Eviction API"
                )));
            }
        }
    }
}

/// The budget's own words: the cause (`The disruption budget zk-pdb needs 2 healthy pods and
/// has 1 currently`), else the status message.
fn refusal_message(status: &kube::core::Status) -> String {
    status
        .details
        .as_ref()
        .and_then(|d| d.causes.iter().find(|c| c.reason == "DisruptionBudget"))
        .map(|c| c.message.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| status.message.clone())
}
