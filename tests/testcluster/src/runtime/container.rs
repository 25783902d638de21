//! Containers: starting a pod's container as a real process in the pod's network namespace and
//! its own mount/UTS/IPC namespaces, exec'ing into it, stopping it.
//!
//! The child is forked with a `pre_exec` step that, with arguments all prepared by the parent, joins
//! the container's cgroup, starts a session (process group = its pid), joins the pod's network
//! namespace, unshares mount/UTS/IPC namespaces, builds the file system view (see the rootfs
//! module), sets the host name, `pivot_root`s into the view, changes to the working dir, drops to
//! the container's uid/gid, and execs the command (looked up in the container's `PATH`).

use std::ffi::CString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{MetadataExt, PermissionsExt, lchown};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use tokio::sync::watch;

use super::cgroup;
use super::image::{DEFAULT_PATH, ImageProfile, profile_for};
use super::rootfs::{self, RootfsSpec, Step};
use super::sandbox::{Sandbox, SandboxInner};
use super::sys::{blocking, cpath, cstr, kill_group};

/// How long killing a stopped container's remaining processes may take.
const KILL_TIMEOUT: Duration = Duration::from_secs(10);

/// A volume mount: a host directory (or file) shown at a path inside the container.
#[derive(Clone, Debug)]
pub struct Mount {
    /// The volume's data on the host (PV directory, emptyDir directory, rendered configMap…).
    pub host_path: PathBuf,
    /// The container's `mountPath` (absolute).
    pub container_path: PathBuf,
    /// `readOnly: true` (configMaps are mounted read-only by Kubernetes).
    pub read_only: bool,
}

/// What to run in a container.
#[derive(Clone, Debug, Default)]
pub struct ContainerSpec {
    /// The container's name in the pod.
    pub name: String,
    /// The image; its [profile](profile_for) supplies files, env and working dir.
    pub image: String,
    /// The command, already merged with the image's entrypoint/cmd (see [`ImageProfile::argv`]);
    /// the process runs `command ++ args`.
    pub command: Vec<String>,
    /// Appended to `command`.
    pub args: Vec<String>,
    /// The container's env (values already resolved, e.g. `fieldRef`s). The runtime puts them over
    /// `PATH`, `HOSTNAME` (pod host name) and the image's env, and adds `HOME` if unset.
    pub env: Vec<(String, String)>,
    /// `workingDir`; default the image's, else `/`. Created if missing.
    pub working_dir: Option<PathBuf>,
    /// Volume mounts.
    pub mounts: Vec<Mount>,
    /// `securityContext.runAsUser` (default 0).
    pub run_as_user: Option<u32>,
    /// `securityContext.runAsGroup` (default 0).
    pub run_as_group: Option<u32>,
    /// Pod `securityContext.fsGroup`: volumes are chgrp'ed to it recursively with group rw (r for
    /// read-only mounts) and setgid directories, as the kubelet does, and the process gets it as a
    /// supplementary group.
    pub fs_group: Option<u32>,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
    /// When the runtime saw it end.
    pub finished_at: SystemTime,
}

impl ExitInfo {
    fn from_status(status: ExitStatus) -> ExitInfo {
        ExitInfo {
            code: status.code(),
            signal: status.signal(),
            finished_at: SystemTime::now(),
        }
    }

    /// The code Kubernetes reports: the exit code, or 128 + signal (137 after SIGKILL, 143 after
    /// SIGTERM); -1 if unknown.
    pub fn exit_code(&self) -> i32 {
        match (self.code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => -1,
        }
    }

    /// Exit code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

impl fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(c), _) => write!(f, "exit code {c}"),
            (None, Some(s)) => write!(f, "killed by signal {s}"),
            (None, None) => write!(f, "unknown exit"),
        }
    }
}

