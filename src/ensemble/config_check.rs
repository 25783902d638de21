//! `config`: each member's live `zoo.cfg` (and `myid`), the source of truth it should match
//! (the official flavour's ConfigMap, or the zoo.cfg the tutorial image's `start-zookeeper`
//! flags produce), the differences between members and against the source, and lints.
//!
//! Gather: the StatefulSet (already found), its pods, the headless Service and the
//! ConfigMap at once; then every member at the same time, each within its own timeout:
//! `cat <zoo.cfg>` and `cat <dataDir>/myid` through exec (argv only, no shell). Decide: pure
//! functions over what was read ([`decide`]). Render: the zoo.cfg once when the members
//! agree, one section per member otherwise, then the differences and the findings.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::Client;
use kube::api::{Api, ListParams};
use serde::Serialize;

use crate::cluster::ensemble::Ensemble;
use crate::cluster::zookeeper::{self, MemberTarget};
use crate::ensemble::layout::{Layout, SourceSpec, container, layout};
use crate::ensemble::start_flags::StartFlags;
use crate::manifest::official::DYNAMIC_KEY;
use crate::manifest::options::Flavor;
use crate::render::{Document, Style, Tabular, plain_table};
use crate::zk::lint::{
    self, ConfigSource, EnsembleFacts, Finding, MountFact, NeededWord, ServiceFact, Severity,
};
use crate::zk::membership::{BOOKKEEPING_KEYS, effective_text};
use crate::zk::zoo_cfg::ZooCfg;

/// How long one member may take to answer both reads.
pub const MEMBER_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Container image.
    pub image: String,
    /// Image flavour, when known.
    pub flavor: Option<Flavor>,
    /// Desired members.
    pub replicas: u32,
    /// Where the members read zoo.cfg.
    pub path: String,
    /// The source of truth, when there is one.
    pub source: Option<SourceConfig>,
    /// One entry per member, by ordinal.
    pub members: Vec<MemberConfig>,
    /// Whether every member read has the same zoo.cfg text.
    pub identical: bool,
    /// Keys whose values differ between members.
    pub member_differences: Vec<KeyDifference>,
    /// Keys where members differ from the source.
    pub source_differences: Vec<SourceDifference>,
    /// Lint results, errors first.
    pub findings: Vec<Finding>,
    /// No error, the members agree with each other and with the source.
    pub ok: bool,
}

/// Where the configuration should come from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceConfig {
    /// `configMap` or `startFlags`.
    pub kind: SourceKind,
    /// What it is, in words (`ConfigMap zk-config, key zoo.cfg`).
    pub name: String,
    /// The zoo.cfg it holds or produces.
    pub zoo_cfg: Option<String>,
    /// Why there is none.
    pub error: Option<String>,
}

/// The kinds of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A ConfigMap mounted at the conf dir (official flavour).
    ConfigMap,
    /// The `start-zookeeper` flags (k8s-tutorial flavour).
    StartFlags,
}

/// What was read from one member. In JSON `myid` is the file's number (null when it is
/// not one) and `myidFile` its text.
#[derive(Debug, Clone)]
pub struct MemberConfig {
    /// Pod name.
    pub pod: String,
    /// Ordinal.
    pub ordinal: u32,
    /// The zoo.cfg text, exactly as `cat` printed it.
    pub zoo_cfg: Option<String>,
    /// Where its `myid` was read.
    pub myid_path: Option<String>,
    /// The `myid` file's text.
    pub myid: Option<String>,
    /// Why something could not be read.
    pub error: Option<String>,
}

impl Serialize for MemberConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let number = self
            .myid
            .as_deref()
            .and_then(|text| text.trim().parse::<u32>().ok());
        let mut out = serializer.serialize_struct("MemberConfig", 7)?;
        out.serialize_field("pod", &self.pod)?;
        out.serialize_field("ordinal", &self.ordinal)?;
        out.serialize_field("zooCfg", &self.zoo_cfg)?;
        out.serialize_field("myidPath", &self.myid_path)?;
        out.serialize_field("myid", &number)?;
        out.serialize_field("myidFile", &self.myid)?;
        out.serialize_field("error", &self.error)?;
        out.end()
    }
}

