//! Server-side apply of typed objects, reporting for each whether it was created,
//! configured (and which fields changed) or left unchanged.

use std::fmt::Debug;

use anyhow::anyhow;
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::manifest::MANAGER;

/// What applying one object did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// `statefulset.apps/zk`.
    pub object: String,
    /// What happened.
    pub action: Action,
    /// Paths that changed (`spec.replicas: 3 → 5`), for `Configured`.
    pub changes: Vec<String>,
    /// Fields another field manager had changed since kubectl-zk last applied them, taken back
    /// (`kubectl-set: .spec.template.spec.containers[name="zookeeper"].resources.requests.memory`),
    /// as the API server named them in its conflict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub taken_back: Vec<String>,
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// It did not exist.
    Created,
    /// It existed and changed.
    Configured,
    /// It existed and nothing changed.
    Unchanged,
}

impl Action {
    /// kubectl's word.
    pub fn word(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
        }
    }
}

/// `kind.group/name` as kubectl prints it.
pub fn object_ref<K: Resource<DynamicType = ()>>(obj: &K) -> String {
    let group = K::group(&());
    let kind = K::kind(&()).to_lowercase();
    let name = obj.meta().name.clone().unwrap_or_default();
    if group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{group}/{name}")
    }
}

/// Applies `obj` (namespaced by its metadata) with field manager `kubectl-zk`, forcing
/// ownership of the fields it sets. `dry_run` asks the server to validate only.
pub async fn apply<K>(client: &Client, obj: &K, dry_run: bool) -> anyhow::Result<Applied>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + Debug
        + Serialize
        + DeserializeOwned,
{
    let namespace = obj.meta().namespace.clone().unwrap_or_default();
    let name = obj.name_any();
    let object = object_ref(obj);
    let api: Api<K> = Api::namespaced(client.clone(), &namespace);
    let before = api.get_opt(&name).await.map_err(|err| {
        anyhow!(err).context(format!("cannot read {object} in namespace {namespace}"))
    })?;
    // Ask first without force, as a dry run: a conflict names the managers that changed fields
    // kubectl-zk owns (`kubectl scale`, `kubectl edit`, `kubectl set …`), so the report can say
    // whose change it takes back.
    let taken_back = match &before {
        Some(_) => {
            let mut probe = PatchParams::apply(MANAGER);
            probe.dry_run = true;
            match api.patch(&name, &probe, &Patch::Apply(obj)).await {
                Err(kube::Error::Api(status)) if status.code == 409 => conflicts(&status),
                _ => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let mut params = PatchParams::apply(MANAGER).force();
    params.dry_run = dry_run;
    let after = api
        .patch(&name, &params, &Patch::Apply(obj))
        .await
        .map_err(|err| {
            anyhow!(err).context(format!("cannot apply {object} in namespace {namespace}"))
        })?;
    let Some(before) = before else {
        return Ok(Applied {
            object,
            action: Action::Created,
            changes: Vec::new(),
            taken_back,
        });
    };
    let unchanged = before.meta().resource_version == after.meta().resource_version && !dry_run;
    let changes = changed_paths(
        &serde_json::to_value(&before)?,
        &serde_json::to_value(&after)?,
    );
    let action = if unchanged || changes.is_empty() {
        Action::Unchanged
    } else {
        Action::Configured
    };
    Ok(Applied {
        object,
        action,
        changes,
        taken_back,
    })
}

/// The leaf paths under `spec` and `data` whose values differ, as `path: old → new`.
pub fn changed_paths(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let mut changes = Vec::new();
    for top in ["spec", "data"] {
        diff(top, &before[top], &after[top], &mut changes);
    }
    changes
}

fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let null = Value::Null;
                diff(
                    &format!("{path}.{key}"),
                    x.get(key).unwrap_or(&null),
                    y.get(key).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ => out.push(format!("{path}: {} → {}", short(a), short(b))),
    }
}

fn short(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "(none)".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let first = text.lines().next().unwrap_or_default();
    if first.chars().count() > 60 || text.contains('\n') {
        format!("{}…", first.chars().take(60).collect::<String>())
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_leaves_are_named() {
        let before = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"image": "a"}]}}}});
        let after = json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [{"image": "b"}]}}}});
        assert_eq!(
            changed_paths(&before, &after),
            [
                "spec.replicas: 3 → 5",
                "spec.template.spec.containers[0].image: a → b"
            ]
        );
        assert!(changed_paths(&before, &before).is_empty());
    }

    #[test]
    fn config_text_changes_are_shortened() {
        let before = json!({"data": {"zoo.cfg": "tickTime=2000\ninitLimit=10"}});
        let after = json!({"data": {"zoo.cfg": "tickTime=3000\ninitLimit=10"}});
        assert_eq!(
            changed_paths(&before, &after),
            ["data.zoo.cfg: tickTime=2000… → tickTime=3000…"]
        );
    }

    #[test]
    fn object_refs_look_like_kubectl() {
        let mut sts = k8s_openapi::api::apps::v1::StatefulSet::default();
        sts.metadata.name = Some("zk".into());
        assert_eq!(object_ref(&sts), "statefulset.apps/zk");
        let mut svc = k8s_openapi::api::core::v1::Service::default();
        svc.metadata.name = Some("zk-hs".into());
        assert_eq!(object_ref(&svc), "service/zk-hs");
    }
}

