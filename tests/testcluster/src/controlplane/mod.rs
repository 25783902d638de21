//! The upstream Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager and
//! kube-scheduler, each the real component built from `k8s.io/kubernetes` (the Go module in
//! `controlplane/` beside this crate), each its own process.
//!
//! [`binary`] finds the multi-call binary in the cache (building it when missing); [`Pki`] makes
//! the cluster's certificates; [`ControlPlane::start`] runs the components until
//! [`ControlPlane::stop`]. Every process runs in a cgroup of the cluster's, so tearing the cluster's
//! network down (or cleaning up after a crashed run) kills whatever is left of them.

mod build;
pub mod pki;

pub use build::{binary, kubernetes_version};
pub use pki::{Identity, Pki};

use crate::runtime::ClusterNet;
use anyhow::{Context, Result, bail};
use std::net::Ipv4Addr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The service network. No kube-proxy runs: cluster IPs route nowhere.
pub const SERVICE_CIDR: &str = "10.96.0.0/16";
/// The first service IP (the `kubernetes` Service), in the API server's certificate.
pub const FIRST_SERVICE_IP: &str = "10.96.0.1";

/// The audit policy: every request at `Metadata` level (who did what to which object, with the
/// answer's code), once it is complete; the node agents' lease renewals are left out.
const AUDIT_POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  resources:
  - group: coordination.k8s.io
    resources: [leases]
- level: Metadata
";

/// One running component.
struct Component {
    name: &'static str,
    child: std::process::Child,
}

/// A running control plane.
pub struct ControlPlane {
    /// `https://127.0.0.1:<port>`
    pub server: String,
    pub pki: Pki,
    /// `<state dir>/controlplane`: certificates, kubeconfigs, etcd's data, the components' logs.
    pub dir: PathBuf,
    /// `<state dir>/audit.log`
    pub audit_log: PathBuf,
    components: Vec<Component>,
}

/// A free TCP port on 127.0.0.1 (free when asked; the component binds it a moment later).
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

impl ControlPlane {
    /// Starts etcd, then kube-apiserver (advertising `advertise` — the cluster bridge's address),
    /// kube-controller-manager and kube-scheduler, and returns once the API server is ready.
    pub async fn start(state_dir: &Path, net: &ClusterNet, advertise: Ipv4Addr) -> Result<Self> {
        let bin = binary().await?;
        let dir = state_dir.join("controlplane");
        std::fs::create_dir_all(dir.join("logs"))
            .with_context(|| format!("creating {}", dir.display()))?;
        let pki = Pki::generate(advertise)?;
        pki.write(&dir)?;
        let audit_log = state_dir.join("audit.log");
        std::fs::write(dir.join("audit-policy.yaml"), AUDIT_POLICY)?;
        let (etcd_client, etcd_peer, secure_port) = (free_port()?, free_port()?, free_port()?);
        let server = format!("https://127.0.0.1:{secure_port}");
        let mut cp = ControlPlane {
            server: server.clone(),
            pki,
            dir: dir.clone(),
            audit_log: audit_log.clone(),
            components: Vec::new(),
        };
        let d = |f: &str| dir.join(f).display().to_string();
        let etcd_url = format!("http://127.0.0.1:{etcd_client}");
        let peer_url = format!("http://127.0.0.1:{etcd_peer}");
        cp.spawn(
            net,
            &bin,
            "etcd",
            vec![
                "--name=testcluster".into(),
                format!("--data-dir={}", d("etcd")),
                format!("--listen-client-urls={etcd_url}"),
                format!("--advertise-client-urls={etcd_url}"),
                format!("--listen-peer-urls={peer_url}"),
                format!("--initial-advertise-peer-urls={peer_url}"),
                format!("--initial-cluster=testcluster={peer_url}"),
                // a test cluster's data need not survive a power cut; fsync dominates on 2 cores
                "--unsafe-no-fsync=true".into(),
                "--log-level=warn".into(),
            ],
        )?;
        wait_tcp(etcd_client, Duration::from_secs(30), &cp)
            .await
            .context("etcd did not start")?;
        cp.spawn(
            net,
            &bin,
            "kube-apiserver",
            vec![
                format!("--etcd-servers={etcd_url}"),
                "--bind-address=127.0.0.1".into(),
                format!("--secure-port={secure_port}"),
                format!("--advertise-address={advertise}"),
                format!("--tls-cert-file={}", d("apiserver.crt")),
                format!("--tls-private-key-file={}", d("apiserver.key")),
                format!("--client-ca-file={}", d("ca.crt")),
                format!("--token-auth-file={}", d("tokens.csv")),
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
                format!("--service-account-key-file={}", d("sa.pub")),
                format!("--service-account-signing-key-file={}", d("sa.key")),
                format!("--service-cluster-ip-range={SERVICE_CIDR}"),
                "--authorization-mode=Node,RBAC".into(),
                "--enable-admission-plugins=NodeRestriction".into(),
                "--allow-privileged=true".into(),
                format!(
                    "--kubelet-client-certificate={}",
                    d("apiserver-kubelet-client.crt")
                ),
                format!("--kubelet-client-key={}", d("apiserver-kubelet-client.key")),
                format!("--kubelet-certificate-authority={}", d("ca.crt")),
                "--kubelet-preferred-address-types=InternalIP".into(),
                format!("--audit-log-path={}", audit_log.display()),
                format!("--audit-policy-file={}", d("audit-policy.yaml")),
                "--audit-log-mode=blocking".into(),
                "--profiling=false".into(),
            ],
        )?;
        let admin = kube_client(&server, &cp.pki.ca_pem, cp.pki.admin()).await?;
        cp.wait_ready(&admin, Duration::from_secs(90)).await?;
        for (name, identity) in [
            ("kube-controller-manager", cp.pki.controller_manager()),
            ("kube-scheduler", cp.pki.scheduler()),
        ] {
            std::fs::write(
                dir.join(format!("{name}.kubeconfig")),
                identity.kubeconfig(&server, &cp.pki.ca_pem),
            )?;
        }
        cp.spawn(
            net,
            &bin,
            "kube-controller-manager",
            vec![
                format!("--kubeconfig={}", d("kube-controller-manager.kubeconfig")),
                "--use-service-account-credentials=true".into(),
                format!("--service-account-private-key-file={}", d("sa.key")),
                format!("--root-ca-file={}", d("ca.crt")),
                format!("--cluster-signing-cert-file={}", d("ca.crt")),
                format!("--cluster-signing-key-file={}", d("ca.key")),
                "--controllers=*".into(),
                "--leader-elect=false".into(),
                "--enable-hostpath-provisioner=true".into(),
                "--secure-port=0".into(),
            ],
        )?;
        cp.spawn(
            net,
            &bin,
            "kube-scheduler",
            vec![
                format!("--kubeconfig={}", d("kube-scheduler.kubeconfig")),
                "--leader-elect=false".into(),
                "--secure-port=0".into(),
            ],
        )?;
        Ok(cp)
    }