/// A key whose value is not the same on every member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyDifference {
    /// The key.
    pub key: String,
    /// Pod → value in effect (`None`: not set).
    pub values: BTreeMap<String, Option<String>>,
}

/// How a member differs from the source on one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DifferenceKind {
    /// In the source, not on the member.
    Missing,
    /// On the member, not in the source.
    Extra,
    /// Both, with different values.
    Different,
}

/// A key where members differ from the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceDifference {
    /// The key.
    pub key: String,
    /// Missing, extra or different.
    pub kind: DifferenceKind,
    /// The source's value.
    pub source: Option<String>,
    /// The member's value.
    pub live: Option<String>,
    /// The members that differ this way.
    pub members: Vec<String>,
}

/// What the source read gave.
#[derive(Debug, Clone)]
pub enum SourceRead {
    /// The ConfigMap's zoo.cfg, or why it could not be read.
    ConfigMap {
        /// ConfigMap name.
        name: String,
        /// Key.
        key: String,
        /// The text.
        text: Result<String, String>,
    },
    /// The flags (rendered in [`decide`], which knows the cluster domain).
    StartFlags(StartFlags),
    /// None, and why.
    None(String),
}

/// The lint facts of the pod template and the headless Service.
pub fn facts(
    ensemble: &Ensemble,
    layout: &Layout,
    service: Option<&Service>,
    service_read: bool,
) -> EnsembleFacts {
    let spec = ensemble.stateful_set.spec.as_ref();
    let pod_spec = spec.and_then(|s| s.template.spec.as_ref());
    let templates = ensemble.claim_templates();
    let volumes = pod_spec.and_then(|p| p.volumes.as_ref());
    let container = container(ensemble);
    let mounts = container
        .and_then(|c| c.volume_mounts.as_ref())
        .into_iter()
        .flatten()
        .map(|m| {
            let volume = volumes.and_then(|v| v.iter().find(|v| v.name == m.name));
            MountFact {
                path: m.mount_path.clone(),
                volume: m.name.clone(),
                persistent: templates.contains(&m.name)
                    || volume.is_some_and(|v| v.persistent_volume_claim.is_some()),
                read_only: m.read_only == Some(true)
                    || volume.is_some_and(|v| {
                        v.config_map.is_some()
                            || v.secret.is_some()
                            || v.projected.is_some()
                            || v.downward_api.is_some()
                    }),
            }
        })
        .collect();
    let mut needed_words = Vec::new();
    if let Some(c) = container {
        for (kind, probe) in [
            ("startup", &c.startup_probe),
            ("readiness", &c.readiness_probe),
            ("liveness", &c.liveness_probe),
        ] {
            let command = probe
                .as_ref()
                .and_then(|p| p.exec.as_ref())
                .and_then(|e| e.command.clone())
                .unwrap_or_default();
            for word in lint::probe_words(&command) {
                needed_words.push(NeededWord {
                    word,
                    by: format!("the {kind} probe"),
                    probe: true,
                });
            }
        }
    }
    let service_name = spec
        .and_then(|s| s.service_name.clone())
        .unwrap_or_default();
    EnsembleFacts {
        name: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        replicas: ensemble.replicas(),
        service: ServiceFact {
            name: service_name,
            exists: service_read.then_some(service.is_some()),
            headless: service
                .and_then(|s| s.spec.as_ref())
                .and_then(|s| s.cluster_ip.as_deref())
                .is_some_and(|ip| ip == "None"),
            publishes_not_ready: service
                .and_then(|s| s.spec.as_ref())
                .and_then(|s| s.publish_not_ready_addresses)
                .unwrap_or(false),
        },
        zookeeper_3_4: ensemble.flavor == Some(Flavor::K8sTutorial),
        needed_words,
        mounts,
        conf_path: layout.conf_path.clone(),
        source: match &layout.source {
            SourceSpec::ConfigMap { name, .. } => ConfigSource::ConfigMap(name.clone()),
            SourceSpec::StartFlags(_) => ConfigSource::StartFlags,
            SourceSpec::None(_) => ConfigSource::File(layout.conf_path.clone()),
        },
    }
}

