//! Files in and out of a pod through exec, streamed: a command's stdout into a local writer
//! (never whole in memory), and a local reader into a command's stdin. Commands are argv
//! only; no shell text is ever made from input.

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, AttachParams, AttachedProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::zookeeper::{MemberTarget, exit_code};

/// The most of a command's stderr kept, for the error message.
const MAX_STDERR: u64 = 4096;

/// Starts `argv` in the member's container (stdout always; stdin and stderr as asked).
pub async fn start(
    client: &Client,
    target: &MemberTarget,
    argv: &[&str],
    stdin: bool,
    stderr: bool,
) -> anyhow::Result<AttachedProcess> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let mut params = AttachParams::default()
        .stdin(stdin)
        .stdout(true)
        .stderr(stderr);
    if let Some(container) = &target.container {
        params = params.container(container.clone());
    }
    pods.exec(&target.pod, argv.iter().copied(), &params)
        .await
        .with_context(|| {
            format!(
                "cannot exec into pod {} in namespace {}",
                target.pod, target.namespace
            )
        })
}

/// Waits for the process's end: its exit code, or an error naming the command and the
/// first line of its stderr when it is not 0.
async fn finish(
    process: AttachedProcess,
    status: Option<
        impl std::future::Future<
            Output = Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>,
        >,
    >,
    target: &MemberTarget,
    argv: &[&str],
    stderr: String,
) -> anyhow::Result<()> {
    let status = match status {
        Some(status) => status.await,
        None => None,
    };
    let _ = process.join().await;
    let code = exit_code(status.as_ref());
    if code != 0 {
        bail!(
            "`{}` in pod {} exited with code {code}{}",
            argv.join(" "),
            target.pod,
            match stderr.lines().next() {
                Some(line) => format!(": {line}"),
                None => String::new(),
            }
        );
    }
    Ok(())
}

/// Runs `argv` in the pod and writes its stdout to `sink` as it arrives; returns the bytes
/// written. A non-zero exit is an error naming the command and its stderr.
pub async fn exec_out(
    client: &Client,
    target: &MemberTarget,
    argv: &[&str],
    sink: &mut dyn std::io::Write,
) -> anyhow::Result<u64> {
    let mut process = start(client, target, argv, false, true).await?;
    let status = process.take_status();
    let mut stdout = process
        .stdout()
        .ok_or_else(|| anyhow!("exec into pod {} gave no stdout", target.pod))?;
    let stderr = process.stderr();
    let errors = tokio::spawn(async move {
        let mut text = Vec::new();
        if let Some(stderr) = stderr {
            let _ = stderr.take(MAX_STDERR).read_to_end(&mut text).await;
        }
        String::from_utf8_lossy(&text).trim().to_owned()
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = stdout.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        sink.write_all(&buf[..n])
            .context("cannot write the local file")?;
        total += n as u64;
    }
    let stderr = errors.await.unwrap_or_default();
    finish(process, status, target, argv, stderr).await?;
    Ok(total)
}

/// Runs `argv` in the pod with `source` on its stdin (closed at its end); returns stdout.
/// A non-zero exit is an error naming the command and its stderr.
pub async fn exec_in(
    client: &Client,
    target: &MemberTarget,
    argv: &[&str],
    source: &mut (dyn std::io::Read + Send),
) -> anyhow::Result<String> {
    let mut process = start(client, target, argv, true, true).await?;
    let status = process.take_status();
    let mut stdin = process
        .stdin()
        .ok_or_else(|| anyhow!("exec into pod {} gave no stdin", target.pod))?;
    let stdout = process.stdout();
    let stderr = process.stderr();
    let outputs = tokio::spawn(async move {
        let mut out = Vec::new();
        let mut err = Vec::new();
        if let Some(stdout) = stdout {
            let _ = stdout.take(MAX_STDERR).read_to_end(&mut out).await;
        }
        if let Some(stderr) = stderr {
            let _ = stderr.take(MAX_STDERR).read_to_end(&mut err).await;
        }
        (
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).trim().to_owned(),
        )
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = source
            .read(&mut buf)
            .context("cannot read the local file")?;
        if n == 0 {
            break;
        }
        stdin.write_all(&buf[..n]).await?;
    }
    stdin.shutdown().await?;
    drop(stdin);
    let (out, err) = outputs.await.unwrap_or_default();
    finish(process, status, target, argv, err).await?;
    Ok(out)
}
