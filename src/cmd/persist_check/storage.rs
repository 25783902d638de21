//! Where each member keeps its data, from Kubernetes: the volume mounted over ZooKeeper's
//! data directory, the claim behind it, its phase, PV and reclaim policy; and claims left
//! over from earlier scale-downs. Gathering is three list requests made at once; the rest is
//! pure.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, VolumeMount,
};
use kube::Client;
use kube::api::{Api, ListParams};

use super::model::{LeftoverClaim, MemberStorage, VolumeKind};
use crate::cluster::ensemble::Ensemble;

/// Storage of every member, and leftover claims.
#[derive(Debug, Clone)]
pub struct StorageFacts {
    /// One entry per member, by ordinal.
    pub members: Vec<MemberStorage>,
    /// Claims for ordinals the StatefulSet does not run.
    pub leftovers: Vec<LeftoverClaim>,
}

/// Reads pods, claims and volumes, and describes every member's data directory.
pub async fn gather(
    client: &Client,
    ensemble: &Ensemble,
    data_dir: &str,
) -> anyhow::Result<StorageFacts> {
    let ns = &ensemble.namespace;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let members = ListParams::default().labels(&ensemble.pod_selector());
    let everything = ListParams::default();
    let (pods, claims, volumes) = futures::join!(
        pods.list(&members),
        claims.list(&everything),
        volumes.list(&everything)
    );
    let pods = pods
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot list pods in namespace {ns}")))?
        .items;
    let claims = claims
        .map_err(|e| {
            anyhow::anyhow!(e).context(format!(
                "cannot list PersistentVolumeClaims in namespace {ns}"
            ))
        })?
        .items;
    let (volumes, volume_error) = match volumes {
        Ok(list) => (Some(list.items), None),
        Err(err) => (
            None,
            Some(format!(
                "cannot read PersistentVolumes ({}); the reclaim policy is unknown",
                crate::cluster::error::kube_line(&err)
            )),
        ),
    };
    let template = ensemble
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.clone())
        .unwrap_or_default();
    let claim_templates = ensemble.claim_templates();
    let members = (0..ensemble.replicas())
        .map(|ordinal| {
            let name = format!("{}-{ordinal}", ensemble.name);
            let pod_spec = pods
                .iter()
                .find(|p| p.metadata.name.as_deref() == Some(name.as_str()))
                .and_then(|p| p.spec.as_ref());
            let mut storage = member_storage(
                &name,
                pod_spec.unwrap_or(&template),
                &ensemble.container,
                data_dir,
                &claim_templates,
                &claims,
                volumes.as_deref(),
            );
            if storage.note.is_none() && storage.kind == VolumeKind::PersistentVolumeClaim {
                storage.note = volume_error.clone();
            }
            storage
        })
        .collect();
    Ok(StorageFacts {
        members,
        leftovers: leftover_claims(
            &claim_templates,
            &ensemble.name,
            ensemble.replicas(),
            &claims,
        ),
    })
}

/// The mount that holds `dir`: the one whose path is `dir` or its nearest ancestor. Pure.
pub fn covering_mount<'a>(mounts: &'a [VolumeMount], dir: &str) -> Option<&'a VolumeMount> {
    let dir = dir.trim_end_matches('/');
    mounts
        .iter()
        .filter(|m| {
            let path = m.mount_path.trim_end_matches('/');
            dir == path || path.is_empty() || dir.starts_with(&format!("{path}/"))
        })
        .max_by_key(|m| m.mount_path.trim_end_matches('/').len())
}

