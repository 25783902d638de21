//! StatefulSets: ordinal pods `<set>-<i>` with hostname/subdomain, claims from
//! volumeClaimTemplates (kept on deletion), OrderedReady and Parallel management, rolling updates
//! from the highest ordinal, and status.

use super::{Controllers, controller_uid, is_running_and_ready, is_terminating};
use crate::api::resources::keys;
use crate::api::select::LabelSelector;
use crate::util;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

fn revision_hash(template: &Value) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(template)
        .unwrap_or_default()
        .hash(&mut h);
    let v = h.finish();
    // like the real controller: a short alphanumeric hash
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut out = String::new();
    let mut x = v;
    for _ in 0..10 {
        out.push(ALPHA[(x % ALPHA.len() as u64) as usize] as char);
        x /= ALPHA.len() as u64;
    }
    out
}

fn ordinal_of(set_name: &str, pod_name: &str) -> Option<i64> {
    pod_name
        .strip_prefix(set_name)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn claim_name(template: &Value, set: &str, ordinal: i64) -> String {
    format!("{}-{set}-{ordinal}", util::name(template))
}

fn new_pod(set: &Value, ordinal: i64, rev: &str) -> Value {
    let set_name = util::name(set);
    let ns = util::namespace(set);
    let name = format!("{set_name}-{ordinal}");
    let template = set.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let mut labels = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert("statefulset.kubernetes.io/pod-name".into(), json!(name));
    labels.insert(
        "controller-revision-hash".into(),
        json!(format!("{set_name}-{rev}")),
    );
    labels.insert(
        "apps.kubernetes.io/pod-index".into(),
        json!(ordinal.to_string()),
    );
    let mut metadata = json!({
        "name": name, "namespace": ns, "labels": labels,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": set_name, "uid": util::uid(set), "controller": true, "blockOwnerDeletion": true}],
    });
    if let Some(a) = template.pointer("/metadata/annotations") {
        metadata["annotations"] = a.clone();
    }
    let mut spec = template.get("spec").cloned().unwrap_or(json!({}));
    spec["hostname"] = json!(name);
    let svc = util::s(set, &["spec", "serviceName"]);
    if !svc.is_empty() {
        spec["subdomain"] = json!(svc);
    }
    let mut volumes: Vec<Value> = util::arr(&spec, &["volumes"]).to_vec();
    for t in util::arr(set, &["spec", "volumeClaimTemplates"]) {
        let vname = util::name(t);
        volumes.retain(|v| util::s(v, &["name"]) != vname);
        volumes.push(json!({"name": vname, "persistentVolumeClaim": {"claimName": claim_name(t, set_name, ordinal)}}));
    }
    if !volumes.is_empty() {
        spec["volumes"] = Value::Array(volumes);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
}

fn ensure_claims(c: &Controllers, set: &Value, ordinal: i64) {
    let set_name = util::name(set);
    let ns = util::namespace(set);
    let sel_labels = set
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for t in util::arr(set, &["spec", "volumeClaimTemplates"]) {
        let name = claim_name(t, set_name, ordinal);
        if c.ctx.store.get(keys::PVCS, ns, &name).is_some() {
            continue;
        }
        let mut labels = t
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (k, v) in &sel_labels {
            labels.insert(k.clone(), v.clone());
        }
        let mut md = json!({"name": name, "namespace": ns, "labels": labels});
        if let Some(a) = t.pointer("/metadata/annotations") {
            md["annotations"] = a.clone();
        }
        let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md, "spec": t.get("spec").cloned().unwrap_or(json!({}))});
        if c.create(keys::PVCS, pvc).is_some() {
            c.event(
                set,
                "Normal",
                "SuccessfulCreate",
                &format!(
                    "create Claim {name} Pod {set_name}-{ordinal} in StatefulSet {set_name} success"
                ),
                "statefulset-controller",
            );
        }
    }
}

pub fn reconcile(c: &Controllers) {
    for set in c.ctx.store.items(keys::STATEFULSETS) {
        if is_terminating(&set) {
            continue;
        }
        sync(c, &set);
    }
}

