//! SecurityContextConstraints admission of a new pod, as OpenShift's
//! `security.openshift.io/SecurityContextConstraint` admission plugin does it: every SCC, sorted
//! by priority then restrictiveness then name, is tried in turn; one the pod's ServiceAccount or
//! the requesting user may not use (by the SCC's `users`/`groups` or RBAC `use`) is "not usable";
//! the first that validates the pod (after filling its defaults) admits it and is recorded in
//! the pod's `openshift.io/scc` annotation. When none does, the pod is refused with 403 and every
//! attempt's errors.

use super::provider::{FieldError, Path, Provider};
use super::{SCC_ANNOTATION, SUBJECT_TYPE_ANNOTATION, UserInfo};
use crate::util;
use serde_json::{Value, json};

/// The pod annotation that names the only SCC a pod may be admitted by.
const REQUIRED_SCC: &str = "openshift.io/required-scc";

/// The SCCs every OpenShift 4 cluster has; admission refuses every pod while one is missing.
const STANDARD_SCCS: &[&str] = &[
    "anyuid",
    "hostaccess",
    "hostmount-anyuid",
    "hostnetwork",
    "hostnetwork-v2",
    "nonroot",
    "nonroot-v2",
    "privileged",
    "restricted",
    "restricted-v2",
];

/// May `user` use the SCC named `scc` in `namespace`, by RBAC (verb `use` on
/// `securitycontextconstraints` in `security.openshift.io`)?
pub type CanUse<'a> = &'a dyn Fn(&UserInfo, &str, &str) -> bool;

