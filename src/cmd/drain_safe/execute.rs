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

/// Runs the drain: refuse an UNSAFE node, ask, cordon, then move each member off in
/// eviction order; the first refusal or risk stops it with the node left cordoned.
pub async fn run(client: &Client, plan: Plan<'_>) -> anyhow::Result<Outcome> {
    let node = plan.node;
    if plan.first.verdict == Verdict::Unsafe {
        eprintln!(
            "refusing to drain {node}: the verdict is UNSAFE (reasons above); nothing was cordoned or evicted"
        );
        return Ok(Outcome::CheckFailed);
    }
    if !plan.yes && !confirmed(&plan)? {
        eprintln!("nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let mut drain = Drain {
        node,
        progress: Progress {
            start: Instant::now(),
        },
        evicted: Vec::new(),
    };
    if cordon(client, node).await? {
        drain.progress.line(&format!("node/{node} cordoned"));
    } else {
        drain
            .progress
            .line(&format!("node/{node} was already cordoned"));
    }
    let order: Vec<(String, String, String)> = plan
        .first
        .members()
        .map(|(e, m)| (e.namespace.clone(), e.ensemble.clone(), m.pod.clone()))
        .collect();
    for (namespace, ensemble_name, pod) in &order {
        let Some(ensemble) = plan
            .ensembles
            .iter()
            .find(|e| &e.namespace == namespace && &e.name == ensemble_name)
        else {
            continue;
        };
        if let Err(why) = drain.move_member(client, &plan, ensemble, pod).await {
            return Ok(drain.stop(&why));
        }
    }
    drain.done(&plan);
    Ok(Outcome::Ok)
}

/// Asks whether to cordon the node and evict its members, naming them in order.
fn confirmed(plan: &Plan<'_>) -> anyhow::Result<bool> {
    let members: Vec<String> = plan
        .first
        .members()
        .map(|(_, m)| format!("{} ({})", m.pod, m.mode.word()))
        .collect();
    let what = if members.is_empty() {
        "no ZooKeeper member to evict".to_owned()
    } else {
        format!(
            "evict {}{} through the Eviction API",
            members.join(", then "),
            if members.len() > 1 {
                " one at a time"
            } else {
                ""
            }
        )
    };
    let node = plan.node;
    let question = format!("Cordon node {node} and {what}?");
    confirm::confirm(&question, &format!("drain node {node}"), false)
}

/// A drain under way: the node, the progress clock, the members evicted so far.
struct Drain<'a> {
    node: &'a str,
    progress: Progress,
    evicted: Vec<String>,
}

/// Said when Ctrl-C stops the drain.
const INTERRUPTED: &str = "interrupted (Ctrl-C); the member being evicted may still be coming back";

impl Drain<'_> {
    /// Judges again, evicts `pod` through the Eviction API and waits until it is back in sync
    /// elsewhere; `Err` says why the drain must stop.
    async fn move_member(
        &mut self,
        client: &Client,
        plan: &Plan<'_>,
        ensemble: &Ensemble,
        pod: &str,
    ) -> Result<(), String> {
        let (node, namespace) = (self.node, ensemble.namespace.as_str());
        // Judge again: the state may have changed since the last member came back.
        let view = gather(client, plan.ensembles).await.map_err(|err| {
            format!(
                "cannot judge again: {}",
                crate::cluster::error::one_line(&err)
            )
        })?;
        let now = judge(&view, node);
        let Some((_, member)) = now.members().find(|(_, m)| m.pod == pod) else {
            self.progress
                .line(&format!("{namespace}/{pod} no longer runs on {node}"));
            return Ok(());
        };
        if now.verdict == Verdict::Unsafe {
            let reasons: Vec<&str> = now.reasons.iter().map(|r| r.message.as_str()).collect();
            return Err(format!(
                "draining is no longer safe: {}",
                reasons.join("; ")
            ));
        }
        let synced_before = view
            .ensembles
            .iter()
            .find(|s| s.namespace == namespace && s.ensemble == ensemble.name)
            .and_then(|s| s.synced_followers);
        let old_uid = view
            .pods
            .iter()
            .find(|p| {
                p.metadata.namespace.as_deref() == Some(namespace)
                    && p.metadata.name.as_deref() == Some(pod)
            })
            .and_then(|p| p.metadata.uid.clone());
        self.progress.line(&format!(
            "evicting {namespace}/{pod} ({})",
            member.mode.word()
        ));
        self.evict(client, namespace, pod).await?;
        self.evicted.push(pod.to_owned());
        let awaited = Awaited {
            ensemble,
            pod,
            old_uid: old_uid.as_deref(),
            away_from: Some(node),
            synced_before,
        };
        let progress = &self.progress;
        tokio::select! {
            back = wait_rejoined(client, &awaited, plan.timeout, |line| progress.line(&line)) => back,
            _ = tokio::signal::ctrl_c() => Err(INTERRUPTED.to_owned()),
        }
    }

    /// One eviction, retried while the budget refuses it (429), at most [`EVICT_RETRY_FOR`].
    async fn evict(&self, client: &Client, namespace: &str, pod: &str) -> Result<(), String> {
        let progress = &self.progress;
        let eviction = evict(client, namespace, pod, EVICT_RETRY_FOR, |message| {
            progress.line(&format!(
                "the PodDisruptionBudget refuses to evict {pod} ({message}); retrying for up to {}s",
                EVICT_RETRY_FOR.as_secs()
            ))
        });
        let outcome = tokio::select! {
            outcome = eviction => outcome,
            _ = tokio::signal::ctrl_c() => return Err(INTERRUPTED.to_owned()),
        };
        match outcome {
            Ok(Evicted::Accepted) => progress.line(&format!("pod/{pod} evicted")),
            Ok(Evicted::Gone) => progress.line(&format!("pod/{pod} was already gone")),
            Ok(Evicted::Refused(message)) => {
                return Err(format!(
                    "the PodDisruptionBudget still refuses to evict {pod} after {}s: {message}",
                    EVICT_RETRY_FOR.as_secs()
                ));
            }
            Err(err) => return Err(crate::cluster::error::one_line(&err)),
        }
        Ok(())
    }

    /// Stops: says why, what was evicted, and how to go on.
    fn stop(&self, why: &str) -> Outcome {
        let node = self.node;
        self.progress.line(&format!("stopped: {why}"));
        eprintln!(
            "node/{node} stays cordoned; evicted so far: {}. Once the cause is fixed run `kubectl zk drain-safe {node} --execute` again, or give the node back with `kubectl uncordon {node}`",
            if self.evicted.is_empty() {
                "none".to_owned()
            } else {
                self.evicted.join(", ")
            }
        );
        Outcome::CheckFailed
    }

    /// Done: what moved, and what still runs on the node.
    fn done(&self, plan: &Plan<'_>) {
        let node = self.node;
        self.progress.line(&format!(
            "done: {} ZooKeeper member(s) moved off {node}; node/{node} stays cordoned: `kubectl uncordon {node}` after the maintenance",
            self.evicted.len()
        ));
        if !plan.first.other_pods.is_empty() {
            eprintln!(
                "{} other pod(s) still run on {node}; drain-safe evicts only ZooKeeper members: `kubectl drain {node} --ignore-daemonsets` evicts the rest",
                plan.first.other_pods.len()
            );
        }
    }
}