/// Why a process could not be started in a container; found in the `anyhow` error chain of
/// [`Sandbox::start`] and [`Sandbox::exec`] (`err.downcast_ref::<SpawnError>()`).
#[derive(Debug)]
pub enum SpawnError {
    /// The program could not be executed (Kubernetes: `StartError`, exit code 128, or exec's
    /// "executable file not found"). Display matches the real runtime's wording.
    Exec {
        /// `argv[0]`.
        program: String,
        /// execve's error.
        source: io::Error,
    },
    /// Building the container's namespaces or file system failed at a named step.
    Setup {
        /// `while <doing what>`.
        step: String,
        /// The system call's error.
        source: io::Error,
    },
    /// The container has exited.
    NotRunning,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Exec { program, source } if source.kind() == io::ErrorKind::NotFound => {
                write!(f, "exec: \"{program}\": executable file not found in $PATH")
            }
            SpawnError::Exec { program, source }
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                write!(f, "exec: \"{program}\": permission denied")
            }
            SpawnError::Exec { program, source } => write!(f, "exec: \"{program}\": {source}"),
            SpawnError::Setup { step, source } => {
                write!(f, "container setup failed {step}: {source}")
            }
            SpawnError::NotRunning => write!(f, "container is not running"),
        }
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpawnError::Exec { source, .. } | SpawnError::Setup { source, .. } => Some(source),
            SpawnError::NotRunning => None,
        }
    }
}

/// A started container. Cheap to clone; all clones refer to the same process. Dropping every clone
/// does not stop it: [`Container::stop`] does, and so does destroying its sandbox or cluster.
#[derive(Clone)]
pub struct Container {
    inner: Arc<ContainerInner>,
}

struct ContainerInner {
    name: String,
    pid: u32,
    /// The sandbox's network namespace name, to check exec targets.
    netns: String,
    cgroup: Option<PathBuf>,
    env: Vec<(String, String)>,
    identity: Identity,
    working_dir: CString,
    started_at: SystemTime,
    exit: watch::Receiver<Option<ExitInfo>>,
}

impl Container {
    /// The main process's pid (host pid namespace); also its process group.
    pub fn pid(&self) -> u32 {
        self.inner.pid
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// When it was started.
    pub fn started_at(&self) -> SystemTime {
        self.inner.started_at
    }

    /// The environment the process got (and exec'd commands get).
    pub fn env(&self) -> &[(String, String)] {
        &self.inner.env
    }

    /// Waits until the main process has exited and every other process of the container is gone.
    /// Returns at once for an exited container; any number of callers may wait.
    pub async fn wait(&self) -> ExitInfo {
        let mut rx = self.inner.exit.clone();
        match rx.wait_for(Option::is_some).await {
            Ok(v) => v.unwrap_or(UNKNOWN_EXIT),
            Err(_) => self.try_status().unwrap_or(UNKNOWN_EXIT),
        }
    }

    /// How it ended, if it has.
    pub fn try_status(&self) -> Option<ExitInfo> {
        *self.inner.exit.borrow()
    }

    /// Stops the container: SIGTERM to its process group, then after `grace` SIGKILL to every process
    /// of the container. Returns how the main process ended.
    pub async fn stop(&self, grace: Duration) -> ExitInfo {
        if let Some(exit) = self.try_status() {
            return exit;
        }
        kill_group(self.inner.pid, libc::SIGTERM);
        if let Ok(exit) = tokio::time::timeout(grace, self.wait()).await {
            return exit;
        }
        self.kill();
        self.wait().await
    }

    /// SIGKILL to every process of the container at once.
    pub fn kill(&self) {
        if let Some(cg) = &self.inner.cgroup {
            cgroup::kill(cg);
        }
        kill_group(self.inner.pid, libc::SIGKILL);
    }
}

const UNKNOWN_EXIT: ExitInfo = ExitInfo {
    code: None,
    signal: None,
    finished_at: SystemTime::UNIX_EPOCH,
};

/// uid, gid and groups a container's processes run as.
#[derive(Clone, Debug)]
struct Identity {
    uid: libc::uid_t,
    gid: libc::gid_t,
    groups: Vec<libc::gid_t>,
}

impl Identity {
    fn of(spec: &ContainerSpec) -> Identity {
        let gid = spec.run_as_group.unwrap_or(0);
        let mut groups = vec![gid];
        groups.extend(spec.fs_group.filter(|g| *g != gid));
        Identity {
            uid: spec.run_as_user.unwrap_or(0),
            gid,
            groups,
        }
    }

