//! ZooKeeper knowledge with no I/O: parsers for what servers answer and what they read, and quorum arithmetic.
//!
//! Every parser takes text (or JSON text) that some transport has already
//! fetched, returns a typed model, and reports malformed input as a typed
//! error — never a panic. The modules:
//!
//! - [`four_letter`]: replies to the four-letter words on the client port
//!   (`srvr`, `stat`, `mntr`, `conf`, `ruok`, `isro`), including the two
//!   special replies any command can get (whitelist refusal, not serving).
//! - [`admin`]: the AdminServer's JSON (`/commands/leader`, `monitor`, `srvr`,
//!   `stat`, `voting_view`) and its error bodies.
//! - [`metrics`]: the `mntr` / `monitor` key-value set shared by both.
//! - [`disk`]: ZooKeeper's snapshot and transaction-log files, streamed, and a replay of them.
//! - [`backup_file`]: the backup file of `kubectl zk backup` (header, checksums, ZooKeeper's files).
//! - [`zoo_cfg`]: `zoo.cfg` and dynamic config files, with a round-tripping
//!   [`render`](zoo_cfg::ZooCfg::render).
//! - [`myid`]: the `myid` file.
//! - [`log`]: timestamps of ZooKeeper's log lines and the members' logs merged in time order.
//! - [`quorum`]: majority arithmetic and the one quorum judgement (observers don't vote).
//! - [`settings`]: the settings `config set` changes, their checks, and what it refuses.
//! - [`shell`]: zkCli's command language (`ls`, `get`, `create -e -s`, ACLs) and its output.
//!
//! Fixtures captured from real servers live in `tests/fixtures/` (see its README).

pub mod admin;
pub mod backup_file;
pub mod disk;
pub mod four_letter;
pub mod lint;
pub mod log;
pub mod membership;
pub mod metrics;
pub mod myid;
pub mod quorum;
pub mod settings;
pub mod shell;
pub mod view;
pub mod zoo_cfg;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use admin::{AdminError, LeaderInfo, ServerStatsReply, VotingView};
pub use four_letter::{FourLetterError, FourLetterWord, Srvr, Stat};
pub use metrics::{MetricValue, Metrics};
pub use myid::MyId;
pub use quorum::{Judgement, failures_tolerated, quorum_size};
pub use zoo_cfg::{ServerLine, ServerRole, ZooCfg};

/// The text ZooKeeper answers (on the client port and in AdminServer `error` fields)
/// when it is up but not part of a quorum that serves requests.
pub const NOT_SERVING_TEXT: &str = "This ZooKeeper instance is not currently serving requests";

/// The role a running server reports (`Mode:` in `srvr`, `zk_server_state` in `mntr`,
/// `server_state` in the AdminServer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The member that orders writes (`leader`).
    Leader,
    /// A voting member following the leader (`follower`).
    Follower,
    /// A non-voting member following the leader (`observer`).
    Observer,
    /// A single server without an ensemble (`standalone`).
    Standalone,
    /// A partitioned server answering reads only (`read-only`).
    #[serde(rename = "read-only")]
    ReadOnly,
}

impl Mode {
    /// Every mode, in the order ZooKeeper's docs list them.
    pub const ALL: [Mode; 5] = [
        Mode::Leader,
        Mode::Follower,
        Mode::Observer,
        Mode::Standalone,
        Mode::ReadOnly,
    ];

    /// The word ZooKeeper prints for this mode.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Leader => "leader",
            Mode::Follower => "follower",
            Mode::Observer => "observer",
            Mode::Standalone => "standalone",
            Mode::ReadOnly => "read-only",
        }
    }

    /// Whether a server in this mode votes in the quorum (leader and followers do;
    /// observers, standalone and read-only servers don't).
    pub const fn votes(self) -> bool {
        matches!(self, Mode::Leader | Mode::Follower)
    }

    /// Whether a server in this mode accepts writes from clients.
    pub const fn serves_writes(self) -> bool {
        !matches!(self, Mode::ReadOnly)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode word that is none of ZooKeeper's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown ZooKeeper mode `{found}`; expected one of leader, follower, observer, standalone, read-only"
)]
pub struct ParseModeError {
    /// The text that was not a mode.
    pub found: String,
}

impl FromStr for Mode {
    type Err = ParseModeError;

    /// Parses the word ZooKeeper prints, ignoring surrounding whitespace and ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(word))
            .ok_or_else(|| ParseModeError {
                found: word.to_owned(),
            })
    }
}

/// A ZooKeeper transaction id: the high 32 bits are the leader epoch, the low 32 bits a
/// counter within that epoch. Orders like ZooKeeper compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Zxid(pub u64);

impl Zxid {
    /// Builds a zxid from its epoch and counter halves.
    pub const fn from_parts(epoch: u32, counter: u32) -> Self {
        Zxid(((epoch as u64) << 32) | counter as u64)
    }

