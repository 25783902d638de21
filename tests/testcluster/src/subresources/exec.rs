//! `pods/NAME/exec` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`).
//!
//! Before the upgrade, as the API server: 404 for a missing pod, 400 for a bad container or an
//! unscheduled pod. After it, as the API server's stream translator relays the kubelet and
//! containerd: the command's output on channels 1 and 2, then one status on channel 3 (Success,
//! NonZeroExitCode with an ExitCode cause, or InternalError for a container that is not running or
//! a command that cannot be executed), then a close.

use super::websocket::{self, V4, V5, Ws};
use super::{
    Kubelet, Query, get_pod, require_host, resolve_container, runtime_id, status_exit_code,
    status_internal, status_success,
};
use crate::mirror::errors::ApiError;
use crate::mirror::{Body, Mirror, error_response};
use crate::runtime::{ExecProcess, SpawnError};
use futures::StreamExt;
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// How long output may still flow after the command exited (a background process holding the
/// pipes open must not hold the session forever).
const DRAIN: Duration = Duration::from_secs(5);

struct Opts {
    command: Vec<String>,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
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
    let container = match resolve_container(&pod, &name, q.first("container")) {
        Ok(c) => c,
        Err(e) => return error_response(&e),
    };
    if let Err(e) = require_host(&pod, &name) {
        return error_response(&e);
    }
    let opts = Opts {
        command: q.all("command"),
        stdin: q.flag("stdin"),
        stdout: q.flag("stdout"),
        stderr: q.flag("stderr"),
        tty: q.flag("tty"),
    };
    if opts.command.is_empty() {
        return error_response(&ApiError::bad_request(
            "you must specify at least 1 command",
        ));
    }
    if !opts.stdin && !opts.stdout && !opts.stderr {
        return error_response(&ApiError::bad_request(
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    let (accepted, response) = match websocket::accept(&mut req, &[V5, V4], None) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let v5 = accepted.protocol == V5;
    let shutdown = ctx.shutdown.clone();
    tokio::spawn(async move {
        if let Some(ws) = accepted.open().await {
            session(ws, v5, k, ns, name, container, opts, shutdown).await;
        }
    });
    response
}

/// Starts the command in the container, or the status saying why not.
async fn start(
    k: &Kubelet,
    ns: &str,
    name: &str,
    container: &str,
    command: &[String],
) -> Result<ExecProcess, String> {
    // the translator's SPDY upgrade to the kubelet fails with the kubelet's plain-text 500
    let not_found = || {
        status_internal(&format!(
            "unable to upgrade connection: container not found ({container:?})"
        ))
    };
    let Some((sandbox, c)) = k.container(ns, name, container) else {
        return Err(not_found());
    };
    match sandbox.exec(&c, command, &[]).await {
        Ok(p) => Ok(p),
        Err(e) => {
            if let Some(SpawnError::NotRunning) = e.downcast_ref::<SpawnError>() {
                return Err(not_found());
            }
            let cause = match e.downcast_ref::<SpawnError>() {
                Some(se) => se.to_string(),
                None => format!("{e:#}"),
            };
            // containerd's error, wrapped by the kubelet's streaming server
            // (NewInternalError), then again by the translator (client-go's decoder keeps only the
            // message, which the translator wraps in NewInternalError)
            let inner = format!(
                "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec {:?}: OCI runtime exec failed: exec failed: unable to start container process: {cause}: unknown",
                runtime_id()
            );
            Err(status_internal(&inner))
        }
    }
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::binary(v)
}

/// Copies a pipe to a channel (or nowhere when the client did not ask for it).
async fn pump(
    pipe: Option<impl AsyncRead + Unpin>,
    channel: u8,
    forward: bool,
    tx: mpsc::Sender<Message>,
) {
    let Some(mut pipe) = pipe else { return };
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if forward && tx.send(frame(channel, &buf[..n])).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn session(
    ws: Ws,
    v5: bool,
    k: Kubelet,
    ns: String,
    name: String,
    container: String,
    opts: Opts,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (tx, writer, mut stream) = websocket::spawn_writer(ws);
    let mut proc = match start(&k, &ns, &name, &container, &opts.command).await {
        Ok(p) => p,
        Err(status) => {
            let _ = tx.send(frame(3, status.as_bytes())).await;
            drop(tx);
            let _ = writer.await;
            return;
        }
    };
    let out = tokio::spawn(pump(proc.stdout.take(), 1, opts.stdout, tx.clone()));
    // with a TTY there is one output stream (no pty here: the pipes are merged on channel 1)
    let err = tokio::spawn(pump(
        proc.stderr.take(),
        if opts.tty { 1 } else { 2 },
        if opts.tty { opts.stdout } else { opts.stderr },
        tx.clone(),
    ));
    let mut stdin = proc.stdin.take().filter(|_| opts.stdin);
    let exit = loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Binary(b))) if b.len() > 1 => match b[0] {
                    0 => {
                        if let Some(w) = stdin.as_mut()
                            && w.write_all(&b[1..]).await.is_err()
                        {
                            stdin = None;
                        }
                    }
                    // v5: the client closed one of its streams; stdin is the only one it writes
                    255 if v5 && b[1] == 0 => stdin = None,
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
            e = proc.wait() => break Some(e),
            _ = shutdown.changed() => break None,
        }
    };
    drop(stdin);
    let Some(Ok(exit)) = exit else {
        // the client went away (or the cluster stops): the command goes too
        proc.kill();
        out.abort();
        err.abort();
        writer.abort();
        return;
    };
    let (out_abort, err_abort) = (out.abort_handle(), err.abort_handle());
    let _ = tokio::time::timeout(DRAIN, async {
        let _ = out.await;
        let _ = err.await;
    })
    .await;
    out_abort.abort();
    err_abort.abort();
    let code = exit.exit_code();
    let status = if code == 0 {
        status_success()
    } else {
        status_exit_code(code)
    };
    let _ = tx.send(frame(3, status.as_bytes())).await;
    drop(tx);
    let _ = tokio::time::timeout(DRAIN, writer).await;
}
