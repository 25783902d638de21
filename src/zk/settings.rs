//! The zoo.cfg settings a user may change on a running ensemble (`kubectl zk config set`),
//! what each accepts, and the settings that are refused with the command that changes them
//! instead. Pure: the checks take text and return one-line reasons.
//!
//! Every setting here is read by ZooKeeper when the server starts, never again (3.4 to
//! 3.9): a change reaches a member by restarting it. The one part of the configuration a
//! running ensemble changes live is its membership (`reconfig`), which is `kubectl zk
//! scale`'s job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::zoo_cfg::ZooCfg;

/// What values a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number in a range, with its unit in words.
    Integer {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
        /// `milliseconds`, `ticks`, … (for messages).
        unit: &'static str,
    },
    /// `true` or `false`.
    Bool,
    /// `yes` or `no` (ZooKeeper reads a few switches this way).
    YesNo,
    /// Comma-separated four-letter words, or `*`.
    FourLetterWords,
}

/// One setting `config set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The zoo.cfg key, as ZooKeeper spells it.
    pub key: &'static str,
    /// What it takes.
    pub kind: Kind,
    /// The seeds' `start-zookeeper` flag that writes it (`tick_time`), when there is one.
    pub flag: Option<&'static str>,
    /// ZooKeeper refuses to run an ensemble without it (it cannot be unset).
    pub required: bool,
}

const fn int(
    key: &'static str,
    min: u64,
    max: u64,
    unit: &'static str,
    flag: Option<&'static str>,
) -> Setting {
    Setting {
        key,
        kind: Kind::Integer { min, max, unit },
        flag,
        required: false,
    }
}

const fn switch(key: &'static str, kind: Kind) -> Setting {
    Setting {
        key,
        kind,
        flag: None,
        required: false,
    }
}

/// Every setting `config set` accepts.
pub const SETTINGS: &[Setting] = &[
    int("tickTime", 1, 60_000, "milliseconds", Some("tick_time")),
    Setting {
        required: true,
        ..int("initLimit", 1, 1000, "ticks", Some("init_limit"))
    },
    Setting {
        required: true,
        ..int("syncLimit", 1, 1000, "ticks", Some("sync_limit"))
    },
    int(
        "maxClientCnxns",
        0,
        1_000_000,
        "connections per client address, 0 = unlimited",
        Some("max_client_cnxns"),
    ),
    int(
        "minSessionTimeout",
        1,
        86_400_000,
        "milliseconds",
        Some("min_session_timeout"),
    ),
    int(
        "maxSessionTimeout",
        1,
        86_400_000,
        "milliseconds",
        Some("max_session_timeout"),
    ),
    int(
        "autopurge.snapRetainCount",
        3,
        10_000,
        "snapshots",
        Some("snap_retain_count"),
    ),
    int(
        "autopurge.purgeInterval",
        0,
        8760,
        "hours, 0 = off",
        Some("purge_interval"),
    ),
    int("globalOutstandingLimit", 1, 10_000_000, "requests", None),
    int("preAllocSize", 1, 1_048_576, "kilobytes", None),
    int("snapCount", 2, 100_000_000, "transactions", None),
    int("snapSizeLimitInKb", 0, 1_073_741_824, "kilobytes", None),
    int("txnLogSizeLimitInKb", 0, 1_073_741_824, "kilobytes", None),
    int(
        "maxCnxns",
        0,
        10_000_000,
        "connections, 0 = unlimited",
        None,
    ),
    int("cnxTimeout", 1, 600_000, "milliseconds", None),
    int("connectToLearnerMasterLimit", 1, 1000, "ticks", None),
    int("fsync.warningthresholdms", 1, 600_000, "milliseconds", None),
    int("clientPortListenBacklog", 1, 65_535, "connections", None),
    int("electionPortBindRetry", 0, 1000, "retries", None),
    switch("localSessionsEnabled", Kind::Bool),
    switch("localSessionsUpgradingEnabled", Kind::Bool),
    switch("syncEnabled", Kind::Bool),
    switch("audit.enable", Kind::Bool),
    switch("snapshot.trust.empty", Kind::Bool),
    switch("admin.snapshot.enabled", Kind::Bool),
    switch("forceSync", Kind::YesNo),
    switch("leaderServes", Kind::YesNo),
    switch("4lw.commands.whitelist", Kind::FourLetterWords),
];

