//! `install`: create or update an ensemble. With `--dry-run` (client) it renders every
//! object and touches nothing; applying to a cluster is wired in a later issue.

use anyhow::bail;

use crate::cli::{DryRun, GlobalOptions, InstallArgs, OutputFormat};
use crate::cluster::client::namespace_without_connecting;
use crate::cmd::{Outcome, not_wired};
use crate::manifest::options::{Flavor, even_replicas_warning};
use crate::manifest::{EnsembleSpec, Manifest, ZooKeeperSettings};
use crate::render::{to_json, to_yaml_stream, write_stdout};

/// Runs `install`.
pub async fn run(global: &GlobalOptions, args: InstallArgs) -> anyhow::Result<Outcome> {
    let (namespace, source) = namespace_without_connecting(global).await;
    if global.verbose > 0 {
        eprintln!("Namespace {namespace} ({source})");
    }
    let spec = spec_from_args(&args, namespace)?;
    for warning in warnings(&spec) {
        eprintln!("Warning: {warning}");
    }
    match args.dry_run {
        DryRun::Client => {
            print_objects(&Manifest::render(&spec), args.output.output)?;
            Ok(Outcome::Ok)
        }
        DryRun::Server | DryRun::None => not_wired("install", 5),
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
    let min_session_timeout = args.min_session_timeout.unwrap_or(2 * args.tick_time);
    let max_session_timeout = args.max_session_timeout.unwrap_or(20 * args.tick_time);
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
            tick_time: args.tick_time,
            init_limit: args.init_limit,
            sync_limit: args.sync_limit,
            max_client_cnxns: args.max_client_cnxns,
            snap_retain_count: args.snap_retain_count,
            purge_interval: args.purge_interval,
            min_session_timeout,
            max_session_timeout,
            log_level: args.log_level,
        },
        cluster_domain: args.cluster_domain.clone(),
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
