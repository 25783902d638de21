//! Pod subresources against real pods (needs root): `kubectl exec` (1.33 and 1.30, WebSocket v5)
//! and `kubectl logs` with their real output and errors, the pod proxy through `kubectl get --raw`,
//! and exec, port-forward and proxy from Rust with kube-rs.

mod common;

use common::{Run, TestCluster, kubectl_dir, wait_for};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MANIFEST: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: sub
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "echo started; i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); echo tick $i; sleep 0.2; done; echo stopping; exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: http
    image: busybox:1.36
    command:
    - python3
    - -u
    - -c
    - |
      import http.server
      class H(http.server.BaseHTTPRequestHandler):
          def reply(self, code, body):
              self.send_response(code)
              self.send_header("Content-Type", "text/plain")
              self.send_header("X-Pod", "web")
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          def do_GET(self):
              self.reply(200, ("GET " + self.path + "\n").encode())
          def do_POST(self):
              data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
              self.reply(201, b"POST " + self.path.encode() + b" " + data)
      http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: done
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "echo bye"]
"#;

/// kubectl `version` with `input` on its stdin.
fn kubectl_stdin(c: &TestCluster, version: &str, args: &[&str], input: &[u8]) -> Run {
    let mut child = common::kubectl_command(version)
        .arg("--kubeconfig")
        .arg(&c.kubeconfig)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running kubectl");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).expect("writing kubectl's stdin");
    }
    Run::from(child.wait_with_output().expect("kubectl output"))
}

fn field(c: &TestCluster, pod: &str, path: &str) -> String {
    c.kubectl(&["get", "pod", pod, "-o", &format!("jsonpath={path}")])
        .stdout
}

fn ready(c: &TestCluster, pod: &str) -> bool {
    field(c, pod, "{.status.containerStatuses[0].ready}") == "true"
}

fn restarts(c: &TestCluster, pod: &str) -> String {
    field(c, pod, "{.status.containerStatuses[0].restartCount}")
}

fn exec_with(c: &TestCluster, v: &str) {
    // the pod's own host name, on stdout only
    let r = c.kubectl_v(v, &["exec", "sub", "--", "hostname"]);
    assert!(
        r.ok && r.stdout == "sub\n" && r.stderr.is_empty(),
        "{v}: {r:?}"
    );
    // stdout and stderr apart
    let r = c.kubectl_v(
        v,
        &["exec", "sub", "--", "sh", "-c", "echo out; echo err >&2"],
    );
    assert!(
        r.ok && r.stdout == "out\n" && r.stderr == "err\n",
        "{v}: {r:?}"
    );
    // the container's environment
    let r = c.kubectl_v(
        v,
        &[
            "exec",
            "sub",
            "-c",
            "main",
            "--",
            "sh",
            "-c",
            "echo $HOSTNAME",
        ],
    );
    assert_eq!(r.stdout, "sub\n", "{v}: {r:?}");
    // exit codes
    let r = c.kubectl_v(
        v,
        &["exec", "sub", "--", "sh", "-c", "echo partial; exit 3"],
    );
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (3, "partial\n", "command terminated with exit code 3\n"),
        "{v}: {r:?}"
    );
    // stdin, closed by kubectl at EOF
    let r = kubectl_stdin(c, v, &["exec", "-i", "sub", "--", "cat"], b"hello\nworld\n");
    assert!(r.ok && r.stdout == "hello\nworld\n", "{v}: {r:?}");
    let big: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let r = kubectl_stdin(c, v, &["exec", "-i", "sub", "--", "wc", "-c"], &big);
    assert_eq!(r.stdout.trim(), "200000", "{v}: {r:?}");
    // a pod that does not exist
    let r = c.kubectl_v(v, &["exec", "nosuch", "--", "true"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "Error from server (NotFound): pods \"nosuch\" not found\n"
        ),
        "{v}: {r:?}"
    );
    // a container that does not exist
    let r = c.kubectl_v(v, &["exec", "sub", "-c", "nope", "--", "true"]);
    assert_eq!(r.code, 1, "{v}: {r:?}");
    assert!(
        r.stderr.contains("container nope is not valid for pod sub"),
        "{v}: {r:?}"
    );
    // a command that does not exist: containerd's words, wrapped by the kubelet and the API server
    let r = c.kubectl_v(v, &["exec", "sub", "--", "nosuch"]);
    assert_eq!(r.code, 1, "{v}: {r:?}");
    assert!(
        r.stderr.starts_with(
            "error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \""
        ) && r.stderr.ends_with("\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown\n"),
        "{v}: {r:?}"
    );
    // a completed pod: kubectl refuses from the pod's phase
    let r = c.kubectl_v(v, &["exec", "done", "--", "true"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
        ),
        "{v}: {r:?}"
    );
}

