//! `leader`: who leads, from ZooKeeper itself (the same gathering as `status`), and
//! `--watch`: every member's mode, one timestamped line per change, until interrupted —
//! what the seed's busybox `nc` loop shows, without a pod of its own.

mod failover;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::cli::{GlobalOptions, LeaderArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::ensemble::{EnsembleStatus, MemberMode};
use crate::render::{Style, Tabular, emit, write_stdout};

/// How long a member may take to answer one round.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);
/// How often `--watch` asks every member.
const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// The leader, as `leader` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// The leader's pod.
    pub leader: Option<String>,
    /// Its server id.
    pub myid: Option<u32>,
    /// Its node.
    pub node: Option<String>,
    /// Followers in sync, as the leader counts them.
    pub synced_followers: Option<u64>,
}

impl LeaderReport {
    fn from_status(status: &EnsembleStatus) -> LeaderReport {
        let member = status
            .leader
            .as_ref()
            .and_then(|pod| status.members.iter().find(|m| &m.pod == pod));
        LeaderReport {
            ensemble: status.ensemble.clone(),
            namespace: status.namespace.clone(),
            leader: status.leader.clone(),
            myid: member.and_then(|m| m.myid),
            node: member.and_then(|m| m.node.clone()),
            synced_followers: status.synced_followers,
        }
    }
}

impl Tabular for LeaderReport {
    fn table(&self, style: Style, _wide: bool) -> String {
        match &self.leader {
            Some(pod) => format!(
                "{} (myid {}) on node {}, {} synced follower(s)\n",
                style.bold(pod),
                self.myid
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into()),
                self.node.as_deref().unwrap_or("?"),
                self.synced_followers
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into())
            ),
            None => format!(
                "{}: ensemble {} in namespace {} has no leader; see `kubectl zk status --name {} -n {}`\n",
                style.bad("NO LEADER"),
                self.ensemble,
                self.namespace,
                self.ensemble,
                self.namespace
            ),
        }
    }
}

/// Runs `leader`.
pub async fn run(global: &GlobalOptions, args: LeaderArgs) -> anyhow::Result<Outcome> {
    if args.failover {
        return failover::run(global, args).await;
    }
    let connection = connect(global).await?;
    let found = ensemble::find(
        &connection.client,
        &connection.namespace,
        args.ensemble.name.as_ref(),
    )
    .await?;
    if args.watch {
        return watch(&connection.client, found).await;
    }
    let status = crate::ensemble::gather(&connection.client, found, None, MEMBER_TIMEOUT).await?;
    let report = LeaderReport::from_status(&status);
    emit(&report, args.output.output, Style::new(global.color))?;
    Ok(if report.leader.is_some() {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// Asks every member each second and prints a line whenever a member's mode changes.
async fn watch(client: &kube::Client, found: ensemble::Ensemble) -> anyhow::Result<Outcome> {
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    let mut ticker = tokio::time::interval(WATCH_PERIOD);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(Outcome::Ok),
            _ = ticker.tick() => {}
        }
        let status =
            match crate::ensemble::gather(client, found.clone(), None, MEMBER_TIMEOUT).await {
                Ok(status) => status,
                Err(err) => {
                    eprintln!(
                        "{} cannot read the ensemble: {}",
                        timestamp(),
                        crate::cluster::error::one_line(&err)
                    );
                    continue;
                }
            };
        let mut lines = String::new();
        for member in &status.members {
            let mode = match member.mode {
                MemberMode::Serving(_) | MemberMode::NotServing => member.mode.word().to_owned(),
                _ => format!("{} ({})", member.mode.word(), member.phase),
            };
            if last.get(&member.pod) != Some(&mode) {
                lines.push_str(&format!("{} {} {mode}\n", timestamp(), member.pod));
                last.insert(member.pod.clone(), mode);
            }
        }
        write_stdout(&lines)?;
    }
}

/// RFC 3339 UTC time with milliseconds.
fn timestamp() -> String {
    format!("{:.3}", k8s_openapi::jiff::Timestamp::now())
}
