//! The objects `install` creates, as pure functions of the validated options.
//!
//! [`EnsembleSpec`] is everything an ensemble is made from; [`Manifest::render`] turns it
//! into typed Kubernetes objects (ServiceAccount, ConfigMap for the official flavour,
//! headless and client Services, PodDisruptionBudget, StatefulSet) in the order they are
//! applied. Flavour specifics live in [`official`] and [`tutorial`].

pub mod official;
pub mod options;
pub mod tutorial;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, Container, ContainerPort, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodAffinityTerm, PodAntiAffinity, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecurityContext, Service,
    ServiceAccount, ServicePort, ServiceSpec, VolumeMount, VolumeResourceRequirements,
    WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use crate::names::EnsembleName;
use crate::zk::settings::Recorded;
use options::{AntiAffinity, Flavor, HeapSize, LogLevel, PodManagement, Quantity, SccProfile};

/// ZooKeeper's client port.
pub const CLIENT_PORT: i32 = 2181;
/// The quorum (follower-to-leader) port.
pub const SERVER_PORT: i32 = 2888;
/// The leader-election port.
pub const ELECTION_PORT: i32 = 3888;
/// The AdminServer's port (official flavour).
pub const ADMIN_PORT: i32 = 8080;
/// The Prometheus metrics port (`install --metrics`).
pub const METRICS_PORT: i32 = 7000;
/// The API group of the Prometheus operator's PodMonitor.
pub const MONITORING_GROUP: &str = "monitoring.coreos.com";
/// The name of the data volume claim template, as in the seeds: PVCs are `datadir-<pod>`.
pub const DATA_VOLUME: &str = "datadir";
/// The field manager and `managed-by` value.
pub const MANAGER: &str = "kubectl-zk";
/// Pod template annotation whose change rolls the members when the configuration changes.
pub const CONFIG_HASH_ANNOTATION: &str = "kubectl-zk.io/config-hash";
/// StatefulSet annotation naming the flavour the ensemble was installed with.
pub const FLAVOR_ANNOTATION: &str = "kubectl-zk.io/flavor";
/// StatefulSet annotation with the settings `kubectl zk config set`/`unset` made (JSON, see
/// [`crate::zk::settings::Recorded`]): rendered by every `install`, so re-running it keeps them.
pub const SETTINGS_ANNOTATION: &str = "kubectl-zk.io/settings";
/// StatefulSet annotation recording the data volume's sub path ([`EnsembleSpec::data_sub_path`]).
pub const DATA_SUB_PATH_ANNOTATION: &str = "kubectl-zk.io/data-sub-path";

/// Everything an ensemble is made from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsembleSpec {
    /// StatefulSet name.
    pub name: EnsembleName,
    /// Namespace of every object.
    pub namespace: String,
    /// Number of servers.
    pub replicas: u32,
    /// Container image.
    pub image: String,
    /// How the image is configured.
    pub flavor: Flavor,
    /// StorageClass of the data volumes; `None` = the cluster default.
    pub storage_class: Option<String>,
    /// Size of each data volume.
    pub storage_size: Quantity,
    /// JVM heap.
    pub heap: HeapSize,
    /// CPU request.
    pub cpu: Quantity,
    /// Memory request.
    pub memory: Quantity,
    /// Anti-affinity between members.
    pub anti_affinity: AntiAffinity,
    /// StatefulSet pod management.
    pub pod_management: PodManagement,
    /// ZooKeeper settings.
    pub zookeeper: ZooKeeperSettings,
    /// The cluster's DNS domain (`cluster.local`).
    pub cluster_domain: String,
    /// The SCC the pods are made for (their security context).
    pub scc: SccProfile,
    /// The SCC grant kubectl-zk made for the ServiceAccount, recorded on it so `uninstall` takes
    /// back exactly that (see `cluster::openshift`).
    pub scc_grant: Option<String>,
    /// Where ZooKeeper's data lives on the claim when it is not the claim's root: `data` for an
    /// ensemble `kubectl zk migrate` moved from the seeds' image (which keeps it under
    /// `/var/lib/zookeeper/data` with the claim at `/var/lib/zookeeper`). Recorded on the
    /// StatefulSet ([`DATA_SUB_PATH_ANNOTATION`]) so `install` keeps it.
    pub data_sub_path: Option<String>,
    /// Prometheus metrics (`install --metrics`), and how scrapers find them.
    pub metrics: Option<MetricsDiscovery>,
}

