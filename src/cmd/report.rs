//! `report [-f FILE]`: one `.tar.gz` to attach to a bug report — the ensemble's objects, the
//! `status`, `config` and `myid` models as YAML, each member's own answers, its current and
//! previous logs (bounded), the plugin's and the server's versions. Secret values are left out
//! (their keys listed); no token or key is ever written. What could not be collected (a right
//! the user lacks, a member that does not answer) is listed in `MISSING.txt`, and the rest is
//! still collected. Everything is gathered at once.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use futures::future::join_all;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, ListParams, LogParams};
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cli::{GlobalOptions, ReportArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::zookeeper::{admin_command, four_letter_port_forward};
use crate::cmd::Outcome;
use crate::ensemble::{config_check, gather, myid_check};
use crate::manifest::options::Flavor;
use crate::render::{to_yaml, to_yaml_document};
use crate::zk::FourLetterWord;

/// How long one member may take for one answer.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of one log kept (its end).
const LOG_BYTES: i64 = 4 * 1024 * 1024;
/// The most lines of one log kept.
const LOG_LINES: i64 = 20_000;

/// The archive's files as they are collected, and what could not be.
#[derive(Default)]
struct Collected {
    files: Vec<(String, Vec<u8>)>,
    missing: Vec<String>,
}

impl Collected {
    fn add(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.push((path.into(), content.into()));
    }

    fn miss(&mut self, what: &str, err: &anyhow::Error) {
        self.missing
            .push(format!("{what}: {}", crate::cluster::error::one_line(err)));
    }

    fn take<T>(&mut self, what: &str, result: anyhow::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.miss(what, &err);
                None
            }
        }
    }
}

/// Runs `report`.
pub async fn run(global: &GlobalOptions, args: ReportArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let stamp = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let file = args.file.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "kubectl-zk-report-{}-{}-{stamp}.tar.gz",
            found.namespace, found.name
        ))
    });
    // Refuse to overwrite before anything is gathered.
    let out = File::options()
        .write(true)
        .create_new(true)
        .open(&file)
        .with_context(|| {
            format!(
                "cannot create {} (it exists? name another with -f)",
                file.display()
            )
        })?;
    let mut collected = Collected::default();
    let (objects, models, members, versions) = futures::join!(
        objects(client, &found),
        models(client, &found),
        member_answers(client, &found),
        versions(client),
    );
    for part in [objects, models, members, versions] {
        collected.files.extend(part.files);
        collected.missing.extend(part.missing);
    }
    let top = format!(
        "kubectl-zk-report-{}-{}-{stamp}",
        found.namespace, found.name
    );
    let missing = if collected.missing.is_empty() {
        "Everything was collected.\n".to_owned()
    } else {
        collected.missing.iter().map(|m| format!("{m}\n")).collect()
    };
    collected.add("MISSING.txt", missing);
    write_archive(out, &top, &collected.files)
        .with_context(|| format!("cannot write {}", file.display()))?;
    eprintln!(
        "Wrote {} ({} files{})",
        file.display(),
        collected.files.len(),
        if collected.missing.is_empty() {
            String::new()
        } else {
            format!(
                "; {} item(s) could not be collected, listed in MISSING.txt",
                collected.missing.len()
            )
        }
    );
    println!("{}", file.display());
    Ok(Outcome::Ok)
}

fn write_archive(out: File, top: &str, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut archive = tar::Builder::new(encoder);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(now);
        archive.append_data(&mut header, format!("{top}/{path}"), content.as_slice())?;
    }
    archive.into_inner()?.finish()?.flush()?;
    Ok(())
}

/// A list of objects as YAML, without their managedFields.
fn yaml_list<K: Serialize + Resource + Clone>(items: &[K]) -> anyhow::Result<String> {
    let cleaned: Vec<K> = items
        .iter()
        .cloned()
        .map(|mut item| {
            item.meta_mut().managed_fields = None;
            item
        })
        .collect();
    to_yaml(&cleaned)
}

async fn list<K>(api: Api<K>, params: &ListParams, what: &str) -> anyhow::Result<Vec<K>>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    api.list(params)
        .await
        .map(|l| l.items)
        .map_err(|e| anyhow!(e).context(format!("cannot list {what}")))
}

