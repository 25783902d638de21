//! The ZooKeeper image profiles: what makes a pod look like the published ZooKeeper images from
//! inside while running the machine's ZooKeeper (Debian's `zookeeper` package, 3.8.0, Java 17).
//!
//! The scripts are this project's own (in `tests/testcluster/images/`, embedded here), written to
//! do what the published images' scripts do; `images/README.md` lists every difference.
//!
//! - [`kubernetes_zookeeper`]: `registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10` (the seeds'
//!   `k8s.gcr.io/…`): `start-zookeeper`, `zookeeper-ready`, ZooKeeper under `/opt/zookeeper`.
//! - [`docker_library_zookeeper`]: the Docker library `zookeeper` image: `/docker-entrypoint.sh`
//!   driven by `ZOO_*` variables, `/conf`, `/data`, `/datalog`, `/logs`.

use std::path::PathBuf;

use super::image::{DEFAULT_PATH, ImageFile, ImageFileKind, ImageProfile};

/// The image's user, as both published images have it.
const ZK_UID: u32 = 1000;
/// Where the shared helper files go (not in the published images).
const SHARE: &str = "/usr/share/testcluster/zookeeper";

const ZK_SERVER: &[u8] = include_bytes!("../../images/common/zkServer.sh");
const ZK_CLI: &[u8] = include_bytes!("../../images/common/zkCli.sh");
const ZK_ENV_MACHINE: &[u8] = include_bytes!("../../images/common/zkEnv-machine.sh");
const LOG4J_DEFAULT: &[u8] = include_bytes!("../../images/common/log4j.properties");

const K8S_ZK_ENV: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/zkEnv.sh");
const K8S_START: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/start-zookeeper");
const K8S_READY: &[u8] = include_bytes!("../../images/kubernetes-zookeeper/zookeeper-ready");

const LIB_ZK_ENV: &[u8] = include_bytes!("../../images/zookeeper/zkEnv.sh");
const LIB_ENTRYPOINT: &[u8] = include_bytes!("../../images/zookeeper/docker-entrypoint.sh");
const LIB_LOGBACK: &[u8] = include_bytes!("../../images/zookeeper/logback.xml");

/// Where the Docker library image unpacks ZooKeeper (its `WORKDIR`, `bin` on `PATH`); named after
/// the version that actually runs.
const LIB_HOME: &str = "/apache-zookeeper-3.8.0-bin";

/// `registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10`: the Kubernetes tutorial's image. No
/// entrypoint or command (pods give `start-zookeeper …`), runs as whoever the pod says (the seeds:
/// uid 1000), config in `/opt/zookeeper/conf` (owned by 1000 so `start-zookeeper` can write it),
/// every four-letter word answered and no AdminServer (ZooKeeper 3.4 behaviour).
pub(crate) fn kubernetes_zookeeper() -> ImageProfile {
    let mut files = common_files();
    files.extend([
        dir("/opt/zookeeper", 0o755, 0),
        dir("/opt/zookeeper/bin", 0o755, 0),
        file("/opt/zookeeper/bin/zkServer.sh", ZK_SERVER, 0o755),
        file("/opt/zookeeper/bin/zkCli.sh", ZK_CLI, 0o755),
        file("/opt/zookeeper/bin/zkEnv.sh", K8S_ZK_ENV, 0o755),
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

/// The Docker library `zookeeper` image (3.8, 3.9, any tag): entrypoint `/docker-entrypoint.sh`,
/// command `zkServer.sh start-foreground`, the `ZOO_*` defaults in its env, `/conf`, `/data`,
/// `/datalog`, `/logs` owned by zookeeper (1000), AdminServer on 8080, `srvr` the only four-letter
/// word unless configured.
pub(crate) fn docker_library_zookeeper() -> ImageProfile {
    let mut files = common_files();
    files.extend([
        dir(LIB_HOME, 0o755, 0),
        dir(&format!("{LIB_HOME}/bin"), 0o755, 0),
        file(&format!("{LIB_HOME}/bin/zkServer.sh"), ZK_SERVER, 0o755),
        file(&format!("{LIB_HOME}/bin/zkCli.sh"), ZK_CLI, 0o755),
        file(&format!("{LIB_HOME}/bin/zkEnv.sh"), LIB_ZK_ENV, 0o755),
        file("/docker-entrypoint.sh", LIB_ENTRYPOINT, 0o755),
        dir("/conf", 0o755, ZK_UID),
        file("/conf/logback.xml", LIB_LOGBACK, 0o644),
        dir("/data", 0o755, ZK_UID),
        dir("/datalog", 0o755, ZK_UID),
        dir("/logs", 0o755, ZK_UID),
    ]);
    let env = [
        ("PATH", format!("{DEFAULT_PATH}:{LIB_HOME}/bin")),
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
        working_dir: Some(PathBuf::from(LIB_HOME)),
        files,
    }
}

/// What both images share: the helpers over the machine's ZooKeeper, and a `zookeeper` user and
/// group with id 1000 in `/etc/passwd` and `/etc/group`.
fn common_files() -> Vec<ImageFile> {
    vec![
        dir("/usr/share/testcluster", 0o755, 0),
        dir(SHARE, 0o755, 0),
        file(&format!("{SHARE}/zkEnv-machine.sh"), ZK_ENV_MACHINE, 0o644),
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

    #[test]
    fn profiles_have_their_entrypoints_and_scripts() {
        let lib = docker_library_zookeeper();
        assert_eq!(
            lib.argv(&[], &[]),
            ["/docker-entrypoint.sh", "zkServer.sh", "start-foreground"]
        );
        let k8s = kubernetes_zookeeper();
        assert!(k8s.argv(&[], &[]).is_empty());
        for (profile, path) in [
            (&k8s, "/usr/bin/start-zookeeper"),
            (&k8s, "/opt/zookeeper/bin/zkCli.sh"),
            (&lib, "/docker-entrypoint.sh"),
            (&lib, "/apache-zookeeper-3.8.0-bin/bin/zkServer.sh"),
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
