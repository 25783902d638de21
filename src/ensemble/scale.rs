//! Changing how many members an ensemble has, without losing the quorum or a write.
//!
//! Two methods, chosen by what the ensemble allows:
//! - **reconfig** (ZooKeeper 3.5+, installed by kubectl-zk ready for it): one server at a time,
//!   in the order of [`crate::zk::membership`] — a new member's pod starts (it joins as a
//!   non-voting follower and syncs), then `reconfig` adds it; a leaving member is removed by
//!   `reconfig` while it still runs, then its pod stops. No member restarts. After every
//!   reconfiguration the membership ZooKeeper answered is recorded in the ConfigMap, which is
//!   what members started later begin from.
//! - **rolling restart** (the seeds' 3.4.10 image, static membership): the StatefulSet takes the
//!   new `--servers` count with the `OnDelete` update strategy (so the controller restarts
//!   nothing itself); new members start with the new list; the old members are restarted one
//!   at a time, followers first and the leader last, each back in sync before the next; leaving
//!   members stop last.
//!
//! The plan is made from what runs now, so running the same command again after an
//! interruption continues where it stopped. Volumes of leaving members are kept.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Node, PersistentVolumeClaim, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde::Serialize;

use super::rolling::{self, can_lose_one, restart_order, wait_healthy};
use super::{EnsembleStatus, MemberMode};
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::zk_client::{MemberSession, Protocol};
use crate::kube::schedule::Scheduler;
use crate::kube::statefulset;
use crate::manifest::options::Flavor;
use crate::manifest::{CLIENT_PORT, DATA_VOLUME, ELECTION_PORT, MANAGER, SERVER_PORT, official};
use crate::names::EnsembleName;
use crate::zk::Mode;
use crate::zk::membership::{self, Change, Membership, Ports, ids_text, judge_change};
use crate::zk::quorum::LAG_THRESHOLD;

/// How often the cluster is asked again while waiting.
const POLL: Duration = Duration::from_millis(500);
/// How long opening a ZooKeeper session may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(15);
/// The `start-zookeeper` flag holding the member count.
const SERVERS_FLAG: &str = "--servers=";

/// How the membership changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Dynamic reconfiguration: no member restarts.
    Reconfig,
    /// The new server list rolled through the members, one restart at a time.
    RollingRestart,
}

impl Method {
    /// The words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Reconfig => "dynamic reconfiguration, no member restarts",
            Method::RollingRestart => {
                "rolling restart with the new server list (static membership: ZooKeeper 3.4)"
            }
        }
    }
}

/// What one step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Point the StatefulSet at the new server list (rolling restart only).
    UpdateTemplate,
    /// Raise the StatefulSet's replicas: the member's pod starts.
    Start,
    /// `reconfig -add`.
    Add,
    /// `reconfig -remove`.
    Remove,
    /// Move leadership off a leaving member: restart it with the server list it has, so the
    /// others elect one of the members that stay (rolling restart only).
    MoveLeadership,
    /// Restart every member that stays and runs an older template, one at a time, followers
    /// first and the leader last, each back in sync before the next (rolling restart only).
    Roll,
    /// Lower the StatefulSet's replicas: the member's pod stops (its volume is kept).
    Stop,
    /// Delete the member's volume claim (`--delete-data`).
    DeleteVolume,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// What it does.
    pub action: Action,
    /// The member's pod, when the step is about one.
    pub pod: Option<String>,
    /// Its server id.
    pub server: Option<u64>,
    /// The server count the step rolls in (rolling restart only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<u32>,
    /// In words.
    pub detail: String,
}

/// A plan: the steps from what runs now to `to` members.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Members now (the StatefulSet's replicas).
    pub from: u32,
    /// Members asked for.
    pub to: u32,
    /// Voting members now, by server id.
    pub voters: Vec<u64>,
    /// How.
    pub method: Method,
    /// In order.
    pub steps: Vec<Step>,
    /// Claims of leaving members that stay (with `kubectl delete pvc` to remove them).
    pub volumes_kept: Vec<String>,
    /// Claims that `--delete-data` deletes.
    pub volumes_deleted: Vec<String>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// What the plan is made from: the ensemble, its status, and (reconfig) its membership.
pub struct Facts<'a> {
    /// The ensemble.
    pub ensemble: &'a Ensemble,
    /// Its status, gathered once.
    pub status: &'a EnsembleStatus,
    /// The membership ZooKeeper has in force (reconfig method), else `None`.
    pub membership: Option<&'a Membership>,
    /// The pods that run the StatefulSet's update revision (its template as it is now).
    pub current: &'a BTreeSet<String>,
    /// The cluster's nodes and every pod, for the scheduler's judgement of new members; `None`
    /// when they may not be read (the judgement is then left to the scheduler).
    pub cluster: Option<(&'a [Node], &'a [Pod])>,
}

