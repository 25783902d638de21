//! Lints for an ensemble's configuration: what ZooKeeper's administrator guide calls a
//! mistake, checked on a member's `zoo.cfg` and `myid` together with the facts of the pod
//! template (replicas, probes, volume mounts, the headless Service). No I/O.
//!
//! Every [`Finding`] has a severity, the members it concerns, what is wrong and why it
//! matters, and the fix — worded for where the setting comes from ([`ConfigSource`]): a
//! ConfigMap, the `start-zookeeper` flags of the tutorial image, or a file the image wrote.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::zk::myid::parse_myid;
use crate::zk::quorum;
use crate::zk::zoo_cfg::{KNOWN_MISSPELLINGS, ServerLine, ZooCfg};

/// How bad a finding is. Errors make `config` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// ZooKeeper refuses to start, loses data, or the ensemble is wired wrong.
    Error,
    /// Works, but not as the writer meant, or fragile.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One lint result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// A stable name of the check (`misspelled-key`, `myid`, …).
    pub check: &'static str,
    /// The pods it concerns (empty: the source, or all alike).
    pub members: Vec<String>,
    /// What is wrong and why it matters.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Finding {
    /// A finding about no member in particular (the source, or every member alike).
    pub fn new(severity: Severity, check: &'static str, message: String, fix: String) -> Self {
        Finding {
            severity,
            check,
            members: Vec::new(),
            message,
            fix,
        }
    }
}

/// Where the members' zoo.cfg comes from, so a fix names the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The `zoo.cfg` key of a ConfigMap (official flavour).
    ConfigMap(String),
    /// The `start-zookeeper` flags of the tutorial image.
    StartFlags,
    /// A file written at start (by an entrypoint) at this path.
    File(String),
}

/// A volume mount of the ZooKeeper container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountFact {
    /// Where it is mounted.
    pub path: String,
    /// The volume's name.
    pub volume: String,
    /// Whether the volume outlives the pod (a claim, a claim template).
    pub persistent: bool,
    /// Read-only (ConfigMaps always are).
    pub read_only: bool,
}

/// The headless Service named by the StatefulSet's `serviceName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFact {
    /// `spec.serviceName`.
    pub name: String,
    /// Whether the Service exists (`None`: could not be read).
    pub exists: Option<bool>,
    /// `clusterIP: None`.
    pub headless: bool,
    /// `publishNotReadyAddresses: true`.
    pub publishes_not_ready: bool,
}

/// A four-letter word something in the pod template or kubectl-zk needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeededWord {
    /// The word (`ruok`).
    pub word: String,
    /// Who needs it (`the readiness probe`).
    pub by: String,
    /// Whether a refusal breaks the pod (a probe) rather than a tool.
    pub probe: bool,
}

/// What the lints know about the ensemble besides one member's files.
#[derive(Debug, Clone)]
pub struct EnsembleFacts {
    /// StatefulSet name (pods are `<name>-<ordinal>`).
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Desired members.
    pub replicas: u32,
    /// The headless Service.
    pub service: ServiceFact,
    /// ZooKeeper 3.4 (the tutorial image): no whitelist by default, no reconfig.
    pub zookeeper_3_4: bool,
    /// Words the probes and `status` use.
    pub needed_words: Vec<NeededWord>,
    /// The container's volume mounts.
    pub mounts: Vec<MountFact>,
    /// Where zoo.cfg is read from in the container.
    pub conf_path: String,
    /// Where it comes from.
    pub source: ConfigSource,
}

/// The four-letter words `status` uses when the AdminServer is not reachable.
pub const STATUS_WORDS: &[&str] = &["srvr", "mntr", "conf"];

/// Every four-letter word ZooKeeper knows.
pub const FOUR_LETTER_WORDS: &[&str] = &[
    "conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat", "wchs", "wchc", "wchp",
    "mntr", "isro", "hash", "gtmk", "stmk", "dirs",
];

/// The four-letter words a probe command sends: the words it names, and `ruok` for the
/// tutorial image's `zookeeper-ready`.
pub fn probe_words(command: &[String]) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for part in command {
        for token in part.split(|c: char| !c.is_ascii_alphanumeric() && c != '-') {
            if FOUR_LETTER_WORDS.contains(&token) {
                words.insert(token.to_owned());
            }
            if token == "zookeeper-ready" {
                words.insert("ruok".to_owned());
            }
        }
    }
    words
}

/// The `start-zookeeper` flag that writes a zoo.cfg key.
pub fn start_flag_for(key: &str) -> Option<&'static str> {
    Some(match key {
        "clientPort" => "--client_port",
        "dataDir" => "--data_dir",
        "dataLogDir" => "--data_log_dir",
        "tickTime" => "--tick_time",
        "initLimit" => "--init_limit",
        "syncLimit" => "--sync_limit",
        "maxClientCnxns" => "--max_client_cnxns",
        "minSessionTimeout" => "--min_session_timeout",
        "maxSessionTimeout" => "--max_session_timeout",
        "autopurge.snapRetainCount" => "--snap_retain_count",
        "autopurge.purgeInteval" | "autopurge.purgeInterval" => "--purge_interval",
        _ => return None,
    })
}

impl EnsembleFacts {
    /// The pod of an ordinal.
    pub fn pod(&self, ordinal: u32) -> String {
        format!("{}-{ordinal}", self.name)
    }

    /// The pod's FQDN in `domain`.
    pub fn fqdn(&self, ordinal: u32, domain: &str) -> String {
        format!(
            "{}.{}.{}.svc.{domain}",
            self.pod(ordinal),
            self.service.name,
            self.namespace
        )
    }

