//! Ensembles and members for unit tests.

use super::gather::member_from_pod;
use super::{EnsembleStatus, MemberMode, MemberStatus};
use crate::cluster::ensemble::Ensemble;
use crate::zk::view::ServerView;
use crate::zk::{Version, Zxid};

/// An ensemble of `replicas` members (official image), for tests.
pub fn ensemble(replicas: i32) -> Ensemble {
    ensemble_in("kafka", replicas)
}

/// An ensemble `zk` of `replicas` members (official image) in `namespace`, for tests.
pub fn ensemble_in(namespace: &str, replicas: i32) -> Ensemble {
    let sts: k8s_openapi::api::apps::v1::StatefulSet = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "zk", "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "serviceName": "zk-hs",
            "selector": {"matchLabels": {"app": "zk"}},
            "template": {"spec": {"containers": [{"name": "zookeeper", "image": "zookeeper:3.9.3"}]}}
        }
    }))
    .expect("sts");
    Ensemble::from_stateful_set(sts).expect("ensemble")
}

/// A Running member in `mode` at `zxid`, Ready when serving, for tests.
pub fn member(ordinal: u32, mode: MemberMode, zxid: u64) -> MemberStatus {
    let mut m = member_from_pod("kafka", &format!("zk-{ordinal}"), ordinal, None);
    m.exists = true;
    m.phase = "Running".into();
    m.ready = matches!(mode, MemberMode::Serving(_));
    m.mode = mode;
    m.myid = Some(ordinal + 1);
    m.pvc = Some(format!("datadir-zk-{ordinal}"));
    m.pvc_bound = Some(true);
    if let MemberMode::Serving(mode) = mode {
        m.server = Some(ServerView {
            version: Version::new("3.9.3-abc, built on 2024-10-01"),
            mode,
            zxid: Some(Zxid(zxid)),
            outstanding: Some(0),
            avg_latency_ms: 0.5,
            connections: Some(1),
            node_count: 5,
        });
    }
    m
}

/// Epoch 1, counter 0.
pub const E: u64 = 1 << 32;

/// The status of `ensemble` with `replicas` members: `leader` leads (its synced followers
/// counted), the ordinals in `down` are Pending, the others follow in sync; for tests.
pub fn status_of(ensemble: &Ensemble, replicas: u32, leader: u32, down: &[u32]) -> EnsembleStatus {
    let members = (0..replicas)
        .map(|i| {
            if down.contains(&i) {
                let mut m = member(i, MemberMode::Unreachable, 0);
                m.ready = false;
                m.phase = "Pending".into();
                m
            } else if i == leader {
                let mut m = member(i, MemberMode::Serving(crate::zk::Mode::Leader), E + 7);
                m.synced_followers = Some(u64::from(replicas) - 1 - down.len() as u64);
                m
            } else {
                member(i, MemberMode::Serving(crate::zk::Mode::Follower), E + 7)
            }
        })
        .collect();
    super::decide::decide(ensemble, members, None)
}

/// Three members, `leader` leading, `down` Pending; for tests.
pub fn three(leader: u32, down: Option<u32>) -> EnsembleStatus {
    status_of(&ensemble(3), 3, leader, down.as_slice())
}