/// How Prometheus finds the members' metrics port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MetricsDiscovery {
    /// A PodMonitor (the cluster serves `monitoring.coreos.com`).
    PodMonitor,
    /// The common `prometheus.io/scrape|port|path` pod annotations.
    Annotations,
}

/// The zoo.cfg settings `install` controls.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZooKeeperSettings {
    /// `tickTime` in ms.
    pub tick_time: u32,
    /// `initLimit` in ticks.
    pub init_limit: u32,
    /// `syncLimit` in ticks.
    pub sync_limit: u32,
    /// `maxClientCnxns`.
    pub max_client_cnxns: u32,
    /// `autopurge.snapRetainCount`.
    pub snap_retain_count: u32,
    /// `autopurge.purgeInterval` in hours.
    pub purge_interval: u32,
    /// `minSessionTimeout` in ms.
    pub min_session_timeout: u32,
    /// `maxSessionTimeout` in ms.
    pub max_session_timeout: u32,
    /// Log level.
    pub log_level: LogLevel,
    /// Settings made by `kubectl zk config set`/`unset`, applied over the ones above.
    #[serde(skip_serializing_if = "is_empty")]
    pub recorded: Recorded,
}

fn is_empty(recorded: &Recorded) -> bool {
    recorded.0.is_empty()
}

impl EnsembleSpec {
    /// The labels every object carries. `app: <name>` keeps the seeds' `-l app=zk` working.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.selector_labels();
        labels.insert("app".into(), self.name.to_string());
        labels.insert("app.kubernetes.io/managed-by".into(), MANAGER.into());
        labels
    }

    /// The labels that select this ensemble's pods (immutable once the StatefulSet exists).
    pub fn selector_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app.kubernetes.io/name".to_owned(), "zookeeper".to_owned()),
            (
                "app.kubernetes.io/instance".to_owned(),
                self.name.to_string(),
            ),
        ])
    }

    /// The label selector string for listing this ensemble's pods.
    pub fn selector_string(&self) -> String {
        selector_string(&self.selector_labels())
    }

    /// The fully qualified DNS name of member `ordinal`, as the headless Service gives it.
    pub fn member_fqdn(&self, ordinal: u32) -> String {
        format!(
            "{}.{}.{}.svc.{}",
            self.name.pod(ordinal),
            self.name.headless_service(),
            self.namespace,
            self.cluster_domain
        )
    }

    pub(crate) fn meta(&self, name: String) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: Some(self.namespace.clone()),
            labels: Some(self.labels()),
            ..ObjectMeta::default()
        }
    }
}

/// The data sub path an existing StatefulSet records ([`DATA_SUB_PATH_ANNOTATION`]): whatever
/// renders an existing ensemble again must carry it into [`EnsembleSpec::data_sub_path`], or the
/// members would restart on the claim's root, away from their data.
pub fn recorded_data_sub_path(sts: &StatefulSet) -> Option<String> {
    sts.metadata
        .annotations
        .as_ref()?
        .get(DATA_SUB_PATH_ANNOTATION)
        .cloned()
}

/// Joins labels into a selector (`a=b,c=d`).
pub fn selector_string(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The objects of one ensemble, in the order `install` applies them.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The pods' identity (no API token mounted: ZooKeeper needs none).
    pub service_account: ServiceAccount,
    /// zoo.cfg and logging configuration (official flavour only).
    pub config_map: Option<ConfigMap>,
    /// Gives each member a stable DNS name, ready or not.
    pub headless_service: Service,
    /// Where clients connect.
    pub client_service: Service,
    /// At most one member down by voluntary disruption.
    pub pdb: PodDisruptionBudget,
    /// The members.
    pub stateful_set: StatefulSet,
    /// The Prometheus operator's PodMonitor for the members (`--metrics` where it is served).
    pub pod_monitor: Option<serde_json::Value>,
}

