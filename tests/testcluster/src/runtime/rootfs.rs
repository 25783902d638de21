//! A container's file system view.
//!
//! The root is an overlay: lower layer the host's root file system (read-only through the overlay:
//! nothing a container writes reaches the host), upper layer a fresh directory per container start
//! (`<container dir>/upper`), which this module fills before the start with what the image profile
//! adds and with the mount points the container needs. Host submounts (`/proc`, `/sys`, `/dev`, …)
//! are not part of the lower layer; the container gets its own: a new `proc`, a read-only `sysfs` of
//! its network namespace, a `/dev` with `null zero full random urandom tty` bound from the host and
//! a tmpfs `/dev/shm`, tmpfs `/tmp` and `/run`, and a tmpfs over the cluster's state dir (so pods do
//! not see other pods' volumes). Then the pod's `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`,
//! the profile's host paths and the volumes are bound at their paths (parents first).
//!
//! The parent prepares everything it can on disk and returns a list of [`Step`]s (mounts, and
//! `mkdir`s below paths that only exist once something is mounted there); the child runs them with
//! plain system calls between `unshare` and `pivot_root` (see the container module).

use std::ffi::CString;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt, lchown, symlink};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::container::Mount;
use super::image::{ImageFile, ImageFileKind, ImageProfile};
use super::sys::{cpath, cstr};

/// One thing the child does to build the view; failures name `what`.
pub(crate) struct Step {
    pub(crate) op: Op,
    pub(crate) what: String,
}

/// A system call the child makes, with every argument prepared by the parent.
pub(crate) enum Op {
    Mount {
        src: Option<CString>,
        dst: CString,
        fstype: Option<CString>,
        flags: libc::c_ulong,
        data: Option<CString>,
    },
    /// `mkdir`, an existing directory being fine.
    Mkdir { path: CString, mode: libc::mode_t },
    /// Creates an empty file if none exists.
    Touch { path: CString },
}

impl Op {
    /// Runs the system call. Only async-signal-safe calls: this runs between fork and exec.
    pub(crate) fn run(&self) -> std::io::Result<()> {
        let check = |rc: libc::c_int| {
            if rc == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        };
        let opt = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: every pointer is a NUL-terminated string owned by `self` (or null where allowed).
        unsafe {
            match self {
                Op::Mount {
                    src,
                    dst,
                    fstype,
                    flags,
                    data,
                } => check(libc::mount(
                    opt(src),
                    dst.as_ptr(),
                    opt(fstype),
                    *flags,
                    opt(data).cast(),
                )),
                Op::Mkdir { path, mode } => {
                    if libc::mkdir(path.as_ptr(), *mode) == 0 {
                        return Ok(());
                    }
                    let err = std::io::Error::last_os_error();
                    if err.raw_os_error() == Some(libc::EEXIST) {
                        Ok(())
                    } else {
                        Err(err)
                    }
                }
                Op::Touch { path } => {
                    let fd = libc::open(
                        path.as_ptr(),
                        libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                        0o644,
                    );
                    if fd < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(fd);
                    Ok(())
                }
            }
        }
    }
}

/// Inputs for one container start's view.
pub(crate) struct RootfsSpec<'a> {
    /// The container start's own directory (gets `upper`, `work`, `root`).
    pub(crate) dir: &'a Path,
    /// The sandbox directory holding `hosts`, `hostname`, `resolv.conf`.
    pub(crate) sandbox_dir: &'a Path,
    /// The cluster state dir, hidden inside.
    pub(crate) state_dir: &'a Path,
    pub(crate) profile: &'a ImageProfile,
    pub(crate) mounts: &'a [Mount],
    /// Created if missing, like a runtime creates `WORKDIR`.
    pub(crate) working_dir: &'a Path,
}

/// The prepared view: the host path that becomes `/`, and the steps that build it.
pub(crate) struct Rootfs {
    pub(crate) root: PathBuf,
    pub(crate) steps: Vec<Step>,
}

/// Devices bound from the host into the container's `/dev`.
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

