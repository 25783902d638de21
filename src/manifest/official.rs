//! The official flavour: the Docker library `zookeeper` image, configured by a ConfigMap, ready
//! for dynamic reconfiguration (ZooKeeper 3.5+), so the membership changes without restarts.
//!
//! The ConfigMap (mounted read-only at `/conf`) holds the static `zoo.cfg` (settings only: a
//! four-letter-word whitelist that covers the probes and `status`, the AdminServer on 8080,
//! `reconfigEnabled=true`), `zoo.cfg.dynamic` (the membership, as `kubectl zk scale` last recorded
//! it from ZooKeeper) and `logback.xml` (the log level). ZooKeeper rewrites its configuration on
//! every reconfiguration, so the live configuration lives on the data volume, in `/data/conf`:
//! at each start the container copies the static file there and points `dynamicConfigFile=` at
//! the newest membership it knows — the recorded one or the `zoo.cfg.dynamic.<version>` file
//! ZooKeeper wrote on this volume, whichever has the higher version — adding its own server line
//! when that membership lacks it (a member being added, or re-added over a kept volume whose old
//! file no longer names it: it starts as a non-voting follower until `reconfig` adds it). The
//! entrypoint writes `/data/myid` from `ZOO_MY_ID`, derived from the pod's ordinal. Reconfiguration
//! is for the superuser, whose digest comes from the Secret `<name>-admin`. Data and transaction
//! log live on the claim.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, EnvVarSource,
    SecretKeySelector, Volume, VolumeMount,
};

use super::{
    ADMIN_PORT, CLIENT_PORT, ELECTION_PORT, EnsembleSpec, FlavorParts, METRICS_PORT, SERVER_PORT,
    data_mount, exec_probe, resources, zookeeper_ports,
};
use crate::zk::zoo_cfg::ZooCfg;

