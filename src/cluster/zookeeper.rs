//! Asking a ZooKeeper server inside a pod, three ways: the AdminServer through the API
//! server's pod proxy (one HTTP request, no whitelist), a four-letter word over a
//! port-forward (needs nothing in the image), or a four-letter word through exec (needs `sh`
//! and `nc` in the image). Each returns the raw answer; `zk::` parses it.

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;

use kube::Client;
use kube::api::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::Via;
use crate::manifest::options::Flavor;
use crate::manifest::{ADMIN_PORT, CLIENT_PORT};
use crate::zk::four_letter::FourLetterWord;

/// The transports to try, in order: the one asked for, else the AdminServer through the pod
/// proxy (one HTTP request, no whitelist), then `srvr` over a port-forward, then through
/// exec. ZooKeeper 3.4 (the seeds' image) has no AdminServer. The one place the order is
/// written.
pub fn transports(via: Option<Via>, flavor: Option<Flavor>) -> &'static [Via] {
    match (via, flavor) {
        (Some(Via::Proxy), _) => &[Via::Proxy],
        (Some(Via::PortForward), _) => &[Via::PortForward],
        (Some(Via::Exec), _) => &[Via::Exec],
        (None, Some(Flavor::K8sTutorial)) => &[Via::PortForward, Via::Exec],
        (None, _) => &[Via::Proxy, Via::PortForward, Via::Exec],
    }
}

/// The word a transport is shown as (`proxy`, `port-forward`, `exec`).
pub fn transport_name(via: Via) -> &'static str {
    match via {
        Via::Proxy => "proxy",
        Via::PortForward => "port-forward",
        Via::Exec => "exec",
    }
}

/// How to reach one member.
#[derive(Debug, Clone)]
pub struct MemberTarget {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// The ZooKeeper container.
    pub container: Option<String>,
}

/// The largest answer read (3.8's `mntr` is ~30 KB).
const MAX_ANSWER: u64 = 4 * 1024 * 1024;

/// `GET /commands/<command>` on the AdminServer through the pod proxy. The body is returned
/// for 2xx and for 5xx answers (3.8's `monitor` answers 500 without a quorum); other
/// failures are errors.
pub async fn admin_command(
    client: &Client,
    target: &MemberTarget,
    command: &str,
) -> anyhow::Result<String> {
    let path = format!(
        "/api/v1/namespaces/{}/pods/{}:{ADMIN_PORT}/proxy/commands/{command}",
        target.namespace, target.pod
    );
    let request = http::Request::get(&path).body(Vec::new())?;
    match client.request_text(request).await {
        Ok(body) => Ok(body),
        Err(kube::Error::Api(status))
            if status.code >= 500 && status.message.contains("not currently serving") =>
        {
            Ok(status.message.clone())
        }
        Err(err) => Err(anyhow!(err).context(format!(
            "AdminServer of pod {} (port {ADMIN_PORT}) through the pod proxy",
            target.pod
        ))),
    }
}

/// Sends a four-letter word over a port-forward to the client port and reads to EOF.
pub async fn four_letter_port_forward(
    client: &Client,
    target: &MemberTarget,
    word: FourLetterWord,
) -> anyhow::Result<String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let port = CLIENT_PORT as u16;
    let mut forwarder = pods
        .portforward(&target.pod, &[port])
        .await
        .with_context(|| format!("port-forward to pod {} port {port}", target.pod))?;
    let mut stream = forwarder
        .take_stream(port)
        .ok_or_else(|| anyhow!("port-forward to pod {} gave no stream", target.pod))?;
    stream.write_all(word.as_str().as_bytes()).await?;
    stream.flush().await?;
    let mut answer = Vec::new();
    (&mut stream)
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .await?;
    drop(stream);
    forwarder.abort();
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// Sends a four-letter word with `nc` inside the pod. The word is a fixed one, passed as a
/// positional argument, never spliced into the shell text.
pub async fn four_letter_exec(
    client: &Client,
    target: &MemberTarget,
    word: FourLetterWord,
) -> anyhow::Result<String> {
    let script = format!("printf '%s' \"$1\" | nc 127.0.0.1 {CLIENT_PORT}");
    let argv = ["sh", "-c", script.as_str(), "kubectl-zk", word.as_str()];
    let (stdout, code) = exec(client, target, &argv).await?;
    if code != 0 && stdout.is_empty() {
        bail!("`nc` in pod {} exited with code {code}", target.pod);
    }
    Ok(stdout)
}

/// Runs `argv` in the member's container; returns stdout and the exit code.
pub async fn exec(
    client: &Client,
    target: &MemberTarget,
    argv: &[&str],
) -> anyhow::Result<(String, i32)> {
    let mut process = super::pod_files::start(client, target, argv, false, false).await?;
    let status = process.take_status();
    let mut stdout = process
        .stdout()
        .ok_or_else(|| anyhow!("exec into pod {} gave no stdout", target.pod))?;
    let mut out = Vec::new();
    (&mut stdout).take(MAX_ANSWER).read_to_end(&mut out).await?;
    let status = match status {
        Some(status) => status.await,
        None => None,
    };
    let _ = process.join().await;
    Ok((
        String::from_utf8_lossy(&out).into_owned(),
        exit_code(status.as_ref()),
    ))
}

/// The exit code in an exec status: `Success` is 0; `NonZeroExitCode` carries the code as
/// the message of an `ExitCode` cause.
pub fn exit_code(status: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>) -> i32 {
    let Some(status) = status else { return -1 };
    if status.status.as_deref() == Some("Success") {
        return 0;
    }
    status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|causes| {
            causes
                .iter()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
        })
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.parse().ok())
        .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

    #[test]
    fn exit_codes_from_exec_status() {
        let success: Status =
            serde_json::from_str(r#"{"metadata":{},"status":"Success"}"#).expect("json");
        assert_eq!(exit_code(Some(&success)), 0);
        let failure: Status = serde_json::from_str(
            r#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#,
        )
        .expect("json");
        assert_eq!(exit_code(Some(&failure)), 3);
        assert_eq!(exit_code(None), -1);
    }
}