fn logs(c: &TestCluster) {
    let out = c.k(&["logs", "sub"]);
    assert!(out.starts_with("started\ntick 1\n"), "{out}");
    let out = c.k(&["logs", "sub", "--tail", "1"]);
    assert!(
        out.lines().count() == 1 && out.starts_with("tick "),
        "{out:?}"
    );
    let out = c.k(&["logs", "sub", "--tail", "3"]);
    assert_eq!(out.lines().count(), 3, "{out:?}");
    let r = c.kubectl(&["logs", "sub", "--previous"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "Error from server (BadRequest): previous terminated container \"main\" in pod \"sub\" not found\n"
        ),
        "{r:?}"
    );
    // kubectl's own wording (it gets the pod first)
    let r = c.kubectl(&["logs", "nosuch"]);
    assert_eq!(
        r.stderr,
        "error: error from server (NotFound): pods \"nosuch\" not found in namespace \"default\"\n",
        "{r:?}"
    );
    // kubectl checks the container name itself
    let r = c.kubectl(&["logs", "sub", "-c", "nope"]);
    assert_eq!(
        r.stderr, "error: container nope is not valid for pod sub\n",
        "{r:?}"
    );
    assert_eq!(c.k(&["logs", "done"]), "bye\n");

    // follow: lines arrive while the container runs, and the stream ends when it exits
    let mut follow = Command::new(kubectl_dir().join("kubectl.1.33"))
        .arg("--kubeconfig")
        .arg(&c.kubeconfig)
        .args(["logs", "-f", "sub", "--tail", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl logs -f");
    let stdout = follow.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines.len() < 4 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => lines.push(l),
            Err(_) => {
                let _ = follow.kill();
                panic!("kubectl logs -f: no live lines within 20s: {lines:?}");
            }
        }
    }
    assert!(lines.iter().all(|l| l.starts_with("tick ")), "{lines:?}");
    let before = restarts(c, "sub");
    assert_eq!(before, "0");
    c.k(&["exec", "sub", "--", "touch", "/tmp/stop"]);
    let status = wait_for(20, "kubectl logs -f to end with the container", || {
        follow.try_wait().ok().flatten()
    });
    assert!(status.success());
    lines.extend(rx.try_iter());
    assert_eq!(
        lines.last().map(String::as_str),
        Some("stopping"),
        "{lines:?}"
    );

    // after the restart: the previous start's log, and the new one's
    wait_for(30, "sub restarted and running", || {
        (restarts(c, "sub") == "1"
            && !field(
                c,
                "sub",
                "{.status.containerStatuses[0].state.running.startedAt}",
            )
            .is_empty())
        .then_some(())
    });
    let prev = c.k(&["logs", "sub", "--previous"]);
    assert!(
        prev.starts_with("started\ntick 1\n") && prev.ends_with("stopping\n"),
        "{prev}"
    );
    let cur = wait_for(10, "the new start's first line", || {
        Some(c.k(&["logs", "sub"])).filter(|s| !s.is_empty())
    });
    assert!(
        cur.starts_with("started\n") && !cur.contains("stopping"),
        "{cur}"
    );
}

