//! One HTTPS server loop for what this crate serves to the API server: the node agent's kubelet
//! API and the OpenShift mode's admission webhooks. Each connection is served (HTTP/1.1, with
//! upgrades) until it ends or `shutdown` fires.

use hyper::body::Incoming;
use hyper::{Request, Response};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Accepts TLS connections on `listener` and answers each request with `handler`, until
/// `shutdown`.
pub fn serve<H, F, B>(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shutdown: watch::Receiver<bool>,
    handler: H,
) -> tokio::task::JoinHandle<()>
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    tokio::spawn(async move {
        let mut stop = shutdown.clone();
        loop {
            let conn = tokio::select! {
                r = listener.accept() => r,
                _ = stop.changed() => return,
            };
            let Ok((tcp, _)) = conn else { continue };
            let (acceptor, handler) = (acceptor.clone(), handler.clone());
            let mut sd = shutdown.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req| {
                    let response = handler(req);
                    async move { Ok::<_, std::convert::Infallible>(response.await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                    .with_upgrades();
                tokio::select! {
                    _ = conn => {}
                    _ = sd.changed() => {}
                }
            });
        }
    })
}
