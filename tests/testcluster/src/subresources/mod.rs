//! The kubelet API's pod subresources: `exec` and `portforward` over WebSocket, and `log`, served
//! by the node agent on `:10250` ([`kubelet_api`]) for the real API server to proxy to.
//!
//! What the real pair (API server 1.30+ with its WebSocket→SPDY stream translator, kubelet,
//! containerd) does is modelled where a client can see it: the checks the API server makes before
//! an upgrade (pod, container, host), the status written on the error channel after it, and the
//! wording of every error. Not modelled: SPDY (exec, attach and port-forward are WebSocket only, so
//! `kubectl port-forward`, which tunnels SPDY, does not work), `attach`, TTYs (a `tty=true` exec
//! gets pipes, stderr merged into stdout), the base64 channel protocols, and RBAC.

mod exec;
mod log;
mod portforward;
mod websocket;

use crate::kubelet::Shared;
use crate::mirror::errors::ApiError;
use crate::mirror::resources::keys;
use crate::mirror::{Body, Mirror, error_response};
use crate::runtime::Sandbox;
use crate::util;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;
use std::sync::{Arc, Weak};

/// The kubelet API as a node agent serves it (`:10250`), for a real API server that proxies
/// `pods/exec`, `pods/portforward` and `pods/log` to the pod's node: `/exec/NS/POD/CONTAINER`
/// (query `command`, `input`, `output`, `error`, `tty`), `/portForward/NS/POD` (`port`),
/// `/containerLogs/NS/POD/CONTAINER` (the log options), `/healthz`. Each is answered by the same
/// handler, its query spelled as the API server's own subresource query.
pub async fn kubelet_api(
    ctx: Arc<Mirror>,
    kubelet: Weak<Shared>,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let path: Vec<String> = req
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(|p| {
            form_urlencoded::parse(format!("x={p}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let q = Query::of(&req);
    let rename = |from: &str, to: &str, out: &mut Vec<(String, String)>| {
        out.extend(q.all(from).into_iter().map(|v| (to.to_string(), v)));
    };
    let mut query: Vec<(String, String)> = Vec::new();
    let k = Kubelet(kubelet);
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    let (sub, ns, pod) = match parts.as_slice() {
        ["healthz"] => return crate::mirror::json_response(200, &serde_json::json!("ok")),
        ["exec", ns, pod, container] => {
            query.push(("container".into(), container.to_string()));
            rename("command", "command", &mut query);
            for (from, to) in [
                ("input", "stdin"),
                ("output", "stdout"),
                ("error", "stderr"),
                ("tty", "tty"),
            ] {
                rename(from, to, &mut query);
            }
            ("exec", *ns, *pod)
        }
        ["portForward", ns, pod] => {
            rename("port", "ports", &mut query);
            ("portforward", *ns, *pod)
        }
        ["containerLogs", ns, pod, container] => {
            query.push(("container".into(), container.to_string()));
            query.extend(q.0.iter().cloned());
            ("log", *ns, *pod)
        }
        _ => {
            return error_response(&ApiError::not_found("", "", req.uri().path()));
        }
    };
    let (ns, pod) = (ns.to_string(), pod.to_string());
    let encoded: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let uri = format!("/{sub}?{encoded}");
    match uri.parse() {
        Ok(u) => *req.uri_mut() = u,
        Err(_) => return error_response(&ApiError::bad_request("bad query")),
    }
    match sub {
        // a refused upgrade keeps its `Status` body: clients decode it from the proxied answer
        "exec" => exec::handle(k, ctx, req, ns, pod).await,
        "portforward" => portforward::handle(k, ctx, req, ns, pod).await,
        _ => plain_errors(log::handle(k, ctx, req, ns, pod).await).await,
    }
}

/// A kubelet answers a log error in plain text (the API server wraps it into a `Status`): the
/// message of the handler's `Status` body, with its code.
async fn plain_errors(response: Response<Body>) -> Response<Body> {
    use http_body_util::BodyExt;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let bytes = match response.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => bytes::Bytes::new(),
    };
    let message = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(crate::mirror::full(message))
        .unwrap_or_else(|_| Response::new(crate::mirror::full(bytes::Bytes::new())))
}

/// The kubelet, if the cluster still runs.
#[derive(Clone)]
struct Kubelet(Weak<Shared>);

impl Kubelet {
    /// The sandbox of a running pod (whatever its containers do).
    fn sandbox(&self, ns: &str, pod: &str) -> Option<Sandbox> {
        let shared = self.0.upgrade()?;
        let g = shared.running.lock().ok()?;
        g.values()
            .find(|r| r.namespace == ns && r.name == pod)
            .map(|r| r.sandbox.clone())
    }

    /// A running container's sandbox and process.
    fn container(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
    ) -> Option<(Sandbox, crate::runtime::Container)> {
        let shared = self.0.upgrade()?;
        shared
            .container(ns, pod, Some(container))
            .filter(|(_, c)| c.try_status().is_none())
    }
}

/// Query parameters, repeated ones kept.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    fn of(req: &Request<Incoming>) -> Query {
        Query(
            req.uri()
                .query()
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter as the API server parses it (`true`, `1`, …).
    fn flag(&self, key: &str) -> bool {
        self.first(key).is_some_and(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "1" | "t" | "yes" | "y"
            )
        })
    }
}

/// The pod, or 404 as the API server words it.
fn get_pod(ctx: &Mirror, ns: &str, name: &str) -> Result<Value, ApiError> {
    ctx.store
        .get(keys::PODS, ns, name)
        .ok_or_else(|| ApiError::not_found("pods", "", name))
}

fn container_names(pod: &Value, key: &str) -> Vec<String> {
    util::arr(pod, &["spec", key])
        .iter()
        .map(|c| util::s(c, &["name"]).to_string())
        .collect()
}

/// The container a request is for, checked the way the API server's `streamLocation` and
/// `LogLocation` check it.
fn resolve_container(pod: &Value, name: &str, requested: Option<&str>) -> Result<String, ApiError> {
    let containers = container_names(pod, "containers");
    let init = container_names(pod, "initContainers");
    match requested.filter(|c| !c.is_empty()) {
        Some(c) if containers.iter().chain(init.iter()).any(|n| n == c) => Ok(c.to_string()),
        Some(c) => Err(ApiError::bad_request(format!(
            "container {c} is not valid for pod {name}"
        ))),
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => {
            let mut msg = format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            );
            if !init.is_empty() {
                msg.push_str(&format!(
                    " or one of the init containers: [{}]",
                    init.join(" ")
                ));
            }
            Err(ApiError::bad_request(msg))
        }
    }
}

