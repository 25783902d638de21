//! Defaulting and validation on create/update, as far as kubectl and the controllers rely on them.

use super::errors::{ApiError, ApiResult};
use crate::util;
use serde_json::{Map, Value, json};

fn fill(m: &mut Map<String, Value>, k: &str, v: Value) {
    if !m.contains_key(k) || m.get(k) == Some(&Value::Null) {
        m.insert(k.to_string(), v);
    }
}

fn obj<'a>(v: &'a mut Value, k: &str) -> Option<&'a mut Map<String, Value>> {
    v.get_mut(k).and_then(Value::as_object_mut)
}

fn default_probe(p: &mut Value) {
    if let Some(m) = p.as_object_mut() {
        fill(m, "timeoutSeconds", json!(1));
        fill(m, "periodSeconds", json!(10));
        fill(m, "successThreshold", json!(1));
        fill(m, "failureThreshold", json!(3));
        if let Some(h) = m.get_mut("httpGet").and_then(Value::as_object_mut) {
            fill(h, "scheme", json!("HTTP"));
            fill(h, "path", json!("/"));
        }
    }
}

fn default_container(c: &mut Value) {
    let image = util::s(c, &["image"]).to_string();
    let Some(m) = c.as_object_mut() else { return };
    fill(m, "terminationMessagePath", json!("/dev/termination-log"));
    fill(m, "terminationMessagePolicy", json!("File"));
    let last = image.rsplit('/').next().unwrap_or("");
    let latest = !last.contains(':') || last.ends_with(":latest");
    let digest = image.contains('@');
    fill(
        m,
        "imagePullPolicy",
        json!(if latest && !digest {
            "Always"
        } else {
            "IfNotPresent"
        }),
    );
    fill(m, "resources", json!({}));
    if let Some(ports) = m.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            if let Some(pm) = p.as_object_mut() {
                fill(pm, "protocol", json!("TCP"));
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = m.get_mut(probe) {
            default_probe(p);
        }
    }
    if let Some(env) = m.get_mut("env").and_then(Value::as_array_mut) {
        for e in env {
            if let Some(fr) = e
                .pointer_mut("/valueFrom/fieldRef")
                .and_then(Value::as_object_mut)
            {
                fill(fr, "apiVersion", json!("v1"));
            }
        }
    }
}

/// Defaults of a PodSpec (for pods and pod templates).
pub fn default_pod_spec(spec: &mut Value, is_pod: bool) {
    let Some(m) = spec.as_object_mut() else {
        return;
    };
    fill(m, "restartPolicy", json!("Always"));
    fill(m, "terminationGracePeriodSeconds", json!(30));
    fill(m, "dnsPolicy", json!("ClusterFirst"));
    fill(m, "securityContext", json!({}));
    fill(m, "schedulerName", json!("default-scheduler"));
    if is_pod {
        fill(m, "serviceAccountName", json!("default"));
        let sa = m
            .get("serviceAccountName")
            .cloned()
            .unwrap_or(json!("default"));
        fill(m, "serviceAccount", sa);
        fill(m, "enableServiceLinks", json!(true));
        fill(m, "preemptionPolicy", json!("PreemptLowerPriority"));
        fill(m, "priority", json!(0));
        fill(
            m,
            "tolerations",
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ]),
        );
    }
    for list in ["containers", "initContainers"] {
        if let Some(cs) = m.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                default_container(c);
            }
        }
    }
    if let Some(vols) = m.get_mut("volumes").and_then(Value::as_array_mut) {
        for v in vols {
            for src in ["configMap", "secret"] {
                if let Some(s) = v.get_mut(src).and_then(Value::as_object_mut) {
                    fill(s, "defaultMode", json!(420));
                }
            }
        }
    }
}

