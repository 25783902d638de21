//! `pods/NAME/log`: a container start's output (the kubelet writes one file per start), with
//! `container`, `previous`, `tailLines`, `limitBytes` and `follow`. Which start's log is served,
//! and the errors when there is none, follow the kubelet's `validateContainerLogStatus`; the API
//! server turns the kubelet's 400 into a BadRequest status.

use super::{Kubelet, Query, get_pod, resolve_container};
use crate::kubelet::{log_file, log_path};
use crate::mirror::errors::ApiError;
use crate::mirror::{Body, Mirror, error_response, full, stream_body};
use crate::util;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

fn text(body: Body) -> Response<Body> {
    Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .header("cache-control", "no-cache, private")
        .body(body)
        .unwrap_or_else(|_| Response::new(full("")))
}

fn bad(msg: String) -> Response<Body> {
    error_response(&ApiError::bad_request(msg))
}

/// The start number a container ID carries (the kubelet puts it in the low 64 bits).
fn start_of(id: &str) -> Option<i64> {
    let hex = id.rsplit("://").next()?;
    let low = hex.get(hex.len().checked_sub(16)?..)?;
    i64::from_str_radix(low, 16).ok()
}

fn terminated_id(v: &Value) -> Option<&str> {
    v.pointer("/terminated/containerID")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Which container ID's log a request reads, or the kubelet's error. Also whether that
/// container is the running one (only a running container's log can be followed).
fn choose(pod: &Value, container: &str, previous: bool) -> Result<(String, bool), String> {
    let name = util::name(pod);
    let statuses = util::arr(pod, &["status", "containerStatuses"])
        .iter()
        .chain(util::arr(pod, &["status", "initContainerStatuses"]));
    let Some(cs) = statuses
        .into_iter()
        .find(|c| util::s(c, &["name"]) == container)
    else {
        return Err(format!(
            "container {container:?} in pod {name:?} is not available"
        ));
    };
    let null = Value::Null;
    let state = cs.get("state").unwrap_or(&null);
    let last = cs.get("lastState").unwrap_or(&null);
    let current = util::s(cs, &["containerID"]).to_string();
    if previous {
        return match terminated_id(last) {
            Some(id) => Ok((id.to_string(), false)),
            None => Err(format!(
                "previous terminated container {container:?} in pod {name:?} not found"
            )),
        };
    }
    if state.get("running").is_some() {
        return Ok((current, true));
    }
    if state.get("terminated").is_some() {
        return match terminated_id(state).or_else(|| terminated_id(last)) {
            Some(id) => Ok((id.to_string(), false)),
            None => Err(format!(
                "container {container:?} in pod {name:?} is terminated"
            )),
        };
    }
    if last.get("terminated").is_some() {
        return match terminated_id(last) {
            Some(id) => Ok((id.to_string(), false)),
            None => Err(format!(
                "container {container:?} in pod {name:?} is terminated"
            )),
        };
    }
    match state.pointer("/waiting/reason").and_then(Value::as_str) {
        Some("ErrImagePull") => Err(format!(
            "container {container:?} in pod {name:?} is waiting to start: image can't be pulled"
        )),
        Some("ImagePullBackOff") => Err(format!(
            "container {container:?} in pod {name:?} is waiting to start: trying and failing to pull image"
        )),
        Some(reason) => Err(format!(
            "container {container:?} in pod {name:?} is waiting to start: {reason}"
        )),
        None => Err(format!(
            "container {container:?} in pod {name:?} is waiting to start - no logs yet"
        )),
    }
}

/// Where the last `n` lines of `data` begin.
fn tail_start(data: &[u8], n: usize) -> usize {
    if n == 0 {
        return data.len();
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let mut seen = 0;
    for (i, b) in body.iter().enumerate().rev() {
        if *b == b'\n' {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    0
}

pub(super) async fn handle(
    k: Kubelet,
    ctx: Arc<Mirror>,
    req: Request<Incoming>,
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
    let mut tail = None;
    if let Some(t) = q.first("tailLines") {
        match t.parse::<i64>() {
            Ok(n) if n >= 0 => tail = Some(n as usize),
            Ok(_) => {
                return error_response(&ApiError::new(
                    422,
                    "Invalid",
                    "PodLogOptions \"\" is invalid: tailLines: Invalid value: must be greater than or equal to 0",
                ));
            }
            Err(_) => {
                return bad(format!(
                    "tailLines: Invalid value: {t:?}: strconv.ParseInt: parsing {t:?}: invalid syntax"
                ));
            }
        }
    }
    let mut limit = None;
    if let Some(l) = q.first("limitBytes") {
        match l.parse::<i64>() {
            Ok(n) if n >= 1 => limit = Some(n as u64),
            Ok(_) => {
                return error_response(&ApiError::new(
                    422,
                    "Invalid",
                    "PodLogOptions \"\" is invalid: limitBytes: Invalid value: must be greater than 0",
                ));
            }
            Err(_) => {
                return bad(format!(
                    "limitBytes: Invalid value: {l:?}: strconv.ParseInt: parsing {l:?}: invalid syntax"
                ));
            }
        }
    }
    // a pod without a host has no logs yet: the API server answers with an empty body
    if util::s(&pod, &["spec", "nodeName"]).is_empty() {
        return text(full(""));
    }
    let previous = q.flag("previous");
    let (id, running) = match choose(&pod, &container, previous) {
        Ok(c) => c,
        Err(msg) => return bad(msg),
    };
    let uid = util::uid(&pod).to_string();
    let path = match start_of(&id) {
        Some(n) => log_file(&ctx.state_dir, &uid, &container, n),
        None => log_path(&ctx.state_dir, &uid, &container, previous, &pod),
    };
    let data = tokio::fs::read(&path).await.unwrap_or_default();
    let start = tail.map(|n| tail_start(&data, n)).unwrap_or(0);
    let mut first = Bytes::from(data).slice(start..);
    if let Some(l) = limit
        && first.len() as u64 >= l
    {
        return text(full(first.slice(..l as usize)));
    }
    let follow = q.flag("follow") && running;
    let watched = if follow {
        k.container(&ns, &name, &container)
    } else {
        None
    };
    let Some((_, proc)) = watched else {
        return text(full(first));
    };
    let offset = start as u64 + first.len() as u64;
    let left = limit.map(|l| l - first.len() as u64);
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let shutdown = ctx.shutdown.clone();
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(std::mem::take(&mut first)).await.is_err() {
            return;
        }
        follow_file(path, offset, left, proc, tx, shutdown).await;
    });
    text(stream_body(rx))
}

/// Sends what is appended to `path` from `offset` until the container has exited (and its last
/// output is sent), the client goes away, `left` bytes were sent, or the cluster stops.
async fn follow_file(
    path: PathBuf,
    mut offset: u64,
    mut left: Option<u64>,
    proc: crate::runtime::Container,
    tx: tokio::sync::mpsc::Sender<Bytes>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut exited = false;
    loop {
        match read_from(&path, offset, left).await {
            Some(chunk) if !chunk.is_empty() => {
                offset += chunk.len() as u64;
                if let Some(l) = left.as_mut() {
                    *l -= chunk.len() as u64;
                }
                if tx.send(chunk).await.is_err() || left == Some(0) {
                    return;
                }
                continue;
            }
            _ => {}
        }
        if exited {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = proc.wait() => exited = true,
            _ = tx.closed() => return,
            _ = shutdown.changed() => return,
        }
    }
}

async fn read_from(path: &Path, offset: u64, left: Option<u64>) -> Option<Bytes> {
    let mut f = tokio::fs::File::open(path).await.ok()?;
    f.seek(SeekFrom::Start(offset)).await.ok()?;
    let max = left.unwrap_or(256 * 1024).min(256 * 1024) as usize;
    let mut buf = vec![0u8; max];
    let n = f.read(&mut buf).await.ok()?;
    buf.truncate(n);
    Some(Bytes::from(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_lines() {
        let d = b"a\nb\nc\n";
        assert_eq!(&d[tail_start(d, 2)..], b"b\nc\n");
        assert_eq!(&d[tail_start(d, 5)..], b"a\nb\nc\n");
        assert_eq!(&d[tail_start(d, 0)..], b"");
        assert_eq!(&b"a\nb"[tail_start(b"a\nb", 1)..], b"b");
    }

    #[test]
    fn start_from_container_id() {
        let id = format!("containerd://{:064x}", (1234u128) << 64 | 3);
        assert_eq!(start_of(&id), Some(3));
    }
}
