//! `leader --failover`: the seed's "kill the leader and watch a new one", made safe and
//! timed. It checks from ZooKeeper's own view that the quorum survives losing the leader
//! (voters, followers serving and in sync, quorum size), asks, deletes the leader's pod,
//! then asks every member at once every 150 ms and reports how long until another member
//! was elected leader and until the old member was back (pod re-created, Ready, following).
//! Exit 0 when the ensemble is healthy afterwards; 1 when the check refused (nothing is
//! deleted) or the ensemble did not recover in time.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams, Preconditions};
use serde::Serialize;

use crate::cli::{GlobalOptions, LeaderArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cmd::Outcome;
use crate::confirm::confirm;
use crate::ensemble::recovery::member_modes;
use crate::ensemble::rolling::{self, is_ready};
use crate::ensemble::{EnsembleStatus, Health};
use crate::render::{Document, Style, Tabular, emit};
use crate::zk::Mode;
use crate::zk::quorum::{Absence, VotersFrom};

/// How long a member may take to answer the full status.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a member may take to answer one quick round.
const ROUND_TIMEOUT: Duration = Duration::from_millis(750);
/// How often every member is asked while the election runs.
const POLL_PERIOD: Duration = Duration::from_millis(150);
/// How long an election may take before the failover is reported as failed.
const ELECTION_LIMIT: Duration = Duration::from_secs(60);
/// How long the old member may take to come back as a follower.
const REJOIN_LIMIT: Duration = Duration::from_secs(300);
/// How long the ensemble may take to be healthy once the old member follows again.
const HEALTHY_LIMIT: Duration = Duration::from_secs(60);

/// Whether the quorum survives losing the leader, from ZooKeeper's own view.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailoverCheck {
    /// The leader's pod.
    pub leader: Option<String>,
    /// Its server id.
    pub leader_myid: Option<u32>,
    /// Voting members.
    pub voters: usize,
    /// Where the voter count comes from: `zookeeper` (the leader's `quorum_size` metric)
    /// or `statefulset` (its replicas, when the server does not report it).
    pub voters_from: VotersFrom,
    /// Votes a quorum needs.
    pub quorum_size: usize,
    /// Followers serving, Ready and not lagging (they remain once the leader goes).
    pub followers_in_sync: Vec<String>,
    /// Followers in sync as the leader counts them.
    pub synced_followers: Option<u64>,
    /// Voters that would remain once the leader is gone.
    pub remaining: usize,
    /// Whether they form a quorum.
    pub survives: bool,
    /// Why not, when it does not.
    pub reasons: Vec<String>,
}

/// What `leader --failover` did and measured.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailoverReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// The check done before anything was deleted.
    pub check: FailoverCheck,
    /// Whether the leader's pod was deleted.
    pub leader_deleted: bool,
    /// The member elected after it.
    pub new_leader: Option<String>,
    /// Seconds from the deletion until another member was seen leading.
    pub election_seconds: Option<f64>,
    /// Seconds from the deletion until the old member was back: pod re-created, Ready,
    /// in the quorum.
    pub rejoin_seconds: Option<f64>,
    /// The old member's mode once back (follower, or leader if it won an election again).
    pub old_leader_mode: Option<Mode>,
    /// The ensemble's health at the end.
    pub health: Option<Health>,
    /// What went wrong after the deletion, if anything.
    pub problems: Vec<String>,
}

/// Decides from the gathered status whether the quorum survives losing the leader, by the
/// one quorum judgement ([`EnsembleStatus::judge`]). Pure.
pub fn judge(status: &EnsembleStatus) -> FailoverCheck {
    let leader = status
        .leader
        .as_ref()
        .and_then(|pod| status.members.iter().find(|m| &m.pod == pod));
    let going: Vec<&str> = leader.iter().map(|m| m.pod.as_str()).collect();
    let judgement = status.judge(&going);
    let mut reasons = Vec::new();
    match leader {
        None => reasons.push(format!(
            "ensemble {} has no leader: there is nothing to fail over; see `kubectl zk status --name {} -n {}`",
            status.ensemble, status.ensemble, status.namespace
        )),
        Some(_) if judgement.voters < 2 => reasons.push(format!(
            "ensemble {} has a single voting member: deleting it stops the service until it is back",
            status.ensemble
        )),
        Some(leader) if !judgement.survives => {
            reasons.push(format!(
                "without leader {}, {} voter(s) in sync would remain and a quorum of {} voters needs {}: ZooKeeper would refuse every request until it is back",
                leader.pod, judgement.counted, judgement.voters, judgement.needed
            ));
            if let Some(synced) = judgement.capped_by_leader {
                reasons.push(format!(
                    "the leader counts only {synced} synced follower(s)"
                ));
            }
            reasons.extend(
                judgement
                    .absent
                    .iter()
                    .filter(|a| a.reason != Absence::Going)
                    .map(|a| a.message.clone()),
            );
        }
        Some(_) => {}
    }
    FailoverCheck {
        leader: leader.map(|m| m.pod.clone()),
        leader_myid: leader.and_then(|m| m.myid),
        voters: judgement.voters,
        voters_from: judgement.voters_from,
        quorum_size: judgement.needed,
        followers_in_sync: judgement.remaining.clone(),
        synced_followers: status.synced_followers,
        remaining: judgement.counted,
        survives: reasons.is_empty(),
        reasons,
    }
}