    /// How to set `key=value` where the configuration comes from.
    pub fn set_fix(&self, key: &str, value: &str) -> String {
        match &self.source {
            ConfigSource::ConfigMap(name) => format!(
                "set `{key}={value}` in the zoo.cfg of ConfigMap {name} (`kubectl edit configmap {name} -n {}`), then restart the members one at a time",
                self.namespace
            ),
            ConfigSource::StartFlags => match start_flag_for(key) {
                Some(flag) => format!(
                    "pass `{flag}={value}` to start-zookeeper in StatefulSet {}'s container command",
                    self.name
                ),
                None => format!(
                    "start-zookeeper cannot write `{key}`; mount your own zoo.cfg, or move to the official image with `kubectl zk migrate`"
                ),
            },
            ConfigSource::File(path) => format!("set `{key}={value}` in {path}"),
        }
    }

    /// How to remove a line where the configuration comes from.
    fn remove_fix(&self, what: &str) -> String {
        match &self.source {
            ConfigSource::ConfigMap(name) => format!(
                "remove {what} from the zoo.cfg of ConfigMap {name} (`kubectl edit configmap {name} -n {}`)",
                self.namespace
            ),
            ConfigSource::StartFlags => format!(
                "start-zookeeper writes {what}; mount your own zoo.cfg, or move to the official image with `kubectl zk migrate`"
            ),
            ConfigSource::File(path) => format!("remove {what} from {path}"),
        }
    }

    /// The mount a path lives on (the longest mount path that contains it).
    pub fn mount_of(&self, path: &str) -> Option<&MountFact> {
        self.mounts
            .iter()
            .filter(|m| path_under(path, &m.path))
            .max_by_key(|m| m.path.trim_end_matches('/').len())
    }
}

/// Whether `path` is `dir` or inside it.
pub fn path_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// How a `server.N` host names a pod of the ensemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMatch {
    /// `<pod>.<svc>.<ns>.svc.<domain>`, with the domain.
    Fqdn(String),
    /// `<pod>.<svc>`, `<pod>.<svc>.<ns>` or `<pod>.<svc>.<ns>.svc`: resolves through the
    /// pod's DNS search path.
    Short,
}

/// Whether `host` names `pod` through the headless Service `service` in `namespace`.
pub fn host_names_pod(host: &str, pod: &str, service: &str, namespace: &str) -> Option<HostMatch> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let rest = host.strip_prefix(&format!("{pod}.{service}"))?;
    if rest.is_empty() {
        return Some(HostMatch::Short);
    }
    let rest = rest.strip_prefix(&format!(".{namespace}"))?;
    match rest {
        "" | ".svc" => Some(HostMatch::Short),
        _ => {
            let domain = rest.strip_prefix(".svc.")?;
            (!domain.is_empty()).then(|| HostMatch::Fqdn(domain.to_owned()))
        }
    }
}