/// Reads everything about one ensemble's configuration and decides.
pub async fn gather(
    client: &Client,
    ensemble: Ensemble,
    member_timeout: Duration,
) -> anyhow::Result<ConfigReport> {
    let ns = ensemble.namespace.clone();
    let layout = layout(&ensemble);
    let service_name = ensemble
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.service_name.clone())
        .unwrap_or_default();
    let pods_api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let source_read = async {
        match &layout.source {
            SourceSpec::ConfigMap { name, key } => {
                let text = match config_maps.get_opt(name).await {
                    Ok(Some(cm)) => {
                        let data = cm.data.unwrap_or_default();
                        let dynamic = data.get(DYNAMIC_KEY).map(|text| {
                            (format!("ConfigMap {name}, key {DYNAMIC_KEY}"), text.clone())
                        });
                        data.get(key)
                            .map(|text| {
                                effective_text(
                                    text,
                                    dynamic
                                        .as_ref()
                                        .map(|(from, t)| (from.as_str(), t.as_str())),
                                )
                            })
                            .ok_or_else(|| format!("ConfigMap {name} has no key {key}"))
                    }
                    Ok(None) => Err(format!(
                        "ConfigMap {name} in namespace {ns} does not exist: members cannot start (the volume cannot be mounted)"
                    )),
                    Err(err) => Err(format!(
                        "cannot read ConfigMap {name} in namespace {ns}: {}",
                        crate::cluster::error::kube_line(&err)
                    )),
                };
                SourceRead::ConfigMap {
                    name: name.clone(),
                    key: key.clone(),
                    text,
                }
            }
            SourceSpec::StartFlags(flags) => SourceRead::StartFlags(flags.clone()),
            SourceSpec::None(why) => SourceRead::None(why.clone()),
        }
    };
    let params = ListParams::default().labels(&ensemble.pod_selector());
    let (pods, service, source) = futures::join!(
        pods_api.list(&params),
        async {
            if service_name.is_empty() {
                Ok(None)
            } else {
                services.get_opt(&service_name).await
            }
        },
        source_read
    );
    let pods = pods
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot list pods in namespace {ns}")))?;
    let pods: BTreeMap<String, Pod> = pods
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name.clone().map(|n| (n, p)))
        .collect();
    let (service, service_read) = match service {
        Ok(service) => (service, true),
        Err(_) => (None, false),
    };
    let facts = facts(&ensemble, &layout, service.as_ref(), service_read);

    let reads = (0..ensemble.replicas()).map(|ordinal| {
        let pod = format!("{}-{ordinal}", ensemble.name);
        let phase = pods.get(&pod).map(|p| {
            if p.metadata.deletion_timestamp.is_some() {
                "Terminating".to_owned()
            } else {
                p.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "Pending".into())
            }
        });
        let target = ensemble.target(&pod);
        let layout = &layout;
        async move {
            let mut member = MemberConfig {
                pod: pod.clone(),
                ordinal,
                zoo_cfg: None,
                myid_path: None,
                myid: None,
                error: None,
            };
            match phase.as_deref() {
                None => member.error = Some(format!("pod {pod} does not exist")),
                Some("Running") => {
                    let read = read_member(client, &target, layout, &mut member);
                    if tokio::time::timeout(member_timeout, read).await.is_err() {
                        member.error = Some(format!(
                            "no answer within {}s",
                            member_timeout.as_secs_f64()
                        ));
                    }
                }
                Some(phase) => member.error = Some(format!("pod {pod} is {phase}, not Running")),
            }
            member
        }
    });
    let members = join_all(reads).await;
    Ok(decide(&ensemble, &facts, &layout, source, members))
}

