//! The kubelet API of one node: HTTPS on `<InternalIP>:10250` with a certificate of the cluster's
//! CA for that address (the API server verifies it: `--kubelet-certificate-authority`), serving
//! what the API server proxies to a kubelet — exec, port-forward and container logs (see
//! `subresources::kubelet_api`). WebSocket upgrades pass through the API server unchanged,
//! because the node declares `ExtendWebSocketsToKubelet`.
//!
//! Client certificates are not checked: only the API server can reach this address (it is on
//! the cluster's bridge), where a real kubelet would authenticate it and ask the API server to
//! authorize each request.

use crate::kubelet::Shared;
use crate::mirror::Mirror;
use anyhow::{Context, Result};
use std::net::Ipv4Addr;
use std::sync::{Arc, Weak};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The kubelet port.
pub const PORT: u16 = 10250;

/// Binds `ip:10250` and serves until shutdown.
pub async fn serve(
    ip: Ipv4Addr,
    tls: Arc<rustls::ServerConfig>,
    ctx: Arc<Mirror>,
    kubelet: Weak<Shared>,
    shutdown: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind((ip, PORT))
        .await
        .with_context(|| format!("binding {ip}:{PORT}"))?;
    Ok(crate::https::serve(listener, tls, shutdown, move |req| {
        crate::subresources::kubelet_api(ctx.clone(), kubelet.clone(), req)
    }))
}