    /// The leader epoch (high 32 bits).
    pub const fn epoch(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The counter within the epoch (low 32 bits).
    pub const fn counter(self) -> u32 {
        (self.0 & 0xffff_ffff) as u32
    }

    /// Parses bare hexadecimal without a `0x` prefix, as in a dynamic config
    /// `version=100000000` line or a `zoo.cfg.dynamic.100000000` file name.
    pub fn from_hex(s: &str) -> Result<Self, ParseZxidError> {
        let digits = s.trim();
        let digits = digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
            .unwrap_or(digits);
        parse_hex_u64(digits)
            .map(Zxid)
            .map_err(|reason| ParseZxidError {
                found: s.trim().to_owned(),
                reason,
            })
    }
}

impl fmt::Display for Zxid {
    /// Formats as ZooKeeper's `srvr` does: `0x` and lowercase hex without padding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// Text that is not a zxid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid zxid `{found}`: {reason}")]
pub struct ParseZxidError {
    /// The text that was not a zxid.
    pub found: String,
    /// What was wrong with it.
    pub reason: &'static str,
}

fn parse_hex_u64(digits: &str) -> Result<u64, &'static str> {
    if digits.is_empty() {
        return Err("no digits");
    }
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("not hexadecimal");
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 16 {
        return Err("more than 64 bits");
    }
    u64::from_str_radix(digits, 16).map_err(|_| "not hexadecimal")
}

impl FromStr for Zxid {
    type Err = ParseZxidError;

    /// Parses `0x…` hexadecimal (as `srvr` prints it) or plain decimal (as the
    /// AdminServer's `last_processed_zxid` gives it). A negative decimal is read as
    /// Java's `long` bits, the way `Long.toHexString` would print it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let err = |reason| ParseZxidError {
            found: text.to_owned(),
            reason,
        };
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            return parse_hex_u64(hex).map(Zxid).map_err(err);
        }
        if text.is_empty() {
            return Err(err("empty"));
        }
        if let Some(neg) = text.strip_prefix('-') {
            if neg.is_empty() || !neg.chars().all(|c| c.is_ascii_digit()) {
                return Err(err("not a number"));
            }
            return text
                .parse::<i64>()
                .map(|v| Zxid(v as u64))
                .map_err(|_| err("out of range for a 64-bit zxid"));
        }
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("not a number (expected 0x… hexadecimal or decimal)"));
        }
        text.parse::<u64>()
            .map(Zxid)
            .map_err(|_| err("out of range for a 64-bit zxid"))
    }
}

