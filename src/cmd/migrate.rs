//! `migrate`: take over an ensemble made from the seeds' manifest and, by default, move it to
//! the official image on the pinned 3.9 ([`crate::ensemble::migrate`]): gather it once, plan
//! from what the cluster holds (so an interrupted migration continues), refuse when it is not
//! healthy, show the plan and ask, run the steps, and roll the members through the rollout
//! engine, each confirmed on the new version, the leader last. `--keep-image` adopts only.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use crate::cli::{GlobalOptions, MigrateArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cmd::Outcome;
use crate::confirm::{capitalised, confirm, ensure_can_ask};
use crate::ensemble::migrate::{self, Plan, Step, Target};
use crate::ensemble::rolling::{not_back, restart_order};
use crate::ensemble::rollout::{self, Expect, RolloutDocument, RolloutReport};
use crate::kube::statefulset;
use crate::manifest::options::Flavor;
use crate::names::EnsembleName;
use crate::render::{Style, emit};
use crate::zk::VersionNumber;

/// How long one member may take to answer while the ensemble is gathered.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs `migrate`.
pub async fn run(global: &GlobalOptions, args: MigrateArgs) -> anyhow::Result<Outcome> {
    let (target, wanted) = target(&args)?;
    let connection = connect(global).await?;
    let client = &connection.client;
    let Some(found) = find_or_resume(client, &connection.namespace, &args).await? else {
        return Ok(Outcome::Ok);
    };
    let status = crate::ensemble::gather(client, found.clone(), None, MEMBER_TIMEOUT).await?;
    let plan = make_plan(client, &found, &status, &target).await?;
    let refuse = |why: &str| {
        eprintln!(
            "kubectl-zk: refusing to migrate ensemble {} in namespace {}: {why}; nothing was changed",
            found.name, found.namespace
        );
        Ok(Outcome::CheckFailed)
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(why) => return refuse(&why),
    };
    // Taking over starts only from a healthy ensemble; a roll left to finish is judged by the
    // engine (it restarts members that are down first).
    if plan.spec.is_some()
        && let Some(why) = not_back(&status)
    {
        return refuse(&format!(
            "the ensemble is not healthy ({why}); run it again once `kubectl zk status` says healthy"
        ));
    }
    let started = Instant::now();
    let mut document = RolloutDocument {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        change: "migrate".into(),
        detail: detail(&plan),
        dry_run: args.dry_run,
        rollout: RolloutReport::default(),
        seconds: 0.0,
    };
    let style = Style::new(global.color);
    let format = args.roll.output.output;
    if plan.steps.is_empty() {
        eprintln!(
            "Ensemble {} in namespace {} is kubectl-zk's already and every member runs {}: nothing to do.",
            found.name, found.namespace, plan.to_image
        );
        document.rollout.leader = status.leader.clone();
        emit(&document, format, style)?;
        return Ok(Outcome::Ok);
    }
    // On OpenShift the new pods' ServiceAccount needs the anyuid grant: checked before anything
    // changes (a user who may not grant it gets the admin's command, nothing changed).
    let mut plan = plan;
    plan.grant = match plan.spec.as_mut() {
        Some(spec) => migrate::scc_grant(client, spec).await?,
        None => None,
    };
    eprint!("{}", plan_text(&plan));
    if args.dry_run {
        emit(&document, format, style)?;
        return Ok(Outcome::Ok);
    }
    let action = action(&plan);
    ensure_can_ask(args.roll.yes, &action)?;
    if !confirm(
        &format!("{}?", capitalised(&action)),
        &action,
        args.roll.yes,
    )? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let progress =
        move |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    if let Err(err) = execute(
        client,
        &found,
        &plan,
        wanted,
        args.roll.timeout,
        &progress,
        &mut document.rollout,
    )
    .await
    {
        return Ok(crate::cmd::stopped(&err));
    }
    if document.rollout.leader.is_none() {
        let found = ensemble::find(client, &found.namespace, Some(&name_of(&found)?)).await?;
        let status = crate::ensemble::gather(client, found, None, MEMBER_TIMEOUT).await?;
        document.rollout.leader = status.leader;
    }
    document.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    emit(&document, format, style)?;
    Ok(Outcome::Ok)
}

