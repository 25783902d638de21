//! `pods/NAME/portforward` over WebSocket `v4.channel.k8s.io`, as the kubelet serves it: per
//! requested port `i` a data channel `2i` and an error channel `2i+1`, the first frame on each
//! carrying the port (u16 little-endian). Each port is connected at once to `localhost:PORT`
//! inside the pod's network namespace (as containerd does); a failure is written on the error
//! channel in containerd's and the kubelet's words. When every port's pod side has closed, the
//! socket closes.

use super::websocket::{self, V4, Ws};
use super::{Kubelet, Query, get_pod, require_host, sandbox_id};
use crate::mirror::errors::ApiError;
use crate::mirror::{Body, Mirror, error_response, full};
use crate::util;
use futures::StreamExt;
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The ports of a request: `ports` repeated or comma-separated (kube-rs joins them).
fn parse_ports(q: &Query) -> Result<Vec<u16>, String> {
    let raw = q.all("ports");
    if raw.is_empty() {
        return Err("query parameter \"port\" is required".into());
    }
    let mut ports = Vec::new();
    for s in raw {
        if s.is_empty() {
            return Err("query parameter \"port\" cannot be empty".into());
        }
        for p in s.split(',') {
            match p.trim().parse::<u16>() {
                Ok(0) => return Err(format!("port {s:?} must be > 0")),
                Ok(n) => ports.push(n),
                Err(e) => return Err(format!("unable to parse {s:?} as a port: {e}")),
            }
        }
    }
    Ok(ports)
}

pub(super) async fn handle(
    k: Kubelet,
    ctx: Arc<Mirror>,
    mut req: Request<Incoming>,
    ns: String,
    name: String,
) -> Response<Body> {
    let q = Query::of(&req);
    let pod = match get_pod(&ctx, &ns, &name) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    if let Err(e) = require_host(&pod, &name) {
        return error_response(&e);
    }
    // the protocol first: SPDY (kubectl port-forward) sends its ports in stream headers
    let (accepted, response) = match websocket::accept(&mut req, &[V4], Some(V4)) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let ports = match parse_ports(&q) {
        Ok(p) => p,
        Err(msg) => return error_response(&ApiError::bad_request(msg)),
    };
    // the kubelet answers a pod it does not run with a plain-text 500 before any upgrade
    let Some(sandbox) = k.sandbox(&ns, &name) else {
        return Response::builder()
            .status(500)
            .header("content-type", "text/plain; charset=utf-8")
            .body(full(format!("pod not found (\"{name}_{ns}\")")))
            .unwrap_or_else(|_| Response::new(full("")));
    };
    let id = sandbox_id(util::uid(&pod));
    let netns = PathBuf::from("/run/netns").join(sandbox.netns());
    drop(sandbox);
    let shutdown = ctx.shutdown.clone();
    tokio::spawn(async move {
        if let Some(ws) = accepted.open().await {
            session(ws, ports, id, netns, shutdown).await;
        }
    });
    response
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::binary(v)
}

/// Go's wording of a dial error.
fn dial_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connect: connection refused".into(),
        io::ErrorKind::TimedOut => "i/o timeout".into(),
        io::ErrorKind::HostUnreachable => "connect: no route to host".into(),
        io::ErrorKind::NetworkUnreachable => "connect: network is unreachable".into(),
        io::ErrorKind::AddrNotAvailable => "connect: cannot assign requested address".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    }
}

