//! Namespaces: a `default` ServiceAccount in each; a terminating namespace has its content deleted,
//! then goes away.

use super::Controllers;
use crate::api::resources::keys;
use crate::util;
use serde_json::json;

pub fn reconcile(c: &Controllers) {
    for ns in c.ctx.store.items(keys::NAMESPACES) {
        let name = util::name(&ns).to_string();
        if ns.pointer("/metadata/deletionTimestamp").is_some() {
            let content = c.ctx.store.all_in_namespace(&name);
            if content.is_empty() {
                let _ = c.ctx.store.remove(keys::NAMESPACES, "", &name, None);
                continue;
            }
            for (key, o) in content {
                if o.pointer("/metadata/deletionTimestamp").is_none() {
                    c.delete(
                        &key,
                        &name,
                        util::name(&o),
                        json!({"propagationPolicy": "Background"}),
                    );
                }
            }
            continue;
        }
        if c.ctx
            .store
            .get(keys::SERVICEACCOUNTS, &name, "default")
            .is_none()
        {
            c.create(keys::SERVICEACCOUNTS, json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}));
        }
    }
}
