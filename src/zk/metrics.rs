//! The monitoring key-value set a server reports, shared by the `mntr` four-letter word and the AdminServer's `/commands/monitor`.
//!
//! `mntr` prints `zk_<key>\t<value>` lines; `/commands/monitor` returns the same
//! keys without `zk_` as JSON numbers and strings. Both end up here, keyed without
//! the prefix, so one set of typed accessors serves both transports.
//!
//! Keys come and go between versions (3.8 prints about 530; 3.4 about 17), and
//! some are leader-only (`learners`, `synced_followers`, `synced_observers`,
//! `pending_syncs`). Accessors for keys every version prints return
//! `Result<T, MetricError>`; accessors for version- or role-dependent keys return
//! `Result<Option<T>, MetricError>` (absent is normal, a bad value is not).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Mode, Version};

/// One value: ZooKeeper prints integers, decimals (averages) and text
/// (`version`, `server_state`, `peer_state`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// A whole number (counts, sizes, times in ms). Java `long`s may be negative (`-1` for unset).
    Int(i64),
    /// A decimal number (averages such as `avg_latency`).
    Float(f64),
    /// Anything else, verbatim.
    Text(String),
}

impl MetricValue {
    /// Reads a value as `mntr` prints it: an integer, a finite decimal, or text.
    pub fn from_text(text: &str) -> Self {
        let t = text.trim();
        let numeric = !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'));
        if numeric {
            if let Ok(i) = t.parse::<i64>() {
                return MetricValue::Int(i);
            }
            if let Ok(f) = t.parse::<f64>()
                && f.is_finite()
            {
                return MetricValue::Float(f);
            }
        }
        MetricValue::Text(t.to_owned())
    }

    /// Converts a JSON value from `/commands/monitor`; `None` for null, arrays and objects.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(MetricValue::Int)
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(MetricValue::Float)),
            serde_json::Value::String(s) => Some(MetricValue::Text(s.clone())),
            serde_json::Value::Bool(b) => Some(MetricValue::Text(b.to_string())),
            _ => None,
        }
    }

    /// The value as a float (integers convert; text does not).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Int(i) => Some(*i as f64),
            MetricValue::Float(f) => Some(*f),
            MetricValue::Text(_) => None,
        }
    }

    /// The value as a non-negative integer (a decimal with no fraction counts).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            MetricValue::Int(i) => u64::try_from(*i).ok(),
            MetricValue::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64 => {
                Some(*f as u64)
            }
            _ => None,
        }
    }

    /// The value as text, if it is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            MetricValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for MetricValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricValue::Int(i) => write!(f, "{i}"),
            MetricValue::Float(x) => write!(f, "{x}"),
            MetricValue::Text(s) => f.write_str(s),
        }
    }
}

/// A key that is missing or holds a value of the wrong kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// The server did not report the key.
    #[error("the server reported no `{key}` metric")]
    Missing {
        /// The key, without `zk_`.
        key: &'static str,
    },
    /// The key is there but its value is not what the key means.
    #[error("metric `{key}` has value `{value}`, expected {expected}")]
    Invalid {
        /// The key, without `zk_`.
        key: &'static str,
        /// The value as reported.
        value: String,
        /// What kind of value the key should hold.
        expected: &'static str,
    },
}

/// The metrics of one server, keyed without the `zk_` prefix.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metrics {
    values: BTreeMap<String, MetricValue>,
}

impl FromIterator<(String, MetricValue)> for Metrics {
    fn from_iter<I: IntoIterator<Item = (String, MetricValue)>>(iter: I) -> Self {
        Metrics {
            values: iter.into_iter().collect(),
        }
    }
}

impl Metrics {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a value (`key` without `zk_`).
    pub fn insert(&mut self, key: impl Into<String>, value: MetricValue) {
        self.values.insert(key.into(), value);
    }

    /// The value of a key (without `zk_`).
    pub fn get(&self, key: &str) -> Option<&MetricValue> {
        self.values.get(key)
    }

