//! Finding ensembles: StatefulSets that run ZooKeeper, whether kubectl-zk installed them
//! (label `app.kubernetes.io/managed-by: kubectl-zk`) or someone applied the seeds' manifest.

use anyhow::{anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Container;
use kube::Client;
use kube::api::{Api, ListParams};

use super::zookeeper::MemberTarget;
use crate::manifest::options::Flavor;
use crate::manifest::{FLAVOR_ANNOTATION, selector_string};
use crate::names::EnsembleName;

/// A StatefulSet that runs ZooKeeper.
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The StatefulSet as read.
    pub stateful_set: StatefulSet,
    /// The ZooKeeper container's name.
    pub container: String,
    /// Its image.
    pub image: String,
    /// How the image is configured, when known.
    pub flavor: Option<Flavor>,
}

impl Ensemble {
    /// Recognises a ZooKeeper StatefulSet: its flavour annotation, or a container whose image
    /// is one of the known ZooKeeper images.
    pub fn from_stateful_set(sts: StatefulSet) -> Option<Ensemble> {
        let containers: &[Container] = sts
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .map(|p| p.containers.as_slice())
            .unwrap_or_default();
        let annotated = sts
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(FLAVOR_ANNOTATION))
            .and_then(|f| match f.as_str() {
                "official" => Some(Flavor::Official),
                "k8s-tutorial" => Some(Flavor::K8sTutorial),
                _ => None,
            });
        let (container, flavor) = containers
            .iter()
            .find_map(|c| {
                c.image
                    .as_deref()
                    .and_then(Flavor::infer)
                    .map(|f| (c, Some(f)))
            })
            .or_else(|| annotated.and_then(|f| containers.first().map(|c| (c, Some(f)))))?;
        Some(Ensemble {
            namespace: sts.metadata.namespace.clone().unwrap_or_default(),
            name: sts.metadata.name.clone().unwrap_or_default(),
            container: container.name.clone(),
            image: container.image.clone().unwrap_or_default(),
            flavor: annotated.or(flavor),
            stateful_set: sts,
        })
    }

    /// Whether kubectl-zk installed it or took it over: its StatefulSet carries
    /// `app.kubernetes.io/managed-by: kubectl-zk`.
    pub fn managed(&self) -> bool {
        self.stateful_set
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app.kubernetes.io/managed-by"))
            .is_some_and(|m| m == crate::manifest::MANAGER)
    }

    /// Desired members.
    pub fn replicas(&self) -> u32 {
        self.stateful_set
            .spec
            .as_ref()
            .and_then(|s| s.replicas)
            .and_then(|r| u32::try_from(r).ok())
            .unwrap_or(1)
    }

    /// The label selector of its pods.
    pub fn pod_selector(&self) -> String {
        self.stateful_set
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.as_ref())
            .map(selector_string)
            .unwrap_or_default()
    }

    /// The pod of member `ordinal` (`zk-0`).
    pub fn pod_name(&self, ordinal: u32) -> String {
        format!("{}-{ordinal}", self.name)
    }

    /// Every member's pod name, by ordinal.
    pub fn pod_names(&self) -> Vec<String> {
        (0..self.replicas()).map(|o| self.pod_name(o)).collect()
    }

    /// How to reach the ZooKeeper container of `pod`: the one place member targets are made.
    pub fn target(&self, pod: &str) -> MemberTarget {
        MemberTarget {
            namespace: self.namespace.clone(),
            pod: pod.to_owned(),
            container: Some(self.container.clone()),
        }
    }

    /// The names of its volume claim templates (`datadir`).
    pub fn claim_templates(&self) -> Vec<String> {
        self.stateful_set
            .spec
            .as_ref()
            .and_then(|s| s.volume_claim_templates.as_ref())
            .map(|t| t.iter().filter_map(|c| c.metadata.name.clone()).collect())
            .unwrap_or_default()
    }
}

/// The ensemble a command works on: the one named, else the only one in the namespace.
pub async fn find(
    client: &Client,
    namespace: &str,
    name: Option<&EnsembleName>,
) -> anyhow::Result<Ensemble> {
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
    if let Some(name) = name {
        let sts = api.get_opt(name.as_str()).await.map_err(|err| {
            anyhow!(err).context(format!(
                "cannot read StatefulSet {name} in namespace {namespace}"
            ))
        })?;
        let Some(sts) = sts else {
            bail!(
                "there is no StatefulSet {name} in namespace {namespace}; list ensembles with `kubectl zk status -A`"
            );
        };
        return Ensemble::from_stateful_set(sts).ok_or_else(|| {
            anyhow!(
                "StatefulSet {name} in namespace {namespace} does not run a known ZooKeeper image"
            )
        });
    }
    let list = api.list(&ListParams::default()).await.map_err(|err| {
        anyhow!(err).context(format!("cannot list StatefulSets in namespace {namespace}"))
    })?;
    let mut found: Vec<Ensemble> = list
        .items
        .into_iter()
        .filter_map(Ensemble::from_stateful_set)
        .collect();
    match found.len() {
        0 => bail!(
            "no ZooKeeper ensemble in namespace {namespace}; create one with `kubectl zk install -n {namespace}` or pick a namespace with -n"
        ),
        1 => Ok(found.remove(0)),
        _ => bail!(
            "namespace {namespace} has several ensembles ({}); pick one with --name",
            found
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Every ensemble in the cluster.
pub async fn list_all(client: &Client) -> anyhow::Result<Vec<Ensemble>> {
    let api: Api<StatefulSet> = Api::all(client.clone());
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|err| anyhow!(err).context("cannot list StatefulSets in all namespaces"))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(Ensemble::from_stateful_set)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_sts() -> StatefulSet {
        let text = include_str!("../../tests/fixtures/seeds/zookeeper-pdb-v1.yaml");
        let docs: Vec<serde_json::Value> = text
            .split("\n---\n")
            .filter_map(|doc| serde_saphyr::from_str(doc).ok())
            .collect();
        let sts = docs
            .into_iter()
            .find(|d| d["kind"] == "StatefulSet")
            .expect("sts in seed");
        serde_json::from_value(sts).expect("typed")
    }

    #[test]
    fn the_seeds_stateful_set_is_an_ensemble() {
        let ensemble = Ensemble::from_stateful_set(seed_sts()).expect("recognised");
        assert_eq!(ensemble.name, "zk");
        assert_eq!(ensemble.container, "kubernetes-zookeeper");
        assert_eq!(ensemble.flavor, Some(Flavor::K8sTutorial));
        assert!(!ensemble.managed());
        assert_eq!(ensemble.replicas(), 3);
        assert_eq!(ensemble.pod_selector(), "app=zk");
        assert_eq!(ensemble.claim_templates(), ["datadir"]);
    }

    #[test]
    fn other_stateful_sets_are_not() {
        let mut sts = seed_sts();
        if let Some(c) = sts
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .and_then(|p| p.containers.first_mut())
        {
            c.image = Some("postgres:16".into());
        }
        assert!(Ensemble::from_stateful_set(sts).is_none());
    }
}