/// The ensemble's objects; Secrets by name and keys only.
async fn objects(client: &Client, found: &Ensemble) -> Collected {
    let ns = &found.namespace;
    let mut c = Collected::default();
    let by_instance =
        ListParams::default().labels(&format!("app.kubernetes.io/instance={}", found.name));
    let pods_params = ListParams::default().labels(&found.pod_selector());
    let all = ListParams::default();
    let (pods, services, pdbs, maps, secrets, claims, events) = futures::join!(
        list(
            Api::<Pod>::namespaced(client.clone(), ns),
            &pods_params,
            "pods"
        ),
        list(
            Api::<Service>::namespaced(client.clone(), ns),
            &all,
            "services"
        ),
        list(
            Api::<PodDisruptionBudget>::namespaced(client.clone(), ns),
            &all,
            "poddisruptionbudgets"
        ),
        list(
            Api::<ConfigMap>::namespaced(client.clone(), ns),
            &by_instance,
            "configmaps"
        ),
        list(
            Api::<Secret>::namespaced(client.clone(), ns),
            &by_instance,
            "secrets"
        ),
        list(
            Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns),
            &all,
            "persistentvolumeclaims"
        ),
        list(Api::<Event>::namespaced(client.clone(), ns), &all, "events"),
    );
    if let Ok(text) = yaml_list(std::slice::from_ref(&found.stateful_set as &StatefulSet)) {
        c.add("objects/statefulset.yaml", text);
    }
    let pods = c.take("pods", pods).unwrap_or_default();
    let mut nodes = BTreeSet::new();
    for pod in &pods {
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
            nodes.insert(node);
        }
    }
    let pod_names: BTreeSet<String> = pods.iter().map(ResourceExt::name_any).collect();
    add_list(&mut c, "objects/pods.yaml", Ok(pods));
    let services = services.map(|all| {
        all.into_iter()
            .filter(|s| s.name_any().starts_with(&found.name))
            .collect::<Vec<_>>()
    });
    add_list(&mut c, "objects/services.yaml", services);
    let pdbs = pdbs.map(|all| {
        all.into_iter()
            .filter(|p| p.name_any().starts_with(&found.name))
            .collect::<Vec<_>>()
    });
    add_list(&mut c, "objects/poddisruptionbudgets.yaml", pdbs);
    add_list(&mut c, "objects/configmaps.yaml", maps);
    if let Some(secrets) = c.take("secrets (names and keys only)", secrets) {
        let listed: Vec<serde_json::Value> = secrets
            .iter()
            .map(|s| {
                let keys: Vec<&String> = s.data.iter().flat_map(|d| d.keys()).collect();
                serde_json::json!({
                    "name": s.name_any(),
                    "type": s.type_,
                    "keys": keys,
                    "values": "left out",
                })
            })
            .collect();
        if let Ok(text) = to_yaml(&listed) {
            c.add("objects/secrets.yaml", text);
        }
    }
    let claims = claims.map(|all| {
        all.into_iter()
            .filter(|claim| {
                let name = claim.name_any();
                found
                    .claim_templates()
                    .iter()
                    .any(|t| name.starts_with(&format!("{t}-{}-", found.name)))
            })
            .collect::<Vec<_>>()
    });
    let volumes: Vec<String> = claims
        .as_ref()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.spec.as_ref().and_then(|s| s.volume_name.clone()))
                .collect()
        })
        .unwrap_or_default();
    add_list(&mut c, "objects/persistentvolumeclaims.yaml", claims);
    let events = events.map(|all| {
        all.into_iter()
            .filter(|e| {
                let name = e.involved_object.name.clone().unwrap_or_default();
                name == found.name || pod_names.contains(&name) || name.starts_with(&found.name)
            })
            .collect::<Vec<_>>()
    });
    add_list(&mut c, "objects/events.yaml", events);
    let (pvs, node_objects) = futures::join!(
        join_all(volumes.iter().map(|v| {
            let api = Api::<PersistentVolume>::all(client.clone());
            async move {
                api.get(v)
                    .await
                    .map_err(|e| anyhow!(e).context(format!("cannot read persistentvolume {v}")))
            }
        })),
        join_all(nodes.iter().map(|n| {
            let api = Api::<Node>::all(client.clone());
            async move {
                api.get(n)
                    .await
                    .map_err(|e| anyhow!(e).context(format!("cannot read node {n}")))
            }
        })),
    );
    let pvs: Vec<PersistentVolume> = pvs
        .into_iter()
        .filter_map(|r| c.take("persistentvolumes", r))
        .collect();
    if !pvs.is_empty() {
        add_list(&mut c, "objects/persistentvolumes.yaml", Ok(pvs));
    }
    let node_objects: Vec<Node> = node_objects
        .into_iter()
        .filter_map(|r| c.take("nodes", r))
        .collect();
    if !node_objects.is_empty() {
        add_list(&mut c, "objects/nodes.yaml", Ok(node_objects));
    }
    c
}

