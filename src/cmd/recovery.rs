//! Watching an ensemble recover after a disruption (a deleted leader, an evicted member, a
//! restart): each member's mode asked quickly and concurrently, for tight polling loops, and
//! "wait until the ensemble is healthy again" on top of `status`' full gathering.
//!
//! Shared by `leader --failover`; `drain-safe --execute` and `persist-check --restart` need
//! the same waits.

use std::time::{Duration, Instant};

use futures::future::join_all;
use kube::Client;

use crate::cluster::ensemble::Ensemble;
use crate::cluster::zookeeper::{self, MemberTarget};
use crate::cmd::status::{self, EnsembleStatus, Health};
use crate::manifest::options::Flavor;
use crate::zk::four_letter::{self, FourLetterWord};
use crate::zk::{Mode, admin};

/// One member's mode in a quick round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMode {
    /// Pod name.
    pub pod: String,
    /// Its mode; `None` when it is down, unreachable or not serving.
    pub mode: Option<Mode>,
}

/// Asks every member (ordinals 0..replicas) for its mode at the same time, each bounded by
/// `timeout`: `srvr` through the AdminServer (pod proxy), else over a port-forward (the
/// seeds' 3.4 image has no AdminServer, so it goes straight to the port-forward).
pub async fn member_modes(
    client: &Client,
    ensemble: &Ensemble,
    timeout: Duration,
) -> Vec<MemberMode> {
    let asks = (0..ensemble.replicas()).map(|ordinal| {
        let target = MemberTarget {
            namespace: ensemble.namespace.clone(),
            pod: format!("{}-{ordinal}", ensemble.name),
            container: Some(ensemble.container.clone()),
        };
        let admin_first = ensemble.flavor != Some(Flavor::K8sTutorial);
        async move {
            let mode = tokio::time::timeout(timeout, mode_of(client, &target, admin_first))
                .await
                .ok()
                .flatten();
            MemberMode {
                pod: target.pod,
                mode,
            }
        }
    });
    join_all(asks).await
}

async fn mode_of(client: &Client, target: &MemberTarget, admin_first: bool) -> Option<Mode> {
    if admin_first && let Ok(body) = zookeeper::admin_command(client, target, "srvr").await {
        match admin::parse_srvr(&body) {
            Ok(reply) => return Some(reply.server_stats.server_state),
            Err(admin::AdminError::NotServing { .. }) => return None,
            Err(_) => {}
        }
    }
    let text = zookeeper::four_letter_port_forward(client, target, FourLetterWord::Srvr)
        .await
        .ok()?;
    four_letter::parse_srvr(&text).ok().map(|srvr| srvr.mode)
}

/// Gathers the full status every `period` until the ensemble is healthy or `limit` has
/// passed; returns the last status (healthy or not). Errors only when the status cannot be
/// read at all at the end.
pub async fn wait_until_healthy(
    client: &Client,
    ensemble: &Ensemble,
    member_timeout: Duration,
    period: Duration,
    limit: Duration,
) -> anyhow::Result<EnsembleStatus> {
    let deadline = Instant::now() + limit;
    loop {
        let status = status::gather(client, ensemble.clone(), None, member_timeout).await;
        match status {
            Ok(status) if status.health == Health::Healthy || Instant::now() >= deadline => {
                return Ok(status);
            }
            Err(err) if Instant::now() >= deadline => return Err(err),
            _ => tokio::time::sleep(period).await,
        }
    }
}
