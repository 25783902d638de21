//! Responses of ZooKeeper's AdminServer (`http://host:8080/commands/<name>`, 3.5+) parsed into typed results.
//!
//! Every response is a JSON object with `command` and `error` keys; a non-null
//! `error` becomes [`AdminError::NotServing`] (the server is up but not in a
//! quorum) or [`AdminError::Command`]. The AdminServer is not limited by
//! `4lw.commands.whitelist`, which makes it the fallback when `mntr` is refused.
//!
//! Status codes seen on 3.8.0 and 3.9.4 without quorum: `leader`, `srvr`, `stat`,
//! `voting_view`, `ruok` (and on 3.9.4 `configuration`, `last_snapshot`) answer **200** with an
//! `error` string; `monitor` (alias
//! `mntr`) answers **500** with Jetty's HTML page for a `NullPointerException`
//! ("`zkServer` is null"), which is recognised here as not serving too.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::metrics::{MetricValue, Metrics};
use super::zoo_cfg::{ServerLine, ServerRole};
use super::{Mode, NOT_SERVING_TEXT, Version, Zxid};

/// Why an AdminServer response could not be turned into a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The body was empty.
    #[error("the AdminServer sent an empty response")]
    Empty,
    /// The server is up but not in a quorum that serves requests.
    #[error(
        "the server is running but not serving requests (AdminServer command `{command}`); it is not part of a working quorum"
    )]
    NotServing {
        /// The command, as the response names it.
        command: String,
    },
    /// The command ran and reported an error (e.g. `server is not initialized`
    /// for `leader` on a standalone server).
    #[error("AdminServer command `{command}` failed: {message}")]
    Command {
        /// The command, as the response names it.
        command: String,
        /// The `error` text.
        message: String,
    },
    /// Jetty's HTML error page instead of JSON (an exception inside the server, or
    /// an unknown URL).
    #[error("the AdminServer answered with an error page{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    ErrorPage {
        /// The status code printed on the page.
        status: Option<u16>,
        /// The page's message, entities decoded.
        message: String,
        /// The request URI printed on the page.
        uri: Option<String>,
    },
    /// The body is not JSON.
    #[error("the AdminServer response is not JSON ({reason}): `{snippet}`")]
    NotJson {
        /// The parser's complaint.
        reason: String,
        /// The start of the body.
        snippet: String,
    },
    /// The JSON does not have the fields this command returns.
    #[error("the AdminServer response to `{command}` does not have the expected fields: {reason}")]
    Shape {
        /// The command expected.
        command: &'static str,
        /// What did not match.
        reason: String,
    },
}

fn snippet(text: &str) -> String {
    const MAX: usize = 80;
    let t = text.trim();
    let mut s: String = t.chars().take(MAX).collect();
    if t.chars().count() > MAX {
        s.push('…');
    }
    s
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let (_, rest) = text.split_once(start)?;
    let (inner, _) = rest.split_once(end)?;
    Some(inner)
}

/// Reads Jetty's HTML error page; the 3.8.0 `monitor`-without-quorum page becomes
/// [`AdminError::NotServing`].
fn error_page(body: &str) -> AdminError {
    let title = between(body, "<title>", "</title>")
        .or_else(|| between(body, "<h2>", "</h2>"))
        .map(|t| decode_entities(t.trim()))
        .unwrap_or_default();
    let uri = between(body, "<th>URI:</th><td>", "</td>").map(|u| decode_entities(u.trim()));
    // "Error 500 java.lang.NullPointerException: …" or "HTTP ERROR 500 …"
    let after = title
        .strip_prefix("Error ")
        .or_else(|| title.strip_prefix("HTTP ERROR "));
    let status = after
        .and_then(|a| a.split_whitespace().next())
        .and_then(|code| code.parse::<u16>().ok());
    let message = match after {
        Some(a) => a.split_once(' ').map_or("", |(_, m)| m).trim().to_owned(),
        None => title.clone(),
    };
    if message.contains("\"zkServer\" is null") || message.contains("zkServer is null") {
        let command = uri
            .as_deref()
            .and_then(|u| u.rsplit('/').next())
            .filter(|c| !c.is_empty())
            .unwrap_or("monitor")
            .to_owned();
        return AdminError::NotServing { command };
    }
    AdminError::ErrorPage {
        status,
        message: snippet(&message),
        uri,
    }
}