/// Where the ConfigMap is mounted: the source the live configuration is made from.
pub const CONF_DIR: &str = "/conf";
/// Where ZooKeeper reads (and, on reconfiguration, rewrites) its configuration: on the volume.
pub const LIVE_CONF_DIR: &str = "/data/conf";
/// The ConfigMap key holding the membership.
pub const DYNAMIC_KEY: &str = "zoo.cfg.dynamic";
/// The Secret key holding the superuser's password (kubectl-zk authenticates with it to reconfigure).
pub const PASSWORD_KEY: &str = "password";
/// The Secret key holding the superuser's digest (`super:<base64 SHA-1>`), for the server.
pub const DIGEST_KEY: &str = "superDigest";
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
/// Derives the server id from the pod ordinal, makes the live configuration on the volume
/// (see the module documentation), then runs the image's entrypoint. A fixed script: it reads
/// only the pod's own files and variables.
const START: &str = r#"set -e
ordinal="${HOSTNAME##*-}"
id=$((ordinal + 1))
export ZOO_MY_ID="$id"
live="$ZOO_CONF_DIR"
mkdir -p "$live"
cp /conf/logback.xml "$live/logback.xml"
best=/conf/zoo.cfg.dynamic
best_version="$(sed -n 's/^version=//p' "$best")"
best_version=$((16#${best_version:-0}))
for file in "$live"/zoo.cfg.dynamic.*; do
  [ -f "$file" ] || continue
  suffix="${file##*.}"
  case "$suffix" in ''|*[!0-9a-fA-F]*) continue ;; esac
  if [ $((16#$suffix)) -gt "$best_version" ]; then
    best="$file"
    best_version=$((16#$suffix))
  fi
done
# ZooKeeper takes a dynamic file's version from its name, never from a line inside it.
if grep -q "^server\.$id=" "$best"; then
  if [ "$best" = /conf/zoo.cfg.dynamic ]; then
    if [ "$best_version" -gt 0 ]; then
      dynamic="$live/zoo.cfg.dynamic.$(printf '%x' "$best_version")"
    else
      dynamic="$live/zoo.cfg.dynamic.start"
    fi
    grep -v '^version=' "$best" > "$dynamic"
  else
    dynamic="$best"
  fi
else
  dynamic="$live/zoo.cfg.dynamic.start"
  { grep -v '^version=' "$best" || true; echo "server.$id=$HOSTNAME.$ZK_MEMBER_DOMAIN:2888:3888:participant;0.0.0.0:2181"; } > "$dynamic"
fi
cp /conf/zoo.cfg "$live/zoo.cfg"
echo "dynamicConfigFile=$dynamic" >> "$live/zoo.cfg"
exec /docker-entrypoint.sh zkServer.sh start-foreground"#;

/// ZooKeeper's Prometheus metrics provider (3.6+).
pub const METRICS_PROVIDER: &str =
    "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

/// The Secret holding the superuser's password and digest.
pub fn admin_secret_name(spec: &EnsembleSpec) -> String {
    format!("{}-admin", spec.name)
}

/// The ConfigMap's name.
pub fn config_map_name(spec: &EnsembleSpec) -> String {
    format!("{}-config", spec.name)
}

/// The static zoo.cfg every member runs with: settings, no membership; the settings `config
/// set` recorded applied over install's.
pub fn zoo_cfg(spec: &EnsembleSpec) -> String {
    let zk = &spec.zookeeper;
    let rendered = format!(
        "# Written by kubectl-zk for ensemble {name} in namespace {ns}; change it with `kubectl zk config set` or `kubectl zk install`.\n\
tickTime={tick}\ninitLimit={init}\nsyncLimit={sync}\n\
dataDir={DATA_DIR}\ndataLogDir={DATA_LOG_DIR}\n\
maxClientCnxns={cnxns}\n\
minSessionTimeout={min}\nmaxSessionTimeout={max}\n\
autopurge.snapRetainCount={retain}\nautopurge.purgeInterval={purge}\n\
standaloneEnabled=false\nreconfigEnabled=true\nquorumListenOnAllIPs=true\n\
admin.enableServer=true\nadmin.serverPort={ADMIN_PORT}\nadmin.snapshot.enabled=true\n\
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
    ) + if spec.data_sub_path.is_some() {
        // Moved from the seeds' 3.4: a member may have transaction logs and no snapshot yet
        // (3.4 snapshots only every snapCount transactions), which 3.5+ refuses to load without
        // this (ZOOKEEPER-3056). It stays: such a member may restart before its first snapshot.
        "snapshot.trust.empty=true\n"
    } else {
        ""
    };
    let rendered = if spec.metrics.is_some() {
        format!(
            "{rendered}metricsProvider.className={METRICS_PROVIDER}\nmetricsProvider.httpPort={METRICS_PORT}\nmetricsProvider.exportJvmInfo=true\n"
        )
    } else {
        rendered
    };
    if zk.recorded.0.is_empty() {
        return rendered;
    }
    let mut cfg = ZooCfg::parse(&rendered);
    zk.recorded.apply_to_cfg(&mut cfg);
    cfg.render()
}

/// What the pod template's config hash is made from: the settings in effect in zoo.cfg (not
/// their order or comments, so `install` and `config set` writing the same settings in another
/// order restart nobody) and the logging configuration. The membership is left out: `scale`
/// changes it without a restart.
pub fn fingerprint(zoo_cfg: &str, logback: &str) -> String {
    let cfg = ZooCfg::parse(zoo_cfg);
    let settings: BTreeMap<&str, &str> = cfg.entries().map(|e| (e.key, e.value)).collect();
    let mut text = String::new();
    for (key, value) in settings {
        let _ = writeln!(text, "{key}={value}");
    }
    format!("{text}\n{logback}")
}

/// The membership of a new ensemble: every member a participant, by FQDN, written as ZooKeeper
/// writes it (so the files it rewrites read the same).
pub fn zoo_cfg_dynamic(spec: &EnsembleSpec) -> String {
    let mut cfg = String::new();
    for ordinal in 0..spec.replicas {
        let _ = writeln!(
            cfg,
            "server.{id}={host}:{SERVER_PORT}:{ELECTION_PORT}:participant;0.0.0.0:{CLIENT_PORT}",
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
    let fingerprint = fingerprint(&zoo_cfg, &logback);
    let mut ports = zookeeper_ports();
    ports.push(ContainerPort {
        name: Some("admin".into()),
        container_port: ADMIN_PORT,
        ..ContainerPort::default()
    });
    if spec.metrics.is_some() {
        ports.push(ContainerPort {
            name: Some("metrics".into()),
            container_port: METRICS_PORT,
            ..ContainerPort::default()
        });
    }
    let mut env: Vec<EnvVar> = [
        ("ZOO_CONF_DIR", LIVE_CONF_DIR.to_owned()),
        // The image sets ZOOCFGDIR from ZOO_CONF_DIR when it is built; set both.
        ("ZOOCFGDIR", LIVE_CONF_DIR.to_owned()),
        ("ZOO_DATA_DIR", DATA_DIR.to_owned()),
        ("ZOO_DATA_LOG_DIR", DATA_LOG_DIR.to_owned()),
        ("ZK_SERVER_HEAP", spec.heap.megabytes().to_string()),
        (
            "ZK_MEMBER_DOMAIN",
            format!(
                "{}.{}.svc.{}",
                spec.name.headless_service(),
                spec.namespace,
                spec.cluster_domain
            ),
        ),
    ]
    .into_iter()
    .map(|(name, value)| EnvVar {
        name: name.into(),
        value: Some(value),
        ..EnvVar::default()
    })
    .collect();
    // Optional, so an ensemble whose Secret is gone still starts (without a superuser).
    env.push(EnvVar {
        name: "ZK_SUPER_DIGEST".into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: admin_secret_name(spec),
                key: DIGEST_KEY.into(),
                optional: Some(true),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    });
    env.push(EnvVar {
        name: "SERVER_JVMFLAGS".into(),
        value: Some(
            "-Dzookeeper.DigestAuthenticationProvider.superDigest=$(ZK_SUPER_DIGEST)".into(),
        ),
        ..EnvVar::default()
    });
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
            data_mount(DATA_DIR, spec.data_sub_path.as_deref()),
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
                (DYNAMIC_KEY.to_owned(), zoo_cfg_dynamic(spec)),
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

    #[test]
    fn the_config_hash_follows_the_settings_in_effect_not_their_order_or_comments() {
        let a = fingerprint("# one\ntickTime=2000\nsnapCount=5\n", "<x/>");
        let b = fingerprint("snapCount=5\ntickTime=2000\n# another\n", "<x/>");
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("tickTime=3000\nsnapCount=5\n", "<x/>"));
        assert_ne!(a, fingerprint("tickTime=2000\nsnapCount=5\n", "<y/>"));
    }
    use crate::manifest::tests::spec;

    #[test]
    fn membership_lists_every_member_by_fqdn_and_zoo_cfg_only_settings() {
        let membership = zoo_cfg_dynamic(&spec(Flavor::Official));
        assert_eq!(
            membership,
            "server.1=zk-0.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181\n\
server.2=zk-1.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181\n\
server.3=zk-2.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181\n"
        );
        let cfg = zoo_cfg(&spec(Flavor::Official));
        assert!(!cfg.contains("server."), "{cfg}");
        assert!(!cfg.contains("clientPort"), "in the server lines: {cfg}");
        assert!(cfg.contains("reconfigEnabled=true\n"), "{cfg}");
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
        assert!(command[2].contains("id=$((ordinal + 1))"));
        assert!(command[2].contains("export ZOO_MY_ID=\"$id\""));
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