fn qos_class(spec: &Value) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for c in util::arr(spec, &["containers"]) {
        let req = c.pointer("/resources/requests").and_then(Value::as_object);
        let lim = c.pointer("/resources/limits").and_then(Value::as_object);
        if req.is_some_and(|r| !r.is_empty()) || lim.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        for r in ["cpu", "memory"] {
            let l = lim.and_then(|l| l.get(r));
            let q = req.and_then(|q| q.get(r)).or(l);
            if l.is_none() || q != l {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Applies the defaults of `kind` to a new or updated object.
pub fn apply_defaults(kind: &str, o: &mut Value) {
    match kind {
        "Pod" => {
            if let Some(spec) = o.get_mut("spec") {
                default_pod_spec(spec, true);
            }
            let qos = qos_class(o.get("spec").unwrap_or(&Value::Null));
            let st = util::obj_mut(o, &["status"]);
            fill(st, "phase", json!("Pending"));
            fill(st, "qosClass", json!(qos));
        }
        "StatefulSet" => {
            if let Some(spec) = obj(o, "spec") {
                fill(spec, "replicas", json!(1));
                fill(spec, "podManagementPolicy", json!("OrderedReady"));
                fill(
                    spec,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
                fill(spec, "revisionHistoryLimit", json!(10));
                fill(
                    spec,
                    "persistentVolumeClaimRetentionPolicy",
                    json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
                );
                if let Some(ps) = spec.get_mut("template").and_then(|t| t.get_mut("spec")) {
                    default_pod_spec(ps, false);
                }
                if let Some(t) = spec.get_mut("template").and_then(Value::as_object_mut) {
                    let md = t.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(md) = md.as_object_mut() {
                        fill(md, "creationTimestamp", Value::Null);
                    }
                }
                if let Some(vcts) = spec
                    .get_mut("volumeClaimTemplates")
                    .and_then(Value::as_array_mut)
                {
                    for v in vcts {
                        if let Some(vm) = v.as_object_mut() {
                            fill(vm, "apiVersion", json!("v1"));
                            fill(vm, "kind", json!("PersistentVolumeClaim"));
                            if let Some(s) = vm.get_mut("spec").and_then(Value::as_object_mut) {
                                fill(s, "volumeMode", json!("Filesystem"));
                            }
                            fill(vm, "status", json!({"phase": "Pending"}));
                        }
                    }
                }
            }
            let st = util::obj_mut(o, &["status"]);
            fill(st, "replicas", json!(0));
            fill(st, "availableReplicas", json!(0));
        }
        "Service" => {
            if let Some(spec) = obj(o, "spec") {
                fill(spec, "type", json!("ClusterIP"));
                fill(spec, "sessionAffinity", json!("None"));
                fill(spec, "ipFamilies", json!(["IPv4"]));
                fill(spec, "ipFamilyPolicy", json!("SingleStack"));
                fill(spec, "internalTrafficPolicy", json!("Cluster"));
                if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        let port = p.get("port").cloned().unwrap_or(Value::Null);
                        if let Some(pm) = p.as_object_mut() {
                            fill(pm, "protocol", json!("TCP"));
                            fill(pm, "targetPort", port);
                        }
                    }
                }
            }
            let st = util::obj_mut(o, &["status"]);
            fill(st, "loadBalancer", json!({}));
        }
        "PersistentVolumeClaim" => {
            if let Some(spec) = obj(o, "spec") {
                fill(spec, "volumeMode", json!("Filesystem"));
            }
            let st = util::obj_mut(o, &["status"]);
            fill(st, "phase", json!("Pending"));
        }
        "PersistentVolume" => {
            if let Some(spec) = obj(o, "spec") {
                fill(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
                fill(spec, "volumeMode", json!("Filesystem"));
            }
            let st = util::obj_mut(o, &["status"]);
            fill(st, "phase", json!("Pending"));
        }
        "Namespace" => {
            let name = util::name(o).to_string();
            util::obj_mut(o, &["metadata", "labels"])
                .insert("kubernetes.io/metadata.name".into(), json!(name));
            let spec = util::obj_mut(o, &["spec"]);
            fill(spec, "finalizers", json!(["kubernetes"]));
            let st = util::obj_mut(o, &["status"]);
            fill(st, "phase", json!("Active"));
        }
        "StorageClass" => {
            if let Some(m) = o.as_object_mut() {
                fill(m, "reclaimPolicy", json!("Delete"));
                fill(m, "volumeBindingMode", json!("Immediate"));
            }
        }
        "PodDisruptionBudget" => {
            let st = util::obj_mut(o, &["status"]);
            fill(st, "currentHealthy", json!(0));
            fill(st, "desiredHealthy", json!(0));
            fill(st, "disruptionsAllowed", json!(0));
            fill(st, "expectedPods", json!(0));
        }
        "SecurityContextConstraints" => crate::openshift::scc_defaults(o),
        "Route" => crate::openshift::route_defaults(o),
        "Event" => {
            let md_ns = util::namespace(o).to_string();
            if let Some(m) = o.as_object_mut() {
                fill(m, "type", json!("Normal"));
                if let Some(io) = m.get_mut("involvedObject").and_then(Value::as_object_mut) {
                    fill(io, "namespace", json!(md_ns));
                }
            }
        }
        _ => {}
    }
}

const DNS1123: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Validates a new or updated object; the error names the first problems like the real server.
/// What an update may not change, as the real validation refuses it: a binding's `roleRef`.
pub fn validate_update(kind: &str, group: &str, old: &Value, new: &Value) -> ApiResult<()> {
    if matches!(kind, "RoleBinding" | "ClusterRoleBinding")
        && old.get("roleRef") != new.get("roleRef")
    {
        let field = |k: &str| {
            new.pointer(&format!("/roleRef/{k}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let name = new
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(ApiError::invalid(
            kind,
            group,
            name,
            &[(
                "roleRef".into(),
                "FieldValueInvalid",
                format!(
                    "Invalid value: rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}: cannot change roleRef",
                    field("apiGroup"),
                    field("kind"),
                    field("name")
                ),
            )],
        ));
    }
    Ok(())
}

pub fn validate(kind: &str, group: &str, o: &Value) -> ApiResult<()> {
    let name = util::name(o);
    let mut causes: Vec<(String, &str, String)> = Vec::new();
    let req = |causes: &mut Vec<(String, &str, String)>, f: &str| {
        causes.push((f.to_string(), "FieldValueRequired", "Required value".into()))
    };
    if name.is_empty() {
        causes.push((
            "metadata.name".into(),
            "FieldValueRequired",
            "Required value: name or generateName is required".into(),
        ));
    } else {
        let label_kinds = ["Namespace", "Service"];
        let ok = if label_kinds.contains(&kind) {
            is_dns_label(name)
        } else if kind.starts_with("Role") || kind.starts_with("ClusterRole") {
            !name.is_empty()
        } else {
            is_dns_subdomain(name)
        };
        if !ok {
            let msg = if label_kinds.contains(&kind) {
                DNS1123_LABEL
            } else {
                DNS1123
            };
            causes.push((
                "metadata.name".into(),
                "FieldValueInvalid",
                format!("Invalid value: \"{name}\": {msg}"),
            ));
        }
    }
    let pod_spec_checks =
        |causes: &mut Vec<(String, &str, String)>, prefix: &str, spec: Option<&Value>| {
            let containers = spec.map(|s| util::arr(s, &["containers"])).unwrap_or(&[]);
            if containers.is_empty() {
                req(causes, &format!("{prefix}.containers"));
            }
            for (i, c) in containers.iter().enumerate() {
                if util::s(c, &["name"]).is_empty() {
                    req(causes, &format!("{prefix}.containers[{i}].name"));
                }
                if util::s(c, &["image"]).is_empty() {
                    req(causes, &format!("{prefix}.containers[{i}].image"));
                }
            }
        };
    match kind {
        "Pod" => pod_spec_checks(&mut causes, "spec", o.get("spec")),
        "StatefulSet" => {
            let sel = o.pointer("/spec/selector");
            if sel.is_none_or(Value::is_null) {
                req(&mut causes, "spec.selector");
            } else {
                let s = super::select::LabelSelector::from_object(sel);
                let labels = o
                    .pointer("/spec/template/metadata/labels")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if s.is_empty() || !s.matches(&labels) {
                    let shown: Vec<String> = labels
                        .iter()
                        .map(|(k, v)| format!("\"{k}\":\"{}\"", v.as_str().unwrap_or("")))
                        .collect();
                    causes.push((
                        "spec.template.metadata.labels".into(),
                        "FieldValueInvalid",
                        format!("Invalid value: map[string]string{{{}}}: `selector` does not match template `labels`", shown.join(", ")),
                    ));
                }
            }
            pod_spec_checks(
                &mut causes,
                "spec.template.spec",
                o.pointer("/spec/template/spec"),
            );
            if o.pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .is_some_and(|r| r < 0)
            {
                causes.push((
                    "spec.replicas".into(),
                    "FieldValueInvalid",
                    "Invalid value: -1: must be greater than or equal to 0".into(),
                ));
            }
        }
        "Service" => {
            let headless = util::s(o, &["spec", "clusterIP"]) == "None";
            if util::arr(o, &["spec", "ports"]).is_empty() && !headless {
                req(&mut causes, "spec.ports");
            }
        }
        "PersistentVolumeClaim" => {
            if util::arr(o, &["spec", "accessModes"]).is_empty() {
                req(&mut causes, "spec.accessModes");
            }
            if o.pointer("/spec/resources/requests/storage").is_none() {
                causes.push((
                    "spec.resources[storage]".into(),
                    "FieldValueRequired",
                    "Required value".into(),
                ));
            }
        }
        "PodDisruptionBudget"
            if o.pointer("/spec/minAvailable").is_some()
                && o.pointer("/spec/maxUnavailable").is_some() =>
        {
            causes.push(("spec".into(), "FieldValueInvalid", "Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set".into()));
        }
        "ConfigMap" | "Secret" => {}
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, group, name, &causes))
    }
}
