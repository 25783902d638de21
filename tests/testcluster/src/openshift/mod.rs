//! The OpenShift mode ([`crate::ClusterOptions::openshift`], `testcluster up --openshift`): what
//! an OpenShift 4.16 cluster has beyond Kubernetes, as far as workloads notice it, built on the
//! real API server the way OpenShift is built on Kubernetes: custom resources plus admission.
//!
//! - CustomResourceDefinitions (`crds.yaml`): `security.openshift.io` SecurityContextConstraints
//!   (the ten an installed cluster has, seeded), `route.openshift.io` Routes (stored, no router)
//!   and `config.openshift.io` ClusterVersion `version`. `project.openshift.io` is not served.
//! - ClusterRoles `system:openshift:scc:<name>` (verb `use` on one SCC) and the ClusterRoleBinding
//!   of `restricted-v2` to `system:authenticated`.
//! - Every namespace gets a UID block, supplemental groups and an SELinux level ([`uid`]) from
//!   a controller ([`namespaces`]); SCC admission ([`admission`], [`provider`]) judges every new
//!   pod against them, as admission webhooks the API server calls ([`webhook`]).

pub mod admission;
pub mod namespaces;
pub mod provider;
pub mod uid;
pub mod webhook;

use crate::util;
use serde_json::{Value, json};

/// The pod annotation naming the SCC that admitted it.
pub const SCC_ANNOTATION: &str = "openshift.io/scc";
/// The pod annotation saying whether the pod's ServiceAccount or the requesting user could use
/// that SCC (`serviceaccount` | `user`).
pub const SUBJECT_TYPE_ANNOTATION: &str = "security.openshift.io/validated-scc-subject-type";

/// The OpenShift version the mode presents (ClusterVersion `version`).
pub const VERSION: &str = "4.16.0";

/// The SCCs an OpenShift 4.16 cluster is installed with.
const SCC_MANIFESTS: &str = include_str!("sccs.yaml");

/// A user as admission sees it: a name and groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

/// A ServiceAccount as SCC admission sees it: `system:serviceaccount:NS:NAME` in groups
/// `system:serviceaccounts` and `system:serviceaccounts:NS` only (OpenShift builds it without
/// `system:authenticated`, so the `restricted-v2` binding to that group does not reach it).
pub fn service_account_subject(namespace: &str, name: &str) -> UserInfo {
    UserInfo {
        name: format!("system:serviceaccount:{namespace}:{name}"),
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{namespace}"),
        ],
    }
}

/// What a pod update may not change: the SCC that admitted it.
pub fn keep_admission(cur: &Value, new: &mut Value) {
    for key in [SCC_ANNOTATION, SUBJECT_TYPE_ANNOTATION] {
        match util::get(cur, &["metadata", "annotations", key]) {
            Some(v) => {
                util::obj_mut(new, &["metadata", "annotations"]).insert(key.into(), v.clone());
            }
            None => {
                if let Some(a) = new
                    .pointer_mut("/metadata/annotations")
                    .and_then(Value::as_object_mut)
                {
                    a.remove(key);
                }
            }
        }
    }
}

/// The defaults the API server gives a SecurityContextConstraints object (OpenShift's
/// `SetDefaults_SCC`): RunAsAny groups, empty `users`/`groups`, every volume type but `hostPath`
/// when `volumes` is unset (plus `hostPath` with `allowHostDirVolumePlugin`), and
/// `allowPrivilegeEscalation: true`.
pub fn scc_defaults(scc: &mut Value) {
    let Some(m) = scc.as_object_mut() else {
        return;
    };
    for key in ["fsGroup", "supplementalGroups"] {
        let g = m.entry(key).or_insert_with(|| json!({}));
        if let Some(g) = g.as_object_mut()
            && g.get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        {
            g.insert("type".into(), json!("RunAsAny"));
        }
    }
    for key in ["users", "groups"] {
        if m.get(key).is_none_or(Value::is_null) {
            m.insert(key.into(), json!([]));
        }
    }
    let host_dir = m.get("allowHostDirVolumePlugin").and_then(Value::as_bool) == Some(true);
    let mut volumes: std::collections::BTreeSet<String> = match m.get("volumes") {
        None | Some(Value::Null) => ["*".to_string()].into(),
        Some(Value::Array(a)) if a.is_empty() => {
            [if host_dir { "hostPath" } else { "none" }.to_string()].into()
        }
        Some(v) => v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    };
    if host_dir {
        if !volumes.contains("*") {
            volumes.insert("hostPath".into());
        }
    } else {
        let all = volumes.remove("*");
        volumes.remove("hostPath");
        if all {
            volumes.extend(ALL_VOLUME_TYPES_BUT_HOST_PATH.iter().map(|s| s.to_string()));
        }
    }
    m.insert("volumes".into(), json!(volumes));
    if m.get("allowPrivilegeEscalation").is_none_or(Value::is_null) {
        m.insert("allowPrivilegeEscalation".into(), json!(true));
    }
}