    /// setgroups, setgid, setuid. Async-signal-safe.
    fn apply(&self) -> io::Result<()> {
        // SAFETY: plain system calls; `groups` is live for the call.
        unsafe {
            check(libc::setgroups(self.groups.len(), self.groups.as_ptr()))?;
            check(libc::setgid(self.gid))?;
            check(libc::setuid(self.uid))
        }
    }
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A pipe (read end, write end) the child writes the number of its failed setup step to.
fn step_pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) })
        .context("pipe2")?;
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The failed step a child reported on its step pipe, if any.
fn failed_step(read: &OwnedFd) -> Option<usize> {
    let mut buf = [0u8; 4];
    // SAFETY: reads at most 4 bytes into a 4-byte buffer.
    let n = unsafe { libc::read(read.as_raw_fd(), buf.as_mut_ptr().cast(), 4) };
    (n == 4).then(|| u32::from_ne_bytes(buf) as usize)
}

/// Runs the child's setup steps in order; on a failure writes the step number to `pipe`.
fn run_steps(pipe: RawFd, steps: &mut dyn FnMut(&mut u32) -> io::Result<()>) -> io::Result<()> {
    let mut at = 0u32;
    let result = steps(&mut at);
    if result.is_err() {
        let bytes = at.to_ne_bytes();
        // SAFETY: writes 4 bytes from a live buffer to a descriptor we hold.
        unsafe {
            libc::write(pipe, bytes.as_ptr().cast(), 4);
        }
    }
    result
}

/// Everything the start child needs, prepared by the parent.
struct StartChild {
    cgroup_procs: Option<File>,
    netns: File,
    steps: Vec<Step>,
    hostname: CString,
    root: CString,
    working_dir: CString,
    identity: Identity,
    pipe: OwnedFd,
}

impl StartChild {
    /// Names of the steps `run` takes, in order, for error messages.
    fn step_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "joining the container cgroup",
            "creating a session",
            "joining the pod network namespace",
            "unsharing mount/UTS/IPC namespaces",
            "making mounts private",
        ]
        .map(String::from)
        .into();
        names.extend(self.steps.iter().map(|s| s.what.clone()));
        names.extend(
            [
                "setting the host name",
                "changing root (pivot_root)",
                "changing to the working dir",
                "setting uid/gid",
            ]
            .map(String::from),
        );
        names.into_iter().map(|n| format!("while {n}")).collect()
    }

    /// The child side: only system calls on prepared data (runs between fork and exec).
    fn run(&self) -> io::Result<()> {
        run_steps(self.pipe.as_raw_fd(), &mut |at| {
            // SAFETY: system calls on descriptors and NUL-terminated strings owned by `self`.
            unsafe {
                if let Some(procs) = &self.cgroup_procs
                    && libc::write(procs.as_raw_fd(), b"0".as_ptr().cast(), 1) != 1
                {
                    return Err(io::Error::last_os_error());
                }
                *at += 1;
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                *at += 1;
                check(libc::setns(self.netns.as_raw_fd(), libc::CLONE_NEWNET))?;
                *at += 1;
                check(libc::unshare(
                    libc::CLONE_NEWNS | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC,
                ))?;
                *at += 1;
                check(libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ))?;
                for step in &self.steps {
                    *at += 1;
                    step.op.run()?;
                }
                *at += 1;
                check(libc::sethostname(
                    self.hostname.as_ptr(),
                    self.hostname.as_bytes().len(),
                ))?;
                *at += 1;
                check(libc::chdir(self.root.as_ptr()))?;
                if libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) != 0 {
                    return Err(io::Error::last_os_error());
                }
                check(libc::umount2(c".".as_ptr(), libc::MNT_DETACH))?;
                check(libc::chdir(c"/".as_ptr()))?;
                *at += 1;
                check(libc::chdir(self.working_dir.as_ptr()))?;
                *at += 1;
                self.identity.apply()
            }
        })
    }
}

/// Everything the exec child needs, prepared by the parent.
struct ExecChild {
    cgroup_procs: Option<File>,
    /// ipc, uts, net, mnt namespaces of the container's main process.
    namespaces: Vec<(File, libc::c_int)>,
    root: File,
    working_dir: CString,
    identity: Identity,
    pipe: OwnedFd,
}

