//! The API server: HTTPS, bearer-token authentication of two users (`admin` in
//! `system:masters`, `developer`), RBAC authorization of every request, routing of the
//! Kubernetes REST paths, and a request log.

pub mod bootstrap_policy;
pub mod defaults;
pub mod discovery;
pub mod errors;
pub mod handlers;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod resources;
pub mod reviews;
pub mod select;
pub mod store;
pub mod tables;
mod watch;

use bytes::Bytes;
use errors::ApiError;
use futures::StreamExt;
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch as tokio_watch;

pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// A handler for pod subresources that need the raw request (exec, attach, portforward, proxy,
/// log): issue 4 plugs its implementation in here.
pub trait PodSubresources: Send + Sync + 'static {
    /// Returns None to let the API server answer (405/404).
    fn handle(
        &self,
        ctx: Arc<ApiContext>,
        req: Request<Incoming>,
        namespace: String,
        pod: String,
        sub: String,
        rest: Vec<String>,
    ) -> futures::future::BoxFuture<'static, Option<Response<Body>>>;
}

/// Everything a request handler needs.
pub struct ApiContext {
    pub store: Arc<Store>,
    /// The bearer token of user `admin` (groups `system:masters`, `system:authenticated`).
    pub token: String,
    /// The bearer token of user `developer` (group `system:authenticated`).
    pub developer_token: String,
    pub server_addr: String,
    pub fast: bool,
    /// The resource types served (OpenShift's too in OpenShift mode).
    pub served: resources::Served,
    pub state_dir: PathBuf,
    log: Mutex<Option<std::fs::File>>,
    pub shutdown: tokio_watch::Receiver<bool>,
    pub pod_subresources: Mutex<Option<Arc<dyn PodSubresources>>>,
}

impl ApiContext {
    /// A context that serves no requests: a node agent's local mirror of what the real API server
    /// holds, read by the kubelet and the kubelet API's handlers.
    pub fn mirror(
        store: Arc<Store>,
        state_dir: PathBuf,
        fast: bool,
        shutdown: tokio_watch::Receiver<bool>,
    ) -> Arc<ApiContext> {
        Arc::new(ApiContext {
            store,
            token: String::new(),
            developer_token: String::new(),
            server_addr: String::new(),
            fast,
            served: resources::Served { openshift: false },
            state_dir,
            log: Mutex::new(None),
            shutdown,
            pod_subresources: Mutex::new(None),
        })
    }

    fn log(&self, user: &str, verb: &str, method: &str, path: &str, status: u16, started: Instant) {
        let line = json!({
            "time": crate::util::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "user": user, "verb": verb, "method": method, "path": path, "status": status,
            "durationMs": started.elapsed().as_secs_f64() * 1000.0,
        });
        if let Ok(mut g) = self.log.lock()
            && let Some(f) = g.as_mut()
        {
            let _ = writeln!(f, "{line}");
        }
    }
}

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

pub fn json_response(code: u16, v: &Value) -> Response<Body> {
    let body = serde_json::to_vec(v).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .header("cache-control", "no-cache, private")
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full(Bytes::new())))
}

pub fn error_response(e: &ApiError) -> Response<Body> {
    json_response(e.code, &e.status())
}

/// A streamed body fed from a channel of chunks.
pub fn stream_body(rx: tokio::sync::mpsc::Receiver<Bytes>) -> Body {
    let s = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(Frame::data(b)), rx))
    });
    BodyExt::boxed_unsync(StreamBody::new(s.boxed()))
}

/// A running API server.
pub struct ApiServer {
    pub ctx: Arc<ApiContext>,
    pub addr: SocketAddr,
    accept: tokio::task::JoinHandle<()>,
}

impl ApiServer {
    /// Binds 127.0.0.1:<free port> and serves until the shutdown signal.
    #[allow(clippy::too_many_arguments)]
    pub async fn start(
        store: Arc<Store>,
        token: String,
        developer_token: String,
        tls: Arc<rustls::ServerConfig>,
        state_dir: PathBuf,
        fast: bool,
        served: resources::Served,
        shutdown: tokio_watch::Receiver<bool>,
    ) -> anyhow::Result<ApiServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(state_dir.join("requests.log"))
            .ok();
        let ctx = Arc::new(ApiContext {
            store,
            token,
            developer_token,
            server_addr: addr.to_string(),
            fast,
            served,
            state_dir,
            log: Mutex::new(log),
            shutdown: shutdown.clone(),
            pod_subresources: Mutex::new(None),
        });
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let c = ctx.clone();
        let accept = tokio::spawn(async move {
            let mut shutdown = shutdown;
            loop {
                let conn = tokio::select! {
                    r = listener.accept() => r,
                    _ = shutdown.changed() => return,
                };
                let Ok((tcp, _peer)) = conn else { continue };
                let acceptor = acceptor.clone();
                let ctx = c.clone();
                let mut sd = shutdown.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let io = hyper_util::rt::TokioIo::new(tls);
                    let svc = hyper::service::service_fn(move |req| {
                        let ctx = ctx.clone();
                        async move { Ok::<_, std::convert::Infallible>(serve(ctx, req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, svc)
                        .with_upgrades();
                    tokio::select! {
                        _ = conn => {}
                        _ = sd.changed() => {}
                    }
                });
            }
        });
        Ok(ApiServer { ctx, addr, accept })
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn stop(&self) {
        self.accept.abort();
    }
}

fn kube_verb(method: &hyper::Method, has_name: bool, watch: bool) -> &'static str {
    match *method {
        hyper::Method::GET if watch => "watch",
        hyper::Method::GET if has_name => "get",
        hyper::Method::GET => "list",
        hyper::Method::POST => "create",
        hyper::Method::PUT => "update",
        hyper::Method::PATCH => "patch",
        hyper::Method::DELETE if has_name => "delete",
        hyper::Method::DELETE => "deletecollection",
        _ => "unknown",
    }
}

/// The user a request's bearer token belongs to (None: 401).
fn authenticate(ctx: &ApiContext, headers: &hyper::HeaderMap) -> Option<rbac::UserInfo> {
    let token = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })?
        .trim();
    let (name, groups): (&str, &[&str]) = if token == ctx.token {
        ("admin", &[rbac::MASTERS_GROUP, rbac::AUTHENTICATED_GROUP])
    } else if token == ctx.developer_token {
        ("developer", &[rbac::AUTHENTICATED_GROUP])
    } else {
        return None;
    };
    Some(rbac::UserInfo {
        name: name.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    })
}

async fn serve(ctx: Arc<ApiContext>, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let full_path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let user = authenticate(&ctx, req.headers());
    let watch = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "watch" && (v == "true" || v == "1"))
    });
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let has_name = handlers::path_has_name(&segs);
    let verb = kube_verb(&method, has_name, watch);
    let Some(user) = user else {
        let resp = error_response(&ApiError::unauthorized());
        ctx.log(
            "system:anonymous",
            verb,
            method.as_str(),
            &full_path,
            401,
            started,
        );
        return resp;
    };
    let access = rbac::Access::from_request(method.as_str(), &path, req.uri().query());
    let decision = access.authorize(&ctx.store, &user);
    let resp = if decision.allowed {
        rbac::REQUEST_USER
            .scope(user.clone(), handlers::route(ctx.clone(), req))
            .await
    } else {
        error_response(&access.forbidden(&user, &decision.reason))
    };
    ctx.log(
        &user.name,
        verb,
        method.as_str(),
        &full_path,
        resp.status().as_u16(),
        started,
    );
    resp
}
