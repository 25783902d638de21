//! Who votes: an ensemble's membership as ZooKeeper 3.5+ keeps it (`/zookeeper/config`, the
//! `zoo.cfg.dynamic.<version>` files), and the safe order to change it one server at a time.
//!
//! **The safe order** (dynamic reconfiguration, ZooKeeper 3.5+). A reconfiguration commits only
//! when a quorum of the membership in force *and* a quorum of the new membership acknowledge it,
//! so each step is judged against both. Servers are added one at a time in ascending id (a new
//! server first runs as a non-voting follower and syncs, then the `reconfig` adds it) and removed
//! one at a time in descending id (the `reconfig` removes it while it still runs; only then does
//! its pod stop). One server per step keeps every intermediate membership within one of the one
//! before, so at every moment a quorum of the membership in force is serving.
//!
//! **Static membership** (3.4) has no reconfiguration: the new server list is rolled through the
//! members one restart at a time (followers first, the leader last, each back in sync before the
//! next), new members started with the new list before the roll and removed members stopped
//! after it (see `ensemble::scale`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::quorum::quorum_size;
use super::zoo_cfg::{ServerLine, ServerRole, ZooCfg, ZooCfgError};

/// A membership: the server lines and the version ZooKeeper gave it (the zxid of the
/// reconfiguration that made it; none for a membership no reconfiguration has touched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// `version=<hex>`, when present.
    pub version: Option<u64>,
    /// The `server.N=…` lines, in file order.
    pub servers: Vec<ServerLine>,
}

impl Membership {
    /// Parses `/zookeeper/config` data or a dynamic config file.
    pub fn parse(text: &str) -> Result<Membership, ZooCfgError> {
        let cfg = ZooCfg::parse(text);
        Ok(Membership {
            version: cfg.dynamic_version()?.map(|zxid| zxid.0),
            servers: cfg.server_lines()?,
        })
    }

    /// The ids of the voting members (participants), ascending.
    pub fn voters(&self) -> BTreeSet<u64> {
        self.servers
            .iter()
            .filter(|s| s.role != Some(ServerRole::Observer))
            .map(|s| s.id)
            .collect()
    }

    /// The ids of every member, ascending.
    pub fn ids(&self) -> BTreeSet<u64> {
        self.servers.iter().map(|s| s.id).collect()
    }

    /// The line of server `id`, when it is a member.
    pub fn server(&self, id: u64) -> Option<&ServerLine> {
        self.servers.iter().find(|s| s.id == id)
    }

    /// The text ZooKeeper writes (server lines in id order, then `version=`).
    pub fn render(&self) -> String {
        let mut servers: Vec<&ServerLine> = self.servers.iter().collect();
        servers.sort_by_key(|s| s.id);
        let mut text = String::new();
        for server in servers {
            let _ = writeln!(text, "{server}");
        }
        if let Some(version) = self.version {
            let _ = writeln!(text, "version={version:x}");
        }
        text
    }
}

/// The ports of a member's server line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Followers connect to the leader here (2888 by convention).
    pub quorum: u16,
    /// Leader election (3888).
    pub election: u16,
    /// Clients (2181).
    pub client: u16,
}

/// A voting member's line as `reconfig -add` takes it and ZooKeeper writes it back:
/// `server.N=host:quorum:election:participant;0.0.0.0:client`.
pub fn participant_line(id: u64, host: &str, ports: Ports) -> String {
    format!(
        "server.{id}={host}:{}:{}:participant;0.0.0.0:{}",
        ports.quorum, ports.election, ports.client
    )
}

/// The configuration in effect: the static `zoo.cfg` text followed by the membership of the
/// dynamic file it names (when it names one), so both are read and compared as one. Pure.
pub fn effective_text(static_text: &str, dynamic: Option<(&str, &str)>) -> String {
    match dynamic {
        None => static_text.to_owned(),
        Some((path, text)) => {
            let mut out = static_text.to_owned();
            if !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "# membership, from {path}:");
            out.push_str(text);
            out
        }
    }
}

/// Keys that say where and which version the membership is, not what it is: left out when
/// configurations are compared.
pub const BOOKKEEPING_KEYS: &[&str] = &["dynamicConfigFile", "version"];

/// One membership change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Server `id` joins as a voter.
    Add(u64),
    /// Server `id` leaves.
    Remove(u64),
}

impl Change {
    /// The server the change is about.
    pub fn id(self) -> u64 {
        match self {
            Change::Add(id) | Change::Remove(id) => id,
        }
    }
}

