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
    let desired = ensemble.replicas();
    let voters = desired as usize;
    let leader = members
        .iter()
        .find(|m| m.mode == MemberMode::Serving(Mode::Leader))
        .map(|m| {
            (
                m.pod.clone(),
                m.server.as_ref().and_then(|s| s.zxid),
                m.synced_followers,
            )
        });
    let serving = members
        .iter()
        .filter(|m| {
            matches!(
                m.mode,
                MemberMode::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
            )
        })
        .count();
    let standalone = voters == 1 && serving == 1;
    let quorum_holds = (leader.is_some() || standalone) && quorum::has_quorum(voters, serving);
    if let Some((_, Some(leader_zxid), _)) = &leader {
        for member in &mut members {
            if let Some(zxid) = member.server.as_ref().and_then(|s| s.zxid) {
                member.lag = Some(Lag::between(*leader_zxid, zxid));
            }
        }
    }
    let mut warnings = Vec::new();
    warnings.extend(quorum::even_size_warning(voters));
    for member in &members {
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
    }
    warnings.extend(settings_drift(&members));
    let mut refused: Vec<&str> = members
        .iter()
        .flat_map(|m| m.refused.iter().map(String::as_str))
        .collect();
    refused.sort_unstable();
    refused.dedup();
    if !refused.is_empty() {
        warnings.push(format!(
            "the four-letter-word whitelist refuses {}; add them to zoo.cfg: 4lw.commands.whitelist=srvr,stat,mntr,conf,ruok",
            refused.join(", ")
        ));
    }
    let versions: Vec<String> = members
        .iter()
        .filter_map(|m| m.server.as_ref().map(|s| s.version.to_string()))
        .collect();
    let zookeeper_version = versions.first().map(|v| {
        crate::zk::Version::new(v)
            .number()
            .map(|n| n.to_string())
            .unwrap_or_else(|| v.clone())
    });
    let all_well = members.len() == desired as usize
        && members.iter().all(|m| {
            m.ready
                && matches!(
                    m.mode,
                    MemberMode::Serving(
                        Mode::Leader | Mode::Follower | Mode::Standalone | Mode::Observer
                    )
                )
                && !m.lag.is_some_and(|l| l.is_lagging(LAG_THRESHOLD))
        });
    let health = if !quorum_holds {
        Health::QuorumLost
    } else if all_well {
        Health::Healthy
    } else {
        Health::Degraded
    };
    if !quorum_holds {
        let why = if serving >= quorum::quorum_size(voters) {
            format!(
                "no member leads (an election may be under way; {serving} of {voters} still answer as followers)"
            )
        } else {
            format!(
                "{serving} of {voters} members serve, {} needed",
                quorum::quorum_size(voters)
            )
        };
        warnings.insert(
            0,
            format!("quorum lost: {why}; ZooKeeper refuses writes until a leader has a majority"),
        );
    }
    EnsembleStatus {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        image: ensemble.image.clone(),
        flavor: ensemble.flavor,
        zookeeper_version,
        desired,
        ready: members.iter().filter(|m| m.ready).count() as u32,
        quorum_size: quorum::quorum_size(voters),
        serving,
        quorum_holds,
        synced_followers: leader.as_ref().and_then(|(_, _, synced)| *synced),
        leader: leader.map(|(pod, _, _)| pod),
        pdb,
        members,
        health,
        warnings,
        openshift: false,
        create_failure: None,
    }
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
