//! SCC admission and the OpenShift defaults as admission webhooks of the real API server: an
//! HTTPS server on 127.0.0.1 (a certificate of the cluster's CA, registered with its CA bundle)
//! answering `admission.k8s.io/v1` AdmissionReviews.
//!
//! - `/mutate/pods`: a new pod is admitted by the first SCC its ServiceAccount or the requesting
//!   user may use ([`super::admission::admit`]; "may use" is the SCC's `users`/`groups` or RBAC,
//!   asked of the API server with SubjectAccessReviews) and patched with that SCC's defaults and
//!   `openshift.io/scc`; none admitting it refuses it with OpenShift's words. A pod update keeps
//!   the SCC annotations the pod was admitted with.
//! - `/validate/pods`: the pod as it will be stored still validates against the SCC it names.
//! - `/mutate/defaults`: SecurityContextConstraints and Routes get the defaults OpenShift's API
//!   servers give them ([`super::scc_defaults`], [`super::route_defaults`]).

use super::admission::{self, Refusal};
use super::{SCC_ANNOTATION, UserInfo};
use crate::util;
use anyhow::{Context, Result};
use base64::Engine;
use http_body_util::BodyExt;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long admission waits for a new namespace's UID block (OpenShift's SCC admission waits
/// the same).
const BLOCK_WAIT: Duration = Duration::from_secs(10);

/// What the handlers need: an admin client of the API server, and the allocation counter of the
/// namespace controller.
pub struct State {
    pub client: kube::Client,
    pub allocated: watch::Sender<u64>,
}

/// Binds 127.0.0.1 on a free port and serves until `shutdown`; returns the address.
pub async fn serve(
    tls: Arc<rustls::ServerConfig>,
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("binding the admission webhook's port")?;
    let addr = listener.local_addr()?;
    let task = crate::https::serve(listener, tls, shutdown, move |req| {
        let state = state.clone();
        async move { handle(&state, req).await }
    });
    Ok((addr, task))
}

type Response = hyper::Response<http_body_util::Full<bytes::Bytes>>;

fn respond(code: u16, body: &Value) -> Response {
    hyper::Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap_or_default()
}

/// One AdmissionReview in, one out.
async fn handle(state: &State, req: hyper::Request<hyper::body::Incoming>) -> Response {
    let path = req.uri().path().to_string();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return respond(400, &json!({"error": e.to_string()})),
    };
    let review: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return respond(
                400,
                &json!({"error": format!("not an AdmissionReview: {e}")}),
            );
        }
    };
    let request = &review["request"];
    let verdict = match path.as_str() {
        "/mutate/pods" => mutate_pod(state, request).await,
        "/validate/pods" => validate_pod(state, request).await,
        "/mutate/defaults" => Ok(mutate_defaults(request)),
        _ => return respond(404, &json!({"error": "no such webhook"})),
    };
    let mut response = json!({"uid": request["uid"], "allowed": true});
    match verdict {
        Ok(Some(patch)) => {
            let text = serde_json::to_vec(&patch).unwrap_or_default();
            response["patchType"] = json!("JSONPatch");
            response["patch"] = json!(base64::engine::general_purpose::STANDARD.encode(text));
        }
        Ok(None) => {}
        Err(refusal) => {
            response["allowed"] = json!(false);
            response["status"] = json!({"status": "Failure", "code": 403, "reason": "Forbidden",
                "message": refusal.message});
        }
    }
    respond(
        200,
        &json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}),
    )
}

/// The JSON patch from `from` to `to`, None when they are equal.
fn patch(from: &Value, to: &Value) -> Option<Value> {
    let p = json_patch::diff(from, to);
    (!p.0.is_empty()).then(|| serde_json::to_value(p).unwrap_or(json!([])))
}

/// The pod of a request, with the request's namespace filled in when the object lacks it.
fn pod_of(request: &Value) -> Value {
    let mut pod = request["object"].clone();
    if util::namespace(&pod).is_empty()
        && let Some(ns) = request["namespace"].as_str()
    {
        util::obj_mut(&mut pod, &["metadata"]).insert("namespace".into(), json!(ns));
    }
    pod
}

