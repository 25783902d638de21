//! The ZooKeeper image profiles: what makes a pod look like the published ZooKeeper images from
//! inside while running the ZooKeeper release its tag names — the release's jars from Maven Central
//! (fetched by `scripts/lib/zookeeper.sh` into the release cache, see [`release_cache`]) on the
//! machine's Java 17.
//!
//! The scripts are this project's own (in `tests/testcluster/images/`, embedded here), written to
//! do what the published images' scripts do; `images/README.md` lists every difference.
//!
//! - [`kubernetes_zookeeper`]: `registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10` (the seeds'
//!   `k8s.gcr.io/…`): `start-zookeeper`, `zookeeper-ready`, ZooKeeper under `/opt/zookeeper`.
//! - [`docker_library_zookeeper`]: the Docker library `zookeeper` image: `/docker-entrypoint.sh`
//!   driven by `ZOO_*` variables, `/conf`, `/data`, `/datalog`, `/logs`.
//!
//! An image whose release is not in the cache has no profile: the kubelet reports `ErrImagePull`
//! with [`unavailable_reason`], which names the releases there are.

use std::path::{Path, PathBuf};

use super::image::{DEFAULT_PATH, ImageFile, ImageFileKind, ImageProfile, ImageRef};

/// The image's user, as both published images have it.
const ZK_UID: u32 = 1000;
/// Where the shared helper files go (not in the published images).
const SHARE: &str = "/usr/share/testcluster/zookeeper";
/// The environment variable naming the release cache (as in `scripts/lib/zookeeper.sh`).
pub const CACHE_ENV: &str = "KZK_ZOOKEEPER_CACHE";
/// The release cache when [`CACHE_ENV`] is not set.
pub const DEFAULT_CACHE: &str = "/var/cache/kubectl-zk/zookeeper";

const ZK_SERVER: &[u8] = include_bytes!("../../images/common/zkServer.sh");
const ZK_CLI: &[u8] = include_bytes!("../../images/common/zkCli.sh");
const ZK_ENV_RELEASE: &[u8] = include_bytes!("../../images/common/zkEnv-release.sh");
const LOG4J_DEFAULT: &[u8] = include_bytes!("../../images/common/log4j.properties");

const K8S_ZK_ENV: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/zkEnv.sh");
const K8S_START: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/start-zookeeper");
const K8S_READY: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/zookeeper-ready");

const LIB_ZK_ENV: &[u8] = include_bytes!("../../images/zookeeper/zkEnv.sh");
const LIB_ENTRYPOINT: &[u8] = include_bytes!("../../images/zookeeper/docker-entrypoint.sh");
const LIB_LOGBACK: &[u8] = include_bytes!("../../images/zookeeper/logback.xml");

/// A ZooKeeper release in the cache: its version and the directory of its jars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Release {
    /// `3.4.10`, `3.9.4`.
    pub version: String,
    /// `<cache>/<version>/lib`.
    pub lib: PathBuf,
}

/// The release cache: `$KZK_ZOOKEEPER_CACHE`, else `/var/cache/kubectl-zk/zookeeper`.
pub fn release_cache() -> PathBuf {
    std::env::var_os(CACHE_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_CACHE), PathBuf::from)
}

/// The releases in `cache` that were fetched completely (a `COMPLETE` file), oldest first.
pub(crate) fn releases_in(cache: &Path) -> Vec<Release> {
    let mut releases: Vec<Release> = std::fs::read_dir(cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.to_owned();
            version_key(&version)?;
            entry.path().join("COMPLETE").is_file().then(|| Release {
                lib: entry.path().join("lib"),
                version,
            })
        })
        .collect();
    releases.sort_by_key(|r| version_key(&r.version));
    releases
}

/// `3.9.4` → `[3, 9, 4]`; `None` for anything that is not dotted numbers.
fn version_key(version: &str) -> Option<Vec<u32>> {
    version.split('.').map(|p| p.parse().ok()).collect()
}

/// Which ZooKeeper image an image reference is, if it is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZooKeeperImage {
    /// `registry.k8s.io/kubernetes-zookeeper` (also `k8s.gcr.io/…`).
    KubernetesTutorial,
    /// `docker.io/library/zookeeper`.
    DockerLibrary,
}

impl ZooKeeperImage {
    /// The ZooKeeper image `image` names, if any.
    pub(crate) fn of(image: &ImageRef) -> Option<ZooKeeperImage> {
        match (image.registry.as_str(), image.repository.as_str()) {
            ("registry.k8s.io" | "k8s.gcr.io", "kubernetes-zookeeper") => {
                Some(ZooKeeperImage::KubernetesTutorial)
            }
            ("docker.io", "library/zookeeper") => Some(ZooKeeperImage::DockerLibrary),
            _ => None,
        }
    }

