//! How a drain verdict looks: one node as a header, its members and every reason; all nodes
//! as one row each. JSON and YAML are the models themselves.

use serde::Serialize;

use super::decide::{EnsembleJudgement, NodeJudgement, Verdict};
use crate::render::{Document, Style, Tabular, plain_table, serialize_items};

/// How many other pods are named before "and N more".
const OTHER_PODS_SHOWN: usize = 5;

fn verdict_word(verdict: Verdict, style: Style) -> String {
    match verdict {
        Verdict::Safe => style.good("SAFE"),
        Verdict::Unsafe => style.bad("UNSAFE"),
    }
}

fn ensemble_line(e: &EnsembleJudgement) -> String {
    let leader = match (&e.leader, &e.leader_node) {
        (Some(pod), Some(node)) => format!("leader {pod} on {node}"),
        (Some(pod), None) => format!("leader {pod}"),
        (None, _) => "no leader".into(),
    };
    let pdb = match &e.pdb {
        Some(p) => format!(
            "PDB {} allows {} disruption(s)",
            p.name, p.disruptions_allowed
        ),
        None => "no PDB".into(),
    };
    format!(
        "Ensemble {}/{}: {} voters, quorum {}; in sync {} now, {} after the drain; {leader}; {pdb}\n",
        e.namespace, e.ensemble, e.voters, e.quorum_size, e.in_sync_now, e.in_sync_after
    )
}

/// Other pods, a few by name.
fn other_pods_line(j: &NodeJudgement) -> Option<String> {
    if j.other_pods.is_empty() {
        return None;
    }
    let mut named: Vec<&str> = j
        .other_pods
        .iter()
        .take(OTHER_PODS_SHOWN)
        .map(String::as_str)
        .collect();
    let more = j.other_pods.len().saturating_sub(OTHER_PODS_SHOWN);
    let more_text = format!("and {more} more");
    if more > 0 {
        named.push(&more_text);
    }
    Some(format!(
        "{} other pod(s) run on {} ({}): drain-safe --execute evicts only ZooKeeper members; `kubectl drain {} --ignore-daemonsets` evicts the rest",
        j.other_pods.len(),
        j.node,
        named.join(", "),
        j.node
    ))
}

impl Tabular for NodeJudgement {
    fn table(&self, style: Style, _wide: bool) -> String {
        let mut text = format!(
            "Node {}{}: {} to drain\n",
            style.bold(&self.node),
            if self.cordoned { " (cordoned)" } else { "" },
            verdict_word(self.verdict, style)
        );
        if self.ensembles.is_empty() {
            text.push_str(&format!(
                "No ZooKeeper member runs on {} (ensembles checked: {}).\n",
                self.node,
                self.checked.join(", ")
            ));
        }
        for e in &self.ensembles {
            text.push('\n');
            text.push_str(&ensemble_line(e));
            let rows = e
                .members
                .iter()
                .map(|m| {
                    let mode = if m.leader {
                        style.bold("leader")
                    } else {
                        m.mode.word().to_owned()
                    };
                    let once_evicted = if m.reschedule.schedulable {
                        format!("fits on {}", m.reschedule.nodes.join(", "))
                    } else {
                        style.bad("would stay Pending")
                    };
                    vec![
                        m.shown.clone(),
                        mode,
                        if m.ready { "1/1".into() } else { "0/1".into() },
                        if m.in_sync { "yes".into() } else { "no".into() },
                        once_evicted,
                    ]
                })
                .collect();
            text.push_str(&plain_table(
                &["MEMBER", "MODE", "READY", "IN SYNC", "ONCE EVICTED"],
                rows,
            ));
        }
        if !self.reasons.is_empty() {
            text.push('\n');
        }
        for reason in &self.reasons {
            text.push_str(&format!("{} {}\n", style.bad("Unsafe:"), reason.message));
        }
        let others = other_pods_line(self);
        for note in self.notes.iter().chain(others.iter()) {
            text.push_str(&format!("{} {note}\n", style.warn("Note:")));
        }
        text
    }
}

/// `--all-nodes`: every node's judgement, one row each (`items` in JSON).
#[derive(Debug)]
pub struct AllNodes(pub Vec<NodeJudgement>);

impl Serialize for AllNodes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_items(&self.0, serializer)
    }
}

impl Document for AllNodes {
    const KIND: &'static str = "DrainJudgementList";
}

impl Document for NodeJudgement {
    const KIND: &'static str = "DrainJudgement";
}

impl Tabular for AllNodes {
    fn table(&self, style: Style, wide: bool) -> String {
        let rows = self
            .0
            .iter()
            .map(|j| {
                let members: Vec<&str> = j.members().map(|(_, m)| m.shown.as_str()).collect();
                let leader: Vec<&str> = j
                    .members()
                    .filter(|(_, m)| m.leader)
                    .map(|(_, m)| m.shown.as_str())
                    .collect();
                let dash = |v: Vec<&str>, separator: &str| {
                    if v.is_empty() {
                        "-".to_owned()
                    } else {
                        v.join(separator)
                    }
                };
                let reasons: Vec<&str> = j
                    .reasons
                    .iter()
                    .map(|r| if wide { &r.message } else { &r.summary }.as_str())
                    .collect();
                let mut row = vec![
                    j.node.clone(),
                    if j.cordoned {
                        "SchedulingDisabled".into()
                    } else {
                        "Schedulable".into()
                    },
                    dash(members, ","),
                    dash(leader, ","),
                    verdict_word(j.verdict, style),
                    dash(reasons, "; "),
                ];
                if wide {
                    row.push(j.other_pods.len().to_string());
                }
                row
            })
            .collect();
        let mut header = vec!["NODE", "STATUS", "MEMBERS", "LEADER", "VERDICT", "REASONS"];
        if wide {
            header.push("OTHER PODS");
        }
        plain_table(&header, rows)
    }
}