/// Go's `utilerrors.Aggregate` text: one message as is, several in brackets, repeats dropped.
fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for m in messages {
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.as_slice() {
        [one] => (*one).clone(),
        many => format!(
            "[{}]",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Why admission refused a pod: the message of the 403, `pods "NAME" is forbidden: REASON`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn forbidden(pod: &Value, reason: &str) -> Refusal {
    let name = util::name(pod);
    let message = if name.is_empty() {
        format!("pods is forbidden: {reason}")
    } else {
        format!("pods \"{name}\" is forbidden: {reason}")
    };
    Refusal { message }
}

/// Whether an SCC applies to a user: named in `users`, one of its groups in `groups`, or RBAC.
fn applies_to(p: &Provider, user: &UserInfo, namespace: &str, can_use: CanUse) -> bool {
    p.users().contains(&user.name)
        || user.groups.iter().any(|g| p.groups().contains(g))
        || can_use(user, namespace, &p.name)
}

/// Admits a new pod on behalf of `requester`, given the cluster's SCCs and the pod's namespace:
/// the pod as admitted (security contexts filled in, `openshift.io/scc` set), or the 403
/// OpenShift answers with.
pub fn admit(
    sccs: &[Value],
    ns: &Value,
    pod: &Value,
    requester: &UserInfo,
    can_use: CanUse,
) -> Result<Value, Refusal> {
    let ns_name = util::namespace(pod);
    let mut sccs: Vec<Value> = sccs.to_vec();
    for scc in &mut sccs {
        super::scc_defaults(scc);
    }
    let names: Vec<&str> = sccs.iter().map(util::name).collect();
    let missing: Vec<&str> = STANDARD_SCCS
        .iter()
        .copied()
        .filter(|s| !names.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(forbidden(
            pod,
            &format!(
                "securitycontextconstraints.security.openshift.io cache is missing {}",
                missing.join(", ")
            ),
        ));
    }
    let required = util::s(pod, &["metadata", "annotations", REQUIRED_SCC]).to_string();
    if !required.is_empty() {
        sccs.retain(|s| util::name(s) == required);
        if sccs.is_empty() {
            return Err(forbidden(
                pod,
                &format!(
                    "failed to retrieve the required SCC \"{required}\": securitycontextconstraints.security.openshift.io \"{required}\" not found"
                ),
            ));
        }
    }
    for key in [super::uid::UID_RANGE, super::uid::MCS] {
        if util::get(ns, &["metadata", "annotations", key]).is_none() {
            return Err(forbidden(
                pod,
                &format!("error fetching namespace \"{ns_name}\": unable to find annotation {key}"),
            ));
        }
    }
    let mut providers = Vec::new();
    let mut creation_errors = Vec::new();
    for scc in &sccs {
        match Provider::new(scc, ns) {
            Ok(p) => providers.push(p),
            Err(e) => creation_errors.push(e),
        }
    }
    if !creation_errors.is_empty() {
        return Err(forbidden(pod, &aggregate(&creation_errors)));
    }
    providers.sort_by(|a, b| {
        b.priority()
            .cmp(&a.priority())
            .then(a.points().cmp(&b.points()))
            .then(a.name.cmp(&b.name))
    });

    let sa_name = util::s(pod, &["spec", "serviceAccountName"]);
    let service_account =
        (!sa_name.is_empty()).then(|| super::service_account_subject(ns_name, sa_name));
    let subject_type = |p: &Provider| -> Option<&'static str> {
        if let Some(sa) = &service_account
            && applies_to(p, sa, ns_name, can_use)
        {
            return Some("serviceaccount");
        }
        applies_to(p, requester, ns_name, can_use).then_some("user")
    };

    let mut errors: Vec<FieldError> = Vec::new();
    let mut denied: Vec<&str> = Vec::new();
    let mut admitted: Option<(Value, &Provider, &'static str)> = None;
    for p in &providers {
        let Some(kind) = subject_type(p) else {
            denied.push(&p.name);
            errors.push(FieldError::forbidden(
                &Path::root(&format!("provider {:?}", p.name)),
                "not usable by user or serviceaccount",
            ));
            continue;
        };
        match p.assign(pod) {
            Ok(admitted_pod) => {
                admitted = Some((admitted_pod, p, kind));
                break;
            }
            Err(errs) => errors.extend(errs),
        }
    }
    if let Some((mut pod, p, kind)) = admitted {
        let annotations = util::obj_mut(&mut pod, &["metadata", "annotations"]);
        annotations.insert(SCC_ANNOTATION.into(), json!(p.name));
        annotations.insert(SUBJECT_TYPE_ANNOTATION.into(), json!(kind));
        return Ok(pod);
    }
    // restricted-v2 refused the pod and the user may not use restricted, which would admit it
    let restricted = providers.iter().find(|p| p.name == "restricted");
    if providers.iter().any(|p| p.name == "restricted-v2")
        && denied.contains(&"restricted")
        && restricted.is_some_and(|r| r.assign(pod).is_ok())
    {
        errors.push(FieldError::forbidden(
            &Path::root("no access to scc/restricted"),
            "the pod fails to validate against the `restricted-v2` security context constraint, but would validate successfully against the `restricted` security context constraint",
        ));
    }
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    Err(forbidden(
        pod,
        &format!(
            "unable to validate against any security context constraint: {}",
            aggregate(&messages)
        ),
    ))
}

/// The pod as it will be stored must still validate against the SCC named in its
/// `openshift.io/scc` annotation (what admission gave it).
pub fn validate(sccs: &[Value], ns: &Value, pod: &Value, name: &str) -> Result<(), Refusal> {
    let unable = |detail: String| {
        forbidden(
            pod,
            &format!("unable to validate against any security context constraint: {detail}"),
        )
    };
    let Some(scc) = sccs.iter().find(|s| util::name(s) == name) else {
        return Err(unable(format!(
            "the pod names no existing SCC in {SCC_ANNOTATION} ({name:?})"
        )));
    };
    let mut scc = scc.clone();
    super::scc_defaults(&mut scc);
    let p = Provider::new(&scc, ns).map_err(|e| forbidden(pod, &e))?;
    p.assign(pod).map(|_| ()).map_err(|errs| {
        let messages: Vec<String> = errs.iter().map(ToString::to_string).collect();
        unable(aggregate(&messages))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeded SCCs, and namespace `ns` with the second UID block.
    fn cluster() -> (Vec<Value>, Value) {
        let mut sccs = Vec::new();
        for doc in serde_yaml_ng::Deserializer::from_str(super::super::SCC_MANIFESTS) {
            let scc: Value = serde::Deserialize::deserialize(doc).expect("yaml");
            if !scc.is_null() {
                sccs.push(scc);
            }
        }
        let ns = json!({"metadata": {"name": "ns", "annotations": {
            super::super::uid::UID_RANGE: "1000010000/10000",
            super::super::uid::SUPPLEMENTAL_GROUPS: "1000010000/10000",
            super::super::uid::MCS: "s0:c3,c2"}}});
        (sccs, ns)
    }

    /// A pod as the API server hands it to admission (defaults in).
    fn pod(spec: Value) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec});
        for c in p["spec"]["containers"].as_array_mut().into_iter().flatten() {
            c["terminationMessagePath"] = json!("/dev/termination-log");
            c["imagePullPolicy"] = json!("IfNotPresent");
        }
        p["spec"]["restartPolicy"] = json!("Always");
        p["spec"]["serviceAccountName"] = json!("default");
        if p["spec"]["securityContext"].is_null() {
            p["spec"]["securityContext"] = json!({});
        }
        p
    }

    fn nobody() -> UserInfo {
        UserInfo::default()
    }

    #[test]
    fn the_seeds_pod_is_refused_by_every_scc() {
        let (sccs, ns) = cluster();
        let p = pod(
            json!({"securityContext": {"runAsUser": 1000, "fsGroup": 1000},
            "containers": [{"name": "c", "image": "i"}]}),
        );
        let e = admit(&sccs, &ns, &p, &nobody(), &|_, _, _| false).expect_err("refused");
        let denied =
            |s: &str| format!(r#"provider "{s}": Forbidden: not usable by user or serviceaccount"#);
        assert!(e.message.starts_with(&format!(
            r#"pods "p" is forbidden: unable to validate against any security context constraint: [{}, {}"#,
            denied("anyuid"),
            denied("restricted-v2")
        )), "{}", e.message);
        // allowed restricted-v2 but not the ids it asks for
        let v2 = |_: &UserInfo, _: &str, scc: &str| scc == "restricted-v2";
        let e = admit(&sccs, &ns, &p, &nobody(), &v2).expect_err("refused");
        assert!(e.message.contains(&format!(
            "{}, provider restricted-v2: .spec.securityContext.fsGroup: Invalid value: []int64{{1000}}: 1000 is not an allowed group, provider restricted-v2: .containers[0].runAsUser: Invalid value: 1000: must be in the ranges: [1000010000, 1000019999], {}",
            denied("anyuid"),
            denied("restricted")
        )), "{}", e.message);
    }

    #[test]
    fn restricted_v2_fills_in_the_namespace_ids() {
        let (sccs, ns) = cluster();
        let p = pod(json!({"containers": [{"name": "c", "image": "i"}],
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "x"}}]}));
        let v2 = |_: &UserInfo, _: &str, scc: &str| scc == "restricted-v2";
        let a = admit(&sccs, &ns, &p, &nobody(), &v2).expect("admitted");
        assert_eq!(
            a["metadata"]["annotations"][SCC_ANNOTATION],
            "restricted-v2"
        );
        assert_eq!(
            a["metadata"]["annotations"][SUBJECT_TYPE_ANNOTATION],
            "serviceaccount"
        );
        assert_eq!(
            a["spec"]["securityContext"],
            json!({"fsGroup": 1000010000, "seLinuxOptions": {"level": "s0:c3,c2"}, "seccompProfile": {"type": "RuntimeDefault"}})
        );
        assert_eq!(
            a["spec"]["containers"][0]["securityContext"],
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true, "runAsUser": 1000010000})
        );
    }

    #[test]
    fn higher_priority_wins_and_the_annotation_cannot_lie() {
        let (sccs, ns) = cluster();
        let mut p = pod(json!({"containers": [{"name": "c", "image": "i"}]}));
        p["metadata"]["annotations"] = json!({SCC_ANNOTATION: "privileged"});
        let admin = UserInfo {
            name: "admin".into(),
            groups: vec!["system:masters".into()],
        };
        let a = admit(&sccs, &ns, &p, &admin, &|u, _, _| u.name == "admin").expect("admitted");
        assert_eq!(a["metadata"]["annotations"][SCC_ANNOTATION], "anyuid");
        assert_eq!(
            a["metadata"]["annotations"][SUBJECT_TYPE_ANNOTATION],
            "user"
        );
        assert_eq!(
            a["spec"]["containers"][0]["securityContext"],
            json!({"capabilities": {"drop": ["MKNOD"]}})
        );
    }

    #[test]
    fn host_paths_and_root_are_named() {
        let (sccs, ns) = cluster();
        let p = pod(
            json!({"containers": [{"name": "c", "image": "i", "securityContext": {"runAsUser": 0}}],
            "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}),
        );
        let v2 = |_: &UserInfo, _: &str, scc: &str| scc == "restricted-v2";
        let e = admit(&sccs, &ns, &p, &nobody(), &v2).expect_err("refused");
        assert!(
            e.message.contains(r#"spec.volumes[0]: Invalid value: "hostPath": hostPath volumes are not allowed to be used, provider restricted-v2: .containers[0].runAsUser: Invalid value: 0: must be in the ranges: [1000010000, 1000019999]"#),
            "{}",
            e.message
        );
    }
}