/// Describes one member's data directory from its pod spec (or the StatefulSet's template
/// when the pod does not exist: claim templates then name the claim `<template>-<pod>`). Pure.
pub fn member_storage(
    pod: &str,
    spec: &PodSpec,
    container: &str,
    data_dir: &str,
    claim_templates: &[String],
    claims: &[PersistentVolumeClaim],
    volumes: Option<&[PersistentVolume]>,
) -> MemberStorage {
    let mut storage = MemberStorage {
        pod: pod.to_owned(),
        data_dir: data_dir.to_owned(),
        mount_path: None,
        volume: None,
        kind: VolumeKind::None,
        claim: None,
        claim_uid: None,
        phase: None,
        persistent_volume: None,
        reclaim_policy: None,
        storage_class: None,
        note: None,
    };
    let mounts = spec
        .containers
        .iter()
        .find(|c| c.name == container)
        .and_then(|c| c.volume_mounts.as_deref())
        .unwrap_or_default();
    let Some(mount) = covering_mount(mounts, data_dir) else {
        return storage;
    };
    storage.mount_path = Some(mount.mount_path.clone());
    storage.volume = Some(mount.name.clone());
    let volume = spec.volumes.iter().flatten().find(|v| v.name == mount.name);
    let claim_name = match volume {
        Some(v) if v.persistent_volume_claim.is_some() => v
            .persistent_volume_claim
            .as_ref()
            .map(|c| c.claim_name.clone()),
        Some(v) => {
            storage.kind = if v.empty_dir.is_some() {
                VolumeKind::EmptyDir
            } else if v.host_path.is_some() {
                VolumeKind::HostPath
            } else {
                VolumeKind::Other
            };
            return storage;
        }
        None if claim_templates.contains(&mount.name) => Some(format!("{}-{pod}", mount.name)),
        None => {
            storage.kind = VolumeKind::Other;
            return storage;
        }
    };
    storage.kind = VolumeKind::PersistentVolumeClaim;
    storage.claim = claim_name.clone();
    let Some(claim) = claims
        .iter()
        .find(|c| c.metadata.name.is_some() && c.metadata.name == claim_name)
    else {
        return storage;
    };
    storage.claim_uid = claim.metadata.uid.clone();
    storage.phase = Some(
        claim
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Pending".into()),
    );
    let claim_spec = claim.spec.as_ref();
    storage.storage_class = claim_spec.and_then(|s| s.storage_class_name.clone());
    storage.persistent_volume = claim_spec.and_then(|s| s.volume_name.clone());
    if let (Some(volumes), Some(pv_name)) = (volumes, storage.persistent_volume.as_deref()) {
        match volumes
            .iter()
            .find(|v| v.metadata.name.as_deref() == Some(pv_name))
        {
            Some(pv) => {
                storage.reclaim_policy = pv
                    .spec
                    .as_ref()
                    .and_then(|s| s.persistent_volume_reclaim_policy.clone());
            }
            None => storage.note = Some(format!("PV {pv_name} does not exist")),
        }
    }
    storage
}