/// `config set --help`'s list of settings, and examples.
pub fn help_text() -> String {
    let all: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
    let seeds: Vec<&str> = SETTINGS
        .iter()
        .filter(|s| s.flag.is_some())
        .map(|s| s.key)
        .collect();
    format!(
        "Settings: {}.\nThe seeds' image (start-zookeeper flags): {}.\n\nExamples:\n  kubectl zk config set tickTime=3000 --yes\n  kubectl zk config set maxClientCnxns=100 maxSessionTimeout=60000 --dry-run",
        all.join(", "),
        seeds.join(", ")
    )
}

/// The four-letter words ZooKeeper 3.5+ knows.
const FOUR_LETTER_WORDS: &[&str] = &[
    "conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat", "wchs", "wchc", "wchp",
    "mntr", "isro", "hash", "dirs",
];

/// The words kubectl-zk's probes and commands need: a whitelist must keep them.
pub const NEEDED_WORDS: &[&str] = &["srvr", "stat", "mntr", "conf", "ruok", "isro"];

/// Keys that are known but refused, with the reason and what to do instead.
const REFUSED: &[(&str, &str)] = &[
    (
        "dataDir",
        "moving the data directory would start every member empty and leave its data behind on the volume; it cannot be changed",
    ),
    (
        "dataLogDir",
        "moving the transaction log directory would start every member without its logs; it cannot be changed",
    ),
    (
        "clientPort",
        "the client port is wired into the Services, the probes and kubectl-zk itself (2181); it cannot be changed",
    ),
    (
        "clientPortAddress",
        "members listen on every address of their pod so the Services reach them; it cannot be changed",
    ),
    (
        "dynamicConfigFile",
        "kubectl-zk keeps the membership in the ConfigMap's zoo.cfg.dynamic; use `kubectl zk scale --replicas N`",
    ),
    (
        "standaloneEnabled",
        "an ensemble made by kubectl-zk never runs standalone (so it can grow with `kubectl zk scale`); it cannot be changed",
    ),
    (
        "reconfigEnabled",
        "`kubectl zk scale` needs dynamic reconfiguration; it cannot be changed",
    ),
    (
        "quorumListenOnAllIPs",
        "members must listen on their pod address for the quorum; it cannot be changed",
    ),
    (
        "admin.enableServer",
        "kubectl-zk reads the members through the AdminServer; it cannot be changed",
    ),
    (
        "admin.serverPort",
        "kubectl-zk reads the members through the AdminServer on 8080; it cannot be changed",
    ),
    (
        "admin.serverAddress",
        "kubectl-zk reads the members through the AdminServer on the pod address; it cannot be changed",
    ),
    (
        "electionAlg",
        "ZooKeeper 3.4+ supports only election algorithm 3, the default; it cannot be changed",
    ),
    (
        "skipACL",
        "skipACL turns off every ACL for every client; kubectl-zk does not set it",
    ),
    (
        "peerType",
        "whether a member votes is membership; use `kubectl zk scale`",
    ),
    (
        "secureClientPort",
        "TLS is set up with its certificates, which config set does not make; it cannot be set here",
    ),
    (
        "sessionRequireClientSASLAuth",
        "client authentication is set up with its users' Secret, which config set does not make; it cannot be set here",
    ),
];

/// Key prefixes refused as a family.
const REFUSED_PREFIXES: &[(&str, &str)] = &[
    ("server.", "membership"),
    ("group.", "membership"),
    ("weight.", "membership"),
    ("ssl.", "security"),
    ("ssl.quorum.", "security"),
    ("quorum.auth.", "security"),
    ("authProvider.", "security"),
    ("metricsProvider.", "metrics"),
];

