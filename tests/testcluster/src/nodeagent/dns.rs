//! The cluster DNS's view: Services and EndpointSlices from the real API server, mirrored so the
//! kubelet can write every pod's `/etc/hosts` (see `kubelet::hosts`). The slices of a Service
//! are folded into the Endpoints shape the hosts code reads: a slice endpoint that is `ready` goes
//! into `addresses`, one that is not into `notReadyAddresses` (the EndpointSlice controller marks
//! every endpoint ready for a Service with `publishNotReadyAddresses`, as CoreDNS then sees it).

use crate::mirror::resources::keys;
use crate::mirror::store::Store;
use crate::util;
use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

const SERVICE_NAME: &str = "kubernetes.io/service-name";

/// Mirrors Services and EndpointSlices until the task is aborted.
pub async fn run(client: kube::Client, store: Arc<Store>) {
    let services = mirror_services(client.clone(), store.clone());
    let slices = mirror_slices(client, store);
    futures::join!(services, slices);
}

async fn mirror_services(client: kube::Client, store: Arc<Store>) {
    let api: Api<DynamicObject> = Api::all_with(
        client,
        &ApiResource::erase::<k8s_openapi::api::core::v1::Service>(&()),
    );
    let every = |_: &Value| true;
    super::mirror(
        api,
        watcher::Config::default(),
        &store,
        keys::SERVICES,
        every,
        "services",
    )
    .await;
}

async fn mirror_slices(client: kube::Client, store: Arc<Store>) {
    let api: Api<DynamicObject> = Api::all_with(
        client,
        &ApiResource::erase::<k8s_openapi::api::discovery::v1::EndpointSlice>(&()),
    );
    let mut stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    // (namespace, slice name) → slice
    let mut slices: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut listing: BTreeMap<(String, String), Value> = BTreeMap::new();
    while let Some(ev) = stream.next().await {
        let touched: Vec<(String, String)> = match ev {
            Ok(watcher::Event::Init) => {
                listing.clear();
                continue;
            }
            Ok(watcher::Event::InitApply(o)) => {
                let v = serde_json::to_value(o).unwrap_or_default();
                listing.insert(key(&v), v);
                continue;
            }
            Ok(watcher::Event::InitDone) => {
                let old = std::mem::replace(&mut slices, std::mem::take(&mut listing));
                old.values()
                    .chain(slices.values())
                    .filter_map(service_of)
                    .collect()
            }
            Ok(watcher::Event::Apply(o)) => {
                let v = serde_json::to_value(o).unwrap_or_default();
                let mut t: Vec<_> = slices
                    .get(&key(&v))
                    .and_then(service_of)
                    .into_iter()
                    .collect();
                t.extend(service_of(&v));
                slices.insert(key(&v), v);
                t
            }
            Ok(watcher::Event::Delete(o)) => {
                let v = serde_json::to_value(o).unwrap_or_default();
                slices.remove(&key(&v));
                service_of(&v).into_iter().collect()
            }
            Err(e) => {
                tracing::debug!("watching endpointslices: {e}");
                continue;
            }
        };
        let mut done = HashSet::new();
        for (ns, svc) in touched {
            if !done.insert((ns.clone(), svc.clone())) {
                continue;
            }
            let of_service: Vec<&Value> = slices
                .values()
                .filter(|s| service_of(s).as_ref() == Some(&(ns.clone(), svc.clone())))
                .collect();
            if of_service.is_empty() {
                let _ = store.remove(keys::ENDPOINTS, &ns, &svc, None);
            } else {
                store.put(keys::ENDPOINTS, endpoints(&ns, &svc, &of_service));
            }
        }
    }
}

fn key(slice: &Value) -> (String, String) {
    (util::namespace(slice).into(), util::name(slice).into())
}

/// The Service a slice belongs to.
fn service_of(slice: &Value) -> Option<(String, String)> {
    let svc = slice
        .pointer(&format!(
            "/metadata/labels/{}",
            SERVICE_NAME.replace('/', "~1")
        ))
        .and_then(Value::as_str)?;
    Some((util::namespace(slice).into(), svc.into()))
}

/// One Service's slices as an Endpoints object (IPv4 endpoints only).
pub fn endpoints(ns: &str, svc: &str, slices: &[&Value]) -> Value {
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    for s in slices {
        if util::s(s, &["addressType"]) != "IPv4" {
            continue;
        }
        for e in util::arr(s, &["endpoints"]) {
            let is_ready = e.pointer("/conditions/ready").and_then(Value::as_bool) != Some(false);
            for a in util::arr(e, &["addresses"]) {
                let mut addr = json!({"ip": a});
                if let Some(h) = e.get("hostname").and_then(Value::as_str) {
                    addr["hostname"] = json!(h);
                }
                if let Some(n) = e.get("nodeName").and_then(Value::as_str) {
                    addr["nodeName"] = json!(n);
                }
                if is_ready {
                    ready.push(addr);
                } else {
                    not_ready.push(addr);
                }
            }
        }
    }
    json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": svc, "namespace": ns},
        "subsets": [{"addresses": ready, "notReadyAddresses": not_ready}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_fold_into_endpoints_by_readiness() {
        let a = json!({"metadata": {"name": "zk-hs-a", "namespace": "ns", "labels": {SERVICE_NAME: "zk-hs"}},
            "addressType": "IPv4", "endpoints": [
                {"addresses": ["10.0.0.2"], "hostname": "zk-0", "conditions": {"ready": true}},
                {"addresses": ["10.0.0.3"], "hostname": "zk-1", "conditions": {"ready": false}}]});
        assert_eq!(service_of(&a), Some(("ns".into(), "zk-hs".into())));
        let ep = endpoints("ns", "zk-hs", &[&a]);
        assert_eq!(
            ep["subsets"][0]["addresses"],
            json!([{"ip": "10.0.0.2", "hostname": "zk-0"}])
        );
        assert_eq!(
            ep["subsets"][0]["notReadyAddresses"],
            json!([{"ip": "10.0.0.3", "hostname": "zk-1"}])
        );
    }
}
