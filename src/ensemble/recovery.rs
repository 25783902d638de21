//! Watching an ensemble recover after a disruption (a deleted leader): each member's mode
//! asked quickly and concurrently, for tight polling loops such as timing an election. The
//! slower "wait until the ensemble is healthy again" on `status`' full gathering is
//! [`crate::ensemble::rolling::wait_healthy`].

use std::time::Duration;

use futures::future::join_all;
use kube::Client;

use crate::cli::Via;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::zookeeper::{self, MemberTarget};
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
        let target = ensemble.target(&ensemble.pod_name(ordinal));
        let flavor = ensemble.flavor;
        async move {
            let mode = tokio::time::timeout(timeout, mode_of(client, &target, flavor))
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

/// `srvr` over the transports `status` uses, in its order, but never through exec (too slow
/// for a round every 150 ms).
async fn mode_of(client: &Client, target: &MemberTarget, flavor: Option<Flavor>) -> Option<Mode> {
    for via in zookeeper::transports(None, flavor) {
        match via {
            Via::Proxy => {
                if let Ok(body) = zookeeper::admin_command(client, target, "srvr").await {
                    match admin::parse_srvr(&body) {
                        Ok(reply) => return Some(reply.server_stats.server_state),
                        Err(admin::AdminError::NotServing { .. }) => return None,
                        Err(_) => {}
                    }
                }
            }
            Via::PortForward => {
                let text =
                    zookeeper::four_letter_port_forward(client, target, FourLetterWord::Srvr)
                        .await
                        .ok()?;
                return four_letter::parse_srvr(&text).ok().map(|srvr| srvr.mode);
            }
            Via::Exec => {}
        }
    }
    None
}
