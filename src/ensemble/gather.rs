//! Reading one ensemble: the StatefulSet's pods, claims and PodDisruptionBudget, the
//! StatefulSet's FailedCreate events when a pod is missing, and every member's answers — all
//! at once, each member with its own timeout.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};

use super::probe::probe;
use super::{EnsembleStatus, MemberMode, MemberStatus, decide};
use crate::cli::Via;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::openshift::{self, SCC_ANNOTATION};
use crate::kube::{pdb, pod as pods};

/// Reads everything about one ensemble and decides its health.
pub async fn gather(
    client: &Client,
    ensemble: Ensemble,
    via: Option<Via>,
    member_timeout: Duration,
) -> anyhow::Result<EnsembleStatus> {
    let ns = ensemble.namespace.clone();
    let selector = ensemble.pod_selector();
    let pods_api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let pvc_api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let pdb_api: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), &ns);
    let params = ListParams::default().labels(&selector);
    let everything = ListParams::default();
    let events_api: Api<Event> = Api::namespaced(client.clone(), &ns);
    let sts_events =
        ListParams::default().fields(&format!("involvedObject.name={}", ensemble.name));
    let (pods, pvcs, pdbs, openshift) = futures::join!(
        pods_api.list(&params),
        pvc_api.list(&everything),
        pdb_api.list(&everything),
        openshift::detect(client),
    );
    let pods = pods
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot list pods in namespace {ns}")))?;
    let mut not_checked = Vec::new();
    let pvcs = optional(pvcs, "persistentvolumeclaims", &ns, &mut not_checked);
    let pdbs = optional(pdbs, "poddisruptionbudgets", &ns, &mut not_checked);
    let pods: BTreeMap<String, Pod> = pods
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name.clone().map(|n| (n, p)))
        .collect();

    let desired = ensemble.replicas();
    let templates = ensemble.claim_templates();
    let namespace = ns.as_str();
    let probes = (0..desired).map(|ordinal| {
        let pod_name = ensemble.pod_name(ordinal);
        let pod = pods.get(&pod_name).cloned();
        let target = ensemble.target(&pod_name);
        let flavor = ensemble.flavor;
        let pvc = templates.first().map(|t| format!("{t}-{pod_name}"));
        let pvc_bound = pvc.as_ref().zip(pvcs.as_ref()).and_then(|(name, pvcs)| {
            pvcs.iter()
                .find(|c| c.metadata.name.as_deref() == Some(name))
                .map(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        });
        async move {
            let mut member = member_from_pod(namespace, &pod_name, ordinal, pod.as_ref());
            member.pvc = pvc;
            member.pvc_bound = pvc_bound;
            if member.phase == "Running" {
                match tokio::time::timeout(member_timeout, probe(client, &target, flavor, via))
                    .await
                {
                    Ok(answer) => answer.apply(&mut member),
                    Err(_) => {
                        member.mode = MemberMode::Unreachable;
                        member.error = Some(format!(
                            "no answer within {}s",
                            member_timeout.as_secs_f64()
                        ));
                    }
                }
            }
            member
        }
    });
    // Only when a pod is missing do the StatefulSet's events matter (why it cannot create
    // pods); they are read while the members are asked.
    let missing =
        (0..desired).any(|ordinal| !pods.contains_key(&format!("{}-{ordinal}", ensemble.name)));
    let failed_create = async {
        if missing {
            events_api
                .list(&sts_events)
                .await
                .ok()
                .and_then(|list| latest_failed_create(list.items))
        } else {
            None
        }
    };
    let (members, failed_create) = futures::join!(join_all(probes), failed_create);
    let member_pods: Vec<&Pod> = pods.values().collect();
    let pdb = pdbs
        .as_deref()
        .and_then(|pdbs| pdb::covering(pdbs, &member_pods))
        .map(pdb::Budget::of);
    let service_account = ensemble
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.service_account_name.clone())
        .unwrap_or_else(|| "default".into());
    let mut status = decide(&ensemble, members, pdb);
    status.claims_checked = pvcs.is_some();
    status.pdb_checked = pdbs.is_some();
    status.not_checked = not_checked;
    status.openshift = openshift.unwrap_or(false);
    status.create_failure = failed_create;
    if let Some(failure) = &status.create_failure {
        status.warnings.push(format!(
            "statefulset {} cannot create pods: {failure}",
            ensemble.name
        ));
        status
            .warnings
            .extend(create_failure_fix(failure, &ns, &service_account));
    }
    Ok(status)
}

/// The items of an optional read; when it failed, `None` and a named "not checked" note, so
/// nothing is claimed about what could not be read.
fn optional<T: Clone>(
    read: Result<kube::core::ObjectList<T>, kube::Error>,
    resource: &str,
    namespace: &str,
    not_checked: &mut Vec<String>,
) -> Option<Vec<T>> {
    match read {
        Ok(list) => Some(list.items),
        Err(err) => {
            not_checked.push(crate::cluster::error::not_checked(
                &err, resource, namespace,
            ));
            None
        }
    }
}

/// The newest FailedCreate event's message.
fn latest_failed_create(mut events: Vec<Event>) -> Option<String> {
    events.retain(|e| {
        e.reason.as_deref() == Some("FailedCreate")
            && e.involved_object.kind.as_deref() == Some("StatefulSet")
    });
    events.sort_by_key(|e| {
        e.last_timestamp
            .clone()
            .or(e.event_time.clone().map(|t| Time(t.0)))
    });
    events.pop().and_then(|e| e.message)
}

/// What to do about a FailedCreate, when its cause is known.
fn create_failure_fix(message: &str, namespace: &str, account: &str) -> Option<String> {
    if message.contains("unable to validate against any security context constraint") {
        return Some(format!(
            "fix: ServiceAccount {account} may not use an SCC that allows the pods' security context; have an admin run `{}` (or run `kubectl zk install`, which makes that grant when you may), or install with --scc restricted",
            openshift::admin_command(openshift::ANYUID, namespace, account)
        ));
    }
    if message.contains("serviceaccount") && message.contains("not found") {
        return Some(format!(
            "fix: create ServiceAccount {account} in namespace {namespace} (kubectl create serviceaccount {account} -n {namespace})"
        ));
    }
    None
}

pub(crate) fn member_from_pod(
    namespace: &str,
    name: &str,
    ordinal: u32,
    pod: Option<&Pod>,
) -> MemberStatus {
    let mut member = MemberStatus {
        pod: name.to_owned(),
        namespace: namespace.to_owned(),
        ordinal,
        exists: pod.is_some(),
        ready: false,
        phase: "Missing".into(),
        node: None,
        myid: None,
        mode: MemberMode::Missing,
        server: None,
        lag: None,
        pvc: None,
        pvc_bound: None,
        via: None,
        error: None,
        refused: Vec::new(),
        synced_followers: None,
        quorum_voters: None,
        settings: BTreeMap::new(),
        scc: None,
    };
    let Some(pod) = pod else { return member };
    member.scc = pod.annotations().get(SCC_ANNOTATION).cloned();
    member.phase = pods::phase(pod);
    member.node = pods::node_name(pod).map(str::to_owned);
    member.ready = pods::is_ready(pod);
    member.mode = MemberMode::Unreachable;
    if member.phase != "Running" {
        member.error = pods::pending_reason(pod);
    }
    member
}
