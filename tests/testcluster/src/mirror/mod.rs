//! A node agent's local mirror of what the real API server holds about its nodes' pods (the pods
//! bound to them and the ConfigMaps, Secrets, claims, volumes and Services they use), read by the
//! kubelet and by the kubelet API's handlers; and the HTTP helpers those handlers answer with.

pub mod errors;
pub mod resources;
pub mod store;

use bytes::Bytes;
use errors::ApiError;
use futures::StreamExt;
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::Frame;
use hyper::{Response, StatusCode};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;
use tokio::sync::watch;

pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// The mirror and what the kubelet's workers read beside it.
pub struct Mirror {
    pub store: Arc<Store>,
    /// Shorter waits for tests (`--fast`).
    pub fast: bool,
    pub state_dir: PathBuf,
    pub shutdown: watch::Receiver<bool>,
}

impl Mirror {
    pub fn new(
        store: Arc<Store>,
        state_dir: PathBuf,
        fast: bool,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Mirror> {
        Arc::new(Mirror {
            store,
            fast,
            state_dir,
            shutdown,
        })
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
