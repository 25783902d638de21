//! PodDisruptionBudget status: expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed,
//! observedGeneration and the DisruptionAllowed condition.

use super::{Controllers, controller_uid, is_pod_ready, is_terminating, set_condition};
use crate::api::resources::keys;
use crate::api::select::LabelSelector;
use crate::util;
use serde_json::{Value, json};

fn scaled(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) if s.ends_with('%') => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let x = pct * total as f64 / 100.0;
            if round_up {
                x.ceil() as i64
            } else {
                x.floor() as i64
            }
        }
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

pub fn reconcile(c: &Controllers) {
    for pdb in c.ctx.store.items(keys::PDBS) {
        let ns = util::namespace(&pdb).to_string();
        let name = util::name(&pdb).to_string();
        let selector = LabelSelector::from_object(pdb.pointer("/spec/selector"));
        let pods: Vec<Value> = c
            .ctx
            .store
            .list(keys::PODS, Some(&ns))
            .0
            .into_iter()
            .filter(|p| selector.matches_obj(p))
            .collect();
        // the scale of the controllers of these pods
        let mut owners: Vec<String> = pods
            .iter()
            .filter_map(|p| controller_uid(p).map(String::from))
            .collect();
        owners.sort();
        owners.dedup();
        let sets = c.ctx.store.list(keys::STATEFULSETS, Some(&ns)).0;
        let controller_scale: i64 = owners
            .iter()
            .map(|u| {
                sets.iter()
                    .find(|s| util::uid(s) == u)
                    .and_then(|s| s.pointer("/spec/replicas").and_then(Value::as_i64))
                    .unwrap_or(1)
            })
            .sum();
        let (expected, desired) = if let Some(mu) = pdb.pointer("/spec/maxUnavailable") {
            let e = controller_scale;
            (e, (e - scaled(mu, e, true)).max(0))
        } else if let Some(ma) = pdb.pointer("/spec/minAvailable") {
            if ma.is_number() || ma.as_str().is_some_and(|s| !s.ends_with('%')) {
                (pods.len() as i64, scaled(ma, 0, true))
            } else {
                let e = controller_scale;
                (e, scaled(ma, e, true))
            }
        } else {
            (pods.len() as i64, 0)
        };
        let disrupted: Vec<String> = pdb
            .pointer("/status/disruptedPods")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let healthy = pods
            .iter()
            .filter(|p| {
                is_pod_ready(p)
                    && !is_terminating(p)
                    && !disrupted.iter().any(|d| d == util::name(p))
            })
            .count() as i64;
        let allowed = (healthy - desired).max(0);
        let generation = pdb
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        c.mutate(keys::PDBS, &ns, &name, |o| {
            {
                let st = util::obj_mut(o, &["status"]);
                st.insert("currentHealthy".into(), json!(healthy));
                st.insert("desiredHealthy".into(), json!(desired));
                st.insert("expectedPods".into(), json!(expected));
                st.insert("disruptionsAllowed".into(), json!(allowed));
                st.insert("observedGeneration".into(), json!(generation));
                // a disrupted pod is forgotten once it is being deleted or gone
                if let Some(d) = st.get_mut("disruptedPods").and_then(Value::as_object_mut) {
                    d.retain(|pname, _| {
                        pods.iter()
                            .any(|p| util::name(p) == pname && !is_terminating(p))
                    });
                    if d.is_empty() {
                        st.remove("disruptedPods");
                    }
                }
            }
            if allowed > 0 {
                set_condition(o, "DisruptionAllowed", "True", "SufficientPods", "", false);
            } else {
                set_condition(
                    o,
                    "DisruptionAllowed",
                    "False",
                    "InsufficientPods",
                    "",
                    false,
                );
            }
            if let Some(conds) = o
                .pointer_mut("/status/conditions")
                .and_then(Value::as_array_mut)
            {
                for cnd in conds {
                    cnd["observedGeneration"] = json!(generation);
                    if cnd.get("message").is_none() {
                        cnd["message"] = json!("");
                    }
                }
            }
        });
    }
}
