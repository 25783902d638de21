//! Endpoints for Services with a selector (ready pods in `addresses`, others in
//! `notReadyAddresses` unless `publishNotReadyAddresses`).

use super::{Controllers, is_pod_ready, is_terminating};
use crate::api::resources::keys;
use crate::api::select::LabelSelector;
use crate::util;
use serde_json::{Value, json};

fn target_port(sp: &Value, pod: &Value) -> Option<i64> {
    match sp.get("targetPort") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(name)) => util::arr(pod, &["spec", "containers"])
            .iter()
            .flat_map(|c| util::arr(c, &["ports"]))
            .find(|p| util::s(p, &["name"]) == name)
            .and_then(|p| p.get("containerPort").and_then(Value::as_i64)),
        _ => sp.get("port").and_then(Value::as_i64),
    }
}

pub fn reconcile(c: &Controllers) {
    let services = c.ctx.store.items(keys::SERVICES);
    for svc in &services {
        let ns = util::namespace(svc);
        let name = util::name(svc);
        let Some(sel) = svc
            .pointer("/spec/selector")
            .filter(|s| s.as_object().is_some_and(|m| !m.is_empty()))
        else {
            continue;
        };
        let selector = LabelSelector::from_object(Some(&json!({"matchLabels": sel})));
        let publish_all = svc
            .pointer("/spec/publishNotReadyAddresses")
            .and_then(Value::as_bool)
            == Some(true);
        let mut pods: Vec<Value> = c
            .ctx
            .store
            .list(keys::PODS, Some(ns))
            .0
            .into_iter()
            .filter(|p| {
                selector.matches_obj(p)
                    && !util::s(p, &["status", "podIP"]).is_empty()
                    && !is_terminating(p)
            })
            .collect();
        pods.sort_by(|a, b| util::s(a, &["status", "podIP"]).cmp(util::s(b, &["status", "podIP"])));
        let mut ready = Vec::new();
        let mut not_ready = Vec::new();
        let mut ports: Vec<Value> = Vec::new();
        for p in &pods {
            let mut addr = json!({"ip": util::s(p, &["status", "podIP"]), "nodeName": util::s(p, &["spec", "nodeName"]),
                "targetRef": {"kind": "Pod", "namespace": ns, "name": util::name(p), "uid": util::uid(p)}});
            if !util::s(p, &["spec", "hostname"]).is_empty()
                && util::s(p, &["spec", "subdomain"]) == name
            {
                addr["hostname"] = json!(util::s(p, &["spec", "hostname"]));
            }
            if is_pod_ready(p) || publish_all {
                ready.push(addr)
            } else {
                not_ready.push(addr)
            }
            if ports.is_empty() {
                for sp in util::arr(svc, &["spec", "ports"]) {
                    if let Some(tp) = target_port(sp, p) {
                        let mut e = json!({"port": tp, "protocol": util::s(sp, &["protocol"])});
                        if !util::s(sp, &["name"]).is_empty() {
                            e["name"] = json!(util::s(sp, &["name"]));
                        }
                        ports.push(e);
                    }
                }
            }
        }
        let mut subset = json!({});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        if !ports.is_empty() {
            subset["ports"] = json!(ports);
        }
        let subsets = if pods.is_empty() {
            json!([])
        } else {
            json!([subset])
        };
        let mut labels = util::labels(svc);
        if util::s(svc, &["spec", "clusterIP"]) == "None" {
            labels.insert("service.kubernetes.io/headless".into(), json!(""));
        }
        match c.ctx.store.get(keys::ENDPOINTS, ns, name) {
            None => {
                let mut ep = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": ns, "labels": labels}});
                if !pods.is_empty() {
                    ep["subsets"] = subsets;
                }
                c.create(keys::ENDPOINTS, ep);
            }
            Some(_) => {
                c.mutate(keys::ENDPOINTS, ns, name, |o| {
                    if pods.is_empty() {
                        if let Some(m) = o.as_object_mut() {
                            m.remove("subsets");
                        }
                    } else {
                        o["subsets"] = subsets;
                    }
                    util::set(o, &["metadata", "labels"], Value::Object(labels));
                });
            }
        }
    }
    // endpoints of deleted services go with them
    for ep in c.ctx.store.items(keys::ENDPOINTS) {
        let (ns, name) = (util::namespace(&ep), util::name(&ep));
        if name == "kubernetes" && ns == "default" {
            continue;
        }
        if !services
            .iter()
            .any(|s| util::namespace(s) == ns && util::name(s) == name)
        {
            c.delete(keys::ENDPOINTS, ns, name, json!({}));
        }
    }
}