/// Runs `leader --failover`.
pub async fn run(global: &GlobalOptions, args: LeaderArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let status = crate::ensemble::gather(client, found.clone(), None, MEMBER_TIMEOUT).await?;
    let check = judge(&status);
    let mut report = FailoverReport {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        check,
        leader_deleted: false,
        new_leader: None,
        election_seconds: None,
        rejoin_seconds: None,
        old_leader_mode: None,
        health: Some(status.health),
        problems: Vec::new(),
    };
    let style = Style::new(global.color);
    let Some(leader) = report
        .check
        .leader
        .clone()
        .filter(|_| report.check.survives)
    else {
        emit(&report, args.output.output, style)?;
        return Ok(Outcome::CheckFailed);
    };
    let action = format!(
        "delete pod {leader} (the leader of ensemble {}) in namespace {}",
        found.name, found.namespace
    );
    let question = format!(
        "Delete pod {leader}, the leader of ensemble {} in namespace {}, so that another member takes over?",
        found.name, found.namespace
    );
    if !confirm(&question, &action, args.yes)? {
        eprintln!("not confirmed; nothing was deleted");
        return Ok(Outcome::CheckFailed);
    }
    failover(client, &found, &leader, &mut report).await?;
    emit(&report, args.output.output, style)?;
    Ok(
        if report.problems.is_empty() && report.health == Some(Health::Healthy) {
            Outcome::Ok
        } else {
            Outcome::CheckFailed
        },
    )
}