/// Every volume plugin an SCC can name, but `hostPath` and `*`.
const ALL_VOLUME_TYPES_BUT_HOST_PATH: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephFS",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "image",
    "iscsi",
    "nfs",
    "none",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageOS",
    "vsphere",
];

/// Route defaults as OpenShift's API server gives them: `spec.host` `<name>-<namespace>.apps.…`
/// when unset, `wildcardPolicy: None`, `to.weight: 100`.
pub fn route_defaults(route: &mut Value) {
    let (name, ns) = (
        util::name(route).to_string(),
        util::namespace(route).to_string(),
    );
    let Some(spec) = route.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec
        .get("host")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
        && !name.is_empty()
    {
        spec.insert(
            "host".into(),
            json!(format!("{name}-{ns}.apps.{CLUSTER_DOMAIN}")),
        );
    }
    if spec.get("wildcardPolicy").is_none_or(Value::is_null) {
        spec.insert("wildcardPolicy".into(), json!("None"));
    }
    if let Some(to) = spec.get_mut("to").and_then(Value::as_object_mut)
        && to.get("weight").is_none_or(Value::is_null)
    {
        to.insert("weight".into(), json!(100));
    }
}

/// The cluster's base domain (routes are `*.apps.<domain>`).
const CLUSTER_DOMAIN: &str = "testcluster.local";

/// ClusterVersion `version`: an installed 4.16.0 on the stable channel, done applying.
fn cluster_version() -> Value {
    let now = util::now_ts();
    let image = format!("quay.io/openshift-release-dev/ocp-release:{VERSION}-x86_64");
    let cond = |t: &str, s: &str, reason: &str, msg: &str| {
        let mut c = json!({"type": t, "status": s, "lastTransitionTime": now});
        if !reason.is_empty() {
            c["reason"] = json!(reason);
        }
        if !msg.is_empty() {
            c["message"] = json!(msg);
        }
        c
    };
    json!({
        "apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
        "metadata": {"name": "version"},
        "spec": {"channel": "stable-4.16", "clusterID": uuid::Uuid::new_v4().to_string()},
        "status": {
            "availableUpdates": null,
            "conditions": [
                cond("RetrievedUpdates", "False", "RemoteFailed", "Unable to retrieve available updates: the test cluster has no update service"),
                cond("Available", "True", "", &format!("Done applying {VERSION}")),
                cond("Failing", "False", "", ""),
                cond("Progressing", "False", "", &format!("Cluster version is {VERSION}")),
            ],
            "desired": {"channels": ["candidate-4.16", "eus-4.16", "fast-4.16", "stable-4.16"], "image": image, "version": VERSION},
            "history": [{"completionTime": now, "image": image, "startedTime": now, "state": "Completed", "verified": false, "version": VERSION}],
            "observedGeneration": 1,
        },
    })
}

/// The CustomResourceDefinitions of the OpenShift APIs: SecurityContextConstraints,
/// ClusterVersion, Route.
const CRDS: &str = include_str!("crds.yaml");

/// The API resource of SecurityContextConstraints.
pub fn scc_resource() -> kube::core::ApiResource {
    kube::core::ApiResource {
        group: "security.openshift.io".into(),
        version: "v1".into(),
        api_version: "security.openshift.io/v1".into(),
        kind: "SecurityContextConstraints".into(),
        plural: "securitycontextconstraints".into(),
    }
}

/// The name the webhooks carry (the API server quotes it when one refuses a request).
pub const WEBHOOK: &str = "scc.admission.testcluster";