/// One change asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `KEY=VALUE`.
    Set {
        /// The key.
        key: String,
        /// The value, trimmed.
        value: String,
    },
    /// `unset KEY`: back to ZooKeeper's default (or the image script's).
    Unset {
        /// The key.
        key: String,
    },
}

impl Change {
    /// The key changed.
    pub fn key(&self) -> &str {
        match self {
            Change::Set { key, .. } | Change::Unset { key } => key,
        }
    }

    /// `key=value` or `unset key`, for plans and messages.
    pub fn describe(&self) -> String {
        match self {
            Change::Set { key, value } => format!("{key}={value}"),
            Change::Unset { key } => format!("unset {key}"),
        }
    }
}

/// Reads `KEY=VALUE`.
pub fn parse_assignment(text: &str) -> Result<Change, String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "'{text}' is not KEY=VALUE; write e.g. tickTime=3000"
        ));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("'{text}' names no key; write e.g. tickTime=3000"));
    }
    Ok(Change::Set {
        key: key.to_owned(),
        value: value.trim().to_owned(),
    })
}

/// The setting a key names, or why it is refused (one line, naming the fix).
pub fn lookup(key: &str) -> Result<&'static Setting, String> {
    if let Some(setting) = SETTINGS.iter().find(|s| s.key == key) {
        return Ok(setting);
    }
    if let Some((_, why)) = REFUSED.iter().find(|(k, _)| *k == key) {
        return Err(format!("{key}: {why}"));
    }
    if let Some((_, family)) = REFUSED_PREFIXES.iter().find(|(p, _)| key.starts_with(p)) {
        return Err(match *family {
            "metrics" => format!(
                "{key} is set by `kubectl zk install --metrics` (ZooKeeper's Prometheus provider on port 7000, and how Prometheus finds it); it cannot be set here"
            ),
            "membership" => format!(
                "{key} is membership, which config set does not change; use `kubectl zk scale --replicas N` (servers are added and removed one at a time, keeping the quorum)"
            ),
            _ => format!(
                "{key} is a TLS or authentication setting, set up with its certificates and Secrets, which config set does not make; it cannot be set here"
            ),
        });
    }
    Err(match nearest(key) {
        Some(near) => format!(
            "unknown ZooKeeper setting '{key}'; did you mean {near}? (`kubectl zk config set --help` lists the settings)"
        ),
        None => format!(
            "unknown ZooKeeper setting '{key}'; `kubectl zk config set --help` lists the settings kubectl-zk can change"
        ),
    })
}

/// The known key closest to `key` (settable or refused), when one is close enough to be a
/// slip of the keyboard.
pub fn nearest(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    SETTINGS
        .iter()
        .map(|s| s.key)
        .chain(REFUSED.iter().map(|(k, _)| *k))
        .map(|known| {
            let distance = strsim::damerau_levenshtein(&lower, &known.to_ascii_lowercase());
            (distance, known)
        })
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Checks one change on its own: the key is settable, the value has the right type and range.
pub fn check(change: &Change) -> Result<&'static Setting, String> {
    let setting = lookup(change.key())?;
    match change {
        Change::Unset { key } if setting.required => Err(format!(
            "{key} cannot be unset: ZooKeeper refuses to run an ensemble without it; set another value instead"
        )),
        Change::Unset { .. } => Ok(setting),
        Change::Set { key, value } => {
            check_value(setting, value).map_err(|expected| {
                format!("invalid value '{value}' for {key}: expected {expected}")
            })?;
            Ok(setting)
        }
    }
}

