//! `drain-safe --execute`: cordon the node, then evict its ZooKeeper members through the
//! Eviction API one at a time — followers first, the leader last — re-judging before each
//! eviction and waiting until the replacement is Ready and in sync with the leader before the
//! next. It stops at the first refusal or risk, leaves the node cordoned and says what to do.
//! Progress goes to stderr, one line per step, with the time since the start.

use std::time::{Duration, Instant};

use kube::Client;

use super::decide::{NodeJudgement, Verdict, judge};
use super::gather::gather;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::evict::{Evicted, cordon, evict};
use crate::cmd::Outcome;
use crate::confirm;
use crate::ensemble::rejoin::{Awaited, wait_rejoined};

/// How long a refusing PodDisruptionBudget (429) is retried before giving up.
pub const EVICT_RETRY_FOR: Duration = Duration::from_secs(60);

/// Progress lines on stderr: `[  12.3s] what happened`.
struct Progress {
    start: Instant,
}

impl Progress {
    fn line(&self, text: &str) {
        eprintln!("[{:>6.1}s] {text}", self.start.elapsed().as_secs_f64());
    }
}

/// What `--execute` needs besides the client.
pub struct Plan<'a> {
    /// The node.
    pub node: &'a str,
    /// The ensembles judged.
    pub ensembles: &'a [Ensemble],
    /// The judgement already shown.
    pub first: &'a NodeJudgement,
    /// Skip the question.
    pub yes: bool,
    /// How long each member may take to come back.
    pub timeout: Duration,
}

/// Runs the drain.
pub async fn run(client: &Client, plan: Plan<'_>) -> anyhow::Result<Outcome> {
    let node = plan.node;
    if plan.first.verdict == Verdict::Unsafe {
        eprintln!(
            "refusing to drain {node}: the verdict is UNSAFE (reasons above); nothing was cordoned or evicted"
        );
        return Ok(Outcome::CheckFailed);
    }
    let order: Vec<(String, String, String)> = plan
        .first
        .members()
        .map(|(e, m)| (e.namespace.clone(), e.ensemble.clone(), m.pod.clone()))
        .collect();
    if !plan.yes {
        let what = if order.is_empty() {
            "no ZooKeeper member to evict".to_owned()
        } else {
            format!(
                "evict {}{} through the Eviction API",
                plan.first
                    .members()
                    .map(|(_, m)| format!("{} ({})", m.pod, m.mode.word()))
                    .collect::<Vec<_>>()
                    .join(", then "),
                if order.len() > 1 {
                    " one at a time"
                } else {
                    ""
                }
            )
        };
        let question = format!("Cordon node {node} and {what}?");
        if !confirm::confirm(&question, &format!("drain node {node}"), false)? {
            eprintln!("nothing was changed");
            return Ok(Outcome::CheckFailed);
        }
    }
    let progress = Progress {
        start: Instant::now(),
    };
    if cordon(client, node).await? {
        progress.line(&format!("node/{node} cordoned"));
    } else {
        progress.line(&format!("node/{node} was already cordoned"));
    }
    let mut evicted: Vec<String> = Vec::new();
    let stop = |why: String, evicted: &[String]| {
        progress.line(&format!("stopped: {why}"));
        eprintln!(
            "node/{node} stays cordoned; evicted so far: {}. Once the cause is fixed run `kubectl zk drain-safe {node} --execute` again, or give the node back with `kubectl uncordon {node}`",
            if evicted.is_empty() {
                "none".to_owned()
            } else {
                evicted.join(", ")
            }
        );
        Ok(Outcome::CheckFailed)
    };
    let interrupted = |evicted: &[String]| {
        stop(
            "interrupted (Ctrl-C); the member being evicted may still be coming back".into(),
            evicted,
        )
    };
    for (namespace, ensemble_name, pod) in &order {
        let Some(ensemble) = plan
            .ensembles
            .iter()
            .find(|e| &e.namespace == namespace && &e.name == ensemble_name)
        else {
            continue;
        };
        // Judge again: the state may have changed since the last member came back.
        let view = match gather(client, plan.ensembles).await {
            Ok(view) => view,
            Err(err) => {
                return stop(
                    format!(
                        "cannot judge again: {}",
                        crate::cluster::error::one_line(&err)
                    ),
                    &evicted,
                );
            }
        };
        let now = judge(&view, node);
        let Some((_, member)) = now.members().find(|(_, m)| &m.pod == pod) else {
            progress.line(&format!("{namespace}/{pod} no longer runs on {node}"));
            continue;
        };
        if now.verdict == Verdict::Unsafe {
            let reasons: Vec<&str> = now.reasons.iter().map(|r| r.message.as_str()).collect();
            return stop(
                format!("draining is no longer safe: {}", reasons.join("; ")),
                &evicted,
            );
        }
        let status = view
            .ensembles
            .iter()
            .find(|s| &s.namespace == namespace && &s.ensemble == ensemble_name);
        let synced_before = status.and_then(|s| s.synced_followers);
        let old_uid = view
            .pods
            .iter()
            .find(|p| {
                p.metadata.namespace.as_deref() == Some(namespace.as_str())
                    && p.metadata.name.as_deref() == Some(pod.as_str())
            })
            .and_then(|p| p.metadata.uid.clone());
        progress.line(&format!(
            "evicting {namespace}/{pod} ({})",
            member.mode.word()
        ));
        let eviction = evict(client, namespace, pod, EVICT_RETRY_FOR, |message| {
            progress.line(&format!(
                "the PodDisruptionBudget refuses to evict {pod} ({message}); retrying for up to {}s",
                EVICT_RETRY_FOR.as_secs()
            ))
        });
        let outcome = tokio::select! {
            outcome = eviction => outcome,
            _ = tokio::signal::ctrl_c() => return interrupted(&evicted),
        };
        match outcome {
            Ok(Evicted::Accepted) => progress.line(&format!("pod/{pod} evicted")),
            Ok(Evicted::Gone) => progress.line(&format!("pod/{pod} was already gone")),
            Ok(Evicted::Refused(message)) => {
                return stop(
                    format!(
                        "the PodDisruptionBudget still refuses to evict {pod} after {}s: {message}",
                        EVICT_RETRY_FOR.as_secs()
                    ),
                    &evicted,
                );
            }
            Err(err) => return stop(crate::cluster::error::one_line(&err), &evicted),
        }
        evicted.push(pod.clone());
        let awaited = Awaited {
            ensemble,
            pod,
            old_uid: old_uid.as_deref(),
            away_from: Some(node),
            synced_before,
        };
        let back = tokio::select! {
            back = wait_rejoined(client, &awaited, plan.timeout, |line| progress.line(&line)) => back,
            _ = tokio::signal::ctrl_c() => return interrupted(&evicted),
        };
        if let Err(why) = back {
            return stop(why, &evicted);
        }
    }
    progress.line(&format!(
        "done: {} ZooKeeper member(s) moved off {node}; node/{node} stays cordoned: `kubectl uncordon {node}` after the maintenance",
        evicted.len()
    ));
    if !plan.first.other_pods.is_empty() {
        eprintln!(
            "{} other pod(s) still run on {node}; drain-safe evicts only ZooKeeper members: `kubectl drain {node} --ignore-daemonsets` evicts the rest",
            plan.first.other_pods.len()
        );
    }
    Ok(Outcome::Ok)
}
