//! Replies to ZooKeeper's four-letter words (`srvr`, `stat`, `mntr`, `conf`, `ruok`, `isro`) parsed into typed results.
//!
//! Each `parse_*` function takes the whole reply as text (a transport that reads
//! bytes should convert with `String::from_utf8_lossy`) and first checks for the
//! replies any command can get:
//!
//! - `<cmd> is not executed because it is not in the whitelist.` →
//!   [`FourLetterError::NotInWhitelist`] (3.5.3+ with the command not whitelisted);
//! - `This ZooKeeper instance is not currently serving requests` →
//!   [`FourLetterError::NotServing`] (up, but not in a quorum; `isro` says `null`);
//! - nothing at all → [`FourLetterError::Empty`].
//!
//! Formats handled: 3.4 (integer average latency, no `Proposal sizes`) through
//! 3.8 (decimal average, `Proposal sizes last/min/max` on the leader). Unknown
//! `Key: value` lines are skipped so newer servers still parse.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::metrics::{MetricValue, Metrics};
use super::zoo_cfg::{DynamicConfig, ZooCfg, ZooCfgError};
use super::{Mode, NOT_SERVING_TEXT, Version, Zxid};

/// The tail of the reply to a command the whitelist refuses.
pub const WHITELIST_REFUSAL_SUFFIX: &str = " is not executed because it is not in the whitelist.";

/// The four-letter words kubectl-zk sends and parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FourLetterWord {
    /// Server statistics (always whitelisted from 3.5.3).
    Srvr,
    /// `srvr` plus the connected clients.
    Stat,
    /// Monitoring key-value pairs (3.4+).
    Mntr,
    /// Serving configuration and membership.
    Conf,
    /// Liveness: `imok` (says nothing about quorum).
    Ruok,
    /// Read-only or read-write.
    Isro,
}

impl FourLetterWord {
    /// Every word, in the order above.
    pub const ALL: [FourLetterWord; 6] = [
        FourLetterWord::Srvr,
        FourLetterWord::Stat,
        FourLetterWord::Mntr,
        FourLetterWord::Conf,
        FourLetterWord::Ruok,
        FourLetterWord::Isro,
    ];

    /// The four letters to send (nothing else: no newline).
    pub const fn as_str(self) -> &'static str {
        match self {
            FourLetterWord::Srvr => "srvr",
            FourLetterWord::Stat => "stat",
            FourLetterWord::Mntr => "mntr",
            FourLetterWord::Conf => "conf",
            FourLetterWord::Ruok => "ruok",
            FourLetterWord::Isro => "isro",
        }
    }
}

impl fmt::Display for FourLetterWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word kubectl-zk does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported four-letter word `{found}`; expected one of srvr, stat, mntr, conf, ruok, isro"
)]
pub struct ParseFourLetterWordError {
    /// The text given.
    pub found: String,
}

impl FromStr for FourLetterWord {
    type Err = ParseFourLetterWordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        FourLetterWord::ALL
            .into_iter()
            .find(|w| w.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseFourLetterWordError {
                found: t.to_owned(),
            })
    }
}

/// Why a reply could not be turned into a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FourLetterError {
    /// Nothing came back.
    #[error("the server sent an empty reply")]
    Empty,
    /// The server refused the command (3.5.3+ `4lw.commands.whitelist`).
    #[error(
        "the server refused `{command}`: it is not in 4lw.commands.whitelist; add it there, or use the AdminServer, which the whitelist does not limit"
    )]
    NotInWhitelist {
        /// The refused command, as the server named it.
        command: String,
    },
    /// The server is up but not in a quorum that serves requests.
    #[error("the server is running but not serving requests (it is not part of a working quorum)")]
    NotServing,
    /// A field every version prints is missing (a truncated or foreign reply).
    #[error("the reply has no `{field}` line")]
    Missing {
        /// The field, as ZooKeeper labels it.
        field: &'static str,
    },
    /// A field's value is not what the field holds.
    #[error("`{field}` has value `{value}`, expected {expected}")]
    Invalid {
        /// The field, as ZooKeeper labels it.
        field: &'static str,
        /// The value, as received (shortened).
        value: String,
        /// What the field holds.
        expected: &'static str,
    },
    /// A line of a shape the command never prints.
    #[error("line {line} of the reply is not {expected}: `{text}`")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// The line (shortened).
        text: String,
        /// The shape expected.
        expected: &'static str,
    },
    /// A one-word reply that is not one of the expected words.
    #[error("`{command}` answered `{reply}`, expected {expected}")]
    Unexpected {
        /// The command.
        command: FourLetterWord,
        /// What came back (shortened).
        reply: String,
        /// What should have come back.
        expected: &'static str,
    },
    /// The membership in a `conf` reply is not valid.
    #[error("the membership in the conf reply is invalid: {0}")]
    Membership(#[from] ZooCfgError),
}

/// Shortens text for an error message without splitting a character.
fn snippet(text: &str) -> String {
    const MAX: usize = 80;
    let t = text.trim();
    if t.chars().count() <= MAX {
        t.to_owned()
    } else {
        let mut s: String = t.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// Recognises the replies any command can get: empty, whitelist refusal, not
/// serving. Returns the reply otherwise.
pub fn check_special(reply: &str) -> Result<&str, FourLetterError> {
    let t = reply.trim();
    if t.is_empty() {
        return Err(FourLetterError::Empty);
    }
    if t == NOT_SERVING_TEXT {
        return Err(FourLetterError::NotServing);
    }
    if let Some(command) = t.strip_suffix(WHITELIST_REFUSAL_SUFFIX)
        && !command.is_empty()
        && !command.contains('\n')
    {
        return Err(FourLetterError::NotInWhitelist {
            command: command.trim().to_owned(),
        });
    }
    Ok(reply)
}

/// `Latency min/avg/max` in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Smallest request latency.
    pub min: u64,
    /// Average (a decimal from 3.6, an integer before).
    pub avg: f64,
    /// Largest request latency.
    pub max: u64,
}

/// `Proposal sizes last/min/max` in bytes (leader only, 3.5+); -1 before the first proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalSizes {
    /// Size of the last proposal.
    pub last: i64,
    /// Smallest proposal.
    pub min: i64,
    /// Largest proposal.
    pub max: i64,
}