fn proxy_with_kubectl(c: &TestCluster) {
    let out = c.k(&[
        "get",
        "--raw",
        "/api/v1/namespaces/default/pods/web:8080/proxy/hello?x=1",
    ]);
    assert_eq!(out, "GET /hello?x=1\n");
    // no port: the first container port
    let out = c.k(&[
        "get",
        "--raw",
        "/api/v1/namespaces/default/pods/web/proxy/a/b/",
    ]);
    assert_eq!(out, "GET /a/b/\n");
    let ip = field(c, "web", "{.status.podIP}");
    let r = c.kubectl(&[
        "get",
        "--raw",
        "/api/v1/namespaces/default/pods/web:9999/proxy/",
    ]);
    assert_eq!(
        r.stderr,
        format!(
            "Error from server (ServiceUnavailable): error trying to reach service: dial tcp {ip}:9999: connect: connection refused\n"
        ),
        "{r:?}"
    );
    let r = c.kubectl(&[
        "get",
        "--raw",
        "/api/v1/namespaces/default/pods/nosuch:8080/proxy/",
    ]);
    assert_eq!(
        r.stderr, "Error from server (NotFound): pods \"nosuch\" not found\n",
        "{r:?}"
    );
}

async fn with_kube_rs(c: &TestCluster) {
    let kc = kube::config::Kubeconfig::read_from(&c.kubeconfig).expect("kubeconfig");
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .expect("config");
    let client = kube::Client::try_from(config).expect("client");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");

    // exec: output, then the exit code in the status
    let mut p = pods
        .exec(
            "sub",
            ["sh", "-c", "cat /etc/hostname; echo oops >&2; exit 7"],
            &AttachParams::default().stderr(true),
        )
        .await
        .expect("exec");
    let status = p.take_status().expect("status");
    let (mut out, mut err) = (String::new(), String::new());
    let mut so = p.stdout().expect("stdout");
    let mut se = p.stderr().expect("stderr");
    let (a, b) = tokio::join!(so.read_to_string(&mut out), se.read_to_string(&mut err));
    a.and(b).expect("reading exec output");
    let status = status.await.expect("a status");
    assert_eq!((out.as_str(), err.as_str()), ("sub\n", "oops\n"));
    assert_eq!(status.status.as_deref(), Some("Failure"));
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    assert_eq!(
        status.message.as_deref(),
        Some("command terminated with non-zero exit code: command terminated with exit code 7")
    );
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes.len(), 1);
    assert_eq!(
        (causes[0].reason.as_deref(), causes[0].message.as_deref()),
        (Some("ExitCode"), Some("7"))
    );
    p.join().await.expect("join");

    // exec: stdin, closed with the v5 close signal
    let mut p = pods
        .exec(
            "sub",
            ["sh", "-c", "tr a-z A-Z"],
            &AttachParams::default().stdin(true).stderr(false),
        )
        .await
        .expect("exec");
    let status = p.take_status().expect("status");
    let mut stdin = p.stdin().expect("stdin");
    stdin.write_all(b"shout\n").await.expect("stdin");
    // EOF (the v5 close signal): the write half must be shut down, dropping it is not enough
    stdin.shutdown().await.expect("closing stdin");
    let mut out = String::new();
    p.stdout()
        .expect("stdout")
        .read_to_string(&mut out)
        .await
        .expect("stdout");
    assert_eq!(out, "SHOUT\n");
    assert_eq!(
        status.await.and_then(|s| s.status).as_deref(),
        Some("Success")
    );

    // exec into a container that is not running: the translator's InternalError
    let mut p = pods
        .exec("done", ["true"], &AttachParams::default())
        .await
        .expect("exec upgrade");
    let status = p.take_status().expect("status").await.expect("a status");
    assert_eq!(status.reason.as_deref(), Some("InternalError"));
    assert_eq!(
        status.message.as_deref(),
        Some(
            "Internal error occurred: unable to upgrade connection: container not found (\"main\")"
        )
    );
    assert_eq!(status.code, Some(500));

    // port-forward: the web pod's server answers on the stream, which ends when it closes
    let mut pf = pods.portforward("web", &[8080]).await.expect("portforward");
    let mut s = pf.take_stream(8080).expect("stream");
    s.write_all(b"GET /pf HTTP/1.0\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("EOF within 10s")
        .expect("read");
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.starts_with("HTTP/1.0 200 OK\r\n") && text.ends_with("\r\n\r\nGET /pf\n"),
        "{text}"
    );
    // the server closed the socket when the pod side closed; kube-rs then fails to send its own
    // close (SendAfterClosing), as it would against a real kubelet: the join result says nothing
    drop(s);
    let _ = pf.join().await;

    // port-forward to a port nobody listens on: the error channel says so
    let mut pf = pods.portforward("web", &[9999]).await.expect("portforward");
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        pf.take_error(9999).expect("error future"),
    )
    .await
    .expect("error within 10s");
    let err = err.expect("an error message");
    assert!(
        err.starts_with("error forwarding port 9999 to pod "),
        "{err}"
    );
    assert!(
        err.contains("failed to connect to localhost:9999 inside namespace")
            && err.contains("dial tcp4 127.0.0.1:9999: connect: connection refused"),
        "{err}"
    );
    pf.abort();

    // the pod proxy, GET and POST, status and headers passed back
    let req = hyper::Request::get("/api/v1/namespaces/default/pods/web:8080/proxy/commands/leader")
        .body(Vec::new())
        .expect("request");
    assert_eq!(
        client.request_text(req).await.expect("proxy GET"),
        "GET /commands/leader\n"
    );
    let req = hyper::Request::post("/api/v1/namespaces/default/pods/web:8080/proxy/p?q=1")
        .body(b"data".to_vec())
        .expect("request");
    let resp = client
        .send(req.map(kube::client::Body::from))
        .await
        .expect("proxy POST");
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(
        resp.headers().get("x-pod").and_then(|h| h.to_str().ok()),
        Some("web")
    );
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(&body[..], b"POST /p?q=1 data");
}