/// Checks any AdminServer response: JSON object, `error` null. Returns the object.
pub fn check_response(
    body: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, AdminError> {
    let t = body.trim();
    if t.is_empty() {
        return Err(AdminError::Empty);
    }
    if t.starts_with('<') {
        return Err(error_page(t));
    }
    let value: serde_json::Value = serde_json::from_str(t).map_err(|e| AdminError::NotJson {
        reason: e.to_string(),
        snippet: snippet(t),
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(AdminError::NotJson {
            reason: "not a JSON object".into(),
            snippet: snippet(t),
        });
    };
    let command = map
        .get("command")
        .and_then(|c| c.as_str())
        .unwrap_or("")
        .to_owned();
    match map.get("error") {
        None | Some(serde_json::Value::Null) => Ok(map),
        Some(err) => {
            let message = err.as_str().map_or_else(|| err.to_string(), str::to_owned);
            if message.trim() == NOT_SERVING_TEXT {
                Err(AdminError::NotServing { command })
            } else {
                Err(AdminError::Command { command, message })
            }
        }
    }
}

fn typed<T: DeserializeOwned>(command: &'static str, body: &str) -> Result<T, AdminError> {
    let map = check_response(body)?;
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| AdminError::Shape {
        command,
        reason: e.to_string(),
    })
}

/// `/commands/leader` (3.6+).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderInfo {
    /// Whether the answering server leads.
    pub is_leader: bool,
    /// The leader's server id.
    pub leader_id: Option<i64>,
    /// The leader's address as configured (a host name in Kubernetes, despite the key).
    #[serde(default)]
    pub leader_ip: Option<String>,
}

/// Parses `/commands/leader`.
pub fn parse_leader(body: &str) -> Result<LeaderInfo, AdminError> {
    let mut info: LeaderInfo = typed("leader", body)?;
    if info.leader_ip.as_deref() == Some("") {
        info.leader_ip = None;
    }
    Ok(info)
}

/// Parses `/commands/monitor` (alias `mntr`): the `mntr` keys without `zk_`.
pub fn parse_monitor(body: &str) -> Result<Metrics, AdminError> {
    let map = check_response(body)?;
    let metrics: Metrics = map
        .iter()
        .filter(|(k, _)| k.as_str() != "command" && k.as_str() != "error")
        .filter_map(|(k, v)| MetricValue::from_json(v).map(|v| (k.clone(), v)))
        .collect();
    if metrics.get("server_state").is_none() {
        return Err(AdminError::Shape {
            command: "monitor",
            reason: "no `server_state` key".into(),
        });
    }
    Ok(metrics)
}

/// `last/min/max_buffer_size` in bytes; -1 before the first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BufferSizes {
    /// Last size.
    pub last_buffer_size: i64,
    /// Smallest size.
    pub min_buffer_size: i64,
    /// Largest size.
    pub max_buffer_size: i64,
}

/// The `server_stats` object of `/commands/srvr` and `/commands/stat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminServerStats {
    /// The server's mode.
    pub server_state: Mode,
    /// Queued requests.
    pub outstanding_requests: u64,
    /// Last processed zxid (decimal in the JSON; shown as `0x…`).
    pub last_processed_zxid: Zxid,
    /// Average latency in ms.
    pub avg_latency: f64,
    /// Smallest latency in ms.
    pub min_latency: u64,
    /// Largest latency in ms.
    pub max_latency: u64,
    /// Packets sent.
    pub packets_sent: u64,
    /// Packets received.
    pub packets_received: u64,
    /// Client connections (the HTTP request is not one).
    pub num_alive_client_connections: u64,
    /// Uptime in ms (3.6+).
    #[serde(default)]
    pub uptime: Option<u64>,
    /// Bytes in the snapshot directory.
    #[serde(default)]
    pub data_dir_size: Option<u64>,
    /// Bytes in the transaction log directory.
    #[serde(default)]
    pub log_dir_size: Option<u64>,
    /// Times an fsync took longer than the warning threshold.
    #[serde(default)]
    pub fsync_threshold_exceed_count: Option<u64>,
    /// Failed authentications.
    #[serde(default)]
    pub auth_failed_count: Option<u64>,
}

