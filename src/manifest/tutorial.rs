//! The k8s-tutorial flavour: `kubernetes-zookeeper:1.0-3.4.10`, driven by `start-zookeeper`
//! flags exactly as the seeds pass them.
//!
//! The image's script writes zoo.cfg, myid and the logging configuration itself, so there
//! is no ConfigMap. The flags are passed as separate arguments, not through `sh -c`.
//! Readiness is the seeds' `zookeeper-ready 2181` (`ruok`), which is not quorum-aware: with
//! OrderedReady start-up a quorum-aware probe would deadlock (zk-0 alone never has a
//! quorum, so zk-1 would never be created).

use super::{
    CLIENT_PORT, ELECTION_PORT, EnsembleSpec, FlavorParts, SERVER_PORT, data_mount, exec_probe,
    resources, zookeeper_ports,
};
use k8s_openapi::api::core::v1::Container;

/// Where the data volume is mounted, as in the seeds.
pub const VOLUME_DIR: &str = "/var/lib/zookeeper";
/// The data directory (holds `myid`).
pub const DATA_DIR: &str = "/var/lib/zookeeper/data";
/// The transaction log directory.
pub const DATA_LOG_DIR: &str = "/var/lib/zookeeper/data/log";
/// Where `start-zookeeper` writes zoo.cfg.
pub const CONF_DIR: &str = "/opt/zookeeper/conf";

/// The `start-zookeeper` arguments, in the seeds' order.
pub fn start_args(spec: &EnsembleSpec) -> Vec<String> {
    let zk = &spec.zookeeper;
    let mut args = vec![
        format!("--servers={}", spec.replicas),
        format!("--data_dir={DATA_DIR}"),
        format!("--data_log_dir={DATA_LOG_DIR}"),
        format!("--conf_dir={CONF_DIR}"),
        format!("--client_port={CLIENT_PORT}"),
        format!("--election_port={ELECTION_PORT}"),
        format!("--server_port={SERVER_PORT}"),
        format!("--tick_time={}", zk.tick_time),
        format!("--init_limit={}", zk.init_limit),
        format!("--sync_limit={}", zk.sync_limit),
        format!("--heap={}", spec.heap),
        format!("--max_client_cnxns={}", zk.max_client_cnxns),
        format!("--snap_retain_count={}", zk.snap_retain_count),
        format!("--purge_interval={}", zk.purge_interval),
        format!("--max_session_timeout={}", zk.max_session_timeout),
        format!("--min_session_timeout={}", zk.min_session_timeout),
        format!("--log_level={}", zk.log_level.as_str()),
    ];
    zk.recorded.apply_to_flags(&mut args);
    args
}

/// The k8s-tutorial flavour's parts.
pub fn render(spec: &EnsembleSpec) -> FlavorParts {
    let args = start_args(spec);
    let ready = &["sh", "-c", "zookeeper-ready 2181"];
    let container = Container {
        name: "kubernetes-zookeeper".into(),
        image: Some(spec.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["start-zookeeper".into()]),
        args: Some(args.clone()),
        ports: Some(zookeeper_ports()),
        resources: Some(resources(spec)),
        readiness_probe: Some(exec_probe(ready, 10, 10, 5, 3)),
        liveness_probe: Some(exec_probe(ready, 10, 10, 5, 3)),
        volume_mounts: Some(vec![data_mount(VOLUME_DIR, None)]),
        ..Container::default()
    };
    FlavorParts {
        container,
        volumes: Vec::new(),
        config_map: None,
        config_fingerprint: args.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::options::Flavor;
    use crate::manifest::tests::spec;

    #[test]
    fn flags_match_the_seeds() {
        let args = start_args(&spec(Flavor::K8sTutorial)).join(" ");
        assert_eq!(
            args,
            "--servers=3 --data_dir=/var/lib/zookeeper/data --data_log_dir=/var/lib/zookeeper/data/log \
--conf_dir=/opt/zookeeper/conf --client_port=2181 --election_port=3888 --server_port=2888 --tick_time=2000 \
--init_limit=10 --sync_limit=5 --heap=512M --max_client_cnxns=60 --snap_retain_count=3 --purge_interval=12 \
--max_session_timeout=40000 --min_session_timeout=4000 --log_level=INFO"
        );
    }

    #[test]
    fn no_shell_string_and_no_config_map() {
        let parts = render(&spec(Flavor::K8sTutorial));
        assert_eq!(
            parts.container.command.as_deref(),
            Some(&["start-zookeeper".to_owned()][..])
        );
        assert!(parts.config_map.is_none());
        assert_eq!(
            Flavor::K8sTutorial.default_pod_management(),
            crate::manifest::options::PodManagement::OrderedReady
        );
    }
}