impl Manifest {
    /// Renders every object of an ensemble.
    pub fn render(spec: &EnsembleSpec) -> Manifest {
        let flavor = match spec.flavor {
            Flavor::Official => official::render(spec),
            Flavor::K8sTutorial => tutorial::render(spec),
        };
        Manifest {
            service_account: ServiceAccount {
                metadata: ObjectMeta {
                    annotations: crate::cluster::openshift::grant_annotations(
                        spec.scc_grant.as_deref(),
                    ),
                    ..spec.meta(spec.name.to_string())
                },
                automount_service_account_token: Some(false),
                ..ServiceAccount::default()
            },
            headless_service: headless_service(spec),
            client_service: client_service(spec),
            pdb: pdb(spec),
            stateful_set: stateful_set(spec, &flavor),
            config_map: flavor.config_map,
            pod_monitor: (spec.metrics == Some(MetricsDiscovery::PodMonitor))
                .then(|| pod_monitor(spec)),
        }
    }

    /// Every object as JSON with `apiVersion` and `kind`, in apply order.
    pub fn to_values(&self) -> Result<Vec<serde_json::Value>, serde_json::Error> {
        let mut values = vec![serde_json::to_value(&self.service_account)?];
        if let Some(config_map) = &self.config_map {
            values.push(serde_json::to_value(config_map)?);
        }
        values.push(serde_json::to_value(&self.headless_service)?);
        values.push(serde_json::to_value(&self.client_service)?);
        values.push(serde_json::to_value(&self.pdb)?);
        values.push(serde_json::to_value(&self.stateful_set)?);
        if let Some(monitor) = &self.pod_monitor {
            values.push(monitor.clone());
        }
        Ok(values)
    }
}

/// What a flavour contributes to the StatefulSet and around it.
pub struct FlavorParts {
    /// The ZooKeeper container.
    pub container: Container,
    /// Extra pod volumes (the ConfigMap).
    pub volumes: Vec<k8s_openapi::api::core::v1::Volume>,
    /// The ConfigMap, if the flavour is configured by one.
    pub config_map: Option<ConfigMap>,
    /// Text whose change must roll the members (zoo.cfg, start flags).
    pub config_fingerprint: String,
}

/// The PodMonitor that has Prometheus scrape every member's metrics port.
fn pod_monitor(spec: &EnsembleSpec) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": format!("{MONITORING_GROUP}/v1"),
        "kind": "PodMonitor",
        "metadata": spec.meta(spec.name.to_string()),
        "spec": {
            "selector": {"matchLabels": spec.selector_labels()},
            "podMetricsEndpoints": [{"port": "metrics", "path": "/metrics"}],
        },
    })
}

fn headless_service(spec: &EnsembleSpec) -> Service {
    Service {
        metadata: spec.meta(spec.name.headless_service()),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            // Members must find each other before they are Ready: the quorum forms
            // only once they can, and readiness follows the quorum.
            publish_not_ready_addresses: Some(true),
            selector: Some(spec.selector_labels()),
            ports: Some(vec![
                service_port("server", SERVER_PORT),
                service_port("leader-election", ELECTION_PORT),
            ]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn client_service(spec: &EnsembleSpec) -> Service {
    Service {
        metadata: spec.meta(spec.name.client_service()),
        spec: Some(ServiceSpec {
            selector: Some(spec.selector_labels()),
            ports: Some(vec![service_port("client", CLIENT_PORT)]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn service_port(name: &str, port: i32) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        target_port: Some(IntOrString::String(name.into())),
        ..ServicePort::default()
    }
}

fn pdb(spec: &EnsembleSpec) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: spec.meta(spec.name.pdb()),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(spec.selector_labels()),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

fn affinity(spec: &EnsembleSpec) -> Option<Affinity> {
    let term = PodAffinityTerm {
        label_selector: Some(LabelSelector {
            match_labels: Some(spec.selector_labels()),
            ..LabelSelector::default()
        }),
        topology_key: "kubernetes.io/hostname".into(),
        ..PodAffinityTerm::default()
    };
    let anti = match spec.anti_affinity {
        AntiAffinity::None => return None,
        AntiAffinity::Required => PodAntiAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![term]),
            ..PodAntiAffinity::default()
        },
        AntiAffinity::Preferred => PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: term,
                },
            ]),
            ..PodAntiAffinity::default()
        },
    };
    Some(Affinity {
        pod_anti_affinity: Some(anti),
        ..Affinity::default()
    })
}

/// Requests for the ZooKeeper container.
pub fn resources(spec: &EnsembleSpec) -> ResourceRequirements {
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".to_owned(), K8sQuantity(spec.cpu.to_string())),
            ("memory".to_owned(), K8sQuantity(spec.memory.to_string())),
        ])),
        ..ResourceRequirements::default()
    }
}

