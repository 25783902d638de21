//! Volumes: dynamic provisioning of a PersistentVolume (a directory on disk) for each claim of an
//! existing StorageClass, binding, PVC protection, and reclaiming released volumes.

use super::Controllers;
use crate::api::resources::keys;
use crate::util;
use serde_json::{Value, json};

/// Where the data of a PersistentVolume lives on the host.
pub fn pv_dir(c: &Controllers, pv_name: &str) -> std::path::PathBuf {
    c.volumes_dir.join(pv_name)
}

fn pvc_in_use(c: &Controllers, ns: &str, claim: &str) -> bool {
    c.ctx.store.list(keys::PODS, Some(ns)).0.iter().any(|p| {
        let phase = util::s(p, &["status", "phase"]);
        phase != "Succeeded"
            && phase != "Failed"
            && util::arr(p, &["spec", "volumes"])
                .iter()
                .any(|v| util::s(v, &["persistentVolumeClaim", "claimName"]) == claim)
    })
}

pub fn reconcile(c: &Controllers) {
    let classes = c.ctx.store.items(keys::STORAGECLASSES);
    for pvc in c.ctx.store.items(keys::PVCS) {
        let ns = util::namespace(&pvc).to_string();
        let name = util::name(&pvc).to_string();
        if pvc.pointer("/metadata/deletionTimestamp").is_some() {
            if !pvc_in_use(c, &ns, &name) {
                c.mutate(keys::PVCS, &ns, &name, |o| {
                    if let Some(f) = o
                        .pointer_mut("/metadata/finalizers")
                        .and_then(Value::as_array_mut)
                    {
                        f.retain(|x| x != "kubernetes.io/pvc-protection");
                    }
                });
            }
            continue;
        }
        if util::s(&pvc, &["status", "phase"]) == "Bound" {
            continue;
        }
        let class_name = util::s(&pvc, &["spec", "storageClassName"]).to_string();
        if class_name.is_empty() {
            continue;
        }
        let Some(class) = classes.iter().find(|sc| util::name(sc) == class_name) else {
            c.event_once(
                &format!("nosc/{}", util::uid(&pvc)),
                &pvc,
                "Warning",
                "ProvisioningFailed",
                &format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
                "persistentvolume-controller",
            );
            continue;
        };
        let pv_name = format!("pvc-{}", util::uid(&pvc));
        let dir = pv_dir(c, &pv_name);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            tracing::warn!("creating volume directory {}: {e}", dir.display());
            continue;
        }
        let storage = pvc
            .pointer("/spec/resources/requests/storage")
            .cloned()
            .unwrap_or(json!("1Gi"));
        let modes = pvc
            .pointer("/spec/accessModes")
            .cloned()
            .unwrap_or(json!(["ReadWriteOnce"]));
        if c.ctx.store.get(keys::PVS, "", &pv_name).is_none() {
            let pv = json!({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": util::s(class, &["provisioner"])},
                             "finalizers": ["kubernetes.io/pv-protection"]},
                "spec": {
                    "capacity": {"storage": storage}, "accessModes": modes,
                    "persistentVolumeReclaimPolicy": util::s(class, &["reclaimPolicy"]),
                    "storageClassName": class_name, "volumeMode": util::s(&pvc, &["spec", "volumeMode"]),
                    "hostPath": {"path": dir.to_string_lossy(), "type": "DirectoryOrCreate"},
                    "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": name, "uid": util::uid(&pvc), "apiVersion": "v1",
                                 "resourceVersion": util::s(&pvc, &["metadata", "resourceVersion"])},
                },
            });
            if c.create(keys::PVS, pv).is_none() {
                continue;
            }
            c.mutate(keys::PVS, "", &pv_name, |o| {
                util::set(o, &["status", "phase"], json!("Bound"))
            });
            c.event(
                &pvc,
                "Normal",
                "ProvisioningSucceeded",
                &format!("Successfully provisioned volume {pv_name}"),
                util::s(class, &["provisioner"]),
            );
        }
        c.mutate(keys::PVCS, &ns, &name, |o| {
            util::set(o, &["spec", "volumeName"], json!(pv_name));
            let a = util::obj_mut(o, &["metadata", "annotations"]);
            a.insert("pv.kubernetes.io/bind-completed".into(), json!("yes"));
            a.insert("pv.kubernetes.io/bound-by-controller".into(), json!("yes"));
            a.insert(
                "volume.beta.kubernetes.io/storage-provisioner".into(),
                json!(util::s(class, &["provisioner"])),
            );
            a.insert(
                "volume.kubernetes.io/storage-provisioner".into(),
                json!(util::s(class, &["provisioner"])),
            );
            util::set(o, &["status", "phase"], json!("Bound"));
            util::set(o, &["status", "accessModes"], modes.clone());
            util::set(o, &["status", "capacity"], json!({"storage": storage}));
        });
    }
    // released volumes
    for pv in c.ctx.store.items(keys::PVS) {
        let Some(claim) = pv.pointer("/spec/claimRef") else {
            continue;
        };
        let pv_name = util::name(&pv).to_string();
        let still = c
            .ctx
            .store
            .get(
                keys::PVCS,
                util::s(claim, &["namespace"]),
                util::s(claim, &["name"]),
            )
            .is_some_and(|p| util::uid(&p) == util::s(claim, &["uid"]));
        if pv.pointer("/metadata/deletionTimestamp").is_some() {
            if !still {
                c.mutate(keys::PVS, "", &pv_name, |o| {
                    if let Some(f) = o
                        .pointer_mut("/metadata/finalizers")
                        .and_then(Value::as_array_mut)
                    {
                        f.retain(|x| x != "kubernetes.io/pv-protection");
                    }
                });
            }
            continue;
        }
        if still {
            continue;
        }
        match util::s(&pv, &["spec", "persistentVolumeReclaimPolicy"]) {
            "Delete" => {
                let _ = std::fs::remove_dir_all(pv_dir(c, &pv_name));
                c.delete(keys::PVS, "", &pv_name, json!({}));
            }
            _ => {
                c.mutate(keys::PVS, "", &pv_name, |o| {
                    util::set(o, &["status", "phase"], json!("Released"))
                });
            }
        }
    }
}