/// A connection listed by `/commands/stat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminConnection {
    /// `host:port` of the client.
    pub remote_socket_address: String,
    /// Selector interest ops.
    #[serde(default)]
    pub interest_ops: Option<i64>,
    /// Queued requests.
    #[serde(default)]
    pub outstanding_requests: Option<u64>,
    /// Packets received.
    #[serde(default)]
    pub packets_received: Option<u64>,
    /// Packets sent.
    #[serde(default)]
    pub packets_sent: Option<u64>,
}

/// `/commands/srvr` and `/commands/stat` (which adds `connections`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerStatsReply {
    /// The server's version string.
    pub version: Version,
    /// Whether the server is in read-only mode.
    #[serde(default)]
    pub read_only: bool,
    /// The statistics.
    pub server_stats: AdminServerStats,
    /// Response sizes to clients.
    #[serde(default)]
    pub client_response: Option<BufferSizes>,
    /// Proposal sizes (leader only).
    #[serde(default)]
    pub proposal_stats: Option<BufferSizes>,
    /// Znodes.
    pub node_count: u64,
    /// Client connections (`stat` only).
    #[serde(default)]
    pub connections: Vec<AdminConnection>,
    /// TLS client connections (`stat` only).
    #[serde(default)]
    pub secure_connections: Vec<AdminConnection>,
}

/// Parses `/commands/srvr` (`command` is `server_stats`).
pub fn parse_srvr(body: &str) -> Result<ServerStatsReply, AdminError> {
    typed("srvr", body)
}

/// Parses `/commands/stat` (`command` is `stats`).
pub fn parse_stat(body: &str) -> Result<ServerStatsReply, AdminError> {
    typed("stat", body)
}

/// One voting-view member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingMember {
    /// Quorum addresses `host:port` (several with multi-address).
    pub server_addresses: Vec<String>,
    /// Election addresses `host:port`.
    pub election_addresses: Vec<String>,
    /// Client address; ZooKeeper 3.8 fills it in only where it knows it (for a
    /// static config without `;port`, only for the answering server itself).
    pub client_address: Option<String>,
    /// Participant or observer.
    pub learner_type: ServerRole,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawMember {
    View {
        #[serde(default)]
        server_addresses: Vec<String>,
        #[serde(default)]
        election_addresses: Vec<String>,
        #[serde(default)]
        client_address: Option<String>,
        learner_type: ServerRole,
    },
    Line(String),
}

/// `/commands/voting_view` (3.6+): the voting members by server id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingView {
    /// Members by id (observers are not in the voting view).
    pub current_config: BTreeMap<u64, VotingMember>,
}