const EXEC_STEPS: [&str; 6] = [
    "while joining the container cgroup",
    "while creating a session",
    "while joining the container namespaces",
    "while changing root",
    "while changing to the working dir",
    "while setting uid/gid",
];

impl ExecChild {
    fn run(&self) -> io::Result<()> {
        run_steps(self.pipe.as_raw_fd(), &mut |at| {
            // SAFETY: system calls on descriptors and NUL-terminated strings owned by `self`.
            unsafe {
                if let Some(procs) = &self.cgroup_procs
                    && libc::write(procs.as_raw_fd(), b"0".as_ptr().cast(), 1) != 1
                {
                    return Err(io::Error::last_os_error());
                }
                *at += 1;
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                *at += 1;
                for (ns, kind) in &self.namespaces {
                    check(libc::setns(ns.as_raw_fd(), *kind))?;
                }
                *at += 1;
                check(libc::fchdir(self.root.as_raw_fd()))?;
                check(libc::chroot(c".".as_ptr()))?;
                *at += 1;
                if libc::chdir(self.working_dir.as_ptr()) != 0 {
                    check(libc::chdir(c"/".as_ptr()))?;
                }
                *at += 1;
                self.identity.apply()
            }
        })
    }
}

/// Sets `key` in an ordered env list, replacing an earlier value in place.
fn set_env(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_owned(),
        None => env.push((key.to_owned(), value.to_owned())),
    }
}

/// The container's env as a runtime builds it: `PATH` and `HOSTNAME`, the image's env, the
/// container's env, then `HOME` if still unset.
fn container_env(
    profile: &ImageProfile,
    spec: &ContainerSpec,
    hostname: &str,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("PATH".to_owned(), DEFAULT_PATH.to_owned()),
        ("HOSTNAME".to_owned(), hostname.to_owned()),
    ];
    for (k, v) in profile.env.iter().chain(&spec.env) {
        set_env(&mut env, k, v);
    }
    if !env.iter().any(|(k, _)| k == "HOME") {
        let home = home_of(spec.run_as_user.unwrap_or(0));
        env.push(("HOME".to_owned(), home));
    }
    env
}

/// The home directory `/etc/passwd` gives a uid; `/` when it has none (as container runtimes do).
fn home_of(uid: u32) -> String {
    if uid == 0 {
        return "/root".to_owned();
    }
    fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() >= 6 && f[2].parse::<u32>().ok() == Some(uid)).then(|| f[5].to_owned())
            })
        })
        .unwrap_or_else(|| "/".to_owned())
}

/// Applies a pod's fsGroup to a volume as the kubelet does: group ownership, group rw (r when
/// read-only) and, on directories, group x and the setgid bit — recursively, not following links.
fn apply_fs_group(path: &Path, gid: u32, read_only: bool) -> Result<()> {
    let meta =
        fs::symlink_metadata(path).with_context(|| format!("inspecting {}", path.display()))?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    lchown(path, None, Some(gid)).with_context(|| format!("chgrp {gid} {}", path.display()))?;
    let mut mask = if read_only { 0o440 } else { 0o660 };
    if meta.is_dir() {
        mask |= 0o2000 | 0o110;
    }
    fs::set_permissions(
        path,
        fs::Permissions::from_mode((meta.mode() & 0o7777) | mask),
    )
    .with_context(|| format!("chmod {}", path.display()))?;
    if meta.is_dir() {
        for entry in fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
            apply_fs_group(&entry?.path(), gid, read_only)?;
        }
    }
    Ok(())
}

fn open_cgroup_procs(cg: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .open(cg.join("cgroup.procs"))
        .with_context(|| format!("opening {}/cgroup.procs", cg.display()))
}

/// A child ready to fork: the command with its `pre_exec` setup, the names of its setup steps, and
/// the read end of the pipe it reports a failed step on.
struct Prepared {
    cmd: std::process::Command,
    steps: Vec<String>,
    pipe: OwnedFd,
}

