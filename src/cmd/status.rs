//! `status`: one view that joins Kubernetes (pods, nodes, PVCs, PDB) and ZooKeeper (mode,
//! zxid, lag, quorum) for every member.
//!
//! Gather: the StatefulSet, its pods, claims and PDB are read once; every member is asked
//! at the same time, each with its own timeout, over the best transport that works
//! (AdminServer through the pod proxy, then `srvr` over a port-forward, then `srvr` through
//! exec). Decide: pure functions over the gathered model. Render: table, wide, JSON, YAML.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};
use serde::Serialize;

use crate::cli::{GlobalOptions, StatusArgs, Via};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::openshift::{self, SCC_ANNOTATION};
use crate::cluster::zookeeper::{self, MemberTarget};
use crate::cmd::Outcome;
use crate::manifest::options::Flavor;
use crate::render::{Style, Tabular, emit, plain_table};
use crate::zk::four_letter::{self, FourLetterError, FourLetterWord};
use crate::zk::view::{Lag, ServerView};
use crate::zk::{Mode, admin, quorum};

/// A member more than this many transactions behind the leader is lagging.
pub const LAG_THRESHOLD: u64 = 1000;

/// Settings every member of an ensemble should share, as `conf` names them and as the
/// AdminServer's `configuration` command names them.
const COMPARED_SETTINGS: [(&str, &str); 5] = [
    ("clientPort", "client_port"),
    ("tickTime", "tick_time"),
    ("maxClientCnxns", "max_client_cnxns"),
    ("minSessionTimeout", "min_session_timeout"),
    ("maxSessionTimeout", "max_session_timeout"),
];

/// The whole view.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsembleStatus {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Container image.
    pub image: String,
    /// Image flavour, when known.
    pub flavor: Option<Flavor>,
    /// The version the members report.
    pub zookeeper_version: Option<String>,
    /// Members asked for.
    pub desired: u32,
    /// Members Ready in Kubernetes.
    pub ready: u32,
    /// Votes a quorum needs.
    pub quorum_size: usize,
    /// Members serving as leader or follower.
    pub serving: usize,
    /// Whether a leader has a quorum behind it.
    pub quorum_holds: bool,
    /// The leader's pod.
    pub leader: Option<String>,
    /// Followers in sync with the leader, as the leader counts them.
    pub synced_followers: Option<u64>,
    /// The PodDisruptionBudget covering the members.
    pub pdb: Option<PdbStatus>,
    /// One entry per member, by ordinal.
    pub members: Vec<MemberStatus>,
    /// Healthy, degraded or quorum lost.
    pub health: Health,
    /// What deserves attention.
    pub warnings: Vec<String>,
    /// Whether the cluster is OpenShift (then each member shows the SCC that admitted it).
    pub openshift: bool,
    /// Why the StatefulSet cannot create pods (its latest FailedCreate event), when it cannot.
    pub create_failure: Option<String>,
}

/// The PDB's view.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdbStatus {
    /// Its name.
    pub name: String,
    /// How many members may be evicted now.
    pub disruptions_allowed: i32,
    /// Healthy pods it counts.
    pub current_healthy: i32,
    /// Healthy pods it wants.
    pub desired_healthy: i32,
}

/// One member.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberStatus {
    /// Pod name.
    pub pod: String,
    /// Ordinal.
    pub ordinal: u32,
    /// Pod exists.
    pub exists: bool,
    /// Pod Ready.
    pub ready: bool,
    /// Pod phase (or Terminating).
    pub phase: String,
    /// Node it runs on.
    pub node: Option<String>,
    /// The server id it reports.
    pub myid: Option<u32>,
    /// ZooKeeper's mode, or why there is none.
    pub mode: MemberMode,
    /// What the server said about itself.
    pub server: Option<ServerView>,
    /// Lag behind the leader.
    pub lag: Option<Lag>,
    /// Its data claim.
    pub pvc: Option<String>,
    /// Whether the claim is Bound.
    pub pvc_bound: Option<bool>,
    /// How it was reached.
    pub via: Option<&'static str>,
    /// Why it could not be asked, if it could not.
    pub error: Option<String>,
    /// Four-letter words its whitelist refused.
    pub refused: Vec<String>,
    /// Followers in sync (the leader's count; `None` on other members).
    pub synced_followers: Option<u64>,
    /// The settings the server reports it runs with (from `conf` / `configuration`),
    /// compared across members to find drift.
    pub settings: BTreeMap<String, String>,
    /// The OpenShift SCC that admitted the pod (`openshift.io/scc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scc: Option<String>,
}

