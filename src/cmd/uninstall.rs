//! `uninstall`: removes an ensemble the way the seed describes it — the members stop in
//! reverse ordinal order, each only after the previous one is gone — then the objects
//! kubectl-zk made for it, found by the labels `install` puts on every object (and only
//! those: never an object a user made). The data volumes (PVCs) stay unless
//! `--delete-data`; the ones kept are listed with the command that deletes them.
//!
//! The StatefulSet is scaled down one step at a time (N-1, wait until that pod is gone, …,
//! 0) rather than deleted with its pods, so the order holds whatever its
//! `podManagementPolicy` (Parallel deletes every pod at once). A run that was interrupted
//! can be repeated: it goes on from where the ensemble is.

use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, Preconditions,
};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use crate::cli::{GlobalOptions, UninstallArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::openshift;
use crate::cmd::Outcome;
use crate::confirm::{confirm, confirm_typed};
use crate::manifest::{DATA_VOLUME, MANAGER};
use crate::names::EnsembleName;
use crate::render::write_stdout;
use kube::ResourceExt as _;

/// How often a condition (a pod gone) is checked.
const POLL: Duration = Duration::from_millis(200);
/// How long the StatefulSet controller gets to start stopping a member after a scale-down
/// before the pod is deleted directly (OrderedReady does not scale down while a member is
/// unhealthy, which would stall an uninstall of a broken ensemble forever).
const CONTROLLER_GRACE: Duration = Duration::from_secs(15);
/// Time for a member to stop beyond its termination grace period.
const STOP_SLACK: Duration = Duration::from_secs(90);
/// How long an object may take to disappear after its deletion.
const DELETE_TIMEOUT: Duration = Duration::from_secs(60);
/// The label naming the tool that manages an object.
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// One object to delete, as kubectl names it (`service/zk-hs`).
#[derive(Debug, Clone)]
struct Object {
    resource: ApiResource,
    name: String,
}

impl Object {
    fn display(&self) -> String {
        display(&self.resource, &self.name)
    }
}

/// `kind[.group]/name`, as kubectl prints it.
fn display(resource: &ApiResource, name: &str) -> String {
    let kind = resource.kind.to_ascii_lowercase();
    if resource.group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{}/{name}", resource.group)
    }
}

/// A data volume claim of the ensemble.
#[derive(Debug, Clone)]
struct Claim {
    name: String,
    uid: Option<String>,
    phase: String,
    capacity: String,
    volume: String,
}

/// What `uninstall` will do, read before anything is changed.
#[derive(Debug)]
struct Plan {
    namespace: String,
    name: String,
    /// The StatefulSet; `None` when an earlier run already removed it.
    stateful_set: Option<StatefulSet>,
    /// Whether kubectl-zk installed it (label `app.kubernetes.io/managed-by: kubectl-zk`).
    managed: bool,
    /// Members to stop, highest ordinal first.
    members: Vec<u32>,
    /// The labelled objects beside the StatefulSet (Services, PDB, ConfigMap, …).
    objects: Vec<Object>,
    /// The data volumes.
    claims: Vec<Claim>,
}

/// The kinds `install` creates beside the StatefulSet, found by the ensemble's labels.
fn managed_kinds() -> Vec<ApiResource> {
    vec![
        ApiResource::erase::<Service>(&()),
        ApiResource::erase::<PodDisruptionBudget>(&()),
        ApiResource::erase::<ConfigMap>(&()),
        ApiResource::erase::<Secret>(&()),
        ApiResource::erase::<ServiceAccount>(&()),
        // `install --metrics` on a cluster that serves the Prometheus operator's API.
        ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
            crate::manifest::MONITORING_GROUP,
            "v1",
            "PodMonitor",
        )),
    ]
}

/// The labels of every object `install` made for ensemble `name`.
pub fn managed_selector(name: &str) -> String {
    format!("{MANAGED_BY}={MANAGER},{}", instance_selector(name))
}