/// The `srvr` reply (also the body of `stat`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Srvr {
    /// `Zookeeper version:`.
    pub version: Version,
    /// Whether the server printed `READ-ONLY mode; serving only read-only clients`.
    pub read_only_notice: bool,
    /// `Latency min/avg/max:`.
    pub latency: Latency,
    /// `Received:` packets.
    pub received: u64,
    /// `Sent:` packets.
    pub sent: u64,
    /// `Connections:` (includes the connection asking).
    pub connections: Option<u64>,
    /// `Outstanding:` requests (absent when the server has no stats provider).
    pub outstanding: Option<u64>,
    /// `Zxid:` last processed (absent when the server has no stats provider).
    pub zxid: Option<Zxid>,
    /// `Mode:`.
    pub mode: Mode,
    /// `Node count:`.
    pub node_count: u64,
    /// `Proposal sizes last/min/max:` (leader only, 3.5+).
    pub proposal_sizes: Option<ProposalSizes>,
}

/// One line of `stat`'s `Clients:` block, e.g. ` /127.0.0.1:56892[1](queued=0,recved=2,sent=2)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConnection {
    /// Remote address and port, without the leading `/`.
    pub address: String,
    /// The selector interest ops in brackets (`1` reading, `0` for the asking connection).
    pub interest_ops: Option<u32>,
    /// The `key=value` pairs in parentheses (`queued`, `recved`, `sent`, …).
    pub stats: BTreeMap<String, String>,
}

impl ClientConnection {
    fn stat_u64(&self, key: &str) -> Option<u64> {
        self.stats.get(key).and_then(|v| v.parse().ok())
    }

    /// `queued` requests.
    pub fn queued(&self) -> Option<u64> {
        self.stat_u64("queued")
    }

    /// `recved` packets.
    pub fn received(&self) -> Option<u64> {
        self.stat_u64("recved")
    }

    /// `sent` packets.
    pub fn sent(&self) -> Option<u64> {
        self.stat_u64("sent")
    }

    /// Parses one client line.
    pub fn parse(line: &str) -> Option<Self> {
        let t = line.trim();
        let (head, rest) = t.split_once('(')?;
        let inner = rest.strip_suffix(')')?;
        let (address, interest_ops) = match head.split_once('[') {
            Some((addr, ops)) => (addr, Some(ops.strip_suffix(']')?.trim().parse().ok()?)),
            None => (head, None),
        };
        let address = address.trim().trim_start_matches('/').to_owned();
        if address.is_empty() {
            return None;
        }
        let mut stats = BTreeMap::new();
        for pair in inner.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = pair.split_once('=')?;
            stats.insert(k.trim().to_owned(), v.trim().to_owned());
        }
        Some(ClientConnection {
            address,
            interest_ops,
            stats,
        })
    }
}

/// The `stat` reply: `srvr` plus the clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// The server statistics.
    #[serde(flatten)]
    pub server: Srvr,
    /// The `Clients:` block.
    pub clients: Vec<ClientConnection>,
}

fn parse_u64(field: &'static str, value: &str) -> Result<u64, FourLetterError> {
    value.trim().parse().map_err(|_| FourLetterError::Invalid {
        field,
        value: snippet(value),
        expected: "a non-negative integer",
    })
}

fn parse_triple<T: FromStr>(
    field: &'static str,
    value: &str,
    expected: &'static str,
) -> Result<[T; 3], FourLetterError> {
    let invalid = || FourLetterError::Invalid {
        field,
        value: snippet(value),
        expected,
    };
    let mut parts = value.trim().split('/');
    let mut next = || -> Result<T, FourLetterError> {
        parts
            .next()
            .and_then(|p| p.trim().parse().ok())
            .ok_or_else(invalid)
    };
    let triple = [next()?, next()?, next()?];
    if parts.next().is_some() {
        return Err(invalid());
    }
    Ok(triple)
}

fn parse_latency(value: &str) -> Result<Latency, FourLetterError> {
    let invalid = || FourLetterError::Invalid {
        field: "Latency min/avg/max",
        value: snippet(value),
        expected: "min/avg/max with integer min and max",
    };
    let parts: Vec<&str> = value.trim().split('/').map(str::trim).collect();
    let [min, avg, max] = parts.as_slice() else {
        return Err(invalid());
    };
    let avg: f64 = avg
        .parse()
        .ok()
        .filter(|a: &f64| a.is_finite())
        .ok_or_else(invalid)?;
    Ok(Latency {
        min: min.parse().map_err(|_| invalid())?,
        avg,
        max: max.parse().map_err(|_| invalid())?,
    })
}

/// Parses a `stat` reply (`srvr` lines plus the `Clients:` block).
pub fn parse_stat(reply: &str) -> Result<Stat, FourLetterError> {
    let reply = check_special(reply)?;
    let mut version = None;
    let mut read_only_notice = false;
    let mut latency = None;
    let mut received = None;
    let mut sent = None;
    let mut connections = None;
    let mut outstanding = None;
    let mut zxid = None;
    let mut mode = None;
    let mut node_count = None;
    let mut proposal_sizes = None;
    let mut clients = Vec::new();
    let mut in_clients = false;

    for (i, raw) in reply.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            in_clients = false;
            continue;
        }
        if in_clients && (line.starts_with(' ') || line.starts_with('\t') || line.starts_with('/'))
        {
            let client =
                ClientConnection::parse(line).ok_or_else(|| FourLetterError::Malformed {
                    line: line_no,
                    text: snippet(line),
                    expected: "a client line such as /10.0.0.1:40000[1](queued=0,recved=1,sent=1)",
                })?;
            clients.push(client);
            continue;
        }
        in_clients = false;
        if line.trim() == "Clients:" {
            in_clients = true;
            continue;
        }
        if line.trim().starts_with("READ-ONLY mode") {
            read_only_notice = true;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(FourLetterError::Malformed {
                line: line_no,
                text: snippet(line),
                expected: "a `Key: value` line",
            });
        };
        let (key, value) = (key.trim(), value.trim());
        if version.is_none() && key.ends_with("version") {
            version = Some(Version::new(value));
            continue;
        }
        match key {
            "Latency min/avg/max" => latency = Some(parse_latency(value)?),
            "Received" => received = Some(parse_u64("Received", value)?),
            "Sent" => sent = Some(parse_u64("Sent", value)?),
            "Connections" => connections = Some(parse_u64("Connections", value)?),
            "Outstanding" => outstanding = Some(parse_u64("Outstanding", value)?),
            "Zxid" => {
                zxid = Some(
                    value
                        .parse::<Zxid>()
                        .map_err(|_| FourLetterError::Invalid {
                            field: "Zxid",
                            value: snippet(value),
                            expected: "a 0x… hexadecimal zxid",
                        })?,
                );
            }
            "Mode" => {
                mode = Some(
                    value
                        .parse::<Mode>()
                        .map_err(|_| FourLetterError::Invalid {
                            field: "Mode",
                            value: snippet(value),
                            expected: "leader, follower, observer, standalone or read-only",
                        })?,
                );
            }
            "Node count" => node_count = Some(parse_u64("Node count", value)?),
            "Proposal sizes last/min/max" => {
                let [last, min, max] = parse_triple::<i64>(
                    "Proposal sizes last/min/max",
                    value,
                    "last/min/max integers",
                )?;
                proposal_sizes = Some(ProposalSizes { last, min, max });
            }
            // Fields a newer server may add.
            _ => {}
        }
    }

    let server = Srvr {
        version: version.ok_or(FourLetterError::Missing {
            field: "Zookeeper version",
        })?,
        read_only_notice,
        latency: latency.ok_or(FourLetterError::Missing {
            field: "Latency min/avg/max",
        })?,
        received: received.ok_or(FourLetterError::Missing { field: "Received" })?,
        sent: sent.ok_or(FourLetterError::Missing { field: "Sent" })?,
        connections,
        outstanding,
        zxid,
        mode: mode.ok_or(FourLetterError::Missing { field: "Mode" })?,
        node_count: node_count.ok_or(FourLetterError::Missing {
            field: "Node count",
        })?,
        proposal_sizes,
    };
    Ok(Stat { server, clients })
}