/// A member's mode as `status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberMode {
    /// Serving, as ZooKeeper says.
    Serving(Mode),
    /// Up but not in a quorum.
    NotServing,
    /// Could not be asked (pod down, timeout, refused).
    Unreachable,
    /// No pod.
    Missing,
}

impl MemberMode {
    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            MemberMode::Serving(mode) => mode.as_str(),
            MemberMode::NotServing => "not serving",
            MemberMode::Unreachable => "unreachable",
            MemberMode::Missing => "missing",
        }
    }
}

/// Overall health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    /// Every member Ready, serving and in sync.
    Healthy,
    /// The quorum holds, but a member is down, not serving or lagging.
    Degraded,
    /// No leader with a quorum: ZooKeeper refuses writes.
    QuorumLost,
}

/// Runs `status`.
pub async fn run(global: &GlobalOptions, args: StatusArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let style = Style::new(global.color);
    if args.all_namespaces {
        let ensembles = ensemble::list_all(&connection.client).await?;
        let statuses = join_all(
            ensembles
                .into_iter()
                .map(|e| gather(&connection.client, e, args.via, args.member_timeout)),
        )
        .await;
        let statuses: Vec<EnsembleStatus> = statuses.into_iter().collect::<anyhow::Result<_>>()?;
        let worst = statuses.iter().map(|s| s.health).max_by_key(|h| *h as u8);
        emit(&AllNamespaces(statuses), args.output.output, style)?;
        return Ok(outcome(worst.unwrap_or(Health::Healthy)));
    }
    let found = ensemble::find(
        &connection.client,
        &connection.namespace,
        args.ensemble.name.as_ref(),
    )
    .await?;
    let status = gather(&connection.client, found, args.via, args.member_timeout).await?;
    emit(&status, args.output.output, style)?;
    Ok(outcome(status.health))
}

fn outcome(health: Health) -> Outcome {
    match health {
        Health::Healthy => Outcome::Ok,
        Health::Degraded | Health::QuorumLost => Outcome::CheckFailed,
    }
}

/// Reads everything about one ensemble and decides its health.
pub async fn gather(
    client: &Client,
    ensemble: Ensemble,
    via: Option<Via>,
    member_timeout: Duration,
) -> anyhow::Result<EnsembleStatus> {
    let ns = ensemble.namespace.clone();
    let selector = ensemble.pod_selector();
    let pods_api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let pvc_api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let pdb_api: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), &ns);
    let params = ListParams::default().labels(&selector);
    let everything = ListParams::default();
    let events_api: Api<Event> = Api::namespaced(client.clone(), &ns);
    let sts_events =
        ListParams::default().fields(&format!("involvedObject.name={}", ensemble.name));
    let (pods, pvcs, pdbs, openshift) = futures::join!(
        pods_api.list(&params),
        pvc_api.list(&everything),
        pdb_api.list(&everything),
        openshift::detect(client),
    );
    let pods = pods
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot list pods in namespace {ns}")))?;
    let pvcs = pvcs.map(|l| l.items).unwrap_or_default();
    let pdbs = pdbs.map(|l| l.items).unwrap_or_default();
    let pods: BTreeMap<String, Pod> = pods
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name.clone().map(|n| (n, p)))
        .collect();

    let desired = ensemble.replicas();
    let templates = ensemble.claim_templates();
    let probes = (0..desired).map(|ordinal| {
        let pod_name = format!("{}-{ordinal}", ensemble.name);
        let pod = pods.get(&pod_name).cloned();
        let target = MemberTarget {
            namespace: ns.clone(),
            pod: pod_name.clone(),
            container: Some(ensemble.container.clone()),
        };
        let flavor = ensemble.flavor;
        let pvc = templates.first().map(|t| format!("{t}-{pod_name}"));
        let pvc_bound = pvc.as_ref().and_then(|name| {
            pvcs.iter()
                .find(|c| c.metadata.name.as_deref() == Some(name))
                .map(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        });
        async move {
            let mut member = member_from_pod(&pod_name, ordinal, pod.as_ref());
            member.pvc = pvc;
            member.pvc_bound = pvc_bound;
            if member.phase == "Running" {
                match tokio::time::timeout(member_timeout, probe(client, &target, flavor, via))
                    .await
                {
                    Ok(answer) => answer.apply(&mut member),
                    Err(_) => {
                        member.mode = MemberMode::Unreachable;
                        member.error = Some(format!(
                            "no answer within {}s",
                            member_timeout.as_secs_f64()
                        ));
                    }
                }
            }
            member
        }
    });
    // Only when a pod is missing do the StatefulSet's events matter (why it cannot create
    // pods); they are read while the members are asked.
    let missing =
        (0..desired).any(|ordinal| !pods.contains_key(&format!("{}-{ordinal}", ensemble.name)));
    let failed_create = async {
        if missing {
            events_api
                .list(&sts_events)
                .await
                .ok()
                .and_then(|list| latest_failed_create(list.items))
        } else {
            None
        }
    };
    let (members, failed_create) = futures::join!(join_all(probes), failed_create);
    let pdb = pdbs
        .iter()
        .find(|pdb| pdb_selects(pdb, pods.values().next()))
        .map(pdb_status);
    let service_account = ensemble
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.service_account_name.clone())
        .unwrap_or_else(|| "default".into());
    let mut status = decide(&ensemble, members, pdb);
    status.openshift = openshift.unwrap_or(false);
    status.create_failure = failed_create;
    if let Some(failure) = &status.create_failure {
        status.warnings.push(format!(
            "statefulset {} cannot create pods: {failure}",
            ensemble.name
        ));
        status
            .warnings
            .extend(create_failure_fix(failure, &ns, &service_account));
    }
    Ok(status)
}

