//! A short-lived pod that mounts one member's data claim where the member mounts it, with
//! the member's image, user and security context, so files written through exec into it
//! belong to the member's user and sit at the paths the member's zoo.cfg names. Pure.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    Container, PersistentVolumeClaimVolumeSource, Pod, PodSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The label every such pod carries (its value: the StatefulSet).
pub const VOLUME_POD_LABEL: &str = "kubectl-zk.io/volume-of";

/// The pod for member `ordinal`'s claim from template `claim_template`, named `name`; `None`
/// when the StatefulSet's container does not mount that claim.
pub fn volume_pod(
    sts: &StatefulSet,
    container: &str,
    claim_template: &str,
    ordinal: u32,
    name: &str,
) -> Option<Pod> {
    let sts_name = sts.metadata.name.as_deref()?;
    let template = sts.spec.as_ref()?.template.spec.as_ref()?;
    let member = template.containers.iter().find(|c| c.name == container)?;
    let mounts: Vec<VolumeMount> = member
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| m.name == claim_template)
        .cloned()
        .collect();
    if mounts.is_empty() {
        return None;
    }
    let labels = BTreeMap::from([
        (
            "app.kubernetes.io/managed-by".to_owned(),
            crate::manifest::MANAGER.to_owned(),
        ),
        (VOLUME_POD_LABEL.to_owned(), sts_name.to_owned()),
    ]);
    Some(Pod {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: sts.metadata.namespace.clone(),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: container.to_owned(),
                image: member.image.clone(),
                image_pull_policy: member.image_pull_policy.clone(),
                command: Some(vec!["sleep".into(), "3600".into()]),
                security_context: member.security_context.clone(),
                volume_mounts: Some(mounts),
                ..Container::default()
            }],
            volumes: Some(vec![Volume {
                name: claim_template.to_owned(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: format!("{claim_template}-{sts_name}-{ordinal}"),
                    read_only: None,
                }),
                ..Volume::default()
            }]),
            restart_policy: Some("Never".into()),
            termination_grace_period_seconds: Some(1),
            security_context: template.security_context.clone(),
            service_account_name: template.service_account_name.clone(),
            image_pull_secrets: template.image_pull_secrets.clone(),
            node_selector: template.node_selector.clone(),
            tolerations: template.tolerations.clone(),
            ..PodSpec::default()
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_the_claim_where_the_member_does_as_the_member() {
        let sts: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "zk", "namespace": "kafka"},
            "spec": {
                "selector": {"matchLabels": {"app": "zk"}},
                "serviceName": "zk-hs",
                "template": {"spec": {
                    "securityContext": {"runAsUser": 1000, "fsGroup": 1000},
                    "containers": [{
                        "name": "zookeeper", "image": "zookeeper:3.9.4",
                        "volumeMounts": [
                            {"name": "datadir", "mountPath": "/data"},
                            {"name": "config", "mountPath": "/conf"}
                        ]
                    }]
                }}
            }
        }))
        .expect("sts");
        let pod = volume_pod(&sts, "zookeeper", "datadir", 2, "zk-volume-2").expect("pod");
        let spec = pod.spec.expect("spec");
        let container = &spec.containers[0];
        assert_eq!(container.image.as_deref(), Some("zookeeper:3.9.4"));
        let mounts = container.volume_mounts.as_ref().expect("mounts");
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].mount_path, "/data");
        let claim = spec.volumes.expect("volumes")[0]
            .persistent_volume_claim
            .clone()
            .expect("claim");
        assert_eq!(claim.claim_name, "datadir-zk-2");
        assert_eq!(
            spec.security_context.and_then(|s| s.run_as_user),
            Some(1000)
        );
        let labels = pod.metadata.labels.expect("labels");
        assert!(!labels.contains_key("app"), "not selected as a member");
        assert!(volume_pod(&sts, "zookeeper", "other", 0, "x").is_none());
    }
}