/// The labels that select ensemble `name`'s pods and claims.
fn instance_selector(name: &str) -> String {
    format!("app.kubernetes.io/instance={name},app.kubernetes.io/name=zookeeper")
}

/// Runs `uninstall`.
pub async fn run(global: &GlobalOptions, args: UninstallArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let plan = plan(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    eprint!("{}", describe(&plan, args.delete_data));
    if !plan.managed && !args.unmanaged {
        bail!(
            "StatefulSet {} in namespace {} was not installed by kubectl-zk (no label {MANAGED_BY}={MANAGER}); pass --unmanaged to stop its members in reverse order and delete only the StatefulSet{}, leaving its Services, PodDisruptionBudget and other objects alone; nothing was changed",
            plan.name,
            plan.namespace,
            if args.delete_data {
                " and its data volumes"
            } else {
                ""
            }
        );
    }
    let action = format!(
        "uninstall ensemble {} in namespace {}",
        plan.name, plan.namespace
    );
    if !confirm(
        &format!(
            "Uninstall ensemble {} in namespace {}?",
            plan.name, plan.namespace
        ),
        &action,
        args.yes,
    )? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    if args.delete_data
        && !plan.claims.is_empty()
        && !confirm_typed(
            &format!(
                "--delete-data deletes {} data volume(s) of {} for good: every znode stored in it is lost.",
                plan.claims.len(),
                plan.name
            ),
            &plan.name,
            &action,
            args.yes,
        )?
    {
        eprintln!("the name was not typed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    execute(client, &plan, args.delete_data).await?;
    write_stdout(&summary(&plan, args.delete_data))?;
    Ok(Outcome::Ok)
}

/// Reads the StatefulSet, its pods, the labelled objects and the claims.
async fn plan(
    client: &Client,
    namespace: &str,
    name: Option<&EnsembleName>,
) -> anyhow::Result<Plan> {
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
    let found = match name {
        Some(name) => {
            let sts = sts_api.get_opt(name.as_str()).await.map_err(|err| {
                anyhow!(err).context(format!(
                    "cannot read StatefulSet {name} in namespace {namespace}"
                ))
            })?;
            match sts {
                Some(sts) => Some(Ensemble::from_stateful_set(sts).ok_or_else(|| {
                    anyhow!(
                        "StatefulSet {name} in namespace {namespace} does not run a known ZooKeeper image; not touching it"
                    )
                })?),
                None => None,
            }
        }
        None => Some(ensemble::find(client, namespace, None).await?),
    };
    let name = found
        .as_ref()
        .map(|e| e.name.clone())
        .or_else(|| name.map(|n| n.to_string()))
        .unwrap_or_default();
    let managed = found.as_ref().is_none_or(|e| {
        e.stateful_set
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(MANAGED_BY))
            .is_some_and(|v| v == MANAGER)
    });
    let objects = if managed {
        labelled_objects(client, namespace, &name).await?
    } else {
        Vec::new()
    };
    let members = match &found {
        Some(e) => members_to_stop(client, e).await?,
        None => Vec::new(),
    };
    let templates = match &found {
        Some(e) => e.claim_templates(),
        None => vec![DATA_VOLUME.to_owned()],
    };
    let claims = claims(client, namespace, &name, &templates, found.is_none()).await?;
    if found.is_none() && objects.is_empty() {
        bail!(
            "there is no ensemble {name} in namespace {namespace} (no StatefulSet and no object labelled {}); list ensembles with `kubectl zk status -A`",
            managed_selector(&name)
        );
    }
    Ok(Plan {
        namespace: namespace.to_owned(),
        name,
        stateful_set: found.map(|e| e.stateful_set),
        managed,
        members,
        objects,
        claims,
    })
}

/// Ordinals from the highest (desired or present) down to 0.
async fn members_to_stop(client: &Client, ensemble: &Ensemble) -> anyhow::Result<Vec<u32>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ensemble.namespace);
    let list = pods
        .list(&ListParams::default().labels(&ensemble.pod_selector()))
        .await
        .with_context(|| format!("cannot list pods in namespace {}", ensemble.namespace))?;
    let prefix = format!("{}-", ensemble.name);
    let present = list
        .items
        .iter()
        .filter_map(|p| {
            p.metadata
                .name
                .as_deref()?
                .strip_prefix(&prefix)?
                .parse()
                .ok()
        })
        .map(|ordinal: u32| ordinal + 1);
    let top = present.chain([ensemble.replicas()]).max().unwrap_or(0);
    Ok((0..top).rev().collect())
}