/// The requesting user of an AdmissionReview.
fn requester(request: &Value) -> UserInfo {
    UserInfo {
        name: util::s(request, &["userInfo", "username"]).to_string(),
        groups: util::arr(request, &["userInfo", "groups"])
            .iter()
            .filter_map(|g| g.as_str().map(String::from))
            .collect(),
    }
}

fn internal(pod: &Value, what: &str, e: impl std::fmt::Display) -> Refusal {
    Refusal {
        message: format!("pods \"{}\" is forbidden: {what}: {e}", util::name(pod)),
    }
}

async fn mutate_pod(state: &State, request: &Value) -> Result<Option<Value>, Refusal> {
    match request["operation"].as_str() {
        Some("CREATE") => {}
        Some("UPDATE") => {
            let mut new = request["object"].clone();
            super::keep_admission(&request["oldObject"], &mut new);
            return Ok(patch(&request["object"], &new));
        }
        _ => return Ok(None),
    }
    let pod = pod_of(request);
    let ns_name = util::namespace(&pod).to_string();
    let sccs = sccs(&state.client)
        .await
        .map_err(|e| internal(&pod, "listing securitycontextconstraints", e))?;
    let ns = namespace_with_block(state, &ns_name)
        .await
        .map_err(|e| internal(&pod, &format!("error fetching namespace \"{ns_name}\""), e))?;
    let user = requester(request);
    let sa_name = util::s(&pod, &["spec", "serviceAccountName"]);
    let mut subjects = vec![user.clone()];
    if !sa_name.is_empty() {
        subjects.push(super::service_account_subject(&ns_name, sa_name));
    }
    let rbac = may_use(&state.client, &subjects, &ns_name, &sccs).await;
    let can_use = |u: &UserInfo, _: &str, scc: &str| {
        rbac.get(&(u.name.clone(), scc.to_string()))
            .copied()
            .unwrap_or(false)
    };
    let admitted = admission::admit(&sccs, &ns, &pod, &user, &can_use)?;
    Ok(patch(&pod, &admitted))
}

/// The pod as it will be stored must still validate against the SCC that admitted it (a later
/// mutating webhook may have changed it).
async fn validate_pod(state: &State, request: &Value) -> Result<Option<Value>, Refusal> {
    if request["operation"].as_str() != Some("CREATE") {
        return Ok(None);
    }
    let pod = pod_of(request);
    let name = util::s(&pod, &["metadata", "annotations", SCC_ANNOTATION]).to_string();
    let ns_name = util::namespace(&pod).to_string();
    let sccs = sccs(&state.client)
        .await
        .map_err(|e| internal(&pod, "listing securitycontextconstraints", e))?;
    let ns: Value = Api::<Namespace>::all(state.client.clone())
        .get(&ns_name)
        .await
        .map(|n| serde_json::to_value(n).unwrap_or_default())
        .map_err(|e| internal(&pod, &format!("error fetching namespace \"{ns_name}\""), e))?;
    admission::validate(&sccs, &ns, &pod, &name).map(|()| None)
}

fn mutate_defaults(request: &Value) -> Option<Value> {
    let object = &request["object"];
    let mut new = object.clone();
    match util::s(request, &["kind", "kind"]) {
        "SecurityContextConstraints" => super::scc_defaults(&mut new),
        "Route" if request["operation"] == "CREATE" => super::route_defaults(&mut new),
        _ => return None,
    }
    patch(object, &new)
}

/// Every SCC of the cluster, as JSON.
async fn sccs(client: &kube::Client) -> Result<Vec<Value>> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &super::scc_resource());
    let list = api.list(&ListParams::default()).await?;
    Ok(list
        .items
        .iter()
        .filter_map(|o| serde_json::to_value(o).ok())
        .collect())
}

/// Namespace `name`, once it has its UID block (or as it is after [`BLOCK_WAIT`]).
async fn namespace_with_block(state: &State, name: &str) -> Result<Value> {
    let api: Api<Namespace> = Api::all(state.client.clone());
    let mut allocated = state.allocated.subscribe();
    let deadline = tokio::time::Instant::now() + BLOCK_WAIT;
    loop {
        let ns = api.get(name).await?;
        if super::namespaces::has_block(&ns)
            || tokio::time::timeout_at(deadline, allocated.changed())
                .await
                .is_err()
        {
            return Ok(serde_json::to_value(ns)?);
        }
    }
}