/// The method the ensemble allows, or why it allows none. Pure.
pub fn method(ensemble: &Ensemble) -> Result<Method, String> {
    match ensemble.flavor {
        Some(Flavor::K8sTutorial) => Ok(Method::RollingRestart),
        Some(Flavor::Official) | None => {
            let layout = super::layout::layout(ensemble);
            if layout.conf_path == format!("{}/zoo.cfg", official::LIVE_CONF_DIR) {
                Ok(Method::Reconfig)
            } else {
                Err(format!(
                    "ensemble {} reads its configuration from {}, which ZooKeeper cannot rewrite, so its membership cannot be reconfigured; run `kubectl zk install --name {} -n {} --replicas {}` with this version of kubectl-zk first (it rolls the members, one at a time, onto a configuration ready for reconfiguration), then scale",
                    ensemble.name,
                    layout.conf_path,
                    ensemble.name,
                    ensemble.namespace,
                    ensemble.replicas()
                ))
            }
        }
    }
}

/// The server id of a member in sync now: serving, Ready, not lagging.
fn in_sync(status: &EnsembleStatus) -> BTreeSet<u64> {
    status
        .members
        .iter()
        .filter(|m| {
            m.ready
                && matches!(
                    m.mode,
                    MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
                )
                && !m.lag.is_some_and(|lag| lag.is_lagging(LAG_THRESHOLD))
        })
        .map(|m| u64::from(m.ordinal) + 1)
        .collect()
}

/// The volume claim of member `ordinal`.
fn claim(name: &str, ordinal: u32) -> String {
    format!("{DATA_VOLUME}-{name}-{ordinal}")
}

/// Plans the change to `to` members and judges every step; `Err` says why it is refused. Pure.
pub fn plan(facts: &Facts<'_>, to: u32, delete_data: bool) -> Result<Plan, String> {
    let ensemble = facts.ensemble;
    let method = method(ensemble)?;
    let from = ensemble.replicas();
    let name = EnsembleName::parse_arg(&ensemble.name).map_err(|e| e.to_string())?;
    if let Some(rolling) = statefulset::rollout_in_progress(&ensemble.stateful_set) {
        return Err(format!(
            "another rollout of the ensemble is in progress: {rolling}"
        ));
    }
    if let Some((nodes, pods)) = facts.cluster {
        schedulable(ensemble, nodes, pods, to)?;
    }
    let (voters, mut steps) = match method {
        Method::Reconfig => {
            let membership = facts
                .membership
                .ok_or_else(|| "the membership in force could not be read".to_owned())?;
            let voters = membership.voters();
            (voters.clone(), reconfig_steps(facts, &name, &voters, to)?)
        }
        Method::RollingRestart => {
            let voters: BTreeSet<u64> = (1..=u64::from(from)).collect();
            (voters, rolling_steps(facts, from, to)?)
        }
    };
    let leaving: Vec<u32> = (to..from.max(to)).rev().collect();
    let (volumes_kept, volumes_deleted) = if delete_data {
        for ordinal in &leaving {
            steps.push(Step {
                action: Action::DeleteVolume,
                pod: Some(name.pod(*ordinal)),
                server: Some(u64::from(*ordinal) + 1),
                servers: None,
                detail: format!(
                    "delete claim {} and its volume",
                    claim(&ensemble.name, *ordinal)
                ),
            });
        }
        (
            Vec::new(),
            leaving.iter().map(|o| claim(&ensemble.name, *o)).collect(),
        )
    } else {
        (
            leaving.iter().map(|o| claim(&ensemble.name, *o)).collect(),
            Vec::new(),
        )
    };
    Ok(Plan {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        from,
        to,
        voters: voters.into_iter().collect(),
        method,
        steps,
        volumes_kept,
        volumes_deleted,
    })
}