/// Reads what the plan needs (the pods' revisions; for the seeds' flavour the cluster domain
/// from a member) and plans; the inner error is why it is refused.
async fn make_plan(
    client: &kube::Client,
    found: &Ensemble,
    status: &crate::ensemble::EnsembleStatus,
    target: &Target,
) -> anyhow::Result<Result<Plan, String>> {
    let stale = stale_members(client, found).await?;
    let domain = if found.flavor == Some(Flavor::K8sTutorial) {
        member_domain(client, found, status).await
    } else {
        String::new()
    };
    Ok(migrate::plan(
        found,
        target,
        &stale,
        &restart_order(status),
        &domain,
    ))
}

/// The ensemble; when a migration was interrupted after deleting the seeds' StatefulSet and
/// before creating kubectl-zk's, that one is created first (the pods kept running meanwhile),
/// or with `--dry-run` the plan for it is printed (then `None`).
async fn find_or_resume(
    client: &kube::Client,
    namespace: &str,
    args: &MigrateArgs,
) -> anyhow::Result<Option<Ensemble>> {
    let name = args.ensemble.name.as_ref();
    match ensemble::find(client, namespace, name).await {
        Ok(found) => Ok(Some(found)),
        Err(err) => {
            let Some(sts) = migrate::pending_stateful_set(client, namespace, name).await? else {
                return Err(err);
            };
            if args.dry_run {
                eprintln!(
                    "Plan for ensemble {name} in namespace {namespace}: continuing an interrupted migration\n  1. create StatefulSet {name} (the seeds' one was deleted; its pods keep running)\n  2. roll the members still on the old template, the leader last\n(dry run: nothing was changed)",
                    name = sts.metadata.name.as_deref().unwrap_or_default()
                );
                return Ok(None);
            }
            eprintln!(
                "Continuing an interrupted migration: creating StatefulSet {} in namespace {namespace} (its pods kept running).",
                sts.metadata.name.as_deref().unwrap_or_default()
            );
            migrate::create_pending(client, &sts).await?;
            let name = EnsembleName::parse_arg(sts.metadata.name.as_deref().unwrap_or_default())
                .map_err(|e| anyhow!(e))?;
            ensemble::find(client, namespace, Some(&name))
                .await
                .map(Some)
        }
    }
}

/// The cluster domain the members' names end in, read from a serving member's zoo.cfg (the
/// seeds' script writes every member by FQDN); `cluster.local`, said on stderr, when none tells.
async fn member_domain(
    client: &kube::Client,
    found: &Ensemble,
    status: &crate::ensemble::EnsembleStatus,
) -> String {
    let conf = crate::ensemble::layout::layout(found).conf_path;
    for member in status.members.iter().filter(|m| m.ready) {
        let target = found.target(&member.pod);
        if let Ok((text, 0)) =
            crate::cluster::zookeeper::exec(client, &target, &["cat", &conf]).await
            && let Some(domain) = migrate::cluster_domain(&text)
        {
            return domain;
        }
    }
    if !found.managed() {
        eprintln!("Warning: no member's {conf} names the cluster domain; taking cluster.local");
    }
    "cluster.local".into()
}

/// The target from the options; a bad `--image` is an error naming the fix.
fn target(args: &MigrateArgs) -> anyhow::Result<(Target, Option<VersionNumber>)> {
    if args.keep_image {
        return Ok((Target::KeepImage, None));
    }
    let image = &args.image;
    if Flavor::infer(image) != Some(Flavor::Official) {
        bail!(
            "invalid value '{image}' for --image: migrate moves to the official image; use e.g. {}",
            crate::manifest::options::OFFICIAL_IMAGE
        );
    }
    let version = VersionNumber::from_image(image).ok_or_else(|| {
        anyhow!(
            "invalid value '{image}' for --image: its tag names no ZooKeeper version; use e.g. {}",
            crate::manifest::options::OFFICIAL_IMAGE
        )
    })?;
    if (version.major, version.minor) < (3, 5) {
        bail!(
            "invalid value '{image}' for --image: ZooKeeper {version} is not newer than the seeds' 3.4; use e.g. {}",
            crate::manifest::options::OFFICIAL_IMAGE
        );
    }
    Ok((Target::Official(image.clone()), Some(version)))
}

fn name_of(found: &Ensemble) -> anyhow::Result<EnsembleName> {
    EnsembleName::parse_arg(&found.name).map_err(|e| anyhow!(e))
}

