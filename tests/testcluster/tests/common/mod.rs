//! Shared helpers of the acceptance tests: a cluster started through the `testcluster` binary
//! (the same way the plugin's tests start one), and the real kubectl binaries.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The directory holding `kubectl.1.27` … `kubectl.1.33` (beside the real `kubectl` on PATH).
pub fn kubectl_dir() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let k = dir.join("kubectl");
        if let Ok(real) = std::fs::canonicalize(&k)
            && let Some(parent) = real.parent()
            && parent.join("kubectl.1.33").exists()
        {
            return parent.to_path_buf();
        }
    }
    panic!("kubectl.1.33 not found beside the kubectl on PATH");
}

/// `kubectl.<version>`, or for `1.37` the kubectl built into the control plane's binary.
pub fn kubectl_command(version: &str) -> Command {
    if version == "1.37" {
        let mut c = Command::new(controlplane_binary());
        c.arg("kubectl");
        c
    } else {
        Command::new(kubectl_dir().join(format!("kubectl.{version}")))
    }
}

/// The upstream control plane's binary (built when the cache lacks it).
pub fn controlplane_binary() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_testcluster"))
            .arg("controlplane")
            .stderr(Stdio::inherit())
            .output()
            .expect("running testcluster controlplane");
        assert!(out.status.success(), "testcluster controlplane failed");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
    .clone()
}

pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "the testcluster acceptance tests need root (network namespaces)"
    );
}

/// A cluster run by the `testcluster up` binary; stopped (SIGTERM) on drop.
pub struct TestCluster {
    child: Option<Child>,
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    pub state_dir: PathBuf,
}

impl TestCluster {
    pub fn start() -> TestCluster {
        TestCluster::start_with(&[])
    }

    /// A cluster in OpenShift mode (`testcluster up --openshift`).
    pub fn start_openshift() -> TestCluster {
        TestCluster::start_with(&["--openshift"])
    }

    /// A cluster started with extra `testcluster up` flags.
    pub fn start_with(extra: &[&str]) -> TestCluster {
        require_root();
        let dir = std::env::temp_dir().join(format!("tc-test-{}-{}", std::process::id(), uuid()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let kubeconfig = dir.join("kubeconfig");
        let state_dir = dir.join("state");
        let mut child = Command::new(env!("CARGO_BIN_EXE_testcluster"))
            .args(["up", "--fast", "--nodes", "4", "--kubeconfig"])
            .arg(&kubeconfig)
            .arg("--state-dir")
            .arg(&state_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting testcluster");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.trim() == "testcluster ready" {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(120)).is_err() {
            let _ = child.kill();
            panic!("testcluster did not print `testcluster ready` within 120s");
        }
        assert!(
            kubeconfig.exists(),
            "kubeconfig written before `testcluster ready`"
        );
        TestCluster {
            child: Some(child),
            dir,
            kubeconfig,
            state_dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Runs `kubectl.<version>` against this cluster; `1.37` is the kubectl built into the
    /// control plane's binary (`controlplane kubectl`).
    pub fn kubectl_v(&self, version: &str, args: &[&str]) -> Run {
        let out = kubectl_command(version)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("running kubectl");
        Run::from(out)
    }

    pub fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_v("1.33", args)
    }

    /// kubectl that must succeed; its stdout.
    pub fn k(&self, args: &[&str]) -> String {
        let r = self.kubectl(args);
        assert!(r.ok, "kubectl {args:?} failed: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// Writes a file in the test dir and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).expect("writing a test file");
        p.to_string_lossy().into_owned()
    }

    /// Stops the cluster (SIGTERM) and waits for the process.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill with a pid we own.
            unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = c.kill();
                    let _ = c.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn uuid() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{t:x}")
}

/// A finished command.
#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            ok: o.status.success(),
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }
}

/// Polls `f` until it returns Some, or panics with `what` after `secs`.
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Table rows of kubectl's default output: header → cells, by column name.
pub fn rows(table: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = table.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return vec![];
    };
    // column starts from the header
    let mut starts = Vec::new();
    let mut names = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b' ' && (i == 0 || (i >= 2 && bytes[i - 1] == b' ' && bytes[i - 2] == b' '))
        {
            let end = header[i..]
                .find("  ")
                .map(|e| i + e)
                .unwrap_or(header.len());
            starts.push(i);
            names.push(header[i..end].trim().to_string());
            i = end;
        } else {
            i += 1;
        }
    }
    lines
        .map(|l| {
            let mut m = std::collections::HashMap::new();
            for (n, (s, name)) in starts.iter().zip(&names).enumerate() {
                let end = starts.get(n + 1).copied().unwrap_or(l.len()).min(l.len());
                let cell = if *s < l.len() {
                    l[*s..end].trim().to_string()
                } else {
                    String::new()
                };
                m.insert(name.clone(), cell);
            }
            m
        })
        .collect()
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
