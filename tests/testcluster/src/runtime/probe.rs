//! Probe primitives the kubelet schedules: exec inside a container, HTTP GET and TCP connect to the
//! pod IP (reachable from the host over the cluster bridge). Messages follow the kubelet's wording.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::container::Container;
use super::sandbox::Sandbox;

/// The outcome of one probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    /// Passed.
    Success,
    /// Failed, with the kubelet-style reason (shown in `Unhealthy` events).
    Failure(String),
}

impl ProbeResult {
    /// Whether the probe passed.
    pub fn is_success(&self) -> bool {
        matches!(self, ProbeResult::Success)
    }
}

/// Most output an exec probe keeps for its failure message.
const MAX_OUTPUT: usize = 10 * 1024;

/// Runs `argv` inside the container (see [`Sandbox::exec`]); success is exit code 0. After
/// `timeout` the command's process group is killed and the probe fails.
pub async fn probe_exec(
    sandbox: &Sandbox,
    container: &Container,
    argv: &[String],
    timeout: Duration,
) -> ProbeResult {
    let process = match sandbox.exec(container, argv, &[]).await {
        Ok(p) => p,
        Err(e) => return ProbeResult::Failure(format!("{e:#}")),
    };
    match tokio::time::timeout(timeout, process.output()).await {
        Err(_) => ProbeResult::Failure(format!("command {:?} timed out", argv.join(" "))),
        Ok(Err(e)) => ProbeResult::Failure(format!("{e:#}")),
        Ok(Ok(out)) if out.status.success() => ProbeResult::Success,
        Ok(Ok(out)) => {
            let mut text = out.stdout;
            text.extend_from_slice(&out.stderr);
            text.truncate(MAX_OUTPUT);
            let text = String::from_utf8_lossy(&text);
            let text = text.trim_end();
            if text.is_empty() {
                ProbeResult::Failure(format!(
                    "command {:?} exited with {}",
                    argv.join(" "),
                    out.status.exit_code()
                ))
            } else {
                ProbeResult::Failure(text.to_owned())
            }
        }
    }
}

/// `GET http://ip:port/path` as the kubelet sends it; success is a status in 200..=399.
pub async fn probe_http(ip: Ipv4Addr, port: u16, path: &str, timeout: Duration) -> ProbeResult {
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let url = format!("http://{ip}:{port}{path}");
    let attempt = async {
        let mut stream = TcpStream::connect(SocketAddr::from((ip, port)))
            .await
            .map_err(|e| {
                format!(
                    "Get {url:?}: dial tcp {ip}:{port}: connect: {}",
                    io_reason(&e)
                )
            })?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {ip}:{port}\r\nUser-Agent: kube-probe/1.33\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("Get {url:?}: {e}"))?;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|e| format!("Get {url:?}: {e}"))?;
            if n == 0 {
                return Err(format!("Get {url:?}: EOF"));
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&head);
        let code: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| {
                format!(
                    "Get {url:?}: malformed HTTP response {:?}",
                    line.lines().next().unwrap_or("")
                )
            })?;
        Ok(code)
    };
    match tokio::time::timeout(timeout, attempt).await {
        Err(_) => ProbeResult::Failure(format!(
            "Get {url:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        )),
        Ok(Err(msg)) => ProbeResult::Failure(msg),
        Ok(Ok(code)) if (200..=399).contains(&code) => ProbeResult::Success,
        Ok(Ok(code)) => ProbeResult::Failure(format!("HTTP probe failed with statuscode: {code}")),
    }
}

/// Opens a TCP connection to `ip:port`; success is a completed connect.
pub async fn probe_tcp(ip: Ipv4Addr, port: u16, timeout: Duration) -> ProbeResult {
    match tokio::time::timeout(timeout, TcpStream::connect(SocketAddr::from((ip, port)))).await {
        Ok(Ok(_)) => ProbeResult::Success,
        Ok(Err(e)) => {
            ProbeResult::Failure(format!("dial tcp {ip}:{port}: connect: {}", io_reason(&e)))
        }
        Err(_) => ProbeResult::Failure(format!("dial tcp {ip}:{port}: i/o timeout")),
    }
}

/// Go's wording for common connect errors.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        _ => e.to_string(),
    }
}
