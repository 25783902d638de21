//! `zoo.cfg` and dynamic config files: parse keeping every line, read settings the way ZooKeeper does, render back byte for byte.
//!
//! ZooKeeper loads `zoo.cfg` with `java.util.Properties` and trims keys and
//! values; when a key appears twice the **last** one wins (so duplicates are
//! worth a lint, see [`ZooCfg::duplicate_keys`]). Membership lines have the form
//! `server.N=host:quorumPort:electionPort[:participant|:observer][;[clientAddr:]clientPort]`
//! (3.6+ also allows several `|`-separated addresses). From 3.5 they may live in a
//! separate dynamic config file named by `dynamicConfigFile=`, which holds only
//! `server.N=…` lines and a `version=<hex>` line.
//!
//! Not handled: Java properties line continuations (`\` at the end of a line) and
//! `\uXXXX` escapes — the generated configs this tool meets never use them; such
//! text is kept verbatim in the value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{VersionNumber, Zxid};

/// ZooKeeper's `tickTime` when `zoo.cfg` sets none (`ZooKeeperServer.DEFAULT_TICK_TIME`).
pub const DEFAULT_TICK_TIME_MS: u32 = 3000;
/// ZooKeeper's smallest `autopurge.snapRetainCount`; smaller values are raised to it.
pub const MIN_SNAP_RETAIN_COUNT: i32 = 3;
/// Keys that tools are known to have written misspelled, with the key ZooKeeper reads.
/// ZooKeeper ignores the misspelled key silently (it becomes an unused system property).
pub const KNOWN_MISSPELLINGS: &[(&str, &str)] = &[
    // The kubernetes-zookeeper:1.0-3.4.10 image's start script (the k8s StatefulSet
    // tutorial) writes this, so autopurge never runs there.
    ("autopurge.purgeInteval", "autopurge.purgeInterval"),
];
/// The settings kubectl-zk knows by name; a key equal to one of these but for ASCII
/// case is reported by [`ZooCfg::misspelled_keys`] (ZooKeeper keys are case-sensitive).
pub const KNOWN_KEYS: &[&str] = &[
    "tickTime",
    "initLimit",
    "syncLimit",
    "dataDir",
    "dataLogDir",
    "clientPort",
    "clientPortAddress",
    "secureClientPort",
    "secureClientPortAddress",
    "maxClientCnxns",
    "minSessionTimeout",
    "maxSessionTimeout",
    "autopurge.snapRetainCount",
    "autopurge.purgeInterval",
    "dynamicConfigFile",
    "standaloneEnabled",
    "reconfigEnabled",
    "4lw.commands.whitelist",
    "admin.enableServer",
    "admin.serverAddress",
    "admin.serverPort",
    "admin.snapshot.enabled",
    "electionAlg",
    "peerType",
    "quorumListenOnAllIPs",
    "skipACL",
];

/// What kind of line a `zoo.cfg` line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// Starts with `#` or `!` (after leading whitespace).
    Comment,
    /// A setting, key and value trimmed as ZooKeeper trims them.
    Entry {
        /// The key.
        key: String,
        /// The value (may be empty).
        value: String,
    },
}

/// One physical line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLine {
    /// 1-based line number in the parsed text (0 for lines added by [`ZooCfg::set`]).
    pub number: usize,
    /// The line exactly as written, without its `\n`.
    pub raw: String,
    /// What the line is.
    pub kind: LineKind,
}

/// A setting as a borrowed view, with its line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// 1-based line number (0 for lines added by [`ZooCfg::set`]).
    pub line: usize,
    /// The key.
    pub key: &'a str,
    /// The value.
    pub value: &'a str,
}

/// A key set on more than one line; ZooKeeper uses the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// Every line that sets it, in order; the last one is in effect.
    pub lines: Vec<usize>,
}

/// A key ZooKeeper will not recognise although it almost names one it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misspelling {
    /// Line of the misspelled key.
    pub line: usize,
    /// The key as written.
    pub found: String,
    /// The key ZooKeeper reads.
    pub intended: &'static str,
}

/// A setting whose value ZooKeeper would reject or misread.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZooCfgError {
    /// The value of a key is not of the kind the key takes.
    #[error("line {line}: `{key}={value}` is invalid: expected {expected}")]
    InvalidValue {
        /// Line of the setting.
        line: usize,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What the key takes.
        expected: &'static str,
    },
    /// A `server.N=…` line that ZooKeeper would reject.
    #[error("line {line}: {source}")]
    ServerLine {
        /// Line of the membership entry.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: ServerLineError,
    },
    /// A key that has no place in a dynamic config file.
    #[error(
        "line {line}: `{key}` does not belong in a dynamic config file (only server.N, group.N, weight.N and version)"
    )]
    NotDynamic {
        /// Line of the key.
        line: usize,
        /// The key.
        key: String,
    },
    /// Two membership lines for the same server id.
    #[error("server.{id} is defined twice (lines {first} and {second})")]
    DuplicateServer {
        /// The server id.
        id: u64,
        /// First line.
        first: usize,
        /// Second line.
        second: usize,
    },
}

/// A parsed `zoo.cfg` (or dynamic config file) that remembers every line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZooCfg {
    lines: Vec<ConfigLine>,
    trailing_newline: bool,
}

impl FromStr for ZooCfg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ZooCfg::parse(s))
    }
}

impl fmt::Display for ZooCfg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Splits a properties line into key and value like `java.util.Properties`: the key
/// ends at the first unescaped `=`, `:` or whitespace; then whitespace and at most
/// one `=`/`:` separate it from the value. Both are trimmed, as ZooKeeper does.
fn split_property(line: &str) -> (String, String) {
    let body = line.trim_start();
    let mut key = String::new();
    let mut rest = "";
    let mut escaped = false;
    let mut found = false;
    for (i, c) in body.char_indices() {
        if escaped {
            key.push(c);
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if c == '=' || c == ':' || c.is_whitespace() {
            rest = body.get(i..).unwrap_or("");
            found = true;
            break;
        }
        key.push(c);
    }
    if !found {
        return (key.trim().to_owned(), String::new());
    }
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() && c != '\n');
    let rest = rest
        .strip_prefix('=')
        .or_else(|| rest.strip_prefix(':'))
        .unwrap_or(rest);
    (key.trim().to_owned(), rest.trim().to_owned())
}

