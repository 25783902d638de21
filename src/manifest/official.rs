//! The official flavour: the Docker library `zookeeper` image, configured by a ConfigMap.
//!
//! The ConfigMap holds `zoo.cfg` (the full server list, a four-letter-word whitelist that
//! covers the probes and `status`, the AdminServer on 8080) and `logback.xml` (the log
//! level), mounted at `/conf`, so the image's entrypoint generates nothing. The entrypoint
//! still writes `/data/myid` from `ZOO_MY_ID` when it is absent; the container command
//! derives that from the pod's ordinal. Data and transaction log live on the claim.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, Volume, VolumeMount,
};

use super::{
    ADMIN_PORT, CLIENT_PORT, ELECTION_PORT, EnsembleSpec, FlavorParts, SERVER_PORT, data_mount,
    exec_probe, resources, zookeeper_ports,
};

/// Where the image reads its configuration.
pub const CONF_DIR: &str = "/conf";
/// Where the data volume is mounted (the image's `ZOO_DATA_DIR`).
pub const DATA_DIR: &str = "/data";
/// The transaction log, kept on the data volume (the image's own `/datalog` is not persistent).
pub const DATA_LOG_DIR: &str = "/data/log";
/// The four-letter words the probes (`ruok`, `srvr`) and `status` (`srvr`, `mntr`, `conf`, `stat`) use.
pub const WHITELIST: &str = "srvr,stat,mntr,conf,ruok,isro";

/// Readiness: serving requests, i.e. part of a quorum. `srvr` prints `Mode:` only then.
const READINESS: &[&str] = &[
    "/bin/bash",
    "-c",
    "printf srvr | nc -w 3 127.0.0.1 2181 | grep -q '^Mode: '",
];
/// Liveness: the process answers at all (never quorum-aware: losing the quorum must not
/// make Kubernetes restart every member).
const LIVENESS: &[&str] = &[
    "/bin/bash",
    "-c",
    "printf ruok | nc -w 3 127.0.0.1 2181 | grep -q '^imok'",
];
/// Derives the server id from the pod ordinal, then runs the image's entrypoint.
const START: &str = "ordinal=\"${HOSTNAME##*-}\"; export ZOO_MY_ID=$((ordinal + 1)); exec /docker-entrypoint.sh zkServer.sh start-foreground";

/// The ConfigMap's name.
pub fn config_map_name(spec: &EnsembleSpec) -> String {
    format!("{}-config", spec.name)
}

/// The zoo.cfg every member runs with.
pub fn zoo_cfg(spec: &EnsembleSpec) -> String {
    let zk = &spec.zookeeper;
    let mut cfg = format!(
        "# Written by kubectl-zk for ensemble {name} in namespace {ns}; change it with `kubectl zk install`.\n\
tickTime={tick}\ninitLimit={init}\nsyncLimit={sync}\n\
dataDir={DATA_DIR}\ndataLogDir={DATA_LOG_DIR}\n\
clientPort={CLIENT_PORT}\nmaxClientCnxns={cnxns}\n\
minSessionTimeout={min}\nmaxSessionTimeout={max}\n\
autopurge.snapRetainCount={retain}\nautopurge.purgeInterval={purge}\n\
standaloneEnabled=false\nreconfigEnabled=false\nquorumListenOnAllIPs=true\n\
admin.enableServer=true\nadmin.serverPort={ADMIN_PORT}\n\
4lw.commands.whitelist={WHITELIST}\n",
        name = spec.name,
        ns = spec.namespace,
        tick = zk.tick_time,
        init = zk.init_limit,
        sync = zk.sync_limit,
        cnxns = zk.max_client_cnxns,
        min = zk.min_session_timeout,
        max = zk.max_session_timeout,
        retain = zk.snap_retain_count,
        purge = zk.purge_interval,
    );
    for ordinal in 0..spec.replicas {
        let _ = writeln!(
            cfg,
            "server.{id}={host}:{SERVER_PORT}:{ELECTION_PORT};{CLIENT_PORT}",
            id = ordinal + 1,
            host = spec.member_fqdn(ordinal)
        );
    }
    cfg
}

/// Console logging at the chosen level (ZooKeeper 3.8+ logs with logback).
pub fn logback_xml(spec: &EnsembleSpec) -> String {
    format!(
        r#"<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder>
      <pattern>%d{{ISO8601}} [myid:%X{{myid}}] - %-5p [%t:%C{{1}}@%L] - %m%n</pattern>
    </encoder>
  </appender>
  <root level="{level}">
    <appender-ref ref="CONSOLE" />
  </root>
</configuration>
"#,
        level = spec.zookeeper.log_level.as_str()
    )
}