/// `cat` of zoo.cfg, then of `<dataDir>/myid`, through exec.
async fn read_member(
    client: &Client,
    target: &MemberTarget,
    layout: &Layout,
    member: &mut MemberConfig,
) {
    match zookeeper::exec(client, target, &["cat", &layout.conf_path]).await {
        Ok((text, 0)) => {
            let dynamic = ZooCfg::parse(&text)
                .dynamic_config_file()
                .map(str::to_owned);
            let membership = match &dynamic {
                Some(path) => match zookeeper::exec(client, target, &["cat", path]).await {
                    Ok((membership, 0)) => Some(membership),
                    Ok((_, code)) => {
                        member.error = Some(format!(
                            "`cat {path}` in pod {} exited with code {code}: the dynamic config file zoo.cfg names is missing",
                            target.pod
                        ));
                        return;
                    }
                    Err(err) => {
                        member.error = Some(crate::cluster::error::one_line(&err));
                        return;
                    }
                },
                None => None,
            };
            member.zoo_cfg = Some(effective_text(
                &text,
                dynamic.as_deref().zip(membership.as_deref()),
            ));
        }
        Ok((_, code)) => {
            member.error = Some(format!(
                "`cat {}` in pod {} exited with code {code}: the file is missing or unreadable",
                layout.conf_path, target.pod
            ));
            return;
        }
        Err(err) => {
            member.error = Some(crate::cluster::error::one_line(&err));
            return;
        }
    }
    let data_dir = member
        .zoo_cfg
        .as_deref()
        .map(ZooCfg::parse)
        .and_then(|cfg| cfg.data_dir().map(str::to_owned))
        .unwrap_or_else(|| layout.default_data_dir.clone());
    let path = format!("{}/myid", data_dir.trim_end_matches('/'));
    member.myid_path = Some(path.clone());
    match zookeeper::exec(client, target, &["cat", &path]).await {
        Ok((text, 0)) => member.myid = Some(text),
        Ok((_, code)) => {
            member.error = Some(format!(
                "`cat {path}` in pod {} exited with code {code}: there is no myid file",
                target.pod
            ));
        }
        Err(err) => {
            member.error = Some(format!(
                "reading {path}: {}",
                crate::cluster::error::one_line(&err)
            ))
        }
    }
}

/// The settings in effect (the last line of each key wins, as in ZooKeeper).
fn settings(cfg: &ZooCfg) -> BTreeMap<String, String> {
    cfg.entries()
        .filter(|e| !BOOKKEEPING_KEYS.contains(&e.key))
        .map(|e| (e.key.to_owned(), e.value.to_owned()))
        .collect()
}

/// Keys whose value is not the same on every member read.
pub fn member_differences(members: &[(&str, &ZooCfg)]) -> Vec<KeyDifference> {
    let maps: Vec<(&str, BTreeMap<String, String>)> = members
        .iter()
        .map(|(pod, cfg)| (*pod, settings(cfg)))
        .collect();
    let keys: BTreeSet<&String> = maps.iter().flat_map(|(_, m)| m.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let values: BTreeMap<String, Option<String>> = maps
                .iter()
                .map(|(pod, m)| ((*pod).to_owned(), m.get(key).cloned()))
                .collect();
            let distinct: BTreeSet<&Option<String>> = values.values().collect();
            (distinct.len() > 1).then(|| KeyDifference {
                key: key.clone(),
                values,
            })
        })
        .collect()
}

/// Where members differ from the source, grouped by key and values.
pub fn source_differences(source: &ZooCfg, members: &[(&str, &ZooCfg)]) -> Vec<SourceDifference> {
    let want = settings(source);
    let mut grouped: BTreeMap<(String, Option<String>, Option<String>), Vec<String>> =
        BTreeMap::new();
    for (pod, cfg) in members {
        let have = settings(cfg);
        let keys: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
        for key in keys {
            let (w, h) = (want.get(key), have.get(key));
            if w != h {
                grouped
                    .entry((key.clone(), w.cloned(), h.cloned()))
                    .or_default()
                    .push((*pod).to_owned());
            }
        }
    }
    grouped
        .into_iter()
        .map(|((key, source, live), members)| SourceDifference {
            kind: match (&source, &live) {
                (Some(_), None) => DifferenceKind::Missing,
                (None, Some(_)) => DifferenceKind::Extra,
                _ => DifferenceKind::Different,
            },
            key,
            source,
            live,
            members,
        })
        .collect()
}