/// Everything in the namespace that carries the labels `install` sets for `name`.
async fn labelled_objects(
    client: &Client,
    namespace: &str,
    name: &str,
) -> anyhow::Result<Vec<Object>> {
    let params = ListParams::default().labels(&managed_selector(name));
    let lists = futures::future::join_all(managed_kinds().into_iter().map(|resource| {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let params = params.clone();
        async move {
            let list = match api.list(&params).await {
                Ok(list) => list,
                // A kind the cluster does not serve (the PodMonitor without the operator).
                Err(kube::Error::Api(status)) if status.code == 404 => return Ok(Vec::new()),
                Err(err) => {
                    return Err(anyhow!(err).context(format!(
                        "cannot list {} in namespace {namespace}",
                        resource.plural
                    )));
                }
            };
            Ok::<_, anyhow::Error>(
                list.items
                    .into_iter()
                    .filter_map(|o| o.metadata.name)
                    .map(|name| Object {
                        resource: resource.clone(),
                        name,
                    })
                    .collect::<Vec<_>>(),
            )
        }
    }))
    .await;
    let mut objects = Vec::new();
    for list in lists {
        objects.extend(list?);
    }
    Ok(objects)
}

/// The claims the StatefulSet controller made from the templates: `<template>-<name>-<n>`.
/// Without a StatefulSet they must also carry the ensemble's pod labels.
async fn claims(
    client: &Client,
    namespace: &str,
    name: &str,
    templates: &[String],
    need_labels: bool,
) -> anyhow::Result<Vec<Claim>> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), namespace);
    let params = if need_labels {
        ListParams::default().labels(&instance_selector(name))
    } else {
        ListParams::default()
    };
    let list = api.list(&params).await.map_err(|err| {
        anyhow!(err).context(format!(
            "cannot list PersistentVolumeClaims in namespace {namespace}"
        ))
    })?;
    let mut claims: Vec<(u32, Claim)> = list
        .items
        .into_iter()
        .filter_map(|pvc| {
            let claim_name = pvc.metadata.name.clone()?;
            let ordinal = templates.iter().find_map(|t| {
                claim_name
                    .strip_prefix(&format!("{t}-{name}-"))?
                    .parse::<u32>()
                    .ok()
            })?;
            let status = pvc.status.as_ref();
            Some((
                ordinal,
                Claim {
                    name: claim_name,
                    uid: pvc.metadata.uid.clone(),
                    phase: status
                        .and_then(|s| s.phase.clone())
                        .unwrap_or_else(|| "Pending".into()),
                    capacity: status
                        .and_then(|s| s.capacity.as_ref())
                        .and_then(|c| c.get("storage"))
                        .map(|q| q.0.clone())
                        .unwrap_or_default(),
                    volume: pvc
                        .spec
                        .as_ref()
                        .and_then(|s| s.volume_name.clone())
                        .unwrap_or_default(),
                },
            ))
        })
        .collect();
    claims.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    Ok(claims.into_iter().map(|(_, c)| c).collect())
}