/// Whether kube-scheduler would place every member `to` adds (those without a pod yet), with the
/// same judgement as install's preflight and drain-safe; if not, why. Pure.
fn schedulable(ensemble: &Ensemble, nodes: &[Node], pods: &[Pod], to: u32) -> Result<(), String> {
    let existing: BTreeSet<&str> = pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ensemble.namespace.as_str()))
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    let new: Vec<Pod> = (0..to)
        .filter(|ordinal| !existing.contains(ensemble.pod_name(*ordinal).as_str()))
        .filter_map(|ordinal| statefulset::member_pod(&ensemble.stateful_set, ordinal))
        .collect();
    let mut scheduler = Scheduler::new(nodes, pods, None);
    for pod in &new {
        if let Some(message) = scheduler.place(pod, &[]).message {
            return Err(format!(
                "{} would stay Pending: {message} Add or uncordon nodes, free room on them, or ask for fewer members",
                pod.metadata.name.as_deref().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The reconfig steps, each judged for the quorum of both memberships.
fn reconfig_steps(
    facts: &Facts<'_>,
    name: &EnsembleName,
    voters: &BTreeSet<u64>,
    to: u32,
) -> Result<Vec<Step>, String> {
    let status = facts.status;
    let from = facts.ensemble.replicas();
    let mut available = in_sync(status);
    let mut steps = Vec::new();
    let mut membership = voters.clone();
    let mut replicas = from;
    for change in membership::changes(voters, u64::from(to)) {
        let id = change.id();
        let ordinal = u32::try_from(id - 1).map_err(|_| format!("server id {id} is too large"))?;
        let pod = name.pod(ordinal);
        let after = judge_change(&membership, change, &available).map_err(|why| {
            format!(
                "{} server.{id} ({pod}) would not keep a quorum: {why}",
                match change {
                    Change::Add(_) => "adding",
                    Change::Remove(_) => "removing",
                }
            )
        })?;
        match change {
            Change::Add(_) => {
                // Once started and added it counts for the steps after it.
                available.insert(id);
                if let Some(down) = status.members.iter().find(|m| !m.ready) {
                    return Err(format!(
                        "{} is not Ready ({}): the StatefulSet starts {pod} only when every member before it is Ready; bring {} back first",
                        down.pod, down.phase, down.pod
                    ));
                }
                if ordinal >= replicas {
                    steps.push(Step {
                        action: Action::Start,
                        pod: Some(pod.clone()),
                        server: Some(id),
                        servers: None,
                        detail: format!(
                            "StatefulSet replicas {replicas} → {}: {pod} starts with membership {} and itself, and syncs as a non-voting follower (volume {})",
                            ordinal + 1,
                            ids_text(&membership),
                            claim(name.as_str(), ordinal)
                        ),
                    });
                    replicas = ordinal + 1;
                }
                steps.push(Step {
                    action: Action::Add,
                    pod: Some(pod.clone()),
                    server: Some(id),
                    servers: None,
                    detail: format!(
                        "reconfig: add server.{id}; membership {} → {}",
                        ids_text(&membership),
                        ids_text(&after)
                    ),
                });
            }
            Change::Remove(_) => {
                steps.push(Step {
                    action: Action::Remove,
                    pod: Some(pod.clone()),
                    server: Some(id),
                    servers: None,
                    detail: format!(
                        "reconfig: remove server.{id} while it runs; membership {} → {}",
                        ids_text(&membership),
                        ids_text(&after)
                    ),
                });
            }
        }
        membership = after;
    }
    for ordinal in (to..replicas).rev() {
        let pod = name.pod(ordinal);
        steps.push(Step {
            action: Action::Stop,
            pod: Some(pod.clone()),
            server: Some(u64::from(ordinal) + 1),
            servers: None,
            detail: format!(
                "StatefulSet replicas {} → {ordinal}: {pod} stops; volume {} is kept",
                ordinal + 1,
                claim(name.as_str(), ordinal)
            ),
        });
    }
    Ok(steps)
}

/// The `--servers=` count the StatefulSet's template passes, when it passes one. Pure.
pub fn template_servers(ensemble: &Ensemble) -> Option<u32> {
    super::layout::container(ensemble)?
        .args
        .iter()
        .flatten()
        .chain(super::layout::container(ensemble)?.command.iter().flatten())
        .find_map(|a| a.strip_prefix(SERVERS_FLAG))
        .and_then(|n| n.parse().ok())
}

/// The rolling-restart steps; refused unless each member may go in turn.
///
/// Growing starts the new members with the new list, then rolls the others. Shrinking goes one
/// member at a time (k → k-1): a 3.4 server follows only a leader in its own server list, so
/// the leaving member must not lead when the others take the shorter list — if it leads, it is
/// restarted first (with the list it has) and the others elect one of themselves; then the
/// members that stay are rolled to k-1 servers and the leaving one stops.
fn rolling_steps(facts: &Facts<'_>, from: u32, to: u32) -> Result<Vec<Step>, String> {
    let ensemble = facts.ensemble;
    let status = facts.status;
    let name = &ensemble.name;
    let servers = template_servers(ensemble)
        .ok_or_else(|| format!("StatefulSet {name}'s container passes no {SERVERS_FLAG} flag"))?;
    let mut steps = Vec::new();
    let stale: Vec<String> = status
        .members
        .iter()
        .filter(|m| !facts.current.contains(&m.pod))
        .map(|m| m.pod.clone())
        .collect();
    let order_text = |keep: u32| {
        let order: Vec<String> = restart_order(status)
            .into_iter()
            .filter(|pod| {
                status
                    .members
                    .iter()
                    .any(|m| &m.pod == pod && m.ordinal < keep)
            })
            .collect();
        order.join(", ")
    };
    let update = |steps: &mut Vec<Step>, old: u32, new: u32| {
        steps.push(Step {
            action: Action::UpdateTemplate,
            pod: None,
            server: None,
            servers: Some(new),
            detail: format!(
                "StatefulSet {name}: {SERVERS_FLAG}{old} → {SERVERS_FLAG}{new}, update strategy OnDelete (kubectl-zk restarts the members itself)"
            ),
        });
    };
    let roll = |steps: &mut Vec<Step>, keep: u32| {
        steps.push(Step {
            action: Action::Roll,
            pod: None,
            server: None,
            servers: Some(keep.max(to)),
            detail: format!(
                "restart {} with {SERVERS_FLAG}{}, one at a time, followers first and the leader last, each back in sync before the next",
                order_text(keep),
                keep.max(to)
            ),
        });
    };
    if to >= from {
        if servers != to {
            update(&mut steps, servers, to);
        }
        for ordinal in from..to {
            steps.push(Step {
                action: Action::Start,
                pod: Some(format!("{name}-{ordinal}")),
                server: Some(u64::from(ordinal) + 1),
                servers: Some(to),
                detail: format!(
                    "StatefulSet replicas → {}: {name}-{ordinal} starts with {SERVERS_FLAG}{to} and joins the leader (volume {})",
                    ordinal + 1,
                    claim(name, ordinal)
                ),
            });
        }
        if servers != to || !stale.is_empty() {
            roll(&mut steps, from);
        }
    } else {
        for k in ((to + 1)..=from).rev() {
            let leaving = format!("{name}-{}", k - 1);
            let resumed = k == from && servers == k - 1;
            if !resumed {
                steps.push(Step {
                    action: Action::MoveLeadership,
                    pod: Some(leaving.clone()),
                    server: Some(u64::from(k)),
                    servers: Some(k),
                    detail: format!(
                        "if {leaving} leads then: restart it with {SERVERS_FLAG}{k} so the others elect one of the members that stay"
                    ),
                });
                update(&mut steps, k, k - 1);
            }
            roll(&mut steps, k - 1);
            steps.push(Step {
                action: Action::Stop,
                pod: Some(leaving.clone()),
                server: Some(u64::from(k)),
                servers: Some(k - 1),
                detail: format!(
                    "StatefulSet replicas {k} → {}: {leaving} stops; volume {} is kept",
                    k - 1,
                    claim(name, k - 1)
                ),
            });
        }
    }
    if steps
        .iter()
        .any(|s| matches!(s.action, Action::Roll | Action::MoveLeadership))
    {
        can_lose_one(status)?;
    } else if let Some(why) = rolling::not_back(status)
        && steps.iter().any(|s| s.action == Action::Start)
    {
        return Err(format!("the ensemble is not healthy: {why}"));
    }
    Ok(steps)
}

/// Hears what happens: a line per event.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Runs the plan's steps in order; `done` hears each step and how long it took. Each step may
/// take `timeout`. Stops at the first failure (running the command again continues).
pub async fn execute(
    client: &Client,
    plan: &Plan,
    timeout: Duration,
    progress: Progress<'_>,
    done: &mut (dyn FnMut(&Step, Duration, Vec<String>) + Send),
) -> anyhow::Result<()> {
    let password = match plan.method {
        Method::Reconfig => Some(
            crate::cluster::admin_secret::password(client, &plan.namespace, &plan.ensemble).await?,
        ),
        Method::RollingRestart => None,
    };
    let runner = Runner {
        client,
        plan,
        timeout,
        progress,
        password: password.as_deref(),
        restarted: Mutex::default(),
    };
    for (n, step) in plan.steps.iter().enumerate() {
        let started = Instant::now();
        progress(&format!("{}…", step.detail));
        super::rollout::unless_interrupted(runner.run(step), || {
            format!(
                "interrupted during step {} of {} ({}); run the same command again to continue from the membership in force",
                n + 1,
                plan.steps.len(),
                step.detail
            )
        })
        .await?;
        let restarted = runner
            .restarted
            .lock()
            .map(|mut pods| std::mem::take(&mut *pods))
            .unwrap_or_default();
        done(step, started.elapsed(), restarted);
    }
    Ok(())
}

/// What every step needs.
struct Runner<'a> {
    client: &'a Client,
    plan: &'a Plan,
    timeout: Duration,
    progress: Progress<'a>,
    password: Option<&'a str>,
    /// The pods the running step restarted, in order.
    restarted: Mutex<Vec<String>>,
}

impl Runner<'_> {
    async fn ensemble(&self) -> anyhow::Result<Ensemble> {
        let name = EnsembleName::parse_arg(&self.plan.ensemble).map_err(|e| anyhow!(e))?;
        ensemble::find(self.client, &self.plan.namespace, Some(&name)).await
    }

    fn sets(&self) -> Api<StatefulSet> {
        Api::namespaced(self.client.clone(), &self.plan.namespace)
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.plan.namespace)
    }

    async fn run(&self, step: &Step) -> anyhow::Result<()> {
        let pod = step.pod.clone().unwrap_or_default();
        let ordinal = step
            .server
            .map_or(0, |id| u32::try_from(id - 1).unwrap_or(0));
        match step.action {
            Action::UpdateTemplate => {
                self.update_template(step.servers.unwrap_or(self.plan.to))
                    .await
            }
            Action::Start => {
                self.set_replicas(ordinal + 1).await?;
                self.wait_pod(&pod, true).await?;
                if self.plan.method == Method::RollingRestart && ordinal + 1 == self.plan.to {
                    self.wait_healthy().await?;
                }
                Ok(())
            }
            Action::Add => {
                // A resumed run may add a member whose pod the first run had only started:
                // ZooKeeper commits the addition only once the new server follows the leader.
                self.wait_pod(&pod, true).await?;
                self.reconfigure(step).await
            }
            Action::Remove => self.reconfigure(step).await,
            Action::MoveLeadership => self.move_leadership(&pod).await,
            Action::Roll => self.roll(step.servers.unwrap_or(self.plan.to)).await,
            Action::Stop => {
                self.set_replicas(ordinal).await?;
                self.wait_pod(&pod, false).await?;
                self.wait_healthy().await
            }
            Action::DeleteVolume => {
                let claims: Api<PersistentVolumeClaim> =
                    Api::namespaced(self.client.clone(), &self.plan.namespace);
                let name = claim(&self.plan.ensemble, ordinal);
                match claims.delete(&name, &DeleteParams::default()).await {
                    Ok(_) => Ok(()),
                    Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
                    Err(err) => Err(anyhow!(err).context(format!(
                        "cannot delete claim {name} in namespace {}",
                        self.plan.namespace
                    ))),
                }
            }
        }
    }

    /// A healthy status that may lose one member, or why not.
    async fn may_lose_one(&self, what: &str) -> anyhow::Result<(Ensemble, EnsembleStatus)> {
        let ensemble = self.ensemble().await?;
        let status =
            super::gather(self.client, ensemble.clone(), None, Duration::from_secs(3)).await?;
        can_lose_one(&status).map_err(|why| {
            anyhow!("stopped before {what}: {why}; run the same command again once it is healthy")
        })?;
        Ok((ensemble, status))
    }

    /// Restarts `pod` while it leads (at most three times: the members that stay normally
    /// elect one of themselves while it is down).
    async fn move_leadership(&self, pod: &str) -> anyhow::Result<()> {
        for _ in 0..3 {
            let (ensemble, status) = self
                .may_lose_one(&format!("moving leadership off {pod}"))
                .await?;
            if status.leader.as_deref() != Some(pod) {
                return Ok(());
            }
            self.progress(&format!("{pod} leads; restarting it"));
            self.restart(&ensemble, pod).await?;
        }
        bail!("{pod} still leads after three restarts; run the same command again")
    }

    /// Restarts one member and waits until it is back in sync; remembers it for the report.
    async fn restart(&self, ensemble: &Ensemble, pod: &str) -> anyhow::Result<()> {
        rolling::restart_member(self.client, ensemble, pod, self.timeout, self.progress).await?;
        if let Ok(mut pods) = self.restarted.lock() {
            pods.push(pod.to_owned());
        }
        Ok(())
    }

    /// Restarts, one at a time, every member below `servers` that runs an older template:
    /// followers first, the leader last, each back in sync before the next.
    async fn roll(&self, servers: u32) -> anyhow::Result<()> {
        loop {
            let (ensemble, status) = self.may_lose_one("the next restart").await?;
            let current = self.current_revision_pods(&ensemble).await?;
            let next = restart_order(&status).into_iter().find(|pod| {
                !current.contains(pod)
                    && status
                        .members
                        .iter()
                        .any(|m| &m.pod == pod && m.ordinal < servers)
            });
            let Some(pod) = next else {
                return Ok(());
            };
            self.progress(&format!("restarting {pod}"));
            self.restart(&ensemble, &pod).await?;
        }
    }

    /// The pods on the StatefulSet's update revision, once the controller has seen the
    /// template as it is now.
    async fn current_revision_pods(&self, ensemble: &Ensemble) -> anyhow::Result<BTreeSet<String>> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let sts = self
                .sets()
                .get(&ensemble.name)
                .await
                .with_context(|| format!("cannot read StatefulSet {}", ensemble.name))?;
            let observed = sts.status.as_ref().and_then(|s| s.observed_generation);
            if observed.is_some() && observed >= sts.metadata.generation {
                let pods = self
                    .pods()
                    .list(&kube::api::ListParams::default().labels(&ensemble.pod_selector()))
                    .await
                    .with_context(|| format!("cannot list pods of {}", ensemble.name))?;
                return Ok(statefulset::pods_on_update_revision(&sts, &pods.items));
            }
            if Instant::now() >= deadline {
                bail!(
                    "the StatefulSet controller has not seen StatefulSet {}'s new template after {}s",
                    ensemble.name,
                    self.timeout.as_secs()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn set_replicas(&self, replicas: u32) -> anyhow::Result<()> {
        let patch = serde_json::json!({"spec": {"replicas": replicas}});
        self.sets()
            .patch(&self.plan.ensemble, &params(), &Patch::Merge(&patch))
            .await
            .with_context(|| {
                format!(
                    "cannot set the replicas of StatefulSet {} in namespace {}",
                    self.plan.ensemble, self.plan.namespace
                )
            })?;
        Ok(())
    }

    /// Waits until `pod` is Ready (`ready`) or gone (`!ready`).
    async fn wait_pod(&self, pod: &str, ready: bool) -> anyhow::Result<()> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let current = self.pods().get_opt(pod).await.ok().flatten();
            let reached = match (&current, ready) {
                (Some(p), true) => rolling::is_ready(p),
                (None, false) => true,
                _ => false,
            };
            if reached {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let what = if ready { "Ready" } else { "gone" };
                let state = current
                    .as_ref()
                    .map(|p| crate::kube::pod::state(p).state)
                    .unwrap_or_else(|| "absent".into());
                bail!(
                    "pod {pod} in namespace {} is not {what} after {}s (it is {state}); see `kubectl describe pod {pod} -n {}`, then run the same command again",
                    self.plan.namespace,
                    self.timeout.as_secs(),
                    self.plan.namespace
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_healthy(&self) -> anyhow::Result<()> {
        let ensemble = self.ensemble().await?;
        wait_healthy(self.client, &ensemble, self.timeout, self.progress)
            .await
            .map(|_| ())
    }

    /// The template's `--servers=` flag to the new count, and the OnDelete strategy, as one
    /// JSON patch that first tests the old value (so a concurrent change is not overwritten).
    async fn update_template(&self, servers: u32) -> anyhow::Result<()> {
        let ensemble = self.ensemble().await?;
        let spec = ensemble
            .stateful_set
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .ok_or_else(|| anyhow!("StatefulSet {} has no pod template", ensemble.name))?;
        let (index, container) = spec
            .containers
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == ensemble.container)
            .ok_or_else(|| {
                anyhow!(
                    "StatefulSet {} has no container {}",
                    ensemble.name,
                    ensemble.container
                )
            })?;
        let (field, position, old) = [("args", &container.args), ("command", &container.command)]
            .into_iter()
            .find_map(|(field, list)| {
                list.as_ref()?
                    .iter()
                    .enumerate()
                    .find_map(|(i, a)| a.starts_with(SERVERS_FLAG).then(|| (field, i, a.clone())))
            })
            .ok_or_else(|| {
                anyhow!(
                    "StatefulSet {}'s container passes no {SERVERS_FLAG} flag",
                    ensemble.name
                )
            })?;
        let path = format!("/spec/template/spec/containers/{index}/{field}/{position}");
        let patch: json_patch::Patch = serde_json::from_value(serde_json::json!([
            {"op": "test", "path": path, "value": old},
            {"op": "replace", "path": path, "value": format!("{SERVERS_FLAG}{servers}")},
            {"op": "replace", "path": "/spec/updateStrategy", "value": {"type": "OnDelete"}},
        ]))?;
        self.sets()
            .patch(&ensemble.name, &params(), &Patch::<()>::Json(patch))
            .await
            .with_context(|| format!("cannot patch StatefulSet {}", ensemble.name))?;
        Ok(())
    }

    /// One `reconfig` through a member that stays, then the new membership recorded in the
    /// ConfigMap; skipped when ZooKeeper already has it (a resumed run).
    async fn reconfigure(&self, step: &Step) -> anyhow::Result<()> {
        let id = step
            .server
            .ok_or_else(|| anyhow!("a reconfig step names no server"))?;
        let ensemble = self.ensemble().await?;
        let session = self.session(&ensemble, id).await?;
        let result = self
            .reconfigure_with(&session, &ensemble, step.action, id)
            .await;
        session.close().await;
        let text = match result {
            Ok(text) => text,
            Err(err) => {
                // The answer can be lost when leadership moves (removing the leader): ask again.
                let ensemble = self.ensemble().await?;
                let session = self.session(&ensemble, id).await.map_err(|_| err)?;
                let text = session.membership().await;
                session.close().await;
                let text = text?;
                let membership = Membership::parse(&text)?;
                let applied = match step.action {
                    Action::Add => membership.voters().contains(&id),
                    _ => !membership.ids().contains(&id),
                };
                if !applied {
                    bail!(
                        "{}; nothing more was changed; run the same command again",
                        crate::cluster::error::one_line(&anyhow!("reconfig of server.{id} failed"))
                    );
                }
                text
            }
        };
        self.record(&text).await?;
        self.progress(&format!(
            "membership now {}",
            ids_text(&Membership::parse(&text)?.ids())
        ));
        if step.action == Action::Add {
            self.wait_healthy().await?;
        }
        Ok(())
    }

    fn progress(&self, line: &str) {
        (self.progress)(line);
    }

    async fn reconfigure_with(
        &self,
        session: &MemberSession,
        ensemble: &Ensemble,
        action: Action,
        id: u64,
    ) -> anyhow::Result<String> {
        let text = session.membership().await?;
        let membership = Membership::parse(&text)?;
        match action {
            Action::Add if membership.voters().contains(&id) => return Ok(text),
            Action::Remove if !membership.ids().contains(&id) => return Ok(text),
            _ => {}
        }
        let ordinal = u32::try_from(id - 1)?;
        let name = EnsembleName::parse_arg(&ensemble.name).map_err(|e| anyhow!(e))?;
        let host = format!(
            "{}.{}.{}.svc.{}",
            name.pod(ordinal),
            name.headless_service(),
            ensemble.namespace,
            cluster_domain(ensemble)
        );
        let ports = Ports {
            quorum: SERVER_PORT as u16,
            election: ELECTION_PORT as u16,
            client: CLIENT_PORT as u16,
        };
        let line = membership::participant_line(id, &host, ports);
        let leave = id.to_string();
        match action {
            Action::Add => {
                session
                    .reconfigure(Some(&line), None, membership.version)
                    .await
            }
            _ => {
                session
                    .reconfigure(None, Some(&leave), membership.version)
                    .await
            }
        }
    }

    /// A session, as the superuser, with a member in sync that stays in the membership.
    async fn session(&self, ensemble: &Ensemble, changing: u64) -> anyhow::Result<MemberSession> {
        let status =
            super::gather(self.client, ensemble.clone(), None, Duration::from_secs(3)).await?;
        let keep = u64::from(self.plan.to);
        let member = in_sync(&status)
            .into_iter()
            .find(|id| *id != changing && *id <= keep)
            .ok_or_else(|| anyhow!("no member that stays is serving in sync; run the same command again once the ensemble is healthy"))?;
        let pod = ensemble.pod_name(u32::try_from(member - 1)?);
        let password = self
            .password
            .ok_or_else(|| anyhow!("no superuser password"))?;
        let auth = format!("{}:{password}", crate::cluster::admin_secret::SUPER_USER);
        MemberSession::connect_as(
            self.client,
            &ensemble.target(&pod),
            Protocol::V3_5,
            SESSION_TIMEOUT,
            Some(("digest", auth.as_bytes())),
        )
        .await
    }

    /// The membership ZooKeeper answered, into the ConfigMap (what members started later begin
    /// from).
    async fn record(&self, text: &str) -> anyhow::Result<()> {
        let name = format!("{}-config", self.plan.ensemble);
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &self.plan.namespace);
        let patch = serde_json::json!({"data": {official::DYNAMIC_KEY: text}});
        api.patch(&name, &params(), &Patch::Merge(&patch))
            .await
            .with_context(|| {
                format!(
                    "the membership changed but recording it in ConfigMap {name} failed; run the same command again to record it"
                )
            })?;
        Ok(())
    }
}

/// Patches are made as kubectl-zk.
fn params() -> PatchParams {
    PatchParams {
        field_manager: Some(MANAGER.into()),
        ..PatchParams::default()
    }
}

/// The cluster domain the members' names end in, from the template (`ZK_MEMBER_DOMAIN`).
fn cluster_domain(ensemble: &Ensemble) -> String {
    super::layout::container(ensemble)
        .and_then(|c| c.env.as_ref())
        .and_then(|env| env.iter().find(|e| e.name == "ZK_MEMBER_DOMAIN"))
        .and_then(|e| e.value.as_deref())
        .and_then(|domain| domain.split_once(".svc.").map(|(_, d)| d.to_owned()))
        .unwrap_or_else(|| "cluster.local".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::testing::status_of as status;
    use crate::manifest::Manifest;
    use crate::manifest::tests::spec;

    /// An ensemble of `replicas` as install renders it for `flavor`, its rollout complete.
    fn installed(flavor: Flavor, replicas: u32) -> Ensemble {
        let mut sts = Manifest::render(&spec(flavor)).stateful_set;
        if let Some(spec) = sts.spec.as_mut() {
            spec.replicas = Some(i32::try_from(replicas).expect("small"));
        }
        sts.metadata.generation = Some(1);
        sts.status = Some(k8s_openapi::api::apps::v1::StatefulSetStatus {
            observed_generation: Some(1),
            replicas: i32::try_from(replicas).expect("small"),
            current_revision: Some("zk-1".into()),
            update_revision: Some("zk-1".into()),
            ..Default::default()
        });
        Ensemble::from_stateful_set(sts).expect("ensemble")
    }

    fn membership(ids: &[u64]) -> Membership {
        let text: String = ids
            .iter()
            .map(|id| {
                format!(
                    "server.{id}=zk-{}.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181\n",
                    id - 1
                )
            })
            .collect();
        Membership::parse(&format!("{text}version=100000004\n")).expect("membership")
    }

    fn plan_for(
        ensemble: &Ensemble,
        status: &EnsembleStatus,
        members: Option<&Membership>,
        to: u32,
    ) -> Result<Plan, String> {
        let current = BTreeSet::new();
        let facts = Facts {
            ensemble,
            status,
            membership: members,
            current: &current,
            cluster: None,
        };
        plan(&facts, to, false)
    }

    fn actions(plan: &Plan) -> Vec<(Action, Option<u64>)> {
        plan.steps.iter().map(|s| (s.action, s.server)).collect()
    }

    #[test]
    fn official_grows_one_server_at_a_time_start_then_add() {
        let ensemble = installed(Flavor::Official, 3);
        let status = status(&ensemble, 3, 1, &[]);
        let plan = plan_for(&ensemble, &status, Some(&membership(&[1, 2, 3])), 5).expect("plan");
        assert_eq!(plan.method, Method::Reconfig);
        assert_eq!(
            actions(&plan),
            [
                (Action::Start, Some(4)),
                (Action::Add, Some(4)),
                (Action::Start, Some(5)),
                (Action::Add, Some(5))
            ]
        );
        assert!(plan.volumes_kept.is_empty());
    }

    #[test]
    fn official_shrinks_from_the_highest_id_removing_before_stopping_and_keeps_volumes() {
        let ensemble = installed(Flavor::Official, 5);
        let status = status(&ensemble, 5, 4, &[]);
        let members = membership(&[1, 2, 3, 4, 5]);
        let plan = plan_for(&ensemble, &status, Some(&members), 3).expect("plan");
        assert_eq!(
            actions(&plan),
            [
                (Action::Remove, Some(5)),
                (Action::Remove, Some(4)),
                (Action::Stop, Some(5)),
                (Action::Stop, Some(4))
            ]
        );
        assert_eq!(plan.volumes_kept, ["datadir-zk-4", "datadir-zk-3"]);
        let current = BTreeSet::new();
        let facts = Facts {
            ensemble: &ensemble,
            status: &status,
            membership: Some(&members),
            current: &current,
            cluster: None,
        };
        let deleting = super::plan(&facts, 3, true).expect("plan");
        assert!(deleting.volumes_kept.is_empty());
        assert_eq!(deleting.volumes_deleted, ["datadir-zk-4", "datadir-zk-3"]);
        assert_eq!(
            deleting.steps.last().map(|s| s.action),
            Some(Action::DeleteVolume)
        );
    }

    #[test]
    fn an_interrupted_growth_resumes_from_the_membership_in_force() {
        // zk-4 was started but not yet added when the first run stopped.
        let ensemble = installed(Flavor::Official, 5);
        let status = status(&ensemble, 5, 0, &[]);
        let plan = plan_for(&ensemble, &status, Some(&membership(&[1, 2, 3, 4])), 5).expect("plan");
        assert_eq!(actions(&plan), [(Action::Add, Some(5))]);
        let done =
            plan_for(&ensemble, &status, Some(&membership(&[1, 2, 3, 4, 5])), 5).expect("plan");
        assert!(done.is_empty());
    }

    #[test]
    fn a_member_down_refuses_what_would_lose_the_quorum_or_needs_it_ready() {
        let ensemble = installed(Flavor::Official, 3);
        let status = status(&ensemble, 3, 0, &[1]);
        let members = membership(&[1, 2, 3]);
        let why = plan_for(&ensemble, &status, Some(&members), 1).expect_err("refused");
        assert!(
            why.contains("removing server.3 (zk-2) would not keep a quorum"),
            "{why}"
        );
        let why = plan_for(&ensemble, &status, Some(&members), 5).expect_err("refused");
        assert!(why.contains("zk-1 is not Ready (Pending)"), "{why}");
    }

    #[test]
    fn a_rollout_in_progress_is_refused() {
        let mut ensemble = installed(Flavor::Official, 3);
        if let Some(status) = ensemble.stateful_set.status.as_mut() {
            status.update_revision = Some("zk-2".into());
            status.updated_replicas = Some(1);
        }
        let status = status(&ensemble, 3, 0, &[]);
        let why =
            plan_for(&ensemble, &status, Some(&membership(&[1, 2, 3])), 5).expect_err("refused");
        assert!(
            why.contains("another rollout of the ensemble is in progress"),
            "{why}"
        );
    }

    #[test]
    fn the_seeds_image_rolls_the_new_server_count_after_starting_new_members() {
        let ensemble = installed(Flavor::K8sTutorial, 3);
        assert_eq!(template_servers(&ensemble), Some(3));
        let status = status(&ensemble, 3, 2, &[]);
        let plan = plan_for(&ensemble, &status, None, 5).expect("plan");
        assert_eq!(plan.method, Method::RollingRestart);
        let steps: Vec<Action> = plan.steps.iter().map(|s| s.action).collect();
        assert_eq!(
            steps,
            [
                Action::UpdateTemplate,
                Action::Start,
                Action::Start,
                Action::Roll
            ]
        );
        assert!(
            plan.steps[3]
                .detail
                .contains("restart zk-0, zk-1, zk-2 with --servers=5"),
            "followers first, the leader last: {}",
            plan.steps[3].detail
        );
    }

    #[test]
    fn the_seeds_image_shrinks_one_member_at_a_time_moving_leadership_off_it_first() {
        let ensemble = installed(Flavor::K8sTutorial, 5);
        let healthy = status(&ensemble, 5, 4, &[]);
        let plan = plan_for(&ensemble, &healthy, None, 4).expect("plan");
        let steps: Vec<Action> = plan.steps.iter().map(|s| s.action).collect();
        assert_eq!(
            steps,
            [
                Action::MoveLeadership,
                Action::UpdateTemplate,
                Action::Roll,
                Action::Stop
            ]
        );
        // With a member down, a restart would lose the quorum of three: refused.
        let three = installed(Flavor::K8sTutorial, 3);
        let one_down = status(&three, 3, 0, &[2]);
        assert!(plan_for(&three, &one_down, None, 5).is_err());
    }
}