/// Parses `/commands/voting_view`; members may be objects (3.6+ releases) or
/// `host:2888:3888:participant;host:2181` strings (pre-release builds).
pub fn parse_voting_view(body: &str) -> Result<VotingView, AdminError> {
    #[derive(Deserialize)]
    struct Raw {
        current_config: BTreeMap<u64, RawMember>,
    }
    let raw: Raw = typed("voting_view", body)?;
    let mut current_config = BTreeMap::new();
    for (id, member) in raw.current_config {
        let member = match member {
            RawMember::View {
                server_addresses,
                election_addresses,
                client_address,
                learner_type,
            } => VotingMember {
                server_addresses,
                election_addresses,
                client_address: client_address.filter(|c| !c.is_empty()),
                learner_type,
            },
            RawMember::Line(line) => {
                let s = ServerLine::parse(&format!("server.{id}"), &line).map_err(|e| {
                    AdminError::Shape {
                        command: "voting_view",
                        reason: e.to_string(),
                    }
                })?;
                VotingMember {
                    server_addresses: s
                        .addresses
                        .iter()
                        .map(|a| format!("{}:{}", a.host, a.quorum_port))
                        .collect(),
                    election_addresses: s
                        .addresses
                        .iter()
                        .map(|a| format!("{}:{}", a.host, a.election_port))
                        .collect(),
                    client_address: s
                        .client
                        .as_ref()
                        .map(|c| format!("{}:{}", c.host.as_deref().unwrap_or("0.0.0.0"), c.port)),
                    learner_type: s.role(),
                }
            }
        };
        current_config.insert(id, member);
    }
    Ok(VotingView { current_config })
}

