//! `upgrade --image IMAGE`: the StatefulSet's image set (a JSON patch that first tests the old
//! value), then rolled through the members by the rollout engine, each confirmed to answer with
//! the new version before the next, the leader last. A downgrade across minor versions is
//! refused unless `--force`; a change of flavour (the seeds' image to the official one) is
//! `migrate`'s job. Running the same command again after an interruption resumes the roll.

use anyhow::{Context as _, anyhow};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, Patch, PatchParams};

use crate::cli::{GlobalOptions, UpgradeArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cmd::Outcome;
use crate::confirm::{capitalised, confirm, ensure_can_ask};
use crate::ensemble::rollout::{Expect, RolloutDocument, RolloutReport};
use crate::manifest::MANAGER;
use crate::manifest::options::Flavor;
use crate::names::EnsembleName;
use crate::render::{Style, emit};
use crate::zk::VersionNumber;

/// Runs `upgrade`.
pub async fn run(global: &GlobalOptions, args: UpgradeArgs) -> anyhow::Result<Outcome> {
    let wanted = VersionNumber::from_image(&args.image).ok_or_else(|| {
        anyhow!(
            "invalid value '{}' for --image: its tag names no ZooKeeper version; use an image such as docker.io/library/zookeeper:3.9.4",
            args.image
        )
    })?;
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let name = EnsembleName::parse_arg(&found.name).map_err(|e| anyhow!(e))?;
    let (index, current_image) = container_image(&found)?;
    if let Err(why) = judge(&found, &current_image, &args.image, wanted, args.force) {
        eprintln!(
            "kubectl-zk: refusing to upgrade ensemble {} in namespace {}: {why}; nothing was changed",
            found.name, found.namespace
        );
        return Ok(Outcome::CheckFailed);
    }
    let detail = if current_image == args.image {
        format!(
            "image {} (rolling the members still on an older one)",
            args.image
        )
    } else {
        format!("image {current_image} → {}", args.image)
    };
    let document = RolloutDocument {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        change: "upgrade".into(),
        detail,
        dry_run: args.dry_run,
        rollout: RolloutReport::default(),
        seconds: 0.0,
    };
    let style = Style::new(global.color);
    if args.dry_run {
        emit(&document, args.roll.output.output, style)?;
        return Ok(Outcome::Ok);
    }
    let what = format!(
        "upgrade ensemble {} in namespace {} to ZooKeeper {wanted} ({}), one member at a time, the leader last",
        found.name, found.namespace, args.image
    );
    ensure_can_ask(args.roll.yes, &what)?;
    if !confirm(&format!("{}?", capitalised(&what)), &what, args.roll.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    if current_image != args.image {
        set_image(client, &found, index, &current_image, &args.image).await?;
    }
    crate::cmd::roll_and_report(
        client,
        &name,
        Expect {
            version: Some(wanted),
        },
        &args.roll,
        style,
        document,
    )
    .await
}

/// Whether the image may replace the current one; if not, why. Pure.
fn judge(
    found: &Ensemble,
    current: &str,
    image: &str,
    wanted: VersionNumber,
    force: bool,
) -> Result<(), String> {
    let flavor = Flavor::infer(image);
    if flavor.is_some() && found.flavor.is_some() && flavor != found.flavor {
        return Err(format!(
            "{image} is another image ({}) than the ensemble runs ({current}); moving between them changes the configuration and data layout: use `kubectl zk migrate`",
            flavor.map_or("unknown", Flavor::as_str)
        ));
    }
    if let Some(now) = VersionNumber::from_image(current)
        && (wanted.major, wanted.minor) < (now.major, now.minor)
        && !force
    {
        return Err(format!(
            "{image} is ZooKeeper {wanted}, a downgrade from {now} across minor versions: ZooKeeper's snapshots and logs only move forward across minors, so the older server may not read them; pass --force if you have checked it can"
        ));
    }
    Ok(())
}

/// The ZooKeeper container's index and image in the pod template.
fn container_image(found: &Ensemble) -> anyhow::Result<(usize, String)> {
    let spec = found
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .ok_or_else(|| anyhow!("StatefulSet {} has no pod template", found.name))?;
    spec.containers
        .iter()
        .enumerate()
        .find(|(_, c)| c.name == found.container)
        .and_then(|(i, c)| Some((i, c.image.clone()?)))
        .ok_or_else(|| {
            anyhow!(
                "StatefulSet {} has no container {} with an image",
                found.name,
                found.container
            )
        })
}

/// Sets the image with a JSON patch that first tests the old one, so a concurrent change is
/// not overwritten.
async fn set_image(
    client: &kube::Client,
    found: &Ensemble,
    index: usize,
    old: &str,
    new: &str,
) -> anyhow::Result<()> {
    let path = format!("/spec/template/spec/containers/{index}/image");
    let patch: json_patch::Patch = serde_json::from_value(serde_json::json!([
        {"op": "test", "path": path, "value": old},
        {"op": "replace", "path": path, "value": new},
    ]))?;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &found.namespace);
    let params = PatchParams {
        field_manager: Some(MANAGER.into()),
        ..PatchParams::default()
    };
    sets.patch(&found.name, &params, &Patch::<()>::Json(patch))
        .await
        .with_context(|| {
            format!(
                "cannot set the image of StatefulSet {} in namespace {} (changed meanwhile? run the same command again)",
                found.name, found.namespace
            )
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::testing::ensemble;

    #[test]
    fn downgrades_across_minors_need_force_and_flavours_need_migrate() {
        let zk = ensemble(3);
        let current = "docker.io/library/zookeeper:3.9.4";
        let v = |s: &str| VersionNumber::from_image(s).expect("version");
        assert_eq!(
            judge(&zk, current, "zookeeper:3.9.5", v("zookeeper:3.9.5"), false),
            Ok(())
        );
        let why = judge(&zk, current, "zookeeper:3.8.3", v("zookeeper:3.8.3"), false)
            .expect_err("refused");
        assert!(why.contains("downgrade from 3.9.4"), "{why}");
        assert_eq!(
            judge(&zk, current, "zookeeper:3.8.3", v("zookeeper:3.8.3"), true),
            Ok(())
        );
        let seeds = "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10";
        let why = judge(&zk, current, seeds, v(seeds), true).expect_err("refused");
        assert!(why.contains("kubectl zk migrate"), "{why}");
    }
}