/// Deletes the leader's pod and times the election and the old member's return.
async fn failover(
    client: &Client,
    ensemble: &Ensemble,
    leader: &str,
    report: &mut FailoverReport,
) -> anyhow::Result<()> {
    let ns = &ensemble.namespace;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let old = pods
        .get(leader)
        .await
        .with_context(|| format!("cannot read pod {leader} in namespace {ns}"))?;
    let old_uid = old.metadata.uid.clone();
    let params = DeleteParams {
        preconditions: old_uid.clone().map(|uid| Preconditions {
            uid: Some(uid),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    eprintln!("deleting pod {leader} (the leader)");
    let deleted_at = Instant::now();
    pods.delete(leader, &params).await.map_err(|err| {
        anyhow!(err).context(format!("cannot delete pod {leader} in namespace {ns}"))
    })?;
    report.leader_deleted = true;

    let mut ticker = tokio::time::interval(POLL_PERIOD);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while report.election_seconds.is_none() || report.rejoin_seconds.is_none() {
        ticker.tick().await;
        let (modes, pod) = futures::join!(
            member_modes(client, ensemble, ROUND_TIMEOUT),
            pods.get_opt(leader)
        );
        let elapsed = deleted_at.elapsed();
        if report.election_seconds.is_none()
            && let Some(new) = modes
                .iter()
                .find(|m| m.pod != leader && m.mode == Some(Mode::Leader))
        {
            report.election_seconds = Some(seconds(elapsed));
            report.new_leader = Some(new.pod.clone());
            eprintln!(
                "new leader {} elected {:.2}s after the deletion",
                new.pod,
                elapsed.as_secs_f64()
            );
        }
        let old_mode = modes.iter().find(|m| m.pod == leader).and_then(|m| m.mode);
        let back = pod.ok().flatten().is_some_and(|p| {
            p.metadata.uid != old_uid && p.metadata.deletion_timestamp.is_none() && is_ready(&p)
        });
        if report.rejoin_seconds.is_none()
            && back
            && matches!(old_mode, Some(Mode::Follower | Mode::Leader))
        {
            report.rejoin_seconds = Some(seconds(elapsed));
            report.old_leader_mode = old_mode;
            eprintln!(
                "{leader} back as {} {:.2}s after the deletion (pod re-created, Ready)",
                old_mode.map(Mode::as_str).unwrap_or_default(),
                elapsed.as_secs_f64()
            );
        }
        if report.election_seconds.is_none() && elapsed > ELECTION_LIMIT {
            report.problems.push(format!(
                "no other member was elected leader within {}s of the deletion; see `kubectl zk status --name {} -n {ns}`",
                ELECTION_LIMIT.as_secs(),
                ensemble.name
            ));
            break;
        }
        if report.rejoin_seconds.is_none() && elapsed > REJOIN_LIMIT {
            report.problems.push(format!(
                "{leader} was not back in the quorum within {}s of the deletion; see `kubectl describe pod {leader} -n {ns}`",
                REJOIN_LIMIT.as_secs()
            ));
            break;
        }
    }
    let status = match rolling::wait_healthy(client, ensemble, HEALTHY_LIMIT, &|_| {}).await {
        Ok(status) => status,
        // Not healthy in time: the latest view says what is wrong.
        Err(_) => crate::ensemble::gather(client, ensemble.clone(), None, MEMBER_TIMEOUT).await?,
    };
    report.health = Some(status.health);
    if status.health != Health::Healthy {
        report.problems.extend(status.warnings);
    }
    Ok(())
}

/// Seconds with millisecond precision.
fn seconds(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1000.0).round() / 1000.0
}

impl Document for FailoverReport {
    const KIND: &'static str = "Failover";
}

impl Tabular for FailoverReport {
    fn table(&self, style: Style, _wide: bool) -> String {
        let check = &self.check;
        let mut text = String::new();
        if !check.survives {
            let _ = writeln!(
                text,
                "{}: failover of ensemble {} in namespace {} refused; nothing was deleted",
                style.bad("REFUSED"),
                self.ensemble,
                self.namespace
            );
            for reason in &check.reasons {
                let _ = writeln!(text, "  {reason}");
            }
            return text;
        }
        let leader = check.leader.as_deref().unwrap_or("?");
        let _ = writeln!(
            text,
            "leader {leader} (myid {}); without it {} of {} voters stay in sync and a quorum needs {}: safe (voters as {} counts them)",
            check
                .leader_myid
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            check.remaining,
            check.voters,
            check.quorum_size,
            match check.voters_from {
                VotersFrom::Zookeeper => "zookeeper",
                VotersFrom::Statefulset => "statefulset",
            }
        );
        if self.leader_deleted {
            let _ = writeln!(text, "deleted pod {leader}");
        }
        match (&self.new_leader, self.election_seconds) {
            (Some(new), Some(secs)) => {
                let _ = writeln!(
                    text,
                    "new leader: {} elected {secs:.3}s after the deletion",
                    style.bold(new)
                );
            }
            _ => {
                let _ = writeln!(text, "new leader: {}", style.bad("none seen"));
            }
        }
        match (self.rejoin_seconds, self.old_leader_mode) {
            (Some(secs), Some(mode)) => {
                let _ = writeln!(
                    text,
                    "{leader} back as {mode} {secs:.3}s after the deletion (pod re-created, Ready)"
                );
            }
            _ => {
                let _ = writeln!(text, "{leader}: {}", style.bad("not back in the quorum"));
            }
        }
        let health = match self.health {
            Some(Health::Healthy) => style.good("healthy"),
            Some(Health::Degraded) => style.warn("degraded"),
            Some(Health::QuorumLost) => style.bad("quorum lost"),
            None => "unknown".into(),
        };
        let _ = writeln!(text, "ensemble {health}");
        for problem in &self.problems {
            let _ = writeln!(text, "  {problem}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::testing::{E, ensemble, member};
    use crate::ensemble::{MemberMode, MemberStatus, decide};
    use crate::zk::quorum::LAG_THRESHOLD;

    const LEADER: MemberMode = MemberMode::Serving(Mode::Leader);
    const FOLLOWER: MemberMode = MemberMode::Serving(Mode::Follower);

    /// Three members gathered as `status` gathers them (zk-1 leads), each adjusted by `edit`,
    /// then decided — a consistent status, not a hand-written one.
    fn three(synced: Option<u64>, edit: impl Fn(&mut MemberStatus)) -> EnsembleStatus {
        let members = (0..3)
            .map(|i| {
                let mut m = member(i, if i == 1 { LEADER } else { FOLLOWER }, E + 7);
                if i == 1 {
                    m.synced_followers = synced;
                    m.quorum_voters = Some(3);
                }
                edit(&mut m);
                m
            })
            .collect();
        decide(&ensemble(3), members, None)
    }

    #[test]
    fn a_healthy_three_member_ensemble_survives_losing_its_leader() {
        let status = three(Some(2), |_| {});
        let check = judge(&status);
        assert!(check.survives, "{:?}", check.reasons);
        assert_eq!(check.leader.as_deref(), Some("zk-1"));
        assert_eq!(check.leader_myid, Some(2));
        assert_eq!(check.remaining, 2);
        assert_eq!(check.quorum_size, 2);
        assert_eq!(check.voters_from, VotersFrom::Zookeeper);
        assert_eq!(check.followers_in_sync, ["zk-0", "zk-2"]);
    }

    #[test]
    fn one_follower_down_refuses_and_names_it() {
        let status = three(Some(1), |m| {
            if m.ordinal == 2 {
                m.mode = MemberMode::Unreachable;
                m.ready = false;
                m.phase = "Pending".into();
                m.server = None;
                m.error = Some("Unschedulable: 0/4 nodes are available".into());
            }
            m.quorum_voters = None;
        });
        let check = judge(&status);
        assert!(!check.survives);
        assert_eq!(check.voters_from, VotersFrom::Statefulset);
        assert_eq!(check.remaining, 1);
        assert_eq!(
            check.reasons,
            [
                "without leader zk-1, 1 voter(s) in sync would remain and a quorum of 3 voters needs 2: ZooKeeper would refuse every request until it is back",
                "zk-2 is down (Pending)"
            ]
        );
        let text = FailoverReport {
            ensemble: "zk".into(),
            namespace: "kafka".into(),
            check,
            leader_deleted: false,
            new_leader: None,
            election_seconds: None,
            rejoin_seconds: None,
            old_leader_mode: None,
            health: None,
            problems: Vec::new(),
        }
        .table(Style::plain(), false);
        assert!(text.starts_with("REFUSED: "), "{text}");
        assert!(text.contains("nothing was deleted"), "{text}");
        assert!(text.contains("  zk-2 is down (Pending)\n"), "{text}");
    }

    #[test]
    fn the_leaders_count_of_synced_followers_limits_what_remains() {
        let check = judge(&three(Some(1), |_| {}));
        assert!(!check.survives);
        assert_eq!(check.remaining, 1);
        assert_eq!(
            check.reasons[1],
            "the leader counts only 1 synced follower(s)"
        );
    }

    #[test]
    fn a_lagging_follower_does_not_count() {
        // zk-0 and the leader are at counter 7 + LAG_THRESHOLD + 1; zk-2 stayed at 7.
        let status = three(None, |m| {
            if m.ordinal != 2
                && let Some(server) = m.server.as_mut()
            {
                server.zxid = Some(crate::zk::Zxid(E + 7 + LAG_THRESHOLD + 1));
            }
        });
        let check = judge(&status);
        assert!(!check.survives);
        assert_eq!(
            check.reasons[1],
            format!("zk-2 lags the leader by {} transactions", LAG_THRESHOLD + 1)
        );
    }

    #[test]
    fn a_follower_that_serves_but_is_not_ready_does_not_count() {
        let status = three(Some(2), |m| m.ready = m.ordinal != 2);
        let check = judge(&status);
        assert!(
            !check.survives,
            "the same rule as drain-safe and persist-check"
        );
        assert!(
            check.reasons[1].starts_with("zk-2 serves but is not Ready"),
            "{:?}",
            check.reasons
        );
    }

    #[test]
    fn no_leader_or_a_single_server_refuses() {
        let none = three(None, |m| {
            if m.mode == LEADER {
                m.mode = MemberMode::NotServing;
                m.server = None;
            }
        });
        let check = judge(&none);
        assert_eq!(check.leader, None);
        assert!(
            check.reasons[0].contains("has no leader"),
            "{:?}",
            check.reasons
        );
        let single = decide(&ensemble(1), vec![member(0, LEADER, E)], None);
        let check = judge(&single);
        assert!(
            check.reasons[0].contains("single voting member"),
            "{:?}",
            check.reasons
        );
    }
}
