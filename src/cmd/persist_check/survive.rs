//! The survive steps: `--restart` rolls every member (followers first, the leader last, each
//! back in sync before the next) and `--recreate` deletes the StatefulSet and creates it again
//! from its own stored spec, as the seed does (`kubectl delete statefulset zk`, then create):
//! its pods go away, its claims stay.
//!
//! The re-creation runs in a task of its own holding the `critical` lock, so a Ctrl-C while
//! the StatefulSet is gone still ends with it created again before the program exits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams, Preconditions};

use super::model::{Check, CheckKind, Step, Verdict};
use crate::cluster::ensemble::Ensemble;
use crate::ensemble::EnsembleStatus;
use crate::ensemble::rolling;

/// How often the pods are listed while waiting for them to go away.
const POLL: Duration = Duration::from_millis(500);
/// Attempts to create the StatefulSet again before giving up (each a second apart).
const CREATE_ATTEMPTS: u32 = 5;

/// Prints a progress line on stderr.
pub fn progress(line: &str) {
    eprintln!("{line}");
}

/// Runs the step and judges it: PASS with what was done, or FAIL with where it stopped.
pub async fn run(
    client: &Client,
    ensemble: &Ensemble,
    status: &EnsembleStatus,
    step: Step,
    timeout: Duration,
    critical: &Arc<tokio::sync::Mutex<()>>,
) -> Check {
    let started = Instant::now();
    let result = match step {
        Step::Restart => restart_all(client, ensemble, status, timeout).await,
        Step::Recreate => recreate(client, ensemble, timeout, critical).await,
    };
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(done) => Check::new(
            CheckKind::Step,
            step.word(),
            Verdict::Pass,
            format!("{done}; healthy again after {seconds:.1}s"),
        ),
        Err(err) => Check::new(
            CheckKind::Step,
            step.word(),
            Verdict::Fail,
            crate::cluster::error::one_line(&err),
        ),
    }
}

async fn restart_all(
    client: &Client,
    ensemble: &Ensemble,
    status: &EnsembleStatus,
    timeout: Duration,
) -> anyhow::Result<String> {
    let order = rolling::restart_order(status);
    for pod in &order {
        progress(&format!("restarting {pod}"));
        rolling::restart_member(client, ensemble, pod, timeout, &progress)
            .await
            .with_context(|| format!("restarting {pod}"))?;
    }
    Ok(format!(
        "restarted {} one at a time{}, each back in sync before the next",
        order.join(", "),
        status
            .leader
            .as_deref()
            .map(|l| format!(" (the leader {l} last)"))
            .unwrap_or_default()
    ))
}

async fn recreate(
    client: &Client,
    ensemble: &Ensemble,
    timeout: Duration,
    critical: &Arc<tokio::sync::Mutex<()>>,
) -> anyhow::Result<String> {
    let guard = Arc::clone(critical).lock_owned().await;
    let task = tokio::spawn({
        let client = client.clone();
        let ensemble = ensemble.clone();
        async move {
            let outcome = delete_and_create(&client, &ensemble, timeout).await;
            drop(guard);
            outcome
        }
    });
    let stopped = task
        .await
        .map_err(|e| anyhow!("the re-creation task failed: {e}"))??;
    rolling::wait_healthy(client, ensemble, timeout, &progress).await?;
    Ok(format!(
        "StatefulSet {} deleted ({stopped} pod(s) stopped, claims kept) and created again from its stored spec",
        ensemble.name
    ))
}