/// `pod X does not have a host assigned` (400) for a pod not yet scheduled.
fn require_host(pod: &Value, name: &str) -> Result<(), ApiError> {
    if util::s(pod, &["spec", "nodeName"]).is_empty() {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    Ok(())
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// `metav1.Status` as the stream translator writes it on the error channel (no kind/apiVersion,
/// Go's field order).
fn status_success() -> String {
    r#"{"metadata":{},"status":"Success"}"#.to_string()
}

/// Exit code `code` ≠ 0, as the API server's stream translator words it (it wraps the error
/// client-go's decoder made of the kubelet's status).
fn status_exit_code(code: i32) -> String {
    format!(
        r#"{{"metadata":{{}},"status":"Failure","message":{},"reason":"NonZeroExitCode","details":{{"causes":[{{"reason":"ExitCode","message":"{code}"}}]}}}}"#,
        js(&format!(
            "command terminated with non-zero exit code: command terminated with exit code {code}"
        ))
    )
}

/// `apierrors.NewInternalError(err)`.
fn status_internal(err: &str) -> String {
    format!(
        r#"{{"metadata":{{}},"status":"Failure","message":{},"reason":"InternalError","details":{{"causes":[{{"message":{}}}]}},"code":500}}"#,
        js(&format!("Internal error occurred: {err}")),
        js(err)
    )
}

/// A 64-hex id, like a container runtime's.
fn runtime_id() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// A sandbox id derived from the pod uid (stable for the pod's life).
fn sandbox_id(uid: &str) -> String {
    let hex: String = uid.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    format!("{hex:0>64}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_worded_and_ordered_like_the_api_server() {
        assert_eq!(status_success(), r#"{"metadata":{},"status":"Success"}"#);
        assert_eq!(
            status_exit_code(3),
            r#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
        );
        assert_eq!(
            status_internal("a \"b\""),
            r#"{"metadata":{},"status":"Failure","message":"Internal error occurred: a \"b\"","reason":"InternalError","details":{"causes":[{"message":"a \"b\""}]},"code":500}"#
        );
        assert_eq!(sandbox_id("0a-1b").len(), 64);
    }
}