    /// The release a tag runs, among `releases`: the tutorial's `1.0-3.4.10` is ZooKeeper 3.4.10;
    /// the library's `3.9.4`, `3.9.4-jre-17` are 3.9.4, `3.9` the newest 3.9 there is, no tag
    /// (`latest`) the newest of all.
    pub(crate) fn release<'a>(
        self,
        tag: Option<&str>,
        releases: &'a [Release],
    ) -> Option<&'a Release> {
        let wanted = match (self, tag) {
            (ZooKeeperImage::KubernetesTutorial, Some(tag)) => tag.split_once('-')?.1,
            (ZooKeeperImage::KubernetesTutorial, None) => return None,
            (ZooKeeperImage::DockerLibrary, None | Some("latest")) => return releases.last(),
            (ZooKeeperImage::DockerLibrary, Some(tag)) => tag.split('-').next().unwrap_or(tag),
        };
        let parts = version_key(wanted)?;
        match (self, parts.len()) {
            (_, 3) => releases.iter().find(|r| r.version == wanted),
            (ZooKeeperImage::DockerLibrary, 1 | 2) => releases
                .iter()
                .rev()
                .find(|r| version_key(&r.version).is_some_and(|v| v.starts_with(&parts))),
            _ => None,
        }
    }

    /// The profile for this image running `release`.
    pub(crate) fn profile(self, release: &Release) -> ImageProfile {
        match self {
            ZooKeeperImage::KubernetesTutorial => kubernetes_zookeeper(release),
            ZooKeeperImage::DockerLibrary => docker_library_zookeeper(release),
        }
    }
}

/// Why a ZooKeeper image cannot be pulled here: its release is not in the cache. Names what is.
pub(crate) fn unavailable_reason(image: &str, releases: &[Release]) -> String {
    let cache = release_cache();
    let available: Vec<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    let available = if available.is_empty() {
        "none; the test command (scripts/test.sh) fetches them".to_owned()
    } else {
        available.join(", ")
    };
    format!(
        "testcluster runs ZooKeeper releases from its cache {} ({CACHE_ENV}) and has none for {image}; releases available: {available}",
        cache.display()
    )
}

/// `registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10`: the Kubernetes tutorial's image. No
/// entrypoint or command (pods give `start-zookeeper …`), runs as whoever the pod says (the seeds:
/// uid 1000), config in `/opt/zookeeper/conf` (owned by 1000 so `start-zookeeper` can write it),
/// the release's jars in `/opt/zookeeper/lib`.
pub(crate) fn kubernetes_zookeeper(release: &Release) -> ImageProfile {
    let mut files = common_files(release);
    files.extend([
        dir("/opt/zookeeper", 0o755, 0),
        dir("/opt/zookeeper/bin", 0o755, 0),
        file("/opt/zookeeper/bin/zkServer.sh", ZK_SERVER, 0o755),
        file("/opt/zookeeper/bin/zkCli.sh", ZK_CLI, 0o755),
        file("/opt/zookeeper/bin/zkEnv.sh", K8S_ZK_ENV, 0o755),
        lib("/opt/zookeeper/lib", release),
        dir("/opt/zookeeper/conf", 0o755, ZK_UID),
        file("/opt/zookeeper/conf/log4j.properties", LOG4J_DEFAULT, 0o644),
        file("/usr/bin/start-zookeeper", K8S_START, 0o755),
        file("/usr/bin/zookeeper-ready", K8S_READY, 0o755),
        dir("/var/lib/zookeeper", 0o755, ZK_UID),
        dir("/var/log/zookeeper", 0o755, ZK_UID),
    ]);
    ImageProfile {
        name: "kubernetes-zookeeper".into(),
        env: vec![
            ("PATH".into(), format!("{DEFAULT_PATH}:/opt/zookeeper/bin")),
            ("ZK_USER".into(), "zookeeper".into()),
            ("ZK_DATA_DIR".into(), "/var/lib/zookeeper/data".into()),
            ("ZK_DATA_LOG_DIR".into(), "/var/lib/zookeeper/log".into()),
            ("ZK_LOG_DIR".into(), "/var/log/zookeeper".into()),
        ],
        files,
        ..Default::default()
    }
}

