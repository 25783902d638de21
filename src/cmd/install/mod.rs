//! `install`: create or update an ensemble.
//!
//! Options → a validated [`EnsembleSpec`] → preflight (nothing is created when a check
//! fails) → server-side apply of every object, reporting created / configured / unchanged →
//! a watched rollout that explains trouble → a summary with the leader. With `--dry-run`
//! (client) it renders the objects and touches nothing.

pub mod preflight;
pub mod rollout;

use std::time::Duration;

use anyhow::{Context as _, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, ResourceExt as _};
use serde::Serialize;

use crate::cli::{DryRun, GlobalOptions, InstallArgs, OutputFormat};
use crate::cluster::apply::{Action, Applied, apply};
use crate::cluster::client::{connect, namespace_without_connecting};
use crate::cluster::ensemble::Ensemble;
use crate::cluster::openshift::{self, GrantPlan};
use crate::cmd::Outcome;

use crate::manifest::official::DYNAMIC_KEY;
use crate::manifest::options::{Flavor, SccProfile, even_replicas_warning};
use crate::manifest::{
    EnsembleSpec, MANAGER, MONITORING_GROUP, Manifest, MetricsDiscovery, SETTINGS_ANNOTATION,
    ZooKeeperSettings,
};
use crate::render::{Document, Style, Tabular, emit, to_json, to_yaml_stream, write_stdout};
use crate::zk::membership::Membership;
use crate::zk::settings::Recorded;

