//! Following a rollout with a watch: per-member progress in ordinal order, and on trouble
//! the reason (the scheduler's message, image pull errors, a crash loop with the last log
//! lines, the StatefulSet's FailedCreate events) instead of a silent wait.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, LogParams};
use kube::runtime::watcher::{self, Event as WatchEvent};
use kube::{Client, ResourceExt};

use crate::manifest::EnsembleSpec;

pub use crate::kube::pod::{PodState as MemberState, state as member_state};

/// Whether a state means trouble worth explaining.
fn is_trouble(state: &MemberState) -> bool {
    matches!(
        state.state.as_str(),
        "Pending"
            | "ErrImagePull"
            | "ImagePullBackOff"
            | "CrashLoopBackOff"
            | "CreateContainerConfigError"
            | "Failed"
    ) && state.detail.is_some()
        || state.state == "CrashLoopBackOff"
}

/// How the rollout ended.
#[derive(Debug)]
pub enum Rollout {
    /// Every member Ready and updated.
    Done,
    /// The timeout passed; the members not Ready, with why.
    TimedOut(Vec<String>),
}

/// Watches the ensemble's pods until every member is Ready and the StatefulSet's rollout is
/// complete, printing progress on stderr.
pub async fn wait(
    client: &Client,
    spec: &EnsembleSpec,
    timeout: Duration,
) -> anyhow::Result<Rollout> {
    let ns = spec.namespace.as_str();
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let events: Api<Event> = Api::namespaced(client.clone(), ns);
    let config = watcher::Config::default().labels(&spec.selector_string());
    let mut stream = watcher::watcher(pods.clone(), config).boxed();
    let deadline = Instant::now() + timeout;
    let progress = Progress::new(spec);
    let mut current: BTreeMap<String, Pod> = BTreeMap::new();
    let mut shown: BTreeMap<String, MemberState> = BTreeMap::new();
    let mut explained_events = std::collections::BTreeSet::new();
    let mut check = tokio::time::interval(Duration::from_secs(2));
    loop {
        tokio::select! {
            event = stream.next() => {
                match event {
                    Some(Ok(WatchEvent::Apply(pod) | WatchEvent::InitApply(pod))) => {
                        current.insert(pod.name_any(), pod);
                    }
                    Some(Ok(WatchEvent::Delete(pod))) => {
                        current.remove(&pod.name_any());
                    }
                    Some(Ok(WatchEvent::Init | WatchEvent::InitDone)) => {}
                    Some(Err(err)) => progress.note(&format!("watch interrupted ({err}); resuming")),
                    None => anyhow::bail!("the watch on pods in namespace {ns} ended"),
                }
            }
            _ = check.tick() => {
                // The StatefulSet's own events say why pods are not created at all.
                let failed = events
                    .list(&ListParams::default().fields(&format!("involvedObject.name={}", spec.name)))
                    .await
                    .map(|l| l.items)
                    .unwrap_or_default();
                for event in failed.iter().filter(|e| e.reason.as_deref() == Some("FailedCreate")) {
                    let message = event.message.clone().unwrap_or_default();
                    if explained_events.insert(message.clone()) {
                        progress.note(&format!("statefulset {} cannot create pods: {message}", spec.name));
                    }
                }
            }
            _ = tokio::time::sleep_until(deadline.into()) => {
                let stuck = (0..spec.replicas)
                    .map(|i| spec.name.pod(i))
                    .filter(|name| shown.get(name).is_none_or(|s| s.state != "Ready"))
                    .map(|name| {
                        let state = shown.get(&name).cloned();
                        match state {
                            Some(s) => format!("{name}: {}{}", s.state, s.detail.map(|d| format!(" ({d})")).unwrap_or_default()),
                            None => format!("{name}: not created"),
                        }
                    })
                    .collect();
                progress.finish();
                return Ok(Rollout::TimedOut(stuck));
            }
        }
        for ordinal in 0..spec.replicas {
            let name = spec.name.pod(ordinal);
            let Some(pod) = current.get(&name) else {
                continue;
            };
            let state = member_state(pod);
            if shown.get(&name) == Some(&state) {
                continue;
            }
            let mut detail = state.detail.clone();
            if state.state == "CrashLoopBackOff" {
                detail = Some(last_log_lines(&pods, &name, 5).await);
            }
            progress.member(
                ordinal,
                &name,
                &state.state,
                detail.as_deref(),
                is_trouble(&state),
            );
            shown.insert(name, state);
        }
        let all_ready = (0..spec.replicas).all(|i| {
            shown
                .get(&spec.name.pod(i))
                .is_some_and(|s| s.state == "Ready")
        });
        if all_ready && rollout_complete(&sets, spec).await {
            progress.finish();
            return Ok(Rollout::Done);
        }
    }
}