/// Parses a `srvr` reply. (A `stat` reply parses too; its clients are dropped.)
pub fn parse_srvr(reply: &str) -> Result<Srvr, FourLetterError> {
    parse_stat(reply).map(|s| s.server)
}

/// Parses an `mntr` reply: every `zk_<key>\t<value>` line, keyed without `zk_`.
pub fn parse_mntr(reply: &str) -> Result<Metrics, FourLetterError> {
    let reply = check_special(reply)?;
    let mut metrics = Metrics::new();
    for (i, raw) in reply.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let malformed = || FourLetterError::Malformed {
            line: i + 1,
            text: snippet(line),
            expected: "a `zk_<key>\\t<value>` line",
        };
        let (key, value) = line
            .split_once('\t')
            .or_else(|| line.split_once(' '))
            .ok_or_else(malformed)?;
        let key = key
            .trim()
            .strip_prefix("zk_")
            .filter(|k| !k.is_empty())
            .ok_or_else(malformed)?;
        if key.contains(char::is_whitespace) {
            return Err(malformed());
        }
        metrics.insert(key, MetricValue::from_text(value));
    }
    if metrics.is_empty() {
        return Err(FourLetterError::Empty);
    }
    Ok(metrics)
}

/// The `conf` reply: settings as `key=value` lines, then (3.5+) a `membership:`
/// block of `server.N=…` lines and `version=<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conf {
    /// The settings before `membership:`, readable with [`ZooCfg`]'s getters
    /// (`tick_time`, `init_limit`, `min_session_timeout`, …).
    pub settings: ZooCfg,
    /// The membership block (absent on 3.4 and on standalone servers).
    pub membership: Option<DynamicConfig>,
}

impl Conf {
    /// A setting's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key)
    }

    /// `serverId` (the server's `myid`; 0 on a standalone server).
    pub fn server_id(&self) -> Result<u64, FourLetterError> {
        let v = self
            .get("serverId")
            .ok_or(FourLetterError::Missing { field: "serverId" })?;
        parse_u64("serverId", v)
    }

    /// `dataDir` as the server uses it (ZooKeeper shows the `version-2` subdirectory).
    pub fn data_dir(&self) -> Option<&str> {
        self.get("dataDir")
    }

    /// `dataLogDir` as the server uses it.
    pub fn data_log_dir(&self) -> Option<&str> {
        self.get("dataLogDir")
    }

    /// `clientPort`.
    pub fn client_port(&self) -> Result<u16, FourLetterError> {
        let v = self.get("clientPort").ok_or(FourLetterError::Missing {
            field: "clientPort",
        })?;
        v.trim().parse().map_err(|_| FourLetterError::Invalid {
            field: "clientPort",
            value: snippet(v),
            expected: "a TCP port",
        })
    }
}

/// Parses a `conf` reply.
pub fn parse_conf(reply: &str) -> Result<Conf, FourLetterError> {
    let reply = check_special(reply)?;
    let mut settings = String::new();
    let mut membership: Option<String> = None;
    for (i, raw) in reply.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line.trim() == "membership:" {
            membership = Some(String::new());
            continue;
        }
        if !line.contains('=') {
            return Err(FourLetterError::Malformed {
                line: i + 1,
                text: snippet(line),
                expected: "a `key=value` line",
            });
        }
        let target = membership.as_mut().unwrap_or(&mut settings);
        target.push_str(line);
        target.push('\n');
    }
    let settings = ZooCfg::parse(&settings);
    let membership = membership.map(|m| DynamicConfig::parse(&m)).transpose()?;
    Ok(Conf {
        settings,
        membership,
    })
}

/// Checks a `ruok` reply: `imok` means the process is up — not that it is in a quorum.
pub fn parse_ruok(reply: &str) -> Result<(), FourLetterError> {
    let reply = check_special(reply)?;
    if reply.trim() == "imok" {
        Ok(())
    } else {
        Err(FourLetterError::Unexpected {
            command: FourLetterWord::Ruok,
            reply: snippet(reply),
            expected: "imok",
        })
    }
}

/// The `isro` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isro {
    /// `rw`: serving reads and writes.
    ReadWrite,
    /// `ro`: read-only mode.
    ReadOnly,
}

/// Parses an `isro` reply (`rw`, `ro`; `null` means not serving).
pub fn parse_isro(reply: &str) -> Result<Isro, FourLetterError> {
    let reply = check_special(reply)?;
    match reply.trim() {
        "rw" => Ok(Isro::ReadWrite),
        "ro" => Ok(Isro::ReadOnly),
        "null" => Err(FourLetterError::NotServing),
        _ => Err(FourLetterError::Unexpected {
            command: FourLetterWord::Isro,
            reply: snippet(reply),
            expected: "rw or ro",
        }),
    }
}

