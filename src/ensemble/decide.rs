//! Deciding from what was gathered: the leader, lag, quorum, health and the warnings. Pure.

use std::collections::BTreeMap;

use super::{EnsembleStatus, Health, LAG_THRESHOLD, MemberMode, MemberStatus, PdbStatus};
use crate::cluster::ensemble::Ensemble;
use crate::zk::view::Lag;
use crate::zk::{Mode, quorum};

/// Decides quorum, lag, health and warnings from what was gathered. Pure.
pub fn decide(
    ensemble: &Ensemble,
    mut members: Vec<MemberStatus>,
    pdb: Option<PdbStatus>,
) -> EnsembleStatus {
    let leader = members
        .iter()
        .find(|m| m.mode == MemberMode::Serving(Mode::Leader))
        .map(|m| (m.pod.clone(), m.synced_followers));
    measure_lag(&mut members);
    let mut status = EnsembleStatus {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        image: ensemble.image.clone(),
        flavor: ensemble.flavor,
        managed: ensemble.managed(),
        zookeeper_version: zookeeper_version(&members),
        desired: ensemble.replicas(),
        ready: members.iter().filter(|m| m.ready).count() as u32,
        voters: 0,
        quorum_size: 0,
        serving: serving(&members),
        quorum_holds: false,
        synced_followers: leader.as_ref().and_then(|(_, synced)| *synced),
        leader: leader.map(|(pod, _)| pod),
        pdb,
        members,
        health: Health::Healthy,
        warnings: Vec::new(),
        openshift: false,
        create_failure: None,
        not_checked: Vec::new(),
        claims_checked: true,
        pdb_checked: true,
    };
    let judgement = status.judge(&[]);
    status.voters = judgement.voters;
    status.quorum_size = judgement.needed;
    status.quorum_holds = judgement.holds_now;
    status.health = health(&status);
    status.warnings = warnings(&status);
    status
}

/// Each member's lag behind the leader's zxid (when the leader answered).
fn measure_lag(members: &mut [MemberStatus]) {
    let Some(leader_zxid) = members
        .iter()
        .find(|m| m.mode == MemberMode::Serving(Mode::Leader))
        .and_then(|m| m.server.as_ref()?.zxid)
    else {
        return;
    };
    for member in members {
        if let Some(zxid) = member.server.as_ref().and_then(|s| s.zxid) {
            member.lag = Some(Lag::between(leader_zxid, zxid));
        }
    }
}

/// Members serving as leader, follower or standalone server.
fn serving(members: &[MemberStatus]) -> usize {
    members
        .iter()
        .filter(|m| {
            matches!(
                m.mode,
                MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
            )
        })
        .count()
}

/// The version number the first answering member reports.
fn zookeeper_version(members: &[MemberStatus]) -> Option<String> {
    let version = members
        .iter()
        .find_map(|m| m.server.as_ref().map(|s| s.version.to_string()))?;
    Some(
        crate::zk::Version::new(&version)
            .number()
            .map(|n| n.to_string())
            .unwrap_or(version),
    )
}

/// Quorum lost without a quorum; healthy when every member is there, Ready, serving and in
/// sync; degraded otherwise.
fn health(status: &EnsembleStatus) -> Health {
    let all_well = status.members.len() == status.desired as usize
        && status.members.iter().all(|m| {
            m.ready
                && matches!(
                    m.mode,
                    MemberMode::Serving(
                        Mode::Leader | Mode::Follower | Mode::Standalone | Mode::Observer
                    )
                )
                && !m.lag.is_some_and(|l| l.is_lagging(LAG_THRESHOLD))
        });
    if !status.quorum_holds {
        Health::QuorumLost
    } else if all_well {
        Health::Healthy
    } else {
        Health::Degraded
    }
}

/// What deserves attention, the lost quorum first.
fn warnings(status: &EnsembleStatus) -> Vec<String> {
    let mut warnings = Vec::new();
    warnings.extend(quorum_lost(status));
    warnings.extend(quorum::even_size_warning(status.voters));
    for member in &status.members {
        warnings.extend(member_warnings(member));
    }
    warnings.extend(settings_drift(&status.members));
    warnings.extend(refused_words(&status.members));
    warnings
}

/// Why there is no quorum, when there is none.
fn quorum_lost(status: &EnsembleStatus) -> Option<String> {
    if status.quorum_holds {
        return None;
    }
    let (serving, voters, needed) = (status.serving, status.voters, status.quorum_size);
    let why = if serving >= needed {
        format!(
            "no member leads (an election may be under way; {serving} of {voters} still answer as followers)"
        )
    } else {
        format!("{serving} of {voters} members serve, {needed} needed")
    };
    Some(format!(
        "quorum lost: {why}; ZooKeeper refuses writes until a leader has a majority"
    ))
}

/// One member's warnings: not voting or not in the quorum, lagging, a wrong myid, an
/// unbound claim.
fn member_warnings(member: &MemberStatus) -> Vec<String> {
    let mut warnings = Vec::new();
    match member.mode {
        MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone) => {}
        MemberMode::Serving(mode) => {
            warnings.push(format!("{} is {} and does not vote", member.pod, mode))
        }
        _ => warnings.push(format!(
            "{} is not in the quorum ({}){}",
            member.pod,
            member.mode.word(),
            member
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )),
    }
    if member.lag.is_some_and(|lag| lag.is_lagging(LAG_THRESHOLD)) {
        warnings.push(format!(
            "{} lags the leader by {} transactions",
            member.pod,
            member.lag.map(|l| l.to_string()).unwrap_or_default()
        ));
    }
    if let (Some(myid), MemberMode::Serving(_)) = (member.myid, member.mode)
        && myid != member.ordinal + 1
    {
        warnings.push(format!(
            "{} reports myid {myid}, expected {} (ordinal + 1); see `kubectl zk myid`",
            member.pod,
            member.ordinal + 1
        ));
    }
    if member.pvc_bound == Some(false) {
        warnings.push(format!(
            "{}'s claim {} is not Bound",
            member.pod,
            member.pvc.as_deref().unwrap_or("?")
        ));
    }
    warnings
}

/// The four-letter words some member's whitelist refused, with the fix.
fn refused_words(members: &[MemberStatus]) -> Option<String> {
    let mut refused: Vec<&str> = members
        .iter()
        .flat_map(|m| m.refused.iter().map(String::as_str))
        .collect();
    refused.sort_unstable();
    refused.dedup();
    (!refused.is_empty()).then(|| {
        format!(
            "the four-letter-word whitelist refuses {}; add them to zoo.cfg: 4lw.commands.whitelist=srvr,stat,mntr,conf,ruok",
            refused.join(", ")
        )
    })
}

/// Settings that differ between members, one warning per setting.
fn settings_drift(members: &[MemberStatus]) -> Vec<String> {
    let mut values: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for member in members {
        for (key, value) in &member.settings {
            values
                .entry(key)
                .or_default()
                .entry(value)
                .or_default()
                .push(&member.pod);
        }
    }
    values
        .into_iter()
        .filter(|(_, by_value)| by_value.len() > 1)
        .map(|(key, by_value)| {
            let spread: Vec<String> = by_value
                .iter()
                .map(|(value, pods)| format!("{value} on {}", pods.join(", ")))
                .collect();
            format!(
                "config drift: {key} is {}; roll the members (kubectl zk install) so they agree",
                spread.join(" but ")
            )
        })
        .collect()
}