/// The OpenShift mode on the real control plane: the webhook server and the namespace
/// controller, running until [`OpenShift::stop`] (or drop).
pub struct OpenShift {
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl OpenShift {
    /// Makes a cluster OpenShift, as far as workloads notice: the CRDs of the OpenShift APIs,
    /// the admission webhooks (served here, registered with the cluster CA's bundle), the
    /// namespace controller, and the seeded objects (the ten SCCs, their `use` ClusterRoles,
    /// `restricted-v2` for every authenticated user, ClusterVersion `version`).
    pub async fn start(
        admin: &kube::Client,
        pki: &crate::controlplane::pki::Pki,
    ) -> anyhow::Result<OpenShift> {
        use anyhow::Context;
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let (allocated, _) = tokio::sync::watch::channel(0u64);
        let cert = pki.serving(WEBHOOK, &["127.0.0.1"])?;
        let tls = crate::controlplane::pki::server_config(&cert, &pki.ca_pem)?;
        let state = std::sync::Arc::new(webhook::State {
            client: admin.clone(),
            allocated: allocated.clone(),
        });
        let (addr, server) = webhook::serve(tls, state, shutdown_rx.clone()).await?;
        let mut this = OpenShift {
            shutdown,
            tasks: vec![server],
        };
        install_crds(admin)
            .await
            .context("installing the OpenShift CRDs")?;
        this.tasks.push(tokio::spawn(namespaces::run(
            admin.clone(),
            allocated,
            shutdown_rx,
        )));
        for (ar, obj) in webhook_configurations(&addr, &pki.ca_pem) {
            apply(admin, &ar, &obj).await?;
        }
        seed(admin).await.context("seeding the OpenShift objects")?;
        Ok(this)
    }

    /// Waits until the API server calls the webhooks (a registration takes effect a moment
    /// after it is stored) and every namespace has its UID block: a dry-run pod in `default` comes
    /// back with `openshift.io/scc`.
    pub async fn wait_admitting(&self, admin: &kube::Client) -> anyhow::Result<()> {
        use k8s_openapi::api::core::v1::{Namespace, Pod};
        use kube::api::{Api, ListParams, PostParams};
        let pods: Api<Pod> = Api::namespaced(admin.clone(), "default");
        let namespaces: Api<Namespace> = Api::all(admin.clone());
        let probe: Pod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "scc-admission-probe"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}))?;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut last = String::new();
        loop {
            let admitted = match pods
                .create(
                    &PostParams {
                        dry_run: true,
                        ..Default::default()
                    },
                    &probe,
                )
                .await
            {
                Ok(p) => p
                    .metadata
                    .annotations
                    .is_some_and(|a| a.contains_key(SCC_ANNOTATION)),
                Err(e) => {
                    last = e.to_string();
                    false
                }
            };
            let blocks = namespaces
                .list(&ListParams::default())
                .await
                .is_ok_and(|l| l.items.iter().all(namespaces::has_block));
            if admitted && blocks {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!(
                    "SCC admission did not answer within 60s (pods admitted: {admitted}, every namespace with its UID block: {blocks}; {last})"
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Stops the webhook server and the namespace controller.
    pub async fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), t).await;
        }
    }
}

impl Drop for OpenShift {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Server-side applies one object (cluster-scoped or carrying its namespace).
async fn apply(
    admin: &kube::Client,
    ar: &kube::core::ApiResource,
    obj: &Value,
) -> anyhow::Result<Value> {
    use anyhow::Context;
    use kube::api::{Api, DynamicObject, Patch, PatchParams};
    let name = util::name(obj).to_string();
    let ns = util::namespace(obj);
    let api: Api<DynamicObject> = if ns.is_empty() {
        Api::all_with(admin.clone(), ar)
    } else {
        Api::namespaced_with(admin.clone(), ns, ar)
    };
    let o = api
        .patch(
            &name,
            &PatchParams::apply("testcluster").force(),
            &Patch::Apply(obj),
        )
        .await
        .with_context(|| format!("creating {} {name}", ar.kind))?;
    Ok(serde_json::to_value(o)?)
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> kube::core::ApiResource {
    kube::core::ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// Creates the CRDs and waits until each is established.
async fn install_crds(admin: &kube::Client) -> anyhow::Result<()> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::runtime::wait::{await_condition, conditions};
    let ar = kube::core::ApiResource::erase::<CustomResourceDefinition>(&());
    let api: kube::Api<CustomResourceDefinition> = kube::Api::all(admin.clone());
    for doc in serde_yaml_ng::Deserializer::from_str(CRDS) {
        let crd: Value = serde::Deserialize::deserialize(doc)?;
        if crd.is_null() {
            continue;
        }
        apply(admin, &ar, &crd).await?;
        let name = util::name(&crd).to_string();
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            await_condition(api.clone(), &name, conditions::is_crd_established()),
        )
        .await
        .map_err(|_| anyhow::anyhow!("CRD {name} not established within 30s"))??;
    }
    Ok(())
}

/// The mutating and validating webhook configurations calling the server at `addr`.
fn webhook_configurations(
    addr: &std::net::SocketAddr,
    ca_pem: &str,
) -> Vec<(kube::core::ApiResource, Value)> {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    let hook = |path: &str, rules: Value| {
        json!({
            "name": WEBHOOK,
            "clientConfig": {"url": format!("https://{addr}{path}"), "caBundle": ca},
            "rules": rules,
            "failurePolicy": "Fail",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "timeoutSeconds": 20,
        })
    };
    let pods = |ops: Value| json!([{"apiGroups": [""], "apiVersions": ["v1"], "operations": ops, "resources": ["pods"], "scope": "Namespaced"}]);
    let mut defaults = hook(
        "/mutate/defaults",
        json!([
            {"apiGroups": ["security.openshift.io"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["securitycontextconstraints"], "scope": "Cluster"},
            {"apiGroups": ["route.openshift.io"], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["routes"], "scope": "Namespaced"},
        ]),
    );
    defaults["name"] = json!(format!("defaults.{WEBHOOK}"));
    let group = "admissionregistration.k8s.io";
    vec![
        (
            resource(
                group,
                "v1",
                "MutatingWebhookConfiguration",
                "mutatingwebhookconfigurations",
            ),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                "metadata": {"name": "testcluster-openshift"},
                "webhooks": [hook("/mutate/pods", pods(json!(["CREATE", "UPDATE"]))), defaults]}),
        ),
        (
            resource(
                group,
                "v1",
                "ValidatingWebhookConfiguration",
                "validatingwebhookconfigurations",
            ),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                "metadata": {"name": "testcluster-openshift"},
                "webhooks": [hook("/validate/pods", pods(json!(["CREATE"])))]}),
        ),
    ]
}