/// The StatefulSet controller has seen the latest spec and every replica is updated and Ready.
async fn rollout_complete(sets: &Api<StatefulSet>, spec: &EnsembleSpec) -> bool {
    sets.get(spec.name.as_str())
        .await
        .is_ok_and(|sts| crate::kube::statefulset::rolled_out(&sts, spec.replicas))
}

async fn last_log_lines(pods: &Api<Pod>, name: &str, lines: i64) -> String {
    let params = LogParams {
        previous: true,
        tail_lines: Some(lines),
        ..LogParams::default()
    };
    match pods.logs(name, &params).await {
        Ok(text) if !text.trim().is_empty() => format!("last log lines:\n{}", indent(&text)),
        _ => "the container keeps exiting; see kubectl logs --previous".into(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Progress on stderr: a bar per member on a terminal, plain lines otherwise.
struct Progress {
    bars: Option<(indicatif::MultiProgress, Vec<indicatif::ProgressBar>)>,
}

impl Progress {
    fn new(spec: &EnsembleSpec) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bars: None };
        }
        let multi = indicatif::MultiProgress::new();
        let style = indicatif::ProgressStyle::with_template("{spinner} {prefix:8} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        let bars = (0..spec.replicas)
            .map(|i| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(spec.name.pod(i));
                bar.set_message("waiting to be created");
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .collect();
        Progress {
            bars: Some((multi, bars)),
        }
    }

    fn member(&self, ordinal: u32, name: &str, state: &str, detail: Option<&str>, trouble: bool) {
        let text = match detail {
            Some(d) => format!("{state}: {d}"),
            None => state.to_owned(),
        };
        match &self.bars {
            Some((multi, bars)) => {
                if let Some(bar) = bars.get(ordinal as usize) {
                    if state == "Ready" {
                        bar.finish_with_message("Ready");
                    } else {
                        bar.set_message(text.lines().next().unwrap_or_default().to_owned());
                    }
                }
                if trouble {
                    let _ = multi.println(format!("{name}: {text}"));
                }
            }
            None => eprintln!("{name}: {text}"),
        }
    }

    fn note(&self, text: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    fn finish(&self) {
        if let Some((_, bars)) = &self.bars {
            for bar in bars {
                bar.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).expect("pod")
    }

    #[test]
    fn states_explain_trouble() {
        let pending = pod(
            serde_json::json!({"status": {"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/4 nodes are available: 1 node(s) were unschedulable."}]}}),
        );
        let state = member_state(&pending);
        assert_eq!(state.state, "Pending");
        assert_eq!(
            state.detail.as_deref(),
            Some("0/4 nodes are available: 1 node(s) were unschedulable.")
        );
        assert!(is_trouble(&state));

        let pulling = pod(
            serde_json::json!({"status": {"phase": "Pending", "containerStatuses": [
            {"name": "zk", "image": "x", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"x\""}}}]}}),
        );
        let state = member_state(&pulling);
        assert_eq!(state.state, "ImagePullBackOff");
        assert!(is_trouble(&state));

        let ready = pod(
            serde_json::json!({"status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True"}]}}),
        );
        assert_eq!(member_state(&ready).state, "Ready");
        let running = pod(
            serde_json::json!({"status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "False"}]}}),
        );
        let state = member_state(&running);
        assert_eq!(state.state, "Running");
        assert!(!is_trouble(&state));
    }
}