impl Prepared {
    /// Makes a command whose child runs `setup` right before exec'ing `argv` with exactly `env`.
    /// `setup` reports a failed step on the write end of the pipe whose read end is `pipe`.
    fn new(
        argv: &[String],
        env: &[(String, String)],
        steps: Vec<String>,
        pipe: OwnedFd,
        setup: impl FnMut() -> io::Result<()> + Send + Sync + 'static,
    ) -> Prepared {
        let mut cmd = std::process::Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        // SAFETY: the setups (`StartChild::run`, `ExecChild::run`) make only async-signal-safe
        // system calls on data the parent prepared and the closure owns.
        unsafe {
            cmd.pre_exec(setup);
        }
        Prepared { cmd, steps, pipe }
    }

    /// Forks and execs; a failure is a [`SpawnError`] naming the failed setup step, or exec's own.
    fn spawn(self, program: &str) -> Result<Child> {
        let mut cmd = tokio::process::Command::from(self.cmd);
        let spawned = cmd.spawn();
        // Closes the parent's copies of the descriptors the child needed.
        drop(cmd);
        spawned.map_err(|err| match failed_step(&self.pipe) {
            Some(i) => anyhow::Error::new(SpawnError::Setup {
                step: self
                    .steps
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("at step {i}")),
                source: err,
            }),
            None => anyhow::Error::new(SpawnError::Exec {
                program: program.to_owned(),
                source: err,
            }),
        })
    }
}

/// Everything one container start needs, decided before any I/O.
struct StartPlan {
    spec: ContainerSpec,
    profile: ImageProfile,
    argv: Vec<String>,
    /// `<sandbox dir>/containers/<name>-<n>`: upper/work/root of this start.
    dir: PathBuf,
    cgroup: Option<PathBuf>,
    working_dir: PathBuf,
    identity: Identity,
    env: Vec<(String, String)>,
    log_path: PathBuf,
}

impl StartPlan {
    /// The blocking part of a start: fsGroup, the file system view, log, cgroup, namespace handles.
    fn prepare(&self, sb: &SandboxInner) -> Result<Prepared> {
        if let Some(gid) = self.spec.fs_group {
            for m in &self.spec.mounts {
                apply_fs_group(&m.host_path, gid, m.read_only)?;
            }
        }
        let rootfs = rootfs::prepare(&RootfsSpec {
            dir: &self.dir,
            sandbox_dir: &sb.dir,
            state_dir: &sb.net.state_dir,
            profile: &self.profile,
            mounts: &self.spec.mounts,
            working_dir: &self.working_dir,
        })?;
        if let Some(parent) = self.log_path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .with_context(|| format!("opening log {}", self.log_path.display()))?;
        let cgroup_procs = match &self.cgroup {
            Some(cg) => {
                cgroup::create(cg)?;
                Some(open_cgroup_procs(cg)?)
            }
            None => None,
        };
        let netns_path = Path::new("/run/netns").join(&sb.netns);
        let netns =
            File::open(&netns_path).with_context(|| format!("opening {}", netns_path.display()))?;
        let (pipe, pipe_write) = step_pipe()?;
        let child = StartChild {
            cgroup_procs,
            netns,
            steps: rootfs.steps,
            hostname: cstr(&sb.spec.hostname)?,
            root: cpath(&rootfs.root)?,
            working_dir: cpath(&self.working_dir)?,
            identity: self.identity.clone(),
            pipe: pipe_write,
        };
        let steps = child.step_names();
        let mut prepared = Prepared::new(&self.argv, &self.env, steps, pipe, move || child.run());
        prepared
            .cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        Ok(prepared)
    }
}