fn add_list<K: Serialize + Resource + Clone>(
    c: &mut Collected,
    path: &str,
    items: anyhow::Result<Vec<K>>,
) {
    if let Some(items) = c.take(path, items)
        && let Some(text) = c.take(path, yaml_list(&items))
    {
        c.add(path, text);
    }
}

/// The `status`, `config` and `myid` models, as those commands print them with `-o yaml`.
async fn models(client: &Client, found: &Ensemble) -> Collected {
    let mut c = Collected::default();
    let (status, config, myid) = futures::join!(
        gather::gather(client, found.clone(), None, MEMBER_TIMEOUT),
        config_check::gather(client, found.clone(), MEMBER_TIMEOUT),
        myid_check::gather(client, found),
    );
    if let Some(status) = c.take("status", status)
        && let Some(text) = c.take("status", to_yaml_document(&status))
    {
        c.add("status.yaml", text);
    }
    if let Some(config) = c.take("config", config)
        && let Some(text) = c.take("config", to_yaml_document(&config))
    {
        c.add("config.yaml", text);
    }
    if let Some(text) = c.take("myid", to_yaml_document(&myid)) {
        c.add("myid.yaml", text);
    }
    c
}

/// Each member's own answers and logs.
async fn member_answers(client: &Client, found: &Ensemble) -> Collected {
    let official = found.flavor == Some(Flavor::Official);
    let per_member = join_all(found.pod_names().into_iter().map(|pod| {
        let client = client.clone();
        let target = found.target(&pod);
        let container = found.container.clone();
        async move {
            let mut c = Collected::default();
            let words = join_all(
                [
                    FourLetterWord::Srvr,
                    FourLetterWord::Mntr,
                    FourLetterWord::Conf,
                ]
                .map(|word| {
                    let (client, target) = (client.clone(), target.clone());
                    async move {
                        let answer = tokio::time::timeout(
                            MEMBER_TIMEOUT,
                            four_letter_port_forward(&client, &target, word),
                        )
                        .await
                        .unwrap_or_else(|_| Err(anyhow!("no answer within {MEMBER_TIMEOUT:?}")));
                        (word, answer)
                    }
                }),
            );
            let admin = join_all(["monitor", "voting_view"].map(|command| {
                let (client, target) = (client.clone(), target.clone());
                async move {
                    if !official {
                        return (command, None);
                    }
                    let answer = tokio::time::timeout(
                        MEMBER_TIMEOUT,
                        admin_command(&client, &target, command),
                    )
                    .await
                    .unwrap_or_else(|_| Err(anyhow!("no answer within {MEMBER_TIMEOUT:?}")));
                    (command, Some(answer))
                }
            }));
            let logs = join_all([false, true].map(|previous| {
                let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
                let params = LogParams {
                    container: Some(container.clone()),
                    previous,
                    limit_bytes: Some(LOG_BYTES),
                    tail_lines: Some(LOG_LINES),
                    ..LogParams::default()
                };
                let pod = pod.clone();
                async move { (previous, pods.logs(&pod, &params).await) }
            }));
            let (words, admin, logs) = futures::join!(words, admin, logs);
            for (word, answer) in words {
                let what = format!("{pod} {}", word.as_str());
                if let Some(text) = c.take(&what, answer) {
                    c.add(format!("members/{pod}/{}.txt", word.as_str()), text);
                }
            }
            for (command, answer) in admin {
                if let Some(answer) = answer
                    && let Some(text) = c.take(&format!("{pod} AdminServer {command}"), answer)
                {
                    c.add(format!("members/{pod}/{command}.json"), text);
                }
            }
            for (previous, log) in logs {
                let name = if previous { "previous" } else { "current" };
                match log {
                    Ok(text) => c.add(format!("logs/{pod}.{name}.log"), text),
                    // No previous container is the normal case, not something missing.
                    Err(kube::Error::Api(status)) if previous && status.code == 400 => {}
                    Err(err) => c.miss(&format!("{pod} {name} log"), &anyhow!(err)),
                }
            }
            c
        }
    }))
    .await;
    let mut all = Collected::default();
    for c in per_member {
        all.files.extend(c.files);
        all.missing.extend(c.missing);
    }
    all
}

/// The plugin's version and the server's.
async fn versions(client: &Client) -> Collected {
    let mut c = Collected::default();
    let server = client
        .apiserver_version()
        .await
        .map_err(|e| anyhow!(e).context("cannot read the server's version"));
    let server = c.take("server version", server);
    let text = format!(
        "plugin: kubectl-zk v{} ({}/{})\nserver: {}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        server.map_or_else(|| "unknown".to_owned(), |v| v.git_version)
    );
    c.add("version.txt", text);
    c
}