/// The conflicts of an apply, from the causes of the API server's 409: each cause's message is
/// `conflict with "kubectl-set" using apps/v1 [at TIME]` and its field the path → `kubectl-set:
/// .spec.template.spec.containers[name="zookeeper"].resources.requests.memory`.
pub fn conflicts(status: &kube::core::Status) -> Vec<String> {
    status
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter_map(|c| {
            let manager = c.message.strip_prefix("conflict with ")?;
            let manager = manager
                .split(" using ")
                .next()?
                .split(" with subresource ")
                .next()?;
            Some(format!("{}: {}", manager.trim_matches('"'), c.field))
        })
        .collect()
}

#[cfg(test)]
mod conflict_tests {
    use super::*;

    #[test]
    fn conflicts_name_the_manager_and_the_field_from_the_causes() {
        // as kube-apiserver 1.37 answered a forced-off apply after `kubectl set resources`
        let status: kube::core::Status = serde_json::from_value(serde_json::json!({
            "status": "Failure", "reason": "Conflict", "code": 409,
            "message": "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1 at 2026-12-04T04:25:00Z: .spec.template.spec.containers[name=\"zookeeper\"].resources.requests.memory",
            "details": {"causes": [{"reason": "FieldManagerConflict",
                "message": "conflict with \"kubectl\" using apps/v1 at 2026-12-04T04:25:00Z",
                "field": ".spec.template.spec.containers[name=\"zookeeper\"].resources.requests.memory"}]}
        }))
        .unwrap();
        assert_eq!(
            conflicts(&status),
            [
                "kubectl: .spec.template.spec.containers[name=\"zookeeper\"].resources.requests.memory"
            ]
        );
    }
}

/// Server-side apply of a namespaced object of a kind kubectl-zk has no type for (the Prometheus
/// operator's PodMonitor), given as JSON with `apiVersion`, `kind` and `metadata`.
pub async fn apply_value(
    client: &Client,
    value: &serde_json::Value,
    dry_run: bool,
) -> anyhow::Result<Applied> {
    let api_version = value["apiVersion"].as_str().unwrap_or_default();
    let kind = value["kind"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let resource =
        kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(group, version, kind));
    let obj: kube::api::DynamicObject = serde_json::from_value(value.clone())?;
    let namespace = obj.metadata.namespace.clone().unwrap_or_default();
    let name = obj.name_any();
    let object = format!("{}.{group}/{name}", kind.to_lowercase());
    let api: Api<kube::api::DynamicObject> =
        Api::namespaced_with(client.clone(), &namespace, &resource);
    let before = api.get_opt(&name).await.map_err(|err| {
        anyhow!(err).context(format!("cannot read {object} in namespace {namespace}"))
    })?;
    let mut params = PatchParams::apply(MANAGER).force();
    params.dry_run = dry_run;
    let after = api
        .patch(&name, &params, &Patch::Apply(&obj))
        .await
        .map_err(|err| {
            anyhow!(err).context(format!("cannot apply {object} in namespace {namespace}"))
        })?;
    let action = match before {
        None => Action::Created,
        Some(before) if before.metadata.resource_version == after.metadata.resource_version => {
            Action::Unchanged
        }
        Some(_) => Action::Configured,
    };
    Ok(Applied {
        object,
        action,
        changes: Vec::new(),
        taken_back: Vec::new(),
    })
}