fn check_value(setting: &Setting, value: &str) -> Result<(), String> {
    match setting.kind {
        Kind::Integer { min, max, unit } => match value.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            _ => Err(format!("a whole number from {min} to {max} ({unit})")),
        },
        Kind::Bool => match value {
            "true" | "false" => Ok(()),
            _ => Err("true or false".into()),
        },
        Kind::YesNo => match value {
            "yes" | "no" => Ok(()),
            _ => Err("yes or no".into()),
        },
        Kind::FourLetterWords => {
            if value == "*" {
                return Ok(());
            }
            let words: Vec<&str> = value.split(',').map(str::trim).collect();
            if let Some(bad) = words.iter().find(|w| !FOUR_LETTER_WORDS.contains(w)) {
                return Err(format!(
                    "'*' or a comma-separated list of four-letter words ('{bad}' is none of {})",
                    FOUR_LETTER_WORDS.join(",")
                ));
            }
            let missing: Vec<&str> = NEEDED_WORDS
                .iter()
                .copied()
                .filter(|w| !words.contains(w))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "a list that keeps {} (the probes and kubectl-zk need them; {} missing)",
                    NEEDED_WORDS.join(","),
                    missing.join(",")
                ))
            }
        }
    }
}

/// Checks the settings together once the changes are made: ZooKeeper refuses to start when
/// the session timeouts (their defaults follow tickTime) contradict each other.
pub fn check_together(cfg: &ZooCfg) -> Result<(), String> {
    let tick = cfg.tick_time().map_err(|e| e.to_string())?;
    let min = cfg.min_session_timeout().map_err(|e| e.to_string())?;
    let max = cfg.max_session_timeout().map_err(|e| e.to_string())?;
    if min > max {
        let explain = |key: &str, value: u64, ticks: u64| {
            if cfg.get(key).is_some() {
                format!("{key}={value}")
            } else {
                format!("{key} {value} ({ticks} x tickTime {tick})")
            }
        };
        return Err(format!(
            "{} is below {}: ZooKeeper refuses to start with that; raise maxSessionTimeout to at least {min} or lower minSessionTimeout with it",
            explain("maxSessionTimeout", max, 20),
            explain("minSessionTimeout", min, 2),
        ));
    }
    Ok(())
}

/// The settings `config set`/`unset` made, kept on the StatefulSet so a later `install`
/// keeps them: key → value, or `None` for a setting unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Recorded(pub BTreeMap<String, Option<String>>);

impl Recorded {
    /// Reads the annotation's JSON; anything unreadable counts as nothing recorded.
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The annotation's JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }

    /// Records a change.
    pub fn record(&mut self, change: &Change) {
        let value = match change {
            Change::Set { value, .. } => Some(value.clone()),
            Change::Unset { .. } => None,
        };
        self.0.insert(change.key().to_owned(), value);
    }

    /// Applies the recorded settings to a zoo.cfg.
    pub fn apply_to_cfg(&self, cfg: &mut ZooCfg) {
        for (key, value) in &self.0 {
            match value {
                Some(value) => cfg.set(key, value),
                None => {
                    cfg.remove(key);
                }
            }
        }
    }

    /// Applies the recorded settings to `start-zookeeper` arguments (`--flag=value` words).
    /// Settings without a flag are left out (the seeds' image cannot take them).
    pub fn apply_to_flags(&self, args: &mut Vec<String>) {
        for (key, value) in &self.0 {
            let Some(flag) = SETTINGS.iter().find(|s| s.key == key).and_then(|s| s.flag) else {
                continue;
            };
            set_flag(args, flag, value.as_deref());
        }
    }
}

