//! `migrate`: taking over an ensemble made from the seeds' manifest and moving it to the
//! official image, keeping every member's server id and data volume.
//!
//! What ZooKeeper allows (measured on the test cluster with the real releases): a 3.9.4 server
//! started on a 3.4.10 member's data joins the 3.4.10 quorum as a follower of the 3.4 leader
//! and syncs; so the move is one roll through [the rollout engine](super::rollout), followers
//! first and the 3.4 leader last, and no 3.4 member ever has to follow a 3.9 leader. A 3.4
//! member may have transaction logs but no snapshot (3.4 writes one every `snapCount`
//! transactions), which 3.5+ refuses to load unless `snapshot.trust.empty=true`
//! (ZOOKEEPER-3056), so the migrated configuration keeps that setting.
//!
//! The seeds keep the claim at `/var/lib/zookeeper` and the data under its `data/` directory
//! (`data/myid`, `data/version-2`, the transaction log in `data/log/version-2`); the official
//! flavour keeps them at the root of `/data` (`/data/myid`, `/data/log`). Mounting the claim's
//! sub path `data` at `/data` makes the two layouts the same files: nothing is moved or copied.
//!
//! The StatefulSet's selector, pod management policy and claim templates cannot change in
//! place: the pods are labelled with kubectl-zk's selector labels first (labels are mutable),
//! the seeds' StatefulSet is deleted with its pods orphaned (pods and claims stay, members keep
//! serving), and kubectl-zk's StatefulSet is created under the same name with the `OnDelete`
//! strategy and the same `datadir` claim template, so it adopts the running pods and their
//! claims (`datadir-<pod>`, same UIDs). The headless Service must publish not-ready addresses
//! before a member starts with the official flavour's quorum-aware readiness (the seeds' does
//! not, and a restarted member's peers then cannot resolve it: it stays out of the quorum).
//!
//! [`plan`] is pure: what the cluster holds → the steps still to do, so an interrupted
//! migration continues when the same command runs again.

use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, ServiceAccount};
use kube::Client;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, Preconditions, PropagationPolicy,
};
use serde::Serialize;

use super::start_flags::StartFlags;
use crate::cluster::apply::{Applied, apply};
use crate::cluster::ensemble::Ensemble;
use crate::cluster::openshift::{self, GrantPlan};
use crate::manifest::options::{
    AntiAffinity, Flavor, HeapSize, LogLevel, PodManagement, Quantity, SccProfile,
};
use crate::manifest::{DATA_VOLUME, EnsembleSpec, MANAGER, Manifest, ZooKeeperSettings};
use crate::names::EnsembleName;

/// What the migration moves the ensemble to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The official flavour on this image.
    Official(String),
    /// The image it runs: adopt only, restart nothing.
    KeepImage,
}

/// One step of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Step {
    /// Add kubectl-zk's labels to the running pods and their claims (nothing restarts).
    Label {
        /// Pods and claims labelled.
        objects: Vec<String>,
    },
    /// Server-side apply of the objects around the StatefulSet, in this order.
    Apply {
        /// `kind/name` of each.
        objects: Vec<String>,
    },
    /// Delete the seeds' StatefulSet leaving its pods and claims, create kubectl-zk's.
    ReplaceStatefulSet {
        /// Its name.
        name: String,
        /// The claims the new StatefulSet adopts.
        claims: Vec<String>,
        /// Its pod management policy.
        pod_management: String,
        /// The fields that cannot change in place and differ.
        fields: Vec<String>,
    },
    /// Apply kubectl-zk's StatefulSet over the existing one (its immutable fields agree).
    UpdateStatefulSet {
        /// Its name.
        name: String,
    },
    /// Roll every member onto the new template through the rollout engine.
    Roll {
        /// The image the members end on.
        image: String,
        /// The members, in the order the engine will likely take (followers, the leader last).
        members: Vec<String>,
    },
}

impl Step {
    /// The step in words.
    pub fn text(&self) -> String {
        match self {
            Step::Label { objects } => format!(
                "label {} with kubectl-zk's labels (nothing restarts)",
                objects.join(", ")
            ),
            Step::Apply { objects } => format!("apply {}", objects.join(", ")),
            Step::ReplaceStatefulSet {
                name,
                claims,
                pod_management,
                fields,
            } => format!(
                "replace StatefulSet {name} ({} cannot change in place): delete it leaving its pods and claims running, create kubectl-zk's (its selector, OnDelete, {pod_management}), which adopts the pods and the claims {}",
                fields.join(", "),
                claims.join(", ")
            ),
            Step::UpdateStatefulSet { name } => {
                format!(
                    "apply kubectl-zk's StatefulSet {name} over the existing one (OnDelete: nothing restarts yet)"
                )
            }
            Step::Roll { image, members } => format!(
                "roll {image} through the members one at a time ({}), each confirmed on its version and back in sync before the next",
                members.join(", ")
            ),
        }
    }
}

