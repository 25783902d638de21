//! `restart [MEMBER]`: a rolling restart through the rollout engine (every member once,
//! followers first, the leader last), or one member when the quorum can lose it.
//!
//! A full restart marks the pod template (`kubectl-zk.io/restartedAt`, as `kubectl rollout
//! restart` does), so every member runs an older revision until the engine has restarted it; a
//! run that finds members still on an older revision (an interrupted restart) rolls those
//! instead of marking the template again, so running the same command again resumes.

use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, Patch, PatchParams};

use crate::cli::{GlobalOptions, RestartArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::confirm::{capitalised, confirm, ensure_can_ask};
use crate::ensemble::rolling;
use crate::ensemble::rollout::{self, Expect, Restarted, RolloutDocument, RolloutReport};
use crate::manifest::MANAGER;
use crate::names::EnsembleName;
use crate::render::{Style, emit};

/// The pod-template annotation a full restart sets.
pub const RESTARTED_AT: &str = "kubectl-zk.io/restartedAt";

/// Runs `restart`.
pub async fn run(global: &GlobalOptions, args: RestartArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let name = EnsembleName::parse_arg(&found.name).map_err(|e| anyhow!(e))?;
    if let Some(member) = &args.member
        && !(0..found.replicas()).any(|o| &found.pod_name(o) == member)
    {
        bail!(
            "{member} is not a member of ensemble {} in namespace {} (its members are {}-0 … {}-{}); name one of them or none",
            found.name,
            found.namespace,
            found.name,
            found.name,
            found.replicas().saturating_sub(1)
        );
    }
    let what = match &args.member {
        Some(member) => format!(
            "restart {member} of ensemble {} in namespace {}",
            found.name, found.namespace
        ),
        None => format!(
            "restart the {} members of ensemble {} in namespace {} one at a time, the leader last",
            found.replicas(),
            found.name,
            found.namespace
        ),
    };
    ensure_can_ask(args.roll.yes, &what)?;
    if !confirm(&format!("{}?", capitalised(&what)), &what, args.roll.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let started = Instant::now();
    let progress =
        move |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    let mut report = RolloutReport::default();
    let result = match &args.member {
        Some(member) => {
            restart_one(
                client,
                &found,
                member,
                args.roll.timeout,
                &progress,
                &mut report,
            )
            .await
        }
        None => {
            mark_template(client, &found).await?;
            rollout::roll(
                client,
                &found.namespace,
                &name,
                Expect::default(),
                args.roll.timeout,
                &progress,
                &mut report,
            )
            .await
        }
    };
    if let Err(err) = result {
        return Ok(crate::cmd::stopped(&err));
    }
    let document = RolloutDocument {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        change: "restart".into(),
        detail: match &args.member {
            Some(member) => format!("{member} restarted"),
            None => "every member restarted".into(),
        },
        dry_run: false,
        rollout: report,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    };
    emit(&document, args.roll.output.output, Style::new(global.color))?;
    Ok(Outcome::Ok)
}

/// Marks the pod template so every member runs an older revision — unless some already do
/// (an interrupted restart, or another change half rolled out): those are rolled as they are.
async fn mark_template(client: &kube::Client, found: &ensemble::Ensemble) -> anyhow::Result<()> {
    if crate::kube::statefulset::rollout_in_progress(&found.stateful_set).is_some() {
        eprintln!(
            "StatefulSet {} has members on an older template: continuing that rollout",
            found.name
        );
        return Ok(());
    }
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let patch = serde_json::json!({
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}
    });
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &found.namespace);
    let params = PatchParams {
        field_manager: Some(MANAGER.into()),
        ..PatchParams::default()
    };
    sets.patch(&found.name, &params, &Patch::Merge(&patch))
        .await
        .with_context(|| {
            format!(
                "cannot patch StatefulSet {} in namespace {}",
                found.name, found.namespace
            )
        })?;
    Ok(())
}

/// Restarts one member, refused when the quorum cannot lose it.
async fn restart_one(
    client: &kube::Client,
    found: &ensemble::Ensemble,
    member: &str,
    timeout: std::time::Duration,
    progress: &(dyn Fn(&str) + Sync),
    report: &mut RolloutReport,
) -> anyhow::Result<()> {
    let status = crate::ensemble::gather(
        client,
        found.clone(),
        None,
        std::time::Duration::from_secs(3),
    )
    .await?;
    let ready = status.members.iter().any(|m| m.pod == member && m.ready);
    if ready {
        let judgement = status.judge(&[member]);
        if !judgement.survives {
            bail!(
                "refusing to restart {member}: {}; nothing was changed",
                judgement.without_text()
            );
        }
    }
    let was_leader = status.leader.as_deref() == Some(member);
    let started = Instant::now();
    let after = rolling::restart_member(client, found, member, timeout, progress).await?;
    report.restarted.push(Restarted {
        pod: member.to_owned(),
        was_leader,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        version: None,
    });
    report.leader = after.leader;
    Ok(())
}
