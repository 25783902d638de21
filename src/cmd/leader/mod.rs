//! `leader`: who leads, from ZooKeeper itself (the same gathering as `status`), and
//! `--watch`: every member's mode, one timestamped line per change, until interrupted —
//! what the seed's busybox `nc` loop shows, without a pod of its own.

mod failover;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::cli::{GlobalOptions, LeaderArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::ensemble::{EnsembleStatus, MemberMode};
use crate::render::{Document, Style, Tabular, emit, to_json_line, to_yaml_document, write_stdout};

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

impl Document for LeaderReport {
    const KIND: &'static str = "Leader";
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
        return watch(&connection.client, found, args.output.output).await;
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

/// One change `leader --watch` reports: a member's mode at a time (with `-o json`, one
/// document per line).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderChange {
    /// RFC 3339 UTC time with milliseconds.
    pub time: String,
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Its mode now.
    pub mode: MemberMode,
    /// Its pod's phase (or Terminating, Missing).
    pub phase: String,
}

impl Document for LeaderChange {
    const KIND: &'static str = "LeaderChange";
}

impl LeaderChange {
    /// The line `--watch` prints in table form: time, pod, mode (with the phase when it is
    /// down).
    fn line(&self) -> String {
        match self.mode {
            MemberMode::Serving(_) | MemberMode::NotServing => {
                format!("{} {} {}\n", self.time, self.pod, self.mode.word())
            }
            _ => format!(
                "{} {} {} ({})\n",
                self.time,
                self.pod,
                self.mode.word(),
                self.phase
            ),
        }
    }

    fn render(&self, format: OutputFormat) -> anyhow::Result<String> {
        match format {
            OutputFormat::Table | OutputFormat::Wide => Ok(self.line()),
            OutputFormat::Json => to_json_line(self),
            OutputFormat::Yaml => Ok(format!("---\n{}", to_yaml_document(self)?)),
        }
    }
}

/// Asks every member each second and prints a line (or a document) whenever a member's mode
/// changes.
async fn watch(
    client: &kube::Client,
    found: ensemble::Ensemble,
    format: OutputFormat,
) -> anyhow::Result<Outcome> {
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
            let change = LeaderChange {
                time: timestamp(),
                ensemble: status.ensemble.clone(),
                namespace: status.namespace.clone(),
                pod: member.pod.clone(),
                mode: member.mode,
                phase: member.phase.clone(),
            };
            // A change is a new mode, or a new phase while down.
            let seen = change
                .line()
                .split_once(' ')
                .map(|(_, rest)| rest.to_owned());
            if last.get(&member.pod) != seen.as_ref() {
                lines.push_str(&change.render(format)?);
                if let Some(seen) = seen {
                    last.insert(member.pod.clone(), seen);
                }
            }
        }
        write_stdout(&lines)?;
    }
}

/// RFC 3339 UTC time with milliseconds.
fn timestamp() -> String {
    format!("{:.3}", k8s_openapi::jiff::Timestamp::now())
}