#[test]
fn pod_subresources() {
    let c = TestCluster::start();
    let f = c.file("pods.yaml", MANIFEST);
    c.k(&["create", "-f", &f]);
    wait_for(30, "pods sub and web ready", || {
        (ready(&c, "sub") && ready(&c, "web")).then_some(())
    });
    wait_for(30, "pod done Succeeded", || {
        (field(&c, "done", "{.status.phase}") == "Succeeded").then_some(())
    });

    // 1.37: the kubectl built with the control plane
    for v in ["1.33", "1.30", "1.37"] {
        exec_with(&c, v);
    }
    // SPDY (kubectl ≤ 1.29) is not modelled: a clear 400 instead of a stream
    let r = c.kubectl_v("1.29", &["exec", "sub", "--", "true"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "Error from server (BadRequest): unable to upgrade: the test cluster serves this subresource over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io); upgrade \"SPDY/3.1\" (SPDY) is not supported\n"
        ),
        "{r:?}"
    );
    // kubectl port-forward tunnels SPDY (in WebSocket, then plain): refused the same way
    let r = c.kubectl(&["port-forward", "--pod-running-timeout=5s", "web", "0:8080"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "error: error upgrading connection: unable to upgrade: the test cluster serves this subresource over WebSocket only (v4.channel.k8s.io); upgrade \"SPDY/3.1\" (SPDY) is not supported\n"
        ),
        "{r:?}"
    );
    proxy_with_kubectl(&c);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(with_kube_rs(&c));
    // last: it restarts the container of `sub`
    logs(&c);
}