fn classify(raw: &str) -> LineKind {
    let t = raw.trim_start();
    if t.trim().is_empty() {
        LineKind::Blank
    } else if t.starts_with('#') || t.starts_with('!') {
        LineKind::Comment
    } else {
        let (key, value) = split_property(raw);
        LineKind::Entry { key, value }
    }
}

fn parse_int<T: FromStr>(e: Entry<'_>, expected: &'static str) -> Result<T, ZooCfgError> {
    e.value.parse::<T>().map_err(|_| ZooCfgError::InvalidValue {
        line: e.line,
        key: e.key.to_owned(),
        value: e.value.to_owned(),
        expected,
    })
}

impl ZooCfg {
    /// Parses text; never fails (every line is blank, a comment or a setting, as
    /// for Java). Values are checked by the getters.
    pub fn parse(text: &str) -> Self {
        let trailing_newline = text.ends_with('\n');
        let body = if trailing_newline {
            text.get(..text.len() - 1).unwrap_or("")
        } else {
            text
        };
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .enumerate()
                .map(|(i, raw)| ConfigLine {
                    number: i + 1,
                    raw: raw.to_owned(),
                    kind: classify(raw),
                })
                .collect()
        };
        ZooCfg {
            lines,
            trailing_newline,
        }
    }

    /// The text again: exactly the parsed input when nothing was changed.
    pub fn render(&self) -> String {
        let mut out = self
            .lines
            .iter()
            .map(|l| l.raw.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if self.trailing_newline {
            out.push('\n');
        }
        out
    }

    /// Every line, in order.
    pub fn lines(&self) -> &[ConfigLine] {
        &self.lines
    }

    /// Every setting, in file order (duplicates included).
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Entry { key, value } => Some(Entry {
                line: l.number,
                key,
                value,
            }),
            _ => None,
        })
    }

    /// The setting in effect for `key` (the last one, as ZooKeeper reads it).
    pub fn entry(&self, key: &str) -> Option<Entry<'_>> {
        self.entries().filter(|e| e.key == key).last()
    }

    /// The value in effect for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value)
    }

    /// Keys set on more than one line, sorted by key.
    pub fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        let mut seen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for e in self.entries() {
            seen.entry(e.key).or_default().push(e.line);
        }
        seen.into_iter()
            .filter(|(_, lines)| lines.len() > 1)
            .map(|(key, lines)| DuplicateKey {
                key: key.to_owned(),
                lines,
            })
            .collect()
    }

    /// Keys ZooKeeper will ignore because they misspell one it reads: the
    /// [`KNOWN_MISSPELLINGS`] and any [`KNOWN_KEYS`] entry written in another case.
    pub fn misspelled_keys(&self) -> Vec<Misspelling> {
        self.entries()
            .filter_map(|e| {
                let intended = KNOWN_MISSPELLINGS
                    .iter()
                    .find(|(wrong, _)| *wrong == e.key)
                    .map(|(_, right)| *right)
                    .or_else(|| {
                        KNOWN_KEYS
                            .iter()
                            .find(|k| **k != e.key && k.eq_ignore_ascii_case(e.key))
                            .copied()
                    })?;
                Some(Misspelling {
                    line: e.line,
                    found: e.key.to_owned(),
                    intended,
                })
            })
            .collect()
    }

    /// Sets `key` to `value`: rewrites the line in effect (keeping its position) or
    /// appends `key=value` when the key is absent.
    pub fn set(&mut self, key: &str, value: &str) {
        let raw = format!("{key}={value}");
        let kind = LineKind::Entry {
            key: key.to_owned(),
            value: value.trim().to_owned(),
        };
        let last = self
            .lines
            .iter_mut()
            .rev()
            .find(|l| matches!(&l.kind, LineKind::Entry { key: k, .. } if k == key));
        match last {
            Some(line) => {
                line.raw = raw;
                line.kind = kind;
            }
            None => {
                self.lines.push(ConfigLine {
                    number: 0,
                    raw,
                    kind,
                });
                self.trailing_newline = true;
            }
        }
    }

    /// Removes every line that sets `key`; returns how many there were.
    pub fn remove(&mut self, key: &str) -> usize {
        let before = self.lines.len();
        self.lines
            .retain(|l| !matches!(&l.kind, LineKind::Entry { key: k, .. } if k == key));
        before - self.lines.len()
    }

    fn int_or<T: FromStr>(
        &self,
        key: &str,
        default: T,
        expected: &'static str,
    ) -> Result<T, ZooCfgError> {
        match self.entry(key) {
            Some(e) => parse_int(e, expected),
            None => Ok(default),
        }
    }

    fn int_opt<T: FromStr>(
        &self,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<T>, ZooCfgError> {
        self.entry(key).map(|e| parse_int(e, expected)).transpose()
    }

    /// `tickTime` in ms ([`DEFAULT_TICK_TIME_MS`] when absent). ZooKeeper refuses 0.
    pub fn tick_time(&self) -> Result<u32, ZooCfgError> {
        let tick: u32 = self.int_or(
            "tickTime",
            DEFAULT_TICK_TIME_MS,
            "a positive number of milliseconds",
        )?;
        if tick == 0 || tick > i32::MAX as u32 {
            let e = self.entry("tickTime");
            return Err(ZooCfgError::InvalidValue {
                line: e.map_or(0, |e| e.line),
                key: "tickTime".into(),
                value: e.map_or_else(String::new, |e| e.value.to_owned()),
                expected: "a positive number of milliseconds",
            });
        }
        Ok(tick)
    }

    /// `initLimit` in ticks (required by ZooKeeper in an ensemble; `None` when absent).
    pub fn init_limit(&self) -> Result<Option<u32>, ZooCfgError> {
        self.int_opt("initLimit", "a number of ticks")
    }

    /// `syncLimit` in ticks (required by ZooKeeper in an ensemble; `None` when absent).
    pub fn sync_limit(&self) -> Result<Option<u32>, ZooCfgError> {
        self.int_opt("syncLimit", "a number of ticks")
    }

    /// `clientPort` (optional since 3.5, where a `server.N` line may carry it).
    pub fn client_port(&self) -> Result<Option<u16>, ZooCfgError> {
        self.int_opt("clientPort", "a TCP port (0-65535)")
    }

    /// `clientPortAddress`, the address the client port binds to.
    pub fn client_port_address(&self) -> Option<&str> {
        self.get("clientPortAddress")
    }

    /// `dataDir` (ZooKeeper refuses to start without it).
    pub fn data_dir(&self) -> Option<&str> {
        self.get("dataDir").filter(|v| !v.is_empty())
    }

    /// `dataLogDir` as written.
    pub fn data_log_dir(&self) -> Option<&str> {
        self.get("dataLogDir").filter(|v| !v.is_empty())
    }

    /// Where the transaction log goes: `dataLogDir`, or `dataDir` when unset.
    pub fn effective_data_log_dir(&self) -> Option<&str> {
        self.data_log_dir().or_else(|| self.data_dir())
    }

    /// `maxClientCnxns` (ZooKeeper's default is 60).
    pub fn max_client_cnxns(&self) -> Result<u32, ZooCfgError> {
        self.int_or("maxClientCnxns", 60, "a number of connections")
    }

    fn session_timeout(&self, key: &str, ticks: u64) -> Result<u64, ZooCfgError> {
        let tick = u64::from(self.tick_time()?);
        match self.int_opt::<i64>(key, "milliseconds, or -1 for the default")? {
            None | Some(-1) => Ok(tick * ticks),
            Some(v) => u64::try_from(v).map_err(|_| ZooCfgError::InvalidValue {
                line: self.entry(key).map_or(0, |e| e.line),
                key: key.to_owned(),
                value: v.to_string(),
                expected: "milliseconds, or -1 for the default",
            }),
        }
    }

    /// `minSessionTimeout` in ms; ZooKeeper's default (absent or -1) is 2 × tickTime.
    pub fn min_session_timeout(&self) -> Result<u64, ZooCfgError> {
        self.session_timeout("minSessionTimeout", 2)
    }

    /// `maxSessionTimeout` in ms; ZooKeeper's default (absent or -1) is 20 × tickTime.
    pub fn max_session_timeout(&self) -> Result<u64, ZooCfgError> {
        self.session_timeout("maxSessionTimeout", 20)
    }

    /// `4lw.commands.whitelist` as ZooKeeper 3.5.3+ reads it.
    pub fn four_letter_whitelist(&self) -> FourLetterWhitelist {
        FourLetterWhitelist::parse(self.get("4lw.commands.whitelist"))
    }

    /// `admin.enableServer` as written.
    pub fn admin_enable_server(&self) -> Option<&str> {
        self.get("admin.enableServer")
    }

    /// Whether a server of `version` starts its AdminServer with this config:
    /// 3.4 has none; 3.5–3.9 start it unless the value is exactly `false`
    /// (case-sensitive); 3.10+ start it only when the value is `true` (any case).
    pub fn admin_server_enabled(&self, version: VersionNumber) -> bool {
        let value = self.admin_enable_server();
        if version < VersionNumber::new(3, 5, 0) {
            false
        } else if version < VersionNumber::new(3, 10, 0) {
            value != Some("false")
        } else {
            value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
        }
    }

    /// `admin.serverPort` (8080 when absent).
    pub fn admin_server_port(&self) -> Result<u16, ZooCfgError> {
        self.int_or("admin.serverPort", 8080, "a TCP port (0-65535)")
    }

    /// `autopurge.snapRetainCount` as configured (3 when absent). ZooKeeper raises
    /// values below [`MIN_SNAP_RETAIN_COUNT`] to it.
    pub fn autopurge_snap_retain_count(&self) -> Result<i32, ZooCfgError> {
        self.int_or(
            "autopurge.snapRetainCount",
            MIN_SNAP_RETAIN_COUNT,
            "a number of snapshots",
        )
    }

    /// `autopurge.purgeInterval` in hours (0, the default, disables purging).
    /// The misspelled `autopurge.purgeInteval` is not read (see [`Self::misspelled_keys`]).
    pub fn autopurge_purge_interval_hours(&self) -> Result<u32, ZooCfgError> {
        self.int_or("autopurge.purgeInterval", 0, "a whole number of hours")
    }

    /// `dynamicConfigFile`, the path of the membership file (3.5+).
    pub fn dynamic_config_file(&self) -> Option<&str> {
        self.get("dynamicConfigFile").filter(|v| !v.is_empty())
    }

    /// `standaloneEnabled` (ZooKeeper's default is true).
    pub fn standalone_enabled(&self) -> Result<bool, ZooCfgError> {
        self.bool_or("standaloneEnabled", true)
    }

    /// `reconfigEnabled` (ZooKeeper's default is false).
    pub fn reconfig_enabled(&self) -> Result<bool, ZooCfgError> {
        self.bool_or("reconfigEnabled", false)
    }

    fn bool_or(&self, key: &str, default: bool) -> Result<bool, ZooCfgError> {
        match self.entry(key) {
            None => Ok(default),
            Some(e) if e.value.eq_ignore_ascii_case("true") => Ok(true),
            Some(e) if e.value.eq_ignore_ascii_case("false") => Ok(false),
            Some(e) => Err(ZooCfgError::InvalidValue {
                line: e.line,
                key: e.key.to_owned(),
                value: e.value.to_owned(),
                expected: "true or false",
            }),
        }
    }

    /// The `version=<hex>` line of a dynamic config file.
    pub fn dynamic_version(&self) -> Result<Option<Zxid>, ZooCfgError> {
        self.entry("version")
            .map(|e| {
                Zxid::from_hex(e.value).map_err(|_| ZooCfgError::InvalidValue {
                    line: e.line,
                    key: e.key.to_owned(),
                    value: e.value.to_owned(),
                    expected: "a hexadecimal config version",
                })
            })
            .transpose()
    }

    /// Every `server.N=…` line, parsed, in file order. Fails on the first line
    /// ZooKeeper would reject and on an id defined twice.
    pub fn server_lines(&self) -> Result<Vec<ServerLine>, ZooCfgError> {
        let mut out: Vec<(usize, ServerLine)> = Vec::new();
        for e in self.entries().filter(|e| e.key.starts_with("server.")) {
            let server =
                ServerLine::parse(e.key, e.value).map_err(|source| ZooCfgError::ServerLine {
                    line: e.line,
                    source,
                })?;
            if let Some((first, _)) = out.iter().find(|(_, s)| s.id == server.id) {
                return Err(ZooCfgError::DuplicateServer {
                    id: server.id,
                    first: *first,
                    second: e.line,
                });
            }
            out.push((e.line, server));
        }
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }
}