/// Adds a finding, or the members of an equal one already there.
fn push_merged(findings: &mut Vec<Finding>, finding: Finding) {
    if let Some(same) = findings
        .iter_mut()
        .find(|f| f.check == finding.check && f.message == finding.message && f.fix == finding.fix)
    {
        for m in finding.members {
            if !same.members.contains(&m) {
                same.members.push(m);
            }
        }
    } else {
        findings.push(finding);
    }
}

/// Everything decided from what was read. Pure.
pub fn decide(
    ensemble: &Ensemble,
    facts: &EnsembleFacts,
    layout: &Layout,
    source: SourceRead,
    members: Vec<MemberConfig>,
) -> ConfigReport {
    let parsed: Vec<(&str, ZooCfg)> = members
        .iter()
        .filter_map(|m| {
            m.zoo_cfg
                .as_deref()
                .map(|t| (m.pod.as_str(), ZooCfg::parse(t)))
        })
        .collect();
    let read: Vec<(&str, &ZooCfg)> = parsed.iter().map(|(p, c)| (*p, c)).collect();
    let mut findings: Vec<Finding> = Vec::new();
    let domain = parsed
        .iter()
        .find_map(|(_, cfg)| lint::cluster_domain(cfg, facts))
        .unwrap_or_else(|| "cluster.local".into());
    let source = source_config(ensemble, facts, &domain, source, &mut findings);
    let source_cfg = source
        .as_ref()
        .and_then(|s| s.zoo_cfg.as_deref())
        .map(ZooCfg::parse);
    findings.extend(unreadable_members(ensemble, &members));
    let groups = distinct_texts(&members);
    let mut lints = lint_texts(facts, &groups);
    lints.extend(lint_source(facts, &source, &source_cfg, &groups, &parsed));
    lints.extend(lint_myids(facts, &members));
    for finding in lints {
        push_merged(&mut findings, finding);
    }
    for f in &mut findings {
        f.members
            .sort_by_key(|p| p.rsplit('-').next().and_then(|o| o.parse::<u32>().ok()));
    }
    findings.sort_by_key(|f| f.severity);

    let member_differences = member_differences(&read);
    let source_differences = source_cfg
        .as_ref()
        .map(|s| source_differences(s, &read))
        .unwrap_or_default();
    let identical = groups.len() <= 1;
    let ok = !findings.iter().any(|f| f.severity == Severity::Error)
        && member_differences.is_empty()
        && identical
        && source_differences.is_empty();
    ConfigReport {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        image: ensemble.image.clone(),
        flavor: ensemble.flavor,
        replicas: ensemble.replicas(),
        path: layout.conf_path.clone(),
        source,
        members,
        identical,
        member_differences,
        source_differences,
        findings,
        ok,
    }
}