/// The plan: the spec the ensemble ends with and the steps still to do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// The image the ensemble runs now.
    pub from_image: String,
    /// The image it ends on.
    pub to_image: String,
    /// Only adopted (`--keep-image`).
    pub keep_image: bool,
    /// What remains to do, in order.
    pub steps: Vec<Step>,
    /// What the ensemble is made from afterwards.
    #[serde(skip)]
    pub spec: Option<EnsembleSpec>,
    /// On OpenShift, how the ServiceAccount gets `anyuid` ([`scc_grant`]), made with the apply step.
    #[serde(skip)]
    pub grant: Option<GrantPlan>,
}

/// The seeds' StatefulSet → the spec kubectl-zk renders for it: the same name, members, claim
/// template, resources, anti-affinity and ZooKeeper settings (from the `start-zookeeper`
/// flags); the official flavour with the data on the claim's sub path (see the module
/// documentation) or, with `--keep-image`, the seeds' own image and layout. Pure; the error
/// names what does not fit.
pub fn spec_from_seeds(
    found: &Ensemble,
    target: &Target,
    cluster_domain: &str,
) -> Result<EnsembleSpec, String> {
    let sts = &found.stateful_set;
    let spec = sts
        .spec
        .as_ref()
        .ok_or_else(|| format!("StatefulSet {} has no spec", found.name))?;
    let name = EnsembleName::parse_arg(&found.name)?;
    let container = spec
        .template
        .spec
        .as_ref()
        .and_then(|p| p.containers.iter().find(|c| c.name == found.container))
        .ok_or_else(|| {
            format!(
                "StatefulSet {} has no container {}",
                found.name, found.container
            )
        })?;
    let flags = StartFlags::from_container(
        &container.command.clone().unwrap_or_default(),
        &container.args.clone().unwrap_or_default(),
    )
    .ok_or_else(|| {
        format!(
            "container {} of StatefulSet {} does not run start-zookeeper, so it is not the seeds' manifest",
            found.container, found.name
        )
    })?;
    let service = spec.service_name.clone().unwrap_or_default();
    if service != name.headless_service() {
        return Err(format!(
            "StatefulSet {} names its members through Service {service}, not {}; the members' host names would change",
            found.name,
            name.headless_service()
        ));
    }
    let claim = spec
        .volume_claim_templates
        .as_ref()
        .and_then(|t| t.iter().find(|c| c.metadata.name.as_deref() == Some(DATA_VOLUME)))
        .ok_or_else(|| {
            format!(
                "StatefulSet {} has no claim template {DATA_VOLUME}, so its members' volumes cannot be kept",
                found.name
            )
        })?;
    let mount = container
        .volume_mounts
        .as_ref()
        .and_then(|m| m.iter().find(|m| m.name == DATA_VOLUME))
        .ok_or_else(|| format!("container {} does not mount {DATA_VOLUME}", found.container))?;
    let data_sub_path = seeds_sub_path(
        &mount.mount_path,
        mount.sub_path.as_deref(),
        flags.get("data_dir"),
        flags.get("data_log_dir"),
    )?;
    let replicas = found.replicas();
    if flags.get("servers") != replicas.to_string() {
        return Err(format!(
            "start-zookeeper says --servers={} but the StatefulSet has {replicas} replicas; make them agree first",
            flags.get("servers")
        ));
    }
    let requests = container
        .resources
        .as_ref()
        .and_then(|r| r.requests.clone())
        .unwrap_or_default();
    let request = |key: &str, default: &str| -> String {
        requests
            .get(key)
            .map(|q| q.0.clone())
            .unwrap_or_else(|| default.to_owned())
    };
    let storage = claim_storage(claim).unwrap_or_else(|| "10Gi".into());
    let (image, flavor, pod_management, data_sub_path) = match target {
        Target::Official(image) => (
            image.clone(),
            Flavor::Official,
            Flavor::Official.default_pod_management(),
            data_sub_path,
        ),
        Target::KeepImage => (
            found.image.clone(),
            Flavor::K8sTutorial,
            match spec.pod_management_policy.as_deref() {
                Some("Parallel") => PodManagement::Parallel,
                _ => PodManagement::OrderedReady,
            },
            None,
        ),
    };
    Ok(EnsembleSpec {
        name,
        namespace: found.namespace.clone(),
        replicas,
        image,
        flavor,
        storage_class: claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.clone()),
        storage_size: Quantity::parse_storage(&storage)?,
        heap: HeapSize::parse_arg(flags.get("heap"))?,
        cpu: Quantity::parse_cpu(&request("cpu", "500m"))?,
        memory: Quantity::parse_memory(&request("memory", "1Gi"))?,
        anti_affinity: anti_affinity(sts),
        pod_management,
        zookeeper: settings(&flags)?,
        cluster_domain: cluster_domain.to_owned(),
        scc: SccProfile::Anyuid,
        scc_grant: None,
        data_sub_path,
        metrics: None,
    })
}