/// A dynamic config file (or the membership block of `conf`): `server.N=…` lines
/// and the config version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicConfig {
    /// The members, in file order.
    pub servers: Vec<ServerLine>,
    /// The `version=` line (a zxid in hex), when present.
    pub version: Option<Zxid>,
}

impl DynamicConfig {
    /// Parses a dynamic config file; anything but `server.N`, `group.N`, `weight.N`
    /// and `version` is an error, as it is for ZooKeeper.
    pub fn parse(text: &str) -> Result<Self, ZooCfgError> {
        let cfg = ZooCfg::parse(text);
        if let Some(e) = cfg.entries().find(|e| {
            !(e.key.starts_with("server.")
                || e.key.starts_with("group")
                || e.key.starts_with("weight")
                || e.key == "version")
        }) {
            return Err(ZooCfgError::NotDynamic {
                line: e.line,
                key: e.key.to_owned(),
            });
        }
        Ok(DynamicConfig {
            servers: cfg.server_lines()?,
            version: cfg.dynamic_version()?,
        })
    }

    /// The members that vote.
    pub fn voters(&self) -> impl Iterator<Item = &ServerLine> {
        self.servers.iter().filter(|s| s.role().votes())
    }
}

/// The version in a dynamic config file name such as `zoo.cfg.dynamic.100000000`.
pub fn dynamic_file_version(file_name: &str) -> Option<Zxid> {
    let (_, hex) = file_name.rsplit_once(".dynamic.")?;
    Zxid::from_hex(hex).ok()
}