/// The source of truth as read (the ConfigMap's text, or zoo.cfg rendered from the
/// `start-zookeeper` flags), with findings about it: unknown flags, no source, a source that
/// cannot be read.
fn source_config(
    ensemble: &Ensemble,
    facts: &EnsembleFacts,
    domain: &str,
    source: SourceRead,
    findings: &mut Vec<Finding>,
) -> Option<SourceConfig> {
    let split = |text: Result<String, String>| match text {
        Ok(text) => (Some(text), None),
        Err(err) => (None, Some(err)),
    };
    let source = match source {
        SourceRead::ConfigMap { name, key, text } => {
            let (zoo_cfg, error) = split(text);
            Some(SourceConfig {
                kind: SourceKind::ConfigMap,
                name: format!("ConfigMap {name}, key {key}"),
                zoo_cfg,
                error,
            })
        }
        SourceRead::StartFlags(flags) => {
            if !flags.unknown.is_empty() {
                findings.push(Finding::new(
                    Severity::Warning,
                    "start-flags",
                    format!(
                        "start-zookeeper does not know {}; the script stops at an unknown flag",
                        flags.unknown.join(" ")
                    ),
                    format!(
                        "remove them from StatefulSet {}'s container command",
                        ensemble.name
                    ),
                ));
            }
            let (zoo_cfg, error) = split(flags.render_zoo_cfg(
                &ensemble.name,
                &format!("{}.{}.svc.{domain}", facts.service.name, ensemble.namespace),
            ));
            Some(SourceConfig {
                kind: SourceKind::StartFlags,
                name: format!(
                    "start-zookeeper flags of container {} (cluster domain {domain})",
                    ensemble.container
                ),
                zoo_cfg,
                error,
            })
        }
        SourceRead::None(why) => {
            findings.push(Finding::new(
                Severity::Info,
                "no-source",
                format!("no source of truth to compare with: {why}"),
                "mount zoo.cfg from a ConfigMap (`kubectl zk install` does) so every member reads the same file".into(),
            ));
            None
        }
    };
    if let Some(err) = source.as_ref().and_then(|s| s.error.clone()) {
        findings.push(Finding::new(
            Severity::Error,
            "source",
            err,
            "fix the source of the configuration; the members cannot start from it".into(),
        ));
    }
    source
}

/// A finding per member that could not be read.
fn unreadable_members(ensemble: &Ensemble, members: &[MemberConfig]) -> Vec<Finding> {
    members
        .iter()
        .filter_map(|m| {
            let err = m.error.as_ref()?;
            Some(Finding {
                severity: Severity::Error,
                check: "unreadable",
                members: vec![m.pod.clone()],
                message: err.clone(),
                fix: format!(
                    "check the pod (`kubectl describe pod {} -n {}`) and run `kubectl zk config` again",
                    m.pod, ensemble.namespace
                ),
            })
        })
        .collect()
}

/// Each distinct zoo.cfg text with the members that run it, in member order.
fn distinct_texts(members: &[MemberConfig]) -> Vec<(&str, Vec<String>)> {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for m in members {
        if let Some(text) = m.zoo_cfg.as_deref() {
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, pods)) => pods.push(m.pod.clone()),
                None => groups.push((text, vec![m.pod.clone()])),
            }
        }
    }
    groups
}

/// The lints: one pass per distinct zoo.cfg text.
fn lint_texts(facts: &EnsembleFacts, groups: &[(&str, Vec<String>)]) -> Vec<Finding> {
    groups
        .iter()
        .flat_map(|(text, pods)| lint::lint_config(&ZooCfg::parse(text), facts, pods))
        .collect()
}

/// The source is linted too when the members do not run it yet (or none was read): its
/// mistakes arrive with the next restart.
fn lint_source(
    facts: &EnsembleFacts,
    source: &Option<SourceConfig>,
    source_cfg: &Option<ZooCfg>,
    groups: &[(&str, Vec<String>)],
    parsed: &[(&str, ZooCfg)],
) -> Vec<Finding> {
    let (Some(cfg), Some(source)) = (source_cfg, source) else {
        return Vec::new();
    };
    let want = settings(cfg);
    if !groups.is_empty() && parsed.iter().all(|(_, live)| settings(live) == want) {
        return Vec::new();
    }
    lint::lint_config(cfg, facts, &[])
        .into_iter()
        .map(|mut finding| {
            finding.message = format!("in the source ({}): {}", source.name, finding.message);
            finding
        })
        .collect()
}

