//! A local port-forward bridge: a listener on `127.0.0.1:<free port>` whose every accepted
//! connection is piped to its own kube-rs port-forward stream to one port of one pod.
//!
//! kube-rs' `Api::<Pod>::portforward` hands out a duplex stream but binds no local port, so a
//! client library that dials TCP (a ZooKeeper client) cannot use it directly. This bridge gives
//! such a library an address; each connection it makes (the first and every reconnect) opens a
//! fresh port-forward to the same pod, so the library really talks to that pod and no other.
//! The bridge stops (listener and every open connection) when it is dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, anyhow};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A running bridge to one pod's port.
pub struct LocalForward {
    addr: SocketAddr,
    pod: String,
    errors: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl LocalForward {
    /// Binds `127.0.0.1:0` and bridges connections to `pod`'s `port` in `namespace`. Nothing
    /// is asked of the API server until the first connection.
    pub async fn start(
        client: &Client,
        namespace: &str,
        pod: &str,
        port: u16,
    ) -> anyhow::Result<LocalForward> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("cannot listen on 127.0.0.1 for a port-forward")?;
        let addr = listener.local_addr()?;
        let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
        let errors = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept_loop(
            listener,
            pods,
            pod.to_owned(),
            port,
            Arc::clone(&errors),
        ));
        Ok(LocalForward {
            addr,
            pod: pod.to_owned(),
            errors,
            task,
        })
    }

    /// The local address to dial.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The pod it forwards to.
    pub fn pod(&self) -> &str {
        &self.pod
    }

    /// The last error opening or running a port-forward, if any (e.g. `pods/portforward` is
    /// forbidden): the library that dialled only sees its connection closed.
    pub fn last_error(&self) -> Option<String> {
        self.errors.lock().ok()?.last().cloned()
    }
}

impl Drop for LocalForward {
    fn drop(&mut self) {
        // Dropping the accept task drops its JoinSet, which aborts every open connection.
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    pods: Api<Pod>,
    pod: String,
    port: u16,
    errors: Arc<Mutex<Vec<String>>>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut socket, _)) = accepted else { continue };
                let (pods, pod, errors) = (pods.clone(), pod.clone(), Arc::clone(&errors));
                connections.spawn(async move {
                    // The error is recorded before the socket closes, so whoever dialled
                    // finds it once it sees the connection end.
                    if let Err(err) = pipe(&mut socket, &pods, &pod, port).await
                        && let Ok(mut errors) = errors.lock()
                    {
                        errors.push(crate::cluster::error::one_line(&err));
                    }
                    drop(socket);
                });
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Pipes one local connection to a new port-forward stream until either side closes.
async fn pipe(socket: &mut TcpStream, pods: &Api<Pod>, pod: &str, port: u16) -> anyhow::Result<()> {
    let mut forwarder = pods.portforward(pod, &[port]).await.map_err(|err| {
        let why = match err {
            kube::Error::Api(status) => format!("{} ({})", status.message, status.reason),
            other => other.to_string(),
        };
        anyhow!("port-forward to pod {pod} port {port}: {why}")
    })?;
    let mut stream = forwarder
        .take_stream(port)
        .ok_or_else(|| anyhow!("port-forward to pod {pod} gave no stream"))?;
    let copied = tokio::io::copy_bidirectional(socket, &mut stream).await;
    drop(stream);
    forwarder.abort();
    // A reset by either side after a session ends is ordinary; only a failure to connect
    // (above) is worth reporting.
    let _ = copied;
    Ok(())
}
