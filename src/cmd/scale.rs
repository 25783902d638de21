//! `scale`: change the number of members with [`crate::ensemble::scale`]: gather the ensemble
//! (and, for reconfiguration, the membership ZooKeeper has in force) once, plan and judge every
//! step, show the plan and ask, run it reporting each step with its time, and end with the
//! ensemble as it is then.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams};
use serde::Serialize;

use crate::cli::{GlobalOptions, ScaleArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::zk_client::{MemberSession, Protocol};
use crate::cmd::Outcome;
use crate::confirm::{capitalised, confirm, confirm_typed, ensure_can_ask};
use crate::ensemble::scale::{self, Facts, Method, Plan, Step};
use crate::ensemble::{EnsembleStatus, MemberMode};
use crate::manifest::options::even_replicas_warning;
use crate::render::{Document, Style, Tabular, emit};
use crate::zk::Mode;
use crate::zk::membership::Membership;

/// How long one member may take to answer while the ensemble is gathered.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs `scale`.
pub async fn run(global: &GlobalOptions, args: ScaleArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let status = crate::ensemble::gather(client, found.clone(), None, MEMBER_TIMEOUT).await?;
    let plan = match make_plan(client, &found, &status, &args).await {
        Ok(plan) => plan,
        Err(why) => {
            eprintln!(
                "kubectl-zk: refusing to scale ensemble {} in namespace {} from {} to {} members: {why}; nothing was changed",
                found.name,
                found.namespace,
                found.replicas(),
                args.replicas
            );
            return Ok(Outcome::CheckFailed);
        }
    };
    let format = args.output.output;
    let style = Style::new(global.color);
    let mut report = ScaleReport::new(plan, args.dry_run);
    report.problems.extend(even_replicas_warning(args.replicas));
    for problem in &report.problems {
        eprintln!("Warning: {problem}");
    }
    if report.plan.is_empty() {
        report.members = members(&status);
        emit(&report, format, style)?;
        return Ok(Outcome::Ok);
    }
    if args.dry_run {
        emit(&report, format, style)?;
        return Ok(Outcome::Ok);
    }
    let action = format!(
        "scale ensemble {} in namespace {} from {} to {} members",
        report.plan.ensemble, report.plan.namespace, report.plan.from, report.plan.to
    );
    ensure_can_ask(args.yes, &action)?;
    eprint!("{}", report.plan_text(style));
    if !confirm(&format!("{}?", capitalised(&action)), &action, args.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    if !report.plan.volumes_deleted.is_empty()
        && !confirm_typed(
            &format!(
                "This deletes the data of {}.",
                report.plan.volumes_deleted.join(", ")
            ),
            &report.plan.ensemble,
            &action,
            args.yes,
        )?
    {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let started = Instant::now();
    let progress = move |line: &str| {
        eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    };
    let done: Arc<Mutex<Vec<StepReport>>> = Arc::default();
    let sink = Arc::clone(&done);
    let mut record = move |step: &Step, took: Duration, restarted: Vec<String>| {
        if let Ok(mut done) = sink.lock() {
            done.push(StepReport {
                step: step.clone(),
                seconds: (took.as_secs_f64() * 10.0).round() / 10.0,
                restarted,
            });
        }
    };
    let result = scale::execute(client, &report.plan, args.timeout, &progress, &mut record).await;
    report.done = done.lock().map(|d| d.clone()).unwrap_or_default();
    report.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    if let Err(err) = result {
        return Ok(crate::cmd::stopped(&err));
    }
    let found = ensemble::find(client, &found.namespace, args.ensemble.name.as_ref()).await?;
    let status = crate::ensemble::gather(client, found, None, MEMBER_TIMEOUT).await?;
    report.members = members(&status);
    report.leader = status.leader.clone();
    emit(&report, format, style)?;
    Ok(Outcome::Ok)
}

/// Reads what the plan needs (the membership in force, the pods' revisions) and plans.
async fn make_plan(
    client: &kube::Client,
    found: &Ensemble,
    status: &EnsembleStatus,
    args: &ScaleArgs,
) -> Result<Plan, String> {
    let method = scale::method(found)?;
    let membership = match method {
        Method::Reconfig => Some(read_membership(client, found, status).await?),
        Method::RollingRestart => None,
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    let listed = pods
        .list(&ListParams::default().labels(&found.pod_selector()))
        .await
        .map_err(|e| {
            crate::cluster::error::one_line(
                &anyhow!(e).context(format!("cannot list pods in namespace {}", found.namespace)),
            )
        })?;
    let current =
        crate::kube::statefulset::pods_on_update_revision(&found.stateful_set, &listed.items);
    // The scheduler's view for new members; a user who may not list nodes or every pod leaves
    // that judgement to the scheduler.
    let nodes: Api<Node> = Api::all(client.clone());
    let all_pods: Api<Pod> = Api::all(client.clone());
    let everything = ListParams::default();
    let (node_list, pod_list) = futures::join!(nodes.list(&everything), all_pods.list(&everything));
    let cluster = match (node_list, pod_list) {
        (Ok(nodes), Ok(pods)) => Some((nodes.items, pods.items)),
        (Err(err), _) | (_, Err(err)) => {
            eprintln!(
                "Note: not checked whether new members can be scheduled: {}",
                crate::cluster::error::one_line(&anyhow!(err))
            );
            None
        }
    };
    let facts = Facts {
        ensemble: found,
        status,
        membership: membership.as_ref(),
        current: &current,
        cluster: cluster
            .as_ref()
            .map(|(nodes, pods)| (nodes.as_slice(), pods.as_slice())),
    };
    scale::plan(&facts, args.replicas, args.delete_data)
}

/// `/zookeeper/config` from the first member serving.
async fn read_membership(
    client: &kube::Client,
    found: &Ensemble,
    status: &EnsembleStatus,
) -> Result<Membership, String> {
    let serving = status.members.iter().filter(|m| {
        matches!(
            m.mode,
            MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
        )
    });
    let mut last = "no member is serving".to_owned();
    for member in serving {
        let target = found.target(&member.pod);
        let session =
            MemberSession::connect(client, &target, Protocol::V3_5, Duration::from_secs(10)).await;
        let text = match session {
            Ok(session) => {
                let text = session.membership().await;
                session.close().await;
                text
            }
            Err(err) => Err(err),
        };
        match text {
            Ok(text) => {
                return Membership::parse(&text).map_err(|e| {
                    format!("/zookeeper/config on {} does not parse: {e}", member.pod)
                });
            }
            Err(err) => last = crate::cluster::error::one_line(&err),
        }
    }
    Err(format!("cannot read the membership in force: {last}"))
}

/// A member at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberLine {
    /// Pod.
    pub pod: String,
    /// `leader`, `follower`, … as in `status`.
    pub mode: &'static str,
    /// Pod Ready.
    pub ready: bool,
}

fn members(status: &EnsembleStatus) -> Vec<MemberLine> {
    status
        .members
        .iter()
        .map(|m| MemberLine {
            pod: m.pod.clone(),
            mode: m.mode.json_word(),
            ready: m.ready,
        })
        .collect()
}

/// A step that ran.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// The step.
    #[serde(flatten)]
    pub step: Step,
    /// How long it took.
    pub seconds: f64,
    /// The members it restarted, in order (rolling restart only).
    pub restarted: Vec<String>,
}

/// What `scale` planned and did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleReport {
    /// The plan.
    #[serde(flatten)]
    pub plan: Plan,
    /// Nothing was changed (`--dry-run`).
    pub dry_run: bool,
    /// The steps that ran, with their times.
    pub done: Vec<StepReport>,
    /// Seconds from the first step to the last.
    pub seconds: f64,
    /// The members at the end.
    pub members: Vec<MemberLine>,
    /// The leader at the end.
    pub leader: Option<String>,
    /// Warnings (an even member count).
    pub problems: Vec<String>,
}

impl ScaleReport {
    fn new(plan: Plan, dry_run: bool) -> ScaleReport {
        ScaleReport {
            plan,
            dry_run,
            done: Vec::new(),
            seconds: 0.0,
            members: Vec::new(),
            leader: None,
            problems: Vec::new(),
        }
    }

    /// The plan in words.
    fn plan_text(&self, style: Style) -> String {
        let plan = &self.plan;
        let mut text = format!(
            "Plan for ensemble {} in namespace {}: {} → {} members, by {}:\n",
            style.bold(&plan.ensemble),
            plan.namespace,
            plan.from,
            plan.to,
            plan.method.describe()
        );
        for (n, step) in plan.steps.iter().enumerate() {
            text.push_str(&format!("  {:>2}. {}\n", n + 1, step.detail));
        }
        text.push_str(&self.volumes_text());
        text
    }

    fn volumes_text(&self) -> String {
        let plan = &self.plan;
        let mut text = String::new();
        if !plan.volumes_kept.is_empty() {
            text.push_str(&format!(
                "Volumes kept: {} (growing again reuses them; to delete: kubectl delete pvc {} -n {})\n",
                plan.volumes_kept.join(", "),
                plan.volumes_kept.join(" "),
                plan.namespace
            ));
        }
        if !plan.volumes_deleted.is_empty() {
            text.push_str(&format!(
                "Volumes deleted: {}\n",
                plan.volumes_deleted.join(", ")
            ));
        }
        text
    }
}

impl Document for ScaleReport {
    const KIND: &'static str = "ScaleReport";
}

impl Tabular for ScaleReport {
    fn table(&self, style: Style, _wide: bool) -> String {
        let plan = &self.plan;
        if plan.is_empty() {
            return format!(
                "Ensemble {} in namespace {} already has {} members; nothing to do.\n",
                plan.ensemble, plan.namespace, plan.to
            );
        }
        if self.dry_run {
            return format!("{}(dry run: nothing was changed)\n", self.plan_text(style));
        }
        let mut text = String::new();
        for done in &self.done {
            text.push_str(&format!("{:>6.1}s  {}\n", done.seconds, done.step.detail));
        }
        let modes: BTreeMap<&str, usize> =
            self.members.iter().fold(BTreeMap::new(), |mut acc, m| {
                *acc.entry(m.mode).or_default() += 1;
                acc
            });
        text.push_str(&format!(
            "Ensemble {} in namespace {}: {} → {} members in {:.1}s, leader {} ({}).\n",
            plan.ensemble,
            plan.namespace,
            plan.from,
            plan.to,
            self.seconds,
            self.leader.as_deref().unwrap_or("none"),
            modes
                .iter()
                .map(|(mode, n)| format!("{n} {mode}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        text.push_str(&self.volumes_text());
        text
    }
}