/// How `4lw.commands.whitelist` is read by ZooKeeper 3.5.3+: split on commas, each
/// entry trimmed, `*` enabling everything, and `srvr` always enabled (zkServer.sh
/// needs it). An absent key leaves only `srvr`. ZooKeeper 3.4.10 reads the key too, but without
/// it answers every command except `wchc` and `wchp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourLetterWhitelist {
    /// The value as written; `None` when the key is absent.
    pub configured: Option<String>,
    /// Whether `*` enables every command.
    pub all: bool,
    /// The command names ZooKeeper will match, besides the implicit `srvr`.
    pub commands: BTreeSet<String>,
    /// Entries with whitespace inside (`srvr mntr`): ZooKeeper splits on commas
    /// only, so these match no command.
    pub unmatched: Vec<String>,
}

impl FourLetterWhitelist {
    /// Reads the value of `4lw.commands.whitelist` (`None`: key absent).
    pub fn parse(value: Option<&str>) -> Self {
        let mut out = FourLetterWhitelist {
            configured: value.map(str::to_owned),
            all: false,
            commands: BTreeSet::new(),
            unmatched: Vec::new(),
        };
        for item in value.unwrap_or("").split(',').map(str::trim) {
            if item == "*" {
                out.all = true;
            } else if item.contains(char::is_whitespace) {
                out.unmatched.push(item.to_owned());
            } else if !item.is_empty() {
                out.commands.insert(item.to_owned());
            }
        }
        out
    }

    /// Whether ZooKeeper 3.5.3+ answers `command` (anything else gets the
    /// "is not executed because it is not in the whitelist." reply).
    pub fn allows(&self, command: &str) -> bool {
        self.all || command == "srvr" || self.commands.contains(command)
    }

    /// The commands the writer probably meant, splitting on commas and whitespace.
    pub fn intended(&self) -> BTreeSet<String> {
        self.configured
            .as_deref()
            .unwrap_or("")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Whether a member votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerRole {
    /// A voting member (the default).
    Participant,
    /// A non-voting member.
    Observer,
}

impl ServerRole {
    /// The word ZooKeeper uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServerRole::Participant => "participant",
            ServerRole::Observer => "observer",
        }
    }

    /// Whether the member votes.
    pub const fn votes(self) -> bool {
        matches!(self, ServerRole::Participant)
    }
}

impl fmt::Display for ServerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServerRole {
    type Err = ServerLineError;
    /// Parses `participant` or `observer` (any case, as ZooKeeper does).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("participant") {
            Ok(ServerRole::Participant)
        } else if t.eq_ignore_ascii_case("observer") {
            Ok(ServerRole::Observer)
        } else {
            Err(ServerLineError::UnknownRole {
                found: t.to_owned(),
            })
        }
    }
}

/// A `server.N=…` line ZooKeeper would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerLineError {
    /// The key is not `server.<number>`.
    #[error("`{key}` is not server.<id> with a numeric id")]
    BadId {
        /// The key as written.
        key: String,
    },
    /// The value does not have the shape ZooKeeper expects.
    #[error(
        "`{value}` does not have the form host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort]"
    )]
    WrongFormat {
        /// The value as written.
        value: String,
    },
    /// A port that is not a number in 0–65535.
    #[error("`{found}` is not a TCP port (0-65535) in `{value}`")]
    BadPort {
        /// The text where a port was expected.
        found: String,
        /// The whole value.
        value: String,
    },
    /// Quorum and election ports must differ.
    #[error("quorum and election port are both {port} in `{value}`; they must differ")]
    SamePorts {
        /// The port.
        port: u16,
        /// The whole value.
        value: String,
    },
    /// A role that is neither participant nor observer.
    #[error("unknown server role `{found}`; expected participant or observer")]
    UnknownRole {
        /// The text where the role was.
        found: String,
    },
    /// Different roles on the addresses of one member.
    #[error("`{value}` gives the member different roles on different addresses")]
    MixedRoles {
        /// The whole value.
        value: String,
    },
}

/// The quorum and election endpoints of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumAddress {
    /// Host name or IP (IPv6 without brackets).
    pub host: String,
    /// Port followers connect to the leader on (2888 by convention).
    pub quorum_port: u16,
    /// Port for leader election (3888 by convention).
    pub election_port: u16,
}

/// Where clients connect, from the part after `;`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAddress {
    /// Bind address, when given (`0.0.0.0` is ZooKeeper's default).
    pub host: Option<String>,
    /// Client port.
    pub port: u16,
}

/// One member line, `server.N=host:2888:3888[:role][;[addr:]port]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerLine {
    /// The server id (`N`; should equal that member's `myid`).
    pub id: u64,
    /// One address, or several `|`-separated ones (3.6+ multi-address).
    pub addresses: Vec<QuorumAddress>,
    /// The role as written; `None` means participant.
    pub role: Option<ServerRole>,
    /// The client address after `;`, when given.
    pub client: Option<ClientAddress>,
    /// The secure client address after a second `;` (newer ZooKeeper), when given.
    pub secure_client: Option<ClientAddress>,
}