/// The cluster domain the server lines use (the most common one), if any names a pod by
/// its full name.
pub fn cluster_domain(cfg: &ZooCfg, facts: &EnsembleFacts) -> Option<String> {
    let servers = cfg.server_lines().ok()?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (ordinal, server) in servers.iter().enumerate() {
        let pod = facts.pod(u32::try_from(ordinal).ok()?);
        let by_id = server
            .id
            .checked_sub(1)
            .and_then(|o| u32::try_from(o).ok())
            .map(|o| facts.pod(o));
        for pod in [Some(pod), by_id].into_iter().flatten() {
            if let Some(HostMatch::Fqdn(domain)) =
                host_names_pod(server.host(), &pod, &facts.service.name, &facts.namespace)
            {
                match counts.iter_mut().find(|(d, _)| *d == domain) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((domain, 1)),
                }
                break;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(domain, _)| domain)
}

/// Every lint on one zoo.cfg (shared by the `members` given).
pub fn lint_config(cfg: &ZooCfg, facts: &EnsembleFacts, members: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    lint_values(cfg, facts, &mut out);
    lint_servers(cfg, facts, &mut out);
    lint_whitelist(cfg, facts, &mut out);
    lint_keys(cfg, facts, &mut out);
    lint_volumes(cfg, facts, &mut out);
    lint_reconfig(cfg, facts, &mut out);
    for finding in &mut out {
        finding.members = members.to_vec();
    }
    out
}

fn lint_values(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    let invalid = |err: crate::zk::zoo_cfg::ZooCfgError, key: &str, hint: &str| {
        Finding::new(
            Severity::Error,
            "invalid-value",
            format!("{err}; ZooKeeper refuses to start"),
            facts.set_fix(key, hint),
        )
    };
    let tick = match cfg.tick_time() {
        Ok(tick) => Some(tick),
        Err(err) => {
            out.push(invalid(err, "tickTime", "2000"));
            None
        }
    };
    let ensemble = cfg.server_lines().map(|s| s.len() > 1).unwrap_or(true);
    for (key, minimum, getter) in [
        (
            "initLimit",
            5,
            ZooCfg::init_limit as fn(&ZooCfg) -> Result<Option<u32>, _>,
        ),
        ("syncLimit", 2, ZooCfg::sync_limit),
    ] {
        match getter(cfg) {
            Err(err) => out.push(invalid(err, key, &minimum.to_string())),
            Ok(None) if ensemble => out.push(Finding::new(
                Severity::Error,
                "missing-key",
                format!("{key} is not set; ZooKeeper refuses to start an ensemble without it"),
                facts.set_fix(key, &(minimum * 2).to_string()),
            )),
            Ok(Some(value)) if value < minimum => out.push(Finding::new(
                Severity::Warning,
                "limit-too-low",
                format!(
                    "{key}={value} ticks{} is below {minimum}: followers {}",
                    tick.map(|t| format!(" ({} ms)", u64::from(t) * u64::from(value)))
                        .unwrap_or_default(),
                    if key == "initLimit" {
                        "with a large snapshot cannot sync with the leader in time and keep restarting"
                    } else {
                        "drop out of the quorum on every GC pause or network hiccup"
                    }
                ),
                facts.set_fix(key, &minimum.to_string()),
            )),
            Ok(_) => {}
        }
    }
    if let Some(tick) = tick {
        let tick = u64::from(tick);
        match (cfg.min_session_timeout(), cfg.max_session_timeout()) {
            (Err(err), _) => out.push(invalid(err, "minSessionTimeout", &(2 * tick).to_string())),
            (_, Err(err)) => out.push(invalid(err, "maxSessionTimeout", &(20 * tick).to_string())),
            (Ok(min), Ok(max)) => {
                if min > max {
                    out.push(Finding::new(
                        Severity::Error,
                        "session-timeout",
                        format!(
                            "minSessionTimeout={min} is larger than maxSessionTimeout={max}; ZooKeeper refuses to start"
                        ),
                        facts.set_fix("minSessionTimeout", &(2 * tick).to_string()),
                    ));
                } else {
                    if min < 2 * tick {
                        out.push(Finding::new(
                            Severity::Warning,
                            "session-timeout",
                            format!(
                                "minSessionTimeout={min} ms is below 2 x tickTime ({} ms): a session may expire on a single missed heartbeat",
                                2 * tick
                            ),
                            facts.set_fix("minSessionTimeout", &(2 * tick).to_string()),
                        ));
                    }
                    if max > 20 * tick {
                        out.push(Finding::new(
                            Severity::Warning,
                            "session-timeout",
                            format!(
                                "maxSessionTimeout={max} ms is above 20 x tickTime ({} ms): dead clients keep their ephemeral nodes and locks that long",
                                20 * tick
                            ),
                            facts.set_fix("maxSessionTimeout", &(20 * tick).to_string()),
                        ));
                    }
                }
            }
        }
    }
    match cfg.max_client_cnxns() {
        Err(err) => out.push(invalid(err, "maxClientCnxns", "60")),
        Ok(0) => out.push(Finding::new(
            Severity::Info,
            "max-client-cnxns",
            "maxClientCnxns=0 means no limit on connections per client address: one runaway client can exhaust the server's file descriptors".into(),
            facts.set_fix("maxClientCnxns", "60"),
        )),
        Ok(_) => {}
    }
    if cfg.data_dir().is_none() {
        out.push(Finding::new(
            Severity::Error,
            "missing-key",
            "dataDir is not set; ZooKeeper refuses to start".into(),
            facts.set_fix("dataDir", "/data"),
        ));
    }
    let misspelled_purge = cfg
        .misspelled_keys()
        .iter()
        .any(|m| m.intended == "autopurge.purgeInterval");
    match cfg.autopurge_purge_interval_hours() {
        Err(err) => out.push(invalid(err, "autopurge.purgeInterval", "12")),
        Ok(0) if !misspelled_purge => out.push(Finding::new(
            Severity::Warning,
            "autopurge-off",
            "autopurge is off (autopurge.purgeInterval is 0 or unset): snapshots and transaction logs pile up until the volume is full".into(),
            facts.set_fix("autopurge.purgeInterval", "12"),
        )),
        Ok(_) => {}
    }
}

fn lint_servers(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    let servers: Vec<ServerLine> = match cfg.server_lines() {
        Ok(servers) => servers,
        Err(err) => {
            out.push(Finding::new(
                Severity::Error,
                "server-list",
                format!("{err}; ZooKeeper refuses to start"),
                facts.remove_fix("or correct that line"),
            ));
            return;
        }
    };
    let replicas = facts.replicas;
    if servers.is_empty() && cfg.dynamic_config_file().is_some() {
        out.push(Finding::new(
            Severity::Info,
            "server-list",
            format!(
                "the members are in the dynamic config file {}, which was not read",
                cfg.dynamic_config_file().unwrap_or_default()
            ),
            "compare it with `kubectl exec` by hand".into(),
        ));
        return;
    }
    if servers.is_empty() {
        if replicas > 1 {
            out.push(Finding::new(
                Severity::Error,
                "server-list",
                format!(
                    "zoo.cfg lists no server.N lines but the StatefulSet has {replicas} replicas: every member runs standalone, each with its own data"
                ),
                facts.set_fix("server.1", &format!("{}:2888:3888;2181 (one line per member)", facts.fqdn(0, "cluster.local"))),
            ));
        }
        return;
    }
    let domain = cluster_domain(cfg, facts).unwrap_or_else(|| "cluster.local".into());
    let count = u32::try_from(servers.len()).unwrap_or(u32::MAX);
    if count != replicas {
        out.push(Finding::new(
            Severity::Error,
            "server-count",
            format!(
                "zoo.cfg lists {count} servers but the StatefulSet has {replicas} replicas: {}",
                if count > replicas {
                    "the missing members count in the quorum size, so fewer failures are tolerated"
                } else {
                    "the members without a server line cannot join the quorum"
                }
            ),
            match &facts.source {
                ConfigSource::StartFlags => format!(
                    "pass `--servers={replicas}` to start-zookeeper in StatefulSet {}'s container command",
                    facts.name
                ),
                _ => format!(
                    "list server.1 to server.{replicas}, one per pod (`kubectl zk install --replicas {replicas}` renders them), or scale the StatefulSet to {count}"
                ),
            },
        ));
    }
    let ids: Vec<u64> = servers.iter().map(|s| s.id).collect();
    let expected: Vec<u64> = (1..=u64::from(count)).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    if sorted != expected {
        out.push(Finding::new(
            Severity::Error,
            "server-ids",
            format!(
                "the server ids are {}, not 1..{count}: each pod's myid is its ordinal + 1, so a member whose id has no server line cannot join",
                ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ),
            "number the server lines 1..N, server.N naming pod <name>-(N-1)".into(),
        ));
    }
    let mut wrong = Vec::new();
    for server in &servers {
        let Some(ordinal) = server.id.checked_sub(1).and_then(|o| u32::try_from(o).ok()) else {
            continue;
        };
        if ordinal >= replicas {
            continue;
        }
        let pod = facts.pod(ordinal);
        let expected_host = facts.fqdn(ordinal, &domain);
        for address in &server.addresses {
            match host_names_pod(&address.host, &pod, &facts.service.name, &facts.namespace) {
                Some(HostMatch::Fqdn(d)) if d != domain => wrong.push(format!(
                    "server.{}'s host {} uses domain {d}, the others {domain}",
                    server.id, address.host
                )),
                Some(_) => {}
                None => wrong.push(format!(
                    "server.{} names {}, not pod {pod} ({expected_host})",
                    server.id, address.host
                )),
            }
        }
    }
    if !wrong.is_empty() {
        out.push(Finding::new(
            Severity::Error,
            "server-hosts",
            format!(
                "{}: members cannot reach each other through the headless Service {}",
                wrong.join("; "),
                facts.service.name
            ),
            format!(
                "name each member by its pod's FQDN, server.N={}:2888:3888 for N = ordinal + 1",
                facts
                    .fqdn(0, &domain)
                    .replacen(&facts.pod(0), &format!("{}-<N-1>", facts.name), 1)
            ),
        ));
    }
    let voters = servers.iter().filter(|s| s.role().votes()).count();
    if let Some(warning) = quorum::even_size_warning(voters) {
        out.push(Finding::new(
            Severity::Warning,
            "even-servers",
            warning,
            format!(
                "run an odd number of members (`kubectl scale statefulset {} --replicas {}` and the server list to match)",
                facts.name,
                voters + 1
            ),
        ));
    }
    match facts.service.exists {
        Some(false) => out.push(Finding::new(
            Severity::Error,
            "headless-service",
            format!(
                "the StatefulSet's serviceName is {} but there is no such Service: the pods' host names do not resolve",
                facts.service.name
            ),
            format!(
                "create the headless Service {} (clusterIP: None, ports 2888 and 3888, selecting the pods)",
                facts.service.name
            ),
        )),
        Some(true) if !facts.service.headless => out.push(Finding::new(
            Severity::Error,
            "headless-service",
            format!(
                "Service {} has a cluster IP: pod host names like {} resolve only through a headless Service",
                facts.service.name,
                facts.fqdn(0, &domain)
            ),
            format!("recreate Service {} with clusterIP: None", facts.service.name),
        )),
        Some(true) if !facts.service.publishes_not_ready => out.push(Finding::new(
            Severity::Info,
            "headless-service",
            format!(
                "Service {} does not publish not-ready addresses: a member's name resolves only once it is Ready, so members that are starting cannot find each other (a quorum-aware readiness probe would never let them start)",
                facts.service.name
            ),
            format!(
                "set publishNotReadyAddresses: true on Service {}",
                facts.service.name
            ),
        )),
        _ => {}
    }
}

fn lint_whitelist(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    let configured = cfg.get("4lw.commands.whitelist");
    if facts.zookeeper_3_4 && configured.is_none() {
        // ZooKeeper 3.4.10 answers every word but wchc and wchp unless a whitelist is set
        // (captured: tests/fixtures/zk-3.4/README.md); kubectl-zk needs neither.
        return;
    }
    let whitelist = cfg.four_letter_whitelist();
    let mut needed: Vec<NeededWord> = facts.needed_words.clone();
    for word in STATUS_WORDS {
        needed.push(NeededWord {
            word: (*word).into(),
            by: "`kubectl zk status` without the AdminServer".into(),
            probe: false,
        });
    }
    let refused: Vec<&NeededWord> = needed
        .iter()
        .filter(|n| !whitelist.allows(&n.word))
        .collect();
    // One line that fixes everything: what the writer meant, plus what is needed.
    let mut words: BTreeSet<String> = whitelist.intended();
    words.remove("*");
    words.extend(needed.iter().map(|n| n.word.clone()));
    let line = words.into_iter().collect::<Vec<_>>().join(",");
    if !whitelist.unmatched.is_empty() {
        out.push(Finding::new(
            Severity::Warning,
            "4lw-whitelist",
            format!(
                "4lw.commands.whitelist has entries with spaces inside ({}); ZooKeeper splits on commas only, so they enable nothing",
                whitelist.unmatched.join(", ")
            ),
            facts.set_fix("4lw.commands.whitelist", &line),
        ));
    }
    if refused.is_empty() {
        return;
    }
    for probe in [true, false] {
        let these: Vec<&&NeededWord> = refused.iter().filter(|n| n.probe == probe).collect();
        if these.is_empty() {
            continue;
        }
        let mut what: Vec<String> = these
            .iter()
            .map(|n| format!("{} ({})", n.word, n.by))
            .collect();
        what.dedup();
        out.push(Finding::new(
            if probe {
                Severity::Error
            } else {
                Severity::Warning
            },
            "4lw-whitelist",
            format!(
                "the four-letter-word whitelist ({}) refuses {}{}",
                configured.unwrap_or("unset: srvr only"),
                what.join(", "),
                if probe {
                    ": the probe fails and the pod is never Ready or keeps restarting"
                } else {
                    ""
                }
            ),
            facts.set_fix("4lw.commands.whitelist", &line),
        ));
    }
}

fn lint_keys(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    for m in cfg.misspelled_keys() {
        let value = cfg.get(&m.found).unwrap_or_default().to_owned();
        let known = KNOWN_MISSPELLINGS
            .iter()
            .any(|(wrong, _)| *wrong == m.found);
        let (check, why) = if m.intended == "autopurge.purgeInterval" {
            (
                "misspelled-key",
                "so autopurge is silently off: snapshots and transaction logs pile up until the volume is full",
            )
        } else if known {
            ("misspelled-key", "so the setting has no effect")
        } else {
            (
                "key-case",
                "ZooKeeper's keys are case-sensitive, so the setting has no effect",
            )
        };
        let fix = match (&facts.source, m.intended) {
            (ConfigSource::StartFlags, "autopurge.purgeInterval") => format!(
                "the image's start-zookeeper always writes this misspelling; purge with a CronJob running `zkCleanup.sh -n 3` against {}, mount your own zoo.cfg with `autopurge.purgeInterval={value}`, or move to the official image with `kubectl zk migrate`",
                facts.conf_path
            ),
            _ => facts.set_fix(m.intended, &value).replacen(
                "set `",
                &format!("replace line {} `{}={value}` by `", m.line, m.found),
                1,
            ),
        };
        out.push(Finding::new(
            Severity::Warning,
            check,
            format!(
                "line {}: `{}` is not a ZooKeeper setting (meant: `{}`), {why}",
                m.line, m.found, m.intended
            ),
            fix,
        ));
    }
    for d in cfg.duplicate_keys() {
        let values: BTreeSet<&str> = cfg
            .entries()
            .filter(|e| e.key == d.key)
            .map(|e| e.value)
            .collect();
        let last = d.lines.last().copied().unwrap_or(0);
        out.push(Finding::new(
            Severity::Warning,
            "duplicate-key",
            format!(
                "`{}` is set on lines {}{}; ZooKeeper uses the last one (line {last}: `{}`)",
                d.key,
                d.lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                if values.len() > 1 {
                    " with different values"
                } else {
                    ""
                },
                cfg.get(&d.key).unwrap_or_default()
            ),
            facts.remove_fix(&format!("all but one `{}` line", d.key)),
        ));
    }
    match cfg.autopurge_snap_retain_count() {
        Ok(n) if n < crate::zk::zoo_cfg::MIN_SNAP_RETAIN_COUNT => out.push(Finding::new(
            Severity::Info,
            "snap-retain-count",
            format!("autopurge.snapRetainCount={n} is below 3; ZooKeeper keeps 3 anyway"),
            facts.set_fix("autopurge.snapRetainCount", "3"),
        )),
        Err(err) => out.push(Finding::new(
            Severity::Error,
            "invalid-value",
            format!("{err}; ZooKeeper refuses to start"),
            facts.set_fix("autopurge.snapRetainCount", "3"),
        )),
        Ok(_) => {}
    }
}

fn lint_volumes(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    let persistent: Vec<&str> = facts
        .mounts
        .iter()
        .filter(|m| m.persistent)
        .map(|m| m.path.as_str())
        .collect();
    let on_volume = |path: &str| facts.mount_of(path).is_some_and(|m| m.persistent);
    let volumes = if persistent.is_empty() {
        "no persistent volume is mounted".to_owned()
    } else {
        format!("the data volume is at {}", persistent.join(", "))
    };
    if let Some(dir) = cfg.data_dir()
        && !on_volume(dir)
    {
        out.push(Finding::new(
            Severity::Error,
            "data-dir-volume",
            format!(
                "dataDir={dir} is not on a persistent volume ({volumes}): snapshots and myid are lost when the pod is recreated"
            ),
            facts.set_fix(
                "dataDir",
                persistent.first().map_or("<a path on the data volume>", |p| p),
            ),
        ));
    }
    if let Some(dir) = cfg.data_log_dir()
        && !on_volume(dir)
    {
        let suggestion = persistent.first().map_or_else(
            || "<a path on the data volume>".to_owned(),
            |p| format!("{}/log", p.trim_end_matches('/')),
        );
        out.push(Finding::new(
            Severity::Error,
            "data-log-dir-volume",
            format!(
                "dataLogDir={dir} is not on a persistent volume ({volumes}): the transaction log, and with it every write since the last snapshot, is lost when the pod is recreated"
            ),
            facts.set_fix("dataLogDir", &suggestion),
        ));
    }
}

fn lint_reconfig(cfg: &ZooCfg, facts: &EnsembleFacts, out: &mut Vec<Finding>) {
    if facts.zookeeper_3_4 {
        return;
    }
    let (Ok(reconfig), Ok(standalone)) = (cfg.reconfig_enabled(), cfg.standalone_enabled()) else {
        out.push(Finding::new(
            Severity::Error,
            "invalid-value",
            "reconfigEnabled and standaloneEnabled take true or false; ZooKeeper refuses to start"
                .into(),
            facts.set_fix("reconfigEnabled", "false"),
        ));
        return;
    };
    if !reconfig {
        return;
    }
    let conf = facts.mount_of(&facts.conf_path);
    if conf.is_some_and(|m| m.read_only) {
        out.push(Finding::new(
            Severity::Error,
            "reconfig-read-only",
            format!(
                "reconfigEnabled=true makes ZooKeeper rewrite {} (it moves the server lines to a zoo.cfg.dynamic.<version> file and writes zoo.cfg.bak), but the file is on a read-only mount (volume {}): the rewrite fails",
                facts.conf_path,
                conf.map_or("", |m| m.volume.as_str())
            ),
            facts.set_fix("reconfigEnabled", "false"),
        ));
    } else if !conf.is_some_and(|m| m.persistent) {
        out.push(Finding::new(
            Severity::Warning,
            "reconfig-not-persistent",
            format!(
                "reconfigEnabled=true makes ZooKeeper rewrite {} with the current membership, but it is not on a persistent volume: a restarted member starts from the original server list",
                facts.conf_path
            ),
            facts.set_fix("reconfigEnabled", "false"),
        ));
    }
    if standalone {
        out.push(Finding::new(
            Severity::Warning,
            "reconfig-standalone",
            "reconfigEnabled=true with standaloneEnabled=true: a single server starts standalone and cannot be grown with reconfig".into(),
            facts.set_fix("standaloneEnabled", "false"),
        ));
    }
}

/// Checks one member's `myid` file against its ordinal and the server line that names it.
pub fn lint_myid(
    facts: &EnsembleFacts,
    ordinal: u32,
    cfg: &ZooCfg,
    myid_path: &str,
    myid_text: &str,
) -> Vec<Finding> {
    let pod = facts.pod(ordinal);
    let expected = u64::from(ordinal) + 1;
    let servers = cfg.server_lines().unwrap_or_default();
    let own = servers.iter().find(|s| {
        s.addresses
            .iter()
            .any(|a| host_names_pod(&a.host, &pod, &facts.service.name, &facts.namespace).is_some())
    });
    let fix = |id: u64| {
        format!(
            "`kubectl exec -n {ns} {pod} -- sh -c 'echo {id} > {myid_path}'`, then `kubectl delete pod -n {ns} {pod}` so it restarts with it",
            ns = facts.namespace
        )
    };
    let want = own.map_or(expected, |s| s.id);
    let mut out = Vec::new();
    match parse_myid(myid_text) {
        Err(err) => out.push(Finding::new(
            Severity::Error,
            "myid",
            format!("{myid_path}: {err}; ZooKeeper refuses to start in an ensemble"),
            fix(want),
        )),
        Ok(id) => {
            let id = u64::from(id.get());
            if let Some(server) = own
                && server.id != id
            {
                out.push(Finding::new(
                    Severity::Error,
                    "myid",
                    format!(
                        "{myid_path} holds {id}, but the line naming this pod is {server}: the member takes another member's identity{}",
                        if servers.iter().any(|s| s.id == id) {
                            " and the quorum counts it twice"
                        } else {
                            " that has no server line, and cannot join"
                        }
                    ),
                    fix(server.id),
                ));
            } else if id != expected {
                out.push(Finding::new(
                    Severity::Error,
                    "myid",
                    format!("{myid_path} holds {id}, expected {expected} (ordinal + 1)"),
                    fix(expected),
                ));
            }
            if own.is_some_and(|s| s.id != expected) {
                out.push(Finding::new(
                    Severity::Warning,
                    "myid",
                    format!(
                        "the server line naming {pod} has id {}, not ordinal + 1 = {expected}",
                        own.map_or(0, |s| s.id)
                    ),
                    format!(
                        "number the server lines so that server.N names {}-(N-1)",
                        facts.name
                    ),
                ));
            }
        }
    }
    for finding in &mut out {
        finding.members = vec![pod.clone()];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TUTORIAL: &str = include_str!("../../tests/fixtures/zoo-cfg/k8s-tutorial-3.4.10.cfg");
    const MESSY: &str = include_str!("../../tests/fixtures/zoo-cfg/messy.cfg");
    const CAPTURE: &str = include_str!("../../tests/fixtures/zoo-cfg/capture-server1.cfg");
    const SRVR_ONLY: &str =
        include_str!("../../tests/fixtures/zoo-cfg/capture-server2-whitelist-srvr.cfg");

    fn tutorial_facts() -> EnsembleFacts {
        EnsembleFacts {
            name: "zk".into(),
            namespace: "statef".into(),
            replicas: 3,
            service: ServiceFact {
                name: "zk-hs".into(),
                exists: Some(true),
                headless: true,
                publishes_not_ready: false,
            },
            zookeeper_3_4: true,
            needed_words: vec![NeededWord {
                word: "ruok".into(),
                by: "the readiness probe".into(),
                probe: true,
            }],
            mounts: vec![MountFact {
                path: "/var/lib/zookeeper".into(),
                volume: "datadir".into(),
                persistent: true,
                read_only: false,
            }],
            conf_path: "/opt/zookeeper/conf/zoo.cfg".into(),
            source: ConfigSource::StartFlags,
        }
    }

    fn official_facts(ns: &str) -> EnsembleFacts {
        EnsembleFacts {
            name: "zk".into(),
            namespace: ns.into(),
            replicas: 3,
            service: ServiceFact {
                name: "zk-hs".into(),
                exists: Some(true),
                headless: true,
                publishes_not_ready: true,
            },
            zookeeper_3_4: false,
            needed_words: vec![
                NeededWord {
                    word: "srvr".into(),
                    by: "the readiness probe".into(),
                    probe: true,
                },
                NeededWord {
                    word: "ruok".into(),
                    by: "the liveness probe".into(),
                    probe: true,
                },
            ],
            mounts: vec![
                MountFact {
                    path: "/data".into(),
                    volume: "datadir".into(),
                    persistent: true,
                    read_only: false,
                },
                MountFact {
                    path: "/conf".into(),
                    volume: "config".into(),
                    persistent: false,
                    read_only: true,
                },
            ],
            conf_path: "/conf/zoo.cfg".into(),
            source: ConfigSource::ConfigMap("zk-config".into()),
        }
    }

    fn checks(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.check).collect()
    }

    #[test]
    fn the_tutorial_config_has_only_the_misspelling() {
        let cfg = ZooCfg::parse(TUTORIAL);
        let findings = lint_config(&cfg, &tutorial_facts(), &["zk-0".into()]);
        assert_eq!(
            checks(&findings),
            ["headless-service", "misspelled-key"],
            "{findings:#?}"
        );
        assert_eq!(findings[0].severity, Severity::Info);
        let misspelled = &findings[1];
        assert_eq!(misspelled.severity, Severity::Warning);
        assert!(misspelled.message.contains("autopurge.purgeInteval"));
        assert!(misspelled.message.contains("autopurge is silently off"));
        assert!(misspelled.fix.contains("start-zookeeper always writes"));
        assert_eq!(misspelled.members, ["zk-0"]);
        assert_eq!(
            cluster_domain(&cfg, &tutorial_facts()).as_deref(),
            Some("cluster.local")
        );
    }

    #[test]
    fn server_hosts_count_and_ids_are_checked() {
        let mut facts = tutorial_facts();
        facts.namespace = "other".into();
        let cfg = ZooCfg::parse(TUTORIAL);
        let findings = lint_config(&cfg, &facts, &[]);
        let hosts = findings
            .iter()
            .find(|f| f.check == "server-hosts")
            .expect("hosts");
        assert!(hosts.message.contains("server.1 names zk-0.zk-hs.statef.svc.cluster.local, not pod zk-0 (zk-0.zk-hs.other.svc.cluster.local)"), "{}", hosts.message);
        facts.replicas = 5;
        let findings = lint_config(&cfg, &facts, &[]);
        let count = findings
            .iter()
            .find(|f| f.check == "server-count")
            .expect("count");
        assert_eq!(count.severity, Severity::Error);
        assert!(count.fix.contains("--servers=5"), "{}", count.fix);

        let cfg = ZooCfg::parse(
            "dataDir=/data\ninitLimit=10\nsyncLimit=5\nautopurge.purgeInterval=1\n4lw.commands.whitelist=*\n\
server.2=zk-0.zk-hs:2888:3888\nserver.3=zk-1.zk-hs.ns:2888:3888\nserver.4=zk-2.zk-hs.ns.svc:2888:3888\nserver.5=zk-3.zk-hs.ns.svc.cluster.local:2888:3888\n",
        );
        let mut facts = official_facts("ns");
        facts.replicas = 4;
        let findings = lint_config(&cfg, &facts, &[]);
        assert_eq!(
            checks(&findings),
            ["server-ids", "server-hosts", "even-servers"],
            "{findings:#?}"
        );
    }

    #[test]
    fn short_and_full_host_forms() {
        assert_eq!(
            host_names_pod("zk-0.zk-hs", "zk-0", "zk-hs", "ns"),
            Some(HostMatch::Short)
        );
        assert_eq!(
            host_names_pod("ZK-0.zk-hs.ns.svc.", "zk-0", "zk-hs", "ns"),
            Some(HostMatch::Short)
        );
        assert_eq!(
            host_names_pod("zk-0.zk-hs.ns.svc.example.org", "zk-0", "zk-hs", "ns"),
            Some(HostMatch::Fqdn("example.org".into()))
        );
        assert_eq!(
            host_names_pod("zk-0.zk-hs.other.svc.cluster.local", "zk-0", "zk-hs", "ns"),
            None
        );
        assert_eq!(host_names_pod("zk-00.zk-hs", "zk-0", "zk-hs", "ns"), None);
        assert_eq!(host_names_pod("zk-0.zk-hsx", "zk-0", "zk-hs", "ns"), None);
        assert_eq!(host_names_pod("10.0.0.1", "zk-0", "zk-hs", "ns"), None);
    }

    #[test]
    fn messy_config_findings() {
        let cfg = ZooCfg::parse(MESSY);
        let mut facts = official_facts("default");
        facts.replicas = 4;
        let findings = lint_config(&cfg, &facts, &[]);
        let all = checks(&findings);
        for check in [
            "key-case",
            "duplicate-key",
            "4lw-whitelist",
            "server-hosts",
            "autopurge-off",
        ] {
            assert!(all.contains(&check), "{check} missing: {findings:#?}");
        }
        let case = findings
            .iter()
            .find(|f| f.check == "key-case")
            .expect("case");
        assert!(
            case.message.contains("line 9: `datadir`"),
            "{}",
            case.message
        );
        assert!(
            case.fix
                .contains("replace line 9 `datadir=/wrong/case` by `dataDir=/wrong/case`"),
            "{}",
            case.fix
        );
        let dup = findings
            .iter()
            .find(|f| f.check == "duplicate-key")
            .expect("dup");
        assert!(dup.message.contains("`clientPort` is set on lines 7, 10 with different values; ZooKeeper uses the last one (line 10: `2182`)"), "{}", dup.message);
        // The whitelist "conf, mntr ruok": "mntr ruok" matches nothing, so ruok (liveness) is refused.
        let probe = findings
            .iter()
            .find(|f| f.check == "4lw-whitelist" && f.severity == Severity::Error)
            .expect("probe refusal");
        assert!(
            probe.message.contains("ruok (the liveness probe)"),
            "{}",
            probe.message
        );
        assert!(
            probe.fix.contains("4lw.commands.whitelist=conf,mntr,ruok"),
            "{}",
            probe.fix
        );
    }

    #[test]
    fn a_srvr_only_whitelist_refuses_status_and_liveness() {
        let cfg = ZooCfg::parse(SRVR_ONLY);
        let mut facts = official_facts("default");
        facts.mounts[0].path = "/tmp/zkcap".into();
        let findings = lint_config(&cfg, &facts, &[]);
        let words: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.check == "4lw-whitelist")
            .collect();
        assert_eq!(words.len(), 2, "{findings:#?}");
        assert_eq!(words[0].severity, Severity::Error);
        assert!(
            words[0]
                .message
                .contains("refuses ruok (the liveness probe)")
        );
        assert_eq!(words[1].severity, Severity::Warning);
        assert!(words[1].message.contains("mntr") && words[1].message.contains("conf"));
        assert!(
            words[1]
                .fix
                .contains("4lw.commands.whitelist=conf,mntr,ruok"),
            "{}",
            words[1].fix
        );
        // The capture's members are on loopback, not pods.
        assert!(checks(&findings).contains(&"server-hosts"));
        // A 3.4 server answers every word when no whitelist is set.
        let mut facts = tutorial_facts();
        facts.needed_words.push(NeededWord {
            word: "mntr".into(),
            by: "x".into(),
            probe: true,
        });
        assert!(
            !checks(&lint_config(&ZooCfg::parse(TUTORIAL), &facts, &[])).contains(&"4lw-whitelist")
        );
    }

    #[test]
    fn session_limits_and_connections() {
        let base = "dataDir=/data\ndataLogDir=/data/log\nautopurge.purgeInterval=1\n4lw.commands.whitelist=*\nserver.1=zk-0.zk-hs:2888:3888\nserver.2=zk-1.zk-hs:2888:3888\nserver.3=zk-2.zk-hs:2888:3888\n";
        let facts = official_facts("ns");
        let lint =
            |extra: &str| lint_config(&ZooCfg::parse(&format!("{base}{extra}")), &facts, &[]);
        assert!(lint("tickTime=2000\ninitLimit=10\nsyncLimit=5\n").is_empty());
        let f = lint(
            "tickTime=2000\ninitLimit=2\nsyncLimit=1\nminSessionTimeout=1000\nmaxSessionTimeout=90000\nmaxClientCnxns=0\n",
        );
        assert_eq!(
            checks(&f),
            [
                "limit-too-low",
                "limit-too-low",
                "session-timeout",
                "session-timeout",
                "max-client-cnxns"
            ],
            "{f:#?}"
        );
        assert!(
            f[0].message
                .contains("initLimit=2 ticks (4000 ms) is below 5"),
            "{}",
            f[0].message
        );
        assert!(f[2].message.contains("below 2 x tickTime (4000 ms)"));
        assert!(f[3].message.contains("above 20 x tickTime (40000 ms)"));
        assert!(
            f[3].fix.contains("maxSessionTimeout=40000")
                && f[3].fix.contains("ConfigMap zk-config")
        );
        assert_eq!(f[4].severity, Severity::Info);
        let f = lint("tickTime=2000\nminSessionTimeout=9000\nmaxSessionTimeout=8000\n");
        assert_eq!(
            checks(&f),
            ["missing-key", "missing-key", "session-timeout"],
            "{f:#?}"
        );
        assert!(f.iter().all(|f| f.severity == Severity::Error));
        let f = lint("tickTime=zero\ninitLimit=10\nsyncLimit=5\n");
        assert_eq!(checks(&f), ["invalid-value"], "{f:#?}");
    }

    #[test]
    fn logs_off_the_volume_and_reconfig_on_a_config_map() {
        let text = "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/data\ndataLogDir=/datalog\nautopurge.purgeInterval=1\n4lw.commands.whitelist=*\nreconfigEnabled=true\nserver.1=zk-0.zk-hs:2888:3888\nserver.2=zk-1.zk-hs:2888:3888\nserver.3=zk-2.zk-hs:2888:3888\n";
        let f = lint_config(&ZooCfg::parse(text), &official_facts("ns"), &[]);
        assert_eq!(
            checks(&f),
            [
                "data-log-dir-volume",
                "reconfig-read-only",
                "reconfig-standalone"
            ],
            "{f:#?}"
        );
        assert!(f[0].message.contains(
            "dataLogDir=/datalog is not on a persistent volume (the data volume is at /data)"
        ));
        assert!(f[0].fix.contains("dataLogDir=/data/log"));
        assert!(f[1].message.contains("read-only mount (volume config)"));
        assert_eq!(f[1].severity, Severity::Error);
        assert!(path_under("/data/log", "/data"));
        assert!(!path_under("/datalog", "/data"));
        assert!(path_under("/anything", "/"));
    }

    #[test]
    fn probe_words_are_found() {
        let cmd = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            probe_words(&cmd(&["sh", "-c", "zookeeper-ready 2181"]))
                .into_iter()
                .collect::<Vec<_>>(),
            ["ruok"]
        );
        assert_eq!(
            probe_words(&cmd(&[
                "/bin/bash",
                "-c",
                "printf srvr | nc -w 3 127.0.0.1 2181 | grep -q '^Mode: '"
            ]))
            .into_iter()
            .collect::<Vec<_>>(),
            ["srvr"]
        );
        assert!(probe_words(&cmd(&["zkServer.sh", "status"])).is_empty());
    }

    #[test]
    fn myid_against_server_lines() {
        let cfg = ZooCfg::parse(TUTORIAL);
        let facts = tutorial_facts();
        let path = "/var/lib/zookeeper/data/myid";
        assert!(lint_myid(&facts, 1, &cfg, path, "2\n").is_empty());
        let f = lint_myid(&facts, 1, &cfg, path, "7\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].members, ["zk-1"]);
        assert!(f[0].message.contains("holds 7, but the line naming this pod is server.2=zk-1.zk-hs.statef.svc.cluster.local:2888:3888"), "{}", f[0].message);
        assert!(f[0].message.contains("cannot join"));
        assert!(
            f[0].fix.contains("echo 2 > /var/lib/zookeeper/data/myid"),
            "{}",
            f[0].fix
        );
        let f = lint_myid(&facts, 1, &cfg, path, "3");
        assert!(f[0].message.contains("counts it twice"));
        let f = lint_myid(&facts, 2, &cfg, path, "");
        assert!(f[0].message.contains("empty"));
        // No server lines: only the ordinal convention.
        let f = lint_myid(&facts, 0, &ZooCfg::parse("dataDir=/d\n"), path, "4");
        assert!(f[0].message.contains("holds 4, expected 1 (ordinal + 1)"));
    }

    #[test]
    fn the_capture_is_clean_but_for_its_loopback_hosts() {
        let mut facts = official_facts("default");
        facts.mounts[0].path = "/tmp".into();
        let f = lint_config(&ZooCfg::parse(CAPTURE), &facts, &[]);
        assert_eq!(checks(&f), ["server-hosts"], "{f:#?}");
    }
}