/// Sets (or with `None` removes) `--flag=value` in a list of arguments, keeping its place.
pub fn set_flag(args: &mut Vec<String>, flag: &str, value: Option<&str>) {
    let prefix = format!("--{flag}=");
    let position = args.iter().position(|a| a.starts_with(&prefix));
    match (position, value) {
        (Some(i), Some(value)) => args[i] = format!("{prefix}{value}"),
        (None, Some(value)) => args.push(format!("{prefix}{value}")),
        (_, None) => args.retain(|a| !a.starts_with(&prefix)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(key: &str, value: &str) -> Change {
        Change::Set {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn a_slip_of_the_keyboard_names_the_key_meant() {
        let why = check(&set("tickTim", "3000")).expect_err("unknown");
        assert!(why.contains("did you mean tickTime?"), "{why}");
        assert_eq!(nearest("maxclientcnxns"), Some("maxClientCnxns"));
        assert_eq!(
            nearest("autopurge.purgeInteval"),
            Some("autopurge.purgeInterval")
        );
        assert_eq!(nearest("somethingElseEntirely"), None);
    }

    #[test]
    fn membership_and_directories_are_refused_with_what_to_do_instead() {
        let why = check(&set("server.4", "x:2888:3888")).expect_err("membership");
        assert!(why.contains("kubectl zk scale"), "{why}");
        let why = check(&set("dataDir", "/elsewhere")).expect_err("data");
        assert!(
            why.starts_with("dataDir: moving the data directory"),
            "{why}"
        );
        assert!(check(&set("dataLogDir", "/x")).is_err());
        assert!(check(&set("ssl.keyStore.location", "/x")).is_err());
    }

    #[test]
    fn values_are_checked_by_type_and_range() {
        assert!(check(&set("tickTime", "3000")).is_ok());
        let why = check(&set("tickTime", "0")).expect_err("range");
        assert_eq!(
            why,
            "invalid value '0' for tickTime: expected a whole number from 1 to 60000 (milliseconds)"
        );
        assert!(check(&set("tickTime", "3s")).is_err());
        assert!(check(&set("autopurge.snapRetainCount", "2")).is_err());
        assert!(check(&set("localSessionsEnabled", "true")).is_ok());
        assert!(check(&set("localSessionsEnabled", "yes")).is_err());
        assert!(check(&set("admin.snapshot.enabled", "true")).is_ok());
        assert!(check(&set("admin.snapshot.enabled", "on")).is_err());
        assert!(check(&set("forceSync", "no")).is_ok());
        assert!(check(&set("4lw.commands.whitelist", "*")).is_ok());
        let why = check(&set("4lw.commands.whitelist", "srvr,ruok")).expect_err("needed");
        assert!(why.contains("mntr"), "{why}");
        assert!(
            check(&Change::Unset {
                key: "initLimit".into()
            })
            .is_err()
        );
        assert!(
            check(&Change::Unset {
                key: "maxClientCnxns".into()
            })
            .is_ok()
        );
    }

    #[test]
    fn session_timeouts_are_checked_against_tick_time() {
        let mut cfg = ZooCfg::parse("tickTime=2000\ninitLimit=10\nsyncLimit=5\n");
        assert_eq!(check_together(&cfg), Ok(()));
        cfg.set("maxSessionTimeout", "10");
        let why = check_together(&cfg).expect_err("min above max");
        assert_eq!(
            why,
            "maxSessionTimeout=10 is below minSessionTimeout 4000 (2 x tickTime 2000): ZooKeeper refuses to start with that; raise maxSessionTimeout to at least 4000 or lower minSessionTimeout with it"
        );
        cfg.set("minSessionTimeout", "5");
        assert_eq!(check_together(&cfg), Ok(()));
    }

    #[test]
    fn recorded_settings_apply_to_zoo_cfg_and_to_start_flags() {
        let mut recorded = Recorded::default();
        recorded.record(&set("tickTime", "3000"));
        recorded.record(&Change::Unset {
            key: "maxClientCnxns".into(),
        });
        recorded.record(&set("snapCount", "50000"));
        let again = Recorded::parse(&recorded.to_json());
        assert_eq!(again, recorded);
        let mut cfg = ZooCfg::parse("tickTime=2000\nmaxClientCnxns=60\ninitLimit=10\n");
        recorded.apply_to_cfg(&mut cfg);
        assert_eq!(
            cfg.render(),
            "tickTime=3000\ninitLimit=10\nsnapCount=50000\n"
        );
        let mut args = vec![
            "--servers=3".to_owned(),
            "--tick_time=2000".to_owned(),
            "--max_client_cnxns=60".to_owned(),
        ];
        recorded.apply_to_flags(&mut args);
        assert_eq!(args, ["--servers=3", "--tick_time=3000"]);
        assert_eq!(Recorded::parse("not json"), Recorded::default());
    }
}
