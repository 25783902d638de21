//! The namespace-security-allocation controller of the OpenShift mode: every namespace without
//! a UID block gets the lowest free one ([`super::uid::allocate`]), its supplemental groups and
//! SELinux level as annotations, as OpenShift's controller of that name gives them (a moment
//! after the namespace is created; SCC admission waits for them).

use super::uid;
use anyhow::{Context, Result};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;

/// Whether a namespace has its block.
pub fn has_block(ns: &Namespace) -> bool {
    ns.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(uid::UID_RANGE) && a.contains_key(uid::MCS))
}

/// Watches namespaces and gives each new one its block until `shutdown`; bumps `allocated`
/// after each allocation (admission waiting for a namespace's block wakes on it).
pub async fn run(
    client: kube::Client,
    allocated: watch::Sender<u64>,
    mut shutdown: watch::Receiver<bool>,
) {
    let api: Api<Namespace> = Api::all(client);
    let events = watcher::watcher(api.clone(), watcher::Config::default()).default_backoff();
    futures::pin_mut!(events);
    loop {
        let event = tokio::select! {
            e = events.next() => e,
            _ = shutdown.changed() => return,
        };
        let ns = match event {
            Some(Ok(Event::Apply(ns) | Event::InitApply(ns))) => ns,
            Some(_) => continue,
            None => return,
        };
        if has_block(&ns) || ns.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let name = ns.metadata.name.clone().unwrap_or_default();
        for attempt in 1..=3 {
            match allocate(&api, &name).await {
                Ok(()) => {
                    allocated.send_modify(|n| *n += 1);
                    break;
                }
                Err(e) => {
                    tracing::warn!(
                        "allocating a UID block to namespace {name} (try {attempt}): {e:#}"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}

/// Gives namespace `name` the lowest block no namespace holds (read fresh: this controller is
/// the only writer of blocks, one allocation at a time).
async fn allocate(api: &Api<Namespace>, name: &str) -> Result<()> {
    let all = api
        .list(&ListParams::default())
        .await
        .context("listing namespaces")?;
    if all
        .items
        .iter()
        .any(|n| n.metadata.name.as_deref() == Some(name) && has_block(n))
    {
        return Ok(());
    }
    let values: Vec<serde_json::Value> = all
        .items
        .iter()
        .filter_map(|n| serde_json::to_value(n).ok())
        .collect();
    let a = uid::allocate(&values).context("the UID range 1000000000-1999999999 is exhausted")?;
    let patch = json!({"metadata": {"annotations": {
        uid::UID_RANGE: a.uid_range,
        uid::SUPPLEMENTAL_GROUPS: a.supplemental_groups,
        uid::MCS: a.mcs,
    }}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| format!("annotating namespace {name}"))?;
    Ok(())
}