/// Checks `/commands/ruok`: `Ok` when the server serves requests (unlike the
/// four-letter `ruok`, this one fails without quorum).
pub fn parse_ruok(body: &str) -> Result<(), AdminError> {
    check_response(body).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($path:literal) => {
            include_str!(concat!("../../tests/fixtures/zk-3.8/", $path))
        };
    }

    macro_rules! fixture_3_9 {
        ($path:literal) => {
            include_str!(concat!("../../tests/fixtures/zk-3.9/", $path))
        };
    }

    #[test]
    fn admin_server_3_9_4_on_leader_and_follower() {
        let l = parse_leader(fixture_3_9!("leader/admin-leader.json")).unwrap();
        assert!(l.is_leader);
        assert_eq!(l.leader_id, Some(3));
        assert_eq!(l.leader_ip.as_deref(), Some("127.0.0.23"));
        let f = parse_leader(fixture_3_9!("follower/admin-leader.json")).unwrap();
        assert!(!f.is_leader);
        assert_eq!(f.leader_id, Some(3));
        let w = parse_leader(fixture_3_9!("whitelist-srvr-only/admin-leader.json")).unwrap();
        assert_eq!(
            w.leader_id,
            Some(3),
            "the AdminServer ignores the whitelist"
        );
        let m = parse_monitor(fixture_3_9!("leader/admin-monitor.json")).unwrap();
        assert_eq!(m.len(), 548);
        assert_eq!(m.server_state(), Ok(Mode::Leader));
        assert_eq!(m.learners(), Ok(Some(2)));
        assert_eq!(
            m.version()
                .unwrap()
                .number()
                .map(|v| v.to_string())
                .as_deref(),
            Some("3.9.4")
        );
        assert!(parse_monitor(fixture_3_9!("whitelist-srvr-only/admin-monitor.json")).is_ok());
        let s = parse_srvr(fixture_3_9!("leader/admin-srvr.json")).unwrap();
        assert_eq!(s.server_stats.server_state, Mode::Leader);
        // Decimal 4294967312 is the srvr text's 0x100000010.
        assert_eq!(s.server_stats.last_processed_zxid, Zxid(0x1_0000_0010));
        assert_eq!(s.server_stats.avg_latency, 9.5);
        assert_eq!(s.node_count, 9);
        assert_eq!(s.proposal_stats.map(|p| p.min_buffer_size), Some(36));
        let fs = parse_srvr(fixture_3_9!("follower/admin-srvr.json")).unwrap();
        assert_eq!(fs.server_stats.server_state, Mode::Follower);
        assert_eq!(fs.proposal_stats, None);
        let st = parse_stat(fixture_3_9!("leader/admin-stat.json")).unwrap();
        assert!(!st.connections.is_empty());
        let v = parse_voting_view(fixture_3_9!("follower/admin-voting_view.json")).unwrap();
        assert_eq!(
            v.current_config.keys().copied().collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(
            v.current_config[&1].client_address.as_deref(),
            Some("127.0.0.21:2181"),
            "the answering member knows its own client address"
        );
        assert_eq!(v.current_config[&3].client_address, None);
        assert_eq!(parse_ruok(fixture_3_9!("leader/admin-ruok.json")), Ok(()));
        for (body, command) in [
            (
                fixture_3_9!("leader/admin-configuration.json"),
                "configuration",
            ),
            (
                fixture_3_9!("follower/admin-configuration.json"),
                "configuration",
            ),
            (
                fixture_3_9!("leader/admin-last_snapshot.json"),
                "last_snapshot",
            ),
            (
                fixture_3_9!("follower/admin-last_snapshot.json"),
                "last_snapshot",
            ),
        ] {
            let map = check_response(body).unwrap();
            assert_eq!(map["command"], command);
        }
        let conf = check_response(fixture_3_9!("leader/admin-configuration.json")).unwrap();
        assert_eq!(conf["server_id"], 3);
        assert_eq!(conf["client_port"], 2181);
        // last_snapshot's zxid is a string (hex digits without 0x), its timestamp seconds.
        let snap = check_response(fixture_3_9!("leader/admin-last_snapshot.json")).unwrap();
        assert_eq!(snap["zxid"], "0");
        assert!(snap["timestamp"].is_u64());
    }

    #[test]
    fn admin_server_3_9_4_without_quorum() {
        for (body, command) in [
            (fixture_3_9!("not-serving/admin-leader.json"), "leader"),
            (fixture_3_9!("not-serving/admin-srvr.json"), "srvr"),
            (fixture_3_9!("not-serving/admin-stat.json"), "stat"),
            (
                fixture_3_9!("not-serving/admin-voting_view.json"),
                "voting_view",
            ),
            (fixture_3_9!("not-serving/admin-ruok.json"), "ruok"),
            (
                fixture_3_9!("not-serving/admin-configuration.json"),
                "configuration",
            ),
            (
                fixture_3_9!("not-serving/admin-last_snapshot.json"),
                "last_snapshot",
            ),
        ] {
            assert_eq!(
                check_response(body).map(|_| ()),
                Err(AdminError::NotServing {
                    command: command.into()
                })
            );
        }
        // 3.9.4 still answers monitor (and its alias mntr) with HTTP 500 and Jetty's page.
        for (page, command) in [
            (fixture_3_9!("not-serving/admin-monitor.html"), "monitor"),
            (fixture_3_9!("not-serving/admin-mntr.html"), "mntr"),
        ] {
            assert_eq!(
                parse_monitor(page),
                Err(AdminError::NotServing {
                    command: command.into()
                })
            );
        }
    }

    #[test]
    fn leader_on_leader_and_follower() {
        let l = parse_leader(fixture!("leader/admin-leader.json")).unwrap();
        assert_eq!(
            l,
            LeaderInfo {
                is_leader: true,
                leader_id: Some(3),
                leader_ip: Some("127.0.0.13".into())
            }
        );
        let f = parse_leader(fixture!("follower/admin-leader.json")).unwrap();
        assert!(!f.is_leader);
        assert_eq!(f.leader_id, Some(3));
        assert_eq!(f.leader_ip.as_deref(), Some("127.0.0.13"));
        // A server with a srvr-only whitelist still answers on the AdminServer.
        let w = parse_leader(fixture!("whitelist-srvr-only/admin-leader.json")).unwrap();
        assert_eq!(w.leader_id, Some(3));
    }

    #[test]
    fn leader_on_standalone_is_a_command_error() {
        assert_eq!(
            parse_leader(fixture!("standalone/admin-leader.json")),
            Err(AdminError::Command {
                command: "leader".into(),
                message: "server is not initialized".into()
            })
        );
    }

    #[test]
    fn monitor_matches_mntr() {
        let m = parse_monitor(fixture!("leader/admin-monitor.json")).unwrap();
        assert_eq!(m.len(), 539);
        assert_eq!(m.server_state(), Ok(Mode::Leader));
        assert_eq!(m.peer_state().as_deref(), Some("leading - broadcast"));
        assert_eq!(m.znode_count(), Ok(9));
        assert_eq!(m.avg_latency(), Ok(13.5));
        assert_eq!(m.learners(), Ok(Some(2)));
        assert_eq!(m.synced_followers(), Ok(Some(2)));
        assert_eq!(m.synced_observers(), Ok(Some(0)));
        assert_eq!(m.pending_syncs(), Ok(Some(0)));
        assert_eq!(m.ephemerals_count(), Ok(1));
        // The HTTP request is not a client connection; mntr's own connection is.
        assert_eq!(m.num_alive_connections(), Ok(Some(1)));
        assert_eq!(m.uptime_ms(), Ok(Some(25438)));
        assert_eq!(m.version().unwrap().number().map(|v| v.minor), Some(8));
        assert_eq!(m.get("command"), None);
        // Same keys as the text mntr captured a moment earlier.
        let text = crate::zk::four_letter::parse_mntr(fixture!("leader/mntr.txt")).unwrap();
        let json_keys: Vec<&str> = m.iter().map(|(k, _)| k).collect();
        let text_keys: Vec<&str> = text.iter().map(|(k, _)| k).collect();
        assert_eq!(json_keys, text_keys);

        let f = parse_monitor(fixture!("follower/admin-monitor.json")).unwrap();
        assert_eq!(f.server_state(), Ok(Mode::Follower));
        assert_eq!(f.learners(), Ok(None));
        assert_eq!(f.len(), 507);
    }

    #[test]
    fn srvr_on_leader() {
        let s = parse_srvr(fixture!("leader/admin-srvr.json")).unwrap();
        assert_eq!(s.server_stats.server_state, Mode::Leader);
        // Decimal 4294967307 is the srvr text's 0x10000000b.
        assert_eq!(s.server_stats.last_processed_zxid, Zxid(0x1_0000_000b));
        assert_eq!(
            s.server_stats.last_processed_zxid.to_string(),
            "0x10000000b"
        );
        assert_eq!(s.server_stats.avg_latency, 13.5);
        assert_eq!(s.server_stats.min_latency, 8);
        assert_eq!(s.server_stats.max_latency, 19);
        assert_eq!(s.server_stats.outstanding_requests, 0);
        assert_eq!(s.server_stats.num_alive_client_connections, 1);
        assert_eq!(s.server_stats.uptime, Some(25607));
        assert_eq!(s.server_stats.data_dir_size, Some(67_109_474));
        assert_eq!(s.node_count, 9);
        assert!(!s.read_only);
        assert_eq!(
            s.proposal_stats,
            Some(BufferSizes {
                last_buffer_size: 108,
                min_buffer_size: 48,
                max_buffer_size: 108
            })
        );
        assert_eq!(s.client_response.map(|c| c.last_buffer_size), Some(43));
        assert!(s.connections.is_empty());
        assert_eq!(
            s.version.number().map(|v| v.to_string()).as_deref(),
            Some("3.8.0")
        );
    }

    #[test]
    fn srvr_on_follower_and_standalone() {
        let s = parse_srvr(fixture!("follower/admin-srvr.json")).unwrap();
        assert_eq!(s.server_stats.server_state, Mode::Follower);
        assert_eq!(s.proposal_stats, None);
        assert_eq!(s.server_stats.avg_latency, 26.4);
        let st = parse_srvr(fixture!("standalone/admin-srvr.json")).unwrap();
        assert_eq!(st.server_stats.server_state, Mode::Standalone);
        assert_eq!(st.server_stats.last_processed_zxid, Zxid(0));
        assert_eq!(st.node_count, 5);
    }

    #[test]
    fn stat_lists_connections() {
        let s = parse_stat(fixture!("leader/admin-stat.json")).unwrap();
        assert_eq!(s.server_stats.server_state, Mode::Leader);
        assert_eq!(s.connections.len(), 1);
        let c = &s.connections[0];
        assert_eq!(c.remote_socket_address, "127.0.0.1:33398");
        assert_eq!(c.packets_received, Some(2));
        assert_eq!(c.interest_ops, Some(1));
        assert!(s.secure_connections.is_empty());
        let f = parse_stat(fixture!("follower/admin-stat.json")).unwrap();
        assert_eq!(f.connections[0].remote_socket_address, "127.0.0.1:56892");
    }

    #[test]
    fn voting_view() {
        let v = parse_voting_view(fixture!("leader/admin-voting_view.json")).unwrap();
        assert_eq!(
            v.current_config.keys().copied().collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let m3 = &v.current_config[&3];
        assert_eq!(m3.server_addresses, ["127.0.0.13:2888"]);
        assert_eq!(m3.election_addresses, ["127.0.0.13:3888"]);
        assert_eq!(m3.learner_type, ServerRole::Participant);
        // Only the answering server (3, the leader) knows its own client address.
        assert_eq!(m3.client_address.as_deref(), Some("127.0.0.13:2181"));
        assert_eq!(v.current_config[&1].client_address, None);
        let f = parse_voting_view(fixture!("follower/admin-voting_view.json")).unwrap();
        assert_eq!(
            f.current_config[&1].client_address.as_deref(),
            Some("127.0.0.11:2181")
        );
        assert_eq!(f.current_config[&3].client_address, None);
        let d = parse_voting_view(fixture!("dynamic-config/admin-voting_view.json")).unwrap();
        assert_eq!(
            d.current_config[&5].client_address.as_deref(),
            Some("127.0.0.15:2181")
        );
    }

    #[test]
    fn voting_view_string_members_and_standalone() {
        let body = r#"{"current_config":{"1":"zk-0:2888:3888:participant;0.0.0.0:2181","2":"zk-1:2888:3888:observer"},"command":"voting_view","error":null}"#;
        let v = parse_voting_view(body).unwrap();
        assert_eq!(v.current_config[&1].server_addresses, ["zk-0:2888"]);
        assert_eq!(
            v.current_config[&1].client_address.as_deref(),
            Some("0.0.0.0:2181")
        );
        assert_eq!(v.current_config[&2].learner_type, ServerRole::Observer);
        let empty = r#"{"current_config":{},"command":"voting_view","error":null}"#;
        assert!(parse_voting_view(empty).unwrap().current_config.is_empty());
        let bad = r#"{"current_config":{"1":"nonsense"},"command":"voting_view","error":null}"#;
        assert!(matches!(
            parse_voting_view(bad),
            Err(AdminError::Shape { .. })
        ));
    }

    #[test]
    fn not_serving_answers_every_command() {
        for (body, command) in [
            (fixture!("not-serving/admin-leader.json"), "leader"),
            (fixture!("not-serving/admin-srvr.json"), "srvr"),
            (fixture!("not-serving/admin-stat.json"), "stat"),
            (
                fixture!("not-serving/admin-voting_view.json"),
                "voting_view",
            ),
            (fixture!("not-serving/admin-ruok.json"), "ruok"),
        ] {
            let expected = Err(AdminError::NotServing {
                command: command.into(),
            });
            assert_eq!(check_response(body).map(|_| ()), expected.clone());
            assert_eq!(parse_leader(body).map(|_| ()), expected.clone());
            assert_eq!(parse_monitor(body).map(|_| ()), expected.clone());
            assert_eq!(parse_srvr(body).map(|_| ()), expected.clone());
            assert_eq!(parse_voting_view(body).map(|_| ()), expected.clone());
            assert_eq!(parse_ruok(body), expected);
        }
    }

    #[test]
    fn monitor_http_500_page_without_quorum_is_not_serving() {
        assert_eq!(
            parse_monitor(fixture!("not-serving/admin-monitor.html")),
            Err(AdminError::NotServing {
                command: "monitor".into()
            })
        );
        assert_eq!(
            parse_monitor(fixture!("not-serving/admin-mntr.html")),
            Err(AdminError::NotServing {
                command: "mntr".into()
            })
        );
    }

    #[test]
    fn other_error_pages_keep_status_and_message() {
        let page = "<html>\n<head>\n<title>Error 404 Not Found</title>\n</head>\n<body><h2>HTTP ERROR 404 Not Found</h2>\n<table>\n<tr><th>URI:</th><td>/commands/nope</td></tr>\n</table>\n</body>\n</html>";
        let err = parse_leader(page).unwrap_err();
        assert_eq!(
            err,
            AdminError::ErrorPage {
                status: Some(404),
                message: "Not Found".into(),
                uri: Some("/commands/nope".into())
            }
        );
        assert!(err.to_string().contains("HTTP 404"));
        let err = parse_leader("<html><body>oops</body></html>").unwrap_err();
        assert!(matches!(err, AdminError::ErrorPage { status: None, .. }));
        let h2_only = "<h2>HTTP ERROR 503 Service Unavailable</h2>";
        assert!(matches!(
            parse_leader(h2_only),
            Err(AdminError::ErrorPage {
                status: Some(503),
                ..
            })
        ));
    }

    #[test]
    fn malformed_bodies_give_typed_errors() {
        assert_eq!(parse_leader(""), Err(AdminError::Empty));
        assert_eq!(parse_leader("  \n"), Err(AdminError::Empty));
        assert!(matches!(
            parse_leader("{\"is_leader\": tr"),
            Err(AdminError::NotJson { .. })
        ));
        assert!(matches!(
            parse_leader("[1,2]"),
            Err(AdminError::NotJson { .. })
        ));
        assert!(matches!(
            parse_leader("\u{fffd}\u{fffd}"),
            Err(AdminError::NotJson { .. })
        ));
        assert!(matches!(
            parse_leader(r#"{"command":"leader","error":null}"#),
            Err(AdminError::Shape {
                command: "leader",
                ..
            })
        ));
        assert!(matches!(
            parse_srvr(
                r#"{"command":"server_stats","error":null,"version":"3.8.0","node_count":1,"server_stats":{"server_state":"looking"}}"#
            ),
            Err(AdminError::Shape {
                command: "srvr",
                ..
            })
        ));
        assert!(matches!(
            parse_srvr(r#"{"version":"3.8.0","node_count":-1,"server_stats":{}}"#),
            Err(AdminError::Shape { .. })
        ));
        assert!(matches!(
            parse_monitor(r#"{"command":"monitor","error":null}"#),
            Err(AdminError::Shape {
                command: "monitor",
                ..
            })
        ));
        assert_eq!(
            parse_leader(r#"{"command":"leader","error":{"weird":1}}"#),
            Err(AdminError::Command {
                command: "leader".into(),
                message: "{\"weird\":1}".into()
            })
        );
        // Truncated fixture.
        let full = fixture!("leader/admin-srvr.json");
        let cut = full.get(..full.len() / 2).unwrap_or("");
        assert!(matches!(parse_srvr(cut), Err(AdminError::NotJson { .. })));
        // Huge numbers.
        let huge = r#"{"command":"leader","error":null,"is_leader":false,"leader_id":99999999999999999999999}"#;
        assert!(matches!(parse_leader(huge), Err(AdminError::Shape { .. })));
        let huge_zxid = full.replace("4294967307", "99999999999999999999999");
        assert!(matches!(
            parse_srvr(&huge_zxid),
            Err(AdminError::Shape { .. })
        ));
        let long = format!("not json {}", "é".repeat(1000));
        assert!(parse_leader(&long).unwrap_err().to_string().chars().count() < 300);
    }

    #[test]
    fn negative_zxid_is_read_as_java_long_bits() {
        let full = fixture!("leader/admin-srvr.json");
        let neg = full.replace("4294967307", "-1");
        let s = parse_srvr(&neg).unwrap();
        assert_eq!(
            s.server_stats.last_processed_zxid.to_string(),
            "0xffffffffffffffff"
        );
    }
}