impl Sandbox {
    /// Starts a container: its main process in the pod's network namespace and new mount, UTS and
    /// IPC namespaces, host name = the pod's host name, the image profile's view of the file system
    /// with the volumes at their mount paths, env as [`ContainerSpec::env`] says, uid/gid if set
    /// (fsGroup applied to the volumes first), in its own cgroup and process group, stdin
    /// `/dev/null`, stdout and stderr appended to `log_path` (created; use one file per start so the
    /// previous start's log stays readable). The image must have a profile ([`profile_for`]):
    /// check that first to report `ErrImagePull`.
    ///
    /// When the main process exits, every other process of the container is killed (as when a
    /// PID namespace's init dies) and its writable layer is discarded.
    pub async fn start(&self, spec: &ContainerSpec, log_path: &Path) -> Result<Container> {
        let profile = profile_for(&spec.image)
            .ok_or_else(|| anyhow!("image {:?} is not known to this cluster", spec.image))?;
        let argv: Vec<String> = spec.command.iter().chain(&spec.args).cloned().collect();
        let Some(program) = argv.first().cloned() else {
            bail!(
                "container {} has no command and image {} has no default",
                spec.name,
                spec.image
            );
        };
        let sb = &self.inner;
        sb.check_alive()?;
        let instance = format!("{}-{}", spec.name, sb.starts.fetch_add(1, Ordering::SeqCst));
        let plan = Arc::new(StartPlan {
            argv,
            dir: sb.dir.join("containers").join(&instance),
            cgroup: sb.cgroup.as_ref().map(|c| c.join(&instance)),
            working_dir: (spec.working_dir.clone())
                .or_else(|| profile.working_dir.clone())
                .unwrap_or_else(|| PathBuf::from("/")),
            identity: Identity::of(spec),
            env: container_env(&profile, spec, &sb.spec.hostname),
            log_path: log_path.to_path_buf(),
            spec: spec.clone(),
            profile,
        });
        let prepared = {
            let (plan, sb) = (plan.clone(), sb.clone());
            blocking(move || plan.prepare(&sb)).await?
        };
        let mut child = match prepared.spawn(&program) {
            Ok(child) => child,
            Err(e) => {
                if let Some(cg) = &plan.cgroup {
                    let _ = cgroup::remove_tree(cg);
                }
                let pod = format!("{}/{}", sb.spec.namespace, sb.spec.name);
                return Err(e.context(format!("starting container {} of pod {pod}", spec.name)));
            }
        };
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("started container has no pid"))?;
        let (tx, rx) = watch::channel(None);
        let reaped = plan.clone();
        let net = sb.net.clone();
        tokio::spawn(async move {
            let exit = match child.wait().await {
                Ok(status) => ExitInfo::from_status(status),
                Err(_) => ExitInfo {
                    finished_at: SystemTime::now(),
                    ..UNKNOWN_EXIT
                },
            };
            // The rest of the container dies with its main process; then its layer goes.
            let _ = blocking(move || {
                // After a cluster teardown (which killed everything) the names may be another's.
                if !net.is_destroyed() {
                    match &reaped.cgroup {
                        Some(cg) => {
                            if let Err(e) = cgroup::kill_and_remove(cg, KILL_TIMEOUT) {
                                tracing::warn!(
                                    "after container {} exited: {e:#}",
                                    reaped.spec.name
                                );
                            }
                        }
                        None => kill_group(pid, libc::SIGKILL),
                    }
                }
                let _ = tx.send(Some(exit));
                let _ = fs::remove_dir_all(&reaped.dir);
                Ok(())
            })
            .await;
        });
        Ok(Container {
            inner: Arc::new(ContainerInner {
                name: spec.name.clone(),
                pid,
                netns: sb.netns.clone(),
                cgroup: plan.cgroup.clone(),
                env: plan.env.clone(),
                identity: plan.identity.clone(),
                working_dir: cpath(&plan.working_dir)?,
                started_at: SystemTime::now(),
                exit: rx,
            }),
        })
    }

    /// Runs a command inside a running container: its mount, UTS, IPC and network namespaces and
    /// root, its uid/gid/groups, its working dir, its env with `env` put over it; in the container's
    /// cgroup (so it dies with the container) and its own process group. stdin, stdout and stderr
    /// are pipes. Fails with [`SpawnError::NotRunning`] for an exited container and
    /// [`SpawnError::Exec`] for a command that cannot be executed.
    pub async fn exec(
        &self,
        container: &Container,
        argv: &[String],
        env: &[(String, String)],
    ) -> Result<ExecProcess> {
        let c = container.inner.clone();
        let pod = format!("{}/{}", self.inner.spec.namespace, self.inner.spec.name);
        if c.netns != self.inner.netns {
            bail!("container {} does not belong to pod {pod}", c.name);
        }
        let Some(program) = argv.first().cloned() else {
            bail!("exec needs a command")
        };
        self.inner.check_alive()?;
        let not_running = || anyhow::Error::new(SpawnError::NotRunning);
        if container.try_status().is_some() {
            return Err(not_running());
        }
        let mut full_env = c.env.clone();
        for (k, v) in env {
            set_env(&mut full_env, k, v);
        }
        let argv = argv.to_vec();
        let target = c.clone();
        let prepared = blocking(move || {
            let proc_dir = PathBuf::from(format!("/proc/{}", target.pid));
            let open = |p: &str| File::open(proc_dir.join(p)).map_err(|_| not_running());
            let namespaces = vec![
                (open("ns/ipc")?, libc::CLONE_NEWIPC),
                (open("ns/uts")?, libc::CLONE_NEWUTS),
                (open("ns/net")?, libc::CLONE_NEWNET),
                (open("ns/mnt")?, libc::CLONE_NEWNS),
            ];
            let cgroup_procs = match &target.cgroup {
                Some(cg) => Some(open_cgroup_procs(cg).map_err(|_| not_running())?),
                None => None,
            };
            let (pipe, pipe_write) = step_pipe()?;
            let child = ExecChild {
                cgroup_procs,
                namespaces,
                root: open("root")?,
                working_dir: target.working_dir.clone(),
                identity: target.identity.clone(),
                pipe: pipe_write,
            };
            let steps = EXEC_STEPS.map(String::from).into();
            let mut prepared = Prepared::new(&argv, &full_env, steps, pipe, move || child.run());
            prepared
                .cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            Ok(prepared)
        })
        .await?;
        // Its namespaces were opened while it ran; a pid reused since then would be a stranger.
        if container.try_status().is_some() {
            return Err(not_running());
        }
        let mut child = prepared
            .spawn(&program)
            .with_context(|| format!("exec in container {} of pod {pod}", c.name))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("exec'd process has no pid"))?;
        Ok(ExecProcess {
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            child,
            pid,
            done: false,
        })
    }
}