/// The ZooKeeper settings the seeds' `start-zookeeper` flags give (its defaults where a flag is
/// missing; session timeouts 2 and 20 ticks when empty, as the script has them). Pure.
fn settings(flags: &StartFlags) -> Result<ZooKeeperSettings, String> {
    let number = |flag: &str| -> Result<u32, String> {
        flags.get(flag).parse::<u32>().map_err(|_| {
            format!(
                "start-zookeeper flag --{flag}={} is not a number",
                flags.get(flag)
            )
        })
    };
    let tick_time = number("tick_time")?;
    let session = |flag: &str, ticks: u32| -> Result<u32, String> {
        match flags.get(flag) {
            "" => Ok(tick_time * ticks),
            _ => number(flag),
        }
    };
    let log_level = match flags.get("log_level").to_ascii_uppercase().as_str() {
        "ERROR" => LogLevel::Error,
        "WARN" => LogLevel::Warn,
        "DEBUG" => LogLevel::Debug,
        "TRACE" => LogLevel::Trace,
        _ => LogLevel::Info,
    };
    Ok(ZooKeeperSettings {
        tick_time,
        init_limit: number("init_limit")?,
        sync_limit: number("sync_limit")?,
        max_client_cnxns: number("max_client_cnxns")?,
        snap_retain_count: number("snap_retain_count")?,
        purge_interval: number("purge_interval")?,
        min_session_timeout: session("min_session_timeout", 2)?,
        max_session_timeout: session("max_session_timeout", 20)?,
        log_level,
        // The flags already hold whatever `config set` changed; nothing to record on top.
        recorded: crate::zk::settings::Recorded::default(),
    })
}

/// Where the seeds' data is on the claim: `data_dir` relative to the mount (`data`), which must
/// hold the transaction log in `log/` as the official flavour expects (`dataLogDir=/data/log`).
/// Pure.
fn seeds_sub_path(
    mount_path: &str,
    mount_sub_path: Option<&str>,
    data_dir: &str,
    data_log_dir: &str,
) -> Result<Option<String>, String> {
    let mount = mount_path.trim_end_matches('/');
    let data_dir = data_dir.trim_end_matches('/');
    let relative = data_dir
        .strip_prefix(mount)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .map(|rest| rest.trim_start_matches('/'))
        .ok_or_else(|| {
            format!("--data_dir={data_dir} is not on the data volume mounted at {mount}")
        })?;
    if data_log_dir.trim_end_matches('/') != format!("{data_dir}/log") {
        return Err(format!(
            "--data_log_dir={data_log_dir} is not {data_dir}/log, where the official image keeps the transaction log; move it there first"
        ));
    }
    let base = mount_sub_path.unwrap_or("").trim_matches('/');
    let joined = [base, relative]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    Ok((!joined.is_empty()).then_some(joined))
}

/// The cluster domain the members' names end in, from a running member's zoo.cfg
/// (`server.1=zk-0.zk-hs.default.svc.cluster.local:2888:3888` → `cluster.local`). Pure.
pub fn cluster_domain(zoo_cfg: &str) -> Option<String> {
    zoo_cfg
        .lines()
        .filter_map(|l| l.trim().strip_prefix("server."))
        .filter_map(|l| l.split_once('=').map(|(_, v)| v))
        .filter_map(|v| v.split(':').next())
        .find_map(|host| host.split_once(".svc.").map(|(_, d)| d.to_owned()))
}

/// The storage a claim (template) requests.
fn claim_storage(claim: &PersistentVolumeClaim) -> Option<String> {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.clone())
}

/// The members' anti-affinity in the seeds' template.
fn anti_affinity(sts: &StatefulSet) -> AntiAffinity {
    let anti = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.affinity.as_ref())
        .and_then(|a| a.pod_anti_affinity.as_ref());
    match anti {
        Some(a)
            if a.required_during_scheduling_ignored_during_execution
                .as_ref()
                .is_some_and(|t| !t.is_empty()) =>
        {
            AntiAffinity::Required
        }
        Some(a)
            if a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
                .is_some_and(|t| !t.is_empty()) =>
        {
            AntiAffinity::Preferred
        }
        _ => AntiAffinity::None,
    }
}