    /// Every key and value, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetricValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn required(&self, key: &'static str) -> Result<&MetricValue, MetricError> {
        self.get(key).ok_or(MetricError::Missing { key })
    }

    fn u64_of(key: &'static str, v: &MetricValue) -> Result<u64, MetricError> {
        v.as_u64().ok_or_else(|| MetricError::Invalid {
            key,
            value: v.to_string(),
            expected: "a non-negative integer",
        })
    }

    fn f64_of(key: &'static str, v: &MetricValue) -> Result<f64, MetricError> {
        v.as_f64().ok_or_else(|| MetricError::Invalid {
            key,
            value: v.to_string(),
            expected: "a number",
        })
    }

    /// A key that must be a non-negative integer.
    pub fn required_u64(&self, key: &'static str) -> Result<u64, MetricError> {
        Self::u64_of(key, self.required(key)?)
    }

    /// A key that, when present, must be a non-negative integer.
    pub fn optional_u64(&self, key: &'static str) -> Result<Option<u64>, MetricError> {
        self.get(key).map(|v| Self::u64_of(key, v)).transpose()
    }

    /// `version`: the server's version string.
    pub fn version(&self) -> Result<Version, MetricError> {
        let v = self.required("version")?;
        Ok(Version::new(&v.to_string()))
    }

    /// `server_state`: leader, follower, observer, standalone or read-only.
    pub fn server_state(&self) -> Result<Mode, MetricError> {
        let v = self.required("server_state")?;
        v.to_string().parse().map_err(|_| MetricError::Invalid {
            key: "server_state",
            value: v.to_string(),
            expected: "leader, follower, observer, standalone or read-only",
        })
    }

    /// `peer_state` (3.6+), e.g. `leading - broadcast`, `following - broadcast`;
    /// absent on standalone servers and before 3.6.
    pub fn peer_state(&self) -> Option<String> {
        self.get("peer_state").map(|v| v.to_string())
    }

    /// `avg_latency` in ms (an integer before 3.6, a decimal after).
    pub fn avg_latency(&self) -> Result<f64, MetricError> {
        Self::f64_of("avg_latency", self.required("avg_latency")?)
    }

    /// `max_latency` in ms.
    pub fn max_latency(&self) -> Result<u64, MetricError> {
        self.required_u64("max_latency")
    }

    /// `outstanding_requests`: requests queued but not yet processed.
    pub fn outstanding_requests(&self) -> Result<u64, MetricError> {
        self.required_u64("outstanding_requests")
    }

    /// `znode_count`.
    pub fn znode_count(&self) -> Result<u64, MetricError> {
        self.required_u64("znode_count")
    }

    /// `num_alive_connections`: client connections (this one included, over `mntr`).
    /// Absent from the 3.4.0 docs example.
    pub fn num_alive_connections(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("num_alive_connections")
    }

    /// `watch_count`.
    pub fn watch_count(&self) -> Result<u64, MetricError> {
        self.required_u64("watch_count")
    }

    /// `ephemerals_count`.
    pub fn ephemerals_count(&self) -> Result<u64, MetricError> {
        self.required_u64("ephemerals_count")
    }

    /// `approximate_data_size` in bytes.
    pub fn approximate_data_size(&self) -> Result<u64, MetricError> {
        self.required_u64("approximate_data_size")
    }

    /// `uptime` in ms (3.6+).
    pub fn uptime_ms(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("uptime")
    }

    /// `open_file_descriptor_count` (Unix only).
    pub fn open_file_descriptor_count(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("open_file_descriptor_count")
    }

    /// `max_file_descriptor_count` (Unix only).
    pub fn max_file_descriptor_count(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("max_file_descriptor_count")
    }

    /// Leader only: connected learners (followers and observers). Reads
    /// `learners` (3.6+) or, failing that, `followers` (3.4/3.5).
    pub fn learners(&self) -> Result<Option<u64>, MetricError> {
        match self.optional_u64("learners")? {
            Some(n) => Ok(Some(n)),
            None => self.optional_u64("followers"),
        }
    }

    /// Leader only: voting followers in sync with the leader (`synced_followers`).
    pub fn synced_followers(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("synced_followers")
    }

    /// Leader only: observers in sync (`synced_observers`, 3.5+).
    pub fn synced_observers(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("synced_observers")
    }

    /// Leader only: pending syncs (`pending_syncs`).
    pub fn pending_syncs(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("pending_syncs")
    }

    /// `quorum_size` (3.6+): the number of voting members the server knows of
    /// (despite the name, not the majority).
    pub fn quorum_size(&self) -> Result<Option<u64>, MetricError> {
        self.optional_u64("quorum_size")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_from_text() {
        assert_eq!(MetricValue::from_text("42"), MetricValue::Int(42));
        assert_eq!(MetricValue::from_text("-1"), MetricValue::Int(-1));
        assert_eq!(MetricValue::from_text("13.5"), MetricValue::Float(13.5));
        assert_eq!(
            MetricValue::from_text("leading - broadcast"),
            MetricValue::Text("leading - broadcast".into())
        );
        // Too big for i64: kept as a float, not a panic.
        assert!(matches!(
            MetricValue::from_text("99999999999999999999"),
            MetricValue::Float(_)
        ));
        assert_eq!(
            MetricValue::from_text("NaN"),
            MetricValue::Text("NaN".into())
        );
        assert_eq!(
            MetricValue::from_text("inf"),
            MetricValue::Text("inf".into())
        );
        assert_eq!(
            MetricValue::from_text("1e999"),
            MetricValue::Text("1e999".into())
        );
        assert_eq!(MetricValue::from_text("-"), MetricValue::Text("-".into()));
        assert_eq!(MetricValue::from_text(""), MetricValue::Text(String::new()));
    }

    #[test]
    fn values_convert_from_json() {
        let v: serde_json::Value = serde_json::json!({"a": 3, "b": 0.5, "c": "x", "d": null, "e": [1], "f": true, "g": -1});
        assert_eq!(MetricValue::from_json(&v["a"]), Some(MetricValue::Int(3)));
        assert_eq!(
            MetricValue::from_json(&v["b"]),
            Some(MetricValue::Float(0.5))
        );
        assert_eq!(
            MetricValue::from_json(&v["c"]),
            Some(MetricValue::Text("x".into()))
        );
        assert_eq!(MetricValue::from_json(&v["d"]), None);
        assert_eq!(MetricValue::from_json(&v["e"]), None);
        assert_eq!(
            MetricValue::from_json(&v["f"]),
            Some(MetricValue::Text("true".into()))
        );
        assert_eq!(MetricValue::from_json(&v["g"]), Some(MetricValue::Int(-1)));
    }

    #[test]
    fn conversions() {
        assert_eq!(MetricValue::Int(-1).as_u64(), None);
        assert_eq!(MetricValue::Float(2.0).as_u64(), Some(2));
        assert_eq!(MetricValue::Float(2.5).as_u64(), None);
        assert_eq!(MetricValue::Float(1e30).as_u64(), None);
        assert_eq!(MetricValue::Text("3".into()).as_u64(), None);
        assert_eq!(MetricValue::Int(3).as_f64(), Some(3.0));
        assert_eq!(MetricValue::Text("x".into()).as_text(), Some("x"));
    }

    #[test]
    fn accessors_report_missing_and_invalid_keys() {
        let mut m = Metrics::new();
        assert!(m.is_empty());
        assert_eq!(
            m.znode_count(),
            Err(MetricError::Missing { key: "znode_count" })
        );
        assert_eq!(m.learners(), Ok(None));
        m.insert("znode_count", MetricValue::Text("many".into()));
        m.insert("server_state", MetricValue::Text("looking".into()));
        m.insert("avg_latency", MetricValue::Text("fast".into()));
        m.insert("followers", MetricValue::Int(2));
        m.insert("pending_syncs", MetricValue::Int(-3));
        assert!(matches!(
            m.znode_count(),
            Err(MetricError::Invalid {
                key: "znode_count",
                ..
            })
        ));
        assert!(matches!(
            m.server_state(),
            Err(MetricError::Invalid {
                key: "server_state",
                ..
            })
        ));
        assert!(m.avg_latency().is_err());
        assert_eq!(m.learners(), Ok(Some(2)), "3.5's zk_followers stands in");
        assert!(m.pending_syncs().is_err());
        assert_eq!(m.len(), 5);
        let err = m.znode_count().unwrap_err().to_string();
        assert!(err.contains("znode_count") && err.contains("many"), "{err}");
    }
}
