//! Image profiles: what an image name stands for in this cluster.
//!
//! There is no image store. A container's root file system is the host's root (read-only lower
//! layer, see the container module), so host programs (`sh`, coreutils, `nc`, `java`) are there; a
//! profile adds what makes the view look like the published image: files and scripts at paths,
//! directories, host paths bound elsewhere, the default entrypoint/command, env and working dir.

use std::path::PathBuf;

use super::zookeeper::{ZooKeeperImage, release_cache, releases_in, unavailable_reason};

/// The `PATH` container runtimes set when an image sets none (and busybox's own).
pub(crate) const DEFAULT_PATH: &str =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// An image reference split as Docker normalises it: `busybox` is
/// `docker.io` / `library/busybox` / tag `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io`, `registry.k8s.io`, `k8s.gcr.io`, …
    pub registry: String,
    /// `library/busybox`, `kubernetes-zookeeper`, …
    pub repository: String,
    /// `1.36`, `1.0-3.4.10`; `None` means `latest`.
    pub tag: Option<String>,
    /// `sha256:…` when pinned by digest.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses an image reference (`busybox`, `busybox:1.36`, `docker.io/library/zookeeper:3.8`,
    /// `registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10`, `busybox@sha256:…`).
    pub fn parse(image: &str) -> ImageRef {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (image, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_owned()),
            ),
            None => (rest, None),
        };
        let (registry, mut repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), path.to_owned())
            }
            _ => ("docker.io".to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            "docker.io".to_owned()
        } else {
            registry
        };
        if registry == "docker.io" && !repository.contains('/') {
            repository = format!("library/{repository}");
        }
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }
}

/// What an image provides, as far as this cluster models it.
#[derive(Clone, Debug, Default)]
pub struct ImageProfile {
    /// Short name of the profile, for messages (`busybox`).
    pub name: String,
    /// The image's `ENTRYPOINT`.
    pub entrypoint: Vec<String>,
    /// The image's `CMD`.
    pub cmd: Vec<String>,
    /// The image's `ENV`, including `PATH` (the runtime puts these under the container's env).
    pub env: Vec<(String, String)>,
    /// The image's `WORKDIR` (default `/`).
    pub working_dir: Option<PathBuf>,
    /// Files, directories and links the image has beyond the host's root file system.
    pub files: Vec<ImageFile>,
}

/// One path an image provides.
#[derive(Clone, Debug)]
pub struct ImageFile {
    /// Absolute path inside the container.
    pub path: PathBuf,
    /// What is there.
    pub kind: ImageFileKind,
}

/// What an [`ImageFile`] is.
#[derive(Clone, Debug)]
pub enum ImageFileKind {
    /// A directory (parents are created as needed), e.g. `/data` owned by 1000:1000.
    Dir {
        /// Permission bits, e.g. `0o755`.
        mode: u32,
        /// Owner.
        uid: u32,
        /// Group.
        gid: u32,
    },
    /// A regular file with this content, e.g. a script with mode `0o755`. It lives in the
    /// container's writable layer: the container may change it, the next start gets it afresh.
    File {
        /// The bytes.
        content: Vec<u8>,
        /// Permission bits, e.g. `0o755` for a script.
        mode: u32,
    },
    /// A symbolic link to `target`.
    Symlink {
        /// Where it points (absolute targets are inside the container).
        target: PathBuf,
    },
    /// A host file or directory bound at this path, e.g. a ZooKeeper release's jars.
    HostPath {
        /// The host file or directory.
        source: PathBuf,
        /// Bound read-only.
        read_only: bool,
    },
}

impl ImageProfile {
    /// The argv Kubernetes runs for a container of this image: `command` + `args` when `command` is
    /// set; the image's entrypoint + `args` when only `args` is; entrypoint + cmd when neither is.
    pub fn argv(&self, command: &[String], args: &[String]) -> Vec<String> {
        let (head, tail) = match (command.is_empty(), args.is_empty()) {
            (false, _) => (command, args),
            (true, false) => (self.entrypoint.as_slice(), args),
            (true, true) => (self.entrypoint.as_slice(), self.cmd.as_slice()),
        };
        head.iter().chain(tail).cloned().collect()
    }
}

/// The profile of an image, or `None` for an image this cluster does not have (the kubelet reports
/// `ErrImagePull`, then `ImagePullBackOff`).
///
/// Known: `busybox` (any tag or digest, any spelling of Docker Hub's library path), the Kubernetes
/// tutorial's `registry.k8s.io/kubernetes-zookeeper` (also `k8s.gcr.io/…`) and the Docker library
/// `zookeeper`, when the ZooKeeper release their tag names is in the release cache (see the
/// zookeeper module).
pub fn profile_for(image: &str) -> Option<ImageProfile> {
    let image = ImageRef::parse(image);
    if (image.registry.as_str(), image.repository.as_str()) == ("docker.io", "library/busybox") {
        return Some(busybox());
    }
    let zookeeper = ZooKeeperImage::of(&image)?;
    let releases = releases_in(&release_cache());
    let release = zookeeper.release(image.tag.as_deref(), &releases)?;
    Some(zookeeper.profile(release))
}

/// Why `image` cannot be pulled (for the kubelet's `ErrImagePull` message): a ZooKeeper image
/// whose release is not in the cache names the releases that are; any other image is unknown.
pub fn pull_failure(image: &str) -> String {
    if ZooKeeperImage::of(&ImageRef::parse(image)).is_some() {
        unavailable_reason(image, &releases_in(&release_cache()))
    } else {
        "image not known to testcluster".to_owned()
    }
}

/// busybox: a shell, coreutils and `nc` — here the host's (dash, GNU coreutils, netcat-openbsd
/// when installed), all visible through the host root layer.
fn busybox() -> ImageProfile {
    ImageProfile {
        name: "busybox".into(),
        cmd: vec!["sh".into()],
        env: vec![("PATH".into(), DEFAULT_PATH.into())],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_normalise_like_docker() {
        let r = ImageRef::parse("busybox");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("docker.io", "library/busybox", None)
        );
        let r = ImageRef::parse("docker.io/library/busybox:1.36@sha256:abc");
        assert_eq!(r.repository, "library/busybox");
        assert_eq!(r.tag.as_deref(), Some("1.36"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("registry.k8s.io", "kubernetes-zookeeper")
        );
        assert_eq!(r.tag.as_deref(), Some("1.0-3.4.10"));
        let r = ImageRef::parse("localhost:5000/team/app:v1");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "team/app")
        );
        assert_eq!(r.tag.as_deref(), Some("v1"));
    }

    #[test]
    fn busybox_is_known_and_others_are_not() {
        for name in [
            "busybox",
            "busybox:1.36",
            "docker.io/library/busybox:latest",
            "library/busybox",
        ] {
            assert_eq!(
                profile_for(name).map(|p| p.name),
                Some("busybox".to_owned()),
                "{name}"
            );
        }
        assert!(profile_for("nosuch/image:1").is_none());
        assert!(profile_for("quay.io/busybox").is_none());
    }

    #[test]
    fn argv_follows_kubernetes_rules() {
        let p = ImageProfile {
            entrypoint: vec!["/ep".into()],
            cmd: vec!["run".into()],
            ..Default::default()
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(p.argv(&[], &[]), s(&["/ep", "run"]));
        assert_eq!(p.argv(&[], &s(&["x"])), s(&["/ep", "x"]));
        assert_eq!(
            p.argv(&s(&["sh"]), &s(&["-c", "true"])),
            s(&["sh", "-c", "true"])
        );
        assert_eq!(busybox().argv(&[], &[]), s(&["sh"]));
    }
}