/// The objects applied around the StatefulSet, as `kind/name`, in apply order.
fn object_names(spec: &EnsembleSpec, manifest: &Manifest) -> Vec<String> {
    use crate::cluster::apply::object_ref;
    let mut names = vec![object_ref(&manifest.service_account)];
    if let Some(config_map) = &manifest.config_map {
        names.push(format!(
            "secret/{}",
            crate::manifest::official::admin_secret_name(spec)
        ));
        names.push(object_ref(config_map));
    }
    names.push(object_ref(&manifest.headless_service));
    names.push(object_ref(&manifest.client_service));
    names.push(object_ref(&manifest.pdb));
    names
}

/// The steps still to do for the ensemble as found, and the members in the order a roll takes
/// them (`roll_order`: followers, the leader last). Pure.
///
/// - The seeds' StatefulSet (not managed by kubectl-zk): every step.
/// - kubectl-zk's (a migration replaced it already): only the roll, when the target is an
///   image and members still run the old template (`stale`), else nothing.
pub fn plan(
    found: &Ensemble,
    target: &Target,
    stale: &[String],
    roll_order: &[String],
    cluster_domain: &str,
) -> Result<Plan, String> {
    let to_image = match target {
        Target::Official(image) => image.clone(),
        Target::KeepImage => found.image.clone(),
    };
    let mut plan = Plan {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        from_image: found.image.clone(),
        to_image: to_image.clone(),
        keep_image: *target == Target::KeepImage,
        steps: Vec::new(),
        spec: None,
        grant: None,
    };
    let roll_members: Vec<String> = roll_order
        .iter()
        .filter(|m| stale.contains(m))
        .cloned()
        .collect();
    if found.managed() {
        match target {
            Target::KeepImage => return Ok(plan),
            Target::Official(image) if found.flavor == Some(Flavor::Official) => {
                if found.image != *image {
                    return Err(format!(
                        "it runs {} already; change its image with `kubectl zk upgrade --image {image}`",
                        found.image
                    ));
                }
                if !roll_members.is_empty() {
                    plan.steps.push(Step::Roll {
                        image: image.clone(),
                        members: roll_members,
                    });
                }
                return Ok(plan);
            }
            // kubectl-zk's own seeds' flavour (installed, or taken over with --keep-image).
            Target::Official(_) => {}
        }
    }
    if found.flavor != Some(Flavor::K8sTutorial) {
        return Err(format!(
            "StatefulSet {} runs {}, not the seeds' kubernetes-zookeeper image; install kubectl-zk's ensemble beside it instead",
            found.name, found.image
        ));
    }
    let spec = spec_from_seeds(found, target, cluster_domain)?;
    let manifest = Manifest::render(&spec);
    let pods = found.pod_names();
    let mut labelled = pods.clone();
    labelled.extend(pods.iter().map(|p| format!("{DATA_VOLUME}-{p}")));
    plan.steps.push(Step::Label { objects: labelled });
    plan.steps.push(Step::Apply {
        objects: object_names(&spec, &manifest),
    });
    let fields = immutable_differences(&found.stateful_set, &manifest.stateful_set);
    if fields.is_empty() {
        plan.steps.push(Step::UpdateStatefulSet {
            name: found.name.clone(),
        });
    } else {
        plan.steps.push(Step::ReplaceStatefulSet {
            name: found.name.clone(),
            claims: pods.iter().map(|p| format!("{DATA_VOLUME}-{p}")).collect(),
            pod_management: spec.pod_management.as_str().to_owned(),
            fields,
        });
    }
    if let Target::Official(image) = target {
        plan.steps.push(Step::Roll {
            image: image.clone(),
            members: roll_order.to_vec(),
        });
    }
    plan.spec = Some(spec);
    Ok(plan)
}

/// The StatefulSet fields the API server refuses to change in place that differ between the
/// existing StatefulSet and the rendered one. Pure.
fn immutable_differences(existing: &StatefulSet, rendered: &StatefulSet) -> Vec<String> {
    let (Some(old), Some(new)) = (existing.spec.as_ref(), rendered.spec.as_ref()) else {
        return vec!["spec".into()];
    };
    let mut fields = Vec::new();
    if old.selector != new.selector {
        fields.push("selector".to_owned());
    }
    let policy = |p: &Option<String>| p.clone().unwrap_or_else(|| "OrderedReady".into());
    if policy(&old.pod_management_policy) != policy(&new.pod_management_policy) {
        fields.push("podManagementPolicy".to_owned());
    }
    let claims = |t: &Option<Vec<PersistentVolumeClaim>>| -> Vec<(Option<String>, Option<String>)> {
        t.iter()
            .flatten()
            .map(|c| (c.metadata.name.clone(), claim_storage(c)))
            .collect()
    };
    if claims(&old.volume_claim_templates) != claims(&new.volume_claim_templates) {
        fields.push("volumeClaimTemplates".to_owned());
    }
    fields
}