    /// Runs one component of the binary as its own process, its output to `logs/<name>.log`.
    fn spawn(
        &mut self,
        net: &ClusterNet,
        bin: &Path,
        name: &'static str,
        args: Vec<String>,
    ) -> Result<()> {
        let log_path = self.dir.join("logs").join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let cgroup_procs = match net.host_process_group(name)? {
            Some(cg) => Some(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(cg.join("cgroup.procs"))
                    .with_context(|| format!("opening {}/cgroup.procs", cg.display()))?,
            ),
            None => None,
        };
        let mut cmd = std::process::Command::new(bin);
        cmd.arg(name)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0);
        let fd = cgroup_procs.as_ref().map(std::os::fd::AsRawFd::as_raw_fd);
        // SAFETY: only async-signal-safe calls between fork and exec: write(2) of a static buffer
        // to a descriptor opened before the fork, and prctl(2).
        unsafe {
            cmd.pre_exec(move || {
                if let Some(fd) = fd
                    && libc::write(fd, b"0".as_ptr().cast(), 1) != 1
                {
                    return Err(std::io::Error::last_os_error());
                }
                // the component dies with the process that runs the cluster
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {name} ({})", bin.display()))?;
        drop(cgroup_procs);
        self.components.push(Component { name, child });
        Ok(())
    }

    /// Fails with the component's last log lines when one of them has exited.
    fn check_running(&mut self) -> Result<()> {
        for c in &mut self.components {
            if let Ok(Some(status)) = c.child.try_wait() {
                let log = self.dir.join("logs").join(format!("{}.log", c.name));
                bail!(
                    "{} exited ({status}); its log {} ends with:\n{}",
                    c.name,
                    log.display(),
                    tail(&log, 15)
                );
            }
        }
        Ok(())
    }

    /// Waits until `/readyz` answers `ok`.
    async fn wait_ready(&mut self, admin: &kube::Client, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            self.check_running()?;
            let req = http::Request::get("/readyz")
                .body(Vec::new())
                .context("building /readyz")?;
            if let Ok(text) = admin.request_text(req).await
                && text.trim() == "ok"
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "kube-apiserver was not ready within {timeout:?}; its log ends with:\n{}",
                    tail(&self.dir.join("logs/kube-apiserver.log"), 15)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Whether every component still runs (`Err` names the one that stopped, with its log).
    pub fn health(&mut self) -> Result<()> {
        self.check_running()
    }

    /// SIGTERM to each component, the scheduler first and etcd last, each waited for (then
    /// SIGKILL after 10 s).
    pub async fn stop(&mut self) {
        while let Some(mut c) = self.components.pop() {
            let pid = c.child.id() as libc::pid_t;
            // SAFETY: kill(2) of our own child.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            loop {
                match c.child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if tokio::time::Instant::now() > deadline => {
                        let _ = c.child.kill();
                        let _ = c.child.wait();
                        break;
                    }
                    Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        for c in &mut self.components {
            let _ = c.child.kill();
            let _ = c.child.wait();
        }
    }
}

/// A kube client for one identity of this cluster.
pub async fn kube_client(
    server: &str,
    ca_pem: &str,
    identity: Identity<'_>,
) -> Result<kube::Client> {
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&identity.kubeconfig(server, ca_pem))
        .context("parsing a generated kubeconfig")?;
    let mut config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .context("loading a generated kubeconfig")?;
    // retries are the caller's business (a 429 from an eviction must come back at once)
    config.read_timeout = None;
    kube::Client::try_from(config).context("building a kube client")
}

/// Waits until 127.0.0.1:`port` accepts connections.
async fn wait_tcp(port: u16, timeout: Duration, cp: &ControlPlane) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "nothing listens on 127.0.0.1:{port} after {timeout:?}; the log ends with:\n{}",
                tail(&cp.dir.join("logs/etcd.log"), 15)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last `n` lines of a file.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