/// Runs `install`.
pub async fn run(global: &GlobalOptions, args: InstallArgs) -> anyhow::Result<Outcome> {
    if args.dry_run == DryRun::Client {
        let (namespace, source) = namespace_without_connecting(global).await;
        if global.verbose > 0 {
            eprintln!("Namespace {namespace} ({source})");
        }
        let spec = spec_from_args(&args, namespace)?;
        print_warnings(&spec);
        print_objects(&Manifest::render(&spec), args.output.output)?;
        return Ok(Outcome::Ok);
    }
    let connection = connect(global).await?;
    let mut spec = spec_from_args(&args, connection.namespace.clone())?;
    print_warnings(&spec);
    let client = &connection.client;
    let found = preflight::check(client, &spec, args.create_namespace, args.openshift).await?;
    // An ensemble `migrate` moved from the seeds keeps its data where the seeds put it.
    spec.data_sub_path = found.data_sub_path.clone();
    if spec.metrics.is_some()
        && crate::cluster::client::serves_group(client, MONITORING_GROUP).await?
    {
        spec.metrics = Some(MetricsDiscovery::PodMonitor);
    }
    if let Some(existing) = &found.existing {
        for note in keep_user_settings(&mut spec, &args, existing) {
            eprintln!("{note}");
        }
        preflight::check_existing(&spec, existing)?;
    }
    let grant = if found.openshift {
        openshift::plan_for_ensemble(client, &mut spec).await?
    } else if spec.scc == SccProfile::Restricted {
        bail!(
            "--scc restricted is for OpenShift, where restricted-v2 assigns the user; this cluster is not OpenShift, so drop --scc"
        );
    } else {
        None
    };
    let server_dry_run = args.dry_run == DryRun::Server;
    if found.create_namespace {
        create_namespace(client, &spec.namespace, server_dry_run).await?;
    }
    let applied = apply_all(client, &spec, grant, server_dry_run).await?;
    let mut report = InstallReport {
        ensemble: spec.name.to_string(),
        namespace: spec.namespace.clone(),
        storage_class: found.storage_class.clone(),
        openshift: found.openshift,
        dry_run: server_dry_run,
        objects: applied,
        ready: None,
        leader: None,
        not_ready: Vec::new(),
    };
    let style = Style::new(global.color);
    let format = args.output.output.unwrap_or(OutputFormat::Table);
    if server_dry_run || !args.wait {
        emit(&report, format, style)?;
        return Ok(Outcome::Ok);
    }
    // Objects first, so the user sees what happened while the rollout runs.
    if format == OutputFormat::Table || format == OutputFormat::Wide {
        write_stdout(&report.objects_table())?;
    }
    // A changed template reaches running members through the rollout engine: one at a time,
    // the leader last (the StatefulSet's OnDelete strategy leaves them to it).
    if found.existing.is_some() {
        let progress = |line: &str| eprintln!("{line}");
        let mut rolled = crate::ensemble::rollout::RolloutReport::default();
        let result = crate::ensemble::rollout::roll(
            client,
            &spec.namespace,
            &spec.name,
            crate::ensemble::rollout::Expect::default(),
            args.timeout,
            &progress,
            &mut rolled,
        )
        .await;
        if let Err(err) = result {
            return Ok(crate::cmd::stopped(&err));
        }
    }
    match rollout::wait(client, &spec, args.timeout).await? {
        rollout::Rollout::Done => {
            let (ready, leader) = leader_of(client, &spec).await;
            report.ready = Some(ready);
            report.leader = leader;
        }
        rollout::Rollout::TimedOut(stuck) => report.not_ready = stuck,
    }
    match format {
        OutputFormat::Table | OutputFormat::Wide => write_stdout(&report.summary())?,
        other => emit(&report, other, style)?,
    }
    Ok(if report.not_ready.is_empty() && report.leader.is_some() {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// What other commands set on a running ensemble — its image (`upgrade`), its settings
/// (`config set`/`unset`) — is kept unless this install's own options name it: an option given
/// replaces it, an option left out does not turn it back. Returns a note per decision. Pure.
pub fn keep_user_settings(
    spec: &mut EnsembleSpec,
    args: &InstallArgs,
    existing: &StatefulSet,
) -> Vec<String> {
    let mut notes = Vec::new();
    let explicit: &[(&str, Option<u32>, &str)] = &[
        ("tickTime", args.tick_time, "--tick-time"),
        ("initLimit", args.init_limit, "--init-limit"),
        ("syncLimit", args.sync_limit, "--sync-limit"),
        (
            "maxClientCnxns",
            args.max_client_cnxns,
            "--max-client-cnxns",
        ),
        (
            "minSessionTimeout",
            args.min_session_timeout,
            "--min-session-timeout",
        ),
        (
            "maxSessionTimeout",
            args.max_session_timeout,
            "--max-session-timeout",
        ),
        (
            "autopurge.snapRetainCount",
            args.snap_retain_count,
            "--snap-retain-count",
        ),
        (
            "autopurge.purgeInterval",
            args.purge_interval,
            "--purge-interval",
        ),
    ];
    let mut recorded = existing
        .annotations()
        .get(SETTINGS_ANNOTATION)
        .map(|text| Recorded::parse(text))
        .unwrap_or_default();
    for (key, given, option) in explicit {
        if let Some(value) = given
            && let Some(earlier) = recorded.0.remove(*key)
        {
            let earlier = earlier.map_or_else(|| format!("unset {key}"), |v| format!("{key}={v}"));
            notes.push(format!(
                "{option} {value} replaces {earlier}, made earlier by `kubectl zk config`"
            ));
        }
    }
    if !recorded.0.is_empty() {
        let kept: Vec<String> = recorded
            .0
            .iter()
            .map(|(k, v)| {
                v.as_ref()
                    .map_or_else(|| format!("unset {k}"), |v| format!("{k}={v}"))
            })
            .collect();
        notes.push(format!(
            "keeping {} (set by `kubectl zk config`; an install option for a setting replaces it)",
            kept.join(", ")
        ));
    }
    spec.zookeeper.recorded = recorded;
    if args.image.is_none()
        && let Some(running) = Ensemble::from_stateful_set(existing.clone())
        && running.flavor == Some(spec.flavor)
        && running.image != spec.image
    {
        notes.push(format!(
            "keeping image {} (pass --image to change it)",
            running.image
        ));
        spec.image = running.image;
    }
    notes
}

fn print_warnings(spec: &EnsembleSpec) {
    for warning in warnings(spec) {
        eprintln!("Warning: {warning}");
    }
}

async fn create_namespace(client: &Client, name: &str, dry_run: bool) -> anyhow::Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some(name.to_owned());
    let mut params = PatchParams::apply(MANAGER);
    params.dry_run = dry_run;
    namespaces
        .patch(name, &params, &Patch::Apply(&ns))
        .await
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot create namespace {name}")))?;
    Ok(())
}

/// Applies every object in order: the ServiceAccount, its SCC grant, then the rest; the
/// StatefulSet last, so what its pods need exists when they are created.
async fn apply_all(
    client: &Client,
    spec: &EnsembleSpec,
    grant: Option<GrantPlan>,
    dry_run: bool,
) -> anyhow::Result<Vec<Applied>> {
    let manifest = Manifest::render(spec);
    let mut applied = vec![apply(client, &manifest.service_account, dry_run).await?];
    if let Some(plan) = grant {
        applied.push(openshift::grant_for_ensemble(client, spec, plan, dry_run).await?);
    }
    if let Some(config_map) = &manifest.config_map {
        applied.push(crate::cluster::admin_secret::ensure(client, spec, dry_run).await?);
        let config_map = keep_recorded_membership(client, config_map.clone()).await?;
        applied.push(apply(client, &config_map, dry_run).await?);
    }
    applied.push(apply(client, &manifest.headless_service, dry_run).await?);
    applied.push(apply(client, &manifest.client_service, dry_run).await?);
    applied.push(apply(client, &manifest.pdb, dry_run).await?);
    applied.push(apply(client, &manifest.stateful_set, dry_run).await?);
    if let Some(monitor) = &manifest.pod_monitor {
        applied.push(crate::cluster::apply::apply_value(client, monitor, dry_run).await?);
    }
    Ok(applied)
}

/// The membership `kubectl zk scale` recorded in the ConfigMap (with ZooKeeper's version) when
/// it names the same servers as the one rendered, so re-applying does not turn it back.
async fn keep_recorded_membership(
    client: &Client,
    mut config_map: ConfigMap,
) -> anyhow::Result<ConfigMap> {
    let ns = config_map.metadata.namespace.clone().unwrap_or_default();
    let name = config_map.metadata.name.clone().unwrap_or_default();
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let existing = api
        .get_opt(&name)
        .await
        .with_context(|| format!("cannot read ConfigMap {name} in namespace {ns}"))?;
    let recorded = existing
        .and_then(|cm| cm.data)
        .and_then(|mut data| data.remove(DYNAMIC_KEY));
    if let (Some(recorded), Some(data)) = (recorded, config_map.data.as_mut())
        && let Some(rendered) = data.get(DYNAMIC_KEY)
    {
        let same = match (Membership::parse(&recorded), Membership::parse(rendered)) {
            (Ok(recorded), Ok(rendered)) => recorded.servers == rendered.servers,
            _ => false,
        };
        if same {
            data.insert(DYNAMIC_KEY.to_owned(), recorded);
        }
    }
    Ok(config_map)
}

/// After the rollout: how many members are Ready and who leads, from ZooKeeper itself.
async fn leader_of(client: &Client, spec: &EnsembleSpec) -> (u32, Option<String>) {
    let sets: Api<k8s_openapi::api::apps::v1::StatefulSet> =
        Api::namespaced(client.clone(), &spec.namespace);
    let Some(ensemble) = sets
        .get_opt(spec.name.as_str())
        .await
        .ok()
        .flatten()
        .and_then(Ensemble::from_stateful_set)
    else {
        return (0, None);
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(status) =
            crate::ensemble::gather(client, ensemble.clone(), None, Duration::from_secs(5)).await
        {
            if status.leader.is_some() || std::time::Instant::now() > deadline {
                return (status.ready, status.leader);
            }
        } else if std::time::Instant::now() > deadline {
            return (0, None);
        }
        // The members are Ready; the election itself takes a moment longer.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// What `install` did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// The StorageClass of the data volumes.
    pub storage_class: String,
    /// Whether the cluster is OpenShift.
    pub openshift: bool,
    /// Server-side dry run: nothing persisted.
    pub dry_run: bool,
    /// Each object and what happened to it.
    pub objects: Vec<Applied>,
    /// Members Ready at the end.
    pub ready: Option<u32>,
    /// The leader's pod.
    pub leader: Option<String>,
    /// Members not Ready when the timeout passed, with why.
    pub not_ready: Vec<String>,
}

impl InstallReport {
    fn objects_table(&self) -> String {
        let suffix = if self.dry_run {
            " (server dry run)"
        } else {
            ""
        };
        let mut text = String::new();
        for object in &self.objects {
            text.push_str(&format!(
                "{} {}{suffix}\n",
                object.object,
                object.action.word()
            ));
            if object.action == Action::Configured {
                for change in &object.changes {
                    text.push_str(&format!("  {change}\n"));
                }
            }
            for field in &object.taken_back {
                text.push_str(&format!("  taken back from {field}\n"));
            }
        }
        text
    }

    fn summary(&self) -> String {
        if !self.not_ready.is_empty() {
            let mut text = format!(
                "Ensemble {} in namespace {} is not ready yet:\n",
                self.ensemble, self.namespace
            );
            for line in &self.not_ready {
                text.push_str(&format!("  {line}\n"));
            }
            text.push_str(&format!(
                "Follow it with `kubectl get pods -l app={} -n {} -w` or `kubectl zk status --name {} -n {}`.\n",
                self.ensemble, self.namespace, self.ensemble, self.namespace
            ));
            return text;
        }
        format!(
            "Ensemble {} in namespace {}: {} members Ready, leader {}.\nRun `kubectl zk status --name {} -n {}` to see it.\n",
            self.ensemble,
            self.namespace,
            self.ready.unwrap_or(0),
            self.leader.as_deref().unwrap_or("not elected yet"),
            self.ensemble,
            self.namespace
        )
    }
}

impl Document for InstallReport {
    const KIND: &'static str = "InstallReport";
}

impl Tabular for InstallReport {
    fn table(&self, _style: Style, _wide: bool) -> String {
        let mut text = self.objects_table();
        if self.ready.is_some() || !self.not_ready.is_empty() {
            text.push_str(&self.summary());
        }
        text
    }
}

/// Turns the options into a validated spec; a contradiction is an error naming the fix.
pub fn spec_from_args(args: &InstallArgs, namespace: String) -> anyhow::Result<EnsembleSpec> {
    let (image, flavor) = match (&args.image, args.flavor) {
        (None, flavor) => {
            let flavor = flavor.unwrap_or(Flavor::Official);
            (flavor.default_image().to_owned(), flavor)
        }
        (Some(image), Some(flavor)) => {
            if let Some(inferred) = Flavor::infer(image).filter(|inferred| *inferred != flavor) {
                bail!(
                    "--image {image} is the {inferred} flavour but --flavor says {flavor}; drop --flavor or use --flavor {inferred}"
                );
            }
            (image.clone(), flavor)
        }
        (Some(image), None) => match Flavor::infer(image) {
            Some(flavor) => (image.clone(), flavor),
            None => bail!(
                "cannot tell how to configure --image {image}; add --flavor official (Docker library zookeeper image) or --flavor k8s-tutorial (kubernetes-zookeeper image)"
            ),
        },
    };
    validate_image(&image)?;
    if args.scc == SccProfile::Restricted && flavor != Flavor::Official {
        bail!(
            "--scc restricted needs the official flavour: the {flavor} image writes its configuration as user 1000 at start; use --scc anyuid or the zookeeper image"
        );
    }
    if args.metrics {
        if flavor != Flavor::Official {
            bail!(
                "--metrics needs ZooKeeper 3.6+ and its Prometheus provider; the seeds' 3.4 image has none; drop --metrics, or move the ensemble to the official image with `kubectl zk migrate`"
            );
        }
        if let Some(version) = crate::zk::VersionNumber::from_image(&image)
            && (version.major, version.minor) < (3, 6)
        {
            bail!(
                "--metrics needs ZooKeeper 3.6+ (the Prometheus provider); {image} is {version}; use a newer --image or drop --metrics"
            );
        }
    }
    let tick_time = args.tick_time.unwrap_or(2000);
    let min_session_timeout = args.min_session_timeout.unwrap_or(2 * tick_time);
    let max_session_timeout = args.max_session_timeout.unwrap_or(20 * tick_time);
    if min_session_timeout > max_session_timeout {
        bail!(
            "--min-session-timeout {min_session_timeout} is above --max-session-timeout {max_session_timeout}; make the minimum the smaller one"
        );
    }
    if args.cluster_domain.is_empty()
        || crate::names::NodeName::parse_arg(&args.cluster_domain).is_err()
    {
        bail!(
            "--cluster-domain '{}' is not a DNS domain; use e.g. cluster.local",
            args.cluster_domain
        );
    }
    Ok(EnsembleSpec {
        name: args.name.clone(),
        namespace,
        replicas: args.replicas,
        image,
        flavor,
        storage_class: args.storage_class.clone(),
        storage_size: args.storage_size.clone(),
        heap: args.heap.clone(),
        cpu: args.cpu.clone(),
        memory: args.memory.clone(),
        anti_affinity: args.anti_affinity,
        pod_management: args
            .pod_management_policy
            .unwrap_or(flavor.default_pod_management()),
        zookeeper: ZooKeeperSettings {
            tick_time,
            init_limit: args.init_limit.unwrap_or(10),
            sync_limit: args.sync_limit.unwrap_or(5),
            max_client_cnxns: args.max_client_cnxns.unwrap_or(60),
            snap_retain_count: args.snap_retain_count.unwrap_or(3),
            purge_interval: args.purge_interval.unwrap_or(12),
            min_session_timeout,
            max_session_timeout,
            log_level: args.log_level,
            recorded: Recorded::default(),
        },
        cluster_domain: args.cluster_domain.clone(),
        scc: args.scc,
        scc_grant: None,
        metrics: args.metrics.then_some(MetricsDiscovery::Annotations),
        data_sub_path: None,
    })
}

/// An image reference has no spaces or control characters and is not empty.
fn validate_image(image: &str) -> anyhow::Result<()> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!(
            "--image '{image}' is not an image reference; use e.g. docker.io/library/zookeeper:3.9.3"
        );
    }
    Ok(())
}

/// What the user should know before the objects are created.
pub fn warnings(spec: &EnsembleSpec) -> Vec<String> {
    let mut warnings = Vec::new();
    warnings.extend(even_replicas_warning(spec.replicas));
    let memory = spec.memory.value();
    if (spec.heap.bytes() as f64) >= memory {
        warnings.push(format!(
            "--heap {} does not fit in --memory {}: the JVM needs room beyond its heap; raise --memory or lower --heap",
            spec.heap, spec.memory
        ));
    }
    let zk = &spec.zookeeper;
    if zk.min_session_timeout < 2 * zk.tick_time || zk.max_session_timeout > 20 * zk.tick_time {
        warnings.push(format!(
            "session timeouts {}..{} ms are outside 2x..20x tickTime ({}..{} ms); ZooKeeper will not honour the part outside",
            zk.min_session_timeout,
            zk.max_session_timeout,
            2 * zk.tick_time,
            20 * zk.tick_time
        ));
    }
    warnings
}

/// Prints the objects: YAML (default) or JSON (a `v1 List`), or kubectl's one line per
/// object for `-o table`.
fn print_objects(manifest: &Manifest, format: Option<OutputFormat>) -> anyhow::Result<()> {
    let values = manifest.to_values()?;
    let text = match format.unwrap_or(OutputFormat::Yaml) {
        OutputFormat::Yaml => to_yaml_stream(&values)?,
        OutputFormat::Json => to_json(&serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {},
            "items": values,
        }))?,
        OutputFormat::Table | OutputFormat::Wide => values
            .iter()
            .map(|value| {
                let kind = value["kind"].as_str().unwrap_or_default().to_lowercase();
                let group = value["apiVersion"]
                    .as_str()
                    .and_then(|v| v.split_once('/'))
                    .map(|(group, _)| format!(".{group}"))
                    .unwrap_or_default();
                let name = value["metadata"]["name"].as_str().unwrap_or_default();
                format!("{kind}{group}/{name} created (dry run)\n")
            })
            .collect(),
    };
    write_stdout(&text)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn args(extra: &[&str]) -> InstallArgs {
        let mut argv = vec!["kubectl-zk", "install"];
        argv.extend(extra);
        match Cli::try_parse_from(argv).expect("parses").command {
            Command::Install(args) => *args,
            other => panic!("not install: {other:?}"),
        }
    }

    fn running(image: &str, recorded: &str) -> StatefulSet {
        let spec = spec_from_args(&args(&["--image", image]), "default".into()).expect("spec");
        let mut sts = Manifest::render(&spec).stateful_set;
        sts.annotations_mut()
            .insert(SETTINGS_ANNOTATION.into(), recorded.into());
        sts
    }

    #[test]
    fn install_keeps_what_config_set_and_upgrade_set_unless_its_options_name_it() {
        let existing = running(
            "docker.io/library/zookeeper:3.9.5",
            r#"{"tickTime":"3000","snapCount":"50000","maxClientCnxns":null}"#,
        );
        // No options: the image upgrade and the three settings stay.
        let given = args(&[]);
        let mut spec = spec_from_args(&given, "default".into()).expect("spec");
        let notes = keep_user_settings(&mut spec, &given, &existing);
        assert_eq!(spec.image, "docker.io/library/zookeeper:3.9.5");
        let cfg = crate::zk::ZooCfg::parse(&crate::manifest::official::zoo_cfg(&spec));
        assert_eq!(cfg.get("tickTime"), Some("3000"));
        assert_eq!(cfg.get("snapCount"), Some("50000"));
        assert_eq!(cfg.get("maxClientCnxns"), None);
        assert!(
            notes.iter().any(|n| n.contains("keeping image")),
            "{notes:?}"
        );

        // --tick-time replaces the recorded tickTime; --image replaces the image.
        let given = args(&["--tick-time", "2500", "--image", "zookeeper:3.9.4"]);
        let mut spec = spec_from_args(&given, "default".into()).expect("spec");
        let notes = keep_user_settings(&mut spec, &given, &existing);
        assert_eq!(spec.image, "zookeeper:3.9.4");
        assert_eq!(spec.zookeeper.recorded.0.get("tickTime"), None);
        assert!(
            notes.iter().any(|n| n
                == "--tick-time 2500 replaces tickTime=3000, made earlier by `kubectl zk config`"),
            "{notes:?}"
        );
        let rendered = Manifest::render(&spec).stateful_set;
        assert_eq!(
            rendered
                .annotations()
                .get(SETTINGS_ANNOTATION)
                .map(String::as_str),
            Some(r#"{"maxClientCnxns":null,"snapCount":"50000"}"#)
        );
    }
}