/// How long the API server may take to remove the orphaned StatefulSet.
const GONE_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the cluster is asked again while waiting.
const POLL: Duration = Duration::from_millis(500);

/// Adds the spec's labels to each member's pod and claim (a merge patch: other labels stay).
pub async fn label_members(client: &Client, spec: &EnsembleSpec) -> anyhow::Result<()> {
    let labels = spec.labels();
    let patch = serde_json::json!({"metadata": {"labels": labels}});
    // Claims also say where the data is on them, so a new install over kept claims finds it.
    let claim_patch = match &spec.data_sub_path {
        Some(sub_path) => serde_json::json!({"metadata": {
            "labels": labels,
            "annotations": {crate::manifest::DATA_SUB_PATH_ANNOTATION: sub_path},
        }}),
        None => patch.clone(),
    };
    let params = PatchParams {
        field_manager: Some(MANAGER.into()),
        ..PatchParams::default()
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), &spec.namespace);
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &spec.namespace);
    for ordinal in 0..spec.replicas {
        let pod = spec.name.pod(ordinal);
        if pods.get_opt(&pod).await?.is_some() {
            pods.patch(&pod, &params, &Patch::Merge(&patch))
                .await
                .with_context(|| {
                    format!("cannot label pod {pod} in namespace {}", spec.namespace)
                })?;
        }
        let claim = format!("{DATA_VOLUME}-{pod}");
        if claims.get_opt(&claim).await?.is_some() {
            claims
                .patch(&claim, &params, &Patch::Merge(&claim_patch))
                .await
                .with_context(|| {
                    format!(
                        "cannot label PersistentVolumeClaim {claim} in namespace {}",
                        spec.namespace
                    )
                })?;
        }
    }
    Ok(())
}

/// Applies what the StatefulSet's pods need, in install's order: the ServiceAccount, the admin
/// Secret and ConfigMap (official), the Services (taken over from the seeds, now selecting by
/// kubectl-zk's labels and publishing not-ready addresses) and the PodDisruptionBudget
/// (policy/v1).
pub async fn apply_around(
    client: &Client,
    spec: &EnsembleSpec,
    grant: Option<GrantPlan>,
) -> anyhow::Result<Vec<Applied>> {
    let manifest = Manifest::render(spec);
    let mut applied = vec![apply(client, &manifest.service_account, false).await?];
    if let Some(plan) = grant {
        applied.push(openshift::grant_for_ensemble(client, spec, plan, false).await?);
    }
    if let Some(config_map) = &manifest.config_map {
        applied.push(crate::cluster::admin_secret::ensure(client, spec, false).await?);
        applied.push(apply(client, config_map, false).await?);
    }
    applied.push(apply(client, &manifest.headless_service, false).await?);
    applied.push(apply(client, &manifest.client_service, false).await?);
    applied.push(apply(client, &manifest.pdb, false).await?);
    Ok(applied)
}

/// On OpenShift: how the ensemble's ServiceAccount gets the `anyuid` SCC its pods need (user
/// 1000, as the seeds' pods run), as `install` plans it; `None` elsewhere.
pub async fn scc_grant(
    client: &Client,
    spec: &mut EnsembleSpec,
) -> anyhow::Result<Option<GrantPlan>> {
    if !openshift::detect(client).await? {
        return Ok(None);
    }
    openshift::plan_for_ensemble(client, spec).await
}

/// Applies kubectl-zk's StatefulSet over the existing one whose immutable fields agree.
pub async fn update_stateful_set(client: &Client, spec: &EnsembleSpec) -> anyhow::Result<Applied> {
    apply(client, &Manifest::render(spec).stateful_set, false).await
}

/// ServiceAccount annotation holding the StatefulSet a migration is about to create, so a
/// migration interrupted between deleting the seeds' StatefulSet and creating kubectl-zk's
/// can create it when run again ([`pending_stateful_set`]).
pub const PENDING_ANNOTATION: &str = "kubectl-zk.io/migrating-statefulset";