/// The plan in words, before confirmation (stderr).
fn describe(plan: &Plan, delete_data: bool) -> String {
    let mut text = format!(
        "Ensemble {} in namespace {}{}:\n",
        plan.name,
        plan.namespace,
        if plan.managed {
            ""
        } else {
            " (not installed by kubectl-zk)"
        }
    );
    if !plan.members.is_empty() {
        text.push_str(&format!(
            "  stop members one at a time, highest ordinal first: {}\n",
            plan.members
                .iter()
                .map(|o| format!("{}-{o}", plan.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut deleted: Vec<String> = Vec::new();
    if plan.stateful_set.is_some() {
        deleted.push(format!("statefulset.apps/{}", plan.name));
    }
    deleted.extend(plan.objects.iter().map(Object::display));
    if !deleted.is_empty() {
        text.push_str(&format!("  delete {}\n", deleted.join(", ")));
    }
    if !plan.claims.is_empty() {
        text.push_str(&format!(
            "  {} data volumes: {}\n",
            if delete_data { "DELETE" } else { "keep" },
            claim_names(plan).join(", ")
        ));
    }
    text
}

fn claim_names(plan: &Plan) -> Vec<String> {
    plan.claims.iter().map(|c| c.name.clone()).collect()
}

/// Stops the members, deletes the StatefulSet, the labelled objects and (if asked) the claims.
async fn execute(client: &Client, plan: &Plan, delete_data: bool) -> anyhow::Result<()> {
    let ns = &plan.namespace;
    if let Some(sts) = &plan.stateful_set {
        stop_members(client, plan, sts).await?;
        let api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
        delete_and_wait(&api, &plan.name, sts.metadata.uid.as_deref())
            .await
            .with_context(|| {
                format!("cannot delete StatefulSet {} in namespace {ns}", plan.name)
            })?;
        eprintln!("statefulset.apps/{} deleted", plan.name);
    }
    // The grant is recorded on the ServiceAccount: take it back before the account goes.
    for change in remove_openshift_grant(client, plan).await? {
        eprintln!("{change}");
    }
    for object in &plan.objects {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &object.resource);
        delete_and_wait(&api, &object.name, None)
            .await
            .with_context(|| format!("cannot delete {} in namespace {ns}", object.display()))?;
        eprintln!("{} deleted", object.display());
    }
    if delete_data {
        let api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
        for claim in &plan.claims {
            delete_and_wait(&api, &claim.name, claim.uid.as_deref())
                .await
                .with_context(|| {
                    format!(
                        "cannot delete PersistentVolumeClaim {} in namespace {ns}",
                        claim.name
                    )
                })?;
            eprintln!("persistentvolumeclaim/{} deleted", claim.name);
        }
    }
    Ok(())
}

/// Takes back the OpenShift SCC grant `install` made for the ensemble's ServiceAccounts (the
/// `system:openshift:scc:anyuid` RoleBinding subject, or the SCC `users` entry), as recorded on
/// each account, and nothing an admin made. Returns what it changed, in kubectl's words.
async fn remove_openshift_grant(client: &Client, plan: &Plan) -> anyhow::Result<Vec<String>> {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &plan.namespace);
    let mut changes = Vec::new();
    for object in plan
        .objects
        .iter()
        .filter(|o| o.resource.kind == "ServiceAccount")
    {
        let Some(account) = accounts.get_opt(&object.name).await.with_context(|| {
            format!(
                "cannot read ServiceAccount {} in namespace {}",
                object.name, plan.namespace
            )
        })?
        else {
            continue;
        };
        let Some(recorded) = account.annotations().get(openshift::GRANT_ANNOTATION) else {
            continue;
        };
        changes.extend(openshift::revoke(client, &plan.namespace, &object.name, recorded).await?);
    }
    Ok(changes)
}

/// Scales down one member at a time; each step waits until that member's pod is gone.
async fn stop_members(client: &Client, plan: &Plan, sts: &StatefulSet) -> anyhow::Result<()> {
    let ns = &plan.namespace;
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let grace = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.termination_grace_period_seconds)
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(30);
    let limit = Duration::from_secs(grace) + STOP_SLACK;
    for &ordinal in &plan.members {
        let pod = format!("{}-{ordinal}", plan.name);
        let started = Instant::now();
        eprintln!(
            "stopping {pod} (StatefulSet {} scaled to {ordinal})",
            plan.name
        );
        let scale = serde_json::json!({ "spec": { "replicas": ordinal } });
        sts_api
            .patch_scale(&plan.name, &PatchParams::default(), &Patch::Merge(&scale))
            .await
            .map_err(|err| {
                anyhow!(err).context(format!(
                    "cannot scale StatefulSet {} in namespace {ns} to {ordinal}",
                    plan.name
                ))
            })?;
        let mut nudged = false;
        loop {
            let current = pods
                .get_opt(&pod)
                .await
                .with_context(|| format!("cannot read pod {pod} in namespace {ns}"))?;
            let Some(current) = current else { break };
            if !nudged
                && current.metadata.deletion_timestamp.is_none()
                && started.elapsed() > CONTROLLER_GRACE
            {
                eprintln!(
                    "the StatefulSet controller has not stopped {pod} after {}s (OrderedReady waits while a member is unhealthy); deleting the pod",
                    CONTROLLER_GRACE.as_secs()
                );
                let mut params = DeleteParams::default();
                if let Some(uid) = current.metadata.uid.clone() {
                    params = params.preconditions(Preconditions {
                        uid: Some(uid),
                        resource_version: None,
                    });
                }
                match pods.delete(&pod, &params).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    Err(err) => {
                        return Err(anyhow!(err)
                            .context(format!("cannot delete pod {pod} in namespace {ns}")));
                    }
                }
                nudged = true;
            }
            if started.elapsed() > limit {
                bail!(
                    "{pod} did not stop within {}s; StatefulSet {} is scaled to {ordinal}; see `kubectl describe pod {pod} -n {ns}`, then run `kubectl zk uninstall --name {} -n {ns}` again to go on",
                    limit.as_secs(),
                    plan.name,
                    plan.name
                );
            }
            tokio::time::sleep(POLL).await;
        }
        eprintln!("{pod} stopped ({:.1}s)", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Deletes an object (404 is fine: already gone) and waits until it is gone. With `uid`, the
/// deletion applies only to that object (not to one re-created meanwhile).
async fn delete_and_wait<K>(api: &Api<K>, name: &str, uid: Option<&str>) -> anyhow::Result<()>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut params = DeleteParams::background();
    if let Some(uid) = uid {
        params = params.preconditions(Preconditions {
            uid: Some(uid.to_owned()),
            resource_version: None,
        });
    }
    match api.delete(name, &params).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(()),
        Err(err) => return Err(err.into()),
    }
    let deadline = Instant::now() + DELETE_TIMEOUT;
    loop {
        let current = api.get_opt(name).await?;
        let gone = match (current, uid) {
            (None, _) => true,
            (Some(object), Some(uid)) => object.meta().uid.as_deref() != Some(uid),
            (Some(_), None) => false,
        };
        if gone {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "still there {}s after its deletion (a finalizer?)",
                DELETE_TIMEOUT.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The result on stdout: what was removed, the volumes kept and how to delete them.
fn summary(plan: &Plan, delete_data: bool) -> String {
    let mut text = format!(
        "ensemble {} in namespace {} uninstalled",
        plan.name, plan.namespace
    );
    if !plan.members.is_empty() {
        text.push_str(&format!(
            ": members stopped in the order {}",
            plan.members
                .iter()
                .map(|o| format!("{}-{o}", plan.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text.push('\n');
    if !plan.managed {
        text.push_str("only the StatefulSet was deleted: its other objects were not made by kubectl-zk and are left as they were\n");
    }
    if plan.claims.is_empty() {
        return text;
    }
    if delete_data {
        text.push_str(&format!(
            "deleted {} data volume(s): {}\n",
            plan.claims.len(),
            claim_names(plan).join(", ")
        ));
        return text;
    }
    text.push_str(&format!(
        "kept {} data volume(s) (PersistentVolumeClaims):\n",
        plan.claims.len()
    ));
    text.push_str(&crate::render::plain_table(
        &["NAME", "STATUS", "CAPACITY", "VOLUME"],
        plan.claims
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.phase.clone(),
                    c.capacity.clone(),
                    c.volume.clone(),
                ]
            })
            .collect(),
    ));
    text.push_str(&format!(
        "{} finds this data again; to delete it:\n  kubectl delete pvc -n {} {}\n",
        if plan.managed {
            format!(
                "a new `kubectl zk install --name {} -n {}`",
                plan.name, plan.namespace
            )
        } else {
            format!(
                "a StatefulSet {} created again from the same manifest",
                plan.name
            )
        },
        plan.namespace,
        claim_names(plan).join(" ")
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(managed: bool) -> Plan {
        Plan {
            namespace: "kafka".into(),
            name: "zk".into(),
            stateful_set: Some(StatefulSet::default()),
            managed,
            members: vec![2, 1, 0],
            objects: vec![
                Object {
                    resource: ApiResource::erase::<Service>(&()),
                    name: "zk-hs".into(),
                },
                Object {
                    resource: ApiResource::erase::<PodDisruptionBudget>(&()),
                    name: "zk-pdb".into(),
                },
            ],
            claims: (0..3)
                .map(|i| Claim {
                    name: format!("datadir-zk-{i}"),
                    uid: None,
                    phase: "Bound".into(),
                    capacity: "10Gi".into(),
                    volume: format!("pvc-{i}"),
                })
                .collect(),
        }
    }

    #[test]
    fn objects_are_named_as_kubectl_names_them() {
        let plan = plan(true);
        let names: Vec<String> = plan.objects.iter().map(Object::display).collect();
        assert_eq!(
            names,
            ["service/zk-hs", "poddisruptionbudget.policy/zk-pdb"]
        );
    }

    #[test]
    fn the_plan_names_the_order_and_what_is_deleted_and_kept() {
        let text = describe(&plan(true), false);
        assert!(
            text.contains("highest ordinal first: zk-2, zk-1, zk-0"),
            "{text}"
        );
        assert!(
            text.contains(
                "delete statefulset.apps/zk, service/zk-hs, poddisruptionbudget.policy/zk-pdb"
            ),
            "{text}"
        );
        assert!(
            text.contains("keep data volumes: datadir-zk-0, datadir-zk-1, datadir-zk-2"),
            "{text}"
        );
        assert!(describe(&plan(true), true).contains("DELETE data volumes"));
        assert!(describe(&plan(false), false).contains("(not installed by kubectl-zk)"));
    }

    #[test]
    fn the_summary_prints_the_kept_claims_and_the_command() {
        let text = summary(&plan(true), false);
        assert!(
            text.contains("members stopped in the order zk-2, zk-1, zk-0"),
            "{text}"
        );
        assert!(text.contains("kept 3 data volume(s)"), "{text}");
        assert!(
            text.contains("kubectl delete pvc -n kafka datadir-zk-0 datadir-zk-1 datadir-zk-2"),
            "{text}"
        );
        let deleted = summary(&plan(true), true);
        assert!(!deleted.contains("kubectl delete pvc"), "{deleted}");
        assert!(deleted.contains("deleted 3 data volume(s)"), "{deleted}");
    }

    #[test]
    fn the_selectors_are_labels_install_sets() {
        let spec = crate::manifest::tests::spec(crate::manifest::options::Flavor::Official);
        let labels = spec.labels();
        for selector in [managed_selector("zk"), instance_selector("zk")] {
            for pair in selector.split(',') {
                let (key, value) = pair.split_once('=').expect("key=value");
                assert_eq!(labels.get(key).map(String::as_str), Some(value), "{pair}");
            }
        }
        assert_eq!(instance_selector("zk"), spec.selector_string());
    }
}
