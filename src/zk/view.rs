//! What one server says about itself, whichever way it was asked (four-letter `srvr` text
//! or the AdminServer's JSON), and how far a member lags behind the leader.

use serde::Serialize;

use super::admin::ServerStatsReply;
use super::four_letter::Srvr;
use super::{Mode, Version, Zxid};

/// One serving server's own account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerView {
    /// The version it reports.
    pub version: Version,
    /// Leader, follower, …
    pub mode: Mode,
    /// Last processed transaction.
    pub zxid: Option<Zxid>,
    /// Requests queued.
    pub outstanding: Option<u64>,
    /// Average request latency in ms.
    pub avg_latency_ms: f64,
    /// Client connections (without the one asking, where that can be told).
    pub connections: Option<u64>,
    /// Znodes in its data tree.
    pub node_count: u64,
}

impl From<&Srvr> for ServerView {
    fn from(srvr: &Srvr) -> Self {
        ServerView {
            version: srvr.version.clone(),
            mode: srvr.mode,
            zxid: srvr.zxid,
            outstanding: srvr.outstanding,
            avg_latency_ms: srvr.latency.avg,
            // `srvr` counts the connection that asked.
            connections: srvr.connections.map(|n| n.saturating_sub(1)),
            node_count: srvr.node_count,
        }
    }
}

impl From<&ServerStatsReply> for ServerView {
    fn from(reply: &ServerStatsReply) -> Self {
        let stats = &reply.server_stats;
        ServerView {
            version: reply.version.clone(),
            mode: stats.server_state,
            zxid: Some(stats.last_processed_zxid),
            outstanding: Some(stats.outstanding_requests),
            avg_latency_ms: stats.avg_latency,
            // The AdminServer's HTTP request is not a ZooKeeper connection.
            connections: Some(stats.num_alive_client_connections),
            node_count: reply.node_count,
        }
    }
}

/// How far a member is behind the leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum Lag {
    /// This many transactions behind (0 = in sync).
    Transactions(u64),
    /// The member reports a later zxid than the leader (the leader answered first).
    Ahead,
}

impl Lag {
    /// The lag of `member` behind `leader`. A follower syncs with the leader up to the new
    /// epoch when it joins, so a zxid of an older epoch means it has applied none of this
    /// epoch's transactions: it lags by the leader's counter (0 on an idle ensemble).
    pub fn between(leader: Zxid, member: Zxid) -> Lag {
        match member.epoch().cmp(&leader.epoch()) {
            std::cmp::Ordering::Less => Lag::Transactions(u64::from(leader.counter())),
            std::cmp::Ordering::Greater => Lag::Ahead,
            std::cmp::Ordering::Equal if member.0 > leader.0 => Lag::Ahead,
            std::cmp::Ordering::Equal => {
                Lag::Transactions(u64::from(leader.counter() - member.counter()))
            }
        }
    }

    /// Whether this is worth a warning: more than `threshold` transactions behind.
    pub fn is_lagging(self, threshold: u64) -> bool {
        matches!(self, Lag::Transactions(n) if n > threshold)
    }
}

impl std::fmt::Display for Lag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lag::Transactions(n) => write!(f, "{n}"),
            Lag::Ahead => f.write_str("0"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::{admin, four_letter};

    const LEADER_SRVR: &str = include_str!("../../tests/fixtures/zk-3.8/leader/srvr.txt");
    const LEADER_ADMIN: &str = include_str!("../../tests/fixtures/zk-3.8/leader/admin-srvr.json");
    const FOLLOWER_SRVR: &str = include_str!("../../tests/fixtures/zk-3.8/follower/srvr.txt");

    #[test]
    fn text_and_json_views_of_the_leader_agree_on_identity() {
        let text = ServerView::from(&four_letter::parse_srvr(LEADER_SRVR).expect("srvr"));
        let json = ServerView::from(&admin::parse_srvr(LEADER_ADMIN).expect("admin srvr"));
        assert_eq!(text.mode, Mode::Leader);
        assert_eq!(json.mode, Mode::Leader);
        assert_eq!(text.version, json.version);
        assert!(text.zxid.is_some() && json.zxid.is_some());
    }

    #[test]
    fn follower_lag_is_counted_in_transactions() {
        let leader = ServerView::from(&four_letter::parse_srvr(LEADER_SRVR).expect("srvr"));
        let follower = ServerView::from(&four_letter::parse_srvr(FOLLOWER_SRVR).expect("srvr"));
        assert_eq!(follower.mode, Mode::Follower);
        // Both were captured from one idle ensemble: the same zxid, epoch 1, counter 11.
        assert_eq!(leader.zxid, Some(Zxid(0x1_0000_000b)));
        assert_eq!(follower.zxid, leader.zxid);
        let (Some(l), Some(f)) = (leader.zxid, follower.zxid) else {
            panic!("zxids in fixtures")
        };
        assert_eq!(Lag::between(l, f), Lag::Transactions(0), "in sync");
        let behind = Zxid(f.0 - 4);
        assert_eq!(Lag::between(l, behind), Lag::Transactions(4));
        assert_eq!(
            Lag::between(behind, l),
            Lag::Ahead,
            "the member answered later"
        );
    }

    #[test]
    fn lag_arithmetic() {
        let z = |epoch: u32, counter: u32| Zxid((u64::from(epoch) << 32) | u64::from(counter));
        assert_eq!(Lag::between(z(2, 10), z(2, 10)), Lag::Transactions(0));
        assert_eq!(Lag::between(z(2, 10), z(2, 3)), Lag::Transactions(7));
        assert_eq!(
            Lag::between(z(3, 0), z(0, 0)),
            Lag::Transactions(0),
            "idle ensemble after an election"
        );
        assert_eq!(Lag::between(z(3, 12), z(2, 900)), Lag::Transactions(12));
        assert_eq!(Lag::between(z(2, 1), z(2, 5)), Lag::Ahead);
        assert!(Lag::Transactions(1001).is_lagging(1000));
        assert!(!Lag::Transactions(1000).is_lagging(1000));
        assert!(!Lag::Ahead.is_lagging(0));
    }
}
