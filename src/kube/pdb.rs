//! PodDisruptionBudgets: which one covers a pod (its namespace and its whole label selector,
//! `matchExpressions` too) and whether the Eviction API lets a pod go, as the API server
//! decides it — including `unhealthyPodEvictionPolicy`.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use serde::Serialize;

use super::pod;
use super::selector::{label_selector_matches, pod_labels};

/// What the Eviction API does with a running pod that is not Ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnhealthyPodEvictionPolicy {
    /// The default: evicted without a disruption only while the budget has its healthy pods.
    #[default]
    IfHealthyBudget,
    /// Always evicted, whatever the budget.
    AlwaysAllow,
}

/// A budget's state, as the eviction rule needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Its name.
    pub name: String,
    /// How many pods may be evicted now.
    pub disruptions_allowed: i32,
    /// Healthy pods it counts.
    pub current_healthy: i32,
    /// Healthy pods it wants.
    pub desired_healthy: i32,
    /// What happens to pods that are running but not Ready.
    pub unhealthy_pod_eviction_policy: UnhealthyPodEvictionPolicy,
}

impl Budget {
    /// The budget of a PodDisruptionBudget object (its status; 0 where there is none yet).
    pub fn of(pdb: &PodDisruptionBudget) -> Budget {
        let status = pdb.status.as_ref();
        let policy = pdb
            .spec
            .as_ref()
            .and_then(|s| s.unhealthy_pod_eviction_policy.as_deref());
        Budget {
            name: pdb.metadata.name.clone().unwrap_or_default(),
            disruptions_allowed: status.map_or(0, |s| s.disruptions_allowed),
            current_healthy: status.map_or(0, |s| s.current_healthy),
            desired_healthy: status.map_or(0, |s| s.desired_healthy),
            unhealthy_pod_eviction_policy: match policy {
                Some("AlwaysAllow") => UnhealthyPodEvictionPolicy::AlwaysAllow,
                _ => UnhealthyPodEvictionPolicy::IfHealthyBudget,
            },
        }
    }
}

/// Whether the budget selects the pod: same namespace, and its selector matches (policy/v1:
/// an empty selector selects every pod of the namespace, none selects nothing).
pub fn selects(pdb: &PodDisruptionBudget, pod: &Pod) -> bool {
    if pdb.metadata.namespace.is_some() && pdb.metadata.namespace != pod.metadata.namespace {
        return false;
    }
    pdb.spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .is_some_and(|selector| label_selector_matches(selector, &pod_labels(pod)))
}

/// The budget that covers any of `pods` (the first, as several budgets on one pod make the
/// Eviction API answer 500 anyway).
pub fn covering<'a>(
    pdbs: &'a [PodDisruptionBudget],
    pods: &[&Pod],
) -> Option<&'a PodDisruptionBudget> {
    pdbs.iter()
        .find(|pdb| pods.iter().any(|pod| selects(pdb, pod)))
}

/// The pod as the eviction rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evicted {
    /// Phase Running and not being deleted (others are deleted without a budget check).
    pub running: bool,
    /// Ready.
    pub ready: bool,
}

impl Evicted {
    /// The eviction rule's view of a pod.
    pub fn of(pod: &Pod) -> Evicted {
        Evicted {
            running: pod::phase(pod) == "Running",
            ready: pod::is_ready(pod),
        }
    }
}

/// Whether the Eviction API would refuse to evict the pod now (429 TooManyRequests). Pending,
/// finished and terminating pods are deleted without a check; a running pod that is not Ready
/// goes without a disruption when the policy is AlwaysAllow, or (IfHealthyBudget) while the
/// budget has its healthy pods; every other pod needs a disruption allowed.
pub fn refuses(budget: &Budget, pod: Evicted) -> bool {
    if !pod.running {
        return false;
    }
    if !pod.ready {
        let healthy_budget =
            budget.desired_healthy > 0 && budget.current_healthy >= budget.desired_healthy;
        if budget.unhealthy_pod_eviction_policy == UnhealthyPodEvictionPolicy::AlwaysAllow
            || healthy_budget
        {
            return false;
        }
    }
    budget.disruptions_allowed <= 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pdb(selector: serde_json::Value, policy: Option<&str>) -> PodDisruptionBudget {
        serde_json::from_value(json!({
            "metadata": {"name": "zk-pdb", "namespace": "kafka"},
            "spec": {"selector": selector, "maxUnavailable": 1, "unhealthyPodEvictionPolicy": policy},
            "status": {"disruptionsAllowed": 0, "currentHealthy": 2, "desiredHealthy": 2,
                       "expectedPods": 3, "observedGeneration": 1}
        }))
        .expect("pdb")
    }

    fn pod(namespace: &str, labels: serde_json::Value) -> Pod {
        serde_json::from_value(
            json!({"metadata": {"name": "zk-0", "namespace": namespace, "labels": labels}}),
        )
        .expect("pod")
    }

    #[test]
    fn selection_uses_namespace_and_expressions() {
        let by_expression = pdb(
            json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["zk"]}]}),
            None,
        );
        assert!(selects(&by_expression, &pod("kafka", json!({"app": "zk"}))));
        assert!(!selects(
            &by_expression,
            &pod("other", json!({"app": "zk"}))
        ));
        assert!(!selects(
            &by_expression,
            &pod("kafka", json!({"app": "kafka"}))
        ));
        let empty = pdb(json!({}), None);
        assert!(
            selects(&empty, &pod("kafka", json!({}))),
            "policy/v1: empty selects all"
        );
        let pods = [
            pod("kafka", json!({"app": "kafka"})),
            pod("kafka", json!({"app": "zk"})),
        ];
        let refs: Vec<&Pod> = pods.iter().collect();
        let list = [by_expression];
        assert!(
            covering(&list, &refs).is_some(),
            "any member, not only the first"
        );
    }

    #[test]
    fn the_eviction_rule() {
        let running = |ready| Evicted {
            running: true,
            ready,
        };
        let budget = Budget::of(&pdb(json!({}), None));
        assert!(refuses(&budget, running(true)), "no disruption allowed");
        assert!(
            !refuses(&budget, running(false)),
            "unhealthy, budget healthy"
        );
        assert!(
            !refuses(
                &budget,
                Evicted {
                    running: false,
                    ready: false
                }
            ),
            "pending"
        );
        let short = Budget {
            current_healthy: 1,
            ..budget.clone()
        };
        assert!(
            refuses(&short, running(false)),
            "IfHealthyBudget with the budget short"
        );
        let always = Budget::of(&pdb(json!({}), Some("AlwaysAllow")));
        let always_short = Budget {
            current_healthy: 1,
            ..always
        };
        assert!(!refuses(&always_short, running(false)), "AlwaysAllow");
        assert!(refuses(&always_short, running(true)));
        let open = Budget {
            disruptions_allowed: 1,
            ..short
        };
        assert!(!refuses(&open, running(true)));
    }
}
