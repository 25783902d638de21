//! What a StatefulSet's status says, and the pods it would create: whether the controller is
//! still rolling a change through the pods, and the member pod for an ordinal as the
//! controller makes it from the template (for the scheduler's judgement before it exists).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;

/// The update strategy's type (`RollingUpdate` when unset, as the API server defaults it).
pub fn update_strategy(sts: &StatefulSet) -> &str {
    sts.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.type_.as_deref())
        .unwrap_or("RollingUpdate")
}

/// Whether the controller has seen the latest spec and every one of `replicas` pods is
/// updated (runs the update revision) and Ready; with either update strategy.
pub fn rolled_out(sts: &StatefulSet, replicas: u32) -> bool {
    let Some(status) = sts.status.as_ref() else {
        return false;
    };
    let generation = sts.metadata.generation.unwrap_or(0);
    let replicas = i32::try_from(replicas).unwrap_or(i32::MAX);
    status.observed_generation.unwrap_or(0) >= generation
        && status.ready_replicas.unwrap_or(0) >= replicas
        && status.updated_replicas.unwrap_or(0) >= replicas
}

/// The change being rolled through the pods, in words, or `None`: the controller has not yet
/// seen the latest spec, or some pods do not run the update revision yet — rolled by the
/// controller (`RollingUpdate`) or, under `OnDelete`, by whoever deletes them (kubectl-zk's
/// rollout engine, which an interrupted command left half done).
pub fn rollout_in_progress(sts: &StatefulSet) -> Option<String> {
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let status = sts.status.as_ref()?;
    let generation = sts.metadata.generation.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        return Some(format!(
            "the StatefulSet controller has not yet seen generation {generation} of StatefulSet {name}"
        ));
    }
    let replicas = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = status.updated_replicas.unwrap_or(0);
    let changed =
        status.update_revision.is_some() && status.update_revision != status.current_revision;
    if !changed || updated >= replicas {
        return None;
    }
    Some(if update_strategy(sts) == "OnDelete" {
        format!(
            "a change to StatefulSet {name} is half rolled out ({updated} of {replicas} members run its template); finish it by running the command that started it again, or `kubectl zk restart`"
        )
    } else {
        format!(
            "StatefulSet {name} is rolling a change through its pods ({updated} of {replicas} updated); wait for `kubectl rollout status statefulset/{name}` to finish"
        )
    })
}

/// The names of the pods that run the StatefulSet's update revision (its template as it is
/// now), by the `controller-revision-hash` label the controller gives them.
pub fn pods_on_update_revision(sts: &StatefulSet, pods: &[Pod]) -> BTreeSet<String> {
    let Some(update) = sts
        .status
        .as_ref()
        .and_then(|s| s.update_revision.as_deref())
    else {
        return BTreeSet::new();
    };
    pods.iter()
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("controller-revision-hash"))
                .is_some_and(|r| r == update)
        })
        .filter_map(|p| p.metadata.name.clone())
        .collect()
}

/// The pod the controller creates for `ordinal`: `<name>-<ordinal>` in the StatefulSet's
/// namespace, with the template's labels and spec (and a placeholder uid, so the scheduler's
/// model can tell it from the others).
pub fn member_pod(sts: &StatefulSet, ordinal: u32) -> Option<Pod> {
    let spec = sts.spec.as_ref()?;
    let name = format!("{}-{ordinal}", sts.metadata.name.as_deref()?);
    let mut metadata = spec.template.metadata.clone().unwrap_or_default();
    metadata.uid = Some(format!("planned-{name}"));
    metadata.name = Some(name);
    metadata.namespace = sts.metadata.namespace.clone();
    Some(Pod {
        metadata,
        spec: spec.template.spec.clone(),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{
        StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy,
    };
    use k8s_openapi::api::core::v1::PodTemplateSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn sts(strategy: Option<&str>, status: StatefulSetStatus) -> StatefulSet {
        StatefulSet {
            metadata: ObjectMeta {
                name: Some("zk".into()),
                namespace: Some("kafka".into()),
                generation: Some(4),
                ..ObjectMeta::default()
            },
            spec: Some(StatefulSetSpec {
                replicas: Some(3),
                update_strategy: strategy.map(|t| StatefulSetUpdateStrategy {
                    type_: Some(t.into()),
                    rolling_update: None,
                }),
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some([("app".to_owned(), "zk".to_owned())].into()),
                        ..ObjectMeta::default()
                    }),
                    spec: None,
                },
                ..StatefulSetSpec::default()
            }),
            status: Some(status),
        }
    }

    fn status(observed: i64, updated: i32, current: &str, update: &str) -> StatefulSetStatus {
        StatefulSetStatus {
            observed_generation: Some(observed),
            replicas: 3,
            ready_replicas: Some(3),
            updated_replicas: Some(updated),
            current_revision: Some(current.into()),
            update_revision: Some(update.into()),
            ..StatefulSetStatus::default()
        }
    }

    #[test]
    fn a_change_half_rolled_is_in_progress_with_either_strategy() {
        let done = sts(None, status(4, 3, "zk-a", "zk-a"));
        assert_eq!(rollout_in_progress(&done), None);
        assert!(rolled_out(&done, 3));
        let rolling = sts(None, status(4, 1, "zk-a", "zk-b"));
        let why = rollout_in_progress(&rolling).expect("in progress");
        assert!(why.contains("1 of 3 updated"), "{why}");
        assert!(!rolled_out(&rolling, 3));
        // OnDelete: the controller never moves current_revision; updated replicas tell.
        assert!(rolled_out(
            &sts(Some("OnDelete"), status(4, 3, "zk-a", "zk-b")),
            3
        ));
        let unseen = sts(Some("RollingUpdate"), status(3, 3, "zk-a", "zk-a"));
        assert!(rollout_in_progress(&unseen).is_some_and(|w| w.contains("generation 4")));
        let on_delete = sts(Some("OnDelete"), status(4, 1, "zk-a", "zk-b"));
        assert!(rollout_in_progress(&on_delete).is_some_and(|w| w.contains("half rolled out")));
        assert_eq!(update_strategy(&on_delete), "OnDelete");
        // Under OnDelete the controller never moves current_revision: all updated is done.
        assert_eq!(
            rollout_in_progress(&sts(Some("OnDelete"), status(4, 3, "zk-a", "zk-b"))),
            None
        );
    }

    #[test]
    fn member_pods_are_named_by_ordinal_with_the_templates_labels() {
        let pod = member_pod(&sts(None, StatefulSetStatus::default()), 4).expect("pod");
        assert_eq!(pod.metadata.name.as_deref(), Some("zk-4"));
        assert_eq!(pod.metadata.namespace.as_deref(), Some("kafka"));
        assert_eq!(
            pod.metadata
                .labels
                .and_then(|l| l.get("app").cloned())
                .as_deref(),
            Some("zk")
        );
    }
}
