//! ZooKeeper 3.9's AdminServer snapshot (`GET /commands/snapshot?streaming=true`), streamed
//! over a port-forward to the AdminServer port.
//!
//! The command needs authentication with ALL permissions on `/`: an `Authorization: digest
//! super:<password>` header, which the superuser digest the servers start with
//! (`-Dzookeeper.DigestAuthenticationProvider.superDigest`) accepts. The API server's pod
//! proxy cannot carry it: the API server authenticates the request by its own `Authorization`
//! header and removes it, so the request goes through a port-forward, as plain HTTP/1.0 (no
//! chunked encoding: the body is the snapshot file, to the end of the stream). The password
//! is never logged or printed.

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::zookeeper::MemberTarget;
use crate::manifest::ADMIN_PORT;

/// What the AdminServer answered before the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHead {
    /// The HTTP status.
    pub status: u16,
    /// `last_zxid`: the zxid the snapshot file is named for (`0x…`).
    pub last_zxid: Option<String>,
    /// `snapshot_size`: the file's size.
    pub size: Option<u64>,
}

/// Why a snapshot could not be taken, for the caller to decide what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotRefused {
    /// 503: the command is disabled (`admin.snapshot.enabled=false`).
    #[error(
        "the AdminServer's snapshot command is disabled on {0}; enable it with `kubectl zk config set admin.snapshot.enabled=true`"
    )]
    Disabled(String),
    /// 429: ZooKeeper allows one snapshot per server every `admin.rateLimiterIntervalInMS`.
    #[error(
        "{0} took an AdminServer snapshot too recently (ZooKeeper's rate limit, zookeeper.admin.rateLimiterIntervalInMS); try again in a moment"
    )]
    RateLimited(String),
    /// 401/403: the superuser was not accepted.
    #[error(
        "{0} refused the superuser (HTTP {1}): its server was not started with the digest of the ensemble's admin Secret; `kubectl zk install` with this version restarts the members with it"
    )]
    Unauthorized(String, u16),
    /// Any other status.
    #[error("{0} answered HTTP {1} to the snapshot command")]
    Failed(String, u16),
}

/// Parses the status line and headers (up to the blank line). Pure.
pub fn parse_head(head: &str) -> Option<SnapshotHead> {
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut parsed = SnapshotHead {
        status,
        last_zxid: None,
        size: None,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "last_zxid" => parsed.last_zxid = Some(value.trim().to_owned()),
            "snapshot_size" => parsed.size = value.trim().parse().ok(),
            _ => {}
        }
    }
    Some(parsed)
}

/// A snapshot being answered: the head read, the body still to come.
pub struct SnapshotStream {
    /// What the AdminServer said before the body.
    pub head: SnapshotHead,
    pod: String,
    body: Box<dyn tokio::io::AsyncRead + Send + Unpin>,
    forwarder: kube::api::Portforwarder,
}

/// Asks `target`'s AdminServer for a snapshot and reads the answer's head. A refusal is a
/// [`SnapshotRefused`] inside the error.
pub async fn request_snapshot(
    client: &Client,
    target: &MemberTarget,
    password: &str,
) -> anyhow::Result<SnapshotStream> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let port = ADMIN_PORT as u16;
    let mut forwarder = pods
        .portforward(&target.pod, &[port])
        .await
        .with_context(|| {
            format!(
                "cannot port-forward to pod {} port {port} in namespace {}",
                target.pod, target.namespace
            )
        })?;
    let mut stream = forwarder
        .take_stream(port)
        .ok_or_else(|| anyhow!("port-forward to pod {} gave no stream", target.pod))?;
    let request = format!(
        "GET /commands/snapshot?streaming=true HTTP/1.0\r\nHost: localhost\r\nAuthorization: digest super:{password}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    stream.flush().await?;
    // The head, read a byte at a time up to the blank line (a few hundred bytes).
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            bail!(
                "the AdminServer of {} sent no end of its headers",
                target.pod
            );
        }
        let mut byte = [0u8; 1];
        if stream.read(&mut byte).await? == 0 {
            bail!(
                "the AdminServer of {} closed the connection before answering",
                target.pod
            );
        }
        head.push(byte[0]);
    }
    let head = parse_head(&String::from_utf8_lossy(&head))
        .ok_or_else(|| anyhow!("the AdminServer of {} did not answer HTTP", target.pod))?;
    let pod = target.pod.clone();
    match head.status {
        200 => {}
        503 => return Err(SnapshotRefused::Disabled(pod).into()),
        429 => return Err(SnapshotRefused::RateLimited(pod).into()),
        401 | 403 => return Err(SnapshotRefused::Unauthorized(pod, head.status).into()),
        other => return Err(SnapshotRefused::Failed(pod, other).into()),
    }
    Ok(SnapshotStream {
        head,
        pod,
        body: Box::new(stream),
        forwarder,
    })
}

impl SnapshotStream {
    /// The file name ZooKeeper gave the snapshot (`snapshot.<zxid>`), from `last_zxid`.
    pub fn file_name(&self) -> anyhow::Result<String> {
        let zxid = self
            .head
            .last_zxid
            .as_deref()
            .and_then(|z| crate::zk::Zxid::from_hex(z).ok())
            .ok_or_else(|| anyhow!("the AdminServer of {} sent no last_zxid", self.pod))?;
        Ok(format!("snapshot.{:x}", zxid.0))
    }

    /// Streams the body into `sink`; returns the bytes written, checked against
    /// `snapshot_size`.
    pub async fn copy_to(mut self, sink: &mut dyn std::io::Write) -> anyhow::Result<u64> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = self.body.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            sink.write_all(&buf[..n])
                .context("cannot write the local file")?;
            total += n as u64;
        }
        drop(self.body);
        self.forwarder.abort();
        if let Some(size) = self.head.size
            && size != total
        {
            bail!(
                "the AdminServer of {} sent {total} bytes of a {size}-byte snapshot",
                self.pod
            );
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_as_jetty_sends_them() {
        let head = "HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 23:30:00 GMT\r\nlast_zxid: 0x100000005\r\nsnapshot_size: 1234\r\nContent-Type: application/octet-stream\r\n\r\n";
        assert_eq!(
            parse_head(head),
            Some(SnapshotHead {
                status: 200,
                last_zxid: Some("0x100000005".into()),
                size: Some(1234)
            })
        );
        assert_eq!(
            parse_head("HTTP/1.1 429 Too Many Requests\r\n\r\n").map(|h| h.status),
            Some(429)
        );
        assert_eq!(parse_head("garbage"), None);
    }
}