/// A process started by [`Sandbox::exec`]. Take `stdin`/`stdout`/`stderr` to talk to it (drop
/// stdin to send EOF). Dropping it kills its process group if it still runs.
pub struct ExecProcess {
    child: Child,
    pid: u32,
    done: bool,
    /// Its stdin.
    pub stdin: Option<ChildStdin>,
    /// Its stdout.
    pub stdout: Option<ChildStdout>,
    /// Its stderr.
    pub stderr: Option<ChildStderr>,
}

/// What a finished exec printed and how it ended.
#[derive(Clone, Debug)]
pub struct ExecOutput {
    /// How it ended.
    pub status: ExitInfo,
    /// Everything it wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl ExecProcess {
    /// Its pid (host pid namespace), also its process group.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits for it to exit.
    pub async fn wait(&mut self) -> Result<ExitInfo> {
        let status = self
            .child
            .wait()
            .await
            .context("waiting for exec'd process")?;
        self.done = true;
        Ok(ExitInfo::from_status(status))
    }

    /// How it ended, if it has.
    pub fn try_wait(&mut self) -> Result<Option<ExitInfo>> {
        let status = self.child.try_wait().context("polling exec'd process")?;
        self.done |= status.is_some();
        Ok(status.map(ExitInfo::from_status))
    }

    /// SIGKILL to its process group.
    pub fn kill(&self) {
        kill_group(self.pid, libc::SIGKILL);
    }

    /// Closes stdin, reads stdout and stderr to the end and waits for the exit.
    pub async fn output(mut self) -> Result<ExecOutput> {
        drop(self.stdin.take());
        let mut out = self.stdout.take();
        let mut err = self.stderr.take();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let read_out = async {
            if let Some(o) = &mut out {
                o.read_to_end(&mut stdout).await?;
            }
            io::Result::Ok(())
        };
        let read_err = async {
            if let Some(e) = &mut err {
                e.read_to_end(&mut stderr).await?;
            }
            io::Result::Ok(())
        };
        let (a, b) = tokio::join!(read_out, read_err);
        a.and(b).context("reading exec'd process output")?;
        let status = self.wait().await?;
        Ok(ExecOutput {
            status,
            stdout,
            stderr,
        })
    }
}

impl Drop for ExecProcess {
    fn drop(&mut self) {
        if !self.done && matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}