/// The newest FailedCreate event's message.
fn latest_failed_create(mut events: Vec<Event>) -> Option<String> {
    events.retain(|e| {
        e.reason.as_deref() == Some("FailedCreate")
            && e.involved_object.kind.as_deref() == Some("StatefulSet")
    });
    events.sort_by_key(|e| {
        e.last_timestamp
            .clone()
            .or(e.event_time.clone().map(|t| Time(t.0)))
    });
    events.pop().and_then(|e| e.message)
}

/// What to do about a FailedCreate, when its cause is known.
fn create_failure_fix(message: &str, namespace: &str, account: &str) -> Option<String> {
    if message.contains("unable to validate against any security context constraint") {
        return Some(format!(
            "fix: ServiceAccount {account} may not use an SCC that allows the pods' security context; have an admin run `{}` (or run `kubectl zk install`, which makes that grant when you may), or install with --scc restricted",
            openshift::admin_command(openshift::ANYUID, namespace, account)
        ));
    }
    if message.contains("serviceaccount") && message.contains("not found") {
        return Some(format!(
            "fix: create ServiceAccount {account} in namespace {namespace} (kubectl create serviceaccount {account} -n {namespace})"
        ));
    }
    None
}

fn member_from_pod(name: &str, ordinal: u32, pod: Option<&Pod>) -> MemberStatus {
    let mut member = MemberStatus {
        pod: name.to_owned(),
        ordinal,
        exists: pod.is_some(),
        ready: false,
        phase: "Missing".into(),
        node: None,
        myid: None,
        mode: MemberMode::Missing,
        server: None,
        lag: None,
        pvc: None,
        pvc_bound: None,
        via: None,
        error: None,
        refused: Vec::new(),
        synced_followers: None,
        settings: BTreeMap::new(),
        scc: None,
    };
    let Some(pod) = pod else { return member };
    member.scc = pod.annotations().get(SCC_ANNOTATION).cloned();
    let status = pod.status.as_ref();
    member.phase = if pod.metadata.deletion_timestamp.is_some() {
        "Terminating".into()
    } else {
        status
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Pending".into())
    };
    member.node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    member.ready = pod_is_ready(pod);
    member.mode = MemberMode::Unreachable;
    if member.phase != "Running" {
        member.error = pending_reason(pod);
    }
    member
}

/// Whether the pod's Ready condition is True.
pub fn pod_is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Why a pod is not running: the scheduler's message, a waiting reason.
fn pending_reason(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    if let Some(c) = status.conditions.as_ref().and_then(|c| {
        c.iter()
            .find(|c| c.type_ == "PodScheduled" && c.status == "False")
    }) {
        return Some(format!(
            "{}: {}",
            c.reason.as_deref().unwrap_or("Unschedulable"),
            c.message.as_deref().unwrap_or_default()
        ));
    }
    status
        .container_statuses
        .as_ref()?
        .iter()
        .find_map(|c| c.state.as_ref()?.waiting.as_ref())
        .map(|w| {
            format!(
                "{}: {}",
                w.reason.as_deref().unwrap_or("Waiting"),
                w.message.as_deref().unwrap_or_default()
            )
        })
}

fn pdb_selects(pdb: &PodDisruptionBudget, pod: Option<&Pod>) -> bool {
    let (Some(pod_labels), Some(wanted)) = (
        pod.and_then(|p| p.metadata.labels.as_ref()),
        pdb.spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .and_then(|s| s.match_labels.as_ref()),
    ) else {
        return false;
    };
    wanted.iter().all(|(k, v)| pod_labels.get(k) == Some(v))
}