/// Deletes the StatefulSet, waits for its pods to go, creates it again. Returns how many pods
/// went away. The stored spec is saved to a file first and removed once the StatefulSet exists
/// again; when it cannot be created again, the error names that file.
async fn delete_and_create(
    client: &Client,
    ensemble: &Ensemble,
    timeout: Duration,
) -> anyhow::Result<usize> {
    let ns = &ensemble.namespace;
    let name = &ensemble.name;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let current = sets
        .get(name)
        .await
        .with_context(|| format!("cannot read StatefulSet {name} in namespace {ns}"))?;
    let uid = current.metadata.uid.clone();
    let stored = stored_copy(&current);
    let backup = std::env::temp_dir().join(format!(
        "kubectl-zk-persist-check-{ns}-{name}-{}.json",
        std::process::id()
    ));
    std::fs::write(&backup, serde_json::to_vec_pretty(&stored)?)
        .with_context(|| format!("cannot save the StatefulSet's spec to {}", backup.display()))?;
    progress(&format!(
        "saved StatefulSet {name}'s spec to {}; deleting it",
        backup.display()
    ));
    let selector = ensemble.pod_selector();
    let before = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map(|l| l.items.len())
        .unwrap_or(0);
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid,
            resource_version: None,
        }),
        ..DeleteParams::background()
    };
    sets.delete(name, &params)
        .await
        .with_context(|| format!("cannot delete StatefulSet {name} in namespace {ns}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        let set_gone = matches!(sets.get_opt(name).await, Ok(None));
        let left = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .map(|l| l.items.len())
            .unwrap_or(usize::MAX);
        if set_gone && left == 0 {
            break;
        }
        if Instant::now() >= deadline {
            progress(&format!(
                "StatefulSet {name}'s pods did not all go away within {}s; creating it again anyway",
                timeout.as_secs()
            ));
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    progress(&format!("creating StatefulSet {name} again"));
    let mut attempt = 0;
    loop {
        attempt += 1;
        match sets.create(&PostParams::default(), &stored).await {
            Ok(_) => {
                // Created again: the saved copy has done its job.
                let _ = std::fs::remove_file(&backup);
                return Ok(before);
            }
            Err(err) if attempt < CREATE_ATTEMPTS => {
                progress(&format!(
                    "creating StatefulSet {name} failed ({}); retrying",
                    crate::cluster::error::kube_line(&err)
                ));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(err) => bail!(
                "StatefulSet {name} was deleted but could not be created again ({}); its claims are kept: create it with `kubectl create -n {ns} -f {}`",
                crate::cluster::error::kube_line(&err),
                backup.display()
            ),
        }
    }
}

/// The StatefulSet as it can be created again: its name, namespace, labels, annotations,
/// owner references and spec, without what the server assigns (uid, resourceVersion,
/// creation time, generation, managed fields) and without status. Pure.
pub fn stored_copy(sts: &StatefulSet) -> StatefulSet {
    let meta = &sts.metadata;
    StatefulSet {
        metadata: ObjectMeta {
            name: meta.name.clone(),
            namespace: meta.namespace.clone(),
            labels: meta.labels.clone(),
            annotations: meta.annotations.clone(),
            owner_references: meta.owner_references.clone(),
            ..ObjectMeta::default()
        },
        spec: sts.spec.clone(),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_copy_keeps_the_spec_and_drops_server_fields() {
        let sts: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {
                "name": "zk", "namespace": "kafka", "uid": "u-1", "resourceVersion": "42",
                "generation": 3, "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {"app": "zk"}, "annotations": {"kubectl-zk.io/flavor": "official"},
                "managedFields": [{"manager": "kubectl-zk", "operation": "Apply"}]
            },
            "spec": {"replicas": 3, "serviceName": "zk-hs",
                     "selector": {"matchLabels": {"app": "zk"}},
                     "template": {"metadata": {"labels": {"app": "zk"}}, "spec": {"containers": []}}},
            "status": {"replicas": 3, "readyReplicas": 3}
        }))
        .expect("sts");
        let copy = stored_copy(&sts);
        assert_eq!(copy.metadata.name.as_deref(), Some("zk"));
        assert_eq!(copy.metadata.namespace.as_deref(), Some("kafka"));
        assert_eq!(copy.metadata.uid, None);
        assert_eq!(copy.metadata.resource_version, None);
        assert_eq!(copy.metadata.generation, None);
        assert_eq!(copy.metadata.creation_timestamp, None);
        assert_eq!(copy.metadata.managed_fields, None);
        assert_eq!(copy.metadata.labels, sts.metadata.labels);
        assert_eq!(copy.metadata.annotations, sts.metadata.annotations);
        assert_eq!(copy.spec, sts.spec);
        assert!(copy.status.is_none());
    }
}
