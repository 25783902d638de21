//! Whether a node takes pods: its Ready condition, the cordon (`spec.unschedulable`), its
//! effective taints (with the ones the node controller and the scheduler add), and the
//! toleration rule.

use k8s_openapi::api::core::v1::{Node, Taint, Toleration};

/// The taint kube-scheduler checks instead of a cordoned node's real taint.
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";
/// The taint the node controller puts on a node that is not Ready.
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";

/// Whether the node's Ready condition is True.
pub fn is_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Whether the node is cordoned (`spec.unschedulable`).
pub fn is_cordoned(node: &Node) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
}

/// The node's name.
pub fn name(node: &Node) -> &str {
    node.metadata.name.as_deref().unwrap_or_default()
}

/// The taints the scheduler sees: the node's own, the not-ready taint the node controller
/// adds when the node is not Ready (and nobody has added it yet), and the unschedulable
/// taint when it is cordoned (`cordoned` also covers a node about to be drained). The
/// unschedulable taint comes first: the scheduler checks the cordon before the taints.
pub fn effective_taints(node: &Node, cordoned: bool) -> Vec<Taint> {
    let own: Vec<Taint> = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let added = |key: &str| Taint {
        key: key.into(),
        effect: "NoSchedule".into(),
        ..Taint::default()
    };
    let mut taints = Vec::with_capacity(own.len() + 2);
    if cordoned || is_cordoned(node) {
        taints.push(added(UNSCHEDULABLE_TAINT));
    }
    taints.extend(own.into_iter().filter(|t| t.key != UNSCHEDULABLE_TAINT));
    if !is_ready(node) && !taints.iter().any(|t| t.key == NOT_READY_TAINT) {
        taints.push(added(NOT_READY_TAINT));
    }
    taints
}

/// Kubernetes' toleration rule: the effect matches (or the toleration names none), and the
/// key matches (an empty key with `Exists` matches every taint), and `Exists` or equal values.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    if toleration
        .effect
        .as_deref()
        .is_some_and(|e| !e.is_empty() && e != taint.effect)
    {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or_default();
    let exists = toleration.operator.as_deref() == Some("Exists");
    if key.is_empty() {
        return exists;
    }
    key == taint.key
        && (exists
            || toleration.value.as_deref().unwrap_or_default()
                == taint.value.as_deref().unwrap_or_default())
}

/// Whether a taint keeps new pods off the node (NoSchedule or NoExecute).
pub fn blocks_scheduling(taint: &Taint) -> bool {
    taint.effect == "NoSchedule" || taint.effect == "NoExecute"
}

/// The first scheduling taint of `taints` that none of `tolerations` tolerates.
pub fn untolerated<'a>(taints: &'a [Taint], tolerations: &[Toleration]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| blocks_scheduling(t))
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tolerations_follow_kubernetes_rules() {
        let taint = Taint {
            key: "k".into(),
            value: Some("v".into()),
            effect: "NoSchedule".into(),
            ..Taint::default()
        };
        let t =
            |json: serde_json::Value| -> Toleration { serde_json::from_value(json).expect("t") };
        assert!(tolerates(&t(json!({"operator": "Exists"})), &taint));
        assert!(tolerates(&t(json!({"key": "k", "value": "v"})), &taint));
        assert!(!tolerates(&t(json!({"key": "k", "value": "w"})), &taint));
        assert!(!tolerates(
            &t(json!({"key": "k", "operator": "Exists", "effect": "NoExecute"})),
            &taint
        ));
        assert!(!tolerates(&t(json!({"key": "", "value": "v"})), &taint));
    }

    #[test]
    fn effective_taints_add_the_controllers_taints() {
        let node: Node = serde_json::from_value(json!({
            "metadata": {"name": "n"},
            "spec": {"unschedulable": true, "taints": [{"key": "dedicated", "value": "kafka", "effect": "PreferNoSchedule"}]},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]}
        }))
        .expect("node");
        let keys: Vec<String> = effective_taints(&node, false)
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(keys, [UNSCHEDULABLE_TAINT, "dedicated", NOT_READY_TAINT]);
        let taints = effective_taints(&node, false);
        assert_eq!(
            untolerated(&taints, &[]).map(|t| t.key.as_str()),
            Some(UNSCHEDULABLE_TAINT),
            "PreferNoSchedule does not keep pods off"
        );
        assert!(is_cordoned(&node) && !is_ready(&node));
    }
}