/// Connects to `localhost:port` inside a network namespace: on a thread of its own that joins the
/// namespace and ends after connecting (the socket stays in the namespace it was made in).
async fn connect_in(
    netns: PathBuf,
    port: u16,
    id: String,
) -> Result<tokio::net::TcpStream, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let ns_text = netns.display().to_string();
    let spawned = std::thread::Builder::new().name("portforward".into()).spawn(move || {
        let result = (|| -> Result<TcpStream, String> {
            let f = std::fs::File::open(&netns).map_err(|e| format!("failed to open network namespace {ns_text:?}: {e}"))?;
            // SAFETY: setns on a namespace file we opened; it changes only this thread, which ends
            // right after connecting.
            if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                return Err(format!("failed to enter network namespace {ns_text:?}: {}", io::Error::last_os_error()));
            }
            let v4 = SocketAddr::from(([127, 0, 0, 1], port));
            match TcpStream::connect_timeout(&v4, CONNECT_TIMEOUT) {
                Ok(s) => Ok(s),
                Err(e4) => {
                    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
                    match TcpStream::connect_timeout(&v6, CONNECT_TIMEOUT) {
                        Ok(s) => Ok(s),
                        Err(e6) => Err(format!(
                            "failed to execute portforward in network namespace {ns_text:?}: failed to connect to localhost:{port} inside namespace {id:?}, IPv4: dial tcp4 {v4}: {} IPv6 dial tcp6 {v6}: {} ",
                            dial_error(&e4),
                            dial_error(&e6)
                        )),
                    }
                }
            }
        })();
        let _ = tx.send(result);
    });
    if let Err(e) = spawned {
        return Err(format!("failed to start a thread: {e}"));
    }
    let std_stream = rx
        .await
        .map_err(|_| "the connecting thread died".to_string())??;
    std_stream
        .set_nonblocking(true)
        .map_err(|e| e.to_string())?;
    tokio::net::TcpStream::from_std(std_stream).map_err(|e| e.to_string())
}

/// One port: connect, then copy both ways until the pod side closes.
async fn forward(
    i: usize,
    port: u16,
    netns: PathBuf,
    id: String,
    mut from_client: mpsc::Receiver<Vec<u8>>,
    tx: mpsc::Sender<Message>,
) {
    let data = (2 * i) as u8;
    let error = data + 1;
    let conn = match connect_in(netns, port, id.clone()).await {
        Ok(c) => c,
        Err(e) => {
            let msg = format!("error forwarding port {port} to pod {id}, uid : {e}");
            let _ = tx.send(frame(error, msg.as_bytes())).await;
            return;
        }
    };
    let (mut rd, mut wr) = conn.into_split();
    let to_pod = tokio::spawn(async move {
        while let Some(chunk) = from_client.recv().await {
            if wr.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = wr.shutdown().await;
    });
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match rd.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => {
                if tx.send(frame(data, &buf[..n])).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                let msg = format!(
                    "error forwarding port {port} to pod {id}, uid : read tcp4: {}",
                    dial_error(&e)
                );
                let _ = tx.send(frame(error, msg.as_bytes())).await;
                break;
            }
        }
    }
    to_pod.abort();
}

async fn session(
    ws: Ws,
    ports: Vec<u16>,
    id: String,
    netns: PathBuf,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (tx, writer, mut stream) = websocket::spawn_writer(ws);
    let mut to_ports = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, port) in ports.iter().copied().enumerate() {
        let le = port.to_le_bytes();
        let _ = tx.send(frame((2 * i) as u8, &le)).await;
        let _ = tx.send(frame((2 * i + 1) as u8, &le)).await;
        let (ctx_, crx) = mpsc::channel::<Vec<u8>>(16);
        to_ports.push(Some(ctx_));
        tasks.spawn(forward(i, port, netns.clone(), id.clone(), crx, tx.clone()));
    }
    drop(tx);
    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Binary(b))) if b.len() > 1 => {
                    let ch = b[0] as usize;
                    if ch.is_multiple_of(2)
                        && let Some(slot) = to_ports.get_mut(ch / 2)
                        && let Some(s) = slot.as_ref()
                        && s.send(b[1..].to_vec()).await.is_err()
                    {
                        *slot = None;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    tasks.abort_all();
                    writer.abort();
                    return;
                }
                Some(Ok(_)) => {}
            },
            done = tasks.join_next() => {
                if done.is_none() {
                    // every port is done: the writer sends what is left and closes
                    break;
                }
            }
            _ = shutdown.changed() => {
                tasks.abort_all();
                writer.abort();
                return;
            }
        }
    }
    drop(to_ports);
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_dial_wording() {
        assert_eq!(
            dial_error(&io::Error::from(io::ErrorKind::ConnectionRefused)),
            "connect: connection refused"
        );
    }
}