fn pdb_status(pdb: &PodDisruptionBudget) -> PdbStatus {
    let status = pdb.status.as_ref();
    PdbStatus {
        name: pdb.metadata.name.clone().unwrap_or_default(),
        disruptions_allowed: status.map(|s| s.disruptions_allowed).unwrap_or(0),
        current_healthy: status.map(|s| s.current_healthy).unwrap_or(0),
        desired_healthy: status.map(|s| s.desired_healthy).unwrap_or(0),
    }
}

/// What one member answered.
#[derive(Debug, Default)]
struct Answer {
    via: Option<&'static str>,
    server: Option<ServerView>,
    not_serving: bool,
    synced_followers: Option<u64>,
    myid: Option<u32>,
    settings: BTreeMap<String, String>,
    refused: Vec<String>,
    errors: Vec<String>,
}

impl Answer {
    fn apply(self, member: &mut MemberStatus) {
        member.via = self.via;
        member.myid = self.myid;
        member.settings = self.settings;
        member.refused = self.refused;
        if let Some(server) = self.server {
            member.mode = MemberMode::Serving(server.mode);
            member.server = Some(server);
        } else if self.not_serving {
            member.mode = MemberMode::NotServing;
        } else {
            member.mode = MemberMode::Unreachable;
            member.error = Some(self.errors.join("; "));
        }
        member.synced_followers = self.synced_followers;
    }
}

/// Asks one member, trying transports in order of preference.
async fn probe(
    client: &Client,
    target: &MemberTarget,
    flavor: Option<Flavor>,
    via: Option<Via>,
) -> Answer {
    let order: &[Via] = match (via, flavor) {
        (Some(Via::Proxy), _) => &[Via::Proxy],
        (Some(Via::PortForward), _) => &[Via::PortForward],
        (Some(Via::Exec), _) => &[Via::Exec],
        // ZooKeeper 3.4 has no AdminServer.
        (None, Some(Flavor::K8sTutorial)) => &[Via::PortForward, Via::Exec],
        (None, _) => &[Via::Proxy, Via::PortForward, Via::Exec],
    };
    let mut errors = Vec::new();
    for transport in order {
        let result = match transport {
            Via::Proxy => ask_admin(client, target).await,
            Via::PortForward | Via::Exec => ask_four_letter(client, target, *transport).await,
        };
        match result {
            Ok(mut answer) => {
                answer.errors = errors;
                return answer;
            }
            Err(err) => errors.push(format!("{}: {err:#}", transport_name(*transport))),
        }
    }
    Answer {
        errors,
        ..Answer::default()
    }
}

fn transport_name(via: Via) -> &'static str {
    match via {
        Via::Proxy => "proxy",
        Via::PortForward => "port-forward",
        Via::Exec => "exec",
    }
}

async fn ask_admin(client: &Client, target: &MemberTarget) -> anyhow::Result<Answer> {
    let mut answer = Answer {
        via: Some("proxy"),
        ..Answer::default()
    };
    let body = zookeeper::admin_command(client, target, "srvr").await?;
    match admin::parse_srvr(&body) {
        Ok(reply) => answer.server = Some(ServerView::from(&reply)),
        Err(admin::AdminError::NotServing { .. }) => answer.not_serving = true,
        Err(err) => return Err(err.into()),
    }
    let (conf, monitor) = futures::join!(
        zookeeper::admin_command(client, target, "configuration"),
        async {
            if answer
                .server
                .as_ref()
                .is_some_and(|s| s.mode == Mode::Leader)
            {
                Some(zookeeper::admin_command(client, target, "monitor").await)
            } else {
                None
            }
        }
    );
    let conf = conf
        .ok()
        .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok());
    if let Some(conf) = conf {
        answer.myid = conf["server_id"]
            .as_u64()
            .and_then(|id| u32::try_from(id).ok());
        for (key, json_key) in COMPARED_SETTINGS {
            if let Some(value) = conf.get(json_key).filter(|v| !v.is_null()) {
                let text = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                answer.settings.insert(key.to_owned(), text);
            }
        }
    }
    if let Some(Ok(body)) = monitor {
        answer.synced_followers = admin::parse_monitor(&body)
            .ok()
            .and_then(|m| m.synced_followers().ok().flatten());
    }
    Ok(answer)
}

