//! Label selectors (`matchLabels` and `matchExpressions`) and node selectors (`nodeSelector`,
//! required node affinity, a PersistentVolume's node affinity), matched as Kubernetes does.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeSelector, NodeSelectorRequirement, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::core::{Selector, SelectorExt};

/// Whether `selector` selects an object with `labels`. An empty selector selects everything;
/// one that cannot be parsed selects nothing.
pub fn label_selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    Selector::try_from(selector.clone()).is_ok_and(|s| s.matches(labels))
}

/// The pod's labels (empty when it has none).
pub fn pod_labels(pod: &Pod) -> BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

fn node_labels(node: &Node) -> BTreeMap<String, String> {
    node.metadata.labels.clone().unwrap_or_default()
}

/// The pod's `nodeSelector` and required node affinity both match the node.
pub fn node_selector_matches(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return true;
    };
    let labels = node_labels(node);
    let selector_ok = spec
        .node_selector
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let affinity_ok = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .is_none_or(|selector| selector_terms_match(selector, node));
    selector_ok && affinity_ok
}

/// A NodeSelector: any of its terms, each term all of its requirements (an empty term
/// matches nothing).
pub fn selector_terms_match(selector: &NodeSelector, node: &Node) -> bool {
    let labels = node_labels(node);
    let name = node.metadata.name.clone().unwrap_or_default();
    selector.node_selector_terms.iter().any(|term| {
        let fields = term.match_fields.iter().flatten().all(|r| {
            let value = (r.key == "metadata.name").then(|| name.clone());
            requirement_matches(r, value.as_deref())
        });
        let expressions = term
            .match_expressions
            .iter()
            .flatten()
            .all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)));
        let empty = term.match_fields.as_ref().is_none_or(Vec::is_empty)
            && term.match_expressions.as_ref().is_none_or(Vec::is_empty);
        !empty && fields && expressions
    })
}

/// One node selector requirement against the value of its key (`None`: the key is absent).
pub fn requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values: &[String] = requirement.values.as_deref().unwrap_or_default();
    let number = |v: &str| v.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), Some(bound)) = (
                value.and_then(number),
                values.first().and_then(|v| number(v)),
            ) else {
                return false;
            };
            if requirement.operator == "Gt" {
                have > bound
            } else {
                have < bound
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_use_expressions_too() {
        let selector: LabelSelector = serde_json::from_value(json!({
            "matchLabels": {"app": "zk"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["test"]}]
        }))
        .expect("selector");
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        assert!(label_selector_matches(&selector, &labels(&[("app", "zk")])));
        assert!(!label_selector_matches(
            &selector,
            &labels(&[("app", "zk"), ("tier", "test")])
        ));
        assert!(label_selector_matches(
            &LabelSelector::default(),
            &labels(&[])
        ));
    }

    #[test]
    fn node_requirements() {
        let r = |op: &str, values: &[&str]| NodeSelectorRequirement {
            key: "k".into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
        };
        assert!(requirement_matches(&r("In", &["a"]), Some("a")));
        assert!(requirement_matches(&r("NotIn", &["a"]), None));
        assert!(requirement_matches(&r("Gt", &["3"]), Some("4")));
        assert!(!requirement_matches(&r("Lt", &["3"]), Some("x")));
        assert!(!requirement_matches(&r("Exists", &[]), None));
    }
}
