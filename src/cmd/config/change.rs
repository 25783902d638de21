//! `config set KEY=VALUE…` and `config unset KEY…`: ZooKeeper settings changed where the
//! flavour keeps them, then rolled through the members by the rollout engine.
//!
//! Checks first, all of them before anything changes: each key and value alone (pure, before
//! connecting: [`crate::zk::settings::check`]), then what the flavour can take and the settings
//! together (session timeouts against tickTime) on the configuration the change would make.
//! Then one write per object, each a JSON patch that tests the resourceVersion it was computed
//! from: the official image's ConfigMap `zoo.cfg`, then the StatefulSet (the pod template's
//! config hash, or the seeds' `start-zookeeper` flags, and the settings annotation a later
//! `install` keeps). Every setting is read by ZooKeeper at start only, so the members are
//! restarted one at a time, the leader last. Run again after an interruption, the same command
//! finds the objects already changed and resumes the rollout.

use std::collections::BTreeSet;

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, ResourceExt as _};

use crate::cli::{ConfigChange, GlobalOptions};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cmd::Outcome;
use crate::confirm::{capitalised, confirm, ensure_can_ask};
use crate::ensemble::layout::{self, SourceSpec};
use crate::ensemble::rollout::{Expect, RolloutDocument, RolloutReport};
use crate::ensemble::start_flags::StartFlags;
use crate::manifest::official::fingerprint;
use crate::manifest::options::Flavor;
use crate::manifest::{CONFIG_HASH_ANNOTATION, MANAGER, SETTINGS_ANNOTATION, config_hash};
use crate::names::EnsembleName;
use crate::render::{Style, emit};
use crate::zk::settings::{self, Change, Recorded, SETTINGS};
use crate::zk::zoo_cfg::ZooCfg;

/// What one change does: the objects' new content and the change in words.
struct Plan {
    /// `tickTime 2000 → 3000`, one per change.
    lines: Vec<String>,
    /// JSON patch ops for the StatefulSet (empty: nothing to write there).
    set_ops: Vec<serde_json::Value>,
    /// The pod template changes, so every member must restart.
    restarts: bool,
    /// The ConfigMap's new zoo.cfg, when that changes.
    config_map: Option<ConfigMapWrite>,
}

/// A ConfigMap key to replace, tested against the resourceVersion it was read at.
struct ConfigMapWrite {
    name: String,
    resource_version: String,
    key: String,
    text: String,
}

/// Runs `config set` / `config unset`.
pub async fn run(global: &GlobalOptions, change: ConfigChange) -> anyhow::Result<Outcome> {
    let (ensemble_arg, changes, dry_run, roll, verb) = match change {
        ConfigChange::Set(args) => (args.ensemble, args.settings, args.dry_run, args.roll, "set"),
        ConfigChange::Unset(args) => (
            args.ensemble,
            args.keys
                .into_iter()
                .map(|key| Change::Unset { key })
                .collect(),
            args.dry_run,
            args.roll,
            "unset",
        ),
    };
    // Every key and value on its own, before connecting.
    let mut seen = BTreeSet::new();
    for change in &changes {
        settings::check(change).map_err(|why| anyhow!(why))?;
        if !seen.insert(change.key().to_owned()) {
            bail!("{} is named twice; name each setting once", change.key());
        }
    }
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, ensemble_arg.name.as_ref()).await?;
    let name = EnsembleName::parse_arg(&found.name).map_err(|e| anyhow!(e))?;
    let managed = found
        .stateful_set
        .labels()
        .get("app.kubernetes.io/managed-by")
        .is_some_and(|m| m == MANAGER);
    if !managed {
        bail!(
            "ensemble {} in namespace {} was not installed by kubectl-zk, so its configuration is not where config {verb} keeps it; take it over first with `kubectl zk migrate --keep-image`",
            found.name,
            found.namespace
        );
    }
    let plan = match found.flavor {
        Some(Flavor::Official) => plan_official(client, &found, &changes).await?,
        Some(Flavor::K8sTutorial) => plan_tutorial(&found, &changes)?,
        None => bail!(
            "cannot tell how ensemble {} in namespace {} is configured (image {}); nothing was changed",
            found.name,
            found.namespace,
            found.image
        ),
    };
    let stale = crate::kube::statefulset::rollout_in_progress(&found.stateful_set).is_some();
    let detail = format!("config {verb} {}", plan.lines.join(", "));
    let document = RolloutDocument {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        change: format!("config-{verb}"),
        detail: plan.lines.join(", "),
        dry_run,
        rollout: RolloutReport::default(),
        seconds: 0.0,
    };
    let style = Style::new(global.color);
    if dry_run {
        emit(&document, roll.output.output, style)?;
        return Ok(Outcome::Ok);
    }
    if !plan.restarts && !stale {
        // Only bookkeeping (the recorded settings) may change: no member needs a restart.
        write(client, &found, &plan).await?;
        eprintln!(
            "Ensemble {} in namespace {} already runs with {}; no member needs a restart",
            found.name,
            found.namespace,
            plan.lines.join(", ")
        );
        if roll.output.output != crate::cli::OutputFormat::Table {
            emit(&document, roll.output.output, style)?;
        }
        return Ok(Outcome::Ok);
    }
    let what = format!(
        "{detail} on ensemble {} in namespace {}, then restart its {} members one at a time, the leader last (ZooKeeper reads these settings at start only)",
        found.name,
        found.namespace,
        found.replicas()
    );
    ensure_can_ask(roll.yes, &what)?;
    if !confirm(&format!("{}?", capitalised(&what)), &what, roll.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    write(client, &found, &plan).await?;
    crate::cmd::roll_and_report(client, &name, Expect::default(), &roll, style, document).await
}