/// Claims named `<template>-<set>-<ordinal>` for ordinals at or above `replicas`: what a
/// scale-down left behind (the StatefulSet keeps them for a later scale-up). Pure.
pub fn leftover_claims(
    claim_templates: &[String],
    set: &str,
    replicas: u32,
    claims: &[PersistentVolumeClaim],
) -> Vec<LeftoverClaim> {
    let mut out: Vec<LeftoverClaim> = claims
        .iter()
        .filter_map(|claim| {
            let name = claim.metadata.name.as_deref()?;
            let ordinal = claim_templates.iter().find_map(|t| {
                name.strip_prefix(&format!("{t}-{set}-"))?
                    .parse::<u32>()
                    .ok()
            })?;
            (ordinal >= replicas).then(|| LeftoverClaim {
                claim: name.to_owned(),
                ordinal,
                phase: claim.status.as_ref().and_then(|s| s.phase.clone()),
            })
        })
        .collect();
    out.sort_by_key(|c| c.ordinal);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_spec(json: serde_json::Value) -> PodSpec {
        serde_json::from_value(json).expect("pod spec")
    }

    fn claim(name: &str, uid: &str, phase: &str, pv: &str) -> PersistentVolumeClaim {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "uid": uid},
            "spec": {"volumeName": pv, "storageClassName": "standard"},
            "status": {"phase": phase}
        }))
        .expect("claim")
    }

    fn volume(name: &str, policy: &str) -> PersistentVolume {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {"persistentVolumeReclaimPolicy": policy}
        }))
        .expect("pv")
    }

    #[test]
    fn the_deepest_mount_over_the_data_dir_wins() {
        let mounts: Vec<VolumeMount> = serde_json::from_value(serde_json::json!([
            {"name": "root", "mountPath": "/var"},
            {"name": "datadir", "mountPath": "/var/lib/zookeeper"},
            {"name": "other", "mountPath": "/var/lib/zookeeper-other"}
        ]))
        .expect("mounts");
        let found = covering_mount(&mounts, "/var/lib/zookeeper/data").expect("a mount");
        assert_eq!(found.name, "datadir");
        assert!(covering_mount(&mounts[2..], "/var/lib/zookeeper/data").is_none());
    }

    #[test]
    fn a_pods_claim_is_followed_to_its_volume() {
        // As the StatefulSet controller writes a member pod.
        let spec = pod_spec(serde_json::json!({
            "containers": [{"name": "zookeeper", "volumeMounts": [
                {"name": "datadir", "mountPath": "/data"},
                {"name": "config", "mountPath": "/conf"}]}],
            "volumes": [
                {"name": "datadir", "persistentVolumeClaim": {"claimName": "datadir-zk-0"}},
                {"name": "config", "configMap": {"name": "zk-config"}}]
        }));
        let claims = [claim("datadir-zk-0", "u0", "Bound", "pvc-u0")];
        let volumes = [volume("pvc-u0", "Delete")];
        let storage = member_storage(
            "zk-0",
            &spec,
            "zookeeper",
            "/data",
            &["datadir".into()],
            &claims,
            Some(&volumes),
        );
        assert_eq!(storage.kind, VolumeKind::PersistentVolumeClaim);
        assert_eq!(storage.claim.as_deref(), Some("datadir-zk-0"));
        assert_eq!(storage.claim_uid.as_deref(), Some("u0"));
        assert_eq!(storage.phase.as_deref(), Some("Bound"));
        assert_eq!(storage.persistent_volume.as_deref(), Some("pvc-u0"));
        assert_eq!(storage.reclaim_policy.as_deref(), Some("Delete"));
    }

    #[test]
    fn without_a_pod_the_claim_template_names_the_claim() {
        let template = pod_spec(serde_json::json!({
            "containers": [{"name": "kubernetes-zookeeper", "volumeMounts": [
                {"name": "datadir", "mountPath": "/var/lib/zookeeper"}]}]
        }));
        let storage = member_storage(
            "zk-2",
            &template,
            "kubernetes-zookeeper",
            "/var/lib/zookeeper/data",
            &["datadir".into()],
            &[claim("datadir-zk-2", "u2", "Bound", "pvc-u2")],
            None,
        );
        assert_eq!(storage.claim.as_deref(), Some("datadir-zk-2"));
        assert_eq!(storage.mount_path.as_deref(), Some("/var/lib/zookeeper"));
        assert_eq!(storage.reclaim_policy, None);
    }

    #[test]
    fn empty_dirs_and_missing_mounts_are_named() {
        let spec = pod_spec(serde_json::json!({
            "containers": [{"name": "zk", "volumeMounts": [{"name": "scratch", "mountPath": "/data"}]}],
            "volumes": [{"name": "scratch", "emptyDir": {}}]
        }));
        let storage = member_storage("zk-0", &spec, "zk", "/data", &[], &[], None);
        assert_eq!(storage.kind, VolumeKind::EmptyDir);
        let bare = pod_spec(serde_json::json!({"containers": [{"name": "zk"}]}));
        let storage = member_storage("zk-0", &bare, "zk", "/data", &[], &[], None);
        assert_eq!(storage.kind, VolumeKind::None);
        assert_eq!(storage.mount_path, None);
    }

    #[test]
    fn claims_above_the_replicas_are_leftovers() {
        let claims = [
            claim("datadir-zk-0", "a", "Bound", "p0"),
            claim("datadir-zk-4", "e", "Bound", "p4"),
            claim("datadir-zk-3", "d", "Bound", "p3"),
            claim("datadir-zkother-7", "x", "Bound", "p7"),
            claim("unrelated", "y", "Bound", "py"),
        ];
        let leftovers = leftover_claims(&["datadir".into()], "zk", 3, &claims);
        let names: Vec<&str> = leftovers.iter().map(|c| c.claim.as_str()).collect();
        assert_eq!(names, ["datadir-zk-3", "datadir-zk-4"]);
        assert_eq!(leftovers[0].ordinal, 3);
    }
}