/// The container ports every flavour exposes.
pub fn zookeeper_ports() -> Vec<ContainerPort> {
    [
        ("client", CLIENT_PORT),
        ("server", SERVER_PORT),
        ("leader-election", ELECTION_PORT),
    ]
    .into_iter()
    .map(|(name, port)| ContainerPort {
        name: Some(name.into()),
        container_port: port,
        ..ContainerPort::default()
    })
    .collect()
}

/// An exec probe.
pub fn exec_probe(
    command: &[&str],
    initial_delay: i32,
    period: i32,
    timeout: i32,
    failures: i32,
) -> Probe {
    Probe {
        exec: Some(k8s_openapi::api::core::v1::ExecAction {
            command: Some(command.iter().map(|s| (*s).to_owned()).collect()),
        }),
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        failure_threshold: Some(failures),
        success_threshold: Some(1),
        ..Probe::default()
    }
}

/// The data volume mount at `path` (of the claim's `sub_path`, when the data is not at its root).
pub fn data_mount(path: &str, sub_path: Option<&str>) -> VolumeMount {
    VolumeMount {
        name: DATA_VOLUME.into(),
        mount_path: path.into(),
        sub_path: sub_path.map(str::to_owned),
        ..VolumeMount::default()
    }
}

fn stateful_set(spec: &EnsembleSpec, flavor: &FlavorParts) -> StatefulSet {
    let mut annotations = BTreeMap::from([(
        CONFIG_HASH_ANNOTATION.to_owned(),
        config_hash(&flavor.config_fingerprint),
    )]);
    if spec.metrics == Some(MetricsDiscovery::Annotations) {
        annotations.extend(
            [
                ("prometheus.io/scrape", "true".to_owned()),
                ("prometheus.io/port", METRICS_PORT.to_string()),
                ("prometheus.io/path", "/metrics".to_owned()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
    }
    let mut meta = spec.meta(spec.name.to_string());
    // The recorded settings always, `{}` included: install owns the annotation, so one that
    // an explicit flag replaced is dropped, not left behind to come back.
    let mut sts_annotations = BTreeMap::from([
        (
            FLAVOR_ANNOTATION.to_owned(),
            spec.flavor.as_str().to_owned(),
        ),
        (
            SETTINGS_ANNOTATION.to_owned(),
            spec.zookeeper.recorded.to_json(),
        ),
    ]);
    if let Some(sub_path) = &spec.data_sub_path {
        sts_annotations.insert(DATA_SUB_PATH_ANNOTATION.to_owned(), sub_path.clone());
    }
    meta.annotations = Some(sts_annotations);
    StatefulSet {
        metadata: meta,
        spec: Some(StatefulSetSpec {
            replicas: Some(i32::try_from(spec.replicas).unwrap_or(i32::MAX)),
            service_name: Some(spec.name.headless_service()),
            selector: LabelSelector {
                match_labels: Some(spec.selector_labels()),
                ..LabelSelector::default()
            },
            pod_management_policy: Some(spec.pod_management.as_str().into()),
            // The StatefulSet controller replaces no member by itself (its RollingUpdate goes by
            // ordinal, the leader whenever its ordinal comes): kubectl-zk's rollout engine does,
            // one member at a time, the leader last (ensemble::rollout).
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("OnDelete".into()),
                ..StatefulSetUpdateStrategy::default()
            }),
            persistent_volume_claim_retention_policy: Some(
                StatefulSetPersistentVolumeClaimRetentionPolicy {
                    when_deleted: Some("Retain".into()),
                    when_scaled: Some("Retain".into()),
                },
            ),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(spec.labels()),
                    annotations: Some(annotations),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(spec.name.to_string()),
                    automount_service_account_token: Some(false),
                    affinity: affinity(spec),
                    containers: vec![container(spec, flavor)],
                    volumes: (!flavor.volumes.is_empty()).then(|| flavor.volumes.clone()),
                    security_context: Some(pod_security_context(spec.scc)),
                    termination_grace_period_seconds: Some(30),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(vec![PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(DATA_VOLUME.into()),
                    // Claims carry the ensemble's labels so `kubectl get pvc -l app=zk` finds them.
                    labels: Some(spec.labels()),
                    // And where the data is on them, so an install over kept claims finds it.
                    annotations: spec.data_sub_path.as_ref().map(|sub_path| {
                        BTreeMap::from([(DATA_SUB_PATH_ANNOTATION.to_owned(), sub_path.clone())])
                    }),
                    ..ObjectMeta::default()
                },
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: Some(vec!["ReadWriteOnce".into()]),
                    storage_class_name: spec.storage_class.clone(),
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(BTreeMap::from([(
                            "storage".to_owned(),
                            K8sQuantity(spec.storage_size.to_string()),
                        )])),
                        ..VolumeResourceRequirements::default()
                    }),
                    ..PersistentVolumeClaimSpec::default()
                }),
                ..PersistentVolumeClaim::default()
            }]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