async fn ask_four_letter(
    client: &Client,
    target: &MemberTarget,
    via: Via,
) -> anyhow::Result<Answer> {
    let ask = |word| async move {
        match via {
            Via::Exec => zookeeper::four_letter_exec(client, target, word).await,
            _ => zookeeper::four_letter_port_forward(client, target, word).await,
        }
    };
    let mut answer = Answer {
        via: Some(transport_name(via)),
        ..Answer::default()
    };
    // One after the other: `srvr` counts the connections open while it answers.
    let srvr = ask(FourLetterWord::Srvr).await;
    let conf = ask(FourLetterWord::Conf).await;
    match four_letter::parse_srvr(&srvr?) {
        Ok(srvr) => answer.server = Some(ServerView::from(&srvr)),
        Err(FourLetterError::NotServing) => answer.not_serving = true,
        Err(err) => return Err(err.into()),
    }
    match conf.map(|text| four_letter::parse_conf(&text)) {
        Ok(Ok(conf)) => {
            answer.myid = conf.server_id().ok().and_then(|id| u32::try_from(id).ok());
            for (key, _) in COMPARED_SETTINGS {
                if let Some(value) = conf.get(key) {
                    answer.settings.insert(key.to_owned(), value.to_owned());
                }
            }
        }
        Ok(Err(FourLetterError::NotInWhitelist { command })) => answer.refused.push(command),
        _ => {}
    }
    if answer
        .server
        .as_ref()
        .is_some_and(|s| s.mode == Mode::Leader)
    {
        match ask(FourLetterWord::Mntr)
            .await
            .map(|text| four_letter::parse_mntr(&text))
        {
            Ok(Ok(metrics)) => answer.synced_followers = metrics.synced_followers().ok().flatten(),
            Ok(Err(FourLetterError::NotInWhitelist { command })) => answer.refused.push(command),
            _ => {}
        }
    }
    Ok(answer)
}

/// Decides quorum, lag, health and warnings from what was gathered. Pure.
pub fn decide(
    ensemble: &Ensemble,
    mut members: Vec<MemberStatus>,
    pdb: Option<PdbStatus>,
) -> EnsembleStatus {
    let desired = ensemble.replicas();
    let voters = desired as usize;
    let leader = members
        .iter()
        .find(|m| m.mode == MemberMode::Serving(Mode::Leader))
        .map(|m| {
            (
                m.pod.clone(),
                m.server.as_ref().and_then(|s| s.zxid),
                m.synced_followers,
            )
        });
    let serving = members
        .iter()
        .filter(|m| {
            matches!(
                m.mode,
                MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
            )
        })
        .count();
    let standalone = voters == 1 && serving == 1;
    let quorum_holds = (leader.is_some() || standalone) && quorum::has_quorum(voters, serving);
    if let Some((_, Some(leader_zxid), _)) = &leader {
        for member in &mut members {
            if let Some(zxid) = member.server.as_ref().and_then(|s| s.zxid) {
                member.lag = Some(Lag::between(*leader_zxid, zxid));
            }
        }
    }
    let mut warnings = Vec::new();
    warnings.extend(quorum::even_size_warning(voters));
    for member in &members {
        match member.mode {
            MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone) => {}
            MemberMode::Serving(mode) => {
                warnings.push(format!("{} is {} and does not vote", member.pod, mode))
            }
            _ => warnings.push(format!(
                "{} is not in the quorum ({}){}",
                member.pod,
                member.mode.word(),
                member
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )),
        }
        if member.lag.is_some_and(|lag| lag.is_lagging(LAG_THRESHOLD)) {
            warnings.push(format!(
                "{} lags the leader by {} transactions",
                member.pod,
                member.lag.map(|l| l.to_string()).unwrap_or_default()
            ));
        }
        if let (Some(myid), MemberMode::Serving(_)) = (member.myid, member.mode)
            && myid != member.ordinal + 1
        {
            warnings.push(format!(
                "{} reports myid {myid}, expected {} (ordinal + 1); see `kubectl zk myid`",
                member.pod,
                member.ordinal + 1
            ));
        }
        if member.pvc_bound == Some(false) {
            warnings.push(format!(
                "{}'s claim {} is not Bound",
                member.pod,
                member.pvc.as_deref().unwrap_or("?")
            ));
        }
    }
    warnings.extend(settings_drift(&members));
    let mut refused: Vec<&str> = members
        .iter()
        .flat_map(|m| m.refused.iter().map(String::as_str))
        .collect();
    refused.sort_unstable();
    refused.dedup();
    if !refused.is_empty() {
        warnings.push(format!(
            "the four-letter-word whitelist refuses {}; add them to zoo.cfg: 4lw.commands.whitelist=srvr,stat,mntr,conf,ruok",
            refused.join(", ")
        ));
    }
    let versions: Vec<String> = members
        .iter()
        .filter_map(|m| m.server.as_ref().map(|s| s.version.to_string()))
        .collect();
    let zookeeper_version = versions.first().map(|v| {
        crate::zk::Version::new(v)
            .number()
            .map(|n| n.to_string())
            .unwrap_or_else(|| v.clone())
    });
    let all_well = members.len() == desired as usize
        && members.iter().all(|m| {
            m.ready
                && matches!(
                    m.mode,
                    MemberMode::Serving(
                        Mode::Leader | Mode::Follower | Mode::Standalone | Mode::Observer
                    )
                )
                && !m.lag.is_some_and(|l| l.is_lagging(LAG_THRESHOLD))
        });
    let health = if !quorum_holds {
        Health::QuorumLost
    } else if all_well {
        Health::Healthy
    } else {
        Health::Degraded
    };
    if !quorum_holds {
        let why = if serving >= quorum::quorum_size(voters) {
            format!(
                "no member leads (an election may be under way; {serving} of {voters} still answer as followers)"
            )
        } else {
            format!(
                "{serving} of {voters} members serve, {} needed",
                quorum::quorum_size(voters)
            )
        };
        warnings.insert(
            0,
            format!("quorum lost: {why}; ZooKeeper refuses writes until a leader has a majority"),
        );
    }
    EnsembleStatus {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        image: ensemble.image.clone(),
        flavor: ensemble.flavor,
        zookeeper_version,
        desired,
        ready: members.iter().filter(|m| m.ready).count() as u32,
        quorum_size: quorum::quorum_size(voters),
        serving,
        quorum_holds,
        synced_followers: leader.as_ref().and_then(|(_, _, synced)| *synced),
        leader: leader.map(|(pod, _, _)| pod),
        pdb,
        members,
        health,
        warnings,
        openshift: false,
        create_failure: None,
    }
}