fn host_and_ports(part: &str) -> Vec<String> {
    // ConfigUtils.getHostAndPort: `[v6]:p:p` keeps the bracketed host whole.
    if let Some(rest) = part.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        let mut out = vec![host.to_owned()];
        if let Some(tail) = after.strip_prefix(':') {
            out.extend(tail.split(':').map(str::to_owned));
        } else if !after.is_empty() {
            out.push(after.to_owned());
        }
        return out;
    }
    part.split(':').map(str::to_owned).collect()
}

fn fmt_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

impl ServerLine {
    /// Parses the key (`server.N`) and value of a membership line.
    pub fn parse(key: &str, value: &str) -> Result<Self, ServerLineError> {
        let id = key
            .trim()
            .strip_prefix("server.")
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| ServerLineError::BadId {
                key: key.to_owned(),
            })?;
        let value = value.trim();
        let wrong = || ServerLineError::WrongFormat {
            value: value.to_owned(),
        };
        let port = |s: &str| {
            s.trim()
                .parse::<u16>()
                .map_err(|_| ServerLineError::BadPort {
                    found: s.to_owned(),
                    value: value.to_owned(),
                })
        };
        let mut parts = value.split(';');
        let servers = parts.next().unwrap_or("");
        let client_part = parts.next();
        let secure_part = parts.next();
        if parts.next().is_some() || servers.is_empty() {
            return Err(wrong());
        }
        let client = |p: Option<&str>| -> Result<Option<ClientAddress>, ServerLineError> {
            match p.map(str::trim) {
                None | Some("") => Ok(None),
                Some(p) => {
                    let hp = host_and_ports(p);
                    match hp.as_slice() {
                        [port_s] => Ok(Some(ClientAddress {
                            host: None,
                            port: port(port_s)?,
                        })),
                        [host, port_s] if !host.is_empty() => Ok(Some(ClientAddress {
                            host: Some(host.clone()),
                            port: port(port_s)?,
                        })),
                        _ => Err(wrong()),
                    }
                }
            }
        };
        let mut addresses = Vec::new();
        let mut role: Option<ServerRole> = None;
        for address in servers.split('|') {
            let hp = host_and_ports(address.trim());
            let (host, q, e, r) = match hp.as_slice() {
                [h, q, e] => (h, q, e, None),
                [h, q, e, r] => (h, q, e, Some(r.parse::<ServerRole>()?)),
                _ => return Err(wrong()),
            };
            if host.trim().is_empty() {
                return Err(wrong());
            }
            let quorum_port = port(q)?;
            let election_port = port(e)?;
            if quorum_port == election_port {
                return Err(ServerLineError::SamePorts {
                    port: quorum_port,
                    value: value.to_owned(),
                });
            }
            if let Some(r) = r {
                match role {
                    Some(prev) if prev != r => {
                        return Err(ServerLineError::MixedRoles {
                            value: value.to_owned(),
                        });
                    }
                    _ => role = Some(r),
                }
            }
            addresses.push(QuorumAddress {
                host: host.trim().to_owned(),
                quorum_port,
                election_port,
            });
        }
        Ok(ServerLine {
            id,
            addresses,
            role,
            client: client(client_part)?,
            secure_client: client(secure_part)?,
        })
    }

    /// The role in effect (participant unless written as observer).
    pub fn role(&self) -> ServerRole {
        self.role.unwrap_or(ServerRole::Participant)
    }

    /// The first (usually only) quorum address's host.
    pub fn host(&self) -> &str {
        self.addresses.first().map_or("", |a| a.host.as_str())
    }

    /// The value part (`host:2888:3888:participant;2181`) in ZooKeeper's syntax.
    pub fn value(&self) -> String {
        let addrs = self
            .addresses
            .iter()
            .map(|a| {
                let mut s = format!(
                    "{}:{}:{}",
                    fmt_host(&a.host),
                    a.quorum_port,
                    a.election_port
                );
                if let Some(r) = self.role {
                    s.push(':');
                    s.push_str(r.as_str());
                }
                s
            })
            .collect::<Vec<_>>()
            .join("|");
        let fmt_client = |c: &ClientAddress| match &c.host {
            Some(h) => format!("{}:{}", fmt_host(h), c.port),
            None => c.port.to_string(),
        };
        let mut out = addrs;
        match (&self.client, &self.secure_client) {
            (None, None) => {}
            (Some(c), None) => {
                out.push(';');
                out.push_str(&fmt_client(c));
            }
            (c, Some(s)) => {
                out.push(';');
                if let Some(c) = c {
                    out.push_str(&fmt_client(c));
                }
                out.push(';');
                out.push_str(&fmt_client(s));
            }
        }
        out
    }
}

impl fmt::Display for ServerLine {
    /// Formats the whole line, `server.N=…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server.{}={}", self.id, self.value())
    }
}