/// The Docker library `zookeeper` image: entrypoint `/docker-entrypoint.sh`, command `zkServer.sh
/// start-foreground`, the `ZOO_*` defaults in its env, `/conf`, `/data`, `/datalog`, `/logs` owned
/// by zookeeper (1000), the release unpacked at `/apache-zookeeper-<version>-bin` (its `WORKDIR`).
pub(crate) fn docker_library_zookeeper(release: &Release) -> ImageProfile {
    let home = format!("/apache-zookeeper-{}-bin", release.version);
    let mut files = common_files(release);
    files.extend([
        dir(&home, 0o755, 0),
        dir(&format!("{home}/bin"), 0o755, 0),
        file(&format!("{home}/bin/zkServer.sh"), ZK_SERVER, 0o755),
        file(&format!("{home}/bin/zkCli.sh"), ZK_CLI, 0o755),
        file(&format!("{home}/bin/zkEnv.sh"), LIB_ZK_ENV, 0o755),
        lib(&format!("{home}/lib"), release),
        file("/docker-entrypoint.sh", LIB_ENTRYPOINT, 0o755),
        dir("/conf", 0o755, ZK_UID),
        file("/conf/logback.xml", LIB_LOGBACK, 0o644),
        dir("/data", 0o755, ZK_UID),
        dir("/datalog", 0o755, ZK_UID),
        dir("/logs", 0o755, ZK_UID),
    ]);
    let env = [
        ("PATH", format!("{DEFAULT_PATH}:{home}/bin")),
        ("ZOO_CONF_DIR", "/conf".into()),
        ("ZOO_DATA_DIR", "/data".into()),
        ("ZOO_DATA_LOG_DIR", "/datalog".into()),
        ("ZOO_LOG_DIR", "/logs".into()),
        ("ZOO_TICK_TIME", "2000".into()),
        ("ZOO_INIT_LIMIT", "5".into()),
        ("ZOO_SYNC_LIMIT", "2".into()),
        ("ZOO_AUTOPURGE_PURGEINTERVAL", "0".into()),
        ("ZOO_AUTOPURGE_SNAPRETAINCOUNT", "3".into()),
        ("ZOO_MAX_CLIENT_CNXNS", "60".into()),
        ("ZOO_STANDALONE_ENABLED", "true".into()),
        ("ZOO_ADMINSERVER_ENABLED", "true".into()),
        ("ZOOCFGDIR", "/conf".into()),
    ];
    ImageProfile {
        name: "zookeeper".into(),
        entrypoint: vec!["/docker-entrypoint.sh".into()],
        cmd: vec!["zkServer.sh".into(), "start-foreground".into()],
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        working_dir: Some(PathBuf::from(home)),
        files,
    }
}

/// What both images share: the helpers (the release's version among them, for the scripts), and a
/// `zookeeper` user and group with id 1000 in `/etc/passwd` and `/etc/group`.
fn common_files(release: &Release) -> Vec<ImageFile> {
    vec![
        dir("/usr/share/testcluster", 0o755, 0),
        dir(SHARE, 0o755, 0),
        file(&format!("{SHARE}/zkEnv-release.sh"), ZK_ENV_RELEASE, 0o644),
        file(
            &format!("{SHARE}/version"),
            format!("{}\n", release.version).as_bytes(),
            0o644,
        ),
        file(&format!("{SHARE}/log4j.properties"), LOG4J_DEFAULT, 0o644),
        file(
            "/etc/passwd",
            with_zookeeper(
                &std::fs::read_to_string("/etc/passwd").unwrap_or_default(),
                "root:x:0:0:root:/root:/bin/bash",
                "zookeeper:x:1000:1000::/home/zookeeper:/bin/sh",
                2,
            )
            .as_bytes(),
            0o644,
        ),
        file(
            "/etc/group",
            with_zookeeper(
                &std::fs::read_to_string("/etc/group").unwrap_or_default(),
                "root:x:0:",
                "zookeeper:x:1000:",
                2,
            )
            .as_bytes(),
            0o644,
        ),
    ]
}

/// The host's `/etc/passwd` (or `/etc/group`) without any entry named `zookeeper` or with id 1000
/// (field `id_field`), plus the image's `zookeeper` entry; `fallback` when the host's is empty.
fn with_zookeeper(host: &str, fallback: &str, entry: &str, id_field: usize) -> String {
    let mut out = String::new();
    for line in host.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        let clash = fields.first() == Some(&"zookeeper")
            || fields.get(id_field).and_then(|id| id.parse::<u32>().ok()) == Some(ZK_UID);
        if !clash {
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        out.push_str(fallback);
        out.push('\n');
    }
    out.push_str(entry);
    out.push('\n');
    out
}

fn dir(path: &str, mode: u32, owner: u32) -> ImageFile {
    ImageFile {
        path: PathBuf::from(path),
        kind: ImageFileKind::Dir {
            mode,
            uid: owner,
            gid: owner,
        },
    }
}

/// The release's jars, bound read-only from the cache.
fn lib(path: &str, release: &Release) -> ImageFile {
    ImageFile {
        path: PathBuf::from(path),
        kind: ImageFileKind::HostPath {
            source: release.lib.clone(),
            read_only: true,
        },
    }
}