/// A parsed reply to any supported word.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `srvr`.
    Srvr(Srvr),
    /// `stat`.
    Stat(Stat),
    /// `mntr`.
    Mntr(Metrics),
    /// `conf`.
    Conf(Conf),
    /// `ruok` answered `imok`.
    Imok,
    /// `isro`.
    Isro(Isro),
}

/// Parses the reply to `word`.
pub fn parse_reply(word: FourLetterWord, reply: &str) -> Result<Reply, FourLetterError> {
    Ok(match word {
        FourLetterWord::Srvr => Reply::Srvr(parse_srvr(reply)?),
        FourLetterWord::Stat => Reply::Stat(parse_stat(reply)?),
        FourLetterWord::Mntr => Reply::Mntr(parse_mntr(reply)?),
        FourLetterWord::Conf => Reply::Conf(parse_conf(reply)?),
        FourLetterWord::Ruok => {
            parse_ruok(reply)?;
            Reply::Imok
        }
        FourLetterWord::Isro => Reply::Isro(parse_isro(reply)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::VersionNumber;
    use crate::zk::zoo_cfg::ServerRole;

    macro_rules! fixture {
        ($path:literal) => {
            include_str!(concat!("../../tests/fixtures/", $path))
        };
    }

    const V38: &str = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

    #[test]
    fn leader_srvr_3_8() {
        let s = parse_srvr(fixture!("zk-3.8/leader/srvr.txt")).unwrap();
        assert_eq!(s.version.raw, V38);
        assert_eq!(s.version.number(), Some(VersionNumber::new(3, 8, 0)));
        assert_eq!(
            s.latency,
            Latency {
                min: 8,
                avg: 13.5,
                max: 19
            }
        );
        assert_eq!(s.received, 5);
        assert_eq!(s.sent, 4);
        assert_eq!(s.connections, Some(2));
        assert_eq!(s.outstanding, Some(0));
        assert_eq!(s.zxid, Some(Zxid(0x1_0000_000b)));
        assert_eq!(s.zxid.map(|z| (z.epoch(), z.counter())), Some((1, 11)));
        assert_eq!(s.mode, Mode::Leader);
        assert_eq!(s.node_count, 9);
        assert_eq!(
            s.proposal_sizes,
            Some(ProposalSizes {
                last: 108,
                min: 48,
                max: 108
            })
        );
        assert!(!s.read_only_notice);
    }

    #[test]
    fn follower_srvr_3_8() {
        let s = parse_srvr(fixture!("zk-3.8/follower/srvr.txt")).unwrap();
        assert_eq!(s.mode, Mode::Follower);
        assert_eq!(
            s.latency,
            Latency {
                min: 6,
                avg: 26.4,
                max: 65
            }
        );
        assert_eq!(s.received, 13);
        assert_eq!(s.sent, 12);
        assert_eq!(s.zxid, Some(Zxid::from_parts(1, 0xb)));
        assert_eq!(s.node_count, 9);
        assert_eq!(s.proposal_sizes, None, "followers print no proposal sizes");
    }

    #[test]
    fn standalone_and_whitelisted_srvr_3_8() {
        let s = parse_srvr(fixture!("zk-3.8/standalone/srvr.txt")).unwrap();
        assert_eq!(s.mode, Mode::Standalone);
        assert_eq!(s.zxid, Some(Zxid(0)));
        assert_eq!(s.node_count, 5);
        assert_eq!(s.latency.avg, 0.0);
        // srvr is answered even with a whitelist of srvr only.
        let w = parse_srvr(fixture!("zk-3.8/whitelist-srvr-only/srvr.txt")).unwrap();
        assert_eq!(w.mode, Mode::Follower);
        assert_eq!(w.zxid, Some(Zxid(0x1_0000_000f)));
        let d = parse_srvr(fixture!("zk-3.8/dynamic-config/srvr.txt")).unwrap();
        assert_eq!(d.mode, Mode::Leader);
        assert_eq!(
            d.proposal_sizes,
            Some(ProposalSizes {
                last: -1,
                min: -1,
                max: -1
            })
        );
    }

    #[test]
    fn leader_stat_3_8_lists_clients() {
        let s = parse_stat(fixture!("zk-3.8/leader/stat.txt")).unwrap();
        assert_eq!(s.server.mode, Mode::Leader);
        assert_eq!(s.server.received, 6);
        assert_eq!(s.server.zxid, Some(Zxid(0x1_0000_000b)));
        assert_eq!(s.clients.len(), 2);
        let c = &s.clients[1];
        assert_eq!(c.address, "127.0.0.1:33398");
        assert_eq!(c.interest_ops, Some(1));
        assert_eq!(
            (c.queued(), c.received(), c.sent()),
            (Some(0), Some(2), Some(2))
        );
        assert_eq!(s.clients[0].interest_ops, Some(0));
        // srvr parsing of a stat reply drops the clients only.
        assert_eq!(
            parse_srvr(fixture!("zk-3.8/leader/stat.txt")).unwrap(),
            s.server
        );
    }

    #[test]
    fn follower_stat_3_8() {
        let s = parse_stat(fixture!("zk-3.8/follower/stat.txt")).unwrap();
        assert_eq!(s.server.mode, Mode::Follower);
        assert_eq!(s.clients.len(), 2);
        assert_eq!(s.clients[0].address, "127.0.0.1:56892");
        assert_eq!(s.server.connections, Some(2));
        // A srvr reply has no clients.
        assert!(
            parse_stat(fixture!("zk-3.8/follower/srvr.txt"))
                .unwrap()
                .clients
                .is_empty()
        );
    }

    #[test]
    fn srvr_and_stat_3_4_10() {
        let s = parse_srvr(fixture!("zk-3.4/leader/srvr.txt")).unwrap();
        assert_eq!(s.version.number(), Some(VersionNumber::new(3, 4, 10)));
        assert_eq!(s.version.built_on(), Some("03/23/2017 10:13 GMT"));
        // 3.4 prints an integer average.
        assert_eq!(
            s.latency,
            Latency {
                min: 4,
                avg: 9.0,
                max: 15
            }
        );
        assert_eq!(s.zxid, Some(Zxid::from_parts(1, 0x19)));
        assert_eq!(s.mode, Mode::Leader);
        assert_eq!(s.node_count, 8);
        assert_eq!(s.proposal_sizes, None, "3.4 has no Proposal sizes line");
        let st = parse_stat(fixture!("zk-3.4/leader/stat.txt")).unwrap();
        assert_eq!(st.clients.len(), 3);
        assert_eq!(st.clients[0].address, "127.0.0.1:33910");
        assert_eq!(st.clients[0].received(), Some(1));
        let f = parse_stat(fixture!("zk-3.4/follower/stat.txt")).unwrap();
        assert_eq!(f.server.mode, Mode::Follower);
        assert_eq!(f.server.latency.avg, 11.0);
        assert_eq!(f.server.zxid, Some(Zxid::from_parts(1, 0x19)));
        assert_eq!(f.clients.len(), 2);
        assert_eq!(
            parse_srvr(fixture!("zk-3.4/follower/srvr.txt"))
                .unwrap()
                .received,
            22
        );
    }

    #[test]
    fn zkserver_status_3_4_reads_the_mode_of_four_letter_word_main() {
        // What 3.4.10's zkServer.sh status greps from FourLetterWordMain's srvr.
        let s = parse_srvr(fixture!("zk-3.4/follower/FourLetterWordMain-srvr.stdout")).unwrap();
        assert_eq!(s.mode, Mode::Follower);
        assert_eq!(
            fixture!("zk-3.4/follower/zkServer-status.stdout"),
            "Mode: follower\n"
        );
        assert_eq!(
            parse_srvr(fixture!(
                "zk-3.4/not-serving/FourLetterWordMain-srvr.stdout"
            )),
            Err(FourLetterError::NotServing)
        );
    }

    #[test]
    fn leader_mntr_3_8() {
        let m = parse_mntr(fixture!("zk-3.8/leader/mntr.txt")).unwrap();
        assert_eq!(m.len(), 539);
        assert_eq!(m.version().unwrap().raw, V38);
        assert_eq!(m.server_state(), Ok(Mode::Leader));
        assert_eq!(m.peer_state().as_deref(), Some("leading - broadcast"));
        assert_eq!(m.avg_latency(), Ok(13.5));
        assert_eq!(m.max_latency(), Ok(19));
        assert_eq!(m.outstanding_requests(), Ok(0));
        assert_eq!(m.znode_count(), Ok(9));
        assert_eq!(m.num_alive_connections(), Ok(Some(2)));
        assert_eq!(m.watch_count(), Ok(0));
        assert_eq!(m.ephemerals_count(), Ok(1));
        assert_eq!(m.approximate_data_size(), Ok(253));
        assert_eq!(m.uptime_ms(), Ok(Some(24332)));
        assert_eq!(m.learners(), Ok(Some(2)));
        assert_eq!(m.synced_followers(), Ok(Some(2)));
        assert_eq!(m.synced_observers(), Ok(Some(0)));
        assert_eq!(m.pending_syncs(), Ok(Some(0)));
        assert_eq!(m.quorum_size(), Ok(Some(3)));
        assert_eq!(m.open_file_descriptor_count(), Ok(Some(52)));
        assert_eq!(m.max_file_descriptor_count(), Ok(Some(20000)));
        // Per-namespace metrics put the top znode's name, dashes and all, in the key.
        assert_eq!(
            m.get("cnt_kubectl-zk_write_per_namespace"),
            Some(&MetricValue::Int(3))
        );
        assert_eq!(m.get("avg_fsynctime"), Some(&MetricValue::Float(3.8182)));
    }

    #[test]
    fn follower_mntr_3_8_has_no_leader_keys() {
        let m = parse_mntr(fixture!("zk-3.8/follower/mntr.txt")).unwrap();
        assert_eq!(m.len(), 507);
        assert_eq!(m.server_state(), Ok(Mode::Follower));
        assert_eq!(m.peer_state().as_deref(), Some("following - broadcast"));
        assert_eq!(m.learners(), Ok(None));
        assert_eq!(m.synced_followers(), Ok(None));
        assert_eq!(m.pending_syncs(), Ok(None));
        assert_eq!(m.znode_count(), Ok(9));
        assert_eq!(m.avg_latency(), Ok(26.4));
    }

    #[test]
    fn standalone_mntr_3_8_has_no_peer_state() {
        let m = parse_mntr(fixture!("zk-3.8/standalone/mntr.txt")).unwrap();
        assert_eq!(m.server_state(), Ok(Mode::Standalone));
        assert_eq!(m.peer_state(), None);
        assert_eq!(m.znode_count(), Ok(5));
    }

    #[test]
    fn mntr_3_4_10() {
        let m = parse_mntr(fixture!("zk-3.4/leader/mntr.txt")).unwrap();
        assert_eq!(m.len(), 18);
        assert_eq!(
            m.version().unwrap().number(),
            Some(VersionNumber::new(3, 4, 10))
        );
        assert_eq!(m.server_state(), Ok(Mode::Leader));
        assert_eq!(m.avg_latency(), Ok(9.0));
        assert_eq!(m.learners(), Ok(Some(2)), "3.4 calls it zk_followers");
        assert_eq!(m.synced_followers(), Ok(Some(2)));
        assert_eq!(m.synced_observers(), Ok(None));
        assert_eq!(m.pending_syncs(), Ok(Some(0)));
        assert_eq!(m.num_alive_connections(), Ok(Some(3)));
        assert_eq!(m.uptime_ms(), Ok(None));
        assert_eq!(m.peer_state(), None);
        assert_eq!(m.quorum_size(), Ok(None));
        assert_eq!(m.ephemerals_count(), Ok(1));
        assert_eq!(m.approximate_data_size(), Ok(101));
        let f = parse_mntr(fixture!("zk-3.4/follower/mntr.txt")).unwrap();
        assert_eq!(f.len(), 15);
        assert_eq!(f.server_state(), Ok(Mode::Follower));
        assert_eq!(f.num_alive_connections(), Ok(Some(2)));
        assert_eq!(f.learners(), Ok(None));
        assert_eq!(f.znode_count(), Ok(8));
    }

    #[test]
    fn conf_3_8_with_membership() {
        let c = parse_conf(fixture!("zk-3.8/leader/conf.txt")).unwrap();
        assert_eq!(c.server_id(), Ok(3));
        assert_eq!(c.client_port(), Ok(2181));
        assert_eq!(c.data_dir(), Some("/tmp/zkcap/s3/data/version-2"));
        assert_eq!(c.data_log_dir(), Some("/tmp/zkcap/s3/data/version-2"));
        assert_eq!(c.settings.tick_time(), Ok(2000));
        assert_eq!(c.settings.init_limit(), Ok(Some(5)));
        assert_eq!(c.settings.sync_limit(), Ok(Some(2)));
        assert_eq!(c.settings.min_session_timeout(), Ok(4000));
        assert_eq!(c.settings.max_session_timeout(), Ok(40000));
        assert_eq!(c.get("electionPort"), Some("3888"));
        let m = c.membership.unwrap();
        assert_eq!(m.version, Some(Zxid(0)));
        assert_eq!(m.servers.len(), 3);
        assert!(
            m.servers
                .iter()
                .all(|s| s.role == Some(ServerRole::Participant))
        );
        assert_eq!(m.servers[2].host(), "127.0.0.13");
        assert_eq!(
            m.servers[2].to_string(),
            "server.3=127.0.0.13:2888:3888:participant"
        );
        let f = parse_conf(fixture!("zk-3.8/follower/conf.txt")).unwrap();
        assert_eq!(f.server_id(), Ok(1));
    }

    #[test]
    fn conf_3_8_standalone_and_dynamic() {
        let s = parse_conf(fixture!("zk-3.8/standalone/conf.txt")).unwrap();
        assert_eq!(s.server_id(), Ok(0));
        assert_eq!(s.membership, None);
        assert_eq!(s.get("dataDirSize"), Some("457"));
        let d = parse_conf(fixture!("zk-3.8/dynamic-config/conf.txt")).unwrap();
        assert_eq!(d.server_id(), Ok(5));
        let m = d.membership.unwrap();
        assert_eq!(m.version, Some(Zxid::from_parts(1, 0)));
        assert_eq!(m.servers[0].client.as_ref().map(|c| c.port), Some(2181));
    }

    #[test]
    fn conf_3_4_10_has_no_membership() {
        let c = parse_conf(fixture!("zk-3.4/follower/conf.txt")).unwrap();
        assert_eq!(c.server_id(), Ok(1));
        assert_eq!(c.membership, None);
        assert_eq!(c.client_port(), Ok(2181));
        assert_eq!(c.settings.init_limit(), Ok(Some(10)));
        assert_eq!(c.get("dataDirSize"), None, "3.4 does not print sizes");
        let l = parse_conf(fixture!("zk-3.4/leader/conf.txt")).unwrap();
        assert_eq!(l.server_id(), Ok(3));
    }

    #[test]
    fn four_letter_words_3_9_4() {
        let v394 = "3.9.4-7246445ec281f3dbf53dc54e970c914f39713903, built on 2025-08-19 19:53 UTC";
        let s = parse_srvr(fixture!("zk-3.9/leader/srvr.txt")).unwrap();
        assert_eq!(s.version.raw, v394);
        assert_eq!(s.version.number(), Some(VersionNumber::new(3, 9, 4)));
        assert_eq!(s.mode, Mode::Leader);
        assert_eq!(s.latency.avg, 9.5);
        assert_eq!(s.zxid, Some(Zxid::from_parts(1, 0x10)));
        assert_eq!(
            s.proposal_sizes,
            Some(ProposalSizes {
                last: 108,
                min: 36,
                max: 108
            })
        );
        let f = parse_stat(fixture!("zk-3.9/follower/stat.txt")).unwrap();
        assert_eq!(f.server.mode, Mode::Follower);
        assert_eq!(f.server.latency.avg, 15.4118);
        assert!(!f.clients.is_empty());
        let m = parse_mntr(fixture!("zk-3.9/leader/mntr.txt")).unwrap();
        // 3.9 adds the snapshot and restore metrics of its AdminServer commands to 3.8's.
        assert_eq!(m.len(), 548);
        assert!(m.get("restore_error_count").is_some());
        assert_eq!(m.server_state(), Ok(Mode::Leader));
        assert_eq!(m.peer_state().as_deref(), Some("leading - broadcast"));
        assert_eq!(m.learners(), Ok(Some(2)));
        assert_eq!(m.synced_followers(), Ok(Some(2)));
        assert_eq!(m.quorum_size(), Ok(Some(3)));
        assert_eq!(m.ephemerals_count(), Ok(1));
        assert_eq!(m.znode_count(), Ok(9));
        let fm = parse_mntr(fixture!("zk-3.9/follower/mntr.txt")).unwrap();
        assert_eq!(fm.len(), 516);
        assert_eq!(fm.server_state(), Ok(Mode::Follower));
        assert_eq!(fm.learners(), Ok(None));
        let c = parse_conf(fixture!("zk-3.9/leader/conf.txt")).unwrap();
        assert_eq!(c.server_id(), Ok(3));
        let membership = c.membership.unwrap();
        assert_eq!(membership.servers.len(), 3);
        assert_eq!(membership.servers[0].host(), "127.0.0.21");
        assert_eq!(parse_ruok(fixture!("zk-3.9/follower/ruok.txt")), Ok(()));
        assert_eq!(
            parse_isro(fixture!("zk-3.9/leader/isro.txt")),
            Ok(Isro::ReadWrite)
        );
    }

    #[test]
    fn whitelist_refusals_and_not_serving_3_4_and_3_9() {
        for (reply, word) in [
            (fixture!("zk-3.9/whitelist-srvr-only/mntr.txt"), "mntr"),
            (fixture!("zk-3.9/whitelist-srvr-only/stat.txt"), "stat"),
            (fixture!("zk-3.9/whitelist-srvr-only/conf.txt"), "conf"),
            (fixture!("zk-3.9/whitelist-srvr-only/ruok.txt"), "ruok"),
            (fixture!("zk-3.9/whitelist-srvr-only/isro.txt"), "isro"),
        ] {
            assert_eq!(
                check_special(reply),
                Err(FourLetterError::NotInWhitelist {
                    command: word.into()
                }),
                "{word}"
            );
        }
        assert_eq!(
            parse_srvr(fixture!("zk-3.9/whitelist-srvr-only/srvr.txt"))
                .unwrap()
                .mode,
            Mode::Follower
        );
        for reply in [
            fixture!("zk-3.4/not-serving/srvr.txt"),
            fixture!("zk-3.4/not-serving/stat.txt"),
            fixture!("zk-3.4/not-serving/mntr.txt"),
            fixture!("zk-3.4/not-serving/conf.txt"),
            fixture!("zk-3.9/not-serving/srvr.txt"),
            fixture!("zk-3.9/not-serving/stat.txt"),
            fixture!("zk-3.9/not-serving/mntr.txt"),
            fixture!("zk-3.9/not-serving/conf.txt"),
        ] {
            assert_eq!(check_special(reply), Err(FourLetterError::NotServing));
        }
        // Up but not in a quorum: ruok still says imok, isro says null, in both versions.
        assert_eq!(parse_ruok(fixture!("zk-3.4/not-serving/ruok.txt")), Ok(()));
        assert_eq!(parse_ruok(fixture!("zk-3.9/not-serving/ruok.txt")), Ok(()));
        assert_eq!(
            parse_isro(fixture!("zk-3.4/not-serving/isro.txt")),
            Err(FourLetterError::NotServing)
        );
        assert_eq!(
            parse_isro(fixture!("zk-3.9/not-serving/isro.txt")),
            Err(FourLetterError::NotServing)
        );
        assert_eq!(
            parse_isro(fixture!("zk-3.4/follower/isro.txt")),
            Ok(Isro::ReadWrite)
        );
    }

    #[test]
    fn ruok_and_isro() {
        assert_eq!(parse_ruok(fixture!("zk-3.8/leader/ruok.txt")), Ok(()));
        assert_eq!(parse_ruok(fixture!("zk-3.8/follower/ruok.txt")), Ok(()));
        assert_eq!(parse_ruok(fixture!("zk-3.4/follower/ruok.txt")), Ok(()));
        // Without quorum ruok still says imok.
        assert_eq!(parse_ruok(fixture!("zk-3.8/not-serving/ruok.txt")), Ok(()));
        assert_eq!(
            parse_isro(fixture!("zk-3.8/leader/isro.txt")),
            Ok(Isro::ReadWrite)
        );
        assert_eq!(
            parse_isro(fixture!("zk-3.8/follower/isro.txt")),
            Ok(Isro::ReadWrite)
        );
        assert_eq!(
            parse_isro(fixture!("zk-3.8/not-serving/isro.txt")),
            Err(FourLetterError::NotServing)
        );
        assert_eq!(parse_isro("ro"), Ok(Isro::ReadOnly));
        assert!(matches!(
            parse_isro("maybe"),
            Err(FourLetterError::Unexpected { .. })
        ));
        assert!(matches!(
            parse_ruok("imnotok"),
            Err(FourLetterError::Unexpected { .. })
        ));
        assert_eq!(parse_ruok(""), Err(FourLetterError::Empty));
    }

    #[test]
    fn whitelist_refusals_are_recognised_on_every_command() {
        for (file, cmd) in [
            (fixture!("zk-3.8/whitelist-srvr-only/mntr.txt"), "mntr"),
            (fixture!("zk-3.8/whitelist-srvr-only/stat.txt"), "stat"),
            (fixture!("zk-3.8/whitelist-srvr-only/ruok.txt"), "ruok"),
            (fixture!("zk-3.8/whitelist-srvr-only/conf.txt"), "conf"),
        ] {
            let expected = FourLetterError::NotInWhitelist {
                command: cmd.into(),
            };
            for word in FourLetterWord::ALL {
                assert_eq!(
                    parse_reply(word, file),
                    Err(expected.clone()),
                    "{word} / {cmd}"
                );
            }
            let msg = expected.to_string();
            assert!(
                msg.contains(cmd) && msg.contains("4lw.commands.whitelist"),
                "{msg}"
            );
        }
    }

    #[test]
    fn not_serving_is_recognised_on_every_command() {
        for file in [
            fixture!("zk-3.8/not-serving/srvr.txt"),
            fixture!("zk-3.8/not-serving/mntr.txt"),
            fixture!("zk-3.8/not-serving/stat.txt"),
            fixture!("zk-3.8/not-serving/conf.txt"),
        ] {
            for word in FourLetterWord::ALL {
                assert_eq!(
                    parse_reply(word, file),
                    Err(FourLetterError::NotServing),
                    "{word}"
                );
            }
        }
    }

    #[test]
    fn empty_replies_are_their_own_error() {
        for word in FourLetterWord::ALL {
            assert_eq!(parse_reply(word, ""), Err(FourLetterError::Empty));
            assert_eq!(parse_reply(word, " \n\r\n"), Err(FourLetterError::Empty));
        }
    }

    #[test]
    fn truncated_srvr_reports_what_is_missing() {
        let full = fixture!("zk-3.8/leader/srvr.txt");
        // Cut after each line: the first missing required field is reported.
        let lines: Vec<&str> = full.lines().collect();
        for n in 1..lines.len() {
            let text = lines[..n].join("\n");
            let r = parse_srvr(&text);
            if n < 9 {
                assert!(
                    matches!(r, Err(FourLetterError::Missing { .. })),
                    "{n}: {r:?}"
                );
            } else {
                assert!(r.is_ok(), "{n}");
            }
        }
        // Cut in the middle of a line.
        let cut = "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.5";
        assert!(matches!(
            parse_srvr(cut),
            Err(FourLetterError::Invalid {
                field: "Latency min/avg/max",
                ..
            })
        ));
        let cut = "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0/0\nReceived: 1\nSent: 1\nNode count: 1\nMode: lea";
        assert!(matches!(
            parse_srvr(cut),
            Err(FourLetterError::Invalid { field: "Mode", .. })
        ));
        let cut = "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0/0\nReceived: 1\nSent: 1\nNode count: 1\nMode: leader\nZxid: 0x";
        assert!(matches!(
            parse_srvr(cut),
            Err(FourLetterError::Invalid { field: "Zxid", .. })
        ));
    }

    #[test]
    fn garbage_srvr_gives_typed_errors() {
        let ok_tail =
            "Latency min/avg/max: 0/0/0\nReceived: 1\nSent: 1\nMode: follower\nNode count: 1\n";
        let cases: Vec<(String, &str)> = vec![
            ("hello world".into(), "Malformed"),
            ("\u{fffd}\u{fffd}\u{fffd}\n\u{fffd}".into(), "Malformed"),
            ("HTTP/1.1 400 Bad Request\r\n\r\n".into(), "Malformed"),
            (
                format!("Zookeeper version: x\n{ok_tail}Received: 99999999999999999999999\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Received: -1\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Latency min/avg/max: 0/NaN/0\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Latency min/avg/max: 0/inf/0\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Latency min/avg/max: 0/1/2/3\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Latency min/avg/max: -1/1/2\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Zxid: 0x10000000000000000\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Proposal sizes last/min/max: 1/2\n"),
                "Invalid",
            ),
            (
                format!("Zookeeper version: x\n{ok_tail}Mode: \u{fffd}\n"),
                "Invalid",
            ),
            (ok_tail.to_owned(), "Missing"),
            (
                format!("Zookeeper version: x\nClients:\n garbage\n\n{ok_tail}"),
                "Malformed",
            ),
            (
                format!("Zookeeper version: x\nClients:\n /1.2.3.4:5[x](a=b)\n\n{ok_tail}"),
                "Malformed",
            ),
        ];
        for (text, kind) in cases {
            let err = parse_stat(&text).unwrap_err();
            assert!(format!("{err:?}").starts_with(kind), "{text:?} → {err:?}");
            assert!(!err.to_string().is_empty());
        }
        // Long garbage is shortened in the message, at a character boundary.
        let long = "é".repeat(500);
        let err = parse_srvr(&long).unwrap_err().to_string();
        assert!(err.chars().count() < 200, "{err}");
    }

    #[test]
    fn srvr_tolerates_new_fields_and_crlf_and_foreign_servers() {
        let text = "Zookeeper version: 3.9.9\r\nLatency min/avg/max: 1/2.25/3\r\nReceived: 10\r\nSent: 9\r\nConnections: 1\r\nOutstanding: 0\r\nZxid: 0x200000001\r\nMode: observer\r\nNode count: 4\r\nSomething new: 42\r\n";
        let s = parse_srvr(text).unwrap();
        assert_eq!(s.mode, Mode::Observer);
        assert_eq!(s.latency.avg, 2.25);
        assert_eq!(s.zxid, Some(Zxid::from_parts(2, 1)));
        // No stats provider: Outstanding and Zxid are omitted.
        let bare = "Zookeeper version: 3.5.9\nLatency min/avg/max: 0/0/0\nReceived: 0\nSent: 0\nConnections: 0\nMode: follower\nNode count: 0\n";
        let s = parse_srvr(bare).unwrap();
        assert_eq!((s.outstanding, s.zxid), (None, None));
        // A read-only server prints a notice line.
        let ro = "Zookeeper version: 3.8.0\nREAD-ONLY mode; serving only read-only clients\nLatency min/avg/max: 0/0.0/0\nReceived: 0\nSent: 0\nConnections: 0\nOutstanding: 0\nZxid: 0x0\nMode: read-only\nNode count: 5\n";
        let s = parse_srvr(ro).unwrap();
        assert!(s.read_only_notice);
        assert_eq!(s.mode, Mode::ReadOnly);
        // ClickHouse Keeper's look-alike reply (decimal zxid, `Sent :`).
        let keeper = "ClickHouse Keeper version: v21.11.1.1-prestable\nLatency min/avg/max: 0/0/0\nReceived: 2\nSent : 2\nConnections: 1\nOutstanding: 0\nZxid: 34\nMode: leader\nNode count: 4\n";
        let s = parse_srvr(keeper).unwrap();
        assert_eq!(s.zxid, Some(Zxid(34)));
        assert_eq!(s.version.number(), None);
    }

    #[test]
    fn malformed_mntr_gives_typed_errors() {
        for (text, line) in [
            ("zk_version\t3.8.0\nzk_server_state", 2),
            ("hello world", 1),
            ("zk_\tvalue", 1),
            ("version\t3.8.0", 1),
            ("zk_a\t1\n\u{fffd}\u{fffd}", 2),
        ] {
            assert!(
                matches!(parse_mntr(text), Err(FourLetterError::Malformed { line: l, .. }) if l == line),
                "{text:?}: {:?}",
                parse_mntr(text)
            );
        }
        // Huge numbers and odd values are kept, and accessors report them.
        let m = parse_mntr(
            "zk_znode_count\t99999999999999999999999\nzk_server_state\tlooking\nzk_avg_latency\t\n",
        )
        .unwrap();
        assert!(m.znode_count().is_err());
        assert!(m.server_state().is_err());
        assert!(m.avg_latency().is_err());
        assert!(m.version().is_err());
        // Space instead of tab (copied from a web page) still reads.
        let m = parse_mntr("zk_znode_count 4\n").unwrap();
        assert_eq!(m.znode_count(), Ok(4));
    }

    #[test]
    fn malformed_conf_gives_typed_errors() {
        assert!(matches!(
            parse_conf("clientPort=2181\ngarbage\n"),
            Err(FourLetterError::Malformed { line: 2, .. })
        ));
        assert!(matches!(
            parse_conf("serverId=1\nmembership: \nserver.1=a:1\n"),
            Err(FourLetterError::Membership(_))
        ));
        let c = parse_conf("clientPort=x\nserverId=\u{fffd}\n").unwrap();
        assert!(matches!(
            c.client_port(),
            Err(FourLetterError::Invalid { .. })
        ));
        assert!(matches!(
            c.server_id(),
            Err(FourLetterError::Invalid { .. })
        ));
        let c = parse_conf("tickTime=1\n").unwrap();
        assert_eq!(
            c.server_id(),
            Err(FourLetterError::Missing { field: "serverId" })
        );
    }

    #[test]
    fn special_replies_need_the_exact_shape() {
        // A refusal inside a longer reply is not a refusal.
        let text = "zk_a\t1\nmntr is not executed because it is not in the whitelist.";
        assert_eq!(check_special(text), Ok(text));
        assert_eq!(
            check_special(" is not executed because it is not in the whitelist."),
            Ok(" is not executed because it is not in the whitelist.")
        );
        assert_eq!(
            check_special("This ZooKeeper instance is not currently serving requests\n"),
            Err(FourLetterError::NotServing)
        );
    }

    #[test]
    fn words_round_trip() {
        for w in FourLetterWord::ALL {
            assert_eq!(w.as_str().len(), 4);
            assert_eq!(w.to_string().parse::<FourLetterWord>(), Ok(w));
        }
        assert!("dump".parse::<FourLetterWord>().is_err());
    }

    #[test]
    fn srvr_serialises_for_json_output() {
        let s = parse_stat(fixture!("zk-3.8/leader/stat.txt")).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["mode"], "leader");
        assert_eq!(v["zxid"], "0x10000000b");
        assert_eq!(v["latency"]["avg"], 13.5);
        assert_eq!(v["clients"][1]["address"], "127.0.0.1:33398");
    }
}