/// The StatefulSet an interrupted migration left to create in `namespace` (for ensemble `name`
/// when given): recorded on the ensemble's ServiceAccount while its StatefulSet is replaced.
pub async fn pending_stateful_set(
    client: &Client,
    namespace: &str,
    name: Option<&EnsembleName>,
) -> anyhow::Result<Option<StatefulSet>> {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let listed = accounts
        .list(&ListParams::default().labels(&format!("app.kubernetes.io/managed-by={MANAGER}")))
        .await
        .with_context(|| format!("cannot list ServiceAccounts in namespace {namespace}"))?;
    let mut pending: Vec<StatefulSet> = listed
        .items
        .iter()
        .filter(|a| name.is_none_or(|n| a.metadata.name.as_deref() == Some(n.as_str())))
        .filter_map(|a| a.metadata.annotations.as_ref()?.get(PENDING_ANNOTATION))
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect();
    Ok(if pending.len() == 1 {
        pending.pop()
    } else {
        None
    })
}

/// Creates the StatefulSet an interrupted migration left to create, and forgets it.
pub async fn create_pending(client: &Client, sts: &StatefulSet) -> anyhow::Result<()> {
    let namespace = sts.metadata.namespace.clone().unwrap_or_default();
    let name = sts.metadata.name.clone().unwrap_or_default();
    apply(client, sts, false).await?;
    set_pending(client, &namespace, &name, None).await
}

/// Records (or, with `None`, forgets) the StatefulSet about to be created on the ServiceAccount.
async fn set_pending(
    client: &Client,
    namespace: &str,
    account: &str,
    sts: Option<&StatefulSet>,
) -> anyhow::Result<()> {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let value = match sts {
        Some(sts) => serde_json::Value::String(serde_json::to_string(sts)?),
        None => serde_json::Value::Null,
    };
    let patch = serde_json::json!({"metadata": {"annotations": {PENDING_ANNOTATION: value}}});
    accounts
        .patch(account, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| {
            format!("cannot annotate ServiceAccount {account} in namespace {namespace}")
        })?;
    Ok(())
}