/// The official flavour's parts.
pub fn render(spec: &EnsembleSpec) -> FlavorParts {
    let config_map_name = config_map_name(spec);
    let zoo_cfg = zoo_cfg(spec);
    let logback = logback_xml(spec);
    let fingerprint = format!("{zoo_cfg}\n{logback}\n{}", spec.heap);
    let mut ports = zookeeper_ports();
    ports.push(ContainerPort {
        name: Some("admin".into()),
        container_port: ADMIN_PORT,
        ..ContainerPort::default()
    });
    let env = [
        ("ZOO_CONF_DIR", CONF_DIR.to_owned()),
        ("ZOO_DATA_DIR", DATA_DIR.to_owned()),
        ("ZOO_DATA_LOG_DIR", DATA_LOG_DIR.to_owned()),
        ("ZK_SERVER_HEAP", spec.heap.megabytes().to_string()),
    ]
    .into_iter()
    .map(|(name, value)| EnvVar {
        name: name.into(),
        value: Some(value),
        ..EnvVar::default()
    })
    .collect();
    let container = Container {
        name: "zookeeper".into(),
        image: Some(spec.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["/bin/bash".into(), "-c".into(), START.into()]),
        env: Some(env),
        ports: Some(ports),
        resources: Some(resources(spec)),
        readiness_probe: Some(exec_probe(READINESS, 10, 10, 5, 3)),
        liveness_probe: Some(exec_probe(LIVENESS, 15, 10, 5, 6)),
        volume_mounts: Some(vec![
            data_mount(DATA_DIR),
            VolumeMount {
                name: "config".into(),
                mount_path: CONF_DIR.into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
        ]),
        ..Container::default()
    };
    FlavorParts {
        container,
        volumes: vec![Volume {
            name: "config".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map_name.clone(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        }],
        config_map: Some(ConfigMap {
            metadata: spec.meta(config_map_name),
            data: Some(BTreeMap::from([
                ("zoo.cfg".to_owned(), zoo_cfg),
                ("logback.xml".to_owned(), logback),
            ])),
            ..ConfigMap::default()
        }),
        config_fingerprint: fingerprint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::options::Flavor;
    use crate::manifest::tests::spec;

    #[test]
    fn zoo_cfg_lists_every_member_by_fqdn() {
        let cfg = zoo_cfg(&spec(Flavor::Official));
        assert!(
            cfg.contains("server.1=zk-0.zk-hs.kafka.svc.cluster.local:2888:3888;2181\n"),
            "{cfg}"
        );
        assert!(
            cfg.contains("server.3=zk-2.zk-hs.kafka.svc.cluster.local:2888:3888;2181\n"),
            "{cfg}"
        );
        assert!(!cfg.contains("server.4"), "{cfg}");
        assert!(
            cfg.contains("autopurge.purgeInterval=12\n"),
            "spelled right: {cfg}"
        );
        assert!(
            cfg.contains("dataLogDir=/data/log\n"),
            "txn log on the volume: {cfg}"
        );
    }

    #[test]
    fn whitelist_covers_probes_and_status() {
        let cfg = zoo_cfg(&spec(Flavor::Official));
        let line = cfg
            .lines()
            .find(|l| l.starts_with("4lw.commands.whitelist="))
            .expect("whitelist");
        for word in ["ruok", "srvr", "mntr", "conf", "stat"] {
            assert!(line.contains(word), "{word} missing from {line}");
        }
        assert!(READINESS[2].contains("srvr") && LIVENESS[2].contains("ruok"));
    }

    #[test]
    fn container_derives_myid_and_mounts_config() {
        let parts = render(&spec(Flavor::Official));
        let command = parts.container.command.clone().unwrap_or_default();
        assert!(command[2].contains("ZOO_MY_ID=$((ordinal + 1))"));
        let mounts: Vec<_> = parts
            .container
            .volume_mounts
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.mount_path)
            .collect();
        assert_eq!(mounts, ["/data", "/conf"]);
        let heap = parts
            .container
            .env
            .unwrap_or_default()
            .into_iter()
            .find(|e| e.name == "ZK_SERVER_HEAP")
            .and_then(|e| e.value);
        assert_eq!(heap.as_deref(), Some("512"));
    }
}