/// The changes from the voters `current` to the voters `1..=target`, in the safe order:
/// additions ascending, then removals descending, one server each. Pure.
pub fn changes(current: &BTreeSet<u64>, target: u64) -> Vec<Change> {
    let wanted: BTreeSet<u64> = (1..=target).collect();
    let adds = wanted.difference(current).map(|id| Change::Add(*id));
    let mut removes: Vec<Change> = current
        .difference(&wanted)
        .map(|id| Change::Remove(*id))
        .collect();
    removes.reverse();
    adds.chain(removes).collect()
}

/// Whether one change keeps a quorum on both sides, given the voters serving in sync now
/// (`available`; a server being added counts as available once it runs); if not, why. Pure.
pub fn judge_change(
    before: &BTreeSet<u64>,
    change: Change,
    available: &BTreeSet<u64>,
) -> Result<BTreeSet<u64>, String> {
    let mut after = before.clone();
    let mut available = available.clone();
    match change {
        Change::Add(id) => {
            after.insert(id);
            available.insert(id);
        }
        Change::Remove(id) => {
            after.remove(&id);
        }
    }
    if after.is_empty() {
        return Err("no voter would remain".into());
    }
    for (side, voters) in [("in force", before), ("new", &after)] {
        let up: BTreeSet<u64> = voters.intersection(&available).copied().collect();
        let needed = quorum_size(voters.len());
        if up.len() < needed {
            let down: Vec<String> = voters
                .difference(&available)
                .map(|id| format!("server.{id}"))
                .collect();
            return Err(format!(
                "the {side} membership {} would have {} of {} voters serving in sync and a quorum needs {needed}{}",
                ids_text(voters),
                up.len(),
                voters.len(),
                if down.is_empty() {
                    String::new()
                } else {
                    format!(" ({} not serving in sync)", down.join(", "))
                }
            ));
        }
    }
    Ok(after)
}

/// `{1,2,3}`.
pub fn ids_text(ids: &BTreeSet<u64>) -> String {
    let inner: Vec<String> = ids.iter().map(u64::to_string).collect();
    format!("{{{}}}", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u64]) -> BTreeSet<u64> {
        ids.iter().copied().collect()
    }

    #[test]
    fn parses_zookeeper_config_node_data() {
        let text = "server.1=zk-0.zk-hs:2888:3888:participant;0.0.0.0:2181\n\
server.2=zk-1.zk-hs:2888:3888:participant;0.0.0.0:2181\n\
server.3=zk-2.zk-hs:2888:3888:observer;0.0.0.0:2181\nversion=100000004\n";
        let m = Membership::parse(text).expect("parses");
        assert_eq!(m.version, Some(0x1_0000_0004));
        assert_eq!(m.ids(), set(&[1, 2, 3]));
        assert_eq!(m.voters(), set(&[1, 2]));
        assert_eq!(
            m.server(2).map(|s| s.addresses[0].host.as_str()),
            Some("zk-1.zk-hs")
        );
        let again = Membership::parse(&m.render()).expect("round trip");
        assert_eq!(again, m);
    }

    #[test]
    fn grows_ascending_and_shrinks_descending_one_at_a_time() {
        assert_eq!(
            changes(&set(&[1, 2, 3]), 5),
            [Change::Add(4), Change::Add(5)]
        );
        assert_eq!(
            changes(&set(&[1, 2, 3, 4, 5]), 3),
            [Change::Remove(5), Change::Remove(4)]
        );
        assert_eq!(changes(&set(&[1, 2, 3]), 3), []);
    }

    #[test]
    fn each_step_needs_a_quorum_of_both_memberships() {
        let all = set(&[1, 2, 3]);
        assert_eq!(
            judge_change(&all, Change::Add(4), &all),
            Ok(set(&[1, 2, 3, 4]))
        );
        // server.2 down: removing server.3 leaves {1,2}, which needs both.
        let why = judge_change(&all, Change::Remove(3), &set(&[1, 3])).expect_err("refused");
        assert!(
            why.contains("the new membership {1,2} would have 1 of 2 voters serving in sync and a quorum needs 2 (server.2 not serving in sync)"),
            "{why}"
        );
        // Adding over a membership already without its quorum is refused too.
        let why = judge_change(&all, Change::Add(4), &set(&[1])).expect_err("refused");
        assert!(why.contains("in force membership {1,2,3}"), "{why}");
        // A single member cannot be removed.
        assert!(judge_change(&set(&[1]), Change::Remove(1), &set(&[1])).is_err());
    }

    #[test]
    fn participant_lines_are_what_reconfig_takes() {
        let line = participant_line(
            4,
            "zk-3.zk-hs.kafka.svc.cluster.local",
            Ports {
                quorum: 2888,
                election: 3888,
                client: 2181,
            },
        );
        assert_eq!(
            line,
            "server.4=zk-3.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181"
        );
        assert!(line.parse::<ServerLine>().is_ok());
    }
}