/// Settings that differ between members, one warning per setting.
fn settings_drift(members: &[MemberStatus]) -> Vec<String> {
    let mut values: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for member in members {
        for (key, value) in &member.settings {
            values
                .entry(key)
                .or_default()
                .entry(value)
                .or_default()
                .push(&member.pod);
        }
    }
    values
        .into_iter()
        .filter(|(_, by_value)| by_value.len() > 1)
        .map(|(key, by_value)| {
            let spread: Vec<String> = by_value
                .iter()
                .map(|(value, pods)| format!("{value} on {}", pods.join(", ")))
                .collect();
            format!(
                "config drift: {key} is {}; roll the members (kubectl zk install) so they agree",
                spread.join(" but ")
            )
        })
        .collect()
}

impl Tabular for EnsembleStatus {
    fn table(&self, style: Style, wide: bool) -> String {
        let health = match self.health {
            Health::Healthy => style.good("HEALTHY"),
            Health::Degraded => style.warn("DEGRADED"),
            Health::QuorumLost => style.bad("QUORUM LOST"),
        };
        let mut text = format!(
            "Ensemble {} in namespace {}: {health}\nImage {}{}\nMembers {}/{} ready, quorum {} of {}: {}, leader {}, synced followers {}, PDB {}\n\n",
            style.bold(&self.ensemble),
            self.namespace,
            self.image,
            self.zookeeper_version
                .as_deref()
                .map(|v| format!(" (ZooKeeper {v})"))
                .unwrap_or_default(),
            self.ready,
            self.desired,
            self.quorum_size,
            self.desired,
            if self.quorum_holds {
                style.good("holds")
            } else {
                style.bad("LOST")
            },
            self.leader.as_deref().unwrap_or("none"),
            self.synced_followers
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            self.pdb
                .as_ref()
                .map(|p| format!("{} allows {} disruption(s)", p.name, p.disruptions_allowed))
                .unwrap_or_else(|| "none".into()),
        );
        if self.openshift {
            // The header ends with an empty line; the platform goes before it.
            text.pop();
            text.push_str("Platform OpenShift (SCC per member below)\n\n");
        }
        let mut header = vec!["POD", "READY", "STATUS", "NODE"];
        if self.openshift {
            header.push("SCC");
        }
        header.extend(["MYID", "MODE", "ZXID", "LAG"]);
        if wide {
            header.extend(["OUTSTANDING", "LATENCY", "CONNECTIONS", "ZNODES", "VIA"]);
        }
        header.push("PVC");
        let rows = self
            .members
            .iter()
            .map(|m| {
                let dash = || "-".to_owned();
                let server = m.server.as_ref();
                let mode = match m.mode {
                    MemberMode::Serving(Mode::Leader) => style.bold("leader"),
                    MemberMode::Serving(_) => m.mode.word().to_owned(),
                    _ => style.bad(m.mode.word()),
                };
                let mut row = vec![
                    m.pod.clone(),
                    if m.ready { "1/1".into() } else { "0/1".into() },
                    m.phase.clone(),
                    m.node.clone().unwrap_or_else(dash),
                ];
                if self.openshift {
                    row.push(m.scc.clone().unwrap_or_else(dash));
                }
                row.extend([
                    m.myid.map(|n| n.to_string()).unwrap_or_else(dash),
                    mode,
                    server
                        .and_then(|s| s.zxid)
                        .map(|z| z.to_string())
                        .unwrap_or_else(dash),
                    m.lag.map(|l| l.to_string()).unwrap_or_else(dash),
                ]);
                if wide {
                    row.extend([
                        server
                            .and_then(|s| s.outstanding)
                            .map(|n| n.to_string())
                            .unwrap_or_else(dash),
                        server
                            .map(|s| format!("{:.1}ms", s.avg_latency_ms))
                            .unwrap_or_else(dash),
                        server
                            .and_then(|s| s.connections)
                            .map(|n| n.to_string())
                            .unwrap_or_else(dash),
                        server
                            .map(|s| s.node_count.to_string())
                            .unwrap_or_else(dash),
                        m.via.map(str::to_owned).unwrap_or_else(dash),
                    ]);
                }
                row.push(match (&m.pvc, m.pvc_bound) {
                    (Some(name), Some(true)) => format!("{name} (Bound)"),
                    (Some(name), Some(false)) => format!("{name} (not Bound)"),
                    (Some(name), None) => format!("{name} (missing)"),
                    (None, _) => "-".into(),
                });
                row
            })
            .collect();
        text.push_str(&plain_table(&header, rows));
        for warning in &self.warnings {
            text.push_str(&format!("{} {warning}\n", style.warn("Warning:")));
        }
        text
    }
}

