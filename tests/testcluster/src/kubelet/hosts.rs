//! Cluster DNS through `/etc/hosts`: every pod's hosts file lists the cluster's names.
//!
//! - A pod with `hostname` and `subdomain` whose headless Service `subdomain` lists it in its
//!   Endpoints (ready, or any with `publishNotReadyAddresses`): `<hostname>.<subdomain>.<ns>.svc.cluster.local`,
//!   and for pods of the same namespace `<hostname>.<subdomain>` and `<hostname>.<subdomain>.<ns>`.
//! - A Service: `<svc>.<ns>.svc.cluster.local`, `<svc>.<ns>.svc`, `<svc>.<ns>` and, in the same
//!   namespace, `<svc>`. A headless Service's names map to each of its ready pod IPs (one line each);
//!   a ClusterIP Service's names map to ONE endpoint IP (there is no kube-proxy, so the cluster IP
//!   itself routes nowhere).

use super::Shared;
use crate::mirror::resources::keys;
use crate::util;
use serde_json::Value;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use tokio::sync::watch;

const DOMAIN: &str = "svc.cluster.local";

/// The hosts entries for a pod of namespace `ns`.
pub fn entries_for(
    ns: &str,
    services: &[Value],
    endpoints: &[Value],
) -> Vec<(Ipv4Addr, Vec<String>)> {
    let mut out: Vec<(Ipv4Addr, Vec<String>)> = Vec::new();
    for svc in services {
        let sns = util::namespace(svc);
        let sname = util::name(svc);
        let Some(ep) = endpoints
            .iter()
            .find(|e| util::namespace(e) == sns && util::name(e) == sname)
        else {
            continue;
        };
        let headless = util::s(svc, &["spec", "clusterIP"]) == "None";
        let publish_all = svc
            .pointer("/spec/publishNotReadyAddresses")
            .and_then(Value::as_bool)
            == Some(true);
        let mut ready_ips: Vec<Ipv4Addr> = Vec::new();
        for sub in util::arr(ep, &["subsets"]) {
            let mut addrs: Vec<&Value> = util::arr(sub, &["addresses"]).iter().collect();
            if publish_all {
                addrs.extend(util::arr(sub, &["notReadyAddresses"]));
            }
            for a in addrs {
                let Ok(ip) = util::s(a, &["ip"]).parse::<Ipv4Addr>() else {
                    continue;
                };
                if !ready_ips.contains(&ip) {
                    ready_ips.push(ip);
                }
                let host = util::s(a, &["hostname"]);
                if headless && !host.is_empty() {
                    let mut names = vec![format!("{host}.{sname}.{sns}.{DOMAIN}")];
                    if sns == ns {
                        names.push(format!("{host}.{sname}.{sns}"));
                        names.push(format!("{host}.{sname}"));
                    }
                    out.push((ip, names));
                }
            }
        }
        let mut names = vec![
            format!("{sname}.{sns}.{DOMAIN}"),
            format!("{sname}.{sns}.svc"),
            format!("{sname}.{sns}"),
        ];
        if sns == ns {
            names.push(sname.to_string());
        }
        if headless {
            for ip in &ready_ips {
                out.push((*ip, names.clone()));
            }
        } else if let Some(ip) = ready_ips.first() {
            out.push((*ip, names));
        }
    }
    out
}

/// Pushes hosts files whenever the entries of a pod change.
pub async fn run(
    shared: Arc<Shared>,
    mut changed: watch::Receiver<u64>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pushed: HashMap<String, Vec<(Ipv4Addr, Vec<String>)>> = HashMap::new();
    loop {
        let services = shared.ctx.store.items(keys::SERVICES);
        let endpoints = shared.ctx.store.items(keys::ENDPOINTS);
        let running: Vec<(String, super::RunningPod)> = shared
            .running
            .lock()
            .map(|g| g.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut by_ns: HashMap<String, Vec<(Ipv4Addr, Vec<String>)>> = HashMap::new();
        for (uid, rp) in &running {
            let entries = by_ns
                .entry(rp.namespace.clone())
                .or_insert_with(|| entries_for(&rp.namespace, &services, &endpoints))
                .clone();
            if pushed.get(uid) != Some(&entries) {
                if let Err(e) = rp.sandbox.set_hosts(&entries).await {
                    tracing::warn!("writing /etc/hosts of {}/{}: {e:#}", rp.namespace, rp.name);
                } else {
                    pushed.insert(uid.clone(), entries);
                }
            }
        }
        pushed.retain(|uid, _| running.iter().any(|(u, _)| u == uid));
        tokio::select! {
            r = changed.changed() => if r.is_err() { return },
            _ = shutdown.changed() => return,
        }
    }
}