/// Deletes the seeds' StatefulSet (this one, by UID) leaving its pods and claims, waits until
/// it is gone, and creates kubectl-zk's under the same name: it adopts the running pods (they
/// carry its selector labels) and their claims. No pod is deleted. The new StatefulSet is
/// recorded on the ServiceAccount meanwhile, so an interruption in between is resumed.
pub async fn replace_stateful_set(
    client: &Client,
    spec: &EnsembleSpec,
    old: &StatefulSet,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<Applied> {
    let ns = &spec.namespace;
    let name = spec.name.as_str();
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let manifest = Manifest::render(spec);
    set_pending(client, ns, name, Some(&manifest.stateful_set)).await?;
    let params = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Orphan),
        preconditions: Some(Preconditions {
            uid: old.metadata.uid.clone(),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    sets.delete(name, &params).await.with_context(|| {
        format!("cannot delete StatefulSet {name} in namespace {ns} (orphaning its pods)")
    })?;
    progress(&format!(
        "deleted StatefulSet {name} (its pods and claims stay)"
    ));
    let deadline = Instant::now() + GONE_TIMEOUT;
    while let Some(sts) = sets.get_opt(name).await? {
        if sts.metadata.uid != old.metadata.uid {
            break;
        }
        if Instant::now() >= deadline {
            bail!(
                "StatefulSet {name} in namespace {ns} is still being deleted after {}s (its pods and claims are untouched); run the same command again",
                GONE_TIMEOUT.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
    let applied = apply(client, &manifest.stateful_set, false).await?;
    set_pending(client, ns, name, None).await?;
    progress(&format!(
        "created kubectl-zk's StatefulSet {name}; it adopts the running pods"
    ));
    wait_adopted(client, spec).await?;
    Ok(applied)
}

/// Waits until the StatefulSet controller owns every member's pod.
async fn wait_adopted(client: &Client, spec: &EnsembleSpec) -> anyhow::Result<()> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &spec.namespace);
    let deadline = Instant::now() + GONE_TIMEOUT;
    loop {
        let mut orphans = Vec::new();
        for ordinal in 0..spec.replicas {
            let name = spec.name.pod(ordinal);
            let owned = pods.get_opt(&name).await?.is_none_or(|p| {
                p.metadata
                    .owner_references
                    .unwrap_or_default()
                    .iter()
                    .any(|o| o.kind == "StatefulSet" && o.name == spec.name.as_str())
            });
            if !owned {
                orphans.push(name);
            }
        }
        if orphans.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(anyhow!(
                "the StatefulSet controller has not adopted {} after {}s; check `kubectl get pods -l app={}`",
                orphans.join(", "),
                GONE_TIMEOUT.as_secs(),
                spec.name
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds() -> Ensemble {
        let text = include_str!("../../tests/fixtures/seeds/zookeeper-pdb-v1.yaml");
        let sts = text
            .split("\n---\n")
            .filter_map(|doc| serde_saphyr::from_str::<serde_json::Value>(doc).ok())
            .find(|d| d["kind"] == "StatefulSet")
            .expect("sts in seed");
        let mut sts: StatefulSet = serde_json::from_value(sts).expect("typed");
        sts.metadata.namespace = Some("default".into());
        Ensemble::from_stateful_set(sts).expect("recognised")
    }

    fn official() -> Target {
        Target::Official(crate::manifest::options::OFFICIAL_IMAGE.into())
    }

    fn members() -> Vec<String> {
        vec!["zk-0".into(), "zk-2".into(), "zk-1".into()]
    }

    #[test]
    fn the_seeds_become_the_official_flavour_with_their_settings_and_data_where_it_is() {
        let spec = spec_from_seeds(&seeds(), &official(), "cluster.local").expect("fits");
        assert_eq!(spec.flavor, Flavor::Official);
        assert_eq!(spec.replicas, 3);
        assert_eq!(spec.data_sub_path.as_deref(), Some("data"));
        assert_eq!(spec.zookeeper.init_limit, 10);
        assert_eq!(spec.zookeeper.sync_limit, 5);
        assert_eq!(spec.zookeeper.purge_interval, 12);
        assert_eq!(spec.zookeeper.max_session_timeout, 40000);
        assert_eq!(spec.heap.to_string(), "512M");
        assert_eq!(spec.cpu.as_str(), "0.5");
        assert_eq!(spec.anti_affinity, AntiAffinity::Required);
        let manifest = Manifest::render(&spec);
        let zoo_cfg = manifest
            .config_map
            .as_ref()
            .and_then(|c| c.data.as_ref())
            .and_then(|d| d.get("zoo.cfg"))
            .cloned()
            .unwrap_or_default();
        assert!(
            zoo_cfg.contains("autopurge.purgeInterval=12\n"),
            "{zoo_cfg}"
        );
        assert!(!zoo_cfg.contains("purgeInteval"), "{zoo_cfg}");
        assert!(zoo_cfg.contains("snapshot.trust.empty=true\n"), "{zoo_cfg}");
        let sts = manifest.stateful_set;
        let sts_spec = sts.spec.expect("spec");
        assert_eq!(
            sts_spec.update_strategy.and_then(|u| u.type_).as_deref(),
            Some("OnDelete")
        );
        let claims: Vec<_> = sts_spec
            .volume_claim_templates
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.metadata.name)
            .collect();
        assert_eq!(claims, ["datadir"]);
        let mount = sts_spec
            .template
            .spec
            .and_then(|p| p.containers.into_iter().next())
            .and_then(|c| c.volume_mounts)
            .and_then(|m| m.into_iter().find(|m| m.name == "datadir"))
            .expect("data mount");
        assert_eq!(
            (mount.mount_path.as_str(), mount.sub_path.as_deref()),
            ("/data", Some("data"))
        );
        assert_eq!(
            sts.metadata
                .annotations
                .unwrap_or_default()
                .get(crate::manifest::DATA_SUB_PATH_ANNOTATION)
                .map(String::as_str),
            Some("data")
        );
    }

    #[test]
    fn keep_image_renders_the_seeds_image_and_layout() {
        let found = seeds();
        let spec = spec_from_seeds(&found, &Target::KeepImage, "cluster.local").expect("fits");
        assert_eq!(spec.flavor, Flavor::K8sTutorial);
        assert_eq!(spec.image, found.image);
        assert_eq!(spec.data_sub_path, None);
        assert_eq!(spec.pod_management, PodManagement::OrderedReady);
        let plan =
            plan(&found, &Target::KeepImage, &[], &members(), "cluster.local").expect("plan");
        assert!(
            !plan.steps.iter().any(|s| matches!(s, Step::Roll { .. })),
            "{plan:?}"
        );
        assert_eq!(plan.steps.len(), 3);
    }

    #[test]
    fn the_plan_labels_applies_replaces_then_rolls_the_leader_last() {
        let found = seeds();
        let stale = members();
        let plan = plan(&found, &official(), &stale, &members(), "cluster.local").expect("plan");
        let texts: Vec<String> = plan.steps.iter().map(Step::text).collect();
        assert!(
            texts[0].contains("zk-0, zk-1, zk-2, datadir-zk-0"),
            "{texts:?}"
        );
        assert_eq!(
            plan.steps[1],
            Step::Apply {
                objects: vec![
                    "serviceaccount/zk".into(),
                    "secret/zk-admin".into(),
                    "configmap/zk-config".into(),
                    "service/zk-hs".into(),
                    "service/zk-cs".into(),
                    "poddisruptionbudget.policy/zk-pdb".into(),
                ]
            }
        );
        match &plan.steps[2] {
            Step::ReplaceStatefulSet { fields, claims, .. } => {
                assert_eq!(fields, &["selector", "podManagementPolicy"]);
                assert_eq!(claims, &["datadir-zk-0", "datadir-zk-1", "datadir-zk-2"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            plan.steps[3],
            Step::Roll {
                image: crate::manifest::options::OFFICIAL_IMAGE.into(),
                members: members()
            }
        );
    }

    #[test]
    fn a_taken_over_ensemble_only_rolls_what_is_left() {
        let spec = spec_from_seeds(&seeds(), &official(), "cluster.local").expect("fits");
        let adopted =
            Ensemble::from_stateful_set(Manifest::render(&spec).stateful_set).expect("ensemble");
        let left = plan(
            &adopted,
            &official(),
            &["zk-1".into()],
            &members(),
            "cluster.local",
        )
        .expect("plan");
        assert_eq!(
            left.steps,
            [Step::Roll {
                image: crate::manifest::options::OFFICIAL_IMAGE.into(),
                members: vec!["zk-1".into()]
            }]
        );
        let done = plan(&adopted, &official(), &[], &members(), "cluster.local").expect("plan");
        assert!(done.steps.is_empty());
        let why = plan(
            &adopted,
            &Target::Official("zookeeper:3.9.5".into()),
            &[],
            &members(),
            "cluster.local",
        )
        .expect_err("another image is an upgrade");
        assert!(why.contains("kubectl zk upgrade"), "{why}");
    }

    #[test]
    fn kubectl_zks_own_seeds_flavour_moves_too_replaced_only_when_it_must_be() {
        let kept = spec_from_seeds(&seeds(), &Target::KeepImage, "cluster.local").expect("fits");
        let adopted =
            Ensemble::from_stateful_set(Manifest::render(&kept).stateful_set).expect("ensemble");
        assert!(adopted.managed());
        assert!(
            plan(
                &adopted,
                &Target::KeepImage,
                &[],
                &members(),
                "cluster.local"
            )
            .expect("plan")
            .steps
            .is_empty()
        );
        let moved = plan(&adopted, &official(), &[], &members(), "cluster.local").expect("plan");
        match &moved.steps[2] {
            Step::ReplaceStatefulSet { fields, .. } => {
                assert_eq!(fields, &["podManagementPolicy"]);
            }
            other => panic!("{other:?}"),
        }
        let mut parallel = kept.clone();
        parallel.pod_management = PodManagement::Parallel;
        let adopted = Ensemble::from_stateful_set(Manifest::render(&parallel).stateful_set)
            .expect("ensemble");
        let moved = plan(&adopted, &official(), &[], &members(), "cluster.local").expect("plan");
        assert_eq!(
            moved.steps[2],
            Step::UpdateStatefulSet { name: "zk".into() }
        );
        assert!(matches!(moved.steps[3], Step::Roll { .. }));
    }

    #[test]
    fn the_cluster_domain_comes_from_the_members_server_lines() {
        let cfg = "clientPort=2181\nserver.1=zk-0.zk-hs.default.svc.example.org:2888:3888\n";
        assert_eq!(cluster_domain(cfg).as_deref(), Some("example.org"));
        assert_eq!(cluster_domain("tickTime=2000\n"), None);
    }

    #[test]
    fn the_data_must_sit_on_the_volume_with_its_log_beside_it() {
        assert_eq!(
            seeds_sub_path(
                "/var/lib/zookeeper",
                None,
                "/var/lib/zookeeper/data",
                "/var/lib/zookeeper/data/log"
            ),
            Ok(Some("data".into()))
        );
        assert_eq!(
            seeds_sub_path("/data", None, "/data", "/data/log"),
            Ok(None)
        );
        let why = seeds_sub_path("/var/lib/zookeeper", None, "/opt/data", "/opt/data/log")
            .expect_err("off the volume");
        assert!(why.contains("not on the data volume"), "{why}");
        let why = seeds_sub_path(
            "/var/lib/zookeeper",
            None,
            "/var/lib/zookeeper/data",
            "/var/lib/zookeeper/txlog",
        )
        .expect_err("log elsewhere");
        assert!(why.contains("move it there first"), "{why}");
    }
}