/// Prepares a container's view on disk and returns the steps the child runs.
pub(crate) fn prepare(spec: &RootfsSpec<'_>) -> Result<Rootfs> {
    let upper = spec.dir.join("upper");
    let work = spec.dir.join("work");
    let root = spec.dir.join("root");
    for d in [&upper, &work, &root] {
        fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let mut b = Builder {
        upper,
        root: root.clone(),
        root_dev: fs::metadata("/")?.dev(),
        covers: Vec::new(),
        steps: Vec::new(),
    };

    let overlay_data = format!(
        "lowerdir=/,upperdir={},workdir={}",
        escape_overlay_path(&b.upper)?,
        escape_overlay_path(&work)?
    );
    // A mount at container path `/` targets `root` itself.
    b.mount(
        Some("overlay"),
        Path::new("/"),
        Some("overlay"),
        0,
        Some(&overlay_data),
        "mounting the overlay root",
    )?;
    let nodev = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    b.ensure(Path::new("/proc"), Kind::Dir)?;
    b.mount(
        Some("proc"),
        Path::new("/proc"),
        Some("proc"),
        nodev,
        None,
        "mounting /proc",
    )?;
    b.ensure(Path::new("/sys"), Kind::Dir)?;
    b.mount(
        Some("sysfs"),
        Path::new("/sys"),
        Some("sysfs"),
        nodev | libc::MS_RDONLY,
        None,
        "mounting /sys",
    )?;

    // /dev: only what the upper layer has (opaque over the lower's), devices bound from the host.
    let dev = b.upper_dir(Path::new("/dev"))?;
    set_opaque(&dev)?;
    for name in DEVICES {
        let file = dev.join(name);
        if !file.exists() {
            fs::write(&file, b"").with_context(|| format!("creating {}", file.display()))?;
        }
    }
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        let _ = fs::remove_file(dev.join(name));
        symlink(target, dev.join(name)).with_context(|| format!("creating /dev/{name}"))?;
    }
    for name in DEVICES {
        let host = Path::new("/dev").join(name);
        b.bind(&host, &host, false, false)?;
    }

    // Fresh, empty file systems over paths whose host content must not show.
    let mut tmpfs = vec![
        ("/dev/shm", "mode=1777"),
        ("/tmp", "mode=1777"),
        ("/run", "mode=755"),
    ];
    let state = spec.state_dir.to_str().unwrap_or("/");
    if state != "/" && !["/tmp/", "/run/"].iter().any(|p| state.starts_with(p)) {
        tmpfs.push((state, "mode=755"));
    }
    for (path, data) in tmpfs {
        let path = Path::new(path);
        b.ensure(path, Kind::Dir)?;
        b.mount(
            Some("tmpfs"),
            path,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(data),
            &format!("mounting a tmpfs at {}", path.display()),
        )?;
        b.covers.push(path.to_path_buf());
    }

    for name in ["hosts", "hostname", "resolv.conf"] {
        b.bind(
            &spec.sandbox_dir.join(name),
            &Path::new("/etc").join(name),
            false,
            false,
        )?;
    }

    for file in &spec.profile.files {
        b.image_file(file)?;
    }

    // Volumes, parents before children (a volume inside another gets its mount point created in it).
    let mut mounts: Vec<&Mount> = spec.mounts.iter().collect();
    mounts.sort_by_key(|m| m.container_path.components().count());
    for m in mounts {
        if !m.container_path.is_absolute() {
            bail!(
                "volume mount path {} is not absolute",
                m.container_path.display()
            );
        }
        b.bind(&m.host_path, &m.container_path, m.read_only, true)?;
    }

    b.ensure(spec.working_dir, Kind::Dir)?;
    Ok(Rootfs {
        root,
        steps: b.steps,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
}

struct Builder {
    upper: PathBuf,
    root: PathBuf,
    /// Device of the host root file system: only paths on it are in the lower layer.
    root_dev: u64,
    /// Container paths whose content is only known once mounted (tmpfs, volumes): mount points
    /// below them are made by the child.
    covers: Vec<PathBuf>,
    steps: Vec<Step>,
}

impl Builder {
    /// The host path of a container path once the root is mounted.
    fn in_root(&self, path: &Path) -> PathBuf {
        self.root.join(path.strip_prefix("/").unwrap_or(path))
    }

    fn in_upper(&self, path: &Path) -> PathBuf {
        self.upper.join(path.strip_prefix("/").unwrap_or(path))
    }

    fn mount(
        &mut self,
        src: Option<&str>,
        dst: &Path,
        fstype: Option<&str>,
        flags: libc::c_ulong,
        data: Option<&str>,
        what: &str,
    ) -> Result<()> {
        let op = Op::Mount {
            src: src.map(cstr).transpose()?,
            dst: cpath(&self.in_root(dst))?,
            fstype: fstype.map(cstr).transpose()?,
            flags,
            data: data.map(cstr).transpose()?,
        };
        self.steps.push(Step {
            op,
            what: what.to_owned(),
        });
        Ok(())
    }

    /// Binds a host path at a container path (made if missing), optionally read-only.
    fn bind(&mut self, host: &Path, path: &Path, read_only: bool, covers: bool) -> Result<()> {
        let meta = fs::metadata(host).with_context(|| format!("bind source {}", host.display()))?;
        let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
        let target = self.ensure(path, kind)?;
        let what = format!("binding {} at {}", host.display(), target.display());
        let src = Some(cpath(host)?);
        let dst = cpath(&self.in_root(&target))?;
        self.steps.push(Step {
            op: Op::Mount {
                src,
                dst: dst.clone(),
                fstype: None,
                flags: libc::MS_BIND,
                data: None,
            },
            what: what.clone(),
        });
        if read_only {
            let flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY;
            self.steps.push(Step {
                op: Op::Mount {
                    src: None,
                    dst,
                    fstype: None,
                    flags,
                    data: None,
                },
                what: format!("{what} read-only"),
            });
        }
        if covers && kind == Kind::Dir {
            self.covers.push(target);
        }
        Ok(())
    }

    /// The cover a (resolved) container path lies under, if any.
    fn cover_of(&self, path: &Path) -> Option<PathBuf> {
        self.covers
            .iter()
            .filter(|c| path.starts_with(c))
            .max_by_key(|c| c.components().count())
            .cloned()
    }

    /// Makes sure a container path exists as a `kind` once the view is built: in the upper layer
    /// now, or by the child below a cover. Returns the path with symbolic links resolved.
    fn ensure(&mut self, path: &Path, kind: Kind) -> Result<PathBuf> {
        let path = self.resolve(path)?;
        if let Some(cover) = self.cover_of(&path) {
            let mut at = cover.clone();
            let rest: Vec<_> = path
                .strip_prefix(&cover)
                .unwrap_or(Path::new(""))
                .components()
                .collect();
            for (i, c) in rest.iter().enumerate() {
                at.push(c);
                let last = i + 1 == rest.len();
                let p = cpath(&self.in_root(&at))?;
                let op = if last && kind == Kind::File {
                    Op::Touch { path: p }
                } else {
                    Op::Mkdir {
                        path: p,
                        mode: 0o755,
                    }
                };
                self.steps.push(Step {
                    op,
                    what: format!("creating {}", at.display()),
                });
            }
            return Ok(path);
        }
        let upper = self.in_upper(&path);
        if fs::symlink_metadata(&upper).is_ok() || self.in_lower(&path).is_some() {
            return Ok(path);
        }
        match kind {
            Kind::Dir => {
                self.upper_dir(&path)?;
            }
            Kind::File => {
                if let Some(parent) = path.parent() {
                    self.upper_dir(parent)?;
                }
                fs::write(&upper, b"").with_context(|| format!("creating {}", upper.display()))?;
            }
        }
        Ok(path)
    }

    /// Host metadata of a container path in the lower layer (the host root file system only).
    fn in_lower(&self, path: &Path) -> Option<fs::Metadata> {
        fs::symlink_metadata(path)
            .ok()
            .filter(|m| m.dev() == self.root_dev)
    }

    /// Creates a (resolved) directory and its parents in the upper layer, copying the lower
    /// layer's mode and owner where it has the directory, so the merged view keeps them.
    fn upper_dir(&self, path: &Path) -> Result<PathBuf> {
        let mut at = PathBuf::from("/");
        for c in path
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
        {
            at.push(c);
            let upper = self.in_upper(&at);
            if fs::symlink_metadata(&upper)
                .map(|m| m.is_dir())
                .unwrap_or(false)
            {
                continue;
            }
            fs::create_dir(&upper).with_context(|| format!("creating {}", upper.display()))?;
            if let Some(lower) = self.in_lower(&at).filter(|m| m.is_dir()) {
                fs::set_permissions(&upper, fs::Permissions::from_mode(lower.mode() & 0o7777))?;
                lchown(&upper, Some(lower.uid()), Some(lower.gid()))?;
            } else {
                fs::set_permissions(&upper, fs::Permissions::from_mode(0o755))?;
            }
        }
        Ok(self.in_upper(path))
    }

    /// Resolves symbolic links of a container path as the container would see them (upper layer
    /// first, then the lower), with absolute targets relative to the container root. Below a cover
    /// the rest is taken literally.
    fn resolve(&self, path: &Path) -> Result<PathBuf> {
        if !path.is_absolute() {
            bail!("container path {} is not absolute", path.display());
        }
        let mut out = PathBuf::from("/");
        let mut todo: Vec<PathBuf> = path
            .components()
            .rev()
            .map(|c| PathBuf::from(c.as_os_str()))
            .collect();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            match Path::new(&c).components().next() {
                Some(Component::Normal(name)) => {
                    let next = out.join(name);
                    if self.cover_of(&next).is_some() {
                        out = next;
                        continue;
                    }
                    let link = match fs::symlink_metadata(self.in_upper(&next)) {
                        Ok(m) if m.file_type().is_symlink() => {
                            Some(fs::read_link(self.in_upper(&next))?)
                        }
                        Ok(_) => None,
                        Err(e) if e.kind() == ErrorKind::NotFound => match self.in_lower(&next) {
                            Some(m) if m.file_type().is_symlink() => Some(fs::read_link(&next)?),
                            _ => None,
                        },
                        Err(e) => {
                            return Err(e)
                                .with_context(|| format!("inspecting {}", next.display()));
                        }
                    };
                    match link {
                        Some(target) => {
                            hops += 1;
                            if hops > 40 {
                                bail!("too many symbolic links resolving {}", path.display());
                            }
                            if target.is_absolute() {
                                out = PathBuf::from("/");
                            }
                            todo.extend(
                                target
                                    .components()
                                    .rev()
                                    .map(|c| PathBuf::from(c.as_os_str())),
                            );
                        }
                        None => out = next,
                    }
                }
                Some(Component::ParentDir) => {
                    out.pop();
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Places one file of the image profile.
    fn image_file(&mut self, file: &ImageFile) -> Result<()> {
        let path = &file.path;
        match &file.kind {
            ImageFileKind::HostPath { source, read_only } => {
                self.bind(source, path, *read_only, true)
            }
            kind => {
                let resolved = self.resolve(path)?;
                if self.cover_of(&resolved).is_some() {
                    bail!(
                        "image file {} lies in a path mounted at start (tmpfs or volume)",
                        path.display()
                    );
                }
                let parent = resolved.parent().unwrap_or(Path::new("/"));
                self.upper_dir(parent)?;
                let upper = self.in_upper(&resolved);
                let ctx = || format!("placing image file {}", path.display());
                match kind {
                    ImageFileKind::Dir { mode, uid, gid } => {
                        self.upper_dir(&resolved)?;
                        fs::set_permissions(&upper, fs::Permissions::from_mode(*mode))
                            .with_context(ctx)?;
                        lchown(&upper, Some(*uid), Some(*gid)).with_context(ctx)?;
                    }
                    ImageFileKind::File { content, mode } => {
                        fs::write(&upper, content).with_context(ctx)?;
                        fs::set_permissions(&upper, fs::Permissions::from_mode(*mode))
                            .with_context(ctx)?;
                    }
                    ImageFileKind::Symlink { target } => {
                        let _ = fs::remove_file(&upper);
                        symlink(target, &upper).with_context(ctx)?;
                    }
                    ImageFileKind::HostPath { .. } => {}
                }
                Ok(())
            }
        }
    }
}

/// Marks an upper-layer directory opaque: the lower layer's entries do not show through.
fn set_opaque(dir: &Path) -> Result<()> {
    let path = cpath(dir)?;
    // SAFETY: NUL-terminated strings and a 1-byte value buffer, all live for the call.
    let rc = unsafe {
        libc::setxattr(
            path.as_ptr(),
            c"trusted.overlay.opaque".as_ptr(),
            b"y".as_ptr().cast(),
            1,
            0,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("marking {} opaque", dir.display()));
    }
    Ok(())
}

/// Overlay options separate with `,` and `:`; refuse paths that contain them.
fn escape_overlay_path(p: &Path) -> Result<String> {
    let s = p
        .to_str()
        .with_context(|| format!("{} is not UTF-8", p.display()))?;
    if s.contains([',', ':', '\\']) {
        bail!("state dir path {s} contains ',', ':' or '\\', which overlayfs options cannot carry");
    }
    Ok(s.to_owned())
}