/// The recorded settings with the changes added.
fn recorded_after(found: &Ensemble, changes: &[Change]) -> (Recorded, Recorded) {
    let before = found
        .stateful_set
        .annotations()
        .get(SETTINGS_ANNOTATION)
        .map(|text| Recorded::parse(text))
        .unwrap_or_default();
    let mut after = before.clone();
    for change in changes {
        after.record(change);
    }
    (before, after)
}

/// `key old → new` for a plan.
fn describe(key: &str, old: Option<&str>, change: &Change) -> String {
    let new = match change {
        Change::Set { value, .. } => value.as_str(),
        Change::Unset { .. } => "(default)",
    };
    let old = old.unwrap_or("(default)");
    if old == new {
        format!("{key} {new}")
    } else {
        format!("{key} {old} → {new}")
    }
}

/// The annotation ops every plan carries when the recorded settings change.
fn annotation_ops(before: &Recorded, after: &Recorded, ops: &mut Vec<serde_json::Value>) {
    if before != after {
        ops.push(serde_json::json!({
            "op": "add",
            "path": format!("/metadata/annotations/{}", escape(SETTINGS_ANNOTATION)),
            "value": after.to_json(),
        }));
    }
}

/// A JSON pointer segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Official image: the ConfigMap's zoo.cfg with the changes, checked together; the pod
/// template's config hash follows it.
async fn plan_official(
    client: &Client,
    found: &Ensemble,
    changes: &[Change],
) -> anyhow::Result<Plan> {
    let SourceSpec::ConfigMap { name: cm_name, key } = layout::layout(found).source else {
        bail!(
            "ensemble {} in namespace {} mounts no ConfigMap with its zoo.cfg; re-run `kubectl zk install` for it first",
            found.name,
            found.namespace
        );
    };
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), &found.namespace);
    let map = maps.get(&cm_name).await.with_context(|| {
        format!(
            "cannot read ConfigMap {cm_name} in namespace {}",
            found.namespace
        )
    })?;
    let data = map.data.clone().unwrap_or_default();
    let text = data.get(&key).ok_or_else(|| {
        anyhow!("ConfigMap {cm_name} has no key {key}; re-run `kubectl zk install`")
    })?;
    let mut cfg = ZooCfg::parse(text);
    let mut lines = Vec::new();
    for change in changes {
        lines.push(describe(change.key(), cfg.get(change.key()), change));
        match change {
            Change::Set { key, value } => cfg.set(key, value),
            Change::Unset { key } => {
                cfg.remove(key);
            }
        }
    }
    settings::check_together(&cfg).map_err(|why| anyhow!(why))?;
    let new_text = cfg.render();
    let logback = data.get("logback.xml").map_or("", String::as_str);
    let hash = config_hash(&fingerprint(&new_text, logback));
    let (before, after) = recorded_after(found, changes);
    let mut ops = Vec::new();
    let template_hash = found
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(CONFIG_HASH_ANNOTATION));
    let restarts = template_hash != Some(&hash);
    if restarts {
        ops.push(serde_json::json!({
            "op": "add",
            "path": format!("/spec/template/metadata/annotations/{}", escape(CONFIG_HASH_ANNOTATION)),
            "value": hash,
        }));
    }
    annotation_ops(&before, &after, &mut ops);
    let config_map = (new_text != *text).then(|| ConfigMapWrite {
        resource_version: map.resource_version().unwrap_or_default(),
        name: cm_name,
        key,
        text: new_text,
    });
    Ok(Plan {
        lines,
        set_ops: ops,
        restarts,
        config_map,
    })
}