/// Each member's myid against its ordinal and zoo.cfg, and myids held twice.
fn lint_myids(facts: &EnsembleFacts, members: &[MemberConfig]) -> Vec<Finding> {
    let mut lints = Vec::new();
    for m in members {
        if let (Some(text), Some(myid), Some(path)) = (
            m.zoo_cfg.as_deref(),
            m.myid.as_deref(),
            m.myid_path.as_deref(),
        ) {
            lints.extend(lint::lint_myid(
                facts,
                m.ordinal,
                &ZooCfg::parse(text),
                path,
                myid,
            ));
        }
    }
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in members {
        if let Some(id) = m.myid.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            ids.entry(id.to_owned()).or_default().push(m.pod.clone());
        }
    }
    for (id, pods) in ids.into_iter().filter(|(_, p)| p.len() > 1) {
        lints.push(Finding {
            severity: Severity::Error,
            check: "myid-duplicate",
            members: pods.clone(),
            message: format!(
                "{} hold the same myid {id}: ZooKeeper takes them for one server",
                pods.join(", ")
            ),
            fix: "give each member its ordinal + 1 (see the myid findings)".into(),
        });
    }
    lints
}

fn indent(text: &str) -> String {
    let mut out: String = text.lines().map(|l| format!("  {l}\n")).collect();
    if out.is_empty() {
        out.push_str("  (empty)\n");
    }
    out
}

impl Document for ConfigReport {
    const KIND: &'static str = "ConfigReport";
}

impl Tabular for ConfigReport {
    fn table(&self, style: Style, _wide: bool) -> String {
        let mut text = self.header(style);
        text.push_str(&self.zoo_cfg_texts(style));
        text.push('\n');
        text.push_str(&self.member_differences_table(style));
        text.push_str(&self.source_differences_table(style));
        text.push('\n');
        text.push_str(&self.lints(style));
        text.push_str(&self.summary(style));
        text
    }
}

impl ConfigReport {
    /// The members whose zoo.cfg was read.
    fn read(&self) -> Vec<&MemberConfig> {
        self.members
            .iter()
            .filter(|m| m.zoo_cfg.is_some())
            .collect()
    }

    /// The ensemble, its image and flavour, where zoo.cfg is, the source.
    fn header(&self, style: Style) -> String {
        let mut text = format!(
            "Ensemble {} in namespace {} ({}{}): zoo.cfg at {}\n",
            style.bold(&self.ensemble),
            self.namespace,
            self.image,
            match self.flavor {
                Some(Flavor::Official) => ", official",
                Some(Flavor::K8sTutorial) => ", k8s-tutorial",
                None => "",
            },
            self.path
        );
        match &self.source {
            Some(source) => text.push_str(&format!("Source: {}\n", source.name)),
            None => text.push_str("Source: none\n"),
        }
        text.push('\n');
        text
    }