/// The members whose pods do not run the StatefulSet's update revision: for the seeds'
/// StatefulSet every member (the migration replaces the template).
async fn stale_members(client: &kube::Client, found: &Ensemble) -> anyhow::Result<Vec<String>> {
    if !found.managed() {
        return Ok(found.pod_names());
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    let listed = pods
        .list(&ListParams::default().labels(&found.pod_selector()))
        .await
        .map_err(|err| anyhow!(err).context(format!("cannot list the pods of {}", found.name)))?;
    let current: BTreeSet<String> =
        statefulset::pods_on_update_revision(&found.stateful_set, &listed.items);
    Ok(found
        .pod_names()
        .into_iter()
        .filter(|p| !current.contains(p))
        .collect())
}

/// The change in one line.
fn detail(plan: &Plan) -> String {
    if plan.keep_image {
        format!("taken over on {} (no member restarted)", plan.from_image)
    } else if plan.from_image == plan.to_image {
        format!(
            "continuing the move to {} (official flavour, data and server ids kept)",
            plan.to_image
        )
    } else {
        format!(
            "{} → {} (official flavour, data and server ids kept)",
            plan.from_image, plan.to_image
        )
    }
}

/// The plan as numbered lines (and, on OpenShift, the grant).
fn plan_text(plan: &Plan) -> String {
    let mut text = format!(
        "Plan for ensemble {} in namespace {}: {}\n",
        plan.ensemble,
        plan.namespace,
        detail(plan)
    );
    for (i, step) in plan.steps.iter().enumerate() {
        text.push_str(&format!("  {}. {}\n", i + 1, step.text()));
    }
    if let Some(grant) = &plan.grant {
        text.push_str(&format!(
            "  (OpenShift: ServiceAccount {} {} the anyuid SCC, with the objects applied)\n",
            plan.ensemble,
            match grant {
                crate::cluster::openshift::GrantPlan::Present(_) => "may already use",
                _ => "is granted",
            }
        ));
    }
    text
}

/// What is asked to be confirmed.
fn action(plan: &Plan) -> String {
    if plan.keep_image {
        format!(
            "take over ensemble {} in namespace {} without restarting a member",
            plan.ensemble, plan.namespace
        )
    } else {
        format!(
            "migrate ensemble {} in namespace {} to {}, one member at a time, the leader last",
            plan.ensemble, plan.namespace, plan.to_image
        )
    }
}

/// Runs the steps in order; the roll goes through the rollout engine.
async fn execute(
    client: &kube::Client,
    found: &Ensemble,
    plan: &Plan,
    wanted: Option<VersionNumber>,
    timeout: Duration,
    progress: &(dyn Fn(&str) + Sync),
    report: &mut RolloutReport,
) -> anyhow::Result<()> {
    let name = name_of(found)?;
    for step in &plan.steps {
        match (step, plan.spec.as_ref()) {
            (Step::Label { objects }, Some(spec)) => {
                migrate::label_members(client, spec).await?;
                progress(&format!("labelled {}", objects.join(", ")));
            }
            (Step::Apply { .. }, Some(spec)) => {
                for applied in migrate::apply_around(client, spec, plan.grant.clone()).await? {
                    progress(&format!("{} {}", applied.object, applied.action.word()));
                }
            }
            (Step::UpdateStatefulSet { .. }, Some(spec)) => {
                let applied = migrate::update_stateful_set(client, spec).await?;
                progress(&format!("{} {}", applied.object, applied.action.word()));
            }
            (Step::ReplaceStatefulSet { .. }, Some(spec)) => {
                migrate::replace_stateful_set(client, spec, &found.stateful_set, progress).await?;
            }
            (Step::Roll { .. }, _) => {
                rollout::roll(
                    client,
                    &found.namespace,
                    &name,
                    Expect { version: wanted },
                    timeout,
                    progress,
                    report,
                )
                .await?;
            }
            (step, None) => bail!("internal: step '{}' has no spec", step.text()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn args(extra: &[&str]) -> MigrateArgs {
        let mut argv = vec!["kubectl-zk", "migrate"];
        argv.extend_from_slice(extra);
        match crate::cli::Cli::try_parse_from(argv)
            .expect("parses")
            .command
        {
            crate::cli::Command::Migrate(args) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_image_must_be_the_official_one_on_3_5_or_newer() {
        let (chosen, version) = target(&args(&[])).expect("default");
        assert_eq!(
            chosen,
            Target::Official(crate::manifest::options::OFFICIAL_IMAGE.into())
        );
        assert!(version.is_some());
        for bad in [
            "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
            "zookeeper:3.4.14",
            "zookeeper:latest",
        ] {
            let err = target(&args(&["--image", bad])).expect_err(bad).to_string();
            assert!(err.contains("--image"), "{err}");
        }
        let kept = target(&args(&["--keep-image"])).expect("keep");
        assert_eq!(kept, (Target::KeepImage, None));
    }
}