fn file(path: &str, content: &[u8], mode: u32) -> ImageFile {
    ImageFile {
        path: PathBuf::from(path),
        kind: ImageFileKind::File {
            content: content.to_vec(),
            mode,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_gets_zookeeper_1000_instead_of_clashing_entries() {
        let host = "root:x:0:0:root:/root:/bin/bash\ndev:x:1000:1000::/home/dev:/bin/bash\n\
                    zookeeper:x:102:105::/var/lib/zookeeper:/bin/false\n";
        assert_eq!(
            with_zookeeper(
                host,
                "",
                "zookeeper:x:1000:1000::/home/zookeeper:/bin/sh",
                2
            ),
            "root:x:0:0:root:/root:/bin/bash\nzookeeper:x:1000:1000::/home/zookeeper:/bin/sh\n"
        );
        assert_eq!(
            with_zookeeper("", "root:x:0:", "zookeeper:x:1000:", 2),
            "root:x:0:\nzookeeper:x:1000:\n"
        );
    }

    fn release(version: &str) -> Release {
        Release {
            version: version.into(),
            lib: PathBuf::from(format!("/cache/{version}/lib")),
        }
    }

    #[test]
    fn tags_name_the_release_they_run() {
        let releases = [release("3.4.10"), release("3.8.3"), release("3.9.4")];
        let run = |image: &str| {
            let image = ImageRef::parse(image);
            ZooKeeperImage::of(&image)
                .and_then(|z| z.release(image.tag.as_deref(), &releases))
                .map(|r| r.version.as_str())
        };
        assert_eq!(
            run("registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10"),
            Some("3.4.10")
        );
        assert_eq!(
            run("k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.10"),
            Some("3.4.10")
        );
        assert_eq!(run("k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.11"), None);
        assert_eq!(run("k8s.gcr.io/kubernetes-zookeeper"), None);
        assert_eq!(run("docker.io/library/zookeeper:3.9.4"), Some("3.9.4"));
        assert_eq!(run("zookeeper:3.9.4-jre-17"), Some("3.9.4"));
        assert_eq!(run("library/zookeeper:3.8.3"), Some("3.8.3"));
        assert_eq!(run("zookeeper:3.8"), Some("3.8.3"));
        assert_eq!(run("zookeeper:3"), Some("3.9.4"));
        assert_eq!(run("zookeeper"), Some("3.9.4"));
        assert_eq!(run("zookeeper:latest"), Some("3.9.4"));
        assert_eq!(run("zookeeper:3.9.6"), None);
        assert_eq!(run("zookeeper:3.7"), None);
        assert_eq!(run("zookeeper:nightly"), None);
        assert_eq!(run("quay.io/zookeeper:3.9.4"), None);
    }

    #[test]
    fn the_cache_lists_complete_releases_in_version_order() {
        let cache = std::env::temp_dir().join(format!("zk-cache-test-{}", std::process::id()));
        for (version, complete) in [
            ("3.10.0", true),
            ("3.9.4", true),
            ("3.8.3", false),
            ("tmp", true),
        ] {
            std::fs::create_dir_all(cache.join(version).join("lib")).unwrap();
            if complete {
                std::fs::write(cache.join(version).join("COMPLETE"), "").unwrap();
            }
        }
        let found: Vec<String> = releases_in(&cache).into_iter().map(|r| r.version).collect();
        assert_eq!(found, ["3.9.4", "3.10.0"]);
        assert!(releases_in(&cache.join("nosuch")).is_empty());
        let reason = unavailable_reason("zookeeper:3.9.6", &releases_in(&cache));
        assert!(
            reason.ends_with("has none for zookeeper:3.9.6; releases available: 3.9.4, 3.10.0"),
            "{reason}"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn profiles_have_their_entrypoints_and_scripts() {
        let lib = docker_library_zookeeper(&release("3.9.4"));
        assert_eq!(
            lib.argv(&[], &[]),
            ["/docker-entrypoint.sh", "zkServer.sh", "start-foreground"]
        );
        assert_eq!(
            lib.working_dir,
            Some(PathBuf::from("/apache-zookeeper-3.9.4-bin"))
        );
        let k8s = kubernetes_zookeeper(&release("3.4.10"));
        assert!(k8s.argv(&[], &[]).is_empty());
        for (profile, path) in [
            (&k8s, "/usr/bin/start-zookeeper"),
            (&k8s, "/opt/zookeeper/bin/zkCli.sh"),
            (&lib, "/docker-entrypoint.sh"),
            (&lib, "/apache-zookeeper-3.9.4-bin/bin/zkServer.sh"),
            (&lib, "/apache-zookeeper-3.9.4-bin/lib"),
            (&k8s, "/opt/zookeeper/lib"),
        ] {
            assert!(
                profile
                    .files
                    .iter()
                    .any(|f| f.path == std::path::Path::new(path)),
                "{} lacks {path}",
                profile.name
            );
        }
    }
}
