//! What a pod's status means: Ready, its phase as kubectl shows it (with `Terminating`), why
//! it is not running (the scheduler's message, a waiting container's reason), and a short
//! state for progress lines.

use k8s_openapi::api::core::v1::Pod;

/// Whether the pod's Ready condition is True.
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Whether the pod is being deleted.
pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// Ready and not being deleted: a member that is up and stays up.
pub fn is_up(pod: &Pod) -> bool {
    !is_terminating(pod) && is_ready(pod)
}

/// The phase as kubectl's STATUS column starts from: `Terminating` while being deleted,
/// else `status.phase` (`Pending` when there is none yet).
pub fn phase(pod: &Pod) -> String {
    if is_terminating(pod) {
        return "Terminating".into();
    }
    pod.status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into())
}

/// Whether the pod has finished (Succeeded or Failed): it takes no room on its node.
pub fn is_finished(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

/// The node the pod is bound to.
pub fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref())
}

/// Why a pod is not running, as `reason: message`: the scheduler's (`Unschedulable: 0/3
/// nodes are available: …`), else the first waiting container's (`ImagePullBackOff: …`).
pub fn pending_reason(pod: &Pod) -> Option<String> {
    let state = state(pod);
    match state.reason {
        Some(reason) => Some(format!("{reason}: {}", state.detail.unwrap_or_default())),
        None if state.waiting => Some(format!(
            "{}: {}",
            state.state,
            state.detail.unwrap_or_default()
        )),
        None => None,
    }
}

/// One pod's state as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodState {
    /// Short state: Pending, ContainerCreating, Running, Ready, CrashLoopBackOff…
    pub state: String,
    /// The condition's or container's reason, when it differs from the state (`Unschedulable`).
    pub reason: Option<String>,
    /// Why, when it is stuck.
    pub detail: Option<String>,
    /// Whether a container is waiting (the state is its reason).
    pub waiting: bool,
}

/// The state of a pod as a word and a reason.
pub fn state(pod: &Pod) -> PodState {
    let plain = |state: &str, detail: Option<String>| PodState {
        state: state.to_owned(),
        reason: None,
        detail,
        waiting: false,
    };
    if is_terminating(pod) {
        return plain("Terminating", None);
    }
    let status = pod.status.clone().unwrap_or_default();
    if let Some(c) = status.conditions.as_ref().and_then(|c| {
        c.iter()
            .find(|c| c.type_ == "PodScheduled" && c.status == "False")
    }) {
        return PodState {
            state: "Pending".into(),
            reason: Some(c.reason.clone().unwrap_or_else(|| "Unschedulable".into())),
            detail: Some(
                c.message
                    .clone()
                    .or_else(|| c.reason.clone())
                    .unwrap_or_default(),
            ),
            waiting: false,
        };
    }
    for container in status.container_statuses.iter().flatten() {
        if let Some(waiting) = container.state.as_ref().and_then(|s| s.waiting.as_ref()) {
            let reason = waiting.reason.clone().unwrap_or_else(|| "Waiting".into());
            return PodState {
                state: reason,
                reason: None,
                detail: waiting.message.clone(),
                waiting: true,
            };
        }
    }
    let phase = status.phase.unwrap_or_else(|| "Pending".into());
    if is_ready(pod) {
        plain("Ready", None)
    } else if phase == "Running" {
        plain("Running", Some("waiting for the readiness probe".into()))
    } else {
        plain(&phase, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "zk-0"}, "status": status}))
            .expect("pod")
    }

    #[test]
    fn states_and_reasons() {
        let ready =
            pod(json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}));
        assert!(is_ready(&ready) && is_up(&ready));
        assert_eq!(state(&ready).state, "Ready");
        assert_eq!(pending_reason(&ready), None);

        let probing =
            pod(json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}));
        assert!(!is_ready(&probing));
        assert_eq!(state(&probing).state, "Running");

        let unschedulable = pod(json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/3 nodes are available: 3 node(s) were unschedulable."}]}));
        assert_eq!(
            pending_reason(&unschedulable).as_deref(),
            Some("Unschedulable: 0/3 nodes are available: 3 node(s) were unschedulable.")
        );
        assert_eq!(state(&unschedulable).state, "Pending");

        let pulling = pod(
            json!({"phase": "Pending", "containerStatuses": [{"name": "zookeeper",
            "image": "zookeeper", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]}),
        );
        assert_eq!(
            pending_reason(&pulling).as_deref(),
            Some("ImagePullBackOff: Back-off pulling image")
        );
        assert_eq!(phase(&pulling), "Pending");
        assert!(!is_finished(&pulling));
        assert!(is_finished(&pod(json!({"phase": "Succeeded"}))));
    }
}