fn sync(c: &Controllers, set: &Value) {
    let ns = util::namespace(set);
    let set_name = util::name(set).to_string();
    let uid = util::uid(set).to_string();
    let replicas = set
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let parallel = util::s(set, &["spec", "podManagementPolicy"]) == "Parallel";
    let template = set.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let rev = revision_hash(&template);
    let update_revision = format!("{set_name}-{rev}");
    let selector = LabelSelector::from_object(set.pointer("/spec/selector"));
    let on_delete = util::s(set, &["spec", "updateStrategy", "type"]) == "OnDelete";
    let partition = set
        .pointer("/spec/updateStrategy/rollingUpdate/partition")
        .and_then(Value::as_i64)
        .unwrap_or(0);

    // pods of this set by ordinal (adopting orphans that match)
    let mut pods: BTreeMap<i64, Value> = BTreeMap::new();
    for p in c.ctx.store.list(keys::PODS, Some(ns)).0 {
        let Some(ord) = ordinal_of(&set_name, util::name(&p)) else {
            continue;
        };
        match controller_uid(&p) {
            Some(u) if u == uid => {
                pods.insert(ord, p);
            }
            None if selector.matches_obj(&p) && !is_terminating(&p) => {
                let set_ref = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": set_name, "uid": uid, "controller": true, "blockOwnerDeletion": true}]);
                if let Some(p2) = c.mutate(keys::PODS, ns, util::name(&p), |o| {
                    util::set(o, &["metadata", "ownerReferences"], set_ref)
                }) {
                    pods.insert(ord, p2);
                }
            }
            _ => {}
        }
    }

    let mut blocked = false;
    // failed pods are replaced
    for (ord, p) in pods.clone() {
        let phase = util::s(&p, &["status", "phase"]);
        if (phase == "Failed" || phase == "Succeeded") && !is_terminating(&p) {
            c.delete(keys::PODS, ns, util::name(&p), json!({}));
            c.event(
                set,
                "Warning",
                "RecreatingFailedPod",
                &format!(
                    "StatefulSet {ns}/{set_name} is recreating failed Pod {}",
                    util::name(&p)
                ),
                "statefulset-controller",
            );
            pods.remove(&ord);
        }
    }
    // create missing pods, in order
    for ord in 0..replicas {
        match pods.get(&ord) {
            None => {
                if blocked {
                    break;
                }
                // a refused create is retried with back-off, one event (counted) per reason
                let retry_key = format!("statefulset-pod-create/{uid}");
                if c.backing_off(&retry_key) {
                    blocked = true;
                    continue;
                }
                ensure_claims(c, set, ord);
                let pod = new_pod(set, ord, &rev);
                let pname = format!("{set_name}-{ord}");
                let controller = crate::openshift::statefulset_controller();
                let created = c.try_create_as(keys::PODS, pod, &controller);
                c.record_attempt(&retry_key, created.is_ok());
                match created {
                    Ok(p) => {
                        c.event(
                            set,
                            "Normal",
                            "SuccessfulCreate",
                            &format!("create Pod {pname} in StatefulSet {set_name} successful"),
                            "statefulset-controller",
                        );
                        pods.insert(ord, p);
                    }
                    Err(e) => {
                        c.event(
                            set,
                            "Warning",
                            "FailedCreate",
                            &format!(
                                "create Pod {pname} in StatefulSet {set_name} failed error: {}",
                                e.message
                            ),
                            "statefulset-controller",
                        );
                        blocked = true;
                        continue;
                    }
                }
                if !parallel {
                    blocked = true;
                }
            }
            Some(p) => {
                if !parallel && (!is_running_and_ready(p) || is_terminating(p)) {
                    blocked = true;
                }
            }
        }
    }
    // scale down: highest ordinal first
    let condemned: Vec<i64> = pods
        .keys()
        .copied()
        .filter(|o| *o >= replicas)
        .rev()
        .collect();
    let healthy_below = (0..replicas).all(|o| pods.get(&o).is_some_and(is_running_and_ready));
    for ord in condemned {
        let Some(p) = pods.get(&ord) else { continue };
        if is_terminating(p) {
            if !parallel {
                break;
            }
            continue;
        }
        if !parallel && !healthy_below {
            break;
        }
        c.delete(keys::PODS, ns, util::name(p), json!({}));
        c.event(
            set,
            "Normal",
            "SuccessfulDelete",
            &format!(
                "delete Pod {} in StatefulSet {set_name} successful",
                util::name(p)
            ),
            "statefulset-controller",
        );
        if !parallel {
            break;
        }
    }
    // rolling update: from the highest ordinal, one at a time, when all are running and ready
    if !on_delete {
        let all_ready = (0..replicas).all(|o| pods.get(&o).is_some_and(is_running_and_ready));
        if all_ready {
            for ord in (partition..replicas).rev() {
                let Some(p) = pods.get(&ord) else { continue };
                if util::s(p, &["metadata", "labels", "controller-revision-hash"])
                    != update_revision
                {
                    c.delete(keys::PODS, ns, util::name(p), json!({}));
                    c.event(
                        set,
                        "Normal",
                        "SuccessfulDelete",
                        &format!(
                            "delete Pod {} in StatefulSet {set_name} successful",
                            util::name(p)
                        ),
                        "statefulset-controller",
                    );
                    break;
                }
            }
        }
    }
    // status
    let live: Vec<&Value> = pods.values().filter(|p| !is_terminating(p)).collect();
    let count = pods.len() as i64;
    let ready = live.iter().filter(|p| is_running_and_ready(p)).count() as i64;
    let updated = pods
        .values()
        .filter(|p| {
            util::s(p, &["metadata", "labels", "controller-revision-hash"]) == update_revision
        })
        .count() as i64;
    let old_rev = pods
        .values()
        .map(|p| util::s(p, &["metadata", "labels", "controller-revision-hash"]).to_string())
        .find(|r| *r != update_revision);
    let current_revision = match (
        &old_rev,
        set.pointer("/status/currentRevision")
            .and_then(Value::as_str),
    ) {
        (None, _) => update_revision.clone(),
        (Some(_), Some(cur)) if !cur.is_empty() => cur.to_string(),
        (Some(o), _) => o.clone(),
    };
    let current = pods
        .values()
        .filter(|p| {
            util::s(p, &["metadata", "labels", "controller-revision-hash"]) == current_revision
        })
        .count() as i64;
    let generation = set
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    c.mutate(keys::STATEFULSETS, ns, &set_name, |o| {
        let st = util::obj_mut(o, &["status"]);
        st.insert("observedGeneration".into(), json!(generation));
        st.insert("replicas".into(), json!(count));
        st.insert("readyReplicas".into(), json!(ready));
        st.insert("availableReplicas".into(), json!(ready));
        st.insert("currentReplicas".into(), json!(current));
        st.insert("updatedReplicas".into(), json!(updated));
        st.insert("currentRevision".into(), json!(current_revision));
        st.insert("updateRevision".into(), json!(update_revision));
        st.insert("collisionCount".into(), json!(0));
        if ready == 0 {
            st.remove("readyReplicas");
        }
    });
}