/// The objects an OpenShift cluster starts with: the SCCs (with their defaults) and their `use`
/// ClusterRoles, the `restricted-v2` binding for every authenticated user, ClusterVersion
/// `version` with its status.
async fn seed(admin: &kube::Client) -> anyhow::Result<()> {
    let release = json!({
        "include.release.openshift.io/ibm-cloud-managed": "true",
        "include.release.openshift.io/self-managed-high-availability": "true",
        "include.release.openshift.io/single-node-developer": "true",
    });
    let rbac = "rbac.authorization.k8s.io";
    let clusterroles = resource(rbac, "v1", "ClusterRole", "clusterroles");
    for doc in serde_yaml_ng::Deserializer::from_str(SCC_MANIFESTS) {
        let mut scc: Value = serde::Deserialize::deserialize(doc)?;
        if scc.is_null() {
            continue;
        }
        scc_defaults(&mut scc);
        // a create, not an apply: an apply drops the explicit nulls (`priority: null`) that
        // `oc get scc` prints as `<no value>`
        let scc_api: kube::Api<kube::api::DynamicObject> =
            kube::Api::all_with(admin.clone(), &scc_resource());
        scc_api
            .create(
                &kube::api::PostParams::default(),
                &serde_json::from_value(scc.clone())?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating SCC {}: {e}", util::name(&scc)))?;
        let name = util::name(&scc).to_string();
        let mut annotations = release.clone();
        annotations["rbac.authorization.kubernetes.io/autoupdate"] = json!("true");
        apply(
            admin,
            &clusterroles,
            &json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": format!("system:openshift:scc:{name}"), "annotations": annotations},
                "rules": [{"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
                           "resourceNames": [name], "verbs": ["use"]}],
            }),
        )
        .await?;
    }
    apply(
        admin,
        &resource(rbac, "v1", "ClusterRoleBinding", "clusterrolebindings"),
        &json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "system:openshift:scc:restricted-v2", "annotations": release},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:openshift:scc:restricted-v2"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}],
        }),
    )
    .await?;
    let cv = resource(
        "config.openshift.io",
        "v1",
        "ClusterVersion",
        "clusterversions",
    );
    let version = cluster_version();
    let mut spec_only = version.clone();
    if let Some(m) = spec_only.as_object_mut() {
        m.remove("status");
    }
    apply(admin, &cv, &spec_only).await?;
    let api: kube::Api<kube::api::DynamicObject> = kube::Api::all_with(admin.clone(), &cv);
    api.patch_status(
        "version",
        &kube::api::PatchParams::apply("testcluster").force(),
        &kube::api::Patch::Apply(&version),
    )
    .await
    .map_err(|e| anyhow::anyhow!("writing the status of ClusterVersion version: {e}"))?;
    Ok(())
}