    /// The zoo.cfg text once when every member runs the same, else each member's; then
    /// every member's myid.
    fn zoo_cfg_texts(&self, style: Style) -> String {
        let mut text = String::new();
        let read = self.read();
        let unread: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.zoo_cfg.is_none())
            .map(|m| m.pod.as_str())
            .collect();
        if self.identical && !read.is_empty() {
            let on = if unread.is_empty() {
                format!("identical on all {} members", read.len())
            } else {
                format!(
                    "identical on the {} members read ({} could not be read)",
                    read.len(),
                    unread.join(", ")
                )
            };
            text.push_str(&format!("{} ({on}):\n", style.bold("zoo.cfg")));
            text.push_str(&indent(read[0].zoo_cfg.as_deref().unwrap_or_default()));
        } else {
            for m in &self.members {
                text.push_str(&format!(
                    "{} ({}):\n",
                    style.bold(&format!("zoo.cfg of {}", m.pod)),
                    self.path
                ));
                match (&m.zoo_cfg, &m.error) {
                    (Some(cfg), _) => text.push_str(&indent(cfg)),
                    (None, err) => text.push_str(&format!(
                        "  {}\n",
                        style.bad(&format!(
                            "not read: {}",
                            err.as_deref().unwrap_or("unknown")
                        ))
                    )),
                }
            }
        }
        let myids: Vec<String> = self
            .members
            .iter()
            .map(|m| {
                format!(
                    "{}={}",
                    m.pod,
                    m.myid.as_deref().map(str::trim).unwrap_or("?")
                )
            })
            .collect();
        text.push_str(&format!("myid: {}\n", myids.join(" ")));
        text
    }

    /// The keys whose values differ between members, one column per member read.
    fn member_differences_table(&self, style: Style) -> String {
        if self.member_differences.is_empty() {
            return if self.identical {
                "Differences between members: none\n".into()
            } else {
                "Differences between members: the settings agree; the texts differ only in comments, blank lines, order or repeated lines\n".into()
            };
        }
        let mut text = format!("{}\n", style.bold("Differences between members:"));
        let pods: Vec<&str> = self.read().iter().map(|m| m.pod.as_str()).collect();
        let mut header = vec!["KEY"];
        header.extend(pods.iter().copied());
        let rows = self
            .member_differences
            .iter()
            .map(|d| {
                let mut row = vec![d.key.clone()];
                row.extend(pods.iter().map(|p| {
                    d.values
                        .get(*p)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| "(not set)".into())
                }));
                row
            })
            .collect();
        text.push_str(&plain_table(&header, rows));
        text
    }

    /// How the members differ from the source, with the source's text when they do.
    fn source_differences_table(&self, style: Style) -> String {
        let Some(source) = self.source.as_ref().filter(|s| s.zoo_cfg.is_some()) else {
            return String::new();
        };
        if self.source_differences.is_empty() {
            return format!(
                "Differences from the source: none{}\n",
                if self.read().is_empty() {
                    " (no member read)"
                } else {
                    ""
                }
            );
        }
        let mut text = format!(
            "{} ({})\n",
            style.bold("Differences from the source:"),
            source.name
        );
        let rows = self
            .source_differences
            .iter()
            .map(|d| {
                vec![
                    d.key.clone(),
                    match d.kind {
                        DifferenceKind::Missing => "missing".into(),
                        DifferenceKind::Extra => "extra".into(),
                        DifferenceKind::Different => "different".into(),
                    },
                    d.source.clone().unwrap_or_else(|| "-".into()),
                    d.live.clone().unwrap_or_else(|| "-".into()),
                    d.members.join(","),
                ]
            })
            .collect();
        text.push_str(&plain_table(
            &["KEY", "DIFFERENCE", "SOURCE", "LIVE", "MEMBERS"],
            rows,
        ));
        text.push_str(&format!("{}:\n", style.bold("The source's zoo.cfg")));
        text.push_str(&indent(source.zoo_cfg.as_deref().unwrap_or_default()));
        text
    }

    /// Every finding with its fix.
    fn lints(&self, style: Style) -> String {
        if self.findings.is_empty() {
            return "Lints: none\n".into();
        }
        let mut text = format!("{}\n", style.bold("Lints:"));
        for f in &self.findings {
            let word = match f.severity {
                Severity::Error => style.bad("ERROR"),
                Severity::Warning => style.warn("WARNING"),
                Severity::Info => "INFO".to_owned(),
            };
            let members = if f.members.is_empty() {
                String::new()
            } else {
                format!(" {}:", f.members.join(","))
            };
            text.push_str(&format!("{word} [{}]{members} {}\n", f.check, f.message));
            text.push_str(&format!("  fix: {}\n", f.fix));
        }
        text
    }

    /// OK or NOT OK, with the counts and what differs.
    fn summary(&self, style: Style) -> String {
        let count = |severity| {
            self.findings
                .iter()
                .filter(|f| f.severity == severity)
                .count()
        };
        format!(
            "\n{}: {} error(s), {} warning(s){}{}\n",
            if self.ok {
                style.good("OK")
            } else {
                style.bad("NOT OK")
            },
            count(Severity::Error),
            count(Severity::Warning),
            if self.identical && self.member_differences.is_empty() {
                ""
            } else {
                "; the members differ"
            },
            if self.source_differences.is_empty() {
                ""
            } else {
                "; members differ from the source"
            }
        )
    }
}

#[cfg(test)]
mod tests;