impl FromStr for ServerLine {
    type Err = ServerLineError;
    /// Parses a whole `server.N=…` line.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| ServerLineError::WrongFormat {
                value: s.trim().to_owned(),
            })?;
        ServerLine::parse(key, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTURED: &str = include_str!("../../tests/fixtures/zoo-cfg/capture-server1.cfg");
    const CAPTURED_WHITELIST: &str =
        include_str!("../../tests/fixtures/zoo-cfg/capture-server2-whitelist-srvr.cfg");
    const TUTORIAL: &str = include_str!("../../tests/fixtures/zoo-cfg/k8s-tutorial-3.4.10.cfg");
    const MESSY: &str = include_str!("../../tests/fixtures/zoo-cfg/messy.cfg");
    const DYN_BEFORE: &str =
        include_str!("../../tests/fixtures/zk-3.8/dynamic-config/zoo.cfg.before");
    const DYN_AFTER: &str =
        include_str!("../../tests/fixtures/zk-3.8/dynamic-config/zoo.cfg.after");
    const DYN_FILE: &str =
        include_str!("../../tests/fixtures/zk-3.8/dynamic-config/zoo.cfg.dynamic.100000000");
    const DYN_EXAMPLE: &str =
        include_str!("../../tests/fixtures/zoo-cfg/dynamic-example.cfg.dynamic");

    #[test]
    fn every_fixture_round_trips() {
        for text in [
            CAPTURED,
            CAPTURED_WHITELIST,
            TUTORIAL,
            MESSY,
            DYN_BEFORE,
            DYN_AFTER,
            DYN_FILE,
            DYN_EXAMPLE,
            "",
            "\n",
            "a=b",
            "a=b\r\n\r\n",
            "\u{fffd}=\u{fffd}\n",
        ] {
            assert_eq!(ZooCfg::parse(text).render(), text);
        }
    }

    #[test]
    fn captured_config_reads_as_zookeeper_read_it() {
        let cfg = ZooCfg::parse(CAPTURED);
        assert_eq!(cfg.tick_time(), Ok(2000));
        assert_eq!(cfg.init_limit(), Ok(Some(5)));
        assert_eq!(cfg.sync_limit(), Ok(Some(2)));
        assert_eq!(cfg.client_port(), Ok(Some(2181)));
        assert_eq!(cfg.client_port_address(), Some("127.0.0.11"));
        assert_eq!(cfg.data_dir(), Some("/tmp/zkcap/s1/data"));
        assert_eq!(cfg.data_log_dir(), None);
        assert_eq!(cfg.effective_data_log_dir(), Some("/tmp/zkcap/s1/data"));
        // The captured `conf` reply shows these same defaults: 4000 / 40000.
        assert_eq!(cfg.min_session_timeout(), Ok(4000));
        assert_eq!(cfg.max_session_timeout(), Ok(40000));
        assert_eq!(cfg.max_client_cnxns(), Ok(60));
        assert_eq!(cfg.admin_enable_server(), Some("true"));
        assert_eq!(cfg.admin_server_port(), Ok(8080));
        assert!(cfg.admin_server_enabled(VersionNumber::new(3, 8, 0)));
        assert_eq!(cfg.autopurge_snap_retain_count(), Ok(3));
        assert_eq!(cfg.autopurge_purge_interval_hours(), Ok(1));
        assert!(cfg.misspelled_keys().is_empty());
        assert!(cfg.duplicate_keys().is_empty());
        let wl = cfg.four_letter_whitelist();
        assert!(wl.all);
        assert!(wl.allows("mntr") && wl.allows("conf") && wl.allows("srvr"));
        let servers = cfg.server_lines().unwrap();
        assert_eq!(servers.len(), 3);
        assert_eq!(servers[0].id, 1);
        assert_eq!(servers[0].host(), "127.0.0.11");
        assert_eq!(servers[2].addresses[0].quorum_port, 2888);
        assert_eq!(servers[2].addresses[0].election_port, 3888);
        assert_eq!(servers[2].role(), ServerRole::Participant);
        assert_eq!(servers[2].role, None);
        assert_eq!(servers[2].client, None);
        assert_eq!(servers[1].to_string(), "server.2=127.0.0.12:2888:3888");
        assert_eq!(cfg.dynamic_config_file(), None);
        assert_eq!(cfg.standalone_enabled(), Ok(true));
        assert_eq!(cfg.reconfig_enabled(), Ok(false));
    }

    #[test]
    fn restricted_whitelist_allows_only_srvr() {
        let wl = ZooCfg::parse(CAPTURED_WHITELIST).four_letter_whitelist();
        assert!(!wl.all);
        assert_eq!(wl.configured.as_deref(), Some("srvr"));
        assert!(wl.allows("srvr"));
        for refused in ["mntr", "stat", "ruok", "conf"] {
            assert!(!wl.allows(refused), "{refused}");
        }
    }

    #[test]
    fn tutorial_config_has_the_misspelled_purge_key() {
        let cfg = ZooCfg::parse(TUTORIAL);
        assert_eq!(cfg.lines()[0].kind, LineKind::Comment);
        assert_eq!(cfg.tick_time(), Ok(2000));
        assert_eq!(cfg.init_limit(), Ok(Some(10)));
        assert_eq!(cfg.sync_limit(), Ok(Some(5)));
        assert_eq!(cfg.data_dir(), Some("/var/lib/zookeeper/data"));
        assert_eq!(cfg.data_log_dir(), Some("/var/lib/zookeeper/data/log"));
        assert_eq!(cfg.min_session_timeout(), Ok(4000));
        assert_eq!(cfg.max_session_timeout(), Ok(40000));
        assert_eq!(cfg.autopurge_snap_retain_count(), Ok(3));
        // purgeInteval=12 is not read: autopurge stays off.
        assert_eq!(cfg.autopurge_purge_interval_hours(), Ok(0));
        assert_eq!(
            cfg.misspelled_keys(),
            vec![Misspelling {
                line: 12,
                found: "autopurge.purgeInteval".into(),
                intended: "autopurge.purgeInterval",
            }]
        );
        let servers = cfg.server_lines().unwrap();
        assert_eq!(
            servers.iter().map(|s| s.host()).collect::<Vec<_>>(),
            [
                "zk-0.zk-hs.statef.svc.cluster.local",
                "zk-1.zk-hs.statef.svc.cluster.local",
                "zk-2.zk-hs.statef.svc.cluster.local"
            ]
        );
        assert_eq!(servers.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2, 3]);
        // No whitelist key: 3.5.3+ would answer srvr only (3.4.10 has none).
        let wl = cfg.four_letter_whitelist();
        assert_eq!(wl.configured, None);
        assert!(wl.allows("srvr") && !wl.allows("ruok"));
        assert!(!cfg.admin_server_enabled(VersionNumber::new(3, 4, 10)));
    }

    #[test]
    fn messy_config_follows_java_properties_rules() {
        let cfg = ZooCfg::parse(MESSY);
        // Whitespace around keys and values is trimmed; `:` and spaces separate too.
        assert_eq!(cfg.tick_time(), Ok(2500));
        assert_eq!(cfg.get("initLimit"), Some("10"));
        assert_eq!(cfg.get("syncLimit"), Some("4"));
        // Duplicates: the last one wins, and both lines are reported.
        assert_eq!(cfg.client_port(), Ok(Some(2182)));
        let dups = cfg.duplicate_keys();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].key, "clientPort");
        assert_eq!(dups[0].lines.len(), 2);
        assert_eq!(
            cfg.entry("clientPort").map(|e| e.line),
            dups[0].lines.last().copied()
        );
        // `!` comments.
        assert!(
            cfg.lines()
                .iter()
                .any(|l| l.kind == LineKind::Comment && l.raw.starts_with('!'))
        );
        // Space-separated whitelist: ZooKeeper sees one unknown command.
        let wl = cfg.four_letter_whitelist();
        assert!(!wl.allows("mntr"));
        assert_eq!(wl.unmatched, vec!["mntr ruok".to_owned()]);
        assert!(wl.commands.contains("conf"));
        assert_eq!(
            wl.intended().into_iter().collect::<Vec<_>>(),
            ["conf", "mntr", "ruok"]
        );
        // Case-mismatched key is a misspelling too.
        let miss = cfg.misspelled_keys();
        assert!(
            miss.iter()
                .any(|m| m.found == "datadir" && m.intended == "dataDir"),
            "{miss:?}"
        );
        assert_eq!(cfg.admin_enable_server(), Some("False"));
        // 3.5–3.9 compare with "false" case-sensitively: still enabled.
        assert!(cfg.admin_server_enabled(VersionNumber::new(3, 8, 4)));
        assert!(!cfg.admin_server_enabled(VersionNumber::new(3, 10, 0)));
        assert_eq!(cfg.min_session_timeout(), Ok(5000), "-1 means 2 × tickTime");
        assert_eq!(cfg.max_session_timeout(), Ok(50000));
        let servers = cfg.server_lines().unwrap();
        assert_eq!(servers.len(), 4);
        let obs = servers.iter().find(|s| s.id == 4).unwrap();
        assert_eq!(obs.role(), ServerRole::Observer);
        assert_eq!(
            obs.client,
            Some(ClientAddress {
                host: Some("0.0.0.0".into()),
                port: 2181
            })
        );
        let v6 = servers.iter().find(|s| s.id == 3).unwrap();
        assert_eq!(v6.host(), "fd00::3");
        assert_eq!(
            v6.to_string(),
            "server.3=[fd00::3]:2888:3888:participant;2181"
        );
    }

    #[test]
    fn dynamic_config_capture_moves_membership_out() {
        let before = ZooCfg::parse(DYN_BEFORE);
        let after = ZooCfg::parse(DYN_AFTER);
        let before_servers = before.server_lines().unwrap();
        assert_eq!(before_servers.len(), 1);
        assert_eq!(before.dynamic_config_file(), None);
        assert_eq!(before.standalone_enabled(), Ok(false));
        assert_eq!(before.reconfig_enabled(), Ok(true));
        // ZooKeeper rewrote zoo.cfg in its own key order, without server lines.
        assert!(after.server_lines().unwrap().is_empty());
        let path = after.dynamic_config_file().unwrap();
        assert_eq!(path, "/tmp/zkcap/s5/conf/zoo.cfg.dynamic.100000000");
        assert_eq!(dynamic_file_version(path), Some(Zxid::from_parts(1, 0)));
        assert_eq!(after.tick_time(), Ok(2000));
        let dynamic = DynamicConfig::parse(DYN_FILE).unwrap();
        assert_eq!(
            dynamic.version, None,
            "3.8 writes the version in the file name only"
        );
        assert_eq!(dynamic.servers, before_servers);
        let s = &dynamic.servers[0];
        assert_eq!(s.id, 5);
        assert_eq!(s.role, Some(ServerRole::Participant));
        assert_eq!(
            s.client,
            Some(ClientAddress {
                host: Some("127.0.0.15".into()),
                port: 2181
            })
        );
        assert_eq!(s.to_string(), DYN_FILE.trim());
    }

    #[test]
    fn dynamic_example_with_version_and_observer() {
        let d = DynamicConfig::parse(DYN_EXAMPLE).unwrap();
        assert_eq!(d.version, Some(Zxid(0x4_0000_0002)));
        assert_eq!(d.servers.len(), 4);
        assert_eq!(d.voters().count(), 3);
        assert_eq!(d.servers[3].role(), ServerRole::Observer);
        assert_eq!(d.servers[0].client.as_ref().map(|c| c.port), Some(2181));
        assert_eq!(
            d.servers[0].client.as_ref().and_then(|c| c.host.clone()),
            None
        );
    }

    #[test]
    fn dynamic_config_rejects_static_keys_and_bad_versions() {
        assert!(matches!(
            DynamicConfig::parse("server.1=a:1:2\ntickTime=2000\n"),
            Err(ZooCfgError::NotDynamic { line: 2, .. })
        ));
        assert!(matches!(
            DynamicConfig::parse("version=xyz\n"),
            Err(ZooCfgError::InvalidValue { line: 1, .. })
        ));
        assert!(DynamicConfig::parse("").unwrap().servers.is_empty());
        assert_eq!(dynamic_file_version("zoo.cfg"), None);
        assert_eq!(dynamic_file_version("zoo.cfg.dynamic.zz"), None);
    }

    #[test]
    fn server_lines_parse_every_documented_form() {
        let cases = [
            ("server.1=zk-0:2888:3888", "zk-0", None, None),
            (
                "server.2=zk-1:2888:3888:observer",
                "zk-1",
                Some(ServerRole::Observer),
                None,
            ),
            (
                "server.3=zk-2:2888:3888:participant;2181",
                "zk-2",
                Some(ServerRole::Participant),
                Some((None, 2181)),
            ),
            (
                "server.4=zk-3:2888:3888;10.0.0.4:2181",
                "zk-3",
                None,
                Some((Some("10.0.0.4"), 2181)),
            ),
            (
                "server.5 = zk-4:2888:3888:OBSERVER ; 2181",
                "zk-4",
                Some(ServerRole::Observer),
                Some((None, 2181)),
            ),
            (
                "server.6=[::1]:2888:3888;[::1]:2181",
                "::1",
                None,
                Some((Some("::1"), 2181)),
            ),
            ("server.7=zk-6:2888:3888;", "zk-6", None, None),
        ];
        for (line, host, role, client) in cases {
            let s: ServerLine = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(s.host(), host, "{line}");
            assert_eq!(s.role, role, "{line}");
            assert_eq!(
                s.client.as_ref().map(|c| (c.host.as_deref(), c.port)),
                client,
                "{line}"
            );
            // Display parses back to the same value.
            assert_eq!(s.to_string().parse::<ServerLine>().unwrap(), s, "{line}");
        }
        let multi: ServerLine = "server.8=a:2888:3888|b:2889:3889;2181".parse().unwrap();
        assert_eq!(multi.addresses.len(), 2);
        assert_eq!(multi.addresses[1].host, "b");
        assert_eq!(multi.to_string(), "server.8=a:2888:3888|b:2889:3889;2181");
        let secure: ServerLine = "server.9=a:2888:3888;2181;2281".parse().unwrap();
        assert_eq!(secure.secure_client.as_ref().map(|c| c.port), Some(2281));
        assert_eq!(secure.to_string(), "server.9=a:2888:3888;2181;2281");
    }

    #[test]
    fn server_lines_reject_what_zookeeper_rejects() {
        let bad = [
            ("server.x=a:1:2", "BadId"),
            ("server.=a:1:2", "BadId"),
            ("server.-1=a:1:2", "BadId"),
            ("server.99999999999999999999999=a:1:2", "BadId"),
            ("server.1=a:2888", "WrongFormat"),
            ("server.1=a", "WrongFormat"),
            ("server.1=", "WrongFormat"),
            ("server.1=:2888:3888", "WrongFormat"),
            ("server.1=a:2888:3888:observer:x", "WrongFormat"),
            ("server.1=a:2888:3888;b:c:2181", "WrongFormat"),
            ("server.1=a:2888:3888;1;2;3", "WrongFormat"),
            ("server.1=a:port:3888", "BadPort"),
            ("server.1=a:2888:99999", "BadPort"),
            ("server.1=a:2888:-1", "BadPort"),
            ("server.1=a:2888:3888;x", "BadPort"),
            ("server.1=a:2888:2888", "SamePorts"),
            ("server.1=a:2888:3888:voter", "UnknownRole"),
            ("server.1=a:1:2:observer|b:1:2:participant", "MixedRoles"),
            ("no equals sign", "WrongFormat"),
            ("server.1=\u{fffd}:\u{fffd}:\u{fffd}", "BadPort"),
        ];
        for (line, kind) in bad {
            let err = line.parse::<ServerLine>().unwrap_err();
            assert!(format!("{err:?}").starts_with(kind), "{line}: {err:?}");
            assert!(!err.to_string().is_empty());
        }
        let cfg = ZooCfg::parse("server.1=a:1:2\nserver.1=b:1:2\n");
        assert_eq!(
            cfg.server_lines(),
            Err(ZooCfgError::DuplicateServer {
                id: 1,
                first: 1,
                second: 2
            })
        );
        let cfg = ZooCfg::parse("tickTime=2000\nserver.2=a:1\n");
        assert!(matches!(
            cfg.server_lines(),
            Err(ZooCfgError::ServerLine { line: 2, .. })
        ));
    }

    #[test]
    fn getters_reject_bad_values_with_line_and_key() {
        let cfg = ZooCfg::parse(
            "tickTime=two\ninitLimit=-1\nsyncLimit=99999999999\nclientPort=70000\nmaxSessionTimeout=-5\nstandaloneEnabled=yes\nautopurge.purgeInterval=12h\n",
        );
        let err = cfg.tick_time().unwrap_err();
        assert_eq!(
            err,
            ZooCfgError::InvalidValue {
                line: 1,
                key: "tickTime".into(),
                value: "two".into(),
                expected: "a positive number of milliseconds"
            }
        );
        assert!(err.to_string().contains("line 1"));
        assert!(cfg.init_limit().is_err());
        assert!(cfg.sync_limit().is_err());
        assert!(cfg.client_port().is_err());
        assert!(cfg.min_session_timeout().is_err(), "tickTime is bad");
        assert!(cfg.standalone_enabled().is_err());
        assert!(cfg.autopurge_purge_interval_hours().is_err());
        let cfg = ZooCfg::parse("tickTime=0\n");
        assert!(cfg.tick_time().is_err());
        let cfg = ZooCfg::parse("tickTime=2000\nmaxSessionTimeout=-5\nminSessionTimeout=-1\n");
        assert!(matches!(
            cfg.max_session_timeout(),
            Err(ZooCfgError::InvalidValue { line: 2, .. })
        ));
        assert_eq!(cfg.min_session_timeout(), Ok(4000));
        let cfg = ZooCfg::parse("tickTime=2147483647\n");
        assert_eq!(
            cfg.max_session_timeout(),
            Ok(2_147_483_647 * 20),
            "no overflow"
        );
    }

    #[test]
    fn absent_keys_take_zookeeper_defaults() {
        let cfg = ZooCfg::parse("");
        assert_eq!(cfg.tick_time(), Ok(DEFAULT_TICK_TIME_MS));
        assert_eq!(cfg.min_session_timeout(), Ok(6000));
        assert_eq!(cfg.max_session_timeout(), Ok(60000));
        assert_eq!(cfg.init_limit(), Ok(None));
        assert_eq!(cfg.client_port(), Ok(None));
        assert_eq!(cfg.data_dir(), None);
        assert_eq!(cfg.autopurge_purge_interval_hours(), Ok(0));
        assert_eq!(cfg.autopurge_snap_retain_count(), Ok(3));
        assert!(cfg.server_lines().unwrap().is_empty());
        assert!(cfg.admin_server_enabled(VersionNumber::new(3, 5, 0)));
        assert!(!cfg.admin_server_enabled(VersionNumber::new(3, 10, 0)));
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "\u{fffd}\u{fffd}\u{fffd}",
            "=",
            "==",
            ":",
            "\\",
            "key\\",
            "\\=x=y",
            "   \t  ",
            "server.1",
            "#",
            "\0\0\0",
        ] {
            let cfg = ZooCfg::parse(text);
            assert_eq!(cfg.render(), text);
            let _ = cfg.server_lines();
            let _ = cfg.tick_time();
            let _ = cfg.four_letter_whitelist();
            let _ = cfg.misspelled_keys();
        }
        let cfg = ZooCfg::parse("\\=x=y");
        assert_eq!(
            cfg.get("=x"),
            Some("y"),
            "escaped separator stays in the key"
        );
        let cfg = ZooCfg::parse("onlykey");
        assert_eq!(cfg.get("onlykey"), Some(""));
    }

    #[test]
    fn set_and_remove_keep_the_rest_verbatim() {
        let mut cfg = ZooCfg::parse(TUTORIAL);
        cfg.set("autopurge.purgeInterval", "12");
        assert_eq!(cfg.remove("autopurge.purgeInteval"), 1);
        cfg.set("tickTime", "3000");
        let text = cfg.render();
        assert!(text.starts_with("#This file was autogenerated DO NOT EDIT\nclientPort=2181\n"));
        assert!(text.contains("\ntickTime=3000\n"));
        assert!(text.ends_with("autopurge.purgeInterval=12\n"));
        let again = ZooCfg::parse(&text);
        assert_eq!(again.autopurge_purge_interval_hours(), Ok(12));
        assert!(again.misspelled_keys().is_empty());
        assert_eq!(again.tick_time(), Ok(3000));
        let mut empty = ZooCfg::parse("");
        empty.set("a", "b");
        assert_eq!(empty.render(), "a=b\n");
        let mut no_nl = ZooCfg::parse("x=1");
        no_nl.set("y", "2");
        assert_eq!(no_nl.render(), "x=1\ny=2\n");
    }
}