impl Serialize for Zxid {
    /// Serializes as the `0x…` string operators know from `srvr`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Zxid {
    /// Accepts a JSON number (the AdminServer's decimal, possibly a negative Java
    /// `long`) or a string in any form [`Zxid::from_str`] takes.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Zxid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a zxid as a number or a `0x…` string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Zxid, E> {
                Ok(Zxid(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Zxid, E> {
                Ok(Zxid(v as u64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Zxid, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A ZooKeeper version string as servers print it, kept whole, with the leading
/// number parsed loosely (`3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC`
/// → 3.8.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version {
    /// The full text, as printed.
    pub raw: String,
}

/// The numeric part of a ZooKeeper version (`major.minor.patch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VersionNumber {
    /// Major version (3).
    pub major: u32,
    /// Minor version (4 … 9).
    pub minor: u32,
    /// Patch level (0 when absent).
    pub patch: u32,
}

impl VersionNumber {
    /// Builds a version number.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        VersionNumber {
            major,
            minor,
            patch,
        }
    }
}

impl VersionNumber {
    /// The version an image's tag names: the last `major.minor[.patch]` in the tag
    /// (`zookeeper:3.9.4` → 3.9.4, `kubernetes-zookeeper:1.0-3.4.10` → 3.4.10). Pure.
    pub fn from_image(image: &str) -> Option<VersionNumber> {
        let without_digest = image.split('@').next().unwrap_or(image);
        let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
        let (_, tag) = last.split_once(':')?;
        tag.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|part| part.matches('.').count() >= 1)
            .filter_map(|part| Version::new(part).number())
            .next_back()
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Version {
    /// Wraps a version string (surrounding whitespace removed).
    pub fn new(raw: &str) -> Self {
        Version {
            raw: raw.trim().to_owned(),
        }
    }

    /// The leading `major.minor[.patch]`, if the text starts with one.
    pub fn number(&self) -> Option<VersionNumber> {
        let lead: &str = self
            .raw
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or("");
        let mut parts = lead.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some(p) if !p.is_empty() => p.parse().ok()?,
            _ => 0,
        };
        Some(VersionNumber {
            major,
            minor,
            patch,
        })
    }

    /// The build date text after `built on `, if present.
    pub fn built_on(&self) -> Option<&str> {
        self.raw
            .split_once("built on ")
            .map(|(_, date)| date.trim())
            .filter(|d| !d.is_empty())
    }

    /// Whether the version is at least `major.minor` (false when it cannot be read).
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        self.number()
            .is_some_and(|n| (n.major, n.minor) >= (major, minor))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_round_trips_through_text_and_serde() {
        for mode in Mode::ALL {
            assert_eq!(mode.to_string().parse::<Mode>(), Ok(mode));
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
            assert_eq!(serde_json::from_str::<Mode>(&json).unwrap(), mode);
        }
        assert_eq!(" Leader\n".parse::<Mode>(), Ok(Mode::Leader));
        assert_eq!("read-only".parse::<Mode>(), Ok(Mode::ReadOnly));
    }

    #[test]
    fn mode_rejects_unknown_words_with_the_valid_list() {
        let err = "looking".parse::<Mode>().unwrap_err();
        assert_eq!(err.found, "looking");
        assert!(err.to_string().contains("leader, follower, observer"));
        assert!("".parse::<Mode>().is_err());
        assert!("lea".parse::<Mode>().is_err());
        assert!("readonly".parse::<Mode>().is_err());
        assert!(serde_json::from_str::<Mode>("\"candidate\"").is_err());
    }

    #[test]
    fn mode_votes() {
        assert!(Mode::Leader.votes());
        assert!(Mode::Follower.votes());
        assert!(!Mode::Observer.votes());
        assert!(!Mode::Standalone.votes());
        assert!(!Mode::ReadOnly.serves_writes());
    }

    #[test]
    fn zxid_parses_hex_and_decimal_to_the_same_value() {
        // The leader fixture's srvr says 0x10000000b; its AdminServer says 4294967307.
        let hex: Zxid = "0x10000000b".parse().unwrap();
        let dec: Zxid = "4294967307".parse().unwrap();
        assert_eq!(hex, dec);
        assert_eq!(hex.epoch(), 1);
        assert_eq!(hex.counter(), 11);
        assert_eq!(hex.to_string(), "0x10000000b");
        assert_eq!(Zxid::from_parts(1, 11), hex);
        assert_eq!("0x0".parse::<Zxid>().unwrap(), Zxid(0));
        assert_eq!("0XFF".parse::<Zxid>().unwrap(), Zxid(255));
        assert_eq!(
            "0xffffffffffffffff".parse::<Zxid>().unwrap(),
            Zxid(u64::MAX)
        );
        assert_eq!("-1".parse::<Zxid>().unwrap(), Zxid(u64::MAX));
        assert_eq!(Zxid::from_hex("100000000").unwrap(), Zxid::from_parts(1, 0));
    }

    #[test]
    fn zxid_orders_by_epoch_first() {
        assert!(Zxid::from_parts(2, 0) > Zxid::from_parts(1, u32::MAX));
    }

    #[test]
    fn zxid_rejects_garbage_and_overflow() {
        for bad in [
            "",
            "0x",
            "0xg1",
            "zxid",
            "1.5",
            "0x1_0",
            "-",
            "--1",
            "0x10000000000000000",
            "18446744073709551616",
            "-9223372036854775809",
            "１２",
            "0x\u{fffd}",
        ] {
            let err = bad.parse::<Zxid>().unwrap_err();
            assert_eq!(err.found, bad.trim(), "{bad:?}");
        }
        assert_eq!(
            "0x00000000000000000001".parse::<Zxid>().unwrap(),
            Zxid(1),
            "leading zeros beyond 16 digits are still 64 bits"
        );
        assert!(Zxid::from_hex("xyz").is_err());
        assert!(Zxid::from_hex("").is_err());
    }

    #[test]
    fn zxid_serde_takes_numbers_and_strings_and_writes_hex() {
        assert_eq!(
            serde_json::from_str::<Zxid>("4294967307").unwrap(),
            Zxid(0x1_0000_000b)
        );
        assert_eq!(
            serde_json::from_str::<Zxid>("\"0x10000000b\"").unwrap(),
            Zxid(0x1_0000_000b)
        );
        assert_eq!(serde_json::from_str::<Zxid>("-1").unwrap(), Zxid(u64::MAX));
        assert!(serde_json::from_str::<Zxid>("1.5").is_err());
        assert!(serde_json::from_str::<Zxid>("\"nope\"").is_err());
        assert_eq!(
            serde_json::to_string(&Zxid(0x1_0000_000b)).unwrap(),
            "\"0x10000000b\""
        );
    }

    #[test]
    fn version_reads_loose_strings() {
        let v = Version::new("3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
        assert_eq!(v.number(), Some(VersionNumber::new(3, 8, 0)));
        assert_eq!(v.built_on(), Some("2024-12-29 17:54 UTC"));
        assert!(v.at_least(3, 6));
        assert!(!v.at_least(3, 9));
        let old = Version::new(
            "3.4.10-39d3a4f269333c922ed3db283be479f9deacaa0f, built on 03/23/2017 10:13 GMT",
        );
        assert_eq!(old.number(), Some(VersionNumber::new(3, 4, 10)));
        assert_eq!(
            Version::new("3.4.0").number(),
            Some(VersionNumber::new(3, 4, 0))
        );
        assert_eq!(
            Version::new("3.9").number(),
            Some(VersionNumber::new(3, 9, 0))
        );
        assert_eq!(Version::new("v21.11.1.1-prestable").number(), None);
        assert_eq!(Version::new("").number(), None);
        assert_eq!(Version::new("99999999999.1.1").number(), None);
        assert_eq!(Version::new("\u{fffd}3.8").number(), None);
        assert!(!Version::new("garbage").at_least(3, 4));
        assert_eq!(Version::new("3.8.0").built_on(), None);
    }
}