/// `status -A`: one line per ensemble.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AllNamespaces(pub Vec<EnsembleStatus>);

impl Tabular for AllNamespaces {
    fn table(&self, style: Style, _wide: bool) -> String {
        if self.0.is_empty() {
            return "No ZooKeeper ensembles found.\n".into();
        }
        let rows = self
            .0
            .iter()
            .map(|s| {
                vec![
                    s.namespace.clone(),
                    s.ensemble.clone(),
                    format!("{}/{}", s.ready, s.desired),
                    s.leader.clone().unwrap_or_else(|| "-".into()),
                    match s.health {
                        Health::Healthy => style.good("healthy"),
                        Health::Degraded => style.warn("degraded"),
                        Health::QuorumLost => style.bad("quorum lost"),
                    },
                    s.image.clone(),
                ]
            })
            .collect();
        plain_table(
            &[
                "NAMESPACE",
                "ENSEMBLE",
                "READY",
                "LEADER",
                "HEALTH",
                "IMAGE",
            ],
            rows,
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::zk::{Version, Zxid};

    /// An ensemble of `replicas` members (official image), for tests.
    pub(crate) fn ensemble(replicas: i32) -> Ensemble {
        let sts: k8s_openapi::api::apps::v1::StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "zk", "namespace": "kafka"},
            "spec": {
                "replicas": replicas,
                "serviceName": "zk-hs",
                "selector": {"matchLabels": {"app": "zk"}},
                "template": {"spec": {"containers": [{"name": "zookeeper", "image": "zookeeper:3.9.3"}]}}
            }
        }))
        .expect("sts");
        Ensemble::from_stateful_set(sts).expect("ensemble")
    }

    /// A Running member in `mode` at `zxid`, Ready when serving, for tests.
    pub(crate) fn member(ordinal: u32, mode: MemberMode, zxid: u64) -> MemberStatus {
        let mut m = member_from_pod(&format!("zk-{ordinal}"), ordinal, None);
        m.exists = true;
        m.phase = "Running".into();
        m.ready = matches!(mode, MemberMode::Serving(_));
        m.mode = mode;
        m.myid = Some(ordinal + 1);
        m.pvc = Some(format!("datadir-zk-{ordinal}"));
        m.pvc_bound = Some(true);
        if let MemberMode::Serving(mode) = mode {
            m.server = Some(ServerView {
                version: Version::new("3.9.3-abc, built on 2024-10-01"),
                mode,
                zxid: Some(Zxid(zxid)),
                outstanding: Some(0),
                avg_latency_ms: 0.5,
                connections: Some(1),
                node_count: 5,
            });
        }
        m
    }

    /// Epoch 1, counter 0.
    pub(crate) const E: u64 = 1 << 32;

    #[test]
    fn healthy_ensemble() {
        let members = vec![
            member(0, MemberMode::Serving(Mode::Follower), E + 10),
            member(1, MemberMode::Serving(Mode::Leader), E + 10),
            member(2, MemberMode::Serving(Mode::Follower), E + 9),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Healthy, "{:?}", status.warnings);
        assert_eq!(status.leader.as_deref(), Some("zk-1"));
        assert!(status.quorum_holds);
        assert_eq!(status.quorum_size, 2);
        assert_eq!(status.members[2].lag, Some(Lag::Transactions(1)));
        assert_eq!(status.zookeeper_version.as_deref(), Some("3.9.3"));
        assert!(status.warnings.is_empty(), "{:?}", status.warnings);
        let table = status.table(Style::plain(), true);
        assert!(
            table.contains("HEALTHY") && table.contains("leader zk-1"),
            "{table}"
        );
        assert!(table.contains("datadir-zk-0 (Bound)"), "{table}");
    }

    #[test]
    fn one_member_down_is_degraded_with_the_reason() {
        let mut down = member(2, MemberMode::Unreachable, 0);
        down.ready = false;
        down.error = Some("no answer within 5s".into());
        let members = vec![
            member(0, MemberMode::Serving(Mode::Follower), E + 10),
            member(1, MemberMode::Serving(Mode::Leader), E + 10),
            down,
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Degraded);
        assert!(status.quorum_holds);
        assert!(status.warnings.iter().any(|w| w.contains("zk-2 is not in the quorum (unreachable): no answer within 5s")), "{:?}", status.warnings);
    }

    #[test]
    fn two_of_three_down_lose_the_quorum() {
        let members = vec![
            member(0, MemberMode::NotServing, 0),
            member(1, MemberMode::Unreachable, 0),
            member(2, MemberMode::Missing, 0),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::QuorumLost);
        assert!(!status.quorum_holds);
        assert!(
            status.warnings[0].starts_with("quorum lost: 0 of 3 members serve, 2 needed"),
            "{:?}",
            status.warnings
        );
        assert!(status.table(Style::plain(), false).contains("QUORUM LOST"));
    }

    #[test]
    fn lagging_members_and_wrong_ids_and_refusals_are_flagged() {
        let mut wrong = member(0, MemberMode::Serving(Mode::Follower), E + 5);
        wrong.myid = Some(7);
        wrong.refused = vec!["mntr".into()];
        let members = vec![
            wrong,
            member(1, MemberMode::Serving(Mode::Leader), E + 5000),
            member(2, MemberMode::Serving(Mode::Follower), E + 5000),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Degraded);
        let all = status.warnings.join("\n");
        assert!(
            all.contains("zk-0 lags the leader by 4995 transactions"),
            "{all}"
        );
        assert!(all.contains("zk-0 reports myid 7, expected 1"), "{all}");
        assert!(all.contains("whitelist refuses mntr"), "{all}");
    }

    #[test]
    fn settings_drift_is_named() {
        let mut members: Vec<MemberStatus> = (0..3)
            .map(|i| {
                member(
                    i,
                    MemberMode::Serving(if i == 1 { Mode::Leader } else { Mode::Follower }),
                    E,
                )
            })
            .collect();
        for m in &mut members {
            m.settings.insert("tickTime".into(), "2000".into());
        }
        members[2].settings.insert("tickTime".into(), "3000".into());
        let status = decide(&ensemble(3), members, None);
        assert!(
            status.warnings.iter().any(
                |w| w.contains("config drift: tickTime is 2000 on zk-0, zk-1 but 3000 on zk-2")
            ),
            "{:?}",
            status.warnings
        );
    }

    #[test]
    fn even_sizes_warn() {
        let members = (0..4)
            .map(|i| {
                member(
                    i,
                    MemberMode::Serving(if i == 0 { Mode::Leader } else { Mode::Follower }),
                    E,
                )
            })
            .collect();
        let status = decide(&ensemble(4), members, None);
        assert!(
            status
                .warnings
                .iter()
                .any(|w| w.contains("4 voting members tolerate 1 failure")),
            "{:?}",
            status.warnings
        );
    }

    #[test]
    fn json_has_the_model() {
        let members = vec![member(0, MemberMode::Serving(Mode::Standalone), E)];
        let status = decide(&ensemble(1), members, None);
        assert_eq!(status.health, Health::Healthy, "{:?}", status.warnings);
        let json = serde_json::to_value(&status).expect("json");
        assert_eq!(json["members"][0]["mode"]["serving"], "standalone");
        assert_eq!(json["health"], "healthy");
    }
}
