//! The garbage collector: dependents of deleted owners are deleted (background), foreground
//! deletion waits for dependents, orphaning removes the owner references.

use super::Controllers;
use crate::util;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn reconcile(c: &Controllers) {
    let all = c.ctx.store.all_uids();
    // owner uid → dependents (key, object)
    let mut dependents: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    for (key, o) in all.values() {
        for r in util::arr(o, &["metadata", "ownerReferences"]) {
            dependents
                .entry(util::s(r, &["uid"]).to_string())
                .or_default()
                .push((key.clone(), o.clone()));
        }
    }
    for (key, o) in all.values() {
        let refs = util::arr(o, &["metadata", "ownerReferences"]);
        if refs.is_empty() || o.pointer("/metadata/deletionTimestamp").is_some() {
            continue;
        }
        if refs.iter().all(|r| !all.contains_key(util::s(r, &["uid"]))) {
            c.delete(
                key,
                util::namespace(o),
                util::name(o),
                json!({"propagationPolicy": "Background"}),
            );
        }
    }
    for (key, owner) in all.values() {
        if owner.pointer("/metadata/deletionTimestamp").is_none() {
            continue;
        }
        let fins: Vec<String> = util::arr(owner, &["metadata", "finalizers"])
            .iter()
            .filter_map(|f| f.as_str().map(String::from))
            .collect();
        let uid = util::uid(owner).to_string();
        let deps = dependents.get(&uid).cloned().unwrap_or_default();
        if fins.iter().any(|f| f == "orphan") {
            for (dk, d) in &deps {
                c.mutate(dk, util::namespace(d), util::name(d), |x| {
                    if let Some(l) = x
                        .pointer_mut("/metadata/ownerReferences")
                        .and_then(Value::as_array_mut)
                    {
                        l.retain(|r| util::s(r, &["uid"]) != uid);
                    }
                });
            }
            c.mutate(key, util::namespace(owner), util::name(owner), |x| {
                if let Some(l) = x
                    .pointer_mut("/metadata/finalizers")
                    .and_then(Value::as_array_mut)
                {
                    l.retain(|f| f != "orphan");
                }
            });
        } else if fins.iter().any(|f| f == "foregroundDeletion") {
            if deps.is_empty() {
                c.mutate(key, util::namespace(owner), util::name(owner), |x| {
                    if let Some(l) = x
                        .pointer_mut("/metadata/finalizers")
                        .and_then(Value::as_array_mut)
                    {
                        l.retain(|f| f != "foregroundDeletion");
                    }
                });
            } else {
                for (dk, d) in &deps {
                    if d.pointer("/metadata/deletionTimestamp").is_none() {
                        c.delete(
                            dk,
                            util::namespace(d),
                            util::name(d),
                            json!({"propagationPolicy": "Foreground"}),
                        );
                    }
                }
            }
        }
    }
}