/// The seeds' image: the `start-zookeeper` flags, checked together through the zoo.cfg the
/// script would write from them.
fn plan_tutorial(found: &Ensemble, changes: &[Change]) -> anyhow::Result<Plan> {
    let takes = || {
        SETTINGS
            .iter()
            .filter(|s| s.flag.is_some())
            .map(|s| s.key)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut flags_of = Vec::new();
    for change in changes {
        let flag = SETTINGS
            .iter()
            .find(|s| s.key == change.key())
            .and_then(|s| s.flag)
            .ok_or_else(|| {
                anyhow!(
                    "the seeds' image writes zoo.cfg from start-zookeeper flags, and none sets {}; it takes {}; to set {} move the ensemble to the official image with `kubectl zk migrate`",
                    change.key(),
                    takes(),
                    change.key()
                )
            })?;
        flags_of.push(flag);
    }
    let (index, container) = found
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| {
            p.containers
                .iter()
                .enumerate()
                .find(|(_, c)| c.name == found.container)
        })
        .ok_or_else(|| {
            anyhow!(
                "StatefulSet {} has no container {}",
                found.name,
                found.container
            )
        })?;
    let command = container.command.clone().unwrap_or_default();
    let Some(args) = container
        .args
        .clone()
        .filter(|_| command.len() == 1 && command[0].rsplit('/').next() == Some("start-zookeeper"))
    else {
        bail!(
            "StatefulSet {}'s container does not pass its start-zookeeper flags as separate arguments; re-run `kubectl zk install` for it, or set the flags in the StatefulSet yourself",
            found.name
        );
    };
    let old = StartFlags::from_container(&command, &args).unwrap_or_default();
    let mut new_args = args.clone();
    let mut lines = Vec::new();
    for (change, flag) in changes.iter().zip(&flags_of) {
        let current = old.values.get(*flag).map(String::as_str);
        lines.push(format!(
            "{} (--{flag})",
            describe(change.key(), current, change)
        ));
        let value = match change {
            Change::Set { value, .. } => Some(value.as_str()),
            Change::Unset { .. } => None,
        };
        settings::set_flag(&mut new_args, flag, value);
        if *flag == "purge_interval" {
            eprintln!(
                "Warning: the seeds' image writes --purge_interval as the misspelled autopurge.purgeInteval, which ZooKeeper ignores: autopurge stays off until the ensemble moves to the official image (`kubectl zk migrate`)"
            );
        }
    }
    let new = StartFlags::from_container(&command, &new_args).unwrap_or_default();
    // Only the settings matter to the check, not the servers' host names.
    let cfg = new
        .render_zoo_cfg(&found.name, "example")
        .map_err(|why| anyhow!(why))?;
    settings::check_together(&ZooCfg::parse(&cfg)).map_err(|why| anyhow!(why))?;
    let (before, after) = recorded_after(found, changes);
    let mut ops = Vec::new();
    let restarts = new_args != args;
    if restarts {
        let path = format!("/spec/template/spec/containers/{index}/args");
        ops.push(serde_json::json!({"op": "test", "path": path, "value": args}));
        ops.push(serde_json::json!({"op": "replace", "path": path, "value": new_args}));
    }
    annotation_ops(&before, &after, &mut ops);
    Ok(Plan {
        lines,
        set_ops: ops,
        restarts,
        config_map: None,
    })
}

/// The writes: the ConfigMap first (a member restarted meanwhile already reads the new
/// zoo.cfg), then the StatefulSet, each tested against what the plan was made from.
async fn write(client: &Client, found: &Ensemble, plan: &Plan) -> anyhow::Result<()> {
    let params = PatchParams {
        field_manager: Some(MANAGER.into()),
        ..PatchParams::default()
    };
    let ns = &found.namespace;
    if let Some(ConfigMapWrite {
        name,
        resource_version,
        key,
        text,
    }) = &plan.config_map
    {
        let patch: json_patch::Patch = serde_json::from_value(serde_json::json!([
            {"op": "test", "path": "/metadata/resourceVersion", "value": resource_version},
            {"op": "replace", "path": format!("/data/{}", escape(key)), "value": text},
        ]))?;
        let maps: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
        maps.patch(name, &params, &Patch::<()>::Json(patch))
            .await
            .with_context(|| {
                format!("cannot change ConfigMap {name} in namespace {ns} (changed meanwhile? run the same command again)")
            })?;
    }
    if !plan.set_ops.is_empty() {
        let mut ops = vec![serde_json::json!({
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": found.stateful_set.resource_version().unwrap_or_default(),
        })];
        ops.extend(plan.set_ops.iter().cloned());
        let patch: json_patch::Patch = serde_json::from_value(serde_json::Value::Array(ops))?;
        let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
        sets.patch(&found.name, &params, &Patch::<()>::Json(patch))
            .await
            .with_context(|| {
                format!(
                    "cannot change StatefulSet {} in namespace {ns} (changed meanwhile? run the same command again)",
                    found.name
                )
            })?;
    }
    Ok(())
}
