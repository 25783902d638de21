//! A test cluster for the plugin's live tests: the workspace's `testcluster` binary run as
//! `testcluster up --fast`, ready once it prints `testcluster ready`, stopped with SIGTERM
//! (which removes every process, namespace and link it made) when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{kubectl, path_with, plugin, plugin_path_dir};

/// The `testcluster` binary beside this test's binary (built by `cargo build --workspace`).
fn testcluster_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let binary = dir.join("testcluster");
    assert!(
        binary.exists(),
        "{} is missing: build the workspace first (`cargo build --workspace`, as the README's test command does)",
        binary.display()
    );
    binary
}

/// A running test cluster.
pub struct Cluster {
    child: Option<Child>,
    /// Its temporary directory (kubeconfig, state).
    pub dir: tempfile::TempDir,
    /// The kubeconfig it wrote.
    pub kubeconfig: PathBuf,
    plugin_dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts a cluster with `nodes` nodes.
    pub fn start(nodes: u32) -> Cluster {
        Cluster::start_with(nodes, &[])
    }

    /// Starts a cluster in OpenShift mode (`testcluster up --openshift`: SCCs and their
    /// admission, namespace UID ranges, the OpenShift API groups) with `nodes` nodes.
    pub fn start_openshift(nodes: u32) -> Cluster {
        Cluster::start_with(nodes, &["--openshift"])
    }

    /// Starts a cluster with `nodes` nodes and extra `testcluster up` flags.
    fn start_with(nodes: u32, extra: &[&str]) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("kzk-")
            .tempdir()
            .expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let mut child = Command::new(testcluster_binary())
            .args([
                "up",
                "--fast",
                "--nodes",
                &nodes.to_string(),
                "--kubeconfig",
            ])
            .arg(&kubeconfig)
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("testcluster starts (as root)");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.trim() == "testcluster ready" {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            panic!("testcluster did not become ready within 60 s");
        }
        Cluster {
            child: Some(child),
            dir,
            kubeconfig,
            plugin_dir: plugin_path_dir(),
        }
    }

    /// Runs the plugin binary against this cluster.
    pub fn zk(&self, args: &[&str]) -> Output {
        Command::new(plugin())
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("the plugin runs")
    }

    /// `kubectl-zk install ARGS… --timeout 180s`, which must succeed (members Ready, a leader).
    pub fn install(&self, args: &[&str]) {
        let mut argv = vec!["install"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--timeout", "180s"]);
        let out = self.zk(&argv);
        assert!(
            out.status.success(),
            "install {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `kubectl-zk COMMAND -o json ARGS…`; the parsed output and the exit code.
    pub fn zk_json(&self, command: &str, args: &[&str]) -> (serde_json::Value, Option<i32>) {
        let mut argv = vec![command, "-o", "json"];
        argv.extend_from_slice(args);
        let out = self.zk(&argv);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{command} -o json is not JSON ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (json, out.status.code())
    }

    /// Runs the real kubectl 1.33 against this cluster, with the plugin on its PATH.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(kubectl(33))
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", path_with(self.plugin_dir.path()))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("kubectl runs")
    }

    /// kubectl that must succeed; its stdout.
    pub fn k(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// name → UID of the objects of `kind` in `ns`, as `kubectl get KIND -o json` lists them.
    pub fn uids(&self, ns: &str, kind: &str) -> std::collections::BTreeMap<String, String> {
        let list: serde_json::Value =
            serde_json::from_str(&self.k(&["get", kind, "-n", ns, "-o", "json"]))
                .expect("kubectl json");
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|o| {
                let field = |f: &str| o["metadata"][f].as_str().unwrap_or_default().to_owned();
                (field("name"), field("uid"))
            })
            .collect()
    }

    /// Holds member `pod` of the ensemble in `default` down: every node but those of the
    /// members in `keep` cordoned, its pod deleted, until the new pod is Pending. Returns the
    /// cordoned nodes (to uncordon later).
    pub fn hold_down(&self, pod: &str, keep: &[&str], nodes: u32) -> Vec<String> {
        let mut cordoned: Vec<String> = (1..=nodes).map(|i| format!("node-{i}")).collect();
        for member in keep {
            let node = self.k(&["get", "pod", member, "-o", "jsonpath={.spec.nodeName}"]);
            cordoned.retain(|n| n != node.trim());
        }
        let mut cordon = vec!["cordon"];
        cordon.extend(cordoned.iter().map(String::as_str));
        self.k(&cordon);
        let old = self.k(&["get", "pod", pod, "-o", "jsonpath={.metadata.uid}"]);
        self.k(&["delete", "pod", pod, "--wait=false"]);
        self.wait_for(&format!("{pod} Pending"), Duration::from_secs(60), || {
            let state = self.k(&[
                "get",
                "pod",
                pod,
                "--ignore-not-found",
                "-o",
                "jsonpath={.metadata.uid} {.status.phase}",
            ]);
            let mut parts = state.split_whitespace();
            let (uid, phase) = (parts.next()?, parts.next()?);
            (uid != old.trim() && phase == "Pending").then_some(())
        });
        cordoned
    }

    /// The plugin's requests, from the API server's audit log (`<state dir>/audit.log`, one
    /// audit event a line): those of user `admin`, whom the plugin runs as.
    pub fn plugin_requests(&self) -> Vec<serde_json::Value> {
        let log = std::fs::read_to_string(self.dir.path().join("state/audit.log"))
            .expect("the API server's audit log");
        log.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["user"]["username"] == "admin")
            .collect()
    }

    /// The names of the `resource` objects (`pods`, `statefulsets`) the plugin deleted, in order,
    /// from its request number `since` on (see [`Cluster::plugin_requests`]).
    pub fn deleted(&self, since: usize, resource: &str) -> Vec<String> {
        self.plugin_requests()[since..]
            .iter()
            .filter(|e| {
                e["verb"] == "delete"
                    && e["objectRef"]["resource"] == resource
                    && e["objectRef"]["subresource"].is_null()
                    && e["responseStatus"]["code"] == 200
            })
            .filter_map(|e| e["objectRef"]["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// `<pod IP>:2181`: a member's client address, for an independent client on this machine.
    pub fn client_address(&self, ns: &str, pod: &str) -> String {
        let ip = self.k(&[
            "get",
            "pod",
            "-n",
            ns,
            pod,
            "-o",
            "jsonpath={.status.podIP}",
        ]);
        format!("{}:2181", ip.trim())
    }

    /// Polls `check` until it returns Some, at most `limit`.
    pub fn wait_for<T>(
        &self,
        what: &str,
        limit: Duration,
        mut check: impl FnMut() -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {limit:?} waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM: the cluster stops its pods and removes its namespaces and links.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