/// The pod's security context: user and group 1000 as the images expect (anyuid), or none
/// fixed so OpenShift's restricted-v2 picks them from the namespace's range.
fn pod_security_context(scc: SccProfile) -> PodSecurityContext {
    match scc {
        SccProfile::Anyuid => PodSecurityContext {
            run_as_user: Some(1000),
            fs_group: Some(1000),
            ..PodSecurityContext::default()
        },
        SccProfile::Restricted => PodSecurityContext {
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                localhost_profile: None,
            }),
            ..PodSecurityContext::default()
        },
    }
}

/// The ZooKeeper container; under the restricted profile it also gives up privilege escalation
/// and every capability, as restricted-v2 (and Pod Security "restricted") require.
fn container(spec: &EnsembleSpec, flavor: &FlavorParts) -> Container {
    let mut container = flavor.container.clone();
    if spec.scc == SccProfile::Restricted {
        container.security_context = Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                add: None,
            }),
            ..SecurityContext::default()
        });
    }
    container
}

/// The pod template's [`CONFIG_HASH_ANNOTATION`] for a flavour's configuration text.
pub fn config_hash(fingerprint: &str) -> String {
    format!("{:016x}", fnv1a(fingerprint.as_bytes()))
}

/// FNV-1a, 64 bits: a stable fingerprint (unlike std's hasher, fixed across Rust releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn spec(flavor: Flavor) -> EnsembleSpec {
        EnsembleSpec {
            name: EnsembleName::default(),
            namespace: "kafka".into(),
            replicas: 3,
            image: flavor.default_image().into(),
            flavor,
            storage_class: None,
            storage_size: Quantity::parse_storage("10Gi").expect("valid"),
            heap: HeapSize::parse_arg("512M").expect("valid"),
            cpu: Quantity::parse_cpu("500m").expect("valid"),
            memory: Quantity::parse_memory("1Gi").expect("valid"),
            anti_affinity: AntiAffinity::Required,
            pod_management: PodManagement::Parallel,
            zookeeper: ZooKeeperSettings {
                tick_time: 2000,
                init_limit: 10,
                sync_limit: 5,
                max_client_cnxns: 60,
                snap_retain_count: 3,
                purge_interval: 12,
                min_session_timeout: 4000,
                max_session_timeout: 40000,
                log_level: LogLevel::Info,
                recorded: Recorded::default(),
            },
            cluster_domain: "cluster.local".into(),
            scc: SccProfile::Anyuid,
            scc_grant: None,
            metrics: None,
            data_sub_path: None,
        }
    }

    #[test]
    fn the_anyuid_profile_runs_as_1000_and_restricted_fixes_no_user() {
        let mut spec = spec(Flavor::Official);
        let pod = Manifest::render(&spec)
            .stateful_set
            .spec
            .expect("spec")
            .template
            .spec
            .expect("pod");
        let context = pod.security_context.expect("security context");
        assert_eq!(
            (context.run_as_user, context.fs_group),
            (Some(1000), Some(1000))
        );
        assert!(pod.containers[0].security_context.is_none());

        spec.scc = SccProfile::Restricted;
        let pod = Manifest::render(&spec)
            .stateful_set
            .spec
            .expect("spec")
            .template
            .spec
            .expect("pod");
        let context = pod.security_context.expect("security context");
        assert_eq!((context.run_as_user, context.fs_group), (None, None));
        let container = pod.containers[0]
            .security_context
            .clone()
            .expect("container context");
        assert_eq!(container.allow_privilege_escalation, Some(false));
        assert_eq!(
            container.capabilities.and_then(|c| c.drop),
            Some(vec!["ALL".to_owned()])
        );
    }

    #[test]
    fn a_recorded_grant_is_an_annotation_of_the_service_account() {
        let mut spec = spec(Flavor::Official);
        assert!(
            Manifest::render(&spec)
                .service_account
                .metadata
                .annotations
                .is_none()
        );
        spec.scc_grant = Some("rolebinding/anyuid".into());
        let account = Manifest::render(&spec).service_account;
        assert_eq!(
            account.metadata.annotations.expect("annotations")["kubectl-zk.io/scc-grant"],
            "rolebinding/anyuid"
        );
    }

    #[test]
    fn objects_come_in_apply_order_with_seed_names() {
        let values = Manifest::render(&spec(Flavor::Official))
            .to_values()
            .expect("serialises");
        let kinds: Vec<_> = values
            .iter()
            .map(|v| {
                format!(
                    "{}/{}",
                    v["kind"].as_str().unwrap_or("?"),
                    v["metadata"]["name"].as_str().unwrap_or("?")
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "ServiceAccount/zk",
                "ConfigMap/zk-config",
                "Service/zk-hs",
                "Service/zk-cs",
                "PodDisruptionBudget/zk-pdb",
                "StatefulSet/zk"
            ]
        );
        assert_eq!(values[4]["apiVersion"], "policy/v1");
        assert_eq!(values[4]["spec"]["maxUnavailable"], 1);
    }

    #[test]
    fn every_object_carries_the_seed_label() {
        for flavor in [Flavor::Official, Flavor::K8sTutorial] {
            let values = Manifest::render(&spec(flavor))
                .to_values()
                .expect("serialises");
            for value in &values {
                assert_eq!(
                    value["metadata"]["labels"]["app"], "zk",
                    "{}",
                    value["kind"]
                );
                assert_eq!(
                    value["metadata"]["labels"]["app.kubernetes.io/managed-by"],
                    "kubectl-zk"
                );
            }
            let sts = values.last().expect("sts");
            assert_eq!(sts["spec"]["template"]["metadata"]["labels"]["app"], "zk");
            assert_eq!(
                sts["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"]["app"],
                "zk"
            );
        }
    }

    #[test]
    fn headless_service_publishes_not_ready_members() {
        let manifest = Manifest::render(&spec(Flavor::Official));
        let svc = manifest.headless_service.spec.expect("spec");
        assert_eq!(svc.cluster_ip.as_deref(), Some("None"));
        assert_eq!(svc.publish_not_ready_addresses, Some(true));
        let ports: Vec<_> = svc
            .ports
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.name.unwrap_or_default(), p.port))
            .collect();
        assert_eq!(
            ports,
            [
                ("server".to_owned(), 2888),
                ("leader-election".to_owned(), 3888)
            ]
        );
    }

    #[test]
    fn anti_affinity_modes() {
        let mut s = spec(Flavor::Official);
        let aff = |s: &EnsembleSpec| affinity(s).and_then(|a| a.pod_anti_affinity);
        assert!(
            aff(&s)
                .and_then(|a| a.required_during_scheduling_ignored_during_execution)
                .is_some()
        );
        s.anti_affinity = AntiAffinity::Preferred;
        assert!(
            aff(&s)
                .and_then(|a| a.preferred_during_scheduling_ignored_during_execution)
                .is_some()
        );
        s.anti_affinity = AntiAffinity::None;
        assert!(aff(&s).is_none());
    }

    #[test]
    fn config_changes_roll_the_members() {
        let hash = |s: &EnsembleSpec| {
            Manifest::render(s)
                .stateful_set
                .spec
                .and_then(|sp| sp.template.metadata)
                .and_then(|m| m.annotations)
                .and_then(|a| a.get(CONFIG_HASH_ANNOTATION).cloned())
        };
        for flavor in [Flavor::Official, Flavor::K8sTutorial] {
            let mut s = spec(flavor);
            let before = hash(&s);
            assert_eq!(before, hash(&s), "stable");
            s.zookeeper.tick_time = 3000;
            assert_ne!(before, hash(&s), "{flavor}: tickTime change must roll");
        }
    }

    #[test]
    fn fqdns_follow_the_headless_service() {
        assert_eq!(
            spec(Flavor::Official).member_fqdn(0),
            "zk-0.zk-hs.kafka.svc.cluster.local"
        );
    }
}