/// Whether each subject may `use` each SCC in `namespace` by RBAC, asked of the API server
/// (SubjectAccessReviews, all at once): `(user, scc) → allowed`.
async fn may_use(
    client: &kube::Client,
    subjects: &[UserInfo],
    namespace: &str,
    sccs: &[Value],
) -> HashMap<(String, String), bool> {
    let api: Api<SubjectAccessReview> = Api::all(client.clone());
    let asks = subjects.iter().flat_map(|u| {
        let api = api.clone();
        sccs.iter().map(move |scc| {
            let (api, scc) = (api.clone(), util::name(scc).to_string());
            async move {
                let review = SubjectAccessReview {
                    spec: SubjectAccessReviewSpec {
                        user: Some(u.name.clone()),
                        groups: Some(u.groups.clone()),
                        resource_attributes: Some(ResourceAttributes {
                            namespace: Some(namespace.to_string()),
                            verb: Some("use".into()),
                            group: Some("security.openshift.io".into()),
                            resource: Some("securitycontextconstraints".into()),
                            name: Some(scc.clone()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                let allowed = match api.create(&PostParams::default(), &review).await {
                    Ok(r) => r.status.is_some_and(|s| s.allowed),
                    Err(e) => {
                        tracing::warn!("SubjectAccessReview of {} for scc {scc}: {e}", u.name);
                        false
                    }
                };
                ((u.name.clone(), scc), allowed)
            }
        })
    });
    futures::future::join_all(asks).await.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(patch: &Value, to: &Value) -> Value {
        let mut out = to.clone();
        let p: json_patch::Patch = serde_json::from_value(patch.clone()).expect("a JSON patch");
        json_patch::patch(&mut out, &p).expect("applies");
        out
    }

    #[test]
    fn routes_get_their_host_and_sccs_their_defaults() {
        let route = json!({"apiVersion": "route.openshift.io/v1", "kind": "Route",
            "metadata": {"name": "zk-admin", "namespace": "team-a"},
            "spec": {"to": {"kind": "Service", "name": "zk-cs"}}});
        let request = json!({"operation": "CREATE", "kind": {"kind": "Route"}, "object": route});
        let p = mutate_defaults(&request).expect("a patch");
        let r = apply(&p, &route);
        assert_eq!(r["spec"]["host"], "zk-admin-team-a.apps.testcluster.local");
        assert_eq!(r["spec"]["to"]["weight"], 100);

        let scc = json!({"apiVersion": "security.openshift.io/v1", "kind": "SecurityContextConstraints",
            "metadata": {"name": "mine"}, "runAsUser": {"type": "RunAsAny"}});
        let request = json!({"operation": "UPDATE", "kind": {"kind": "SecurityContextConstraints"}, "object": scc});
        let s = apply(&mutate_defaults(&request).expect("a patch"), &scc);
        assert_eq!(s["fsGroup"]["type"], "RunAsAny");
        assert_eq!(s["users"], json!([]));
        assert_eq!(s["allowPrivilegeEscalation"], true);

        let other = json!({"operation": "CREATE", "kind": {"kind": "ConfigMap"}, "object": {}});
        assert_eq!(mutate_defaults(&other), None);
    }

    #[test]
    fn an_update_cannot_change_the_admitting_scc() {
        let old =
            json!({"metadata": {"name": "lie", "annotations": {SCC_ANNOTATION: "restricted-v2"}}});
        let new =
            json!({"metadata": {"name": "lie", "annotations": {SCC_ANNOTATION: "privileged"}}});
        let mut kept = new.clone();
        super::super::keep_admission(&old, &mut kept);
        let p = patch(&new, &kept).expect("a patch");
        assert_eq!(
            apply(&p, &new)["metadata"]["annotations"][SCC_ANNOTATION],
            "restricted-v2"
        );
        assert_eq!(patch(&old, &old), None);
    }

    #[test]
    fn pods_without_a_namespace_get_the_requests() {
        let request = json!({"namespace": "zk", "object": {"metadata": {"name": "zk-0"}}});
        assert_eq!(util::namespace(&pod_of(&request)), "zk");
        let user = requester(
            &json!({"userInfo": {"username": "developer", "groups": ["system:authenticated"]}}),
        );
        assert_eq!(user.name, "developer");
        assert_eq!(user.groups, vec!["system:authenticated".to_string()]);
    }
}
